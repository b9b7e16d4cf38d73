/* generic_scan.c - the scan of opaque elements (generic_scan.h): lanes
 * split across threads, or, for fewer lanes than threads, their tiles in
 * three phases (tile totals, their prefixes, the tiles' scans). Elements
 * go through a per-thread buffer a chunk at a time, so an element of any
 * size and a lane of any stride cost one load and one store each. */
#include "generic_scan.h"

#include "engine.h"
#include "layout.h"
#include "tile.h"
#include "tuning.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
    SLOT_ALIGN = 64,       /* buffers start on a cache line */
    CHUNK_BYTES = 1 << 18, /* a chunk of elements stays in L2 */
    SLOTS = 3              /* running result, tile total, incoming total */
};

typedef struct generic_run {
    const pscan_generic_op *op;
    pscan_view in, out; /* flipped and shifted as the flags say */
    int axis;
    int64_t len; /* elements per lane */
    int64_t lanes;
    int64_t tile;      /* elements per tile (a whole lane under SEQUENTIAL) */
    int64_t tiles;     /* per lane */
    int64_t index_len; /* the lane's length in the caller's indexing */
    bool reversed;
    bool split_tiles;  /* fewer lanes than threads: tiles in three phases */
    size_t chunk;      /* elements per buffer load */
    size_t slot_bytes; /* one element, rounded to SLOT_ALIGN */
    size_t member_bytes;
    bool reduce_only;          /* pscan_generic_reduce: a total per lane */
    const char *incoming;      /* per lane, or NULL */
    const int64_t *index_base; /* per lane, or NULL */
    char *scratch;             /* per member: SLOTS slots, then a chunk */
    char *totals;              /* split_tiles: lanes * tiles elements; reduce_only: lanes */
} generic_run;

static size_t round_up(size_t bytes)
{
    return (bytes + SLOT_ALIGN - 1) / SLOT_ALIGN * SLOT_ALIGN;
}

/* Lane `lane` (any order: lanes are independent) of in and out. */
static void lane_bases(const generic_run *g, int64_t lane, const char **in_at, char **out_at)
{
    const char *i = g->in.data;
    char *o = g->out.data;
    for (int d = g->in.ndim - 1; d >= 0; d--) {
        if (d == g->axis)
            continue;
        const int64_t k = lane % g->in.shape[d];
        lane /= g->in.shape[d];
        i += k * g->in.strides[d];
        o += k * g->out.strides[d];
    }
    *in_at = i;
    *out_at = o;
}

/* Elements [first, first + count) of a lane: their total into `total`
 * (combined left to right) when it is not NULL; their outputs stored when
 * `scan`, from *incoming when it is not NULL. Leaves the last output in
 * the member's first slot. */
static void tile_pass(const generic_run *g, char *member, int64_t lane, const char *in_at,
                      char *out_at, int64_t first, int64_t count, const char *incoming, char *total,
                      bool scan)
{
    const pscan_generic_op *op = g->op;
    const size_t size = op->elem_size;
    assert(member); /* the scratch, allocated before the team started */
    char *acc = member, *buf = member + SLOTS * g->slot_bytes;
    const int64_t in_stride = g->in.strides[g->axis], out_stride = g->out.strides[g->axis];
    bool have_acc = incoming != NULL, have_total = false;
    if (incoming && incoming != acc)
        memcpy(acc, incoming, size);
    const int64_t base = g->index_base ? g->index_base[lane] : 0;
    for (int64_t done = 0; done < count;) {
        const size_t n = (size_t)(count - done) < g->chunk ? (size_t)(count - done) : g->chunk;
        const int64_t pos = first + done;
        op->load(in_at + pos * in_stride, in_stride, buf, n,
                 base + (g->reversed ? g->index_len - 1 - pos : pos), g->reversed ? -1 : 1,
                 op->ctx);
        if (total) {
            size_t skip = 0;
            if (!have_total) {
                memcpy(total, buf, size);
                have_total = true;
                skip = 1;
            }
            if (n > skip)
                op->run(total, buf + skip * size, NULL, n - skip, op->ctx);
        }
        if (scan) {
            size_t skip = 0;
            if (!have_acc) {
                memcpy(acc, buf, size);
                have_acc = true;
                skip = 1;
            }
            if (n > skip)
                op->run(acc, buf + skip * size, buf + skip * size, n - skip, op->ctx);
            op->store(buf, out_at + pos * out_stride, out_stride, n, op->ctx);
        }
        done += (int64_t)n;
    }
}

static const char *lane_incoming(const generic_run *g, int64_t lane)
{
    return g->incoming ? g->incoming + (size_t)lane * g->op->elem_size : NULL;
}

/* Whole lanes, each tile after tile: the tile's total (for the next
 * tile's incoming one) and its scan in one pass over the chunk. With
 * reduce_only, each lane's total alone, as one tile. */
