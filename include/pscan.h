/*
 * pscan.h - numpy-style cumulative scans over N-d strided arrays.
 *
 * The whole public API. Every entry point returns a pscan_status; PSCAN_OK is
 * 0. On any error nothing has been written to `out`: all checks run before
 * the first store. The library never prints, never aborts, and never keeps a
 * pointer to a caller's array after a call returns.
 *
 * Semantics follow numpy.cumsum / numpy.ufunc.accumulate (numpy 1.24 and
 * 2.x agree): see README.md for the table.
 */
#ifndef PSCAN_H
#define PSCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(PSCAN_SHARED_BUILD)
#define PSCAN_API __declspec(dllexport)
#elif defined(__GNUC__)
#define PSCAN_API __attribute__((visibility("default")))
#else
#define PSCAN_API
#endif

#define PSCAN_VERSION_MAJOR 0
#define PSCAN_VERSION_MINOR 1
#define PSCAN_VERSION_PATCH 0
#define PSCAN_VERSION_STRING "0.1.0"

/** Largest supported number of dimensions (numpy's limit as of 2.x). */
#define PSCAN_MAX_DIMS 64

/** `axis` value that scans the array flattened in C (row-major) order. */
#define PSCAN_AXIS_NONE (-2147483647 - 1)

/** Element types. PSCAN_DTYPE_DEFAULT is valid only as the `dtype` argument
 *  of a scan ("choose the accumulator as numpy does"); it is 0 so that a
 *  zero-initialised argument means "default". */
typedef enum pscan_dtype {
    PSCAN_DTYPE_DEFAULT = 0,
    PSCAN_BOOL = 1,
    PSCAN_INT8 = 2,
    PSCAN_INT16 = 3,
    PSCAN_INT32 = 4,
    PSCAN_INT64 = 5,
    PSCAN_UINT8 = 6,
    PSCAN_UINT16 = 7,
    PSCAN_UINT32 = 8,
    PSCAN_UINT64 = 9,
    PSCAN_FLOAT16 = 10, /* IEEE binary16, stored as uint16_t bits */
    PSCAN_FLOAT32 = 11,
    PSCAN_FLOAT64 = 12,
    PSCAN_COMPLEX64 = 13,  /* two float32: real, imaginary */
    PSCAN_COMPLEX128 = 14, /* two float64: real, imaginary */
    PSCAN_DTYPE_COUNT = 15 /* not a dtype: one past the last */
} pscan_dtype;

/** Status codes. Every one has a sentence in pscan_strerror(). */
typedef enum pscan_status {
    PSCAN_OK = 0,
    PSCAN_ENULL = 1,        /* a required pointer argument is NULL */
    PSCAN_ENDIM = 2,        /* ndim outside 0..PSCAN_MAX_DIMS */
    PSCAN_ESHAPE = 3,       /* a dimension is negative */
    PSCAN_EAXIS = 4,        /* axis out of range for the input's ndim */
    PSCAN_EOUTSHAPE = 5,    /* out's ndim or shape does not match the result */
    PSCAN_EDTYPE = 6,       /* not a valid element type (or DEFAULT in an array), or one
                               the op does not accumulate in (LOGADDEXP: floats only;
                               BIT_*: bool and integers only) */
    PSCAN_ECAST = 7,        /* the dtype combination is not allowed by opts.casting */
    PSCAN_ESIZE = 8,        /* element count, byte extent or address overflows */
    PSCAN_EOUTALIAS = 9,    /* out's own elements share memory (e.g. stride 0) */
    PSCAN_EOP = 10,         /* not a valid pscan_op */
    PSCAN_EOPTS = 11,       /* invalid option value (order, casting, threads) */
    PSCAN_ENOTSUP = 12,     /* valid request this build does not implement yet */
    PSCAN_ENOMEM = 13,      /* a scratch allocation failed */
    PSCAN_EOVERFLOW = 14,   /* overflow-check flag: an integer result overflowed */
    PSCAN_ETOPOLOGY = 15,   /* the hardware topology could not be loaded */
    PSCAN_EENV = 16,        /* a PSCAN_* environment variable has an unknown value */
    PSCAN_ESEGMENTS = 17,   /* the segment description of a segmented scan is invalid */
    PSCAN_STATUS_COUNT = 18 /* not a status: one past the last */
} pscan_status;

/** Binary operations a scan can accumulate with. */
typedef enum pscan_op {
    PSCAN_SUM = 0,  /* numpy.cumsum / add.accumulate */
    PSCAN_PROD = 1, /* numpy.cumprod / multiply.accumulate */
    PSCAN_MAX = 2,  /* numpy.maximum.accumulate */
    PSCAN_MIN = 3,  /* numpy.minimum.accumulate */
    /* Float accumulators only (float16/32/64; complex is PSCAN_EDTYPE). */
    PSCAN_LOGADDEXP = 4, /* numpy.logaddexp.accumulate (logcumsumexp) */
    /* Bool and integer accumulators only (floats are PSCAN_EDTYPE). */
    PSCAN_BIT_AND = 5, /* numpy.bitwise_and.accumulate */
    PSCAN_BIT_OR = 6,  /* numpy.bitwise_or.accumulate */
    PSCAN_BIT_XOR = 7, /* numpy.bitwise_xor.accumulate */
    PSCAN_ARGMAX = 8,  /* running index of the first maximum: out gets int64 indexes */
    PSCAN_ARGMIN = 9,  /* running index of the first minimum */
    PSCAN_OP_COUNT = 10
} pscan_op;

/** Float ordering modes; REPRODUCIBLE is the default. */
typedef enum pscan_order {
    /* Fixed tiles whose size depends on nothing about the machine: a float
     * result is bit-identical for any thread count and any vector ISA. */
    PSCAN_ORDER_REPRODUCIBLE = 0,
    /* Left to right along each lane: bit-identical to numpy. */
    PSCAN_ORDER_SEQUENTIAL = 1
} pscan_order;

