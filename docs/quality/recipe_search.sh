#!/usr/bin/env bash
# The bounded recipe search behind docs/quality.md. Every candidate trains from scratch on the
# speech demo's corpus for the same wall-clock budget (`wavenet demo --train-seconds`), then the
# demo copy-synthesises the held-out clips and scores them beside Griffin-Lim from the same mels.
# Run candidates one after another on an otherwise idle machine: they are timed by the clock.
#
#   docs/quality/recipe_search.sh WAVENET OUT SECONDS NAME 'OPTIONS' [NAME 'OPTIONS']...
#
# OPTIONS are demo options and config keys (`--config tiny model.linear_prediction=16`), '' for
# the demo's defaults; every candidate makes the same corpus (espeak-ng is deterministic). Each
# candidate's demo lands in OUT/NAME-SECONDS; the summaries are gathered in
# OUT/summaries-SECONDS.txt.
set -euo pipefail
if [ $# -lt 5 ] || [ $(( ($# - 3) % 2 )) -ne 0 ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
wavenet=$1 out=$2 seconds=$3
shift 3
mkdir -p "$out"
summaries="$out/summaries-$seconds.txt"
: > "$summaries"
while [ $# -gt 0 ]; do
  name=$1 overrides=$2
  shift 2
  dir="$out/$name-$seconds"
  rm -rf "$dir"
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # the overrides are separate words on purpose
  "$wavenet" --log-level warn demo --out "$dir" --train-seconds "$seconds" $overrides > "$dir/demo.log" 2>&1 \
    || { echo "== $name failed: see $dir/demo.log" >> "$summaries"; continue; }
  { echo "== $name ($seconds s): ${overrides:-defaults}"; cat "$dir/summary.txt"; } >> "$summaries"
done
cat "$summaries"
