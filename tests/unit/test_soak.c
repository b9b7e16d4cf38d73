/*
 * test_soak.c - many application threads calling pscan at once.
 *
 * 8 threads each make 2,000 random calls (dtypes, conversions, shapes,
 * axes, strided views, ops, flags, orders and thread counts; half of the
 * threads on contexts of their own, half on the default one) at the same
 * time. Every result must be the bits of the same call made alone, on one
 * thread, before the threads started (integers are exact; REPRODUCIBLE
 * and SEQUENTIAL floats do not depend on the thread count). The calls are
 * drawn from a fixed seed, so a failure names a call that can be replayed.
 */
#define _POSIX_C_SOURCE 200809L

#include "testutil.h"

#include <pthread.h>

enum { APP_THREADS = 8, CALLS = 2000, MAX_ELEMS = 6000 };

typedef struct call_spec {
    pscan_op op;
    pscan_dtype in_dtype, acc;
    int ndim, axis, reversed_view, threads;
    int64_t shape[2];
    unsigned flags;
    pscan_order order;
    uint64_t seed, want; /* data seed; hash of the result made alone */
} call_spec;

static call_spec specs[APP_THREADS][CALLS];

static const pscan_dtype in_dtypes[] = {PSCAN_INT8,       PSCAN_INT32,   PSCAN_INT64,
                                        PSCAN_UINT16,     PSCAN_FLOAT32, PSCAN_FLOAT64,
                                        PSCAN_COMPLEX128, PSCAN_FLOAT16};

static void draw(call_spec *c, uint64_t *rng)
{
    c->op = (pscan_op)tu_rand_range(rng, 0, 3);
    c->in_dtype = in_dtypes[tu_rand_range(rng, 0, (int64_t)TU_COUNT(in_dtypes) - 1)];
    if (c->in_dtype == PSCAN_COMPLEX128 && c->op != PSCAN_SUM && c->op != PSCAN_PROD)
        c->op = PSCAN_SUM;
    c->acc = tu_rand_range(rng, 0, 3) == 0 && c->in_dtype == PSCAN_FLOAT32
                 ? PSCAN_FLOAT64
                 : pscan_default_dtype(c->op, c->in_dtype);
    c->ndim = (int)tu_rand_range(rng, 1, 2);
    if (c->ndim == 1) {
        c->shape[0] = tu_rand_range(rng, 0, MAX_ELEMS);
        c->axis = 0;
    } else {
        c->shape[0] = tu_rand_range(rng, 1, 80);
        c->shape[1] = tu_rand_range(rng, 1, MAX_ELEMS / c->shape[0]);
        c->axis = (int)tu_rand_range(rng, 0, 1);
    }
    c->reversed_view = tu_rand_range(rng, 0, 3) == 0;
    c->threads = (int)tu_rand_range(rng, 0, 3);
    c->order = tu_rand_range(rng, 0, 1) ? PSCAN_ORDER_REPRODUCIBLE : PSCAN_ORDER_SEQUENTIAL;
    const unsigned choices[] = {0,
                                0,
                                PSCAN_FLAG_EXCLUSIVE,
                                PSCAN_FLAG_REVERSE,
                                PSCAN_FLAG_SKIP_NAN,
                                PSCAN_FLAG_REVERSE | PSCAN_FLAG_SKIP_NAN};
    c->flags = choices[tu_rand_range(rng, 0, (int64_t)TU_COUNT(choices) - 1)];
    if (c->flags & PSCAN_FLAG_SKIP_NAN &&
        !(c->in_dtype == PSCAN_FLOAT32 || c->in_dtype == PSCAN_FLOAT64 ||
          c->in_dtype == PSCAN_COMPLEX128))
        c->flags &= ~(unsigned)PSCAN_FLAG_SKIP_NAN;
    c->seed = tu_rand(rng);
}

/* Make the call's input, run it on `threads` threads (and `ctx`), return
 * the hash of out; 0 if the call failed. */
