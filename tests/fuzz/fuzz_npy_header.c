/* fuzz_npy_header.c - libFuzzer target for the .npy header parser: any
 * bytes must give a status (never a crash, overrun or undefined behaviour),
 * and an accepted header must describe a size that does not overflow and a
 * data offset inside the bytes given. Built with clang -fsanitize=fuzzer
 * (scripts/run-tests.sh runs it for a bounded time). */
#include "npy.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t len);

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t len)
{
    pscan_npy_header header;
    char message[256];
    if (pscan_npy_parse(bytes, len, &header, message, sizeof message) != PSCAN_NPY_OK)
        return 0;
    uint64_t data_bytes;
    if (header.data_offset > len || header.ndim < 0 || header.ndim > PSCAN_MAX_DIMS)
        abort();
    for (int d = 0; d < header.ndim; d++)
        if (header.shape[d] < 0)
            abort();
    if (pscan_npy_data_bytes(&header, &data_bytes) == PSCAN_NPY_OK) {
        /* what is written back must parse to the same thing */
        unsigned char rewritten[8192];
        size_t n = pscan_npy_write(&header, rewritten, sizeof rewritten);
        pscan_npy_header again;
        if (n == 0 || pscan_npy_parse(rewritten, n, &again, NULL, 0) != PSCAN_NPY_OK ||
            again.ndim != header.ndim || again.dtype != header.dtype ||
            again.fortran_order != header.fortran_order)
            abort();
        for (int d = 0; d < header.ndim; d++)
            if (again.shape[d] != header.shape[d])
                abort();
    }
    return 0;
}
