/* arg_scan.c - PSCAN_ARGMAX and PSCAN_ARGMIN: the running index of the
 * first maximum (minimum) along each lane, on the generic engine
 * (generic_scan.h). An element is a value in the comparison dtype with
 * its index along the lane; of two elements the better value wins, and
 * of equal values (or two NaNs) the lower index, so the combine is
 * associative and commutative: no grouping, thread count or direction
 * changes a result. numpy's argmax rules: a NaN beats every number (the
 * first NaN is the answer), complex values compare lexicographically.
 * Under SKIP_NAN a NaN is absent (index -1, losing to everything), as is
 * the identity: a prefix with nothing in it gives -1. */
#include "arg_scan.h"

#include "convert.h"
#include "dtype_list.h"
#include "generic_scan.h"

#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* An element: the index first (what out receives), then the value. */
typedef struct arg_elem {
    int64_t index; /* -1: absent */
    _Alignas(8) unsigned char value[16];
} arg_elem;

typedef struct arg_ctx {
    pscan_convert_fn load;  /* in's dtype -> the comparison dtype */
    pscan_convert_fn store; /* int64 -> out's dtype */
    bool skip_nan;
} arg_ctx;

/* Per tag: whether a value is NaN, and whether x > y (greater) and x == y
 * as numpy orders them (complex lexicographically). */
#define REAL_RULES(tag, ctype, to_real)                \
    static inline bool isnan_##tag(ctype v)            \
    {                                                  \
        return isnan((double)to_real(v));              \
    }                                                  \
    static inline bool greater_##tag(ctype x, ctype y) \
    {                                                  \
        return to_real(x) > to_real(y);                \
    }                                                  \
    static inline bool equal_##tag(ctype x, ctype y)   \
    {                                                  \
        return to_real(x) == to_real(y);               \
    }
#define AS_IS(v) (v)
#define HALF(v) pscan_half_to_float(v)
#define COMPLEX_RULES(tag, ctype)                            \
    static inline bool isnan_##tag(ctype v)                  \
    {                                                        \
        return isnan(v.re) || isnan(v.im);                   \
    }                                                        \
    static inline bool greater_##tag(ctype x, ctype y)       \
    {                                                        \
        return x.re > y.re || (x.re == y.re && x.im > y.im); \
    }                                                        \
    static inline bool equal_##tag(ctype x, ctype y)         \
    {                                                        \
        return x.re == y.re && x.im == y.im;                 \
    }
REAL_RULES(bool, pscan_t_bool, AS_IS)
REAL_RULES(i8, pscan_t_i8, AS_IS)
REAL_RULES(i16, pscan_t_i16, AS_IS)
REAL_RULES(i32, pscan_t_i32, AS_IS)
REAL_RULES(i64, pscan_t_i64, AS_IS)
REAL_RULES(u8, pscan_t_u8, AS_IS)
REAL_RULES(u16, pscan_t_u16, AS_IS)
REAL_RULES(u32, pscan_t_u32, AS_IS)
REAL_RULES(u64, pscan_t_u64, AS_IS)
REAL_RULES(f16, pscan_t_f16, HALF)
REAL_RULES(f32, pscan_t_f32, AS_IS)
REAL_RULES(f64, pscan_t_f64, AS_IS)
COMPLEX_RULES(c64, pscan_t_c64)
COMPLEX_RULES(c128, pscan_t_c128)

/* For each tag: the runs of ARGMAX and ARGMIN, and the
 * load that indexes the values. Whether x beats acc: a present x against
 * an absent acc; then NaN first; then the better value; ties (and NaN
 * against NaN) to the lower index. */
