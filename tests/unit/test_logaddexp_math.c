/*
 * test_logaddexp_math.c - pscan's own exp, log1p and logaddexp
 * (src/kernels/logaddexp_math.h): each within its ulp bound of a long
 * double reference over the domain the combine uses, numpy's special cases
 * exact, and the vector form in the tile lanes of every instruction set
 * this CPU runs giving the scalar step's bits on every input.
 */
#include "testutil.h"
#include "kernels/kernels.h"
#include "kernels/values.h"

#include <float.h>
#include <stdio.h>

/* Bounds, in units in the last place of the double result. */
#define EXP_BOUND 1.0
#define LOG1P_BOUND 1.0
/* Under 2.5 ulps of the exact value: a double that close is within 2 ulps
 * of the correctly rounded one (which is within 0.5). */
#define COMBINE_BOUND 2.5
#define F32_BOUND 1.0 /* float32 result against the exact value */

/* |got - want| in ulps of scale's binade (below min_exp: of the
 * subnormals' spacing). */
static double ulps_of(double got, long double want, long double scale, int mant_bits, int min_exp)
{
    if (got == want)
        return 0.0;
    int e;
    frexpl(scale, &e);
    if (e - 1 < min_exp)
        e = min_exp + 1;
    return (double)(fabsl((long double)got - want) / ldexpl(1.0L, e - mant_bits));
}
/* ... in ulps of want's own binade. */
static double ulps(double got, long double want, int mant_bits, int min_exp)
{
    return ulps_of(got, want, want, mant_bits, min_exp);
}
static double ulps64(double got, long double want)
{
    return ulps(got, want, 53, -1022);
}

