#include "store_watcher.h"

#include "store/run_store.h"

namespace sage::ui {

StoreWatcher::StoreWatcher(RunStore& store, QObject* parent) : QObject(parent), m_store(store) {
    try {
        m_lastVersion = m_store.dataVersion();
    } catch (const StoreError&) {
        // A busy file now is not fatal: the first successful poll sets the baseline.
    }
    m_timer.setInterval(kPollIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StoreWatcher::poll);
    m_timer.start();
}

void StoreWatcher::poll() {
    int64_t version = 0;
    try {
        version = m_store.dataVersion();
    } catch (const std::exception&) {
        return;  // locked for a moment by a writer: try again on the next tick
    }
    if (version == m_lastVersion) return;
    m_lastVersion = version;
    Q_EMIT changed();
}

}  // namespace sage::ui
