/* trees.h - in-register tree scans for order-free accumulators (32- and
 * 64-bit integers under every op, floats under max and min), generic over
 * a constant (op, type).
 *
 * A vector of lanes values is scanned with log2(lanes) Sklansky steps
 * (lanes that take nothing combine with the identity), then the running
 * carry, a vector with every lane equal, is combined in. The carry chain
 * is one combine per vector: the vector's own total is broadcast apart
 * from it. The ops are order-free, so every regrouping gives the chain's
 * bits (float max and min settle equal values of different bits in order:
 * see reduce_tree_body). */
#ifndef PSCAN_KERNEL_TREES_H
#define PSCAN_KERNEL_TREES_H

#include "chains.h"
#include "vectors.h"

/* streaming: dst is aligned to a vector; stores bypass the caches. */
FORCE_INLINE void scan_tree_body(pscan_op op, ktype t, const void *src, void *dst, size_t n,
                                 const void *carry, int streaming)
{
    const size_t lanes = (size_t)vlanes(t), size = ksize(t);
    const vbits identity = vbroadcast(t, kidentity(op, t));
    vbits running = vbroadcast(t, carry ? kload(t, carry, 0) : kidentity(op, t));
    size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        vbits x;
        memcpy(&x, (const char *)src + i * size, sizeof x);
        _Pragma("GCC unroll 4") for (int s = 1; s < vlanes(t); s *= 2) x =
            vcombine(op, t, vshift(t, identity, x, s), x);
        const vbits total = vlast(t, x);
        const vbits out = vcombine(op, t, running, x);
        if (streaming)
            vstream((char *)dst + i * size, out);
        else
            memcpy((char *)dst + i * size, &out, sizeof out);
        running = vcombine(op, t, running, total);
    }
    if (i < n) /* the rest after lane 0 of running, which starts its bytes */
        scan_body(op, t, (const char *)src + i * size, (char *)dst + i * size, n - i, &running);
}

/* The same with non-temporal stores: plain ones up to the first
 * vector-aligned element of dst (none if dst is not element-aligned). */
FORCE_INLINE void scan_tree_stream_body(pscan_op op, ktype t, const void *src, void *dst, size_t n,
                                        const void *carry)
{
    const size_t size = ksize(t);
    const uintptr_t misalign = (uintptr_t)dst % sizeof(vbits);
    size_t head = misalign ? (sizeof(vbits) - misalign) / size : 0;
    if ((uintptr_t)dst % size != 0 || !HAVE_VEC_STREAM) {
        scan_tree_body(op, t, src, dst, n, carry, 0);
        return;
    }
    if (head > n)
        head = n;
    scan_tree_body(op, t, src, dst, head, carry, 0);
    if (head == n)
        return;
    const void *last = head ? (const char *)dst + (head - 1) * size : carry;
    scan_tree_body(op, t, (const char *)src + head * size, (char *)dst + head * size, n - head,
                   last, 1);
}

FORCE_INLINE void segments_tree_body(pscan_op op, ktype t, const void *src, void *dst,
                                     size_t seg_len, size_t count)
{
    const size_t seg_bytes = seg_len * ksize(t);
    if (seg_len < 2 * (size_t)vlanes(t)) {
        segments_body(op, t, src, dst, seg_len, count, NULL);
        return;
    }
    for (size_t k = 0; k < count; k++)
        scan_tree_body(op, t, (const char *)src + k * seg_bytes, (char *)dst + k * seg_bytes,
                       seg_len, NULL, 0);
}

/* Float max and min can meet equal values of different bits (-0.0 and
 * +0.0, NaN payloads), which the lanes reduce out of order: a zero or NaN
 * total is settled again by the chain. */
FORCE_INLINE int tie_may_differ(ktype t, kvalue total)
{
    if (t == KT_f32)
        return total.f32 == 0 || isnan(total.f32);
    if (t == KT_f64)
        return total.f64 == 0 || isnan(total.f64);
    return 0;
}

