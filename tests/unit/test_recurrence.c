/* test_recurrence.c - pscan_linear_recurrence: exact small cases, flags,
 * y0 forms, layouts, overlap, statuses, thread counts, the orders against
 * independent implementations here, and the README's error bound. */
#include "testutil.h"

#include <complex.h>
#include <float.h>

enum { TILE = 4096 };

static pscan_opts opts_with(unsigned flags, int threads, pscan_order order)
{
    pscan_opts o = PSCAN_OPTS_INIT;
    o.flags = flags;
    o.threads = threads;
    o.order = order;
    return o;
}

/* ---- independent references: the plain loop and the tile rule ----
 * Values of `parts` (1 real, 2 complex) R's each; complex products are
 * (ac - bd, ad + bc), every operation rounded on its own. */
#define DEFINE_REF(R)                                                                      \
    static void step_##R(int parts, const R *a, const R *y, const R *b, R *r)              \
    {                                                                                      \
        if (parts == 2) {                                                                  \
            R re = a[0] * y[0] - a[1] * y[1];                                              \
            R im = a[0] * y[1] + a[1] * y[0];                                              \
            r[0] = re + b[0];                                                              \
            r[1] = im + b[1];                                                              \
        } else {                                                                           \
            R p = a[0] * y[0];                                                             \
            r[0] = p + b[0];                                                               \
        }                                                                                  \
    }                                                                                      \
    static void ref_##R(int parts, const R *a, const R *b, int64_t n, const R *y0, R *out, \
                        int tiled)                                                         \
    {                                                                                      \
        R y[2] = {y0[0], parts == 2 ? y0[1] : 0};                                          \
        for (int64_t start = 0; start < n; start += tiled ? TILE : n) {                    \
            int64_t end = tiled && start + TILE < n ? start + TILE : n;                    \
            R A[2] = {a[start * parts], parts == 2 ? a[start * parts + 1] : 0};            \
            R B[2] = {b[start * parts], parts == 2 ? b[start * parts + 1] : 0};            \
            for (int64_t i = start + 1; i < end; i++) {                                    \
                const R *ai = a + i * parts;                                               \
                R re = parts == 2 ? ai[0] * A[0] - ai[1] * A[1] : ai[0] * A[0];            \
                R im = parts == 2 ? ai[0] * A[1] + ai[1] * A[0] : 0;                       \
                A[0] = re;                                                                 \
                A[1] = im;                                                                 \
                step_##R(parts, ai, B, b + i * parts, B);                                  \
            }                                                                              \
            R z[2] = {y[0], y[1]};                                                         \
            for (int64_t i = start; i < end; i++) {                                        \
                step_##R(parts, a + i * parts, z, b + i * parts, z);                       \
                out[i * parts] = z[0];                                                     \
                if (parts == 2)                                                            \
                    out[i * parts + 1] = z[1];                                             \
            }                                                                              \
            step_##R(parts, A, y, B, y);                                                   \
        }                                                                                  \
    }
DEFINE_REF(double)
DEFINE_REF(float)

static pscan_dtype type_of(int is_float, int parts)
{
    if (is_float)
        return parts == 2 ? PSCAN_COMPLEX64 : PSCAN_FLOAT32;
    return parts == 2 ? PSCAN_COMPLEX128 : PSCAN_FLOAT64;
}

/* Random values: a with |a| in [lo, 1] and either sign (each part for
 * complex, scaled so |a| <= 1), b in [-1, 1]. */
static void fill_random(uint64_t *state, int is_float, int parts, int64_t n, double lo, void *a,
                        void *b)
{
    for (int64_t i = 0; i < n * parts; i++) {
        double mag = lo + (1 - lo) * tu_rand_unit(state);
        double av = (tu_rand(state) & 1 ? mag : -mag) / (parts == 2 ? sqrt(2.0) : 1.0);
        double bv = 2 * tu_rand_unit(state) - 1;
        if (is_float) {
            ((float *)a)[i] = (float)av;
            ((float *)b)[i] = (float)bv;
        } else {
            ((double *)a)[i] = av;
            ((double *)b)[i] = bv;
        }
    }
}

/* ---- exact small cases ---- */

