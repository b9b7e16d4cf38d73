/* layout.h - N-d strided views -> one small canonical problem.
 *
 * Every call is reduced to a walk the engine understands without knowing
 * about N-d arrays:
 *   LANES    independent lanes, each one run of `scan.len` elements;
 *   CHAINED  one lane (axis=None) made of runs of `scan.len` elements, the
 *            carry flowing from run to run in C order;
 *   PANEL    `inner.len` lanes side by side, scanned a row at a time along
 *            `scan` (axis 0 of a C array becomes row-wise vector ops);
 * each repeated over the `outer` odometer. Dimensions of length 1 are
 * dropped and neighbouring dimensions that address memory as one are merged,
 * so a contiguous array of any ndim becomes a single run. */
#ifndef PSCAN_LAYOUT_H
#define PSCAN_LAYOUT_H

#include "pscan.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pscan_walk_dim {
    int64_t len;
    int64_t in_stride; /* bytes */
    int64_t out_stride;
    int64_t lane_step; /* lanes: a step here moves this many lanes in the C
                          order of the other dims (plans built lane-ordered) */
} pscan_walk_dim;

typedef enum pscan_plan_kind {
    PSCAN_PLAN_EMPTY,
    PSCAN_PLAN_LANES,
    PSCAN_PLAN_CHAINED,
    PSCAN_PLAN_PANEL
} pscan_plan_kind;

typedef struct pscan_plan {
    pscan_plan_kind kind;
    const char *in_base;
    char *out_base;
    pscan_walk_dim scan;  /* along the scanned direction */
    pscan_walk_dim inner; /* PANEL: the lanes scanned side by side; else len 1 */
    int outer_ndim;       /* odometer, outermost first (C order for CHAINED) */
    pscan_walk_dim outer[PSCAN_MAX_DIMS];
    int64_t outer_count; /* product of the outer lengths */
    int64_t total;       /* elements scanned */
} pscan_plan;

/* A validated array: dims with explicit byte strides. */
typedef struct pscan_view {
    char *data;
    pscan_dtype dtype;
    int ndim;
    int64_t shape[PSCAN_MAX_DIMS];
    int64_t strides[PSCAN_MAX_DIMS];
    int64_t itemsize;  /* bytes per element: dtype's, or a user-defined op's */
    int64_t size;      /* element count */
    int64_t lo_offset; /* byte offsets of the lowest and one past the */
    int64_t hi_offset; /* highest byte an element occupies (0, 0 if empty) */
} pscan_view;

/* Fill `view` from a user array already checked for NULLs, ndim and shapes.
 * Returns PSCAN_ESIZE if the element count, byte extent or address range
 * overflows. A 0-d array becomes a 1-element 1-D view. */
pscan_status pscan_view_init(pscan_view *view, const pscan_array *array);

/* The same for elements of `itemsize` bytes (array->dtype is not read):
 * the arrays of a user-defined operator. */
pscan_status pscan_view_init_sized(pscan_view *view, const pscan_array *array, int64_t itemsize);

/* Step `at` (an element of v, at multi-index `index`) to the next element
 * in C order; false (and back at the first) after the last. */
static inline bool pscan_view_step(const pscan_view *v, int64_t *index, char **at)
{
    for (int d = v->ndim - 1; d >= 0; d--) {
        *at += v->strides[d];
        if (++index[d] < v->shape[d])
            return true;
        *at -= v->shape[d] * v->strides[d];
        index[d] = 0;
    }
    return false;
}

/* Byte range [lo, hi) the view's elements occupy; empty views give lo == hi. */
void pscan_view_span(const pscan_view *view, uintptr_t *lo, uintptr_t *hi);

/* Whether the byte ranges of two views share a byte (empty views never). */
bool pscan_views_intersect(const pscan_view *a, const pscan_view *b);

/* Whether a's element i is b's element i, byte for byte, for every i
 * (same data, item size, shape and strides): an in-place pair. */
bool pscan_views_coincide(const pscan_view *a, const pscan_view *b);

/* v's elements copied in C order into new memory (*memory; the caller
 * frees it), v then that memory's C-contiguous view: v's shape, or 1-D
 * when one_dim. PSCAN_ENOMEM (v unchanged) if there is none. */
pscan_status pscan_view_copy(pscan_view *v, bool one_dim, char **memory);

/* Whether two elements of the view share a byte, as far as the strides
 * alone say: the nested layouts every slice/transpose/reshape produces
 * (sorted by |stride|, each stride covers the extent of the smaller dims)
 * are disjoint, a zero stride on a dimension longer than 1 aliases, and
 * any other layout (interleaved strides, as only as_strided makes) is
 * left to pscan_view_check_listed. */
typedef enum pscan_self_overlap {
    PSCAN_SELF_DISJOINT,
    PSCAN_SELF_ALIASED,
    PSCAN_SELF_UNPROVEN
} pscan_self_overlap;
pscan_self_overlap pscan_view_self_overlap(const pscan_view *view);

/* The exact answer for any layout, PSCAN_OK (no two elements share a
 * byte) or PSCAN_EOUTALIAS: every element's offset listed into
 * offsets[view->size], the caller's scratch, and sorted. */
pscan_status pscan_view_check_listed(const pscan_view *view, int64_t *offsets);

/* Elements [start, start + len) of `v` along dim d, reversed if `flip`:
 * a sub-view of a checked view, so building it cannot overflow. */
void pscan_view_along(const pscan_view *v, int d, int64_t start, int64_t len, bool flip,
                      pscan_view *result);

/* Lanes of v scanned along `axis`: its other dims (one lane for -1, a
 * flattening). */
int64_t pscan_view_lanes(const pscan_view *v, int axis);

/* `v` as one 1-D run (`flat`) in C order, if its dims address memory
 * that way; false otherwise. */
bool pscan_view_flatten(const pscan_view *v, pscan_view *flat);

/* pscan_array_is_c_contiguous (pscan.h, advanced API) takes `array` with
 * ndim and shape already checked. */

/* Build the walk for a scan of `in` into `out` along `axis` (already
 * normalised to 0..ndim-1), or along the C-order flattening if `flatten`.
 * lane_ordered: merge only dimensions whose lanes also follow each other
 * in C order, so that every walk dimension has one lane_step (pieces of a
 * longer scan, whose carries and states are in that order). */
void pscan_plan_build(pscan_plan *plan, const pscan_view *in, const pscan_view *out, int axis,
                      bool flatten, bool lane_ordered);

/* Lanes the plan walks: outer_count runs, each inner.len lanes wide
 * (CHAINED: one lane). */
int64_t pscan_plan_lanes(const pscan_plan *plan);

/* Whether lane k of the plan's walk (outer odometer, then inner) is lane
 * k in the C order of in's other dims, for a lane-ordered plan. */
bool pscan_plan_lanes_in_c_order(const pscan_plan *plan);

/* index[k] = the C-order position of the plan's lane k, for every lane of
 * a lane-ordered plan. */
void pscan_plan_lane_positions(const pscan_plan *plan, int64_t *index);

/* True when every element of `in` sits at the address of its `out`
 * element with the same item size (an in-place scan): reading an element
 * before writing it is then safe. */
bool pscan_plan_is_in_place(const pscan_plan *plan, size_t in_itemsize, size_t out_itemsize);

#endif
