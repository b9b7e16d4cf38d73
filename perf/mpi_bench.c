/* mpi_bench.c - the distributed scan on a global 1-D array split evenly
 * over the ranks. Prints one line per repetition, "case ranks threads n
 * seconds", the slowest rank's wall time; the first repetition of each
 * case warms up and is not printed. The run-mpi-*.sh scripts in perf/ run
 * it with different rank counts, interleaved, and print medians and ratios.
 *   mpirun -np R pscan_mpi_bench [--mode M] [--log2 N] [--reps K] [--threads T]
 * --mode inclusive (the default): pscan_mpi_cumsum of int64 and of
 *   float64, cases "int64" and "float64".
 * --mode offsets: int32 counts (global index % 7) to int64 offsets, the
 *   exclusive sum over the global array, two ways alternated repetition by
 *   repetition: case "offsets-pscan", pscan_mpi_scan with
 *   PSCAN_FLAG_EXCLUSIVE, and case "offsets-hand", the way it is written
 *   without pscan (a local total, MPI_Exscan, a sequential loop). The
 *   warm-up results of the two must be equal on every rank, or it aborts. */
#include <pscan_mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every rank's seconds for one call, reduced to the slowest rank's: the
 * barrier starts the ranks together so the maximum is the call's span. */
static double slowest_seconds(double seconds)
{
    double slowest;
    MPI_Allreduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return slowest;
}

static void check_status(pscan_status s, const char *what)
{
    if (s == PSCAN_OK)
        return;
    fprintf(stderr, "pscan_mpi_bench: %s: %s\n", what, pscan_strerror(s));
    MPI_Abort(MPI_COMM_WORLD, 2);
}

static void bench_inclusive(int rank, int ranks, int64_t n, int reps, int threads)
{
    const int64_t local = n / ranks + (rank < n % ranks);
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
            const double slowest = slowest_seconds(MPI_Wtime() - t);
            check_status(s, "pscan_mpi_cumsum");
            if (rank == 0 && r > 0)
                printf("%s %d %d %lld %.6f\n", pscan_dtype_name(dtypes[d]), ranks, threads,
                       (long long)n, slowest);
        }
    }
    free(in);
    free(out);
}

/* The offsets as a program without pscan computes them: the rank's total,
 * the totals of the ranks before it, then the exclusive scan in one pass. */
static void offsets_by_hand(const int32_t *counts, int64_t local, int64_t *offsets, int rank)
{
    int64_t total = 0, running = 0;
    for (int64_t i = 0; i < local; i++)
        total += counts[i];
    MPI_Exscan(&total, &running, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) /* MPI_Exscan leaves rank 0's result undefined */
        running = 0;
    for (int64_t i = 0; i < local; i++) {
        offsets[i] = running;
        running += counts[i];
    }
}

static void bench_offsets(int rank, int ranks, int64_t n, int reps, int threads)
{
    const int64_t local = n / ranks + (rank < n % ranks);
    const int64_t first = rank * (n / ranks) + (rank < n % ranks ? rank : n % ranks);
    int32_t *counts = malloc((size_t)local * sizeof *counts);
    int64_t *by_pscan = malloc((size_t)local * sizeof *by_pscan);
    int64_t *by_hand = malloc((size_t)local * sizeof *by_hand);
    if (!counts || !by_pscan || !by_hand)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int64_t i = 0; i < local; i++)
        counts[i] = (int32_t)((first + i) % 7);
    /* Fault the pages in, with different bytes so that the check below
     * sees both outputs written in full. */
    memset(by_pscan, 0xa5, (size_t)local * sizeof *by_pscan);
    memset(by_hand, 0x5a, (size_t)local * sizeof *by_hand);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    opts.flags = PSCAN_FLAG_EXCLUSIVE;
    const pscan_array a_in = {counts, PSCAN_INT32, 1, &local, NULL},
                      a_out = {by_pscan, PSCAN_INT64, 1, &local, NULL};
    for (int r = 0; r <= reps; r++) {
        /* Alternate which runs first, so neither always finds the caches
         * the other left. */
        for (int k = 0; k < 2; k++) {
            const int hand = (k + r) % 2;
            MPI_Barrier(MPI_COMM_WORLD);
            double t = MPI_Wtime();
            pscan_status s = PSCAN_OK;
            if (hand)
                offsets_by_hand(counts, local, by_hand, rank);
            else
                s = pscan_mpi_scan(MPI_COMM_WORLD, PSCAN_SUM, &a_in, 0, PSCAN_INT64, &a_out, &opts);
            const double slowest = slowest_seconds(MPI_Wtime() - t);
            check_status(s, "pscan_mpi_scan (PSCAN_FLAG_EXCLUSIVE)");
            if (rank == 0 && r > 0)
                printf("offsets-%s %d %d %lld %.6f\n", hand ? "hand" : "pscan", ranks, threads,
                       (long long)n, slowest);
        }
        if (r > 0)
            continue;
        int64_t bad = -1;
        for (int64_t i = 0; i < local && bad < 0; i++)
            if (by_pscan[i] != by_hand[i])
                bad = i;
        if (bad >= 0)
            fprintf(stderr,
                    "pscan_mpi_bench: rank %d: offsets differ at local index %lld: pscan %lld, "
                    "by hand %lld\n",
                    rank, (long long)bad, (long long)by_pscan[bad], (long long)by_hand[bad]);
        int any_bad = bad >= 0, ranks_bad;
        MPI_Allreduce(&any_bad, &ranks_bad, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        if (ranks_bad) {
            if (rank == 0)
                fprintf(stderr, "pscan_mpi_bench: offsets differ on %d of %d ranks\n", ranks_bad,
                        ranks);
            MPI_Abort(MPI_COMM_WORLD, 3);
        }
    }
    free(counts);
    free(by_pscan);
    free(by_hand);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, ranks, log2n = 26, reps = 5, threads = 0;
    const char *mode = "inclusive";
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--log2"))
            log2n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--mode"))
            mode = argv[i + 1];
    }
    const int64_t n = (int64_t)1 << log2n;
    if (!strcmp(mode, "inclusive"))
        bench_inclusive(rank, ranks, n, reps, threads);
    else if (!strcmp(mode, "offsets"))
        bench_offsets(rank, ranks, n, reps, threads);
    else {
        if (rank == 0)
            fprintf(stderr, "pscan_mpi_bench: --mode is inclusive or offsets, not %s\n", mode);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Finalize();
    return 0;
}