Test(recurrence, exact_float64)
{
    double a[5] = {2, 2, 2, 3, -1}, b[5] = {1, 1, 1, 0, 4}, out[5];
    const int64_t n = 5;
    pscan_array A = tu_vec(a, PSCAN_FLOAT64, &n), B = tu_vec(b, PSCAN_FLOAT64, &n),
                O = tu_vec(out, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, NULL, &O, NULL));
    const double expect[5] = {1, 3, 7, 21, -17};
    tu_assert_dbits(out, expect, 5);
    double y0 = 10;
    pscan_array Y = tu_arr(&y0, PSCAN_FLOAT64, 0, NULL, NULL);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O, NULL));
    const double expect_y0[5] = {21, 43, 87, 261, -257};
    tu_assert_dbits(out, expect_y0, 5);
}

Test(recurrence, exact_float32_from_ints)
{
    int32_t a[4] = {3, 3, 3, 3};
    int16_t b[4] = {1, -1, 2, 0};
    float out[4];
    const int64_t n = 4;
    pscan_array A = tu_vec(a, PSCAN_INT32, &n), B = tu_vec(b, PSCAN_INT16, &n),
                O = tu_vec(out, PSCAN_FLOAT32, &n);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, NULL, &O, NULL));
    const float expect[4] = {1, 2, 8, 24};
    tu_assert_fbits(out, expect, 4);
}

Test(recurrence, exact_complex)
{
    /* a = i rotates: 1, i + 1, i(i + 1) + 1 = i, i * i + 1 = 0 */
    double a[8] = {0, 1, 0, 1, 0, 1, 0, 1}, b[8] = {1, 0, 1, 0, 1, 0, 1, 0}, out[8];
    const int64_t n = 4;
    pscan_array A = tu_vec(a, PSCAN_COMPLEX128, &n), B = tu_vec(b, PSCAN_COMPLEX128, &n),
                O = tu_vec(out, PSCAN_COMPLEX128, &n);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, NULL, &O, NULL));
    const double expect[8] = {1, 0, 1, 1, 0, 1, 0, 0};
    tu_assert_dbits(out, expect, 8);
    float af[8], bf[8], outf[8];
    for (int k = 0; k < 8; k++) {
        af[k] = (float)a[k];
        bf[k] = (float)b[k];
    }
    pscan_array Af = tu_vec(af, PSCAN_COMPLEX64, &n), Bf = tu_vec(bf, PSCAN_COMPLEX64, &n),
                Of = tu_vec(outf, PSCAN_COMPLEX64, &n);
    double complex y0 = 2 * I; /* y0 converted from complex128 */
    pscan_array Y = tu_arr(&y0, PSCAN_COMPLEX128, 0, NULL, NULL);
    TU_ASSERT_OK(pscan_linear_recurrence(&Af, &Bf, 0, &Y, &Of, NULL));
    /* i * 2i + 1 = -1, -i + 1, i(1 - i) + 1 = 2 + i, i(2 + i) + 1 = 2i */
    const float expect_f[8] = {-1, 0, 1, -1, 2, 1, 0, 2};
    tu_assert_fbits(outf, expect_f, 8);
}

/* ---- flags ---- */

