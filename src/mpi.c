/* mpi.c - the distributed scan: arguments agreed on by every rank, a local
 * scan for the rank's lane totals, one MPI_Exscan of them, and the local
 * scan again from the carries it returns. Built on the public API only
 * (pscan_stream continues lanes from given totals), so libpscan_mpi links
 * libpscan like any user. */
/* pscan_array_is_c_contiguous */
#define PSCAN_ADVANCED_API
#include "pscan_mpi.h"

#include "dtype_list.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* inout[i] = in[i] op inout[i] over `len` lanes: one step pushed from
 * `in` as the running results, so the bits are those of the local engine.
 * (Only an allocation can fail here; inout is then left as it is.) */
static void combine_lanes(pscan_op op, pscan_dtype dtype, void *in, void *inout, int len)
{
    const int64_t lanes = len, shape[2] = {1, len};
    pscan_stream *stream;
    if (pscan_stream_create(&stream, op, dtype, 1, &lanes, PSCAN_STREAM_STEPS, NULL) != PSCAN_OK)
        return;
    const pscan_array step = {inout, dtype, 2, shape, NULL};
    pscan_stream_set_total(stream, in);
    pscan_stream_push(stream, &step, &step);
    pscan_stream_destroy(stream);
}

/* The user MPI_Op for (op, dtype), `in` being the lower ranks' value. One
 * function per pair: an MPI_User_function has no context. */
