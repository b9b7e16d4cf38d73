/* convert.c - dtype conversions, numpy's casting semantics.
 *
 * Every source value is first read as its natural C value (int64_t,
 * uint64_t, float or double, plus an imaginary part for complex), then
 * stored into the destination type. Where C leaves a conversion undefined
 * (NaN or out-of-range float -> integer), pscan documents its own answer:
 * NaN -> 0, out of range saturates at the type's min/max, in range truncates
 * toward zero. Complex -> real keeps the real part, as numpy does. */
#include "convert.h"

#include "dtype_list.h"

#include <math.h>
#include <string.h>

/* ---- float16 ---- */

float pscan_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    float f;
    if (exponent == 0) { /* zero or subnormal: mantissa * 2^-24 is exact */
        f = (float)mantissa * 0x1p-24f;
        return sign ? -f : f;
    }
    if (exponent == 31)
        bits = sign | 0x7f800000u | (mantissa << 13);
    else
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    memcpy(&f, &bits, sizeof f);
    return f;
}

static int bit_length(uint64_t x)
{
    int len = 0;
    while (x) {
        len++;
        x >>= 1;
    }
    return len;
}

/* Round |value| = significand * 2^exponent to binary16, nearest even. */
static uint16_t round_to_half(uint16_t sign, uint64_t significand, int exponent)
{
    if (significand == 0)
        return sign;
    int top = exponent + bit_length(significand) - 1; /* floor(log2 value) */
    if (top > 15)
        return sign | 0x7c00u;
    int quantum = top < -14 ? -24 : top - 10; /* log2 of the half ulp there */
    int shift = quantum - exponent;
    uint64_t units; /* value / 2^quantum, rounded */
    if (shift <= 0) {
        units = significand << -shift;
    } else if (shift > 63) {
        units = 0;
    } else {
        uint64_t rest = significand & ((UINT64_C(1) << shift) - 1);
        uint64_t halfway = UINT64_C(1) << (shift - 1);
        units = significand >> shift;
        if (rest > halfway || (rest == halfway && (units & 1)))
            units++;
    }
    /* Subnormals count in 2^-24 units; a carry into 1024 is the smallest
     * normal. Normals hold 1024..2048 units; 2048 carries into the next
     * exponent, and past 15 that is infinity. */
    uint32_t bits = quantum == -24 ? (uint32_t)units
                                   : ((uint32_t)(quantum + 25) << 10) + (uint32_t)(units - 1024);
    if (bits >= 0x7c00u)
        bits = 0x7c00u;
    return (uint16_t)(sign | bits);
}

/* binary16 from the fields of a binary32/64 value: a significand field of
 * `mantissa_bits`, an exponent field whose all-ones value means inf/NaN,
 * and 2^subnormal_exponent the weight of the significand's lowest bit for
 * subnormals. NaN keeps its top payload bits, as numpy does. */
static uint16_t half_from_fields(uint16_t sign, uint32_t exponent, uint32_t exponent_all_ones,
                                 uint64_t mantissa, int mantissa_bits, int subnormal_exponent)
{
    if (exponent == exponent_all_ones) {
        if (mantissa == 0)
            return sign | 0x7c00u;
        uint16_t payload = (uint16_t)(mantissa >> (mantissa_bits - 10));
        return sign | 0x7c00u | (payload ? payload : 1u);
    }
    if (exponent == 0)
        return round_to_half(sign, mantissa, subnormal_exponent);
    return round_to_half(sign, mantissa | (UINT64_C(1) << mantissa_bits),
                         (int)exponent + subnormal_exponent - 1);
}

uint16_t pscan_float_to_half(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return half_from_fields((uint16_t)((bits >> 16) & 0x8000u), (bits >> 23) & 0xffu, 0xffu,
                            bits & 0x7fffffu, 23, -149);
}

uint16_t pscan_double_to_half(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return half_from_fields((uint16_t)((bits >> 48) & 0x8000u), (uint32_t)(bits >> 52) & 0x7ffu,
                            0x7ffu, bits & ((UINT64_C(1) << 52) - 1), 52, -1074);
}

/* ---- float -> integer with defined results ---- */

static int64_t saturate_signed(double x, int64_t lo, int64_t hi)
{
    if (isnan(x))
        return 0;
    if (x <= (double)lo)
        return lo;
    if (x >= (double)hi) /* (double)INT64_MAX rounds up to 2^63: still right */
        return hi;
    return (int64_t)x;
}

