"""A reimplementation of r9y9/wavenet_vocoder's WaveNet for the import tests.

Writes, for one variant, a checkpoint in the layout that project's train.py saves (a dict with an
OrderedDict state_dict of weight-norm pairs, optimizer state, global_step, ...), its hparams JSON,
and what its model computes on a test clip: the teacher-forced outputs and the mean loss over
samples 1..T-1. The forward and the losses are written here from that project's documented
architecture and conventions (weight-normed 1x1 and dilated convs, gated units split tanh/sigmoid,
skips scaled by sqrt(1/layers), ConvInUpsampleNetwork: a bias-free conv over 2*cin_pad+1 frames,
then per scale a nearest stretch and a weight-normed (1, 2s+1) conv; mu-law rounded down; the
discretized logistic mixture with its edge and thin-bin rules; pre-emphasis 0.85 after the gain).

usage: r9y9_reference.py VARIANT OUT_DIR [legacy]
  VARIANT: mol | mulaw256 | gaussian | speakers | mol_preset; legacy: the checkpoint in PyTorch's
  older (pre-1.6, non-zip) format
"""
import collections
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

PREEMPHASIS = 0.85
FRAMES = 12


def hparams_for(variant):
    h = {
        "name": "wavenet_vocoder", "input_type": "raw", "quantize_channels": 65536,
        "preprocess": "preemphasis", "postprocess": "inv_preemphasis", "global_gain_scale": 0.55,
        "sample_rate": 22050, "silence_threshold": 2, "num_mels": 80, "fmin": 125, "fmax": 7600,
        "fft_size": 1024, "hop_size": 256, "frame_shift_ms": None, "win_length": 1024,
        "win_length_ms": -1.0, "window": "hann", "highpass_cutoff": 70.0,
        "output_distribution": "Logistic", "log_scale_min": -16.0, "out_channels": 30,
        "layers": 6, "stacks": 2, "residual_channels": 16, "gate_channels": 32,
        "skip_out_channels": 16, "dropout": 0.0, "kernel_size": 3, "cin_channels": 80, "cin_pad": 2,
        "upsample_conditional_features": True, "upsample_net": "ConvInUpsampleNetwork",
        "upsample_params": {"upsample_scales": [4, 4, 4, 4]}, "gin_channels": -1, "n_speakers": 7,
        "batch_size": 8, "optimizer": "Adam", "optimizer_params": {"lr": 0.001, "eps": 1e-08, "weight_decay": 0.0},
        "max_train_steps": 1000000, "exponential_moving_average": True, "ema_decay": 0.9999,
    }
    if variant == "mulaw256":
        h.update({"input_type": "mulaw-quantize", "quantize_channels": 256, "out_channels": 256,
                  "log_scale_min": -9.0, "cin_pad": 0, "layers": 9, "stacks": 3})
    elif variant == "gaussian":
        h.update({"output_distribution": "Normal", "out_channels": 2, "log_scale_min": -9.0})
    elif variant == "speakers":
        h.update({"gin_channels": 16, "n_speakers": 3, "preprocess": "", "postprocess": "", "global_gain_scale": 1.0})
    elif variant == "mol_preset":  # the sizes of that project's egs/mol/conf/mol_wavenet.json
        h.update({"layers": 24, "stacks": 4, "residual_channels": 128, "gate_channels": 256, "skip_out_channels": 128})
    elif variant != "mol":
        raise SystemExit("unknown variant " + variant)
    return h


def weight_norm_pair(generator, out_channels, *rest):
    v = torch.randn(out_channels, *rest, generator=generator) * 0.3
    g = torch.rand(out_channels, *([1] * len(rest)), generator=generator) * 0.8 + 0.4
    return g, v