static void scan_lanes(const generic_run *g, char *member, int64_t lo, int64_t hi)
{
    const pscan_generic_op *op = g->op;
    char *total = member + g->slot_bytes, *incoming = member + 2 * g->slot_bytes;
    for (int64_t lane = lo; lane < hi; lane++) {
        const char *in_at;
        char *out_at;
        lane_bases(g, lane, &in_at, &out_at);
        const char *from = lane_incoming(g, lane);
        if (g->reduce_only) {
            char *result = g->totals + (size_t)lane * op->elem_size;
            tile_pass(g, member, lane, in_at, out_at, 0, g->len, NULL, total, false);
            if (from)
                memcpy(result, from, op->elem_size);
            if (from && g->len > 0)
                op->run(result, total, NULL, 1, op->ctx);
            else if (g->len > 0)
                memcpy(result, total, op->elem_size);
            else if (!from)
                memcpy(result, op->identity, op->elem_size);
            continue;
        }
        bool have_incoming = from != NULL;
        if (from)
            memcpy(incoming, from, op->elem_size);
        for (int64_t t = 0; t < g->tiles; t++) {
            const int64_t first = t * g->tile;
            const int64_t count = g->len - first < g->tile ? g->len - first : g->tile;
            const bool more = t + 1 < g->tiles;
            tile_pass(g, member, lane, in_at, out_at, first, count, have_incoming ? incoming : NULL,
                      more ? total : NULL, true);
            if (more && have_incoming)
                op->run(incoming, total, NULL, 1, op->ctx);
            else if (more)
                memcpy(incoming, total, op->elem_size);
            have_incoming = true;
        }
    }
}

/* Tiles [lo, hi) of the lanes' tiles in lane order, in three phases. */
static void scan_split_tiles(const generic_run *g, char *member, int64_t lo, int64_t hi,
                             int member_index)
{
    const size_t size = g->op->elem_size;
    for (int64_t u = lo; u < hi; u++) {
        const int64_t lane = u / g->tiles, t = u % g->tiles;
        if (t + 1 == g->tiles)
            continue; /* the last tile's total goes nowhere */
        const char *in_at;
        char *out_at;
        lane_bases(g, lane, &in_at, &out_at);
        tile_pass(g, member, lane, in_at, out_at, t * g->tile, g->tile, NULL, g->totals + u * size,
                  false);
    }
#pragma omp barrier
    if (member_index == 0) /* totals[u] becomes P(t) = P(t-1) op A(t), P(-1) incoming */
        for (int64_t lane = 0; lane < g->lanes; lane++)
            for (int64_t t = 0; t + 1 < g->tiles; t++) {
                char *at = g->totals + (lane * g->tiles + t) * size;
                const char *before = t ? at - size : lane_incoming(g, lane);
                if (!before)
                    continue;
                memcpy(member, before, size);
                g->op->run(member, at, NULL, 1, g->op->ctx);
                memcpy(at, member, size);
            }
#pragma omp barrier
    for (int64_t u = lo; u < hi; u++) {
        const int64_t lane = u / g->tiles, t = u % g->tiles;
        const char *in_at;
        char *out_at;
        lane_bases(g, lane, &in_at, &out_at);
        const int64_t first = t * g->tile;
        const int64_t count = g->len - first < g->tile ? g->len - first : g->tile;
        tile_pass(g, member, lane, in_at, out_at, first, count,
                  t ? g->totals + (u - 1) * size : lane_incoming(g, lane), NULL, true);
    }
}

static void run_member(void *arg, int member, int members)
{
    const generic_run *g = arg;
    char *slots = g->scratch + (size_t)member * g->member_bytes;
    const int64_t units = g->split_tiles ? g->lanes * g->tiles : g->lanes;
    const int64_t lo = units * member / members, hi = units * (member + 1) / members;
    if (g->split_tiles)
        scan_split_tiles(g, slots, lo, hi, member);
    else
        scan_lanes(g, slots, lo, hi);
}

/* in as the lanes read it (flattened or packed, flipped); out as the
 * lanes write it (scan: flipped, and shifted with `initial` the identity
 * slice when has_initial); the team; the scratch. *copy is freed by the
 * caller. */
