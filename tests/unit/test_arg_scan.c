/* The running arg-max and arg-min (PSCAN_ARGMAX, PSCAN_ARGMIN): numpy's
 * NaN and tie rules on small cases of every kind of dtype, every flag,
 * long lanes in several layouts against a loop for 1 to 4 threads,
 * converting outs, pieces chained by their states, and the statuses. */
#define PSCAN_ADVANCED_API
#include "testutil.h"

static pscan_opts opts_with(int threads, unsigned flags)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.flags = flags;
    return o;
}

static void expect_indexes(pscan_op op, const void *values, pscan_dtype dtype, int64_t n,
                           unsigned flags, const int64_t *want)
{
    const int64_t extra = flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0, out_n = n + extra;
    int64_t got[64];
    const int64_t shape[1] = {n}, out_shape[1] = {out_n};
    const pscan_array in = tu_vec((void *)(uintptr_t)values, dtype, shape);
    const pscan_array out = tu_vec(got, PSCAN_INT64, out_shape);
    const pscan_opts opts = opts_with(1, flags);
    cr_assert(
        eq(int, (int)pscan_scan(op, &in, 0, PSCAN_DTYPE_DEFAULT, &out, &opts), (int)PSCAN_OK));
    tu_assert_i64s(got, want, (size_t)out_n);
}

Test(arg_scan, nan_first_ties_to_the_lower_index)
{
    const double x[10] = {1, 3, 3, 2, NAN, 5, NAN, 7, -1, 7};
    const int64_t max_plain[10] = {0, 1, 1, 1, 4, 4, 4, 4, 4, 4};
    const int64_t max_skip[10] = {0, 1, 1, 1, 1, 5, 5, 7, 7, 7};
    const int64_t max_reverse[10] = {4, 4, 4, 4, 4, 6, 6, 7, 9, 9};
    const int64_t min_skip[10] = {0, 0, 0, 0, 0, 0, 0, 0, 8, 8};
    const int64_t max_excl_skip[10] = {-1, 0, 1, 1, 1, 1, 5, 5, 7, 7};
    const int64_t max_initial[11] = {-1, 0, 1, 1, 1, 4, 4, 4, 4, 4, 4};
    const int64_t min_reverse_initial[11] = {4, 4, 4, 4, 4, 6, 6, 8, 8, 9, -1};
    expect_indexes(PSCAN_ARGMAX, x, PSCAN_FLOAT64, 10, 0, max_plain);
    expect_indexes(PSCAN_ARGMAX, x, PSCAN_FLOAT64, 10, PSCAN_FLAG_SKIP_NAN, max_skip);
    expect_indexes(PSCAN_ARGMAX, x, PSCAN_FLOAT64, 10, PSCAN_FLAG_REVERSE, max_reverse);
    expect_indexes(PSCAN_ARGMIN, x, PSCAN_FLOAT64, 10, PSCAN_FLAG_SKIP_NAN, min_skip);
    expect_indexes(PSCAN_ARGMAX, x, PSCAN_FLOAT64, 10, PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_SKIP_NAN,
                   max_excl_skip);
    expect_indexes(PSCAN_ARGMAX, x, PSCAN_FLOAT64, 10, PSCAN_FLAG_INCLUDE_INITIAL, max_initial);
    expect_indexes(PSCAN_ARGMIN, x, PSCAN_FLOAT64, 10,
                   PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE, min_reverse_initial);

    const double nans[3] = {NAN, NAN, 1};
    const int64_t all_absent[3] = {-1, -1, 2};
    expect_indexes(PSCAN_ARGMAX, nans, PSCAN_FLOAT64, 3, PSCAN_FLAG_SKIP_NAN, all_absent);

    /* Integers, bool, float16 (through float), complex lexicographic with
     * a NaN imaginary part. */
    const int16_t i[6] = {-5, 2, -7, 2, 9, -7};
    const int64_t i_max[6] = {0, 1, 1, 1, 4, 4}, i_min[6] = {0, 0, 2, 2, 2, 2};
    expect_indexes(PSCAN_ARGMAX, i, PSCAN_INT16, 6, 0, i_max);
    expect_indexes(PSCAN_ARGMIN, i, PSCAN_INT16, 6, 0, i_min);
    const uint8_t b[5] = {0, 0, 1, 0, 1};
    const int64_t b_max[5] = {0, 0, 2, 2, 2};
    expect_indexes(PSCAN_ARGMAX, b, PSCAN_BOOL, 5, 0, b_max);
    const uint16_t h[4] = {0x3c00 /* 1 */, 0xbc00 /* -1 */, 0x4000 /* 2 */, 0x3c00};
    const int64_t h_min[4] = {0, 1, 1, 1};
    expect_indexes(PSCAN_ARGMIN, h, PSCAN_FLOAT16, 4, 0, h_min);
    const double c[10] = {1, 5, 2, -1, 2, 3, 2, NAN, 2, 9};
    const int64_t c_max[5] = {0, 1, 2, 3, 3};
    expect_indexes(PSCAN_ARGMAX, c, PSCAN_COMPLEX128, 5, 0, c_max);
}

