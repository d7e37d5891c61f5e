#pragma once

namespace sage {

/// `sage-train report --db FILE --experiment NAME --out DIR [--baseline ARM]`: writes DIR/report.md
/// (per data set the table of each metric as mean ± std over seeds, the change against the
/// baseline arm, the paired comparison across seeds) and a PNG per evaluation curve. `argv[0]` is
/// "report". Exit codes: 0 written, 1 a file could not be written, 2 bad arguments, a missing
/// store or experiment.
int runReportCommand(int argc, char** argv);

}  // namespace sage
