/* scan_kernels.c - scan, fold and combine for every (op, accumulator type),
 * generated from one generic body per function, and compiled once per
 * instruction set (PSCAN_KERNEL_ISA names the table; CMake adds the
 * matching -m flags). The same source in every variant is what keeps the
 * variants' results identical.
 *
 * Each operation is spelled once per arithmetic class, with numpy's exact
 * rules: integers wrap (computed in uint64_t, so no signed overflow), bool
 * sums are logical or, float16 rounds to half after every step, complex
 * multiply is (ac - bd, ad + bc), max/min propagate NaN and order complex
 * values lexicographically. */
#include "kernels.h"

#include "../convert.h"
#include "../dtype_list.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

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
#define CPLX_GE(x, y)                                         \
    (((x).re > (y).re && !isnan((x).im) && !isnan((y).im)) || \
     ((x).re == (y).re && (x).im >= (y).im))
#define CPLX_LE(x, y)                                         \
    (((x).re < (y).re && !isnan((x).im) && !isnan((y).im)) || \
     ((x).re == (y).re && (x).im <= (y).im))
#define SUM_CPLX(T, a, b) ((T){(a).re + (b).re, (a).im + (b).im})
/* Each of the four products rounds on its own, on every ISA. GCC 12's
 * vectorisers turn the (ac - bd, ad + bc) lane pair into a fused
 * vfmaddsub wherever the ISA has FMA (AVX-512F has it without __FMA__:
 * our avx512 table), -ffp-contract=off notwithstanding, which changed
 * complex products' last bits against the scalar table. An empty asm on
 * each product is a value the compiler cannot look through, so nothing
 * fuses. It is in every x86 table alike (a -march flag could bring FMA to
 * any of them); it costs no instruction, only the vectorising of complex
 * products. */
#if defined(__x86_64__) || defined(__i386__)
static inline float rounded_f32(float product)
{
    __asm__("" : "+x"(product));
    return product;
}
static inline double rounded_f64(double product)
{
    __asm__("" : "+x"(product));
    return product;
}
#define ROUNDED(product) _Generic((product), float : rounded_f32, double : rounded_f64)(product)
#else
#define ROUNDED(product) (product)
#endif
#define PROD_CPLX(T, a, b)                                    \
    ((T){ROUNDED((a).re * (b).re) - ROUNDED((a).im * (b).im), \
         ROUNDED((a).re * (b).im) + ROUNDED((a).im * (b).re)})
#define MAX_CPLX(T, a, b) ((CPLX_GE(a, b) || isnan((a).re) || isnan((a).im)) ? (a) : (b))
#define MIN_CPLX(T, a, b) ((CPLX_LE(a, b) || isnan((a).re) || isnan((a).im)) ? (a) : (b))

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
#define CLASS_dd DD
#define CLASS_cdd CDD

static inline pscan_t_dd dd_add(pscan_t_dd a, pscan_t_dd b)
{
    const double sum = a.hi + b.hi, b_virtual = sum - a.hi;
    double err = (a.hi - (sum - b_virtual)) + (b.hi - b_virtual);
    err += a.lo + b.lo;
    const double hi = sum + err;
    return (pscan_t_dd){hi, err - (hi - sum)};
}
#define SUM_DD(T, a, b) dd_add(a, b)
#define SUM_CDD(T, a, b) ((T){dd_add((a).re, (b).re), dd_add((a).im, (b).im)})

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
DEFINE_ACCESS(dd)
DEFINE_ACCESS(cdd)

/* Order-free (op, class) pairs: regrouping the combines cannot change a
 * bit, so a carry may enter anywhere and trees are allowed. */
#define ORDER_FREE_SUM_BOOL 1
#define ORDER_FREE_SUM_WRAP 1
#define ORDER_FREE_SUM_HALF 0
#define ORDER_FREE_SUM_REAL 0
#define ORDER_FREE_SUM_CPLX 0
#define ORDER_FREE_PROD_BOOL 1
#define ORDER_FREE_PROD_WRAP 1
#define ORDER_FREE_PROD_HALF 0
#define ORDER_FREE_PROD_REAL 0
#define ORDER_FREE_PROD_CPLX 0
#define ORDER_FREE_MAX_BOOL 1
#define ORDER_FREE_MAX_WRAP 1
#define ORDER_FREE_MAX_HALF 1
#define ORDER_FREE_MAX_REAL 1
#define ORDER_FREE_MAX_CPLX 1
#define ORDER_FREE_MIN_BOOL 1
#define ORDER_FREE_MIN_WRAP 1
#define ORDER_FREE_MIN_HALF 1
#define ORDER_FREE_MIN_REAL 1
#define ORDER_FREE_MIN_CPLX 1
#define ORDER_FREE_SUM_DD 0
#define ORDER_FREE_SUM_CDD 0
#define ORDER_FREE(op, tag) ORDER_FREE_CLASS(op, CLASS_##tag)
#define ORDER_FREE_CLASS(op, cls) ORDER_FREE_EXPAND(op, cls)
#define ORDER_FREE_EXPAND(op, cls) ORDER_FREE_##op##_##cls

/* Segments scanned side by side: eight independent float chains keep both
 * adders busy where one chain waits on its own latency each step. */
enum { CHAINS = 8 };

/* Element `pos` of chain k (row first + k): its first element, after
 * the chain's carry if there are carries, or combined with the running
 * value; stored unless only the totals are wanted. */