static uint64_t saturate_unsigned(double x, uint64_t hi)
{
    if (isnan(x) || x <= 0.0)
        return 0;
    if (x >= (double)hi)
        return hi;
    return (uint64_t)x;
}

/* ---- reading: natural value of each source type ---- */

#define RE_bool(x) ((uint64_t)((x) != 0))
#define RE_i8(x) ((int64_t)(x))
#define RE_i16(x) ((int64_t)(x))
#define RE_i32(x) ((int64_t)(x))
#define RE_i64(x) ((int64_t)(x))
#define RE_u8(x) ((uint64_t)(x))
#define RE_u16(x) ((uint64_t)(x))
#define RE_u32(x) ((uint64_t)(x))
#define RE_u64(x) ((uint64_t)(x))
#define RE_f16(x) pscan_half_to_float(x)
#define RE_f32(x) (x)
#define RE_f64(x) (x)
#define RE_c64(x) ((x).re)
#define RE_c128(x) ((x).re)

#define IM_bool(x) ((uint64_t)0)
#define IM_i8(x) ((int64_t)0)
#define IM_i16(x) ((int64_t)0)
#define IM_i32(x) ((int64_t)0)
#define IM_i64(x) ((int64_t)0)
#define IM_u8(x) ((uint64_t)0)
#define IM_u16(x) ((uint64_t)0)
#define IM_u32(x) ((uint64_t)0)
#define IM_u64(x) ((uint64_t)0)
#define IM_f16(x) 0.0f
#define IM_f32(x) 0.0f
#define IM_f64(x) 0.0
#define IM_c64(x) ((x).im)
#define IM_c128(x) ((x).im)

/* ---- storing: natural value -> destination type ---- */

/* Integer destinations: integers wrap (two's complement, as numpy), floats
 * go through the defined saturating conversion. */
#define TO_SIGNED(ctype, lo, hi, re)                                \
    _Generic((re), int64_t                                          \
             : (ctype)(uint64_t)(re), uint64_t                      \
             : (ctype)(re), float                                   \
             : (ctype)saturate_signed((double)(re), lo, hi), double \
             : (ctype)saturate_signed((double)(re), lo, hi))
#define TO_UNSIGNED(ctype, hi, re)                                \
    _Generic((re), int64_t                                        \
             : (ctype)(uint64_t)(re), uint64_t                    \
             : (ctype)(re), float                                 \
             : (ctype)saturate_unsigned((double)(re), hi), double \
             : (ctype)saturate_unsigned((double)(re), hi))
#define TO_HALF(re)                                         \
    _Generic((re), int64_t                                  \
             : pscan_double_to_half((double)(re)), uint64_t \
             : pscan_double_to_half((double)(re)), float    \
             : pscan_float_to_half((float)(re)), double     \
             : pscan_double_to_half((double)(re)))

#define MAKE_bool(re, im) ((uint8_t)((re) != 0 || (im) != 0))
#define MAKE_i8(re, im) TO_SIGNED(int8_t, INT8_MIN, INT8_MAX, re)
#define MAKE_i16(re, im) TO_SIGNED(int16_t, INT16_MIN, INT16_MAX, re)
#define MAKE_i32(re, im) TO_SIGNED(int32_t, INT32_MIN, INT32_MAX, re)
#define MAKE_i64(re, im) TO_SIGNED(int64_t, INT64_MIN, INT64_MAX, re)
#define MAKE_u8(re, im) TO_UNSIGNED(uint8_t, UINT8_MAX, re)
#define MAKE_u16(re, im) TO_UNSIGNED(uint16_t, UINT16_MAX, re)
#define MAKE_u32(re, im) TO_UNSIGNED(uint32_t, UINT32_MAX, re)
#define MAKE_u64(re, im) TO_UNSIGNED(uint64_t, UINT64_MAX, re)
#define MAKE_f16(re, im) TO_HALF(re)
#define MAKE_f32(re, im) ((float)(re))
#define MAKE_f64(re, im) ((double)(re))
#define MAKE_c64(re, im) ((pscan_c64){(float)(re), (float)(im)})
#define MAKE_c128(re, im) ((pscan_c128){(double)(re), (double)(im)})

/* One generic body, instantiated for every (source, destination) pair. The
 * element-wise memcpy keeps unaligned strided access defined; compilers
 * turn it into plain loads and stores. src_at and dst_at: element i's
 * address. */
#define CONVERT_LOOP(from, to, src_at, dst_at)                               \
    for (size_t i = 0; i < n; i++) {                                         \
        pscan_t_##from value;                                                \
        memcpy(&value, src_at, sizeof value);                                \
        pscan_t_##to result = MAKE_##to(RE_##from(value), IM_##from(value)); \
        memcpy(dst_at, &result, sizeof result);                              \
    }
