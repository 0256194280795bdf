#!/usr/bin/env bash
# Soak: `wavenet preprocess` killed with SIGKILL at random moments, then rerun.
#
# The tool keeps per-shard done records in OUTPUT/.preprocess and writes every file under a
# temporary name (NAME.tmp.PID.N) before renaming it, so a rerun of the same command resumes.
# Each round starts the command on the current output directory and SIGKILLs it at a moment
# drawn uniformly from (0, T), T = the duration of an uninterrupted run (every third round: in
# the first shard write after such a moment, polled for its temporary file). Kills land in fresh
# runs and in resumed runs (a chain of kills on one directory); when a run finishes before its
# kill, its output is checked, a rerun must be a no-op, and the next round starts a new chain.
#
# After every kill: everything under a final name (shards, records, manifest, report) equals
# the uninterrupted run's (temporary files may be left; the rerun deletes them), and the rerun
# resumes exactly the shards whose record and file are both present. At the end of a chain the
# output equals the uninterrupted run's file for file: shards by h5dump (structure, chunking,
# attributes) and h5diff (every value, exact), everything else byte for byte (the manifest
# included: no field of it depends on the run's history).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
soak_init preprocess_kill
need_hdf5_tools

# 64 espeak-ng utterances (~7 min of speech), plus a file that is not audio (ignored) and a .wav
# libsndfile cannot read (listed in report.yaml), so the report and manifest are not trivial.
make_corpus "$WORK/corpus" 8 8
echo "not audio" >"$WORK/corpus/notes.txt"
printf 'RIFF\044\000\000\000WAVEjunk' >"$WORK/corpus/broken.wav"

# ARGS = the command for output directory $1. Small shards (about one utterance each) give many
# shard boundaries to land on; the 8192-point FFT at hop 128 makes a second of audio cost more
# CPU, so a run lasts seconds without a large corpus on disk.
set_args() {
  ARGS=(preprocess "$WORK/corpus" "$1" --config tiny data.shard_size_mb=1
    audio.n_fft=8192 audio.win_length=8192 audio.hop_length=128 model.upsample_scales=4,4,8)
}
BOUND=300   # seconds; a run that takes longer is a hang

# Shards a rerun should keep: those with a done record whose file is present.
resumable() {
  local n=0 rec
  for rec in "$1"/.preprocess/*.h5.yaml; do
    [[ -e $rec ]] || continue
    local shard=${rec##*/}
    [[ -f $1/${shard%.yaml} ]] && n=$((n + 1))
  done
  echo "$n"
}

# The "resuming: K of N shards" count a run logged, or "-" if it logged none (yet).
logged_resume() {
  local k
  k=$(sed -n 's/.*resuming: \([0-9]*\) of .*/\1/p' "$1.err" "$1.out" | head -1)
  echo "${k:--}"
}

# --- the uninterrupted reference run
ref=$WORK/reference
t0=$(now_ms)
set_args "$ref"
run_fg "$WORK/reference.log" "$BOUND" "$WAVENET" "${ARGS[@]}"
T=$(($(now_ms) - t0))
((STATUS == 0)) || die "uninterrupted run failed with status $STATUS: $(tail -3 "$WORK/reference.log.err")"
say "uninterrupted run: $(count_shards "$ref") shards in $T ms; kill moments uniform in (0, $T) ms"

# --- rounds
chain=1
out=$WORK/chain$chain
for ((r = 1; r <= ROUNDS; r++)); do
  failures_before=$SOAK_FAILURES
  expect=$(resumable "$out")
  log=$WORK/round$r.log
  set_args "$out"
  kill_round "$log" "$r" "$out/*.h5.tmp.*" "shard write" "$WAVENET" "${ARGS[@]}"
  when=$WHEN
  resumed=$(logged_resume "$log")
  # A killed run may not have logged its decision yet; a finished one has, if it kept any.
  if [[ $resumed != - && $resumed != "$expect" ]] || [[ $resumed == - && $STATUS == 0 && $expect != 0 ]]; then
    fail "round $r: the run resumed $resumed shards; $expect had a done record and a file"
  fi
  case $STATUS in
    137)
      what="killed"
      if ! problems=$(check_preprocess_partial "$ref" "$out"); then
        fail "round $r: after the kill $when: $problems"
      fi
      ;;
    0)
      what="finished before the kill"
      if ! problems=$(check_preprocess_complete "$ref" "$out"); then
        fail "round $r: finished output differs: $problems"
      fi
      # A rerun of a finished output must keep everything and change nothing.
      run_fg "$log.again" "$BOUND" "$WAVENET" "${ARGS[@]}"
      if ((STATUS != 0)) || ! grep -q "shards: 0 written" "$log.again.out"; then
        fail "round $r: rerun of a finished output: status $STATUS, $(grep -h "shards:\|error" "$log.again.out" "$log.again.err" | head -2)"
      elif ! problems=$(check_preprocess_complete "$ref" "$out"); then
        fail "round $r: a no-op rerun changed the output: $problems"
      fi
      ;;
    124) fail "round $r: the run hung (no exit within $BOUND s)" ;;
    *) fail "round $r: exit status $STATUS: $(tail -2 "$log.err" | tr '\n' ' ')" ;;
  esac
  line="round $r/$ROUNDS: kill $when: $what (chain $chain); resumed $resumed (expected $expect); $(count_shards "$out") shards final, $(count_temps "$out") temporary files"
  report_round "$line" "$failures_before"
  if ((STATUS != 137)); then   # finished (or broken): the next round starts a fresh output
    chain=$((chain + 1))
    out=$WORK/chain$chain
  fi
done

# --- finish the last chain without a kill
if [[ -d $out ]]; then
  expect=$(resumable "$out")
  set_args "$out"
  run_fg "$WORK/final.log" "$BOUND" "$WAVENET" "${ARGS[@]}"
  resumed=$(logged_resume "$WORK/final.log")
  [[ $resumed == - ]] && resumed=0
  if ((STATUS != 0)); then
    fail "final rerun: exit status $STATUS: $(tail -2 "$WORK/final.log.err" | tr '\n' ' ')"
  elif ((resumed != expect)); then
    fail "final rerun resumed $resumed shards; $expect had a done record and a file"
  elif ! problems=$(check_preprocess_complete "$ref" "$out"); then
    fail "final output of chain $chain differs: $problems"
  else
    say "chain $chain finished by a rerun (resumed $resumed shards): output identical"
  fi
fi
soak_finish
