/* sat_kernels.c - the summed-area table's fused row steps: one generic
 * force-inlined body per step, instantiated for each (input, accumulator)
 * pair of SAT_PAIRS and compiled once per instruction set (CMake adds this
 * file to every kernel variant). The conversion sits inside the vector
 * load, where staging it through a buffer cost a pass over a row. */
#include "sat_kernels.h"

#include "lanes.h"
#include "trees.h"

/* (input tag, accumulator tag) with every step: integer inputs into
 * 64-bit integer sums, and into float64 sums where the engine has shown
 * them exact. Unsigned accumulators take unsigned inputs only, whose
 * conversion is the value itself. SAT_LOADS: float sums, whose order
 * matters: the load and the ordered path's column step. */
// clang-format off
#define SAT_PAIRS(X) \
    X(bool, i64) X(i8, i64) X(i16, i64) X(i32, i64) X(i64, i64) \
    X(u8, i64) X(u16, i64) X(u32, i64) \
    X(bool, u64) X(u8, u64) X(u16, u64) X(u32, u64) X(u64, u64) \
    X(bool, f64) X(i8, f64) X(i16, f64) X(i32, f64) \
    X(u8, f64) X(u16, f64) X(u32, f64)
#define SAT_LOADS(X) X(f32, f64) X(f64, f64) X(f32, f32)
// clang-format on

/* One input value as the accumulator type, as convert.c converts it. */
FORCE_INLINE kvalue sat_widen(ktype in, ktype acc, kvalue v)
{
    if (in == acc) /* float64 and float32 sums of their own type */
        return v;
    int64_t s = 0;
    uint64_t u = 0;
    int is_signed = 1;
    switch (in) {
    case KT_bool:
        s = v.b != 0;
        break;
    case KT_i8:
        s = v.i8;
        break;
    case KT_i16:
        s = v.i16;
        break;
    case KT_i32:
        s = v.i32;
        break;
    case KT_i64:
        s = v.i64;
        break;
    case KT_u8:
        s = v.u8;
        break;
    case KT_u16:
        s = v.u16;
        break;
    case KT_u32:
        s = v.u32;
        break;
    case KT_u64:
        u = v.u64;
        is_signed = 0;
        break;
    default: /* f32, into float64 only */
        break;
    }
    kvalue r;
    if (acc == KT_f64)
        r.f64 = in == KT_f32 ? (double)v.f32 : (double)s;
    else if (acc == KT_u64)
        r.u64 = is_signed ? (uint64_t)s : u;
    else
        r.i64 = s;
    return r;
}

/* A vector of acc lanes from the next lanes input values. */
FORCE_INLINE vbits sat_load(ktype in, ktype acc, const char *src)
{
    unsigned char bytes[sizeof(vbits)];
    _Pragma("GCC unroll 16") for (int lane = 0; lane < vlanes(acc); lane++)
        kstore(acc, bytes, (size_t)lane, sat_widen(in, acc, kload(in, src, (size_t)lane)));
    vbits x;
    memcpy(&x, bytes, sizeof x);
    return x;
}

FORCE_INLINE void load_body(ktype in, ktype acc, const void *src, void *dst, size_t n)
{
    const size_t lanes = (size_t)vlanes(acc), in_size = ksize(in), size = ksize(acc);
    size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const vbits x = sat_load(in, acc, (const char *)src + i * in_size);
        memcpy((char *)dst + i * size, &x, sizeof x);
    }
    for (; i < n; i++)
        kstore(acc, dst, i, sat_widen(in, acc, kload(in, src, i)));
}

FORCE_INLINE void add_body(ktype in, ktype acc, const void *src, void *column, size_t n, int first)
{
    const size_t lanes = (size_t)vlanes(acc), in_size = ksize(in), size = ksize(acc);
    if (first) {
        load_body(in, acc, src, column, n);
        return;
    }
    size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        vbits c;
        memcpy(&c, (char *)column + i * size, sizeof c);
        c = vcombine(PSCAN_SUM, acc, c, sat_load(in, acc, (const char *)src + i * in_size));
        memcpy((char *)column + i * size, &c, sizeof c);
    }
    for (; i < n; i++)
        kstore(
            acc, column, i,
            kcombine(PSCAN_SUM, acc, kload(acc, column, i), sat_widen(in, acc, kload(in, src, i))));
}

