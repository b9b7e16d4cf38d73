"""Random differential test of the pscan Python module against numpy.

pscan promises numpy's answers: the same result dtype, shape, values (bit for
bit where numpy's own arithmetic is deterministic), numpy's exception classes,
`out` returned as itself and the input left untouched, for any array-like,
memory layout, dtype= and out=. Hand-written tests cannot cover the cross
product of those, so this file draws a few thousand random calls (one
generator, one checker) and compares each with numpy. pscan's extras
(exclusive=, reverse=, check_overflow=, threads=, order=) are compared with
references built from numpy's functions.

Reproducing a failure: every case comes from np.random.default_rng([seed,
index]); the seed is PSCAN_TEST_SEED (default 1, 0 draws one from the clock)
and each failure prints the seed, the case index and the case. Only results
that are the same on every x86-64 host are compared exactly: complex
products (numpy fuses them with FMA on AVX-512) get an ulp bound, and no
case casts a negative, non-finite or out-of-range float to an integer.
"""
import dataclasses
import math
import os
import sys
import time
import warnings
from typing import Any, Optional

import numpy as np
import pytest

import pscan
import pscan._fallback as numpy_reference  # numpy's own functions (numpy 2's cumulative_*)

SEED = int(os.environ.get("PSCAN_TEST_SEED", "1")) or int(time.time_ns() % 2**32)
if os.environ.get("PSCAN_TEST_SEED", "1") == "0":
    print(f"test_differential: PSCAN_TEST_SEED=0 drew seed {SEED}", file=sys.stderr)

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix inputs

N_BATCHES = 40
BATCH_SIZE = 100
MIN_CASES = 2000
CASES_RUN = {}  # batch index -> cases checked, for the final count

OP = {"cumsum": "sum", "nancumsum": "sum", "cumulative_sum": "sum",
      "cumprod": "prod", "nancumprod": "prod", "cumulative_prod": "prod",
      "cummax": "max", "cummin": "min"}
FUNCS = tuple(OP)
CUMULATIVE = ("cumulative_sum", "cumulative_prod")

# What pscan scans itself; everything else is handed to numpy.
SUPPORTED = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
             "uint64", "float16", "float32", "float64", "complex64", "complex128")
HANDED_TO_NUMPY = ("longdouble", "clongdouble", "object", "m8[s]", "M8[D]", "U3")
# dtype= spellings beyond the names: byte orders, Python types, type objects.
DTYPE_SPELLINGS = ("i2", ">f8", "<u4", ">i8", "c8", np.float32, np.uint16, int, float,
                   complex, bool, "longdouble", "object", "m8[s]", "U3")
INTEGER_LIKE_KINDS = "biumM"  # targets a float must not be cast to unless small and >= 0
LONG_LANE = 4096  # lanes up to this many elements are numpy's bits in every order

INPUT_FORMS = ("c", "c", "c", "f", "neg", "slice", "bigendian", "unaligned", "broadcast",
               "readonly", "list", "subclass")
OUT_FORMS = ("c", "c", "f", "neg", "slice", "bigendian", "unaligned")


class Tagged(np.ndarray):
    """An ndarray subclass: pscan hands it to numpy, which keeps the type."""


class ExpectedOverflow(Exception):
    """The reference's verdict for check_overflow=True: pscan must raise OverflowError."""


@dataclasses.dataclass
class Case:
    index: int
    func: str
    data: Any                  # values (np.ndarray), laid out by `form`
    form: str                  # how the input is presented (see make_input)
    shape: tuple               # the input's shape (differs from data's only for "broadcast")
    axis: Any = None
    dtype: Any = None
    out: Optional[tuple] = None  # (dtype, shape, form) of a fresh out, or None
    include_initial: Optional[bool] = None
    extras: dict = dataclasses.field(default_factory=dict)  # pscan-only keywords
    inplace: bool = False      # out is the input itself
    long: bool = False         # long lanes: also threads=1 vs threads=2

    def describe(self):
        data = np.asarray(self.data)
        values = np.array2string(data, threshold=24, edgeitems=4) if data.dtype != object \
            else repr(self.data)[:200]
        return (f"seed={SEED} case={self.index}: pscan.{self.func}(<{self.form} "
                f"{data.dtype} shape {self.shape}>, axis={self.axis!r}, dtype={self.dtype!r}, "
                f"out={self.out!r}, include_initial={self.include_initial!r}, "
                f"extras={self.extras!r}, inplace={self.inplace}, long={self.long})\n"
                f"  data={values}")