#define ARG_FUNCTIONS(tag)                                                                      \
    static inline bool beats_##tag(const arg_elem *x, const arg_elem *acc, bool find_max)       \
    {                                                                                           \
        if (x->index < 0)                                                                       \
            return false;                                                                       \
        if (acc->index < 0)                                                                     \
            return true;                                                                        \
        pscan_t_##tag xv, av;                                                                   \
        memcpy(&xv, x->value, sizeof xv);                                                       \
        memcpy(&av, acc->value, sizeof av);                                                     \
        const bool x_nan = isnan_##tag(xv), a_nan = isnan_##tag(av);                            \
        if (x_nan || a_nan)                                                                     \
            return x_nan && (!a_nan || x->index < acc->index);                                  \
        if (equal_##tag(xv, av))                                                                \
            return x->index < acc->index;                                                       \
        return find_max ? greater_##tag(xv, av) : greater_##tag(av, xv);                        \
    }                                                                                           \
    static inline void run_##tag(void *acc, const void *x, void *out, size_t n, bool find_max)  \
    {                                                                                           \
        arg_elem a;                                                                             \
        memcpy(&a, acc, sizeof a);                                                              \
        for (size_t i = 0; i < n; i++) {                                                        \
            arg_elem e;                                                                         \
            memcpy(&e, (const char *)x + i * sizeof e, sizeof e);                               \
            if (beats_##tag(&e, &a, find_max))                                                  \
                a = e;                                                                          \
            if (out)                                                                            \
                memcpy((char *)out + i * sizeof a, &a, sizeof a);                               \
        }                                                                                       \
        memcpy(acc, &a, sizeof a);                                                              \
    }                                                                                           \
    static void run_max_##tag(void *acc, const void *x, void *out, size_t n, const void *ctx)   \
    {                                                                                           \
        (void)ctx;                                                                              \
        run_##tag(acc, x, out, n, true);                                                        \
    }                                                                                           \
    static void run_min_##tag(void *acc, const void *x, void *out, size_t n, const void *ctx)   \
    {                                                                                           \
        (void)ctx;                                                                              \
        run_##tag(acc, x, out, n, false);                                                       \
    }                                                                                           \
    static void load_##tag(const char *src, int64_t stride, char *buf, size_t n, int64_t index, \
                           int64_t step, const void *ctx)                                       \
    {                                                                                           \
        const arg_ctx *c = ctx;                                                                 \
        c->load(src, stride, buf + offsetof(arg_elem, value), sizeof(arg_elem), n);             \
        for (size_t i = 0; i < n; i++) {                                                        \
            char *e = buf + i * sizeof(arg_elem);                                               \
            int64_t at = index + (int64_t)i * step;                                             \
            if (c->skip_nan) {                                                                  \
                pscan_t_##tag v;                                                                \
                memcpy(&v, e + offsetof(arg_elem, value), sizeof v);                            \
                if (isnan_##tag(v))                                                             \
                    at = -1;                                                                    \
            }                                                                                   \
            memcpy(e + offsetof(arg_elem, index), &at, sizeof at);                              \
            /* the value's unused bytes too: states are compared and sent whole */              \
            memset(e + offsetof(arg_elem, value) + sizeof(pscan_t_##tag), 0,                    \
                   sizeof(((arg_elem *)0)->value) - sizeof(pscan_t_##tag));                     \
        }                                                                                       \
    }
PSCAN_EACH_DTYPE(ARG_FUNCTIONS)

typedef struct arg_row {
    bool (*beats)(const arg_elem *, const arg_elem *, bool);
    void (*run_max)(void *, const void *, void *, size_t, const void *);
    void (*run_min)(void *, const void *, void *, size_t, const void *);
    void (*load)(const char *, int64_t, char *, size_t, int64_t, int64_t, const void *);
} arg_row;
#define ARG_ROW(tag) [PSCAN_DT_##tag] = {beats_##tag, run_max_##tag, run_min_##tag, load_##tag},
static const arg_row arg_rows[PSCAN_DTYPE_COUNT] = {PSCAN_EACH_DTYPE(ARG_ROW)};

static void store_indexes(const char *buf, char *dst, int64_t stride, size_t n, const void *ctx)
{
    ((const arg_ctx *)ctx)
        ->store(buf + offsetof(arg_elem, index), sizeof(arg_elem), dst, stride, n);
}

/* A lane's state between pieces: the elements seen, and the best of them
 * (its index counted from the lane's first element, -1 for none). */
typedef struct arg_state {
    int64_t count;
    arg_elem best;
} arg_state;

size_t pscan_arg_state_bytes(void)
{
    return sizeof(arg_state);
}

void pscan_arg_identity_state(void *state)
{
    const arg_state none = {0, {-1, {0}}};
    memcpy(state, &none, sizeof none);
}

pscan_status pscan_arg_scan(const pscan_request *rq, bool find_max, const void *state_in,
                            void *state_out, bool scan)
{
    if ((state_in || state_out) && (rq->opts.flags & PSCAN_FLAG_REVERSE))
        return PSCAN_ENOTSUP; /* indexes would count from a start not yet seen */
    const arg_ctx ctx = {pscan_convert_get(rq->in.dtype, rq->acc),
                         pscan_convert_get(PSCAN_INT64, rq->out.dtype),
                         (rq->opts.flags & PSCAN_FLAG_SKIP_NAN) != 0};
    static const arg_elem nothing = {-1, {0}};
    const arg_row *row = &arg_rows[rq->acc];
    const pscan_generic_op op = {
        sizeof(arg_elem), &nothing,      find_max ? row->run_max : row->run_min,
        row->load,        store_indexes, &ctx};
    const int64_t lanes = pscan_view_lanes(&rq->in, rq->flatten ? -1 : rq->axis);
    const int64_t len = rq->flatten ? rq->in.size : rq->in.shape[rq->axis];
    arg_elem *incoming = NULL, *totals = NULL;
    int64_t *base = NULL;
    const size_t n = (size_t)lanes + 1;
    if (state_in) {
        incoming = malloc(n * sizeof *incoming);
        base = malloc(n * sizeof *base);
    }
    if (state_out)
        totals = malloc(n * sizeof *totals);
    pscan_status status = PSCAN_OK;
    if ((state_in && (!incoming || !base)) || (state_out && !totals))
        status = PSCAN_ENOMEM;
    for (int64_t k = 0; status == PSCAN_OK && state_in && k < lanes; k++) {
        arg_state st;
        memcpy(&st, (const char *)state_in + (size_t)k * sizeof st, sizeof st);
        incoming[k] = st.best;
        base[k] = st.count;
    }
    const pscan_generic_start start = {(const char *)incoming, base};
    /* The states first: an in-place scan overwrites in. */
    if (status == PSCAN_OK && state_out)
        status = pscan_generic_reduce(&op, rq, &start, (char *)totals);
    if (status == PSCAN_OK && scan)
        status = pscan_generic_scan(&op, rq, &start);
    for (int64_t k = 0; status == PSCAN_OK && state_out && k < lanes; k++) {
        const arg_state st = {(base ? base[k] : 0) + len, totals[k]};
        memcpy((char *)state_out + (size_t)k * sizeof st, &st, sizeof st);
    }
    free(incoming);
    free(base);
    free(totals);
    return status;
}

void pscan_arg_combine_states(pscan_dtype acc, bool find_max, const void *first, const void *second,
                              void *result, int64_t count)
{
    const arg_row *row = &arg_rows[acc];
    for (int64_t k = 0; k < count; k++) {
        arg_state a, b;
        memcpy(&a, (const char *)first + (size_t)k * sizeof a, sizeof a);
        memcpy(&b, (const char *)second + (size_t)k * sizeof b, sizeof b);
        if (b.best.index >= 0) /* second's indexes count on after first's elements */
            b.best.index += a.count;
        const arg_state r = {a.count + b.count,
                             row->beats(&b.best, &a.best, find_max) ? b.best : a.best};
        memcpy((char *)result + (size_t)k * sizeof r, &r, sizeof r);
    }
}
