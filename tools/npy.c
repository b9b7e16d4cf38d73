/* npy.c - strict .npy header parsing and writing.
 *
 * The header is the repr of a Python dict with exactly the keys 'descr',
 * 'fortran_order' and 'shape' (numpy writes them sorted, followed by ", }"
 * and space padding up to a newline). A small tokenizer accepts what numpy
 * writes and what Python's literal syntax allows for these three values
 * (either quote, any spacing, a trailing comma), nothing else. */
#include "npy.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

typedef struct cursor {
    const char *at, *end;
} cursor;

static pscan_npy_status fail(pscan_npy_status status, char *message, size_t message_len,
                             const char *format, ...)
{
    if (message && message_len) {
        va_list args;
        va_start(args, format);
        vsnprintf(message, message_len, format, args);
        va_end(args);
    }
    return status;
}

static void skip_space(cursor *c)
{
    while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r'))
        c->at++;
}

static bool take(cursor *c, char expected)
{
    skip_space(c);
    if (c->at < c->end && *c->at == expected) {
        c->at++;
        return true;
    }
    return false;
}

/* A quoted string without escapes (none of the three values has any). */
static bool take_string(cursor *c, char *out, size_t out_len)
{
    skip_space(c);
    if (c->at >= c->end || (*c->at != '\'' && *c->at != '"'))
        return false;
    const char quote = *c->at++;
    size_t n = 0;
    while (c->at < c->end && *c->at != quote) {
        if (*c->at == '\\' || n + 1 >= out_len)
            return false;
        out[n++] = *c->at++;
    }
    if (c->at >= c->end)
        return false;
    c->at++;
    out[n] = '\0';
    return true;
}

static bool take_word(cursor *c, const char *word)
{
    skip_space(c);
    size_t n = strlen(word);
    if ((size_t)(c->end - c->at) < n || memcmp(c->at, word, n) != 0)
        return false;
    c->at += n;
    return true;
}

/* descr -> dtype and byte order; 0 if pscan has no such dtype. */
static int parse_descr(const char *descr, pscan_dtype *dtype, int *big_endian)
{
    static const struct {
        const char *code;
        pscan_dtype dtype;
    } codes[] = {
        {"b1", PSCAN_BOOL},      {"i1", PSCAN_INT8},        {"i2", PSCAN_INT16},
        {"i4", PSCAN_INT32},     {"i8", PSCAN_INT64},       {"u1", PSCAN_UINT8},
        {"u2", PSCAN_UINT16},    {"u4", PSCAN_UINT32},      {"u8", PSCAN_UINT64},
        {"f2", PSCAN_FLOAT16},   {"f4", PSCAN_FLOAT32},     {"f8", PSCAN_FLOAT64},
        {"c8", PSCAN_COMPLEX64}, {"c16", PSCAN_COMPLEX128},
    };
    const char order = descr[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return 0;
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        if (strcmp(descr + 1, codes[k].code) != 0)
            continue;
        const bool one_byte = pscan_dtype_size(codes[k].dtype) == 1;
        if (order == '|' && !one_byte)
            return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        *big_endian = !one_byte && order != '<';
#else
        *big_endian = !one_byte && order == '>';
#endif
        *dtype = codes[k].dtype;
        return 1;
    }
    return 0;
}

static pscan_npy_status parse_shape(cursor *c, pscan_npy_header *h, char *message,
                                    size_t message_len)
{
    if (!take(c, '('))
        return fail(PSCAN_NPY_ESHAPE, message, message_len, "'shape' is not a tuple");
    h->ndim = 0;
    for (;;) {
        skip_space(c);
        if (take(c, ')'))
            return PSCAN_NPY_OK;
        if (c->at >= c->end || *c->at < '0' || *c->at > '9')
            return fail(PSCAN_NPY_ESHAPE, message, message_len,
                        "'shape' holds something other than non-negative integers");
        if (h->ndim == PSCAN_MAX_DIMS)
            return fail(PSCAN_NPY_ESHAPE, message, message_len, "more than %d dimensions",
                        PSCAN_MAX_DIMS);
        int64_t value = 0;
        while (c->at < c->end && *c->at >= '0' && *c->at <= '9') {
            if (__builtin_mul_overflow(value, 10, &value) ||
                __builtin_add_overflow(value, *c->at - '0', &value))
                return fail(PSCAN_NPY_ESIZE, message, message_len, "a dimension overflows");
            c->at++;
        }
        h->shape[h->ndim++] = value;
        if (take(c, ','))
            continue;
        if (take(c, ')')) {
            if (h->ndim == 1) /* (5) is an int in Python, not a tuple */
                return fail(PSCAN_NPY_ESHAPE, message, message_len,
                            "'shape' of one dimension lacks its comma");
            return PSCAN_NPY_OK;
        }
        return fail(PSCAN_NPY_ESHAPE, message, message_len, "'shape' is not a tuple");
    }
}

