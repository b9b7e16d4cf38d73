"""The command-line tool on files: throughput against the in-memory library
and a plain file copy, and resident memory on a multi-GiB file.

    /usr/bin/python3 perf/cli_throughput.py BUILD_DIR [--reps 7] [--dir /tmp]
        [--big-gib 4] [--limit-mib 1024]

1. For 1 GiB int64 and float64 arrays (2^27 elements) in the page cache,
   interleaved repetitions of: `pscan cumsum IN OUT` (a new OUT each time),
   `cp IN COPY` (what a plain copy of the file costs: the floor for any
   tool that writes a new file of that size) and pscan_cumsum on the same array in memory (through ctypes, out
   already faulted in). Medians and ratios, all from one run.
2. `/usr/bin/time -v pscan cumsum` on a --big-gib file: maximum resident
   set size against the file size.
3. The same file inside a cgroup (v1 memory controller) whose limit,
   page cache included, is --limit-mib: a file several times larger than
   the memory the process may use. Skipped when cgroups are not writable.
"""
import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "numpy"))
import pscan_ctypes as pc  # noqa: E402


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


def in_memory(lib, a, out):
    da, do = pc.ArrayDesc(a), pc.ArrayDesc(out)
    t = time.perf_counter()
    status = lib.dll.pscan_cumsum(da.ref(), 0, 0, do.ref(), None)
    elapsed = time.perf_counter() - t
    if status != pc.PSCAN_OK:
        sys.exit(f"cli_throughput: pscan_cumsum returned {status}")
    return elapsed


def throughput(args, tool, lib):
    rows = []
    for dtype in ("int64", "float64"):
        n = 1 << 27
        a = (np.arange(n) % 1000).astype(dtype)
        src = os.path.join(args.dir, f"cli_{dtype}.npy")
        np.save(src, a)
        out, copy = src + ".out.npy", src + ".copy"
        result = np.empty_like(a)
        result.fill(0)
        times = {"tool": [], "cp": [], "memory": []}
        for _ in range(args.reps):
            subprocess.run(["cat", src], stdout=subprocess.DEVNULL, check=True)  # in the page cache
            # A fresh OUT each time, as for cp (replacing a 1 GiB file also
            # pays for freeing it), and no write-back of the last run pending.
            if os.path.exists(out):
                os.unlink(out)
            subprocess.run(["sync"], check=True)
            times["tool"].append(timed([tool, "cumsum", src, out, "-q"]))
            subprocess.run(["sync"], check=True)
            times["cp"].append(timed(["cp", src, copy]))
            os.unlink(copy)
            times["memory"].append(in_memory(lib, a, result))
        if not np.array_equal(np.load(out, mmap_mode="r")[-5:], np.cumsum(a)[-5:]):
            sys.exit("cli_throughput: the tool's result is wrong")
        os.unlink(out)
        os.unlink(src)
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append((dtype, med))
    print(f"\n1 GiB files in the page cache, {args.reps} interleaved repetitions, medians (s)")
    print(f"{'dtype':8} {'tool':>7} {'cp':>7} {'memory':>7}  memory/tool  cp/tool  GB/s tool")
    for dtype, m in rows:
        print(f"{dtype:8} {m['tool']:7.3f} {m['cp']:7.3f} {m['memory']:7.3f}  "
              f"{m['memory'] / m['tool']:10.2f}x {m['cp'] / m['tool']:7.2f}x  {(1 << 30) / m['tool'] / 1e9:8.2f}")


def big_file(path, gib):
    n = (gib << 30) // 8
    m = np.lib.format.open_memmap(path, mode="w+", dtype="<i8", shape=(n,))
    step = 1 << 24
    for k in range(0, n, step):
        m[k:k + step] = np.arange(k, min(k + step, n)) % 1000
    m.flush()
    del m
    return n


def expected_last(n):
    full, rest = divmod(n, 1000)
    return full * 499500 + rest * (rest - 1) // 2


def check_big(out, n):
    got = np.load(out, mmap_mode="r")
    ok = got.shape == (n,) and int(got[-1]) == expected_last(n) and int(got[999]) == 499500
    os.unlink(out)
    return ok


def rss(args, tool):
    src = os.path.join(args.dir, "cli_big.npy")
    n = big_file(src, args.big_gib)
    out = src + ".out.npy"
    r = subprocess.run(["/usr/bin/time", "-v", tool, "cumsum", src, out, "-q"], capture_output=True, text=True)
    peak = [l for l in r.stderr.splitlines() if "Maximum resident" in l or "Elapsed" in l]
    print(f"\n/usr/bin/time -v pscan cumsum on a {args.big_gib} GiB int64 file (exit {r.returncode}):")
    for line in peak:
        print("   ", line.strip())
    print("    result checked:", check_big(out, n))
    limited(args, tool, src, out, n)
    os.unlink(src)


def limited(args, tool, src, out, n):
    group = "/sys/fs/cgroup/memory/pscan_cli_throughput"
    try:
        os.makedirs(group, exist_ok=True)
        with open(os.path.join(group, "memory.limit_in_bytes"), "w") as f:
            f.write(str(args.limit_mib << 20))
    except OSError as e:
        print(f"\nno writable cgroup v1 memory controller ({e}): the limited run is skipped")
        return
    subprocess.run(["sync"], check=True)
    script = f"echo $$ > {group}/cgroup.procs && exec /usr/bin/time -v {tool} cumsum {src} {out} -q"
    r = subprocess.run(["sh", "-c", script], capture_output=True, text=True)
    with open(os.path.join(group, "memory.max_usage_in_bytes")) as f:
        usage = int(f.read())
    print(f"\nthe same inside a cgroup limited to {args.limit_mib} MiB (page cache included) (exit {r.returncode}):")
    for line in r.stderr.splitlines():
        if "Maximum resident" in line or "Elapsed" in line:
            print("   ", line.strip())
    print(f"    cgroup peak usage: {usage >> 20} MiB for a {args.big_gib << 10} MiB input + as much output")
    print("    result checked:", r.returncode == 0 and check_big(out, n))
    os.rmdir(group)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--dir", default="/tmp")
    p.add_argument("--big-gib", type=int, default=4)
    p.add_argument("--limit-mib", type=int, default=1024)
    args = p.parse_args()
    tool = os.path.join(args.build, "pscan")
    lib = pc.Lib(os.path.join(args.build, "libpscan.so"))
    print(subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip(),
          f"threads={os.cpu_count()}")
    throughput(args, tool, lib)
    rss(args, tool)


if __name__ == "__main__":
    main()
