/* identity.c - the value a scan starts from: what exclusive and
 * include-initial scans put first. */
#include "convert.h"
#include "dtype.h"
#include "ops.h"

#include <math.h>
#include <string.h>

/* 0, 1, the lowest value or the highest one, of any dtype; or every bit
 * set (bool and integers: BIT_AND's identity). */
typedef enum extreme {
    EXTREME_ZERO,
    EXTREME_ONE,
    EXTREME_LOWEST,
    EXTREME_HIGHEST,
    EXTREME_ONES
} extreme;

#define STORE_AS(ctype, expr)          \
    do {                               \
        ctype v_ = (expr);             \
        memcpy(value, &v_, sizeof v_); \
    } while (0)

static void store_extreme(pscan_dtype t, extreme e, void *value)
{
    const int lo = e == EXTREME_LOWEST, hi = e == EXTREME_HIGHEST, one = e == EXTREME_ONE;
    const double inf = (double)INFINITY;
    if (e == EXTREME_ONES) {
        /* bool: true; the integers: all bits (-1 as signed) */
        memset(value, t == PSCAN_BOOL ? 1 : 0xff, pscan_dtype_size(t));
        return;
    }
    switch (t) {
    case PSCAN_BOOL:
        STORE_AS(uint8_t, one || hi);
        break;
    case PSCAN_INT8:
        STORE_AS(int8_t, lo ? INT8_MIN : hi ? INT8_MAX : one);
        break;
    case PSCAN_INT16:
        STORE_AS(int16_t, lo ? INT16_MIN : hi ? INT16_MAX : one);
        break;
    case PSCAN_INT32:
        STORE_AS(int32_t, lo ? INT32_MIN : hi ? INT32_MAX : one);
        break;
    case PSCAN_INT64:
        STORE_AS(int64_t, lo ? INT64_MIN : hi ? INT64_MAX : one);
        break;
    case PSCAN_UINT8:
        STORE_AS(uint8_t, hi ? UINT8_MAX : one);
        break;
    case PSCAN_UINT16:
        STORE_AS(uint16_t, hi ? UINT16_MAX : one);
        break;
    case PSCAN_UINT32:
        STORE_AS(uint32_t, hi ? UINT32_MAX : (uint32_t)one);
        break;
    case PSCAN_UINT64:
        STORE_AS(uint64_t, hi ? UINT64_MAX : (uint64_t)one);
        break;
    /* binary16 bits: 1.0 is 0x3C00, +inf 0x7C00, -inf 0xFC00 */
    case PSCAN_FLOAT16:
        STORE_AS(uint16_t, lo ? 0xFC00u : hi ? 0x7C00u : one ? 0x3C00u : 0u);
        break;
    case PSCAN_FLOAT32:
        STORE_AS(float, (float)(lo ? -inf : hi ? inf : one));
        break;
    case PSCAN_FLOAT64:
        STORE_AS(double, lo ? -inf : hi ? inf : one);
        break;
    case PSCAN_COMPLEX64: {
        /* lexicographic order: (-inf, -inf) is below every number */
        float pair[2] = {(float)(lo ? -inf : hi ? inf : one), (float)(lo ? -inf : hi ? inf : 0)};
        memcpy(value, pair, sizeof pair);
        break;
    }
    case PSCAN_COMPLEX128: {
        double pair[2] = {lo ? -inf : hi ? inf : one, lo ? -inf : hi ? inf : 0};
        memcpy(value, pair, sizeof pair);
        break;
    }
    default:
        break;
    }
}

pscan_status pscan_identity(pscan_op op, pscan_dtype dtype, void *value)
{
    static const extreme for_op[] = {
        [PSCAN_SUM] = EXTREME_ZERO,         [PSCAN_PROD] = EXTREME_ONE,
        [PSCAN_MAX] = EXTREME_LOWEST,       [PSCAN_MIN] = EXTREME_HIGHEST,
        [PSCAN_LOGADDEXP] = EXTREME_LOWEST, [PSCAN_BIT_AND] = EXTREME_ONES,
        [PSCAN_BIT_OR] = EXTREME_ZERO,      [PSCAN_BIT_XOR] = EXTREME_ZERO,
    };
    _Static_assert(sizeof for_op / sizeof *for_op == PSCAN_BIT_XOR + 1,
                   "an identity for every op with kernels, SUM to BIT_XOR");
    if (!value)
        return PSCAN_ENULL;
    if ((int)op < 0 || op >= PSCAN_OP_COUNT)
        return PSCAN_EOP;
    if (!pscan_op_accepts(op, dtype))
        return PSCAN_EDTYPE;
    if (pscan_op_is_arg(op)) { /* no element yet: index -1 */
        const int64_t none = -1;
        pscan_convert_get(PSCAN_INT64, dtype)((const char *)&none, 0, value, 0, 1);
        return PSCAN_OK;
    }
    store_extreme(dtype, for_op[op], value);
    return PSCAN_OK;
}
