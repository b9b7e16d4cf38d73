/* segmented_kernels.c - the steps of segmented scans (segmented.h): one
 * generic body per step over values.h's kvalue and kcombine, folded by the
 * compiler into each (op, type) of the lists below. A new op of values.h
 * is one line of SEG_OPS. Compiled once: the steps are scalar chains (a
 * start resets the chain, which no vector tree of kernels/ expresses), the
 * definition every ISA's in-register step (seg_vectors.c, order-free
 * integer ops only) must match bit for bit, and its fallback. */
#include "values.h"

#include "../segmented.h"

/* The ops segmented scans take; each row is every kernel type. */
// clang-format off
#define SEG_OPS(X) \
    X(SUM) X(PROD) X(MAX) X(MIN) X(LOGADDEXP) X(BIT_AND) X(BIT_OR) X(BIT_XOR) \
    X(LOGADDEXP_LIBM)
#define SEG_TYPES_WITH(X, op) \
    X(op, bool) X(op, i8) X(op, i16) X(op, i32) X(op, i64) X(op, u8) X(op, u16) X(op, u32) \
    X(op, u64) X(op, f16) X(op, f32) X(op, f64) X(op, c64) X(op, c128) X(op, dd) X(op, cdd)
// clang-format on

_Static_assert(KT_dd == (int)PSCAN_SEG_KT_PAIR && KT_cdd == (int)PSCAN_SEG_KT_COMPLEX_PAIR,
               "segmented.h numbers the kernel types as values.h does");

FORCE_INLINE kvalue at(ktype t, const char *base, ptrdiff_t stride, size_t i)
{
    return kfrom_bytes(t, base + (ptrdiff_t)i * stride);
}

/* c ? a : b on the bits of t's field, with masks: a start that falls at
 * random would mispredict a branch every few values (the select of a
 * whole kvalue compiles to one), which cost 3x on short segments. */
FORCE_INLINE uint64_t bits_select(uint64_t mask, uint64_t a, uint64_t b)
{
    return (a & mask) | (b & ~mask);
}
#define SELECT_PART(part, bits_type)            \
    {                                           \
        bits_type x, y, z;                      \
        memcpy(&x, &a.part, sizeof x);          \
        memcpy(&y, &b.part, sizeof y);          \
        z = (bits_type)bits_select(mask, x, y); \
        memcpy(&r.part, &z, sizeof z);          \
    }
FORCE_INLINE kvalue kselect(ktype t, int c, kvalue a, kvalue b)
{
    const uint64_t mask = -(uint64_t)(c != 0);
    kvalue r;
    switch (t) {
    case KT_bool:
        SELECT_PART(b, uint8_t)
        break;
    case KT_i8:
        SELECT_PART(i8, uint8_t)
        break;
    case KT_i16:
        SELECT_PART(i16, uint16_t)
        break;
    case KT_i32:
        SELECT_PART(i32, uint32_t)
        break;
    case KT_i64:
        SELECT_PART(i64, uint64_t)
        break;
    case KT_u8:
        SELECT_PART(u8, uint8_t)
        break;
    case KT_u16:
        SELECT_PART(u16, uint16_t)
        break;
    case KT_u32:
        SELECT_PART(u32, uint32_t)
        break;
    case KT_u64:
        SELECT_PART(u64, uint64_t)
        break;
    case KT_f16:
        SELECT_PART(f16, uint16_t)
        break;
    case KT_f32:
        SELECT_PART(f32, uint32_t)
        break;
    case KT_f64:
        SELECT_PART(f64, uint64_t)
        break;
    case KT_c64:
        SELECT_PART(c64.re, uint32_t)
        SELECT_PART(c64.im, uint32_t)
        break;
    case KT_c128:
        SELECT_PART(c128.re, uint64_t)
        SELECT_PART(c128.im, uint64_t)
        break;
    case KT_dd:
        SELECT_PART(dd.hi, uint64_t)
        SELECT_PART(dd.lo, uint64_t)
        break;
    case KT_cdd:
        SELECT_PART(cdd.re.hi, uint64_t)
        SELECT_PART(cdd.re.lo, uint64_t)
        SELECT_PART(cdd.im.hi, uint64_t)
        SELECT_PART(cdd.im.lo, uint64_t)
        break;
    }
    return r;
}
#undef SELECT_PART

