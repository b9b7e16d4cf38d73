"""ctypes binding of libpscan for the numpy differential test.

Mirrors include/pscan.h: the enum values, pscan_array and pscan_opts layouts
and the prototypes of pscan_cumsum, pscan_scan and pscan_strerror. Run with
Debian's /usr/bin/python3 (the interpreter that has numpy).
"""

import ctypes

import numpy as np

# ---- enums (include/pscan.h) ----
PSCAN_DTYPE_DEFAULT = 0
PSCAN_BOOL = 1
PSCAN_INT8 = 2
PSCAN_INT16 = 3
PSCAN_INT32 = 4
PSCAN_INT64 = 5
PSCAN_UINT8 = 6
PSCAN_UINT16 = 7
PSCAN_UINT32 = 8
PSCAN_UINT64 = 9
PSCAN_FLOAT16 = 10
PSCAN_FLOAT32 = 11
PSCAN_FLOAT64 = 12
PSCAN_COMPLEX64 = 13
PSCAN_COMPLEX128 = 14
PSCAN_DTYPE_COUNT = 15

PSCAN_OK = 0
STATUS_NAMES = [
    "PSCAN_OK", "PSCAN_ENULL", "PSCAN_ENDIM", "PSCAN_ESHAPE", "PSCAN_EAXIS",
    "PSCAN_EOUTSHAPE", "PSCAN_EDTYPE", "PSCAN_ECAST", "PSCAN_ESIZE",
    "PSCAN_EOUTALIAS", "PSCAN_EOP", "PSCAN_EOPTS", "PSCAN_ENOTSUP",
    "PSCAN_ENOMEM", "PSCAN_EOVERFLOW", "PSCAN_ETOPOLOGY", "PSCAN_EENV",
    "PSCAN_ESEGMENTS",
]

PSCAN_SUM, PSCAN_PROD, PSCAN_MAX, PSCAN_MIN = 0, 1, 2, 3
PSCAN_LOGADDEXP, PSCAN_BIT_AND, PSCAN_BIT_OR, PSCAN_BIT_XOR = 4, 5, 6, 7

PSCAN_ORDER_REPRODUCIBLE = 0
PSCAN_ORDER_SEQUENTIAL = 1

PSCAN_CASTING_UNSAFE = 0
PSCAN_CASTING_SAME_KIND = 1
PSCAN_CASTING_SAFE = 2

PSCAN_FLAG_EXCLUSIVE = 1 << 0
PSCAN_FLAG_INCLUDE_INITIAL = 1 << 1
PSCAN_FLAG_REVERSE = 1 << 2
PSCAN_FLAG_SKIP_NAN = 1 << 3
PSCAN_FLAG_CHECK_OVERFLOW = 1 << 4
PSCAN_FLAG_COMPENSATED = 1 << 5

PSCAN_MAX_DIMS = 64
PSCAN_AXIS_NONE = -2147483647 - 1

# numpy dtype <-> pscan dtype (native byte order only)
NP_TYPES = [
    (np.bool_, PSCAN_BOOL),
    (np.int8, PSCAN_INT8),
    (np.int16, PSCAN_INT16),
    (np.int32, PSCAN_INT32),
    (np.int64, PSCAN_INT64),
    (np.uint8, PSCAN_UINT8),
    (np.uint16, PSCAN_UINT16),
    (np.uint32, PSCAN_UINT32),
    (np.uint64, PSCAN_UINT64),
    (np.float16, PSCAN_FLOAT16),
    (np.float32, PSCAN_FLOAT32),
    (np.float64, PSCAN_FLOAT64),
    (np.complex64, PSCAN_COMPLEX64),
    (np.complex128, PSCAN_COMPLEX128),
]
ALL_DTYPES = [np.dtype(t) for t, _ in NP_TYPES]
_TO_PSCAN = {np.dtype(t): code for t, code in NP_TYPES}
_FROM_PSCAN = {code: np.dtype(t) for t, code in NP_TYPES}


def pscan_dtype_of(dt):
    """pscan_dtype code of a numpy dtype (None -> PSCAN_DTYPE_DEFAULT)."""
    if dt is None:
        return PSCAN_DTYPE_DEFAULT
    dt = np.dtype(dt)
    if not dt.isnative:
        raise ValueError("only native byte order is supported: %r" % dt)
    # np.dtype('q') and np.dtype('l') are distinct objects but equal dtypes.
    for k, v in _TO_PSCAN.items():
        if k == dt:
            return v
    raise ValueError("dtype %r has no pscan equivalent" % dt)


def numpy_dtype_of(code):
    return _FROM_PSCAN[code]


def status_name(s):
    return STATUS_NAMES[s] if 0 <= s < len(STATUS_NAMES) else "status %d" % s


# ---- structs ----
class PscanArray(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int),      # pscan_dtype (a C enum: int)
        ("ndim", ctypes.c_int),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),  # bytes; NULL = C order
    ]


class PscanOpts(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_size_t),    # sizeof(pscan_opts)
        ("threads", ctypes.c_int),
        ("order", ctypes.c_int),      # pscan_order
        ("casting", ctypes.c_int),    # pscan_casting
        ("flags", ctypes.c_uint),
        ("ctx", ctypes.c_void_p),
    ]


def opts_init(threads=0, order=PSCAN_ORDER_REPRODUCIBLE,
              casting=PSCAN_CASTING_UNSAFE, flags=0):
    """The equivalent of PSCAN_OPTS_INIT with some fields overridden."""
    return PscanOpts(ctypes.sizeof(PscanOpts), threads, order, casting, flags, None)


