/* overflow.c - the overflow-check flag: before anything is written, walk
 * every lane in scan order, convert its elements to the accumulator as the
 * scan will, and follow the exact partial sums or products; one that
 * leaves the accumulator's range is PSCAN_EOVERFLOW. Lanes are checked in
 * parallel; one lane is checked by one thread (an extra read of the
 * input, at conversion speed). */
#include "overflow.h"

#include "dtype_list.h"
#include "context.h"
#include "engine.h"

#include <stdatomic.h>

#include <string.h>

enum { CHUNK = 4096 };

/* The running value of a lane: int64 for signed accumulators, uint64 for
 * unsigned ones; every value it takes without overflow fits. */
typedef struct lane_state {
    int64_t s;
    uint64_t u;
    int started, overflowed;
} lane_state;

/* One generic body per integer accumulator: follow `n` converted values
 * in `wide` arithmetic (the state field `field`), `outside` telling when a
 * partial has left the accumulator's range. */
#define OUTSIDE_SIGNED(x, lo, hi) ((x) < (lo) || (x) > (hi))
#define OUTSIDE_UNSIGNED(x, lo, hi) ((x) > (hi))
#define DEFINE_FOLLOW(tag, wide, field, outside, lo, hi)                                \
    static void follow_##tag(lane_state *st, const char *values, size_t n, pscan_op op) \
    {                                                                                   \
        for (size_t i = 0; i < n && !st->overflowed; i++) {                             \
            pscan_t_##tag v;                                                            \
            memcpy(&v, values + i * sizeof v, sizeof v);                                \
            wide next = (wide)v;                                                        \
            if (st->started &&                                                          \
                (op == PSCAN_SUM ? __builtin_add_overflow(st->field, (wide)v, &next)    \
                                 : __builtin_mul_overflow(st->field, (wide)v, &next)))  \
                st->overflowed = 1;                                                     \
            else if (outside(next, lo, hi))                                             \
                st->overflowed = 1;                                                     \
            st->field = next;                                                           \
            st->started = 1;                                                            \
        }                                                                               \
    }
/* A lane that continues from `carry`, its previous partial result (an
 * accumulator value, in range). */
#define DEFINE_START(tag, wide, field)                         \
    static void start_##tag(lane_state *st, const char *carry) \
    {                                                          \
        pscan_t_##tag v;                                       \
        memcpy(&v, carry, sizeof v);                           \
        st->field = (wide)v;                                   \
        st->started = 1;                                       \
    }
#define DEFINE_LANE(tag, wide, field, outside, lo, hi) \
    DEFINE_FOLLOW(tag, wide, field, outside, lo, hi)   \
    DEFINE_START(tag, wide, field)
DEFINE_LANE(i8, int64_t, s, OUTSIDE_SIGNED, INT8_MIN, INT8_MAX)
DEFINE_LANE(i16, int64_t, s, OUTSIDE_SIGNED, INT16_MIN, INT16_MAX)
DEFINE_LANE(i32, int64_t, s, OUTSIDE_SIGNED, INT32_MIN, INT32_MAX)
DEFINE_LANE(i64, int64_t, s, OUTSIDE_SIGNED, INT64_MIN, INT64_MAX)
DEFINE_LANE(u8, uint64_t, u, OUTSIDE_UNSIGNED, 0, UINT8_MAX)
DEFINE_LANE(u16, uint64_t, u, OUTSIDE_UNSIGNED, 0, UINT16_MAX)
DEFINE_LANE(u32, uint64_t, u, OUTSIDE_UNSIGNED, 0, UINT32_MAX)
DEFINE_LANE(u64, uint64_t, u, OUTSIDE_UNSIGNED, 0, UINT64_MAX)

typedef void (*follow_fn)(lane_state *, const char *, size_t, pscan_op);
typedef void (*start_fn)(lane_state *, const char *);

/* The follow and start functions of an integer accumulator; 0 for bool
 * (or, and) and floats: nothing overflows. (No <stdbool.h> here: `bool`
 * is a dtype tag of dtype_list.h.) */
static int lane_functions(pscan_dtype acc, follow_fn *follow, start_fn *start)
{
    switch (acc) {
#define LANE_CASE(dtype, tag)   \
    case dtype:                 \
        *follow = follow_##tag; \
        *start = start_##tag;   \
        return 1;
        LANE_CASE(PSCAN_INT8, i8)
        LANE_CASE(PSCAN_INT16, i16)
        LANE_CASE(PSCAN_INT32, i32)
        LANE_CASE(PSCAN_INT64, i64)
        LANE_CASE(PSCAN_UINT8, u8)
        LANE_CASE(PSCAN_UINT16, u16)
        LANE_CASE(PSCAN_UINT32, u32)
        LANE_CASE(PSCAN_UINT64, u64)
#undef LANE_CASE
    default:
        return 0;
    }
}

