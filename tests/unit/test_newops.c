/*
 * test_newops.c - LOGADDEXP, BIT_AND, BIT_OR and BIT_XOR: numpy's values
 * (logaddexp.accumulate, bitwise_and/or/xor.accumulate) on small cases,
 * the tile definition and thread-count independence on long lanes in
 * several layouts, pieces and streams continuing one call, default
 * dtypes, identities and the statuses of rejected accumulators.
 */
#define PSCAN_ADVANCED_API
#include "testutil.h"
#include "kernels/values.h"

/* REPRODUCIBLE's step: pscan's own logaddexp (numpy's npy_logaddexp cases
 * on pscan's exp and log1p; its accuracy against the exact value and its
 * bits on every ISA are test_logaddexp_math's), so the scans below are
 * checked bit for bit against their definition. */
static double ref_lae(double x, double y)
{
    return logaddexp_f64(x, y);
}
static float ref_laef(float x, float y)
{
    return logaddexp_f32(x, y);
}

/* SEQUENTIAL's step: numpy's npy_logaddexp on the host's libm, written
 * out again. */
static double numpy_lae(double x, double y)
{
    if (x == y)
        return x + 0.693147180559945309417232121458176568;
    const double d = x - y;
    if (d > 0)
        return x + log1p(exp(-d));
    if (d <= 0)
        return y + log1p(exp(d));
    return d;
}

static pscan_opts opts_with(int threads, pscan_order order, unsigned flags)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.order = order;
    o.flags = flags;
    return o;
}

/* ------------------------------------------------------------ small cases */

Test(newops, logaddexp_f64_special_values)
{
    const double inf = INFINITY, nan_ = NAN;
    const double in[] = {0.0, 0.0, -inf, 1.5, -2.0, 700.0, -700.0, 700.0};
    double out[TU_COUNT(in)], want[TU_COUNT(in)], want_numpy[TU_COUNT(in)];
    int64_t n = TU_COUNT(in);
    want[0] = want_numpy[0] = in[0];
    for (size_t i = 1; i < TU_COUNT(in); i++) {
        want[i] = ref_lae(want[i - 1], in[i]);
        want_numpy[i] = numpy_lae(want_numpy[i - 1], in[i]);
    }
    cr_assert(eq(dbl, want[1], 0.6931471805599453)); /* equal arguments: x + log 2 */
    pscan_array ai = tu_vec((void *)in, PSCAN_FLOAT64, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    for (int order = 0; order < 2; order++) {
        pscan_opts o = opts_with(0, (pscan_order)order, 0);
        TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
        tu_assert_dbits(out, order == PSCAN_ORDER_SEQUENTIAL ? want_numpy : want, TU_COUNT(in));
    }
    /* -inf is the identity, +inf absorbs, NaN propagates */
    const double a[] = {-inf, -inf, 2.0, inf, 3.0, nan_, 1.0};
    const double wa[] = {-inf, -inf, 2.0, inf, inf, nan_, nan_};
    double oa[TU_COUNT(a)];
    int64_t na = TU_COUNT(a);
    pscan_array aa = tu_vec((void *)a, PSCAN_FLOAT64, &na), aoa = tu_vec(oa, PSCAN_FLOAT64, &na);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &aa, 0, PSCAN_FLOAT64, &aoa, NULL));
    for (size_t i = 0; i < TU_COUNT(a); i++) {
        if (isnan(wa[i]))
            cr_assert(isnan(oa[i]), "element %zu", i);
        else
            cr_assert(eq(dbl, oa[i], wa[i]), "element %zu", i);
    }
    /* SKIP_NAN: NaN counts as -inf */
    pscan_opts skip = opts_with(0, PSCAN_ORDER_REPRODUCIBLE, PSCAN_FLAG_SKIP_NAN);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &aa, 0, PSCAN_FLOAT64, &aoa, &skip));
    cr_assert(eq(dbl, oa[5], inf));
    cr_assert(eq(dbl, oa[6], inf));
    /* EXCLUSIVE and INCLUDE_INITIAL start at -inf */
    pscan_opts ex = opts_with(0, PSCAN_ORDER_REPRODUCIBLE, PSCAN_FLAG_EXCLUSIVE);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_FLOAT64, &ao, &ex));
    cr_assert(eq(dbl, out[0], -inf));
    tu_assert_dbits(out + 1, want, TU_COUNT(in) - 1);
}

