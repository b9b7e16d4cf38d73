/*
 * main.c - a program outside the pscan tree, built against the installed
 * package (CMake's find_package(pscan) or pkg-config). It checks exact
 * answers and exits 1 on any error or wrong value.
 */
#include <inttypes.h>
#include <pscan.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 100000 }; /* several 4096-element tiles */

static int32_t values[N];
static int64_t sums[N];

int main(void)
{
    /* int32 input: numpy's default accumulator (and our out) is int64. */
    for (int32_t i = 0; i < N; i++)
        values[i] = i + 1;
    const int64_t shape[1] = {N};
    pscan_array in = {.data = values, .dtype = PSCAN_INT32, .ndim = 1, .shape = shape};
    pscan_array out = {.data = sums, .dtype = PSCAN_INT64, .ndim = 1, .shape = shape};

    pscan_status status = pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL);
    if (status != PSCAN_OK) {
        fprintf(stderr, "consumer: pscan_cumsum: %s\n", pscan_strerror(status));
        return 1;
    }
    for (int64_t i = 0; i < N; i++) {
        int64_t expected = (i + 1) * (i + 2) / 2;
        if (sums[i] != expected) {
            fprintf(stderr, "consumer: sums[%" PRId64 "] = %" PRId64 ", expected %" PRId64 "\n", i,
                    sums[i], expected);
            return 1;
        }
    }
    printf("consumer: pscan %s, cumsum of 1..%d ends at %" PRId64 ": ok\n", pscan_version(), N,
           sums[N - 1]);
    return 0;
}
