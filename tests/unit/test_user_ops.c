/* User-defined operators (pscan_scan_user): a non-commutative 2x2 matrix
 * product, a struct-valued operator and a float sum against loops written
 * here, every flag, layouts, in place and overlap, bit-identical over
 * thread counts, the batched callback, and every status with out
 * untouched. */
#include "testutil.h"

#include <stdatomic.h>

/* ---- 2x2 matrices of uint64_t, products wrapping: exactly associative,
 * not commutative, so any regrouping is exact and any reordering shows. */
typedef struct mat2 {
    uint64_t a, b, c, d; /* [[a, b], [c, d]] */
} mat2;

static void mat_mul(void *acc, const void *x, void *ctx)
{
    (void)ctx;
    mat2 l, r;
    memcpy(&l, acc, sizeof l);
    memcpy(&r, x, sizeof r);
    const mat2 p = {l.a * r.a + l.b * r.c, l.a * r.b + l.b * r.d, l.c * r.a + l.d * r.c,
                    l.c * r.b + l.d * r.d};
    memcpy(acc, &p, sizeof p);
}

static const mat2 mat_identity = {1, 0, 0, 1};

static pscan_user_op mat_op(void)
{
    pscan_user_op op = PSCAN_USER_OP_INIT;
    op.elem_size = sizeof(mat2);
    op.identity = &mat_identity;
    op.combine = mat_mul;
    return op;
}

static void mat_fill(mat2 *m, int64_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (int64_t i = 0; i < n; i++)
        m[i] = (mat2){tu_rand(&s) % 7, tu_rand(&s) % 7, tu_rand(&s) % 7, tu_rand(&s) % 7};
}

static int mat_eq(const mat2 *x, const mat2 *y)
{
    return x->a == y->a && x->b == y->b && x->c == y->c && x->d == y->d;
}

/* The loop: out[i] = out[i-1] op in[i] over `n` elements `stride` apart. */
static void mat_loop(const mat2 *in, int64_t in_stride, mat2 *out, int64_t out_stride, int64_t n)
{
    mat2 acc = mat_identity;
    for (int64_t i = 0; i < n; i++) {
        mat_mul(&acc, &in[i * in_stride], NULL);
        out[i * out_stride] = acc;
    }
}

static pscan_opts threads_opts(int threads, unsigned flags)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.flags = flags;
    return o;
}

/* (rows, cols) along axis 1 and along axis 0, each lane against the loop,
 * for 1..4 threads (the sizes are large enough for 4: a 32-byte element
 * counts as four words of work): several tiles per lane, fewer and more
 * lanes than threads. */
Test(user_ops, matrix_product_along_each_axis_matches_the_loop)
{
    const int64_t shapes[][2] = {{3, 30000}, {1, 70000}, {9, 8000}, {30000, 3}, {70000, 1}};
    for (size_t s = 0; s < TU_COUNT(shapes); s++) {
        const int64_t rows = shapes[s][0], cols = shapes[s][1], n = rows * cols;
        mat2 *in = tu_malloc((size_t)n * sizeof *in), *out = tu_malloc((size_t)n * sizeof *out),
             *want = tu_malloc((size_t)n * sizeof *want);
        mat_fill(in, n, 11 + s);
        const pscan_user_op op = mat_op();
        const pscan_array a = tu_arr(in, PSCAN_DTYPE_DEFAULT, 2, shapes[s], NULL);
        const pscan_array o = tu_arr(out, PSCAN_DTYPE_DEFAULT, 2, shapes[s], NULL);
        for (int axis = 0; axis < 2; axis++) {
            for (int64_t lane = 0; lane < (axis ? rows : cols); lane++) {
                const int64_t first = axis ? lane * cols : lane;
                mat_loop(in + first, axis ? 1 : cols, want + first, axis ? 1 : cols,
                         axis ? cols : rows);
            }
            for (int threads = 1; threads <= 4; threads++) {
                memset(out, 0, (size_t)n * sizeof *out);
                const pscan_opts opts = threads_opts(threads, 0);
                cr_assert(eq(int, (int)pscan_scan_user(&op, &a, axis, &o, &opts), (int)PSCAN_OK));
                for (int64_t i = 0; i < n; i++)
                    cr_assert(mat_eq(&out[i], &want[i]), "shape %zu axis %d threads %d at %lld", s,
                              axis, threads, (long long)i);
            }
        }
        free(in);
        free(out);
        free(want);
    }
}

/* axis=None over a transposed view (no single run: packed first) and
 * over a C array; in place; out overlapping in one element on. */
