/* rec_bench.c - pscan_linear_recurrence against the plain loop.
 *
 * Contenders, per case, each once per repetition in turn (A B C A B C ...)
 * so a noisy neighbour slows them alike; each reports its median:
 *   loop        y = a[i] * y + b[i], the C loop a user would write
 *   sequential  pscan, PSCAN_ORDER_SEQUENTIAL, 1 thread (the same bits)
 *   repro 1t    pscan, REPRODUCIBLE (tiles of 4096), 1 thread
 *   repro 2t    pscan, REPRODUCIBLE, 2 threads
 *   halves 2t   the loop on each half of the lane by 2 OpenMP threads, the
 *               second from 0: not the result, the most 2 threads can
 *               gain on this host for this traffic (a control)
 * Ratios are the loop's time over the contender's: above 1 is faster.
 *
 *   pscan_rec_bench [--reps N] [--log2 K]
 */
#define _POSIX_C_SOURCE 200809L

#include <pscan.h>

#include <omp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_REPS = 64, CONTENDERS = 5 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_value(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, by_value);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* The loops a user would write, one per value type; complex is numpy's
 * (ac - bd, ad + bc). */
static void loop_f64(const double *a, const double *b, double *out, int64_t n, int64_t a_step)
{
    double y = 0;
    for (int64_t i = 0; i < n; i++) {
        y = a[i * a_step] * y + b[i];
        out[i] = y;
    }
}

static void loop_f32(const float *a, const float *b, float *out, int64_t n, int64_t a_step)
{
    float y = 0;
    for (int64_t i = 0; i < n; i++) {
        y = a[i * a_step] * y + b[i];
        out[i] = y;
    }
}

static void loop_c128(const double *a, const double *b, double *out, int64_t n, int64_t a_step)
{
    double re = 0, im = 0;
    for (int64_t i = 0; i < n; i++) {
        const double *ai = a + 2 * i * a_step;
        const double pr = ai[0] * re - ai[1] * im, pi = ai[0] * im + ai[1] * re;
        re = pr + b[2 * i];
        im = pi + b[2 * i + 1];
        out[2 * i] = re;
        out[2 * i + 1] = im;
    }
}

typedef struct bench_case {
    const char *name;
    pscan_dtype type;
    int constant_a; /* a one value, a 0-stride view */
} bench_case;

static void run_loop(const bench_case *bc, const char *a, const char *b, char *out, int64_t n)
{
    const int64_t a_step = bc->constant_a ? 0 : 1;
    if (bc->type == PSCAN_FLOAT64)
        loop_f64((const double *)a, (const double *)b, (double *)out, n, a_step);
    else if (bc->type == PSCAN_FLOAT32)
        loop_f32((const float *)a, (const float *)b, (float *)out, n, a_step);
    else
        loop_c128((const double *)a, (const double *)b, (double *)out, n, a_step);
}

static void run_halves(const bench_case *bc, const char *a, const char *b, char *out, int64_t n)
{
    const size_t item = pscan_dtype_size(bc->type);
#pragma omp parallel num_threads(2)
    {
        const int64_t lo = n * omp_get_thread_num() / omp_get_num_threads();
        const int64_t hi = n * (omp_get_thread_num() + 1) / omp_get_num_threads();
        const size_t skip = (size_t)lo * item;
        run_loop(bc, a + (bc->constant_a ? 0 : skip), b + skip, out + skip, hi - lo);
    }
}

int main(int argc, char **argv)
{
    int reps = 5, log2n = 26;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--reps") && k + 1 < argc)
            reps = atoi(argv[++k]);
        else if (!strcmp(argv[k], "--log2") && k + 1 < argc)
            log2n = atoi(argv[++k]);
        else {
            fprintf(stderr, "usage: %s [--reps N] [--log2 K]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS || log2n < 10 || log2n > 30) {
        fprintf(stderr, "reps 1..%d, log2 10..30\n", MAX_REPS);
        return 2;
    }
    const int64_t n = (int64_t)1 << log2n;
    static const bench_case cases[] = {
        {"float64", PSCAN_FLOAT64, 0},
        {"float64, constant a", PSCAN_FLOAT64, 1},
        {"float32", PSCAN_FLOAT32, 0},
        {"complex128", PSCAN_COMPLEX128, 0},
    };
    static const char *const names[CONTENDERS] = {"loop", "sequential", "repro 1t", "repro 2t",
                                                  "halves 2t"};
    printf("pscan_linear_recurrence, n = 2^%d, %d reps, isa %s\n", log2n, reps, pscan_isa_name());
    printf("%-20s %10s %10s %10s %10s %10s | %8s %8s %8s %8s\n", "case", names[0], names[1],
           names[2], names[3], names[4], "seq", "repro1", "repro2", "halves2");
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const bench_case *bc = &cases[c];
        const size_t item = pscan_dtype_size(bc->type);
        const size_t part = bc->type == PSCAN_FLOAT32 ? sizeof(float) : sizeof(double);
        const size_t parts = item / part;
        char *a = malloc((size_t)n * item), *b = malloc((size_t)n * item);
        char *out = malloc((size_t)n * item);
        if (!a || !b || !out) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        /* |a| just under 1, both signs; b in [-1, 1): a fixed generator */
        uint64_t state = 12345;
        for (size_t i = 0; i < (size_t)n * parts; i++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const double r = (double)(state >> 11) / 9007199254740992.0;
            const double av = (i & 1 ? -1 : 1) * (0.99 + 0.01 * r) / (parts == 2 ? 1.5 : 1.0);
            const double bv = 2 * r - 1;
            if (part == sizeof(float)) {
                ((float *)a)[i] = (float)av;
                ((float *)b)[i] = (float)bv;
            } else {
                ((double *)a)[i] = av;
                ((double *)b)[i] = bv;
            }
        }
        memset(out, 0, (size_t)n * item);
        const int64_t zero = 0, shape[1] = {n};
        const pscan_array A = {a, bc->type, 1, shape, bc->constant_a ? &zero : NULL};
        const pscan_array B = {b, bc->type, 1, shape, NULL};
        const pscan_array O = {out, bc->type, 1, shape, NULL};
        double times[CONTENDERS][MAX_REPS];
        for (int r = 0; r < reps; r++) {
            for (int k = 0; k < CONTENDERS; k++) {
                pscan_opts opts = PSCAN_OPTS_INIT;
                opts.order = k == 1 ? PSCAN_ORDER_SEQUENTIAL : PSCAN_ORDER_REPRODUCIBLE;
                opts.threads = k == 3 ? 2 : 1;
                const double t0 = now();
                if (k == 0)
                    run_loop(bc, a, b, out, n);
                else if (k == 4)
                    run_halves(bc, a, b, out, n);
                else if (pscan_linear_recurrence(&A, &B, 0, NULL, &O, &opts) != PSCAN_OK) {
                    fprintf(stderr, "pscan_linear_recurrence failed\n");
                    return 1;
                }
                times[k][r] = now() - t0;
            }
        }
        double med[CONTENDERS];
        for (int k = 0; k < CONTENDERS; k++)
            med[k] = median(times[k], reps);
        printf("%-20s %9.3fs %9.3fs %9.3fs %9.3fs %9.3fs | %7.2fx %7.2fx %7.2fx %7.2fx\n", bc->name,
               med[0], med[1], med[2], med[3], med[4], med[0] / med[1], med[0] / med[2],
               med[0] / med[3], med[0] / med[4]);
        free(a);
        free(b);
        free(out);
    }
    return 0;
}