#define CHAIN_STEP(op, tag, k, pos)                                                     \
    do {                                                                                \
        const pscan_t_##tag x_ = load_##tag(src, (first + (k)) * src_row + (pos));      \
        running[k] = (pos) > 0 ? COMBINE(op, tag, running[k], x_)                       \
                     : carries ? COMBINE(op, tag, load_##tag(carries, first + (k)), x_) \
                               : x_;                                                    \
        if (dst)                                                                        \
            store_##tag(dst, (first + (k)) * dst_row + (pos), running[k]);              \
    } while (0)

#define DEFINE_SCALAR_KERNELS(op, tag)                                                             \
    static void scan_##op##_##tag(const void *src, void *dst, size_t n, const void *carry)         \
    {                                                                                              \
        if (n == 0)                                                                                \
            return;                                                                                \
        pscan_t_##tag running = load_##tag(src, 0);                                                \
        if (carry)                                                                                 \
            running = COMBINE(op, tag, load_##tag(carry, 0), running);                             \
        store_##tag(dst, 0, running);                                                              \
        for (size_t i = 1; i < n; i++) {                                                           \
            running = COMBINE(op, tag, running, load_##tag(src, i));                               \
            store_##tag(dst, i, running);                                                          \
        }                                                                                          \
    }                                                                                              \
    /* `chains` rows of len values from row `first` on (src and dst rows    \
     * src_row and dst_row elements apart), inlined with a constant count.   \
     * Rows of a tile's size start a multiple of 4 KiB apart, the L1 set     \
     * period, so chain k runs k cache lines behind chain 0: in step they   \
     * would all fight over the same cache sets. */                      \
    static inline __attribute__((always_inline)) void chains_##op##_##tag(                         \
        const void *src, size_t src_row, void *dst, size_t dst_row, size_t len, size_t first,      \
        size_t chains, const void *carries, void *totals)                                          \
    {                                                                                              \
        enum { SKEW = 64 / sizeof(pscan_t_##tag) ? 64 / sizeof(pscan_t_##tag) : 1 };               \
        /* Zeroed for the analyzer: each chain's first step (pos 0) sets   \
         * its value before any step reads it, which it cannot follow. */                       \
        pscan_t_##tag running[CHAINS] = {0};                                                       \
        const size_t lag = (chains - 1) * SKEW;                                                    \
        if (len <= lag + 1) { /* too short to overlap: one at a time */                            \
            for (size_t k = 0; k < chains; k++)                                                    \
                for (size_t i = 0; i < len; i++)                                                   \
                    CHAIN_STEP(op, tag, k, i);                                                     \
            if (totals)                                                                            \
                for (size_t k = 0; k < chains; k++)                                                \
                    store_##tag(totals, first + k, running[k]);                                    \
            return;                                                                                \
        }                                                                                          \
        for (size_t i = 0; i <= lag; i++) /* chains start one by one */                            \
            for (size_t k = 0; k * SKEW <= i; k++)                                                 \
                CHAIN_STEP(op, tag, k, i - k * SKEW);                                              \
        for (size_t i = lag + 1; i < len; i++) /* all chains run */                                \
            for (size_t k = 0; k < chains; k++)                                                    \
                CHAIN_STEP(op, tag, k, i - k * SKEW);                                              \
        for (size_t i = len; i < len + lag; i++) /* they end */                                    \
            for (size_t k = (i - len) / SKEW + 1; k < chains; k++)                                 \
                CHAIN_STEP(op, tag, k, i - k * SKEW);                                              \
        if (totals)                                                                                \
            for (size_t k = 0; k < chains; k++)                                                    \
                store_##tag(totals, first + k, running[k]);                                        \
    }                                                                                              \
    /* Segments scanned into dst, or only their totals kept. */                                    \
    static inline void segments_##op##_##tag(const void *src, void *dst, size_t seg_len,           \
                                             size_t count, void *totals)                           \
    {                                                                                              \
        size_t first = 0;                                                                          \
        if (seg_len == 0)                                                                          \
            return;                                                                                \
        if (seg_len == PSCAN_TILE) /* constant offsets between the chains */                       \
            for (; first + CHAINS <= count; first += CHAINS)                                       \
                chains_##op##_##tag(src, PSCAN_TILE, dst, PSCAN_TILE, PSCAN_TILE, first, CHAINS,   \
                                    NULL, totals);                                                 \
        for (; first + CHAINS <= count; first += CHAINS)                                           \
            chains_##op##_##tag(src, seg_len, dst, seg_len, seg_len, first, CHAINS, NULL, totals); \
        for (; first < count; first++)                                                             \
            chains_##op##_##tag(src, seg_len, dst, seg_len, seg_len, first, 1, NULL, totals);      \
    }                                                                                              \
    static void scan_segments_##op##_##tag(const void *src, void *dst, size_t seg_len,             \
                                           size_t count)                                           \
    {                                                                                              \
        segments_##op##_##tag(src, dst, seg_len, count, NULL);                                     \
    }                                                                                              \
    static void reduce_segments_##op##_##tag(const void *src, size_t seg_len, size_t count,        \
                                             void *totals)                                         \
    {                                                                                              \
        segments_##op##_##tag(src, NULL, seg_len, count, totals);                                  \
    }                                                                                              \
    static void scan_rows_##op##_##tag(const void *src, size_t src_row, void *dst, size_t dst_row, \
                                       size_t n, size_t count, const void *carries)                \
    {                                                                                              \
        size_t first = 0;                                                                          \
        if (n == 0)                                                                                \
            return;                                                                                \
        for (; first + CHAINS <= count; first += CHAINS)                                           \
            chains_##op##_##tag(src, src_row, dst, dst_row, n, first, CHAINS, carries, NULL);      \
        if (first < count)                                                                         \
            chains_##op##_##tag(src, src_row, dst, dst_row, n, first, count - first, carries,      \
                                NULL);                                                             \
    }                                                                                              \
    static void scan_lagged_##op##_##tag(const void *src, void *dst, size_t n, size_t lag,         \
                                         const void *carry)                                        \
    {                                                                                              \
        size_t i = 0;                                                                              \
        for (; i < lag && i < n; i++)                                                              \
            store_##tag(dst, i,                                                                    \
                        carry ? COMBINE(op, tag, load_##tag(carry, i), load_##tag(src, i))         \
                              : load_##tag(src, i));                                               \
        for (; i < n; i++)                                                                         \
            store_##tag(dst, i, COMBINE(op, tag, load_##tag(dst, i - lag), load_##tag(src, i)));   \
    }                                                                                              \
    static void reduce_lagged_##op##_##tag(const void *src, size_t n, size_t lag, void *totals)    \
    {                                                                                              \
        for (size_t j = 0; j < lag && j < n; j++)                                                  \
            store_##tag(totals, j, load_##tag(src, j));                                            \
        for (size_t row = lag; row < n; row += lag)                                                \
            for (size_t j = 0; j < lag && row + j < n; j++)                                        \
                store_##tag(totals, j,                                                             \
                            COMBINE(op, tag, load_##tag(totals, j), load_##tag(src, row + j)));    \
    }                                                                                              \
    static void fold_##op##_##tag(void *buf, size_t n, const void *carry)                          \
    {                                                                                              \
        const pscan_t_##tag prefix = load_##tag(carry, 0);                                         \
        for (size_t i = 0; i < n; i++)                                                             \
            store_##tag(buf, i, COMBINE(op, tag, prefix, load_##tag(buf, i)));                     \
    }                                                                                              \
    static void combine_##op##_##tag(const void *prev, const void *next, void *dst, size_t n)      \
    {                                                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            pscan_t_##tag earlier = load_##tag(prev, i), later = load_##tag(next, i);              \
            store_##tag(dst, i, COMBINE(op, tag, earlier, later));                                 \
        }                                                                                          \
    }

#define DEFINE_OP_KERNELS(tag)      \
    DEFINE_SCALAR_KERNELS(SUM, tag) \
    DEFINE_SCALAR_KERNELS(PROD, tag) DEFINE_SCALAR_KERNELS(MAX, tag) DEFINE_SCALAR_KERNELS(MIN, tag)
PSCAN_EACH_DTYPE(DEFINE_OP_KERNELS)
DEFINE_SCALAR_KERNELS(SUM, dd)
DEFINE_SCALAR_KERNELS(SUM, cdd)

/* ---- In-register tree scans for order-free integer accumulators ----
 *
 * A vector of LANES values is scanned with log2(LANES) Sklansky steps
 * (lanes that take nothing combine with the identity), then the running
 * carry, a vector with every lane equal, is combined in. The carry chain is
 * one combine per vector: the vector's own total is broadcast apart from
 * it. Integers wrap, so every regrouping gives the same bits. */
#ifndef PSCAN_VECTOR_BYTES
#define PSCAN_VECTOR_BYTES 16
#endif

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
/* Sklansky step s: lanes in the upper half of each 2s-lane group take the
 * last lane of the lower half; the others keep their own position of the
 * identity vector, so the shuffle stays within 128-bit halves where it can.
 * Indexes 0..n-1 name the first operand's lanes, n..2n-1 the second's. */
#define SHIFT_INDEX(i, s, n) ((i) / (s) % 2 ? (n) + (i) / (2 * (s)) * 2 * (s) + (s)-1 : (i))
#define LAST_INDEX(i, s, n) ((n)-1)

/* A vector store that bypasses the caches, in this variant's width. */
#if defined(__AVX512F__) && PSCAN_VECTOR_BYTES == 64
#define HAVE_VEC_STREAM 1
#define VEC_STREAM(p, v) _mm512_stream_si512((void *)(p), (__m512i)(v))
#elif defined(__AVX2__) && PSCAN_VECTOR_BYTES == 32
#define HAVE_VEC_STREAM 1
#define VEC_STREAM(p, v) _mm256_stream_si256((__m256i *)(void *)(p), (__m256i)(v))
#elif defined(__SSE2__) && PSCAN_VECTOR_BYTES == 16
#define HAVE_VEC_STREAM 1
#define VEC_STREAM(p, v) _mm_stream_si128((__m128i *)(void *)(p), (__m128i)(v))
#else
#define HAVE_VEC_STREAM 0
#define VEC_STREAM(p, v) memcpy((p), &(v), sizeof(v))
#endif

typedef uint32_t vec_u32 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef int32_t vec_s32 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef uint64_t vec_u64 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef int64_t vec_s64 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef float vec_f32 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
typedef double vec_f64 __attribute__((vector_size(PSCAN_VECTOR_BYTES)));
/* LANES_OF_4BYTE and LANES_OF_8BYTE list one index per lane of these
 * widths only (so tile.h's whole-vector tiles hold), the transpose has
 * stages for up to 16 lanes, and the tile lanes keep one prefix bit per
 * lane in an unsigned. */
_Static_assert(PSCAN_VECTOR_BYTES == 16 || PSCAN_VECTOR_BYTES == 32 || PSCAN_VECTOR_BYTES == 64,
               "vectors of 16, 32 or 64 bytes");
_Static_assert(sizeof(vec_f32) / sizeof(float) <= 16 &&
                   sizeof(vec_f32) / sizeof(float) < sizeof(unsigned) * CHAR_BIT,
               "at most 16 lanes, each with a bit of an unsigned mask");

/* Per tag: lane bits (unsigned arithmetic wraps), signed view for compares,
 * lane list, identities of MAX and MIN, and whether
 * equal values can differ in bits (float max and min: -0.0 and +0.0, NaN
 * payloads), which the interleaved reduce must then settle in order. */
#define VEC_i32 \
    vec_u32, uint32_t, vec_s32, LANES_OF_4BYTE, (uint32_t)INT32_MIN, (uint32_t)INT32_MAX, 0
#define VEC_u32 vec_u32, uint32_t, vec_u32, LANES_OF_4BYTE, 0u, UINT32_MAX, 0
#define VEC_i64 \
    vec_u64, uint64_t, vec_s64, LANES_OF_8BYTE, (uint64_t)INT64_MIN, (uint64_t)INT64_MAX, 0
#define VEC_u64 vec_u64, uint64_t, vec_u64, LANES_OF_8BYTE, 0u, UINT64_MAX, 0
#define VEC_f32 vec_f32, float, vec_f32, LANES_OF_4BYTE, -INFINITY, INFINITY, 1
#define VEC_f64 vec_f64, double, vec_f64, LANES_OF_8BYTE, -INFINITY, INFINITY, 1

/* a is the earlier operand, b the later: float max and min keep the
 * earlier NaN, else the later of equal values, as MAX_REAL does. */
#define VOP_SUM(V, C, a, b) ((a) + (b))
#define VOP_PROD(V, C, a, b) ((a) * (b))
#define VOP_MAX(V, C, a, b) VMAX_##V(C, a, b)
#define VOP_MIN(V, C, a, b) VMIN_##V(C, a, b)
#define VMAX_vec_u32(C, a, b) vec_select_vec_u32((vec_u32)((C)(a) >= (C)(b)), a, b)
#define VMIN_vec_u32(C, a, b) vec_select_vec_u32((vec_u32)((C)(a) <= (C)(b)), a, b)
#define VMAX_vec_u64(C, a, b) vec_select_vec_u64((vec_u64)((C)(a) >= (C)(b)), a, b)
#define VMIN_vec_u64(C, a, b) vec_select_vec_u64((vec_u64)((C)(a) <= (C)(b)), a, b)
#define VMAX_vec_f32(C, a, b) vec_select_vec_f32(((a) > (b)) | ((a) != (a)), a, b)
#define VMIN_vec_f32(C, a, b) vec_select_vec_f32(((a) < (b)) | ((a) != (a)), a, b)
#define VMAX_vec_f64(C, a, b) vec_select_vec_f64(((a) > (b)) | ((a) != (a)), a, b)
#define VMIN_vec_f64(C, a, b) vec_select_vec_f64(((a) < (b)) | ((a) != (a)), a, b)
#define VIDENTITY_SUM(min_id, max_id) 0u
#define VIDENTITY_PROD(min_id, max_id) 1u
#define VIDENTITY_MAX(min_id, max_id) min_id
#define VIDENTITY_MIN(min_id, max_id) max_id

static inline vec_u32 vec_select_vec_u32(vec_u32 mask, vec_u32 a, vec_u32 b)
{
    return (a & mask) | (b & ~mask);
}
static inline vec_u64 vec_select_vec_u64(vec_u64 mask, vec_u64 a, vec_u64 b)
{
    return (a & mask) | (b & ~mask);
}
static inline vec_f32 vec_select_vec_f32(vec_s32 mask, vec_f32 a, vec_f32 b)
{
    return (vec_f32)(((vec_s32)a & mask) | ((vec_s32)b & ~mask));
}
static inline vec_f64 vec_select_vec_f64(vec_s64 mask, vec_f64 a, vec_f64 b)
{
    return (vec_f64)(((vec_s64)a & mask) | ((vec_s64)b & ~mask));
}

#define DEFINE_VECTOR_KERNELS(op, tag) DEFINE_VECTOR_KERNELS_WITH(op, tag, VEC_##tag)
#define DEFINE_VECTOR_KERNELS_WITH(op, tag, spec) DEFINE_VECTOR_KERNELS_EXPAND(op, tag, spec)
#define DEFINE_VECTOR_KERNELS_EXPAND(op, tag, V, E, C, LANES, min_id, max_id, ties)                \
    /* streaming: dst is aligned to a vector; stores bypass the caches */                          \
    static inline __attribute__((always_inline)) void vscan_body_##op##_##tag(                     \
        const void *src, void *dst, size_t n, const void *carry, int streaming)                    \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        const V identity = (V){0} + (E)VIDENTITY_##op(min_id, max_id);                             \
        E first = (E)VIDENTITY_##op(min_id, max_id);                                               \
        if (carry)                                                                                 \
            memcpy(&first, carry, sizeof first);                                                   \
        V running; /* a broadcast: 0 + first would turn -0.0 into +0.0 */                          \
        for (size_t lane = 0; lane < N; lane++)                                                    \
            running[lane] = first;                                                                 \
        size_t i = 0;                                                                              \
        for (; i + N <= n; i += N) {                                                               \
            V x;                                                                                   \
            memcpy(&x, (const char *)src + i * sizeof(E), sizeof x);                               \
            x = VOP_##op(V, C, __builtin_shufflevector(identity, x, LANES(SHIFT_INDEX, 1, N)), x); \
            if (N > 2)                                                                             \
                x = VOP_##op(V, C, __builtin_shufflevector(identity, x, LANES(SHIFT_INDEX, 2, N)), \
                             x);                                                                   \
            if (N > 4)                                                                             \
                x = VOP_##op(V, C, __builtin_shufflevector(identity, x, LANES(SHIFT_INDEX, 4, N)), \
                             x);                                                                   \
            if (N > 8)                                                                             \
                x = VOP_##op(V, C, __builtin_shufflevector(identity, x, LANES(SHIFT_INDEX, 8, N)), \
                             x);                                                                   \
            const V total = __builtin_shufflevector(x, x, LANES(LAST_INDEX, 0, N));                \
            const V out = VOP_##op(V, C, running, x);                                              \
            if (streaming)                                                                         \
                VEC_STREAM((char *)dst + i * sizeof(E), out);                                      \
            else                                                                                   \
                memcpy((char *)dst + i * sizeof(E), &out, sizeof out);                             \
            running = VOP_##op(V, C, running, total);                                              \
        }                                                                                          \
        if (i < n) {                                                                               \
            pscan_t_##tag last;                                                                    \
            memcpy(&last, &running, sizeof last);                                                  \
            scan_##op##_##tag((const char *)src + i * sizeof(E), (char *)dst + i * sizeof(E),      \
                              n - i, &last);                                                       \
        }                                                                                          \
    }                                                                                              \
    static void vscan_##op##_##tag(const void *src, void *dst, size_t n, const void *carry)        \
    {                                                                                              \
        vscan_body_##op##_##tag(src, dst, n, carry, 0);                                            \
    }                                                                                              \
    /* The same with non-temporal stores: plain ones up to the first         \
     * vector-aligned element of dst (none if dst is not element-aligned). */                     \
    static void vscan_stream_##op##_##tag(const void *src, void *dst, size_t n, const void *carry) \
    {                                                                                              \
        const uintptr_t misalign = (uintptr_t)dst % sizeof(V);                                     \
        size_t head = misalign ? (sizeof(V) - misalign) / sizeof(E) : 0;                           \
        if ((uintptr_t)dst % sizeof(E) != 0 || !HAVE_VEC_STREAM) {                                 \
            vscan_body_##op##_##tag(src, dst, n, carry, 0);                                        \
            return;                                                                                \
        }                                                                                          \
        if (head > n)                                                                              \
            head = n;                                                                              \
        vscan_body_##op##_##tag(src, dst, head, carry, 0);                                         \
        if (head == n)                                                                             \
            return;                                                                                \
        pscan_t_##tag last;                                                                        \
        if (head)                                                                                  \
            memcpy(&last, (char *)dst + (head - 1) * sizeof(E), sizeof last);                      \
        vscan_body_##op##_##tag((const char *)src + head * sizeof(E),                              \
                                (char *)dst + head * sizeof(E), n - head,                          \
                                head ? (const void *)&last : carry, 1);                            \
    }                                                                                              \
    static void vscan_segments_##op##_##tag(const void *src, void *dst, size_t seg_len,            \
                                            size_t count)                                          \
    {                                                                                              \
        if (seg_len < 2 * sizeof(V) / sizeof(E)) {                                                 \
            scan_segments_##op##_##tag(src, dst, seg_len, count);                                  \
            return;                                                                                \
        }                                                                                          \
        for (size_t k = 0; k < count; k++)                                                         \
            vscan_##op##_##tag((const char *)src + k * seg_len * sizeof(E),                        \
                               (char *)dst + k * seg_len * sizeof(E), seg_len, NULL);              \
    }                                                                                              \
    static void vreduce_segments_##op##_##tag(const void *src, size_t seg_len, size_t count,       \
                                              void *totals)                                        \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        if (seg_len < 2 * N) {                                                                     \
            reduce_segments_##op##_##tag(src, seg_len, count, totals);                             \
            return;                                                                                \
        }                                                                                          \
        for (size_t k = 0; k < count; k++) {                                                       \
            const char *seg = (const char *)src + k * seg_len * sizeof(E);                         \
            V lanes = (V){0} + (E)VIDENTITY_##op(min_id, max_id);                                  \
            size_t i = 0;                                                                          \
            for (; i + N <= seg_len; i += N) {                                                     \
                V x;                                                                               \
                memcpy(&x, seg + i * sizeof(E), sizeof x);                                         \
                lanes = VOP_##op(V, C, lanes, x);                                                  \
            }                                                                                      \
            pscan_t_##tag total, value;                                                            \
            memcpy(&total, &lanes, sizeof total);                                                  \
            for (size_t lane = 1; lane < N; lane++) {                                              \
                E bits = lanes[lane];                                                              \
                memcpy(&value, &bits, sizeof value);                                               \
                total = COMBINE(op, tag, total, value);                                            \
            }                                                                                      \
            for (; i < seg_len; i++)                                                               \
                total = COMBINE(op, tag, total, load_##tag(seg, i));                               \
            if (ties && (total == 0 || total != total)) /* which zero, NaN */                      \
                reduce_segments_##op##_##tag(seg, seg_len, 1, &total);                             \
            store_##tag(totals, k, total);                                                         \
        }                                                                                          \
    }

