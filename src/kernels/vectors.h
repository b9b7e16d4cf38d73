/* vectors.h - the vector steps of the tree scans and tile lanes, in this
 * variant's width (PSCAN_VECTOR_BYTES), as force-inlined functions of a
 * constant (op, type): a vector is carried as raw lane bits (vbits) and
 * viewed as the type's lanes where it is combined, so one generic body
 * serves 32- and 64-bit integers and floats alike. */
#ifndef PSCAN_KERNEL_VECTORS_H
#define PSCAN_KERNEL_VECTORS_H

#include "values.h"

#include <limits.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#ifndef PSCAN_VECTOR_BYTES
#define PSCAN_VECTOR_BYTES 16
#endif

typedef uint64_t vbits __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef uint32_t vec_u32 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef int32_t vec_s32 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef uint64_t vec_u64 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef int64_t vec_s64 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef float vec_f32 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef double vec_f64 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));

/* At most 16 lanes: the shuffles below list up to 16 indexes, the
 * transpose has stages for up to 16 lanes, and the tile lanes keep one
 * prefix bit per lane in an unsigned. */
_Static_assert(PSCAN_VECTOR_BYTES == 16 || PSCAN_VECTOR_BYTES == 32 || PSCAN_VECTOR_BYTES == 64,
               "vectors of 16, 32 or 64 bytes");
_Static_assert(sizeof(vec_f32) / sizeof(float) <= 16 &&
                   sizeof(vec_f32) / sizeof(float) < sizeof(unsigned) * CHAR_BIT,
               "at most 16 lanes, each with a bit of an unsigned mask");

/* Lanes of type t in one vector. */
FORCE_INLINE int vlanes(ktype t)
{
    return (int)(sizeof(vbits) / ksize(t));
}

/* Every lane = v (a copy of its bits: 0 + v would turn -0.0 into +0.0). */
FORCE_INLINE vbits vbroadcast(ktype t, kvalue v)
{
    unsigned char bytes[sizeof(vbits)];
    for (int lane = 0; lane < vlanes(t); lane++)
        kstore(t, bytes, (size_t)lane, v);
    vbits x;
    memcpy(&x, bytes, sizeof x);
    return x;
}

FORCE_INLINE kvalue vlane(ktype t, vbits x, int lane)
{
    return kload(t, &x, (size_t)lane);
}

/* Lanes where mask is all ones take a, the others b. */
FORCE_INLINE vbits vselect(vbits mask, vbits a, vbits b)
{
    return (a & mask) | (b & ~mask);
}

/* Lane by lane through kcombine: libm's logaddexp (SEQUENTIAL's step)
 * has no vector form, so each lane gets the scalar step's bits. */
FORCE_INLINE vbits vcombine_lanes(pscan_op op, ktype t, vbits a, vbits b)
{
    unsigned char bytes[sizeof(vbits)];
    for (int lane = 0; lane < vlanes(t); lane++)
        kstore(t, bytes, (size_t)lane, kcombine(op, t, vlane(t, a, lane), vlane(t, b, lane)));
    vbits r;
    memcpy(&r, bytes, sizeof r);
    return r;
}

/* pscan's logaddexp on whole vectors (below, with the shuffles it needs). */
FORCE_INLINE vbits vlogaddexp(ktype t, vbits a, vbits b);

/* a op b lane by lane, a the earlier operand: the lanes of kcombine
 * (float max and min keep the earlier NaN, else the later of equal
 * values; integers wrap). */
