"""The option flags against numpy, through ctypes (Debian's python3 + numpy).

    flags_numpy.py PATH/TO/libpscan.so [--cases N] [--seed S]

Random arrays (float16/32/64, complex64/128, ints; with NaNs), shapes up to
3-d with strided views, every axis and axis=None, ops SUM/PROD/MAX/MIN:
  skip-NaN         numpy.nancumsum / nancumprod (SUM/PROD; max/min: NaN
                   replaced by -inf/+inf before maximum/minimum.accumulate)
  reverse          flip, accumulate, flip
  exclusive        identity, then the accumulation without its last step
  include-initial  identity, then the accumulation (numpy 2's
                   cumulative_sum(include_initial=True))
Lanes stay within one 4096-element tile, where pscan's REPRODUCIBLE order is
numpy's left to right, so every comparison is bit for bit (any NaN matches
any NaN), except complex products: numpy fuses the complex multiply on
AVX-512 hosts and not on AVX2-only ones, so those are compared within a
bound in ulps on every host (numpy_host.py).

--seed S draws the same cases on every run (0: a new seed each run); the
seed is printed, and every seed must pass.
"""
import argparse
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import numpy_host  # noqa: E402
import pscan_ctypes as pc  # noqa: E402

UFUNCS = {pc.PSCAN_SUM: np.add, pc.PSCAN_PROD: np.multiply,
          pc.PSCAN_MAX: np.maximum, pc.PSCAN_MIN: np.minimum}
DTYPES = ["float16", "float32", "float64", "complex64", "complex128", "int32", "int64", "uint8"]


def default_acc(op, dt):
    if op in (pc.PSCAN_SUM, pc.PSCAN_PROD) and (dt.kind == "b" or (dt.kind in "iu" and dt.itemsize < 8)):
        return np.dtype("uint64" if dt.kind == "u" else "int64")
    return dt


def identity(op, acc):
    if op == pc.PSCAN_SUM:
        return np.zeros((), acc)
    if op == pc.PSCAN_PROD:
        return np.ones((), acc)
    low = op == pc.PSCAN_MAX
    if acc.kind in "iu":
        info = np.iinfo(acc)
        return np.array(info.min if low else info.max, acc)
    inf = -np.inf if low else np.inf
    return np.array(complex(inf, inf) if acc.kind == "c" else inf, acc)


def expected(op, a, axis, acc, flags):
    x = a.reshape(-1) if axis is None else a
    ax = 0 if axis is None else axis
    if flags & pc.PSCAN_FLAG_SKIP_NAN and x.dtype.kind in "fc":
        fill = {pc.PSCAN_SUM: 0, pc.PSCAN_PROD: 1, pc.PSCAN_MAX: -np.inf, pc.PSCAN_MIN: np.inf}[op]
        if x.dtype.kind == "c" and op in (pc.PSCAN_MAX, pc.PSCAN_MIN):
            fill = complex(fill, fill)
        x = np.where(np.isnan(x), np.array(fill).astype(x.dtype), x)
    if flags & pc.PSCAN_FLAG_REVERSE:
        x = np.flip(x, ax)
    with np.errstate(all="ignore"):
        r = UFUNCS[op].accumulate(x, axis=ax, dtype=acc) if x.shape[ax] else x.astype(acc)
    r = r.astype(acc)
    shifted = flags & (pc.PSCAN_FLAG_EXCLUSIVE | pc.PSCAN_FLAG_INCLUDE_INITIAL)
    if shifted:
        first_shape = list(r.shape)
        first_shape[ax] = 1
        first = np.full(first_shape, identity(op, acc), acc)
        rest = r if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL else np.take(r, range(max(r.shape[ax] - 1, 0)), axis=ax)
        r = np.concatenate([first, rest], axis=ax)
        if flags & pc.PSCAN_FLAG_EXCLUSIVE and x.shape[ax] == 0:
            r = np.take(r, range(0), axis=ax)
    if flags & pc.PSCAN_FLAG_REVERSE:
        r = np.flip(r, ax)
    return r