#define DEFINE_VECTOR_OP_KERNELS(tag) \
    DEFINE_VECTOR_KERNELS(SUM, tag)   \
    DEFINE_VECTOR_KERNELS(PROD, tag) DEFINE_VECTOR_KERNELS(MAX, tag) DEFINE_VECTOR_KERNELS(MIN, tag)
DEFINE_VECTOR_OP_KERNELS(i32)
DEFINE_VECTOR_OP_KERNELS(u32)
DEFINE_VECTOR_OP_KERNELS(i64)
DEFINE_VECTOR_OP_KERNELS(u64)
/* float sums and products keep their left-to-right chains */
DEFINE_VECTOR_KERNELS(MAX, f32)
DEFINE_VECTOR_KERNELS(MIN, f32)
DEFINE_VECTOR_KERNELS(MAX, f64)
DEFINE_VECTOR_KERNELS(MIN, f64)

/* ---- Float tile chains, one per vector lane ----
 *
 * A REPRODUCIBLE float sum or product is one left-to-right chain per tile,
 * which no tree may shorten. N tiles side by side (N lanes of a vector)
 * run as N chains at once: an N x N block, N consecutive elements of each
 * tile, is transposed in registers, the chains advance N steps with one
 * vector op each, and the block is transposed back. Lane k combines tile
 * k's values in the scalar kernel's order, so every ISA gives the scalar
 * kernel's bits; one vector op advances N chains where the scalar kernel
 * advances one. */

