#!/usr/bin/env bash
# Soak: multi-process training (`wavenet train --nproc 2`: a launcher and two workers over Gloo
# on 127.0.0.1) loses a worker.
#
# Each round, at a random moment after both workers joined, one worker (random rank) is
#   - killed (SIGKILL): its sockets close, so the other notices at once, or
#   - stopped (SIGSTOP): it holds its sockets open and says nothing, so the other can only
#     notice when train.dist_timeout_s runs out.
# Expected: the surviving worker exits within the timeout (plus 5 s of slack), the launcher
# within the timeout plus its 10 s grace for the workers it stops (plus 5 s), with exit status
# 2 and an error line naming the lost rank.
# After the rounds, one targeted case: rank 0 stopped while it evaluates (rank 1 is then not in
# a collective but waiting for rank 0's "done" mark); the same expectations hold.
# SOAK_DIST_TIMEOUT sets train.dist_timeout_s (default 20).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
soak_init dist_peer_loss

TIMEOUT=${SOAK_DIST_TIMEOUT:-20}
GRACE=10                          # the launcher's SIGTERM-to-SIGKILL wait for workers it stops
BOUND=$((TIMEOUT + GRACE + 60))   # timeout(1) bound of one run; the checks below are tighter

make_corpus "$WORK/corpus" 4 6
run_fg "$WORK/preprocess.log" 300 "$WAVENET" preprocess "$WORK/corpus" "$WORK/shards" --config tiny
((STATUS == 0)) || die "preprocess failed: $(tail -2 "$WORK/preprocess.log.err")"

# A run that would last hours, with evaluations and checkpoints every 10 steps (the moments
# when rank 0 works alone and the others wait for it).
train_args() {
  ARGS=(train --data "$WORK/shards" --run-dir "$1" --nproc 2 --config tiny train.max_steps=1000000
    train.max_time_steps=1024 train.log_every=10 train.checkpoint_every=10 train.keep_last=1
    train.eval_every=10 train.eval_audio_seconds=0.05 train.dist_timeout_s=$TIMEOUT)
}

# REPLY = pid of the worker of rank $2 among the children of launcher $1.
worker_of_rank() {
  local p
  REPLY=
  for p in $(pgrep -P "$1"); do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "RANK=$2"; then REPLY=$p; fi
  done
}

