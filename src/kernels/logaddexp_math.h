/* logaddexp_math.h - pscan's own logaddexp: exp and log1p written once, as
 * a macro body over GCC vector types, and instantiated for one lane (the
 * REPRODUCIBLE scalar step its kernels, carries, segments and the MPI
 * combine use; SEQUENTIAL keeps libm, PSCAN_LOGADDEXP_LIBM) and for a
 * kernel variant's vector width (the tile lanes). Both run the same IEEE
 * operations in the same order (plain add, sub, mul and div; the library
 * builds with -ffp-contract=off; 2^k and exponents by integer bit tricks; no
 * tables), so the bits do not depend on the ISA, the host or its libm.
 *
 * exp is only needed on (-inf, 0] and log1p on [0, 1] (the argument is
 * exp(-|x - y|)), which lets both run without branches:
 *  - exp: k = round(t / ln 2) by the 1.5 * 2^52 shift, r = t - k ln 2 in
 *    two parts hi - lo (Cody and Waite), exp(r) = 1 + (hi - (lo - r^2 q(r)))
 *    with q the Taylor series to r^11 / 13! (|r| <= ln 2 / 2: the rest is
 *    under 2^-57 of the result) in Estrin's scheme, no division, then 2^k
 *    as two exact power-of-two factors so that a subnormal result is
 *    rounded once;
 *  - log1p: for e < sqrt(2) - 1, log(1 + f) with f = e; else u = 1 + e,
 *    f = u / 2 - 1 and k = 1, plus the rounding error of u over u
 *    (fdlibm's correction term, with a linear 1/u: no division);
 *    log(1 + f) by fdlibm's series in s = f / (2 + f), evaluated in
 *    Estrin's scheme.
 * Estrin's scheme (pairs, then pairs of pairs) shortens the dependent
 * chain of a step, which is what a tile's chain of combines waits on.
 * The combine keeps numpy's npy_logaddexp cases: equal arguments give
 * x + log 2 (so infinities of one sign stay), a NaN difference is the
 * result, else max + log1p(exp(-|x - y|)). */
#ifndef PSCAN_KERNEL_LOGADDEXP_MATH_H
#define PSCAN_KERNEL_LOGADDEXP_MATH_H

#include <stdint.h>

/* Constants of fdlibm's e_exp.c and s_log1p.c. */
#define PSCAN_LAE_LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42 fee00000 */
#define PSCAN_LAE_LN2_LO 1.90821492927058770002e-10 /* 0x3dea39ef 35793c76 */
#define PSCAN_LAE_LN2 0.693147180559945309417232121458176568
#define PSCAN_LAE_INV_LN2 1.44269504088896338700e+00
#define PSCAN_LAE_SHIFT 0x1.8p52 /* adding it rounds |v| < 2^51 to an integer */
#define PSCAN_LAE_SHIFT_BITS 0x4338000000000000
#define PSCAN_LAE_EXP_MIN (-746.0) /* exp below it rounds to +0 */
/* 1 / (i + 2)!, the nearest doubles. */
#define PSCAN_LAE_E0 0.5
#define PSCAN_LAE_E1 0.16666666666666666
#define PSCAN_LAE_E2 0.041666666666666664
#define PSCAN_LAE_E3 0.008333333333333333
#define PSCAN_LAE_E4 0.001388888888888889
#define PSCAN_LAE_E5 0.0001984126984126984
#define PSCAN_LAE_E6 2.48015873015873e-05
#define PSCAN_LAE_E7 2.7557319223985893e-06
#define PSCAN_LAE_E8 2.755731922398589e-07
#define PSCAN_LAE_E9 2.505210838544172e-08
#define PSCAN_LAE_E10 2.08767569878681e-09
#define PSCAN_LAE_E11 1.6059043836821613e-10
#define PSCAN_LAE_LP1 6.666666666666735130e-01
#define PSCAN_LAE_LP2 3.999999999940941908e-01
#define PSCAN_LAE_LP3 2.857142874366239149e-01
#define PSCAN_LAE_LP4 2.222219843214978396e-01
#define PSCAN_LAE_LP5 1.818357216161805012e-01
#define PSCAN_LAE_LP6 1.531383769920937332e-01
#define PSCAN_LAE_LP7 1.479819860511658591e-01
/* 1/u ~ A - B u within 1.5% on [sqrt 2, 2] (Chebyshev nodes). */
#define PSCAN_LAE_RECIP_A 1.1890744165941487
#define PSCAN_LAE_RECIP_B 0.34827183328498823
#define PSCAN_LAE_SQRT2_M1 0.41421356237309504880 /* below: f = e, k = 0 */

/* Lanes of mask (all ones or zero) take a, the others b. */
#define PSCAN_LAE_SELECT(F, I, mask, a, b) ((F)(((I)(a) & (I)(mask)) | ((I)(b) & ~(I)(mask))))
/* Lanes of mask (all ones or zero) keep a, the others get +0. */
#define PSCAN_LAE_KEEP(F, I, mask, a) ((F)((I)(a) & (I)(mask)))
/* Every lane = v. */
#define PSCAN_LAE_SPLAT(F, v) ((F){0} + (v))

