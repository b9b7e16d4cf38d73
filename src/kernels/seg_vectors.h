/* seg_vectors.h - in-register segmented scan steps (seg_vectors.c),
 * compiled per instruction set as the kernels are: order-free integer ops
 * (SUM, MAX, MIN, the bitwise ones) over 32- and 64-bit integers, whose
 * results do not depend on grouping, so they give the scalar step's bits. */
#ifndef PSCAN_SEG_VECTORS_H
#define PSCAN_SEG_VECTORS_H

#include "../segmented.h"

/* pscan_seg_steps.scan over contiguous values only (src and dst strides
 * equal to the type's size), tiled ignored (integers only); stream: dst
 * gets non-temporal stores from its first 64-byte line on (the team's
 * fence orders them), so a big out is written without a buffer's copy. */
typedef void (*pscan_seg_vector_scan_fn)(const char *src, ptrdiff_t src_stride, char *dst,
                                         ptrdiff_t dst_stride, const uint8_t *start, size_t n,
                                         const void *carry, int tiled, int exclusive,
                                         const void *identity, void *last, int stream);

/* The vector step of op over kernel type kt in the chosen instruction set
 * (kernels/dispatch.c); NULL where there is none (the scalar variant, and
 * ops or types outside the list). */
pscan_seg_vector_scan_fn pscan_seg_vector_get(pscan_op op, int kt);

typedef pscan_seg_vector_scan_fn pscan_seg_vector_table[PSCAN_OP_COUNT][PSCAN_SEG_KT_COUNT];
extern const pscan_seg_vector_table pscan_seg_vectors_scalar;
extern const pscan_seg_vector_table pscan_seg_vectors_avx2;
extern const pscan_seg_vector_table pscan_seg_vectors_avx512;

#endif
