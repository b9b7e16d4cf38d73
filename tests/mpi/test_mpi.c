/* test_mpi.c - pscan_mpi_scan under mpirun (-np 1, 2, 4): every rank
 * builds the same global array, scans its own part with the distributed
 * call and compares with the single-process scan of the whole array:
 * exact for integers, MAX and MIN, within the error bound for float sums.
 * Parts have uneven sizes, empty ones included. Then errors on one rank,
 * or ranks that disagree, must give every rank the same status with every
 * local out untouched. Exit status 0 when every check passed on every
 * rank; failures are printed with the rank. */
#include <pscan_mpi.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank, ranks, failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "rank %d: %s:%d: ", rank, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

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

/* Global (outer, n, inner) array scanned along its middle axis, split
 * along it; axis_mode 0: axis 1 of the 3-D array, 1: axis=None over the
 * 1-D flattening (outer = inner = 1). */
static void check_case(pscan_op op, pscan_dtype in_dtype, pscan_dtype acc, int64_t outer, int64_t n,
                       int64_t inner, int flat, int threads)
{
    const size_t in_item = pscan_dtype_size(in_dtype), acc_item = pscan_dtype_size(acc);
    const int64_t total = outer * n * inner;
    unsigned char *global = malloc((size_t)total * in_item + 1),
                  *want = malloc((size_t)total * acc_item + 1);
    uint64_t seed = 42;
    for (int64_t i = 0; i < total; i++) {
        int64_t v = (int64_t)(next(&seed) % 61) - 30;
        if (in_dtype == PSCAN_INT32) {
            int32_t x = (int32_t)v;
            memcpy(global + i * in_item, &x, 4);
        } else if (in_dtype == PSCAN_INT64) {
            memcpy(global + i * in_item, &v, 8);
        } else {
            double x = op == PSCAN_PROD ? 1.0 + (double)v / 4096
                                        : (double)v + 0.125 * (double)(next(&seed) % 8);
            memcpy(global + i * in_item, &x, 8);
        }
    }
    const int64_t gshape[3] = {outer, n, inner}, flat_len = total;
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    pscan_array gin = {global, in_dtype, flat ? 1 : 3, flat ? &flat_len : gshape, NULL};
    pscan_array gout = {want, acc, flat ? 1 : 3, flat ? &flat_len : gshape, NULL};
    CHECK(pscan_scan(op, &gin, flat ? PSCAN_AXIS_NONE : 1, acc, &gout, &o) == PSCAN_OK,
          "reference");

    int64_t start, len;
    share(n, rank, &start, &len);
    const int64_t local_total = outer * len * inner;
    unsigned char *in = malloc((size_t)local_total * in_item + 1),
                  *out = malloc((size_t)local_total * acc_item + 1);
    for (int64_t a = 0; a < outer; a++)
        memcpy(in + (size_t)(a * len * inner) * in_item,
               global + (size_t)((a * n + start) * inner) * in_item,
               (size_t)(len * inner) * in_item);
    const int64_t lshape[3] = {outer, len, inner};
    pscan_array lin = {in, in_dtype, flat ? 1 : 3, flat ? &local_total : lshape, NULL};
    pscan_array lout = {out, acc, flat ? 1 : 3, flat ? &local_total : lshape, NULL};
    pscan_status s =
        pscan_mpi_scan(MPI_COMM_WORLD, op, &lin, flat ? PSCAN_AXIS_NONE : 1, acc, &lout, &o);
    CHECK(s == PSCAN_OK, "pscan_mpi_scan: %s", pscan_strerror(s));
    double abs_sum = 0;
    for (int64_t i = 0; acc == PSCAN_FLOAT64 && i < total; i++) {
        double x;
        memcpy(&x, global + i * 8, 8);
        abs_sum += fabs(x);
    }
    int64_t bad = -1;
    for (int64_t a = 0; a < outer && bad < 0; a++)
        for (int64_t k = 0; k < len * inner && bad < 0; k++) {
            const unsigned char *got = out + (size_t)(a * len * inner + k) * acc_item;
            const unsigned char *exp = want + (size_t)((a * n + start) * inner + k) * acc_item;
            if (acc == PSCAN_FLOAT64 && op == PSCAN_SUM) {
                double g, e;
                memcpy(&g, got, 8);
                memcpy(&e, exp, 8);
                if (fabs(g - e) > (4096.0 + 64) * 0x1p-53 * abs_sum)
                    bad = a * len * inner + k;
            } else if (acc == PSCAN_FLOAT64 && op == PSCAN_PROD) {
                double g, e;
                memcpy(&g, got, 8);
                memcpy(&e, exp, 8);
                if (fabs(g - e) > 1e-9 * fabs(e))
                    bad = a * len * inner + k;
            } else if (memcmp(got, exp, acc_item) != 0) {
                bad = a * len * inner + k;
            }
        }
    CHECK(bad < 0, "op %d %s->%s %lldx%lldx%lld flat %d threads %d: local element %lld differs",
          (int)op, pscan_dtype_name(in_dtype), pscan_dtype_name(acc), (long long)outer,
          (long long)n, (long long)inner, flat, threads, (long long)bad);
    free(global);
    free(want);
    free(in);
    free(out);
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
    for (int threads = 1; threads <= 2; threads++) {
        for (int op = 0; op < PSCAN_OP_COUNT; op++) {
            check_case((pscan_op)op, PSCAN_INT32, op < 2 ? PSCAN_INT64 : PSCAN_INT32, 1, 300001, 1,
                       1, threads);
            check_case((pscan_op)op, PSCAN_INT64, PSCAN_INT64, 3, 20000, 7, 0, threads);
            check_case((pscan_op)op, PSCAN_FLOAT64, PSCAN_FLOAT64, 1, 100003, 1, 1, threads);
            check_case((pscan_op)op, PSCAN_FLOAT64, PSCAN_FLOAT64, 2, 9000, 40, 0, threads);
        }
    }
    /* what is wrong on the last rank only must fail everywhere */
    if (ranks > 1) {
        check_error("different accumulator", PSCAN_EDTYPE, 0, PSCAN_FLOAT64, 4, 0);
        check_error("different other dims", PSCAN_ESHAPE, 0, PSCAN_INT64, 3, 0);
        check_error("different axis", PSCAN_EAXIS, 1, PSCAN_INT64, 4, 0);
    }
    check_error("axis out of range", PSCAN_EAXIS, 5, PSCAN_INT64, 4, 0);
    check_error("NULL input", PSCAN_ENULL, 0, PSCAN_INT64, 4, 1);
    int all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("test_mpi: %d ranks, %s\n", ranks, all ? "FAILED" : "all checks passed");
    MPI_Finalize();
    return all ? 1 : 0;
}
