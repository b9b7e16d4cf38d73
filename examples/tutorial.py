"""numpy's cumsum tutorial with pscan in numpy's place.

    PYTHONPATH=build/python /usr/bin/python3 examples/tutorial.py

Each statement is printed as a Python session prints it, then its result,
which must equal numpy's own (the script stops with status 1 otherwise).
"""
import sys

import numpy as np

import pscan

a = np.array([5, 6, 7, 8, 9, 10, 11, 12, 19, 25])
arr = np.array([[1, 4, 0], [7, 0, 9], [5, 0, 3], [12, 0, 5]])
b = np.arange(12).reshape(4, 3)
x = np.full(10, 0.1)
big = np.random.default_rng(0).standard_normal((2048, 1024))

STATEMENTS = [
    "pscan.cumsum(a)[-1]",
    "pscan.cumsum(a)",
    "pscan.cumsum(arr, axis=1)",
    "pscan.cumsum(b, axis=0)",
    "pscan.cumsum(b)",
    "pscan.cumsum(x)",
    "pscan.cumprod(a[:5])",
    "pscan.cummax(np.array([3, 1, 4, 1, 5, 9, 2, 6]))",
    "pscan.cumulative_sum(a[:4], include_initial=True)",
    "pscan.cumsum(big, axis=0, order='sequential')[-1, :3]",
]

failed = 0
print(f"# pscan {pscan.__version__}, {pscan.info()['isa']} kernels, {pscan.info()['threads']} threads")
for statement in STATEMENTS:
    result = eval(statement)
    numpy_statement = (statement.replace("pscan.cumulative_sum(a[:4], include_initial=True)",
                                         "np.concatenate([[0], np.cumsum(a[:4])])")
                       .replace("pscan.cummax", "np.maximum.accumulate")
                       .replace(", order='sequential'", "").replace("pscan.", "np."))
    expected = eval(numpy_statement)
    print(f">>> {statement}")
    print(repr(result))
    if not (np.array_equal(result, expected) and np.result_type(result) == np.result_type(expected)):
        print(f"# differs from numpy's {numpy_statement}: {expected!r}", file=sys.stderr)
        failed += 1
sys.exit(1 if failed else 0)
