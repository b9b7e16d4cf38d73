/*
 * _pscan_docs.h - the docstrings of pscan's Python functions, written as
 * numpy's read (help(pscan.cumsum) reads like help(numpy.cumsum)). The first
 * lines are the signature CPython shows and inspect.signature() reads.
 */
#ifndef PSCAN_PYTHON_DOCS_H
#define PSCAN_PYTHON_DOCS_H

#define DOC_EXTRAS_SIGNATURE                                     \
    "threads=None, order=None, exclusive=False, reverse=False, " \
    "check_overflow=False, compensated=False"

#define DOC_EXTRAS                                                              \
    "threads : int, optional\n"                                                 \
    "    Most threads the scan may use. None or 0: pscan's count (the\n"        \
    "    usable cores, or OMP_NUM_THREADS), within the caller's OpenMP\n"       \
    "    limit (threadpoolctl). Results do not depend on it.\n"                 \
    "order : {'reproducible', 'sequential'}, optional\n"                        \
    "    Float sums and products. 'reproducible' (the default) adds in\n"       \
    "    fixed 4096-element tiles: the same bits for any thread count and\n"    \
    "    CPU, and numpy's own bits for lanes of up to 4096 elements.\n"         \
    "    'sequential' adds left to right: numpy's bits for any length.\n"       \
    "exclusive : bool, optional\n"                                              \
    "    Start each lane at the identity: out[i] scans a[..i-1].\n"             \
    "reverse : bool, optional\n"                                                \
    "    Suffix scans: out[i] scans a[i..n-1].\n"                               \
    "check_overflow : bool, optional\n"                                         \
    "    Integer sums and products raise OverflowError where a result\n"        \
    "    overflows the accumulator; out is then left untouched.\n"              \
    "compensated : bool, optional\n"                                            \
    "    Float sums in double-double, each result rounded once.\n"              \
    "\n"                                                                        \
    "The flags (exclusive, reverse, check_overflow, compensated) need a\n"      \
    "dtype pscan scans (bool, integers, float16/32/64, complex64/128); every\n" \
    "other call numpy can answer is numpy's answer.\n"

#define DOC_NUMPY1(name, what, numpy_name, dtype_default)                                          \
    name "($module, a, axis=None, dtype=None, out=None, *, " DOC_EXTRAS_SIGNATURE ")\n--\n\n" what \
         "\n\n"                                                                                    \
         "Same arguments, result, dtypes and exceptions as " numpy_name ", on\n"                   \
         "several threads.\n\n"                                                                    \
         "Parameters\n----------\n"                                                                \
         "a : array_like\n    Input array.\n"                                                      \
         "axis : int, optional\n"                                                                  \
         "    Axis along which to scan. None (the default) scans the flattened\n"                  \
         "    array.\n"                                                                            \
         "dtype : dtype, optional\n"                                                               \
         "    Type of the accumulator and of the returned array. By default\n" dtype_default       \
         "out : ndarray, optional\n"                                                               \
         "    Where to put the result: the expected shape, any dtype (cast on\n"                   \
         "    store). It is returned.\n" DOC_EXTRAS "\n"                                           \
         "Returns\n-------\n"                                                                      \
         "ndarray\n"                                                                               \
         "    A new array of the result, or out. It has a's shape, or is 1-D\n"                    \
         "    when axis is None.\n"

#define DOC_SUM_DTYPE                                                        \
    "    a's dtype promoted with out's when out is given (as numpy does),\n" \
    "    else a's dtype, except that bool and integers narrower than the\n"  \
    "    platform integer accumulate in it.\n"
#define DOC_EXTREME_DTYPE                                                    \
    "    a's dtype promoted with out's when out is given (as numpy does),\n" \
    "    else a's dtype (bool and narrow integers too).\n"

#define DOC_NUMPY2(name, what, numpy_name)                                                    \
    name "($module, x, /, *, axis=None, dtype=None, out=None, "                               \
         "include_initial=False, " DOC_EXTRAS_SIGNATURE ")\n--\n\n" what "\n\n"               \
         "numpy 2's " numpy_name ", on several threads.\n\n"                                  \
         "Parameters\n----------\n"                                                           \
         "x : array_like\n    Input array.\n"                                                 \
         "axis : int, optional\n"                                                             \
         "    Axis along which to scan; may be None only for 0-d and 1-D input.\n"            \
         "dtype : dtype, optional\n"                                                          \
         "    Type of the accumulator and of the result, as for numpy.cumsum.\n"              \
         "out : ndarray, optional\n"                                                          \
         "    Where to put the result; it is returned.\n"                                     \
         "include_initial : bool, optional\n"                                                 \
         "    Put the identity first: the result is one longer along axis.\n" DOC_EXTRAS "\n" \
         "Returns\n-------\n"                                                                 \
         "ndarray\n    The result, or out.\n"

