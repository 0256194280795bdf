#!/usr/bin/env bash
# Soak: preprocess and training checkpoints on a filesystem that fills up.
#
# Two ways to run out of space, alternating by round:
#   tmpfs  - the output goes to a tmpfs of a random size below what the job needs: writes fail
#            with ENOSPC, as on a full disk. Needs mount rights (root with CAP_SYS_ADMIN); used
#            when a probe mount works, otherwise every round uses ulimit.
#   ulimit - RLIMIT_FSIZE (ulimit -f) of a random size with SIGXFSZ ignored: a write past the
#            limit fails with EFBIG instead of killing the process. Works anywhere, but limits
#            each file rather than the total.
# Each round: (1) preprocess runs out of space; (2) a training run fails to write a checkpoint.
# Expected each time: exit status 2 (1 would be an internal error, a signal a crash) and one
# error line naming the cause; every file left under a final name (shards, records, checkpoints)
# complete and equal to an unconstrained run's; then, with space again, a rerun completes and
# its output equals the unconstrained run's (for training: it resumes from the last checkpoint
# written before the failure, which proves that checkpoint loads). Temporary names
# (NAME.tmp.PID.N) are counted, not failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
soak_init disk_full
need_hdf5_tools
export OMP_NUM_THREADS=1   # bitwise-reproducible training needs a fixed thread count
BOUND=300
STEPS=8

make_corpus "$WORK/corpus" 8 4
PREPROCESS=(preprocess "$WORK/corpus" OUT --config tiny data.shard_size_mb=1)
TRAIN=(train --data "$WORK/shards" --run-dir OUT --config tiny train.max_time_steps=1024
  train.checkpoint_every=2 train.keep_last=2 train.log_every=2 train.eval_every=4 train.eval_audio_seconds=0.05)
# ARGS = one of the commands above with OUT replaced by $2.
set_args() {
  local -n cmd=$1
  ARGS=("${cmd[@]/#OUT/$2}")
}

mkdir -p "$WORK/probe"
if mount -t tmpfs -o size=64k tmpfs "$WORK/probe" 2>/dev/null && umount "$WORK/probe"; then
  MODES=(tmpfs ulimit)
else
  MODES=(ulimit)
  say "cannot mount a tmpfs here: every round uses ulimit -f"
fi

# The unconstrained runs everything is compared with.
set_args PREPROCESS "$WORK/shards"
run_fg "$WORK/ref_preprocess.log" "$BOUND" "$WAVENET" "${ARGS[@]}"
((STATUS == 0)) || die "preprocess failed: $(tail -2 "$WORK/ref_preprocess.log.err")"
SHARDS_KB=$(du -sk "$WORK/shards" | cut -f1)
set_args TRAIN "$WORK/ref_run"
run_fg "$WORK/ref_train.log" "$BOUND" "$WAVENET" "${ARGS[@]}" train.max_steps=$STEPS
((STATUS == 0)) || die "training failed: $(tail -2 "$WORK/ref_train.log.err")"
CKPT_KB=$(( $(stat -c %s "$(final_checkpoints "$WORK/ref_run" | tail -1)") / 1024 ))
SHARD_SIZES_KB=($(find "$WORK/shards" -name '*.h5' -printf '%k\n' | sort -n))
say "modes: ${MODES[*]}; preprocess output $SHARDS_KB KB (shards ${SHARD_SIZES_KB[0]}-${SHARD_SIZES_KB[-1]} KB), checkpoints $CKPT_KB KB"

# check_error LOG STATUS: the run failed the way a full disk should fail it. Prints problems.
check_error() {
  local log=$1 status=$2 other errors
  if ((status > 128)); then
    echo "killed by SIG$(kill -l $((status - 128))) (exit status $status) after: $(tail -1 "$log.err")"
    return
  elif ((status != 2)); then
    echo "exit status $status, not 2: $(tail -2 "$log.err" | tr '\n' ' ')"
    return
  fi
  errors=$(grep -c '^wavenet: error: ' "$log.err") || :
  # Anything that is neither a log line, a progress line nor the error line is noise the
  # user should not see (HDF5 diagnostics, "terminate called ...").
  other=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ (DEBUG|INFO|WARN)|^(preprocess|train): |^wavenet: error: ' "$log.err" | head -3) || :
  if ((errors != 1)) || [[ -n $other ]]; then
    echo "not one error line: $errors error lines, other output: $other"
  elif ! grep -Eqi 'no space left|file too large|disk full|quota' "$log.err"; then
    echo "the error does not name the cause: $(grep '^wavenet: error: ' "$log.err")"
  fi
}

# limited MODE KB LOG CMD...: runs CMD with KB of space: under a file size limit (ulimit), or
# as is (tmpfs: the caller mounted a tmpfs of KB with mount_small where CMD writes).
limited() {
  local mode=$1 kb=$2 log=$3
  shift 3
  if [[ $mode == ulimit ]]; then
    run_fg "$log" "$BOUND" bash -c 'ulimit -f "$1"; trap "" XFSZ; shift; exec "$@"' _ "$kb" "$@"
  else
    run_fg "$log" "$BOUND" "$@"
  fi
}

mount_small() {   # DIR KB
  mkdir -p "$1"
  mount -t tmpfs -o size="$2k" tmpfs "$1" || die "mount of a tmpfs at $1 failed"
  SOAK_MOUNTS+=("$1")
}

