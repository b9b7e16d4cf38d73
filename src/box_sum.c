/* box_sum.c - box sums from a summed-area table (pscan_box_sums): four
 * lookups per box, in either table layout, in the table's own arithmetic.
 * Every box is checked before the first sum is written; then boxes are
 * split across a team when there are enough of them to pay for one. */
#include "context.h"
#include "dtype.h"
#include "convert.h"
#include "dtype_list.h"
#include "engine.h"
#include "layout.h"
#include "request.h"

#include <string.h>

#define FORCE_INLINE static inline __attribute__((always_inline))

/* A box costs four scattered table reads and a box read, each a likely
 * cache miss in a large table: it counts as this many scanned elements
 * in the engine's thread-count rule. */
enum { BOX_WORK = 16 };

/* P[r, c] along row 0 and column 0 of a plain (inclusive) table: the zero
 * of every dtype is all zero bytes (+0 for floats). */
static const unsigned char zero_value[16];

/* The validated call, as every team member reads it. */
typedef struct box_job {
    const char *table;              /* element [0, 0] */
    int64_t row_stride, col_stride; /* bytes */
    bool initial;                   /* OpenCV's layout: P is the table */
    const char *boxes;
    int64_t box_stride, coord_stride;
    char *sums;
    int64_t sum_stride;
    int64_t count;
    void (*range)(const struct box_job *job, int64_t first, int64_t end);
} box_job;

/* Box k's (r0, c0, r1, c1). */
static inline void read_box(const box_job *job, int64_t k, int64_t *coords)
{
    const char *at = job->boxes + k * job->box_stride;
    for (int j = 0; j < 4; j++)
        memcpy(&coords[j], at + j * job->coord_stride, sizeof coords[j]);
}

/* Where P[r, c] is (0 <= r <= rows, 0 <= c <= cols: in range once checked,
 * so the offsets are within the table's checked extent). */
static inline const char *prefix_at(const box_job *job, int64_t r, int64_t c)
{
    if (job->initial)
        return job->table + r * job->row_stride + c * job->col_stride;
    if (r == 0 || c == 0)
        return (const char *)zero_value;
    return job->table + (r - 1) * job->row_stride + (c - 1) * job->col_stride;
}

/* (p11 - p01) - (p10 - p00) per dtype: the differences of neighbouring
 * prefixes first, so a box far from the origin subtracts numbers of the
 * size of its strips, not of the whole table's. Floats in their own
 * type; integers wrap: they are computed in the unsigned type of their
 * width, whose bits they share. */
#define BOX_ARITH(tag, type)                                                           \
    FORCE_INLINE void box_sum_##tag(const char *p11, const char *p01, const char *p10, \
                                    const char *p00, char *out)                        \
    {                                                                                  \
        type v11, v01, v10, v00;                                                       \
        memcpy(&v11, p11, sizeof v11);                                                 \
        memcpy(&v01, p01, sizeof v01);                                                 \
        memcpy(&v10, p10, sizeof v10);                                                 \
        memcpy(&v00, p00, sizeof v00);                                                 \
        const type sum = (type)((type)(v11 - v01) - (type)(v10 - v00));                \
        memcpy(out, &sum, sizeof sum);                                                 \
    }
