/* generic_scan.h - the scan of opaque elements: an operation given as a
 * run callback over contiguous elements, with the loads and stores that
 * turn a lane's items into elements and results back into out's items.
 * User-defined operators (user_scan.c) and the running arg-max/arg-min
 * (arg_scan.c) run on it. The tile rule is REPRODUCIBLE's: a lane is cut
 * every PSCAN_TILE elements, tile t's outputs are its incoming total
 * P(t-1) combined left to right with its elements, and P(t) = P(t-1) op
 * A(t), A(t) the tile's elements combined left to right; so no result
 * depends on the thread count. Under SEQUENTIAL a lane is one chain. */
#ifndef PSCAN_GENERIC_SCAN_H
#define PSCAN_GENERIC_SCAN_H

#include "request.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pscan_generic_op {
    size_t elem_size;     /* bytes per element in the engine's buffers */
    const void *identity; /* one element: EXCLUSIVE's and INCLUDE_INITIAL's first */
    /* for i < n: *acc = *acc op x[i], then out[i] = *acc if out (out may be x) */
    void (*run)(void *acc, const void *x, void *out, size_t n, const void *ctx);
    /* n of the lane's items from src (stride bytes apart) into elements at
     * buf; the first is the lane's item `index`, each next one `step` (+1
     * or -1: a reversed lane) further in the caller's indexing */
    void (*load)(const char *src, int64_t stride, char *buf, size_t n, int64_t index, int64_t step,
                 const void *ctx);
    /* n elements at buf into out's items at dst, stride bytes apart */
    void (*store)(const char *buf, char *dst, int64_t stride, size_t n, const void *ctx);
    const void *ctx;
} pscan_generic_op;

/* Where a scan's lanes start (pieces of a longer scan): lane k (the C
 * order of in's dims other than the axis) starts after element
 * incoming[k] (NULL: from nothing), and its items are numbered from
 * index_base[k] (NULL: 0) in the loads. */
typedef struct pscan_generic_start {
    const char *incoming;
    const int64_t *index_base;
} pscan_generic_start;

/* Scan the checked request's in into out (rq->in.itemsize and
 * rq->out.itemsize are the items' sizes) under rq's flags EXCLUSIVE,
 * INCLUDE_INITIAL (each lane's incoming element first, the identity
 * without one) and REVERSE, order, threads and context, from `start`
 * (NULL: every lane from nothing). An input overlapping out other than
 * exactly in place is copied first. PSCAN_OK, or PSCAN_ENOMEM with out
 * untouched. */
pscan_status pscan_generic_scan(const pscan_generic_op *op, const pscan_request *rq,
                                const pscan_generic_start *start);

/* Each lane's total, from `start`, into totals[lanes] (elements; the
 * incoming one, or the identity, for an empty lane): every element of
 * rq->in along the axis (flipped under REVERSE), whatever the shape
 * flags. For order-free operations: the lanes are reduced as one tile. */
pscan_status pscan_generic_reduce(const pscan_generic_op *op, const pscan_request *rq,
                                  const pscan_generic_start *start, char *totals);

#endif
