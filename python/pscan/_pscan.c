/*
 * _pscan.c - the Python face of pscan: numpy's cumulative functions over the
 * C library, through numpy's C API.
 *
 * Every function takes what numpy's takes and returns what numpy's returns.
 * What the library cannot scan (a dtype it lacks, an ndarray subclass, an
 * object that overrides numpy's functions) and every argument numpy rejects
 * go to numpy itself through pscan._fallback, so the result or the exception
 * is numpy's own. pscan's extras (threads=, order=, exclusive=, ...) are
 * keyword-only; with one of the flags set there is no numpy to fall back
 * on, and errors are raised here with numpy's exception classes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <omp.h>
#include <pthread.h>
#include <pscan.h>

#include "result_cache.h"

#include <stdlib.h>
#include <string.h>

/* Below this many elements the GIL is kept: releasing it costs more than
 * the scan. */
#define RELEASE_GIL_ELEMENTS 16384

/* A new result of at least this many bytes is pscan_alloc's memory: its
 * pages are faulted in by the call's threads, in parallel, before the scan
 * (fresh pages cost the kernel's zeroing, as much as the scan itself). */
#define FIRST_TOUCH_BYTES ((size_t)4 << 20)

/* What each Python function is. */
typedef struct scan_kind {
    const char *name; /* the Python name, and the fallback's in pscan._fallback */
    pscan_op op;
    unsigned flags; /* PSCAN_FLAG_SKIP_NAN for nancumsum / nancumprod */
    int cumulative; /* numpy 2's cumulative_*: include_initial, 1-D default axis */
    int accumulate; /* numpy runs ufunc.accumulate itself, which takes no dtype=
                       with a byte order (nor, but for cumulative_*'s atleast_1d,
                       a 0-d input with an axis) */
} scan_kind;

static const scan_kind kind_cumsum = {"cumsum", PSCAN_SUM, 0, 0, 0};
static const scan_kind kind_cumprod = {"cumprod", PSCAN_PROD, 0, 0, 0};
static const scan_kind kind_nancumsum = {"nancumsum", PSCAN_SUM, PSCAN_FLAG_SKIP_NAN, 0, 0};
static const scan_kind kind_nancumprod = {"nancumprod", PSCAN_PROD, PSCAN_FLAG_SKIP_NAN, 0, 0};
static const scan_kind kind_cumulative_sum = {"cumulative_sum", PSCAN_SUM, 0, 1, 1};
static const scan_kind kind_cumulative_prod = {"cumulative_prod", PSCAN_PROD, 0, 1, 1};
static const scan_kind kind_cummax = {"cummax", PSCAN_MAX, 0, 0, 1};
static const scan_kind kind_cummin = {"cummin", PSCAN_MIN, 0, 0, 1};

/* Set in a child forked from this process: GNU OpenMP keeps no threads
 * across fork(), and a child's parallel region would wait for ones that
 * are gone, so a forked child scans on its own thread. */
static volatile int forked_child;

static void note_fork_in_child(void)
{
    forked_child = 1;
}

/* pscan._fallback, imported on first need (it imports numpy's functions). */
static PyObject *fallback_module;

/* The parsed arguments of one call. */
typedef struct scan_args {
    PyObject *a, *axis, *dtype, *out;
    int include_initial;
    PyObject *threads, *order;
    int exclusive, reverse, check_overflow, compensated;
} scan_args;

static PyObject *call_fallback(const char *name, PyObject *args, PyObject *kwargs)
{
    if (!fallback_module) {
        fallback_module = PyImport_ImportModule("pscan._fallback");
        if (!fallback_module)
            return NULL;
    }
    PyObject *fn = PyObject_GetAttrString(fallback_module, name);
    if (!fn)
        return NULL;
    PyObject *result = PyObject_Call(fn, args, kwargs);
    Py_DECREF(fn);
    return result;
}

/* numpy's dtype `descr` as a pscan dtype, by its type number (int64 is
 * numpy's long and long long; structured, void and user dtypes have none);
 * PSCAN_DTYPE_DEFAULT if pscan lacks it. */
static pscan_dtype dtype_of_descr(const PyArray_Descr *descr)
{
    switch (descr->type_num) {
    case NPY_BOOL:
        return PSCAN_BOOL;
    case NPY_BYTE:
        return PSCAN_INT8;
    case NPY_UBYTE:
        return PSCAN_UINT8;
    case NPY_SHORT:
        return PSCAN_INT16;
    case NPY_USHORT:
        return PSCAN_UINT16;
    case NPY_INT:
        return PSCAN_INT32;
    case NPY_UINT:
        return PSCAN_UINT32;
    case NPY_LONG:
        return sizeof(long) == 8 ? PSCAN_INT64 : PSCAN_INT32;
    case NPY_ULONG:
        return sizeof(long) == 8 ? PSCAN_UINT64 : PSCAN_UINT32;
    case NPY_LONGLONG:
        return PSCAN_INT64;
    case NPY_ULONGLONG:
        return PSCAN_UINT64;
    case NPY_HALF:
        return PSCAN_FLOAT16;
    case NPY_FLOAT:
        return PSCAN_FLOAT32;
    case NPY_DOUBLE:
        return PSCAN_FLOAT64;
    case NPY_CFLOAT:
        return PSCAN_COMPLEX64;
    case NPY_CDOUBLE:
        return PSCAN_COMPLEX128;
    default:
        return PSCAN_DTYPE_DEFAULT;
    }
}

