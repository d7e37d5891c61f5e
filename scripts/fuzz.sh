#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in a build directory of their own and runs each
# for a fixed number of inputs from seed 1.
#
#   scripts/fuzz.sh [--runs N] [--build-dir DIR] [--jobs N] [--reproducible] [TARGET ...]
#
# --reproducible: the same inputs on every run (e2e.fuzz_smoke uses it). libFuzzer alone is not:
# it mutates with the operands of recent comparisons, and those include heap and stack addresses,
# which differ from run to run. So address randomisation is turned off (setarch -R) and so are
# those mutations (-use_cmp=0), which costs some power; the default keeps them.
#
# TARGET: config_json config_set s3rec_sequences item_attributes interactions_table (default:
# all). Each target starts from its seeds in fuzz/corpus/<target>/ (config_json also from
# resources/presets/), with fuzz/dictionaries/<target>.dict when there is one; what it discovers
# goes to DIR/corpus/<target>/ and a crashing input to DIR/artifacts/ (both emptied first for that
# target), never into the source tree. Exit status: 0 when every target ran clean, 1 when one
# crashed, leaked, hung or broke an invariant, 77 when clang or libFuzzer is not installed (the
# ctest then reports a skip).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=1000000
build="$root/build-fuzz"
jobs=2
reproducible=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --build-dir) build=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --reproducible) reproducible=1; shift ;;
        -h|--help) sed -n '2,/^set -uo/{/^set -uo/!p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
cmake --build "$build" -j "$jobs" >/dev/null || {
    cmake --build "$build" -j 1; exit 1; }   # again, to show the error
echo "fuzz.sh: configured and built the fuzz targets in $(( $(date +%s) - start )) s"

launcher=()
if [ $reproducible -eq 1 ]; then
    if setarch "$(uname -m)" -R true 2>/dev/null; then
        launcher=(setarch "$(uname -m)" -R)
    else
        echo "fuzz.sh: setarch -R is not allowed here; runs may differ slightly between calls"
    fi
fi

failed=0
for target in "${targets[@]}"; do
    binary="$build/bin/fuzz_$target"
    [ -x "$binary" ] || { echo "fuzz.sh: no fuzz target '$target'" >&2; exit 2; }
    work="$build/corpus/$target"
    rm -rf "$work" "$build/artifacts/$target-"* && mkdir -p "$work" "$build/artifacts" "$build/logs"
    seeds=("$root/fuzz/corpus/$target")
    [ "$target" = config_json ] && seeds+=("$root/resources/presets")
    options=(-runs="$runs" -seed=1 -timeout=10 -error_exitcode=1 -timeout_exitcode=1
             -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1)
    [ $reproducible -eq 1 ] && options+=(-use_cmp=0)
    dictionary="$root/fuzz/dictionaries/$target.dict"
    [ -f "$dictionary" ] && options+=(-dict="$dictionary")
    log="$build/logs/$target.log"
    "${launcher[@]}" "$binary" "${options[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        # Corpus files are named by their SHA-1, so the digest of the names identifies the inputs
        # found: two --reproducible runs print the same one.
        digest=$(ls "$work" | sort | md5sum | cut -c1-12)
        echo "fuzz.sh: $target: ${done_line:-finished}, $(ls "$work" | wc -l) new inputs" \
             "(digest $digest), no crash"
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
