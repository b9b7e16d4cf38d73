/* segmented.c - pscan_scan_segmented: the checks (pscan_scan's, at the one
 * door, then the segments'), the layout (flattening, copies of inputs that
 * out overlaps, REVERSE's flipped views), and the schedule: many lanes
 * split across a team, or each long lane cut into pscan_scan's tiles and
 * scanned in three phases (each tile's last segment part reduced in
 * parallel, the parts chained left to right by one member, each tile
 * scanned from its carry in parallel). Every tile's start bytes are made
 * from the segment description when the tile is read, so no n-sized
 * buffer is ever built. */
#include "context.h"
#include "convert.h"
#include "dtype.h"
#include "engine.h"
#include "kernels/kernels.h"
#include "kernels/seg_vectors.h"
#include "layout.h"
#include "request.h"
#include "scan_entry.h"
#include "segmented.h"
#include "tile.h"
#include "tuning.h"

#include <assert.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* One lane's elements: where each of its arrays starts, and the steps. */
typedef struct seg_lane {
    const char *in;
    char *out;
    const char *seg;
} seg_lane;

typedef struct seg_call {
    const pscan_seg_steps *steps;
    /* the in-register step of this ISA (NULL: none), for contiguous tiles */
    pscan_seg_vector_scan_fn vector_scan;
    pscan_convert_fn load, store;
    bool direct; /* the steps read in and write out (no conversion) */
    /* big contiguous out: each tile is scanned into the member's buffer
     * and streamed to out (no read of out's lines before they are written) */
    pscan_copy_fn stream;
    pscan_reverse_copy_fn stream_reversed;
    size_t acc_size;
    int tiled, exclusive;
    bool seq_fold; /* a chain across a tile without a start needs its values */
    _Alignas(16) char identity[PSCAN_COMPLEX_PAIR_BYTES];
    int64_t n, lanes, tiles; /* lane length, lanes, tiles per lane */
    /* lane k: the other dims' index in C order, times each array's steps */
    int other_ndim;
    int64_t other_shape[PSCAN_MAX_DIMS];
    int64_t in_step[PSCAN_MAX_DIMS], out_step[PSCAN_MAX_DIMS], seg_step[PSCAN_MAX_DIMS];
    const char *in;
    char *out;
    const char *seg; /* flags or keys (NULL for offsets) */
    int64_t in_stride, out_stride, seg_stride;
    pscan_segment_kind kind;
    pscan_dtype seg_dtype;
    size_t seg_item;
    bool reverse;
    const char *offsets;
    int64_t offsets_stride, offsets_count;
    /* scratch: each member's, then the tiles' parts and carries */
    char *scratch;
    size_t member_bytes;
    char *tile_part, *tile_carry;
    uint8_t *tile_has;
    atomic_int overflowed;
} seg_call;

static seg_lane lane_at(const seg_call *c, int64_t lane)
{
    int64_t in_off = 0, out_off = 0, seg_off = 0;
    for (int d = c->other_ndim - 1; d >= 0; d--) {
        const int64_t index = lane % c->other_shape[d];
        lane /= c->other_shape[d];
        in_off += index * c->in_step[d];
        out_off += index * c->out_step[d];
        seg_off += index * c->seg_step[d];
    }
    return (seg_lane){c->in + in_off, c->out + out_off, c->seg ? c->seg + seg_off : NULL};
}

/* ---- Start bytes of a tile ---- */

static void flags_nonzero(const char *flags, int64_t stride, size_t item, int64_t len,
                          uint8_t *restrict start)
{
    assert(flags);                  /* a flags lane has its flags (offsets have none) */
    if (item == 1 && stride == 1) { /* bool or int8 flags in a row: vectorised */
        const unsigned char *restrict bytes = (const unsigned char *)flags;
        for (int64_t k = 0; k < len; k++)
            start[k] = (uint8_t)(bytes[k] != 0);
        return;
    }
    for (int64_t k = 0; k < len; k++) {
        const char *flag = flags + k * stride;
        unsigned char any = 0;
        for (size_t b = 0; b < item; b++) /* an integer is nonzero iff a byte is */
            any |= (unsigned char)flag[b];
        start[k] = any != 0;
    }
}

