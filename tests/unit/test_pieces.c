/*
 * test_pieces.c - pieces of a longer scan (pscan.h, advanced API): any
 * layout and axis, any out dtype and every flag, cut along the axis and
 * chained through the lanes' states, give the one-call result bit for bit
 * (tile-aligned cuts where the float order matters); the reduction hands
 * on the same states without writing; combined states are those of the
 * concatenation.
 */
#define PSCAN_ADVANCED_API
#include "testutil.h"

#include "context.h"

enum { TILE = 4096 };

/* How a case lays its arrays out. */
typedef enum layout { C_ORDER, FORTRAN, EVERY_OTHER } layout;

typedef struct pieces_case {
    pscan_op op;
    pscan_dtype in_dtype, acc, out_dtype;
    pscan_order order;
    unsigned flags;
    int ndim, axis;
    int64_t shape[3];
    layout in_layout, out_layout;
    int threads;
    int cuts;          /* piece boundaries, in scan order, after 0 */
    int64_t cut_at[6]; /* increasing; the last is the axis length */
} pieces_case;

/* Strides of `layout` for shape (bytes), and the bytes to allocate. */
static size_t layout_strides(layout l, int ndim, const int64_t *shape, size_t item,
                             int64_t *strides)
{
    const int64_t n = tu_prod(ndim, shape);
    if (l == FORTRAN) {
        tu_f_strides(ndim, shape, (int64_t)item, strides);
        return (size_t)n * item;
    }
    tu_c_strides(ndim, shape, (int64_t)item * (l == EVERY_OTHER ? 2 : 1), strides);
    return (size_t)n * item * (l == EVERY_OTHER ? 2 : 1);
}

static void fill_input(const pscan_array *a, pscan_op op, int with_nans, uint64_t seed)
{
    const int64_t n = tu_prod(a->ndim, a->shape);
    const size_t item = tu_size(a->dtype);
    unsigned char *packed = tu_malloc((size_t)n * item);
    tu_fill_scan_values(packed, a->dtype, n, op, &seed);
    for (int64_t k = 0; with_nans && k < n; k += 7)
        tu_put_f64(packed + (size_t)k * item, a->dtype, NAN, 0);
    int64_t idx[3] = {0, 0, 0};
    const unsigned char *from = packed;
    if (n > 0)
        do {
            memcpy(tu_at(a, idx), from, item);
            from += item;
        } while (tu_next(a->ndim, a->shape, idx));
    free(packed);
}

static pscan_opts case_opts(const pieces_case *c, pscan_context *ctx)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = c->order;
    o.flags = c->flags;
    o.threads = c->threads;
    o.ctx = ctx;
    return o;
}