static const char doc_cumsum[] =
    DOC_NUMPY1("cumsum", "Return the cumulative sum of the elements along a given axis.",
               "numpy.cumsum", DOC_SUM_DTYPE) "\nExamples\n--------\n"
                                              ">>> a = np.array([[1, 2, 3], [4, 5, 6]])\n"
                                              ">>> pscan.cumsum(a)\n"
                                              "array([ 1,  3,  6, 10, 15, 21])\n"
                                              ">>> pscan.cumsum(a, axis=0)\n"
                                              "array([[1, 2, 3],\n"
                                              "       [5, 7, 9]])\n";
static const char doc_cumprod[] =
    DOC_NUMPY1("cumprod", "Return the cumulative product of elements along a given axis.",
               "numpy.cumprod", DOC_SUM_DTYPE);
static const char doc_nancumsum[] =
    DOC_NUMPY1("nancumsum",
               "Return the cumulative sum of array elements over a given axis treating Not a\n"
               "Numbers (NaNs) as zero.",
               "numpy.nancumsum", DOC_SUM_DTYPE);
static const char doc_nancumprod[] =
    DOC_NUMPY1("nancumprod",
               "Return the cumulative product of array elements over a given axis treating\n"
               "Not a Numbers (NaNs) as one.",
               "numpy.nancumprod", DOC_SUM_DTYPE);
static const char doc_cummax[] =
    DOC_NUMPY1("cummax",
               "Return the running maximum along a given axis (numpy.maximum.accumulate,\n"
               "with axis=None flattening as cumsum does). NaN propagates.",
               "numpy.maximum.accumulate", DOC_EXTREME_DTYPE);
static const char doc_cummin[] =
    DOC_NUMPY1("cummin",
               "Return the running minimum along a given axis (numpy.minimum.accumulate,\n"
               "with axis=None flattening as cumsum does). NaN propagates.",
               "numpy.minimum.accumulate", DOC_EXTREME_DTYPE);
static const char doc_cumulative_sum[] =
    DOC_NUMPY2("cumulative_sum", "Return the cumulative sum of the elements along a given axis.",
               "numpy.cumulative_sum");
static const char doc_cumulative_prod[] = DOC_NUMPY2(
    "cumulative_prod", "Return the cumulative product of the elements along a given axis.",
    "numpy.cumulative_prod");
static const char doc_scan_axes[] =
    "scan_axes($module, a, axes, op='sum', dtype=None, out=None, *, threads=None, "
    "order=None)\n--\n\n"
    "Scan along several axes: op='sum' over axes (0, 1) of an image is its\n"
    "summed-area table.\n\n"
    "The result is that of scanning along each axis in turn, from the last\n"
    "axis to the first, as numpy's add.accumulate (multiply, maximum, minimum)\n"
    "would, each accumulating in dtype.\n\n"
    "Parameters\n----------\n"
    "a : array_like\n    Input array.\n"
    "axes : sequence of int\n    Distinct axes, any order.\n"
    "op : {'sum', 'prod', 'max', 'min'}, optional\n"
    "dtype : dtype, optional\n"
    "    Accumulator and result type; numpy's default for op by default.\n"
    "out : ndarray, optional\n    a's shape; returned.\n"
    "threads, order\n    As for cumsum.\n\n"
    "Returns\n-------\nndarray\n";
static const char doc_info[] =
    "info($module, /)\n--\n\n"
    "What pscan runs with in this process: a dict with its version, the\n"
    "kernels' instruction set (isa), the threads a call uses now (within the\n"
    "caller's OpenMP limit), the library's own count (context_threads), the\n"
    "thread placement, the topology (packages, NUMA nodes, cores, PUs, caches)\n"
    "and the description `pscan topo` prints; result_cache: the cap of the\n"
    "memory kept from freed results (max_bytes), the bytes and blocks held,\n"
    "and the new results that took a held block (hits) or fresh pages\n"
    "(misses).\n";
static const char doc_set_result_cache[] =
    "set_result_cache($module, max_bytes, /)\n--\n\n"
    "Set the cap of the result cache and return the previous one.\n\n"
    "New results of 4 MiB or more live in memory that pscan faults in; when\n"
    "the last array over one is freed, its block is kept (its pages stay\n"
    "faulted in) for the next result of the same size or up to about an\n"
    "eighth smaller, as long as the blocks kept add up to at most max_bytes.\n"
    "A lower cap unmaps the oldest blocks at once; 0 turns the cache off and\n"
    "unmaps them all. The default is PSCAN_RESULT_CACHE_BYTES at import, else 1 GiB\n"
    "or an eighth of physical memory, whichever is smaller.\n";
static const char doc_clear_result_cache[] =
    "clear_result_cache($module, /)\n--\n\n"
    "Unmap every block the result cache holds (the cap stays) and return\n"
    "the bytes released.\n";

#endif
