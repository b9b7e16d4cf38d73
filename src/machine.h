/* machine.h - what hwloc knows of a machine, loaded once per context:
 * this system, or one described (synthetic or XML) for planning. The
 * chunk plan (chunk_plan.h) and binding (bind.h) read it; nothing here
 * knows of contexts, placements or scans. */
#ifndef PSCAN_MACHINE_H
#define PSCAN_MACHINE_H

#include "pscan.h"

#include <hwloc.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum pscan_machine_source {
    PSCAN_MACHINE_THIS_SYSTEM,
    PSCAN_MACHINE_SYNTHETIC, /* hwloc's synthetic syntax */
    PSCAN_MACHINE_XML        /* a file exported by hwloc */
} pscan_machine_source;

typedef struct pscan_machine {
    hwloc_topology_t topology; /* read-only once loaded */
    bool this_system;          /* else described: plans, no binding */
    int64_t l2_bytes;          /* first L2 cache, 0 if unknown */
    int pus;                   /* this system: the PUs the process may use;
                                  described: every PU (at least 1) */
} pscan_machine;

/* PSCAN_OK, PSCAN_ENOMEM or PSCAN_ETOPOLOGY (hwloc refused `what`). */
pscan_status pscan_machine_load(pscan_machine *m, pscan_machine_source source, const char *what);
void pscan_machine_unload(pscan_machine *m);

/* The fields of pscan_topology_info that `size` bytes hold. */
void pscan_machine_info(const pscan_machine *m, pscan_topology_info *info, size_t size);

/* Plans cover at most this many NUMA nodes; a bigger host is planned as
 * one node (every thread on it, one span). */
enum { PSCAN_MAX_PLAN_NODES = 256 };

/* NUMA nodes of the plan (1 when the machine has none or too many), and
 * node j (NULL when the plan has no real nodes). */
int pscan_machine_nodes(const pscan_machine *m);
hwloc_obj_t pscan_machine_node(const pscan_machine *m, int j);

/* The plan node of PU `os_index` (0 when unknown). */
int pscan_machine_pu_node(const pscan_machine *m, int os_index);

/* The OpenMP runtime binds threads itself (OMP_PROC_BIND / OMP_PLACES). */
bool pscan_runtime_binds(void);

/* The runtime binds threads on this system and it has two NUMA nodes or
 * more: a call's threads can say where they are (pscan_machine_current_pu). */
bool pscan_machine_runtime_places(const pscan_machine *m);

/* The OS index of the PU the calling thread runs on, -1 if unknown. */
int pscan_machine_current_pu(const pscan_machine *m);

#endif
