/* bench.c - pscan against its physical limit and its peers, in one run.
 *
 * Contenders, per case and thread count:
 *   memcpy      the same bytes copied by the same threads: the limit
 *   sequential  the plain loop a user would write (one thread)
 *   omp_inscan  OpenMP 5 `omp for reduction(inscan, +)` (1-D cases)
 *   tbb         oneTBB parallel_scan (1-D cases; built when libtbb-dev is)
 *   numpy       np.cumsum, timed by a Python coprocess (perf/numpy_worker.py)
 *   pscan       pscan_cumsum
 * Each repetition runs every contender once, in turn (A B C A B C ...), so
 * a noisy neighbour slows them alike; each reports its median. The table
 * shows Gelem/s and pscan's speed relative to each contender (time of the
 * contender / time of pscan: above 1 means pscan is faster); the CSV has one
 * row per (case, threads, contender) for perf/plot.py.
 *
 *   pscan_bench [--reps N] [--max-log2 K] [--threads 1,2,...] [--csv FILE]
 *               [--python PATH | --no-numpy] [--only SUBSTRING] [--dtypes a,b,...]
 */
#define _POSIX_C_SOURCE 200809L

#include <pscan.h>

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef PSCAN_BENCH_TBB
#include "tbb_scan.h"
#endif

enum { MAX_REPS = 64, MAX_CASES = 64, MAX_THREAD_COUNTS = 16 };

typedef struct bench_case {
    char name[48];
    pscan_dtype dtype;
    int ndim;
    int64_t shape[2];
    int axis;
    int in_place;
} bench_case;

