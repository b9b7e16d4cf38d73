#!/usr/bin/env bash
# Set up, build (Release) and run the benchmark, then plot it:
#   bash scripts/run-bench.sh [pscan_bench options]   e.g. --threads 1,2 --reps 5
# Writes perf-out/pscan_bench.csv and perf-out/*.png. Takes minutes at the
# default sizes (up to 2^27 elements, 1 GiB per int64 array).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --perf
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$(nproc)" --target pscan_bench
mkdir -p perf-out
./build-ci/pscan_bench --csv perf-out/pscan_bench.csv "$@"
/usr/bin/python3 perf/plot.py perf-out/pscan_bench.csv --out perf-out
