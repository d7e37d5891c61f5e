#!/usr/bin/env bash
# docs/PERFORMANCE.md's section on SFT throughput (issue #7, figure 3): training tokens per second
# and model FLOP utilisation of the supervised stage on Amazon Beauty, with both action spaces'
# presets, against the float32 matmul peak measured in the same process.
# Usage: bench/sections/20-sft.sh BUILD_DIR   (SAGE_BENCH_SFT_BATCHES: timed batches, 30)
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$build/bin/sage_sft_bench
[ -x "$bench" ] || { echo "$0: $bench not found; build the sage_benchmarks target" >&2; exit 1; }
data=$root/../shared/data/amazon/Beauty.txt
if [ ! -f "$data" ]; then
  echo "## SFT throughput on Amazon Beauty"
  echo
  echo "Not measured: $data is not there (the data lives in ../shared/data/amazon/ beside the checkout)."
  exit 0
fi
batches=${SAGE_BENCH_SFT_BATCHES:-30}
cd "$root"  # the presets name the data relative to the repository root
results=()
for preset in beauty-sft beauty-sft-item-id; do
  echo "20-sft: $preset" >&2
  results+=("$("$bench" --config "resources/presets/$preset.json" --batches "$batches")")
done
python3 - "$batches" "${results[@]}" <<'PY'
import json, sys
batches = sys.argv[1]
rows = [json.loads(text) for text in sys.argv[2:]]
print("## SFT throughput on Amazon Beauty\n")
print("The supervised stage's inner loop (`core/training/sft_trainer.cpp`: length-bucketed batches of")
print("whole training sequences, next-token loss in one causal pass, backward, clipping, AdamW) on")
print(f"Beauty with each SFT preset's model and batch size, {batches} timed batches after 3 of warm-up.")
print("Training tokens are the predicted item tokens; the model FLOPs count the matrix products")
print("(forward + backward = 3× forward) over the padded batch, each target scored against its")
print("level's codebook.\n")
print(f"`build-bench/bin/sage_sft_bench --config resources/presets/PRESET.json --batches {batches}`\n")
print("| preset | action space | tokens per item | threads | training tokens/s | model GFLOP/s | matmul peak GFLOP/s | utilisation |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    name = r["config"].split("/")[-1]
    print(f"| {name} | {r['action_space']} | {r['tokens_per_item']} | {r['threads']} | {r['training_tokens_per_s']:.0f} | "
          f"{r['model_gflops']:.1f} | {r['matmul_peak_gflops']:.1f} | {100 * r['utilisation']:.1f} % |")
PY
