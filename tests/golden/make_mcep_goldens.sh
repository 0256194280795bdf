#!/bin/sh
# Writes the mel-cepstrum golden files the dataio tests compare against, with SPTK's own
# command-line tools (apt-get install sptk):
#     sh tests/golden/make_mcep_goldens.sh tests/golden/mcep
# Two 0.7 s signals at 22.05 kHz (float32, raw): Gaussian noise through two different resonant
# filters (vowel-like envelopes), each followed by 0.1 s of silence. For each, the mel-cepstra
# (order 24, alpha 0.455, 1024-sample frames every 256 samples, Blackman window normalised by
# power, periodogram floor 1e-8), and the MCD between them in dB as SPTK's cdist reports it
# (c1..c24, averaged over frames).
set -eu
out=${1:-tests/golden/mcep}
mkdir -p "$out"
signal() {  # seed, then the filter's denominator
  seed=$1
  shift
  { sptk nrand -l 13230 -s "$seed" | sptk dfs -a 1 "$@" | sptk sopr -m 0.05; sptk step -l 2205 -v 0; }
}
signal 7 -1.3 0.8 > "$out/reference.f32"
signal 11 -0.6 0.3 > "$out/generated.f32"
for name in reference generated; do
  sptk frame -l 1024 -p 256 < "$out/$name.f32" | sptk window -l 1024 -L 1024 -w 0 -n 1 |
    sptk mcep -l 1024 -m 24 -a 0.455 -e 1e-8 > "$out/$name.mcep.f32"
done
sptk cdist -m 24 -o 0 "$out/reference.mcep.f32" < "$out/generated.mcep.f32" | sptk x2x +fa > "$out/mcd_db.txt"
