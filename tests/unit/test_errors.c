/*
 * test_errors.c - every error status, and `out` left byte-for-byte untouched
 * whenever a call fails.
 */
#include <limits.h>

#include "testutil.h"

#define OUTBYTES 512

static _Alignas(16) unsigned char outbuf[OUTBYTES];
static int64_t in_data[6] = {1, 2, 3, 4, 5, 6};
static const int64_t shape23[2] = {2, 3};

/* A valid (2,3) int64 -> (2,3) int64 call, for tests to spoil one thing. */
static pscan_array good_in(void)
{
    return tu_arr(in_data, PSCAN_INT64, 2, shape23, NULL);
}

static pscan_array good_out(void)
{
    return tu_arr(outbuf, PSCAN_INT64, 2, shape23, NULL);
}

/* Calls pscan_cumsum and pscan_scan(SUM) and expects `want` from both, with
 * the whole out buffer (and the input) still as they were. */
static void expect_status(pscan_status want, const pscan_array *in, int axis, pscan_dtype dt,
                          const pscan_array *out, const pscan_opts *opts)
{
    static const int64_t in_orig[6] = {1, 2, 3, 4, 5, 6};
    for (int variant = 0; variant < 2; ++variant) {
        tu_fill_sentinel(outbuf, OUTBYTES);
        pscan_status s = variant == 0 ? pscan_cumsum(in, axis, dt, out, opts)
                                      : pscan_scan(PSCAN_SUM, in, axis, dt, out, opts);
        cr_assert(eq(int, (int)s, (int)want), "%s: got %d (%s), expected %d (%s)",
                  variant == 0 ? "pscan_cumsum" : "pscan_scan", (int)s, pscan_strerror(s),
                  (int)want, pscan_strerror(want));
        if (want != PSCAN_OK)
            tu_assert_sentinel(outbuf, OUTBYTES);
        tu_assert_i64s(in_data, in_orig, 6);
    }
}

static void expect_err(pscan_status want, const pscan_array *in, int axis, const pscan_array *out)
{
    expect_status(want, in, axis, PSCAN_DTYPE_DEFAULT, out, NULL);
}

static void expect_opts_err(pscan_status want, const pscan_opts *opts)
{
    pscan_array in = good_in(), out = good_out();
    expect_status(want, &in, 1, PSCAN_DTYPE_DEFAULT, &out, opts);
}

Test(errors, valid_baseline_call_succeeds)
{
    pscan_array in = good_in(), out = good_out();
    expect_err(PSCAN_OK, &in, 1, &out);
    const int64_t want[6] = {1, 3, 6, 4, 9, 15};
    tu_assert_i64s((const int64_t *)(void *)outbuf, want, 6);
    /* bytes after the result are not written */
    for (size_t i = 48; i < OUTBYTES; ++i)
        cr_assert(eq(u8, outbuf[i], tu_sentinel_byte(i)), "byte %zu", i);
}

Test(errors, null_array_pointers)
{
    pscan_array in = good_in(), out = good_out();
    expect_err(PSCAN_ENULL, NULL, 0, &out);
    expect_err(PSCAN_ENULL, &in, 0, NULL);
    expect_err(PSCAN_ENULL, NULL, 0, NULL);
    tu_fill_sentinel(outbuf, OUTBYTES);
    cr_assert(eq(int, (int)pscan_scan(PSCAN_SUM, NULL, 0, PSCAN_DTYPE_DEFAULT, NULL, NULL),
                 (int)PSCAN_ENULL));
}

Test(errors, null_data_with_elements)
{
    pscan_array in = good_in(), out = good_out();
    in.data = NULL;
    expect_err(PSCAN_ENULL, &in, 0, &out);
    in = good_in();
    out.data = NULL;
    expect_err(PSCAN_ENULL, &in, 0, &out);
    /* also for a 0-d input (one element) */
    pscan_array in0 = tu_arr(NULL, PSCAN_INT64, 0, NULL, NULL);
    const int64_t one = 1;
    pscan_array out1 = tu_arr(outbuf, PSCAN_INT64, 1, &one, NULL);
    expect_err(PSCAN_ENULL, &in0, 0, &out1);
}

