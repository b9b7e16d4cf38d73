"""The .npy header code against numpy itself (Debian's python3 + numpy).

Files numpy writes (every pscan dtype, both byte orders, C and Fortran
order, versions 1.0/2.0/3.0, 0-d, empty and 2-D shapes) must parse to what
numpy says they hold; headers the probe writes must load in numpy with the
shape, dtype and order asked for.

    npy_headers.py PATH/TO/npy_probe
"""
import subprocess
import sys
import tempfile
import os

import numpy as np

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "float16", "float32", "float64", "complex64", "complex128"]
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3)]


def probe(*args):
    return subprocess.run([PROBE, *args], capture_output=True, text=True)


def check_read(tmp):
    failures = 0
    for name in DTYPES:
        for order in "<>":
            dtype = np.dtype(name).newbyteorder(order) if np.dtype(name).itemsize > 1 else np.dtype(name)
            for shape in SHAPES:
                for fortran in (False, True):
                    for version in ((1, 0), (2, 0), (3, 0)):
                        a = np.zeros(shape, dtype=dtype, order="F" if fortran else "C")
                        path = os.path.join(tmp, "in.npy")
                        with open(path, "wb") as f:
                            np.lib.format.write_array(f, a, version=version)
                        got = probe("read", path)
                        m = np.load(path, mmap_mode="r") if a.size else np.load(path)
                        big = int(dtype.itemsize > 1 and dtype.byteorder == ">")
                        # numpy's own rule for the header's fortran_order
                        fortran_flag = int(a.flags.f_contiguous and not a.flags.c_contiguous)
                        want = (f"version={version[0]}.0 dtype={name} big_endian={big} "
                                f"fortran={fortran_flag} offset=")
                        shape_text = ",".join(str(s) for s in m.shape)
                        ok = (got.returncode == 0 and got.stdout.startswith(want)
                              and got.stdout.strip().endswith("shape=" + shape_text))
                        if a.size and ok:
                            ok = got.stdout.split("offset=")[1].split()[0] == str(m.offset)
                        if not ok:
                            failures += 1
                            print(f"FAIL read {name}{order} {shape} F={fortran} v={version}: "
                                  f"{got.stdout.strip()} {got.stderr.strip()} (want {want}..{shape_text})")
    return failures


def check_write(tmp):
    failures = 0
    for name in DTYPES:
        for shape in SHAPES:
            for fortran in (0, 1):
                path = os.path.join(tmp, "out.npy")
                got = probe("write", path, name, str(fortran), *map(str, shape))
                if got.returncode != 0:
                    failures += 1
                    print(f"FAIL write {name} {shape}: {got.stderr.strip()}")
                    continue
                a = np.load(path)
                with open(path, "rb") as f:
                    version = np.lib.format.read_magic(f)
                    np.lib.format.read_array_header_1_0(f)
                    offset = f.tell()
                ok = (a.shape == shape and a.dtype == np.dtype(name) and version == (1, 0)
                      and offset % 64 == 0
                      and (a.size == 0 or a.ndim < 2 or a.flags.f_contiguous == bool(fortran)))
                if not ok:
                    failures += 1
                    print(f"FAIL write {name} {shape} F={fortran}: numpy sees {a.dtype} {a.shape} "
                          f"version {version} offset {offset}")
    return failures


if __name__ == "__main__":
    PROBE = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        failures = check_read(tmp) + check_write(tmp)
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)
