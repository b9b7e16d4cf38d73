"""Error of pscan's float sums against exactly rounded prefix sums.

    compensated_error.py PATH/TO/libpscan.so [--n N] [--seed S]

--seed draws the data (every seed must pass; 0: a new one from the clock).

For float64 and float32 arrays of n random values (uniform [0, 1),
standard normal, and ill-conditioned: normal values times 10^k for random
k in 0..12 with their negatives shuffled in), the exact prefix sums are
computed with Python integers (every float is an integer multiple of a
power of two) and rounded once; the table gives the largest error, in
units in the last place of that correctly rounded result, of pscan's
REPRODUCIBLE and SEQUENTIAL (numpy's) orders and of PSCAN_FLAG_COMPENSATED.
The run fails unless the compensated sums are within 1 ulp on the
uniform and normal data, where their 106-bit pairs leave nothing to see.
"""
import argparse
import sys
import time
from fractions import Fraction

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import pscan_ctypes as pc  # noqa: E402

SCALE_BITS = {np.dtype("float64"): 1100, np.dtype("float32"): 160}


def exact_prefix(a):
    """Correctly rounded prefix sums of a (float64 or float32)."""
    bits = SCALE_BITS[a.dtype]
    total = 0
    out = np.empty(len(a), a.dtype)
    for i, x in enumerate(a.tolist()):
        num, den = float(x).as_integer_ratio()
        total += num * (1 << bits) // den  # den is a power of two: exact
        out[i] = float(Fraction(total, 1 << bits))  # rounded once to double
    return out if a.dtype == np.float64 else out.astype(np.float32)


def data(rng, kind, n, dtype):
    if kind == "uniform":
        x = rng.random(n)
    elif kind == "normal":
        x = rng.standard_normal(n)
    else:
        x = rng.standard_normal(n // 2) * 10.0 ** rng.integers(0, 13, n // 2)
        x = np.concatenate([x, -x + rng.standard_normal(n // 2)])
        rng.shuffle(x)
        x = x[:n] if len(x) >= n else np.concatenate([x, rng.random(n - len(x))])
    return x.astype(dtype)


def max_ulps(got, ref):
    spacing = np.spacing(np.abs(ref)).astype(np.float64)
    return float(np.max(np.abs(got.astype(np.float64) - ref.astype(np.float64)) / spacing))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("lib")
    p.add_argument("--n", type=int, default=1 << 17)
    p.add_argument("--seed", type=int, default=1, help="0: a new seed from the clock")
    args = p.parse_args()
    lib = pc.Lib(args.lib)
    seed = args.seed or int(time.time() * 1000) % 1000000000 + 1
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    modes = [("reproducible", pc.opts_init()),
             ("sequential (numpy)", pc.opts_init(order=pc.PSCAN_ORDER_SEQUENTIAL)),
             ("compensated", pc.opts_init(flags=pc.PSCAN_FLAG_COMPENSATED))]
    print(f"max error in ulps of the correctly rounded prefix sum, n = {args.n}")
    print(f"{'dtype':8} {'data':16} " + " ".join(f"{m:>20}" for m, _ in modes))
    failed = False
    for dtype in ("float64", "float32"):
        for kind in ("uniform", "normal", "ill-conditioned"):
            a = data(rng, kind, args.n, dtype)
            ref = exact_prefix(a)
            row = []
            for name, opts in modes:
                out = np.empty_like(a)
                status = lib.cumsum(a, 0, a.dtype, out, opts)
                if status != pc.PSCAN_OK:
                    sys.exit(f"compensated_error: {name}: {pc.status_name(status)}")
                row.append(max_ulps(out, ref))
            print(f"{dtype:8} {kind:16} " + " ".join(f"{u:20.3g}" for u in row))
            if kind != "ill-conditioned" and row[2] > 1.0:
                failed = True
                print(f"  FAIL: compensated {dtype} {kind} is {row[2]:.3g} ulps off")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
