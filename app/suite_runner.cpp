#include "suite_runner.h"

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <deque>
#include <filesystem>

#include "child_process.h"
#include "config/run_config.h"
#include "store/run_store.h"

namespace sage {
namespace {

// What sage-train's own main() reads to train into a run made for it (train_main.cpp).
constexpr const char* kRunIdVariable = "SAGE_RUN_ID";
constexpr int kExitStopped = 130;
constexpr int kMaxChildren = 256;

// The children's pids and the stop flag, for the signal handler (async-signal-safe calls only).
pid_t g_children[kMaxChildren];
volatile sig_atomic_t g_stopRequested = 0;

extern "C" void stopChildren(int) {
    g_stopRequested = 1;
    for (pid_t pid : g_children)
        if (pid > 0) ::kill(pid, SIGTERM);
}

void track(pid_t pid, pid_t replaced) {
    for (pid_t& slot : g_children)
        if (slot == replaced) {
            slot = pid;
            return;
        }
}

std::string fileNameOf(const std::string& runName) {
    std::string name = runName;
    for (char& c : name)
        if (c == '/') c = '_';
    return name + ".json";
}

}  // namespace

struct SuiteRunner::Child {
    pid_t pid = -1;
    const SuiteTask* task = nullptr;
    int64_t runId = 0;
    std::string label;  // "[3/8] sage/seed1"
    std::chrono::steady_clock::time_point started;
};

SuiteRunner::SuiteRunner(Options options, RunStore& store, std::FILE* progress)
    : m_options(std::move(options)), m_store(store), m_progress(progress) {
    if (m_options.parallel < 1 || m_options.parallel > kMaxChildren)
        throw std::invalid_argument("--parallel must be from 1 to " + std::to_string(kMaxChildren));
}

void SuiteRunner::launch(const SuiteTask& task, int index, int total, std::vector<Child>& running) {
    const std::string configPath =
        (std::filesystem::path(m_options.configDir) / fileNameOf(task.config.name)).string();
    saveConfigFile(task.config, configPath);
    Child child;
    child.task = &task;
    child.runId = SuitePlan::startRun(m_store, m_options.experiment, task);
    child.label = "[" + std::to_string(index) + "/" + std::to_string(total) + "] " + task.config.name;
    child.started = std::chrono::steady_clock::now();
    try {
        child.pid = startSelf({"--config", configPath, "--db", m_options.dbPath, "--experiment",
                               m_options.experiment, "--quiet"},
                              {{kRunIdVariable, std::to_string(child.runId)}}, SIGTERM);
    } catch (const std::exception& error) {
        m_store.setRunStatus(child.runId, RunStatus::Failed, error.what());
        throw;
    }
    track(child.pid, 0);
    std::fprintf(m_progress, "%s: run %lld started%s\n", child.label.c_str(), static_cast<long long>(child.runId),
                 task.staleRunIds.empty() ? "" : " (replaces the unfinished run)");
    std::fflush(m_progress);
    running.push_back(child);
}

void SuiteRunner::finish(Child& child, int status, Outcome& outcome) {
    track(0, child.pid);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - child.started).count();
    const auto run = m_store.run(child.runId);
    const RunStatus recorded = run ? run->status : RunStatus::Failed;
    const bool exited = WIFEXITED(status);
    if (exited && WEXITSTATUS(status) == 0 && recorded == RunStatus::Finished) {
        ++outcome.finished;
        std::fprintf(m_progress, "%s: run %lld finished in %.1f s\n", child.label.c_str(),
                     static_cast<long long>(child.runId), seconds);
    } else if (exited && WEXITSTATUS(status) == kExitStopped) {
        outcome.stopped = true;
        std::fprintf(m_progress, "%s: run %lld stopped after %.1f s (a rerun of the suite trains it again)\n",
                     child.label.c_str(), static_cast<long long>(child.runId), seconds);
    } else {
        std::string why = run && recorded == RunStatus::Failed && !run->error.empty()
                              ? run->error
                              : "its training process " + describeExit(status);
        // A process that died without recording its end leaves the run `running`, owned by
        // this live suite: nothing else would ever mark it.
        if (recorded != RunStatus::Failed) m_store.setRunStatus(child.runId, RunStatus::Failed, why);
        ++outcome.failed;
        outcome.failures.push_back(child.task->config.name + " (run " + std::to_string(child.runId) + "): " + why);
        std::fprintf(m_progress, "%s: run %lld failed after %.1f s: %s\n", child.label.c_str(),
                     static_cast<long long>(child.runId), seconds, why.c_str());
    }
    std::fflush(m_progress);
}

SuiteRunner::Outcome SuiteRunner::run(const SuitePlan& plan) {
    std::filesystem::create_directories(m_options.configDir);
    std::deque<const SuiteTask*> pending;
    if (plan.sftTask() && !plan.sftTask()->finishedRunId) pending.push_back(&*plan.sftTask());
    for (const SuiteTask& task : plan.armTasks())
        if (!task.finishedRunId) pending.push_back(&task);
    const int total = static_cast<int>(pending.size());

    struct sigaction action {};
    action.sa_handler = stopChildren;
    sigemptyset(&action.sa_mask);
    struct sigaction previousInt {}, previousTerm {};
    g_stopRequested = 0;
    for (pid_t& slot : g_children) slot = 0;
    sigaction(SIGINT, &action, &previousInt);
    sigaction(SIGTERM, &action, &previousTerm);

    Outcome outcome;
    std::vector<Child> running;
    int started = 0;
    bool sftOpen = false;  // the SFT stage trains alone: the arms load its checkpoint
    while (!pending.empty() || !running.empty()) {
        while (!pending.empty() && !sftOpen && !g_stopRequested && !outcome.stopped &&
               static_cast<int>(running.size()) < m_options.parallel) {
            const SuiteTask* task = pending.front();
            pending.pop_front();
            launch(*task, ++started, total, running);
            sftOpen = task->label.sft;
        }
        if (running.empty()) break;  // stopped with runs still pending
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;  // a stop request: the loop starts nothing new
            break;
        }
        for (auto it = running.begin(); it != running.end(); ++it) {
            if (it->pid != pid) continue;
            const bool sft = it->task->label.sft;
            const int finishedBefore = outcome.finished;
            finish(*it, status, outcome);
            running.erase(it);
            if (sft) {
                sftOpen = false;
                if (outcome.finished == finishedBefore && !pending.empty()) {
                    // Every arm loads the SFT checkpoint: without it none can start.
                    std::fprintf(m_progress, "the %zu arm runs need the SFT stage's checkpoint: not started\n",
                                 pending.size());
                    pending.clear();
                }
            }
            break;
        }
    }
    if (g_stopRequested) outcome.stopped = true;
    sigaction(SIGINT, &previousInt, nullptr);
    sigaction(SIGTERM, &previousTerm, nullptr);
    return outcome;
}

}  // namespace sage