/** Casting rule applied to input -> accumulator and accumulator -> out, as
 *  numpy's `casting=` keyword. numpy's accumulate uses "unsafe". */
typedef enum pscan_casting {
    PSCAN_CASTING_UNSAFE = 0,    /* any conversion, as numpy.cumsum does */
    PSCAN_CASTING_SAME_KIND = 1, /* bool < int/uint < float < complex, no downgrade of kind */
    PSCAN_CASTING_SAFE = 2       /* only conversions that preserve every value */
} pscan_casting;

/** Flags for pscan_opts.flags (bitwise or); README "Semantics" says what
 *  each does. EXCLUSIVE with INCLUDE_INITIAL is PSCAN_EOPTS; SKIP_NAN with
 *  COMPENSATED is a compensated nancumsum (NaN counts as 0). */
enum {
    PSCAN_FLAG_EXCLUSIVE = 1u << 0,       /* out[0] = identity, out[i] = scan of in[0..i-1] */
    PSCAN_FLAG_INCLUDE_INITIAL = 1u << 1, /* out one longer along axis, starts at identity */
    PSCAN_FLAG_REVERSE = 1u << 2,         /* suffix scans: out[i] = scan of in[i..n-1] */
    PSCAN_FLAG_SKIP_NAN = 1u << 3,        /* nancumsum / nancumprod: NaN counts as absent */
    PSCAN_FLAG_CHECK_OVERFLOW = 1u << 4,  /* integer overflow -> PSCAN_EOVERFLOW, out untouched */
    PSCAN_FLAG_COMPENSATED = 1u << 5      /* float sums in double-double, rounded once */
};

/** Opaque context: what is costly to find out once (topology, placement,
 *  tile plan, scratch). */
typedef struct pscan_context pscan_context;

/** Options. Always start from PSCAN_OPTS_INIT: it sets `size`, and new
 *  fields get their defaults. `size` is how the struct grows without
 *  breaking callers: a later release appends fields, and reads only the
 *  ones a caller's `size` covers (the rest keep their defaults). A `size`
 *  smaller than this release's first layout is PSCAN_EOPTS; a larger one
 *  (a newer header) is accepted when the fields this release does not know
 *  are all zero, i.e. left at their defaults, and PSCAN_EOPTS otherwise. */
typedef struct pscan_opts {
    size_t size;           /* sizeof(pscan_opts), set by PSCAN_OPTS_INIT */
    int threads;           /* 0 = all the context allows; >0 = at most this many (any
                              int: a call starts no more than its work can use,
                              one per 65536 elements) */
    pscan_order order;     /* float ordering mode */
    pscan_casting casting; /* conversion rule */
    unsigned flags;        /* PSCAN_FLAG_* */
    pscan_context *ctx;    /* NULL = the process-wide default context */
} pscan_opts;

#define PSCAN_OPTS_INIT                                                                 \
    {                                                                                   \
        sizeof(pscan_opts), 0, PSCAN_ORDER_REPRODUCIBLE, PSCAN_CASTING_UNSAFE, 0u, NULL \
    }

/** Array descriptor: a view; the library never owns or frees it. */
typedef struct pscan_array {
    void *data; /* address of element [0,0,...,0] */
    pscan_dtype dtype;
    int ndim;               /* 0 .. PSCAN_MAX_DIMS */
    const int64_t *shape;   /* ndim entries, each >= 0 */
    const int64_t *strides; /* ndim entries in BYTES, may be negative or 0;
                               NULL means C-contiguous */
} pscan_array;

/**
 * Cumulative sum, numpy.cumsum(in, axis, dtype, out).
 *
 * @param in    the input array (read only, unless it aliases out).
 * @param axis  PSCAN_AXIS_NONE: scan in C order into a 1-D `out` of
 *              size(in) elements; otherwise -ndim <= axis < ndim and `out`
 *              has in's shape. A 0-d input is a 1-element 1-D array.
 * @param dtype accumulator type, or PSCAN_DTYPE_DEFAULT for numpy's rule
 *              (bool and signed ints narrower than 64 bits -> int64,
 *              unsigned narrower -> uint64, everything else unchanged).
 * @param out   the result; any dtype (values are converted on store), any
 *              strides whose elements do not share memory. It may be `in`
 *              itself (in-place) or overlap it in any other way: the result
 *              is always the one computed from an untouched copy of `in`.
 * @param opts  NULL for defaults, or options started from PSCAN_OPTS_INIT.
 * @return PSCAN_OK, or an error status with `out` untouched.
 */
PSCAN_API pscan_status pscan_cumsum(const pscan_array *in, int axis, pscan_dtype dtype,
                                    const pscan_array *out, const pscan_opts *opts);

/** The same for any op: SUM (cumsum), PROD (cumprod), MAX and MIN
 *  (maximum/minimum.accumulate), LOGADDEXP (logaddexp.accumulate), BIT_AND,
 *  BIT_OR and BIT_XOR (bitwise_and/or/xor.accumulate). An accumulator the
 *  op has no loop for (LOGADDEXP over a non-float, a bitwise op over a
 *  float or complex) is PSCAN_EDTYPE. */
PSCAN_API pscan_status pscan_scan(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                  const pscan_array *out, const pscan_opts *opts);

/** Every check pscan_scan(op, in, axis, dtype, out, opts) makes before it
 *  reads or writes an element, and nothing else: the status that call
 *  would return unless the scan itself fails (PSCAN_ENOMEM, or
 *  PSCAN_EOVERFLOW under the overflow check). Reads no element of either
 *  array. For callers that must agree on a call before any of them starts
 *  it (the distributed scan checks every rank's arrays this way). */
