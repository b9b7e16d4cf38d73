/* fuzz_scan.c - libFuzzer target for pscan_scan itself. The input bytes
 * choose a small problem (op, dtypes, shape, axis, strides, overlap of in
 * and out, flags, order, casting, threads) and its values; the target
 * predicts the status, and where the answer is exact by definition it
 * computes the result with a naive left-to-right scan over an untouched
 * copy of the input and demands the same bytes:
 *   - integer and bool accumulators, MAX and MIN of any type;
 *   - float and complex SUM and PROD in SEQUENTIAL order (one left-to-right
 *     chain per lane), and in REPRODUCIBLE order (the README's 4096-element
 *     tiles: a chain per tile, each tile's outputs after the running carry
 *     of the tiles before, the carry chained from the tiles' totals).
 * Compensated float sums and float16 accumulators or outputs (rounding to
 * half) are not modelled: there the status must still be right and nothing
 * outside `out` may change. An
 * error status must leave every byte as it was. Built with clang
 * -fsanitize=fuzzer (scripts/fuzz.sh). */
#include "pscan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Complex products are (ac - bd, ad + bc) with each operation rounded on
 * its own, as the library computes them (scripts/fuzz.sh passes
 * -ffp-contract=off too). */
#pragma STDC FP_CONTRACT OFF

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t len);

enum { MAX_DIMS = 4, GUARD = 64, TILE = 4096 };

/* ---- input bytes ---- */

typedef struct reader {
    const unsigned char *bytes;
    size_t len, at;
    uint64_t rng; /* values past the end of the input come from here */
} reader;

static uint64_t next_random(reader *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return r->rng;
}

static unsigned take_byte(reader *r)
{
    return r->at < r->len ? r->bytes[r->at++] : (unsigned)(next_random(r) & 0xff);
}

/* A choice among n (n <= 256); past the input's end the generator,
 * seeded by the whole input, goes on choosing. */
static unsigned choose(reader *r, unsigned n)
{
    return take_byte(r) % n;
}

/* ---- values: every element read as its natural C value ---- */

typedef enum { K_SIGNED, K_UNSIGNED, K_REAL, K_COMPLEX } value_kind;
typedef struct value {
    value_kind kind;
    int64_t s;
    uint64_t u;
    double re, im; /* every float32, float64 value is a double exactly */
} value;

static int is_signed_int(pscan_dtype t)
{
    return t >= PSCAN_INT8 && t <= PSCAN_INT64;
}
static int is_unsigned_int(pscan_dtype t)
{
    return t >= PSCAN_UINT8 && t <= PSCAN_UINT64;
}
static int is_integer(pscan_dtype t)
{
    return is_signed_int(t) || is_unsigned_int(t);
}
static int is_complex(pscan_dtype t)
{
    return t == PSCAN_COMPLEX64 || t == PSCAN_COMPLEX128;
}
static int is_float(pscan_dtype t)
{
    return t == PSCAN_FLOAT16 || t == PSCAN_FLOAT32 || t == PSCAN_FLOAT64 || is_complex(t);
}
static int int_bits(pscan_dtype t)
{
    return (int)pscan_dtype_size(t) * 8;
}

static value load_value(pscan_dtype t, const unsigned char *p)
{
    value v = {K_SIGNED, 0, 0, 0, 0};
    if (t == PSCAN_BOOL) {
        v.kind = K_UNSIGNED;
        v.u = p[0] != 0;
    } else if (is_signed_int(t)) {
        const int bits = int_bits(t);
        uint64_t raw = 0;
        memcpy(&raw, p, pscan_dtype_size(t)); /* little-endian host */
        if (bits < 64 && (raw >> (bits - 1) & 1))
            raw |= ~UINT64_C(0) << bits; /* sign extension */
        v.s = (int64_t)raw;
    } else if (is_unsigned_int(t)) {
        v.kind = K_UNSIGNED;
        memcpy(&v.u, p, pscan_dtype_size(t));
    } else if (t == PSCAN_FLOAT16) { /* binary16 bits; every value is a double */
        uint16_t h;
        memcpy(&h, p, sizeof h);
        const int exponent = h >> 10 & 0x1f, mantissa = h & 0x3ff;
        v.kind = K_REAL;
        v.re = exponent == 31  ? (mantissa ? NAN : INFINITY)
               : exponent == 0 ? ldexp(mantissa, -24)
                               : ldexp(mantissa | 0x400, exponent - 25);
        if (h & 0x8000)
            v.re = -v.re;
    } else if (t == PSCAN_FLOAT32 || t == PSCAN_COMPLEX64) {
        float part[2] = {0, 0};
        memcpy(part, p, pscan_dtype_size(t));
        v.kind = t == PSCAN_FLOAT32 ? K_REAL : K_COMPLEX;
        v.re = part[0];
        v.im = part[1];
    } else if (t == PSCAN_FLOAT64 || t == PSCAN_COMPLEX128) {
        double part[2] = {0, 0};
        memcpy(part, p, pscan_dtype_size(t));
        v.kind = t == PSCAN_FLOAT64 ? K_REAL : K_COMPLEX;
        v.re = part[0];
        v.im = part[1];
    }
    return v;
}

