/* test_mpi.c - pscan_mpi_scan under mpirun (-np 1, 2, 3, 4): every rank
 * builds the same global array, scans its own part with the distributed
 * call and compares with the single-process scan of the whole array:
 * exact for integers, MAX and MIN, within the error bound for float sums
 * (one ulp of the compensated result for COMPENSATED). Parts have uneven
 * sizes, empty ones included; local arrays are C-ordered, Fortran-ordered
 * or strided, outs convert; every flag. Then errors on one rank, ranks
 * that disagree and a global overflow no rank sees alone must give every
 * rank the same status with every local out untouched. Exit status 0 when
 * every check passed on every rank; failures are printed with the rank. */
#include <pscan_mpi.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

/* Rank r's share of `total` along the scan: uneven, and rank 1 of 4 gets
 * nothing. */
static void share(int64_t total, int r, int64_t *start, int64_t *len)
{
    int64_t weights = 0, before = 0;
    for (int k = 0; k < ranks; k++) {
        int w = (ranks == 4 && k == 1) ? 0 : k + 1;
        if (k < r)
            before += w;
        weights += w;
    }
    int w = (ranks == 4 && r == 1) ? 0 : r + 1;
    *start = total * before / weights;
    *len = total * (before + w) / weights - *start;
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* How a local array lies in memory. */
typedef enum layout { C_ORDER, FORTRAN, EVERY_OTHER } layout;

static void strides_of(layout l, int ndim, const int64_t *shape, int64_t item, int64_t *strides)
{
    int64_t step = item * (l == EVERY_OTHER ? 2 : 1);
    if (l == FORTRAN)
        for (int d = 0; d < ndim; d++) {
            strides[d] = step;
            step *= shape[d];
        }
    else
        for (int d = ndim - 1; d >= 0; d--) {
            strides[d] = step;
            step *= shape[d];
        }
}

/* Element (a, i, b) of a 3-D (or, flat, element i of a 1-D) array. */
static unsigned char *at(unsigned char *base, const int64_t *strides, int flat, int64_t a,
                         int64_t i, int64_t b)
{
    return flat ? base + i * strides[0] : base + a * strides[0] + i * strides[1] + b * strides[2];
}

typedef struct mpi_case {
    pscan_op op;
    pscan_dtype in_dtype, acc, out_dtype;
    unsigned flags;
    int64_t outer, n, inner;
    int flat; /* axis=None over 1-D parts (outer = inner = 1) */
    layout in_layout, out_layout;
    int threads;
} mpi_case;

static double value_of(const unsigned char *p, pscan_dtype t)
{
    if (t == PSCAN_FLOAT64) {
        double x;
        memcpy(&x, p, 8);
        return x;
    }
    if (t == PSCAN_FLOAT32) {
        float x;
        memcpy(&x, p, 4);
        return x;
    }
    return NAN;
}

/* Global (outer, n, inner) array scanned along its middle axis (or its
 * 1-D flattening), split along it. */
static void check_case(const mpi_case *c)
{
    const int initial = (c->flags & PSCAN_FLAG_INCLUDE_INITIAL) != 0;
    const int reverse = (c->flags & PSCAN_FLAG_REVERSE) != 0;
    const size_t in_item = pscan_dtype_size(c->in_dtype), out_item = pscan_dtype_size(c->out_dtype);
    const int64_t total = c->outer * c->n * c->inner, out_n = c->n + initial;
    unsigned char *global = malloc((size_t)total * in_item + 1),
                  *want = malloc((size_t)(c->outer * out_n * c->inner) * out_item + 1);
    uint64_t seed = 42;
    for (int64_t i = 0; i < total; i++) {
        int64_t v = (int64_t)(next(&seed) % 61) - 30;
        if (c->op == PSCAN_PROD && c->in_dtype != PSCAN_FLOAT64) /* products stay in range */
            v = i % 499 == 7 ? 2 : v < 0 ? -1 : 1;
        if (c->in_dtype == PSCAN_INT8) {
            int8_t x = (int8_t)(v / 4);
            memcpy(global + i, &x, 1);
        } else if (c->in_dtype == PSCAN_INT16) {
            int16_t x = (int16_t)v;
            memcpy(global + i * in_item, &x, 2);
        } else if (c->in_dtype == PSCAN_INT32) {
            int32_t x = (int32_t)v;
            memcpy(global + i * in_item, &x, 4);
        } else if (c->in_dtype == PSCAN_INT64) {
            memcpy(global + i * in_item, &v, 8);
        } else {
            double x = c->op == PSCAN_PROD ? 1.0 + (double)v / 4096
                                           : (double)v + 0.1 * (double)(next(&seed) % 8);
            if ((c->flags & PSCAN_FLAG_SKIP_NAN) && i % 11 == 3)
                x = NAN;
            /* the first NaN is an arg scan's answer from there on */
            if ((c->op == PSCAN_ARGMAX || c->op == PSCAN_ARGMIN) && i == total * 3 / 4 + 1)
                x = NAN;
            memcpy(global + i * in_item, &x, 8);
        }
    }
    const int64_t gshape[3] = {c->outer, c->n, c->inner}, wshape[3] = {c->outer, out_n, c->inner};
    const int64_t flat_len = total, flat_out = total + initial;
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = c->threads;
    o.flags = c->flags;
    pscan_array gin = {global, c->in_dtype, c->flat ? 1 : 3, c->flat ? &flat_len : gshape, NULL};
    pscan_array gout = {want, c->out_dtype, c->flat ? 1 : 3, c->flat ? &flat_out : wshape, NULL};
    CHECK(pscan_scan(c->op, &gin, c->flat ? PSCAN_AXIS_NONE : 1, c->acc, &gout, &o) == PSCAN_OK,
          "reference");

    /* this rank's part, and where its out lies in want along the axis */
    int64_t start, len;
    share(c->n, rank, &start, &len);
    const int first = rank == (reverse ? ranks - 1 : 0);
    const int64_t out_len = len + (first && initial);
    const int64_t out_start = initial && !reverse && !first ? start + 1 : start;
    const int64_t lshape[3] = {c->outer, len, c->inner}, oshape[3] = {c->outer, out_len, c->inner};
    const int64_t flat_in = len, flat_o = out_len;
    int64_t in_strides[3], out_strides[3], want_strides[3];
    strides_of(c->in_layout, c->flat ? 1 : 3, c->flat ? &flat_in : lshape, (int64_t)in_item,
               in_strides);
    strides_of(c->out_layout, c->flat ? 1 : 3, c->flat ? &flat_o : oshape, (int64_t)out_item,
               out_strides);
    strides_of(C_ORDER, c->flat ? 1 : 3, c->flat ? &flat_out : wshape, (int64_t)out_item,
               want_strides);
    int64_t g_strides[3];
    strides_of(C_ORDER, c->flat ? 1 : 3, c->flat ? &flat_len : gshape, (int64_t)in_item, g_strides);
    unsigned char *in = malloc((size_t)(c->outer * len * c->inner) * in_item * 2 + 1),
                  *out = malloc((size_t)(c->outer * out_len * c->inner) * out_item * 2 + 1);
    for (int64_t a = 0; a < c->outer; a++)
        for (int64_t i = 0; i < len; i++)
            for (int64_t b = 0; b < c->inner; b++)
                memcpy(at(in, in_strides, c->flat, a, i, b),
                       at(global, g_strides, c->flat, a, start + i, b), in_item);
    pscan_array lin = {in, c->in_dtype, c->flat ? 1 : 3, c->flat ? &flat_in : lshape, in_strides};
    pscan_array lout = {out, c->out_dtype, c->flat ? 1 : 3, c->flat ? &flat_o : oshape,
                        out_strides};
    pscan_status s = pscan_mpi_scan(MPI_COMM_WORLD, c->op, &lin, c->flat ? PSCAN_AXIS_NONE : 1,
                                    c->acc, &lout, &o);
    CHECK(s == PSCAN_OK, "pscan_mpi_scan: %s", pscan_strerror(s));
    double abs_sum = 0;
    for (int64_t i = 0; c->in_dtype == PSCAN_FLOAT64 && i < total; i++) {
        double x;
        memcpy(&x, global + i * 8, 8);
        abs_sum += isnan(x) ? 0 : fabs(x);
    }
    const int floats = c->acc == PSCAN_FLOAT64 &&
                       (c->op == PSCAN_SUM || c->op == PSCAN_PROD || c->op == PSCAN_LOGADDEXP);
    int64_t bad = -1;
    for (int64_t a = 0; a < c->outer && bad < 0; a++)
        for (int64_t i = 0; i < out_len && bad < 0; i++)
            for (int64_t b = 0; b < c->inner && bad < 0; b++) {
                const unsigned char *got = at(out, out_strides, c->flat, a, i, b);
                const unsigned char *exp = at(want, want_strides, c->flat, a, out_start + i, b);
                if (!floats) {
                    if (memcmp(got, exp, out_item) != 0)
                        bad = (a * out_len + i) * c->inner + b;
                    continue;
                }
                const double g = value_of(got, c->out_dtype), e = value_of(exp, c->out_dtype);
                const double bound = (c->flags & PSCAN_FLAG_COMPENSATED) && c->op == PSCAN_SUM
                                         ? fabs(nextafter(e, INFINITY) - e)
                                     : c->op == PSCAN_SUM ? (4096.0 + 64) * 0x1p-53 * abs_sum
                                                          : 1e-9 * fabs(e);
                if (!(g == e || fabs(g - e) <= bound))
                    bad = (a * out_len + i) * c->inner + b;
            }
    CHECK(bad < 0,
          "op %d %s->%s->%s flags %u %lldx%lldx%lld flat %d layouts %d/%d threads %d: local "
          "element %lld differs",
          (int)c->op, pscan_dtype_name(c->in_dtype), pscan_dtype_name(c->acc),
          pscan_dtype_name(c->out_dtype), c->flags, (long long)c->outer, (long long)c->n,
          (long long)c->inner, c->flat, (int)c->in_layout, (int)c->out_layout, c->threads,
          (long long)bad);
    free(global);
    free(want);
    free(in);
    free(out);
}

/* A global overflow that no rank's part has on its own: every rank gets
 * PSCAN_EOVERFLOW and no out is written; the same data without the last
 * element's total counted (EXCLUSIVE) passes. */
static void check_global_overflow(void)
{
    /* 100 int8 values of 2 each per rank: no part reaches 127 alone */
    int8_t in[40], out[40];
    for (int k = 0; k < 40; k++)
        in[k] = 3, out[k] = -7;
    const int64_t len = 40;
    pscan_array lin = {in, PSCAN_INT8, 1, &len, NULL}, lout = {out, PSCAN_INT8, 1, &len, NULL};
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    const pscan_status s =
        pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_SUM, &lin, 0, PSCAN_INT8, &lout, &o);
    /* 40 * 3 = 120 per rank: one rank is in range, two are not */
    CHECK(s == (ranks > 1 ? PSCAN_EOVERFLOW : PSCAN_OK), "global overflow: %s", pscan_strerror(s));
    for (int k = 0; ranks > 1 && k < 40; k++)
        CHECK(out[k] == -7, "global overflow: out was written");
    /* exactly 127 in total over the ranks, reached only by the last
     * element: inclusive fails nowhere, one more fails everywhere, and
     * exclusive never writes the total */
    const int last = rank == ranks - 1;
    for (int k = 0; k < 40; k++)
        in[k] = 0;
    in[38] = last ? (int8_t)(127 - ranks) : 0;
    in[39] = 1;
    CHECK(pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_SUM, &lin, 0, PSCAN_INT8, &lout, &o) == PSCAN_OK,
          "127 in range");
    CHECK(out[39] == (last ? 127 : rank + 1), "127: got %d", out[39]);
    in[39] = last ? 2 : 1;
    CHECK(pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_SUM, &lin, 0, PSCAN_INT8, &lout, &o) ==
              PSCAN_EOVERFLOW,
          "128 overflows");
    o.flags |= PSCAN_FLAG_EXCLUSIVE;
    CHECK(pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_SUM, &lin, 0, PSCAN_INT8, &lout, &o) == PSCAN_OK,
          "128 is no exclusive result");
    CHECK(out[39] == (last ? 126 : rank), "exclusive: got %d", out[39]);
}