Test(recurrence, flags)
{
    double a[4] = {2, 2, 2, 2}, b[4] = {1, 2, 3, 4}, out[5], y0 = 1;
    const int64_t n = 4, n1 = 5;
    pscan_array A = tu_vec(a, PSCAN_FLOAT64, &n), B = tu_vec(b, PSCAN_FLOAT64, &n),
                O = tu_vec(out, PSCAN_FLOAT64, &n), O1 = tu_vec(out, PSCAN_FLOAT64, &n1),
                Y = tu_arr(&y0, PSCAN_FLOAT64, 0, NULL, NULL);
    pscan_opts o = opts_with(PSCAN_FLAG_REVERSE, 0, PSCAN_ORDER_REPRODUCIBLE);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O, &o));
    /* from the end: 2*1+4 = 6, 2*6+3 = 15, 32, 65 */
    const double rev[4] = {65, 32, 15, 6};
    tu_assert_dbits(out, rev, 4);
    o.flags = PSCAN_FLAG_EXCLUSIVE;
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O, &o));
    const double excl[4] = {1, 3, 8, 19}; /* inclusive would be 3, 8, 19, 42 */
    tu_assert_dbits(out, excl, 4);
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL;
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O1, &o));
    const double incl[5] = {1, 3, 8, 19, 42};
    tu_assert_dbits(out, incl, 5);
    o.flags = PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE;
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O1, &o));
    const double incl_rev[5] = {65, 32, 15, 6, 1};
    tu_assert_dbits(out, incl_rev, 5);
    o.flags = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_REVERSE;
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O, &o));
    const double excl_rev[4] = {32, 15, 6, 1};
    tu_assert_dbits(out, excl_rev, 4);
    const unsigned refused[] = {PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL,
                                PSCAN_FLAG_SKIP_NAN, PSCAN_FLAG_CHECK_OVERFLOW,
                                PSCAN_FLAG_COMPENSATED};
    for (size_t k = 0; k < TU_COUNT(refused); k++) {
        o.flags = refused[k];
        cr_assert(eq(int, pscan_linear_recurrence(&A, &B, 0, &Y, &O, &o), PSCAN_EOPTS));
    }
}

/* ---- y0 and layouts ---- */

/* 3 x 4 float64: a[i][j] = j + 1, b[i][j] = i + j; along axis 1 from
 * y0 = (1, 2, 3) per row, and along axis 0 from y0 = 0-d 1. */
Test(recurrence, y0_per_lane_and_axes)
{
    double a[12], b[12], out[12];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            a[i * 4 + j] = j + 1;
            b[i * 4 + j] = i + j;
        }
    const int64_t shape[2] = {3, 4}, lanes1[1] = {3}, lanes0[1] = {4};
    pscan_array A = tu_arr(a, PSCAN_FLOAT64, 2, shape, NULL),
                B = tu_arr(b, PSCAN_FLOAT64, 2, shape, NULL),
                O = tu_arr(out, PSCAN_FLOAT64, 2, shape, NULL);
    int64_t y0_rows[3] = {1, 2, 3};
    pscan_array Y1 = tu_arr(y0_rows, PSCAN_INT64, 1, lanes1, NULL);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 1, &Y1, &O, NULL));
    for (int i = 0; i < 3; i++) {
        double y = (double)y0_rows[i];
        for (int j = 0; j < 4; j++) {
            y = (j + 1) * y + (i + j);
            cr_assert(eq(dbl, out[i * 4 + j], y));
        }
    }
    float y0_cols[4] = {1, -1, 0.5f, 2};
    pscan_array Y0 = tu_arr(y0_cols, PSCAN_FLOAT32, 1, lanes0, NULL);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y0, &O, NULL));
    for (int j = 0; j < 4; j++) {
        double y = y0_cols[j];
        for (int i = 0; i < 3; i++) {
            y = (j + 1) * y + (i + j);
            cr_assert(eq(dbl, out[i * 4 + j], y));
        }
    }
    /* axis -1 is axis 1; a y0 of the wrong lane shape is refused */
    cr_assert(eq(int, pscan_linear_recurrence(&A, &B, -1, &Y0, &O, NULL), PSCAN_EOUTSHAPE));
    cr_assert(eq(int, pscan_linear_recurrence(&A, &B, 0, &Y1, &O, NULL), PSCAN_EOUTSHAPE));
}

Test(recurrence, strided_negative_and_broadcast)
{
    /* b every other element read backwards, a one value (stride 0), out
     * strided: the same as the contiguous call */
    double b_store[20], a_one = 0.5, out_store[30], expect[10], a_full[10], b_plain[10];
    for (int k = 0; k < 20; k++)
        b_store[k] = k - 7;
    for (int k = 0; k < 10; k++) {
        b_plain[k] = b_store[18 - 2 * k];
        a_full[k] = 0.5;
    }
    const int64_t n = 10, b_stride = -16, a_stride = 0, out_stride = 24;
    pscan_array A = tu_arr(&a_one, PSCAN_FLOAT64, 1, &n, &a_stride),
                B = tu_arr(b_store + 18, PSCAN_FLOAT64, 1, &n, &b_stride),
                O = tu_arr(out_store, PSCAN_FLOAT64, 1, &n, &out_stride),
                Af = tu_vec(a_full, PSCAN_FLOAT64, &n), Bp = tu_vec(b_plain, PSCAN_FLOAT64, &n),
                E = tu_vec(expect, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, NULL, &O, NULL));
    TU_ASSERT_OK(pscan_linear_recurrence(&Af, &Bp, 0, NULL, &E, NULL));
    double y = 0;
    for (int k = 0; k < 10; k++) {
        y = 0.5 * y + b_plain[k];
        cr_assert(eq(dbl, expect[k], y));
        cr_assert(eq(dbl, out_store[3 * k], y));
    }
}

