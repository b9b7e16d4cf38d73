/* scan_kernels.c - the kernel tables: for every (op, accumulator type) a
 * row of one-line wrappers, each a generic body of chains.h, trees.h or
 * lanes.h called with constant arguments, which the compiler folds into
 * that (op, type)'s own function. This file is compiled once per
 * instruction set (PSCAN_KERNEL_ISA names the table; CMake adds the
 * matching -m flags and PSCAN_VECTOR_BYTES). The same source in every
 * variant is what keeps the variants' results identical. */
#include "kernels.h"

#include "chains.h"
#include "lanes.h"
#include "trees.h"

/* Which bodies fill each (op, accumulator) slot: CHAIN the scalar chains
 * (the definition), TREE the in-register tree scans (order-free ops on
 * 32- and 64-bit lanes), LANES the float tile chains side by side (float
 * sums, products and logaddexp under REPRODUCIBLE), NONE no kernels (numpy
 * has no such loop: validation rejects the pair before a kernel is
 * fetched). */
// clang-format off
#define EACH_KERNEL(X) \
    /*  tag    SUM    PROD   MAX    MIN    LAE    AND    OR     XOR    LIBM */ \
    X(bool,  CHAIN, CHAIN, CHAIN, CHAIN, NONE,  CHAIN, CHAIN, CHAIN, NONE ) \
    X(i8,    CHAIN, CHAIN, CHAIN, CHAIN, NONE,  CHAIN, CHAIN, CHAIN, NONE ) \
    X(i16,   CHAIN, CHAIN, CHAIN, CHAIN, NONE,  CHAIN, CHAIN, CHAIN, NONE ) \
    X(i32,   TREE,  TREE,  TREE,  TREE,  NONE,  TREE,  TREE,  TREE, NONE ) \
    X(i64,   TREE,  TREE,  TREE,  TREE,  NONE,  TREE,  TREE,  TREE, NONE ) \
    X(u8,    CHAIN, CHAIN, CHAIN, CHAIN, NONE,  CHAIN, CHAIN, CHAIN, NONE ) \
    X(u16,   CHAIN, CHAIN, CHAIN, CHAIN, NONE,  CHAIN, CHAIN, CHAIN, NONE ) \
    X(u32,   TREE,  TREE,  TREE,  TREE,  NONE,  TREE,  TREE,  TREE, NONE ) \
    X(u64,   TREE,  TREE,  TREE,  TREE,  NONE,  TREE,  TREE,  TREE, NONE ) \
    X(f16,   CHAIN, CHAIN, CHAIN, CHAIN, CHAIN, NONE,  NONE,  NONE, CHAIN) \
    X(f32,   LANES, LANES, TREE,  TREE,  LANES, NONE,  NONE,  NONE, CHAIN) \
    X(f64,   LANES, LANES, TREE,  TREE,  LANES, NONE,  NONE,  NONE, CHAIN) \
    X(c64,   CHAIN, CHAIN, CHAIN, CHAIN, NONE,  NONE,  NONE,  NONE, NONE ) \
    X(c128,  CHAIN, CHAIN, CHAIN, CHAIN, NONE,  NONE,  NONE,  NONE, NONE)
// clang-format on

/* Regrouping the combines cannot change a bit (bool and integers wrap,
 * max and min pick): a carry may enter anywhere and trees are allowed. */
