# Shared by the soak scripts (sourced, not run). Each soak:
#   source lib.sh; soak_init NAME; ...rounds...; soak_finish
# Environment: WAVENET (binary; default build/wavenet relative to the repo root), SOAK_ROUNDS
# (default 10), SOAK_SEED (default: from the clock; printed so a failure can be replayed),
# SOAK_KEEP=1 keeps the work directory, TMPDIR (where the work directory goes, default /tmp).

SOAK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SOAK_FAILURES=0
SOAK_STARTED=()   # process groups we started and have not reaped (timeout leads each group)
SOAK_MOUNTS=()    # tmpfs mounts to undo
SOAK_ROUNDS_PASSED=0

say() { printf '%s: %s\n' "$SOAK_NAME" "$*"; }

# A failed check: counted, the soak goes on with its next round and exits 1 at the end.
fail() {
  SOAK_FAILURES=$((SOAK_FAILURES + 1))
  printf '%s: FAIL: %s\n' "$SOAK_NAME" "$*" >&2
}

# A broken setup (not a finding about the tool): stop at once.
die() {
  printf '%s: cannot run: %s\n' "$SOAK_NAME" "$*" >&2
  exit 3
}

soak_init() {
  SOAK_NAME=$1
  WAVENET=${WAVENET:-build/wavenet}
  case $WAVENET in /*) ;; *) WAVENET=$SOAK_ROOT/$WAVENET ;; esac
  [[ -x $WAVENET ]] || die "no executable at $WAVENET (build first, or set WAVENET)"
  ROUNDS=${SOAK_ROUNDS:-10}
  SEED=${SOAK_SEED:-$(( $(date +%s%N) / 1000 % 1000000 ))}
  RANDOM=$SEED   # every random choice below comes from bash's seeded generator
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/soak-$SOAK_NAME.XXXXXX")
  trap soak_cleanup EXIT
  trap 'exit 130' INT TERM   # the EXIT trap then cleans up
  say "seed $SEED (replay with SOAK_SEED=$SEED), $ROUNDS rounds, binary $WAVENET, work dir $WORK"
  SOAK_START_NS=$(date +%s%N)
}

soak_cleanup() {
  local status=$? pgid m
  trap - EXIT
  for pgid in "${SOAK_STARTED[@]}"; do
    # Only groups whose leader we have not reaped: their id cannot have been reused. SIGCONT
    # first, for a stopped process (SIGKILL works anyway). A group may be gone by now.
    kill -CONT -- "-$pgid" 2>/dev/null || :
    kill -KILL -- "-$pgid" 2>/dev/null || :
  done
  for m in "${SOAK_MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || :; done
  if [[ ${SOAK_KEEP:-0} == 1 ]]; then
    say "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}

# One summary line; exit status 1 if any check failed.
soak_finish() {
  local seconds=$(( ($(date +%s%N) - SOAK_START_NS) / 1000000000 ))
  if ((SOAK_FAILURES == 0)); then
    say "PASS: $SOAK_ROUNDS_PASSED of $ROUNDS rounds passed in ${seconds} s (seed $SEED)"
    exit 0
  fi
  say "FAIL: $SOAK_FAILURES failed checks, $SOAK_ROUNDS_PASSED of $ROUNDS rounds passed in ${seconds} s (seed $SEED; replay with SOAK_SEED=$SEED)"
  exit 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# REPLY = a uniform integer in [lo, hi] (30 random bits; no subshell, which would not advance
# the seeded generator).
rand_between() {
  local lo=$1 hi=$2
  REPLY=$(( lo + ((RANDOM << 15) | RANDOM) % (hi - lo + 1) ))
}

sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# start_bg LOG BOUND_SECONDS CMD...: runs CMD under timeout in the background; BG = timeout's
# pid, which is also the process group of CMD and everything CMD starts. stdout goes to LOG.out,
# stderr to LOG.err. A run past BOUND gets SIGTERM, then SIGKILL 5 s later; its status is then
# 124 (or 137), reported as a hang by the callers.
start_bg() {
  local log=$1 bound=$2
  shift 2
  timeout -k 5 "$bound" "$@" >"$log.out" 2>"$log.err" &
  BG=$!
  SOAK_STARTED+=("$BG")
}

# STATUS = exit status of the background run BG (no set -e abort on non-zero).
wait_bg() {
  local i
  STATUS=0
  { wait "$1" || STATUS=$?; } 2>/dev/null   # without bash's "Killed" job notice
  for i in "${!SOAK_STARTED[@]}"; do [[ ${SOAK_STARTED[i]} != "$1" ]] || unset "SOAK_STARTED[i]"; done
}

# run_fg LOG BOUND CMD...: start_bg + wait_bg.
run_fg() {
  start_bg "$@"
  wait_bg "$BG"
}

# SIGKILL the whole group of a start_bg run (before wait_bg reaps its leader, so the id is
# still ours). It may have finished already (then nothing is left to kill and kill fails; the
# caller tells the two cases apart by the exit status).
kill_group() {
  kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null || :
}

# running BG: true while the start_bg run BG has not exited (its timeout process, which exits
# with the program, stays a zombie until wait_bg, so its pid cannot be reused meanwhile).
running() {
  local state=Z
  { read -r _ _ state _ <"/proc/$1/stat"; } 2>/dev/null || :
  [[ $state != Z ]]
}

# REPLY = pid of the program timeout started for BG (empty if the run has exited).
tool_pid() {
  local i
  REPLY=
  for ((i = 0; i < 500; i++)); do
    REPLY=$(pgrep -P "$1" | head -1) || :
    [[ -z $REPLY ]] && running "$1" || return 0
    sleep 0.01
  done
}

# wait_for_file BG GLOB: returns 0 as soon as a file matching GLOB exists (polled without
# sleeping: a file write lasts milliseconds), 1 if the run BG exits first or 120 s pass.
wait_for_file() {
  local end=$((SECONDS + 120))
  while running "$1" && ((SECONDS < end)); do
    compgen -G "$2" >/dev/null && return 0
  done
  return 1
}

# Ends a round: counts it as passed when no failure was recorded since $2, and says line $1.
report_round() {
  if ((SOAK_FAILURES == $2)); then
    SOAK_ROUNDS_PASSED=$((SOAK_ROUNDS_PASSED + 1))
    say "$1: ok"
  else
    say "$1: FAILED"
  fi
}

# One round of a kill soak: starts "$@" in the background ($BOUND-limited, log $1), waits a random
# moment in (0, $T) ms and kills its process group. Every third round ($2) the kill waits instead
# for the first write of a file matching $3 after that moment (a write lasts milliseconds, so
# uniform moments alone rarely hit one); $4 names such a write. Sets WHEN and STATUS.
kill_round() {
  local log=$1 round=$2 temp_glob=$3 write=$4 delay
  shift 4
  rand_between 1 $((T - 1))
  delay=$REPLY
  start_bg "$log" "$BOUND" "$@"
  sleep_ms "$delay"
  WHEN="at $delay of $T ms"
  if ((round % 3 == 0)); then
    WHEN="in the first $write after $delay ms"
    wait_for_file "$BG" "$temp_glob" || WHEN="$WHEN (none came)"
  fi
  kill_group "$BG"
  wait_bg "$BG"
}

# A small speech corpus, deterministic (espeak-ng output depends only on voice, speed, text):
# make_corpus DIR VOICES SENTENCES_PER_VOICE
make_corpus() {
  local dir=$1 voices=$2 per_voice=$3 v i
  local -a all_voices=(en-us en-gb de fr es it en-gb-scotland en-gb-x-rp)
  local -a text=(
    "The quick brown fox jumps over the lazy dog."
    "A WaveNet generates raw audio one sample at a time."
    "Researchers train neural vocoders on large corpora of recorded speech."
    "Mel spectrograms summarise the energy of speech in perceptual bands."
    "The dilated convolutions double their reach at every layer."
    "She sells sea shells by the sea shore on a sunny afternoon.")
  command -v espeak-ng >/dev/null || die "espeak-ng not found (apt-get install espeak-ng)"
  for ((v = 0; v < voices; v++)); do
    mkdir -p "$dir/${all_voices[v]}"
    for ((i = 0; i < per_voice; i++)); do
      timeout 60 espeak-ng -v "${all_voices[v]}" -s $((140 + 5 * i)) -w "$dir/${all_voices[v]}/$i.wav" \
        "${text[i % 6]} ${text[(i + 2) % 6]}" || die "espeak-ng failed"
    done
  done
}

# ---- checks on preprocess outputs ------------------------------------------------------------

need_hdf5_tools() {
  command -v h5diff >/dev/null && command -v h5dump >/dev/null ||
    die "h5diff/h5dump not found (apt-get install -y --no-install-recommends hdf5-tools)"
}

# same_shard REF_DIR DIR NAME: the shard DIR/NAME equals REF_DIR/NAME: same structure, types,
# chunking and attribute values (h5dump -A -p), and the same values in every dataset (h5diff,
# exact: no tolerance). h5diff exits 0 when it meets objects it cannot compare (different
# shapes), so its "Not comparable" report counts as a difference.
same_shard() {
  local ref=$1 dir=$2 name=$3 out
  if ! cmp -s <(cd "$ref" && timeout 60 h5dump -A -p "$name" 2>&1) <(cd "$dir" && timeout 60 h5dump -A -p "$name" 2>&1); then
    echo "$dir/$name: structure or attributes differ from the reference"
    return 1
  fi
  if ! out=$(timeout 60 h5diff "$ref/$name" "$dir/$name" 2>&1) || grep -qi "not comparable" <<<"$out"; then
    echo "$dir/$name: data differ from the reference: $(head -c 400 <<<"$out")"
    return 1
  fi
}

# Relative paths of the files under DIR, sorted (hidden ones included).
file_list() { (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); }

# check_preprocess_partial REF DIR: whatever a killed or failed run left under final names is
# complete and equal to the reference: shards (h5), per-shard done records, fingerprint,
# manifest and report. Temporary files (NAME.tmp.PID.N) are allowed. Prints problems, returns 1.
check_preprocess_partial() {
  local ref=$1 dir=$2 f bad=0
  [[ -d $dir ]] || return 0
  while IFS= read -r f; do
    case $f in
      *.tmp.*) continue ;;
      *.h5) same_shard "$ref" "$dir" "$f" || bad=1 ;;
      *)
        if [[ ! -f $ref/$f ]]; then
          echo "$dir/$f: not in the reference output"
          bad=1
        elif ! cmp -s "$ref/$f" "$dir/$f"; then
          echo "$dir/$f: differs from the reference: $(diff "$ref/$f" "$dir/$f" | head -5 | tr '\n' ' ')"
          bad=1
        fi ;;
    esac
  done < <(file_list "$dir")
  return $bad
}

# check_preprocess_complete REF DIR: same files as the reference (no leftovers, nothing
# missing), each equal to the reference's.
check_preprocess_complete() {
  local ref=$1 dir=$2 lists
  if ! lists=$(diff <(file_list "$ref") <(file_list "$dir")); then
    echo "$dir: files differ from the reference (< reference, > this run): $(tr '\n' ' ' <<<"$lists")"
    return 1
  fi
  check_preprocess_partial "$ref" "$dir"
}

# Final shard names, not temporary ones.
count_shards() { if [[ -d $1 ]]; then find "$1" -maxdepth 1 -name '*.h5' | wc -l; else echo 0; fi; }
count_temps() { if [[ -d $1 ]]; then find "$1" -name '*.tmp.*' | wc -l; else echo 0; fi; }

# ---- checks on checkpoints -------------------------------------------------------------------

# Every record of a checkpoint (a zip archive written by torch) as "name length crc32", from
# the archive's central directory. Records <archive>/data/<n> are the tensors; data.pkl holds
# the dict around them (step, loader position, config, per-tensor CRC-32C checksums, ...).
checkpoint_records() {
  timeout 60 unzip -v "$1" | awk '$2 ~ /^(Stored|Defl|Shrunk|Reduced|Implode|BZip|LZMA)/ { print $8, $1, $7 }'
}

# The archive's records are readable and match their CRCs (unzip recomputes them).
checkpoint_intact() { timeout 60 unzip -tq "$1" >/dev/null 2>&1; }

# same_checkpoint A B: every record (tensors and data.pkl) has the same name, length and
# CRC-32. Prints the differing records and returns 1 otherwise.
same_checkpoint() {
  local d
  if ! checkpoint_intact "$1"; then echo "$1: unzip -t finds damage"; return 1; fi
  if ! checkpoint_intact "$2"; then echo "$2: unzip -t finds damage"; return 1; fi
  if ! d=$(diff <(checkpoint_records "$1") <(checkpoint_records "$2")); then
    echo "$2 differs from $1 in $(grep -c '^>' <<<"$d") records, e.g. $(grep '^[<>]' <<<"$d" | head -4 | tr '\n' ' ')"
    return 1
  fi
}

# Checkpoint files under their final names, oldest first.
final_checkpoints() { [[ ! -d $1 ]] || find "$1" -maxdepth 1 -name 'checkpoint_*.pt' | LC_ALL=C sort; }

# The last "wavenet: error: ..." line of a log ("" if none).
last_error() { grep -h '^wavenet: error: ' "$@" | tail -1 || :; }
