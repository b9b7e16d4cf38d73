/*
 * test_sat_fast.c - the summed-area table's fused row steps (conversion
 * inside the load, src/kernels/sat_kernels.c): SUM over an axis and the
 * last axis, from every input dtype those steps take into int64, uint64
 * and float64, equals the chained single-axis scans (pscan_scan along the
 * last axis, then along the other) bit for bit, over odd widths and
 * heights, one or many images, threads 1 to 4, streamed and unaligned
 * out, in place, strided views, INCLUDE_INITIAL and REVERSE. Inputs use
 * their dtype's whole range; float64 sums of integers take the order-free
 * path only where they are exact, and a uint32 table past 2^53 keeps the
 * ordered one (bits checked all the same).
 */
#include "testutil.h"

#include "context.h"

/* A context whose stream threshold is lowered (so small tables take the
 * streamed stores); each Criterion test runs in a process of its own. */
static pscan_context *stream_ctx;

static void make_stream_context(void)
{
    TU_ASSERT_OK(pscan_context_create(&stream_ctx));
    stream_ctx->tuning.stream_min_bytes = 4096;
}

static void drop_stream_context(void)
{
    pscan_context_destroy(stream_ctx);
    stream_ctx = NULL;
}

/* Random values over the dtype's range (bool 0 or 1, float32 in
 * [-100, 100)), or its largest magnitude when `extreme`. */
static void fill(void *data, pscan_dtype t, int64_t n, uint64_t *seed, int extreme)
{
    unsigned char *bytes = data;
    for (int64_t i = 0; i < n; i++) {
        const uint64_t r = tu_rand(seed);
        if (t == PSCAN_BOOL)
            bytes[i] = (unsigned char)(r & 1);
        else if (t == PSCAN_FLOAT32)
            tu_put_f64(bytes + i * 4, t, tu_rand_unit(seed) * 200 - 100, 0);
        else if (t == PSCAN_FLOAT64)
            tu_put_f64(bytes + i * 8, t, tu_rand_unit(seed) * 200 - 100, 0);
        else if (extreme)
            memset(bytes + (size_t)i * tu_size(t), 0xff, tu_size(t));
        else
            memcpy(bytes + (size_t)i * tu_size(t), &r, tu_size(t));
    }
}

/* One check: in of `shape` (C order unless in_strides), scanned over
 * axes {row_axis, ndim - 1} into out (C order, `out_offset` elements into
 * its buffer, or in's own buffer when in_place), against the chain. */
typedef struct sat_check {
    pscan_dtype in, acc;
    int ndim;
    int64_t shape[3];
    int row_axis;
    int threads;
    unsigned flags;
    int stream;     /* the lowered stream threshold */
    int out_offset; /* elements: out unaligned */
    int in_place;   /* in == out (in of the accumulator's dtype) */
    int strided;    /* in every other element of a wider buffer */
    int extreme;    /* every input its dtype's largest magnitude */
    uint64_t seed;
} sat_check;

