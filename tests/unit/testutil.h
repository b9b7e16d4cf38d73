/*
 * testutil.h - helpers shared by the pscan Criterion unit tests.
 *
 * Independent, deliberately simple reference code: element access by dtype,
 * an IEEE binary16 codec, a C-order multi-index walker, a reference N-d
 * cumsum over int64 values, sentinel fills and a deterministic PRNG.
 */
#ifndef PSCAN_TESTUTIL_H
#define PSCAN_TESTUTIL_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pscan.h"

#define TU_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- arrays */

/* malloc that fails the test instead of returning NULL */
static inline void *tu_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    cr_assert(ne(ptr, p, NULL));
    return p;
}

static inline pscan_array tu_arr(void *data, pscan_dtype t, int ndim, const int64_t *shape,
                                 const int64_t *strides)
{
    pscan_array a;
    a.data = data;
    a.dtype = t;
    a.ndim = ndim;
    a.shape = shape;
    a.strides = strides;
    return a;
}

/* 1-D contiguous view. */
static inline pscan_array tu_vec(void *data, pscan_dtype t, const int64_t *n)
{
    return tu_arr(data, t, 1, n, NULL);
}

/* Element size of each dtype, written out independently of the library. */
static inline size_t tu_size(pscan_dtype t)
{
    switch (t) {
    case PSCAN_BOOL:
    case PSCAN_INT8:
    case PSCAN_UINT8:
        return 1;
    case PSCAN_INT16:
    case PSCAN_UINT16:
    case PSCAN_FLOAT16:
        return 2;
    case PSCAN_INT32:
    case PSCAN_UINT32:
    case PSCAN_FLOAT32:
        return 4;
    case PSCAN_INT64:
    case PSCAN_UINT64:
    case PSCAN_FLOAT64:
    case PSCAN_COMPLEX64:
        return 8;
    case PSCAN_COMPLEX128:
        return 16;
    default:
        return 0;
    }
}

static inline int tu_is_int(pscan_dtype t)
{
    return t >= PSCAN_BOOL && t <= PSCAN_UINT64;
}

static inline int tu_is_complex(pscan_dtype t)
{
    return t == PSCAN_COMPLEX64 || t == PSCAN_COMPLEX128;
}

/* C-contiguous byte strides. */
static inline void tu_c_strides(int ndim, const int64_t *shape, int64_t elsize, int64_t *strides)
{
    int64_t s = elsize;
    for (int d = ndim - 1; d >= 0; --d) {
        strides[d] = s;
        s *= shape[d] > 0 ? shape[d] : 1;
    }
}

static inline int64_t tu_prod(int ndim, const int64_t *shape)
{
    int64_t p = 1;
    for (int d = 0; d < ndim; ++d)
        p *= shape[d];
    return p;
}