/* Long lanes (many tiles, several threads) in three layouts against a
 * loop; out converted to int32 once. */
static void loop_argmax(const double *x, int64_t stride, int64_t n, int64_t *out,
                        int64_t out_stride)
{
    int64_t best = 0;
    for (int64_t i = 0; i < n; i++) {
        if (x[i * stride] > x[best * stride])
            best = i;
        out[i * out_stride] = best;
    }
}

Test(arg_scan, long_lanes_match_the_loop_for_every_thread_count)
{
    const int64_t rows = 3, cols = 150000, n = rows * cols;
    double *x = tu_malloc((size_t)n * sizeof *x);
    int64_t *out = tu_malloc((size_t)n * sizeof *out), *want = tu_malloc((size_t)n * sizeof *want);
    uint64_t seed = 5;
    for (int64_t k = 0; k < n; k++) /* slowly rising with noise: the best moves often */
        x[k] = (double)(k % cols) * 0.001 + tu_rand_unit(&seed) * 40;
    const int64_t shape[2] = {rows, cols}, tshape[2] = {cols, rows};
    const int64_t tstrides[2] = {8, cols * 8}, flat_shape[1] = {n};
    for (int layout = 0; layout < 3; layout++) {
        pscan_array in, o;
        int axis;
        if (layout == 0) { /* rows along axis 1 */
            in = tu_arr(x, PSCAN_FLOAT64, 2, shape, NULL);
            o = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
            axis = 1;
            for (int64_t r = 0; r < rows; r++)
                loop_argmax(x + r * cols, 1, cols, want + r * cols, 1);
        } else if (layout == 1) { /* the transpose along axis 0: strided lanes */
            in = tu_arr(x, PSCAN_FLOAT64, 2, tshape, tstrides);
            o = tu_arr(out, PSCAN_INT64, 2, tshape, NULL);
            axis = 0;
            for (int64_t r = 0; r < rows; r++)
                loop_argmax(x + r * cols, 1, cols, want + r, rows);
        } else { /* one lane */
            in = tu_arr(x, PSCAN_FLOAT64, 1, flat_shape, NULL);
            o = tu_arr(out, PSCAN_INT64, 1, flat_shape, NULL);
            axis = PSCAN_AXIS_NONE;
            loop_argmax(x, 1, n, want, 1);
        }
        for (int threads = 1; threads <= 4; threads++) {
            memset(out, 0, (size_t)n * sizeof *out);
            const pscan_opts opts = opts_with(threads, 0);
            cr_assert(eq(int,
                         (int)pscan_scan(PSCAN_ARGMAX, &in, axis, PSCAN_DTYPE_DEFAULT, &o, &opts),
                         (int)PSCAN_OK));
            tu_assert_i64s(out, want, (size_t)n);
        }
    }
    /* int32 out, SEQUENTIAL: the same indexes */
    int32_t *narrow = tu_malloc((size_t)n * sizeof *narrow);
    const pscan_array in = tu_arr(x, PSCAN_FLOAT64, 1, flat_shape, NULL);
    const pscan_array o32 = tu_arr(narrow, PSCAN_INT32, 1, flat_shape, NULL);
    pscan_opts seq = opts_with(2, 0);
    seq.order = PSCAN_ORDER_SEQUENTIAL;
    cr_assert(eq(int, (int)pscan_scan(PSCAN_ARGMAX, &in, 0, PSCAN_DTYPE_DEFAULT, &o32, &seq),
                 (int)PSCAN_OK));
    for (int64_t k = 0; k < n; k++)
        cr_assert(eq(i64, (int64_t)narrow[k], want[k]));
    free(narrow);
    free(x);
    free(out);
    free(want);
}

