/* chains.h - the scalar kernel bodies: every slot of pscan_kernel as a
 * left-to-right chain of kcombine steps, generic over a constant (op,
 * type). These are the definition every faster body must match bit for
 * bit. */
#ifndef PSCAN_KERNEL_CHAINS_H
#define PSCAN_KERNEL_CHAINS_H

#include "values.h"
#include "../tile.h"

FORCE_INLINE void scan_body(pscan_op op, ktype t, const void *src, void *dst, size_t n,
                            const void *carry)
{
    if (n == 0)
        return;
    kvalue running = kload(t, src, 0);
    if (carry)
        running = kcombine(op, t, kload(t, carry, 0), running);
    kstore(t, dst, 0, running);
    for (size_t i = 1; i < n; i++) {
        running = kcombine(op, t, running, kload(t, src, i));
        kstore(t, dst, i, running);
    }
}

/* Segments scanned side by side: eight independent float chains keep both
 * adders busy where one chain waits on its own latency each step. */
enum { CHAINS = 8 };

/* Where the rows of chains_body are and what they start from. */
typedef struct chain_rows {
    const void *src;
    size_t src_row; /* elements from one row of src to the next */
    void *dst;      /* NULL: only the totals are wanted */
    size_t dst_row;
    const void *carries; /* carries[row] enters each row first; NULL: none */
    void *totals;        /* totals[row] gets each row's last value; NULL: not kept */
} chain_rows;

/* Element pos of chain k (row first + k): its first element, after the
 * row's carry if there are carries, or combined with the running value;
 * stored unless only the totals are wanted. running holds one value of
 * type t per chain, as bytes: a value per chain and no more, since the
 * array stays in memory where the chains start and end one by one. */
FORCE_INLINE void chain_step(pscan_op op, ktype t, const chain_rows *rows, size_t first, size_t k,
                             size_t pos, unsigned char *running)
{
    const kvalue x = kload(t, rows->src, (first + k) * rows->src_row + pos);
    kvalue value;
    if (pos > 0)
        value = kcombine(op, t, kload(t, running, k), x);
    else
        value = rows->carries ? kcombine(op, t, kload(t, rows->carries, first + k), x) : x;
    kstore(t, running, k, value);
    if (rows->dst)
        kstore(t, rows->dst, (first + k) * rows->dst_row + pos, value);
}

/* `chains` rows of len values from row `first` on, inlined with a
 * constant count. Rows of a tile's size start a multiple of 4 KiB apart,
 * the L1 set period, so chain k runs k cache lines behind chain 0: in step
 * they would all fight over the same cache sets. */
FORCE_INLINE void chains_body(pscan_op op, ktype t, chain_rows rows, size_t len, size_t first,
                              size_t chains)
{
    const size_t skew = 64 / ksize(t) ? 64 / ksize(t) : 1;
    /* Zeroed for the analyzer: each chain's first step (pos 0) sets its
     * value before any step reads it, which it cannot follow. */
    unsigned char running[CHAINS * sizeof(pscan_t_cdd)] = {0};
    const size_t lag = (chains - 1) * skew;
    /* One chain, or too short to overlap: one at a time, its value in a
     * register (through running[], each step would wait on a store). */
    if (chains == 1 || len <= lag + 1) {
        for (size_t k = 0; k < chains; k++) {
            const char *from = (const char *)rows.src + (first + k) * rows.src_row * ksize(t);
            char *to = rows.dst ? (char *)rows.dst + (first + k) * rows.dst_row * ksize(t) : NULL;
            kvalue value = kload(t, from, 0);
            if (rows.carries)
                value = kcombine(op, t, kload(t, rows.carries, first + k), value);
            if (to)
                kstore(t, to, 0, value);
            for (size_t i = 1; i < len; i++) {
                value = kcombine(op, t, value, kload(t, from, i));
                if (to)
                    kstore(t, to, i, value);
            }
            kstore(t, running, k, value);
        }
    } else {
        for (size_t i = 0; i <= lag; i++) /* chains start one by one */
            for (size_t k = 0; k * skew <= i; k++)
                chain_step(op, t, &rows, first, k, i - k * skew, running);
        for (size_t i = lag + 1; i < len; i++) /* all chains run */
            for (size_t k = 0; k < chains; k++)
                chain_step(op, t, &rows, first, k, i - k * skew, running);
        for (size_t i = len; i < len + lag; i++) /* they end */
            for (size_t k = (i - len) / skew + 1; k < chains; k++)
                chain_step(op, t, &rows, first, k, i - k * skew, running);
    }
    if (rows.totals)
        for (size_t k = 0; k < chains; k++)
            kstore(t, rows.totals, first + k, kload(t, running, k));
}

