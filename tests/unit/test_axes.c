/*
 * test_axes.c - pscan_scan_axes: the scan over a set of axes equals the
 * single-axis scans run one after another from the last axis to the first,
 * bit for bit, through the slab path (C-contiguous, out in the
 * accumulator), the one-pass path of an axis and the last axis
 * (order-free ops; float batches by image; single float images by column
 * strips; rows strided past the axes between) and the chained path
 * (strided, converting out); a summed-area table checked against its
 * definition; errors leave out untouched. With flags, the chain of
 * single-axis scans each given the same flags, done by hand here (under
 * include-initial each scan's result one longer along its axis), bit for
 * bit; an overflow in the chain's second scan leaves out untouched.
 * OpenCV's layout (include-initial summed-area tables of uint8, uint16,
 * float32 and float64 images and of a stack of them): zero first row and
 * column, direct sums or the chain's bits inside, 1 to 4 threads alike.
 */
#include "testutil.h"

#include "context.h"

/* NULL, or a context whose stream threshold a test lowered (so 4 MiB
 * outputs take the streamed paths the defaults keep for 32 MiB): each
 * Criterion test runs in a process of its own. */
static pscan_context *test_ctx;

static void lower_stream_threshold(void)
{
    TU_ASSERT_OK(pscan_context_create(&test_ctx));
    test_ctx->tuning.stream_min_bytes = 256 << 10;
}

static void drop_test_context(void)
{
    pscan_context_destroy(test_ctx);
    test_ctx = NULL;
}

/* The chained reference: pscan_scan per axis, last axis first. */
static void chained(pscan_op op, const pscan_array *in, int naxes, const int *sorted_desc,
                    pscan_dtype acc, void *out_data)
{
    pscan_array stage = tu_arr(out_data, acc, in->ndim, in->shape, NULL);
    for (int k = 0; k < naxes; k++)
        TU_ASSERT_OK(pscan_scan(op, k == 0 ? in : &stage, sorted_desc[k], acc, &stage, NULL));
}

static void check_against_chain(pscan_op op, pscan_dtype in_dtype, pscan_dtype acc, int ndim,
                                const int64_t *shape, int naxes, const int *axes,
                                const int *sorted_desc, pscan_order order, int threads)
{
    const int64_t n = tu_prod(ndim, shape);
    const size_t in_size = tu_size(in_dtype), acc_size = tu_size(acc);
    unsigned char *in = tu_malloc((size_t)n * in_size), *want = tu_malloc((size_t)n * acc_size),
                  *got = tu_malloc((size_t)n * acc_size);
    uint64_t seed = (uint64_t)n + (uint64_t)naxes;
    tu_fill_scan_values(in, in_dtype, n, op, &seed);
    pscan_array ai = tu_arr(in, in_dtype, ndim, shape, NULL),
                ao = tu_arr(got, acc, ndim, shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = order;
    o.threads = threads;
    pscan_opts ref_opts = o; /* the default context: nothing streamed */
    o.ctx = test_ctx;
    pscan_array stage = tu_arr(want, acc, ndim, shape, NULL);
    for (int k = 0; k < naxes; k++)
        TU_ASSERT_OK(pscan_scan(op, k == 0 ? &ai : &stage, sorted_desc[k], acc, &stage, &ref_opts));
    TU_ASSERT_OK(pscan_scan_axes(op, &ai, naxes, axes, acc, &ao, &o));
    int64_t bad = 0;
    while (bad < n &&
           memcmp(got + (size_t)bad * acc_size, want + (size_t)bad * acc_size, acc_size) == 0)
        bad++;
    cr_assert(eq(i64, bad, n),
              "op %d %s->%s ndim %d naxes %d order %d threads %d: first differing element", (int)op,
              pscan_dtype_name(in_dtype), pscan_dtype_name(acc), ndim, naxes, (int)order, threads);
    free(in);
    free(want);
    free(got);
}

/* A table of chain checks, run for one order and thread count. */
typedef struct chain_case {
    pscan_op op;
    pscan_dtype in, acc;
    int ndim;
    const int64_t *shape;
    int naxes;
    const int *axes, *sorted_desc;
} chain_case;

static void check_cases(const chain_case *cases, size_t count, pscan_order order, int threads)
{
    for (size_t k = 0; k < count; k++)
        check_against_chain(cases[k].op, cases[k].in, cases[k].acc, cases[k].ndim, cases[k].shape,
                            cases[k].naxes, cases[k].axes, cases[k].sorted_desc, order, threads);
}

/* In place (in and out the same array of the accumulator type): the
 * chained scans' bits. */
static void check_in_place(pscan_op op, pscan_dtype dtype, int ndim, const int64_t *shape,
                           const int *axes, const int *sorted_desc, int threads)
{
    const int64_t n = tu_prod(ndim, shape);
    const size_t bytes = (size_t)n * tu_size(dtype);
    unsigned char *data = tu_malloc(bytes), *want = tu_malloc(bytes);
    uint64_t seed = (uint64_t)n;
    tu_fill_scan_values(data, dtype, n, op, &seed);
    pscan_array v = tu_arr(data, dtype, ndim, shape, NULL);
    chained(op, &v, 2, sorted_desc, dtype, want);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    TU_ASSERT_OK(pscan_scan_axes(op, &v, 2, axes, PSCAN_DTYPE_DEFAULT, &v, &o));
    cr_assert(eq(int, memcmp(data, want, bytes), 0), "%s in place, %d threads",
              pscan_dtype_name(dtype), threads);
    free(data);
    free(want);
}

Test(axes, summed_area_table)
{
    const int64_t rows = 1500, cols = 37, shape[2] = {rows, cols};
    int32_t *img = tu_malloc((size_t)(rows * cols) * 4);
    int64_t *sat = tu_malloc((size_t)(rows * cols) * 8),
            *want = tu_malloc((size_t)(rows * cols) * 8);
    uint64_t seed = 3;
    for (int64_t i = 0; i < rows * cols; i++)
        img[i] = (int32_t)tu_rand_range(&seed, 0, 255);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            want[r * cols + c] = img[r * cols + c] + (r ? want[(r - 1) * cols + c] : 0) +
                                 (c ? want[r * cols + c - 1] : 0) -
                                 (r && c ? want[(r - 1) * cols + c - 1] : 0);
    pscan_array ai = tu_arr(img, PSCAN_INT32, 2, shape, NULL),
                ao = tu_arr(sat, PSCAN_INT64, 2, shape, NULL);
    const int orders[3][2] = {{0, 1}, {1, 0}, {-1, -2}};
    for (int k = 0; k < 3; k++)
        for (int threads = 1; threads <= 3; threads += 2) {
            pscan_opts o = PSCAN_OPTS_INIT;
            o.threads = threads;
            memset(sat, 0, (size_t)(rows * cols) * 8);
            TU_ASSERT_OK(
                pscan_scan_axes(PSCAN_SUM, &ai, 2, orders[k], PSCAN_DTYPE_DEFAULT, &ao, &o));
            tu_assert_i64s(sat, want, (size_t)(rows * cols));
        }
    free(img);
    free(sat);
    free(want);
}

Test(axes, slabs_equal_chained_scans)
{
    const int64_t s3[3] = {9000, 3, 5}; /* more than one 4096-row tile */
    const int all[3] = {0, 1, 2}, all_desc[3] = {2, 1, 0};
    const int a02[2] = {2, 0}, a02_desc[2] = {2, 0};
    const int a12[2] = {1, 2}, a12_desc[2] = {2, 1};
    const chain_case slabs[4] = {
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, s3, 3, all, all_desc},
        {PSCAN_SUM, PSCAN_FLOAT32, PSCAN_FLOAT32, 3, s3, 2, a02, a02_desc},
        {PSCAN_PROD, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, s3, 2, a12, a12_desc},
        {PSCAN_MAX, PSCAN_INT16, PSCAN_INT16, 3, s3, 3, all, all_desc}};
    for (int threads = 1; threads <= 3; threads += 2)
        for (int order = 0; order < 2; order++)
            check_cases(slabs, TU_COUNT(slabs), (pscan_order)order, threads);
    /* rows wider than a slab */
    const int64_t wide[2] = {20, 600000};
    const int a01[2] = {0, 1}, a01_desc[2] = {1, 0};
    check_against_chain(PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, 2, wide, 2, a01, a01_desc,
                        PSCAN_ORDER_REPRODUCIBLE, 2);
}