Test(newops, logaddexp_f32_and_f16)
{
    const float in[] = {0.0f, 0.0f, -3.25f, 10.0f, 10.0f, -INFINITY, 0.125f, 88.0f};
    float out[TU_COUNT(in)], want[TU_COUNT(in)];
    uint16_t hin[TU_COUNT(in)], hout[TU_COUNT(in)], hwant[TU_COUNT(in)];
    int64_t n = TU_COUNT(in);
    want[0] = in[0];
    for (size_t i = 1; i < TU_COUNT(in); i++)
        want[i] = ref_laef(want[i - 1], in[i]);
    for (size_t i = 0; i < TU_COUNT(in); i++)
        hin[i] = tu_half_from_double(in[i]);
    hwant[0] = hin[0];
    for (size_t i = 1; i < TU_COUNT(in); i++)
        hwant[i] = tu_half_from_double(
            ref_laef((float)tu_half_to_double(hwant[i - 1]), (float)tu_half_to_double(hin[i])));
    pscan_array ai = tu_vec((void *)in, PSCAN_FLOAT32, &n), ao = tu_vec(out, PSCAN_FLOAT32, &n);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    tu_assert_fbits(out, want, TU_COUNT(in));
    pscan_array hi = tu_vec(hin, PSCAN_FLOAT16, &n), ho = tu_vec(hout, PSCAN_FLOAT16, &n);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &hi, 0, PSCAN_DTYPE_DEFAULT, &ho, NULL));
    for (size_t i = 0; i < TU_COUNT(in); i++)
        cr_assert(eq(u16, hout[i], hwant[i]), "element %zu", i);
    /* int8 input: numpy's default accumulator is float16 */
    const int8_t bytes[] = {1, 2, 3};
    uint16_t h3[3];
    int64_t n3 = 3;
    pscan_array bi = tu_vec((void *)bytes, PSCAN_INT8, &n3), bo = tu_vec(h3, PSCAN_FLOAT16, &n3);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &bi, 0, PSCAN_DTYPE_DEFAULT, &bo, NULL));
    uint16_t r = tu_half_from_double(1.0);
    cr_assert(eq(u16, h3[0], r));
    for (int i = 1; i < 3; i++) {
        r = tu_half_from_double(ref_laef((float)tu_half_to_double(r), (float)bytes[i]));
        cr_assert(eq(u16, h3[i], r), "element %d", i);
    }
}

/* Every integer dtype and bool: the three bitwise scans, plain, EXCLUSIVE,
 * REVERSE and both, against a loop over int64 values wrapped to the type. */
