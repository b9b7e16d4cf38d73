/* breadth_bench.c - every op and flag against plain cumsum on the same
 * array, in one run: repetitions interleaved, medians, ratios
 * time(variant) / time(cumsum). Multi-axis is set against the two
 * single-axis scans run one after the other.
 *   pscan_breadth_bench [--log2 N] [--reps K] [--threads T] [--cols C]
 *                       [--dtype float64|complex128]
 * The 2-d rows use a square array, or C columns (a power of two) when given.
 * --dtype complex128 runs the float rows on complex values (the real parts
 * as for float64, small imaginary parts); the int64 rows stay. */
#define _POSIX_C_SOURCE 200809L

#include <pscan.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_VARIANTS = 24, MAX_REPS = 31 };

typedef struct variant {
    const char *name;
    pscan_op op;
    unsigned flags;
    int int64_data; /* the overflow check runs on int64 */
    int axes;       /* 2: the 2-d summed-area table; 3: the same as two calls;
                       4: a batch of 8 images' tables; 5: the same as two calls;
                       6: a cube over axes (0,2); 7: the same as two calls;
                       8: a cube over all three axes; 9: the same as three calls */
    double times[MAX_REPS];
} variant;

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

int main(int argc, char **argv)
{
    int log2n = 24, reps = 7, threads = 0;
    int64_t cols = 0;
    pscan_dtype float_dtype = PSCAN_FLOAT64;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--log2"))
            log2n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]) < MAX_REPS ? atoi(argv[i + 1]) : MAX_REPS;
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cols"))
            cols = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--dtype")) {
            if (!strcmp(argv[i + 1], "complex128"))
                float_dtype = PSCAN_COMPLEX128;
            else if (strcmp(argv[i + 1], "float64"))
                return fprintf(stderr, "--dtype: float64 or complex128\n"), 2;
        }
    }
    const int parts = float_dtype == PSCAN_COMPLEX128 ? 2 : 1; /* doubles per element */
    const int64_t n = (int64_t)1 << log2n;
    const int64_t side =
        cols > 0 && cols <= n / 8 && n % cols == 0 ? cols : (int64_t)1 << (log2n / 2);
    const int64_t shape2[2] = {n / side, side};
    const int64_t cube_side = (int64_t)1 << (log2n / 3);
    const int64_t cube[3] = {n / cube_side / cube_side, cube_side, cube_side};
    double *x = malloc((size_t)n * 8 * parts), *y = malloc((size_t)(n + 1) * 8 * parts);
    int64_t *xi = malloc((size_t)n * 8), *yi = malloc((size_t)n * 8);
    if (!x || !y || !xi || !yi)
        return 1;
    for (int64_t i = 0; i < n; i++) {
        const double re = (i % 97 == 0) ? 1.0 : 1.0 + 1.0 / (double)(i % 1000 + 1);
        x[i * parts] = re;
        if (parts == 2)
            x[i * parts + 1] = 1.0 / (double)(i % 4096 + 4096); /* |z| stays near |re| */
        xi[i] = i % 1000;
        yi[i] = 0;
    }
    memset(y, 0, (size_t)(n + 1) * 8 * parts);
    variant v[MAX_VARIANTS] = {
        {"cumsum", PSCAN_SUM, 0, 0, 0, {0}},
        {"cumprod", PSCAN_PROD, 0, 0, 0, {0}},
        {"cummax", PSCAN_MAX, 0, 0, 0, {0}},
        {"cummin", PSCAN_MIN, 0, 0, 0, {0}},
        {"skip-NaN (nancumsum)", PSCAN_SUM, PSCAN_FLAG_SKIP_NAN, 0, 0, {0}},
        {"exclusive", PSCAN_SUM, PSCAN_FLAG_EXCLUSIVE, 0, 0, {0}},
        {"include-initial", PSCAN_SUM, PSCAN_FLAG_INCLUDE_INITIAL, 0, 0, {0}},
        {"reverse", PSCAN_SUM, PSCAN_FLAG_REVERSE, 0, 0, {0}},
        {"compensated", PSCAN_SUM, PSCAN_FLAG_COMPENSATED, 0, 0, {0}},
        {"cumsum int64", PSCAN_SUM, 0, 1, 0, {0}},
        {"overflow check int64", PSCAN_SUM, PSCAN_FLAG_CHECK_OVERFLOW, 1, 0, {0}},
        {"2-d cumsum axis 0", PSCAN_SUM, 0, 0, 1, {0}},
        {"axes (0,1) in one call", PSCAN_SUM, 0, 0, 2, {0}},
        {"axes (0,1) as two calls", PSCAN_SUM, 0, 0, 3, {0}},
        {"2-d int64 axis 0", PSCAN_SUM, 0, 1, 1, {0}},
        {"int64 axes (0,1), one call", PSCAN_SUM, 0, 1, 2, {0}},
        {"int64 axes (0,1), two calls", PSCAN_SUM, 0, 1, 3, {0}},
        {"compensated skip-NaN",
         PSCAN_SUM,
         PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_SKIP_NAN,
         0,
         0,
         {0}},
        {"8 images axes (1,2), one call", PSCAN_SUM, 0, 0, 4, {0}},
        {"8 images axes (1,2), two calls", PSCAN_SUM, 0, 0, 5, {0}},
        {"cube axes (0,2), one call", PSCAN_SUM, 0, 0, 6, {0}},
        {"cube axes (0,2), two calls", PSCAN_SUM, 0, 0, 7, {0}},
        {"cube axes (0,1,2), one call", PSCAN_SUM, 0, 0, 8, {0}},
        {"cube axes (0,1,2), 3 calls", PSCAN_SUM, 0, 0, 9, {0}},
    };
    const int count = 24;
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    for (int r = 0; r <= reps; r++)
        for (int k = 0; k < count; k++) {
            pscan_opts o = opts;
            o.flags = v[k].flags;
            const int64_t out_n = n + (v[k].flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0);
            pscan_array in = {v[k].int64_data ? (void *)xi : (void *)x,
                              v[k].int64_data ? PSCAN_INT64 : float_dtype, 1, &n, NULL};
            pscan_array out = {v[k].int64_data ? (void *)yi : (void *)y, in.dtype, 1, &out_n, NULL};
            pscan_array in2 = {in.data, in.dtype, 2, shape2, NULL},
                        out2 = {out.data, in.dtype, 2, shape2, NULL};
            const int axes[2] = {0, 1}, image_axes[2] = {1, 2};
            const int64_t shape3[3] = {8, shape2[0] / 8, shape2[1]};
            pscan_array in3 = {in.data, in.dtype, 3, shape3, NULL},
                        out3 = {out.data, in.dtype, 3, shape3, NULL};
            const int cube_02[2] = {0, 2}, cube_012[3] = {0, 1, 2};
            pscan_array cube_in = {in.data, in.dtype, 3, cube, NULL},
                        cube_out = {out.data, in.dtype, 3, cube, NULL};
            double t = now();
            pscan_status s;
            if (v[k].axes == 1)
                s = pscan_scan(v[k].op, &in2, 0, PSCAN_DTYPE_DEFAULT, &out2, &o);
            else if (v[k].axes == 2)
                s = pscan_scan_axes(v[k].op, &in2, 2, axes, PSCAN_DTYPE_DEFAULT, &out2, &o);
            else if (v[k].axes == 3) {
                s = pscan_scan(v[k].op, &in2, 1, PSCAN_DTYPE_DEFAULT, &out2, &o);
                if (s == PSCAN_OK)
                    s = pscan_scan(v[k].op, &out2, 0, PSCAN_DTYPE_DEFAULT, &out2, &o);
            } else if (v[k].axes == 4) {
                s = pscan_scan_axes(v[k].op, &in3, 2, image_axes, PSCAN_DTYPE_DEFAULT, &out3, &o);
            } else if (v[k].axes == 5) {
                s = pscan_scan(v[k].op, &in3, 2, PSCAN_DTYPE_DEFAULT, &out3, &o);
                if (s == PSCAN_OK)
                    s = pscan_scan(v[k].op, &out3, 1, PSCAN_DTYPE_DEFAULT, &out3, &o);
            } else if (v[k].axes == 6 || v[k].axes == 8) {
                s = pscan_scan_axes(v[k].op, &cube_in, v[k].axes == 6 ? 2 : 3,
                                    v[k].axes == 6 ? cube_02 : cube_012, PSCAN_DTYPE_DEFAULT,
                                    &cube_out, &o);
            } else if (v[k].axes == 7 || v[k].axes == 9) { /* last axis first */
                s = pscan_scan(v[k].op, &cube_in, 2, PSCAN_DTYPE_DEFAULT, &cube_out, &o);
                if (s == PSCAN_OK && v[k].axes == 9)
                    s = pscan_scan(v[k].op, &cube_out, 1, PSCAN_DTYPE_DEFAULT, &cube_out, &o);
                if (s == PSCAN_OK)
                    s = pscan_scan(v[k].op, &cube_out, 0, PSCAN_DTYPE_DEFAULT, &cube_out, &o);
            } else
                s = pscan_scan(v[k].op, &in, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &out, &o);
            t = now() - t;
            if (s != PSCAN_OK) {
                fprintf(stderr, "%s: %s\n", v[k].name, pscan_strerror(s));
                return 1;
            }
            if (r > 0) /* the first round warms up */
                v[k].times[r - 1] = t;
        }
    printf("pscan %s, kernels %s; n = 2^%d %s (2-d: %lld x %lld; cube: %lld x %lld x %lld), %d "
           "reps, medians\n",
           pscan_version(), pscan_isa_name(), log2n, parts == 2 ? "complex128" : "float64",
           (long long)shape2[0], (long long)shape2[1], (long long)cube[0], (long long)cube[1],
           (long long)cube[2], reps);
    printf("%-26s %10s %14s\n", "variant", "seconds", "x cumsum");
    double base[4] = {0, 0, 0, 0};
    for (int k = 0; k < count; k++) {
        qsort(v[k].times, (size_t)reps, sizeof(double), by_value);
        const double median = v[k].times[reps / 2];
        /* each variant against the plain cumsum of its own array */
        const int group = v[k].axes ? (v[k].int64_data ? 3 : 2) : v[k].int64_data ? 1 : 0;
        if (k == 0 || k == 9 || k == 11 || k == 14)
            base[group] = median;
        printf("%-26s %10.4f %13.2fx\n", v[k].name, median, median / base[group]);
    }
    free(x);
    free(y);
    free(xi);
    free(yi);
    return 0;
}
