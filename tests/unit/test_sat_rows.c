/*
 * test_sat_rows.c - the ordered summed-area path's fused row step (the
 * rows slot of src/kernels/sat_kernels.c: conversion, row scan, tile
 * prefix and column step in one pass, the rows as vector lanes). The
 * kernel alone equals the plain path it replaces (convert.c's load,
 * scan_rows, fold, the column combines) bit for bit over row counts and
 * widths around the vector's lanes, with and without a carry, a prefix,
 * the column step and the tiles above; and float32 and float64 tables equal the
 * chained single-axis scans over odd widths, widths past a tile (the
 * prefix), column strips (threads 1 to 4), INCLUDE_INITIAL, SEQUENTIAL,
 * and strided or negative-stride inputs (which fall back). Run it under
 * PSCAN_ISA=scalar, avx2 and avx512 for every instruction set's kernel.
 */
#include "testutil.h"

#include "convert.h"
#include "kernels/kernels.h"
#include "kernels/sat_kernels.h"

/* Values in [-100, 100) with a few -0.0 (whose sums with +0.0 show
 * the order of a row's first combine). */
static void fill(void *data, pscan_dtype t, int64_t n, uint64_t *seed)
{
    for (int64_t i = 0; i < n; i++) {
        double v = tu_rand_unit(seed) * 200 - 100;
        if (tu_rand(seed) % 16 == 0)
            v = -0.0;
        tu_put_f64((char *)data + (size_t)i * tu_size(t), t, v, 0);
    }
}

/* The plain path for rows [0, count) of n values, row k at in + k *
 * in_row: load into acc, scan_rows after locals when cont, fold the
 * prefix; locals gets each row's last local value. */
static void plain_rows(pscan_dtype in_t, pscan_dtype acc, const char *in, size_t in_row, char *dst,
                       size_t dst_row, size_t n, size_t count, char *locals, int cont,
                       const char *prefixes)
{
    const pscan_kernel *k = pscan_kernel_get(PSCAN_SUM, acc);
    const size_t in_size = tu_size(in_t), size = tu_size(acc);
    char *loaded = tu_malloc(count * n * size + 1);
    for (size_t r = 0; r < count; r++) {
        if (in_t == acc)
            memcpy(loaded + r * n * size, in + r * in_row * in_size, n * size);
        else
            pscan_convert_get(in_t, acc)(in + r * in_row * in_size, (ptrdiff_t)in_size,
                                         loaded + r * n * size, (ptrdiff_t)size, n);
    }
    k->scan_rows(loaded, n, dst, dst_row, n, count, cont ? locals : NULL);
    for (size_t r = 0; r < count && n > 0; r++) {
        memcpy(locals + r * size, dst + (r * dst_row + n - 1) * size, size);
        if (prefixes)
            k->fold(dst + r * dst_row * size, n, prefixes + r * size);
    }
    free(loaded);
}

typedef struct pair {
    pscan_dtype in, acc;
} pair;

static const pair ordered_pairs[] = {
    {PSCAN_FLOAT32, PSCAN_FLOAT64}, {PSCAN_FLOAT64, PSCAN_FLOAT64}, {PSCAN_FLOAT32, PSCAN_FLOAT32}};

