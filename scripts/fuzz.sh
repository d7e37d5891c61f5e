#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in a build directory of their own and runs each
# for a fixed number of inputs from a fixed seed, so that two runs do the same work.
#
#   scripts/fuzz.sh [--runs N] [--build-dir DIR] [--jobs N] [TARGET ...]
#
# TARGET: config_json config_set s3rec_sequences item_attributes interactions_table (default:
# all). Each target starts from its seeds in fuzz/corpus/<target>/ (config_json also from
# resources/presets/), with fuzz/dictionaries/<target>.dict when there is one; what it discovers
# goes to DIR/corpus/<target>/ (emptied first) and a crashing input to DIR/artifacts/, never into
# the source tree. Exit status: 0 when every target ran clean, 1 when one crashed, leaked, hung or
# broke an invariant, 77 when clang or libFuzzer is not installed (the ctest then reports a skip).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=1000000
build="$root/build-fuzz"
jobs=2
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --build-dir) build=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(config_json config_set s3rec_sequences item_attributes interactions_table)

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
    > "$probe/probe.cpp"
if ! command -v clang++ >/dev/null ||
   ! clang++ -fsanitize=fuzzer "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null; then
    echo "fuzz.sh: needs clang++ with libFuzzer (Debian: apt install clang libclang-rt-14-dev)"
    exit 77
fi

start=$(date +%s)
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DSAGE_BUILD_FUZZERS=ON \
      -DCMAKE_BUILD_TYPE=Debug >/dev/null || exit 1
cmake --build "$build" -j "$jobs" -- --no-print-directory >/dev/null || {
    cmake --build "$build" -j 1; exit 1; }   # again, to show the error
echo "fuzz.sh: configured and built the fuzz targets in $(( $(date +%s) - start )) s"

failed=0
for target in "${targets[@]}"; do
    binary="$build/bin/fuzz_$target"
    [ -x "$binary" ] || { echo "fuzz.sh: no fuzz target '$target'" >&2; exit 2; }
    work="$build/corpus/$target"
    rm -rf "$work" && mkdir -p "$work" "$build/artifacts" "$build/logs"
    seeds=("$root/fuzz/corpus/$target")
    [ "$target" = config_json ] && seeds+=("$root/resources/presets")
    options=(-runs="$runs" -seed=1 -timeout=10 -error_exitcode=1 -timeout_exitcode=1
             -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1)
    dictionary="$root/fuzz/dictionaries/$target.dict"
    [ -f "$dictionary" ] && options+=(-dict="$dictionary")
    log="$build/logs/$target.log"
    "$binary" "${options[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "fuzz.sh: $target: ${done_line:-finished}, $(find "$work" -type f | wc -l) new inputs, no crash"
    else
        failed=1
        echo "fuzz.sh: $target FAILED (exit $rc); full log $log:"
        # What went wrong and where in our code; the whole stack trace is in the log.
        grep -E 'terminate called|what\(\)|ERROR|fuzz invariant|runtime error|ALARM|SUMMARY|in sage::|Test unit written' \
            "$log" | cut -c1-240 | head -n 30
        ls "$build/artifacts/$target-"* 2>/dev/null | sed 's/^/  reproduce: '"${binary//\//\\/}"' /'
    fi
done
exit $failed