static pscan_npy_status parse_dict(cursor *c, pscan_npy_header *h, char *message,
                                   size_t message_len)
{
    bool seen_descr = false, seen_order = false, seen_shape = false;
    if (!take(c, '{'))
        return fail(PSCAN_NPY_EDICT, message, message_len, "header is not a dict");
    for (;;) {
        if (take(c, '}'))
            break;
        char key[32];
        if (!take_string(c, key, sizeof key) || !take(c, ':'))
            return fail(PSCAN_NPY_EDICT, message, message_len, "header dict is malformed");
        if (strcmp(key, "descr") == 0 && !seen_descr) {
            char descr[16];
            skip_space(c);
            if (c->at < c->end && *c->at == '[')
                return fail(PSCAN_NPY_EDESCR, message, message_len,
                            "structured dtypes are not supported");
            if (!take_string(c, descr, sizeof descr))
                return fail(PSCAN_NPY_EDESCR, message, message_len, "'descr' is not a string");
            if (descr[0] && (descr[1] == 'O' || strcmp(descr, "O") == 0))
                return fail(PSCAN_NPY_EDESCR, message, message_len,
                            "object arrays ('%s') hold Python objects, not numbers", descr);
            if (!parse_descr(descr, &h->dtype, &h->big_endian))
                return fail(PSCAN_NPY_EDESCR, message, message_len,
                            "dtype '%s' is not one pscan scans", descr);
            seen_descr = true;
        } else if (strcmp(key, "fortran_order") == 0 && !seen_order) {
            if (take_word(c, "True"))
                h->fortran_order = 1;
            else if (take_word(c, "False"))
                h->fortran_order = 0;
            else
                return fail(PSCAN_NPY_EDICT, message, message_len,
                            "'fortran_order' is neither True nor False");
            seen_order = true;
        } else if (strcmp(key, "shape") == 0 && !seen_shape) {
            pscan_npy_status status = parse_shape(c, h, message, message_len);
            if (status != PSCAN_NPY_OK)
                return status;
            seen_shape = true;
        } else {
            return fail(PSCAN_NPY_EDICT, message, message_len, "unexpected or repeated key '%s'",
                        key);
        }
        if (take(c, ','))
            continue;
        if (take(c, '}'))
            break;
        return fail(PSCAN_NPY_EDICT, message, message_len, "header dict is malformed");
    }
    if (!seen_descr || !seen_order || !seen_shape)
        return fail(PSCAN_NPY_EDICT, message, message_len,
                    "header lacks one of 'descr', 'fortran_order', 'shape'");
    skip_space(c);
    if (c->at != c->end)
        return fail(PSCAN_NPY_EDICT, message, message_len, "text after the header dict");
    return PSCAN_NPY_OK;
}