Test(errors, null_shape_with_dims)
{
    pscan_array in = good_in(), out = good_out();
    in.shape = NULL;
    expect_err(PSCAN_ENULL, &in, 0, &out);
    in = good_in();
    out.shape = NULL;
    expect_err(PSCAN_ENULL, &in, 0, &out);
}

Test(errors, null_data_is_fine_for_zero_size)
{
    const int64_t shape[2] = {3, 0};
    pscan_array in = tu_arr(NULL, PSCAN_INT64, 2, shape, NULL);
    pscan_array out = tu_arr(NULL, PSCAN_INT64, 2, shape, NULL);
    cr_assert(eq(int, (int)pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL), (int)PSCAN_OK));
    cr_assert(eq(int,
                 (int)pscan_cumsum(&in, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT,
                                   &(pscan_array){NULL, PSCAN_INT64, 1, (const int64_t[]){0}, NULL},
                                   NULL),
                 (int)PSCAN_OK));
}

Test(errors, ndim_out_of_range)
{
    const int bad[] = {-1, PSCAN_MAX_DIMS + 1, INT_MIN, INT_MAX};
    int64_t shape[PSCAN_MAX_DIMS + 1];
    for (int d = 0; d < PSCAN_MAX_DIMS + 1; ++d)
        shape[d] = 1;
    for (size_t k = 0; k < TU_COUNT(bad); ++k) {
        pscan_array in = good_in(), out = good_out();
        in.ndim = bad[k];
        in.shape = shape;
        expect_err(PSCAN_ENDIM, &in, 0, &out);
        expect_err(PSCAN_ENDIM, &in, PSCAN_AXIS_NONE, &out);
        in = good_in();
        out.ndim = bad[k];
        out.shape = shape;
        expect_err(PSCAN_ENDIM, &in, 0, &out);
    }
}

Test(errors, negative_dimension)
{
    const int64_t s1[2] = {2, -1}, s2[2] = {0, -3}, s3[1] = {-1};
    const int64_t *shapes[] = {s1, s2};
    for (size_t k = 0; k < TU_COUNT(shapes); ++k) {
        pscan_array in = tu_arr(in_data, PSCAN_INT64, 2, shapes[k], NULL);
        pscan_array out = tu_arr(outbuf, PSCAN_INT64, 2, shapes[k], NULL);
        expect_err(PSCAN_ESHAPE, &in, 0, &out);
        expect_err(PSCAN_ESHAPE, &in, 1, &out);
    }
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 1, s3, NULL);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 1, s3, NULL);
    expect_err(PSCAN_ESHAPE, &in, 0, &out);
    expect_err(PSCAN_ESHAPE, &in, PSCAN_AXIS_NONE, &out);
}

Test(errors, negative_dimension_in_out_only)
{
    const int64_t s[2] = {2, -3};
    pscan_array in = good_in();
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 2, s, NULL);
    tu_fill_sentinel(outbuf, OUTBYTES);
    pscan_status st = pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL);
    /* negative dims are checked, in both arrays, before shapes are compared */
    cr_assert(eq(int, (int)st, (int)PSCAN_ESHAPE));
    tu_assert_sentinel(outbuf, OUTBYTES);
}

Test(errors, axis_out_of_range)
{
    pscan_array in = good_in(), out = good_out();
    const int bad[] = {2, 3, -3, -4, INT_MAX, INT_MIN + 1, 1000};
    for (size_t k = 0; k < TU_COUNT(bad); ++k)
        expect_err(PSCAN_EAXIS, &in, bad[k], &out);

    /* 1-D */
    const int64_t n6 = 6;
    pscan_array in1 = tu_arr(in_data, PSCAN_INT64, 1, &n6, NULL);
    pscan_array out1 = tu_arr(outbuf, PSCAN_INT64, 1, &n6, NULL);
    expect_err(PSCAN_EAXIS, &in1, 1, &out1);
    expect_err(PSCAN_EAXIS, &in1, -2, &out1);

    /* 0-d: behaves as 1-D of one element, so only 0 and -1 are valid */
    const int64_t one = 1;
    pscan_array in0 = tu_arr(in_data, PSCAN_INT64, 0, NULL, NULL);
    pscan_array outo = tu_arr(outbuf, PSCAN_INT64, 1, &one, NULL);
    expect_err(PSCAN_EAXIS, &in0, 1, &outo);
    expect_err(PSCAN_EAXIS, &in0, -2, &outo);
}