#define DEFINE_COMBINE(op, tag)                                                           \
    static void combine_##op##_##tag(void *in, void *inout, int *len, MPI_Datatype *type) \
    {                                                                                     \
        (void)type;                                                                       \
        combine_lanes(PSCAN_##op, PSCAN_DT_##tag, in, inout, *len);                       \
    }
#define DEFINE_COMBINES(tag) \
    DEFINE_COMBINE(SUM, tag) \
    DEFINE_COMBINE(PROD, tag) DEFINE_COMBINE(MAX, tag) DEFINE_COMBINE(MIN, tag)
PSCAN_EACH_DTYPE(DEFINE_COMBINES)

#define COMBINE_ENTRIES(tag)                           \
    [PSCAN_SUM][PSCAN_DT_##tag] = combine_SUM_##tag,   \
    [PSCAN_PROD][PSCAN_DT_##tag] = combine_PROD_##tag, \
    [PSCAN_MAX][PSCAN_DT_##tag] = combine_MAX_##tag,   \
    [PSCAN_MIN][PSCAN_DT_##tag] = combine_MIN_##tag,
static MPI_User_function *const combine_fns[PSCAN_OP_COUNT][PSCAN_DTYPE_COUNT] = {
    PSCAN_EACH_DTYPE(COMBINE_ENTRIES)};

/* The local array as outer x len x inner: lanes = outer * inner run
 * along len (axis=None: one lane). */
typedef struct local_shape {
    pscan_dtype acc;
    int axis_code; /* resolved axis + 1; 0 for axis=None */
    int64_t outer, len, inner;
    int64_t shape_key; /* ndim and every dim but the axis, hashed */
} local_shape;

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

/* Everything the library would reject, found without reading or writing
 * (pscan_scan_check: the library's own door), then what only the
 * distributed scan needs. */
static pscan_status check_local(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                const pscan_array *out, const pscan_opts *opts, local_shape *ls)
{
    if (!in || !out)
        return PSCAN_ENULL;
    if (opts && opts->flags) /* none of them has a distributed meaning yet */
        return PSCAN_EOPTS;
    const pscan_status status = pscan_scan_check(op, in, axis, dtype, out, opts);
    if (status != PSCAN_OK)
        return status;
    const int flatten = axis == PSCAN_AXIS_NONE;
    const int dims = in->ndim == 0 ? 1 : in->ndim;
    const int resolved = flatten ? -1 : axis < 0 ? axis + dims : axis;
    int64_t size = 1;
    for (int d = 0; d < in->ndim; d++)
        size *= in->shape[d];
    ls->acc = dtype == PSCAN_DTYPE_DEFAULT ? pscan_default_dtype(op, in->dtype) : dtype;
    if (out->dtype != ls->acc || !pscan_array_is_c_contiguous(in) ||
        !pscan_array_is_c_contiguous(out))
        return PSCAN_ENOTSUP;
    ls->axis_code = resolved + 1;
    ls->outer = ls->inner = 1;
    ls->len = flatten || in->ndim == 0 ? size : in->shape[resolved];
    int64_t key[PSCAN_MAX_DIMS + 1] = {flatten ? 0 : in->ndim};
    for (int d = 0; !flatten && d < in->ndim; d++) {
        if (d < resolved)
            ls->outer *= in->shape[d];
        if (d > resolved)
            ls->inner *= in->shape[d];
        key[d + 1] = d == resolved ? -1 : in->shape[d];
    }
    ls->shape_key = hash_words(key, flatten ? 1 : in->ndim + 1);
    if (ls->outer * ls->inner > INT_MAX)
        return PSCAN_ESIZE; /* MPI counts are ints */
    return PSCAN_OK;
}

/* One status for every rank: the largest error, else a disagreement. */
static pscan_status agree(MPI_Comm comm, pscan_status local, pscan_op op, const local_shape *ls)
{
    const int ok = local == PSCAN_OK;
    const int64_t acc = ok ? ls->acc : 0, call = ok ? (int64_t)op * 128 + ls->axis_code : 0,
                  key = ok ? ls->shape_key : 0;
    int64_t v[7] = {local, acc, -acc, call, -call, key, -key};
    MPI_Allreduce(MPI_IN_PLACE, v, 7, MPI_INT64_T, MPI_MAX, comm);
    if (v[0] != PSCAN_OK)
        return (pscan_status)v[0];
    if (v[1] != -v[2])
        return PSCAN_EDTYPE;
    if (v[3] != -v[4])
        return PSCAN_EAXIS;
    if (v[5] != -v[6])
        return PSCAN_ESHAPE;
    return PSCAN_OK;
}

/* in and out as outer blocks of (len, inner) C arrays; scan each block
 * from its lanes' carries. */
static pscan_status scan_from_carries(pscan_op op, const pscan_array *in, const pscan_array *out,
                                      const local_shape *ls, const pscan_opts *opts,
                                      const unsigned char *carries)
{
    const size_t in_item = pscan_dtype_size(in->dtype), acc_item = pscan_dtype_size(ls->acc);
    const size_t block = (size_t)(ls->len * ls->inner);
    const int64_t shape[2] = {ls->len, ls->inner};
    pscan_stream *stream;
    pscan_status status =
        pscan_stream_create(&stream, op, ls->acc, 1, &ls->inner, PSCAN_STREAM_STEPS, opts);
    for (int64_t b = 0; status == PSCAN_OK && b < ls->outer; b++) {
        const pscan_array in_block = {(char *)in->data + b * block * in_item, in->dtype, 2, shape,
                                      NULL};
        const pscan_array out_block = {(char *)out->data + b * block * acc_item, ls->acc, 2, shape,
                                       NULL};
        pscan_stream_set_total(stream, carries + (size_t)(b * ls->inner) * acc_item);
        status = pscan_stream_push(stream, &in_block, &out_block);
    }
    pscan_stream_destroy(stream);
    return status;
}

pscan_status pscan_mpi_scan(MPI_Comm comm, pscan_op op, const pscan_array *local_in, int axis,
                            pscan_dtype dtype, const pscan_array *local_out, const pscan_opts *opts)
{
    local_shape ls = {0};
    pscan_status status = check_local(op, local_in, axis, dtype, local_out, opts, &ls);
    const int64_t lanes = status == PSCAN_OK ? ls.outer * ls.inner : 0;
    const size_t acc_item = status == PSCAN_OK ? pscan_dtype_size(ls.acc) : 0;
    unsigned char *totals = NULL, *carries = NULL;
    if (status == PSCAN_OK) {
        totals = malloc(lanes ? (size_t)lanes * acc_item : 1);
        carries = malloc(lanes ? (size_t)lanes * acc_item : 1);
        if (!totals || !carries)
            status = PSCAN_ENOMEM;
    }
    status = agree(comm, status, op, &ls);
    if (status != PSCAN_OK) {
        free(totals);
        free(carries);
        return status;
    }
    /* Agreed on PSCAN_OK: no rank failed, this one included (agree passes
     * on every rank's worst status), so its buffers exist. */
    assert(totals && carries);
    int rank, ranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
    /* The lanes' local totals: every rank but the last needs them first.
     * Rank 0's local scan is already its result. */
    for (int64_t lane = 0; lane < lanes; lane++)
        pscan_identity(op, ls.acc, totals + (size_t)lane * acc_item);
    if ((rank == 0 || rank < ranks - 1) && ls.len > 0) {
        status = pscan_scan(op, local_in, axis, dtype, local_out, opts);
        for (int64_t b = 0; status == PSCAN_OK && b < ls.outer; b++)
            memcpy(totals + (size_t)(b * ls.inner) * acc_item,
                   (const unsigned char *)local_out->data +
                       (size_t)((b * ls.len + ls.len - 1) * ls.inner) * acc_item,
                   (size_t)ls.inner * acc_item);
    }
    MPI_Datatype value_type;
    MPI_Op combine;
    MPI_Type_contiguous((int)acc_item, MPI_BYTE, &value_type);
    MPI_Type_commit(&value_type);
    MPI_Op_create(combine_fns[op][ls.acc], 0 /* in rank order */, &combine);
    MPI_Exscan(totals, carries, (int)lanes, value_type, combine, comm);
    MPI_Op_free(&combine);
    MPI_Type_free(&value_type);
    if (status == PSCAN_OK && rank > 0 && ls.len > 0)
        status = scan_from_carries(op, local_in, local_out, &ls, opts, carries);
    free(totals);
    free(carries);
    return status;
}

pscan_status pscan_mpi_cumsum(MPI_Comm comm, const pscan_array *local_in, int axis,
                              pscan_dtype dtype, const pscan_array *local_out,
                              const pscan_opts *opts)
{
    return pscan_mpi_scan(comm, PSCAN_SUM, local_in, axis, dtype, local_out, opts);
}
