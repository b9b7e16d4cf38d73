/* pscan.c - the command-line tool: numpy-style scans of .npy files and
 * HDF5 datasets.
 *
 *   pscan cumsum IN OUT [options]      (IN, OUT: FILE.npy or FILE.h5:/path)
 *   pscan cumsum IN... -o DIR [options]
 *   pscan info FILE...
 *
 * Arguments are parsed and checked before any file is opened; each file is
 * then opened, checked, scanned into a temporary beside its destination
 * and renamed over it. Exit codes are in usage_text. */
#define _GNU_SOURCE

#include "file_scan.h"
#include "h5_name.h"
#include "npy_file.h"
#include "progress.h"
#include "segment_file.h"
#ifdef PSCAN_HAVE_HDF5
#include "h5_file.h"
#endif

#include <pscan.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum exit_code {
    EXIT_OK = 0,
    EXIT_SCAN = 1,    /* out of memory: the scan's, the tool's buffers or threads */
    EXIT_USAGE = 2,   /* bad command line, or an option that does not fit the file */
    EXIT_INPUT = 3,   /* an input is not a file or dataset pscan can read */
    EXIT_IO = 4,      /* a file could not be opened, mapped, written or renamed */
    EXIT_OVERFLOW = 5 /* --check-overflow: a partial result left the accumulator */
};

static const char usage_text[] =
    "usage: pscan OP IN OUT [options]\n"
    "       pscan OP IN... -o DIR [options]\n"
    "       pscan info FILE...\n"
    "       pscan topo [--synthetic DESC | --xml FILE] [--elements N] [--threads N]\n"
    "       pscan --help | --version\n"
    "\n"
    "topo prints the machine (or one described in hwloc's synthetic syntax, e.g.\n"
    "\"pack:2 numa:2 core:8 pu:1\", or an hwloc XML file) and the NUMA-aware plan\n"
    "of a lane of N elements (default 2^30): chunk -> thread -> PU -> core -> node.\n"
    "\n"
    "OP is cumsum, cumprod, cummax, cummin, logcumsumexp, cumand, cumor,\n"
    "cumxor, cumargmax or cumargmin: numpy.cumsum, numpy.cumprod,\n"
    "numpy.maximum.accumulate, numpy.minimum.accumulate,\n"
    "numpy.logaddexp.accumulate, numpy.bitwise_and/or/xor.accumulate and the\n"
    "running numpy.argmax/argmin (int64 index of the first max/min so far, NaN\n"
    "first; --dtype is the comparison type) of the array in IN, written to OUT\n"
    "(replaced only once the result is complete). logcumsumexp takes float\n"
    "accumulators only, the bitwise ones bool and integers.\n"
    "\n"
    "IN and OUT are .npy files or HDF5 datasets, FILE:/path/to/dataset, mixed\n"
    "freely. An HDF5 file is known by its signature; one named without a\n"
    "dataset is read if it holds exactly one. An OUT without a dataset is HDF5\n"
    "if it ends in .h5, .hdf5, .he5 or .nc or is an HDF5 file, and gets the\n"
    "input's dataset path (/data for a .npy input). An existing HDF5 OUT keeps\n"
    "its other datasets; a dataset of the same name is replaced. HDF5 data is\n"
    "read and written in slabs that follow its chunks; the result keeps the\n"
    "input's chunk shape when it can, its gzip and shuffle filters, and its\n"
    "attributes, and gets pscan_op, pscan_axis and pscan_version.\n"
    "info lists an HDF5 file's datasets (shape, dtype, chunks, filters).\n";

