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
    labels = sorted({f"{c['preset']}\nbatch {c['batch']}, {c['threads']} thr, {c['precision']}" for c in cases if c["method"] == "engine"})
    methods = ["engine", "libtorch_incremental", "naive_recompute"]
    colours = {"engine": "#1b9e77", "libtorch_incremental": "#7570b3", "naive_recompute": "#d95f02"}
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(max(6, 2.2 * len(labels)), 4.5))
    for m, method in enumerate(methods):
        xs, ys = [], []
        for i, label in enumerate(labels):
            for c in cases:
                key = f"{c['preset']}\nbatch {c['batch']}, {c['threads']} thr, {c['precision']}"
                if c["method"] == method and key == label:
                    xs.append(i + (m - 1) * width)
                    ys.append(c["samples_per_second"])
        ax.bar(xs, ys, width, label=method.replace("_", " "), color=colours[method])
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
