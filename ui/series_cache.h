#pragma once
#include <map>
#include <utility>
#include <vector>

#include <QObject>
#include <QString>
#include <QStringList>

#include "metrics_buffer.h"

namespace sage {
class RunStore;
}

namespace sage::ui {

/// One metric of one run, whole, in step order (x for either axis, and y).
struct Series {
    std::vector<double> steps;
    std::vector<double> wallTimes;
    std::vector<double> values;
    qint64 lastStep = -1;
    size_t size() const { return values.size(); }
};

/// The series the plots read, loaded once per (run, key) and grown in place: from the store when
/// another connection commits, and from the live buffer when the run trains in this process.
/// Every panel showing a key shares one copy. GUI thread only.
class SeriesCache : public QObject {
    Q_OBJECT
public:
    /// `store` is the GUI thread's connection and must outlive the cache.
    explicit SeriesCache(RunStore& store, QObject* parent = nullptr);

    RunStore& store() const { return m_store; }
    /// The series, loading it on first use; empty (not an error) when the run lacks the key.
    /// Keys starting with "eval/" read the evaluation table.
    const Series& series(qint64 runId, const QString& key);
    bool has(qint64 runId, const QString& key) const;
    /// Scalar and evaluation keys the run has logged, sorted.
    QStringList keys(qint64 runId);
    /// Drops what is cached for a run (after a purge, or to force a reload).
    void forget(qint64 runId);
    void clear();

public Q_SLOTS:
    /// Another connection committed: fetch what is new for every cached series.
    void refreshFromStore();
    void appendLive(qint64 runId, const sage::ui::MetricsBatch& batch);

Q_SIGNALS:
    /// Some cached series grew or a run's key list changed.
    void changed();

private:
    using Key = std::pair<qint64, QString>;
    bool fetch(qint64 runId, const QString& key, Series& series);

    RunStore& m_store;
    std::map<Key, Series> m_series;
    std::map<qint64, QStringList> m_keys;
};

}  // namespace sage::ui
