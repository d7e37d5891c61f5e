#include "store/run_lease.h"

#include <exception>

#include "store/run_store.h"

namespace sage {

RunLease::RunLease(std::string dbPath, int64_t runId, std::chrono::milliseconds interval)
    : m_dbPath(std::move(dbPath)), m_runId(runId), m_interval(interval) {
    m_thread = std::thread([this] { beat(); });
}

RunLease::~RunLease() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void RunLease::beat() {
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_wake.wait_for(lock, m_interval, [this] { return m_stopping; })) {
        lock.unlock();
        try {
            RunStore(m_dbPath).heartbeat(m_runId);
        } catch (const std::exception&) {
            // Skipped; see the class comment.
        }
        lock.lock();
    }
}

}  // namespace sage
