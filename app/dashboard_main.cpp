// sage-dashboard: the desktop front end. Parses arguments, opens the GUI thread's store
// connection and shows the main window; everything else lives in ui/.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>

#include <memory>

#include "store/run_store.h"
#include "ui/app_settings.h"
#include "ui/main_window.h"
#include "ui/screenshot_tour.h"

namespace {

QString defaultDbPath() {
    // ~/.local/share on Linux (XDG_DATA_HOME when set).
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(QStringLiteral("sage-dashboard/runs.sqlite"));
}

// The presets ship in the source tree: found from the working directory (`make run` runs in the
// repository root), from the binary in <repo>/<build>/bin, or, for a build folder elsewhere, from
// this source file's own path (a compile definition would be the tidier way to say it).
QString defaultPresetsDir() {
    const QStringList candidates = {
        QDir::current().filePath(QStringLiteral("resources/presets")),
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../../resources/presets")),
        QFileInfo(QStringLiteral(__FILE__))
            .absoluteDir()
            .filePath(QStringLiteral("../resources/presets")),
    };
    for (const QString& dir : candidates)
        if (QFileInfo(dir).isDir()) return QDir::cleanPath(dir);
    return QDir::cleanPath(candidates.first());
}

QString findStyleSheet(const QString& presetsDir) {
    QFile file(QDir(presetsDir).filePath(QStringLiteral("../style.qss")));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll());
}

struct Options {
    QString dbPath;
    QString presetsDir;
    QString screenshotDir;  // hidden: save a PNG of every view there, then quit
};

void setApplicationNames() {
    QCoreApplication::setApplicationName(QStringLiteral("sage-dashboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));
}

/// Exits the process for --help, --version and bad arguments, as QCommandLineParser does.
Options parseArguments(const QCoreApplication& app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("SAGE Dashboard: configure, train and inspect slate-policy runs."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"),
        QStringLiteral("Run store (SQLite file; created when missing). Default: the last one "
                       "opened, else %1")
            .arg(defaultDbPath()),
        QStringLiteral("FILE"));
    const QCommandLineOption presetsOption(
        QStringLiteral("presets"),
        QStringLiteral("Folder of preset configurations (*.json). Default: %1")
            .arg(defaultPresetsDir()),
        QStringLiteral("DIR"), defaultPresetsDir());
    QCommandLineOption screenshotOption(QStringLiteral("screenshot-dir"),
                                        QStringLiteral("Save a PNG of every view, then quit."),
                                        QStringLiteral("DIR"));
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(dbOption);
    parser.addOption(presetsOption);
    parser.addOption(screenshotOption);
    parser.process(app);
    // Without --db: the store used last time, else the default.
    QString db = parser.value(dbOption);
    if (db.isEmpty()) db = sage::ui::AppSettings::lastDatabase();
    if (db.isEmpty()) db = defaultDbPath();
    return {QFileInfo(db).absoluteFilePath(), parser.value(presetsOption),
            parser.value(screenshotOption)};
}

bool asksForInformationOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" ||
            arg == "--version")
            return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    // --help and --version only print: answer them without needing a display.
    if (asksForInformationOnly(argc, argv)) {
        QCoreApplication core(argc, argv);
        setApplicationNames();
        parseArguments(core);
        return 0;
    }

    QApplication app(argc, argv);
    setApplicationNames();
    Options options = parseArguments(app);

    const QString styleSheet = findStyleSheet(options.presetsDir);
    if (!styleSheet.isEmpty()) app.setStyleSheet(styleSheet);

    // File ▸ Open closes the window and opens it again on the chosen store.
    int status = 0;
    for (;;) {
        QDir().mkpath(QFileInfo(options.dbPath).absolutePath());
        std::unique_ptr<sage::RunStore> store;
        try {
            store = std::make_unique<sage::RunStore>(options.dbPath.toStdString());
        } catch (const std::exception& e) {
            // StoreError says which file and what to do; anything else is reported the same way.
            QMessageBox::critical(
                nullptr, QStringLiteral("SAGE Dashboard"),
                QStringLiteral("Cannot open the run store:\n%1").arg(QString::fromUtf8(e.what())));
            return 1;
        }
        sage::ui::AppSettings::noteDatabaseOpened(options.dbPath);

        // Destroyed before the store: its controller stops a training run and waits for it, so
        // a run still training when the window closes ends `stopped`.
        QString next;
        {
            sage::ui::MainWindow window(*store, options.dbPath, options.presetsDir);
            QObject::connect(&window, &sage::ui::MainWindow::openStoreRequested, &window,
                             [&](const QString& path) {
                                 next = QFileInfo(path).absoluteFilePath();
                                 window.close();
                             });
            window.show();
            std::unique_ptr<sage::ui::ScreenshotTour> tour;
            if (!options.screenshotDir.isEmpty()) {
                tour = std::make_unique<sage::ui::ScreenshotTour>(window, options.screenshotDir);
                QObject::connect(tour.get(), &sage::ui::ScreenshotTour::finished, &app,
                                 &QCoreApplication::quit);
                tour->start();
            }
            status = app.exec();
        }
        if (next.isEmpty()) break;
        options.dbPath = next;
    }
    return status;
}
