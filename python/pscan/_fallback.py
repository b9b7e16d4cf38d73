"""numpy's answers for what pscan does not scan itself.

The C module calls these with numpy's own arguments only. numpy's functions
are taken when this module is first imported, so a caller who replaced
numpy.cumsum by pscan.cumsum still reaches numpy's here.
"""
import importlib
import operator

import numpy as _np


def _numpy_original(name):
    # From the module that defines it: replacing numpy.cumsum by pscan's
    # (as a numpy user may) does not reach there.
    for module in ("numpy._core.fromnumeric", "numpy.lib._nanfunctions_impl",
                   "numpy.core.fromnumeric", "numpy.lib.nanfunctions"):
        try:
            function = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if function is not None:
            return function
    return getattr(_np, name)


cumsum = _numpy_original("cumsum")
cumprod = _numpy_original("cumprod")
nancumsum = _numpy_original("nancumsum")
nancumprod = _numpy_original("nancumprod")


def _flat(a, axis):
    if axis is None:
        return _np.ravel(a), 0
    return a, axis


def cummax(a, axis=None, dtype=None, out=None):
    a, axis = _flat(a, axis)
    return _np.maximum.accumulate(a, axis=axis, dtype=dtype, out=out)


def cummin(a, axis=None, dtype=None, out=None):
    a, axis = _flat(a, axis)
    return _np.minimum.accumulate(a, axis=axis, dtype=dtype, out=out)


def _cumulative(ufunc, x, axis, dtype, out, include_initial):
    # numpy 2's numpy.cumulative_sum / cumulative_prod, for numpy 1 too.
    x = _np.atleast_1d(x)
    if axis is None:
        if x.ndim >= 2:
            raise ValueError("For arrays which have more than one dimension "
                             "``axis`` argument is required.")
        axis = 0
    if out is not None and include_initial:
        item = [slice(None)] * x.ndim
        item[axis] = slice(1, None)
        ufunc.accumulate(x, axis=axis, dtype=dtype, out=out[tuple(item)])
        item[axis] = 0
        out[tuple(item)] = ufunc.identity
        return out
    res = ufunc.accumulate(x, axis=axis, dtype=dtype, out=out)
    if include_initial:
        initial_shape = list(x.shape)
        initial_shape[axis] = 1
        res = _np.concatenate(
            [_np.full_like(res, ufunc.identity, shape=initial_shape), res], axis=axis)
    return res


def _cumulative_sum(x, axis=None, dtype=None, out=None, include_initial=False):
    return _cumulative(_np.add, x, axis, dtype, out, include_initial)


def _cumulative_prod(x, axis=None, dtype=None, out=None, include_initial=False):
    return _cumulative(_np.multiply, x, axis, dtype, out, include_initial)


# numpy 2's own where it has them (its __array_function__ dispatch too).
cumulative_sum = getattr(_np, "cumulative_sum", None) or _cumulative_sum
cumulative_prod = getattr(_np, "cumulative_prod", None) or _cumulative_prod


_AxisError = getattr(getattr(_np, "exceptions", None), "AxisError", None) or _np.AxisError


def _normalize_axis_index(axis, ndim):
    if not -ndim <= axis < ndim:
        raise _AxisError(axis, ndim)
    return axis % ndim


_UFUNCS = {"sum": _np.add, "prod": _np.multiply, "max": _np.maximum, "min": _np.minimum}


def scan_axes(a, axes, op="sum", dtype=None, out=None):
    # The definition: one accumulate per axis, from the last axis to the first.
    ufunc = _UFUNCS[op]
    a = _np.asarray(a)
    ndim = max(a.ndim, 1)
    normalized = [_normalize_axis_index(operator.index(ax), ndim) for ax in axes]
    if not 1 <= len(normalized) <= ndim or len(set(normalized)) != len(normalized):
        raise ValueError(f"axes must be 1..{ndim} distinct axes of an array of dimension {a.ndim}")
    result = a
    for ax in sorted(normalized, reverse=True):
        result = ufunc.accumulate(result, axis=ax, dtype=dtype)
    if out is None:
        return result
    out[...] = result
    return out
