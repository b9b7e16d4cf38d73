/* workspace.h - scratch memory a call borrows from its context.
 *
 * Each call takes one workspace from its context's pool and gives it back
 * when done, so memory is allocated on the first calls (and when a call
 * needs more than any before it), never per call. Concurrent calls on the
 * same context take different workspaces. */
#ifndef PSCAN_WORKSPACE_H
#define PSCAN_WORKSPACE_H

#include "pscan.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pscan_workspace {
    uint64_t calls;    /* runs so far: the engine's epoch for tile states */
    void *descriptors; /* zeroed when (re)allocated */
    size_t descriptor_bytes;
    void *scratch; /* per-thread tile buffers */
    size_t scratch_bytes;
    char *arena; /* regions carved one after another, each with
                              a guard zone after it (pscan_workspace_carve) */
    size_t arena_bytes, arena_used;
} pscan_workspace;

/* Bytes a region of `bytes` takes in the arena: rounded to 64, plus a
 * 64-byte guard zone. Under AddressSanitizer the guard zones are poisoned,
 * so a write past a region is reported instead of landing in the next one
 * (zstd's workspace does the same). */
size_t pscan_workspace_region_size(size_t bytes);

/* Make the arena at least `bytes` (a sum of region sizes) and empty it;
 * PSCAN_ENOMEM leaves the workspace as it was. Arenas larger than
 * PSCAN_ARENA_KEEP_BYTES are freed when the workspace goes back to the
 * pool, so a context does not keep an input-sized copy for its lifetime. */
pscan_status pscan_workspace_reserve_arena(pscan_workspace *ws, size_t bytes);
#define PSCAN_ARENA_KEEP_BYTES ((size_t)64 << 20)

/* The next region of `bytes` (64-byte aligned) from what reserve_arena
 * made room for; cannot fail within it. */
void *pscan_workspace_carve(pscan_workspace *ws, size_t bytes);

/* A workspace from ctx's pool (or a new one); PSCAN_ENOMEM if none. */
pscan_status pscan_workspace_acquire(pscan_context *ctx, pscan_workspace **out);

/* Give it back to ctx's pool (freed if the pool is full). */
void pscan_workspace_release(pscan_context *ctx, pscan_workspace *ws);

/* Make the buffers at least this large (64-byte aligned); PSCAN_ENOMEM
 * leaves the workspace as it was. */
pscan_status pscan_workspace_reserve(pscan_workspace *ws, size_t descriptor_bytes,
                                     size_t scratch_bytes);

/* Free a workspace and its buffers; NULL is a no-op. */
void pscan_workspace_free(pscan_workspace *ws);

#endif
