/*
 * test_ops.c - pscan_scan: SUM is pscan_cumsum; PROD, MAX and MIN give
 * numpy's values (cumprod, maximum.accumulate, minimum.accumulate).
 */
#include "testutil.h"

static _Alignas(16) unsigned char ob[1024];

/* Runs op over a 1-D contiguous input into ob; every op is implemented, so
 * anything but PSCAN_OK fails. Returns 1 so callers read as "if it ran". */
static int run_op(pscan_op op, const void *in, pscan_dtype it, int64_t n, pscan_dtype acc,
                  pscan_dtype ot)
{
    pscan_array ai = tu_vec((void *)(uintptr_t)in, it, &n), ao = tu_vec(ob, ot, &n);
    tu_fill_sentinel(ob, sizeof ob);
    pscan_status s = pscan_scan(op, &ai, 0, acc, &ao, NULL);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
    return 1;
}

static void expect_out_i64(pscan_dtype t, const int64_t *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(eq(i64, tu_get_i64(ob + i * tu_size(t), t), want[i]), "%s element %zu", what, i);
}

static void expect_out_f64(pscan_dtype t, const double *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i) {
        double g = tu_get_re(ob + i * tu_size(t), t);
        if (isnan(want[i]))
            cr_assert(isnan(g), "%s element %zu: %g", what, i, g);
        else
            cr_assert(eq(dbl, g, want[i]), "%s element %zu", what, i);
    }
}

/* ------------------------------------------------------------------ SUM */

Test(ops, scan_sum_is_cumsum)
{
    enum { R = 70, C = 90 };
    const int64_t shape[2] = {R, C}, n = R * C, fst[2] = {8, 8 * R};
    double *in = malloc(R * C * 8);
    float *o1 = malloc(R * C * 4), *o2 = malloc(R * C * 4);
    cr_assert(all(ne(ptr, in, NULL), ne(ptr, o1, NULL), ne(ptr, o2, NULL)));
    uint64_t rng = 1;
    for (int i = 0; i < R * C; ++i)
        in[i] = tu_rand_unit(&rng) - 0.5;
    const int64_t *strides[2] = {NULL, fst};
    for (int s = 0; s < 2; ++s)
        for (int k = -2; k <= 2; ++k) {
            int axis = k == 2 ? PSCAN_AXIS_NONE : k;
            pscan_array ai = tu_arr(in, PSCAN_FLOAT64, 2, shape, strides[s]);
            pscan_array a1 =
                k == 2 ? tu_vec(o1, PSCAN_FLOAT32, &n) : tu_arr(o1, PSCAN_FLOAT32, 2, shape, NULL);
            pscan_array a2 = a1;
            a2.data = o2;
            memset(o1, 0x11, R * C * 4);
            memset(o2, 0x22, R * C * 4);
            TU_ASSERT_OK(pscan_cumsum(&ai, axis, PSCAN_DTYPE_DEFAULT, &a1, NULL));
            TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &ai, axis, PSCAN_DTYPE_DEFAULT, &a2, NULL));
            cr_assert(eq(int, memcmp(o1, o2, R * C * 4), 0), "layout %d axis %d", s, axis);
            /* explicit accumulator too */
            TU_ASSERT_OK(pscan_cumsum(&ai, axis, PSCAN_FLOAT32, &a1, NULL));
            TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &ai, axis, PSCAN_FLOAT32, &a2, NULL));
            cr_assert(eq(int, memcmp(o1, o2, R * C * 4), 0), "layout %d axis %d (float32)", s,
                      axis);
        }
    free(in);
    free(o1);
    free(o2);
}

Test(ops, scan_sum_integers_and_errors_match_cumsum)
{
    const int8_t in[5] = {100, 100, -100, 7, -128};
    const int64_t want[5] = {100, 200, 100, 107, -21};
    cr_assert(eq(int, run_op(PSCAN_SUM, in, PSCAN_INT8, 5, PSCAN_DTYPE_DEFAULT, PSCAN_INT64), 1));
    expect_out_i64(PSCAN_INT64, want, 5, "sum");
    /* an invalid axis is reported the same way by both entry points */
    const int64_t n = 5;
    pscan_array ai = tu_vec((void *)(uintptr_t)in, PSCAN_INT8, &n),
                ao = tu_vec(ob, PSCAN_INT64, &n);
    cr_assert(eq(int, (int)pscan_scan(PSCAN_SUM, &ai, 1, PSCAN_DTYPE_DEFAULT, &ao, NULL),
                 (int)PSCAN_EAXIS));
    cr_assert(eq(int, (int)pscan_cumsum(&ai, 1, PSCAN_DTYPE_DEFAULT, &ao, NULL), (int)PSCAN_EAXIS));
}

/* ----------------------------------------------------------------- PROD */