/* Two strings: C11 promises string literals of 4095 characters only. */
static const char usage_options[] =
    "\n"
    "options:\n"
    "  --axis N|none       axis to scan (negative counts from the end); none\n"
    "                      (the default, as numpy's axis=None) scans the array\n"
    "                      flattened in C order into a 1-d result\n"
    "  --dtype T           accumulator and result type (bool, int8 ... uint64,\n"
    "                      float16, float32, float64, complex64, complex128);\n"
    "                      default: numpy's (small ints and bool -> int64/uint64)\n"
    "  --threads N         scan threads (default: one fewer than the cores the\n"
    "                      machine offers; the last one writes the results);\n"
    "                      more than the cores is allowed, and a scan never\n"
    "                      starts more than its size can use\n"
    "  --order reproducible|sequential\n"
    "                      float order: fixed tiles, the same bits for any thread\n"
    "                      count (default), or strictly left to right like numpy\n"
    "  --exclusive         out[i] = scan of in[..i-1], starting at the identity\n"
    "  --include-initial   one longer along the axis, starting at the identity\n"
    "  --reverse           suffix scans: out[i] = scan of in[i..]\n"
    "  --skip-nan          NaN counts as absent (numpy.nancumsum, nancumprod;\n"
    "                      max/min skip NaN too)\n"
    "  --check-overflow    integer sums and products: fail (exit 5, OUT left as\n"
    "                      it was) if any partial result overflows the\n"
    "                      accumulator, instead of wrapping like numpy\n"
    "  --compensated       float and complex sums: double-double accumulation\n"
    "                      (exactly rounded prefix sums in practice)\n"
    "  --axes A,B,...      scan over several axes at once (SUM over 0,1 of an\n"
    "                      image is its summed-area table); the result is held\n"
    "                      in memory; flags apply along every axis, and\n"
    "                      --include-initial lengthens every one\n"
    "  --segments F.npy    segmented scan: restart where F (bool/int) is nonzero;\n"
    "  --offsets F.npy     ... at the sorted int64 starts in F;\n"
    "  --keys F.npy        ... where the key in F changes. F has IN's shape or\n"
    "                      is 1-d along the axis (axis none: of IN's size);\n"
    "                      held in memory with IN and OUT; not with\n"
    "                      --include-initial, --axes or the arg scans\n"
    "  --placement none|spread|compact\n"
    "                      bind scan threads to cores (default none; kept off\n"
    "                      when OMP_PROC_BIND binds them)\n"
    "  -o, --output-dir DIR\n"
    "                      write each result to DIR/<input file name> (an HDF5\n"
    "                      input: DIR/<input file name>:<its dataset path>)\n"
    "  --slab BYTES        input bytes per scan call (default 4 MiB): resident\n"
    "                      memory stays near three times this (HDF5: four, and\n"
    "                      a chunk cache of at most two), whatever the size\n"
    "  --gzip LEVEL        HDF5 OUT: gzip at LEVEL (0-9) instead of the input's\n"
    "                      filters\n"
    "  --no-compress       HDF5 OUT: no filters\n"
    "  -q, --quiet         no progress bar (it shows only on a terminal, for\n"
    "                      work of more than a second)\n"
    "  -h, --help          this text;  -V, --version  the version\n"
    "\n"
    "exit status:\n"
    "  0  success\n"
    "  1  out of memory (the scan's scratch, the tool's buffers or threads)\n"
    "  2  usage error: bad command line, or an axis or option the file does\n"
    "     not allow\n"
    "  3  bad input: not a .npy file, malformed header, unsupported dtype, or a\n"
    "     size that does not match the header; a damaged or truncated HDF5\n"
    "     file, a missing dataset, a group where a dataset was expected, an\n"
    "     HDF5 type pscan does not take; HDF5 support absent from this build\n"
    "  4  I/O error: a file could not be opened, read, written or renamed\n"
    "  5  --check-overflow: a partial result overflowed\n"
    "  130/143  interrupted by SIGINT/SIGTERM (the temporary file is removed)\n"
    "On any error an existing OUT is left as it was.\n";

typedef struct cli {
    const char *command;
    pscan_op op;
    bool have_axis;
    long axis; /* LONG_MIN: none */
    pscan_dtype dtype;
    pscan_opts opts;
    int naxes; /* --axes: more than one */
    long axes[PSCAN_MAX_DIMS];
    int placement; /* -1: not given */
    const char *output_dir;
    size_t slab_bytes;
    const char *segments_path; /* --segments, --offsets or --keys: NULL if none */
    pscan_segment_kind segments_kind;
    int gzip; /* -1: as the input */
    bool no_compress;
    bool quiet;
    const char *synthetic, *xml; /* topo: a described machine */
    int64_t elements;            /* topo: the lane planned */
    const char **paths;
    int path_count;
} cli;

static int usage_error(const char *format, const char *what)
{
    fprintf(stderr, "pscan: ");
    fprintf(stderr, format, what);
    fprintf(stderr, "\n(pscan --help for usage)\n");
    return EXIT_USAGE;
}

static bool parse_long(const char *text, long lo, long hi, long *value)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return false;
    *value = v;
    return true;
}

static bool parse_dtype(const char *text, pscan_dtype *dtype)
{
    for (int t = PSCAN_BOOL; t < PSCAN_DTYPE_COUNT; t++)
        if (strcmp(text, pscan_dtype_name((pscan_dtype)t)) == 0) {
            *dtype = (pscan_dtype)t;
            return true;
        }
    return false;
}

