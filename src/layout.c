/* layout.c - validated views, overlap facts, and the canonical walk. */
#include "layout.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static int64_t abs64(int64_t x)
{
    return x < 0 ? -x : x; /* strides are bounded by the extent check */
}

pscan_status pscan_view_init(pscan_view *view, const pscan_array *array)
{
    return pscan_view_init_sized(view, array, (int64_t)pscan_dtype_size(array->dtype));
}

pscan_status pscan_view_init_sized(pscan_view *view, const pscan_array *array, int64_t itemsize)
{
    view->data = array->data;
    view->dtype = array->dtype;
    view->itemsize = itemsize;
    if (array->ndim == 0) {
        view->ndim = 1;
        view->shape[0] = 1;
        view->strides[0] = itemsize;
    } else {
        view->ndim = array->ndim;
        for (int d = 0; d < array->ndim; d++)
            view->shape[d] = array->shape[d];
        if (array->strides) {
            for (int d = 0; d < array->ndim; d++)
                view->strides[d] = array->strides[d];
        } else {
            int64_t stride = itemsize;
            for (int d = array->ndim - 1; d >= 0; d--) {
                view->strides[d] = stride;
                if (view->shape[d] > 0 && __builtin_mul_overflow(stride, view->shape[d], &stride))
                    return PSCAN_ESIZE;
            }
        }
    }

    /* Element count: numpy rejects shapes whose non-zero dims overflow even
     * when another dim is 0. */
    int64_t nonzero_product = 1;
    bool empty = false;
    for (int d = 0; d < view->ndim; d++) {
        if (view->shape[d] == 0)
            empty = true;
        else if (__builtin_mul_overflow(nonzero_product, view->shape[d], &nonzero_product))
            return PSCAN_ESIZE;
    }
    int64_t nbytes;
    if (__builtin_mul_overflow(nonzero_product, itemsize, &nbytes))
        return PSCAN_ESIZE;
    view->size = empty ? 0 : nonzero_product;
    view->lo_offset = view->hi_offset = 0;
    if (empty)
        return PSCAN_OK;

    int64_t lo = 0, hi = 0;
    for (int d = 0; d < view->ndim; d++) {
        int64_t reach;
        if (__builtin_mul_overflow(view->shape[d] - 1, view->strides[d], &reach))
            return PSCAN_ESIZE;
        if (__builtin_add_overflow(reach < 0 ? lo : hi, reach, reach < 0 ? &lo : &hi))
            return PSCAN_ESIZE;
    }
    if (__builtin_add_overflow(hi, itemsize, &hi))
        return PSCAN_ESIZE;
    /* The whole range must be addressable without wrapping around. */
    uintptr_t base = (uintptr_t)view->data;
    if ((lo < 0 && base < (uintptr_t)0 - (uintptr_t)lo) || base > UINTPTR_MAX - (uintptr_t)hi)
        return PSCAN_ESIZE;
    view->lo_offset = lo;
    view->hi_offset = hi;
    return PSCAN_OK;
}

void pscan_view_span(const pscan_view *view, uintptr_t *lo, uintptr_t *hi)
{
    uintptr_t base = (uintptr_t)view->data;
    *lo = base + (uintptr_t)view->lo_offset;
    *hi = base + (uintptr_t)view->hi_offset;
}

bool pscan_views_intersect(const pscan_view *a, const pscan_view *b)
{
    uintptr_t a_lo, a_hi, b_lo, b_hi;
    pscan_view_span(a, &a_lo, &a_hi);
    pscan_view_span(b, &b_lo, &b_hi);
    return a_lo < a_hi && b_lo < b_hi && a_lo < b_hi && b_lo < a_hi;
}

bool pscan_views_coincide(const pscan_view *a, const pscan_view *b)
{
    if (a->data != b->data || a->itemsize != b->itemsize || a->ndim != b->ndim)
        return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d] || (a->shape[d] > 1 && a->strides[d] != b->strides[d]))
            return false;
    return true;
}

pscan_status pscan_view_copy(pscan_view *v, bool one_dim, char **memory)
{
    const size_t item = (size_t)v->itemsize;
    if ((uint64_t)v->size > SIZE_MAX / item)
        return PSCAN_ENOMEM;
    char *copy = malloc((size_t)v->size * item + 1);
    if (!copy)
        return PSCAN_ENOMEM;
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = v->data;
    for (int64_t k = 0; k < v->size; k++) {
        memcpy(copy + (size_t)k * item, at, item);
        pscan_view_step(v, index, &at);
    }
    *memory = copy;
    const int64_t flat = v->size;
    int64_t shape[PSCAN_MAX_DIMS];
    memcpy(shape, v->shape, sizeof shape);
    const pscan_array array = {copy, v->dtype, one_dim ? 1 : v->ndim, one_dim ? &flat : shape,
                               NULL};
    return pscan_view_init_sized(v, &array, v->itemsize); /* no larger than v: cannot fail */
}

