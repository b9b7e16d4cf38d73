/* bench.c - pscan against its physical limit and simple peers, in one run.
 *
 * For each case the contenders run interleaved (A B C A B C ...) so that a
 * noisy neighbour slows them alike; each reports its median over the
 * repetitions, and the table prints Gelem/s and the ratio to memcpy at the
 * same thread count. Results also go to a CSV file for plotting.
 *
 *   pscan_bench [--reps N] [--max-log2 K] [--threads T] [--csv FILE]
 */
#include <pscan.h>

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_CONTENDERS = 8, MAX_REPS = 64 };

typedef struct bench_case {
    const char *name;
    pscan_dtype dtype;
    int ndim;
    int64_t shape[2];
    int axis;
    int in_place;
} bench_case;

typedef struct contender {
    const char *name;
    void (*run)(const bench_case *c, void *in, void *out, int threads);
} contender;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t case_size(const bench_case *c)
{
    int64_t size = 1;
    for (int d = 0; d < c->ndim; d++)
        size *= c->shape[d];
    return size;
}

static void run_memcpy(const bench_case *c, void *in, void *out, int threads)
{
    size_t bytes = (size_t)case_size(c) * pscan_dtype_size(c->dtype);
    /* Like pscan, do not wake threads for copies that take microseconds. */
    if (bytes < ((size_t)1 << 20))
        threads = 1;
#pragma omp parallel num_threads(threads)
    {
        size_t team = (size_t)omp_get_num_threads(), me = (size_t)omp_get_thread_num();
        size_t lo = bytes / team * me, hi = me + 1 == team ? bytes : bytes / team * (me + 1);
        memcpy((char *)out + lo, (char *)in + lo, hi - lo);
    }
}

/* The plain loop a user would write: one lane, left to right. */
static void run_sequential(const bench_case *c, void *in, void *out, int threads)
{
    (void)threads;
    int64_t n = case_size(c);
    if (c->ndim == 2 && c->axis == 0) { /* row-wise, the cache-friendly loop */
        int64_t rows = c->shape[0], cols = c->shape[1];
        int64_t *src = in, *dst = out;
        memcpy(dst, src, (size_t)cols * sizeof *dst);
        for (int64_t r = 1; r < rows; r++)
            for (int64_t k = 0; k < cols; k++)
                dst[r * cols + k] = dst[(r - 1) * cols + k] + src[r * cols + k];
        return;
    }
    int64_t lane = c->ndim == 2 ? c->shape[1] : n;
    switch (c->dtype) {
#define SEQ_LOOP(ctype)                                                        \
    {                                                                          \
        const ctype *src = in;                                                 \
        ctype *dst = out;                                                      \
        for (int64_t start = 0; start < n; start += lane) {                    \
            ctype running = 0;                                                 \
            for (int64_t i = start; i < start + lane; i++)                     \
                dst[i] = running += src[i];                                    \
        }                                                                      \
        return;                                                                \
    }
    case PSCAN_INT32:
        SEQ_LOOP(int32_t)
    case PSCAN_INT64:
        SEQ_LOOP(int64_t)
    case PSCAN_FLOAT32:
        SEQ_LOOP(float)
    case PSCAN_FLOAT64:
        SEQ_LOOP(double)
    default:
        return;
    }
}