/* README "Semantics": float -> integer truncates toward zero, NaN is 0,
 * out of range saturates; integers wrap. */
static uint64_t float_to_int_bits(double x, pscan_dtype t)
{
    const int bits = int_bits(t);
    if (isnan(x))
        return 0;
    x = trunc(x);
    if (is_unsigned_int(t)) {
        if (x <= 0)
            return 0;
        if (x >= ldexp(1.0, bits))
            return bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        return (uint64_t)x;
    }
    if (x >= ldexp(1.0, bits - 1))
        return (UINT64_C(1) << (bits - 1)) - 1;
    if (x < -ldexp(1.0, bits - 1))
        return UINT64_C(1) << (bits - 1); /* the minimum's bits */
    return (uint64_t)(int64_t)x;
}

static void store_value(pscan_dtype t, value v, unsigned char *p)
{
    const int real_kind = v.kind == K_REAL || v.kind == K_COMPLEX;
    if (t == PSCAN_BOOL) {
        p[0] = v.kind == K_SIGNED     ? v.s != 0
               : v.kind == K_UNSIGNED ? v.u != 0
                                      : (v.re != 0 || v.im != 0);
    } else if (is_integer(t)) {
        const uint64_t raw = real_kind            ? float_to_int_bits(v.re, t)
                             : v.kind == K_SIGNED ? (uint64_t)v.s
                                                  : v.u;
        memcpy(p, &raw, pscan_dtype_size(t)); /* the low bytes: wraps */
    } else if (t == PSCAN_FLOAT32 || t == PSCAN_COMPLEX64) {
        float part[2];
        part[0] = real_kind ? (float)v.re : v.kind == K_SIGNED ? (float)v.s : (float)v.u;
        part[1] = v.kind == K_COMPLEX ? (float)v.im : 0.0f;
        memcpy(p, part, pscan_dtype_size(t));
    } else if (t == PSCAN_FLOAT64 || t == PSCAN_COMPLEX128) {
        double part[2];
        part[0] = real_kind ? v.re : v.kind == K_SIGNED ? (double)v.s : (double)v.u;
        part[1] = v.kind == K_COMPLEX ? v.im : 0.0;
        memcpy(p, part, pscan_dtype_size(t));
    }
}

static value real_value(double x)
{
    value v = {K_REAL, 0, 0, x, 0};
    return v;
}
static value signed_value(int64_t x)
{
    value v = {K_SIGNED, x, 0, 0, 0};
    return v;
}

/* README "Semantics": numpy's default accumulators. */
static pscan_dtype default_acc(pscan_op op, pscan_dtype in)
{
    if (op == PSCAN_MAX || op == PSCAN_MIN)
        return in;
    if (in == PSCAN_BOOL || (is_signed_int(in) && in != PSCAN_INT64))
        return PSCAN_INT64;
    if (is_unsigned_int(in) && in != PSCAN_UINT64)
        return PSCAN_UINT64;
    return in;
}

/* SUM 0, PROD 1, MAX the lowest value of acc, MIN the highest. */
static value identity(pscan_op op, pscan_dtype acc)
{
    if (op == PSCAN_SUM || op == PSCAN_PROD)
        return signed_value(op == PSCAN_PROD);
    const int high = op == PSCAN_MIN;
    if (acc == PSCAN_BOOL)
        return signed_value(high);
    if (is_float(acc)) {
        value v = {K_COMPLEX, 0, 0, high ? INFINITY : -INFINITY, high ? INFINITY : -INFINITY};
        if (!is_complex(acc))
            v.kind = K_REAL, v.im = 0;
        return v;
    }
    const int bits = int_bits(acc);
    if (is_unsigned_int(acc)) {
        value v = {K_UNSIGNED, 0, high ? (bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1) : 0,
                   0, 0};
        return v;
    }
    const uint64_t top = UINT64_C(1) << (bits - 1);
    return signed_value(high ? (int64_t)(top - 1) : -(int64_t)(top - 1) - 1);
}

/* ---- one combine in the accumulator type, with numpy's rules ---- */

