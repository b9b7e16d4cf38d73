/* h5_copy.c - the floor for any tool that reads an HDF5 dataset and writes a
 * new one of the same size: a plain, single-threaded copy through the HDF5
 * C API, nothing else.
 *   pscan_h5_copy IN.h5 /dset OUT.h5 /dset [--slab BYTES]
 * OUT.h5 is created (replaced if it exists) with one dataset of the input's
 * type, shape and creation properties (chunk shape, filters such as
 * shuffle and gzip, fill value), written in slabs of whole rows along
 * axis 0: about --slab bytes (default 4 MiB, as the tool's), rounded down
 * to whole rows of chunks and never less than one. Data moves in the file's
 * own type, so the library converts nothing. The chunk cache of each
 * dataset holds one row of chunks along axis 0 (capped at two slabs), as the
 * tool's does; with slabs of whole chunk rows every chunk is read and
 * written whole. Attributes are not copied: they are not the cost measured.
 * Exit status: 0 done, 1 out of memory, 2 usage, 3 bad input, 4 I/O. */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_NOMEM = 1, EXIT_USAGE = 2, EXIT_INPUT = 3, EXIT_IO = 4 };

/* What is open, so that one exit path closes it all (in reverse). */
typedef struct copy_job {
    hid_t in_file, in_dset, file_type, space, dcpl, in_dapl;
    hid_t out_file, out_dset, out_dapl, lcpl;
    void *slab;
} copy_job;

static int fail(int status, const char *file, const char *dset, const char *what)
{
    fprintf(stderr, "h5_copy: %s:%s: %s\n", file, dset, what);
    return status;
}

static void close_all(copy_job *job)
{
    free(job->slab);
    if (job->out_dset >= 0)
        H5Dclose(job->out_dset);
    if (job->out_file >= 0)
        H5Fclose(job->out_file);
    const hid_t plists[] = {job->lcpl, job->out_dapl, job->in_dapl, job->dcpl};
    for (size_t i = 0; i < sizeof plists / sizeof plists[0]; i++)
        if (plists[i] >= 0)
            H5Pclose(plists[i]);
    if (job->space >= 0)
        H5Sclose(job->space);
    if (job->file_type >= 0)
        H5Tclose(job->file_type);
    if (job->in_dset >= 0)
        H5Dclose(job->in_dset);
    if (job->in_file >= 0)
        H5Fclose(job->in_file);
}

static size_t next_prime(size_t n)
{
    for (;; n++) {
        size_t f = 2;
        while (f * f <= n && n % f)
            f++;
        if (n > 1 && f * f > n)
            return n;
    }
}

/* A chunk cache that holds one row of chunks along axis 0: every chunk a
 * slab touches stays decoded until the slab is done, and no more. */
static hid_t row_cache_dapl(int rank, const hsize_t *dims, const hsize_t *chunk, size_t elem_size,
                            size_t slab_bytes)
{
    size_t chunk_bytes = elem_size, chunks_per_row = 1;
    for (int d = 0; d < rank; d++) {
        chunk_bytes *= (size_t)chunk[d];
        if (d > 0)
            chunks_per_row *= (size_t)((dims[d] + chunk[d] - 1) / chunk[d]);
    }
    size_t cache_bytes = chunk_bytes * chunks_per_row;
    if (cache_bytes > 2 * slab_bytes)
        cache_bytes = 2 * slab_bytes;
    /* HDF5's advice: a prime number of slots, about 100 per chunk held. */
    const hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (dapl >= 0 &&
        H5Pset_chunk_cache(dapl, next_prime(100 * chunks_per_row), cache_bytes, 1.0) < 0) {
        H5Pclose(dapl);
        return -1;
    }
    return dapl;
}