Test(recurrence, axis_none)
{
    /* a transposed 3 x 2 view (no single run: copied) and a C-order b,
     * flattened in C order into a 1-D out */
    double a_t[6] = {1, 2, 3, -1, -2, -3}; /* as 2 x 3, read as its transpose */
    double b[6] = {1, 1, 1, 1, 1, 1}, out[6], y0 = 2;
    const int64_t shape[2] = {3, 2}, a_strides[2] = {8, 24}, n = 6;
    pscan_array A = tu_arr(a_t, PSCAN_FLOAT64, 2, shape, a_strides),
                B = tu_arr(b, PSCAN_FLOAT64, 2, shape, NULL), O = tu_vec(out, PSCAN_FLOAT64, &n),
                Y = tu_arr(&y0, PSCAN_FLOAT64, 0, NULL, NULL);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, PSCAN_AXIS_NONE, &Y, &O, NULL));
    const double flat_a[6] = {1, -1, 2, -2, 3, -3};
    double y = 2;
    for (int k = 0; k < 6; k++) {
        y = flat_a[k] * y + 1;
        cr_assert(eq(dbl, out[k], y));
    }
    /* only a 0-d y0 fits a flattening; a's shape must be b's */
    const int64_t one = 1, other[2] = {2, 3};
    pscan_array Y1 = tu_arr(&y0, PSCAN_FLOAT64, 1, &one, NULL),
                A2 = tu_arr(a_t, PSCAN_FLOAT64, 2, other, NULL);
    cr_assert(
        eq(int, pscan_linear_recurrence(&A, &B, PSCAN_AXIS_NONE, &Y1, &O, NULL), PSCAN_EOUTSHAPE));
    cr_assert(
        eq(int, pscan_linear_recurrence(&A2, &B, PSCAN_AXIS_NONE, &Y, &O, NULL), PSCAN_EOUTSHAPE));
}

/* ---- overlap ---- */

Test(recurrence, in_place_and_overlap)
{
    enum { N = 3 * TILE + 17 };
    const int64_t n = N, n_less = N - 1;
    double *a = tu_malloc(N * sizeof *a), *b = tu_malloc(N * sizeof *b);
    double *expect = tu_malloc(N * sizeof *expect), *work = tu_malloc((N + 1) * sizeof *work);
    uint64_t state = 17;
    fill_random(&state, 0, 1, N, 0.5, a, b);
    const double y0 = 0.25;
    const pscan_array Y = tu_arr((void *)(uintptr_t)&y0, PSCAN_FLOAT64, 0, NULL, NULL);
    pscan_array A = tu_vec(a, PSCAN_FLOAT64, &n), B = tu_vec(b, PSCAN_FLOAT64, &n),
                E = tu_vec(expect, PSCAN_FLOAT64, &n), W = tu_vec(work, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &E, NULL));
    /* out == b */
    memcpy(work, b, sizeof(double) * N);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &W, 0, &Y, &W, NULL));
    tu_assert_dbits(work, expect, N);
    /* out == a */
    memcpy(work, a, sizeof(double) * N);
    TU_ASSERT_OK(pscan_linear_recurrence(&W, &B, 0, &Y, &W, NULL));
    tu_assert_dbits(work, expect, N);
    /* b one element behind out: out = work[1..], b = work[0..) */
    memcpy(work, b, sizeof(double) * N);
    pscan_array W_after = tu_vec(work + 1, PSCAN_FLOAT64, &n);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &W, 0, &Y, &W_after, NULL));
    tu_assert_dbits(work + 1, expect, N);
    /* exclusive in place: out[0] = y0, out[i] = the value before i */
    memcpy(work, b, sizeof(double) * N);
    pscan_opts o = opts_with(PSCAN_FLAG_EXCLUSIVE, 0, PSCAN_ORDER_REPRODUCIBLE);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &W, 0, &Y, &W, &o));
    cr_assert(eq(dbl, work[0], y0));
    tu_assert_dbits(work + 1, expect, N - 1);
    /* y0 inside out */
    work[5] = y0;
    pscan_array Y_in_out = tu_arr(work + 5, PSCAN_FLOAT64, 0, NULL, NULL);
    pscan_array A_less = tu_vec(a, PSCAN_FLOAT64, &n_less),
                B_less = tu_vec(b, PSCAN_FLOAT64, &n_less),
                W_less = tu_vec(work, PSCAN_FLOAT64, &n_less);
    TU_ASSERT_OK(pscan_linear_recurrence(&A_less, &B_less, 0, &Y_in_out, &W_less, NULL));
    tu_assert_dbits(work, expect, N - 1);
    free(a);
    free(b);
    free(expect);
    free(work);
}