static uint64_t bits64(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* numpy's formula evaluated in long double from its rounded difference
 * fl(x - y) (numpy rounds it too; its rounding, up to |d| 2^-53 relative
 * in exp's argument, is the formula's, not exp's or log1p's). */
static long double ref_logaddexp(double x, double y)
{
    const double d = x > y ? x - y : y - x;
    const long double m = x > y ? x : y;
    return m + log1pl(expl(-(long double)d));
}

/* The combine's error in ulps of the larger of the exact result and the
 * larger operand: where max + log1p(...) cancels to near 0 (max near
 * -log 2), numpy's formula and ours alike keep only the operands'
 * absolute accuracy. */
static double combine_ulps(double got, double x, double y, int mant_bits, int min_exp)
{
    const long double want = ref_logaddexp(x, y), m = x > y ? x : y;
    const long double scale = fabsl(want) > fabsl(m) ? fabsl(want) : fabsl(m);
    return ulps_of(got, want, scale, mant_bits, min_exp);
}

static double one_exp(double t)
{
    const lae_f64x1 v = {t};
    return lae_x1_exp(v)[0];
}
static double one_log1p(double e)
{
    const lae_f64x1 v = {e};
    return lae_x1_log1p(v)[0];
}

/* A double of every magnitude in [2^lo, 2^hi), from a fixed generator. */
static double draw(uint64_t *state, int lo, int hi)
{
    const double unit = 1.0 + (double)(tu_rand(state) >> 11) * 0x1.0p-53;
    return ldexp(unit, lo + (int)(tu_rand(state) % (uint64_t)(hi - lo)));
}

enum { DRAWS = 400000 };

Test(logaddexp_math, exp_within_one_ulp_on_the_negative_half_line)
{
    uint64_t state = 1;
    double worst = 0.0;
    for (int i = 0; i < DRAWS; i++) {
        const double t =
            i % 2 ? -draw(&state, -60, 10) : -(double)(tu_rand(&state) % 746000) / 1000;
        const double err = ulps64(one_exp(t), expl((long double)t));
        if (err > worst)
            worst = err;
    }
    cr_log_info("exp: worst %.3f ulp", worst);
    cr_assert(le(dbl, worst, EXP_BOUND));
    cr_assert(eq(dbl, one_exp(0.0), 1.0));
    cr_assert(eq(dbl, one_exp(-INFINITY), 0.0));
    cr_assert(eq(dbl, one_exp(-746.0), 0.0));
    cr_assert(eq(dbl, one_exp(-745.0), 0x1p-1074));             /* exp(-745) = 1.26 * 2^-1074 */
    cr_assert(eq(dbl, one_exp(-708.5), (double)expl(-708.5L))); /* subnormal */
}

Test(logaddexp_math, log1p_within_one_ulp_on_zero_to_one)
{
    uint64_t state = 2;
    double worst = 0.0;
    for (int i = 0; i < DRAWS; i++) {
        const double e =
            i % 2 ? draw(&state, -1074 + 60, 0) : (double)(tu_rand(&state) >> 11) * 0x1.0p-53;
        const double err = ulps64(one_log1p(e), log1pl((long double)e));
        if (err > worst)
            worst = err;
    }
    cr_log_info("log1p: worst %.3f ulp", worst);
    cr_assert(le(dbl, worst, LOG1P_BOUND));
    cr_assert(eq(u64, bits64(one_log1p(0.0)), bits64(0.0)));
    cr_assert(eq(dbl, one_log1p(0x1p-1074), 0x1p-1074));
    cr_assert(le(dbl, ulps64(one_log1p(1.0), log1pl(1.0L)), LOG1P_BOUND));
}

/* Pairs the combine sees: differences from 2^-60 to 800, operands from
 * tiny to near overflow, both signs. */
static void draw_pair(uint64_t *state, double *x, double *y)
{
    const int kind = (int)(tu_rand(state) % 4);
    const double base = kind == 0   ? draw(state, -1074 + 60, 0)
                        : kind == 1 ? draw(state, 0, 12)
                        : kind == 2 ? DBL_MAX - draw(state, 960, 1020)
                                    : draw(state, -8, 8);
    const double sign = tu_rand(state) % 2 ? -1.0 : 1.0;
    const double d = draw(state, -60, 10);
    *x = sign * base;
    *y = kind == 2 ? *x - d : (tu_rand(state) % 2 ? *x + d : *x - d);
    if (tu_rand(state) % 2) {
        const double t = *x;
        *x = *y;
        *y = t;
    }
}

Test(logaddexp_math, combine_within_two_ulps_of_the_exact_value)
{
    uint64_t state = 3;
    double worst = 0.0, worst32 = 0.0;
    for (int i = 0; i < DRAWS; i++) {
        double x, y;
        draw_pair(&state, &x, &y);
        const long double want = ref_logaddexp(x, y);
        const double got = logaddexp_f64(x, y);
        if (isinf(got) && want > (long double)DBL_MAX)
            continue; /* overflows, as the exact value does */
        const double err = combine_ulps(got, x, y, 53, -1022);
        if (err > worst) {
            worst = err;
            cr_log_info("logaddexp(%a, %a) = %a: %.3f ulp", x, y, got, err);
        }
        const float xf = (float)x, yf = (float)(tu_rand(&state) % 2 ? y : x + (double)(i % 50) / 7);
        const float got32 = logaddexp_f32(xf, yf);
        if (!isinf(got32)) {
            const double err32 = combine_ulps(got32, xf, yf, 24, -126);
            if (err32 > worst32)
                worst32 = err32;
        }
    }
    cr_log_info("logaddexp: worst %.3f ulp float64, %.3f ulp float32", worst, worst32);
    cr_assert(lt(dbl, worst, COMBINE_BOUND));
    cr_assert(le(dbl, worst32, F32_BOUND));
}

Test(logaddexp_math, numpy_special_cases_are_exact)
{
    const double inf = INFINITY, values[] = {-5.5, -0.0, 0.0, 3.25, 0x1p-1074, -1e300, 1e300};
    cr_assert(eq(dbl, logaddexp_f64(inf, inf), inf));
    cr_assert(eq(dbl, logaddexp_f64(-inf, -inf), -inf));
    cr_assert(eq(dbl, logaddexp_f64(inf, -inf), inf));
    cr_assert(eq(dbl, logaddexp_f64(-inf, inf), inf));
    cr_assert(eq(flt, logaddexp_f32(INFINITY, INFINITY), INFINITY));
    cr_assert(eq(flt, logaddexp_f32(-INFINITY, -INFINITY), -INFINITY));
    for (size_t i = 0; i < TU_COUNT(values); i++) {
        const double v = values[i];
        /* -inf is the identity (numpy's y + log1p(0): -0.0 becomes +0.0) */
        cr_assert(eq(u64, bits64(logaddexp_f64(-inf, v)), bits64(v + 0.0)));
        cr_assert(eq(u64, bits64(logaddexp_f64(v, -inf)), bits64(v + 0.0)));
        cr_assert(eq(dbl, logaddexp_f64(inf, v), inf));
        cr_assert(eq(dbl, logaddexp_f64(v, inf), inf));
        cr_assert(isnan(logaddexp_f64(NAN, v)) && isnan(logaddexp_f64(v, NAN)));
        cr_assert(eq(dbl, logaddexp_f64(v, v), v + 0.693147180559945309417232121458176568));
        cr_assert(eq(flt, logaddexp_f32(-INFINITY, (float)v), (float)v + 0.0f));
        cr_assert(isnan(logaddexp_f32(NAN, (float)v)));
    }
    cr_assert(isnan(logaddexp_f64(NAN, NAN)) && isnan(logaddexp_f64(NAN, inf)));
    /* near overflow: log 2 is far below DBL_MAX's ulp, nothing overflows */
    cr_assert(eq(dbl, logaddexp_f64(DBL_MAX, DBL_MAX), DBL_MAX));
    cr_assert(eq(dbl, logaddexp_f64(DBL_MAX, 0.0), DBL_MAX));
    cr_assert(eq(dbl, logaddexp_f64(-DBL_MAX, -DBL_MAX), -DBL_MAX));
    /* huge difference: the smaller operand vanishes exactly */
    cr_assert(eq(dbl, logaddexp_f64(1.0, -1e6), 1.0));
    cr_assert(eq(dbl, logaddexp_f64(0.0, -800.0), 0.0));
    /* subnormal result: log(1 + e^-720) = e^-720, subnormal */
    cr_assert(le(dbl, ulps64(logaddexp_f64(0.0, -720.0), expl(-720.0L)), COMBINE_BOUND));
}

/* ---- the vector form: every ISA's tile lanes give the scalar step's bits ---- */

typedef struct isa_table {
    const char *name;
    const pscan_kernel_table *table;
} isa_table;

static int runnable_tables(isa_table *out)
{
    int n = 0;
    out[n++] = (isa_table){"scalar", &pscan_kernels_scalar};
#ifdef __x86_64__
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        out[n++] = (isa_table){"avx2", &pscan_kernels_avx2};
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        out[n++] = (isa_table){"avx512", &pscan_kernels_avx512};
#endif
    return n;
}

enum { SEG = 16, PAIRS = 1 << 15 };

/* Edge operands, paired with each other (and the drawn pairs after them). */
static const double edges[] = {
    0.0,       -0.0,           1.0,       -1.0,    INFINITY, -INFINITY, NAN,    -NAN,
    0x1p-1074, -0x1p-1074,     0x1p-1022, DBL_MAX, -DBL_MAX, 709.78,    -745.0, 1e-300,
    30.0,      30.0 + 0x1p-47, 2.5,       2.5,     -708.0,   700.0,     1e18,   -1e18,
};

/* Segments of SEG values, (x, y) first: scan_segments puts x op y second,
 * through a vector step wherever the ISA has lanes; the rest of the
 * segment chains on through more vector steps. */
#define DEFINE_LANES_CHECK(T, sfx, DT, step)                                                     \
    static void lanes_check_##sfx(void)                                                          \
    {                                                                                            \
        const size_t n_edges = TU_COUNT(edges), count = n_edges * n_edges + PAIRS;               \
        T *src = tu_malloc(count * SEG * sizeof(T));                                             \
        T *want = tu_malloc(count * SEG * sizeof(T));                                            \
        T *got = aligned_alloc(64, count * SEG * sizeof(T));                                     \
        cr_assert(ne(ptr, got, NULL));                                                           \
        uint64_t state = 4;                                                                      \
        for (size_t k = 0; k < count; k++) {                                                     \
            double x, y;                                                                         \
            if (k < n_edges * n_edges) {                                                         \
                x = edges[k / n_edges];                                                          \
                y = edges[k % n_edges];                                                          \
            } else                                                                               \
                draw_pair(&state, &x, &y);                                                       \
            src[k * SEG] = (T)x;                                                                 \
            src[k * SEG + 1] = (T)y;                                                             \
            for (size_t i = 2; i < SEG; i++)                                                     \
                src[k * SEG + i] = (T)(x - (double)(tu_rand(&state) % 64));                      \
            T run = src[k * SEG];                                                                \
            want[k * SEG] = run;                                                                 \
            for (size_t i = 1; i < SEG; i++)                                                     \
                want[k * SEG + i] = run = step(run, src[k * SEG + i]);                           \
        }                                                                                        \
        isa_table tables[PSCAN_ISA_COUNT];                                                       \
        const int isas = runnable_tables(tables);                                                \
        for (int t = 0; t < isas; t++) {                                                         \
            const pscan_kernel *kernel = &(*tables[t].table)[PSCAN_LOGADDEXP][DT];               \
            memset(got, 0, count *SEG * sizeof(T));                                              \
            kernel->scan_segments(src, got, SEG, count);                                         \
            size_t bad = 0;                                                                      \
            for (size_t i = 0; i < count * SEG; i++)                                             \
                if (memcmp(&got[i], &want[i], sizeof(T)) != 0 && bad++ < 5)                      \
                    cr_log_error("%s %s element %zu: %a, scalar step %a", tables[t].name, #T, i, \
                                 (double)got[i], (double)want[i]);                               \
            cr_expect(eq(sz, bad, 0), "%s %s: %zu elements differ", tables[t].name, #T, bad);    \
        }                                                                                        \
        free(src);                                                                               \
        free(want);                                                                              \
        free(got);                                                                               \
    }
DEFINE_LANES_CHECK(double, f64, PSCAN_DT_f64, logaddexp_f64)
DEFINE_LANES_CHECK(float, f32, PSCAN_DT_f32, logaddexp_f32)

Test(logaddexp_math, every_isa_gives_the_scalar_bits)
{
    lanes_check_f64();
    lanes_check_f32();
}

/* logcumsumexp through the public API: threads 1..4 identical under the
 * kernel variant this process runs (CTest runs it under each PSCAN_ISA). */
Test(logaddexp_math, logcumsumexp_bits_do_not_depend_on_threads)
{
    const int64_t n = 5 * PSCAN_TILE * 4 + 123;
    double *in = tu_malloc((size_t)n * sizeof(double)),
           *ref = tu_malloc((size_t)n * sizeof(double)),
           *out = tu_malloc((size_t)n * sizeof(double));
    uint64_t state = 5;
    for (int64_t i = 0; i < n; i++)
        in[i] = (double)(int64_t)(tu_rand(&state) % 20001 - 10000) / 256;
    const pscan_array a = tu_vec(in, PSCAN_FLOAT64, &n), r = tu_vec(ref, PSCAN_FLOAT64, &n),
                      b = tu_vec(out, PSCAN_FLOAT64, &n);
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = 1;
    cr_assert(eq(int, pscan_scan(PSCAN_LOGADDEXP, &a, 0, PSCAN_FLOAT64, &r, &opts), PSCAN_OK));
    /* the tile definition, step by step with the scalar combine */
    double prefix = 0.0;
    for (int64_t t0 = 0; t0 < n; t0 += PSCAN_TILE) {
        const int64_t end = t0 + PSCAN_TILE < n ? t0 + PSCAN_TILE : n;
        double run = in[t0];
        for (int64_t i = t0; i < end; i++) {
            run = i == t0 ? in[i] : logaddexp_f64(run, in[i]);
            const double want = t0 ? logaddexp_f64(prefix, run) : run;
            cr_assert(eq(int, memcmp(&want, &ref[i], sizeof want), 0),
                      "element %lld: %a, the tile definition gives %a", (long long)i, ref[i], want);
        }
        prefix = t0 ? logaddexp_f64(prefix, run) : run;
    }
    for (int t = 2; t <= 4; t++) {
        opts.threads = t;
        memset(out, 0, (size_t)n * sizeof(double));
        cr_assert(eq(int, pscan_scan(PSCAN_LOGADDEXP, &a, 0, PSCAN_FLOAT64, &b, &opts), PSCAN_OK));
        cr_assert(eq(int, memcmp(out, ref, (size_t)n * sizeof(double)), 0), "threads %d", t);
    }
    free(in);
    free(ref);
    free(out);
}
