#!/usr/bin/env bash
# Acceptance (issue 6, item 4): a miniature suite runs end to end; killed with SIGKILL in the
# middle of a run and started again, it skips the finished runs, redoes the unfinished one and
# ends with exactly one finished run per arm × seed; its report's numbers are the store's.
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

echo "== first run, killed with SIGKILL while a run trains"
"$train" suite "$suite" --db "$db" 2>"$work/first.log" &
suite_pid=$!
python3 - "$db" "$suite_pid" "$work/before_kill.json" <<'PY'
import json, os, sqlite3, sys, time
db_path, pid, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
deadline = time.time() + 60
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("FAIL: the suite ended before it could be killed mid-run; make the runs longer")
    if os.path.exists(db_path):
        try:
            db = sqlite3.connect(db_path, timeout=5)
            finished = [r[0] for r in db.execute("select id from runs where status = 'finished'")]
            # A run in its first half: killed there, it cannot finish before it notices.
            running = db.execute(
                "select r.id from runs r where r.status = 'running' and "
                "(select max(m.step) from metrics m where m.run_id = r.id) between 1 and 75").fetchall()
            db.close()
        except sqlite3.OperationalError:
            finished, running = [], []
        if len(finished) >= 2 and running:
            os.kill(pid, 9)
            json.dump({"finished": finished, "running": running[0][0]}, open(out, "w"))
            print(f"killed the suite with runs {finished} finished and run {running[0][0]} training")
            sys.exit(0)
    time.sleep(0.05)
sys.exit("FAIL: no point with two finished runs and one training within 60 s")
PY
wait "$suite_pid" 2>/dev/null || true
suite_pid=
cat "$work/first.log"

echo "== second run, two arms at a time"
# It waits for the killed suite's trainer (which inherited the suite's lock) to stop first.
"$train" suite "$suite" --db "$db" --parallel 2 2>"$work/second.log" || { cat "$work/second.log"; echo "FAIL: rerun"; exit 1; }
cat "$work/second.log"

echo "== third run: nothing left to do"
"$train" suite "$suite" --db "$db" 2>"$work/third.log"
cat "$work/third.log"
grep -q "6 finished before (skipped), 0 to run" "$work/third.log" || { echo "FAIL: the third run trained again"; exit 1; }

echo "== report"
"$train" report --db "$db" --experiment mini-suite --out "$work/report"
cat "$work/report/report.md"
set +e
"$train" report --db "$db" --experiment no-such --out "$work/r2" 2>"$work/err"; code=$?
set -e
[ "$code" -eq 2 ] && grep -q "mini-suite" "$work/err" || { cat "$work/err"; echo "FAIL: unknown experiment exited $code"; exit 1; }

python3 - "$db" "$work/before_kill.json" "$work/second.log" "$work/report" <<'PY'
import json, math, os, re, sqlite3, struct, sys, zlib
db_path, before_path, second_log, report_dir = sys.argv[1:]
db = sqlite3.connect(db_path)
before = json.load(open(before_path))
arms, seeds, baseline = ["sage", "gbpo-token", "grpo"], [0, 1], "gbpo-token"

# Exactly one finished, visible run per arm × seed.
rows = db.execute("select r.id, r.name, r.status, r.deleted from runs r join experiments e on e.id = r.experiment_id "
                  "where e.name = 'mini-suite'").fetchall()
visible = [r for r in rows if r[3] == 0]
names = sorted(r[1] for r in visible)
expected = sorted(f"{a}/seed{s}" for a in arms for s in seeds)
assert names == expected, f"visible runs {names}, expected {expected}"
assert all(r[2] == "finished" for r in visible), visible
# The runs finished before the kill were skipped, not trained again.
for run_id in before["finished"]:
    (status, deleted) = db.execute("select status, deleted from runs where id = ?", (run_id,)).fetchone()
    assert status == "finished" and deleted == 0, f"run {run_id}: {status}, deleted={deleted}"