#define COMBINE_INT(T)                                          \
    do {                                                        \
        T x, y, z;                                              \
        memcpy(&x, a, sizeof x);                                \
        memcpy(&y, b, sizeof y);                                \
        z = op == PSCAN_SUM    ? (T)((uint64_t)x + (uint64_t)y) \
            : op == PSCAN_PROD ? (T)((uint64_t)x * (uint64_t)y) \
            : op == PSCAN_MAX  ? (x >= y ? x : y)               \
                               : (x <= y ? x : y);               \
        memcpy(r, &z, sizeof z);                                \
    } while (0)
/* float32/64 ties keep the later operand, NaN the earlier (README). */
#define COMBINE_REAL(T)                                        \
    do {                                                       \
        T x, y, z;                                             \
        memcpy(&x, a, sizeof x);                               \
        memcpy(&y, b, sizeof y);                               \
        z = op == PSCAN_SUM    ? x + y                         \
            : op == PSCAN_PROD ? x * y                         \
            : op == PSCAN_MAX  ? ((x > y || isnan(x)) ? x : y) \
                               : ((x < y || isnan(x)) ? x : y); \
        memcpy(r, &z, sizeof z);                               \
    } while (0)
/* Complex values order by real part, then imaginary; NaN anywhere wins;
 * ties keep the earlier operand (numpy's CGE/CLE). */
#define COMBINE_COMPLEX(T)                                                           \
    do {                                                                             \
        T x[2], y[2], z[2];                                                          \
        memcpy(x, a, sizeof x);                                                      \
        memcpy(y, b, sizeof y);                                                      \
        const int nan_x = isnan(x[0]) || isnan(x[1]);                                \
        const int no_nan_im = !isnan(x[1]) && !isnan(y[1]);                          \
        const int ge = (x[0] > y[0] && no_nan_im) || (x[0] == y[0] && x[1] >= y[1]); \
        const int le = (x[0] < y[0] && no_nan_im) || (x[0] == y[0] && x[1] <= y[1]); \
        if (op == PSCAN_SUM) {                                                       \
            z[0] = x[0] + y[0];                                                      \
            z[1] = x[1] + y[1];                                                      \
        } else if (op == PSCAN_PROD) {                                               \
            const T ac = x[0] * y[0], bd = x[1] * y[1];                              \
            const T ad = x[0] * y[1], bc = x[1] * y[0];                              \
            z[0] = ac - bd;                                                          \
            z[1] = ad + bc;                                                          \
        } else {                                                                     \
            const int keep_x = (op == PSCAN_MAX ? ge : le) || nan_x;                 \
            memcpy(z, keep_x ? x : y, sizeof z);                                     \
        }                                                                            \
        memcpy(r, z, sizeof z);                                                      \
    } while (0)

static void combine(pscan_op op, pscan_dtype acc, const unsigned char *a, const unsigned char *b,
                    unsigned char *r)
{
    switch (acc) {
    case PSCAN_BOOL:
        r[0] = op == PSCAN_SUM || op == PSCAN_MAX ? (a[0] | b[0]) : (a[0] & b[0]);
        break;
    case PSCAN_INT8:
        COMBINE_INT(int8_t);
        break;
    case PSCAN_INT16:
        COMBINE_INT(int16_t);
        break;
    case PSCAN_INT32:
        COMBINE_INT(int32_t);
        break;
    case PSCAN_INT64:
        COMBINE_INT(int64_t);
        break;
    case PSCAN_UINT8:
        COMBINE_INT(uint8_t);
        break;
    case PSCAN_UINT16:
        COMBINE_INT(uint16_t);
        break;
    case PSCAN_UINT32:
        COMBINE_INT(uint32_t);
        break;
    case PSCAN_UINT64:
        COMBINE_INT(uint64_t);
        break;
    case PSCAN_FLOAT32:
        COMBINE_REAL(float);
        break;
    case PSCAN_FLOAT64:
        COMBINE_REAL(double);
        break;
    case PSCAN_COMPLEX64:
        COMBINE_COMPLEX(float);
        break;
    case PSCAN_COMPLEX128:
        COMBINE_COMPLEX(double);
        break;
    default:
        abort(); /* float16 is never modelled */
    }
}

/* ---- layouts ---- */

typedef struct layout {
    pscan_dtype dtype;
    int ndim;
    int64_t shape[MAX_DIMS];
    int64_t strides[MAX_DIMS];
    int64_t count;  /* elements */
    int64_t lo, hi; /* bytes [lo, hi) relative to element 0, if count > 0 */
} layout;

