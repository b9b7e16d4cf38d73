/* recurrence_kernels.c - y = a * y + b along runs (recurrence.h), one
 * generic body per step instantiated per value type by REC_TYPES.
 *
 * The loop is a dependent chain: every element waits for the multiply and
 * the add before it (8 cycles a step where each is 4). Tiles are
 * independent once their incoming values are known, so the reduce and the
 * scan run REC_GROUP tiles side by side, one step of each per iteration,
 * and the chain's latency is spread over REC_GROUP chains. Built with
 * -ffp-contract=off (the project's flags) and no vector intrinsics: every
 * product and sum is rounded as written, on every ISA and compiler. */
#include "recurrence.h"

#include "tile.h"

#include <string.h>

#define FORCE_INLINE static inline __attribute__((always_inline))

/* Tiles scanned side by side: 8 chains cover the 8-cycle step with two
 * operations a cycle to spare for the loads and stores. */
enum { REC_GROUP = 8 };

/* How far apart side-by-side tiles run: one cache line (see REC_BODIES). */
enum { REC_LAG_BYTES = 64 };

/* X(name, real type, complex?) for every value type. */
#define REC_TYPES(X) X(f32, float, 0) X(f64, double, 0) X(c64, float, 1) X(c128, double, 1)

/* One value: a real one keeps im at 0, which the compiler drops. Complex
 * multiply is numpy's (ac - bd, ad + bc), each product rounded. */
#define REC_VALUE(name, R, CPLX)                                                                    \
    typedef struct rec_##name {                                                                     \
        R re, im;                                                                                   \
    } rec_##name;                                                                                   \
    FORCE_INLINE rec_##name load_##name(const char *at)                                             \
    {                                                                                               \
        rec_##name v = {0, 0};                                                                      \
        memcpy(&v.re, at, sizeof(R));                                                               \
        if (CPLX)                                                                                   \
            memcpy(&v.im, at + sizeof(R), sizeof(R));                                               \
        return v;                                                                                   \
    }                                                                                               \
    /* Part by part: a whole-struct copy went through the stack, and the                          \
     * 16-byte reload of two 8-byte stores stalled every complex step. */ \
    FORCE_INLINE void store_##name(char *at, rec_##name v)                                          \
    {                                                                                               \
        memcpy(at, &v.re, sizeof(R));                                                               \
        if (CPLX)                                                                                   \
            memcpy(at + sizeof(R), &v.im, sizeof(R));                                               \
    }                                                                                               \
    /* a * y + b */                                                                                 \
    FORCE_INLINE rec_##name step_##name(rec_##name a, rec_##name y, rec_##name b)                   \
    {                                                                                               \
        rec_##name r;                                                                               \
        if (CPLX) {                                                                                 \
            const R re = a.re * y.re - a.im * y.im;                                                 \
            const R im = a.re * y.im + a.im * y.re;                                                 \
            r.re = re + b.re;                                                                       \
            r.im = im + b.im;                                                                       \
        } else {                                                                                    \
            const R re = a.re * y.re;                                                               \
            r.re = re + b.re;                                                                       \
            r.im = 0;                                                                               \
        }                                                                                           \
        return r;                                                                                   \
    }                                                                                               \
    FORCE_INLINE rec_##name mul_##name(rec_##name a, rec_##name y)                                  \
    {                                                                                               \
        rec_##name r;                                                                               \
        r.re = CPLX ? a.re * y.re - a.im * y.im : a.re * y.re;                                      \
        r.im = CPLX ? a.re * y.im + a.im * y.re : 0;                                                \
        return r;                                                                                   \
    }

/* The group bodies: K tiles from tile `first`, each `len` long (K and len
 * constants where it matters, so the K chains live in registers). Tiles
 * start 4096 elements apart, a multiple of 4 KiB: side by side at the same
 * index, a, b and out of every tile fall in one L1 set (24 streams in 8
 * ways) and stores alias later loads. So tile k runs (K - 1 - k) * lag
 * elements ahead of the last one, lag one cache line: a short prologue and
 * epilogue per tile take the steps outside the common range. */
