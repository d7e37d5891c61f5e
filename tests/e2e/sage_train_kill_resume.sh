#!/usr/bin/env bash
# Issue #8, crash safety end to end: SIGKILL `sage-train` at random moments, then check that the
# store passes PRAGMA integrity_check, that the next open marks the run interrupted, and that
# `sage-train --resume` finishes it with every step logged exactly once (steps 1..N, no gap).
#
#   sage_train_kill_resume.sh SAGE_TRAIN PRESET [KILLS] [SEED]
#
# KILLS counts SIGKILLs that struck a live process (a process that ended before its moment does not
# count). CI runs 3; run it by hand with 50 for the acceptance check. A run's first resume is killed
# too while kills remain, so resuming a resumed run is covered. SEED makes the moments repeatable.
set -euo pipefail
train=$1
preset=$2
kills=${3:-3}
seed=${4:-$$}
RANDOM=$seed
echo "kill moments from seed $seed (pass it as the fourth argument to repeat them)"
steps=120  # long enough that most moments land while the store is being written
work=$(mktemp -d)
child=
cleanup() {
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then kill -KILL "$child"; fi
  rm -rf "$work"
}
trap cleanup EXIT
# Small flushes and frequent checkpoints give a kill many different states to land in.
settings=(--set training.steps=$steps --set training.threads=1 --set logging.flush_every_steps=3
          --set training.checkpoint_every_steps=4 --quiet)

# How long a whole run takes here, so the kills spread over start-up, training and the end.
start=$(date +%s%N)
"$train" --config "$preset" "${settings[@]}" --db "$work/timing.sqlite"
span_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "an uninterrupted run of $steps steps takes ${span_ms} ms"

check() {  # check DB RUN_ID EXPECTED: the store is intact; prints the run's status
  python3 - "$@" <<'PY'
import sqlite3, sys
path, run, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(path)
(integrity,) = db.execute("pragma integrity_check").fetchone()
assert integrity == "ok", f"{path}: integrity_check says {integrity}"
# Killed between creating the file and committing the schema: an intact, empty store.
if not db.execute("select 1 from sqlite_master where type = 'table' and name = 'runs'").fetchone():
    print("none")
    sys.exit(0)
row = db.execute("select status from runs where id = ?", (run,)).fetchone()
# Every metric up to the last flush: whatever the kill interrupted, the file holds steps 1..k.
logged = [s for (s,) in db.execute(
    "select m.step from metrics m join metric_keys k on k.id = m.key_id "
    "where m.run_id = ? and k.name = 'reward' order by m.step", (run,))]
assert logged == list(range(1, len(logged) + 1)), f"{path}: reward logged at steps {logged}"
print(row[0] if row else "none")
PY
}

contiguous() {  # contiguous DB RUN_ID STEPS: finished, with reward at every step 1..STEPS once
  python3 - "$@" <<'PY'
import sqlite3, sys
path, run, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(path)
status, error = db.execute("select status, error from runs where id = ?", (run,)).fetchone()
assert status == "finished", f"{path}: run {run} is {status}: {error}"
logged = [s for (s,) in db.execute(
    "select m.step from metrics m join metric_keys k on k.id = m.key_id "
    "where m.run_id = ? and k.name = 'reward' order by m.step", (run,))]
assert logged == list(range(1, steps + 1)), f"{path}: reward logged at steps {logged}"
for key in ("loss/total", "grad_norm"):
    (count,) = db.execute("select count(distinct m.step) from metrics m join metric_keys k "
                          "on k.id = m.key_id where m.run_id = ? and k.name = ?", (run, key)).fetchone()
    assert count == steps, f"{path}: {key} at {count} steps"
for (ckpt,) in db.execute("select path from checkpoints where run_id = ?", (run,)):
    import os
    full = ckpt if os.path.isabs(ckpt) else os.path.join(os.path.dirname(os.path.abspath(path)), ckpt)
    assert os.path.exists(full), f"checkpoint {full} is recorded but missing"
PY
}

# kill_at MS CMD...: runs CMD and SIGKILLs it after MS milliseconds unless it ended first.
kill_at() {
  local ms=$1
  shift
  "$@" &
  child=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  if kill -KILL "$child" 2>/dev/null; then
    killed="killed at $ms ms"
    done_kills=$((done_kills + 1))
  else
    killed="ended before $ms ms"
  fi
  { wait "$child"; } 2>/dev/null || true  # without the shell's "Killed" notice
  child=
}

done_kills=0
stores=0
while [ "$done_kills" -lt "$kills" ]; do
  stores=$((stores + 1))
  db="$work/run-$stores.sqlite"
  # 1. A new run, killed somewhere between start-up and a little after its end.
  kill_at $((RANDOM * span_ms / 32768)) "$train" --config "$preset" "${settings[@]}" --db "$db"
  if [ ! -f "$db" ]; then
    echo "kills $done_kills: the new run, $killed, before the store existed"
    continue
  fi
  status=$(check "$db" 1 "$steps")
  echo "kills $done_kills: the new run, $killed, left status $status in the file"
  [ "$status" = none ] && continue  # killed before the run row was written
  # 2. Every second kill also strikes the first resume.
  if [ "$status" != finished ] && [ "$done_kills" -lt "$kills" ]; then
    kill_at $((RANDOM * span_ms / 32768)) "$train" --resume 1 --db "$db" --quiet
    status=$(check "$db" 1 "$steps")
    echo "kills $done_kills: its resume, $killed, left status $status in the file"
  fi
  if [ "$status" != finished ]; then
    "$train" --resume 1 --db "$db" --quiet
    python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
warnings = [m for (m,) in db.execute("select message from events where run_id = 1 and level = 'warning'")]
assert warnings, "a killed run was never marked interrupted"
assert all("interrupted after step" in m for m in warnings), warnings
PY
  fi
  contiguous "$db" 1 "$steps"
  rm -rf "$db"*
done
echo "$done_kills kills over $stores stores: every store intact, every run finished with steps 1..$steps once"
