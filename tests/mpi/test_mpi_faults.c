/* test_mpi_faults.c - the distributed scan under allocation failure, on 2
 * ranks (mpirun -np 2).
 *
 * This executable defines malloc, calloc, realloc, posix_memalign and
 * aligned_alloc (forwarding to glibc's __libc_* entry points). Armed on
 * one rank, the k-th allocation on that rank and every later one fail,
 * for k = 1, 2, ... until the call needs fewer. Only allocations that
 * libpscan or libpscan_mpi ask for themselves fail (the caller's address
 * lies in one of them): Open MPI gives up on the whole job when its own
 * allocations fail, and libgomp's and hwloc's are tried in one process by
 * tests/unit/test_faults.c. For every k, on the failing rank 0 and then 1,
 * on a fresh context (cold: its first call allocates its workspace) and
 * on one that already scanned (warm):
 *   - every rank returns PSCAN_ENOMEM (or PSCAN_OK with the right values
 *     when the call did without the memory), none hangs;
 *   - the failing rank's out is untouched; another rank's out is untouched
 *     or holds its whole part of the right result, never other values
 *     (pscan_mpi.h: a failure in the last step, the local scans, cannot
 *     undo a rank that already scanned);
 *   - the same call with memory back succeeds with the values of a clean
 *     call on every rank;
 *   - once the context is destroyed, no more blocks are live than before.
 * Exit status 0 when every check passed on every rank. */
#define _GNU_SOURCE
#define PSCAN_ADVANCED_API
#include <pscan_mpi.h>

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

/* ------------------------------------------------- the failing allocator */

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *ptr);

/* The address ranges of libpscan and libpscan_mpi. */
typedef struct range {
    uintptr_t from, to;
} range;
static range pscan_code[2];

static long fail_from;   /* 0: never fail; k: pscan's k-th allocation on fails */
static long allocations; /* pscan's, counted since armed */
static long live;        /* blocks pscan allocated and did not free yet */

/* The blocks pscan allocated: an open-addressed set of addresses (Open
 * MPI's blocks come and go with its caches, so only pscan's are counted). */
enum { SLOTS = 1 << 16 };
static uintptr_t slots[SLOTS]; /* 0 empty, 1 a removed entry */

static size_t slot_of(uintptr_t p)
{
    return (size_t)((p >> 4) * 0x9E3779B97F4A7C15u >> 48) & (SLOTS - 1);
}

