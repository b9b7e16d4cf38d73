#!/usr/bin/env bash
# Build the .npy header parser's libFuzzer target with clang (ASan + UBSan)
# into build-fuzz/ and run it for a bounded time (default 60 s) from the
# seeds in tests/fuzz/seeds. A crash, a sanitizer report or a failed
# check in the target stops it with a non-zero status and leaves the input
# that did it in build-fuzz/.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
out=build-fuzz
mkdir -p "$out/corpus"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Iinclude -Isrc -Itools tools/npy.c src/dtype.c tests/fuzz/fuzz_npy_header.c \
    -o "$out/fuzz_npy_header"
"$out/fuzz_npy_header" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$out/" "$out/corpus" tests/fuzz/seeds