/* The last two axes in one pass (src/engine/strips.c): order-free ops (rows cut
 * into blocks across threads; images alone and in batches, converting
 * loads, wrapping products, max/min, more threads than rows) and float
 * sums and products in batches of images. */
Test(axes, fused_last_two_axes)
{
    const int64_t image[2] = {1000, 300}, batch[3] = {3, 500, 200}, thin[3] = {1, 7, 100000};
    const int a01[2] = {0, 1}, d01[2] = {1, 0}, a12[2] = {-1, 1}, d12[2] = {2, 1};
    const chain_case free_order[6] = {
        {PSCAN_SUM, PSCAN_INT64, PSCAN_INT64, 2, image, 2, a01, d01},
        {PSCAN_SUM, PSCAN_UINT8, PSCAN_UINT64, 2, image, 2, a01, d01},
        {PSCAN_PROD, PSCAN_INT32, PSCAN_INT32, 3, batch, 2, a12, d12},
        {PSCAN_MAX, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, batch, 2, a12, d12},
        {PSCAN_MIN, PSCAN_INT16, PSCAN_INT16, 3, thin, 2, a12, d12},
        {PSCAN_SUM, PSCAN_BOOL, PSCAN_INT64, 3, thin, 2, a12, d12}};
    for (int threads = 1; threads <= 4; threads++)
        check_cases(free_order, TU_COUNT(free_order),
                    threads % 2 ? PSCAN_ORDER_REPRODUCIBLE : PSCAN_ORDER_SEQUENTIAL, threads);
    /* float sums and products over batches of images (one image per
     * thread), across 4096-row tiles, both orders; streamed when big */
    const int64_t images[3] = {4, 5000, 30}, big_images[3] = {4, 130, 1024},
                  wide_images[3] = {4, 20, 5000};
    const chain_case floats[4] = {
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, images, 2, a12, d12},
        {PSCAN_PROD, PSCAN_FLOAT32, PSCAN_FLOAT32, 3, images, 2, a12, d12},
        {PSCAN_SUM, PSCAN_INT16, PSCAN_FLOAT32, 3, images, 2, a12, d12},
        {PSCAN_SUM, PSCAN_COMPLEX128, PSCAN_COMPLEX128, 3, images, 2, a12, d12}};
    for (int threads = 1; threads <= 4; threads += 3)
        for (int order = 0; order < 2; order++)
            check_cases(floats, TU_COUNT(floats), (pscan_order)order, threads);
    check_against_chain(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, wide_images, 2, a12, d12,
                        PSCAN_ORDER_REPRODUCIBLE, 4);
    /* big outputs (past the lowered threshold): the rows are streamed out */
    lower_stream_threshold();
    check_against_chain(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, big_images, 2, a12, d12,
                        PSCAN_ORDER_REPRODUCIBLE, 2);
    const int64_t big[2] = {520, 1024};
    for (int threads = 1; threads <= 3; threads++)
        check_against_chain(PSCAN_SUM, PSCAN_INT64, PSCAN_INT64, 2, big, 2, a01, d01,
                            PSCAN_ORDER_REPRODUCIBLE, threads);
    check_against_chain(PSCAN_MAX, PSCAN_INT32, PSCAN_INT64, 2, big, 2, a01, d01,
                        PSCAN_ORDER_REPRODUCIBLE, 2);
    drop_test_context();
    /* in place: integers cut into blocks, a float batch */
    check_in_place(PSCAN_SUM, PSCAN_INT64, 2, image, a01, d01, 4);
    const int64_t float_batch[3] = {3, 4500, 40};
    check_in_place(PSCAN_SUM, PSCAN_FLOAT64, 3, float_batch, a12, d12, 3);
}

