/* slab_buffers.h - the two buffers a background reader or writer hands
 * out in turn, each grown (64-byte aligned) to the largest slab asked of
 * it and kept for the next. */
#ifndef PSCAN_TOOLS_SLAB_BUFFERS_H
#define PSCAN_TOOLS_SLAB_BUFFERS_H

#include <stddef.h>
#include <stdlib.h>

typedef struct slab_buffers {
    unsigned char *data[2];
    size_t capacity[2];
} slab_buffers;

/* Buffer `k`, at least `bytes` long (its contents are not kept when it
 * grows); NULL when there is no memory. */
static inline unsigned char *slab_buffer(slab_buffers *b, int k, size_t bytes)
{
    if (b->data[k] && bytes <= b->capacity[k])
        return b->data[k];
    free(b->data[k]);
    b->capacity[k] = 0;
    if (posix_memalign((void **)&b->data[k], 64, bytes ? bytes : 1) != 0) {
        b->data[k] = NULL;
        return NULL;
    }
    b->capacity[k] = bytes;
    return b->data[k];
}

static inline void slab_buffers_free(slab_buffers *b)
{
    free(b->data[0]);
    free(b->data[1]);
    b->data[0] = b->data[1] = NULL;
    b->capacity[0] = b->capacity[1] = 0;
}

#endif
