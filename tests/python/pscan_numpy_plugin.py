"""pytest plugin: numpy's own tests of cumsum, cumprod, nancumsum and
nancumprod, run with those four numpy functions replaced by pscan's.

Loaded with `-p pscan_numpy_plugin`, it patches numpy when pytest starts,
before any test module is imported, and counts the calls each replacement
gets: a run in which one of them was never called fails, so the suite
cannot pass by testing numpy against itself.
"""
import collections

import numpy
import pscan

REPLACED = ("cumsum", "cumprod", "nancumsum", "nancumprod")
calls = collections.Counter()
originals = {}


def _counted(name):
    function = getattr(pscan, name)

    def replacement(*args, **kwargs):
        calls[name] += 1
        return function(*args, **kwargs)

    replacement.__name__ = name
    replacement.__doc__ = function.__doc__
    return replacement


def pytest_configure(config):
    for name in REPLACED:
        originals[name] = getattr(numpy, name)
        setattr(numpy, name, _counted(name))


def pytest_unconfigure(config):
    for name, function in originals.items():
        setattr(numpy, name, function)


def pytest_sessionfinish(session, exitstatus):
    never = [name for name in REPLACED if calls[name] == 0]
    summary = ", ".join(f"{name} {calls[name]}" for name in REPLACED)
    print(f"\npscan_numpy_plugin: calls to pscan's replacements: {summary}")
    if never:
        print(f"pscan_numpy_plugin: never called: {', '.join(never)}")
        session.exitstatus = 1
