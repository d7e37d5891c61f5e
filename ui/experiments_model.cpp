#include "experiments_model.h"

#include <cmath>

#include <QColor>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include "store/run_store.h"

namespace sage::ui {

ExperimentsModel::ExperimentsModel(RunStore& store, QObject* parent)
    : QAbstractTableModel(parent), m_store(store) {}

QString ExperimentsModel::objectiveOf(const std::string& configJson) {
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(configJson));
    return doc.object().value(QStringLiteral("objective")).toObject().value(QStringLiteral("kind")).toString();
}

bool ExperimentsModel::lowerIsBetter(const QString& key) {
    return key.startsWith(QLatin1String("loss")) || key.contains(QLatin1String("kl")) ||
           key == QLatin1String("grad_norm") || key.contains(QLatin1String("gini")) ||
           key.startsWith(QLatin1String("time/")) || key.contains(QLatin1String("zero_std"));
}

void ExperimentsModel::setMetrics(const QStringList& keys) {
    beginResetModel();
    m_metrics = keys;
    for (Row& row : m_runs) loadMetrics(row);
    endResetModel();
}

void ExperimentsModel::setIncludeDeleted(bool include) {
    m_includeDeleted = include;
    refresh();
}

void ExperimentsModel::setExperiment(qint64 experimentId) {
    m_experiment = experimentId;
    refresh();
}

void ExperimentsModel::loadMetrics(Row& row) const {
    row.metrics.clear();
    if (m_metrics.isEmpty()) return;
    try {
        for (const LatestMetric& m : m_store.latestMetrics(row.summary.id))
            row.metrics[QString::fromStdString(m.key)] = m;
        // Evaluations live in their own table: fold them into the same last/min/max.
        for (const QString& key : m_metrics) {
            if (!key.startsWith(QLatin1String("eval/"))) continue;
            const auto series = m_store.evalSeries(row.summary.id, key.toStdString());
            if (series.empty()) continue;
            LatestMetric m{key.toStdString(), series.back().step, series.back().value,
                           series.front().value, series.front().value};
            for (const MetricPoint& p : series) {
                if (std::isnan(p.value)) continue;
                m.min = std::isnan(m.min) ? p.value : std::min(m.min, p.value);
                m.max = std::isnan(m.max) ? p.value : std::max(m.max, p.value);
            }
            row.metrics[key] = m;
        }
    } catch (const std::exception&) {
    }
}

void ExperimentsModel::refresh() {
    std::vector<RunSummary> runs;
    try {
        runs = m_store.listRuns(m_includeDeleted);
    } catch (const std::exception&) {
        return;
    }
    beginResetModel();
    m_runs.clear();
    for (RunSummary& r : runs) {
        if (m_experiment != 0 && r.experimentId != m_experiment) continue;
        Row row;
        row.objective = objectiveOf(r.configJson);
        row.summary = std::move(r);
        loadMetrics(row);
        m_runs.push_back(std::move(row));
    }
    endResetModel();
}

qint64 ExperimentsModel::runId(int row) const {
    return row >= 0 && row < rowCount() ? m_runs[size_t(row)].summary.id : 0;
}

int ExperimentsModel::rowOf(qint64 runId) const {
    for (size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].summary.id == runId) return int(i);
    return -1;
}

double ExperimentsModel::finalValue(int row, const QString& key) const {
    const auto& metrics = m_runs[size_t(row)].metrics;
    const auto it = metrics.find(key);
    return it == metrics.end() ? std::nan("") : it->second.last;
}

double ExperimentsModel::bestValue(int row, const QString& key) const {
    const auto& metrics = m_runs[size_t(row)].metrics;
    const auto it = metrics.find(key);
    if (it == metrics.end()) return std::nan("");
    return lowerIsBetter(key) ? it->second.min : it->second.max;
}

int ExperimentsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_runs.size());
}

int ExperimentsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : kFixedColumns + 2 * int(m_metrics.size());
}

Qt::ItemFlags ExperimentsModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == NameColumn || index.column() == TagsColumn ||
        index.column() == NotesColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

