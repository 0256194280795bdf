#!/usr/bin/env bash
# Soak: `wavenet train` killed with SIGKILL at random moments, then rerun.
#
# Checkpoints are written under a temporary name and renamed (atomic), and a rerun of the same
# command resumes from the latest one; resuming is designed to be bitwise exact. Each round
# starts the command on the current run directory and SIGKILLs it at a moment drawn uniformly
# from (0, T), T = the duration of an uninterrupted run; every third round instead kills inside
# the first checkpoint write after such a moment (a checkpoint every 2 steps; a write lasts a few
# ms, so uniform moments alone rarely hit one). Kills chain on one run directory; when a run
# finishes before its kill, the result is checked, a rerun must change nothing, and a new chain
# starts.
#
# After every kill: every checkpoint under its final name is a complete archive (unzip -t
# recomputes every record's CRC) with the reference's records, and the rerun logs that it
# resumes from the latest of them. At the end of a chain the checkpoints left (the last
# train.keep_last) equal the uninterrupted run's: every record (the tensors <archive>/data/<n>
# and data.pkl, which holds step, loader position, config and the tensors' CRC-32C checksums)
# with the same name, length and CRC-32. Nothing in a checkpoint depends on the run's history,
# so no record is exempt. Stale temporary checkpoint files are counted, not failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
soak_init train_kill

# One intra-op thread: results are bitwise reproducible only for a fixed thread count (a sum
# split over threads rounds differently), and the soak stays on one core.
export OMP_NUM_THREADS=1
STEPS=24
BOUND=300   # seconds; a run that takes longer is a hang

make_corpus "$WORK/corpus" 4 6
run_fg "$WORK/preprocess.log" "$BOUND" "$WAVENET" preprocess "$WORK/corpus" "$WORK/shards" --config tiny
((STATUS == 0)) || die "preprocess failed: $(tail -2 "$WORK/preprocess.log.err")"

# ARGS = the command for run directory $1.
set_args() {
  ARGS=(train --data "$WORK/shards" --run-dir "$1" --config tiny train.max_steps=$STEPS
    train.max_time_steps=1024 train.checkpoint_every=2 train.keep_last=3 train.log_every=4
    train.eval_every=8 train.eval_audio_seconds=0.05)
}

# The checkpoint a rerun of run directory $1 must resume from ("none" if there is none).
latest_checkpoint() {
  local all
  all=$(final_checkpoints "$1")
  [[ -n $all ]] && echo "${all##*$'\n'}" || echo none
}

# "PATH STEP" from the run's "resuming from PATH at step STEP" line, "-" if it logged none.
logged_resume() {
  local line
  line=$(sed -n 's/.*resuming from \(.*\) at step \([0-9]*\)$/\1 \2/p' "$1.err" "$1.out" | head -1)
  echo "${line:--}"
}

# check_resume LOG EXPECTED STATUS: the run resumed from EXPECTED (or started afresh if none).
# A killed run may not have logged its decision yet; a finished one has.
check_resume() {
  local log=$1 expected=$2 status=$3 got want
  got=$(logged_resume "$log")
  if [[ $expected == none ]]; then
    [[ $got == - ]] || echo "resumed from '$got' although no checkpoint was present"
    return 0
  fi
  want="$expected $((10#$(sed 's/.*checkpoint_\([0-9]*\)\.pt/\1/' <<<"$expected")))"
  if [[ $got != - && $got != "$want" ]] || [[ $got == - && $status == 0 ]]; then
    echo "expected to resume from '$want', logged '$got'"
  fi
  return 0
}

# Everything a killed run left under final names is sound.
check_after_kill() {
  local dir=$1 ckpt names
  names=$(checkpoint_records "$REF_LAST" | cut -d' ' -f1)
  for ckpt in $(final_checkpoints "$dir"); do
    if ! checkpoint_intact "$ckpt"; then
      echo "$ckpt: damaged or partial under its final name ($(unzip -tq "$ckpt" 2>&1 | head -2 | tr '\n' ' '))"
    elif [[ $(checkpoint_records "$ckpt" | cut -d' ' -f1) != "$names" ]]; then
      echo "$ckpt: records differ from a complete checkpoint's"
    fi
  done
  return 0   # the problems are the output
}

checkpoint_names() { final_checkpoints "$1" | sed 's|.*/||' | tr '\n' ' '; }

