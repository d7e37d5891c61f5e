#pragma once
// Shared by the ui tests: a tiny configuration and a temporary store path.
#include <QDir>
#include <QFileInfo>
#include <QStringList>
#include <QTemporaryDir>

#include "config/run_config.h"

namespace sage::ui::test {

/// Small enough to train fast on two cores; `steps` sets how long it lasts.
inline RunConfig tinyConfig(int steps = 50) {
    RunConfig config;
    config.name = "tiny";
    config.environment.users = 50;
    config.environment.items = 40;
    config.environment.categories = 4;
    config.training.steps = steps;
    config.training.contexts = 4;
    config.training.groupSize = 4;
    config.training.slateLength = 3;
    config.training.threads = 1;
    config.model.embeddingDim = 16;
    config.model.hiddenDim = 32;
    config.model.historyWindow = 10;
    return config;
}

/// The presets shipped in the source tree (found from this file: no compile definition needed).
inline QString presetsDir() {
    return QDir::cleanPath(QFileInfo(QStringLiteral(__FILE__))
                               .absoluteDir()
                               .filePath(QStringLiteral("../../resources/presets")));
}

/// A small RFC 4180 reader for checking exports: rows of fields, quotes honoured.
inline QList<QStringList> parseCsv(const QString& text) {
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row.append(field);
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            row.append(field);
            field.clear();
            rows.append(row);
            row.clear();
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty()) {
        row.append(field);
        rows.append(row);
    }
    return rows;
}

class TempStore {
public:
    QString path() const { return m_dir.filePath(QStringLiteral("runs.sqlite")); }
    QString dir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
};

}  // namespace sage::ui::test