static bool is_nested(const pscan_view *view)
{
    int64_t len[PSCAN_MAX_DIMS], stride[PSCAN_MAX_DIMS];
    int count = 0;
    for (int d = 0; d < view->ndim; d++) {
        if (view->shape[d] <= 1)
            continue;
        /* insertion sort by |stride|, ascending */
        int at = count++;
        while (at > 0 && stride[at - 1] > abs64(view->strides[d])) {
            stride[at] = stride[at - 1];
            len[at] = len[at - 1];
            at--;
        }
        stride[at] = abs64(view->strides[d]);
        len[at] = view->shape[d];
    }
    int64_t extent = view->itemsize;
    for (int k = 0; k < count; k++) {
        if (stride[k] < extent)
            return false;
        extent += stride[k] * (len[k] - 1);
    }
    return true;
}

pscan_self_overlap pscan_view_self_overlap(const pscan_view *view)
{
    if (view->size <= 1 || is_nested(view))
        return PSCAN_SELF_DISJOINT;
    for (int d = 0; d < view->ndim; d++)
        if (view->shape[d] > 1 && view->strides[d] == 0)
            return PSCAN_SELF_ALIASED;
    return PSCAN_SELF_UNPROVEN;
}

static void sift_down(int64_t *heap, int64_t root, int64_t count)
{
    const int64_t value = heap[root];
    for (int64_t child; (child = 2 * root + 1) < count; root = child) {
        if (child + 1 < count && heap[child + 1] > heap[child])
            child++;
        if (heap[child] <= value)
            break;
        heap[root] = heap[child];
    }
    heap[root] = value;
}

/* Heapsort: in place and without recursion, so the list is the only
 * scratch (glibc's qsort allocates a copy of what it sorts). */
static void sort_offsets(int64_t *offsets, int64_t count)
{
    for (int64_t root = count / 2; root-- > 0;)
        sift_down(offsets, root, count);
    for (int64_t last = count - 1; last > 0; last--) {
        const int64_t top = offsets[0];
        offsets[0] = offsets[last];
        offsets[last] = top;
        sift_down(offsets, 0, last);
    }
}

pscan_status pscan_view_check_listed(const pscan_view *view, int64_t *offsets)
{
    int64_t index[PSCAN_MAX_DIMS] = {0}, offset = 0;
    for (int64_t k = 0; k < view->size; k++) {
        offsets[k] = offset;
        for (int d = view->ndim - 1; d >= 0; d--) {
            if (++index[d] < view->shape[d]) {
                offset += view->strides[d];
                break;
            }
            index[d] = 0;
            offset -= (view->shape[d] - 1) * view->strides[d];
        }
    }
    sort_offsets(offsets, view->size);
    /* Neighbours closer than an item share a byte. */
    const int64_t itemsize = view->itemsize;
    for (int64_t k = 1; k < view->size; k++)
        if (offsets[k] - offsets[k - 1] < itemsize)
            return PSCAN_EOUTALIAS;
    return PSCAN_OK;
}

/* Bytes stepped per element, in and out (len > 1, so the strides passed
 * the extent check and their magnitudes fit). */
static uint64_t walk_cost(const pscan_walk_dim *dim)
{
    return (uint64_t)abs64(dim->in_stride) + (uint64_t)abs64(dim->out_stride);
}

/* Merge neighbours that address memory as one dimension (outer first);
 * lane_ordered: and whose lanes follow each other in C order. */
static int merge_dims(pscan_walk_dim *dims, int count, bool lane_ordered)
{
    int kept = 0;
    for (int k = 0; k < count; k++) {
        if (kept > 0) {
            pscan_walk_dim *outer = &dims[kept - 1];
            const pscan_walk_dim *inner = &dims[k];
            int64_t in_block, out_block;
            if (!__builtin_mul_overflow(inner->len, inner->in_stride, &in_block) &&
                !__builtin_mul_overflow(inner->len, inner->out_stride, &out_block) &&
                outer->in_stride == in_block && outer->out_stride == out_block &&
                (!lane_ordered || outer->lane_step == inner->len * inner->lane_step)) {
                outer->len *= inner->len;
                outer->in_stride = inner->in_stride;
                outer->out_stride = inner->out_stride;
                outer->lane_step = inner->lane_step;
                continue;
            }
        }
        dims[kept++] = dims[k];
    }
    return kept;
}

