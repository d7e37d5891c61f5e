#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace sage {

/// Keeps a run's heartbeat fresh while this process trains it, on a thread of its own with its own
/// connection, so that a long evaluation or a pause never makes a live run look abandoned to a
/// process of another host (RunStore::markInterruptedRuns). The run must already be owned by this
/// process (createRun or claimResumableRun). A beat that fails (a busy or full disk) is skipped:
/// the next one tries again, and training does not depend on it.
class RunLease {
public:
    static constexpr std::chrono::seconds kBeatInterval{10};

    RunLease(std::string dbPath, int64_t runId,
             std::chrono::milliseconds interval = kBeatInterval);
    /// Stops beating and joins the thread at once.
    ~RunLease();
    RunLease(const RunLease&) = delete;
    RunLease& operator=(const RunLease&) = delete;

private:
    void beat();

    std::string m_dbPath;
    int64_t m_runId;
    std::chrono::milliseconds m_interval;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace sage
