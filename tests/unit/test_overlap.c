/*
 * test_overlap.c - out == in (in place) and every other overlap of in and
 * out: the result is always the one computed from an untouched copy of in
 * (numpy copies first).
 */
#include "testutil.h"

static int64_t *alloc_i64(size_t n, uint64_t seed)
{
    int64_t *p = malloc(n * sizeof *p);
    cr_assert(ne(ptr, p, NULL));
    for (size_t i = 0; i < n; ++i)
        p[i] = tu_rand_range(&seed, -1000, 1000);
    return p;
}

Test(overlap, numpy_shift_right_example)
{
    /* x = [1,2,3,4,5]; np.cumsum(x[:-1], out=x[1:]) -> x = [1,1,3,6,10] */
    int64_t x[5] = {1, 2, 3, 4, 5};
    const int64_t n = 4;
    pscan_array in = tu_vec(&x[0], PSCAN_INT64, &n), out = tu_vec(&x[1], PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL));
    const int64_t want[5] = {1, 1, 3, 6, 10};
    tu_assert_i64s(x, want, 5);
}

Test(overlap, numpy_shift_left_example)
{
    /* x = [1,2,3,4,5]; np.cumsum(x[1:], out=x[:-1]) -> x = [2,5,9,14,5] */
    int64_t x[5] = {1, 2, 3, 4, 5};
    const int64_t n = 4;
    pscan_array in = tu_vec(&x[1], PSCAN_INT64, &n), out = tu_vec(&x[0], PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL));
    const int64_t want[5] = {2, 5, 9, 14, 5};
    tu_assert_i64s(x, want, 5);
}

Test(overlap, in_place_1d)
{
    const int64_t sizes[] = {1, 7, 4096, 4097, 20000, 100003};
    for (size_t k = 0; k < TU_COUNT(sizes); ++k) {
        int64_t n = sizes[k];
        int64_t *x = alloc_i64((size_t)n, (uint64_t)k);
        pscan_array a = tu_vec(x, PSCAN_INT64, &n);
        tu_check_cumsum(&a, 0, &a, NULL);
        free(x);
    }
}

Test(overlap, in_place_float64_and_int32)
{
    enum { N = 9000 };
    static double d[N], want[N];
    uint64_t rng = 3;
    for (int i = 0; i < N; ++i)
        d[i] = (double)tu_rand_range(&rng, -50, 50) * 0.5; /* exact sums */
    double s = 0.0;
    for (int i = 0; i < N; ++i)
        want[i] = s = i == 0 ? d[0] : s + d[i];
    const int64_t n = N;
    pscan_array a = tu_vec(d, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &a, NULL));
    tu_assert_dbits(d, want, N);

    /* int32 in place: accumulator int64, each stored value wraps to int32 */
    static int32_t w[N];
    for (int i = 0; i < N; ++i)
        w[i] = 1 << 20;
    pscan_array b = tu_vec(w, PSCAN_INT32, &n);
    TU_ASSERT_OK(pscan_cumsum(&b, 0, PSCAN_DTYPE_DEFAULT, &b, NULL));
    for (int i = 0; i < N; ++i)
        cr_assert(eq(i32, w[i], (int32_t)(uint32_t)((uint64_t)(i + 1) << 20)), "element %d", i);
}

Test(overlap, in_place_2d_every_axis)
{
    const int64_t shapes[][2] = {{300, 50}, {50, 300}, {5000, 2}, {2, 5000}};
    for (size_t k = 0; k < TU_COUNT(shapes); ++k) {
        const int64_t *shape = shapes[k];
        size_t n = (size_t)(shape[0] * shape[1]);
        const int64_t fst[2] = {8, 8 * shape[0]};
        for (int fortran = 0; fortran < 2; ++fortran)
            for (int axis = -2; axis < 2; ++axis) {
                int64_t *x = alloc_i64(n, k * 10 + (uint64_t)axis + 2);
                pscan_array a = tu_arr(x, PSCAN_INT64, 2, shape, fortran ? fst : NULL);
                tu_check_cumsum(&a, axis, &a, NULL);
                free(x);
            }
    }
}

Test(overlap, partial_shift_large)
{
    const int64_t n = 30000;
    const int64_t shifts[] = {1, 3, 4095, 4096, 4099, 12345};
    for (size_t k = 0; k < TU_COUNT(shifts); ++k) {
        int64_t sh = shifts[k];
        int64_t *x = alloc_i64((size_t)(n + sh), k);
        /* out ahead of in (x[:-sh] -> x[sh:]) and behind it */
        pscan_array in = tu_vec(x, PSCAN_INT64, &n), out = tu_vec(x + sh, PSCAN_INT64, &n);
        tu_check_cumsum(&in, 0, &out, NULL);
        pscan_array in2 = tu_vec(x + sh, PSCAN_INT64, &n), out2 = tu_vec(x, PSCAN_INT64, &n);
        tu_check_cumsum(&in2, 0, &out2, NULL);
        free(x);
    }
}