/* Advance a C-order multi-index; returns 0 after the last one. */
static inline int tu_next(int ndim, const int64_t *shape, int64_t *idx)
{
    for (int d = ndim - 1; d >= 0; --d) {
        if (++idx[d] < shape[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

static inline char *tu_at(const pscan_array *a, const int64_t *idx)
{
    int64_t strides[PSCAN_MAX_DIMS];
    const int64_t *st = a->strides;
    if (st == NULL) {
        tu_c_strides(a->ndim, a->shape, (int64_t)tu_size(a->dtype), strides);
        st = strides;
    }
    char *p = (char *)a->data;
    for (int d = 0; d < a->ndim; ++d)
        p += idx[d] * st[d];
    return p;
}

/* ------------------------------------------------------------- float16 */

static inline double tu_half_to_double(uint16_t h)
{
    int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v;
    if (e == 0x1f)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp((double)m, -24);
    else
        v = ldexp((double)(m + 1024), e - 25);
    return sign ? -v : v;
}

/* Magnitude of a non-negative bit pattern 0..0x7c00, where 0x7c00 stands
 * for 65536 (the value the exponent would give were it not infinity): the
 * finite halves are monotonic in their bits, so rounding is a search. */
static inline double tu_half_mag(unsigned b)
{
    return b == 0x7c00u ? 65536.0 : tu_half_to_double((uint16_t)b);
}

/* Round to nearest, ties to even, by binary search over the bit patterns. */
static inline uint16_t tu_half_from_double(double x)
{
    if (isnan(x))
        return 0x7e00;
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    double a = fabs(x);
    if (a >= 65536.0)
        return sign | 0x7c00;
    unsigned lo = 0, hi = 0x7c00; /* mag(lo) <= a < mag(hi) */
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (tu_half_mag(mid) <= a)
            lo = mid;
        else
            hi = mid;
    }
    double dlo = a - tu_half_mag(lo), dhi = tu_half_mag(hi) - a;
    unsigned r = dlo < dhi ? lo : dhi < dlo ? hi : ((lo & 1u) ? hi : lo);
    return (uint16_t)(sign | r);
}

/* numpy's half add: exact sum rounded once (float32 arithmetic then rounding
 * to half gives the same bits, 24 >= 2*11+2). */
static inline uint16_t tu_half_add(uint16_t a, uint16_t b)
{
    return tu_half_from_double(tu_half_to_double(a) + tu_half_to_double(b));
}

/* ------------------------------------------------------- element access */

/* Store an integer value (wraps for integer types, as C's conversion to
 * unsigned does; bool: v != 0). */
static inline void tu_put_i64(void *p, pscan_dtype t, int64_t v)
{
    switch (t) {
    case PSCAN_BOOL: {
        uint8_t x = v != 0;
        memcpy(p, &x, 1);
        break;
    }
    case PSCAN_INT8:
    case PSCAN_UINT8: {
        uint8_t x = (uint8_t)(uint64_t)v;
        memcpy(p, &x, 1);
        break;
    }
    case PSCAN_INT16:
    case PSCAN_UINT16: {
        uint16_t x = (uint16_t)(uint64_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case PSCAN_INT32:
    case PSCAN_UINT32: {
        uint32_t x = (uint32_t)(uint64_t)v;
        memcpy(p, &x, 4);
        break;
    }
    case PSCAN_INT64:
    case PSCAN_UINT64: {
        uint64_t x = (uint64_t)v;
        memcpy(p, &x, 8);
        break;
    }
    case PSCAN_FLOAT16: {
        uint16_t x = tu_half_from_double((double)v);
        memcpy(p, &x, 2);
        break;
    }
    case PSCAN_FLOAT32: {
        float x[2] = {(float)v, 0.0f};
        memcpy(p, x, 4);
        break;
    }
    case PSCAN_FLOAT64: {
        double x = (double)v;
        memcpy(p, &x, 8);
        break;
    }
    case PSCAN_COMPLEX64: {
        float x[2] = {(float)v, 0.0f};
        memcpy(p, x, 8);
        break;
    }
    case PSCAN_COMPLEX128: {
        double x[2] = {(double)v, 0.0};
        memcpy(p, x, 16);
        break;
    }
    default:
        cr_fatal("tu_put_i64: bad dtype %d", (int)t);
    }
}

/* Store a float value into a float/complex element (re, im). Integer
 * targets get (int64_t)re, which the caller keeps exact and in range. */
static inline void tu_put_f64(void *p, pscan_dtype t, double re, double im)
{
    switch (t) {
    case PSCAN_FLOAT16: {
        uint16_t x = tu_half_from_double(re);
        memcpy(p, &x, 2);
        break;
    }
    case PSCAN_FLOAT32: {
        float x = (float)re;
        memcpy(p, &x, 4);
        break;
    }
    case PSCAN_FLOAT64:
        memcpy(p, &re, 8);
        break;
    case PSCAN_COMPLEX64: {
        float x[2] = {(float)re, (float)im};
        memcpy(p, x, 8);
        break;
    }
    case PSCAN_COMPLEX128: {
        double x[2] = {re, im};
        memcpy(p, x, 16);
        break;
    }
    default:
        tu_put_i64(p, t, (int64_t)re);
        break;
    }
}

/* Read an integer/bool element as int64 (uint64 values are returned with
 * their bits, i.e. wrapped). */
static inline int64_t tu_get_i64(const void *p, pscan_dtype t)
{
    switch (t) {
    case PSCAN_BOOL: {
        uint8_t x;
        memcpy(&x, p, 1);
        return x;
    }
    case PSCAN_INT8: {
        int8_t x;
        memcpy(&x, p, 1);
        return x;
    }
    case PSCAN_UINT8: {
        uint8_t x;
        memcpy(&x, p, 1);
        return x;
    }
    case PSCAN_INT16: {
        int16_t x;
        memcpy(&x, p, 2);
        return x;
    }
    case PSCAN_UINT16: {
        uint16_t x;
        memcpy(&x, p, 2);
        return x;
    }
    case PSCAN_INT32: {
        int32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    case PSCAN_UINT32: {
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    case PSCAN_INT64: {
        int64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    case PSCAN_UINT64: {
        uint64_t x;
        memcpy(&x, p, 8);
        return (int64_t)x;
    }
    default:
        cr_fatal("tu_get_i64: bad dtype %d", (int)t);
        return 0;
    }
}

/* Real part of any element, as double. */
static inline double tu_get_re(const void *p, pscan_dtype t)
{
    switch (t) {
    case PSCAN_FLOAT16: {
        uint16_t x;
        memcpy(&x, p, 2);
        return tu_half_to_double(x);
    }
    case PSCAN_FLOAT32:
    case PSCAN_COMPLEX64: {
        float x;
        memcpy(&x, p, 4);
        return x;
    }
    case PSCAN_FLOAT64:
    case PSCAN_COMPLEX128: {
        double x;
        memcpy(&x, p, 8);
        return x;
    }
    case PSCAN_UINT64: {
        uint64_t x;
        memcpy(&x, p, 8);
        return (double)x;
    }
    default:
        return (double)tu_get_i64(p, t);
    }
}

/* Imaginary part (0 for real types). */
static inline double tu_get_im(const void *p, pscan_dtype t)
{
    if (t == PSCAN_COMPLEX64) {
        float x[2];
        memcpy(x, p, 8);
        return x[1];
    }
    if (t == PSCAN_COMPLEX128) {
        double x[2];
        memcpy(x, p, 16);
        return x[1];
    }
    return 0.0;
}

static inline uint64_t tu_dbits(double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}

static inline uint32_t tu_fbits(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    return u;
}

/* ------------------------------------------------------ reference scans */

/* Gather an array into a C-ordered int64 buffer (float/complex elements:
 * their real part, which the caller keeps integral). */
static inline void tu_gather_i64(const pscan_array *a, int64_t *dst)
{
    int64_t idx[PSCAN_MAX_DIMS] = {0}, st[PSCAN_MAX_DIMS];
    int nd = a->ndim;
    int64_t n = tu_prod(nd, a->shape);
    if (n == 0)
        return;
    if (a->strides)
        memcpy(st, a->strides, (size_t)nd * sizeof st[0]);
    else
        tu_c_strides(nd, a->shape, (int64_t)tu_size(a->dtype), st);
    const char *p = (const char *)a->data;
    int isint = tu_is_int(a->dtype);
    for (int64_t k = 0; k < n; ++k) {
        dst[k] = isint ? tu_get_i64(p, a->dtype) : (int64_t)tu_get_re(p, a->dtype);
        for (int d = nd - 1; d >= 0; --d) { /* odometer step, C order */
            if (++idx[d] < a->shape[d]) {
                p += st[d];
                break;
            }
            idx[d] = 0;
            p -= (a->shape[d] - 1) * st[d];
        }
    }
}

/* Reference cumsum (wrapping int64) of a C-ordered buffer along `axis`
 * (already normalised; -1 for flattened). */
static inline void tu_ref_cumsum_i64(int ndim, const int64_t *shape, int axis, const int64_t *in,
                                     int64_t *out)
{
    int64_t n = tu_prod(ndim, shape);
    if (axis < 0) {
        uint64_t s = 0;
        for (int64_t i = 0; i < n; ++i)
            out[i] = (int64_t)(s += (uint64_t)in[i]);
        return;
    }
    int64_t step = 1;
    for (int d = ndim - 1; d > axis; --d)
        step *= shape[d];
    int64_t idx[PSCAN_MAX_DIMS] = {0};
    if (n == 0)
        return;
    int64_t k = 0;
    do {
        out[k] = idx[axis] == 0 ? in[k] : (int64_t)((uint64_t)out[k - step] + (uint64_t)in[k]);
        ++k;
    } while (tu_next(ndim, shape, idx));
}

/* Scans `in` along `axis` into `out` (default accumulator, integral values)
 * and compares, in C order, with the reference computed from a copy of `in`
 * gathered before the call (so overlapping in/out get numpy's answer). */
static inline void tu_check_cumsum(const pscan_array *in, int axis, const pscan_array *out,
                                   const pscan_opts *opts)
{
    int ndim = in->ndim;
    int64_t n = tu_prod(ndim, in->shape);
    size_t bytes = (size_t)(n > 0 ? n : 1) * sizeof(int64_t);
    int64_t *src = malloc(bytes), *want = malloc(bytes), *got = malloc(bytes);
    cr_assert(all(ne(ptr, src, NULL), ne(ptr, want, NULL), ne(ptr, got, NULL)));
    tu_gather_i64(in, src);
    int ref_axis = axis == PSCAN_AXIS_NONE || ndim == 0 ? -1 : axis < 0 ? axis + ndim : axis;
    tu_ref_cumsum_i64(ndim, in->shape, ref_axis, src, want);
    pscan_status s = pscan_cumsum(in, axis, PSCAN_DTYPE_DEFAULT, out, opts);
    cr_assert(eq(int, (int)s, (int)PSCAN_OK), "axis %d: %s", axis, pscan_strerror(s));
    tu_gather_i64(out, got);
    int64_t bad = 0;
    while (bad < n && got[bad] == want[bad])
        ++bad;
    if (bad < n)
        cr_assert(eq(i64, got[bad], want[bad]),
                  "axis %d, element %lld (C order) is the first wrong one", axis, (long long)bad);
    free(src);
    free(want);
    free(got);
}

/* ---------------------------------------------------------- sentinels */

static inline uint8_t tu_sentinel_byte(size_t i)
{
    return (uint8_t)(0xA5u ^ (i * 37u));
}

static inline void tu_fill_sentinel(void *p, size_t nbytes)
{
    uint8_t *b = (uint8_t *)p;
    for (size_t i = 0; i < nbytes; ++i)
        b[i] = tu_sentinel_byte(i);
}

/* Asserts that every byte still holds the sentinel. */
static inline void tu_assert_sentinel(const void *p, size_t nbytes)
{
    const uint8_t *b = (const uint8_t *)p;
    for (size_t i = 0; i < nbytes; ++i)
        cr_assert(eq(u8, b[i], tu_sentinel_byte(i)), "byte %zu of out was overwritten", i);
}

/* --------------------------------------------------------------- PRNG */

static inline uint64_t tu_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double tu_rand_unit(uint64_t *state)
{
    return (double)(tu_rand(state) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static inline int64_t tu_rand_range(uint64_t *state, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(tu_rand(state) % (uint64_t)(hi - lo + 1));
}

/* FNV-1a over 8-byte words (the tail byte by byte): a fingerprint of a
 * result's bits. */
static inline uint64_t tu_hash_bytes(uint64_t hash, const void *data, size_t bytes)
{
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        hash = (hash ^ word) * 1099511628211ull;
    }
    for (; i < bytes; ++i)
        hash = (hash ^ p[i]) * 1099511628211ull;
    return hash;
}
#define TU_HASH_START 1469598103934665603ull

/* ---------------------------------------------------------- assertions */

/* Status is one of two values. (Criterion 2.4.1's any() criterion fails
 * when its first argument holds, so a plain function is used. Its gt()
 * holds on equality too, gt(int, 1, 1) passes: write ge(x, y + 1) or a
 * plain comparison instead.) */
static inline int tu_either(pscan_status s, pscan_status a, pscan_status b)
{
    return s == a || s == b;
}

#define TU_ASSERT_EITHER(s, a, b)                                                   \
    cr_assert(tu_either((s), (a), (b)), "got %d (%s), expected %d or %d", (int)(s), \
              pscan_strerror(s), (int)(a), (int)(b))

#define TU_ASSERT_OK(call) cr_assert(eq(int, (int)(call), (int)PSCAN_OK), "%s", #call)

static inline void tu_assert_i64s(const int64_t *got, const int64_t *exp, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(eq(i64, got[i], exp[i]), "element %zu", i);
}

static inline void tu_assert_dbits(const double *got, const double *exp, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(eq(u64, tu_dbits(got[i]), tu_dbits(exp[i])), "element %zu: got %a expected %a", i,
                  got[i], exp[i]);
}

static inline void tu_assert_fbits(const float *got, const float *exp, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        cr_assert(eq(u32, tu_fbits(got[i]), tu_fbits(exp[i])), "element %zu: got %a expected %a", i,
                  (double)got[i], (double)exp[i]);
}

/* a's elements [start, start + len) along dim d, a view whose shape
 * lives in dims (a->ndim entries). */
static inline pscan_array tu_along(const pscan_array *a, int d, int64_t start, int64_t len,
                                   int64_t *dims)
{
    for (int k = 0; k < a->ndim; k++)
        dims[k] = k == d ? len : a->shape[k];
    return tu_arr((char *)a->data + start * a->strides[d], a->dtype, a->ndim, dims, a->strides);
}

/* a's elements in C order, packed into dst (a has explicit strides). */
static inline void tu_gather_bytes(const pscan_array *a, unsigned char *dst)
{
    const size_t item = tu_size(a->dtype);
    int64_t idx[PSCAN_MAX_DIMS] = {0};
    if (tu_prod(a->ndim, a->shape) == 0)
        return;
    do {
        memcpy(dst, tu_at(a, idx), item);
        dst += item;
    } while (tu_next(a->ndim, a->shape, idx));
}

/* Fortran-order strides (bytes) of shape. */
static inline void tu_f_strides(int ndim, const int64_t *shape, int64_t elsize, int64_t *strides)
{
    for (int d = 0; d < ndim; d++) {
        strides[d] = elsize;
        elsize *= shape[d];
    }
}

/* Values for scans of any op that stay finite over long lanes: small
 * integers; floats near 1 for PROD; else uniform in (-100, 100) with a
 * small imaginary part for complex. */
static inline void tu_fill_scan_values(void *data, pscan_dtype t, int64_t n, pscan_op op,
                                       uint64_t *seed)
{
    for (int64_t i = 0; i < n; i++) {
        char *p = (char *)data + (size_t)i * tu_size(t);
        if (tu_is_int(t))
            tu_put_i64(p, t, tu_rand_range(seed, -50, 50));
        else if (op == PSCAN_PROD)
            tu_put_f64(p, t, 1.0 + (tu_rand_unit(seed) - 0.5) / 512, 0.0);
        else
            tu_put_f64(p, t, tu_rand_unit(seed) * 200 - 100, tu_rand_unit(seed) - 0.5);
    }
}

#endif /* PSCAN_TESTUTIL_H */
