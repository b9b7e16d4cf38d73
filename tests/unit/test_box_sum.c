/*
 * test_box_sum.c - pscan_box_sums: box sums from summed-area tables made
 * by pscan_scan_axes, in OpenCV's layout (INCLUDE_INITIAL) and the plain
 * inclusive one, against direct sums of the image; the float rounding a
 * plain table carries and a compensated table bounds; strided tables,
 * boxes and sums; threads; every error status with sums untouched.
 */
#include "testutil.h"

#include <float.h>
#include <stdbool.h>

static const int both_axes[2] = {0, 1};

/* Every box of a rows x cols image, empty ones included: n x 4 int64. */
static int64_t *every_box(int64_t rows, int64_t cols, int64_t *count)
{
    const int64_t n = (rows + 1) * (rows + 2) / 2 * ((cols + 1) * (cols + 2) / 2);
    int64_t *boxes = tu_malloc((size_t)n * 4 * sizeof *boxes), k = 0;
    for (int64_t r0 = 0; r0 <= rows; r0++)
        for (int64_t r1 = r0; r1 <= rows; r1++)
            for (int64_t c0 = 0; c0 <= cols; c0++)
                for (int64_t c1 = c0; c1 <= cols; c1++) {
                    const int64_t box[4] = {r0, c0, r1, c1};
                    memcpy(&boxes[4 * k++], box, sizeof box);
                }
    cr_assert(eq(i64, k, n));
    *count = n;
    return boxes;
}

/* Sum of img (rows x cols, C order) over a box, as int64 (wrapping). */
static int64_t direct_sum(const int64_t *img, int64_t cols, const int64_t *box)
{
    uint64_t sum = 0;
    for (int64_t r = box[0]; r < box[2]; r++)
        for (int64_t c = box[1]; c < box[3]; c++)
            sum += (uint64_t)img[r * cols + c];
    return (int64_t)sum;
}

/* The summed-area table of `image` in `dtype`, in OpenCV's layout when
 * `initial`: a new C-ordered buffer, its shape in table_shape. */
static void *make_table(const pscan_array *image, pscan_dtype dtype, unsigned flags,
                        int64_t *table_shape)
{
    const int64_t extra = flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0;
    table_shape[0] = image->shape[0] + extra;
    table_shape[1] = image->shape[1] + extra;
    void *table = tu_malloc((size_t)(table_shape[0] * table_shape[1]) * tu_size(dtype));
    const pscan_array at = tu_arr(table, dtype, 2, table_shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = flags;
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, image, 2, both_axes, dtype, &at, &o));
    return table;
}