static void remember(void *block)
{
    const uintptr_t p = (uintptr_t)block;
    for (size_t k = slot_of(p), n = 0; n < SLOTS; k = (k + 1) & (SLOTS - 1), n++) {
        uintptr_t seen = __atomic_load_n(&slots[k], __ATOMIC_RELAXED);
        if ((seen == 0 || seen == 1) &&
            __atomic_compare_exchange_n(&slots[k], &seen, p, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

static void forget(void *block)
{
    const uintptr_t p = (uintptr_t)block;
    for (size_t k = slot_of(p), n = 0; n < SLOTS; k = (k + 1) & (SLOTS - 1), n++) {
        uintptr_t seen = __atomic_load_n(&slots[k], __ATOMIC_ACQUIRE);
        if (seen == 0)
            return;
        if (seen == p && __atomic_compare_exchange_n(&slots[k], &seen, 1, 0, __ATOMIC_ACQ_REL,
                                                     __ATOMIC_RELAXED)) {
            __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

static int from_pscan(const void *caller)
{
    const uintptr_t at = (uintptr_t)caller;
    for (int k = 0; k < 2; k++)
        if (at >= pscan_code[k].from && at < pscan_code[k].to)
            return 1;
    return 0;
}

static int allocation_fails(const void *caller)
{
    if (!__atomic_load_n(&fail_from, __ATOMIC_ACQUIRE) || !from_pscan(caller))
        return 0;
    return __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED) >= fail_from;
}

/* A block handed out, remembered when pscan asked for it. */
static void *counted_for(const void *caller, void *block)
{
    if (block && from_pscan(caller))
        remember(block);
    return block;
}
#define counted(block) counted_for(__builtin_return_address(0), block)

void *malloc(size_t size)
{
    if (allocation_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(__libc_malloc(size));
}

void *calloc(size_t count, size_t size)
{
    if (allocation_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(__libc_calloc(count, size));
}

void *realloc(void *ptr, size_t size)
{
    if (allocation_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    void *moved = __libc_realloc(ptr, size);
    if (moved && ptr) {
        forget(ptr);
        return counted(moved);
    }
    return ptr ? moved : counted(moved);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (allocation_fails(__builtin_return_address(0)))
        return ENOMEM;
    void *p = counted(__libc_memalign(alignment, size));
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (allocation_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return counted(__libc_memalign(alignment, size));
}

void free(void *ptr)
{
    if (ptr)
        forget(ptr);
    __libc_free(ptr);
}

/* The loaded segments of the object at `base`. */
typedef struct find_object {
    uintptr_t base;
    range found;
} find_object;

static int find_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    find_object *f = arg;
    if (info->dlpi_addr != f->base)
        return 0;
    f->found.from = UINTPTR_MAX;
    for (int k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        if (ph->p_type != PT_LOAD)
            continue;
        const uintptr_t from = info->dlpi_addr + ph->p_vaddr, to = from + ph->p_memsz;
        if (from < f->found.from)
            f->found.from = from;
        if (to > f->found.to)
            f->found.to = to;
    }
    return 1;
}

static range object_of(const void *symbol)
{
    Dl_info info;
    find_object f = {0, {0, 0}};
    if (dladdr(symbol, &info) && info.dli_fbase) {
        f.base = (uintptr_t)info.dli_fbase;
        dl_iterate_phdr(find_segments, &f);
    }
    return f.found;
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

enum { N = 3 << 16 }; /* the global length: rank 0 a third, rank 1 the rest */

typedef struct fault_case {
    const char *name;
    pscan_op op;
    pscan_dtype in_dtype, out_dtype;
    unsigned flags;
    int lanes; /* > 0: (rows, lanes) scanned along axis 0; else 1-D */
} fault_case;

/* One rank's arrays and the clean result. */
typedef struct part {
    unsigned char *in, *out, *want, *before;
    size_t in_bytes, out_bytes;
    pscan_array a, b;
    int64_t shape[2];
} part;

static void *raw(size_t bytes)
{
    void *p = __libc_malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "rank %d: out of memory for the test's own buffers\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    return p;
}

static void make_part(const fault_case *c, part *p)
{
    const int64_t start = rank == 0 ? 0 : N / 3, len = rank == 0 ? N / 3 : N - N / 3;
    const int64_t rows = c->lanes > 0 ? len / c->lanes : len;
    const int64_t count = c->lanes > 0 ? rows * c->lanes : len;
    const size_t in_item = pscan_dtype_size(c->in_dtype), out_item = pscan_dtype_size(c->out_dtype);
    p->in_bytes = (size_t)count * in_item;
    p->out_bytes = (size_t)count * out_item;
    p->in = raw(p->in_bytes);
    p->out = raw(p->out_bytes);
    p->want = raw(p->out_bytes);
    p->before = raw(p->out_bytes);
    for (int64_t i = 0; i < count; i++) {
        const int64_t g = start + i;
        if (c->in_dtype == PSCAN_INT32) {
            const int32_t v = (int32_t)(g % 1000 - 400);
            memcpy(p->in + i * 4, &v, 4);
        } else if (c->in_dtype == PSCAN_INT64) {
            const int64_t v = (int64_t)1 << 40 | g % 977;
            memcpy(p->in + i * 8, &v, 8);
        } else {
            const double v = g % 101 == 7 ? NAN : sin((double)g) * 1e3;
            memcpy(p->in + i * 8, &v, 8);
        }
    }
    for (size_t i = 0; i < p->out_bytes; i++)
        p->before[i] = (unsigned char)(0x5A ^ i);
    p->shape[0] = rows;
    p->shape[1] = c->lanes;
    const int ndim = c->lanes > 0 ? 2 : 1;
    p->a = (pscan_array){p->in, c->in_dtype, ndim, p->shape, NULL};
    p->b = (pscan_array){p->out, c->out_dtype, ndim, p->shape, NULL};
}

static void free_part(part *p)
{
    __libc_free(p->in);
    __libc_free(p->out);
    __libc_free(p->want);
    __libc_free(p->before);
}

static pscan_status call(const fault_case *c, part *p, pscan_context *ctx)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 2;
    o.flags = c->flags;
    o.ctx = ctx;
    memcpy(p->out, p->before, p->out_bytes);
    return pscan_mpi_scan(MPI_COMM_WORLD, c->op, &p->a, c->lanes > 0 ? 0 : PSCAN_AXIS_NONE,
                          c->out_dtype, &p->b, &o);
}

static int untouched(const part *p)
{
    return memcmp(p->out, p->before, p->out_bytes) == 0;
}

static int right(const part *p)
{
    return memcmp(p->out, p->want, p->out_bytes) == 0;
}

/* The clean result, checked against the exact global sum for the integer
 * case (test_mpi checks every case against one process's scan). */
static void clean_result(const fault_case *c, part *p)
{
    pscan_context *ctx;
    CHECK(pscan_context_create(&ctx) == PSCAN_OK, "%s: context", c->name);
    CHECK(call(c, p, ctx) == PSCAN_OK, "%s: the clean call failed", c->name);
    pscan_context_destroy(ctx);
    memcpy(p->want, p->out, p->out_bytes);
    if (c->in_dtype == PSCAN_INT32 && c->lanes == 0) {
        int64_t sum = 0;
        for (int64_t g = 0; g < (rank == 0 ? 0 : N / 3); g++)
            sum += g % 1000 - 400;
        int wrong = 0;
        for (int64_t i = 0; i < p->shape[0]; i++) {
            int32_t v;
            int64_t got;
            memcpy(&v, p->in + i * 4, 4);
            sum += v;
            memcpy(&got, p->out + i * 8, 8);
            wrong += got != sum;
        }
        CHECK(!wrong, "%s: the clean call gave %d wrong values", c->name, wrong);
    }
}

/* Every k on `failing`'s side, cold or warm: how many ks failed the call. */
static long sweep(const fault_case *c, part *p, int failing, int warm)
{
    long k = 1;
    for (; k <= 10000; k++) {
        const long live_before = live;
        pscan_context *ctx;
        CHECK(pscan_context_create(&ctx) == PSCAN_OK, "%s: context", c->name);
        if (warm)
            CHECK(call(c, p, ctx) == PSCAN_OK && right(p), "%s: the warm-up call", c->name);
        if (rank == failing)
            arm(k);
        const pscan_status status = call(c, p, ctx);
        long used = disarm();
        const int was_untouched = untouched(p), was_right = right(p);
        MPI_Allreduce(MPI_IN_PLACE, &used, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
        const char *side = warm ? "warm" : "cold";
        if (status == PSCAN_OK) {
            CHECK(was_right, "%s, %s, rank %d's allocation %ld on failing: succeeded, wrong values",
                  c->name, side, failing, k);
        } else {
            CHECK(status == PSCAN_ENOMEM, "%s, %s, rank %d's allocation %ld on failing: status %d",
                  c->name, side, failing, k, (int)status);
            if (rank == failing)
                CHECK(was_untouched, "%s, %s, rank %d's allocation %ld on failing: out written",
                      c->name, side, failing, k);
            else
                CHECK(was_untouched || was_right,
                      "%s, %s, rank %d's allocation %ld on failing: out partly written", c->name,
                      side, failing, k);
            CHECK(call(c, p, ctx) == PSCAN_OK && right(p),
                  "%s, %s, rank %d's allocation %ld on failing: the failure stuck", c->name, side,
                  failing, k);
        }
        pscan_context_destroy(ctx);
        CHECK(live == live_before, "%s, %s, rank %d's allocation %ld on failing: %ld blocks leaked",
              c->name, side, failing, k, live - live_before);
        /* every rank agrees the call is done (failing statuses are already
         * the same everywhere) */
        int done = status == PSCAN_OK && used < k;
        MPI_Allreduce(MPI_IN_PLACE, &done, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (done)
            break;
    }
    CHECK(k > 1, "%s: rank %d's call allocated nothing, so nothing was tried", c->name, failing);
    return k - 1;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (ranks != 2) {
        if (rank == 0)
            fprintf(stderr, "test_mpi_faults runs on 2 ranks (mpirun -np 2)\n");
        MPI_Finalize();
        return 2;
    }
    pscan_code[0] = object_of((const void *)(uintptr_t)pscan_scan);
    pscan_code[1] = object_of((const void *)(uintptr_t)pscan_mpi_scan);
    CHECK(pscan_code[0].to > pscan_code[0].from && pscan_code[1].to > pscan_code[1].from,
          "libpscan or libpscan_mpi not found among the loaded objects");
    const fault_case cases[] = {
        {"int32 into int64, flat", PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, 0, 0},
        {"compensated skip-NaN reverse float64", PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64,
         PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_REVERSE, 0},
        {"checked int64 columns, exclusive", PSCAN_SUM, PSCAN_INT64, PSCAN_INT64,
         PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE, 64},
        {"max of float64 columns", PSCAN_MAX, PSCAN_FLOAT64, PSCAN_FLOAT64, 0, 256},
    };
    long tried = 0;
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
        part p;
        make_part(&cases[n], &p);
        clean_result(&cases[n], &p);
        for (int failing = 0; failing < 2; failing++)
            for (int warm = 0; warm < 2; warm++) {
                const long ks = sweep(&cases[n], &p, failing, warm);
                if (rank == 0)
                    printf("%s, rank %d failing, %s: %ld allocations failed in turn\n",
                           cases[n].name, failing, warm ? "warm" : "cold", ks);
                tried += ks;
            }
        free_part(&p);
    }
    const int all = mpi_check_failures();
    if (rank == 0)
        printf("%ld failing allocations tried over %zu cases; %s\n", tried,
               sizeof cases / sizeof cases[0], all ? "FAILED" : "all passed");
    MPI_Finalize();
    return all ? 1 : 0;
}