# ---------------------------------------------------------------- layouts

def lay_out(values, form, shape=None):
    """`values` presented as `form`: a fresh object with the same values."""
    values = np.asarray(values)
    if form == "c":
        return values.copy()
    if form == "f":
        return np.asfortranarray(values)
    if form == "neg":  # negative strides on every axis
        return np.flip(np.flip(values).copy())
    if form == "slice":  # every other element of a bigger buffer
        big = np.zeros(tuple(2 * n + 1 for n in values.shape), values.dtype)
        view = big[tuple(slice(1, 2 * n + 1, 2) for n in values.shape)]
        view[...] = values
        return view
    if form == "bigendian":
        return values.astype(values.dtype.newbyteorder(">"))
    if form == "unaligned":  # one byte into a uint8 buffer
        buffer = np.zeros(values.nbytes + 1, np.uint8)
        view = np.ndarray(values.shape, values.dtype, buffer, offset=1)
        view[...] = values
        return view
    if form == "broadcast":  # read-only, zero strides
        return np.broadcast_to(values, shape)
    if form == "readonly":
        view = values.copy()
        view.flags.writeable = False
        return view
    if form == "list":
        return values.tolist()
    if form == "subclass":
        return values.copy().view(Tagged)
    if form == "matrix":
        return np.matrix(values)
    if form == "0d":
        return np.array(values)
    if form == "pyscalar":
        return values.item()
    if form == "npscalar":
        return values[()]
    raise AssertionError(form)


def make_input(case):
    return lay_out(case.data, case.form, case.shape)


def make_out(case):
    if case.out is None:
        return None
    dtype, shape, form = case.out
    base = np.full(shape, 3, dtype=dtype)  # numpy (and pscan) must overwrite it all
    if form == "nonarray":
        return base.tolist()
    if form == "readonly":
        return np.broadcast_to(base, shape)
    return lay_out(base, form)


def fresh_arguments(case):
    a = make_input(case)
    return a, (a if case.inplace else make_out(case))


# ---------------------------------------------------------------- case generator

def result_shape(shape, axis, include_initial):
    """The shape numpy gives the result (the wrong one where the call is wrong)."""
    extra = 1 if include_initial else 0
    if axis is None or len(shape) == 0:
        return (math.prod(shape) + extra,)
    if not isinstance(axis, (int, np.integer)) or not -len(shape) <= axis < len(shape):
        return shape
    shape = list(shape)
    shape[axis] += extra
    return tuple(shape)


def dtype_kind(spelling):
    try:
        return np.dtype(spelling).kind
    except TypeError:
        return None


def draw_values(rng, dtype, shape, op, mode, nan_rich):
    """Values of `dtype`: wrapping integers, float specials, signed zeros.

    mode "any"; "cast_to_int": floats are cast to an integer accumulator, so
    they stay in [0, 100); "small_results": a float scan is cast to an
    integer out, so every result stays in [0, 100] (casts of other floats
    to integers differ between hosts); "near_unit": products of many of them
    stay finite (complex products, long lanes)."""
    dtype = np.dtype(dtype)
    kind = dtype.kind
    if kind in "mM":
        return rng.integers(0, 1000, shape).astype(dtype)
    if kind == "O":
        return np.array(rng.integers(-50, 50, shape).tolist(), dtype=object).reshape(shape)
    if kind == "U":
        return np.array(["ab", "c", ""])[rng.integers(0, 3, shape)].astype(dtype)
    if mode == "small_results":
        return small_result_values(rng, dtype, shape, op, nan_rich)
    if kind == "b":
        return rng.random(shape) < rng.random()
    if kind in "iu":
        info = np.iinfo(dtype)
        if rng.random() < 0.5:  # full range: sums wrap around as in numpy
            return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
        low = max(info.min, -3 if op == "prod" else -100)
        return rng.integers(low, 4 if op == "prod" else 101, shape).astype(dtype)
    if mode == "cast_to_int":
        real = rng.integers(0, 100, shape) + (rng.random(shape) if rng.random() < 0.5 else 0)
    elif mode == "near_unit":  # |products| of 300 stay in 1e-14..1e13, of 70,000 near 1
        spread = 0.1 if math.prod(shape) < 5000 else 0.001
        real = rng.uniform(1 - spread, 1 + spread, shape) * rng.choice([-1.0, 1.0], shape)
    else:
        real = rng.standard_normal(shape) * 10.0 ** int(rng.integers(-3, 5))
        if rng.random() < 0.3:
            real = np.round(real)
    if kind == "c":
        imag = rng.standard_normal(shape) * 10.0 ** int(rng.integers(-2, 3))
        if mode == "near_unit":
            real = real * np.exp(1j * rng.uniform(-np.pi, np.pi, shape))
        else:
            real = real + 1j * imag
    values = np.asarray(real)
    if mode != "cast_to_int":
        specials = [np.nan] if mode == "near_unit" else \
            [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e300, 5e-324]
        values = with_specials(rng, values, specials, 0.7 if nan_rich else 0.3)
    return quiet_astype(values, dtype)


