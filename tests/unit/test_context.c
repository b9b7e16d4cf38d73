/*
 * test_context.c - contexts: create/destroy, destroy(NULL), the lazily
 * created default context (also under concurrent first use), thread counts,
 * and scans run through explicit contexts, also from several threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "testutil.h"

Test(context, create_and_destroy)
{
    pscan_context *a = NULL, *b = NULL;
    TU_ASSERT_OK(pscan_context_create(&a));
    TU_ASSERT_OK(pscan_context_create(&b));
    cr_assert(ne(ptr, (void *)a, NULL));
    cr_assert(ne(ptr, (void *)b, NULL));
    cr_assert(ne(ptr, (void *)a, (void *)b));
    cr_assert(ge(int, pscan_context_threads(a), 1));
    cr_assert(ge(int, pscan_context_threads(b), 1));
    pscan_context_destroy(a);
    pscan_context_destroy(b);
}

Test(context, create_null_out)
{
    cr_assert(eq(int, (int)pscan_context_create(NULL), (int)PSCAN_ENULL));
}

Test(context, destroy_null_is_noop)
{
    pscan_context_destroy(NULL);
    pscan_context_destroy(NULL);
    int64_t v[3] = {1, 2, 3};
    TU_ASSERT_OK(pscan_cumsum_i64(v, v, 3));
    cr_assert(eq(i64, v[2], 6));
}

Test(context, default_context_is_stable)
{
    pscan_context *d1 = pscan_default_context();
    pscan_context *d2 = pscan_default_context();
    cr_assert(ne(ptr, (void *)d1, NULL));
    cr_assert(eq(ptr, (void *)d1, (void *)d2));
    cr_assert(ge(int, pscan_context_threads(d1), 1));
    pscan_context *c = NULL;
    TU_ASSERT_OK(pscan_context_create(&c));
    cr_assert(ne(ptr, (void *)c, (void *)d1));
    pscan_context_destroy(c);
    cr_assert(eq(ptr, (void *)pscan_default_context(), (void *)d1));
}

Test(context, destroying_default_context_is_ignored)
{
    pscan_context *d = pscan_default_context();
    cr_assert(ne(ptr, (void *)d, NULL));
    pscan_context_destroy(d);
    cr_assert(eq(ptr, (void *)pscan_default_context(), (void *)d));
    cr_assert(ge(int, pscan_context_threads(d), 1));
    int64_t v[4] = {1, 2, 3, 4}, o[4];
    const int64_t n = 4;
    pscan_array ai = tu_vec(v, PSCAN_INT64, &n), ao = tu_vec(o, PSCAN_INT64, &n);
    pscan_opts opt = PSCAN_OPTS_INIT;
    opt.ctx = d;
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &opt));
    const int64_t want[4] = {1, 3, 6, 10};
    tu_assert_i64s(o, want, 4);
}

static void *get_default(void *arg)
{
    (void)arg;
    return pscan_default_context();
}

Test(context, default_context_concurrent_first_use)
{
    enum { T = 8 };
    pthread_t th[T];
    void *res[T];
    for (int i = 0; i < T; ++i)
        cr_assert(eq(int, pthread_create(&th[i], NULL, get_default, NULL), 0));
    for (int i = 0; i < T; ++i)
        cr_assert(eq(int, pthread_join(th[i], &res[i]), 0));
    for (int i = 0; i < T; ++i) {
        cr_assert(ne(ptr, res[i], NULL));
        cr_assert(eq(ptr, res[i], res[0]), "thread %d got another default context", i);
    }
    cr_assert(eq(ptr, (void *)pscan_default_context(), res[0]));
}

/* A scan of n int64 through opts, checked against a wrapping reference. */
static void scan_and_check(int64_t n, const pscan_opts *opts, uint64_t seed)
{
    int64_t *in = malloc((size_t)n * 8), *out = malloc((size_t)n * 8);
    cr_assert(all(ne(ptr, in, NULL), ne(ptr, out, NULL)));
    for (int64_t i = 0; i < n; ++i)
        in[i] = (int64_t)tu_rand(&seed);
    pscan_array ai = tu_vec(in, PSCAN_INT64, &n), ao = tu_vec(out, PSCAN_INT64, &n);
    pscan_status s = pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, opts);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
    uint64_t acc = 0;
    int64_t bad = -1;
    for (int64_t i = 0; i < n && bad < 0; ++i) {
        acc += (uint64_t)in[i];
        if (out[i] != (int64_t)acc)
            bad = i;
    }
    cr_assert(eq(i64, bad, -1), "first wrong element");
    free(in);
    free(out);
}