/* Below this many lanes a row step costs more in calls than a strided lane
 * walk costs in cache misses. */
enum { PANEL_MIN_LANES = 8 };

static void build_axis_plan(pscan_plan *plan, const pscan_view *in, const pscan_view *out, int axis,
                            bool lane_ordered)
{
    pscan_walk_dim *outer = plan->outer;
    int count = 0;
    plan->scan = (pscan_walk_dim){in->shape[axis], in->strides[axis], out->strides[axis], 0};
    int64_t lane_steps[PSCAN_MAX_DIMS], step = 1;
    for (int d = in->ndim - 1; d >= 0; d--) {
        lane_steps[d] = step;
        if (d != axis)
            step *= in->shape[d];
    }
    for (int d = 0; d < in->ndim; d++) {
        if (d == axis || in->shape[d] == 1)
            continue;
        /* Lanes are independent: walk them in decreasing stride order so
         * that merging finds contiguous blocks whatever the axis order. */
        pscan_walk_dim dim = {in->shape[d], in->strides[d], out->strides[d], lane_steps[d]};
        int at = count++;
        while (at > 0 && abs64(outer[at - 1].in_stride) < abs64(dim.in_stride)) {
            outer[at] = outer[at - 1];
            at--;
        }
        outer[at] = dim;
    }
    count = merge_dims(outer, count, lane_ordered);

    plan->kind = PSCAN_PLAN_LANES;
    plan->inner = (pscan_walk_dim){1, 0, 0, 0};
    if (plan->scan.len > 1 && count > 0) {
        int best = 0;
        for (int k = 1; k < count; k++)
            if (walk_cost(&outer[k]) < walk_cost(&outer[best]))
                best = k;
        if (walk_cost(&outer[best]) < walk_cost(&plan->scan) &&
            outer[best].len >= PANEL_MIN_LANES) {
            plan->kind = PSCAN_PLAN_PANEL;
            plan->inner = outer[best];
            for (int k = best; k + 1 < count; k++)
                outer[k] = outer[k + 1];
            count--;
        }
    }
    plan->outer_ndim = count;
}

static void build_flat_plan(pscan_plan *plan, const pscan_view *in, const pscan_view *out)
{
    pscan_walk_dim *dims = plan->outer;
    int count = 0;
    for (int d = 0; d < in->ndim; d++)
        if (in->shape[d] > 1)
            dims[count++] = (pscan_walk_dim){in->shape[d], in->strides[d], 0, 0};
    /* out is 1-D: give each dim the out stride of C-order flattening. */
    int64_t out_stride = out->strides[0];
    for (int k = count - 1; k >= 0; k--) {
        dims[k].out_stride = out_stride;
        if (k > 0) /* stays within out's checked extent */
            out_stride *= dims[k].len;
    }
    count = merge_dims(dims, count, false);
    plan->kind = PSCAN_PLAN_CHAINED;
    plan->inner = (pscan_walk_dim){1, 0, 0, 0};
    if (count == 0) {
        plan->scan = (pscan_walk_dim){1, 0, 0, 0};
    } else {
        plan->scan = dims[count - 1];
        count--;
    }
    plan->outer_ndim = count;
}

void pscan_plan_build(pscan_plan *plan, const pscan_view *in, const pscan_view *out, int axis,
                      bool flatten, bool lane_ordered)
{
    plan->in_base = in->data;
    plan->out_base = out->data;
    plan->total = in->size;
    plan->outer_ndim = 0;
    plan->outer_count = 0;
    if (in->size == 0) {
        plan->kind = PSCAN_PLAN_EMPTY;
        plan->scan = plan->inner = (pscan_walk_dim){0, 0, 0, 0};
        return;
    }
    if (flatten)
        build_flat_plan(plan, in, out);
    else
        build_axis_plan(plan, in, out, axis, lane_ordered);
    plan->outer_count = 1;
    for (int k = 0; k < plan->outer_ndim; k++)
        plan->outer_count *= plan->outer[k].len;
}