static void run_check(const sat_check *c)
{
    const int ndim = c->ndim, last = ndim - 1;
    const int initial = (c->flags & PSCAN_FLAG_INCLUDE_INITIAL) != 0;
    const int64_t n = tu_prod(ndim, c->shape);
    int64_t out_shape[3];
    for (int d = 0; d < ndim; d++)
        out_shape[d] = c->shape[d] + (initial && (d == c->row_axis || d == last));
    const int64_t out_n = tu_prod(ndim, out_shape);
    const size_t in_size = tu_size(c->in), acc_size = tu_size(c->acc);
    const int step = c->strided ? 2 : 1;
    unsigned char *in = tu_malloc((size_t)(n * step) * in_size + 1);
    unsigned char *want = tu_malloc((size_t)out_n * acc_size + 1);
    unsigned char *got_buffer = tu_malloc((size_t)(out_n + c->out_offset) * acc_size + 1);
    uint64_t seed = c->seed;
    fill(in, c->in, n * step, &seed, c->extreme);
    int64_t in_strides[3];
    tu_c_strides(ndim, c->shape, (int64_t)(in_size * (size_t)step), in_strides);
    const pscan_array ai = tu_arr(in, c->in, ndim, c->shape, c->strided ? in_strides : NULL);

    /* The chain: the last axis into a stage (one longer along it under
     * include-initial), then the row axis into out, each with the flags. */
    int64_t stage_shape[3];
    memcpy(stage_shape, c->shape, sizeof stage_shape);
    stage_shape[last] += initial;
    unsigned char *stage = tu_malloc((size_t)tu_prod(ndim, stage_shape) * acc_size + 1);
    const pscan_array as = tu_arr(stage, c->acc, ndim, stage_shape, NULL);
    const pscan_array aw = tu_arr(want, c->acc, ndim, out_shape, NULL);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = 1;
    o.flags = c->flags;
    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &ai, last, c->acc, &as, &o));
    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &as, c->row_axis, c->acc, &aw, &o));
    free(stage);

    unsigned char *got = got_buffer + (size_t)c->out_offset * acc_size;
    if (c->in_place) {
        free(got_buffer);
        got_buffer = NULL;
        got = in;
    }
    const pscan_array ao = tu_arr(got, c->acc, ndim, out_shape, NULL);
    pscan_opts fo = PSCAN_OPTS_INIT;
    fo.threads = c->threads;
    fo.flags = c->flags;
    fo.ctx = c->stream ? stream_ctx : NULL;
    const int axes[2] = {c->row_axis, last};
    TU_ASSERT_OK(pscan_scan_axes(PSCAN_SUM, c->in_place ? &ao : &ai, 2, axes, c->acc, &ao, &fo));
    int64_t bad = 0;
    while (bad < out_n &&
           memcmp(got + (size_t)bad * acc_size, want + (size_t)bad * acc_size, acc_size) == 0)
        bad++;
    cr_assert(eq(i64, bad, out_n),
              "%s->%s shape %lld x %lld x %lld row axis %d threads %d flags %u stream %d offset %d "
              "in place %d strided %d: first differing element",
              pscan_dtype_name(c->in), pscan_dtype_name(c->acc), (long long)c->shape[0],
              (long long)c->shape[1], ndim > 2 ? (long long)c->shape[2] : 1LL, c->row_axis,
              c->threads, c->flags, c->stream, c->out_offset, c->in_place, c->strided);
    free(in);
    free(want);
    free(got_buffer);
}

typedef struct pair {
    pscan_dtype in, acc;
} pair;

/* Every pair with fused steps (integer and float64-exact sums), the
 * float32 load of the ordered path, and float64 itself. */
static const pair pairs[] = {
    {PSCAN_BOOL, PSCAN_INT64},      {PSCAN_INT8, PSCAN_INT64},     {PSCAN_INT16, PSCAN_INT64},
    {PSCAN_INT32, PSCAN_INT64},     {PSCAN_INT64, PSCAN_INT64},    {PSCAN_UINT8, PSCAN_INT64},
    {PSCAN_UINT16, PSCAN_INT64},    {PSCAN_UINT32, PSCAN_INT64},   {PSCAN_BOOL, PSCAN_UINT64},
    {PSCAN_UINT8, PSCAN_UINT64},    {PSCAN_UINT16, PSCAN_UINT64},  {PSCAN_UINT32, PSCAN_UINT64},
    {PSCAN_UINT64, PSCAN_UINT64},   {PSCAN_BOOL, PSCAN_FLOAT64},   {PSCAN_INT8, PSCAN_FLOAT64},
    {PSCAN_INT16, PSCAN_FLOAT64},   {PSCAN_INT32, PSCAN_FLOAT64},  {PSCAN_UINT8, PSCAN_FLOAT64},
    {PSCAN_UINT16, PSCAN_FLOAT64},  {PSCAN_UINT32, PSCAN_FLOAT64}, {PSCAN_FLOAT32, PSCAN_FLOAT64},
    {PSCAN_FLOAT64, PSCAN_FLOAT64},
};
enum { PAIRS = sizeof pairs / sizeof *pairs };

static const int64_t widths[] = {1, 7, 63, 64, 65, 4097};
static const int64_t heights[] = {1, 2, 3, 5, 9, 70};

Test(sat_fast, every_pair_width_height_and_thread_count_gives_the_chain)
{
    uint64_t seed = 11;
    for (int p = 0; p < PAIRS; p++)
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++)
            for (size_t h = 0; h < sizeof heights / sizeof *heights; h++) {
                if (widths[w] * heights[h] > 70000 && p % 4 != 0)
                    continue; /* the widest and tallest for a quarter of the pairs */
                for (int threads = 1; threads <= 4; threads++) {
                    const sat_check c = {pairs[p].in, pairs[p].acc,
                                         2,           {heights[h], widths[w]},
                                         0,           threads,
                                         0,           0,
                                         0,           0,
                                         0,           0,
                                         seed++};
                    run_check(&c);
                }
            }
}

