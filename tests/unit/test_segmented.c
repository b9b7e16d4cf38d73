/* test_segmented.c - pscan_scan_segmented: exact values of each kind of
 * segment description, each flag, layouts and dtypes, every status with
 * out untouched, bit-identical results for 1..4 threads on lanes of many
 * tiles, and the contract against pscan_scan over each segment alone. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pscan.h"
#include "testutil.h"

static pscan_array vec(void *data, pscan_dtype t, const int64_t *n)
{
    return (pscan_array){data, t, 1, n, NULL};
}

static pscan_segments segs(pscan_segment_kind kind, void *data, pscan_dtype t, const int64_t *n)
{
    return (pscan_segments){kind, vec(data, t, n)};
}

static pscan_status seg_i64(pscan_op op, const int64_t *in, int64_t *out, int64_t n,
                            const pscan_segments *s, unsigned flags, int threads)
{
    const int64_t shape[1] = {n};
    const pscan_array a = vec((void *)(uintptr_t)in, PSCAN_INT64, shape);
    const pscan_array o = vec(out, PSCAN_INT64, shape);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.flags = flags;
    opts.threads = threads;
    return pscan_scan_segmented(op, &a, 0, PSCAN_INT64, &o, s, &opts);
}

static void expect_i64(const int64_t *got, const int64_t *want, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        cr_assert(eq(i64, got[i], want[i]), "element %lld", (long long)i);
}

static const int64_t in8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const int64_t sum8[8] = {1, 3, 6, 4, 9, 6, 13, 21}; /* segments [0,3) [3,5) [5,8) */
static const int64_t n8[1] = {8};

Test(segmented, flags_bool_int8_int32)
{
    int64_t out[8];
    const uint8_t fb[8] = {0, 0, 0, 1, 0, 1, 0, 0}; /* the first element starts anyway */
    pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)fb, PSCAN_BOOL, n8);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, sum8, 8);
    const int8_t f8[8] = {1, 0, 0, -3, 0, 7, 0, 0};
    s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)f8, PSCAN_INT8, n8);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, sum8, 8);
    const int32_t f32[8] = {0, 0, 0, 65536, 0, -1, 0, 0}; /* a nonzero high byte starts too */
    s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)f32, PSCAN_INT32, n8);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, sum8, 8);
    const int64_t max_want[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cr_assert(eq(int, seg_i64(PSCAN_MAX, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, max_want, 8);
    const int64_t prod_want[8] = {1, 2, 6, 4, 20, 6, 42, 336};
    cr_assert(eq(int, seg_i64(PSCAN_PROD, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, prod_want, 8);
}

Test(segmented, offsets)
{
    int64_t out[8];
    const int64_t offsets[6] = {0, 3, 3, 5, 8, 8}; /* 0, n and repeats change nothing */
    const int64_t count[1] = {6};
    pscan_segments s = segs(PSCAN_SEGMENT_OFFSETS, (void *)(uintptr_t)offsets, PSCAN_INT64, count);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, sum8, 8);
    const int64_t none[1] = {0}; /* no offsets: one segment */
    s = segs(PSCAN_SEGMENT_OFFSETS, NULL, PSCAN_INT64, none);
    const int64_t whole[8] = {1, 3, 6, 10, 15, 21, 28, 36};
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, whole, 8);
}

Test(segmented, keys_int_and_float)
{
    int64_t out[8];
    const int16_t keys[8] = {7, 7, 7, 2, 2, 9, 9, 9};
    pscan_segments s = segs(PSCAN_SEGMENT_KEYS, (void *)(uintptr_t)keys, PSCAN_INT16, n8);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, sum8, 8);
    /* NaN equals NaN, -0.0 equals 0.0 */
    const double fk[8] = {NAN, NAN, -NAN, 0.0, -0.0, 1.0, NAN, NAN};
    s = segs(PSCAN_SEGMENT_KEYS, (void *)(uintptr_t)fk, PSCAN_FLOAT64, n8);
    const int64_t want[8] = {1, 3, 6, 4, 9, 6, 7, 15};
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, 0, 1), PSCAN_OK));
    expect_i64(out, want, 8);
}

