/* dispatch.c - picks the kernel table once per process.
 *
 * The CPU test is GCC's __builtin_cpu_supports, which reads CPUID and also
 * checks with XGETBV that the OS saves the AVX/AVX-512 registers, so a
 * variant is never chosen where its instructions would fault. PSCAN_ISA
 * (scalar, avx2, avx512) forces a variant, as BLIS_ARCH_TYPE does for
 * BLIS, so the tests can run every path this machine has; a request above
 * what the CPU supports is capped at the best supported variant. */
#include "kernels.h"
#include "sat_kernels.h"
#include "seg_vectors.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const isa_names[] = {
    [PSCAN_ISA_SCALAR] = "scalar",
    [PSCAN_ISA_AVX2] = "avx2",
    [PSCAN_ISA_AVX512] = "avx512",
};
_Static_assert(sizeof isa_names / sizeof *isa_names == PSCAN_ISA_COUNT, "a name for every ISA");

static pscan_isa best_supported(void)
{
#ifdef PSCAN_HAVE_X86_KERNELS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return PSCAN_ISA_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return PSCAN_ISA_AVX2;
#endif
    return PSCAN_ISA_SCALAR;
}

/* What each instruction set brings; only the scalar one off x86. */
typedef struct kernel_variant {
    const pscan_kernel_table *table;
    const pscan_kernel *compensated;
    pscan_copy_fn stream_copy;
    pscan_reverse_copy_fn stream_copy_reversed;
} kernel_variant;

static const kernel_variant variants[PSCAN_ISA_COUNT] = {
    [PSCAN_ISA_SCALAR] = {&pscan_kernels_scalar, pscan_compensated_kernels_scalar,
                          pscan_stream_copy_scalar, pscan_stream_copy_reversed_scalar},
#ifdef PSCAN_HAVE_X86_KERNELS
    [PSCAN_ISA_AVX2] = {&pscan_kernels_avx2, pscan_compensated_kernels_avx2, pscan_stream_copy_avx2,
                        pscan_stream_copy_reversed_avx2},
    [PSCAN_ISA_AVX512] = {&pscan_kernels_avx512, pscan_compensated_kernels_avx512,
                          pscan_stream_copy_avx512, pscan_stream_copy_reversed_avx512},
#endif
};

static pscan_isa chosen_isa = PSCAN_ISA_SCALAR;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

int pscan_isa_from_name(const char *name, pscan_isa *isa)
{
    for (int i = 0; name && i < PSCAN_ISA_COUNT; i++)
        if (strcmp(name, isa_names[i]) == 0) {
            *isa = (pscan_isa)i;
            return 1;
        }
    return 0;
}

/* An unknown PSCAN_ISA is left to the context's creation to report
 * (tuning.c: PSCAN_EENV); the kernels themselves ignore it. */
static void choose(void)
{
    pscan_isa isa = best_supported(), forced;
    if (pscan_isa_from_name(getenv("PSCAN_ISA"), &forced) && forced < isa)
        isa = forced;
    chosen_isa = isa;
}

static pscan_isa kernel_isa(void)
{
    pthread_once(&choose_once, choose);
    return chosen_isa;
}

const pscan_kernel *pscan_kernel_get(pscan_op op, pscan_dtype acc)
{
    return &(*variants[kernel_isa()].table)[op][acc];
}

static const pscan_sat_kernel_table *const sat_tables[PSCAN_ISA_COUNT] = {
    [PSCAN_ISA_SCALAR] = &pscan_sat_kernels_scalar,
#ifdef PSCAN_HAVE_X86_KERNELS
    [PSCAN_ISA_AVX2] = &pscan_sat_kernels_avx2,
    [PSCAN_ISA_AVX512] = &pscan_sat_kernels_avx512,
#endif
};

const pscan_sat_kernel *pscan_sat_kernel_get(pscan_dtype in, pscan_dtype acc)
{
    const pscan_sat_kernel *k = &(*sat_tables[kernel_isa()])[in][acc];
    return k->load ? k : NULL;
}

static const pscan_seg_vector_table *const seg_vector_tables[PSCAN_ISA_COUNT] = {
    [PSCAN_ISA_SCALAR] = &pscan_seg_vectors_scalar,
#ifdef PSCAN_HAVE_X86_KERNELS
    [PSCAN_ISA_AVX2] = &pscan_seg_vectors_avx2,
    [PSCAN_ISA_AVX512] = &pscan_seg_vectors_avx512,
#endif
};

pscan_seg_vector_scan_fn pscan_seg_vector_get(pscan_op op, int kt)
{
    if ((int)op < 0 || op >= PSCAN_OP_COUNT || kt < 0 || kt >= PSCAN_SEG_KT_COUNT)
        return NULL;
    return (*seg_vector_tables[kernel_isa()])[op][kt];
}

const pscan_kernel *pscan_kernel_get_compensated(int is_complex)
{
    return &variants[kernel_isa()].compensated[is_complex ? 1 : 0];
}

pscan_copy_fn pscan_kernel_stream_copy(void)
{
    return variants[kernel_isa()].stream_copy;
}

pscan_reverse_copy_fn pscan_kernel_stream_copy_reversed(void)
{
    return variants[kernel_isa()].stream_copy_reversed;
}

void pscan_stream_fence(void)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_sfence();
#endif
}

const char *pscan_isa_name(void)
{
    return isa_names[kernel_isa()];
}
