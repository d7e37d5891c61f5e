#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "suite/suite_plan.h"

namespace sage {

class RunStore;

/// Trains the pending tasks of a SuitePlan, each as its own `sage-train` process (this program,
/// `--config` the task's configuration written under the work folder, SAGE_RUN_ID the run the
/// plan created): the shared SFT stage first and alone, then the arms, up to `parallel` at a time.
/// A child process isolates each run: one that crashes or is killed fails its run, not the suite.
/// SIGINT/SIGTERM are passed on to the children as SIGTERM (each keeps its run, stopped) and no
/// further run starts; a child whose suite dies gets SIGTERM from the kernel.
class SuiteRunner {
public:
    struct Options {
        std::string dbPath;
        std::string experiment;
        std::string configDir;  // where each task's configuration file is written
        int parallel = 1;
    };
    struct Outcome {
        int finished = 0;
        int failed = 0;
        bool stopped = false;
        std::vector<std::string> failures;  // "<run name> (run N): why"
    };

    SuiteRunner(Options options, RunStore& store, std::FILE* progress);
    Outcome run(const SuitePlan& plan);

private:
    struct Child;
    void launch(const SuiteTask& task, int index, int total, std::vector<Child>& running);
    /// Records how a child ended, in the outcome, the store and the progress output.
    void finish(Child& child, int waitStatus, Outcome& outcome);

    Options m_options;
    RunStore& m_store;
    std::FILE* m_progress;
};

}  // namespace sage
