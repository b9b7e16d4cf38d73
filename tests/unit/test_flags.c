/*
 * test_flags.c - opts.flags. Every flag must work (1-D and N-d, every
 * axis, axis=None, in place, converting) with the documented values,
 * skip-NaN with compensated included.
 * Unknown bits are PSCAN_EOPTS (see test_errors.c).
 */
#include "testutil.h"

static _Alignas(16) unsigned char ob[256];

/* 1-D scan with flags; returns 1 if OK, 0 if ENOTSUP (out untouched). */
static int run_flags(unsigned flags, const void *in, pscan_dtype it, int64_t n, int64_t out_n,
                     pscan_dtype acc, pscan_dtype ot, pscan_status *status_out)
{
    pscan_array ai = tu_vec((void *)(uintptr_t)in, it, &n), ao = tu_vec(ob, ot, &out_n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = flags;
    tu_fill_sentinel(ob, sizeof ob);
    pscan_status s = pscan_cumsum(&ai, 0, acc, &ao, &o);
    if (status_out) {
        *status_out = s;
        return s == PSCAN_OK;
    }
    TU_ASSERT_EITHER(s, PSCAN_OK, PSCAN_ENOTSUP);
    if (s == PSCAN_ENOTSUP) {
        tu_assert_sentinel(ob, sizeof ob);
        return 0;
    }
    return 1;
}

static void expect_i64(const int64_t *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(eq(i64, tu_get_i64(ob + 8 * i, PSCAN_INT64), want[i]), "%s element %zu", what, i);
    for (size_t b = 8 * n; b < sizeof ob; ++b)
        cr_assert(eq(u8, ob[b], tu_sentinel_byte(b)), "%s: byte %zu past the end", what, b);
}

static const int64_t in4[4] = {1, 2, 3, 4};

/* The shape flags are built: each must succeed. */
static void run_required(unsigned flags, int64_t out_n)
{
    pscan_status s;
    run_flags(flags, in4, PSCAN_INT64, 4, out_n, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
}

Test(flags, exclusive)
{
    run_required(PSCAN_FLAG_EXCLUSIVE, 4);
    const int64_t w[4] = {0, 1, 3, 6};
    expect_i64(w, 4, "exclusive");
}

Test(flags, reverse)
{
    run_required(PSCAN_FLAG_REVERSE, 4);
    const int64_t w[4] = {10, 9, 7, 4};
    expect_i64(w, 4, "reverse");
}

Test(flags, exclusive_reverse)
{
    run_required(PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE, 4);
    const int64_t w[4] = {9, 7, 4, 0};
    expect_i64(w, 4, "exclusive reverse");
}

Test(flags, include_initial)
{
    run_required(PSCAN_FLAG_INCLUDE_INITIAL, 5);
    const int64_t w[5] = {0, 1, 3, 6, 10};
    expect_i64(w, 5, "include initial");
    run_required(PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE, 5);
    const int64_t wr[5] = {10, 9, 7, 4, 0};
    expect_i64(wr, 5, "include initial reverse");
    /* out must be one longer than in along the axis */
    pscan_status s;
    run_flags(PSCAN_FLAG_INCLUDE_INITIAL, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64,
              &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOUTSHAPE));
    tu_assert_sentinel(ob, sizeof ob);
    /* exclusive output has in's shape: one longer is wrong */
    run_flags(PSCAN_FLAG_EXCLUSIVE, in4, PSCAN_INT64, 4, 5, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOUTSHAPE));
    /* both at once mean nothing: an option error */
    run_flags(PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_EXCLUSIVE, in4, PSCAN_INT64, 4, 5,
              PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOPTS));
    tu_assert_sentinel(ob, sizeof ob);
}

/* Reference for the shape flags over a C-ordered int64 buffer: lanes along
 * `axis` (-1: the flattening), out one longer with include-initial. */
static void ref_flags(int ndim, const int64_t *shape, int axis, unsigned flags, const int64_t *in,
                      int64_t *out)
{
    int64_t outer = 1, inner = 1, n = tu_prod(ndim, shape);
    if (axis >= 0) {
        for (int d = 0; d < axis; d++)
            outer *= shape[d];
        for (int d = axis + 1; d < ndim; d++)
            inner *= shape[d];
        n = shape[axis];
    }
    const int64_t extra = flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0;
    const bool reverse = flags & PSCAN_FLAG_REVERSE,
               shifted = extra || (flags & PSCAN_FLAG_EXCLUSIVE);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < inner; k++) {
            uint64_t sum = 0;
            for (int64_t step = 0; step < n + extra; step++) {
                int64_t i = reverse ? n + extra - 1 - step : step; /* out index */
                int64_t src = reverse ? n - 1 - step : step;       /* in index scanned now */
                if (shifted) {
                    out[(o * (n + extra) + i) * inner + k] = (int64_t)sum;
                    if (src >= 0 && src < n)
                        sum += (uint64_t)in[(o * n + src) * inner + k];
                } else {
                    sum += (uint64_t)in[(o * n + src) * inner + k];
                    out[(o * n + i) * inner + k] = (int64_t)sum;
                }
            }
        }
}

