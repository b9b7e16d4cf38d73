/* bind.h - putting the calling thread on one PU for a call, and giving
 * it its own mask back afterwards. */
#ifndef PSCAN_BIND_H
#define PSCAN_BIND_H

#include "machine.h"

/* pscan binds a call's threads itself: a placement other than NONE, this
 * system, and the OpenMP runtime not binding them already. */
bool pscan_bind_wanted(const pscan_machine *m, pscan_placement placement);

/* Bind the calling thread to PU `pu` (an OS index); returns what to hand
 * to pscan_unbind, NULL if nothing was changed (described machines, an
 * unknown PU, or binding refused). */
void *pscan_bind(const pscan_machine *m, int pu);
void pscan_unbind(const pscan_machine *m, void *saved);

#endif