FORCE_INLINE vbits vcombine(pscan_op op, ktype t, vbits a, vbits b)
{
    if (op == PSCAN_LOGADDEXP)
        return vlogaddexp(t, a, b);
    if (op == PSCAN_LOGADDEXP_LIBM)
        return vcombine_lanes(op, t, a, b);
    if (op == PSCAN_BIT_AND || op == PSCAN_BIT_OR || op == PSCAN_BIT_XOR)
        return BITS_STEP(op, a, b); /* the same bits at any lane width */
    switch (t) {
    case KT_f32: {
        const vec_f32 x = (vec_f32)a, y = (vec_f32)b;
        if (op == PSCAN_SUM)
            return (vbits)(x + y);
        if (op == PSCAN_PROD)
            return (vbits)(x * y);
        return vselect((vbits)((op == PSCAN_MAX ? x > y : x < y) | (x != x)), a, b);
    }
    case KT_f64: {
        const vec_f64 x = (vec_f64)a, y = (vec_f64)b;
        if (op == PSCAN_SUM)
            return (vbits)(x + y);
        if (op == PSCAN_PROD)
            return (vbits)(x * y);
        return vselect((vbits)((op == PSCAN_MAX ? x > y : x < y) | (x != x)), a, b);
    }
    case KT_i32:
    case KT_u32: {
        const vec_u32 x = (vec_u32)a, y = (vec_u32)b;
        if (op == PSCAN_SUM)
            return (vbits)(x + y);
        if (op == PSCAN_PROD)
            return (vbits)(x * y);
        if (t == KT_i32)
            return vselect(
                (vbits)(op == PSCAN_MAX ? (vec_s32)x >= (vec_s32)y : (vec_s32)x <= (vec_s32)y), a,
                b);
        return vselect((vbits)(op == PSCAN_MAX ? x >= y : x <= y), a, b);
    }
    default: {
        const vec_u64 x = (vec_u64)a, y = (vec_u64)b;
        if (op == PSCAN_SUM)
            return (vbits)(x + y);
        if (op == PSCAN_PROD)
            return (vbits)(x * y);
        if (t == KT_i64)
            return vselect(
                (vbits)(op == PSCAN_MAX ? (vec_s64)x >= (vec_s64)y : (vec_s64)x <= (vec_s64)y), a,
                b);
        return vselect((vbits)(op == PSCAN_MAX ? x >= y : x <= y), a, b);
    }
    }
}

/* F(i, s, n) for each lane i, comma-separated: the constant index list of
 * __builtin_shufflevector (GCC >= 12 and clang), which takes no trailing
 * comma. */
#define LANES_2(F, s, n) F(0, s, n), F(1, s, n)
#define LANES_4(F, s, n) LANES_2(F, s, n), F(2, s, n), F(3, s, n)
#define LANES_8(F, s, n) LANES_4(F, s, n), F(4, s, n), F(5, s, n), F(6, s, n), F(7, s, n)
#define LANES_16(F, s, n)                                                                         \
    LANES_8(F, s, n), F(8, s, n), F(9, s, n), F(10, s, n), F(11, s, n), F(12, s, n), F(13, s, n), \
        F(14, s, n), F(15, s, n)
#if PSCAN_VECTOR_BYTES == 64
#define LANES_OF_4BYTE LANES_16
#define LANES_OF_8BYTE LANES_8
#elif PSCAN_VECTOR_BYTES == 32
#define LANES_OF_4BYTE LANES_8
#define LANES_OF_8BYTE LANES_4
#else
#define LANES_OF_4BYTE LANES_4
#define LANES_OF_8BYTE LANES_2
#endif
enum { LANES_4BYTE = PSCAN_VECTOR_BYTES / 4, LANES_8BYTE = PSCAN_VECTOR_BYTES / 8 };

/* logaddexp_math.h's body on whole vectors: the scalar step's operations,
 * so each lane gets the scalar step's bits. float32 lanes compute in
 * double, half a vector at a time, as logaddexp_f32 does. */
