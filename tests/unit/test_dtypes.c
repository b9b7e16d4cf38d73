/*
 * test_dtypes.c - the 14 dtypes as input, as accumulator and as out; the
 * default accumulator rule; conversions (wrap, truncation, saturation, NaN,
 * bool, complex -> real); dtype metadata.
 */
#include <float.h>

#include "testutil.h"

#define NDT 14
#define MAXN 64

static pscan_dtype dt_of(int i)
{
    return (pscan_dtype)(PSCAN_BOOL + i);
}

static _Alignas(16) unsigned char inbuf[MAXN * 16];
static _Alignas(16) unsigned char outbuf[MAXN * 16 + 64];

static void fill_i64(pscan_dtype t, const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        tu_put_i64(inbuf + i * tu_size(t), t, v[i]);
}

static void fill_f64(pscan_dtype t, const double *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        tu_put_f64(inbuf + i * tu_size(t), t, v[i], 0.0);
}

/* 1-D contiguous scan of inbuf into outbuf. */
static pscan_status run(pscan_dtype in_t, size_t n, pscan_dtype acc, pscan_dtype out_t)
{
    const int64_t len = (int64_t)n;
    pscan_array in = tu_vec(inbuf, in_t, &len), out = tu_vec(outbuf, out_t, &len);
    tu_fill_sentinel(outbuf, sizeof outbuf);
    return pscan_cumsum(&in, 0, acc, &out, NULL);
}

/* n lanes of one element each: out[i] = convert(convert(in[i] -> acc) -> out). */
static pscan_status run_lanes(pscan_dtype in_t, size_t n, pscan_dtype acc, pscan_dtype out_t)
{
    const int64_t shape[2] = {(int64_t)n, 1};
    pscan_array in = tu_arr(inbuf, in_t, 2, shape, NULL),
                out = tu_arr(outbuf, out_t, 2, shape, NULL);
    tu_fill_sentinel(outbuf, sizeof outbuf);
    return pscan_cumsum(&in, 1, acc, &out, NULL);
}

static void expect_re(pscan_dtype t, const double *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i) {
        const unsigned char *p = outbuf + i * tu_size(t);
        cr_assert(eq(dbl, tu_get_re(p, t), want[i]), "%s: out %s element %zu", what,
                  pscan_dtype_name(t), i);
        cr_assert(eq(dbl, tu_get_im(p, t), 0.0), "%s: out %s element %zu imag", what,
                  pscan_dtype_name(t), i);
    }
    /* nothing past the end */
    for (size_t b = n * tu_size(t); b < sizeof outbuf; ++b)
        cr_assert(eq(u8, outbuf[b], tu_sentinel_byte(b)), "%s: byte %zu past the end", what, b);
}

static void expect_i64(pscan_dtype t, const int64_t *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(eq(i64, tu_get_i64(outbuf + i * tu_size(t), t), want[i]),
                  "%s: out %s element %zu", what, pscan_dtype_name(t), i);
}

/* ------------------------------------------------------------ metadata */

Test(dtypes, default_accumulator_rule)
{
    static const pscan_dtype sum_acc[NDT] = {
        PSCAN_INT64,   PSCAN_INT64,   PSCAN_INT64,     PSCAN_INT64,     PSCAN_INT64,
        PSCAN_UINT64,  PSCAN_UINT64,  PSCAN_UINT64,    PSCAN_UINT64,    PSCAN_FLOAT16,
        PSCAN_FLOAT32, PSCAN_FLOAT64, PSCAN_COMPLEX64, PSCAN_COMPLEX128};
    for (int i = 0; i < NDT; ++i) {
        pscan_dtype t = dt_of(i);
        cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_SUM, t), (int)sum_acc[i]), "%d", i);
        cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_PROD, t), (int)sum_acc[i]), "%d", i);
        cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_MAX, t), (int)t), "%d", i);
        cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_MIN, t), (int)t), "%d", i);
    }
    cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_SUM, PSCAN_DTYPE_DEFAULT),
                 (int)PSCAN_DTYPE_DEFAULT));
    cr_assert(
        eq(int, (int)pscan_default_dtype(PSCAN_SUM, PSCAN_DTYPE_COUNT), (int)PSCAN_DTYPE_DEFAULT));
    cr_assert(
        eq(int, (int)pscan_default_dtype(PSCAN_SUM, (pscan_dtype)-1), (int)PSCAN_DTYPE_DEFAULT));
    cr_assert(
        eq(int, (int)pscan_default_dtype(PSCAN_OP_COUNT, PSCAN_INT8), (int)PSCAN_DTYPE_DEFAULT));
    cr_assert(
        eq(int, (int)pscan_default_dtype((pscan_op)-1, PSCAN_INT8), (int)PSCAN_DTYPE_DEFAULT));
}