pscan_npy_status pscan_npy_parse(const unsigned char *bytes, size_t len, pscan_npy_header *header,
                                 char *message, size_t message_len)
{
    const size_t compared = len < sizeof magic ? len : sizeof magic;
    if (compared > 0 && memcmp(bytes, magic, compared) != 0)
        return fail(PSCAN_NPY_EMAGIC, message, message_len, "not a .npy file (bad magic)");
    if (len < 8)
        return fail(PSCAN_NPY_ETRUNCATED, message, message_len, "file ends inside the header");
    memset(header, 0, sizeof *header);
    header->major = bytes[6];
    header->minor = bytes[7];
    if (header->major < 1 || header->major > 3 || header->minor != 0)
        return fail(PSCAN_NPY_EVERSION, message, message_len, "unknown .npy version %d.%d",
                    header->major, header->minor);
    const size_t prefix = header->major == 1 ? 10 : 12;
    if (len < prefix)
        return fail(PSCAN_NPY_ETRUNCATED, message, message_len, "file ends inside the header");
    size_t header_len = (size_t)bytes[8] | (size_t)bytes[9] << 8;
    if (header->major > 1)
        header_len |= (size_t)bytes[10] << 16 | (size_t)bytes[11] << 24;
    if (header_len > PSCAN_NPY_MAX_HEADER)
        return fail(PSCAN_NPY_ELIMIT, message, message_len,
                    "header of %zu bytes is over the limit of %zu", header_len,
                    (size_t)PSCAN_NPY_MAX_HEADER);
    if (len - prefix < header_len)
        return fail(PSCAN_NPY_ETRUNCATED, message, message_len, "file ends inside the header");
    cursor c = {(const char *)bytes + prefix, (const char *)bytes + prefix + header_len};
    pscan_npy_status status = parse_dict(&c, header, message, message_len);
    if (status != PSCAN_NPY_OK)
        return status;
    header->data_offset = prefix + header_len;
    uint64_t data_bytes;
    return pscan_npy_data_bytes(header, &data_bytes) == PSCAN_NPY_OK
               ? PSCAN_NPY_OK
               : fail(PSCAN_NPY_ESIZE, message, message_len,
                      "element count times item size overflows");
}

pscan_npy_status pscan_npy_data_bytes(const pscan_npy_header *header, uint64_t *bytes)
{
    uint64_t total = pscan_dtype_size(header->dtype);
    for (int d = 0; d < header->ndim; d++)
        if (__builtin_mul_overflow(total, (uint64_t)header->shape[d], &total) ||
            total > (uint64_t)INT64_MAX)
            return PSCAN_NPY_ESIZE;
    *bytes = total;
    return PSCAN_NPY_OK;
}

static const char *descr_of(pscan_dtype dtype)
{
    switch (dtype) {
    case PSCAN_BOOL:
        return "|b1";
    case PSCAN_INT8:
        return "|i1";
    case PSCAN_INT16:
        return "<i2";
    case PSCAN_INT32:
        return "<i4";
    case PSCAN_INT64:
        return "<i8";
    case PSCAN_UINT8:
        return "|u1";
    case PSCAN_UINT16:
        return "<u2";
    case PSCAN_UINT32:
        return "<u4";
    case PSCAN_UINT64:
        return "<u8";
    case PSCAN_FLOAT16:
        return "<f2";
    case PSCAN_FLOAT32:
        return "<f4";
    case PSCAN_FLOAT64:
        return "<f8";
    case PSCAN_COMPLEX64:
        return "<c8";
    case PSCAN_COMPLEX128:
        return "<c16";
    default:
        return NULL;
    }
}

size_t pscan_npy_write(const pscan_npy_header *header, unsigned char *out, size_t capacity)
{
    const char *descr = descr_of(header->dtype);
    if (!descr || header->ndim < 0 || header->ndim > PSCAN_MAX_DIMS)
        return 0;
    /* The dict as numpy writes it: sorted keys, ", }", 1-tuples with a comma. */
    char dict[64 + 24 * PSCAN_MAX_DIMS];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': (", descr,
                     header->fortran_order ? "True" : "False");
    for (int d = 0; d < header->ndim; d++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, d + 1 < header->ndim ? "%lld, " : "%lld",
                      (long long)header->shape[d]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", header->ndim == 1 ? "," : "");
    /* Version 1.0 holds a header of up to 65535 bytes; the dict above is far
     * shorter, so 2.0 is never needed for pscan's dtypes and 64 dims. */
    const size_t prefix = 10;
    size_t total = prefix + (size_t)n + 1; /* + the final newline */
    total = (total + 63) / 64 * 64;
    if (total > capacity || total - prefix > 65535)
        return 0;
    const size_t header_len = total - prefix;
    memcpy(out, magic, sizeof magic);
    out[6] = 1;
    out[7] = 0;
    out[8] = (unsigned char)(header_len & 0xff);
    out[9] = (unsigned char)(header_len >> 8);
    memcpy(out + prefix, dict, (size_t)n);
    memset(out + prefix + n, ' ', header_len - (size_t)n - 1);
    out[total - 1] = '\n';
    return total;
}
