/*
 * test_conveniences.c - pscan_cumsum_{i32,i64,u32,u64,f32,f64}: element type
 * accumulator (integers wrap), in == out allowed, other overlaps give
 * numpy's answer, REPRODUCIBLE order (== sequential for n <= 4096).
 */
#include "testutil.h"

/* One generic body per integer type: values, wrap, in place, overlap, n=0,
 * NULL pointers, a long array against a wrapping reference. */
#define DEFINE_INT_CHECK(SUF, T, UT)                                                          \
    static void check_##SUF(T wrap_a, T wrap_b, T wrap_sum)                                   \
    {                                                                                         \
        T in[5] = {1, 2, 3, 4, 5}, out[5];                                                    \
        const T want[5] = {1, 3, 6, 10, 15};                                                  \
        TU_ASSERT_OK(pscan_cumsum_##SUF(in, out, 5));                                         \
        for (int i = 0; i < 5; ++i)                                                           \
            cr_assert(eq(i64, (int64_t)out[i], (int64_t)want[i]), #SUF " element %d", i);     \
        /* wrap in the element type */                                                        \
        T w[2] = {wrap_a, wrap_b}, wo[2];                                                     \
        TU_ASSERT_OK(pscan_cumsum_##SUF(w, wo, 2));                                           \
        cr_assert(eq(i64, (int64_t)wo[0], (int64_t)wrap_a), #SUF " wrap[0]");                 \
        cr_assert(eq(i64, (int64_t)wo[1], (int64_t)wrap_sum), #SUF " wrap[1]");               \
        /* in place */                                                                        \
        TU_ASSERT_OK(pscan_cumsum_##SUF(in, in, 5));                                          \
        for (int i = 0; i < 5; ++i)                                                           \
            cr_assert(eq(i64, (int64_t)in[i], (int64_t)want[i]), #SUF " in place %d", i);     \
        /* numpy's cumsum(x[:-1], out=x[1:]) and cumsum(x[1:], out=x[:-1]) */                 \
        T x[5] = {1, 2, 3, 4, 5}, y[5] = {1, 2, 3, 4, 5};                                     \
        const T wx[5] = {1, 1, 3, 6, 10}, wy[5] = {2, 5, 9, 14, 5};                           \
        TU_ASSERT_OK(pscan_cumsum_##SUF(x, x + 1, 4));                                        \
        TU_ASSERT_OK(pscan_cumsum_##SUF(y + 1, y, 4));                                        \
        for (int i = 0; i < 5; ++i) {                                                         \
            cr_assert(eq(i64, (int64_t)x[i], (int64_t)wx[i]), #SUF " shift right %d", i);     \
            cr_assert(eq(i64, (int64_t)y[i], (int64_t)wy[i]), #SUF " shift left %d", i);      \
        }                                                                                     \
        /* n == 0 writes nothing; NULL with n == 0 is fine; NULL with n > 0 is not */         \
        T keep[1] = {42};                                                                     \
        TU_ASSERT_OK(pscan_cumsum_##SUF(in, keep, 0));                                        \
        cr_assert(eq(i64, (int64_t)keep[0], 42));                                             \
        TU_ASSERT_OK(pscan_cumsum_##SUF(NULL, NULL, 0));                                      \
        cr_assert(eq(int, (int)pscan_cumsum_##SUF(NULL, keep, 1), (int)PSCAN_ENULL));         \
        cr_assert(eq(int, (int)pscan_cumsum_##SUF(in, NULL, 1), (int)PSCAN_ENULL));           \
        cr_assert(eq(i64, (int64_t)keep[0], 42));                                             \
        /* long array, partly in place, against a wrapping reference */                       \
        enum { N = 300007 };                                                                  \
        T *big = malloc(N * sizeof(T)), *bo = malloc(N * sizeof(T));                          \
        cr_assert(all(ne(ptr, big, NULL), ne(ptr, bo, NULL)));                                \
        uint64_t rng = sizeof(T);                                                             \
        for (size_t i = 0; i < N; ++i)                                                        \
            big[i] = (T)tu_rand(&rng);                                                        \
        TU_ASSERT_OK(pscan_cumsum_##SUF(big, bo, N));                                         \
        UT s = 0;                                                                             \
        for (size_t i = 0; i < N; ++i) {                                                      \
            s = (UT)(s + (UT)big[i]);                                                         \
            cr_assert(eq(i64, (int64_t)bo[i], (int64_t)(T)s), #SUF " big element %zu", i);    \
        }                                                                                     \
        TU_ASSERT_OK(pscan_cumsum_##SUF(big, big, N));                                        \
        for (size_t i = 0; i < N; ++i)                                                        \
            cr_assert(eq(i64, (int64_t)big[i], (int64_t)bo[i]), #SUF " big in place %zu", i); \
        free(big);                                                                            \
        free(bo);                                                                             \
    }

DEFINE_INT_CHECK(i32, int32_t, uint32_t)
DEFINE_INT_CHECK(i64, int64_t, uint64_t)
DEFINE_INT_CHECK(u32, uint32_t, uint32_t)
DEFINE_INT_CHECK(u64, uint64_t, uint64_t)

Test(conveniences, cumsum_i32)
{
    check_i32(INT32_MAX, 1, INT32_MIN);
}

Test(conveniences, cumsum_i64)
{
    check_i64(INT64_MAX, 2, INT64_MIN + 1);
}

Test(conveniences, cumsum_u32)
{
    check_u32(UINT32_MAX, 3, 2);
}

Test(conveniences, cumsum_u64)
{
    check_u64(UINT64_MAX - 1, 5, 3);
}

/* Float bodies: exact small values, in place, overlap, NULL, sequential
 * equality for n <= 4096, agreement with pscan_cumsum (same REPRODUCIBLE
 * order, bit for bit) for longer arrays, NaN propagation. */
#define DEFINE_FLOAT_CHECK(SUF, T, DT, BITS, BITS_TAG)                                          \
    static void check_##SUF(void)                                                               \
    {                                                                                           \
        T in[4] = {0.5, 1.5, -3, 2}, out[4];                                                    \
        const T want[4] = {0.5, 2, -1, 1};                                                      \
        TU_ASSERT_OK(pscan_cumsum_##SUF(in, out, 4));                                           \
        for (int i = 0; i < 4; ++i)                                                             \
            cr_assert(eq(BITS_TAG, BITS(out[i]), BITS(want[i])), #SUF " element %d", i);        \
        TU_ASSERT_OK(pscan_cumsum_##SUF(in, in, 4));                                            \
        for (int i = 0; i < 4; ++i)                                                             \
            cr_assert(eq(BITS_TAG, BITS(in[i]), BITS(want[i])), #SUF " in place %d", i);        \
        T x[5] = {1, 2, 3, 4, 5};                                                               \
        const T wx[5] = {1, 1, 3, 6, 10};                                                       \
        TU_ASSERT_OK(pscan_cumsum_##SUF(x, x + 1, 4));                                          \
        for (int i = 0; i < 5; ++i)                                                             \
            cr_assert(eq(BITS_TAG, BITS(x[i]), BITS(wx[i])), #SUF " shift %d", i);              \
        T nz[2] = {(T)-0.0, (T)-0.0};                                                           \
        TU_ASSERT_OK(pscan_cumsum_##SUF(nz, nz, 2));                                            \
        cr_assert(signbit(nz[0]) && signbit(nz[1]), #SUF " -0.0 kept");                         \
        T nanv[3] = {1, (T)NAN, 1};                                                             \
        TU_ASSERT_OK(pscan_cumsum_##SUF(nanv, nanv, 3));                                        \
        cr_assert(eq(dbl, (double)nanv[0], 1.0));                                               \
        cr_assert(isnan(nanv[1]) && isnan(nanv[2]), #SUF " NaN propagates");                    \
        T keep = 42;                                                                            \
        TU_ASSERT_OK(pscan_cumsum_##SUF(NULL, NULL, 0));                                        \
        cr_assert(eq(int, (int)pscan_cumsum_##SUF(NULL, &keep, 1), (int)PSCAN_ENULL));          \
        cr_assert(eq(int, (int)pscan_cumsum_##SUF(&keep, NULL, 1), (int)PSCAN_ENULL));          \
        cr_assert(eq(dbl, (double)keep, 42.0));                                                 \
        /* random values, n <= 4096: bit-identical to the left-to-right loop */                 \
        enum { S = 4096, L = 200003 };                                                          \
        T *r = malloc(L * sizeof(T)), *ro = malloc(L * sizeof(T)), *rc = malloc(L * sizeof(T)); \
        cr_assert(all(ne(ptr, r, NULL), ne(ptr, ro, NULL), ne(ptr, rc, NULL)));                 \
        uint64_t rng = sizeof(T) * 1000;                                                        \
        for (size_t i = 0; i < L; ++i)                                                          \
            r[i] = (T)(tu_rand_unit(&rng) * 2.0 - 0.7);                                         \
        TU_ASSERT_OK(pscan_cumsum_##SUF(r, ro, S));                                             \
        T s = 0;                                                                                \
        for (size_t i = 0; i < S; ++i) {                                                        \
            s = i == 0 ? r[0] : (T)(s + r[i]);                                                  \
            cr_assert(eq(BITS_TAG, BITS(ro[i]), BITS(s)), #SUF " sequential element %zu", i);   \
        }                                                                                       \
        /* long: identical to pscan_cumsum with default options, and in place */                \
        const int64_t n = L;                                                                    \
        pscan_array ai = tu_vec(r, DT, &n), ac = tu_vec(rc, DT, &n);                            \
        TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ac, NULL));                     \
        TU_ASSERT_OK(pscan_cumsum_##SUF(r, ro, L));                                             \
        for (size_t i = 0; i < L; ++i)                                                          \
            cr_assert(eq(BITS_TAG, BITS(ro[i]), BITS(rc[i])), #SUF " long element %zu", i);     \
        TU_ASSERT_OK(pscan_cumsum_##SUF(r, r, L));                                              \
        for (size_t i = 0; i < L; ++i)                                                          \
            cr_assert(eq(BITS_TAG, BITS(r[i]), BITS(rc[i])), #SUF " long in place %zu", i);     \
        free(r);                                                                                \
        free(ro);                                                                               \
        free(rc);                                                                               \
    }

DEFINE_FLOAT_CHECK(f32, float, PSCAN_FLOAT32, tu_fbits, u32)
DEFINE_FLOAT_CHECK(f64, double, PSCAN_FLOAT64, tu_dbits, u64)

Test(conveniences, cumsum_f32)
{
    check_f32();
}

Test(conveniences, cumsum_f64)
{
    check_f64();
}

Test(conveniences, float32_accumulates_in_float32)
{
    /* 2^24 + 1 + 1 in float stays 2^24 (numpy float32 cumsum) */
    float v[3] = {16777216.0f, 1.0f, 1.0f}, o[3];
    TU_ASSERT_OK(pscan_cumsum_f32(v, o, 3));
    cr_assert(eq(flt, o[1], 16777216.0f));
    cr_assert(eq(flt, o[2], 16777216.0f));
}

Test(conveniences, matches_general_entry_point_integers)
{
    enum { N = 70001 };
    static int32_t a[N], b[N];
    static int64_t g[N];
    uint64_t rng = 8;
    for (int i = 0; i < N; ++i)
        a[i] = (int32_t)tu_rand(&rng);
    TU_ASSERT_OK(pscan_cumsum_i32(a, b, N));
    /* the convenience is cumsum(a, dtype=int32): int32 accumulator */
    const int64_t n = N;
    pscan_array ai = tu_vec(a, PSCAN_INT32, &n), ag = tu_vec(g, PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_INT32, &ag, NULL));
    for (int i = 0; i < N; ++i)
        cr_assert(eq(i64, (int64_t)b[i], g[i]), "element %d", i);
}

Test(conveniences, size_overflow)
{
    /* n beyond INT64_MAX elements, or beyond the address space in bytes */
    int64_t a[2] = {5, 6}, b[2] = {-1, -1};
    const size_t huge[] = {SIZE_MAX, (size_t)INT64_MAX + 1, (size_t)1 << 61};
    for (size_t k = 0; k < TU_COUNT(huge); ++k) {
        cr_assert(eq(int, (int)pscan_cumsum_i64(a, b, huge[k]), (int)PSCAN_ESIZE), "n = %zu",
                  huge[k]);
        cr_assert(eq(int,
                     (int)pscan_cumsum_f64((const double *)(void *)a, (double *)(void *)b, huge[k]),
                     (int)PSCAN_ESIZE));
        cr_assert(eq(i64, b[0], -1));
        cr_assert(eq(i64, b[1], -1));
    }
}
