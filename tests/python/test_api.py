"""pscan's Python functions beyond numpy's signature: scan_axes against its
definition, the keyword-only extras and their errors, and the cases handed
to numpy (subclasses, duck arrays, dtypes pscan lacks) keeping numpy's
behaviour."""
import numpy as np
import pytest

import pscan
import pscan._fallback as reference

UFUNCS = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint8).tobytes()


@pytest.mark.parametrize("op", sorted(UFUNCS))
@pytest.mark.parametrize("axes", [(0,), (1,), (0, 1), (1, 0), (-1, 0), (0, 2), (0, 1, 2)])
@pytest.mark.parametrize("dtype", ["uint8", "int32", "float32", "float64", "complex128"])
def test_scan_axes_is_one_accumulate_per_axis_from_the_last(op, axes, dtype):
    rng = np.random.default_rng(3)
    a = (rng.integers(0, 4, size=(9, 70, 5)) + 1).astype(dtype)
    if op in ("max", "min") and dtype == "complex128":
        a = a + 1j * rng.integers(0, 4, size=a.shape)
    expected = a
    with np.errstate(all="ignore"):  # float products overflow to inf: both must
        for axis in sorted({ax % 3 for ax in axes}, reverse=True):
            expected = UFUNCS[op].accumulate(expected, axis=axis)
        result = pscan.scan_axes(a, axes, op=op, order="sequential")
    assert result.dtype == expected.dtype
    if dtype.startswith("complex") and op == "prod":
        np.testing.assert_allclose(result, expected, rtol=1e-13)
    else:
        assert _bits(result) == _bits(expected)


def test_scan_axes_summed_area_table_into_out():
    image = np.arange(24, dtype=np.uint8).reshape(4, 6)
    out = np.empty((4, 6), dtype=np.int64)
    assert pscan.scan_axes(image, (0, 1), out=out) is out
    assert np.array_equal(out, image.astype(np.int64).cumsum(1).cumsum(0))


def test_scan_axes_rejects_what_it_cannot_do():
    a = np.ones((3, 4))
    with pytest.raises(ValueError):
        pscan.scan_axes(a, (0, 0))
    with pytest.raises(ValueError):
        pscan.scan_axes(a, (2,))
    with pytest.raises(ValueError):
        pscan.scan_axes(a, (0,), op="mean")
    with pytest.raises(TypeError):
        pscan.scan_axes(a, 0)


def test_scan_axes_of_a_dtype_pscan_lacks_is_numpys():
    a = np.arange(12, dtype=np.longdouble).reshape(3, 4)
    result = pscan.scan_axes(a, (0, 1))
    assert result.dtype == np.longdouble
    assert np.array_equal(result, a.cumsum(1).cumsum(0))
    assert np.array_equal(reference.scan_axes(a, (1, 0)), result)


def test_exclusive_reverse_and_include_initial():
    a = np.array([[3, 1, 4, 1], [5, 9, 2, 6]], dtype=np.int32)
    assert np.array_equal(pscan.cumsum(a, axis=1, exclusive=True),
                          [[0, 3, 4, 8], [0, 5, 14, 16]])
    assert np.array_equal(pscan.cumsum(a, axis=1, reverse=True),
                          [[9, 6, 5, 1], [22, 17, 8, 6]])
    assert np.array_equal(pscan.cummax(a, axis=0, reverse=True), [[5, 9, 4, 6], [5, 9, 2, 6]])
    assert np.array_equal(pscan.cumulative_prod(a, axis=1, include_initial=True),
                          [[1, 3, 3, 12, 12], [1, 5, 45, 90, 540]])
    out = np.full((3, 4), -1, dtype=np.float32)
    assert pscan.cumulative_sum(a, axis=0, include_initial=True, out=out) is out
    assert np.array_equal(out, [[0, 0, 0, 0], [3, 1, 4, 1], [8, 10, 6, 7]])


def test_check_overflow_raises_and_leaves_out_untouched():
    a = np.array([2**62, 2**62, 1], dtype=np.int64)
    out = np.full(3, 7, dtype=np.int64)
    with pytest.raises(OverflowError):
        pscan.cumsum(a, out=out, check_overflow=True)
    assert np.array_equal(out, [7, 7, 7])
    assert np.array_equal(pscan.cumsum(np.array([1, 2], np.int8), check_overflow=True), [1, 3])


def test_compensated_sums_are_closer_than_plain_ones():
    a = np.array([1.0, 1e100, 1.0, -1e100] * 3)
    exact = [1.0, 1e100, 1e100, 2.0, 3.0, 1e100, 1e100, 4.0, 5.0, 1e100, 1e100, 6.0]
    assert np.array_equal(pscan.cumsum(a, compensated=True), exact)
    assert not np.array_equal(pscan.cumsum(a), exact)


def test_threads_and_order_do_not_change_reproducible_bits():
    a = np.random.default_rng(11).standard_normal(200_000).astype(np.float32)
    one = pscan.cumsum(a, threads=1)
    for threads in (2, 3, 4, 0, None):
        assert _bits(pscan.cumsum(a, threads=threads)) == _bits(one)
    assert _bits(pscan.cumsum(a, order="sequential")) == _bits(np.cumsum(a))