/* Stage d of the transpose swaps bit d of the row number with bit d of the
 * column: rows j and j + d (bit d of j clear) trade the elements whose
 * column has bit d set. log2(N) stages transpose the block; each shuffle
 * is one instruction on AVX-512. Stages with d >= N never run, but their
 * indexes must still be valid ones: reduced modulo 2N they are (and where
 * d < N the reduction changes none). */
#define SWAP_LOW(i, d, n) ((i) & (d) ? (n) + (i) - (d) : (i))
#define SWAP_HIGH(i, d, n) (((i) & (d) ? (n) + (i) : (i) + (d)) % (2 * (n)))
#define TILE_f32 vec_f32, float, vec_s32, LANES_OF_4BYTE
#define TILE_f64 vec_f64, double, vec_s64, LANES_OF_8BYTE

#define TRANSPOSE_STAGE(V, LANES, N, x, d)                                               \
    if ((d) < (N)) {                                                                     \
        _Pragma("GCC unroll 16") for (int j_ = 0; j_ < (N); j_++) if (!(j_ & (d)))       \
        {                                                                                \
            const V a_ = (x)[j_], b_ = (x)[j_ + (d)];                                    \
            (x)[j_] = __builtin_shufflevector(a_, b_, LANES(SWAP_LOW, (d), (N)));        \
            (x)[j_ + (d)] = __builtin_shufflevector(a_, b_, LANES(SWAP_HIGH, (d), (N))); \
        }                                                                                \
    }

