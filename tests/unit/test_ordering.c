/*
 * test_ordering.c - float ordering modes. SEQUENTIAL is numpy's left-to-right
 * order bit for bit (any thread count); REPRODUCIBLE (the default) equals it
 * for lanes of at most 4096 elements (the fixed tile) and, for longer lanes,
 * gives the same bits for every thread count.
 */
#include <float.h>

#include "testutil.h"

#define TILE 4096

/* Index of the first element whose bytes differ, or -1. */
static int64_t first_diff(const void *a, const void *b, int64_t n, size_t es)
{
    const unsigned char *p = a, *q = b;
    for (int64_t i = 0; i < n; ++i)
        if (memcmp(p + (size_t)i * es, q + (size_t)i * es, es) != 0)
            return i;
    return -1;
}

/* Random values of mixed magnitudes and signs, so that the order of the
 * additions shows in the bits. */
static void fill_random(void *buf, pscan_dtype t, int64_t n, uint64_t seed)
{
    size_t es = tu_size(t);
    for (int64_t i = 0; i < n; ++i) {
        double re = (tu_rand_unit(&seed) - 0.3) * ldexp(1.0, (int)tu_rand_range(&seed, -20, 20));
        double im = (tu_rand_unit(&seed) - 0.6) * ldexp(1.0, (int)tu_rand_range(&seed, -20, 20));
        if (t == PSCAN_FLOAT16)
            re = (tu_rand_unit(&seed) - 0.5) * 8.0;
        tu_put_f64((unsigned char *)buf + (size_t)i * es, t, re, im);
    }
}

/* Left-to-right reference along one lane in the element's own precision
 * (numpy: out[0] = in[0], out[i] = out[i-1] + in[i]). */
static void ref_lane(const unsigned char *in, int64_t in_step, unsigned char *out, int64_t out_step,
                     int64_t n, pscan_dtype t)
{
    if (t == PSCAN_FLOAT16) {
        uint16_t acc = 0, x;
        for (int64_t i = 0; i < n; ++i) {
            memcpy(&x, in + i * in_step, 2);
            acc = i == 0 ? x : tu_half_add(acc, x);
            memcpy(out + i * out_step, &acc, 2);
        }
    } else if (t == PSCAN_FLOAT32 || t == PSCAN_COMPLEX64) {
        int parts = t == PSCAN_COMPLEX64 ? 2 : 1;
        for (int c = 0; c < parts; ++c) {
            float acc = 0.0f, x;
            for (int64_t i = 0; i < n; ++i) {
                memcpy(&x, in + i * in_step + 4 * c, 4);
                acc = i == 0 ? x : acc + x;
                memcpy(out + i * out_step + 4 * c, &acc, 4);
            }
        }
    } else {
        int parts = t == PSCAN_COMPLEX128 ? 2 : 1;
        for (int c = 0; c < parts; ++c) {
            double acc = 0.0, x;
            for (int64_t i = 0; i < n; ++i) {
                memcpy(&x, in + i * in_step + 8 * c, 8);
                acc = i == 0 ? x : acc + x;
                memcpy(out + i * out_step + 8 * c, &acc, 8);
            }
        }
    }
}

/* Reference for a C-contiguous (rows, cols) array along axis 0 or 1. */
static void ref_2d(const void *in, void *out, int64_t rows, int64_t cols, int axis, pscan_dtype t)
{
    int64_t es = (int64_t)tu_size(t);
    const unsigned char *i8 = in;
    unsigned char *o8 = out;
    if (axis == 0)
        for (int64_t c = 0; c < cols; ++c)
            ref_lane(i8 + c * es, cols * es, o8 + c * es, cols * es, rows, t);
    else
        for (int64_t r = 0; r < rows; ++r)
            ref_lane(i8 + r * cols * es, es, o8 + r * cols * es, es, cols, t);
}

