"""The pscan command-line tool under allocation failure (Debian's python3 +
numpy).

    test_faults_cli.py PATH/TO/pscan PATH/TO/libpscan_failalloc.so

Each run is made under LD_PRELOAD of the failing allocator
(tests/cli/failalloc.c). A clean run first counts the allocations the tool
makes after main begins (C) and must give numpy's result; then, for every k
from 1 to C (every k up to 200, then a stride that keeps a case near 200
runs, and the last k), the k-th allocation and every later one fail. Each
run must either succeed with numpy's result (it did without the memory) or
exit with status 1 (out of memory) and a message that names memory, never
be killed by a signal, leave the existing OUT byte for byte as it was, and
leave no temporary in OUT's folder. Cases: a .npy scan with a conversion, a
big-endian input (swapped a slab at a time), a Fortran-ordered 2-D array
along axis 0, a running arg-max, a segmented scan (scanned whole), and
-o DIR. (HDF5 datasets are not tried: HDF5 1.10's own
allocations, failing, crash inside HDF5 or come back as errors that cannot
be told from damaged data.)
"""
import argparse
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

_parser = argparse.ArgumentParser(description="The pscan tool under allocation failure.")
_parser.add_argument("pscan", help="path to the pscan tool")
_parser.add_argument("failalloc", help="path to libpscan_failalloc.so")
_parser.add_argument("--every", type=int, default=200,
                     help="every k up to this one is tried, then a stride")
ARGS = _parser.parse_args()
TMP = tempfile.mkdtemp(prefix="pscan-faults-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def _leave(signo, _frame):
    sys.exit(128 + signo)   # runs the atexit removal


for _signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signo, _leave)

EXIT_OK, EXIT_SCAN = 0, 1
FAILURES = []
RUNS = [0]


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what)


def path(name):
    return os.path.join(TMP, name)


def run(args, k=None, count_file=None):
    env = dict(os.environ, LD_PRELOAD=ARGS.failalloc)
    env.pop("PSCAN_FAIL_ALLOC_AT", None)
    if k is not None:
        env["PSCAN_FAIL_ALLOC_AT"] = str(k)
    if count_file:
        env["PSCAN_FAIL_ALLOC_COUNT"] = count_file
    RUNS[0] += 1
    try:
        return subprocess.run([ARGS.pscan, *map(str, args)], capture_output=True, text=True,
                              env=env, timeout=60)
    except subprocess.TimeoutExpired:  # a hang is a failure of its own, not the suite's timeout
        fail(f"{args[0]} with allocations from the {k}-th failing: no exit within 60 s")
        return subprocess.CompletedProcess(args, -1, "", "hung")