/* Float sums and products with fewer images than threads: each image cut
 * into column strips handed on in batches of rows (src/engine/strips.c), the last
 * batch short for the narrow image. Strip boundaries
 * inside a 4096-column tile, on one, and past it (the tile prefix handed
 * on), across 4096-row tiles, converting loads, complex, batches of fewer
 * images than threads, both orders; streamed when big; in place. Every
 * shape has at least 32 rows a strip for the teams tried, or src/engine/strips.c
 * would leave it to the slab path. */
Test(axes, float_image_column_strips)
{
    const int64_t image[2] = {600, 1000}, wide[2] = {200, 9000}, on_tile[2] = {70, 8192},
                  tall[2] = {4500, 600}, pair[3] = {2, 300, 1200}, narrow[2] = {203, 96};
    const int a01[2] = {0, 1}, d01[2] = {1, 0}, a12[2] = {-1, 1}, d12[2] = {2, 1};
    const chain_case strips[10] = {
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 2, image, 2, a01, d01},
        {PSCAN_SUM, PSCAN_FLOAT16, PSCAN_FLOAT16, 2, image, 2, a01, d01},
        {PSCAN_SUM, PSCAN_COMPLEX64, PSCAN_COMPLEX64, 2, wide, 2, a01, d01},
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 2, narrow, 2, a01, d01},
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 2, wide, 2, a01, d01},
        {PSCAN_SUM, PSCAN_FLOAT32, PSCAN_FLOAT32, 2, on_tile, 2, a01, d01},
        {PSCAN_PROD, PSCAN_FLOAT32, PSCAN_FLOAT32, 2, tall, 2, a01, d01},
        {PSCAN_SUM, PSCAN_INT16, PSCAN_FLOAT32, 2, wide, 2, a01, d01},
        {PSCAN_PROD, PSCAN_COMPLEX128, PSCAN_COMPLEX128, 2, image, 2, a01, d01},
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, pair, 2, a12, d12}};
    const int teams[3] = {2, 3, 5};
    for (int t = 0; t < 3; t++)
        for (int order = 0; order < 2; order++)
            check_cases(strips, TU_COUNT(strips), (pscan_order)order, teams[t]);
    lower_stream_threshold();
    const int64_t big[2] = {260, 4096};
    check_against_chain(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 2, big, 2, a01, d01,
                        PSCAN_ORDER_REPRODUCIBLE, 2);
    drop_test_context();
    check_in_place(PSCAN_SUM, PSCAN_FLOAT64, 2, wide, a01, d01, 3);
}

/* An axis other than the second-last with the last (rows strided past
 * the images of the axes between: src/engine/strips.c), whole images per thread,
 * column strips and order-free row blocks; and three axes whose slabs
 * take that pass. */
Test(axes, outer_axis_with_the_last)
{
    const int64_t spread[3] = {300, 7, 200}, pair[3] = {500, 2, 300}, four[4] = {3, 200, 4, 100},
                  slab4[4] = {40, 30, 3, 50};
    const int a02[2] = {0, 2}, d02[2] = {2, 0}, a13[2] = {1, 3}, d13[2] = {3, 1};
    const int a013[3] = {0, 1, 3}, d013[3] = {3, 1, 0};
    const chain_case cases[7] = {
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, spread, 2, a02, d02},
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 3, pair, 2, a02, d02},
        {PSCAN_PROD, PSCAN_FLOAT32, PSCAN_FLOAT32, 3, pair, 2, a02, d02},
        {PSCAN_SUM, PSCAN_INT64, PSCAN_INT64, 3, pair, 2, a02, d02},
        {PSCAN_SUM, PSCAN_INT32, PSCAN_FLOAT64, 4, four, 2, a13, d13},
        {PSCAN_MAX, PSCAN_INT16, PSCAN_INT16, 4, four, 2, a13, d13},
        {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, 4, slab4, 3, a013, d013}};
    const int teams[3] = {1, 2, 4};
    for (int t = 0; t < 3; t++)
        for (int order = 0; order < 2; order++)
            check_cases(cases, TU_COUNT(cases), (pscan_order)order, teams[t]);
    check_in_place(PSCAN_SUM, PSCAN_FLOAT64, 3, pair, a02, d02, 4);
}

/* Strided input and a converting out take the chained path: same bits. */
Test(axes, chained_path)
{
    const int64_t shape[2] = {300, 40}, n = 300 * 40;
    double *base = tu_malloc((size_t)n * 2 * 8), *want = tu_malloc((size_t)n * 8);
    float *got = tu_malloc((size_t)n * 4);
    uint64_t seed = 9;
    tu_fill_scan_values(base, PSCAN_FLOAT64, 2 * n, PSCAN_SUM, &seed);
    const int64_t strides[2] = {40 * 16, 16}; /* every other element */
    pscan_array ai = tu_arr(base, PSCAN_FLOAT64, 2, shape, strides);
    const int axes[2] = {0, 1}, desc[2] = {1, 0};
    chained(PSCAN_SUM, &ai, 2, desc, PSCAN_FLOAT64, want);
    pscan_array ao = tu_arr(got, PSCAN_FLOAT32, 2, shape, NULL);
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 2, axes, PSCAN_FLOAT64, &ao, NULL));
    for (int64_t i = 0; i < n; i++)
        cr_assert(eq(u32, tu_fbits(got[i]), tu_fbits((float)want[i])), "element %lld",
                  (long long)i);
    free(base);
    free(want);
    free(got);
}