int64_t pscan_plan_lanes(const pscan_plan *plan)
{
    switch (plan->kind) {
    case PSCAN_PLAN_EMPTY:
        return 0;
    case PSCAN_PLAN_CHAINED:
        return 1;
    case PSCAN_PLAN_LANES:
    case PSCAN_PLAN_PANEL:
        break;
    }
    return plan->outer_count * plan->inner.len;
}

bool pscan_plan_lanes_in_c_order(const pscan_plan *plan)
{
    if (plan->kind == PSCAN_PLAN_CHAINED || plan->kind == PSCAN_PLAN_EMPTY)
        return true;
    int64_t expected = 1;
    if (plan->inner.len > 1) {
        if (plan->inner.lane_step != 1)
            return false;
        expected = plan->inner.len;
    }
    for (int k = plan->outer_ndim - 1; k >= 0; k--) {
        if (plan->outer[k].lane_step != expected)
            return false;
        expected *= plan->outer[k].len;
    }
    return true;
}

void pscan_plan_lane_positions(const pscan_plan *plan, int64_t *index)
{
    if (plan->kind == PSCAN_PLAN_CHAINED) {
        index[0] = 0;
        return;
    }
    int64_t odometer[PSCAN_MAX_DIMS] = {0}, base = 0, k = 0;
    for (int64_t run = 0; run < plan->outer_count; run++) {
        for (int64_t column = 0; column < plan->inner.len; column++)
            index[k++] = base + column * plan->inner.lane_step;
        for (int d = plan->outer_ndim - 1; d >= 0; d--) {
            const pscan_walk_dim *dim = &plan->outer[d];
            base += dim->lane_step;
            if (++odometer[d] < dim->len)
                break;
            base -= dim->len * dim->lane_step;
            odometer[d] = 0;
        }
    }
}

static bool same_addresses(const pscan_walk_dim *dim)
{
    return dim->len <= 1 || dim->in_stride == dim->out_stride;
}

bool pscan_plan_is_in_place(const pscan_plan *plan, size_t in_itemsize, size_t out_itemsize)
{
    if (plan->in_base != plan->out_base || in_itemsize != out_itemsize)
        return false;
    if (!same_addresses(&plan->scan) || !same_addresses(&plan->inner))
        return false;
    for (int k = 0; k < plan->outer_ndim; k++)
        if (!same_addresses(&plan->outer[k]))
            return false;
    return true;
}

/* `v` as one 1-D run in C order, if its dims address memory that way. */
void pscan_view_along(const pscan_view *v, int d, int64_t start, int64_t len, bool flip,
                      pscan_view *result)
{
    assert(d >= 0 && d < v->ndim); /* a resolved axis of v */
    int64_t shape[PSCAN_MAX_DIMS], strides[PSCAN_MAX_DIMS];
    for (int k = 0; k < v->ndim; k++) {
        shape[k] = v->shape[k];
        strides[k] = v->strides[k];
    }
    char *data = v->data + start * strides[d];
    shape[d] = len;
    if (flip && len > 0) {
        data += (len - 1) * strides[d];
        strides[d] = -strides[d];
    }
    const pscan_array array = {data, v->dtype, v->ndim, shape, strides};
    (void)pscan_view_init_sized(result, &array, v->itemsize);
}

int64_t pscan_view_lanes(const pscan_view *v, int axis)
{
    int64_t lanes = 1;
    for (int d = 0; axis >= 0 && d < v->ndim; d++)
        if (d != axis)
            lanes *= v->shape[d];
    return lanes;
}

bool pscan_view_flatten(const pscan_view *v, pscan_view *flat)
{
    int64_t stride = 0, expected = 0;
    bool first = true;
    for (int d = v->ndim - 1; d >= 0; d--) {
        if (v->shape[d] == 1)
            continue;
        if (first)
            stride = v->strides[d];
        else if (v->strides[d] != expected)
            return false;
        first = false;
        expected = v->strides[d] * v->shape[d];
    }
    const int64_t len = v->size;
    if (first)
        stride = v->itemsize;
    const pscan_array array = {v->data, v->dtype, 1, &len, &stride};
    (void)pscan_view_init_sized(flat, &array, v->itemsize);
    return true;
}

int pscan_array_is_c_contiguous(const pscan_array *array)
{
    if (!array->strides)
        return 1;
    int64_t expected = (int64_t)pscan_dtype_size(array->dtype);
    for (int d = array->ndim - 1; d >= 0; d--) {
        if (array->shape[d] != 1 && array->strides[d] != expected)
            return 0;
        expected *= array->shape[d];
    }
    return 1;
}
