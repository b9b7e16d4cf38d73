/* file_scan.h - a scan from an input file (a mapped .npy, or an HDF5
 * dataset read a slab ahead) into an output file, a slab at a time: each
 * slab is one library call into a buffer that a background thread writes
 * out while the next slab is scanned; mapped input pages are dropped from
 * the process once done, so resident memory stays near three slabs (four
 * for inputs that are read) whatever the file size. Results are those of one in-memory
 * call (scans along the file's slowest dimension go on from a carry, in
 * pieces of whole 4096-element tiles where the order is not free). */
#ifndef PSCAN_TOOLS_FILE_SCAN_H
#define PSCAN_TOOLS_FILE_SCAN_H

#include "in_reader.h"
#include "npy.h"
#include "out_writer.h"

#include <pscan.h>

/* Where the data comes from: its header (dtype, shape, order; big_endian
 * only for mapped data) and either a mapping or a read function, which
 * gives bytes in the data's own order, in native byte order. */
typedef struct scan_source {
    pscan_npy_header header;
    uint64_t data_bytes;
    const unsigned char *map; /* the data, mapped; NULL: read through `read` */
    in_reader_read_fn read;
    void *self;
} scan_source;

/* Where the results go: `fd` from offset `base`, or a write function. */
typedef struct scan_sink {
    uint64_t data_bytes;
    int fd;
    uint64_t base;
    out_writer_write_fn write;
    void *self;
} scan_sink;

/* What failed when file_scan_run says a read or a write did. */
typedef struct file_scan_error {
    int read_error, write_error; /* errno values, 0 if none */
} file_scan_error;

typedef struct file_scan_request {
    pscan_op op;
    int axis;  /* PSCAN_AXIS_NONE or 0..ndim-1 (0 for 0-d) */
    int naxes; /* > 1: pscan_scan_axes over `axes`, in one call */
    int axes[PSCAN_MAX_DIMS];
    pscan_dtype acc;       /* the accumulator (an arg scan's comparison type) */
    pscan_dtype out_dtype; /* out's: the accumulator, int64 for arg scans */
    pscan_opts opts;       /* threads, order, flags */
    size_t slab_bytes;     /* input bytes per library call (about) */
    /* Not NULL: pscan_scan_segmented, one call over the whole file. */
    const pscan_segments *segments;
    /* Called after each slab with input bytes done and in total. */
    void (*progress)(void *context, uint64_t done, uint64_t total);
    void *progress_context;
} file_scan_request;

/* The header of the result of `request` on `in` (little-endian data). */
void file_scan_result_header(const pscan_npy_header *in, const file_scan_request *request,
                             pscan_npy_header *out);

/* Scan `in` into `out` (made for file_scan_result_header). On error the
 * status of the failing call (or PSCAN_ENOMEM) is returned, or
 * PSCAN_ENOTSUP with error->read_error or error->write_error set. */
pscan_status file_scan_run(const scan_source *in, const scan_sink *out,
                           const file_scan_request *request, file_scan_error *error);

#endif
