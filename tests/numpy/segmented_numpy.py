"""Segmented scans against a numpy reference, through ctypes.

    segmented_numpy.py PATH/TO/libpscan.so [--cases N] [--seed S]

Random arrays (ints, bools, float16/32/64, complex; with NaNs), shapes up
to 3-d as strided views, every axis and axis=None, ops SUM/PROD/MAX/MIN,
segments as start flags (bool, int8, int32; in's shape or 1-D shared),
offsets and keys (ints, floats with NaN and -0.0), the flags EXCLUSIVE,
REVERSE and SKIP_NAN, converting out dtypes, 1 to 4 threads. The
reference scans each segment alone with numpy's accumulate (flipped for
REVERSE, shifted for EXCLUSIVE, NaN replaced for SKIP_NAN). Float lanes
longer than a 4096-element tile run in the SEQUENTIAL order, which is
numpy's left to right; shorter ones in the default REPRODUCIBLE order, the
same within a tile: every comparison is bit for bit (any NaN matches any
NaN). Complex products are left out (numpy fuses them on some hosts).
"""
import argparse
import ctypes
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import pscan_ctypes as pc  # noqa: E402
from flags_numpy import expected, same_bits, default_acc, random_values  # noqa: E402

FLAGS, OFFSETS, KEYS = 0, 1, 2
DTYPES = ["bool", "int8", "int32", "int64", "uint16", "uint64", "float16", "float32", "float64",
          "complex64", "complex128"]


class PscanSegments(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("array", pc.PscanArray)]


def bind(lib):
    d = lib.dll
    arrp = ctypes.POINTER(pc.PscanArray)
    d.pscan_scan_segmented.argtypes = [ctypes.c_int, arrp, ctypes.c_int, ctypes.c_int, arrp,
                                       ctypes.POINTER(PscanSegments), ctypes.POINTER(pc.PscanOpts)]
    d.pscan_scan_segmented.restype = ctypes.c_int


def call(lib, op, a, axis, acc, out, kind, seg, opts):
    din, dout, dseg = pc.ArrayDesc(a), pc.ArrayDesc(out), pc.ArrayDesc(seg)
    segs = PscanSegments(kind, dseg.struct)
    ax = pc.PSCAN_AXIS_NONE if axis is None else int(axis)
    return lib.dll.pscan_scan_segmented(op, din.ref(), ax, pc.pscan_dtype_of(acc), dout.ref(),
                                        ctypes.byref(segs), ctypes.byref(opts))


def keys_differ(k):
    a, b = k[1:], k[:-1]
    if k.dtype.kind == "c":
        same = ((a.real == b.real) | (np.isnan(a.real) & np.isnan(b.real))) & \
               ((a.imag == b.imag) | (np.isnan(a.imag) & np.isnan(b.imag)))
    elif k.dtype.kind == "f":
        same = (a == b) | (np.isnan(a) & np.isnan(b))
    else:
        same = a == b
    return ~same


def lane_starts(kind, seg_lane, n):
    starts = np.zeros(n, bool)
    if kind == FLAGS:
        starts[:] = seg_lane != 0
    elif kind == KEYS:
        starts[1:] = keys_differ(seg_lane)
    else:
        o = seg_lane[seg_lane < n]
        starts[o] = True
    if n:
        starts[0] = True
    return starts


def segment_expected(op, x, acc, flags):
    """One segment scanned alone (1-D)."""
    if acc.kind != "b" or not flags & pc.PSCAN_FLAG_EXCLUSIVE:
        return expected(op, x, 0, acc, flags)
    # bool's identities: False for SUM and MAX, True for PROD and MIN
    r = expected(op, x, 0, acc, flags & ~pc.PSCAN_FLAG_EXCLUSIVE)
    first = np.array([op in (pc.PSCAN_PROD, pc.PSCAN_MIN)], bool)
    if flags & pc.PSCAN_FLAG_REVERSE:
        return np.concatenate([r[1:], first])
    return np.concatenate([first, r[:-1]])


def reference(op, a, axis, acc, kind, seg, shared, flags):
    x = a.reshape(1, -1) if axis is None else np.moveaxis(a, axis, -1)
    n = x.shape[-1]
    lanes = x.reshape(-1, n)
    if kind == OFFSETS or shared:
        segs = [np.asarray(seg)] * lanes.shape[0]
    else:
        s = seg.reshape(1, -1) if axis is None else np.moveaxis(seg, axis, -1)
        segs = list(s.reshape(-1, n))
    r = np.empty(lanes.shape, acc)
    for k in range(lanes.shape[0]):
        starts = lane_starts(kind, segs[k], n)
        bounds = list(np.flatnonzero(starts)) + [n]
        for s0, e in zip(bounds[:-1], bounds[1:]):
            r[k, s0:e] = segment_expected(op, lanes[k, s0:e], acc, flags)
    r = r.reshape(x.shape)
    return r.reshape(-1) if axis is None else np.moveaxis(r, -1, axis)