/* op's identity for the integer types, as a constant the compiler folds
 * into the select (SUM's 0 makes it one `and`). */
FORCE_INLINE kvalue int_identity(pscan_op op, ktype t)
{
    const int is_max = op == PSCAN_MAX, is_min = op == PSCAN_MIN, one = op == PSCAN_PROD;
    kvalue v;
    switch (t) {
    case KT_i8:
        v.i8 = (int8_t)(is_max ? INT8_MIN : is_min ? INT8_MAX : one);
        return v;
    case KT_i16:
        v.i16 = (int16_t)(is_max ? INT16_MIN : is_min ? INT16_MAX : one);
        return v;
    case KT_u8:
        v.u8 = (uint8_t)(is_max ? 0 : is_min ? UINT8_MAX : one);
        return v;
    case KT_u16:
        v.u16 = (uint16_t)(is_max ? 0 : is_min ? UINT16_MAX : one);
        return v;
    default: /* the 32- and 64-bit integers */
        return kidentity(op, t);
    }
}

/* The loop after the prefix: each value either starts a segment or
 * continues the previous inclusive result. `exclusive` is a constant at
 * each call, so each (op, type) gets both loops without a test per value. */
FORCE_INLINE kvalue scan_run(pscan_op op, ktype t, int exclusive, const char *src,
                             ptrdiff_t src_stride, char *dst, ptrdiff_t dst_stride,
                             const uint8_t *start, size_t i, size_t n, kvalue prev, kvalue identity)
{
    if (t >= KT_i8 && t <= KT_u64) {
        /* Integers regroup freely: the second of each pair of values is
         * computed from the first one's input, which halves the chain,
         * y[i+1] = (s[i] or s[i+1] ? identity : prev) op w, w the pair's
         * own scan. */
        const kvalue id = int_identity(op, t);
        for (; i + 1 < n; i += 2) {
            __builtin_prefetch(
                (const void *)((uintptr_t)src + (uintptr_t)((ptrdiff_t)(i + 256) * src_stride)));
            const kvalue v0 = at(t, src, src_stride, i), v1 = at(t, src, src_stride, i + 1);
            const int s0 = start[i] != 0, s1 = start[i + 1] != 0;
            const kvalue w = kselect(t, s1, v1, kcombine(op, t, v0, v1));
            const kvalue y0 = kcombine(op, t, kselect(t, s0, id, prev), v0);
            const kvalue y1 = kcombine(op, t, kselect(t, s0 | s1, id, prev), w);
            if (exclusive) {
                kto_bytes(t, dst + (ptrdiff_t)i * dst_stride, kselect(t, s0, identity, prev));
                kto_bytes(t, dst + (ptrdiff_t)(i + 1) * dst_stride, kselect(t, s1, identity, y0));
            } else {
                kto_bytes(t, dst + (ptrdiff_t)i * dst_stride, y0);
                kto_bytes(t, dst + (ptrdiff_t)(i + 1) * dst_stride, y1);
            }
            prev = y1;
        }
    }
    for (; i < n; i++) {
        /* A chain takes one value a step: too slow a reader for the
         * hardware prefetcher to run far enough ahead of it. */
        __builtin_prefetch(
            (const void *)((uintptr_t)src + (uintptr_t)((ptrdiff_t)(i + 256) * src_stride)));
        const kvalue v = at(t, src, src_stride, i);
        kvalue y;
        if (t >= KT_i8 && t <= KT_u64) /* identity op v is v: one op less on the chain */
            y = kcombine(op, t, kselect(t, start[i], int_identity(op, t), prev), v);
        else
            y = kselect(t, start[i], v, kcombine(op, t, prev, v));
        if (exclusive)
            kto_bytes(t, dst + (ptrdiff_t)i * dst_stride, kselect(t, start[i], identity, prev));
        else
            kto_bytes(t, dst + (ptrdiff_t)i * dst_stride, y);
        prev = y;
    }
    return prev;
}