static void run_pscan(const bench_case *c, void *in, void *out, int threads)
{
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    pscan_array a = {in, c->dtype, c->ndim, c->shape, NULL};
    pscan_array b = {c->in_place ? in : out, c->dtype, c->ndim, c->shape, NULL};
    pscan_status s = pscan_cumsum(&a, c->axis, c->dtype, &b, &opts);
    if (s != PSCAN_OK) {
        fprintf(stderr, "pscan_cumsum: %s\n", pscan_strerror(s));
        exit(1);
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill(const bench_case *c, void *data)
{
    int64_t n = case_size(c);
    for (int64_t i = 0; i < n; i++) {
        switch (c->dtype) {
        case PSCAN_INT32: ((int32_t *)data)[i] = (int32_t)(i % 7) - 3; break;
        case PSCAN_INT64: ((int64_t *)data)[i] = i % 7 - 3; break;
        case PSCAN_FLOAT32: ((float *)data)[i] = (float)(i % 7) * 0.25f; break;
        case PSCAN_FLOAT64: ((double *)data)[i] = (double)(i % 7) * 0.25; break;
        default: break;
        }
    }
}

int main(int argc, char **argv)
{
    int reps = 7, max_log2 = 27, threads = omp_get_max_threads();
    const char *csv_path = "pscan_bench.csv";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--max-log2")) max_log2 = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--csv")) csv_path = argv[i + 1];
    }
    if (reps < 1 || reps > MAX_REPS) reps = 7;

    const contender contenders[] = {
        {"memcpy", run_memcpy}, {"sequential", run_sequential}, {"pscan", run_pscan}};
    const int n_contenders = (int)(sizeof contenders / sizeof contenders[0]);

    bench_case cases[32];
    int n_cases = 0;
    const pscan_dtype types[] = {PSCAN_INT32, PSCAN_INT64, PSCAN_FLOAT32, PSCAN_FLOAT64};
    cases[n_cases++] = (bench_case){"1d n=1000", PSCAN_INT64, 1, {1000, 0}, 0, 0};
    for (int t = 0; t < 4; t++) {
        cases[n_cases++] = (bench_case){"1d L1 (2^12)", types[t], 1, {1 << 12, 0}, 0, 0};
        cases[n_cases++] = (bench_case){"1d 2^20", types[t], 1, {1 << 20, 0}, 0, 0};
        cases[n_cases++] = (bench_case){"1d large", types[t], 1, {(int64_t)1 << max_log2, 0}, 0, 0};
    }
    cases[n_cases++] = (bench_case){"1d large in-place", PSCAN_INT64, 1, {(int64_t)1 << max_log2, 0}, 0, 1};
    cases[n_cases++] = (bench_case){"(131072,1024) axis 0", PSCAN_INT64, 2, {131072, 1024}, 0, 0};
    cases[n_cases++] = (bench_case){"(131072,1024) axis 1", PSCAN_INT64, 2, {131072, 1024}, 1, 0};
    cases[n_cases++] = (bench_case){"(1M,8) axis -1", PSCAN_FLOAT32, 2, {1 << 20, 8}, 1, 0};

    FILE *csv = fopen(csv_path, "w");
    if (csv)
        fprintf(csv, "case,dtype,elements,threads,contender,gelem_per_s,ratio_to_memcpy\n");
    printf("threads=%d reps=%d (medians; ratio = time(memcpy) / time(contender))\n", threads, reps);
    printf("%-24s %-8s %12s", "case", "dtype", "elements");
    for (int k = 0; k < n_contenders; k++)
        printf(" %11s", contenders[k].name);
    printf("   pscan/memcpy pscan/seq\n");

    for (int ci = 0; ci < n_cases; ci++) {
        const bench_case *c = &cases[ci];
        int64_t n = case_size(c);
        size_t bytes = (size_t)n * pscan_dtype_size(c->dtype);
        void *in = aligned_alloc(64, (bytes + 63) / 64 * 64), *out = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!in || !out) {
            fprintf(stderr, "out of memory for %s\n", c->name);
            return 1;
        }
        fill(c, in);
        memset(out, 0, bytes);
        /* Small cases repeat inside one timing so the clock resolves them. */
        int inner = n < (1 << 20) ? (int)((1 << 22) / n) : 1;
        double times[MAX_CONTENDERS][MAX_REPS];
        for (int r = 0; r < reps; r++) {
            for (int k = 0; k < n_contenders; k++) {
                if (c->in_place)
                    fill(c, in);
                double t0 = seconds_now();
                for (int i = 0; i < inner; i++)
                    contenders[k].run(c, in, out, threads);
                times[k][r] = (seconds_now() - t0) / inner;
            }
        }
        double median[MAX_CONTENDERS];
        for (int k = 0; k < n_contenders; k++) {
            qsort(times[k], (size_t)reps, sizeof(double), compare_doubles);
            median[k] = times[k][reps / 2];
        }
        printf("%-24s %-8s %12lld", c->name, pscan_dtype_name(c->dtype), (long long)n);
        for (int k = 0; k < n_contenders; k++) {
            printf(" %11.3f", (double)n / median[k] / 1e9);
            if (csv)
                fprintf(csv, "\"%s\",%s,%lld,%d,%s,%.4f,%.4f\n", c->name, pscan_dtype_name(c->dtype),
                        (long long)n, threads, contenders[k].name, (double)n / median[k] / 1e9,
                        median[0] / median[k]);
        }
        printf("   %12.2f %9.2f\n", median[0] / median[2], median[1] / median[2]);
        fflush(stdout);
        free(in);
        free(out);
    }
    if (csv)
        fclose(csv);
    return 0;
}
