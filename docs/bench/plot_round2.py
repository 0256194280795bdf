#!/usr/bin/python3
"""Plots the engine round two comparison (docs/bench/compare_engines.sh): samples per second of
the old and the new engine per case, the LibTorch incremental baseline, and each case's target.
Needs Debian's python3-matplotlib.

    /usr/bin/python3 docs/bench/plot_round2.py docs/bench/round2 docs/bench/round2/engine_round2.png
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# case file stem -> (label, target samples/s)
CASES = [
    ("r64k2_b1_bf16", "r64k2 batch 1\nbf16", 44100),
    ("r64k2_b1_fp32", "r64k2 batch 1\nfp32", 30000),
    ("mol24_b1_bf16", "mol24 batch 1\nbf16", 11025),
    ("mol24_b16_bf16", "mol24 batch 16\nbf16", 22050),
    ("mol24_10s_fold_auto_bf16", "mol24 10 s\nfold auto, bf16", 22050),
    ("mol24_stream_bf16", "mol24 stream\nbf16", None),
]


def engine_rate(path, method="engine"):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for case in json.load(f):
            if case["method"] == method:
                return case["samples_per_second"]
    return None


def main(directory, output):
    fig, ax = plt.subplots(figsize=(11.5, 4.8))
    width = 0.27
    labelled = set()

    def legend_once(name):
        if name in labelled:
            return None
        labelled.add(name)
        return name

    for i, (stem, label, target) in enumerate(CASES):
        old = engine_rate(os.path.join(directory, stem + ".old.json"))
        new = engine_rate(os.path.join(directory, stem + ".json"))
        base = engine_rate(os.path.join(directory, stem + ".json"), "libtorch_incremental")
        for offset, value, colour, name in [(-width, base, "#7570b3", "LibTorch incremental"),
                                            (0, old, "#a6cee3", "old engine"),
                                            (width, new, "#1b9e77", "new engine")]:
            if value:
                ax.bar(i + offset, value, width, color=colour, label=legend_once(name))
        if target:
            ax.plot([i - 1.5 * width, i + 1.5 * width], [target, target], color="#d95f02", linewidth=2,
                    label=legend_once("target"))
    ax.axhline(22050, color="black", linestyle="--", linewidth=1)
    ax.text(len(CASES) - 0.5, 22050 * 1.08, "real time (22,050 Hz)", ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("samples per second (all utterances)")
    ax.set_xticks(range(len(CASES)))
    ax.set_xticklabels([label for _, label, _ in CASES], fontsize=8)
    ax.set_title("Engine round two, 2 threads, old and new engine interleaved in one sitting")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    print(f"wrote {output}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