/* Pieces against one call; the last state against the reduction. */
static void check_case(const pieces_case *c, pscan_context *ctx)
{
    const bool initial = c->flags & PSCAN_FLAG_INCLUDE_INITIAL;
    const bool reverse = c->flags & PSCAN_FLAG_REVERSE;
    const size_t in_item = tu_size(c->in_dtype), out_item = tu_size(c->out_dtype);
    int64_t out_shape[3], in_strides[3], out_strides[3], ref_strides[3];
    memcpy(out_shape, c->shape, sizeof out_shape);
    out_shape[c->axis] += initial ? 1 : 0;
    const int64_t len = c->shape[c->axis], out_len = out_shape[c->axis];
    const int64_t out_n = tu_prod(c->ndim, out_shape);
    unsigned char *in =
        tu_malloc(layout_strides(c->in_layout, c->ndim, c->shape, in_item, in_strides));
    unsigned char *out =
        tu_malloc(layout_strides(c->out_layout, c->ndim, out_shape, out_item, out_strides));
    unsigned char *ref =
        tu_malloc(layout_strides(C_ORDER, c->ndim, out_shape, out_item, ref_strides));
    unsigned char *got = tu_malloc((size_t)out_n * out_item);
    const pscan_array ai = tu_arr(in, c->in_dtype, c->ndim, c->shape, in_strides),
                      ao = tu_arr(out, c->out_dtype, c->ndim, out_shape, out_strides),
                      ar = tu_arr(ref, c->out_dtype, c->ndim, out_shape, NULL);
    fill_input(&ai, c->op, (c->flags & PSCAN_FLAG_SKIP_NAN) != 0, (uint64_t)len * 31 + c->flags);
    const pscan_opts whole = case_opts(c, ctx);
    TU_ASSERT_OK(pscan_scan(c->op, &ai, c->axis, c->acc, &ar, &whole));

    const size_t state = pscan_scan_state_size(c->op, c->in_dtype, c->acc, &whole);
    const int64_t lanes = tu_prod(c->ndim, c->shape) / (len > 0 ? len : 1);
    unsigned char *states = tu_malloc(2 * (size_t)lanes * state),
                  *reduced = tu_malloc((size_t)lanes * state);
    int64_t from = 0;
    for (int k = 0; k < c->cuts; k++) {
        const int64_t to = c->cut_at[k];
        /* scan positions [from, to) of in; of out, one on past the first */
        const int64_t lo = from + (initial && k > 0 ? 1 : 0), hi = to + (initial ? 1 : 0);
        int64_t in_dims[3], out_dims[3];
        const pscan_array pi =
            tu_along(&ai, c->axis, reverse ? len - to : from, to - from, in_dims);
        const pscan_array po =
            tu_along(&ao, c->axis, reverse ? out_len - hi : lo, hi - lo, out_dims);
        pscan_opts o = whole;
        if (k > 0)
            o.flags &= ~(unsigned)PSCAN_FLAG_INCLUDE_INITIAL;
        unsigned char *state_in = k == 0 ? NULL : states + (size_t)((k + 1) % 2) * lanes * state;
        unsigned char *state_out = states + (size_t)(k % 2) * (size_t)lanes * state;
        TU_ASSERT_OK(
            pscan_scan_carry_state(c->op, &pi, c->axis, c->acc, &po, &o, state_in, state_out));
        from = to;
    }
    tu_gather_bytes(&ao, got);
    cr_assert(eq(int, memcmp(got, ref, (size_t)out_n * out_item), 0),
              "op %d acc %d flags %u axis %d layouts %d/%d", (int)c->op, (int)c->acc, c->flags,
              c->axis, (int)c->in_layout, (int)c->out_layout);
    /* The reduction's states are the last piece's. */
    TU_ASSERT_OK(pscan_scan_reduce_state(c->op, &ai, c->axis, c->acc, &whole, NULL, reduced));
    cr_assert(eq(int,
                 memcmp(reduced, states + (size_t)((c->cuts - 1) % 2) * (size_t)lanes * state,
                        (size_t)lanes * state),
                 0),
              "reduced state, op %d acc %d flags %u", (int)c->op, (int)c->acc, c->flags);
    /* ... and from a state: the whole of in scanned from the last one */
    unsigned char *last = states + (size_t)((c->cuts - 1) % 2) * (size_t)lanes * state;
    unsigned char *again = tu_malloc((size_t)lanes * state);
    unsigned char *scratch = tu_malloc((size_t)out_n * out_item);
    pscan_opts o = whole;
    o.flags &= ~(unsigned)PSCAN_FLAG_INCLUDE_INITIAL;
    const pscan_array as = tu_arr(scratch, c->out_dtype, c->ndim, c->shape, NULL);
    TU_ASSERT_OK(pscan_scan_carry_state(c->op, &ai, c->axis, c->acc, &as, &o, last, again));
    TU_ASSERT_OK(pscan_scan_reduce_state(c->op, &ai, c->axis, c->acc, &o, last, reduced));
    cr_assert(eq(int, memcmp(reduced, again, (size_t)lanes * state), 0),
              "reduced from a state, op %d acc %d flags %u", (int)c->op, (int)c->acc, c->flags);
    free(in);
    free(out);
    free(ref);
    free(got);
    free(states);
    free(reduced);
    free(again);
    free(scratch);
}

