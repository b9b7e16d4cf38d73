/* npy_file.c - mapped .npy inputs and atomically replaced outputs. */
#define _GNU_SOURCE

#include "npy_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static npy_file_status say(npy_file_status status, char *message, size_t message_len,
                           const char *path, const char *what, const char *detail)
{
    snprintf(message, message_len, "%s: %s%s%s", path, what, detail ? ": " : "",
             detail ? detail : "");
    return status;
}

npy_file_status npy_input_open(npy_input *in, const char *path, char *message, size_t message_len)
{
    memset(in, 0, sizeof *in);
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0)
        return say(NPY_FILE_EIO, message, message_len, path, "cannot open", strerror(errno));
    struct stat st;
    if (fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        npy_input_close(in);
        return say(NPY_FILE_EIO, message, message_len, path, "not a regular file", NULL);
    }
    in->map_bytes = (size_t)st.st_size;
    if (in->map_bytes > 0) {
        void *map = mmap(NULL, in->map_bytes, PROT_READ, MAP_SHARED, in->fd, 0);
        if (map == MAP_FAILED) {
            npy_input_close(in);
            return say(NPY_FILE_EIO, message, message_len, path, "cannot map", strerror(errno));
        }
        in->map = map;
    }
    char problem[256];
    pscan_npy_status parsed =
        pscan_npy_parse(in->map, in->map_bytes, &in->header, problem, sizeof problem);
    if (parsed == PSCAN_NPY_OK)
        parsed = pscan_npy_data_bytes(&in->header, &in->data_bytes);
    if (parsed != PSCAN_NPY_OK) {
        npy_input_close(in);
        return say(NPY_FILE_EINPUT, message, message_len, path, problem, NULL);
    }
    const uint64_t available = (uint64_t)in->map_bytes - in->header.data_offset;
    if (available != in->data_bytes) {
        char detail[160];
        snprintf(detail, sizeof detail, "the header describes %llu data bytes, the file holds %llu",
                 (unsigned long long)in->data_bytes, (unsigned long long)available);
        npy_input_close(in);
        return say(NPY_FILE_EINPUT, message, message_len, path, "size mismatch", detail);
    }
    in->data = in->map + in->header.data_offset;
    /* Read front to back: the kernel may read ahead and drop pages behind. */
    if (in->map)
        madvise(in->map, in->map_bytes, MADV_SEQUENTIAL);
    return NPY_FILE_OK;
}

void npy_input_close(npy_input *in)
{
    if (in->map)
        munmap(in->map, in->map_bytes);
    if (in->fd >= 0)
        close(in->fd);
    in->map = NULL;
    in->fd = -1;
}

/* The temporary being written, for the signal handler: one at a time. */
static char signal_temp_path[4096];
static volatile sig_atomic_t signal_temp_set;

/* Remove the temporary being written, if any (async-signal-safe; also the
 * atexit hook: a library that gives up with exit(), as libgomp does when it
 * cannot start a thread, still takes the temporary with it). */
static void remove_temp(void)
{
    if (signal_temp_set)
        unlink(signal_temp_path);
}

static void remove_temp_and_die(int signo)
{
    remove_temp();
    signal(signo, SIG_DFL);
    raise(signo);
}

/* Inputs are the only files mapped: a SIGBUS means one of them was cut
 * short by another process while it was being read. Only async-signal-safe
 * calls here. */
static int input_lost_status = 3;

static void input_lost(int signo)
{
    (void)signo;
    remove_temp();
    static const char message[] = "pscan: an input file was truncated while it was being read "
                                  "(SIGBUS); OUT is left as it was\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    _exit(input_lost_status);
}

void npy_install_signal_cleanup(int input_lost_exit)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = remove_temp_and_die;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    input_lost_status = input_lost_exit;
    action.sa_handler = input_lost;
    sigaction(SIGBUS, &action, NULL);
    /* Past a file-size limit (ulimit -f) a write fails with EFBIG, which the
     * tool reports (exit 4, OUT kept, temporary removed), instead of SIGXFSZ
     * killing it with the temporary left behind. */
    signal(SIGXFSZ, SIG_IGN);
    atexit(remove_temp);
}

/* The cleanup signals wait while the path the handler reads changes, and
 * from a temporary's creation until the handler knows it. */
