/* ops.c - the accumulators of each op (numpy's loops) and their order. */
#include "ops.h"

#include "dtype.h"

bool pscan_op_accepts(pscan_op op, pscan_dtype acc)
{
    if (!pscan_dtype_valid(acc))
        return false;
    switch (op) {
    case PSCAN_SUM:
    case PSCAN_PROD:
    case PSCAN_MAX:
    case PSCAN_MIN:
    case PSCAN_ARGMAX:
    case PSCAN_ARGMIN:
        return true;
    case PSCAN_LOGADDEXP:
        return pscan_dtype_kind(acc) == PSCAN_KIND_FLOAT;
    case PSCAN_BIT_AND:
    case PSCAN_BIT_OR:
    case PSCAN_BIT_XOR:
        return pscan_dtype_kind(acc) <= PSCAN_KIND_INT;
    default:
        return false;
    }
}

bool pscan_op_order_matters(pscan_op op, pscan_dtype acc)
{
    return pscan_dtype_is_inexact(acc) &&
           (op == PSCAN_SUM || op == PSCAN_PROD || op == PSCAN_LOGADDEXP);
}
