/* spans.c - SPANS: one lane, chunk by chunk of the topology's plan. Each
 * thread reduces its chunk's blocks, takes the carry from the chunk
 * before it, hands its own on and scans the chunk; the blocks and
 * descriptors are BLOCKS' (blocks.h). */
#define _POSIX_C_SOURCE 200809L

#include "blocks.h"

#include <assert.h>
#include <omp.h>

/* Descriptors: one per block of each chunk (chunks start at tile
 * boundaries, so a chunk's blocks are its own), then one per chunk
 * holding the prefix at its end, handed to the next chunk. */
size_t pscan_spans_descriptor_bytes(const pscan_plan *plan, const pscan_job *job)
{
    return pscan_blocks_descriptor_bytes(plan, job) +
           desc_stride(MAX_ACC_SIZE, job->block_tiles) * 2 * (size_t)job->team;
}

/* Chunk k's hand-off: the prefix at its end (count 0: none yet). */
static block_desc *handoff_at(const blocks_run *r, int k)
{
    return desc_at(r, r->total_blocks + r->job->team + k);
}

static void spans_worker(const blocks_run *r, const pscan_chunk *chunks, int member, char *buffer)
{
    const pscan_job *job = r->job;
    const size_t acc = job->acc_size;
    int64_t first_desc = 0;
    for (int k = 0; k < member; k++)
        first_desc += (chunks[k].tiles + job->block_tiles - 1) / job->block_tiles;
    const pscan_chunk *chunk = &chunks[member];
    const int64_t blocks = (chunk->tiles + job->block_tiles - 1) / job->block_tiles;
    const int64_t from = chunk->first_tile * PSCAN_TILE;
    const int64_t to = min64(r->lane_len, (chunk->first_tile + chunk->tiles) * PSCAN_TILE);
    block_desc *handoff = handoff_at(r, member);
    /* Zeroed: the static analyzer cannot see that work_open set the view
     * that work_close reads (the calls between may change *job for all it
     * knows). */
    block_work work = {0};

    /* Pass 1: the chunk's aggregates, read from its own memory. */
    for (int64_t b = 0; b < blocks; b++) {
        const int64_t start = from + b * block_len(job);
        work_open(r, buffer, 0, start, min64(block_len(job), to - start), &work);
        block_desc *desc = desc_at(r, first_desc + b);
        desc->count = work_reduce(r, &work, desc);
    }

    /* The carry: from the chunk before (count 0: nothing before it yet),
     * chained forward over this chunk's aggregates, handed on. */
    _Alignas(16) char before[MAX_ACC_SIZE], carry[MAX_ACC_SIZE];
    bool has_before = false;
    if (member > 0) {
        block_desc *previous = handoff_at(r, member - 1);
        wait_published(previous, r->run);
        has_before = previous->count > 0;
        memcpy(before, previous->values, acc);
    } else if (job->carry) {
        has_before = true;
        memcpy(before, job->carry, acc);
    }
    bool has_carry = has_before;
    memcpy(carry, before, acc);
    for (int64_t b = 0; b < blocks; b++) {
        block_desc *desc = desc_at(r, first_desc + b);
        for (int a = 0; a < desc->count; a++) {
            if (has_carry)
                job->kernel->combine(carry, aggregate_at(r, desc, a), carry, 1);
            else
                memcpy(carry, aggregate_at(r, desc, a), acc);
            has_carry = true;
        }
        memcpy(desc->values, carry, acc);
    }
    memcpy(handoff->values, carry, acc);
    handoff->count = has_carry;
    publish(handoff, r->run, STATE_PREFIX);
    if (job->state_out && member == job->team - 1 && has_carry)
        memcpy(job->state_out, carry, acc);

    /* Pass 2: scan each block from the prefix before it. */
    for (int64_t b = 0; b < blocks; b++) {
        const int64_t start = from + b * block_len(job);
        const char *block_carry = b > 0 ? (const char *)desc_at(r, first_desc + b - 1)->values
                                        : (has_before ? before : NULL);
        work_open(r, buffer, 0, start, min64(block_len(job), to - start), &work);
        work_scan(r, &work, block_carry,
                  (const char *)aggregate_at(r, desc_at(r, first_desc + b), 0));
        work_close(r, &work);
    }
}

/* Chunk k goes to its planned member (the runtime's placement may order
 * members differently from the lane); a runtime that starts fewer threads
 * gets chunks round robin: each thread takes its chunks in order, so the
 * lowest unfinished chunk can always go on. */
static void spans_member(blocks_run *r, const pscan_chunk *chunks, int member, char *buffer)
{
    const int threads = omp_get_num_threads(), team = r->job->team;
    assert(chunks); /* pscan_engine_run plans every SPANS run */
    for (int k = 0; k < team; k++)
        if (threads == team ? chunks[k].thread == member : k % threads == member)
            spans_worker(r, chunks, k, buffer);
}

void pscan_run_spans(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                     const pscan_chunk *chunks)
{
    pscan_blocks_team(plan, job, ws, chunks, spans_member);
}
