/*
 * test_flags.c - opts.flags. Each known flag may still return PSCAN_ENOTSUP
 * (with out untouched); when it returns PSCAN_OK the values must be the
 * documented ones. Unknown bits are PSCAN_EOPTS (see test_errors.c).
 */
#include "testutil.h"

static _Alignas(16) unsigned char ob[256];

/* 1-D scan with flags; returns 1 if OK, 0 if ENOTSUP (out untouched). */
static int run_flags(unsigned flags, const void *in, pscan_dtype it, int64_t n, int64_t out_n, pscan_dtype acc,
                     pscan_dtype ot, pscan_status *status_out)
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

Test(flags, exclusive)
{
    if (run_flags(PSCAN_FLAG_EXCLUSIVE, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, NULL)) {
        const int64_t w[4] = {0, 1, 3, 6};
        expect_i64(w, 4, "exclusive");
    }
}

Test(flags, reverse)
{
    if (run_flags(PSCAN_FLAG_REVERSE, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, NULL)) {
        const int64_t w[4] = {10, 9, 7, 4};
        expect_i64(w, 4, "reverse");
    }
}

Test(flags, exclusive_reverse)
{
    if (run_flags(PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT,
                  PSCAN_INT64, NULL)) {
        const int64_t w[4] = {9, 7, 4, 0};
        expect_i64(w, 4, "exclusive reverse");
    }
}

Test(flags, include_initial)
{
    pscan_status s;
    run_flags(PSCAN_FLAG_INCLUDE_INITIAL, in4, PSCAN_INT64, 4, 5, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    TU_ASSERT_EITHER(s, PSCAN_OK, PSCAN_ENOTSUP);
    if (s == PSCAN_ENOTSUP) {
        tu_assert_sentinel(ob, sizeof ob);
        return;
    }
    const int64_t w[5] = {0, 1, 3, 6, 10};
    expect_i64(w, 5, "include initial");
    /* then out must be one longer than in along the axis */
    run_flags(PSCAN_FLAG_INCLUDE_INITIAL, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOUTSHAPE));
    tu_assert_sentinel(ob, sizeof ob);
}

Test(flags, skip_nan)
{
    /* numpy.nancumsum([nan, 1, nan, 2]) == [0, 1, 1, 3] */
    const double in[4] = {NAN, 1.0, NAN, 2.0};
    if (run_flags(PSCAN_FLAG_SKIP_NAN, in, PSCAN_FLOAT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64, NULL)) {
        const double w[4] = {0.0, 1.0, 1.0, 3.0};
        for (int i = 0; i < 4; ++i)
            cr_assert(eq(dbl, tu_get_re(ob + 8 * i, PSCAN_FLOAT64), w[i]), "element %d", i);
    }
    /* integers have no NaN: same as cumsum */
    if (run_flags(PSCAN_FLAG_SKIP_NAN, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, NULL)) {
        const int64_t w[4] = {1, 3, 6, 10};
        expect_i64(w, 4, "skip nan ints");
    }
}

Test(flags, check_overflow)
{
    pscan_status s;
    /* no overflow: plain values */
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    TU_ASSERT_EITHER(s, PSCAN_OK, PSCAN_ENOTSUP);
    if (s == PSCAN_ENOTSUP) {
        tu_assert_sentinel(ob, sizeof ob);
        return;
    }
    const int64_t w[4] = {1, 3, 6, 10};
    expect_i64(w, 4, "check overflow, none");
    /* int64 overflow */
    const int64_t big[2] = {INT64_MAX, 1};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, big, PSCAN_INT64, 2, 2, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    /* uint8 accumulator: 200 + 100 */
    const int64_t u[2] = {200, 100};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, u, PSCAN_INT64, 2, 2, PSCAN_UINT8, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOVERFLOW));
    /* int8 input, int64 default accumulator: no overflow */
    const int8_t i8[2] = {100, 100};
    run_flags(PSCAN_FLAG_CHECK_OVERFLOW, i8, PSCAN_INT8, 2, 2, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, &s);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK));
    const int64_t w8[2] = {100, 200};
    expect_i64(w8, 2, "int8 widened");
}

Test(flags, compensated)
{
    const int64_t n = (INT64_C(1) << 24) + 10;
    float *in = malloc((size_t)n * 4), *out = malloc((size_t)n * 4);
    cr_assert(all(ne(ptr, in, NULL), ne(ptr, out, NULL)));
    for (int64_t i = 0; i < n; ++i)
        in[i] = 1.0f;
    pscan_array ai = tu_vec(in, PSCAN_FLOAT32, &n), ao = tu_vec(out, PSCAN_FLOAT32, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED;
    out[n - 1] = -1.0f;
    pscan_status s = pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o);
    TU_ASSERT_EITHER(s, PSCAN_OK, PSCAN_ENOTSUP);
    if (s == PSCAN_OK) {
        /* numpy stalls at 16777216; compensated sums stay exact here */
        cr_assert(eq(flt, out[n - 1], 16777226.0f));
        cr_assert(eq(flt, out[0], 1.0f));
        cr_assert(eq(flt, out[1000], 1001.0f));
    } else {
        cr_assert(eq(flt, out[n - 1], -1.0f));
    }
    free(in);
    free(out);
}

Test(flags, zero_flags_is_plain_cumsum)
{
    cr_assert(eq(int, run_flags(0u, in4, PSCAN_INT64, 4, 4, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, NULL), 1));
    const int64_t w[4] = {1, 3, 6, 10};
    expect_i64(w, 4, "no flags");
}
