/* npy.h - NumPy .npy headers: strict parsing and writing (versions 1.0,
 * 2.0 and 3.0). Used by the command-line tool; not part of libpscan. */
#ifndef PSCAN_TOOLS_NPY_H
#define PSCAN_TOOLS_NPY_H

#include <pscan.h>

#include <stddef.h>
#include <stdint.h>

/* Headers longer than this are rejected (numpy's own reader stops at
 * 10,000 bytes unless told otherwise; v2/v3 headers may be longer). */
#define PSCAN_NPY_MAX_HEADER ((size_t)1 << 20)

typedef struct pscan_npy_header {
    int major, minor; /* format version */
    pscan_dtype dtype;
    int big_endian; /* the data is big-endian (swap to use) */
    int fortran_order;
    int ndim;
    int64_t shape[PSCAN_MAX_DIMS];
    size_t data_offset; /* bytes from the start of the file */
} pscan_npy_header;

typedef enum pscan_npy_status {
    PSCAN_NPY_OK,
    PSCAN_NPY_EMAGIC,     /* not a .npy file */
    PSCAN_NPY_EVERSION,   /* unknown format version */
    PSCAN_NPY_ETRUNCATED, /* file ends inside the header */
    PSCAN_NPY_ELIMIT,     /* header longer than PSCAN_NPY_MAX_HEADER */
    PSCAN_NPY_EDICT,      /* header is not the dict numpy writes */
    PSCAN_NPY_EDESCR,     /* dtype that pscan does not have (incl. objects) */
    PSCAN_NPY_ESHAPE,     /* shape is not a tuple of non-negative ints */
    PSCAN_NPY_ESIZE       /* element count x item size overflows, or does
                             not match the data in the file */
} pscan_npy_status;

/* Parse the header at the start of `bytes` (`len` of them available; the
 * whole file or at least the header). On error, `message` (if not NULL)
 * says what is wrong, in a sentence without the file name. */
pscan_npy_status pscan_npy_parse(const unsigned char *bytes, size_t len, pscan_npy_header *header,
                                 char *message, size_t message_len);

/* Data bytes the header describes; PSCAN_NPY_ESIZE if that overflows. */
pscan_npy_status pscan_npy_data_bytes(const pscan_npy_header *header, uint64_t *bytes);

/* Write a header for `header`'s dtype, order and shape (little-endian data)
 * into `out`: version 1.0 (2.0 is only for dicts over 65535 bytes, which
 * 64 dimensions of pscan's dtypes never reach), padded with spaces and a
 * newline so the data starts on a 64-byte boundary. Returns its length, or
 * 0 if `capacity` is too small. header->major/minor/data_offset are
 * ignored. */
size_t pscan_npy_write(const pscan_npy_header *header, unsigned char *out, size_t capacity);

#endif
