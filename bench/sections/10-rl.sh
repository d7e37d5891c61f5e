#!/usr/bin/env bash
# docs/PERFORMANCE.md's sections on the RL iteration (issue #7, figures 1, 2 and 4): rollout with and
# without the key/value cache, the update's tokens/s and model FLOP utilisation, and the C++/Python
# time ratios against bench/python/sage_reference.py, for the default model and a 4x larger one.
# The two programs run alternately, in rounds, which of them goes first alternating too, so that
# a shared machine's noise hits both alike; each figure is the median over rounds of each
# program's own median over its iterations.
# Usage: bench/sections/10-rl.sh BUILD_DIR
#   SAGE_BENCH_RL_ROUNDS (3), SAGE_BENCH_RL_ITERATIONS (4), SAGE_BENCH_THREADS (2)
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$build/bin/sage_rl_bench
[ -x "$bench" ] || { echo "$0: $bench not found; build the sage_benchmarks target" >&2; exit 1; }
# Debian's interpreter: python3-torch is installed for it, whatever else is first on PATH.
python=/usr/bin/python3
"$python" -c 'import torch' 2>/dev/null ||
  { echo "$0: $python cannot import torch; install python3-torch (scripts/install-deps.sh --bench)" >&2; exit 1; }

"$python" - "$bench" "$root/bench/python/sage_reference.py" "${SAGE_BENCH_RL_ROUNDS:-3}" \
  "${SAGE_BENCH_RL_ITERATIONS:-4}" "${SAGE_BENCH_THREADS:-2}" <<'PY'
import json, statistics, subprocess, sys

bench, reference, rounds, iterations, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sizes = [("default", ["--d-model", "128", "--ff", "512"]), ("4x", ["--d-model", "256", "--ff", "1024"])]
common = ["--layers", "4", "--heads", "4", "--items", "12101", "--history", "50", "--contexts", "16",
          "--group", "8", "--slate", "10", "--epochs", "2", "--minibatches", "2",
          "--iterations", iterations, "--threads", threads]

# cpp: the trainer's path; before: the C++ with one forward pass per slate (no prefix sharing),
# the same algorithm as the Python reference; py: the reference.
# glibc: the C++ with glibc's default large-allocation behaviour, as before the trainers kept
# large buffers in the heap (default size only).
programs = {"cpp": [bench], "before": [bench, "--logprobs", "one-pass"],
            "glibc": [bench, "--heap", "glibc-default"], "py": ["/usr/bin/python3", reference]}
programs_of_size = {"default": ["cpp", "before", "glibc", "py"], "4x": ["cpp", "before", "py"]}

def run(program, size_args):
    out = subprocess.run(programs[program] + size_args + common, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])

results = {}
for name, size_args in sizes:
    runs = {program: [] for program in programs_of_size[name]}
    for r in range(rounds):
        order = programs_of_size[name] if r % 2 == 0 else list(reversed(programs_of_size[name]))
        for program in order:
            print(f"10-rl: {name} round {r + 1}/{rounds}: {program}", file=sys.stderr, flush=True)
            runs[program].append(run(program, size_args))
    results[name] = runs

def med(rows, key):
    return statistics.median(row[key] for row in rows)

def ratio(cpp, py, key):
    """Python time / C++ time per round (> 1: C++ faster); the median and the range."""
    values = sorted(p[key] / c[key] for c, p in zip(cpp, py))
    return statistics.median(values), values[0], values[-1]

def fmt_ratio(r):
    return f"{r[0]:.2f}× ({r[1]:.2f}–{r[2]:.2f})"

print("## RL iteration: rollout, update, and the PyTorch reference\n")
print("The generative recommender's RL iteration as `core/training/trainer.cpp` performs it, built")
print("from the trainer's own classes (`bench/rl_bench.cpp`), against the same work written in PyTorch")
print("(`bench/python/sage_reference.py`: the same model, KV-cached constrained sampling, decoupled")
print("advantages and SAGE update, on python3-torch, the same LibTorch and BLAS). Item-ID action space")
print("over 12,101 items (Beauty's catalogue), B = 16 contexts of 50 items, G = 8 slates of K = 10")
print("items, μ = 2 epochs × 2 minibatches, 4 layers, 4 heads. Default model: d_model 128, FFN 512;")
print("4× model: d_model 256, FFN 1024 (4× the parameters per layer). Rollout = sampling with the")
print(f"cache + the frozen reference's log-probabilities. {threads} intra-op threads on both sides;")
print(f"{rounds} alternating rounds of {iterations} timed iterations (after one warm-up) per program.")
print("The trainer's log-probabilities share each context among its slates (prefix sharing: one pass")
print("over a context's 51 tokens, then its slates' tokens attend to that context's keys and values);")
print("the column \"one pass per slate\" is the same C++ without it (`--logprobs one-pass`), the algorithm")
print("the Python reference runs, as RL libraries usually do. Ratios: each round's ratio, median (range).\n")
print(f"`bench/sections/10-rl.sh build-bench` (programs: `build-bench/bin/sage_rl_bench`, `python3 bench/python/sage_reference.py`, same arguments)\n")

