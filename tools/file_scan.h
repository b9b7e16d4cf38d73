/* file_scan.h - a scan from a mapped .npy input into an output file, a
 * slab at a time: each slab is one library call into a buffer that a
 * background thread writes out while the next slab is scanned; input pages
 * are dropped from the process once done, so resident memory stays near
 * three slabs whatever the file size. Results are those of one in-memory
 * call (scans along the file's slowest dimension go on from a carry, in
 * pieces of whole 4096-element tiles where the order is not free). */
#ifndef PSCAN_TOOLS_FILE_SCAN_H
#define PSCAN_TOOLS_FILE_SCAN_H

#include "npy_file.h"

#include <pscan.h>

typedef struct file_scan_request {
    pscan_op op;
    int axis;  /* PSCAN_AXIS_NONE or 0..ndim-1 (0 for 0-d) */
    int naxes; /* > 1: pscan_scan_axes over `axes`, in one call */
    int axes[PSCAN_MAX_DIMS];
    pscan_dtype acc;   /* the accumulator, which is also out's dtype */
    pscan_opts opts;   /* threads, order, flags */
    size_t slab_bytes; /* input bytes per library call (about) */
    /* Called after each slab with input bytes done and in total. */
    void (*progress)(void *context, uint64_t done, uint64_t total);
    void *progress_context;
} file_scan_request;

/* The header of the result of `request` on `in` (little-endian data). */
void file_scan_result_header(const pscan_npy_header *in, const file_scan_request *request,
                             pscan_npy_header *out);

/* Scan `in` into `out` (created for file_scan_result_header). On error
 * the status of the failing call (or PSCAN_ENOMEM) is returned, or
 * PSCAN_ENOTSUP with *write_error set to the errno of a failed write. */
pscan_status file_scan_run(const npy_input *in, const npy_output *out,
                           const file_scan_request *request, int *write_error);

#endif
