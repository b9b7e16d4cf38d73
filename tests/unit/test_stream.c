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
        for (int op = 0; op < PSCAN_OP_COUNT; op++)
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
    pscan_array f32 = tu_arr(out, PSCAN_FLOAT32, 2, good, NULL);
    cr_assert(eq(int, (int)pscan_stream_push(s, &ci, &f32), (int)PSCAN_EDTYPE));
    pscan_array transposed = tu_arr(a, PSCAN_INT64, 2, good, strided);
    cr_assert(eq(int, (int)pscan_stream_push(s, &transposed, &co), (int)PSCAN_ENOTSUP));
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
