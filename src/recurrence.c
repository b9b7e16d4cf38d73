/* recurrence.c - pscan_linear_recurrence: out[i] = a[i] * out[i-1] + b[i]
 * along every lane, as a scan over the pairs (a, b).
 *
 * Checks go through the one door (request.h) once per array; flags turn
 * the call into an inclusive recurrence over views (as api.c does for
 * scans); an input out overlaps other than exactly in place, or a
 * flattening that is no single run, is first copied (converted to the
 * value type). Every allocation comes before the first write to out.
 *
 * REPRODUCIBLE lanes are cut into tiles of PSCAN_TILE elements. A block of
 * tiles is read once to reduce its tiles to pairs, the incoming value of
 * each tile is chained from the block's own incoming value, then the block
 * is scanned again from cache. Few long lanes: blocks
 * are claimed in order by the team, and a block waits only for the value
 * its predecessor publishes after its reduce (not after its scan), so the
 * threads overlap everything but a chain of one step per tile.
 * Many lanes: whole lanes per thread, block after block. */
#include "context.h"
#include "dtype.h"
#include "engine.h"
#include "kernels/kernels.h"
#include "layout.h"
#include "recurrence.h"
#include "request.h"
#include "spin.h"
#include "tile.h"
#include "tuning.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A thread's own lanes go by blocks of 8 tiles: a and b (float64: 512
 * KiB) stay in a 1 MiB L2 between the reduce and the scan of a block.
 * Blocks shared by the team are 64 tiles (4 MiB of float64 a and b, kept
 * in L3): every block waits for the one before it, and on a loaded host a
 * descheduled predecessor stalls its successor for a time slice; with 8
 * tiles, 2 threads ran up to 6x slower than 1 on a 2-core VM at load 8. */
enum { REC_BLOCK_TILES = 8, REC_SHARED_BLOCK_TILES = 64 };

/* Values are at most complex128. */
enum { REC_VALUE_MAX = 16 };

/* Lanes per thread under which a few long lanes are cut into blocks
 * shared by the team instead of given to threads whole. */
enum { REC_LANES_PER_THREAD = 4 };

enum { REC_NO_MEANING = PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_COMPENSATED };

/* The end value of a block, published for the next block of its lane. */
typedef struct rec_slot {
    _Atomic int ready;
    _Alignas(16) char value[REC_VALUE_MAX];
    char pad[64 - 2 * REC_VALUE_MAX]; /* one slot per cache line */
} rec_slot;

/* One of a, b: a view of the scan's shape, read in place or converted a
 * block at a time. */
typedef struct rec_input {
    pscan_view view;
    pscan_convert_fn convert; /* NULL: view's dtype is the value type */
    char *copy;               /* owned snapshot the view points into */
} rec_input;

typedef struct rec_call {
    const pscan_rec_kernels *kernels;
    pscan_dtype type;
    size_t value_size;
    rec_input a, b;
    pscan_view out; /* the outputs the recurrence writes */
    int axis;       /* of a, b and out */
    int64_t len;    /* elements of a lane */
    int64_t lanes;
    const char *y0; /* value of lane k at y0 + k * y0_step */
    size_t y0_step;
    bool sequential;
    bool blocks;       /* blocks shared by the team, else lanes per thread */
    int64_t block_len; /* elements: a multiple of PSCAN_TILE */
    int64_t blocks_per_lane;
    /* Big contiguous outs (either direction) are scanned into the
     * scratch and streamed out with non-temporal stores: out's lines are
     * then never read before they are written, a quarter of the traffic. */
    pscan_copy_fn stream;
    pscan_reverse_copy_fn stream_reversed;
    char *scratch;
    size_t scratch_per_member;
    size_t convert_offset_b, pairs_offset, incoming_offset, out_offset;
    _Atomic int64_t next_block;
    rec_slot *slots;
} rec_call;

/* The input's elements copied in C order, converted to `type`; the input
 * then reads the copy (one run of `flat` length when asked). */
