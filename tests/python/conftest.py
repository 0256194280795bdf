"""Fixtures for the Python module's tests: a small corpus preprocessed, a WaveNet (mel-conditioned)
and a SampleRNN (unconditional) trained for two steps, all made with the `wavenet` program that
ctest names in $WAVENET_EXE, once per test session."""

import os
import subprocess
import wave

import numpy as np
import pytest

# The recipe and models of the C++ tests' small training config (tests/nets/training_fixtures.h).
AUDIO = ["audio.hop_length=16", "audio.n_mels=8", "audio.n_fft=64", "audio.win_length=64", "audio.fmin=0",
         "audio.fmax=4000", "audio.sample_rate=8000", "model.upsample_scales=4,4"]
TRAIN = ["train.batch_size=2", "train.max_time_steps=128", "train.max_steps=2", "train.checkpoint_every=2",
         "train.log_every=1", "train.eval_every=0", "train.lr_schedule=constant", "train.device=cpu",
         "train.ema_decay=0.9"]
WAVENET = ["model.layers=4", "model.stacks=2", "model.residual_channels=8", "model.gate_channels=16",
           "model.skip_channels=8", "model.kernel_size=2", "model.input=mulaw",
           "model.output=softmax"]
SAMPLERNN = ["model.type=samplernn", "model.frame_sizes=8,2", "model.rnn_dim=16", "model.mlp_dim=16",
             "model.embedding_dim=4", "model.quantize_channels=32", "model.quantization=linear",
             "model.local_conditioning=false", "train.max_time_steps=64"]


def wavenet_exe():
    return os.environ["WAVENET_EXE"]


def run_cli(*args, expect=0):
    """Runs the program; returns (stdout, stderr) and checks the exit code."""
    done = subprocess.run([wavenet_exe(), "--log-level", "warn", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == expect, f"wavenet {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done.stdout, done.stderr


def cli_error(*args):
    """The one-line message the program prints for a user error (exit code 2)."""
    _, stderr = run_cli(*args, expect=2)
    line = stderr.strip().splitlines()[-1]
    assert line.startswith("wavenet: error: "), stderr
    return line[len("wavenet: error: "):]


def write_pcm16(path, samples, rate):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def read_wav_float32(path):
    """The samples of a 32-bit float wav (`synth --float`), which the wave module cannot read."""
    data = open(path, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    at = 12
    while at < len(data):
        chunk, size = data[at:at + 4], int.from_bytes(data[at + 4:at + 8], "little")
        if chunk == b"fmt ":
            assert int.from_bytes(data[at + 8:at + 10], "little") in (3, 0xFFFE), "not a float wav"
        if chunk == b"data":
            return np.frombuffer(data[at + 8:at + 8 + size], dtype="<f4").copy()
        at += 8 + size + (size & 1)
    raise AssertionError(f"{path}: no data chunk")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("wavenet_python")


@pytest.fixture(scope="session")
def wav_dir(workdir):
    """Six short clips: tones with a little noise, of different lengths."""
    rng = np.random.default_rng(7)
    folder = workdir / "wavs"
    folder.mkdir()
    for i in range(6):
        t = np.arange(int(8000 * (0.25 + 0.05 * i))) / 8000
        clip = 0.4 * np.sin(2 * np.pi * (220 + 60 * i) * t) + 0.02 * rng.standard_normal(t.size)
        write_pcm16(folder / f"clip{i}.wav", clip, 8000)
    return folder


@pytest.fixture(scope="session")
def corpus(workdir, wav_dir):
    out = workdir / "data"
    run_cli("preprocess", str(wav_dir), str(out), *AUDIO, "data.valid_fraction=0.2")
    return out


def train(workdir, corpus, name, overrides):
    run_dir = workdir / name
    run_cli("train", "--data", str(corpus), "--run-dir", str(run_dir), *AUDIO, *TRAIN, *overrides)
    return run_dir


@pytest.fixture(scope="session")
def wavenet_run(workdir, corpus):
    return train(workdir, corpus, "wavenet_run", WAVENET)


@pytest.fixture(scope="session")
def samplernn_run(workdir, corpus):
    return train(workdir, corpus, "samplernn_run", SAMPLERNN)