Test(dtypes, names_and_sizes)
{
    static const char *const names[NDT] = {
        "bool",   "int8",   "int16",   "int32",   "int64",   "uint8",     "uint16",
        "uint32", "uint64", "float16", "float32", "float64", "complex64", "complex128"};
    static const size_t sizes[NDT] = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 8, 16};
    for (int i = 0; i < NDT; ++i) {
        cr_assert(eq(str, (char *)pscan_dtype_name(dt_of(i)), (char *)names[i]));
        cr_assert(eq(sz, pscan_dtype_size(dt_of(i)), sizes[i]));
    }
    cr_assert(eq(str, (char *)pscan_dtype_name(PSCAN_DTYPE_DEFAULT), "default"));
    cr_assert(eq(str, (char *)pscan_dtype_name(PSCAN_DTYPE_COUNT), "invalid"));
    cr_assert(eq(str, (char *)pscan_dtype_name((pscan_dtype)-1), "invalid"));
    cr_assert(eq(sz, pscan_dtype_size(PSCAN_DTYPE_DEFAULT), (size_t)0));
    cr_assert(eq(sz, pscan_dtype_size(PSCAN_DTYPE_COUNT), (size_t)0));
    cr_assert(eq(sz, pscan_dtype_size((pscan_dtype)-1), (size_t)0));
    cr_assert(eq(str, (char *)pscan_version(), PSCAN_VERSION_STRING));
}

/* ------------------------------------------------- each dtype as input */

Test(dtypes, every_dtype_as_input_default_accumulator)
{
    static const int64_t vals[5] = {1, 2, 3, 4, 5}, bvals[5] = {1, 0, 1, 1, 0};
    static const double sums[5] = {1, 3, 6, 10, 15}, bsums[5] = {1, 1, 2, 3, 3};
    for (int i = 0; i < NDT; ++i) {
        pscan_dtype t = dt_of(i), acc = pscan_default_dtype(PSCAN_SUM, t);
        int isbool = t == PSCAN_BOOL;
        fill_i64(t, isbool ? bvals : vals, 5);
        TU_ASSERT_OK(run(t, 5, PSCAN_DTYPE_DEFAULT, acc));
        expect_re(acc, isbool ? bsums : sums, 5, "default acc");
        /* out of the input's own type (numpy: cumsum(x, out=empty_like(x))) */
        TU_ASSERT_OK(run(t, 5, PSCAN_DTYPE_DEFAULT, t));
        static const double ones[5] = {1, 1, 1, 1, 1};
        expect_re(t, isbool ? ones : sums, 5, "out = in type");
    }
}

Test(dtypes, default_accumulator_is_wide)
{
    /* int32: 2e9 + 2e9 needs int64 */
    const int64_t a[2] = {2000000000, 2000000000}, wa[2] = {2000000000, 4000000000};
    fill_i64(PSCAN_INT32, a, 2);
    TU_ASSERT_OK(run(PSCAN_INT32, 2, PSCAN_DTYPE_DEFAULT, PSCAN_INT64));
    expect_i64(PSCAN_INT64, wa, 2, "int32");
    /* uint32: 4e9 + 4e9 needs uint64 */
    const int64_t b[2] = {4000000000, 4000000000}, wb[2] = {4000000000, 8000000000};
    fill_i64(PSCAN_UINT32, b, 2);
    TU_ASSERT_OK(run(PSCAN_UINT32, 2, PSCAN_DTYPE_DEFAULT, PSCAN_UINT64));
    expect_i64(PSCAN_UINT64, wb, 2, "uint32");
    /* int8 default accumulator is int64 even when out is int8: the running
     * value does not wrap, only the stored one does */
    const int64_t c[3] = {100, 100, -100}, wc_out8[3] = {100, -56, 100};
    fill_i64(PSCAN_INT8, c, 3);
    TU_ASSERT_OK(run(PSCAN_INT8, 3, PSCAN_DTYPE_DEFAULT, PSCAN_INT8));
    expect_i64(PSCAN_INT8, wc_out8, 3, "int8 -> int8 out");
}

