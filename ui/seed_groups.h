#pragma once
#include <QList>
#include <QString>

namespace sage::ui {

/// Which runs are seeds of one configuration: runs whose configurations agree on every key but
/// `training.seed` and `name`. The compare view draws each such group as one curve (the mean)
/// inside a band (the lowest and highest seed).
class SeedGroups {
public:
    /// Groups in the order their first run appears; each group keeps the runs' order. A run
    /// without a readable configuration is a group of its own.
    static QList<QList<qint64>> of(const QList<qint64>& runs, const QList<QString>& configJsons);
    /// Every run a group of its own (nothing grouped).
    static QList<QList<qint64>> eachAlone(const QList<qint64>& runs);
};

}  // namespace sage::ui
