/*
 * test_float16.c - IEEE binary16 (stored as uint16_t bits). numpy rounds the
 * running value to half after every add; expected values come from the
 * independent codec in testutil.h (decode exactly, round by binary search).
 */
#include "testutil.h"

static pscan_status scan_h(const uint16_t *in, void *out, int64_t n, pscan_dtype acc,
                           pscan_dtype out_t, pscan_order order)
{
    pscan_array ai = tu_vec((void *)(uintptr_t)in, PSCAN_FLOAT16, &n);
    pscan_array ao = tu_vec(out, out_t, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = order;
    return pscan_cumsum(&ai, 0, acc, &ao, &o);
}

/* Reference: half accumulator, rounded after every add. */
static void ref_half_cumsum(const uint16_t *in, uint16_t *out, size_t n)
{
    uint16_t acc = 0;
    for (size_t i = 0; i < n; ++i)
        out[i] = acc = i == 0 ? in[0] : tu_half_add(acc, in[i]);
}

static void assert_half_bits(const uint16_t *got, const uint16_t *want, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        if ((want[i] & 0x7c00) == 0x7c00 && (want[i] & 0x3ff)) /* NaN: any NaN */
            cr_assert(isnan(tu_half_to_double(got[i])), "element %zu: 0x%04x is not NaN", i,
                      (unsigned)got[i]);
        else
            cr_assert(eq(u16, got[i], want[i]), "element %zu: got 0x%04x (%g) want 0x%04x (%g)", i,
                      (unsigned)got[i], tu_half_to_double(got[i]), (unsigned)want[i],
                      tu_half_to_double(want[i]));
    }
}

Test(float16, reference_codec_self_check)
{
    /* literals from numpy: float16(0.1) = 0x2e66, 65504 = 0x7bff */
    cr_assert(eq(u16, tu_half_from_double(0.1), 0x2e66));
    cr_assert(eq(u16, tu_half_from_double(65504.0), 0x7bff));
    cr_assert(eq(u16, tu_half_from_double(65519.0), 0x7bff));
    cr_assert(eq(u16, tu_half_from_double(65520.0), 0x7c00));
    cr_assert(eq(u16, tu_half_from_double(0x1p-25), 0x0000));
    cr_assert(eq(u16, tu_half_from_double(0x1p-25 * 3.0), 0x0002));
    cr_assert(eq(u16, tu_half_from_double(256.0), 0x5c00));
    cr_assert(eq(u16, tu_half_from_double(-2.0), 0xc000));
    for (unsigned b = 0; b < 0x10000u; ++b) {
        uint16_t h = (uint16_t)b;
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
            continue;
        cr_assert(eq(u16, tu_half_from_double(tu_half_to_double(h)), h));
    }
}

Test(float16, cumsum_of_tenths_stalls_at_256)
{
    enum { N = 3000 };
    static uint16_t in[N], out[N], want[N];
    for (int i = 0; i < N; ++i)
        in[i] = 0x2e66; /* float16(0.1) */
    ref_half_cumsum(in, want, N);
    cr_assert(eq(u16, want[N - 1], 0x5c00)); /* 256.0, as numpy */
    const pscan_order orders[2] = {PSCAN_ORDER_SEQUENTIAL, PSCAN_ORDER_REPRODUCIBLE};
    for (int k = 0; k < 2; ++k) {
        tu_fill_sentinel(out, sizeof out);
        TU_ASSERT_OK(scan_h(in, out, N, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, orders[k]));
        assert_half_bits(out, want, N);
        cr_assert(eq(u16, out[N - 1], 0x5c00));
    }
    /* explicit float16 accumulator and NULL opts */
    const int64_t n = N;
    pscan_array ai = tu_vec(in, PSCAN_FLOAT16, &n), ao = tu_vec(out, PSCAN_FLOAT16, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_FLOAT16, &ao, NULL));
    assert_half_bits(out, want, N);
}

