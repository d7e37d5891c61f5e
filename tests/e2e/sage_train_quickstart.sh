#!/usr/bin/env bash
# Acceptance: sage-train with the quickstart preset finishes in under two minutes and leaves one
# finished run with its configuration and >= 20 steps of loss/total, reward and ratio/token_mean.
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
(ok,) = db.execute("pragma integrity_check").fetchone()
assert ok == "ok", ok
PY