/* Every axis and axis=None of a 3-d array, every flag combination, with
 * C-ordered and transposed (not flattenable) inputs and int32 -> int64. */
Test(flags, nd_every_axis)
{
    const int64_t shape[3] = {3, 5, 7}, n = 105;
    int32_t *in32 = tu_malloc(n * 4);
    int64_t *in = tu_malloc(n * 8), *got = tu_malloc(200 * 8), *want = tu_malloc(200 * 8);
    int64_t *t_in = tu_malloc(n * 8);
    uint64_t seed = 7;
    for (int64_t i = 0; i < n; i++)
        in32[i] = (int32_t)tu_rand_range(&seed, -1000, 1000), in[i] = in32[i];
    /* t_in holds in's values transposed: a (7, 5, 3) C array; viewed with
     * swapped strides it is in again, but not as one run. */
    for (int64_t a = 0; a < 3; a++)
        for (int64_t b = 0; b < 5; b++)
            for (int64_t c = 0; c < 7; c++)
                t_in[(c * 5 + b) * 3 + a] = in[(a * 5 + b) * 7 + c];
    const int64_t t_strides[3] = {8, 24, 120};
    const unsigned combos[] = {0,
                               PSCAN_FLAG_REVERSE,
                               PSCAN_FLAG_EXCLUSIVE,
                               PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE,
                               PSCAN_FLAG_INCLUDE_INITIAL,
                               PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE};
    for (size_t f = 0; f < TU_COUNT(combos); f++)
        for (int axis = -1; axis < 3; axis++)
            for (int source = 0; source < 3; source++) {
                const unsigned flags = combos[f];
                const int64_t extra = flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0;
                int64_t out_shape[3] = {shape[0], shape[1], shape[2]}, flat = n + extra;
                if (axis >= 0)
                    out_shape[axis] += extra;
                pscan_array ai = source == 0   ? tu_arr(in, PSCAN_INT64, 3, shape, NULL)
                                 : source == 1 ? tu_arr(t_in, PSCAN_INT64, 3, shape, t_strides)
                                               : tu_arr(in32, PSCAN_INT32, 3, shape, NULL);
                pscan_array ao = axis < 0 ? tu_vec(got, PSCAN_INT64, &flat)
                                          : tu_arr(got, PSCAN_INT64, 3, out_shape, NULL);
                pscan_opts o = PSCAN_OPTS_INIT;
                o.flags = flags;
                pscan_status s = pscan_cumsum(&ai, axis < 0 ? PSCAN_AXIS_NONE : axis,
                                              PSCAN_DTYPE_DEFAULT, &ao, &o);
                cr_assert(eq(int, (int)s, (int)PSCAN_OK), "flags %u axis %d", flags, axis);
                ref_flags(3, shape, axis, flags, in, want);
                for (int64_t i = 0; i < n + extra * (axis < 0 ? 1 : n / shape[axis]); i++)
                    cr_assert(eq(i64, got[i], want[i]), "flags %u axis %d source %d element %lld",
                              flags, axis, source, (long long)i);
            }
    free(in32);
    free(in);
    free(t_in);
    free(got);
    free(want);
}