Test(float16, ties_round_to_even)
{
    /* spacing is 2 at 2048: 2048+1 ties to 2048, 2050+1 ties to 2052 */
    const uint16_t a[4] = {tu_half_from_double(2048), 0x3c00, 0x3c00, 0x3c00};
    const uint16_t b[3] = {tu_half_from_double(2050), 0x3c00, 0x3c00};
    uint16_t out[4];
    TU_ASSERT_OK(scan_h(a, out, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, PSCAN_ORDER_REPRODUCIBLE));
    for (int i = 0; i < 4; ++i)
        cr_assert(eq(dbl, tu_half_to_double(out[i]), 2048.0), "a[%d]", i);
    TU_ASSERT_OK(scan_h(b, out, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, PSCAN_ORDER_REPRODUCIBLE));
    const double wb[3] = {2050.0, 2052.0, 2052.0};
    for (int i = 0; i < 3; ++i)
        cr_assert(eq(dbl, tu_half_to_double(out[i]), wb[i]), "b[%d]", i);
}

/* Random halves of mixed magnitudes and signs, subnormals included. */
static void random_halves(uint16_t *h, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; ++i) {
        uint16_t b;
        do {
            b = (uint16_t)tu_rand(&seed);
            /* keep finite and mostly moderate: exponents 0..22 */
        } while (((b >> 10) & 0x1f) > 22);
        h[i] = b;
    }
}

Test(float16, random_values_match_reference)
{
    enum { N = 4000 };
    static uint16_t in[N], out[N], want[N];
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        random_halves(in, N, seed);
        ref_half_cumsum(in, want, N);
        TU_ASSERT_OK(
            scan_h(in, out, N, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, PSCAN_ORDER_SEQUENTIAL));
        assert_half_bits(out, want, N);
        TU_ASSERT_OK(
            scan_h(in, out, N, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, PSCAN_ORDER_REPRODUCIBLE));
        assert_half_bits(out, want, N);
    }
}

Test(float16, overflow_to_inf_and_nan)
{
    /* 60000 + 60000 -> inf; inf + -inf -> NaN; stays NaN */
    const uint16_t in[4] = {tu_half_from_double(60000), tu_half_from_double(60000), 0xfc00, 0x3c00};
    uint16_t out[4];
    TU_ASSERT_OK(scan_h(in, out, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, PSCAN_ORDER_REPRODUCIBLE));
    cr_assert(eq(u16, out[0], in[0]));
    cr_assert(eq(u16, out[1], 0x7c00));
    cr_assert(isnan(tu_half_to_double(out[2])));
    cr_assert(isnan(tu_half_to_double(out[3])));
}

Test(float16, wider_accumulators)
{
    enum { N = 2000 };
    static uint16_t in[N];
    static float out32[N];
    static double out64[N];
    random_halves(in, N, 99);
    /* float32 accumulator: halves convert exactly, sums round to float */
    TU_ASSERT_OK(scan_h(in, out32, N, PSCAN_FLOAT32, PSCAN_FLOAT32, PSCAN_ORDER_REPRODUCIBLE));
    float s = 0.0f;
    for (int i = 0; i < N; ++i) {
        float x = (float)tu_half_to_double(in[i]);
        s = i == 0 ? x : s + x;
        cr_assert(eq(u32, tu_fbits(out32[i]), tu_fbits(s)), "f32 element %d", i);
    }
    TU_ASSERT_OK(scan_h(in, out64, N, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_ORDER_REPRODUCIBLE));
    double d = 0.0;
    for (int i = 0; i < N; ++i) {
        double x = tu_half_to_double(in[i]);
        d = i == 0 ? x : d + x;
        cr_assert(eq(u64, tu_dbits(out64[i]), tu_dbits(d)), "f64 element %d", i);
    }
    /* float64 accumulator stored into a half out: rounded once at the end */
    static uint16_t outh[N];
    TU_ASSERT_OK(scan_h(in, outh, N, PSCAN_FLOAT64, PSCAN_FLOAT16, PSCAN_ORDER_REPRODUCIBLE));
    d = 0.0;
    for (int i = 0; i < N; ++i) {
        d = i == 0 ? tu_half_to_double(in[i]) : d + tu_half_to_double(in[i]);
        cr_assert(eq(u16, outh[i], tu_half_from_double(d)), "f64 acc -> half out element %d", i);
    }
}