Test(user_ops, flattening_in_place_and_overlap)
{
    const int64_t rows = 70, cols = 300, n = rows * cols;
    mat2 *base = tu_malloc((size_t)(n + 1) * sizeof *base), *in = tu_malloc((size_t)n * sizeof *in),
         *out = tu_malloc((size_t)n * sizeof *out), *want = tu_malloc((size_t)n * sizeof *want),
         *flat = tu_malloc((size_t)n * sizeof *flat);
    mat_fill(in, n, 5);
    const pscan_user_op op = mat_op();
    /* The transpose (cols, rows) of the C array in: its C order is in's
     * column by column. */
    const int64_t tshape[2] = {cols, rows};
    const int64_t tstrides[2] = {(int64_t)sizeof(mat2), cols * (int64_t)sizeof(mat2)};
    for (int64_t c = 0; c < cols; c++)
        for (int64_t r = 0; r < rows; r++)
            flat[c * rows + r] = in[r * cols + c];
    mat_loop(flat, 1, want, 1, n);
    const int64_t flat_shape[1] = {n};
    const pscan_array t = tu_arr(in, PSCAN_DTYPE_DEFAULT, 2, tshape, tstrides);
    const pscan_array o = tu_arr(out, PSCAN_DTYPE_DEFAULT, 1, flat_shape, NULL);
    for (int threads = 1; threads <= 3; threads++) {
        const pscan_opts opts = threads_opts(threads, 0);
        cr_assert(
            eq(int, (int)pscan_scan_user(&op, &t, PSCAN_AXIS_NONE, &o, &opts), (int)PSCAN_OK));
        for (int64_t i = 0; i < n; i++)
            cr_assert(mat_eq(&out[i], &want[i]), "threads %d at %lld", threads, (long long)i);
    }

    /* In place, then out one element past in (in[i+1] is overwritten by
     * out[i] before it is read, unless in is copied first). */
    mat_loop(in, 1, want, 1, n);
    for (int shift = 0; shift < 2; shift++) {
        memcpy(base + (shift ? 0 : 1), in, (size_t)n * sizeof *in);
        const pscan_array src = tu_vec(base + (shift ? 0 : 1), PSCAN_DTYPE_DEFAULT, flat_shape);
        const pscan_array dst = tu_vec(base + 1, PSCAN_DTYPE_DEFAULT, flat_shape);
        const pscan_opts opts = threads_opts(2, 0);
        cr_assert(eq(int, (int)pscan_scan_user(&op, &src, 0, &dst, &opts), (int)PSCAN_OK));
        for (int64_t i = 0; i < n; i++)
            cr_assert(mat_eq(&base[1 + i], &want[i]), "shift %d at %lld", shift, (long long)i);
    }
    free(base);
    free(in);
    free(out);
    free(want);
    free(flat);
}

/* REVERSE scans the flipped lane; EXCLUSIVE and INCLUDE_INITIAL put the
 * identity first (last, reversed). */
Test(user_ops, flags_against_the_loop)
{
    const int64_t rows = 2, cols = 40000, n = rows * cols;
    mat2 *in = tu_malloc((size_t)n * sizeof *in), *flipped = tu_malloc((size_t)cols * sizeof *in),
         *out = tu_malloc((size_t)(n + rows) * sizeof *out),
         *lane = tu_malloc((size_t)cols * sizeof *lane);
    mat_fill(in, n, 9);
    const pscan_user_op op = mat_op();
    const int64_t shape[2] = {rows, cols}, long_shape[2] = {rows, cols + 1};
    const unsigned cases[] = {PSCAN_FLAG_REVERSE, PSCAN_FLAG_EXCLUSIVE, PSCAN_FLAG_INCLUDE_INITIAL,
                              PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE,
                              PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE};
    for (size_t k = 0; k < TU_COUNT(cases); k++) {
        const unsigned flags = cases[k];
        const bool reverse = flags & PSCAN_FLAG_REVERSE,
                   initial = flags & PSCAN_FLAG_INCLUDE_INITIAL;
        const int64_t out_cols = initial ? cols + 1 : cols;
        for (int threads = 1; threads <= 4; threads += 3) {
            const pscan_array a = tu_arr(in, PSCAN_DTYPE_DEFAULT, 2, shape, NULL);
            const pscan_array o =
                tu_arr(out, PSCAN_DTYPE_DEFAULT, 2, initial ? long_shape : shape, NULL);
            const pscan_opts opts = threads_opts(threads, flags);
            cr_assert(eq(int, (int)pscan_scan_user(&op, &a, -1, &o, &opts), (int)PSCAN_OK));
            for (int64_t r = 0; r < rows; r++) {
                for (int64_t i = 0; i < cols; i++) /* the lane in scan order */
                    flipped[i] = in[r * cols + (reverse ? cols - 1 - i : i)];
                mat_loop(flipped, 1, lane, 1, cols);
                for (int64_t j = 0; j < out_cols; j++) {
                    const int64_t step = reverse ? out_cols - 1 - j : j; /* scan position */
                    const bool shifted =
                        flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL);
                    const mat2 *w =
                        shifted ? (step == 0 ? &mat_identity : &lane[step - 1]) : &lane[step];
                    cr_assert(mat_eq(&out[r * out_cols + j], w), "flags %u threads %d [%lld, %lld]",
                              flags, threads, (long long)r, (long long)j);
                }
            }
        }
    }
    free(in);
    free(flipped);
    free(out);
    free(lane);
}