def random_state(h, generator):
    """Random weights under the names and shapes r9y9's WaveNet registers."""
    state = collections.OrderedDict()

    def conv(prefix, out_channels, in_channels, kernel, bias=True):
        g, v = weight_norm_pair(generator, out_channels, in_channels, kernel)
        state[prefix + ".weight_g"], state[prefix + ".weight_v"] = g, v
        if bias:
            state[prefix + ".bias"] = torch.randn(out_channels, generator=generator) * 0.1

    scalar = h["input_type"] == "raw"
    conv("first_conv", h["residual_channels"], 1 if scalar else h["out_channels"], 1)
    for layer in range(h["layers"]):
        p = "conv_layers.%d" % layer
        conv(p + ".conv", h["gate_channels"], h["residual_channels"], h["kernel_size"])
        if h["cin_channels"] > 0:
            conv(p + ".conv1x1c", h["gate_channels"], h["cin_channels"], 1, bias=False)
        if h["gin_channels"] > 0:
            conv(p + ".conv1x1g", h["gate_channels"], h["gin_channels"], 1, bias=False)
        conv(p + ".conv1x1_out", h["residual_channels"], h["gate_channels"] // 2, 1)
        conv(p + ".conv1x1_skip", h["skip_out_channels"], h["gate_channels"] // 2, 1)
    conv("last_conv_layers.1", h["skip_out_channels"], h["skip_out_channels"], 1)
    conv("last_conv_layers.3", h["out_channels"], h["skip_out_channels"], 1)
    if h["gin_channels"] > 0:
        state["embed_speakers.weight"] = torch.randn(h["n_speakers"], h["gin_channels"], generator=generator) * 0.5
    if h["cin_channels"] > 0:
        cin, k = h["cin_channels"], 2 * h["cin_pad"] + 1
        state["upsample_net.conv_in.weight"] = torch.randn(cin, cin, k, generator=generator) / math.sqrt(cin * k)
        for i, s in enumerate(h["upsample_params"]["upsample_scales"]):
            g = torch.rand(1, 1, 1, 1, generator=generator) + 0.5
            v = torch.rand(1, 1, 1, 2 * s + 1, generator=generator) + 0.1
            p = "upsample_net.upsample.up_layers.%d" % (2 * i + 1)
            state[p + ".weight_g"], state[p + ".weight_v"] = g, v
    return state


def kernel(state, prefix):
    g, v = state[prefix + ".weight_g"], state[prefix + ".weight_v"]
    return g * v / v.flatten(1).norm(dim=1).view(-1, *([1] * (v.dim() - 1)))


def pointwise(state, prefix, x):
    return F.conv1d(x, kernel(state, prefix), state.get(prefix + ".bias"))


def upsample(state, h, mel):
    """mel (B, cin, frames + 2*cin_pad) -> (B, cin, frames * hop)."""
    c = F.conv1d(mel, state["upsample_net.conv_in.weight"]).unsqueeze(1)
    for i, s in enumerate(h["upsample_params"]["upsample_scales"]):
        c = c.repeat_interleave(s, dim=3)  # nearest-neighbour stretch along time
        c = F.conv2d(c, kernel(state, "upsample_net.upsample.up_layers.%d" % (2 * i + 1)), padding=(0, s))
    return c.squeeze(1)


def forward(state, h, x, mel=None, speaker=None):
    """x (B, C, T): one-hot classes or the scalar samples. Returns (B, out_channels, T)."""
    T = x.size(2)
    c = upsample(state, h, mel) if mel is not None else None
    g = None
    if speaker is not None:
        g = state["embed_speakers.weight"][speaker].unsqueeze(-1).expand(-1, -1, T)
    hidden = pointwise(state, "first_conv", x)
    skips = 0
    per_stack = h["layers"] // h["stacks"]
    for layer in range(h["layers"]):
        p = "conv_layers.%d" % layer
        dilation = 2 ** (layer % per_stack)
        pad = (h["kernel_size"] - 1) * dilation
        z = F.conv1d(hidden, kernel(state, p + ".conv"), state[p + ".conv.bias"], padding=pad, dilation=dilation)[:, :, :T]
        if c is not None:
            z = z + pointwise(state, p + ".conv1x1c", c)
        if g is not None:
            z = z + pointwise(state, p + ".conv1x1g", g)
        a, b = z.split(z.size(1) // 2, dim=1)
        gated = torch.tanh(a) * torch.sigmoid(b)
        skips = skips + pointwise(state, p + ".conv1x1_skip", gated)
        hidden = (pointwise(state, p + ".conv1x1_out", gated) + hidden) * math.sqrt(0.5)
    skips = skips * math.sqrt(1.0 / h["layers"])
    return pointwise(state, "last_conv_layers.3", F.relu(pointwise(state, "last_conv_layers.1", F.relu(skips))))


def mulaw_classes(x, channels):
    mu = channels - 1
    companded = torch.sign(x) * torch.log1p(mu * x.abs()) / math.log1p(mu)
    return ((companded + 1) / 2 * mu).long()  # truncation, as nnmnkwii's mulaw_quantize


def logistic_mixture_nll(y_hat, y, num_classes, log_scale_min):
    """y_hat (B, 3K, T), y (B, T) -> (B, T) nats, the discretised mixture's rules at the edges."""
    k = y_hat.size(1) // 3
    logits, means = y_hat[:, :k], y_hat[:, k:2 * k]
    log_scales = y_hat[:, 2 * k:].clamp(min=log_scale_min)
    y = y.unsqueeze(1)
    centred, inv = y - means, torch.exp(-log_scales)
    half = 1.0 / (num_classes - 1)
    upper, lower = inv * (centred + half), inv * (centred - half)
    delta = torch.sigmoid(upper) - torch.sigmoid(lower)
    middle = inv * centred
    log_density_mid = middle - log_scales - 2 * F.softplus(middle)
    interior = torch.where(delta > 1e-5, torch.log(delta.clamp(min=1e-12)), log_density_mid - math.log((num_classes - 1) / 2))
    log_p = torch.where(y < -0.999, upper - F.softplus(upper), torch.where(y > 0.999, -F.softplus(lower), interior))
    return -torch.logsumexp(log_p + F.log_softmax(logits, dim=1), dim=1)


def gaussian_nll(y_hat, y, log_scale_min):
    mean, log_std = y_hat[:, 0], y_hat[:, 1].clamp(min=log_scale_min)
    return 0.5 * math.log(2 * math.pi) + log_std + 0.5 * ((y - mean) * torch.exp(-log_std)) ** 2


def main(variant, out_dir, legacy=False):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed({"mol": 1, "mulaw256": 2, "gaussian": 3, "speakers": 4, "mol_preset": 5}[variant])
    h = hparams_for(variant)
    state = random_state(h, generator)
    hop = h["hop_size"]
    T = FRAMES * hop

    # A clip: a few tones and noise in [-1, 1]; the model's time domain is gain then pre-emphasis.
    t = torch.arange(T, dtype=torch.float64) / h["sample_rate"]
    wav = 0.5 * torch.sin(2 * math.pi * 220 * t) + 0.2 * torch.sin(2 * math.pi * 1310 * t) + 0.05 * torch.randn(T, generator=generator, dtype=torch.float64)
    wav = wav.clamp(-0.95, 0.95).float()
    modelled = wav * h["global_gain_scale"] if h["global_gain_scale"] > 0 else wav.clone()
    if h["preprocess"] == "preemphasis":
        modelled = torch.cat([modelled[:1], modelled[1:] - PREEMPHASIS * modelled[:-1]])

    pad = h["cin_pad"]
    mel = (torch.randn(FRAMES + 2 * pad, h["num_mels"], generator=generator) * 0.5 - 2.0).float()  # log10-like values
    meanvar = None
    model_mel = mel
    if variant == "gaussian":  # imported with its normaliser: the model reads (mel - mean) / scale
        meanvar = torch.stack([torch.linspace(-3.0, -1.0, h["num_mels"]), torch.linspace(0.5, 1.5, h["num_mels"])])
        model_mel = (mel - meanvar[0]) / meanvar[1]
    speaker = 2 if h["gin_channels"] > 0 else None

    if h["input_type"] == "mulaw-quantize":
        classes = mulaw_classes(modelled, h["quantize_channels"])
        x = F.one_hot(classes, h["quantize_channels"]).float().t().unsqueeze(0)
    else:
        x = modelled.view(1, 1, T)
    with torch.no_grad():
        y_hat = forward(state, h, x, model_mel.t().unsqueeze(0), None if speaker is None else torch.tensor([speaker]))
        if h["input_type"] == "mulaw-quantize":
            nll = F.cross_entropy(y_hat[:, :, :-1], classes[1:].unsqueeze(0), reduction="none")
        elif h["output_distribution"] == "Logistic":
            nll = logistic_mixture_nll(y_hat[:, :, :-1], modelled[1:].unsqueeze(0), h["quantize_channels"], h["log_scale_min"])
        else:
            nll = gaussian_nll(y_hat[:, :, :-1], modelled[1:].unsqueeze(0), h["log_scale_min"])

    os.makedirs(out_dir, exist_ok=True)
    optimizer = {"state": {}, "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0.0,
                                                 "amsgrad": False, "params": list(range(len(state)))}]}
    torch.save({"state_dict": state, "optimizer": optimizer, "global_step": 123456, "global_epoch": 7,
                "global_test_step": 0}, os.path.join(out_dir, "checkpoint_step000123456_ema.pth"),
               _use_new_zipfile_serialization=not legacy)
    with open(os.path.join(out_dir, "hparams.json"), "w") as f:
        json.dump(h, f, indent=2)
    np.save(os.path.join(out_dir, "wav.npy"), wav.numpy())
    np.save(os.path.join(out_dir, "modelled.npy"), modelled.numpy())
    np.save(os.path.join(out_dir, "mel.npy"), mel.numpy())
    np.save(os.path.join(out_dir, "y_hat.npy"), y_hat[0].numpy())
    np.save(os.path.join(out_dir, "nll.npy"), np.array([nll.double().mean().item()], dtype=np.float32))
    if meanvar is not None:
        np.save(os.path.join(out_dir, "meanvar.npy"), meanvar.numpy())
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump({"speaker": -1 if speaker is None else speaker, "nll": nll.double().mean().item()}, f)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "legacy"):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], legacy=len(sys.argv) == 4)