Test(sat_fast, streamed_and_unaligned_out_gives_the_chain, .init = make_stream_context,
     .fini = drop_stream_context)
{
    uint64_t seed = 23;
    for (int p = 0; p < PAIRS; p++)
        for (int offset = 0; offset < 3; offset++)
            for (int threads = 1; threads <= 4; threads++) {
                const sat_check c = {pairs[p].in, pairs[p].acc, 2, {37, 129}, 0, threads, 0,
                                     1,           offset,       0, 0,         0, seed++};
                run_check(&c);
            }
}

Test(sat_fast, many_images_and_rows_apart_give_the_chain)
{
    uint64_t seed = 31;
    for (int p = 0; p < PAIRS; p++)
        for (int row_axis = 0; row_axis < 2; row_axis++)
            for (int threads = 1; threads <= 4; threads++) {
                const sat_check c = {
                    pairs[p].in, pairs[p].acc, 3, {3, 17, 65}, row_axis, threads, 0, 0, 0, 0, 0,
                    0,           seed++};
                run_check(&c);
            }
}

Test(sat_fast, in_place_gives_the_chain, .init = make_stream_context, .fini = drop_stream_context)
{
    uint64_t seed = 41;
    const pscan_dtype same[] = {PSCAN_INT64, PSCAN_UINT64, PSCAN_FLOAT64};
    for (int k = 0; k < 3; k++)
        for (int threads = 1; threads <= 4; threads++) {
            const sat_check c = {same[k],     same[k], 2, {33, 130}, 0, threads, 0,
                                 threads % 2, 0,       1, 0,         0, seed++};
            run_check(&c);
        }
}

Test(sat_fast, strided_views_and_flags_give_the_chain)
{
    uint64_t seed = 53;
    const unsigned flags[] = {0, PSCAN_FLAG_INCLUDE_INITIAL, PSCAN_FLAG_REVERSE,
                              PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE};
    for (int p = 0; p < PAIRS; p++)
        for (int f = 0; f < 4; f++)
            for (int strided = 0; strided < 2; strided++)
                for (int threads = 1; threads <= 4; threads += 3) {
                    const sat_check c = {
                        pairs[p].in, pairs[p].acc, 2, {21, 67}, 0, threads, flags[f], 0, 0,
                        0,           strided,      0, seed++};
                    run_check(&c);
                }
}

/* The order-free path for float64 sums of integers holds while every sum
 * is exact: a uint32 image of the largest values has sums past 2^53
 * (4294967295 * 2^21 > 2^53), which keep the ordered path, and one of
 * half the elements, sums below it, which take the fused one. Both give
 * the chain's bits, on any thread count. */
Test(sat_fast, float64_sums_of_uint32_past_and_below_2_pow_53_give_the_chain)
{
    const int64_t past[2] = {1024, 2049}, below[2] = {1024, 1024};
    for (int threads = 1; threads <= 4; threads += 3) {
        sat_check c = {
            PSCAN_UINT32, PSCAN_FLOAT64, 2, {past[0], past[1]}, 0, threads, 0, 0, 0, 0, 0, 1, 7};
        run_check(&c);
        c.shape[0] = below[0];
        c.shape[1] = below[1];
        c.extreme = 0;
        run_check(&c);
    }
}

/* Include-initial alone takes the one pass (OpenCV's integral layout):
 * tall enough images for the float column strips, many images with rows
 * apart, streamed or not. */
Test(sat_fast, include_initial_one_pass_gives_the_chain, .init = make_stream_context,
     .fini = drop_stream_context)
{
    uint64_t seed = 67;
    for (int p = 0; p < PAIRS; p++)
        for (int threads = 1; threads <= 4; threads++) {
            sat_check c = {pairs[p].in,
                           pairs[p].acc,
                           2,
                           {150, 257},
                           0,
                           threads,
                           PSCAN_FLAG_INCLUDE_INITIAL,
                           threads % 2,
                           0,
                           0,
                           0,
                           0,
                           seed++};
            run_check(&c);
            for (int row_axis = 0; row_axis < 2; row_axis++) {
                const sat_check d = {pairs[p].in,
                                     pairs[p].acc,
                                     3,
                                     {3, 17, 65},
                                     row_axis,
                                     threads,
                                     PSCAN_FLAG_INCLUDE_INITIAL,
                                     1 - threads % 2,
                                     0,
                                     0,
                                     0,
                                     0,
                                     seed++};
                run_check(&d);
            }
        }
}