typedef struct contender {
    const char *name;
    /* Returns 0 if it does not handle this case. */
    int (*applies)(const bench_case *c);
    /* Runs once; returns seconds (the numpy worker measures its own). */
    double (*run)(const bench_case *c, void *in, void *out, int threads);
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

static int always(const bench_case *c)
{
    (void)c;
    return 1;
}

static int one_dimensional(const bench_case *c)
{
    return c->ndim == 1;
}

/* ---- memcpy: the same bytes, the same threads ---- */

static double run_memcpy(const bench_case *c, void *in, void *out, int threads)
{
    size_t bytes = (size_t)case_size(c) * pscan_dtype_size(c->dtype);
    /* Like pscan, do not wake threads for copies that take microseconds. */
    if (bytes < ((size_t)1 << 20))
        threads = 1;
    double t0 = seconds_now();
    if (threads == 1) {
        memcpy(out, in, bytes);
    } else {
#pragma omp parallel num_threads(threads)
        {
            size_t team = (size_t)omp_get_num_threads(), me = (size_t)omp_get_thread_num();
            size_t lo = bytes / team * me, hi = me + 1 == team ? bytes : bytes / team * (me + 1);
            memcpy((char *)out + lo, (char *)in + lo, hi - lo);
        }
    }
    return seconds_now() - t0;
}

/* ---- the plain loop ---- */

#define SEQ_LOOP(ctype)                                                              \
    {                                                                                \
        const ctype *src = in;                                                       \
        ctype *dst = c->in_place ? (ctype *)in : (ctype *)out;                       \
        if (c->ndim == 2 && c->axis == 0) { /* row-wise: the cache-friendly loop */  \
            int64_t rows = c->shape[0], cols = c->shape[1];                          \
            memmove(dst, src, (size_t)cols * sizeof *dst);                           \
            for (int64_t r = 1; r < rows; r++)                                       \
                for (int64_t k = 0; k < cols; k++)                                   \
                    dst[r * cols + k] = dst[(r - 1) * cols + k] + src[r * cols + k]; \
            break;                                                                   \
        }                                                                            \
        for (int64_t start = 0; start < n; start += lane) {                          \
            ctype running = 0;                                                       \
            for (int64_t i = start; i < start + lane; i++)                           \
                dst[i] = running += src[i];                                          \
        }                                                                            \
        break;                                                                       \
    }

/* LOOP(ctype) for the benchmark's element types. */
#define FOR_CASE_DTYPE(dtype, LOOP) \
    switch (dtype) {                \
    case PSCAN_INT32:               \
        LOOP(int32_t)               \
    case PSCAN_INT64:               \
        LOOP(int64_t)               \
    case PSCAN_FLOAT32:             \
        LOOP(float)                 \
    case PSCAN_FLOAT64:             \
        LOOP(double)                \
    default:                        \
        break;                      \
    }

static double run_sequential(const bench_case *c, void *in, void *out, int threads)
{
    (void)threads;
    const int64_t n = case_size(c), lane = c->ndim == 2 ? c->shape[1] : n;
    double t0 = seconds_now();
    FOR_CASE_DTYPE(c->dtype, SEQ_LOOP)
    return seconds_now() - t0;
}

/* ---- OpenMP 5 inscan ---- */

#define INSCAN_LOOP(ctype)                                                                    \
    {                                                                                         \
        const ctype *src = in;                                                                \
        ctype *dst = c->in_place ? (ctype *)in : (ctype *)out;                                \
        ctype running = 0;                                                                    \
        _Pragma("omp parallel for reduction(inscan, + : running) num_threads(threads)") for ( \
            int64_t i = 0; i < n; i++)                                                        \
        {                                                                                     \
            running += src[i];                                                                \
            _Pragma("omp scan inclusive(running)") dst[i] = running;                          \
        }                                                                                     \
        break;                                                                                \
    }

static double run_inscan(const bench_case *c, void *in, void *out, int threads)
{
    const int64_t n = case_size(c);
    double t0 = seconds_now();
    FOR_CASE_DTYPE(c->dtype, INSCAN_LOOP)
    return seconds_now() - t0;
}

/* ---- oneTBB ---- */

#ifdef PSCAN_BENCH_TBB
static double run_tbb(const bench_case *c, void *in, void *out, int threads)
{
    double t0 = seconds_now();
    perf_tbb_cumsum((int)c->dtype, in, c->in_place ? in : out, case_size(c), threads);
    return seconds_now() - t0;
}
#endif

/* ---- pscan ---- */

static double run_pscan(const bench_case *c, void *in, void *out, int threads)
{
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    pscan_array a = {in, c->dtype, c->ndim, c->shape, NULL};
    pscan_array b = {c->in_place ? in : out, c->dtype, c->ndim, c->shape, NULL};
    double t0 = seconds_now();
    pscan_status s = pscan_cumsum(&a, c->axis, c->dtype, &b, &opts);
    double elapsed = seconds_now() - t0;
    if (s != PSCAN_OK) {
        fprintf(stderr, "pscan_cumsum: %s\n", pscan_strerror(s));
        exit(1);
    }
    return elapsed;
}

/* ---- numpy, through a coprocess speaking one line per request ---- */

static FILE *numpy_to, *numpy_from;
static pid_t numpy_pid = -1;

static int numpy_start(const char *python, const char *script)
{
    int down[2], up[2];
    if (pipe(down) != 0 || pipe(up) != 0)
        return 0;
    numpy_pid = fork();
    if (numpy_pid < 0)
        return 0;
    if (numpy_pid == 0) {
        dup2(down[0], 0);
        dup2(up[1], 1);
        close(down[1]);
        close(up[0]);
        execl(python, python, script, (char *)NULL);
        _exit(127);
    }
    close(down[0]);
    close(up[1]);
    numpy_to = fdopen(down[1], "w");
    numpy_from = fdopen(up[0], "r");
    char line[64];
    fprintf(numpy_to, "hello\n");
    fflush(numpy_to);
    if (!fgets(line, sizeof line, numpy_from) || strncmp(line, "ok", 2) != 0) {
        fprintf(stderr, "numpy worker did not start (%s %s); numpy column skipped\n", python,
                script);
        numpy_pid = -1;
        return 0;
    }
    return 1;
}

static int numpy_applies(const bench_case *c)
{
    return numpy_pid > 0 && c != NULL;
}

/* Tell the worker which case comes next (it builds its own arrays). */
static void numpy_prepare(const bench_case *c)
{
    if (numpy_pid <= 0)
        return;
    char line[64];
    fprintf(numpy_to, "case %s %d %lld %lld %d %d\n", pscan_dtype_name(c->dtype), c->ndim,
            (long long)c->shape[0], (long long)c->shape[1], c->axis, c->in_place);
    fflush(numpy_to);
    if (!fgets(line, sizeof line, numpy_from)) {
        fprintf(stderr, "numpy worker stopped\n");
        exit(1);
    }
}

static double run_numpy(const bench_case *c, void *in, void *out, int threads)
{
    (void)c, (void)in, (void)out, (void)threads;
    char line[64];
    fprintf(numpy_to, "run\n");
    fflush(numpy_to);
    if (!fgets(line, sizeof line, numpy_from)) {
        fprintf(stderr, "numpy worker stopped\n");
        exit(1);
    }
    return strtod(line, NULL);
}

static void numpy_stop(void)
{
    if (numpy_pid <= 0)
        return;
    fprintf(numpy_to, "quit\n");
    fclose(numpy_to);
    fclose(numpy_from);
    waitpid(numpy_pid, NULL, 0);
}

/* ---- cases ---- */

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
        case PSCAN_INT32:
            ((int32_t *)data)[i] = (int32_t)(i % 7) - 3;
            break;
        case PSCAN_INT64:
            ((int64_t *)data)[i] = i % 7 - 3;
            break;
        case PSCAN_FLOAT32:
            ((float *)data)[i] = (float)(i % 7) * 0.25f;
            break;
        case PSCAN_FLOAT64:
            ((double *)data)[i] = (double)(i % 7) * 0.25;
            break;
        default:
            break;
        }
    }
}

