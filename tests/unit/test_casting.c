/*
 * test_casting.c - opts.casting follows numpy.can_cast for both conversions
 * of a scan (input -> accumulator and accumulator -> out).
 */
#include "testutil.h"

/* numpy 1.24 np.can_cast(from, to, rule); rows "from", columns "to", both in
 * pscan_dtype order bool, i8, i16, i32, i64, u8, u16, u32, u64, f16, f32,
 * f64, c64, c128. */
static const char *const safe_table[14] = {
    "11111111111111", /* bool */
    "01111000011111", /* int8 */
    "00111000001111", /* int16 */
    "00011000000101", /* int32 */
    "00001000000101", /* int64 */
    "00111111111111", /* uint8 */
    "00011011101111", /* uint16 */
    "00001001100101", /* uint32 */
    "00000000100101", /* uint64 */
    "00000000011111", /* float16 */
    "00000000001111", /* float32 */
    "00000000000101", /* float64 */
    "00000000000011", /* complex64 */
    "00000000000001", /* complex128 */
};
static const char *const same_kind_table[14] = {
    "11111111111111", /* bool */
    "01111000011111", /* int8 */
    "01111000011111", /* int16 */
    "01111000011111", /* int32 */
    "01111000011111", /* int64 */
    "01111111111111", /* uint8 */
    "01111111111111", /* uint16 */
    "01111111111111", /* uint32 */
    "01111111111111", /* uint64 */
    "00000000011111", /* float16 */
    "00000000011111", /* float32 */
    "00000000011111", /* float64 */
    "00000000000011", /* complex64 */
    "00000000000011", /* complex128 */
};

static pscan_dtype dt_of(int i)
{
    return (pscan_dtype)(PSCAN_BOOL + i);
}

/* One-element scan from `from` with accumulator `acc` into `to`. */
static pscan_status run1(pscan_dtype from, pscan_dtype acc, pscan_dtype to, pscan_casting rule,
                         unsigned char *outbuf)
{
    _Alignas(16) unsigned char inbuf[16];
    memset(inbuf, 0, sizeof inbuf);
    tu_put_i64(inbuf, from, 1);
    const int64_t one = 1;
    pscan_array in = tu_vec(inbuf, from, &one), out = tu_vec(outbuf, to, &one);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.casting = rule;
    return pscan_cumsum(&in, 0, acc, &out, &o);
}

static void check_pair(pscan_dtype from, pscan_dtype acc, pscan_dtype to, pscan_casting rule,
                       int allowed)
{
    _Alignas(16) unsigned char outbuf[32];
    tu_fill_sentinel(outbuf, sizeof outbuf);
    pscan_status s = run1(from, acc, to, rule, outbuf);
    cr_assert(eq(int, (int)s, allowed ? (int)PSCAN_OK : (int)PSCAN_ECAST),
              "in %s, dtype %s, out %s, casting %d: got %d", pscan_dtype_name(from),
              pscan_dtype_name(acc), pscan_dtype_name(to), (int)rule, (int)s);
    if (allowed) {
        cr_assert(eq(dbl, tu_get_re(outbuf, to), 1.0), "in %s acc %s out %s",
                  pscan_dtype_name(from), pscan_dtype_name(acc), pscan_dtype_name(to));
        cr_assert(eq(dbl, tu_get_im(outbuf, to), 0.0));
    } else {
        tu_assert_sentinel(outbuf, sizeof outbuf);
    }
}

static void check_rule(pscan_casting rule, const char *const table[14])
{
    for (int f = 0; f < 14; ++f)
        for (int t = 0; t < 14; ++t) {
            int ok = table[f][t] == '1';
            check_pair(dt_of(f), dt_of(t), dt_of(t), rule, ok); /* input -> accumulator */
            check_pair(dt_of(f), dt_of(f), dt_of(t), rule, ok); /* accumulator -> out */
        }
}

Test(casting, safe_follows_numpy_can_cast)
{
    check_rule(PSCAN_CASTING_SAFE, safe_table);
}

Test(casting, same_kind_follows_numpy_can_cast)
{
    check_rule(PSCAN_CASTING_SAME_KIND, same_kind_table);
}

Test(casting, unsafe_allows_everything)
{
    static const char *const all[14] = {
        "11111111111111", "11111111111111", "11111111111111", "11111111111111", "11111111111111",
        "11111111111111", "11111111111111", "11111111111111", "11111111111111", "11111111111111",
        "11111111111111", "11111111111111", "11111111111111", "11111111111111"};
    check_rule(PSCAN_CASTING_UNSAFE, all);
}

Test(casting, default_accumulator_is_checked_too)
{
    /* int32 -> int64 (default) -> int32: the second step is not safe */
    check_pair(PSCAN_INT32, PSCAN_DTYPE_DEFAULT, PSCAN_INT32, PSCAN_CASTING_SAFE, 0);
    check_pair(PSCAN_INT32, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, PSCAN_CASTING_SAFE, 1);
    check_pair(PSCAN_INT32, PSCAN_DTYPE_DEFAULT, PSCAN_INT32, PSCAN_CASTING_SAME_KIND, 1);
    /* int64 -> int32 out */
    check_pair(PSCAN_INT64, PSCAN_DTYPE_DEFAULT, PSCAN_INT32, PSCAN_CASTING_SAFE, 0);
    /* uint8 -> uint64 (default) -> int64 out: not safe, same kind */
    check_pair(PSCAN_UINT8, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, PSCAN_CASTING_SAFE, 0);
    check_pair(PSCAN_UINT8, PSCAN_DTYPE_DEFAULT, PSCAN_INT64, PSCAN_CASTING_SAME_KIND, 1);
    /* bool -> int64 (default) -> bool out: int64 -> bool is not same kind */
    check_pair(PSCAN_BOOL, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL, PSCAN_CASTING_SAME_KIND, 0);
    check_pair(PSCAN_BOOL, PSCAN_DTYPE_DEFAULT, PSCAN_BOOL, PSCAN_CASTING_UNSAFE, 1);
    /* float in, int accumulator */
    check_pair(PSCAN_FLOAT64, PSCAN_INT64, PSCAN_INT64, PSCAN_CASTING_SAME_KIND, 0);
    check_pair(PSCAN_FLOAT64, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32, PSCAN_CASTING_SAME_KIND, 1);
    check_pair(PSCAN_FLOAT64, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT32, PSCAN_CASTING_SAFE, 0);
    check_pair(PSCAN_FLOAT16, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT16, PSCAN_CASTING_SAFE, 1);
    check_pair(PSCAN_COMPLEX64, PSCAN_DTYPE_DEFAULT, PSCAN_FLOAT64, PSCAN_CASTING_SAME_KIND, 0);
}

Test(casting, zero_size_is_still_checked)
{
    const int64_t n0 = 0;
    int64_t dummy_in = 0;
    _Alignas(16) unsigned char outbuf[16];
    tu_fill_sentinel(outbuf, sizeof outbuf);
    pscan_array in = tu_vec(&dummy_in, PSCAN_INT64, &n0), out = tu_vec(outbuf, PSCAN_INT32, &n0);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.casting = PSCAN_CASTING_SAFE;
    cr_assert(eq(int, (int)pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, &o), (int)PSCAN_ECAST));
    o.casting = PSCAN_CASTING_SAME_KIND;
    cr_assert(eq(int, (int)pscan_cumsum(&in, 0, PSCAN_DTYPE_DEFAULT, &out, &o), (int)PSCAN_OK));
    tu_assert_sentinel(outbuf, sizeof outbuf);
}