static pscan_status snapshot(rec_input *in, pscan_dtype type, bool flat)
{
    const pscan_view *v = &in->view;
    const size_t value_size = pscan_dtype_size(type);
    char *copy = malloc((size_t)v->size * value_size + 1);
    if (!copy)
        return PSCAN_ENOMEM;
    if (v->size > 0) {
        const pscan_convert_fn convert = pscan_convert_get(v->dtype, type);
        const int last = v->ndim - 1;
        const int64_t row = v->shape[last];
        pscan_view heads;
        pscan_view_along(v, last, 0, 1, false, &heads);
        int64_t index[PSCAN_MAX_DIMS] = {0};
        char *at = heads.data;
        for (int64_t r = 0; r < heads.size; r++) {
            convert(at, (ptrdiff_t)v->strides[last], copy + (size_t)(r * row) * value_size,
                    (ptrdiff_t)value_size, (size_t)row);
            pscan_view_step(&heads, index, &at);
        }
    }
    int64_t shape[PSCAN_MAX_DIMS];
    for (int d = 0; d < v->ndim; d++)
        shape[d] = v->shape[d];
    const int64_t flat_len = v->size;
    const pscan_array array = {copy, type, flat ? 1 : v->ndim, flat ? &flat_len : shape, NULL};
    free(in->copy);
    in->copy = copy;
    in->convert = NULL;
    /* Fewer bytes than the checked input's: cannot fail. */
    (void)pscan_view_init(&in->view, &array);
    return PSCAN_OK;
}

/* Address of lane `lane` (C order of the dims other than axis). */
static char *lane_base(const pscan_view *v, int axis, int64_t lane)
{
    char *at = v->data;
    for (int d = v->ndim - 1; d >= 0; d--) {
        if (d == axis)
            continue;
        at += (lane % v->shape[d]) * v->strides[d];
        lane /= v->shape[d];
    }
    return at;
}

/* Elements [first, first + count) of a lane of `in`, converted into
 * `scratch` if they need it. */
static void input_run(const rec_call *c, const rec_input *in, int64_t lane, int64_t first,
                      int64_t count, char *scratch, const char **at, ptrdiff_t *stride)
{
    const ptrdiff_t step = (ptrdiff_t)in->view.strides[c->axis];
    const char *from = lane_base(&in->view, c->axis, lane) + first * step;
    if (!in->convert) {
        *at = from;
        *stride = step;
        return;
    }
    in->convert(from, step, scratch, (ptrdiff_t)c->value_size, (size_t)count);
    *at = scratch;
    *stride = (ptrdiff_t)c->value_size;
}

/* Block `block` of lane `lane` from the value *y (updated to the block's
 * end value). `wait_for`: the predecessor's slot whose value is the
 * block's incoming one; `publish`: where the next block finds its own. */
static void rec_block(const rec_call *c, char *scratch, int64_t lane, int64_t block, char *y,
                      rec_slot *wait_for, rec_slot *publish)
{
    const int64_t first = block * c->block_len;
    const int64_t count = c->len - first < c->block_len ? c->len - first : c->block_len;
    pscan_rec_run run;
    input_run(c, &c->a, lane, first, count, scratch, &run.a, &run.a_stride);
    input_run(c, &c->b, lane, first, count, scratch + c->convert_offset_b, &run.b, &run.b_stride);
    const ptrdiff_t out_stride = (ptrdiff_t)c->out.strides[c->axis];
    char *const out = lane_base(&c->out, c->axis, lane) + first * out_stride;
    const bool streamed = c->stream || c->stream_reversed;
    run.out_stride = streamed ? (ptrdiff_t)c->value_size : out_stride;
    run.out = streamed ? scratch + c->out_offset : out;
    run.len = count;
    const bool one_tile = count <= PSCAN_TILE; /* the lane's last: no one needs its end */
    if (!c->sequential && !one_tile)
        c->kernels->reduce(&run, scratch + c->pairs_offset);
    if (wait_for) {
        for (unsigned spins = 0; !atomic_load_explicit(&wait_for->ready, memory_order_acquire);
             spins++)
            pscan_spin_step(spins);
        memcpy(y, wait_for->value, c->value_size);
    }
    if (c->sequential || one_tile) { /* one tile's outputs are the loop's */
        c->kernels->loop(&run, y, y);
    } else {
        const int64_t tiles = (count + PSCAN_TILE - 1) / PSCAN_TILE;
        c->kernels->chain(scratch + c->pairs_offset, tiles, y, scratch + c->incoming_offset, y);
        if (publish) {
            memcpy(publish->value, y, c->value_size);
            atomic_store_explicit(&publish->ready, 1, memory_order_release);
        }
        c->kernels->scan(&run, scratch + c->incoming_offset);
    }
    if (c->stream)
        c->stream(out, run.out, (size_t)count * c->value_size);
    else if (c->stream_reversed)
        c->stream_reversed(out - (count - 1) * (ptrdiff_t)c->value_size, run.out, (size_t)count,
                           c->value_size);
}