def small_result_values(rng, dtype, shape, op, nan_rich):
    """Values whose scans stay in [0, 100] in any order: what a float
    accumulator may cast to an integer out."""
    kind = dtype.kind
    if op in ("max", "min"):
        values = rng.integers(0, 100, shape) + (rng.random(shape) if kind in "fc" else 0)
    elif op == "prod":
        values = rng.random(shape) if kind in "fc" else rng.integers(0, 2, shape)
    elif kind in "fc":
        values = rng.random(shape)
        values *= min(1.0, 99.0 / max(values.sum(), 1.0))  # the whole array sums to < 100
    else:
        values = (rng.random(shape) < rng.random()).astype(np.int64)
        flat = values.reshape(-1)
        flat[np.flatnonzero(flat)[99:]] = 0
    if kind == "c" and op != "prod":  # the real part alone is cast
        values = values + 1j * rng.standard_normal(shape)
    if kind in "fc" and nan_rich:  # NaN counts as absent in nancumsum / nancumprod
        values = with_specials(rng, np.asarray(values), [np.nan], 0.5)
    return quiet_astype(values, dtype)


def with_specials(rng, values, specials, probability):
    if values.size and rng.random() < probability:
        where = rng.random(values.shape) < 0.15
        values = np.where(where, rng.choice(specials, values.shape), values)
    return values


def quiet_astype(values, dtype):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # 1e300 -> inf in float32 is meant
        return np.asarray(values).astype(dtype)


def draw_shape(rng):
    ndim = int(rng.choice([0, 1, 1, 1, 2, 2, 3, 4]))
    if ndim == 1:
        return (int(rng.choice([0, 1, 2, 7, 33, int(rng.integers(0, 300))])),)
    dims = [int(rng.choice([0, 1, 2, 3, 5, 8])) if rng.random() < 0.3
            else int(rng.integers(1, 6 if ndim > 2 else 40)) for _ in range(ndim)]
    return tuple(dims)


def draw_axis(rng, func, ndim, valid_only):
    rank = max(ndim, 1)
    r = rng.random()
    if r < 0.25 and (func not in CUMULATIVE or ndim <= 1):
        return None
    if valid_only or r < 0.9:
        axis = int(rng.integers(-rank, rank))
        return np.int64(axis) if rng.random() < 0.1 else axis
    wrong = [rank, -rank - 1, 1.5, "0"]  # numpy rejects these
    if not valid_only:  # numpy's accumulate takes (0,); pscan's extras need not
        wrong.append((0,))
    return wrong[int(rng.integers(len(wrong)))]


def value_mode(op, in_dtype, form, dtype, out_dtype):
    """Which values keep every cast in this call the same on all hosts."""
    in_kind = np.dtype(in_dtype).kind
    acc_kind = dtype_kind(dtype) if dtype is not None else None
    out_kind = dtype_kind(out_dtype) if out_dtype is not None else None
    # numpy's loop for an integer out is a float one for float input, for a
    # float dtype=, and for uint64 with a signed integer (float64); Python
    # ints are int64 (or uint64 if larger).
    inputs = {in_dtype}
    if form in ("list", "pyscalar") and in_kind in "iu":
        inputs = {"int64", in_dtype}
    mixed = out_dtype is not None and any(
        {np.dtype(x).str[1:], np.dtype(out_dtype).str[1:]} & {"u8"}
        and "i" in (np.dtype(x).kind, np.dtype(out_dtype).kind) for x in inputs)
    float_loop = acc_kind in ("f", "c") or (acc_kind is None and (in_kind in "fc" or mixed))
    if out_kind is not None and out_kind in INTEGER_LIKE_KINDS and float_loop:
        return "small_results"
    if in_kind in "fc" and acc_kind is not None and acc_kind in INTEGER_LIKE_KINDS:
        return "cast_to_int"
    if op == "prod" and "c" in (in_kind, acc_kind, out_kind):
        return "near_unit"
    return "any"