FORCE_INLINE void scan_body(pscan_op op, ktype t, const char *src, ptrdiff_t src_stride, char *dst,
                            ptrdiff_t dst_stride, const uint8_t *start, size_t n, const void *carry,
                            int tiled, int exclusive, const void *identity_bytes, void *last)
{
    const kvalue identity = kfrom_bytes(t, identity_bytes);
    kvalue prev = kzero(t); /* the previous inclusive result */
    size_t i = 0;
    if (carry) {
        /* The values before the first start continue the carry's segment. */
        const kvalue p = kfrom_bytes(t, carry);
        kvalue local = kzero(t);
        prev = p;
        for (; i < n && !start[i]; i++) {
            const kvalue v = at(t, src, src_stride, i);
            kvalue y;
            if (tiled) {
                local = i == 0 ? v : kcombine(op, t, local, v);
                y = kcombine(op, t, p, local);
            } else {
                y = kcombine(op, t, prev, v);
            }
            kto_bytes(t, dst + (ptrdiff_t)i * dst_stride, exclusive ? prev : y);
            prev = y;
        }
    } else if (n > 0) { /* a lane's first value starts a segment, whatever start[0] says */
        prev = at(t, src, src_stride, 0);
        kto_bytes(t, dst, exclusive ? identity : prev);
        i = 1;
    }
    /* Contiguous tiles get constant strides: plain indexed loads and stores. */
    const ptrdiff_t size = (ptrdiff_t)ksize(t);
    const int packed = src_stride == size && dst_stride == size;
    if (exclusive && packed)
        prev = scan_run(op, t, 1, src, size, dst, size, start, i, n, prev, identity);
    else if (exclusive)
        prev = scan_run(op, t, 1, src, src_stride, dst, dst_stride, start, i, n, prev, identity);
    else if (packed)
        prev = scan_run(op, t, 0, src, size, dst, size, start, i, n, prev, identity);
    else
        prev = scan_run(op, t, 0, src, src_stride, dst, dst_stride, start, i, n, prev, identity);
    kto_bytes(t, last, prev);
}

FORCE_INLINE void fold_body(pscan_op op, ktype t, const char *src, ptrdiff_t src_stride, size_t n,
                            void *state, int has_state)
{
    kvalue acc = has_state ? kfrom_bytes(t, state) : at(t, src, src_stride, 0);
    for (size_t i = has_state ? 0 : 1; i < n; i++)
        acc = kcombine(op, t, acc, at(t, src, src_stride, i));
    kto_bytes(t, state, acc);
}

FORCE_INLINE void combine_body(pscan_op op, ktype t, const void *first, const void *second,
                               void *result)
{
    kto_bytes(t, result, kcombine(op, t, kfrom_bytes(t, first), kfrom_bytes(t, second)));
}

/* a op b exactly, *over set when it leaves t's range: integer SUM and
 * PROD only (every other step is kcombine and cannot overflow). Narrow
 * types compute in 64 bits, where their sums and products fit. */
#define NARROW_CHECKED(field, wide, outside)                                                 \
    {                                                                                        \
        const wide exact =                                                                   \
            op == PSCAN_SUM ? (wide)a.field + (wide)b.field : (wide)a.field * (wide)b.field; \
        *over |= outside;                                                                    \
        r.field = (__typeof__(r.field))exact;                                                \
        return r;                                                                            \
    }
FORCE_INLINE kvalue kchecked(pscan_op op, ktype t, kvalue a, kvalue b, int *over)
{
    kvalue r;
    if (op != PSCAN_SUM && op != PSCAN_PROD)
        return kcombine(op, t, a, b);
    switch (t) {
    case KT_i8:
        NARROW_CHECKED(i8, int64_t, exact < INT8_MIN || exact > INT8_MAX)
    case KT_i16:
        NARROW_CHECKED(i16, int64_t, exact < INT16_MIN || exact > INT16_MAX)
    case KT_i32:
        NARROW_CHECKED(i32, int64_t, exact < INT32_MIN || exact > INT32_MAX)
    case KT_u8:
        NARROW_CHECKED(u8, uint64_t, exact > UINT8_MAX)
    case KT_u16:
        NARROW_CHECKED(u16, uint64_t, exact > UINT16_MAX)
    case KT_u32:
        NARROW_CHECKED(u32, uint64_t, exact > UINT32_MAX)
    case KT_i64:
        *over |= op == PSCAN_SUM ? __builtin_add_overflow(a.i64, b.i64, &r.i64)
                                 : __builtin_mul_overflow(a.i64, b.i64, &r.i64);
        return r;
    case KT_u64:
        *over |= op == PSCAN_SUM ? __builtin_add_overflow(a.u64, b.u64, &r.u64)
                                 : __builtin_mul_overflow(a.u64, b.u64, &r.u64);
        return r;
    default:
        return kcombine(op, t, a, b);
    }
}
#undef NARROW_CHECKED