/* A cast whose results or warnings depend on numpy's C casts: float or
 * complex to an integer (bool is exact: nonzero), complex to real. */
static int lossy_cast(pscan_dtype from, pscan_dtype to)
{
    const int from_float = from >= PSCAN_FLOAT16, from_complex = from >= PSCAN_COMPLEX64;
    const int to_integer = to >= PSCAN_INT8 && to <= PSCAN_UINT64;
    const int to_real = to < PSCAN_COMPLEX64;
    return (from_float && to_integer) || (from_complex && to_real && to != PSCAN_BOOL);
}

/* numpy's native descr for a pscan dtype (a new reference). */
static PyArray_Descr *descr_of_dtype(pscan_dtype t)
{
    static const int typenum[PSCAN_DTYPE_COUNT] = {
        [PSCAN_BOOL] = NPY_BOOL,           [PSCAN_INT8] = NPY_INT8,
        [PSCAN_INT16] = NPY_INT16,         [PSCAN_INT32] = NPY_INT32,
        [PSCAN_INT64] = NPY_INT64,         [PSCAN_UINT8] = NPY_UINT8,
        [PSCAN_UINT16] = NPY_UINT16,       [PSCAN_UINT32] = NPY_UINT32,
        [PSCAN_UINT64] = NPY_UINT64,       [PSCAN_FLOAT16] = NPY_FLOAT16,
        [PSCAN_FLOAT32] = NPY_FLOAT32,     [PSCAN_FLOAT64] = NPY_FLOAT64,
        [PSCAN_COMPLEX64] = NPY_COMPLEX64, [PSCAN_COMPLEX128] = NPY_COMPLEX128,
    };
    return PyArray_DescrFromType(typenum[t]);
}

/* A pscan view of a numpy array; shape and strides point into `dims`. */
typedef struct view_dims {
    int64_t shape[NPY_MAXDIMS], strides[NPY_MAXDIMS];
} view_dims;

static pscan_array view_of(PyArrayObject *arr, view_dims *dims)
{
    int ndim = PyArray_NDIM(arr);
    for (int d = 0; d < ndim; d++) {
        dims->shape[d] = (int64_t)PyArray_DIM(arr, d);
        dims->strides[d] = (int64_t)PyArray_STRIDE(arr, d);
    }
    pscan_array view = {.data = PyArray_DATA(arr),
                        .dtype = dtype_of_descr(PyArray_DESCR(arr)),
                        .ndim = ndim,
                        .shape = dims->shape,
                        .strides = dims->strides};
    return view;
}

/* The last array over a result is gone: its block goes back to the cache
 * (or is unmapped there). */
static void give_back_block(PyObject *owner)
{
    result_cache_give(PyCapsule_GetPointer(owner, "pscan.result"));
}

/* A block for a new result of `bytes`: a held one, else fresh pages faulted
 * by the call's threads (after unmapping the held ones if memory ran out). */
static result_block *result_memory(size_t bytes, int threads)
{
    result_block *block = result_cache_take(bytes);
    if (block)
        return block;
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    PyThreadState *gil = PyEval_SaveThread();
    pscan_status s = result_block_new(bytes, &opts, &block);
    if (s == PSCAN_ENOMEM && result_cache_clear() > 0)
        s = result_block_new(bytes, &opts, &block);
    PyEval_RestoreThread(gil);
    return s == PSCAN_OK ? block : NULL;
}

/* A new C-contiguous array of `dtype` for a result scanned from `input`
 * (large ones in pscan_alloc's memory, possibly a freed result's, owned by
 * a capsule the array keeps as its base). */
