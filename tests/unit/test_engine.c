/*
 * test_engine.c - the parallel engine's promises: blocks handed on by
 * chained look-back give the one-thread bits for any team size (more
 * threads than cores included); every kernel variant (PSCAN_ISA) gives the
 * same bits; big outputs take the streaming path and stay exact; calls from
 * several user threads at once and from inside OpenMP parallel regions are
 * correct.
 */
#define _POSIX_C_SOURCE 200809L
#define PSCAN_ADVANCED_API

#include <omp.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "context.h"
#include "tile.h"

/* 32768-element blocks: sizes that end mid-tile and mid-block. */
#define BLOCK 32768

/* NULL (the default context), or a context whose tuning a test lowered:
 * each Criterion test runs in a process of its own. */
static pscan_context *test_ctx;

static pscan_opts opts_threads(int threads, pscan_order order)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.threads = threads;
    o.order = order;
    o.ctx = test_ctx;
    return o;
}

/* Mixed signs and magnitudes: float sums show their order in the bits. */
static void fill_values(void *buf, pscan_dtype t, int64_t n, uint64_t seed)
{
    size_t es = tu_size(t);
    for (int64_t i = 0; i < n; ++i) {
        unsigned char *p = (unsigned char *)buf + (size_t)i * es;
        if (tu_is_int(t) || t == PSCAN_BOOL)
            tu_put_i64(p, t, tu_rand_range(&seed, -1000, 1000));
        else if (t == PSCAN_FLOAT16)
            tu_put_f64(p, t, (tu_rand_unit(&seed) - 0.5) * 4.0, 0);
        else /* products stay finite: factors near 1 */
            tu_put_f64(p, t, 1.0 + (tu_rand_unit(&seed) - 0.5) * 1e-3,
                       (tu_rand_unit(&seed) - 0.5) * 1e-3);
    }
}

static void scan_1d(pscan_op op, pscan_dtype in_t, pscan_dtype out_t, const void *in, void *out,
                    int64_t n, int threads, pscan_order order)
{
    pscan_array a = tu_vec((void *)(uintptr_t)in, in_t, &n), b = tu_vec(out, out_t, &n);
    pscan_opts o = opts_threads(threads, order);
    TU_ASSERT_OK(pscan_scan(op, &a, 0, out_t, &b, &o));
}

/* out must be the column-wise cumsum of a (rows, cols) C-order int64 in,
 * wrapping as numpy does. */
static void expect_axis0_int64(const int64_t *in, const int64_t *out, int64_t rows, int64_t cols,
                               int threads)
{
    for (int64_t c = 0; c < cols; ++c) {
        uint64_t running = 0;
        for (int64_t r = 0; r < rows; ++r) {
            running += (uint64_t)in[r * cols + c];
            if (out[r * cols + c] != (int64_t)running)
                cr_assert(eq(i64, out[r * cols + c], (int64_t)running), "threads %d, [%lld, %lld]",
                          threads, (long long)r, (long long)c);
        }
    }
}

Test(engine, blocks_give_the_one_thread_bits_for_every_team)
{
    const pscan_dtype types[] = {PSCAN_INT64,   PSCAN_INT32,      PSCAN_FLOAT64,
                                 PSCAN_FLOAT32, PSCAN_COMPLEX128, PSCAN_FLOAT16};
    const pscan_op ops[] = {PSCAN_SUM, PSCAN_PROD, PSCAN_MAX, PSCAN_MIN};
    const int64_t sizes[] = {3 * BLOCK + 17, 9 * BLOCK + 4096 * 3 + 1};
    const int teams[] = {2, 3, 4, 7, 16}; /* 16 > cores: oversubscribed */
    for (size_t s = 0; s < TU_COUNT(sizes); ++s)
        for (size_t t = 0; t < TU_COUNT(types); ++t) {
            const int64_t n = sizes[s];
            const size_t bytes = (size_t)n * tu_size(types[t]);
            void *in = tu_malloc(bytes), *ref = tu_malloc(bytes), *got = tu_malloc(bytes);
            fill_values(in, types[t], n, 17 * s + t);
            for (size_t o = 0; o < TU_COUNT(ops); ++o) {
                if (ops[o] == PSCAN_PROD && types[t] == PSCAN_FLOAT16)
                    continue; /* float16 products of n factors overflow */
                scan_1d(ops[o], types[t], types[t], in, ref, n, 1, PSCAN_ORDER_REPRODUCIBLE);
                for (size_t k = 0; k < TU_COUNT(teams); ++k) {
                    memset(got, 0xA5, bytes);
                    scan_1d(ops[o], types[t], types[t], in, got, n, teams[k],
                            PSCAN_ORDER_REPRODUCIBLE);
                    cr_assert(eq(int, memcmp(got, ref, bytes), 0),
                              "dtype %s op %d n %lld: %d threads differ from 1 thread",
                              pscan_dtype_name(types[t]), (int)ops[o], (long long)n, teams[k]);
                }
            }
            free(in);
            free(ref);
            free(got);
        }
}