static void finish_layout(layout *l)
{
    const int64_t size = (int64_t)pscan_dtype_size(l->dtype);
    l->count = 1;
    l->lo = 0;
    l->hi = size;
    for (int d = 0; d < l->ndim; d++) {
        l->count *= l->shape[d];
        if (l->shape[d] > 0) {
            const int64_t reach = (l->shape[d] - 1) * l->strides[d];
            if (reach < 0)
                l->lo += reach;
            else
                l->hi += reach;
        }
    }
}

/* Byte offset of element `flat` (C order) from element 0. */
static int64_t offset_of(const layout *l, int64_t flat)
{
    int64_t offset = 0;
    for (int d = l->ndim - 1; d >= 0; d--) {
        offset += flat % l->shape[d] * l->strides[d];
        flat /= l->shape[d];
    }
    return offset;
}

/* Strides of a given shape: C or Fortran order, some axes reversed,
 * padded, random multiples of the element size (zero included where
 * allowed), or random byte strides (unaligned elements). */
static void choose_strides(reader *r, layout *l, int zero_ok)
{
    const int64_t size = (int64_t)pscan_dtype_size(l->dtype);
    const unsigned mode = choose(r, 6);
    int64_t step = size * (mode == 3 ? 1 + choose(r, 3) : 1);
    if (mode == 1)
        for (int d = 0; d < l->ndim; d++) {
            l->strides[d] = step;
            step *= l->shape[d] > 0 ? l->shape[d] : 1;
        }
    else
        for (int d = l->ndim - 1; d >= 0; d--) {
            l->strides[d] = step;
            step *= l->shape[d] > 0 ? l->shape[d] : 1;
        }
    for (int d = 0; d < l->ndim; d++) {
        if (mode == 2 && choose(r, 2))
            l->strides[d] = -l->strides[d];
        if (mode == 4) {
            int64_t k = (int64_t)choose(r, 25) - 12;
            if (k == 0 && !zero_ok)
                k = 1;
            l->strides[d] = k * size;
        }
        if (mode == 5) {
            int64_t k = (int64_t)choose(r, 81) - 40;
            if (k == 0 && !zero_ok)
                k = 3;
            l->strides[d] = k;
        }
    }
    finish_layout(l);
}

/* ---- the problem ---- */

typedef struct problem {
    pscan_op op;
    pscan_dtype acc; /* resolved */
    pscan_dtype dtype_arg;
    int axis;
    pscan_opts opts;
    layout in, out;
    unsigned char *arena;
    size_t arena_bytes;
    int64_t in_at, out_at; /* element 0 of in and out, in the arena */
} problem;

static int flag(const problem *p, unsigned f)
{
    return (p->opts.flags & f) != 0;
}

static void fail(const problem *p, const char *what, long long detail)
{
    fprintf(
        stderr,
        "fuzz_scan: %s (%lld): op %d in %s acc %s out %s in.ndim %d axis %d order %d casting %d "
        "flags %#x threads %d in %lld elements, out %lld\n",
        what, detail, (int)p->op, pscan_dtype_name(p->in.dtype), pscan_dtype_name(p->acc),
        pscan_dtype_name(p->out.dtype), p->in.ndim, p->axis, (int)p->opts.order,
        (int)p->opts.casting, p->opts.flags, p->opts.threads, (long long)p->in.count,
        (long long)p->out.count);
    abort();
}

/* One input element drawn: small integers, special floats, any integer,
 * or raw bits, so sums stay exact sometimes and reach every edge others. */
static value draw_real(reader *r)
{
    static const double specials[] = {
        0.0,        -0.0,    1.0,    -1.0,     0.5,       -2.5,         3.0,    0.1,
        1.0 / 3,    1e10,    -1e10,  1e300,    -1e300,    1e-310,       1e-45,  3.4e38,
        16777217.0, 255.5,   256.0,  -129.0,   65536.0,   4294967296.0, 9.3e18, -9.3e18,
        0x1p63,     -0x1p63, 0x1p64, INFINITY, -INFINITY, NAN,          -NAN};
    const unsigned pick = take_byte(r);
    if (pick < 96)
        return signed_value((int64_t)(pick % 9) - 4);
    if (pick < 176)
        return real_value(specials[pick % (sizeof specials / sizeof specials[0])]);
    return signed_value((int64_t)next_random(r));
}

static void draw_element(reader *r, pscan_dtype t, unsigned char *p)
{
    const unsigned pick = take_byte(r);
    if (pick >= 224 || t == PSCAN_FLOAT16) { /* raw bits */
        for (size_t i = 0; i < pscan_dtype_size(t); i++)
            p[i] = (unsigned char)next_random(r);
        if (t == PSCAN_BOOL)
            p[0] &= 1; /* a bool is 0 or 1, as in numpy */
        return;
    }
    value v = draw_real(r);
    if (is_complex(t)) {
        const value im = draw_real(r);
        v.re = v.kind == K_REAL ? v.re : (double)v.s;
        v.im = im.kind == K_REAL ? im.re : (double)im.s;
        v.kind = K_COMPLEX;
    }
    store_value(t, v, p);
}

