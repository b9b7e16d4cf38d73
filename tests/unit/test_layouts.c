/*
 * test_layouts.c - memory layouts: C and Fortran order, negative strides,
 * zero (broadcast) strides in the input, 0-d, zero-length dims, 64 dims,
 * every axis including negative ones, and PSCAN_AXIS_NONE flattening in C
 * order whatever the layout. Out's bytes between its elements stay as they
 * were.
 */
#include "testutil.h"

/* ---------------------------------------------------------------- views */

typedef struct view {
    unsigned char *buf; /* allocation */
    size_t bytes;
    pscan_array a;
    int64_t shape[PSCAN_MAX_DIMS];
    int64_t strides[PSCAN_MAX_DIMS];
} view;

/* A view of `shape` laid out with explicit element strides (in units of
 * elements, may be negative or 0); memory sized to fit exactly. */
static void make_view(view *v, pscan_dtype t, int ndim, const int64_t *shape,
                      const int64_t *el_strides)
{
    int64_t es = (int64_t)tu_size(t), lo = 0, hi = 0;
    for (int d = 0; d < ndim; ++d) {
        v->shape[d] = shape[d];
        v->strides[d] = el_strides[d] * es;
        if (shape[d] > 0) {
            int64_t ext = (shape[d] - 1) * v->strides[d];
            if (ext < 0)
                lo += ext;
            else
                hi += ext;
        }
    }
    v->bytes = (size_t)(hi - lo + es);
    v->buf = malloc(v->bytes);
    cr_assert(ne(ptr, v->buf, NULL));
    tu_fill_sentinel(v->buf, v->bytes);
    v->a = tu_arr(v->buf - lo, t, ndim, v->shape, v->strides);
}

/* Random layout: dims in a random memory order, random padding, random
 * flips, and (if zero_ok) random zero strides. */
static void rand_view(view *v, pscan_dtype t, int ndim, const int64_t *shape, uint64_t *rng,
                      int zero_ok)
{
    int perm[PSCAN_MAX_DIMS];
    int64_t el[PSCAN_MAX_DIMS];
    for (int d = 0; d < ndim; ++d)
        perm[d] = d;
    for (int d = ndim - 1; d > 0; --d) {
        int j = (int)tu_rand_range(rng, 0, d);
        int tmp = perm[d];
        perm[d] = perm[j];
        perm[j] = tmp;
    }
    int64_t cur = tu_rand_range(rng, 1, 2);
    for (int k = 0; k < ndim; ++k) {
        int d = perm[k];
        if (shape[d] == 1) { /* the stride of a length-1 dim never matters */
            el[d] = tu_rand_range(rng, -1000, 1000);
            continue;
        }
        el[d] = cur;
        cur *= (shape[d] > 0 ? shape[d] : 1) + (tu_rand_range(rng, 0, 3) == 0 ? 1 : 0);
        if (tu_rand_range(rng, 0, 2) == 0)
            el[d] = -el[d];
        if (zero_ok && tu_rand_range(rng, 0, 5) == 0)
            el[d] = 0;
    }
    make_view(v, t, ndim, shape, el);
}

static void free_view(view *v)
{
    free(v->buf);
    v->buf = NULL;
}

/* Store values in C order through the view (zero strides: last one wins);
 * small enough that float32 sums of 20000 of them stay exact. */
static void fill_view(view *v, uint64_t *rng)
{
    int64_t idx[PSCAN_MAX_DIMS] = {0};
    if (tu_prod(v->a.ndim, v->a.shape) == 0)
        return;
    do {
        tu_put_i64(tu_at(&v->a, idx), v->a.dtype, tu_rand_range(rng, -100, 100));
    } while (tu_next(v->a.ndim, v->a.shape, idx));
}

/* Every byte of out's allocation that is no element's still holds the
 * sentinel. */
