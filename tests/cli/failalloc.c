/*
 * failalloc.c - a preloaded allocator for the tool's fault test
 * (tests/cli/test_faults_cli.py): LD_PRELOAD=libpscan_failalloc.so.
 *
 *   PSCAN_FAIL_ALLOC_AT=k      the k-th allocation after main begins and
 *                              every later one fail (unset or 0: none)
 *   PSCAN_FAIL_ALLOC_COUNT=F   at exit, write to F how many allocations
 *                              main and what it called asked for
 *
 * Counting starts at main (a wrapped __libc_start_main), so the loader and
 * the libraries' constructors are not counted: what fails is what the
 * tool's run asks for. malloc, calloc, realloc, posix_memalign,
 * aligned_alloc, memalign and valloc forward to glibc's __libc_* entry
 * points, which never call back into these (dlsym would allocate).
 * hwloc's topology set-up and load are spared (below). Only for tests;
 * not with the sanitizers, whose runtime owns malloc.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);

static long fail_from;   /* 0: never fail */
static int counting;     /* set when main begins */
static long allocations; /* since main began */

/* > 0 while this thread is inside a library call whose allocations are
 * spared (below). */
static __thread __attribute__((tls_model("initial-exec"))) int spared;

static int allocation_fails(void)
{
    if (!__atomic_load_n(&counting, __ATOMIC_ACQUIRE) || spared)
        return 0;
    const long n = __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return fail_from > 0 && n >= fail_from;
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

static void *aligned(size_t alignment, size_t size)
{
    if (allocation_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    void *p = aligned(alignment, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return aligned(alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
    return aligned(alignment, size);
}

void *valloc(size_t size)
{
    return aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

/* hwloc 2.9 asserts (aborting the process) when an allocation of its
 * component set-up fails, and crashes in its topology load when another
 * does, whoever calls it: what those allocations do is hwloc's, so they
 * are spared (neither failed nor counted). The real entry points are
 * found on the first call, itself spared (dlsym may allocate). */
static void *next_symbol(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

#define SPARED_CALL(name, type, arg)                                              \
    int name(type arg);                                                           \
    int name(type arg)                                                            \
    {                                                                             \
        static int (*real)(type);                                                 \
        spared++;                                                                 \
        if (!real) {                                                              \
            void *symbol = next_symbol(#name);                                    \
            memcpy(&real, &symbol, sizeof real); /* no object-to-function cast */ \
        }                                                                         \
        const int result = real(arg);                                             \
        spared--;                                                                 \
        return result;                                                            \
    }
SPARED_CALL(hwloc_topology_init, void *, topology)
SPARED_CALL(hwloc_topology_load, void *, topology)

/* The count, for the test to size its sweep: written with write(2) only,
 * at any exit that runs the destructors (exit, return from main). */
__attribute__((destructor)) static void report_count(void)
{
    const char *file = getenv("PSCAN_FAIL_ALLOC_COUNT");
    if (!file || !__atomic_load_n(&counting, __ATOMIC_ACQUIRE))
        return;
    char text[32];
    const int len = snprintf(text, sizeof text, "%ld\n", __atomic_load_n(&allocations, 0));
    const int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    if (len > 0)
        (void)!write(fd, text, (size_t)len);
    close(fd);
}

typedef int main_fn(int, char **, char **);
typedef int start_fn(main_fn *, int, char **, void (*)(void), void (*)(void), void (*)(void),
                     void *);
start_fn __libc_start_main;
static main_fn *real_main;

static int counted_main(int argc, char **argv, char **envp)
{
    const char *at = getenv("PSCAN_FAIL_ALLOC_AT");
    fail_from = at ? atol(at) : 0;
    __atomic_store_n(&counting, 1, __ATOMIC_RELEASE);
    return real_main(argc, argv, envp);
}

/* glibc's entry into main, wrapped to start the count there. */
int __libc_start_main(main_fn *main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end)
{
    start_fn *real;
    void *symbol = dlsym(RTLD_NEXT, "__libc_start_main");
    memcpy(&real, &symbol, sizeof real); /* ISO C has no object-to-function cast */
    real_main = main;
    return real(counted_main, argc, argv, init, fini, rtld_fini, stack_end);
}