/* pscan_box_sums over a C-ordered table and boxes into a new sums buffer. */
static void *box_sums(void *table, pscan_dtype dtype, const int64_t *table_shape, int64_t *boxes,
                      int64_t n, unsigned flags, int threads)
{
    const int64_t box_shape[2] = {n, 4};
    void *sums = tu_malloc((size_t)n * tu_size(dtype));
    const pscan_array at = tu_arr(table, dtype, 2, table_shape, NULL),
                      ab = tu_arr(boxes, PSCAN_INT64, 2, box_shape, NULL),
                      as = tu_vec(sums, dtype, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = flags;
    o.threads = threads;
    TU_ASSERT_OK(pscan_box_sums(&at, &ab, &as, &o));
    return sums;
}

static const unsigned layouts[2] = {0, PSCAN_FLAG_INCLUDE_INITIAL};

/* Integer images, every box, both layouts: int64 and uint64 tables give
 * the direct sum exactly, an int8 table (which wraps) gives it modulo
 * 256, as numpy's int8 arithmetic would. */
Test(box_sum, integers_every_box_both_layouts)
{
    const int64_t shapes[][2] = {{1, 1}, {1, 6}, {5, 1}, {4, 7}, {9, 8}};
    uint64_t seed = 22;
    for (size_t s = 0; s < TU_COUNT(shapes); s++) {
        const int64_t rows = shapes[s][0], cols = shapes[s][1], n = rows * cols;
        int64_t *img = tu_malloc((size_t)n * sizeof *img);
        int32_t *img32 = tu_malloc((size_t)n * sizeof *img32);
        for (int64_t i = 0; i < n; i++)
            img32[i] = (int32_t)(img[i] = tu_rand_range(&seed, -1000, 1000));
        const pscan_array image = tu_arr(img32, PSCAN_INT32, 2, shapes[s], NULL);
        int64_t count;
        int64_t *boxes = every_box(rows, cols, &count);
        for (int l = 0; l < 2; l++) {
            int64_t ts[2];
            int64_t *t64 = make_table(&image, PSCAN_INT64, layouts[l], ts);
            int64_t *s64 = box_sums(t64, PSCAN_INT64, ts, boxes, count, layouts[l], 0);
            uint64_t *tu = make_table(&image, PSCAN_UINT64, layouts[l], ts);
            uint64_t *su = box_sums(tu, PSCAN_UINT64, ts, boxes, count, layouts[l], 0);
            int8_t *t8 = make_table(&image, PSCAN_INT8, layouts[l], ts);
            int8_t *s8 = box_sums(t8, PSCAN_INT8, ts, boxes, count, layouts[l], 0);
            for (int64_t k = 0; k < count; k++) {
                const int64_t want = direct_sum(img, cols, &boxes[4 * k]);
                cr_assert(eq(i64, s64[k], want), "%lldx%lld layout %d box %lld", (long long)rows,
                          (long long)cols, l, (long long)k);
                cr_assert(eq(u64, su[k], (uint64_t)want));
                cr_assert(eq(u8, (uint8_t)s8[k], (uint8_t)(uint64_t)want));
            }
            free(t64), free(s64), free(tu), free(su), free(t8), free(s8);
        }
        free(boxes), free(img), free(img32);
    }
}

/* Float and complex tables of small integer images hold every prefix
 * exactly, so every box sum is exact (float16 too: sums up to 2048). */
Test(box_sum, float_tables_of_integer_images_are_exact)
{
    const int64_t shape[2] = {6, 9}, rows = 6, cols = 9, n = 54;
    int64_t img[54];
    double re[54], cplx[108];
    for (int64_t i = 0; i < n; i++) {
        img[i] = (i * 37) % 11 - 3;
        re[i] = (double)img[i];
        cplx[2 * i] = re[i];
        cplx[2 * i + 1] = -2.0 * re[i];
    }
    const pscan_array image = tu_arr(re, PSCAN_FLOAT64, 2, shape, NULL),
                      cimage = tu_arr(cplx, PSCAN_COMPLEX128, 2, shape, NULL);
    const pscan_dtype dtypes[] = {PSCAN_FLOAT16, PSCAN_FLOAT32, PSCAN_FLOAT64, PSCAN_COMPLEX64,
                                  PSCAN_COMPLEX128};
    int64_t count;
    int64_t *boxes = every_box(rows, cols, &count);
    for (size_t d = 0; d < TU_COUNT(dtypes); d++)
        for (int l = 0; l < 2; l++) {
            const bool is_complex = tu_is_complex(dtypes[d]);
            int64_t ts[2];
            void *table = make_table(is_complex ? &cimage : &image, dtypes[d], layouts[l], ts);
            char *sums = box_sums(table, dtypes[d], ts, boxes, count, layouts[l], 0);
            for (int64_t k = 0; k < count; k++) {
                const double want = (double)direct_sum(img, cols, &boxes[4 * k]);
                const char *at = sums + (size_t)k * tu_size(dtypes[d]);
                cr_assert(eq(dbl, tu_get_re(at, dtypes[d]), want), "%s layout %d box %lld",
                          pscan_dtype_name(dtypes[d]), l, (long long)k);
                if (is_complex)
                    cr_assert(eq(dbl, tu_get_im(at, dtypes[d]), -2.0 * want));
            }
            free(table), free(sums);
        }
    free(boxes);
}

/* The documented order, (P11 - P01) - (P10 - P00) in double, for a box
 * of a C-ordered table. */
static double formula_f64(const double *table, const int64_t *ts, bool initial, const int64_t *b)
{
    double p[4]; /* P[r1,c1], P[r0,c1], P[r1,c0], P[r0,c0] */
    const int64_t at[4][2] = {{b[2], b[3]}, {b[0], b[3]}, {b[2], b[1]}, {b[0], b[1]}};
    for (int j = 0; j < 4; j++) {
        const int64_t r = at[j][0] - (initial ? 0 : 1), c = at[j][1] - (initial ? 0 : 1);
        p[j] = r < 0 || c < 0 ? 0.0 : table[r * ts[1] + c];
    }
    return (p[0] - p[1]) - (p[2] - p[3]);
}

/* Random boxes (some empty) of a rows x cols image. */
static int64_t *random_boxes(int64_t rows, int64_t cols, int64_t n, uint64_t *seed)
{
    int64_t *boxes = tu_malloc((size_t)n * 4 * sizeof *boxes);
    for (int64_t k = 0; k < n; k++) {
        int64_t r0 = tu_rand_range(seed, 0, rows), r1 = tu_rand_range(seed, 0, rows);
        int64_t c0 = tu_rand_range(seed, 0, cols), c1 = tu_rand_range(seed, 0, cols);
        const int64_t box[4] = {r0 < r1 ? r0 : r1, c0 < c1 ? c0 : c1, r0 < r1 ? r1 : r0,
                                c0 < c1 ? c1 : c0};
        memcpy(&boxes[4 * k], box, sizeof box);
    }
    return boxes;
}

/* Many boxes of a float64 table: the documented order's bits for any
 * thread count (40000 boxes are enough for a team of 4), and the same
 * bits from both layouts (the zero row and column are +0, and x - 0 is
 * x). */
Test(box_sum, threads_and_layouts_give_the_same_bits)
{
    const int64_t shape[2] = {300, 257}, n = 300 * 257, count = 40000;
    uint64_t seed = 7;
    double *img = tu_malloc((size_t)n * sizeof *img);
    for (int64_t i = 0; i < n; i++)
        img[i] = tu_rand_unit(&seed) * 100.0 - 30.0;
    const pscan_array image = tu_arr(img, PSCAN_FLOAT64, 2, shape, NULL);
    int64_t *boxes = random_boxes(shape[0], shape[1], count, &seed);
    double *first = NULL;
    for (int l = 0; l < 2; l++) {
        int64_t ts[2];
        double *table = make_table(&image, PSCAN_FLOAT64, layouts[l], ts);
        for (int threads = 1; threads <= 4; threads++) {
            double *sums = box_sums(table, PSCAN_FLOAT64, ts, boxes, count, layouts[l], threads);
            if (!first) {
                first = sums;
                for (int64_t k = 0; k < count; k++) {
                    const double want = formula_f64(table, ts, layouts[l], &boxes[4 * k]);
                    cr_assert(eq(u64, tu_dbits(first[k]), tu_dbits(want)), "box %lld",
                              (long long)k);
                }
                continue;
            }
            cr_assert(eq(int, memcmp(sums, first, (size_t)count * sizeof *sums), 0),
                      "layout %d threads %d", l, threads);
            free(sums);
        }
        free(table);
    }
    free(first), free(boxes), free(img);
}

/* float32 and complex64 tables: (P11 - P01) - (P10 - P00) rounded to
 * float32 at every step, a complex table part by part. */
Test(box_sum, float32_and_complex64_follow_the_documented_order)
{
    const int64_t shape[2] = {61, 47}, n = 61 * 47, count = 3000;
    uint64_t seed = 11;
    float *img = tu_malloc((size_t)n * 2 * sizeof *img);
    for (int64_t i = 0; i < 2 * n; i++)
        img[i] = (float)(tu_rand_unit(&seed) * 10.0 - 3.0);
    int64_t *boxes = random_boxes(shape[0], shape[1], count, &seed);
    const pscan_array real = tu_arr(img, PSCAN_FLOAT32, 2, shape, NULL),
                      cplx = tu_arr(img, PSCAN_COMPLEX64, 2, shape, NULL);
    for (int l = 0; l < 2; l++) {
        const bool initial = layouts[l];
        int64_t ts[2];
        float *rt = make_table(&real, PSCAN_FLOAT32, layouts[l], ts);
        float *ct = make_table(&cplx, PSCAN_COMPLEX64, layouts[l], ts);
        float *rs = box_sums(rt, PSCAN_FLOAT32, ts, boxes, count, layouts[l], 2);
        float *cs = box_sums(ct, PSCAN_COMPLEX64, ts, boxes, count, layouts[l], 2);
        for (int64_t k = 0; k < count; k++) {
            const int64_t *b = &boxes[4 * k];
            const int64_t at[4][2] = {{b[2], b[3]}, {b[0], b[3]}, {b[2], b[1]}, {b[0], b[1]}};
            float p[4], pre[4], pim[4];
            for (int j = 0; j < 4; j++) {
                const int64_t r = at[j][0] - (initial ? 0 : 1), c = at[j][1] - (initial ? 0 : 1);
                const bool zero = r < 0 || c < 0;
                p[j] = zero ? 0.0f : rt[r * ts[1] + c];
                pre[j] = zero ? 0.0f : ct[2 * (r * ts[1] + c)];
                pim[j] = zero ? 0.0f : ct[2 * (r * ts[1] + c) + 1];
            }
            const bool empty = b[0] == b[2] || b[1] == b[3];
            const float want = empty ? 0.0f : (p[0] - p[1]) - (p[2] - p[3]);
            const float want_re = empty ? 0.0f : (pre[0] - pre[1]) - (pre[2] - pre[3]);
            const float want_im = empty ? 0.0f : (pim[0] - pim[1]) - (pim[2] - pim[3]);
            cr_assert(eq(u32, tu_fbits(rs[k]), tu_fbits(want)), "box %lld", (long long)k);
            cr_assert(eq(u32, tu_fbits(cs[2 * k]), tu_fbits(want_re)));
            cr_assert(eq(u32, tu_fbits(cs[2 * k + 1]), tu_fbits(want_im)));
        }
        free(rt), free(ct), free(rs), free(cs);
    }
    free(img), free(boxes);
}

/* A float64 image where the plain table's rounding shows: every pixel
 * is 1 + 2^-44. Along a row the running sum passes 512 after 512 pixels,
 * where its unit in the last place is 2^-43, so each later pixel's 2^-44
 * is a tie rounded to even and lost: a box over the right half is short
 * by about its area times 2^-44, however small the box.
 *
 * The compensated table's bound: a compensated scan rounds each output
 * once, so a row prefix R is within u = 2^-53 of itself relatively, and
 * the column scan of the rounded R is rounded once more: with positive
 * pixels every entry is within 2u * T of the exact prefix, T the table's
 * largest entry (the total), up to a double-double's 2^-100. The box's
 * three subtractions round by at most u * T each: |error| <= 11u * T,
 * checked against 12u * T. The plain table misses it by 10x on the
 * bottom-right quarter and by 37x on the whole image. */
Test(box_sum, compensated_table_bounds_the_rounding)
{
    const int64_t side = 1024, shape[2] = {1024, 1024}, n = 1024 * 1024;
    const double pixel = 1.0 + 0x1p-44;
    double *img = tu_malloc((size_t)n * sizeof *img);
    for (int64_t i = 0; i < n; i++)
        img[i] = pixel;
    const pscan_array image = tu_arr(img, PSCAN_FLOAT64, 2, shape, NULL);
    /* boxes with corners every 64 rows and columns, and the 1x1 corner */
    int64_t grid_count = 0;
    int64_t *grid = every_box(16, 16, &grid_count);
    for (int64_t j = 0; j < 4 * grid_count; j++)
        grid[j] *= 64;
    const double exact_total = (double)n * pixel, bound = 12.0 * 0x1p-53 * exact_total;
    for (int l = 0; l < 2; l++) {
        int64_t ts[2];
        const unsigned compensated = layouts[l] | PSCAN_FLAG_COMPENSATED;
        double *plain = make_table(&image, PSCAN_FLOAT64, layouts[l], ts);
        double *comp = make_table(&image, PSCAN_FLOAT64, compensated, ts);
        double *plain_sums = box_sums(plain, PSCAN_FLOAT64, ts, grid, grid_count, layouts[l], 0);
        double *comp_sums = box_sums(comp, PSCAN_FLOAT64, ts, grid, grid_count, compensated, 0);
        double worst_plain = 0.0, worst_comp = 0.0;
        for (int64_t k = 0; k < grid_count; k++) {
            const int64_t *b = &grid[4 * k];
            const double area = (double)((b[2] - b[0]) * (b[3] - b[1]));
            /* exact: area + area * 2^-44; got - area is exact (Sterbenz) */
            const double err_plain = fabs((plain_sums[k] - area) - area * 0x1p-44);
            const double err_comp = fabs((comp_sums[k] - area) - area * 0x1p-44);
            worst_plain = fmax(worst_plain, err_plain);
            worst_comp = fmax(worst_comp, err_comp);
            cr_assert(le(dbl, err_comp, bound), "box (%lld %lld %lld %lld): %a", (long long)b[0],
                      (long long)b[1], (long long)b[2], (long long)b[3], comp_sums[k]);
        }
        cr_assert(ge(dbl, worst_plain, 8.0 * bound), "plain worst %a", worst_plain);
        int64_t quarter[4] = {side / 2, side / 2, side, side}, whole[4] = {0, 0, side, side};
        double *q = box_sums(plain, PSCAN_FLOAT64, ts, quarter, 1, layouts[l], 0);
        double *w = box_sums(plain, PSCAN_FLOAT64, ts, whole, 1, layouts[l], 0);
        cr_assert(ge(dbl, fabs((q[0] - 262144.0) - 262144.0 * 0x1p-44), 8.0 * bound));
        cr_assert(ge(dbl, fabs((w[0] - 1048576.0) - 1048576.0 * 0x1p-44), 30.0 * bound));
        free(q), free(w);
        free(plain), free(comp), free(plain_sums), free(comp_sums);
        cr_assert(le(dbl, worst_comp, bound));
    }
    free(grid), free(img);
}

/* Tables as views: the transpose of a table is the table of the
 * transposed image (boxes given as (c0, r0, c1, r1)); every other element
 * of a larger buffer; boxes in column-major order; sums with a negative
 * stride. */
Test(box_sum, strided_and_transposed_views)
{
    const int64_t rows = 7, cols = 5, shape[2] = {7, 5}, n = 35;
    int64_t img[35];
    for (int64_t i = 0; i < n; i++)
        img[i] = (i * 29) % 17 - 8;
    const pscan_array image = tu_arr(img, PSCAN_INT64, 2, shape, NULL);
    int64_t count;
    int64_t *boxes = every_box(rows, cols, &count);
    int64_t *swapped = tu_malloc((size_t)count * 4 * sizeof *swapped);
    int64_t *column_major = tu_malloc((size_t)count * 4 * sizeof *column_major);
    for (int64_t k = 0; k < count; k++) {
        const int64_t *b = &boxes[4 * k];
        const int64_t s[4] = {b[1], b[0], b[3], b[2]};
        memcpy(&swapped[4 * k], s, sizeof s);
        for (int j = 0; j < 4; j++)
            column_major[j * count + k] = b[j];
    }
    for (int l = 0; l < 2; l++) {
        int64_t ts[2];
        int64_t *table = make_table(&image, PSCAN_INT64, layouts[l], ts);
        /* every other int64 of a buffer twice the size, transposed */
        int64_t *spread = tu_malloc((size_t)(ts[0] * ts[1]) * 2 * sizeof *spread);
        for (int64_t i = 0; i < ts[0] * ts[1]; i++)
            spread[2 * i] = table[i], spread[2 * i + 1] = INT64_MIN;
        const int64_t t_shape[2] = {ts[1], ts[0]}, t_strides[2] = {16, 16 * ts[1]};
        const int64_t b_shape[2] = {count, 4}, cm_strides[2] = {8, 8 * count};
        int64_t *sums = tu_malloc((size_t)count * 2 * sizeof *sums);
        tu_fill_sentinel(sums, (size_t)count * 2 * sizeof *sums);
        const int64_t s_strides[1] = {-16};
        const pscan_array at = tu_arr(spread, PSCAN_INT64, 2, t_shape, t_strides),
                          ab = tu_arr(swapped, PSCAN_INT64, 2, b_shape, NULL),
                          as = tu_arr(sums + 2 * (count - 1), PSCAN_INT64, 1, &count, s_strides);
        pscan_opts o = PSCAN_OPTS_INIT;
        o.flags = layouts[l];
        TU_ASSERT_OK(pscan_box_sums(&at, &ab, &as, &o));
        for (int64_t k = 0; k < count; k++)
            cr_assert(eq(i64, sums[2 * (count - 1 - k)], direct_sum(img, cols, &boxes[4 * k])),
                      "transposed, layout %d, box %lld", l, (long long)k);
        /* the plain C table with column-major boxes */
        const pscan_array ct = tu_arr(table, PSCAN_INT64, 2, ts, NULL),
                          cb = tu_arr(column_major, PSCAN_INT64, 2, b_shape, cm_strides);
        TU_ASSERT_OK(pscan_box_sums(&ct, &cb, &as, &o));
        for (int64_t k = 0; k < count; k++)
            cr_assert(eq(i64, sums[2 * (count - 1 - k)], direct_sum(img, cols, &boxes[4 * k])),
                      "column-major boxes, layout %d, box %lld", l, (long long)k);
        /* the gaps between the sums were never written */
        for (int64_t k = 0; k < count; k++)
            for (size_t b = 8; b < 16; b++)
                cr_assert(eq(u8, ((unsigned char *)sums)[16 * k + (int64_t)b],
                             tu_sentinel_byte((size_t)(16 * k) + b)));
        free(table), free(spread), free(sums);
    }
    free(boxes), free(swapped), free(column_major);
}

/* An empty box sums to 0 whatever the table holds; an image with no rows
 * has only empty boxes, and its plain table no elements. */
Test(box_sum, empty_boxes)
{
    const int64_t ts[2] = {3, 3};
    double table[9] = {0.0, 0.0, 0.0, 0.0, INFINITY, NAN, 0.0, -INFINITY, 1.0};
    int64_t boxes[3][4] = {{0, 0, 0, 2}, {1, 1, 1, 1}, {0, 1, 2, 1}};
    const int64_t n = 3;
    double *sums =
        box_sums(table, PSCAN_FLOAT64, ts, &boxes[0][0], n, PSCAN_FLAG_INCLUDE_INITIAL, 0);
    for (int k = 0; k < 3; k++)
        cr_assert(eq(u64, tu_dbits(sums[k]), 0u));
    free(sums);
    const int64_t none[2] = {0, 4};
    int64_t one[4] = {0, 1, 0, 4};
    sums = box_sums(NULL, PSCAN_FLOAT64, none, one, 1, 0, 0);
    cr_assert(eq(u64, tu_dbits(sums[0]), 0u));
    free(sums);
    /* and no boxes at all */
    sums = box_sums(table, PSCAN_FLOAT64, ts, one, 0, 0, 0);
    free(sums);
}

/* One call that must fail with `want` and leave the sums' bytes alone. */
static void expect_error(const pscan_array *table, const pscan_array *boxes,
                         const pscan_array *sums, const pscan_opts *opts, pscan_status want,
                         const char *what)
{
    const size_t bytes = 4 * 16;
    if (sums && sums->data)
        tu_fill_sentinel(sums->data, bytes);
    const pscan_status got = pscan_box_sums(table, boxes, sums, opts);
    cr_assert(eq(int, (int)got, (int)want), "%s: got %s", what, pscan_strerror(got));
    if (sums && sums->data)
        tu_assert_sentinel(sums->data, bytes);
}

Test(box_sum, errors_leave_sums_untouched)
{
    int64_t table[12] = {0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 6, 8};
    const int64_t ts[2] = {3, 4}, bs[2] = {2, 4}, n = 2;
    int64_t boxes[8] = {0, 0, 2, 3, 1, 1, 2, 2};
    int64_t sums[8]; /* 4 * 16 bytes of room for the sentinel */
    const pscan_array t = tu_arr(table, PSCAN_INT64, 2, ts, NULL),
                      b = tu_arr(boxes, PSCAN_INT64, 2, bs, NULL),
                      s = tu_vec(sums, PSCAN_INT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    /* the call that works */
    TU_ASSERT_OK(pscan_box_sums(&t, &b, &s, &o));
    cr_assert(eq(i64, sums[0], 8));
    cr_assert(eq(i64, sums[1], 1));

    pscan_opts bad = o;
    bad.flags |= PSCAN_FLAG_REVERSE;
    expect_error(&t, &b, &s, &bad, PSCAN_EOPTS, "reverse table");
    bad.flags = PSCAN_FLAG_EXCLUSIVE;
    expect_error(&t, &b, &s, &bad, PSCAN_EOPTS, "exclusive table");
    bad = o;
    bad.threads = -1;
    expect_error(&t, &b, &s, &bad, PSCAN_EOPTS, "threads");
    bad = o;
    bad.size = 0;
    expect_error(&t, &b, &s, &bad, PSCAN_EOPTS, "size");
    expect_error(NULL, &b, &s, &o, PSCAN_ENULL, "no table");
    expect_error(&t, NULL, &s, &o, PSCAN_ENULL, "no boxes");
    expect_error(&t, &b, NULL, &o, PSCAN_ENULL, "no sums");
    pscan_array x = t;
    x.data = NULL;
    expect_error(&x, &b, &s, &o, PSCAN_ENULL, "table data");
    x = b;
    x.data = NULL;
    expect_error(&t, &x, &s, &o, PSCAN_ENULL, "boxes data");
    x = t;
    x.shape = NULL;
    expect_error(&x, &b, &s, &o, PSCAN_ENULL, "table shape");

    x = t;
    x.dtype = PSCAN_BOOL;
    expect_error(&x, &b, &s, &o, PSCAN_EDTYPE, "bool table");
    x.dtype = PSCAN_DTYPE_DEFAULT;
    expect_error(&x, &b, &s, &o, PSCAN_EDTYPE, "default table");
    x = b;
    x.dtype = PSCAN_INT32;
    expect_error(&t, &x, &s, &o, PSCAN_EDTYPE, "int32 boxes");
    x = s;
    x.dtype = PSCAN_FLOAT64;
    expect_error(&t, &b, &x, &o, PSCAN_EDTYPE, "float64 sums of an int64 table");
    x.dtype = PSCAN_UINT64;
    expect_error(&t, &b, &x, &o, PSCAN_EDTYPE, "uint64 sums of an int64 table");

    x = t;
    x.ndim = 1;
    expect_error(&x, &b, &s, &o, PSCAN_ENDIM, "1-D table");
    x.ndim = 3;
    const int64_t ts3[3] = {3, 4, 1};
    x.shape = ts3;
    expect_error(&x, &b, &s, &o, PSCAN_ENDIM, "3-D table");
    x = b;
    x.ndim = 1;
    expect_error(&t, &x, &s, &o, PSCAN_ENDIM, "1-D boxes");
    x = s;
    x.ndim = 2;
    const int64_t sums_2d[2] = {2, 1};
    x.shape = sums_2d;
    expect_error(&t, &b, &x, &o, PSCAN_EOUTSHAPE, "2-D sums");

    const int64_t negative[2] = {-1, 4}, empty[2] = {0, 4}, no_cols[2] = {3, 0};
    x = t;
    x.shape = negative;
    expect_error(&x, &b, &s, &o, PSCAN_ESHAPE, "negative dimension");
    x.shape = empty;
    expect_error(&x, &b, &s, &o, PSCAN_ESHAPE, "include-initial table without its zero row");
    x.shape = no_cols;
    expect_error(&x, &b, &s, &o, PSCAN_ESHAPE, "include-initial table without its zero column");
    const int64_t three[2] = {2, 3}, short_sums = 1;
    x = b;
    x.shape = three;
    expect_error(&t, &x, &s, &o, PSCAN_ESHAPE, "boxes 2 x 3");
    x = s;
    x.shape = &short_sums;
    expect_error(&t, &b, &x, &o, PSCAN_EOUTSHAPE, "sums shorter than the boxes");
    /* boxes outside the 2 x 3 image or turned inside out; the first box
     * is fine, so no sum may be written before every box is checked */
    const int64_t wrong[][4] = {{-1, 0, 1, 1}, {0, -1, 1, 1}, {0, 0, 3, 1}, {0, 0, 1, 4},
                                {2, 0, 1, 1},  {0, 2, 1, 1},  {0, 0, 3, 3}};
    for (size_t w = 0; w < TU_COUNT(wrong); w++) {
        memcpy(&boxes[4], wrong[w], sizeof wrong[w]);
        expect_error(&t, &b, &s, &o, PSCAN_ESHAPE, "box out of range");
    }
    /* without INCLUDE_INITIAL the same table is a 3 x 4 image's */
    const int64_t fits_plain[4] = {0, 0, 3, 4};
    memcpy(&boxes[4], fits_plain, sizeof fits_plain);
    expect_error(&t, &b, &s, &o, PSCAN_ESHAPE, "3 x 4 box of the 2 x 3 image");
    pscan_opts plain = o;
    plain.flags = PSCAN_FLAG_COMPENSATED; /* changes nothing here */
    TU_ASSERT_OK(pscan_box_sums(&t, &b, &s, &plain));
    cr_assert(eq(i64, sums[0], 2)); /* P[2, 3] = table[1, 2] */
    cr_assert(eq(i64, sums[1], 8)); /* P[3, 4] = table[2, 3] */

    /* extents that overflow */
    const int64_t huge[2] = {INT64_MAX / 4, 4};
    x = b;
    x.shape = huge;
    expect_error(&t, &x, &s, &o, PSCAN_ESIZE, "boxes' extent overflows");

    /* sums that share memory: with themselves, the table or the boxes */
    const int64_t zero_stride[1] = {0};
    x = s;
    x.strides = zero_stride;
    expect_error(&t, &b, &x, &o, PSCAN_EOUTALIAS, "sums with stride 0");
    const int64_t one_byte[1] = {1};
    x.strides = one_byte;
    expect_error(&t, &b, &x, &o, PSCAN_EOUTALIAS, "sums 1 byte apart");
    int64_t both[16];
    tu_fill_sentinel(both, sizeof both);
    memcpy(both, table, sizeof table);
    const pscan_array tt = tu_arr(both, PSCAN_INT64, 2, ts, NULL),
                      st = tu_vec(both + 11, PSCAN_INT64, &n);
    cr_assert(eq(int, (int)pscan_box_sums(&tt, &b, &st, &o), (int)PSCAN_EOUTALIAS));
    cr_assert(eq(i64, both[11], 8));
    memcpy(both, boxes, sizeof boxes);
    const pscan_array bb = tu_arr(both, PSCAN_INT64, 2, bs, NULL),
                      sb = tu_vec(both + 7, PSCAN_INT64, &n);
    cr_assert(eq(int, (int)pscan_box_sums(&t, &bb, &sb, &o), (int)PSCAN_EOUTALIAS));
    cr_assert(eq(i64, both[7], boxes[7]));
}
