/*
 * test_npy.c - the .npy header reader and writer of the command-line tool:
 * headers numpy writes (every dtype, both byte orders, C and Fortran order,
 * versions 1.0/2.0/3.0, 0-d and empty shapes) parse to the right fields;
 * written headers parse back and start the data on a 64-byte boundary;
 * malformed headers give their own status.
 */
#include <stdio.h>

#include "npy.h"

#include "testutil.h"

/* A file image: magic, version, header length, the dict padded as numpy
 * pads it (spaces, newline, total a multiple of 64). */
static size_t make_file(unsigned char *buf, int major, const char *dict)
{
    const size_t prefix = major == 1 ? 10 : 12, n = strlen(dict);
    size_t total = (prefix + n + 1 + 63) / 64 * 64, header_len = total - prefix;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    for (size_t k = 0; k < prefix - 8; ++k)
        buf[8 + k] = (unsigned char)(header_len >> (8 * k));
    memcpy(buf + prefix, dict, n);
    memset(buf + prefix + n, ' ', header_len - n - 1);
    buf[total - 1] = '\n';
    return total;
}

static pscan_npy_status parse_dict(int major, const char *dict, pscan_npy_header *h)
{
    unsigned char buf[4096];
    size_t len = make_file(buf, major, dict);
    char message[128];
    return pscan_npy_parse(buf, len, h, message, sizeof message);
}

Test(npy, headers_numpy_writes)
{
    pscan_npy_header h;
    cr_assert(eq(int,
                 parse_dict(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), }", &h),
                 PSCAN_NPY_OK));
    cr_assert(eq(int, (int)h.dtype, (int)PSCAN_INT64));
    cr_assert(eq(int, h.big_endian, 0));
    cr_assert(eq(int, h.fortran_order, 0));
    cr_assert(eq(int, h.ndim, 2));
    cr_assert(eq(i64, h.shape[0], 3));
    cr_assert(eq(i64, h.shape[1], 4));
    cr_assert(eq(sz, h.data_offset, 128));

    cr_assert(eq(int, parse_dict(1, "{'descr': '>f8', 'fortran_order': True, 'shape': (5,), }", &h),
                 PSCAN_NPY_OK));
    cr_assert(eq(int, (int)h.dtype, (int)PSCAN_FLOAT64));
    cr_assert(eq(int, h.big_endian, 1));
    cr_assert(eq(int, h.fortran_order, 1));
    cr_assert(eq(int, h.ndim, 1));
    cr_assert(eq(i64, h.shape[0], 5));

    /* 0-d, empty, and versions 2.0 and 3.0 (same dict, longer length field) */
    cr_assert(eq(int, parse_dict(2, "{'descr': '|b1', 'fortran_order': False, 'shape': (), }", &h),
                 PSCAN_NPY_OK));
    cr_assert(eq(int, h.ndim, 0));
    cr_assert(eq(int, (int)h.dtype, (int)PSCAN_BOOL));
    cr_assert(eq(sz, h.data_offset, 128)); /* 12 + 56 + newline, padded */
    cr_assert(eq(
        int, parse_dict(3, "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 0, 7), }", &h),
        PSCAN_NPY_OK));
    cr_assert(eq(int, (int)h.dtype, (int)PSCAN_COMPLEX128));
    cr_assert(eq(i64, h.shape[1], 0));
    uint64_t bytes = 1;
    cr_assert(eq(int, pscan_npy_data_bytes(&h, &bytes), PSCAN_NPY_OK));
    cr_assert(eq(u64, bytes, 0));

    /* what Python's literal syntax also allows: other quotes, order, spacing */
    cr_assert(eq(int,
                 parse_dict(1, "{\"shape\":(7,),\"fortran_order\":False,\"descr\":\"<f2\"}", &h),
                 PSCAN_NPY_OK));
    cr_assert(eq(int, (int)h.dtype, (int)PSCAN_FLOAT16));
    cr_assert(eq(i64, h.shape[0], 7));
}

