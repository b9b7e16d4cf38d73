/*
 * test_tile_lanes.c - the REPRODUCIBLE float kernels of every instruction
 * set this CPU runs (scan_segments, reduce_segments and scan_tiles, which
 * run tile chains in vector lanes: sums, products and logaddexp) give the bits of a plain left-to-right
 * reference: segment lengths below, at and above the vector width, group
 * remainders, with and without a carry, dst at every alignment (streaming
 * or not), signed zeros, infinities and NaNs in the data. Nothing outside
 * the outputs is written.
 */
#include "testutil.h"
#include "kernels/kernels.h"
#include "kernels/values.h"

#include <stdio.h>

enum { TILE = PSCAN_TILE, SLACK = 256 };

/* The tables this CPU can run, with their names. */
typedef struct isa_table {
    const char *name;
    const pscan_kernel_table *table;
    pscan_reverse_copy_fn copy_reversed;
} isa_table;

static int runnable_tables(isa_table *out)
{
    int n = 0;
    out[n++] = (isa_table){"scalar", &pscan_kernels_scalar, pscan_stream_copy_reversed_scalar};
#ifdef __x86_64__
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        out[n++] = (isa_table){"avx2", &pscan_kernels_avx2, pscan_stream_copy_reversed_avx2};
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        out[n++] = (isa_table){"avx512", &pscan_kernels_avx512, pscan_stream_copy_reversed_avx512};
#endif
    return n;
}

static const unsigned char SENTINEL = 0xA5;

/* Value i of a test input: rounding in every step (magnitudes spread over
 * 2^-20..2^20 for sums, factors near 1 for products), with a -0.0 at every
 * segment start the data has one, and a few infinities and NaNs. */
static double input_value(pscan_op op, uint64_t i, size_t seg_len)
{
    const uint64_t h = (i + 1) * 0x9E3779B97F4A7C15u;
    if (seg_len && i % seg_len == 0 && (i / seg_len) % 3 == 1)
        return -0.0;
    if (i % 9973 == 4000)
        return INFINITY;
    if (i % 13007 == 7000)
        return NAN;
    const double spread = (double)((int64_t)(h >> 40) % 2001 - 1000);
    if (op == PSCAN_PROD)
        return 1.0 + spread * 1e-4;
    if (op == PSCAN_LOGADDEXP)
        return spread * ldexp(1.0, (int)((h >> 20) % 9) - 6);
    return spread * ldexp(1.0, (int)((h >> 20) % 41) - 20);
}

