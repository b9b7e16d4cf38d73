#!/usr/bin/env bash
# The "offsets" row of the distributed scan: int32 counts to int64 offsets
# (the exclusive sum over the global array), pscan_mpi_scan with
# PSCAN_FLAG_EXCLUSIVE against the hand-written local total + MPI_Exscan +
# loop (pscan_mpi_bench --mode offsets alternates the two), on 1, 2 and 4
# ranks with THREADS threads per rank, the global size fixed. Each rank
# count runs ROUNDS times, the rank counts interleaved, REPS repetitions a
# run; prints the medians and the ratio hand-written / pscan (above 1:
# pscan is faster).
#   bash perf/run-mpi-offsets-bench.sh [BUILD_DIR] [ROUNDS] [LOG2N] [THREADS] [REPS]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
log2n=${3:-26}
threads=${4:-1}
reps=${5:-3}
rank_counts=(1 2 4)
flags=(--oversubscribe)
[[ $(id -u) -eq 0 ]] && flags+=(--allow-run-as-root)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((k = 0; k < rounds; k++)); do
    for np in "${rank_counts[@]}"; do
        mpirun -np "$np" "${flags[@]}" --bind-to none "$build/pscan_mpi_bench" --mode offsets \
            --log2 "$log2n" --reps "$reps" --threads "$threads" >>"$out"
    done
done
median() { # of field 5 on the lines whose case is $1 and rank count $2
    awk -v c="$1" -v r="$2" '$1 == c && $2 == r {print $5}' "$out" | sort -g |
        awk '{a[NR] = $1} END {print (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2}'
}
echo "offsets: int32 -> int64 exclusive sum, global 2^$log2n elements, $threads thread(s) per rank," \
    "$rounds x $reps repetitions per configuration, medians (s):"
printf "%-6s %12s %12s %22s\n" ranks pscan hand-written "hand-written / pscan"
for np in "${rank_counts[@]}"; do
    awk -v r="$np" -v p="$(median offsets-pscan "$np")" -v h="$(median offsets-hand "$np")" \
        'BEGIN { printf "%-6d %12.4f %12.4f %21.2fx\n", r, p, h, h / p }'
done
