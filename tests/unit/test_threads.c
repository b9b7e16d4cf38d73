/*
 * test_threads.c - arrays large enough, and with enough lanes, for the
 * engine to split the work across threads: exact integer results for every
 * thread count, in place and overlapping too; float results that are
 * sequential (SEQUENTIAL) or thread-count and layout independent
 * (REPRODUCIBLE).
 */
#include "testutil.h"

#include <limits.h>

/* thread counts to compare (the context's default, 0, is what every other
 * test file uses) */
static const int some_threads[] = {1, 3, 8};

static void fill_ints(void *buf, pscan_dtype t, int64_t n, uint64_t seed)
{
    size_t es = tu_size(t);
    for (int64_t i = 0; i < n; ++i)
        tu_put_i64((char *)buf + (size_t)i * es, t, tu_rand_range(&seed, -100000, 100000));
}

static pscan_opts opts_with(int threads, pscan_order order)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.order = order;
    return o;
}

/* (rows, cols) C-ordered, every axis, several dtypes of out. */
Test(threads, many_lanes_integers_every_axis)
{
    /* enough elements for 8 threads; PANEL (many columns) and LANES plans */
    const int64_t shapes[][2] = {{150, 4096}, {4096, 150}, {100000, 6}, {6, 100000}};
    for (size_t s = 0; s < TU_COUNT(shapes); ++s) {
        const int64_t *shape = shapes[s];
        int64_t n = shape[0] * shape[1];
        int32_t *in = tu_malloc((size_t)n * 4);
        int64_t *out = tu_malloc((size_t)n * 8);
        fill_ints(in, PSCAN_INT32, n, s);
        pscan_array ai = tu_arr(in, PSCAN_INT32, 2, shape, NULL),
                    ao = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
        for (size_t t = 0; t < TU_COUNT(some_threads); ++t)
            for (int axis = 0; axis < 2; ++axis) {
                pscan_opts o = opts_with(some_threads[t], PSCAN_ORDER_REPRODUCIBLE);
                tu_check_cumsum(&ai, axis, &ao, &o);
            }
        /* float64 out, flattened */
        double *flat = tu_malloc((size_t)n * 8);
        pscan_array af = tu_vec(flat, PSCAN_FLOAT64, &n);
        pscan_opts o = opts_with(3, PSCAN_ORDER_SEQUENTIAL);
        tu_check_cumsum(&ai, PSCAN_AXIS_NONE, &af, &o);
        free(flat);
        free(in);
        free(out);
    }
}

Test(threads, three_dims_fortran_and_strided)
{
    const int64_t shape[3] = {20, 30, 1100}, n = 20 * 30 * 1100;
    int64_t *in = tu_malloc((size_t)n * 8), *out = tu_malloc((size_t)n * 8);
    fill_ints(in, PSCAN_INT64, n, 3);
    /* Fortran strides for in, C order reversed along the last axis for out */
    const int64_t fst[3] = {8, 8 * 20, 8 * 20 * 30}, ost[3] = {8 * 30 * 1100, 8 * 1100, -8};
    pscan_array ai = tu_arr(in, PSCAN_INT64, 3, shape, fst);
    pscan_array ao = tu_arr(out + 1099, PSCAN_INT64, 3, shape, ost);
    for (size_t t = 0; t < TU_COUNT(some_threads); ++t)
        for (int axis = 0; axis < 3; ++axis) {
            pscan_opts o = opts_with(some_threads[t], PSCAN_ORDER_REPRODUCIBLE);
            tu_check_cumsum(&ai, axis, &ao, &o);
        }
    free(in);
    free(out);
}