Test(errors, axis_out_of_range_ndim64)
{
    int64_t shape[PSCAN_MAX_DIMS];
    for (int d = 0; d < PSCAN_MAX_DIMS; ++d)
        shape[d] = 1;
    pscan_array in = tu_arr(in_data, PSCAN_INT64, PSCAN_MAX_DIMS, shape, NULL);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, PSCAN_MAX_DIMS, shape, NULL);
    expect_err(PSCAN_EAXIS, &in, PSCAN_MAX_DIMS, &out);
    expect_err(PSCAN_EAXIS, &in, -PSCAN_MAX_DIMS - 1, &out);
    expect_err(PSCAN_OK, &in, -PSCAN_MAX_DIMS, &out);
    expect_err(PSCAN_OK, &in, PSCAN_MAX_DIMS - 1, &out);
}

Test(errors, out_shape_mismatch)
{
    pscan_array in = good_in();
    const int64_t n6 = 6, s32[2] = {3, 2}, s24[2] = {2, 4}, s231[3] = {2, 3, 1};
    pscan_array o1 = tu_arr(outbuf, PSCAN_INT64, 1, &n6, NULL);
    pscan_array o2 = tu_arr(outbuf, PSCAN_INT64, 2, s32, NULL);
    pscan_array o3 = tu_arr(outbuf, PSCAN_INT64, 2, s24, NULL);
    pscan_array o4 = tu_arr(outbuf, PSCAN_INT64, 3, s231, NULL);
    const pscan_array *outs[] = {&o1, &o2, &o3, &o4};
    for (size_t k = 0; k < TU_COUNT(outs); ++k) {
        expect_err(PSCAN_EOUTSHAPE, &in, 0, outs[k]);
        expect_err(PSCAN_EOUTSHAPE, &in, -1, outs[k]);
    }
}

Test(errors, out_shape_mismatch_zero_size)
{
    const int64_t s03[2] = {0, 3}, s04[2] = {0, 4}, s30[2] = {3, 0};
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 2, s03, NULL);
    pscan_array o1 = tu_arr(outbuf, PSCAN_INT64, 2, s04, NULL);
    pscan_array o2 = tu_arr(outbuf, PSCAN_INT64, 2, s30, NULL);
    expect_err(PSCAN_EOUTSHAPE, &in, 0, &o1);
    expect_err(PSCAN_EOUTSHAPE, &in, 1, &o2);
    /* flattened: out must be 1-D of 0 elements */
    const int64_t one = 1;
    pscan_array o3 = tu_arr(outbuf, PSCAN_INT64, 1, &one, NULL);
    expect_err(PSCAN_EOUTSHAPE, &in, PSCAN_AXIS_NONE, &o3);
}

Test(errors, out_shape_mismatch_flattened)
{
    pscan_array in = good_in();
    const int64_t n5 = 5, n7 = 7, s61[2] = {6, 1}, s16[2] = {1, 6};
    pscan_array bad[] = {
        tu_arr(outbuf, PSCAN_INT64, 1, &n5, NULL),     tu_arr(outbuf, PSCAN_INT64, 1, &n7, NULL),
        tu_arr(outbuf, PSCAN_INT64, 2, shape23, NULL), tu_arr(outbuf, PSCAN_INT64, 2, s61, NULL),
        tu_arr(outbuf, PSCAN_INT64, 2, s16, NULL),     tu_arr(outbuf, PSCAN_INT64, 0, NULL, NULL)};
    for (size_t k = 0; k < TU_COUNT(bad); ++k)
        expect_err(PSCAN_EOUTSHAPE, &in, PSCAN_AXIS_NONE, &bad[k]);
}

