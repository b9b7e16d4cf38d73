"""pscan_linear_recurrence against numpy, through ctypes (Debian's python3 + numpy).

    recurrence_numpy.py PATH/TO/libpscan.so [--cases N] [--seed S]

Random cases: out float32/float64/complex64/complex128, a and b of that
dtype or converted from another (ints, float32 into float64), shapes up to
3-d with strided, reversed and transposed views, a broadcast (0 strides),
every axis and axis=None, y0 none, 0-d or per lane, the flags REVERSE,
EXCLUSIVE and INCLUDE_INITIAL, both orders, 1 to 4 threads, out in place
of b. The reference is written here with numpy over all lanes at once,
one element step at a time: y = a * y + b with complex products as
(ac - bd, ad + bc) from separate real operations (numpy's own complex
multiply may be fused on some hosts), the tile rule (4096-element tiles,
pairs reduced left to right, incoming values chained) for REPRODUCIBLE
lanes, the plain loop for SEQUENTIAL ones; every comparison is bit for
bit. Where scipy imports, float64 cases with a constant a are also checked
against scipy.signal.lfilter([1], [1, -a], b) within a relative bound.

--seed S draws the same cases on every run (0: a new seed each run).
"""
import argparse
import ctypes
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import pscan_ctypes as pc  # noqa: E402

try:
    from scipy.signal import lfilter
except ImportError:
    lfilter = None

TILE = 4096
OUT_DTYPES = ["float32", "float64", "complex64", "complex128"]


def mul(a, y):
    if a.dtype.kind != "c":
        return a * y
    r = np.empty(np.broadcast(a, y).shape, a.dtype)
    r.real = a.real * y.real - a.imag * y.imag
    r.imag = a.real * y.imag + a.imag * y.real
    return r


def step(a, y, b):
    p = mul(a, y)
    if a.dtype.kind != "c":
        return p + b
    r = np.empty(p.shape, a.dtype)
    r.real = p.real + b.real
    r.imag = p.imag + b.imag
    return r


def inclusive(a, b, y, tiled):
    """a, b: (..., n) of the value type; y: (...) incoming values."""
    n = a.shape[-1]
    out = np.empty(a.shape, a.dtype)
    width = TILE if tiled else max(n, 1)
    for start in range(0, n, width):
        end = min(start + width, n)
        A, B = a[..., start].copy(), b[..., start].copy()
        for i in range(start + 1, end):
            A = mul(a[..., i], A)
            B = step(a[..., i], B, b[..., i])
        z = y
        for i in range(start, end):
            z = step(a[..., i], z, b[..., i])
            out[..., i] = z
        y = step(A, y, B)
    return out


def reference(a, b, axis, y0, flags, tiled, odt, out_shape):
    a = a.astype(odt)
    b = b.astype(odt)
    if axis is None:
        a, b, axis = a.reshape(-1), b.reshape(-1), 0
    a = np.moveaxis(a, axis, -1)
    b = np.moveaxis(b, axis, -1)
    lanes = a.shape[:-1]
    y = np.zeros(lanes, odt) if y0 is None else np.broadcast_to(np.asarray(y0).astype(odt), lanes).copy()
    if flags & pc.PSCAN_FLAG_REVERSE:
        a, b = a[..., ::-1], b[..., ::-1]
    n = a.shape[-1]
    if flags & pc.PSCAN_FLAG_EXCLUSIVE:
        body = inclusive(a[..., :max(n - 1, 0)], b[..., :max(n - 1, 0)], y, tiled)
        res = np.concatenate([y[..., None], body], axis=-1)[..., :n]
    elif flags & pc.PSCAN_FLAG_INCLUDE_INITIAL:
        res = np.concatenate([y[..., None], inclusive(a, b, y, tiled)], axis=-1)
    else:
        res = inclusive(a, b, y, tiled)
    if flags & pc.PSCAN_FLAG_REVERSE:
        res = res[..., ::-1]
    if len(out_shape) == 1 and res.ndim == 1:
        return res
    return np.moveaxis(res, -1, axis)


def random_view(rng, base_shape, dt):
    """A random array of base_shape, as a strided, reversed or transposed view."""
    kind = rng.integers(0, 4)
    shape = list(base_shape)
    if kind == 1 and len(shape) >= 2:   # transposed storage
        perm = list(rng.permutation(len(shape)))
        store = np.empty([shape[p] for p in perm], dt)
        view = np.transpose(store, np.argsort(perm))
    elif kind == 2:                      # every other element, maybe reversed
        big = np.empty([2 * s for s in shape], dt)
        sl = tuple(slice(None, None, 2) if rng.integers(0, 2) else slice(None, None, -2) for _ in shape)
        view = big[sl]
    else:
        view = np.empty(shape, dt)
    return view


def fill(rng, view, lo):
    dt = view.dtype
    if dt.kind in "iu":
        view[...] = rng.integers(-3 if dt.kind == "i" else 0, 4, view.shape)
        return
    mag = lo + (1 - lo) * rng.random(view.shape)
    vals = np.where(rng.random(view.shape) < 0.5, -mag, mag)
    if dt.kind == "c":
        im = (2 * rng.random(view.shape) - 1) * 0.5
        view[...] = (vals * 0.7 + 1j * im * 0.7).astype(dt)
    else:
        view[...] = vals.astype(dt)