Test(threads, in_place_and_overlap_many_lanes)
{
    const int64_t shape[2] = {150, 4096}, n = 150 * 4096;
    int64_t *buf = tu_malloc((size_t)(n + 4096) * 8);
    for (size_t t = 1; t < TU_COUNT(some_threads); ++t) /* one thread: see test_overlap.c */
        for (int axis = 0; axis < 2; ++axis) {
            pscan_opts o = opts_with(some_threads[t], PSCAN_ORDER_REPRODUCIBLE);
            fill_ints(buf, PSCAN_INT64, n + 4096, t * 2 + (uint64_t)axis);
            pscan_array a = tu_arr(buf, PSCAN_INT64, 2, shape, NULL);
            tu_check_cumsum(&a, axis, &a, &o);
            /* out one row further on: overlapping, not in place */
            pscan_array b = tu_arr(buf + 4096, PSCAN_INT64, 2, shape, NULL);
            tu_check_cumsum(&a, axis, &b, &o);
            tu_check_cumsum(&b, axis, &a, &o);
        }
    free(buf);
}

/* Float lanes: SEQUENTIAL equals the left-to-right loop per lane and
 * REPRODUCIBLE gives the same bits for every thread count and for the same
 * lanes stored in another layout. */
static void check_float_lanes(int64_t rows, int64_t cols, int axis)
{
    const int64_t n = rows * cols, shape[2] = {rows, cols}, fst[2] = {8, 8 * rows};
    double *in = tu_malloc((size_t)n * 8), *fin = tu_malloc((size_t)n * 8),
           *out = tu_malloc((size_t)n * 8), *ref = tu_malloc((size_t)n * 8),
           *first = tu_malloc((size_t)n * 8);
    uint64_t rng = (uint64_t)(rows * 7 + cols + axis);
    for (int64_t i = 0; i < n; ++i)
        in[i] = (tu_rand_unit(&rng) - 0.4) * ldexp(1.0, (int)tu_rand_range(&rng, -30, 30));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
            fin[r + c * rows] = in[r * cols + c];
    /* left-to-right reference */
    int64_t lanes = axis == 0 ? cols : rows, len = axis == 0 ? rows : cols;
    int64_t step = axis == 0 ? cols : 1, lane_step = axis == 0 ? 1 : cols;
    for (int64_t l = 0; l < lanes; ++l) {
        double acc = 0.0;
        for (int64_t i = 0; i < len; ++i) {
            int64_t k = l * lane_step + i * step;
            acc = i == 0 ? in[k] : acc + in[k];
            ref[k] = acc;
        }
    }
    pscan_array ai = tu_arr(in, PSCAN_FLOAT64, 2, shape, NULL),
                af = tu_arr(fin, PSCAN_FLOAT64, 2, shape, fst);
    pscan_array ao = tu_arr(out, PSCAN_FLOAT64, 2, shape, NULL);
    for (size_t t = 0; t < TU_COUNT(some_threads); ++t) {
        pscan_opts seq = opts_with(some_threads[t], PSCAN_ORDER_SEQUENTIAL);
        TU_ASSERT_OK(pscan_cumsum(&ai, axis, PSCAN_DTYPE_DEFAULT, &ao, &seq));
        int64_t bad = 0;
        while (bad < n && tu_dbits(out[bad]) == tu_dbits(ref[bad]))
            ++bad;
        cr_assert(eq(i64, bad, n), "SEQUENTIAL (%lld,%lld) axis %d threads %d: first wrong element",
                  (long long)rows, (long long)cols, axis, some_threads[t]);
        for (int layout = 0; layout < 2; ++layout) {
            pscan_opts rep = opts_with(some_threads[t], PSCAN_ORDER_REPRODUCIBLE);
            TU_ASSERT_OK(pscan_cumsum(layout ? &af : &ai, axis, PSCAN_DTYPE_DEFAULT, &ao, &rep));
            if (t == 0 && layout == 0) {
                memcpy(first, out, (size_t)n * 8);
                continue;
            }
            bad = 0;
            while (bad < n && tu_dbits(out[bad]) == tu_dbits(first[bad]))
                ++bad;
            cr_assert(eq(i64, bad, n),
                      "REPRODUCIBLE (%lld,%lld) axis %d threads %d %s layout differs at element",
                      (long long)rows, (long long)cols, axis, some_threads[t],
                      layout ? "Fortran" : "C");
        }
    }
    free(in);
    free(fin);
    free(out);
    free(ref);
    free(first);
}

