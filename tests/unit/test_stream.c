/*
 * test_stream.c - pscan_stream: chunks pushed one after another give the
 * one-shot scan of their concatenation (bit for bit where the header says
 * so), in both layouts and for a single flattened lane; the running total,
 * reset, and errors that leave the stream as it was.
 */
#include "testutil.h"

enum { TILE = 4096 };

typedef struct stream_case {
    pscan_op op;
    pscan_dtype in_dtype, dtype;
    pscan_order order;
    pscan_stream_layout layout;
    int threads;
    bool tile_chunks; /* chunks of whole tiles (else any size) */
} stream_case;

/* steps x lanes (STEPS) or lanes x steps (LAST), lanes = 3 x 5. */
static void check_stream(const stream_case *c, int64_t steps, uint64_t seed)
{
    unsigned char identity[16];
    if (pscan_identity(c->op, c->dtype, identity) == PSCAN_EDTYPE)
        return; /* no loop for this accumulator (LOGADDEXP over integers, ...) */
    const int64_t lane_shape[2] = {3, 5}, lanes = 15, n = steps * lanes;
    const size_t in_size = tu_size(c->in_dtype), size = tu_size(c->dtype);
    unsigned char *in = tu_malloc((size_t)n * in_size), *whole = tu_malloc((size_t)n * size),
                  *pieces = tu_malloc((size_t)n * size), *chunk_in = tu_malloc((size_t)n * in_size);
    tu_fill_scan_values(in, c->in_dtype, n, c->op, &seed);
    const bool steps_first = c->layout == PSCAN_STREAM_STEPS;
    const int64_t shape[3] = {steps_first ? steps : 3, steps_first ? 3 : 5,
                              steps_first ? 5 : steps};
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = c->order;
    o.threads = c->threads;
    pscan_array ai = tu_arr(in, c->in_dtype, 3, shape, NULL),
                ao = tu_arr(whole, c->dtype, 3, shape, NULL);
    TU_ASSERT_OK(pscan_scan(c->op, &ai, steps_first ? 0 : 2, c->dtype, &ao, &o));

    pscan_stream *s;
    TU_ASSERT_OK(pscan_stream_create(&s, c->op, c->dtype, 2, lane_shape, c->layout, &o));
    for (int64_t done = 0; done < steps;) {
        int64_t count = c->tile_chunks ? TILE * tu_rand_range(&seed, 0, 2)
                                       : tu_rand_range(&seed, 0, steps / 3 + 1);
        if (count > steps - done)
            count = steps - done;
        const int64_t chunk_shape[3] = {steps_first ? count : 3, steps_first ? 3 : 5,
                                        steps_first ? 5 : count};
        unsigned char *out = tu_malloc((size_t)(count * lanes) * size + 1);
        /* the chunk: steps [done, done + count) of every lane, C order */
        for (int64_t k = 0; k < count * lanes; k++) {
            const int64_t lane = steps_first ? k % lanes : k / count,
                          step = done + (steps_first ? k / lanes : k % count);
            const int64_t at = steps_first ? step * lanes + lane : lane * steps + step;
            memcpy(chunk_in + (size_t)k * in_size, in + (size_t)at * in_size, in_size);
        }
        pscan_array ci = tu_arr(chunk_in, c->in_dtype, 3, chunk_shape, NULL),
                    co = tu_arr(out, c->dtype, 3, chunk_shape, NULL);
        TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
        for (int64_t k = 0; k < count * lanes; k++) {
            const int64_t lane = steps_first ? k % lanes : k / count,
                          step = done + (steps_first ? k / lanes : k % count);
            const int64_t at = steps_first ? step * lanes + lane : lane * steps + step;
            memcpy(pieces + (size_t)at * size, out + (size_t)k * size, size);
        }
        free(out);
        done += count;
    }
    int64_t first_bad = 0;
    while (first_bad < n &&
           memcmp(whole + (size_t)first_bad * size, pieces + (size_t)first_bad * size, size) == 0)
        first_bad++;
    cr_assert(eq(i64, first_bad, n),
              "op %d %s->%s order %d layout %d threads %d: first differing element", (int)c->op,
              pscan_dtype_name(c->in_dtype), pscan_dtype_name(c->dtype), (int)c->order,
              (int)c->layout, c->threads);
    /* the running total is the last step of every lane */
    unsigned char total[15 * 16];
    TU_ASSERT_OK(pscan_stream_total(s, total));
    for (int64_t lane = 0; lane < lanes; lane++) {
        const int64_t at = steps_first ? (steps - 1) * lanes + lane : lane * steps + steps - 1;
        cr_assert(
            eq(int, memcmp(total + lane * (int64_t)size, whole + at * (int64_t)size, size), 0),
            "total of lane %lld", (long long)lane);
    }
    pscan_stream_destroy(s);
    free(in);
    free(whole);
    free(pieces);
    free(chunk_in);
}

