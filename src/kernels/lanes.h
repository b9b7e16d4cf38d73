/* lanes.h - float tile chains, one per vector lane (float32 and float64
 * sums and products), generic over a constant (op, type).
 *
 * A REPRODUCIBLE float sum or product is one left-to-right chain per tile,
 * which no tree may shorten. N tiles side by side (N lanes of a vector)
 * run as N chains at once: an N x N block, N consecutive elements of each
 * tile, is transposed in registers, the chains advance N steps with one
 * vector op each, and the block is transposed back. Lane k combines tile
 * k's values in the scalar kernel's order, so every ISA gives the scalar
 * kernel's bits; one vector op advances N chains where the scalar kernel
 * advances one. */
#ifndef PSCAN_KERNEL_LANES_H
#define PSCAN_KERNEL_LANES_H

#include "chains.h"
#include "vectors.h"

enum { MAX_LANES = PSCAN_VECTOR_BYTES / 4 };

/* Positions [from, to) of segment k, one element at a time, continuing
 * the running value kept at *running (t's bytes) and storing after
 * *prefix where there is one. */
FORCE_INLINE void lane_steps(pscan_op op, ktype t, const char *seg, char *out, size_t from,
                             size_t to, unsigned char *running, const unsigned char *prefix)
{
    if (from >= to)
        return;
    kvalue value = kload(t, running, 0);
    const kvalue before = prefix ? kload(t, prefix, 0) : kzero(t);
    /* Counted from 0, so the compiler sees at most to - from steps. */
    for (size_t step = 0; step < to - from; step++) {
        const size_t i = from + step;
        const kvalue x = kload(t, seg, i);
        value = i == 0 ? x : kcombine(op, t, value, x);
        if (out)
            kstore(t, out, i, prefix ? kcombine(op, t, before, value) : value);
    }
    kstore(t, running, 0, value);
}

/* How a group of lanes applies prefixes: none, all, or those of a mask. */
typedef enum prefix_mode { PREFIX_NONE, PREFIX_ALL, PREFIX_SOME } prefix_mode;

/* N segments of seg_len (>= N) values, seg_len apart: lane k scans segment
 * k into dst (NULL: nothing stored), each output after prefixes[k] where
 * mode and the mask `prefixed` say so; totals[k] (NULL: not kept; t's
 * bytes) gets its last local value. Stores are aligned (a scalar head reaches dst's first
 * aligned element) and stream when asked to and dst allows. */
