/* progress.h - a progress bar on stderr for work that lasts: shown only
 * when stderr is a terminal, only after the first second, redrawn at
 * most ten times a second, erased when done. */
#ifndef PSCAN_TOOLS_PROGRESS_H
#define PSCAN_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
    bool enabled, drawn;
    double start, last_draw;
    const char *label;
} progress;

/* `quiet` turns it off; so does a stderr that is not a terminal. */
void progress_start(progress *p, const char *label, bool quiet);
/* The file_scan_request callback: `context` is a progress. */
void progress_update(void *context, uint64_t done, uint64_t total);
void progress_finish(progress *p);

#endif
