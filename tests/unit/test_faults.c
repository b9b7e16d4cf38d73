/*
 * test_faults.c - allocation failures never stick.
 *
 * This executable defines malloc, calloc, realloc, posix_memalign and
 * aligned_alloc itself (forwarding to glibc's __libc_* entry points), so
 * every allocation of the process, hwloc's and libgomp's included, can be
 * made to fail from the k-th on. Each case runs in a forked child for
 * every k until the call needs fewer allocations than k: a failing call
 * must return the status of the cause (PSCAN_ENOMEM), leave out as it
 * was, and the same call with memory back must succeed with the right
 * values. "Cold" cases are the first pscan call of a process, when the
 * default context loads the machine's topology; "warm" ones follow a
 * successful call. (Not built with the sanitizers: ASan owns malloc.)
 *
 * Cold, only the first allocation fails: hwloc 2.9 asserts (and so
 * aborts the process) when a later allocation of its component set-up
 * fails, which no caller can prevent, so the later ks of a cold start
 * test hwloc rather than pscan.
 */
#define _GNU_SOURCE

#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------- the failing allocator */

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *ptr);

static long fail_from;    /* 0: never fail; k: the k-th allocation on fails */
static long allocations;  /* counted since armed */

static int allocation_fails(void)
{
    if (!fail_from)
        return 0;
    return __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED) >= fail_from;
}

