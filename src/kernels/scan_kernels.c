/* scan_kernels.c - scan, fold and combine for every (op, accumulator type),
 * generated from one generic body per function.
 *
 * Each operation is spelled once per arithmetic class, with numpy's exact
 * rules: integers wrap (computed in uint64_t, so no signed overflow), bool
 * sums are logical or, float16 rounds to half after every step, complex
 * multiply is (ac - bd, ad + bc), max/min propagate NaN and order complex
 * values lexicographically. */
#include "kernels.h"

#include "../convert.h"
#include "../dtype_list.h"

#include <math.h>
#include <string.h>

/* Arithmetic class of each tag. */
#define CLASS_bool BOOL
#define CLASS_i8 WRAP
#define CLASS_i16 WRAP
#define CLASS_i32 WRAP
#define CLASS_i64 WRAP
#define CLASS_u8 WRAP
#define CLASS_u16 WRAP
#define CLASS_u32 WRAP
#define CLASS_u64 WRAP
#define CLASS_f16 HALF
#define CLASS_f32 REAL
#define CLASS_f64 REAL
#define CLASS_c64 CPLX
#define CLASS_c128 CPLX

#define SUM_BOOL(T, a, b) ((T)((a) | (b)))
#define PROD_BOOL(T, a, b) ((T)((a) & (b)))
#define MAX_BOOL(T, a, b) ((T)((a) | (b)))
#define MIN_BOOL(T, a, b) ((T)((a) & (b)))

#define SUM_WRAP(T, a, b) ((T)((uint64_t)(a) + (uint64_t)(b)))
#define PROD_WRAP(T, a, b) ((T)((uint64_t)(a) * (uint64_t)(b)))
#define MAX_WRAP(T, a, b) ((a) >= (b) ? (a) : (b))
#define MIN_WRAP(T, a, b) ((a) <= (b) ? (a) : (b))

#define SUM_REAL(T, a, b) ((T)((a) + (b)))
#define PROD_REAL(T, a, b) ((T)((a) * (b)))
/* float32/64 ties (only -0.0 vs +0.0 can tie visibly) keep the later
 * operand and float16/complex ties the earlier one: that is what numpy 1.24
 * does on x86-64 (its float32/64 loops are SIMD max/min instructions). */
#define MAX_REAL(T, a, b) (((a) > (b) || isnan(a)) ? (a) : (b))
#define MIN_REAL(T, a, b) (((a) < (b) || isnan(a)) ? (a) : (b))

static inline uint16_t half_add(uint16_t a, uint16_t b)
{
    return pscan_float_to_half(pscan_half_to_float(a) + pscan_half_to_float(b));
}
static inline uint16_t half_mul(uint16_t a, uint16_t b)
{
    return pscan_float_to_half(pscan_half_to_float(a) * pscan_half_to_float(b));
}
static inline uint16_t half_max(uint16_t a, uint16_t b)
{
    float fa = pscan_half_to_float(a), fb = pscan_half_to_float(b);
    return (fa >= fb || isnan(fa)) ? a : b;
}
static inline uint16_t half_min(uint16_t a, uint16_t b)
{
    float fa = pscan_half_to_float(a), fb = pscan_half_to_float(b);
    return (fa <= fb || isnan(fa)) ? a : b;
}
#define SUM_HALF(T, a, b) half_add(a, b)
#define PROD_HALF(T, a, b) half_mul(a, b)
#define MAX_HALF(T, a, b) half_max(a, b)
#define MIN_HALF(T, a, b) half_min(a, b)

/* numpy's complex ordering: real parts first, NaN anywhere wins. */
#define CPLX_GE(x, y)                                                          \
    (((x).re > (y).re && !isnan((x).im) && !isnan((y).im)) ||                   \
     ((x).re == (y).re && (x).im >= (y).im))
#define CPLX_LE(x, y)                                                          \
    (((x).re < (y).re && !isnan((x).im) && !isnan((y).im)) ||                   \
     ((x).re == (y).re && (x).im <= (y).im))
#define SUM_CPLX(T, a, b) ((T){(a).re + (b).re, (a).im + (b).im})
#define PROD_CPLX(T, a, b)                                                     \
    ((T){(a).re * (b).re - (a).im * (b).im, (a).re * (b).im + (a).im * (b).re})
