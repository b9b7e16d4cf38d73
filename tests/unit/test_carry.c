/*
 * test_carry.c - a scan cut into pieces, each started from the carry the
 * previous piece left, gives the one-shot result bit for bit: 1-D lanes and
 * row panels of every width class, every op, both orders, forward and
 * reverse, teams of 1 and 3 threads (4 for the blocked lane). Pieces
 * start on tile boundaries (any boundary where the order is free:
 * sequential or integer ops).
 */
#define PSCAN_ADVANCED_API
#include "testutil.h"
#include "pscan.h"

enum { TILE = 4096 };

typedef struct piece_case {
    pscan_op op;
    pscan_dtype in_dtype, acc;
    pscan_order order;
    unsigned flags;
    int threads;
} piece_case;

/* rows x width (width 0: 1-D) scanned whole, then in pieces; compares bytes. */
static void check_pieces(const piece_case *c, int64_t rows, int64_t width, uint64_t seed)
{
    if (pscan_scan_state_size(c->op, c->in_dtype, c->acc, NULL) == 0)
        return; /* no loop for this accumulator (LOGADDEXP over integers, ...) */
    const int ndim = width ? 2 : 1;
    const int64_t lanes = width ? width : 1, n = rows * lanes;
    const size_t in_size = tu_size(c->in_dtype), acc_size = tu_size(c->acc);
    void *in = tu_malloc((size_t)n * in_size);
    unsigned char *whole = tu_malloc((size_t)n * acc_size),
                  *pieces = tu_malloc((size_t)n * acc_size);
    tu_fill_scan_values(in, c->in_dtype, n, c->op, &seed);
    const int64_t shape[2] = {rows, width};
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = c->order;
    o.flags = c->flags;
    o.threads = c->threads;
    pscan_array ai = tu_arr(in, c->in_dtype, ndim, shape, NULL);
    pscan_array ao = tu_arr(whole, c->acc, ndim, shape, NULL);
    TU_ASSERT_OK(pscan_scan(c->op, &ai, 0, c->acc, &ao, &o));

    const bool reverse = c->flags & PSCAN_FLAG_REVERSE;
    const bool any_cut = c->order == PSCAN_ORDER_SEQUENTIAL || tu_is_int(c->acc) ||
                         c->op == PSCAN_MAX || c->op == PSCAN_MIN;
    const size_t in_row = (size_t)lanes * in_size, out_row = (size_t)lanes * acc_size;
    int64_t done = 0;
    while (done < rows) {
        int64_t len =
            any_cut ? tu_rand_range(&seed, 1, rows / 3 + 1) : TILE * tu_rand_range(&seed, 1, 3);
        if (len > rows - done)
            len = rows - done;
        /* forward pieces from the start, reverse ones from the end */
        const int64_t start = reverse ? rows - done - len : done;
        int64_t piece_shape[2] = {len, width};
        pscan_array pi =
            tu_arr((char *)in + (size_t)start * in_row, c->in_dtype, ndim, piece_shape, NULL);
        pscan_array po = tu_arr(pieces + (size_t)start * out_row, c->acc, ndim, piece_shape, NULL);
        const unsigned char *carry = pieces + (size_t)(reverse ? start + len : start - 1) * out_row;
        pscan_status s = done == 0 ? pscan_scan(c->op, &pi, 0, c->acc, &po, &o)
                                   : pscan_scan_carry(c->op, &pi, c->acc, &po, &o, carry);
        cr_assert(eq(int, (int)s, (int)PSCAN_OK), "%s", pscan_strerror(s));
        done += len;
    }
    int64_t first_bad = 0;
    while (first_bad < n && memcmp(whole + (size_t)first_bad * acc_size,
                                   pieces + (size_t)first_bad * acc_size, acc_size) == 0)
        first_bad++;
    cr_assert(eq(i64, first_bad, n),
              "op %d %s->%s order %d flags %u threads %d, %lld x %lld: first differing element",
              (int)c->op, pscan_dtype_name(c->in_dtype), pscan_dtype_name(c->acc), (int)c->order,
              c->flags, c->threads, (long long)rows, (long long)width);
    free(in);
    free(whole);
    free(pieces);
}

