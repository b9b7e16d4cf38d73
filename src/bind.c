/* bind.c - thread binding through hwloc, for one call at a time. */
#include "bind.h"

bool pscan_bind_wanted(const pscan_machine *m, pscan_placement placement)
{
    return m->this_system && placement != PSCAN_PLACEMENT_NONE && !pscan_runtime_binds();
}

void *pscan_bind(const pscan_machine *m, int pu)
{
    if (pu < 0 || !m->this_system)
        return NULL;
    hwloc_obj_t target = hwloc_get_pu_obj_by_os_index(m->topology, (unsigned)pu);
    hwloc_bitmap_t saved = target ? hwloc_bitmap_alloc() : NULL;
    if (!saved)
        return NULL;
    if (hwloc_get_cpubind(m->topology, saved, HWLOC_CPUBIND_THREAD) != 0 ||
        hwloc_set_cpubind(m->topology, target->cpuset, HWLOC_CPUBIND_THREAD) != 0) {
        hwloc_bitmap_free(saved);
        return NULL;
    }
    return saved;
}

void pscan_unbind(const pscan_machine *m, void *saved)
{
    if (!saved)
        return;
    hwloc_set_cpubind(m->topology, saved, HWLOC_CPUBIND_THREAD);
    hwloc_bitmap_free(saved);
}