# lose_worker NAME SIGNAL RANK DELAY_MS [WAIT_FOR_LOG_REGEX] [extra overrides...]
# Starts a run, waits for both workers to join (and for WAIT_FOR_LOG_REGEX in the log, if
# given), waits DELAY_MS, sends SIGNAL to the worker of RANK and checks the exits. Sets LINE.
lose_worker() {
  local name=$1 sig=$2 rank=$3 delay=$4 marker=${5:-} log=$WORK/$1 launcher victim survivor
  shift 5
  train_args "$WORK/run_$name"
  start_bg "$log" "$BOUND" "$WAVENET" "${ARGS[@]}" "$@"
  tool_pid "$BG"
  launcher=$REPLY
  local i end=$((SECONDS + 120))
  until [[ $(grep -c "of 2 joined" "$log.err" 2>/dev/null) == 2 ]] && { [[ -z $marker ]] || grep -q "$marker" "$log.err"; }; do
    if ((SECONDS > end)) || [[ -z $launcher ]] || ! running "$BG"; then
      fail "$name: the workers did not start: $(tail -2 "$log.err" | tr '\n' ' ')"
      LINE="$name: no start"
      kill_group "$BG"
      wait_bg "$BG"
      return
    fi
    sleep 0.1
  done
  sleep_ms "$delay"
  worker_of_rank "$launcher" "$rank"
  victim=$REPLY
  worker_of_rank "$launcher" $((1 - rank))
  survivor=$REPLY
  if [[ -z $victim || -z $survivor ]]; then
    fail "$name: a worker exited before the signal: $(grep -h 'error' "$log.err" | head -2 | tr '\n' ' ')"
    LINE="$name: worker gone early"
    kill_group "$BG"
    wait_bg "$BG"
    return
  fi
  local t0 survivor_ms=- launcher_ms=- limit_ms=$(((TIMEOUT + GRACE + 5) * 1000))
  t0=$(now_ms)
  kill "-$sig" "$victim"
  # Watch both exits (a worker is reaped by the launcher at once; timeout exits with the
  # launcher).
  while (($(now_ms) - t0 < limit_ms + 5000)); do
    if [[ $survivor_ms == - ]] && ! kill -0 "$survivor" 2>/dev/null; then survivor_ms=$(($(now_ms) - t0)); fi
    if ! running "$BG"; then launcher_ms=$(($(now_ms) - t0)); break; fi
    sleep 0.1
  done
  # Once the launcher is gone, nothing it started may be left running (or stopped).
  local left=
  if [[ $launcher_ms != - ]]; then
    sleep 0.5
    left=$(pgrep -g "$BG" | grep -vx "$BG" | tr '\n' ' ') || :
  fi
  # A launcher that exited has reaped the victim; otherwise the victim may still be stopped.
  [[ $launcher_ms != - ]] || kill -CONT "$victim" 2>/dev/null || :
  kill_group "$BG"
  wait_bg "$BG"
  local error
  error=$(last_error "$log.err")
  LINE="$name: SIG$sig to rank $rank after ${delay} ms: survivor exited after ${survivor_ms} ms, launcher after ${launcher_ms} ms with status $STATUS; ${error:-no error line}"
  [[ -z $left ]] || fail "$name: processes left after the launcher exited: $left"
  if [[ $launcher_ms == - ]]; then
    fail "$name: hang: the launcher had not exited $(((limit_ms + 5000) / 1000)) s after SIG$sig to rank $rank (survivor: ${survivor_ms} ms); $(grep -h 'error' "$log.err" | head -2 | tr '\n' ' ')"
    return
  fi
  [[ $survivor_ms != - ]] && ((survivor_ms <= (TIMEOUT + 5) * 1000)) ||
    fail "$name: the surviving worker took ${survivor_ms} ms to exit (timeout ${TIMEOUT} s)"
  ((launcher_ms <= limit_ms)) || fail "$name: the launcher took ${launcher_ms} ms to exit (limit $((limit_ms / 1000)) s)"
  ((STATUS == 2)) || fail "$name: launcher exit status $STATUS, not 2"
  grep '^wavenet: error: ' "$log.err" | grep -Eq "rank $rank([^0-9]|$)" ||
    fail "$name: no error line names the lost rank $rank: $(grep '^wavenet: error: ' "$log.err" | tr '\n' ' ')"
}

for ((r = 1; r <= ROUNDS; r++)); do
  failures_before=$SOAK_FAILURES
  lines=()
  for sig in KILL STOP; do
    rand_between 0 1
    rank=$REPLY
    rand_between 0 3000
    lose_worker "round${r}_$sig" "$sig" "$rank" "$REPLY" ""
    lines+=("$LINE")
  done
  status_word=ok
  ((SOAK_FAILURES == failures_before)) || status_word=FAILED
  [[ $status_word == ok ]] && SOAK_ROUNDS_PASSED=$((SOAK_ROUNDS_PASSED + 1))
  say "round $r/$ROUNDS: ${lines[0]} | ${lines[1]}: $status_word"
done

# Rank 0 stopped during an evaluation: long evaluations at every step, the stop 0.2 s after
# the first one ended (rank 0 is then most likely in the next one).
failures_before=$SOAK_FAILURES
lose_worker primary_busy STOP 0 200 "step 1: validation loss" train.eval_every=1 train.eval_audio_seconds=3
status_word=ok
((SOAK_FAILURES == failures_before)) || status_word=FAILED
say "rank 0 stopped while evaluating: $LINE: $status_word"
soak_finish