#define REC_BODIES(name, R, CPLX)                                                                  \
    FORCE_INLINE void reduce_range_##name(const char *a, ptrdiff_t as, const char *b,              \
                                          ptrdiff_t bs, int64_t from, int64_t to, rec_##name *A,   \
                                          rec_##name *B)                                           \
    {                                                                                              \
        for (int64_t i = from; i < to; i++) {                                                      \
            const rec_##name av = load_##name(a + i * as);                                         \
            *A = mul_##name(av, *A);                                                               \
            *B = step_##name(av, *B, load_##name(b + i * bs));                                     \
        }                                                                                          \
    }                                                                                              \
    FORCE_INLINE void scan_range_##name(const char *a, ptrdiff_t as, const char *b, ptrdiff_t bs,  \
                                        char *out, ptrdiff_t os, int64_t from, int64_t to,         \
                                        rec_##name *y)                                             \
    {                                                                                              \
        for (int64_t i = from; i < to; i++) {                                                      \
            *y = step_##name(load_##name(a + i * as), *y, load_##name(b + i * bs));                \
            store_##name(out + i * os, *y);                                                        \
        }                                                                                          \
    }                                                                                              \
    FORCE_INLINE void reduce_group_##name(const pscan_rec_run *run, int64_t first, int K,          \
                                          int64_t len, rec_##name *pairs)                          \
    {                                                                                              \
        const ptrdiff_t as = run->a_stride, bs = run->b_stride;                                    \
        const ptrdiff_t ta = PSCAN_TILE * as, tb = PSCAN_TILE * bs;                                \
        const char *a = run->a + first * ta, *b = run->b + first * tb;                             \
        const int64_t lag = K > 1 ? REC_LAG_BYTES / (int64_t)sizeof(R) / (CPLX ? 2 : 1) : 0;       \
        rec_##name A[REC_GROUP], B[REC_GROUP];                                                     \
        for (int k = 0; k < K; k++) {                                                              \
            A[k] = load_##name(a + k * ta);                                                        \
            B[k] = load_##name(b + k * tb);                                                        \
            reduce_range_##name(a + k * ta, as, b + k * tb, bs, 1, 1 + (K - 1 - k) * lag, &A[k],   \
                                &B[k]);                                                            \
        }                                                                                          \
        const ptrdiff_t da = ta - lag * as, db = tb - lag * bs;                                    \
        const char *pa = a + (1 + (K - 1) * lag) * as, *pb = b + (1 + (K - 1) * lag) * bs;         \
        for (int64_t i = 1 + (K - 1) * lag; i < len; i++) {                                        \
            _Pragma("GCC unroll 8") for (int k = 0; k < K; k++)                                    \
            {                                                                                      \
                const rec_##name av = load_##name(pa + k * da);                                    \
                A[k] = mul_##name(av, A[k]);                                                       \
                B[k] = step_##name(av, B[k], load_##name(pb + k * db));                            \
            }                                                                                      \
            pa += as;                                                                              \
            pb += bs;                                                                              \
        }                                                                                          \
        for (int k = 0; k < K; k++) {                                                              \
            reduce_range_##name(a + k * ta, as, b + k * tb, bs, len - k * lag, len, &A[k], &B[k]); \
            pairs[2 * (first + k)] = A[k];                                                         \
            pairs[2 * (first + k) + 1] = B[k];                                                     \
        }                                                                                          \
    }                                                                                              \
    FORCE_INLINE void scan_group_##name(const pscan_rec_run *run, int64_t first, int K,            \
                                        int64_t len, const rec_##name *incoming)                   \
    {                                                                                              \
        const ptrdiff_t as = run->a_stride, bs = run->b_stride, os = run->out_stride;              \
        const ptrdiff_t ta = PSCAN_TILE * as, tb = PSCAN_TILE * bs, to = PSCAN_TILE * os;          \
        const char *a = run->a + first * ta, *b = run->b + first * tb;                             \
        char *out = run->out + first * to;                                                         \
        const int64_t lag = K > 1 ? REC_LAG_BYTES / (int64_t)sizeof(R) / (CPLX ? 2 : 1) : 0;       \
        rec_##name y[REC_GROUP];                                                                   \
        for (int k = 0; k < K; k++) {                                                              \
            y[k] = incoming[first + k];                                                            \
            scan_range_##name(a + k * ta, as, b + k * tb, bs, out + k * to, os, 0,                 \
                              (K - 1 - k) * lag, &y[k]);                                           \
        }                                                                                          \
        const ptrdiff_t da = ta - lag * as, db = tb - lag * bs, dout = to - lag * os;              \
        const char *pa = a + (K - 1) * lag * as, *pb = b + (K - 1) * lag * bs;                     \
        char *po = out + (K - 1) * lag * os;                                                       \
        for (int64_t i = (K - 1) * lag; i < len; i++) {                                            \
            _Pragma("GCC unroll 8") for (int k = 0; k < K; k++)                                    \
            {                                                                                      \
                y[k] = step_##name(load_##name(pa + k * da), y[k], load_##name(pb + k * db));      \
                store_##name(po + k * dout, y[k]);                                                 \
            }                                                                                      \
            pa += as;                                                                              \
            pb += bs;                                                                              \
            po += os;                                                                              \
        }                                                                                          \
        for (int k = 0; k < K; k++)                                                                \
            scan_range_##name(a + k * ta, as, b + k * tb, bs, out + k * to, os, len - k * lag,     \
                              len, &y[k]);                                                         \
    }

