#!/bin/bash
# Engine round two: the old and the new engine measured interleaved in one sitting, so that both
# see the same host load. Each case runs ROUNDS times in rotation (old, new, old, new, ...); the
# best run of each is kept. The new engine's runs include the LibTorch baselines and write
# docs/bench/round2/<case>.json and .txt; the old engine's best run, <case>.old.json and .old.txt.
#
#   docs/bench/compare_engines.sh OLD_WAVENET NEW_WAVENET [ROUNDS] > docs/bench/round2/table.md
#
# OLD_WAVENET is a `wavenet` binary built from an earlier commit (it needs no --fold/--stream:
# those cases are new-only). Presets are read from this checkout's configs/.
set -euo pipefail
old=$1
new=$2
rounds=${3:-3}
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$here/docs/bench/round2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export WAVENET_CONFIG_DIR=$here/configs

# name|arguments (2 threads throughout)
cases=(
  "r64k2_b1_bf16|--preset r64k2 --batch 1 --precision bf16 --seconds 2"
  "r64k2_b1_fp32|--preset r64k2 --batch 1 --precision fp32 --seconds 2"
  "mol24_b1_bf16|--preset mol24 --batch 1 --precision bf16 --seconds 1"
  "mol24_b16_bf16|--preset mol24 --batch 16 --precision bf16 --seconds 0.5"
  "mol24_10s_fold_auto_bf16|--preset mol24 --fold auto --precision bf16 --seconds 10"
  "mol24_stream_bf16|--preset mol24 --stream --precision bf16 --seconds 2"
)

# samples/s of the engine row in a bench's output
rate() { awk '$1 == "engine" { for (i = 2; i < NF; ++i) if ($i ~ /^(avx512|avx2|scalar)$/) { print $(i + 1); exit } }' "$1"; }

printf '| case | old engine | new engine | new / old |\n|---|---|---|---|\n'
for entry in "${cases[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  best_old=0
  best_new=0
  new_only=0
  [[ $args == *--fold* || $args == *--stream* ]] && new_only=1
  for ((r = 1; r <= rounds; ++r)); do
    if ((new_only == 0)); then
      "$old" bench $args --threads 2 --no-baselines --json "$scratch/old.json" > "$scratch/old.txt" 2>&1
      o=$(rate "$scratch/old.txt")
      if awk -v a="$o" -v b="$best_old" 'BEGIN { exit !(a > b) }'; then
        best_old=$o
        cp "$scratch/old.json" "$out/$name.old.json"
        sed "s|wrote $scratch/old.json|wrote docs/bench/round2/$name.old.json|" "$scratch/old.txt" > "$out/$name.old.txt"
      fi
    fi
    "$new" bench $args --threads 2 --json "$scratch/new.json" > "$scratch/new.txt" 2>&1
    n=$(rate "$scratch/new.txt")
    if awk -v a="$n" -v b="$best_new" 'BEGIN { exit !(a > b) }'; then
      best_new=$n
      cp "$scratch/new.json" "$out/$name.json"
      sed "s|wrote $scratch/new.json|wrote docs/bench/round2/$name.json|" "$scratch/new.txt" > "$out/$name.txt"
    fi
  done
  if ((new_only)); then
    printf '| %s | - | %s | - |\n' "$name" "$best_new"
  else
    printf '| %s | %s | %s | %.2f |\n' "$name" "$best_old" "$best_new" "$(awk -v a="$best_new" -v b="$best_old" 'BEGIN { print a / b }')"
  fi
done