Test(float16, every_half_converts_exactly)
{
    /* all 65536 patterns as 1-element lanes: half -> float32/64 is exact,
     * and half -> half through a float64 accumulator round-trips */
    enum { N = 65536 };
    static uint16_t in[N], back[N];
    static float f32[N];
    static double f64[N];
    for (int i = 0; i < N; ++i)
        in[i] = (uint16_t)i;
    const int64_t shape[2] = {N, 1};
    pscan_array ai = tu_arr(in, PSCAN_FLOAT16, 2, shape, NULL);
    pscan_array a32 = tu_arr(f32, PSCAN_FLOAT32, 2, shape, NULL);
    pscan_array a64 = tu_arr(f64, PSCAN_FLOAT64, 2, shape, NULL);
    pscan_array ah = tu_arr(back, PSCAN_FLOAT16, 2, shape, NULL);
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_FLOAT32, &a32, NULL));
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_FLOAT64, &a64, NULL));
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_FLOAT64, &ah, NULL));
    for (int i = 0; i < N; ++i) {
        double v = tu_half_to_double(in[i]);
        if (isnan(v)) {
            cr_assert(isnan(f32[i]), "0x%04x", (unsigned)i);
            cr_assert(isnan(f64[i]), "0x%04x", (unsigned)i);
            cr_assert(isnan(tu_half_to_double(back[i])), "0x%04x", (unsigned)i);
        } else {
            cr_assert(eq(u32, tu_fbits(f32[i]), tu_fbits((float)v)), "0x%04x", (unsigned)i);
            cr_assert(eq(u64, tu_dbits(f64[i]), tu_dbits(v)), "0x%04x", (unsigned)i);
            cr_assert(eq(u16, back[i], in[i]), "0x%04x", (unsigned)i);
        }
    }
}

Test(float16, float64_to_half_rounding)
{
    static const double v[] = {0.1,          -0.1,
                               1.0 / 3.0,    65504.0,
                               65519.0,      65520.0,
                               -65520.0,     1e6,
                               1e-8,         3e-8,
                               0x1p-25,      0x1p-25 * 3.0,
                               0x1p-14,      0x1p-14 - 0x1p-25,
                               2049.0,       2051.0,
                               -0.0,         INFINITY,
                               -INFINITY,    1.00048828125 /* 1 + 2^-11: tie to 1 */,
                               1.00146484375 /* tie up */};
    enum { N = sizeof v / sizeof v[0] };
    uint16_t out[N], out2[N];
    const int64_t shape[2] = {N, 1};
    pscan_array ai = tu_arr((void *)(uintptr_t)v, PSCAN_FLOAT64, 2, shape, NULL);
    pscan_array ao = tu_arr(out, PSCAN_FLOAT16, 2, shape, NULL);
    pscan_array ao2 = tu_arr(out2, PSCAN_FLOAT16, 2, shape, NULL);
    /* on store (float64 accumulator) and on input (half accumulator) */
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    TU_ASSERT_OK(pscan_cumsum(&ai, -1, PSCAN_FLOAT16, &ao2, NULL));
    for (int i = 0; i < N; ++i) {
        cr_assert(eq(u16, out[i], tu_half_from_double(v[i])), "%a", v[i]);
        cr_assert(eq(u16, out2[i], tu_half_from_double(v[i])), "%a (half accumulator)", v[i]);
    }
    /* a few literals (numpy's astype(float16)) */
    cr_assert(eq(u16, out[4], 0x7bff));
    cr_assert(eq(u16, out[5], 0x7c00));
    cr_assert(eq(u16, out[6], 0xfc00));
    cr_assert(eq(u16, out[8], 0x0000));
    cr_assert(eq(u16, out[9], 0x0001));
    cr_assert(eq(u16, out[16], 0x8000));
    /* NaN becomes a half NaN */
    const double nan1 = NAN;
    const int64_t one = 1;
    uint16_t h;
    pscan_array an = tu_vec((void *)(uintptr_t)&nan1, PSCAN_FLOAT64, &one);
    pscan_array ahn = tu_vec(&h, PSCAN_FLOAT16, &one);
    TU_ASSERT_OK(pscan_cumsum(&an, 0, PSCAN_DTYPE_DEFAULT, &ahn, NULL));
    cr_assert(isnan(tu_half_to_double(h)));
}

