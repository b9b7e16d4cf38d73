"""The result cache: the memory of freed results of 4 MiB or more is kept
(pages faulted in) for the next result of the same size or up to an eighth
smaller, within a cap. Reuse is observed through info()'s counters and the
result's data pointer; a pointer alone proves nothing (mmap may hand back
an address it just unmapped), so every reuse check also reads the hits.
A block is a page longer than the result it was made for, and a result
starts within that page (half a page past its input's address), so two
results in one block start less than a page apart."""
import gc
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import pscan

MIB = 1 << 20
PAGE = 4096
ELEMENTS = MIB  # float64: an 8 MiB result, over the 4 MiB threshold
BLOCK = 8 * MIB + PAGE  # its block
CAP = 96 * MIB


def _cache():
    return pscan.info()["result_cache"]


def _pointer(array):
    return array.__array_interface__["data"][0]


def _same_block(first, second):
    return abs(first - second) < PAGE


@pytest.fixture(autouse=True)
def cache_of_96_mib():
    previous = pscan.set_result_cache(CAP)
    gc.collect()  # results in earlier tests' cycles would arrive mid-test
    pscan.clear_result_cache()
    yield
    pscan.clear_result_cache()
    pscan.set_result_cache(previous)


def _scan(elements, value=1.0):
    return pscan.cumsum(np.full(elements, value))


def test_a_freed_result_is_reused_by_the_next_one():
    first = _scan(ELEMENTS)
    where = _pointer(first)
    del first
    held = _cache()
    assert (held["bytes"], held["blocks"]) == (BLOCK, 1)
    hits = held["hits"]
    second = _scan(ELEMENTS, 2.0)
    assert _cache()["hits"] == hits + 1
    assert _same_block(_pointer(second), where)
    assert (_cache()["bytes"], _cache()["blocks"]) == (0, 0)
    assert np.array_equal(second, np.cumsum(np.full(ELEMENTS, 2.0)))


def test_a_live_result_is_never_reused():
    first = _scan(ELEMENTS)
    second = _scan(ELEMENTS)
    view = first[10:]  # keeps first's memory alive through its base
    del first
    assert _cache()["bytes"] == 0
    third = _scan(ELEMENTS, 3.0)
    pointers = [_pointer(view) - 80, _pointer(second), _pointer(third)]
    assert not any(_same_block(p, q) for k, p in enumerate(pointers) for q in pointers[:k])
    assert np.array_equal(view, np.arange(11, ELEMENTS + 1, dtype=np.float64))
    assert np.array_equal(second, np.arange(1, ELEMENTS + 1, dtype=np.float64))
    del second, third
    assert _cache()["blocks"] == 2
    del view
    assert _cache()["blocks"] == 3


