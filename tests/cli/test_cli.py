"""The pscan command-line tool against numpy (Debian's python3 + numpy).

    test_cli.py PATH/TO/pscan

Round trips: files numpy writes (every dtype, both byte orders, C and
Fortran order, .npy 1.0/2.0/3.0, 0-d, empty and N-d shapes) scanned by the
tool equal numpy's cumsum, cumprod, maximum/minimum.accumulate (with the
flags emulated in numpy), and load in numpy with the dtype, shape and order
expected. Slabs: results do not change with the slab size, the thread count
or the byte order, and long float lanes in sequential order are numpy's bits.
Errors: a corpus of malformed files, usage errors and I/O errors (a
file-size limit met while writing, and an input truncated mid-scan, among
them) each give the documented exit status and message, and leave an
existing OUT as it was, with no temporary left behind; SIGINT/SIGTERM remove
the temporary.
The progress bar shows on a terminal (a pty) only, and not with -q.

Every comparison is bit for bit, which holds on every host (see
tests/numpy/numpy_host.py for what numpy computes differently per host):
complex products here are of small Gaussian integers, exact in any order and
with or without numpy's fused multiply-adds on AVX-512 hosts; no float meets
an unsigned or out-of-range integer target.

    test_cli.py PATH/TO/pscan [--seed S] [--only STEP,...]

--seed draws the random arrays (every seed must pass). The scratch folder
(pscan-cli-* in the system temp folder) is removed at exit, on failures,
exceptions, SIGINT and SIGTERM too.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_reference import default_acc, expected, expected_arg  # noqa: E402
from terminal import run_on_terminal  # noqa: E402

_parser = argparse.ArgumentParser(description="The pscan command-line tool against numpy.")
_parser.add_argument("pscan", help="path to the pscan tool")
_parser.add_argument("--seed", type=int, default=20261126,
                     help="seed of the random arrays (0: a new one from the clock)")
_parser.add_argument("--only", default="",
                     help="comma-separated steps to run (default: all), e.g. arg_scans,segmented")
ARGS = _parser.parse_args()
PSCAN = ARGS.pscan
TMP = tempfile.mkdtemp(prefix="pscan-cli-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def _leave(signo, _frame):
    sys.exit(128 + signo)   # runs the atexit removal


for _signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signo, _leave)
FAILURES = []

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "float16", "float32", "float64", "complex64", "complex128"]
EXIT_OK, EXIT_SCAN, EXIT_USAGE, EXIT_INPUT, EXIT_IO, EXIT_OVERFLOW = 0, 1, 2, 3, 4, 5


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what)


def path(name):
    return os.path.join(TMP, name)


def run(*args):
    CALLS[0] += 1
    return subprocess.run([PSCAN, *map(str, args)], capture_output=True, text=True)


def save(name, a, version=None, order=None):
    p = path(name)
    with open(p, "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    return p




def same(got, want):
    if got.shape != want.shape or got.dtype != want.dtype:
        return False
    return np.array_equal(got, want, equal_nan=got.dtype.kind in "fc")


def scan_and_check(label, op, a, axis, src, flags=(), extra=(), acc=None):
    out = path("out.npy")
    if os.path.exists(out):
        os.unlink(out)
    args = [op, src, out] + (["--axis", axis] if axis is not None else []) + \
        ["--" + f for f in flags] + list(extra)
    if acc is not None:
        args += ["--dtype", acc]
    r = run(*args)
    if r.returncode != 0:
        return fail(f"{label}: exit {r.returncode}: {r.stderr.strip()}")
    got = np.load(out)
    acc_dt = np.dtype(acc) if acc else default_acc(op, a.dtype)
    want = expected(op, a, axis, acc_dt, flags)
    if not same(got, want):
        fail(f"{label}: {op} axis={axis} flags={flags} {extra}\n got {got!r}\n want {want!r}")
        return
    if axis is not None and a.ndim >= 2 and a.flags.f_contiguous and not a.flags.c_contiguous:
        if not got.flags.f_contiguous:
            fail(f"{label}: result of a Fortran-ordered input is not Fortran-ordered")


def values(rng, dt, shape):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(dt)
    if dt.kind == "u":
        return rng.integers(0, 4, shape).astype(dt)
    if dt.kind == "c":
        return (rng.integers(-3, 4, shape) + 1j * rng.integers(-3, 4, shape)).astype(dt)
    return rng.integers(-3, 4, shape).astype(dt)


def round_trips(rng):
    """Every dtype, byte order, memory order, version and shape class."""
    shapes = [(), (0,), (7,), (3, 4), (2, 0, 3), (4, 3, 5)]
    k = 0
    for name in DTYPES:
        for bo in "<>":
            dt = np.dtype(name)
            if dt.itemsize == 1 and bo == ">":
                continue
            dt = dt.newbyteorder(bo)
            for shape in shapes:
                for fortran in (False, True):
                    if fortran and len(shape) < 2:
                        continue
                    k += 1
                    version = [(1, 0), (2, 0), (3, 0)][k % 3]
                    a = values(rng, dt, shape)
                    a = np.asfortranarray(a) if fortran else np.ascontiguousarray(a)
                    src = save("in.npy", a, version=version)
                    label = f"{dt.str} shape={shape} {'F' if fortran else 'C'} v{version[0]}"
                    for axis in [None] + list(range(-1, len(shape))) if shape else [None, 0]:
                        scan_and_check(label, "cumsum", a, axis, src)
                    if shape in ((4, 3, 5), (7,)):
                        for op in ("cumprod", "cummax", "cummin"):
                            if op != "cumprod" or dt.kind != "b":
                                scan_and_check(label, op, a, 1 if len(shape) > 1 else 0, src)


def flag_combinations(rng):
    """Flags on every axis, through slabs of rows, of lanes and inside rows."""
    combos = [(), ("reverse",), ("exclusive",), ("exclusive", "reverse"), ("include-initial",),
              ("include-initial", "reverse")]
    a = rng.integers(-50, 50, (6, 5, 4)).astype("<i4")
    f = np.asfortranarray(a.astype(">f8"))
    src_c, src_f = save("flags_c.npy", a), save("flags_f.npy", f)
    for flags in combos:
        for axis in (None, 0, 1, 2, -1):
            for slab in (None, "1", "40", "100000"):
                extra = ["--slab", slab] if slab else []
                scan_and_check("flags C", "cumsum", a, axis, src_c, flags, extra)
                scan_and_check("flags F", "cumsum", f, axis, src_f, flags, extra)
            scan_and_check("flags max", "cummax", a, axis, src_c, flags, ["--slab", "16"])
            scan_and_check("flags prod", "cumprod", a % 3 - 1, axis, save("p.npy", a % 3 - 1), flags,
                           ["--slab", "64"], acc="float64")


def long_lanes(rng):
    """Slabs along long lanes: pieces start on tiles, so the bits never move."""
    cases = [("1d", rng.random(50_003), None), ("rows", rng.random((12_345, 3)).astype("f4"), 0),
             ("panel", rng.random((9_000, 70)), 0), ("complex", (rng.random(20_000) + 1j).astype("c16"), None)]
    for name, a, axis in cases:
        src = save(f"long_{name}.npy", a)
        big = save(f"long_{name}_big.npy", a.astype(a.dtype.newbyteorder(">")))
        outputs = []
        for i, extra in enumerate([[], ["--slab", "3000"], ["--slab", "70000", "--threads", "1"],
                                   ["--threads", "3", "--slab", "100000"]]):
            for flags in ((), ("reverse",)):
                out = path(f"long_{i}_{len(flags)}.npy")
                r = run("cumsum", big if i == 2 else src, out, *(["--axis", axis] if axis is not None else []),
                        *["--" + x for x in flags], *extra)
                if r.returncode:
                    fail(f"long {name}: {r.stderr}")
                    return
                outputs.append((flags, extra, np.load(out)))
        base = {flags: got for flags, extra, got in outputs if not extra}
        for flags, extra, got in outputs:
            if got.tobytes() != base[flags].tobytes():
                fail(f"long {name} flags={flags} {extra}: bits differ from one slab")
            want = expected("cumsum", a, axis, a.dtype, flags)
            tol = 1e-4 if a.dtype == np.float32 else 1e-9
            if not np.allclose(got, want, rtol=tol, atol=tol * np.abs(a).sum()):
                fail(f"long {name} flags={flags} {extra}: not numpy's cumsum")
        # sequential order, cut into slabs: numpy's bits
        out = path("long_seq.npy")
        r = run("cumsum", src, out, "--order", "sequential", "--slab", "5000",
                *(["--axis", axis] if axis is not None else []))
        want = np.cumsum(a, axis=axis)
        if r.returncode or np.load(out).tobytes() != want.tobytes():
            fail(f"long {name}: sequential order is not numpy's bits ({r.stderr})")


def skip_nan(rng):
    """--skip-nan: numpy.nancumsum / nancumprod, through slabs too."""
    a = rng.standard_normal((5000, 3))
    a[rng.random(a.shape) < 0.1] = np.nan
    src = save("nan.npy", a)
    out = path("nan_out.npy")
    for op, fn, axis in (("cumsum", np.nancumsum, None), ("cumsum", np.nancumsum, 0),
                         ("cumprod", np.nancumprod, 1)):
        for extra in ([], ["--slab", "4000"]):
            r = run(op, src, out, "--skip-nan", "--order", "sequential",
                    *(["--axis", axis] if axis is not None else []), *extra)
            want = fn(a, axis=axis)
            if r.returncode or np.load(out).tobytes() != want.tobytes():
                fail(f"--skip-nan {op} axis={axis} {extra}: {r.stderr.strip()}")


def new_ops(rng):
    """logcumsumexp, cumand, cumor and cumxor: numpy's values on every axis
    with the flags, through slabs and thread counts; slabs never move a bit
    (logcumsumexp is compared with numpy within a tolerance: numpy's libm
    may not be the tool's on another host)."""
    combos = [(), ("reverse",), ("exclusive",), ("exclusive", "reverse"), ("include-initial",)]
    ints = rng.integers(-2**31, 2**31, (7, 6, 5)).astype("<i4")
    for op in ("cumand", "cumor", "cumxor"):
        for name, a in (("i4", ints), ("u1", ints.astype("u1")), ("bool", ints % 3 == 0),
                        (">i8", ints.astype(">i8") * 77777)):
            src = save(f"bits_{name}.npy", a)
            for flags in combos:
                for axis in (None, 0, 1, -1):
                    for extra in ([], ["--slab", "9"], ["--threads", "3"]):
                        scan_and_check(f"{op} {name}", op, a, axis, src, flags, extra)
    src = save("bits_acc.npy", ints.astype("i2"))
    scan_and_check("cumxor acc", "cumxor", ints.astype("i2"), 1, src, acc="int64")
    x = rng.standard_normal((3000, 4)) * 20
    x[rng.random(x.shape) < 0.02] = np.nan
    for dt, tol in (("<f8", 1e-9), ("<f4", 1e-3), ("<f2", 2e-2), ("<i2", 1e-3)):
        a = x.astype(dt) if dt[1] != "i" else np.nan_to_num(x).astype(dt)
        src = save(f"lae_{dt[1:]}.npy", a)
        for flags in combos + [("skip-nan",), ("skip-nan", "reverse")]:
            for axis in (None, 0, 1):
                base = None
                for extra in ([], ["--slab", "4096"], ["--slab", "700", "--order", "sequential"],
                              ["--order", "sequential"], ["--threads", "2"]):
                    out = path("lae_out.npy")
                    r = run("logcumsumexp", src, out, *(["--axis", str(axis)] if axis is not None else []),
                            *["--" + f for f in flags], *extra)
                    if r.returncode:
                        fail(f"logcumsumexp {dt} {flags} {extra}: {r.stderr.strip()}")
                        continue
                    got = np.load(out)
                    want = expected("logcumsumexp", a, axis, default_acc("logcumsumexp", a.dtype), flags)
                    if got.dtype != want.dtype or got.shape != want.shape or not np.allclose(
                            got, want, rtol=tol, atol=tol, equal_nan=True):
                        fail(f"logcumsumexp {dt} axis={axis} {flags} {extra}: not numpy's")
                    seq = "sequential" in extra
                    if base is None and not seq:
                        base = got
                    elif not seq and got.tobytes() != base.tobytes():
                        fail(f"logcumsumexp {dt} axis={axis} {flags} {extra}: bits differ from one slab")
    c = save("lae_complex.npy", np.ones(3, "c16"))
    r = run("logcumsumexp", c, path("lae_bad.npy"))
    if r.returncode == 0 or os.path.exists(path("lae_bad.npy")):
        fail("logcumsumexp of complex128 succeeded")
    f = save("bits_float.npy", np.ones(3))
    r = run("cumxor", f, path("bits_bad.npy"))
    if r.returncode == 0 or os.path.exists(path("bits_bad.npy")):
        fail("cumxor of float64 succeeded")


def output_dir_and_info(rng):
    d = path("outdir")
    os.makedirs(d, exist_ok=True)
    arrays = {f"m{k}.npy": rng.integers(0, 9, (k + 2, 3)).astype("int16") for k in range(3)}
    srcs = [save(n, a) for n, a in arrays.items()]
    r = run("cumsum", "--axis", "1", "-o", d, *srcs)
    if r.returncode:
        fail(f"-o DIR: exit {r.returncode} {r.stderr}")
    for n, a in arrays.items():
        got = np.load(os.path.join(d, n))
        if not same(got, np.cumsum(a, axis=1)):
            fail(f"-o DIR: {n} wrong")
    # one bad input among good ones: the others are still written, status 3
    bad = path("notnpy.npy")
    open(bad, "wb").write(b"hello")
    r = run("cummax", "-o", d, srcs[0], bad)
    if r.returncode != EXIT_INPUT or "notnpy.npy" not in r.stderr:
        fail(f"-o DIR with a bad input: exit {r.returncode} {r.stderr}")
    if not same(np.load(os.path.join(d, "m0.npy")), np.maximum.accumulate(arrays["m0.npy"].reshape(-1))):
        fail("-o DIR: the good input was not written")
    f = save("info.npy", np.zeros((2, 3), ">f4", order="F"), version=(2, 0))
    r = run("info", f)
    if r.returncode or "shape (2,3)" not in r.stdout or "float32" not in r.stdout or \
            "big-endian" not in r.stdout or "Fortran" not in r.stdout or ".npy 2.0" not in r.stdout:
        fail(f"info: {r.stdout!r}")
    r = run("--help")
    if r.returncode or "exit status" not in r.stdout or "cummin" not in r.stdout:
        fail("--help")
    r = run("--version")
    if r.returncode or not r.stdout.startswith("pscan "):
        fail("--version")


def header_bytes(dict_text, version=(1, 0), magic=b"\x93NUMPY"):
    body = dict_text.encode("latin1")
    body += b" " * ((64 - (10 + len(body) + 1) % 64) % 64) + b"\n"
    if version == (1, 0):
        return magic + bytes(version) + len(body).to_bytes(2, "little") + body
    return magic + bytes(version) + len(body).to_bytes(4, "little") + body


def malformed_corpus():
    good = header_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }") + bytes(32)
    corpus = {
        "empty file": (b"", "ends inside the header"),
        "wrong magic": (b"\x93NUMPZ" + good[6:], "magic"),
        "truncated header": (good[:40], "ends inside the header"),
        "unknown version": (good[:6] + bytes([9, 0]) + good[8:], "version"),
        "bad dict": (header_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), 'extra': 1}") + bytes(32), "key"),
        "not a dict": (header_bytes("['descr', '<i8']") + bytes(32), "dict"),
        "object dtype": (header_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (4,), }") + bytes(32), "object"),
        "unknown descr": (header_bytes("{'descr': '<q9', 'fortran_order': False, 'shape': (4,), }") + bytes(32), "not one pscan scans"),
        "structured dtype": (header_bytes("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (4,), }") + bytes(16), "structured"),
        "negative shape": (header_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (-4,), }"), "shape"),
        "huge shape": (header_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), "overflow"),
        "file too short": (good[:-8], "size mismatch"),
        "file too long": (good + bytes(8), "size mismatch"),
        "header over the limit": (header_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }" + " " * (1 << 20), version=(2, 0)), "limit"),
    }
    out = path("kept.npy")
    for name, (content, keyword) in corpus.items():
        src = path("bad.npy")
        with open(src, "wb") as f:
            f.write(content)
        with open(out, "wb") as f:
            f.write(b"precious")
        before = set(os.listdir(TMP))
        r = run("cumsum", src, out)
        msg = r.stderr.lower()
        if r.returncode != EXIT_INPUT or "bad.npy" not in msg or keyword not in msg:
            fail(f"corpus '{name}': exit {r.returncode}, message {r.stderr.strip()!r} (want {keyword!r})")
        if open(out, "rb").read() != b"precious":
            fail(f"corpus '{name}': OUT was changed")
        if set(os.listdir(TMP)) != before:
            fail(f"corpus '{name}': left files behind: {set(os.listdir(TMP)) - before}")
        r = run("info", src)
        if r.returncode != EXIT_INPUT:
            fail(f"corpus '{name}': info exit {r.returncode}")