Test(axes, in_place_and_errors)
{
    int64_t a[6] = {1, 2, 3, 4, 5, 6};
    const int64_t shape[2] = {2, 3};
    pscan_array v = tu_arr(a, PSCAN_INT64, 2, shape, NULL);
    const int both[2] = {0, 1};
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &v, 2, both, PSCAN_DTYPE_DEFAULT, &v, NULL));
    const int64_t w[6] = {1, 3, 6, 5, 12, 21};
    tu_assert_i64s(a, w, 6);
    int64_t out[6] = {-1, -1, -1, -1, -1, -1};
    pscan_array o = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
    const int repeated[2] = {1, -1}, outside[2] = {0, 2};
    cr_assert(eq(int,
                 (int)pscan_scan_axes(PSCAN_SUM, &v, 2, repeated, PSCAN_DTYPE_DEFAULT, &o, NULL),
                 (int)PSCAN_EAXIS));
    cr_assert(eq(int,
                 (int)pscan_scan_axes(PSCAN_SUM, &v, 2, outside, PSCAN_DTYPE_DEFAULT, &o, NULL),
                 (int)PSCAN_EAXIS));
    cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &v, 0, both, PSCAN_DTYPE_DEFAULT, &o, NULL),
                 (int)PSCAN_EAXIS));
    cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &v, 2, NULL, PSCAN_DTYPE_DEFAULT, &o, NULL),
                 (int)PSCAN_ENULL));
    pscan_opts flagged = PSCAN_OPTS_INIT;
    flagged.flags = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL;
    cr_assert(eq(int,
                 (int)pscan_scan_axes(PSCAN_SUM, &v, 2, both, PSCAN_DTYPE_DEFAULT, &o, &flagged),
                 (int)PSCAN_EOPTS));
    const int64_t other[2] = {3, 2};
    pscan_array wrong = tu_arr(out, PSCAN_INT64, 2, other, NULL);
    cr_assert(eq(int,
                 (int)pscan_scan_axes(PSCAN_SUM, &v, 2, both, PSCAN_DTYPE_DEFAULT, &wrong, NULL),
                 (int)PSCAN_EOUTSHAPE));
    pscan_array bad_dtype = tu_arr(out, PSCAN_DTYPE_COUNT, 2, shape, NULL);
    cr_assert(
        eq(int, (int)pscan_scan_axes(PSCAN_SUM, &v, 2, both, PSCAN_DTYPE_DEFAULT, &bad_dtype, NULL),
           (int)PSCAN_EDTYPE));
    for (int k = 0; k < 6; k++)
        cr_assert(eq(i64, out[k], -1));
}

/* ---- Flags: the chain of single-axis scans, each with the same flags ---- */

/* Deterministic values: integers in [-50, 50]; floats with fractions (so
 * the order of sums shows in the last bits), every fifth one 1e7 larger
 * (so a compensated sum differs from a plain one), and under `nans` NaN
 * at every seventh. */
static void fill_values(void *data, pscan_dtype t, int64_t n, bool nans)
{
    for (int64_t i = 0; i < n; i++) {
        char *p = (char *)data + (size_t)i * tu_size(t);
        if (tu_is_int(t))
            tu_put_i64(p, t, (i * 37) % 101 - 50);
        else if (nans && i % 7 == 3)
            tu_put_f64(p, t, NAN, 0.0);
        else
            tu_put_f64(p, t, (double)((i * 7919) % 1013) / 97.0 - 5.0 + (i % 5 ? 0.0 : 1e7), 0.0);
    }
}

/* The chain by hand: one pscan_scan per axis of `desc` (last axis first),
 * each with `opts`, each into a C-ordered array of its own in the
 * accumulator (the last in out_dtype), one longer along its axis under
 * include-initial. Returns the last result and its shape; *status is
 * the first failing call's status (the result is then not the chain's). */
static void *hand_chain(pscan_op op, const pscan_array *in, int naxes, const int *desc,
                        pscan_dtype acc, pscan_dtype out_dtype, const pscan_opts *opts,
                        int64_t *result_shape, pscan_status *status)
{
    const int64_t extra = opts->flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0;
    const size_t shape_bytes = (size_t)in->ndim * sizeof *result_shape;
    int64_t from_shape[PSCAN_MAX_DIMS];
    memcpy(result_shape, in->shape, shape_bytes);
    pscan_array from = *in;
    void *from_data = NULL, *to_data = NULL;
    *status = PSCAN_OK;
    for (int k = 0; k < naxes && *status == PSCAN_OK; k++) {
        result_shape[desc[k]] += extra;
        const pscan_dtype to_dtype = k == naxes - 1 ? out_dtype : acc;
        to_data = tu_malloc((size_t)tu_prod(in->ndim, result_shape) * tu_size(to_dtype));
        const pscan_array to = tu_arr(to_data, to_dtype, in->ndim, result_shape, NULL);
        *status = pscan_scan(op, &from, desc[k], acc, &to, opts);
        free(from_data);
        from_data = to_data;
        memcpy(from_shape, result_shape, shape_bytes);
        from = tu_arr(from_data, acc, in->ndim, from_shape, NULL);
    }
    return to_data;
}

/* One flagged call against its chain by hand, bit for bit; out starts
 * as a sentinel, so every element must be written. */
