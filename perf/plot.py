"""Turn pscan_bench's CSV into PNG plots (Debian's python3 + python3-matplotlib).

    /usr/bin/python3 perf/plot.py pscan_bench.csv --out plots/

Writes, per element type:
  size_<dtype>.png     Gelem/s against array size (1-D, out of place), one
                       line per contender, at the largest thread count;
  threads_<dtype>.png  Gelem/s and the ratio to memcpy against the thread
                       count, for the largest 1-D size (needs a run with
                       --threads 1,2,... to have more than one point).
"""
import argparse
import csv
import os
import re
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


def load(path):
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            row["elements"] = int(row["elements"])
            row["threads"] = int(row["threads"])
            row["gelem_per_s"] = float(row["gelem_per_s"])
            row["ratio_to_memcpy"] = float(row["ratio_to_memcpy"])
            rows.append(row)
    return rows


CONTENDERS = ["memcpy", "sequential", "omp_inscan", "tbb", "numpy", "pscan"]


def color(name):
    """The same colour for a contender in every plot."""
    index = CONTENDERS.index(name) if name in CONTENDERS else len(CONTENDERS)
    return f"C{index}"


def one_d_out_of_place(row):
    return re.fullmatch(r"1d 2\^\d+", row["case"]) is not None


def save(fig, out_dir, name):
    path = os.path.join(out_dir, name)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_sizes(rows, dtype, out_dir):
    top = max(r["threads"] for r in rows)
    lines = defaultdict(list)
    for r in rows:
        if r["dtype"] == dtype and r["threads"] == top and one_d_out_of_place(r):
            lines[r["contender"]].append((r["elements"], r["gelem_per_s"]))
    if not lines:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in sorted(lines.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name,
                color=color(name))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("elements (1-D, out of place)")
    ax.set_ylabel("Gelem/s (median)")
    ax.set_title(f"cumsum {dtype}, {top} threads")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return save(fig, out_dir, f"size_{dtype}.png")


def label_thread_axes(rate, ratio, who, legend_title=None):
    """Axes, grid and legends of a throughput / ratio-to-memcpy pair
    plotted against the thread count."""
    rate.set_xlabel("threads")
    rate.set_ylabel("Gelem/s (median)")
    ratio.axhline(1.0, color="gray", linestyle="--", linewidth=1)
    ratio.set_xlabel("threads")
    ratio.set_ylabel(f"time(memcpy) / time({who})")
    ratio.set_title("ratio to memcpy at the same thread count")
    for ax in (rate, ratio):
        ax.grid(True, alpha=0.3)
        ax.legend(title=legend_title)


def plot_threads(rows, dtype, out_dir):
    sized = [r for r in rows if r["dtype"] == dtype and one_d_out_of_place(r)]
    if not sized:
        return None
    largest = max(r["elements"] for r in sized)
    lines = defaultdict(list)
    for r in sized:
        if r["elements"] == largest:
            lines[r["contender"]].append((r["threads"], r["gelem_per_s"], r["ratio_to_memcpy"]))
    fig, (rate, ratio) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, points in sorted(lines.items()):
        points.sort()
        threads = [p[0] for p in points]
        rate.plot(threads, [p[1] for p in points], marker="o", label=name, color=color(name))
        if name != "memcpy":
            ratio.plot(threads, [p[2] for p in points], marker="o", label=name, color=color(name))
    rate.set_title(f"cumsum {dtype}, {largest} elements")
    label_thread_axes(rate, ratio, "contender")
    return save(fig, out_dir, f"threads_{dtype}.png")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="CSV written by pscan_bench --csv")
    parser.add_argument("--out", default="plots", help="directory for the PNG files")
    args = parser.parse_args()
    rows = load(args.csv)
    os.makedirs(args.out, exist_ok=True)
    for dtype in sorted({r["dtype"] for r in rows}):
        for plot in (plot_sizes, plot_threads):
            path = plot(rows, dtype, args.out)
            if path:
                print(path)


if __name__ == "__main__":
    main()
