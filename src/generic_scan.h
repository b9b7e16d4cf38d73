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

/* Scan the checked request's in into out (rq->in.itemsize and
 * rq->out.itemsize are the items' sizes) under rq's flags EXCLUSIVE,
 * INCLUDE_INITIAL and REVERSE, order, threads and context. An input
 * overlapping out other than exactly in place is copied first.
 * PSCAN_OK, or PSCAN_ENOMEM with out untouched. */
pscan_status pscan_generic_scan(const pscan_generic_op *op, const pscan_request *rq);

#endif