Test(npy, every_descr)
{
    static const struct {
        const char *descr;
        pscan_dtype dtype;
        int big_endian;
    } cases[] = {
        {"|b1", PSCAN_BOOL, 0},      {"|i1", PSCAN_INT8, 0},        {"<i2", PSCAN_INT16, 0},
        {">i2", PSCAN_INT16, 1},     {"<i4", PSCAN_INT32, 0},       {">i4", PSCAN_INT32, 1},
        {"<i8", PSCAN_INT64, 0},     {">i8", PSCAN_INT64, 1},       {"|u1", PSCAN_UINT8, 0},
        {"<u2", PSCAN_UINT16, 0},    {">u4", PSCAN_UINT32, 1},      {"<u8", PSCAN_UINT64, 0},
        {"<f2", PSCAN_FLOAT16, 0},   {">f2", PSCAN_FLOAT16, 1},     {"<f4", PSCAN_FLOAT32, 0},
        {">f4", PSCAN_FLOAT32, 1},   {"<f8", PSCAN_FLOAT64, 0},     {"<c8", PSCAN_COMPLEX64, 0},
        {">c8", PSCAN_COMPLEX64, 1}, {"<c16", PSCAN_COMPLEX128, 0}, {">c16", PSCAN_COMPLEX128, 1},
        {"=i8", PSCAN_INT64, 0},     {"<b1", PSCAN_BOOL, 0},        {">i1", PSCAN_INT8, 0},
    };
    for (size_t k = 0; k < TU_COUNT(cases); ++k) {
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (1,), }",
                 cases[k].descr);
        pscan_npy_header h;
        cr_assert(eq(int, parse_dict(1, dict, &h), PSCAN_NPY_OK), "%s", cases[k].descr);
        cr_assert(eq(int, (int)h.dtype, (int)cases[k].dtype), "%s", cases[k].descr);
        cr_assert(eq(int, h.big_endian, cases[k].big_endian), "%s", cases[k].descr);
    }
}

Test(npy, written_headers_parse_back)
{
    const int64_t shapes[][3] = {{0}, {5}, {3, 4}, {2, 0, 7}};
    const int ndims[] = {0, 1, 2, 3};
    for (int t = PSCAN_BOOL; t < PSCAN_DTYPE_COUNT; ++t)
        for (size_t s = 0; s < TU_COUNT(ndims); ++s)
            for (int fortran = 0; fortran < 2; ++fortran) {
                pscan_npy_header in = {0}, out;
                in.dtype = (pscan_dtype)t;
                in.fortran_order = fortran;
                in.ndim = ndims[s];
                memcpy(in.shape, shapes[s], sizeof shapes[s]);
                unsigned char buf[4096];
                size_t len = pscan_npy_write(&in, buf, sizeof buf);
                cr_assert(eq(sz, len % 64, 0));
                cr_assert(eq(u8, buf[len - 1], '\n'));
                cr_assert(eq(int, pscan_npy_parse(buf, len, &out, NULL, 0), PSCAN_NPY_OK));
                cr_assert(eq(int, out.major, 1));
                cr_assert(eq(sz, out.data_offset, len));
                cr_assert(eq(int, (int)out.dtype, t));
                cr_assert(eq(int, out.big_endian, 0));
                cr_assert(eq(int, out.fortran_order, fortran));
                cr_assert(eq(int, out.ndim, ndims[s]));
                for (int d = 0; d < ndims[s]; ++d)
                    cr_assert(eq(i64, out.shape[d], shapes[s][d]));
            }
    /* 64 dimensions of the largest values still fit; a small buffer does not */
    pscan_npy_header big = {0};
    big.dtype = PSCAN_BOOL;
    big.ndim = PSCAN_MAX_DIMS;
    for (int d = 0; d < PSCAN_MAX_DIMS; ++d)
        big.shape[d] = INT64_MAX;
    unsigned char buf[4096];
    cr_assert(ne(sz, pscan_npy_write(&big, buf, sizeof buf), 0));
    cr_assert(eq(sz, pscan_npy_write(&big, buf, 100), 0));
}