Test(stream, exact_cases)
{
    uint64_t seed = 11;
    for (int layout = 0; layout < 2; layout++)
        /* (an arg stream's total is no result: test_arg_scan streams them) */
        for (int op = 0; op < PSCAN_OP_COUNT && op != PSCAN_ARGMAX; op++)
            for (int threads = 1; threads <= 4; threads *= 2) {
                /* integers: any chunking */
                stream_case ints = {(pscan_op)op,
                                    PSCAN_INT32,
                                    PSCAN_INT64,
                                    PSCAN_ORDER_REPRODUCIBLE,
                                    (pscan_stream_layout)layout,
                                    threads,
                                    false};
                check_stream(&ints, 3 * TILE + 17, seed++);
                /* floats, sequential: any chunking */
                stream_case seq = {(pscan_op)op,
                                   PSCAN_FLOAT64,
                                   PSCAN_FLOAT64,
                                   PSCAN_ORDER_SEQUENTIAL,
                                   (pscan_stream_layout)layout,
                                   threads,
                                   false};
                check_stream(&seq, 2 * TILE + 5, seed++);
                /* floats, reproducible: chunks of whole tiles */
                stream_case rep = {(pscan_op)op,
                                   PSCAN_FLOAT32,
                                   PSCAN_FLOAT32,
                                   PSCAN_ORDER_REPRODUCIBLE,
                                   (pscan_stream_layout)layout,
                                   threads,
                                   true};
                check_stream(&rep, 3 * TILE + 100, seed++);
            }
}

/* Reproducible float chunks of any size: each chunk starts a tile, so the
 * result is not the one-shot bits, but stays within the error bound and
 * does not depend on the thread count. */
Test(stream, any_chunks_reproducible)
{
    const int64_t n = 5 * TILE + 3;
    double *in = tu_malloc((size_t)n * 8), *one = tu_malloc((size_t)n * 8), *got[2];
    uint64_t seed = 5;
    double abs_sum = 0;
    for (int64_t i = 0; i < n; i++)
        in[i] = tu_rand_unit(&seed) - 0.25, abs_sum += fabs(in[i]);
    const int64_t shape = n;
    pscan_array ai = tu_vec(in, PSCAN_FLOAT64, &shape), ao = tu_vec(one, PSCAN_FLOAT64, &shape);
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ao, NULL));
    const int64_t cuts[] = {1000, 1, 7000, 4096, 3};
    for (int t = 0; t < 2; t++) {
        pscan_opts o = PSCAN_OPTS_INIT;
        o.threads = t ? 3 : 1;
        pscan_stream *s;
        TU_ASSERT_OK(
            pscan_stream_create(&s, PSCAN_SUM, PSCAN_FLOAT64, 0, NULL, PSCAN_STREAM_STEPS, &o));
        got[t] = tu_malloc((size_t)n * 8);
        int64_t done = 0;
        for (size_t k = 0; done < n; k++) {
            int64_t len = k < TU_COUNT(cuts) ? cuts[k] : n - done;
            pscan_array ci = tu_vec(in + done, PSCAN_FLOAT64, &len),
                        co = tu_vec(got[t] + done, PSCAN_FLOAT64, &len);
            TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
            done += len;
        }
        pscan_stream_destroy(s);
    }
    for (int64_t i = 0; i < n; i++) {
        cr_assert(eq(u64, tu_dbits(got[0][i]), tu_dbits(got[1][i])), "threads change element %lld",
                  (long long)i);
        /* (i mod 4096) + floor(i / 4096) + 1 + chunks roundings at most */
        cr_assert(le(dbl, fabs(got[0][i] - one[i]), (4096.0 + 64) * 0x1p-53 * abs_sum),
                  "element %lld", (long long)i);
    }
    free(in);
    free(one);
    free(got[0]);
    free(got[1]);
}

