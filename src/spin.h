/* spin.h - one thread of a team waiting for another: the pause hint for a
 * while, then yielding the core, since teams may outnumber the cores (the
 * tests run several threads on two). */
#ifndef PSCAN_SPIN_H
#define PSCAN_SPIN_H

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

enum { PSCAN_SPINS_BEFORE_YIELD = 256 };

static inline void pscan_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* One step of a wait that has spun `spins` times already. */
static inline void pscan_spin_step(unsigned spins)
{
    if (spins < PSCAN_SPINS_BEFORE_YIELD)
        pscan_cpu_relax();
    else
        sched_yield();
}

/* Waits until *counter >= value (acquire: what was written before the
 * matching release store is visible); returns the counter read. */
static inline int64_t pscan_wait_at_least(_Atomic int64_t *counter, int64_t value)
{
    for (unsigned spins = 0;; spins++) {
        const int64_t seen = atomic_load_explicit(counter, memory_order_acquire);
        if (seen >= value)
            return seen;
        pscan_spin_step(spins);
    }
}

#endif
