#!/usr/bin/env bash
# -DSAGE_BUILD_GUI=OFF configures core, sage-train and the non-UI tests with Qt and QCustomPlot
# made unfindable: the headless/GPU build must not need them. Configure only (seconds); the
# e2e.sage_train_links_no_qt test checks the built binary.
set -uo pipefail
source_dir=$1
cmake=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$cmake" -S "$source_dir" -B "$work" -DCMAKE_BUILD_TYPE=Release -DSAGE_BUILD_GUI=OFF \
      -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_QCustomPlotQt6=ON \
      -DCMAKE_DISABLE_FIND_PACKAGE_Qt5=ON >"$work.log" 2>&1; then
    cat "$work.log"; rm -f "$work.log"
    echo "FAIL: configuring with SAGE_BUILD_GUI=OFF needs Qt or QCustomPlot"; exit 1
fi
rm -f "$work.log"
if grep -E '^(Qt[0-9]|QCustomPlot)[A-Za-z0-9_]*_DIR:' "$work/CMakeCache.txt"; then
    echo "FAIL: a Qt package was looked up"; exit 1
fi
targets=$("$cmake" --build "$work" --target help)
for wanted in sage_core sage_suite sage-train sage_store_tests sage_config_tests sage_suite_tests sage_core_tests sage_data_tests; do
    grep -qw -- "$wanted" <<<"$targets" || { echo "FAIL: no target $wanted"; exit 1; }
done
for unwanted in sage_ui sage-dashboard sage_ui_tests sage_gui_bench; do
    if grep -qw -- "$unwanted" <<<"$targets"; then echo "FAIL: target $unwanted exists without the GUI"; exit 1; fi
done
echo "ok: SAGE_BUILD_GUI=OFF configures without Qt; core, sage-train and the non-UI tests are there"
