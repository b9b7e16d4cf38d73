/* values.h - one accumulator value of any type, and the combine step of
 * every (op, type) with numpy's exact rules, as force-inlined functions of
 * constant arguments: the generic kernel bodies take (op, type) and the
 * compiler folds each call site to the one step it names, as zstd's
 * FORCE_INLINE_TEMPLATE bodies fold their constant flags.
 *
 * The rules: integers wrap (computed in uint64_t, so no signed overflow),
 * bool sums are logical or, float16 rounds to half after every step,
 * complex multiply is (ac - bd, ad + bc) with each product rounded, max
 * and min propagate NaN and order complex values lexicographically,
 * logaddexp is numpy's npy_logaddexp on pscan's own exp and log1p
 * (PSCAN_LOGADDEXP, REPRODUCIBLE) or on the host's libm
 * (PSCAN_LOGADDEXP_LIBM, SEQUENTIAL), the bitwise ops
 * act on bool and the integers' bits. */
#ifndef PSCAN_KERNEL_VALUES_H
#define PSCAN_KERNEL_VALUES_H

#include "pscan.h"
#include "kernels.h"
#include "../convert.h"
#include "../dtype_list.h"
#include "logaddexp_math.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FORCE_INLINE static inline __attribute__((always_inline))

/* Compensated sums (PSCAN_FLAG_COMPENSATED): a value is an unevaluated
 * pair hi + lo of doubles (real) or two such pairs (complex), added with
 * error-free transformations (Knuth's TwoSum, then a renormalising fast
 * TwoSum): about 106 bits of sum, rounded once when stored. Built with
 * -ffp-contract=off, so every step rounds as written on every ISA. */
typedef struct pscan_t_dd {
    double hi, lo;
} pscan_t_dd;
typedef struct pscan_t_cdd {
    pscan_t_dd re, im;
} pscan_t_cdd;
_Static_assert(sizeof(pscan_t_dd) == PSCAN_PAIR_BYTES &&
                   sizeof(pscan_t_cdd) == PSCAN_COMPLEX_PAIR_BYTES,
               "compensated values are the sizes the converters and the engine use");

/* The accumulator types the kernels know: every dtype's tag, then the
 * compensated pairs. Bool and the integers come first (ORDER_FREE in
 * scan_kernels.c counts on it). */
typedef enum ktype {
    KT_bool,
    KT_i8,
    KT_i16,
    KT_i32,
    KT_i64,
    KT_u8,
    KT_u16,
    KT_u32,
    KT_u64,
    KT_f16,
    KT_f32,
    KT_f64,
    KT_c64,
    KT_c128,
    KT_dd,
    KT_cdd
} ktype;

/* One value: a field per type, of which only its type's is ever written
 * or read. Not a union: members sharing bytes would be copied and
 * compared as the widest of them, and a narrow store read back wide stalls
 * store forwarding on every step (a 4-byte integer scan ran 20x slower).
 * Distinct fields let the compiler keep the one in use in a register and
 * drop the rest; nothing of the struct is left once a body is inlined.
 * Values are copied whole (returned, passed, selected), which C defines
 * even though the other fields were never written; GCC's flow analysis
 * calls each such copy a read of an uninitialized field, so that warning
 * is off in the kernel files (which include this header first). Clearing
 * every field instead would cost stores on every step. A kvalue is not
 * its type's bytes: where a kernel takes a carry or totals pointer, the
 * value is first stored (kstore) into a byte buffer. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
typedef struct kvalue {
    pscan_t_bool b;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint16_t f16;
    float f32;
    double f64;
    pscan_c64 c64;
    pscan_c128 c128;
    pscan_t_dd dd;
    pscan_t_cdd cdd;
} kvalue;

FORCE_INLINE size_t ksize(ktype t)
{
    switch (t) {
    case KT_bool:
    case KT_i8:
    case KT_u8:
        return 1;
    case KT_i16:
    case KT_u16:
    case KT_f16:
        return 2;
    case KT_i32:
    case KT_u32:
    case KT_f32:
        return 4;
    case KT_i64:
    case KT_u64:
    case KT_f64:
    case KT_c64:
        return 8;
    case KT_c128:
    case KT_dd:
        return 16;
    case KT_cdd:
        return 32;
    }
    return 0;
}

/* Buffers are the engine's byte arrays: elements are read and written with
 * memcpy (plain loads and stores once compiled), never through a pointer of
 * another type, so no access breaks C's effective-type rules. Each goes
 * through its own field (complex values and pairs part by part), so the
 * compiler keeps each part in a register of its own. */