def usage_and_io_errors():
    src = save("u.npy", np.arange(6).reshape(2, 3))
    out = path("kept.npy")
    cases = [
        (["cumsum", src], EXIT_USAGE, "expected"),
        (["cumsum", src, out, "--axis", "2"], EXIT_USAGE, "out of range"),
        (["cumsum", src, out, "--axis", "x"], EXIT_USAGE, "axis"),
        (["cumsum", src, out, "--dtype", "int128"], EXIT_USAGE, "dtype"),
        (["cumsum", src, out, "--threads", "0"], EXIT_USAGE, "threads"),
        (["cumsum", src, out, "--order", "fast"], EXIT_USAGE, "order"),
        (["cumsum", src, out, "--exclusive", "--include-initial"], EXIT_USAGE, "exclude"),
        (["cumsum", src, out, "--frobnicate"], EXIT_USAGE, "unknown option"),
        (["cumfoo", src, out], EXIT_USAGE, "unknown command"),
        ([], EXIT_USAGE, "no command"),
        (["cumsum", path("missing.npy"), out], EXIT_IO, "no such file"),
        (["cumsum", TMP, out], EXIT_IO, "not a regular file"),
        (["cumsum", src, path("no/such/dir/out.npy")], EXIT_IO, "cannot create"),
    ]
    for args, code, keyword in cases:
        with open(out, "wb") as f:
            f.write(b"precious")
        r = run(*args)
        if r.returncode != code or keyword not in r.stderr.lower():
            fail(f"usage {args[-2:]}: exit {r.returncode} (want {code}), {r.stderr.strip()!r}")
        if open(out, "rb").read() != b"precious":
            fail(f"usage {args}: OUT was changed")
    # more threads than cores, as the library allows; past int, the limit is said
    r = run("cumsum", src, out, "--threads", "100000")
    if r.returncode or not same(np.load(out), np.cumsum(np.arange(6).reshape(2, 3))):
        fail(f"--threads 100000: exit {r.returncode}, {r.stderr.strip()!r}")
    r = run("cumsum", src, out, "--threads", "2147483648")
    if r.returncode != EXIT_USAGE or "1 to 2147483647" not in r.stderr:
        fail(f"--threads 2147483648: exit {r.returncode}, {r.stderr.strip()!r}")