Test(engine, blocks_integers_are_exact_and_convert_on_the_way)
{
    /* int32 in, int64 accumulator (numpy's default), int16 out: the
     * buffered path of the blocks, with values checked one by one. */
    const int64_t n = 5 * BLOCK + 999;
    int32_t *in = tu_malloc((size_t)n * 4);
    int64_t *got = tu_malloc((size_t)n * 8);
    int16_t *narrow = tu_malloc((size_t)n * 2);
    uint64_t seed = 5;
    for (int64_t i = 0; i < n; ++i)
        in[i] = (int32_t)tu_rand_range(&seed, -2000000000, 2000000000);
    for (int threads = 1; threads <= 4; ++threads) {
        scan_1d(PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, in, got, n, threads, PSCAN_ORDER_REPRODUCIBLE);
        pscan_array a = tu_vec(in, PSCAN_INT32, &n), b = tu_vec(narrow, PSCAN_INT16, &n);
        pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
        TU_ASSERT_OK(pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o));
        int64_t running = 0;
        for (int64_t i = 0; i < n; ++i) {
            running += in[i];
            cr_assert(eq(i64, got[i], running), "threads %d, element %lld", threads, (long long)i);
            cr_assert(eq(i16, narrow[i], (int16_t)(uint16_t)(uint64_t)running));
        }
    }
    free(in);
    free(got);
    free(narrow);
}

/* Big outputs (32 MiB and more by default; 64 KiB in this test's context,
 * so 6 MiB of int64 stream) are streamed out through the thread buffer,
 * converted and NaN-skipping ones too. */
Test(engine, big_outputs_stream_and_stay_exact)
{
    TU_ASSERT_OK(pscan_context_create(&test_ctx));
    test_ctx->tuning.stream_min_bytes = 64 << 10;
    const int64_t n = ((int64_t)3 << 18) + 77; /* several blocks and a partial tile */
    int64_t *in = tu_malloc((size_t)n * 8), *out = tu_malloc((size_t)n * 8);
    char *shifted = tu_malloc((size_t)n * 8 + 128);
    for (int64_t i = 0; i < n; ++i)
        in[i] = i % 7 - 3 + (i % 1000 == 0 ? INT64_MAX / 3 : 0);
    /* out aligned, 8 bytes off a vector boundary (a plain head first), and
     * 3 bytes off (never element-aligned: no streaming stores at all) */
    const size_t offsets[] = {0, 8, 3};
    for (size_t k = 0; k < TU_COUNT(offsets); ++k)
        for (int threads = 1; threads <= 2; ++threads) {
            char *dst = shifted + (64 - (uintptr_t)shifted % 64) % 64 + offsets[k];
            scan_1d(PSCAN_SUM, PSCAN_INT64, PSCAN_INT64, in, dst, n, threads,
                    PSCAN_ORDER_REPRODUCIBLE);
            uint64_t running = 0;
            for (int64_t i = 0; i < n; ++i) {
                int64_t value;
                memcpy(&value, dst + 8 * i, 8);
                running += (uint64_t)in[i];
                if (value != (int64_t)running)
                    cr_assert(eq(i64, value, (int64_t)running),
                              "offset %zu, threads %d, element %lld", offsets[k], threads,
                              (long long)i);
            }
        }
    /* converting (int32 -> int64) and NaN-skipping loads: scanned in the
     * buffer, then streamed out (the same offsets) */
    int32_t *narrow = tu_malloc((size_t)n * 4);
    double *with_nan = tu_malloc((size_t)n * 8), *zeroed = tu_malloc((size_t)n * 8);
    for (int64_t i = 0; i < n; ++i) {
        narrow[i] = (int32_t)(in[i] % 100000);
        with_nan[i] = i % 977 == 5 ? NAN : (double)(i % 13) * 0.25 - 1.0;
        zeroed[i] = isnan(with_nan[i]) ? 0.0 : with_nan[i];
    }
    scan_1d(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64, zeroed, out, n, 2, PSCAN_ORDER_REPRODUCIBLE);
    for (size_t k = 0; k < TU_COUNT(offsets); ++k)
        for (int threads = 1; threads <= 2; ++threads) {
            char *dst = shifted + (64 - (uintptr_t)shifted % 64) % 64 + offsets[k];
            scan_1d(PSCAN_SUM, PSCAN_INT32, PSCAN_INT64, narrow, dst, n, threads,
                    PSCAN_ORDER_REPRODUCIBLE);
            int64_t running = 0, bad = 0;
            for (int64_t i = 0; i < n; ++i) {
                int64_t value;
                memcpy(&value, dst + 8 * i, 8);
                running += narrow[i];
                bad += value != running;
            }
            cr_assert(eq(i64, bad, 0), "int32 -> int64, offset %zu, threads %d", offsets[k],
                      threads);
            int64_t len = n;
            pscan_array a = tu_vec(with_nan, PSCAN_FLOAT64, &len),
                        b = tu_vec(dst, PSCAN_FLOAT64, &len);
            pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
            o.flags = PSCAN_FLAG_SKIP_NAN;
            TU_ASSERT_OK(pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o));
            cr_assert(eq(int, memcmp(dst, out, (size_t)n * 8), 0),
                      "skip-NaN, offset %zu, threads %d", offsets[k], threads);
        }
    /* float max (a rising, noisy series): the vector kernel streams its
     * own stores */
    for (int64_t i = 0; i < n; ++i)
        zeroed[i] += (double)i * 1e-6;
    for (int threads = 1; threads <= 2; ++threads) {
        scan_1d(PSCAN_MAX, PSCAN_FLOAT64, PSCAN_FLOAT64, zeroed, out, n, threads,
                PSCAN_ORDER_REPRODUCIBLE);
        double running = 0;
        int64_t bad = 0;
        for (int64_t i = 0; i < n; ++i) {
            running = i > 0 && running > zeroed[i] ? running : zeroed[i];
            bad += tu_dbits(((double *)out)[i]) != tu_dbits(running);
        }
        cr_assert(eq(i64, bad, 0), "float64 max, threads %d", threads);
    }
    free(narrow);
    free(with_nan);
    free(zeroed);
    free(shifted);
    /* axis 0 of a C array: rows streamed out, running row kept apart */
    const int64_t shape[2] = {2050, 380};
    pscan_array a = tu_arr(in, PSCAN_INT64, 2, shape, NULL),
                b = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
    for (int threads = 1; threads <= 3; ++threads) {
        pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
        TU_ASSERT_OK(pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o));
        expect_axis0_int64(in, out, shape[0], shape[1], threads);
    }
    free(in);
    free(out);
    pscan_context_destroy(test_ctx);
    test_ctx = NULL;
}