Test(segmented, shared_and_per_lane_flags)
{
    const int64_t shape[2] = {2, 4};
    const int32_t in[8] = {1, 2, 3, 4, 10, 20, 30, 40};
    int64_t out[8];
    const pscan_array a = {(void *)(uintptr_t)in, PSCAN_INT32, 2, shape, NULL};
    const pscan_array o = {out, PSCAN_INT64, 2, shape, NULL};
    const uint8_t shared[4] = {1, 0, 1, 0};
    const int64_t four[1] = {4};
    pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)shared, PSCAN_BOOL, four);
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 1, PSCAN_DTYPE_DEFAULT, &o, &s, NULL),
                 PSCAN_OK));
    const int64_t want_shared[8] = {1, 3, 3, 7, 10, 30, 30, 70};
    expect_i64(out, want_shared, 8);
    const uint8_t lanes[8] = {1, 0, 0, 1, 1, 1, 0, 0};
    s = (pscan_segments){PSCAN_SEGMENT_FLAGS,
                         {(void *)(uintptr_t)lanes, PSCAN_BOOL, 2, shape, NULL}};
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 1, PSCAN_DTYPE_DEFAULT, &o, &s, NULL),
                 PSCAN_OK));
    const int64_t want_lanes[8] = {1, 3, 6, 4, 10, 20, 50, 90};
    expect_i64(out, want_lanes, 8);
    /* axis 0 of the C array: lanes are columns, the shared flags run down them */
    const uint8_t down[2] = {1, 1};
    const int64_t two[1] = {2};
    s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)down, PSCAN_BOOL, two);
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, NULL),
                 PSCAN_OK));
    const int64_t want_down[8] = {1, 2, 3, 4, 10, 20, 30, 40};
    expect_i64(out, want_down, 8);
    s.array.data = (void *)(uintptr_t)(const uint8_t[2]){1, 0};
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, NULL),
                 PSCAN_OK));
    const int64_t want_col[8] = {1, 2, 3, 4, 11, 22, 33, 44};
    expect_i64(out, want_col, 8);
    /* axis None: flags of in's shape read in C order */
    const int64_t eight[1] = {8};
    const pscan_array flat_out = vec(out, PSCAN_INT64, eight);
    s = (pscan_segments){PSCAN_SEGMENT_FLAGS,
                         {(void *)(uintptr_t)lanes, PSCAN_BOOL, 2, shape, NULL}};
    cr_assert(eq(int,
                 pscan_scan_segmented(PSCAN_SUM, &a, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT,
                                      &flat_out, &s, NULL),
                 PSCAN_OK));
    expect_i64(out, want_lanes, 8);
    const uint8_t one_run[8] = {1, 0, 0, 0, 0, 1, 0, 0}; /* 1-D of size(in) */
    s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)one_run, PSCAN_BOOL, eight);
    cr_assert(eq(int,
                 pscan_scan_segmented(PSCAN_SUM, &a, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT,
                                      &flat_out, &s, NULL),
                 PSCAN_OK));
    const int64_t want_flat[8] = {1, 3, 6, 10, 20, 20, 50, 90};
    expect_i64(out, want_flat, 8);
}

Test(segmented, exclusive_reverse)
{
    int64_t out[8];
    const uint8_t fb[8] = {1, 0, 0, 1, 0, 1, 0, 0};
    pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)fb, PSCAN_BOOL, n8);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, PSCAN_FLAG_EXCLUSIVE, 1), PSCAN_OK));
    const int64_t excl[8] = {0, 1, 3, 0, 4, 0, 6, 13};
    expect_i64(out, excl, 8);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, PSCAN_FLAG_REVERSE, 1), PSCAN_OK));
    const int64_t rev[8] = {6, 5, 3, 9, 5, 21, 15, 8};
    expect_i64(out, rev, 8);
    cr_assert(eq(int,
                 seg_i64(PSCAN_SUM, in8, out, 8, &s, PSCAN_FLAG_REVERSE | PSCAN_FLAG_EXCLUSIVE, 1),
                 PSCAN_OK));
    const int64_t rev_excl[8] = {5, 3, 0, 5, 0, 15, 8, 0};
    expect_i64(out, rev_excl, 8);
    const int64_t offsets[2] = {3, 5};
    const int64_t two[1] = {2};
    s = segs(PSCAN_SEGMENT_OFFSETS, (void *)(uintptr_t)offsets, PSCAN_INT64, two);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, PSCAN_FLAG_REVERSE, 1), PSCAN_OK));
    expect_i64(out, rev, 8);
    const int64_t min_excl[8] = {INT64_MAX, 1, 1, INT64_MAX, 4, INT64_MAX, 6, 6};
    cr_assert(eq(int, seg_i64(PSCAN_MIN, in8, out, 8, &s, PSCAN_FLAG_EXCLUSIVE, 1), PSCAN_OK));
    expect_i64(out, min_excl, 8);
}

