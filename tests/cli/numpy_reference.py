"""numpy's results for the tool's ops and flags: the reference both
test_cli.py (.npy files) and test_h5.py (HDF5 datasets) compare with."""
import numpy as np

OPS = {"cumsum": np.add, "cumprod": np.multiply, "cummax": np.maximum, "cummin": np.minimum,
       "logcumsumexp": np.logaddexp, "cumand": np.bitwise_and, "cumor": np.bitwise_or,
       "cumxor": np.bitwise_xor}
ARG_OPS = {"cumargmax": np.argmax, "cumargmin": np.argmin}


def default_acc(op, dt):
    """numpy's accumulator (and result dtype) for `op` over `dt`."""
    dt = np.dtype(dt)
    if op == "logcumsumexp":  # numpy's loops e, f, d: the first dt casts to safely
        return np.logaddexp.accumulate(np.zeros(1, dt.newbyteorder("="))).dtype
    if op in ("cumsum", "cumprod") and (dt.kind == "b" or (dt.kind in "iu" and dt.itemsize < 8)):
        return np.dtype("uint64" if dt.kind == "u" else "int64")
    return dt.newbyteorder("=")


def identity(op, acc):
    """What exclusive and include-initial scans start from."""
    acc = np.dtype(acc)
    if op == "cumsum":
        return np.zeros((), acc)
    if op == "cumprod":
        return np.ones((), acc)
    if op == "logcumsumexp":
        return np.array(-np.inf, acc)
    if op in ("cumor", "cumxor"):
        return np.zeros((), acc)
    if op == "cumand":  # every bit set
        return np.array(True, acc) if acc.kind == "b" else np.array(-1).astype(acc)
    low = op == "cummax"
    if acc.kind == "b":
        return np.array(not low, acc)
    if acc.kind in "iu":
        info = np.iinfo(acc)
        return np.array(info.min if low else info.max, acc)
    inf = -np.inf if low else np.inf
    return np.array(complex(inf, inf) if acc.kind == "c" else inf, acc)


def expected(op, a, axis, acc, flags=()):
    """numpy's result, the flags built from flips and concatenations;
    --skip-nan is numpy.nancumsum/nancumprod (NaN as 0 or 1), and for max
    and min NaN as -inf/+inf (as tests/numpy/flags_numpy.py)."""
    ufunc = OPS[op]
    x = a.astype(a.dtype.newbyteorder("="))
    if axis is None:
        x, axis = x.reshape(-1), 0
    x = np.atleast_1d(x)
    if "skip-nan" in flags and x.dtype.kind == "f":
        fill = {"cumsum": 0, "cumprod": 1, "cummax": -np.inf, "cummin": np.inf,
                "logcumsumexp": -np.inf}[op]
        x = np.where(np.isnan(x), np.array(fill).astype(x.dtype), x)
    if "reverse" in flags:
        x = np.flip(x, axis)
    with np.errstate(all="ignore"):
        r = ufunc.accumulate(x, axis=axis, dtype=acc) if x.size else x.astype(acc)
    r = r.astype(acc)
    if "exclusive" in flags or "include-initial" in flags:
        one = tuple(1 if d == axis else s for d, s in enumerate(r.shape))
        first = np.full_like(np.take(r, [0], axis=axis) if r.shape[axis] else np.zeros(one, acc),
                             identity(op, acc))
        rest = r if "include-initial" in flags else \
            np.take(r, range(max(r.shape[axis] - 1, 0)), axis=axis)
        r = np.concatenate([first, rest], axis=axis)
        if "exclusive" in flags and a.size == 0:
            r = np.take(r, range(0), axis=axis)
    if "reverse" in flags:
        r = np.flip(r, axis)
    return r


def expected_arg(op, a, axis, cmp, flags=()):
    """The running arg-max/min: np.argmax(x[:i+1]) of each lane compared in
    `cmp` (first occurrence, a NaN first); reverse: the first of x[i:];
    --skip-nan: np.nanargmax's rule, -1 while only NaNs were seen; exclusive
    and include-initial put -1 first. int64 indexes from the lane's start."""
    find = ARG_OPS[op]
    x = a.astype(np.dtype(cmp).newbyteorder("="))
    if axis is None:
        x, axis = x.reshape(-1), 0
    x = np.atleast_1d(x)
    skip = "skip-nan" in flags and x.dtype.kind in "fc"
    rev = "reverse" in flags

    def one(lane, lo, hi):  # the answer over lane[lo:hi], -1 for none
        part = lane[lo:hi]
        if skip:
            keep = ~np.isnan(part)
            if not keep.any():
                return -1
            idx = np.flatnonzero(keep)
            return lo + int(idx[find(part[keep])])
        return lo + int(find(part)) if hi > lo else -1

    def lane_scan(lane):
        n = len(lane)
        r = [one(lane, i, n) if rev else one(lane, 0, i + 1) for i in range(n)]
        if "exclusive" in flags:
            r = (r[1:] + [-1]) if rev else ([-1] + r[:-1])
        elif "include-initial" in flags:
            r = (r + [-1]) if rev else ([-1] + r)
        return np.array(r, np.int64)

    moved = np.moveaxis(x, axis, -1)
    out_len = moved.shape[-1] + (1 if "include-initial" in flags else 0)
    r = np.empty(moved.shape[:-1] + (out_len,), np.int64)
    for idx in np.ndindex(moved.shape[:-1]):
        r[idx] = lane_scan(moved[idx])
    return np.moveaxis(r, -1, axis)
