/*
 * test_abi.c - what the README's "Versions and ABI" section promises: the
 * pinned values of every public enum, pscan_opts and pscan_topology_info
 * growing through their size fields, pscan_scan_check answering as
 * pscan_scan does without touching either array, and the placement names.
 */
#include "testutil.h"

#include <stddef.h>

/* Values a compiled caller holds: they never change within 0.x. */
Test(abi, enum_values_are_pinned)
{
    cr_assert(eq(int, PSCAN_BOOL, 1));
    cr_assert(eq(int, PSCAN_INT64, 5));
    cr_assert(eq(int, PSCAN_FLOAT64, 12));
    cr_assert(eq(int, PSCAN_COMPLEX128, 14));
    cr_assert(eq(int, PSCAN_DTYPE_COUNT, 15));
    cr_assert(eq(int, PSCAN_ENULL, 1));
    cr_assert(eq(int, PSCAN_EOPTS, 11));
    cr_assert(eq(int, PSCAN_ETOPOLOGY, 15));
    cr_assert(eq(int, PSCAN_EENV, 16));
    cr_assert(eq(int, PSCAN_ESEGMENTS, 17));
    cr_assert(eq(int, PSCAN_STATUS_COUNT, 18));
    cr_assert(eq(int, PSCAN_MIN, 3));
    cr_assert(eq(int, PSCAN_ORDER_SEQUENTIAL, 1));
    cr_assert(eq(int, PSCAN_CASTING_SAFE, 2));
    cr_assert(eq(int, PSCAN_PLACEMENT_COMPACT, 2));
    cr_assert(eq(int, PSCAN_STREAM_LAST, 1));
    cr_assert(eq(int, PSCAN_FLAG_COMPENSATED, 32));
    for (int s = 0; s < PSCAN_STATUS_COUNT; s++)
        cr_assert(ne(str, (char *)pscan_strerror((pscan_status)s), "unknown pscan status"), "%d",
                  s);
}

static pscan_status sum3(const pscan_opts *o, int64_t *out)
{
    int64_t in[3] = {1, 2, 3};
    const int64_t n = 3;
    pscan_array a = tu_vec(in, PSCAN_INT64, &n), b = tu_vec(out, PSCAN_INT64, &n);
    return pscan_scan(PSCAN_SUM, &a, 0, PSCAN_DTYPE_DEFAULT, &b, o);
}

/* A caller built against a newer header passes a bigger struct: fields
 * this release does not know must be at their defaults (zero). */
typedef struct newer_opts {
    pscan_opts known;
    int64_t later_field;
} newer_opts;

Test(abi, opts_grow_through_their_size)
{
    int64_t out[3] = {0, 0, 0};
    pscan_opts o = PSCAN_OPTS_INIT;
    cr_assert(eq(sz, o.size, sizeof(pscan_opts)));
    TU_ASSERT_OK(sum3(&o, out));
    cr_assert(eq(i64, out[2], 6));
    /* not started from PSCAN_OPTS_INIT: nothing is written */
    const size_t bad_sizes[] = {0, sizeof(pscan_opts) - 1, 1u << 20};
    for (size_t k = 0; k < TU_COUNT(bad_sizes); k++) {
        o.size = bad_sizes[k];
        out[2] = -1;
        cr_assert(eq(int, (int)sum3(&o, out), (int)PSCAN_EOPTS), "size %zu", bad_sizes[k]);
        cr_assert(eq(i64, out[2], -1));
    }
    newer_opts newer = {PSCAN_OPTS_INIT, 0};
    newer.known.size = sizeof newer;
    newer.known.threads = 2;
    TU_ASSERT_OK(sum3(&newer.known, out));
    cr_assert(eq(i64, out[2], 6));
    newer.later_field = 1; /* asks for what this release does not have */
    out[2] = -1;
    cr_assert(eq(int, (int)sum3(&newer.known, out), (int)PSCAN_EOPTS));
    cr_assert(eq(i64, out[2], -1));
}

typedef struct newer_info {
    pscan_topology_info known;
    int64_t later_field;
} newer_info;