static void check_flags(pscan_op op, pscan_dtype in_dtype, pscan_dtype acc, pscan_dtype out_dtype,
                        unsigned flags, int ndim, const int64_t *shape, int naxes, const int *axes,
                        const int *desc)
{
    const int64_t n = tu_prod(ndim, shape);
    void *in = tu_malloc((size_t)n * tu_size(in_dtype));
    fill_values(in, in_dtype, n, flags & PSCAN_FLAG_SKIP_NAN);
    const pscan_array ai = tu_arr(in, in_dtype, ndim, shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = flags;
    int64_t out_shape[PSCAN_MAX_DIMS];
    pscan_status status;
    void *want = hand_chain(op, &ai, naxes, desc, acc, out_dtype, &o, out_shape, &status);
    TU_ASSERT_OK(status);
    const size_t out_bytes = (size_t)tu_prod(ndim, out_shape) * tu_size(out_dtype);
    void *got = tu_malloc(out_bytes);
    tu_fill_sentinel(got, out_bytes);
    const pscan_array ao = tu_arr(got, out_dtype, ndim, out_shape, NULL);
    status = pscan_scan_axes(op, &ai, naxes, axes, acc, &ao, &o);
    cr_assert(eq(int, (int)status, (int)PSCAN_OK), "flags %#x: %s", flags, pscan_strerror(status));
    cr_assert(eq(int, memcmp(got, want, out_bytes), 0),
              "flags %#x op %d %s->%s->%s ndim %d naxes %d: bits differ from the chain", flags,
              (int)op, pscan_dtype_name(in_dtype), pscan_dtype_name(acc),
              pscan_dtype_name(out_dtype), ndim, naxes);
    free(in);
    free(want);
    free(got);
}

typedef struct flag_case {
    unsigned flags;
    pscan_op op;
    pscan_dtype in, acc, out;
} flag_case;

/* Every case over a 2-D array (both axes), a 3-D one (all three axes)
 * and the outer and last axes of the 3-D one. */
static void check_flag_cases(const flag_case *cases, size_t count)
{
    const int64_t image[2] = {37, 53}, cube[3] = {5, 6, 7};
    const int a01[2] = {0, 1}, d01[2] = {1, 0}, a012[3] = {2, 0, 1}, d012[3] = {2, 1, 0};
    const int a02[2] = {-1, 0}, d02[2] = {2, 0};
    for (size_t k = 0; k < count; k++) {
        const flag_case *c = &cases[k];
        check_flags(c->op, c->in, c->acc, c->out, c->flags, 2, image, 2, a01, d01);
        check_flags(c->op, c->in, c->acc, c->out, c->flags, 3, cube, 3, a012, d012);
        check_flags(c->op, c->in, c->acc, c->out, c->flags, 3, cube, 2, a02, d02);
    }
}

Test(axes, flags_each_alone)
{
    const flag_case cases[] = {
        {PSCAN_FLAG_SKIP_NAN, PSCAN_SUM, PSCAN_FLOAT32, PSCAN_FLOAT32, PSCAN_FLOAT32},
        {PSCAN_FLAG_SKIP_NAN, PSCAN_MAX, PSCAN_FLOAT32, PSCAN_FLOAT32, PSCAN_FLOAT32},
        {PSCAN_FLAG_SKIP_NAN, PSCAN_SUM, PSCAN_FLOAT32, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {PSCAN_FLAG_COMPENSATED, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {PSCAN_FLAG_EXCLUSIVE, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT64},
        {PSCAN_FLAG_EXCLUSIVE, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {PSCAN_FLAG_EXCLUSIVE, PSCAN_MAX, PSCAN_INT16, PSCAN_INT16, PSCAN_INT16},
        {PSCAN_FLAG_REVERSE, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {PSCAN_FLAG_REVERSE, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT64},
        {PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT64},
        {PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_MIN, PSCAN_INT16, PSCAN_INT16, PSCAN_INT16},
        {PSCAN_FLAG_CHECK_OVERFLOW, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT64},
        {PSCAN_FLAG_CHECK_OVERFLOW, PSCAN_SUM, PSCAN_INT16, PSCAN_INT32, PSCAN_INT32}};
    check_flag_cases(cases, TU_COUNT(cases));
}

Test(axes, flags_combined)
{
    const unsigned excl_rev = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE;
    const unsigned nan_comp = PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_COMPENSATED;
    const unsigned rev_init = PSCAN_FLAG_REVERSE | PSCAN_FLAG_INCLUDE_INITIAL;
    const flag_case cases[] = {
        {excl_rev, PSCAN_SUM, PSCAN_INT64, PSCAN_INT64, PSCAN_INT64},
        {excl_rev, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {nan_comp, PSCAN_SUM, PSCAN_FLOAT32, PSCAN_FLOAT32, PSCAN_FLOAT32},
        {nan_comp, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {rev_init, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT64},
        {rev_init, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT64},
        {rev_init | PSCAN_FLAG_CHECK_OVERFLOW, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT64}};
    check_flag_cases(cases, TU_COUNT(cases));
}

/* out in another dtype than the accumulator: the chain runs in the
 * accumulator and only its last scan converts. */
Test(axes, flags_converting_out)
{
    const flag_case cases[] = {
        {PSCAN_FLAG_EXCLUSIVE, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_INT32},
        {PSCAN_FLAG_REVERSE | PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64,
         PSCAN_INT32},
        {PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, PSCAN_FLOAT32},
        {PSCAN_FLAG_CHECK_OVERFLOW, PSCAN_SUM, PSCAN_INT16, PSCAN_INT64, PSCAN_FLOAT32},
        {PSCAN_FLAG_COMPENSATED, PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_FLOAT32}};
    check_flag_cases(cases, TU_COUNT(cases));
}

/* Include-initial into a strided out (every other float64 of a larger
 * buffer, no scratch): the chain's bits at every element, the elements
 * between untouched. */
Test(axes, include_initial_strided_out)
{
    const int64_t shape[2] = {9, 11}, out_shape[2] = {10, 12}, n = 9 * 11;
    const int axes[2] = {0, 1}, desc[2] = {1, 0};
    double *in = tu_malloc((size_t)n * 8), *base = tu_malloc(10 * 12 * 2 * 8);
    fill_values(in, PSCAN_FLOAT64, n, false);
    tu_fill_sentinel(base, 10 * 12 * 2 * 8);
    const pscan_array ai = tu_arr(in, PSCAN_FLOAT64, 2, shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    int64_t want_shape[2];
    pscan_status status;
    double *want =
        hand_chain(PSCAN_SUM, &ai, 2, desc, PSCAN_FLOAT64, PSCAN_FLOAT64, &o, want_shape, &status);
    TU_ASSERT_OK(status);
    const int64_t strides[2] = {12 * 16, 16};
    const pscan_array ao = tu_arr(base, PSCAN_FLOAT64, 2, out_shape, strides);
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 2, axes, PSCAN_FLOAT64, &ao, &o));
    const unsigned char *bytes = (const unsigned char *)base;
    for (int64_t i = 0; i < 10 * 12; i++) {
        cr_assert(eq(int, memcmp(bytes + i * 16, &want[i], 8), 0), "element %lld", (long long)i);
        for (int b = 8; b < 16; b++)
            cr_assert(eq(u8, bytes[i * 16 + b], tu_sentinel_byte((size_t)(i * 16 + b))),
                      "gap after element %lld written", (long long)i);
    }
    free(in);
    free(base);
    free(want);
}

/* Include-initial against its definition: the identity along the first
 * index of every scanned axis (the last under REVERSE). */
Test(axes, include_initial_identity_slices)
{
    const int64_t in[4] = {1, 2, 3, 4}, shape[2] = {2, 2}, out_shape[2] = {3, 3};
    const int both[2] = {1, 0};
    int64_t out[9];
    const pscan_array ai = tu_arr((void *)in, PSCAN_INT64, 2, shape, NULL),
                      ao = tu_arr(out, PSCAN_INT64, 2, out_shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 2, both, PSCAN_DTYPE_DEFAULT, &ao, &o));
    const int64_t forward[9] = {0, 0, 0, 0, 1, 3, 0, 4, 10};
    tu_assert_i64s(out, forward, 9);
    o.flags |= PSCAN_FLAG_REVERSE;
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 2, both, PSCAN_DTYPE_DEFAULT, &ao, &o));
    const int64_t backward[9] = {10, 6, 0, 7, 4, 0, 0, 0, 0};
    tu_assert_i64s(out, backward, 9);
    /* an empty axis: the identity slices alone */
    const int64_t empty[2] = {0, 2}, empty_out[2] = {1, 3};
    const pscan_array ei = tu_arr((void *)in, PSCAN_INT64, 2, empty, NULL),
                      eo = tu_arr(out, PSCAN_INT64, 2, empty_out, NULL);
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    memset(out, 0xff, sizeof out);
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_PROD, &ei, 2, both, PSCAN_DTYPE_DEFAULT, &eo, &o));
    const int64_t ones[3] = {1, 1, 1};
    tu_assert_i64s(out, ones, 3);
}

/* In place (in and out the same accumulator-typed array): the chain of a
 * copy's bits. */
Test(axes, flags_in_place)
{
    const int64_t image[2] = {37, 53}, cube[3] = {5, 6, 7};
    const int a01[2] = {0, 1}, d01[2] = {1, 0}, a012[3] = {0, 1, 2}, d012[3] = {2, 1, 0};
    const struct {
        unsigned flags;
        pscan_dtype dtype;
    } cases[] = {{PSCAN_FLAG_REVERSE, PSCAN_FLOAT64},
                 {PSCAN_FLAG_EXCLUSIVE, PSCAN_INT64},
                 {PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE, PSCAN_FLOAT64},
                 {PSCAN_FLAG_SKIP_NAN, PSCAN_FLOAT64},
                 {PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_COMPENSATED, PSCAN_FLOAT32},
                 {PSCAN_FLAG_CHECK_OVERFLOW, PSCAN_INT64},
                 {PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_REVERSE, PSCAN_INT32}};
    for (size_t k = 0; k < TU_COUNT(cases); k++)
        for (int dims = 2; dims <= 3; dims++) {
            const int64_t *shape = dims == 2 ? image : cube;
            const int *axes = dims == 2 ? a01 : a012, *desc = dims == 2 ? d01 : d012;
            const pscan_dtype t = cases[k].dtype;
            const int64_t n = tu_prod(dims, shape);
            const size_t bytes = (size_t)n * tu_size(t);
            void *data = tu_malloc(bytes);
            fill_values(data, t, n, cases[k].flags & PSCAN_FLAG_SKIP_NAN);
            const pscan_array v = tu_arr(data, t, dims, shape, NULL);
            pscan_opts o = PSCAN_OPTS_INIT;
            o.flags = cases[k].flags;
            int64_t want_shape[PSCAN_MAX_DIMS];
            pscan_status status;
            void *want = hand_chain(PSCAN_SUM, &v, dims, desc, t, t, &o, want_shape, &status);
            TU_ASSERT_OK(status);
            TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &v, dims, axes, t, &v, &o));
            cr_assert(eq(int, memcmp(data, want, bytes), 0), "flags %#x %s ndim %d in place",
                      cases[k].flags, pscan_dtype_name(t), dims);
            free(data);
            free(want);
        }
}