@pytest.mark.parametrize("kwargs, error", [
    ({"threads": -1}, ValueError),
    ({"threads": 1.5}, TypeError),
    ({"order": "fast"}, ValueError),
    ({"order": 1}, TypeError),
])
def test_bad_extras_raise(kwargs, error):
    with pytest.raises(error):
        pscan.cumsum(np.ones(3), **kwargs)


def test_flags_on_a_dtype_pscan_lacks_raise_type_error():
    a = np.ones(3, dtype=np.longdouble)
    with pytest.raises(TypeError):
        pscan.cumsum(a, reverse=True)
    # Without a flag numpy answers, threads= and order= notwithstanding.
    assert pscan.cumsum(a, threads=2, order="reproducible").dtype == np.longdouble


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
def test_subclasses_keep_their_type_as_in_numpy():
    class Tagged(np.ndarray):
        pass

    a = np.arange(6.0).reshape(2, 3).view(Tagged)
    for name in ("cumsum", "cumprod", "nancumsum", "nancumprod"):
        result = getattr(pscan, name)(a, axis=1)
        assert type(result) is Tagged
        assert np.array_equal(result, getattr(np, name)(a, axis=1))
    m = np.matrix([[1, 2], [3, 4]])
    assert type(pscan.cumsum(m)) is np.matrix
    assert np.array_equal(pscan.cumsum(m), np.cumsum(m))
    # With a flag there is no numpy function to ask: the result is an ndarray.
    assert np.array_equal(pscan.cumsum(a, axis=1, exclusive=True), [[0, 0, 1], [0, 3, 7]])


def test_duck_arrays_get_numpys_dispatch():
    class Duck:
        def __array_function__(self, func, types, args, kwargs):
            return ("dispatched", func.__name__)

    assert pscan.cumsum(Duck()) == ("dispatched", "cumsum")
    assert pscan.nancumprod(Duck(), axis=0) == ("dispatched", "nancumprod")


def test_numpy_replaced_by_pscan_still_falls_back_to_numpy(monkeypatch):
    monkeypatch.setattr(np, "cumsum", pscan.cumsum)
    monkeypatch.setattr(np, "nancumsum", pscan.nancumsum)
    a = np.array([1.0, np.nan, 2.0], dtype=np.longdouble)
    assert np.array_equal(np.nancumsum(a), np.array([1.0, 1.0, 3.0], dtype=np.longdouble))
    assert np.cumsum(np.array([1, 2], dtype=object)).tolist() == [1, 3]


def test_objects_with_their_own_cumsum_or_wrap_get_numpys_answer():
    class OwnCumsum:
        def __array__(self, dtype=None):
            return np.array([1.0, 2.0])

        def cumsum(self, axis=None, dtype=None, out=None):
            return "own"

    class Wrapped:
        def __array__(self, dtype=None):
            return np.array([1.0, 2.0])

        def __array_wrap__(self, result, context=None):
            return ("wrapped", result.tolist())

    assert pscan.cumsum(OwnCumsum()) == np.cumsum(OwnCumsum()) == "own"
    assert pscan.cumsum(Wrapped()) == np.cumsum(Wrapped())


def test_an_interrupt_while_converting_is_not_swallowed():
    class Interrupting:
        calls = 0

        def __len__(self):
            return 2

        def __getitem__(self, i):
            # Interrupted once: a second conversion (by numpy) would succeed.
            Interrupting.calls += 1
            if Interrupting.calls == 1:
                raise KeyboardInterrupt
            return 1.0

    with pytest.raises(KeyboardInterrupt):
        pscan.cumsum([Interrupting(), 1.0])
    assert Interrupting.calls == 1


def test_axis_must_be_an_integer_not_a_bool():
    with pytest.raises(TypeError):
        np.cumsum(np.ones((2, 3)), axis=True)
    with pytest.raises(TypeError):
        pscan.cumsum(np.ones((2, 3)), axis=True)
    with pytest.raises(TypeError):
        pscan.cummax(np.ones((2, 3)), axis=True, reverse=True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's "invalid value in cast"
@pytest.mark.filterwarnings("ignore::numpy.ComplexWarning")
def test_casts_numpy_leaves_to_the_cpu_are_numpys():
    cases = [(np.array([np.nan, 1.0]), {"dtype": np.int64}),
             (np.array([1e20, 1.0]), {"dtype": np.int32}),
             (np.array([300.0, -1.5]), {"dtype": np.uint8}),
             (np.array([1 + 2j, 3 - 1j]), {"out": np.zeros(2)})]
    for a, kwargs in cases:
        expected = np.cumsum(a, **{k: (v.copy() if isinstance(v, np.ndarray) else v)
                                   for k, v in kwargs.items()})
        result = pscan.cumsum(a, **kwargs)
        assert result.dtype == expected.dtype
        assert _bits(result) == _bits(expected)


def test_scan_axes_errors_are_accumulates():
    with pytest.raises(TypeError):
        pscan.scan_axes(np.array(5.0), (0,))
    with pytest.raises(np.AxisError):
        pscan.scan_axes(np.ones((2, 3)), (0, 2))
    with pytest.raises(TypeError):
        pscan.scan_axes(np.ones((2, 3)), (1.5,))
    with pytest.raises(TypeError):
        pscan.scan_axes(np.ones((2, 3), dtype=np.longdouble), (1.5,))