static PyArrayObject *new_result(int ndim, npy_intp *dims, pscan_dtype dtype, int threads,
                                 const void *input)
{
    size_t bytes = pscan_dtype_size(dtype);
    int too_big = 0;
    for (int d = 0; d < ndim; d++)
        too_big |= __builtin_mul_overflow(bytes, (size_t)dims[d], &bytes);
    if (too_big || bytes < FIRST_TOUCH_BYTES || forked_child) /* numpy says what is too big */
        return (PyArrayObject *)PyArray_Empty(ndim, dims, descr_of_dtype(dtype), 0);
    result_block *block = result_memory(bytes, threads);
    if (!block)
        return (PyArrayObject *)PyArray_Empty(ndim, dims, descr_of_dtype(dtype), 0);
    PyObject *owner = PyCapsule_New(block, "pscan.result", give_back_block);
    if (!owner) {
        result_cache_give(block);
        return NULL;
    }
    PyArrayObject *result = (PyArrayObject *)PyArray_NewFromDescr(
        &PyArray_Type, descr_of_dtype(dtype), ndim, dims, NULL,
        result_block_data(block, input, pscan_dtype_size(dtype)), NPY_ARRAY_CARRAY, NULL);
    if (!result) {
        Py_DECREF(owner);
        return NULL;
    }
    if (PyArray_SetBaseObject(result, owner) < 0) { /* it took owner, even so */
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

/* Raise the Python exception numpy raises for what `s` says. */
static void raise_status(pscan_status s, int axis, int ndim)
{
    switch (s) {
    case PSCAN_EAXIS: {
        /* numpy.exceptions.AxisError (numpy >= 1.25), else numpy.AxisError */
        PyObject *numpy = PyImport_ImportModule("numpy.exceptions");
        if (!numpy) {
            PyErr_Clear();
            numpy = PyImport_ImportModule("numpy");
        }
        PyObject *axis_error = numpy ? PyObject_GetAttrString(numpy, "AxisError") : NULL;
        Py_XDECREF(numpy);
        if (axis_error) {
            PyObject *exc = PyObject_CallFunction(axis_error, "ii", axis, ndim);
            if (exc) {
                PyErr_SetObject(axis_error, exc);
                Py_DECREF(exc);
            }
            Py_DECREF(axis_error);
        }
        return;
    }
    case PSCAN_EOVERFLOW:
        PyErr_SetString(PyExc_OverflowError, pscan_strerror(s));
        return;
    case PSCAN_ENOMEM:
        PyErr_NoMemory();
        return;
    case PSCAN_ECAST:
    case PSCAN_EDTYPE:
        PyErr_SetString(PyExc_TypeError, pscan_strerror(s));
        return;
    default:
        PyErr_SetString(PyExc_ValueError, pscan_strerror(s));
        return;
    }
}

/* threads= and order= into opts; -1 with an exception set if invalid. */
static int parse_extras(const scan_args *args, pscan_opts *opts)
{
    if (args->threads && args->threads != Py_None) {
        long threads = PyLong_AsLong(args->threads);
        if (threads == -1 && PyErr_Occurred())
            return -1;
        if (threads < 0 || threads > INT_MAX) {
            PyErr_Format(PyExc_ValueError, "threads must be None or 0..%d, not %ld", INT_MAX,
                         threads);
            return -1;
        }
        opts->threads = (int)threads;
    }
    if (forked_child)
        opts->threads = 1;
    if (opts->threads == 0) {
        /* The library's count, within the caller's OpenMP limit (what
         * OMP_NUM_THREADS and threadpoolctl set). */
        int limit = omp_get_max_threads();
        int team = pscan_context_threads(pscan_default_context());
        opts->threads = limit < team ? limit : team;
        if (opts->threads < 1)
            opts->threads = 1;
    }
    if (args->order && args->order != Py_None) {
        if (!PyUnicode_Check(args->order)) {
            PyErr_SetString(PyExc_TypeError, "order must be \"reproducible\" or \"sequential\"");
            return -1;
        }
        if (PyUnicode_CompareWithASCIIString(args->order, "reproducible") == 0)
            opts->order = PSCAN_ORDER_REPRODUCIBLE;
        else if (PyUnicode_CompareWithASCIIString(args->order, "sequential") == 0)
            opts->order = PSCAN_ORDER_SEQUENTIAL;
        else {
            PyErr_Format(PyExc_ValueError,
                         "order must be \"reproducible\" or \"sequential\", not %R", args->order);
            return -1;
        }
    }
    opts->flags |= (args->exclusive ? PSCAN_FLAG_EXCLUSIVE : 0u) |
                   (args->reverse ? PSCAN_FLAG_REVERSE : 0u) |
                   (args->check_overflow ? PSCAN_FLAG_CHECK_OVERFLOW : 0u) |
                   (args->compensated ? PSCAN_FLAG_COMPENSATED : 0u);
    return 0;
}

/* numpy's own function with numpy's own arguments (pscan's extras are all
 * off or only tune speed). */
static PyObject *fallback(const scan_kind *kind, const scan_args *args)
{
    PyObject *call_args = PyTuple_Pack(1, args->a);
    PyObject *kwargs = PyDict_New();
    PyObject *result = NULL;
    if (call_args && kwargs && PyDict_SetItemString(kwargs, "axis", args->axis) == 0 &&
        PyDict_SetItemString(kwargs, "dtype", args->dtype) == 0 &&
        PyDict_SetItemString(kwargs, "out", args->out) == 0 &&
        (!kind->cumulative ||
         PyDict_SetItemString(kwargs, "include_initial",
                              args->include_initial ? Py_True : Py_False) == 0))
        result = call_fallback(kind->name, call_args, kwargs);
    Py_XDECREF(call_args);
    Py_XDECREF(kwargs);
    return result;
}

/* Whether numpy may answer after what went wrong here: nothing, or an
 * argument error (numpy raises its own); never an interrupt or a
 * MemoryError, which propagate as they are. */
static int numpy_may_answer(void)
{
    if (!PyErr_Occurred())
        return 1;
    if (!PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_ValueError) &&
        !PyErr_ExceptionMatches(PyExc_OverflowError))
        return 0;
    PyErr_Clear();
    return 1;
}

/* Without a flag set, numpy can answer for pscan: its result where pscan
 * cannot scan, its exception where the arguments are wrong. */
#define FALLBACK_OR(what)                        \
    do {                                         \
        if (can_fall_back && numpy_may_answer()) \
            result = fallback(kind, args);       \
        else if (!PyErr_Occurred())              \
            what;                                \
        goto done;                               \
    } while (0)

/* The input as an array pscan can read: `a` itself, or numpy's array of an
 * array-like. NULL without an exception where numpy must decide. */
static PyArrayObject *input_array(PyObject *a, int can_fall_back)
{
    if (PyArray_CheckExact(a)) {
        Py_INCREF(a);
        return (PyArrayObject *)a;
    }
    if (PyArray_Check(a)) {
        /* A subclass: numpy keeps its type (and its overrides). */
        if (can_fall_back)
            return NULL;
        return (PyArrayObject *)PyArray_View((PyArrayObject *)a, NULL, &PyArray_Type);
    }
    /* numpy's scalars, Python's numbers, lists and tuples are converted;
     * any other object may have its own cumsum, __array_wrap__,
     * __array_ufunc__ or __array_function__, which numpy honours. */
    if (can_fall_back && !PyArray_IsScalar(a, Generic) && !PyLong_Check(a) && !PyFloat_Check(a) &&
        !PyComplex_Check(a) && !PyList_Check(a) && !PyTuple_Check(a))
        return NULL;
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROMANY(a, NPY_NOTYPE, 0, 0, 0);
    return arr;
}

/* A native, aligned copy of `arr` when it is neither (a new reference). */
static PyArrayObject *native_array(PyArrayObject *arr)
{
    if (PyArray_ISNOTSWAPPED(arr) && PyArray_ISALIGNED(arr)) {
        Py_INCREF(arr);
        return arr;
    }
    PyArray_Descr *native = descr_of_dtype(dtype_of_descr(PyArray_DESCR(arr)));
    return (PyArrayObject *)PyArray_FromArray(arr, native,
                                              NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED);
}

static PyObject *run_scan(const scan_kind *kind, const scan_args *args)
{
    pscan_opts opts = PSCAN_OPTS_INIT;
    PyObject *result = NULL;
    PyArrayObject *in = NULL, *native_in = NULL, *target = NULL, *staging = NULL;
    PyArray_Descr *acc_descr = NULL;
    opts.flags = kind->flags | (args->include_initial ? PSCAN_FLAG_INCLUDE_INITIAL : 0u);

    if (parse_extras(args, &opts) < 0)
        return NULL;
    int can_fall_back =
        !(args->exclusive || args->reverse || args->check_overflow || args->compensated);

    in = input_array(args->a, can_fall_back);
    if (!in)
        FALLBACK_OR((void)0);
    pscan_dtype in_dtype = dtype_of_descr(PyArray_DESCR(in));
    if (in_dtype == PSCAN_DTYPE_DEFAULT)
        FALLBACK_OR(PyErr_Format(PyExc_TypeError, "pscan: no %s of dtype %R with its keywords",
                                 kind->name, (PyObject *)PyArray_DESCR(in)));

    /* The accumulator: dtype= if given, else a's dtype promoted with out's
     * (numpy's rule for accumulate), else numpy's default for the op. */
    pscan_dtype acc = PSCAN_DTYPE_DEFAULT;
    if (args->dtype != Py_None) {
        if (!PyArray_DescrConverter2(args->dtype, &acc_descr) || !acc_descr)
            FALLBACK_OR((void)0);
        acc = dtype_of_descr(acc_descr);
        if (acc == PSCAN_DTYPE_DEFAULT)
            FALLBACK_OR(PyErr_Format(PyExc_TypeError, "pscan: no %s in dtype %R", kind->name,
                                     (PyObject *)acc_descr));
        if (kind->accumulate && !PyArray_ISNBO(acc_descr->byteorder))
            FALLBACK_OR(PyErr_Format(PyExc_TypeError,
                                     "%s: dtype= names the accumulator's type, not its byte "
                                     "order: %R",
                                     kind->name, (PyObject *)acc_descr));
    }
    PyArrayObject *out = NULL;
    pscan_dtype out_dtype = PSCAN_DTYPE_DEFAULT;
    if (args->out != Py_None) {
        if (!PyArray_CheckExact(args->out))
            FALLBACK_OR(PyErr_SetString(PyExc_TypeError, "out must be a numpy.ndarray"));
        out = (PyArrayObject *)args->out;
        if (!PyArray_ISWRITEABLE(out))
            FALLBACK_OR(PyErr_SetString(PyExc_ValueError, "output array is read-only"));
        out_dtype = dtype_of_descr(PyArray_DESCR(out));
        if (out_dtype == PSCAN_DTYPE_DEFAULT)
            FALLBACK_OR(PyErr_Format(PyExc_TypeError, "pscan: no %s into dtype %R", kind->name,
                                     (PyObject *)PyArray_DESCR(out)));
        if (acc == PSCAN_DTYPE_DEFAULT) {
            /* numpy promotes a's dtype with out's and runs that loop:
             * int8 into int16 adds in int16, int8 into float16 in float16,
             * but float64 into float32 (or into int64) adds in float64. */
            PyArray_Descr *promoted = PyArray_PromoteTypes(PyArray_DESCR(in), PyArray_DESCR(out));
            if (!promoted)
                FALLBACK_OR((void)0);
            acc = dtype_of_descr(promoted);
            Py_DECREF(promoted);
            if (acc == PSCAN_DTYPE_DEFAULT)
                FALLBACK_OR(PyErr_Format(PyExc_TypeError, "pscan: no %s of dtype %R into %R",
                                         kind->name, (PyObject *)PyArray_DESCR(in),
                                         (PyObject *)PyArray_DESCR(out)));
        }
    }
    if (acc == PSCAN_DTYPE_DEFAULT)
        acc = pscan_default_dtype(kind->op, in_dtype);
    /* Float to integer and complex to real casts: numpy's C casts give what
     * the CPU gives out of range (pscan saturates) and numpy warns of NaN
     * and of dropped imaginary parts; without a flag, numpy does those. */
    if (can_fall_back && (lossy_cast(in_dtype, acc) || lossy_cast(acc, out ? out_dtype : acc)))
        FALLBACK_OR((void)0);

    /* The axis, as numpy reads it (any integer-like); numpy 2's cumulative
     * functions take None only for 0-d and 1-D input. */
    int ndim = PyArray_NDIM(in), axis = PSCAN_AXIS_NONE;
    if (args->axis != Py_None && ndim == 0 && kind->accumulate && !kind->cumulative)
        FALLBACK_OR(PyErr_SetString(PyExc_TypeError, "cannot accumulate on a scalar"));
    if (args->axis != Py_None) {
        if (PyBool_Check(args->axis))
            FALLBACK_OR(PyErr_SetString(PyExc_TypeError, "an integer is required for the axis"));
        Py_ssize_t value = PyNumber_AsSsize_t(args->axis, PyExc_OverflowError);
        if (value == -1 && PyErr_Occurred())
            FALLBACK_OR((void)0);
        int rank = ndim > 0 ? ndim : 1;
        if (value < -rank || value >= rank)
            FALLBACK_OR(raise_status(PSCAN_EAXIS,
                                     value < INT_MIN   ? INT_MIN
                                     : value > INT_MAX ? INT_MAX
                                                       : (int)value,
                                     rank));
        axis = (int)(value < 0 ? value + rank : value);
    } else if (kind->cumulative) {
        if (ndim > 1)
            FALLBACK_OR(PyErr_SetString(PyExc_ValueError,
                                        "For arrays which have more than one dimension "
                                        "``axis`` argument is required."));
        axis = 0;
    }

    native_in = native_array(in);
    if (!native_in)
        goto done;

    /* The result's shape: in's (one longer along axis with include_initial),
     * or its size when flattened. */
    npy_intp dims[NPY_MAXDIMS];
    int out_ndim;
    if (args->include_initial &&
        (axis == PSCAN_AXIS_NONE || ndim == 0 ? PyArray_SIZE(in) : PyArray_DIM(in, axis)) ==
            NPY_MAX_INTP)
        FALLBACK_OR(PyErr_SetString(PyExc_ValueError, "array is too big"));
    if (axis == PSCAN_AXIS_NONE || ndim == 0) {
        out_ndim = 1;
        dims[0] = PyArray_SIZE(in) + (args->include_initial ? 1 : 0);
    } else {
        out_ndim = ndim;
        memcpy(dims, PyArray_DIMS(in), (size_t)ndim * sizeof dims[0]);
        dims[axis] += args->include_initial ? 1 : 0;
    }
    if (!out) {
        target = new_result(out_ndim, dims, acc, opts.threads, PyArray_DATA(native_in));
        if (!target)
            goto done;
    } else if (PyArray_ISNOTSWAPPED(out) && PyArray_ISALIGNED(out)) {
        target = out;
        Py_INCREF(target);
    } else {
        /* Written natively, then copied: out is untouched on error. */
        staging = (PyArrayObject *)PyArray_Empty(PyArray_NDIM(out), PyArray_DIMS(out),
                                                 descr_of_dtype(out_dtype), 0);
        if (!staging)
            goto done;
        target = staging;
        Py_INCREF(target);
    }

    view_dims in_dims, out_dims;
    pscan_array in_view = view_of(native_in, &in_dims);
    pscan_array out_view = view_of(target, &out_dims);
    int scan_axis = ndim == 0 && axis != PSCAN_AXIS_NONE ? PSCAN_AXIS_NONE : axis;
    pscan_status s = pscan_scan_check(kind->op, &in_view, scan_axis, acc, &out_view, &opts);
    if (s != PSCAN_OK)
        FALLBACK_OR(raise_status(s, axis, ndim));
    if (PyArray_SIZE(native_in) >= RELEASE_GIL_ELEMENTS) {
        PyThreadState *gil = PyEval_SaveThread();
        s = pscan_scan(kind->op, &in_view, scan_axis, acc, &out_view, &opts);
        PyEval_RestoreThread(gil);
    } else {
        s = pscan_scan(kind->op, &in_view, scan_axis, acc, &out_view, &opts);
    }
    if (s != PSCAN_OK) {
        raise_status(s, axis, ndim);
        goto done;
    }
    if (staging && PyArray_CopyInto(out, staging) < 0)
        goto done;
    result = out ? (PyObject *)out : (PyObject *)target;
    Py_INCREF(result);

done:
    Py_XDECREF(in);
    Py_XDECREF(native_in);
    Py_XDECREF(target);
    Py_XDECREF(staging);
    Py_XDECREF(acc_descr);
    return result;
}

/* cumsum(a, axis=None, dtype=None, out=None, *, threads=None, order=None,
 *        exclusive=False, reverse=False, check_overflow=False,
 *        compensated=False), and the same for the other numpy-1 names. */
static PyObject *scan_numpy1(const scan_kind *kind, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {
        "a",         "axis",    "dtype",          "out",         "threads", "order",
        "exclusive", "reverse", "check_overflow", "compensated", NULL};
    scan_args parsed = {.axis = Py_None, .dtype = Py_None, .out = Py_None};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOO$OOpppp", keywords, &parsed.a,
                                     &parsed.axis, &parsed.dtype, &parsed.out, &parsed.threads,
                                     &parsed.order, &parsed.exclusive, &parsed.reverse,
                                     &parsed.check_overflow, &parsed.compensated))
        return NULL;
    return run_scan(kind, &parsed);
}

