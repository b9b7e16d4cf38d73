/*
 * result_cache.h - the memory of freed results, kept faulted in for the next
 * result of about the same size (the module's alone; no Python API inside).
 *
 * A new result's fresh pages cost the kernel's zeroing, as much as the scan
 * itself; a block that stays mapped between results costs nothing. Each
 * block is owned by exactly one live result or held here, never both: a
 * result's owner hands its block back only when the last array over it is
 * gone. A mutex guards the list (capsule destructors and new results may
 * run on different threads, with or without a GIL); blocks are unmapped
 * outside it.
 */
#ifndef PSCAN_PY_RESULT_CACHE_H
#define PSCAN_PY_RESULT_CACHE_H

#include <pscan.h>

#include <stddef.h>

/* One result's memory: pscan_alloc's, a page longer than the result it
 * was made for. */
typedef struct result_block result_block;

typedef struct result_cache_stats {
    size_t max_bytes;          /* the cap: the most the held blocks may add up to */
    size_t bytes;              /* what the held blocks add up to */
    size_t blocks;             /* how many are held */
    unsigned long long hits;   /* results that took a held block */
    unsigned long long misses; /* results that found none and faulted fresh pages */
} result_cache_stats;

/* The default cap: 1 GiB, or an eighth of physical memory where that is
 * less. */
size_t result_cache_default_max(void);

/* `text` as a byte count: decimal digits, optionally one binary suffix
 * (k, m, g, t in either case: KiB, MiB, GiB, TiB). 0 with *bytes set, or
 * -1 for anything else (empty, signs, spaces, overflow). */
int result_cache_parse_bytes(const char *text, size_t *bytes);

/* Set the cap and make the lock fork-safe (once per process): 0, or -1 if
 * pthread_atfork failed. */
int result_cache_start(size_t max_bytes);

/* At exit: hold nothing more and unmap what is held. */
void result_cache_stop(void);

/* A held block for a result of `bytes` (the smallest that fits, the
 * newest of equals) taken out of the cache, or NULL. A block of B bytes
 * fits when n = bytes + 4096 (the page of slack) has n <= B and
 * B - n <= B / 8: reuse wastes at most an eighth of a block. */
result_block *result_cache_take(size_t bytes);

/* A fresh block for a result of `bytes` from pscan_alloc (faulted by
 * opts' threads). */
pscan_status result_block_new(size_t bytes, const pscan_opts *opts, result_block **out);

/* Where in the block a result scanned from `input` starts: half a page
 * past the input's address modulo the page, rounded down to a multiple of
 * `align` (a power of two up to 64: the result's element size). */
void *result_block_data(const result_block *block, const void *input, size_t align);

/* The block's owner is gone: hold it, or unmap it when it exceeds the cap;
 * the oldest held blocks are unmapped until the cap holds. */
void result_cache_give(result_block *block);

/* A new cap; the oldest blocks are unmapped until it holds. Returns the
 * previous cap. */
size_t result_cache_set_max(size_t max_bytes);

/* Unmap every held block; returns the bytes released. */
size_t result_cache_clear(void);

result_cache_stats result_cache_get_stats(void);

#endif