Test(npy, malformed_headers)
{
    static const struct {
        int major;
        const char *dict;
        pscan_npy_status status;
    } cases[] = {
        {1, "{'descr': '<i8', 'fortran_order': False}", PSCAN_NPY_EDICT}, /* no shape */
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), 'x': 1}", PSCAN_NPY_EDICT},
        {1, "{'descr': '<i8', 'descr': '<i8', 'fortran_order': False, 'shape': (1,)}",
         PSCAN_NPY_EDICT},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,)", PSCAN_NPY_EDICT}, /* no } */
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,)} junk", PSCAN_NPY_EDICT},
        {1, "['descr']", PSCAN_NPY_EDICT},
        {1, "{'descr': '<i8', 'fortran_order': 0, 'shape': (1,)}", PSCAN_NPY_EDICT},
        {1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", PSCAN_NPY_EDESCR},
        {1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", PSCAN_NPY_EDESCR},
        {1, "{'descr': '<f16', 'fortran_order': False, 'shape': (1,)}", PSCAN_NPY_EDESCR},
        {1, "{'descr': '|i8', 'fortran_order': False, 'shape': (1,)}", PSCAN_NPY_EDESCR},
        {1, "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}", PSCAN_NPY_EDESCR},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (-1,)}", PSCAN_NPY_ESHAPE},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3.5,)}", PSCAN_NPY_ESHAPE},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3)}", PSCAN_NPY_ESHAPE},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': [3]}", PSCAN_NPY_ESHAPE},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
         PSCAN_NPY_ESIZE},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
         PSCAN_NPY_ESIZE},
    };
    for (size_t k = 0; k < TU_COUNT(cases); ++k) {
        pscan_npy_header h;
        unsigned char buf[4096];
        size_t len = make_file(buf, cases[k].major, cases[k].dict);
        char message[128] = "";
        pscan_npy_status status = pscan_npy_parse(buf, len, &h, message, sizeof message);
        cr_assert(eq(int, (int)status, (int)cases[k].status), "%s: %s", cases[k].dict, message);
        cr_assert(ne(sz, strlen(message), 0), "%s: no message", cases[k].dict);
    }
}

Test(npy, truncated_foreign_and_oversized_files)
{
    unsigned char buf[4096];
    pscan_npy_header h;
    size_t len = make_file(buf, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }");
    /* cut anywhere inside the header */
    const size_t cuts[] = {3, 7, 9, 20, len - 1};
    for (size_t k = 0; k < TU_COUNT(cuts); ++k)
        cr_assert(
            eq(int, (int)pscan_npy_parse(buf, cuts[k], &h, NULL, 0), (int)PSCAN_NPY_ETRUNCATED),
            "cut at %zu", cuts[k]);
    cr_assert(eq(int, (int)pscan_npy_parse(buf, len, &h, NULL, 0), (int)PSCAN_NPY_OK));
    /* an empty file maps to no bytes at all */
    cr_assert(eq(int, (int)pscan_npy_parse(NULL, 0, &h, NULL, 0), (int)PSCAN_NPY_ETRUNCATED));
    /* wrong magic, unknown versions */
    unsigned char other[64];
    memcpy(other, buf, sizeof other);
    other[1] = 'X';
    cr_assert(
        eq(int, (int)pscan_npy_parse(other, sizeof other, &h, NULL, 0), (int)PSCAN_NPY_EMAGIC));
    memcpy(other, buf, sizeof other);
    other[6] = 4;
    cr_assert(
        eq(int, (int)pscan_npy_parse(other, sizeof other, &h, NULL, 0), (int)PSCAN_NPY_EVERSION));
    other[6] = 1;
    other[7] = 1;
    cr_assert(
        eq(int, (int)pscan_npy_parse(other, sizeof other, &h, NULL, 0), (int)PSCAN_NPY_EVERSION));
    /* a v2 header that claims 2 MiB: over the limit, before reading it */
    memcpy(other, "\x93NUMPY\x02\x00\x00\x00\x20\x00", 12);
    char message[128];
    cr_assert(eq(int, (int)pscan_npy_parse(other, sizeof other, &h, message, sizeof message),
                 (int)PSCAN_NPY_ELIMIT));
    cr_assert(ne(ptr, strstr(message, "over the limit"), NULL));
}
