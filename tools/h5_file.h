/* h5_file.h - HDF5 datasets for the command-line tool: inputs read in
 * hyperslabs (a range of elements in C order at a time, as file_scan asks),
 * outputs written the same way into a temporary file beside their
 * destination and renamed over it only when complete. HDF5's error stack
 * is never printed: each failure becomes one line naming file and dataset.
 * Only built when CMake finds HDF5 (PSCAN_HAVE_HDF5). */
#ifndef PSCAN_TOOLS_H5_FILE_H
#define PSCAN_TOOLS_H5_FILE_H

#include "npy.h"
#include "npy_file.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct h5_input {
    pscan_npy_header header; /* dtype, ndim, shape; C order, native data */
    uint64_t data_bytes;
    char *file, *dataset; /* names, for messages */
    int64_t file_id, dataset_id, space_id, memory_type;
    int chunk_ndim; /* 0: not chunked */
    uint64_t chunk[PSCAN_MAX_DIMS];
    int gzip_level; /* the filters pscan keeps: gzip's level, -1 without */
    bool shuffle;
    char filters[160]; /* all of them, for info: "shuffle,gzip(4)" */
    char error[256];   /* what the last failed read said */
} h5_input;

/* Open `dataset` of `file` (NULL: the file's only dataset) for reading in
 * slabs of about `slab_bytes`. On error `message` names file, dataset and
 * problem: NPY_FILE_EINPUT for files and datasets pscan cannot read,
 * NPY_FILE_EIO when the file cannot be opened, NPY_FILE_EUSAGE when a
 * file of several datasets was named without one. */
npy_file_status h5_input_open(h5_input *in, const char *file, const char *dataset,
                              size_t slab_bytes, char *message, size_t message_len);
/* in_reader_read_fn: elements [offset, offset + bytes) / item size in C
 * order, native byte order. EIO when the system failed to read, EBADMSG
 * when the data is damaged (a chunk that does not decompress). */
int h5_input_read(void *input, uint64_t offset, size_t bytes, unsigned char *dst);
void h5_input_close(h5_input *in);
/* `slab_bytes` cut to whole rows of chunks along dim 0, when at least one
 * fits, so slabs read whole chunks. */
size_t h5_input_slab(const h5_input *in, size_t slab_bytes);

/* How the result is stored and labelled. */
typedef struct h5_output_options {
    int gzip;         /* -1: as the input (none for .npy), 0..9: gzip level */
    bool no_compress; /* no filters at all */
    const char *op;   /* "cumsum", ... (attribute pscan_op) */
    int naxes;        /* 0: axis=None (pscan_axis = "None") */
    int axes[PSCAN_MAX_DIMS];
    bool axes_list;    /* --axes: pscan_axis is a 1-d array */
    size_t slab_bytes; /* sizes the chunk cache */
} h5_output_options;

typedef struct h5_output {
    char *final_path, *temp_path, *dataset;
    int64_t file_id, dataset_id, memory_type;
    pscan_dtype dtype;
    int ndim;
    uint64_t shape[PSCAN_MAX_DIMS];
    size_t item;
    char error[256]; /* what the last failed write said */
} h5_output;

/* Create `dataset` for `result` in a temporary beside `file`: a copy of
 * `file` when that is an HDF5 file already (its other objects kept, a
 * dataset of the same name replaced), else a new file. Chunking, filters
 * and attributes follow `like` (NULL for a .npy input). Until
 * h5_output_commit the file at `file`, if any, is untouched; the cleanup
 * signals of npy_install_signal_cleanup remove the temporary. */
npy_file_status h5_output_create(h5_output *out, const char *file, const char *dataset,
                                 const pscan_npy_header *result, const h5_input *like,
                                 const h5_output_options *options, char *message,
                                 size_t message_len);
/* out_writer_write_fn: result bytes for data offset `offset`. */
int h5_output_write(void *output, const unsigned char *data, size_t bytes, uint64_t offset);
/* Close the temporary (flushing HDF5's caches) and rename it over `file`. */
npy_file_status h5_output_commit(h5_output *out, char *message, size_t message_len);
/* Close and remove the temporary (after any error). */
void h5_output_abort(h5_output *out);

/* `pscan info`: one line per dataset of `file` (all when `dataset` is
 * NULL) to `to`. */
npy_file_status h5_info(const char *file, const char *dataset, FILE *to, char *message,
                        size_t message_len);

/* Shut HDF5 down at the end of main (its exit handler is off: see
 * h5_file.c). Safe when HDF5 was never used. */
void h5_finish(void);

#endif