Test(context, scans_through_explicit_contexts)
{
    pscan_context *c = NULL;
    TU_ASSERT_OK(pscan_context_create(&c));
    const int threads[] = {0, 1, 2, 3, 8};
    for (size_t k = 0; k < TU_COUNT(threads); ++k) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.ctx = c;
        o.threads = threads[k];
        scan_and_check(1000, &o, k);
        scan_and_check(1 << 20, &o, k + 100);
    }
    pscan_context_destroy(c);
    /* a second context after the first is gone */
    TU_ASSERT_OK(pscan_context_create(&c));
    pscan_opts o = PSCAN_OPTS_INIT;
    o.ctx = c;
    scan_and_check(50000, &o, 7);
    pscan_context_destroy(c);
}

Test(context, more_threads_than_cores)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 64;
    scan_and_check(100000, &o, 64);
    scan_and_check(5, &o, 65);
}

Test(context, many_create_destroy_cycles)
{
    for (int i = 0; i < 8; ++i) {
        pscan_context *c = NULL;
        TU_ASSERT_OK(pscan_context_create(&c));
        pscan_opts o = PSCAN_OPTS_INIT;
        o.ctx = c;
        o.threads = 2;
        scan_and_check(10000, &o, (uint64_t)i);
        pscan_context_destroy(c);
    }
}

struct worker {
    pscan_context *ctx;
    uint64_t seed;
    int ok;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    enum { N = 200000 };
    int64_t *in = malloc(N * 8), *out = malloc(N * 8);
    w->ok = 0;
    if (!in || !out)
        goto done;
    for (int rep = 0; rep < 5; ++rep) {
        uint64_t s = w->seed + (uint64_t)rep;
        for (int i = 0; i < N; ++i)
            in[i] = (int64_t)tu_rand(&s);
        const int64_t n = N;
        pscan_array ai = tu_vec(in, PSCAN_INT64, &n), ao = tu_vec(out, PSCAN_INT64, &n);
        pscan_opts o = PSCAN_OPTS_INIT;
        o.ctx = w->ctx;
        o.threads = 2;
        if (pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, &o) != PSCAN_OK)
            goto done;
        uint64_t acc = 0;
        for (int i = 0; i < N; ++i) {
            acc += (uint64_t)in[i];
            if (out[i] != (int64_t)acc)
                goto done;
        }
    }
    w->ok = 1;
done:
    free(in);
    free(out);
    return NULL;
}

static void run_workers(pscan_context *shared)
{
    enum { T = 4 };
    pthread_t th[T];
    struct worker w[T];
    pscan_context *own[T] = {NULL};
    for (int i = 0; i < T; ++i) {
        if (shared == NULL)
            TU_ASSERT_OK(pscan_context_create(&own[i]));
        w[i].ctx = shared ? shared : own[i];
        w[i].seed = (uint64_t)i * 1000;
        w[i].ok = 0;
        cr_assert(eq(int, pthread_create(&th[i], NULL, worker_main, &w[i]), 0));
    }
    for (int i = 0; i < T; ++i)
        cr_assert(eq(int, pthread_join(th[i], NULL), 0));
    for (int i = 0; i < T; ++i) {
        cr_assert(eq(int, w[i].ok, 1), "worker %d got a wrong result", i);
        pscan_context_destroy(own[i]);
    }
}

Test(context, one_context_used_from_several_threads)
{
    pscan_context *c = NULL;
    TU_ASSERT_OK(pscan_context_create(&c));
    run_workers(c);
    pscan_context_destroy(c);
}

Test(context, default_context_used_from_several_threads)
{
    run_workers(pscan_default_context());
}

Test(context, independent_contexts_in_several_threads)
{
    run_workers(NULL);
}
