/* npy_file.h - .npy files for the command-line tool: inputs mapped read
 * only and checked against their size, outputs written into a temporary
 * file beside their destination and renamed over it only when complete. */
#ifndef PSCAN_TOOLS_NPY_FILE_H
#define PSCAN_TOOLS_NPY_FILE_H

#include "npy.h"

#include <stddef.h>
#include <stdint.h>

/* What went wrong, as the tool's exit codes tell it. */
typedef enum npy_file_status {
    NPY_FILE_OK,
    NPY_FILE_EINPUT, /* the input is not a .npy file pscan can read */
    NPY_FILE_EIO,    /* open, map, write or rename failed */
    NPY_FILE_EUSAGE, /* the command line does not fit the file (an HDF5
                        file of several datasets named without one) */
    NPY_FILE_ENOMEM  /* out of memory: the tool's exit status 1, as the scan's */
} npy_file_status;

typedef struct npy_input {
    pscan_npy_header header;
    unsigned char *map; /* the whole file, mapped read only (NULL if empty);
                           not const: madvise and munmap take it writable */
    size_t map_bytes;
    const unsigned char *data; /* map + header.data_offset */
    uint64_t data_bytes;
    int fd;
} npy_input;

/* Open and map `path`; check the header and that the file holds exactly
 * the data it describes. On error `message` names the file and problem. */
npy_file_status npy_input_open(npy_input *in, const char *path, char *message, size_t message_len);
void npy_input_close(npy_input *in);

typedef struct npy_output {
    int fd;               /* the temporary, open for writing */
    uint64_t data_offset; /* where the data starts in it */
    uint64_t data_bytes;
    char *final_path, *temp_path;
} npy_output;

/* Create a temporary file beside `path` for `header` (little-endian data),
 * write the header and reserve the data's blocks (a full disk fails here).
 * Until npy_output_commit the file at `path`, if any, is untouched;
 * SIGINT, SIGTERM and SIGHUP remove the temporary. */
npy_file_status npy_output_create(npy_output *out, const char *path, const pscan_npy_header *header,
                                  char *message, size_t message_len);
/* Close the temporary and rename it over `path`. */
npy_file_status npy_output_commit(npy_output *out, char *message, size_t message_len);
/* Close and remove the temporary (after any error). */
void npy_output_abort(npy_output *out);

/* A temporary file beside `path` (mkostemp's pattern filled in), created
 * and known to the cleanup signals until npy_forget_temp; its name is
 * malloc'ed into *temp_path. Returns the open descriptor, or -1 with errno
 * set. */
int npy_create_temp(const char *path, char **temp_path);
/* The temporary is renamed or removed: signals leave it alone. */
void npy_forget_temp(void);

/* SIGINT/SIGTERM/SIGHUP handlers that remove the open temporary, then die
 * of the signal; a SIGBUS (a mapped input that shrank under us) removes it,
 * says so and exits with `input_lost_exit`. Call once before creating
 * outputs. */
void npy_install_signal_cleanup(int input_lost_exit);

#endif