/* Pieces chained by their states give one call's indexes, and so does a
 * stream fed the same cuts; the states count the elements seen. */
Test(arg_scan, pieces_and_streams_continue_one_call)
{
    const int64_t n = 20000, cut = 7777;
    int64_t *x = tu_malloc((size_t)n * sizeof *x), *whole = tu_malloc((size_t)n * sizeof *whole),
            *parts = tu_malloc((size_t)n * sizeof *parts);
    for (int64_t k = 0; k < n; k++)
        x[k] = (k * 7919) % 10007 - (k % 3 ? 0 : 5000);
    for (int f = 0; f < 2; f++) {
        const unsigned flags = f ? PSCAN_FLAG_EXCLUSIVE : 0;
        const pscan_opts opts = opts_with(2, flags);
        const int64_t shape[1] = {n}, first[1] = {cut}, rest[1] = {n - cut};
        const pscan_array in = tu_vec(x, PSCAN_INT64, shape),
                          out = tu_vec(whole, PSCAN_INT64, shape);
        cr_assert(eq(int, (int)pscan_scan(PSCAN_ARGMIN, &in, 0, PSCAN_DTYPE_DEFAULT, &out, &opts),
                     (int)PSCAN_OK));
        const size_t bytes =
            pscan_scan_state_size(PSCAN_ARGMIN, PSCAN_INT64, PSCAN_DTYPE_DEFAULT, &opts);
        cr_assert(eq(sz, bytes, (size_t)32));
        unsigned char state[32];
        const pscan_array in1 = tu_vec(x, PSCAN_INT64, first),
                          out1 = tu_vec(parts, PSCAN_INT64, first);
        const pscan_array in2 = tu_vec(x + cut, PSCAN_INT64, rest),
                          out2 = tu_vec(parts + cut, PSCAN_INT64, rest);
        cr_assert(eq(int,
                     (int)pscan_scan_carry_state(PSCAN_ARGMIN, &in1, 0, PSCAN_DTYPE_DEFAULT, &out1,
                                                 &opts, NULL, state),
                     (int)PSCAN_OK));
        int64_t seen;
        memcpy(&seen, state, sizeof seen);
        cr_assert(eq(i64, seen, cut));
        /* the reduction hands on the same state; two pieces' states
         * combine into the whole's */
        unsigned char reduced[32], second[32], combined[32], all[32];
        cr_assert(eq(int,
                     (int)pscan_scan_reduce_state(PSCAN_ARGMIN, &in1, 0, PSCAN_DTYPE_DEFAULT, &opts,
                                                  NULL, reduced),
                     (int)PSCAN_OK));
        cr_assert(eq(int, memcmp(reduced, state, sizeof state), 0));
        cr_assert(eq(int,
                     (int)pscan_scan_reduce_state(PSCAN_ARGMIN, &in2, 0, PSCAN_DTYPE_DEFAULT, &opts,
                                                  NULL, second),
                     (int)PSCAN_OK));
        cr_assert(eq(int,
                     (int)pscan_combine_states(PSCAN_ARGMIN, PSCAN_INT64, PSCAN_DTYPE_DEFAULT,
                                               &opts, state, second, combined, 1),
                     (int)PSCAN_OK));
        cr_assert(eq(int,
                     (int)pscan_scan_reduce_state(PSCAN_ARGMIN, &in, 0, PSCAN_DTYPE_DEFAULT, &opts,
                                                  NULL, all),
                     (int)PSCAN_OK));
        cr_assert(eq(int, memcmp(combined, all, sizeof all), 0));
        int64_t best;
        memcpy(&best, all + 8, sizeof best);
        if (!f) /* the last inclusive result is the state's best */
            cr_assert(eq(i64, best, whole[n - 1]));
        cr_assert(eq(int,
                     (int)pscan_scan_carry_state(PSCAN_ARGMIN, &in2, 0, PSCAN_DTYPE_DEFAULT, &out2,
                                                 &opts, state, NULL),
                     (int)PSCAN_OK));
        tu_assert_i64s(parts, whole, (size_t)n);

        pscan_stream *s;
        cr_assert(eq(int,
                     (int)pscan_stream_create(&s, PSCAN_ARGMIN, PSCAN_INT64, 0, NULL,
                                              PSCAN_STREAM_STEPS, &opts),
                     (int)PSCAN_OK));
        memset(parts, 0, (size_t)n * sizeof *parts);
        cr_assert(eq(int, (int)pscan_stream_push(s, &in1, &out1), (int)PSCAN_OK));
        cr_assert(eq(int, (int)pscan_stream_push(s, &in2, &out2), (int)PSCAN_OK));
        pscan_stream_destroy(s);
        tu_assert_i64s(parts, whole, (size_t)n);
    }
    free(x);
    free(whole);
    free(parts);
}