Test(newops, bitwise_every_integer_dtype)
{
    static const pscan_dtype types[] = {PSCAN_BOOL,   PSCAN_INT8,   PSCAN_INT16,
                                        PSCAN_INT32,  PSCAN_INT64,  PSCAN_UINT8,
                                        PSCAN_UINT16, PSCAN_UINT32, PSCAN_UINT64};
    static const pscan_op ops[] = {PSCAN_BIT_AND, PSCAN_BIT_OR, PSCAN_BIT_XOR};
    static const unsigned flag_sets[] = {0, PSCAN_FLAG_EXCLUSIVE, PSCAN_FLAG_REVERSE,
                                         PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE};
    enum { N = 37 };
    int64_t n = N;
    unsigned char in[N * 8], out[N * 8];
    uint64_t rng = 7;
    for (size_t t = 0; t < TU_COUNT(types); t++) {
        const pscan_dtype dt = types[t];
        const size_t size = tu_size(dt);
        int64_t vals[N];
        for (int i = 0; i < N; i++) {
            /* mostly-set bits so AND keeps some for a while */
            int64_t v = (int64_t)(tu_rand(&rng) | tu_rand(&rng) | tu_rand(&rng));
            if (dt == PSCAN_BOOL)
                v = i % 5 != 3;
            tu_put_i64(in + (size_t)i * size, dt, v);
            vals[i] = tu_get_i64(in + (size_t)i * size, dt);
        }
        for (size_t k = 0; k < TU_COUNT(ops); k++)
            for (size_t f = 0; f < TU_COUNT(flag_sets); f++) {
                const unsigned flags = flag_sets[f];
                const int rev = (flags & PSCAN_FLAG_REVERSE) != 0;
                const int excl = (flags & PSCAN_FLAG_EXCLUSIVE) != 0;
                unsigned char ident[16] = {0};
                TU_ASSERT_OK(pscan_identity(ops[k], dt, ident));
                int64_t acc = tu_get_i64(ident, dt), want[N];
                for (int s = 0; s < N; s++) {
                    const int i = rev ? N - 1 - s : s;
                    if (excl)
                        want[i] = acc;
                    const int64_t v = vals[i];
                    acc = ops[k] == PSCAN_BIT_AND  ? acc & v
                          : ops[k] == PSCAN_BIT_OR ? acc | v
                                                   : acc ^ v;
                    if (!excl)
                        want[i] = acc;
                }
                pscan_array ai = tu_vec(in, dt, &n), ao = tu_vec(out, dt, &n);
                pscan_opts o = opts_with(0, PSCAN_ORDER_REPRODUCIBLE, flags);
                TU_ASSERT_OK(pscan_scan(ops[k], &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
                for (int i = 0; i < N; i++) {
                    unsigned char w[16];
                    tu_put_i64(w, dt, want[i]);
                    cr_assert(eq(i64, tu_get_i64(out + (size_t)i * size, dt), tu_get_i64(w, dt)),
                              "dtype %s op %d flags %u element %d", pscan_dtype_name(dt),
                              (int)ops[k], flags, i);
                }
            }
    }
}

Test(newops, identities)
{
    unsigned char v[16];
    TU_ASSERT_OK(pscan_identity(PSCAN_BIT_AND, PSCAN_INT32, v));
    cr_assert(eq(i64, tu_get_i64(v, PSCAN_INT32), -1));
    TU_ASSERT_OK(pscan_identity(PSCAN_BIT_AND, PSCAN_UINT64, v));
    uint64_t u;
    memcpy(&u, v, 8);
    cr_assert(eq(u64, u, UINT64_MAX));
    TU_ASSERT_OK(pscan_identity(PSCAN_BIT_AND, PSCAN_BOOL, v));
    cr_assert(eq(u8, v[0], 1));
    TU_ASSERT_OK(pscan_identity(PSCAN_BIT_OR, PSCAN_INT16, v));
    cr_assert(eq(i64, tu_get_i64(v, PSCAN_INT16), 0));
    TU_ASSERT_OK(pscan_identity(PSCAN_BIT_XOR, PSCAN_UINT8, v));
    cr_assert(eq(u8, v[0], 0));
    TU_ASSERT_OK(pscan_identity(PSCAN_LOGADDEXP, PSCAN_FLOAT64, v));
    cr_assert(eq(dbl, tu_get_re(v, PSCAN_FLOAT64), -INFINITY));
    TU_ASSERT_OK(pscan_identity(PSCAN_LOGADDEXP, PSCAN_FLOAT16, v));
    cr_assert(eq(u16, (uint16_t)(v[0] | v[1] << 8), 0xFC00));
    cr_assert(eq(int, (int)pscan_identity(PSCAN_LOGADDEXP, PSCAN_INT32, v), (int)PSCAN_EDTYPE));
    cr_assert(
        eq(int, (int)pscan_identity(PSCAN_LOGADDEXP, PSCAN_COMPLEX128, v), (int)PSCAN_EDTYPE));
    cr_assert(eq(int, (int)pscan_identity(PSCAN_BIT_OR, PSCAN_FLOAT32, v), (int)PSCAN_EDTYPE));
}

Test(newops, default_dtypes)
{
    static const struct {
        pscan_dtype in, lae, bits;
    } rows[] = {
        {PSCAN_BOOL, PSCAN_FLOAT16, PSCAN_BOOL},
        {PSCAN_INT8, PSCAN_FLOAT16, PSCAN_INT8},
        {PSCAN_UINT8, PSCAN_FLOAT16, PSCAN_UINT8},
        {PSCAN_INT16, PSCAN_FLOAT32, PSCAN_INT16},
        {PSCAN_UINT16, PSCAN_FLOAT32, PSCAN_UINT16},
        {PSCAN_INT32, PSCAN_FLOAT64, PSCAN_INT32},
        {PSCAN_UINT32, PSCAN_FLOAT64, PSCAN_UINT32},
        {PSCAN_INT64, PSCAN_FLOAT64, PSCAN_INT64},
        {PSCAN_UINT64, PSCAN_FLOAT64, PSCAN_UINT64},
        {PSCAN_FLOAT16, PSCAN_FLOAT16, PSCAN_DTYPE_DEFAULT},
        {PSCAN_FLOAT32, PSCAN_FLOAT32, PSCAN_DTYPE_DEFAULT},
        {PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_DTYPE_DEFAULT},
        {PSCAN_COMPLEX64, PSCAN_DTYPE_DEFAULT, PSCAN_DTYPE_DEFAULT},
        {PSCAN_COMPLEX128, PSCAN_DTYPE_DEFAULT, PSCAN_DTYPE_DEFAULT},
    };
    for (size_t i = 0; i < TU_COUNT(rows); i++) {
        cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_LOGADDEXP, rows[i].in), (int)rows[i].lae),
                  "%s", pscan_dtype_name(rows[i].in));
        static const pscan_op bit_ops[] = {PSCAN_BIT_AND, PSCAN_BIT_OR, PSCAN_BIT_XOR};
        for (size_t k = 0; k < TU_COUNT(bit_ops); k++)
            cr_assert(eq(int, (int)pscan_default_dtype(bit_ops[k], rows[i].in), (int)rows[i].bits),
                      "%s", pscan_dtype_name(rows[i].in));
    }
}