/* Whether two out elements share a byte (then PSCAN_EOUTALIAS). */
static int out_self_aliases(const problem *p)
{
    if (p->out.count < 2)
        return 0;
    unsigned char *used = calloc(p->arena_bytes, 1);
    const size_t size = pscan_dtype_size(p->out.dtype);
    int aliased = 0;
    for (int64_t e = 0; e < p->out.count && !aliased; e++) {
        const int64_t at = p->out_at + offset_of(&p->out, e);
        for (size_t i = 0; i < size; i++)
            aliased |= used[at + (int64_t)i]++;
    }
    free(used);
    return aliased;
}

/* The lanes: `lanes` of `n` input elements; element k of lane j is input
 * element in_index(j, k) (C order) and goes to out element
 * out_index(j, k) for k < n + extra. */
typedef struct lanes {
    int64_t count, n, extra;
    int axis;      /* -1: the flattened array */
    int64_t inner; /* product of the dimensions after the axis */
} lanes;

static int64_t in_index(const lanes *l, int64_t j, int64_t k)
{
    if (l->axis < 0)
        return k;
    return (j / l->inner * l->n + k) * l->inner + j % l->inner;
}

static int64_t out_index(const lanes *l, int64_t j, int64_t k)
{
    if (l->axis < 0)
        return k;
    return (j / l->inner * (l->n + l->extra) + k) * l->inner + j % l->inner;
}

/* Input element `index` as an accumulator value (skip-NaN first). */
static void load_acc(const problem *p, const unsigned char *orig, int64_t index, unsigned char *acc)
{
    value v = load_value(p->in.dtype, orig + p->in_at + offset_of(&p->in, index));
    if (flag(p, PSCAN_FLAG_SKIP_NAN) && (v.kind == K_REAL || v.kind == K_COMPLEX) &&
        (isnan(v.re) || isnan(v.im))) {
        const double fill = p->op == PSCAN_SUM    ? 0.0
                            : p->op == PSCAN_PROD ? 1.0
                            : p->op == PSCAN_MAX  ? -INFINITY
                                                  : INFINITY;
        /* MAX and MIN: -inf / +inf in both parts, so that a complex
         * accumulator shows its identity until the first number, even
         * from a real input (README "Semantics", SKIP_NAN) */
        v.kind = K_COMPLEX;
        v.re = fill;
        v.im = p->op == PSCAN_MAX || p->op == PSCAN_MIN ? fill : 0.0;
    }
    store_value(p->acc, v, acc);
}

/* Integer SUM and PROD under CHECK_OVERFLOW: whether a partial result of
 * the lane, in scan order, leaves the accumulator's range. */
static int lane_overflows(const problem *p, const unsigned char *orig, const lanes *l, int64_t j)
{
    if (!is_integer(p->acc) || (p->op != PSCAN_SUM && p->op != PSCAN_PROD))
        return 0;
    const int bits = int_bits(p->acc);
    const int64_t scanned = flag(p, PSCAN_FLAG_EXCLUSIVE) && l->n > 0 ? l->n - 1 : l->n;
    int64_t s = 0;
    uint64_t u = 0;
    for (int64_t step = 0; step < scanned; step++) {
        const int64_t k = flag(p, PSCAN_FLAG_REVERSE) ? l->n - 1 - step : step;
        unsigned char bytes[16];
        load_acc(p, orig, in_index(l, j, k), bytes);
        const value v = load_value(p->acc, bytes);
        if (is_signed_int(p->acc)) {
            int64_t next = v.s;
            if (step > 0 && (p->op == PSCAN_SUM ? __builtin_add_overflow(s, v.s, &next)
                                                : __builtin_mul_overflow(s, v.s, &next)))
                return 1;
            if (bits < 64 &&
                (next < -(INT64_C(1) << (bits - 1)) || next >= (INT64_C(1) << (bits - 1))))
                return 1;
            s = next;
        } else {
            uint64_t next = v.u;
            if (step > 0 && (p->op == PSCAN_SUM ? __builtin_add_overflow(u, v.u, &next)
                                                : __builtin_mul_overflow(u, v.u, &next)))
                return 1;
            if (bits < 64 && next >> bits)
                return 1;
            u = next;
        }
    }
    return 0;
}