def test_the_fit_rule_wastes_at_most_an_eighth_of_a_block():
    big = _scan(ELEMENTS + ELEMENTS // 16)  # 8.5 MiB
    exact = _scan(ELEMENTS)  # 8 MiB
    big_at, exact_at = _pointer(big), _pointer(exact)
    del exact, big
    hits = _cache()["hits"]
    # Both fit 8 MiB (8.5 wastes 1/17); the smaller one is taken.
    taken = _scan(ELEMENTS)
    assert _cache()["hits"] == hits + 1 and _same_block(_pointer(taken), exact_at)
    # 7.5 MiB wastes about 1/17 of the 8.5 MiB block: it fits.
    smaller = _scan(ELEMENTS - ELEMENTS // 16, 2.0)
    assert _cache()["hits"] == hits + 2 and _same_block(_pointer(smaller), big_at)
    assert np.array_equal(smaller, np.cumsum(np.full(ELEMENTS - ELEMENTS // 16, 2.0)))
    del taken, smaller
    # 6 MiB would waste a quarter of an 8 MiB block, 9 MiB does not fit:
    # fresh pages both times, and the held blocks stay.
    for held, elements in enumerate((ELEMENTS * 3 // 4, ELEMENTS + ELEMENTS // 8), start=2):
        misses = _cache()["misses"]
        fresh = _scan(elements)
        assert _cache()["misses"] == misses + 1
        assert _cache()["blocks"] == held
        assert np.array_equal(fresh, np.arange(1, elements + 1, dtype=np.float64))
        del fresh
    assert _cache()["blocks"] == 4


def test_a_result_starts_half_a_page_from_its_input_and_aligned():
    a = np.ones(ELEMENTS)
    for _ in range(2):  # fresh, then reused
        result = pscan.cumsum(a)
        assert (_pointer(result) - _pointer(a)) % PAGE == PAGE // 2
        del result
    # An int8 input at an odd address sums into int64, aligned to 8 bytes.
    odd = np.ones(ELEMENTS + 1, dtype=np.int8)[1:]
    assert _pointer(odd) % 2 == 1
    for _ in range(2):
        result = pscan.cumsum(odd)
        assert result.dtype == np.int64 and result.flags.aligned and _pointer(result) % 8 == 0
        assert np.array_equal(result, np.arange(1, ELEMENTS + 1))
        del result
    assert _cache()["hits"] >= 2


def test_results_under_4_mib_are_numpys_own_memory():
    small = _scan(ELEMENTS // 4)  # 2 MiB
    assert small.flags.owndata
    del small
    assert _cache()["blocks"] == 0


def test_the_cap_is_never_exceeded_and_the_oldest_blocks_go_first():
    pscan.set_result_cache(20 * MIB)
    results = [_scan(ELEMENTS) for _ in range(3)]
    pointers = [_pointer(r) for r in results]
    for k in range(3):
        results.pop(0)  # freed oldest first
        assert _cache()["bytes"] <= 20 * MIB
    held = _cache()
    assert (held["bytes"], held["blocks"]) == (2 * BLOCK, 2)
    # The two freed last are held: two new results take them.
    again = [_pointer(_scan(ELEMENTS)) for _ in range(2)]
    assert any(_same_block(again[0], p) for p in pointers[1:])
    assert any(_same_block(again[1], p) for p in pointers[1:])
    # A block larger than the cap is unmapped, not held.
    pscan.set_result_cache(4 * MIB)
    assert _cache()["bytes"] == 0
    del results
    large = _scan(ELEMENTS)
    del large
    assert _cache()["bytes"] == 0


def test_a_lower_cap_unmaps_at_once_and_zero_turns_the_cache_off():
    results = [_scan(ELEMENTS) for _ in range(4)]
    del results
    assert _cache()["bytes"] == 4 * BLOCK
    assert pscan.set_result_cache(17 * MIB) == CAP
    assert (_cache()["bytes"], _cache()["max_bytes"]) == (2 * BLOCK, 17 * MIB)
    assert pscan.set_result_cache(0) == 17 * MIB
    assert (_cache()["bytes"], _cache()["blocks"]) == (0, 0)
    hits = _cache()["hits"]
    for value in (1.0, 2.0):
        result = _scan(ELEMENTS, value)
        assert np.array_equal(result, np.cumsum(np.full(ELEMENTS, value)))
        del result
        assert _cache()["bytes"] == 0
    assert _cache()["hits"] == hits


def _resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_clear_unmaps_every_block():
    results = [_scan(4 * ELEMENTS) for _ in range(2)]  # 32 MiB each, faulted
    del results
    assert _cache()["bytes"] == 2 * (32 * MIB + PAGE)
    resident = _resident_bytes()
    assert pscan.clear_result_cache() == 2 * (32 * MIB + PAGE)
    assert (_cache()["bytes"], _cache()["blocks"]) == (0, 0)
    assert _cache()["max_bytes"] == CAP
    assert resident - _resident_bytes() >= 48 * MIB
    assert pscan.clear_result_cache() == 0


def test_set_result_cache_checks_its_argument():
    with pytest.raises(ValueError):
        pscan.set_result_cache(-1)
    with pytest.raises(TypeError):
        pscan.set_result_cache(1.5)
    with pytest.raises(OverflowError):
        pscan.set_result_cache(1 << 70)
    assert _cache()["max_bytes"] == CAP
    assert pscan.set_result_cache((1 << 64) - 1) == CAP
    assert _cache()["max_bytes"] == (1 << 64) - 1
    pscan.set_result_cache(CAP)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.float32, np.complex128])
def test_results_in_a_used_block_equal_numpys(dtype):
    rng = np.random.default_rng(7)
    cases = [(lambda a: pscan.cumsum(a, order="sequential"), np.cumsum),
             (lambda a: pscan.scan_axes(a.reshape(1024, -1), (0, 1), order="sequential"),
              lambda a: np.cumsum(np.cumsum(a.reshape(1024, -1), axis=1), axis=0))]
    if dtype != np.complex128:
        cases.append((pscan.cummax, np.maximum.accumulate))
    hits = _cache()["hits"]
    for round_ in range(3):  # fresh pages, then blocks full of the last round's values
        a = (rng.standard_normal(2 * ELEMENTS) * 100).astype(dtype)
        for scan, reference in cases:
            result, expected = scan(a), reference(a)
            assert result.dtype == expected.dtype
            assert np.array_equal(result, expected), round_
            del result
    assert _cache()["hits"] >= hits + 2 * len(cases)


def test_include_initial_and_flattened_results_reuse_blocks():
    a = np.arange(ELEMENTS, dtype=np.int64).reshape(1024, -1)
    first = pscan.cumsum(a)
    del first
    hits = _cache()["hits"]
    # one element longer: 8 MiB + 8 bytes does not fit the 8 MiB block
    longer = pscan.cumulative_sum(a.ravel(), include_initial=True)
    assert np.array_equal(longer[1:], np.cumsum(a)) and longer[0] == 0
    shorter = pscan.cumsum(a[:, :-1], axis=1)
    assert _cache()["hits"] == hits + 1
    assert np.array_equal(shorter, np.cumsum(a[:, :-1], axis=1))


def test_two_python_threads_never_share_a_block():
    inputs = [np.full(ELEMENTS, float(k + 1)) for k in range(2)]
    expected = [np.cumsum(a) for a in inputs]
    live, lock, failures = set(), threading.Lock(), []

    def work(k):
        for step in range(40):
            result = pscan.cumsum(inputs[k], threads=1)
            where = _pointer(result)
            with lock:
                if any(_same_block(where, other) for other in live):
                    failures.append(f"thread {k} step {step}: {where:#x} is live elsewhere")
                live.add(where)
            if not np.array_equal(result, expected[k]):
                failures.append(f"thread {k} step {step}: wrong values")
            result[:] = k  # a block shared with the other thread would show it
            if not np.all(result == k):
                failures.append(f"thread {k} step {step}: written by the other thread")
            with lock:
                live.discard(where)
            del result

    hits = _cache()["hits"]
    workers = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []
    assert _cache()["hits"] >= hits + 70
    assert _cache()["bytes"] <= CAP


def _python(code, value):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PSCAN_RESULT_CACHE_BYTES", None)
    if value is not None:
        env["PSCAN_RESULT_CACHE_BYTES"] = value
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("value, expected", [
    ("0", 0), ("12345", 12345), ("64k", 64 << 10), ("64K", 64 << 10), ("3m", 3 << 20),
    ("2G", 2 << 30), ("1t", 1 << 40), ("", None), (None, None)])
def test_the_environment_sets_the_cap_at_import(value, expected):
    run = _python("import pscan; print(pscan.info()['result_cache']['max_bytes'])", value)
    assert run.returncode == 0, run.stderr
    if expected is None:  # the default: 1 GiB, or an eighth of memory if less
        eighth = os.sysconf("SC_PHYS_PAGES") // 8 * os.sysconf("SC_PAGE_SIZE")
        expected = min(1 << 30, eighth)
    assert int(run.stdout) == expected


@pytest.mark.parametrize("value", ["-1", "+5", " 5", "5 ", "1.5G", "5GB", "5x", "k",
                                   "99999999999999999999", "20000000t"])
def test_an_unknown_cap_in_the_environment_fails_the_import(value):
    run = _python("import pscan", value)
    assert run.returncode != 0
    assert "ValueError: PSCAN_RESULT_CACHE_BYTES=" in run.stderr


def test_an_exit_with_blocks_held_and_results_alive_is_clean():
    run = _python("""
        import numpy as np, pscan
        kept = [pscan.cumsum(np.ones(1 << 20)) for _ in range(3)]
        del kept[0]
        assert pscan.info()["result_cache"]["blocks"] == 1
        print("ok")
        """, "64M")
    assert (run.returncode, run.stdout.strip(), run.stderr) == (0, "ok", "")


def test_a_forked_child_leaves_the_parents_cache_alone():
    run = _python("""
        import multiprocessing as mp, numpy as np, pscan
        held = pscan.cumsum(np.ones(1 << 20))
        del held
        def child(q):
            r = pscan.cumsum(np.full(1 << 20, 2.0))
            q.put((float(r[-1]), pscan.info()["result_cache"]["blocks"]))
        q = mp.get_context("fork").Queue()
        p = mp.get_context("fork").Process(target=child, args=(q,))
        p.start()
        print(*q.get(timeout=60))
        p.join(60)
        print(p.exitcode, pscan.info()["result_cache"]["blocks"])
        """, "64M")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2097152.0", "1", "0", "1"]