/* Rejected accumulators: PSCAN_EDTYPE from every entry point, out
 * untouched, and pscan_scan_check agrees. */
Test(newops, rejected_dtypes_leave_out_untouched)
{
    static const struct {
        pscan_op op;
        pscan_dtype in, acc;
    } cases[] = {
        {PSCAN_LOGADDEXP, PSCAN_COMPLEX128, PSCAN_DTYPE_DEFAULT},
        {PSCAN_LOGADDEXP, PSCAN_COMPLEX64, PSCAN_DTYPE_DEFAULT},
        {PSCAN_LOGADDEXP, PSCAN_FLOAT64, PSCAN_INT32},
        {PSCAN_LOGADDEXP, PSCAN_INT64, PSCAN_BOOL},
        {PSCAN_LOGADDEXP, PSCAN_FLOAT64, PSCAN_COMPLEX128},
        {PSCAN_BIT_AND, PSCAN_FLOAT64, PSCAN_DTYPE_DEFAULT},
        {PSCAN_BIT_OR, PSCAN_FLOAT16, PSCAN_DTYPE_DEFAULT},
        {PSCAN_BIT_XOR, PSCAN_COMPLEX64, PSCAN_DTYPE_DEFAULT},
        {PSCAN_BIT_XOR, PSCAN_INT32, PSCAN_FLOAT32},
        {PSCAN_BIT_OR, PSCAN_INT32, PSCAN_COMPLEX128},
    };
    enum { N = 8 };
    _Alignas(16) unsigned char in[N * 16] = {0}, out[N * 16];
    int64_t n = N;
    for (size_t c = 0; c < TU_COUNT(cases); c++) {
        pscan_array ai = tu_vec(in, cases[c].in, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
        tu_fill_sentinel(out, sizeof out);
        for (int order = 0; order < 2; order++) {
            pscan_opts o = opts_with(0, (pscan_order)order, 0);
            cr_assert(eq(int, (int)pscan_scan(cases[c].op, &ai, 0, cases[c].acc, &ao, &o),
                         (int)PSCAN_EDTYPE),
                      "case %zu", c);
            cr_assert(eq(int, (int)pscan_scan_check(cases[c].op, &ai, 0, cases[c].acc, &ao, &o),
                         (int)PSCAN_EDTYPE),
                      "case %zu", c);
        }
        const int axes[1] = {0};
        cr_assert(eq(int, (int)pscan_scan_axes(cases[c].op, &ai, 1, axes, cases[c].acc, &ao, NULL),
                     (int)PSCAN_EDTYPE));
        cr_assert(eq(
            int,
            (int)pscan_scan_carry_state(cases[c].op, &ai, 0, cases[c].acc, &ao, NULL, NULL, NULL),
            (int)PSCAN_EDTYPE));
        unsigned char state[32];
        cr_assert(eq(
            int, (int)pscan_scan_reduce_state(cases[c].op, &ai, 0, cases[c].acc, NULL, NULL, state),
            (int)PSCAN_EDTYPE));
        cr_assert(eq(int,
                     (int)pscan_combine_states(cases[c].op, cases[c].in, cases[c].acc, NULL, in, in,
                                               state, 1),
                     (int)PSCAN_EDTYPE));
        cr_assert(eq(sz, pscan_scan_state_size(cases[c].op, cases[c].in, cases[c].acc, NULL), 0));
        tu_assert_sentinel(out, sizeof out);
    }
    pscan_stream *s = NULL;
    cr_assert(eq(int,
                 (int)pscan_stream_create(&s, PSCAN_BIT_OR, PSCAN_FLOAT64, 0, NULL,
                                          PSCAN_STREAM_STEPS, NULL),
                 (int)PSCAN_EDTYPE));
    cr_assert(eq(int,
                 (int)pscan_stream_create(&s, PSCAN_LOGADDEXP, PSCAN_INT64, 0, NULL,
                                          PSCAN_STREAM_STEPS, NULL),
                 (int)PSCAN_EDTYPE));
    cr_assert(eq(ptr, s, NULL));
}

/* ------------------------------------------------- long lanes and threads */

enum { LONG_N = 5 * 4096 + 1234 };

static void fill_f64(double *x, int64_t n, uint64_t seed)
{
    uint64_t rng = seed;
    for (int64_t i = 0; i < n; i++)
        x[i] = 8.0 * tu_rand_unit(&rng) - 4.0;
}

/* REPRODUCIBLE's definition: each 4096-element tile left to right, then
 * tile t's outputs are P(t-1) op its own scan, P(t) = P(t-1) op total(t). */
static void ref_tiles_lae(const double *x, double *out, int64_t n)
{
    double prefix = 0.0;
    for (int64_t start = 0; start < n; start += 4096) {
        const int64_t end = start + 4096 < n ? start + 4096 : n;
        double run = x[start];
        out[start] = start ? ref_lae(prefix, run) : run;
        for (int64_t i = start + 1; i < end; i++) {
            run = ref_lae(run, x[i]);
            out[i] = start ? ref_lae(prefix, run) : run;
        }
        prefix = start ? ref_lae(prefix, run) : run;
    }
}

Test(newops, logaddexp_long_lane_tiles_and_sequential)
{
    const int64_t n = LONG_N;
    double *x = tu_malloc(n * 8), *out = tu_malloc(n * 8), *want = tu_malloc(n * 8);
    fill_f64(x, n, 11);
    pscan_array ai = tu_vec(x, PSCAN_FLOAT64, &n), ao = tu_vec(out, PSCAN_FLOAT64, &n);
    ref_tiles_lae(x, want, n);
    for (int threads = 1; threads <= 4; threads++) {
        pscan_opts o = opts_with(threads, PSCAN_ORDER_REPRODUCIBLE, 0);
        TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
        tu_assert_dbits(out, want, (size_t)n);
    }
    want[0] = x[0];
    for (int64_t i = 1; i < n; i++)
        want[i] = numpy_lae(want[i - 1], x[i]);
    for (int threads = 1; threads <= 4; threads++) {
        pscan_opts o = opts_with(threads, PSCAN_ORDER_SEQUENTIAL, 0);
        TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
        tu_assert_dbits(out, want, (size_t)n);
    }
    /* REPRODUCIBLE stays close to the sequential order */
    pscan_opts o = opts_with(2, PSCAN_ORDER_REPRODUCIBLE, 0);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o));
    for (int64_t i = 0; i < n; i++)
        cr_assert(le(dbl, fabs(out[i] - want[i]), 1e-12 * fabs(want[i]) + 1e-13), "element %lld",
                  (long long)i);
    free(x);
    free(out);
    free(want);
}

