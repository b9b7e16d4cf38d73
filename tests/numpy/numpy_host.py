"""What numpy computes differently from one x86-64 host to another, in one
place, for every test that compares pscan with numpy (tests/numpy/,
tests/cli/).

numpy is the reference, and nearly all of what these tests ask of it is the
same bits on every host: sums, products, max and min of real numbers round
once per step in a fixed order, and every conversion the tests let through
is exact or correctly rounded. Those results are compared bit for bit. The
exceptions, and how the suite treats each:

1. Complex multiply. numpy 1.24 compiles its complex loops once more for
   AVX-512F and picks that build at run time; there the compiler fuses
   ac - bd and ad + bc into fused multiply-adds, so np.cumprod of complex
   values differs in its last bits between AVX-512 and AVX2-only hosts
   (pscan rounds every product alone, on every host). Other numpy versions
   may fuse on other hosts too (any with FMA), so complex products are
   compared within a bound in ulps on every host: complex_product_mismatch().
2. Negative float -> unsigned integer: wraps on x86-64 (-1.5 -> 2**64 - 1
   for uint64, with or without AVX-512: numpy's casts are not dispatched),
   saturates to 0 on other platforms. Kept out of the data (values are
   non-negative wherever a float meets an unsigned target).
3. NaN, infinite or out-of-range float -> integer: undefined in C; numpy
   gives what the host's instruction gives. Kept out of the data.
4. Which NaN: an operation that makes a NaN picks its sign and payload by
   the processor's rules. Any NaN matches any NaN.

Under NPY_DISABLE_CPU_FEATURES="$(numpy_without_avx512())" numpy runs as an
AVX2-only host runs it; scripts/run-tests.sh runs the numpy tests once more
so on AVX-512 hosts, so both kinds of host are checked on one.
"""

import numpy as np

AVX512_DISPATCH = ("AVX512F", "AVX512CD", "AVX512_SKX", "AVX512_CLX", "AVX512_CNL",
                   "AVX512_ICL", "AVX512_SPR")


def _cpu_tables():
    try:
        from numpy._core import _multiarray_umath as umath   # numpy 2.x
    except ImportError:
        from numpy.core import _multiarray_umath as umath    # numpy 1.x
    return (getattr(umath, "__cpu_features__", {}), getattr(umath, "__cpu_dispatch__", []))


def numpy_uses_avx512():
    """True when numpy runs its AVX-512F loops here (and so fuses complex
    multiplies)."""
    features, dispatch = _cpu_tables()
    return bool(features.get("AVX512F")) and "AVX512F" in dispatch


def numpy_without_avx512():
    """The NPY_DISABLE_CPU_FEATURES value that makes numpy run as it runs on
    an AVX2-only host: the AVX-512 targets it was built with and this CPU
    has (numpy warns about any other name). Empty when there are none."""
    features, dispatch = _cpu_tables()
    return " ".join(f for f in dispatch if f in AVX512_DISPATCH and features.get(f))


def host_line():
    """One line for a test's log: which numpy, and which of its host-dependent
    paths it takes here."""
    fused = numpy_uses_avx512()
    return ("numpy %s on this host: AVX-512F loops %s (complex multiplies %s; "
            "complex products are compared within a bound in ulps on every host)"
            % (np.__version__, "on" if fused else "off", "fused" if fused else "not fused"))


def complex_product_mismatch(exp, got, magnitude, steps, acc):
    """Mask of the elements of got (pscan) that differ from exp (numpy's
    complex product, in exp's dtype) by more than the rounding of a complex
    multiply, fused or not, can explain.

    magnitude: |numpy's product| in the accumulator (any shape that reshapes
    to exp's); steps: the most multiplies behind one element (the lane's
    length); acc: the accumulator dtype. Each multiply is within about 2 ulps
    of |z| fused or not, and the two computations drift apart by at most that
    much per step, so each part may differ by 4 (steps + 1) eps(acc) |z|;
    storing into exp's dtype adds its own rounding (1 for an integer, an ulp
    for a float). Bool results are compared exactly; so are the parts of an
    element whose |z| is NaN (a NaN part that came in as it is: products
    with a NaN are NaN in both parts), and non-finite parts (any NaN matches
    any NaN). The callers keep products finite: where a multiply overflows,
    fused and unfused ones can differ by more than rounding (inf - inf is
    NaN, fma(a, b, -inf) is -inf)."""
    eps = float(np.finfo(np.dtype(acc)).eps)
    mag = np.asarray(np.abs(np.asarray(magnitude, dtype=np.complex128)), dtype=np.float64)
    mag = mag.reshape(exp.shape)
    with np.errstate(all="ignore"):
        tol = np.where(np.isnan(mag), 0.0, 4.0 * (steps + 1) * eps * mag)
    dt = exp.dtype
    if dt.kind == "b":
        return exp != got
    parts = [(exp.real, got.real)] + ([(exp.imag, got.imag)] if dt.kind == "c" else [])
    store_eps = 0.0 if dt.kind in "iu" else float(np.finfo(dt).eps)
    mism = np.zeros(exp.shape, dtype=bool)
    for e, g in parts:
        e = np.asarray(e, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        t = tol + (1.0 if dt.kind in "iu" else np.abs(e) * store_eps)
        with np.errstate(all="ignore"):
            bad = ~(np.abs(e - g) <= t)
        same_nonfinite = (~np.isfinite(e)) & ((e == g) | (np.isnan(e) & np.isnan(g)))
        mism |= bad & ~same_nonfinite
    return mism
