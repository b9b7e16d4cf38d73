/* mpi.c - the distributed scan: arguments agreed on by every rank, each
 * rank's lane states (a reduction that only reads), one MPI_Exscan of
 * them in scan order, and the local scan from the states it returns.
 * Built on the public API and its advanced section only (pieces of a scan:
 * pscan.h), so libpscan_mpi links libpscan like any user. */
#define PSCAN_ADVANCED_API
#include "pscan_mpi.h"

#include "dtype_list.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The user MPI_Op for (op, accumulator): inout = in op inout over `len`
 * lane states, `in` from the ranks before in scan order. One function per
 * pair (an MPI_User_function has no context); compensated sums combine
 * (hi, lo) pairs of doubles, real or complex. Combining cannot fail for
 * valid arguments, which every rank agreed on. */
#define DEFINE_COMBINE(op, tag)                                                                 \
    static void combine_##op##_##tag(void *in, void *inout, int *len, MPI_Datatype *type)       \
    {                                                                                           \
        (void)type;                                                                             \
        (void)pscan_combine_states(PSCAN_##op, PSCAN_DT_##tag, PSCAN_DT_##tag, NULL, in, inout, \
                                   inout, *len);                                                \
    }
#define DEFINE_COMBINES(tag) \
    DEFINE_COMBINE(SUM, tag) \
    DEFINE_COMBINE(PROD, tag) DEFINE_COMBINE(MAX, tag) DEFINE_COMBINE(MIN, tag)
#define DEFINE_LATER_COMBINES(tag) \
    DEFINE_COMBINE(LOGADDEXP, tag) \
    DEFINE_COMBINE(BIT_AND, tag)   \
    DEFINE_COMBINE(BIT_OR, tag)    \
    DEFINE_COMBINE(BIT_XOR, tag) DEFINE_COMBINE(ARGMAX, tag) DEFINE_COMBINE(ARGMIN, tag)
PSCAN_EACH_DTYPE(DEFINE_COMBINES)
PSCAN_EACH_DTYPE(DEFINE_LATER_COMBINES)