PSCAN_LAE_DEFINE(lae_vec, vec_f64, vec_s64, vec_u64)
typedef float vec_f32_half __attribute__((vector_size(PSCAN_VECTOR_BYTES / 2)));
#define LOW_INDEX(i, s, n) (i)
#define HIGH_INDEX(i, s, n) ((i) + (n))
#define CONCAT_INDEX(i, s, n) (i)
FORCE_INLINE vbits vlogaddexp(ktype t, vbits a, vbits b)
{
    if (t == KT_f64)
        return (vbits)lae_vec((vec_f64)a, (vec_f64)b);
    const vec_f32 x = (vec_f32)a, y = (vec_f32)b;
    const vec_f32_half xl =
                           __builtin_shufflevector(x, x, LANES_OF_8BYTE(LOW_INDEX, 0, LANES_8BYTE)),
                       xh = __builtin_shufflevector(x, x,
                                                    LANES_OF_8BYTE(HIGH_INDEX, 0, LANES_8BYTE)),
                       yl =
                           __builtin_shufflevector(y, y, LANES_OF_8BYTE(LOW_INDEX, 0, LANES_8BYTE)),
                       yh = __builtin_shufflevector(y, y,
                                                    LANES_OF_8BYTE(HIGH_INDEX, 0, LANES_8BYTE));
    const vec_f32_half lo = __builtin_convertvector(lae_vec(__builtin_convertvector(xl, vec_f64),
                                                            __builtin_convertvector(yl, vec_f64)),
                                                    vec_f32_half),
                       hi = __builtin_convertvector(lae_vec(__builtin_convertvector(xh, vec_f64),
                                                            __builtin_convertvector(yh, vec_f64)),
                                                    vec_f32_half);
    return (vbits)__builtin_shufflevector(lo, hi, LANES_OF_4BYTE(CONCAT_INDEX, 0, LANES_4BYTE));
}

/* Sklansky step s: lanes in the upper half of each 2s-lane group take the
 * last lane of the lower half; the others keep their own position of the
 * identity vector, so the shuffle stays within 128-bit halves where it can.
 * Indexes 0..n-1 name the first operand's lanes, n..2n-1 the second's. */
#define SHIFT_INDEX(i, s, n) ((i) / (s) % 2 ? (n) + (i) / (2 * (s)) * 2 * (s) + (s)-1 : (i))
#define LAST_INDEX(i, s, n) ((n)-1)
/* The shuffles of one lane width: x's step-s shift over identity, and
 * x's last lane everywhere (s == 0). Steps s >= lanes never run, but
 * their indexes must still be valid ones, and they are. */
#define SHIFTS_OF(vec, LANES, n, identity, x, s)                                            \
    switch (s) {                                                                            \
    case 0:                                                                                 \
        return (vbits)__builtin_shufflevector((vec)(x), (vec)(x), LANES(LAST_INDEX, 0, n)); \
    case 1:                                                                                 \
        return (vbits)__builtin_shufflevector((vec)(identity), (vec)(x),                    \
                                              LANES(SHIFT_INDEX, 1, n));                    \
    case 2:                                                                                 \
        return (vbits)__builtin_shufflevector((vec)(identity), (vec)(x),                    \
                                              LANES(SHIFT_INDEX, 2, n));                    \
    case 4:                                                                                 \
        return (vbits)__builtin_shufflevector((vec)(identity), (vec)(x),                    \
                                              LANES(SHIFT_INDEX, 4, n));                    \
    default:                                                                                \
        return (vbits)__builtin_shufflevector((vec)(identity), (vec)(x),                    \
                                              LANES(SHIFT_INDEX, 8, n));                    \
    }
FORCE_INLINE vbits vshift(ktype t, vbits identity, vbits x, int s)
{
    if (ksize(t) == 4) {
        SHIFTS_OF(vec_u32, LANES_OF_4BYTE, LANES_4BYTE, identity, x, s)
    }
    SHIFTS_OF(vec_u64, LANES_OF_8BYTE, LANES_8BYTE, identity, x, s)
}
FORCE_INLINE vbits vlast(ktype t, vbits x)
{
    return vshift(t, x, x, 0);
}

/* The lanes of x in reverse order, for lanes of 4, 8 or 16 bytes (the
 * reversed streaming copy of REVERSE scans). */