def random_values(rng, dt, shape, op):
    dt = np.dtype(dt)
    if dt.kind in "iu":
        return rng.integers(0 if dt.kind == "u" else -9, 9, shape).astype(dt)
    v = rng.standard_normal(shape) if op != pc.PSCAN_PROD else 1 + rng.standard_normal(shape) / 64
    if dt.kind == "c":
        v = v + 1j * (rng.standard_normal(shape) if op != pc.PSCAN_PROD else rng.standard_normal(shape) / 64)
    v = v.astype(dt)
    nan = rng.random(shape) < 0.2
    v[nan] = np.nan if dt.kind == "f" else complex(np.nan, 1) if rng.random() < 0.5 else complex(1, np.nan)
    return v


def matches(op, got, want, lane):
    """True when got is numpy's want: bit for bit, or for complex products
    within the bound of numpy_host (numpy fuses those on AVX-512 hosts)."""
    if op == pc.PSCAN_PROD and want.dtype.kind == "c":
        return got.shape == want.shape and not numpy_host.complex_product_mismatch(
            want, got, want, lane, want.dtype).any()
    return same_bits(got, want)


def same_bits(got, want):
    if got.shape != want.shape:
        return False
    if got.dtype.kind in "fc":
        g, w = got.view(f"u{got.dtype.itemsize // (2 if got.dtype.kind == 'c' else 1)}"), \
            np.ascontiguousarray(want).view(f"u{want.dtype.itemsize // (2 if want.dtype.kind == 'c' else 1)}")
        return np.array_equal(g, w) or np.array_equal(got, want, equal_nan=True)
    return np.array_equal(got, want)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("lib")
    p.add_argument("--cases", type=int, default=3000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    lib = pc.Lib(args.lib)
    print(numpy_host.host_line())
    seed = args.seed or int(np.random.default_rng().integers(1, 1 << 31))
    rng = np.random.default_rng(seed)
    combos = [pc.PSCAN_FLAG_SKIP_NAN, pc.PSCAN_FLAG_REVERSE, pc.PSCAN_FLAG_EXCLUSIVE,
              pc.PSCAN_FLAG_INCLUDE_INITIAL]
    failures = 0
    for case in range(args.cases):
        dt = np.dtype(DTYPES[rng.integers(len(DTYPES))])
        op = int(rng.integers(4))
        if dt.kind == "c" and op in (pc.PSCAN_MAX, pc.PSCAN_MIN) and rng.random() < 0.5:
            op = pc.PSCAN_SUM
        nd = int(rng.integers(1, 4))
        shape = tuple(int(rng.integers(0 if rng.random() < 0.05 else 1, 9 if nd > 1 else 300)) for _ in range(nd))
        base = random_values(rng, dt, tuple(s * 2 for s in shape), op)
        a = base[tuple(slice(None, None, 2) for _ in shape)]  # strided view
        axis = None if rng.random() < 0.25 else int(rng.integers(nd))
        flags = 0
        for f in combos:
            if rng.random() < 0.45:
                flags |= f
        if flags & pc.PSCAN_FLAG_EXCLUSIVE and flags & pc.PSCAN_FLAG_INCLUDE_INITIAL:
            flags &= ~pc.PSCAN_FLAG_EXCLUSIVE
        acc = default_acc(op, dt)
        want = expected(op, a, axis, acc, flags)
        out = np.full(want.shape, 7, acc)
        opts = pc.opts_init(flags=flags)
        status = lib.cumsum(a, axis, acc, out, opts, op=op)
        lane = a.size if axis is None else shape[axis]
        ok = status == pc.PSCAN_OK and matches(op, out, want, lane + 1)
        if not ok:
            failures += 1
            if failures <= 10:
                bound = " (complex product: bound in ulps)" if op == pc.PSCAN_PROD and dt.kind == "c" else ""
                print(f"case {case}: {dt} shape {shape} axis {axis} op {op} flags {flags}{bound}: "
                      f"status {pc.status_name(status)}\n got {out!r}\n want {want!r}")
    print(f"flags_numpy: {args.cases} cases, seed {seed}, {failures} failures")
    print(f"{args.cases - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
