"""wavenet.load(...).synthesize gives exactly the samples `wavenet synth` writes for the same
settings, for a mel-conditioned WaveNet (batched, folded) and an unconditional SampleRNN."""

import wave

import numpy as np
import pytest

import wavenet
from conftest import cli_error, read_wav_float32, run_cli


@pytest.fixture(scope="module")
def mels(corpus, workdir):
    """Two utterances' mels from the corpus, also saved as .npy files for the program."""
    shards = wavenet.Shards(corpus)
    arrays = [shards[0]["mel"], shards[1]["mel"]]
    paths = []
    for i, mel in enumerate(arrays):
        paths.append(workdir / f"mel{i}.npy")
        np.save(paths[-1], mel)
    return arrays, paths


def test_one_mel_equals_the_program(wavenet_run, mels, workdir):
    arrays, paths = mels
    model = wavenet.load(wavenet_run)
    audio = model.synthesize(arrays[0], seed=11, threads=1)
    out = workdir / "cli_one.wav"
    run_cli("synth", "--checkpoint", str(wavenet_run), "--mel", str(paths[0]), "--seed", "11", "--threads", "1",
            "--float", "--out", str(out))
    assert audio.dtype == np.float32 and audio.shape == (arrays[0].shape[0] * model.hop_length,)
    np.testing.assert_array_equal(audio, read_wav_float32(out))


def test_a_batch_and_a_fold_equal_the_program(wavenet_run, mels, workdir):
    arrays, paths = mels
    model = wavenet.load(wavenet_run)
    batch = model.synthesize(arrays, seed=5, batch=2, threads=2)
    folded = model.synthesize(arrays[1], seed=5, fold=2, threads=1)
    run_cli("synth", "--checkpoint", str(wavenet_run), "--mel", str(paths[0]), "--mel", str(paths[1]), "--seed", "5",
            "--batch", "2", "--threads", "2", "--float", "--out-dir", str(workdir / "cli_batch"))
    run_cli("synth", "--checkpoint", str(wavenet_run), "--mel", str(paths[1]), "--seed", "5", "--fold", "2",
            "--threads", "1", "--float", "--out", str(workdir / "cli_folded.wav"))
    assert isinstance(batch, list) and len(batch) == 2
    for i in range(2):
        np.testing.assert_array_equal(batch[i], read_wav_float32(workdir / "cli_batch" / f"mel{i}.wav"))
    np.testing.assert_array_equal(folded, read_wav_float32(workdir / "cli_folded.wav"))
    # Different settings give different audio: the comparisons above can fail.
    assert not np.array_equal(model.synthesize(arrays[0], seed=6, threads=1), batch[0])


def test_an_unconditional_family_equals_the_program(samplernn_run, workdir):
    model = wavenet.load(samplernn_run)
    assert model.type == "samplernn" and not model.conditional
    clips = model.synthesize(seconds=0.05, count=2, seed=3)
    run_cli("synth", "--checkpoint", str(samplernn_run), "--seconds", "0.05", "--count", "2", "--seed", "3",
            "--float", "--out-dir", str(workdir / "cli_samplernn"))
    assert [c.shape for c in clips] == [(400,), (400,)]
    for i in range(2):
        np.testing.assert_array_equal(clips[i], read_wav_float32(workdir / "cli_samplernn" / f"sample_{i:03d}.wav"))


def test_a_primed_continuation_equals_the_program(samplernn_run, wav_dir, workdir):
    with wave.open(str(wav_dir / "clip2.wav")) as w:
        prime = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    clip = wavenet.load(samplernn_run).synthesize(seconds=0.02, prime=prime, seed=9)
    out = workdir / "cli_primed.wav"
    run_cli("synth", "--checkpoint", str(samplernn_run), "--seconds", "0.02", "--prime", str(wav_dir / "clip2.wav"),
            "--seed", "9", "--float", "--out", str(out))
    np.testing.assert_array_equal(clip, read_wav_float32(out))
    assert clip.shape[0] > 160  # the prime's whole frames, then the 0.02 s generated


def test_weights_follow_the_checkpoint_unless_asked(wavenet_run, mels):
    arrays, _ = mels
    raw = wavenet.load(wavenet_run, ema=False).synthesize(arrays[0], seed=2, threads=1)
    ema = wavenet.load(wavenet_run).synthesize(arrays[0], seed=2, threads=1)  # engine.use_ema: true by default
    assert not np.array_equal(raw, ema)
    np.testing.assert_array_equal(ema, wavenet.load(wavenet_run, ema=True).synthesize(arrays[0], seed=2, threads=1))


def test_bad_arguments_raise_the_programs_messages(wavenet_run, samplernn_run, workdir):
    model = wavenet.load(wavenet_run)
    with pytest.raises(wavenet.Error, match=r"mel: expected a 2-D array \(frames, 8\), got shape \(10, 3\)"):
        model.synthesize(np.zeros((10, 3), np.float32))
    with pytest.raises(wavenet.Error, match="the model is mel-conditioned; give mel="):
        model.synthesize(seconds=1.0)
    with pytest.raises(wavenet.ConfigError, match="engine.precision"):
        model.synthesize(np.zeros((10, 8), np.float32), precision="fp8")
    with pytest.raises(wavenet.Error, match="folding cuts a clip's mel into pieces"):
        wavenet.load(samplernn_run).synthesize(seconds=0.01, fold=2)
    with pytest.raises(wavenet.Error, match="fold 0: give auto or a number of pieces from 1"):
        model.synthesize(np.zeros((10, 8), np.float32), fold=0)
    nan_mel = np.zeros((10, 8), np.float32)
    nan_mel[3, 2] = np.nan
    with pytest.raises(wavenet.Error, match="mel: value 26 is not a finite number"):
        model.synthesize(nan_mel)
    with pytest.raises(wavenet.Error, match="prime: "):
        wavenet.load(samplernn_run).synthesize(seconds=0.01, prime=np.zeros(3, np.float32))
    with pytest.raises(wavenet.Error, match="label: .* was not trained with labels"):
        model.synthesize(np.zeros((10, 8), np.float32), label=1)
    missing = str(workdir / "missing.pt")
    with pytest.raises(wavenet.Error) as raised:
        wavenet.load(missing)
    assert str(raised.value) == cli_error("synth", "--checkpoint", missing, "--mel", "x.npy", "--out", "x.wav")


def test_bench_returns_the_measurement_as_a_dict(wavenet_run):
    report = wavenet.bench(str(wavenet_run), seconds=0.05, baseline_steps=20)
    methods = [c["method"] for c in report["cases"]]
    assert methods[0] == "engine" and len(methods) >= 2
    assert all(c["samples_per_second"] > 0 and c["samples"] > 0 for c in report["cases"])
    assert set(report["speedup"]) == set(methods[1:])
    assert report["sample_rate"] == 8000
    with pytest.raises(wavenet.Error, match="fold x: give auto or a number of pieces"):
        wavenet.bench(str(wavenet_run), fold="x")
