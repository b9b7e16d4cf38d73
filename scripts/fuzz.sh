#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# run each for half of a bounded time (default 60 s in all):
#   fuzz_npy_header  the .npy header parser, from the seeds in tests/fuzz/seeds
#   fuzz_h5_name     the tool's FILE:/path argument parser (tests/fuzz/seeds_h5_name),
#                    a tenth of the time: it is one small function
#   fuzz_scan        pscan_scan against a naive reference scan, from the seeds
#                    in tests/fuzz/seeds_scan; it links the library built with
#                    clang, the sanitizers and libFuzzer's coverage
#                    (build-fuzz/lib, a CMake build)
# A crash, a sanitizer report or a failed check in a target stops it with a
# non-zero status and leaves the input that did it in build-fuzz/.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
name_seconds=$((seconds / 10 > 0 ? seconds / 10 : 1))
header_seconds=$(((seconds - name_seconds) / 2))
scan_seconds=$((seconds - name_seconds - header_seconds))
out=build-fuzz
mkdir -p "$out/corpus" "$out/corpus_scan" "$out/corpus_h5_name"
jobs=$(nproc)

clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Iinclude -Isrc -Itools tools/npy.c src/dtype.c tests/fuzz/fuzz_npy_header.c \
    -o "$out/fuzz_npy_header"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Itools tools/h5_name.c tests/fuzz/fuzz_h5_name.c -o "$out/fuzz_h5_name"

# The library is compiled with the project's own flags (-ffp-contract=off
# among them), so the fuzzed kernels are the shipped ones.
cmake -S . -B "$out/lib" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPSCAN_BUILD_TESTS=OFF -DPSCAN_SANITIZE=fuzzer-no-link,address,undefined >/dev/null
cmake --build "$out/lib" --target pscan_static --parallel "$jobs" >/dev/null
clang -g -O1 -std=c11 -ffp-contract=off -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -fopenmp -Iinclude tests/fuzz/fuzz_scan.c \
    "$out/lib/libpscan.a" $(pkg-config --libs hwloc) -lm -o "$out/fuzz_scan"

"$out/fuzz_npy_header" -max_total_time="$header_seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$out/" "$out/corpus" tests/fuzz/seeds
"$out/fuzz_h5_name" -max_total_time="$name_seconds" -max_len=512 -print_final_stats=1 \
    -artifact_prefix="$out/" "$out/corpus_h5_name" tests/fuzz/seeds_h5_name
# Leak checks off: the default context lives until exit, on purpose.
"$out/fuzz_scan" -max_total_time="$scan_seconds" -max_len=4096 -print_final_stats=1 \
    -detect_leaks=0 -artifact_prefix="$out/" "$out/corpus_scan" tests/fuzz/seeds_scan