print("| model | figure | C++ | C++, one pass per slate | Python | Python time ÷ C++ time | Python time ÷ C++ one-pass time |")
print("|---|---|---:|---:|---:|---:|---:|")
for name, _ in sizes:
    cpp, before, py = results[name]["cpp"], results[name]["before"], results[name]["py"]
    slates = cpp[0]["slates"]
    rows = [
        ("generation with the KV cache, slates/s", "generation_cached_s", lambda s: f"{slates / s:.0f}"),
        ("generation without the cache, slates/s", "generation_uncached_s", lambda s: f"{slates / s:.0f}"),
        ("rollout (generation + reference log-probs), s", "rollout_s", lambda s: f"{s:.3f}"),
        ("rewards and advantages, ms", "rewards_s", lambda s: f"{s * 1000:.1f}"),
        ("update (μ·n_mb = 4 minibatch steps), s", "update_s", lambda s: f"{s:.3f}"),
        ("**RL iteration** (rollout + rewards + update), s", "iteration_s", lambda s: f"{s:.3f}"),
    ]
    for label, key, show in rows:
        print(f"| {name} | {label} | {show(med(cpp, key))} | {show(med(before, key))} | {show(med(py, key))} | "
              f"{fmt_ratio(ratio(cpp, py, key))} | {fmt_ratio(ratio(before, py, key))} |")
    tokens = cpp[0]["update_tokens"]
    print(f"| {name} | update tokens/s (context + slate positions of every scored slate) | "
          f"{tokens / med(cpp, 'update_s'):.0f} | {tokens / med(before, 'update_s'):.0f} | {tokens / med(py, 'update_s'):.0f} | | |")
    mfu = {k: statistics.median(x["update_gflops"] / x["matmul_peak_gflops"] for x in results[name][k]) for k in ("cpp", "before", "py")}
    print(f"| {name} | update model GFLOP/s executed (share of the matmul peak) | {med(cpp, 'update_gflops'):.1f} "
          f"({100 * mfu['cpp']:.1f} %) | {med(before, 'update_gflops'):.1f} ({100 * mfu['before']:.1f} %) | "
          f"{med(py, 'update_gflops'):.1f} ({100 * mfu['py']:.1f} %) | | |")
    print(f"| {name} | float32 matmul peak in the same process (4096², best of 5), GFLOP/s | "
          f"{med(cpp, 'matmul_peak_gflops'):.1f} | {med(before, 'matmul_peak_gflops'):.1f} | {med(py, 'matmul_peak_gflops'):.1f} | | |")
    cache = {k: statistics.median(x["generation_uncached_s"] / x["generation_cached_s"] for x in results[name][k]) for k in ("cpp", "before", "py")}
    print(f"| {name} | KV-cache speed-up of generation (uncached ÷ cached time) | {cache['cpp']:.2f}× | "
          f"{cache['before']:.2f}× | {cache['py']:.2f}× | | |")

print()
glibc, cpp = results["default"]["glibc"], results["default"]["cpp"]
print("Large buffers in the heap (`core/training/heap_allocation.cpp`), default size: the same C++ with")
print("glibc's default allocation (`--heap glibc-default`: every buffer above the mmap threshold, 128 KiB rising to at most 32 MiB, is")
print("a fresh mapping, faulted in page by page) against the trainers' setting, same rounds:\n")
print("| figure | glibc default | large buffers kept in the heap | before ÷ after |")
print("|---|---:|---:|---:|")
for label, key in (("rollout, s", "rollout_s"), ("update, s", "update_s"), ("RL iteration, s", "iteration_s")):
    print(f"| {label} | {med(glibc, key):.3f} | {med(cpp, key):.3f} | {fmt_ratio(ratio(cpp, glibc, key))} |")
print()
d_cpp, d_py = results["default"]["cpp"], results["default"]["py"]
x_cpp, x_py = results["4x"]["cpp"], results["4x"]["py"]
it_default = ratio(d_cpp, d_py, "iteration_s")
it_4x = ratio(x_cpp, x_py, "iteration_s")
mfu_4x = statistics.median(c["update_gflops"] / c["matmul_peak_gflops"] for c in x_cpp)
cache_default = statistics.median(c["generation_uncached_s"] / c["generation_cached_s"] for c in d_cpp)
def verdict(ok):
    return "met" if ok else "missed"
print("Targets (issue #7):\n")
print(f"- RL iteration ≥ 1.5× faster than the PyTorch reference at the default size: "
      f"**{fmt_ratio(it_default)} — {verdict(it_default[0] >= 1.5)}**.")
print(f"- Not slower at the 4× size: **{fmt_ratio(it_4x)} — {verdict(it_4x[0] >= 1.0)}**.")
print(f"- Update at ≥ 30 % of the measured matmul peak at the 4× size: **{100 * mfu_4x:.1f} % — {verdict(mfu_4x >= 0.30)}**.")
print(f"- Cached generation ≥ 3× faster than uncached at slate length 10: **{cache_default:.2f}× — {verdict(cache_default >= 3.0)}**.")
PY