static bool same_real(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Keys as values: -0.0 == 0.0, NaN == NaN, complex part by part. */
/* Equal real or complex keys of one float type (parts: 1 or 2). */
#define SAME_FLOAT_KEYS(ctype)                                                  \
    static bool same_##ctype##_keys(const char *a, const char *b, size_t parts) \
    {                                                                           \
        ctype x[2], y[2];                                                       \
        memcpy(x, a, parts * sizeof(ctype));                                    \
        memcpy(y, b, parts * sizeof(ctype));                                    \
        return same_real(x[0], y[0]) && (parts == 1 || same_real(x[1], y[1]));  \
    }
SAME_FLOAT_KEYS(float)
SAME_FLOAT_KEYS(double)

static bool keys_equal(pscan_dtype dtype, const char *a, const char *b)
{
    assert(a && b); /* a keys lane has its keys */
    switch (dtype) {
    case PSCAN_BOOL:
        return (*a != 0) == (*b != 0);
    case PSCAN_FLOAT16: {
        uint16_t x, y;
        memcpy(&x, a, 2);
        memcpy(&y, b, 2);
        return same_real(pscan_half_to_float(x), pscan_half_to_float(y));
    }
    case PSCAN_FLOAT32:
    case PSCAN_COMPLEX64:
        return same_float_keys(a, b, dtype == PSCAN_COMPLEX64 ? 2 : 1);
    case PSCAN_FLOAT64:
    case PSCAN_COMPLEX128:
        return same_double_keys(a, b, dtype == PSCAN_COMPLEX128 ? 2 : 1);
    default: /* integers: equal values have equal bytes */
        return memcmp(a, b, pscan_dtype_size(dtype)) == 0;
    }
}

static int64_t offset_at(const seg_call *c, int64_t i)
{
    int64_t value;
    memcpy(&value, c->offsets + i * c->offsets_stride, sizeof value);
    return value;
}

/* The first offset index whose value is >= value. */
static int64_t offsets_lower_bound(const seg_call *c, int64_t value)
{
    int64_t lo = 0, hi = c->offsets_count;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (offset_at(c, mid) < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The start bytes of scan positions [a, a + len) of the lane: bool or
 * int8 flags in a row as they are, else made in `start`. *cursor: -1, or
 * where the previous tile (the one ending at a) left the offsets. At a == 0 only
 * start[0] may be anything: a lane's first value always starts. Under
 * REVERSE the views are flipped, so a flag (or offset) at forward position
 * p starts the segment that, in scan order, begins right after it. */
static const uint8_t *tile_starts(const seg_call *c, const char *seg, int64_t a, int64_t len,
                                  uint8_t *start, int64_t *cursor)
{
    switch (c->kind) {
    case PSCAN_SEGMENT_FLAGS:
        if (!c->reverse && c->seg_item == 1 && c->seg_stride == 1)
            return (const uint8_t *)seg + a;
        if (!c->reverse) {
            flags_nonzero(seg + a * c->seg_stride, c->seg_stride, c->seg_item, len, start);
        } else if (a > 0) {
            flags_nonzero(seg + (a - 1) * c->seg_stride, c->seg_stride, c->seg_item, len, start);
        } else {
            start[0] = 1;
            flags_nonzero(seg, c->seg_stride, c->seg_item, len - 1, start + 1);
        }
        break;
    case PSCAN_SEGMENT_KEYS:
        start[0] = 1;
        for (int64_t k = a == 0 ? 1 : 0; k < len; k++) {
            const char *key = seg + (a + k) * c->seg_stride;
            start[k] = !keys_equal(c->seg_dtype, key, key - c->seg_stride);
        }
        break;
    case PSCAN_SEGMENT_OFFSETS:
        memset(start, 0, (size_t)len);
        if (!c->reverse) {
            /* Tiles are visited in order: after the first one the walk
             * goes on where the last stopped (a search per tile is a
             * cache miss per step over millions of offsets). */
            int64_t i = *cursor >= 0 ? *cursor : offsets_lower_bound(c, a);
            for (; i < c->offsets_count; i++) {
                const int64_t o = offset_at(c, i);
                if (o >= a + len)
                    break;
                start[o - a] = 1;
            }
            *cursor = i;
        } else { /* scan position n - o for offsets o in (n - a - len, n - a] */
            for (int64_t i = offsets_lower_bound(c, c->n - a - len + 1); i < c->offsets_count;
                 i++) {
                const int64_t o = offset_at(c, i);
                if (o > c->n - a)
                    break;
                start[c->n - o - a] = 1;
            }
        }
        break;
    }
    return start;
}

/* ---- Tiles ---- */

/* A member's scratch: start bytes, then a tile of accumulators. */
static uint8_t *member_starts(const seg_call *c, int member)
{
    return (uint8_t *)(c->scratch + (size_t)member * c->member_bytes);
}
static char *member_buffer(const seg_call *c, int member)
{
    return c->scratch + (size_t)member * c->member_bytes + PSCAN_TILE;
}

/* Elements [a, a + len) of the lane as accumulators: in itself (direct)
 * or converted into the member's buffer. */
static const char *tile_values(const seg_call *c, const seg_lane *lane, int64_t a, int64_t len,
                               char *buffer, ptrdiff_t *stride)
{
    const char *src = lane->in + a * c->in_stride;
    if (c->direct) {
        *stride = c->in_stride;
        return src;
    }
    c->load(src, c->in_stride, buffer, (ptrdiff_t)c->acc_size, (size_t)len);
    *stride = (ptrdiff_t)c->acc_size;
    return buffer;
}

/* Scan tile t of the lane from carry (NULL: the lane's first tile); its
 * last inclusive result goes to last (may be carry). */
static void scan_tile(const seg_call *c, int member, const seg_lane *lane, int64_t t,
                      const void *carry, void *last, int64_t *cursor)
{
    const int64_t a = t * PSCAN_TILE, len = c->n - a < PSCAN_TILE ? c->n - a : PSCAN_TILE;
    char *buffer = member_buffer(c, member);
    const uint8_t *start = tile_starts(c, lane->seg, a, len, member_starts(c, member), cursor);
    char *dst = lane->out + a * c->out_stride;
    ptrdiff_t stride;
    const char *src = tile_values(c, lane, a, len, buffer, &stride);
    const ptrdiff_t acc = (ptrdiff_t)c->acc_size;
    if (c->vector_scan && stride == acc && c->direct && c->out_stride == acc) {
        /* the in-register step straight into out, streamed when big: no
         * buffer to copy */
        c->vector_scan(src, stride, dst, acc, start, (size_t)len, carry, c->tiled, c->exclusive,
                       c->identity, last, c->stream != NULL);
        return;
    }
    if (c->direct && !c->stream && !c->stream_reversed) {
        c->steps->scan(src, stride, dst, c->out_stride, start, (size_t)len, carry, c->tiled,
                       c->exclusive, c->identity, last);
        return;
    }
    if (c->vector_scan && stride == acc)
        c->vector_scan(src, stride, buffer, acc, start, (size_t)len, carry, c->tiled, c->exclusive,
                       c->identity, last, 0);
    else
        c->steps->scan(src, stride, buffer, acc, start, (size_t)len, carry, c->tiled, c->exclusive,
                       c->identity, last);
    if (c->stream)
        c->stream(dst, buffer, (size_t)len * c->acc_size);
    else if (c->stream_reversed) /* out runs down in memory: its lowest address first */
        c->stream_reversed(dst - (len - 1) * acc, buffer, (size_t)len, c->acc_size);
    else
        c->store(buffer, acc, dst, c->out_stride, (size_t)len);
}

/* Tile t's part of the segment it ends in: that segment's values in the
 * tile reduced left to right; *has_start: the tile starts a segment. */
static void reduce_tile(const seg_call *c, int member, const seg_lane *lane, int64_t t, void *part,
                        uint8_t *has_start, int64_t *cursor)
{
    const int64_t a = t * PSCAN_TILE, len = c->n - a < PSCAN_TILE ? c->n - a : PSCAN_TILE;
    int64_t from = len - 1;
    if (c->kind == PSCAN_SEGMENT_OFFSETS && !c->reverse) {
        /* the tile's last offset is its last start: no start bytes made */
        int64_t i = *cursor >= 0 ? *cursor : offsets_lower_bound(c, a);
        while (i < c->offsets_count && offset_at(c, i) < a + len)
            i++;
        *cursor = i;
        const int64_t last_start = i > 0 ? offset_at(c, i - 1) : -1;
        from = last_start >= a ? last_start - a : 0;
        *has_start = last_start >= a || a == 0;
    } else {
        const uint8_t *start = tile_starts(c, lane->seg, a, len, member_starts(c, member), cursor);
        while (from > 0 && !start[from])
            from--;
        *has_start = start[from] != 0 || a == 0;
    }
    ptrdiff_t stride;
    const char *src = tile_values(c, lane, a + from, len - from, member_buffer(c, member), &stride);
    c->steps->fold(src, stride, (size_t)(len - from), part, 0);
}

/* ---- Teams ---- */

static void lanes_member(void *arg, int member, int members)
{
    seg_call *c = arg;
    _Alignas(16) char carry[PSCAN_COMPLEX_PAIR_BYTES];
    const int64_t first = c->lanes * member / members, last = c->lanes * (member + 1) / members;
    for (int64_t k = first; k < last; k++) {
        const seg_lane lane = lane_at(c, k);
        int64_t cursor = -1;
        for (int64_t t = 0; t < c->tiles; t++)
            scan_tile(c, member, &lane, t, t ? carry : NULL, carry, &cursor);
    }
}

/* Member 0, between the phases: each tile's carry is the chain of the
 * parts before it, a part with a start replacing the chain. */
static void chain_tiles(const seg_call *c, const seg_lane *lane)
{
    _Alignas(16) char chain[PSCAN_COMPLEX_PAIR_BYTES];
    const size_t bytes = c->acc_size;
    for (int64_t t = 0; t < c->tiles; t++) {
        const char *part = c->tile_part + (size_t)t * bytes;
        if (t > 0)
            memcpy(c->tile_carry + (size_t)t * bytes, chain, bytes);
        if (c->tile_has[t]) {
            memcpy(chain, part, bytes);
        } else if (c->seq_fold) { /* left to right through the tile's values */
            const int64_t a = t * PSCAN_TILE, len = c->n - a < PSCAN_TILE ? c->n - a : PSCAN_TILE;
            ptrdiff_t stride;
            const char *src = tile_values(c, lane, a, len, member_buffer(c, 0), &stride);
            c->steps->fold(src, stride, (size_t)len, chain, 1);
        } else {
            c->steps->combine(chain, part, chain);
        }
    }
}

static void blocks_member(void *arg, int member, int members)
{
    seg_call *c = arg;
    const int64_t first = c->tiles * member / members, last = c->tiles * (member + 1) / members;
    for (int64_t k = 0; k < c->lanes; k++) {
        const seg_lane lane = lane_at(c, k);
        int64_t cursor = -1;
        for (int64_t t = first; t < last; t++)
            reduce_tile(c, member, &lane, t, c->tile_part + (size_t)t * c->acc_size,
                        &c->tile_has[t], &cursor);
#pragma omp barrier
        if (member == 0)
            chain_tiles(c, &lane);
#pragma omp barrier
        cursor = -1;
        for (int64_t t = first; t < last; t++) {
            char *carry = c->tile_carry + (size_t)t * c->acc_size;
            scan_tile(c, member, &lane, t, t ? carry : NULL, carry, &cursor);
        }
#pragma omp barrier
    }
}

static void overflow_member(void *arg, int member, int members)
{
    seg_call *c = arg;
    _Alignas(16) char state[16];
    const int64_t first = c->lanes * member / members, last = c->lanes * (member + 1) / members;
    for (int64_t k = first; k < last; k++) {
        if (atomic_load_explicit(&c->overflowed, memory_order_relaxed))
            return;
        const seg_lane lane = lane_at(c, k);
        int has = 0, pending = 0;
        int64_t cursor = -1;
        for (int64_t t = 0; t < c->tiles; t++) {
            const int64_t a = t * PSCAN_TILE, len = c->n - a < PSCAN_TILE ? c->n - a : PSCAN_TILE;
            const uint8_t *start =
                tile_starts(c, lane.seg, a, len, member_starts(c, member), &cursor);
            ptrdiff_t stride;
            const char *src = tile_values(c, &lane, a, len, member_buffer(c, member), &stride);
            if (c->steps->overflows(src, stride, start, (size_t)len, c->exclusive, state, &has,
                                    &pending)) {
                atomic_store_explicit(&c->overflowed, 1, memory_order_relaxed);
                return;
            }
        }
    }
}

/* ---- Checks and layout ---- */

/* The segment array's view, whether it is shared by every lane, and the
 * offsets' validity; everything pscan_scan does not check. */
static pscan_status check_segments(const pscan_request *rq, const pscan_segments *segments,
                                   int64_t n, pscan_view *seg, bool *shared)
{
    const pscan_array *array = &segments->array;
    if ((int)segments->kind < PSCAN_SEGMENT_FLAGS || segments->kind > PSCAN_SEGMENT_KEYS ||
        !pscan_dtype_valid(array->dtype) || array->ndim < 0 || array->ndim > PSCAN_MAX_DIMS)
        return PSCAN_ESEGMENTS;
    if (array->ndim > 0 && !array->shape)
        return PSCAN_ENULL;
    for (int d = 0; d < array->ndim; d++)
        if (array->shape[d] < 0)
            return PSCAN_ESEGMENTS;
    pscan_status status = pscan_view_init(seg, array);
    if (status != PSCAN_OK)
        return status;
    if (seg->size > 0 && !seg->data)
        return PSCAN_ENULL;
    if (segments->kind == PSCAN_SEGMENT_OFFSETS) {
        if (array->dtype != PSCAN_INT64 || array->ndim != 1)
            return PSCAN_ESEGMENTS;
        int64_t previous = 0;
        for (int64_t i = 0; i < seg->shape[0]; i++) {
            int64_t o;
            memcpy(&o, seg->data + i * seg->strides[0], sizeof o);
            if (o < previous || o > n)
                return PSCAN_ESEGMENTS;
            previous = o;
        }
        *shared = true;
        return PSCAN_OK;
    }
    if (segments->kind == PSCAN_SEGMENT_FLAGS) {
        const pscan_kind kind = pscan_dtype_kind(array->dtype);
        if (kind != PSCAN_KIND_BOOL && kind != PSCAN_KIND_INT && kind != PSCAN_KIND_UINT)
            return PSCAN_ESEGMENTS;
    }
    bool same_shape = seg->ndim == rq->in.ndim;
    for (int d = 0; same_shape && d < seg->ndim; d++)
        same_shape = seg->shape[d] == rq->in.shape[d];
    *shared = !same_shape;
    if (!same_shape && !(seg->ndim == 1 && seg->shape[0] == n))
        return PSCAN_ESEGMENTS;
    return PSCAN_OK;
}

/* What the scan reads and writes: the flattening as 1-D views, copies of
 * what out overlaps, REVERSE's flips. copies[] gets what to free. */
static pscan_status prepare_views(const pscan_request *rq, pscan_segment_kind kind, bool shared,
                                  pscan_view *in, pscan_view *out, pscan_view *seg, int *axis,
                                  char *copies[3])
{
    pscan_status status = PSCAN_OK;
    *in = rq->in;
    *out = rq->out;
    *axis = rq->flatten ? 0 : rq->axis;
    const bool has_seg = kind != PSCAN_SEGMENT_OFFSETS;
    pscan_view flat;
    if (rq->flatten) {
        if (pscan_view_flatten(in, &flat))
            *in = flat;
        else if ((status = pscan_view_copy(in, true, &copies[0])) != PSCAN_OK)
            return status;
        if (has_seg && !shared) {
            if (pscan_view_flatten(seg, &flat))
                *seg = flat;
            else if ((status = pscan_view_copy(seg, true, &copies[1])) != PSCAN_OK)
                return status;
        }
    }
    if (!copies[0] && pscan_views_intersect(in, out) && !pscan_views_coincide(in, out) &&
        (status = pscan_view_copy(in, false, &copies[0])) != PSCAN_OK)
        return status;
    if (!copies[1] && pscan_views_intersect(seg, out) &&
        (status = pscan_view_copy(seg, false, &copies[1])) != PSCAN_OK)
        return status;
    (void)copies[2];
    if (rq->opts.flags & PSCAN_FLAG_REVERSE) {
        pscan_view_along(in, *axis, 0, in->shape[*axis], true, in);
        pscan_view_along(out, *axis, 0, out->shape[*axis], true, out);
        if (has_seg) {
            const int seg_axis = shared ? 0 : *axis;
            pscan_view_along(seg, seg_axis, 0, seg->shape[seg_axis], true, seg);
        }
    }
    return PSCAN_OK;
}

static void describe_lanes(seg_call *c, const pscan_view *in, const pscan_view *out,
                           const pscan_view *seg, bool per_lane_seg, int axis)
{
    c->n = in->shape[axis];
    c->lanes = c->n ? in->size / c->n : 0;
    c->tiles = (c->n + PSCAN_TILE - 1) / PSCAN_TILE;
    c->in = in->data;
    c->out = out->data;
    c->in_stride = in->strides[axis];
    c->out_stride = out->strides[axis];
    c->other_ndim = 0;
    for (int d = 0; d < in->ndim; d++) {
        if (d == axis)
            continue;
        c->other_shape[c->other_ndim] = in->shape[d];
        c->in_step[c->other_ndim] = in->strides[d];
        c->out_step[c->other_ndim] = out->strides[d];
        c->seg_step[c->other_ndim] = per_lane_seg ? seg->strides[d] : 0;
        c->other_ndim++;
    }
}

pscan_status pscan_scan_segmented(pscan_op op, const pscan_array *in_array, int axis,
                                  pscan_dtype dtype, const pscan_array *out_array,
                                  const pscan_segments *segments, const pscan_opts *opts)
{
    /* INCLUDE_INITIAL would add one slot to a lane of many segments: no
     * meaning EXCLUSIVE does not give. Refused before out's shape is
     * checked against it. */
    pscan_opts read;
    pscan_status status = pscan_opts_read(opts, &read);
    if (status == PSCAN_OK && (read.flags & PSCAN_FLAG_INCLUDE_INITIAL))
        return PSCAN_EOPTS;
    pscan_request rq;
    if ((status = pscan_request_init(&rq, op, in_array, axis, dtype, out_array, opts)) != PSCAN_OK)
        return status;
    const bool compensated = pscan_compensates(op, rq.acc, &rq.opts);
    const bool complex_acc = rq.acc == PSCAN_COMPLEX64 || rq.acc == PSCAN_COMPLEX128;
    const int kt = compensated ? (complex_acc ? PSCAN_SEG_KT_COMPLEX_PAIR : PSCAN_SEG_KT_PAIR)
                               : (int)rq.acc - 1;
    seg_call c;
    memset(&c, 0, sizeof c);
    if (!(c.steps = pscan_seg_steps_get(pscan_kernel_op(op, rq.opts.order), kt)))
        return PSCAN_EOP;
    c.vector_scan = pscan_seg_vector_get(op, kt);
    if (!segments)
        return PSCAN_ENULL;
    const int64_t n = rq.flatten ? rq.in.size : rq.in.shape[rq.axis];
    pscan_view seg;
    bool shared = false;
    if ((status = check_segments(&rq, segments, n, &seg, &shared)) != PSCAN_OK)
        return status;
    if (rq.in.size == 0)
        return PSCAN_OK;

    const bool skip_nan =
        (rq.opts.flags & PSCAN_FLAG_SKIP_NAN) && pscan_dtype_is_inexact(rq.in.dtype);
    const bool order_matters =
        pscan_dtype_is_inexact(rq.acc) && (op == PSCAN_SUM || op == PSCAN_PROD);
    c.kind = segments->kind;
    c.reverse = rq.opts.flags & PSCAN_FLAG_REVERSE;
    c.exclusive = (rq.opts.flags & PSCAN_FLAG_EXCLUSIVE) != 0;
    c.tiled = order_matters && rq.opts.order == PSCAN_ORDER_REPRODUCIBLE;
    c.seq_fold = order_matters && !c.tiled;
    c.acc_size = pscan_state_bytes(op, rq.acc, &rq.opts);
    if (compensated) {
        c.load = skip_nan ? pscan_convert_get_to_pair_skip_nan(rq.in.dtype, rq.acc)
                          : pscan_convert_get_to_pair(rq.in.dtype, rq.acc);
        c.store = pscan_convert_get_from_pair(rq.acc, rq.out.dtype);
    } else {
        c.load = pscan_load_for(op, rq.in.dtype, rq.acc, &rq.opts);
        c.store = pscan_convert_get(rq.acc, rq.out.dtype);
        c.direct = rq.in.dtype == rq.acc && rq.out.dtype == rq.acc && !skip_nan;
        pscan_identity(op, rq.acc, c.identity);
    }

    char *copies[3] = {NULL, NULL, NULL};
    pscan_view in, out;
    int scan_axis;
    if ((status = prepare_views(&rq, c.kind, shared, &in, &out, &seg, &scan_axis, copies)) !=
        PSCAN_OK)
        goto done;
    describe_lanes(&c, &in, &out, &seg, c.kind != PSCAN_SEGMENT_OFFSETS && !shared, scan_axis);
    if (c.kind == PSCAN_SEGMENT_OFFSETS) {
        c.offsets = seg.data;
        c.offsets_stride = seg.strides[0];
        c.offsets_count = seg.shape[0];
    } else {
        c.seg = seg.data;
        c.seg_dtype = seg.dtype;
        c.seg_item = pscan_dtype_size(seg.dtype);
        c.seg_stride = shared ? seg.strides[0] : seg.strides[scan_axis];
    }

    /* Many lanes: whole lanes per member. Few long lanes: every member
     * takes part in each lane's three phases. */
    if (c.direct && (uint64_t)in.size * c.acc_size >= (uint64_t)rq.ctx->tuning.stream_min_bytes) {
        if (c.out_stride == (int64_t)c.acc_size)
            c.stream = pscan_kernel_stream_copy();
        else if (c.out_stride == -(int64_t)c.acc_size)
            c.stream_reversed = pscan_kernel_stream_copy_reversed();
    }
    const int useful = pscan_useful_threads(&rq.ctx->tuning, rq.threads, in.size);
    const bool by_lanes = c.lanes >= useful || c.tiles < 2 * (int64_t)useful;
    const int team = by_lanes ? (int)(c.lanes < useful ? c.lanes : useful) : useful;
    c.member_bytes = PSCAN_TILE + (size_t)PSCAN_TILE * c.acc_size;
    const size_t tile_bytes = by_lanes ? 0 : (size_t)c.tiles * (2 * c.acc_size + 1);
    c.scratch = malloc(c.member_bytes * (size_t)team + tile_bytes + 64);
    if (!c.scratch) {
        status = PSCAN_ENOMEM;
        goto done;
    }
    c.tile_part = c.scratch + c.member_bytes * (size_t)team;
    c.tile_carry = c.tile_part + (size_t)c.tiles * c.acc_size * !by_lanes;
    c.tile_has = (uint8_t *)c.tile_carry + (size_t)c.tiles * c.acc_size * !by_lanes;

    const bool integer_acc =
        pscan_dtype_kind(rq.acc) == PSCAN_KIND_INT || pscan_dtype_kind(rq.acc) == PSCAN_KIND_UINT;
    if ((rq.opts.flags & PSCAN_FLAG_CHECK_OVERFLOW) && integer_acc &&
        (op == PSCAN_SUM || op == PSCAN_PROD)) {
        atomic_init(&c.overflowed, 0);
        const int check_team = c.lanes < useful ? (int)c.lanes : useful;
        pscan_engine_team(rq.ctx, check_team, NULL, overflow_member, &c);
        if (atomic_load(&c.overflowed)) {
            status = PSCAN_EOVERFLOW;
            goto done;
        }
    }
    pscan_engine_team(rq.ctx, team, NULL, by_lanes ? lanes_member : blocks_member, &c);
done:
    free(c.scratch);
    for (int k = 0; k < 3; k++)
        free(copies[k]);
    return status;
}
