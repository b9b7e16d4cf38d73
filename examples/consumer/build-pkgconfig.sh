#!/usr/bin/env bash
# Build examples/consumer/main.c against the installed pscan with pkg-config
# alone, then run it.
#
#   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig bash examples/consumer/build-pkgconfig.sh [BUILD_DIR]
#
# BUILD_DIR (default: a fresh temporary directory) receives the executable.
# The program runs with LD_LIBRARY_PATH set to pscan's installed lib dir, as
# a consumer of a library outside the loader's default path must.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/pscan-consumer.XXXXXX")}
mkdir -p "$build_dir"

if ! pkg-config --exists pscan; then
    echo "build-pkgconfig.sh: pkg-config cannot find pscan;" \
         "set PKG_CONFIG_PATH to <prefix>/lib/pkgconfig" >&2
    exit 1
fi
echo "pkg-config: pscan $(pkg-config --modversion pscan)"
echo "  cflags: $(pkg-config --cflags pscan)"
echo "  libs:   $(pkg-config --libs pscan)"

# shellcheck disable=SC2046  # pkg-config's output is meant to be word-split
"${CC:-cc}" -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wcast-qual -Wvla -Werror -o "$build_dir/consumer_pkgconfig" \
    "$here/main.c" $(pkg-config --cflags --libs pscan)

libdir=$(pkg-config --variable=libdir pscan)
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$build_dir/consumer_pkgconfig"