/* count segments of seg_len, back to back, scanned into dst (NULL: only
 * their totals kept). */
FORCE_INLINE void segments_body(pscan_op op, ktype t, const void *src, void *dst, size_t seg_len,
                                size_t count, void *totals)
{
    const chain_rows rows = {src, seg_len, dst, seg_len, NULL, totals};
    const chain_rows tiles = {src, PSCAN_TILE, dst, PSCAN_TILE, NULL, totals};
    size_t first = 0;
    if (seg_len == 0)
        return;
    if (seg_len == PSCAN_TILE) /* constant offsets between the chains */
        for (; first + CHAINS <= count; first += CHAINS)
            chains_body(op, t, tiles, PSCAN_TILE, first, CHAINS);
    for (; first + CHAINS <= count; first += CHAINS)
        chains_body(op, t, rows, seg_len, first, CHAINS);
    for (; first < count; first++)
        chains_body(op, t, rows, seg_len, first, 1);
}

FORCE_INLINE void rows_body(pscan_op op, ktype t, const void *src, size_t src_row, void *dst,
                            size_t dst_row, size_t n, size_t count, const void *carries)
{
    const chain_rows rows = {src, src_row, dst, dst_row, carries, NULL};
    size_t first = 0;
    if (n == 0)
        return;
    for (; first + CHAINS <= count; first += CHAINS)
        chains_body(op, t, rows, n, first, CHAINS);
    if (first < count)
        chains_body(op, t, rows, n, first, count - first);
}

FORCE_INLINE void lagged_body(pscan_op op, ktype t, const void *src, void *dst, size_t n,
                              size_t lag, const void *carry)
{
    size_t i = 0;
    for (; i < lag && i < n; i++)
        kstore(t, dst, i,
               carry ? kcombine(op, t, kload(t, carry, i), kload(t, src, i)) : kload(t, src, i));
    for (; i < n; i++)
        kstore(t, dst, i, kcombine(op, t, kload(t, dst, i - lag), kload(t, src, i)));
}

FORCE_INLINE void reduce_lagged_body(pscan_op op, ktype t, const void *src, size_t n, size_t lag,
                                     void *totals)
{
    for (size_t j = 0; j < lag && j < n; j++)
        kstore(t, totals, j, kload(t, src, j));
    for (size_t row = lag; row < n; row += lag)
        for (size_t j = 0; j < lag && row + j < n; j++)
            kstore(t, totals, j, kcombine(op, t, kload(t, totals, j), kload(t, src, row + j)));
}

FORCE_INLINE void fold_body(pscan_op op, ktype t, void *buf, size_t n, const void *carry)
{
    const kvalue prefix = kload(t, carry, 0);
    for (size_t i = 0; i < n; i++)
        kstore(t, buf, i, kcombine(op, t, prefix, kload(t, buf, i)));
}

FORCE_INLINE void combine_body(pscan_op op, ktype t, const void *prev, const void *next, void *dst,
                               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const kvalue earlier = kload(t, prev, i), later = kload(t, next, i);
        kstore(t, dst, i, kcombine(op, t, earlier, later));
    }
}

#endif