static const unsigned every_flag_set[] = {
    0u,
    PSCAN_FLAG_EXCLUSIVE,
    PSCAN_FLAG_INCLUDE_INITIAL,
    PSCAN_FLAG_REVERSE,
    PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE,
    PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE,
    PSCAN_FLAG_CHECK_OVERFLOW,
    PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE,
};

/* Integers: cuts anywhere, empty pieces included; every layout. */
Test(pieces, integers_any_layout_any_flag)
{
    const layout layouts[3][2] = {{FORTRAN, C_ORDER}, {C_ORDER, FORTRAN}, {EVERY_OTHER, FORTRAN}};
    for (size_t f = 0; f < TU_COUNT(every_flag_set); f++)
        for (int l = 0; l < 3; l++)
            for (int axis = 0; axis < 3; axis++) {
                pieces_case c = {PSCAN_SUM,
                                 PSCAN_INT32,
                                 PSCAN_INT64,
                                 PSCAN_INT64,
                                 PSCAN_ORDER_REPRODUCIBLE,
                                 every_flag_set[f],
                                 3,
                                 axis,
                                 {4, 5, 6},
                                 layouts[l][0],
                                 layouts[l][1],
                                 2,
                                 4,
                                 {0}};
                c.shape[axis] = 37;
                const int64_t cuts[4] = {1, 13, 13, 37};
                memcpy(c.cut_at, cuts, sizeof cuts);
                check_case(&c, NULL);
            }
}

/* A converting out, other ops and accumulators. */
Test(pieces, converting_out_and_other_ops)
{
    const pscan_op ops[3] = {PSCAN_PROD, PSCAN_MAX, PSCAN_MIN};
    const pscan_dtype outs[3] = {PSCAN_FLOAT64, PSCAN_INT16, PSCAN_FLOAT32};
    for (int k = 0; k < 3; k++)
        for (size_t f = 0; f < 6; f++) {
            pieces_case c = {ops[k],
                             PSCAN_INT16,
                             PSCAN_INT64,
                             outs[k],
                             PSCAN_ORDER_REPRODUCIBLE,
                             every_flag_set[f],
                             2,
                             1,
                             {9, 50, 1},
                             FORTRAN,
                             EVERY_OTHER,
                             3,
                             3,
                             {7, 8, 50}};
            check_case(&c, NULL);
        }
}

/* Float sums and products under REPRODUCIBLE: cuts on tile boundaries
 * give one call's bits, compensated and NaN-skipping too; SEQUENTIAL
 * anywhere. */
Test(pieces, floats_tiles_and_sequential)
{
    const unsigned float_flags[] = {0u,
                                    PSCAN_FLAG_EXCLUSIVE,
                                    PSCAN_FLAG_INCLUDE_INITIAL,
                                    PSCAN_FLAG_REVERSE,
                                    PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE,
                                    PSCAN_FLAG_SKIP_NAN,
                                    PSCAN_FLAG_COMPENSATED,
                                    PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_EXCLUSIVE,
                                    PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_SKIP_NAN |
                                        PSCAN_FLAG_REVERSE};
    for (size_t f = 0; f < TU_COUNT(float_flags); f++)
        for (int threads = 1; threads <= 3; threads += 2) {
            pieces_case c = {PSCAN_SUM,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT32,
                             PSCAN_ORDER_REPRODUCIBLE,
                             float_flags[f],
                             3,
                             1,
                             {2, 3 * TILE + 77, 3},
                             EVERY_OTHER,
                             FORTRAN,
                             threads,
                             3,
                             {TILE, 3 * TILE, 3 * TILE + 77}};
            check_case(&c, NULL);
            pieces_case s = {PSCAN_PROD,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT32,
                             PSCAN_ORDER_SEQUENTIAL,
                             float_flags[f],
                             2,
                             0,
                             {301, 5, 1},
                             FORTRAN,
                             C_ORDER,
                             threads,
                             4,
                             {1, 100, 299, 301}};
            check_case(&s, NULL);
            /* exclusive pieces that end in one step per lane: sums, plain
             * and compensated, and complex products, in sequential order */
            pieces_case q = {PSCAN_SUM,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_ORDER_SEQUENTIAL,
                             float_flags[f],
                             2,
                             1,
                             {6, 211, 1},
                             EVERY_OTHER,
                             FORTRAN,
                             threads,
                             3,
                             {1, 100, 211}};
            check_case(&q, NULL);
            pieces_case z = {PSCAN_PROD,
                             PSCAN_COMPLEX128,
                             PSCAN_COMPLEX128,
                             PSCAN_COMPLEX128,
                             PSCAN_ORDER_SEQUENTIAL,
                             float_flags[f],
                             2,
                             0,
                             {77, 3, 1},
                             C_ORDER,
                             C_ORDER,
                             threads,
                             2,
                             {40, 77}};
            check_case(&z, NULL);
            pieces_case x = {PSCAN_SUM,
                             PSCAN_COMPLEX128,
                             PSCAN_COMPLEX128,
                             PSCAN_COMPLEX128,
                             PSCAN_ORDER_REPRODUCIBLE,
                             float_flags[f],
                             2,
                             0,
                             {2 * TILE + 3, 4, 1},
                             C_ORDER,
                             FORTRAN,
                             threads,
                             2,
                             {TILE, 2 * TILE + 3}};
            check_case(&x, NULL);
        }
}

