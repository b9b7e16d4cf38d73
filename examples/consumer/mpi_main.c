/*
 * mpi_main.c - a program outside the pscan tree that calls only the
 * distributed API (libpscan_mpi), built against the installed package.
 * Linked with --as-needed it names libpscan_mpi.so alone: libpscan.so is
 * found through libpscan_mpi's own RUNPATH ($ORIGIN), without
 * LD_LIBRARY_PATH. Each rank holds N values of the global 1..N*ranks and
 * checks its part of their cumsum; exit 1 on any error or wrong value.
 */
#include <inttypes.h>
#include <pscan_mpi.h>
#include <stdio.h>

enum { N = 10000 };

static int64_t values[N], sums[N];

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);

    const int64_t first = (int64_t)rank * N + 1; /* this rank's first global value */
    for (int64_t i = 0; i < N; i++)
        values[i] = first + i;
    const int64_t shape[1] = {N};
    pscan_array in = {.data = values, .dtype = PSCAN_INT64, .ndim = 1, .shape = shape};
    pscan_array out = {.data = sums, .dtype = PSCAN_INT64, .ndim = 1, .shape = shape};

    /* Only pscan_mpi symbols: a status is printed as its number. */
    int failed = 0;
    pscan_status status = pscan_mpi_cumsum(MPI_COMM_WORLD, &in, 0, PSCAN_DTYPE_DEFAULT, &out, NULL);
    if (status != PSCAN_OK) {
        fprintf(stderr, "consumer_mpi: rank %d: pscan_mpi_cumsum returned status %d\n", rank,
                (int)status);
        failed = 1;
    }
    for (int64_t i = 0; i < N && !failed; i++) {
        const int64_t k = first + i; /* the sum of 1..k */
        if (sums[i] != k * (k + 1) / 2) {
            fprintf(stderr,
                    "consumer_mpi: rank %d: sums[%" PRId64 "] = %" PRId64 ", expected %" PRId64
                    "\n",
                    rank, i, sums[i], k * (k + 1) / 2);
            failed = 1;
        }
    }
    int any_failed = 0;
    MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0 && !any_failed)
        printf("consumer_mpi: %d ranks, cumsum of 1..%d ends at %" PRId64 ": ok\n", ranks,
               N * ranks, (int64_t)N * ranks * ((int64_t)N * ranks + 1) / 2);
    MPI_Finalize();
    return any_failed;
}
