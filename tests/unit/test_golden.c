/*
 * test_golden.c - REPRODUCIBLE float bits pinned across releases.
 *
 * The default order's float results are a contract: the same bits for any
 * thread count, any kernel variant and every later release, so that an
 * analysis rerun next year gives this year's numbers. Each case scans data
 * from a fixed generator and hashes the result; the golden hashes below
 * were taken from the scalar kernels on one thread (the definition), and
 * every variant this CPU has must give them on 1 to 4 threads. A faster
 * kernel that moves one bit fails here; a change that means to move bits
 * is a break of the contract, not an update of these numbers.
 *
 * The float sums are 0.1.0's bits under every variant (checked against
 * that release's library). The complex products are 0.1.0's scalar and
 * AVX2 bits: its AVX-512 table fused them (GCC's vectoriser, fixed since),
 * and the scalar kernels are the definition. The logcumsumexp cases are
 * the bits of pscan's own exp and log1p, which replaced the host's libm
 * after 0.1.0 (a one-time, deliberate change of those bits).
 */
#define _POSIX_C_SOURCE 200809L

#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct golden_case {
    const char *name;
    pscan_op op;
    pscan_dtype dtype;
    int ndim;
    int64_t shape[2];
    int axis;
    uint64_t hash; /* of the result's bytes, tu_hash_bytes from TU_HASH_START */
} golden_case;

/* Lanes of several 4096-element tiles (one 2^22 lane is 1024 tiles, the
 * 2-D rows are three tiles each), so tile chains and carries are in every
 * result; the products' factors stay near 1. */
static const golden_case cases[] = {
    {"float64 cumsum 2^22", PSCAN_SUM, PSCAN_FLOAT64, 1, {1 << 22, 0}, 0, 0xcc82eb48f32695c0ull},
    {"float32 cumsum 2^22", PSCAN_SUM, PSCAN_FLOAT32, 1, {1 << 22, 0}, 0, 0xecdf08ec5cd36c98ull},
    {"float64 (256, 12288) cumsum axis 1",
     PSCAN_SUM,
     PSCAN_FLOAT64,
     2,
     {256, 12288},
     1,
     0xdea27b2d5b98fb09ull},
    {"complex128 cumprod 2^16",
     PSCAN_PROD,
     PSCAN_COMPLEX128,
     1,
     {1 << 16, 0},
     0,
     0x4ffe2b8c6e883d73ull},
    /* pscan's own exp and log1p (0.1.0 used the host's libm, whose bits
     * moved with the host: these are pinned from here on) */
    {"float64 logcumsumexp 2^20",
     PSCAN_LOGADDEXP,
     PSCAN_FLOAT64,
     1,
     {1 << 20, 0},
     0,
     0x3e77878806da3c5aull},
    {"float32 logcumsumexp 2^20",
     PSCAN_LOGADDEXP,
     PSCAN_FLOAT32,
     1,
     {1 << 20, 0},
     0,
     0xaa3a82044e957a83ull},
};

enum { MAX_THREADS = 4 };

/* Values of every magnitude from 2^-20 to 2^20 and both signs for sums
 * (each exact in float32 too: 24 significant bits); 1 + small for
 * products. */
static void fill(void *data, const golden_case *c, int64_t n)
{
    uint64_t state = 20261128u + (uint64_t)c->dtype;
    for (int64_t i = 0; i < n; ++i) {
        const double unit = (double)(tu_rand(&state) >> 40) * 0x1.0p-24 - 0.5;
        const int scale = (int)(tu_rand(&state) % 41) - 20;
        if (c->op == PSCAN_PROD)
            tu_put_f64((char *)data + (size_t)i * tu_size(c->dtype), c->dtype,
                       1.0 + unit * 0x1.0p-8, unit * 0x1.0p-9);
        else if (c->op == PSCAN_LOGADDEXP) /* [-32, 32): every step sees both operands */
            tu_put_f64((char *)data + (size_t)i * tu_size(c->dtype), c->dtype, unit * 64, 0);
        else
            tu_put_f64((char *)data + (size_t)i * tu_size(c->dtype), c->dtype, ldexp(unit, scale),
                       0);
    }
}

/* The hashes of every case on 1..MAX_THREADS threads, under the kernel
 * variant this process was started with. */
static void hash_all(uint64_t hashes[][MAX_THREADS])
{
    for (size_t k = 0; k < TU_COUNT(cases); ++k) {
        const golden_case *c = &cases[k];
        const int64_t n = c->ndim == 2 ? c->shape[0] * c->shape[1] : c->shape[0];
        const size_t bytes = (size_t)n * tu_size(c->dtype);
        void *in = tu_malloc(bytes), *out = tu_malloc(bytes);
        fill(in, c, n);
        const pscan_array a = tu_arr(in, c->dtype, c->ndim, c->shape, NULL);
        const pscan_array b = tu_arr(out, c->dtype, c->ndim, c->shape, NULL);
        for (int t = 1; t <= MAX_THREADS; ++t) {
            pscan_opts opts = PSCAN_OPTS_INIT;
            opts.threads = t;
            memset(out, 0, bytes);
            hashes[k][t - 1] = pscan_scan(c->op, &a, c->axis, c->dtype, &b, &opts) == PSCAN_OK
                                   ? tu_hash_bytes(TU_HASH_START, out, bytes)
                                   : 0;
        }
        free(in);
        free(out);
    }
}

/* Each variant runs in a child of its own (the choice is made once per
 * process), which sends its hashes and the variant it ran as. */
Test(golden, reproducible_bits_are_those_of_release_0_1_0)
{
    const char *isas[] = {"scalar", "avx2", "avx512"};
    for (size_t v = 0; v < TU_COUNT(isas); ++v) {
        struct {
            uint64_t hashes[TU_COUNT(cases)][MAX_THREADS];
            char ran_as[16];
        } report;
        int fds[2];
        cr_assert(eq(int, pipe(fds), 0));
        const pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            setenv("PSCAN_ISA", isas[v], 1);
            memset(&report, 0, sizeof report);
            hash_all(report.hashes);
            strncpy(report.ran_as, pscan_isa_name(), sizeof report.ran_as - 1);
            const ssize_t written = write(fds[1], &report, sizeof report);
            _exit(written == (ssize_t)sizeof report ? 0 : 1);
        }
        close(fds[1]);
        size_t got = 0;
        while (got < sizeof report) {
            const ssize_t r = read(fds[0], (char *)&report + got, sizeof report - got);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        cr_assert(eq(int, WIFEXITED(status) && WEXITSTATUS(status) == 0, 1),
                  "PSCAN_ISA=%s: the child failed", isas[v]);
        cr_assert(eq(sz, got, sizeof report));
        for (size_t k = 0; k < TU_COUNT(cases); ++k)
            for (int t = 0; t < MAX_THREADS; ++t)
                cr_expect(
                    eq(u64, report.hashes[k][t], cases[k].hash),
                    "%s on %d threads, PSCAN_ISA=%s (ran as %s): not the bits of release 0.1.0",
                    cases[k].name, t + 1, isas[v], report.ran_as);
    }
}
