/* segment_file.c - a .npy file as the segments of a segmented scan. */
#include "segment_file.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

npy_file_status segment_file_open(segment_file *f, const char *path, pscan_segment_kind kind,
                                  char *message, size_t message_len)
{
    memset(f, 0, sizeof *f);
    npy_file_status status = npy_input_open(&f->npy, path, message, message_len);
    if (status != NPY_FILE_OK)
        return status;
    const pscan_npy_header *h = &f->npy.header;
    const size_t item = pscan_dtype_size(h->dtype);
    const unsigned char *data = f->npy.data;
    /* The library reads native order: a big-endian file is swapped whole
     * (complex: each half). */
    if (h->big_endian && item > 1 && f->npy.data_bytes > 0) {
        if (!(f->swapped = malloc((size_t)f->npy.data_bytes))) {
            snprintf(message, message_len, "%s: out of memory", path);
            npy_input_close(&f->npy);
            return NPY_FILE_ENOMEM;
        }
        const bool complex = h->dtype == PSCAN_COMPLEX64 || h->dtype == PSCAN_COMPLEX128;
        const size_t part = complex ? item / 2 : item;
        for (size_t at = 0; at < (size_t)f->npy.data_bytes; at += part)
            for (size_t k = 0; k < part; k++)
                f->swapped[at + k] = data[at + part - 1 - k];
        data = f->swapped;
    }
    int64_t stride = (int64_t)item;
    for (int k = 0; k < h->ndim; k++) {
        const int d = h->fortran_order ? k : h->ndim - 1 - k;
        f->strides[d] = stride;
        stride *= h->shape[d];
    }
    static const unsigned char nothing[8];
    f->segments.kind = kind;
    f->segments.array = (pscan_array){(void *)(uintptr_t)(data ? data : nothing), h->dtype, h->ndim,
                                      h->shape, f->strides};
    return NPY_FILE_OK;
}

void segment_file_close(segment_file *f)
{
    free(f->swapped);
    npy_input_close(&f->npy);
    memset(f, 0, sizeof *f);
}
