#include "series_cache.h"

#include <algorithm>
#include <cmath>

#include "store/run_store.h"

namespace sage::ui {

namespace {

bool isEvalKey(const QString& key) { return key.startsWith(QLatin1String("eval/")); }

void append(Series& series, qint64 step, double wallTime, double value) {
    // Store and live buffer overlap; only what is newer than the last point is appended.
    if (step <= series.lastStep) return;
    series.steps.push_back(double(step));
    series.wallTimes.push_back(wallTime);
    series.values.push_back(value);
    series.lastStep = step;
}

}  // namespace

SeriesCache::SeriesCache(RunStore& store, QObject* parent) : QObject(parent), m_store(store) {}

const Series& SeriesCache::series(qint64 runId, const QString& key) {
    const Key id{runId, key};
    auto it = m_series.find(id);
    if (it == m_series.end()) {
        it = m_series.emplace(id, Series{}).first;
        fetch(runId, key, it->second);
    }
    return it->second;
}

bool SeriesCache::has(qint64 runId, const QString& key) const {
    return m_series.count({runId, key}) > 0;
}

bool SeriesCache::fetch(qint64 runId, const QString& key, Series& series) {
    if (runId == 0) return false;
    std::vector<MetricPoint> points;
    try {
        const std::string name = key.toStdString();
        points = isEvalKey(key) ? m_store.evalSeries(runId, name, series.lastStep)
                                : m_store.metricSeries(runId, name, series.lastStep);
    } catch (const std::exception&) {
        return false;  // a writer holds the file for a moment: the next change retries
    }
    const size_t before = series.size();
    series.steps.reserve(before + points.size());
    series.wallTimes.reserve(before + points.size());
    series.values.reserve(before + points.size());
    for (const MetricPoint& p : points) append(series, p.step, p.wallTime, p.value);
    return series.size() != before;
}

QStringList SeriesCache::keys(qint64 runId) {
    if (runId == 0) return {};
    auto it = m_keys.find(runId);
    if (it != m_keys.end() && !it->second.isEmpty()) return it->second;
    QStringList keys;
    try {
        for (const std::string& key : m_store.metricKeys(runId)) keys.append(QString::fromStdString(key));
        for (const std::string& key : m_store.evalKeys(runId)) keys.append(QString::fromStdString(key));
    } catch (const std::exception&) {
        return keys;
    }
    keys.sort();
    m_keys[runId] = keys;
    return keys;
}

void SeriesCache::forget(qint64 runId) {
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (it->first.first == runId)
            it = m_series.erase(it);
        else
            ++it;
    }
    m_keys.erase(runId);
}

void SeriesCache::clear() {
    m_series.clear();
    m_keys.clear();
}

void SeriesCache::refreshFromStore() {
    bool grew = false;
    for (auto& [id, series] : m_series) grew |= fetch(id.first, id.second, series);
    // Key lists are re-read lazily: new keys appear as a run gets further (eval/ arrive late).
    for (auto& [runId, keys] : m_keys) {
        const int before = keys.size();
        keys.clear();
        const QStringList fresh = this->keys(runId);
        grew |= fresh.size() != before;
    }
    if (grew) Q_EMIT changed();
}

void SeriesCache::appendLive(qint64 runId, const MetricsBatch& batch) {
    bool grew = false;
    for (auto& [id, series] : m_series) {
        if (id.first != runId) continue;
        const std::string key = id.second.toStdString();
        const size_t before = series.size();
        if (isEvalKey(id.second)) {
            for (const EvalRecord& e : batch.evals)
                for (const auto& [name, value] : e.values)
                    if (name == key) append(series, e.step, std::nan(""), value);
        } else {
            for (const StepScalars& s : batch.steps)
                for (const auto& [name, value] : s.values)
                    if (name == key) {
                        append(series, s.step, s.wallTime, value);
                        break;
                    }
        }
        grew |= series.size() != before;
    }
    if (!batch.steps.empty()) {
        auto it = m_keys.find(runId);
        if (it != m_keys.end()) {
            for (const auto& [name, value] : batch.steps.front().values) {
                const QString k = QString::fromStdString(name);
                if (!it->second.contains(k)) {
                    it->second.append(k);
                    it->second.sort();
                    grew = true;
                }
            }
        }
    }
    if (grew) Q_EMIT changed();
}

}  // namespace sage::ui