Test(segmented, skip_nan_compensated)
{
    const double in[6] = {1.0, NAN, 2.0, 1e16, 1.0, -1e16};
    double out[6];
    const int64_t n[1] = {6};
    const uint8_t fb[6] = {1, 0, 0, 1, 0, 0};
    pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)fb, PSCAN_BOOL, n);
    const pscan_array a = vec((void *)(uintptr_t)in, PSCAN_FLOAT64, n);
    const pscan_array o = vec(out, PSCAN_FLOAT64, n);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.flags = PSCAN_FLAG_SKIP_NAN;
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, &opts),
                 PSCAN_OK));
    cr_assert(eq(dbl, out[0], 1.0));
    cr_assert(eq(dbl, out[1], 1.0));
    cr_assert(eq(dbl, out[2], 3.0));
    cr_assert(eq(dbl, out[5], 0.0)); /* plain: 1e16 + 1 rounds to 1e16 */
    opts.flags = PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_COMPENSATED;
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, &opts),
                 PSCAN_OK));
    cr_assert(eq(dbl, out[2], 3.0));
    cr_assert(eq(dbl, out[3], 1e16)); /* the segment restarts: nothing of 3.0 carried */
    cr_assert(eq(dbl, out[5], 1.0));  /* compensated: exact */
    opts.flags = 0;
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, &opts),
                 PSCAN_OK));
    cr_assert(isnan(out[1]) && isnan(out[2]) && out[3] == 1e16);
}

Test(segmented, check_overflow)
{
    const int8_t in[6] = {100, 27, 100, 100, 1, 1};
    int8_t out[6];
    const int64_t n[1] = {6};
    const uint8_t split[6] = {1, 0, 1, 0, 0, 0}; /* [100, 27] fits; 100 + 100 does not */
    pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)split, PSCAN_BOOL, n);
    const pscan_array a = vec((void *)(uintptr_t)in, PSCAN_INT8, n);
    const pscan_array o = vec(out, PSCAN_INT8, n);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.flags = PSCAN_FLAG_CHECK_OVERFLOW;
    memset(out, 0x5a, sizeof out);
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_INT8, &o, &s, &opts),
                 PSCAN_EOVERFLOW));
    for (int i = 0; i < 6; i++)
        cr_assert(eq(i8, out[i], 0x5a));
    const uint8_t apart[6] = {1, 0, 1, 1, 0, 0}; /* 127, then 100, then 100 + 1 + 1 */
    s.array.data = (void *)(uintptr_t)apart;
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_INT8, &o, &s, &opts), PSCAN_OK));
    const int8_t want[6] = {100, 127, 100, 100, 101, 102};
    for (int i = 0; i < 6; i++)
        cr_assert(eq(i8, out[i], want[i]));
    /* exclusive: a segment's total is no result */
    const int8_t tail[3] = {100, 100, 5};
    const int64_t three[1] = {3};
    const uint8_t starts[3] = {1, 0, 1};
    const pscan_array t = vec((void *)(uintptr_t)tail, PSCAN_INT8, three);
    const pscan_array to = vec(out, PSCAN_INT8, three);
    s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)starts, PSCAN_BOOL, three);
    opts.flags = PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE;
    cr_assert(
        eq(int, pscan_scan_segmented(PSCAN_SUM, &t, 0, PSCAN_INT8, &to, &s, &opts), PSCAN_OK));
    cr_assert(eq(i8, out[0], 0));
    cr_assert(eq(i8, out[1], 100));
    cr_assert(eq(i8, out[2], 0));
}

Test(segmented, layouts)
{
    /* strided input and output, negative strides */
    int64_t out[16];
    int64_t stride2[1] = {16};
    const uint8_t fb[8] = {1, 0, 0, 1, 0, 1, 0, 0};
    const pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)fb, PSCAN_BOOL, n8);
    int64_t packed[8];
    for (int i = 0; i < 8; i++)
        packed[i] = in8[i];
    const pscan_array a = {packed, PSCAN_INT64, 1, n8, NULL};
    memset(out, 0, sizeof out);
    const pscan_array o = {out, PSCAN_INT64, 1, n8, stride2};
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_INT64, &o, &s, NULL), PSCAN_OK));
    for (int i = 0; i < 8; i++) {
        cr_assert(eq(i64, out[2 * i], sum8[i]));
        cr_assert(eq(i64, out[2 * i + 1], 0));
    }
    int64_t back[1] = {-8};
    int64_t reversed[8];
    for (int i = 0; i < 8; i++)
        reversed[i] = in8[7 - i];
    const pscan_array neg = {&reversed[7], PSCAN_INT64, 1, n8, back};
    const pscan_array o2 = {out, PSCAN_INT64, 1, n8, NULL};
    cr_assert(
        eq(int, pscan_scan_segmented(PSCAN_SUM, &neg, 0, PSCAN_INT64, &o2, &s, NULL), PSCAN_OK));
    expect_i64(out, sum8, 8);
    /* in place, and out overlapping the flags */
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_INT64, &a, &s, NULL), PSCAN_OK));
    expect_i64(packed, sum8, 8);
    int64_t shared_buf[8];
    for (int i = 0; i < 8; i++)
        shared_buf[i] = in8[i];
    const pscan_array in_keys = {shared_buf, PSCAN_INT64, 1, n8, NULL};
    const pscan_segments by_self = {PSCAN_SEGMENT_KEYS, in_keys}; /* keys = in = out */
    cr_assert(
        eq(int, pscan_scan_segmented(PSCAN_SUM, &in_keys, 0, PSCAN_INT64, &in_keys, &by_self, NULL),
           PSCAN_OK));
    expect_i64(shared_buf, in8, 8); /* every key differs: each value alone */
    /* out shifted by one element over in: the result from the untouched input */
    int64_t over[9];
    for (int i = 0; i < 8; i++)
        over[i] = in8[i];
    const pscan_array ov_in = {over, PSCAN_INT64, 1, n8, NULL};
    const pscan_array ov_out = {over + 1, PSCAN_INT64, 1, n8, NULL};
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &ov_in, 0, PSCAN_INT64, &ov_out, &s, NULL),
                 PSCAN_OK));
    expect_i64(over + 1, sum8, 8);
}