def expect_out_kept(label, out):
    """After a failed run: OUT still holds b"precious" and no temporary is left."""
    if open(out, "rb").read() != b"precious":
        fail(f"{label}: OUT was changed")
    left = [n for n in os.listdir(TMP) if ".pscan-" in n]
    if left:
        fail(f"{label}: temporary left behind: {left}")


def file_size_limit():
    """A file-size limit (ulimit -f) met while writing OUT: exit 4 with the
    reason, OUT as it was, no temporary left (the tool is not killed by
    SIGXFSZ half way)."""
    import resource
    src = save("fsize.npy", np.arange(1 << 18, dtype="<i8"))  # 2 MiB of result
    out = path("fsize_out.npy")
    with open(out, "wb") as f:
        f.write(b"precious")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

    r = subprocess.run([PSCAN, "cumsum", src, out], capture_output=True, text=True, preexec_fn=limit)
    CALLS[0] += 1
    if r.returncode != EXIT_IO or "too large" not in r.stderr.lower():
        fail(f"file-size limit: exit {r.returncode} (want {EXIT_IO}), {r.stderr.strip()!r}")
    expect_out_kept("file-size limit", out)
    os.unlink(src)


def slow_scan_started(src, out):
    """OUT holds b"precious"; the tool scans src into it in tiny slabs
    (seconds of work for 256 MiB) and has made its temporary. The tool
    knows its temporary from the moment it exists, so the caller may act
    at once, long before the scan ends even on a fast host."""
    with open(out, "wb") as f:
        f.write(b"precious")
    p = subprocess.Popen([PSCAN, "cumsum", src, out, "--slab", "4096", "--threads", "1"],
                         stderr=subprocess.PIPE, text=True)
    CALLS[0] += 1
    deadline = time.time() + 10
    while time.time() < deadline and not any(".pscan-" in n for n in os.listdir(TMP)):
        time.sleep(0.01)
    return p