/* One lane fed by chunks of any shape, flattened in C order; reset. */
Test(stream, one_lane_total_reset)
{
    pscan_stream *s;
    TU_ASSERT_OK(
        pscan_stream_create(&s, PSCAN_SUM, PSCAN_INT64, 0, NULL, PSCAN_STREAM_STEPS, NULL));
    int64_t total = -1;
    TU_ASSERT_OK(pscan_stream_total(s, &total));
    cr_assert(eq(i64, total, 0)); /* the identity before any push */
    int16_t a[6] = {1, 2, 3, 4, 5, 6};
    int64_t out[6];
    const int64_t shape[2] = {2, 3};
    pscan_array ci = tu_arr(a, PSCAN_INT16, 2, shape, NULL),
                co = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
    TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
    TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
    const int64_t w[6] = {22, 24, 27, 31, 36, 42};
    tu_assert_i64s(out, w, 6);
    TU_ASSERT_OK(pscan_stream_total(s, &total));
    cr_assert(eq(i64, total, 42));
    TU_ASSERT_OK(pscan_stream_reset(s));
    TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
    const int64_t w0[6] = {1, 3, 6, 10, 15, 21};
    tu_assert_i64s(out, w0, 6);
    /* an out that is no single run (Fortran order) gets the C order */
    const int64_t f_strides[2] = {8, 16};
    int64_t f_out[6];
    pscan_array fo = tu_arr(f_out, PSCAN_INT64, 2, shape, f_strides);
    TU_ASSERT_OK(pscan_stream_reset(s));
    TU_ASSERT_OK(pscan_stream_push(s, &ci, &fo));
    const int64_t f_want[6] = {1, 10, 3, 15, 6, 21};
    tu_assert_i64s(f_out, f_want, 6);
    /* ... and is checked as one call's out: elements sharing memory, no data */
    const int64_t aliased[2] = {0, 8};
    pscan_array ao = tu_arr(f_out, PSCAN_INT64, 2, shape, aliased),
                no_data = tu_arr(NULL, PSCAN_INT64, 2, shape, f_strides);
    cr_assert(eq(int, (int)pscan_stream_push(s, &ci, &ao), (int)PSCAN_EOUTALIAS));
    cr_assert(eq(int, (int)pscan_stream_push(s, &ci, &no_data), (int)PSCAN_ENULL));
    tu_assert_i64s(f_out, f_want, 6);
    /* a 0-d chunk is one element */
    int16_t seven = 7;
    int64_t out1 = 0;
    pscan_array c0 = tu_arr(&seven, PSCAN_INT16, 0, NULL, NULL),
                o0 = tu_arr(&out1, PSCAN_INT64, 0, NULL, NULL);
    TU_ASSERT_OK(pscan_stream_push(s, &c0, &o0));
    cr_assert(eq(i64, out1, 28));
    pscan_stream_destroy(s);
    pscan_stream_destroy(NULL);
}