/* In place: the exclusive scan of in written over in. */
Test(flags, in_place)
{
    int64_t a[6] = {1, 2, 3, 4, 5, 6};
    const int64_t n = 6;
    pscan_array v = tu_vec(a, PSCAN_INT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE;
    TU_ASSERT_OK(pscan_cumsum(&v, 0, PSCAN_DTYPE_DEFAULT, &v, &o));
    const int64_t w[6] = {20, 18, 15, 11, 6, 0};
    tu_assert_i64s(a, w, 6);
}

/* Max and min start from the extremes; the identity is converted to out. */
Test(flags, identities_through_ops)
{
    const double in[3] = {2.5, -1.0, 4.0};
    double out[3];
    const int64_t n = 3;
    pscan_array ai = tu_vec((void *)(uintptr_t)in, PSCAN_FLOAT64, &n),
                ao = tu_vec(out, PSCAN_FLOAT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_EXCLUSIVE;
    TU_ASSERT_OK(pscan_scan(PSCAN_MAX, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
    cr_assert(eq(dbl, out[0], -INFINITY));
    cr_assert(eq(dbl, out[1], 2.5));
    cr_assert(eq(dbl, out[2], 2.5));
    TU_ASSERT_OK(pscan_scan(PSCAN_MIN, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
    cr_assert(eq(dbl, out[0], INFINITY));
    cr_assert(eq(dbl, out[2], -1.0));
    TU_ASSERT_OK(pscan_scan(PSCAN_PROD, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
    cr_assert(eq(dbl, out[0], 1.0));
    cr_assert(eq(dbl, out[2], -2.5));
    /* int16 accumulator, float64 out: INT16_MIN arrives as a double */
    TU_ASSERT_OK(pscan_scan(PSCAN_MAX, &ai, 0, PSCAN_INT16, &ao, &o));
    cr_assert(eq(dbl, out[0], -32768.0));
    /* empty lanes: include-initial still writes the identity */
    const int64_t zero = 0, one = 1;
    int64_t single = -5;
    pscan_array empty = tu_vec((void *)(uintptr_t)in, PSCAN_FLOAT64, &zero),
                single_out = tu_vec(&single, PSCAN_INT64, &one);
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    TU_ASSERT_OK(pscan_scan(PSCAN_PROD, &empty, 0, PSCAN_INT64, &single_out, &o));
    cr_assert(eq(i64, single, 1));
}

Test(flags, identity_values)
{
    unsigned char v[16];
    cr_assert(eq(int, (int)pscan_identity(PSCAN_MAX, PSCAN_INT8, v), (int)PSCAN_OK));
    cr_assert(eq(i8, (int8_t)v[0], INT8_MIN));
    pscan_identity(PSCAN_MIN, PSCAN_UINT32, v);
    cr_assert(eq(u32, tu_get_i64(v, PSCAN_UINT32) == UINT32_MAX, 1));
    pscan_identity(PSCAN_PROD, PSCAN_FLOAT16, v);
    cr_assert(eq(dbl, tu_get_re(v, PSCAN_FLOAT16), 1.0));
    pscan_identity(PSCAN_PROD, PSCAN_COMPLEX128, v);
    cr_assert(eq(dbl, tu_get_re(v, PSCAN_COMPLEX128), 1.0));
    cr_assert(eq(dbl, tu_get_im(v, PSCAN_COMPLEX128), 0.0));
    pscan_identity(PSCAN_MAX, PSCAN_COMPLEX64, v);
    cr_assert(eq(dbl, tu_get_re(v, PSCAN_COMPLEX64), -INFINITY));
    cr_assert(eq(dbl, tu_get_im(v, PSCAN_COMPLEX64), -INFINITY));
    pscan_identity(PSCAN_MIN, PSCAN_BOOL, v);
    cr_assert(eq(u8, v[0], 1));
    pscan_identity(PSCAN_SUM, PSCAN_FLOAT64, v);
    cr_assert(eq(dbl, tu_get_re(v, PSCAN_FLOAT64), 0.0));
    cr_assert(eq(int, (int)pscan_identity(PSCAN_SUM, PSCAN_DTYPE_DEFAULT, v), (int)PSCAN_EDTYPE));
    cr_assert(eq(int, (int)pscan_identity(PSCAN_OP_COUNT, PSCAN_INT8, v), (int)PSCAN_EOP));
    cr_assert(eq(int, (int)pscan_identity(PSCAN_SUM, PSCAN_INT8, NULL), (int)PSCAN_ENULL));
}

Test(flags, skip_nan)
{
    /* numpy.nancumsum([nan, 1, nan, 2]) == [0, 1, 1, 3] */
    const double in[4] = {NAN, 1.0, NAN, 2.0};
    pscan_status s;
    run_flags(PSCAN_FLAG_SKIP_NAN, in, PSCAN_FLOAT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    const double w[4] = {0.0, 1.0, 1.0, 3.0};
    for (int i = 0; i < 4; ++i)
        cr_assert(eq(dbl, tu_get_re(ob + 8 * i, PSCAN_FLOAT64), w[i]), "element %d", i);
    /* integers have no NaN: same as cumsum */
    run_flags(PSCAN_FLAG_SKIP_NAN, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    const int64_t wi[4] = {1, 3, 6, 10};
    expect_i64(wi, 4, "skip nan ints");
}

/* nancumprod, NaN-skipping max/min, float16 and float32 inputs, complex
 * with a NaN in either part, a float -> int64 accumulator, a strided 2-d
 * input on both axes, reverse and exclusive with it. */
Test(flags, skip_nan_everywhere)
{
    const float f[5] = {2.0f, NAN, 3.0f, NAN, -1.0f};
    double got[6];
    const int64_t n = 5;
    pscan_array af = tu_vec((void *)(uintptr_t)f, PSCAN_FLOAT32, &n),
                ad = tu_vec(got, PSCAN_FLOAT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_SKIP_NAN;
    TU_ASSERT_OK(pscan_scan(PSCAN_PROD, &af, 0, PSCAN_FLOAT64, &ad, &o));
    const double prod[5] = {2, 2, 6, 6, -6};
    for (int i = 0; i < 5; i++)
        cr_assert(eq(dbl, got[i], prod[i]), "nancumprod %d", i);
    TU_ASSERT_OK(pscan_scan(PSCAN_MIN, &af, 0, PSCAN_FLOAT64, &ad, &o));
    const double mins[5] = {2, 2, 2, 2, -1};
    for (int i = 0; i < 5; i++)
        cr_assert(eq(dbl, got[i], mins[i]), "min skipping NaN %d", i);
    /* a leading NaN under max: the identity until a number comes */
    const float g[2] = {NAN, 4.0f};
    const int64_t two = 2;
    pscan_array ag = tu_vec((void *)(uintptr_t)g, PSCAN_FLOAT32, &two),
                ag_out = tu_vec(got, PSCAN_FLOAT64, &two);
    TU_ASSERT_OK(pscan_scan(PSCAN_MAX, &ag, 0, PSCAN_FLOAT64, &ag_out, &o));
    cr_assert(eq(dbl, got[0], -INFINITY));
    cr_assert(eq(dbl, got[1], 4.0));
    /* float -> int64 accumulator: NaN is 0 for SUM, 1 for PROD */
    int64_t gi[5];
    pscan_array ai = tu_vec(gi, PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_scan(PSCAN_PROD, &af, 0, PSCAN_INT64, &ai, &o));
    const int64_t prodi[5] = {2, 2, 6, 6, -6};
    tu_assert_i64s(gi, prodi, 5);
    /* float16 */
    uint16_t h[3] = {tu_half_from_double(1.5), 0x7e00, tu_half_from_double(2.0)}, hout[3];
    const int64_t three = 3;
    pscan_array ah = tu_vec(h, PSCAN_FLOAT16, &three), aho = tu_vec(hout, PSCAN_FLOAT16, &three);
    TU_ASSERT_OK(pscan_cumsum(&ah, 0, PSCAN_DTYPE_DEFAULT, &aho, &o));
    cr_assert(eq(dbl, tu_half_to_double(hout[1]), 1.5));
    cr_assert(eq(dbl, tu_half_to_double(hout[2]), 3.5));
    /* complex: a NaN in either part drops the whole element */
    const double c[6] = {1, 1, NAN, 5, 2, NAN};
    double cout[6];
    pscan_array ac = tu_vec((void *)(uintptr_t)c, PSCAN_COMPLEX128, &three),
                aco = tu_vec(cout, PSCAN_COMPLEX128, &three);
    TU_ASSERT_OK(pscan_cumsum(&ac, 0, PSCAN_DTYPE_DEFAULT, &aco, &o));
    for (int i = 0; i < 6; i++)
        cr_assert(eq(dbl, cout[i], 1.0), "complex part %d", i);
    /* 2-d, strided (every other column), both axes, with reverse and exclusive */
    double m[12] = {1, 0, NAN, 0, 3, 0, NAN, 0, 5, 0, 6, 0};
    const int64_t shape[2] = {2, 3}, strides[2] = {48, 16};
    pscan_array am = tu_arr(m, PSCAN_FLOAT64, 2, shape, strides);
    pscan_array amo = tu_arr(got, PSCAN_FLOAT64, 2, shape, NULL);
    TU_ASSERT_OK(pscan_cumsum(&am, 0, PSCAN_DTYPE_DEFAULT, &amo, &o));
    const double axis0[6] = {1, 0, 3, 1, 5, 9};
    for (int i = 0; i < 6; i++)
        cr_assert(eq(dbl, got[i], axis0[i]), "axis 0 element %d", i);
    o.flags = PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_REVERSE | PSCAN_FLAG_EXCLUSIVE;
    TU_ASSERT_OK(pscan_cumsum(&am, 1, PSCAN_DTYPE_DEFAULT, &amo, &o));
    const double axis1[6] = {3, 3, 0, 11, 6, 0};
    for (int i = 0; i < 6; i++)
        cr_assert(eq(dbl, got[i], axis1[i]), "axis 1 reverse exclusive element %d", i);
    /* in place */
    double v[4] = {NAN, 2, NAN, 3};
    const int64_t four = 4;
    pscan_array av = tu_vec(v, PSCAN_FLOAT64, &four);
    o.flags = PSCAN_FLAG_SKIP_NAN;
    TU_ASSERT_OK(pscan_cumsum(&av, 0, PSCAN_DTYPE_DEFAULT, &av, &o));
    cr_assert(eq(dbl, v[3], 5.0));
}

Test(flags, check_overflow)
{
    pscan_status s;
    /* no overflow: plain values */
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64,
              &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    const int64_t w[4] = {1, 3, 6, 10};
    expect_i64(w, 4, "check overflow, none");
    /* int64 overflow */
    const int64_t big[2] = {INT64_MAX, 1};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, big, PSCAN_INT64, 2, 2, PSCAN_DTYPE_DEFAULT, PSCAN_INT64,
              &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    tu_assert_sentinel(ob, sizeof ob); /* out untouched */
    /* uint8 accumulator: 200 + 100 */
    const int64_t u[2] = {200, 100};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, u, PSCAN_INT64, 2, 2, PSCAN_UINT8, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    /* int8 input, int64 default accumulator: no overflow */
    const int8_t i8[2] = {100, 100};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, i8, PSCAN_INT8, 2, 2, PSCAN_DTYPE_DEFAULT, PSCAN_INT64,
              &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    const int64_t w8[2] = {100, 200};
    expect_i64(w8, 2, "int8 widened");
}

/* Exact boundaries, both directions, products, unsigned, reverse (the
 * order of the partials changes), every lane of an N-d array, axis=None
 * across a transposed view, and no false alarm from wrapping inputs. */
Test(flags, check_overflow_edges)
{
    pscan_status s;
    const int64_t at_max[3] = {INT64_MAX - 5, 3, 2}; /* ends exactly at INT64_MAX */
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, at_max, PSCAN_INT64, 3, 3, PSCAN_DTYPE_DEFAULT,
              PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    const int64_t below_min[2] = {INT64_MIN + 1, -2};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, below_min, PSCAN_INT64, 2, 2, PSCAN_DTYPE_DEFAULT,
              PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    /* a partial overflows although the total is fine: still an error */
    const int64_t back[3] = {INT64_MAX, 1, -1};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, back, PSCAN_INT64, 3, 3, PSCAN_DTYPE_DEFAULT, PSCAN_INT64,
              &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    /* reversed, the partials are -1, 0, INT64_MAX: fine */
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_REVERSE, back, PSCAN_INT64, 3, 3,
              PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    /* int32 accumulator: 2^30 + 2^30 */
    const int64_t halves[2] = {INT64_C(1) << 30, INT64_C(1) << 30};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, halves, PSCAN_INT64, 2, 2, PSCAN_INT32, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    /* products: 2^32 * 2^31 overflows int64, * -1 after 2^62 does not */
    int64_t p[2] = {INT64_C(1) << 32, INT64_C(1) << 31};
    pscan_array ap, ao;
    const int64_t two = 2;
    int64_t out[3] = {-3, -3, -3};
    ap = tu_vec(p, PSCAN_INT64, &two);
    ao = tu_vec(out, PSCAN_INT64, &two);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    cr_assert(eq(int, (int)pscan_scan(PSCAN_PROD, &ap, 0, PSCAN_DTYPE_DEFAULT, &ao, &o),
                 (int)PSCAN_EOVERFLOW));
    cr_assert(eq(i64, out[0], -3));
    p[1] = INT64_C(1) << 30;
    TU_ASSERT_OK(pscan_scan(PSCAN_PROD, &ap, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
    cr_assert(eq(i64, out[1], INT64_C(1) << 62));
    /* uint8 inputs into a uint8 accumulator: 255 then + 1 */
    uint8_t u[3] = {200, 55, 1};
    uint8_t uo[3];
    const int64_t three = 3;
    pscan_array au = tu_vec(u, PSCAN_UINT8, &three), auo = tu_vec(uo, PSCAN_UINT8, &three);
    cr_assert(eq(int, (int)pscan_cumsum(&au, 0, PSCAN_UINT8, &auo, &o), (int)PSCAN_EOVERFLOW));
    u[2] = 0;
    TU_ASSERT_OK(pscan_cumsum(&au, 0, PSCAN_UINT8, &auo, &o));
    cr_assert(eq(u8, uo[2], 255));
    /* MAX and float accumulators never overflow: the flag changes nothing */
    const int64_t big[2] = {INT64_MAX, INT64_MAX};
    ap = tu_vec((void *)(uintptr_t)big, PSCAN_INT64, &two);
    TU_ASSERT_OK(pscan_scan(PSCAN_MAX, &ap, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
    double d[2];
    pscan_array ad = tu_vec(d, PSCAN_FLOAT64, &two);
    TU_ASSERT_OK(pscan_cumsum(&ap, 0, PSCAN_FLOAT64, &ad, &o));
    /* 3-d: only the last lane of axis 1 overflows; a transposed view with
     * axis=None overflows only in C order of the view */
    int64_t *m = tu_malloc(2 * 3 * 4 * 8), *mo = tu_malloc(2 * 3 * 4 * 8 + 8);
    for (int k = 0; k < 24; k++)
        m[k] = 1;
    const int64_t shape[3] = {2, 3, 4};
    pscan_array am = tu_arr(m, PSCAN_INT64, 3, shape, NULL),
                amo = tu_arr(mo, PSCAN_INT64, 3, shape, NULL);
    TU_ASSERT_OK(pscan_cumsum(&am, 1, PSCAN_DTYPE_DEFAULT, &amo, &o));
    for (int k = 0; k < 24; k++)
        m[k] = 0;
    m[(1 * 3 + 0) * 4 + 3] = INT64_MAX; /* lane (1, :, 3) is MAX, 1, 0 */
    m[(1 * 3 + 1) * 4 + 3] = 1;
    mo[0] = -9;
    cr_assert(
        eq(int, (int)pscan_cumsum(&am, 1, PSCAN_DTYPE_DEFAULT, &amo, &o), (int)PSCAN_EOVERFLOW));
    cr_assert(eq(i64, mo[0], -9));
    /* along axes 0 and 2 no lane holds both */
    TU_ASSERT_OK(pscan_cumsum(&am, 0, PSCAN_DTYPE_DEFAULT, &amo, &o));
    TU_ASSERT_OK(pscan_cumsum(&am, 2, PSCAN_DTYPE_DEFAULT, &amo, &o));
    /* C-order flattening of the transposed 4x3x2 view: MAX first, then 1 */
    for (int k = 0; k < 24; k++)
        m[k] = 0;
    m[23] = INT64_MAX;
    m[0] = 1;
    const int64_t tshape[3] = {4, 3, 2}, tstrides[3] = {8, 32, 96}, flat = 24;
    pscan_array at = tu_arr(m, PSCAN_INT64, 3, tshape, tstrides),
                aflat = tu_vec(mo, PSCAN_INT64, &flat);
    cr_assert(eq(int, (int)pscan_cumsum(&at, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &aflat, &o),
                 (int)PSCAN_EOVERFLOW));
    m[0] = 0;
    TU_ASSERT_OK(pscan_cumsum(&at, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &aflat, &o));
    cr_assert(eq(i64, mo[23], INT64_MAX));
    free(m);
    free(mo);
}

/* An exclusive scan never forms the partial of the whole lane, so that
 * partial cannot overflow it, whichever path the view takes: a flattened
 * view that is not one run (a transpose) is scanned whole and shifted, and
 * its check once counted the last partial too (found writing the scan
 * fuzzer's reference). */
Test(flags, check_overflow_exclusive_ignores_the_total)
{
    /* C order of the view: 1, 100, 1, 100; int8 partials 1, 101, 102, 202 */
    int8_t transposed[4] = {1, 1, 100, 100}, contiguous[4] = {1, 100, 1, 100};
    const int64_t shape[2] = {2, 2}, strides[2] = {1, 2}, four = 4;
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_CHECK_OVERFLOW;
    const pscan_array views[2] = {tu_arr(contiguous, PSCAN_INT8, 2, shape, NULL),
                                  tu_arr(transposed, PSCAN_INT8, 2, shape, strides)};
    for (int v = 0; v < 2; v++) {
        int8_t out[4] = {-9, -9, -9, -9};
        const pscan_array ao = tu_vec(out, PSCAN_INT8, &four);
        TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &views[v], PSCAN_AXIS_NONE, PSCAN_INT8, &ao, &o));
        cr_assert(eq(i8, out[0], 0));
        cr_assert(eq(i8, out[1], 1));
        cr_assert(eq(i8, out[2], 101));
        cr_assert(eq(i8, out[3], 102));
    }
    /* a partial the scan does form overflows: 1, 100, 30, 100 (131) */
    transposed[1] = 30;
    int8_t out[4] = {-9, -9, -9, -9};
    const pscan_array ao = tu_vec(out, PSCAN_INT8, &four);
    cr_assert(eq(int, (int)pscan_scan(PSCAN_SUM, &views[1], PSCAN_AXIS_NONE, PSCAN_INT8, &ao, &o),
                 (int)PSCAN_EOVERFLOW));
    cr_assert(eq(i8, out[0], -9));
}

Test(flags, compensated)
{
    /* float32 cumsum of 2^25 ones: numpy stalls at 16777216; compensated
     * sums are exact all the way, with any team */
    const int64_t n = INT64_C(1) << 25;
    float *in = tu_malloc((size_t)n * 4), *out = tu_malloc((size_t)n * 4);
    for (int64_t i = 0; i < n; ++i)
        in[i] = 1.0f;
    pscan_array ai = tu_vec(in, PSCAN_FLOAT32, &n), ao = tu_vec(out, PSCAN_FLOAT32, &n);
    for (int threads = 1; threads <= 4; threads *= 2) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.flags = PSCAN_FLAG_COMPENSATED;
        o.threads = threads;
        out[n - 1] = -1.0f;
        TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
        cr_assert(eq(flt, out[n - 1], 33554432.0f), "threads %d", threads);
        int64_t bad = 0;
        while (bad < n && out[bad] == (float)(bad + 1))
            bad++;
        cr_assert(eq(i64, bad, n), "threads %d: first inexact element", threads);
    }
    /* numpy's order (SEQUENTIAL) stops at 2^24 */
    pscan_opts seq = PSCAN_OPTS_INIT;
    seq.order = PSCAN_ORDER_SEQUENTIAL;
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &seq));
    cr_assert(eq(flt, out[n - 1], 16777216.0f));
    free(in);
    free(out);
}

/* Complex, float16, float64 -> float32 (rounded to the accumulator on
 * load), strided 2-d on axis 0, exclusive; ops other than SUM and integer
 * accumulators are unchanged; with skip-NaN not built. */
Test(flags, compensated_everywhere)
{
    const int64_t n = 3 * 4096 + 11;
    float *c = tu_malloc((size_t)n * 8), *co = tu_malloc((size_t)n * 8);
    for (int64_t i = 0; i < n; i++)
        c[2 * i] = 1e8f, c[2 * i + 1] = (i % 2) ? 1.0f : -1.0f;
    c[0] = 1.0f;
    pscan_array ac = tu_vec(c, PSCAN_COMPLEX64, &n), aco = tu_vec(co, PSCAN_COMPLEX64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED;
    TU_ASSERT_OK(pscan_cumsum(&ac, 0, PSCAN_DTYPE_DEFAULT, &aco, &o));
    for (int64_t i = 0; i < n; i++) {
        const double re = 1.0 + 1e8 * (double)i, im = (i % 2) ? 0.0 : -1.0;
        cr_assert(eq(flt, co[2 * i], (float)re), "re %lld", (long long)i);
        cr_assert(eq(flt, co[2 * i + 1], (float)im), "im %lld", (long long)i);
    }
    /* float16: 1 + 2048 ones is 2049 exactly, which rounds to 2048 in half */
    uint16_t h[3] = {tu_half_from_double(2048.0), tu_half_from_double(1.0),
                     tu_half_from_double(1.0)},
             ho[3];
    const int64_t three = 3;
    pscan_array ah = tu_vec(h, PSCAN_FLOAT16, &three), aho = tu_vec(ho, PSCAN_FLOAT16, &three);
    TU_ASSERT_OK(pscan_cumsum(&ah, 0, PSCAN_DTYPE_DEFAULT, &aho, &o));
    cr_assert(eq(dbl, tu_half_to_double(ho[2]), 2050.0)); /* plain half: 2048 */
    TU_ASSERT_OK(pscan_cumsum(&ah, 0, PSCAN_DTYPE_DEFAULT, &aho, NULL));
    cr_assert(eq(dbl, tu_half_to_double(ho[2]), 2048.0));
    /* float64 input into a float32 accumulator: 1 + 2^-30 is 1 in float32 */
    const double d[2] = {1.0 + 0x1p-30, 0x1p-30};
    float fo[2];
    const int64_t two = 2;
    pscan_array ad = tu_vec((void *)(uintptr_t)d, PSCAN_FLOAT64, &two),
                afo = tu_vec(fo, PSCAN_FLOAT32, &two);
    TU_ASSERT_OK(pscan_cumsum(&ad, 0, PSCAN_FLOAT32, &afo, &o));
    cr_assert(eq(flt, fo[0], 1.0f));
    cr_assert(eq(flt, fo[1], 1.0f)); /* 1 + 2^-30, rounded to float32 */
    /* strided 2-d, axis 0, exclusive: columns of 1e16, 1, -1e16 */
    double m[12] = {1e16, 0, 1, 0, 1, 0, 1, 0, -1e16, 0, 1, 0};
    double mo[6];
    const int64_t shape[2] = {3, 2}, strides[2] = {32, 16};
    pscan_array am = tu_arr(m, PSCAN_FLOAT64, 2, shape, strides),
                amo = tu_arr(mo, PSCAN_FLOAT64, 2, shape, NULL);
    o.flags = PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_EXCLUSIVE;
    TU_ASSERT_OK(pscan_cumsum(&am, 0, PSCAN_DTYPE_DEFAULT, &amo, &o));
    const double want[6] = {0, 0, 1e16, 1, 1e16 + 1.0, 2}; /* 1e16 + 1 is a tie: to even */
    for (int i = 0; i < 6; i++)
        cr_assert(eq(dbl, mo[i], want[i]), "element %d", i);
    o.flags = PSCAN_FLAG_COMPENSATED;
    TU_ASSERT_OK(pscan_cumsum(&am, 0, PSCAN_DTYPE_DEFAULT, &amo, &o));
    cr_assert(eq(dbl, mo[4], 1.0)); /* 1e16 + 1 - 1e16, where plain sums lose the 1 */
    /* integers and MAX: the flag changes nothing */
    const int64_t ints[3] = {1, 2, 3};
    int64_t io[3];
    pscan_array ai = tu_vec((void *)(uintptr_t)ints, PSCAN_INT64, &three),
                aio = tu_vec(io, PSCAN_INT64, &three);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &aio, &o));
    cr_assert(eq(i64, io[2], 6));
    TU_ASSERT_OK(pscan_scan(PSCAN_MAX, &ad, 0, PSCAN_FLOAT32, &afo, &o));
    free(c);
    free(co);
}

/* Skip-NaN with compensated: a compensated nancumsum, NaN counting as 0:
 * exact values where plain sums lose the 1, and the bits of the
 * compensated sum of the array with its NaN set to 0 (float32, float64,
 * complex128 with NaN in either part; 1 and 2 threads). */
Test(flags, skip_nan_compensated)
{
    const int64_t six = 6;
    const double m[6] = {1e16, NAN, 1, -1e16, NAN, 1};
    double mo[6];
    pscan_array am = tu_vec((void *)(uintptr_t)m, PSCAN_FLOAT64, &six),
                amo = tu_vec(mo, PSCAN_FLOAT64, &six);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_SKIP_NAN;
    TU_ASSERT_OK(pscan_cumsum(&am, 0, PSCAN_DTYPE_DEFAULT, &amo, &o));
    const double want[6] = {1e16, 1e16, 1e16, 1, 1, 2}; /* plain nancumsum: ..., 0, 0, 1 */
    for (int i = 0; i < 6; i++)
        cr_assert(eq(dbl, mo[i], want[i]), "element %d", i);
    const pscan_dtype dtypes[3] = {PSCAN_FLOAT32, PSCAN_FLOAT64, PSCAN_COMPLEX128};
    const int64_t n = 50001;
    for (int d = 0; d < 3; d++)
        for (int threads = 1; threads <= 2; threads++) {
            const size_t item = tu_size(dtypes[d]);
            unsigned char *x = tu_malloc((size_t)n * item), *zeroed = tu_malloc((size_t)n * item);
            unsigned char *got = tu_malloc((size_t)n * item),
                          *want_bits = tu_malloc((size_t)n * item);
            uint64_t seed = 17 + (uint64_t)d;
            tu_fill_scan_values(x, dtypes[d], n, PSCAN_SUM, &seed);
            memcpy(zeroed, x, (size_t)n * item);
            for (int64_t i = 0; i < n; i += 13) { /* NaN in one part; 0 in the copy */
                const size_t part = dtypes[d] == PSCAN_FLOAT32 ? 4 : 8;
                const size_t at =
                    (size_t)i * item + (dtypes[d] == PSCAN_COMPLEX128 && i % 2 ? 8 : 0);
                if (part == 4) {
                    const float nan = NAN;
                    memcpy(x + at, &nan, 4);
                } else {
                    const double nan = NAN;
                    memcpy(x + at, &nan, 8);
                }
                memset(zeroed + (size_t)i * item, 0, item);
            }
            pscan_array ax = tu_vec(x, dtypes[d], &n), az = tu_vec(zeroed, dtypes[d], &n),
                        ag = tu_vec(got, dtypes[d], &n), aw = tu_vec(want_bits, dtypes[d], &n);
            pscan_opts both = PSCAN_OPTS_INIT, compensated = PSCAN_OPTS_INIT;
            both.flags = PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_SKIP_NAN;
            compensated.flags = PSCAN_FLAG_COMPENSATED;
            both.threads = compensated.threads = threads;
            TU_ASSERT_OK(pscan_cumsum(&ax, 0, PSCAN_DTYPE_DEFAULT, &ag, &both));
            TU_ASSERT_OK(pscan_cumsum(&az, 0, PSCAN_DTYPE_DEFAULT, &aw, &compensated));
            cr_assert(eq(int, memcmp(got, want_bits, (size_t)n * item), 0), "%s, %d threads",
                      pscan_dtype_name(dtypes[d]), threads);
            free(x);
            free(zeroed);
            free(got);
            free(want_bits);
        }
}

Test(flags, zero_flags_is_plain_cumsum)
{
    cr_assert(
        eq(int, run_flags(0u, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, NULL), 1));
    const int64_t w[4] = {1, 3, 6, 10};
    expect_i64(w, 4, "no flags");
}
