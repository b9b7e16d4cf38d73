/* segmented_kernels.c - the steps of segmented scans (segmented.h): one
 * generic body per step over values.h's kvalue and kcombine, folded by the
 * compiler into each (op, type) of the lists below. A new op of values.h
 * is one line of SEG_OPS. Compiled once: the steps are scalar chains (a
 * start resets the chain, which no vector tree of kernels/ expresses), and
 * a chain runs at the same speed on every ISA. */
#include "values.h"

#include "../segmented.h"

/* The ops segmented scans take; each row is every kernel type. */
// clang-format off
#define SEG_OPS(X) X(SUM) X(PROD) X(MAX) X(MIN)
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

/* The loop after the prefix: each value either starts a segment or
 * continues the previous inclusive result. `exclusive` is a constant at
 * each call, so each (op, type) gets both loops without a test per value. */
FORCE_INLINE kvalue scan_run(pscan_op op, ktype t, int exclusive, const char *src,
                             ptrdiff_t src_stride, char *dst, ptrdiff_t dst_stride,
                             const uint8_t *start, size_t i, size_t n, kvalue prev, kvalue identity)
{
    for (; i < n; i++) {
        const kvalue v = at(t, src, src_stride, i);
        const kvalue continued = kcombine(op, t, prev, v);
        const kvalue y = start[i] ? v : continued;
        if (exclusive)
            kto_bytes(t, dst + (ptrdiff_t)i * dst_stride, start[i] ? identity : prev);
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
    }
    if (exclusive)
        prev = scan_run(op, t, 1, src, src_stride, dst, dst_stride, start, i, n, prev, identity);
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
static const pscan_seg_steps seg_table[PSCAN_OP_COUNT][PSCAN_SEG_KT_COUNT] = {SEG_OPS(SEG_OP_ROW)};

const pscan_seg_steps *pscan_seg_steps_get(pscan_op op, int kt)
{
    if ((int)op < 0 || op >= PSCAN_OP_COUNT || kt < 0 || kt >= PSCAN_SEG_KT_COUNT ||
        !seg_table[op][kt].scan)
        return NULL;
    return &seg_table[op][kt];
}
