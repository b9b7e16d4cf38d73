/* h5_file.c - HDF5 datasets in and out of the tool.
 *
 * file_scan asks for ranges of elements in the array's C order; a range of
 * an N-d dataset is a union of at most 2N-1 boxes (a partial first row, the
 * whole rows, a partial last row, recursively), each read or written as a
 * hyperslab with a memory space of its own shape. HDF5 converts byte order
 * on the way (memory types are native), and its chunk cache holds one row
 * of chunks, so a chunk that two slabs share is decompressed once.
 *
 * Types are those h5py writes: integers and IEEE floats of either byte
 * order, float16 as a 16-bit IEEE float, bool as an 8-bit enum {FALSE,
 * TRUE}, complex as a compound {r, i}. Results are written little-endian
 * in the same forms. */
#define _GNU_SOURCE

#include "h5_file.h"

#include "h5_name.h"

#include <hdf5.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(hid_t) == sizeof(int64_t), "hid_t is held as int64_t in h5_file.h");

/* Object queries by their versioned names: Debian builds HDF5 with the
 * 1.8 API as default, and 1.12 changed the info struct. */
#if H5_VERSION_GE(1, 12, 0)
typedef H5O_info2_t object_info;
typedef H5L_info2_t link_info;
#define visit_links(group, op, data) H5Lvisit2(group, H5_INDEX_NAME, H5_ITER_INC, op, data)
#define visit_objects(object, op, data) \
    H5Ovisit3(object, H5_INDEX_NAME, H5_ITER_INC, op, data, H5O_INFO_BASIC)
#define visit_counting_attributes(object, op, data) \
    H5Ovisit3(object, H5_INDEX_NAME, H5_ITER_INC, op, data, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS)
#define info_by_name(location, name, info) \
    H5Oget_info_by_name3(location, name, info, H5O_INFO_BASIC, H5P_DEFAULT)
#else
typedef H5O_info_t object_info;
typedef H5L_info_t link_info;
#define visit_links(group, op, data) H5Lvisit(group, H5_INDEX_NAME, H5_ITER_INC, op, data)
#define visit_objects(object, op, data) \
    H5Ovisit2(object, H5_INDEX_NAME, H5_ITER_INC, op, data, H5O_INFO_BASIC)
#define visit_counting_attributes(object, op, data) \
    H5Ovisit2(object, H5_INDEX_NAME, H5_ITER_INC, op, data, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS)
#define info_by_name(location, name, info) \
    H5Oget_info_by_name2(location, name, info, H5O_INFO_BASIC, H5P_DEFAULT)
#endif

/* ---- errors: HDF5's stack, silenced, read for its innermost message ---- */

/* A file HDF5 could not close (its last flush failed: a full disk, a
 * file-size limit) stays in HDF5's tables, and HDF5's own exit handler
 * then crashes closing it again (1.10.8). So HDF5 is shut down by
 * h5_finish, and only when every file closed. */
static bool file_left_open;
/* Whether HDF5 was called at all: a run of .npy files never starts it, so
 * never shuts it down either (H5close would start it, and its thread-safe
 * layer's first call on a thread allocates without checking). */
static bool hdf5_started;

static void set_up(void)
{
    hdf5_started = true;
    H5dont_atexit();
    /* HDF5 keeps freed blocks (chunk buffers among them) on free lists of
     * up to 16 MiB each by default: cap them, so memory follows the slab. */
    H5set_free_list_limits(1 << 20, 1 << 18, 1 << 20, 1 << 18, 1 << 20, 1 << 18);
#ifdef M_ARENA_MAX
    /* HDF5's chunk buffers, freed by one thread and allocated by another
     * (reader, writer, main), spread over glibc's per-thread arenas: with
     * chunks taller than a slab, peak memory measured 58 MiB instead of 42
     * for 1 MiB slabs; one arena holds it at 42, at the same speed. */
    mallopt(M_ARENA_MAX, 1);
#endif
}

/* The reader and writer threads call HDF5 at once. A threadsafe HDF5
 * (Debian's) serialises calls itself; many builds elsewhere are not
 * threadsafe, so the two callbacks take this lock too (no cost here:
 * HDF5's own lock would serialise them anyway). */
static pthread_mutex_t hdf5_lock = PTHREAD_MUTEX_INITIALIZER;

/* HDF5's error stacks are per thread: each thread that calls it (the main
 * one, the reader, the writer) silences its own. */
static void silence(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, set_up);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* Whether the innermost error on the stack is the system's I/O (else it
 * is the data: a filter that fails, a damaged index). */
static herr_t find_io(unsigned n, const H5E_error2_t *entry, void *found)
{
    if (n == 0)
        *(bool *)found = entry->maj_num == H5E_IO || entry->maj_num == H5E_VFL;
    return 0;
}

static bool io_error(void)
{
    bool found = false;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_io, &found);
    return found;
}

/* The innermost message, shortened where the system's error is in it:
 * "file write failed: time = ..., error message = 'File too large', ..."
 * becomes "file write failed: File too large". */
static herr_t innermost(unsigned n, const H5E_error2_t *entry, void *text)
{
    if (n != 0 || !entry->desc)
        return 0;
    const char *said = strstr(entry->desc, "error message = '");
    const char *colon = strchr(entry->desc, ':'), *comma = strstr(entry->desc, ", errno");
    if (!colon || (comma && comma < colon))
        colon = comma; /* "unable to lock file, errno = 11, error message = '...'" */
    if (said && colon && colon < said) {
        said += strlen("error message = '");
        const char *end = strchr(said, '\'');
        snprintf(text, 160, "%.*s: %.*s", (int)(colon - entry->desc), entry->desc,
                 (int)(end ? end - said : 80), said);
    } else {
        snprintf(text, 160, "%s", entry->desc);
    }
    return 0;
}

/* "FILE:/dataset: what (HDF5: detail)", the one line a failure prints. */
static void tell(char *message, size_t message_len, const char *file, const char *dataset,
                 const char *what, const char *detail)
{
    snprintf(message, message_len, "%s%s%s: %s%s%s%s", file, dataset ? ":" : "",
             dataset ? dataset : "", what, detail[0] ? " (HDF5: " : "", detail,
             detail[0] ? ")" : "");
}

/* That line with the innermost message of the error stack, cleared. */
static npy_file_status say(npy_file_status status, char *message, size_t message_len,
                           const char *file, const char *dataset, const char *what)
{
    char detail[160] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, detail);
    H5Eclear2(H5E_DEFAULT);
    tell(message, message_len, file, dataset, what, detail);
    return status;
}