static void block_cleanup_signals(sigset_t *old)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, old);
}

static void set_signal_temp_blocked(const char *path)
{
    signal_temp_set = 0;
    if (path && strlen(path) < sizeof signal_temp_path) {
        strcpy(signal_temp_path, path);
        signal_temp_set = 1;
    }
}

static void set_signal_temp(const char *path)
{
    sigset_t old;
    block_cleanup_signals(&old);
    set_signal_temp_blocked(path);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static char *temp_path_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    const size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_len;
    const size_t len = dir_len + strlen(base) + 32;
    char *temp = malloc(len);
    if (temp)
        snprintf(temp, len, "%.*s.%s.pscan-XXXXXX", (int)dir_len, path, base);
    return temp;
}

int npy_create_temp(const char *path, char **temp_path)
{
    *temp_path = temp_path_for(path);
    if (!*temp_path) {
        errno = ENOMEM;
        return -1;
    }
    sigset_t old_mask;
    block_cleanup_signals(&old_mask);
    const int fd = mkostemp(*temp_path, O_CLOEXEC);
    const int create_err = errno;
    if (fd >= 0)
        set_signal_temp_blocked(*temp_path);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    if (fd < 0) {
        free(*temp_path);
        *temp_path = NULL;
        errno = create_err;
        return -1;
    }
    /* mkstemp makes 0600; a result is as readable as any file the user makes. */
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    return fd;
}

void npy_forget_temp(void)
{
    set_signal_temp(NULL);
}

npy_file_status npy_output_create(npy_output *out, const char *path, const pscan_npy_header *header,
                                  char *message, size_t message_len)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    unsigned char head[4096];
    const size_t head_bytes = pscan_npy_write(header, head, sizeof head);
    if (head_bytes == 0 || pscan_npy_data_bytes(header, &out->data_bytes) != PSCAN_NPY_OK ||
        out->data_bytes > (uint64_t)SIZE_MAX - head_bytes)
        return say(NPY_FILE_EINPUT, message, message_len, path, "the result is too large", NULL);
    out->final_path = strdup(path);
    if (!out->final_path) {
        npy_output_abort(out);
        return say(NPY_FILE_ENOMEM, message, message_len, path, "out of memory", NULL);
    }
    out->fd = npy_create_temp(path, &out->temp_path);
    if (out->fd < 0) {
        const int err = errno;
        npy_output_abort(out);
        return say(err == ENOMEM ? NPY_FILE_ENOMEM : NPY_FILE_EIO, message, message_len, path,
                   "cannot create a file beside it", strerror(err));
    }
    out->data_offset = head_bytes;
    const off_t total = (off_t)(head_bytes + out->data_bytes);
    int err = 0;
    if (pwrite(out->fd, head, head_bytes, 0) != (ssize_t)head_bytes)
        err = errno ? errno : EIO;
    /* Reserve the blocks now: a full disk fails here, not halfway. */
    else if ((err = posix_fallocate(out->fd, 0, total)) == EINVAL || err == EOPNOTSUPP)
        err = ftruncate(out->fd, total) == 0 ? 0 : errno;
    if (err) {
        npy_output_abort(out);
        return say(NPY_FILE_EIO, message, message_len, path, "cannot write", strerror(err));
    }
    return NPY_FILE_OK;
}

npy_file_status npy_output_commit(npy_output *out, char *message, size_t message_len)
{
    int err = 0;
    if (close(out->fd) != 0)
        err = errno;
    out->fd = -1;
    if (!err && rename(out->temp_path, out->final_path) != 0)
        err = errno;
    if (err) {
        say(NPY_FILE_EIO, message, message_len, out->final_path, "cannot write", strerror(err));
        npy_output_abort(out);
        return NPY_FILE_EIO;
    }
    set_signal_temp(NULL);
    free(out->temp_path);
    free(out->final_path);
    out->temp_path = out->final_path = NULL;
    return NPY_FILE_OK;
}

void npy_output_abort(npy_output *out)
{
    if (out->fd >= 0)
        close(out->fd);
    if (out->temp_path) {
        unlink(out->temp_path);
        set_signal_temp(NULL);
    }
    free(out->temp_path);
    free(out->final_path);
    memset(out, 0, sizeof *out);
    out->fd = -1;
}