/* Bits of a scan of op over `in` in one layout, for threads 1..4 (and both
 * orders): the same as with one thread. */
static void check_threads(pscan_op op, const pscan_array *in, int axis, pscan_dtype out_t,
                          const int64_t *out_shape, int out_ndim, int in_place, unsigned flags)
{
    const int64_t size = tu_prod(out_ndim, out_shape);
    const size_t bytes = (size_t)size * tu_size(out_t);
    unsigned char *first = tu_malloc(bytes), *got = tu_malloc(bytes);
    const size_t in_bytes = (size_t)tu_prod(in->ndim, in->shape) * tu_size(in->dtype);
    unsigned char *saved = in_place ? tu_malloc(in_bytes) : NULL;
    if (in_place)
        memcpy(saved, in->data, in_bytes);
    for (int order = 0; order < 2; order++)
        for (int threads = 1; threads <= 4; threads++) {
            pscan_array out = tu_arr(in_place ? in->data : got, out_t, out_ndim, out_shape, NULL);
            if (in_place)
                memcpy(in->data, saved, in_bytes);
            pscan_opts o = opts_with(threads, (pscan_order)order, flags);
            TU_ASSERT_OK(pscan_scan(op, in, axis, PSCAN_DTYPE_DEFAULT, &out, &o));
            if (threads == 1)
                memcpy(first, out.data, bytes);
            else
                cr_assert(eq(int, memcmp(first, out.data, bytes), 0), "op %d order %d threads %d",
                          (int)op, order, threads);
        }
    if (in_place) {
        memcpy(in->data, saved, in_bytes);
        free(saved);
    }
    free(first);
    free(got);
}