/* An H5Fopen that failed: the system's (a lock another process holds,
 * too many open files: exit 4) or the file's (damaged, truncated: 3). */
static npy_file_status open_failed(char *message, size_t message_len, const char *file,
                                   const char *dataset)
{
    return io_error() ? say(NPY_FILE_EIO, message, message_len, file, dataset, "cannot open")
                      : say(NPY_FILE_EINPUT, message, message_len, file, dataset,
                            "a damaged or truncated HDF5 file");
}

/* ---- types ---- */

static hid_t float16_type(hid_t order)
{
    /* As h5py makes it: IEEE binary16 fields in a 2-byte float. */
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    if (t < 0 || H5Tset_fields(t, 15, 10, 5, 0, 10) < 0 || H5Tset_size(t, 2) < 0 ||
        H5Tset_ebias(t, 15) < 0 || H5Tset_order(t, (H5T_order_t)order) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* The HDF5 type of `dtype`: native for memory, else little-endian. */
static hid_t make_type(pscan_dtype dtype, bool native)
{
    const H5T_order_t order = native ? H5Tget_order(H5T_NATIVE_INT) : H5T_ORDER_LE;
    hid_t base = -1;
    switch (dtype) {
    case PSCAN_INT8:
        base = native ? H5T_NATIVE_INT8 : H5T_STD_I8LE;
        break;
    case PSCAN_INT16:
        base = native ? H5T_NATIVE_INT16 : H5T_STD_I16LE;
        break;
    case PSCAN_INT32:
        base = native ? H5T_NATIVE_INT32 : H5T_STD_I32LE;
        break;
    case PSCAN_INT64:
        base = native ? H5T_NATIVE_INT64 : H5T_STD_I64LE;
        break;
    case PSCAN_UINT8:
        base = native ? H5T_NATIVE_UINT8 : H5T_STD_U8LE;
        break;
    case PSCAN_UINT16:
        base = native ? H5T_NATIVE_UINT16 : H5T_STD_U16LE;
        break;
    case PSCAN_UINT32:
        base = native ? H5T_NATIVE_UINT32 : H5T_STD_U32LE;
        break;
    case PSCAN_UINT64:
        base = native ? H5T_NATIVE_UINT64 : H5T_STD_U64LE;
        break;
    case PSCAN_FLOAT32:
        base = native ? H5T_NATIVE_FLOAT : H5T_IEEE_F32LE;
        break;
    case PSCAN_FLOAT64:
        base = native ? H5T_NATIVE_DOUBLE : H5T_IEEE_F64LE;
        break;
    case PSCAN_FLOAT16:
        return float16_type(order);
    case PSCAN_BOOL: {
        hid_t t = H5Tenum_create(native ? H5T_NATIVE_INT8 : H5T_STD_I8LE);
        const signed char no = 0, yes = 1;
        if (t < 0 || H5Tenum_insert(t, "FALSE", &no) < 0 || H5Tenum_insert(t, "TRUE", &yes) < 0) {
            H5Tclose(t);
            return -1;
        }
        return t;
    }
    case PSCAN_COMPLEX64:
    case PSCAN_COMPLEX128: {
        const bool wide = dtype == PSCAN_COMPLEX128;
        const hid_t part = wide ? (native ? H5T_NATIVE_DOUBLE : H5T_IEEE_F64LE)
                                : (native ? H5T_NATIVE_FLOAT : H5T_IEEE_F32LE);
        const size_t half = wide ? 8 : 4;
        hid_t t = H5Tcreate(H5T_COMPOUND, 2 * half);
        if (t < 0 || H5Tinsert(t, "r", 0, part) < 0 || H5Tinsert(t, "i", half, part) < 0) {
            H5Tclose(t);
            return -1;
        }
        return t;
    }
    default:
        return -1;
    }
    return H5Tcopy(base);
}

/* A float type with IEEE binary16/32/64 fields and no padding. */
static bool is_ieee(hid_t type, size_t size)
{
    size_t spos, epos, esize, mpos, msize;
    if (H5Tget_class(type) != H5T_FLOAT || H5Tget_size(type) != size ||
        H5Tget_precision(type) != 8 * size || H5Tget_offset(type) != 0 ||
        H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) < 0)
        return false;
    const size_t e = size == 2 ? 5 : size == 4 ? 8 : 11;
    return spos == 8 * size - 1 && epos == 8 * size - 1 - e && esize == e && mpos == 0 &&
           msize == epos && H5Tget_ebias(type) == ((size_t)1 << (e - 1)) - 1;
}

static bool is_bool_enum(hid_t type)
{
    if (H5Tget_size(type) != 1 || H5Tget_nmembers(type) != 2)
        return false;
    bool ok = true;
    for (unsigned k = 0; k < 2 && ok; k++) {
        char *name = H5Tget_member_name(type, k);
        signed char value = -1;
        ok = name && H5Tget_member_value(type, k, &value) == 0 &&
             ((strcmp(name, "FALSE") == 0 && value == 0) ||
              (strcmp(name, "TRUE") == 0 && value == 1));
        H5free_memory(name);
    }
    return ok;
}

/* A compound {r, i} of one IEEE float type, as h5py writes complex. */
static bool is_complex(hid_t type, pscan_dtype *dtype)
{
    if (H5Tget_nmembers(type) != 2)
        return false;
    bool ok = true;
    size_t half = 0;
    for (unsigned k = 0; k < 2 && ok; k++) {
        char *name = H5Tget_member_name(type, k);
        hid_t part = H5Tget_member_type(type, k);
        const size_t size = part >= 0 ? H5Tget_size(part) : 0;
        ok = name && strcmp(name, k ? "i" : "r") == 0 && (size == 4 || size == 8) &&
             is_ieee(part, size) && (k == 0 || size == half) &&
             H5Tget_member_offset(type, k) == k * size;
        half = size;
        H5free_memory(name);
        if (part >= 0)
            H5Tclose(part);
    }
    if (!ok || H5Tget_size(type) != 2 * half)
        return false;
    *dtype = half == 8 ? PSCAN_COMPLEX128 : PSCAN_COMPLEX64;
    return true;
}

/* The pscan dtype of a dataset's type, or a phrase for what it is. */
static bool map_type(hid_t type, pscan_dtype *dtype, const char **what)
{
    const size_t size = H5Tget_size(type);
    switch (H5Tget_class(type)) {
    case H5T_INTEGER: {
        static const pscan_dtype ints[2][4] = {
            {PSCAN_UINT8, PSCAN_UINT16, PSCAN_UINT32, PSCAN_UINT64},
            {PSCAN_INT8, PSCAN_INT16, PSCAN_INT32, PSCAN_INT64},
        };
        const int log = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
        if (log < 0 || H5Tget_precision(type) != 8 * size || H5Tget_offset(type) != 0) {
            *what = "an integer type of unusual size or precision";
            return false;
        }
        *dtype = ints[H5Tget_sign(type) == H5T_SGN_2][log];
        return true;
    }
    case H5T_FLOAT:
        if (!is_ieee(type, size)) {
            *what = "a float type that is not IEEE binary16, 32 or 64";
            return false;
        }
        *dtype = size == 2 ? PSCAN_FLOAT16 : size == 4 ? PSCAN_FLOAT32 : PSCAN_FLOAT64;
        return true;
    case H5T_ENUM:
        if (!is_bool_enum(type)) {
            *what = "an enum other than h5py's bool {FALSE, TRUE}";
            return false;
        }
        *dtype = PSCAN_BOOL;
        return true;
    case H5T_COMPOUND:
        if (!is_complex(type, dtype)) {
            *what = "a compound type other than h5py's complex {r, i}";
            return false;
        }
        return true;
    case H5T_STRING:
        *what = "strings";
        return false;
    case H5T_VLEN:
        *what = "variable-length sequences";
        return false;
    case H5T_REFERENCE:
        *what = "references";
        return false;
    case H5T_OPAQUE:
        *what = "opaque data";
        return false;
    case H5T_BITFIELD:
        *what = "bit fields";
        return false;
    case H5T_ARRAY:
        *what = "arrays in each element";
        return false;
    case H5T_TIME:
        *what = "times";
        return false;
    default:
        *what = "a type pscan does not know";
        return false;
    }
}

/* ---- ranges of elements as hyperslabs ---- */

/* One transfer of a range: a dataset, its file space, a memory type and
 * the buffer; each box of the range moves on its own, with a memory space
 * of the box's own shape (a memory space of another rank makes HDF5 map
 * every element to its chunk one at a time, several times slower). */
typedef struct range_io {
    hid_t dataset, file_space, memory_type;
    unsigned char *buffer; /* where the next box's elements go or come from */
    size_t item;
    bool write;
    bool system;      /* a failure was the system's I/O, not the data */
    char detail[160]; /* HDF5's innermost message of a failure */
} range_io;

/* Keep what the error stack says before another call clears it. */
static bool failed(range_io *io)
{
    io->system = io_error();
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, io->detail);
    return false;
}