static pscan_status scan2d(const void *in, void *out, int64_t rows, int64_t cols, int axis,
                           pscan_dtype t, pscan_order order, int threads)
{
    const int64_t shape[2] = {rows, cols};
    pscan_array ai = tu_arr((void *)(uintptr_t)in, t, 2, shape, NULL),
                ao = tu_arr(out, t, 2, shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = order;
    o.threads = threads;
    return pscan_cumsum(&ai, axis, PSCAN_DTYPE_DEFAULT, &ao, &o);
}

static const pscan_dtype float_types[] = {PSCAN_FLOAT32, PSCAN_FLOAT64, PSCAN_COMPLEX64,
                                          PSCAN_COMPLEX128, PSCAN_FLOAT16};
static const int thread_counts[] = {0, 1, 2, 3, 8};

/* Compare one (rows, cols, axis) scan with the left-to-right reference. */
static void expect_sequential_bits(int64_t rows, int64_t cols, int axis, pscan_dtype t,
                                   pscan_order order, int threads, uint64_t seed)
{
    size_t bytes = (size_t)(rows * cols) * tu_size(t);
    void *in = tu_malloc(bytes), *out = tu_malloc(bytes), *want = tu_malloc(bytes);
    fill_random(in, t, rows * cols, seed);
    ref_2d(in, want, rows, cols, axis, t);
    pscan_status s = scan2d(in, out, rows, cols, axis, t, order, threads);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
    int64_t d = first_diff(out, want, rows * cols, tu_size(t));
    cr_assert(eq(i64, d, -1),
              "%s (%lld, %lld) axis %d order %d threads %d: first differing element",
              pscan_dtype_name(t), (long long)rows, (long long)cols, axis, (int)order, threads);
    free(in);
    free(out);
    free(want);
}

Test(ordering, numpy_literals_both_orders)
{
    /* numpy 1.24: cumsum(full(10, 0.1)) in float64 and float32, bit patterns */
    static const uint64_t w64[10] = {
        0x3fb999999999999aull, 0x3fc999999999999aull, 0x3fd3333333333334ull, 0x3fd999999999999aull,
        0x3fe0000000000000ull, 0x3fe3333333333333ull, 0x3fe6666666666666ull, 0x3fe9999999999999ull,
        0x3fecccccccccccccull, 0x3fefffffffffffffull};
    static const uint32_t w32[10] = {0x3dcccccdu, 0x3e4ccccdu, 0x3e99999au, 0x3ecccccdu,
                                     0x3f000000u, 0x3f19999au, 0x3f333334u, 0x3f4cccceu,
                                     0x3f666668u, 0x3f800001u};
    double d[10], od[10];
    float f[10], of[10];
    for (int i = 0; i < 10; ++i) {
        d[i] = 0.1;
        f[i] = 0.1f;
    }
    const int64_t n = 10;
    pscan_array ad = tu_vec(d, PSCAN_FLOAT64, &n), aod = tu_vec(od, PSCAN_FLOAT64, &n);
    pscan_array af = tu_vec(f, PSCAN_FLOAT32, &n), aof = tu_vec(of, PSCAN_FLOAT32, &n);
    for (int order = 0; order < 2; ++order) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.order = order ? PSCAN_ORDER_SEQUENTIAL : PSCAN_ORDER_REPRODUCIBLE;
        TU_ASSERT_OK(pscan_cumsum(&ad, 0, PSCAN_DTYPE_DEFAULT, &aod, &o));
        TU_ASSERT_OK(pscan_cumsum(&af, 0, PSCAN_DTYPE_DEFAULT, &aof, &o));
        for (int i = 0; i < 10; ++i) {
            cr_assert(eq(u64, tu_dbits(od[i]), w64[i]), "float64 element %d order %d", i, order);
            cr_assert(eq(u32, tu_fbits(of[i]), w32[i]), "float32 element %d order %d", i, order);
        }
    }
    /* cumsum([1e16, 1, 1, -1e16]) == [1e16, 1e16, 1e16, 0] (no reassociation) */
    const double c[4] = {1e16, 1.0, 1.0, -1e16};
    double oc[4];
    const int64_t n4 = 4;
    pscan_array ac = tu_vec((void *)(uintptr_t)c, PSCAN_FLOAT64, &n4),
                aoc = tu_vec(oc, PSCAN_FLOAT64, &n4);
    TU_ASSERT_OK(pscan_cumsum(&ac, 0, PSCAN_DTYPE_DEFAULT, &aoc, NULL));
    const double wc[4] = {1e16, 1e16, 1e16, 0.0};
    tu_assert_dbits(oc, wc, 4);
}