static int copy(copy_job *job, const char *in_name, const char *in_path, const char *out_name,
                const char *out_path, size_t slab_bytes)
{
    job->in_file = H5Fopen(in_name, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (job->in_file < 0)
        return fail(EXIT_INPUT, in_name, in_path, "cannot open as HDF5");
    job->in_dset = H5Dopen2(job->in_file, in_path, H5P_DEFAULT);
    if (job->in_dset < 0)
        return fail(EXIT_INPUT, in_name, in_path, "no such dataset");
    job->file_type = H5Dget_type(job->in_dset);
    job->space = H5Dget_space(job->in_dset);
    job->dcpl = H5Dget_create_plist(job->in_dset);
    if (job->file_type < 0 || job->space < 0 || job->dcpl < 0)
        return fail(EXIT_INPUT, in_name, in_path, "cannot read the dataset's header");
    if (H5Tdetect_class(job->file_type, H5T_VLEN) > 0 || H5Tis_variable_str(job->file_type) > 0)
        return fail(EXIT_INPUT, in_name, in_path, "variable-length data is not copied");
    const size_t elem_size = H5Tget_size(job->file_type);
    const int rank = H5Sget_simple_extent_ndims(job->space);
    if (rank < 0 || elem_size == 0)
        return fail(EXIT_INPUT, in_name, in_path, "cannot read the dataset's shape");

    hsize_t dims[H5S_MAX_RANK] = {0}, chunk[H5S_MAX_RANK] = {0};
    H5Sget_simple_extent_dims(job->space, dims, NULL);
    const int chunked = H5Pget_layout(job->dcpl) == H5D_CHUNKED;
    if (chunked && H5Pget_chunk(job->dcpl, rank, chunk) != rank)
        return fail(EXIT_INPUT, in_name, in_path, "cannot read the chunk shape");

    if (chunked) {
        job->in_dapl = row_cache_dapl(rank, dims, chunk, elem_size, slab_bytes);
        job->out_dapl = row_cache_dapl(rank, dims, chunk, elem_size, slab_bytes);
        if (job->in_dapl < 0 || job->out_dapl < 0)
            return fail(EXIT_NOMEM, in_name, in_path, "cannot set up the chunk cache");
        /* A chunk cache applies to a dataset opened with it. */
        H5Dclose(job->in_dset);
        job->in_dset = H5Dopen2(job->in_file, in_path, job->in_dapl);
        if (job->in_dset < 0)
            return fail(EXIT_INPUT, in_name, in_path, "cannot reopen the dataset");
    }

    job->out_file = H5Fcreate(out_name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (job->out_file < 0)
        return fail(EXIT_IO, out_name, out_path, "cannot create the file");
    job->lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (job->lcpl < 0 || H5Pset_create_intermediate_group(job->lcpl, 1) < 0)
        return fail(EXIT_NOMEM, out_name, out_path, "cannot make a link property list");
    job->out_dset = H5Dcreate2(job->out_file, out_path, job->file_type, job->space, job->lcpl,
                               job->dcpl, chunked ? job->out_dapl : H5P_DEFAULT);
    if (job->out_dset < 0)
        return fail(EXIT_IO, out_name, out_path, "cannot create the dataset");

    /* Slabs of whole rows along axis 0; with chunks, of whole chunk rows.
     * A 0-d dataset is one slab of one element. */
    size_t row_bytes = elem_size;
    for (int d = 1; d < rank; d++)
        row_bytes *= (size_t)dims[d];
    const hsize_t rows = rank > 0 ? dims[0] : 1;
    const hsize_t row_step = chunked ? chunk[0] : 1;
    hsize_t slab_rows = row_bytes ? (hsize_t)(slab_bytes / row_bytes) / row_step * row_step : 0;
    if (slab_rows < row_step)
        slab_rows = row_step;
    if (slab_rows > rows)
        slab_rows = rows;
    if (H5Sget_simple_extent_npoints(job->space) > 0) {
        job->slab = malloc((size_t)slab_rows * row_bytes);
        if (!job->slab)
            return fail(EXIT_NOMEM, in_name, in_path, "no memory for a slab");
    }
    for (hsize_t first = 0; job->slab && first < rows; first += slab_rows) {
        hsize_t start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
        memcpy(count, dims, sizeof count);
        start[0] = first;
        count[0] = rows - first < slab_rows ? rows - first : slab_rows;
        const hid_t mem_space =
            rank > 0 ? H5Screate_simple(rank, count, NULL) : H5Screate(H5S_SCALAR);
        if (mem_space < 0)
            return fail(EXIT_NOMEM, in_name, in_path, "cannot make a memory dataspace");
        int status = 0;
        if (rank > 0 &&
            H5Sselect_hyperslab(job->space, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
            status = fail(EXIT_NOMEM, in_name, in_path, "cannot select a slab");
        else if (H5Dread(job->in_dset, job->file_type, mem_space, job->space, H5P_DEFAULT,
                         job->slab) < 0)
            status = fail(EXIT_IO, in_name, in_path, "read failed");
        else if (H5Dwrite(job->out_dset, job->file_type, mem_space, job->space, H5P_DEFAULT,
                          job->slab) < 0)
            status = fail(EXIT_IO, out_name, out_path, "write failed");
        H5Sclose(mem_space);
        if (status)
            return status;
    }

    /* The last compressed chunks leave the cache at these closes: they are
     * writes that can fail, and part of the time measured. */
    const herr_t dset_closed = H5Dclose(job->out_dset);
    const herr_t file_closed = H5Fclose(job->out_file);
    job->out_dset = job->out_file = -1;
    if (dset_closed < 0 || file_closed < 0)
        return fail(EXIT_IO, out_name, out_path, "write failed at close");
    return 0;
}

int main(int argc, char **argv)
{
    size_t slab_bytes = (size_t)4 << 20;
    if (argc == 7 && !strcmp(argv[5], "--slab")) {
        char *end = NULL;
        const unsigned long long value = strtoull(argv[6], &end, 10);
        if (!*argv[6] || *end || value == 0 || value > SIZE_MAX / 4)
            return fprintf(stderr, "h5_copy: --slab: a positive number of bytes\n"), EXIT_USAGE;
        slab_bytes = (size_t)value;
    } else if (argc != 5) {
        fprintf(stderr, "usage: h5_copy IN.h5 /dset OUT.h5 /dset [--slab BYTES]\n");
        return EXIT_USAGE;
    }
    /* One line of ours on failure, never HDF5's error stack. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    copy_job job = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, NULL};
    const int status = copy(&job, argv[1], argv[2], argv[3], argv[4], slab_bytes);
    close_all(&job);
    return status;
}