/* The buffer's next elements to or from the file space's selection. */
static bool transfer(range_io *io, hid_t memory_space)
{
    const bool ok = (io->write ? H5Dwrite(io->dataset, io->memory_type, memory_space,
                                          io->file_space, H5P_DEFAULT, io->buffer)
                               : H5Dread(io->dataset, io->memory_type, memory_space, io->file_space,
                                         H5P_DEFAULT, io->buffer)) >= 0;
    return ok || failed(io);
}

static bool move_box(range_io *io, int ndim, const hsize_t *start, const hsize_t *count)
{
    hsize_t elements = 1;
    for (int k = 0; k < ndim; k++)
        elements *= count[k];
    if (elements == 0)
        return true;
    hid_t memory_space = H5Screate_simple(ndim, count, NULL);
    const bool ok =
        (memory_space >= 0 || failed(io)) &&
        (H5Sselect_hyperslab(io->file_space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 ||
         failed(io)) &&
        transfer(io, memory_space);
    if (memory_space >= 0)
        H5Sclose(memory_space);
    io->buffer += elements * io->item;
    return ok;
}

/* Move elements [lo, hi) of the block at start[0..d-1] (count 1 there),
 * whose dims d.. are `dims` d.., in C order: a partial first row, the
 * whole rows, a partial last row, each a box that is a run of the C order
 * (at most 2N-1 boxes in all). */
static bool move_range(range_io *io, int ndim, const hsize_t *dims, hsize_t *start, hsize_t *count,
                       int d, hsize_t lo, hsize_t hi)
{
    if (lo >= hi)
        return true;
    hsize_t inner = 1;
    for (int k = d + 1; k < ndim; k++)
        inner *= dims[k];
    hsize_t row = lo / inner;
    if (lo % inner) { /* a partial first row */
        const hsize_t end = hi < (row + 1) * inner ? hi : (row + 1) * inner;
        start[d] = row;
        count[d] = 1;
        if (!move_range(io, ndim, dims, start, count, d + 1, lo - row * inner, end - row * inner))
            return false;
        lo = end;
        row++;
        if (lo >= hi)
            return true;
    }
    for (int k = d + 1; k < ndim; k++) {
        start[k] = 0;
        count[k] = dims[k];
    }
    const hsize_t rows = hi / inner - row;
    if (rows > 0) {
        start[d] = row;
        count[d] = rows;
        if (!move_box(io, ndim, start, count))
            return false;
    }
    if (hi % inner) { /* a partial last row */
        start[d] = hi / inner;
        count[d] = 1;
        return move_range(io, ndim, dims, start, count, d + 1, 0, hi % inner);
    }
    return true;
}

/* Elements [first, first + n) in C order of a dataset of `ndim` dims. */
static bool move_elements(range_io *io, int ndim, const uint64_t *shape, uint64_t first, uint64_t n)
{
    if (ndim == 0) { /* a scalar dataspace: its one element */
        H5Sselect_all(io->file_space);
        return n == 0 || transfer(io, H5S_ALL);
    }
    hsize_t dims[PSCAN_MAX_DIMS], start[PSCAN_MAX_DIMS], count[PSCAN_MAX_DIMS];
    for (int k = 0; k < ndim; k++)
        dims[k] = shape[k];
    return move_range(io, ndim, dims, start, count, 0, first, first + n);
}

/* ---- the chunk cache ---- */

/* A dataset access list whose chunk cache holds `bytes` of chunks. */
static hid_t cache_list(uint64_t bytes)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    /* Slots: a prime well above the chunks that fit (HDF5's advice). */
    if (dapl >= 0 && H5Pset_chunk_cache(dapl, 100003, (size_t)bytes, 1.0) < 0) {
        H5Pclose(dapl);
        return -1;
    }
    return dapl;
}

/* The most a dataset's chunk cache holds: two slabs, or 4 MiB for small
 * slabs (whose chunks are often bigger than they are). */
