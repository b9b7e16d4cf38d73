#!/usr/bin/env bash
# Set everything up, build pscan (Release) into build/ and run the built-in
# example, examples/tutorial.c (numpy's cumsum tutorial), then the same
# tutorial in Python with the pscan module (examples/tutorial.py).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==== setup: Debian packages ===="
bash scripts/setup.sh

echo "==== configure and build: build/ (Release) ===="
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build --parallel "$(nproc)" --target pscan_example pscan_python

echo "==== run: build/pscan_example ===="
./build/pscan_example

echo "==== run: the same tutorial in Python, with import pscan (build/python) ===="
PYTHONPATH=build/python PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 examples/tutorial.py
