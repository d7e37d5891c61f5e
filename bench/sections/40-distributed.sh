#!/usr/bin/env bash
# docs/PERFORMANCE.md's section on data-parallel throughput (issue #8), printed as Markdown:
# sage-train alone and with --nproc 2 on the default synthetic preset, one LibTorch thread per
# process, timed from the run store's own wall clock (steps after the first few, so that start-up
# and the first step's warm-up are left out).
# Usage: bench/sections/40-distributed.sh BUILD_DIR   (SAGE_BENCH_DIST_STEPS: steps per run, 40)
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
train=$build/bin/sage-train
preset=$root/resources/presets/synthetic.json
steps=${SAGE_BENCH_DIST_STEPS:-40}
skip=5
[ -x "$train" ] || { echo "$0: $train not found; build the sage-train target first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "steps/s slates/s contexts-per-process" for one run with $1 processes.
measure() {
  local processes=$1 db=$work/run-$1.sqlite
  local extra=()
  [ "$processes" -gt 1 ] && extra=(--nproc "$processes")
  "$train" --config "$preset" --db "$db" --quiet --set training.threads=1 \
    --set training.steps="$steps" --set logging.flush_every_steps=10 "${extra[@]}"
  python3 - "$db" "$skip" "$steps" "$processes" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
skip, steps, processes = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
(status, config) = db.execute("select status, config_json from runs").fetchone()
assert status == "finished", status
training = json.loads(config)["training"]
wall = dict(db.execute("select m.step, m.wall_time from metrics m join metric_keys k on k.id = m.key_id "
                       "where k.name = 'reward'"))
rate = (steps - skip) / (wall[steps] - wall[skip])
slates = training["contexts"] * training["group_size"]
print(f"{rate:.2f} {rate * slates:.0f} {training['contexts'] // processes}")
PY
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
read -r one_rate one_slates one_contexts < <(measure 1)
read -r two_rate two_slates two_contexts < <(measure 2)
speedup=$(python3 -c "print(f'{$two_rate / $one_rate:.2f}')")
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)

cat <<MD
## Data-parallel throughput (issue #8)

\`sage-train\` on the default synthetic preset (\`resources/presets/synthetic.json\`: 32 contexts ×
8 slates of 5 items per step, μ = 2 epochs of 2 minibatches), one LibTorch thread per process
(\`training.threads=1\`). With \`--nproc 2\` each rank rolls out half of every batch and the ranks
all-reduce their gradients (c10d, Gloo over 127.0.0.1) before each of the 4 updates per step; both
runs make the same updates. Steps $((skip + 1))–$steps are timed from the store's wall clock.

| Processes | Contexts per process | Steps/s | Slates/s | Speed-up |
|---|---|---|---|---|
| 1 | $one_contexts | $one_rate | $one_slates | 1.00× |
| 2 (\`--nproc 2\`) | $two_contexts | $two_rate | $two_slates | ${speedup}× |

Machine: $(nproc) cores${cpu:+ ($cpu)}, load average $load when the measurement started.
Reproduce with \`bench/sections/40-distributed.sh BUILD_DIR\`.
MD
