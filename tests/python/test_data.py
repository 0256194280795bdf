"""Arrays in and out of the module: configs as dicts, mels as preprocess makes them, shard
utterances by index, by iteration and through a PyTorch DataLoader."""

import pickle
import wave

import numpy as np
import pytest

import wavenet
from conftest import AUDIO, cli_error


def test_config_is_the_resolved_config_as_dicts():
    c = wavenet.config("tiny", {"model.layers": 4, "data.normalize_mel": False})
    assert c["model"]["layers"] == 4 and c["model"]["stacks"] == 2
    assert c["data"]["normalize_mel"] is False
    assert wavenet.config("tiny", ["model.layers=6"])["model"]["layers"] == 6
    # A dict shaped like a config file resolves as one; quoted strings stay strings.
    assert wavenet.config(c)["model"]["layers"] == 4
    assert isinstance(c["model"]["type"], str) and isinstance(c["audio"]["compression"], str)
    with pytest.raises(wavenet.ConfigError) as raised:
        wavenet.config("tiny", ["model.layers=-3"])
    assert str(raised.value) == cli_error("config", "show", "--config", "tiny", "model.layers=-3")
    with pytest.raises(wavenet.Error, match="neither a file nor a preset"):
        wavenet.config("no-such-preset")


def test_mel_is_the_preprocessed_mel(corpus, wav_dir):
    shards = wavenet.Shards(corpus, split="all")
    by_name = {u["name"]: u for u in shards}
    with wave.open(str(wav_dir / "clip3.wav")) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    audio = pcm.astype(np.float32) / 32768
    mel = wavenet.mel(audio, None, overrides=AUDIO)
    stored = [u for name, u in by_name.items() if name.endswith("clip3")][0]["mel"]
    assert mel.dtype == np.float32 and mel.shape == stored.shape
    np.testing.assert_array_equal(mel, stored)
    # Resampling on the way in: a 16 kHz copy gives a mel of the same shape.
    assert wavenet.mel(np.repeat(audio, 2), None, sample_rate=16000, overrides=AUDIO).shape == stored.shape
    with pytest.raises(wavenet.Error, match=r"audio: expected a 1-D array \(samples\), got shape \(2, 3\)"):
        wavenet.mel(np.zeros((2, 3)), None, overrides=AUDIO)
    with pytest.raises(wavenet.Error, match="audio: "):  # shorter than one frame
        wavenet.mel(np.zeros(5, np.float32), None, overrides=AUDIO)
    with pytest.raises(wavenet.Error, match="sample_rate -5 is negative"):
        wavenet.mel(audio, None, sample_rate=-5, overrides=AUDIO)


def test_shards_are_utterance_dicts(corpus):
    train, valid, every = (wavenet.Shards(corpus, split=s) for s in ("train", "valid", "all"))
    assert len(train) + len(valid) == len(every) == 6
    u = every[0]
    assert set(u) >= {"name", "audio", "mel", "label", "sample_rate", "shard"}
    assert u["audio"].dtype == np.float32 and u["mel"].shape[1] == 8
    assert u["audio"].shape[0] == u["mel"].shape[0] * 16  # frames * hop
    assert every[-1]["name"] == list(every)[-1]["name"]
    with pytest.raises(IndexError):
        every[6]
    with pytest.raises(wavenet.Error, match="split=test: give train, valid or all"):
        wavenet.Shards(corpus, split="test")
    with pytest.raises(wavenet.Error, match="not a directory of shards"):
        wavenet.Shards(corpus / "nothing-here")


def test_dataloader_workers_read_every_utterance(corpus):
    """Forked workers reopen the files; spawned ones get the pickled Shards (directory and split)."""
    torch = pytest.importorskip("torch")
    shards = wavenet.Shards(corpus, split="all")
    expected = sorted(u["name"] for u in shards)
    for context in ("fork", "spawn"):
        loader = torch.utils.data.DataLoader(shards, batch_size=None, num_workers=2, multiprocessing_context=context)
        assert sorted(u["name"] for u in loader) == expected, context
    again = pickle.loads(pickle.dumps(shards))
    assert len(again) == len(shards) and again[2]["name"] == shards[2]["name"]
