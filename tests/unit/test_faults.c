/*
 * test_faults.c - allocation failures never stick.
 *
 * This executable defines malloc, calloc, realloc, posix_memalign and
 * aligned_alloc itself (forwarding to glibc's __libc_* entry points), so
 * every allocation of the process, hwloc's and libgomp's included, can be
 * made to fail from the k-th on (under the sanitizers: pscan's own
 * allocations, through the link's --wrap). Each case runs in a forked child for
 * every k until the call needs fewer allocations than k: a failing call
 * must return the status of the cause (PSCAN_ENOMEM), leave out as it
 * was, and the same call with memory back must succeed with the right
 * values. "Cold" cases are the first pscan call of a process, when the
 * default context loads the machine's topology; "warm" ones follow a
 * successful call.
 *
 * Cold, and in creating a context, only the first allocations fail: hwloc
 * 2.9 asserts (and so aborts the process) when a later allocation of its
 * component set-up fails, in every hwloc_topology_init, which no caller
 * can prevent, so those later ks would test hwloc rather than pscan.
 */
#define _GNU_SOURCE
#define PSCAN_ADVANCED_API

#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------- the failing allocator */

/* Without the sanitizers this executable defines the allocator itself,
 * forwarding to glibc's __libc_* entry points: every allocation of the
 * process counts and can fail. Under the sanitizers, whose runtime owns
 * malloc, the link wraps the calls of this executable and of the static
 * library instead (-Wl,--wrap=malloc,...: tests/CMakeLists.txt), so only
 * pscan's own allocations count and fail, hwloc's and libgomp's not; the
 * sanitizers then watch every failure path pscan takes. */
#ifdef PSCAN_FAULTS_WRAP
#define FAULTY(name) __wrap_##name
void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
int __real_posix_memalign(void **out, size_t alignment, size_t size);
void __real_free(void *ptr);
void *FAULTY(malloc)(size_t size);
void *FAULTY(calloc)(size_t count, size_t size);
void *FAULTY(realloc)(void *ptr, size_t size);
void *FAULTY(aligned_alloc)(size_t alignment, size_t size);
int FAULTY(posix_memalign)(void **out, size_t alignment, size_t size);
void FAULTY(free)(void *ptr);
#define base_malloc __real_malloc
#define base_calloc __real_calloc
#define base_realloc __real_realloc
#define base_aligned_alloc __real_aligned_alloc
#define base_free __real_free
static void *base_memalign(size_t alignment, size_t size)
{
    void *p = NULL;
    return __real_posix_memalign(&p, alignment, size) == 0 ? p : NULL;
}
#else
#define FAULTY(name) name
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *ptr);
#define base_malloc __libc_malloc
#define base_calloc __libc_calloc
#define base_realloc __libc_realloc
#define base_aligned_alloc __libc_memalign
#define base_memalign __libc_memalign
#define base_free __libc_free
#endif

static long fail_from;   /* 0: never fail; k: the k-th allocation on fails */
static long allocations; /* counted since armed */
static long live;        /* blocks allocated and not yet freed: leaks show here */

/* A block handed out (counted live), or NULL. */
static void *counted(void *block)
{
    if (block)
        __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
    return block;
}

static int allocation_fails(void)
{
    if (!fail_from)
        return 0;
    return __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED) >= fail_from;
}

void *FAULTY(malloc)(size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(base_malloc(size));
}

void *FAULTY(calloc)(size_t count, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(base_calloc(count, size));
}

void *FAULTY(realloc)(void *ptr, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return ptr ? base_realloc(ptr, size) : counted(base_realloc(ptr, size));
}

