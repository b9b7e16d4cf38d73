#!/usr/bin/env bash
# The engine's parallel paths under ThreadSanitizer (tests/tsan/tsan_driver.c).
# GCC builds pscan with -fsanitize=thread; the program runs on LLVM's OpenMP
# runtime (libomp-14-dev, which implements GCC's GOMP_* entry points) with
# its Archer tool, which tells TSan about OpenMP's synchronisation. (With
# GCC's libgomp, which TSan cannot see into, every reuse of the thread pool
# reads as a race.) libomp itself is not instrumented: reports whose racing
# accesses are both inside libomp are its own and are counted apart; a
# report with an access anywhere else (pscan's code, the driver) fails the
# run. Criterion cannot run under TSan, so this is a plain program, and not
# part of CI (it needs LLVM's OpenMP runtime beside GCC's).
#   bash scripts/tsan.sh          (about a minute: build, then a few seconds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

build=build-tsan
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPSCAN_SANITIZE=thread -DPSCAN_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target pscan_static
llvm_lib=/usr/lib/llvm-14/lib
cc -O1 -g -fsanitize=thread -Iinclude -c tests/tsan/tsan_driver.c -o "$build/tsan_driver.o"
cc -fsanitize=thread "$build/tsan_driver.o" "$build/libpscan.a" -lhwloc -lm -pthread \
    -L"$llvm_lib" -Wl,-rpath,"$llvm_lib" -lomp -o "$build/tsan_driver"

log="$build/tsan.log"
status=0
OMP_TOOL_LIBRARIES="$llvm_lib/libarcher.so" TSAN_OPTIONS="halt_on_error=0" \
    "$build/tsan_driver" >"$log" 2>&1 || status=$?
grep -E 'same bits|DIFFERS|Archer' "$log" || true
/usr/bin/python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
reports = text.split("WARNING: ThreadSanitizer")[1:]
def in_runtime(stack):
    """The access is made by libomp: frame #0 or #1 (#0 may be TSan's
    interceptor of a pthread call) lies in libomp.so."""
    return any("libomp.so" in frame for frame in re.findall(r"#[01] ([^\n]*)", stack))
ours = []
for r in reports:
    body = r.split("SUMMARY")[0]
    accesses = re.split(r"\n  (?:Previous )?(?:[Ww]rite|[Rr]ead|[Aa]tomic)[^\n]*\n", "\n" + body)[1:]
    if not accesses or not all(in_runtime(a) for a in accesses[:2]):
        frames = re.findall(r"#[0-9] ([^\n]*)", body)
        ours.append(next((f for f in frames if "libtsan" not in f), body.strip().splitlines()[0]))
print(f"tsan: {len(reports)} reports, {len(reports) - len(ours)} inside libomp, "
      f"{len(ours)} with an access outside it (pscan's code or the driver)")
for line in ours[:5]:
    print("  " + line)
sys.exit(1 if ours else 0)
PY
[[ $status -eq 0 || $status -eq 66 ]] || { echo "tsan_driver exited with $status (see $log)"; exit 1; }