/* An int32 accumulator whose chain overflows in its second scan only:
 * along the last axis each row's partials stay below 2^31 (and so would
 * any single-axis scan of the input), then the columns of those partials
 * pass it. PSCAN_EOVERFLOW, out untouched byte for byte: in another
 * array, in another dtype, and in place (the input kept). */
static void check_second_axis_overflow(int ndim, const int64_t *shape, int naxes, const int *axes,
                                       const int *desc)
{
    const int64_t n = tu_prod(ndim, shape), last = shape[ndim - 1];
    int32_t *in = tu_malloc((size_t)n * 4), *copy = tu_malloc((size_t)n * 4);
    for (int64_t i = 0; i < n; i++)
        in[i] = i % last < 2 ? 1 << 29 : 0;
    memcpy(copy, in, (size_t)n * 4);
    const pscan_array ai = tu_arr(in, PSCAN_INT32, ndim, shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    /* the chain by hand: its first scan succeeds, its second overflows */
    pscan_status status;
    int64_t want_shape[PSCAN_MAX_DIMS];
    free(hand_chain(PSCAN_SUM, &ai, 1, desc, PSCAN_INT32, PSCAN_INT32, &o, want_shape, &status));
    TU_ASSERT_OK(status);
    free(hand_chain(PSCAN_SUM, &ai, 2, desc, PSCAN_INT32, PSCAN_INT32, &o, want_shape, &status));
    cr_assert(eq(int, (int)status, (int)PSCAN_EOVERFLOW));
    const pscan_dtype outs[2] = {PSCAN_INT32, PSCAN_INT64};
    for (int k = 0; k < 2; k++) {
        const size_t out_bytes = (size_t)n * tu_size(outs[k]);
        void *out = tu_malloc(out_bytes);
        tu_fill_sentinel(out, out_bytes);
        const pscan_array ao = tu_arr(out, outs[k], ndim, shape, NULL);
        cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &ai, naxes, axes, PSCAN_INT32, &ao, &o),
                     (int)PSCAN_EOVERFLOW));
        tu_assert_sentinel(out, out_bytes);
        free(out);
    }
    cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &ai, naxes, axes, PSCAN_INT32, &ai, &o),
                 (int)PSCAN_EOVERFLOW));
    cr_assert(eq(int, memcmp(in, copy, (size_t)n * 4), 0), "in place: the input was changed");
    free(in);
    free(copy);
}