#define MAX_CPLX(T, a, b)                                                      \
    ((CPLX_GE(a, b) || isnan((a).re) || isnan((a).im)) ? (a) : (b))
#define MIN_CPLX(T, a, b)                                                      \
    ((CPLX_LE(a, b) || isnan((a).re) || isnan((a).im)) ? (a) : (b))

#define COMBINE(op, tag, a, b) COMBINE_CLASS(op, CLASS_##tag, tag, a, b)
#define COMBINE_CLASS(op, cls, tag, a, b) COMBINE_EXPAND(op, cls, tag, a, b)
#define COMBINE_EXPAND(op, cls, tag, a, b) op##_##cls(pscan_t_##tag, a, b)

/* Buffers are the engine's byte arrays: elements are read and written with
 * memcpy (plain loads and stores once compiled), never through a pointer of
 * another type, so no access breaks C's effective-type rules. */
#define DEFINE_ACCESS(tag)                                                     \
    static inline pscan_t_##tag load_##tag(const void *bytes, size_t i)        \
    {                                                                          \
        pscan_t_##tag value;                                                   \
        memcpy(&value, (const char *)bytes + i * sizeof value, sizeof value);  \
        return value;                                                          \
    }                                                                          \
    static inline void store_##tag(void *bytes, size_t i, pscan_t_##tag value) \
    {                                                                          \
        memcpy((char *)bytes + i * sizeof value, &value, sizeof value);        \
    }
PSCAN_EACH_DTYPE(DEFINE_ACCESS)

#define DEFINE_KERNELS(op, tag)                                                \
    static void scan_##op##_##tag(void *buf, size_t n, const void *carry)      \
    {                                                                          \
        if (n == 0)                                                            \
            return;                                                            \
        pscan_t_##tag running = load_##tag(buf, 0);                            \
        if (carry)                                                             \
            running = COMBINE(op, tag, load_##tag(carry, 0), running);         \
        store_##tag(buf, 0, running);                                          \
        for (size_t i = 1; i < n; i++) {                                       \
            pscan_t_##tag next = load_##tag(buf, i);                           \
            running = COMBINE(op, tag, running, next);                         \
            store_##tag(buf, i, running);                                      \
        }                                                                      \
    }                                                                          \
    static void fold_##op##_##tag(void *buf, size_t n, const void *carry)      \
    {                                                                          \
        const pscan_t_##tag prefix = load_##tag(carry, 0);                     \
        for (size_t i = 0; i < n; i++) {                                       \
            pscan_t_##tag local = load_##tag(buf, i);                          \
            store_##tag(buf, i, COMBINE(op, tag, prefix, local));              \
        }                                                                      \
    }                                                                          \
    static void combine_##op##_##tag(const void *prev, const void *next, void *dst, \
                                     size_t n)                                 \
    {                                                                          \
        for (size_t i = 0; i < n; i++) {                                       \
            pscan_t_##tag earlier = load_##tag(prev, i), later = load_##tag(next, i); \
            store_##tag(dst, i, COMBINE(op, tag, earlier, later));             \
        }                                                                      \
    }

#define DEFINE_OP_KERNELS(tag)                                                 \
    DEFINE_KERNELS(SUM, tag) DEFINE_KERNELS(PROD, tag)                         \
    DEFINE_KERNELS(MAX, tag) DEFINE_KERNELS(MIN, tag)
PSCAN_EACH_DTYPE(DEFINE_OP_KERNELS)

#define KERNEL_ENTRY(op, tag) [PSCAN_DT_##tag] = {scan_##op##_##tag, fold_##op##_##tag, combine_##op##_##tag},
static const pscan_kernel kernel_table[PSCAN_OP_COUNT][PSCAN_DTYPE_COUNT] = {
    [PSCAN_SUM] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, SUM)},
    [PSCAN_PROD] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, PROD)},
    [PSCAN_MAX] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, MAX)},
    [PSCAN_MIN] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, MIN)},
};

const pscan_kernel *pscan_kernel_get(pscan_op op, pscan_dtype acc)
{
    return &kernel_table[op][acc];
}