Test(threads, float_lanes_axis0)
{
    check_float_lanes(4500, 1100, 0); /* long lanes, PANEL plan, 3 column chunks */
    check_float_lanes(40000, 6, 0);   /* long lanes, one per thread */
}

Test(threads, float_lanes_axis1)
{
    check_float_lanes(100, 9000, 1);
    check_float_lanes(6, 40000, 1);
}

/* opts.threads may be any positive int: every path starts no more threads
 * than its work can use (OpenMP ends the process when it cannot start the
 * threads asked for; 100000 did here), and the results are those of one
 * thread. */
Test(threads, any_thread_count_is_capped_by_the_work)
{
    const int huge[] = {100000, INT_MAX};
    for (size_t h = 0; h < TU_COUNT(huge); ++h) {
        /* the overflow check over 300000 lanes of 2 */
        const int64_t lanes_shape[2] = {300000, 2}, n = lanes_shape[0] * lanes_shape[1];
        int8_t *ones = tu_malloc((size_t)n);
        int8_t *sums = tu_malloc((size_t)n);
        memset(ones, 1, (size_t)n);
        pscan_array ai = tu_arr(ones, PSCAN_INT8, 2, lanes_shape, NULL);
        pscan_array ao = tu_arr(sums, PSCAN_INT8, 2, lanes_shape, NULL);
        pscan_opts o = opts_with(huge[h], PSCAN_ORDER_REPRODUCIBLE);
        o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
        TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_INT8, &ao, &o));
        for (int64_t i = 0; i < n; ++i)
            cr_assert(eq(i8, sums[i], (int8_t)(i % 2 + 1)));
        free(ones);
        free(sums);

        /* a long float lane, and a float image over both axes */
        const int64_t len = 1 << 18, image[2] = {512, 512};
        double *x = tu_malloc((size_t)len * 8), *want = tu_malloc((size_t)len * 8),
               *got = tu_malloc((size_t)len * 8);
        uint64_t seed = 7;
        for (int64_t i = 0; i < len; ++i)
            x[i] = tu_rand_unit(&seed) - 0.5;
        pscan_array xi = tu_vec(x, PSCAN_FLOAT64, &len), wo = tu_vec(want, PSCAN_FLOAT64, &len),
                    go = tu_vec(got, PSCAN_FLOAT64, &len);
        pscan_opts one = opts_with(1, PSCAN_ORDER_REPRODUCIBLE),
                   many = opts_with(huge[h], PSCAN_ORDER_REPRODUCIBLE);
        TU_ASSERT_OK(pscan_cumsum(&xi, 0, PSCAN_DTYPE_DEFAULT, &wo, &one));
        TU_ASSERT_OK(pscan_cumsum(&xi, 0, PSCAN_DTYPE_DEFAULT, &go, &many));
        tu_assert_dbits(got, want, (size_t)len);
        const int axes[2] = {0, 1};
        pscan_array xa = tu_arr(x, PSCAN_FLOAT64, 2, image, NULL),
                    wa = tu_arr(want, PSCAN_FLOAT64, 2, image, NULL),
                    ga = tu_arr(got, PSCAN_FLOAT64, 2, image, NULL);
        TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &xa, 2, axes, PSCAN_DTYPE_DEFAULT, &wa, &one));
        TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &xa, 2, axes, PSCAN_DTYPE_DEFAULT, &ga, &many));
        tu_assert_dbits(got, want, (size_t)len);
        free(x);
        free(want);
        free(got);

        /* first-touch memory */
        void *memory = NULL;
        TU_ASSERT_OK(pscan_alloc((size_t)1 << 22, &many, &memory));
        const unsigned char *bytes = memory;
        for (size_t i = 0; i < (size_t)1 << 22; i += 4096)
            cr_assert(eq(u8, bytes[i], 0));
        pscan_free(memory);
    }
}
