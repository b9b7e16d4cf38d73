/* fuzz_h5_name.c - libFuzzer target for the FILE:/path argument parser.
 * The input is the argument, then NUL-separated names that "exist" (the
 * parser's existence test is this list, not the disk). A split must give
 * back the argument as file ":" dataset, with a non-empty file and a
 * dataset of "/" and more; it must pick an existing file when one of the
 * candidate prefixes exists; a refusal must mean the argument exists or
 * has no ":/" with something on both sides. Built with clang
 * -fsanitize=fuzzer (scripts/fuzz.sh). */
#define _GNU_SOURCE

#include "h5_name.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t len);

static const char *names; /* the existing names, NUL-separated */
static size_t names_bytes;

static bool listed(const char *path)
{
    for (size_t at = 0; at < names_bytes; at += strlen(names + at) + 1)
        if (strcmp(names + at, path) == 0)
            return true;
    return false;
}

/* A ":/" at `at` of `arg` that can split it (text on both sides). */
static bool candidate(const char *arg, const char *at)
{
    return at != arg && at[2] != 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t len)
{
    char *copy = malloc(len + 2);
    if (!copy)
        return 0;
    memcpy(copy, bytes, len);
    copy[len] = copy[len + 1] = 0;
    const char *arg = copy;
    const size_t arg_len = strlen(arg);
    names = arg_len < len ? copy + arg_len + 1 : copy + len;
    names_bytes = arg_len < len ? len - arg_len - 1 : 0;

    char *file, *dataset;
    const bool split = h5_name_split(arg, listed, &file, &dataset);
    bool any_candidate = false, any_existing = false;
    for (const char *at = strstr(arg, ":/"); at; at = strstr(at + 1, ":/"))
        if (candidate(arg, at)) {
            any_candidate = true;
            char *prefix = strndup(arg, (size_t)(at - arg));
            any_existing = any_existing || (prefix && listed(prefix));
            free(prefix);
        }
    if (split) {
        const size_t file_len = strlen(file);
        if (listed(arg) || file_len == 0 || dataset[0] != '/' || dataset[1] == 0 ||
            file_len + 1 + strlen(dataset) != arg_len || strncmp(arg, file, file_len) != 0 ||
            arg[file_len] != ':' || strcmp(arg + file_len + 1, dataset) != 0 ||
            (any_existing && !listed(file)))
            abort();
        free(file);
        free(dataset);
    } else if (file || dataset || (!listed(arg) && any_candidate)) {
        abort();
    }
    free(copy);
    return 0;
}
