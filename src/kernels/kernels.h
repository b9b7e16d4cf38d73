/* kernels.h - the narrow interface between the engine and the per-op,
 * per-accumulator scan kernels, and the choice of instruction set.
 *
 * Kernels work on contiguous buffers of accumulator values (no alignment
 * required); the engine owns strides, conversions, tiles and carries.
 * scan_kernels.c is compiled once per instruction set (scalar, AVX2,
 * AVX-512) into one table each; pscan_kernel_get reads the table chosen
 * once per process from CPUID, or forced with PSCAN_ISA. Every variant
 * gives the same bits: float sums and products combine strictly left to
 * right inside a segment (several segments run at once, one per vector
 * lane), and only order-free operations (integers, max, min) use
 * in-register tree scans. */
#ifndef PSCAN_KERNELS_H
#define PSCAN_KERNELS_H

#include "pscan.h"
#include "../tile.h"

#include <stddef.h>

/* scan_segments and reduce_segments are fastest for segments of exactly
 * one tile: the distance between interleaved chains is then a constant. */

typedef struct pscan_kernel {
    /* dst[i] = carry op src[0] op ... op src[i], combined left to right;
     * no carry if carry is NULL. src may equal dst. */
    void (*scan)(const void *src, void *dst, size_t n, const void *carry);
    /* The same scan with non-temporal stores to dst (NULL where there is no
     * such kernel): for outputs far larger than the caches. */
    void (*scan_stream)(const void *src, void *dst, size_t n, const void *carry);
    /* scan_stream of one block while *next_total = reduce_segments' total
     * of `next_n` values at `next` (the next block), in one loop: the
     * next block's reads overlap this one's writes. NULL where there is no
     * scan_stream. */
    void (*scan_stream_reduce)(const void *src, void *dst, size_t n, const void *carry,
                               const void *next, size_t next_n, void *next_total);
    /* `count` independent segments of seg_len elements, back to back: each
     * gets the scan above with no carry. Several segments run interleaved,
     * so float chains overlap instead of waiting on one another. */
    void (*scan_segments)(const void *src, void *dst, size_t seg_len, size_t count);
    /* `count` rows of n elements, row k at src + k * src_row and dst +
     * k * dst_row (in elements): each gets the scan above, after
     * carries[k] when carries is not NULL. Rows run interleaved as
     * segments do (the column strips of src/engine/strips.c). */
    void (*scan_rows)(const void *src, size_t src_row, void *dst, size_t dst_row, size_t n,
                      size_t count, const void *carries);
    /* totals[k] = the last value scan_segments gives segment k. */
    void (*reduce_segments)(const void *src, size_t seg_len, size_t count, void *totals);
    /* n values from a tile boundary, tile by tile: tile t's outputs are
     * P(t-1) op its own left-to-right scan, where P(t) = P(t-1) op
     * totals[t] and P(-1) = *carry (tile 0 takes no prefix if carry is
     * NULL): scan_segments then fold, in one pass, with non-temporal
     * stores if `stream`. totals[t] is what reduce_segments gives tile t.
     * NULL where scan_segments and fold are as fast (order-free ops). */
    void (*scan_tiles)(const void *src, void *dst, size_t n, const void *carry, const void *totals,
                       int stream);
    /* scan_tiles of one block with streaming stores while next_totals gets
     * what reduce_segments gives the next block's tiles (whole tiles, then
     * the remainder), in the same loops: the next block's reads overlap
     * this one's writes. NULL where scan_tiles is. */
    void (*scan_tiles_reduce)(const void *src, void *dst, size_t n, const void *carry,
                              const void *totals, const void *next, size_t next_n,
                              void *next_totals);
    /* buf[i] = *carry op buf[i]: applies a tile's incoming prefix. */
    void (*fold)(void *buf, size_t n, const void *carry);
    /* dst[i] = carry[i] op src[i] (src[i] if carry is NULL) for i < lag,
     * then dst[i] = dst[i - lag] op src[i]: `lag` lanes of a row-major block
     * scanned down their columns, each left to right, after a carry row
     * (narrow row-wise scans). src may equal dst. */
    void (*scan_lagged)(const void *src, void *dst, size_t n, size_t lag, const void *carry);
    /* totals[j] = the last value scan_lagged (without carry) gives lane j. */
    void (*reduce_lagged)(const void *src, size_t n, size_t lag, void *totals);
    /* dst[i] = prev[i] op next[i]: one step of many lanes at once. dst may
     * be prev or next. */
    void (*combine)(const void *prev, const void *next, void *dst, size_t n);
    /* The result does not depend on how the combines are grouped (integers,
     * bool, max, min): a carry may be chained into any position. (An int:
     * <stdbool.h> would turn the dtype tag `bool` into a macro here.) */
    int order_free;
} pscan_kernel;

