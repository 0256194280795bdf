#!/usr/bin/python3
"""Writes the golden files of the named mel recipes (dataio/mel_recipe.h): each project's log-mel
of a test signal, computed with torchaudio (float64) and NumPy as that project computes it.

Run with Debian's python3 (apt-get install python3-torchaudio):
    /usr/bin/python3 tests/golden/make_mel_recipe_goldens.py tests/golden/mel_recipes
Writes <recipe>_input.npy (float32 signal) and <recipe>_logmel.npy (frames x n_mels, float32).

  r9y9       audio.logmelspectrogram: np.log10(np.maximum(mel, 1e-10)), librosa mel 125-7600 Hz
  tacotron2  NVIDIA Tacotron 2's dynamic_range_compression: torch.log(torch.clamp(mel, min=1e-5)),
             mel 0-8000 Hz (its STFT: periodic Hann, reflect padding of n_fft/2, magnitude)
  espnet     logmelspectrogram / LogMelFbank: log10(max(1e-10, mel)), mel 80-7600 Hz
All: 22050 Hz, n_fft 1024, win 1024, hop 256, 80 bands, magnitude, Slaney scale and norm.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torchaudio

sys.path.insert(0, str(Path(__file__).parent))
from make_mel_goldens import float64_slaney_fbanks, test_signal  # noqa: E402

RECIPES = {  # name: (f_min, f_max, log)
    "r9y9": (125.0, 7600.0, lambda mel: np.log10(np.maximum(mel, 1e-10))),
    "tacotron2": (0.0, 8000.0, lambda mel: torch.log(torch.clamp(torch.from_numpy(mel), min=1e-5)).numpy()),
    "espnet": (80.0, 7600.0, lambda mel: np.log10(np.maximum(1e-10, mel))),
}


def amplitude_mel(signal, f_min, f_max):
    sr, n_fft, hop, n_mels = 22050, 1024, 256, 80
    transform = torchaudio.transforms.MelSpectrogram(
        sample_rate=sr, n_fft=n_fft, win_length=n_fft, hop_length=hop, f_min=f_min, f_max=f_max,
        n_mels=n_mels, power=1.0, center=True, pad_mode="reflect", norm="slaney", mel_scale="slaney",
        window_fn=torch.hann_window).double()
    transform.mel_scale.fb = float64_slaney_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr)
    transform.spectrogram.window = torch.hann_window(n_fft, dtype=torch.float64)
    return transform(torch.from_numpy(signal).double().unsqueeze(0))[0].T.contiguous().numpy()  # frames x n_mels


def main(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    for seed, (name, (f_min, f_max, log)) in enumerate(sorted(RECIPES.items())):
        signal = test_signal(22050, 0.6, 10 + seed)
        np.save(out_dir / f"{name}_input.npy", signal)
        np.save(out_dir / f"{name}_logmel.npy", log(amplitude_mel(signal, f_min, f_max)).astype(np.float32))
    print(f"wrote {len(RECIPES)} recipe goldens to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "mel_recipes"))
