#pragma once
#include <cstdint>

#include <QObject>
#include <QTimer>

namespace sage {
class RunStore;
}

namespace sage::ui {

/// Notices commits made by other connections (the in-process trainer's, or a `sage-train` in
/// another process) by polling PRAGMA data_version on the GUI thread's own connection. Cheap
/// enough for 4 Hz, and it needs no cross-process signalling.
class StoreWatcher : public QObject {
    Q_OBJECT
public:
    static constexpr int kPollIntervalMs = 250;

    /// `store` is the GUI thread's connection and must outlive the watcher.
    explicit StoreWatcher(RunStore& store, QObject* parent = nullptr);

    RunStore& store() const { return m_store; }

public Q_SLOTS:
    /// Checks once now; emits changed() when another connection committed since the last check.
    void poll();

Q_SIGNALS:
    void changed();

private:
    RunStore& m_store;
    QTimer m_timer;
    int64_t m_lastVersion = -1;
};

}  // namespace sage::ui