int FAULTY(posix_memalign)(void **out, size_t alignment, size_t size)
{
    if (allocation_fails())
        return ENOMEM;
    void *p = counted(base_memalign(alignment, size));
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *FAULTY(aligned_alloc)(size_t alignment, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(base_aligned_alloc(alignment, size));
}

void FAULTY(free)(void *ptr)
{
    if (ptr)
        __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
    base_free(ptr);
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

/* What a scenario works on: `buf` holds the input (and, for in-place and
 * overlapping scans, the output), `out` the output; both are checked
 * whole. Made with glibc's allocator directly, so they never fail.
 * A warm call reuses its context's workspaces and allocates nothing, so
 * the call under test runs on a context of its own (side 1), fresh, after
 * the same call has run once on another (side 0: the default context, or
 * another described machine) to start the threads and give the answer.
 * Side 2 is a third fresh context where the call runs once, clean, to
 * count what a call and its context's end leave allocated: the failing
 * side must leave no more. */
typedef struct world {
    unsigned char *buf, *out;
    size_t buf_bytes, out_bytes;
    int side;
    pscan_context *ctx[3];
    pscan_stream *stream[3];
} world;

typedef struct scenario {
    const char *name;
    void (*setup)(world *w);
    pscan_status (*call)(world *w);
    int (*check)(const world *w); /* exact result, for cold starts */
    long last_k;                  /* the last allocation made to fail; 0: every one */
} scenario;

static void *raw_buffer(size_t bytes)
{
    void *p = base_malloc(bytes); /* never fails on purpose, never counted */
    cr_assert(ne(ptr, p, NULL));
    return p;
}

static void make_world(world *w, size_t buf_bytes, size_t out_bytes)
{
    memset(w, 0, sizeof *w);
    w->buf = raw_buffer(buf_bytes);
    w->out = raw_buffer(out_bytes ? out_bytes : 1);
    w->buf_bytes = buf_bytes;
    w->out_bytes = out_bytes;
    for (int side = 1; side < 3; ++side)
        cr_assert(eq(int, (int)pscan_context_create(&w->ctx[side]), (int)PSCAN_OK));
}

static pscan_opts two_threads(const world *w)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 2;
    o.ctx = w->ctx[w->side];
    return o;
}

/* 1..N as int32 into int64: a converting load, BLOCKS on 2 threads */
static void setup_converting(world *w)
{
    make_world(w, (size_t)N * 4, (size_t)N * 8);
    for (int32_t i = 0; i < N; ++i)
        memcpy(w->buf + (size_t)i * 4, &(int32_t){i + 1}, 4);
}
static pscan_status call_converting(world *w)
{
    const int64_t n = N;
    pscan_array a = tu_vec(w->buf, PSCAN_INT32, &n), b = tu_vec(w->out, PSCAN_INT64, &n);
    pscan_opts o = two_threads(w);
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}
static int check_converting(const world *w)
{
    for (int64_t i = 0; i < N; ++i) {
        int64_t v;
        memcpy(&v, w->out + (size_t)i * 8, 8);
        if (v != (i + 1) * (i + 2) / 2)
            return 0;
    }
    return 1;
}

/* int64 in and out overlapping by half a lane: pscan copies in first */
static void setup_overlap(world *w)
{
    make_world(w, (size_t)N * 8, 0);
    for (int64_t i = 0; i < N; ++i)
        memcpy(w->buf + (size_t)i * 8, &(int64_t){i + 1}, 8);
}
static pscan_status call_overlap(world *w)
{
    const int64_t n = N / 2;
    pscan_array a = tu_vec(w->buf, PSCAN_INT64, &n),
                b = tu_vec(w->buf + N / 4 * 8, PSCAN_INT64, &n);
    pscan_opts o = two_threads(w);
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}

/* A segmented scan whose out overlaps its input and its keys (the input
 * itself): both copied, then the scan's scratch. */
static pscan_status call_segmented(world *w)
{
    const int64_t n = N / 2;
    pscan_array a = tu_vec(w->buf, PSCAN_INT64, &n),
                b = tu_vec(w->buf + N / 4 * 8, PSCAN_INT64, &n);
    const pscan_segments keys = {PSCAN_SEGMENT_KEYS, a};
    pscan_opts o = two_threads(w);
    return pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &b, &keys, &o);
}

