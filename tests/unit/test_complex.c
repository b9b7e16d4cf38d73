/*
 * test_complex.c - complex64 / complex128: componentwise sums, real <->
 * complex conversions, IEEE specials per component, strided complex views.
 */
#include "testutil.h"

typedef struct {
    double re, im;
} cx;

static void put_cx(void *buf, pscan_dtype t, const cx *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        tu_put_f64((unsigned char *)buf + i * tu_size(t), t, v[i].re, v[i].im);
}

static void expect_cx(const void *buf, pscan_dtype t, const cx *want, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        const unsigned char *p = (const unsigned char *)buf + i * tu_size(t);
        double re = tu_get_re(p, t), im = tu_get_im(p, t);
        if (isnan(want[i].re))
            cr_assert(isnan(re), "element %zu real: %g", i, re);
        else
            cr_assert(eq(dbl, re, want[i].re), "element %zu real", i);
        if (isnan(want[i].im))
            cr_assert(isnan(im), "element %zu imag: %g", i, im);
        else
            cr_assert(eq(dbl, im, want[i].im), "element %zu imag", i);
    }
}

static pscan_status scan1(const void *in, pscan_dtype it, void *out, pscan_dtype ot, int64_t n,
                          pscan_dtype acc)
{
    pscan_array ai = tu_vec((void *)(uintptr_t)in, it, &n), ao = tu_vec(out, ot, &n);
    return pscan_cumsum(&ai, 0, acc, &ao, NULL);
}

static _Alignas(16) unsigned char ib[1024], ob[1024];

Test(complex, componentwise_sum)
{
    const cx in[3] = {{1, 2}, {3, -4}, {0.5, 0.25}}, want[3] = {{1, 2}, {4, -2}, {4.5, -1.75}};
    static const pscan_dtype ts[2] = {PSCAN_COMPLEX64, PSCAN_COMPLEX128};
    for (int k = 0; k < 2; ++k) {
        put_cx(ib, ts[k], in, 3);
        TU_ASSERT_OK(scan1(ib, ts[k], ob, ts[k], 3, PSCAN_DTYPE_DEFAULT));
        expect_cx(ob, ts[k], want, 3);
        cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_SUM, ts[k]), (int)ts[k]));
    }
}

Test(complex, complex64_accumulates_in_float)
{
    /* 2^24 + 1 in the real part and 1 + 2^-30 in the imaginary part */
    const cx in[2] = {{16777216.0, 1.0}, {1.0, 0x1p-30}};
    put_cx(ib, PSCAN_COMPLEX64, in, 2);
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX64, ob, PSCAN_COMPLEX128, 2, PSCAN_DTYPE_DEFAULT));
    const cx w64[2] = {{16777216.0, 1.0}, {16777216.0, 1.0}};
    expect_cx(ob, PSCAN_COMPLEX128, w64, 2);
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX64, ob, PSCAN_COMPLEX128, 2, PSCAN_COMPLEX128));
    const cx w128[2] = {{16777216.0, 1.0}, {16777217.0, 1.0 + 0x1p-30}};
    expect_cx(ob, PSCAN_COMPLEX128, w128, 2);
}

Test(complex, real_input_complex_accumulator)
{
    const double in[3] = {1.0, 2.0, 3.5};
    const cx want[3] = {{1, 0}, {3, 0}, {6.5, 0}};
    TU_ASSERT_OK(scan1(in, PSCAN_FLOAT64, ob, PSCAN_COMPLEX128, 3, PSCAN_COMPLEX128));
    expect_cx(ob, PSCAN_COMPLEX128, want, 3);
    TU_ASSERT_OK(scan1(in, PSCAN_FLOAT64, ob, PSCAN_COMPLEX64, 3, PSCAN_COMPLEX64));
    expect_cx(ob, PSCAN_COMPLEX64, want, 3);
    /* real accumulator stored into a complex out: imaginary part 0 */
    TU_ASSERT_OK(scan1(in, PSCAN_FLOAT64, ob, PSCAN_COMPLEX128, 3, PSCAN_DTYPE_DEFAULT));
    expect_cx(ob, PSCAN_COMPLEX128, want, 3);
    const int32_t i32[3] = {-1, 5, 7};
    const cx wi[3] = {{-1, 0}, {4, 0}, {11, 0}};
    TU_ASSERT_OK(scan1(i32, PSCAN_INT32, ob, PSCAN_COMPLEX64, 3, PSCAN_COMPLEX64));
    expect_cx(ob, PSCAN_COMPLEX64, wi, 3);
    const uint8_t b[3] = {1, 0, 1};
    const cx wb[3] = {{1, 0}, {1, 0}, {2, 0}};
    TU_ASSERT_OK(scan1(b, PSCAN_BOOL, ob, PSCAN_COMPLEX128, 3, PSCAN_COMPLEX128));
    expect_cx(ob, PSCAN_COMPLEX128, wb, 3);
}

