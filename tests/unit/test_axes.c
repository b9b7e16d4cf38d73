/*
 * test_axes.c - pscan_scan_axes: the scan over a set of axes equals the
 * single-axis scans run one after another from the last axis to the first,
 * bit for bit, through the slab path (C-contiguous, out in the
 * accumulator), the one-pass path of an axis and the last axis
 * (order-free ops; float batches by image; single float images by column
 * strips; rows strided past the axes between) and the chained path
 * (strided, converting out); a summed-area table checked against its
 * definition; errors leave out untouched.
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
    flagged.flags = PSCAN_FLAG_REVERSE;
    cr_assert(eq(int,
                 (int)pscan_scan_axes(PSCAN_SUM, &v, 2, both, PSCAN_DTYPE_DEFAULT, &o, &flagged),
                 (int)PSCAN_ENOTSUP));
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
