#!/usr/bin/python3
"""Differential test of pscan_cumsum against numpy.cumsum.

    /usr/bin/python3 tests/numpy/differential.py --lib build/libpscan.so \
        --cases 2500 --seed 0

Each case draws an input dtype, an accumulator dtype (DEFAULT or explicit), an
out dtype, a shape (ndim 0..5, zero-length dims, sometimes one dim longer
than the 4096-element tile), input and output layouts (slices with positive
and negative steps, transposes, Fortran order, zero strides from
broadcast_to in the input, fresh or strided outputs inside larger buffers),
an axis (None, every axis, negative axes), an overlap kind (none, in-place,
shifted, reversed, transposed, flattened, different dtypes over the same
bytes), an ordering mode and a thread count; it calls pscan on the views
through ctypes and compares with

    numpy.cumsum(copy_of_in, axis, dtype=acc, out=fresh_array_of_out_dtype)

where acc is the explicit accumulator, or for DEFAULT the accumulator of the
header's rule (bool, int8..int32 -> int64, uint8..uint32 -> uint64, others
unchanged), always passed to numpy explicitly. numpy itself applies that rule
only when no `out` is given: np.cumsum(a, out=o) with no dtype accumulates in
the promotion of o.dtype and a.dtype (numpy 1.24 and 2.x,
reducelike_promote_and_resolve), e.g. np.cumsum(int8 [100, 100, 56],
out=bool array) gives [True, True, False] (int8 accumulator) where the
header's DEFAULT gives [True, True, True] (int64). pscan follows the header.

bit for bit (NaN matches any NaN). Bytes of every buffer outside `out` must
be left untouched. REPRODUCIBLE-order cases (about 20%) must match exactly
for integer accumulators, for float lanes of at most 4096 elements, and for
long float lanes whose partial sums are exact in any order; other long float
lanes are checked against an error bound. REPRODUCIBLE results must also be
bit-identical for two different thread counts.

About a quarter of the cases exercise pscan_scan's other operations against
numpy.cumprod and numpy.maximum/minimum.accumulate (max/min keep the input
type by default). numpy fuses the complex multiply on AVX-512 hosts and not
on AVX2-only ones, so complex cumprod is checked against a bound of a few
ulps per step instead of bit for bit, on every host (numpy_host.py lists
what numpy computes differently per host, and why the rest is bit for bit).

Known, documented differences are kept out of the generated data: float to
integer conversions (input -> accumulator, accumulator -> out) only see
finite values within the target's range (pscan saturates where C is
undefined and numpy is platform-dependent), and float -> bool conversions
never see NaN.

Each case's seed is base_seed * 100000 + index; --replay SEED reruns one case
verbosely. The cases run in a forked child so a crash or hang in the library
is reported with its case seed and the run goes on with the next case.
The last line is "N passed, N failed"; the exit status is 1 if any failed.
"""

import argparse
import mmap
import os
import signal
import sys
import time
import traceback
import warnings

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_host  # noqa: E402
import pscan_ctypes as pc  # noqa: E402

TILE = 4096            # the REPRODUCIBLE tile (src/engine.h, PSCAN_TILE)
GUARD = 64             # guard bytes before and after every buffer
SEED_MUL = 100000      # case seed = base * SEED_MUL + index

DTYPES = pc.ALL_DTYPES
BOOL = np.dtype(np.bool_)
INT_DTYPES = [d for d in DTYPES if d.kind in "iu"]
FLOAT_DTYPES = [d for d in DTYPES if d.kind == "f"]
COMPLEX_DTYPES = [d for d in DTYPES if d.kind == "c"]


OP_NAMES = {pc.PSCAN_SUM: "SUM", pc.PSCAN_PROD: "PROD", pc.PSCAN_MAX: "MAX",
            pc.PSCAN_MIN: "MIN"}


def default_acc(dt, op=pc.PSCAN_SUM):
    """numpy's accumulator (README, Semantics): cumsum and cumprod widen
    bool and narrow integers; maximum/minimum keep the input type."""
    if op in (pc.PSCAN_MAX, pc.PSCAN_MIN):
        return dt
    if dt.kind == "b" or (dt.kind == "i" and dt.itemsize < 8):
        return np.dtype(np.int64)
    if dt.kind == "u" and dt.itemsize < 8:
        return np.dtype(np.uint64)
    return dt


def is_inexact(dt):
    return dt.kind in "fc"


def is_integral(dt):
    return dt.kind in "biu"


def real_dtype(dt):
    if dt.kind == "c":
        return np.dtype(np.float32) if dt.itemsize == 8 else np.dtype(np.float64)
    return dt


def uint_of(dt):
    return np.dtype("u%d" % dt.itemsize)


def short(dt):
    return "default" if dt is None else np.dtype(dt).name


# --------------------------------------------------------------------------
# Buffers and views
# --------------------------------------------------------------------------

MISALIGN = [0]   # bytes added to every buffer's start in the current case


class Buffer(object):
    """A raw byte buffer with guard bytes on both sides, filled with noise.
    Its data start is 64-byte aligned plus MISALIGN[0] bytes (elements not
    aligned to their size: numpy allows it, the header does not forbid it)."""

    def __init__(self, rng, nbytes, align=64):
        self.raw = np.empty(nbytes + 2 * GUARD + align + 8, dtype=np.uint8)
        self.raw[...] = np.frombuffer(rng.bytes(self.raw.size), dtype=np.uint8)
        addr = self.raw.ctypes.data
        self.start = GUARD + ((-(addr + GUARD)) % align) + MISALIGN[0]
        self.nbytes = nbytes
        self.addr = addr

    def region(self, offset, nbytes):
        return self.raw[self.start + offset:self.start + offset + nbytes]


