#!/usr/bin/env bash
# The bounded recipe search behind docs/quality.md. Every candidate trains from scratch on the
# speech demo's corpus for the same wall-clock budget (`wavenet demo --train-seconds`), then the
# demo copy-synthesises the held-out clips and scores them beside Griffin-Lim from the same mels.
# Run candidates one after another on an otherwise idle machine: they are timed by the clock.
#
#   docs/quality/recipe_search.sh WAVENET SEED_DEMO OUT SECONDS NAME 'OVERRIDES' [NAME 'OVERRIDES']...
#
# SEED_DEMO is a finished `wavenet demo --out SEED_DEMO` (its corpus and shards are copied, so
# every candidate sees the same data); OVERRIDES are config keys (`model.linear_prediction=16`),
# '' for the demo's default. Each candidate's demo lands in OUT/NAME-SECONDS; the summaries are
# gathered in OUT/summaries-SECONDS.txt.
set -euo pipefail
if [ $# -lt 6 ] || [ $(( ($# - 4) % 2 )) -ne 0 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
wavenet=$1 seed=$2 out=$3 seconds=$4
shift 4
mkdir -p "$out"
summaries="$out/summaries-$seconds.txt"
: > "$summaries"
while [ $# -gt 0 ]; do
  name=$1 overrides=$2
  shift 2
  dir="$out/$name-$seconds"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$seed/corpus" "$seed/shards" "$dir/"
  # shellcheck disable=SC2086 # the overrides are separate words on purpose
  "$wavenet" --log-level warn demo --out "$dir" --train-seconds "$seconds" $overrides > "$dir/demo.log" 2>&1
  { echo "== $name ($seconds s): ${overrides:-defaults}"; cat "$dir/summary.txt"; } >> "$summaries"
done
cat "$summaries"