static void assert_gaps_untouched(const view *o)
{
    unsigned char *mark = calloc(o->bytes, 1);
    cr_assert(ne(ptr, mark, NULL));
    int64_t idx[PSCAN_MAX_DIMS] = {0};
    size_t es = tu_size(o->a.dtype);
    if (tu_prod(o->a.ndim, o->a.shape) > 0) {
        do {
            size_t off = (size_t)(tu_at(&o->a, idx) - (char *)o->buf);
            memset(mark + off, 1, es);
        } while (tu_next(o->a.ndim, o->a.shape, idx));
    }
    size_t bad = SIZE_MAX;
    for (size_t b = 0; b < o->bytes && bad == SIZE_MAX; ++b)
        if (!mark[b] && o->buf[b] != tu_sentinel_byte(b))
            bad = b;
    free(mark);
    cr_assert(eq(sz, bad, SIZE_MAX), "a gap byte of out was written");
}

/* tu_check_cumsum, with out's allocation sentinel-filled first and its gaps
 * checked after. */
static void check_scan(const view *in, int axis, view *out)
{
    tu_fill_sentinel(out->buf, out->bytes);
    tu_check_cumsum(&in->a, axis, &out->a, NULL);
    assert_gaps_untouched(out);
}

/* ------------------------------------------------------ a (3,4) matrix */

static const int64_t S34[2] = {3, 4};
static const int64_t W_AX0[12] = {1, 2, 3, 4, 6, 8, 10, 12, 15, 18, 21, 24};
static const int64_t W_AX1[12] = {1, 3, 6, 10, 5, 11, 18, 26, 9, 19, 30, 42};
static const int64_t W_FLAT[12] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66, 78};

/* Fill a (3,4) view with 1..12 in C (logical) order. */
static void fill_1_to_12(view *v)
{
    int64_t idx[2] = {0, 0}, k = 1;
    do {
        tu_put_i64(tu_at(&v->a, idx), v->a.dtype, k++);
    } while (tu_next(2, S34, idx));
}

static void expect_matrix(const view *in, view *out, int axis, const int64_t *want)
{
    tu_fill_sentinel(out->buf, out->bytes);
    TU_ASSERT_OK(pscan_cumsum(&in->a, axis, PSCAN_DTYPE_DEFAULT, &out->a, NULL));
    int64_t got[12];
    tu_gather_i64(&out->a, got);
    for (int i = 0; i < 12; ++i)
        cr_assert(eq(i64, got[i], want[i]), "axis %d element %d", axis, i);
    assert_gaps_untouched(out);
}

/* All axes of the 1..12 matrix in `in` layout into `out` layouts. */
static void check_matrix_layout(const int64_t *in_el, const int64_t *out_el)
{
    view in, out, flat;
    make_view(&in, PSCAN_INT64, 2, S34, in_el);
    make_view(&out, PSCAN_INT64, 2, S34, out_el);
    const int64_t n12 = 12, one = 1;
    make_view(&flat, PSCAN_INT64, 1, &n12, &one);
    fill_1_to_12(&in);
    expect_matrix(&in, &out, 0, W_AX0);
    expect_matrix(&in, &out, -2, W_AX0);
    expect_matrix(&in, &out, 1, W_AX1);
    expect_matrix(&in, &out, -1, W_AX1);
    tu_fill_sentinel(flat.buf, flat.bytes);
    TU_ASSERT_OK(pscan_cumsum(&in.a, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &flat.a, NULL));
    tu_assert_i64s((const int64_t *)(void *)flat.buf, W_FLAT, 12);
    free_view(&in);
    free_view(&out);
    free_view(&flat);
}

Test(layouts, c_contiguous_null_strides)
{
    int64_t in[12], out[12], flat[12];
    for (int i = 0; i < 12; ++i)
        in[i] = i + 1;
    pscan_array ai = tu_arr(in, PSCAN_INT64, 2, S34, NULL),
                ao = tu_arr(out, PSCAN_INT64, 2, S34, NULL);
    const int axes[4] = {0, 1, -1, -2};
    const int64_t *wants[4] = {W_AX0, W_AX1, W_AX1, W_AX0};
    for (int k = 0; k < 4; ++k) {
        TU_ASSERT_OK(pscan_cumsum(&ai, axes[k], PSCAN_DTYPE_DEFAULT, &ao, NULL));
        tu_assert_i64s(out, wants[k], 12);
    }
    const int64_t n12 = 12;
    pscan_array af = tu_vec(flat, PSCAN_INT64, &n12);
    TU_ASSERT_OK(pscan_cumsum(&ai, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &af, NULL));
    tu_assert_i64s(flat, W_FLAT, 12);
    /* a 1-D input with AXIS_NONE is the plain 1-D scan */
    pscan_array a1 = tu_vec(in, PSCAN_INT64, &n12);
    TU_ASSERT_OK(pscan_cumsum(&a1, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &af, NULL));
    tu_assert_i64s(flat, W_FLAT, 12);
}