/* ---- statuses: out untouched ---- */

Test(recurrence, statuses_leave_out_untouched)
{
    double a[6] = {1, 1, 1, 1, 1, 1}, b[6] = {1, 2, 3, 4, 5, 6}, out[8];
    double complex bc[6] = {0};
    int32_t out_int[6];
    const int64_t n = 6, n7 = 7, shape[2] = {2, 3}, zero_stride = 0, bad_shape[1] = {5};
    pscan_array A = tu_vec(a, PSCAN_FLOAT64, &n), B = tu_vec(b, PSCAN_FLOAT64, &n),
                O = tu_vec(out, PSCAN_FLOAT64, &n), O7 = tu_vec(out, PSCAN_FLOAT64, &n7),
                Oi = tu_vec(out_int, PSCAN_INT32, &n), Bc = tu_vec(bc, PSCAN_COMPLEX128, &n),
                A2 = tu_arr(a, PSCAN_FLOAT64, 2, shape, NULL),
                Oalias = tu_arr(out, PSCAN_FLOAT64, 1, &n, &zero_stride),
                A5 = tu_vec(a, PSCAN_FLOAT64, bad_shape);
    const pscan_opts safe = {sizeof(pscan_opts), 0,  PSCAN_ORDER_REPRODUCIBLE,
                             PSCAN_CASTING_SAFE, 0u, NULL};
    const pscan_opts bad_order = {sizeof(pscan_opts),   0,  (pscan_order)7,
                                  PSCAN_CASTING_UNSAFE, 0u, NULL};
    struct {
        const pscan_array *a, *b, *out;
        int axis;
        const pscan_opts *opts;
        pscan_status status;
    } cases[] = {
        {NULL, &B, &O, 0, NULL, PSCAN_ENULL},     {&A, NULL, &O, 0, NULL, PSCAN_ENULL},
        {&A, &B, NULL, 0, NULL, PSCAN_ENULL},     {&A, &B, &Oi, 0, NULL, PSCAN_EDTYPE},
        {&A, &B, &O, 1, NULL, PSCAN_EAXIS},       {&A, &B, &O7, 0, NULL, PSCAN_EOUTSHAPE},
        {&A2, &B, &O, 0, NULL, PSCAN_EOUTSHAPE},  {&A5, &B, &O, 0, NULL, PSCAN_EOUTSHAPE},
        {&A, &Bc, &O, 0, &safe, PSCAN_ECAST},     {&A, &B, &Oalias, 0, NULL, PSCAN_EOUTALIAS},
        {&A, &B, &O, 0, &bad_order, PSCAN_EOPTS},
    };
    for (size_t k = 0; k < TU_COUNT(cases); k++) {
        tu_fill_sentinel(out, sizeof out);
        pscan_status s = pscan_linear_recurrence(cases[k].a, cases[k].b, cases[k].axis, NULL,
                                                 cases[k].out, cases[k].opts);
        cr_assert(eq(int, (int)s, (int)cases[k].status), "case %zu", k);
        tu_assert_sentinel(out, sizeof out);
    }
    /* a y0 whose dtype cannot be cast safely */
    double complex y0c = 1;
    pscan_array Yc = tu_arr(&y0c, PSCAN_COMPLEX128, 0, NULL, NULL);
    tu_fill_sentinel(out, sizeof out);
    cr_assert(eq(int, pscan_linear_recurrence(&A, &B, 0, &Yc, &O, &safe), PSCAN_ECAST));
    tu_assert_sentinel(out, sizeof out);
}