Test(complex, complex_to_real_takes_real_part)
{
    const cx in[3] = {{1.5, 9}, {2.5, -9}, {2.5, 100}};
    put_cx(ib, PSCAN_COMPLEX128, in, 3);
    /* complex accumulator stored into real outs */
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX128, ob, PSCAN_FLOAT64, 3, PSCAN_DTYPE_DEFAULT));
    const double wf[3] = {1.5, 4.0, 6.5};
    for (int i = 0; i < 3; ++i)
        cr_assert(eq(dbl, tu_get_re(ob + 8 * i, PSCAN_FLOAT64), wf[i]));
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX128, ob, PSCAN_INT64, 3, PSCAN_DTYPE_DEFAULT));
    const int64_t wi[3] = {1, 4, 6};
    for (int i = 0; i < 3; ++i)
        cr_assert(eq(i64, tu_get_i64(ob + 8 * i, PSCAN_INT64), wi[i]));
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX128, ob, PSCAN_FLOAT32, 3, PSCAN_DTYPE_DEFAULT));
    for (int i = 0; i < 3; ++i)
        cr_assert(eq(dbl, tu_get_re(ob + 4 * i, PSCAN_FLOAT32), wf[i]));
    /* real accumulator: each input's real part converted first */
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX128, ob, PSCAN_INT64, 3, PSCAN_INT64));
    const int64_t wi2[3] = {1, 3, 5};
    for (int i = 0; i < 3; ++i)
        cr_assert(eq(i64, tu_get_i64(ob + 8 * i, PSCAN_INT64), wi2[i]));
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX128, ob, PSCAN_FLOAT64, 3, PSCAN_FLOAT64));
    for (int i = 0; i < 3; ++i)
        cr_assert(eq(dbl, tu_get_re(ob + 8 * i, PSCAN_FLOAT64), wf[i]));
}

Test(complex, precision_conversions)
{
    /* complex128 (0.1, 0.2) into complex64 out rounds each component */
    const cx in[1] = {{0.1, 0.2}};
    put_cx(ib, PSCAN_COMPLEX128, in, 1);
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX128, ob, PSCAN_COMPLEX64, 1, PSCAN_DTYPE_DEFAULT));
    float f[2];
    memcpy(f, ob, 8);
    cr_assert(eq(u32, tu_fbits(f[0]), tu_fbits(0.1f)));
    cr_assert(eq(u32, tu_fbits(f[1]), tu_fbits(0.2f)));
    /* complex64 -> complex128 accumulator is exact */
    put_cx(ib, PSCAN_COMPLEX64, in, 1);
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX64, ob, PSCAN_COMPLEX128, 1, PSCAN_COMPLEX128));
    const cx w[1] = {{(double)0.1f, (double)0.2f}};
    expect_cx(ob, PSCAN_COMPLEX128, w, 1);
    /* complex -> float16 out: real part, rounded to half */
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX64, ob, PSCAN_FLOAT16, 1, PSCAN_DTYPE_DEFAULT));
    uint16_t h;
    memcpy(&h, ob, 2);
    cr_assert(eq(u16, h, tu_half_from_double((double)0.1f)));
}