/* cumulative_sum(x, /, *, axis=None, dtype=None, out=None,
 *                include_initial=False, threads=None, ...) */
static PyObject *scan_numpy2(const scan_kind *kind, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"",
                               "axis",
                               "dtype",
                               "out",
                               "include_initial",
                               "threads",
                               "order",
                               "exclusive",
                               "reverse",
                               "check_overflow",
                               "compensated",
                               NULL};
    scan_args parsed = {.axis = Py_None, .dtype = Py_None, .out = Py_None};
    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "O|$OOOpOOpppp", keywords, &parsed.a, &parsed.axis, &parsed.dtype,
            &parsed.out, &parsed.include_initial, &parsed.threads, &parsed.order, &parsed.exclusive,
            &parsed.reverse, &parsed.check_overflow, &parsed.compensated))
        return NULL;
    return run_scan(kind, &parsed);
}

#define NUMPY1_FUNCTION(name)                                                    \
    static PyObject *py_##name(PyObject *self, PyObject *args, PyObject *kwargs) \
    {                                                                            \
        (void)self;                                                              \
        return scan_numpy1(&kind_##name, args, kwargs);                          \
    }
#define NUMPY2_FUNCTION(name)                                                    \
    static PyObject *py_##name(PyObject *self, PyObject *args, PyObject *kwargs) \
    {                                                                            \
        (void)self;                                                              \
        return scan_numpy2(&kind_##name, args, kwargs);                          \
    }
NUMPY1_FUNCTION(cumsum)
NUMPY1_FUNCTION(cumprod)
NUMPY1_FUNCTION(nancumsum)
NUMPY1_FUNCTION(nancumprod)
NUMPY1_FUNCTION(cummax)
NUMPY1_FUNCTION(cummin)
NUMPY2_FUNCTION(cumulative_sum)
NUMPY2_FUNCTION(cumulative_prod)

/* scan_axes(a, axes, op="sum", dtype=None, out=None, *, threads=None,
 *           order=None): a scan along each of `axes`. */
static PyObject *py_scan_axes(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"a", "axes", "op", "dtype", "out", "threads", "order", NULL};
    static const char *op_names[] = {"sum",       "prod",        "max",        "min",
                                     "logaddexp", "bitwise_and", "bitwise_or", "bitwise_xor"};
    scan_args parsed = {.axis = Py_None, .dtype = Py_None, .out = Py_None};
    const char *op_name = "sum";
    PyObject *axes_obj, *result = NULL, *axes_seq = NULL;
    PyArrayObject *in = NULL, *native_in = NULL, *target = NULL;
    PyArray_Descr *acc_descr = NULL;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|sOO$OO", keywords, &parsed.a, &axes_obj,
                                     &op_name, &parsed.dtype, &parsed.out, &parsed.threads,
                                     &parsed.order))
        return NULL;
    pscan_op op = PSCAN_OP_COUNT;
    for (int i = 0; i < (int)(sizeof op_names / sizeof *op_names); i++)
        if (strcmp(op_name, op_names[i]) == 0)
            op = (pscan_op)i;
    if (op == PSCAN_OP_COUNT) {
        PyErr_Format(PyExc_ValueError,
                     "op must be \"sum\", \"prod\", \"max\", \"min\", \"logaddexp\", "
                     "\"bitwise_and\", \"bitwise_or\" or \"bitwise_xor\", not \"%s\"",
                     op_name);
        return NULL;
    }
    pscan_opts opts = PSCAN_OPTS_INIT;
    if (parse_extras(&parsed, &opts) < 0)
        return NULL;

    /* What pscan cannot scan is numpy's accumulate along each axis in turn. */
    int axes[NPY_MAXDIMS];
    Py_ssize_t naxes;
    axes_seq = PySequence_Fast(axes_obj, "axes must be a sequence of integers");
    if (!axes_seq)
        goto done;
    naxes = PySequence_Fast_GET_SIZE(axes_seq);
    if (naxes > NPY_MAXDIMS) {
        PyErr_SetString(PyExc_ValueError, "more axes than dimensions");
        goto done;
    }
    for (Py_ssize_t i = 0; i < naxes; i++) {
        Py_ssize_t v =
            PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(axes_seq, i), PyExc_OverflowError);
        if (v == -1 && PyErr_Occurred())
            goto done;
        axes[i] = v < INT_MIN ? INT_MIN : v > INT_MAX ? INT_MAX : (int)v;
    }
    in = input_array(parsed.a, 0);
    if (!in)
        goto done;
    /* As numpy's accumulate along each axis would say it. */
    if (PyArray_NDIM(in) == 0) {
        PyErr_SetString(PyExc_TypeError, "cannot accumulate on a scalar");
        goto done;
    }
    for (Py_ssize_t i = 0; i < naxes; i++)
        if (axes[i] < -PyArray_NDIM(in) || axes[i] >= PyArray_NDIM(in)) {
            raise_status(PSCAN_EAXIS, axes[i], PyArray_NDIM(in));
            goto done;
        }
    pscan_dtype in_dtype = dtype_of_descr(PyArray_DESCR(in));
    pscan_dtype acc = PSCAN_DTYPE_DEFAULT;
    if (parsed.dtype != Py_None) {
        if (!PyArray_DescrConverter2(parsed.dtype, &acc_descr) || !acc_descr)
            goto done;
        acc = dtype_of_descr(acc_descr);
    }
    PyArrayObject *out = NULL;
    if (parsed.out != Py_None) {
        if (!PyArray_Check(parsed.out)) {
            PyErr_SetString(PyExc_TypeError, "out must be a numpy.ndarray");
            goto done;
        }
        out = (PyArrayObject *)parsed.out;
    }
    int unsupported = in_dtype == PSCAN_DTYPE_DEFAULT ||
                      (parsed.dtype != Py_None && acc == PSCAN_DTYPE_DEFAULT) ||
                      (out && (dtype_of_descr(PyArray_DESCR(out)) == PSCAN_DTYPE_DEFAULT ||
                               !PyArray_ISNOTSWAPPED(out) || !PyArray_ISALIGNED(out) ||
                               !PyArray_ISWRITEABLE(out)));
    if (unsupported) {
        PyObject *call_args =
            Py_BuildValue("(OOsOO)", (PyObject *)in, axes_seq, op_name, parsed.dtype, parsed.out);
        if (call_args)
            result = call_fallback("scan_axes", call_args, NULL);
        Py_XDECREF(call_args);
        goto done;
    }
    native_in = native_array(in);
    if (!native_in)
        goto done;
    if (!out) {
        pscan_dtype result_dtype =
            acc != PSCAN_DTYPE_DEFAULT ? acc : pscan_default_dtype(op, in_dtype);
        target = new_result(PyArray_NDIM(in), PyArray_DIMS(in), result_dtype, opts.threads,
                            PyArray_DATA(native_in));
        if (!target)
            goto done;
    } else {
        target = out;
        Py_INCREF(target);
    }
    view_dims in_dims, out_dims;
    pscan_array in_view = view_of(native_in, &in_dims);
    pscan_array out_view = view_of(target, &out_dims);
    PyThreadState *gil = PyEval_SaveThread();
    pscan_status s = pscan_scan_axes(op, &in_view, (int)naxes, axes, acc, &out_view, &opts);
    PyEval_RestoreThread(gil);
    if (s != PSCAN_OK) {
        if (s == PSCAN_EAXIS)
            PyErr_Format(PyExc_ValueError,
                         "axes must be 1..%d distinct axes of an array of dimension %d",
                         PyArray_NDIM(in), PyArray_NDIM(in));
        else
            raise_status(s, 0, PyArray_NDIM(in));
        goto done;
    }
    result = (PyObject *)target;
    Py_INCREF(result);

