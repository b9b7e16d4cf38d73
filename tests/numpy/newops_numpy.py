"""LOGADDEXP and the bitwise ops against numpy, through ctypes.

    newops_numpy.py PATH/TO/libpscan.so [--cases N] [--seed S]

N random cases per op (default 1000) of np.logaddexp.accumulate and
np.bitwise_and/or/xor.accumulate: every accepted input dtype, the default
accumulator or an explicit one, shapes up to 3-d with strided and
transposed views, every axis and axis=None, lanes longer than a 4096-element
tile in a tenth of the cases, out of another dtype, the flags REVERSE,
EXCLUSIVE, INCLUDE_INITIAL and SKIP_NAN (NaN counted as -inf), both orders
and 1..4 threads.

Bitwise results must equal numpy's bit for bit. logaddexp under SEQUENTIAL
must too where this host's numpy computes npy_logaddexp with the libm the
library calls (probed first on random pairs, through ctypes); where it does
not, and for REPRODUCIBLE (tiles regroup the steps), each element must lie
within BOUND_ULPS * (steps + 1) units in the last place of the accumulator,
scaled by the largest magnitude among the partial results up to it (each
step adds at most a few ulps of error, and no step amplifies an earlier
one: d logaddexp(a, b) / da <= 1). Every REPRODUCIBLE case also runs with
threads 1..4 and must give the same bits each time.

--seed S draws the same cases on every run (0: a new seed each run).
"""
import argparse
import ctypes
import ctypes.util
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import pscan_ctypes as pc  # noqa: E402

BOUND_ULPS = 4
UFUNCS = {pc.PSCAN_LOGADDEXP: np.logaddexp, pc.PSCAN_BIT_AND: np.bitwise_and,
          pc.PSCAN_BIT_OR: np.bitwise_or, pc.PSCAN_BIT_XOR: np.bitwise_xor}
NAMES = {pc.PSCAN_LOGADDEXP: "LOGADDEXP", pc.PSCAN_BIT_AND: "BIT_AND",
         pc.PSCAN_BIT_OR: "BIT_OR", pc.PSCAN_BIT_XOR: "BIT_XOR"}
INTS = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float16", "float32", "float64"]


def libm_agrees(rng):
    """True when numpy's logaddexp is npy_logaddexp over the libm this
    process loads (the library's), for float32 and float64."""
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    for name, ct in (("exp", ctypes.c_double), ("log1p", ctypes.c_double),
                     ("expf", ctypes.c_float), ("log1pf", ctypes.c_float)):
        getattr(libm, name).argtypes = [ct]
        getattr(libm, name).restype = ct
    for dt, exp, log1p in ((np.float64, libm.exp, libm.log1p),
                           (np.float32, libm.expf, libm.log1pf)):
        x = (rng.standard_normal(2000) * 30).astype(dt)
        y = (rng.standard_normal(2000) * 30).astype(dt)
        got = np.logaddexp(x, y)
        for a, b, g in zip(x, y, got):
            if a == b:
                want = a + dt(0.693147180559945309417232121458176568)
            else:
                d = dt(a - b)
                want = (a + dt(log1p(exp(-d)))) if d > 0 else (b + dt(log1p(exp(d))))
            if dt(want).tobytes() != dt(g).tobytes():
                return False
    return True


def identity(op, acc):
    if op == pc.PSCAN_LOGADDEXP:
        return np.array(-np.inf, acc)
    if op == pc.PSCAN_BIT_AND:
        return np.array(True if acc.kind == "b" else -1, acc) if acc.kind != "u" else \
            np.array(np.iinfo(acc).max, acc)
    return np.zeros((), acc)