Test(errors, out_shape_for_0d_input)
{
    int64_t scalar = 42;
    pscan_array in = tu_arr(&scalar, PSCAN_INT64, 0, NULL, NULL);
    const int64_t one = 1, two = 2, s11[2] = {1, 1};
    pscan_array bad[] = {tu_arr(outbuf, PSCAN_INT64, 0, NULL, NULL),
                         tu_arr(outbuf, PSCAN_INT64, 1, &two, NULL),
                         tu_arr(outbuf, PSCAN_INT64, 2, s11, NULL)};
    for (size_t k = 0; k < TU_COUNT(bad); ++k) {
        tu_fill_sentinel(outbuf, OUTBYTES);
        cr_assert(eq(int, (int)pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &bad[k], NULL),
                     (int)PSCAN_EOUTSHAPE),
                  "case %zu", k);
        tu_assert_sentinel(outbuf, OUTBYTES);
    }
    pscan_array good = tu_arr(outbuf, PSCAN_INT64, 1, &one, NULL);
    const int axes[] = {0, -1, PSCAN_AXIS_NONE};
    for (size_t k = 0; k < TU_COUNT(axes); ++k) {
        tu_fill_sentinel(outbuf, OUTBYTES);
        cr_assert(eq(int, (int)pscan_cumsum(&in, axes[k], PSCAN_DTYPE_DEFAULT, &good, NULL),
                     (int)PSCAN_OK),
                  "axis %d", axes[k]);
        cr_assert(eq(i64, tu_get_i64(outbuf, PSCAN_INT64), 42));
        for (size_t i = 8; i < OUTBYTES; ++i)
            cr_assert(eq(u8, outbuf[i], tu_sentinel_byte(i)));
    }
}

Test(errors, bad_dtypes)
{
    const pscan_dtype bad[] = {PSCAN_DTYPE_DEFAULT, PSCAN_DTYPE_COUNT,
                               (pscan_dtype)(PSCAN_DTYPE_COUNT + 5), (pscan_dtype)-1};
    for (size_t k = 0; k < TU_COUNT(bad); ++k) {
        pscan_array in = good_in(), out = good_out();
        in.dtype = bad[k];
        expect_err(PSCAN_EDTYPE, &in, 0, &out);
        in = good_in();
        out.dtype = bad[k];
        expect_err(PSCAN_EDTYPE, &in, 0, &out);
        out = good_out();
        if (bad[k] != PSCAN_DTYPE_DEFAULT)
            expect_status(PSCAN_EDTYPE, &in, 0, bad[k], &out, NULL);
    }
}

Test(errors, bad_op)
{
    const pscan_op bad[] = {PSCAN_OP_COUNT, (pscan_op)(PSCAN_OP_COUNT + 7), (pscan_op)-1};
    pscan_array in = good_in(), out = good_out();
    for (size_t k = 0; k < TU_COUNT(bad); ++k) {
        tu_fill_sentinel(outbuf, OUTBYTES);
        pscan_status s = pscan_scan(bad[k], &in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL);
        cr_assert(eq(int, (int)s, (int)PSCAN_EOP), "op %d: got %d", (int)bad[k], (int)s);
        tu_assert_sentinel(outbuf, OUTBYTES);
    }
}

