#pragma once

namespace sage {

/// `sage-train suite FILE --db FILE [--parallel N] [--set key=value ...] [--arms A,B]
/// [--seeds 0,1] [--dry-run]`: trains a suite's shared SFT stage once and every RL arm × seed
/// into the suite's experiment, skipping runs that finished before and replacing unfinished ones.
/// `argv[0]` is "suite". Returns sage-train's exit codes: 0 every run finished, 1 a run failed,
/// 2 bad arguments or suite file, 130 stopped by SIGINT/SIGTERM.
int runSuiteCommand(int argc, char** argv);

}  // namespace sage