static const pscan_dtype float_accs[] = {PSCAN_FLOAT64, PSCAN_FLOAT32, PSCAN_FLOAT16,
                                         PSCAN_COMPLEX128};

static void sweep(int64_t rows, int64_t width)
{
    uint64_t seed = (uint64_t)(rows * 31 + width);
    /* the arg scans have no accumulator carry (their pieces: test_arg_scan) */
    for (int op = 0; op < PSCAN_OP_COUNT && op != PSCAN_ARGMAX; op++)
        for (int threads = 1; threads <= 3; threads += 2) /* 3: uneven splits */
            for (int reverse = 0; reverse < 2; reverse++) {
                const unsigned flags = reverse ? PSCAN_FLAG_REVERSE : 0u;
                /* integers: int32 in, int64 accumulator (converting) and int64 direct */
                piece_case ints = {(pscan_op)op, PSCAN_INT32, PSCAN_INT64, PSCAN_ORDER_REPRODUCIBLE,
                                   flags,        threads};
                check_pieces(&ints, rows, width, seed++);
                ints.in_dtype = PSCAN_INT64;
                check_pieces(&ints, rows, width, seed++);
                for (size_t f = 0; f < TU_COUNT(float_accs); f++)
                    for (int order = 0; order < 2; order++) {
                        if (float_accs[f] == PSCAN_COMPLEX128 && op >= PSCAN_MAX && order)
                            continue;
                        piece_case fc = {(pscan_op)op,       float_accs[f], float_accs[f],
                                         (pscan_order)order, flags,         threads};
                        check_pieces(&fc, rows, width, seed++);
                    }
            }
}

Test(carry, one_lane)
{
    sweep(3 * TILE + 77, 0);
}
Test(carry, lane_of_rows)
{
    sweep(3 * TILE + 5, 1);
}
Test(carry, strided_lanes)
{
    sweep(3 * TILE + 9, 6);
}
Test(carry, narrow_panel)
{
    sweep(3 * TILE + 9, 40);
}
Test(carry, wide_panel)
{
    sweep(2 * TILE + 3, 100);
}

/* Long enough for the blocked look-back schedule with 4 threads. */
Test(carry, blocked_lane)
{
    piece_case c = {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, PSCAN_ORDER_REPRODUCIBLE, 0u, 4};
    check_pieces(&c, 40 * TILE + 1, 0, 99);
    c.flags = PSCAN_FLAG_REVERSE;
    check_pieces(&c, 40 * TILE + 1, 0, 98);
    piece_case i = {PSCAN_SUM, PSCAN_INT64, PSCAN_INT64, PSCAN_ORDER_REPRODUCIBLE, 0u, 4};
    check_pieces(&i, 40 * TILE + 1, 3, 97);
}

Test(carry, rejects)
{
    int64_t a[4] = {1, 2, 3, 4}, carry = 0;
    const int64_t shape[2] = {2, 2}, strided[2] = {8, 16}, n = 4;
    pscan_array two = tu_arr(a, PSCAN_INT64, 2, shape, strided), one = tu_vec(a, PSCAN_INT64, &n);
    /* a strided 2-D piece is as good as any: one carry per column */
    int64_t carries[2] = {10, 20};
    TU_ASSERT_OK(pscan_scan_carry(PSCAN_SUM, &two, PSCAN_INT64, &two, NULL, carries));
    const int64_t columns[4] = {11, 13, 23, 27}; /* [[1, 3], [2, 4]] by strides (8, 16) */
    tu_assert_i64s(a, columns, 4);
    memcpy(a, (const int64_t[4]){1, 2, 3, 4}, sizeof a);
    cr_assert(eq(int, (int)pscan_scan_carry(PSCAN_SUM, &one, PSCAN_INT64, &one, NULL, NULL),
                 (int)PSCAN_ENULL));
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED; /* its state is a pair: pscan_scan_carry_state */
    cr_assert(eq(int, (int)pscan_scan_carry(PSCAN_SUM, &one, PSCAN_INT64, &one, &o, &carry),
                 (int)PSCAN_EOPTS));
    carry = 10;
    TU_ASSERT_OK(pscan_scan_carry(PSCAN_SUM, &one, PSCAN_INT64, &one, NULL, &carry));
    const int64_t w[4] = {11, 13, 16, 20};
    tu_assert_i64s(a, w, 4);
}