Test(layouts, c_contiguous_explicit_strides)
{
    const int64_t c[2] = {4, 1};
    check_matrix_layout(c, c);
}

Test(layouts, fortran_order)
{
    const int64_t f[2] = {1, 3}, c[2] = {4, 1};
    check_matrix_layout(f, f);
    check_matrix_layout(f, c);
    check_matrix_layout(c, f);
}

Test(layouts, negative_strides)
{
    const int64_t rr[2] = {-4, 1}, rc[2] = {4, -1}, both[2] = {-4, -1}, fneg[2] = {-1, -3},
                  c[2] = {4, 1};
    check_matrix_layout(rr, c);
    check_matrix_layout(rc, c);
    check_matrix_layout(both, both);
    check_matrix_layout(fneg, rr);
    check_matrix_layout(c, both);
}

Test(layouts, padded_strides)
{
    const int64_t pad[2] = {9, 2}, fpad[2] = {2, 7}, c[2] = {4, 1};
    check_matrix_layout(pad, c);
    check_matrix_layout(c, pad);
    check_matrix_layout(fpad, fpad);
}

Test(layouts, interleaved_out_strides_that_do_not_alias)
{
    /* out (3,2) with byte strides {16, 24}: elements at 0,24,16,40,32,56,
     * 8 bytes each, pairwise disjoint, so the layout is valid */
    int64_t in[6] = {1, 2, 3, 4, 5, 6}, out[8];
    for (int i = 0; i < 8; ++i)
        out[i] = -7;
    const int64_t shape[2] = {3, 2}, st[2] = {16, 24};
    pscan_array ai = tu_arr(in, PSCAN_INT64, 2, shape, NULL),
                ao = tu_arr(out, PSCAN_INT64, 2, shape, st);
    pscan_status s = pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
    /* cumsum axis 0: [[1,2],[4,6],[9,12]]; (i,j) lives at out[2i + 3j] */
    const int64_t want[8] = {1, -7, 4, 2, 9, 6, -7, 12};
    tu_assert_i64s(out, want, 8);
}

Test(layouts, interleaved_out_strides_that_alias)
{
    /* out (4,3) with byte strides {16, 24}: (3,0) and (0,2) both sit at
     * byte 48, a layout the sorted-stride test cannot prove either way */
    int64_t in[12], out[16];
    for (int i = 0; i < 12; ++i)
        in[i] = i;
    for (int i = 0; i < 16; ++i)
        out[i] = -7;
    const int64_t shape[2] = {4, 3}, st[2] = {16, 24};
    pscan_array ai = tu_arr(in, PSCAN_INT64, 2, shape, NULL),
                ao = tu_arr(out, PSCAN_INT64, 2, shape, st);
    pscan_status s = pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL);
    cr_assert(eq(int, (int)s, (int)PSCAN_EOUTALIAS), "%s", pscan_strerror(s));
    for (int i = 0; i < 16; ++i)
        cr_assert(eq(i64, out[i], -7));
}

/* Whether two elements of a layout share a byte: every element's bytes
 * counted over the layout's extent (no sorting, unlike pscan's check). */
static int shares_a_byte(int ndim, const int64_t *shape, const int64_t *strides, int64_t itemsize,
                         int64_t lo, size_t extent)
{
    unsigned char *seen = calloc(extent, 1);
    cr_assert(ne(ptr, seen, NULL));
    int64_t idx[PSCAN_MAX_DIMS] = {0};
    int shared = 0;
    do {
        int64_t offset = -lo;
        for (int d = 0; d < ndim; ++d)
            offset += idx[d] * strides[d];
        for (int64_t b = 0; b < itemsize; ++b)
            shared |= seen[offset + b]++ > 0;
    } while (tu_next(ndim, shape, idx));
    free(seen);
    return shared;
}