Test(segmented, converting_dtypes)
{
    const int32_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double out[8];
    const uint8_t fb[8] = {1, 0, 0, 1, 0, 1, 0, 0};
    const pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)fb, PSCAN_BOOL, n8);
    const pscan_array a = vec((void *)(uintptr_t)in, PSCAN_INT32, n8);
    const pscan_array o = vec(out, PSCAN_FLOAT64, n8);
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, NULL),
                 PSCAN_OK));
    for (int i = 0; i < 8; i++)
        cr_assert(eq(dbl, out[i], (double)sum8[i]));
    uint16_t half[8];
    const pscan_array h = vec(half, PSCAN_FLOAT16, n8);
    cr_assert(
        eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 0, PSCAN_FLOAT32, &h, &s, NULL), PSCAN_OK));
    for (int i = 0; i < 8; i++)
        cr_assert(eq(dbl, tu_half_to_double(half[i]), (double)sum8[i]));
}

Test(segmented, statuses_leave_out_untouched)
{
    int64_t out[8];
    const uint8_t fb[8] = {1, 0, 0, 1, 0, 1, 0, 0};
    pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)fb, PSCAN_BOOL, n8);
    const double ff[8] = {0};
    const int64_t unsorted[3] = {0, 5, 3}, beyond[2] = {2, 9}, negative[1] = {-1};
    const int32_t narrow[1] = {3};
    const int64_t one[1] = {1}, two[1] = {2}, three[1] = {3}, seven[1] = {7};
    const int64_t square[2] = {2, 4};
    struct {
        pscan_segments s;
        pscan_status want;
    } bad[] = {
        {{(pscan_segment_kind)7, vec((void *)(uintptr_t)fb, PSCAN_BOOL, n8)}, PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_FLAGS, vec((void *)(uintptr_t)ff, PSCAN_FLOAT64, n8)}, PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_FLAGS, vec((void *)(uintptr_t)fb, PSCAN_BOOL, seven)}, PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_FLAGS, {(void *)(uintptr_t)fb, PSCAN_BOOL, 2, square, NULL}},
         PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_FLAGS, vec(NULL, PSCAN_BOOL, n8)}, PSCAN_ENULL},
        {{PSCAN_SEGMENT_KEYS, vec((void *)(uintptr_t)fb, PSCAN_DTYPE_DEFAULT, n8)},
         PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_OFFSETS, vec((void *)(uintptr_t)unsorted, PSCAN_INT64, three)},
         PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_OFFSETS, vec((void *)(uintptr_t)beyond, PSCAN_INT64, two)},
         PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_OFFSETS, vec((void *)(uintptr_t)negative, PSCAN_INT64, one)},
         PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_OFFSETS, vec((void *)(uintptr_t)narrow, PSCAN_INT32, one)},
         PSCAN_ESEGMENTS},
        {{PSCAN_SEGMENT_OFFSETS, {(void *)(uintptr_t)fb, PSCAN_INT64, 2, square, NULL}},
         PSCAN_ESEGMENTS},
    };
    for (size_t k = 0; k < TU_COUNT(bad); k++) {
        memset(out, 0x33, sizeof out);
        cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &bad[k].s, 0, 1), bad[k].want), "%zu", k);
        for (int i = 0; i < 8; i++)
            cr_assert(eq(i64, out[i], 0x3333333333333333), "case %zu", k);
    }
    memset(out, 0x33, sizeof out);
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in8, out, 8, NULL, 0, 1), PSCAN_ENULL));
    cr_assert(
        eq(int, seg_i64(PSCAN_SUM, in8, out, 8, &s, PSCAN_FLAG_INCLUDE_INITIAL, 1), PSCAN_EOPTS));
    cr_assert(eq(int, seg_i64((pscan_op)99, in8, out, 8, &s, 0, 1), PSCAN_EOP));
    const pscan_array a = vec((void *)(uintptr_t)in8, PSCAN_INT64, n8);
    const pscan_array o = vec(out, PSCAN_INT64, n8);
    cr_assert(
        eq(int, pscan_scan_segmented(PSCAN_SUM, &a, 1, PSCAN_INT64, &o, &s, NULL), PSCAN_EAXIS));
    for (int i = 0; i < 8; i++)
        cr_assert(eq(i64, out[i], 0x3333333333333333));
    cr_assert(eq(int, (int)PSCAN_ESEGMENTS, 17));
    cr_assert(ne(str, (char *)pscan_strerror(PSCAN_ESEGMENTS), "unknown pscan status"));
}