Test(arg_scan, statuses)
{
    const double x[4] = {1, 2, 3, 4};
    int64_t out[4];
    int32_t out32[4];
    const int64_t shape[1] = {4};
    const pscan_array in = tu_vec((void *)(uintptr_t)x, PSCAN_FLOAT64, shape);
    const pscan_array o = tu_vec(out, PSCAN_INT64, shape), o32 = tu_vec(out32, PSCAN_INT32, shape);
    pscan_opts safe = PSCAN_OPTS_INIT;
    safe.casting = PSCAN_CASTING_SAFE;
    tu_fill_sentinel(out32, sizeof out32);
    /* int64 indexes into int32 are not safe; into int64 they are, from any
     * comparison dtype */
    cr_assert(eq(int, (int)pscan_scan(PSCAN_ARGMAX, &in, 0, PSCAN_DTYPE_DEFAULT, &o32, &safe),
                 (int)PSCAN_ECAST));
    tu_assert_sentinel(out32, sizeof out32);
    cr_assert(eq(int, (int)pscan_scan(PSCAN_ARGMAX, &in, 0, PSCAN_DTYPE_DEFAULT, &o, &safe),
                 (int)PSCAN_OK));
    cr_assert(eq(int, (int)pscan_default_dtype(PSCAN_ARGMAX, PSCAN_UINT8), (int)PSCAN_UINT8));
    const int axes[1] = {0};
    cr_assert(eq(int,
                 (int)pscan_scan_axes(PSCAN_ARGMIN, &in, 1, axes, PSCAN_DTYPE_DEFAULT, &o, NULL),
                 (int)PSCAN_EOP));
    unsigned char state[32] = {0};
    pscan_opts reverse = opts_with(1, PSCAN_FLAG_REVERSE);
    cr_assert(eq(int,
                 (int)pscan_scan_carry_state(PSCAN_ARGMAX, &in, 0, PSCAN_DTYPE_DEFAULT, &o,
                                             &reverse, NULL, state),
                 (int)PSCAN_ENOTSUP));
    cr_assert(eq(int,
                 (int)pscan_scan_reduce_state(PSCAN_ARGMAX, &in, 0, PSCAN_DTYPE_DEFAULT, &reverse,
                                              NULL, state),
                 (int)PSCAN_ENOTSUP));
    int64_t carry = 0; /* a carry is an accumulator: an arg scan has none */
    cr_assert(eq(int,
                 (int)pscan_scan_carry(PSCAN_ARGMAX, &in, PSCAN_DTYPE_DEFAULT, &o, NULL, &carry),
                 (int)PSCAN_ENOTSUP));
    int64_t value = 0;
    cr_assert(eq(int, (int)pscan_identity(PSCAN_ARGMAX, PSCAN_INT64, &value), (int)PSCAN_OK));
    cr_assert(eq(i64, value, -1));
}
