/* user_scan.c - pscan_scan_user: a caller's associative operation on the
 * generic engine (generic_scan.h). Items are copied in and out as they
 * are; the callbacks see contiguous elements in pscan's buffers. */
#include "generic_scan.h"
#include "request.h"

#include <string.h>

enum {
    USER_FLAGS = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE,
    MAX_USER_OP_SIZE = 4096 /* no release's pscan_user_op is larger */
};

/* The caller's struct as this release reads it (as pscan_opts_read reads
 * options: a newer release's fields must be left zero). */
static pscan_status user_op_read(const pscan_user_op *user, pscan_user_op *op)
{
    if (!user)
        return PSCAN_ENULL;
    if (user->size < sizeof *op || user->size > MAX_USER_OP_SIZE)
        return PSCAN_EOP;
    const unsigned char *bytes = (const unsigned char *)user;
    for (size_t b = sizeof *op; b < user->size; b++)
        if (bytes[b])
            return PSCAN_EOP;
    memcpy(op, user, sizeof *op);
    if (!op->combine || !op->identity)
        return PSCAN_ENULL;
    return op->elem_size == 0 ? PSCAN_EOP : PSCAN_OK;
}

static void run_user(void *acc, const void *x, void *out, size_t n, const void *ctx)
{
    const pscan_user_op *op = ctx;
    if (op->combine_run) {
        op->combine_run(acc, x, out, n, op->ctx);
        return;
    }
    const size_t size = op->elem_size;
    for (size_t i = 0; i < n; i++) {
        op->combine(acc, (const char *)x + i * size, op->ctx);
        if (out)
            memcpy((char *)out + i * size, acc, size);
    }
}

static void load_items(const char *src, int64_t stride, char *buf, size_t n, int64_t index,
                       int64_t step, const void *ctx)
{
    const size_t size = ((const pscan_user_op *)ctx)->elem_size;
    (void)index;
    (void)step;
    if (stride == (int64_t)size) {
        memcpy(buf, src, n * size);
        return;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * size, src + (int64_t)i * stride, size);
}

static void store_items(const char *buf, char *dst, int64_t stride, size_t n, const void *ctx)
{
    const size_t size = ((const pscan_user_op *)ctx)->elem_size;
    if (stride == (int64_t)size) {
        memcpy(dst, buf, n * size);
        return;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(dst + (int64_t)i * stride, buf + i * size, size);
}

pscan_status pscan_scan_user(const pscan_user_op *user_op, const pscan_array *in, int axis,
                             const pscan_array *out, const pscan_opts *opts)
{
    pscan_user_op op;
    pscan_status status = user_op_read(user_op, &op);
    if (status != PSCAN_OK)
        return status;
    pscan_request rq;
    if ((status = pscan_request_init_items(&rq, in, axis, op.elem_size, out, opts)) != PSCAN_OK)
        return status;
    if (rq.opts.flags & ~(unsigned)USER_FLAGS)
        return PSCAN_EOPTS;
    const pscan_generic_op generic = {op.elem_size, op.identity, run_user,
                                      load_items,   store_items, &op};
    return pscan_generic_scan(&generic, &rq, NULL);
}
