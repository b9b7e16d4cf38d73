/* machine.c - loading hwloc's view of a machine and reading its facts. */
#include "machine.h"

#include <errno.h>
#include <omp.h>
#include <string.h>

/* hwloc says why it failed in errno: memory is PSCAN_ENOMEM (a later
 * try may succeed), anything else the topology itself. */
static pscan_status topology_failure(void)
{
    return errno == ENOMEM ? PSCAN_ENOMEM : PSCAN_ETOPOLOGY;
}

static int64_t cache_bytes(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    hwloc_obj_t cache = hwloc_get_obj_by_type(topo, type, 0);
    return cache && cache->attr ? (int64_t)cache->attr->cache.size : 0;
}

pscan_status pscan_machine_load(pscan_machine *m, pscan_machine_source source, const char *what)
{
    memset(m, 0, sizeof *m);
    errno = 0;
    if (hwloc_topology_init(&m->topology) != 0)
        return topology_failure();
    int failed = 0;
    if (source == PSCAN_MACHINE_SYNTHETIC)
        failed = hwloc_topology_set_synthetic(m->topology, what);
    else if (source == PSCAN_MACHINE_XML)
        failed = hwloc_topology_set_xml(m->topology, what);
    if (failed || hwloc_topology_load(m->topology) != 0) {
        const pscan_status status = topology_failure();
        hwloc_topology_destroy(m->topology);
        m->topology = NULL;
        return status;
    }
    m->this_system = hwloc_topology_is_thissystem(m->topology);
    m->l2_bytes = cache_bytes(m->topology, HWLOC_OBJ_L2CACHE);
    /* This system: the PUs this process may use (the topology's allowed
     * set, not the calling thread's own mask); another host: all of its. */
    m->pus = m->this_system ? hwloc_bitmap_weight(hwloc_topology_get_allowed_cpuset(m->topology))
                            : hwloc_get_nbobjs_by_type(m->topology, HWLOC_OBJ_PU);
    if (m->pus < 1)
        m->pus = 1;
    return PSCAN_OK;
}

void pscan_machine_unload(pscan_machine *m)
{
    if (m->topology)
        hwloc_topology_destroy(m->topology);
    m->topology = NULL;
}

void pscan_machine_info(const pscan_machine *m, pscan_topology_info *info, size_t size)
{
    hwloc_topology_t topo = m->topology;
    pscan_topology_info all;
    all.size = size;
    all.this_system = m->this_system;
    all.packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    all.numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    all.cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    all.pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    all.l1d_bytes = cache_bytes(topo, HWLOC_OBJ_L1CACHE);
    all.l2_bytes = cache_bytes(topo, HWLOC_OBJ_L2CACHE);
    all.l3_bytes = cache_bytes(topo, HWLOC_OBJ_L3CACHE);
    memcpy(info, &all, size < sizeof all ? size : sizeof all);
}

int pscan_machine_nodes(const pscan_machine *m)
{
    const int nodes = hwloc_get_nbobjs_by_type(m->topology, HWLOC_OBJ_NUMANODE);
    return nodes >= 1 && nodes <= PSCAN_MAX_PLAN_NODES ? nodes : 1;
}

hwloc_obj_t pscan_machine_node(const pscan_machine *m, int j)
{
    const int nodes = hwloc_get_nbobjs_by_type(m->topology, HWLOC_OBJ_NUMANODE);
    return nodes >= 1 && nodes <= PSCAN_MAX_PLAN_NODES
               ? hwloc_get_obj_by_type(m->topology, HWLOC_OBJ_NUMANODE, (unsigned)j)
               : NULL;
}

int pscan_machine_pu_node(const pscan_machine *m, int os_index)
{
    hwloc_obj_t pu =
        os_index >= 0 ? hwloc_get_pu_obj_by_os_index(m->topology, (unsigned)os_index) : NULL;
    for (int j = 0; pu && j < pscan_machine_nodes(m); j++) {
        hwloc_obj_t node = pscan_machine_node(m, j);
        if (node && hwloc_bitmap_isincluded(pu->cpuset, node->cpuset))
            return j;
    }
    return 0;
}

bool pscan_runtime_binds(void)
{
    return omp_get_proc_bind() != omp_proc_bind_false;
}

bool pscan_machine_runtime_places(const pscan_machine *m)
{
    return m->this_system && pscan_runtime_binds() && pscan_machine_nodes(m) >= 2;
}

int pscan_machine_current_pu(const pscan_machine *m)
{
    hwloc_bitmap_t where = hwloc_bitmap_alloc();
    int pu = -1;
    if (where && hwloc_get_last_cpu_location(m->topology, where, HWLOC_CPUBIND_THREAD) == 0)
        pu = hwloc_bitmap_first(where);
    hwloc_bitmap_free(where);
    return pu;
}
