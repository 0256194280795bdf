#!/usr/bin/env bash
# Runs the soaks one after another and prints a summary line per soak.
#
#   tests/soak/run_soaks.sh [--short|--long] [SOAK...]
#
# --short (the default; what CI runs): 3 rounds each, train.dist_timeout_s=10.
# --long: 10 rounds each (the issue's count), train.dist_timeout_s=20.
# SOAK names (preprocess_kill, train_kill, disk_full, dist_peer_loss) pick a subset.
# SOAK_ROUNDS, SOAK_DIST_TIMEOUT and SOAK_SEED override; WAVENET picks the binary (default
# build/wavenet relative to the repo root). One seed is drawn here and used by every soak, so
# SOAK_SEED=<printed seed> replays a whole run's random choices.
# Exit status: 0 if every soak passed, 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

rounds=3 dist_timeout=10
soaks=()
for arg in "$@"; do
  case $arg in
    --short) rounds=3 dist_timeout=10 ;;
    --long) rounds=10 dist_timeout=20 ;;
    preprocess_kill | train_kill | disk_full | dist_peer_loss) soaks+=("$arg") ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_soaks.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
((${#soaks[@]})) || soaks=(preprocess_kill train_kill disk_full dist_peer_loss)
export SOAK_ROUNDS=${SOAK_ROUNDS:-$rounds}
export SOAK_DIST_TIMEOUT=${SOAK_DIST_TIMEOUT:-$dist_timeout}
export SOAK_SEED=${SOAK_SEED:-$(( $(date +%s%N) / 1000 % 1000000 ))}
echo "run_soaks: ${soaks[*]}; $SOAK_ROUNDS rounds each; seed $SOAK_SEED (replay with SOAK_SEED=$SOAK_SEED)"

summary=()
failed=0
start=$SECONDS
for soak in "${soaks[@]}"; do
  t0=$SECONDS
  status=0
  # Each soak bounds its own commands; this outer bound only catches a soak script that hangs.
  timeout -k 10 3600 "$here/$soak.sh" || status=$?
  case $status in
    0) word=PASS ;;
    1) word=FAIL ;;
    3) word="COULD NOT RUN" ;;
    124 | 137) word="HUNG (killed after 3600 s)" ;;
    *) word="FAIL (status $status)" ;;
  esac
  ((status == 0)) || failed=1
  summary+=("$(printf '%-15s %-26s %4d s' "$soak" "$word" $((SECONDS - t0)))")
done
echo "run_soaks: summary (seed $SOAK_SEED, $SOAK_ROUNDS rounds, $((SECONDS - start)) s in all)"
printf '  %s\n' "${summary[@]}"
exit $failed
