#include "slate_table_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QColor>

namespace sage::ui {

namespace {
constexpr double kTolerance = 1e-9;
}

SlateTableModel::SlateTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void SlateTableModel::setSlates(std::vector<SlateRecord> slates) {
    beginResetModel();
    m_slates = std::move(slates);
    m_rewardNames.clear();
    for (const SlateRecord& s : m_slates)
        for (const auto& [name, value] : s.rewards) {
            const QString n = QString::fromStdString(name);
            if (!m_rewardNames.contains(n)) m_rewardNames.append(n);
        }
    endResetModel();
}

int SlateTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_slates.size());
}

int SlateTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : kFixedColumns + int(m_rewardNames.size());
}

double SlateTableModel::gbpoCoefficient(const SlateRecord& s) {
    if (s.advantage >= 0) return std::min(s.ratio, 1.0);
    const double p = s.pbarNew;
    const double cap = p >= 1.0 ? std::numeric_limits<double>::infinity() : p / (1.0 - p);
    return std::min(s.ratio, cap);
}

double SlateTableModel::sageCap(const SlateRecord& s) {
    if (s.advantage >= 0) return s.posCap;
    const double p = s.pbarNew;
    return p >= 1.0 ? std::numeric_limits<double>::infinity() : s.negScale * p / (1.0 - p);
}

bool SlateTableModel::isCapped(const SlateRecord& s) {
    return s.branch == "pos_cap" || s.branch == "neg_cap";
}

bool SlateTableModel::isClipped(const SlateRecord& s) {
    return s.branch.rfind("clip", 0) == 0 || s.branch == "dual_clip";
}

bool SlateTableModel::boostApplied(const SlateRecord& s) {
    return s.boost > 0 && s.coefficient > 1.0 + kTolerance;
}

bool SlateTableModel::gbpoWouldCap(const SlateRecord& s) {
    return gbpoCoefficient(s) < s.ratio - kTolerance;
}

double SlateTableModel::number(const SlateRecord& s, int column) const {
    switch (column) {
        case UserColumn: return double(s.user);
        case GroupColumn: return double(s.group);
        case RatioColumn: return s.ratio;
        case LogRatioColumn: return s.logRatio;
        case AdvantageColumn: return s.advantage;
        case CoefficientColumn: return s.coefficient;
        case GbpoColumn: return gbpoCoefficient(s);
        case BoostColumn: return s.boost;
        case PosCapColumn: return s.posCap;
        case EntropyColumn: return s.listEntropy;
        case NegScaleColumn: return s.negScale;
        case PbarOldColumn: return s.pbarOld;
        case PbarNewColumn: return s.pbarNew;
        case DenominatorColumn: return s.denominator;
        default: break;
    }
    const int reward = column - kFixedColumns;
    if (reward >= 0 && reward < m_rewardNames.size()) {
        const std::string name = m_rewardNames[reward].toStdString();
        for (const auto& [n, v] : s.rewards)
            if (n == name) return v;
    }
    return std::nan("");
}

QVariant SlateTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const SlateRecord& s = m_slates[size_t(index.row())];
    const int column = index.column();
    if (column == IndexColumn)
        return role == Qt::DisplayRole || role == Qt::UserRole ? QVariant(index.row()) : QVariant();
    if (column == ItemsColumn) {
        if (role != Qt::DisplayRole && role != Qt::UserRole && role != Qt::ToolTipRole) return {};
        QStringList items;
        for (int64_t item : s.items) items.append(QString::number(item));
        return items.join(QLatin1Char(' '));
    }
    if (column == BranchColumn) {
        if (role == Qt::DisplayRole || role == Qt::UserRole) return QString::fromStdString(s.branch);
        if (role == Qt::ToolTipRole)
            return tr("Which cap or clip set c: ratio (none), pos_cap (Γ⁺), neg_cap (Λ·p̄/(1−p̄)), "
                      "clip_low, clip_high, dual_clip");
        return {};
    }
    const double v = number(s, column);
    switch (role) {
        case Qt::UserRole:
            return v;
        case Qt::DisplayRole:
            if (column == UserColumn || column == GroupColumn) return qint64(v);
            return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'g', 4);
        case Qt::TextAlignmentRole:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::ForegroundRole:
            if (column == AdvantageColumn) return v < 0 ? QColor(0xc0, 0x30, 0x30) : QColor(0x2e, 0x7d, 0x32);
            if (column == GbpoColumn && gbpoWouldCap(s) &&
                std::abs(gbpoCoefficient(s) - s.coefficient) > kTolerance)
                return QColor(0xa0, 0x50, 0x00);
            return {};
        default:
            return {};
    }
}

QVariant SlateTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    static const char* const kNames[] = {"#",  "user", "group", "items", "r",   "ρ",
                                         "A",  "c",    "c GBPO", "branch", "b", "Γ⁺",
                                         "Ĥ",  "Λ",    "p̄ old", "p̄ new", "D"};
    static const char* const kTips[] = {
        "Order of the slate in the step", "User (context)", "Group index", "Recommended items",
        "Slate ratio r = exp(ρ)", "Sequence log-ratio ρ (mean token log-ratio)", "Advantage A",
        "The coefficient the objective used (stored)",
        "What GBPO would have used: min(r,1) for A≥0, min(r, p̄/(1−p̄)) for A<0",
        "Which cap or clip set c", "Boost eligibility b", "Positive cap Γ⁺ = 1 + ε_boost·b",
        "Normalised list entropy Ĥ", "Negative scale Λ", "Geometric-mean slate probability at rollout",
        "Geometric-mean slate probability now", "Denominator D"};
    if (section < kFixedColumns) {
        if (role == Qt::DisplayRole) return QString::fromUtf8(kNames[section]);
        if (role == Qt::ToolTipRole) return tr(kTips[section]);
        return {};
    }
    const int reward = section - kFixedColumns;
    if (reward < m_rewardNames.size()) {
        if (role == Qt::DisplayRole) return m_rewardNames[reward];
        if (role == Qt::ToolTipRole) return tr("Reward component %1").arg(m_rewardNames[reward]);
    }
    return {};
}

}  // namespace sage::ui