Test(ordering, sequential_is_left_to_right_for_any_thread_count)
{
    for (size_t k = 0; k < TU_COUNT(float_types); ++k)
        for (size_t j = 0; j < TU_COUNT(thread_counts); ++j) {
            pscan_dtype t = float_types[k];
            int64_t n = t == PSCAN_FLOAT16 ? 20000 : 150000;
            expect_sequential_bits(1, n, 1, t, PSCAN_ORDER_SEQUENTIAL, thread_counts[j],
                                   k * 31 + j);
        }
}

Test(ordering, sequential_lanes_along_each_axis)
{
    for (size_t k = 0; k < TU_COUNT(float_types); ++k)
        for (int axis = 0; axis < 2; ++axis) {
            expect_sequential_bits(9000, 7, axis, float_types[k], PSCAN_ORDER_SEQUENTIAL, 0, 3 + k);
            expect_sequential_bits(7, 9000, axis, float_types[k], PSCAN_ORDER_SEQUENTIAL, 3, 4 + k);
            expect_sequential_bits(300, 300, axis, float_types[k], PSCAN_ORDER_SEQUENTIAL, 2,
                                   5 + k);
        }
}

Test(ordering, reproducible_equals_sequential_up_to_one_tile)
{
    const int64_t lens[] = {1, 2, 3, 17, 1000, TILE - 1, TILE};
    for (size_t k = 0; k < TU_COUNT(float_types); ++k)
        for (size_t l = 0; l < TU_COUNT(lens); ++l)
            for (size_t j = 0; j < TU_COUNT(thread_counts); j += 2) {
                pscan_dtype t = float_types[k];
                /* one lane, many lanes along axis 1, many lanes along axis 0 */
                expect_sequential_bits(1, lens[l], 1, t, PSCAN_ORDER_REPRODUCIBLE, thread_counts[j],
                                       l);
                expect_sequential_bits(5, lens[l], 1, t, PSCAN_ORDER_REPRODUCIBLE, thread_counts[j],
                                       l + 9);
                expect_sequential_bits(lens[l], 5, 0, t, PSCAN_ORDER_REPRODUCIBLE, thread_counts[j],
                                       l + 99);
            }
}

Test(ordering, default_order_with_null_opts_up_to_one_tile)
{
    enum { N = TILE };
    static double in[N], out[N], want[N];
    fill_random(in, PSCAN_FLOAT64, N, 42);
    ref_lane((const unsigned char *)in, 8, (unsigned char *)want, 8, N, PSCAN_FLOAT64);
    const int64_t n = N;
    pscan_array ai = tu_vec(in, PSCAN_FLOAT64, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    cr_assert(eq(i64, first_diff(out, want, N, 8), -1));
    /* strided lane of one tile (every third element, reversed) */
    static double big[3 * N], sout[N], swant[N];
    fill_random(big, PSCAN_FLOAT64, 3 * N, 43);
    const int64_t st = -24;
    pscan_array as = tu_arr(&big[3 * N - 1], PSCAN_FLOAT64, 1, &n, &st);
    pscan_array aso = tu_vec(sout, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&as, 0, PSCAN_DTYPE_DEFAULT, &aso, NULL));
    ref_lane((const unsigned char *)&big[3 * N - 1], -24, (unsigned char *)swant, 8, N,
             PSCAN_FLOAT64);
    cr_assert(eq(i64, first_diff(sout, swant, N, 8), -1));
}