/* A segment's total from position i on, where acc holds the vectors
 * before it combined lane by lane: the rest of the vectors, then the
 * lanes, then the tail, into *total; a zero or NaN float total is settled
 * again by the chain (tie_may_differ). */
FORCE_INLINE void reduce_tree_from(pscan_op op, ktype t, const char *seg, size_t seg_len, size_t i,
                                   vbits acc, void *total_out)
{
    const size_t lanes = (size_t)vlanes(t), size = ksize(t);
    for (; i + lanes <= seg_len; i += lanes) {
        vbits x;
        memcpy(&x, seg + i * size, sizeof x);
        acc = vcombine(op, t, acc, x);
    }
    kvalue total = vlane(t, acc, 0);
    for (int lane = 1; lane < vlanes(t); lane++)
        total = kcombine(op, t, total, vlane(t, acc, lane));
    for (; i < seg_len; i++)
        total = kcombine(op, t, total, kload(t, seg, i));
    kstore(t, total_out, 0, total);
    if (tie_may_differ(t, total))
        segments_body(op, t, seg, NULL, seg_len, 1, total_out);
}

FORCE_INLINE void reduce_tree_body(pscan_op op, ktype t, const void *src, size_t seg_len,
                                   size_t count, void *totals)
{
    const size_t lanes = (size_t)vlanes(t), size = ksize(t);
    if (seg_len < 2 * lanes) {
        segments_body(op, t, src, NULL, seg_len, count, totals);
        return;
    }
    for (size_t k = 0; k < count; k++)
        reduce_tree_from(op, t, (const char *)src + k * seg_len * size, seg_len, 0,
                         vbroadcast(t, kidentity(op, t)), (char *)totals + k * size);
}

/* scan_tree_stream_body over one block while the next block's total is
 * reduced (as reduce_tree_body gives it) in the same loop, a vector of
 * each per step: the next block's reads from memory then overlap this
 * block's streamed writes, as in memcpy, where two passes would read and
 * then write. */
FORCE_INLINE void scan_reduce_tree_body(pscan_op op, ktype t, const void *src, void *dst, size_t n,
                                        const void *carry, const void *next, size_t next_n,
                                        void *next_total)
{
    const size_t lanes = (size_t)vlanes(t), size = ksize(t);
    const uintptr_t misalign = (uintptr_t)dst % sizeof(vbits);
    size_t head = misalign ? (sizeof(vbits) - misalign) / size : 0;
    if ((uintptr_t)dst % size != 0 || !HAVE_VEC_STREAM || next_n < 2 * lanes || head >= n) {
        scan_tree_stream_body(op, t, src, dst, n, carry);
        reduce_tree_body(op, t, next, next_n, 1, next_total);
        return;
    }
    scan_tree_body(op, t, src, dst, head, carry, 0);
    const vbits identity = vbroadcast(t, kidentity(op, t));
    vbits running = vbroadcast(t, head    ? kload(t, dst, head - 1)
                                  : carry ? kload(t, carry, 0)
                                          : kidentity(op, t));
    vbits acc = identity;
    size_t i = head, j = 0;
    for (; i + lanes <= n && j + lanes <= next_n; i += lanes, j += lanes) {
        vbits x, y;
        memcpy(&y, (const char *)next + j * size, sizeof y);
        acc = vcombine(op, t, acc, y);
        memcpy(&x, (const char *)src + i * size, sizeof x);
        _Pragma("GCC unroll 4") for (int s = 1; s < vlanes(t); s *= 2) x =
            vcombine(op, t, vshift(t, identity, x, s), x);
        vstream((char *)dst + i * size, vcombine(op, t, running, x));
        running = vcombine(op, t, running, vlast(t, x));
    }
    /* The rest of this block after lane 0 of running, which starts its
     * bytes; the rest of the next one in reduce_tree_body's order. */
    scan_tree_body(op, t, (const char *)src + i * size, (char *)dst + i * size, n - i, &running, 1);
    reduce_tree_from(op, t, next, next_n, j, acc, next_total);
}

#endif