static bool parse_op(const char *text, pscan_op *op)
{
    static const char *const names[] = {"cumsum", "cumprod", "cummax", "cummin",    "logcumsumexp",
                                        "cumand", "cumor",   "cumxor", "cumargmax", "cumargmin"};
    _Static_assert(sizeof names / sizeof *names == PSCAN_OP_COUNT && PSCAN_SUM == 0 &&
                       PSCAN_PROD == 1 && PSCAN_MAX == 2 && PSCAN_MIN == 3 &&
                       PSCAN_LOGADDEXP == 4 && PSCAN_BIT_AND == 5 && PSCAN_BIT_OR == 6 &&
                       PSCAN_BIT_XOR == 7 && PSCAN_ARGMAX == 8 && PSCAN_ARGMIN == 9,
                   "a name for every op, in the enum's order");
    for (int k = 0; k < (int)(sizeof names / sizeof *names); k++)
        if (strcmp(text, names[k]) == 0) {
            *op = (pscan_op)k;
            return true;
        }
    return false;
}

/* The value of option `name` at argv[*i]: "--name=value" or the next word. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const size_t len = strlen(name);
    if (strncmp(argv[*i], name, len) == 0 && argv[*i][len] == '=')
        return argv[*i] + len + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static bool is_option(const char *arg, const char *name)
{
    const size_t len = strlen(name);
    return strncmp(arg, name, len) == 0 && (arg[len] == 0 || (arg[len] == '=' && name[1] == '-'));
}

/* The library flag an option without a value stands for, 0 if none. */
static unsigned flag_option(const char *arg)
{
    static const struct {
        const char *name;
        unsigned flag;
    } flags[] = {
        {"--exclusive", PSCAN_FLAG_EXCLUSIVE},
        {"--include-initial", PSCAN_FLAG_INCLUDE_INITIAL},
        {"--reverse", PSCAN_FLAG_REVERSE},
        {"--skip-nan", PSCAN_FLAG_SKIP_NAN},
        {"--check-overflow", PSCAN_FLAG_CHECK_OVERFLOW},
        {"--compensated", PSCAN_FLAG_COMPENSATED},
    };
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if (strcmp(arg, flags[k].name) == 0)
            return flags[k].flag;
    return 0;
}

/* "0,1,-1": two or more axes into c->axes; false if malformed. */
static bool parse_axes(const char *list, cli *c)
{
    char copy[256];
    if (strlen(list) >= sizeof copy)
        return false;
    strcpy(copy, list);
    c->naxes = 0;
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        long axis;
        if (c->naxes == PSCAN_MAX_DIMS ||
            !parse_long(item, -PSCAN_MAX_DIMS, PSCAN_MAX_DIMS - 1, &axis))
            return false;
        c->axes[c->naxes++] = axis;
    }
    return c->naxes >= 2;
}