/* Big order-free outputs on teams (64 KiB streams in this test's
 * context): a thread that meets a block whose predecessor is not ready
 * scans each block it holds while it reduces its next one, one kernel call
 * for both (the pipelined BLOCKS worker). Exact against a running loop:
 * one lane and three lanes (rows of a C array along axis 1), int64 sums
 * and float64 maxima, with and without a carry, and float64 and float32
 * sums against one unstreamed thread's bits (tile chains take the
 * pipeline from the first block, one thread included), 1 to 4 threads,
 * out aligned and 8 bytes off. */
Test(engine, pipelined_blocks_are_exact)
{
    TU_ASSERT_OK(pscan_context_create(&test_ctx));
    test_ctx->tuning.stream_min_bytes = 64 << 10;
    const int64_t cols = ((int64_t)5 << 16) + 37, rows_of[] = {1, 3};
    int64_t *in = tu_malloc((size_t)(3 * cols) * 8);
    double *fin = tu_malloc((size_t)(3 * cols) * 8), *reference = tu_malloc((size_t)(3 * cols) * 8);
    char *shifted = tu_malloc((size_t)(3 * cols) * 8 + 128);
    float *single = tu_malloc((size_t)(3 * cols) * 4);
    for (int64_t i = 0; i < 3 * cols; ++i) {
        in[i] = i % 11 - 5 + (i % 4099 == 0 ? INT64_MAX / 5 : 0);
        fin[i] = (double)(i % 1013) * 0.5 - (double)(i % 7) * 1e-3 + (double)i * 1e-9;
        single[i] = (float)fin[i];
    }
    const int64_t carry = -123456789;
    for (size_t r = 0; r < TU_COUNT(rows_of); ++r)
        for (int offset = 0; offset <= 8; offset += 8)
            for (int threads = 1; threads <= 4; ++threads)
                for (int with_carry = 0; with_carry < 2; ++with_carry) {
                    const int64_t rows = rows_of[r], shape[2] = {rows, cols};
                    char *dst = shifted + (64 - (uintptr_t)shifted % 64) % 64 + offset;
                    pscan_array a = tu_arr(in, PSCAN_INT64, 2, shape, NULL),
                                b = tu_arr(dst, PSCAN_INT64, 2, shape, NULL);
                    pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
                    int64_t carries[3] = {carry, carry + 1, carry + 2};
                    if (with_carry)
                        TU_ASSERT_OK(
                            pscan_scan_carry_axis(PSCAN_SUM, &a, 1, PSCAN_INT64, &b, &o, carries));
                    else
                        TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &a, 1, PSCAN_INT64, &b, &o));
                    int64_t bad = 0;
                    for (int64_t row = 0; row < rows; ++row) {
                        uint64_t running = with_carry ? (uint64_t)carries[row] : 0;
                        for (int64_t i = 0; i < cols; ++i) {
                            int64_t value;
                            memcpy(&value, dst + 8 * (row * cols + i), 8);
                            running += (uint64_t)in[row * cols + i];
                            bad += value != (int64_t)running;
                        }
                    }
                    cr_assert(eq(i64, bad, 0), "int64 sum, %lld rows, offset %d, %d threads%s",
                              (long long)rows, offset, threads, with_carry ? ", carry" : "");
                    if (with_carry)
                        continue;
                    pscan_array fa = tu_arr(fin, PSCAN_FLOAT64, 2, shape, NULL),
                                fb = tu_arr(dst, PSCAN_FLOAT64, 2, shape, NULL);
                    TU_ASSERT_OK(pscan_scan(PSCAN_MAX, &fa, 1, PSCAN_FLOAT64, &fb, &o));
                    for (int64_t row = 0; row < rows; ++row) {
                        double running = fin[row * cols];
                        for (int64_t i = 0; i < cols; ++i) {
                            double value, x = fin[row * cols + i];
                            running = running > x ? running : x;
                            memcpy(&value, dst + 8 * (row * cols + i), 8);
                            bad += tu_dbits(value) != tu_dbits(running);
                        }
                    }
                    cr_assert(eq(i64, bad, 0), "float64 max, %lld rows, offset %d, %d threads",
                              (long long)rows, offset, threads);
                    /* float64 sums: the bits of one unstreamed thread (the
                     * tile lanes' fused scan and reduce) */
                    pscan_array fr = tu_arr(reference, PSCAN_FLOAT64, 2, shape, NULL);
                    pscan_opts one = PSCAN_OPTS_INIT;
                    one.threads = 1;
                    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &fa, 1, PSCAN_FLOAT64, &fr, &one));
                    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &fa, 1, PSCAN_FLOAT64, &fb, &o));
                    cr_assert(eq(int, memcmp(dst, reference, (size_t)(rows * cols) * 8), 0),
                              "float64 sum, %lld rows, offset %d, %d threads", (long long)rows,
                              offset, threads);
                    /* float32 sums likewise (sixteen tiles to a vector) */
                    pscan_array sa = tu_arr(single, PSCAN_FLOAT32, 2, shape, NULL),
                                sr = tu_arr(reference, PSCAN_FLOAT32, 2, shape, NULL),
                                sb = tu_arr(dst, PSCAN_FLOAT32, 2, shape, NULL);
                    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &sa, 1, PSCAN_FLOAT32, &sr, &one));
                    TU_ASSERT_OK(pscan_scan(PSCAN_SUM, &sa, 1, PSCAN_FLOAT32, &sb, &o));
                    cr_assert(eq(int, memcmp(dst, reference, (size_t)(rows * cols) * 4), 0),
                              "float32 sum, %lld rows, offset %d, %d threads", (long long)rows,
                              offset, threads);
                }
    free(in);
    free(fin);
    free(reference);
    free(shifted);
    free(single);
    pscan_context_destroy(test_ctx);
    test_ctx = NULL;
}

