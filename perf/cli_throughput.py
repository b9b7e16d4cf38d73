"""The command-line tool on files: throughput against the in-memory library
and a plain file copy, resident memory on a multi-GiB file, and HDF5
datasets against a plain C copy and h5py + numpy.

    /usr/bin/python3 perf/cli_throughput.py BUILD_DIR [--reps 7] [--dir /tmp]
        [--big-gib 4] [--limit-mib 1024] [--hdf5 auto|yes|no]
        [--only files|rss|hdf5 ...]

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
4. For 1 GiB float64 HDF5 datasets (shape (2^17, 1024), chunks (64, 1024),
   integers 0..999 from a fixed seed: i % 1000 would leave gzip nothing to
   do) in the page cache, stored uncompressed and with shuffle + gzip(1),
   interleaved repetitions of:
   `pscan cumsum IN.h5:/d OUT.h5:/d --axis 0` (a new OUT each time);
   pscan_h5_copy (perf/h5_copy.c: a single-threaded C read plus write of
   the same dataset into a new file, same type, chunks and filters, in
   4 MiB slabs of whole chunk rows: the floor for the tool); and h5py +
   numpy in a new /usr/bin/python3 process (f["d"][()], np.cumsum(axis=0),
   create_dataset with the input's chunks and filters). Each is timed as a
   whole process. Medians, tool / copy (target: at most 1.3x uncompressed)
   and h5py / tool (target: above 1). The copy is BUILD_DIR/pscan_h5_copy
   when built (CMake, with HDF5), else compiled with cc and pkg-config's
   hdf5 into --dir. --hdf5 auto (the default) runs these rows when h5py
   imports and `pscan info` reads an HDF5 file; yes fails when either
   does not; --only picks sections (hdf5 alone needs no libpscan.so).
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


# h5py + numpy as a user would write it, in its own process: the whole
# process is timed, as the tool's is; the three phases are printed too.
H5PY_CUMSUM = """
import sys, time
import h5py
import numpy as np
t0 = time.perf_counter()
with h5py.File(sys.argv[1], "r") as f:
    d = f["d"]
    a = d[()]
    layout = dict(chunks=d.chunks, compression=d.compression,
                  compression_opts=d.compression_opts, shuffle=d.shuffle)
t1 = time.perf_counter()
c = np.cumsum(a, axis=0)
t2 = time.perf_counter()
with h5py.File(sys.argv[2], "w") as g:
    g.create_dataset("d", data=c, **layout)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""

H5_SHAPE, H5_CHUNKS = (1 << 17, 1024), (64, 1024)
H5_LAYOUTS = (("none", {}), ("shuffle,gzip(1)", {"compression": "gzip", "compression_opts": 1, "shuffle": True}))


def hdf5_unavailable(args, tool):
    """Why the HDF5 rows cannot run, or None."""
    try:
        import h5py
    except ImportError as e:
        return f"h5py does not import ({e})"
    probe = os.path.join(args.dir, "cli_probe.h5")
    with h5py.File(probe, "w") as f:
        f["d"] = np.arange(3.0)
    r = subprocess.run([tool, "info", probe], capture_output=True, text=True)
    os.unlink(probe)
    return None if r.returncode == 0 else f"`pscan info` reads no HDF5 file: {r.stderr.strip()}"


def h5_copy_binary(args):
    built = os.path.join(args.build, "pscan_h5_copy")
    if os.access(built, os.X_OK):
        return built, False
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h5_copy.c")
    binary = os.path.join(args.dir, "cli_h5_copy")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "hdf5"], capture_output=True, text=True,
                           check=True).stdout.split()
    subprocess.run(["cc", "-std=c11", "-O2", source, *flags, "-o", binary], check=True)
    return binary, True


def h5_values():
    """The input: integers 0..999 from a fixed seed, as float64. (i % 1000,
    as above, would leave gzip nothing to do: shuffle + gzip(1) shrinks it
    over 30x; these shrink 5.3x, their sums along axis 0 3.8x.)"""
    return np.random.default_rng(2027).integers(0, 1000, H5_SHAPE).astype(np.float64)


def h5_write_input(path, values, layout):
    import h5py
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", shape=H5_SHAPE, dtype="<f8", chunks=H5_CHUNKS, **layout)
        step = 8192
        for first in range(0, H5_SHAPE[0], step):
            d[first:first + step] = values[first:first + step]


def h5_check(path, expected, layout):
    """The result equals numpy's, in the input's chunks and filters."""
    import h5py
    with h5py.File(path, "r") as f:
        d = f["d"]
        same_layout = (d.chunks == H5_CHUNKS and d.compression == layout.get("compression")
                       and d.shuffle == layout.get("shuffle", False))
        return same_layout and d.dtype == np.float64 and np.array_equal(d[()], expected)