void *malloc(size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(ptr, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (allocation_fails())
        return ENOMEM;
    void *p = __libc_memalign(alignment, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_memalign(alignment, size);
}

void free(void *ptr)
{
    __libc_free(ptr);
}

static void arm(long k)
{
    allocations = 0;
    __atomic_store_n(&fail_from, k, __ATOMIC_RELEASE);
}

static long disarm(void)
{
    __atomic_store_n(&fail_from, 0, __ATOMIC_RELEASE);
    return allocations;
}

/* --------------------------------------------------------------- cases */

enum { N = 1 << 20, CHILD_OK = 0, CHILD_DONE = 10, CHILD_ERROR = 20 };

typedef struct scan_case {
    const char *name;
    int cold; /* the first call of the process */
    pscan_status (*call)(int64_t *buf, int64_t *out);
} scan_case;

/* 1..N as int32, scanned into int64 (a converting load) on 2 threads */
static pscan_status converting_scan(int64_t *buf, int64_t *out)
{
    int32_t *in = (int32_t *)buf;
    const int64_t n = N;
    pscan_array a = tu_vec(in, PSCAN_INT32, &n), b = tu_vec(out, PSCAN_INT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 2;
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}

/* in and out overlap by half: pscan copies in first */
static pscan_status overlapping_scan(int64_t *buf, int64_t *out)
{
    (void)out;
    const int64_t n = N / 2;
    pscan_array a = tu_vec(buf, PSCAN_INT64, &n), b = tu_vec(buf + N / 4, PSCAN_INT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 2;
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}

static void fill(int64_t *buf, int64_t *out, pscan_status (*call)(int64_t *, int64_t *))
{
    if (call == converting_scan)
        for (int32_t i = 0; i < N; ++i)
            ((int32_t *)buf)[i] = i + 1;
    else
        for (int64_t i = 0; i < N; ++i)
            buf[i] = i + 1;
    memset(out, 0x5A, (size_t)N * 8);
}

/* The call's result is right: the cumsum of 1..m from where out starts. */
static int result_is_right(int64_t *buf, int64_t *out, pscan_status (*call)(int64_t *, int64_t *))
{
    if (call == converting_scan) {
        for (int64_t i = 0; i < N; ++i)
            if (out[i] != (i + 1) * (i + 2) / 2)
                return 0;
        return 1;
    }
    for (int64_t i = 0; i < N / 2; ++i)
        if (buf[N / 4 + i] != (i + 1) * (i + 2) / 2)
            return 0;
    return 1;
}

/* Exit codes of a child: CHILD_OK (failed cleanly, then succeeded),
 * CHILD_DONE (k was past the call's allocations: it succeeded armed),
 * CHILD_ERROR + 1..9 what went wrong (other codes: something in the
 * process gave up, as libgomp does with exit(1) when it cannot allocate). */
static int run_child(const scan_case *c, long k)
{
    int64_t *buf = __libc_malloc((size_t)N * 8), *out = __libc_malloc((size_t)N * 8);
    int64_t *before = __libc_malloc((size_t)N * 8), *out_before = __libc_malloc((size_t)N * 8);
    if (!buf || !out || !before || !out_before)
        return CHILD_ERROR + 9;
    if (!c->cold) {
        fill(buf, out, c->call);
        if (c->call(buf, out) != PSCAN_OK)
            return CHILD_ERROR + 8;
    }
    fill(buf, out, c->call);
    memcpy(before, buf, (size_t)N * 8);
    memcpy(out_before, out, (size_t)N * 8);
    arm(k);
    const pscan_status status = c->call(buf, out);
    disarm();
    if (status == PSCAN_OK)
        return result_is_right(buf, out, c->call) ? CHILD_DONE : CHILD_ERROR + 1;
    if (status != PSCAN_ENOMEM)
        return CHILD_ERROR + 2;
    if (memcmp(buf, before, (size_t)N * 8) != 0 || memcmp(out, out_before, (size_t)N * 8) != 0)
        return CHILD_ERROR + 3; /* a failed call wrote */
    const pscan_status again = c->call(buf, out);
    if (again != PSCAN_OK)
        return CHILD_ERROR + 4; /* the failure stuck */
    return result_is_right(buf, out, c->call) ? CHILD_OK : CHILD_ERROR + 5;
}

static const char *const child_errors[] = {
    "ok", "succeeded with a wrong result", "returned another status than PSCAN_ENOMEM",
    "wrote although it failed", "failed again with memory back (the failure stuck)",
    "gave a wrong result with memory back", "", "", "the warm-up call failed",
    "the test could not allocate"};

static void fail_allocations(const scan_case *c, long last_k)
{
    long k = 1;
    for (; k <= last_k; ++k) {
        const pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0)
            _exit(run_child(c, k));
        int status;
        waitpid(pid, &status, 0);
        cr_assert(eq(int, WIFEXITED(status), 1), "%s, allocation %ld failing: the child died (signal %d)",
                  c->name, k, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        const int code = WEXITSTATUS(status);
        if (code == CHILD_DONE)
            break;
        const int error = code - CHILD_ERROR;
        cr_assert(eq(int, code, CHILD_OK), "%s, allocations from the %ld-th failing: %s (exit %d)", c->name,
                  k, error > 0 && error < (int)TU_COUNT(child_errors) ? child_errors[error] : "the process gave up",
                  code);
    }
    cr_assert(gt(long, k, 1), "%s: the call allocated nothing, so nothing was tried", c->name);
}

static void fail_each_allocation(const scan_case *c)
{
    fail_allocations(c, 100000);
}

/* The default context's topology fails to load for want of memory: the
 * call says PSCAN_ENOMEM, and the next call loads it (the failure was
 * once remembered for the life of the process, as PSCAN_ETOPOLOGY). */
Test(faults, cold_first_call_loads_the_topology)
{
    const scan_case c = {"first call (default context, converting scan)", 1, converting_scan};
    fail_allocations(&c, 1);
}

/* A context of one's own, likewise: its own allocation (k = 1), then
 * hwloc's first one (k = 2) fail. */
Test(faults, context_create_fails_then_works)
{
    pscan_context *ctx = (pscan_context *)&ctx;
    for (long k = 1; k <= 2; ++k) {
        arm(k);
        const pscan_status status = pscan_context_create(&ctx);
        disarm();
        cr_assert(eq(int, (int)status, (int)PSCAN_ENOMEM), "allocation %ld failing", k);
        cr_assert(eq(ptr, ctx, NULL));
    }
    TU_ASSERT_OK(pscan_context_create(&ctx));
    cr_assert(ne(ptr, ctx, NULL));
    pscan_context_destroy(ctx);
}

Test(faults, warm_converting_scan)
{
    const scan_case c = {"converting scan after a good one", 0, converting_scan};
    fail_each_allocation(&c);
}

Test(faults, warm_partial_overlap)
{
    const scan_case c = {"partial overlap after a good one", 0, overlapping_scan};
    fail_each_allocation(&c);
}