/* Complex: each part as its float type, from the part's offset. */
#define BOX_COMPLEX(tag, part)                                                         \
    FORCE_INLINE void box_sum_##tag(const char *p11, const char *p01, const char *p10, \
                                    const char *p00, char *out)                        \
    {                                                                                  \
        const size_t half = sizeof(pscan_t_##tag) / 2;                                 \
        box_sum_##part(p11, p01, p10, p00, out);                                       \
        box_sum_##part(p11 + half, p01 + half, p10 + half, p00 + half, out + half);    \
    }

BOX_ARITH(i8, uint8_t)
BOX_ARITH(i16, uint16_t)
BOX_ARITH(i32, uint32_t)
BOX_ARITH(i64, uint64_t)
BOX_ARITH(u8, uint8_t)
BOX_ARITH(u16, uint16_t)
BOX_ARITH(u32, uint32_t)
BOX_ARITH(u64, uint64_t)
BOX_ARITH(f32, float)
BOX_ARITH(f64, double)
BOX_COMPLEX(c64, f32)
BOX_COMPLEX(c128, f64)

/* numpy's float16 arithmetic: each step in float32, rounded to half. */
FORCE_INLINE void box_sum_f16(const char *p11, const char *p01, const char *p10, const char *p00,
                              char *out)
{
    uint16_t v11, v01, v10, v00;
    memcpy(&v11, p11, sizeof v11);
    memcpy(&v01, p01, sizeof v01);
    memcpy(&v10, p10, sizeof v10);
    memcpy(&v00, p00, sizeof v00);
    const uint16_t right = pscan_float_to_half(pscan_half_to_float(v11) - pscan_half_to_float(v01));
    const uint16_t left = pscan_float_to_half(pscan_half_to_float(v10) - pscan_half_to_float(v00));
    const uint16_t sum =
        pscan_float_to_half(pscan_half_to_float(right) - pscan_half_to_float(left));
    memcpy(out, &sum, sizeof sum);
}

typedef void (*box_sum_fn)(const char *, const char *, const char *, const char *, char *);

/* The one body: boxes [first, end), each dtype's step folded in. */
FORCE_INLINE void box_range(const box_job *job, int64_t first, int64_t end, size_t size,
                            box_sum_fn sum)
{
    for (int64_t k = first; k < end; k++) {
        int64_t b[4]; /* r0, c0, r1, c1 */
        read_box(job, k, b);
        char *out = job->sums + k * job->sum_stride;
        if (b[0] == b[2] || b[1] == b[3])
            memcpy(out, zero_value, size); /* empty: 0 whatever the table holds */
        else
            sum(prefix_at(job, b[2], b[3]), prefix_at(job, b[0], b[3]), prefix_at(job, b[2], b[1]),
                prefix_at(job, b[0], b[1]), out);
    }
}

#define BOX_RANGE(tag)                                                          \
    static void box_range_##tag(const box_job *job, int64_t first, int64_t end) \
    {                                                                           \
        box_range(job, first, end, sizeof(pscan_t_##tag), box_sum_##tag);       \
    }
#define BOX_NUMERIC(X) \
    X(i8) X(i16) X(i32) X(i64) X(u8) X(u16) X(u32) X(u64) X(f16) X(f32) X(f64) X(c64) X(c128)
BOX_NUMERIC(BOX_RANGE)

typedef void (*box_range_fn)(const box_job *job, int64_t first, int64_t end);

/* Every dtype a sum table can have but bool, whose sum is a logical or,
 * which has no inverse: NULL for it (and for invalid values). */
static box_range_fn range_for(pscan_dtype dtype)
{
    switch (dtype) {
#define BOX_CASE(tag)    \
    case PSCAN_DT_##tag: \
        return box_range_##tag;
        BOX_NUMERIC(BOX_CASE)
#undef BOX_CASE
    default:
        return NULL;
    }
}

static void box_member(void *arg, int member, int members)
{
    const box_job *job = arg;
    const int64_t share = job->count / members, extra = job->count % members;
    const int64_t first = member * share + (member < extra ? member : extra);
    job->range(job, first, first + share + (member < extra ? 1 : 0));
}

/* The checks the three arrays share: a valid dtype, `ndim` dims (else
 * `wrong_ndim`) of no negative length, an extent that fits, data
 * wherever there are elements. */
static pscan_status check_array(const pscan_array *array, int ndim, pscan_status wrong_ndim,
                                pscan_view *view)
{
    if (!pscan_dtype_valid(array->dtype))
        return PSCAN_EDTYPE;
    if (array->ndim != ndim)
        return wrong_ndim;
    if (!array->shape)
        return PSCAN_ENULL;
    for (int d = 0; d < ndim; d++)
        if (array->shape[d] < 0)
            return PSCAN_ESHAPE;
    const pscan_status status = pscan_view_init(view, array);
    if (status != PSCAN_OK)
        return status;
    return view->size > 0 && !view->data ? PSCAN_ENULL : PSCAN_OK;
}

/* 1-D: elements share memory only through a stride shorter than one. */
static bool shares_memory(const pscan_view *v)
{
    const int64_t stride = v->strides[0] < 0 ? -v->strides[0] : v->strides[0];
    return v->shape[0] > 1 && stride < v->itemsize;
}

pscan_status pscan_box_sums(const pscan_array *table, const pscan_array *boxes,
                            const pscan_array *sums, const pscan_opts *user_opts)
{
    pscan_opts opts;
    pscan_status status = pscan_opts_read(user_opts, &opts);
    if (status != PSCAN_OK)
        return status;
    if (opts.flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE))
        return PSCAN_EOPTS;
    if (!table || !boxes || !sums)
        return PSCAN_ENULL;
    pscan_view t, b, s;
    if ((status = check_array(table, 2, PSCAN_ENDIM, &t)) != PSCAN_OK ||
        (status = check_array(boxes, 2, PSCAN_ENDIM, &b)) != PSCAN_OK ||
        (status = check_array(sums, 1, PSCAN_EOUTSHAPE, &s)) != PSCAN_OK)
        return status;
    const box_range_fn range = range_for(t.dtype);
    if (!range || b.dtype != PSCAN_INT64 || s.dtype != t.dtype)
        return PSCAN_EDTYPE;
    const bool initial = opts.flags & PSCAN_FLAG_INCLUDE_INITIAL;
    const int64_t rows = t.shape[0] - (initial ? 1 : 0), cols = t.shape[1] - (initial ? 1 : 0);
    if (rows < 0 || cols < 0 || b.shape[1] != 4)
        return PSCAN_ESHAPE;
    if (s.shape[0] != b.shape[0])
        return PSCAN_EOUTSHAPE;
    if (shares_memory(&s) || pscan_views_intersect(&s, &t) || pscan_views_intersect(&s, &b))
        return PSCAN_EOUTALIAS;
    box_job job = {t.data,       t.strides[0], t.strides[1], initial,    b.data, b.strides[0],
                   b.strides[1], s.data,       s.strides[0], b.shape[0], range};
    for (int64_t k = 0; k < job.count; k++) {
        int64_t c[4];
        read_box(&job, k, c);
        if (c[0] < 0 || c[1] < 0 || c[2] < c[0] || c[3] < c[1] || c[2] > rows || c[3] > cols)
            return PSCAN_ESHAPE;
    }
    pscan_context *ctx;
    if ((status = pscan_context_resolve(opts.ctx, &ctx)) != PSCAN_OK)
        return status;
    const int asked = opts.threads > 0 ? opts.threads : ctx->threads;
    const int64_t work = job.count > INT64_MAX / BOX_WORK ? INT64_MAX : job.count * BOX_WORK;
    const int team = pscan_useful_threads(&ctx->tuning, asked, work);
    pscan_engine_team(ctx, team, NULL, box_member, &job);
    return PSCAN_OK;
}
