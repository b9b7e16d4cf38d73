/* dtype.c - element type table and numpy's casting rules. */
#include "dtype.h"

typedef struct dtype_info {
    const char *name;
    size_t size;
    pscan_kind kind;
    /* Bits of value a type holds exactly: integer width (sign excluded for
     * signed), float/complex significand width; used for "safe" casts. */
    int value_bits;
} dtype_info;

static const dtype_info dtype_table[] = {
    [PSCAN_DTYPE_DEFAULT] = {"default", 0, PSCAN_KIND_BOOL, 0},
    [PSCAN_BOOL] = {"bool", 1, PSCAN_KIND_BOOL, 1},
    [PSCAN_INT8] = {"int8", 1, PSCAN_KIND_INT, 7},
    [PSCAN_INT16] = {"int16", 2, PSCAN_KIND_INT, 15},
    [PSCAN_INT32] = {"int32", 4, PSCAN_KIND_INT, 31},
    [PSCAN_INT64] = {"int64", 8, PSCAN_KIND_INT, 63},
    [PSCAN_UINT8] = {"uint8", 1, PSCAN_KIND_UINT, 8},
    [PSCAN_UINT16] = {"uint16", 2, PSCAN_KIND_UINT, 16},
    [PSCAN_UINT32] = {"uint32", 4, PSCAN_KIND_UINT, 32},
    [PSCAN_UINT64] = {"uint64", 8, PSCAN_KIND_UINT, 64},
    [PSCAN_FLOAT16] = {"float16", 2, PSCAN_KIND_FLOAT, 11},
    [PSCAN_FLOAT32] = {"float32", 4, PSCAN_KIND_FLOAT, 24},
    [PSCAN_FLOAT64] = {"float64", 8, PSCAN_KIND_FLOAT, 53},
    [PSCAN_COMPLEX64] = {"complex64", 8, PSCAN_KIND_COMPLEX, 24},
    [PSCAN_COMPLEX128] = {"complex128", 16, PSCAN_KIND_COMPLEX, 53},
};
/* Sized by its entries: a dtype added without its row fails here. */
_Static_assert(sizeof dtype_table / sizeof *dtype_table == PSCAN_DTYPE_COUNT,
               "a row for every dtype");

bool pscan_dtype_valid(pscan_dtype t)
{
    return t > PSCAN_DTYPE_DEFAULT && t < PSCAN_DTYPE_COUNT;
}

const char *pscan_dtype_name(pscan_dtype t)
{
    if (t == PSCAN_DTYPE_DEFAULT || pscan_dtype_valid(t))
        return dtype_table[t].name;
    return "invalid";
}

size_t pscan_dtype_size(pscan_dtype t)
{
    return pscan_dtype_valid(t) ? dtype_table[t].size : 0;
}

pscan_kind pscan_dtype_kind(pscan_dtype t)
{
    return dtype_table[t].kind;
}

bool pscan_dtype_is_inexact(pscan_dtype t)
{
    return dtype_table[t].kind >= PSCAN_KIND_FLOAT;
}

/* numpy's logaddexp loops are e, f and d: the smallest float that holds
 * every value safely (int16 -> float32, int32 and wider -> float64). */
static pscan_dtype logaddexp_default(pscan_dtype in_dtype)
{
    switch (in_dtype) {
    case PSCAN_BOOL:
    case PSCAN_INT8:
    case PSCAN_UINT8:
        return PSCAN_FLOAT16;
    case PSCAN_INT16:
    case PSCAN_UINT16:
        return PSCAN_FLOAT32;
    case PSCAN_INT32:
    case PSCAN_UINT32:
    case PSCAN_INT64:
    case PSCAN_UINT64:
        return PSCAN_FLOAT64;
    case PSCAN_FLOAT16:
    case PSCAN_FLOAT32:
    case PSCAN_FLOAT64:
        return in_dtype;
    default: /* complex: no loop */
        return PSCAN_DTYPE_DEFAULT;
    }
}

pscan_dtype pscan_default_dtype(pscan_op op, pscan_dtype in_dtype)
{
    if (!pscan_dtype_valid(in_dtype) || (int)op < 0 || op >= PSCAN_OP_COUNT)
        return PSCAN_DTYPE_DEFAULT;
    if (op == PSCAN_MAX || op == PSCAN_MIN || op == PSCAN_ARGMAX || op == PSCAN_ARGMIN)
        return in_dtype; /* (the arg scans compare in it) */
    if (op == PSCAN_LOGADDEXP)
        return logaddexp_default(in_dtype);
    if (op == PSCAN_BIT_AND || op == PSCAN_BIT_OR || op == PSCAN_BIT_XOR)
        /* numpy keeps the type; floats have no bitwise loop */
        return dtype_table[in_dtype].kind <= PSCAN_KIND_INT ? in_dtype : PSCAN_DTYPE_DEFAULT;
    /* numpy's add/multiply.accumulate promote to the platform integer. */
    switch (in_dtype) {
    case PSCAN_BOOL:
    case PSCAN_INT8:
    case PSCAN_INT16:
    case PSCAN_INT32:
        return PSCAN_INT64;
    case PSCAN_UINT8:
    case PSCAN_UINT16:
    case PSCAN_UINT32:
        return PSCAN_UINT64;
    default:
        return in_dtype;
    }
}

/* numpy's safe casting: every value of `from` is a value of `to`. */
static bool can_cast_safe(pscan_dtype from, pscan_dtype to)
{
    const dtype_info *src = &dtype_table[from], *dst = &dtype_table[to];
    if (from == to || src->kind == PSCAN_KIND_BOOL)
        return true;
    if (dst->kind == PSCAN_KIND_BOOL)
        return false;
    if (src->kind == PSCAN_KIND_UINT && dst->kind == PSCAN_KIND_INT)
        return dst->value_bits >= src->value_bits;
    if (src->kind == PSCAN_KIND_INT && dst->kind == PSCAN_KIND_UINT)
        return false;
    if (src->kind == dst->kind)
        return dst->value_bits >= src->value_bits;
    if (src->kind > dst->kind)
        return false;
    /* integer -> float/complex, float -> complex: the significand must hold
     * the value (numpy: int16 -> float32 ok, int32 -> float32 not, int64 ->
     * float64 counts as safe, as numpy rules it). */
    if (src->kind == PSCAN_KIND_FLOAT)
        return dst->value_bits >= src->value_bits;
    if (src->value_bits >= 63)
        return dst->value_bits >= 53;
    return dst->value_bits > src->value_bits;
}

bool pscan_dtype_can_cast(pscan_dtype from, pscan_dtype to, pscan_casting casting)
{
    switch (casting) {
    case PSCAN_CASTING_UNSAFE:
        return true;
    case PSCAN_CASTING_SAME_KIND: {
        pscan_kind src = dtype_table[from].kind, dst = dtype_table[to].kind;
        /* uint -> int is the same kind for numpy; int -> uint is not. */
        if (src == PSCAN_KIND_INT && dst == PSCAN_KIND_UINT)
            return false;
        if (src == PSCAN_KIND_UINT && dst == PSCAN_KIND_INT)
            return true;
        return dst >= src;
    }
    case PSCAN_CASTING_SAFE:
        return can_cast_safe(from, to);
    }
    return false;
}