Test(newops, thread_counts_bit_identical_in_every_layout)
{
    static const pscan_op ops[] = {PSCAN_LOGADDEXP, PSCAN_BIT_XOR, PSCAN_BIT_AND, PSCAN_BIT_OR};
    const int64_t n = LONG_N;
    double *x = tu_malloc(2 * n * 8);
    int64_t *ix = tu_malloc(2 * n * 8);
    fill_f64(x, 2 * n, 5);
    uint64_t rng = 9;
    for (int64_t i = 0; i < 2 * n; i++)
        ix[i] = (int64_t)(tu_rand(&rng) | tu_rand(&rng));
    for (size_t k = 0; k < TU_COUNT(ops); k++) {
        const pscan_op op = ops[k];
        void *data = op == PSCAN_LOGADDEXP ? (void *)x : (void *)ix;
        const pscan_dtype t = op == PSCAN_LOGADDEXP ? PSCAN_FLOAT64 : PSCAN_INT64;
        /* 1-D, contiguous and every other element */
        const int64_t shape1[1] = {n}, stride2[1] = {16};
        pscan_array a = tu_arr(data, t, 1, shape1, NULL);
        check_threads(op, &a, 0, t, shape1, 1, 0, 0);
        a = tu_arr(data, t, 1, shape1, stride2);
        check_threads(op, &a, 0, t, shape1, 1, 0, 0);
        check_threads(op, &a, 0, t, shape1, 1, 0, PSCAN_FLAG_REVERSE | PSCAN_FLAG_EXCLUSIVE);
        /* axis 0 of a C array (lanes side by side), axis 1, axis None */
        const int64_t shape2[2] = {n / 4, 8}, flat[1] = {n / 4 * 8};
        a = tu_arr(data, t, 2, shape2, NULL);
        check_threads(op, &a, 0, t, shape2, 2, 0, 0);
        check_threads(op, &a, 1, t, shape2, 2, 0, 0);
        check_threads(op, &a, PSCAN_AXIS_NONE, t, flat, 1, 0, 0);
        /* in place */
        a = tu_arr(data, t, 1, shape1, NULL);
        check_threads(op, &a, 0, t, shape1, 1, 1, 0);
    }
    free(x);
    free(ix);
}

/* --------------------------------------------------- pieces and streams */