Test(layouts, random_out_layouts_get_the_exact_alias_verdict)
{
    /* 2 to 4 dims (one sometimes long), byte strides of any sign, item
     * multiples or not, on a context of one's own, whose workspace holds
     * the listed offsets where the strides alone cannot decide: the
     * status must say whether two elements share a byte, as counting
     * every byte does. The check reads and writes no element. */
    static const pscan_dtype types[] = {PSCAN_INT8, PSCAN_INT16, PSCAN_FLOAT32, PSCAN_INT64,
                                        PSCAN_COMPLEX128};
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.ctx = ctx;
    uint64_t rng = 17;
    int verdicts[2] = {0, 0};
    for (int trial = 0; trial < 3000; ++trial) {
        const pscan_dtype t = types[tu_rand_range(&rng, 0, (int64_t)TU_COUNT(types) - 1)];
        const int64_t item = (int64_t)tu_size(t);
        const int ndim = (int)tu_rand_range(&rng, 2, 4);
        int64_t shape[4], strides[4], lo = 0, hi = 0;
        for (int d = 0; d < ndim; ++d) {
            shape[d] = tu_rand_range(&rng, 1, trial % 10 == 0 && d == 0 ? 400 : 7);
            const int64_t step = tu_rand_range(&rng, 0, 1) ? item : 1;
            strides[d] = step * tu_rand_range(&rng, -4, 4) * tu_rand_range(&rng, 1, 3);
            const int64_t reach = (shape[d] - 1) * strides[d];
            *(reach < 0 ? &lo : &hi) += reach;
        }
        const size_t extent = (size_t)(hi - lo + item);
        unsigned char *buf = malloc(extent);
        cr_assert(ne(ptr, buf, NULL));
        tu_fill_sentinel(buf, extent);
        void *in_data = malloc((size_t)(tu_prod(ndim, shape) * item));
        cr_assert(ne(ptr, in_data, NULL));
        pscan_array in = tu_arr(in_data, t, ndim, shape, NULL),
                    out = tu_arr(buf - lo, t, ndim, shape, strides);
        const int shared = shares_a_byte(ndim, shape, strides, item, lo, extent);
        const pscan_status s = pscan_scan_check(PSCAN_SUM, &in, 0, t, &out, &opts);
        cr_assert(eq(int, (int)s, shared ? (int)PSCAN_EOUTALIAS : (int)PSCAN_OK), "trial %d: %s",
                  trial, pscan_strerror(s));
        tu_assert_sentinel(buf, extent);
        verdicts[shared]++;
        free(in_data);
        free(buf);
    }
    cr_assert(gt(int, verdicts[0], 300));
    cr_assert(gt(int, verdicts[1], 300));
    pscan_context_destroy(ctx);
}

Test(layouts, out_with_more_offsets_than_memory_addresses)
{
    /* 2^62 int8 elements within 2^33 bytes (byte strides 1 and 3): an
     * interleaved layout whose offsets, 8 bytes each, would take 2^65
     * bytes to list: PSCAN_ENOMEM (the list's size once wrapped to 0) */
    const int64_t shape[2] = {INT64_C(1) << 31, INT64_C(1) << 31};
    const int64_t zeros[2] = {0, 0}, strides[2] = {1, 3};
    unsigned char in_byte = 0, out_byte = 0;
    pscan_array in = tu_arr(&in_byte, PSCAN_INT8, 2, shape, zeros),
                out = tu_arr(&out_byte, PSCAN_INT8, 2, shape, strides);
    const pscan_status s = pscan_scan_check(PSCAN_SUM, &in, 0, PSCAN_INT8, &out, NULL);
    cr_assert(eq(int, (int)s, (int)PSCAN_ENOMEM), "%s", pscan_strerror(s));
}