/* An arg scan under REVERSE would count indexes from a start the ranks
 * after this one hold: PSCAN_ENOTSUP on every rank, no out written. */
static void check_reverse_arg(void)
{
    int64_t in[8] = {3, 1, 4, 1, 5, 9, 2, 6}, out[8];
    for (int k = 0; k < 8; k++)
        out[k] = -7;
    const int64_t len = 8;
    pscan_array lin = {in, PSCAN_INT64, 1, &len, NULL}, lout = {out, PSCAN_INT64, 1, &len, NULL};
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_REVERSE;
    const pscan_status s =
        pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_ARGMAX, &lin, 0, PSCAN_DTYPE_DEFAULT, &lout, &o);
    CHECK(s == PSCAN_ENOTSUP, "reverse arg scan: %s", pscan_strerror(s));
    for (int k = 0; k < 8; k++)
        CHECK(out[k] == -7, "reverse arg scan: out was written");
}

/* One rank (the last) gets `bad`; all must return `expected`, out untouched. */
static void check_error(const char *what, pscan_status expected, int bad_axis, pscan_dtype bad_acc,
                        int64_t bad_inner, int null_in)
{
    const int last = rank == ranks - 1;
    int64_t in[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, out[12];
    for (int k = 0; k < 12; k++)
        out[k] = -7;
    const int64_t shape[2] = {3, last ? bad_inner : 4};
    pscan_array lin = {in, PSCAN_INT64, 2, shape, NULL};
    pscan_array lout = {out, last ? bad_acc : PSCAN_INT64, 2, shape, NULL};
    pscan_status s = pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_SUM, last && null_in ? NULL : &lin,
                                    last ? bad_axis : 0, last ? bad_acc : PSCAN_INT64, &lout, NULL);
    CHECK(s == expected, "%s: got %s, want %s", what, pscan_strerror(s), pscan_strerror(expected));
    for (int k = 0; k < 12; k++)
        CHECK(out[k] == -7, "%s: out was written", what);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    for (int threads = 1; threads <= 2; threads++)
        for (int op = 0; op <= PSCAN_MIN; op++) {
            const pscan_op o = (pscan_op)op;
            const pscan_dtype small = op < 2 ? PSCAN_INT64 : PSCAN_INT32;
            const mpi_case cases[4] = {
                {o, PSCAN_INT32, small, small, 0, 1, 300001, 1, 1, C_ORDER, C_ORDER, threads},
                {o, PSCAN_INT64, PSCAN_INT64, PSCAN_INT64, 0, 3, 20000, 7, 0, C_ORDER, C_ORDER,
                 threads},
                {o, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64, 0, 1, 100003, 1, 1, C_ORDER,
                 C_ORDER, threads},
                {o, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64, 0, 2, 9000, 40, 0, C_ORDER,
                 C_ORDER, threads}};
            for (int k = 0; k < 4; k++)
                check_case(&cases[k]);
        }
    /* every flag, alone and in pairs, over layouts and converting outs */
    const unsigned flag_sets[] = {PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_INCLUDE_INITIAL,
                                  PSCAN_FLAG_REVERSE,
                                  PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE,
                                  PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE,
                                  PSCAN_FLAG_SKIP_NAN,
                                  PSCAN_FLAG_CHECK_OVERFLOW,
                                  PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_COMPENSATED,
                                  PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_EXCLUSIVE |
                                      PSCAN_FLAG_REVERSE};
    for (size_t f = 0; f < sizeof flag_sets / sizeof *flag_sets; f++)
        for (int op = 0; op <= PSCAN_MIN; op++) {
            const pscan_op o = (pscan_op)op;
            const unsigned fl = flag_sets[f];
            const mpi_case cases[4] = {
                /* int32 counts to int64 (then float64) offsets, flat and strided */
                {o, PSCAN_INT32, PSCAN_INT64, PSCAN_FLOAT64, fl, 1, 5003, 1, 1, EVERY_OTHER,
                 C_ORDER, 2},
                /* Fortran-ordered parts along the middle axis, out int32 */
                {o, PSCAN_INT16, PSCAN_INT64, PSCAN_INT32, fl, 3, 301, 5, 0, FORTRAN, EVERY_OTHER,
                 1},
                /* floats: tiles over several ranks, Fortran out */
                {o, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64, fl, 1, 20011, 1, 1, EVERY_OTHER,
                 EVERY_OTHER, 2},
                {o, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64, fl, 2, 9001, 3, 0, FORTRAN,
                 FORTRAN, 1}};
            for (int k = 0; k < 4; k++)
                check_case(&cases[k]);
        }
    /* the new ops: logaddexp over float64 (rank boundaries are tile
     * boundaries: within the relative bound), the bitwise ones over
     * integers (bit for bit), every flag set */
    for (size_t f = 0; f < sizeof flag_sets / sizeof *flag_sets; f++)
        for (int op = PSCAN_LOGADDEXP; op <= PSCAN_BIT_XOR; op++) {
            const pscan_op o = (pscan_op)op;
            const unsigned fl = flag_sets[f];
            const pscan_dtype t = op == PSCAN_LOGADDEXP ? PSCAN_FLOAT64 : PSCAN_INT64;
            const pscan_dtype narrow_acc = op == PSCAN_LOGADDEXP ? PSCAN_FLOAT64 : PSCAN_INT16;
            const pscan_dtype narrow_out = op == PSCAN_LOGADDEXP ? PSCAN_FLOAT64 : PSCAN_INT32;
            const mpi_case cases[3] = {
                {o, t, t, t, fl, 1, 20011, 1, 1, EVERY_OTHER, EVERY_OTHER, 2},
                {o, t, t, t, fl, 2, 9001, 3, 0, FORTRAN, FORTRAN, 1},
                {o, PSCAN_INT16, narrow_acc, narrow_out, fl, 3, 301, 5, 0, FORTRAN, EVERY_OTHER,
                 2}};
            for (int k = 0; k < 3; k++)
                check_case(&cases[k]);
        }
    /* the running arg-max and arg-min: (count, index, value) states
     * exchanged, indexes counting on across ranks, ties (values -30..30)
     * to the lower index, a NaN on a later rank winning from there on;
     * bit for bit */
    const unsigned arg_flags[] = {0,
                                  PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_INCLUDE_INITIAL,
                                  PSCAN_FLAG_SKIP_NAN,
                                  PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_COMPENSATED};
    for (size_t f = 0; f < sizeof arg_flags / sizeof *arg_flags; f++)
        for (int op = PSCAN_ARGMAX; op <= PSCAN_ARGMIN; op++) {
            const pscan_op o = (pscan_op)op;
            const unsigned fl = arg_flags[f];
            const mpi_case cases[4] = {{o, PSCAN_INT32, PSCAN_INT32, PSCAN_INT64, fl, 1, 20011, 1,
                                        1, EVERY_OTHER, EVERY_OTHER, 2},
                                       {o, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_INT64, fl, 2, 9001,
                                        3, 0, FORTRAN, FORTRAN, 1},
                                       {o, PSCAN_INT16, PSCAN_INT16, PSCAN_INT32, fl, 3, 301, 5, 0,
                                        FORTRAN, EVERY_OTHER, 2},
                                       {o, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64, fl, 1,
                                        30011, 1, 1, C_ORDER, C_ORDER, 2}};
            for (int k = 0; k < 4; k++)
                check_case(&cases[k]);
        }
    check_reverse_arg();
    check_global_overflow();
    /* what is wrong on the last rank only must fail everywhere */
    if (ranks > 1) {
        check_error("different accumulator", PSCAN_EDTYPE, 0, PSCAN_FLOAT64, 4, 0);
        check_error("different other dims", PSCAN_ESHAPE, 0, PSCAN_INT64, 3, 0);
        check_error("different axis", PSCAN_EAXIS, 1, PSCAN_INT64, 4, 0);
    }
    check_error("axis out of range", PSCAN_EAXIS, 5, PSCAN_INT64, 4, 0);
    check_error("NULL input", PSCAN_ENULL, 0, PSCAN_INT64, 4, 1);
    const int all = mpi_check_failures();
    if (rank == 0)
        printf("test_mpi: %d ranks, %s\n", ranks, all ? "FAILED" : "all checks passed");
    MPI_Finalize();
    return all ? 1 : 0;
}