/* Floating parts stored as floating values: a memcpy of 8 bytes folds to
 * an integer move, and the value being stored then lives in an integer
 * register, a move away from the adds and multiplies of every step.
 * GCC's and clang's may_alias types of alignment 1 (xxHash reads its
 * unaligned words the same way) keep the store a float store, with no
 * aliasing or alignment assumption. */
typedef float unaligned_f32 __attribute__((may_alias, aligned(1)));
typedef double unaligned_f64 __attribute__((may_alias, aligned(1)));
FORCE_INLINE void put_f32(void *bytes, size_t part, float value)
{
    ((unaligned_f32 *)bytes)[part] = value;
}
FORCE_INLINE void put_f64(void *bytes, size_t part, double value)
{
    ((unaligned_f64 *)bytes)[part] = value;
}
FORCE_INLINE kvalue kfrom_bytes(ktype t, const void *bytes)
{
    kvalue v;
    switch (t) {
    case KT_bool:
        memcpy(&v.b, bytes, sizeof v.b);
        break;
    case KT_i8:
        memcpy(&v.i8, bytes, sizeof v.i8);
        break;
    case KT_i16:
        memcpy(&v.i16, bytes, sizeof v.i16);
        break;
    case KT_i32:
        memcpy(&v.i32, bytes, sizeof v.i32);
        break;
    case KT_i64:
        memcpy(&v.i64, bytes, sizeof v.i64);
        break;
    case KT_u8:
        memcpy(&v.u8, bytes, sizeof v.u8);
        break;
    case KT_u16:
        memcpy(&v.u16, bytes, sizeof v.u16);
        break;
    case KT_u32:
        memcpy(&v.u32, bytes, sizeof v.u32);
        break;
    case KT_u64:
        memcpy(&v.u64, bytes, sizeof v.u64);
        break;
    case KT_f16:
        memcpy(&v.f16, bytes, sizeof v.f16);
        break;
    case KT_f32:
        memcpy(&v.f32, bytes, sizeof v.f32);
        break;
    case KT_f64:
        memcpy(&v.f64, bytes, sizeof v.f64);
        break;
    case KT_c64:
        memcpy(&v.c64.re, (const char *)bytes + 0 * sizeof v.c64.re, sizeof v.c64.re);
        memcpy(&v.c64.im, (const char *)bytes + 1 * sizeof v.c64.im, sizeof v.c64.im);
        break;
    case KT_c128:
        memcpy(&v.c128.re, (const char *)bytes + 0 * sizeof v.c128.re, sizeof v.c128.re);
        memcpy(&v.c128.im, (const char *)bytes + 1 * sizeof v.c128.im, sizeof v.c128.im);
        break;
    case KT_dd:
        memcpy(&v.dd.hi, (const char *)bytes + 0 * sizeof v.dd.hi, sizeof v.dd.hi);
        memcpy(&v.dd.lo, (const char *)bytes + 1 * sizeof v.dd.lo, sizeof v.dd.lo);
        break;
    case KT_cdd:
        memcpy(&v.cdd.re.hi, (const char *)bytes + 0 * sizeof v.cdd.re.hi, sizeof v.cdd.re.hi);
        memcpy(&v.cdd.re.lo, (const char *)bytes + 1 * sizeof v.cdd.re.lo, sizeof v.cdd.re.lo);
        memcpy(&v.cdd.im.hi, (const char *)bytes + 2 * sizeof v.cdd.im.hi, sizeof v.cdd.im.hi);
        memcpy(&v.cdd.im.lo, (const char *)bytes + 3 * sizeof v.cdd.im.lo, sizeof v.cdd.im.lo);
        break;
    }
    return v;
}
FORCE_INLINE void kto_bytes(ktype t, void *bytes, kvalue v)
{
    switch (t) {
    case KT_bool:
        memcpy(bytes, &v.b, sizeof v.b);
        break;
    case KT_i8:
        memcpy(bytes, &v.i8, sizeof v.i8);
        break;
    case KT_i16:
        memcpy(bytes, &v.i16, sizeof v.i16);
        break;
    case KT_i32:
        memcpy(bytes, &v.i32, sizeof v.i32);
        break;
    case KT_i64:
        memcpy(bytes, &v.i64, sizeof v.i64);
        break;
    case KT_u8:
        memcpy(bytes, &v.u8, sizeof v.u8);
        break;
    case KT_u16:
        memcpy(bytes, &v.u16, sizeof v.u16);
        break;
    case KT_u32:
        memcpy(bytes, &v.u32, sizeof v.u32);
        break;
    case KT_u64:
        memcpy(bytes, &v.u64, sizeof v.u64);
        break;
    case KT_f16:
        memcpy(bytes, &v.f16, sizeof v.f16);
        break;
    case KT_f32:
        memcpy(bytes, &v.f32, sizeof v.f32);
        break;
    case KT_f64:
        memcpy(bytes, &v.f64, sizeof v.f64);
        break;
    case KT_c64:
        put_f32(bytes, 0, v.c64.re);
        put_f32(bytes, 1, v.c64.im);
        break;
    case KT_c128:
        put_f64(bytes, 0, v.c128.re);
        put_f64(bytes, 1, v.c128.im);
        break;
    case KT_dd:
        put_f64(bytes, 0, v.dd.hi);
        put_f64(bytes, 1, v.dd.lo);
        break;
    case KT_cdd:
        put_f64(bytes, 0, v.cdd.re.hi);
        put_f64(bytes, 1, v.cdd.re.lo);
        put_f64(bytes, 2, v.cdd.im.hi);
        put_f64(bytes, 3, v.cdd.im.lo);
        break;
    }
}
FORCE_INLINE kvalue kload(ktype t, const void *bytes, size_t i)
{
    return kfrom_bytes(t, (const char *)bytes + i * ksize(t));
}
FORCE_INLINE void kstore(ktype t, void *bytes, size_t i, kvalue v)
{
    kto_bytes(t, (char *)bytes + i * ksize(t), v);
}

