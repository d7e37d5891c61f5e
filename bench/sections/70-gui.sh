#!/usr/bin/env bash
# docs/PERFORMANCE.md's section on the dashboard's responsiveness (issue #5, acceptance 3; issue #7,
# figure 7): redraw of 8 panels × 100,000 points, opening a stored run of 1,000,000 metric rows
# with its charts drawn, and the GUI thread's longest stall while a run trains. Offscreen.
# Usage: bench/sections/70-gui.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$build/bin/sage_gui_bench
if [ ! -x "$bench" ]; then
  echo "## Dashboard responsiveness"
  echo
  echo "Not measured: $bench was not built (configure with SAGE_BUILD_GUI=ON)."
  exit 0
fi
echo "## Dashboard responsiveness"
echo
echo "\`QT_QPA_PLATFORM=offscreen build-bench/bin/sage_gui_bench --markdown --presets resources/presets\`:"
echo "redraw = rebuilding what each of 8 panels draws from its 100,000-point series plus the real paint"
echo "(QCustomPlot replot and the widget's repaint), 20 frames per situation; open = from opening the"
echo "store file to the visible tab's charts drawn; train = a 10 ms timer on the GUI thread while the"
echo "synthetic preset trains on the worker thread and the live plots update."
echo
QT_QPA_PLATFORM=offscreen "$bench" --markdown --presets "$root/resources/presets"