/* Errors leave out and the stream as they were. */
Test(stream, errors)
{
    const int64_t lane_shape[1] = {2};
    pscan_stream *s = (pscan_stream *)1;
    pscan_opts flagged = PSCAN_OPTS_INIT;
    flagged.flags = PSCAN_FLAG_REVERSE;
    cr_assert(eq(int,
                 (int)pscan_stream_create(&s, PSCAN_SUM, PSCAN_INT64, 1, lane_shape,
                                          PSCAN_STREAM_STEPS, &flagged),
                 (int)PSCAN_EOPTS));
    cr_assert(eq(ptr, s, NULL));
    cr_assert(eq(int,
                 (int)pscan_stream_create(&s, PSCAN_SUM, PSCAN_DTYPE_DEFAULT, 1, lane_shape,
                                          PSCAN_STREAM_STEPS, NULL),
                 (int)PSCAN_EDTYPE));
    cr_assert(eq(int,
                 (int)pscan_stream_create(&s, PSCAN_OP_COUNT, PSCAN_INT64, 1, lane_shape,
                                          PSCAN_STREAM_STEPS, NULL),
                 (int)PSCAN_EOP));
    cr_assert(
        eq(int,
           (int)pscan_stream_create(&s, PSCAN_SUM, PSCAN_INT64, 1, NULL, PSCAN_STREAM_STEPS, NULL),
           (int)PSCAN_ENULL));
    cr_assert(eq(int,
                 (int)pscan_stream_create(NULL, PSCAN_SUM, PSCAN_INT64, 1, lane_shape,
                                          PSCAN_STREAM_STEPS, NULL),
                 (int)PSCAN_ENULL));
    TU_ASSERT_OK(
        pscan_stream_create(&s, PSCAN_MAX, PSCAN_INT64, 1, lane_shape, PSCAN_STREAM_STEPS, NULL));
    int64_t a[6] = {1, 9, 3, 2, 5, 5}, out[6] = {-1, -1, -1, -1, -1, -1};
    const int64_t good[2] = {3, 2}, bad[2] = {2, 3}, strided[2] = {8, 24};
    pscan_array ci = tu_arr(a, PSCAN_INT64, 2, good, NULL),
                co = tu_arr(out, PSCAN_INT64, 2, good, NULL);
    pscan_array wrong = tu_arr(a, PSCAN_INT64, 2, bad, NULL),
                wrong_out = tu_arr(out, PSCAN_INT64, 2, bad, NULL);
    cr_assert(eq(int, (int)pscan_stream_push(s, &wrong, &wrong_out), (int)PSCAN_EOUTSHAPE));
    pscan_opts same_kind = PSCAN_OPTS_INIT;
    same_kind.casting = PSCAN_CASTING_SAFE;
    pscan_stream *safe;
    TU_ASSERT_OK(pscan_stream_create(&safe, PSCAN_MAX, PSCAN_INT64, 1, lane_shape,
                                     PSCAN_STREAM_STEPS, &same_kind));
    pscan_array i8 = tu_arr(out, PSCAN_INT8, 2, good, NULL);
    cr_assert(eq(int, (int)pscan_stream_push(safe, &ci, &i8), (int)PSCAN_ECAST));
    pscan_stream_destroy(safe);
    pscan_array transposed = tu_arr(a, PSCAN_INT64, 2, good, strided);
    pscan_array short_out = tu_arr(out, PSCAN_INT64, 2, bad, NULL);
    cr_assert(eq(int, (int)pscan_stream_push(s, &transposed, &short_out), (int)PSCAN_EOUTSHAPE));
    for (int k = 0; k < 6; k++)
        cr_assert(eq(i64, out[k], -1));
    int64_t total[2];
    TU_ASSERT_OK(pscan_stream_total(s, total));
    cr_assert(eq(i64, total[0], INT64_MIN)); /* still nothing pushed */
    TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
    const int64_t w[6] = {1, 9, 3, 9, 5, 9};
    tu_assert_i64s(out, w, 6);
    pscan_stream_destroy(s);
}

/* ---- Strided chunks, converting outs and flags ----
 *
 * The whole array is scanned once; the stream gets views of it (chunks of
 * steps at deterministic pseudo-random cuts, in and out both Fortran
 * ordered) and must write the same bits: integers and SEQUENTIAL floats
 * at any cut, REPRODUCIBLE floats at tile cuts. */

typedef struct flags_case {
    pscan_op op;
    pscan_dtype in_dtype, dtype, out_dtype;
    pscan_order order;
    unsigned flags;
    int lane_ndim; /* 0: one lane (1-D, every other element); 2: lanes 3 x 4 */
    pscan_stream_layout layout;
    int64_t steps;
    bool tile_chunks;
} flags_case;