/* Zero bits of type t: a value for slots that are set before they are
 * read, which the static analyzer cannot follow. */
FORCE_INLINE kvalue kzero(ktype t)
{
    static const unsigned char zeros[sizeof(pscan_t_cdd)];
    return kfrom_bytes(t, zeros);
}

/* Integer sums and products wrap: computed in uint64_t (no signed
 * overflow), then the low bits kept, which is how C converts to the
 * narrower unsigned type (and to the signed one, on every compiler we
 * build with). Each type is one expression (no helper call), which is
 * what lets the compiler narrow the arithmetic to the type's width. */
FORCE_INLINE kvalue wrap_arith(pscan_op op, ktype t, kvalue a, kvalue b)
{
    kvalue r;
    switch (t) {
    case KT_i8:
        r.i8 = (int8_t)(op == PSCAN_SUM ? (uint64_t)a.i8 + (uint64_t)b.i8
                                        : (uint64_t)a.i8 * (uint64_t)b.i8);
        break;
    case KT_i16:
        r.i16 = (int16_t)(op == PSCAN_SUM ? (uint64_t)a.i16 + (uint64_t)b.i16
                                          : (uint64_t)a.i16 * (uint64_t)b.i16);
        break;
    case KT_i32:
        r.i32 = (int32_t)(op == PSCAN_SUM ? (uint64_t)a.i32 + (uint64_t)b.i32
                                          : (uint64_t)a.i32 * (uint64_t)b.i32);
        break;
    case KT_u8:
        r.u8 = (uint8_t)(op == PSCAN_SUM ? (uint64_t)a.u8 + (uint64_t)b.u8
                                         : (uint64_t)a.u8 * (uint64_t)b.u8);
        break;
    case KT_u16:
        r.u16 = (uint16_t)(op == PSCAN_SUM ? (uint64_t)a.u16 + (uint64_t)b.u16
                                           : (uint64_t)a.u16 * (uint64_t)b.u16);
        break;
    case KT_u32:
        r.u32 = (uint32_t)(op == PSCAN_SUM ? (uint64_t)a.u32 + (uint64_t)b.u32
                                           : (uint64_t)a.u32 * (uint64_t)b.u32);
        break;
    case KT_u64:
        r.u64 = op == PSCAN_SUM ? a.u64 + b.u64 : a.u64 * b.u64;
        break;
    default:
        r.i64 = (int64_t)(op == PSCAN_SUM ? (uint64_t)a.i64 + (uint64_t)b.i64
                                          : (uint64_t)a.i64 * (uint64_t)b.i64);
        break;
    }
    return r;
}