static uint64_t cache_cap(size_t slab_bytes)
{
    const uint64_t two = 2 * (uint64_t)slab_bytes;
    return two > ((uint64_t)4 << 20) ? two : (uint64_t)4 << 20;
}

/* Bytes of the chunks that hold one index of dim 0 (a row of chunks). */
static uint64_t chunk_row_bytes(int ndim, const uint64_t *dims, const uint64_t *chunk, size_t item)
{
    uint64_t bytes = item * (ndim > 0 ? chunk[0] : 1);
    for (int k = 1; k < ndim; k++)
        bytes *= (dims[k] + chunk[k] - 1) / chunk[k] * chunk[k];
    return bytes;
}

/* An access list for a dataset of `chunk`s, read or written in slabs of
 * `slab_bytes`: its cache holds a row of chunks, so a chunk two slabs
 * share is decompressed (or written) once; capped at cache_cap, and at
 * least one chunk. */
static hid_t row_cache_list(int ndim, const uint64_t *dims, const uint64_t *chunk, size_t item,
                            size_t slab_bytes)
{
    uint64_t chunk_bytes = item;
    for (int k = 0; k < ndim; k++)
        chunk_bytes *= chunk[k];
    const uint64_t row = chunk_row_bytes(ndim, dims, chunk, item), cap = cache_cap(slab_bytes);
    const uint64_t bytes = row < cap ? row : cap;
    return cache_list(bytes > chunk_bytes ? bytes : chunk_bytes);
}

/* ---- inputs ---- */

/* The name of the file's only dataset into *found (malloc'ed); the count
 * of datasets into *count. */
typedef struct only_dataset {
    int count;
    char *found;
} only_dataset;

static herr_t note_dataset(hid_t object, const char *name, const object_info *info, void *data)
{
    (void)object;
    only_dataset *only = data;
    if (info->type == H5O_TYPE_DATASET && only->count++ == 0 &&
        asprintf(&only->found, "/%s", name) < 0)
        only->found = NULL;
    return 0;
}

/* The filters pscan keeps (gzip, shuffle), all their names for info,
 * and the first one this HDF5 cannot run (NULL: none). */
static const char *describe_filters(hid_t dcpl, h5_input *in)
{
    static char missing[80];
    const char *absent = NULL;
    const int n = H5Pget_nfilters(dcpl);
    for (int k = 0; k < n; k++) {
        unsigned flags, values[8];
        size_t nvalues = 8;
        char name[64] = "";
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl, (unsigned)k, &flags, &nvalues, values, sizeof name, name, NULL);
        const size_t used = strlen(in->filters);
        if (id == H5Z_FILTER_DEFLATE) {
            in->gzip_level = nvalues > 0 ? (int)values[0] : 4;
            snprintf(in->filters + used, sizeof in->filters - used, "%sgzip(%d)", used ? "," : "",
                     in->gzip_level);
        } else {
            in->shuffle = in->shuffle || id == H5Z_FILTER_SHUFFLE;
            snprintf(in->filters + used, sizeof in->filters - used, "%s%s", used ? "," : "",
                     id == H5Z_FILTER_SHUFFLE       ? "shuffle"
                     : id == H5Z_FILTER_FLETCHER32  ? "fletcher32"
                     : id == H5Z_FILTER_SCALEOFFSET ? "scaleoffset"
                     : id == H5Z_FILTER_NBIT        ? "nbit"
                     : id == H5Z_FILTER_SZIP        ? "szip"
                     : name[0]                      ? name
                                                    : "unknown");
        }
        if (!absent && H5Zfilter_avail(id) <= 0) {
            snprintf(missing, sizeof missing, "filter %d (%s)", (int)id,
                     name[0] ? name : "unnamed");
            absent = missing;
        }
    }
    return absent;
}