Test(sat_rows, kernel_equals_load_scan_rows_fold_and_column_step)
{
    uint64_t seed = 5;
    const size_t counts[] = {1, 3, 4, 7, 8, 9, 16, 17};
    const size_t widths[] = {1, 2, 5, 8, 15, 16, 17, 33, 100};
    for (size_t p = 0; p < TU_COUNT(ordered_pairs); p++) {
        const pscan_dtype in_t = ordered_pairs[p].in, acc = ordered_pairs[p].acc;
        const pscan_kernel *plain = pscan_kernel_get(PSCAN_SUM, acc);
        const pscan_sat_kernel *sat = pscan_sat_kernel_get(in_t, acc);
        cr_assert(sat != NULL && sat->rows != NULL, "%s->%s has a rows step",
                  pscan_dtype_name(in_t), pscan_dtype_name(acc));
        const size_t in_size = tu_size(in_t), size = tu_size(acc);
        for (size_t c = 0; c < TU_COUNT(counts); c++)
            for (size_t w = 0; w < TU_COUNT(widths); w++)
                for (int mode = 0; mode < 16; mode++) {
                    const size_t count = counts[c], n = widths[w];
                    const size_t in_row = n + 3, dst_row = n + 1; /* rows apart */
                    const int cont = mode & 1, prefixed = mode >> 1 & 1, column = mode >> 2 & 1,
                              above = mode >> 3 & 1;
                    if (above && !column)
                        continue;
                    char *in = tu_malloc(count * in_row * in_size + 1);
                    char *rowwise = tu_malloc(count * dst_row * size + 1);
                    char *want = tu_malloc(count * dst_row * size + 1);
                    char *got = tu_malloc(count * dst_row * size + 1);
                    char *want_locals = tu_malloc(count * size + 1);
                    char *got_locals = tu_malloc(count * size + 1);
                    char *prefixes = tu_malloc(count * size + 1);
                    char *want_local = tu_malloc(n * size), *got_local = tu_malloc(n * size);
                    char *column_prefix = tu_malloc(n * size);
                    fill(in, in_t, (int64_t)(count * in_row), &seed);
                    fill(want_locals, acc, (int64_t)count, &seed);
                    fill(prefixes, acc, (int64_t)count, &seed);
                    fill(want_local, acc, (int64_t)n, &seed);
                    fill(column_prefix, acc, (int64_t)n, &seed);
                    memcpy(got_locals, want_locals, count * size);
                    memcpy(got_local, want_local, n * size);
                    memset(want, 0x5a, count * dst_row * size);
                    memset(got, 0x5a, count * dst_row * size);
                    /* the plain path: rows, then the column step row by row */
                    plain_rows(in_t, acc, in, in_row, column ? rowwise : want, dst_row, n, count,
                               want_locals, cont, prefixed ? prefixes : NULL);
                    for (size_t r = 0; column && r < count; r++) {
                        plain->combine(want_local, rowwise + r * dst_row * size, want_local, n);
                        if (above)
                            plain->combine(column_prefix, want_local, want + r * dst_row * size, n);
                        else
                            memcpy(want + r * dst_row * size, want_local, n * size);
                    }
                    sat->rows(in, in_row, got, dst_row, n, count, got_locals, cont,
                              prefixed ? prefixes : NULL, column ? got_local : NULL,
                              above ? column_prefix : NULL, 0);
                    cr_assert(eq(int, memcmp(got, want, count * dst_row * size), 0),
                              "%s->%s rows %zu width %zu mode %d: out", pscan_dtype_name(in_t),
                              pscan_dtype_name(acc), count, n, mode);
                    cr_assert(eq(int, memcmp(got_locals, want_locals, count * size), 0),
                              "%s->%s rows %zu width %zu mode %d: locals", pscan_dtype_name(in_t),
                              pscan_dtype_name(acc), count, n, mode);
                    cr_assert(eq(int, memcmp(got_local, want_local, n * size), 0),
                              "%s->%s rows %zu width %zu mode %d: running column",
                              pscan_dtype_name(in_t), pscan_dtype_name(acc), count, n, mode);
                    free(in);
                    free(rowwise);
                    free(want);
                    free(got);
                    free(want_locals);
                    free(got_locals);
                    free(prefixes);
                    free(want_local);
                    free(got_local);
                    free(column_prefix);
                }
    }
}

/* A table of `rows` x `cols` from in (`step` elements apart along a row,
 * rows reversed when `negative`) over axes (0, 1) against pscan_scan
 * along the rows, then down the columns. */
static void check_table(pscan_dtype in_t, pscan_dtype acc, int64_t rows, int64_t cols, int threads,
                        unsigned flags, pscan_order order, int step, int negative, uint64_t seed)
{
    const int initial = (flags & PSCAN_FLAG_INCLUDE_INITIAL) != 0;
    const size_t in_size = tu_size(in_t), size = tu_size(acc);
    const int64_t shape[2] = {rows, cols}, out_shape[2] = {rows + initial, cols + initial};
    const int64_t stage_shape[2] = {rows, cols + initial};
    const int64_t n = rows * cols * step, out_n = out_shape[0] * out_shape[1];
    char *buffer = tu_malloc((size_t)n * in_size + 1);
    fill(buffer, in_t, n, &seed);
    int64_t strides[2] = {cols * step * (int64_t)in_size, step * (int64_t)in_size};
    char *data = buffer;
    if (negative) {
        data = buffer + (rows - 1) * strides[0];
        strides[0] = -strides[0];
    }
    const pscan_array ai = tu_arr(data, in_t, 2, shape, step > 1 || negative ? strides : NULL);
    char *stage = tu_malloc((size_t)(stage_shape[0] * stage_shape[1]) * size + 1);
    char *want = tu_malloc((size_t)out_n * size + 1), *got = tu_malloc((size_t)out_n * size + 1);
    const pscan_array as = tu_arr(stage, acc, 2, stage_shape, NULL);
    const pscan_array aw = tu_arr(want, acc, 2, out_shape, NULL);
    const pscan_array ag = tu_arr(got, acc, 2, out_shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 1;
    o.flags = flags;
    o.order = order;
    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &ai, 1, acc, &as, &o));
    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &as, 0, acc, &aw, &o));
    o.threads = threads;
    const int axes[2] = {0, 1};
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, &ai, 2, axes, acc, &ag, &o));
    int64_t bad = 0;
    while (bad < out_n && memcmp(got + (size_t)bad * size, want + (size_t)bad * size, size) == 0)
        bad++;
    cr_assert(eq(i64, bad, out_n),
              "%s->%s %lld x %lld threads %d flags %u order %d step %d negative %d: first "
              "differing element",
              pscan_dtype_name(in_t), pscan_dtype_name(acc), (long long)rows, (long long)cols,
              threads, flags, (int)order, step, negative);
    free(buffer);
    free(stage);
    free(want);
    free(got);
}

