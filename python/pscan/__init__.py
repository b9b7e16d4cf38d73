"""pscan: numpy's cumulative scans on every core, with numpy's results.

Change one import::

    import pscan
    pscan.cumsum(a, axis=0)          # numpy.cumsum(a, axis=0), multithreaded

Functions with numpy's signatures: cumsum, cumprod, nancumsum, nancumprod,
cumulative_sum and cumulative_prod (numpy 2's), cummax and cummin
(numpy.maximum/minimum.accumulate), and scan_axes (summed-area tables).
pscan's own options are keyword-only on all of them: threads=, order=,
exclusive=, reverse=, check_overflow=, compensated=. info() says what pscan
runs with here; set_result_cache() and clear_result_cache() tune the
memory kept from freed results for new ones.

Float sums and products are REPRODUCIBLE by default: the same bits for any
thread count and CPU (numpy's bits for lanes of up to 4096 elements);
order="sequential" gives numpy's bits for any length. Whatever pscan does
not scan itself (other dtypes, ndarray subclasses, duck arrays) is numpy's
own answer.
"""
from . import _fallback  # numpy's functions, before anyone replaces them
from ._pscan import (
    __version__,
    clear_result_cache,
    cummax,
    cummin,
    cumprod,
    cumsum,
    cumulative_prod,
    cumulative_sum,
    info,
    nancumprod,
    nancumsum,
    scan_axes,
    set_result_cache,
)

__all__ = [
    "cumsum",
    "cumprod",
    "nancumsum",
    "nancumprod",
    "cumulative_sum",
    "cumulative_prod",
    "cummax",
    "cummin",
    "scan_axes",
    "info",
    "set_result_cache",
    "clear_result_cache",
    "__version__",
]