FORCE_INLINE void lanes_body(pscan_op op, ktype t, const char *src, char *dst, size_t seg_len,
                             const kvalue *prefixes, unsigned prefixed, prefix_mode mode,
                             void *totals, int stream, const char *rsrc, void *rtotals)
{
    const int lanes = vlanes(t);
    const size_t size = ksize(t), seg_bytes = seg_len * size;
    const int can_align = dst && (uintptr_t)dst % size == 0 && seg_bytes % sizeof(vbits) == 0;
    size_t head =
        can_align ? (sizeof(vbits) - (uintptr_t)dst % sizeof(vbits)) % sizeof(vbits) / size : 0;
    stream = stream && can_align && HAVE_VEC_STREAM;
    /* Lane k's running value, prefix and prefix mask, as the vectors'
     * lane bytes (zeroed for the analyzer: each lane's first step sets its
     * running value). */
    unsigned char running[sizeof(vbits)] = {0}, prefix_of[sizeof(vbits)] = {0},
                  mask_of[sizeof(vbits)] = {0};
    int has_prefix[MAX_LANES];
    for (int k = 0; k < lanes; k++) {
        has_prefix[k] = mode == PREFIX_ALL || (mode == PREFIX_SOME && (prefixed >> k & 1));
        if (has_prefix[k]) {
            kstore(t, prefix_of, (size_t)k, prefixes[k]);
            memset(mask_of + k * size, 0xff, size);
        }
    }
    vbits prefix_v, mask;
    memcpy(&prefix_v, prefix_of, sizeof prefix_v);
    memcpy(&mask, mask_of, sizeof mask);
    if (head > seg_len)
        head = seg_len;
    for (int k = 0; k < lanes; k++)
        lane_steps(op, t, src + k * seg_bytes, dst ? dst + k * seg_bytes : NULL, 0, head,
                   running + k * size, has_prefix[k] ? prefix_of + k * size : NULL);
    /* The fused reduce (rsrc: another group of seg_len segments, nothing
     * stored): each of its lanes chains in the same order, from the same
     * head on, so its totals are reduce_lanes_body's. */
    unsigned char rrunning[sizeof(vbits)] = {0};
    if (rsrc)
        for (int k = 0; k < lanes; k++)
            lane_steps(op, t, rsrc + k * seg_bytes, NULL, 0, head, rrunning + k * size, NULL);
    size_t i = head;
    if (i + (size_t)lanes <= seg_len) {
        vbits run, rrun;
        memcpy(&run, running, sizeof run);
        memcpy(&rrun, rrunning, sizeof rrun);
        for (; i + (size_t)lanes <= seg_len; i += (size_t)lanes) {
            if (rsrc) {
                vbits y[MAX_LANES];
                _Pragma("GCC unroll 16") for (int k = 0; k < lanes; k++)
                    memcpy(&y[k], rsrc + k * seg_bytes + i * size, sizeof(vbits));
                vtranspose(t, y);
                rrun = i == 0 ? y[0] : vcombine(op, t, rrun, y[0]);
                _Pragma("GCC unroll 16") for (int j = 1; j < lanes; j++) rrun =
                    vcombine(op, t, rrun, y[j]);
            }
            vbits x[MAX_LANES];
            _Pragma("GCC unroll 16") for (int k = 0; k < lanes; k++)
                memcpy(&x[k], src + k * seg_bytes + i * size, sizeof(vbits));
            vtranspose(t, x);
            run = i == 0 ? x[0] : vcombine(op, t, run, x[0]);
            x[0] = run;
            _Pragma("GCC unroll 16") for (int j = 1; j < lanes; j++) x[j] = run =
                vcombine(op, t, run, x[j]);
            if (!dst)
                continue;
            if (mode == PREFIX_ALL)
                _Pragma("GCC unroll 16") for (int j = 0; j < lanes; j++) x[j] =
                    vcombine(op, t, prefix_v, x[j]);
            if (mode == PREFIX_SOME)
                _Pragma("GCC unroll 16") for (int j = 0; j < lanes; j++) x[j] =
                    vselect(mask, vcombine(op, t, prefix_v, x[j]), x[j]);
            vtranspose(t, x);
            _Pragma("GCC unroll 16") for (int k = 0; k < lanes; k++)
            {
                char *to = dst + k * seg_bytes + i * size;
                if (stream)
                    vstream(to, x[k]);
                else
                    memcpy(to, &x[k], sizeof(vbits));
            }
        }
        memcpy(running, &run, sizeof run);
        memcpy(rrunning, &rrun, sizeof rrun);
    }
    for (int k = 0; k < lanes; k++)
        lane_steps(op, t, src + k * seg_bytes, dst ? dst + k * seg_bytes : NULL, i, seg_len,
                   running + k * size, has_prefix[k] ? prefix_of + k * size : NULL);
    if (totals)
        memcpy(totals, running, sizeof running);
    if (rsrc) {
        for (int k = 0; k < lanes; k++)
            lane_steps(op, t, rsrc + k * seg_bytes, NULL, i, seg_len, rrunning + k * size, NULL);
        memcpy(rtotals, rrunning, sizeof rrunning);
    }
}

/* lanes_body with the prefix mode chosen once, so each mode's loop is
 * compiled without the others' branches. */
FORCE_INLINE void lanes_any(pscan_op op, ktype t, const char *src, char *dst, size_t seg_len,
                            const kvalue *prefixes, unsigned prefixed, void *totals, int stream,
                            const char *rsrc, void *rtotals)
{
    if (!dst || prefixed == 0)
        lanes_body(op, t, src, dst, seg_len, prefixes, 0, PREFIX_NONE, totals, stream, rsrc,
                   rtotals);
    else if (prefixed == (1u << vlanes(t)) - 1)
        lanes_body(op, t, src, dst, seg_len, prefixes, prefixed, PREFIX_ALL, totals, stream, rsrc,
                   rtotals);
    else
        lanes_body(op, t, src, dst, seg_len, prefixes, prefixed, PREFIX_SOME, totals, stream, rsrc,
                   rtotals);
}

