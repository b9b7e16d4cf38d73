"""The built-in example prints a numpy session: check it against numpy.

    tutorial_doctest.py PATH/TO/pscan_example

examples/tutorial.c prints each numpy statement as a ">>>" line followed by
what pscan computed, printed as numpy prints it. This runs that output as a
doctest with numpy itself as np, so every printed line must be what numpy
prints for the statement above it. It also checks that the session opens
with numpy's own cumsum tutorial (the a and arr examples), so the check
cannot pass on an output that lost them.
"""
import doctest
import subprocess
import sys

import numpy as np

OPENING = """>>> a = np.array([5, 6, 7, 8, 9, 10, 11, 12, 19, 25])
>>> print(np.cumsum(a)[-1])
112
>>> print(np.cumsum(a))
[  5  11  18  26  35  45  56  68  87 112]

>>> arr = np.array([[1, 4, 0], [7, 0, 9], [5, 0, 3], [12, 0, 5]])
>>> print(np.cumsum(arr, axis=1))
[[ 1  5  5]
 [ 7  7 16]
 [ 5  5  8]
 [12 12 17]]
"""


def main():
    run = subprocess.run([sys.argv[1]], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"pscan_example exited with {run.returncode}: {run.stderr.strip()}")
        print("0 passed, 1 failed")
        return 1
    text = run.stdout
    failed = 0
    if not text.startswith(OPENING):
        print("the example does not open with numpy's tutorial examples; it printed:")
        print(text[:len(OPENING) + 200])
        failed += 1
    test = doctest.DocTestParser().get_doctest(text, {"np": np}, "pscan_example", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.REPORT_NDIFF)
    result = runner.run(test)
    failed += result.failed
    attempted = result.attempted + 1
    print(f"{attempted - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
