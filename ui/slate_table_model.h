#pragma once
#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "training/training_records.h"

namespace sage::ui {

/// The slates of one step as table rows (SAGE.md section 5), with the coefficient GBPO would have
/// used beside the stored one. Qt::UserRole gives raw numbers, for sorting and filtering.
class SlateTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IndexColumn,
        UserColumn,
        GroupColumn,
        ItemsColumn,
        RatioColumn,       // r
        LogRatioColumn,    // ρ
        AdvantageColumn,   // A
        CoefficientColumn, // c (stored: what the objective used)
        GbpoColumn,        // c under GBPO
        BranchColumn,
        BoostColumn,       // b
        PosCapColumn,      // Γ⁺
        EntropyColumn,     // Ĥ
        NegScaleColumn,    // Λ
        PbarOldColumn,
        PbarNewColumn,
        DenominatorColumn,
        kFixedColumns
    };

    explicit SlateTableModel(QObject* parent = nullptr);

    void setSlates(std::vector<SlateRecord> slates);
    const std::vector<SlateRecord>& slates() const { return m_slates; }
    const SlateRecord& slate(int row) const { return m_slates[size_t(row)]; }
    /// Reward component names, in report order of the first slate: one column each.
    const QStringList& rewardNames() const { return m_rewardNames; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// c under GBPO (SAGE.md 4.4): min(r, 1) for A ≥ 0, min(r, p̄/(1−p̄)) for A < 0, with p̄ the
    /// slate's current geometric-mean probability.
    static double gbpoCoefficient(const SlateRecord& slate);
    /// SAGE's cap on c for this slate: Γ⁺ for A ≥ 0, Λ·p̄/(1−p̄) for A < 0.
    static double sageCap(const SlateRecord& slate);
    static bool isCapped(const SlateRecord& slate);
    static bool isClipped(const SlateRecord& slate);
    /// The boost changed c: b > 0 and c > 1 (where GBPO would have stopped at 1).
    static bool boostApplied(const SlateRecord& slate);
    /// GBPO's cap would have set c (its c is below r).
    static bool gbpoWouldCap(const SlateRecord& slate);

private:
    double number(const SlateRecord& s, int column) const;

    std::vector<SlateRecord> m_slates;
    QStringList m_rewardNames;
};

}  // namespace sage::ui