/* Defines `static inline F name(F x, F y)`, logaddexp lane by lane, over
 * F (double lanes), I (int64 lanes) and U (uint64 lanes) of one size. */
#define PSCAN_LAE_DEFINE(name, F, I, U)                                                           \
    static inline __attribute__((always_inline)) F name##_exp(F t)                                \
    {                                                                                             \
        t = PSCAN_LAE_SELECT(F, I, t < PSCAN_LAE_EXP_MIN, PSCAN_LAE_SPLAT(F, PSCAN_LAE_EXP_MIN),  \
                             t);                                                                  \
        const F kd = t * PSCAN_LAE_INV_LN2 + PSCAN_LAE_SHIFT;                                     \
        const I k = (I)kd - PSCAN_LAE_SHIFT_BITS;                                                 \
        const F kf = kd - PSCAN_LAE_SHIFT;                                                        \
        const F hi = t - kf * PSCAN_LAE_LN2_HI, lo = kf * PSCAN_LAE_LN2_LO;                       \
        const F r = hi - lo, r2 = r * r, r4 = r2 * r2;                                            \
        const F q01 = PSCAN_LAE_E0 + PSCAN_LAE_E1 * r, q23 = PSCAN_LAE_E2 + PSCAN_LAE_E3 * r;     \
        const F q45 = PSCAN_LAE_E4 + PSCAN_LAE_E5 * r, q67 = PSCAN_LAE_E6 + PSCAN_LAE_E7 * r;     \
        const F q89 = PSCAN_LAE_E8 + PSCAN_LAE_E9 * r, q1011 = PSCAN_LAE_E10 + PSCAN_LAE_E11 * r; \
        const F q0_3 = q01 + q23 * r2, q4_7 = q45 + q67 * r2, q8_11 = q89 + q1011 * r2;           \
        const F q = q0_3 + r4 * (q4_7 + r4 * q8_11);                                              \
        const F y = 1.0 + (hi - (lo - r2 * q));                                                   \
        /* k in [-1077, 0]: two normal factors, so only the last product    \
         * rounds (once, where the result is subnormal). */                     \
        const I k1 = k >> 1, k2 = k - k1;                                                         \
        const F s1 = (F)((U)(k1 + 1023) << 52), s2 = (F)((U)(k2 + 1023) << 52);                   \
        return y * s1 * s2;                                                                       \
    }                                                                                             \
    static inline __attribute__((always_inline)) F name##_log1p(F e)                              \
    {                                                                                             \
        const I big = (I)(e >= PSCAN_LAE_SQRT2_M1);                                               \
        const F u = 1.0 + e;                                                                      \
        const F f = PSCAN_LAE_SELECT(F, I, big, u * 0.5 - 1.0, e);                                \
        /* k ln 2 in two parts, the low one with the rounding error of u     \
         * over u (under 2^-53 of it: a 1.5% reciprocal is exact enough). */                    \
        const F k_hi = PSCAN_LAE_KEEP(F, I, big, PSCAN_LAE_SPLAT(F, PSCAN_LAE_LN2_HI));           \
        const F k_lo = PSCAN_LAE_KEEP(                                                            \
            F, I, big,                                                                            \
            PSCAN_LAE_LN2_LO + (e - (u - 1.0)) * (PSCAN_LAE_RECIP_A - PSCAN_LAE_RECIP_B * u));    \
        const F hfsq = 0.5 * f * f, s = f / (2.0 + f), z = s * s, z2 = z * z;                     \
        const F l12 = PSCAN_LAE_LP1 + PSCAN_LAE_LP2 * z, l34 = PSCAN_LAE_LP3 + PSCAN_LAE_LP4 * z; \
        const F l56 = PSCAN_LAE_LP5 + PSCAN_LAE_LP6 * z;                                          \
        const F R = z * ((l12 + l34 * z2) + z2 * z2 * (l56 + PSCAN_LAE_LP7 * z2));                \
        return k_hi - ((hfsq - (s * (hfsq + R) + k_lo)) - f);                                     \
    }                                                                                             \
    static inline __attribute__((always_inline)) F name(F x, F y)                                 \
    {                                                                                             \
        const F d = x - y;                                                                        \
        const F m = PSCAN_LAE_SELECT(F, I, d > 0.0, x, y);                                        \
        const F neg = (F)((U)d | 0x8000000000000000u); /* -|d| */                                 \
        const F sum = m + name##_log1p(name##_exp(neg));                                          \
        const F other = PSCAN_LAE_SELECT(F, I, d != d, d, sum);                                   \
        return PSCAN_LAE_SELECT(F, I, x == y, x + PSCAN_LAE_LN2, other);                          \
    }

#endif