/* The instruction sets, lowest first. The one in use is chosen once per
 * process: the best the CPU and OS support, or PSCAN_ISA=scalar|avx2|avx512
 * capped at that (pscan_isa_name() in pscan.h tells which). */
typedef enum pscan_isa {
    PSCAN_ISA_SCALAR,
    PSCAN_ISA_AVX2,
    PSCAN_ISA_AVX512,
    PSCAN_ISA_COUNT
} pscan_isa;

/* The ISA called `name` ("scalar", "avx2", "avx512"): 1, else 0 with *isa
 * untouched. Whether this CPU has it is another matter (dispatch.c caps). */
int pscan_isa_from_name(const char *name, pscan_isa *isa);

/* The kernels' op numbers: the public ops, then logaddexp on the host's
 * libm, numpy's npy_logaddexp to the bit, which is SEQUENTIAL's step.
 * PSCAN_LOGADDEXP's own kernels run pscan's exp and log1p
 * (logaddexp_math.h): REPRODUCIBLE's bits, the same on every host, ISA
 * and libm. */
#define PSCAN_LOGADDEXP_LIBM ((pscan_op)PSCAN_OP_COUNT)
enum { PSCAN_KERNEL_OP_COUNT = PSCAN_OP_COUNT + 1 };

/* The kernel op that runs op in this order. */
static inline pscan_op pscan_kernel_op(pscan_op op, pscan_order order)
{
    return op == PSCAN_LOGADDEXP && order == PSCAN_ORDER_SEQUENTIAL ? PSCAN_LOGADDEXP_LIBM : op;
}

/* Kernels for op (a kernel op: pscan_kernel_op) over accumulator type
 * acc (pscan_op_accepts(op, acc)) in the chosen instruction set; never
 * NULL. */
const pscan_kernel *pscan_kernel_get(pscan_op op, pscan_dtype acc);

/* Compensated SUM kernels over pairs (hi, lo) of doubles: 16-byte values
 * for real accumulators, 32-byte (re pair, im pair) for complex ones.
 * (The flag is not called `complex`: <complex.h> makes that a macro.) */
const pscan_kernel *pscan_kernel_get_compensated(int is_complex);

/* memcpy with non-temporal stores (plain memcpy where there are none).
 * Streamed lines are weakly ordered: a thread that streamed calls
 * pscan_stream_fence before its work counts as done. */
typedef void (*pscan_copy_fn)(void *dst, const void *src, size_t bytes);
pscan_copy_fn pscan_kernel_stream_copy(void);
void pscan_stream_fence(void);

/* dst element i = src element n - 1 - i, elements of `size` bytes, dst
 * with non-temporal stores where the ISA has them (REVERSE scans' out). */
typedef void (*pscan_reverse_copy_fn)(void *dst, const void *src, size_t n, size_t size);
pscan_reverse_copy_fn pscan_kernel_stream_copy_reversed(void);

/* One table per compiled instruction set (dispatch.c picks). */
typedef pscan_kernel pscan_kernel_table[PSCAN_KERNEL_OP_COUNT][PSCAN_DTYPE_COUNT];
/* scan_kernels.c fills one row per op by name, SUM to BIT_XOR and
 * LOGADDEXP_LIBM; the arg ops have no kernels (their rows stay empty, and
 * validation keeps them from pscan_kernel_get). */
_Static_assert(PSCAN_SUM == 0 && PSCAN_BIT_XOR == 7 && PSCAN_BIT_XOR < PSCAN_OP_COUNT,
               "the kernel tables name ops 0..PSCAN_BIT_XOR, SUM to BIT_XOR");
extern const pscan_kernel_table pscan_kernels_scalar;
extern const pscan_kernel_table pscan_kernels_avx2;
extern const pscan_kernel_table pscan_kernels_avx512;
extern const pscan_kernel pscan_compensated_kernels_scalar[2];
extern const pscan_kernel pscan_compensated_kernels_avx2[2];
extern const pscan_kernel pscan_compensated_kernels_avx512[2];
void pscan_stream_copy_scalar(void *dst, const void *src, size_t bytes);
void pscan_stream_copy_avx2(void *dst, const void *src, size_t bytes);
void pscan_stream_copy_avx512(void *dst, const void *src, size_t bytes);
void pscan_stream_copy_reversed_scalar(void *dst, const void *src, size_t n, size_t size);
void pscan_stream_copy_reversed_avx2(void *dst, const void *src, size_t n, size_t size);
void pscan_stream_copy_reversed_avx512(void *dst, const void *src, size_t n, size_t size);

#endif
