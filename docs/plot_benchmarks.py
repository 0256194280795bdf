#!/usr/bin/python3
"""Plots `wavenet bench --json` results: samples per second per method and case, log scale,
with real time marked. Needs Debian's python3-matplotlib.

    /usr/bin/python3 docs/plot_benchmarks.py docs/bench/*.json docs/bench/engine.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(inputs, output):
    cases = []
    for path in inputs:
        with open(path) as f:
            cases.extend(json.load(f))
    def group(c):
        return f"{c['preset']}\nbatch {c['batch']}, {c['threads']} threads"

    def series(c):
        return f"engine {c['precision']}" if c["method"] == "engine" else c["method"].replace("_", " ")

    labels = sorted({group(c) for c in cases})
    names = ["engine fp32", "engine bf16", "libtorch incremental", "naive recompute"]
    colours = dict(zip(names, ["#1b9e77", "#66c2a5", "#7570b3", "#d95f02"]))
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(6, 2.6 * len(labels)), 4.5))
    for m, name in enumerate(names):
        xs, ys = [], []
        for i, label in enumerate(labels):
            values = [c["samples_per_second"] for c in cases if group(c) == label and series(c) == name]
            if values:  # baselines appear in several files: plot the first
                xs.append(i + (m - 1.5) * width)
                ys.append(values[0])
        ax.bar(xs, ys, width, label=name, color=colours[name])
    rates = {c["sample_rate"] for c in cases}
    for rate in rates:
        ax.axhline(rate, color="black", linestyle="--", linewidth=1)
        ax.text(len(labels) - 0.5, rate * 1.1, f"real time ({rate} Hz)", ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("samples per second (all utterances)")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_title("WaveNet generation on the 2-core dev machine")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    print(f"wrote {output}")


if __name__ == "__main__":
    main(sys.argv[1:-1], sys.argv[-1])
