/* mpi_bench.c - pscan_mpi_cumsum on a global 1-D array split evenly over
 * the ranks: prints one line per repetition, "dtype ranks threads n
 * seconds", the slowest rank's time (perf/run-mpi-bench.sh runs it with
 * different rank counts, interleaved, and prints medians and ratios).
 *   mpirun -np R pscan_mpi_bench [--log2 N] [--reps K] [--threads T] */
#include <pscan_mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, ranks, log2n = 26, reps = 5, threads = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--log2"))
            log2n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    }
    const int64_t n = (int64_t)1 << log2n, local = n / ranks + (rank < n % ranks);
    const pscan_dtype dtypes[2] = {PSCAN_INT64, PSCAN_FLOAT64};
    void *in = malloc((size_t)local * 8), *out = malloc((size_t)local * 8);
    if (!in || !out)
        MPI_Abort(MPI_COMM_WORLD, 1);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    for (int d = 0; d < 2; d++) {
        for (int64_t i = 0; i < local; i++) {
            if (dtypes[d] == PSCAN_INT64)
                ((int64_t *)in)[i] = i % 1000;
            else
                ((double *)in)[i] = (double)(i % 1000) * 0.5;
        }
        memset(out, 0, (size_t)local * 8); /* fault the pages in */
        const pscan_array a_in = {in, dtypes[d], 1, &local, NULL},
                          a_out = {out, dtypes[d], 1, &local, NULL};
        for (int r = 0; r <= reps; r++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t = MPI_Wtime();
            pscan_status s =
                pscan_mpi_cumsum(MPI_COMM_WORLD, &a_in, PSCAN_AXIS_NONE, dtypes[d], &a_out, &opts);
            t = MPI_Wtime() - t;
            double slowest;
            MPI_Reduce(&t, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
            if (s != PSCAN_OK)
                MPI_Abort(MPI_COMM_WORLD, 2);
            if (rank == 0 && r > 0) /* the first one warms up */
                printf("%s %d %d %lld %.6f\n", pscan_dtype_name(dtypes[d]), ranks, threads,
                       (long long)n, slowest);
        }
    }
    free(in);
    free(out);
    MPI_Finalize();
    return 0;
}