/* The kernels: whole groups of full tiles, then fours, then one by one
 * (the last tile may be short). */
#define REC_KERNELS(name, R, CPLX)                                                     \
    static void reduce_##name(const pscan_rec_run *run, void *pairs)                   \
    {                                                                                  \
        const int64_t full = run->len / PSCAN_TILE;                                    \
        int64_t t = 0;                                                                 \
        for (; !CPLX && t + REC_GROUP <= full; t += REC_GROUP)                         \
            reduce_group_##name(run, t, REC_GROUP, PSCAN_TILE, pairs);                 \
        for (; t + 4 <= full; t += 4)                                                  \
            reduce_group_##name(run, t, 4, PSCAN_TILE, pairs);                         \
        for (; t < full; t++)                                                          \
            reduce_group_##name(run, t, 1, PSCAN_TILE, pairs);                         \
        if (t * PSCAN_TILE < run->len)                                                 \
            reduce_group_##name(run, t, 1, run->len - t * PSCAN_TILE, pairs);          \
    }                                                                                  \
    static void scan_##name(const pscan_rec_run *run, const void *incoming)            \
    {                                                                                  \
        const int64_t full = run->len / PSCAN_TILE;                                    \
        int64_t t = 0;                                                                 \
        for (; !CPLX && t + REC_GROUP <= full; t += REC_GROUP)                         \
            scan_group_##name(run, t, REC_GROUP, PSCAN_TILE, incoming);                \
        for (; t + 4 <= full; t += 4)                                                  \
            scan_group_##name(run, t, 4, PSCAN_TILE, incoming);                        \
        for (; t < full; t++)                                                          \
            scan_group_##name(run, t, 1, PSCAN_TILE, incoming);                        \
        if (t * PSCAN_TILE < run->len)                                                 \
            scan_group_##name(run, t, 1, run->len - t * PSCAN_TILE, incoming);         \
    }                                                                                  \
    static void chain_##name(const void *pairs_bytes, int64_t tiles, const void *y_in, \
                             void *incoming_bytes, void *y_end)                        \
    {                                                                                  \
        const rec_##name *pairs = pairs_bytes;                                         \
        rec_##name *incoming = incoming_bytes;                                         \
        rec_##name y = load_##name(y_in);                                              \
        for (int64_t t = 0; t < tiles; t++) {                                          \
            incoming[t] = y;                                                           \
            y = step_##name(pairs[2 * t], y, pairs[2 * t + 1]);                        \
        }                                                                              \
        store_##name(y_end, y);                                                        \
    }                                                                                  \
    static void loop_##name(const pscan_rec_run *run, const void *y_in, void *y_end)   \
    {                                                                                  \
        const char *a = run->a, *b = run->b;                                           \
        char *out = run->out;                                                          \
        rec_##name y = load_##name(y_in);                                              \
        for (int64_t i = 0; i < run->len; i++) {                                       \
            y = step_##name(load_##name(a), y, load_##name(b));                        \
            store_##name(out, y);                                                      \
            a += run->a_stride;                                                        \
            b += run->b_stride;                                                        \
            out += run->out_stride;                                                    \
        }                                                                              \
        store_##name(y_end, y);                                                        \
    }                                                                                  \
    static const pscan_rec_kernels kernels_##name = {(CPLX ? 2 : 1) * sizeof(R),       \
                                                     sizeof(rec_##name),               \
                                                     reduce_##name,                    \
                                                     chain_##name,                     \
                                                     scan_##name,                      \
                                                     loop_##name};

REC_TYPES(REC_VALUE)
REC_TYPES(REC_BODIES)
REC_TYPES(REC_KERNELS)

const pscan_rec_kernels *pscan_rec_kernels_get(pscan_dtype value_type)
{
    switch (value_type) {
    case PSCAN_FLOAT32:
        return &kernels_f32;
    case PSCAN_FLOAT64:
        return &kernels_f64;
    case PSCAN_COMPLEX64:
        return &kernels_c64;
    case PSCAN_COMPLEX128:
        return &kernels_c128;
    default:
        return NULL;
    }
}