Test(errors, size_overflow_shape_product)
{
    const int64_t big[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
    const int64_t huge[2] = {INT64_MAX, 2};
    const int64_t *shapes[] = {big, huge};
    for (size_t k = 0; k < TU_COUNT(shapes); ++k) {
        pscan_array in = tu_arr(in_data, PSCAN_INT64, 2, shapes[k], NULL);
        pscan_array out = tu_arr(outbuf, PSCAN_INT64, 2, shapes[k], NULL);
        expect_err(PSCAN_ESIZE, &in, 0, &out);
        expect_err(PSCAN_ESIZE, &in, 1, &out);
    }
}

Test(errors, size_overflow_many_dims)
{
    /* 64 dims of 2 is 2^64 elements, 63 dims of 2 is 2^63 > INT64_MAX */
    int64_t shape[PSCAN_MAX_DIMS];
    for (int d = 0; d < PSCAN_MAX_DIMS; ++d)
        shape[d] = 2;
    const int ndims[2] = {PSCAN_MAX_DIMS, PSCAN_MAX_DIMS - 1};
    for (int k = 0; k < 2; ++k) {
        pscan_array in = tu_arr(in_data, PSCAN_INT8, ndims[k], shape, NULL);
        pscan_array out = tu_arr(outbuf, PSCAN_INT8, ndims[k], shape, NULL);
        expect_err(PSCAN_ESIZE, &in, 0, &out);
        expect_err(PSCAN_ESIZE, &in, -1, &out);
    }
}

Test(errors, size_overflow_bytes)
{
    /* 2^61 int64 elements: the count fits, the byte extent does not */
    const int64_t n = INT64_C(1) << 61;
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 1, &n, NULL);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 1, &n, NULL);
    expect_err(PSCAN_ESIZE, &in, 0, &out);
    /* complex128: 2^60 elements of 16 bytes */
    const int64_t m = INT64_C(1) << 60;
    pscan_array inc = tu_arr(in_data, PSCAN_COMPLEX128, 1, &m, NULL);
    pscan_array outc = tu_arr(outbuf, PSCAN_COMPLEX128, 1, &m, NULL);
    expect_err(PSCAN_ESIZE, &inc, 0, &outc);
}

Test(errors, size_overflow_strides)
{
    const int64_t n3 = 3;
    const int64_t bigstride = INT64_MAX / 2 + 2; /* 2 * stride overflows either way */
    const int64_t strides_pos = bigstride, strides_neg = -bigstride;
    const int64_t *strides[] = {&strides_pos, &strides_neg};
    for (size_t k = 0; k < TU_COUNT(strides); ++k) {
        pscan_array in = tu_arr(in_data, PSCAN_INT64, 1, &n3, strides[k]);
        pscan_array out = tu_arr(outbuf, PSCAN_INT64, 1, &n3, NULL);
        expect_err(PSCAN_ESIZE, &in, 0, &out);
        in = tu_arr(in_data, PSCAN_INT64, 1, &n3, NULL);
        out = tu_arr(outbuf, PSCAN_INT64, 1, &n3, strides[k]);
        expect_err(PSCAN_ESIZE, &in, 0, &out);
    }
    /* two dims whose extents each fit but whose sum does not */
    const int64_t s22[2] = {2, 2}, st[2] = {INT64_MAX - 4, INT64_MAX - 4};
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 2, s22, st);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 2, s22, NULL);
    expect_err(PSCAN_ESIZE, &in, 0, &out);
}

Test(errors, address_wraps_below_zero)
{
    /* the extent fits in int64 but data - 2^62 wraps the address space */
    const int64_t n2 = 2, st = -(INT64_C(1) << 62);
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 1, &n2, &st);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 1, &n2, NULL);
    expect_err(PSCAN_ESIZE, &in, 0, &out);
}

Test(errors, out_elements_alias)
{
    const int64_t n3 = 3, zero = 0, four = 4;
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 1, &n3, NULL);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 1, &n3, &zero);
    expect_err(PSCAN_EOUTALIAS, &in, 0, &out);
    expect_err(PSCAN_EOUTALIAS, &in, PSCAN_AXIS_NONE, &out);
    /* 8-byte elements 4 bytes apart overlap */
    out = tu_arr(outbuf, PSCAN_INT64, 1, &n3, &four);
    expect_err(PSCAN_EOUTALIAS, &in, 0, &out);

    pscan_array in2 = good_in();
    const int64_t st0[2] = {0, 8}, st1[2] = {24, 0};
    pscan_array o0 = tu_arr(outbuf, PSCAN_INT64, 2, shape23, st0);
    pscan_array o1 = tu_arr(outbuf, PSCAN_INT64, 2, shape23, st1);
    expect_err(PSCAN_EOUTALIAS, &in2, 0, &o0);
    expect_err(PSCAN_EOUTALIAS, &in2, 1, &o1);
    /* interleaved dims: element (0,2) and (1,0) share an address */
    const int64_t st2[2] = {16, 8};
    pscan_array o2 = tu_arr(outbuf, PSCAN_INT64, 2, shape23, st2);
    expect_err(PSCAN_EOUTALIAS, &in2, 1, &o2);
}