/* Elements [from, to) one at a time after *running. */
FORCE_INLINE void row_scalar(ktype in, ktype acc, const void *src, void *column, void *out,
                             size_t from, size_t to, int first, kvalue *running)
{
    for (size_t i = from; i < to; i++) {
        kvalue x = sat_widen(in, acc, kload(in, src, i));
        if (!first)
            x = kcombine(PSCAN_SUM, acc, kload(acc, column, i), x);
        kstore(acc, column, i, x);
        *running = kcombine(PSCAN_SUM, acc, *running, x);
        kstore(acc, out, i, *running);
    }
}

/* Where streaming stores to out can start: its first vector-aligned
 * element (at most n). Where out cannot be streamed, *stream is cleared
 * and the caller's `otherwise` comes back. */
FORCE_INLINE size_t stream_head(const void *out, size_t size, size_t n, int *stream,
                                size_t otherwise)
{
    if (!*stream || !HAVE_VEC_STREAM || (uintptr_t)out % size != 0) {
        *stream = 0;
        return otherwise;
    }
    const uintptr_t misalign = (uintptr_t)out % sizeof(vbits);
    const size_t head = misalign ? (sizeof(vbits) - misalign) / size : 0;
    return head > n ? n : head;
}

/* The column step, then the row's tree scan (trees.h's steps) on the
 * vector still in registers. Streaming starts at out's first
 * vector-aligned element. */
FORCE_INLINE void row_body(ktype in, ktype acc, const void *src, void *column, void *out, size_t n,
                           int first, int stream)
{
    const size_t lanes = (size_t)vlanes(acc), in_size = ksize(in), size = ksize(acc);
    const vbits identity = vbroadcast(acc, kidentity(PSCAN_SUM, acc));
    kvalue running = kidentity(PSCAN_SUM, acc);
    const size_t head = stream_head(out, size, n, &stream, 0);
    row_scalar(in, acc, src, column, out, 0, head, first, &running);
    vbits carry = vbroadcast(acc, running);
    size_t i = head;
    for (; i + lanes <= n; i += lanes) {
        vbits x = sat_load(in, acc, (const char *)src + i * in_size);
        if (!first) {
            vbits c;
            memcpy(&c, (char *)column + i * size, sizeof c);
            x = vcombine(PSCAN_SUM, acc, c, x);
        }
        memcpy((char *)column + i * size, &x, sizeof x);
        _Pragma("GCC unroll 4") for (int s = 1; s < vlanes(acc); s *= 2) x =
            vcombine(PSCAN_SUM, acc, vshift(acc, identity, x, s), x);
        const vbits sums = vcombine(PSCAN_SUM, acc, carry, x);
        if (stream)
            vstream((char *)out + i * size, sums);
        else
            memcpy((char *)out + i * size, &sums, sizeof sums);
        carry = vcombine(PSCAN_SUM, acc, carry, vlast(acc, x));
    }
    running = vlane(acc, carry, 0);
    row_scalar(in, acc, src, column, out, i, n, first, &running);
}

/* The column step of one value x at column i: local[i] op= x (local[i]
 * = x on the first row), then out[i] = (prefix[i] +) local[i]. */
FORCE_INLINE void column_put(ktype acc, void *out, size_t i, kvalue x, void *local,
                             const void *prefix, int first)
{
    if (!first)
        x = kcombine(PSCAN_SUM, acc, kload(acc, local, i), x);
    kstore(acc, local, i, x);
    if (prefix)
        x = kcombine(PSCAN_SUM, acc, kload(acc, prefix, i), x);
    kstore(acc, out, i, x);
}

/* The ordered path's column step: each element combined exactly as the
 * plain kernels' combine (local + values, then prefix + local). */
FORCE_INLINE void column_body(ktype acc, const void *values, void *local, const void *prefix,
                              void *out, size_t n, int first, int stream)
{
    const size_t lanes = (size_t)vlanes(acc), size = ksize(acc);
    size_t head = stream_head(out, size, n, &stream, 0);
    size_t i = 0;
    for (;;) {
        for (; i < head; i++)
            column_put(acc, out, i, kload(acc, values, i), local, prefix, first);
        if (head == n)
            break;
        for (; i + lanes <= n; i += lanes) {
            vbits x;
            memcpy(&x, (const char *)values + i * size, sizeof x);
            if (!first) {
                vbits c;
                memcpy(&c, (char *)local + i * size, sizeof c);
                x = vcombine(PSCAN_SUM, acc, c, x);
            }
            memcpy((char *)local + i * size, &x, sizeof x);
            if (prefix) {
                vbits p;
                memcpy(&p, (const char *)prefix + i * size, sizeof p);
                x = vcombine(PSCAN_SUM, acc, p, x);
            }
            if (stream)
                vstream((char *)out + i * size, x);
            else
                memcpy((char *)out + i * size, &x, sizeof x);
        }
        head = n; /* the tail, one at a time */
    }
}