static void rec_member(void *arg, int member, int members)
{
    rec_call *c = arg;
    char *scratch = c->scratch + (size_t)member * c->scratch_per_member;
    _Alignas(16) char y[REC_VALUE_MAX];
    const int64_t per_lane = c->blocks_per_lane;
    if (!c->blocks) {
        const int64_t lo = c->lanes * member / members, hi = c->lanes * (member + 1) / members;
        for (int64_t lane = lo; lane < hi; lane++) {
            memcpy(y, c->y0 + (size_t)lane * c->y0_step, c->value_size);
            for (int64_t block = 0; block < per_lane; block++)
                rec_block(c, scratch, lane, block, y, NULL, NULL);
        }
        return;
    }
    /* Claimed in order: the block waited for is claimed already, by a
     * thread that waits only for blocks claimed before it. */
    const int64_t total = per_lane * c->lanes;
    for (;;) {
        const int64_t item = atomic_fetch_add_explicit(&c->next_block, 1, memory_order_relaxed);
        if (item >= total)
            return;
        const int64_t lane = item / per_lane, block = item % per_lane;
        if (block == 0)
            memcpy(y, c->y0 + (size_t)lane * c->y0_step, c->value_size);
        rec_block(c, scratch, lane, block, y, block > 0 ? &c->slots[item - 1] : NULL,
                  block + 1 < per_lane ? &c->slots[item] : NULL);
    }
}

/* ---- Checks ---- */

static bool is_value_type(pscan_dtype t)
{
    return t == PSCAN_FLOAT32 || t == PSCAN_FLOAT64 || t == PSCAN_COMPLEX64 ||
           t == PSCAN_COMPLEX128;
}

static bool same_shape(const pscan_view *x, const pscan_view *y)
{
    if (x->ndim != y->ndim)
        return false;
    for (int d = 0; d < x->ndim; d++)
        if (x->shape[d] != y->shape[d])
            return false;
    return true;
}

/* y0: a 0-d array, or one of out's shape without the axis (none when
 * flattening: then only 0-d). */
static bool y0_shape_fits(const pscan_array *y0, const pscan_request *rq)
{
    if (y0->ndim == 0)
        return true;
    if (rq->flatten || y0->ndim != rq->out.ndim - 1)
        return false;
    for (int d = 0, k = 0; d < rq->out.ndim; d++)
        if (d != rq->axis && y0->shape[k++] != rq->out.shape[d])
            return false;
    return true;
}

/* ---- The call ---- */

/* The lanes' starting values in the value type: one for all (NULL, 0-d)
 * or one per lane in C order. Copied first: y0 may overlap out. */
static pscan_status take_y0(const pscan_request *ry, const pscan_array *y0, rec_call *c,
                            char **owned)
{
    static const char zero[REC_VALUE_MAX] = {0};
    *owned = NULL;
    c->y0_step = 0;
    if (!y0) {
        c->y0 = zero;
        return PSCAN_OK;
    }
    const pscan_view *v = &ry->in;
    char *values = malloc((size_t)v->size * c->value_size + 1);
    if (!values)
        return PSCAN_ENOMEM;
    const pscan_convert_fn convert = pscan_convert_get(v->dtype, c->type);
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = v->data;
    for (int64_t k = 0; k < v->size; k++) {
        convert(at, 0, values + (size_t)k * c->value_size, 0, 1);
        pscan_view_step(v, index, &at);
    }
    c->y0 = values;
    c->y0_step = y0->ndim == 0 ? 0 : c->value_size;
    *owned = values;
    return PSCAN_OK;
}

/* Reverse flips the lanes; exclusive and include-initial put y0 first
 * (out's first slice in scan order) and the inclusive recurrence after it,
 * exclusive over all but the last element. */
