#include "config_diff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace sage::ui {

namespace {

QString scalarText(const QJsonValue& v) {
    switch (v.type()) {
        case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 12);
        case QJsonValue::String: return v.toString();
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Array:
            return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
        default: return QString();
    }
}

void flattenInto(const QJsonObject& object, const QString& prefix, QMap<QString, QString>& out) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key();
        if (it.value().isObject())
            flattenInto(it.value().toObject(), key, out);
        else
            out.insert(key, scalarText(it.value()));
    }
}

}  // namespace

QMap<QString, QString> ConfigDiff::flatten(const QString& json) {
    QMap<QString, QString> out;
    flattenInto(QJsonDocument::fromJson(json.toUtf8()).object(), QString(), out);
    return out;
}

QList<ConfigDiff::Row> ConfigDiff::differing(const QList<QMap<QString, QString>>& configs) {
    QSet<QString> keys;
    for (const auto& c : configs)
        for (auto it = c.begin(); it != c.end(); ++it) keys.insert(it.key());
    QStringList sorted(keys.begin(), keys.end());
    sorted.sort();
    QList<Row> rows;
    for (const QString& key : sorted) {
        Row row{key, {}};
        bool differs = false;
        for (const auto& c : configs) {
            if (!c.contains(key)) differs = true;
            row.values.append(c.value(key));
        }
        for (const QString& v : row.values)
            if (v != row.values.first()) differs = true;
        if (differs) rows.append(row);
    }
    return rows;
}

}  // namespace sage::ui
