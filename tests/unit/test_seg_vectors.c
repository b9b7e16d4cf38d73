/* test_seg_vectors.c - the in-register segmented steps of every instruction
 * set this CPU has (whatever PSCAN_ISA says) against the scalar step,
 * their definition: bit-identical outputs and last results for each op and
 * type, starts at every lane position, all-start and no-start vectors,
 * lengths around the 64-value rounds, unaligned values, carries and
 * EXCLUSIVE. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/seg_vectors.h"
#include "pscan.h"
#include "testutil.h"

enum { MAX_N = 4099 };

typedef struct isa_table {
    const char *name;
    const pscan_seg_vector_table *table;
    int supported;
} isa_table;

static int tables(isa_table out[2])
{
    int count = 0;
#if defined(__x86_64__)
    __builtin_cpu_init();
    out[count++] = (isa_table){"avx2", &pscan_seg_vectors_avx2, __builtin_cpu_supports("avx2")};
    out[count++] =
        (isa_table){"avx512", &pscan_seg_vectors_avx512,
                    __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")};
#else
    (void)out;
#endif
    return count;
}

/* Start patterns: 0 none, 1 all, 2..17 one start at lane position
 * pattern - 2 of every 16, 18 one in 3 at random, 19 one in 40. */
enum { PATTERNS = 20 };
static void fill_starts(uint8_t *start, int n, int pattern, uint64_t *seed)
{
    for (int i = 0; i < n; i++) {
        const uint64_t r = tu_rand(seed);
        switch (pattern) {
        case 0:
            start[i] = 0;
            break;
        case 1:
            start[i] = (uint8_t)(1 + r % 255); /* any nonzero byte starts */
            break;
        case 18:
            start[i] = r % 3 == 0;
            break;
        case 19:
            start[i] = r % 40 == 0 ? (uint8_t)(r >> 32 | 1) : 0;
            break;
        default:
            start[i] = i % 16 == pattern - 2;
        }
    }
}

static const pscan_op ops[6] = {PSCAN_SUM,     PSCAN_MAX,    PSCAN_MIN,
                                PSCAN_BIT_AND, PSCAN_BIT_OR, PSCAN_BIT_XOR};
static const pscan_dtype types[4] = {PSCAN_INT32, PSCAN_UINT32, PSCAN_INT64, PSCAN_UINT64};

/* One step call of both, compared bit for bit. */
static void compare_one(const pscan_seg_steps *scalar, pscan_seg_vector_scan_fn vector, size_t size,
                        const char *src, const uint8_t *start, size_t n, const void *carry,
                        int exclusive, const void *identity, const char *what)
{
    static _Alignas(64) char want[MAX_N * 8], got[(MAX_N + 8) * 8];
    uint64_t want_last = 0, got_last = 0;
    memset(want, 0x5a, sizeof want);
    memset(got, 0x5a, sizeof got);
    scalar->scan(src, (ptrdiff_t)size, want, (ptrdiff_t)size, start, n, carry, 0, exclusive,
                 identity, &want_last);
    for (int stream = 0; stream < 2; stream++) {
        /* streamed: from a misaligned start of dst's first line too */
        char *into = got + (stream ? (n * 7 % 8) * size : 0);
        memset(got, 0x5a, sizeof got);
        vector(src, (ptrdiff_t)size, into, (ptrdiff_t)size, start, n, carry, 0, exclusive, identity,
               &got_last, stream);
        __builtin_ia32_sfence();
        cr_assert(eq(int, memcmp(want, into, n * size), 0), "%s stream %d", what, stream);
        cr_assert(eq(u64, want_last, got_last), "%s stream %d: last", what, stream);
    }
}

Test(seg_vectors, equal_scalar_steps)
{
    isa_table isas[2];
    const int count = tables(isas);
    static char values[(MAX_N + 1) * 8];
    static uint8_t start[MAX_N];
    const int lengths[] = {1, 7, 15, 16, 17, 63, 64, 65, 128, 129, 200, 4096, MAX_N};
    uint64_t seed = 2026;
    for (size_t b = 0; b < sizeof values; b++)
        values[b] = (char)tu_rand(&seed);
    int checked = 0;
    for (int k = 0; k < count; k++) {
        if (!isas[k].supported)
            continue;
        for (int o = 0; o < 6; o++)
            for (int t = 0; t < 4; t++) {
                const int kt = (int)types[t] - 1;
                const pscan_seg_steps *scalar = pscan_seg_steps_get(ops[o], kt);
                const pscan_seg_vector_scan_fn vector = (*isas[k].table)[ops[o]][kt];
                cr_assert(scalar != NULL && vector != NULL);
                const size_t size = pscan_dtype_size(types[t]);
                char identity[8];
                cr_assert(eq(int, pscan_identity(ops[o], types[t], identity), PSCAN_OK));
                const uint64_t carry = 0x8000000180000003ULL;
                for (int pattern = 0; pattern < PATTERNS; pattern++)
                    for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
                        const int n = lengths[l];
                        fill_starts(start, n, pattern, &seed);
                        for (int shifted = 0; shifted < 2; shifted++)
                            for (int exclusive = 0; exclusive < 2; exclusive++)
                                for (int with_carry = 0; with_carry < 2; with_carry++) {
                                    char what[160];
                                    snprintf(what, sizeof what,
                                             "%s op %d dtype %d pattern %d n %d shifted %d "
                                             "exclusive %d carry %d",
                                             isas[k].name, (int)ops[o], (int)types[t], pattern, n,
                                             shifted, exclusive, with_carry);
                                    compare_one(scalar, vector, size, values + shifted * size,
                                                start, (size_t)n, with_carry ? &carry : NULL,
                                                exclusive, identity, what);
                                    checked++;
                                }
                    }
            }
    }
    /* Every x86-64 host with AVX2 checks at least that variant. */
    if (count > 0 && isas[0].supported)
        cr_assert(gt(int, checked, 0));
}

/* Ops and types outside the lists have no vector step: the scalar one runs. */
Test(seg_vectors, only_order_free_integers)
{
    cr_assert(eq(ptr, (void *)(uintptr_t)pscan_seg_vector_get(PSCAN_PROD, PSCAN_INT64 - 1), NULL));
    cr_assert(eq(ptr, (void *)(uintptr_t)pscan_seg_vector_get(PSCAN_SUM, PSCAN_FLOAT64 - 1), NULL));
    cr_assert(eq(ptr, (void *)(uintptr_t)pscan_seg_vector_get(PSCAN_SUM, PSCAN_INT16 - 1), NULL));
    cr_assert(eq(ptr, (void *)(uintptr_t)pscan_seg_vector_get(PSCAN_SUM, PSCAN_SEG_KT_PAIR), NULL));
    for (int kt = 0; kt < PSCAN_SEG_KT_COUNT; kt++)
        cr_assert(eq(ptr, (void *)(uintptr_t)pscan_seg_vectors_scalar[PSCAN_SUM][kt], NULL));
}