/* REVERSE with a big out (64 KiB streams in this test's context): each
 * block is scanned in the buffer and streamed out reversed. The result is
 * the forward scan of the flipped input, flipped, bit for bit: for 1-,
 * 4-, 8- and 16-byte accumulators (the streamed copy's vector and
 * element-wise paths), SUM and PROD, out aligned, 8 bytes and 3 bytes
 * off a vector boundary, 1 to 3 threads. */
static void check_reverse_streamed(pscan_op op, pscan_dtype t, int64_t n)
{
    const size_t es = tu_size(t);
    char *in = tu_malloc((size_t)n * es), *flipped = tu_malloc((size_t)n * es);
    char *ref = tu_malloc((size_t)n * es), *shifted = tu_malloc((size_t)n * es + 128);
    fill_values(in, t, n, 31 + (uint64_t)t);
    for (int64_t i = 0; i < n; ++i)
        memcpy(flipped + (size_t)(n - 1 - i) * es, in + (size_t)i * es, es);
    scan_1d(op, t, t, flipped, ref, n, 1, PSCAN_ORDER_REPRODUCIBLE);
    const size_t offsets[] = {0, 8, 3};
    for (size_t k = 0; k < TU_COUNT(offsets); ++k)
        for (int threads = 1; threads <= 3; ++threads) {
            char *dst = shifted + (64 - (uintptr_t)shifted % 64) % 64 + offsets[k];
            pscan_array a = tu_vec(in, t, &n), b = tu_vec(dst, t, &n);
            pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
            o.flags = PSCAN_FLAG_REVERSE;
            TU_ASSERT_OK(pscan_scan(op, &a, 0, t, &b, &o));
            int64_t bad = 0, first_bad = -1;
            for (int64_t i = 0; i < n; ++i)
                if (memcmp(dst + (size_t)i * es, ref + (size_t)(n - 1 - i) * es, es) != 0) {
                    first_bad = bad++ ? first_bad : i;
                }
            cr_assert(eq(i64, bad, 0), "dtype %d, op %d, offset %zu, threads %d, first at %lld",
                      (int)t, (int)op, offsets[k], threads, (long long)first_bad);
        }
    free(in);
    free(flipped);
    free(ref);
    free(shifted);
}

Test(engine, reverse_big_outputs_stream_reversed)
{
    TU_ASSERT_OK(pscan_context_create(&test_ctx));
    test_ctx->tuning.stream_min_bytes = 64 << 10;
    const int64_t n = ((int64_t)3 << 17) + 77; /* several blocks and a partial tile */
    const pscan_dtype types[] = {PSCAN_INT8,  PSCAN_INT32,   PSCAN_FLOAT32,
                                 PSCAN_INT64, PSCAN_FLOAT64, PSCAN_COMPLEX128};
    for (size_t k = 0; k < TU_COUNT(types); ++k) {
        check_reverse_streamed(PSCAN_SUM, types[k], n);
        if (types[k] == PSCAN_FLOAT64 || types[k] == PSCAN_FLOAT32)
            check_reverse_streamed(PSCAN_PROD, types[k], n);
    }
    pscan_context_destroy(test_ctx);
    test_ctx = NULL;
}

/* Axis 0 of a C array (narrow rows: a lagged scan; cut into row blocks
 * for teams, as are wide rows of integers): exact integers,
 * thread-invariant REPRODUCIBLE floats, numpy's SEQUENTIAL bits, in place
 * too. */
static void check_panel(int64_t rows, int64_t cols)
{
    const int64_t shape[2] = {rows, cols}, n = shape[0] * shape[1];
    int64_t *in = tu_malloc((size_t)n * 8), *out = tu_malloc((size_t)n * 8);
    double *fin = tu_malloc((size_t)n * 8), *fref = tu_malloc((size_t)n * 8);
    double *fout = tu_malloc((size_t)n * 8);
    fill_values(in, PSCAN_INT64, n, 21);
    fill_values(fin, PSCAN_FLOAT64, n, 22);
    pscan_array a = tu_arr(in, PSCAN_INT64, 2, shape, NULL),
                b = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
    pscan_array fa = tu_arr(fin, PSCAN_FLOAT64, 2, shape, NULL),
                fb = tu_arr(fref, PSCAN_FLOAT64, 2, shape, NULL),
                fc = tu_arr(fout, PSCAN_FLOAT64, 2, shape, NULL);
    pscan_opts one = opts_threads(1, PSCAN_ORDER_REPRODUCIBLE);
    one.ctx = NULL; /* the default tuning: nothing this small is streamed */
    TU_ASSERT_OK(pscan_cumsum(&fa, 0, PSCAN_DTYPE_DEFAULT, &fb, &one));
    for (int threads = 1; threads <= 4; ++threads) {
        pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
        TU_ASSERT_OK(pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o));
        expect_axis0_int64(in, out, shape[0], shape[1], threads);
        TU_ASSERT_OK(pscan_cumsum(&fa, 0, PSCAN_DTYPE_DEFAULT, &fc, &o));
        cr_assert(eq(int, memcmp(fout, fref, (size_t)n * 8), 0), "float64, %d threads", threads);
        /* SEQUENTIAL: each column left to right, numpy's bits */
        o.order = PSCAN_ORDER_SEQUENTIAL;
        TU_ASSERT_OK(pscan_cumsum(&fa, 0, PSCAN_DTYPE_DEFAULT, &fc, &o));
        for (int64_t c = 0; c < shape[1]; ++c) {
            double running = 0;
            for (int64_t r = 0; r < shape[0]; ++r) {
                running = r == 0 ? fin[c] : running + fin[r * shape[1] + c];
                if (tu_dbits(fout[r * shape[1] + c]) != tu_dbits(running))
                    cr_assert(eq(dbl, fout[r * shape[1] + c], running), "threads %d, [%lld, %lld]",
                              threads, (long long)r, (long long)c);
            }
        }
    }
    /* in place */
    memcpy(out, in, (size_t)n * 8);
    TU_ASSERT_OK(pscan_cumsum(&b, 0, PSCAN_DTYPE_DEFAULT, &b, NULL));
    expect_axis0_int64(in, out, shape[0], shape[1], 0);
    free(in);
    free(out);
    free(fin);
    free(fref);
    free(fout);
}