static uint64_t run(const call_spec *c, int threads, pscan_context *ctx)
{
    const int64_t n = c->ndim == 1 ? c->shape[0] : c->shape[0] * c->shape[1];
    const size_t in_es = tu_size(c->in_dtype), acc_es = tu_size(c->acc);
    const size_t in_bytes = (size_t)n * in_es, out_bytes = (size_t)n * acc_es;
    char *in = tu_malloc(in_bytes + 1), *out = tu_malloc(out_bytes + 1);
    uint64_t seed = c->seed;
    tu_fill_scan_values(in, c->in_dtype, n, c->op, &seed);
    if (c->flags & PSCAN_FLAG_SKIP_NAN) /* a NaN every 13 elements */
        for (int64_t i = 5; i < n; i += 13)
            tu_put_f64(in + (size_t)i * in_es, c->in_dtype, NAN, 0.0);
    memset(out, 0, out_bytes + 1);
    /* a view of the input read backwards along its last dimension */
    int64_t strides[2];
    tu_c_strides(c->ndim, c->shape, (int64_t)in_es, strides);
    char *data = in;
    if (c->reversed_view && n > 0) {
        const int last = c->ndim - 1;
        data += (size_t)(c->shape[last] - 1) * in_es;
        strides[last] = -strides[last];
    }
    pscan_array a = tu_arr(data, c->in_dtype, c->ndim, c->shape, c->reversed_view ? strides : NULL);
    pscan_array b = tu_arr(out, c->acc, c->ndim, c->shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.order = c->order;
    o.flags = c->flags;
    o.ctx = ctx;
    const pscan_status status = pscan_scan(c->op, &a, c->axis, c->acc, &b, &o);
    const uint64_t hash = status == PSCAN_OK ? tu_hash_bytes(TU_HASH_START, out, out_bytes) | 1 : 0;
    free(in);
    free(out);
    return hash;
}

typedef struct app_thread {
    int index, own_context, mismatches, first_bad;
} app_thread;

static void *app_main(void *arg)
{
    app_thread *t = arg;
    pscan_context *ctx = NULL;
    if (t->own_context && pscan_context_create(&ctx) != PSCAN_OK) {
        t->mismatches = -1;
        return NULL;
    }
    t->first_bad = -1;
    for (int k = 0; k < CALLS; ++k) {
        const call_spec *c = &specs[t->index][k];
        if (run(c, c->threads, ctx) != c->want) {
            if (t->first_bad < 0)
                t->first_bad = k;
            t->mismatches++;
        }
    }
    pscan_context_destroy(ctx);
    return NULL;
}

Test(soak, eight_application_threads_match_the_calls_made_alone, .timeout = 300)
{
    uint64_t rng = 20261128;
    for (int t = 0; t < APP_THREADS; ++t)
        for (int k = 0; k < CALLS; ++k) {
            call_spec *c = &specs[t][k];
            draw(c, &rng);
            c->want = run(c, 1, NULL);
            cr_assert(ne(u64, c->want, 0), "call %d of thread %d failed alone", k, t);
        }
    pthread_t ids[APP_THREADS];
    app_thread state[APP_THREADS];
    for (int t = 0; t < APP_THREADS; ++t) {
        state[t] = (app_thread){t, t % 2, 0, -1};
        cr_assert(eq(int, pthread_create(&ids[t], NULL, app_main, &state[t]), 0));
    }
    for (int t = 0; t < APP_THREADS; ++t)
        pthread_join(ids[t], NULL);
    for (int t = 0; t < APP_THREADS; ++t) {
        const call_spec *c = state[t].first_bad >= 0 ? &specs[t][state[t].first_bad] : NULL;
        cr_expect(
            eq(int, state[t].mismatches, 0),
            "thread %d (%s context): %d of %d calls differ from the same call alone; the first, "
            "call %d: op %d, %s -> %s, ndim %d, shape (%lld, %lld), axis %d, flags %u, order %d, "
            "threads %d",
            t, state[t].own_context ? "own" : "default", state[t].mismatches, CALLS,
            state[t].first_bad, c ? (int)c->op : -1, c ? pscan_dtype_name(c->in_dtype) : "",
            c ? pscan_dtype_name(c->acc) : "", c ? c->ndim : 0, c ? (long long)c->shape[0] : 0LL,
            c ? (long long)c->shape[1] : 0LL, c ? c->axis : 0, c ? c->flags : 0u,
            c ? (int)c->order : 0, c ? c->threads : 0);
    }
}
