/* context.c - contexts: the machine, the tuning and the default team size,
 * found out once; and the public questions one asks of a context (its
 * machine, its plan, its placement). The default context lives for the
 * whole process. */
#include "context.h"

#include "chunk_plan.h"
#include "tile.h"
#include "workspace.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pscan_status context_load(pscan_context *ctx, pscan_machine_source source, const char *what)
{
    pscan_status status = pscan_tuning_from_env(&ctx->tuning);
    if (status != PSCAN_OK)
        return status;
    if ((status = pscan_machine_load(&ctx->machine, source, what)) != PSCAN_OK)
        return status;
    atomic_init(&ctx->placement, PSCAN_PLACEMENT_NONE);
    /* Planning for another host: its PUs are the team. On this one
     * OMP_NUM_THREADS wins when set, else the PUs this process may use. */
    ctx->threads = ctx->machine.pus;
    if (ctx->machine.this_system) {
        atomic_store(&ctx->placement, (int)ctx->tuning.placement);
        if (getenv("OMP_NUM_THREADS"))
            ctx->threads = omp_get_max_threads();
    }
    if (ctx->threads < 1)
        ctx->threads = 1;
    return PSCAN_OK;
}

static pscan_status context_create(pscan_context **out_ctx, pscan_machine_source source,
                                   const char *what)
{
    if (!out_ctx)
        return PSCAN_ENULL;
    *out_ctx = NULL;
    if (source != PSCAN_MACHINE_THIS_SYSTEM && !what)
        return PSCAN_ENULL;
    pscan_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return PSCAN_ENOMEM;
    pscan_status status = context_load(ctx, source, what);
    if (status != PSCAN_OK) {
        free(ctx);
        return status;
    }
    *out_ctx = ctx;
    return PSCAN_OK;
}

pscan_status pscan_context_create(pscan_context **out_ctx)
{
    return context_create(out_ctx, PSCAN_MACHINE_THIS_SYSTEM, NULL);
}

pscan_status pscan_context_create_synthetic(const char *description, pscan_context **out_ctx)
{
    return context_create(out_ctx, PSCAN_MACHINE_SYNTHETIC, description);
}

pscan_status pscan_context_create_xml(const char *path, pscan_context **out_ctx)
{
    return context_create(out_ctx, PSCAN_MACHINE_XML, path);
}

/* The default context is made by the first call that needs it. A failed
 * attempt leaves no trace (a transient failure, memory above all, must not
 * poison the process): the next call tries again. Once made, it is read
 * without the lock. */
static pscan_context default_context;
static atomic_bool default_ready;
static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;

static pscan_status default_context_get(pscan_context **out)
{
    pscan_status status = PSCAN_OK;
    if (!atomic_load_explicit(&default_ready, memory_order_acquire)) {
        pthread_mutex_lock(&default_lock);
        if (!atomic_load_explicit(&default_ready, memory_order_relaxed)) {
            memset(&default_context, 0, sizeof default_context);
            status = context_load(&default_context, PSCAN_MACHINE_THIS_SYSTEM, NULL);
            if (status == PSCAN_OK)
                atomic_store_explicit(&default_ready, true, memory_order_release);
        }
        pthread_mutex_unlock(&default_lock);
    }
    *out = status == PSCAN_OK ? &default_context : NULL;
    return status;
}

pscan_context *pscan_default_context(void)
{
    pscan_context *ctx;
    default_context_get(&ctx);
    return ctx;
}

void pscan_context_destroy(pscan_context *ctx)
{
    if (!ctx || ctx == &default_context)
        return;
    for (int i = 0; i < PSCAN_WORKSPACE_SLOTS; i++)
        pscan_workspace_free(atomic_load(&ctx->pool[i]));
    pscan_machine_unload(&ctx->machine);
    free(ctx);
}

int pscan_context_threads(const pscan_context *ctx)
{
    if (!ctx)
        ctx = pscan_default_context();
    return ctx ? ctx->threads : 1;
}

