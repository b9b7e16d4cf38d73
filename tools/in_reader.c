/* in_reader.c - read ahead by one slab, from a background thread. */
#define _GNU_SOURCE

#include "in_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void *reader_main(void *arg)
{
    in_reader *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!(r->pending && !r->done) && !r->stop)
            pthread_cond_wait(&r->changed, &r->lock);
        if (r->stop)
            break;
        unsigned char *dst = r->buffers.data[r->job_buffer];
        const uint64_t offset = r->job_offset;
        const size_t bytes = r->job_bytes;
        pthread_mutex_unlock(&r->lock);
        const int err = r->read(r->source, offset, bytes, dst);
        pthread_mutex_lock(&r->lock);
        r->job_error = err;
        r->done = true;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int in_reader_start(in_reader *r, in_reader_read_fn read, void *source, uint64_t limit)
{
    memset(r, 0, sizeof *r);
    r->read = read;
    r->source = source;
    r->limit = limit;
    r->held = -1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    const int err = pthread_create(&r->thread, NULL, reader_main, r);
    if (err) {
        pthread_cond_destroy(&r->changed);
        pthread_mutex_destroy(&r->lock);
    }
    return err;
}

/* Wait for the read ahead, if any; true if it holds [offset, +bytes). */
static bool take_ahead(in_reader *r, uint64_t offset, size_t bytes)
{
    pthread_mutex_lock(&r->lock);
    while (r->pending && !r->done)
        pthread_cond_wait(&r->changed, &r->lock);
    const bool hit = r->pending && r->job_error == 0 && offset >= r->job_offset &&
                     offset + bytes <= r->job_offset + r->job_bytes;
    r->pending = r->done = false;
    pthread_mutex_unlock(&r->lock);
    return hit;
}

/* Read the slab the walk will want next into the buffer not handed out. */
static void read_ahead(in_reader *r, uint64_t offset, size_t bytes, bool backward)
{
    uint64_t next;
    size_t len = bytes;
    if (backward) {
        if (offset == 0)
            return;
        if (len > offset)
            len = (size_t)offset;
        next = offset - len;
    } else {
        next = offset + bytes;
        if (next >= r->limit)
            return;
        if (len > r->limit - next)
            len = (size_t)(r->limit - next);
    }
    const int k = r->held ^ 1;
    if (len == 0 || !slab_buffer(&r->buffers, k, len))
        return; /* no memory to read ahead: the next get reads it itself */
    pthread_mutex_lock(&r->lock);
    r->job_buffer = k;
    r->job_offset = next;
    r->job_bytes = len;
    r->job_error = 0;
    r->pending = true;
    r->done = false;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

const unsigned char *in_reader_get(in_reader *r, uint64_t offset, size_t bytes, int *error)
{
    const int ahead = r->held ^ 1; /* where a read ahead went (held -1: none yet) */
    const uint64_t ahead_offset = r->job_offset;
    const unsigned char *data;
    if (r->held >= 0 && take_ahead(r, offset, bytes)) {
        r->held = ahead;
        data = r->buffers.data[ahead] + (offset - ahead_offset);
    } else {
        r->held = r->held < 0 ? 0 : r->held ^ 1;
        unsigned char *into = slab_buffer(&r->buffers, r->held, bytes);
        if (!into) {
            *error = ENOMEM;
            return NULL;
        }
        if ((*error = r->read(r->source, offset, bytes, into)) != 0)
            return NULL;
        data = into;
    }
    const bool backward = offset < r->last_offset;
    r->last_offset = offset;
    read_ahead(r, offset, bytes, backward);
    return data;
}

void in_reader_finish(in_reader *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->pending && !r->done)
        pthread_cond_wait(&r->changed, &r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    slab_buffers_free(&r->buffers);
}