# A finished run equals the reference: the same checkpoints, record for record.
check_finished() {
  local dir=$1 ckpt
  if [[ $(checkpoint_names "$dir") != $(checkpoint_names "$REF") ]]; then
    echo "checkpoints $(checkpoint_names "$dir") differ from the reference's $(checkpoint_names "$REF")"
    return
  fi
  for ckpt in $(final_checkpoints "$REF"); do
    same_checkpoint "$ckpt" "$dir/${ckpt##*/}" || :   # prints the differences, collected by the caller
  done
  return 0
}

# --- the uninterrupted reference run
REF=$WORK/reference
set_args "$REF"
t0=$(now_ms)
run_fg "$WORK/reference.log" "$BOUND" "$WAVENET" "${ARGS[@]}"
T=$(($(now_ms) - t0))
((STATUS == 0)) || die "uninterrupted run failed with status $STATUS: $(tail -3 "$WORK/reference.log.err")"
REF_LAST=$(latest_checkpoint "$REF")
[[ $REF_LAST == */$(printf "checkpoint_%09d.pt" "$STEPS") ]] || die "uninterrupted run left no checkpoint of step $STEPS"
say "uninterrupted run: $STEPS steps in $T ms, checkpoints $(checkpoint_names "$REF"); kill moments uniform in (0, $T) ms"

# --- rounds
chain=1
run=$WORK/chain$chain
for ((r = 1; r <= ROUNDS; r++)); do
  failures_before=$SOAK_FAILURES
  expected=$(latest_checkpoint "$run")
  log=$WORK/round$r.log
  set_args "$run"
  kill_round "$log" "$r" "$run/checkpoint_*.pt.tmp.*" "checkpoint write" "$WAVENET" "${ARGS[@]}"
  when=$WHEN
  problems=$(check_resume "$log" "$expected" "$STATUS")
  [[ -z $problems ]] || fail "round $r: $problems"
  case $STATUS in
    137)
      what="killed"
      compgen -G "$run/checkpoint_*.pt.tmp.*" >/dev/null && what="killed in a checkpoint write"
      problems=$(check_after_kill "$run")
      [[ -z $problems ]] || fail "round $r: after the kill $when: $problems"
      ;;
    0)
      what="finished before the kill"
      problems=$(check_finished "$run")
      [[ -z $problems ]] || fail "round $r: finished run differs from the uninterrupted one: $problems"
      # Rerunning a finished run resumes at the last step, trains nothing and writes nothing.
      before=$(for c in $(final_checkpoints "$run"); do checkpoint_records "$c"; done)
      run_fg "$log.again" "$BOUND" "$WAVENET" "${ARGS[@]}"
      after=$(for c in $(final_checkpoints "$run"); do checkpoint_records "$c"; done)
      if ((STATUS != 0)) || ! grep -q "trained steps $STEPS -> $STEPS" "$log.again.out"; then
        fail "round $r: rerun of a finished run: status $STATUS, $(grep -h "trained\|error" "$log.again.out" "$log.again.err" | head -2)"
      elif [[ $before != "$after" ]]; then
        fail "round $r: a rerun of a finished run changed its checkpoints"
      fi
      ;;
    124) fail "round $r: the run hung (no exit within $BOUND s)" ;;
    *) fail "round $r: exit status $STATUS: $(tail -2 "$log.err" | tr '\n' ' ')" ;;
  esac
  latest=$(latest_checkpoint "$run")
  line="round $r/$ROUNDS: kill $when: $what (chain $chain); resumed from ${expected##*/}; latest now ${latest##*/}, $(count_temps "$run") temporary files"
  report_round "$line" "$failures_before"
  if ((STATUS != 137)); then   # finished (or broken): the next round starts a fresh run
    chain=$((chain + 1))
    run=$WORK/chain$chain
  fi
done

# --- finish the last chain without a kill
if [[ -d $run ]]; then
  expected=$(latest_checkpoint "$run")
  set_args "$run"
  run_fg "$WORK/final.log" "$BOUND" "$WAVENET" "${ARGS[@]}"
  if ((STATUS != 0)); then
    fail "final rerun: exit status $STATUS: $(tail -2 "$WORK/final.log.err" | tr '\n' ' ')"
  else
    problems=$(check_resume "$WORK/final.log" "$expected" 0)$(check_finished "$run")
    if [[ -n $problems ]]; then
      fail "chain $chain, finished by a rerun from ${expected##*/}: $problems"
    else
      say "chain $chain finished by a rerun from ${expected##*/}: checkpoints equal the uninterrupted run's; $(count_temps "$run") temporary files left in the run directory"
    fi
  fi
fi
soak_finish