/* Long lanes: the REPRODUCIBLE bits must not depend on the thread count. */
static void expect_thread_invariant(int64_t rows, int64_t cols, int axis, pscan_dtype t,
                                    uint64_t seed)
{
    size_t bytes = (size_t)(rows * cols) * tu_size(t);
    void *in = tu_malloc(bytes), *first = tu_malloc(bytes), *out = tu_malloc(bytes);
    fill_random(in, t, rows * cols, seed);
    const int counts[] = {1, 2, 3, 8, 0, 2, 1};
    for (size_t j = 0; j < TU_COUNT(counts); ++j) {
        void *dst = j == 0 ? first : out;
        pscan_status s = scan2d(in, dst, rows, cols, axis, t, PSCAN_ORDER_REPRODUCIBLE, counts[j]);
        cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
        if (j > 0) {
            int64_t d = first_diff(out, first, rows * cols, tu_size(t));
            cr_assert(eq(i64, d, -1),
                      "%s (%lld, %lld) axis %d: threads %d differ from threads 1 at",
                      pscan_dtype_name(t), (long long)rows, (long long)cols, axis, counts[j]);
        }
    }
    free(in);
    free(first);
    free(out);
}

Test(ordering, reproducible_long_lanes_same_bits_for_threads_1_2_3_8)
{
    for (size_t k = 0; k < TU_COUNT(float_types); ++k) {
        pscan_dtype t = float_types[k];
        expect_thread_invariant(1, TILE + 1, 1, t, 1 + k);
        expect_thread_invariant(1, 3 * TILE + 5, 1, t, 2 + k);
        expect_thread_invariant(1, 250000, 1, t, 3 + k);
        expect_thread_invariant(20000, 3, 0, t, 4 + k);
        expect_thread_invariant(3, 20000, 1, t, 5 + k);
        expect_thread_invariant(9000, 9, 0, t, 6 + k);
    }
    expect_thread_invariant(1, 1 << 20, 1, PSCAN_FLOAT64, 77);
    expect_thread_invariant(1, 1 << 20, 1, PSCAN_FLOAT32, 78);
}

Test(ordering, reproducible_long_lanes_fortran_and_strided)
{
    /* a (20000, 4) Fortran-ordered array along axis 0 and a reversed lane */
    enum { R = 20000, C = 4 };
    double *in = tu_malloc(R * C * 8), *first = tu_malloc(R * C * 8), *out = tu_malloc(R * C * 8);
    fill_random(in, PSCAN_FLOAT64, R * C, 5);
    const int64_t shape[2] = {R, C}, fst[2] = {8, 8 * R};
    pscan_array ai = tu_arr(in, PSCAN_FLOAT64, 2, shape, fst);
    const int counts[] = {1, 2, 3, 8};
    for (size_t j = 0; j < TU_COUNT(counts); ++j) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.threads = counts[j];
        pscan_array ao = tu_arr(j == 0 ? first : out, PSCAN_FLOAT64, 2, shape, NULL);
        TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
        if (j > 0)
            cr_assert(eq(i64, first_diff(out, first, R * C, 8), -1), "threads %d", counts[j]);
    }
    /* a reversed 1-D lane equals the forward scan of the reversed copy */
    const int64_t n = R * C, neg = -8;
    double *rev = tu_malloc(R * C * 8);
    for (int64_t i = 0; i < n; ++i)
        rev[i] = in[n - 1 - i];
    pscan_array ar = tu_arr(&in[n - 1], PSCAN_FLOAT64, 1, &n, &neg),
                af = tu_vec(rev, PSCAN_FLOAT64, &n);
    pscan_array o1 = tu_vec(first, PSCAN_FLOAT64, &n), o2 = tu_vec(out, PSCAN_FLOAT64, &n);
    for (size_t j = 0; j < TU_COUNT(counts); ++j) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.threads = counts[j];
        TU_ASSERT_OK(pscan_cumsum(&ar, 0, PSCAN_DTYPE_DEFAULT, &o1, &o));
        TU_ASSERT_OK(pscan_cumsum(&af, 0, PSCAN_DTYPE_DEFAULT, &o2, &o));
        cr_assert(eq(i64, first_diff(first, out, n, 8), -1), "threads %d", counts[j]);
    }
    free(in);
    free(first);
    free(out);
    free(rev);
}

