/* describe.c - a context and its plan as text (pscan_context_describe,
 * what `pscan topo` prints). */
#include "bind.h"
#include "context.h"
#include "tile.h"
#include "workspace.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

__attribute__((format(printf, 4, 5))) static void append(char *text, size_t capacity, size_t *used,
                                                         const char *format, ...)
{
    va_list args;
    va_start(args, format);
    const size_t room = *used < capacity ? capacity - *used : 0;
    const int n = vsnprintf(room ? text + *used : NULL, room, format, args);
    va_end(args);
    *used += n > 0 ? (size_t)n : 0;
}

static void append_size(char *text, size_t capacity, size_t *used, const char *name, int64_t bytes)
{
    if (bytes <= 0)
        append(text, capacity, used, ", %s none", name);
    else if (bytes % (1 << 20) == 0)
        append(text, capacity, used, ", %s %lld MiB", name, (long long)(bytes >> 20));
    else
        append(text, capacity, used, ", %s %lld KiB", name, (long long)(bytes >> 10));
}

pscan_status pscan_context_describe(const pscan_context *ctx, int64_t elements, int threads,
                                    char *text, size_t capacity)
{
    if (!text || capacity == 0)
        return PSCAN_ENULL;
    text[0] = 0;
    pscan_topology_info info = PSCAN_TOPOLOGY_INFO_INIT;
    pscan_status status = pscan_context_info(ctx, &info);
    if (status != PSCAN_OK)
        return status;
    /* The chunk list is scratch from the context's workspace. Describing
     * changes nothing of the context, hence the const; borrowing one of
     * its idle workspaces and giving it back leaves it as it was. (No
     * context is made const: the default one is static, the others
     * allocated.) */
    pscan_context *described = ctx ? (pscan_context *)(uintptr_t)ctx : pscan_default_context();
    const int team = threads ? threads : described->threads;
    if (team < 0)
        return PSCAN_EOPTS;
    const size_t chunk_bytes = (size_t)(team > 0 ? team : 1) * sizeof(pscan_chunk);
    pscan_workspace *ws;
    if ((status = pscan_workspace_acquire(described, &ws)) != PSCAN_OK)
        return status;
    if ((status = pscan_workspace_reserve_arena(ws, pscan_workspace_region_size(chunk_bytes))) !=
        PSCAN_OK) {
        pscan_workspace_release(described, ws);
        return status;
    }
    pscan_chunk *chunks = pscan_workspace_carve(ws, chunk_bytes);
    int count = 0;
    status = pscan_context_plan(ctx, elements, team, chunks, team, &count);
    if (status != PSCAN_OK) {
        pscan_workspace_release(described, ws);
        return status;
    }
    size_t used = 0;
    append(text, capacity, &used, "machine: %s; %d package%s, %d NUMA node%s, %d cores, %d PUs",
           info.this_system ? "this system" : "described (synthetic or XML)", info.packages,
           info.packages == 1 ? "" : "s", info.numa_nodes, info.numa_nodes == 1 ? "" : "s",
           info.cores, info.pus);
    append_size(text, capacity, &used, "L1d", info.l1d_bytes);
    append_size(text, capacity, &used, "L2", info.l2_bytes);
    append_size(text, capacity, &used, "L3", info.l3_bytes);
    append(text, capacity, &used, "\nplacement: %s; %s",
           pscan_placement_name(pscan_context_placement(described)),
           described->machine.this_system && pscan_runtime_binds()
               ? "the OpenMP runtime binds threads (OMP_PROC_BIND), pscan keeps its placement"
           : pscan_bind_wanted(&described->machine, pscan_context_placement(described))
               ? "pscan binds each thread to its PU for calls of 2^20 elements per thread or more"
           : described->machine.this_system
               ? "threads are not bound (the PUs below are where spread would put them)"
               : "a described machine: plans only, no binding");
    append(text, capacity, &used, "\nplan: %lld elements = %lld tiles of %d over %d threads\n",
           (long long)elements, (long long)((elements + PSCAN_TILE - 1) / PSCAN_TILE),
           (int)PSCAN_TILE, count);
    append(text, capacity, &used, "%-6s %-24s %6s %5s %5s %5s\n", "chunk", "tiles", "thread", "PU",
           "core", "NUMA");
    for (int k = 0; k < count; k++) {
        char range[48];
        snprintf(range, sizeof range, "[%lld, %lld)", (long long)chunks[k].first_tile,
                 (long long)(chunks[k].first_tile + chunks[k].tiles));
        append(text, capacity, &used, "%-6d %-24s %6d %5d %5d %5d\n", k, range, chunks[k].thread,
               chunks[k].pu, chunks[k].core, chunks[k].numa_node);
    }
    pscan_workspace_release(described, ws);
    return used < capacity ? PSCAN_OK : PSCAN_ESIZE;
}
