/* tuning.c - the thresholds' defaults and the environment, read once. */
#include "tuning.h"

#include "kernels/kernels.h"

#include <stdlib.h>
#include <string.h>

pscan_status pscan_tuning_from_env(pscan_tuning *tuning)
{
    tuning->min_elems_per_thread = PSCAN_DEFAULT_MIN_ELEMS_PER_THREAD;
    tuning->stream_min_bytes = PSCAN_DEFAULT_STREAM_MIN_BYTES;
    tuning->bind_min_elems_per_thread = PSCAN_DEFAULT_BIND_MIN_ELEMS_PER_THREAD;
    tuning->slab_bytes = PSCAN_DEFAULT_SLAB_BYTES;
    tuning->placement = PSCAN_PLACEMENT_NONE;
    tuning->force_spans = false;

    /* Set but empty counts as unset, as a shell's `VAR= cmd` means. */
    const char *placement = getenv("PSCAN_PLACEMENT");
    if (placement && *placement &&
        pscan_placement_from_name(placement, &tuning->placement) != PSCAN_OK)
        return PSCAN_EENV;
    const char *schedule = getenv("PSCAN_SCHEDULE");
    if (schedule && *schedule) {
        if (strcmp(schedule, "spans") == 0)
            tuning->force_spans = true;
        else if (strcmp(schedule, "auto") != 0)
            return PSCAN_EENV;
    }
    pscan_isa isa;
    const char *forced_isa = getenv("PSCAN_ISA");
    if (forced_isa && *forced_isa && !pscan_isa_from_name(forced_isa, &isa))
        return PSCAN_EENV;
    return PSCAN_OK;
}