def truncated_while_read():
    """Another process cuts the input short mid-scan: exit 3 with the reason,
    OUT as it was, no temporary left (the mapped pages past the new end
    raise SIGBUS, which the tool turns into that)."""
    src = save("trunc.npy", np.arange(32 << 20, dtype="<i8"))
    out = path("trunc_out.npy")
    p = slow_scan_started(src, out)
    os.truncate(src, 4096)
    err = p.communicate()[1]
    if p.returncode != EXIT_INPUT or "truncated" not in err:
        fail(f"input truncated mid-scan: exit {p.returncode} (want {EXIT_INPUT}), {err.strip()!r}")
    expect_out_kept("input truncated mid-scan", out)
    os.unlink(src)


def interrupted():
    """SIGINT and SIGTERM during a long scan: no temporary, OUT as it was."""
    src = save("sig.npy", np.arange(32 << 20, dtype="<i8"))
    out = path("sig_out.npy")
    for signo in (signal.SIGINT, signal.SIGTERM):
        p = slow_scan_started(src, out)
        p.send_signal(signo)
        p.communicate()
        if p.returncode != -signo:
            fail(f"signal {signo}: ended with {p.returncode} (was it done already?)")
        expect_out_kept(f"signal {signo}", out)
    os.unlink(src)


def progress_bar():
    """A bar on a terminal for work over a second; none with -q or a pipe."""
    out = path("progress_out.npy")
    slow = ["--slab", "256", "--threads", "1"]  # one call per 256 elements: seconds of work

    def on_terminal(extra):
        return run_on_terminal([PSCAN, "cumsum", src, out, *slow, *extra])

    # The bar waits a second before it shows: a faster host gets more work.
    for log2 in range(22, 27):
        a = np.arange(1 << log2, dtype="<i8")
        src = save("progress.npy", a)
        code, seen, took = on_terminal([])
        if took >= 1.2:
            break
    if took < 1.2:
        fail(f"progress: the slowest run took only {took:.1f} s; the check needs over a second")
    elif code != 0 or b"%" not in seen or b"[#" not in seen or not seen.endswith(b"\r\033[K"):
        fail(f"progress: no bar (or not erased) on a terminal: exit {code}, {seen[-120:]!r}")
    code, seen, _ = on_terminal(["-q"])
    if code != 0 or seen:
        fail(f"progress: -q still wrote {seen[:80]!r}")
    r = run("cumsum", src, out, *slow)
    if r.returncode != 0 or r.stderr:
        fail(f"progress: a pipe got {r.stderr[:80]!r}")
    if not same(np.load(out), np.cumsum(a)):
        fail("progress: wrong result")
    os.unlink(src)


