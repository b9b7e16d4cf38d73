"""pscan's Python module against numpy, in one process, contenders
interleaved, medians of --reps runs; prints ratios (time(numpy) / time(pscan)
unless said otherwise).

    PYTHONPATH=build/python /usr/bin/python3 perf/python_bench.py [--threads 2] [--reps 7]

Cases (the Python module's targets):
  1-D float64 cumsum, 2^26 elements, into a given
  out, into a new result dropped after each call
  (its memory taken back from the result cache),
  and the same with the cache off (fresh pages
  faulted in every call)                             speedup over np.cumsum
  (16384, 1024) int64 cumsum along axis 0           speedup over np.cumsum
  100-element float64 cumsum, per call               pscan's cost / numpy's
  two Python threads, two 2^24 float64 arrays, one
  pscan thread each                                  two at once / one alone
"""
import argparse
import statistics
import threading
import time

import numpy as np

import pscan


def timed(function, reps):
    """Median seconds of `function()` over reps runs, after one warm-up."""
    function()
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(functions, reps):
    """Medians of each function, their runs interleaved (a noisy host hurts all alike)."""
    for function in functions:
        function()
    samples = [[] for _ in functions]
    for _ in range(reps):
        for k, function in enumerate(functions):
            start = time.perf_counter()
            function()
            samples[k].append(time.perf_counter() - start)
    return [statistics.median(s) for s in samples]


def per_call(function, calls):
    def run():
        for _ in range(calls):
            function()
    return run


def two_threads(first, second):
    def run():
        workers = [threading.Thread(target=first), threading.Thread(target=second)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--log2", type=int, default=26, help="1-D size, log2")
    args = parser.parse_args()
    info = pscan.info()
    print(f"# pscan {info['version']} ({info['isa']} kernels), numpy {np.__version__}, "
          f"{info['topology']['cores']} cores, pscan threads {args.threads}, medians of {args.reps}, "
          f"result cache cap {info['result_cache']['max_bytes'] / 2**20:.0f} MiB")
    rng = np.random.default_rng(0)
    rows = []

    a = rng.standard_normal(1 << args.log2)
    out_np, out_ps = np.empty_like(a), np.empty_like(a)
    t_np, t_ps = interleaved([lambda: np.cumsum(a, out=out_np),
                              lambda: pscan.cumsum(a, out=out_ps, threads=args.threads)], args.reps)
    rows.append((f"1-D float64 cumsum, 2^{args.log2}, into out", t_np, t_ps, t_np / t_ps, ">= 5x"))
    # The bound: a copy of the same bytes on as many threads (numpy releases
    # the GIL while it copies), interleaved with pscan's scan into out.
    halves = [(a[len(a) * k // args.threads:len(a) * (k + 1) // args.threads],
               out_np[len(a) * k // args.threads:len(a) * (k + 1) // args.threads])
              for k in range(args.threads)]

    def parallel_copy():
        workers = [threading.Thread(target=np.copyto, args=(dst, src)) for src, dst in halves]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    t_copy, t_ps = interleaved([parallel_copy,
                                lambda: pscan.cumsum(a, out=out_ps, threads=args.threads)], args.reps)
    rows.append((f"  the same, against a {args.threads}-thread copy", t_copy, t_ps, t_copy / t_ps,
                 "(pscan's speed / copy speed)"))
    # A loop that drops each result: the steady state reuses the last one's
    # block (the cache's default cap, 1 GiB or less, holds a 512 MiB one).
    t_np, t_ps = interleaved([lambda: np.cumsum(a),
                              lambda: pscan.cumsum(a, threads=args.threads)], args.reps)
    rows.append((f"1-D float64 cumsum, 2^{args.log2}, new result", t_np, t_ps, t_np / t_ps, ">= 5x"))
    cap = pscan.set_result_cache(0)
    t_np, t_ps = interleaved([lambda: np.cumsum(a),
                              lambda: pscan.cumsum(a, threads=args.threads)], args.reps)
    pscan.set_result_cache(cap)
    rows.append((f"1-D float64 cumsum, 2^{args.log2}, new result, cold (cache off)", t_np, t_ps,
                 t_np / t_ps, "(fresh pages every call)"))
    del a, out_np, out_ps

    panel = rng.integers(-1000, 1000, size=(16384, 1024))
    out_np, out_ps = np.empty_like(panel), np.empty_like(panel)
    t_np, t_ps = interleaved([lambda: np.cumsum(panel, axis=0, out=out_np),
                              lambda: pscan.cumsum(panel, axis=0, out=out_ps, threads=args.threads)],
                             max(3, args.reps // 2))
    rows.append(("(16384, 1024) int64 cumsum, axis 0", t_np, t_ps, t_np / t_ps, ">= 20x"))
    del panel, out_np, out_ps

    small = rng.standard_normal(100)
    calls = 20000
    t_np, t_ps = interleaved([per_call(lambda: np.cumsum(small), calls),
                              per_call(lambda: pscan.cumsum(small), calls)], args.reps)
    rows.append(("100-element float64 cumsum, one call", t_np / calls, t_ps / calls,
                 (t_ps / calls) / (t_np / calls), "<= 1.5x (pscan / numpy)"))

    x, y = rng.standard_normal(1 << 24), rng.standard_normal(1 << 24)
    ox, oy = np.empty_like(x), np.empty_like(y)
    scan_x = lambda: pscan.cumsum(x, out=ox, threads=1)  # noqa: E731
    scan_y = lambda: pscan.cumsum(y, out=oy, threads=1)  # noqa: E731
    t_one, t_two = interleaved([scan_x, two_threads(scan_x, scan_y)], args.reps)
    rows.append(("two Python threads, 2^24 each, 1 pscan thread each", t_two, t_one, t_two / t_one,
                 "<= 1.7x (two at once / one alone)"))

    print(f"{'case':<60} {'numpy/other s':>14} {'pscan s':>12} {'ratio':>8}  target")
    for name, t_other, t_pscan, ratio, target in rows:
        print(f"{name:<60} {t_other:>14.6f} {t_pscan:>12.6f} {ratio:>7.2f}x  {target}")


if __name__ == "__main__":
    main()