Test(engine, narrow_panels_are_exact_for_every_team)
{
    check_panel(3 * BLOCK + 123, 8);
    check_panel(BLOCK + 77, 40); /* 320-byte rows */
    check_panel(5000, 3);        /* fewer rows than a row block */
}

/* Wide integer rows are row blocks too (whole rows per thread), streamed
 * out from a running row when out is big (64 KiB in this test's context)
 * and scanned in place otherwise; rows past WIDE_ROW_BYTES are strips. */
Test(engine, wide_panels_are_exact_for_every_team)
{
    for (int streamed = 0; streamed <= 1; ++streamed) {
        TU_ASSERT_OK(pscan_context_create(&test_ctx));
        if (streamed)
            test_ctx->tuning.stream_min_bytes = 64 << 10;
        check_panel(3 * BLOCK / 100 + 17, 100);  /* 800-byte rows, a partial block */
        check_panel(7 * BLOCK / 1024 + 5, 1024); /* 8 KiB rows */
        check_panel(9, 1024);                    /* fewer rows than a row block */
        check_panel(5, 8195);                    /* wider than WIDE_ROW_BYTES: strips */
        pscan_context_destroy(test_ctx);
        test_ctx = NULL;
    }
}

/* Axis 0 of float sums and products in the default order: every lane is
 * its own tile chain, out = P(t-1) op local after the first tile (or a
 * carry) and P(t) = the tile's last output. The reference follows that
 * definition lane by lane; the engine combines whole rows into out. */
static double value_at(const void *buf, pscan_dtype t, int64_t i)
{
    return tu_get_re((const char *)buf + (size_t)i * tu_size(t), t);
}

static double tile_step(pscan_op op, int single, double a, double b)
{
    if (single)
        return op == PSCAN_SUM ? (double)((float)a + (float)b) : (double)((float)a * (float)b);
    return op == PSCAN_SUM ? a + b : a * b;
}

static void tile_reference(pscan_op op, pscan_dtype t, const void *in, void *out, int64_t rows,
                           int64_t cols, const void *carry)
{
    const int single = t == PSCAN_FLOAT32;
    for (int64_t c = 0; c < cols; ++c) {
        double prefix = carry ? value_at(carry, t, c) : 0, local = 0;
        int have_prefix = carry != NULL;
        for (int64_t r = 0; r < rows; ++r) {
            const double x = value_at(in, t, r * cols + c);
            local = r % PSCAN_TILE == 0 ? x : tile_step(op, single, local, x);
            const double v = have_prefix ? tile_step(op, single, prefix, local) : local;
            tu_put_f64((char *)out + (size_t)(r * cols + c) * tu_size(t), t, v, 0);
            if (r % PSCAN_TILE == PSCAN_TILE - 1 || r == rows - 1) {
                prefix = v;
                have_prefix = 1;
            }
        }
    }
}

static void check_tiled_panel(pscan_op op, pscan_dtype t, int64_t rows, int64_t cols)
{
    const size_t es = tu_size(t), bytes = (size_t)(rows * cols) * es;
    char *in = tu_malloc(bytes), *out = tu_malloc(bytes), *want = tu_malloc(bytes);
    char *wide = tu_malloc(2 * bytes), *carry = tu_malloc((size_t)cols * es);
    fill_values(in, t, rows * cols, 31u + (uint64_t)rows);
    fill_values(carry, t, cols, 7u);
    /* The same values every other element of a wider array: the strips
     * that load their rows first. */
    for (int64_t i = 0; i < rows * cols; ++i)
        memcpy(wide + (size_t)i * 2 * es, in + (size_t)i * es, es);
    const int64_t shape[2] = {rows, cols},
                  wide_strides[2] = {cols * 2 * (int64_t)es, 2 * (int64_t)es};
    const pscan_array a = tu_arr(in, t, 2, shape, NULL), b = tu_arr(out, t, 2, shape, NULL);
    const pscan_array w = tu_arr(wide, t, 2, shape, wide_strides);
    for (int with_carry = 0; with_carry <= 1; ++with_carry) {
        tile_reference(op, t, in, want, rows, cols, with_carry ? carry : NULL);
        for (int threads = 1; threads <= 4; ++threads) {
            for (int form = 0; form < 3; ++form) { /* contiguous, loaded, in place */
                pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
                const pscan_array *src = form == 1 ? &w : form == 2 ? &b : &a;
                memset(out, 0x5a, bytes);
                if (form == 2)
                    memcpy(out, in, bytes);
                TU_ASSERT_OK(with_carry ? pscan_scan_carry(op, src, t, &b, &o, carry)
                                        : pscan_scan(op, src, 0, t, &b, &o));
                for (size_t i = 0; i < bytes; i += es)
                    if (memcmp(out + i, want + i, es) != 0)
                        cr_assert(eq(dbl, value_at(out, t, (int64_t)(i / es)),
                                     value_at(want, t, (int64_t)(i / es))),
                                  "%s (%lld, %lld), carry %d, threads %d, form %d, element %zu",
                                  pscan_dtype_name(t), (long long)rows, (long long)cols, with_carry,
                                  threads, form, i / es);
            }
        }
    }
    free(in);
    free(out);
    free(want);
    free(wide);
    free(carry);
}

