#!/usr/bin/env bash
# Acceptance: sage-train with the quickstart preset finishes in under two minutes and leaves one
# finished run with its configuration, >= 20 steps of loss/total, reward and ratio/token_mean, and
# the final evaluation.
set -euo pipefail
train=$1
preset=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/q.sqlite

start=$(date +%s)
"$train" --config "$preset" --db "$db"
elapsed=$(( $(date +%s) - start ))
echo "quickstart took ${elapsed}s"
[ "$elapsed" -lt 120 ] || { echo "FAIL: took ${elapsed}s, limit 120s"; exit 1; }

python3 - "$db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
runs = db.execute("select id, status, config_json from runs").fetchall()
assert len(runs) == 1, f"expected one run, got {runs}"
run_id, status, config = runs[0]
assert status == "finished", f"status is {status}"
assert json.loads(config)["name"] == "quickstart", "configuration not stored"
for key in ("loss/total", "reward", "ratio/token_mean"):
    (count,) = db.execute(
        "select count(*) from metrics m join metric_keys k on k.id = m.key_id "
        "where m.run_id = ? and k.name = ?", (run_id, key)).fetchone()
    assert count >= 20, f"{key}: {count} steps logged"
    print(f"{key}: {count} steps")
# The final evaluation: ranking on the simulator's logged histories and its exact expected reward.
for key in ("eval/recall@10", "eval/expected_reward", "eval/expected_clicks@10"):
    rows = db.execute(
        "select e.step, e.value from evals e join metric_keys k on k.id = e.key_id "
        "where e.run_id = ? and k.name = ?", (run_id, key)).fetchall()
    assert len(rows) == 1 and rows[0][0] == 60 and rows[0][1] is not None, f"{key}: {rows}"
    print(f"{key} at step {rows[0][0]}: {rows[0][1]:.4f}")
(ok,) = db.execute("pragma integrity_check").fetchone()
assert ok == "ok", ok
PY