/* The expected bytes of lane j's out elements, written into `expect`. */
static void reference_lane(const problem *p, const unsigned char *orig, unsigned char *expect,
                           const lanes *l, int64_t j)
{
    const size_t acc_size = pscan_dtype_size(p->acc), out_size = pscan_dtype_size(p->out.dtype);
    const int tiled = p->opts.order == PSCAN_ORDER_REPRODUCIBLE && is_float(p->acc) &&
                      (p->op == PSCAN_SUM || p->op == PSCAN_PROD);
    const int64_t total = l->n + l->extra;
    unsigned char *results = malloc((size_t)(total > 0 ? total : 1) * acc_size);
    unsigned char id[16], x[16], local[16], carry[16], shown[16];
    int have_carry = 0;
    store_value(p->acc, identity(p->op, p->acc), id);
    /* step counts in scan order; position k in the lane */
    for (int64_t step = 0; step < l->n; step++) {
        const int64_t k = flag(p, PSCAN_FLAG_REVERSE) ? l->n - 1 - step : step;
        load_acc(p, orig, in_index(l, j, k), x);
        const int tile_start = tiled ? step % TILE == 0 : step == 0;
        if (tile_start && step > 0) { /* the carry takes the last tile's total */
            if (have_carry)
                combine(p->op, p->acc, carry, local, carry);
            else
                memcpy(carry, local, acc_size);
            have_carry = 1;
        }
        if (tile_start)
            memcpy(local, x, acc_size);
        else
            combine(p->op, p->acc, local, x, local);
        if (have_carry)
            combine(p->op, p->acc, carry, local, shown);
        else
            memcpy(shown, local, acc_size);
        memcpy(results + step * acc_size, shown, acc_size);
    }
    /* results[step] is the inclusive scan; place it by the flags */
    for (int64_t slot = 0; slot < total; slot++) {
        const unsigned char *value_bytes;
        if (flag(p, PSCAN_FLAG_EXCLUSIVE) || flag(p, PSCAN_FLAG_INCLUDE_INITIAL))
            value_bytes = slot == 0 ? id : results + (slot - 1) * acc_size;
        else
            value_bytes = results + slot * acc_size;
        const int64_t k = flag(p, PSCAN_FLAG_REVERSE) ? total - 1 - slot : slot;
        const value v = load_value(p->acc, value_bytes);
        unsigned char converted[16];
        store_value(p->out.dtype, v, converted);
        memcpy(expect + p->out_at + offset_of(&p->out, out_index(l, j, k)), converted, out_size);
    }
    free(results);
}

/* Out elements that are NaN on both sides (any payload) count as equal. */
static void forgive_nan_payloads(const problem *p, const unsigned char *actual,
                                 unsigned char *expect)
{
    const pscan_dtype t = p->out.dtype;
    if (t != PSCAN_FLOAT32 && t != PSCAN_FLOAT64 && !is_complex(t))
        return;
    const size_t size = pscan_dtype_size(t), part = is_complex(t) ? size / 2 : size;
    for (int64_t e = 0; e < p->out.count; e++) {
        const int64_t at = p->out_at + offset_of(&p->out, e);
        for (size_t half = 0; half < size; half += part) {
            const value a =
                load_value(part == 4 ? PSCAN_FLOAT32 : PSCAN_FLOAT64, actual + at + half);
            const value b =
                load_value(part == 4 ? PSCAN_FLOAT32 : PSCAN_FLOAT64, expect + at + half);
            if (isnan(a.re) && isnan(b.re))
                memcpy(expect + at + half, actual + at + half, part);
        }
    }
}

static void check_bytes(const problem *p, const unsigned char *actual, const unsigned char *expect,
                        const char *what)
{
    for (size_t i = 0; i < p->arena_bytes; i++)
        if (actual[i] != expect[i])
            fail(p, what, (long long)i - (long long)p->out_at);
}

