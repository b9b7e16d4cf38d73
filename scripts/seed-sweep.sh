#!/usr/bin/env bash
# Run every random test against numpy with many seeds, as numpy runs on this
# host and, where this host has AVX-512, once more as numpy runs on an
# AVX2-only host (NPY_DISABLE_CPU_FEATURES; see tests/numpy/numpy_host.py).
# A test must pass with every seed: its verdict may not depend on the draw.
#
#   bash scripts/seed-sweep.sh [SEEDS] [BUILD_DIR] [TESTS]
#
# SEEDS (default 20): seeds 1..SEEDS for each test. BUILD_DIR (default
# build-ci) holds a build with the tests (bash scripts/run-tests.sh makes
# one). TESTS (default all): a comma-separated subset of differential,
# flags, compensated, newops, arg, segmented, recurrence, cli, h5, python. Prints one line per run and a closing "N passed, N failed"; exits 1
# if any run failed. Takes about a minute per seed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seeds=${1:-20}
build=${2:-build-ci}
only=${3:-}
python=$(sed -n 's/^PSCAN_PYTHON_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
python=${python:-/usr/bin/python3}
lib=$(find "$build" -maxdepth 1 -name 'libpscan.so' -print -quit)
tool="$build/pscan"
if [[ -z $lib || ! -x $tool ]]; then
    echo "seed-sweep.sh: no libpscan.so or pscan in $build; build it first" >&2
    exit 2
fi

export PYTHONDONTWRITEBYTECODE=1
# The Python module's differential test, where the build has the module;
# the tool's HDF5 test, where the tool has HDF5.
python_tests=()
[[ -d $build/python/pscan ]] && python_tests=(python)
h5_tests=()
[[ -x $build/pscan_h5_copy ]] && h5_tests=(h5) # built only with HDF5
no_avx512=$(cd tests/numpy && "$python" -c 'import numpy_host; print(numpy_host.numpy_without_avx512())')
hosts=("as this host runs numpy")
[[ -n $no_avx512 ]] && hosts+=("as an AVX2-only host runs numpy")

passed=0
failed=0
log=$(mktemp "${TMPDIR:-/tmp}/pscan-seed-sweep.XXXXXX")
trap 'rm -f "$log"' EXIT
for host in "${hosts[@]}"; do
    disable=""
    [[ $host == *AVX2-only* ]] && disable=$no_avx512
    for ((seed = 1; seed <= seeds; seed++)); do
        for test in differential flags compensated newops arg segmented recurrence cli \
            "${h5_tests[@]}" "${python_tests[@]}"; do
            [[ -n $only && ",$only," != *",$test,"* ]] && continue
            case $test in
            differential) cmd=("$python" tests/numpy/differential.py --lib "$lib" --seed "$seed") ;;
            flags) cmd=("$python" tests/numpy/flags_numpy.py "$lib" --seed "$seed") ;;
            compensated) cmd=("$python" tests/numpy/compensated_error.py "$lib" --seed "$seed") ;;
            newops) cmd=("$python" tests/numpy/newops_numpy.py "$lib" --seed "$seed") ;;
            arg) cmd=("$python" tests/numpy/arg_differential.py --lib "$lib" --seed "$seed") ;;
            segmented) cmd=("$python" tests/numpy/segmented_numpy.py "$lib" --seed "$seed") ;;
            recurrence) cmd=("$python" tests/numpy/recurrence_numpy.py "$lib" --seed "$seed") ;;
            cli) cmd=("$python" tests/cli/test_cli.py "$tool" --seed "$seed") ;;
            h5) cmd=("$python" tests/cli/test_h5.py "$tool" --seed "$seed") ;;
            python) cmd=(env PYTHONPATH="$build/python" PSCAN_TEST_SEED="$seed" "$python" -m pytest -q
                         -p no:cacheprovider tests/python/test_differential.py) ;;
            esac
            if NPY_DISABLE_CPU_FEATURES="$disable" "${cmd[@]}" >"$log" 2>&1; then
                passed=$((passed + 1))
                printf 'ok    %-12s seed %-4d %s\n' "$test" "$seed" "$host"
            else
                failed=$((failed + 1))
                printf 'FAIL  %-12s seed %-4d %s\n' "$test" "$seed" "$host"
                grep -m 5 -E 'FAIL|fail' "$log" | sed 's/^/      /'
            fi
        done
    done
done
echo "$passed passed, $failed failed"
((failed == 0))