/* ---- orders, threads, and the bound on long random lanes ---- */

/* Lanes of `len` side by side (shape lanes x len, C order). */
typedef struct lanes_case {
    int is_float, parts;
    int64_t lanes, len;
    double lo; /* |a| in [lo, 1] */
} lanes_case;

static void *alloc_values(const lanes_case *lc)
{
    size_t r = lc->is_float ? sizeof(float) : sizeof(double);
    return tu_malloc((size_t)(lc->lanes * lc->len * lc->parts) * r);
}

/* out of pscan under `order` with `threads`, y0 per lane 0.5 * (k + 1) */
static void run_case(const lanes_case *lc, const void *a, const void *b, void *out, int threads,
                     pscan_order order)
{
    const int64_t shape[2] = {lc->lanes, lc->len}, lane_shape[1] = {lc->lanes};
    const pscan_dtype t = type_of(lc->is_float, lc->parts);
    double *y0 = tu_malloc((size_t)lc->lanes * sizeof *y0);
    for (int64_t k = 0; k < lc->lanes; k++)
        y0[k] = 0.5 * (double)(k + 1);
    pscan_array A = tu_arr((void *)(uintptr_t)a, t, 2, shape, NULL),
                B = tu_arr((void *)(uintptr_t)b, t, 2, shape, NULL),
                O = tu_arr(out, t, 2, shape, NULL),
                Y = tu_arr(y0, PSCAN_FLOAT64, 1, lane_shape, NULL);
    pscan_opts o = opts_with(0, threads, order);
    TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 1, &Y, &O, &o));
    free(y0);
}

static void ref_case(const lanes_case *lc, const void *a, const void *b, void *out, int tiled)
{
    const int64_t step = lc->len * lc->parts;
    for (int64_t k = 0; k < lc->lanes; k++) {
        double y0 = 0.5 * (double)(k + 1);
        if (lc->is_float) {
            float y[2] = {(float)y0, 0};
            ref_float(lc->parts, (const float *)a + k * step, (const float *)b + k * step, lc->len,
                      y, (float *)out + k * step, tiled);
        } else {
            double y[2] = {y0, 0};
            ref_double(lc->parts, (const double *)a + k * step, (const double *)b + k * step,
                       lc->len, y, (double *)out + k * step, tiled);
        }
    }
}

static const lanes_case order_cases[] = {
    {0, 1, 1, 150 * TILE + 123, 0.9}, /* one long lane: blocks of 64 tiles across threads */
    {1, 1, 3, 70 * TILE + 5, 0.9},    /* few lanes: blocks */
    {0, 2, 1, 66 * TILE + 7, 0.95},   /* complex128 */
    {1, 2, 2, 9 * TILE, 0.95},        /* complex64, whole tiles */
    {0, 1, 40, 3 * TILE - 1, 0.5},    /* many lanes: one thread each */
    {1, 1, 200, 37, 0.5},             /* short lanes: the loop */
};

Test(recurrence, reproducible_is_the_tile_rule_for_any_threads)
{
    for (size_t c = 0; c < TU_COUNT(order_cases); c++) {
        const lanes_case *lc = &order_cases[c];
        const size_t bytes = (size_t)(lc->lanes * lc->len * lc->parts) *
                             (lc->is_float ? sizeof(float) : sizeof(double));
        void *a = alloc_values(lc), *b = alloc_values(lc), *out = alloc_values(lc),
             *expect = alloc_values(lc);
        uint64_t state = 1000 + c;
        fill_random(&state, lc->is_float, lc->parts, lc->lanes * lc->len, lc->lo, a, b);
        ref_case(lc, a, b, expect, 1);
        for (int threads = 1; threads <= 4; threads++) {
            memset(out, 0, bytes);
            run_case(lc, a, b, out, threads, PSCAN_ORDER_REPRODUCIBLE);
            cr_assert(eq(int, memcmp(out, expect, bytes), 0), "case %zu, %d threads", c, threads);
        }
        free(a);
        free(b);
        free(out);
        free(expect);
    }
}