PSCAN_API pscan_status pscan_scan_check(pscan_op op, const pscan_array *in, int axis,
                                        pscan_dtype dtype, const pscan_array *out,
                                        const pscan_opts *opts);

/**
 * Scan over several axes at once: SUM over axes (0, 1) of an image is its
 * summed-area table. The result is that of scanning along each axis in
 * turn, from the last axis to the first (bit for bit; the order matters
 * only to float sums and products), each scan accumulating in `dtype`
 * (or numpy's default for `op` and in's dtype). README "Multi-axis scans"
 * says how the work is scheduled and what it costs.
 *
 * opts.flags: the result is that chain of pscan_scan calls, each given
 * these opts (the same flags), each accumulating in `dtype`, only the
 * last storing in out's dtype. So SKIP_NAN and COMPENSATED act in every
 * scan as one call does, the results rounded to the accumulator between
 * axes; EXCLUSIVE and REVERSE apply along every axis; INCLUDE_INITIAL
 * makes `out` one longer than `in` along every scanned axis, each axis's
 * identity slice first (last under REVERSE), e.g. out[0, :] and out[:, 0]
 * over axes (0, 1); EXCLUSIVE with INCLUDE_INITIAL is PSCAN_EOPTS.
 * CHECK_OVERFLOW: PSCAN_EOVERFLOW when any scan of the chain overflows,
 * `out` untouched; all scans but the last then run in an n-sized
 * accumulator-typed scratch (n = out's elements), as they do whenever
 * out's dtype is not the accumulator's. A flagged call always runs the
 * chain, one whole-array scan per axis (not the one-pass or slab
 * schedules). In place (in == out) works under every flag that keeps
 * in's shape.
 * @param axes  naxes distinct axes, -ndim <= axis < ndim, any order.
 * @return as pscan_scan; PSCAN_EAXIS for a repeated or out-of-range axis or
 *         naxes outside 1..ndim; PSCAN_EOUTSHAPE for an out that is not
 *         in's shape (one longer along every scanned axis under
 *         INCLUDE_INITIAL), checked before anything is written.
 */
PSCAN_API pscan_status pscan_scan_axes(pscan_op op, const pscan_array *in, int naxes,
                                       const int *axes, pscan_dtype dtype, const pscan_array *out,
                                       const pscan_opts *opts);

/**
 * Box sums from a summed-area table (SUM over axes (0, 1) of an image, as
 * pscan_scan_axes makes it): sums[k] is the sum of the image over rows
 * [r0, r1) and columns [c0, c1), boxes[k] = (r0, c0, r1, c1), computed as
 * (P[r1, c1] - P[r0, c1]) - (P[r1, c0] - P[r0, c0]) in the table's dtype
 * (integers wrap, so a sum that fits the dtype is exact; float16 rounds
 * after each step as numpy's does; complex part by part), P[r, c] the sum
 * of the image's first r rows and c columns. An empty box (r0 == r1 or
 * c0 == c1) sums to 0. A float table's entries carry rounding of their
 * whole prefix: README "Summed-area tables and box sums" says when to
 * build it with PSCAN_FLAG_COMPENSATED. Boxes come many to a call (a
 * detector's windows, a filter's tiles): the arguments are checked once,
 * and a single box is n = 1.
 *
 * @param table  2-D, any strides, any dtype but bool. opts.flags give its
 *               layout: with PSCAN_FLAG_INCLUDE_INITIAL OpenCV's
 *               (rows + 1) x (cols + 1) table, P = table; without, the
 *               inclusive rows x cols one, P[r, c] = table[r - 1, c - 1]
 *               and 0 along row 0 and column 0.
 * @param boxes  int64, shape (n, 4), any strides: n boxes, half-open,
 *               0 <= r0 <= r1 <= rows and 0 <= c0 <= c1 <= cols.
 * @param sums   1-D of n elements of the table's dtype, any strides whose
 *               elements do not share memory; it may not share memory
 *               with table or boxes.
 * @param opts   the opts the table was made with: flags as above
 *               (COMPENSATED, SKIP_NAN and CHECK_OVERFLOW change nothing
 *               here; EXCLUSIVE tables lack P[rows, cols] and REVERSE
 *               ones hold suffix sums: both PSCAN_EOPTS), threads and ctx
 *               as for a scan (many boxes are split across threads; the
 *               results never depend on it). Allocates nothing.
 * @return PSCAN_OK, or with sums untouched: PSCAN_EOPTS, PSCAN_ENULL,
 *         PSCAN_EDTYPE (table bool or invalid, boxes not int64, sums not
 *         the table's dtype), PSCAN_ENDIM (table or boxes not 2-D),
 *         PSCAN_ESHAPE (a negative dimension, an include-initial table
 *         without its zero row or column, boxes not n x 4, a box not
 *         inside the image or with r1 < r0 or c1 < c0), PSCAN_EOUTSHAPE
 *         (sums not 1-D of n), PSCAN_ESIZE (an extent that overflows),
 *         PSCAN_EOUTALIAS (sums' elements share memory, or sums shares
 *         memory with table or boxes), or a context's status.
 */
PSCAN_API pscan_status pscan_box_sums(const pscan_array *table, const pscan_array *boxes,
                                      const pscan_array *sums, const pscan_opts *opts);

/* ---- User-defined operators ----
 *
 * Any associative operation a C program brings, on the same engine as the
 * built-in ones: many lanes split across threads, long lanes cut into the
 * same fixed 4096-element tiles as REPRODUCIBLE float sums (tile totals
 * chained left to right, each tile's outputs its incoming total combined
 * left to right with its elements), so the result never depends on the
 * thread count. With a function that is not associative the result
 * depends on the tiles (they are fixed by the lane's length alone), never
 * on the threads; under PSCAN_ORDER_SEQUENTIAL every lane is one left to
 * right chain (lanes run in parallel, a lane on one thread). */

