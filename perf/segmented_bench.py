"""Segmented SUM against plain cumsum and a numpy peer, one interleaved run.

    /usr/bin/python3 perf/segmented_bench.py BUILD/libpscan.so [--log2 27] [--segments 10000000]
                                             [--threads 2] [--reps 5]

One int64 array of 2^log2 random values and about `segments` random
segments (lengths uniform in 3..L, L chosen for the count). Every
repetition times, in turn: pscan_cumsum of the whole array (plain), the
segmented SUM given as bool start flags, the same given as int64 CSR
offsets, and the numpy peer: a group cumsum from np.cumsum minus each
segment's running start (np.add.reduceat of the segment totals, np.cumsum,
np.repeat). pscan runs through ctypes (a call's overhead is microseconds
against a run of tenths of a second). Prints the medians and the ratios
plain / segmented (1 = as fast as plain cumsum) and numpy / segmented;
every result is checked against the peer's.
"""
import argparse
import ctypes
import os
import platform
import sys
import time

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "numpy"))
import pscan_ctypes as pc  # noqa: E402
from segmented_numpy import PscanSegments, bind, FLAGS, OFFSETS  # noqa: E402


def numpy_peer(x, starts, lengths):
    c = np.cumsum(x)
    totals = np.add.reduceat(x, starts)
    before = np.cumsum(totals) - totals
    return c - np.repeat(before, lengths)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("lib")
    p.add_argument("--log2", type=int, default=27)
    p.add_argument("--segments", type=int, default=10_000_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    lib = pc.Lib(args.lib)
    bind(lib)
    n = 1 << args.log2
    rng = np.random.default_rng(1)
    x = rng.integers(-1000, 1000, n, dtype=np.int64)
    top = max(3, int(round(2 * n / args.segments)) - 3)  # mean (3 + top) / 2 = n / segments
    lengths = rng.integers(3, top + 1, n // 3 + 1)
    ends = np.cumsum(lengths)
    lengths = lengths[: np.searchsorted(ends, n) + 1]
    lengths[-1] -= ends[len(lengths) - 1] - n
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    flags = np.zeros(n, bool)
    flags[starts] = True
    out = np.empty(n, np.int64)
    opts = pc.opts_init(threads=args.threads)
    din, dout = pc.ArrayDesc(x), pc.ArrayDesc(out)
    seg_flags = PscanSegments(FLAGS, pc.ArrayDesc(flags).struct)
    d_off = pc.ArrayDesc(starts)
    seg_offsets = PscanSegments(OFFSETS, d_off.struct)
    keep = (seg_flags, seg_offsets, d_off)

    def plain():
        return lib.dll.pscan_cumsum(din.ref(), 0, pc.PSCAN_INT64, dout.ref(), ctypes.byref(opts))

    def by_flags():
        return lib.dll.pscan_scan_segmented(pc.PSCAN_SUM, din.ref(), 0, pc.PSCAN_INT64, dout.ref(),
                                            ctypes.byref(seg_flags), ctypes.byref(opts))

    def by_offsets():
        return lib.dll.pscan_scan_segmented(pc.PSCAN_SUM, din.ref(), 0, pc.PSCAN_INT64, dout.ref(),
                                            ctypes.byref(seg_offsets), ctypes.byref(opts))

    want = numpy_peer(x, starts, lengths)
    for f in (by_flags, by_offsets):
        out[:] = 0
        assert f() == 0 and np.array_equal(out, want), f.__name__
    contenders = [("pscan_cumsum (plain)", plain), ("segmented, bool flags", by_flags),
                  ("segmented, int64 offsets", by_offsets),
                  ("numpy peer", lambda: numpy_peer(x, starts, lengths))]
    times = {name: [] for name, _ in contenders}
    for _ in range(args.reps):
        for name, f in contenders:
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    med = {name: float(np.median(t)) for name, t in times.items()}
    lib.dll.pscan_isa_name.restype = ctypes.c_char_p
    print("host: %s, %d CPUs, numpy %s, pscan kernels %s" % (
        platform.machine(), os.cpu_count(), np.__version__, lib.dll.pscan_isa_name().decode()))
    print("n = 2^%d int64, %d segments (3..%d), %d threads, %d reps, medians:" % (
        args.log2, len(lengths), top, args.threads, args.reps))
    for name, _ in contenders:
        print("  %-26s %8.4f s  %6.3f Gelem/s" % (name, med[name], n / med[name] / 1e9))
    for name in ("segmented, bool flags", "segmented, int64 offsets"):
        print("  %-26s plain/seg %.2fx   numpy/seg %.1fx" % (
            name, med["pscan_cumsum (plain)"] / med[name], med["numpy peer"] / med[name]))
    del keep
    return 0


if __name__ == "__main__":
    sys.exit(main())