/* The overflow check continues from the carry: a piece overflows only
 * with what came before it, and then out is left as it was. */
Test(carry, overflow_check_from_the_carry)
{
    const int64_t n = 3;
    int8_t in[3] = {3, 4, -20}, out[3] = {-1, -1, -1};
    pscan_array ai = tu_vec(in, PSCAN_INT8, &n), ao = tu_vec(out, PSCAN_INT8, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    int8_t carry = 120; /* 123, 127, 107: in range */
    TU_ASSERT_OK(pscan_scan_carry(PSCAN_SUM, &ai, PSCAN_INT8, &ao, &o, &carry));
    cr_assert(eq(i8, out[0], 123));
    cr_assert(eq(i8, out[1], 127));
    cr_assert(eq(i8, out[2], 107));
    carry = 121; /* 124, 128: over */
    memset(out, 0x55, sizeof out);
    cr_assert(eq(int, (int)pscan_scan_carry(PSCAN_SUM, &ai, PSCAN_INT8, &ao, &o, &carry),
                 (int)PSCAN_EOVERFLOW));
    for (int k = 0; k < 3; k++)
        cr_assert(eq(i8, out[k], 0x55));
    /* reverse: the carry comes after the piece (-20 + 121 = 101, 105, 108) */
    o.flags |= PSCAN_FLAG_REVERSE;
    TU_ASSERT_OK(pscan_scan_carry(PSCAN_SUM, &ai, PSCAN_INT8, &ao, &o, &carry));
    cr_assert(eq(i8, out[0], 108));
    carry = 124; /* 104, 108, 111 */
    TU_ASSERT_OK(pscan_scan_carry(PSCAN_SUM, &ai, PSCAN_INT8, &ao, &o, &carry));
    cr_assert(eq(i8, out[0], 111));
    /* rows: one carry per column; only column 1 overflows (uint8, products) */
    const int64_t shape[2] = {2, 2};
    uint8_t rows[4] = {2, 3, 1, 1}, res[4] = {9, 9, 9, 9}, carries[2] = {100, 90};
    pscan_array ar = tu_arr(rows, PSCAN_UINT8, 2, shape, NULL),
                as = tu_arr(res, PSCAN_UINT8, 2, shape, NULL);
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    cr_assert(eq(int, (int)pscan_scan_carry(PSCAN_PROD, &ar, PSCAN_UINT8, &as, &o, carries),
                 (int)PSCAN_EOVERFLOW));
    cr_assert(eq(u8, res[0], 9));
    carries[1] = 80; /* 200, 240, 200, 240 */
    TU_ASSERT_OK(pscan_scan_carry(PSCAN_PROD, &ar, PSCAN_UINT8, &as, &o, carries));
    cr_assert(eq(u8, res[1], 240));
    cr_assert(eq(u8, res[2], 200));
}

/* Pieces that hand the engine's state on (pscan_scan_carry_state): the
 * compensated pairs make a lane cut into tile-aligned pieces give the
 * bits of one call, where continuing from the rounded outputs would not;
 * along one lane and lanes side by side, forward and reverse, on 1 and 3
 * threads. */
static void check_state_pieces(pscan_dtype dtype, int64_t rows, int64_t width, int axis,
                               unsigned flags, int threads)
{
    const int ndim = width ? 2 : 1;
    const int64_t lanes = width ? width : 1, n = rows * lanes;
    const size_t item = tu_size(dtype);
    void *in = tu_malloc((size_t)n * item);
    unsigned char *whole = tu_malloc((size_t)n * item), *pieces = tu_malloc((size_t)n * item);
    uint64_t seed = (uint64_t)n + flags;
    tu_fill_scan_values(in, dtype, n, PSCAN_SUM, &seed);
    double *values = in; /* magnitudes far apart: the lo parts matter */
    for (int64_t i = 0; dtype != PSCAN_FLOAT32 && i < n * (int64_t)(item / 8); i += 7)
        values[i] *= 1e12;
    const int64_t shape[2] = {rows, width};
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED | flags;
    o.threads = threads;
    pscan_array ai = tu_arr(in, dtype, ndim, shape, NULL),
                ao = tu_arr(whole, dtype, ndim, shape, NULL);
    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &ai, axis, dtype, &ao, &o));
    const size_t state = pscan_scan_state_size(PSCAN_SUM, dtype, dtype, &o);
    cr_assert(eq(sz, state, dtype == PSCAN_COMPLEX128 ? 32 : 16));
    const int64_t state_lanes = axis == 0 ? lanes : rows;
    unsigned char *state_a = tu_malloc((size_t)state_lanes * state),
                  *state_b = tu_malloc((size_t)state_lanes * state);
    const bool reverse = flags & PSCAN_FLAG_REVERSE;
    const int64_t along = axis == 0 ? rows : width;
    for (int64_t done = 0, k = 0; done < along; k++) {
        int64_t len = TILE * (1 + k % 2);
        if (len > along - done)
            len = along - done;
        const int64_t start = reverse ? along - done - len : done;
        int64_t piece_shape[2] = {axis == 0 ? len : rows, axis == 0 ? width : len};
        const int64_t row_stride[2] = {width * (int64_t)item, (int64_t)item};
        const size_t offset = (size_t)start * (axis == 0 ? (size_t)lanes * item : item);
        pscan_array pi =
            tu_arr((char *)in + offset, dtype, ndim, piece_shape, ndim == 2 ? row_stride : NULL);
        pscan_array po =
            tu_arr(pieces + offset, dtype, ndim, piece_shape, ndim == 2 ? row_stride : NULL);
        TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &pi, axis, dtype, &po, &o,
                                            done ? state_a : NULL, state_b));
        unsigned char *t = state_a;
        state_a = state_b;
        state_b = t;
        done += len;
    }
    cr_assert(eq(int, memcmp(whole, pieces, (size_t)n * item), 0),
              "%s rows %lld width %lld axis %d flags %u threads %d", pscan_dtype_name(dtype),
              (long long)rows, (long long)width, axis, flags, threads);
    free(in);
    free(whole);
    free(pieces);
    free(state_a);
    free(state_b);
}

