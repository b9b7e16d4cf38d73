/* progress.c - the stderr progress bar. */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

enum { BAR_WIDTH = 30 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(progress *p, const char *label, bool quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->drawn = false;
    p->start = p->last_draw = now();
    p->label = label;
}

void progress_update(void *context, uint64_t done, uint64_t total)
{
    progress *p = context;
    if (!p->enabled || total == 0)
        return;
    const double t = now();
    if (t - p->start < 1.0 || t - p->last_draw < 0.1)
        return;
    p->last_draw = t;
    p->drawn = true;
    const double fraction = (double)done / (double)total;
    const int filled = (int)(fraction * BAR_WIDTH);
    const double rate = (double)done / (t - p->start) / (1 << 20);
    fprintf(stderr, "\r%s [", p->label);
    for (int k = 0; k < BAR_WIDTH; k++)
        fputc(k < filled ? '#' : ' ', stderr);
    fprintf(stderr, "] %3.0f%% %.0f MiB/s ", fraction * 100, rate);
    fflush(stderr);
}

void progress_finish(progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = false;
}
