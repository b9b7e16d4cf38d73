#!/usr/bin/env bash
# The distributed scan's benchmark row: 4 ranks x 2 threads against 1 rank
# x 2 threads on the same global size (2^26 elements by default), each
# configuration run ROUNDS times, interleaved; medians and the ratio.
#   bash perf/run-mpi-bench.sh [BUILD_DIR] [ROUNDS] [LOG2N]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
log2n=${3:-26}
flags=(--oversubscribe)
[[ $(id -u) -eq 0 ]] && flags+=(--allow-run-as-root)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((k = 0; k < rounds; k++)); do
    for np in 1 4; do
        mpirun -np "$np" "${flags[@]}" --bind-to none "$build/pscan_mpi_bench" \
            --log2 "$log2n" --reps 3 --threads 2 >>"$out"
    done
done
echo "global 2^$log2n elements, axis=None, $rounds x 3 repetitions per configuration, medians (s):"
for dtype in int64 float64; do
    one=$(awk -v d="$dtype" '$1 == d && $2 == 1 {print $5}' "$out" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    four=$(awk -v d="$dtype" '$1 == d && $2 == 4 {print $5}' "$out" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    awk -v d="$dtype" -v a="$one" -v b="$four" 'BEGIN {
        printf "%-8s 1 rank x 2 threads %.4f s   4 ranks x 2 threads %.4f s   ratio (1 rank / 4 ranks) %.2fx\n", d, a, b, a / b }'
done