Test(ordering, long_lanes_of_integral_floats_are_exact)
{
    /* small integers: every order gives the exact sums */
    const int64_t n = 1 << 20;
    double *in = tu_malloc((size_t)n * 8), *out = tu_malloc((size_t)n * 8);
    float *fin = tu_malloc((size_t)n * 4), *fout = tu_malloc((size_t)n * 4);
    uint64_t rng = 11;
    for (int64_t i = 0; i < n; ++i) {
        in[i] = (double)tu_rand_range(&rng, -1000, 1000);
        fin[i] = (float)tu_rand_range(&rng, -7, 7);
    }
    pscan_array ai = tu_vec(in, PSCAN_FLOAT64, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    pscan_array fi = tu_vec(fin, PSCAN_FLOAT32, &n), fo = tu_vec(fout, PSCAN_FLOAT32, &n);
    for (size_t j = 0; j < TU_COUNT(thread_counts); ++j)
        for (int order = 0; order < 2; ++order) {
            pscan_opts o = PSCAN_OPTS_INIT;
            o.threads = thread_counts[j];
            o.order = order ? PSCAN_ORDER_SEQUENTIAL : PSCAN_ORDER_REPRODUCIBLE;
            TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
            TU_ASSERT_OK(pscan_cumsum(&fi, 0, PSCAN_DTYPE_DEFAULT, &fo, &o));
            int64_t s = 0, fs = 0, bad = -1, fbad = -1;
            for (int64_t i = 0; i < n; ++i) {
                s += (int64_t)in[i];
                fs += (int64_t)fin[i];
                if (bad < 0 && out[i] != (double)s)
                    bad = i;
                if (fbad < 0 && fout[i] != (float)fs)
                    fbad = i;
            }
            cr_assert(eq(i64, bad, -1), "float64 threads %d order %d", thread_counts[j], order);
            cr_assert(eq(i64, fbad, -1), "float32 threads %d order %d", thread_counts[j], order);
        }
    free(in);
    free(out);
    free(fin);
    free(fout);
}

Test(ordering, reproducible_long_lanes_are_accurate)
{
    /* positive values: error of every prefix within (i/tile + tile + 4) eps
     * of the exact (long double) prefix */
    const int64_t n = 1 << 20;
    double *in = tu_malloc((size_t)n * 8), *out = tu_malloc((size_t)n * 8);
    uint64_t rng = 12;
    for (int64_t i = 0; i < n; ++i)
        in[i] = tu_rand_unit(&rng);
    pscan_array ai = tu_vec(in, PSCAN_FLOAT64, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    long double exact = 0.0L;
    int64_t bad = -1;
    for (int64_t i = 0; i < n && bad < 0; ++i) {
        exact += in[i];
        long double err = fabsl((long double)out[i] - exact);
        long double bound = ((long double)i / TILE + TILE + 4) * DBL_EPSILON * exact;
        if (!(err <= bound))
            bad = i;
    }
    cr_assert(eq(i64, bad, -1), "first prefix outside the error bound");
    free(in);
    free(out);
}

Test(ordering, negative_zeros_stay_negative_in_long_lanes)
{
    /* every association of -0.0 + -0.0 + ... is -0.0 (numpy: all -0.0) */
    enum { N = 3 * TILE + 17 };
    double *in = tu_malloc(N * 8), *out = tu_malloc(N * 8);
    for (int i = 0; i < N; ++i)
        in[i] = -0.0;
    const int64_t n = N;
    pscan_array ai = tu_vec(in, PSCAN_FLOAT64, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    for (size_t j = 0; j < TU_COUNT(thread_counts); ++j)
        for (int order = 0; order < 2; ++order) {
            pscan_opts o = PSCAN_OPTS_INIT;
            o.threads = thread_counts[j];
            o.order = order ? PSCAN_ORDER_SEQUENTIAL : PSCAN_ORDER_REPRODUCIBLE;
            memset(out, 0x55, N * 8);
            TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
            int64_t bad = -1;
            for (int i = 0; i < N && bad < 0; ++i)
                if (tu_dbits(out[i]) != tu_dbits(-0.0))
                    bad = i;
            cr_assert(eq(i64, bad, -1), "threads %d order %d: first element that is not -0.0",
                      thread_counts[j], order);
        }
    free(in);
    free(out);
}

Test(ordering, sequential_flatten_of_fortran_array)
{
    /* AXIS_NONE walks C order whatever the layout; SEQUENTIAL is then the
     * left-to-right sum in that order */
    enum { R = 300, C = 200 };
    double *in = tu_malloc(R * C * 8), *out = tu_malloc(R * C * 8), *want = tu_malloc(R * C * 8),
           *first = tu_malloc(R * C * 8);
    fill_random(in, PSCAN_FLOAT64, R * C, 99);
    const int64_t shape[2] = {R, C}, fst[2] = {8, 8 * R}, n = R * C;
    double acc = 0.0;
    for (int r = 0, k = 0; r < R; ++r)
        for (int c = 0; c < C; ++c, ++k) {
            double x = in[r + (size_t)c * R];
            acc = k == 0 ? x : acc + x;
            want[k] = acc;
        }
    pscan_array ai = tu_arr(in, PSCAN_FLOAT64, 2, shape, fst), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    for (size_t j = 0; j < TU_COUNT(thread_counts); ++j) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.threads = thread_counts[j];
        o.order = PSCAN_ORDER_SEQUENTIAL;
        TU_ASSERT_OK(pscan_cumsum(&ai, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &ao, &o));
        cr_assert(eq(i64, first_diff(out, want, n, 8), -1), "threads %d", thread_counts[j]);
        /* REPRODUCIBLE: same bits for every thread count */
        o.order = PSCAN_ORDER_REPRODUCIBLE;
        TU_ASSERT_OK(pscan_cumsum(&ai, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &ao, &o));
        if (j == 0)
            memcpy(first, out, (size_t)n * 8);
        else
            cr_assert(eq(i64, first_diff(out, first, n, 8), -1), "reproducible threads %d",
                      thread_counts[j]);
    }
    free(in);
    free(out);
    free(want);
    free(first);
}

Test(ordering, conversions_in_long_sequential_lanes)
{
    /* int16 in, float32 accumulator, float64 out; and float64 in, float16
     * accumulator, float32 out: each converted on the way in and out */
    enum { N = 100000 };
    int16_t *i16 = tu_malloc(N * 2);
    double *f64 = tu_malloc(N * 8), *o64 = tu_malloc(N * 8);
    float *o32 = tu_malloc(N * 4);
    uint64_t rng = 5;
    for (int i = 0; i < N; ++i) {
        i16[i] = (int16_t)tu_rand_range(&rng, -30000, 30000);
        f64[i] = (tu_rand_unit(&rng) - 0.5) * 3.0;
    }
    const int64_t n = N;
    pscan_array a16 = tu_vec(i16, PSCAN_INT16, &n), a64 = tu_vec(f64, PSCAN_FLOAT64, &n);
    pscan_array ao64 = tu_vec(o64, PSCAN_FLOAT64, &n), ao32 = tu_vec(o32, PSCAN_FLOAT32, &n);
    for (size_t j = 0; j < TU_COUNT(thread_counts); ++j) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.threads = thread_counts[j];
        o.order = PSCAN_ORDER_SEQUENTIAL;
        TU_ASSERT_OK(pscan_cumsum(&a16, 0, PSCAN_FLOAT32, &ao64, &o));
        TU_ASSERT_OK(pscan_cumsum(&a64, 0, PSCAN_FLOAT16, &ao32, &o));
        float facc = 0.0f;
        uint16_t hacc = 0;
        int64_t bad = -1, hbad = -1;
        for (int i = 0; i < N; ++i) {
            facc = i == 0 ? (float)i16[i] : facc + (float)i16[i];
            uint16_t h = tu_half_from_double(f64[i]);
            hacc = i == 0 ? h : tu_half_add(hacc, h);
            if (bad < 0 && tu_dbits(o64[i]) != tu_dbits((double)facc))
                bad = i;
            if (hbad < 0 && tu_fbits(o32[i]) != tu_fbits((float)tu_half_to_double(hacc)))
                hbad = i;
        }
        cr_assert(eq(i64, bad, -1), "int16 -> float32 -> float64, threads %d", thread_counts[j]);
        cr_assert(eq(i64, hbad, -1), "float64 -> float16 -> float32, threads %d", thread_counts[j]);
    }
    free(i16);
    free(f64);
    free(o64);
    free(o32);
}
