/* h5_name.c - FILE:/path arguments and the HDF5 signature. */
#define _GNU_SOURCE

#include "h5_name.h"

#include <fcntl.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

bool h5_name_split(const char *arg, bool (*exists)(const char *path), char **file, char **dataset)
{
    *file = *dataset = NULL;
    if (!exists)
        exists = file_exists;
    if (exists(arg))
        return false;
    const char *cut = NULL;
    for (const char *at = strstr(arg, ":/"); at; at = strstr(at + 1, ":/")) {
        if (at == arg || at[2] == 0)
            continue;
        char *prefix = strndup(arg, (size_t)(at - arg));
        if (!prefix)
            return false;
        const bool found = exists(prefix);
        free(prefix);
        if (!cut || found)
            cut = at;
        if (found)
            break;
    }
    if (!cut)
        return false;
    *file = strndup(arg, (size_t)(cut - arg));
    *dataset = strdup(cut + 1);
    if (!*file || !*dataset) {
        free(*file);
        free(*dataset);
        *file = *dataset = NULL;
        return false;
    }
    return true;
}

bool h5_name_is_hdf5(const char *path)
{
    static const unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool found = false;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        /* A user block before the superblock is 0 or a power of two >= 512. */
        for (off_t at = 0; !found && at + 8 <= st.st_size; at = at ? at * 2 : 512) {
            unsigned char head[8];
            found = pread(fd, head, 8, at) == 8 && memcmp(head, signature, 8) == 0;
        }
    close(fd);
    return found;
}

bool h5_name_has_extension(const char *path)
{
    static const char *const extensions[] = {".h5", ".hdf5", ".he5", ".nc"};
    const size_t len = strlen(path);
    for (size_t k = 0; k < sizeof extensions / sizeof *extensions; k++) {
        const size_t e = strlen(extensions[k]);
        if (len > e && strcasecmp(path + len - e, extensions[k]) == 0)
            return true;
    }
    return false;
}