def expected(op, a, axis, acc, flags):
    x = a.reshape(-1) if axis is None else a
    ax = 0 if axis is None else axis
    if op == pc.PSCAN_LOGADDEXP and flags & pc.PSCAN_FLAG_SKIP_NAN and x.dtype.kind == "f":
        x = np.where(np.isnan(x), np.array(-np.inf, x.dtype), x)
    if flags & pc.PSCAN_FLAG_REVERSE:
        x = np.flip(x, ax)
    with np.errstate(all="ignore"):
        r = UFUNCS[op].accumulate(x, axis=ax, dtype=acc) if x.shape[ax] else x.astype(acc)
    r = r.astype(acc)
    if flags & (pc.PSCAN_FLAG_EXCLUSIVE | pc.PSCAN_FLAG_INCLUDE_INITIAL):
        first_shape = list(r.shape)
        first_shape[ax] = 1
        first = np.full(first_shape, identity(op, acc), acc)
        rest = r if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL else \
            np.take(r, range(max(r.shape[ax] - 1, 0)), axis=ax)
        r = np.concatenate([first, rest], axis=ax)
        if flags & pc.PSCAN_FLAG_EXCLUSIVE and x.shape[ax] == 0:
            r = np.take(r, range(0), axis=ax)
    if flags & pc.PSCAN_FLAG_REVERSE:
        r = np.flip(r, ax)
    return r


def within_bound(got, want, acc, axis, flags):
    """Each element within BOUND_ULPS * (steps + 1) ulps of the largest
    partial result up to it along its lane (NaN and infinities exact)."""
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    ax = 0 if axis is None else axis
    if axis is None:
        g, w = g.reshape(-1), w.reshape(-1)
    if flags & pc.PSCAN_FLAG_REVERSE:
        g, w = np.flip(g, ax), np.flip(w, ax)
    finite = np.isfinite(w)
    same_special = (np.isnan(g) & np.isnan(w)) | (g == w)
    if not np.all(same_special | finite):
        return False
    scale = np.maximum.accumulate(np.where(finite, np.abs(w), 0.0), axis=ax)
    scale = np.maximum(scale, 1.0)
    shape = [1] * w.ndim
    shape[ax] = w.shape[ax]
    steps = np.arange(1, w.shape[ax] + 1, dtype=np.float64).reshape(shape)
    eps = float(np.finfo(acc).eps)
    bound = BOUND_ULPS * steps * eps * scale
    with np.errstate(invalid="ignore"):
        ok = same_special | (np.abs(g - w) <= bound)
    return bool(np.all(ok))