def draw_case(index):
    """Case `index` of the run: a function of (SEED, index) only."""
    rng = np.random.default_rng([SEED, index])
    if index % 25 == 24:
        return draw_long_case(rng, index)
    func = str(rng.choice(FUNCS))
    op = OP[func]
    with_extras = rng.random() < 0.25
    if rng.random() < 0.1:
        return draw_out_accumulator_case(rng, index, func)

    # The input's dtype and presentation.
    if not with_extras and rng.random() < 0.12:
        in_dtype = str(rng.choice(HANDED_TO_NUMPY))
    else:
        in_dtype = str(rng.choice(SUPPORTED))
    shape = draw_shape(rng)
    if len(shape) == 0:
        form = str(rng.choice(["0d", "pyscalar", "npscalar", "c"]))
    else:
        forms = [f for f in INPUT_FORMS if not (with_extras and f == "subclass")]
        if len(shape) == 2 and not with_extras:
            forms.append("matrix")
        form = str(rng.choice(forms))
    if form == "list" and (in_dtype == "uint64" or 0 in shape):
        form = "c"  # uint64-sized Python ints are numpy's float64; [] loses dimensions
    if np.dtype(in_dtype).kind in "OU" or (np.dtype(in_dtype).kind in "mM" and form == "list"):
        form = "c" if len(shape) else "0d"
    if form in ("pyscalar", "npscalar") and np.dtype(in_dtype).kind in "OUmM":
        form = "0d"
    if with_extras and len(shape) == 0:
        shape = (int(rng.integers(0, 20)),)
        form = "c"

    axis = draw_axis(rng, func, len(shape), valid_only=with_extras)
    include_initial = bool(rng.random() < 0.4) if func in CUMULATIVE and not with_extras \
        else None

    # dtype= and out=.
    dtype = None
    if rng.random() < 0.3:
        choices = SUPPORTED if with_extras else SUPPORTED + DTYPE_SPELLINGS
        dtype = choices[int(rng.integers(len(choices)))]
        if np.dtype(in_dtype).kind == "U" and isinstance(dtype, str) and dtype.startswith("m8"):
            dtype = None  # numpy 1.24 itself crashes casting strings to timedelta in a scan
    out = None
    if rng.random() < 0.35:
        if rng.random() < 0.5 and np.dtype(in_dtype).kind not in "OUmM":
            out_dtype = in_dtype
        else:
            pool = SUPPORTED if with_extras else SUPPORTED + ("longdouble", "object")
            out_dtype = str(rng.choice(pool))
        out_shape = result_shape(shape, axis, include_initial)
        out_form = str(rng.choice(OUT_FORMS))
        r = rng.random()
        if r < 0.05:
            out_shape = wrong_shape(rng, out_shape, with_extras)
        elif r < 0.08 and not with_extras:
            out_form = str(rng.choice(["nonarray", "readonly", "subclass"]))
        out = (out_dtype, out_shape, out_form)

    # in place: out is the input itself.
    inplace = (out is None and dtype is None and rng.random() < 0.05 and len(shape) > 0
               and form in ("c", "f", "neg", "slice", "bigendian", "unaligned")
               and not include_initial and (axis is not None or len(shape) == 1)
               and in_dtype in SUPPORTED)

    extras = draw_flags(rng, with_extras)
    kinds = {np.dtype(in_dtype).kind, dtype_kind(dtype) if dtype is not None else "b",
             dtype_kind(out[0]) if out else "b"}
    if extras.get("compensated") and not kinds <= set("biu"):
        extras = {"exclusive": True}  # compensated float sums are not numpy's bits
    if rng.random() < 0.3:
        extras["threads"] = [None, 0, 1, 2, 3][int(rng.integers(5))]
    if rng.random() < 0.3:
        extras["order"] = [None, "reproducible", "sequential"][int(rng.integers(3))]

    # Values last: what they may be depends on where they are cast.
    mode = value_mode(op, in_dtype, form, dtype, out[0] if out else None)
    if mode == "small_results" and op in ("max", "min"):
        extras.pop("exclusive", None)  # its identity, +-inf, cast to an integer out
    if mode == "small_results" and form == "broadcast":
        form = "readonly"  # repeated values would sum past 100
    data_shape = shape
    if form == "broadcast":  # a smaller array, broadcast along one axis
        flat_axis = int(rng.integers(len(shape)))
        data_shape = tuple(1 if d == flat_axis else n for d, n in enumerate(shape))
    data = draw_values(rng, in_dtype, data_shape, op, mode, nan_rich=func.startswith("nan"))
    if extras.get("check_overflow"):
        if op in ("max", "min") and rng.random() < 0.8:  # mostly scans that can overflow
            func = str(rng.choice(["cumsum", "cumprod", "nancumsum", "cumulative_sum"]))
            op = OP[func]
        data, dtype, out = overflow_data(rng, shape, result_shape(shape, axis, False), op)
        form, inplace = "c", False
    return Case(index, func, data, form, shape, axis, dtype, out, include_initial, extras,
                inplace)