/* Random float64 values (a few NaN) of `count` elements. */
static void fill_doubles(unsigned char *p, int64_t count)
{
    uint64_t seed = 11;
    for (int64_t i = 0; i < count; ++i) {
        const double x = i % 97 == 5 ? NAN : tu_rand_unit(&seed) - 0.5;
        memcpy(p + (size_t)i * 8, &x, 8);
    }
}
static void setup_doubles(world *w)
{
    make_world(w, (size_t)N * 8, (size_t)N * 8);
    fill_doubles(w->buf, N);
}
static pscan_status call_with_flags(world *w, unsigned flags)
{
    const int64_t n = N;
    pscan_array a = tu_vec(w->buf, PSCAN_FLOAT64, &n), b = tu_vec(w->out, PSCAN_FLOAT64, &n);
    pscan_opts o = two_threads(w);
    o.flags = flags;
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}
/* skip-NaN and reverse: the flags' paths */
static pscan_status call_flags(world *w)
{
    return call_with_flags(w, PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_REVERSE);
}
static pscan_status call_compensated(world *w)
{
    return call_with_flags(w, PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_SKIP_NAN);
}
/* the linear recurrence: out one element ahead of b in the same buffer
 * (b copied first), a constant float32 (0 stride, converted a block at a
 * time), a 0-d y0, reverse and exclusive, blocks on 2 threads */
static void setup_recurrence(world *w)
{
    make_world(w, (size_t)(N + 1) * 8, 0);
    fill_doubles(w->buf, N + 1);
}
static pscan_status call_recurrence(world *w)
{
    static const float half = 0.5f;
    static const double y0 = 2.0;
    const int64_t n = N, zero = 0;
    pscan_array a = tu_arr((void *)(uintptr_t)&half, PSCAN_FLOAT32, 1, &n, &zero),
                b = tu_vec(w->buf, PSCAN_FLOAT64, &n), out = tu_vec(w->buf + 8, PSCAN_FLOAT64, &n),
                y = tu_arr((void *)(uintptr_t)&y0, PSCAN_FLOAT64, 0, NULL, NULL);
    pscan_opts o = two_threads(w);
    o.flags = PSCAN_FLAG_REVERSE | PSCAN_FLAG_EXCLUSIVE;
    return pscan_linear_recurrence(&a, &b, 0, &y, &out, &o);
}
/* both axes of a 1024 x 1024 image: the summed-area table */
static pscan_status call_axes_flagged(world *w, unsigned flags)
{
    const int64_t shape[2] = {1024, N / 1024};
    const int axes[2] = {0, 1};
    pscan_array a = tu_arr(w->buf, PSCAN_FLOAT64, 2, shape, NULL),
                b = tu_arr(w->out, PSCAN_FLOAT64, 2, shape, NULL);
    pscan_opts o = two_threads(w);
    o.flags = flags;
    return pscan_scan_axes(PSCAN_SUM, &a, 2, axes, PSCAN_DTYPE_DEFAULT, &b, &o);
}
static pscan_status call_axes(world *w)
{
    return call_axes_flagged(w, 0);
}

/* int16 rows: LANES along axis 1 of (N/256, 256), PANEL along axis 0 */
static void setup_int16(world *w)
{
    make_world(w, (size_t)N * 2, (size_t)N * 8);
    for (int64_t i = 0; i < N; ++i)
        memcpy(w->buf + (size_t)i * 2, &(int16_t){(int16_t)(i % 1000 - 500)}, 2);
}
static pscan_status call_int16_axis(world *w, int axis)
{
    const int64_t shape[2] = {N / 256, 256};
    pscan_array a = tu_arr(w->buf, PSCAN_INT16, 2, shape, NULL),
                b = tu_arr(w->out, PSCAN_INT64, 2, shape, NULL);
    pscan_opts o = two_threads(w);
    return pscan_cumsum(&a, axis, PSCAN_DTYPE_DEFAULT, &b, &o);
}
static pscan_status call_lanes(world *w)
{
    return call_int16_axis(w, 1);
}
static pscan_status call_panel(world *w)
{
    return call_int16_axis(w, 0);
}