npy_file_status h5_input_open(h5_input *in, const char *file, const char *dataset,
                              size_t slab_bytes, char *message, size_t message_len)
{
    memset(in, 0, sizeof *in);
    in->file_id = in->dataset_id = in->space_id = in->memory_type = -1;
    in->gzip_level = -1;
    silence();
    if (access(file, R_OK) != 0)
        return say(NPY_FILE_EIO, message, message_len, file, dataset,
                   errno == ENOENT ? "cannot open: no such file" : "cannot open: not readable");
    if (!h5_name_is_hdf5(file))
        return say(NPY_FILE_EINPUT, message, message_len, file, dataset, "not an HDF5 file");
    in->file_id = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (in->file_id < 0)
        return open_failed(message, message_len, file, dataset);
    if (!dataset) {
        only_dataset only = {0, NULL};
        if (visit_objects(in->file_id, note_dataset, &only) < 0 || only.count != 1) {
            free(only.found);
            h5_input_close(in);
            return say(only.count > 1 ? NPY_FILE_EUSAGE : NPY_FILE_EINPUT, message, message_len,
                       file, NULL,
                       only.count > 1 ? "holds several datasets: name one as FILE:/path"
                                      : "holds no dataset");
        }
        in->dataset = only.found;
    } else {
        in->dataset = strdup(dataset);
    }
    in->file = strdup(file);
    if (!in->file || !in->dataset) {
        h5_input_close(in);
        return say(NPY_FILE_ENOMEM, message, message_len, file, dataset, "out of memory");
    }
    object_info info;
    if (info_by_name(in->file_id, in->dataset, &info) < 0) {
        npy_file_status s =
            say(NPY_FILE_EINPUT, message, message_len, file, in->dataset, "no such dataset");
        h5_input_close(in);
        return s;
    }
    if (info.type != H5O_TYPE_DATASET) {
        npy_file_status s =
            say(NPY_FILE_EINPUT, message, message_len, file, in->dataset,
                info.type == H5O_TYPE_GROUP ? "a group, not a dataset" : "not a dataset");
        h5_input_close(in);
        return s;
    }
    in->dataset_id = H5Dopen2(in->file_id, in->dataset, H5P_DEFAULT);
    hid_t type = in->dataset_id >= 0 ? H5Dget_type(in->dataset_id) : -1;
    in->space_id = in->dataset_id >= 0 ? H5Dget_space(in->dataset_id) : -1;
    hid_t dcpl = in->dataset_id >= 0 ? H5Dget_create_plist(in->dataset_id) : -1;
    npy_file_status status = NPY_FILE_OK;
    const char *problem = "cannot open the dataset";
    if (type < 0 || in->space_id < 0 || dcpl < 0) {
        status = NPY_FILE_EINPUT;
    } else if (!map_type(type, &in->header.dtype, &problem)) {
        char what[200];
        snprintf(what, sizeof what, "unsupported type: %s", problem);
        status = say(NPY_FILE_EINPUT, message, message_len, file, in->dataset, what);
        problem = NULL;
    } else if (H5Sget_simple_extent_type(in->space_id) == H5S_NULL) {
        status = NPY_FILE_EINPUT;
        problem = "a dataset with a null dataspace (no data at all)";
    } else {
        hsize_t dims[PSCAN_MAX_DIMS];
        const int ndim = H5Sget_simple_extent_ndims(in->space_id);
        bool addressable = true;
        if (ndim < 0 || ndim > PSCAN_MAX_DIMS ||
            H5Sget_simple_extent_dims(in->space_id, dims, NULL) < 0) {
            status = NPY_FILE_EINPUT;
            problem = "a dataspace of more dimensions than pscan takes";
            addressable = false;
        }
        for (int k = 0; addressable && k < ndim; k++)
            addressable = dims[k] <= (hsize_t)INT64_MAX;
        if (status == NPY_FILE_OK && !addressable) {
            status = NPY_FILE_EINPUT;
            problem = "a dimension too large to address";
        } else if (status == NPY_FILE_OK) {
            in->header.ndim = ndim;
            in->header.major = 1;
            for (int k = 0; k < ndim; k++)
                in->header.shape[k] = (int64_t)dims[k];
            if (pscan_npy_data_bytes(&in->header, &in->data_bytes) != PSCAN_NPY_OK) {
                status = NPY_FILE_EINPUT;
                problem = "a dataset too large to address";
            }
        }
    }
    if (status == NPY_FILE_OK && H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t chunk[PSCAN_MAX_DIMS];
        const int chunk_ndim = H5Pget_chunk(dcpl, PSCAN_MAX_DIMS, chunk);
        /* HDF5 gives a chunk rank equal to the dataspace's (or fails). */
        in->chunk_ndim = chunk_ndim == in->header.ndim ? chunk_ndim : 0;
        uint64_t dims[PSCAN_MAX_DIMS] = {0};
        for (int k = 0; k < in->chunk_ndim; k++) {
            in->chunk[k] = chunk[k] ? chunk[k] : 1;
            dims[k] = (uint64_t)in->header.shape[k];
        }
        const char *absent = describe_filters(dcpl, in);
        if (absent) {
            char what[200];
            snprintf(what, sizeof what, "compressed with %s, which this HDF5 library cannot decode",
                     absent);
            status = say(NPY_FILE_EINPUT, message, message_len, file, in->dataset, what);
            problem = NULL;
        }
        /* Reopen with a cache for a row of chunks. */
        hid_t dapl = row_cache_list(in->chunk_ndim, dims, in->chunk,
                                    pscan_dtype_size(in->header.dtype), slab_bytes);
        H5Dclose(in->dataset_id);
        in->dataset_id = dapl >= 0 ? H5Dopen2(in->file_id, in->dataset, dapl) : -1;
        H5Pclose(dapl);
        if (in->dataset_id < 0)
            status = NPY_FILE_EINPUT;
    }
    if (status == NPY_FILE_OK && (in->memory_type = make_type(in->header.dtype, true)) < 0) {
        status = NPY_FILE_EINPUT;
        problem = "cannot make its memory type";
    }
    if (type >= 0)
        H5Tclose(type);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (status != NPY_FILE_OK) {
        if (problem)
            say(status, message, message_len, file, in->dataset, problem);
        h5_input_close(in);
    }
    return status;
}

int h5_input_read(void *input, uint64_t offset, size_t bytes, unsigned char *dst)
{
    h5_input *in = input;
    const size_t item = pscan_dtype_size(in->header.dtype);
    uint64_t shape[PSCAN_MAX_DIMS];
    for (int k = 0; k < in->header.ndim; k++)
        shape[k] = (uint64_t)in->header.shape[k];
    range_io io = {.dataset = in->dataset_id,
                   .file_space = in->space_id,
                   .memory_type = in->memory_type,
                   .buffer = dst,
                   .item = item};
    pthread_mutex_lock(&hdf5_lock);
    silence();
    const bool ok = move_elements(&io, in->header.ndim, shape, offset / item, bytes / item);
    pthread_mutex_unlock(&hdf5_lock);
    if (ok)
        return 0;
    tell(in->error, sizeof in->error, in->file, in->dataset,
         io.system ? "cannot read" : "damaged data", io.detail);
    return io.system ? EIO : EBADMSG;
}

void h5_input_close(h5_input *in)
{
    if (in->memory_type >= 0)
        H5Tclose(in->memory_type);
    if (in->space_id >= 0)
        H5Sclose(in->space_id);
    if (in->dataset_id >= 0)
        H5Dclose(in->dataset_id);
    if (in->file_id >= 0)
        H5Fclose(in->file_id);
    free(in->file);
    free(in->dataset);
    in->file = in->dataset = NULL;
    in->file_id = in->dataset_id = in->space_id = in->memory_type = -1;
}

size_t h5_input_slab(const h5_input *in, size_t slab_bytes)
{
    if (in->chunk_ndim < 1 || in->header.ndim < 1)
        return slab_bytes;
    uint64_t row = pscan_dtype_size(in->header.dtype);
    for (int k = 1; k < in->header.ndim; k++)
        row *= (uint64_t)in->header.shape[k];
    const uint64_t rows = row ? slab_bytes / row : 0;
    if (in->chunk[0] == 0 || rows < in->chunk[0])
        return slab_bytes;
    return (size_t)(rows / in->chunk[0] * in->chunk[0] * row);
}

/* ---- outputs ---- */

/* Copy the file `from` into the open descriptor `fd`; 0 or an errno. */
static int copy_file(const char *from, int fd)
{
    const int src = open(from, O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return errno;
    int err = 0;
    for (;;) {
        ssize_t n = copy_file_range(src, NULL, fd, NULL, (size_t)1 << 30, 0);
        if (n == 0)
            break;
        if (n > 0)
            continue;
        if (errno == EINTR)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
            err = errno;
            break;
        }
        /* No copy_file_range between these files: read and write. */
        unsigned char buffer[1 << 16];
        ssize_t got;
        while ((got = read(src, buffer, sizeof buffer)) > 0 || (got < 0 && errno == EINTR))
            if (got > 0) {
                const ssize_t put = write(fd, buffer, (size_t)got);
                if (put != got) {
                    err = put < 0 ? errno : ENOSPC; /* a short write: the disk is full */
                    break;
                }
            }
        if (got < 0 && !err)
            err = errno;
        break;
    }
    close(src);
    return err;
}