static int64_t pick_len(reader *r, int long_lanes)
{
    if (!long_lanes)
        return choose(r, 10);
    /* up to 40 tiles and a rest: tile edges, tile lanes, and past 2^17
     * elements two threads (a call takes one per 65536) */
    return (int64_t)choose(r, 41) * TILE + (choose(r, 2) ? (int64_t)choose(r, 256) * 17 : 0);
}

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t len)
{
    reader r = {bytes, len, 0, 0x9e3779b97f4a7c15u};
    for (size_t i = 0; i < len; i++)
        r.rng = (r.rng ^ bytes[i]) * 0x100000001b3u;
    r.rng |= 1;

    problem p;
    memset(&p, 0, sizeof p);
    pscan_opts opts = PSCAN_OPTS_INIT;
    p.opts = opts;
    p.op = (pscan_op)choose(&r, 4);
    /* floats twice as often: their orders are what the engine varies */
    const unsigned in_pick = choose(&r, 16);
    p.in.dtype = in_pick < 14    ? (pscan_dtype)(1 + in_pick)
                 : in_pick == 14 ? PSCAN_FLOAT32
                                 : PSCAN_FLOAT64;
    p.dtype_arg = choose(&r, 3) == 0 ? PSCAN_DTYPE_DEFAULT : (pscan_dtype)(1 + choose(&r, 14));
    p.acc = p.dtype_arg == PSCAN_DTYPE_DEFAULT ? default_acc(p.op, p.in.dtype) : p.dtype_arg;
    p.out.dtype = choose(&r, 2) ? p.acc : (pscan_dtype)(1 + choose(&r, 14));
    p.opts.order = (pscan_order)choose(&r, 2);
    p.opts.casting = choose(&r, 4) == 3 ? (pscan_casting)(1 + choose(&r, 2)) : PSCAN_CASTING_UNSAFE;
    p.opts.flags = choose(&r, 64) & (choose(&r, 2) ? 0x3fu : 0u);
    p.opts.threads = 1 + (int)choose(&r, 4);

    /* in: 0..4 dimensions of 0..9, or long lanes (up to 40 tiles) */
    const int long_lanes = choose(&r, 64) == 63;
    p.in.ndim = long_lanes ? 1 + (int)choose(&r, 2) : (int)choose(&r, MAX_DIMS + 1);
    const int long_dim = long_lanes ? (int)choose(&r, (unsigned)p.in.ndim) : -1;
    for (int d = 0; d < p.in.ndim; d++)
        p.in.shape[d] = d == long_dim ? pick_len(&r, 1)
                        : long_lanes  ? 1 + choose(&r, 3)
                                      : pick_len(&r, 0);
    const int in_null_strides = choose(&r, 4) == 0;
    if (in_null_strides) {
        int64_t step = (int64_t)pscan_dtype_size(p.in.dtype);
        for (int d = p.in.ndim - 1; d >= 0; d--) {
            p.in.strides[d] = step;
            step *= p.in.shape[d] > 0 ? p.in.shape[d] : 1;
        }
        finish_layout(&p.in);
    } else {
        choose_strides(&r, &p.in, 1);
    }

    /* axis: none, each valid one (negative too), or out of range */
    const int eff_ndim = p.in.ndim > 0 ? p.in.ndim : 1;
    const unsigned axis_pick = choose(&r, 16);
    int axis_ok = 1;
    if (axis_pick < 4) {
        p.axis = PSCAN_AXIS_NONE;
    } else if (axis_pick < 15) {
        p.axis = (int)choose(&r, (unsigned)(2 * eff_ndim)) - eff_ndim;
    } else {
        p.axis = choose(&r, 2) ? eff_ndim : -eff_ndim - 1;
        axis_ok = 0;
    }
    const int flatten = p.axis == PSCAN_AXIS_NONE;
    const int resolved = flatten ? -1 : p.axis < 0 ? p.axis + eff_ndim : p.axis;
    const int64_t extra = flag(&p, PSCAN_FLAG_INCLUDE_INITIAL) ? 1 : 0;

    /* out: the result's shape, or (rarely) a wrong one */
    if (flatten || p.in.ndim == 0) {
        p.out.ndim = 1;
        p.out.shape[0] = p.in.count + extra;
    } else {
        p.out.ndim = p.in.ndim;
        memcpy(p.out.shape, p.in.shape, sizeof p.out.shape);
        if (axis_ok)
            p.out.shape[resolved] += extra;
    }
    int shape_ok = 1;
    if (choose(&r, 32) == 31) {
        const unsigned how = choose(&r, 3);
        if (how == 0 && p.out.ndim < MAX_DIMS)
            p.out.shape[p.out.ndim++] = 1;
        else if (how == 1)
            p.out.ndim = 0;
        else
            p.out.shape[choose(&r, (unsigned)p.out.ndim)] += 1;
        shape_ok = 0;
    }
    /* in place: out is in itself when the layouts can be the same */
    const unsigned placement = choose(&r, 4); /* 0 apart, 1 overlapping, 2 in place */
    const int in_place = placement == 2 && p.out.dtype == p.in.dtype && shape_ok &&
                         p.out.ndim == p.in.ndim && p.in.ndim > 0 &&
                         !memcmp(p.out.shape, p.in.shape, sizeof p.in.shape);
    if (in_place) {
        memcpy(p.out.strides, p.in.strides, sizeof p.in.strides);
        finish_layout(&p.out);
    } else {
        choose_strides(&r, &p.out, choose(&r, 8) == 0);
    }

    /* the arena: in and out with GUARD bytes around both */
    int64_t delta; /* out's element 0 minus in's */
    if (in_place) {
        delta = 0;
    } else if (placement == 1 && p.in.count > 0 && p.out.count > 0) {
        const int64_t first = p.in.lo - p.out.hi + 1, last = p.in.hi - p.out.lo - 1;
        const uint64_t span = (uint64_t)(last - first + 1);
        delta = first + (int64_t)((choose(&r, 256) * 256 + choose(&r, 256)) % span);
        if (choose(&r, 2))
            delta -= delta % (int64_t)pscan_dtype_size(p.out.dtype);
    } else {
        delta = p.in.hi - p.out.lo + (int64_t)choose(&r, 3) * 8;
    }
    const int64_t lo = (p.in.lo < delta + p.out.lo ? p.in.lo : delta + p.out.lo) - GUARD;
    const int64_t hi = (p.in.hi > delta + p.out.hi ? p.in.hi : delta + p.out.hi) + GUARD;
    p.arena_bytes = (size_t)(hi - lo);
    p.in_at = -lo;
    p.out_at = -lo + delta;
    unsigned char *arena = malloc(p.arena_bytes);
    unsigned char *orig = malloc(p.arena_bytes), *expect = malloc(p.arena_bytes);
    for (size_t i = 0; i < p.arena_bytes; i += 8) {
        const uint64_t noise = next_random(&r);
        memcpy(arena + i, &noise, p.arena_bytes - i < 8 ? p.arena_bytes - i : 8);
    }
    for (int64_t e = 0; e < p.in.count; e++)
        draw_element(&r, p.in.dtype, arena + p.in_at + offset_of(&p.in, e));
    memcpy(orig, arena, p.arena_bytes);
    memcpy(expect, arena, p.arena_bytes);

    pscan_array in = {arena + p.in_at, p.in.dtype, p.in.ndim, p.in.shape,
                      in_null_strides ? NULL : p.in.strides};
    pscan_array out = {arena + p.out_at, p.out.dtype, p.out.ndim, p.out.shape, p.out.strides};
    const pscan_status status = pscan_scan(p.op, &in, p.axis, p.dtype_arg, &out, &p.opts);

    /* the status, in the order of the checks */
    lanes l = {1, p.in.count, extra, -1, 1};
    if (!flatten && p.in.ndim > 0 && axis_ok) {
        l.axis = resolved;
        l.n = p.in.shape[resolved];
        for (int d = 0; d < p.in.ndim; d++) /* empty lanes still get an initial */
            l.count *= d == resolved ? 1 : p.in.shape[d];
        for (int d = resolved + 1; d < p.in.ndim; d++)
            l.inner *= p.in.shape[d];
    }
    pscan_status expected = PSCAN_OK;
    if (flag(&p, PSCAN_FLAG_EXCLUSIVE) && flag(&p, PSCAN_FLAG_INCLUDE_INITIAL))
        expected = PSCAN_EOPTS;
    else if (!axis_ok)
        expected = PSCAN_EAXIS;
    else if (!shape_ok)
        expected = PSCAN_EOUTSHAPE;
    const int cast_may_refuse = p.opts.casting != PSCAN_CASTING_UNSAFE && expected == PSCAN_OK;
    if (cast_may_refuse && status == PSCAN_ECAST)
        expected = PSCAN_ECAST;
    if (expected == PSCAN_OK && out_self_aliases(&p))
        expected = PSCAN_EOUTALIAS;
    if (expected == PSCAN_OK && flag(&p, PSCAN_FLAG_CHECK_OVERFLOW))
        for (int64_t j = 0; j < l.count && expected == PSCAN_OK; j++)
            if (lane_overflows(&p, orig, &l, j))
                expected = PSCAN_EOVERFLOW;
    if (status != expected)
        fail(&p, "status", status * 100 + expected);

    if (status == PSCAN_OK) {
        const int modelled =
            p.acc != PSCAN_FLOAT16 && p.out.dtype != PSCAN_FLOAT16 &&
            !(flag(&p, PSCAN_FLAG_COMPENSATED) && p.op == PSCAN_SUM && is_float(p.acc));
        if (modelled) {
            for (int64_t j = 0; j < l.count; j++)
                reference_lane(&p, orig, expect, &l, j);
            forgive_nan_payloads(&p, arena, expect);
        } else { /* out's bytes are not predicted; every other byte is */
            const size_t size = pscan_dtype_size(p.out.dtype);
            for (int64_t e = 0; e < p.out.count; e++) {
                const int64_t at = p.out_at + offset_of(&p.out, e);
                memcpy(expect + at, arena + at, size);
            }
        }
    }
    check_bytes(&p, arena, expect, status == PSCAN_OK ? "result" : "changed on error");
    free(arena);
    free(orig);
    free(expect);
    return 0;
}