/* One row of the ordered rows step, columns [from, n) one at a time,
 * continuing *value unless the row starts here without a carry. */
FORCE_INLINE void rows_tail(ktype in, ktype acc, const char *src, char *dst, size_t from, size_t n,
                            int cont, kvalue *value, const kvalue *prefix, void *local,
                            const void *column_prefix)
{
    for (size_t i = from; i < n; i++) {
        const kvalue x = sat_widen(in, acc, kload(in, src, i));
        *value = i == 0 && !cont ? x : kcombine(PSCAN_SUM, acc, *value, x);
        const kvalue v = prefix ? kcombine(PSCAN_SUM, acc, *prefix, *value) : *value;
        if (local)
            column_put(acc, dst, i, v, local, column_prefix, 0);
        else
            kstore(acc, dst, i, v);
    }
}

/* The ordered path's row step: lanes.h's transposed chains with the rows
 * as the lanes (a chain per row, the scalar scan_rows' combines) and the
 * conversion inside the load, where the plain path converts into a
 * buffer, scans it and folds the prefix in: three passes. With `local`
 * (a constant in each instantiation) the column step follows on the
 * transposed-back vectors, row after row, so the row values never leave
 * the registers. */
FORCE_INLINE void ordered_rows_body(ktype in, ktype acc, const void *src, size_t src_row, void *dst,
                                    size_t dst_row, size_t n, size_t count, void *locals, int cont,
                                    const void *prefixes, void *local, const void *column_prefix,
                                    int stream)
{
    const size_t lanes = (size_t)vlanes(acc), in_size = ksize(in), size = ksize(acc);
    /* Streams only where every row's vectors are aligned. */
    stream = stream && local && HAVE_VEC_STREAM && (uintptr_t)dst % sizeof(vbits) == 0 &&
             dst_row * size % sizeof(vbits) == 0;
    size_t first = 0;
    for (; first + lanes <= count && n >= lanes; first += lanes) {
        const char *from = (const char *)src + first * src_row * in_size;
        char *to = (char *)dst + first * dst_row * size;
        vbits run = {0}, prefix = {0};
        if (cont)
            memcpy(&run, (char *)locals + first * size, sizeof run);
        if (prefixes)
            memcpy(&prefix, (const char *)prefixes + first * size, sizeof prefix);
        size_t i = 0;
        for (; i + lanes <= n; i += lanes) {
            vbits x[MAX_LANES];
            _Pragma("GCC unroll 16") for (size_t k = 0; k < lanes; k++) x[k] =
                sat_load(in, acc, from + (k * src_row + i) * in_size);
            vtranspose(acc, x);
            run = i == 0 && !cont ? x[0] : vcombine(PSCAN_SUM, acc, run, x[0]);
            x[0] = run;
            _Pragma("GCC unroll 16") for (size_t j = 1; j < lanes; j++) x[j] = run =
                vcombine(PSCAN_SUM, acc, run, x[j]);
            if (prefixes)
                _Pragma("GCC unroll 16") for (size_t j = 0; j < lanes; j++) x[j] =
                    vcombine(PSCAN_SUM, acc, prefix, x[j]);
            vtranspose(acc, x);
            if (!local) {
                _Pragma("GCC unroll 16") for (size_t k = 0; k < lanes; k++)
                    memcpy(to + (k * dst_row + i) * size, &x[k], sizeof x[k]);
                continue;
            }
            vbits down, above = {0};
            memcpy(&down, (char *)local + i * size, sizeof down);
            if (column_prefix)
                memcpy(&above, (const char *)column_prefix + i * size, sizeof above);
            _Pragma("GCC unroll 16") for (size_t k = 0; k < lanes; k++)
            {
                down = vcombine(PSCAN_SUM, acc, down, x[k]);
                const vbits v = column_prefix ? vcombine(PSCAN_SUM, acc, above, down) : down;
                char *at = to + (k * dst_row + i) * size;
                if (stream)
                    vstream(at, v);
                else
                    memcpy(at, &v, sizeof v);
            }
            memcpy((char *)local + i * size, &down, sizeof down);
        }
        for (size_t k = 0; k < lanes; k++) {
            kvalue value = vlane(acc, run, (int)k);
            const kvalue before = prefixes ? vlane(acc, prefix, (int)k) : kzero(acc);
            rows_tail(in, acc, from + k * src_row * in_size, to + k * dst_row * size, i, n, 1,
                      &value, prefixes ? &before : NULL, local, column_prefix);
            kstore(acc, locals, first + k, value);
        }
    }
    for (; first < count; first++) {
        kvalue value = cont ? kload(acc, locals, first) : kzero(acc);
        const kvalue before = prefixes ? kload(acc, prefixes, first) : kzero(acc);
        rows_tail(in, acc, (const char *)src + first * src_row * in_size,
                  (char *)dst + first * dst_row * size, 0, n, cont, &value,
                  prefixes ? &before : NULL, local, column_prefix);
        if (n > 0)
            kstore(acc, locals, first, value);
    }
}