/* ---- Long lanes: threads and the contract against pscan_scan ---- */

enum { BIG = 1 << 19 };

/* Segments of 1..40 values, with a few thousands long, from a fixed seed. */
static uint8_t *random_flags(int64_t n)
{
    uint8_t *flags = calloc((size_t)n, 1);
    uint64_t state = 12345;
    for (int64_t i = 0; i < n;) {
        flags[i] = 1;
        const uint64_t r = tu_rand(&state);
        i += r % 50 == 0 ? 1 + (int64_t)(r >> 8) % 9000 : 1 + (int64_t)(r >> 8) % 40;
    }
    return flags;
}

static double *random_doubles(int64_t n)
{
    double *v = malloc((size_t)n * sizeof *v);
    uint64_t state = 777;
    for (int64_t i = 0; i < n; i++)
        v[i] = (double)(int64_t)(tu_rand(&state) % 2000001) / 1000.0 - 1000.0;
    return v;
}

static void run_double(pscan_op op, const double *in, double *out, int64_t n, const uint8_t *flags,
                       pscan_order order, unsigned flag_bits, int threads)
{
    const int64_t shape[1] = {n};
    const pscan_array a = vec((void *)(uintptr_t)in, PSCAN_FLOAT64, shape);
    const pscan_array o = vec(out, PSCAN_FLOAT64, shape);
    const pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, (void *)(uintptr_t)flags, PSCAN_BOOL, shape);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    opts.order = order;
    opts.flags = flag_bits;
    cr_assert(
        eq(int, pscan_scan_segmented(op, &a, 0, PSCAN_DTYPE_DEFAULT, &o, &s, &opts), PSCAN_OK));
}

Test(segmented, threads_bit_identical)
{
    uint8_t *flags = random_flags(BIG);
    double *in = random_doubles(BIG), *one = malloc(BIG * sizeof *one),
           *many = malloc(BIG * sizeof *many);
    const unsigned flag_sets[3] = {0, PSCAN_FLAG_EXCLUSIVE, PSCAN_FLAG_REVERSE};
    for (int f = 0; f < 3; f++)
        for (int op = PSCAN_SUM; op <= PSCAN_MAX; op += 2) {
            run_double((pscan_op)op, in, one, BIG, flags, PSCAN_ORDER_REPRODUCIBLE, flag_sets[f],
                       1);
            for (int threads = 2; threads <= 4; threads++) {
                run_double((pscan_op)op, in, many, BIG, flags, PSCAN_ORDER_REPRODUCIBLE,
                           flag_sets[f], threads);
                cr_assert(eq(int, memcmp(one, many, BIG * sizeof *one), 0), "threads %d", threads);
            }
        }
    free(flags);
    free(in);
    free(one);
    free(many);
}

/* SEQUENTIAL floats and order-free ops: each segment is pscan_scan of it. */
Test(segmented, equals_pscan_scan_per_segment)
{
    uint8_t *flags = random_flags(BIG);
    double *in = random_doubles(BIG), *out = malloc(BIG * sizeof *out),
           *alone = malloc(9001 * sizeof *alone);
    const struct {
        pscan_op op;
        pscan_order order;
        unsigned flags;
    } cases[] = {{PSCAN_SUM, PSCAN_ORDER_SEQUENTIAL, 0},
                 {PSCAN_SUM, PSCAN_ORDER_SEQUENTIAL, PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE},
                 {PSCAN_MAX, PSCAN_ORDER_REPRODUCIBLE, 0},
                 {PSCAN_MIN, PSCAN_ORDER_REPRODUCIBLE, PSCAN_FLAG_REVERSE}};
    for (size_t k = 0; k < TU_COUNT(cases); k++) {
        run_double(cases[k].op, in, out, BIG, flags, cases[k].order, cases[k].flags, 4);
        pscan_opts opts = PSCAN_OPTS_INIT;
        opts.order = cases[k].order;
        opts.flags = cases[k].flags;
        for (int64_t a = 0; a < BIG;) {
            int64_t b = a + 1;
            while (b < BIG && !flags[b])
                b++;
            const int64_t len[1] = {b - a};
            const pscan_array sa = vec(in + a, PSCAN_FLOAT64, len);
            const pscan_array so = vec(alone, PSCAN_FLOAT64, len);
            cr_assert(
                eq(int, pscan_scan(cases[k].op, &sa, 0, PSCAN_FLOAT64, &so, &opts), PSCAN_OK));
            cr_assert(eq(int, memcmp(alone, out + a, (size_t)(b - a) * sizeof *out), 0),
                      "case %zu segment at %lld", k, (long long)a);
            a = b;
        }
    }
    free(flags);
    free(in);
    free(out);
    free(alone);
}

