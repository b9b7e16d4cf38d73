#!/usr/bin/env bash
# Install the Debian 12 packages pscan needs to build, test and benchmark.
# Run as root (or with sudo available). When every package is already
# installed it does nothing, so re-runs are fast and work offline.
set -euo pipefail

packages=(
    build-essential   # gcc, make, libc headers; gcc brings libasan/libubsan
    cmake
    pkg-config
    libhwloc-dev      # topology (cores, NUMA nodes, caches)
    hwloc             # lstopo, to look at a machine's topology
    libcriterion-dev  # tests/unit
    python3-numpy     # tests/numpy differential test (numpy is the reference)
    python3-dev       # the Python module (python/): Python's headers
    python3-pytest    #   its tests (tests/python) and numpy's own tests of cumsum
    python3-hypothesis #  (numpy's test modules import it)
    python3-threadpoolctl # its OpenMP-limit test
    python3-setuptools #  `pip install ./python`, offline (--no-build-isolation)
    python3-pip       #
    python3-venv      #   (a throwaway venv for the pip check)
    libhdf5-dev       # HDF5 datasets in the command-line tool (tools/h5_file.c)
    python3-h5py      #   its tests write and read HDF5 files with h5py
    time              #   /usr/bin/time: the tool's peak memory in those tests
    libtbb-dev        # perf/: oneTBB parallel_scan as a baseline
    libopencv-imgproc-dev # perf/: cv::integral as a summed-area-table peer
    libopenmpi-dev    # the distributed scan (pscan::pscan_mpi) and its tests
    openmpi-bin       #   (mpirun)
    clang             # the clang build (CI) and the libFuzzer targets
    libclang-rt-14-dev #   (libFuzzer and clang's sanitizer runtimes)
    libomp-14-dev     #   (clang's OpenMP runtime; its Archer tool serves scripts/tsan.sh)
    clang-tools       # scan-build: clang's static analyzer (scripts/analyze.sh)
    clang-format      # .clang-format, checked on every C file (scripts/format-check.sh)
)
# `setup.sh --perf` adds what only the benchmark's plots need.
if [[ ${1:-} == --perf ]]; then
    packages+=(python3-matplotlib)
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup.sh: all ${#packages[@]} packages already installed"
    exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "setup.sh: missing packages (${missing[*]}); run as root to install them" >&2
        exit 1
    fi
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
