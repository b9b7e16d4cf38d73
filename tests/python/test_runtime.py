"""How pscan behaves inside a Python process: the GIL is released while a
scan runs, the thread count follows OpenMP's limits (OMP_NUM_THREADS,
threadpoolctl), Ctrl-C during a long scan raises KeyboardInterrupt instead
of killing the interpreter, and the module describes itself (info(),
signatures, docstrings, type stubs)."""
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import pscan

FUNCTIONS = ("cumsum", "cumprod", "nancumsum", "nancumprod", "cummax", "cummin",
             "cumulative_sum", "cumulative_prod", "scan_axes")


def _python(code, env=None, **kwargs):
    """Run `code` in a fresh interpreter with this one's module path."""
    full_env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    full_env.update(env or {})
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_gil_is_released_during_a_scan():
    # With a long switch interval the main thread runs during the scan only if
    # the scan released the GIL: it waits in sleep() (which releases it), and
    # a thread holding the GIL in C would keep it until the call returns.
    a = np.ones(1 << 24)
    pscan.cumsum(a, threads=1)  # the default context and pages, made before timing
    stamps, window = [], {}
    done = threading.Event()

    def scan():
        window["start"] = time.perf_counter()
        pscan.cumsum(a, threads=1)
        window["end"] = time.perf_counter()
        done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        worker = threading.Thread(target=scan)
        worker.start()
        while not done.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.0005)
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    inside = [t for t in stamps if window["start"] < t < window["end"]]
    assert window["end"] - window["start"] > 0.002, "the scan was too short to tell"
    assert len(inside) >= 1, f"the main thread never ran during a {window['end'] - window['start']:.3f} s scan"


def test_two_python_threads_scan_at_once_with_the_right_results():
    arrays = [np.arange(1 << 20, dtype=np.int64) * (k + 1) for k in range(2)]
    results = [None, None]

    def scan(k):
        results[k] = pscan.cumsum(arrays[k], threads=1)

    workers = [threading.Thread(target=scan, args=(k,)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for k in range(2):
        assert np.array_equal(results[k], np.cumsum(arrays[k]))


def test_threads_follow_openmp_limits():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    team = pscan.info()["context_threads"]
    assert pscan.info()["threads"] == team
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert pscan.info()["threads"] == 1
        # A call under the limit still gives the same bits (they never depend on it).
        a = np.random.default_rng(7).standard_normal(300_000)
        limited = pscan.cumsum(a)
    assert pscan.info()["threads"] == team
    assert np.array_equal(limited, pscan.cumsum(a))
    libraries = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "openmp"]
    assert libraries, "threadpoolctl does not see the OpenMP runtime pscan runs on"


def test_omp_num_threads_sets_the_count():
    child = _python("""
        import pscan
        info = pscan.info()
        print(info["threads"], info["context_threads"])
        """, env={"OMP_NUM_THREADS": "1"})
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert out.split() == ["1", "1"]


def test_ctrl_c_during_a_long_scan_raises_keyboard_interrupt():
    # The child scans a 64 MiB array in a loop; SIGINT arrives while a scan
    # runs (with the GIL released) and must surface as KeyboardInterrupt once
    # the scan returns, with the interpreter alive to handle it.
    child = _python("""
        import sys, numpy as np, pscan
        a = np.ones(1 << 23)
        print("ready", flush=True)
        try:
            while True:
                pscan.cumsum(a)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(0)
        """)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, f"status {child.returncode}: {err}"
    assert out.strip() == "interrupted"


def test_info_describes_this_process():
    info = pscan.info()
    assert info["version"] == pscan.__version__
    assert info["isa"] in ("scalar", "avx2", "avx512")
    assert 1 <= info["threads"] <= info["context_threads"]
    topology = info["topology"]
    assert topology["pus"] >= topology["cores"] >= 1
    assert topology["numa_nodes"] >= 1
    assert isinstance(info["description"], str) and info["description"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_signatures_and_docstrings_read_like_numpy(name):
    function = getattr(pscan, name)
    parameters = inspect.signature(function).parameters
    first = "x" if name.startswith("cumulative") else "a"
    assert list(parameters)[0] == first
    assert parameters["threads"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "Parameters\n----------" in function.__doc__
    assert "Returns\n-------" in function.__doc__


def test_type_stubs_name_every_function():
    stubs = os.path.join(os.path.dirname(pscan.__file__), "__init__.pyi")
    with open(stubs) as f:
        text = f.read()
    for name in FUNCTIONS + ("info",):
        assert f"def {name}(" in text
    assert os.path.exists(os.path.join(os.path.dirname(pscan.__file__), "py.typed"))


def test_a_forked_child_scans_after_the_parent_ran_threads():
    # GNU OpenMP keeps no threads across fork(): a child that started a
    # parallel region would wait for the parent's workers forever.
    child = _python("""
        import multiprocessing as mp, numpy as np, pscan
        a = np.ones(4_000_000)
        pscan.cumsum(a, threads=2)
        def scan(q):
            q.put(float(pscan.cumsum(a)[-1]) + float(pscan.scan_axes(a.reshape(2000, 2000), (0, 1))[-1, -1]))
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=scan, args=(q,))
        p.start()
        print(q.get(timeout=60))
        p.join(60)
        print(p.exitcode)
        """)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert out.split() == ["8000000.0", "0"]