Test(dtypes, bool_input_counts_past_255)
{
    enum { N = 300 };
    uint8_t in[N];
    int64_t out[N];
    memset(in, 1, sizeof in);
    const int64_t n = N;
    pscan_array ai = tu_vec(in, PSCAN_BOOL, &n), ao = tu_vec(out, PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    for (int i = 0; i < N; ++i)
        cr_assert(eq(i64, out[i], i + 1));
    uint16_t u16in[N];
    uint64_t u64out[N];
    for (int i = 0; i < N; ++i)
        u16in[i] = 60000;
    ai = tu_vec(u16in, PSCAN_UINT16, &n);
    ao = tu_vec(u64out, PSCAN_UINT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    for (int i = 0; i < N; ++i)
        cr_assert(eq(u64, u64out[i], (uint64_t)60000 * (uint64_t)(i + 1)));
}

/* ------------------------------------------- each dtype as accumulator */

Test(dtypes, every_dtype_as_accumulator_from_float64)
{
    /* numpy: cumsum([1.5, 2.5, 0.25, 3.75], dtype=T) */
    static const double in[4] = {1.5, 2.5, 0.25, 3.75};
    static const double as_int[4] = {1, 3, 3, 6}, as_float[4] = {1.5, 4, 4.25, 8},
                        as_bool[4] = {1, 1, 1, 1};
    for (int i = 0; i < NDT; ++i) {
        pscan_dtype acc = dt_of(i);
        const double *want = acc == PSCAN_BOOL ? as_bool : tu_is_int(acc) ? as_int : as_float;
        fill_f64(PSCAN_FLOAT64, in, 4);
        TU_ASSERT_OK(run(PSCAN_FLOAT64, 4, acc, PSCAN_FLOAT64));
        expect_re(PSCAN_FLOAT64, want, 4, pscan_dtype_name(acc));
        /* and stored in the accumulator's own type */
        TU_ASSERT_OK(run(PSCAN_FLOAT64, 4, acc, acc));
        expect_re(acc, want, 4, pscan_dtype_name(acc));
    }
}

Test(dtypes, every_dtype_as_accumulator_from_each_input)
{
    /* small positive integers: every in x acc pair gives 1,3,6,10 (bool
     * accumulator: all true; bool input: 1,0,1,1 -> 1,1,2,3) */
    static const int64_t vals[4] = {1, 2, 3, 4}, bvals[4] = {1, 0, 1, 1};
    static const double sums[4] = {1, 3, 6, 10}, bsums[4] = {1, 1, 2, 3}, ones[4] = {1, 1, 1, 1};
    for (int i = 0; i < NDT; ++i)
        for (int a = 0; a < NDT; ++a) {
            pscan_dtype t = dt_of(i), acc = dt_of(a);
            fill_i64(t, t == PSCAN_BOOL ? bvals : vals, 4);
            TU_ASSERT_OK(run(t, 4, acc, PSCAN_FLOAT64));
            const double *want = acc == PSCAN_BOOL ? ones : t == PSCAN_BOOL ? bsums : sums;
            expect_re(PSCAN_FLOAT64, want, 4, pscan_dtype_name(acc));
        }
}

/* -------------------------------------------------- each dtype as out */

Test(dtypes, every_dtype_as_out)
{
    static const int64_t vals[4] = {1, 2, 3, 4};
    static const double sums[4] = {1, 3, 6, 10}, ones[4] = {1, 1, 1, 1};
    for (int o = 0; o < NDT; ++o) {
        pscan_dtype out_t = dt_of(o);
        for (int i = 0; i < NDT; ++i) {
            pscan_dtype t = dt_of(i);
            if (t == PSCAN_BOOL)
                continue;
            fill_i64(t, vals, 4);
            TU_ASSERT_OK(run(t, 4, PSCAN_DTYPE_DEFAULT, out_t));
            expect_re(out_t, out_t == PSCAN_BOOL ? ones : sums, 4, pscan_dtype_name(t));
        }
    }
}

Test(dtypes, float_sums_into_every_out)
{
    /* f64 accumulator [0.5, 1.5, -1.5, 0.5, 0.0] stored in each type:
     * truncation toward zero, negative -> 0 for unsigned (saturation),
     * x != 0 for bool */
    static const double in[5] = {0.5, 1.0, -3.0, 2.0, -0.5};
    static const double fl[5] = {0.5, 1.5, -1.5, 0.5, 0.0};
    static const double si[5] = {0, 1, -1, 0, 0}, ui[5] = {0, 1, 0, 0, 0}, bo[5] = {1, 1, 1, 1, 0};
    for (int o = 0; o < NDT; ++o) {
        pscan_dtype out_t = dt_of(o);
        fill_f64(PSCAN_FLOAT64, in, 5);
        TU_ASSERT_OK(run(PSCAN_FLOAT64, 5, PSCAN_DTYPE_DEFAULT, out_t));
        const double *want = out_t == PSCAN_BOOL                             ? bo
                             : out_t >= PSCAN_UINT8 && out_t <= PSCAN_UINT64 ? ui
                             : tu_is_int(out_t)                              ? si
                                                                             : fl;
        expect_re(out_t, want, 5, "float sums");
    }
}

/* --------------------------------------------------- numpy's examples */

Test(dtypes, input_converted_before_combining)
{
    const double in[2] = {1.5, 2.5};
    const int64_t want[2] = {1, 3};
    fill_f64(PSCAN_FLOAT64, in, 2);
    TU_ASSERT_OK(run(PSCAN_FLOAT64, 2, PSCAN_INT64, PSCAN_INT64));
    expect_i64(PSCAN_INT64, want, 2, "cumsum([1.5,2.5], dtype=int64)");
}

Test(dtypes, running_value_kept_in_accumulator_precision)
{
    const double in[3] = {1.5, 2.5, 2.5};
    const int64_t want[3] = {1, 4, 6};
    fill_f64(PSCAN_FLOAT64, in, 3);
    TU_ASSERT_OK(run(PSCAN_FLOAT64, 3, PSCAN_DTYPE_DEFAULT, PSCAN_INT64));
    expect_i64(PSCAN_INT64, want, 3, "f64 into int64 out");
    /* float32 accumulator rounds each partial sum to float */
    const double in2[3] = {1.0, 0x1p-30, 0x1p-30};
    fill_f64(PSCAN_FLOAT64, in2, 3);
    TU_ASSERT_OK(run(PSCAN_FLOAT64, 3, PSCAN_FLOAT32, PSCAN_FLOAT64));
    const double want2[3] = {1.0, 1.0, 1.0};
    expect_re(PSCAN_FLOAT64, want2, 3, "float32 accumulator");
    TU_ASSERT_OK(run(PSCAN_FLOAT64, 3, PSCAN_FLOAT64, PSCAN_FLOAT64));
    const double want3[3] = {1.0, 1.0 + 0x1p-30, 1.0 + 0x1p-29};
    expect_re(PSCAN_FLOAT64, want3, 3, "float64 accumulator");
}

/* --------------------------------------------------------------- bool */

Test(dtypes, bool_accumulator_is_logical_or)
{
    const int64_t in[5] = {0, 0, 1, 0, 2}, want[5] = {0, 0, 1, 1, 1};
    fill_i64(PSCAN_INT64, in, 5);
    TU_ASSERT_OK(run(PSCAN_INT64, 5, PSCAN_BOOL, PSCAN_INT64));
    expect_i64(PSCAN_INT64, want, 5, "int64 via bool");
    TU_ASSERT_OK(run(PSCAN_INT64, 5, PSCAN_BOOL, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, want, 5, "bool out");
    /* numpy: cumsum([1, 0, 2], dtype=bool) -> all True */
    const int64_t in2[3] = {1, 0, 2}, want2[3] = {1, 1, 1};
    fill_i64(PSCAN_INT64, in2, 3);
    TU_ASSERT_OK(run(PSCAN_INT64, 3, PSCAN_BOOL, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, want2, 3, "[1,0,2]");
    /* bool + bool stays 1 (never 2, never wraps to 0) */
    const int64_t b[4] = {1, 1, 1, 1}, wb[4] = {1, 1, 1, 1};
    fill_i64(PSCAN_BOOL, b, 4);
    TU_ASSERT_OK(run(PSCAN_BOOL, 4, PSCAN_BOOL, PSCAN_UINT8));
    expect_i64(PSCAN_UINT8, wb, 4, "bool acc");
}

Test(dtypes, conversion_to_bool_is_nonzero)
{
    /* int16 256 is true (not truncated to its low byte) */
    const int64_t i16[3] = {0, 256, 0}, w16[3] = {0, 1, 1};
    fill_i64(PSCAN_INT16, i16, 3);
    TU_ASSERT_OK(run(PSCAN_INT16, 3, PSCAN_BOOL, PSCAN_INT64));
    expect_i64(PSCAN_INT64, w16, 3, "int16 256");
    /* per element: -0.0 false, NaN true, tiny true, -inf true */
    const double f[6] = {-0.0, 0.0, NAN, 0x1p-1074, -INFINITY, 0.0};
    const int64_t wf[6] = {0, 0, 1, 1, 1, 0};
    fill_f64(PSCAN_FLOAT64, f, 6);
    TU_ASSERT_OK(run_lanes(PSCAN_FLOAT64, 6, PSCAN_BOOL, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, wf, 6, "f64 -> bool acc");
    TU_ASSERT_OK(run_lanes(PSCAN_FLOAT64, 6, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, wf, 6, "f64 -> bool out");
    /* complex: true if either part is nonzero */
    const double cx[4][2] = {{0, 0}, {0, 1}, {2, 0}, {-0.0, -0.0}};
    const int64_t wc[4] = {0, 1, 1, 0};
    for (int k = 0; k < 4; ++k)
        tu_put_f64(inbuf + 16 * k, PSCAN_COMPLEX128, cx[k][0], cx[k][1]);
    TU_ASSERT_OK(run_lanes(PSCAN_COMPLEX128, 4, PSCAN_BOOL, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, wc, 4, "complex -> bool acc");
    TU_ASSERT_OK(run_lanes(PSCAN_COMPLEX128, 4, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, wc, 4, "complex -> bool out");
    /* int64 running sum 1, 0 stored as bool: true, false */
    const int64_t s[2] = {1, -1}, ws[2] = {1, 0};
    fill_i64(PSCAN_INT64, s, 2);
    TU_ASSERT_OK(run(PSCAN_INT64, 2, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, ws, 2, "int64 -> bool out");
    /* bool out holds exactly 0 or 1 */
    const int64_t big[2] = {7, 248}, wbig[2] = {1, 1};
    fill_i64(PSCAN_INT64, big, 2);
    TU_ASSERT_OK(run(PSCAN_INT64, 2, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL));
    expect_i64(PSCAN_BOOL, wbig, 2, "bool is 0/1");
}

/* ---------------------------------------------------- integer wrapping */

struct wrap_case {
    pscan_dtype acc;
    int64_t a, b, sum; /* sum = a + b wrapped in acc (as its bits) */
};

Test(dtypes, integer_overflow_wraps)
{
    static const struct wrap_case cases[] = {
        {PSCAN_INT8, 100, 100, -56},
        {PSCAN_INT8, -100, -100, 56},
        {PSCAN_INT16, 30000, 30000, -5536},
        {PSCAN_INT32, 2000000000, 2000000000, -294967296},
        {PSCAN_INT64, INT64_MAX, 1, INT64_MIN},
        {PSCAN_INT64, INT64_MIN, -1, INT64_MAX},
        {PSCAN_UINT8, 200, 100, 44},
        {PSCAN_UINT16, 60000, 10000, 4464},
        {PSCAN_UINT32, 4000000000, 1000000000, 705032704},
        {PSCAN_UINT64, -1, 2, 1}, /* UINT64_MAX + 2 */
    };
    for (size_t k = 0; k < TU_COUNT(cases); ++k) {
        const struct wrap_case *c = &cases[k];
        const int64_t in[2] = {c->a, c->b};
        /* input of the accumulator's own type, default accumulator would
         * widen, so ask for it explicitly */
        fill_i64(c->acc, in, 2);
        TU_ASSERT_OK(run(c->acc, 2, c->acc, c->acc));
        /* the values as the accumulator holds them, sign- or zero-extended
         * (uint64 as its bits, which is also its int64 conversion) */
        _Alignas(16) unsigned char tmp[16];
        int64_t wi[2];
        tu_put_i64(tmp, c->acc, c->a);
        wi[0] = tu_get_i64(tmp, c->acc);
        tu_put_i64(tmp, c->acc, c->sum);
        wi[1] = tu_get_i64(tmp, c->acc);
        expect_i64(c->acc, wi, 2, pscan_dtype_name(c->acc));
        /* int64 input converted (wrapping) to the accumulator first */
        fill_i64(PSCAN_INT64, in, 2);
        TU_ASSERT_OK(run(PSCAN_INT64, 2, c->acc, PSCAN_INT64));
        expect_i64(PSCAN_INT64, wi, 2, "int64 input");
    }
}

Test(dtypes, integer_to_integer_conversions_wrap)
{
    /* int64 300 -> int8 44; -1 -> uint16 65535; uint64 max -> int64 -1 */
    const int64_t in[3] = {300, -1, 70000};
    fill_i64(PSCAN_INT64, in, 3);
    TU_ASSERT_OK(run_lanes(PSCAN_INT64, 3, PSCAN_INT8, PSCAN_INT64));
    const int64_t w8[3] = {44, -1, 112};
    expect_i64(PSCAN_INT64, w8, 3, "-> int8 acc");
    TU_ASSERT_OK(run_lanes(PSCAN_INT64, 3, PSCAN_UINT16, PSCAN_INT64));
    const int64_t w16[3] = {300, 65535, 4464};
    expect_i64(PSCAN_INT64, w16, 3, "-> uint16 acc");
    TU_ASSERT_OK(run_lanes(PSCAN_INT64, 3, PSCAN_DTYPE_DEFAULT, PSCAN_UINT8));
    const int64_t wu8[3] = {44, 255, 112};
    expect_i64(PSCAN_UINT8, wu8, 3, "-> uint8 out");
    const int64_t um[1] = {-1};
    fill_i64(PSCAN_UINT64, um, 1);
    TU_ASSERT_OK(run(PSCAN_UINT64, 1, PSCAN_DTYPE_DEFAULT, PSCAN_INT64));
    const int64_t wm[1] = {-1};
    expect_i64(PSCAN_INT64, wm, 1, "uint64 max -> int64");
}

/* ---------------------------------------------- float -> integer rules */

/* pscan's documented rule: NaN -> 0, truncation toward zero, saturation. */
static int64_t ref_f2i(double v, pscan_dtype t)
{
    static const double lo[] = {0, -0x1p7, -0x1p15, -0x1p31, -0x1p63, 0, 0, 0, 0};
    static const double hi_excl[] = {0,     0x1p7,  0x1p15, 0x1p31, 0x1p63,
                                     0x1p8, 0x1p16, 0x1p32, 0x1p64};
    static const int64_t mn[] = {0, INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN, 0, 0, 0, 0};
    static const int64_t mx[] = {0,         INT8_MAX,   INT16_MAX,  INT32_MAX, INT64_MAX,
                                 UINT8_MAX, UINT16_MAX, UINT32_MAX, -1 /* bits of UINT64_MAX */};
    int k = (int)t - (int)PSCAN_BOOL;
    if (isnan(v))
        return 0;
    double tr = trunc(v);
    if (tr < lo[k])
        return mn[k];
    if (tr >= hi_excl[k])
        return mx[k];
    if (t == PSCAN_UINT64)
        return (int64_t)(uint64_t)tr;
    return (int64_t)tr;
}

static const double f2i_inputs[] = {NAN,
                                    -NAN,
                                    INFINITY,
                                    -INFINITY,
                                    1e300,
                                    -1e300,
                                    2.9,
                                    -2.9,
                                    0.5,
                                    -0.5,
                                    -0.0,
                                    127.9,
                                    128.0,
                                    -128.9,
                                    -129.0,
                                    255.5,
                                    256.0,
                                    32767.5,
                                    32768.0,
                                    -32769.0,
                                    65535.9,
                                    65536.0,
                                    2147483647.5,
                                    2147483648.0,
                                    -2147483648.9,
                                    -2147483649.0,
                                    4294967295.9,
                                    4294967296.0,
                                    0x1p63,
                                    -0x1p63,
                                    0x1p63 - 1024.0,
                                    -0x1p63 - 2048.0,
                                    0x1p64,
                                    0x1p64 - 2048.0,
                                    1e19,
                                    -1e19};

static void check_float_to_int(pscan_dtype in_t)
{
    const size_t n = TU_COUNT(f2i_inputs);
    for (int k = 1; k <= 8; ++k) { /* int8 .. uint64 */
        pscan_dtype t = dt_of(k);
        int64_t want[TU_COUNT(f2i_inputs)];
        for (size_t i = 0; i < n; ++i) {
            double v = in_t == PSCAN_FLOAT32 ? (double)(float)f2i_inputs[i] : f2i_inputs[i];
            want[i] = ref_f2i(v, t);
        }
        for (size_t i = 0; i < n; ++i)
            tu_put_f64(inbuf + i * tu_size(in_t), in_t, f2i_inputs[i], 0.0);
        /* conversion on input (accumulator is the integer type) */
        TU_ASSERT_OK(run_lanes(in_t, n, t, t));
        expect_i64(t, want, n, "float -> int accumulator");
        /* conversion on store (accumulator stays float) */
        TU_ASSERT_OK(run_lanes(in_t, n, PSCAN_DTYPE_DEFAULT, t));
        expect_i64(t, want, n, "float -> int out");
    }
}

Test(dtypes, float64_to_integer_truncates_and_saturates)
{
    check_float_to_int(PSCAN_FLOAT64);
}

Test(dtypes, float32_to_integer_truncates_and_saturates)
{
    check_float_to_int(PSCAN_FLOAT32);
}

Test(dtypes, complex_to_integer_takes_truncated_real_part)
{
    check_float_to_int(PSCAN_COMPLEX128);
    /* the imaginary part plays no role */
    const double cx[3][2] = {{2.9, 7.0}, {NAN, 1.0}, {-1.5, NAN}};
    for (int k = 0; k < 3; ++k)
        tu_put_f64(inbuf + 16 * k, PSCAN_COMPLEX128, cx[k][0], cx[k][1]);
    TU_ASSERT_OK(run_lanes(PSCAN_COMPLEX128, 3, PSCAN_INT32, PSCAN_INT32));
    const int64_t want[3] = {2, 0, -1};
    expect_i64(PSCAN_INT32, want, 3, "complex -> int32");
    TU_ASSERT_OK(run_lanes(PSCAN_COMPLEX128, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64));
    const double wr[3] = {2.9, NAN, -1.5};
    for (int k = 0; k < 3; ++k) {
        double g = tu_get_re(outbuf + 8 * k, PSCAN_FLOAT64);
        if (isnan(wr[k]))
            cr_assert(isnan(g), "element %d", k);
        else
            cr_assert(eq(dbl, g, wr[k]), "element %d", k);
    }
}

Test(dtypes, integer_to_float_rounds_to_nearest)
{
    const int64_t in[3] = {(INT64_C(1) << 53) + 1, (INT64_C(1) << 53) + 3,
                           -((INT64_C(1) << 24) + 1)};
    fill_i64(PSCAN_INT64, in, 3);
    TU_ASSERT_OK(run_lanes(PSCAN_INT64, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64));
    const double w64[3] = {0x1p53, 0x1p53 + 4.0, -(0x1p24 + 1.0)};
    expect_re(PSCAN_FLOAT64, w64, 3, "int64 -> f64");
    TU_ASSERT_OK(run_lanes(PSCAN_INT64, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32));
    const double w32[3] = {0x1p53, 0x1p53, -0x1p24};
    expect_re(PSCAN_FLOAT32, w32, 3, "int64 -> f32");
    const int64_t um[1] = {-1};
    fill_i64(PSCAN_UINT64, um, 1);
    TU_ASSERT_OK(run(PSCAN_UINT64, 1, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32));
    const double wu[1] = {0x1p64};
    expect_re(PSCAN_FLOAT32, wu, 1, "uint64 max -> f32");
    TU_ASSERT_OK(run(PSCAN_UINT64, 1, PSCAN_FLOAT64, PSCAN_FLOAT64));
    expect_re(PSCAN_FLOAT64, wu, 1, "uint64 max -> f64 accumulator");
}

Test(dtypes, float64_to_float32_rounds)
{
    const double in[5] = {0.1, 1e39, -1e39, 1e-46, 0x1p-149 * 1.5};
    fill_f64(PSCAN_FLOAT64, in, 5);
    TU_ASSERT_OK(run_lanes(PSCAN_FLOAT64, 5, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32));
    const uint32_t want[5] = {0x3dcccccdu, 0x7f800000u, 0xff800000u, 0u, 0x00000002u};
    for (int k = 0; k < 5; ++k) {
        uint32_t g;
        memcpy(&g, outbuf + 4 * k, 4);
        cr_assert(eq(u32, g, want[k]), "element %d", k);
    }
    TU_ASSERT_OK(run_lanes(PSCAN_FLOAT64, 5, PSCAN_FLOAT32, PSCAN_FLOAT32));
    for (int k = 0; k < 5; ++k) {
        uint32_t g;
        memcpy(&g, outbuf + 4 * k, 4);
        cr_assert(eq(u32, g, want[k]), "element %d (float32 accumulator)", k);
    }
}

/* ------------------------------------------------ IEEE specials, -0.0 */

Test(dtypes, negative_zero_first_element_is_kept)
{
    /* numpy copies the first element: cumsum([-0.0, -0.0]) == [-0.0, -0.0] */
    static const pscan_dtype fts[] = {PSCAN_FLOAT16, PSCAN_FLOAT32, PSCAN_FLOAT64, PSCAN_COMPLEX64,
                                      PSCAN_COMPLEX128};
    for (size_t k = 0; k < TU_COUNT(fts); ++k) {
        pscan_dtype t = fts[k];
        for (int i = 0; i < 2; ++i)
            tu_put_f64(inbuf + i * tu_size(t), t, -0.0, -0.0);
        for (size_t n = 1; n <= 2; ++n) {
            TU_ASSERT_OK(run(t, n, PSCAN_DTYPE_DEFAULT, t));
            for (size_t i = 0; i < n; ++i) {
                const unsigned char *p = outbuf + i * tu_size(t);
                cr_assert(eq(dbl, tu_get_re(p, t), 0.0));
                cr_assert(signbit(tu_get_re(p, t)), "%s n=%zu element %zu: +0.0",
                          pscan_dtype_name(t), n, i);
                if (tu_is_complex(t))
                    cr_assert(signbit(tu_get_im(p, t)), "%s imag", pscan_dtype_name(t));
            }
        }
    }
}

Test(dtypes, nan_and_inf_propagate)
{
    const double in[4] = {1.0, INFINITY, -INFINITY, 2.0};
    fill_f64(PSCAN_FLOAT64, in, 4);
    TU_ASSERT_OK(run(PSCAN_FLOAT64, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64));
    double g[4];
    memcpy(g, outbuf, sizeof g);
    cr_assert(eq(dbl, g[0], 1.0));
    cr_assert(eq(dbl, g[1], INFINITY));
    cr_assert(isnan(g[2]));
    cr_assert(isnan(g[3]));
    const double in2[3] = {NAN, 1.0, -1.0};
    fill_f64(PSCAN_FLOAT32, in2, 3);
    TU_ASSERT_OK(run(PSCAN_FLOAT32, 3, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32));
    for (int k = 0; k < 3; ++k)
        cr_assert(isnan(tu_get_re(outbuf + 4 * k, PSCAN_FLOAT32)), "element %d", k);
}