Test(axes, check_overflow_in_second_axis)
{
    const int64_t image[2] = {3, 4}, cube[3] = {3, 5, 4};
    const int a01[2] = {1, 0}, d01[2] = {1, 0}, a02[2] = {0, 2}, d02[2] = {2, 0};
    const int a012[3] = {0, 1, 2}, d012[3] = {2, 1, 0};
    check_second_axis_overflow(2, image, 2, a01, d01);
    check_second_axis_overflow(3, cube, 2, a02, d02);
    check_second_axis_overflow(3, cube, 3, a012, d012);
}

/* Include-initial checks out's shape along every axis before writing:
 * one longer along only one of them (what that axis's scan alone would
 * accept), in's shape, a wrong ndim, one longer along an axis not
 * scanned; an out whose identity slices alias; exclusive with it. */
Test(axes, include_initial_errors)
{
    int64_t in[6] = {1, 2, 3, 4, 5, 6}, out[40];
    const int64_t shape[2] = {2, 3};
    const int both[2] = {0, 1}, last[1] = {1};
    const pscan_array ai = tu_arr(in, PSCAN_INT64, 2, shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    const int64_t wrong[6][3] = {{2, 4}, {3, 3}, {2, 3}, {4, 3}, {3, 4, 1}, {3, 5}};
    const int wrong_ndim[6] = {2, 2, 2, 2, 3, 2};
    for (int k = 0; k < 6; k++) {
        tu_fill_sentinel(out, sizeof out);
        const pscan_array ao = tu_arr(out, PSCAN_INT64, wrong_ndim[k], wrong[k], NULL);
        cr_assert(eq(int,
                     (int)pscan_scan_axes(PSCAN_SUM, &ai, 2, both, PSCAN_DTYPE_DEFAULT, &ao, &o),
                     (int)PSCAN_EOUTSHAPE),
                  "shape %d", k);
        tu_assert_sentinel(out, sizeof out);
    }
    /* an empty axis has its identity slice too: out (0, 4) for in (0, 3)
     * is what the scan along axis 1 alone would take */
    const int64_t empty[2] = {0, 3}, empty_out[2] = {0, 4};
    const pscan_array ei = tu_arr(in, PSCAN_INT64, 2, empty, NULL),
                      eo = tu_arr(out, PSCAN_INT64, 2, empty_out, NULL);
    cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &ei, 2, both, PSCAN_DTYPE_DEFAULT, &eo, &o),
                 (int)PSCAN_EOUTSHAPE));
    /* one axis of two: out one longer along it alone */
    const int64_t one_longer[2] = {2, 4};
    const pscan_array ok = tu_arr(out, PSCAN_INT64, 2, one_longer, NULL);
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 1, last, PSCAN_DTYPE_DEFAULT, &ok, &o));
    /* in of one row: out's two rows at stride 0 share their bytes */
    const int64_t row[2] = {1, 3}, row_out[2] = {2, 4}, aliased_strides[2] = {0, 8};
    const pscan_array ri = tu_arr(in, PSCAN_INT64, 2, row, NULL),
                      ro = tu_arr(out, PSCAN_INT64, 2, row_out, aliased_strides);
    tu_fill_sentinel(out, sizeof out);
    cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &ri, 2, both, PSCAN_DTYPE_DEFAULT, &ro, &o),
                 (int)PSCAN_EOUTALIAS));
    tu_assert_sentinel(out, sizeof out);
    const int64_t right[2] = {3, 4};
    const pscan_array ao = tu_arr(out, PSCAN_INT64, 2, right, NULL);
    o.flags |= PSCAN_FLAG_EXCLUSIVE;
    cr_assert(eq(int, (int)pscan_scan_axes(PSCAN_SUM, &ai, 2, both, PSCAN_DTYPE_DEFAULT, &ao, &o),
                 (int)PSCAN_EOPTS));
    tu_assert_sentinel(out, sizeof out);
}

/* ---- OpenCV's layout: summed-area tables with INCLUDE_INITIAL ---- */