/* Returns -1 when the arguments are fine, else the exit code. */
static int parse_args(int argc, char **argv, cli *c)
{
    static const pscan_opts default_opts = PSCAN_OPTS_INIT;
    c->opts = default_opts;
    c->axis = LONG_MIN;
    c->placement = -1;
    c->slab_bytes = (size_t)4 << 20;
    c->gzip = -1;
    c->paths = calloc((size_t)argc, sizeof *c->paths);
    if (!c->paths) {
        fputs("pscan: out of memory\n", stderr);
        return EXIT_SCAN;
    }
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value;
        long number;
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (!c->command)
                c->command = arg;
            else
                c->paths[c->path_count++] = arg;
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            fputs(usage_options, stdout);
            return EXIT_OK;
        } else if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0) {
            printf("pscan %s (kernels: %s)\n", pscan_version(), pscan_isa_name());
            return EXIT_OK;
        } else if (is_option(arg, "--axis")) {
            if (!(value = option_value(argc, argv, &i, "--axis")))
                return usage_error("%s needs a value", "--axis");
            c->have_axis = true;
            if (strcmp(value, "none") == 0 || strcmp(value, "None") == 0)
                c->axis = LONG_MIN;
            else if (parse_long(value, -PSCAN_MAX_DIMS, PSCAN_MAX_DIMS - 1, &number))
                c->axis = number;
            else
                return usage_error("--axis: '%s' is not an axis (an integer, or none)", value);
        } else if (is_option(arg, "--dtype")) {
            if (!(value = option_value(argc, argv, &i, "--dtype")) ||
                !parse_dtype(value, &c->dtype))
                return usage_error("--dtype: '%s' is not a dtype (int64, float32, ...)",
                                   value ? value : "");
        } else if (is_option(arg, "--threads")) {
            if (!(value = option_value(argc, argv, &i, "--threads")) ||
                !parse_long(value, 1, INT_MAX, &number))
                return usage_error("--threads: '%s' is not a thread count (1 to 2147483647)",
                                   value ? value : "");
            c->opts.threads = (int)number;
        } else if (is_option(arg, "--order")) {
            value = option_value(argc, argv, &i, "--order");
            if (value && strcmp(value, "reproducible") == 0)
                c->opts.order = PSCAN_ORDER_REPRODUCIBLE;
            else if (value && strcmp(value, "sequential") == 0)
                c->opts.order = PSCAN_ORDER_SEQUENTIAL;
            else
                return usage_error("--order: '%s' is neither reproducible nor sequential",
                                   value ? value : "");
        } else if (flag_option(arg)) {
            c->opts.flags |= flag_option(arg);
        } else if (is_option(arg, "--axes")) {
            if (!(value = option_value(argc, argv, &i, "--axes")) || !parse_axes(value, c))
                return usage_error("--axes: '%s' is not a list of two or more axes (0,1)",
                                   value ? value : "");
        } else if (is_option(arg, "--placement")) {
            pscan_placement placement;
            if (!(value = option_value(argc, argv, &i, "--placement")) ||
                pscan_placement_from_name(value, &placement) != PSCAN_OK)
                return usage_error("--placement: '%s' is not none, spread or compact",
                                   value ? value : "");
            c->placement = (int)placement;
        } else if (strcmp(arg, "-o") == 0 || is_option(arg, "--output-dir")) {
            if (!(value = option_value(argc, argv, &i, "--output-dir")))
                return usage_error("%s needs a directory", arg);
            c->output_dir = value;
        } else if (is_option(arg, "--slab")) {
            if (!(value = option_value(argc, argv, &i, "--slab")) ||
                !parse_long(value, 1, LONG_MAX, &number))
                return usage_error("--slab: '%s' is not a byte count", value ? value : "");
            c->slab_bytes = (size_t)number;
        } else if (is_option(arg, "--gzip")) {
            if (!(value = option_value(argc, argv, &i, "--gzip")) ||
                !parse_long(value, 0, 9, &number))
                return usage_error("--gzip: '%s' is not a level from 0 to 9", value ? value : "");
            c->gzip = (int)number;
        } else if (strcmp(arg, "--no-compress") == 0) {
            c->no_compress = true;
        } else if (is_option(arg, "--synthetic")) {
            if (!(c->synthetic = option_value(argc, argv, &i, "--synthetic")))
                return usage_error("%s needs a description", "--synthetic");
        } else if (is_option(arg, "--xml")) {
            if (!(c->xml = option_value(argc, argv, &i, "--xml")))
                return usage_error("%s needs a file", "--xml");
        } else if (is_option(arg, "--elements")) {
            if (!(value = option_value(argc, argv, &i, "--elements")) ||
                !parse_long(value, 0, LONG_MAX, &number))
                return usage_error("--elements: '%s' is not a count", value ? value : "");
            c->elements = number;
        } else if (is_option(arg, "--segments") || is_option(arg, "--offsets") ||
                   is_option(arg, "--keys")) {
            const char *name = is_option(arg, "--segments")  ? "--segments"
                               : is_option(arg, "--offsets") ? "--offsets"
                                                             : "--keys";
            if (c->segments_path)
                return usage_error("%s: one of --segments, --offsets and --keys only", name);
            if (!(c->segments_path = option_value(argc, argv, &i, name)))
                return usage_error("%s needs a .npy file", name);
            c->segments_kind = name[2] == 's'   ? PSCAN_SEGMENT_FLAGS
                               : name[2] == 'o' ? PSCAN_SEGMENT_OFFSETS
                                                : PSCAN_SEGMENT_KEYS;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            c->quiet = true;
        } else {
            return usage_error("unknown option '%s'", arg);
        }
    }
    if (!c->command)
        return usage_error("%s",
                           "no command (cumsum, cumprod, cummax, cummin, logcumsumexp, cumand, "
                           "cumor, cumxor, cumargmax, cumargmin, info or topo)");
    if (strcmp(c->command, "topo") == 0)
        return c->path_count == 0 && !(c->synthetic && c->xml)
                   ? -1
                   : usage_error("%s", "topo takes no files, and one of --synthetic and --xml");
    if (strcmp(c->command, "info") == 0)
        return c->path_count > 0 ? -1 : usage_error("%s", "info needs at least one file");
    if (!parse_op(c->command, &c->op))
        return usage_error("unknown command '%s'", c->command);
    if (c->naxes > 0 && c->have_axis)
        return usage_error("%s", "--axes goes with no --axis");
    if (c->segments_path && (c->naxes > 0 || c->op == PSCAN_ARGMAX || c->op == PSCAN_ARGMIN))
        return usage_error("%s", "--segments, --offsets and --keys go with one axis and neither "
                                 "cumargmax nor cumargmin");
    if ((c->opts.flags & PSCAN_FLAG_EXCLUSIVE) && (c->opts.flags & PSCAN_FLAG_INCLUDE_INITIAL))
        return usage_error("%s", "--exclusive and --include-initial exclude each other");
    if (c->gzip >= 0 && c->no_compress)
        return usage_error("%s", "--gzip and --no-compress exclude each other");
    if (c->output_dir ? c->path_count < 1 : c->path_count != 2)
        return usage_error("%s", c->output_dir ? "no input files" : "expected IN OUT (or -o DIR)");
    return -1;
}