FORCE_INLINE int overflows_body(pscan_op op, ktype t, const char *src, ptrdiff_t src_stride,
                                const uint8_t *start, size_t n, int exclusive, void *state,
                                int *has_state, int *pending)
{
    kvalue acc = *has_state ? kfrom_bytes(t, state) : kzero(t);
    int has = *has_state, late = *pending;
    for (size_t i = 0; i < n; i++) {
        if (late && !start[i]) /* the overflowed partial is this output */
            return 1;
        late = 0;
        const kvalue v = at(t, src, src_stride, i);
        if (start[i] || !has) {
            acc = v;
            has = 1;
            continue;
        }
        int over = 0;
        acc = kchecked(op, t, acc, v, &over);
        if (over) {
            if (!exclusive)
                return 1;
            late = 1;
        }
    }
    kto_bytes(t, state, acc);
    *has_state = has;
    *pending = late;
    return 0;
}

#define SEG_WRAPPERS(op, tag)                                                                      \
    static void scan_##op##_##tag(const char *src, ptrdiff_t src_stride, char *dst,                \
                                  ptrdiff_t dst_stride, const uint8_t *start, size_t n,            \
                                  const void *carry, int tiled, int exclusive,                     \
                                  const void *identity, void *last)                                \
    {                                                                                              \
        scan_body(PSCAN_##op, KT_##tag, src, src_stride, dst, dst_stride, start, n, carry, tiled,  \
                  exclusive, identity, last);                                                      \
    }                                                                                              \
    static void fold_##op##_##tag(const char *src, ptrdiff_t src_stride, size_t n, void *state,    \
                                  int has_state)                                                   \
    {                                                                                              \
        fold_body(PSCAN_##op, KT_##tag, src, src_stride, n, state, has_state);                     \
    }                                                                                              \
    static void combine_##op##_##tag(const void *first, const void *second, void *result)          \
    {                                                                                              \
        combine_body(PSCAN_##op, KT_##tag, first, second, result);                                 \
    }                                                                                              \
    static int overflows_##op##_##tag(const char *src, ptrdiff_t src_stride, const uint8_t *start, \
                                      size_t n, int exclusive, void *state, int *has_state,        \
                                      int *pending)                                                \
    {                                                                                              \
        return overflows_body(PSCAN_##op, KT_##tag, src, src_stride, start, n, exclusive, state,   \
                              has_state, pending);                                                 \
    }
#define SEG_OP_WRAPPERS(op) SEG_TYPES_WITH(SEG_WRAPPERS, op)
SEG_OPS(SEG_OP_WRAPPERS)

#define SEG_ROW(op, tag)                                                      \
    [KT_##tag] = {scan_##op##_##tag, fold_##op##_##tag, combine_##op##_##tag, \
                  overflows_##op##_##tag},
#define SEG_OP_ROW(op) [PSCAN_##op] = {SEG_TYPES_WITH(SEG_ROW, op)},
static const pscan_seg_steps seg_table[PSCAN_KERNEL_OP_COUNT][PSCAN_SEG_KT_COUNT] = {
    SEG_OPS(SEG_OP_ROW)};

const pscan_seg_steps *pscan_seg_steps_get(pscan_op op, int kt)
{
    if ((int)op < 0 || (int)op >= PSCAN_KERNEL_OP_COUNT || kt < 0 || kt >= PSCAN_SEG_KT_COUNT ||
        !seg_table[op][kt].scan)
        return NULL;
    return &seg_table[op][kt];
}
