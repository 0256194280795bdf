#!/usr/bin/python3
"""Learning curves of the recipe search (docs/quality.md): validation loss and the trainer's
copy-synthesis MCD (its evaluation clip) against training minutes, one line per run, read from
each run's TensorBoard events, with Griffin-Lim's MCD over the demo's clips as a horizontal line.
Pauses between sittings of a resumed run (gaps of more than a minute between events) are left
out of the minutes. Needs Debian's python3-matplotlib.

    /usr/bin/python3 docs/quality/plot_curves.py OUT.png GRIFFIN_LIM_MCD NAME=RUN_DIR [NAME=RUN_DIR]...
"""
import glob
import struct
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def fields(data):
    """(field number, wire type, value) of a protobuf message; values of length-delimited
    fields are bytes, of fixed64 fields raw 8 bytes, of fixed32 raw 4 bytes."""
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def scalars(run_dir):
    """{tag: [(wall_time, step, value)]} from the run's event files (TFRecord framing)."""
    out = {}
    for path in sorted(glob.glob(f"{run_dir}/events.out.tfevents.*")):
        with open(path, "rb") as f:
            data = f.read()
        pos = 0
        while pos + 12 <= len(data):
            (length,) = struct.unpack_from("<Q", data, pos)
            record = data[pos + 12:pos + 12 + length]
            pos += 12 + length + 4
            wall, step = 0.0, 0
            for number, _, value in fields(record):
                if number == 1:
                    (wall,) = struct.unpack("<d", value)
                elif number == 2:
                    step = value
                elif number == 5:
                    for _, _, entry in fields(value):
                        tag, simple = None, None
                        for n, _, v in fields(entry):
                            if n == 1:
                                tag = v.decode()
                            elif n == 2:
                                (simple,) = struct.unpack("<f", v)
                        if tag is not None and simple is not None:
                            out.setdefault(tag, []).append((wall, step, simple))
    return out


def training_minutes(series_by_tag):
    """wall time -> minutes of training, skipping gaps of more than a minute between events."""
    times = sorted({w for series in series_by_tag.values() for w, _, _ in series})
    minutes, elapsed = {}, 0.0
    for i, w in enumerate(times):
        if i > 0 and w - times[i - 1] < 60:
            elapsed += w - times[i - 1]
        minutes[w] = elapsed / 60
    return minutes


def main(output, griffin_lim_mcd, runs):
    fig, (loss_ax, mcd_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for spec in runs:
        name, run_dir = spec.split("=", 1)
        s = scalars(run_dir)
        minutes = training_minutes(s)
        for ax, tag in ((loss_ax, "valid/loss"), (mcd_ax, "valid/mcd_db")):
            points = sorted(s.get(tag, []))
            if points:
                ax.plot([minutes[w] for w, _, _ in points], [v for _, _, v in points], marker="o", label=name)
    mcd_ax.axhline(float(griffin_lim_mcd), color="black", linestyle="--", label="Griffin-Lim (demo clips)")
    loss_ax.set(xlabel="training minutes (2 cores)", ylabel="validation loss (nats)", title="validation loss")
    mcd_ax.set(xlabel="training minutes (2 cores)", ylabel="MCD (dB)", title="MCD of the evaluation clip (lower is better)")
    for ax in (loss_ax, mcd_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(output, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