Test(recurrence, sequential_is_the_loop)
{
    for (size_t c = 0; c < TU_COUNT(order_cases); c++) {
        const lanes_case *lc = &order_cases[c];
        const size_t bytes = (size_t)(lc->lanes * lc->len * lc->parts) *
                             (lc->is_float ? sizeof(float) : sizeof(double));
        void *a = alloc_values(lc), *b = alloc_values(lc), *out = alloc_values(lc),
             *expect = alloc_values(lc);
        uint64_t state = 2000 + c;
        fill_random(&state, lc->is_float, lc->parts, lc->lanes * lc->len, lc->lo, a, b);
        ref_case(lc, a, b, expect, 0);
        for (int threads = 1; threads <= 4; threads += 3) {
            run_case(lc, a, b, out, threads, PSCAN_ORDER_SEQUENTIAL);
            cr_assert(eq(int, memcmp(out, expect, bytes), 0), "case %zu, %d threads", c, threads);
        }
        free(a);
        free(b);
        free(out);
        free(expect);
    }
}

/* README's bound: |out_i - loop_i| <= k (2m + t) u z_i / (1 - k m u), m = i + 1
 * (the position in the lane), t = i / 4096 (the tile), k = 2 real, 4
 * complex, z_i = |a_i| z_{i-1} + |b_i| from z_{-1} = |y0|. */
static void check_bound(const lanes_case *lc, const void *a, const void *b, const void *out,
                        const void *loop)
{
    const double u = lc->is_float ? FLT_EPSILON / 2 : DBL_EPSILON / 2;
    const double k = lc->parts == 2 ? 4 : 2;
    double worst = 0;
    for (int64_t lane = 0; lane < lc->lanes; lane++) {
        long double z = 0.5L * (long double)(lane + 1);
        for (int64_t i = 0; i < lc->len; i++) {
            const int64_t at = (lane * lc->len + i) * lc->parts;
            long double av[2] = {0, 0}, bv[2] = {0, 0}, ov[2] = {0, 0}, lv[2] = {0, 0};
            for (int p = 0; p < lc->parts; p++) {
                if (lc->is_float) {
                    av[p] = ((const float *)a)[at + p];
                    bv[p] = ((const float *)b)[at + p];
                    ov[p] = ((const float *)out)[at + p];
                    lv[p] = ((const float *)loop)[at + p];
                } else {
                    av[p] = ((const double *)a)[at + p];
                    bv[p] = ((const double *)b)[at + p];
                    ov[p] = ((const double *)out)[at + p];
                    lv[p] = ((const double *)loop)[at + p];
                }
            }
            z = sqrtl(av[0] * av[0] + av[1] * av[1]) * z + sqrtl(bv[0] * bv[0] + bv[1] * bv[1]);
            const long double dr = ov[0] - lv[0], di = ov[1] - lv[1];
            const long double diff = sqrtl(dr * dr + di * di);
            const double m = (double)(i + 1), t = (double)(i / TILE);
            /* z's own roundings: a relative 1e-15 at most; 1.001 covers them */
            const long double bound = 1.001L * k * (2 * m + t) * u * z / (1 - k * m * u);
            cr_assert(diff <= bound, "lane %lld element %lld: %Lg > %Lg", (long long)lane,
                      (long long)i, diff, bound);
            if (diff / bound > worst)
                worst = (double)(diff / bound);
        }
    }
    cr_log_info("worst error / bound: %g", worst);
}