/* REPRODUCIBLE sums: a segment crossing a tile boundary continues from its
 * part in the earlier tile (left to right), plus its part in this one
 * (left to right); a segment inside one tile is numpy's cumsum of it. */
Test(segmented, reproducible_tiles)
{
    enum { N = 3 * 4096 };
    uint8_t *flags = calloc(N, 1);
    double *in = random_doubles(N), *out = malloc(N * sizeof *out);
    flags[0] = flags[100] = flags[4000] = flags[8300] = 1;
    for (int threads = 1; threads <= 4; threads++) {
        run_double(PSCAN_SUM, in, out, N, flags, PSCAN_ORDER_REPRODUCIBLE, 0, threads);
        double run = 0;
        for (int i = 100; i < 4000; i++) {
            run = i == 100 ? in[i] : run + in[i];
            cr_assert(eq(u64, tu_dbits(out[i]), tu_dbits(run)));
        }
        double part = 0; /* [4000, 4096) left to right */
        for (int i = 4000; i < 4096; i++)
            part = i == 4000 ? in[i] : part + in[i];
        double local = 0, chained = part;
        for (int i = 4096; i < 8192; i++) {
            local = i == 4096 ? in[i] : local + in[i];
            cr_assert(eq(u64, tu_dbits(out[i]), tu_dbits(part + local)), "at %d", i);
        }
        chained = part + local; /* the chain into the third tile */
        for (int i = 8192; i < 8300; i++) {
            local = i == 8192 ? in[i] : local + in[i];
            cr_assert(eq(u64, tu_dbits(out[i]), tu_dbits(chained + local)), "at %d", i);
        }
    }
    free(flags);
    free(in);
    free(out);
}

Test(segmented, offsets_and_keys_long_lanes)
{
    uint8_t *flags = random_flags(BIG);
    int64_t *in = malloc(BIG * sizeof *in), *want = malloc(BIG * sizeof *want),
            *got = malloc(BIG * sizeof *got), *offsets = malloc(BIG * sizeof *offsets);
    int32_t *keys = malloc(BIG * sizeof *keys);
    uint64_t state = 99;
    int64_t count = 0;
    int32_t key = 0;
    for (int64_t i = 0; i < BIG; i++) {
        in[i] = (int64_t)(tu_rand(&state) % 1000) - 500;
        if (flags[i]) {
            offsets[count++] = i;
            key++;
        }
        keys[i] = key % 4;
    }
    const int64_t shape[1] = {BIG}, offsets_shape[1] = {count};
    const pscan_segments by_flags = segs(PSCAN_SEGMENT_FLAGS, flags, PSCAN_BOOL, shape);
    const pscan_segments by_offsets =
        segs(PSCAN_SEGMENT_OFFSETS, offsets, PSCAN_INT64, offsets_shape);
    const pscan_segments by_keys = segs(PSCAN_SEGMENT_KEYS, keys, PSCAN_INT32, shape);
    const unsigned flag_sets[3] = {0, PSCAN_FLAG_REVERSE, PSCAN_FLAG_EXCLUSIVE};
    for (int f = 0; f < 3; f++) {
        cr_assert(eq(int, seg_i64(PSCAN_SUM, in, want, BIG, &by_flags, flag_sets[f], 1), PSCAN_OK));
        for (int threads = 1; threads <= 4; threads++) {
            cr_assert(eq(int, seg_i64(PSCAN_SUM, in, got, BIG, &by_offsets, flag_sets[f], threads),
                         PSCAN_OK));
            cr_assert(eq(int, memcmp(got, want, BIG * sizeof *got), 0));
            cr_assert(eq(int, seg_i64(PSCAN_SUM, in, got, BIG, &by_keys, flag_sets[f], threads),
                         PSCAN_OK));
            cr_assert(eq(int, memcmp(got, want, BIG * sizeof *got), 0));
        }
    }
    /* the flags-based result itself, checked by a plain loop */
    cr_assert(eq(int, seg_i64(PSCAN_SUM, in, got, BIG, &by_flags, 0, 4), PSCAN_OK));
    int64_t run = 0;
    for (int64_t i = 0; i < BIG; i++) {
        run = flags[i] ? in[i] : run + in[i];
        cr_assert(eq(i64, got[i], run));
    }
    free(flags);
    free(in);
    free(want);
    free(got);
    free(offsets);
    free(keys);
}

/* The bitwise ops and logaddexp restart per segment too (each segment is
 * pscan_scan of it alone: order-free ops, and SEQUENTIAL logaddexp); the
 * arg scans have no segmented form. */
