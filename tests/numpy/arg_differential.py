"""The running arg-max and arg-min (PSCAN_ARGMAX, PSCAN_ARGMIN) against numpy.

For random dtypes (all 14), shapes, layouts (transposes, negative strides,
slices), axes (and axis=None), flags (REVERSE, EXCLUSIVE, INCLUDE_INITIAL,
SKIP_NAN), out dtypes and thread counts, every output element must equal
numpy's np.argmax / np.argmin of its prefix (suffix under REVERSE; the
first occurrence, the first NaN when there is one), or np.nanargmax's
index with SKIP_NAN (-1 where the prefix holds only NaN), and the results
of 1 and of 2 to 4 threads must be identical. Values are drawn from a few
levels, so ties are common. Exact comparisons only: an index is an index
on every host.

    /usr/bin/python3 arg_differential.py --lib libpscan.so --cases 2000 --seed 1
"""

import argparse
import random
import sys

import numpy as np

import pscan_ctypes as pc

PSCAN_ARGMAX, PSCAN_ARGMIN = 8, 9
FLAG_SETS = [0, pc.PSCAN_FLAG_REVERSE, pc.PSCAN_FLAG_EXCLUSIVE, pc.PSCAN_FLAG_INCLUDE_INITIAL,
             pc.PSCAN_FLAG_SKIP_NAN, pc.PSCAN_FLAG_SKIP_NAN | pc.PSCAN_FLAG_REVERSE,
             pc.PSCAN_FLAG_EXCLUSIVE | pc.PSCAN_FLAG_REVERSE,
             pc.PSCAN_FLAG_INCLUDE_INITIAL | pc.PSCAN_FLAG_SKIP_NAN]


def draw_values(rng, dt, shape):
    levels = rng.integers(-3, 4, size=shape)
    if dt.kind == "b":
        return (levels > 0).astype(dt)
    if dt.kind == "u":
        return (levels + 3).astype(dt)
    if dt.kind == "i":
        return levels.astype(dt)
    x = levels.astype(np.float64) * 0.5
    special = rng.random(shape)
    x[special < 0.08] = np.nan
    x[(special >= 0.08) & (special < 0.11)] = np.inf
    x[(special >= 0.11) & (special < 0.14)] = -0.0
    if dt.kind == "c":
        im = rng.integers(-1, 2, size=shape).astype(np.float64)
        im[rng.random(shape) < 0.04] = np.nan
        return (x + 1j * im).astype(dt)
    return x.astype(dt)


def is_nan(v):
    return np.isnan(v.real) | np.isnan(v.imag) if v.dtype.kind == "c" else (
        np.isnan(v) if v.dtype.kind == "f" else np.zeros(v.shape, bool))


def first_best(values, find_max, skip_nan):
    """Index of the first maximum (minimum) of a 1-D array, numpy's rule."""
    if len(values) == 0:
        return -1
    if skip_nan:
        keep = ~is_nan(values)
        if not keep.any():
            return -1
        # np.nanargmax: NaN ignored; the first of the best of the rest
        idx = np.flatnonzero(keep)
        sub = values[idx]
        return int(idx[np.argmax(sub) if find_max else np.argmin(sub)])
    return int(np.argmax(values) if find_max else np.argmin(values))


def reference_lane(lane, find_max, flags):
    n = len(lane)
    skip = bool(flags & pc.PSCAN_FLAG_SKIP_NAN)
    if n == 0 and not flags & pc.PSCAN_FLAG_INCLUDE_INITIAL:
        return []
    if flags & pc.PSCAN_FLAG_REVERSE:
        incl = [i + first_best(lane[i:], find_max, skip) if first_best(lane[i:], find_max, skip) >= 0
                else -1 for i in range(n)]
        if flags & pc.PSCAN_FLAG_EXCLUSIVE:
            return incl[1:] + [-1]
        if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL:
            return incl + [-1]
        return incl
    incl = [first_best(lane[:i + 1], find_max, skip) for i in range(n)]
    if flags & pc.PSCAN_FLAG_EXCLUSIVE:
        return [-1] + incl[:-1]
    if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL:
        return [-1] + incl
    return incl


def reference(x, axis, find_max, flags):
    if axis is None:
        return np.array(reference_lane(x.reshape(-1), find_max, flags), dtype=np.int64)
    moved = np.moveaxis(x, axis, -1)
    extra = 1 if flags & pc.PSCAN_FLAG_INCLUDE_INITIAL else 0
    out = np.empty(moved.shape[:-1] + (moved.shape[-1] + extra,), dtype=np.int64)
    for idx in np.ndindex(moved.shape[:-1]):
        out[idx] = reference_lane(moved[idx], find_max, flags)
    return np.moveaxis(out, -1, axis)


def draw_layout(rng, x):
    r = rng.random()
    if r < 0.25 and x.ndim >= 2:
        return x.T
    if r < 0.45:
        return x[..., ::-1]
    if r < 0.6 and x.shape[-1] > 2:
        return x[..., ::2]
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    seed = args.seed or random.SystemRandom().randrange(1, 2**31)
    rng = np.random.default_rng(seed)
    lib = pc.Lib(args.lib)
    failures = 0
    for case in range(args.cases):
        op = PSCAN_ARGMAX if case % 2 == 0 else PSCAN_ARGMIN
        dt = pc.ALL_DTYPES[rng.integers(len(pc.ALL_DTYPES))]
        ndim = int(rng.integers(1, 4))
        shape = tuple(int(rng.integers(0 if rng.random() < 0.05 else 1, 9 if ndim > 1 else 40))
                      for _ in range(ndim))
        x = draw_layout(rng, draw_values(rng, dt, shape))
        axis = None if rng.random() < 0.2 else int(rng.integers(-x.ndim, x.ndim))
        flags = FLAG_SETS[rng.integers(len(FLAG_SETS))]
        want = reference(x, axis, op == PSCAN_ARGMAX, flags)
        out_dt = np.dtype([np.int64, np.int64, np.int32, np.float64][rng.integers(4)])
        results = []
        for threads in (1, int(rng.integers(2, 5))):
            out = np.full(want.shape, 77, dtype=out_dt)
            opts = pc.opts_init(threads=threads, flags=flags)
            s = lib.cumsum(x, axis, None, out, opts, op=op)
            if s != pc.PSCAN_OK:
                print("case %d: status %s (dtype %s shape %s axis %s flags %d)" % (
                    case, pc.status_name(s), dt, x.shape, axis, flags))
                failures += 1
                break
            results.append(out.copy())
        if len(results) < 2:
            continue
        if not np.array_equal(results[0].astype(np.int64), want) or \
                not np.array_equal(results[0], results[1]):
            failures += 1
            if failures <= 5:
                print("case %d mismatch: op %d dtype %s shape %s strides %s axis %s flags %d\n"
                      " in   %s\n want %s\n got  %s\n got(threads) %s" % (
                          case, op, dt, x.shape, x.strides, axis, flags, x.reshape(-1)[:40],
                          want.reshape(-1)[:40], results[0].reshape(-1)[:40],
                          results[1].reshape(-1)[:40]))
    print("arg scans: %d cases, seed %d, %d failures" % (args.cases, seed, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