Test(complex, ieee_specials_per_component)
{
    const cx in[3] = {{INFINITY, 0}, {1, NAN}, {1, 1}};
    const cx want[3] = {{INFINITY, 0}, {INFINITY, NAN}, {INFINITY, NAN}};
    const cx in2[2] = {{INFINITY, 1}, {-INFINITY, 1}};
    const cx want2[2] = {{INFINITY, 1}, {NAN, 2}};
    static const pscan_dtype ts[2] = {PSCAN_COMPLEX64, PSCAN_COMPLEX128};
    for (int k = 0; k < 2; ++k) {
        put_cx(ib, ts[k], in, 3);
        TU_ASSERT_OK(scan1(ib, ts[k], ob, ts[k], 3, PSCAN_DTYPE_DEFAULT));
        expect_cx(ob, ts[k], want, 3);
        put_cx(ib, ts[k], in2, 2);
        TU_ASSERT_OK(scan1(ib, ts[k], ob, ts[k], 2, PSCAN_DTYPE_DEFAULT));
        expect_cx(ob, ts[k], want2, 2);
    }
}

Test(complex, strided_views)
{
    /* (rows, cols) complex128 in Fortran order, every other element, scanned
     * along both axes into a reversed-rows out */
    enum { R = 37, C = 23 };
    static double buf[2 * 2 * R * C], out[2 * R * C];
    uint64_t rng = 17;
    for (size_t i = 0; i < TU_COUNT(buf); ++i)
        buf[i] = (double)tu_rand_range(&rng, -50, 50) * 0.25;
    const int64_t shape[2] = {R, C}, ist[2] = {32, 32 * R}, ost[2] = {-16 * C, 16};
    pscan_array ai = tu_arr(buf, PSCAN_COMPLEX128, 2, shape, ist);
    pscan_array ao = tu_arr(&out[2 * (R - 1) * C], PSCAN_COMPLEX128, 2, shape, ost);
    for (int axis = 0; axis < 2; ++axis) {
        TU_ASSERT_OK(pscan_cumsum(&ai, axis, PSCAN_DTYPE_DEFAULT, &ao, NULL));
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) {
                double sre = 0, sim = 0;
                for (int k = 0; k <= (axis == 0 ? r : c); ++k) {
                    int rr = axis == 0 ? k : r, cc = axis == 0 ? c : k;
                    const double *e = &buf[4 * ((size_t)rr + (size_t)cc * R)];
                    sre += e[0];
                    sim += e[1];
                }
                const double *g = &out[2 * ((size_t)(R - 1 - r) * C + (size_t)c)];
                cr_assert(eq(dbl, g[0], sre), "axis %d (%d,%d) real", axis, r, c);
                cr_assert(eq(dbl, g[1], sim), "axis %d (%d,%d) imag", axis, r, c);
            }
    }
}

Test(complex, complex128_with_8_byte_alignment)
{
    /* complex double is 8-byte aligned in C: start the array at an odd double */
    static double buf[2 * 100 + 1], out[2 * 100 + 1];
    for (int i = 0; i < 200; ++i)
        buf[1 + i] = i;
    const int64_t n = 100;
    pscan_array ai = tu_vec(&buf[1], PSCAN_COMPLEX128, &n),
                ao = tu_vec(&out[1], PSCAN_COMPLEX128, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    double sre = 0, sim = 0;
    for (int i = 0; i < 100; ++i) {
        sre += 2 * i;
        sim += 2 * i + 1;
        cr_assert(eq(dbl, out[1 + 2 * i], sre), "element %d", i);
        cr_assert(eq(dbl, out[2 + 2 * i], sim), "element %d", i);
    }
}

Test(complex, imaginary_only_and_to_bool)
{
    const cx in[3] = {{0, 1}, {0, -1}, {0, 0}};
    put_cx(ib, PSCAN_COMPLEX64, in, 3);
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX64, ob, PSCAN_COMPLEX64, 3, PSCAN_DTYPE_DEFAULT));
    const cx want[3] = {{0, 1}, {0, 0}, {0, 0}};
    expect_cx(ob, PSCAN_COMPLEX64, want, 3);
    /* stored as bool: (0,1) true, (0,0) false */
    TU_ASSERT_OK(scan1(ib, PSCAN_COMPLEX64, ob, PSCAN_BOOL, 3, PSCAN_DTYPE_DEFAULT));
    cr_assert(eq(u8, ob[0], 1));
    cr_assert(eq(u8, ob[1], 0));
    cr_assert(eq(u8, ob[2], 0));
}