def random_input(rng, dt, shape):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return rng.random(shape) < 0.7
    if dt.kind in "iu":
        info = np.iinfo(dt)
        # many set bits so AND keeps some of them for a while
        v = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
        v2 = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
        return v | v2 if rng.random() < 0.5 else v
    span = {"float16": 6.0, "float32": 40.0, "float64": 200.0}[dt.name]
    x = ((rng.random(shape) - 0.5) * span).astype(dt)
    if rng.random() < 0.3 and x.size:
        flat = x.reshape(-1)
        k = rng.integers(0, flat.size, size=max(1, flat.size // 50))
        flat[k] = rng.choice(np.array([np.nan, np.inf, -np.inf, 0.0], dt), size=k.size)
    return x


def random_view(rng, a):
    """a itself, a strided slice of a bigger array, or a transpose."""
    pick = rng.integers(0, 3)
    if pick == 1 and a.ndim >= 1:
        big_shape = list(a.shape)
        big_shape[-1] = big_shape[-1] * 2 + 1
        big = np.zeros(big_shape, a.dtype)
        view = big[..., 1::2]
        view[...] = a
        return view
    if pick == 2 and a.ndim >= 2:
        return np.ascontiguousarray(np.swapaxes(a, 0, a.ndim - 1)).swapaxes(0, a.ndim - 1)
    return a


def run_case(lib, rng, op, exact_libm, stats):
    in_names = FLOATS + INTS if op == pc.PSCAN_LOGADDEXP else INTS
    dt = np.dtype(str(rng.choice(in_names)))
    long_lane = rng.random() < 0.1
    ndim = 1 if long_lane else int(rng.integers(1, 4))
    if long_lane:
        shape = (int(rng.integers(4097, 3 * 4096 + 100)),)
    else:
        shape = tuple(int(rng.integers(0, 9 if ndim > 1 else 300)) for _ in range(ndim))
    a = random_view(rng, random_input(rng, dt, shape))
    axis = None if rng.random() < 0.2 else int(rng.integers(0, ndim))
    if op == pc.PSCAN_LOGADDEXP:
        acc = None if rng.random() < 0.6 else np.dtype(str(rng.choice(FLOATS)))
    else:
        acc = None if rng.random() < 0.6 else np.dtype(str(rng.choice(INTS)))
    acc_dt = np.dtype(UFUNCS[op].accumulate(np.zeros(1, dt)).dtype) if acc is None else acc
    flags = 0
    if rng.random() < 0.3:
        flags |= pc.PSCAN_FLAG_REVERSE
    r = rng.random()
    if r < 0.2:
        flags |= pc.PSCAN_FLAG_EXCLUSIVE
    elif r < 0.35:
        flags |= pc.PSCAN_FLAG_INCLUDE_INITIAL
    if rng.random() < 0.3:
        flags |= pc.PSCAN_FLAG_SKIP_NAN
    order = pc.PSCAN_ORDER_SEQUENTIAL if rng.random() < 0.5 else pc.PSCAN_ORDER_REPRODUCIBLE
    want = expected(op, a, axis, acc_dt, flags)
    out_dt = acc_dt if rng.random() < 0.8 else np.dtype("float64" if acc_dt.kind == "f" else "int64")
    want_out = want.astype(out_dt)
    desc_in = pc.ArrayDesc(a)
    results = []
    for threads in ((1, 2, 3, 4) if order == pc.PSCAN_ORDER_REPRODUCIBLE else (int(rng.integers(1, 5)),)):
        out = np.full(want.shape, 7, out_dt)
        desc_out = pc.ArrayDesc(out)
        o = pc.opts_init(threads=threads, order=order, flags=flags)
        s = lib.dll.pscan_scan(op, desc_in.ref(), pc.PSCAN_AXIS_NONE if axis is None else axis,
                               pc.pscan_dtype_of(acc), desc_out.ref(), ctypes.byref(o))
        if s != pc.PSCAN_OK:
            return "%s %s acc %s axis %s flags %d: %s" % (NAMES[op], dt, acc, axis, flags,
                                                        pc.status_name(s))
        results.append(out)
    what = "%s %s shape %s acc %s out %s axis %s flags %d order %d" % (
        NAMES[op], dt, a.shape, acc_dt, out_dt, axis, flags, order)
    for out in results[1:]:
        if out.tobytes() != results[0].tobytes():
            return what + ": thread counts differ"
    got = results[0]
    if op != pc.PSCAN_LOGADDEXP:
        if got.tobytes() != want_out.tobytes():
            return what + ": bits differ from numpy"
        stats["exact"] += 1
        return None
    both_nan = np.isnan(got) & np.isnan(want_out)
    same = both_nan | ((got == want_out) & (np.signbit(got) == np.signbit(want_out)))
    bits_equal = bool(np.all(same))
    if bits_equal:
        stats["exact"] += 1
        return None
    if order == pc.PSCAN_ORDER_SEQUENTIAL and exact_libm and out_dt == acc_dt:
        return what + ": SEQUENTIAL bits differ from numpy on a host whose libm agrees"
    if not within_bound(got.astype(acc_dt) if out_dt == acc_dt else got, want, acc_dt, axis,
                        flags):
        return what + ": beyond the bound"
    stats["bounded"] += 1
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lib")
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    seed = args.seed or int(np.random.SeedSequence().entropy % (1 << 31))
    print("seed %d" % seed)
    rng = np.random.default_rng(seed)
    lib = pc.Lib(args.lib)
    exact_libm = libm_agrees(rng)
    print("numpy's logaddexp is this libm's: %s" % ("yes (SEQUENTIAL compared bit for bit)"
                                                    if exact_libm else "no (compared within the bound)"))
    failures = 0
    for op in (pc.PSCAN_LOGADDEXP, pc.PSCAN_BIT_AND, pc.PSCAN_BIT_OR, pc.PSCAN_BIT_XOR):
        stats = {"exact": 0, "bounded": 0}
        for case in range(args.cases):
            err = run_case(lib, rng, op, exact_libm, stats)
            if err:
                failures += 1
                print("FAIL case %d: %s" % (case, err))
                if failures > 20:
                    return 1
        print("%s: %d cases, %d bit for bit, %d within the bound" % (
            NAMES[op], args.cases, stats["exact"], stats["bounded"]))
    print("FAILED: %d" % failures if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