#define ORDER_FREE(op, tag) \
    (PSCAN_##op == PSCAN_MAX || PSCAN_##op == PSCAN_MIN || KT_##tag <= KT_u64)

/* ---- One-line wrappers, a family per kind of row ---- */

/* Every row: rows, fold, lagged lanes, and one step of many lanes. */
#define COMMON_WRAPPERS(op, tag)                                                                \
    static void rows_##op##_##tag(const void *src, size_t src_row, void *dst, size_t dst_row,   \
                                  size_t n, size_t count, const void *carries)                  \
    {                                                                                           \
        rows_body(PSCAN_##op, KT_##tag, src, src_row, dst, dst_row, n, count, carries);         \
    }                                                                                           \
    static void fold_##op##_##tag(void *buf, size_t n, const void *carry)                       \
    {                                                                                           \
        fold_body(PSCAN_##op, KT_##tag, buf, n, carry);                                         \
    }                                                                                           \
    static void lagged_##op##_##tag(const void *src, void *dst, size_t n, size_t lag,           \
                                    const void *carry)                                          \
    {                                                                                           \
        lagged_body(PSCAN_##op, KT_##tag, src, dst, n, lag, carry);                             \
    }                                                                                           \
    static void reduce_lagged_##op##_##tag(const void *src, size_t n, size_t lag, void *totals) \
    {                                                                                           \
        reduce_lagged_body(PSCAN_##op, KT_##tag, src, n, lag, totals);                          \
    }                                                                                           \
    static void combine_##op##_##tag(const void *prev, const void *next, void *dst, size_t n)   \
    {                                                                                           \
        combine_body(PSCAN_##op, KT_##tag, prev, next, dst, n);                                 \
    }
#define SCAN_WRAPPER(op, tag)                                                              \
    static void scan_##op##_##tag(const void *src, void *dst, size_t n, const void *carry) \
    {                                                                                      \
        scan_body(PSCAN_##op, KT_##tag, src, dst, n, carry);                               \
    }
#define CHAIN_WRAPPERS(op, tag)                                                                  \
    COMMON_WRAPPERS(op, tag)                                                                     \
    SCAN_WRAPPER(op, tag)                                                                        \
    static void segments_##op##_##tag(const void *src, void *dst, size_t seg_len, size_t count)  \
    {                                                                                            \
        segments_body(PSCAN_##op, KT_##tag, src, dst, seg_len, count, NULL);                     \
    }                                                                                            \
    static void reduce_##op##_##tag(const void *src, size_t seg_len, size_t count, void *totals) \
    {                                                                                            \
        segments_body(PSCAN_##op, KT_##tag, src, NULL, seg_len, count, totals);                  \
    }
#define TREE_WRAPPERS(op, tag)                                                                     \
    COMMON_WRAPPERS(op, tag)                                                                       \
    static void tree_scan_##op##_##tag(const void *src, void *dst, size_t n, const void *carry)    \
    {                                                                                              \
        scan_tree_body(PSCAN_##op, KT_##tag, src, dst, n, carry, 0);                               \
    }                                                                                              \
    static void tree_stream_##op##_##tag(const void *src, void *dst, size_t n, const void *carry)  \
    {                                                                                              \
        scan_tree_stream_body(PSCAN_##op, KT_##tag, src, dst, n, carry);                           \
    }                                                                                              \
    static void tree_stream_reduce_##op##_##tag(const void *src, void *dst, size_t n,              \
                                                const void *carry, const void *next,               \
                                                size_t next_n, void *next_total)                   \
    {                                                                                              \
        scan_reduce_tree_body(PSCAN_##op, KT_##tag, src, dst, n, carry, next, next_n, next_total); \
    }                                                                                              \
    static void tree_segments_##op##_##tag(const void *src, void *dst, size_t seg_len,             \
                                           size_t count)                                           \
    {                                                                                              \
        segments_tree_body(PSCAN_##op, KT_##tag, src, dst, seg_len, count);                        \
    }                                                                                              \
    static void tree_reduce_##op##_##tag(const void *src, size_t seg_len, size_t count,            \
                                         void *totals)                                             \
    {                                                                                              \
        reduce_tree_body(PSCAN_##op, KT_##tag, src, seg_len, count, totals);                       \
    }
#define LANES_WRAPPERS(op, tag)                                                                    \
    COMMON_WRAPPERS(op, tag)                                                                       \
    SCAN_WRAPPER(op, tag)                                                                          \
    static void lanes_segments_##op##_##tag(const void *src, void *dst, size_t seg_len,            \
                                            size_t count)                                          \
    {                                                                                              \
        segments_lanes_body(PSCAN_##op, KT_##tag, src, dst, seg_len, count);                       \
    }                                                                                              \
    static void lanes_reduce_##op##_##tag(const void *src, size_t seg_len, size_t count,           \
                                          void *totals)                                            \
    {                                                                                              \
        reduce_lanes_body(PSCAN_##op, KT_##tag, src, seg_len, count, totals);                      \
    }                                                                                              \
    static void lanes_tiles_##op##_##tag(const void *src, void *dst, size_t n, const void *carry,  \
                                         const void *totals, int stream)                           \
    {                                                                                              \
        tiles_lanes_body(PSCAN_##op, KT_##tag, src, dst, n, carry, totals, stream, NULL, 0, NULL); \
    }                                                                                              \
    static void lanes_tiles_reduce_##op##_##tag(                                                   \
        const void *src, void *dst, size_t n, const void *carry, const void *totals,               \
        const void *next, size_t next_n, void *next_totals)                                        \
    {                                                                                              \
        tiles_lanes_body(PSCAN_##op, KT_##tag, src, dst, n, carry, totals, 1, next, next_n,        \
                         next_totals);                                                             \
    }

#define NONE_WRAPPERS(op, tag)

/* The table row of each kind, in pscan_kernel's field order: scan,
 * scan_stream, scan_stream_reduce, scan_segments, scan_rows, reduce_segments, scan_tiles,
 * scan_tiles_reduce, fold, scan_lagged, reduce_lagged, combine, order_free. */
#define COMMON_FIELDS(op, tag)                                                                \
    fold_##op##_##tag, lagged_##op##_##tag, reduce_lagged_##op##_##tag, combine_##op##_##tag, \
        ORDER_FREE(op, tag)
#define CHAIN_ROW(op, tag)                                                       \
    {                                                                            \
        scan_##op##_##tag, NULL, NULL, segments_##op##_##tag, rows_##op##_##tag, \
            reduce_##op##_##tag, NULL, NULL, COMMON_FIELDS(op, tag)              \
    }
#define TREE_ROW(op, tag)                                                                        \
    {                                                                                            \
        tree_scan_##op##_##tag, tree_stream_##op##_##tag, tree_stream_reduce_##op##_##tag,       \
            tree_segments_##op##_##tag, rows_##op##_##tag, tree_reduce_##op##_##tag, NULL, NULL, \
            COMMON_FIELDS(op, tag)                                                               \
    }
#define LANES_ROW(op, tag)                                                                        \
    {                                                                                             \
        scan_##op##_##tag, NULL, NULL, lanes_segments_##op##_##tag, rows_##op##_##tag,            \
            lanes_reduce_##op##_##tag, lanes_tiles_##op##_##tag, lanes_tiles_reduce_##op##_##tag, \
            COMMON_FIELDS(op, tag)                                                                \
    }

#define NONE_ROW(op, tag)                                                         \
    {                                                                             \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 \
    }

#define DEFINE_WRAPPERS(tag, sum, prod, max, min, lae, band, bor, bxor, libm)                 \
    sum##_WRAPPERS(SUM, tag) prod##_WRAPPERS(PROD, tag) max##_WRAPPERS(MAX, tag)              \
        min##_WRAPPERS(MIN, tag) lae##_WRAPPERS(LOGADDEXP, tag) band##_WRAPPERS(BIT_AND, tag) \
            bor##_WRAPPERS(BIT_OR, tag) bxor##_WRAPPERS(BIT_XOR, tag)                         \
                libm##_WRAPPERS(LOGADDEXP_LIBM, tag)
EACH_KERNEL(DEFINE_WRAPPERS)
CHAIN_WRAPPERS(SUM, dd)
CHAIN_WRAPPERS(SUM, cdd)

#ifndef PSCAN_KERNEL_ISA
#define PSCAN_KERNEL_ISA scalar
#endif
#define TABLE_NAME(isa) TABLE_NAME_EXPAND(isa)
#define TABLE_NAME_EXPAND(isa) pscan_kernels_##isa
#define TABLE_ROWS(tag, sum, prod, max, min, lae, band, bor, bxor, libm) \
    [PSCAN_SUM][PSCAN_DT_##tag] = sum##_ROW(SUM, tag),                   \
    [PSCAN_PROD][PSCAN_DT_##tag] = prod##_ROW(PROD, tag),                \
    [PSCAN_MAX][PSCAN_DT_##tag] = max##_ROW(MAX, tag),                   \
    [PSCAN_MIN][PSCAN_DT_##tag] = min##_ROW(MIN, tag),                   \
    [PSCAN_LOGADDEXP][PSCAN_DT_##tag] = lae##_ROW(LOGADDEXP, tag),       \
    [PSCAN_BIT_AND][PSCAN_DT_##tag] = band##_ROW(BIT_AND, tag),          \
    [PSCAN_BIT_OR][PSCAN_DT_##tag] = bor##_ROW(BIT_OR, tag),             \
    [PSCAN_BIT_XOR][PSCAN_DT_##tag] = bxor##_ROW(BIT_XOR, tag),          \
    [PSCAN_LOGADDEXP_LIBM][PSCAN_DT_##tag] = libm##_ROW(LOGADDEXP_LIBM, tag),

const pscan_kernel_table TABLE_NAME(PSCAN_KERNEL_ISA) = {EACH_KERNEL(TABLE_ROWS)};

#define COMPENSATED_NAME(isa) COMPENSATED_NAME_EXPAND(isa)
#define COMPENSATED_NAME_EXPAND(isa) pscan_compensated_kernels_##isa
const pscan_kernel COMPENSATED_NAME(PSCAN_KERNEL_ISA)[2] = {CHAIN_ROW(SUM, dd),
                                                            CHAIN_ROW(SUM, cdd)};

/* ---- Streaming stores for big outputs ----
 *
 * A plain store to a line not in cache reads the line first, so a scan
 * that writes `out` with plain stores moves 3n bytes where memcpy moves 2n.
 * Non-temporal stores skip that read; they are only worth it when out is
 * far larger than the caches (the engine decides). */

#define STREAM_NAME(isa) STREAM_NAME_EXPAND(isa)
#define STREAM_NAME_EXPAND(isa) pscan_stream_copy_##isa

void STREAM_NAME(PSCAN_KERNEL_ISA)(void *dst, const void *src, size_t bytes)
{
    char *to = dst;
    const char *from = src;
    size_t head = (sizeof(vbits) - (uintptr_t)to % sizeof(vbits)) % sizeof(vbits);
    if (!HAVE_VEC_STREAM || head > bytes)
        head = bytes;
    memcpy(to, from, head);
    size_t done = head;
    for (; done + sizeof(vbits) <= bytes; done += sizeof(vbits)) {
        vbits v;
        memcpy(&v, from + done, sizeof v);
        vstream(to + done, v);
    }
    memcpy(to + done, from + done, bytes - done);
}

#define STREAM_REVERSED_NAME(isa) STREAM_REVERSED_NAME_EXPAND(isa)
#define STREAM_REVERSED_NAME_EXPAND(isa) pscan_stream_copy_reversed_##isa

/* dst element i = src element n - 1 - i. Vector stores stream where the
 * elements are 4, 8 or 16 bytes and dst is aligned to one; the rest (and
 * other sizes) are copied element by element. */
void STREAM_REVERSED_NAME(PSCAN_KERNEL_ISA)(void *dst, const void *src, size_t n, size_t size)
{
    char *to = dst;
    const char *from = src;
    const size_t per_vector = sizeof(vbits) / size;
    size_t head = n;
    if (HAVE_VEC_STREAM && (size == 4 || size == 8 || size == 16) && (uintptr_t)to % size == 0)
        head = (sizeof(vbits) - (uintptr_t)to % sizeof(vbits)) % sizeof(vbits) / size;
    if (head > n)
        head = n;
    size_t done = 0;
    for (; done < head; done++)
        memcpy(to + done * size, from + (n - 1 - done) * size, size);
    if (head < n)
        for (; done + per_vector <= n; done += per_vector) {
            vbits v;
            memcpy(&v, from + (n - done - per_vector) * size, sizeof v);
            vstream(to + done * size, vreverse(size, v));
        }
    for (; done < n; done++)
        memcpy(to + done * size, from + (n - 1 - done) * size, size);
}