/* How a group of lanes applies prefixes: none, all, or those of a mask. */
enum { PREFIX_NONE, PREFIX_ALL, PREFIX_SOME };

#define DEFINE_TILE_LANES(op, tag) DEFINE_TILE_LANES_EXPAND(op, tag, TILE_##tag)
#define DEFINE_TILE_LANES_EXPAND(op, tag, ...) DEFINE_TILE_LANES_BODY(op, tag, __VA_ARGS__)
#define DEFINE_TILE_LANES_BODY(op, tag, V, E, M, LANES)                                            \
    static inline __attribute__((always_inline)) void transpose_##op##_##tag(V x[])                \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        TRANSPOSE_STAGE(V, LANES, N, x, 1)                                                         \
        TRANSPOSE_STAGE(V, LANES, N, x, 2)                                                         \
        TRANSPOSE_STAGE(V, LANES, N, x, 4)                                                         \
        TRANSPOSE_STAGE(V, LANES, N, x, 8)                                                         \
    }                                                                                              \
    /* Positions [from, to) of segment k, one element at a time. */                                \
    static inline void lane_steps_##op##_##tag(const char *seg, char *out, size_t from, size_t to, \
                                               E *running, const E *prefix)                        \
    {                                                                                              \
        for (size_t i = from; i < to; i++) {                                                       \
            const E x = load_##tag(seg, i);                                                        \
            *running = i == 0 ? x : COMBINE(op, tag, *running, x);                                 \
            if (out)                                                                               \
                store_##tag(out, i, prefix ? COMBINE(op, tag, *prefix, *running) : *running);      \
        }                                                                                          \
    }                                                                                              \
    /* N segments of seg_len (>= N) values, seg_len apart: lane k scans     \
     * segment k into dst (NULL: nothing stored), each output after         \
     * prefixes[k] where mode and the mask `prefixed` say so; totals[k]     \
     * (NULL: not kept) gets its last local value. Stores are aligned (a    \
     * scalar head reaches dst's first aligned element) and stream when     \
     * asked to and dst allows. */                      \
    static inline __attribute__((always_inline)) void lanes_body_##op##_##tag(                     \
        const char *src, char *dst, size_t seg_len, const E *prefixes, unsigned prefixed,          \
        int mode, E *totals, int stream)                                                           \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        const size_t seg_bytes = seg_len * sizeof(E);                                              \
        const int can_align =                                                                      \
            dst && (uintptr_t)dst % sizeof(E) == 0 && seg_bytes % sizeof(V) == 0;                  \
        size_t head =                                                                              \
            can_align ? (sizeof(V) - (uintptr_t)dst % sizeof(V)) % sizeof(V) / sizeof(E) : 0;      \
        stream = stream && can_align && HAVE_VEC_STREAM;                                           \
        E running[N] = {0}, prefix_of[N];                                                          \
        M has_prefix;                                                                              \
        V prefix_v;                                                                                \
        for (int k = 0; k < N; k++) {                                                              \
            const int has = mode == PREFIX_ALL || (mode == PREFIX_SOME && (prefixed >> k & 1));    \
            prefix_of[k] = has ? prefixes[k] : 0;                                                  \
            has_prefix[k] = has ? -1 : 0;                                                          \
        }                                                                                          \
        memcpy(&prefix_v, prefix_of, sizeof prefix_v);                                             \
        if (head > seg_len)                                                                        \
            head = seg_len;                                                                        \
        for (int k = 0; k < N; k++)                                                                \
            lane_steps_##op##_##tag(src + k * seg_bytes, dst ? dst + k * seg_bytes : NULL, 0,      \
                                    head, &running[k], (has_prefix[k] ? &prefix_of[k] : NULL));    \
        size_t i = head;                                                                           \
        if (i + N <= seg_len) {                                                                    \
            V run;                                                                                 \
            memcpy(&run, running, sizeof run);                                                     \
            for (; i + N <= seg_len; i += N) {                                                     \
                V x[N];                                                                            \
                _Pragma("GCC unroll 16") for (int k = 0; k < N; k++)                               \
                    memcpy(&x[k], src + k * seg_bytes + i * sizeof(E), sizeof(V));                 \
                transpose_##op##_##tag(x);                                                         \
                run = i == 0 ? x[0] : VOP_##op(V, E, run, x[0]);                                   \
                x[0] = run;                                                                        \
                _Pragma("GCC unroll 16") for (int j = 1; j < N; j++) x[j] = run =                  \
                    VOP_##op(V, E, run, x[j]);                                                     \
                if (!dst)                                                                          \
                    continue;                                                                      \
                if (mode == PREFIX_ALL)                                                            \
                    _Pragma("GCC unroll 16") for (int j = 0; j < N; j++) x[j] =                    \
                        VOP_##op(V, E, prefix_v, x[j]);                                            \
                if (mode == PREFIX_SOME)                                                           \
                    _Pragma("GCC unroll 16") for (int j = 0; j < N; j++) x[j] =                    \
                        (V)(((M)VOP_##op(V, E, prefix_v, x[j]) & has_prefix) |                     \
                            ((M)x[j] & ~has_prefix));                                              \
                transpose_##op##_##tag(x);                                                         \
                _Pragma("GCC unroll 16") for (int k = 0; k < N; k++)                               \
                {                                                                                  \
                    char *to = dst + k * seg_bytes + i * sizeof(E);                                \
                    if (stream)                                                                    \
                        VEC_STREAM(to, x[k]);                                                      \
                    else                                                                           \
                        memcpy(to, &x[k], sizeof(V));                                              \
                }                                                                                  \
            }                                                                                      \
            memcpy(running, &run, sizeof run);                                                     \
        }                                                                                          \
        for (int k = 0; k < N; k++) {                                                              \
            lane_steps_##op##_##tag(src + k * seg_bytes, dst ? dst + k * seg_bytes : NULL, i,      \
                                    seg_len, &running[k], (has_prefix[k] ? &prefix_of[k] : NULL)); \
            if (totals)                                                                            \
                totals[k] = running[k];                                                            \
        }                                                                                          \
    }                                                                                              \
    static void lanes_##op##_##tag(const char *src, char *dst, size_t seg_len, const E *prefixes,  \
                                   unsigned prefixed, E *totals, int stream)                       \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        if (!dst || prefixed == 0)                                                                 \
            lanes_body_##op##_##tag(src, dst, seg_len, prefixes, 0, PREFIX_NONE, totals, stream);  \
        else if (prefixed == (1u << N) - 1)                                                        \
            lanes_body_##op##_##tag(src, dst, seg_len, prefixes, prefixed, PREFIX_ALL, totals,     \
                                    stream);                                                       \
        else                                                                                       \
            lanes_body_##op##_##tag(src, dst, seg_len, prefixes, prefixed, PREFIX_SOME, totals,    \
                                    stream);                                                       \
    }                                                                                              \
    static void tscan_segments_##op##_##tag(const void *src, void *dst, size_t seg_len,            \
                                            size_t count)                                          \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        size_t first = 0;                                                                          \
        if (seg_len >= N)                                                                          \
            for (; first + N <= count; first += N)                                                 \
                lanes_##op##_##tag((const char *)src + first * seg_len * sizeof(E),                \
                                   (char *)dst + first * seg_len * sizeof(E), seg_len, NULL, 0,    \
                                   NULL, 0);                                                       \
        scan_segments_##op##_##tag((const char *)src + first * seg_len * sizeof(E),                \
                                   (char *)dst + first * seg_len * sizeof(E), seg_len,             \
                                   count - first);                                                 \
    }                                                                                              \
    static void treduce_segments_##op##_##tag(const void *src, size_t seg_len, size_t count,       \
                                              void *totals)                                        \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        size_t first = 0;                                                                          \
        E lane_totals[N];                                                                          \
        if (seg_len >= N)                                                                          \
            for (; first + N <= count; first += N) {                                               \
                lanes_##op##_##tag((const char *)src + first * seg_len * sizeof(E), NULL, seg_len, \
                                   NULL, 0, lane_totals, 0);                                       \
                memcpy((char *)totals + first * sizeof(E), lane_totals, sizeof lane_totals);       \
            }                                                                                      \
        reduce_segments_##op##_##tag((const char *)src + first * seg_len * sizeof(E), seg_len,     \
                                     count - first, (char *)totals + first * sizeof(E));           \
    }                                                                                              \
    /* Tiles of n values: tile t's outputs are P(t-1) op its local scan,    \
     * P(t) = P(t-1) op totals[t], P(-1) = *carry (none if carry is NULL).   \
     * Groups of N whole tiles run in lanes; the rest scan and fold. */                      \
    static void tscan_tiles_##op##_##tag(const void *src, void *dst, size_t n, const void *carry,  \
                                         const void *totals, int stream)                           \
    {                                                                                              \
        enum { N = sizeof(V) / sizeof(E) };                                                        \
        const size_t tiles = (n + PSCAN_TILE - 1) / PSCAN_TILE, full = n / PSCAN_TILE;             \
        E prefix = carry ? load_##tag(carry, 0) : 0, prefixes[N];                                  \
        int have = carry != NULL;                                                                  \
        for (size_t t = 0; t < tiles;) {                                                           \
            const char *from = (const char *)src + t * PSCAN_TILE * sizeof(E);                     \
            char *to = (char *)dst + t * PSCAN_TILE * sizeof(E);                                   \
            if (t + N <= full) {                                                                   \
                unsigned prefixed = 0;                                                             \
                for (int k = 0; k < N; k++) {                                                      \
                    const E total = load_##tag(totals, t + k);                                     \
                    prefixes[k] = prefix;                                                          \
                    prefixed |= (unsigned)have << k;                                               \
                    prefix = have ? COMBINE(op, tag, prefix, total) : total;                       \
                    have = 1;                                                                      \
                }                                                                                  \
                lanes_##op##_##tag(from, to, PSCAN_TILE, prefixes, prefixed, NULL, stream);        \
                t += N;                                                                            \
                continue;                                                                          \
            }                                                                                      \
            const size_t len = t < full ? PSCAN_TILE : n % PSCAN_TILE;                             \
            scan_##op##_##tag(from, to, len, NULL);                                                \
            if (have)                                                                              \
                fold_##op##_##tag(to, len, &prefix);                                               \
            const E total = load_##tag(totals, t);                                                 \
            prefix = have ? COMBINE(op, tag, prefix, total) : total;                               \
            have = 1;                                                                              \
            t++;                                                                                   \
        }                                                                                          \
    }