/* a AND/OR/XOR b at t's own width (bool and the integers). */
#define BITS_STEP(op, x, y) \
    ((op) == PSCAN_BIT_AND ? (x) & (y) : (op) == PSCAN_BIT_OR ? (x) | (y) : (x) ^ (y))
FORCE_INLINE kvalue wrap_bits(pscan_op op, ktype t, kvalue a, kvalue b)
{
    kvalue r;
    switch (t) {
    case KT_i8:
        r.i8 = (int8_t)BITS_STEP(op, a.i8, b.i8);
        break;
    case KT_i16:
        r.i16 = (int16_t)BITS_STEP(op, a.i16, b.i16);
        break;
    case KT_i32:
        r.i32 = BITS_STEP(op, a.i32, b.i32);
        break;
    case KT_u8:
        r.u8 = (uint8_t)BITS_STEP(op, a.u8, b.u8);
        break;
    case KT_u16:
        r.u16 = (uint16_t)BITS_STEP(op, a.u16, b.u16);
        break;
    case KT_u32:
        r.u32 = BITS_STEP(op, a.u32, b.u32);
        break;
    case KT_u64:
        r.u64 = BITS_STEP(op, a.u64, b.u64);
        break;
    default:
        r.i64 = BITS_STEP(op, a.i64, b.i64);
        break;
    }
    return r;
}

/* a < b in t's own order, compared at t's own width (widened compares
 * add an instruction to every step of a max or min chain). */
FORCE_INLINE int wrap_less(ktype t, kvalue a, kvalue b)
{
    switch (t) {
    case KT_i8:
        return a.i8 < b.i8;
    case KT_i16:
        return a.i16 < b.i16;
    case KT_i32:
        return a.i32 < b.i32;
    case KT_u8:
        return a.u8 < b.u8;
    case KT_u16:
        return a.u16 < b.u16;
    case KT_u32:
        return a.u32 < b.u32;
    case KT_u64:
        return a.u64 < b.u64;
    default:
        return a.i64 < b.i64;
    }
}
/* Ties keep the earlier operand a (equal integers have equal bits). */
FORCE_INLINE kvalue wrap_step(pscan_op op, ktype t, kvalue a, kvalue b)
{
    switch (op) {
    case PSCAN_SUM:
    case PSCAN_PROD:
        return wrap_arith(op, t, a, b);
    case PSCAN_MAX:
        return wrap_less(t, a, b) ? b : a;
    case PSCAN_MIN:
        return wrap_less(t, b, a) ? b : a;
    default:
        return wrap_bits(op, t, a, b);
    }
}

FORCE_INLINE pscan_t_bool bool_step(pscan_op op, pscan_t_bool a, pscan_t_bool b)
{
    if (op == PSCAN_BIT_XOR)
        return (pscan_t_bool)(a ^ b);
    return (pscan_t_bool)(op == PSCAN_SUM || op == PSCAN_MAX || op == PSCAN_BIT_OR ? a | b : a & b);
}

/* pscan's logaddexp (logaddexp_math.h): numpy's npy_logaddexp cases on
 * pscan's own exp and log1p, one lane wide; the tile lanes run the same
 * body on whole vectors, so every ISA, host and libm gives these bits.
 * float32 (and float16, through it) computes in double and rounds once. */
typedef double lae_f64x1 __attribute__((vector_size(sizeof(double))));
typedef int64_t lae_s64x1 __attribute__((vector_size(sizeof(double))));
typedef uint64_t lae_u64x1 __attribute__((vector_size(sizeof(double))));
PSCAN_LAE_DEFINE(lae_x1, lae_f64x1, lae_s64x1, lae_u64x1)
FORCE_INLINE double logaddexp_f64(double x, double y)
{
    const lae_f64x1 a = {x}, b = {y};
    return lae_x1(a, b)[0];
}
FORCE_INLINE float logaddexp_f32(float x, float y)
{
    return (float)logaddexp_f64(x, y);
}

/* SEQUENTIAL's step (PSCAN_LOGADDEXP_LIBM): numpy's npy_logaddexp to the
 * bit on the host's libm, float32 on the float functions. */