Test(newops, pieces_and_streams_continue_one_call)
{
    const int64_t n = LONG_N;
    double *x = tu_malloc(n * 8), *one = tu_malloc(n * 8), *got = tu_malloc(n * 8);
    int64_t *ix = tu_malloc(n * 8), *ione = tu_malloc(n * 8), *igot = tu_malloc(n * 8);
    fill_f64(x, n, 3);
    uint64_t rng = 4;
    for (int64_t i = 0; i < n; i++)
        ix[i] = (int64_t)tu_rand(&rng);
    pscan_array ai = tu_vec(x, PSCAN_FLOAT64, &n), ao = tu_vec(one, PSCAN_FLOAT64, &n);
    pscan_array bi = tu_vec(ix, PSCAN_INT64, &n), bo = tu_vec(ione, PSCAN_INT64, &n);
    for (int order = 0; order < 2; order++) {
        pscan_opts o = opts_with(2, (pscan_order)order, 0);
        TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &ai, 0, PSCAN_FLOAT64, &ao, &o));
        TU_ASSERT_OK(pscan_scan(PSCAN_BIT_XOR, &bi, 0, PSCAN_INT64, &bo, &o));
        /* pieces: tile-aligned for logaddexp (any cut is fine for SEQUENTIAL
         * and for XOR), each from the state the one before handed on */
        const int64_t lae_rows =
            pscan_carry_piece_rows(PSCAN_LOGADDEXP, PSCAN_FLOAT64, (pscan_order)order, 5000);
        const int64_t xor_rows =
            pscan_carry_piece_rows(PSCAN_BIT_XOR, PSCAN_INT64, (pscan_order)order, 5000);
        cr_assert(eq(i64, lae_rows, order == PSCAN_ORDER_SEQUENTIAL ? 5000 : 4096));
        cr_assert(eq(i64, xor_rows, 5000));
        double state = 0;
        int have = 0;
        for (int64_t at = 0; at < n; at += lae_rows) {
            int64_t len = n - at < lae_rows ? n - at : lae_rows;
            pscan_array pi = tu_vec(x + at, PSCAN_FLOAT64, &len),
                        po = tu_vec(got + at, PSCAN_FLOAT64, &len);
            double next;
            TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_LOGADDEXP, &pi, 0, PSCAN_FLOAT64, &po, &o,
                                                have ? &state : NULL, &next));
            state = next;
            have = 1;
        }
        tu_assert_dbits(got, one, (size_t)n);
        /* the state of the whole is the combine of two halves' states */
        int64_t h1 = 2 * 4096, h2 = n - h1;
        pscan_array p1 = tu_vec(x, PSCAN_FLOAT64, &h1), p2 = tu_vec(x + h1, PSCAN_FLOAT64, &h2);
        double s1, s2, s12;
        TU_ASSERT_OK(
            pscan_scan_reduce_state(PSCAN_LOGADDEXP, &p1, 0, PSCAN_FLOAT64, &o, NULL, &s1));
        TU_ASSERT_OK(
            pscan_scan_reduce_state(PSCAN_LOGADDEXP, &p2, 0, PSCAN_FLOAT64, &o, NULL, &s2));
        TU_ASSERT_OK(pscan_combine_states(PSCAN_LOGADDEXP, PSCAN_FLOAT64, PSCAN_FLOAT64, &o, &s1,
                                          &s2, &s12, 1));
        /* the second half's tiles chain among themselves first: another
         * grouping of the same steps, within a few ulps */
        cr_assert(le(dbl, fabs(s12 - one[n - 1]), 1e-12 * fabs(one[n - 1])));
        double s1_again;
        TU_ASSERT_OK(
            pscan_scan_reduce_state(PSCAN_LOGADDEXP, &p1, 0, PSCAN_FLOAT64, &o, NULL, &s1_again));
        cr_assert(eq(u64, tu_dbits(s1_again), tu_dbits(one[h1 - 1])));
        int64_t istate = 0;
        have = 0;
        for (int64_t at = 0; at < n; at += xor_rows) {
            int64_t len = n - at < xor_rows ? n - at : xor_rows;
            pscan_array pi = tu_vec(ix + at, PSCAN_INT64, &len),
                        po = tu_vec(igot + at, PSCAN_INT64, &len);
            TU_ASSERT_OK(pscan_scan_carry(PSCAN_BIT_XOR, &pi, PSCAN_INT64, &po, &o,
                                          have ? &istate : &(int64_t){0}));
            istate = igot[at + len - 1];
            have = 1;
        }
        tu_assert_i64s(igot, ione, (size_t)n);
        /* streams: whole-tile chunks for logaddexp, odd ones for XOR */
        pscan_stream *s = NULL, *xs = NULL;
        TU_ASSERT_OK(pscan_stream_create(&s, PSCAN_LOGADDEXP, PSCAN_FLOAT64, 0, NULL,
                                         PSCAN_STREAM_STEPS, &o));
        TU_ASSERT_OK(
            pscan_stream_create(&xs, PSCAN_BIT_XOR, PSCAN_INT64, 0, NULL, PSCAN_STREAM_STEPS, &o));
        for (int64_t at = 0; at < n; at += 3 * 4096) {
            int64_t len = n - at < 3 * 4096 ? n - at : 3 * 4096;
            pscan_array ci = tu_vec(x + at, PSCAN_FLOAT64, &len),
                        co = tu_vec(got + at, PSCAN_FLOAT64, &len);
            TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
        }
        for (int64_t at = 0; at < n; at += 777) {
            int64_t len = n - at < 777 ? n - at : 777;
            pscan_array ci = tu_vec(ix + at, PSCAN_INT64, &len),
                        co = tu_vec(igot + at, PSCAN_INT64, &len);
            TU_ASSERT_OK(pscan_stream_push(xs, &ci, &co));
        }
        tu_assert_dbits(got, one, (size_t)n);
        tu_assert_i64s(igot, ione, (size_t)n);
        double total;
        TU_ASSERT_OK(pscan_stream_total(s, &total));
        cr_assert(eq(u64, tu_dbits(total), tu_dbits(one[n - 1])));
        pscan_stream_destroy(s);
        pscan_stream_destroy(xs);
    }
    free(x);
    free(one);
    free(got);
    free(ix);
    free(ione);
    free(igot);
}

