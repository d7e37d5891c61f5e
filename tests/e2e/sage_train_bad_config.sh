#!/usr/bin/env bash
# A bad configuration exits 2 with a message that names the field and its allowed range,
# and writes no run.
set -uo pipefail
train=$1
preset=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expect() {  # expect CODE PATTERN -- ARGS...
    local code=$1 pattern=$2; shift 3
    local out rc
    out=$("$train" "$@" 2>&1); rc=$?
    if [ "$rc" -ne "$code" ]; then echo "FAIL: '$*' exited $rc, expected $code"; echo "$out"; exit 1; fi
    if ! grep -q -- "$pattern" <<<"$out"; then echo "FAIL: '$*' output lacks '$pattern'"; echo "$out"; exit 1; fi
    echo "ok: exit $rc, '$pattern'"
}

expect 2 "training.steps: got 0, expected an integer in \[1, 1e+07\]" -- \
    --config "$preset" --db "$work/a.sqlite" --set training.steps=0
expect 2 "unknown key" -- --config "$preset" --db "$work/a.sqlite" --set training.stepz=3
echo '{"training": {"group_size": 1, "temperature": -1}}' > "$work/bad.json"
expect 2 "training.temperature" -- --config "$work/bad.json" --db "$work/a.sqlite"
expect 2 "training.group_size" -- --config "$work/bad.json" --db "$work/a.sqlite"
echo '{"training": ' > "$work/broken.json"
expect 2 "not valid JSON" -- --config "$work/broken.json" --db "$work/a.sqlite"
# Found by fuzzing: both used to end in std::terminate (exit 134) instead of a message.
echo '{"training": {"temperature": 1e400}}' > "$work/overflow.json"
expect 2 "number overflow parsing '1e400'" -- --config "$work/overflow.json" --db "$work/a.sqlite"
expect 2 "name: got text that is not valid UTF-8" -- \
    --config "$preset" --db "$work/a.sqlite" --set "name=$(printf 'run \377')"
expect 2 "no-such.json" -- --config "$work/no-such.json" --db "$work/a.sqlite"
expect 2 "--db FILE is required" -- --config "$preset"
[ ! -e "$work/a.sqlite" ] || { echo "FAIL: a rejected configuration created a store"; exit 1; }

# training.device=cuda trains where LibTorch sees a GPU; elsewhere it is refused before a run exists.
out=$("$train" --config "$preset" --db "$work/cuda.sqlite" --quiet --set training.device=cuda \
      --set training.steps=1 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then
    echo "ok: a GPU is visible and training.device=cuda trained"
elif [ "$rc" -eq 2 ] && grep -q "training.device: cuda was requested" <<<"$out" && [ ! -e "$work/cuda.sqlite" ]; then
    echo "ok: exit 2, training.device=cuda refused without a GPU"
else
    echo "FAIL: training.device=cuda exited $rc"; echo "$out"; exit 1
fi
# --resume (issue #8): bad arguments exit 2 before anything is written.
expect 2 "drop --config and --set" -- --resume 1 --db "$work/a.sqlite" --config "$preset"
expect 2 "drop --nproc" -- --resume 1 --db "$work/a.sqlite" --nproc 2
expect 2 "--resume needs a run id" -- --resume first --db "$work/a.sqlite"
expect 2 "no run store at $work/a.sqlite" -- --resume 1 --db "$work/a.sqlite"
[ ! -e "$work/a.sqlite" ] || { echo "FAIL: resuming in a missing store created one"; exit 1; }

# A store of a newer version is refused with both versions named, and left as it was.
python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute('pragma application_id = 1396787013'); db.execute('pragma user_version = 99'); db.execute('create table future (x)'); db.commit()" "$work/newer.sqlite"
before=$(sha256sum "$work/newer.sqlite")
expect 1 "has schema version 99, but this build of SAGE Dashboard only knows versions up to" -- \
    --config "$preset" --db "$work/newer.sqlite" --set training.steps=1
expect 1 "schema version 99" -- --resume 1 --db "$work/newer.sqlite"
[ "$before" = "$(sha256sum "$work/newer.sqlite")" ] || { echo "FAIL: the newer store was changed"; exit 1; }
echo "all bad configurations rejected"
