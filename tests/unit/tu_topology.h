/* tu_topology.h - contexts for machines described in hwloc's synthetic
 * syntax with caches, loaded the way users load them: exported to an XML
 * file by hwloc, then pscan_context_create_xml. */
#ifndef PSCAN_TU_TOPOLOGY_H
#define PSCAN_TU_TOPOLOGY_H

#include "testutil.h"

#include <hwloc.h>
#include <unistd.h>

static inline pscan_context *tu_xml_context(const char *synthetic)
{
    hwloc_topology_t topo;
    cr_assert(eq(int, hwloc_topology_init(&topo), 0));
    cr_assert(eq(int, hwloc_topology_set_synthetic(topo, synthetic), 0), "%s", synthetic);
    cr_assert(eq(int, hwloc_topology_load(topo), 0));
    char path[] = "/tmp/pscan-topo-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(ge(int, fd, 0));
    close(fd);
    cr_assert(eq(int, hwloc_topology_export_xml(topo, path, 0), 0));
    hwloc_topology_destroy(topo);
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_xml(path, &ctx));
    unlink(path);
    return ctx;
}

#endif