#define COMBINE_ENTRIES(tag)                                     \
    [PSCAN_SUM][PSCAN_DT_##tag] = combine_SUM_##tag,             \
    [PSCAN_PROD][PSCAN_DT_##tag] = combine_PROD_##tag,           \
    [PSCAN_MAX][PSCAN_DT_##tag] = combine_MAX_##tag,             \
    [PSCAN_MIN][PSCAN_DT_##tag] = combine_MIN_##tag,             \
    [PSCAN_LOGADDEXP][PSCAN_DT_##tag] = combine_LOGADDEXP_##tag, \
    [PSCAN_BIT_AND][PSCAN_DT_##tag] = combine_BIT_AND_##tag,     \
    [PSCAN_BIT_OR][PSCAN_DT_##tag] = combine_BIT_OR_##tag,       \
    [PSCAN_BIT_XOR][PSCAN_DT_##tag] = combine_BIT_XOR_##tag,     \
    [PSCAN_ARGMAX][PSCAN_DT_##tag] = combine_ARGMAX_##tag,       \
    [PSCAN_ARGMIN][PSCAN_DT_##tag] = combine_ARGMIN_##tag,
static MPI_User_function *const combine_fns[PSCAN_OP_COUNT][PSCAN_DTYPE_COUNT] = {
    PSCAN_EACH_DTYPE(COMBINE_ENTRIES)};

static void combine_pairs(pscan_dtype acc, void *in, void *inout, int len)
{
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.flags = PSCAN_FLAG_COMPENSATED;
    (void)pscan_combine_states(PSCAN_SUM, acc, acc, &opts, in, inout, inout, len);
}
static void combine_real_pairs(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    combine_pairs(PSCAN_FLOAT64, in, inout, *len);
}
static void combine_complex_pairs(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    combine_pairs(PSCAN_COMPLEX128, in, inout, *len);
}

/* What a rank knows of its part once its arguments passed. */
typedef struct local_part {
    pscan_opts opts; /* the caller's, as this release reads them; flags
                        this rank's (INCLUDE_INITIAL only on the first) */
    pscan_dtype acc;
    int axis_code;     /* resolved axis + 1; 0 for axis=None */
    int64_t lanes;     /* the dims other than the axis (1 for axis=None) */
    int64_t len;       /* elements along the axis (the size for axis=None) */
    int64_t shape_key; /* ndim and every dim but the axis, hashed */
    size_t state_bytes;
} local_part;

/* (No <stdbool.h>: it would turn the dtype tag `bool` above into a
 * macro; flags are ints here.) */

/* FNV-1a over int64 words, kept within 62 bits so it can be negated. */
static int64_t hash_words(const int64_t *words, int n)
{
    uint64_t h = 1469598103934665603u;
    for (int k = 0; k < n; k++)
        for (int b = 0; b < 8; b++)
            h = (h ^ (((uint64_t)words[k] >> (8 * b)) & 0xff)) * 1099511628211u;
    return (int64_t)(h >> 2);
}

/* The caller's options as a copy this rank may change: the library's own
 * rules (pscan.h: pscan_opts.size), then the check of every call. */
static pscan_status read_opts(const pscan_opts *opts, pscan_opts *copy)
{
    const pscan_opts defaults = PSCAN_OPTS_INIT;
    *copy = defaults;
    if (!opts)
        return PSCAN_OK;
    if (opts->size < sizeof *copy || opts->size > 4096)
        return PSCAN_EOPTS;
    for (size_t b = sizeof *copy; b < opts->size; b++)
        if (((const unsigned char *)opts)[b])
            return PSCAN_EOPTS;
    memcpy(copy, opts, sizeof *copy);
    copy->size = sizeof *copy;
    return PSCAN_OK;
}

/* Everything the library would reject, found without reading or writing
 * (pscan_scan_check: the library's own door, with this rank's flags),
 * then what only the distributed scan needs. `first`: this rank starts
 * the scan (rank 0; the last under REVERSE), the one whose out holds
 * INCLUDE_INITIAL's identity. */
static pscan_status check_local(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                const pscan_array *out, const pscan_opts *opts, int rank, int ranks,
                                local_part *lp)
{
    if (!in || !out)
        return PSCAN_ENULL;
    pscan_status status = read_opts(opts, &lp->opts);
    if (status != PSCAN_OK)
        return status;
    const int reverse = (lp->opts.flags & PSCAN_FLAG_REVERSE) != 0;
    if (rank != (reverse ? ranks - 1 : 0))
        lp->opts.flags &= ~(unsigned)PSCAN_FLAG_INCLUDE_INITIAL;
    if ((status = pscan_scan_check(op, in, axis, dtype, out, &lp->opts)) != PSCAN_OK)
        return status;
    /* An arg scan's states count elements from the lane's start: under
     * REVERSE the ranks after this one in array order (before it in scan
     * order) would have to say where that start is (the pieces refuse it
     * too). */
    if ((op == PSCAN_ARGMAX || op == PSCAN_ARGMIN) && reverse)
        return PSCAN_ENOTSUP;
    const int flatten = axis == PSCAN_AXIS_NONE;
    const int dims = in->ndim == 0 ? 1 : in->ndim;
    const int resolved = flatten ? -1 : axis < 0 ? axis + dims : axis;
    int64_t size = 1;
    for (int d = 0; d < in->ndim; d++)
        size *= in->shape[d];
    lp->acc = dtype == PSCAN_DTYPE_DEFAULT ? pscan_default_dtype(op, in->dtype) : dtype;
    lp->state_bytes = pscan_scan_state_size(op, in->dtype, lp->acc, &lp->opts);
    lp->axis_code = resolved + 1;
    lp->lanes = 1;
    lp->len = flatten || in->ndim == 0 ? size : in->shape[resolved];
    int64_t key[PSCAN_MAX_DIMS + 1] = {flatten ? 0 : in->ndim};
    for (int d = 0; !flatten && d < in->ndim; d++) {
        if (d != resolved)
            lp->lanes *= in->shape[d];
        key[d + 1] = d == resolved ? -1 : in->shape[d];
    }
    lp->shape_key = hash_words(key, flatten ? 1 : in->ndim + 1);
    if (lp->lanes > INT_MAX)
        return PSCAN_ESIZE; /* MPI counts are ints */
    return PSCAN_OK;
}

/* What every rank agrees on before any of them writes. */
typedef struct agreement {
    pscan_status status;
    int all_have_elements; /* no rank's part is empty */
} agreement;

/* One status for every rank: the largest error, else a disagreement. */
static agreement agree(MPI_Comm comm, pscan_status local, pscan_op op, const local_part *lp)
{
    const int ok = local == PSCAN_OK;
    /* the flags but INCLUDE_INITIAL, which only the first rank keeps */
    const int64_t flags = lp->opts.flags & ~(unsigned)PSCAN_FLAG_INCLUDE_INITIAL;
    const int64_t acc = ok ? lp->acc : 0,
                  call = ok ? (((int64_t)op * 128 + lp->axis_code) * 256 + flags) * 2 +
                                  (int64_t)lp->opts.order
                            : 0,
                  key = ok ? lp->shape_key : 0, empty = ok && lp->len == 0;
    int64_t v[8] = {local, acc, -acc, call, -call, key, -key, empty};
    MPI_Allreduce(MPI_IN_PLACE, v, 8, MPI_INT64_T, MPI_MAX, comm);
    agreement a = {PSCAN_OK, v[7] == 0};
    if (v[0] != PSCAN_OK)
        a.status = (pscan_status)v[0];
    else if (v[1] != -v[2])
        a.status = PSCAN_EDTYPE;
    else if (v[3] != -v[4])
        a.status = PSCAN_EAXIS;
    else if (v[5] != -v[6])
        a.status = PSCAN_ESHAPE;
    return a;
}

/* Every rank's status, the largest. */
static pscan_status agree_status(MPI_Comm comm, pscan_status local)
{
    int64_t v = local;
    MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT64_T, MPI_MAX, comm);
    return (pscan_status)v;
}

/* states -> carries: the states of the ranks before this one (in scan
 * order) combined, on every rank of `scan` but its first. */
static void exchange(MPI_Comm scan, pscan_op op, const local_part *lp, void *states, void *carries)
{
    MPI_Datatype value_type;
    MPI_Op combine;
    MPI_User_function *fn = combine_fns[op][lp->acc];
    const int arg = op == PSCAN_ARGMAX || op == PSCAN_ARGMIN; /* (count, index, value) states */
    if (!arg && lp->state_bytes != pscan_dtype_size(lp->acc)) /* compensated pairs */
        fn = lp->acc == PSCAN_COMPLEX64 || lp->acc == PSCAN_COMPLEX128 ? combine_complex_pairs
                                                                       : combine_real_pairs;
    MPI_Type_contiguous((int)lp->state_bytes, MPI_BYTE, &value_type);
    MPI_Type_commit(&value_type);
    MPI_Op_create(fn, 0 /* in rank order */, &combine);
    MPI_Exscan(states, carries, (int)lp->lanes, value_type, combine, scan);
    MPI_Op_free(&combine);
    MPI_Type_free(&value_type);
}

/* The scan of this rank's part among the ranks of `scan` (those with
 * elements, in scan order); states and carries hold a state per lane.
 * Every rank but the last has reduced its part into `states` (before the
 * agreement), the states are exchanged, and every rank scans from what it
 * received, all at once: a
 * first rank that scanned before the exchange would hold every other rank
 * back by a whole scan (measured: 2 ranks then take as long as 1). Under
 * the overflow check the carries are checked everywhere and agreed on
 * (over `all`) before anyone writes. */
static pscan_status scan_part(MPI_Comm all, MPI_Comm scan, pscan_op op, const pscan_array *in,
                              int axis, const pscan_array *out, const local_part *lp, void *states,
                              void *carries)
{
    int r, count;
    MPI_Comm_rank(scan, &r);
    MPI_Comm_size(scan, &count);
    const int check = (lp->opts.flags & PSCAN_FLAG_CHECK_OVERFLOW) != 0;
    pscan_opts quiet = lp->opts; /* a reduction for the carries: wrapping */
    quiet.flags &= ~(unsigned)PSCAN_FLAG_CHECK_OVERFLOW;
    pscan_status status = PSCAN_OK;
    if (count > 1) /* every rank of `scan`, failed or not: nobody waits forever */
        exchange(scan, op, lp, states, carries);
    const void *from = r > 0 ? carries : NULL;
    if (check) {
        /* the partials a rank writes, and its total where the next rank
         * starts from it (the last rank's under EXCLUSIVE is no result) */
        if (status == PSCAN_OK)
            status = pscan_scan_reduce_state(op, in, axis, lp->acc, &lp->opts, from,
                                             r < count - 1 ? states : NULL);
        status = agree_status(all, status);
        if (status == PSCAN_OK)
            status = pscan_scan_carry_state(op, in, axis, lp->acc, out, &quiet, from, NULL);
    } else if (status == PSCAN_OK) {
        status = pscan_scan_carry_state(op, in, axis, lp->acc, out, &lp->opts, from, NULL);
    }
    return status;
}

pscan_status pscan_mpi_scan(MPI_Comm comm, pscan_op op, const pscan_array *local_in, int axis,
                            pscan_dtype dtype, const pscan_array *local_out, const pscan_opts *opts)
{
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    local_part lp;
    memset(&lp, 0, sizeof lp);
    pscan_status status = check_local(op, local_in, axis, dtype, local_out, opts, rank, ranks, &lp);
    unsigned char *states = NULL, *carries = NULL;
    if (status == PSCAN_OK) { /* before the agreement, which then covers it */
        const size_t bytes = (size_t)lp.lanes * lp.state_bytes + 1;
        states = malloc(bytes);
        carries = malloc(bytes);
        if (!states || !carries)
            status = PSCAN_ENOMEM;
        else /* the last rank sends its states unread; MPI may combine them */
            memset(states, 0, bytes);
    }
    /* The states (scan_part), before the agreement, which then covers
     * their failure too: a rank whose reduction failed after the ranks
     * agreed would pass wrong states on, and the ranks after it would
     * write wrong values. Every rank with elements reduces but the last in
     * scan order (one whose later ranks are all empty reduces for nobody). */
    const int last = (lp.opts.flags & PSCAN_FLAG_REVERSE) ? rank == 0 : rank == ranks - 1;
    if (status == PSCAN_OK && lp.len > 0 && lp.lanes > 0 && !last) {
        pscan_opts quiet = lp.opts; /* a reduction for the carries: wrapping */
        quiet.flags &= ~(unsigned)PSCAN_FLAG_CHECK_OVERFLOW;
        status = pscan_scan_reduce_state(op, local_in, axis, lp.acc, &quiet, NULL, states);
    }
    const agreement a = agree(comm, status, op, &lp);
    if (a.status != PSCAN_OK) {
        free(states);
        free(carries);
        return a.status;
    }
    const int reverse = (lp.opts.flags & PSCAN_FLAG_REVERSE) != 0;
    const int check = (lp.opts.flags & PSCAN_FLAG_CHECK_OVERFLOW) != 0;
    const int has_elements = lp.len > 0 && lp.lanes > 0;
    /* The ranks with elements, in scan order: empty ranks pass nothing on
     * (an identity would turn a -0.0 total into +0.0), REVERSE runs the
     * ranks backwards. */
    MPI_Comm scan = comm;
    if (!a.all_have_elements || reverse)
        MPI_Comm_split(comm, has_elements ? 0 : MPI_UNDEFINED, reverse ? ranks - rank : rank,
                       &scan);
    if (has_elements) {
        status = scan_part(comm, scan, op, local_in, axis, local_out, &lp, states, carries);
    } else {
        /* an empty part: at most INCLUDE_INITIAL's identity to write */
        if (check)
            status = agree_status(comm, PSCAN_OK);
        if (status == PSCAN_OK)
            status = pscan_scan(op, local_in, axis, lp.acc, local_out, &lp.opts);
    }
    if (scan != comm && scan != MPI_COMM_NULL)
        MPI_Comm_free(&scan);
    free(states);
    free(carries);
    /* What failed after the agreement (memory), everywhere. */
    return agree_status(comm, status);
}

pscan_status pscan_mpi_cumsum(MPI_Comm comm, const pscan_array *local_in, int axis,
                              pscan_dtype dtype, const pscan_array *local_out,
                              const pscan_opts *opts)
{
    return pscan_mpi_scan(comm, PSCAN_SUM, local_in, axis, dtype, local_out, opts);
}