FORCE_INLINE void segments_lanes_body(pscan_op op, ktype t, const void *src, void *dst,
                                      size_t seg_len, size_t count)
{
    const size_t lanes = (size_t)vlanes(t), seg_bytes = seg_len * ksize(t);
    size_t first = 0;
    if (seg_len >= lanes)
        for (; first + lanes <= count; first += lanes)
            lanes_any(op, t, (const char *)src + first * seg_bytes, (char *)dst + first * seg_bytes,
                      seg_len, NULL, 0, NULL, 0, NULL, NULL);
    segments_body(op, t, (const char *)src + first * seg_bytes, (char *)dst + first * seg_bytes,
                  seg_len, count - first, NULL);
}

FORCE_INLINE void reduce_lanes_body(pscan_op op, ktype t, const void *src, size_t seg_len,
                                    size_t count, void *totals)
{
    const size_t lanes = (size_t)vlanes(t), size = ksize(t), seg_bytes = seg_len * size;
    size_t first = 0;
    if (seg_len >= lanes)
        for (; first + lanes <= count; first += lanes)
            lanes_any(op, t, (const char *)src + first * seg_bytes, NULL, seg_len, NULL, 0,
                      (char *)totals + first * size, 0, NULL, NULL);
    segments_body(op, t, (const char *)src + first * seg_bytes, NULL, seg_len, count - first,
                  (char *)totals + first * size);
}

/* Tiles of n values: tile t's outputs are P(t-1) op its local scan,
 * P(t) = P(t-1) op totals[t], P(-1) = *carry (none if carry is NULL).
 * Groups of N whole tiles run in lanes; the rest scan and fold. */
FORCE_INLINE void tiles_lanes_body(pscan_op op, ktype t, const void *src, void *dst, size_t n,
                                   const void *carry, const void *totals, int stream,
                                   const void *next, size_t next_n, void *next_totals)
{
    /* next (NULL: none): the next block, whose tile totals (as
     * reduce_lanes_body gives them over whole tiles, then the remainder)
     * are reduced group by group in the same loops as this block's
     * groups, then the rest alone. */
    const size_t next_full = next ? next_n / PSCAN_TILE : 0;
    size_t next_done = 0; /* whole tiles of next reduced */
    const size_t lanes = (size_t)vlanes(t), size = ksize(t);
    const size_t tiles = (n + PSCAN_TILE - 1) / PSCAN_TILE, full = n / PSCAN_TILE;
    kvalue prefix = carry ? kload(t, carry, 0) : kzero(t), prefixes[MAX_LANES];
    int have = carry != NULL;
    for (size_t tile = 0; tile < tiles;) {
        const char *from = (const char *)src + tile * PSCAN_TILE * size;
        char *to = (char *)dst + tile * PSCAN_TILE * size;
        if (tile + lanes <= full) {
            unsigned prefixed = 0;
            for (size_t k = 0; k < lanes; k++) {
                const kvalue total = kload(t, totals, tile + k);
                prefixes[k] = prefix;
                prefixed |= (unsigned)have << k;
                prefix = have ? kcombine(op, t, prefix, total) : total;
                have = 1;
            }
            const int fuse = next_done + lanes <= next_full;
            lanes_any(op, t, from, to, PSCAN_TILE, prefixes, prefixed, NULL, stream,
                      fuse ? (const char *)next + next_done * PSCAN_TILE * size : NULL,
                      fuse ? (char *)next_totals + next_done * size : NULL);
            next_done += fuse ? lanes : 0;
            tile += lanes;
            continue;
        }
        const size_t len = tile < full ? PSCAN_TILE : n % PSCAN_TILE;
        scan_body(op, t, from, to, len, NULL);
        if (have) {
            unsigned char prefix_bytes[sizeof(pscan_t_cdd)];
            kstore(t, prefix_bytes, 0, prefix);
            fold_body(op, t, to, len, prefix_bytes);
        }
        const kvalue total = kload(t, totals, tile);
        prefix = have ? kcombine(op, t, prefix, total) : total;
        have = 1;
        tile++;
    }
    if (next) {
        reduce_lanes_body(op, t, (const char *)next + next_done * PSCAN_TILE * size, PSCAN_TILE,
                          next_full - next_done, (char *)next_totals + next_done * size);
        if (next_n % PSCAN_TILE)
            reduce_lanes_body(op, t, (const char *)next + next_full * PSCAN_TILE * size,
                              next_n % PSCAN_TILE, 1, (char *)next_totals + next_full * size);
    }
}

#endif
