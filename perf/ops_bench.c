/* ops_bench.c - the new operators against plain sequential C loops, in one
 * run: repetitions interleaved, medians, ratios time(loop) / time(pscan)
 * (above 1: pscan is faster).
 *   pscan_ops_bench [--log2 N] [--reps K] [--threads T]
 * Rows: logcumsumexp of float64 (pscan REPRODUCIBLE and SEQUENTIAL) against
 * a loop of the stable step max + log1p(exp(-|a - b|)); cumxor and cumand
 * of int64 against a loop of ^ and &. */
#define _POSIX_C_SOURCE 200809L

#include <pscan.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_REPS = 31, CONTENDERS = 7 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int reps)
{
    qsort(t, (size_t)reps, sizeof *t, by_value);
    return t[reps / 2];
}

/* The loop a C programmer writes: the stable form, no special cases. */
static void loop_logcumsumexp(const double *x, double *y, int64_t n)
{
    double run = x[0];
    y[0] = run;
    for (int64_t i = 1; i < n; i++) {
        const double a = run, b = x[i];
        const double hi = a > b ? a : b;
        run = hi + log1p(exp(-fabs(a - b)));
        y[i] = run;
    }
}

static void loop_bits(const int64_t *x, int64_t *y, int64_t n, int and_op)
{
    int64_t run = x[0];
    y[0] = run;
    for (int64_t i = 1; i < n; i++) {
        run = and_op ? run & x[i] : run ^ x[i];
        y[i] = run;
    }
}

static double time_pscan(pscan_op op, pscan_dtype t, void *in, void *out, int64_t n, int threads,
                         pscan_order order)
{
    pscan_array a = {in, t, 1, &n, NULL}, b = {out, t, 1, &n, NULL};
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.order = order;
    const double t0 = now();
    const pscan_status s = pscan_scan(op, &a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
    const double t1 = now();
    if (s != PSCAN_OK) {
        fprintf(stderr, "pscan_scan: %s\n", pscan_strerror(s));
        exit(1);
    }
    return t1 - t0;
}

int main(int argc, char **argv)
{
    int log2n = 26, reps = 5, threads = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--log2"))
            log2n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]) < MAX_REPS ? atoi(argv[i + 1]) : MAX_REPS;
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    }
    if (reps < 1)
        reps = 1;
    const int64_t n = (int64_t)1 << log2n;
    double *x = malloc((size_t)n * 8), *y = malloc((size_t)n * 8);
    int64_t *xi = malloc((size_t)n * 8), *yi = malloc((size_t)n * 8);
    if (!x || !y || !xi || !yi)
        return 1;
    uint64_t state = 12345;
    for (int64_t i = 0; i < n; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        x[i] = (double)(state >> 11) * 0x1p-53 * 20.0 - 10.0;
        xi[i] = (int64_t)(state | state << 17);
    }
    static const char *const names[CONTENDERS] = {"loop logcumsumexp",
                                                  "pscan logcumsumexp (reproducible)",
                                                  "pscan logcumsumexp (sequential)",
                                                  "loop cumxor",
                                                  "pscan cumxor",
                                                  "loop cumand",
                                                  "pscan cumand"};
    double times[CONTENDERS][MAX_REPS];
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        loop_logcumsumexp(x, y, n);
        times[0][r] = now() - t0;
        times[1][r] =
            time_pscan(PSCAN_LOGADDEXP, PSCAN_FLOAT64, x, y, n, threads, PSCAN_ORDER_REPRODUCIBLE);
        times[2][r] =
            time_pscan(PSCAN_LOGADDEXP, PSCAN_FLOAT64, x, y, n, threads, PSCAN_ORDER_SEQUENTIAL);
        t0 = now();
        loop_bits(xi, yi, n, 0);
        times[3][r] = now() - t0;
        times[4][r] =
            time_pscan(PSCAN_BIT_XOR, PSCAN_INT64, xi, yi, n, threads, PSCAN_ORDER_REPRODUCIBLE);
        t0 = now();
        loop_bits(xi, yi, n, 1);
        times[5][r] = now() - t0;
        times[6][r] =
            time_pscan(PSCAN_BIT_AND, PSCAN_INT64, xi, yi, n, threads, PSCAN_ORDER_REPRODUCIBLE);
    }
    double med[CONTENDERS];
    for (int c = 0; c < CONTENDERS; c++)
        med[c] = median(times[c], reps);
    printf("n = 2^%d, %d threads for pscan, %d interleaved repetitions, medians (isa %s)\n", log2n,
           threads, reps, pscan_isa_name());
    for (int c = 0; c < CONTENDERS; c++)
        printf("%-36s %9.4f s %8.1f Melem/s\n", names[c], med[c], (double)n / med[c] * 1e-6);
    printf("ratio loop / pscan logcumsumexp reproducible: %.2fx\n", med[0] / med[1]);
    printf("ratio loop / pscan logcumsumexp sequential:   %.2fx\n", med[0] / med[2]);
    printf("ratio loop / pscan cumxor:                    %.2fx\n", med[3] / med[4]);
    printf("ratio loop / pscan cumand:                    %.2fx\n", med[5] / med[6]);
    free(x);
    free(y);
    free(xi);
    free(yi);
    return 0;
}