Test(overlap, reversed_out_over_in)
{
    const int64_t sizes[] = {5, 4096, 10001};
    for (size_t k = 0; k < TU_COUNT(sizes); ++k) {
        int64_t n = sizes[k];
        int64_t *x = alloc_i64((size_t)n, 77 + k);
        const int64_t neg = -8;
        pscan_array in = tu_vec(x, PSCAN_INT64, &n),
                    out = tu_arr(x + n - 1, PSCAN_INT64, 1, &n, &neg);
        tu_check_cumsum(&in, 0, &out, NULL);
        free(x);
    }
    int64_t x[5] = {1, 2, 3, 4, 5};
    const int64_t n = 5, neg = -8;
    pscan_array in = tu_vec(x, PSCAN_INT64, &n), out = tu_arr(&x[4], PSCAN_INT64, 1, &n, &neg);
    TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL));
    const int64_t want[5] = {15, 10, 6, 3, 1};
    tu_assert_i64s(x, want, 5);
}

Test(overlap, transposed_out_over_in)
{
    const int64_t sq[] = {3, 64, 100};
    for (size_t k = 0; k < TU_COUNT(sq); ++k) {
        int64_t m = sq[k];
        const int64_t shape[2] = {m, m}, tst[2] = {8, 8 * m};
        for (int axis = 0; axis < 2; ++axis) {
            int64_t *x = alloc_i64((size_t)(m * m), 5 + k);
            pscan_array in = tu_arr(x, PSCAN_INT64, 2, shape, NULL);
            pscan_array out = tu_arr(x, PSCAN_INT64, 2, shape, tst);
            tu_check_cumsum(&in, axis, &out, NULL);
            free(x);
        }
    }
    /* [[1,2],[3,4]] cumsum axis 0 is [[1,2],[4,6]]; stored through the
     * transposed view the memory reads [1,4,2,6] */
    int64_t x[4] = {1, 2, 3, 4};
    const int64_t shape[2] = {2, 2}, tst[2] = {8, 16};
    pscan_array in = tu_arr(x, PSCAN_INT64, 2, shape, NULL),
                out = tu_arr(x, PSCAN_INT64, 2, shape, tst);
    TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL));
    const int64_t want[4] = {1, 4, 2, 6};
    tu_assert_i64s(x, want, 4);
}

Test(overlap, different_element_sizes)
{
    enum { N = 6000 };
    /* int32 in over the first half of a buffer, int64 out over all of it */
    int64_t *buf = alloc_i64(N, 11);
    int32_t *i32 = (int32_t *)(void *)buf;
    uint64_t rng = 9;
    for (int i = 0; i < N; ++i)
        i32[i] = (int32_t)tu_rand_range(&rng, -1000, 1000);
    const int64_t n = N;
    pscan_array in = tu_vec(i32, PSCAN_INT32, &n), out = tu_vec(buf, PSCAN_INT64, &n);
    tu_check_cumsum(&in, 0, &out, NULL);
    /* int64 in, int32 out at the same address (out narrower) */
    int64_t *buf2 = alloc_i64(N, 12);
    pscan_array in2 = tu_vec(buf2, PSCAN_INT64, &n), out2 = tu_vec(buf2, PSCAN_INT32, &n);
    tu_check_cumsum(&in2, 0, &out2, NULL);
    /* int16 in placed at the end of an int64 out */
    int64_t *buf3 = alloc_i64(N, 13);
    int16_t *i16 = (int16_t *)(void *)(buf3 + N) - N;
    pscan_array in3 = tu_vec(i16, PSCAN_INT16, &n), out3 = tu_vec(buf3, PSCAN_INT64, &n);
    tu_check_cumsum(&in3, 0, &out3, NULL);
    free(buf);
    free(buf2);
    free(buf3);
}

Test(overlap, float_in_int_out_same_bytes)
{
    /* f64 [1.5, 2.5, 2.5] in place into an int64 out over the same bytes:
     * [1, 4, 6] (from the untouched floats) */
    union {
        double d[3];
        int64_t i[3];
    } u = {{1.5, 2.5, 2.5}};
    const int64_t n = 3;
    pscan_array in = tu_vec(u.d, PSCAN_FLOAT64, &n), out = tu_vec(u.i, PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL));
    const int64_t want[3] = {1, 4, 6};
    tu_assert_i64s(u.i, want, 3);
}