DEFINE_TILE_LANES(SUM, f32)
DEFINE_TILE_LANES(PROD, f32)
DEFINE_TILE_LANES(SUM, f64)
DEFINE_TILE_LANES(PROD, f64)

/* Which body fills an (op, accumulator) slot: 0 scalar, 1 the vector
 * tree scans, 2 the tile lanes (float sums and products). HAS_VECTOR_x is
 * 0 (scalar only), 1 (vector trees for every op) or 2 (floats: trees for
 * max and min, lanes for sums and products). */
#define HAS_VECTOR_bool 0
#define HAS_VECTOR_i8 0
#define HAS_VECTOR_i16 0
#define HAS_VECTOR_i32 1
#define HAS_VECTOR_i64 1
#define HAS_VECTOR_u8 0
#define HAS_VECTOR_u16 0
#define HAS_VECTOR_u32 1
#define HAS_VECTOR_u64 1
#define HAS_VECTOR_f16 0
#define HAS_VECTOR_f32 2
#define HAS_VECTOR_f64 2
#define HAS_VECTOR_c64 0
#define HAS_VECTOR_c128 0
#define HAS_VECTOR_dd 0
#define HAS_VECTOR_cdd 0
#define PICK_0(scalar, vector, lanes) scalar
#define PICK_1(scalar, vector, lanes) vector
#define PICK_2(scalar, vector, lanes) lanes
#define PICK(kind, scalar, vector, lanes) PICK_EXPAND(kind, scalar, vector, lanes)
#define PICK_EXPAND(kind, scalar, vector, lanes) PICK_##kind(scalar, vector, lanes)
#define KIND(op, has) KIND_EXPAND(op, has)
#define KIND_EXPAND(op, has) KIND_##has(op)
#define KIND_0(op) 0
#define KIND_1(op) 1
#define KIND_2(op) FLOAT_KIND_##op
#define FLOAT_KIND_SUM 2
#define FLOAT_KIND_PROD 2
#define FLOAT_KIND_MAX 1
#define FLOAT_KIND_MIN 1
#define SLOT(op, tag, scalar, vector, lanes) PICK(KIND(op, HAS_VECTOR_##tag), scalar, vector, lanes)

