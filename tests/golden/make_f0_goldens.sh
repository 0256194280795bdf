#!/bin/sh
# Writes the F0 golden files the dataio tests compare our pitch tracker against, with SPTK's own
# command-line tools (apt-get install sptk):
#     sh tests/golden/make_f0_goldens.sh tests/golden/f0
# A 0.92 s signal at 22.05 kHz (float32, raw): a pulse train gliding from 120 to 220 Hz over 60
# frames of 256 samples, then 20 frames of noise (SPTK's excite: unvoiced where the period is 0),
# through a resonant filter; and SPTK's SWIPE' F0 of it (Hz per 256-sample frame, 0 = unvoiced,
# 60-500 Hz as our tracker searches).
set -eu
out=${1:-tests/golden/f0}
mkdir -p "$out"
{ sptk ramp -l 60 -s 183.75 -t -1.4156; sptk step -l 20 -v 0; } |  # pitch periods in samples
  sptk excite -p 256 -n -s 5 | sptk dfs -a 1 -1.3 0.8 | sptk sopr -m 0.05 > "$out/signal.f32"
sptk pitch -a 1 -s 22.05 -p 256 -L 60 -H 500 -o 1 < "$out/signal.f32" > "$out/swipe_f0.f32"
