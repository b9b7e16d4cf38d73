/* dtype.h - what each element type is: size, kind, name, casting rules. */
#ifndef PSCAN_DTYPE_H
#define PSCAN_DTYPE_H

#include "pscan.h"

#include <stdbool.h>

/* numpy's kind order: a cast never goes down this list under same_kind. */
typedef enum pscan_kind {
    PSCAN_KIND_BOOL,
    PSCAN_KIND_UINT,
    PSCAN_KIND_INT,
    PSCAN_KIND_FLOAT,
    PSCAN_KIND_COMPLEX
} pscan_kind;

/* True for the 14 element types (not DEFAULT, not out-of-range values). */
bool pscan_dtype_valid(pscan_dtype t);
pscan_kind pscan_dtype_kind(pscan_dtype t);
/* True when float/complex arithmetic makes the result depend on order. */
bool pscan_dtype_is_inexact(pscan_dtype t);
/* numpy.can_cast(from, to, casting). */
bool pscan_dtype_can_cast(pscan_dtype from, pscan_dtype to, pscan_casting casting);

#endif
