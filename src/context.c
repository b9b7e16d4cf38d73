/* context.c - contexts: the hwloc topology and the default team size,
 * found out once. The default context lives for the whole process. */
#include "context.h"

#include "topology.h"
#include "workspace.h"

#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What the context is made from: this machine, a synthetic description
 * or an XML file (hwloc's own formats, for tests and for planning runs
 * on hosts one does not have). */
typedef enum topology_source { SOURCE_THIS_SYSTEM, SOURCE_SYNTHETIC, SOURCE_XML } topology_source;

/* hwloc says why it failed in errno: memory is PSCAN_ENOMEM (a later
 * try may succeed), anything else the topology itself. */
static pscan_status topology_failure(void)
{
    return errno == ENOMEM ? PSCAN_ENOMEM : PSCAN_ETOPOLOGY;
}

static pscan_status context_load(pscan_context *ctx, topology_source source, const char *what)
{
    errno = 0;
    if (hwloc_topology_init(&ctx->topology) != 0)
        return topology_failure();
    int failed = 0;
    if (source == SOURCE_SYNTHETIC)
        failed = hwloc_topology_set_synthetic(ctx->topology, what);
    else if (source == SOURCE_XML)
        failed = hwloc_topology_set_xml(ctx->topology, what);
    if (failed || hwloc_topology_load(ctx->topology) != 0) {
        const pscan_status status = topology_failure();
        hwloc_topology_destroy(ctx->topology);
        return status;
    }
    ctx->this_system = hwloc_topology_is_thissystem(ctx->topology);
    hwloc_obj_t l2 = hwloc_get_obj_by_type(ctx->topology, HWLOC_OBJ_L2CACHE, 0);
    ctx->l2_bytes = l2 && l2->attr ? (int64_t)l2->attr->cache.size : 0;
    const char *schedule = getenv("PSCAN_SCHEDULE");
    ctx->force_spans = schedule && strcmp(schedule, "spans") == 0;
    atomic_init(&ctx->placement, PSCAN_PLACEMENT_NONE);
    if (!ctx->this_system) {
        /* Planning for another host: its PUs are the team. */
        ctx->threads = hwloc_get_nbobjs_by_type(ctx->topology, HWLOC_OBJ_PU);
        if (ctx->threads < 1)
            ctx->threads = 1;
        return PSCAN_OK;
    }
    /* OMP_NUM_THREADS wins when set; otherwise the PUs this process may use
     * (the topology's allowed set, not the calling thread's own mask). */
    pscan_placement placement;
    if (pscan_placement_parse(getenv("PSCAN_PLACEMENT"), &placement))
        atomic_store(&ctx->placement, (int)placement);
    int pus = hwloc_bitmap_weight(hwloc_topology_get_allowed_cpuset(ctx->topology));
    ctx->threads = getenv("OMP_NUM_THREADS") ? omp_get_max_threads() : pus;
    if (ctx->threads < 1)
        ctx->threads = 1;
    return PSCAN_OK;
}

static pscan_status context_init(pscan_context *ctx)
{
    return context_load(ctx, SOURCE_THIS_SYSTEM, NULL);
}

static pscan_status context_create(pscan_context **out_ctx, topology_source source,
                                   const char *what)
{
    if (!out_ctx)
        return PSCAN_ENULL;
    *out_ctx = NULL;
    if (source != SOURCE_THIS_SYSTEM && !what)
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
    return context_create(out_ctx, SOURCE_THIS_SYSTEM, NULL);
}

pscan_status pscan_context_create_synthetic(const char *description, pscan_context **out_ctx)
{
    return context_create(out_ctx, SOURCE_SYNTHETIC, description);
}

pscan_status pscan_context_create_xml(const char *path, pscan_context **out_ctx)
{
    return context_create(out_ctx, SOURCE_XML, path);
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
            status = context_init(&default_context);
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
    hwloc_topology_destroy(ctx->topology);
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

pscan_status pscan_context_set_placement(pscan_context *ctx, pscan_placement placement)
{
    if (placement != PSCAN_PLACEMENT_NONE && placement != PSCAN_PLACEMENT_SPREAD &&
        placement != PSCAN_PLACEMENT_COMPACT)
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
    return ctx ? (pscan_placement)atomic_load(&ctx->placement)
               : PSCAN_PLACEMENT_NONE;
}