/* A context with tiny slabs: the reduction takes many pieces and splits
 * its lanes into groups, and still hands on the states of one scan. */
Test(pieces, reduction_in_small_pieces)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    ctx->tuning.slab_bytes = 4096;
    for (size_t f = 0; f < 5; f++) {
        pieces_case c = {
            PSCAN_SUM,         PSCAN_INT8, PSCAN_INT64, PSCAN_INT64,  PSCAN_ORDER_REPRODUCIBLE,
            every_flag_set[f], 3,          1,           {7, 300, 40}, FORTRAN,
            C_ORDER,           2,          2,           {150, 300}};
        check_case(&c, ctx);
        pieces_case t = {PSCAN_SUM,
                         PSCAN_FLOAT64,
                         PSCAN_FLOAT64,
                         PSCAN_FLOAT64,
                         PSCAN_ORDER_REPRODUCIBLE,
                         every_flag_set[f],
                         2,
                         0,
                         {2 * TILE + 1, 3, 1},
                         EVERY_OTHER,
                         C_ORDER,
                         2,
                         2,
                         {TILE, 2 * TILE + 1}};
        check_case(&t, ctx);
    }
    pscan_context_destroy(ctx);
}

/* Flattened pieces: a transposed array's C-order flattening continues
 * from a state as its contiguous copy does, and reduces to the same. */
Test(pieces, flattened_from_a_state)
{
    const int64_t shape[2] = {3 * TILE, 3}, transposed[2] = {8, 3 * TILE * 8}, n = 9 * TILE;
    double *a = tu_malloc((size_t)n * sizeof *a), *copy = tu_malloc((size_t)n * sizeof *a);
    double *got = tu_malloc((size_t)n * sizeof *a), *want = tu_malloc((size_t)n * sizeof *a);
    uint64_t seed = 5;
    tu_fill_scan_values(a, PSCAN_FLOAT64, n, PSCAN_SUM, &seed);
    /* a seen as (3 * TILE, 3) with strides (8, 3 * TILE * 8): element
     * [i, j] is a[j * 3 * TILE + i]; its C order is i-major */
    for (int64_t i = 0; i < 3 * TILE; i++)
        for (int64_t j = 0; j < 3; j++)
            copy[i * 3 + j] = a[j * 3 * TILE + i];
    const pscan_array at = tu_arr(a, PSCAN_FLOAT64, 2, shape, transposed),
                      ac = tu_vec(copy, PSCAN_FLOAT64, &n), gv = tu_vec(got, PSCAN_FLOAT64, &n),
                      wv = tu_vec(want, PSCAN_FLOAT64, &n);
    for (unsigned flags = 0; flags <= PSCAN_FLAG_REVERSE; flags += PSCAN_FLAG_REVERSE) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.flags = flags | PSCAN_FLAG_COMPENSATED;
        double state_in[2] = {1.5, 1e-20}, got_state[2], want_state[2], reduced[2];
        TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &at, PSCAN_AXIS_NONE, PSCAN_FLOAT64, &gv, &o,
                                            state_in, got_state));
        TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &ac, 0, PSCAN_FLOAT64, &wv, &o, state_in,
                                            want_state));
        tu_assert_dbits(got, want, (size_t)n);
        tu_assert_dbits(got_state, want_state, 2);
        TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_SUM, &at, PSCAN_AXIS_NONE, PSCAN_FLOAT64, &o,
                                             state_in, reduced));
        tu_assert_dbits(reduced, want_state, 2);
    }
    free(a);
    free(copy);
    free(got);
    free(want);
}

