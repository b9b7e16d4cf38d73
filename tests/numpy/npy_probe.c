/* npy_probe.c - the .npy header code seen from outside, for npy_headers.py:
 *   npy_probe read FILE                       print the parsed header
 *   npy_probe write FILE DTYPE FORTRAN DIMS.. write a header and zero data
 * Exit status 0, or 1 with the parser's message on stderr. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return perror(path), 1;
    static unsigned char buf[1 << 21];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    pscan_npy_header h;
    char message[160];
    pscan_npy_status status = pscan_npy_parse(buf, len, &h, message, sizeof message);
    if (status != PSCAN_NPY_OK)
        return fprintf(stderr, "%s: %s\n", path, message), 1;
    printf("version=%d.%d dtype=%s big_endian=%d fortran=%d offset=%zu shape=", h.major, h.minor,
           pscan_dtype_name(h.dtype), h.big_endian, h.fortran_order, h.data_offset);
    for (int d = 0; d < h.ndim; d++)
        printf(d ? ",%lld" : "%lld", (long long)h.shape[d]);
    printf("\n");
    return 0;
}

static int write_file(const char *path, const char *dtype_name, int fortran, int ndim, char **dims)
{
    pscan_npy_header h = {0};
    for (int t = PSCAN_BOOL; t < PSCAN_DTYPE_COUNT; t++)
        if (strcmp(pscan_dtype_name((pscan_dtype)t), dtype_name) == 0)
            h.dtype = (pscan_dtype)t;
    h.fortran_order = fortran;
    h.ndim = ndim;
    for (int d = 0; d < ndim; d++)
        h.shape[d] = atoll(dims[d]);
    unsigned char header[4096];
    size_t len = pscan_npy_write(&h, header, sizeof header);
    uint64_t bytes;
    if (!len || pscan_npy_data_bytes(&h, &bytes) != PSCAN_NPY_OK)
        return fprintf(stderr, "cannot write that header\n"), 1;
    FILE *f = fopen(path, "wb");
    if (!f)
        return perror(path), 1;
    fwrite(header, 1, len, f);
    for (uint64_t k = 0; k < bytes; k++)
        fputc(0, f);
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return read_file(argv[2]);
    if (argc >= 5 && strcmp(argv[1], "write") == 0)
        return write_file(argv[2], argv[3], atoi(argv[4]), argc - 5, argv + 5);
    fprintf(stderr, "usage: npy_probe read FILE | write FILE DTYPE FORTRAN DIMS...\n");
    return 2;
}