static void apply_flags(rec_call *c, unsigned flags, pscan_view *initial, bool *has_initial)
{
    const int axis = c->axis;
    if (flags & PSCAN_FLAG_REVERSE) {
        pscan_view_along(&c->a.view, axis, 0, c->a.view.shape[axis], true, &c->a.view);
        pscan_view_along(&c->b.view, axis, 0, c->b.view.shape[axis], true, &c->b.view);
        pscan_view_along(&c->out, axis, 0, c->out.shape[axis], true, &c->out);
    }
    *has_initial = false;
    const int64_t out_len = c->out.shape[axis];
    if (!(flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL)) || out_len == 0)
        return;
    *has_initial = true;
    pscan_view_along(&c->out, axis, 0, 1, false, initial);
    pscan_view_along(&c->out, axis, 1, out_len - 1, false, &c->out);
    if (flags & PSCAN_FLAG_EXCLUSIVE) {
        pscan_view_along(&c->a.view, axis, 0, out_len - 1, false, &c->a.view);
        pscan_view_along(&c->b.view, axis, 0, out_len - 1, false, &c->b.view);
    }
}

static void fill_initial(const rec_call *c, const pscan_view *initial)
{
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = initial->data;
    for (int64_t k = 0; k < initial->size; k++) { /* lanes in C order */
        memcpy(at, c->y0 + (size_t)k * c->y0_step, c->value_size);
        pscan_view_step(initial, index, &at);
    }
}

/* Memory for the run: per-thread scratch, the blocks' slots. */
static pscan_status prepare_team(rec_call *c, const pscan_request *rq, int *team)
{
    const int64_t total = c->lanes * c->len;
    int useful = pscan_useful_threads(pscan_context_tuning(rq->ctx), rq->threads, total);
    c->blocks = !c->sequential && useful > 1 && c->len > REC_BLOCK_TILES * PSCAN_TILE &&
                c->lanes < (int64_t)useful * REC_LANES_PER_THREAD;
    const int64_t block_tiles = c->blocks ? REC_SHARED_BLOCK_TILES : REC_BLOCK_TILES;
    c->block_len = block_tiles * PSCAN_TILE;
    c->blocks_per_lane = (c->len + c->block_len - 1) / c->block_len;
    const int64_t units = c->blocks ? c->lanes * c->blocks_per_lane : c->lanes;
    *team = units < useful ? (int)units : useful;
    if (*team < 1)
        *team = 1;
    const size_t block_bytes = (size_t)c->block_len * c->value_size;
    const size_t slot = c->kernels->slot_size;
    c->convert_offset_b = c->a.convert ? block_bytes : 0;
    c->pairs_offset = c->convert_offset_b + (c->b.convert ? block_bytes : 0);
    c->incoming_offset = c->pairs_offset + 2 * (size_t)block_tiles * slot;
    c->out_offset = (c->incoming_offset + (size_t)block_tiles * slot + 63) / 64 * 64;
    const int64_t out_stride = c->out.strides[c->axis];
    /* Not the loop: a latency-bound chain leaves memory idle, and the
     * copy out of the scratch would only add to it (20% at 2^26 float64). */
    const bool big = !c->sequential && total * (int64_t)c->value_size >=
                                           pscan_context_tuning(rq->ctx)->stream_min_bytes;
    c->stream = big && out_stride == (int64_t)c->value_size ? pscan_kernel_stream_copy() : NULL;
    c->stream_reversed =
        big && out_stride == -(int64_t)c->value_size ? pscan_kernel_stream_copy_reversed() : NULL;
    c->scratch_per_member = c->out_offset + (c->stream || c->stream_reversed ? block_bytes : 0);
    c->scratch = malloc(c->scratch_per_member * (size_t)*team);
    c->slots = c->blocks ? malloc((size_t)units * sizeof *c->slots) : NULL;
    if (!c->scratch || (c->blocks && !c->slots)) {
        free(c->scratch);
        free(c->slots);
        c->scratch = NULL;
        c->slots = NULL;
        return PSCAN_ENOMEM;
    }
    for (int64_t k = 0; c->blocks && k < units; k++)
        atomic_init(&c->slots[k].ready, 0);
    atomic_init(&c->next_block, 0);
    return PSCAN_OK;
}

