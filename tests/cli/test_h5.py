"""The pscan command-line tool's HDF5 datasets against numpy and h5py
(Debian's python3 + numpy + h5py).

    test_h5.py PATH/TO/pscan [--seed S] [--only STEP,...]

Round trips: files h5py writes (every dtype pscan takes, both byte orders,
contiguous and chunked layouts, gzip and shuffle, datasets in nested groups,
0-d, empty and N-d shapes) scanned by the tool along every axis and
axis=None, with every op and flag (--exclusive, --include-initial,
--reverse, --skip-nan, --dtype, --axes, small slabs), equal numpy's result
bit for bit in --order sequential (numpy's order); h5py reads the result back
little-endian with the dtype and shape numpy gives, the input's chunk shape,
gzip and shuffle (--gzip N and --no-compress change them) and attributes
(the input's, plus pscan_op, pscan_axis and pscan_version).
Mixing: .npy -> .h5, .h5 -> .npy, .h5 -> .h5 (another file, the same file,
an existing file whose other datasets stay, a dataset replaced), OUT named
without a dataset, -o DIR, FILE:/path naming rules; `pscan info`.
Memory: a 64 MiB dataset through 1 MiB slabs (axis 0 of a 2-d dataset
chunked by rows, then by columns; axis=None of a 3-d one) keeps the tool's
peak RSS (/usr/bin/time) within a bound measured in the same run (see
big_datasets()).
Errors: a corpus of malformed files (corrupt, truncated, missing dataset, a
group, unsupported types) gives exit 3 with one line naming file and
dataset and no HDF5 error stack; usage errors exit 2; each leaves an
existing OUT byte for byte as it was, with no temporary behind; so does a
SIGINT/SIGTERM in the middle of a write; so do a damaged gzip chunk (exit
3) and a file-size limit met while writing (exit 4). The progress bar shows on a
terminal (a pty), and not with -q.

Every comparison is bit for bit, which holds on every host (see
tests/numpy/numpy_host.py): values are small integers (floats too), so sums
are exact; complex products are of small Gaussian integers, exact in any
order and with or without numpy's fused multiply-adds; no float meets an
unsigned target. --seed draws the values only (every seed must pass; 0: a
new seed from the clock); the malformed bytes are fixed. The scratch folder
(pscan-h5-* in the system temp folder) is removed at exit, on failures,
exceptions, SIGINT and SIGTERM too. Only run when the tool is built with
HDF5 (tests/CMakeLists.txt: PSCAN_HAVE_HDF5).
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

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_reference import OPS, default_acc, expected, expected_arg  # noqa: E402
from terminal import run_on_terminal  # noqa: E402

_parser = argparse.ArgumentParser(description="The pscan tool's HDF5 datasets against numpy.")
_parser.add_argument("pscan", help="path to the pscan tool")
_parser.add_argument("--seed", type=int, default=20261126,
                     help="seed of the random arrays (0: a new one from the clock)")
_parser.add_argument("--only", default="",
                     help="comma-separated steps to run (default: all), e.g. big_datasets")
ARGS = _parser.parse_args()
PSCAN = os.path.abspath(ARGS.pscan)
TMP = tempfile.mkdtemp(prefix="pscan-h5-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def _leave(signo, _frame):
    sys.exit(128 + signo)   # runs the atexit removal


for _signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signo, _leave)

FAILURES = []
CALLS = [0]
DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "float16", "float32", "float64", "complex64", "complex128"]
EXIT_OK, EXIT_SCAN, EXIT_USAGE, EXIT_INPUT, EXIT_IO, EXIT_OVERFLOW = 0, 1, 2, 3, 4, 5
SEQ = ("--order", "sequential")
MiB = 1 << 20


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what)


def path(name):
    return os.path.join(TMP, name)


def run(*args):
    CALLS[0] += 1
    return subprocess.run([PSCAN, *map(str, args)], capture_output=True, text=True)


def version():
    return run("--version").stdout.split()[1]


def save_npy(name, a):
    p = path(name)
    with open(p, "wb") as f:
        np.lib.format.write_array(f, a)
    return p


def h5_write(name, datasets, **file_kwargs):
    """datasets: {"/grp/ds": (array, create_dataset keywords, attrs)}."""
    p = path(name)
    with h5py.File(p, "w", **file_kwargs) as f:
        for dpath, (a, kwargs, attrs) in datasets.items():
            if dpath in f:
                del f[dpath]
            d = f.create_dataset(dpath, data=a, **kwargs)
            for k, v in (attrs or {}).items():
                d.attrs[k] = v
    return p


def h5_read(spec):
    """The dataset FILE:/path as h5py sees it: data and storage."""
    file, dpath = spec.rsplit(":/", 1)
    with h5py.File(file, "r") as f:
        d = f["/" + dpath]
        return {"data": d[()], "dtype": d.dtype, "shape": d.shape, "chunks": d.chunks,
                "compression": d.compression, "level": d.compression_opts, "shuffle": d.shuffle,
                "attrs": {k: d.attrs[k] for k in d.attrs}}


def file_bytes(p):
    with open(p, "rb") as f:
        return f.read()


def temporaries(folder=TMP):
    return [n for n in os.listdir(folder) if ".pscan-" in n]


def text(v):
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("ascii", "replace")
    return v if isinstance(v, str) else None


def little(dt):
    """The dtype a little-endian result has as h5py reads it."""
    return np.dtype(dt).newbyteorder("<")


# ---- numpy's results ----------------------------------------------------



def same_values(got, want):
    if got.shape != want.shape or little(got.dtype) != little(want.dtype):
        return False
    return np.array_equal(got, want, equal_nan=got.dtype.kind in "fc")


def values(rng, dt, shape):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(dt)
    if dt.kind == "u":
        return rng.integers(0, 4, shape).astype(dt)
    if dt.kind == "c":
        return (rng.integers(-3, 4, shape) + 1j * rng.integers(-3, 4, shape)).astype(dt)
    return rng.integers(-3, 4, shape).astype(dt)


# ---- one scan into an HDF5 dataset, checked -----------------------------

ATTRS = {"units": "kelvin", "scale": np.float32(2.5), "ids": np.arange(3, dtype="<i2"),
         "tag": np.bytes_(b"fixed")}


def check_attrs(label, got, in_attrs, op, axis, ndim):
    extra = set(got) - set(in_attrs) - {"pscan_op", "pscan_axis", "pscan_version"}
    if extra:
        fail(f"{label}: attributes neither the input's nor pscan's: {sorted(extra)}")
    for k, v in in_attrs.items():
        if k not in got:
            fail(f"{label}: input attribute {k!r} not copied")
        elif not (np.array_equal(np.asarray(got[k]), np.asarray(v)) and
                  np.asarray(got[k]).dtype == np.asarray(v).dtype):
            fail(f"{label}: attribute {k!r} is {got[k]!r}, the input's {v!r}")
    if text(got.get("pscan_op")) != op:
        fail(f"{label}: pscan_op is {got.get('pscan_op')!r}, want {op!r}")
    if text(got.get("pscan_version")) != VERSION[0]:
        fail(f"{label}: pscan_version is {got.get('pscan_version')!r}, want {VERSION[0]!r}")
    ax = got.get("pscan_axis")
    if axis is not None and ndim == 0 and text(ax) == "None":
        pass   # a 0-d input along axis 0 is a flattening scan: either label fits
    elif axis is None:
        if text(ax) != "None":
            fail(f"{label}: pscan_axis is {ax!r}, want the string 'None'")
    elif isinstance(axis, tuple):
        a = np.asarray(ax)
        if a.dtype != np.int64 or a.ndim != 1 or list(a) != list(axis):
            fail(f"{label}: pscan_axis is {ax!r}, want int64 array {list(axis)}")
    else:
        a = np.asarray(ax)
        # The axis as given or counted from 0 (the contract says an int64 scalar).
        if a.dtype != np.int64 or a.ndim != 0 or int(a) not in (axis, axis % max(ndim, 1)):
            fail(f"{label}: pscan_axis is {ax!r}, want int64 scalar {axis}")


def check_storage(label, got, want_shape, chunks=None, gzip=None, shuffle=False):
    """Chunk shape: `chunks` (None: any chunk) when the result has no zero
    length and is not 0-d, else contiguous; gzip level or None; shuffle."""
    empty = len(want_shape) == 0 or 0 in want_shape
    if empty:
        if got["chunks"] is not None or got["compression"] is not None or got["shuffle"]:
            fail(f"{label}: empty result is {got['chunks']} {got['compression']}, want contiguous")
        return
    if got["chunks"] is None:
        fail(f"{label}: result is contiguous, want chunked")
    elif chunks is not None and tuple(got["chunks"]) != tuple(chunks):
        fail(f"{label}: chunks {got['chunks']}, want the input's {chunks}")
    want_comp = "gzip" if gzip is not None else None
    if got["compression"] != want_comp or (gzip is not None and got["level"] != gzip):
        fail(f"{label}: compression {got['compression']}({got['level']}), want {want_comp}({gzip})")
    if bool(got["shuffle"]) != shuffle:
        fail(f"{label}: shuffle {got['shuffle']}, want {shuffle}")


def scan_h5(label, op, a, axis, src, flags=(), extra=(), acc=None, in_attrs=None,
            chunks="any", gzip=None, shuffle=False, out=None):
    """pscan OP src OUT.h5:/res/scan; the result checked against numpy, its
    storage (chunks: the input's chunk shape, "any" for a chosen one) and
    attributes. Returns the result as h5py reads it, or None."""
    out = out or path("o.h5") + ":/res/scan"
    ofile = out.rsplit(":/", 1)[0]
    if os.path.exists(ofile):
        os.unlink(ofile)
    args = [op, src, out] + (["--axis", axis] if axis is not None else []) + \
        ["--" + f for f in flags] + list(SEQ) + list(extra)
    if acc is not None:
        args += ["--dtype", acc]
    r = run(*args)
    if r.returncode != 0 or r.stderr:
        fail(f"{label}: pscan {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    try:
        got = h5_read(out)
    except Exception as e:   # noqa: BLE001 - any h5py error is a failure here
        fail(f"{label}: h5py cannot read the result {out}: {e}")
        return None
    acc_dt = np.dtype(acc) if acc else default_acc(op, a.dtype)
    want = expected(op, a, axis, acc_dt, flags)
    if got["dtype"].str != little(acc_dt).str:
        fail(f"{label}: {op} axis={axis}: result dtype {got['dtype'].str}, "
             f"want {little(acc_dt).str}")
    if not same_values(got["data"], want):
        fail(f"{label}: {op} axis={axis} flags={flags} {extra}\n"
             f" got {got['data']!r}\n want {want!r}")
    check_storage(label, got, want.shape, None if chunks == "any" else chunks, gzip, shuffle)
    check_attrs(label, got["attrs"], in_attrs or {}, op, axis, a.ndim)
    return got


# ---- the checks ---------------------------------------------------------

FILTERS = [({}, None, False),
           ({"compression": "gzip", "compression_opts": 1, "shuffle": True}, 1, True),
           ({"shuffle": True}, None, True),
           ({"compression": "gzip", "compression_opts": 9}, 9, False)]


def chunked(shape):
    """Chunk keywords for h5py: about half each dimension; a zero-length
    dimension needs an unlimited maximum to be chunked."""
    chunks = tuple(max(1, s // 2) for s in shape)
    maxshape = tuple(None if s == 0 else s for s in shape)
    return {"chunks": chunks, "maxshape": maxshape}, chunks


# Which axes each shape is scanned along, per layout: every axis of every
# shape across the two layouts (None: axis none), to keep the runs few.
AXES = {"c": {(): [None, 0], (0,): [None], (7,): [0], (3, 4): [None, 1], (2, 0, 3): [1],
              (4, 3, 5): [None, 0, 2]},
        "k": {(0,): [0], (7,): [None, -1], (3, 4): [0, -1], (2, 0, 3): [None, 0, 2],
              (4, 3, 5): [1, -1]}}
# Big-endian files: the conversion is the same for every shape.
AXES_BIG = {"c": {(7,): [None], (4, 3, 5): [0]}, "k": {(7,): [0], (4, 3, 5): [None, -1]}}


def round_trips(rng):
    """Every dtype and byte order, contiguous ("c") and chunked ("k", with
    the filters in turn), in nested groups, cumsum along the axes of AXES;
    cumprod/cummax/cummin of a chunked 3-d and a contiguous 1-d dataset."""
    k = 0
    for name in DTYPES:
        for bo in "<>":
            dt = np.dtype(name)
            if dt.itemsize == 1 and bo == ">":
                continue
            dt = dt.newbyteorder(bo)
            plan = AXES if bo == "<" else AXES_BIG
            k += 1
            cases, datasets = [], {}
            for j, shape in enumerate(AXES["c"]):
                a = values(rng, dt, shape)
                tag = "x".join(map(str, shape)) or "scalar"
                if shape in plan["c"]:
                    datasets[f"/c/{tag}"] = (a, {"dtype": dt}, ATTRS)
                    cases.append((f"/c/{tag}", a, plan["c"][shape], "any", None, False))
                if shape in plan["k"]:
                    kw, chunks = chunked(shape)
                    filt, level, shuf = FILTERS[(k + j) % len(FILTERS)]
                    datasets[f"/g/deep/{tag}"] = (a, {"dtype": dt, **kw, **filt}, ATTRS)
                    cases.append((f"/g/deep/{tag}", a, plan["k"][shape], chunks, level, shuf))
            src_file = h5_write(f"rt_{dt.str[0]}{name}.h5", datasets)
            for dpath, a, axes, chunks, level, shuf in cases:
                src = f"{src_file}:{dpath}"
                label = f"{dt.str} {dpath}"
                for axis in axes:
                    # axis none: a 1-d result, a chunk chosen for it
                    ch = chunks if axis is not None and a.ndim > 0 else "any"
                    scan_h5(label, "cumsum", a, axis, src, in_attrs=ATTRS, chunks=ch,
                            gzip=level, shuffle=shuf)
                if (dpath, a.shape) in (("/g/deep/4x3x5", (4, 3, 5)), ("/c/7", (7,))):
                    axis = 1 if a.ndim > 1 else 0
                    for op in ("cumprod", "cummax", "cummin"):
                        if op != "cumprod" or dt.kind != "b":
                            scan_h5(label, op, a, axis, src, in_attrs=ATTRS, chunks=chunks,
                                    gzip=level, shuffle=shuf)


def flag_combinations(rng):
    """Every op with every flag, on every axis, through small slabs."""
    combos = [(), ("reverse",), ("exclusive",), ("exclusive", "reverse"), ("include-initial",),
              ("include-initial", "reverse")]
    a = rng.integers(-5, 6, (6, 5, 4)).astype(">i4")
    kw = {"chunks": (2, 5, 3), "compression": "gzip", "compression_opts": 4, "shuffle": True}
    src = h5_write("flags.h5", {"/run1/x": (a, kw, None)}) + ":/run1/x"
    for flags in combos:
        for axis in (None, 0, 1, -1):
            ch = "any" if axis is None else (2, 5, 3)
            for op in OPS:
                scan_h5(f"flags {op}", op, a, axis, src, flags, chunks=ch, gzip=4, shuffle=True)
        for axis, slab in ((None, "8"), (0, "40"), (2, "8"), (1, "200")):
            ch = "any" if axis is None else (2, 5, 3)
            scan_h5(f"flags slab {slab}", "cumsum", a, axis, src, flags,
                    ["--slab", slab, "--threads", "2"], chunks=ch, gzip=4, shuffle=True)
    # --skip-nan: floats with NaNs, every op (numpy.nancumsum, nancumprod)
    f = rng.integers(-3, 4, (40, 7)).astype("<f8")
    f[rng.random(f.shape) < 0.2] = np.nan
    fsrc = h5_write("nan.h5", {"/n": (f.astype(">f8"), {"chunks": (8, 7)}, None)}) + ":/n"
    for op in (op for op in OPS if op not in ("cumand", "cumor", "cumxor")):  # no float loops
        for axis in (None, 0, 1):
            for flags in (("skip-nan",), ("skip-nan", "reverse"), ("skip-nan", "exclusive")):
                ch = "any" if axis is None else (8, 7)
                scan_h5("skip-nan", op, f, axis, fsrc, flags, ["--slab", "64"], chunks=ch)
    # --dtype: wider, narrower (wrapping like numpy), int -> float, float -> int, real -> complex
    i16 = rng.integers(-100, 100, (30, 4)).astype("<i2")
    isrc = h5_write("dtype.h5", {"/i": (i16, {"chunks": (10, 4)}, None)}) + ":/i"
    for acc in ("int32", "int8", "float64", "complex128", "float32"):
        scan_h5(f"--dtype {acc}", "cumsum", i16, 0, isrc, acc=acc, chunks=(10, 4))
    g = rng.integers(-3, 4, (6, 3)).astype(">f8")
    scan_h5("--dtype int32 of floats", "cumsum", g, 1,
            h5_write("dtf.h5", {"/f": (g, {}, None)}) + ":/f", acc="int32")
    scan_h5("--dtype int16 cumprod", "cumprod", i16 % 3, None,
            h5_write("dtp.h5", {"/p": (i16 % 3, {}, None)}) + ":/p", acc="int16")
    # --axes: the summed-area table, as numpy's cumsum over each axis in turn
    for arr, axes in ((rng.integers(0, 256, (30, 70), dtype="uint8"), (0, 1)),
                      (rng.integers(-9, 9, (5, 40, 30)).astype(">i4"), (1, 2)),
                      (rng.integers(-9, 9, (4, 5, 6), dtype="<i8"), (0, 1, 2))):
        want = arr
        for ax in sorted(axes)[::-1]:
            want = np.cumsum(want, axis=ax, dtype=default_acc("cumsum", arr.dtype))
        chunks = tuple(max(1, s // 3) for s in arr.shape)
        asrc = h5_write("axes.h5", {"/a": (arr, {"chunks": chunks}, None)}) + ":/a"
        out = path("o.h5") + ":/sat"
        r = run("cumsum", asrc, out, "--axes", ",".join(map(str, axes)))
        if r.returncode:
            fail(f"--axes {axes}: exit {r.returncode}: {r.stderr.strip()}")
            continue
        got = h5_read(out)
        if not same_values(got["data"], want) or got["dtype"].str != little(want.dtype).str:
            fail(f"--axes {axes} on {arr.dtype} {arr.shape}: wrong result {got['dtype']}")
        check_attrs(f"--axes {axes}", got["attrs"], {}, "cumsum", tuple(axes), arr.ndim)
        check_storage(f"--axes {axes}", got, want.shape,
                      tuple(max(1, s // 3) for s in arr.shape))
    # --check-overflow: exit 5, OUT as it was
    o = np.array([100, 20, 7, 1], dtype="int8")
    osrc = h5_write("ovf.h5", {"/o": (o, {}, None)}) + ":/o"
    keep = h5_write("keep.h5", {"/k": (np.arange(3), {}, None)})
    before = file_bytes(keep)
    r = run("cumsum", osrc, keep + ":/k", "--dtype", "int8", "--check-overflow")
    if r.returncode != EXIT_OVERFLOW or "overflow" not in r.stderr:
        fail(f"--check-overflow: exit {r.returncode} (want 5), {r.stderr.strip()!r}")
    if file_bytes(keep) != before or temporaries():
        fail("--check-overflow: OUT changed or a temporary left")


def same_as_npy(rng):
    """The HDF5 path gives the bits of the .npy path for the same array and
    options, in the default (reproducible) order too, through any slab and
    thread count: random floats, where only the order decides the bits."""
    cases = [("1d", rng.standard_normal(30_001), None, (4096,)),
             ("rows", rng.standard_normal((3_000, 7)).astype("f4"), 0, (100, 7)),
             ("lanes", rng.standard_normal((40, 900)), 1, (40, 64)),
             ("3d", (rng.standard_normal((6, 50, 40)) + 1j).astype("c16"), None, (2, 50, 40))]
    for name, a, axis, chunks in cases:
        npy = save_npy(f"eq_{name}.npy", a)
        h5 = h5_write(f"eq_{name}.h5", {"/d": (a.astype(a.dtype.newbyteorder(">")),
                                               {"chunks": chunks, "compression": "gzip"}, None)})
        ax = ["--axis", axis] if axis is not None else []
        for extra in ([], ["--slab", "5000"], ["--slab", "70000", "--threads", "1"],
                      ["--threads", "3", "--slab", "100000"],
                      ["--compensated"] if a.dtype.kind in "fc" else [], ["--order", "sequential"]):
            r1 = run("cumsum", npy, path("eq.npy"), *ax, *extra)
            r2 = run("cumsum", h5 + ":/d", path("eq.h5") + ":/d", *ax, *extra)
            if r1.returncode or r2.returncode:
                fail(f"same as .npy {name} {extra}: {r1.stderr.strip()} {r2.stderr.strip()}")
                continue
            want = np.load(path("eq.npy"))
            got = h5_read(path("eq.h5") + ":/d")["data"]
            if got.shape != want.shape or \
                    got.tobytes() != want.astype(little(want.dtype)).tobytes():
                fail(f"same as .npy {name} {extra}: the HDF5 result's bits are not the .npy one's")


def storage_and_attributes(rng):
    """Chunks, filters and attributes of results, --gzip and --no-compress."""
    a = rng.integers(-9, 9, (40, 30)).astype(">i2")
    attrs = dict(ATTRS, calibrated=np.int64(7), note="a note")
    kw = {"chunks": (8, 5), "compression": "gzip", "compression_opts": 4, "shuffle": True}
    src = h5_write("store.h5", {"/grp/ds": (a, kw, attrs)}) + ":/grp/ds"
    lab = "storage"
    scan_h5(f"{lab} kept", "cumsum", a, 0, src, in_attrs=attrs, chunks=(8, 5), gzip=4, shuffle=True)
    scan_h5(f"{lab} include-initial", "cumsum", a, 0, src, ("include-initial",), in_attrs=attrs,
            chunks=(8, 5), gzip=4, shuffle=True)
    scan_h5(f"{lab} axis none", "cumsum", a, None, src, in_attrs=attrs, gzip=4, shuffle=True)
    scan_h5(f"{lab} axis -1", "cummax", a, -1, src, in_attrs=attrs, chunks=(8, 5), gzip=4,
            shuffle=True)
    scan_h5(f"{lab} --dtype", "cumsum", a, 1, src, acc="float32", in_attrs=attrs, chunks=(8, 5),
            gzip=4, shuffle=True)
    for level in (0, 7):
        scan_h5(f"{lab} --gzip {level}", "cumsum", a, 1, src, extra=["--gzip", level],
                in_attrs=attrs, chunks=(8, 5), gzip=level, shuffle=True)
    scan_h5(f"{lab} --no-compress", "cumsum", a, 1, src, extra=["--no-compress"],
            in_attrs=attrs, chunks=(8, 5))
    # a contiguous input: a chunk chosen, no filters unless --gzip
    c = h5_write("contig.h5", {"/c": (a, {}, None)}) + ":/c"
    scan_h5(f"{lab} contiguous", "cumsum", a, 0, c)
    scan_h5(f"{lab} contiguous --gzip 5", "cumsum", a, 0, c, extra=["--gzip", "5"], gzip=5)
    # a .npy input: no attributes of its own, no filters unless --gzip
    npy = save_npy("store.npy", a)
    scan_h5(f"{lab} .npy", "cumsum", a, 1, npy)
    scan_h5(f"{lab} .npy --gzip 3", "cumsum", a, 1, npy, extra=["--gzip", "3"], gzip=3)
    # empty and 0-d inputs with filters: contiguous results where empty
    e = np.zeros((5, 0), ">f8")
    ekw = {"chunks": (2, 1), "maxshape": (5, None), "compression": "gzip", "shuffle": True}
    esrc = h5_write("empty.h5", {"/e": (e, ekw, attrs)}) + ":/e"
    for axis in (0, 1, None):
        for flags in ((), ("include-initial",)):
            scan_h5(f"{lab} empty", "cumsum", e, axis, esrc, flags, in_attrs=attrs, gzip=4,
                    shuffle=True, chunks=(2, 1) if axis is not None else "any")
    s = h5_write("scalar.h5", {"/s": (np.array(3.5, ">f4"), {}, attrs)}) + ":/s"
    for axis in (None, 0):
        scan_h5(f"{lab} 0-d", "cumsum", np.array(3.5, ">f4"), axis, s, in_attrs=attrs)


def mixing(rng):
    """.npy and HDF5 on either side; existing OUT files; -o DIR; naming."""
    a = rng.integers(-9, 9, (5, 6)).astype("<i4")
    b = rng.integers(-9, 9, (4,)).astype(">f8")
    npy = save_npy("mix.npy", a)
    h5 = h5_write("mix.h5", {"/run1/temperature": (a, {"chunks": (5, 2)}, None),
                             "/b": (b, {}, None)})
    want_a, want_b = np.cumsum(a, axis=0), np.cumsum(b)

    def check(label, spec, want, kept=False):
        """A result (little-endian) or a dataset kept as it was."""
        try:
            got = h5_read(spec)
        except Exception as e:   # noqa: BLE001
            return fail(f"{label}: cannot read {spec}: {e}")
        dt = want.dtype if kept else little(want.dtype)
        if not same_values(got["data"], want) or got["dtype"].str != dt.str:
            fail(f"{label}: {spec} is {got['dtype']} {got['data']!r}, want {want!r}")

    def ok(label, *args):
        r = run(*args)
        if r.returncode or r.stderr:
            fail(f"{label}: pscan {' '.join(map(str, args))}: exit {r.returncode}: "
                 f"{r.stderr.strip()}")
        return r.returncode == 0

    # .npy -> .h5 (a dataset named, then none: /data)
    if ok(".npy -> .h5", "cumsum", npy, path("n2h.h5") + ":/x/y", "--axis", "0"):
        check(".npy -> .h5", path("n2h.h5") + ":/x/y", want_a)
    for ext in ("h5", "hdf5", "he5", "nc"):
        if ok(f".npy -> .{ext}", "cumsum", npy, path(f"n2h.{ext}"), "--axis", "0"):
            check(f".npy -> .{ext} without a dataset", path(f"n2h.{ext}") + ":/data", want_a)
    # .h5 -> .npy
    if ok(".h5 -> .npy", "cumsum", h5 + ":/run1/temperature", path("h2n.npy"), "--axis", "0"):
        got = np.load(path("h2n.npy"))
        if not same_values(got, want_a) or not got.flags.c_contiguous:
            fail(f".h5 -> .npy: {got!r}")
    # .h5 -> .h5, another file; OUT without a dataset: the input's path
    if ok(".h5 -> .h5", "cumsum", h5 + ":/run1/temperature", path("h2h.h5") + ":/t", "--axis", "0"):
        check(".h5 -> .h5", path("h2h.h5") + ":/t", want_a)
    if ok(".h5 -> .h5 unnamed", "cumsum", h5 + ":/run1/temperature", path("h2h_same.h5"),
          "--axis", "0"):
        check(".h5 -> .h5 unnamed", path("h2h_same.h5") + ":/run1/temperature", want_a)
    # the same file, another dataset: the input stays
    if ok("same file", "cumsum", h5 + ":/run1/temperature", h5 + ":/run1/cum", "--axis", "0"):
        check("same file: result", h5 + ":/run1/cum", want_a)
        check("same file: input kept", h5 + ":/run1/temperature", a, kept=True)
        check("same file: other dataset kept", h5 + ":/b", b, kept=True)
    # the same dataset: replaced by its scan (read from the file as it was)
    if ok("same dataset", "cumsum", h5 + ":/b", h5 + ":/b"):
        check("same dataset", h5 + ":/b", want_b)
    # an existing HDF5 OUT keeps its other datasets and groups; the named
    # dataset (another dtype and shape) is replaced, its old attributes gone
    other = rng.integers(0, 9, (3, 3)).astype(">u2")
    ex = h5_write("existing.h5", {"/keep/me": (other, {"chunks": (1, 3), "compression": "gzip"},
                                               {"a": 1}),
                                  "/target": (np.zeros(10, "f4"), {}, {"old": 1})})
    with h5py.File(ex, "a") as f:
        f.create_group("/empty/group").attrs["g"] = "group attribute"
    if ok("existing OUT", "cumsum", npy, ex + ":/target", "--axis", "0"):
        check("existing OUT: replaced", ex + ":/target", want_a)
        check("existing OUT: other dataset", ex + ":/keep/me", other, kept=True)
        try:
            with h5py.File(ex, "r") as f:
                if "old" in f["/target"].attrs:
                    fail("existing OUT: the replaced dataset kept its old attribute")
                if f["/keep/me"].attrs.get("a") != 1 or f["/keep/me"].compression != "gzip":
                    fail("existing OUT: the other dataset lost its attribute or filter")
                if f["/empty/group"].attrs.get("g") != "group attribute":
                    fail("existing OUT: the group or its attribute is gone")
        except Exception as e:   # noqa: BLE001
            fail(f"existing OUT: {e}")
    # an existing HDF5 OUT named without a dataset and without an HDF5 extension
    ex2 = h5_write("result.dat", {"/old": (b, {}, None)})
    if ok("existing HDF5 OUT unnamed", "cumsum", npy, ex2, "--axis", "0"):
        check("existing HDF5 OUT unnamed", ex2 + ":/data", want_a)
        check("existing HDF5 OUT unnamed: kept", ex2 + ":/old", b, kept=True)
    # an existing OUT that is not HDF5 is replaced wholesale
    notes = path("notes.h5")
    with open(notes, "wb") as f:
        f.write(b"precious text")
    if ok("non-HDF5 OUT", "cumsum", npy, notes + ":/d", "--axis", "0"):
        check("non-HDF5 OUT", notes + ":/d", want_a)
    # an input known by its signature, not its name; at byte 512 (a user block)
    odd = h5_write("data.bin", {"/only": (b, {}, None)}, userblock_size=512)
    if ok("user block, one dataset, unnamed", "cumsum", odd, path("ub.npy")):
        if not same_values(np.load(path("ub.npy")), want_b):
            fail("user block: wrong result")
    # a file part that holds ":/"
    os.makedirs(path("run:"), exist_ok=True)
    colon = h5_write("run:/a.h5", {"/x": (b, {}, None)})
    if ok("':/' in the file name", "cumsum", colon + ":/x", path("colon.h5") + ":/y"):
        check("':/' in the file name", path("colon.h5") + ":/y", want_b)
    # -o DIR: DIR/<input file name>:<the same path>; two datasets of one file
    d = path("outdir")
    os.makedirs(d, exist_ok=True)
    single = h5_write("single.h5", {"/deep/one": (b, {}, None)})
    if ok("-o DIR", "cumsum", "-o", d, h5 + ":/run1/temperature", h5 + ":/run1/cum", npy, single,
          "--axis", "0"):
        check("-o DIR first", os.path.join(d, "mix.h5") + ":/run1/temperature", want_a)
        check("-o DIR second (kept the first)", os.path.join(d, "mix.h5") + ":/run1/cum",
              np.cumsum(want_a, axis=0))
        check("-o DIR unnamed single dataset", os.path.join(d, "single.h5") + ":/deep/one", want_b)
        got = np.load(os.path.join(d, "mix.npy"))
        if not same_values(got, want_a):
            fail("-o DIR: the .npy input's result is wrong")
    if temporaries() or temporaries(d):
        fail(f"mixing: temporaries left: {temporaries() + temporaries(d)}")


def usage_errors():
    """Exit 2 (and 4 for I/O), OUT as it was, no temporary."""
    a = np.arange(12, dtype="<i4").reshape(3, 4)
    two = h5_write("two.h5", {"/a": (a, {}, None), "/g/b": (a, {}, None)})
    fortran = save_npy("fortran.npy", np.asfortranarray(a))
    keep = h5_write("keep_u.h5", {"/k": (np.arange(3), {}, None)})
    before = file_bytes(keep)
    cases = [
        (["cumsum", two, keep + ":/r"], EXIT_USAGE, [":/"]),
        (["cumsum", two + ":/a", keep + ":/r", "--axis", "2"], EXIT_USAGE, ["out of range"]),
        (["cumsum", two + ":/a", keep + ":/r", "--axes", "0,2"], EXIT_USAGE, ["out of range"]),
        (["cumsum", fortran, keep + ":/r", "--axis", "0"], EXIT_USAGE, ["fortran"]),
        (["cumsum", two + ":/a", keep + ":/r", "--gzip", "10"], EXIT_USAGE, ["gzip"]),
        (["cumsum", two + ":/a", keep + ":/r", "--gzip", "1", "--no-compress"], EXIT_USAGE,
         ["gzip"]),
        (["cumsum", path("nope.h5") + ":/a", keep + ":/r"], EXIT_IO, ["nope.h5"]),
        (["cumsum", two + ":/a", path("no/such/dir/o.h5") + ":/r"], EXIT_IO, ["o.h5"]),
    ]
    for args, code, keywords in cases:
        r = run(*args)
        lines = r.stderr.splitlines()
        msg = lines[0].lower() if lines else ""
        hint = lines[1:] in ([], ["(pscan --help for usage)"])
        if r.returncode != code or any(k.lower() not in msg for k in keywords) or \
                not msg.startswith("pscan: ") or not hint or "HDF5-DIAG" in r.stderr:
            fail(f"usage {args[1:]}: exit {r.returncode} (want {code}), {r.stderr.strip()!r} "
                 f"(want a line with {keywords}, and at most the help hint)")
        if file_bytes(keep) != before:
            fail(f"usage {args[1:]}: OUT was changed")
        if temporaries():
            fail(f"usage {args[1:]}: temporary left: {temporaries()}")
    # A Fortran-ordered .npy flattened (axis none) into HDF5 is fine
    r = run("cumsum", fortran, path("f.h5") + ":/f")
    if r.returncode or not same_values(h5_read(path("f.h5") + ":/f")["data"], np.cumsum(a)):
        fail(f"Fortran .npy, axis none -> HDF5: exit {r.returncode} {r.stderr.strip()}")


def info_lines():
    """pscan info FILE.h5 (a line per dataset) and FILE.h5:/path."""
    p = h5_write("info.h5", {
        "/grp/ds": (np.zeros((3, 4), ">f8"), {"chunks": (3, 2), "compression": "gzip",
                                              "compression_opts": 4, "shuffle": True}, None),
        "/v": (np.zeros(5, "<i2"), {}, None),
        "/a/b/c": (np.zeros((2, 3, 4), "<c8"), {"chunks": (1, 3, 2), "shuffle": True}, None),
        "/flags": (np.zeros(6, "?"), {"chunks": (4,), "compression": "gzip",
                                      "compression_opts": 9}, None),
        "/half": (np.zeros((), ">f2"), {}, None),
        "/empty": (np.zeros((0,), ">u8"), {"chunks": (4,), "maxshape": (None,)}, None),
    })
    want = {
        "/grp/ds": "shape (3,4) dtype float64 (big-endian) chunks (3,2) filters shuffle,gzip(4)",
        "/v": "shape (5,) dtype int16 (little-endian) contiguous filters none",
        "/a/b/c": "shape (2,3,4) dtype complex64 (little-endian) chunks (1,3,2) filters shuffle",
        "/flags": "shape (6,) dtype bool (little-endian) chunks (4,) filters gzip(9)",
        "/half": "shape () dtype float16 (big-endian) contiguous filters none",
        "/empty": "shape (0,) dtype uint64 (big-endian) chunks (4,) filters none",
    }
    want_lines = sorted(f"{p}:{k}: {v}" for k, v in want.items())
    r = run("info", p)
    got = sorted(r.stdout.splitlines())
    if r.returncode or got != want_lines:
        fail(f"info {p}: exit {r.returncode}\n got  {got}\n want {want_lines}\n {r.stderr.strip()}")
    for k, v in want.items():
        r = run("info", f"{p}:{k}")
        if r.returncode or r.stdout != f"{p}:{k}: {v}\n":
            fail(f"info {p}:{k}: exit {r.returncode}, {r.stdout!r} (want {p}:{k}: {v})")
    # mixed with .npy in one call
    npy = save_npy("info.npy", np.zeros(3, "<f4"))
    r = run("info", npy, f"{p}:/v")
    lines = r.stdout.splitlines()
    if r.returncode or len(lines) != 2 or not lines[0].startswith(npy + ": shape (3,)") or \
            lines[1] != f"{p}:/v: {want['/v']}":
        fail(f"info .npy and HDF5: {r.stdout!r}")


def rss_kib(args):
    """The tool's peak resident set (KiB) by /usr/bin/time -f %M, and its
    exit status."""
    rec = path("rss.txt")
    r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rec, PSCAN, *map(str, args)],
                       capture_output=True, text=True)
    CALLS[0] += 1
    with open(rec) as f:
        return int(f.read().split()[-1]), r


def sanitized():
    with open(PSCAN, "rb") as f:
        blob = f.read()
    return b"__asan_init" in blob or b"__tsan_init" in blob or b"__msan_init" in blob


def big_datasets(rng):
    """64 MiB datasets through 1 MiB slabs: axis 0 of a 2-d dataset chunked
    by rows, then by columns (chunks 2048 rows high: a row of chunks is
    16 MiB), axis=None of a C-ordered 3-d one. Results are numpy's bits, and
    the peak RSS stays under

        baseline + 6 slabs + 8 MiB (+ a row of input chunks, when over the cache's cap)

    baseline: the peak RSS of the same command on a tiny dataset (64
    elements, chunked alike, the same axis), measured here: the program, its
    libraries, threads and HDF5's fixed caches. 6 slabs: the tool's slab
    buffers (3 in the contract, 4 for HDF5 by --help) and a chunk cache of at
    most 2. 8 MiB: allocator slack and HDF5's metadata. With 1 MiB slabs
    that is baseline + 14 MiB, where holding the 64 MiB input (or result)
    whole would need baseline + 64 MiB. Chunks taller than a slab: HDF5
    holds about one row of them (16 MiB for the column chunks here) while a
    slab reads its part of each, so the bound grows by that; and the result
    gets chunks of its own (about 1 MiB) instead of the input's, which a
    slab would write in part. Under a sanitizer (shadow memory,
    quarantine) the bound is not checked. In --order sequential: in the
    default order, float pieces along axis 0 are whole 4096-row tiles
    (pscan_carry_piece_rows), for .npy files as for HDF5."""
    slab = MiB
    check_rss = not sanitized()
    if not check_rss:
        print("  (a sanitizer build: peak RSS not checked)")
    cases = [("axis 0, row chunks", (8192, 1024), (16, 1024), 0, (4, 16), (2, 16)),
             ("axis 0, column chunks", (8192, 1024), (2048, 32), 0, (4, 16), (4, 2)),
             ("axis none, 3-d", (64, 512, 256), (1, 512, 256), None, (2, 4, 8), (1, 4, 8))]
    for label, shape, chunks, axis, tiny_shape, tiny_chunks in cases:
        a = rng.integers(-3, 4, shape).astype("<f8")
        big = h5_write("big.h5", {"/g/big": (a, {"chunks": chunks}, None)}) + ":/g/big"
        t = a.reshape(-1)[:int(np.prod(tiny_shape))].reshape(tiny_shape)
        tiny = h5_write("tiny.h5", {"/g/big": (t, {"chunks": tiny_chunks}, None)})
        ax = ["--axis", axis] if axis is not None else []
        opts = ["--slab", slab, *SEQ, *ax]
        base, rb = rss_kib(["cumsum", tiny + ":/g/big", path("tiny_out.h5") + ":/r", *opts])
        peak, r = rss_kib(["cumsum", big, path("big_out.h5") + ":/r", *opts])
        chunk_row = chunks[0] * int(np.prod(shape[1:])) * 8
        tall = chunk_row > max(2 * slab, 4 * MiB)  # the tool's cache cap
        bound_extra = 6 * slab + 8 * MiB + (chunk_row if tall else 0)
        print(f"  {label}: peak RSS {peak / 1024:.1f} MiB, baseline {base / 1024:.1f} MiB, "
              f"bound {(base * 1024 + bound_extra) / MiB:.1f} MiB")
        if r.returncode or rb.returncode:
            fail(f"big {label}: exit {r.returncode}/{rb.returncode}: {r.stderr.strip()} "
                 f"{rb.stderr.strip()}")
            continue
        if check_rss and peak * 1024 > base * 1024 + bound_extra:
            fail(f"big {label}: peak RSS {peak} KiB over the bound {base} KiB + "
                 f"{bound_extra // 1024} KiB (a 64 MiB dataset, 1 MiB slabs)")
        got = h5_read(path("big_out.h5") + ":/r")
        want = np.cumsum(a, axis=axis)
        if got["data"].dtype != want.dtype or got["data"].tobytes() != want.tobytes():
            fail(f"big {label}: not numpy's bits")
        if axis is not None and not tall and tuple(got["chunks"] or ()) != chunks:
            fail(f"big {label}: chunks {got['chunks']}, want the input's {chunks}")
        if (axis is None or tall) and not (got["chunks"] and
                                 MiB // 2 <= np.prod(got["chunks"]) * 8 <= 2 * MiB):
            fail(f"big {label}: chunks {got['chunks']}, want about 1 MiB")
        del a, got, want
    for n in ("big.h5", "big_out.h5", "tiny.h5", "tiny_out.h5"):
        if os.path.exists(path(n)):
            os.unlink(path(n))


def corrupt_bytes(n):
    """Fixed pseudo-random bytes (not --seed's: the corpus is the same on
    every run)."""
    return np.random.default_rng(12345).integers(0, 256, n, dtype=np.uint8).tobytes()


def malformed_corpus():
    """Each: exit 3, one line naming the file (and dataset), no HDF5 error
    stack; an existing OUT (HDF5, then .npy) byte for byte as it was; no
    temporary left."""
    signature = b"\x89HDF\r\n\x1a\n"
    good = h5_write("good.h5", {
        "/grp/ds": (np.arange(4096, dtype="<f8"), {}, None),
        "/str": (np.array([b"ab", b"cd"]), {}, None),
        "/vstr": (np.array(["x", "yz"], dtype=object), {"dtype": h5py.string_dtype()}, None),
        "/vlen": (None, {"shape": (3,), "dtype": h5py.vlen_dtype(np.int32)}, None),
        "/compound": (np.zeros(3, [("a", "<i4"), ("b", "<f8")]), {}, None),
        "/int_ri": (np.zeros(3, [("r", "<i4"), ("i", "<i4")]), {}, None),
        "/rij": (np.zeros(3, [("r", "<f8"), ("i", "<f8"), ("j", "<f8")]), {}, None),
        "/array": (None, {"shape": (4,), "dtype": np.dtype("(3,)i4")}, None),
        "/opaque": (np.zeros(4, "V4"), {}, None),
        "/enum": (np.array([0, 1, 2], "i2"),
                  {"dtype": h5py.enum_dtype({"A": 0, "B": 1, "C": 2}, basetype="i2")}, None),
        "/ref": (None, {"shape": (2,), "dtype": h5py.ref_dtype}, None),
    })
    with h5py.File(good, "a") as f:
        f["/ref"][0] = f["/grp/ds"].ref
        h5py.h5d.create(f.id, b"bitfield", h5py.h5t.STD_B8LE, h5py.h5s.create_simple((4,)))
    content = file_bytes(good)
    files = {
        "random bytes after the signature": signature + corrupt_bytes(8192),
        "superblock overwritten": content[:8] + corrupt_bytes(88) + content[96:],
        "truncated": content[:len(content) // 2],
        "not HDF5 at all": b"hello, this is text\n" * 10,
    }
    for name, data in files.items():
        with open(path("bad.h5"), "wb") as f:
            f.write(data)
        expect_input_error(name, path("bad.h5") + ":/grp/ds", ["bad.h5"])
        expect_input_error(name + " (no dataset named)", path("bad.h5"), ["bad.h5"], also_info=True)
    types = {"/str": ["string"], "/vstr": ["string"], "/vlen": ["vlen", "variable"],
             "/compound": ["compound"], "/int_ri": ["compound"], "/rij": ["compound"],
             "/array": ["array"], "/opaque": ["opaque"], "/enum": ["enum"],
             "/ref": ["reference"], "/bitfield": ["bitfield"]}
    for dpath, kinds in types.items():
        expect_input_error(f"type {dpath}", f"{good}:{dpath}", ["good.h5", dpath], kinds)
    expect_input_error("missing dataset", f"{good}:/grp/missing", ["good.h5", "/grp/missing"])
    expect_input_error("missing group", f"{good}:/nogroup/x", ["good.h5", "/nogroup/x"])
    expect_input_error("a group", f"{good}:/grp", ["good.h5", "/grp"])


def expect_input_error(name, src, keywords, kinds=None, also_info=False):
    keep = h5_write("keep_c.h5", {"/k": (np.arange(3), {}, None)})
    keep_npy = path("keep_c.npy")
    with open(keep_npy, "wb") as f:
        f.write(b"precious")
    before = file_bytes(keep)
    listing = set(os.listdir(TMP))
    for out in (keep + ":/k", keep + ":/new", keep_npy):
        r = run("cumsum", src, out)
        err = r.stderr
        lines = err.splitlines()
        bad = r.returncode != EXIT_INPUT or len(lines) != 1 or not err.startswith("pscan: ") or \
            "HDF5-DIAG" in err or any(k not in err for k in keywords) or \
            (kinds and not any(k in err.lower() for k in kinds))
        if bad:
            fail(f"corpus '{name}': pscan cumsum {src} {out}: exit {r.returncode} (want 3), "
                 f"stderr {err!r} (want one line naming {keywords}" +
                 (f" and one of {kinds})" if kinds else ")"))
        if file_bytes(keep) != before or file_bytes(keep_npy) != b"precious":
            fail(f"corpus '{name}': OUT was changed")
        if set(os.listdir(TMP)) != listing:
            fail(f"corpus '{name}': left files behind: {set(os.listdir(TMP)) ^ listing}")
    if also_info:
        r = run("info", src)
        if r.returncode != EXIT_INPUT or len(r.stderr.splitlines()) != 1 or "HDF5-DIAG" in r.stderr:
            fail(f"corpus '{name}': info exit {r.returncode}, stderr {r.stderr!r}")


def interrupted():
    """SIGTERM and SIGINT while a result is written: killed by the signal
    (or exit 128 + signal), the existing OUT byte for byte as it was, no
    temporary left. 256 MiB through 1 MiB slabs on one thread; a host fast
    enough to finish first gets a dataset four times bigger. (In --order
    sequential: 1 MiB pieces, where the default order reads float lanes
    4096 rows at a time, the whole dataset here.)"""
    folder = path("sig")
    os.makedirs(folder)
    out_file = os.path.join(folder, "out.h5")
    keep = h5_write("sig/out.h5", {"/other": (np.arange(10), {}, None),
                                   "/r": (np.arange(3), {}, None)})
    before = file_bytes(keep)
    src = os.path.join(folder, "in.h5")
    for signo in (signal.SIGTERM, signal.SIGINT):
        for rows in (256, 1024):
            if not os.path.exists(src) or os.path.getsize(src) < rows * MiB:
                with h5py.File(src, "w") as f:
                    d = f.create_dataset("/x", (rows, MiB // 8), "<f8", chunks=(1, MiB // 8))
                    block = np.arange(64 * (MiB // 8), dtype="<f8").reshape(64, -1)
                    for r0 in range(0, rows, 64):
                        d[r0:r0 + 64] = block
            p = subprocess.Popen([PSCAN, "cumsum", src + ":/x", out_file + ":/r", "--axis", "0",
                                  "--slab", str(MiB), "--threads", "1", *SEQ],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            CALLS[0] += 1
            deadline = time.time() + 10
            while time.time() < deadline and p.poll() is None and not temporaries(folder):
                time.sleep(0.005)
            time.sleep(0.3 if rows > 256 else 0.1)
            p.send_signal(signo)
            err = p.communicate()[1]
            if p.returncode == 0 and rows == 256:
                os.unlink(src)
                continue   # done already: a bigger one
            if p.returncode not in (-signo, 128 + signo):
                fail(f"signal {signo}: ended with {p.returncode}, {err.strip()!r}")
            else:
                print(f"  signal {signo} during a {rows} MiB write: ended with {p.returncode}")
            break
        if file_bytes(keep) != before:
            fail(f"signal {signo}: OUT was changed")
        if temporaries(folder):
            fail(f"signal {signo}: temporary left: {temporaries(folder)}")
    shutil.rmtree(folder)


def damaged_and_full():
    """Failures in the middle of the data: a gzip chunk whose bytes are
    damaged (exit 3, "damaged data", inflate's message) and a file-size
    limit met while writing (exit 4, "File too large"). Each leaves an
    existing OUT byte for byte as it was and no temporary behind."""
    import resource
    a = np.arange(100000, dtype="<f8")
    src = h5_write("damaged.h5", {"/d": (a, {"chunks": (10000,), "compression": "gzip"}, None)})
    with h5py.File(src, "r") as f:
        info = f["/d"].id.get_chunk_info(3)
    data = bytearray(file_bytes(src))
    at = info.byte_offset + info.size // 2
    data[at:at + 64] = bytes(range(64))
    with open(src, "wb") as f:
        f.write(data)
    keep = h5_write("keep_d.h5", {"/k": (np.arange(3), {}, None)})
    before, listing = file_bytes(keep), set(os.listdir(TMP))
    r = run("cumsum", src + ":/d", keep + ":/k")
    if r.returncode != EXIT_INPUT or "damaged data" not in r.stderr or \
            len(r.stderr.splitlines()) != 1 or "damaged.h5:/d" not in r.stderr:
        fail(f"damaged chunk: exit {r.returncode} (want 3), {r.stderr!r}")
    big = h5_write("full.h5", {"/d": (np.arange(1 << 20, dtype="<f8"), {"chunks": (1 << 16,)}, None)})

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    CALLS[0] += 1
    r = subprocess.run([PSCAN, "cumsum", big + ":/d", keep + ":/k"], capture_output=True,
                       text=True, preexec_fn=limit)
    if r.returncode != EXIT_IO or "File too large" not in r.stderr or \
            len(r.stderr.splitlines()) != 1:
        fail(f"file-size limit: exit {r.returncode} (want 4), {r.stderr!r}")
    if file_bytes(keep) != before:
        fail("damaged chunk / file-size limit: OUT was changed")
    if set(os.listdir(TMP)) != listing | {"full.h5"}:
        fail(f"damaged chunk / file-size limit: left {set(os.listdir(TMP)) ^ listing}")
    for n in ("damaged.h5", "full.h5", "keep_d.h5"):
        os.unlink(path(n))


def links_locks_dirs():
    """An existing OUT whose only other content is a soft link keeps it (the
    "nothing else there" shortcut counts links, not just objects); an input
    another process holds open for writing is an I/O error (exit 4: HDF5's
    file lock), not a damaged file; -o DIR of a .npy, with DIR named "x:",
    writes DIR/<name>.npy, not an HDF5 file "x:"."""
    src = h5_write("links_in.h5", {"/d": (np.arange(5.0), {}, None)})
    out = path("links_out.h5")
    with h5py.File(out, "w") as f:
        f["y"] = np.arange(3.0)
        f["alias"] = h5py.SoftLink("/y")
    r = run("cumsum", src + ":/d", out + ":/y")
    with h5py.File(out, "r") as f:
        link = f.get("alias", getlink=True)
        if r.returncode or not isinstance(link, h5py.SoftLink) or link.path != "/y":
            fail(f"soft link in OUT: exit {r.returncode} {r.stderr!r}, alias now {link!r}")
    holder = h5py.File(src, "a")
    try:
        r = run("cumsum", src + ":/d", path("locked.npy"))
        if r.returncode != EXIT_IO or "lock" not in r.stderr or len(r.stderr.splitlines()) != 1:
            fail(f"locked input: exit {r.returncode} (want 4), {r.stderr!r}")
    finally:
        holder.close()
    folder = path("x:")
    os.mkdir(folder)
    npy = save_npy("plain.npy", np.arange(4, dtype="<i8"))
    r = run("cumsum", npy, "-o", folder)
    got = os.path.join(folder, "plain.npy")
    if r.returncode or not os.path.exists(got) or np.load(got).tolist() != [0, 1, 3, 6]:
        fail(f"-o x: of a .npy: exit {r.returncode} {r.stderr!r}, folder {os.listdir(folder)}")
    shutil.rmtree(folder)
    for n in ("links_in.h5", "links_out.h5", "plain.npy"):
        os.unlink(path(n))


def progress_bar():
    """The bar on a terminal (a pty) for an HDF5 input of over a second's
    work, erased at the end, as for .npy; none with -q."""
    out = path("progress_out.h5") + ":/r"
    slow = ["--slab", "256", "--threads", "1", *SEQ]  # a call per 32 elements

    def on_terminal(src, extra):
        CALLS[0] += 1
        return run_on_terminal([PSCAN, "cumsum", src, out, *slow, *extra])

    # The bar waits a second before it shows: a faster host gets more work.
    for log2 in range(18, 24):
        a = np.arange(1 << log2, dtype="<f8")
        src = h5_write("progress.h5", {"/d": (a, {}, None)}) + ":/d"
        code, seen, took = on_terminal(src, [])
        if took >= 1.2:
            break
    if took < 1.2:
        fail(f"progress: the slowest run took only {took:.1f} s; the check needs over a second")
    elif code != 0 or b"%" not in seen or b"[#" not in seen or not seen.endswith(b"\r\033[K"):
        fail(f"progress: no bar (or not erased) on a terminal: exit {code}, {seen[-120:]!r}")
    code, seen, _ = on_terminal(src, ["-q"])
    if code != 0 or seen:
        fail(f"progress: -q still wrote {seen[:80]!r}")
    if not same_values(h5_read(out)["data"], np.cumsum(a)):
        fail("progress: wrong result")


VERSION = [None]


def arg_and_segmented(rng):
    """cumargmax/cumargmin of a chunked dataset read in several slabs (and
    --reverse, one call over the whole dataset), and a segmented cumsum of
    a dataset with a .npy segment file, against numpy."""
    a = rng.integers(0, 5, (50, 4)).astype("f8")
    a[rng.random(a.shape) < 0.05] = np.nan
    src = h5_write("arg.h5", {"/x": (a, {"chunks": (7, 4)}, None)}) + ":/x"
    for op in ("cumargmax", "cumargmin"):
        for flags in ((), ("reverse",), ("exclusive",), ("skip-nan", "reverse")):
            for axis in (0, 1, None):
                dst = path("arg_out.h5") + ":/y"
                r = run(op, src, dst, "--slab", "64", *(["--axis", axis] if axis is not None else []),
                        *["--" + f for f in flags])
                if r.returncode:
                    fail(f"h5 {op} {flags} axis={axis}: exit {r.returncode}: {r.stderr.strip()}")
                    continue
                got, want = h5_read(dst)["data"], expected_arg(op, a, axis, a.dtype, flags)
                if got.dtype != want.dtype or not np.array_equal(got, want):
                    fail(f"h5 {op} {flags} axis={axis}\n got {got!r}\n want {want!r}")
    starts = np.arange(50) % 7 == 0
    seg = save_npy("seg.npy", starts)
    dst = path("seg_out.h5") + ":/s"
    r = run("cumsum", src, dst, "--axis", "0", "--segments", seg, "--skip-nan")
    want = np.concatenate([np.nancumsum(a[i:i + 7], axis=0) for i in range(0, 50, 7)])
    if r.returncode or not np.array_equal(h5_read(dst)["data"], want):
        fail(f"h5 segmented cumsum: exit {r.returncode}: {r.stderr.strip()}")


def main():
    seed = ARGS.seed or int(time.time() * 1000) % 1000000000 + 1
    print(f"seed {seed}; h5py {h5py.version.version}, HDF5 {h5py.version.hdf5_version}, "
          f"numpy {np.__version__}")
    rng = np.random.default_rng(seed)
    VERSION[0] = version()
    steps = [(round_trips, True), (flag_combinations, True), (same_as_npy, True),
             (storage_and_attributes, True), (mixing, True), (usage_errors, False),
             (info_lines, False), (big_datasets, True), (malformed_corpus, False),
             (damaged_and_full, False), (links_locks_dirs, False), (interrupted, False),
             (progress_bar, False), (arg_and_segmented, True)]
    only = [n for n in ARGS.only.split(",") if n]
    unknown = set(only) - {step.__name__ for step, _ in steps}
    if unknown:
        sys.exit(f"--only: no step {sorted(unknown)}")
    for step, random in steps:
        if only and step.__name__ not in only:
            continue
        t = time.time()
        n = len(FAILURES)
        try:
            step(rng) if random else step()
        except Exception as e:   # noqa: BLE001 - report, go on with the next step
            import traceback
            traceback.print_exc()
            fail(f"{step.__name__}: exception {e!r}")
        if temporaries():
            fail(f"{step.__name__}: temporaries left: {temporaries()}")
        verdict = "ok" if len(FAILURES) == n else "FAILED"
        print(f"{step.__name__}: {verdict} ({time.time() - t:.1f} s)")
    if FAILURES:
        print(f"{len(FAILURES)} failures")
        sys.exit(1)
    print(f"all HDF5 CLI checks passed ({CALLS[0]} runs of the tool)")


if __name__ == "__main__":
    main()