for ((r = 1; r <= ROUNDS; r++)); do
  failures_before=$SOAK_FAILURES
  mode=${MODES[(r - 1) % ${#MODES[@]}]}
  dir=$WORK/round$r
  mkdir -p "$dir"

  # (1) preprocess. tmpfs: room for 5-100% of the output; every third round only the last
  # 4-64 KB are missing, so a done record, the report or the manifest is what fails. ulimit:
  # a file limit between half the smallest and the largest shard, so some shards may fit and
  # the first that does not fails.
  if [[ $mode == tmpfs ]]; then
    if ((r % 3 == 0)); then
      rand_between 4 64
      REPLY=$((SHARDS_KB - REPLY))
    else
      rand_between $((SHARDS_KB / 20)) "$SHARDS_KB"
    fi
    mount_small "$dir" "$REPLY"
  else
    rand_between $((SHARD_SIZES_KB[0] / 2)) $((SHARD_SIZES_KB[-1]))
  fi
  room=$REPLY
  set_args PREPROCESS "$dir/shards"
  limited "$mode" "$room" "$dir/pp" "$WAVENET" "${ARGS[@]}"
  status=$STATUS
  pp="preprocess with $room KB: status $status, $(count_shards "$dir/shards") shards, $(count_temps "$dir/shards") temporary files"
  problems=
  if ((status == 0)); then   # it fit after all
    differences=$(check_preprocess_complete "$WORK/shards" "$dir/shards") || problems=$differences
  else
    problems=$(check_error "$dir/pp" "$status")
    differences=$(check_preprocess_partial "$WORK/shards" "$dir/shards") || problems+=" $differences"
  fi
  [[ -z $problems ]] || fail "round $r ($mode): preprocess with $room KB: $problems"
  # Space again: the rerun completes what is missing.
  [[ $mode == tmpfs ]] && mount -o remount,size=$((SHARDS_KB * 3))k "$dir"
  run_fg "$dir/pp_rerun" "$BOUND" "$WAVENET" "${ARGS[@]}"
  if ((STATUS != 0)); then
    fail "round $r ($mode): preprocess rerun with space: status $STATUS: $(tail -2 "$dir/pp_rerun.err" | tr '\n' ' ')"
  elif ! problems=$(check_preprocess_complete "$WORK/shards" "$dir/shards"); then
    fail "round $r ($mode): preprocess rerun output differs: $problems"
  fi

  # (2) a checkpoint write. tmpfs: room for 0.5 to 2.9 checkpoints, so the 1st, 2nd or 3rd
  # write fails (2 are kept; the 3rd is written before the oldest is pruned). ulimit: every
  # checkpoint is too large, so the run first trains half the steps without the limit and the
  # limited run extends it (a raised train.max_steps continues a finished run).
  run=$dir/run
  set_args TRAIN "$run"
  if [[ $mode == tmpfs ]]; then
    rand_between $((CKPT_KB / 2)) $((CKPT_KB * 29 / 10))
    mount_small "$run" "$REPLY"
  else
    rand_between 64 $((CKPT_KB - 1))
    run_fg "$dir/train_first" "$BOUND" "$WAVENET" "${ARGS[@]}" train.max_steps=$((STEPS / 2))
    ((STATUS == 0)) || fail "round $r ($mode): training without a limit failed: $(tail -2 "$dir/train_first.err")"
  fi
  room=$REPLY
  limited "$mode" "$room" "$dir/train" "$WAVENET" "${ARGS[@]}" train.max_steps=$STEPS
  status=$STATUS
  kept=$(final_checkpoints "$run" | tail -1)
  kept_name=${kept##*/}
  tr="training with $room KB: status $status, kept ${kept_name:-no checkpoint}, $(count_temps "$run") temporary files"
  if ((status == 0)); then
    problems="training did not run out of space with $room KB"
  else
    problems=$(check_error "$dir/train" "$status")
    for ckpt in $(final_checkpoints "$run"); do
      checkpoint_intact "$ckpt" || problems+=" $ckpt: damaged or partial under its final name"
    done
  fi
  [[ -z $problems ]] || fail "round $r ($mode): $tr: $problems"
  # Space again: the rerun resumes from the last checkpoint and ends where the reference did.
  [[ $mode == tmpfs ]] && mount -o remount,size=$((CKPT_KB * 8))k "$run"
  run_fg "$dir/train_rerun" "$BOUND" "$WAVENET" "${ARGS[@]}" train.max_steps=$STEPS
  if ((STATUS != 0)); then
    fail "round $r ($mode): training rerun with space: status $STATUS: $(tail -2 "$dir/train_rerun.err" | tr '\n' ' ')"
  else
    if [[ -n $kept ]] && ! grep -q "resuming from $kept at step" "$dir/train_rerun.err" "$dir/train_rerun.out"; then
      fail "round $r ($mode): the rerun did not resume from $kept: $(grep -h "resuming" "$dir/train_rerun.err" | head -1)"
    fi
    for ckpt in $(final_checkpoints "$WORK/ref_run"); do
      problems=$(same_checkpoint "$ckpt" "$run/${ckpt##*/}") || fail "round $r ($mode): after the rerun: $problems"
    done
  fi

  report_round "round $r/$ROUNDS ($mode): $pp; $tr" "$failures_before"
  if [[ $mode == tmpfs ]]; then umount "$run" && umount "$dir"; fi
  rm -rf "$dir"
done
soak_finish