#define REVERSE_INDEX(i, s, n) ((n)-1 - (i))
#define REVERSE_PAIR_INDEX(i, s, n) ((n)-2 - (i) / 2 * 2 + (i) % 2)
FORCE_INLINE vbits vreverse(size_t lane_bytes, vbits x)
{
    if (lane_bytes == 4)
        return (vbits)__builtin_shufflevector((vec_u32)x, (vec_u32)x,
                                              LANES_OF_4BYTE(REVERSE_INDEX, 0, LANES_4BYTE));
    if (lane_bytes == 8)
        return (vbits)__builtin_shufflevector((vec_u64)x, (vec_u64)x,
                                              LANES_OF_8BYTE(REVERSE_INDEX, 0, LANES_8BYTE));
    return (vbits)__builtin_shufflevector((vec_u64)x, (vec_u64)x,
                                          LANES_OF_8BYTE(REVERSE_PAIR_INDEX, 0, LANES_8BYTE));
}

/* Stage d of an in-register transpose of lanes x lanes values swaps bit d
 * of the row number with bit d of the column: rows j and j + d (bit d of j
 * clear) trade the elements whose column has bit d set. log2(lanes)
 * stages transpose the block; each shuffle is one instruction on AVX-512.
 * Stages with d >= lanes never run, but their indexes must still be valid
 * ones: reduced modulo 2n they are (and where d < n the reduction changes
 * none). */
#define SWAP_LOW(i, d, n) ((i) & (d) ? (n) + (i) - (d) : (i))
#define SWAP_HIGH(i, d, n) (((i) & (d) ? (n) + (i) : (i) + (d)) % (2 * (n)))
#define TRANSPOSE_STAGE(vec, LANES, n, x, d)                                                 \
    if ((d) < (n)) {                                                                         \
        _Pragma("GCC unroll 16") for (int j = 0; j < (n); j++) if (!(j & (d)))               \
        {                                                                                    \
            const vec a = (vec)(x)[j], b = (vec)(x)[j + (d)];                                \
            (x)[j] = (vbits)__builtin_shufflevector(a, b, LANES(SWAP_LOW, (d), (n)));        \
            (x)[j + (d)] = (vbits)__builtin_shufflevector(a, b, LANES(SWAP_HIGH, (d), (n))); \
        }                                                                                    \
    }
#define TRANSPOSE_OF(vec, LANES, n, x)   \
    TRANSPOSE_STAGE(vec, LANES, n, x, 1) \
    TRANSPOSE_STAGE(vec, LANES, n, x, 2) \
    TRANSPOSE_STAGE(vec, LANES, n, x, 4) \
    TRANSPOSE_STAGE(vec, LANES, n, x, 8)
FORCE_INLINE void vtranspose(ktype t, vbits x[])
{
    if (ksize(t) == 4) {
        TRANSPOSE_OF(vec_u32, LANES_OF_4BYTE, LANES_4BYTE, x)
    } else {
        TRANSPOSE_OF(vec_u64, LANES_OF_8BYTE, LANES_8BYTE, x)
    }
}

/* A vector store that bypasses the caches (p aligned to a vector). */
#if defined(__AVX512F__) && PSCAN_VECTOR_BYTES == 64
enum { HAVE_VEC_STREAM = 1 };
#elif defined(__AVX2__) && PSCAN_VECTOR_BYTES == 32
enum { HAVE_VEC_STREAM = 1 };
#elif defined(__SSE2__) && PSCAN_VECTOR_BYTES == 16
enum { HAVE_VEC_STREAM = 1 };
#else
enum { HAVE_VEC_STREAM = 0 };
#endif
FORCE_INLINE void vstream(void *p, vbits v)
{
#if defined(__AVX512F__) && PSCAN_VECTOR_BYTES == 64
    _mm512_stream_si512(p, (__m512i)v);
#elif defined(__AVX2__) && PSCAN_VECTOR_BYTES == 32
    _mm256_stream_si256((__m256i *)p, (__m256i)v);
#elif defined(__SSE2__) && PSCAN_VECTOR_BYTES == 16
    _mm_stream_si128((__m128i *)p, (__m128i)v);
#else
    memcpy(p, &v, sizeof v);
#endif
}

#endif