def topo():
    """pscan topo: this machine, a synthetic one, a bad description."""
    r = run("topo", "--elements", "100000")
    if r.returncode or "this system" not in r.stdout or "plan: 100000 elements = 25 tiles" not in r.stdout:
        fail(f"topo: {r.returncode} {r.stdout!r}")
    r = run("topo", "--synthetic", "pack:2 numa:2 core:4 pu:1", "--threads", "8")
    lines = [l.split() for l in r.stdout.splitlines()[4:]]
    nodes = [int(l[-1]) for l in lines]
    if r.returncode or "4 NUMA nodes" not in r.stdout or nodes != [0, 0, 1, 1, 2, 2, 3, 3]:
        fail(f"topo --synthetic: {r.returncode} {r.stdout!r}")
    r = run("topo", "--synthetic", "bogus:1")
    if r.returncode != EXIT_USAGE or "bogus" not in r.stderr:
        fail(f"topo with a bad description: {r.returncode} {r.stderr!r}")


def checks_compensation_axes(rng):
    """--check-overflow (also when only the carry from earlier slabs makes a
    slab overflow), --compensated (slab pieces give the bits of one call and
    stay within an ulp of exactly rounded sums), --axes, --placement."""
    out = path("checked.npy")
    # int8 partials 100, 120, 127 fit; one more 1 overflows at the last slab
    a = np.array([100, 20, 7] + [0] * 5000 + [1], dtype="int8")
    src = save("ovf.npy", a)
    for extra in ([], ["--slab", "1000"], ["--axis", "0", "--slab", "1000"], ["--reverse", "--slab", "1000"]):
        with open(out, "wb") as f:
            f.write(b"precious")
        r = run("cumsum", src, out, "--dtype", "int8", "--check-overflow", *extra)
        if r.returncode != EXIT_OVERFLOW or "overflow" not in r.stderr or open(out, "rb").read() != b"precious":
            fail(f"--check-overflow {extra}: exit {r.returncode}, {r.stderr.strip()!r}")
    if any(n.startswith(".checked.npy") for n in os.listdir(TMP)):
        fail("--check-overflow left a temporary file")
    fits = save("fits.npy", a[:-1])
    r = run("cumsum", fits, out, "--dtype", "int8", "--check-overflow", "--slab", "1000")
    if r.returncode or not same(np.load(out), np.cumsum(a[:-1], dtype="int8")):
        fail(f"--check-overflow without overflow: {r.stderr.strip()}")
    # lanes side by side (axis 0 of a 2-d array), uint16 products
    b = np.full((300, 4), 1, dtype="uint16")
    b[0] = [200, 2, 3, 4]
    b[299, 0] = 400  # 200 * 400 > 65535: only column 0, only in the last slab
    r = run("cumprod", save("ovf2.npy", b), out, "--axis", "0", "--dtype", "uint16", "--check-overflow", "--slab", "100")
    if r.returncode != EXIT_OVERFLOW:
        fail(f"--check-overflow across lanes: exit {r.returncode}")

    x = rng.standard_normal((3 * 4096 * 4 + 5,)) * np.where(rng.random(3 * 4096 * 4 + 5) < 0.1, 1e12, 1.0)
    csrc = save("comp.npy", x)
    ref = None
    for extra in ([], ["--slab", str(4096 * 8)], ["--slab", str(3 * 4096 * 8), "--threads", "1"]):
        r = run("cumsum", csrc, out, "--compensated", *extra)
        got = np.load(out) if r.returncode == 0 else None
        if got is None:
            fail(f"--compensated {extra}: {r.stderr.strip()}")
            continue
        if ref is None:
            ref = got
        elif got.tobytes() != ref.tobytes():
            fail(f"--compensated {extra}: slabs change the bits")
    if ref is not None:
        exact = [float(v) for v in np.cumsum([__import__("fractions").Fraction(float(v)) for v in x[:3000]])]
        worst = max(abs(float(g) - e) / max(abs(e), 1e-300) for g, e in zip(ref[:3000], exact))
        if worst > 2.3e-16:
            fail(f"--compensated: relative error {worst:.3g} over the first 3000 prefix sums")
    y = x.copy()
    y[::11] = np.nan
    r = run("cumsum", save("compnan.npy", y), out, "--compensated", "--skip-nan", "--slab", str(4096 * 8))
    r2 = run("cumsum", save("compzero.npy", np.nan_to_num(y, nan=0.0)), path("compzero_out.npy"), "--compensated")
    if r.returncode or r2.returncode or np.load(out).tobytes() != np.load(path("compzero_out.npy")).tobytes():
        fail(f"--compensated --skip-nan: {r.stderr.strip()} {r2.stderr.strip()}")
    m = rng.standard_normal((2, 4096 + 3, 3)) * 1e8
    r = run("cumsum", save("comp3.npy", m), out, "--compensated", "--axis", "1", "--slab", "4000")
    r2 = run("cumsum", path("comp3.npy"), path("comp3_whole.npy"), "--compensated", "--axis", "1")
    if r.returncode or r2.returncode or np.load(out).tobytes() != np.load(path("comp3_whole.npy")).tobytes():
        fail(f"--compensated along axis 1 of a 3-d array: {r.stderr.strip()} {r2.stderr.strip()}")

    for arr, axes in ((rng.integers(0, 256, (300, 70), dtype="uint8"), (0, 1)),
                      (np.asfortranarray(rng.integers(-9, 9, (5, 40, 30), dtype="int32")), (1, 2)),
                      (rng.standard_normal((64, 50)), (-1, 0)),
                      (rng.integers(-9, 9, (4, 5, 6), dtype="int64"), (0, 1, 2))):
        want = arr
        for ax in sorted(a % arr.ndim for a in axes)[::-1]:
            want = np.cumsum(want, axis=ax, dtype=default_acc("cumsum", arr.dtype))
        r = run("cumsum", save("axes.npy", arr), out, "--axes", ",".join(map(str, axes)))
        got = np.load(out) if r.returncode == 0 else None
        if got is None or not same(got, want) or got.flags["F_CONTIGUOUS"] != (arr.ndim > 1 and arr.flags["F_CONTIGUOUS"] and not arr.flags["C_CONTIGUOUS"]):
            fail(f"--axes {axes} on {arr.dtype} {arr.shape}: {r.stderr.strip()}")
    # flags on every scanned axis: the chain of one-axis numpy scans, last axis first
    arr = rng.standard_normal((37, 23))
    arr[::5, ::3] = np.nan
    ints = rng.integers(-9, 9, (6, 7, 5), dtype="int16")
    for x, axes, flags in ((arr, (0, 1), ["reverse"]), (arr, (0, 1), ["skip-nan", "exclusive"]),
                           (arr, (1, 0), ["include-initial"]), (ints, (0, 2), ["exclusive", "reverse"]),
                           (ints, (0, 1, 2), ["include-initial", "reverse", "check-overflow"])):
        acc = default_acc("cumsum", x.dtype)
        want = x
        for ax in sorted(axes)[::-1]:
            want = expected("cumsum", want, ax, acc, flags)
        r = run("cumsum", save("axes_flags.npy", x), out, "--axes", ",".join(map(str, axes)),
                *["--" + f for f in flags])
        got = np.load(out) if r.returncode == 0 else None
        if got is None or got.shape != want.shape or not same(got, want):
            fail(f"--axes {axes} {flags} on {x.dtype} {x.shape}: {r.stderr.strip()}")
    for extra, keyword in ((["--axes", "0"], "axes"), (["--axes", "0,1", "--axis", "0"], "--axes"),
                           (["--axes", "0,5"], "out of range"),
                           (["--axes", "0,0"], "axis"), (["--placement", "far"], "placement")):
        r = run("cumsum", path("axes.npy"), out, *extra)
        if r.returncode != EXIT_USAGE or keyword not in r.stderr:
            fail(f"{extra}: exit {r.returncode}, {r.stderr.strip()!r}")
    plain = path("plain.npy")
    r = run("cumsum", path("comp.npy"), plain)
    r2 = run("cumsum", path("comp.npy"), out, "--placement", "spread")
    if r.returncode or r2.returncode or np.load(out).tobytes() != np.load(plain).tobytes():
        fail(f"--placement spread changes the bits: {r2.stderr.strip()}")
    r = run("topo", "--placement", "compact", "--synthetic", "numa:2 core:4 pu:1", "--threads", "3")
    nodes = [int(l.split()[-1]) for l in r.stdout.splitlines()[4:]]
    if r.returncode or "placement: compact" not in r.stdout or nodes != [0, 0, 0]:
        fail(f"topo --placement compact: {r.returncode} {r.stdout!r}")