typedef struct checker {
    pscan_op op;
    pscan_convert_fn load;
    follow_fn follow;
    start_fn start;
    size_t acc_size;
    const char *carry; /* NULL, or one accumulator per lane to start from */
} checker;

static lane_state lane_start(const checker *c, int64_t lane)
{
    lane_state st = {0, 0, 0, 0};
    if (c->carry)
        c->start(&st, c->carry + (size_t)lane * c->acc_size);
    return st;
}

/* n elements from `at`, `stride` apart, into the lane's state. */
static void follow_run(const checker *c, lane_state *st, const char *at, int64_t stride, int64_t n,
                       char *buffer)
{
    for (int64_t done = 0; done < n && !st->overflowed; done += CHUNK) {
        const size_t len = (size_t)(n - done < CHUNK ? n - done : CHUNK);
        c->load(at + done * stride, (ptrdiff_t)stride, buffer, (ptrdiff_t)c->acc_size, len);
        c->follow(st, buffer, len, c->op);
    }
}

/* Lane `lane` (C order of the dims other than `axis`) of v. */
static const char *lane_base(const pscan_view *v, int axis, int64_t lane)
{
    const char *at = v->data;
    for (int d = v->ndim - 1; d >= 0; d--) {
        if (d == axis)
            continue;
        at += (lane % v->shape[d]) * v->strides[d];
        lane /= v->shape[d];
    }
    return at;
}

/* The first `count` elements of the C-order flattening: rows of the last
 * dim, one lane through all. */
static int flattened_overflows(const checker *c, const pscan_view *v, int64_t count, char *buffer)
{
    lane_state st = lane_start(c, 0);
    const int last = v->ndim - 1;
    const int64_t row_len = v->shape[last];
    for (int64_t row = 0; row * row_len < count && !st.overflowed; row++) {
        const int64_t left = count - row * row_len;
        follow_run(c, &st, lane_base(v, last, row), v->strides[last],
                   left < row_len ? left : row_len, buffer);
    }
    return st.overflowed;
}

/* The lanes of a view shared by a team; the first overflow stops all. */
typedef struct lanes_check {
    const checker *c;
    const pscan_view *in;
    int axis;
    int64_t len, lanes;
    atomic_int overflowed;
} lanes_check;

static void check_member(void *arg, int member, int members)
{
    lanes_check *check = arg;
    _Alignas(16) char buffer[CHUNK * 8];
    const int64_t first = check->lanes * member / members,
                  last = check->lanes * (member + 1) / members;
    for (int64_t lane = first;
         lane < last && !atomic_load_explicit(&check->overflowed, memory_order_relaxed); lane++) {
        lane_state st = lane_start(check->c, lane);
        follow_run(check->c, &st, lane_base(check->in, check->axis, lane),
                   check->in->strides[check->axis], check->len, buffer);
        if (st.overflowed)
            atomic_store_explicit(&check->overflowed, 1, memory_order_relaxed);
    }
}

pscan_status pscan_check_overflow(const pscan_view *in, int axis, int flatten, int64_t flat_count,
                                  pscan_op op, pscan_dtype acc, pscan_convert_fn load, int threads,
                                  const pscan_context *ctx, const char *carry)
{
    checker c = {op, load, NULL, NULL, pscan_dtype_size(acc), carry};
    if (!lane_functions(acc, &c.follow, &c.start) || (op != PSCAN_SUM && op != PSCAN_PROD) ||
        in->size == 0)
        return PSCAN_OK;
    int overflowed = 0;
    if (flatten) {
        _Alignas(16) char buffer[CHUNK * 8];
        overflowed = flattened_overflows(&c, in, flat_count, buffer);
        return overflowed ? PSCAN_EOVERFLOW : PSCAN_OK;
    }
    const int64_t len = in->shape[axis], lanes = in->size / len;
    const int useful = pscan_useful_threads(&ctx->tuning, threads, in->size);
    const int team = lanes >= 2 * (int64_t)useful ? useful : 1;
    lanes_check check = {&c, in, axis, len, lanes, 0};
    pscan_engine_team(ctx, team, NULL, check_member, &check);
    overflowed = atomic_load(&check.overflowed);
    return overflowed ? PSCAN_EOVERFLOW : PSCAN_OK;
}
