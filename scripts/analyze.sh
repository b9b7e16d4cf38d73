#!/usr/bin/env bash
# clang's static analyzer (scan-build, from Debian's clang-tools) over a
# fresh Debug build of the library (libpscan, and libpscan_mpi where MPI is
# installed) and the command-line tool, into build-analyze/. Debug because
# the asserts that tell the analyzer what it cannot see by itself (across
# files, into OpenMP regions, through MPI calls) are compiled out under
# NDEBUG. The tests are left out: their fill-then-compare loops over
# buffers of run-time length are past what the analyzer can follow, and
# they would double the time.
# Exits non-zero on any report, and on any source the analyzer could not
# compile (a file it never checked). HTML reports stay in
# build-analyze/reports (scan-view DIR shows them).
#   bash scripts/analyze.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v scan-build >/dev/null 2>&1; then
    echo "analyze.sh: scan-build not found (bash scripts/setup.sh installs clang-tools)" >&2
    exit 1
fi

build=build-analyze
reports=$build/reports
rm -rf "$build"
scan-build cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPSCAN_BUILD_TESTS=OFF >/dev/null

targets=(pscan_shared pscan_static pscan_cli)
if cmake --build "$build" --target help | grep -qx '\.\.\. pscan_mpi'; then
    targets+=(pscan_mpi)
fi

status=0
scan-build --status-bugs -o "$reports" \
    cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" || status=$?

unchecked=$(find "$reports" -path '*/failures/*.info.txt' ! -name 'attribute_ignored*' \
                -exec head -n 1 {} \; | sort -u)
if [[ -n $unchecked ]]; then
    echo "analyze.sh: the analyzer could not compile, so did not check:" >&2
    echo "$unchecked" >&2
    status=1
fi
exit "$status"
