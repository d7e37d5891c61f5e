#include "slate_filter_proxy.h"

#include <cmath>

#include "slate_table_model.h"

namespace sage::ui {

QStringList SlateFilterProxy::filterNames() {
    return {tr("All slates"),          tr("Negatives only (A < 0)"), tr("Positives only (A > 0)"),
            tr("Capped only"),         tr("Clipped only"),           tr("Boost applied"),
            tr("GBPO would cap"),      tr("c differs from GBPO")};
}

SlateFilterProxy::SlateFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(Qt::UserRole);
}

void SlateFilterProxy::setFilter(Filter filter) {
    m_filter = filter;
    invalidateFilter();
}

void SlateFilterProxy::setText(const QString& text) {
    m_text = text.trimmed();
    invalidateFilter();
}

bool SlateFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    auto* model = qobject_cast<SlateTableModel*>(sourceModel());
    if (!model || sourceRow >= model->rowCount()) return false;
    const SlateRecord& s = model->slate(sourceRow);
    bool keep = true;
    switch (m_filter) {
        case AllSlates: break;
        case Negatives: keep = s.advantage < 0; break;
        case Positives: keep = s.advantage > 0; break;
        case Capped: keep = SlateTableModel::isCapped(s); break;
        case Clipped: keep = SlateTableModel::isClipped(s); break;
        case BoostApplied: keep = SlateTableModel::boostApplied(s); break;
        case GbpoWouldCap: keep = SlateTableModel::gbpoWouldCap(s); break;
        case DiffersFromGbpo:
            keep = std::abs(SlateTableModel::gbpoCoefficient(s) - s.coefficient) > 1e-9;
            break;
    }
    if (!keep || m_text.isEmpty()) return keep;
    const auto text = [&](int column) {
        return model->data(model->index(sourceRow, column)).toString();
    };
    return text(SlateTableModel::UserColumn).contains(m_text, Qt::CaseInsensitive) ||
           text(SlateTableModel::ItemsColumn).contains(m_text, Qt::CaseInsensitive) ||
           text(SlateTableModel::BranchColumn).contains(m_text, Qt::CaseInsensitive);
}

}  // namespace sage::ui