/* `loop(from, to, src_at, dst_at)` for the strides at hand. Contiguous
 * runs, forward or reversed (a REVERSE scan loads and stores flipped
 * runs), index with an unsigned i * size: GCC 12 vectorises those loops,
 * and none whose index is a signed (ptrdiff_t)i * stride. */
#define BY_STRIDES(loop, from, to)                                                            \
    {                                                                                         \
        const ptrdiff_t from_size = (ptrdiff_t)sizeof(pscan_t_##from);                        \
        const ptrdiff_t to_size = (ptrdiff_t)sizeof(pscan_t_##to);                            \
        if (src_stride == from_size && dst_stride == to_size) {                               \
            loop(from, to, src + i * sizeof(pscan_t_##from), dst + i * sizeof(pscan_t_##to)); \
        } else if (src_stride == -from_size && dst_stride == to_size) {                       \
            loop(from, to, src - i * sizeof(pscan_t_##from), dst + i * sizeof(pscan_t_##to)); \
        } else if (src_stride == from_size && dst_stride == -to_size) {                       \
            loop(from, to, src + i * sizeof(pscan_t_##from), dst - i * sizeof(pscan_t_##to)); \
        } else {                                                                              \
            loop(from, to, src + (ptrdiff_t)i * src_stride, dst + (ptrdiff_t)i * dst_stride); \
        }                                                                                     \
    }
#define DEFINE_CONVERT(from, to)                                                           \
    static void convert_##from##_to_##to(const char *src, ptrdiff_t src_stride, char *dst, \
                                         ptrdiff_t dst_stride, size_t n)                   \
        BY_STRIDES(CONVERT_LOOP, from, to)
#define DEFINE_CONVERTS_FROM(from) PSCAN_EACH_DTYPE_WITH(DEFINE_CONVERT, from)
PSCAN_EACH_DTYPE(DEFINE_CONVERTS_FROM)

#define CONVERT_ENTRY(from, to) [PSCAN_DT_##to] = convert_##from##_to_##to,
#define CONVERT_ROW(from) [PSCAN_DT_##from] = {PSCAN_EACH_DTYPE_WITH(CONVERT_ENTRY, from)},
static const pscan_convert_fn convert_table[PSCAN_DTYPE_COUNT][PSCAN_DTYPE_COUNT] = {
    PSCAN_EACH_DTYPE(CONVERT_ROW)};

pscan_convert_fn pscan_convert_get(pscan_dtype from, pscan_dtype to)
{
    return convert_table[from][to];
}

/* ---- skip-NaN loads: NaN (either part of a complex) becomes the op's
 * starting value before the conversion, as numpy.nancumsum replaces NaN
 * with 0 (nancumprod with 1) in the input before accumulating. ---- */

#define ISNAN_f16(x) (((x)&0x7fffu) > 0x7c00u)
#define ISNAN_f32(x) isnan(x)
#define ISNAN_f64(x) isnan(x)
#define ISNAN_c64(x) (isnan((x).re) || isnan((x).im))
#define ISNAN_c128(x) (isnan((x).re) || isnan((x).im))

/* The value NaN turns into, as (re, im) doubles, per op. */
#define FILL_RE_SUM 0.0
#define FILL_IM_SUM 0.0
#define FILL_RE_PROD 1.0
#define FILL_IM_PROD 0.0
#define FILL_RE_MAX (-(double)INFINITY)
#define FILL_IM_MAX (-(double)INFINITY)
#define FILL_RE_MIN ((double)INFINITY)
#define FILL_IM_MIN ((double)INFINITY)

#define SKIP_NAN_LOOP(op, from, to, src_at, dst_at)                                                \
    for (size_t i = 0; i < n; i++) {                                                               \
        pscan_t_##from value;                                                                      \
        memcpy(&value, src_at, sizeof value);                                                      \
        pscan_t_##to result = ISNAN_##from(value) ? MAKE_##to(FILL_RE_##op, FILL_IM_##op)          \
                                                  : MAKE_##to(RE_##from(value), IM_##from(value)); \
        memcpy(dst_at, &result, sizeof result);                                                    \
    }
#define SKIP_NAN_LOOP_SUM(from, to, s, d) SKIP_NAN_LOOP(SUM, from, to, s, d)
#define SKIP_NAN_LOOP_PROD(from, to, s, d) SKIP_NAN_LOOP(PROD, from, to, s, d)
#define SKIP_NAN_LOOP_MAX(from, to, s, d) SKIP_NAN_LOOP(MAX, from, to, s, d)
#define SKIP_NAN_LOOP_MIN(from, to, s, d) SKIP_NAN_LOOP(MIN, from, to, s, d)
#define DEFINE_SKIP_NAN(op, from, to)                                                              \
    static void skip_nan_##op##_##from##_to_##to(const char *src, ptrdiff_t src_stride, char *dst, \
                                                 ptrdiff_t dst_stride, size_t n)                   \
        BY_STRIDES(SKIP_NAN_LOOP_##op, from, to)
#define DEFINE_SKIP_NAN_OPS(from, to) \
    DEFINE_SKIP_NAN(SUM, from, to)    \
    DEFINE_SKIP_NAN(PROD, from, to) DEFINE_SKIP_NAN(MAX, from, to) DEFINE_SKIP_NAN(MIN, from, to)
#define PSCAN_EACH_INEXACT(X) X(f16) X(f32) X(f64) X(c64) X(c128)
#define DEFINE_SKIP_NANS_FROM(from) PSCAN_EACH_DTYPE_WITH(DEFINE_SKIP_NAN_OPS, from)
PSCAN_EACH_INEXACT(DEFINE_SKIP_NANS_FROM)

#define SKIP_NAN_ENTRY(from, to)                                                   \
    [PSCAN_SUM][PSCAN_DT_##from][PSCAN_DT_##to] = skip_nan_SUM_##from##_to_##to,   \
    [PSCAN_PROD][PSCAN_DT_##from][PSCAN_DT_##to] = skip_nan_PROD_##from##_to_##to, \
    [PSCAN_MAX][PSCAN_DT_##from][PSCAN_DT_##to] = skip_nan_MAX_##from##_to_##to,   \
    [PSCAN_MIN][PSCAN_DT_##from][PSCAN_DT_##to] = skip_nan_MIN_##from##_to_##to,
#define SKIP_NAN_ROW(from) PSCAN_EACH_DTYPE_WITH(SKIP_NAN_ENTRY, from)
static const pscan_convert_fn skip_nan_table[PSCAN_OP_COUNT][PSCAN_DTYPE_COUNT][PSCAN_DTYPE_COUNT] =
    {PSCAN_EACH_INEXACT(SKIP_NAN_ROW)};

pscan_convert_fn pscan_convert_get_skip_nan(pscan_dtype from, pscan_dtype to, pscan_op op)
{
    /* logaddexp's absent value is MAX's, -inf; the bitwise ops have no
     * float accumulator, so their NaN inputs convert as usual */
    if (op == PSCAN_LOGADDEXP)
        op = PSCAN_MAX;
    pscan_convert_fn skipping = skip_nan_table[op][from][to];
    return skipping ? skipping : convert_table[from][to];
}

/* ---- compensated sums: accumulator values as pairs hi + lo ----
 * On load an element is converted to the accumulator type (as for any
 * scan), then widened exactly to a pair (x, 0) of doubles (two pairs for
 * complex). On store the pair is rounded to double (hi + lo), then to the
 * accumulator type, then converted to out. */

typedef struct pair_dd {
    double hi, lo;
} pair_dd;
_Static_assert(sizeof(pair_dd) == PSCAN_PAIR_BYTES, "a pair is the size convert.h gives");

#define PAIRS_f16 1
#define PAIRS_f32 1
#define PAIRS_f64 1
#define PAIRS_c64 2
#define PAIRS_c128 2

/* `name` converts from -> acc -> pair; an element that `is_nan` says is
 * NaN becomes 0 first (skip-NaN sums; NEVER_NAN for the plain load). */
#define NEVER_NAN(x) 0
#define DEFINE_TO_PAIR_BODY(name, acc, from, is_nan)                                           \
    static void name(const char *src, ptrdiff_t src_stride, char *dst, ptrdiff_t dst_stride,   \
                     size_t n)                                                                 \
    {                                                                                          \
        for (size_t i = 0; i < n; i++) {                                                       \
            pscan_t_##from value;                                                              \
            memcpy(&value, src + (ptrdiff_t)i * src_stride, sizeof value);                     \
            const pscan_t_##acc a = is_nan(value)                                              \
                                        ? MAKE_##acc(0.0, 0.0)                                 \
                                        : MAKE_##acc(RE_##from(value), IM_##from(value));      \
            const pair_dd parts[2] = {{(double)RE_##acc(a), 0.0}, {(double)IM_##acc(a), 0.0}}; \
            memcpy(dst + (ptrdiff_t)i * dst_stride, parts, PAIRS_##acc * sizeof(pair_dd));     \
        }                                                                                      \
    }
#define DEFINE_TO_PAIR(acc, from) \
    DEFINE_TO_PAIR_BODY(to_pair_##acc##_from_##from, acc, from, NEVER_NAN)
#define DEFINE_TO_PAIR_SKIP_NAN(acc, from) \
    DEFINE_TO_PAIR_BODY(to_pair_skip_nan_##acc##_from_##from, acc, from, ISNAN_##from)
#define DEFINE_FROM_PAIR(acc, to)                                                           \
    static void from_pair_##acc##_to_##to(const char *src, ptrdiff_t src_stride, char *dst, \
                                          ptrdiff_t dst_stride, size_t n)                   \
    {                                                                                       \
        for (size_t i = 0; i < n; i++) {                                                    \
            pair_dd parts[2] = {{0.0, 0.0}, {0.0, 0.0}};                                    \
            memcpy(parts, src + (ptrdiff_t)i * src_stride, PAIRS_##acc * sizeof(pair_dd));  \
            const pscan_t_##acc a =                                                         \
                MAKE_##acc(parts[0].hi + parts[0].lo, parts[1].hi + parts[1].lo);           \
            const pscan_t_##to result = MAKE_##to(RE_##acc(a), IM_##acc(a));                \
            memcpy(dst + (ptrdiff_t)i * dst_stride, &result, sizeof result);                \
        }                                                                                   \
    }
#define PSCAN_EACH_INEXACT_WITH(X, a) X(a, f16) X(a, f32) X(a, f64) X(a, c64) X(a, c128)
#define DEFINE_PAIRS_FOR(acc)                    \
    PSCAN_EACH_DTYPE_WITH(DEFINE_TO_PAIR, acc)   \
    PSCAN_EACH_DTYPE_WITH(DEFINE_FROM_PAIR, acc) \
    PSCAN_EACH_INEXACT_WITH(DEFINE_TO_PAIR_SKIP_NAN, acc)
PSCAN_EACH_INEXACT(DEFINE_PAIRS_FOR)

#define TO_PAIR_ENTRY(acc, from) [PSCAN_DT_##from] = to_pair_##acc##_from_##from,
#define FROM_PAIR_ENTRY(acc, to) [PSCAN_DT_##to] = from_pair_##acc##_to_##to,
#define TO_PAIR_ROW(acc) [PSCAN_DT_##acc] = {PSCAN_EACH_DTYPE_WITH(TO_PAIR_ENTRY, acc)},
#define FROM_PAIR_ROW(acc) [PSCAN_DT_##acc] = {PSCAN_EACH_DTYPE_WITH(FROM_PAIR_ENTRY, acc)},
static const pscan_convert_fn to_pair_table[PSCAN_DTYPE_COUNT][PSCAN_DTYPE_COUNT] = {
    PSCAN_EACH_INEXACT(TO_PAIR_ROW)};
static const pscan_convert_fn from_pair_table[PSCAN_DTYPE_COUNT][PSCAN_DTYPE_COUNT] = {
    PSCAN_EACH_INEXACT(FROM_PAIR_ROW)};
#define TO_PAIR_SKIP_NAN_ENTRY(acc, from) [PSCAN_DT_##from] = to_pair_skip_nan_##acc##_from_##from,
#define TO_PAIR_SKIP_NAN_ROW(acc) \
    [PSCAN_DT_##acc] = {PSCAN_EACH_INEXACT_WITH(TO_PAIR_SKIP_NAN_ENTRY, acc)},
static const pscan_convert_fn to_pair_skip_nan_table[PSCAN_DTYPE_COUNT][PSCAN_DTYPE_COUNT] = {
    PSCAN_EACH_INEXACT(TO_PAIR_SKIP_NAN_ROW)};

pscan_convert_fn pscan_convert_get_to_pair_skip_nan(pscan_dtype from, pscan_dtype acc)
{
    pscan_convert_fn skipping = to_pair_skip_nan_table[acc][from];
    return skipping ? skipping : to_pair_table[acc][from];
}

pscan_convert_fn pscan_convert_get_to_pair(pscan_dtype from, pscan_dtype acc)
{
    return to_pair_table[acc][from];
}

pscan_convert_fn pscan_convert_get_from_pair(pscan_dtype acc, pscan_dtype to)
{
    return from_pair_table[acc][to];
}