/* The chunk shape of the result: the input's when the ranks match and
 * every chunk dimension fits, else about 1 MiB of whole rows of the
 * fastest dimensions. False: no chunking (a zero-length dimension). */
static bool result_chunks(const h5_output *out, const h5_input *like, size_t slab_bytes,
                          hsize_t *chunk)
{
    for (int k = 0; k < out->ndim; k++)
        if (out->shape[k] == 0)
            return false;
    if (like && like->chunk_ndim == out->ndim) {
        /* Kept when they fit, and a row of them fits in the chunk cache:
         * taller chunks would be written in part, slab after slab. */
        bool fits =
            chunk_row_bytes(out->ndim, out->shape, like->chunk, out->item) <= cache_cap(slab_bytes);
        uint64_t chunk_bytes = out->item;
        for (int k = 0; k < out->ndim; k++) {
            fits = fits && like->chunk[k] <= out->shape[k];
            chunk_bytes *= like->chunk[k];
        }
        fits = fits && chunk_bytes < ((uint64_t)1 << 32); /* HDF5's limit on a chunk */
        if (fits) {
            for (int k = 0; k < out->ndim; k++)
                chunk[k] = like->chunk[k];
            return true;
        }
    }
    uint64_t budget = ((uint64_t)1 << 20) / out->item;
    for (int k = out->ndim - 1; k >= 0; k--) {
        chunk[k] = out->shape[k] < budget ? out->shape[k] : budget;
        if (chunk[k] == 0)
            chunk[k] = 1;
        budget /= chunk[k];
        if (budget == 0)
            budget = 1;
    }
    return true;
}