/* One reference and one checker per element type, from one body. */
#define DEFINE_REFERENCE(T, sfx)                                                                   \
    static T combine_##sfx(pscan_op op, T a, T b)                                                  \
    {                                                                                              \
        if (op == PSCAN_LOGADDEXP)                                                                 \
            return (T)(sizeof(T) == 4 ? logaddexp_f32((float)a, (float)b)                          \
                                      : logaddexp_f64((double)a, (double)b));                      \
        return op == PSCAN_SUM ? (T)(a + b) : (T)(a * b);                                          \
    }                                                                                              \
    /* Segments scanned left to right; totals[k] = last of segment k. */                           \
    static void ref_segments_##sfx(pscan_op op, const T *src, T *dst, size_t seg_len,              \
                                   size_t count, T *totals)                                        \
    {                                                                                              \
        for (size_t k = 0; k < count; k++) {                                                       \
            T running = src[k * seg_len];                                                          \
            dst[k * seg_len] = running;                                                            \
            for (size_t i = 1; i < seg_len; i++)                                                   \
                dst[k * seg_len + i] = running = combine_##sfx(op, running, src[k * seg_len + i]); \
            totals[k] = running;                                                                   \
        }                                                                                          \
    }                                                                                              \
    /* The tile definition: out = P(t-1) op local, P(t) = P(t-1) op A(t). */                       \
    static void ref_tiles_##sfx(pscan_op op, const T *src, T *dst, size_t n, const T *carry,       \
                                T *totals)                                                         \
    {                                                                                              \
        const size_t tiles = (n + TILE - 1) / TILE;                                                \
        T prefix = carry ? *carry : 0;                                                             \
        int have = carry != NULL;                                                                  \
        for (size_t t = 0; t < tiles; t++) {                                                       \
            const size_t len = t + 1 < tiles || n % TILE == 0 ? TILE : n % TILE;                   \
            ref_segments_##sfx(op, src + t * TILE, dst + t * TILE, len, 1, &totals[t]);            \
            for (size_t i = 0; have && i < len; i++)                                               \
                dst[t * TILE + i] = combine_##sfx(op, prefix, dst[t * TILE + i]);                  \
            prefix = have ? combine_##sfx(op, prefix, totals[t]) : totals[t];                      \
            have = 1;                                                                              \
        }                                                                                          \
    }                                                                                              \
    /* Bits equal, or both NaN (which NaN an op keeps is the hardware's).    \
     * Bytes from `count` to `count` + SLACK past got must be untouched. */                     \
    static void expect_same_##sfx(const char *what, const T *want, const unsigned char *got,       \
                                  size_t count)                                                    \
    {                                                                                              \
        for (size_t i = 0; i < count; i++) {                                                       \
            T value;                                                                               \
            memcpy(&value, got + i * sizeof(T), sizeof value);                                     \
            const int same =                                                                       \
                memcmp(&value, &want[i], sizeof value) == 0 || (isnan(value) && isnan(want[i]));   \
            if (!same)                                                                             \
                cr_fail("%s: element %zu is %a, want %a", what, i, (double)value,                  \
                        (double)want[i]);                                                          \
        }                                                                                          \
        for (size_t i = 0; i < SLACK; i++)                                                         \
            if (got[count * sizeof(T) + i] != SENTINEL)                                            \
                cr_fail("%s: byte %zu past the end was written", what, i);                         \
    }                                                                                              \
    static void check_##sfx(const isa_table *isa, pscan_op op, pscan_dtype dtype)                  \
    {                                                                                              \
        const pscan_kernel *kernel = &(*isa->table)[op][dtype];                                    \
        const size_t seg_lens[] = {1, 2, 3, 5, 15, 16, 17, 100, TILE - 1, TILE};                   \
        const size_t counts[] = {0, 1, 3, 8, 16, 17, 33};                                          \
        const size_t tile_ns[] = {                                                                 \
            1, 100, TILE, TILE + 1, 8 * TILE, 16 * TILE + 7, 33 * TILE + 1000};                    \
        const size_t most = 33 * TILE + 1000;                                                      \
        T *src = tu_malloc((most + 64) * sizeof(T)), *want = tu_malloc(most * sizeof(T));          \
        T *totals = tu_malloc(64 * sizeof(T)), *got_totals = tu_malloc(64 * sizeof(T) + SLACK);    \
        unsigned char *dst_base =                                                                  \
            aligned_alloc(64, ((most + 64) * sizeof(T) + SLACK + 127) / 64 * 64);                  \
        cr_assert(ne(ptr, dst_base, NULL));                                                        \
        char what[160];                                                                            \
        for (size_t a = 0; a < TU_COUNT(seg_lens); a++)                                            \
            for (size_t b = 0; b < TU_COUNT(counts); b++) {                                        \
                const size_t seg_len = seg_lens[a], count = counts[b], n = seg_len * count;        \
                for (size_t i = 0; i < n; i++)                                                     \
                    src[i] = (T)input_value(op, i, seg_len);                                       \
                ref_segments_##sfx(op, src, want, seg_len, count, totals);                         \
                snprintf(what, sizeof what, "%s %s scan_segments seg_len %zu count %zu",           \
                         isa->name, #T, seg_len, count);                                           \
                memset(dst_base, SENTINEL, n * sizeof(T) + SLACK);                                 \
                kernel->scan_segments(src, dst_base, seg_len, count);                              \
                expect_same_##sfx(what, want, dst_base, n);                                        \
                snprintf(what, sizeof what, "%s %s reduce_segments seg_len %zu count %zu",         \
                         isa->name, #T, seg_len, count);                                           \
                memset(got_totals, SENTINEL, 64 * sizeof(T) + SLACK);                              \
                kernel->reduce_segments(src, seg_len, count, got_totals);                          \
                expect_same_##sfx(what, totals, (unsigned char *)got_totals, count);               \
            }                                                                                      \
        if (!kernel->scan_tiles) {                                                                 \
            cr_log_info("%s %s: no scan_tiles kernel", isa->name, #T);                             \
            goto done;                                                                             \
        }                                                                                          \
        /* dst offsets: aligned, one element, three elements, odd bytes */                         \
        const size_t offsets[] = {0, sizeof(T), 3 * sizeof(T), 1};                                 \
        for (size_t a = 0; a < TU_COUNT(tile_ns); a++)                                             \
            for (size_t o = 0; o < TU_COUNT(offsets); o++)                                         \
                for (int with_carry = 0; with_carry < 2; with_carry++)                             \
                    for (int stream = 0; stream < 2; stream++) {                                   \
                        const size_t n = tile_ns[a];                                               \
                        const T carry = (T)(op == PSCAN_PROD ? 0x1.01p0 : -0x1.8p3);               \
                        const T *src_at = src + o % 2; /* loads unaligned too */                   \
                        for (size_t i = 0; i < n + 1; i++)                                         \
                            src[i] = (T)input_value(op, i, TILE);                                  \
                        ref_tiles_##sfx(op, src_at, want, n, with_carry ? &carry : NULL, totals);  \
                        unsigned char *dst = dst_base + offsets[o];                                \
                        memset(dst, SENTINEL, n * sizeof(T) + SLACK);                              \
                        kernel->scan_tiles(src_at, dst, n, with_carry ? &carry : NULL, totals,     \
                                           stream);                                                \
                        pscan_stream_fence();                                                      \
                        snprintf(what, sizeof what,                                                \
                                 "%s %s scan_tiles n %zu dst offset %zu carry %d stream %d",       \
                                 isa->name, #T, n, offsets[o], with_carry, stream);                \
                        expect_same_##sfx(what, want, dst, n);                                     \
                    }                                                                              \
    done:                                                                                          \
        free(src);                                                                                 \
        free(want);                                                                                \
        free(totals);                                                                              \
        free(got_totals);                                                                          \
        free(dst_base);                                                                            \
    }
DEFINE_REFERENCE(float, f32)
DEFINE_REFERENCE(double, f64)

static void check_every_isa(pscan_op op)
{
    isa_table tables[PSCAN_ISA_COUNT];
    const int n = runnable_tables(tables);
    for (int t = 0; t < n; t++) {
        cr_log_info("%s kernels", tables[t].name);
        check_f32(&tables[t], op, PSCAN_FLOAT32);
        check_f64(&tables[t], op, PSCAN_FLOAT64);
    }
}

Test(tile_lanes, sums_match_the_left_to_right_reference)
{
    check_every_isa(PSCAN_SUM);
}

Test(tile_lanes, products_match_the_left_to_right_reference)
{
    check_every_isa(PSCAN_PROD);
}

Test(tile_lanes, logaddexp_matches_the_left_to_right_reference)
{
    check_every_isa(PSCAN_LOGADDEXP);
}

/* The reversed streaming copy of REVERSE scans (not a tile kernel, but
 * compiled with them per ISA): dst element i is src element n - 1 - i for
 * every element size, count and dst alignment, and nothing else is
 * written. */
Test(tile_lanes, reversed_stream_copy_reverses_every_element_size)
{
    isa_table tables[PSCAN_ISA_COUNT];
    const int isas = runnable_tables(tables);
    const size_t sizes[] = {1, 2, 4, 8, 16, 32};
    const size_t counts[] = {0, 1, 3, 16, 17, 100, 1000};
    enum { MAX_BYTES = 32 * 1000 };
    unsigned char *src = tu_malloc(MAX_BYTES), *dst_base = tu_malloc(MAX_BYTES + 2 * SLACK);
    for (size_t i = 0; i < MAX_BYTES; i++)
        src[i] = (unsigned char)(i * 131 + i / 256);
    for (int t = 0; t < isas; t++)
        for (size_t s = 0; s < TU_COUNT(sizes); s++)
            for (size_t c = 0; c < TU_COUNT(counts); c++)
                for (size_t offset = 0; offset < 64; offset += sizes[s] < 4 ? 1 : sizes[s] / 4) {
                    const size_t size = sizes[s], n = counts[c];
                    unsigned char *dst =
                        dst_base + SLACK + (64 - (uintptr_t)(dst_base + SLACK) % 64) % 64 + offset;
                    memset(dst_base, SENTINEL, MAX_BYTES + 2 * SLACK);
                    tables[t].copy_reversed(dst, src, n, size);
                    pscan_stream_fence();
                    size_t bad = 0;
                    for (size_t i = 0; i < n; i++)
                        bad += memcmp(dst + i * size, src + (n - 1 - i) * size, size) != 0;
                    for (unsigned char *p = dst_base; p < dst; p++)
                        bad += *p != SENTINEL;
                    for (unsigned char *p = dst + n * size; p < dst_base + MAX_BYTES + 2 * SLACK;
                         p++)
                        bad += *p != SENTINEL;
                    cr_assert(eq(sz, bad, 0), "%s, size %zu, count %zu, offset %zu", tables[t].name,
                              size, n, offset);
                }
    free(src);
    free(dst_base);
}

/* scan_stream_reduce (the pipelined BLOCKS worker's kernel) gives exactly
 * what scan_stream and reduce_segments give apart, for every order-free
 * 32- and 64-bit row of every ISA: block and next-block lengths below, at
 * and above the vector width, dst at every 8-byte offset and 4 bytes off,
 * with and without a carry, float max and min over signed zeros and NaNs
 * (whose totals the reduce settles in order). */
Test(tile_lanes, scan_stream_reduce_matches_the_two_kernels)
{
    isa_table tables[PSCAN_ISA_COUNT];
    const int isas = runnable_tables(tables);
    const pscan_dtype types[] = {PSCAN_INT32, PSCAN_INT64, PSCAN_UINT64, PSCAN_FLOAT32,
                                 PSCAN_FLOAT64};
    const size_t lengths[] = {0, 1, 7, 16, 33, 100, 1000};
    enum { MOST = 1000, BYTES = MOST * 8 };
    unsigned char *src = tu_malloc(BYTES), *next = tu_malloc(BYTES);
    unsigned char *want = tu_malloc(BYTES + 128), *got = tu_malloc(BYTES + 128);
    for (int t = 0; t < isas; t++)
        for (size_t k = 0; k < TU_COUNT(types); k++)
            for (int op = 0; op < PSCAN_OP_COUNT; op++) {
                const pscan_kernel *kernel = &(*tables[t].table)[op][types[k]];
                if (!kernel->scan_stream_reduce)
                    continue;
                const size_t size = tu_size(types[k]);
                for (size_t i = 0; i < MOST; i++) {
                    const int64_t v = (int64_t)(i * 37 % 101) - 50;
                    if (types[k] == PSCAN_FLOAT32 || types[k] == PSCAN_FLOAT64) {
                        const double x = i % 17 == 3 ? -0.0 : i % 29 == 5 ? NAN : (double)v;
                        const double y = i % 13 == 1 ? 0.0 : i % 31 == 2 ? -NAN : (double)-v;
                        tu_put_f64(src + i * size, types[k], x, 0);
                        tu_put_f64(next + i * size, types[k], y, 0);
                    } else {
                        tu_put_i64(src + i * size, types[k], v);
                        tu_put_i64(next + i * size, types[k], v * 3 + 1);
                    }
                }
                for (size_t a = 0; a < TU_COUNT(lengths); a++)
                    for (size_t b = 1; b < TU_COUNT(lengths); b++) /* a block is never empty */
                        for (size_t offset = 0; offset <= 68; offset += offset == 64 ? 4 : 8)
                            for (int with_carry = 0; with_carry < 2; with_carry++) {
                                const size_t n = lengths[a], next_n = lengths[b];
                                unsigned char carry[8], want_total[8] = {0}, got_total[8] = {0};
                                memcpy(carry, next + 3 * size, size);
                                unsigned char *w = want + (64 - (uintptr_t)want % 64) % 64 + offset;
                                unsigned char *g = got + (64 - (uintptr_t)got % 64) % 64 + offset;
                                kernel->scan_stream(src, w, n, with_carry ? carry : NULL);
                                kernel->reduce_segments(next, next_n, 1, want_total);
                                kernel->scan_stream_reduce(src, g, n, with_carry ? carry : NULL,
                                                           next, next_n, got_total);
                                pscan_stream_fence();
                                cr_assert(eq(int, memcmp(w, g, n * size), 0),
                                          "%s op %d dtype %d: scan of %zu, next %zu, offset %zu",
                                          tables[t].name, op, (int)types[k], n, next_n, offset);
                                cr_assert(eq(int, memcmp(want_total, got_total, size), 0),
                                          "%s op %d dtype %d: total of %zu after %zu",
                                          tables[t].name, op, (int)types[k], next_n, n);
                            }
            }
    free(src);
    free(next);
    free(want);
    free(got);
}

/* scan_tiles_reduce (the pipelined BLOCKS worker's float kernel) gives
 * exactly what scan_tiles (streaming) and reduce_segments (whole tiles,
 * then the remainder, as the engine calls it) give apart: float32 and
 * float64 sums and products of every ISA, blocks and next blocks of whole
 * groups of tiles, fewer tiles than lanes and partial tiles, with and
 * without a carry, dst aligned and off a vector boundary. */
/* Elements whose bits differ, NaNs of any payload counting as equal
 * (which NaN an op keeps is the hardware's). */
static size_t differing(const char *a, const char *b, size_t n, pscan_dtype t)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (t == PSCAN_FLOAT32) {
            float x, y;
            memcpy(&x, a + 4 * i, 4);
            memcpy(&y, b + 4 * i, 4);
            bad += memcmp(&x, &y, 4) != 0 && !(isnan(x) && isnan(y));
        } else {
            double x, y;
            memcpy(&x, a + 8 * i, 8);
            memcpy(&y, b + 8 * i, 8);
            bad += memcmp(&x, &y, 8) != 0 && !(isnan(x) && isnan(y));
        }
    }
    return bad;
}

static void reduce_tiles(const pscan_kernel *kernel, const char *src, size_t n, size_t size,
                         char *totals)
{
    const size_t full = n / TILE;
    kernel->reduce_segments(src, TILE, full, totals);
    if (n % TILE)
        kernel->reduce_segments(src + full * TILE * size, n % TILE, 1, totals + full * size);
}

Test(tile_lanes, scan_tiles_reduce_matches_the_two_kernels)
{
    isa_table tables[PSCAN_ISA_COUNT];
    const int isas = runnable_tables(tables);
    const size_t lengths[] = {1, 3 * TILE + 5, 8 * TILE, 16 * TILE, 17 * TILE + 100};
    const size_t most = 17 * TILE + 100;
    const pscan_dtype types[] = {PSCAN_FLOAT32, PSCAN_FLOAT64};
    char *src = tu_malloc(most * 8), *next = tu_malloc(most * 8);
    char *want = tu_malloc(most * 8 + 128), *got = tu_malloc(most * 8 + 128);
    char *totals = tu_malloc(32 * 8), *want_next = tu_malloc(32 * 8), *got_next = tu_malloc(32 * 8);
    for (int t = 0; t < isas; t++)
        for (size_t k = 0; k < TU_COUNT(types); k++)
            for (int op = PSCAN_SUM; op <= PSCAN_PROD; op++) {
                const pscan_kernel *kernel = &(*tables[t].table)[op][types[k]];
                const size_t size = tu_size(types[k]);
                cr_assert(kernel->scan_tiles_reduce != NULL);
                for (size_t i = 0; i < most; i++) {
                    tu_put_f64(src + i * size, types[k], input_value((pscan_op)op, i, TILE), 0);
                    tu_put_f64(next + i * size, types[k], input_value((pscan_op)op, i + 77, TILE),
                               0);
                }
                unsigned char carry[16]; /* tu_put_f64's widest element */
                tu_put_f64(carry, types[k], op == PSCAN_SUM ? 0.375 : 1.0625, 0);
                for (size_t a = 0; a < TU_COUNT(lengths); a++)
                    for (size_t b = 0; b < TU_COUNT(lengths); b++)
                        for (size_t offset = 0; offset <= 8; offset += size)
                            for (int with_carry = 0; with_carry < 2; with_carry++) {
                                const size_t n = lengths[a], next_n = lengths[b];
                                char *w = want + (64 - (uintptr_t)want % 64) % 64 + offset;
                                char *g = got + (64 - (uintptr_t)got % 64) % 64 + offset;
                                reduce_tiles(kernel, src, n, size, totals);
                                kernel->scan_tiles(src, w, n, with_carry ? carry : NULL, totals, 1);
                                reduce_tiles(kernel, next, next_n, size, want_next);
                                kernel->scan_tiles_reduce(src, g, n, with_carry ? carry : NULL,
                                                          totals, next, next_n, got_next);
                                pscan_stream_fence();
                                const size_t tiles = (next_n + TILE - 1) / TILE;
                                cr_assert(eq(sz, differing(w, g, n, types[k]), 0),
                                          "%s op %d %s: scan of %zu, next %zu, offset %zu",
                                          tables[t].name, op, pscan_dtype_name(types[k]), n, next_n,
                                          offset);
                                cr_assert(
                                    eq(sz, differing(want_next, got_next, tiles, types[k]), 0),
                                    "%s op %d %s: totals of %zu after %zu", tables[t].name, op,
                                    pscan_dtype_name(types[k]), next_n, n);
                            }
            }
    free(src);
    free(next);
    free(want);
    free(got);
    free(totals);
    free(want_next);
    free(got_next);
}
