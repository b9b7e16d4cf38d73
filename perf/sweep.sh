#!/usr/bin/env bash
# Thread and placement sweep for many-core hosts: pscan_bench's 1-D cases
# at threads 1, 2, 4, ... and the core count, once per placement policy,
# each run writing a CSV; then perf/sweep_plot.py draws throughput and the
# ratio to memcpy at the same thread count against threads, one line per
# policy. Policies:
#   false, spread, close   OMP_PROC_BIND=<policy> OMP_PLACES=cores: the
#                          OpenMP runtime places threads, pscan keeps it
#   pscan-spread           OMP_PROC_BIND unset, PSCAN_PLACEMENT=spread:
#   pscan-compact          pscan binds big calls' threads to its plan
#   spans                  pscan-spread with PSCAN_SCHEDULE=spans: the
#                          NUMA schedule (reduce, carry, scan per chunk)
#                          forced even on one node, to see what it costs
#   bash perf/sweep.sh [--max-log2 N] [--reps K] [--policies "false spread ..."]
#                      [--dtypes int64,float64] [--bench PATH] [--no-plot] [--out DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
max_log2=26
reps=5
policies="false spread close pscan-spread"
dtypes=""
bench=""
plot=1
out=perf-out/sweep
while [[ $# -gt 0 ]]; do
    case $1 in
        --max-log2) max_log2=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --policies) policies=$2; shift 2 ;;
        --dtypes) dtypes=$2; shift 2 ;;
        --bench) bench=$2; shift 2 ;;
        --no-plot) plot=0; shift ;;
        --out) out=$2; shift 2 ;;
        *) echo "sweep.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
cores=$(nproc)
threads=""
for ((t = 1; t < cores; t *= 2)); do threads+="$t,"; done
threads+="$cores"
if [[ -z $bench ]]; then
    cmake --preset release >/dev/null
    cmake --build --preset release --parallel "$cores" --target pscan_bench >/dev/null
    bench=./build-ci/pscan_bench
fi
extra=()
[[ -n $dtypes ]] && extra=(--dtypes "$dtypes")
mkdir -p "$out"
for policy in $policies; do
    env=(env -u OMP_PROC_BIND -u OMP_PLACES -u PSCAN_PLACEMENT -u PSCAN_SCHEDULE)
    case $policy in
        false|spread|close) env+=(OMP_PROC_BIND="$policy" OMP_PLACES=cores) ;;
        pscan-spread) env+=(PSCAN_PLACEMENT=spread) ;;
        pscan-compact) env+=(PSCAN_PLACEMENT=compact) ;;
        spans) env+=(PSCAN_PLACEMENT=spread PSCAN_SCHEDULE=spans) ;;
        *) echo "sweep.sh: unknown policy $policy" >&2; exit 2 ;;
    esac
    echo "== $policy, threads $threads"
    "${env[@]}" "$bench" --threads "$threads" --reps "$reps" --max-log2 "$max_log2" --no-numpy \
        --only "1d 2^" "${extra[@]}" --csv "$out/sweep_$policy.csv" | tail -n +2
done
if ((plot)); then
    /usr/bin/python3 perf/sweep_plot.py "$out"/sweep_*.csv --out "$out"
fi