def wrong_shape(rng, shape, with_extras):
    """A shape numpy rejects (ValueError), or for numpy alone, one it may
    broadcast into: numpy lets length-1 input dimensions fill out, pscan's
    extras need not."""
    if not with_extras and rng.random() < 0.5:
        return shape + (2,)
    grown = [d for d, n in enumerate(shape) if n != 1]
    if not grown or 0 in shape:  # numpy lets some outs of empty results pass
        return shape
    d = grown[int(rng.integers(len(grown)))]
    return shape[:d] + (shape[d] + 1,) + shape[d + 1:]


def draw_flags(rng, with_extras):
    if not with_extras:
        return {}
    r = rng.random()
    if r < 0.3:
        return {"exclusive": True}
    if r < 0.6:
        return {"reverse": True}
    if r < 0.75:
        return {"exclusive": True, "reverse": True}
    if r < 0.95:
        return {"check_overflow": True}
    return {"compensated": True}


def overflow_data(rng, shape, out_shape, op):
    """Integers whose scan may leave the accumulator's range (int64 near
    2**62 among them): check_overflow must raise then, and only then. The
    accumulator is the input's dtype (given as dtype= or out's), since
    numpy's default for narrow integers is int64."""
    dtype = str(rng.choice(["int64", "int64", "int32", "int16", "int8", "uint32", "uint64"]))
    info = np.iinfo(dtype)
    if op == "prod":
        values = rng.choice([-4, -3, -2, 2, 3, 4, 1, -1] if info.min else [1, 2, 3, 4], shape)
    elif dtype == "int64" and rng.random() < 0.6:
        values = rng.choice([2**62, 2**62 - 1, -(2**62), 1, 0, -1], shape)
    else:
        span = max(1, int(info.max) // max(2, int(rng.integers(1, 100))))
        values = rng.integers(max(info.min, -span), span, shape)
    r = rng.random()
    if r < 0.4:
        return values.astype(dtype), dtype, None
    if r < 0.8:
        return values.astype(dtype), None, (dtype, out_shape, str(rng.choice(OUT_FORMS)))
    return values.astype(dtype), None, None


def draw_out_accumulator_case(rng, index, func):
    """out= without dtype=: numpy accumulates in out's dtype. int8 values
    that overflow int8 (and, summed, int16) show which accumulator ran."""
    n = int(rng.integers(50, 600))
    data = rng.integers(60, 128, n).astype(np.int8)
    if OP[func] == "prod":
        data = rng.integers(2, 5, n).astype(np.int8)
    out_dtype = str(rng.choice(["int8", "int16", "uint16", "int32", "float32", "float16",
                                "int64", ">i2", "complex64"]))
    include_initial = bool(rng.random() < 0.5) if func in CUMULATIVE else None
    out = (out_dtype, result_shape((n,), 0, include_initial), str(rng.choice(OUT_FORMS)))
    return Case(index, func, data, "c", (n,), 0, None, out, include_initial)


def draw_long_case(rng, index):
    """Lanes of 4095..70,000 elements: numpy's bits under order="sequential"
    (and for lanes up to 4096), a rounding bound otherwise; the same bits
    for threads=1 and threads=2."""
    func = str(rng.choice(["cumsum", "cumsum", "nancumsum", "cumprod", "cumulative_sum",
                           "cummax", "cummin"]))
    op = OP[func]
    n = int(rng.choice([4095, 4096, 4097, int(rng.integers(5000, 70001))]))
    dtype = str(rng.choice(["float32", "float64", "float64", "int32", "int64", "uint8"]
                           + (["complex128"] if op == "sum" else [])))
    k = int(rng.integers(1, 4))
    shape, axis = [((n,), 0), ((n,), None), ((n, k), 0), ((k, n), -1), ((k, n), 1)][
        int(rng.integers(5))]
    if func in CUMULATIVE and axis is None and len(shape) > 1:
        axis = 0
    form = str(rng.choice(["c", "f", "neg", "slice", "unaligned"]))
    data = draw_values(rng, dtype, shape, op, "near_unit" if op == "prod" else "any",
                       nan_rich=func == "nancumsum")
    if np.dtype(dtype).kind in "fc" and op == "sum":  # keep long float sums finite
        data = np.where(np.isinf(data), 1.0, data).astype(dtype)
        data = np.where(np.abs(data) > 1e6, 3.0, data).astype(dtype)
    out = None
    if rng.random() < 0.3:
        scan = {"sum": np.cumsum, "prod": np.cumprod}.get(op, lambda x: x)
        out = (str(scan(np.zeros(1, dtype)).dtype), result_shape(shape, axis, False),
               str(rng.choice(OUT_FORMS)))
    extras = {"order": [None, "reproducible", "sequential"][int(rng.integers(3))]}
    flag = rng.random()
    if flag < 0.2:
        extras["reverse"] = True
    elif flag < 0.35:
        extras["exclusive"] = True
    return Case(index, func, data, form, shape, axis, None, out, None, extras, long=True)


# ---------------------------------------------------------------- references

def call_quietly(function, *args, **kwargs):
    """numpy warns (overflow, ComplexWarning) where pscan may not: not compared."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def numpy_call(case, a, out, axis):
    kwargs = {"axis": axis, "dtype": case.dtype, "out": out}
    if case.include_initial is not None:
        kwargs["include_initial"] = case.include_initial
    return call_quietly(getattr(numpy_reference, case.func), a, **kwargs)


def identity(op, dtype):
    """What exclusive scans start from (pscan_identity)."""
    dtype = np.dtype(dtype)
    if op in ("sum", "prod"):
        return np.array(0 if op == "sum" else 1).astype(dtype)
    low = op == "max"
    if dtype.kind == "b":
        value = not low
    elif dtype.kind in "iu":
        value = np.iinfo(dtype).min if low else np.iinfo(dtype).max
    else:
        value = -np.inf if low else np.inf
        if dtype.kind == "c":
            value = complex(value, value)
    return np.array(value, dtype=dtype)


def accumulator(case, a, out, result):
    """numpy's loop dtype: dtype=, else with out= the promotion of the input
    and out (int8 into an int16 out adds in int16, int32 into int16 in
    int32, float into an int out in float), else the result's."""
    if case.dtype is not None:
        return np.dtype(case.dtype)
    if isinstance(out, np.ndarray):
        return np.result_type(np.asarray(a).dtype, out.dtype)
    return result.dtype


def overflows(case, a, acc):
    """Whether the exact scan leaves acc's range (acc is the input's dtype here)."""
    if OP[case.func] not in ("sum", "prod") or acc.kind not in "iu":
        return False
    exact = np.asarray(a).astype(object)
    axis = case.axis
    if axis is None:
        exact, axis = exact.ravel(), 0
    scan = np.cumsum(exact, axis=axis) if OP[case.func] == "sum" else np.cumprod(exact, axis=axis)
    info = np.iinfo(acc)
    return any(not info.min <= int(v) <= info.max for v in scan.ravel())


def reference(case):
    """numpy's result (or exception) for the case, extras built from numpy's scans."""
    a, out = fresh_arguments(case)
    plain = numpy_call(case, a, out, case.axis)  # numpy's exception, if any, is the verdict
    flags = case.extras
    if flags.get("check_overflow") and overflows(case, make_input(case),
                                                 accumulator(case, a, out, plain)):
        raise ExpectedOverflow()
    if not (flags.get("exclusive") or flags.get("reverse")):
        return plain
    a, out = fresh_arguments(case)
    source, axis = np.asarray(a), case.axis
    if axis is None:
        source, axis = np.ravel(source), 0
    axis = int(axis) % source.ndim
    target = out
    if flags.get("reverse"):  # suffix scans: the scan of the flipped input, flipped
        source = np.flip(source, axis)
        target = None if out is None else np.flip(out, axis)
    result = numpy_call(case, source, target, axis)
    if flags.get("exclusive"):  # identity, then the scan shifted one along the axis
        shifted = result.copy()
        head = [slice(None)] * result.ndim
        head[axis] = slice(0, 1)
        body, tail = list(head), list(head)
        body[axis], tail[axis] = slice(1, None), slice(None, -1)
        result[tuple(body)] = shifted[tuple(tail)]
        start = identity(OP[case.func], accumulator(case, a, out, plain))
        call_quietly(result.__setitem__, tuple(head), start)  # complex -> real drops imag
    if out is not None:
        return out
    return np.flip(result, axis) if flags.get("reverse") else result


# ---------------------------------------------------------------- comparison

def snapshot(x):
    """What must not change: an array's bytes, a list's or scalar's repr (NaN-safe)."""
    if isinstance(x, np.ndarray):
        return (x.dtype, x.shape, x.tobytes())
    return repr(x)


def same_floats(x, y):
    """Equal values, NaN where NaN, and the same sign on every zero (NaN
    payloads are not numpy's promise, so they are not compared)."""
    if x.dtype.kind == "c":
        return same_floats(x.real, y.real) and same_floats(x.imag, y.imag)
    if not np.array_equal(x, y, equal_nan=True):
        return False
    numbers = ~np.isnan(x)
    return np.array_equal(np.signbit(x[numbers]), np.signbit(y[numbers]))


def same_values(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "fc":
        return same_floats(x, y)
    if x.dtype.kind == "O":  # Python objects: NaN matches NaN
        return x.shape == y.shape and all(
            type(u) is type(v) and (u == v or (u != u and v != v))
            for u, v in zip(x.ravel().tolist(), y.ravel().tolist()))
    return np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes()


def lane_length(case):
    if case.axis is None or len(case.shape) == 0:
        return math.prod(case.shape)
    if not isinstance(case.axis, (int, np.integer)):
        return 0  # numpy's verdict decides; nothing long was scanned
    return case.shape[int(case.axis) % len(case.shape)]


def float_components(x):
    x = np.asarray(x)
    parts = (x.real, x.imag) if x.dtype.kind == "c" else (x,)
    return [np.asarray(p).astype(np.longdouble) for p in parts]


def tolerance_problem(case, res, exp):
    """None if res is within rounding of exp, component by component: sums
    |diff| <= 2 n eps sum|x| over the lane, products |diff| <= 4 n eps |exp|;
    non-finite components exactly as numpy's."""
    if same_values(res, exp):
        return None
    n = max(lane_length(case), 1)
    kinds = [np.asarray(case.data).dtype, np.asarray(exp).dtype]
    if case.dtype is not None:
        kinds.append(np.dtype(case.dtype))
    eps = max(np.finfo(k).eps for k in kinds if k.kind in "fc")
    exp_parts, res_parts = float_components(exp), float_components(res)
    if OP[case.func] == "prod":  # relative to the products of |x| (no cancellation there)
        magnitudes = dataclasses.replace(
            case, data=np.abs(np.asarray(case.data, dtype=np.complex128)), dtype=None, out=None,
            inplace=False, form=case.form if case.form in ("broadcast", "matrix") else "c",
            extras={k: v for k, v in case.extras.items() if k in ("exclusive", "reverse")})
        size = np.asarray(reference(magnitudes)).astype(np.longdouble)
        tiny = max(np.finfo(k).tiny for k in kinds if k.kind in "fc")  # subnormal steps
        bound = 4 * n * eps * size + n * tiny
    else:
        x = np.abs(np.nan_to_num(np.asarray(case.data).astype(np.clongdouble)))
        total = x.sum() if case.axis is None else \
            x.sum(axis=int(case.axis) % x.ndim, keepdims=True)
        bound = np.broadcast_to(2 * n * eps * np.real(total), np.shape(exp))
    for r, e in zip(res_parts, exp_parts):
        exact = ~np.isfinite(e) | ~np.isfinite(bound)  # after a NaN, say: numpy's bits
        if not same_floats(r[exact], e[exact]):
            return "non-finite values differ"
        with np.errstate(all="ignore"):
            bad = ~exact & ~(np.abs(r - e) <= bound)
        if bad.any():
            at = tuple(np.argwhere(bad)[0])
            return (f"beyond rounding bound at {at}: got {np.asarray(res)[at]}, "
                    f"numpy {np.asarray(exp)[at]}, bound {bound[at]}")
    return None


def needs_tolerance(case, out):
    """Complex products (numpy fuses them on AVX-512 hosts) and long
    reproducible float lanes (fixed tiles) are not numpy's bits."""
    op = OP[case.func]
    if op not in ("sum", "prod") or isinstance(out, np.ndarray) and out.dtype.kind == "O":
        return False  # an object loop is numpy's, run by numpy
    if case.dtype is not None:  # the loop's kind, as numpy resolves it
        loop = dtype_kind(case.dtype)
    else:
        kinds = {np.asarray(case.data).dtype.kind}
        if isinstance(out, np.ndarray):
            kinds.add(out.dtype.kind)
        loop = "c" if "c" in kinds else "f" if "f" in kinds else "i"
    if loop not in ("f", "c"):
        return False
    if op == "prod" and loop == "c":
        return True
    return case.extras.get("order") != "sequential" and lane_length(case) > LONG_LANE


def builtin_class(error_type):
    """numpy's exception class as pscan raises it without numpy: AxisError,
    else the builtin class numpy's derives from (UFuncTypeError -> TypeError)."""
    if issubclass(error_type, np.AxisError):
        return np.AxisError
    return next(c for c in error_type.__mro__ if c.__module__ == "builtins")


def pscan_call(case, a, out, **overrides):
    kwargs = {"axis": case.axis, "dtype": case.dtype, "out": out, **case.extras, **overrides}
    if case.include_initial is not None:
        kwargs["include_initial"] = case.include_initial
    return call_quietly(getattr(pscan, case.func), a, **kwargs)


def check_case(case):
    """The first way pscan differs from numpy in this case, or None."""
    try:
        expected, expected_error = reference(case), None
    except Exception as error:  # noqa: BLE001 - numpy's exception is the expectation
        expected, expected_error = None, error
    a, out = fresh_arguments(case)
    a_before, out_before = snapshot(a), snapshot(out)
    try:
        result, error = pscan_call(case, a, out), None
    except Exception as raised:  # noqa: BLE001
        result, error = None, raised
    if not case.inplace and snapshot(a) != a_before:
        return "the input was modified"

    if expected_error is not None:
        if isinstance(expected_error, ExpectedOverflow):
            if not isinstance(error, OverflowError):
                return f"expected OverflowError, got {error!r} / result {result!r}"
            if snapshot(out) != out_before:
                return "OverflowError raised but out was written"
            return None
        if error is None:
            return f"numpy raised {expected_error!r}, pscan returned {result!r}"
        numpy_class = type(expected_error)
        flags = {k for k in case.extras if k in ("exclusive", "reverse", "check_overflow",
                                                 "compensated") and case.extras[k]}
        # Without a flag pscan hands errors to numpy: the very class. With
        # one it raises its own, of numpy's (builtin) class.
        wanted = builtin_class(numpy_class) if flags else numpy_class
        if not (type(error) is wanted if not flags else isinstance(error, wanted)):
            return f"numpy raised {expected_error!r}, pscan raised {error!r}"
        return None
    if error is not None:
        return f"pscan raised {error!r}, numpy returned {expected!r}"
    if out is not None and result is not out:
        return "out= given but not returned as the same object"
    if type(result) is not type(expected):
        return f"type {type(result)} != numpy's {type(expected)}"
    if result.dtype != expected.dtype or result.shape != expected.shape:
        return (f"dtype/shape {result.dtype} {result.shape} != "
                f"numpy's {expected.dtype} {expected.shape}")
    if needs_tolerance(case, out):
        problem = tolerance_problem(case, result, expected)
        if problem:
            return problem
    elif not same_values(result, expected):
        return f"values differ:\n  pscan {result!r}\n  numpy {expected!r}"
    if case.long:
        return threads_problem(case)
    return None


def threads_problem(case):
    """Reproducible means the same bits for any thread count."""
    results = []
    for threads in (1, 2):
        a, out = fresh_arguments(case)
        results.append(np.array(pscan_call(case, a, out, threads=threads)))
    if not same_values(results[0], results[1]):
        return "threads=1 and threads=2 differ"
    return None


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("batch", range(N_BATCHES))
def test_pscan_matches_numpy(batch):
    failures = []
    count = 0
    for index in range(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE):
        case = draw_case(index)
        problem = check_case(case)
        count += 1
        if problem:
            failures.append(f"{case.describe()}\n  -> {problem}")
    CASES_RUN[batch] = count
    if failures:
        pytest.fail(f"{len(failures)} of {count} cases differ from numpy; rerun with "
                    f"PSCAN_TEST_SEED={SEED} -k 'test_pscan_matches_numpy[{batch}]', or "
                    f"check_case(draw_case(index)):\n\n" + "\n\n".join(failures[:5]),
                    pytrace=False)


def test_case_count(capsys):
    """Runs after the batches: the run must not silently shrink."""
    assert N_BATCHES * BATCH_SIZE >= MIN_CASES
    if len(CASES_RUN) < N_BATCHES:
        pytest.skip("only some batches were selected")
    total = sum(CASES_RUN.values())
    with capsys.disabled():
        print(f"\ntest_differential: {total} cases against numpy {np.__version__}, "
              f"PSCAN_TEST_SEED={SEED}")
    assert total >= MIN_CASES
