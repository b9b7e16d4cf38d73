/* seg_vectors.c - segmented scan steps in registers (seg_vectors.h), one
 * generic body folded per (op, type) of the lists below and compiled once
 * per instruction set (CMake adds this file to every kernel variant; the
 * scalar one has an empty table, so its segmented scans keep the scalar
 * chains of segmented_kernels.c, which are the definition).
 *
 * A vector of L lanes is scanned in log2(L) Hillis-Steele steps: at the
 * step of shift s, lane i takes lane i - s's value only if no segment
 * starts in (i - s, i], known from the start bits by shifts and ors. The
 * lanes before the vector's first start then take the carry, and the last
 * lane is the next carry: one combine and one permute on the chain per
 * vector, where the scalar step has one combine per value. Only ops whose
 * results do not depend on grouping are listed, so every variant gives
 * the scalar step's bits. */
#include "seg_vectors.h"

#include "vectors.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// clang-format off
#define VEC_OPS(X) X(SUM) X(MAX) X(MIN) X(BIT_AND) X(BIT_OR) X(BIT_XOR)
#define VEC_TYPES_WITH(X, op) X(op, i32) X(op, u32) X(op, i64) X(op, u64)
// clang-format on

#if (defined(__AVX512F__) && defined(__AVX512BW__)) || defined(__AVX2__)
/* 64-bit lanes (else 32-bit ones). */
FORCE_INLINE int wide(ktype t)
{
    return ksize(t) == 8;
}
#endif

#if defined(__AVX512F__) && defined(__AVX512BW__)
#define SEG_VECTOR_BYTES 64
typedef __m512i vreg;

FORCE_INLINE vreg vld(const char *p)
{
    return _mm512_loadu_si512((const void *)p);
}
FORCE_INLINE void vst(char *p, vreg x)
{
    _mm512_storeu_si512((void *)p, x);
}
FORCE_INLINE vreg vsplat(ktype t, uint64_t bits)
{
    return wide(t) ? _mm512_set1_epi64((long long)bits) : _mm512_set1_epi32((int)(uint32_t)bits);
}
/* Lanes whose bit is set in m take a, the others b. */
FORCE_INLINE vreg vsel(ktype t, uint32_t m, vreg a, vreg b)
{
    return wide(t) ? _mm512_mask_blend_epi64((__mmask8)m, b, a)
                   : _mm512_mask_blend_epi32((__mmask16)m, b, a);
}
/* Lane i = x[i - s] for i >= s (the lanes below: don't care). */
FORCE_INLINE vreg lane_shift(ktype t, vreg x, int s)
{
    const vreg z = _mm512_setzero_si512();
    if (wide(t))
        return s == 1   ? _mm512_alignr_epi64(x, z, 7)
               : s == 2 ? _mm512_alignr_epi64(x, z, 6)
                        : _mm512_alignr_epi64(x, z, 4);
    return s == 1   ? _mm512_alignr_epi32(x, z, 15)
           : s == 2 ? _mm512_alignr_epi32(x, z, 14)
           : s == 4 ? _mm512_alignr_epi32(x, z, 12)
                    : _mm512_alignr_epi32(x, z, 8);
}
/* Lane 0 = c's (every lane of c is the same), lane i = x[i - 1]. */
FORCE_INLINE vreg lane_shift_in(ktype t, vreg x, vreg c)
{
    return wide(t) ? _mm512_alignr_epi64(x, c, 7) : _mm512_alignr_epi32(x, c, 15);
}
/* Every lane = x's last. */
FORCE_INLINE vreg last_lane(ktype t, vreg x)
{
    return wide(t) ? _mm512_permutexvar_epi64(_mm512_set1_epi64(7), x)
                   : _mm512_permutexvar_epi32(_mm512_set1_epi32(15), x);
}
/* Bit k: start[k] != 0, for 64 start bytes. */
FORCE_INLINE uint64_t start_bits64(const uint8_t *start)
{
    const __m512i bytes = _mm512_loadu_si512((const void *)start);
    return (uint64_t)_mm512_test_epi8_mask(bytes, bytes);
}

#elif defined(__AVX2__)
#define SEG_VECTOR_BYTES 32
typedef __m256i vreg;

