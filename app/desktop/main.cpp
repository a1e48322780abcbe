// SPDX-License-Identifier: Apache-2.0
// `vigil`: the desktop dashboard. Parses the command line, picks the database and hands
// everything else to ui/ (MainWindow) and, through its bridge, to core/.

#include "bridge/enginebridge.h"
#include "mainwindow.h"
#include "screenshots.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QStandardPaths>

using namespace vigil::ui;

namespace {

QString defaultDatabase()
{
    // ~/.local/share/vigil/vigil.db, honouring XDG_DATA_HOME.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/vigil");
    // Owner only: the database holds the agents' PII and secrets (redacted only on screen).
    QDir().mkpath(dir);
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return dir + QStringLiteral("/vigil.db");
}

QString freshDemoDatabase()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + QStringLiteral("/vigil");
    QDir().mkpath(dir);
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString path = dir + QStringLiteral("/demo.db");
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path + suffix);
    return path;
}

struct Options
{
    QCommandLineParser parser;
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("Open the database at PATH (created if missing)."),
                          QStringLiteral("PATH")};
    QCommandLineOption demo{QStringLiteral("demo"),
                            QStringLiteral("Open a fresh demo database filled from the built-in demo corpus, with a live feed.")};
    QCommandLineOption rules{QStringLiteral("rules"), QStringLiteral("Extra rule pack (JSON)."), QStringLiteral("FILE")};
    QCommandLineOption policies{QStringLiteral("policies"), QStringLiteral("Agent IAM policy file (JSON)."), QStringLiteral("FILE")};
    QCommandLineOption listen{QStringLiteral("listen"), QStringLiteral("Address of the live TCP feed (default 127.0.0.1:7514)."),
                              QStringLiteral("HOST:PORT")};
    QCommandLineOption noListen{QStringLiteral("no-listen"), QStringLiteral("Do not open the live TCP feed.")};
    QCommandLineOption http{QStringLiteral("http"),
                            QStringLiteral("Receive OTLP/HTTP JSON (/v1/traces, /v1/logs) and NDJSON (/v1/events) on HOST:PORT, "
                                           "e.g. 127.0.0.1:4318."),
                            QStringLiteral("HOST:PORT")};
    QCommandLineOption follow{QStringLiteral("follow"), QStringLiteral("Follow a log file as it grows (repeatable)."),
                              QStringLiteral("FILE")};
    QCommandLineOption theme{QStringLiteral("theme"), QStringLiteral("Theme: system, light or dark."), QStringLiteral("NAME")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"), QStringLiteral("Save screenshots of every view to DIR and quit."),
                                  QStringLiteral("DIR")};

    Options()
    {
        parser.setApplicationDescription(QStringLiteral("Security operations dashboard for multi-agent LLM audit logs."));
        parser.addHelpOption();
        parser.addVersionOption();
        screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOptions({db, demo, rules, policies, listen, noListen, http, follow, theme, screenshot});
    }
};

void setNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("vigil"));
    QCoreApplication::setApplicationName(QStringLiteral("vigil"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
}

} // namespace

int main(int argc, char* argv[])
{
    // --help and --version answer without a display.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version") {
            QCoreApplication core(argc, argv);
            setNames();
            Options options;
            options.parser.process(core); // prints and exits
        }
    }

    QApplication app(argc, argv);
    setNames();
    QApplication::setApplicationDisplayName(QStringLiteral("Vigil"));
    QApplication::setDesktopFileName(QStringLiteral("vigil"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/vigil/icons/vigil.svg")));
    Theme::instance(); // reads the desktop palette before Vigil sets its own

    Options options;
    const QCommandLineParser& parser = options.parser;
    options.parser.process(app);

    EngineBridge bridge;
    EngineBridge::EngineOptions engine;
    if (parser.isSet(options.rules))
        engine.rulesFile = parser.value(options.rules);
    if (parser.isSet(options.policies))
        engine.policiesFile = parser.value(options.policies);
    else if (parser.isSet(options.demo))
        if (const QByteArray policies = EngineBridge::demoPolicies(); !policies.isEmpty())
            engine.policiesJson = policies;
    QString error;
    if (!bridge.loadEngine(engine, &error)) {
        QMessageBox::critical(nullptr, QStringLiteral("Vigil"),
                              QApplication::translate("vigil", "The detection rules or policies cannot be loaded:\n%1").arg(error));
        return 2;
    }

    EngineBridge::LiveSettings live;
    live.tcp = !parser.isSet(options.noListen);
    if (parser.isSet(options.listen))
        live.listen = parser.value(options.listen);
    else if (parser.isSet(options.demo))
        live.listen = QStringLiteral("127.0.0.1:0"); // the demo's own feed, on a free port
    if (parser.isSet(options.http))
        live.http = parser.value(options.http);
    live.followFiles = parser.values(options.follow);
    bridge.setLiveSettings(live);

    MainWindow window(bridge);
    window.restoreSettings();
    if (parser.isSet(options.theme))
        Theme::instance().apply(Theme::modeFromName(parser.value(options.theme)));
    window.show();

    const bool demo = parser.isSet(options.demo);
    const QString path = demo ? freshDemoDatabase() : parser.isSet(options.db) ? parser.value(options.db) : defaultDatabase();
    if (window.openDatabase(path) && demo)
        bridge.startDemo();
    if (parser.isSet(options.screenshot))
        takeScreenshots(window, parser.value(options.screenshot), demo ? 6000 : 2500);
    return app.exec();
}