Test(carry, compensated_state)
{
    for (int threads = 1; threads <= 3; threads += 2)
        for (unsigned flags = 0; flags <= PSCAN_FLAG_REVERSE; flags += PSCAN_FLAG_REVERSE) {
            check_state_pieces(PSCAN_FLOAT64, 5 * TILE + 77, 0, 0, flags, threads);
            check_state_pieces(PSCAN_FLOAT32, 3 * TILE + 5, 0, 0, flags, threads);
            check_state_pieces(PSCAN_COMPLEX128, 3 * TILE + 5, 0, 0, flags, threads);
            check_state_pieces(PSCAN_FLOAT64, 2 * TILE + 9, 40, 0, flags, threads);
        }
    /* a long lane: BLOCKS on 3 threads */
    check_state_pieces(PSCAN_FLOAT64, 40 * TILE + 1, 0, 0, 0, 3);
    /* the state of a plain sum is its accumulator: the last row */
    int64_t a[6] = {1, 2, 3, 4, 5, 6}, state[3] = {0, 0, 0};
    const int64_t shape[2] = {2, 3};
    pscan_array v = tu_arr(a, PSCAN_INT64, 2, shape, NULL);
    cr_assert(eq(sz, pscan_scan_state_size(PSCAN_SUM, PSCAN_INT64, PSCAN_DTYPE_DEFAULT, NULL), 8));
    TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &v, 0, PSCAN_INT64, &v, NULL, NULL, state));
    cr_assert(eq(i64, state[0], 5));
    cr_assert(eq(i64, state[2], 9));
    /* exclusive: each lane starts from its state; the state is the total */
    pscan_opts shifted = PSCAN_OPTS_INIT;
    shifted.flags = PSCAN_FLAG_EXCLUSIVE;
    int64_t b[6] = {1, 2, 3, 4, 5, 6}, next[3];
    pscan_array w = tu_arr(b, PSCAN_INT64, 2, shape, NULL);
    TU_ASSERT_OK(pscan_scan_carry_state(PSCAN_SUM, &w, 0, PSCAN_INT64, &w, &shifted, state, next));
    const int64_t exclusive[6] = {5, 7, 9, 6, 9, 12}, totals[3] = {10, 14, 18};
    tu_assert_i64s(b, exclusive, 6);
    tu_assert_i64s(next, totals, 3);
}
