#include "seed_groups.h"

#include <QMap>

#include "config_diff.h"

namespace sage::ui {

QList<QList<qint64>> SeedGroups::of(const QList<qint64>& runs, const QList<QString>& configJsons) {
    QList<QList<qint64>> groups;
    QList<QMap<QString, QString>> keysOfGroup;  // the first member's configuration, seed and name left out
    for (int i = 0; i < runs.size(); ++i) {
        QMap<QString, QString> keys = ConfigDiff::flatten(i < configJsons.size() ? configJsons[i] : QString());
        keys.remove(QStringLiteral("training.seed"));
        keys.remove(QStringLiteral("name"));
        const int found = keys.isEmpty() ? -1 : int(keysOfGroup.indexOf(keys));
        if (found >= 0) {
            groups[found].append(runs[i]);
        } else {
            // An unreadable configuration (no keys) is never searched for, so it matches nothing.
            groups.append(QList<qint64>{runs[i]});
            keysOfGroup.append(keys);
        }
    }
    return groups;
}

QList<QList<qint64>> SeedGroups::eachAlone(const QList<qint64>& runs) {
    QList<QList<qint64>> groups;
    for (qint64 run : runs) groups.append(QList<qint64>{run});
    return groups;
}

}  // namespace sage::ui
