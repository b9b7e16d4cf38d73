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
    uint64_t calls;        /* runs so far: the engine's epoch for tile states */
    void *descriptors;     /* zeroed when (re)allocated */
    size_t descriptor_bytes;
    void *scratch;         /* per-thread tile buffers */
    size_t scratch_bytes;
} pscan_workspace;

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
