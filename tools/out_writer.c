/* out_writer.c - the background writer: pwrite (or the sink's write) from
 * one buffer while the scan fills the other. */
#define _GNU_SOURCE

#include "out_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const unsigned char *data, size_t bytes, uint64_t offset)
{
    while (bytes > 0) {
        ssize_t n = pwrite(fd, data, bytes, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        data += n;
        bytes -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

static void *writer_main(void *arg)
{
    out_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->pending && !w->stop)
            pthread_cond_wait(&w->changed, &w->lock);
        if (!w->pending)
            break;
        const unsigned char *data = w->job;
        size_t bytes = w->job_bytes;
        uint64_t offset = w->job_offset;
        pthread_mutex_unlock(&w->lock);
        int err = w->error   ? 0
                  : w->write ? w->write(w->sink, data, bytes, offset)
                             : write_all(w->fd, data, bytes, w->base + offset);
        pthread_mutex_lock(&w->lock);
        if (err && !w->error)
            w->error = err;
        w->pending = false;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int out_writer_start(out_writer *w, int fd, uint64_t base, out_writer_write_fn write, void *sink)
{
    memset(w, 0, sizeof *w);
    w->fd = fd;
    w->base = base;
    w->write = write;
    w->sink = sink;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    int err = pthread_create(&w->thread, NULL, writer_main, w);
    if (err) {
        pthread_cond_destroy(&w->changed);
        pthread_mutex_destroy(&w->lock);
    }
    return err;
}

unsigned char *out_writer_buffer(out_writer *w, size_t bytes)
{
    return slab_buffer(&w->buffers, w->next, bytes);
}

int out_writer_submit(out_writer *w, size_t bytes, uint64_t offset)
{
    pthread_mutex_lock(&w->lock);
    while (w->pending)
        pthread_cond_wait(&w->changed, &w->lock);
    int err = w->error;
    if (!err && bytes > 0) {
        w->job = w->buffers.data[w->next];
        w->job_bytes = bytes;
        w->job_offset = offset;
        w->pending = true;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    w->next ^= 1;
    return err;
}

int out_writer_finish(out_writer *w)
{
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    slab_buffers_free(&w->buffers);
    return w->error;
}