Test(layouts, length_one_dims_ignore_their_strides)
{
    /* any stride on a dimension of length 1 is never multiplied by more than
     * 0: extreme values are valid, in and out */
    int64_t in[3] = {4, 5, 6}, out[3], flat[3];
    const int64_t s13[2] = {1, 3}, s31[2] = {3, 1}, n3 = 3;
    const int64_t st13[2][2] = {{INT64_MIN, 8}, {INT64_MAX, 8}},
                  st31[2][2] = {{8, INT64_MIN}, {8, INT64_MAX}};
    for (int k = 0; k < 2; ++k) {
        const pscan_array ins[2] = {tu_arr(in, PSCAN_INT64, 2, s13, st13[k]),
                                    tu_arr(in, PSCAN_INT64, 2, s31, st31[k])};
        const pscan_array outs[2] = {tu_arr(out, PSCAN_INT64, 2, s13, st13[1 - k]),
                                     tu_arr(out, PSCAN_INT64, 2, s31, st31[1 - k])};
        for (int v = 0; v < 2; ++v) {
            pscan_array af = tu_vec(flat, PSCAN_INT64, &n3);
            tu_check_cumsum(&ins[v], 0, &outs[v], NULL);
            tu_check_cumsum(&ins[v], 1, &outs[v], NULL);
            tu_check_cumsum(&ins[v], -1, &outs[v], NULL);
            tu_check_cumsum(&ins[v], PSCAN_AXIS_NONE, &af, NULL);
        }
    }
    const int64_t w[3] = {4, 9, 15};
    tu_assert_i64s(flat, w, 3);
}

Test(layouts, reversed_1d)
{
    int64_t in[5] = {1, 2, 3, 4, 5}, out[5];
    const int64_t n = 5, st = -8;
    pscan_array ai = tu_arr(&in[4], PSCAN_INT64, 1, &n, &st), ao = tu_vec(out, PSCAN_INT64, &n);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    const int64_t want[5] = {5, 9, 12, 14, 15};
    tu_assert_i64s(out, want, 5);
    /* reversed out */
    int64_t out2[5];
    pscan_array ai2 = tu_vec(in, PSCAN_INT64, &n), ao2 = tu_arr(&out2[4], PSCAN_INT64, 1, &n, &st);
    TU_ASSERT_OK(pscan_cumsum(&ai2, 0, PSCAN_DTYPE_DEFAULT, &ao2, NULL));
    const int64_t want2[5] = {15, 10, 6, 3, 1};
    tu_assert_i64s(out2, want2, 5);
}

