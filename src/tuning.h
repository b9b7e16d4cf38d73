/* tuning.h - every threshold the library tunes itself by, in one struct a
 * context holds, filled once (at the context's creation) from the defaults
 * below and the environment. Tests lower thresholds through it (a context
 * whose stream threshold is 64 KiB streams a 1 MiB scan) instead of
 * allocating what the defaults need. The environment variables are in the
 * README ("Environment"); one with a value pscan does not know fails the
 * context's creation with PSCAN_EENV instead of being ignored. */
#ifndef PSCAN_TUNING_H
#define PSCAN_TUNING_H

#include "pscan.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pscan_tuning {
    /* Fewer elements than this per thread do not pay for waking a thread:
     * a team never outgrows its work. */
    int64_t min_elems_per_thread;
    /* Outputs at least this big get non-temporal stores: they outgrow the
     * caches, so the read-for-ownership a plain store costs is pure loss. */
    int64_t stream_min_bytes;
    /* Binding costs a few system calls per thread: only calls at least this
     * big per thread bind, where NUMA traffic dominates. */
    int64_t bind_min_elems_per_thread;
    /* pscan_scan_axes works on slabs of rows of about this many bytes, so a
     * slab is still in cache when its next axis is scanned. */
    int64_t slab_bytes;
    /* PSCAN_PLACEMENT: the placement the context starts with. */
    pscan_placement placement;
    /* PSCAN_SCHEDULE=spans: single long lanes take the SPANS schedule
     * whatever the machine (to test and measure it on one node). */
    bool force_spans;
} pscan_tuning;

/* The defaults; measured where perf/RESULTS.md says. */
enum {
    PSCAN_DEFAULT_MIN_ELEMS_PER_THREAD = 1 << 16,
    PSCAN_DEFAULT_BIND_MIN_ELEMS_PER_THREAD = 1 << 20 /* 8 MiB of doubles */
};
#define PSCAN_DEFAULT_STREAM_MIN_BYTES ((int64_t)32 << 20)
#define PSCAN_DEFAULT_SLAB_BYTES ((int64_t)4 << 20) /* on a 32 MiB L3 */

/* The defaults, then PSCAN_PLACEMENT, PSCAN_SCHEDULE and (checked only:
 * the kernels are chosen once per process) PSCAN_ISA; PSCAN_OK or
 * PSCAN_EENV. */
pscan_status pscan_tuning_from_env(pscan_tuning *tuning);

/* The threads worth starting for `elements` of work when `asked` are
 * asked for: opts.threads may be any positive int, more than the cores
 * included, but a team never outgrows its work (OpenMP cannot start tens
 * of thousands of threads, and gives up the process when it fails). */
static inline int pscan_useful_threads(const pscan_tuning *tuning, int asked, int64_t elements)
{
    /* Small calls, most calls, answer without a division: it is a tenth
     * of a 1000-element scan's time. */
    if (asked <= 1 || elements < 2 * tuning->min_elems_per_thread)
        return 1;
    const int64_t useful = elements / tuning->min_elems_per_thread;
    return useful < 1 ? 1 : useful < asked ? (int)useful : asked;
}

#endif
