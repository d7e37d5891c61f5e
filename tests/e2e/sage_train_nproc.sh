#!/usr/bin/env bash
# Issue #8, data parallelism end to end: `sage-train --nproc 2` logs the same run as one process
# (same seed, same batch), and a rank that dies ends every rank, with a clear message, a non-zero
# exit and the run marked failed in the store.
set -euo pipefail
train=$1
preset=$2
work=$(mktemp -d)
launcher=
cleanup() {
  if [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null; then kill -KILL "$launcher"; fi
  rm -rf "$work"
}
trap cleanup EXIT
common=(--config "$preset" --set training.threads=1 --set logging.flush_every_steps=1 --quiet)

# 1. One process and two ranks: the same metrics at every step.
"$train" "${common[@]}" --set training.steps=3 --db "$work/one.sqlite"
"$train" "${common[@]}" --set training.steps=3 --db "$work/two.sqlite" --nproc 2
python3 - "$work/one.sqlite" "$work/two.sqlite" <<'PY'
import sqlite3, sys
def metrics(path):
    db = sqlite3.connect(path)
    (status,) = db.execute("select status from runs").fetchone()
    assert status == "finished", f"{path}: status {status}"
    rows = db.execute("select k.name, m.step, m.value from metrics m join metric_keys k on k.id = m.key_id")
    return {(name, step): value for name, step, value in rows}
one, two = metrics(sys.argv[1]), metrics(sys.argv[2])
assert one.keys() == two.keys(), f"different keys: {sorted(one.keys() ^ two.keys())[:5]}"
compared = 0
for key in ("reward", "loss/total", "grad_norm", "ratio/seq_mean", "adv/std", "entropy"):
    for step in (1, 2, 3):
        a, b = one[(key, step)], two[(key, step)]
        assert abs(a - b) <= 1e-4 * max(1.0, abs(a)), f"{key} at step {step}: {a} alone, {b} with 2 ranks"
        compared += 1
print(f"--nproc 2 matches one process on {compared} metric values")
PY

# 1b. The multi-machine path on one machine: two processes started with torchrun's variables meet
# through rank 0's TCPStore and log the same run.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for rank in 0 1; do
  RANK=$rank WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$train" "${common[@]}" --set training.steps=3 --db "$work/tcp.sqlite" &
done
wait
python3 - "$work/one.sqlite" "$work/tcp.sqlite" <<'PY'
import sqlite3, sys
def reward(path):
    db = sqlite3.connect(path)
    (runs,) = db.execute("select count(*) from runs").fetchone()
    assert runs == 1, f"{path}: {runs} runs (rank 0 alone creates one)"
    return [v for (v,) in db.execute("select m.value from metrics m join metric_keys k on k.id = m.key_id "
                                     "where k.name = 'reward' order by m.step")]
one, tcp = reward(sys.argv[1]), reward(sys.argv[2])
assert len(one) == len(tcp) == 3 and all(abs(a - b) <= 1e-4 * max(1.0, abs(a)) for a, b in zip(one, tcp)), (one, tcp)
print("RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT ranks match one process")
PY

# 1c. What every rank would refuse is refused before any starts.
set +e
"$train" "${common[@]}" --set training.contexts=1 --db "$work/bad.sqlite" --nproc 2 2> "$work/bad.err"
code=$?
set -e
[ "$code" -eq 2 ] && grep -q "needs training.contexts of at least 2" "$work/bad.err" ||
  { echo "FAIL: --nproc 2 with one context gave exit $code"; cat "$work/bad.err"; exit 1; }

# 2. Rank 1 is killed mid-run: rank 0 and the launcher end, the run is failed.
"$train" "${common[@]}" --set training.steps=100000 --db "$work/kill.sqlite" --nproc 2 2> "$work/kill.err" &
launcher=$!
step=0
for _ in $(seq 1 600); do
  step=$(sqlite3 "$work/kill.sqlite" "select coalesce(max(step), 0) from metrics" 2>/dev/null || echo 0)
  [ "${step:-0}" -ge 1 ] && break
  sleep 0.1
done
[ "${step:-0}" -ge 1 ] || { echo "FAIL: no step logged within 60 s"; cat "$work/kill.err"; exit 1; }
victim=
for pid in $(pgrep -P "$launcher"); do
  if tr '\0' '\n' < "/proc/$pid/environ" | grep -qx 'RANK=1'; then victim=$pid; fi
done
[ -n "$victim" ] || { echo "FAIL: no rank 1 among the launcher's children"; exit 1; }
kill -KILL "$victim"
set +e
wait "$launcher"
code=$?
set -e
launcher=
cat "$work/kill.err"
[ "$code" -eq 1 ] || { echo "FAIL: exit code $code, expected 1"; exit 1; }
grep -q "rank 1 of 2 was killed by signal 9" "$work/kill.err" || { echo "FAIL: no message naming rank 1"; exit 1; }
status=$(sqlite3 "$work/kill.sqlite" "select status from runs")
error=$(sqlite3 "$work/kill.sqlite" "select error from runs")
[ "$status" = failed ] || { echo "FAIL: run status '$status', expected failed"; exit 1; }
case "$error" in
  *"rank 1 of 2 was killed by signal 9"*) ;;
  *) echo "FAIL: run error '$error' does not name rank 1"; exit 1 ;;
esac
[ "$(sqlite3 "$work/kill.sqlite" "pragma integrity_check")" = ok ]
echo "killed rank 1 after step $step: run failed with '$error'"
