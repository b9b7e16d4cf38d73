"""Plots of perf/sweep.sh's CSVs (Debian's python3 + python3-matplotlib).

    /usr/bin/python3 perf/sweep_plot.py DIR/sweep_<policy>.csv... --out DIR

Writes sweep_<dtype>.png: pscan's Gelem/s and its ratio to memcpy at the
same thread count against the thread count, for the largest 1-D size, one
line per placement policy (the part of the file name after "sweep_"):
OMP_PROC_BIND values, pscan-spread, pscan-compact, spans (perf/sweep.sh).
"""
import argparse
import os
import re
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plot import label_thread_axes, load, save  # noqa: E402  (perf/plot.py, same directory)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="+")
    parser.add_argument("--out", default="plots")
    args = parser.parse_args()
    runs = {}
    for path in args.csv:
        policy = re.sub(r"^sweep_|\.csv$", "", os.path.basename(path))
        runs[policy] = [r for r in load(path) if r["contender"] == "pscan"
                        and re.fullmatch(r"1d 2\^\d+", r["case"])]
    dtypes = sorted({r["dtype"] for rows in runs.values() for r in rows})
    for dtype in dtypes:
        fig, (rate, ratio) = plt.subplots(1, 2, figsize=(11, 4.5))
        for policy, rows in sorted(runs.items()):
            mine = [r for r in rows if r["dtype"] == dtype]
            if not mine:
                continue
            largest = max(r["elements"] for r in mine)
            points = sorted((r["threads"], r["gelem_per_s"], r["ratio_to_memcpy"])
                            for r in mine if r["elements"] == largest)
            rate.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=policy)
            ratio.plot([p[0] for p in points], [p[2] for p in points], marker="o", label=policy)
            rate.set_title(f"pscan cumsum {dtype}, {largest} elements")
        label_thread_axes(rate, ratio, "pscan", legend_title="placement")
        print(save(fig, args.out, f"sweep_{dtype}.png"))


if __name__ == "__main__":
    main()
