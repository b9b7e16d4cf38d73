/* request.h - the one door: every entry point (pscan_scan and its pieces,
 * pscan_scan_axes, streams, the distributed scan through pscan_scan_check)
 * turns its arguments into one validated request here, before anything is
 * read or written. Nothing past the door checks arguments again. */
#ifndef PSCAN_REQUEST_H
#define PSCAN_REQUEST_H

#include "context.h"
#include "layout.h"

#include <stdbool.h>

/* A caller's options as this release reads them (pscan.h: pscan_opts.size);
 * NULL is the defaults. PSCAN_EOPTS for a size this release cannot read
 * or an invalid value (threads < 0, unknown order, casting or flag bits,
 * EXCLUSIVE with INCLUDE_INITIAL). */
pscan_status pscan_opts_read(const pscan_opts *user, pscan_opts *opts);

typedef struct pscan_request {
    pscan_op op;
    pscan_opts opts;    /* read and checked */
    pscan_view in, out; /* in's and out's views, as the caller gave them */
    int axis;           /* resolved: 0 <= axis < ndim, -1 when flattening */
    bool flatten;       /* axis was PSCAN_AXIS_NONE */
    pscan_dtype acc;    /* the accumulator: `dtype`, or numpy's default */
    pscan_context *ctx; /* opts.ctx, or the default context */
    int threads;        /* opts.threads, or the context's team */
} pscan_request;

/* Every check of a scan of `in` into `out` along `axis` (README
 * "Semantics"), in the order the statuses are documented; PSCAN_OK with
 * *rq filled, or the first error. Reads neither array's elements. */
pscan_status pscan_request_init(pscan_request *rq, pscan_op op, const pscan_array *in, int axis,
                                pscan_dtype dtype, const pscan_array *out, const pscan_opts *opts);

/* The same checks of a reduction, which reads `in` and writes no array
 * (rq->out is rq->in). */
pscan_status pscan_request_init_input(pscan_request *rq, pscan_op op, const pscan_array *in,
                                      int axis, pscan_dtype dtype, const pscan_opts *opts);

/* The checks of pscan_request_init for a user-defined operator's arrays:
 * items of `itemsize` bytes whose dtype is not read (rq->op is
 * PSCAN_OP_COUNT, rq->acc DEFAULT); PSCAN_ESIZE for itemsize 0. */
pscan_status pscan_request_init_items(pscan_request *rq, const pscan_array *in, int axis,
                                      size_t itemsize, const pscan_array *out,
                                      const pscan_opts *opts);

#endif
