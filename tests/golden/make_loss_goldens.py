#!/usr/bin/python3
"""Writes golden values for the three output distributions' losses.

Run with Debian's python3 (apt-get install python3-torch python3-torchaudio):
    /usr/bin/python3 tests/golden/make_loss_goldens.py tests/golden/loss
Each case is <name>_out.npy (B, C, T network output), <name>_target.npy (B, T samples) and
<name>_loss.npy (the mean negative log-likelihood, float64 in a 1-element array). The references
are independent of the C++ code: torch's cross_entropy with torchaudio's mu-law encoding, torch's
Normal distribution, and a float64 NumPy transcription of the PixelCNN++ discretized logistic
mixture likelihood written from its definition (CDF differences over a bin, tails at the edges).
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio


def softmax_case(rng):
    classes = 256
    out = rng.standard_normal((2, classes, 50)).astype(np.float32) * 2
    target = np.tanh(rng.standard_normal((2, 50))).astype(np.float32)
    labels = torchaudio.functional.mu_law_encoding(torch.from_numpy(target), classes)
    loss = F.cross_entropy(torch.from_numpy(out).double(), labels)
    return out, target, float(loss)


def gaussian_case(rng, log_scale_min):
    out = rng.standard_normal((3, 2, 40)).astype(np.float32)
    out[:, 1] = out[:, 1] - 1  # log std around -1
    target = np.tanh(rng.standard_normal((3, 40))).astype(np.float32)
    mean = torch.from_numpy(out[:, 0]).double()
    log_std = torch.from_numpy(out[:, 1]).double().clamp(min=log_scale_min)
    nll = -torch.distributions.Normal(mean, log_std.exp()).log_prob(torch.from_numpy(target).double())
    return out, target, float(nll.mean())


def logistic_cdf(x):
    with np.errstate(over="ignore"):  # exp(inf) at the tails is fine: the cdf is 0 there
        return 1.0 / (1.0 + np.exp(-x))


def logistic_mass(a, b):
    """P(a < X < b) for a standard logistic X, without cancellation in either tail."""
    return np.where(a > 0, logistic_cdf(-a) - logistic_cdf(-b), logistic_cdf(b) - logistic_cdf(a))


def mol_case(rng, components, levels, log_scale_min):
    out = rng.standard_normal((2, 3 * components, 30)).astype(np.float64)
    out[:, components : 2 * components] = np.tanh(out[:, components : 2 * components])  # means
    out[:, 2 * components :] = out[:, 2 * components :] - 4.0  # log scales, some clamped
    target = np.tanh(rng.standard_normal((2, 30)) * 0.5)
    target[0, :3] = [-1.0, 1.0, 0.0]  # both edge bins and the centre
    out = out.astype(np.float32)
    target = target.astype(np.float32)

    logits = out[:, :components].astype(np.float64)
    means = out[:, components : 2 * components].astype(np.float64)
    log_s = np.maximum(out[:, 2 * components :].astype(np.float64), log_scale_min)
    y = target[:, None, :].astype(np.float64)
    half = 1.0 / (levels - 1)
    s = np.exp(log_s)
    upper = np.where(y > 0.999, np.inf, (y - means + half) / s)
    lower = np.where(y < -0.999, -np.inf, (y - means - half) / s)
    prob_bin = logistic_mass(lower, upper)
    log_weights = logits - np.log(np.sum(np.exp(logits - logits.max(1, keepdims=True)), 1, keepdims=True)) - logits.max(1, keepdims=True)
    likelihood = np.sum(np.exp(log_weights) * prob_bin, axis=1)
    return out, target, float(-np.mean(np.log(likelihood)))


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2024)
    cases = {
        "softmax256": softmax_case(rng),
        "gaussian_min-7": gaussian_case(rng, -7.0),
        "gaussian_min-2": gaussian_case(rng, -2.0),  # the clamp bites
        "mol10_levels256": mol_case(rng, 10, 256, -7.0),
        "mol3_levels65536": mol_case(rng, 3, 65536, -7.0),
    }
    for name, (out, target, loss) in cases.items():
        np.save(out_dir / f"{name}_out.npy", out)
        np.save(out_dir / f"{name}_target.npy", target)
        np.save(out_dir / f"{name}_loss.npy", np.array([loss], dtype=np.float64))
        print(f"{name}: loss {loss:.6f}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "loss"))