static const char *order_name(const pscan_npy_header *h)
{
    return h->fortran_order ? "Fortran" : "C";
}

static int run_topo(const cli *c)
{
    pscan_context *ctx = NULL;
    pscan_status status = PSCAN_OK;
    if (c->synthetic)
        status = pscan_context_create_synthetic(c->synthetic, &ctx);
    else if (c->xml)
        status = pscan_context_create_xml(c->xml, &ctx);
    if (status != PSCAN_OK) {
        fprintf(stderr, "pscan: topo: %s: %s\n", c->synthetic ? c->synthetic : c->xml,
                pscan_strerror(status));
        return c->synthetic ? EXIT_USAGE : EXIT_INPUT;
    }
    if (ctx && c->placement >= 0) /* a described machine plans with it too */
        pscan_context_set_placement(ctx, (pscan_placement)c->placement);
    const int64_t elements = c->elements ? c->elements : (int64_t)1 << 30;
    size_t capacity = 4096;
    char *text = NULL;
    for (;;) { /* grow until the plan fits */
        free(text);
        if (!(text = malloc(capacity))) {
            status = PSCAN_ENOMEM;
            break;
        }
        status = pscan_context_describe(ctx, elements, c->opts.threads, text, capacity);
        if (status != PSCAN_ESIZE)
            break;
        capacity *= 2;
    }
    if (status == PSCAN_OK)
        fputs(text, stdout);
    else
        fprintf(stderr, "pscan: topo: %s\n", pscan_strerror(status));
    free(text);
    pscan_context_destroy(ctx);
    return status == PSCAN_OK ? EXIT_OK : EXIT_SCAN;
}

/* An argument that names an HDF5 dataset (FILE:/path) or file. */
typedef struct h5_name {
    char *file, *dataset; /* dataset NULL: not named */
} h5_name;

static bool resolve_h5(const char *arg, h5_name *name)
{
    memset(name, 0, sizeof *name);
    if (h5_name_split(arg, NULL, &name->file, &name->dataset))
        return true;
    return h5_name_is_hdf5(arg) && (name->file = strdup(arg)) != NULL;
}

static void free_h5_name(h5_name *name)
{
    free(name->file);
    free(name->dataset);
    memset(name, 0, sizeof *name);
}

static int exit_for(npy_file_status status)
{
    return status == NPY_FILE_EINPUT   ? EXIT_INPUT
           : status == NPY_FILE_EUSAGE ? EXIT_USAGE
           : status == NPY_FILE_ENOMEM ? EXIT_SCAN
                                       : EXIT_IO;
}

#ifndef PSCAN_HAVE_HDF5
static int no_hdf5(const char *file)
{
    fprintf(stderr,
            "pscan: %s: HDF5 support is absent from this build (built without libhdf5-dev)\n",
            file);
    return EXIT_INPUT;
}
#endif

static int info_npy(const char *path)
{
    npy_input in;
    char message[512];
    npy_file_status status = npy_input_open(&in, path, message, sizeof message);
    if (status != NPY_FILE_OK) {
        fprintf(stderr, "pscan: %s\n", message);
        return exit_for(status);
    }
    const pscan_npy_header *h = &in.header;
    printf("%s: shape (", path);
    for (int d = 0; d < h->ndim; d++)
        printf(d + 1 < h->ndim || h->ndim == 1 ? "%lld," : "%lld", (long long)h->shape[d]);
    printf(") dtype %s (%s-endian) %s order, .npy %d.%d, data at byte %zu, %llu bytes\n",
           pscan_dtype_name(h->dtype), h->big_endian ? "big" : "little", order_name(h), h->major,
           h->minor, h->data_offset, (unsigned long long)in.data_bytes);
    npy_input_close(&in);
    return EXIT_OK;
}

static int info_h5(const h5_name *name)
{
#ifdef PSCAN_HAVE_HDF5
    char message[1024];
    fflush(stdout);
    npy_file_status status = h5_info(name->file, name->dataset, stdout, message, sizeof message);
    if (status == NPY_FILE_OK)
        return EXIT_OK;
    fprintf(stderr, "pscan: %s\n", message);
    return exit_for(status);
#else
    return no_hdf5(name->file);
#endif
}

