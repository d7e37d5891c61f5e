#pragma once
#include <QSortFilterProxyModel>

namespace sage::ui {

/// Sorts the slate table numerically and keeps the rows of one kind, plus a free-text match on
/// user, items and branch.
class SlateFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum Filter {
        AllSlates,
        Negatives,     // A < 0
        Positives,     // A > 0
        Capped,        // a cap set c (pos_cap / neg_cap)
        Clipped,       // a clip set c
        BoostApplied,  // b > 0 and c > 1
        GbpoWouldCap,  // GBPO's cap would have set c
        DiffersFromGbpo,
    };
    static QStringList filterNames();

    explicit SlateFilterProxy(QObject* parent = nullptr);
    void setFilter(Filter filter);
    Filter filter() const { return m_filter; }
    void setText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Filter m_filter = AllSlates;
    QString m_text;
};

}  // namespace sage::ui