static int add_case(bench_case *cases, int count, const char *name, pscan_dtype dtype, int ndim,
                    int64_t rows, int64_t cols, int axis, int in_place)
{
    if (count >= MAX_CASES)
        return count;
    bench_case *c = &cases[count];
    snprintf(c->name, sizeof c->name, "%s%s", name, in_place ? " in-place" : "");
    c->dtype = dtype;
    c->ndim = ndim;
    c->shape[0] = rows;
    c->shape[1] = cols;
    c->axis = axis;
    c->in_place = in_place;
    return count + 1;
}

/* 1-D sizes from L1 (2^12) to 2^max_log2 in steps of 16x, in-place too
 * from 2^20; then an L1 lane of 2^11, the 2-D shapes and n = 1000. */
static int build_cases(bench_case *cases, int max_log2)
{
    const pscan_dtype types[] = {PSCAN_INT32, PSCAN_INT64, PSCAN_FLOAT32, PSCAN_FLOAT64};
    int count = add_case(cases, 0, "1d n=1000", PSCAN_INT64, 1, 1000, 0, 0, 0);
    for (int t = 0; t < 4; t++) {
        for (int log2 = 12; log2 <= max_log2;
             log2 = log2 + 4 <= max_log2 || log2 == max_log2 ? log2 + 4 : max_log2) {
            char name[32];
            snprintf(name, sizeof name, "1d 2^%d", log2);
            count = add_case(cases, count, name, types[t], 1, (int64_t)1 << log2, 0, 0, 0);
            if (log2 >= 20)
                count = add_case(cases, count, name, types[t], 1, (int64_t)1 << log2, 0, 0, 1);
        }
    }
    count = add_case(cases, count, "1d L1 (2^11)", PSCAN_INT64, 1, 2048, 0, 0, 0);
    count = add_case(cases, count, "(16384,1024) axis 0", PSCAN_INT64, 2, 16384, 1024, 0, 0);
    count = add_case(cases, count, "(131072,1024) axis 0", PSCAN_INT64, 2, 131072, 1024, 0, 0);
    count = add_case(cases, count, "(131072,1024) axis 1", PSCAN_INT64, 2, 131072, 1024, 1, 0);
    count = add_case(cases, count, "(1M,8) axis -1", PSCAN_FLOAT32, 2, 1 << 20, 8, 1, 0);
    return count;
}

static int parse_threads(const char *list, int *counts)
{
    int n = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && n < MAX_THREAD_COUNTS;
         tok = strtok_r(NULL, ",", &save))
        if (atoi(tok) > 0)
            counts[n++] = atoi(tok);
    free(copy);
    return n;
}