/** An operation on elements of `elem_size` bytes. The callbacks may run on
 *  several threads at once (with the same ctx), so they must not write
 *  shared state unguarded. acc, x and out point into pscan's buffers,
 *  aligned to the largest power of two dividing elem_size (up to 64), never
 *  into the caller's arrays. */
typedef struct pscan_user_op {
    size_t size;          /* sizeof(pscan_user_op), set by PSCAN_USER_OP_INIT */
    size_t elem_size;     /* bytes per element, > 0 */
    const void *identity; /* one element: what EXCLUSIVE and INCLUDE_INITIAL put first */
    /* *acc = *acc op *x. Required (it must not keep the pointers). */
    void (*combine)(void *acc, const void *x, void *ctx);
    /* Optional, the same for a run, so a call costs per block, not per
     * element: for i < n, *acc = *acc op x[i], then out[i] = *acc when out
     * is not NULL (out may be x itself). NULL: pscan loops over combine. */
    void (*combine_run)(void *acc, const void *x, void *out, size_t n, void *ctx);
    void *ctx; /* handed to the callbacks */
} pscan_user_op;

#define PSCAN_USER_OP_INIT                               \
    {                                                    \
        sizeof(pscan_user_op), 0, NULL, NULL, NULL, NULL \
    }

/**
 * The inclusive scan of `in` along `axis` under op: out[0] = in[0],
 * out[i] = out[i-1] op in[i] (grouped by tiles as above). in and out are
 * arrays of op->elem_size-byte elements; their `dtype` field is not read.
 * axis, shapes, strides and in-place or overlapping out as for pscan_scan.
 * opts: threads, order, ctx, and the flags EXCLUSIVE, INCLUDE_INITIAL (the
 * identity first) and REVERSE; SKIP_NAN, CHECK_OVERFLOW and COMPENSATED
 * are PSCAN_EOPTS (they have no meaning for opaque elements).
 * @return PSCAN_OK; PSCAN_ENULL (op, in, out, a callback or identity
 *         missing); PSCAN_EOP (elem_size 0, or op->size smaller than this
 *         release's struct or larger with unknown fields set); the statuses
 *         of pscan_scan for the arrays; PSCAN_ENOMEM. `out` is untouched
 *         on every error.
 */
PSCAN_API pscan_status pscan_scan_user(const pscan_user_op *op, const pscan_array *in, int axis,
                                       const pscan_array *out, const pscan_opts *opts);

/** A sentence describing `s`; never NULL (unknown values get a generic one). */
PSCAN_API const char *pscan_strerror(pscan_status s);

/** Name of a dtype as numpy spells it ("int64", "complex128", ...), or
 *  "default" / "invalid"; never NULL. */
PSCAN_API const char *pscan_dtype_name(pscan_dtype t);

/** Bytes per element of `t`, or 0 for DEFAULT and invalid values. */
PSCAN_API size_t pscan_dtype_size(pscan_dtype t);

/** The accumulator numpy picks for `op` over `in_dtype` when no dtype is
 *  given; PSCAN_DTYPE_DEFAULT if in_dtype or op is invalid, or op has no
 *  loop for in_dtype (LOGADDEXP over complex, bitwise ops over floats). */
PSCAN_API pscan_dtype pscan_default_dtype(pscan_op op, pscan_dtype in_dtype);

/** The value `op` starts from in `dtype` (one element, pscan_dtype_size
 *  bytes, written to `value`): what exclusive and include-initial scans put
 *  first. SUM 0, PROD 1; MAX the lowest value (-inf for floats, (-inf,
 *  -inf) for complex, false for bool), MIN the highest. numpy's maximum
 *  and minimum have no identity; these are the values no element can
 *  lose to. LOGADDEXP -inf; BIT_AND all ones (-1, the highest unsigned,
 *  true), BIT_OR and BIT_XOR 0. Returns PSCAN_OK, PSCAN_ENULL, PSCAN_EOP
 *  or PSCAN_EDTYPE (DEFAULT is not a dtype here, nor one the op does not
 *  accumulate in). */
PSCAN_API pscan_status pscan_identity(pscan_op op, pscan_dtype dtype, void *value);

/** Library version string, e.g. "0.1.0". */
PSCAN_API const char *pscan_version(void);

/** The instruction set the scan kernels use in this process: "scalar",
 *  "avx2" or "avx512". Chosen once, on first use, as the best the CPU and
 *  OS support; the environment variable PSCAN_ISA (same names) forces a
 *  lower one. Results are bit-identical whichever runs. */
PSCAN_API const char *pscan_isa_name(void);

/* 1-D contiguous conveniences: out[i] = in[0] + ... + in[i] in the element
 * type itself (integers wrap), REPRODUCIBLE order, default context.
 * `in == out` is allowed; any other overlap gives numpy's answer. */
PSCAN_API pscan_status pscan_cumsum_i32(const int32_t *in, int32_t *out, size_t n);
PSCAN_API pscan_status pscan_cumsum_i64(const int64_t *in, int64_t *out, size_t n);
PSCAN_API pscan_status pscan_cumsum_u32(const uint32_t *in, uint32_t *out, size_t n);
PSCAN_API pscan_status pscan_cumsum_u64(const uint64_t *in, uint64_t *out, size_t n);
PSCAN_API pscan_status pscan_cumsum_f32(const float *in, float *out, size_t n);
PSCAN_API pscan_status pscan_cumsum_f64(const double *in, double *out, size_t n);