def random_segments(rng, kind, a, axis, n):
    if kind == OFFSETS:
        count = int(rng.integers(0, max(n // 2, 1) + 2))
        return np.sort(rng.integers(0, n + 1, count)).astype(np.int64), True
    shared = rng.random() < 0.35
    shape = (n,) if shared else a.shape
    p = rng.choice([0.02, 0.2, 0.6])
    if kind == FLAGS:
        dt = rng.choice(["bool", "int8", "int32"])
        f = (rng.random(shape) < p).astype(dt)
        if dt != "bool":
            f = f * rng.integers(1, 100, shape).astype(dt)
        seg = f
    else:
        dt = np.dtype(rng.choice(["int16", "int64", "float32", "float64", "complex64"]))
        runs = np.cumsum(rng.random(shape) < p, axis=-1 if shared or axis is None else axis)
        seg = (runs % 3).astype(dt)
        if dt.kind in "fc":
            seg[seg == 1] = np.nan
            zero = seg == 0
            seg[zero & (rng.random(shape) < 0.5)] = -0.0
    if not shared and rng.random() < 0.3 and a.ndim:  # a strided view of flags/keys
        big = np.zeros(tuple(2 * s for s in seg.shape), seg.dtype)
        view = big[tuple(slice(None, None, 2) for _ in seg.shape)]
        view[...] = seg
        seg = view
    return seg, shared


def main():
    p = argparse.ArgumentParser()
    p.add_argument("lib")
    p.add_argument("--cases", type=int, default=1500)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    lib = pc.Lib(args.lib)
    bind(lib)
    seed = args.seed or int(np.random.default_rng().integers(1, 1 << 31))
    print("seed", seed)
    rng = np.random.default_rng(seed)
    failures = 0
    for case in range(args.cases):
        dt = np.dtype(DTYPES[rng.integers(len(DTYPES))])
        op = int(rng.integers(4))
        if dt.kind == "c" and op == pc.PSCAN_PROD:
            op = pc.PSCAN_SUM
        nd = int(rng.integers(1, 4))
        long_lane = nd == 1 and rng.random() < 0.1
        shape = tuple(int(rng.integers(1, 20000 if long_lane else (9 if nd > 1 else 300)))
                      for _ in range(nd))
        base = random_values(rng, dt, tuple(s * 2 for s in shape), op) if dt.kind != "b" else \
            rng.random(tuple(s * 2 for s in shape)) < 0.5
        a = base[tuple(slice(None, None, 2) for _ in shape)]
        if rng.random() < 0.2:
            a = np.flip(a, int(rng.integers(nd)))
        axis = None if rng.random() < 0.25 else int(rng.integers(nd))
        n = a.size if axis is None else a.shape[axis]
        kind = int(rng.integers(3))
        seg, shared = random_segments(rng, kind, a, axis, n)
        if axis is None and kind != OFFSETS and shared:
            seg = seg.reshape(-1)
        flags = 0
        for f in (pc.PSCAN_FLAG_EXCLUSIVE, pc.PSCAN_FLAG_REVERSE, pc.PSCAN_FLAG_SKIP_NAN):
            if rng.random() < 0.35:
                flags |= f
        acc = default_acc(op, dt) if rng.random() < 0.8 else \
            np.dtype("float64" if dt.kind in "fb" else dt)
        if dt.kind == "c" and acc.kind != "c":
            acc = dt
        order = pc.PSCAN_ORDER_SEQUENTIAL if n > 4096 or rng.random() < 0.3 else \
            pc.PSCAN_ORDER_REPRODUCIBLE
        threads = int(rng.integers(1, 5))
        want = reference(op, a, axis, acc, kind, seg, shared, flags)
        out_dt = acc if rng.random() < 0.8 else np.dtype("complex128" if acc.kind == "c" else "float64")
        out = np.full(want.shape, 7, out_dt)
        opts = pc.opts_init(threads=threads, order=order, flags=flags)
        status = call(lib, op, a, axis, acc, out, kind, seg, opts)
        want_out = want.astype(out_dt)
        if status != pc.PSCAN_OK or not same_bits(out, want_out):
            failures += 1
            if failures <= 10:
                print("case %d FAILED: status %s op %d dtype %s shape %s axis %s kind %d shared %s "
                      "flags %d acc %s out %s threads %d order %d" % (
                          case, pc.status_name(status), op, dt, a.shape, axis, kind, shared,
                          flags, acc, out_dt, threads, order))
                if status == pc.PSCAN_OK and out.size < 40:
                    print("  got ", out.reshape(-1))
                    print("  want", want_out.reshape(-1))
    print("%d cases, %d failures" % (args.cases, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
