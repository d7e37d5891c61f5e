#!/usr/bin/env bash
# Logging cost: step time of the real RL trainer with the store writer against a null sink.
# $1: the Release build folder.
set -euo pipefail
build="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
preset="resources/presets/synthetic.json"
command=(bin/sage_logging_bench --config "$preset" --dir "$build")

echo "## Logging cost"
echo
echo "Step time of the RL trainer on the default synthetic preset (\`$preset\`: its steps, seed and"
echo "threads) with the sink a training job attaches, the StoreSink writing every scalar, the ρ"
echo "histogram and the per-slate records into a SQLite file at the preset's schedule, against a sink"
echo "that discards everything. The two trainers do identical work in one process, alternating step by"
echo "step, so the machine's noise hits both alike. The time spent inside the sink's calls is also"
echo "measured directly: it does not depend on that noise."
echo
echo "\`build-bench/${command[*]}\`"
echo
(cd "$root" && "$build/${command[0]}" "${command[@]:1}")