Test(engine, tiled_panels_follow_the_tile_chains)
{
    check_tiled_panel(PSCAN_SUM, PSCAN_FLOAT64, 2 * PSCAN_TILE + 100, 300);
    check_tiled_panel(PSCAN_SUM, PSCAN_FLOAT32, 2 * PSCAN_TILE + 100, 300);
    check_tiled_panel(PSCAN_PROD, PSCAN_FLOAT64, 2 * PSCAN_TILE + 100, 37);
    check_tiled_panel(PSCAN_SUM, PSCAN_FLOAT64, 2 * PSCAN_TILE + 1, 5); /* narrow rows */
    check_tiled_panel(PSCAN_SUM, PSCAN_FLOAT32, PSCAN_TILE - 1, 700);   /* one partial tile */
    check_tiled_panel(PSCAN_SUM, PSCAN_FLOAT64, PSCAN_TILE, 9);         /* exactly one tile */
}

/* Short lanes that need no conversion but do not lie back to back: each is
 * scanned in place (this once overran a buffer that is not there). */
Test(engine, short_strided_lanes_without_conversion)
{
    enum { ROWS = 3000, COLS = 16, STEP = 3 };
    double *base = tu_malloc(sizeof(double) * 2 * ROWS * STEP * COLS);
    double *out = tu_malloc(sizeof(double) * 2 * ROWS * COLS);
    uint64_t seed = 11;
    for (size_t i = 0; i < 2u * ROWS * STEP * COLS; ++i)
        base[i] = (tu_rand_unit(&seed) - 0.3) * 1e3;
    const int64_t shape[2] = {ROWS, COLS}, strides[2] = {16 * COLS * STEP, 16};
    pscan_array a = tu_arr(base, PSCAN_COMPLEX128, 2, shape, strides);
    pscan_array b = tu_arr(out, PSCAN_COMPLEX128, 2, shape, NULL);
    for (int threads = 1; threads <= 2; ++threads) {
        pscan_opts o = opts_threads(threads, PSCAN_ORDER_REPRODUCIBLE);
        TU_ASSERT_OK(pscan_cumsum(&a, -1, PSCAN_DTYPE_DEFAULT, &b, &o));
        for (int64_t r = 0; r < ROWS; ++r) {
            double re = 0, im = 0; /* lanes under a tile: numpy's order */
            for (int64_t c = 0; c < COLS; ++c) {
                const double *x = base + 2 * (r * STEP * COLS + c);
                re = c == 0 ? x[0] : re + x[0];
                im = c == 0 ? x[1] : im + x[1];
                const double *y = out + 2 * (r * COLS + c);
                cr_assert(eq(u64, tu_dbits(y[0]), tu_dbits(re)));
                cr_assert(eq(u64, tu_dbits(y[1]), tu_dbits(im)));
            }
        }
    }
    free(base);
    free(out);
}

/* Hash of a fixed set of results: floats in both orders, every op,
 * lengths from under a tile to several blocks, in place and strided, and
 * 2-D views along both axes (axis 0 combines whole rows element by element:
 * the loop a compiler vectorises, where GCC once fused complex products). */
static uint64_t results_hash(void)
{
    const pscan_dtype types[] = {PSCAN_INT64,   PSCAN_INT32,     PSCAN_UINT32,     PSCAN_FLOAT64,
                                 PSCAN_FLOAT32, PSCAN_COMPLEX64, PSCAN_COMPLEX128, PSCAN_FLOAT16};
    const pscan_op ops[] = {PSCAN_SUM, PSCAN_PROD, PSCAN_MAX, PSCAN_MIN};
    const int64_t sizes[] = {5, 63, 4097, 2 * BLOCK + 5};
    uint64_t hash = TU_HASH_START;
    for (size_t t = 0; t < TU_COUNT(types); ++t)
        for (size_t s = 0; s < TU_COUNT(sizes); ++s) {
            const int64_t n = sizes[s];
            const size_t es = tu_size(types[t]), bytes = (size_t)n * es;
            void *in = tu_malloc(bytes), *out = tu_malloc(bytes);
            fill_values(in, types[t], n, 3 * t + s);
            for (size_t o = 0; o < TU_COUNT(ops); ++o) {
                if (ops[o] == PSCAN_PROD && types[t] == PSCAN_FLOAT16)
                    continue;
                for (int order = 0; order < 2; ++order) {
                    scan_1d(ops[o], types[t], types[t], in, out, n, 2, (pscan_order)order);
                    hash = tu_hash_bytes(hash, out, bytes);
                }
                /* strided, reversed lanes of a 2-D view, and C-ordered rows
                 * 37 wide, along both axes */
                const int64_t rows = n / 2 > 64 ? 64 : n / 2;
                const int64_t narrow[2] = {rows, 2},
                              narrow_strides[2] = {-(int64_t)es * 2, (int64_t)es};
                const int64_t wide[2] = {n / 37, 37};
                const pscan_array views[2] = {tu_arr((char *)in + (size_t)(rows - 1) * 2 * es,
                                                     types[t], 2, narrow, narrow_strides),
                                              tu_arr(in, types[t], 2, wide, NULL)};
                for (int v = 0; v < 2; ++v) {
                    const pscan_array b = tu_arr(out, types[t], 2, views[v].shape, NULL);
                    for (int axis = 0; axis < 2; ++axis) {
                        TU_ASSERT_OK(pscan_scan(ops[o], &views[v], axis, types[t], &b, NULL));
                        hash = tu_hash_bytes(hash, out,
                                             (size_t)(views[v].shape[0] * views[v].shape[1]) * es);
                    }
                }
            }
            free(in);
            free(out);
        }
    return hash;
}

