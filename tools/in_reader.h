/* in_reader.h - inputs that are read, not mapped (HDF5 datasets): each
 * slab is read into one of two buffers, and while it is scanned a
 * background thread reads the slab predicted to come next (the next range
 * in the direction of the walk, the same size). A miss is read at once.
 * Resident memory is the two buffers, whatever the input's size. */
#ifndef PSCAN_TOOLS_IN_READER_H
#define PSCAN_TOOLS_IN_READER_H

#include "slab_buffers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes [offset, offset + bytes) of an input into dst; 0 or an errno. */
typedef int (*in_reader_read_fn)(void *source, uint64_t offset, size_t bytes, unsigned char *dst);

typedef struct in_reader {
    in_reader_read_fn read;
    void *source;
    uint64_t limit; /* the input's size in bytes */
    slab_buffers buffers;
    int held; /* the buffer handed out last, -1 before the first */
    uint64_t last_offset;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    /* The read ahead, into buffer job_buffer: */
    bool pending, done, stop;
    int job_buffer;
    uint64_t job_offset;
    size_t job_bytes;
    int job_error;
} in_reader;

/* Returns 0 or an errno value. */
int in_reader_start(in_reader *r, in_reader_read_fn read, void *source, uint64_t limit);
/* Bytes [offset, offset + bytes) of the input, valid until the next call;
 * NULL with *error set (an errno value, ENOMEM included) on failure. */
const unsigned char *in_reader_get(in_reader *r, uint64_t offset, size_t bytes, int *error);
/* Wait for a read in flight, stop the thread, free the buffers. */
void in_reader_finish(in_reader *r);

#endif