Test(ops, prod_numpy_values)
{
    const int32_t a[4] = {1, 2, 3, 4};
    if (run_op(PSCAN_PROD, a, PSCAN_INT32, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64)) {
        const int64_t w[4] = {1, 2, 6, 24};
        expect_out_i64(PSCAN_INT64, w, 4, "cumprod int32");
    }
    const double f[4] = {1.5, 2.0, -1.0, 0.5};
    if (run_op(PSCAN_PROD, f, PSCAN_FLOAT64, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64)) {
        const double w[4] = {1.5, 3.0, -3.0, -1.5};
        expect_out_f64(PSCAN_FLOAT64, w, 4, "cumprod f64");
    }
    /* int8 accumulator wraps: 16 * 16 = 0 */
    const int8_t b[3] = {16, 16, 3};
    if (run_op(PSCAN_PROD, b, PSCAN_INT8, 3, PSCAN_INT8, PSCAN_INT8)) {
        const int64_t w[3] = {16, 0, 0};
        expect_out_i64(PSCAN_INT8, w, 3, "cumprod int8");
    }
    /* default accumulator for int8 is int64: no wrap */
    if (run_op(PSCAN_PROD, b, PSCAN_INT8, 3, PSCAN_DTYPE_DEFAULT, PSCAN_INT64)) {
        const int64_t w[3] = {16, 256, 768};
        expect_out_i64(PSCAN_INT64, w, 3, "cumprod int8 default");
    }
    /* bool accumulator: logical and (numpy cumprod([1,2,0,3], dtype=bool)) */
    const int64_t c[4] = {1, 2, 0, 3};
    if (run_op(PSCAN_PROD, c, PSCAN_INT64, 4, PSCAN_BOOL, PSCAN_INT64)) {
        const int64_t w[4] = {1, 1, 0, 0};
        expect_out_i64(PSCAN_INT64, w, 4, "cumprod bool");
    }
    /* float16 [2,2,2] -> [2,4,8] */
    const uint16_t h[3] = {0x4000, 0x4000, 0x4000};
    if (run_op(PSCAN_PROD, h, PSCAN_FLOAT16, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16)) {
        const double w[3] = {2, 4, 8};
        expect_out_f64(PSCAN_FLOAT16, w, 3, "cumprod f16");
    }
    /* complex: (1+1j)^2 = 2j */
    const double z[4] = {1, 1, 1, 1};
    if (run_op(PSCAN_PROD, z, PSCAN_COMPLEX128, 2, PSCAN_DTYPE_DEFAULT, PSCAN_COMPLEX128)) {
        double g[4];
        memcpy(g, ob, sizeof g);
        cr_assert(eq(dbl, g[0], 1.0));
        cr_assert(eq(dbl, g[1], 1.0));
        cr_assert(eq(dbl, g[2], 0.0));
        cr_assert(eq(dbl, g[3], 2.0));
    }
    /* -0.0 first element is kept */
    const double nz[2] = {-0.0, 1.0};
    if (run_op(PSCAN_PROD, nz, PSCAN_FLOAT64, 2, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64)) {
        double g[2];
        memcpy(g, ob, sizeof g);
        cr_assert(signbit(g[0]) && signbit(g[1]) && g[0] == 0.0 && g[1] == 0.0);
    }
}

/* ------------------------------------------------------------- MAX / MIN */

