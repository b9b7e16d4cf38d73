/* out_writer.h - results written to a file by a background thread, while
 * the next slab is being scanned: two buffers, at most one write in
 * flight. Resident memory is the two buffers, whatever the file size. */
#ifndef PSCAN_TOOLS_OUT_WRITER_H
#define PSCAN_TOOLS_OUT_WRITER_H

#include "slab_buffers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of results for data offset `offset`; 0 or an errno value. */
typedef int (*out_writer_write_fn)(void *sink, const unsigned char *data, size_t bytes,
                                   uint64_t offset);

typedef struct out_writer {
    int fd;
    uint64_t base;             /* file offset of byte 0 of the data */
    out_writer_write_fn write; /* instead of the file, when set */
    void *sink;
    slab_buffers buffers;
    int next; /* the buffer out_writer_buffer hands out */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    const unsigned char *job;
    size_t job_bytes;
    uint64_t job_offset;
    bool pending, stop;
    int error; /* errno of the first failed write, else 0 */
} out_writer;

/* Writes go to `fd` from offset `base` on, or (`write` set) to `write`.
 * Returns 0 or an errno value. */
int out_writer_start(out_writer *w, int fd, uint64_t base, out_writer_write_fn write, void *sink);
/* A buffer of at least `bytes` that no write is using (NULL: no memory). */
unsigned char *out_writer_buffer(out_writer *w, size_t bytes);
/* Queue `bytes` of the buffer last handed out for data offset `offset`,
 * after the write before it has finished. Returns 0 or the errno of a
 * failed earlier write. */
int out_writer_submit(out_writer *w, size_t bytes, uint64_t offset);
/* Wait for the last write, stop the thread, free the buffers. Returns 0 or
 * the errno of the first failed write. */
int out_writer_finish(out_writer *w);

#endif