FORCE_INLINE vreg vld(const char *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}
FORCE_INLINE void vst(char *p, vreg x)
{
    _mm256_storeu_si256((__m256i *)(void *)p, x);
}
FORCE_INLINE vreg vsplat(ktype t, uint64_t bits)
{
    return wide(t) ? _mm256_set1_epi64x((long long)bits) : _mm256_set1_epi32((int)(uint32_t)bits);
}
/* AVX2 has no mask registers: the lane bits become all-ones lanes. */
FORCE_INLINE vreg vsel(ktype t, uint32_t m, vreg a, vreg b)
{
    vreg mask;
    if (wide(t)) {
        const vreg k = _mm256_setr_epi64x(1, 2, 4, 8);
        mask = _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_set1_epi64x((long long)m), k), k);
    } else {
        const vreg k = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
        mask = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)m), k), k);
    }
    return _mm256_blendv_epi8(b, a, mask);
}
FORCE_INLINE vreg lane_shift(ktype t, vreg x, int s)
{
    if (wide(t))
        return s == 1 ? _mm256_permute4x64_epi64(x, _MM_SHUFFLE(2, 1, 0, 0))
                      : _mm256_permute4x64_epi64(x, _MM_SHUFFLE(1, 0, 0, 0));
    return _mm256_permutevar8x32_epi32(x, s == 1   ? _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6)
                                          : s == 2 ? _mm256_setr_epi32(0, 0, 0, 1, 2, 3, 4, 5)
                                                   : _mm256_setr_epi32(0, 0, 0, 0, 0, 1, 2, 3));
}
FORCE_INLINE vreg lane_shift_in(ktype t, vreg x, vreg c)
{
    return wide(t) ? _mm256_blend_epi32(lane_shift(t, x, 1), c, 0x03)
                   : _mm256_blend_epi32(lane_shift(t, x, 1), c, 0x01);
}
FORCE_INLINE vreg last_lane(ktype t, vreg x)
{
    return wide(t) ? _mm256_permute4x64_epi64(x, _MM_SHUFFLE(3, 3, 3, 3))
                   : _mm256_permutevar8x32_epi32(x, _mm256_set1_epi32(7));
}
FORCE_INLINE uint64_t start_bits64(const uint8_t *start)
{
    const vreg zero = _mm256_setzero_si256();
    const vreg lo = _mm256_loadu_si256((const __m256i *)(const void *)start);
    const vreg hi = _mm256_loadu_si256((const __m256i *)(const void *)(start + 32));
    const uint32_t lo_zero = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, zero));
    const uint32_t hi_zero = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, zero));
    return ~((uint64_t)hi_zero << 32 | lo_zero);
}
#endif

#ifdef SEG_VECTOR_BYTES
_Static_assert(SEG_VECTOR_BYTES == PSCAN_VECTOR_BYTES, "the variant's vectors are vectors.h's");

/* a op b in t's lanes: the tree kernels' vector step (vectors.h). */
FORCE_INLINE vreg vop(pscan_op op, ktype t, vreg a, vreg b)
{
    return (vreg)vcombine(op, t, (vbits)a, (vbits)b);
}

/* Values [from, to) one at a time (the head before dst's first line and
 * the tail after the last round), as the scalar step does them. */
FORCE_INLINE kvalue scalar_run(pscan_op op, ktype t, int exclusive, const char *src, char *dst,
                               const uint8_t *start, size_t from, size_t to, int no_carry,
                               kvalue prev, kvalue identity)
{
    for (size_t i = from; i < to; i++) {
        const kvalue v = kload(t, src, i);
        const int starts = start[i] != 0 || (i == 0 && no_carry);
        const kvalue y = starts ? v : kcombine(op, t, prev, v);
        kstore(t, dst, i, exclusive ? (starts ? identity : prev) : y);
        prev = y;
    }
    return prev;
}