/* cv::integral's table of a stack of images (ndim 2: one image; ndim 3:
 * shape[0] of them), scanned over the images' two axes given as `axes`:
 * out[.., 0, :] and out[.., :, 0] are zero bytes, out[.., r + 1, c + 1]
 * the direct sum of in[.., 0..r, 0..c] (an int64 recurrence; exact in
 * int64, and in float64 for integer images whose sums fit its 53 bits)
 * or, for float images, the bits of the two single-axis include-initial
 * scans chained by hand; the same bits for 1 to 4 threads. */
static void check_opencv_layout(pscan_dtype in_dtype, pscan_dtype acc, int ndim,
                                const int64_t *shape, const int *axes)
{
    const int64_t images = ndim == 3 ? shape[0] : 1, rows = shape[ndim - 2], cols = shape[ndim - 1],
                  n = images * rows * cols;
    const int64_t out_shape[3] = {images, rows + 1, cols + 1};
    const int64_t *oshape = ndim == 3 ? out_shape : out_shape + 1;
    const int64_t out_n = images * (rows + 1) * (cols + 1);
    const size_t item = tu_size(acc), out_bytes = (size_t)out_n * item;
    void *in = tu_malloc((size_t)n * tu_size(in_dtype));
    int64_t *direct = tu_malloc((size_t)out_n * sizeof *direct);
    uint64_t seed = (uint64_t)(n * 31 + in_dtype);
    const int64_t top = in_dtype == PSCAN_UINT16 ? 65535 : 255;
    for (int64_t i = 0; i < n; i++) {
        char *p = (char *)in + (size_t)i * tu_size(in_dtype);
        if (tu_is_int(in_dtype))
            tu_put_i64(p, in_dtype, tu_rand_range(&seed, 0, top));
        else
            tu_put_f64(p, in_dtype, tu_rand_unit(&seed) * 255.0 - 50.0, 0.0);
    }
    const pscan_array ai = tu_arr(in, in_dtype, ndim, shape, NULL);
    const bool exact = tu_is_int(in_dtype);
    for (int64_t s = 0; exact && s < images; s++)
        for (int64_t r = 0; r <= rows; r++)
            for (int64_t c = 0; c <= cols; c++) {
                int64_t *d = &direct[(s * (rows + 1) + r) * (cols + 1) + c];
                *d = r && c ? tu_get_i64((char *)in + (size_t)((s * rows + r - 1) * cols + c - 1) *
                                                          tu_size(in_dtype),
                                         in_dtype) +
                                  d[-(cols + 1)] + d[-1] - d[-(cols + 1) - 1]
                            : 0;
            }
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    void *chain = NULL;
    if (!exact) {
        const int desc[2] = {ndim - 1, ndim - 2};
        int64_t chain_shape[PSCAN_MAX_DIMS];
        pscan_status status;
        chain = hand_chain(PSCAN_SUM, &ai, 2, desc, acc, acc, &o, chain_shape, &status);
        TU_ASSERT_OK(status);
    }
    unsigned char *first = tu_malloc(out_bytes), *got = tu_malloc(out_bytes);
    for (int threads = 1; threads <= 4; threads++) {
        unsigned char *out = threads == 1 ? first : got;
        tu_fill_sentinel(out, out_bytes);
        const pscan_array ao = tu_arr(out, acc, ndim, oshape, NULL);
        o.threads = threads;
        TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 2, axes, acc, &ao, &o));
        if (threads > 1) {
            cr_assert(eq(int, memcmp(got, first, out_bytes), 0), "%s->%s %lldx%lld threads %d",
                      pscan_dtype_name(in_dtype), pscan_dtype_name(acc), (long long)rows,
                      (long long)cols, threads);
            continue;
        }
        for (int64_t i = 0; i < out_n; i++) {
            const int64_t r = i / (cols + 1) % (rows + 1), c = i % (cols + 1);
            const unsigned char *at = out + (size_t)i * item;
            if (r == 0 || c == 0) {
                for (size_t b = 0; b < item; b++)
                    cr_assert(eq(u8, at[b], 0), "element %lld is not a zero", (long long)i);
            } else if (!exact) {
                cr_assert(eq(int, memcmp(at, (char *)chain + (size_t)i * item, item), 0),
                          "%s->%s %lldx%lld element %lld differs from the chain",
                          pscan_dtype_name(in_dtype), pscan_dtype_name(acc), (long long)rows,
                          (long long)cols, (long long)i);
            } else if (tu_is_int(acc)) {
                cr_assert(eq(i64, tu_get_i64(at, acc), direct[i]), "element %lld", (long long)i);
            } else {
                cr_assert(eq(dbl, tu_get_re(at, acc), (double)direct[i]), "element %lld",
                          (long long)i);
            }
        }
    }
    free(in), free(direct), free(chain), free(first), free(got);
}

Test(axes, opencv_layout_summed_area_tables)
{
    const struct {
        pscan_dtype in, acc;
    } types[] = {{PSCAN_UINT8, PSCAN_INT64},
                 {PSCAN_UINT8, PSCAN_FLOAT64},
                 {PSCAN_UINT16, PSCAN_INT64},
                 {PSCAN_FLOAT32, PSCAN_FLOAT64},
                 {PSCAN_FLOAT64, PSCAN_FLOAT64}};
    const int64_t shapes[][2] = {{1, 1}, {1, 13}, {11, 1}, {3, 5}, {64, 65}, {300, 257}};
    const int orders[3][2] = {{0, 1}, {-2, -1}, {1, 0}};
    const int64_t stack[3] = {4, 37, 29};
    const int stack_axes[2][2] = {{1, 2}, {-1, -2}};
    for (size_t t = 0; t < TU_COUNT(types); t++) {
        for (size_t s = 0; s < TU_COUNT(shapes); s++)
            for (int k = 0; k < 3; k++)
                check_opencv_layout(types[t].in, types[t].acc, 2, shapes[s], orders[k]);
        for (int k = 0; k < 2; k++)
            check_opencv_layout(types[t].in, types[t].acc, 3, stack, stack_axes[k]);
    }
}