static int run_info(const cli *c)
{
    int worst = EXIT_OK;
    for (int k = 0; k < c->path_count; k++) {
        h5_name name;
        const int code = resolve_h5(c->paths[k], &name) ? info_h5(&name) : info_npy(c->paths[k]);
        free_h5_name(&name);
        if (code != EXIT_OK && worst == EXIT_OK)
            worst = code;
    }
    return worst;
}

/* One input, .npy or HDF5, seen by file_scan as a source. */
typedef struct tool_input {
    scan_source source;
    bool is_h5;
    npy_input npy;
#ifdef PSCAN_HAVE_HDF5
    h5_input h5;
#endif
} tool_input;

static int open_input(const cli *c, const char *arg, tool_input *in)
{
    memset(in, 0, sizeof *in);
    char message[1024];
    h5_name name;
    npy_file_status status;
    if (resolve_h5(arg, &name)) {
        in->is_h5 = true;
#ifdef PSCAN_HAVE_HDF5
        status =
            h5_input_open(&in->h5, name.file, name.dataset, c->slab_bytes, message, sizeof message);
        if (status == NPY_FILE_OK) {
            in->source.header = in->h5.header;
            in->source.data_bytes = in->h5.data_bytes;
            in->source.read = h5_input_read;
            in->source.self = &in->h5;
        }
#else
        (void)c;
        const int code = no_hdf5(name.file);
        free_h5_name(&name);
        return code;
#endif
    } else {
        status = npy_input_open(&in->npy, arg, message, sizeof message);
        if (status == NPY_FILE_OK) {
            in->source.header = in->npy.header;
            in->source.data_bytes = in->npy.data_bytes;
            in->source.map = in->npy.data;
        }
    }
    free_h5_name(&name);
    if (status != NPY_FILE_OK) {
        fprintf(stderr, "pscan: %s\n", message);
        return exit_for(status);
    }
    return EXIT_OK;
}

static void close_input(tool_input *in)
{
#ifdef PSCAN_HAVE_HDF5
    if (in->is_h5) {
        h5_input_close(&in->h5);
        return;
    }
#endif
    npy_input_close(&in->npy);
}

/* One output, .npy or HDF5, seen by file_scan as a sink. */
typedef struct tool_output {
    scan_sink sink;
    bool is_h5;
    npy_output npy;
#ifdef PSCAN_HAVE_HDF5
    h5_output h5;
#endif
} tool_output;

/* Where `arg` sends the result: HDF5 when it names a dataset, ends in an
 * HDF5 extension or is an HDF5 file (or, with -o, when the input is). */
static bool output_is_h5(const char *arg, bool like_input, const tool_input *in, h5_name *name)
{
    if (like_input && !in->is_h5)
        return false; /* -o DIR of a .npy: DIR itself may hold ":/" */
    if (h5_name_split(arg, NULL, &name->file, &name->dataset))
        return true;
    if (!(like_input || h5_name_has_extension(arg) || h5_name_is_hdf5(arg)))
        return false;
    name->file = strdup(arg);
    return name->file != NULL;
}

static int create_output(const cli *c, const char *arg, bool like_input, const tool_input *in,
                         const file_scan_request *request, tool_output *out)
{
    memset(out, 0, sizeof *out);
    pscan_npy_header result;
    file_scan_result_header(&in->source.header, request, &result);
    if (pscan_npy_data_bytes(&result, &out->sink.data_bytes) != PSCAN_NPY_OK) {
        fprintf(stderr, "pscan: %s: the result is too large\n", arg);
        return EXIT_INPUT;
    }
    char message[1024];
    h5_name name = {0};
    npy_file_status status;
    if (output_is_h5(arg, like_input, in, &name)) {
        out->is_h5 = true;
        if (in->source.header.fortran_order && result.ndim >= 2) {
            fprintf(stderr,
                    "pscan: %s: a Fortran-ordered array scanned along an axis cannot go to "
                    "HDF5, which is C order (numpy.ascontiguousarray first)\n",
                    arg);
            free_h5_name(&name);
            return EXIT_USAGE;
        }
#ifdef PSCAN_HAVE_HDF5
        const char *dataset = name.dataset ? name.dataset : in->is_h5 ? in->h5.dataset : "/data";
        h5_output_options options = {
            .gzip = c->gzip,
            .no_compress = c->no_compress,
            .op = c->command,
            .naxes = request->naxes > 1 ? request->naxes
                     : request->axis == PSCAN_AXIS_NONE || in->source.header.ndim == 0 ? 0
                                                                                       : 1,
            .axes_list = request->naxes > 1,
            .slab_bytes = c->slab_bytes,
        };
        if (request->naxes > 1)
            memcpy(options.axes, request->axes, sizeof options.axes);
        else
            options.axes[0] = request->axis;
        status = h5_output_create(&out->h5, name.file, dataset, &result, in->is_h5 ? &in->h5 : NULL,
                                  &options, message, sizeof message);
        if (status == NPY_FILE_OK) {
            out->sink.write = h5_output_write;
            out->sink.self = &out->h5;
        }
#else
        (void)c;
        const int code = no_hdf5(name.file);
        free_h5_name(&name);
        return code;
#endif
    } else {
        status = npy_output_create(&out->npy, arg, &result, message, sizeof message);
        if (status == NPY_FILE_OK) {
            out->sink.fd = out->npy.fd;
            out->sink.base = out->npy.data_offset;
        }
    }
    free_h5_name(&name);
    if (status != NPY_FILE_OK) {
        fprintf(stderr, "pscan: %s\n", message);
        return exit_for(status);
    }
    return EXIT_OK;
}

