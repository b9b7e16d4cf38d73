/* result_cache.c - freed results' memory, kept for the next result. */
#include "result_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* A block is a page longer than its result, which starts half a page
 * past its input modulo the page: a result within a few hundred bytes of
 * its input modulo 4 KiB (a load of the input looking like an alias of a
 * recent store to the result) scans at half speed, 0.19-0.23 s against
 * 0.10 s for 2^26 float64 on 2 threads here (perf/RESULTS.md, "Python
 * results from a page cache"). */
enum { BLOCK_SLACK = 4096, FROM_INPUT = 2048 };

struct result_block {
    void *memory;
    size_t bytes;                /* pscan_alloc's length: a result's bytes plus BLOCK_SLACK */
    result_block *newer, *older; /* links while held, newest first */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static result_block *newest, *oldest;
static result_cache_stats stats;

size_t result_cache_default_max(void)
{
    const size_t gib = (size_t)1 << 30;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return gib;
    size_t eighth = (size_t)pages / 8 * (size_t)page;
    return eighth < gib ? eighth : gib;
}

int result_cache_parse_bytes(const char *text, size_t *bytes)
{
    size_t value = 0;
    const char *at = text;
    for (; *at >= '0' && *at <= '9'; at++)
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, (size_t)(*at - '0'), &value))
            return -1;
    if (at == text)
        return -1;
    int shift = 0;
    switch (*at) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 't':
    case 'T':
        shift = 40;
        break;
    default:
        return -1;
    }
    if (shift && (at[1] != '\0' || value > (SIZE_MAX >> shift)))
        return -1;
    *bytes = value << shift;
    return 0;
}

/* The lock is held across fork(), so a child never inherits it taken by a
 * thread that does not exist there; the child's list is a copy of a
 * consistent one (its blocks are the child's private copies). */
static void lock_before_fork(void)
{
    pthread_mutex_lock(&cache_lock);
}

static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&cache_lock);
}

int result_cache_start(size_t max_bytes)
{
    static int fork_handlers;
    if (!fork_handlers) {
        if (pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork) != 0)
            return -1;
        fork_handlers = 1;
    }
    pthread_mutex_lock(&cache_lock);
    stats.max_bytes = max_bytes;
    pthread_mutex_unlock(&cache_lock);
    return 0;
}

static void unlink_block(result_block *block)
{
    if (block->newer)
        block->newer->older = block->older;
    else
        newest = block->older;
    if (block->older)
        block->older->newer = block->newer;
    else
        oldest = block->newer;
    stats.bytes -= block->bytes;
    stats.blocks--;
}

/* Under the lock: the oldest blocks out until the cap holds, chained
 * through `older` for release_chain. */
static result_block *evict_over_cap(void)
{
    result_block *chain = NULL;
    while (oldest && stats.bytes > stats.max_bytes) {
        result_block *block = oldest;
        unlink_block(block);
        block->older = chain;
        chain = block;
    }
    return chain;
}

/* Outside the lock: munmap of a large mapping takes milliseconds. */
static size_t release_chain(result_block *chain)
{
    size_t bytes = 0;
    while (chain) {
        result_block *next = chain->older;
        bytes += chain->bytes;
        pscan_free(chain->memory);
        free(chain);
        chain = next;
    }
    return bytes;
}

void result_cache_stop(void)
{
    (void)result_cache_set_max(0);
}

result_block *result_cache_take(size_t bytes)
{
    if (bytes > SIZE_MAX - BLOCK_SLACK)
        return NULL;
    bytes += BLOCK_SLACK;
    pthread_mutex_lock(&cache_lock);
    result_block *best = NULL;
    for (result_block *block = newest; block; block = block->older)
        if (bytes <= block->bytes && block->bytes - bytes <= block->bytes / 8 &&
            (!best || block->bytes < best->bytes))
            best = block;
    if (best) {
        unlink_block(best);
        best->newer = best->older = NULL;
        stats.hits++;
    } else {
        stats.misses++;
    }
    pthread_mutex_unlock(&cache_lock);
    return best;
}

pscan_status result_block_new(size_t bytes, const pscan_opts *opts, result_block **out)
{
    if (bytes > SIZE_MAX - BLOCK_SLACK)
        return PSCAN_ENOMEM;
    bytes += BLOCK_SLACK;
    result_block *block = malloc(sizeof *block);
    if (!block)
        return PSCAN_ENOMEM;
    pscan_status s = pscan_alloc(bytes, opts, &block->memory);
    if (s != PSCAN_OK) {
        free(block);
        return s;
    }
    block->bytes = bytes;
    block->newer = block->older = NULL;
    *out = block;
    return PSCAN_OK;
}

void *result_block_data(const result_block *block, const void *input, size_t align)
{
    const uintptr_t start = (uintptr_t)block->memory; /* a multiple of 64 */
    const uintptr_t offset = ((uintptr_t)input + FROM_INPUT - start) % BLOCK_SLACK;
    return (unsigned char *)block->memory + offset / align * align;
}

void result_cache_give(result_block *block)
{
    result_block *chain;
    pthread_mutex_lock(&cache_lock);
    if (block->bytes > stats.max_bytes) {
        block->older = NULL;
        chain = block;
    } else {
        block->newer = NULL;
        block->older = newest;
        if (newest)
            newest->newer = block;
        else
            oldest = block;
        newest = block;
        stats.bytes += block->bytes;
        stats.blocks++;
        chain = evict_over_cap();
    }
    pthread_mutex_unlock(&cache_lock);
    release_chain(chain);
}

size_t result_cache_set_max(size_t max_bytes)
{
    pthread_mutex_lock(&cache_lock);
    size_t previous = stats.max_bytes;
    stats.max_bytes = max_bytes;
    result_block *chain = evict_over_cap();
    pthread_mutex_unlock(&cache_lock);
    release_chain(chain);
    return previous;
}

size_t result_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    size_t max_bytes = stats.max_bytes;
    stats.max_bytes = 0;
    result_block *chain = evict_over_cap();
    stats.max_bytes = max_bytes;
    pthread_mutex_unlock(&cache_lock);
    return release_chain(chain);
}

result_cache_stats result_cache_get_stats(void)
{
    pthread_mutex_lock(&cache_lock);
    result_cache_stats now = stats;
    pthread_mutex_unlock(&cache_lock);
    return now;
}