/* `name` is one of the comma-separated names of `list`. */
static int in_list(const char *name, const char *list)
{
    const size_t len = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += len)
        if ((p == list || p[-1] == ',') && (p[len] == ',' || p[len] == 0))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int reps = 5, max_log2 = 27;
    int thread_counts[MAX_THREAD_COUNTS] = {omp_get_max_threads()}, n_threads = 1;
    const char *csv_path = "pscan_bench.csv", *python = "/usr/bin/python3", *only = NULL,
               *dtypes = NULL;
    const char *worker = PSCAN_BENCH_NUMPY_WORKER;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--no-numpy"))
            python = NULL;
        else if (!value)
            break;
        else if (!strcmp(arg, "--reps"))
            reps = atoi(argv[++i]);
        else if (!strcmp(arg, "--max-log2"))
            max_log2 = atoi(argv[++i]);
        else if (!strcmp(arg, "--threads"))
            n_threads = parse_threads(argv[++i], thread_counts);
        else if (!strcmp(arg, "--csv"))
            csv_path = argv[++i];
        else if (!strcmp(arg, "--python"))
            python = argv[++i];
        else if (!strcmp(arg, "--only"))
            only = argv[++i];
        else if (!strcmp(arg, "--dtypes"))
            dtypes = argv[++i];
    }
    if (reps < 1 || reps > MAX_REPS)
        reps = 5;
    if (max_log2 < 12 || max_log2 > 32)
        max_log2 = 27;
    if (n_threads < 1)
        return fprintf(stderr, "--threads: expected a list like 1,2,4\n"), 2;
    if (python)
        numpy_start(python, worker);

    const contender contenders[] = {
        {"memcpy", always, run_memcpy},
        {"sequential", always, run_sequential},
        {"omp_inscan", one_dimensional, run_inscan},
#ifdef PSCAN_BENCH_TBB
        {"tbb", one_dimensional, run_tbb},
#endif
        {"numpy", numpy_applies, run_numpy},
        {"pscan", always, run_pscan},
    };
    enum { N_CONTENDERS = sizeof contenders / sizeof contenders[0], PSCAN = N_CONTENDERS - 1 };

    bench_case cases[MAX_CASES];
    const int n_cases = build_cases(cases, max_log2);
    FILE *csv = fopen(csv_path, "w");
    if (csv)
        fprintf(csv, "case,dtype,elements,threads,contender,gelem_per_s,pscan_speedup,"
                     "ratio_to_memcpy\n");
    printf("pscan %s, kernels %s; reps=%d; medians in Gelem/s; x = time(contender) / "
           "time(pscan)\n",
           pscan_version(), pscan_isa_name(), reps);

    for (int ti = 0; ti < n_threads; ti++) {
        const int threads = thread_counts[ti];
        printf("\nthreads=%d\n%-26s %-8s %11s", threads, "case", "dtype", "elements");
        for (int k = 0; k < N_CONTENDERS; k++)
            printf(" %10s", contenders[k].name);
        for (int k = 0; k < PSCAN; k++)
            printf(" %9.9s", contenders[k].name);
        printf("\n");
        for (int ci = 0; ci < n_cases; ci++) {
            const bench_case *c = &cases[ci];
            if ((only && !strstr(c->name, only)) ||
                (dtypes && !in_list(pscan_dtype_name(c->dtype), dtypes)))
                continue;
            const int64_t n = case_size(c);
            const size_t bytes = (size_t)n * pscan_dtype_size(c->dtype);
            void *in = aligned_alloc(64, (bytes + 63) / 64 * 64);
            void *out = aligned_alloc(64, (bytes + 63) / 64 * 64);
            if (!in || !out) {
                fprintf(stderr, "out of memory for %s\n", c->name);
                return 1;
            }
            fill(c, in);
            memset(out, 0, bytes);
            numpy_prepare(c);
            /* Small cases repeat inside one timing so the clock resolves them. */
            const int inner = n < (1 << 20) ? (int)((1 << 22) / n) : 1;
            double times[N_CONTENDERS][MAX_REPS];
            for (int r = 0; r < reps; r++)
                for (int k = 0; k < N_CONTENDERS; k++) {
                    if (!contenders[k].applies(c))
                        continue;
                    double total = 0;
                    for (int i = 0; i < inner; i++) {
                        if (c->in_place)
                            fill(c, in); /* outside the timing */
                        total += contenders[k].run(c, in, out, threads);
                    }
                    times[k][r] = total / inner;
                }
            double median[N_CONTENDERS];
            for (int k = 0; k < N_CONTENDERS; k++) {
                median[k] = 0;
                if (!contenders[k].applies(c))
                    continue;
                qsort(times[k], (size_t)reps, sizeof(double), compare_doubles);
                median[k] = times[k][reps / 2];
            }
            printf("%-26s %-8s %11lld", c->name, pscan_dtype_name(c->dtype), (long long)n);
            for (int k = 0; k < N_CONTENDERS; k++) {
                if (!median[k]) {
                    printf(" %10s", "-");
                    continue;
                }
                printf(" %10.3f", (double)n / median[k] / 1e9);
                if (csv)
                    fprintf(csv, "\"%s\",%s,%lld,%d,%s,%.5f,%.4f,%.4f\n", c->name,
                            pscan_dtype_name(c->dtype), (long long)n, threads, contenders[k].name,
                            (double)n / median[k] / 1e9, median[k] / median[PSCAN],
                            median[0] / median[k]);
            }
            for (int k = 0; k < PSCAN; k++) {
                if (median[k])
                    printf(" %8.2fx", median[k] / median[PSCAN]);
                else
                    printf(" %9s", "-");
            }
            printf("\n");
            fflush(stdout);
            free(in);
            free(out);
        }
    }
    if (csv)
        fclose(csv);
    numpy_stop();
    return 0;
}