/**
 * Create a context. Contexts are independent and may be used from several
 * threads at once.
 * @param out_ctx receives the new context (NULL on error).
 * @return PSCAN_OK, PSCAN_ENULL, PSCAN_ENOMEM, PSCAN_ETOPOLOGY or
 *         PSCAN_EENV (a PSCAN_* environment variable with an unknown value;
 *         README "Environment and tuning").
 */
PSCAN_API pscan_status pscan_context_create(pscan_context **out_ctx);

/** Destroy a context; NULL is a no-op. The default context is never
 *  destroyed by this call. */
PSCAN_API void pscan_context_destroy(pscan_context *ctx);

/** The process-wide default context, created on first use (thread-safe);
 *  NULL only if it could not be created this time. A failed creation is
 *  not remembered: the next call (or the next scan with a NULL context)
 *  tries again, and a scan reports why it failed (PSCAN_ENOMEM for
 *  memory, PSCAN_ETOPOLOGY for the topology). */
PSCAN_API pscan_context *pscan_default_context(void);

/** Threads a scan with opts.threads == 0 uses in this context (>= 1). */
PSCAN_API int pscan_context_threads(const pscan_context *ctx);

/** A context for a machine described rather than this one: hwloc's
 *  synthetic syntax ("pack:2 numa:2 core:8 pu:1") or an XML file exported
 *  by hwloc (lstopo foo.xml). Its plans and descriptions are those of that
 *  machine, and its default team is that machine's PU count; scans run on
 *  it as on any context, without binding threads.
 *  @return PSCAN_OK, PSCAN_ENULL, PSCAN_ENOMEM or PSCAN_ETOPOLOGY (a
 *  description or file hwloc rejects). */
PSCAN_API pscan_status pscan_context_create_synthetic(const char *description,
                                                      pscan_context **out_ctx);
PSCAN_API pscan_status pscan_context_create_xml(const char *path, pscan_context **out_ctx);

/** What a context knows of its machine. Cache sizes are those above the
 *  first core, 0 where the topology has no such cache (synthetic
 *  descriptions usually have none). Start from PSCAN_TOPOLOGY_INFO_INIT:
 *  `size` says how much of the struct the caller has, and a later release
 *  that appends fields fills only those that fit (as for pscan_opts). */
typedef struct pscan_topology_info {
    size_t size;     /* sizeof(pscan_topology_info), set by the INIT macro */
    int this_system; /* 1: the machine this process runs on */
    int packages, numa_nodes, cores, pus;
    int64_t l1d_bytes, l2_bytes, l3_bytes;
} pscan_topology_info;

#define PSCAN_TOPOLOGY_INFO_INIT                            \
    {                                                       \
        sizeof(pscan_topology_info), 0, 0, 0, 0, 0, 0, 0, 0 \
    }

/** Fill `info` for ctx (NULL: the default context): every field that
 *  info->size covers. @return PSCAN_OK, PSCAN_ENULL, PSCAN_EOPTS (a size
 *  smaller than this release's first layout) or PSCAN_ETOPOLOGY. */
PSCAN_API pscan_status pscan_context_info(const pscan_context *ctx, pscan_topology_info *info);

/** One thread's share of a lane: whole 4096-element tiles. */
typedef struct pscan_chunk {
    int64_t first_tile, tiles; /* tiles [first_tile, first_tile + tiles) */
    int thread;                /* the team member that scans them */
    int pu, core, numa_node;   /* where that thread runs: OS indexes */
} pscan_chunk;

/**
 * The NUMA-aware plan of a lane of `elements` over `threads` threads (0:
 * the context's team): threads are put on the NUMA nodes as the
 * context's placement says (SPREAD and NONE: in proportion to each node's
 * PUs; COMPACT: filling node after node), one per core before a core's
 * second PU; each node gets a contiguous span of tiles in proportion to
 * its threads, and each thread a contiguous part of its node's span.
 * This is the partition the SPANS schedule scans and pscan_alloc touches
 * (on a host of more than 256 NUMA nodes, one span for all). Writes one chunk
 * per thread, in lane order, into chunks[capacity]; *count gets `threads`.
 * @return PSCAN_OK, PSCAN_ENULL, PSCAN_EOPTS (threads < 0, capacity too
 *         small) or PSCAN_ESIZE (elements < 0).
 */
PSCAN_API pscan_status pscan_context_plan(const pscan_context *ctx, int64_t elements, int threads,
                                          pscan_chunk *chunks, int capacity, int *count);

/** Where a context puts a scan's threads (opt-in; the default is NONE).
 *  Binding happens only on this system, only for calls of at least 2^20
 *  elements per thread, and never when the OpenMP runtime binds threads
 *  itself (OMP_PROC_BIND / OMP_PLACES set): then the runtime's placement
 *  is kept. Each thread is bound for the call and given its own mask back
 *  after it. With threads on two or more NUMA nodes (bound by pscan, or
 *  by the runtime: they then report where they run), a single long lane
 *  is scanned node span by node span (the SPANS schedule: each thread
 *  reads and writes only its own chunk of the plan below). The
 *  environment variable PSCAN_PLACEMENT=none|spread|compact sets the
 *  placement of contexts made for this system (the default one too). */
typedef enum pscan_placement {
    PSCAN_PLACEMENT_NONE = 0,   /* threads run where the OS or runtime puts them */
    PSCAN_PLACEMENT_SPREAD = 1, /* over the NUMA nodes in proportion to their
                                 PUs, one per core before any core's second */
    PSCAN_PLACEMENT_COMPACT = 2 /* node after node: the fewest nodes */
} pscan_placement;

/** "none", "spread" or "compact" (what PSCAN_PLACEMENT and the tool's
 *  --placement take); "invalid" for any other value. */
PSCAN_API const char *pscan_placement_name(pscan_placement placement);