Test(recurrence, error_bound_against_the_loop)
{
    static const lanes_case cases[] = {
        {0, 1, 2, 40 * TILE + 11, 0.999}, {0, 1, 1, 40 * TILE, 0.0},
        {1, 1, 2, 12 * TILE + 3, 0.99},   {0, 2, 1, 20 * TILE + 1, 0.999},
        {1, 2, 1, 12 * TILE, 0.99},       {0, 1, 1, 20 * TILE, 1.0}, /* |a| = 1 */
    };
    for (size_t c = 0; c < TU_COUNT(cases); c++) {
        const lanes_case *lc = &cases[c];
        void *a = alloc_values(lc), *b = alloc_values(lc), *out = alloc_values(lc),
             *loop = alloc_values(lc);
        uint64_t state = 3000 + c;
        fill_random(&state, lc->is_float, lc->parts, lc->lanes * lc->len, lc->lo, a, b);
        run_case(lc, a, b, out, 2, PSCAN_ORDER_REPRODUCIBLE);
        ref_case(lc, a, b, loop, 0);
        check_bound(lc, a, b, out, loop);
        free(a);
        free(b);
        free(out);
        free(loop);
    }
}

/* Outs of 32 MiB and more are scanned into scratch and streamed out (both
 * directions): the same bits as the tile rule, in place too. */
Test(recurrence, big_outs_streamed)
{
    enum { N = (1 << 22) + 4 * TILE + 3 };
    const int64_t n = N, minus = -(int64_t)sizeof(double);
    double *a = tu_malloc(N * sizeof *a), *b = tu_malloc(N * sizeof *b);
    double *ra = tu_malloc(N * sizeof *ra), *rb = tu_malloc(N * sizeof *rb);
    double *out = tu_malloc(N * sizeof *out), *expect = tu_malloc(N * sizeof *expect);
    uint64_t state = 99;
    fill_random(&state, 0, 1, N, 0.9, a, b);
    const double y0[2] = {0.75, 0};
    pscan_array A = tu_vec(a, PSCAN_FLOAT64, &n), B = tu_vec(b, PSCAN_FLOAT64, &n),
                O = tu_vec(out, PSCAN_FLOAT64, &n),
                Y = tu_arr((void *)(uintptr_t)y0, PSCAN_FLOAT64, 0, NULL, NULL);
    ref_double(1, a, b, N, y0, expect, 1);
    for (int threads = 1; threads <= 2; threads++) {
        pscan_opts o = opts_with(0, threads, PSCAN_ORDER_REPRODUCIBLE);
        memset(out, 0, N * sizeof *out);
        TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O, &o));
        cr_assert(eq(int, memcmp(out, expect, N * sizeof *out), 0), "%d threads", threads);
        memcpy(out, b, N * sizeof *out); /* in place */
        TU_ASSERT_OK(pscan_linear_recurrence(&A, &O, 0, &Y, &O, &o));
        cr_assert(eq(int, memcmp(out, expect, N * sizeof *out), 0), "%d threads", threads);
    }
    /* REVERSE: the tile rule over the reversed lane, its out read back */
    for (int64_t i = 0; i < N; i++) {
        ra[i] = a[N - 1 - i];
        rb[i] = b[N - 1 - i];
    }
    ref_double(1, ra, rb, N, y0, expect, 1);
    pscan_array O_back = tu_arr(out + N - 1, PSCAN_FLOAT64, 1, &n, &minus);
    for (int threads = 1; threads <= 2; threads++) {
        pscan_opts o = opts_with(PSCAN_FLAG_REVERSE, threads, PSCAN_ORDER_REPRODUCIBLE);
        TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O, &o));
        for (int64_t i = 0; i < N; i++)
            cr_assert(eq(u64, tu_dbits(out[N - 1 - i]), tu_dbits(expect[i])), "element %lld",
                      (long long)i);
        /* a reversed out (negative stride) over forward data is the same
         * recurrence stored backwards */
        o.flags = 0;
        TU_ASSERT_OK(pscan_linear_recurrence(&A, &B, 0, &Y, &O_back, &o));
        ref_double(1, a, b, N, y0, rb, 1);
        for (int64_t i = 0; i < N; i++)
            cr_assert(eq(u64, tu_dbits(out[N - 1 - i]), tu_dbits(rb[i])), "element %lld",
                      (long long)i);
    }
    free(a);
    free(b);
    free(ra);
    free(rb);
    free(out);
    free(expect);
}