static herr_t copy_attribute(hid_t from, const char *name, const H5A_info_t *info, void *to)
{
    (void)info;
    if (strncmp(name, "pscan_", 6) == 0)
        return 0; /* written anew */
    hid_t attr = H5Aopen(from, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    herr_t result = -1;
    /* References (dimension scales) point into the input file: skipped. */
    if (type >= 0 && space >= 0 && H5Tdetect_class(type, H5T_REFERENCE) > 0) {
        result = 0;
    } else if (type >= 0 && space >= 0) {
        const hssize_t n = H5Sget_simple_extent_npoints(space);
        const size_t bytes = (size_t)(n > 0 ? n : 1) * H5Tget_size(type);
        void *buffer = calloc(1, bytes);
        if (buffer && H5Aread(attr, type, buffer) >= 0) {
            hid_t copy = H5Acreate2(*(hid_t *)to, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
            if (copy >= 0 && H5Awrite(copy, type, buffer) >= 0)
                result = 0;
            if (copy >= 0)
                H5Aclose(copy);
            if (H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0)
                H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
        }
        free(buffer);
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    return result;
}

static bool write_string_attribute(hid_t object, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = -1;
    bool ok = type >= 0 && space >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 &&
              H5Tset_cset(type, H5T_CSET_UTF8) >= 0 &&
              (attr = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
              H5Awrite(attr, type, &value) >= 0;
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return ok;
}

static bool write_axis_attribute(hid_t object, const h5_output_options *options)
{
    if (options->naxes == 0)
        return write_string_attribute(object, "pscan_axis", "None");
    int64_t axes[PSCAN_MAX_DIMS];
    for (int k = 0; k < options->naxes; k++)
        axes[k] = options->axes[k];
    const hsize_t n = (hsize_t)options->naxes;
    hid_t space = options->axes_list ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
    hid_t attr = space >= 0 ? H5Acreate2(object, "pscan_axis", H5T_STD_I64LE, space, H5P_DEFAULT,
                                         H5P_DEFAULT)
                            : -1;
    const bool ok = attr >= 0 && H5Awrite(attr, H5T_NATIVE_INT64, axes) >= 0;
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    return ok;
}

/* The dataset of `out` in its (open) temporary file, with attributes. */
static npy_file_status create_dataset(h5_output *out, const h5_input *like,
                                      const h5_output_options *options, char *message,
                                      size_t message_len)
{
    const char *file = out->final_path, *name = out->dataset;
    object_info info;
    /* A dataset of the same name is replaced; a group is not. */
    if (info_by_name(out->file_id, name, &info) >= 0) {
        if (info.type != H5O_TYPE_DATASET)
            return say(NPY_FILE_EUSAGE, message, message_len, file, name,
                       "a group, not a dataset: not replaced");
        if (H5Ldelete(out->file_id, name, H5P_DEFAULT) < 0)
            return say(NPY_FILE_EIO, message, message_len, file, name,
                       "cannot replace the dataset");
    }
    H5Eclear2(H5E_DEFAULT);
    /* Groups above it are made as needed, but a dataset there is no group. */
    for (const char *slash = strchr(name + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        char *above = strndup(name, (size_t)(slash - name));
        const bool blocked =
            above && info_by_name(out->file_id, above, &info) >= 0 && info.type != H5O_TYPE_GROUP;
        H5Eclear2(H5E_DEFAULT);
        if (blocked) {
            char what[300];
            snprintf(what, sizeof what, "%s is not a group", above);
            free(above);
            return say(NPY_FILE_EUSAGE, message, message_len, file, name, what);
        }
        free(above);
    }
    hsize_t dims[PSCAN_MAX_DIMS], chunk[PSCAN_MAX_DIMS];
    for (int k = 0; k < out->ndim; k++)
        dims[k] = out->shape[k];
    hid_t space = H5Screate_simple(out->ndim, dims, NULL);
    hid_t type = -1;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE), dapl = -1;
    bool ok =
        space >= 0 && lcpl >= 0 && dcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0;
    if (ok && result_chunks(out, like, options->slab_bytes, chunk)) {
        uint64_t chunk64[PSCAN_MAX_DIMS];
        for (int k = 0; k < out->ndim; k++)
            chunk64[k] = chunk[k];
        const int level = options->gzip >= 0 ? options->gzip : like ? like->gzip_level : -1;
        const bool shuffle = !options->no_compress && like && like->shuffle;
        ok = H5Pset_chunk(dcpl, out->ndim, chunk) >= 0 && (!shuffle || H5Pset_shuffle(dcpl) >= 0) &&
             (options->no_compress || level < 0 || H5Pset_deflate(dcpl, (unsigned)level) >= 0);
        dapl = row_cache_list(out->ndim, out->shape, chunk64, out->item, options->slab_bytes);
        ok = ok && dapl >= 0;
    }
    if (ok)
        ok = (type = make_type(out->dtype, false)) >= 0;
    if (ok)
        out->dataset_id =
            H5Dcreate2(out->file_id, name, type, space, lcpl, dcpl, dapl >= 0 ? dapl : H5P_DEFAULT);
    ok = ok && out->dataset_id >= 0;
    npy_file_status status = NPY_FILE_OK;
    if (!ok)
        status = say(NPY_FILE_EIO, message, message_len, file, name, "cannot create the dataset");
    if (ok && like &&
        H5Aiterate2(like->dataset_id, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attribute,
                    &out->dataset_id) < 0)
        status = say(NPY_FILE_EIO, message, message_len, file, name,
                     "cannot copy the input's attributes");
    if (status == NPY_FILE_OK &&
        !(write_string_attribute(out->dataset_id, "pscan_op", options->op) &&
          write_axis_attribute(out->dataset_id, options) &&
          write_string_attribute(out->dataset_id, "pscan_version", pscan_version())))
        status = say(NPY_FILE_EIO, message, message_len, file, name, "cannot write attributes");
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (dapl >= 0)
        H5Pclose(dapl);
    return status;
}

/* Whether the objects of a file are only `dataset` and the groups above
 * it, none with attributes but the dataset. */
typedef struct only_target {
    const char *dataset; /* without its leading '/' */
    bool other;
} only_target;

/* `name` is the target or a group on the way to it. */
static bool on_the_way(const only_target *only, const char *name, bool *target)
{
    const size_t len = strlen(name);
    *target = strcmp(name, only->dataset) == 0;
    return *target || strcmp(name, ".") == 0 ||
           (strncmp(only->dataset, name, len) == 0 && only->dataset[len] == '/');
}

static herr_t check_object(hid_t object, const char *name, const object_info *info, void *data)
{
    (void)object;
    only_target *only = data;
    bool target;
    if (!on_the_way(only, name, &target) ||
        (!target && (info->type != H5O_TYPE_GROUP || info->num_attrs != 0)))
        only->other = true;
    return only->other ? 1 : 0;
}

/* Objects are visited once each: soft, external and dangling links, and a
 * second name for the target, are only seen as links. */
static herr_t check_link(hid_t group, const char *name, const link_info *info, void *data)
{
    (void)group;
    only_target *only = data;
    bool target;
    if (!on_the_way(only, name, &target) || info->type != H5L_TYPE_HARD)
        only->other = true;
    return only->other ? 1 : 0;
}

static bool holds_only(const char *file, const char *dataset)
{
    hid_t file_id = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_id < 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
    }
    while (*dataset == '/')
        dataset++;
    only_target only = {dataset, false};
    herr_t visited = visit_counting_attributes(file_id, check_object, &only);
    if (visited >= 0 && !only.other)
        visited = visit_links(file_id, check_link, &only);
    H5Fclose(file_id);
    H5Eclear2(H5E_DEFAULT);
    return visited >= 0 && !only.other;
}

npy_file_status h5_output_create(h5_output *out, const char *file, const char *dataset,
                                 const pscan_npy_header *result, const h5_input *like,
                                 const h5_output_options *options, char *message,
                                 size_t message_len)
{
    memset(out, 0, sizeof *out);
    out->file_id = out->dataset_id = out->memory_type = -1;
    silence();
    out->dtype = result->dtype;
    out->item = pscan_dtype_size(result->dtype);
    out->ndim = result->ndim;
    for (int k = 0; k < result->ndim; k++)
        out->shape[k] = (uint64_t)result->shape[k];
    out->final_path = strdup(file);
    out->dataset = strdup(dataset);
    if (!out->final_path || !out->dataset) {
        h5_output_abort(out);
        return say(NPY_FILE_ENOMEM, message, message_len, file, dataset, "out of memory");
    }
    const int fd = npy_create_temp(file, &out->temp_path);
    if (fd < 0) {
        const int err = errno;
        h5_output_abort(out);
        char what[200];
        snprintf(what, sizeof what, "cannot create a file beside it: %s", strerror(err));
        return say(err == ENOMEM ? NPY_FILE_ENOMEM : NPY_FILE_EIO, message, message_len, file,
                   dataset, what);
    }
    /* An OUT that is there but cannot be read might be HDF5 with other
     * datasets: never replace it blind. */
    if (access(file, F_OK) == 0 && access(file, R_OK) != 0) {
        const int err = errno;
        h5_output_abort(out);
        char what[200];
        snprintf(what, sizeof what, "cannot read the existing file: %s", strerror(err));
        close(fd);
        return say(NPY_FILE_EIO, message, message_len, file, dataset, what);
    }
    /* An HDF5 file there already keeps its other objects: work on a copy
     * (unless it holds nothing else, as when a job is run again). */
    const bool update = h5_name_is_hdf5(file) && !holds_only(file, dataset);
    int err = update ? copy_file(file, fd) : 0;
    if (close(fd) != 0 && !err)
        err = errno;
    if (err) {
        h5_output_abort(out);
        char what[200];
        snprintf(what, sizeof what, "cannot copy the file to update it: %s", strerror(err));
        return say(NPY_FILE_EIO, message, message_len, file, dataset, what);
    }
    /* A new file is made by HDF5 in the temporary's place, without
     * truncating it (H5F_ACC_TRUNC would): ext4 writes back a file that was
     * truncated to 0 when it is closed, which cost 0.36 s of a 0.9 s run
     * for 1 GiB. The name stays known to the cleanup signals meanwhile. */
    if (!update)
        unlink(out->temp_path);
    out->file_id = update ? H5Fopen(out->temp_path, H5F_ACC_RDWR, H5P_DEFAULT)
                          : H5Fcreate(out->temp_path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (out->file_id < 0) {
        npy_file_status s =
            say(update ? NPY_FILE_EINPUT : NPY_FILE_EIO, message, message_len, file, dataset,
                update ? "the existing file is a damaged HDF5 file" : "cannot create the file");
        h5_output_abort(out);
        return s;
    }
    npy_file_status status = create_dataset(out, like, options, message, message_len);
    if (status == NPY_FILE_OK && (out->memory_type = make_type(out->dtype, true)) < 0)
        status = say(NPY_FILE_EIO, message, message_len, file, dataset, "cannot make a type");
    if (status != NPY_FILE_OK)
        h5_output_abort(out);
    return status;
}

int h5_output_write(void *output, const unsigned char *data, size_t bytes, uint64_t offset)
{
    h5_output *out = output;
    pthread_mutex_lock(&hdf5_lock);
    silence();
    hid_t file_space = H5Dget_space(out->dataset_id);
    /* HDF5 only reads from the buffer it is given to write. */
    range_io io = {.dataset = out->dataset_id,
                   .file_space = file_space,
                   .memory_type = out->memory_type,
                   .buffer = (unsigned char *)(uintptr_t)data,
                   .item = out->item,
                   .write = true};
    const bool ok = file_space >= 0 && move_elements(&io, out->ndim, out->shape, offset / out->item,
                                                     bytes / out->item);
    if (file_space >= 0)
        H5Sclose(file_space);
    pthread_mutex_unlock(&hdf5_lock);
    if (ok)
        return 0;
    tell(out->error, sizeof out->error, out->final_path, out->dataset, "cannot write", io.detail);
    return EIO;
}

npy_file_status h5_output_commit(h5_output *out, char *message, size_t message_len)
{
    silence();
    bool ok = H5Tclose(out->memory_type) >= 0;
    ok = H5Dclose(out->dataset_id) >= 0 && ok;
    const bool closed = H5Fclose(out->file_id) >= 0; /* flushes every cache */
    file_left_open = file_left_open || !closed;
    ok = closed && ok;
    out->memory_type = out->dataset_id = out->file_id = -1;
    int err = ok ? 0 : EIO;
    if (!err && rename(out->temp_path, out->final_path) != 0)
        err = errno;
    if (err) {
        char what[200];
        snprintf(what, sizeof what, "cannot write: %s", strerror(err));
        say(NPY_FILE_EIO, message, message_len, out->final_path, out->dataset, what);
        h5_output_abort(out);
        return NPY_FILE_EIO;
    }
    npy_forget_temp();
    free(out->temp_path);
    out->temp_path = NULL;
    h5_output_abort(out); /* frees the names; nothing left to remove */
    return NPY_FILE_OK;
}

void h5_output_abort(h5_output *out)
{
    silence();
    if (out->memory_type >= 0)
        H5Tclose(out->memory_type);
    if (out->dataset_id >= 0)
        H5Dclose(out->dataset_id);
    if (out->file_id >= 0 && H5Fclose(out->file_id) < 0)
        file_left_open = true;
    H5Eclear2(H5E_DEFAULT);
    if (out->temp_path) {
        unlink(out->temp_path);
        npy_forget_temp();
    }
    free(out->temp_path);
    free(out->final_path);
    free(out->dataset);
    memset(out, 0, sizeof *out);
    out->file_id = out->dataset_id = out->memory_type = -1;
}

/* ---- pscan info ---- */

static void print_dims(FILE *to, int ndim, const uint64_t *dims)
{
    fputc('(', to);
    for (int k = 0; k < ndim; k++)
        fprintf(to, ndim == 1 || k + 1 < ndim ? "%llu," : "%llu", (unsigned long long)dims[k]);
    fputc(')', to);
}

/* One line for the dataset `name` of the open file. */
static npy_file_status describe(const char *file, const char *name, FILE *to, char *message,
                                size_t message_len)
{
    h5_input in;
    npy_file_status status = h5_input_open(&in, file, name, (size_t)4 << 20, message, message_len);
    if (status != NPY_FILE_OK)
        return status;
    uint64_t shape[PSCAN_MAX_DIMS];
    for (int k = 0; k < in.header.ndim; k++)
        shape[k] = (uint64_t)in.header.shape[k];
    hid_t type = H5Dget_type(in.dataset_id);
    H5T_order_t order = H5T_ORDER_NONE;
    if (type >= 0) {
        hid_t part = H5Tget_class(type) == H5T_COMPOUND ? H5Tget_member_type(type, 0)
                     : H5Tget_class(type) == H5T_ENUM   ? H5Tget_super(type)
                                                        : H5Tcopy(type);
        order = part >= 0 ? H5Tget_order(part) : H5T_ORDER_NONE;
        if (part >= 0)
            H5Tclose(part);
        H5Tclose(type);
    }
    fprintf(to, "%s:%s: shape ", file, in.dataset);
    print_dims(to, in.header.ndim, shape);
    fprintf(to, " dtype %s (%s)", pscan_dtype_name(in.header.dtype),
            order == H5T_ORDER_BE ? "big-endian" : "little-endian");
    if (in.chunk_ndim > 0) {
        fputs(" chunks ", to);
        print_dims(to, in.chunk_ndim, in.chunk);
    } else {
        fputs(" contiguous", to);
    }
    fprintf(to, " filters %s\n", in.filters[0] ? in.filters : "none");
    h5_input_close(&in);
    return NPY_FILE_OK;
}

typedef struct dataset_list {
    char **names;
    size_t count, capacity;
} dataset_list;

static herr_t list_dataset(hid_t object, const char *name, const object_info *info, void *data)
{
    (void)object;
    dataset_list *list = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    if (list->count == list->capacity) {
        const size_t capacity = list->capacity ? 2 * list->capacity : 16;
        char **grown = realloc(list->names, capacity * sizeof *grown);
        if (!grown)
            return -1;
        list->names = grown;
        list->capacity = capacity;
    }
    char *copy;
    if (asprintf(&copy, "/%s", name) < 0)
        return -1;
    list->names[list->count++] = copy;
    return 0;
}

npy_file_status h5_info(const char *file, const char *dataset, FILE *to, char *message,
                        size_t message_len)
{
    silence();
    if (dataset)
        return describe(file, dataset, to, message, message_len);
    if (access(file, R_OK) != 0)
        return say(NPY_FILE_EIO, message, message_len, file, NULL,
                   errno == ENOENT ? "cannot open: no such file" : "cannot open: not readable");
    hid_t file_id = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_id < 0)
        return open_failed(message, message_len, file, NULL);
    dataset_list list = {NULL, 0, 0};
    npy_file_status status = NPY_FILE_OK;
    if (visit_objects(file_id, list_dataset, &list) < 0)
        status = say(NPY_FILE_EINPUT, message, message_len, file, NULL, "cannot list datasets");
    H5Fclose(file_id);
    if (status == NPY_FILE_OK && list.count == 0)
        fprintf(to, "%s: no datasets\n", file);
    for (size_t k = 0; k < list.count; k++) {
        char problem[512];
        /* A dataset pscan cannot read is listed with the reason. */
        if (status == NPY_FILE_OK &&
            describe(file, list.names[k], to, problem, sizeof problem) != NPY_FILE_OK)
            fprintf(to, "%s\n", problem);
        free(list.names[k]);
    }
    free(list.names);
    return status;
}

void h5_finish(void)
{
    if (hdf5_started && !file_left_open)
        H5close();
}
