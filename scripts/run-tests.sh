#!/usr/bin/env bash
# Set everything up and run the whole suite (this is what CI runs):
#   format: every C file against .clang-format (scripts/format-check.sh)
#   (a) Release build with -Werror into build-ci/; every CTest test: the
#       Criterion unit tests and the numpy differential test (with the best
#       kernels), then the unit tests with the scalar and AVX2 kernels, and
#       on an AVX-512 host the numpy tests with numpy's AVX-512 loops off
#   (a') Release build with clang (-Werror) into build-clang/; every CTest
#       test, then the unit tests with the scalar and AVX2 kernels
#   (a'') the tool alone built without HDF5 into build-nohdf5/: it scans a
#       .npy and says plainly that HDF5 support is absent
#   (b) install into a temporary prefix; build and run examples/consumer
#       against it, once with CMake's find_package(pscan), once with
#       pkg-config, and a program of libpscan_mpi alone with no
#       LD_LIBRARY_PATH (libpscan_mpi.so finds libpscan.so by its RUNPATH);
#       import the installed Python module; `pip install ./python` into a
#       throwaway venv and run the module's runtime tests with it
#   (c) Debug build with AddressSanitizer + UBSan into build-asan/; every
#       test (the MPI ones without leak checks) and the example again
#   (d) the libFuzzer targets of the .npy header parser, of the scan
#       (against a naive reference) and of the tool's FILE:/path argument
#       parser, 60 seconds in all
#   (e) clang's static analyzer over the library and the tool, no reports
# CTest runs with --jobs 1: Criterion forks a process per test and each scan
# may start OpenMP threads, so parallel tests would oversubscribe the cores
# and make the engine's timing less like a real run.
# Any failure stops the script with a non-zero status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=$(nproc)
start=$SECONDS
section() { printf '\n==== %s  [%ds] ====\n' "$*" $((SECONDS - start)); }