done:
    Py_XDECREF(axes_seq);
    Py_XDECREF(in);
    Py_XDECREF(native_in);
    Py_XDECREF(target);
    Py_XDECREF(acc_descr);
    return result;
}

/* info(): what pscan runs with here, as `pscan topo` says it. */
static PyObject *py_info(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    pscan_context *ctx = pscan_default_context();
    pscan_topology_info topo = PSCAN_TOPOLOGY_INFO_INIT;
    char text[8192];
    if (!ctx) {
        PyErr_SetString(PyExc_RuntimeError, "pscan: the default context could not be made");
        return NULL;
    }
    pscan_status s = pscan_context_info(ctx, &topo);
    if (s != PSCAN_OK) {
        raise_status(s, 0, 0);
        return NULL;
    }
    pscan_context_describe(ctx, 1 << 26, 0, text, sizeof text); /* cut text is still useful */
    int limit = omp_get_max_threads(), team = pscan_context_threads(ctx);
    result_cache_stats cache = result_cache_get_stats();
    return Py_BuildValue(
        "{s:s,s:s,s:i,s:i,s:s,s:{s:i,s:i,s:i,s:i,s:L,s:L,s:L},s:s,s:{s:K,s:K,s:K,s:K,s:K}}",
        "version", pscan_version(), "isa", pscan_isa_name(), "threads", limit < team ? limit : team,
        "context_threads", team, "placement", pscan_placement_name(pscan_context_placement(ctx)),
        "topology", "packages", topo.packages, "numa_nodes", topo.numa_nodes, "cores", topo.cores,
        "pus", topo.pus, "l1d_bytes", (long long)topo.l1d_bytes, "l2_bytes",
        (long long)topo.l2_bytes, "l3_bytes", (long long)topo.l3_bytes, "description", text,
        "result_cache", "max_bytes", (unsigned long long)cache.max_bytes, "bytes",
        (unsigned long long)cache.bytes, "blocks", (unsigned long long)cache.blocks, "hits",
        cache.hits, "misses", cache.misses);
}