/* Pieces of a scan (the advanced API) that hand their states on: an
 * exclusive piece of int16 columns from given states into a Fortran-
 * ordered out (its last row folded into the states after the scan), a
 * tiled float one (scanned whole, then moved up), and the reduction. */
static pscan_status call_exclusive_piece(world *w)
{
    const int64_t shape[2] = {N / 256, 256}, f_strides[2] = {8, (N / 256) * 8};
    pscan_array a = tu_arr(w->buf, PSCAN_INT16, 2, shape, NULL),
                b = tu_arr(w->out, PSCAN_INT64, 2, shape, f_strides);
    pscan_opts o = two_threads(w);
    o.flags = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_CHECK_OVERFLOW;
    int64_t state_in[256], state_out[256];
    for (int k = 0; k < 256; ++k)
        state_in[k] = k;
    return pscan_scan_carry_state(PSCAN_SUM, &a, 0, PSCAN_INT64, &b, &o, state_in, state_out);
}
static pscan_status call_tiled_piece(world *w)
{
    const int64_t n = N;
    pscan_array a = tu_vec(w->buf, PSCAN_FLOAT64, &n), b = tu_vec(w->out, PSCAN_FLOAT64, &n);
    pscan_opts o = two_threads(w);
    o.flags = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_COMPENSATED;
    double state_in[2] = {0.5, 0}, state_out[2];
    return pscan_scan_carry_state(PSCAN_SUM, &a, 0, PSCAN_FLOAT64, &b, &o, state_in, state_out);
}
static pscan_status call_reduction(world *w)
{
    const int64_t shape[2] = {N / 256, 256};
    pscan_array a = tu_arr(w->buf, PSCAN_INT16, 2, shape, NULL);
    pscan_opts o = two_threads(w);
    int64_t states[256];
    return pscan_scan_reduce_state(PSCAN_SUM, &a, 0, PSCAN_INT64, &o, NULL, states);
}
/* a flagged summed-area table: the chain through scratch */
static pscan_status call_flagged_axes(world *w)
{
    return call_axes_flagged(w, PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE);
}

/* SPANS: a described machine of two NUMA nodes, 4 threads */
static void setup_spans(world *w)
{
    setup_doubles(w);
    for (int side = 0; side < 3; ++side) {
        pscan_context_destroy(w->ctx[side]);
        cr_assert(eq(int, (int)pscan_context_create_synthetic("numa:2 core:2 pu:1", &w->ctx[side]),
                     (int)PSCAN_OK));
    }
}
static pscan_status call_spans(world *w)
{
    const int64_t n = N;
    pscan_array a = tu_vec(w->buf, PSCAN_FLOAT64, &n), b = tu_vec(w->out, PSCAN_FLOAT64, &n);
    pscan_opts o = two_threads(w);
    o.threads = 4;
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}