def hdf5_layout(args, tool, copier, values, expected, layout):
    """One row: medians of the three, with the checks; no file left behind."""
    src = os.path.join(args.dir, "cli_h5_in.h5")
    outs = {k: os.path.join(args.dir, f"cli_h5_{k}.h5") for k in ("tool", "seq", "copy", "h5py")}
    runs = {
        "tool": [tool, "cumsum", src + ":/d", outs["tool"] + ":/d", "--axis", "0", "-q"],
        "seq": [tool, "cumsum", src + ":/d", outs["seq"] + ":/d", "--axis", "0", "-q",
                "--order", "sequential"],
        "copy": [copier, src, "/d", outs["copy"], "/d"],
        "h5py": [sys.executable, "-c", H5PY_CUMSUM, src, outs["h5py"]],
    }
    times = {k: [] for k in runs}
    phases = []
    try:
        h5_write_input(src, values, layout)
        for _ in range(args.reps):
            for key, cmd in runs.items():
                subprocess.run(["cat", src], stdout=subprocess.DEVNULL, check=True)  # in the page cache
                # A fresh OUT each time, and no write-back of the last run pending.
                if os.path.exists(outs[key]):
                    os.unlink(outs[key])
                subprocess.run(["sync"], check=True)
                t = time.perf_counter()
                r = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
                times[key].append(time.perf_counter() - t)
                if key == "h5py":
                    phases.append([float(x) for x in r.stdout.split()])
        checked = {"tool": h5_check(outs["tool"], expected, layout),
                   "seq": h5_check(outs["seq"], expected, layout),
                   "copy": h5_check(outs["copy"], values, layout),
                   "h5py": h5_check(outs["h5py"], expected, layout)}
        sizes = {k: os.path.getsize(v) >> 20 for k, v in [("in", src), *outs.items()]}
        info = subprocess.run([tool, "info", outs["tool"] + ":/d"], capture_output=True, text=True).stdout.strip()
    finally:
        for path in (src, *outs.values()):
            if os.path.exists(path):
                os.unlink(path)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_phases = [statistics.median(p[i] for p in phases) for i in range(3)]
    return med, med_phases, sizes, checked, info


def hdf5_rows(args, tool):
    values = h5_values()
    expected = np.cumsum(values, axis=0)
    copier, compiled = h5_copy_binary(args)
    try:
        rows = [(name, *hdf5_layout(args, tool, copier, values, expected, layout))
                for name, layout in H5_LAYOUTS]
    finally:
        if compiled:
            os.unlink(copier)
    print(f"\nHDF5: {values.nbytes / (1 << 30):g} GiB float64 {H5_SHAPE} in chunks {H5_CHUNKS} in the page cache, "
          f"{args.reps} interleaved repetitions, medians (s)")
    print("(tool: the default REPRODUCIBLE order; seq: --order sequential)")
    print(f"{'filters':16} {'tool':>7} {'seq':>7} {'h5_copy':>7} {'h5py':>7}  tool/copy  seq/copy"
          f"  h5py/tool  GB/s tool")
    for name, m, _, _, _, _ in rows:
        print(f"{name:16} {m['tool']:7.3f} {m['seq']:7.3f} {m['copy']:7.3f} {m['h5py']:7.3f}  "
              f"{m['tool'] / m['copy']:8.2f}x {m['seq'] / m['copy']:8.2f}x "
              f"{m['h5py'] / m['tool']:9.2f}x  {values.nbytes / m['tool'] / 1e9:8.2f}")
    for name, m, (read, scan, write), sizes, checked, info in rows:
        print(f"{name}: h5py + numpy inside its process: read {read:.3f}, cumsum {scan:.3f}, write {write:.3f}; "
              f"MiB in {sizes['in']}, tool {sizes['tool']}, copy {sizes['copy']}, h5py {sizes['h5py']}")
        print(f"    results checked (values, chunks, filters): {checked}")
        print(f"    {info}")
    m = rows[0][1]
    print(f"targets, uncompressed: tool/copy {m['tool'] / m['copy']:.2f}x <= 1.3x: "
          f"{'met' if m['tool'] <= 1.3 * m['copy'] else 'MISSED'} "
          f"(sequential {m['seq'] / m['copy']:.2f}x); h5py/tool {m['h5py'] / m['tool']:.2f}x > 1: "
          f"{'met' if m['h5py'] > m['tool'] else 'MISSED'}")
    if not all(all(r[4].values()) for r in rows):
        sys.exit("cli_throughput: an HDF5 result is wrong")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--dir", default="/tmp")
    p.add_argument("--big-gib", type=int, default=4)
    p.add_argument("--limit-mib", type=int, default=1024)
    p.add_argument("--hdf5", choices=("auto", "yes", "no"), default="auto")
    p.add_argument("--only", action="append", choices=("files", "rss", "hdf5"))
    args = p.parse_args()
    sections = args.only or ["files", "rss", "hdf5"]
    tool = os.path.join(args.build, "pscan")
    print(subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip(),
          f"threads={os.cpu_count()}")
    if "files" in sections:
        throughput(args, tool, pc.Lib(os.path.join(args.build, "libpscan.so")))
    if "rss" in sections:
        rss(args, tool)
    if "hdf5" in sections and args.hdf5 != "no":
        why_not = hdf5_unavailable(args, tool)
        if why_not is None:
            hdf5_rows(args, tool)
        elif args.hdf5 == "yes" or args.only:
            sys.exit(f"cli_throughput: no HDF5 rows: {why_not}")
        else:
            print(f"\nno HDF5 rows: {why_not}")


if __name__ == "__main__":
    main()