# The run that was training is replaced: kept for the record, soft-deleted, tagged, not finished.
killed = before["running"]
(status, deleted) = db.execute("select status, deleted from runs where id = ?", (killed,)).fetchone()
tags = {t for (t,) in db.execute("select tag from run_tags where run_id = ?", (killed,))}
assert deleted == 1 and "superseded" in tags and status in ("stopped", "interrupted"), (status, deleted, tags)
log = open(second_log).read()
skipped = int(re.search(r"(\d+) finished before \(skipped\)", log).group(1))
assert skipped >= len(before["finished"]), log
assert "replaces the unfinished run" in log, log
print(f"store: {len(visible)} finished runs, {len(before['finished'])} kept from before the kill, run {killed} superseded")

# The report's cells are the store's values: per run the mean of the last 10 % of a training
# metric's steps, then mean ± sample std over seeds and the change against the baseline.
def tail_mean(run_id, key):
    values = [v for (v,) in db.execute(
        "select m.value from metrics m join metric_keys k on k.id = m.key_id "
        "where m.run_id = ? and k.name = ? order by m.step", (run_id, key))]
    tail = max(1, (len(values) + 9) // 10)
    return sum(values[-tail:]) / tail

def g4(x):
    return "%.4g" % x

run_of = {r[1]: r[0] for r in visible}
report = open(os.path.join(report_dir, "report.md")).read()
means_table = report.split("### Paired comparison")[0]
header = next(line for line in means_table.splitlines() if line.startswith("| arm |"))
columns = [c.strip() for c in header.strip("|").split("|")]
table = {}
for line in means_table.splitlines():
    cells = [c.strip() for c in line.strip("|").split("|")]
    if len(cells) == len(columns) and cells[0].split(" ")[0] in arms:
        table[cells[0].split(" ")[0]] = dict(zip(columns, cells))
assert sorted(table) == sorted(arms), table.keys()
checked = 0
for key, label in (("reward", "train reward†"), ("slate/entropy_mean", "train Ĥ†")):
    means = {}
    for arm in arms:
        values = [tail_mean(run_of[f"{arm}/seed{s}"], key) for s in seeds]
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
        means[arm] = mean
        cell = table[arm][label]
        want = f"{g4(mean)} ± {g4(std)}"
        assert cell.startswith(want), f"{arm} {label}: report {cell!r}, store {want!r}"
        checked += 1
    for arm in arms:
        if arm == baseline:
            continue
        change = "%+.1f %%" % (100 * (means[arm] - means[baseline]) / abs(means[baseline]))
        assert f"({change})" in table[arm][label], f"{arm} {label}: {table[arm][label]!r} lacks {change!r}"
        checked += 1
print(f"report: {checked} cells equal the store's values")

# The plots: valid PNGs (signature, CRC of every chunk, IHDR) with curves drawn in them.
pngs = sorted(f for f in os.listdir(report_dir) if f.endswith(".png"))
assert pngs == ["synthetic-reward.png", "synthetic-slate_entropy_mean.png"], pngs
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
    assert len(raw) == 540 * (1 + 960 * 3), len(raw)
    stride = 1 + 960 * 3
    assert all(raw[y * stride] == 0 for y in range(540)), f"{name}: unexpected filter type"
    colours = {raw[y * stride + 1 + 3 * x:y * stride + 4 + 3 * x] for y in range(540) for x in range(960)}
    # Each arm's line in its palette colour (CurvePlotRenderer::armColour: blue, orange, green).
    for rgb in ((31, 119, 180), (255, 127, 14), (44, 160, 44)):
        assert bytes(rgb) in colours, f"{name}: no line in colour {rgb}"
print(f"plots: {len(pngs)} valid PNGs")
PY
elapsed=$(( $(date +%s) - start ))
echo "suite e2e took ${elapsed}s"