/* a stream of 256 int64 lanes: one chunk of int32 steps from a set total */
static void setup_stream(world *w)
{
    make_world(w, (size_t)N * 4, (size_t)N * 8);
    for (int32_t i = 0; i < N; ++i)
        memcpy(w->buf + (size_t)i * 4, &(int32_t){i % 7}, 4);
    const int64_t lanes[1] = {256};
    for (w->side = 0; w->side < 3; ++w->side) {
        pscan_opts o = two_threads(w);
        cr_assert(eq(int,
                     (int)pscan_stream_create(&w->stream[w->side], PSCAN_SUM, PSCAN_INT64, 1, lanes,
                                              PSCAN_STREAM_STEPS, &o),
                     (int)PSCAN_OK));
    }
    w->side = 0;
}
static pscan_status call_stream(world *w)
{
    int64_t start[256];
    for (int k = 0; k < 256; ++k)
        start[k] = k;
    cr_assert(eq(int, (int)pscan_stream_set_total(w->stream[w->side], start), (int)PSCAN_OK));
    const int64_t shape[2] = {N / 256, 256};
    pscan_array a = tu_arr(w->buf, PSCAN_INT32, 2, shape, NULL),
                b = tu_arr(w->out, PSCAN_INT64, 2, shape, NULL);
    const pscan_status status = pscan_stream_push(w->stream[w->side], &a, &b);
    int64_t total[256];
    cr_assert(eq(int, (int)pscan_stream_total(w->stream[w->side], total), (int)PSCAN_OK));
    /* a failed push leaves the stream as it was */
    if (status != PSCAN_OK && memcmp(total, start, sizeof start) != 0)
        return PSCAN_EOPTS;
    return status;
}

/* out (N/2, 2) of int64 with byte strides (16, 24): rows interleaved with
 * each other but no two elements sharing a byte (out's bytes 8 and N * 8
 * are never written), a layout only the exact self-alias check, which
 * lists every offset in the workspace, can accept */
static void setup_interleaved(world *w)
{
    make_world(w, (size_t)N * 8, (size_t)(N + 2) * 8);
    for (int64_t i = 0; i < N; ++i)
        memcpy(w->buf + (size_t)i * 8, &(int64_t){i % 1000}, 8);
}
static pscan_status call_interleaved(world *w)
{
    const int64_t shape[2] = {N / 2, 2}, strides[2] = {16, 24};
    pscan_array a = tu_arr(w->buf, PSCAN_INT64, 2, shape, NULL),
                b = tu_arr(w->out, PSCAN_INT64, 2, shape, strides);
    pscan_opts o = two_threads(w);
    return pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o);
}

/* the context's plan as text, kept in out only when complete (a failed
 * call may have started the text) */
static void setup_text(world *w)
{
    make_world(w, 8, 4096);
    memset(w->buf, 0, 8);
}
static pscan_status call_describe(world *w)
{
    char text[4096] = {0};
    const pscan_status status =
        pscan_context_describe(w->ctx[w->side], 1000000, 4, text, sizeof text);
    if (status == PSCAN_OK)
        memcpy(w->out, text, sizeof text);
    return status;
}

/* first-touch memory: how many of its pages are not zero is written to out */
static void setup_small(world *w)
{
    make_world(w, 8, 8);
    memset(w->buf, 0, 8);
}
static pscan_status call_alloc(world *w)
{
    void *memory = NULL;
    pscan_opts o = two_threads(w);
    const pscan_status status = pscan_alloc((size_t)N * 8, &o, &memory);
    if (status == PSCAN_OK) {
        int64_t nonzero = 0;
        for (size_t i = 0; i < (size_t)N * 8; i += 4096)
            nonzero += ((unsigned char *)memory)[i] != 0;
        memcpy(w->out, &nonzero, 8);
        pscan_free(memory);
    } else if (memory) {
        return PSCAN_EOPTS;
    }
    return status;
}

/* Destroy the current side's stream and context: what stays allocated
 * after that was left by the calls. */
static void end_side(world *w)
{
    pscan_stream_destroy(w->stream[w->side]);
    pscan_context_destroy(w->ctx[w->side]);
    w->stream[w->side] = NULL;
    w->ctx[w->side] = NULL;
}

/* Exit codes of a child: CHILD_OK (failed cleanly, then succeeded; or did
 * without the memory, as pscan_alloc does without its plan), CHILD_DONE
 * (k was past the call's allocations: it succeeded armed),
 * CHILD_ERROR + 1..9 what went wrong (other codes: something in the
 * process gave up, as libgomp does with exit(1) when it cannot allocate). */
/* The call's answer is in buf and out: the exact one for a cold start,
 * else the reference the warm-up call left. */