def ks_to_try(count):
    """Every k up to ARGS.every, then a stride keeping about as many more."""
    ks = list(range(1, min(count, ARGS.every) + 1))
    if count > ARGS.every:
        stride = max(1, (count - ARGS.every) // ARGS.every)
        ks += list(range(ARGS.every + stride, count + 1, stride))
        if ks[-1] != count:
            ks.append(count)
    return ks


def temporaries():
    return [n for n in os.listdir(TMP) if ".pscan-" in n]


def sweep(label, args, out_file, precious, result_is_right):
    """The clean count, then every k of ks_to_try; returns (count, ks)."""
    def restore():
        with open(out_file, "wb") as f:
            f.write(precious)

    restore()
    count_file = path("count")
    r = run(args, count_file=count_file)
    if r.returncode != EXIT_OK or not result_is_right():
        fail(f"{label}: the clean run: exit {r.returncode}, {r.stderr.strip()!r}")
        return 0, 0
    count = int(open(count_file).read())
    ks = ks_to_try(count)
    did_without = 0
    for k in ks:
        restore()
        r = run(args, k=k)
        what = f"{label}, allocations from the {k}-th of {count} failing"
        if r.returncode == EXIT_OK:
            did_without += 1
            if not result_is_right():
                fail(f"{what}: succeeded with a wrong result")
            continue
        if r.returncode < 0:
            fail(f"{what}: killed by signal {-r.returncode}: {r.stderr.strip()[-300:]!r}")
        elif r.returncode != EXIT_SCAN or "memory" not in r.stderr.lower():
            fail(f"{what}: exit {r.returncode} (want {EXIT_SCAN}), {r.stderr.strip()[-300:]!r}")
        if open(out_file, "rb").read() != precious:
            fail(f"{what}: OUT was changed")
        left = temporaries()
        if left:
            fail(f"{what}: temporary left behind: {left}")
            for n in left:
                os.unlink(path(n))
    print(f"{label}: {count} allocations, {len(ks)} ks tried, "
          f"{did_without} runs did without the memory")
    return count, len(ks)


def result_in(out, want, dtype=True, layout=False):
    """A check that OUT holds numpy's `want`: its values, its dtype unless
    dtype is False, its memory order if layout."""
    def right():
        try:
            got = np.load(out)
        except Exception:
            return False
        return (not dtype or got.dtype == want.dtype) and np.array_equal(got, want) and \
            (not layout or got.flags.f_contiguous == want.flags.f_contiguous)
    return right


def npy_case():
    a = (np.arange(1 << 20, dtype="<i4") % 1000) - 400   # 4 MiB
    src = path("in.npy")
    np.save(src, a)
    out = path("out.npy")
    want = np.cumsum(a, dtype="<i8")

    return sweep("npy int32 -> int64", ["cumsum", src, out, "--dtype", "int64", "--slab", 1 << 20],
                 out, b"precious", result_in(out, want))


def npy_sweep(label, a, want, args):
    """Scan a (saved) into out.npy with args; numpy's `want` when it works."""
    src = path("in.npy")
    np.save(src, a)
    out = path("out.npy")

    return sweep(label, [args[0], src, out, *args[1:]], out, b"precious",
                 result_in(out, want, layout=True))


def big_endian_case():
    a = (np.arange(1 << 18, dtype=">i8") % 977) - 300
    return npy_sweep("npy big-endian int64", a, np.cumsum(a.astype("<i8")),
                     ["cumsum", "--slab", 1 << 16])


def fortran_case():
    a = np.asfortranarray(np.arange(1 << 18, dtype="<f8").reshape(512, 512) % 13)
    return npy_sweep("npy Fortran float64 along axis 0", a, np.cumsum(a, axis=0),
                     ["cumsum", "--axis", 0])


def arg_case():
    a = np.sin(np.arange(1 << 17, dtype="<f8"))
    m = np.maximum.accumulate(a)
    new = np.r_[True, a[1:] > m[:-1]]   # numpy's argmax: the first of ties
    want = np.maximum.accumulate(np.where(new, np.arange(len(a)), 0)).astype("<i8")
    return npy_sweep("npy cumargmax", a, want, ["cumargmax"])


def output_dir_case():
    a = np.arange(1 << 18, dtype="<i2") % 100
    src = path("dirin.npy")
    np.save(src, a)
    folder = path("outdir")
    os.makedirs(folder, exist_ok=True)
    out = os.path.join(folder, "dirin.npy")
    want = np.cumsum(a)

    return sweep("npy -o DIR", ["cumsum", src, "-o", folder], out, b"precious",
                 result_in(out, want))


def segmented_case():
    a = np.arange(1 << 19, dtype="<f8") % 7
    flags = np.zeros(a.shape, dtype=bool)
    flags[::1000] = True
    src, seg = path("seg_in.npy"), path("seg_flags.npy")
    np.save(src, a)
    np.save(seg, flags)
    out = path("seg_out.npy")
    starts = np.flatnonzero(flags)
    want = np.concatenate([np.cumsum(part) for part in np.split(a, starts[1:])])

    return sweep("npy float64 --segments", ["cumsum", src, out, "--segments", seg],
                 out, b"precious", result_in(out, want, dtype=False))


def main():
    t = time.time()
    runs = 0
    for case in (npy_case, big_endian_case, fortran_case, arg_case, segmented_case,
                 output_dir_case):
        runs += case()[1]
    print(f"{runs} failing runs in {time.time() - t:.1f} s")
    if FAILURES:
        print(f"{len(FAILURES)} failures")
        sys.exit(1)
    print("the tool under allocation failure: all checks passed")


if __name__ == "__main__":
    main()