Test(abi, topology_info_fills_what_the_caller_has)
{
    pscan_topology_info info = PSCAN_TOPOLOGY_INFO_INIT;
    TU_ASSERT_OK(pscan_context_info(NULL, &info));
    cr_assert(eq(sz, info.size, sizeof info));
    cr_assert(ge(int, info.pus, 1));
    /* a newer caller's tail is left alone */
    newer_info newer = {PSCAN_TOPOLOGY_INFO_INIT, 77};
    newer.known.size = sizeof newer;
    TU_ASSERT_OK(pscan_context_info(NULL, &newer.known));
    cr_assert(eq(int, newer.known.pus, info.pus));
    cr_assert(eq(i64, newer.later_field, 77));
    info.size = offsetof(pscan_topology_info, l3_bytes);
    cr_assert(eq(int, (int)pscan_context_info(NULL, &info), (int)PSCAN_EOPTS));
}

/* pscan_scan_check says what pscan_scan would, and touches nothing. */
Test(abi, scan_check_answers_as_scan_does)
{
    int64_t in[6] = {1, 2, 3, 4, 5, 6}, out[6];
    const int64_t shape[2] = {2, 3}, wrong[2] = {3, 2};
    pscan_array a = tu_arr(in, PSCAN_INT64, 2, shape, NULL),
                b = tu_arr(out, PSCAN_INT64, 2, shape, NULL);
    pscan_array c = tu_arr(out, PSCAN_INT64, 2, wrong, NULL);
    const int64_t zero_strides[2] = {0, 8};
    pscan_array d = tu_arr(out, PSCAN_INT64, 2, shape, zero_strides);
    pscan_opts safe = PSCAN_OPTS_INIT;
    safe.casting = PSCAN_CASTING_SAFE;
    struct {
        pscan_op op;
        const pscan_array *out;
        int axis;
        pscan_dtype dtype;
        const pscan_opts *opts;
        pscan_status want;
    } cases[] = {
        {PSCAN_SUM, &b, 1, PSCAN_DTYPE_DEFAULT, NULL, PSCAN_OK},
        {PSCAN_SUM, &b, 2, PSCAN_DTYPE_DEFAULT, NULL, PSCAN_EAXIS},
        {PSCAN_SUM, &c, 0, PSCAN_DTYPE_DEFAULT, NULL, PSCAN_EOUTSHAPE},
        {PSCAN_SUM, &d, 0, PSCAN_DTYPE_DEFAULT, NULL, PSCAN_EOUTALIAS},
        {(pscan_op)99, &b, 0, PSCAN_DTYPE_DEFAULT, NULL, PSCAN_EOP},
        {PSCAN_SUM, &b, 0, PSCAN_INT8, &safe, PSCAN_ECAST},
        {PSCAN_SUM, NULL, 0, PSCAN_DTYPE_DEFAULT, NULL, PSCAN_ENULL},
    };
    for (size_t k = 0; k < TU_COUNT(cases); k++) {
        tu_fill_sentinel(out, sizeof out);
        const pscan_status checked = pscan_scan_check(cases[k].op, &a, cases[k].axis,
                                                      cases[k].dtype, cases[k].out, cases[k].opts);
        cr_assert(eq(int, (int)checked, (int)cases[k].want), "case %zu", k);
        tu_assert_sentinel(out, sizeof out);
        const pscan_status scanned =
            pscan_scan(cases[k].op, &a, cases[k].axis, cases[k].dtype, cases[k].out, cases[k].opts);
        cr_assert(eq(int, (int)scanned, (int)checked), "case %zu", k);
        if (scanned == PSCAN_OK) /* axis 1: 4 + 5 + 6 */
            cr_assert(eq(i64, out[5], 15), "case %zu", k);
    }
}

Test(abi, placement_names_round_trip)
{
    const pscan_placement all[3] = {PSCAN_PLACEMENT_NONE, PSCAN_PLACEMENT_SPREAD,
                                    PSCAN_PLACEMENT_COMPACT};
    const char *names[3] = {"none", "spread", "compact"};
    for (int k = 0; k < 3; k++) {
        pscan_placement p = (pscan_placement)-1;
        cr_assert(eq(str, (char *)pscan_placement_name(all[k]), (char *)names[k]));
        TU_ASSERT_OK(pscan_placement_from_name(names[k], &p));
        cr_assert(eq(int, (int)p, (int)all[k]));
    }
    pscan_placement p = PSCAN_PLACEMENT_SPREAD;
    cr_assert(eq(int, (int)pscan_placement_from_name("Spread", &p), (int)PSCAN_EOPTS));
    cr_assert(eq(int, (int)pscan_placement_from_name(NULL, &p), (int)PSCAN_ENULL));
    cr_assert(eq(int, (int)p, (int)PSCAN_PLACEMENT_SPREAD));
    cr_assert(eq(str, (char *)pscan_placement_name((pscan_placement)9), "invalid"));
}