static npy_file_status commit_output(tool_output *out, char *message, size_t message_len)
{
#ifdef PSCAN_HAVE_HDF5
    if (out->is_h5)
        return h5_output_commit(&out->h5, message, message_len);
#endif
    return npy_output_commit(&out->npy, message, message_len);
}

static void abort_output(tool_output *out)
{
#ifdef PSCAN_HAVE_HDF5
    if (out->is_h5) {
        h5_output_abort(&out->h5);
        return;
    }
#endif
    npy_output_abort(&out->npy);
}

/* A failed read or write: the line HDF5's side made (naming file and
 * dataset, with HDF5's reason), else the system's error. */
static void io_failure(const char *h5_line, const char *arg, const char *what, int err)
{
    if (h5_line && h5_line[0])
        fprintf(stderr, "pscan: %s\n", h5_line);
    else
        fprintf(stderr, "pscan: %s: %s: %s\n", arg, what, strerror(err));
}

/* Resolve the axis options against `h`; -1 when they fit, else the exit
 * code (said on stderr). */
static int resolve_axes(const cli *c, const pscan_npy_header *h, const char *in_arg,
                        file_scan_request *request)
{
    const long dims = h->ndim == 0 ? 1 : h->ndim;
    request->axis = PSCAN_AXIS_NONE;
    if (c->axis != LONG_MIN) {
        if (c->axis < -dims || c->axis >= dims) {
            fprintf(stderr, "pscan: %s: axis %ld is out of range for a %d-d array\n", in_arg,
                    c->axis, h->ndim);
            return EXIT_USAGE;
        }
        request->axis = (int)(c->axis < 0 ? c->axis + dims : c->axis);
    }
    for (int k = 0; k < c->naxes; k++) {
        if (c->axes[k] < -dims || c->axes[k] >= dims) {
            fprintf(stderr, "pscan: %s: axis %ld is out of range for a %d-d array\n", in_arg,
                    c->axes[k], h->ndim);
            return EXIT_USAGE;
        }
        request->axes[k] = (int)(c->axes[k] < 0 ? c->axes[k] + dims : c->axes[k]);
    }
    request->naxes = c->naxes;
    if (c->naxes > 0)
        request->axis = request->axes[0];
    return -1;
}

/* Scan one file; messages go to stderr. `like_input`: OUT is HDF5 when IN
 * is (-o DIR). */
