/* engine.h - runs a canonical plan: tiles, carries and threads.
 *
 * The engine never sees N-d arrays or dtypes by name: it walks the plan,
 * converts input elements into accumulator tiles, lets a kernel scan them
 * and converts the results into out. It allocates nothing and every error
 * has been ruled out by the caller, so running a job cannot fail. */
#ifndef PSCAN_ENGINE_H
#define PSCAN_ENGINE_H

#include "convert.h"
#include "kernels/kernels.h"
#include "layout.h"

#include <stdbool.h>
#include <stddef.h>

/* The REPRODUCIBLE tile: a lane is cut every PSCAN_TILE elements whatever
 * the machine, thread count or ISA. Inside a tile values are combined left
 * to right (local prefix); tile t's outputs are P(t-1) op local, and
 * P(t) = P(t-1) op A(t), A(t) the tile's local total: a forward chain whose
 * every operation is fixed by the data's shape alone. 4096 elements keep a
 * tile of the widest accumulator (complex128) in 64 KiB and the float error
 * term n/4096 + 4096 small for any n a machine holds. */
enum { PSCAN_TILE = 4096 };

typedef struct pscan_job {
    const pscan_kernel *kernel; /* NULL: convert only (a copy; LANES and
                                   CHAINED plans, which never combine) */
    pscan_convert_fn load;  /* input dtype -> accumulator */
    pscan_convert_fn store; /* accumulator -> out dtype */
    size_t acc_size;        /* bytes per accumulator value */
    bool tiled;             /* follow the REPRODUCIBLE tile chain */
    int threads;            /* most threads to use (>= 1) */
} pscan_job;

/* Scan everything the plan walks. */
void pscan_engine_run(const pscan_plan *plan, const pscan_job *job);

#endif