static pscan_status prepare(generic_run *g, const pscan_request *rq, bool scan, char **copy,
                            pscan_view *initial, bool *has_initial, int *team)
{
    const pscan_generic_op *op = g->op;
    const unsigned flags = rq->opts.flags;
    const bool shifts = scan && (flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL));
    g->in = rq->in;
    g->out = scan ? rq->out : rq->in;
    g->axis = rq->flatten ? 0 : rq->axis;
    bool walkable = true; /* a flattening needs in as one strided run */
    if (rq->flatten) {
        pscan_view one_run;
        if ((walkable = pscan_view_flatten(&g->in, &one_run)))
            g->in = one_run;
        if (!scan)
            g->out = g->in;
    }
    const bool in_place = !shifts && pscan_views_coincide(&g->in, &g->out);
    if (!walkable || (scan && pscan_views_intersect(&g->in, &g->out) && !in_place)) {
        const pscan_status status = pscan_view_copy(&g->in, rq->flatten, copy);
        if (status != PSCAN_OK)
            return status;
        if (!scan)
            g->out = g->in;
    }

    g->index_len = g->in.shape[g->axis];
    g->reversed = flags & PSCAN_FLAG_REVERSE;
    if (g->reversed) {
        pscan_view_along(&g->in, g->axis, 0, g->index_len, true, &g->in);
        pscan_view_along(&g->out, g->axis, 0, g->out.shape[g->axis], true, &g->out);
    }
    *has_initial = false;
    if (shifts && ((flags & PSCAN_FLAG_INCLUDE_INITIAL) || g->index_len > 0)) {
        *has_initial = true;
        pscan_view_along(&g->out, g->axis, 0, 1, false, initial);
        const int64_t len = flags & PSCAN_FLAG_EXCLUSIVE ? g->index_len - 1 : g->index_len;
        pscan_view_along(&g->out, g->axis, 1, len, false, &g->out);
        pscan_view_along(&g->in, g->axis, 0, len, false, &g->in);
    }

    g->len = g->in.shape[g->axis];
    g->lanes = pscan_view_lanes(&g->in, g->axis);
    const bool one_tile = !scan || rq->opts.order == PSCAN_ORDER_SEQUENTIAL;
    g->tile = one_tile ? (g->len > 0 ? g->len : 1) : PSCAN_TILE;
    g->tiles = (g->len + g->tile - 1) / g->tile;
    /* A thread's share is counted in 8-byte words: a wide element's
     * combine costs more than a number's. */
    const int64_t words = (int64_t)(op->elem_size + 7) / 8;
    const int64_t work = g->in.size > INT64_MAX / words ? INT64_MAX : g->in.size * words;
    *team = pscan_useful_threads(&rq->ctx->tuning, rq->threads, work);
    g->split_tiles = !one_tile && g->lanes < *team && g->tiles > 1;
    const int64_t units = g->split_tiles ? g->lanes * g->tiles : g->lanes;
    if (units < *team)
        *team = units > 0 ? (int)units : 1;

    g->slot_bytes = round_up(op->elem_size);
    const size_t per_chunk = CHUNK_BYTES / op->elem_size;
    g->chunk = per_chunk < 1 ? 1 : per_chunk < PSCAN_TILE ? per_chunk : PSCAN_TILE;
    g->member_bytes = SLOTS * g->slot_bytes + round_up(g->chunk * op->elem_size);
    g->scratch = aligned_alloc(SLOT_ALIGN, g->member_bytes * (size_t)*team);
    if (g->split_tiles)
        g->totals = aligned_alloc(SLOT_ALIGN, round_up((size_t)units * op->elem_size));
    if (!g->scratch || (g->split_tiles && !g->totals)) {
        free(g->scratch);
        free(g->totals);
        return PSCAN_ENOMEM;
    }
    return PSCAN_OK;
}

static void set_start(generic_run *g, const pscan_generic_start *start)
{
    g->incoming = start ? start->incoming : NULL;
    g->index_base = start ? start->index_base : NULL;
}

pscan_status pscan_generic_scan(const pscan_generic_op *op, const pscan_request *rq,
                                const pscan_generic_start *start)
{
    generic_run g = {.op = op};
    set_start(&g, start);
    char *copy = NULL;
    pscan_view initial;
    bool has_initial;
    int team;
    const pscan_status status = prepare(&g, rq, true, &copy, &initial, &has_initial, &team);
    if (status != PSCAN_OK) {
        free(copy);
        return status;
    }
    /* Nothing can fail from here on: out is written. The identity slice's
     * elements step in lane order (its axis has one element). */
    if (has_initial && initial.size > 0) {
        int64_t index[PSCAN_MAX_DIMS] = {0}, lane = 0;
        char *at = initial.data;
        do {
            const char *first = lane_incoming(&g, lane++);
            op->store(first ? first : op->identity, at, 0, 1, op->ctx);
        } while (pscan_view_step(&initial, index, &at));
    }
    if (g.in.size > 0)
        pscan_engine_team(rq->ctx, team, NULL, run_member, &g);
    free(g.scratch);
    free(g.totals);
    free(copy);
    return PSCAN_OK;
}

pscan_status pscan_generic_reduce(const pscan_generic_op *op, const pscan_request *rq,
                                  const pscan_generic_start *start, char *totals)
{
    generic_run g = {.op = op, .reduce_only = true};
    set_start(&g, start);
    char *copy = NULL;
    pscan_view unused;
    bool no_initial;
    int team;
    const pscan_status status = prepare(&g, rq, false, &copy, &unused, &no_initial, &team);
    if (status == PSCAN_OK) {
        g.totals = totals;
        pscan_engine_team(rq->ctx, team, NULL, run_member, &g);
        free(g.scratch);
    }
    free(copy);
    return status;
}