static int run_one(const cli *c, const char *in_arg, const char *out_arg, bool like_input)
{
    tool_input in;
    int code = open_input(c, in_arg, &in);
    if (code != EXIT_OK)
        return code;
    const pscan_npy_header *h = &in.source.header;
    file_scan_request request = {.op = c->op, .opts = c->opts, .slab_bytes = c->slab_bytes};
#ifdef PSCAN_HAVE_HDF5
    if (in.is_h5)
        request.slab_bytes = h5_input_slab(&in.h5, c->slab_bytes);
#endif
    /* The writer thread needs a core of its own: measured on 2 cores, an
     * OpenMP worker spinning between slabs on it made runs 1.7x slower. */
    if (request.opts.threads == 0) {
        const int cores = pscan_context_threads(pscan_default_context());
        request.opts.threads = cores > 1 ? cores - 1 : 1;
    }
    if ((code = resolve_axes(c, h, in_arg, &request)) >= 0) {
        close_input(&in);
        return code;
    }
    request.acc = c->dtype != PSCAN_DTYPE_DEFAULT ? c->dtype : pscan_default_dtype(c->op, h->dtype);
    unsigned char identity[16];
    if (pscan_identity(c->op, request.acc, identity) != PSCAN_OK) {
        /* numpy has no such loop (logcumsumexp of complex, cumxor of floats) */
        fprintf(stderr, "pscan: %s: %s has no loop for %s\n", in_arg, c->command,
                request.acc == PSCAN_DTYPE_DEFAULT ? pscan_dtype_name(h->dtype)
                                                   : pscan_dtype_name(request.acc));
        close_input(&in);
        return EXIT_USAGE;
    }
    /* an arg scan writes indexes */
    request.out_dtype = c->op == PSCAN_ARGMAX || c->op == PSCAN_ARGMIN ? PSCAN_INT64 : request.acc;
    segment_file segments;
    if (c->segments_path) {
        char message[1024];
        const npy_file_status opened = segment_file_open(&segments, c->segments_path,
                                                         c->segments_kind, message, sizeof message);
        if (opened != NPY_FILE_OK) {
            fprintf(stderr, "pscan: %s\n", message);
            close_input(&in);
            return exit_for(opened);
        }
        request.segments = &segments.segments;
    }
    tool_output out;
    if ((code = create_output(c, out_arg, like_input, &in, &request, &out)) != EXIT_OK) {
        if (c->segments_path)
            segment_file_close(&segments);
        close_input(&in);
        return code;
    }
    progress bar;
    progress_start(&bar, in_arg, c->quiet);
    request.progress = progress_update;
    request.progress_context = &bar;
    file_scan_error error;
    pscan_status status = file_scan_run(&in.source, &out.sink, &request, &error);
    progress_finish(&bar);
    if (c->segments_path)
        segment_file_close(&segments);
    if (error.read_error || error.write_error) {
        const char *h5_line = NULL;
#ifdef PSCAN_HAVE_HDF5
        h5_line =
            error.read_error ? (in.is_h5 ? in.h5.error : NULL) : (out.is_h5 ? out.h5.error : NULL);
#endif
        if (error.read_error)
            io_failure(h5_line, in_arg, "cannot read", error.read_error);
        else
            io_failure(h5_line, out_arg, "cannot write", error.write_error);
        close_input(&in);
        abort_output(&out);
        return error.read_error == EBADMSG ? EXIT_INPUT : EXIT_IO;
    }
    close_input(&in);
    if (status != PSCAN_OK) {
        fprintf(stderr, "pscan: %s: %s\n", status == PSCAN_ESEGMENTS ? c->segments_path : in_arg,
                pscan_strerror(status));
        abort_output(&out);
        return status == PSCAN_ENOMEM      ? EXIT_SCAN
               : status == PSCAN_EOVERFLOW ? EXIT_OVERFLOW
                                           : EXIT_USAGE;
    }
    char message[1024];
    if (commit_output(&out, message, sizeof message) != NPY_FILE_OK) {
        fprintf(stderr, "pscan: %s\n", message);
        return EXIT_IO;
    }
    return EXIT_OK;
}

static int run_scans(const cli *c)
{
    if (!c->output_dir)
        return run_one(c, c->paths[0], c->paths[1], false);
    int worst = EXIT_OK;
    for (int k = 0; k < c->path_count; k++) {
        h5_name name;
        const bool h5 = resolve_h5(c->paths[k], &name) && name.dataset;
        const char *file = h5 ? name.file : c->paths[k];
        const char *slash = strrchr(file, '/');
        const char *base = slash ? slash + 1 : file;
        char *out_path;
        const int made = h5 ? asprintf(&out_path, "%s/%s:%s", c->output_dir, base, name.dataset)
                            : asprintf(&out_path, "%s/%s", c->output_dir, base);
        free_h5_name(&name);
        if (made < 0) {
            fputs("pscan: out of memory\n", stderr);
            return EXIT_SCAN;
        }
        int code = run_one(c, c->paths[k], out_path, true);
        free(out_path);
        if (code != EXIT_OK && worst == EXIT_OK)
            worst = code;
    }
    return worst;
}

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    int code = parse_args(argc, argv, &c);
    if (code < 0 && c.placement >= 0 &&
        pscan_context_set_placement(NULL, (pscan_placement)c.placement) != PSCAN_OK) {
        fprintf(stderr, "pscan: --placement: %s\n", pscan_strerror(PSCAN_ETOPOLOGY));
        code = EXIT_SCAN;
    }
    if (code < 0) {
        npy_install_signal_cleanup(EXIT_INPUT);
        code = strcmp(c.command, "info") == 0   ? run_info(&c)
               : strcmp(c.command, "topo") == 0 ? run_topo(&c)
                                                : run_scans(&c);
    }
    free(c.paths);
#ifdef PSCAN_HAVE_HDF5
    h5_finish();
#endif
    return code;
}