/** The placement called `name`: PSCAN_OK, PSCAN_ENULL or PSCAN_EOPTS (no
 *  such name; *placement untouched). */
PSCAN_API pscan_status pscan_placement_from_name(const char *name, pscan_placement *placement);

/** Set ctx's placement (NULL: the default context). Calls already
 *  running keep the placement they started with.
 *  @return PSCAN_OK, PSCAN_EOPTS (unknown placement) or PSCAN_ETOPOLOGY. */
PSCAN_API pscan_status pscan_context_set_placement(pscan_context *ctx, pscan_placement placement);

/** ctx's placement (NULL: the default context). */
PSCAN_API pscan_placement pscan_context_placement(const pscan_context *ctx);

/** The context and the plan above as text (what `pscan topo` prints):
 *  written into text[capacity], always NUL-terminated; PSCAN_ESIZE if it
 *  did not fit (the text is cut). */
PSCAN_API pscan_status pscan_context_describe(const pscan_context *ctx, int64_t elements,
                                              int threads, char *text, size_t capacity);

/**
 * Memory for arrays pscan will scan, first touched (zeroed) by the threads
 * of the plan for `bytes` / 8 elements, each its own chunk, so on a
 * NUMA machine every page lands on the node of the thread that will scan
 * it. On this system the team's threads are bound to their PUs for the
 * touch (and unbound after); where binding is refused the pages are still
 * zeroed. Free with pscan_free. opts: threads and ctx as for a scan.
 * @return PSCAN_OK, PSCAN_ENULL, PSCAN_EOPTS (opts not started from
 *         PSCAN_OPTS_INIT, or invalid), PSCAN_ENOMEM, or why the default
 *         context could not be made (PSCAN_ETOPOLOGY, PSCAN_EENV).
 */
PSCAN_API pscan_status pscan_alloc(size_t bytes, const pscan_opts *opts, void **out);
PSCAN_API void pscan_free(void *memory);

/* ---- Segmented scans ----
 *
 * Scans that restart at every segment start along each lane (pandas'
 * groupby().cumsum() on sorted groups, scan by key, many short rows
 * scanned as one). README "Segmented scans" has the whole contract. */

/** How the segments of a segmented scan are described. */
typedef enum pscan_segment_kind {
    PSCAN_SEGMENT_FLAGS = 0, /* start flags: any bool or integer dtype, nonzero starts a segment */
    PSCAN_SEGMENT_OFFSETS = 1, /* CSR offsets: sorted int64 segment starts along the axis, shared by
                                  every lane */
    PSCAN_SEGMENT_KEYS = 2     /* keys: a new segment wherever the key changes (scan by key) */
} pscan_segment_kind;

typedef struct pscan_segments {
    pscan_segment_kind kind;
    pscan_array array; /* flags/keys: in's shape, or 1-D along the axis shared by every lane
                          (with PSCAN_AXIS_NONE: in's shape read in C order, or 1-D of
                          size(in)); offsets: 1-D int64, any length and stride */
} pscan_segments;

/**
 * pscan_scan(op, in, axis, dtype, out, opts), except that a lane never
 * carries across a segment start: every segment is scanned as if alone.
 * The first element of every lane starts a segment.
 *
 * FLAGS: element i starts a segment where flag[i] != 0. OFFSETS: each
 * value is the index of a segment start; values must be non-decreasing
 * and within [0, n] (n the lane length; 0, n and repeats change nothing).
 * KEYS (any dtype): i starts a segment where key[i] != key[i - 1] as
 * values: -0.0 equals 0.0 and NaN equals NaN (a run of NaN keys is one
 * group, as pandas groups them), complex keys part by part.
 *
 * Flags act within each segment: EXCLUSIVE (each segment's first output
 * is the identity), REVERSE (out[i] = scan of in[i..end of i's segment]),
 * SKIP_NAN, CHECK_OVERFLOW (PSCAN_EOVERFLOW, out untouched, when any
 * result overflows), COMPENSATED (float sums in double-double within
 * each segment). INCLUDE_INITIAL is PSCAN_EOPTS.
 *
 * Bits: for bool, integers, MAX, MIN and the SEQUENTIAL order every
 * segment's results are those of pscan_scan over that segment alone.
 * REPRODUCIBLE float sums and products cut each lane into pscan_scan's
 * 4096-element tiles: a segment inside one tile is scanned left to right
 * (numpy's cumsum of it); one that crosses tiles continues from its total
 * over the earlier tiles, each tile's part reduced left to right and
 * chained left to right; never dependent on the thread count.
 *
 * `out` may be `in` or overlap it or the segment array: the result is the
 * one computed from untouched inputs.
 * @return as pscan_scan; PSCAN_ENULL for a NULL segments (or its data
 *         with elements); PSCAN_ESEGMENTS for an unknown kind, a flags
 *         dtype that is not bool or integer, offsets that are not 1-D
 *         int64, a shape that is neither in's nor 1-D of the lane's
 *         length, or offsets unsorted or outside [0, n]. Every check runs
 *         before the first write.
 */
PSCAN_API pscan_status pscan_scan_segmented(pscan_op op, const pscan_array *in, int axis,
                                            pscan_dtype dtype, const pscan_array *out,
                                            const pscan_segments *segments, const pscan_opts *opts);