static int answer_is_right(const scenario *c, int cold, const world *w,
                           const unsigned char *reference)
{
    return cold ? c->check(w)
                : !memcmp(reference, w->buf, w->buf_bytes) &&
                      !memcmp(reference + w->buf_bytes, w->out, w->out_bytes);
}

/* Once the side's context is gone, more blocks are live than `before` plus
 * what a clean call leaves: the calls since `before` leaked. */
static int leaked(int cold, world *w, long before, long clean_left)
{
    if (cold)
        return 0;
    end_side(w);
    return live - before > clean_left;
}

static int run_child(const scenario *c, int cold, long k)
{
    world w;
    c->setup(&w);
    unsigned char *buf_start = raw_buffer(w.buf_bytes), *out_start = raw_buffer(w.out_bytes + 1);
    unsigned char *reference = raw_buffer(w.buf_bytes + w.out_bytes);
    memcpy(buf_start, w.buf, w.buf_bytes);
    memset(w.out, 0x5A, w.out_bytes);
    memcpy(out_start, w.out, w.out_bytes);
    w.side = 0;
    long clean_left = 0; /* blocks a clean call and its context's end leave */
    if (!cold) {         /* warm up, and keep the right answer */
        if (c->call(&w) != PSCAN_OK)
            return CHILD_ERROR + 8;
        memcpy(reference, w.buf, w.buf_bytes);
        memcpy(reference + w.buf_bytes, w.out, w.out_bytes);
        w.side = 2;
        memcpy(w.buf, buf_start, w.buf_bytes);
        const long before = live;
        if (c->call(&w) != PSCAN_OK)
            return CHILD_ERROR + 8;
        end_side(&w);
        clean_left = live - before;
        w.side = 1;
        memcpy(w.buf, buf_start, w.buf_bytes);
        memcpy(w.out, out_start, w.out_bytes);
    }
    const long before = live;
    arm(k);
    const pscan_status status = c->call(&w);
    const long used = disarm();
    if (status == PSCAN_OK) { /* no allocation failed, or the call did without it */
        if (!answer_is_right(c, cold, &w, reference))
            return CHILD_ERROR + 1;
        if (leaked(cold, &w, before, clean_left))
            return CHILD_ERROR + 6;
        return used < k ? CHILD_DONE : CHILD_OK;
    }
    if (status != PSCAN_ENOMEM)
        return CHILD_ERROR + 2;
    if (memcmp(w.buf, buf_start, w.buf_bytes) != 0 || memcmp(w.out, out_start, w.out_bytes) != 0)
        return CHILD_ERROR + 3; /* a failed call wrote */
    if (c->call(&w) != PSCAN_OK)
        return CHILD_ERROR + 4; /* the failure stuck */
    if (!answer_is_right(c, cold, &w, reference))
        return CHILD_ERROR + 5;
    if (leaked(cold, &w, before, clean_left))
        return CHILD_ERROR + 6;
    return CHILD_OK;
}

static const char *const child_errors[] = {
    "ok",
    "succeeded with a wrong result",
    "returned another status than PSCAN_ENOMEM (or changed what it must not)",
    "wrote although it failed",
    "failed again with memory back (the failure stuck)",
    "gave a wrong result with memory back",
    "left more allocated, once its context was destroyed, than a clean call does (a leak)",
    "",
    "the warm-up call failed",
    ""};

/* Fail the k-th allocation on, for k = 1, 2, ... up to last_k or until
 * the call needs fewer: returns how many ks failed the call. */