/* Under CHECK_OVERFLOW a piece that hands its state on counts it: an
 * exclusive piece whose total overflows fails only then. */
Test(pieces, overflow_counts_the_state_handed_on)
{
    const int64_t n = 3;
    int8_t in[3] = {100, 20, 10}, out[3] = {1, 2, 3}, state = 0;
    const pscan_array ai = tu_vec(in, PSCAN_INT8, &n), ao = tu_vec(out, PSCAN_INT8, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE;
    TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &ao, &o, NULL, NULL));
    cr_assert(eq(i8, out[2], 120));
    cr_assert(eq(int,
                 (int)pscan_scan_carry_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &ao, &o, NULL, &state),
                 (int)PSCAN_EOVERFLOW));
    /* the reduction alike: handing the state on counts it, checking alone not */
    cr_assert(eq(int, (int)pscan_scan_reduce_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &o, NULL, &state),
                 (int)PSCAN_EOVERFLOW));
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &o, NULL, NULL));
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    cr_assert(eq(int, (int)pscan_scan_reduce_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &o, NULL, NULL),
                 (int)PSCAN_EOVERFLOW));
    o.flags |= PSCAN_FLAG_REVERSE | PSCAN_FLAG_EXCLUSIVE; /* 10, 30: the 130 is no result */
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &o, NULL, NULL));
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE;
    const int8_t carry = -100; /* -100 + 130 = 30: in range */
    TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &ao, &o, &carry, &state));
    cr_assert(eq(i8, out[0], -100));
    cr_assert(eq(i8, out[1], 0));
    cr_assert(eq(i8, out[2], 20));
    cr_assert(eq(i8, state, 30));
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_SUM, &ai, 0, PSCAN_INT8, &o, &carry, NULL));
}

/* Two pieces' states combined are the concatenation's; an empty piece
 * hands its incoming state on. */
Test(pieces, combined_states)
{
    const int64_t n = 1000, half = 400, rest = n - half;
    int32_t values[1000];
    for (int k = 0; k < 1000; k++)
        values[k] = (k * 7919) % 2001 - 1000;
    const pscan_array all = tu_vec(values, PSCAN_INT32, &n),
                      first = tu_vec(values, PSCAN_INT32, &half),
                      second = tu_vec(values + half, PSCAN_INT32, &rest);
    int64_t s_all, s_first, s_second, combined;
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_SUM, &all, 0, PSCAN_INT64, NULL, NULL, &s_all));
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_SUM, &first, 0, PSCAN_INT64, NULL, NULL, &s_first));
    TU_ASSERT_OK(
        pscan_scan_reduce_state(PSCAN_SUM, &second, 0, PSCAN_INT64, NULL, NULL, &s_second));
    TU_ASSERT_OK(pscan_combine_states(PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, NULL, &s_first,
                                      &s_second, &combined, 1));
    cr_assert(eq(i64, combined, s_all));
    /* compensated: pairs add without losing the low part */
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED;
    const double a[2] = {1.0, 1e-30}, b[2] = {1e-16, 1e-31};
    double ab[2];
    cr_assert(eq(sz, pscan_scan_state_size(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, &o), 16));
    TU_ASSERT_OK(pscan_combine_states(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, &o, a, b, ab, 1));
    cr_assert(eq(dbl, ab[0] + ab[1], 1.0 + 1e-16));
    cr_assert(gt(dbl, fabs(ab[1]), 1e-17));
    /* an empty lane hands its state on; with none, the identity */
    const int64_t zero = 0;
    const int64_t carry = 42;
    int64_t handed = 0;
    const pscan_array none = tu_vec(values, PSCAN_INT32, &zero);
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_MAX, &none, 0, PSCAN_INT64, NULL, &carry, &handed));
    cr_assert(eq(i64, handed, 42));
    TU_ASSERT_OK(pscan_scan_reduce_state(PSCAN_MAX, &none, 0, PSCAN_INT64, NULL, NULL, &handed));
    cr_assert(eq(i64, handed, INT64_MIN));
    cr_assert(eq(int,
                 (int)pscan_combine_states(PSCAN_OP_COUNT, PSCAN_INT32, PSCAN_INT64, NULL, &s_first,
                                           &s_second, &combined, 1),
                 (int)PSCAN_EOP));
}