static void check_stream_flags(const flags_case *c, uint64_t seed)
{
    const bool initial = c->flags & PSCAN_FLAG_INCLUDE_INITIAL;
    const bool steps_first = c->layout == PSCAN_STREAM_STEPS || c->lane_ndim == 0;
    const int ndim = c->lane_ndim == 0 ? 1 : 3, axis = steps_first ? 0 : 2;
    int64_t shape[3] = {3, 4, c->steps}, out_shape[3], in_strides[3], out_strides[3];
    if (steps_first) {
        shape[0] = c->steps;
        shape[1] = 3;
        shape[2] = 4;
    }
    memcpy(out_shape, shape, sizeof shape);
    out_shape[axis] += initial ? 1 : 0;
    const int64_t n = tu_prod(ndim, shape), out_n = tu_prod(ndim, out_shape);
    const size_t in_item = tu_size(c->in_dtype), out_item = tu_size(c->out_dtype);
    if (c->lane_ndim == 0)
        in_strides[0] = 2 * (int64_t)in_item, out_strides[0] = 3 * (int64_t)out_item;
    else {
        tu_f_strides(ndim, shape, (int64_t)in_item, in_strides);
        tu_f_strides(ndim, out_shape, (int64_t)out_item, out_strides);
    }
    unsigned char *in = tu_malloc((size_t)n * in_item * 2),
                  *packed = tu_malloc((size_t)n * in_item);
    unsigned char *out = tu_malloc((size_t)out_n * out_item * 3),
                  *ref = tu_malloc((size_t)out_n * out_item),
                  *got = tu_malloc((size_t)out_n * out_item);
    const pscan_array ai = tu_arr(in, c->in_dtype, ndim, shape, in_strides),
                      ao = tu_arr(out, c->out_dtype, ndim, out_shape, out_strides),
                      ar = tu_arr(ref, c->out_dtype, ndim, out_shape, NULL);
    tu_fill_scan_values(packed, c->in_dtype, n, c->op, &seed);
    for (int64_t k = 0; (c->flags & PSCAN_FLAG_SKIP_NAN) && k < n; k += 5)
        tu_put_f64(packed + (size_t)k * in_item, c->in_dtype, NAN, 0);
    int64_t idx[3] = {0, 0, 0};
    for (int64_t k = 0; k < n; k++, tu_next(ndim, shape, idx))
        memcpy(tu_at(&ai, idx), packed + (size_t)k * in_item, in_item);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.order = c->order;
    o.flags = c->flags;
    o.threads = 2;
    TU_ASSERT_OK(pscan_scan(c->op, &ai, axis, c->dtype, &ar, &o));

    const int64_t lane_shape[2] = {steps_first ? 3 : 3, 4};
    pscan_stream *s;
    TU_ASSERT_OK(pscan_stream_create(&s, c->op, c->dtype, c->lane_ndim, lane_shape, c->layout, &o));
    for (int64_t done = 0, pushes = 0; done < c->steps; pushes++) {
        int64_t count = c->tile_chunks ? TILE * tu_rand_range(&seed, 0, 2)
                                       : tu_rand_range(&seed, 0, c->steps / 3 + 1);
        if (count > c->steps - done)
            count = c->steps - done;
        const int64_t lo = done + (initial && pushes > 0 ? 1 : 0),
                      hi = done + count + (initial ? 1 : 0);
        int64_t in_dims[3], out_dims[3];
        const pscan_array ci = tu_along(&ai, axis, done, count, in_dims),
                          co = tu_along(&ao, axis, lo, hi - lo, out_dims);
        TU_ASSERT_OK(pscan_stream_push(s, &ci, &co));
        done += count;
    }
    tu_gather_bytes(&ao, got);
    cr_assert(eq(int, memcmp(got, ref, (size_t)out_n * out_item), 0),
              "op %d %s acc %s out %s flags %u lanes %d layout %d", (int)c->op,
              pscan_dtype_name(c->in_dtype), pscan_dtype_name(c->dtype),
              pscan_dtype_name(c->out_dtype), c->flags, c->lane_ndim, (int)c->layout);
    pscan_stream_destroy(s);
    free(in);
    free(packed);
    free(out);
    free(ref);
    free(got);
}

Test(stream, strided_converting_flags)
{
    const unsigned flag_sets[] = {0u,
                                  PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_INCLUDE_INITIAL,
                                  PSCAN_FLAG_SKIP_NAN,
                                  PSCAN_FLAG_CHECK_OVERFLOW,
                                  PSCAN_FLAG_COMPENSATED,
                                  PSCAN_FLAG_COMPENSATED | PSCAN_FLAG_EXCLUSIVE,
                                  PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_INCLUDE_INITIAL,
                                  PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE};
    uint64_t seed = 3;
    for (size_t f = 0; f < TU_COUNT(flag_sets); f++)
        for (int lanes = 0; lanes <= 2; lanes += 2)
            for (int layout = 0; layout < 2; layout++) {
                const pscan_stream_layout l = (pscan_stream_layout)layout;
                flags_case ints = {
                    PSCAN_SUM,    PSCAN_INT16, PSCAN_INT64, PSCAN_FLOAT64, PSCAN_ORDER_REPRODUCIBLE,
                    flag_sets[f], lanes,       l,           301,           false};
                check_stream_flags(&ints, seed++);
                flags_case seq = {PSCAN_PROD,
                                  PSCAN_FLOAT64,
                                  PSCAN_FLOAT64,
                                  PSCAN_FLOAT32,
                                  PSCAN_ORDER_SEQUENTIAL,
                                  flag_sets[f],
                                  lanes,
                                  l,
                                  257,
                                  false};
                check_stream_flags(&seq, seed++);
                flags_case rep = {PSCAN_SUM,
                                  PSCAN_FLOAT64,
                                  PSCAN_FLOAT64,
                                  PSCAN_FLOAT64,
                                  PSCAN_ORDER_REPRODUCIBLE,
                                  flag_sets[f],
                                  lanes,
                                  l,
                                  3 * TILE + 9,
                                  true};
                check_stream_flags(&rep, seed++);
            }
}