QVariant ExperimentsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const Row& row = m_runs[size_t(index.row())];
    const RunSummary& r = row.summary;
    const int column = index.column();
    if (role == Qt::ForegroundRole && r.deleted) return QColor(150, 150, 150);
    if (role == Qt::ToolTipRole && column == StatusColumn && !r.error.empty())
        return QString::fromStdString(r.error);
    if (role == Qt::ToolTipRole && column == NotesColumn) return QString::fromStdString(r.notes);
    const bool display = role == Qt::DisplayRole || role == Qt::EditRole;
    const bool sort = role == Qt::UserRole;
    if (!display && !sort) {
        if (role == Qt::TextAlignmentRole && (column == IdColumn || column == StepsColumn ||
                                              column == DurationColumn || column >= kFixedColumns))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    const double end = r.finishedAt > 0 ? r.finishedAt
                                         : (r.startedAt > 0 ? QDateTime::currentSecsSinceEpoch() : 0);
    const double duration = r.startedAt > 0 ? end - r.startedAt : 0.0;
    switch (column) {
        case IdColumn: return qint64(r.id);
        case ExperimentColumn: return QString::fromStdString(r.experiment);
        case NameColumn: return QString::fromStdString(r.name);
        case ObjectiveColumn: return row.objective;
        case StatusColumn:
            return QString::fromStdString(toString(r.status)) +
                   (r.deleted && display ? tr(" (deleted)") : QString());
        case StepsColumn: return r.lastStep >= 0 ? QVariant(qint64(r.lastStep)) : QVariant();
        case DurationColumn:
            if (sort) return duration;
            if (duration <= 0) return QString();
            return duration < 120 ? tr("%1 s").arg(duration, 0, 'f', 0)
                                  : tr("%1 min").arg(duration / 60.0, 0, 'f', 1);
        case TagsColumn: {
            QStringList tags;
            for (const std::string& t : r.tags) tags.append(QString::fromStdString(t));
            return tags.join(QStringLiteral(", "));
        }
        case NotesColumn:
            return display && role == Qt::DisplayRole
                       ? QString::fromStdString(r.notes).section(QLatin1Char('\n'), 0, 0)
                       : QString::fromStdString(r.notes);
        default: break;
    }
    const int metric = (column - kFixedColumns) / 2;
    if (metric >= m_metrics.size()) return {};
    const bool best = (column - kFixedColumns) % 2 == 1;
    const double v = best ? bestValue(index.row(), m_metrics[metric])
                          : finalValue(index.row(), m_metrics[metric]);
    if (sort) return v;
    return std::isnan(v) ? QString() : QString::number(v, 'g', 5);
}

QVariant ExperimentsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (section < kFixedColumns) {
        static const char* const kNames[] = {"ID",     "Experiment", "Name",  "Objective", "Status",
                                             "Steps",  "Duration",   "Tags",  "Notes"};
        if (role == Qt::DisplayRole) return tr(kNames[section]);
        if (role == Qt::ToolTipRole && (section == NameColumn || section == TagsColumn ||
                                        section == NotesColumn))
            return tr("Double-click to edit (tags: comma-separated)");
        return {};
    }
    const int metric = (section - kFixedColumns) / 2;
    if (metric >= m_metrics.size()) return {};
    const bool best = (section - kFixedColumns) % 2 == 1;
    if (role == Qt::DisplayRole)
        return QStringLiteral("%1 %2").arg(m_metrics[metric], best ? tr("best") : tr("final"));
    if (role == Qt::ToolTipRole && best)
        return lowerIsBetter(m_metrics[metric]) ? tr("Lowest value logged")
                                                : tr("Highest value logged");
    return {};
}

bool ExperimentsModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || role != Qt::EditRole) return false;
    RunSummary& r = m_runs[size_t(index.row())].summary;
    const QString text = value.toString();
    try {
        switch (index.column()) {
            case NameColumn:
                if (text.trimmed().isEmpty()) return false;
                m_store.setRunName(r.id, text.trimmed().toStdString());
                r.name = text.trimmed().toStdString();
                break;
            case NotesColumn:
                m_store.setNotes(r.id, text.toStdString());
                r.notes = text.toStdString();
                break;
            case TagsColumn: {
                std::vector<std::string> tags;
                for (const QString& t : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
                    if (!t.trimmed().isEmpty()) tags.push_back(t.trimmed().toStdString());
                m_store.setTags(r.id, tags);
                r.tags = tags;
                break;
            }
            default:
                return false;
        }
    } catch (const std::exception&) {
        return false;
    }
    Q_EMIT dataChanged(index, index);
    return true;
}

}  // namespace sage::ui