/* ---- Streaming: one scan fed piece by piece ----
 *
 * For data that arrives in chunks (a file read a piece at a time, a
 * simulation's time steps): every lane keeps its running state in the
 * stream, and each chunk is scanned in parallel from it. Pushing chunks
 * gives the one-shot result of their concatenation: bit for bit for
 * integers, bool, MAX and MIN, the SEQUENTIAL order, and REPRODUCIBLE
 * float sums and products whose chunks hold whole 4096-element tiles of
 * every lane (all but the last chunk). Other REPRODUCIBLE chunkings start
 * a new tile at every chunk boundary: still independent of the thread
 * count, with the README's error bound counting each chunk boundary as a
 * tile boundary. Chunks and outs may have any strides, and out any dtype
 * (converted from the stream's, as a scan converts).
 *
 * Flags (opts.flags at creation) keep their one-call meaning on the
 * concatenation: EXCLUSIVE (each chunk's out starts with the total of the
 * chunks before it), SKIP_NAN, CHECK_OVERFLOW (the running total counts:
 * a chunk that would take it out of range is PSCAN_EOVERFLOW and leaves
 * out and the stream unchanged), COMPENSATED (the (hi, lo) pairs carry on
 * from chunk to chunk) and INCLUDE_INITIAL (the first push's out is one
 * step longer and starts with the identity, or the running results
 * pscan_stream_set_total gave; later pushes' are not).
 * REVERSE is PSCAN_EOPTS: a suffix scan needs the chunks after this one
 * first. */

/** Where a chunk's new elements lie. */
typedef enum pscan_stream_layout {
    /* chunk shape (count, *lane_shape): each chunk adds `count` steps, a
     * whole lane_shape array per step (time steps, rows of a file). With
     * lane_ndim 0 there is one lane: a chunk of any shape continues it in
     * its C-order flattening. */
    PSCAN_STREAM_STEPS = 0,
    /* chunk shape (*lane_shape, count): each lane (a row) grows by `count`. */
    PSCAN_STREAM_LAST = 1
} pscan_stream_layout;

typedef struct pscan_stream pscan_stream;

/**
 * Create a stream of `op` accumulated in `dtype` (not DEFAULT) over lanes
 * of shape lane_shape[lane_ndim] (lane_ndim 0..PSCAN_MAX_DIMS - 1).
 * opts: threads, order, casting, ctx and flags as for a scan (copied);
 * REVERSE is PSCAN_EOPTS.
 * @return PSCAN_OK, PSCAN_ENULL, PSCAN_EOP, PSCAN_EDTYPE, PSCAN_ENDIM,
 *         PSCAN_ESHAPE, PSCAN_ESIZE, PSCAN_EOPTS or PSCAN_ENOMEM.
 */
PSCAN_API pscan_status pscan_stream_create(pscan_stream **out_stream, pscan_op op,
                                           pscan_dtype dtype, int lane_ndim,
                                           const int64_t *lane_shape, pscan_stream_layout layout,
                                           const pscan_opts *opts);

/**
 * Scan `chunk` (any dtype and strides, converted) into `out` (any dtype
 * and strides; the chunk's shape, one step longer on an INCLUDE_INITIAL
 * stream's first push; for a single lane also 1-D) from the lanes'
 * running states, and keep the new ones. On error `out` and the stream
 * are unchanged.
 * @return PSCAN_OK, PSCAN_ENULL, PSCAN_EOUTSHAPE (a shape that does not fit
 *         the layout, or out's shape differs), or what a scan returns
 *         (PSCAN_ECAST under opts.casting, PSCAN_EOVERFLOW, ...).
 */
PSCAN_API pscan_status pscan_stream_push(pscan_stream *stream, const pscan_array *chunk,
                                         const pscan_array *out);

/** The lanes' running results, lane_shape in C order, stream dtype (the
 *  identity before the first push) copied to `total`; a compensated
 *  stream's rounded from its pairs. */
PSCAN_API pscan_status pscan_stream_total(const pscan_stream *stream, void *total);

/** Continue from running results `total` (lane_shape in C order, stream
 *  dtype): the next push scans as if chunks whose results end in `total`
 *  came before it (a checkpoint, or the part of the data that another
 *  process scanned); a compensated stream's pairs get a zero low part. */
PSCAN_API pscan_status pscan_stream_set_total(pscan_stream *stream, const void *total);

/** Start again from nothing pushed. */
PSCAN_API pscan_status pscan_stream_reset(pscan_stream *stream);

/** Free a stream; NULL is a no-op. */
PSCAN_API void pscan_stream_destroy(pscan_stream *stream);

/* ---- Linear recurrences ----
 *
 * out[i] = a[i] * out[i-1] + b[i] along every lane, out[-1] = y0: the IIR
 * filter lfilter([1], [1, -a], b), exponential smoothing, the state-space
 * scan of selective state-space models. Computed as a parallel scan over
 * the pairs (a, b); README "Linear recurrences" gives the order of the
 * operations (bit-identical for any thread count and ISA under
 * REPRODUCIBLE, the plain loop under SEQUENTIAL) and the error bound. */

/**
 * @param a, b  arrays of the result's shape (out's, or under
 *              PSCAN_AXIS_NONE any one shape of out's size, the same for
 *              both), any dtype and strides, 0 included (a constant a is a
 *              0-stride view); converted to out's dtype under opts.casting.
 * @param axis  as for pscan_scan, PSCAN_AXIS_NONE included (C order).
 * @param y0    NULL (every lane starts from 0), a 0-d array (one value for
 *              every lane) or an array of out's shape without `axis`
 *              (one per lane); any dtype, converted. It may overlap out.
 * @param out   float32, float64, complex64 or complex128: the value type
 *              (complex products are numpy's (ac - bd, ad + bc)). It may
 *              be a or b (in place) or overlap them in any way: the result
 *              is that of untouched copies.
 * @param opts  REVERSE: out[i] = a[i] * out[i+1] + b[i], y0 after the end;
 *              EXCLUSIVE: out[i] is the value before element i (out[0] =
 *              y0); INCLUDE_INITIAL: out one longer along the axis, y0
 *              first. SKIP_NAN, CHECK_OVERFLOW, COMPENSATED: PSCAN_EOPTS.
 * @return PSCAN_OK, or with out untouched: PSCAN_ENULL, PSCAN_EOPTS,
 *         PSCAN_EDTYPE (out not float or complex), the statuses of
 *         pscan_scan for b then a as the input, PSCAN_EOUTSHAPE (a's shape
 *         is not b's, or y0's not the lanes'), PSCAN_ENOMEM.
 */