/* One lane reduces at copy speed (threads take ranges or whole tiles of
 * it, read in place or converted a tile at a time; SEQUENTIAL one chain):
 * the same states as the scan's, strided, reversed, NaN-skipping. */
Test(pieces, one_lane_order_free)
{
    const unsigned flag_sets[] = {0u, PSCAN_FLAG_REVERSE, PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_REVERSE};
    for (size_t f = 0; f < TU_COUNT(flag_sets); f++)
        for (int threads = 1; threads <= 3; threads += 2) {
            pieces_case c = {PSCAN_SUM,
                             PSCAN_INT32,
                             PSCAN_INT64,
                             PSCAN_INT64,
                             PSCAN_ORDER_REPRODUCIBLE,
                             flag_sets[f],
                             3,
                             1,
                             {1, 200003, 1},
                             EVERY_OTHER,
                             C_ORDER,
                             threads,
                             3,
                             {70001, 140000, 200003}};
            check_case(&c, NULL);
            pieces_case m = {PSCAN_MAX,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_ORDER_REPRODUCIBLE,
                             flag_sets[f],
                             1,
                             0,
                             {150001, 1, 1},
                             C_ORDER,
                             FORTRAN,
                             threads,
                             2,
                             {9, 150001}};
            check_case(&m, NULL);
            pieces_case t = {PSCAN_SUM,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT32,
                             PSCAN_ORDER_REPRODUCIBLE,
                             flag_sets[f],
                             1,
                             0,
                             {30 * TILE + 5, 1, 1},
                             EVERY_OTHER,
                             C_ORDER,
                             threads,
                             2,
                             {17 * TILE, 30 * TILE + 5}};
            check_case(&t, NULL);
            pieces_case x = {PSCAN_PROD,
                             PSCAN_COMPLEX128,
                             PSCAN_COMPLEX128,
                             PSCAN_COMPLEX128,
                             PSCAN_ORDER_REPRODUCIBLE,
                             flag_sets[f],
                             1,
                             0,
                             {20 * TILE + 1, 1, 1},
                             C_ORDER,
                             C_ORDER,
                             threads,
                             2,
                             {TILE, 20 * TILE + 1}};
            check_case(&x, NULL);
            pieces_case q = {PSCAN_SUM,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_FLOAT64,
                             PSCAN_ORDER_SEQUENTIAL,
                             flag_sets[f],
                             1,
                             0,
                             {3 * TILE + 7, 1, 1},
                             EVERY_OTHER,
                             C_ORDER,
                             threads,
                             3,
                             {5, 2 * TILE + 1, 3 * TILE + 7}};
            check_case(&q, NULL);
            pieces_case p = {
                PSCAN_PROD,   PSCAN_UINT8, PSCAN_UINT8, PSCAN_UINT16,   PSCAN_ORDER_REPRODUCIBLE,
                flag_sets[f], 2,           0,           {131072, 1, 1}, C_ORDER,
                C_ORDER,      threads,     2,           {65536, 131072}};
            check_case(&p, NULL);
        }
}