Test(float16, integer_input_to_half)
{
    /* int64 values beyond 65504 overflow to inf, 2049 ties to 2048 */
    const int64_t v[6] = {70000, -70000, 65519, 2049, 2051, 1};
    enum { N = 6 };
    uint16_t out[N];
    const int64_t shape[2] = {N, 1};
    pscan_array ai = tu_arr((void *)(uintptr_t)v, PSCAN_INT64, 2, shape, NULL);
    pscan_array ao = tu_arr(out, PSCAN_FLOAT16, 2, shape, NULL);
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_FLOAT16, &ao, NULL));
    const uint16_t want[N] = {
        0x7c00, 0xfc00, 0x7bff, tu_half_from_double(2048), tu_half_from_double(2052), 0x3c00};
    assert_half_bits(out, want, N);
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    assert_half_bits(out, want, N);
}

Test(float16, half_to_integer)
{
    const uint16_t in[6] = {0x7c00,
                            0xfc00,
                            0x7e00,
                            tu_half_from_double(-2.5),
                            tu_half_from_double(300.0),
                            tu_half_from_double(65504.0)};
    enum { N = 6 };
    const int64_t shape[2] = {N, 1};
    int32_t o32[N];
    uint8_t o8[N];
    pscan_array ai = tu_arr((void *)(uintptr_t)in, PSCAN_FLOAT16, 2, shape, NULL);
    pscan_array a32 = tu_arr(o32, PSCAN_INT32, 2, shape, NULL);
    pscan_array a8 = tu_arr(o8, PSCAN_UINT8, 2, shape, NULL);
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_DTYPE_DEFAULT, &a32, NULL));
    const int32_t w32[N] = {INT32_MAX, INT32_MIN, 0, -2, 300, 65504};
    for (int i = 0; i < N; ++i)
        cr_assert(eq(i32, o32[i], w32[i]), "int32 element %d", i);
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_UINT8, &a8, NULL));
    const uint8_t w8[N] = {255, 0, 0, 0, 255, 255};
    for (int i = 0; i < N; ++i)
        cr_assert(eq(u8, o8[i], w8[i]), "uint8 element %d", i);
}

Test(float16, strided_two_dimensional)
{
    /* (40, 50) halves, scanned along each axis through a transposed view */
    enum { R = 40, C = 50 };
    static uint16_t in[R * C], out[R * C], want[R * C];
    random_halves(in, R * C, 7);
    /* view in as its transpose (C, R) with strides {2, 2*C} */
    const int64_t shape[2] = {C, R}, st[2] = {2, 2 * C};
    pscan_array ai = tu_arr(in, PSCAN_FLOAT16, 2, shape, st);
    pscan_array ao = tu_arr(out, PSCAN_FLOAT16, 2, shape, NULL);
    TU_ASSERT_OK(pscan_cumsum(&ai, 1, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    /* row j of the transpose is column j of in */
    for (int j = 0; j < C; ++j) {
        uint16_t col[R];
        for (int i = 0; i < R; ++i)
            col[i] = in[i * C + j];
        ref_half_cumsum(col, want + j * R, R);
    }
    assert_half_bits(out, want, R * C);
}
