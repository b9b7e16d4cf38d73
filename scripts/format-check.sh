#!/usr/bin/env bash
# Every C source and header of the project against .clang-format: prints
# the diff clang-format would make and exits non-zero if there is one.
#   bash scripts/format-check.sh          check (CI)
#   bash scripts/format-check.sh --fix    rewrite the files in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
format=${CLANG_FORMAT:-clang-format}
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp')
if [[ ${1:-} == --fix ]]; then
    "$format" -i --style=file "${files[@]}"
    exit 0
fi
status=0
for f in "${files[@]}"; do
    if ! diff -u --label "$f" --label "$f (clang-format)" "$f" <("$format" --style=file "$f"); then
        status=1
    fi
done
if [[ $status -ne 0 ]]; then
    echo "format-check.sh: the files above differ from .clang-format (bash scripts/format-check.sh --fix)" >&2
fi
exit $status