Test(ops, max_numpy_values)
{
    const int32_t a[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    if (run_op(PSCAN_MAX, a, PSCAN_INT32, 8, PSCAN_DTYPE_DEFAULT, PSCAN_INT32)) {
        const int64_t w[8] = {3, 3, 4, 4, 5, 9, 9, 9};
        expect_out_i64(PSCAN_INT32, w, 8, "max int32");
    }
    const int8_t neg[4] = {-5, -7, -1, -128};
    if (run_op(PSCAN_MAX, neg, PSCAN_INT8, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT8)) {
        const int64_t w[4] = {-5, -5, -1, -1};
        expect_out_i64(PSCAN_INT8, w, 4, "max int8");
    }
    const uint8_t u[3] = {200, 100, 255};
    if (run_op(PSCAN_MAX, u, PSCAN_UINT8, 3, PSCAN_DTYPE_DEFAULT, PSCAN_UINT8)) {
        const int64_t w[3] = {200, 200, 255};
        expect_out_i64(PSCAN_UINT8, w, 3, "max uint8");
    }
    const uint64_t big[3] = {1, UINT64_MAX, 5};
    if (run_op(PSCAN_MAX, big, PSCAN_UINT64, 3, PSCAN_DTYPE_DEFAULT, PSCAN_UINT64)) {
        const int64_t w[3] = {1, -1, -1}; /* bits of UINT64_MAX */
        expect_out_i64(PSCAN_UINT64, w, 3, "max uint64 (unsigned compare)");
    }
    const double f[4] = {1, NAN, 3, 0};
    if (run_op(PSCAN_MAX, f, PSCAN_FLOAT64, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64)) {
        const double w[4] = {1, NAN, NAN, NAN};
        expect_out_f64(PSCAN_FLOAT64, w, 4, "max NaN");
    }
    const float lead[2] = {NAN, 1};
    if (run_op(PSCAN_MAX, lead, PSCAN_FLOAT32, 2, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32)) {
        const double w[2] = {NAN, NAN};
        expect_out_f64(PSCAN_FLOAT32, w, 2, "max leading NaN");
    }
    const uint8_t b[3] = {0, 1, 0};
    if (run_op(PSCAN_MAX, b, PSCAN_BOOL, 3, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL)) {
        const int64_t w[3] = {0, 1, 1};
        expect_out_i64(PSCAN_BOOL, w, 3, "max bool");
    }
    /* complex: lexicographic (numpy) */
    const double z[8] = {1, 5, 2, 0, 2, 1, 1, 9};
    if (run_op(PSCAN_MAX, z, PSCAN_COMPLEX128, 4, PSCAN_DTYPE_DEFAULT, PSCAN_COMPLEX128)) {
        const double w[8] = {1, 5, 2, 0, 2, 1, 2, 1};
        double g[8];
        memcpy(g, ob, sizeof g);
        for (int i = 0; i < 8; ++i)
            cr_assert(eq(dbl, g[i], w[i]), "max complex part %d", i);
    }
}

Test(ops, min_numpy_values)
{
    const int32_t a[8] = {3, 1, 4, 1, 5, 9, 2, 0};
    if (run_op(PSCAN_MIN, a, PSCAN_INT32, 8, PSCAN_DTYPE_DEFAULT, PSCAN_INT64)) {
        const int64_t w[8] = {3, 1, 1, 1, 1, 1, 1, 0};
        expect_out_i64(PSCAN_INT64, w, 8, "min int32");
    }
    const int16_t s[3] = {-5, 7, -32768};
    if (run_op(PSCAN_MIN, s, PSCAN_INT16, 3, PSCAN_DTYPE_DEFAULT, PSCAN_INT16)) {
        const int64_t w[3] = {-5, -5, -32768};
        expect_out_i64(PSCAN_INT16, w, 3, "min int16");
    }
    const double f[4] = {3, NAN, 1, -INFINITY};
    if (run_op(PSCAN_MIN, f, PSCAN_FLOAT64, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64)) {
        const double w[4] = {3, NAN, NAN, NAN};
        expect_out_f64(PSCAN_FLOAT64, w, 4, "min NaN");
    }
    const uint16_t h[3] = {0x4400 /* 4 */, 0xc000 /* -2 */, 0x3c00 /* 1 */};
    if (run_op(PSCAN_MIN, h, PSCAN_FLOAT16, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16)) {
        const double w[3] = {4, -2, -2};
        expect_out_f64(PSCAN_FLOAT16, w, 3, "min f16");
    }
    const uint8_t b[3] = {1, 0, 1};
    if (run_op(PSCAN_MIN, b, PSCAN_BOOL, 3, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL)) {
        const int64_t w[3] = {1, 0, 0};
        expect_out_i64(PSCAN_BOOL, w, 3, "min bool");
    }
}

/* ---------------------------------------------- long lanes, every op */

/* Reference for op over int64 values (wrapping product). */
static int64_t ref_combine(pscan_op op, int64_t a, int64_t b)
{
    switch (op) {
    case PSCAN_PROD:
        return (int64_t)((uint64_t)a * (uint64_t)b);
    case PSCAN_MAX:
        return a > b ? a : b;
    case PSCAN_MIN:
        return a < b ? a : b;
    default:
        return (int64_t)((uint64_t)a + (uint64_t)b);
    }
}

Test(ops, long_lanes_every_op_every_thread_count)
{
    enum { N = 50001 };
    int64_t *in = malloc(N * 8), *out = malloc(N * 8), *want = malloc(N * 8);
    double *fin = malloc(N * 8), *fout = malloc(N * 8);
    cr_assert(all(ne(ptr, in, NULL), ne(ptr, out, NULL), ne(ptr, want, NULL), ne(ptr, fin, NULL),
                  ne(ptr, fout, NULL)));
    const pscan_op ops[4] = {PSCAN_SUM, PSCAN_PROD, PSCAN_MAX, PSCAN_MIN};
    const int threads[4] = {1, 2, 3, 8};
    for (int k = 0; k < 4; ++k) {
        pscan_op op = ops[k];
        uint64_t rng = (uint64_t)k + 1;
        for (int i = 0; i < N; ++i) {
            /* products of +-1 and a rare 3 stay meaningful under wrapping;
             * alternating +-2 and +-0.5 keep float products exact */
            in[i] = op == PSCAN_PROD ? (tu_rand_range(&rng, 0, 99) == 0 ? 3
                                        : tu_rand_range(&rng, 0, 1)     ? 1
                                                                        : -1)
                                     : tu_rand_range(&rng, -1000000, 1000000);
            fin[i] = op == PSCAN_PROD
                         ? (tu_rand_range(&rng, 0, 1) ? 1.0 : -1.0) * (i % 2 ? 2.0 : 0.5)
                         : (double)in[i] * 0.5;
        }
        want[0] = in[0];
        for (int i = 1; i < N; ++i)
            want[i] = ref_combine(op, want[i - 1], in[i]);
        const int64_t n = N;
        pscan_array ai = tu_vec(in, PSCAN_INT64, &n), ao = tu_vec(out, PSCAN_INT64, &n);
        pscan_array fi = tu_vec(fin, PSCAN_FLOAT64, &n), fo = tu_vec(fout, PSCAN_FLOAT64, &n);
        for (int t = 0; t < 4; ++t)
            for (int order = 0; order < 2; ++order) {
                pscan_opts o = PSCAN_OPTS_INIT;
                o.threads = threads[t];
                o.order = order ? PSCAN_ORDER_SEQUENTIAL : PSCAN_ORDER_REPRODUCIBLE;
                pscan_status s = pscan_scan(op, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o);
                if (op != PSCAN_SUM && s == PSCAN_ENOTSUP)
                    continue;
                cr_assert(eq(int, (int)s, (int)PSCAN_OK), "op %d: %s", (int)op, pscan_strerror(s));
                int64_t bad = -1;
                for (int i = 0; i < N && bad < 0; ++i)
                    if (out[i] != want[i])
                        bad = i;
                cr_assert(eq(i64, bad, -1), "op %d threads %d order %d", (int)op, threads[t],
                          order);
                s = pscan_scan(op, &fi, 0, PSCAN_DTYPE_DEFAULT, &fo, &o);
                cr_assert(eq(int, (int)s, (int)PSCAN_OK), "op %d float: %s", (int)op,
                          pscan_strerror(s));
                double acc = fin[0];
                for (int i = 0; i < N && bad < 0; ++i) {
                    if (i > 0)
                        acc = op == PSCAN_PROD  ? acc * fin[i]
                              : op == PSCAN_MAX ? (fin[i] > acc ? fin[i] : acc)
                              : op == PSCAN_MIN ? (fin[i] < acc ? fin[i] : acc)
                                                : acc + fin[i];
                    if (tu_dbits(fout[i]) != tu_dbits(acc))
                        bad = i;
                }
                cr_assert(eq(i64, bad, -1), "op %d float threads %d order %d", (int)op, threads[t],
                          order);
            }
    }
    free(in);
    free(out);
    free(want);
    free(fin);
    free(fout);
}

Test(ops, unsupported_ops_leave_out_untouched_in_2d)
{
    /* whatever the op, a 2-D scan along each axis: OK with numpy values or
     * ENOTSUP with out untouched */
    const int64_t shape[2] = {2, 3};
    const int32_t in[6] = {2, -1, 3, -4, 5, 1};
    const int64_t w[4][2][6] = {
        {{2, -1, 3, -2, 4, 4}, {2, 1, 4, -4, 1, 2}},        /* SUM */
        {{2, -1, 3, -8, -5, 3}, {2, -2, -6, -4, -20, -20}}, /* PROD */
        {{2, -1, 3, 2, 5, 3}, {2, 2, 3, -4, 5, 5}},         /* MAX */
        {{2, -1, 3, -4, -1, 1}, {2, -1, -1, -4, -4, -4}},   /* MIN */
    };
    for (int op = 0; op < 4; ++op)
        for (int axis = 0; axis < 2; ++axis) {
            pscan_array ai = tu_arr((void *)(uintptr_t)in, PSCAN_INT32, 2, shape, NULL);
            pscan_array ao = tu_arr(ob, PSCAN_INT64, 2, shape, NULL);
            tu_fill_sentinel(ob, sizeof ob);
            pscan_status s = pscan_scan((pscan_op)op, &ai, axis, PSCAN_DTYPE_DEFAULT, &ao, NULL);
            if (op != PSCAN_SUM && s == PSCAN_ENOTSUP) {
                tu_assert_sentinel(ob, sizeof ob);
                continue;
            }
            cr_assert(eq(int, (int)s, (int)PSCAN_OK), "op %d axis %d: %s", op, axis,
                      pscan_strerror(s));
            expect_out_i64(PSCAN_INT64, w[op][axis], 6, "2-D");
        }
}
