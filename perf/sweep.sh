#!/usr/bin/env bash
# Thread and placement sweep for many-core hosts: pscan_bench's 1-D cases
# at threads 1, 2, 4, ... and the core count, once per OpenMP placement
# policy (OMP_PROC_BIND=false|spread|close with OMP_PLACES=cores: pscan
# keeps whatever binding the OpenMP runtime applies), each run writing a
# CSV; then perf/sweep_plot.py draws throughput and the ratio to memcpy at
# the same thread count against threads, one line per policy.
#   bash perf/sweep.sh [--max-log2 N] [--reps K] [--policies "false spread close"] [--out DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
max_log2=26
reps=5
policies="false spread close"
out=perf-out/sweep
while [[ $# -gt 0 ]]; do
    case $1 in
        --max-log2) max_log2=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --policies) policies=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "sweep.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
cores=$(nproc)
threads=""
for ((t = 1; t < cores; t *= 2)); do threads+="$t,"; done
threads+="$cores"
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$cores" --target pscan_bench >/dev/null
mkdir -p "$out"
for policy in $policies; do
    echo "== OMP_PROC_BIND=$policy OMP_PLACES=cores, threads $threads"
    OMP_PROC_BIND=$policy OMP_PLACES=cores ./build-ci/pscan_bench --threads "$threads" \
        --reps "$reps" --max-log2 "$max_log2" --no-numpy --only "1d 2^" \
        --csv "$out/sweep_$policy.csv" | tail -n +2
done
/usr/bin/python3 perf/sweep_plot.py "$out"/sweep_*.csv --out "$out"