pscan_status pscan_context_resolve(pscan_context *requested, pscan_context **resolved)
{
    if (requested) {
        *resolved = requested;
        return PSCAN_OK;
    }
    return default_context_get(resolved);
}

const pscan_tuning pscan_default_tuning = {PSCAN_DEFAULT_MIN_ELEMS_PER_THREAD,
                                           PSCAN_DEFAULT_STREAM_MIN_BYTES,
                                           PSCAN_DEFAULT_BIND_MIN_ELEMS_PER_THREAD,
                                           PSCAN_DEFAULT_SLAB_BYTES,
                                           PSCAN_PLACEMENT_NONE,
                                           false};

static const char *const placement_names[] = {
    [PSCAN_PLACEMENT_NONE] = "none",
    [PSCAN_PLACEMENT_SPREAD] = "spread",
    [PSCAN_PLACEMENT_COMPACT] = "compact",
};
enum { PLACEMENT_COUNT = sizeof placement_names / sizeof *placement_names };
_Static_assert(PLACEMENT_COUNT == PSCAN_PLACEMENT_COMPACT + 1, "a name for every placement");

const char *pscan_placement_name(pscan_placement placement)
{
    return (int)placement >= 0 && (int)placement < PLACEMENT_COUNT ? placement_names[placement]
                                                                   : "invalid";
}

pscan_status pscan_placement_from_name(const char *name, pscan_placement *placement)
{
    if (!name || !placement)
        return PSCAN_ENULL;
    for (int k = 0; k < PLACEMENT_COUNT; k++)
        if (strcmp(name, placement_names[k]) == 0) {
            *placement = (pscan_placement)k;
            return PSCAN_OK;
        }
    return PSCAN_EOPTS;
}

pscan_status pscan_context_set_placement(pscan_context *ctx, pscan_placement placement)
{
    if ((int)placement < 0 || (int)placement >= PLACEMENT_COUNT)
        return PSCAN_EOPTS;
    pscan_status status = pscan_context_resolve(ctx, &ctx);
    if (status == PSCAN_OK)
        atomic_store(&ctx->placement, (int)placement);
    return status;
}

pscan_placement pscan_context_placement(const pscan_context *ctx)
{
    if (!ctx)
        ctx = pscan_default_context();
    return ctx ? (pscan_placement)atomic_load(&ctx->placement) : PSCAN_PLACEMENT_NONE;
}

/* The first layout of pscan_topology_info: what a caller's size must hold. */
enum { INFO_FIRST_SIZE = sizeof(pscan_topology_info) };

pscan_status pscan_context_info(const pscan_context *ctx, pscan_topology_info *info)
{
    ctx = ctx ? ctx : pscan_default_context();
    if (!ctx)
        return PSCAN_ETOPOLOGY;
    if (!info)
        return PSCAN_ENULL;
    if (info->size < INFO_FIRST_SIZE)
        return PSCAN_EOPTS;
    pscan_machine_info(&ctx->machine, info, info->size);
    return PSCAN_OK;
}

pscan_status pscan_context_plan(const pscan_context *ctx, int64_t elements, int threads,
                                pscan_chunk *chunks, int capacity, int *count)
{
    ctx = ctx ? ctx : pscan_default_context();
    if (!ctx)
        return PSCAN_ETOPOLOGY;
    if (!chunks || !count)
        return PSCAN_ENULL;
    if (elements < 0)
        return PSCAN_ESIZE;
    if (threads < 0)
        return PSCAN_EOPTS;
    threads = threads ? threads : ctx->threads;
    if (capacity < threads)
        return PSCAN_EOPTS;
    pscan_chunk_plan(&ctx->machine, pscan_context_placement(ctx),
                     (elements + PSCAN_TILE - 1) / PSCAN_TILE, threads, chunks);
    *count = threads;
    return PSCAN_OK;
}
