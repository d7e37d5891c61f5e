#pragma once
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace sage::ui {

/// Flattens run configurations to dotted keys and keeps the keys whose values differ.
class ConfigDiff {
public:
    struct Row {
        QString key;
        QStringList values;  // one per configuration; empty where a configuration lacks the key
    };

    /// {"a": {"b": 1}, "c": [1, 2]} → {"a.b": "1", "c": "[1,2]"}; arrays stay whole.
    static QMap<QString, QString> flatten(const QString& json);
    /// Keys (sorted) whose values are not all equal; a key missing somewhere differs.
    static QList<Row> differing(const QList<QMap<QString, QString>>& configs);
};

}  // namespace sage::ui