static long fail_allocations(const scenario *c, int cold)
{
    long k = 1;
    for (; k <= (c->last_k ? c->last_k : 100000); ++k) {
        const pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0)
            _exit(run_child(c, cold, k));
        int status;
        waitpid(pid, &status, 0);
        cr_assert(eq(int, WIFEXITED(status), 1),
                  "%s, allocation %ld failing: the child died (signal %d)", c->name, k,
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        const int code = WEXITSTATUS(status);
        if (code == CHILD_DONE)
            break;
        const int error = code - CHILD_ERROR;
        cr_assert(eq(int, code, CHILD_OK), "%s, allocations from the %ld-th failing: %s (exit %d)",
                  c->name, k,
                  error > 0 && error < (int)TU_COUNT(child_errors) ? child_errors[error]
                                                                   : "the process gave up",
                  code);
    }
    cr_assert(k > 1, "%s: the call allocated nothing, so nothing was tried", c->name);
    return k - 1;
}

/* The default context's topology fails to load for want of memory: the
 * call says PSCAN_ENOMEM, and the next call loads it (the failure was
 * once remembered for the life of the process, as PSCAN_ETOPOLOGY). */
Test(faults, cold_first_call_loads_the_topology)
{
    const scenario c = {"first call (default context, converting scan)", setup_converting,
                        call_converting, check_converting, 1};
    fail_allocations(&c, 1);
}

/* A context of one's own, likewise: its own allocation (k = 1), then
 * hwloc's first one (k = 2) fail; hwloc's only where this executable owns
 * the allocator (not under the sanitizers' --wrap). */
#ifdef PSCAN_FAULTS_WRAP
enum { CREATE_LAST_K = 1 };
#else
enum { CREATE_LAST_K = 2 };
#endif
Test(faults, context_create_fails_then_works)
{
    pscan_context *ctx = (pscan_context *)&ctx;
    for (long k = 1; k <= CREATE_LAST_K; ++k) {
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

/* After a good call, every allocation of each of these, in turn. */
Test(faults, warm_every_allocation_of_each_path)
{
    const scenario scenarios[] = {
        {"converting scan (BLOCKS, buffers)", setup_converting, call_converting, NULL, 0},
        {"partial overlap (in copied first)", setup_overlap, call_overlap, NULL, 0},
        {"segmented, out over in and keys", setup_overlap, call_segmented, NULL, 0},
        {"skip-NaN and reverse", setup_doubles, call_flags, NULL, 0},
        {"compensated skip-NaN", setup_doubles, call_compensated, NULL, 0},
        {"axes (0, 1) of an image", setup_doubles, call_axes, NULL, 0},
        {"int16 rows along axis 1 (LANES)", setup_int16, call_lanes, NULL, 0},
        {"int16 along axis 0 (PANEL)", setup_int16, call_panel, NULL, 0},
        {"SPANS on a described 2-node machine", setup_spans, call_spans, NULL, 0},
        {"stream push from a set total", setup_stream, call_stream, NULL, 0},
        {"exclusive piece handing its states on", setup_int16, call_exclusive_piece, NULL, 0},
        {"tiled compensated exclusive piece", setup_doubles, call_tiled_piece, NULL, 0},
        {"reduction of int16 columns", setup_int16, call_reduction, NULL, 0},
        {"flagged axes (0, 1): exclusive, reverse", setup_doubles, call_flagged_axes, NULL, 0},
        {"interleaved out (exact self-alias check)", setup_interleaved, call_interleaved, NULL, 0},
        {"linear recurrence (b copied, a converted)", setup_recurrence, call_recurrence, NULL, 0},
        {"pscan_context_describe", setup_text, call_describe, NULL, 0},
        /* its plan's allocation; the binding's own (inside hwloc 2.9's Linux
         * binding) is not checked by hwloc and crashes there */
        {"pscan_alloc", setup_small, call_alloc, NULL, 1},
    };
    long tried = 0;
    for (size_t k = 0; k < TU_COUNT(scenarios); ++k) {
        const long n = fail_allocations(&scenarios[k], 0);
        cr_log_info("%s: %ld", scenarios[k].name, n);
        tried += n;
    }
    cr_log_info("%ld failing allocations tried over %zu paths", tried, TU_COUNT(scenarios));
}