/* ---- A struct-valued operator: running count, sum, min and max. */
typedef struct stats {
    int64_t count, sum;
    int32_t min, max;
} stats;

static void stats_merge(void *acc, const void *x, void *ctx)
{
    (void)ctx;
    stats *s = acc;
    const stats *t = x;
    s->count += t->count;
    s->sum += t->sum;
    s->min = t->min < s->min ? t->min : s->min;
    s->max = t->max > s->max ? t->max : s->max;
}

Test(user_ops, struct_valued_running_statistics)
{
    const int64_t n = 100001;
    stats *in = tu_malloc((size_t)n * sizeof *in), *out = tu_malloc((size_t)n * sizeof *out);
    uint64_t seed = 3;
    for (int64_t i = 0; i < n; i++) {
        const int32_t v = (int32_t)tu_rand_range(&seed, -100000, 100000);
        in[i] = (stats){1, v, v, v};
    }
    const stats none = {0, 0, INT32_MAX, INT32_MIN};
    pscan_user_op op = PSCAN_USER_OP_INIT;
    op.elem_size = sizeof(stats);
    op.identity = &none;
    op.combine = stats_merge;
    const int64_t shape[1] = {n};
    const pscan_array a = tu_vec(in, PSCAN_DTYPE_DEFAULT, shape);
    const pscan_array o = tu_vec(out, PSCAN_DTYPE_DEFAULT, shape);
    for (int threads = 1; threads <= 4; threads++) {
        const pscan_opts opts = threads_opts(threads, 0);
        cr_assert(eq(int, (int)pscan_scan_user(&op, &a, 0, &o, &opts), (int)PSCAN_OK));
        int64_t sum = 0;
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (int64_t i = 0; i < n; i++) {
            sum += in[i].sum;
            lo = in[i].min < lo ? in[i].min : lo;
            hi = in[i].max > hi ? in[i].max : hi;
            cr_assert(eq(i64, out[i].count, i + 1));
            cr_assert(eq(i64, out[i].sum, sum));
            cr_assert(eq(i32, out[i].min, lo));
            cr_assert(eq(i32, out[i].max, hi));
        }
    }
    free(in);
    free(out);
}

/* ---- A float sum: not associative, so the tiles show. REPRODUCIBLE
 * follows the documented rule (written out here), whatever the thread
 * count; SEQUENTIAL is the plain loop. The batched callback gives the same
 * bits and replaces the per-element one. */
static atomic_int single_calls;

static void add_f64(void *acc, const void *x, void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&single_calls, 1);
    double a, b;
    memcpy(&a, acc, sizeof a);
    memcpy(&b, x, sizeof b);
    a += b;
    memcpy(acc, &a, sizeof a);
}

static void add_f64_run(void *acc, const void *x, void *out, size_t n, void *ctx)
{
    (void)ctx;
    double a;
    memcpy(&a, acc, sizeof a);
    for (size_t i = 0; i < n; i++) {
        double b;
        memcpy(&b, (const char *)x + i * sizeof b, sizeof b);
        a += b;
        if (out)
            memcpy((char *)out + i * sizeof a, &a, sizeof a);
    }
    memcpy(acc, &a, sizeof a);
}

/* The tile rule: tile t's outputs run left to right from P(t-1); P(t) =
 * P(t-1) + A(t), A(t) the tile's elements added left to right. */
static void tile_rule(const double *x, double *out, int64_t n)
{
    double incoming = 0;
    for (int64_t first = 0; first < n; first += 4096) {
        const int64_t end = first + 4096 < n ? first + 4096 : n;
        double total = x[first];
        for (int64_t i = first + 1; i < end; i++)
            total += x[i];
        double run = first ? incoming + x[first] : x[first];
        out[first] = run;
        for (int64_t i = first + 1; i < end; i++)
            out[i] = run += x[i];
        incoming = first ? incoming + total : total;
    }
}