Test(segmented, new_operators_per_segment)
{
    const int64_t n = 9000, starts[4] = {0, 17, 4500, 8999};
    int64_t *x = malloc((size_t)n * sizeof *x), *got = malloc((size_t)n * sizeof *got),
            *want = malloc((size_t)n * sizeof *want);
    double *f = malloc((size_t)n * sizeof *f), *fgot = malloc((size_t)n * sizeof *fgot),
           *fwant = malloc((size_t)n * sizeof *fwant);
    cr_assert(x && got && want && f && fgot && fwant);
    for (int64_t i = 0; i < n; i++) {
        x[i] = (i * 2654435761) % 1000003;
        f[i] = (double)((i * 37) % 101) / 7.0 - 5.0;
    }
    const int64_t count[1] = {4};
    pscan_segments s = segs(PSCAN_SEGMENT_OFFSETS, (void *)(uintptr_t)starts, PSCAN_INT64, count);
    const pscan_op ops[3] = {PSCAN_BIT_AND, PSCAN_BIT_OR, PSCAN_BIT_XOR};
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.order = PSCAN_ORDER_SEQUENTIAL;
    for (int k = 0; k < 3; k++) {
        for (int seg = 0; seg < 4; seg++) {
            const int64_t lo = starts[seg], len[1] = {(seg < 3 ? starts[seg + 1] : n) - lo};
            const pscan_array a = vec(x + lo, PSCAN_INT64, len),
                              o = vec(want + lo, PSCAN_INT64, len);
            cr_assert(eq(int, pscan_scan(ops[k], &a, 0, PSCAN_INT64, &o, NULL), PSCAN_OK));
        }
        for (int threads = 1; threads <= 2; threads++) {
            cr_assert(eq(int, seg_i64(ops[k], x, got, n, &s, 0, threads), PSCAN_OK));
            expect_i64(got, want, n);
        }
    }
    for (int seg = 0; seg < 4; seg++) {
        const int64_t lo = starts[seg], len[1] = {(seg < 3 ? starts[seg + 1] : n) - lo};
        const pscan_array a = vec(f + lo, PSCAN_FLOAT64, len),
                          o = vec(fwant + lo, PSCAN_FLOAT64, len);
        cr_assert(eq(int, pscan_scan(PSCAN_LOGADDEXP, &a, 0, PSCAN_FLOAT64, &o, &opts), PSCAN_OK));
    }
    const int64_t shape[1] = {n};
    const pscan_array a = vec(f, PSCAN_FLOAT64, shape), o = vec(fgot, PSCAN_FLOAT64, shape);
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_LOGADDEXP, &a, 0, PSCAN_FLOAT64, &o, &s, &opts),
                 PSCAN_OK));
    for (int64_t i = 0; i < n; i++)
        cr_assert(eq(u64, tu_dbits(fgot[i]), tu_dbits(fwant[i])), "element %lld", (long long)i);
    const pscan_array oi = vec(got, PSCAN_INT64, shape);
    cr_assert(eq(int, pscan_scan_segmented(PSCAN_ARGMAX, &a, 0, PSCAN_DTYPE_DEFAULT, &oi, &s, NULL),
                 PSCAN_EOP));
    free(x);
    free(got);
    free(want);
    free(f);
    free(fgot);
    free(fwant);
}

/* ---- The in-register steps (kernels/seg_vectors.c) through the API ---- */

/* The naive definition: out[i] over [start of i's segment, i], in scan
 * order (REVERSE: from the end, a flag at p starting the segment that
 * ends at p), EXCLUSIVE: the result before i (0 at a start). */
static void reference_sum(const int64_t *in, int64_t *out, int64_t n, const uint8_t *flags,
                          int reverse, int exclusive)
{
    int64_t acc = 0;
    for (int64_t k = 0; k < n; k++) {
        const int64_t i = reverse ? n - 1 - k : k;
        const int starts = k == 0 || (reverse ? flags[i + 1] : flags[i]);
        const int64_t before = starts ? 0 : acc;
        acc = (int64_t)((uint64_t)before + (uint64_t)in[i]);
        out[i] = exclusive ? before : acc;
    }
}

/* int64 SUM over many tiles from an unaligned in (one element past the
 * allocation), a length not a multiple of 64, segments of 1..40 values
 * and a few thousands long (across tiles and members), the flags as bool,
 * int8, int32 and int64, as offsets and as int64 keys (a change after
 * p is a flag at p + 1, as REVERSE reads them too); EXCLUSIVE and REVERSE;
 * 1..4 threads; each equal to the naive loop. */