#define KERNEL_ENTRY(op, tag) [PSCAN_DT_##tag] = KERNEL_FIELDS(op, tag),
#define KERNEL_FIELDS(op, tag)                                                          \
    {                                                                                   \
        SLOT(op, tag, scan_##op##_##tag, vscan_##op##_##tag, scan_##op##_##tag),        \
            SLOT(op, tag, NULL, vscan_stream_##op##_##tag, NULL),                       \
            SLOT(op, tag, scan_segments_##op##_##tag, vscan_segments_##op##_##tag,      \
                 tscan_segments_##op##_##tag),                                          \
            scan_rows_##op##_##tag,                                                     \
            SLOT(op, tag, reduce_segments_##op##_##tag, vreduce_segments_##op##_##tag,  \
                 treduce_segments_##op##_##tag),                                        \
            SLOT(op, tag, NULL, NULL, tscan_tiles_##op##_##tag), fold_##op##_##tag,     \
            scan_lagged_##op##_##tag, reduce_lagged_##op##_##tag, combine_##op##_##tag, \
            ORDER_FREE(op, tag)                                                         \
    }

#ifndef PSCAN_KERNEL_ISA
#define PSCAN_KERNEL_ISA scalar
#endif
#define TABLE_NAME(isa) TABLE_NAME_EXPAND(isa)
#define TABLE_NAME_EXPAND(isa) pscan_kernels_##isa

const pscan_kernel_table TABLE_NAME(PSCAN_KERNEL_ISA) = {
    [PSCAN_SUM] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, SUM)},
    [PSCAN_PROD] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, PROD)},
    [PSCAN_MAX] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, MAX)},
    [PSCAN_MIN] = {PSCAN_EACH_DTYPE_WITH(KERNEL_ENTRY, MIN)},
};