Test(user_ops, float_sum_follows_the_tile_rule_and_sequential_is_the_loop)
{
    const int64_t n = 64 * 4096 + 1234;
    double *x = tu_malloc((size_t)n * sizeof *x), *out = tu_malloc((size_t)n * sizeof *out),
           *want = tu_malloc((size_t)n * sizeof *want);
    uint64_t seed = 17;
    for (int64_t i = 0; i < n; i++)
        x[i] = (tu_rand_unit(&seed) - 0.5) * pow(2.0, (double)tu_rand_range(&seed, -20, 20));
    const double zero = 0;
    pscan_user_op op = PSCAN_USER_OP_INIT;
    op.elem_size = sizeof(double);
    op.identity = &zero;
    op.combine = add_f64;
    const int64_t shape[1] = {n};
    const pscan_array a = tu_vec(x, PSCAN_DTYPE_DEFAULT, shape);
    const pscan_array o = tu_vec(out, PSCAN_DTYPE_DEFAULT, shape);
    tile_rule(x, want, n);
    for (int batched = 0; batched < 2; batched++) {
        op.combine_run = batched ? add_f64_run : NULL;
        for (int threads = 1; threads <= 4; threads++) {
            atomic_store(&single_calls, 0);
            const pscan_opts opts = threads_opts(threads, 0);
            cr_assert(eq(int, (int)pscan_scan_user(&op, &a, 0, &o, &opts), (int)PSCAN_OK));
            tu_assert_dbits(out, want, (size_t)n);
            cr_assert(eq(int, atomic_load(&single_calls) > 0, !batched));
        }
    }
    double run = 0;
    for (int64_t i = 0; i < n; i++)
        want[i] = run += x[i];
    pscan_opts opts = threads_opts(4, 0);
    opts.order = PSCAN_ORDER_SEQUENTIAL;
    cr_assert(eq(int, (int)pscan_scan_user(&op, &a, 0, &o, &opts), (int)PSCAN_OK));
    tu_assert_dbits(out, want, (size_t)n);
    free(x);
    free(out);
    free(want);
}

/* Every status, each before anything is written. */
Test(user_ops, statuses_leave_out_untouched)
{
    mat2 in[6], out[6];
    mat_fill(in, 6, 1);
    const int64_t shape[2] = {2, 3}, bad_shape[2] = {3, 2};
    const pscan_array a = tu_arr(in, PSCAN_DTYPE_DEFAULT, 2, shape, NULL);
    const pscan_array o = tu_arr(out, PSCAN_DTYPE_DEFAULT, 2, shape, NULL);
    const pscan_array o_bad = tu_arr(out, PSCAN_DTYPE_DEFAULT, 2, bad_shape, NULL);
    const pscan_user_op good = mat_op();
    pscan_user_op no_combine = good, no_identity = good, no_size = good, small = good,
                  big[2] = {good, good};
    no_combine.combine = NULL;
    no_identity.identity = NULL;
    no_size.elem_size = 0;
    small.size = sizeof(pscan_user_op) - 1;
    big[0].size = sizeof(pscan_user_op) + 8; /* a newer release's struct: its fields zero */
    memset((char *)&big[0] + sizeof(pscan_user_op), 0, 8);
    pscan_opts skip = threads_opts(1, PSCAN_FLAG_SKIP_NAN);
    pscan_opts both = threads_opts(1, PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL);
    const struct {
        const pscan_user_op *op;
        const pscan_array *in, *out;
        int axis;
        const pscan_opts *opts;
        pscan_status want;
    } cases[] = {
        {NULL, &a, &o, 0, NULL, PSCAN_ENULL},          {&no_combine, &a, &o, 0, NULL, PSCAN_ENULL},
        {&no_identity, &a, &o, 0, NULL, PSCAN_ENULL},  {&no_size, &a, &o, 0, NULL, PSCAN_EOP},
        {&small, &a, &o, 0, NULL, PSCAN_EOP},          {&good, NULL, &o, 0, NULL, PSCAN_ENULL},
        {&good, &a, NULL, 0, NULL, PSCAN_ENULL},       {&good, &a, &o, 2, NULL, PSCAN_EAXIS},
        {&good, &a, &o_bad, 0, NULL, PSCAN_EOUTSHAPE}, {&good, &a, &o, 0, &skip, PSCAN_EOPTS},
        {&good, &a, &o, 0, &both, PSCAN_EOPTS},
    };
    for (size_t k = 0; k < TU_COUNT(cases); k++) {
        tu_fill_sentinel(out, sizeof out);
        cr_assert(eq(int,
                     (int)pscan_scan_user(cases[k].op, cases[k].in, cases[k].axis, cases[k].out,
                                          cases[k].opts),
                     (int)cases[k].want),
                  "case %zu", k);
        tu_assert_sentinel(out, sizeof out);
    }
    /* A newer struct whose unknown fields are zero is accepted; set, not. */
    cr_assert(eq(int, (int)pscan_scan_user(&big[0], &a, 1, &o, NULL), (int)PSCAN_OK));
    mat2 want[3];
    mat_loop(in + 3, 1, want, 1, 3);
    cr_assert(mat_eq(&out[5], &want[2]));
}
