#!/usr/bin/env bash
# `make bench`: builds in Release into build-bench/, runs every executable bench/sections/*.sh in
# lexical order (each gets the build folder as $1 and prints a Markdown section on stdout), and
# writes docs/PERFORMANCE.md = a header describing the machine + the sections. Prints it too.
# A section that fails keeps its place in the document with its exit status and error output, and
# makes this script exit non-zero after all the others have run.
#   SAGE_BENCH_BUILD_DIR  build folder (default: build-bench/ in the repository)
#   SAGE_BENCH_OUTPUT     the document (default: docs/PERFORMANCE.md)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SAGE_BENCH_BUILD_DIR:-$root/build-bench}"
output="${SAGE_BENCH_OUTPUT:-$root/docs/PERFORMANCE.md}"
jobs="$(nproc)"

say() { echo "bench: $*" >&2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

say "configuring and building (Release) in $build"
if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSAGE_BUILD_GUI=ON >"$work/configure.log" 2>&1; then
  cat "$work/configure.log" >&2
  say "configuring failed; nothing measured, $output left as it was"
  exit 1
fi
if ! cmake --build "$build" -j "$jobs" --target sage_benchmarks >&2; then
  say "building failed; nothing measured, $output left as it was"
  exit 1
fi

# --- header: the machine, the software, the date and the command ---------------------------------
value_of() { sed -n "s/^$1: //p" "$work/machine.txt"; }
"$build/bin/sage_bench_machine" >"$work/machine.txt" 2>&1 || {
  cat "$work/machine.txt" >&2
  say "sage_bench_machine failed"
  exit 1
}
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
memory_gib="$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
os="$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}") || echo unknown), Linux $(uname -r)"
torch_version="$(value_of libtorch)"
if torch_package="$(dpkg-query -W -f='${Version}' libtorch-dev 2>/dev/null)"; then
  torch_version="$torch_version (Debian package libtorch-dev $torch_package)"
fi
# The BLAS LibTorch was built for, and the library the trainer actually loads.
blas_loaded="$(ldd "$build/bin/sage-train" 2>/dev/null | awk '/libblas|libopenblas|libmkl/ { print $3; exit }')"
[ -n "$blas_loaded" ] && blas_loaded="$(readlink -f "$blas_loaded")"
cuda="$(value_of cuda_available)"
[ "$cuda" = yes ] && cuda="yes ($(value_of cuda_devices) device(s))"

{
  echo "# Performance"
  echo
  echo "Every figure below was produced by one command, run from the repository root:"
  echo
  echo '```'
  echo "make bench"
  echo '```'
  echo
  echo "It builds in Release into \`build-bench/\` and runs \`bench/sections/*.sh\` in order; each"
  echo "section names the program and arguments that produced its numbers."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| CPU | ${cpu:-unknown} |"
  echo "| cores | $(nproc) available to the process ($(getconf _NPROCESSORS_ONLN) online) |"
  echo "| memory | $memory_gib GiB |"
  echo "| OS | $os |"
  echo "| LibTorch | $torch_version |"
  echo "| BLAS | LibTorch built with $(value_of blas); loaded: ${blas_loaded:-not found by ldd} |"
  echo "| LibTorch intra-op threads (default) | $(value_of intra_op_threads) |"
  echo "| CUDA available | $cuda |"
  echo "| commit | $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- . ':!docs/PERFORMANCE.md' 2>/dev/null || echo ' (with uncommitted changes)') |"
} >"$work/document.md"

# --- sections -------------------------------------------------------------------------------------
failed=()
shopt -s nullglob
for section in "$root"/bench/sections/*.sh; do
  name="$(basename "$section")"
  if [ ! -x "$section" ]; then
    say "skipping $name: not executable"
    continue
  fi
  say "running $name"
  start=$SECONDS
  # stderr goes to the terminal as progress and is kept for the document if the section fails.
  "$section" "$build" >"$work/section.md" 2> >(tee "$work/section.err" >&2)
  status=$?
  wait  # for tee to write the whole of stderr
  echo >>"$work/document.md"
  cat "$work/section.md" >>"$work/document.md"
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    {
      echo
      echo "**Section \`bench/sections/$name\` failed (exit status $status); its figures above are"
      echo "missing or incomplete. Its error output:**"
      echo
      echo '```'
      tail -n 40 "$work/section.err"
      echo '```'
    } >>"$work/document.md"
  fi
  say "$name took $((SECONDS - start)) s (exit status $status)"
done

if [ ${#failed[@]} -gt 0 ]; then
  {
    echo
    echo "**Failed sections: ${failed[*]}.**"
  } >>"$work/document.md"
fi

mkdir -p "$(dirname "$output")"
cp "$work/document.md" "$output.tmp" && mv "$output.tmp" "$output"
cat "$output"
say "wrote $output"
if [ ${#failed[@]} -gt 0 ]; then
  say "failed sections: ${failed[*]}"
  exit 1
fi