#define SAT_WRAPPERS(in, acc)                                                                   \
    static void row_##in##_##acc(const void *src, void *column, void *out, size_t n, int first, \
                                 int stream)                                                    \
    {                                                                                           \
        row_body(KT_##in, KT_##acc, src, column, out, n, first, stream);                        \
    }                                                                                           \
    static void add_##in##_##acc(const void *src, void *column, size_t n, int first)            \
    {                                                                                           \
        add_body(KT_##in, KT_##acc, src, column, n, first);                                     \
    }                                                                                           \
    LOAD_WRAPPER(in, acc)
#define LOAD_WRAPPER(in, acc)                                           \
    static void load_##in##_##acc(const void *src, void *dst, size_t n) \
    {                                                                   \
        load_body(KT_##in, KT_##acc, src, dst, n);                      \
    }
SAT_PAIRS(SAT_WRAPPERS)
#define ORDERED_WRAPPERS(in, acc)                                                               \
    LOAD_WRAPPER(in, acc)                                                                       \
    static void column_##in##_##acc(const void *values, void *local, const void *prefix,        \
                                    void *out, size_t n, int first, int stream)                 \
    {                                                                                           \
        column_body(KT_##acc, values, local, prefix, out, n, first, stream);                    \
    }                                                                                           \
    static void rows_##in##_##acc(const void *src, size_t src_row, void *dst, size_t dst_row,   \
                                  size_t n, size_t count, void *locals, int cont,               \
                                  const void *prefixes, void *local, const void *column_prefix, \
                                  int stream)                                                   \
    {                                                                                           \
        if (local)                                                                              \
            ordered_rows_body(KT_##in, KT_##acc, src, src_row, dst, dst_row, n, count, locals,  \
                              cont, prefixes, local, column_prefix, stream);                    \
        else                                                                                    \
            ordered_rows_body(KT_##in, KT_##acc, src, src_row, dst, dst_row, n, count, locals,  \
                              cont, prefixes, NULL, NULL, 0);                                   \
    }
SAT_LOADS(ORDERED_WRAPPERS)

#ifndef PSCAN_KERNEL_ISA
#define PSCAN_KERNEL_ISA scalar
#endif
#define SAT_TABLE_NAME(isa) SAT_TABLE_NAME_EXPAND(isa)
#define SAT_TABLE_NAME_EXPAND(isa) pscan_sat_kernels_##isa
#define SAT_ENTRY(in, acc) \
    [PSCAN_DT_##           \
        in][PSCAN_DT_##acc] = {row_##in##_##acc, add_##in##_##acc, load_##in##_##acc, NULL, NULL},

#define LOAD_ENTRY(in, acc)                                                                \
    [PSCAN_DT_##in][PSCAN_DT_##acc] = {NULL, NULL, load_##in##_##acc, column_##in##_##acc, \
                                       rows_##in##_##acc},

const pscan_sat_kernel_table SAT_TABLE_NAME(PSCAN_KERNEL_ISA) = {SAT_PAIRS(SAT_ENTRY)
                                                                     SAT_LOADS(LOAD_ENTRY)};