Test(overlap, float_in_int_out_same_bytes_long)
{
    /* f64 halves scanned into an int64 out over the same bytes, any thread
     * count: out[i] = trunc(sum of the original floats) */
    enum { N = 40000 };
    const int threads[] = {1, 2, 3, 8};
    double *d = malloc(N * 8);
    cr_assert(ne(ptr, d, NULL));
    for (size_t k = 0; k < TU_COUNT(threads); ++k) {
        for (int i = 0; i < N; ++i)
            d[i] = i % 3 == 0 ? 1.5 : 0.25;
        pscan_opts o = PSCAN_OPTS_INIT;
        o.threads = threads[k];
        const int64_t n = N;
        pscan_array in = tu_vec(d, PSCAN_FLOAT64, &n), out = tu_vec(d, PSCAN_INT64, &n);
        TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, &o));
        double s = 0.0;
        int64_t bad = -1, got;
        for (int i = 0; i < N && bad < 0; ++i) {
            s += i % 3 == 0 ? 1.5 : 0.25;
            memcpy(&got, &d[i], 8);
            if (got != (int64_t)s)
                bad = i;
        }
        cr_assert(eq(i64, bad, -1), "threads %d: first wrong element", threads[k]);
    }
    free(d);
}

Test(overlap, flattened_over_own_memory)
{
    /* C-ordered (30, 40) flattened into a 1-D out on the same memory (an
     * in-place scan), and a Fortran-ordered one (a true overlap) */
    const int64_t shape[2] = {30, 40}, n = 1200, fst[2] = {8, 8 * 30};
    for (int fortran = 0; fortran < 2; ++fortran) {
        int64_t *x = alloc_i64(1200, 21 + (uint64_t)fortran);
        pscan_array in = tu_arr(x, PSCAN_INT64, 2, shape, fortran ? fst : NULL);
        pscan_array out = tu_vec(x, PSCAN_INT64, &n);
        tu_check_cumsum(&in, PSCAN_AXIS_NONE, &out, NULL);
        free(x);
    }
}

Test(overlap, broadcast_input_read_after_written)
{
    /* in = x[5] broadcast over n, out = x: out[5] is written before the
     * later reads of in; the result is x5 * (i+1) from the copy */
    enum { N = 9000 };
    int64_t *x = alloc_i64(N, 31);
    x[5] = 3;
    const int64_t n = N, zero = 0;
    pscan_array in = tu_arr(&x[5], PSCAN_INT64, 1, &n, &zero), out = tu_vec(x, PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL));
    for (int i = 0; i < N; ++i)
        cr_assert(eq(i64, x[i], 3 * (int64_t)(i + 1)), "element %d", i);
    free(x);
}

Test(overlap, strided_interleaved)
{
    /* in = x[0::2], out = x[1::2] (disjoint but interleaved), then
     * in = x[0:2n:2], out = x[0:n] (overlapping different strides) */
    enum { N = 7000 };
    int64_t *x = alloc_i64(2 * N, 41);
    const int64_t n = N, st2 = 16;
    pscan_array in = tu_arr(x, PSCAN_INT64, 1, &n, &st2),
                out = tu_arr(x + 1, PSCAN_INT64, 1, &n, &st2);
    tu_check_cumsum(&in, 0, &out, NULL);
    pscan_array out2 = tu_vec(x, PSCAN_INT64, &n);
    tu_check_cumsum(&in, 0, &out2, NULL);
    free(x);
}

Test(overlap, threads_and_sequential_order)
{
    /* the copy semantics hold for every thread count and order */
    const int threads[] = {1, 2, 3, 8};
    const int64_t n = 50000;
    for (size_t k = 0; k < TU_COUNT(threads); ++k)
        for (int order = 0; order < 2; ++order) {
            pscan_opts o = PSCAN_OPTS_INIT;
            o.threads = threads[k];
            o.order = order ? PSCAN_ORDER_SEQUENTIAL : PSCAN_ORDER_REPRODUCIBLE;
            int64_t *x = alloc_i64((size_t)n + 1, 50 + k);
            pscan_array in = tu_vec(x, PSCAN_INT64, &n), out = tu_vec(x + 1, PSCAN_INT64, &n);
            tu_check_cumsum(&in, 0, &out, &o);
            pscan_array a = tu_vec(x, PSCAN_INT64, &n);
            tu_check_cumsum(&a, 0, &a, &o);
            free(x);
        }
}