Test(segmented, vector_steps_every_description)
{
    const int64_t n = BIG + 13;
    uint8_t *flags = random_flags(n + 1);
    int64_t *buffer = malloc((size_t)(n + 1) * sizeof *buffer), *in = buffer + 1;
    int64_t *want = malloc((size_t)n * sizeof *want), *got = malloc((size_t)n * sizeof *got);
    int8_t *f8 = malloc((size_t)n);
    int32_t *f32 = malloc((size_t)n * sizeof *f32);
    int64_t *f64 = malloc((size_t)n * sizeof *f64), *keys = malloc((size_t)n * sizeof *keys);
    int64_t *offsets = malloc((size_t)n * sizeof *offsets), count = 0;
    uint64_t state = 99;
    for (int64_t i = 0; i < n; i++) {
        in[i] = (int64_t)tu_rand(&state); /* sums wrap */
        f8[i] = flags[i] ? (int8_t)-7 : 0;
        f32[i] = flags[i] ? 1 << 20 : 0;
        f64[i] = flags[i] ? INT64_MIN : 0;
        keys[i] = (i ? keys[i - 1] : 5) + (flags[i] ? 3 : 0);
        if (flags[i])
            offsets[count++] = i;
    }
    const int64_t shape[1] = {n}, offsets_shape[1] = {count};
    const pscan_segments descriptions[6] = {
        segs(PSCAN_SEGMENT_FLAGS, flags, PSCAN_BOOL, shape),
        segs(PSCAN_SEGMENT_FLAGS, f8, PSCAN_INT8, shape),
        segs(PSCAN_SEGMENT_FLAGS, f32, PSCAN_INT32, shape),
        segs(PSCAN_SEGMENT_FLAGS, f64, PSCAN_INT64, shape),
        segs(PSCAN_SEGMENT_OFFSETS, offsets, PSCAN_INT64, offsets_shape),
        segs(PSCAN_SEGMENT_KEYS, keys, PSCAN_INT64, shape),
    };
    const unsigned flag_sets[3] = {0, PSCAN_FLAG_EXCLUSIVE, PSCAN_FLAG_REVERSE};
    for (int f = 0; f < 3; f++) {
        reference_sum(in, want, n, flags, flag_sets[f] == PSCAN_FLAG_REVERSE,
                      flag_sets[f] == PSCAN_FLAG_EXCLUSIVE);
        for (int d = 0; d < 6; d++) {
            for (int threads = 1; threads <= 4; threads++) {
                memset(got, 0, (size_t)n * sizeof *got);
                cr_assert(
                    eq(int, seg_i64(PSCAN_SUM, in, got, n, &descriptions[d], flag_sets[f], threads),
                       PSCAN_OK));
                cr_assert(eq(int, memcmp(got, want, (size_t)n * sizeof *got), 0),
                          "flags %u description %d threads %d", flag_sets[f], d, threads);
            }
        }
    }
    free(flags);
    free(buffer);
    free(want);
    free(got);
    free(f8);
    free(f32);
    free(f64);
    free(keys);
    free(offsets);
}

/* int32 MAX, MIN and BIT_XOR with int32 accumulators (16 lanes a vector
 * on AVX-512) across tiles, 1..4 threads identical and equal to the loop. */
Test(segmented, vector_steps_int32_ops)
{
    const int64_t n = BIG + 5;
    uint8_t *flags = random_flags(n);
    int32_t *in = malloc((size_t)n * sizeof *in), *got = malloc((size_t)n * sizeof *got);
    int32_t *want = malloc((size_t)n * sizeof *want);
    uint64_t state = 4242;
    for (int64_t i = 0; i < n; i++)
        in[i] = (int32_t)(uint32_t)tu_rand(&state);
    const int64_t shape[1] = {n};
    const pscan_array a = vec(in, PSCAN_INT32, shape), o = vec(got, PSCAN_INT32, shape);
    const pscan_segments s = segs(PSCAN_SEGMENT_FLAGS, flags, PSCAN_BOOL, shape);
    const pscan_op ops3[3] = {PSCAN_MAX, PSCAN_MIN, PSCAN_BIT_XOR};
    for (int k = 0; k < 3; k++) {
        int32_t acc = 0;
        for (int64_t i = 0; i < n; i++) {
            const int32_t v = in[i];
            acc = i == 0 || flags[i]     ? v
                  : ops3[k] == PSCAN_MAX ? (acc > v ? acc : v)
                  : ops3[k] == PSCAN_MIN ? (acc < v ? acc : v)
                                         : (int32_t)((uint32_t)acc ^ (uint32_t)v);
            want[i] = acc;
        }
        for (int threads = 1; threads <= 4; threads++) {
            pscan_opts opts = PSCAN_OPTS_INIT;
            opts.threads = threads;
            memset(got, 0, (size_t)n * sizeof *got);
            cr_assert(eq(int, pscan_scan_segmented(ops3[k], &a, 0, PSCAN_INT32, &o, &s, &opts),
                         PSCAN_OK));
            cr_assert(eq(int, memcmp(got, want, (size_t)n * sizeof *got), 0), "op %d threads %d",
                      (int)ops3[k], threads);
        }
    }
    free(flags);
    free(in);
    free(got);
    free(want);
}