/* set_result_cache(max_bytes): the new cap, the previous one returned. */
static PyObject *py_set_result_cache(PyObject *self, PyObject *arg)
{
    (void)self;
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "max_bytes must be an int, not %.200s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    PyObject *zero = PyLong_FromLong(0);
    int negative = zero ? PyObject_RichCompareBool(arg, zero, Py_LT) : -1;
    Py_XDECREF(zero);
    if (negative < 0)
        return NULL;
    if (negative) {
        PyErr_SetString(PyExc_ValueError, "max_bytes must be 0 or more");
        return NULL;
    }
    size_t max_bytes = PyLong_AsSize_t(arg);
    if (max_bytes == (size_t)-1 && PyErr_Occurred())
        return NULL;
    return PyLong_FromSize_t(result_cache_set_max(max_bytes));
}

static PyObject *py_clear_result_cache(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromSize_t(result_cache_clear());
}

#include "_pscan_docs.h"

static PyMethodDef methods[] = {
    {"cumsum", (PyCFunction)(void (*)(void))py_cumsum, METH_VARARGS | METH_KEYWORDS, doc_cumsum},
    {"cumprod", (PyCFunction)(void (*)(void))py_cumprod, METH_VARARGS | METH_KEYWORDS, doc_cumprod},
    {"nancumsum", (PyCFunction)(void (*)(void))py_nancumsum, METH_VARARGS | METH_KEYWORDS,
     doc_nancumsum},
    {"nancumprod", (PyCFunction)(void (*)(void))py_nancumprod, METH_VARARGS | METH_KEYWORDS,
     doc_nancumprod},
    {"cumulative_sum", (PyCFunction)(void (*)(void))py_cumulative_sum, METH_VARARGS | METH_KEYWORDS,
     doc_cumulative_sum},
    {"cumulative_prod", (PyCFunction)(void (*)(void))py_cumulative_prod,
     METH_VARARGS | METH_KEYWORDS, doc_cumulative_prod},
    {"cummax", (PyCFunction)(void (*)(void))py_cummax, METH_VARARGS | METH_KEYWORDS, doc_cummax},
    {"cummin", (PyCFunction)(void (*)(void))py_cummin, METH_VARARGS | METH_KEYWORDS, doc_cummin},
    {"scan_axes", (PyCFunction)(void (*)(void))py_scan_axes, METH_VARARGS | METH_KEYWORDS,
     doc_scan_axes},
    {"info", py_info, METH_NOARGS, doc_info},
    {"set_result_cache", py_set_result_cache, METH_O, doc_set_result_cache},
    {"clear_result_cache", py_clear_result_cache, METH_NOARGS, doc_clear_result_cache},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_pscan",
    "The C half of pscan: see the package's docstring.",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__pscan(void);
PyMODINIT_FUNC PyInit__pscan(void)
{
    import_array();
    /* As the library reads its PSCAN_* variables: set but empty is unset, a
     * value it does not know is an error. */
    size_t cache_max = result_cache_default_max();
    const char *cache_env = getenv("PSCAN_RESULT_CACHE_BYTES");
    if (cache_env && *cache_env && result_cache_parse_bytes(cache_env, &cache_max) != 0) {
        PyErr_Format(PyExc_ValueError,
                     "PSCAN_RESULT_CACHE_BYTES=%s: not a byte count (digits, optionally "
                     "followed by k, m, g or t)",
                     cache_env);
        return NULL;
    }
    if (result_cache_start(cache_max) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "pscan: pthread_atfork failed");
        return NULL;
    }
    /* After finalization no array is freed any more: the held blocks are
     * unmapped then (if the table of exit functions is full, by the exit). */
    static int stop_registered;
    if (!stop_registered)
        stop_registered = Py_AtExit(result_cache_stop) == 0;
    if (pthread_atfork(NULL, NULL, note_fork_in_child) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "pscan: pthread_atfork failed");
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    if (PyModule_AddStringConstant(m, "__version__", pscan_version()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
