/* context.c - contexts: the hwloc topology and the default team size,
 * found out once. The default context lives for the whole process. */
#include "context.h"

#include "workspace.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>

static pscan_status context_init(pscan_context *ctx)
{
    if (hwloc_topology_init(&ctx->topology) != 0)
        return PSCAN_ETOPOLOGY;
    if (hwloc_topology_load(ctx->topology) != 0) {
        hwloc_topology_destroy(ctx->topology);
        return PSCAN_ETOPOLOGY;
    }
    /* OMP_NUM_THREADS wins when set; otherwise the PUs this process may use
     * (the topology's allowed set, not the calling thread's own mask). */
    int pus = hwloc_bitmap_weight(hwloc_topology_get_allowed_cpuset(ctx->topology));
    ctx->threads = getenv("OMP_NUM_THREADS") ? omp_get_max_threads() : pus;
    if (ctx->threads < 1)
        ctx->threads = 1;
    return PSCAN_OK;
}

pscan_status pscan_context_create(pscan_context **out_ctx)
{
    if (!out_ctx)
        return PSCAN_ENULL;
    *out_ctx = NULL;
    pscan_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return PSCAN_ENOMEM;
    pscan_status status = context_init(ctx);
    if (status != PSCAN_OK) {
        free(ctx);
        return status;
    }
    *out_ctx = ctx;
    return PSCAN_OK;
}

static pscan_context default_context;
static pscan_status default_status = PSCAN_ETOPOLOGY;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_context_init(void)
{
    default_status = context_init(&default_context);
}

pscan_context *pscan_default_context(void)
{
    pthread_once(&default_once, default_context_init);
    return default_status == PSCAN_OK ? &default_context : NULL;
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
    *resolved = requested ? requested : pscan_default_context();
    return *resolved ? PSCAN_OK : default_status;
}