Test(layouts, zero_strides_broadcast_input)
{
    int64_t row[4] = {1, 2, 3, 4}, col[3] = {10, 20, 30}, out[12], flat[12];
    const int64_t bst_row[2] = {0, 8}, bst_col[2] = {8, 0}, n12 = 12;
    pscan_array ar = tu_arr(row, PSCAN_INT64, 2, S34, bst_row);
    pscan_array ac = tu_arr(col, PSCAN_INT64, 2, S34, bst_col);
    pscan_array ao = tu_arr(out, PSCAN_INT64, 2, S34, NULL), af = tu_vec(flat, PSCAN_INT64, &n12);

    TU_ASSERT_OK(pscan_cumsum(&ar, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    const int64_t r0[12] = {1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12};
    tu_assert_i64s(out, r0, 12);
    TU_ASSERT_OK(pscan_cumsum(&ar, 1, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    const int64_t r1[12] = {1, 3, 6, 10, 1, 3, 6, 10, 1, 3, 6, 10};
    tu_assert_i64s(out, r1, 12);
    TU_ASSERT_OK(pscan_cumsum(&ar, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &af, NULL));
    const int64_t rf[12] = {1, 3, 6, 10, 11, 13, 16, 20, 21, 23, 26, 30};
    tu_assert_i64s(flat, rf, 12);

    TU_ASSERT_OK(pscan_cumsum(&ac, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    const int64_t c0[12] = {10, 10, 10, 10, 30, 30, 30, 30, 60, 60, 60, 60};
    tu_assert_i64s(out, c0, 12);
    TU_ASSERT_OK(pscan_cumsum(&ac, -1, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    const int64_t c1[12] = {10, 20, 30, 40, 20, 40, 60, 80, 30, 60, 90, 120};
    tu_assert_i64s(out, c1, 12);

    /* a scalar broadcast to (3,4): every stride 0 */
    int64_t s = 7;
    const int64_t zz[2] = {0, 0};
    pscan_array az = tu_arr(&s, PSCAN_INT64, 2, S34, zz);
    TU_ASSERT_OK(pscan_cumsum(&az, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &af, NULL));
    for (int i = 0; i < 12; ++i)
        cr_assert(eq(i64, flat[i], 7 * (i + 1)));
    /* a long broadcast lane */
    enum { N = 10000 };
    static int64_t big[N];
    const int64_t nn = N, z = 0;
    pscan_array al = tu_arr(&s, PSCAN_INT64, 1, &nn, &z), abig = tu_vec(big, PSCAN_INT64, &nn);
    TU_ASSERT_OK(pscan_cumsum(&al, 0, PSCAN_DTYPE_DEFAULT, &abig, NULL));
    for (int i = 0; i < N; ++i)
        cr_assert(eq(i64, big[i], 7 * (int64_t)(i + 1)), "element %d", i);
}

Test(layouts, zero_dimensional)
{
    const int64_t one = 1;
    int64_t out;
    int64_t v = 7;
    pscan_array a0 = tu_arr(&v, PSCAN_INT64, 0, NULL, NULL), ao = tu_vec(&out, PSCAN_INT64, &one);
    const int axes[3] = {0, -1, PSCAN_AXIS_NONE};
    for (int k = 0; k < 3; ++k) {
        out = -1;
        TU_ASSERT_OK(pscan_cumsum(&a0, axes[k], PSCAN_DTYPE_DEFAULT, &ao, NULL));
        cr_assert(eq(i64, out, 7), "axis %d", axes[k]);
    }
    /* with conversions: 0-d float 2.5 -> int64 out 2; 0-d bool -> int64 1 */
    double f = 2.5;
    pscan_array af = tu_arr(&f, PSCAN_FLOAT64, 0, NULL, NULL);
    TU_ASSERT_OK(pscan_cumsum(&af, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    cr_assert(eq(i64, out, 2));
    uint8_t b = 1;
    pscan_array ab = tu_arr(&b, PSCAN_BOOL, 0, NULL, NULL);
    TU_ASSERT_OK(pscan_cumsum(&ab, -1, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    cr_assert(eq(i64, out, 1));
    /* strided 1-element out */
    int64_t o2[3] = {-5, -5, -5};
    const int64_t st = 16;
    pscan_array ao2 = tu_arr(&o2[0], PSCAN_INT64, 1, &one, &st);
    TU_ASSERT_OK(pscan_cumsum(&a0, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &ao2, NULL));
    cr_assert(eq(i64, o2[0], 7));
    cr_assert(eq(i64, o2[1], -5));
    cr_assert(eq(i64, o2[2], -5));
}

Test(layouts, zero_length_dimensions)
{
    static const int64_t shapes[][3] = {{0, 1, 1}, {3, 0, 1}, {0, 3, 1}, {2, 0, 4}, {2, 3, 0}};
    static const int nd[] = {1, 2, 2, 3, 3};
    int64_t dummy[64];
    _Alignas(16) unsigned char outbuf[256];
    for (size_t k = 0; k < TU_COUNT(shapes); ++k) {
        int ndim = nd[k];
        pscan_array in = tu_arr(dummy, PSCAN_INT32, ndim, shapes[k], NULL);
        pscan_array out = tu_arr(outbuf, PSCAN_INT64, ndim, shapes[k], NULL);
        for (int axis = -ndim; axis < ndim; ++axis) {
            tu_fill_sentinel(outbuf, sizeof outbuf);
            TU_ASSERT_OK(pscan_cumsum(&in, axis, PSCAN_DTYPE_DEFAULT, &out, NULL));
            tu_assert_sentinel(outbuf, sizeof outbuf);
        }
        const int64_t zero = 0;
        pscan_array flat = tu_vec(outbuf, PSCAN_INT64, &zero);
        tu_fill_sentinel(outbuf, sizeof outbuf);
        TU_ASSERT_OK(pscan_cumsum(&in, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &flat, NULL));
        tu_assert_sentinel(outbuf, sizeof outbuf);
        /* odd strides are fine when there are no elements */
        const int64_t odd[3] = {-8, 0, 24}, oddo[3] = {-64, 16, 8};
        pscan_array in2 = tu_arr(dummy, PSCAN_INT32, ndim, shapes[k], odd);
        pscan_array out2 = tu_arr(outbuf + 128, PSCAN_INT64, ndim, shapes[k], oddo);
        tu_fill_sentinel(outbuf, sizeof outbuf);
        TU_ASSERT_OK(pscan_cumsum(&in2, 0, PSCAN_DTYPE_DEFAULT, &out2, NULL));
        tu_assert_sentinel(outbuf, sizeof outbuf);
    }
}

/* --------------------------------------------------------- many dims */

static void ndim64_shape(int64_t *shape)
{
    for (int d = 0; d < PSCAN_MAX_DIMS; ++d)
        shape[d] = (d % 21 == 0) ? 2 : 1; /* dims 0, 21, 42, 63 have 2 */
}

Test(layouts, sixty_four_dims_every_axis)
{
    int64_t shape[PSCAN_MAX_DIMS], el[PSCAN_MAX_DIMS];
    ndim64_shape(shape);
    int64_t s = 1;
    for (int d = PSCAN_MAX_DIMS - 1; d >= 0; --d) {
        el[d] = s;
        s *= shape[d];
    }
    uint64_t rng = 64;
    view in, out;
    make_view(&in, PSCAN_INT64, PSCAN_MAX_DIMS, shape, el);
    make_view(&out, PSCAN_INT64, PSCAN_MAX_DIMS, shape, el);
    fill_view(&in, &rng);
    for (int axis = -PSCAN_MAX_DIMS; axis < PSCAN_MAX_DIMS; ++axis)
        check_scan(&in, axis, &out);
    const int64_t n16 = 16, one = 1;
    view flat;
    make_view(&flat, PSCAN_INT64, 1, &n16, &one);
    check_scan(&in, PSCAN_AXIS_NONE, &flat);
    free_view(&in);
    free_view(&out);
    free_view(&flat);
}

Test(layouts, sixty_four_dims_random_layouts)
{
    int64_t shape[PSCAN_MAX_DIMS];
    ndim64_shape(shape);
    uint64_t rng = 6464;
    for (int rep = 0; rep < 4; ++rep) {
        view in, out, flat;
        rand_view(&in, PSCAN_INT16, PSCAN_MAX_DIMS, shape, &rng, 1);
        rand_view(&out, PSCAN_INT64, PSCAN_MAX_DIMS, shape, &rng, 0);
        fill_view(&in, &rng);
        for (int axis = -PSCAN_MAX_DIMS; axis < PSCAN_MAX_DIMS; axis += 1 + rep)
            check_scan(&in, axis, &out);
        const int64_t n16 = 16;
        rand_view(&flat, PSCAN_FLOAT64, 1, &n16, &rng, 0);
        check_scan(&in, PSCAN_AXIS_NONE, &flat);
        free_view(&in);
        free_view(&out);
        free_view(&flat);
    }
}

Test(layouts, every_axis_4d)
{
    const int64_t shape[4] = {2, 3, 1, 4};
    uint64_t rng = 4;
    for (int rep = 0; rep < 20; ++rep) {
        view in, out, flat;
        rand_view(&in, PSCAN_INT32, 4, shape, &rng, 1);
        rand_view(&out, PSCAN_INT64, 4, shape, &rng, 0);
        fill_view(&in, &rng);
        for (int axis = -4; axis < 4; ++axis)
            check_scan(&in, axis, &out);
        const int64_t n24 = 24;
        rand_view(&flat, PSCAN_INT64, 1, &n24, &rng, 0);
        check_scan(&in, PSCAN_AXIS_NONE, &flat);
        free_view(&in);
        free_view(&out);
        free_view(&flat);
    }
}

/* ------------------------------------------------------- long lanes */

Test(layouts, long_lanes_strided)
{
    uint64_t rng = 5000;
    /* (5000, 3) along axis 0 and (3, 5000) along axis 1, C and F layouts */
    const int64_t tall[2] = {5000, 3}, wide[2] = {3, 5000};
    const int64_t c_tall[2] = {3, 1}, f_tall[2] = {1, 5000}, c_wide[2] = {5000, 1},
                  f_wide[2] = {1, 3};
    const int64_t neg_tall[2] = {-3, 1};
    struct {
        const int64_t *shape, *in_el, *out_el;
    } cases[] = {{tall, c_tall, c_tall},
                 {tall, f_tall, c_tall},
                 {tall, neg_tall, f_tall},
                 {wide, c_wide, f_wide},
                 {wide, f_wide, c_wide}};
    for (size_t k = 0; k < TU_COUNT(cases); ++k) {
        view in, out;
        make_view(&in, PSCAN_INT64, 2, cases[k].shape, cases[k].in_el);
        make_view(&out, PSCAN_INT64, 2, cases[k].shape, cases[k].out_el);
        fill_view(&in, &rng);
        check_scan(&in, 0, &out);
        check_scan(&in, 1, &out);
        const int64_t n = 15000, one = 1, mtwo = -2;
        view flat;
        make_view(&flat, PSCAN_INT64, 1, &n, k % 2 ? &one : &mtwo);
        check_scan(&in, PSCAN_AXIS_NONE, &flat);
        free_view(&in);
        free_view(&out);
        free_view(&flat);
    }
    /* a 1-D lane of 100000 with stride 2 elements in, -3 elements out */
    const int64_t n = 100000, two = 2, mthree = -3;
    view in, out;
    make_view(&in, PSCAN_INT64, 1, &n, &two);
    make_view(&out, PSCAN_INT64, 1, &n, &mthree);
    fill_view(&in, &rng);
    check_scan(&in, 0, &out);
    free_view(&in);
    free_view(&out);
}

/* ---------------------------------------------------- random layouts */

Test(layouts, random_layouts_and_dtypes)
{
    static const pscan_dtype in_types[] = {PSCAN_INT8,      PSCAN_INT16,   PSCAN_INT32,
                                           PSCAN_INT64,     PSCAN_FLOAT32, PSCAN_FLOAT64,
                                           PSCAN_COMPLEX128};
    static const pscan_dtype out_types[] = {PSCAN_INT64, PSCAN_INT32, PSCAN_FLOAT64,
                                            PSCAN_COMPLEX64};
    uint64_t rng = 12345;
    for (int rep = 0; rep < 300; ++rep) {
        int ndim = (int)tu_rand_range(&rng, 1, 5);
        int64_t shape[5];
        for (int d = 0; d < ndim; ++d)
            shape[d] = tu_rand_range(&rng, 0, 9) == 0 ? 0 : tu_rand_range(&rng, 1, 7);
        pscan_dtype it = in_types[tu_rand_range(&rng, 0, (int64_t)TU_COUNT(in_types) - 1)];
        pscan_dtype ot = out_types[tu_rand_range(&rng, 0, (int64_t)TU_COUNT(out_types) - 1)];
        view in, out;
        rand_view(&in, it, ndim, shape, &rng, 1);
        rand_view(&out, ot, ndim, shape, &rng, 0);
        fill_view(&in, &rng);
        int axis = (int)tu_rand_range(&rng, -ndim, ndim); /* ndim means AXIS_NONE */
        if (axis == ndim) {
            int64_t n = tu_prod(ndim, shape);
            view flat;
            rand_view(&flat, ot, 1, &n, &rng, 0);
            check_scan(&in, PSCAN_AXIS_NONE, &flat);
            free_view(&flat);
        } else {
            check_scan(&in, axis, &out);
        }
        free_view(&in);
        free_view(&out);
    }
}
