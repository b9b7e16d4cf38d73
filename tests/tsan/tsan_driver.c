/*
 * tsan_driver.c - the engine's parallel paths under ThreadSanitizer
 * (scripts/tsan.sh). Criterion cannot run under TSan (its inheritable
 * arena wants the address range TSan reserves), so this plain program
 * runs each path on several threads and compares with one thread: chained
 * look-back blocks (int64, float64), an axis-0 panel, SPANS on a described
 * 2-node machine, a summed-area table's column strips, and four
 * application threads scanning at once. Exit 1 on any difference; the
 * race reports are TSan's.
 */
#include <pscan.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fill(unsigned char *in, pscan_dtype dtype, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (dtype == PSCAN_FLOAT64) {
            const double x = (double)(i % 1000) / 7.0;
            memcpy(in + 8 * i, &x, 8);
        } else {
            const int64_t x = i % 1000 - 500;
            memcpy(in + 8 * i, &x, 8);
        }
    }
}

/* The scan on `threads` threads has the bits of the scan on one. */
static int same_as_one_thread(const char *what, int naxes, pscan_dtype dtype, int ndim,
                              const int64_t *shape, int axis, int threads, pscan_context *ctx)
{
    const int64_t n = ndim == 1 ? shape[0] : shape[0] * shape[1];
    unsigned char *in = malloc((size_t)n * 8), *one = malloc((size_t)n * 8),
                  *many = malloc((size_t)n * 8);
    if (!in || !one || !many)
        return 1;
    fill(in, dtype, n);
    const pscan_array a = {in, dtype, ndim, shape, NULL}, b1 = {one, dtype, ndim, shape, NULL},
                      bn = {many, dtype, ndim, shape, NULL};
    pscan_opts o1 = PSCAN_OPTS_INIT, on = PSCAN_OPTS_INIT;
    o1.threads = 1;
    on.threads = threads;
    o1.ctx = on.ctx = ctx;
    const int both_axes[2] = {0, 1};
    const int failed =
        naxes == 2
            ? pscan_scan_axes(PSCAN_SUM, &a, 2, both_axes, dtype, &b1, &o1) ||
                  pscan_scan_axes(PSCAN_SUM, &a, 2, both_axes, dtype, &bn, &on)
            : pscan_cumsum(&a, axis, dtype, &b1, &o1) || pscan_cumsum(&a, axis, dtype, &bn, &on);
    const int bad = failed || memcmp(one, many, (size_t)n * 8) != 0;
    printf("%-44s %s\n", what, bad ? "DIFFERS" : "same bits");
    free(in);
    free(one);
    free(many);
    return bad;
}

static const int64_t long_lane[1] = {1 << 21}, panel[2] = {2048, 1024}, image[2] = {1024, 1024};

static void *application_thread(void *result)
{
    *(int *)result = same_as_one_thread("  application thread: float64 blocks", 1, PSCAN_FLOAT64, 1,
                                        long_lane, 0, 2, NULL);
    return NULL;
}

int main(void)
{
    int bad = 0;
    bad |=
        same_as_one_thread("int64 1-D blocks, 2 threads", 1, PSCAN_INT64, 1, long_lane, 0, 2, NULL);
    bad |= same_as_one_thread("float64 1-D blocks, 3 threads", 1, PSCAN_FLOAT64, 1, long_lane, 0, 3,
                              NULL);
    bad |=
        same_as_one_thread("int64 axis-0 panel, 2 threads", 1, PSCAN_INT64, 2, panel, 0, 2, NULL);
    pscan_context *ctx = NULL;
    if (pscan_context_create_synthetic("numa:2 core:2 pu:1", &ctx) != PSCAN_OK)
        return 1;
    bad |= same_as_one_thread("float64 SPANS, 4 threads (described machine)", 1, PSCAN_FLOAT64, 1,
                              long_lane, 0, 4, ctx);
    pscan_context_destroy(ctx);
    bad |= same_as_one_thread("float64 image, axes (0, 1), 2 threads", 2, PSCAN_FLOAT64, 2, image,
                              0, 2, NULL);
    pthread_t ids[4];
    int results[4] = {0};
    for (int t = 0; t < 4; t++)
        if (pthread_create(&ids[t], NULL, application_thread, &results[t]) != 0)
            return 1;
    for (int t = 0; t < 4; t++) {
        pthread_join(ids[t], NULL);
        bad |= results[t];
    }
    return bad;
}