/* Float max and min over values whose ties differ in bits: -0.0 against
 * +0.0 (the later is kept) and NaNs of distinct payloads in bursts (the
 * first is kept), non-positive for max and non-negative for min so that
 * the running value sits on a zero. Returns the elements that differ from
 * the left-to-right definition over every length, team and dtype. Runs
 * in a child with PSCAN_ISA set (no Criterion asserts there). */
static int64_t float_tie_mismatches(void)
{
    const int64_t sizes[] = {5, 63, 4097, 2 * BLOCK + 5, 5 * BLOCK + 999};
    const pscan_op ops[] = {PSCAN_MAX, PSCAN_MIN};
    int64_t mismatches = 0;
    for (size_t s = 0; s < TU_COUNT(sizes); ++s)
        for (int f = 0; f < 2; ++f) /* float64, float32 */
            for (size_t o = 0; o < 2; ++o)
                for (int nan_burst = 0; nan_burst < 2; ++nan_burst) {
                    const int64_t n = sizes[s];
                    const size_t es = f ? 4 : 8;
                    unsigned char *in = malloc((size_t)n * es), *out = malloc((size_t)n * es);
                    uint64_t seed =
                        (uint64_t)(s * 8 + (size_t)f * 4 + o * 2 + (size_t)nan_burst) + 1;
                    for (int64_t i = 0; i < n; ++i) {
                        const int64_t pick = tu_rand_range(&seed, 0, 9);
                        double v = pick < 4 ? (pick % 2 ? -0.0 : 0.0) : (double)(pick - 3);
                        v = ops[o] == PSCAN_MAX && v > 0 ? -v : v;
                        if (f) {
                            const float x = (float)v;
                            memcpy(in + (size_t)i * 4, &x, 4);
                        } else
                            memcpy(in + (size_t)i * 8, &v, 8);
                    }
                    for (int64_t k = 0; nan_burst && k < 3; ++k) { /* p, p + 1, p + 3 */
                        const int64_t at = n * 2 / 3 + k + (k == 2);
                        const uint32_t bits32 = 0x7fc00000u | (uint32_t)(k + 1);
                        const uint64_t bits64 = 0x7ff8000000000000ull | (uint64_t)(k + 1);
                        if (at < n)
                            memcpy(in + (size_t)at * es,
                                   f ? (const void *)&bits32 : (const void *)&bits64, es);
                    }
                    for (int threads = 1; threads <= 3; ++threads) {
                        scan_1d(ops[o], f ? PSCAN_FLOAT32 : PSCAN_FLOAT64,
                                f ? PSCAN_FLOAT32 : PSCAN_FLOAT64, in, out, n, threads,
                                PSCAN_ORDER_REPRODUCIBLE);
                        double running = 0;
                        for (int64_t i = 0; i < n; ++i) {
                            double x, y;
                            if (f) {
                                float xf, yf;
                                memcpy(&xf, in + (size_t)i * 4, 4);
                                memcpy(&yf, out + (size_t)i * 4, 4);
                                x = xf;
                                y = yf;
                            } else {
                                memcpy(&x, in + (size_t)i * 8, 8);
                                memcpy(&y, out + (size_t)i * 8, 8);
                            }
                            const int keep =
                                i > 0 && (isnan(running) ||
                                          (ops[o] == PSCAN_MAX ? running > x : running < x));
                            running = keep ? running : x;
                            /* the bits: float -> double keeps sign and payload */
                            mismatches += memcmp(&running, &y, 8) != 0;
                        }
                    }
                    free(in);
                    free(out);
                }
    return mismatches;
}

/* Every kernel variant keeps float max and min ties as numpy does. */
Test(engine, every_kernel_variant_keeps_float_ties)
{
    const char *isas[] = {"scalar", "avx2", "avx512"};
    for (int k = 0; k < 3; ++k) {
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            setenv("PSCAN_ISA", isas[k], 1);
            const int64_t bad = float_tie_mismatches();
            _exit(bad > 100 ? 100 : (int)bad);
        }
        int status;
        waitpid(pid, &status, 0);
        cr_assert(eq(int, WIFEXITED(status), 1));
        cr_assert(eq(int, WEXITSTATUS(status), 0),
                  "PSCAN_ISA=%s (on a CPU without it, the best variant it has): elements "
                  "differing from the left-to-right max/min",
                  isas[k]);
    }
}

/* Each variant runs in a child of its own (the choice is made once per
 * process); this process never calls pscan before forking. */