pscan_status pscan_linear_recurrence(const pscan_array *a, const pscan_array *b, int axis,
                                     const pscan_array *y0, const pscan_array *out,
                                     const pscan_opts *opts)
{
    if (!a || !b || !out)
        return PSCAN_ENULL;
    pscan_opts read;
    pscan_status status = pscan_opts_read(opts, &read);
    if (status != PSCAN_OK)
        return status;
    if (read.flags & REC_NO_MEANING)
        return PSCAN_EOPTS;
    if (!is_value_type(out->dtype))
        return PSCAN_EDTYPE;
    /* b, then a, each checked as a scan's input into out accumulating in
     * out's dtype: shapes, axis, casting, out's own aliasing, sizes. */
    pscan_request rq, ra, ry;
    if ((status = pscan_request_init(&rq, PSCAN_SUM, b, axis, out->dtype, out, opts)) != PSCAN_OK ||
        (status = pscan_request_init(&ra, PSCAN_SUM, a, axis, out->dtype, out, opts)) != PSCAN_OK)
        return status;
    if (!same_shape(&ra.in, &rq.in))
        return PSCAN_EOUTSHAPE;
    if (y0) {
        status = pscan_request_init_input(&ry, PSCAN_SUM, y0, PSCAN_AXIS_NONE, out->dtype, opts);
        if (status != PSCAN_OK)
            return status;
        if (!y0_shape_fits(y0, &rq))
            return PSCAN_EOUTSHAPE;
    }

    rec_call c;
    c.type = out->dtype;
    c.kernels = pscan_rec_kernels_get(c.type);
    c.value_size = pscan_dtype_size(c.type);
    c.sequential = read.order == PSCAN_ORDER_SEQUENTIAL;
    c.a = (rec_input){ra.in, NULL, NULL};
    c.b = (rec_input){rq.in, NULL, NULL};
    c.out = rq.out;
    c.axis = rq.flatten ? 0 : rq.axis;
    c.scratch = NULL;
    c.slots = NULL;
    char *y0_values = NULL;
    if ((status = take_y0(&ry, y0, &c, &y0_values)) != PSCAN_OK)
        return status;
    rec_input *inputs[2] = {&c.a, &c.b};
    for (int k = 0; k < 2 && status == PSCAN_OK; k++) {
        pscan_view flat;
        if (!rq.flatten)
            continue;
        if (pscan_view_flatten(&inputs[k]->view, &flat))
            inputs[k]->view = flat;
        else
            status = snapshot(inputs[k], c.type, true);
    }
    pscan_view initial;
    bool has_initial = false;
    if (status == PSCAN_OK)
        apply_flags(&c, read.flags, &initial, &has_initial);
    for (int k = 0; k < 2 && status == PSCAN_OK; k++) {
        if (pscan_views_intersect(&inputs[k]->view, &rq.out) &&
            !pscan_views_coincide(&inputs[k]->view, &c.out))
            status = snapshot(inputs[k], c.type, false);
        if (status == PSCAN_OK && inputs[k]->view.dtype != c.type)
            inputs[k]->convert = pscan_convert_get(inputs[k]->view.dtype, c.type);
    }
    c.len = c.out.shape[c.axis];
    c.lanes = pscan_view_lanes(&c.out, c.axis);
    int team = 1;
    pscan_chunk *chunks = NULL;
    if (status == PSCAN_OK && c.out.size > 0) {
        status = prepare_team(&c, &rq, &team);
        if (status == PSCAN_OK && team > 1 && !(chunks = malloc((size_t)team * sizeof *chunks)))
            status = PSCAN_ENOMEM;
    }
    /* Nothing written before this point. */
    if (status == PSCAN_OK && c.out.size > 0) {
        const pscan_chunk *bind_to =
            team > 1 ? pscan_engine_team_binding(rq.ctx, team, c.out.size, chunks) : NULL;
        pscan_engine_team(rq.ctx, team, bind_to, rec_member, &c);
    }
    if (status == PSCAN_OK && has_initial)
        fill_initial(&c, &initial);
    free(chunks);
    free(c.scratch);
    free(c.slots);
    free(c.a.copy);
    free(c.b.copy);
    free(y0_values);
    return status;
}