def bits_equal(x, y):
    x = np.ascontiguousarray(x)
    y = np.ascontiguousarray(y)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    u = {4: np.uint32, 8: np.uint64}[x.dtype.itemsize if x.dtype.kind != "c" else x.dtype.itemsize // 2]
    return np.array_equal(x.view(u), y.view(u))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--cases", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    seed = args.seed or int(np.random.SeedSequence().entropy % (1 << 31))
    print("seed", seed)
    rng = np.random.default_rng(seed)
    np.seterr(all="ignore")  # int inputs of |a| > 1 overflow to inf and nan, in both
    lib = pc.Lib(args.lib)
    fn = lib.dll.pscan_linear_recurrence
    arrp = ctypes.POINTER(pc.PscanArray)
    fn.argtypes = [arrp, arrp, ctypes.c_int, arrp, arrp, ctypes.POINTER(pc.PscanOpts)]
    fn.restype = ctypes.c_int
    failures = 0
    kinds = {"long": 0, "in_place": 0, "broadcast": 0, "lfilter": 0}
    for case in range(args.cases):
        odt = np.dtype(OUT_DTYPES[rng.integers(0, 4)])
        long_lane = rng.random() < 0.04
        if long_lane:
            shape = [int(rng.integers(TILE + 1, 3 * TILE + 100))]
            if rng.random() < 0.5:
                shape = [int(rng.integers(1, 3))] + shape
            kinds["long"] += 1
        else:
            shape = [int(rng.integers(0, 8)) for _ in range(int(rng.integers(1, 4)))]
        ndim = len(shape)
        axis = None if rng.random() < 0.2 else int(rng.integers(0, ndim))
        if long_lane and axis is not None:
            axis = ndim - 1
        in_dt = [odt if rng.random() < 0.7 else np.dtype(rng.choice(["int16", "int32", "float32"]))
                 for _ in range(2)]
        if odt.kind == "f" and in_dt[0].itemsize > odt.itemsize:
            in_dt[0] = odt
        lo = float(rng.choice([0.0, 0.9, 0.999]))
        a = random_view(rng, shape, in_dt[0])
        fill(rng, a, lo)
        if rng.random() < 0.15 and axis is not None:   # a broadcast: one value per lane, or one in all
            src = np.empty([1] * ndim, in_dt[0])
            fill(rng, src, lo)
            a = np.broadcast_to(src, shape)
            kinds["broadcast"] += 1
        b = random_view(rng, shape, in_dt[1])
        fill(rng, b, 0.0)
        flags = int(rng.choice([0, 0, pc.PSCAN_FLAG_REVERSE, pc.PSCAN_FLAG_EXCLUSIVE,
                                pc.PSCAN_FLAG_INCLUDE_INITIAL,
                                pc.PSCAN_FLAG_REVERSE | pc.PSCAN_FLAG_EXCLUSIVE,
                                pc.PSCAN_FLAG_REVERSE | pc.PSCAN_FLAG_INCLUDE_INITIAL]))
        order = int(rng.integers(0, 2))
        threads = int(rng.integers(1, 5))
        size = int(np.prod(shape))
        if axis is None:
            lanes_shape = []
            out_shape = [size + (1 if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL else 0)]
        else:
            lanes_shape = shape[:axis] + shape[axis + 1:]
            out_shape = list(shape)
            out_shape[axis] += 1 if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL else 0
        y0_kind = int(rng.integers(0, 3))
        y0 = None
        if y0_kind == 1:
            y0 = np.array(rng.random() * 2 - 1, dtype=np.float64)
        elif y0_kind == 2 and lanes_shape:
            y0 = (rng.random(lanes_shape) * 2 - 1).astype(odt)
        in_place = (not flags & pc.PSCAN_FLAG_INCLUDE_INITIAL and in_dt[1] == odt and axis is not None
                    and rng.random() < 0.2)
        if in_place:
            out = b
            b_before = b.copy()
            kinds["in_place"] += 1
        else:
            out = random_view(rng, out_shape, odt)
            out[...] = 0
            b_before = b
        expect = reference(a, b_before, axis, y0, flags, order == pc.PSCAN_ORDER_REPRODUCIBLE, odt,
                           out_shape)
        da, db, do = pc.ArrayDesc(a), pc.ArrayDesc(b), pc.ArrayDesc(out)
        dy = pc.ArrayDesc(y0) if y0 is not None else None
        opts = pc.opts_init(threads=threads, order=order, flags=flags)
        status = fn(da.ref(), db.ref(), pc.PSCAN_AXIS_NONE if axis is None else axis,
                    dy.ref() if dy else None, do.ref(), ctypes.byref(opts))
        ok = status == pc.PSCAN_OK and bits_equal(out, expect)
        if ok and lfilter is not None and odt == np.float64 and axis is not None and len(shape) == 1 \
                and a.strides[0] == 0 and flags == 0 and y0 is None and shape[0] > 0:
            kinds["lfilter"] += 1
            c = float(a[0])
            ref = lfilter([1.0], [1.0, -c], b_before.astype(np.float64))
            ok = np.allclose(out, ref, rtol=1e-10 * shape[0], atol=1e-12 * shape[0])
        if not ok:
            failures += 1
            if failures <= 10:
                print("case %d FAILED: status %s, out %s, shape %s, axis %s, flags %d, order %d, threads %d,"
                      " in %s, y0 %s, in_place %s" % (case, pc.status_name(status), odt, shape, axis, flags,
                                                      order, threads, in_dt, y0_kind, in_place))
    print("%d cases (%s), %d failures%s" % (args.cases, ", ".join("%s %d" % kv for kv in kinds.items()),
                                            failures, "" if lfilter else "; scipy absent: no lfilter checks"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