Test(engine, every_kernel_variant_gives_the_same_bits)
{
    const char *isas[] = {"scalar", "avx2", "avx512"};
    uint64_t hashes[3];
    char names[3][16];
    for (int k = 0; k < 3; ++k) {
        int fds[2];
        cr_assert(eq(int, pipe(fds), 0));
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            setenv("PSCAN_ISA", isas[k], 1);
            struct {
                uint64_t hash;
                char name[16];
            } report = {results_hash(), {0}};
            strncpy(report.name, pscan_isa_name(), sizeof report.name - 1);
            ssize_t written = write(fds[1], &report, sizeof report);
            _exit(written == (ssize_t)sizeof report ? 0 : 1);
        }
        close(fds[1]);
        struct {
            uint64_t hash;
            char name[16];
        } report;
        cr_assert(eq(long, (long)read(fds[0], &report, sizeof report), (long)sizeof report));
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        cr_assert(eq(int, WIFEXITED(status) && WEXITSTATUS(status) == 0, 1));
        hashes[k] = report.hash;
        memcpy(names[k], report.name, sizeof names[k]);
    }
    /* scalar is always there; a variant the CPU lacks is capped below */
    cr_assert(eq(str, names[0], "scalar"));
    for (int k = 1; k < 3; ++k)
        cr_assert(eq(u64, hashes[k], hashes[0]), "%s (ran as %s) differs from scalar", isas[k],
                  names[k]);
}

Test(engine, isa_name_is_one_of_the_variants)
{
    const char *name = pscan_isa_name();
    const int known = !strcmp(name, "scalar") || !strcmp(name, "avx2") || !strcmp(name, "avx512");
    cr_assert(eq(int, known, 1), "%s", name);
}

/* ---- concurrency ---- */

typedef struct caller {
    pscan_context *ctx;
    int64_t n;
    uint64_t seed;
    int failures;
} caller;

/* Scans of a few kinds, each checked: ints exactly, floats against the
 * one-thread bits computed beforehand. */
static void *caller_main(void *arg)
{
    caller *c = arg;
    int64_t *in = tu_malloc((size_t)c->n * 8), *out = tu_malloc((size_t)c->n * 8);
    double *fin = tu_malloc((size_t)c->n * 8), *fref = tu_malloc((size_t)c->n * 8);
    double *fout = tu_malloc((size_t)c->n * 8);
    uint64_t seed = c->seed;
    for (int64_t i = 0; i < c->n; ++i) {
        in[i] = tu_rand_range(&seed, -50, 50);
        fin[i] = tu_rand_unit(&seed) - 0.4;
    }
    pscan_array a = tu_vec(in, PSCAN_INT64, &c->n), b = tu_vec(out, PSCAN_INT64, &c->n);
    pscan_array fa = tu_vec(fin, PSCAN_FLOAT64, &c->n), fb = tu_vec(fref, PSCAN_FLOAT64, &c->n),
                fc = tu_vec(fout, PSCAN_FLOAT64, &c->n);
    pscan_opts one = opts_threads(1, PSCAN_ORDER_REPRODUCIBLE);
    one.ctx = c->ctx;
    if (pscan_cumsum(&fa, 0, PSCAN_DTYPE_DEFAULT, &fb, &one) != PSCAN_OK)
        c->failures++;
    for (int round = 0; round < 12; ++round) {
        pscan_opts o = opts_threads(1 + round % 3, PSCAN_ORDER_REPRODUCIBLE);
        o.ctx = c->ctx;
        if (pscan_cumsum(&a, 0, PSCAN_DTYPE_DEFAULT, &b, &o) != PSCAN_OK ||
            pscan_cumsum(&fa, 0, PSCAN_DTYPE_DEFAULT, &fc, &o) != PSCAN_OK) {
            c->failures++;
            continue;
        }
        int64_t running = 0;
        for (int64_t i = 0; i < c->n; ++i) {
            running += in[i];
            c->failures += out[i] != running;
        }
        c->failures += memcmp(fout, fref, (size_t)c->n * 8) != 0;
    }
    free(in);
    free(out);
    free(fin);
    free(fref);
    free(fout);
    return NULL;
}

static void run_callers(pscan_context *ctx)
{
    enum { CALLERS = 4 };
    pthread_t threads[CALLERS];
    caller callers[CALLERS];
    for (int k = 0; k < CALLERS; ++k) {
        callers[k] = (caller){ctx, 3 * BLOCK + 1000 * k, (uint64_t)k + 1, 0};
        cr_assert(eq(int, pthread_create(&threads[k], NULL, caller_main, &callers[k]), 0));
    }
    for (int k = 0; k < CALLERS; ++k) {
        pthread_join(threads[k], NULL);
        cr_assert(eq(int, callers[k].failures, 0), "caller %d", k);
    }
}

Test(engine, several_user_threads_share_the_default_context)
{
    run_callers(NULL);
}

Test(engine, several_user_threads_share_a_created_context)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    run_callers(ctx);
    run_callers(ctx); /* workspaces come back to the pool and are reused */
    pscan_context_destroy(ctx);
}

static int scans_inside_parallel_region(void)
{
    int failures = 0;
#pragma omp parallel num_threads(3) reduction(+ : failures)
    {
        caller c = {NULL, 2 * BLOCK + 7 * omp_get_thread_num(),
                    100u + (unsigned)omp_get_thread_num(), 0};
        caller_main(&c);
        failures += c.failures;
    }
    return failures;
}

Test(engine, calls_from_inside_an_openmp_parallel_region)
{
    cr_assert(eq(int, scans_inside_parallel_region(), 0));
    omp_set_max_active_levels(2); /* now the inner teams are real */
    cr_assert(eq(int, scans_inside_parallel_region(), 0));
}