def replace_in_place():
    """OUT may be IN: the result replaces it only when complete."""
    a = np.arange(10, dtype="int32")
    src = save("same.npy", a)
    r = run("cumsum", src, src)
    if r.returncode or not same(np.load(src), np.cumsum(a)):
        fail(f"OUT == IN: {r.stderr}")


def arg_scans(rng):
    """cumargmax/cumargmin: the running np.argmax/argmin (first occurrence,
    NaN first) with every flag on every axis, through several slabs (pieces
    along the slowest axis carry the best index), thread counts, both byte
    orders, Fortran order and --dtype as the comparison type."""
    combos = [(), ("reverse",), ("exclusive",), ("exclusive", "reverse"), ("include-initial",),
              ("include-initial", "reverse"), ("skip-nan",), ("skip-nan", "reverse")]
    f = rng.integers(-3, 4, (40, 3, 5)).astype("<f8")  # many ties
    f[rng.random(f.shape) < 0.05] = np.nan
    f[:3, 0, 0] = np.nan  # a lane that starts with NaNs
    arrays = [("f8", f), (">f4", f.astype(">f4")), ("F", np.asfortranarray(f)),
              ("i2", np.nan_to_num(f).astype("<i2")), ("u1", np.nan_to_num(f).astype("u1")),
              ("c16", (np.nan_to_num(f) + 1j * rng.integers(-1, 2, f.shape)).astype("c16"))]
    for name, a in arrays:
        src = save(f"arg_{name}.npy", a)
        for op in ("cumargmax", "cumargmin"):
            for flags in combos:
                for axis in (None, 0, 2):
                    for extra in ([], ["--slab", "64"], ["--slab", "200", "--threads", "3"]):
                        out = path("arg_out.npy")
                        r = run(op, src, out, *(["--axis", axis] if axis is not None else []),
                                *["--" + x for x in flags], *extra)
                        if r.returncode:
                            fail(f"{op} {name} axis={axis} {flags} {extra}: exit {r.returncode}: "
                                 f"{r.stderr.strip()}")
                            continue
                        got = np.load(out)
                        want = expected_arg(op, a, axis, a.dtype, flags)
                        if not same(got, want):
                            fail(f"{op} {name} axis={axis} {flags} {extra}\n got {got!r}\n want {want!r}")
    # --dtype: compared as int8, where 200 is -56
    a = np.array([3, 200, 5, 100], "u2")
    src = save("arg_dtype.npy", a)
    for op in ("cumargmax", "cumargmin"):
        r = run(op, src, path("arg_out.npy"), "--dtype", "int8", "--slab", "2")
        want = expected_arg(op, a.astype("u1").view("i1"), None, "int8")
        if r.returncode or not same(np.load(path("arg_out.npy")), want):
            fail(f"{op} --dtype int8: {r.stderr.strip()}")