PSCAN_API pscan_status pscan_linear_recurrence(const pscan_array *a, const pscan_array *b, int axis,
                                               const pscan_array *y0, const pscan_array *out,
                                               const pscan_opts *opts);

/* ---- Advanced API: define PSCAN_ADVANCED_API before including this ----
 *
 * Entry points for programs that drive scans piece by piece themselves
 * (the pscan command-line tool scans files larger than memory this way).
 * They are exported by the shared and the static library alike, but unlike
 * the rest of this header they may change in any 0.x minor release; the
 * README says what 0.x promises. */
#ifdef PSCAN_ADVANCED_API

/** in's layout is C order (row-major, strides NULL or those of C order;
 *  dimensions of extent 1 may have any stride). */
PSCAN_API int pscan_array_is_c_contiguous(const pscan_array *array);

/* Pieces of a longer scan. A piece is a pscan_scan call (any layout, any
 * axis or PSCAN_AXIS_NONE, any out dtype) whose lanes start from given
 * values: a lane is one choice of in's indices other than the axis, and
 * lanes are counted in the C order of those dims (one lane when
 * flattening). A lane's state is what it has accumulated: one accumulator
 * (dtype `dtype`, or numpy's default for op and in's dtype), or for a
 * compensated sum (hi, lo) pairs of doubles (pscan_scan_state_size bytes).
 * Pieces cut along the axis, each continuing from the states the one
 * before it handed on, give the results of one call: bit for bit (a
 * NaN's sign and payload excepted) where
 * every piece starts on a tile boundary (a multiple of 4096 along the
 * lane) or the order is SEQUENTIAL or the op order-free; elsewhere each
 * piece starts a new tile. Every flag has its one-call meaning on the
 * piece, from the states: EXCLUSIVE and INCLUDE_INITIAL put each lane's
 * incoming state (converted to out's dtype; the identity with none) first,
 * REVERSE takes the states as coming after the piece, CHECK_OVERFLOW
 * continues the exact partial results from them (and, where the piece
 * hands its states on, counts those too: an exclusive piece's last
 * partial). A lane with no elements hands its incoming state on (the
 * identity with none). */

/* pscan_scan of a piece from `carry`, one accumulator per lane (required).
 * Every flag but COMPENSATED (PSCAN_EOPTS: its state is a pair). */
PSCAN_API pscan_status pscan_scan_carry(pscan_op op, const pscan_array *in, pscan_dtype dtype,
                                        const pscan_array *out, const pscan_opts *opts,
                                        const void *carry);

/* Rows per piece for a lane scanned in pieces of about `wanted_rows`: any
 * count (at least 1) where the order is free (integers, bool, MAX, MIN,
 * SEQUENTIAL), else whole tiles (a multiple of 4096, at least one),
 * so the pieces give the bits of one call. */
PSCAN_API int64_t pscan_carry_piece_rows(pscan_op op, pscan_dtype acc, pscan_order order,
                                         int64_t wanted_rows);

/* pscan_scan_carry along `axis` (pscan_scan_carry is axis 0). */
PSCAN_API pscan_status pscan_scan_carry_axis(pscan_op op, const pscan_array *in, int axis,
                                             pscan_dtype dtype, const pscan_array *out,
                                             const pscan_opts *opts, const void *carry);

/* A piece with states: state_in (NULL: the lanes start fresh) and
 * state_out (NULL: not wanted) hold pscan_scan_state_size bytes per lane,
 * every flag allowed. state_out may not overlap state_in. */
PSCAN_API size_t pscan_scan_state_size(pscan_op op, pscan_dtype in_dtype, pscan_dtype dtype,
                                       const pscan_opts *opts);
PSCAN_API pscan_status pscan_scan_carry_state(pscan_op op, const pscan_array *in, int axis,
                                              pscan_dtype dtype, const pscan_array *out,
                                              const pscan_opts *opts, const void *state_in,
                                              void *state_out);

/* The states pscan_scan_carry_state would hand on, bit for bit, reading
 * `in` and writing no array: cache-sized pieces are scanned into scratch
 * (a flattening that is no single strided run takes one n-sized scratch).
 * EXCLUSIVE and INCLUDE_INITIAL do not change a state. With
 * CHECK_OVERFLOW it is PSCAN_EOVERFLOW when a partial result from state_in
 * overflows: every one of them, or with state_out NULL only the check
 * pscan_scan_carry_state would run for a piece that hands no state on (an
 * exclusive piece's last partial is then no result), and nothing else.
 * On an error state_out is undefined. */
PSCAN_API pscan_status pscan_scan_reduce_state(pscan_op op, const pscan_array *in, int axis,
                                               pscan_dtype dtype, const pscan_opts *opts,
                                               const void *state_in, void *state_out);

/* result[k] = the state of first[k]'s elements followed by second[k]'s,
 * for `count` lanes (result may be first or second): two pieces' states
 * combined as the scan combines its tiles' (integers wrap; a compensated
 * sum adds pairs). in_dtype, dtype and opts as for the scans that made
 * the states. */
PSCAN_API pscan_status pscan_combine_states(pscan_op op, pscan_dtype in_dtype, pscan_dtype dtype,
                                            const pscan_opts *opts, const void *first,
                                            const void *second, void *result, int64_t count);

#endif /* PSCAN_ADVANCED_API */

#ifdef __cplusplus
}
#endif

#endif /* PSCAN_H */