work=$(mktemp -d "${TMPDIR:-/tmp}/pscan-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

section "setup: Debian packages"
bash scripts/setup.sh

# Next, as it takes a second: a C file that differs from .clang-format
# fails the run with the diff that would fix it.
section "format: every C file against .clang-format"
bash scripts/format-check.sh

section "(a) configure and build: build-ci/ (Release, -Werror)"
# Presets (CMakePresets.json) name the three builds: release -> build-ci/,
# asan -> build-asan/, clang -> build-clang/.
cmake --preset release
cmake --build --preset release --parallel "$jobs"

section "(a) tests: unit, numpy differential, .npy headers, command-line tool, MPI (ctest --jobs 1)"
ctest --preset release

# Every kernel variant this CPU has (PSCAN_ISA forces one; a variant the CPU
# lacks is capped, so these runs are never wrong, only sometimes repeats).
for isa in scalar avx2; do
    section "(a) unit tests again with PSCAN_ISA=$isa"
    PSCAN_ISA=$isa ctest --preset release --exclude-regex 'numpy_differential|numpy_compensated|cli_numpy|cli_h5|npy_headers|mpi_np|python_'
done

# numpy fuses complex multiplies on AVX-512 hosts and not on AVX2-only ones
# (tests/numpy/numpy_host.py). On an AVX-512 host the numpy tests run once
# more with numpy's AVX-512 loops off, as an AVX2-only host runs them, so
# one CI host checks both kinds.
python=$(sed -n 's/^PSCAN_PYTHON_EXECUTABLE:[A-Z]*=//p' build-ci/CMakeCache.txt)
numpy_avx512=$(cd tests/numpy && PYTHONDONTWRITEBYTECODE=1 "$python" -c \
    'import numpy_host; print(numpy_host.numpy_without_avx512())')
if [[ -n $numpy_avx512 ]]; then
    section "(a) numpy tests again as an AVX2-only host runs numpy (NPY_DISABLE_CPU_FEATURES=$numpy_avx512)"
    NPY_DISABLE_CPU_FEATURES="$numpy_avx512" ctest --preset release \
        --tests-regex 'numpy_differential|numpy_flags|cli_numpy'
else
    section "(a) numpy runs no AVX-512 loops on this host: the numpy tests above ran as on an AVX2-only host"
fi

section "(a) example: build-ci/pscan_example"
./build-ci/pscan_example >/dev/null

section "(a') configure and build: build-clang/ (clang, Release, -Werror)"
cmake --preset clang
cmake --build --preset clang --parallel "$jobs"

section "(a') clang build: unit, numpy, .npy headers, command-line tool, MPI (ctest --jobs 1)"
ctest --preset clang
for isa in scalar avx2; do
    section "(a') clang build: unit tests again with PSCAN_ISA=$isa"
    PSCAN_ISA=$isa ctest --preset clang --exclude-regex 'numpy_differential|numpy_compensated|cli_numpy|cli_h5|npy_headers|mpi_np|python_'
done

section "(a'') the tool built without HDF5 (-DPSCAN_HDF5=OFF): .npy works, HDF5 says it is absent"
# The HDF5 part of the tool is optional; its absence must build (-Werror)
# and say so plainly (exit 3), not misread the file as a .npy.
cmake -S . -B build-nohdf5 -DCMAKE_BUILD_TYPE=Release -DPSCAN_WERROR=ON -DPSCAN_HDF5=OFF \
    -DPSCAN_BUILD_TESTS=OFF -DPSCAN_PYTHON=OFF >/dev/null
cmake --build build-nohdf5 --target pscan_cli --parallel "$jobs" >/dev/null
printf '\211HDF\r\n\032\n' > "$work/sig.h5"
status=0
./build-nohdf5/pscan info "$work/sig.h5" 2> "$work/nohdf5.txt" || status=$?
if [[ $status -ne 3 ]] || ! grep -q "HDF5 support is absent" "$work/nohdf5.txt"; then
    echo "run-tests.sh: without HDF5, pscan info of an HDF5 file gave $status: $(cat "$work/nohdf5.txt")" >&2
    exit 1
fi
/usr/bin/python3 -c "import numpy; numpy.save('$work/small.npy', numpy.arange(5))"
./build-nohdf5/pscan cumsum "$work/small.npy" "$work/small_out.npy" -q
/usr/bin/python3 -c "import numpy; assert numpy.load('$work/small_out.npy').tolist() == [0, 1, 3, 6, 10]"

section "(b) install into a temporary prefix"
cmake --install build-ci --prefix "$prefix"

section "(b) consumer with CMake: find_package(pscan), pscan::pscan and pscan::pscan_static"
# pscan.h must compile under the warnings the project itself builds with.
consumer_flags="-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
consumer_flags+=" -Wcast-qual -Wvla -Werror"
cmake -S examples/consumer -B "$work/consumer-cmake" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$consumer_flags"
cmake --build "$work/consumer-cmake" --parallel "$jobs"
"$work/consumer-cmake/consumer"
"$work/consumer-cmake/consumer_static"

section "(b) consumer of libpscan_mpi alone, from the prefix, without LD_LIBRARY_PATH"
# The program names libpscan_mpi.so only (--as-needed); libpscan.so must be
# found through libpscan_mpi.so's RUNPATH ($ORIGIN) in the same prefix.
mpi_lib=$(find "$prefix" -name 'libpscan_mpi.so' -print -quit)
[[ -n $mpi_lib ]] || { echo "run-tests.sh: libpscan_mpi.so was not installed (no MPI?)" >&2; exit 1; }
readelf -d "$mpi_lib" | grep -q 'RUNPATH.*\[\$ORIGIN\]' ||
    { echo "run-tests.sh: $mpi_lib has no RUNPATH \$ORIGIN" >&2; exit 1; }
needs=$(readelf -d "$work/consumer-cmake/consumer_mpi" | grep NEEDED)
if ! grep -q 'libpscan_mpi\.so' <<<"$needs" || grep -q 'libpscan\.so' <<<"$needs"; then
    echo "run-tests.sh: consumer_mpi should need libpscan_mpi.so alone:" >&2
    echo "$needs" >&2
    exit 1
fi
mpirun_flags=(--oversubscribe)
[[ $(id -u) -eq 0 ]] && mpirun_flags+=(--allow-run-as-root)
env -u LD_LIBRARY_PATH mpirun "${mpirun_flags[@]}" -np 2 "$work/consumer-cmake/consumer_mpi"

section "(b) Python module from the prefix: where the interpreter looks, importable, working"
# cmake --install put the package under the prefix at the interpreter's own
# directory for /usr/local (build-ci's configured prefix): check that the
# interpreter lists it, then import it from the temporary prefix.
py_init=$(find "$prefix" -path '*/pscan/__init__.py' -print -quit)
[[ -n $py_init ]] || { echo "run-tests.sh: the Python package was not installed" >&2; exit 1; }
py_site=${py_init%/pscan/__init__.py}
"$python" -c 'import site, sys; d = "/usr/local/" + sys.argv[1]; assert d in site.getsitepackages(), (d, site.getsitepackages())' \
    "${py_site#"$prefix"/}"
(cd "$work" && PYTHONPATH="$py_site" PYTHONDONTWRITEBYTECODE=1 "$python" -c \
    'import sys, pscan; assert pscan.__file__.startswith(sys.argv[1]), pscan.__file__; assert pscan.cumsum([1, 2, 3]).tolist() == [1, 3, 6]' "$py_site")

section "(b) pip install ./python into a throwaway venv (offline, the interpreter's setuptools), then its runtime tests"
"$python" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install --quiet --no-build-isolation --no-index --no-cache-dir ./python
rm -rf python/build python/pscan.egg-info
runtime_tests="$PWD/tests/python/test_runtime.py"
(cd "$work" && PYTHONDONTWRITEBYTECODE=1 "$work/venv/bin/python" -m pytest -q -p no:cacheprovider \
    "$runtime_tests")

section "(b) consumer with pkg-config"
pc_file=$(find "$prefix" -name pscan.pc -print -quit)
[[ -n $pc_file ]] || { echo "run-tests.sh: pscan.pc was not installed" >&2; exit 1; }
PKG_CONFIG_PATH="$(dirname "$pc_file")" bash examples/consumer/build-pkgconfig.sh "$work/consumer-pkgconfig"

section "(c) configure and build: build-asan/ (Debug, address,undefined, -Werror)"
cmake --preset asan
cmake --build --preset asan --parallel "$jobs"

# Every sanitizer report must fail the test. UBSan is built with
# -fno-sanitize-recover, so it stops at the first report. Criterion runs each
# test in a forked child and takes the verdict from the child's messages, not
# from its exit status: LeakSanitizer reports at the child's exit, after the
# test has said "passed", and its default _exit(23) goes unnoticed.
# abort_on_error=1 turns every report into SIGABRT, which Criterion counts as
# a crash (a memory error during the test) or a warning that fails the run
# (a leak at teardown).
# scripts/lsan.supp names the one known leak, inside libcriterion itself.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

section "(c) sanitizer tests: unit tests (ctest --jobs 1)"
ctest --preset asan

section "(c) sanitizer tests: the distributed scan under mpirun (leak checks off: Open MPI keeps its own)"
ASAN_OPTIONS="abort_on_error=1:detect_leaks=0" \
    ctest --test-dir build-asan --output-on-failure --no-tests=error --jobs 1 --tests-regex mpi_np

section "(c) sanitizer example: build-asan/pscan_example"
./build-asan/pscan_example >/dev/null

section "(c) sanitizer tests: the numpy tests through ctypes, the Python module's tests (label preload: python3 + ASan runtime preloaded)"
# The differential test loads the instrumented libpscan.so into an
# uninstrumented python3 through ctypes (and the module's tests the
# instrumented extension): the ASan runtime must be the first
# library loaded, hence LD_PRELOAD (for this test only). Leak checking is off
# because python3 itself does not free everything at exit.
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' build-asan/CMakeCache.txt)
asan_rt=$("$cc" -print-file-name=libasan.so)
ubsan_rt=$("$cc" -print-file-name=libubsan.so)
for rt in "$asan_rt" "$ubsan_rt"; do
    [[ -f $rt ]] || { echo "run-tests.sh: sanitizer runtime $rt not found" >&2; exit 1; }
done
preload="$asan_rt $ubsan_rt"
LD_PRELOAD="$preload" ASAN_OPTIONS="detect_leaks=0" \
    ctest --test-dir build-asan --output-on-failure --no-tests=error --jobs 1 \
    --label-regex preload

section "(d) fuzz: the .npy header parser, the scan and the FILE:/path parser, libFuzzer + ASan/UBSan (clang), 60 s in all"
bash scripts/fuzz.sh 60

section "(e) static analysis: scan-build over the library and the tool (Debug), zero reports"
# The analyzer follows paths the tests never take (failed allocations,
# other ranks' statuses, unusual headers). The library and the tool only
# (about three minutes on 2 cores, most of it the three kernel variants):
# the tests would add as much again, for reports about their own fill loops.
bash scripts/analyze.sh

section "all passed"