FORCE_INLINE float logaddexp_libm_f32(float x, float y)
{
    if (x == y)
        return x + 0.693147180559945309417232121458176568f;
    const float tmp = x - y;
    if (tmp > 0)
        return x + log1pf(expf(-tmp));
    if (tmp <= 0)
        return y + log1pf(expf(tmp));
    return tmp;
}
FORCE_INLINE double logaddexp_libm_f64(double x, double y)
{
    if (x == y)
        return x + 0.693147180559945309417232121458176568;
    const double tmp = x - y;
    if (tmp > 0)
        return x + log1p(exp(-tmp));
    if (tmp <= 0)
        return y + log1p(exp(tmp));
    return tmp;
}

/* float16 computes in float and rounds to half after every step; its ties
 * keep the earlier operand. */
FORCE_INLINE uint16_t half_step(pscan_op op, uint16_t a, uint16_t b)
{
    const float fa = pscan_half_to_float(a), fb = pscan_half_to_float(b);
    switch (op) {
    case PSCAN_SUM:
        return pscan_float_to_half(fa + fb);
    case PSCAN_PROD:
        return pscan_float_to_half(fa * fb);
    case PSCAN_MAX:
        return (fa >= fb || isnan(fa)) ? a : b;
    case PSCAN_LOGADDEXP:
        return pscan_float_to_half(logaddexp_f32(fa, fb));
    case PSCAN_LOGADDEXP_LIBM:
        return pscan_float_to_half(logaddexp_libm_f32(fa, fb));
    default:
        return (fa <= fb || isnan(fa)) ? a : b;
    }
}

/* float32/64 ties (only -0.0 vs +0.0 can tie visibly) keep the later
 * operand: that is what numpy 1.24 does on x86-64 (its float32/64 loops
 * are SIMD max/min instructions). */
FORCE_INLINE float f32_step(pscan_op op, float a, float b)
{
    switch (op) {
    case PSCAN_SUM:
        return a + b;
    case PSCAN_PROD:
        return a * b;
    case PSCAN_MAX:
        return (a > b || isnan(a)) ? a : b;
    case PSCAN_LOGADDEXP:
        return logaddexp_f32(a, b);
    case PSCAN_LOGADDEXP_LIBM:
        return logaddexp_libm_f32(a, b);
    default:
        return (a < b || isnan(a)) ? a : b;
    }
}
FORCE_INLINE double f64_step(pscan_op op, double a, double b)
{
    switch (op) {
    case PSCAN_SUM:
        return a + b;
    case PSCAN_PROD:
        return a * b;
    case PSCAN_MAX:
        return (a > b || isnan(a)) ? a : b;
    case PSCAN_LOGADDEXP:
        return logaddexp_f64(a, b);
    case PSCAN_LOGADDEXP_LIBM:
        return logaddexp_libm_f64(a, b);
    default:
        return (a < b || isnan(a)) ? a : b;
    }
}

/* Each of the four complex products rounds on its own, on every ISA. GCC
 * 12's vectorisers turn the (ac - bd, ad + bc) lane pair into a fused
 * vfmaddsub wherever the ISA has FMA (AVX-512F has it without __FMA__:
 * our avx512 table), -ffp-contract=off notwithstanding, which changed
 * complex products' last bits against the scalar table. An empty asm on
 * each product is a value the compiler cannot look through, so nothing
 * fuses. It is in every x86 table alike (a -march flag could bring FMA to
 * any of them); it costs no instruction, only the vectorising of complex
 * products. */
FORCE_INLINE float rounded_f32(float product)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__("" : "+x"(product));
#endif
    return product;
}
FORCE_INLINE double rounded_f64(double product)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__("" : "+x"(product));
#endif
    return product;
}

/* numpy's complex order: real parts first, NaN anywhere wins; ties keep
 * the earlier operand. Spelled for each width, so no step converts. */
