"""Time numpy.cumsum on the benchmark's cases (run with Debian's python3).

Prints one line per case: case, dtype, elements, Gelem/s (median of --reps),
and writes CSV rows in the format of pscan_bench's CSV (contender "numpy").
"""
import argparse
import time

import numpy as np


def cases(max_log2):
    yield "1d n=1000", np.int64, (1000,), 0
    for dt in (np.int32, np.int64, np.float32, np.float64):
        yield "1d L1 (2^12)", dt, (1 << 12,), 0
        yield "1d 2^20", dt, (1 << 20,), 0
        yield "1d large", dt, (1 << max_log2,), 0
    yield "(131072,1024) axis 0", np.int64, (131072, 1024), 0
    yield "(131072,1024) axis 1", np.int64, (131072, 1024), 1
    yield "(1M,8) axis -1", np.float32, (1 << 20, 8), 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--max-log2", type=int, default=27)
    parser.add_argument("--csv", default="numpy_cumsum.csv")
    args = parser.parse_args()
    with open(args.csv, "w") as csv:
        csv.write("case,dtype,elements,threads,contender,gelem_per_s,ratio_to_memcpy\n")
        for name, dt, shape, axis in cases(args.max_log2):
            a = (np.arange(int(np.prod(shape))) % 7).astype(dt).reshape(shape)
            out = np.empty_like(a)
            n = a.size
            inner = max(1, (1 << 22) // n) if n < (1 << 20) else 1
            times = []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                for _ in range(inner):
                    np.cumsum(a, axis=axis, dtype=dt, out=out)
                times.append((time.perf_counter() - t0) / inner)
            median = sorted(times)[len(times) // 2]
            rate = n / median / 1e9
            print(f"{name:24s} {np.dtype(dt).name:8s} {n:12d} {rate:11.3f}")
            csv.write(f"\"{name}\",{np.dtype(dt).name},{n},1,numpy,{rate:.4f},\n")


if __name__ == "__main__":
    main()
