/* h5_name.h - naming an HDF5 dataset on the command line, FILE:/path, and
 * telling an HDF5 file by its signature. Built with or without HDF5, so a
 * tool without it can still say what it was given. */
#ifndef PSCAN_TOOLS_H5_NAME_H
#define PSCAN_TOOLS_H5_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* "FILE:/path" split into its file and dataset parts. The file part ends
 * at the first ":/", unless a longer prefix (ending before a later ":/")
 * names an existing file: "run:/a.h5:/x" is file "run:/a.h5" when that
 * exists. Returns false (and leaves both NULL) when `arg` has no ":/" with
 * a non-empty file before it and a non-empty dataset after it, or when
 * `arg` itself names an existing file. Otherwise both are malloc'ed (the
 * caller frees them); *dataset starts with '/'. `exists` decides what
 * exists (NULL: stat(2)); the fuzz target passes its own. */
bool h5_name_split(const char *arg, bool (*exists)(const char *path), char **file, char **dataset);

/* True if the first bytes of the file at `path` (or, as HDF5 allows, at
 * byte 512, 1024, 2048, ... within the file) are the HDF5 signature. */
bool h5_name_is_hdf5(const char *path);

/* True if `path` ends in an HDF5 extension (.h5, .hdf5, .he5, .nc). */
bool h5_name_has_extension(const char *path);

#endif