FORCE_INLINE int c64_keeps_earlier(pscan_op op, pscan_c64 a, pscan_c64 b)
{
    const int ordered = !isnan(a.im) && !isnan(b.im);
    const int first = op == PSCAN_MAX ? (a.re > b.re && ordered) || (a.re == b.re && a.im >= b.im)
                                      : (a.re < b.re && ordered) || (a.re == b.re && a.im <= b.im);
    return first || isnan(a.re) || isnan(a.im);
}
FORCE_INLINE int c128_keeps_earlier(pscan_op op, pscan_c128 a, pscan_c128 b)
{
    const int ordered = !isnan(a.im) && !isnan(b.im);
    const int first = op == PSCAN_MAX ? (a.re > b.re && ordered) || (a.re == b.re && a.im >= b.im)
                                      : (a.re < b.re && ordered) || (a.re == b.re && a.im <= b.im);
    return first || isnan(a.re) || isnan(a.im);
}
FORCE_INLINE pscan_c64 c64_step(pscan_op op, pscan_c64 a, pscan_c64 b)
{
    switch (op) {
    case PSCAN_SUM:
        return (pscan_c64){a.re + b.re, a.im + b.im};
    case PSCAN_PROD:
        return (pscan_c64){rounded_f32(a.re * b.re) - rounded_f32(a.im * b.im),
                           rounded_f32(a.re * b.im) + rounded_f32(a.im * b.re)};
    default:
        return c64_keeps_earlier(op, a, b) ? a : b;
    }
}
FORCE_INLINE pscan_c128 c128_step(pscan_op op, pscan_c128 a, pscan_c128 b)
{
    switch (op) {
    case PSCAN_SUM:
        return (pscan_c128){a.re + b.re, a.im + b.im};
    case PSCAN_PROD:
        return (pscan_c128){rounded_f64(a.re * b.re) - rounded_f64(a.im * b.im),
                            rounded_f64(a.re * b.im) + rounded_f64(a.im * b.re)};
    default:
        return c128_keeps_earlier(op, a, b) ? a : b;
    }
}

FORCE_INLINE pscan_t_dd dd_add(pscan_t_dd a, pscan_t_dd b)
{
    const double sum = a.hi + b.hi, b_virtual = sum - a.hi;
    double err = (a.hi - (sum - b_virtual)) + (b.hi - b_virtual);
    err += a.lo + b.lo;
    const double hi = sum + err;
    return (pscan_t_dd){hi, err - (hi - sum)};
}

/* a op b, a the earlier operand. The compensated pairs only sum. */
FORCE_INLINE kvalue kcombine(pscan_op op, ktype t, kvalue a, kvalue b)
{
    kvalue r;
    switch (t) {
    case KT_bool:
        r.b = bool_step(op, a.b, b.b);
        return r;
    case KT_f16:
        r.f16 = half_step(op, a.f16, b.f16);
        return r;
    case KT_f32:
        r.f32 = f32_step(op, a.f32, b.f32);
        return r;
    case KT_f64:
        r.f64 = f64_step(op, a.f64, b.f64);
        return r;
    case KT_c64:
        r.c64 = c64_step(op, a.c64, b.c64);
        return r;
    case KT_c128:
        r.c128 = c128_step(op, a.c128, b.c128);
        return r;
    case KT_dd:
        r.dd = dd_add(a.dd, b.dd);
        return r;
    case KT_cdd:
        r.cdd = (pscan_t_cdd){dd_add(a.cdd.re, b.cdd.re), dd_add(a.cdd.im, b.cdd.im)};
        return r;
    default:
        return wrap_step(op, t, a, b);
    }
}

/* The value that changes nothing under op, for the types with vector
 * kernels (32- and 64-bit integers and floats). */
FORCE_INLINE kvalue kidentity(pscan_op op, ktype t)
{
    kvalue v;
    const int is_max = op == PSCAN_MAX || op == PSCAN_LOGADDEXP || op == PSCAN_LOGADDEXP_LIBM,
              is_min = op == PSCAN_MIN;
    const int ones = op == PSCAN_BIT_AND; /* every bit set */
    switch (t) {
    case KT_f32:
        v.f32 = is_max ? -INFINITY : is_min ? INFINITY : op == PSCAN_PROD ? 1.0f : 0.0f;
        return v;
    case KT_f64:
        v.f64 = is_max ? -INFINITY : is_min ? INFINITY : op == PSCAN_PROD ? 1.0 : 0.0;
        return v;
    case KT_i32:
        v.i32 = is_max ? INT32_MIN : is_min ? INT32_MAX : ones ? -1 : op == PSCAN_PROD;
        return v;
    case KT_u32:
        v.u32 = is_max ? 0 : is_min || ones ? UINT32_MAX : op == PSCAN_PROD;
        return v;
    case KT_u64:
        v.u64 = is_max ? 0 : is_min || ones ? UINT64_MAX : op == PSCAN_PROD;
        return v;
    default:
        v.i64 = is_max ? INT64_MIN : is_min ? INT64_MAX : ones ? -1 : op == PSCAN_PROD;
        return v;
    }
}

#endif