Test(sat_rows, odd_widths_and_heights_give_the_chain)
{
    uint64_t seed = 17;
    const int64_t widths[] = {1, 7, 9, 15, 17, 63, 65, 129};
    const int64_t heights[] = {1, 5, 9, 17, 70};
    for (size_t p = 0; p < TU_COUNT(ordered_pairs); p++)
        for (size_t w = 0; w < TU_COUNT(widths); w++)
            for (size_t h = 0; h < TU_COUNT(heights); h++)
                for (int threads = 1; threads <= 4; threads++)
                    check_table(ordered_pairs[p].in, ordered_pairs[p].acc, heights[h], widths[w],
                                threads, 0, PSCAN_ORDER_REPRODUCIBLE, 1, 0, seed++);
}

/* Past a tile of columns the row chain restarts and later tiles take the
 * prefix; strips (threads 2 to 4) start inside a tile from the handed
 * value. Tall enough for four strips. */
Test(sat_rows, widths_past_a_tile_and_strips_give_the_chain)
{
    uint64_t seed = 29;
    const int64_t widths[] = {4095, 4097, 2 * 4096 + 13};
    for (size_t p = 0; p < TU_COUNT(ordered_pairs); p++)
        for (size_t w = 0; w < TU_COUNT(widths); w++)
            for (int threads = 1; threads <= 4; threads++) {
                check_table(ordered_pairs[p].in, ordered_pairs[p].acc, 131, widths[w], threads, 0,
                            PSCAN_ORDER_REPRODUCIBLE, 1, 0, seed++);
                check_table(ordered_pairs[p].in, ordered_pairs[p].acc, 131, widths[w], threads,
                            PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_ORDER_REPRODUCIBLE, 1, 0, seed++);
            }
}

Test(sat_rows, include_initial_sequential_and_fallbacks_give_the_chain)
{
    uint64_t seed = 43;
    for (size_t p = 0; p < TU_COUNT(ordered_pairs); p++)
        for (int threads = 1; threads <= 4; threads++) {
            const pscan_dtype in_t = ordered_pairs[p].in, acc = ordered_pairs[p].acc;
            check_table(in_t, acc, 150, 257, threads, PSCAN_FLAG_INCLUDE_INITIAL,
                        PSCAN_ORDER_REPRODUCIBLE, 1, 0, seed++);
            check_table(in_t, acc, 140, 4101, threads, 0, PSCAN_ORDER_SEQUENTIAL, 1, 0, seed++);
            check_table(in_t, acc, 140, 4101, threads, PSCAN_FLAG_INCLUDE_INITIAL,
                        PSCAN_ORDER_SEQUENTIAL, 1, 0, seed++);
            check_table(in_t, acc, 67, 131, threads, 0, PSCAN_ORDER_REPRODUCIBLE, 2, 0, seed++);
            check_table(in_t, acc, 67, 131, threads, 0, PSCAN_ORDER_REPRODUCIBLE, 1, 1, seed++);
            check_table(in_t, acc, 67, 131, threads, PSCAN_FLAG_INCLUDE_INITIAL,
                        PSCAN_ORDER_REPRODUCIBLE, 3, 1, seed++);
        }
}

/* Past a tile of rows the column chain restarts and later row tiles take
 * the prefix above; batches of 10 rows (100 columns on one thread) cross
 * the tile boundary, which the fused column step leaves to the plain
 * one. */
Test(sat_rows, tall_images_past_a_row_tile_give_the_chain)
{
    uint64_t seed = 61;
    const int64_t heights[] = {4097, 8200}, widths[] = {100, 257};
    for (size_t p = 0; p < TU_COUNT(ordered_pairs); p++)
        for (size_t h = 0; h < TU_COUNT(heights); h++)
            for (size_t w = 0; w < TU_COUNT(widths); w++)
                for (int threads = 1; threads <= 4; threads++)
                    check_table(ordered_pairs[p].in, ordered_pairs[p].acc, heights[h], widths[w],
                                threads, threads == 3 ? PSCAN_FLAG_INCLUDE_INITIAL : 0u,
                                PSCAN_ORDER_REPRODUCIBLE, 1, 0, seed++);
}
