/* segment_file.h - the segment description of a segmented scan, read from
 * a .npy file (--segments, --offsets, --keys) for pscan_scan_segmented. */
#ifndef PSCAN_TOOLS_SEGMENT_FILE_H
#define PSCAN_TOOLS_SEGMENT_FILE_H

#include "npy_file.h"

#include <pscan.h>

typedef struct segment_file {
    npy_input npy;
    unsigned char *swapped; /* a big-endian file's data in native order */
    int64_t strides[PSCAN_MAX_DIMS];
    pscan_segments segments; /* views the mapping (or `swapped`) */
} segment_file;

/* Open `path` as segments of `kind`; the library checks dtype and shape.
 * On error `message` names the file and problem. */
npy_file_status segment_file_open(segment_file *f, const char *path, pscan_segment_kind kind,
                                  char *message, size_t message_len);
void segment_file_close(segment_file *f);

#endif