Test(errors, zero_stride_is_fine_where_not_aliasing)
{
    /* stride 0 on a dimension of size 1 in out, and any zero stride in in */
    const int64_t s13[2] = {1, 3}, ost[2] = {0, 8}, ist[2] = {0, 0};
    pscan_array in = tu_arr(in_data, PSCAN_INT64, 2, s13, ist);
    pscan_array out = tu_arr(outbuf, PSCAN_INT64, 2, s13, ost);
    expect_err(PSCAN_OK, &in, 1, &out);
    const int64_t want[3] = {1, 2, 3};
    tu_assert_i64s((const int64_t *)(void *)outbuf, want, 3);
}

Test(errors, bad_options)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = -1;
    expect_opts_err(PSCAN_EOPTS, &o);
    o.threads = INT_MIN;
    expect_opts_err(PSCAN_EOPTS, &o);

    pscan_opts p = PSCAN_OPTS_INIT;
    p.order = (pscan_order)2;
    expect_opts_err(PSCAN_EOPTS, &p);
    p.order = (pscan_order)-1;
    expect_opts_err(PSCAN_EOPTS, &p);

    pscan_opts c = PSCAN_OPTS_INIT;
    c.casting = (pscan_casting)3;
    expect_opts_err(PSCAN_EOPTS, &c);
    c.casting = (pscan_casting)-1;
    expect_opts_err(PSCAN_EOPTS, &c);

    const unsigned badflags[] = {1u << 6, 1u << 20, 0x80000000u, 1u << 20 | PSCAN_FLAG_REVERSE};
    for (size_t k = 0; k < TU_COUNT(badflags); ++k) {
        pscan_opts f = PSCAN_OPTS_INIT;
        f.flags = badflags[k];
        expect_opts_err(PSCAN_EOPTS, &f);
    }
}

Test(errors, default_options_equal_null)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    cr_assert(eq(int, o.threads, 0));
    cr_assert(eq(int, (int)o.order, (int)PSCAN_ORDER_REPRODUCIBLE));
    cr_assert(eq(int, (int)o.casting, (int)PSCAN_CASTING_UNSAFE));
    cr_assert(eq(uint, o.flags, 0u));
    cr_assert(eq(ptr, (void *)o.ctx, NULL));
    pscan_array in = good_in(), out = good_out();
    expect_status(PSCAN_OK, &in, 0, PSCAN_DTYPE_DEFAULT, &out, &o);
    const int64_t want[6] = {1, 2, 3, 5, 7, 9};
    tu_assert_i64s((const int64_t *)(void *)outbuf, want, 6);
}

Test(errors, strerror_texts)
{
    for (int s = 0; s < PSCAN_STATUS_COUNT; ++s) {
        const char *t = pscan_strerror((pscan_status)s);
        cr_assert(ne(ptr, (void *)t, NULL), "status %d", s);
        cr_assert(ge(sz, strlen(t), (size_t)1), "status %d", s);
        for (int r = 0; r < s; ++r)
            cr_assert(ne(str, (char *)t, (char *)pscan_strerror((pscan_status)r)),
                      "statuses %d and %d share a text", r, s);
    }
    const int unknown[] = {-1, PSCAN_STATUS_COUNT, PSCAN_STATUS_COUNT + 1, 12345, INT_MIN};
    for (size_t k = 0; k < TU_COUNT(unknown); ++k) {
        const char *t = pscan_strerror((pscan_status)unknown[k]);
        cr_assert(ne(ptr, (void *)t, NULL));
        cr_assert(ge(sz, strlen(t), (size_t)1));
        cr_assert(ne(str, (char *)t, (char *)pscan_strerror(PSCAN_OK)));
    }
}

Test(errors, context_create_null)
{
    cr_assert(eq(int, (int)pscan_context_create(NULL), (int)PSCAN_ENULL));
}
