#!/usr/bin/env bash
# Acceptance (issue 6, item 4): a miniature suite (tests/data/suites/mini.json: a shared SFT stage,
# two RL arms, two seeds, a one-layer Transformer on 240 ring users) runs end to end. Killed with
# SIGKILL while an arm trains and started again, it skips the finished runs (the SFT stage
# included), redoes the unfinished one and ends with exactly one finished run per arm × seed; its
# report's numbers are the store's. Run from the repository root (the suite's data path).
set -euo pipefail
train=$1
suite=$2
work=$(mktemp -d)
suite_pid=
cleanup() {
    [ -n "$suite_pid" ] && kill -9 "$suite_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
db=$work/runs.sqlite
start=$(date +%s)

echo "== bad input: exit 2 with the reason"
set +e
"$train" suite "$work/missing.json" --db "$db" 2>"$work/err"; code=$?
set -e
cat "$work/err"
[ "$code" -eq 2 ] || { echo "FAIL: a missing suite file exited $code, expected 2"; exit 1; }
grep -q "missing.json" "$work/err" || { echo "FAIL: the error does not name the file"; exit 1; }
set +e
"$train" suite "$suite" --db "$db" --parallel 0 2>"$work/err"; code=$?
set -e
[ "$code" -eq 2 ] && grep -q -- "--parallel needs" "$work/err" || { cat "$work/err"; echo "FAIL: --parallel 0 exited $code"; exit 1; }
[ ! -e "$db" ] || { echo "FAIL: bad arguments created the store"; exit 1; }

echo "== first run, killed with SIGKILL while an arm trains"
"$train" suite "$suite" --db "$db" 2>"$work/first.log" &
suite_pid=$!
python3 - "$db" "$suite_pid" "$work/before_kill.json" <<'PY'
import json, os, sqlite3, sys, time
db_path, pid, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
deadline = time.time() + 120
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("FAIL: the suite ended before it could be killed mid-run; make the runs longer")
    if os.path.exists(db_path):
        try:
            db = sqlite3.connect(db_path, timeout=5)
            finished = [r[0] for r in db.execute("select id from runs where status = 'finished'")]
            # An arm in its first half (of 30 steps): killed there, it cannot finish before it notices.
            running = db.execute(
                "select r.id from runs r where r.status = 'running' and r.name != 'sft' and "
                "(select max(m.step) from metrics m where m.run_id = r.id) between 1 and 15").fetchall()
            db.close()
        except sqlite3.OperationalError:
            finished, running = [], []
        if len(finished) >= 2 and running:  # the SFT stage and an arm
            os.kill(pid, 9)
            json.dump({"finished": finished, "running": running[0][0]}, open(out, "w"))
            print(f"killed the suite with runs {finished} finished and run {running[0][0]} training")
            sys.exit(0)
    time.sleep(0.05)
sys.exit("FAIL: no point with two finished runs and an arm training within 120 s")
PY
wait "$suite_pid" 2>/dev/null || true
suite_pid=
cat "$work/first.log"

echo "== second run, two arms at a time"
# The killed suite's trainer stops on SIGTERM from the kernel; it holds the suite's lock (inherited)
# until it has, so this run never replaces a run that is still being written.
"$train" suite "$suite" --db "$db" --parallel 2 2>"$work/second.log" || { cat "$work/second.log"; echo "FAIL: rerun"; exit 1; }
cat "$work/second.log"

echo "== third run: nothing left to do"
"$train" suite "$suite" --db "$db" 2>"$work/third.log"
cat "$work/third.log"
grep -q "5 finished before (skipped), 0 to run" "$work/third.log" || { echo "FAIL: the third run trained again"; exit 1; }

echo "== report"
"$train" report --db "$db" --experiment mini-suite --out "$work/report"
cat "$work/report/report.md"
set +e
"$train" report --db "$db" --experiment no-such --out "$work/r2" 2>"$work/err"; code=$?
set -e
cat "$work/err"
[ "$code" -eq 2 ] && grep -q "mini-suite" "$work/err" || { echo "FAIL: an unknown experiment exited $code"; exit 1; }

python3 - "$db" "$work/before_kill.json" "$work/second.log" "$work/report" <<'PY'
import json, math, os, re, sqlite3, struct, sys, zlib
db_path, before_path, second_log, report_dir = sys.argv[1:]
db = sqlite3.connect(db_path)
before = json.load(open(before_path))
arms, seeds, baseline = ["sage", "gbpo-token"], [0, 1], "gbpo-token"

# Exactly one finished, visible run per arm × seed, and one SFT run.
rows = db.execute("select r.id, r.name, r.status, r.deleted, r.config_json from runs r "
                  "join experiments e on e.id = r.experiment_id where e.name = 'mini-suite'").fetchall()
visible = [r for r in rows if r[3] == 0]
names = sorted(r[1] for r in visible)
expected = sorted(["sft"] + [f"{a}/seed{s}" for a in arms for s in seeds])
assert names == expected, f"visible runs {names}, expected {expected}"
assert all(r[2] == "finished" for r in visible), visible
assert sum(1 for r in rows if r[1] == "sft") == 1, "the SFT stage trained more than once"
# Every arm started from the shared SFT stage's best checkpoint.
checkpoint = os.path.join(db_path + "-suites", "mini-suite", "sft", "sft_best_model.pt")
assert os.path.exists(checkpoint), checkpoint
for r in visible:
    if r[1] != "sft":
        assert json.loads(r[4])["training"]["init_checkpoint"] == checkpoint, (r[1], r[4])
# The runs finished before the kill were skipped, not trained again.
for run_id in before["finished"]:
    (status, deleted) = db.execute("select status, deleted from runs where id = ?", (run_id,)).fetchone()
    assert status == "finished" and deleted == 0, f"run {run_id}: {status}, deleted={deleted}"
# The arm that was training is replaced: kept for the record, soft-deleted, tagged, not finished.
killed = before["running"]
(status, deleted) = db.execute("select status, deleted from runs where id = ?", (killed,)).fetchone()
tags = {t for (t,) in db.execute("select tag from run_tags where run_id = ?", (killed,))}
assert deleted == 1 and "superseded" in tags and status in ("stopped", "interrupted"), (status, deleted, tags)
log = open(second_log).read()
skipped = int(re.search(r"(\d+) finished before \(skipped\)", log).group(1))
assert skipped >= len(before["finished"]), log
assert "replaces the unfinished run" in log, log
print(f"store: {len(visible)} finished runs, {len(before['finished'])} kept from before the kill, "
      f"run {killed} superseded, every arm from {checkpoint}")

# The report's cells are the store's values: a test metric is the run's last evaluation, a
# training metric (†) the mean of its last 10 % of steps; then mean ± sample std over seeds and
# the change against the baseline's mean.
def final_eval(run_id, key):
    row = db.execute("select e.value from evals e join metric_keys k on k.id = e.key_id "
                     "where e.run_id = ? and k.name = ? order by e.step desc limit 1", (run_id, key)).fetchone()
    return None if row is None or row[0] is None else row[0]

def tail_mean(run_id, key):
    values = [v for (v,) in db.execute(
        "select m.value from metrics m join metric_keys k on k.id = m.key_id "
        "where m.run_id = ? and k.name = ? order by m.step", (run_id, key))]
    if not values:
        return None
    tail = max(1, (len(values) + 9) // 10)
    return sum(values[-tail:]) / tail

sources = {"R@5": "eval/recall@5", "R@10": "eval/recall@10", "N@5": "eval/ndcg@5", "N@10": "eval/ndcg@10",
           "Cold-R@10": "eval/cold_recall@10", "Entropy@10": "eval/entropy@10",
           "Coverage@10": "eval/coverage@10", "E[reward]": "eval/expected_reward",
           "E[cold clicks@10]": "eval/expected_cold_clicks@10",
           "train reward†": "reward", "train Ĥ†": "slate/entropy_mean"}
g4 = lambda x: "%.4g" % x
runs_of = {"sft": [r[0] for r in visible if r[1] == "sft"]}
for arm in arms:
    runs_of[arm] = [next(r[0] for r in visible if r[1] == f"{arm}/seed{s}") for s in seeds]

report = open(os.path.join(report_dir, "report.md")).read()
means_table = report.split("### Paired comparison")[0]
header = next(line for line in means_table.splitlines() if line.startswith("| arm |"))
columns = [c.strip() for c in header.strip("|").split("|")]
assert {"R@10", "N@10", "Coverage@10", "train reward†"} <= set(columns), columns
table = {}
for line in means_table.splitlines():
    cells = [c.strip() for c in line.strip("|").split("|")]
    if len(cells) == len(columns) and cells[0].split(" ")[0] in runs_of:
        table[cells[0].split(" ")[0]] = dict(zip(columns, cells))
assert sorted(table) == sorted(runs_of), table.keys()
checked = 0
for label in columns[2:]:
    key = sources[label]
    value_of = tail_mean if label.endswith("†") else final_eval
    means = {}
    for arm, ids in runs_of.items():
        values = [v for v in (value_of(i, key) for i in ids) if v is not None]
        cell = table[arm][label]
        if not values:
            assert cell == "—", f"{arm} {label}: {cell!r} but the store has no value"
            continue
        mean = sum(values) / len(values)
        means[arm] = mean
        if len(values) > 1:
            std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
            want = f"{g4(mean)} ± {g4(std)}"
        else:
            want = g4(mean)
        assert cell == want or cell.startswith(want + " ("), f"{arm} {label}: report {cell!r}, store {want!r}"
        checked += 1
    for arm in arms:
        if arm == baseline or means.get(baseline, 0) == 0 or arm not in means:
            continue
        change = "%+.1f %%" % (100 * (means[arm] - means[baseline]) / abs(means[baseline]))
        assert table[arm][label].endswith(f"({change})"), f"{arm} {label}: {table[arm][label]!r} lacks {change!r}"
        checked += 1
print(f"report: {checked} cells equal the store's values")

# The plots: valid PNGs (signature, CRC of every chunk, IHDR) with both arms' curves drawn.
pngs = sorted(f for f in os.listdir(report_dir) if f.endswith(".png"))
assert "ring-val_recall_10.png" in pngs and "ring-reward.png" in pngs, pngs
for name in pngs:
    assert f"]({name})" in report, f"{name} is not in the report"
    data = open(os.path.join(report_dir, name), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", name
    at, chunks, idat = 8, [], b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"{name}: bad CRC in {kind}"
        chunks.append(kind)
        idat += body if kind == b"IDAT" else b""
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (width, height, depth, colour) == (960, 540, 8, 2), (width, height, depth, colour)
        at += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
    raw = zlib.decompress(idat)
    stride = 1 + 960 * 3
    assert len(raw) == 540 * stride, len(raw)
    assert all(raw[y * stride] == 0 for y in range(540)), f"{name}: unexpected filter type"
    colours = {raw[y * stride + 1 + 3 * x:y * stride + 4 + 3 * x] for y in range(540) for x in range(960)}
    # Each arm's line in its palette colour (CurvePlotRenderer::armColour: blue, then orange).
    for rgb in ((31, 119, 180), (255, 127, 14)):
        assert bytes(rgb) in colours, f"{name}: no line in colour {rgb}"
print(f"plots: {len(pngs)} valid PNGs")
PY
elapsed=$(( $(date +%s) - start ))
echo "suite e2e took ${elapsed}s"