class ArrayDesc(object):
    """A pscan_array describing a numpy array view, plus what keeps the
    shape/strides buffers alive."""

    def __init__(self, arr, null_strides=False):
        arr_if = arr.__array_interface__
        nd = arr.ndim
        self.shape_buf = (ctypes.c_int64 * max(nd, 1))(*arr.shape)
        self.strides_buf = (ctypes.c_int64 * max(nd, 1))(*arr.strides)
        self.struct = PscanArray()
        self.struct.data = arr_if["data"][0]
        self.struct.dtype = pscan_dtype_of(arr.dtype)
        self.struct.ndim = nd
        self.struct.shape = ctypes.cast(self.shape_buf, ctypes.POINTER(ctypes.c_int64))
        if null_strides:
            if not arr.flags.c_contiguous:
                raise ValueError("NULL strides need a C-contiguous array")
            self.struct.strides = ctypes.POINTER(ctypes.c_int64)()
        else:
            self.struct.strides = ctypes.cast(self.strides_buf,
                                              ctypes.POINTER(ctypes.c_int64))

    def ref(self):
        return ctypes.byref(self.struct)


class Lib(object):
    """The library's entry points, with prototypes declared."""

    def __init__(self, path):
        self.path = path
        self.dll = ctypes.CDLL(path)
        d = self.dll
        arrp = ctypes.POINTER(PscanArray)
        optp = ctypes.POINTER(PscanOpts)
        d.pscan_cumsum.argtypes = [arrp, ctypes.c_int, ctypes.c_int, arrp, optp]
        d.pscan_cumsum.restype = ctypes.c_int
        d.pscan_scan.argtypes = [ctypes.c_int, arrp, ctypes.c_int, ctypes.c_int, arrp, optp]
        d.pscan_scan.restype = ctypes.c_int
        d.pscan_strerror.argtypes = [ctypes.c_int]
        d.pscan_strerror.restype = ctypes.c_char_p
        self.has_version = hasattr(d, "pscan_version")
        if self.has_version:
            d.pscan_version.argtypes = []
            d.pscan_version.restype = ctypes.c_char_p

    def check_enums(self):
        """Cross-check this module's dtype mapping against the library's own
        pscan_dtype_name / pscan_dtype_size / pscan_default_dtype. Returns a
        list of mismatch descriptions (empty when all agree)."""
        d = self.dll
        bad = []
        if not all(hasattr(d, f) for f in ("pscan_dtype_name", "pscan_dtype_size",
                                           "pscan_default_dtype")):
            return bad
        d.pscan_dtype_name.argtypes = [ctypes.c_int]
        d.pscan_dtype_name.restype = ctypes.c_char_p
        d.pscan_dtype_size.argtypes = [ctypes.c_int]
        d.pscan_dtype_size.restype = ctypes.c_size_t
        d.pscan_default_dtype.argtypes = [ctypes.c_int, ctypes.c_int]
        d.pscan_default_dtype.restype = ctypes.c_int
        for dt, code in _TO_PSCAN.items():
            name = (d.pscan_dtype_name(code) or b"").decode()
            size = d.pscan_dtype_size(code)
            if name != dt.name or size != dt.itemsize:
                bad.append("dtype code %d: library says %s/%d bytes, numpy %s/%d" % (
                    code, name, size, dt.name, dt.itemsize))
            for op in (PSCAN_SUM, PSCAN_PROD, PSCAN_MAX, PSCAN_MIN):
                want = dt
                if op in (PSCAN_SUM, PSCAN_PROD):
                    if dt.kind == "b" or (dt.kind == "i" and dt.itemsize < 8):
                        want = np.dtype(np.int64)
                    elif dt.kind == "u" and dt.itemsize < 8:
                        want = np.dtype(np.uint64)
                got = d.pscan_default_dtype(op, code)
                if got != _TO_PSCAN[want]:
                    bad.append("pscan_default_dtype(op %d, %s) = %d, numpy uses %s (%d)" % (
                        op, dt.name, got, want.name, _TO_PSCAN[want]))
        return bad

    def version(self):
        return self.dll.pscan_version().decode() if self.has_version else "?"

    def strerror(self, s):
        r = self.dll.pscan_strerror(s)
        return None if r is None else r.decode("utf-8", "replace")

    def cumsum(self, arr_in, axis, acc_dtype, arr_out, opts=None,
               use_scan=False, null_in_strides=False, null_out_strides=False,
               op=PSCAN_SUM):
        """pscan_cumsum(in, axis, dtype, out, opts) on numpy views, or
        pscan_scan(op, ...) when use_scan (needed for ops other than SUM).

        axis None means PSCAN_AXIS_NONE; acc_dtype None means DEFAULT.
        opts None passes a NULL pointer. Returns the pscan_status."""
        din = ArrayDesc(arr_in, null_in_strides)
        dout = ArrayDesc(arr_out, null_out_strides)
        ax = PSCAN_AXIS_NONE if axis is None else int(axis)
        code = pscan_dtype_of(acc_dtype)
        optp = None if opts is None else ctypes.byref(opts)
        if use_scan or op != PSCAN_SUM:
            return self.dll.pscan_scan(op, din.ref(), ax, code, dout.ref(), optp)
        return self.dll.pscan_cumsum(din.ref(), ax, code, dout.ref(), optp)