def segmented_expected(op, a, axis, starts, flags=()):
    """Each segment of each lane scanned alone (numpy_reference.expected);
    `starts`: bool of a's shape (axis None: of size(a), C order)."""
    acc = default_acc(op, a.dtype)
    x = a.astype(a.dtype.newbyteorder("="))
    if axis is None:
        x, starts, axis = x.reshape(-1), np.asarray(starts).reshape(-1), 0
    x, st = np.moveaxis(x, axis, -1), np.moveaxis(np.broadcast_to(starts, x.shape), axis, -1)
    r = np.empty(x.shape, acc)
    for idx in np.ndindex(x.shape[:-1]):
        cut = [0] + [i for i in range(1, x.shape[-1]) if st[idx][i]] + [x.shape[-1]]
        for lo, hi in zip(cut[:-1], cut[1:]):
            r[idx][lo:hi] = expected(op, x[idx][lo:hi], 0, acc, flags)
    return np.moveaxis(r, -1, axis)


def segmented(rng):
    """--segments, --offsets and --keys: per-segment numpy results for the
    ops, flags, axes, per-lane and shared segment files (big-endian and
    Fortran ones too); errors leave OUT as it was, with no temporary."""
    a = rng.integers(-5, 6, (6, 25)).astype("<f8")
    a[rng.random(a.shape) < 0.05] = np.nan
    cases = []  # (label, axis, option, segment array, starts as bool of a's shape or a's lanes)
    flags2 = rng.random(a.shape) < 0.2
    cases.append(("flags lanes", 1, "--segments", flags2, flags2))
    f1 = (rng.random(25) < 0.2).astype("u1") * 7
    cases.append(("flags shared", 1, "--segments", f1, f1 != 0))
    cases.append(("flags F", 0, "--segments", np.asfortranarray(flags2), flags2))
    off = np.array([0, 2, 2, 9, 17, 25], "<i8")
    st = np.zeros(25, bool)
    st[off[off < 25]] = True
    cases.append(("offsets", 1, "--offsets", off, st))
    off0 = np.array([3, 4], "<i8")
    st0 = np.zeros((6, 1), bool)
    st0[[3, 4]] = True
    cases.append(("offsets axis 0", 0, "--offsets", off0, st0))
    keys = np.repeat(rng.integers(0, 3, 10), rng.integers(1, 5, 10))[:25]
    keys = np.concatenate([keys, np.full(25 - len(keys), 9)]).astype(">i4")
    ks = np.concatenate([[True], keys[1:] != keys[:-1]])
    cases.append(("keys shared", 1, "--keys", keys, ks))
    k2 = rng.integers(0, 2, a.shape).astype("f4")
    cases.append(("keys lanes", 1, "--keys", k2, np.concatenate(
        [np.ones((6, 1), bool), k2[:, 1:] != k2[:, :-1]], axis=1)))
    kf = rng.integers(0, 2, a.size).astype("i2")
    cases.append(("keys none", None, "--keys", kf,
                  np.concatenate([[True], kf[1:] != kf[:-1]]).reshape(a.shape)))
    cases.append(("flags none", None, "--segments", flags2, flags2))
    ops = [("cumsum", a), ("cumprod", a % 3), ("cummax", a), ("cummin", a),
           ("cumxor", np.nan_to_num(a).astype("i4"))]
    combos = [(), ("reverse",), ("exclusive",), ("exclusive", "reverse"), ("skip-nan",)]
    for label, axis, option, seg, starts in cases:
        sp = save("seg.npy", seg)
        for op, x in ops:
            src = save("seg_in.npy", x)
            for flags in combos:
                if op == "cumxor" and flags == ("skip-nan",):
                    continue
                out = path("seg_out.npy")
                r = run(op, src, out, option, sp, *(["--axis", axis] if axis is not None else []),
                        *["--" + f for f in flags], "--slab", "64")
                if r.returncode:
                    fail(f"segmented {label} {op} {flags}: exit {r.returncode}: {r.stderr.strip()}")
                    continue
                got = np.load(out)
                want = segmented_expected(op, x, axis, starts, flags)
                if not same(got, want):
                    fail(f"segmented {label} {op} {flags}\n got {got!r}\n want {want!r}")
    # a Fortran-order input flattened: its logical C order, segments and all
    fa = np.asfortranarray(a)
    out = path("seg_out.npy")
    r = run("cumsum", save("seg_in_f.npy", fa), out, "--segments", save("seg.npy", flags2),
            "--slab", "64")
    if r.returncode:
        fail(f"segmented Fortran input axis None: exit {r.returncode}: {r.stderr.strip()}")
    elif not same(np.load(out), segmented_expected("cumsum", fa, None, flags2)):
        fail("segmented Fortran input axis None: wrong result")
    src = save("seg_in.npy", a)
    out = path("seg_kept.npy")
    bad = [("unsorted offsets", ["--offsets", save("bad_off.npy", np.array([0, 5, 3], "i8"))], EXIT_USAGE),
           ("offsets past n", ["--offsets", save("bad_off2.npy", np.array([0, 26], "i8"))], EXIT_USAGE),
           ("int32 offsets", ["--offsets", save("bad_off3.npy", np.array([0, 5], "i4"))], EXIT_USAGE),
           ("float flags", ["--segments", save("bad_flags.npy", np.ones(25))], EXIT_USAGE),
           ("wrong shape", ["--segments", save("bad_shape.npy", np.ones(24, bool))], EXIT_USAGE),
           ("wrong shape 2-d", ["--keys", save("bad_shape2.npy", np.ones((25, 6)))], EXIT_USAGE),
           ("two kinds", ["--segments", save("ok.npy", f1), "--keys", path("ok.npy")], EXIT_USAGE),
           ("include-initial", ["--segments", path("ok.npy"), "--include-initial"], EXIT_USAGE),
           ("--axes", ["--segments", path("ok.npy"), "--axes", "0,1"], EXIT_USAGE),
           ("missing file", ["--keys", path("no_such.npy")], EXIT_IO),
           ("not .npy", ["--keys", save_bytes("junk.npy", b"not numpy")], EXIT_INPUT)]
    for label, extra, code in bad:
        with open(out, "wb") as fh:
            fh.write(b"precious")
        r = run("cumsum", src, out, *([] if "--axes" in extra else ["--axis", "1"]), *extra)
        lines = [x for x in r.stderr.splitlines() if not x.startswith("(pscan --help")]
        if r.returncode != code or len(lines) != 1:
            fail(f"segmented error {label}: exit {r.returncode} (want {code}): {r.stderr!r}")
        expect_out_kept(f"segmented error {label}", out)
    with open(out, "wb") as fh:
        fh.write(b"precious")
    r = run("cumargmax", src, out, "--segments", path("ok.npy"), "--axis", "1")
    if r.returncode != EXIT_USAGE:
        fail(f"cumargmax --segments: exit {r.returncode}")
    expect_out_kept("cumargmax --segments", out)


def save_bytes(name, data):
    with open(path(name), "wb") as fh:
        fh.write(data)
    return path(name)


CALLS = [0]


def main():
    seed = ARGS.seed or int(time.time() * 1000) % 1000000000 + 1
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    for step in (round_trips, flag_combinations, long_lanes, skip_nan, new_ops, arg_scans,
                 segmented, output_dir_and_info,
                 checks_compensation_axes, malformed_corpus, usage_and_io_errors, replace_in_place, topo,
                 file_size_limit, truncated_while_read, interrupted, progress_bar):
        if ARGS.only and step.__name__ not in ARGS.only.split(","):
            continue
        t = time.time()
        n = len(FAILURES)
        step(rng) if step in (round_trips, flag_combinations, long_lanes, skip_nan, new_ops, arg_scans, segmented,
                              output_dir_and_info,
                              checks_compensation_axes) else step()
        print(f"{step.__name__}: {'ok' if len(FAILURES) == n else 'FAILED'} ({time.time() - t:.1f} s)")
    if FAILURES:
        print(f"{len(FAILURES)} failures")
        sys.exit(1)
    print(f"all CLI checks passed ({CALLS[0]} runs of the tool)")


if __name__ == "__main__":
    main()
