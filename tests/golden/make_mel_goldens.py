#!/usr/bin/python3
"""Writes the mel golden files the dataio tests compare against: torchaudio's slaney mel.

Run with Debian's python3 (apt-get install python3-torchaudio):
    /usr/bin/python3 tests/golden/make_mel_goldens.py tests/golden/mel
For each parameter set it writes <name>_input.npy (the float32 signal) and <name>_mel.npy
(frames x n_mels, linear magnitudes before any log), plus params.txt describing the sets.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torchaudio
from torchaudio.functional import functional as taf

# name: (sample_rate, n_fft, win_length, hop_length, n_mels, f_min, f_max, power, seconds)
PARAMETER_SETS = {
    "sr22050_fft1024_hop256_mel80": (22050, 1024, 1024, 256, 80, 125.0, 7600.0, 1.0, 0.6),
    "sr16000_fft512_hop128_mel64": (16000, 512, 512, 128, 64, 0.0, 8000.0, 1.0, 0.6),
    "sr16000_fft512_win400_hop160_mel40_power2": (16000, 512, 400, 160, 40, 20.0, 7000.0, 2.0, 0.5),
}


def test_signal(sample_rate: int, seconds: float, seed: int) -> np.ndarray:
    """A chirp plus two tones plus quiet noise: energy across the whole band."""
    rng = np.random.default_rng(seed)
    n = int(sample_rate * seconds)
    t = np.arange(n) / sample_rate
    sweep = 0.4 * np.sin(2 * np.pi * (100 * t + 0.5 * (sample_rate / 2.5) * t**2 / seconds))
    tones = 0.2 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3150 * t)
    noise = 0.01 * rng.standard_normal(n)
    return (sweep + tones + noise).astype(np.float32)


def float64_slaney_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate):
    """torchaudio.functional.melscale_fbanks(norm="slaney", mel_scale="slaney"), step for step
    with torchaudio's own helpers, but in float64: torchaudio builds the matrix in float32, whose
    rounding alone moves quiet mel bins by ~1.5e-5 relative, more than the tolerance we test.
    (Its all_freqs use sample_rate // 2, which equals our sample_rate / 2 for even rates.)"""
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs, dtype=torch.float64)
    m_min = taf._hz_to_mel(f_min, mel_scale="slaney")
    m_max = taf._hz_to_mel(f_max, mel_scale="slaney")
    m_pts = torch.linspace(m_min, m_max, n_mels + 2, dtype=torch.float64)
    f_pts = taf._mel_to_hz(m_pts, mel_scale="slaney")
    fb = taf._create_triangular_filterbank(all_freqs, f_pts)
    enorm = 2.0 / (f_pts[2 : n_mels + 2] - f_pts[:n_mels])
    return fb * enorm.unsqueeze(0)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# name sample_rate n_fft win_length hop_length n_mels f_min f_max power samples"]
    for seed, (name, params) in enumerate(sorted(PARAMETER_SETS.items())):
        sr, n_fft, win, hop, n_mels, f_min, f_max, power, seconds = params
        signal = test_signal(sr, seconds, seed)
        transform = torchaudio.transforms.MelSpectrogram(
            sample_rate=sr, n_fft=n_fft, win_length=win, hop_length=hop, f_min=f_min,
            f_max=f_max, n_mels=n_mels, power=power, center=True, pad_mode="reflect",
            norm="slaney", mel_scale="slaney", window_fn=torch.hann_window)
        # The reference runs in float64 so the goldens carry no float32 rounding of their own.
        transform = transform.double()
        float32_fb = transform.mel_scale.fb.clone()
        transform.mel_scale.fb = float64_slaney_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr)
        assert torch.allclose(transform.mel_scale.fb, float32_fb, rtol=1e-4, atol=1e-7)
        # Likewise the window: .double() only widens the float32 Hann already built.
        transform.spectrogram.window = torch.hann_window(win, dtype=torch.float64)
        mel = transform(torch.from_numpy(signal).double().unsqueeze(0))[0]  # n_mels x frames
        np.save(out_dir / f"{name}_input.npy", signal)
        np.save(out_dir / f"{name}_mel.npy", mel.T.contiguous().numpy().astype(np.float32))
        lines.append(f"{name} {sr} {n_fft} {win} {hop} {n_mels} {f_min} {f_max} {int(power)} {len(signal)}")
    (out_dir / "params.txt").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(PARAMETER_SETS)} golden sets to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "mel"))