/* 64 values a round: one test of 64 start bytes, then 64 / L vectors. */
FORCE_INLINE void vscan_body(pscan_op op, ktype t, int exclusive, int stream, const char *src,
                             char *dst, const uint8_t *start, size_t n, const void *carry,
                             const void *identity, void *last)
{
    const size_t size = ksize(t);
    const int lanes = SEG_VECTOR_BYTES / (int)size; /* 4 to 16 */
    const uint32_t full = (1u << lanes) - 1;
    const kvalue identity_k = kfrom_bytes(t, identity);
    kvalue prev = carry ? kfrom_bytes(t, carry) : kzero(t);
    size_t i = 0;
    if (stream) { /* streamed stores need whole aligned vectors */
        const size_t misaligned = (uintptr_t)dst % SEG_VECTOR_BYTES;
        i = misaligned % size ? n : (SEG_VECTOR_BYTES - misaligned) % SEG_VECTOR_BYTES / size;
        i = i < n ? i : n;
        prev = scalar_run(op, t, exclusive, src, dst, start, 0, i, !carry, prev, identity_k);
    }
    uint64_t bits = 0;
    kto_bytes(t, &bits, prev);
    vreg chain = vsplat(t, bits);
    memcpy(&bits, identity, size);
    const vreg identity_v = vsplat(t, bits);
    /* No carry: the lane's first value starts a segment, whatever start[0]. */
    uint64_t forced = i == 0 && !carry;
    for (; i + 64 <= n; i += 64) {
        const uint64_t round = start_bits64(start + i) | forced;
        forced = 0;
        for (int k = 0; k < 64 / lanes; k++) {
            const uint32_t m = (uint32_t)(round >> (k * lanes)) & full;
            const size_t at = (i + (size_t)(k * lanes)) * size;
            vreg x = vld(src + at);
            uint32_t seen = m; /* lane i: a start in (i - s, i] */
            for (int s = 1; s < lanes; s *= 2) {
                const uint32_t take = ~seen & full & ~((1u << s) - 1);
                x = vsel(t, take, vop(op, t, lane_shift(t, x, s), x), x);
                seen |= seen << s;
            }
            x = vsel(t, ~seen & full, vop(op, t, chain, x), x);
            const vreg y = exclusive ? vsel(t, m, identity_v, lane_shift_in(t, x, chain)) : x;
            if (stream)
                vstream(dst + at, (vbits)y);
            else
                vst(dst + at, y);
            chain = last_lane(t, x);
        }
    }
    unsigned char lane0[SEG_VECTOR_BYTES];
    vst((char *)lane0, chain);
    prev = scalar_run(op, t, exclusive, src, dst, start, i, n, !carry, kfrom_bytes(t, lane0),
                      identity_k);
    kto_bytes(t, last, prev);
}

#define VEC_WRAPPER(op, tag)                                                                   \
    static void vscan_##op##_##tag(const char *src, ptrdiff_t src_stride, char *dst,           \
                                   ptrdiff_t dst_stride, const uint8_t *start, size_t n,       \
                                   const void *carry, int tiled, int exclusive,                \
                                   const void *identity, void *last, int stream)               \
    {                                                                                          \
        (void)src_stride, (void)dst_stride, (void)tiled;                                       \
        if (exclusive && stream)                                                               \
            vscan_body(PSCAN_##op, KT_##tag, 1, 1, src, dst, start, n, carry, identity, last); \
        else if (exclusive)                                                                    \
            vscan_body(PSCAN_##op, KT_##tag, 1, 0, src, dst, start, n, carry, identity, last); \
        else if (stream)                                                                       \
            vscan_body(PSCAN_##op, KT_##tag, 0, 1, src, dst, start, n, carry, identity, last); \
        else                                                                                   \
            vscan_body(PSCAN_##op, KT_##tag, 0, 0, src, dst, start, n, carry, identity, last); \
    }
#define VEC_OP_WRAPPERS(op) VEC_TYPES_WITH(VEC_WRAPPER, op)
VEC_OPS(VEC_OP_WRAPPERS)

#define VEC_ENTRY(op, tag) [KT_##tag] = vscan_##op##_##tag,
#define VEC_OP_ROW(op) [PSCAN_##op] = {VEC_TYPES_WITH(VEC_ENTRY, op)},
#endif

#ifndef PSCAN_KERNEL_ISA
#define PSCAN_KERNEL_ISA scalar
#endif
#define VEC_TABLE_NAME(isa) VEC_TABLE_NAME_EXPAND(isa)
#define VEC_TABLE_NAME_EXPAND(isa) pscan_seg_vectors_##isa
#ifdef SEG_VECTOR_BYTES
const pscan_seg_vector_table VEC_TABLE_NAME(PSCAN_KERNEL_ISA) = {VEC_OPS(VEC_OP_ROW)};
#else /* no vector registers: every entry NULL, the scalar step runs */
const pscan_seg_vector_table VEC_TABLE_NAME(PSCAN_KERNEL_ISA) = {{NULL}};
#endif