def byte_mask(buf, arr):
    """Boolean mask over buf.raw: the bytes that arr's elements occupy."""
    mask = np.zeros(buf.raw.size, dtype=bool)
    if arr.size == 0:
        return mask
    off0 = arr.__array_interface__["data"][0] - buf.addr
    if arr.flags.c_contiguous or arr.flags.f_contiguous:
        mask[off0:off0 + arr.nbytes] = True
        return mask
    offs = np.full(arr.shape, off0, dtype=np.int64)
    for d in range(arr.ndim):
        sh = [1] * arr.ndim
        sh[d] = arr.shape[d]
        offs = offs + (np.arange(arr.shape[d], dtype=np.int64) * arr.strides[d]).reshape(sh)
    offs = offs.reshape(-1)
    for k in range(arr.itemsize):
        mask[offs + k] = True
    return mask


class View(object):
    """A view with the buffer behind it and a description of its layout."""

    def __init__(self, arr, src, buf, tags):
        self.arr = arr      # what pscan sees (may be a broadcast view)
        self.src = src      # the writable view the values go to
        self.buf = buf
        self.tags = tags

    def describe(self):
        return "%s%s" % (",".join(self.tags) if self.tags else "C", list(self.arr.strides))


def make_view(rng, shape, dt, style, allow_bcast=False):
    """A view of `shape` and dtype `dt` inside a fresh guarded buffer.

    style 'c': C-contiguous; 'random': random steps (incl. negative), axis
    permutation / Fortran order, spare elements, zero strides (input only)."""
    nd = len(shape)
    steps = [1] * nd
    perm = list(range(nd))
    bcast = [False] * nd
    extra = [0] * nd
    tags = []
    if style == "random" and nd > 0:
        r = rng.random()
        if r < 0.15:
            perm = perm[::-1]
            tags.append("F")
        elif r < 0.40:
            perm = [int(p) for p in rng.permutation(nd)]
            if perm != list(range(nd)):
                tags.append("perm%s" % "".join(str(p) for p in perm))
        if rng.random() < 0.7:
            for d in range(nd):
                if rng.random() < 0.5:
                    steps[d] = int(rng.choice([2, 3, -1, -1, -2, -3]))
                if rng.random() < 0.3:
                    extra[d] = int(rng.integers(1, 3))
            if any(s != 1 for s in steps):
                tags.append("steps%s" % steps)
        if allow_bcast and rng.random() < 0.15:
            for d in range(nd):
                if shape[d] > 1 and rng.random() < 0.5:
                    bcast[d] = True
            if any(bcast):
                tags.append("bcast%s" % [d for d in range(nd) if bcast[d]])
    src_shape = [1 if bcast[d] else shape[d] for d in range(nd)]
    base_len = [src_shape[d] * abs(steps[d]) + extra[d] for d in range(nd)]
    phys = [base_len[perm[i]] for i in range(nd)]
    count = int(np.prod(phys)) if nd else 1
    buf = Buffer(rng, count * dt.itemsize)
    base = buf.region(0, count * dt.itemsize).view(dt).reshape(phys)
    logical = base.transpose(np.argsort(perm)) if nd else base
    sl = []
    for d in range(nd):
        n, s, L = src_shape[d], steps[d], base_len[d]
        o = int(rng.integers(0, L - n * abs(s) + 1))
        if s > 0:
            sl.append(slice(o, o + n * s, s))
        elif n == 0:
            sl.append(slice(o, o, s))
        else:
            start = o + (n - 1) * (-s)
            sl.append(slice(start, o - 1 if o >= 1 else None, s))
    src = logical[tuple(sl)] if nd else logical
    assert list(src.shape) == src_shape, (src.shape, src_shape)
    arr = np.broadcast_to(src, tuple(shape)) if any(bcast) else src
    return View(arr, src, buf, tags)


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------

SPECIALS = [np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324, 1e-310, 1e-40, 6e-8,
            3e-8, 65504.0, 65520.0, -65520.0, 3.4028234663852886e38, 1e39,
            1.7976931348623157e308, -1.7976931348623157e308, 2.0 ** 24 + 1,
            2.0 ** 53 + 1, 9.3e18, -9.3e18]


def near_ties(rng, n, mant_bits, emin, emax):
    """float64 values at or near the half-way points of a binary format with
    `mant_bits` stored mantissa bits (10: float16, 23: float32)."""
    e = rng.integers(emin, emax + 1, size=n).astype(np.float64)
    m = rng.integers(0, 2 ** mant_bits, size=n).astype(np.float64)
    h = np.ldexp(1.0 + m / 2.0 ** mant_bits, e.astype(np.int64))
    half_ulp = np.ldexp(1.0, (e - mant_bits - 1).astype(np.int64))
    j = rng.integers(1, 52 - mant_bits, size=n)
    t = np.where(rng.random(n) < 0.3, 0.0,
                 np.where(rng.random(n) < 0.5, 1.0, -1.0) * np.ldexp(1.0, -j))
    x = h + half_ulp * (1.0 + t)
    return np.where(rng.random(n) < 0.5, -x, x)


def gen_float64(rng, n, level, nonneg, specials_p):
    if level >= 4:
        return np.zeros(n)
    if level == 3:
        v = np.where(rng.random(n) < 3.0 / max(n, 1), np.array([0.5, 1.0])[rng.integers(0, 2, size=n)], 0.0)
        return v
    if level == 2:
        lo = 0 if nonneg else -12
        return rng.integers(lo, 13, size=n) / 4.0
    if level == 1:
        v = rng.standard_normal(n) * 100.0
        return np.abs(v) if nonneg else v
    style = rng.integers(0, 6)
    if style == 0:
        v = rng.standard_normal(n) * 10.0 ** rng.uniform(-2, 3)
    elif style == 1:
        v = rng.standard_normal(n) * 10.0 ** rng.uniform(-40, 40, size=n)
    elif style == 2:
        v = rng.integers(-50, 51, size=n).astype(np.float64)
    elif style == 3:
        v = near_ties(rng, n, 10, -24, 15)      # float16 rounding
    elif style == 4:
        v = near_ties(rng, n, 23, -140, 120)    # float32 rounding
    else:                                       # signed zeros, ties
        v = np.array([-0.0, 0.0, -0.0, 0.0, -1.0, 1.0, 2.0])[rng.integers(0, 7, size=n)]
    if nonneg:
        v = np.abs(v)
    if specials_p > 0:
        mask = rng.random(n) < specials_p
        v = np.where(mask, np.array(SPECIALS)[rng.integers(0, len(SPECIALS), size=n)], v)
    return v