/* CHECK_OVERFLOW counts the running total: a chunk that would overflow it
 * is refused and leaves out and the stream as they were. REVERSE has no
 * meaning for a stream. */
Test(stream, overflow_leaves_the_stream)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE;
    pscan_stream *s;
    TU_ASSERT_OK(pscan_stream_create(&s, PSCAN_SUM, PSCAN_INT8, 0, NULL, PSCAN_STREAM_STEPS, &o));
    const int64_t two = 2;
    int8_t a[2] = {60, 60}, b[2] = {5, 3}, out[2] = {9, 9}, total = 0;
    pscan_array ca = tu_vec(a, PSCAN_INT8, &two), cb = tu_vec(b, PSCAN_INT8, &two),
                co = tu_vec(out, PSCAN_INT8, &two);
    TU_ASSERT_OK(pscan_stream_push(s, &ca, &co));
    cr_assert(eq(i8, out[0], 0));
    cr_assert(eq(i8, out[1], 60));
    /* 120 + 5 + 3 = 128: the exclusive out stops at 125, the total does not */
    memset(out, 9, sizeof out);
    cr_assert(eq(int, (int)pscan_stream_push(s, &cb, &co), (int)PSCAN_EOVERFLOW));
    cr_assert(eq(i8, out[0], 9));
    cr_assert(eq(i8, out[1], 9));
    TU_ASSERT_OK(pscan_stream_total(s, &total));
    cr_assert(eq(i8, total, 120));
    b[1] = 2;
    TU_ASSERT_OK(pscan_stream_push(s, &cb, &co));
    cr_assert(eq(i8, out[0], 120));
    cr_assert(eq(i8, out[1], 125));
    TU_ASSERT_OK(pscan_stream_total(s, &total));
    cr_assert(eq(i8, total, 127));
    pscan_stream_destroy(s);
    o.flags = PSCAN_FLAG_REVERSE;
    cr_assert(eq(
        int, (int)pscan_stream_create(&s, PSCAN_SUM, PSCAN_INT8, 0, NULL, PSCAN_STREAM_STEPS, &o),
        (int)PSCAN_EOPTS));
}

/* A compensated stream keeps its pairs between chunks: the total it
 * reports is rounded, the chunks continue unrounded. */
Test(stream, compensated_pairs_carry_on)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = PSCAN_FLAG_COMPENSATED;
    pscan_stream *s;
    TU_ASSERT_OK(
        pscan_stream_create(&s, PSCAN_SUM, PSCAN_FLOAT64, 0, NULL, PSCAN_STREAM_STEPS, &o));
    const int64_t one = 1;
    double big = 1.0, tiny = 1e-16, out = 0, total = 0;
    pscan_array cb = tu_vec(&big, PSCAN_FLOAT64, &one), ct = tu_vec(&tiny, PSCAN_FLOAT64, &one),
                co = tu_vec(&out, PSCAN_FLOAT64, &one);
    TU_ASSERT_OK(pscan_stream_push(s, &cb, &co));
    for (int k = 0; k < 10; k++)
        TU_ASSERT_OK(pscan_stream_push(s, &ct, &co));
    cr_assert(eq(dbl, out, 1.0 + 1e-15)); /* plain sums would stay at 1.0 */
    TU_ASSERT_OK(pscan_stream_total(s, &total));
    cr_assert(eq(dbl, total, 1.0 + 1e-15));
    pscan_stream_destroy(s);
}