#define COMPENSATED_NAME(isa) COMPENSATED_NAME_EXPAND(isa)
#define COMPENSATED_NAME_EXPAND(isa) pscan_compensated_kernels_##isa
const pscan_kernel COMPENSATED_NAME(PSCAN_KERNEL_ISA)[2] = {KERNEL_FIELDS(SUM, dd),
                                                            KERNEL_FIELDS(SUM, cdd)};

/* ---- Streaming stores for big outputs ----
 *
 * A plain store to a line not in cache reads the line first, so a scan
 * that writes `out` with plain stores moves 3n bytes where memcpy moves 2n.
 * Non-temporal stores skip that read; they are only worth it when out is
 * far larger than the caches (the engine decides). */

#define STREAM_NAME(isa) STREAM_NAME_EXPAND(isa)
#define STREAM_NAME_EXPAND(isa) pscan_stream_copy_##isa

void STREAM_NAME(PSCAN_KERNEL_ISA)(void *dst, const void *src, size_t bytes)
{
#if defined(__AVX512F__) && PSCAN_VECTOR_BYTES == 64
    typedef __m512i stream_t;
#define STREAM_STORE(d, s) _mm512_stream_si512((d), _mm512_loadu_si512(s))
#elif defined(__AVX2__) && PSCAN_VECTOR_BYTES == 32
    typedef __m256i stream_t;
#define STREAM_STORE(d, s) _mm256_stream_si256((d), _mm256_loadu_si256((const __m256i *)(s)))
#elif defined(__SSE2__)
    typedef __m128i stream_t;
#define STREAM_STORE(d, s) _mm_stream_si128((d), _mm_loadu_si128((const __m128i *)(s)))
#endif
#ifdef STREAM_STORE
    char *to = dst;
    const char *from = src;
    size_t head = (sizeof(stream_t) - (uintptr_t)to % sizeof(stream_t)) % sizeof(stream_t);
    if (head > bytes)
        head = bytes;
    memcpy(to, from, head);
    size_t done = head;
    for (; done + sizeof(stream_t) <= bytes; done += sizeof(stream_t))
        STREAM_STORE((stream_t *)(void *)(to + done), from + done);
    memcpy(to + done, from + done, bytes - done);
#undef STREAM_STORE
#else
    memcpy(dst, src, bytes);
#endif
}