/* pscan_scan_axes: a bitwise summed-area table is each axis in turn. */
Test(newops, scan_axes_bitwise_and_logaddexp)
{
    enum { R = 33, C = 45 };
    const int64_t shape[2] = {R, C};
    int32_t in[R * C], out[R * C], mid[R * C], want[R * C];
    uint64_t rng = 21;
    for (int i = 0; i < R * C; i++)
        in[i] = (int32_t)tu_rand(&rng);
    pscan_array ai = tu_arr(in, PSCAN_INT32, 2, shape, NULL),
                am = tu_arr(mid, PSCAN_INT32, 2, shape, NULL),
                aw = tu_arr(want, PSCAN_INT32, 2, shape, NULL),
                ao = tu_arr(out, PSCAN_INT32, 2, shape, NULL);
    const int axes[2] = {0, 1};
    TU_ASSERT_OK(pscan_scan(PSCAN_BIT_OR, &ai, 1, PSCAN_DTYPE_DEFAULT, &am, NULL));
    TU_ASSERT_OK(pscan_scan(PSCAN_BIT_OR, &am, 0, PSCAN_DTYPE_DEFAULT, &aw, NULL));
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_BIT_OR, &ai, 2, axes, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    cr_assert(eq(int, memcmp(out, want, sizeof out), 0));
    double f[R * C], fm[R * C], fw[R * C], fo[R * C];
    fill_f64(f, R * C, 8);
    pscan_array fi = tu_arr(f, PSCAN_FLOAT64, 2, shape, NULL),
                fmid = tu_arr(fm, PSCAN_FLOAT64, 2, shape, NULL),
                fwant = tu_arr(fw, PSCAN_FLOAT64, 2, shape, NULL),
                fout = tu_arr(fo, PSCAN_FLOAT64, 2, shape, NULL);
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &fi, 1, PSCAN_DTYPE_DEFAULT, &fmid, NULL));
    TU_ASSERT_OK(pscan_scan(PSCAN_LOGADDEXP, &fmid, 0, PSCAN_DTYPE_DEFAULT, &fwant, NULL));
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_LOGADDEXP, &fi, 2, axes, PSCAN_DTYPE_DEFAULT, &fout, NULL));
    tu_assert_dbits(fo, fw, R * C);
}