def gen_values(rng, dt, n, level, nonneg):
    """n values of dtype dt; level 0 (wide, specials) .. 4 (zeros)."""
    if dt.kind == "b":
        if level >= 4:
            return np.zeros(n, dtype=dt)
        p = 3.0 / max(n, 1) if level == 3 else float(rng.choice([0.5, 0.1, 0.9, 0.02]))
        return rng.random(n) < p
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = int(info.min), int(info.max)
        if level >= 4:
            return np.zeros(n, dtype=dt)
        if level == 3:
            return (rng.random(n) < 3.0 / max(n, 1)).astype(dt)
        if level in (1, 2):
            b = 1000 if level == 1 else 3
            a = 0 if (nonneg or lo == 0) else max(lo, -b)
            return rng.integers(a, min(hi, b) + 1, size=n).astype(dt)
        full = rng.integers(lo, hi, size=n, dtype=dt, endpoint=True)
        small = rng.integers(max(lo, -100), min(hi, 100) + 1, size=n).astype(dt)
        spec = np.array([lo, hi, 0, 1, lo + 1, hi - 1, hi // 2 + 1] + ([-1] if lo < 0 else []),
                        dtype=object)
        spec = spec[rng.integers(0, len(spec), size=n)].astype(dt)
        w = rng.dirichlet([1, 1, 1])
        pick = np.searchsorted(np.cumsum(w)[:2], rng.random(n), side='right')
        return np.where(pick == 0, full, np.where(pick == 1, small, spec)).astype(dt)
    specials_p = 0.0 if rng.random() < 0.5 else float(rng.choice([0.01, 0.05]))
    re = gen_float64(rng, n, level, nonneg, specials_p)
    if dt.kind == "c":
        im = gen_float64(rng, n, level, nonneg, specials_p)
        with np.errstate(all="ignore"):
            out = np.empty(n, dtype=dt)
            out.real = re
            out.imag = im
        return out
    with np.errstate(all="ignore"):
        return re.astype(dt)


# --------------------------------------------------------------------------
# Constraints on the data (documented differences are kept out)
# --------------------------------------------------------------------------

def int_range(dt):
    info = np.iinfo(dt)
    lo, hi = float(info.min), float(info.max)
    if dt.itemsize == 8:   # stay clear of 2**63 / 2**64, where float64 rounds
        lo = lo * (1 - 2.0 ** -20)
        hi = hi * (1 - 2.0 ** -20)
    return lo, hi


def fits_integral(vals, target):
    """True if converting the float/complex `vals` to integral `target` is
    well defined (finite, in range; bool: no NaN)."""
    if vals.size == 0:
        return True
    re = np.asarray(vals.real, dtype=np.float64)
    im = np.asarray(vals.imag, dtype=np.float64) if vals.dtype.kind == "c" else None
    if target.kind == "b":
        ok = not np.isnan(re).any()
        return ok and (im is None or not np.isnan(im).any())
    if not np.isfinite(re).all() or (im is not None and not np.isfinite(im).all()):
        return False
    lo, hi = int_range(target)
    if target.itemsize < 8:   # C truncates: (lo - 1, hi + 1) is defined
        return bool((re > lo - 1).all() and (re < hi + 1).all())
    return bool((re >= lo).all() and (re <= hi).all())


def numpy_scan(op, src, axis, acc, out_dt, out_shape):
    """numpy's answer, into a fresh array of out's dtype, and the same in the
    accumulator type."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exp = np.empty(out_shape, dtype=out_dt)
        if op == pc.PSCAN_SUM:
            np.cumsum(src, axis=axis, dtype=acc, out=exp)
            exp_acc = np.cumsum(src, axis=axis, dtype=acc)
        elif op == pc.PSCAN_PROD:
            np.cumprod(src, axis=axis, dtype=acc, out=exp)
            exp_acc = np.cumprod(src, axis=axis, dtype=acc)
        else:
            uf = np.maximum if op == pc.PSCAN_MAX else np.minimum
            if axis is None or src.ndim == 0:   # ufunc.accumulate wants an axis
                src, axis = src.reshape(-1), 0
            uf.accumulate(src, axis=axis, dtype=acc, out=exp)
            exp_acc = uf.accumulate(src, axis=axis, dtype=acc)
    return exp, exp_acc


def abs_cumsum(src, axis, acc):
    """Running sums of |x| (converted to acc) along the lanes, in float64,
    for the real and imaginary parts (imag None for real accumulators)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = src.astype(acc)
        re = np.cumsum(np.abs(np.asarray(a.real, dtype=np.float64)), axis=axis)
        im = None
        if acc.kind == "c":
            im = np.cumsum(np.abs(np.asarray(a.imag, dtype=np.float64)), axis=axis)
        vals_exact = True
        for part in [a.real] + ([a.imag] if acc.kind == "c" else []):
            p = np.asarray(part, dtype=np.float64) * 4.0
            if p.size and not (np.isfinite(p).all() and (p == np.round(p)).all()):
                vals_exact = False
    return re, im, vals_exact


MANT = {2: 11, 4: 24, 8: 53}   # significand bits by real itemsize


# --------------------------------------------------------------------------
# Case generation
# --------------------------------------------------------------------------

def gen_shape(rng, nd, long_dim, max_total=20000):
    """Mostly small dims (0..7, some zero-length), now and then 8..40 (panel
    plans, merged dims); with long_dim one dim is longer than the tile."""
    def one():
        r = rng.random()
        if r < 0.04:
            return 0
        if r < 0.16:
            return 1
        if r < 0.90:
            return int(rng.integers(2, 8))
        return int(rng.integers(8, 41))
    shape = [one() for _ in range(nd)]
    if long_dim and nd > 0:
        d = int(rng.integers(0, nd))
        L = int(rng.choice([4095, 4096, 4097, 8191, 8192, 8193,
                            int(rng.integers(4098, 9000)), int(rng.integers(4098, 9000))]))
        for k in range(nd):
            if k == d:
                shape[k] = L
            elif shape[k] == 0:
                shape[k] = 1
        max_total = 80000
    while int(np.prod(shape)) > max_total:
        k = int(np.argmax([s if not (long_dim and s >= 4095) else 0 for s in shape]))
        shape[k] = max(1, shape[k] // 2)
    return shape


def gen_big_shape(rng):
    """Enough elements for several threads (the engine wants 2**16 per
    thread): 1-D, or 2-D/3-D with the long side on either axis."""
    total = int(rng.integers(140000, 1200000))
    nd = int(rng.choice([1, 1, 2, 2, 3]))
    if nd == 1:
        return [total]
    if nd == 2:
        a = int(rng.choice([2, 3, 7, 16, 100, 600, 2000]))
        shape = [a, total // a]
    else:
        a, b = int(rng.choice([2, 5, 30])), int(rng.choice([3, 8, 200]))
        shape = [a, b, max(1, total // (a * b))]
    return [int(x) for x in rng.permutation(shape)]


def pick_acc(rng, in_dt):
    if rng.random() < 0.5:
        return None
    return DTYPES[int(rng.integers(0, len(DTYPES)))]


def pick_dtype(rng):
    return DTYPES[int(rng.integers(0, len(DTYPES)))]


def pick_axis(rng, nd):
    if nd == 0:
        return [None, 0, -1][int(rng.integers(0, 3))]
    if rng.random() < 0.3:
        return None
    return int(rng.integers(-nd, nd))


class Case(object):
    pass


def build_case(case_seed):
    rng = np.random.default_rng(case_seed)
    c = Case()
    c.seed = case_seed
    r = rng.random()
    c.kind = ("plain" if r < 0.80 else "inplace" if r < 0.87 else
              "overlap")
    c.order = pc.PSCAN_ORDER_REPRODUCIBLE if rng.random() < 0.2 else pc.PSCAN_ORDER_SEQUENTIAL
    c.threads = int(rng.choice([0, 0, 0, 0, 1, 1, 2, 2, 3]))
    c.threads2 = int(rng.choice([t for t in (1, 2, 3) if t != c.threads]))
    r = rng.random()
    c.op = (pc.PSCAN_SUM if r < 0.75 else pc.PSCAN_PROD if r < 0.83 else
            pc.PSCAN_MAX if r < 0.92 else pc.PSCAN_MIN)
    c.use_scan = c.op != pc.PSCAN_SUM or rng.random() < 0.15
    c.null_opts = (c.order == pc.PSCAN_ORDER_REPRODUCIBLE and c.threads == 0
                   and rng.random() < 0.3)
    c.in_dt = pick_dtype(rng)
    MISALIGN[0] = int(rng.integers(1, 8)) if rng.random() < 0.04 else 0
    c.misalign = MISALIGN[0]
    c.acc = pick_acc(rng, c.in_dt)
    c.acc_eff = default_acc(c.in_dt, c.op) if c.acc is None else c.acc
    c.overlap = None
    c.null_in_strides = False
    c.null_out_strides = False
    long_dim = rng.random() < 0.07
    big = c.kind == "plain" and rng.random() < 0.03
    c.big = big

    if c.kind == "plain":
        c.out_dt = c.acc_eff if rng.random() < 0.5 else pick_dtype(rng)
        nd = int(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]))
        if long_dim:
            nd = int(rng.choice([1, 1, 2, 3]))
        shape = gen_shape(rng, nd, long_dim)
        if big:
            shape = gen_big_shape(rng)
            nd = len(shape)
        c.axis = pick_axis(rng, nd)
        vin = make_view(rng, shape, c.in_dt, "c" if rng.random() < 0.3 else "random",
                        allow_bcast=True)
        if c.axis is None or nd == 0:
            out_shape = [int(np.prod(shape))] if nd else [1]
        else:
            out_shape = shape
        out_fresh = rng.random() < 0.5
        vout = make_view(rng, out_shape, c.out_dt, "c" if out_fresh else "random")
        c.out_layout = "fresh" if out_fresh else "view"
        c.vin, c.vout = vin, vout
        c.buffers = [vin.buf, vout.buf]
        if vin.arr.flags.c_contiguous and rng.random() < 0.3:
            c.null_in_strides = True
        if vout.arr.flags.c_contiguous and rng.random() < 0.3:
            c.null_out_strides = True
    elif c.kind == "inplace":
        c.out_dt = c.in_dt
        if rng.random() < 0.3:   # the same bytes seen as another dtype
            c.out_dt = pick_dtype(rng)
            while c.out_dt.itemsize != c.in_dt.itemsize:
                c.out_dt = pick_dtype(rng)
        nd = int(rng.choice([1, 1, 2, 2, 3, 4]))
        if long_dim:
            nd = int(rng.choice([1, 2]))
        shape = gen_shape(rng, nd, long_dim)
        v = make_view(rng, shape, c.in_dt, "random")
        if nd >= 2 and v.arr.flags.c_contiguous and rng.random() < 0.4:
            # same bytes, flattened layout: axis None into in.reshape(-1)
            c.axis = None
            c.overlap = "flat"
            flat = v.arr.reshape(-1).view(c.out_dt)
            vout = View(flat, flat, v.buf, ["flat"])
        else:
            c.axis = pick_axis(rng, nd) if nd == 1 else int(rng.integers(-nd, nd))
            c.overlap = "same"
            vout = v if c.out_dt == c.in_dt else View(v.arr.view(c.out_dt),
                                                     v.arr.view(c.out_dt), v.buf, v.tags)
        c.out_layout = "in-place(%s)" % c.overlap
        c.vin, c.vout = v, vout
        c.buffers = [v.buf]
    else:
        build_overlap(rng, c, long_dim)

    c.in_shape = list(c.vin.arr.shape)
    c.out_shape = list(c.vout.arr.shape)
    c.lane = lane_length(c.in_shape, c.axis)
    c.tolerant = (c.order == pc.PSCAN_ORDER_REPRODUCIBLE and is_inexact(c.acc_eff)
                  and c.lane > TILE and c.op in (pc.PSCAN_SUM, pc.PSCAN_PROD))
    fill_values(rng, c)
    return c


def lane_length(shape, axis):
    if not shape:
        return 1
    if axis is None:
        return int(np.prod(shape))
    return shape[axis]


def build_overlap(rng, c, long_dim):
    """in and out are different views of the same bytes."""
    sub = ["shift", "shift", "reverse", "transpose", "dtypes"][int(rng.integers(0, 5))]
    c.out_dt = c.in_dt
    c.out_layout = "overlap(%s)" % sub
    c.overlap = sub
    if sub == "shift":
        nd = int(rng.choice([1, 2, 3]))
        shape = gen_shape(rng, nd, long_dim)
        if nd == 1 and long_dim:
            shape = [shape[0]]
        k = int(rng.integers(1, 4))
        d = int(rng.integers(0, nd))
        big = list(shape)
        big[d] += k
        v = make_view(rng, big, c.in_dt, "random")
        a = [slice(None)] * nd
        b = [slice(None)] * nd
        a[d] = slice(0, shape[d])
        b[d] = slice(k, k + shape[d])
        if rng.random() < 0.5:
            a, b = b, a
        vin_arr, vout_arr = v.arr[tuple(a)], v.arr[tuple(b)]
        c.axis = pick_axis(rng, nd) if nd == 1 else int(rng.integers(-nd, nd))
        c.out_layout += "[dim%d by %d]" % (d, k)
    elif sub == "reverse":
        nd = int(rng.choice([1, 2, 3]))
        shape = gen_shape(rng, nd, long_dim)
        v = make_view(rng, shape, c.in_dt, "random")
        flip = [d for d in range(nd) if rng.random() < 0.6] or [0]
        vin_arr, vout_arr = v.arr, np.flip(v.arr, axis=tuple(flip))
        c.axis = pick_axis(rng, nd) if nd == 1 else int(rng.integers(-nd, nd))
        c.out_layout += "[flip%s]" % flip
    elif sub == "transpose":
        m = int(rng.integers(1, 8)) if not long_dim else int(rng.integers(60, 90))
        shape = [m, m] + ([int(rng.integers(1, 4))] if rng.random() < 0.3 else [])
        v = make_view(rng, shape, c.in_dt, "random")
        vin_arr, vout_arr = v.arr, v.arr.swapaxes(0, 1)
        c.axis = int(rng.integers(-len(shape), len(shape)))
    else:  # dtypes: a 1-D in and a 1-D out of another dtype over the same bytes
        c.out_dt = pick_dtype(rng)
        n = int(rng.integers(0, 40)) if not long_dim else int(rng.integers(4090, 9000))
        isz = max(c.in_dt.itemsize, c.out_dt.itemsize)
        buf = Buffer(rng, (n + 2) * isz * 2)
        oi = int(rng.integers(0, 3)) * c.in_dt.itemsize
        oo = int(rng.integers(0, 3)) * c.out_dt.itemsize
        vin_arr = buf.region(oi, n * c.in_dt.itemsize).view(c.in_dt)
        vout_arr = buf.region(oo, n * c.out_dt.itemsize).view(c.out_dt)
        if rng.random() < 0.3:
            vout_arr = vout_arr[::-1]
        if rng.random() < 0.2:
            vin_arr = vin_arr[::-1]
        c.axis = [None, 0, -1][int(rng.integers(0, 3))]
        c.out_layout += "[in@%d out@%d]" % (oi, oo)
        v = View(vin_arr, vin_arr, buf, [])
    c.big = False
    c.vin = View(vin_arr, vin_arr, v.buf, v.tags + ["in"])
    c.vout = View(vout_arr, vout_arr, v.buf, v.tags + ["out"])
    c.buffers = [v.buf]


def conversions(c):
    """(float->integral conversion targets, need nonneg)."""
    targets = []
    if is_inexact(c.in_dt) and is_integral(c.acc_eff):
        targets.append(("in", c.acc_eff))
    if is_inexact(c.acc_eff) and is_integral(c.out_dt):
        targets.append(("acc", c.out_dt))
    nonneg = any(t.kind == "u" for _, t in targets)
    return targets, nonneg


def fill_values(rng, c):
    """Write values into the input, choosing the data level so that the
    documented differences cannot occur; compute numpy's answer."""
    targets, nonneg = conversions(c)
    src_view = c.vin.src
    n = src_view.size
    level = 0
    if c.tolerant:
        level = int(rng.choice([1, 2, 2]))
    in_target = [t for w, t in targets if w == "in"]
    prod_units = rng.random() < 0.6 or c.acc_eff.kind == "c"
    edge = (level == 0 and in_target and len(targets) == 1 and in_target[0].kind != "b"
            and rng.random() < 0.5)
    while True:
        if level >= 4:                  # zeros satisfy every constraint
            vals = gen_values(rng, c.in_dt, n, 4, False)
        elif c.op == pc.PSCAN_PROD and c.tolerant:
            vals = unit_values(rng, c.in_dt, n, exact=True, nonneg=nonneg and level > 0)
        elif c.op == pc.PSCAN_PROD and level == 0 and prod_units:
            vals = unit_values(rng, c.in_dt, n, exact=False,
                               small_only=c.acc_eff.kind == "c")
        elif edge and level == 0:
            vals = edge_values(rng, c.in_dt, n, in_target[0])
        else:
            vals = gen_values(rng, c.in_dt, n, level, nonneg and level > 0)
        src_view[...] = vals.reshape(src_view.shape)
        src = c.vin.arr.copy()      # what numpy copies when memory overlaps
        exp, exp_acc = numpy_scan(c.op, src, c.axis, c.acc_eff, c.out_dt, c.out_shape)
        ok = True
        for where, t in targets:
            if where == "in" and not fits_integral(src, t):
                ok = False
            if where == "acc" and not fits_integral(exp_acc, t):
                ok = False
        if ok and c.tolerant and c.op == pc.PSCAN_SUM:
            ok = tame_for_tolerance(c, src, exp_acc)
        if ok:
            break
        if level >= 4:
            raise RuntimeError("test bug: no data satisfies the conversion constraints")
        level += 1
    c.level = level if not edge or level > 0 else -1   # -1: edge values
    c.src = src
    c.exp = exp
    c.exp_acc = exp_acc
    c.exact_any_order = False
    # numpy's complex multiply is fused on AVX-512 hosts (numpy_host.py):
    # complex cumprod is compared within a bound on every host.
    c.fma_bound = c.op == pc.PSCAN_PROD and c.acc_eff.kind == "c"
    if c.tolerant and c.op == pc.PSCAN_PROD:
        c.exact_any_order = True      # products of +-1 and 0: exact in any order
    elif c.tolerant:
        re, im, vals_exact = abs_cumsum(src, c.axis, c.acc_eff)
        c.abscum = (re, im)
        mant = MANT[real_dtype(c.acc_eff).itemsize]
        mx = max(float(re.max()) if re.size else 0.0,
                 float(im.max()) if im is not None and im.size else 0.0)
        c.exact_any_order = vals_exact and mx * 4.0 < 2.0 ** mant
        c.exact_any_order = c.exact_any_order and not (
            is_inexact(c.out_dt) and c.out_dt.itemsize < c.acc_eff.itemsize and
            real_dtype(c.out_dt).itemsize < real_dtype(c.acc_eff).itemsize and
            mx * 4.0 >= 2.0 ** MANT[real_dtype(c.out_dt).itemsize])


def unit_values(rng, dt, n, exact, small_only=False, nonneg=False):
    """Factors that keep running products alive: +-1 and 0 (exact in any
    order), or also 2, 3 and values near 1 (small_only: no 2, 3, so that
    long complex products never overflow)."""
    if dt.kind == "b":
        return rng.random(n) < 0.995
    big = [] if exact or small_only else [2, 3]
    base = [1, 1, 1, 1, -1] + big
    if dt.kind == "u" or nonneg:
        base = [1, 1, 1, 1] + big
    v = np.array(base, dtype=np.float64)[rng.integers(0, len(base), size=n)]
    v = np.where(rng.random(n) < 0.0005, 0.0, v)
    if not exact and dt.kind in "fc":
        v = np.where(rng.random(n) < 0.5, 1.0 + rng.standard_normal(n) * 0.01, v)
    if dt.kind == "c":
        out = np.empty(n, dtype=dt)
        out.real = v
        out.imag = 0.0 if exact else np.where(rng.random(n) < 0.2, rng.standard_normal(n) * 0.01, 0.0)
        return out
    return v.astype(dt)


def edge_values(rng, dt, n, target):
    """Values all over the range where float -> integral `target` is
    defined, its ends included (float input, integer accumulator)."""
    lo, hi = int_range(target)
    if target.itemsize < 8:
        lo, hi = lo - 0.999, hi + 0.999
    fmax = float(np.finfo(real_dtype(dt)).max)
    lo, hi = max(lo, -fmax), min(hi, fmax)
    pick = rng.random(n)
    v = np.where(pick < 0.6, rng.uniform(lo, hi, size=n),
                 np.where(pick < 0.8, hi - rng.random(n) * 2, lo + rng.random(n) * 2))
    v = np.clip(v, lo, hi)
    with np.errstate(all="ignore"):
        r = v.astype(real_dtype(dt))
        back = r.astype(np.float64)
        r[~((back >= lo) & (back <= hi))] = 0    # rounded out of range
    if dt.kind == "c":
        out = np.empty(n, dtype=dt)
        out.real = r
        out.imag = rng.standard_normal(n) * 1e3
        return out
    return r


def tame_for_tolerance(c, src, exp_acc):
    """Long float lanes in REPRODUCIBLE order are compared with a bound:
    keep their partial sums finite and far from overflow."""
    re, im, _ = abs_cumsum(src, c.axis, c.acc_eff)
    mx = max(float(re.max()) if re.size else 0.0,
             float(im.max()) if im is not None and im.size else 0.0)
    if not np.isfinite(mx):
        return False
    lim = float(np.finfo(real_dtype(c.acc_eff)).max) / 16
    if is_inexact(c.out_dt):
        lim = min(lim, float(np.finfo(real_dtype(c.out_dt)).max) / 16)
    if c.out_dt.kind in "iu":
        lo, hi = int_range(c.out_dt)
        lim = min(lim, hi / 2)
        if c.out_dt.kind == "u" and (np.asarray(exp_acc.real) < 0).any():
            return False
    return mx < lim


def describe(c):
    api = "scan(%s)" % OP_NAMES[c.op] if c.use_scan else "cumsum"
    order = "REPRO" if c.order == pc.PSCAN_ORDER_REPRODUCIBLE else "SEQ"
    return ("%s%s in=%s%s strides=%s[%s] acc=%s(%s) out=%s%s %s strides=%s axis=%s order=%s "
            "threads=%s%s level=%d%s%s%s" % (
                "BIG " if c.big else "", api, c.in_dt.name, tuple(c.in_shape), list(c.vin.arr.strides),
                ",".join(c.vin.tags) or "C",
                short(c.acc), c.acc_eff.name, c.out_dt.name, tuple(c.out_shape), c.out_layout,
                list(c.vout.arr.strides), c.axis, order,
                "NULL-opts" if c.null_opts else c.threads,
                " tol" if (c.tolerant or c.fma_bound) and not c.exact_any_order else "",
                c.level,
                " in-strides=NULL" if c.null_in_strides else "",
                " out-strides=NULL" if c.null_out_strides else "",
                " misaligned+%d" % c.misalign if c.misalign else ""))


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def fmt_val(dt, x):
    x = np.asarray(x, dtype=dt).reshape(())
    if dt.kind in "fc":
        bits = np.asarray(x).reshape(1).view(uint_of(real_dtype(dt)))
        return "%r (bits %s)" % (x.item(), " ".join("0x%0*x" % (2 * real_dtype(dt).itemsize, int(b))
                                                   for b in bits))
    if dt.kind == "b":
        return "%r (byte %d)" % (bool(x), int(np.asarray(x).reshape(1).view(np.uint8)[0]))
    return repr(int(x))


def exact_mismatch(exp, got, zero_sign_free=False):
    """Mask of elements that differ bit for bit (any NaN matches any NaN;
    with zero_sign_free, -0.0 matches +0.0)."""
    dt = exp.dtype
    if dt.kind in "iu":
        return exp != got
    if dt.kind == "b":
        return exp.view(np.uint8) != got.view(np.uint8)
    rdt = real_dtype(dt)
    e = exp.reshape(exp.shape + (1,)).view(rdt) if dt.kind == "c" else exp
    g = got.reshape(got.shape + (1,)).view(rdt) if dt.kind == "c" else got
    ub = uint_of(rdt)
    m = (e.view(ub) != g.view(ub)) & ~(np.isnan(e) & np.isnan(g))
    if zero_sign_free:
        m &= ~((e == 0) & (g == 0))
    if dt.kind == "c":
        m = m.any(axis=-1)
    return m


COMPLEX_PRODUCT_LABEL = ("values (complex product, within 4 (n + 1) ulps of |z|: numpy fuses "
                         "the multiply on AVX-512 hosts)")


def tolerant_mismatch(c, exp, got):
    """Long float lanes in REPRODUCIBLE order: |got - exp| within the error
    bound of both orders ((n + tile + n/tile) * eps/2 * sum|x|)."""
    L = c.lane
    eps = float(np.finfo(real_dtype(c.acc_eff)).eps)
    factor = (L + TILE + L / TILE + 2) * eps / 2
    re, im = c.abscum
    dt = exp.dtype
    if dt.kind == "b":
        # a sum that is zero in one order may be tiny in the other
        acc = c.exp_acc
        small = np.abs(acc.real) <= factor * re
        if im is not None:
            small &= np.abs(acc.imag) <= factor * im
        return (exp != got) & ~small
    parts_e = [np.asarray(exp.real, dtype=np.float64)]
    parts_g = [np.asarray(got.real, dtype=np.float64)]
    tols = [factor * re]
    if dt.kind == "c":
        parts_e.append(np.asarray(exp.imag, dtype=np.float64))
        parts_g.append(np.asarray(got.imag, dtype=np.float64))
        tols.append(factor * im if im is not None else np.zeros_like(re))
    mism = np.zeros(exp.shape, dtype=bool)
    for e, g, t in zip(parts_e, parts_g, tols):
        t = t.reshape(e.shape)
        if dt.kind in "iu":
            t = t + 1.0
        else:
            t = t + np.abs(e) * float(np.finfo(real_dtype(dt)).eps)
        with np.errstate(all="ignore"):
            bad = ~(np.abs(e - g) <= t)
        both_same_nonfinite = (~np.isfinite(e)) & ((e == g) | (np.isnan(e) & np.isnan(g)))
        mism |= bad & ~both_same_nonfinite
    return mism


def first_mismatch_msg(exp, got, mism, label):
    idx = np.argwhere(mism)
    first = tuple(int(i) for i in idx[0])
    return ("%s: %d of %d elements differ; first at %s: expected %s, got %s" % (
        label, len(idx), mism.size, list(first), fmt_val(exp.dtype, exp[first]),
        fmt_val(got.dtype, got[first])))


# --------------------------------------------------------------------------
# Running a case
# --------------------------------------------------------------------------

class NumpyLib(object):
    """Stand-in for the library (--dry-run): checks the harness itself."""

    def cumsum(self, arr_in, axis, acc, arr_out, opts=None, op=pc.PSCAN_SUM, **kw):
        src = arr_in.copy()
        acc = default_acc(src.dtype, op) if acc is None else acc
        _, r = numpy_scan(op, src, axis, acc, acc, arr_out.shape)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr_out[...] = r.reshape(arr_out.shape).astype(arr_out.dtype)
        return 0

    def strerror(self, s):
        return "numpy stand-in"


def call_lib(lib, c, threads):
    opts = None if c.null_opts else pc.opts_init(threads=threads, order=c.order)
    return lib.cumsum(c.vin.arr, c.axis, c.acc, c.vout.arr, opts, use_scan=c.use_scan, op=c.op,
                      null_in_strides=c.null_in_strides,
                      null_out_strides=c.null_out_strides)


def run_case(lib, case_seed, verbose=False):
    """Returns (ok, list of messages)."""
    c = build_case(case_seed)
    msgs = []
    desc = describe(c)
    if verbose:
        print("case %d: %s" % (case_seed, desc))
        np.set_printoptions(threshold=200, linewidth=120)
        print("input (numpy copy):\n%r" % (c.src,))
        print("expected:\n%r" % (c.exp,))
    snaps = [b.raw.copy() for b in c.buffers]
    out_mask = byte_mask(c.vout.buf, c.vout.arr)

    def check_guards(tag):
        bad = []
        for b, s in zip(c.buffers, snaps):
            changed = b.raw != s
            if b is c.vout.buf:
                changed &= ~out_mask
            if changed.any():
                pos = np.flatnonzero(changed)
                bad.append("%s: %d bytes outside out changed (first at byte %d of the "
                           "buffer, data starts at %d, %d data bytes)" % (
                               tag, len(pos), int(pos[0]), b.start, b.nbytes))
        return bad

    st = call_lib(lib, c, c.threads)
    if st != 0:
        msgs.append("status %s (%s)" % (pc.status_name(st), lib.strerror(st)))
        return False, desc, msgs
    got = c.vout.arr.copy()
    if verbose:
        print("got:\n%r" % (got,))
    if c.tolerant and not c.exact_any_order:
        mism = tolerant_mismatch(c, c.exp, got)
        label = "values (REPRODUCIBLE, bound)"
    elif c.fma_bound and not c.exact_any_order:
        mism = numpy_host.complex_product_mismatch(c.exp, got, c.exp_acc, c.lane, c.acc_eff)
        label = COMPLEX_PRODUCT_LABEL
    else:
        # Complex products of +-1 and 0 are exact in any order except for
        # the sign of a zero part (re*im' + im*re' of signed zeros).
        zsf = c.tolerant and c.op == pc.PSCAN_PROD and c.acc_eff.kind == "c"
        mism = exact_mismatch(c.exp, got, zero_sign_free=zsf)
        label = "values"
    if mism.any():
        msgs.append(first_mismatch_msg(c.exp, got, mism, label))
    msgs.extend(check_guards("after call"))

    if c.order == pc.PSCAN_ORDER_REPRODUCIBLE and not msgs and c.exp.size > 0:
        # bit-identical for another thread count
        for b, s in zip(c.buffers, snaps):
            b.raw[...] = s
        saved_null = c.null_opts
        c.null_opts = False
        st2 = call_lib(lib, c, c.threads2)
        c.null_opts = saved_null
        if st2 != 0:
            msgs.append("second call (threads=%d): status %s" % (c.threads2, pc.status_name(st2)))
        else:
            got2 = c.vout.arr.copy()
            diff = got.reshape(-1).view(np.uint8) != got2.reshape(-1).view(np.uint8)
            if diff.any():
                m = (got.view(np.uint8).reshape(got.shape + (-1,)) !=
                     got2.view(np.uint8).reshape(got.shape + (-1,))).any(axis=-1)
                msgs.append(first_mismatch_msg(got, got2, m,
                                               "REPRODUCIBLE threads=%s vs threads=%d" % (
                                                   "NULL-opts" if c.null_opts else c.threads,
                                                   c.threads2)))
            msgs.extend(check_guards("second call"))
    return not msgs, desc, msgs


# --------------------------------------------------------------------------
# Driver: cases run in a forked child; a crash or hang costs one case
# --------------------------------------------------------------------------

def shared_state():
    """Three int64 counters in shared memory: current case index, passed,
    failed. Each is written with one aligned 8-byte store (no torn reads;
    struct.pack_into would zero the whole record first)."""
    shm = mmap.mmap(-1, 64)
    return shm, np.frombuffer(shm, dtype=np.int64, count=3)


def run_range(lib, args, state, start, n_cases, base):
    """Cases start..n_cases-1; state holds [current index, passed, failed]."""
    if start == 0 and not args.dry_run:
        for m in lib.check_enums():
            print("FAIL preflight: " + m)
            state[2] += 1
        sys.stdout.flush()
    for i in range(start, n_cases):
        state[0] = i
        seed = base * SEED_MUL + i
        try:
            ok, desc, msgs = run_case(lib, seed)
        except Exception:
            ok, desc, msgs = False, "(case could not run)", [traceback.format_exc()]
        if ok:
            state[1] += 1
        else:
            print("FAIL case seed %d: %s" % (seed, desc))
            for m in msgs:
                print("    " + m)
            sys.stdout.flush()
            state[2] += 1
        state[0] = i + 1
    sys.stdout.flush()


def child_loop(args, state, start, n_cases, base):
    try:
        lib = NumpyLib() if args.dry_run else pc.Lib(args.lib)
    except OSError as e:
        print("cannot load %s: %s" % (args.lib, e))
        sys.stdout.flush()
        os._exit(3)
    run_range(lib, args, state, start, n_cases, base)
    os._exit(0)


def run_all(args, base):
    shm, state = shared_state()
    state[:] = 0
    start = 0
    while start < args.cases:
        sys.stdout.flush()
        state[0] = start
        pid = os.fork()
        if pid == 0:
            child_loop(args, state, start, args.cases, base)
        last, since = int(state[0]), time.monotonic()
        while True:
            wpid, status = os.waitpid(pid, os.WNOHANG)
            if wpid != 0:
                break
            cur = int(state[0])
            now = time.monotonic()
            if cur != last:
                last, since = cur, now
            elif now - since > args.hang_s:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = None
                break
            time.sleep(0.02)
        if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            break
        if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3:
            print("0 passed, 1 failed")
            sys.exit(2)
        cur = int(state[0])
        seed = base * SEED_MUL + cur
        if status is None:
            why = "hung (no progress for %d s)" % args.hang_s
        elif os.WIFSIGNALED(status):
            why = "crashed with signal %d" % os.WTERMSIG(status)
        else:
            why = "exited with status %d" % os.WEXITSTATUS(status)
        desc = "?"
        try:
            desc = describe(build_case(seed))
        except Exception:
            pass
        print("FAIL case seed %d: %s\n    the library %s" % (seed, desc, why))
        state[2] += 1
        start = cur + 1
    return int(state[1]), int(state[2])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", help="path to libpscan.so")
    ap.add_argument("--cases", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=0, help="base seed (0: from the clock)")
    ap.add_argument("--replay", type=int, default=None, metavar="SEED",
                    help="rerun the one case with this case seed, verbosely")
    ap.add_argument("--dry-run", action="store_true",
                    help="use numpy itself in place of the library (checks the harness)")
    ap.add_argument("--no-fork", action="store_true",
                    help="run the cases in this process (a crash ends the run)")
    ap.add_argument("--hang-s", type=int, default=120,
                    help="seconds without progress before a case counts as hung")
    args = ap.parse_args()
    if not args.dry_run and not args.lib:
        ap.error("--lib is required (or --dry-run)")

    if args.replay is not None:
        lib = NumpyLib() if args.dry_run else pc.Lib(args.lib)
        ok, desc, msgs = run_case(lib, args.replay, verbose=True)
        for m in msgs:
            print("    " + m)
        print("%d passed, %d failed" % (int(ok), int(not ok)))
        return 0 if ok else 1

    base = args.seed
    if base == 0:
        base = int(time.time() * 1000) % 1000000000 + 1
    print(numpy_host.host_line())
    print("numpy %s, library %s, base seed %d, %d cases (case seed = %d * %d + index)" % (
        np.__version__, "numpy stand-in" if args.dry_run else args.lib, base, args.cases,
        base, SEED_MUL))
    t0 = time.time()
    if args.no_fork:
        lib = NumpyLib() if args.dry_run else pc.Lib(args.lib)
        state = np.zeros(3, dtype=np.int64)
        run_range(lib, args, state, 0, args.cases, base)
        passed, failed = int(state[1]), int(state[2])
    else:
        passed, failed = run_all(args, base)
    print("time %.1f s; replay one case with --replay SEED" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
