// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "bridge/enginebridge.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "incidents/incidentsview.h"
#include "live/livesettingsdialog.h"
#include "live/liveview.h"
#include "notifications/notifier.h"
#include "overview/overviewview.h"
#include "theme.h"
#include "viewpage.h"
#include "viewregistry.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QUndoGroup>
#include <QUndoStack>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace vigil::ui {

MainWindow::MainWindow(EngineBridge& bridge, QWidget* parent) : QMainWindow(parent), m_bridge(bridge)
{
    Theme::instance(); // registers the resources and reads the desktop palette first
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/vigil/icons/vigil.svg")));
    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_nav = new QListWidget(central);
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setFixedWidth(170);
    m_nav->setFocusPolicy(Qt::TabFocus);
    auto* right = new QWidget(central);
    auto* column = new QVBoxLayout(right);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    m_banner = new QLabel(right);
    m_banner->setObjectName(QStringLiteral("alertBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setContentsMargins(12, 8, 12, 8);
    m_banner->setStyleSheet(QStringLiteral("QLabel#alertBanner { background: #b3261e; color: white; "
                                           "font-weight: bold; }"));
    m_banner->hide();
    m_stack = new QStackedWidget(right);
    column->addWidget(m_banner);
    column->addWidget(m_stack, 1);
    layout->addWidget(m_nav);
    layout->addWidget(right, 1);
    setCentralWidget(central);
    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= m_views.size())
            return;
        m_stack->setCurrentWidget(m_views[row].widget);
        auto* page = dynamic_cast<ViewPage*>(m_views[row].widget);
        if (m_exportAction)
            m_exportAction->setEnabled(page && page->canExport());
        // Edit > Undo and Redo act on the shown view's edits (disabled for views without).
        QUndoStack* stack = page ? page->undoStack() : nullptr;
        if (stack && !m_undoGroup->stacks().contains(stack))
            m_undoGroup->addStack(stack);
        m_undoGroup->setActiveStack(stack);
    });

    buildMenus();
    buildStatusBar();

    m_overview = new OverviewView(bridge);
    m_live = new LiveView(bridge);
    m_incidents = new IncidentsView(bridge);
    m_events = new EventsView(bridge);
    addView(QStringLiteral("overview"), tr("Overview"), m_overview, QKeySequence(Qt::CTRL | Qt::Key_1));
    addView(QStringLiteral("live"), tr("Live"), m_live, QKeySequence(Qt::CTRL | Qt::Key_2));
    addView(QStringLiteral("incidents"), tr("Incidents"), m_incidents, QKeySequence(Qt::CTRL | Qt::Key_3));
    addView(QStringLiteral("events"), tr("Events"), m_events, QKeySequence(Qt::CTRL | Qt::Key_4));
    registerExtensionViews(*this, bridge);

    connect(m_overview, &OverviewView::openEvents, this, &MainWindow::showEvents);
    connect(m_live, &LiveView::openEvents, this, &MainWindow::showEvents);
    connect(m_overview, &OverviewView::openIncidents, this, &MainWindow::showIncidents);
    connect(m_incidents, &IncidentsView::openEvents, this, &MainWindow::showEvents);

    m_notifier = new Notifier(bridge, this);
    connect(m_notifier, &Notifier::activated, this, [this](qint64 incidentId) {
        IncidentQuery q;
        m_incidents->applyQuery(q);
        m_incidents->selectIncident(incidentId);
        showView(QStringLiteral("incidents"));
        showNormal();
        raise();
        activateWindow();
    });

    connect(&bridge, &EngineBridge::statusUpdated, this, &MainWindow::onStatus);
    connect(&bridge, &EngineBridge::databaseOpened, this, &MainWindow::updateTitle);
    connect(&bridge, &EngineBridge::errorOccurred, this, [this](const QString& message) {
        statusBar()->showMessage(message, 15000);
    });
    connect(&bridge, &EngineBridge::retentionAwaitingConfirmation, this, [this](qint64 items, const QString&) {
        statusBar()->showMessage(tr("Retention is waiting for your confirmation: %L1 stored items are past "
                                    "their period (Reports > Data protection).")
                                     .arg(items),
                                 60000);
    });
    m_nav->setCurrentRow(0);
    resize(1400, 860);
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::addView(const QString& id, const QString& title, QWidget* view,
                         const QKeySequence& shortcut, const QIcon& icon)
{
    QKeySequence keys = shortcut;
    if (keys.isEmpty()) {
        for (int digit = 1; digit <= 9 && keys.isEmpty(); ++digit) {
            const QKeySequence candidate(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_0 + digit));
            const bool taken = std::any_of(m_views.begin(), m_views.end(), [&](const ViewEntry& v) {
                return v.action->shortcut() == candidate;
            });
            if (!taken)
                keys = candidate;
        }
    }
    view->setParent(m_stack);
    m_stack->addWidget(view);
    auto* item = new QListWidgetItem(icon, title, m_nav);
    item->setData(Qt::UserRole, id);
    item->setToolTip(keys.toString(QKeySequence::NativeText));
    auto* action = m_viewsMenu->addAction(icon, title);
    action->setShortcut(keys);
    action->setData(id);
    connect(action, &QAction::triggered, this, [this, id] { showView(id); });
    addAction(action); // shortcuts work with the menu bar hidden too
    m_views.push_back(ViewEntry{id, view, action});
}

