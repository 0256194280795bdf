"""Times r9y9/wavenet_vocoder's own sample-by-sample generation (WaveNet.incremental_forward) of
one of its checkpoints, to set beside `wavenet bench --checkpoint` of the same checkpoint after
`wavenet import r9y9`. Needs that project's source (its wavenet_vocoder package) and Python's torch.

usage: python3 time_r9y9_generation.py R9Y9_SOURCE_DIR CHECKPOINT.pth HPARAMS.json [SAMPLES] [THREADS]
"""
import json
import sys
import time

import torch


def main(source, checkpoint, hparams_path, samples=2048, threads=2):
    sys.path.insert(0, source)
    from wavenet_vocoder.wavenet import WaveNet

    torch.set_num_threads(threads)
    h = json.load(open(hparams_path))
    upsample = dict(h["upsample_params"], cin_channels=h["cin_channels"], cin_pad=h["cin_pad"])
    model = WaveNet(out_channels=h["out_channels"], layers=h["layers"], stacks=h["stacks"],
                    residual_channels=h["residual_channels"], gate_channels=h["gate_channels"],
                    skip_out_channels=h["skip_out_channels"], cin_channels=h["cin_channels"],
                    gin_channels=h["gin_channels"], n_speakers=h["n_speakers"], dropout=h["dropout"],
                    kernel_size=h["kernel_size"], cin_pad=h["cin_pad"],
                    upsample_conditional_features=h["upsample_conditional_features"],
                    upsample_params=upsample, scalar_input=h["input_type"] == "raw",
                    output_distribution=h["output_distribution"])
    model.load_state_dict(torch.load(checkpoint, map_location="cpu")["state_dict"])
    model.eval()
    model.make_generation_fast_()
    hop = 1
    for s in h["upsample_params"]["upsample_scales"]:
        hop *= s
    frames = (samples + hop - 1) // hop
    mel = torch.randn(1, h["num_mels"], frames + 2 * h["cin_pad"])
    start = torch.zeros(1, 1, 1) if h["input_type"] == "raw" else torch.zeros(1, h["out_channels"], 1)
    with torch.no_grad():
        began = time.perf_counter()
        model.incremental_forward(start, c=mel, T=samples, softmax=True, quantize=True, log_scale_min=h["log_scale_min"])
        seconds = time.perf_counter() - began
    print("r9y9 incremental_forward: %d samples in %.2f s: %.0f samples/s (%d threads)" % (samples, seconds, samples / seconds, threads))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:6]))