void MainWindow::setLayerNames(LayerNaming naming)
{
    if (naming == layerNaming())
        return;
    setLayerNaming(naming);
    QSettings().setValue(QStringLiteral("view/layerNames"),
                         QString::fromLatin1(layerNamingId(naming)));
    for (const ViewEntry& v : m_views)
        if (auto* page = dynamic_cast<ViewPage*>(v.widget))
            page->layerNamesChanged();
}

void MainWindow::showView(const QString& id)
{
    for (int i = 0; i < m_views.size(); ++i)
        if (m_views[i].id == id)
            m_nav->setCurrentRow(i);
    if (id == u"live")
        m_live->focusTable();
}

QString MainWindow::currentViewId() const
{
    const int row = m_nav->currentRow();
    return row >= 0 && row < m_views.size() ? m_views[row].id : QString();
}

QWidget* MainWindow::view(const QString& id) const
{
    for (const ViewEntry& v : m_views)
        if (v.id == id)
            return v.widget;
    return nullptr;
}

QStringList MainWindow::viewIds() const
{
    QStringList ids;
    for (const ViewEntry& v : m_views)
        ids << v.id;
    return ids;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Database…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Vigil database"), QFileInfo(m_bridge.databasePath()).absolutePath(),
            tr("Vigil databases (*.db *.sqlite *.vigil);;All files (*)"));
        if (!path.isEmpty())
            openDatabase(path);
    });
    open->setShortcut(QKeySequence::Open);
    QAction* import = file->addAction(tr("&Import Logs…"), this, &MainWindow::importLogs);
    import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    file->addAction(tr("&Follow Log File…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Follow a log file"),
                                                          QStandardPaths::writableLocation(QStandardPaths::HomeLocation),
                                                          tr("Audit logs (*.jsonl *.json *.log *.txt);;All files (*)"));
        QString error;
        if (!path.isEmpty() && !m_bridge.followFile(path, &error))
            QMessageBox::warning(this, tr("Follow log file"), error);
    });
    QAction* liveSettings = file->addAction(tr("&Live Feed Settings…"), this, [this] {
        if (!m_bridge.isOpen()) {
            QMessageBox::information(this, tr("Live Feed Settings"), tr("Open a database first."));
            return;
        }
        LiveSettingsDialog dialog(m_bridge, this);
        dialog.exec();
    });
    liveSettings->setObjectName(QStringLiteral("liveSettingsAction"));
    liveSettings->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_exportAction = file->addAction(tr("&Export…"), this, &MainWindow::exportCurrent);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    // The keys themselves belong to the view (its own Ctrl+Z / Ctrl+Shift+Z actions, so a
    // text editor inside it keeps its own undo): the menu shows them but binds nothing, or
    // the two bindings would be ambiguous and neither would fire.
    m_undoGroup = new QUndoGroup(this);
    auto* undo = edit->addAction(tr("&Undo"), m_undoGroup, &QUndoGroup::undo);
    auto* redo = edit->addAction(tr("&Redo"), m_undoGroup, &QUndoGroup::redo);
    undo->setObjectName(QStringLiteral("editUndo"));
    redo->setObjectName(QStringLiteral("editRedo"));
    undo->setEnabled(false);
    redo->setEnabled(false);
    auto label = [](const QString& verb, const QString& what, const QString& keys) {
        return (what.isEmpty() ? verb : verb + u' ' + what) + u'\t' + keys;
    };
    auto relabel = [this, undo, redo, label] {
        undo->setText(label(tr("&Undo"), m_undoGroup->undoText(), QStringLiteral("Ctrl+Z")));
        redo->setText(label(tr("&Redo"), m_undoGroup->redoText(), QStringLiteral("Ctrl+Shift+Z")));
    };
    connect(m_undoGroup, &QUndoGroup::canUndoChanged, undo, &QAction::setEnabled);
    connect(m_undoGroup, &QUndoGroup::canRedoChanged, redo, &QAction::setEnabled);
    connect(m_undoGroup, &QUndoGroup::undoTextChanged, this, relabel);
    connect(m_undoGroup, &QUndoGroup::redoTextChanged, this, relabel);
    relabel();
    edit->addSeparator();
    QAction* find = edit->addAction(tr("&Find"), this, &MainWindow::focusSearch);
    find->setShortcut(QKeySequence::Find);
    addAction(find);
    edit->addSeparator();
    // The mute rules live with the incidents they silence.
    QAction* rules = edit->addAction(tr("&Suppression Rules…"), this, [this] {
        showView(QStringLiteral("incidents"));
        m_incidents->showMuteRules();
    });
    rules->setObjectName(QStringLiteral("suppressionRulesAction"));

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewsMenu = m_viewMenu->addMenu(tr("&Go To"));
    QMenu* theme = m_viewMenu->addMenu(tr("&Theme"));
    m_themeGroup = new QActionGroup(this);
    for (auto [name, label] : {std::pair{QStringLiteral("system"), tr("Follow the &Desktop")},
                               std::pair{QStringLiteral("light"), tr("&Light")},
                               std::pair{QStringLiteral("dark"), tr("D&ark")}}) {
        QAction* a = theme->addAction(label);
        a->setCheckable(true);
        a->setData(name);
        a->setObjectName(QStringLiteral("theme-") + name);
        m_themeGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, name] { setTheme(name); });
    }
    QMenu* layers = m_viewMenu->addMenu(tr("MAESTRO &Layer Names"));
    layers->setObjectName(QStringLiteral("layerNamesMenu"));
    auto* layerGroup = new QActionGroup(this);
    const auto saved = parseLayerNaming(
        QSettings().value(QStringLiteral("view/layerNames"), QStringLiteral("seed")).toString().toStdString());
    setLayerNaming(saved.value_or(LayerNaming::Seed));
    for (auto [naming, label] :
         {std::pair{LayerNaming::Seed, tr("&Seed Skill (Model, Agent Logic, Integration, ...)")},
          std::pair{LayerNaming::Csa,
                    tr("&Cloud Security Alliance (Foundation Models, Data Operations, ...)")}}) {
        QAction* a = layers->addAction(label);
        a->setCheckable(true);
        a->setChecked(naming == layerNaming());
        a->setObjectName(QStringLiteral("layerNames-") + QString::fromLatin1(layerNamingId(naming)));
        layerGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, naming] { setLayerNames(naming); });
    }
    m_viewMenu->addSeparator();
    QAction* notify = m_viewMenu->addAction(tr("&Notify About Critical Incidents"));
    notify->setObjectName(QStringLiteral("notifyAction"));
    notify->setCheckable(true);
    notify->setChecked(QSettings().value(QStringLiteral("notifications/enabled"), true).toBool());
    connect(notify, &QAction::toggled, this, [this](bool on) {
        if (m_notifier)
            m_notifier->setEnabled(on);
        QSettings().setValue(QStringLiteral("notifications/enabled"), on);
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Log Format"), this, &MainWindow::showLogFormat);
    help->addAction(tr("&About Vigil"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar()
{
    auto label = [this](const QString& name) {
        auto* l = new QLabel(this);
        l->setObjectName(name);
        statusBar()->addPermanentWidget(l);
        return l;
    };
    m_state = label(QStringLiteral("statusState"));
    m_sources = label(QStringLiteral("statusSources"));
    m_rate = label(QStringLiteral("statusRate"));
    m_queue = label(QStringLiteral("statusQueue"));
    m_totals = label(QStringLiteral("statusTotals"));
    m_size = label(QStringLiteral("statusSize"));
    m_state->setText(tr("No database"));
}

void MainWindow::onStatus(const IngestStatus& s)
{
    const QLocale locale;
    static const QMap<QString, QString> states{{QStringLiteral("idle"), tr("Idle")},
                                               {QStringLiteral("importing"), tr("Importing")},
                                               {QStringLiteral("live"), tr("Receiving")},
                                               {QStringLiteral("demo"), tr("Demo feed")}};
    m_state->setText(QStringLiteral("● ") + states.value(s.state, s.state));
    QString sources = tr("Sources: %L1").arg(s.sources);
    if (!s.listenAddress.isEmpty())
        sources += tr(" · feed %1 (%n client(s))", nullptr, static_cast<int>(s.connections)).arg(s.listenAddress);
    if (!s.httpAddress.isEmpty())
        sources += tr(" · HTTP %1").arg(s.httpAddress);
    if (s.followedFiles > 0)
        sources += tr(" · %n followed file(s)", nullptr, static_cast<int>(s.followedFiles));
    m_sources->setText(sources);
    m_rate->setText(tr("%L1 events/s").arg(s.eventsPerSecond, 0, 'f', s.eventsPerSecond < 10 ? 1 : 0));
    m_queue->setText(tr("Queue: %L1").arg(s.queueDepth));
    m_totals->setText(tr("Whole store: %L1 events · %L2 findings · %L3 open incidents")
                          .arg(s.events)
                          .arg(s.findings)
                          .arg(s.openIncidents));
    m_size->setText(tr("Database: %1").arg(locale.formattedDataSize(s.databaseBytes)));
    if (s.storageRetrying)
        showBanner(tr("Storing events is failing: %1. Vigil holds every input and retries; "
                      "nothing is lost or acknowledged meanwhile. Free disk space (or end what "
                      "locks the database) and it resumes on its own.")
                       .arg(s.storageError));
    else if (!s.stoppedSources.isEmpty())
        showBanner(tr("Storing failed for %1: %2. Those sources are read again from their last "
                      "stored line.")
                       .arg(s.stoppedSources.join(QStringLiteral(", ")), s.storageError));
    else
        showBanner({});
}

void MainWindow::showBanner(const QString& text)
{
    m_banner->setText(text);
    m_banner->setVisible(!text.isEmpty());
}

bool MainWindow::openDatabase(const QString& path, bool quiet)
{
    QString error;
    if (m_bridge.open(path, &error)) {
        QSettings().setValue(QStringLiteral("database/last"), path);
        return true;
    }
    if (!quiet) {
        QMessageBox box(QMessageBox::Critical, tr("Cannot open the database"),
                        tr("Vigil cannot open %1.").arg(QDir::toNativeSeparators(path)), QMessageBox::Ok, this);
        QString hint;
        if (error.contains(QStringLiteral("newer Vigil")))
            hint = tr("The database was written by a newer version of Vigil. Open it with that "
                      "version, or choose another database with File > Open Database.");
        else if (error.contains(QStringLiteral("not a Vigil database")))
            hint = tr("The file is not a Vigil database. Choose another file, or import logs "
                      "into a new database.");
        else
            hint = tr("Check that the file and its folder can be read and written.");
        box.setInformativeText(hint);
        box.setDetailedText(error);
        box.exec();
    }
    m_state->setText(tr("No database"));
    updateTitle();
    return false;
}

void MainWindow::updateTitle()
{
    const QString db = m_bridge.isOpen() ? QFileInfo(m_bridge.databasePath()).fileName() : tr("no database");
    setWindowTitle(tr("Vigil — %1").arg(db));
}

void MainWindow::showEvents(const EventQuery& query)
{
    m_events->applyQuery(query);
    showView(QStringLiteral("events"));
}

void MainWindow::showIncidents(const IncidentQuery& query)
{
    m_incidents->applyQuery(query);
    showView(QStringLiteral("incidents"));
}

void MainWindow::importLogs()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Import audit logs"), QStandardPaths::writableLocation(QStandardPaths::HomeLocation),
        tr("Audit logs (*.jsonl *.json *.log *.txt);;All files (*)"));
    if (!paths.isEmpty())
        importPaths(paths);
}

void MainWindow::importPaths(const QStringList& paths)
{
    if (!m_bridge.isOpen()) {
        QMessageBox::warning(this, tr("Import"), tr("Open a database first."));
        return;
    }
    if (!m_bridge.importFiles(paths)) {
        QMessageBox::information(this, tr("Import"), tr("An import is already running."));
        return;
    }
    auto* progress = new QProgressDialog(tr("Importing %n file(s)…", nullptr, static_cast<int>(paths.size())),
                                         tr("Continue in Background"), 0, 1000, this);
    progress->setObjectName(QStringLiteral("importProgress"));
    progress->setWindowTitle(tr("Import"));
    progress->setMinimumDuration(0);
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    progress->setValue(0);
    connect(&m_bridge, &EngineBridge::importProgress, progress, [progress](const ImportState& s) {
        if (s.bytesTotal > 0)
            progress->setValue(static_cast<int>(1000 * s.bytesRead / s.bytesTotal));
        progress->setLabelText(tr("Importing %1\n%L2 lines read")
                                   .arg(QFileInfo(s.currentFile).fileName())
                                   .arg(s.lines));
    });
    connect(progress, &QProgressDialog::canceled, progress, &QWidget::close);
    auto* context = new QObject(this);
    connect(&m_bridge, &EngineBridge::importFinished, context,
            [this, progress = QPointer<QProgressDialog>(progress), context](bool ok, const QString& message) {
                context->deleteLater();
                if (progress)
                    progress->close();
                if (ok) {
                    statusBar()->showMessage(message, 20000);
                    m_events->model()->reload();
                } else {
                    QMessageBox::warning(this, tr("Import failed"), message);
                }
            });
}

void MainWindow::focusSearch()
{
    QWidget* current = m_stack->currentWidget();
    if (auto* page = dynamic_cast<ViewPage*>(current)) {
        page->focusSearch();
        return;
    }
    if (auto* box = current ? current->findChild<QLineEdit*>(QStringLiteral("searchBox")) : nullptr) {
        box->setFocus(Qt::ShortcutFocusReason);
        box->selectAll();
    }
}

void MainWindow::exportCurrent()
{
    if (auto* page = dynamic_cast<ViewPage*>(m_stack->currentWidget()); page && page->canExport())
        page->exportData(this);
}

void MainWindow::showLogFormat()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Audit log format"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* text = new QTextBrowser(&dialog);
    text->setOpenExternalLinks(true);
    QFile f(QStringLiteral(":/vigil/help/log-format.md"));
    if (f.open(QIODevice::ReadOnly))
        text->setMarkdown(QString::fromUtf8(f.readAll()));
    layout->addWidget(text);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(820, 640);
    dialog.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Vigil"),
                       tr("<h3>Vigil %1</h3><p>A security operations dashboard for the audit logs "
                          "of multi-agent LLM systems: findings, incidents and their review.</p>"
                          "<p>Database: %2</p><p>Licensed under the Apache License 2.0.</p>")
                           .arg(QCoreApplication::applicationVersion(),
                                m_bridge.isOpen() ? m_bridge.databasePath().toHtmlEscaped() : tr("none")));
}

void MainWindow::setTheme(const QString& name)
{
    Theme::instance().apply(Theme::modeFromName(name));
    for (QAction* a : m_themeGroup->actions())
        a->setChecked(a->data().toString() == name);
    QSettings().setValue(QStringLiteral("window/theme"), name);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    setTheme(s.value(QStringLiteral("window/theme"), QStringLiteral("system")).toString());
    for (const ViewEntry& v : std::as_const(m_views)) {
        if (auto* page = dynamic_cast<ViewPage*>(v.widget)) {
            s.beginGroup(QStringLiteral("views/") + v.id);
            page->restoreState(s);
            s.endGroup();
        }
    }
    m_notifier->setEnabled(s.value(QStringLiteral("notifications/enabled"), true).toBool());
    const QString current = s.value(QStringLiteral("window/view")).toString();
    if (!current.isEmpty())
        showView(current);
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/view"), currentViewId());
    for (const ViewEntry& v : m_views) {
        if (auto* page = dynamic_cast<ViewPage*>(v.widget)) {
            s.beginGroup(QStringLiteral("views/") + v.id);
            page->saveState(s);
            s.endGroup();
        }
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    event->accept();
}

} // namespace vigil::ui
