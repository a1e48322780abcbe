// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QKeySequence>
#include <QMainWindow>

class QActionGroup;
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;
class QUndoGroup;

namespace vigil::ui {

class EngineBridge;
class EventsView;
class IncidentsView;
class LiveView;
class Notifier;
class OverviewView;

/// Vigil's window: navigation between the registered views, menus, the ingest status bar,
/// themes and saved window state. Overview, Live, Incidents and Events are built in; other
/// views (threat matrices, IAM map, checklists, reports) are added with addView() by the
/// registration functions in viewregistry.h. Only registered views appear.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(EngineBridge& bridge, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Adds `view` (the window takes ownership) under `id` to the navigation and the View
    /// menu. An empty `shortcut` takes the next free Ctrl+<digit>.
    void addView(const QString& id, const QString& title, QWidget* view,
                 const QKeySequence& shortcut = {}, const QIcon& icon = {});
    void showView(const QString& id);
    /// View > MAESTRO Layer Names: relabels every view and remembers the choice.
    void setLayerNames(LayerNaming naming);
    QString currentViewId() const;
    QWidget* view(const QString& id) const;
    QStringList viewIds() const;

    EngineBridge& bridge() const { return m_bridge; }
    OverviewView* overviewView() const { return m_overview; }
    LiveView* liveView() const { return m_live; }
    IncidentsView* incidentsView() const { return m_incidents; }
    EventsView* eventsView() const { return m_events; }
    Notifier* notifier() const { return m_notifier; }

    /// Opens `path` through the bridge; a refusal (newer schema, not a database,
    /// unwritable) is shown in a dialog unless `quiet`. Returns whether it opened.
    bool openDatabase(const QString& path, bool quiet = false);

    /// Restores geometry, splitters, headers, the current view and the theme.
    void restoreSettings();
    void saveSettings() const;

public Q_SLOTS:
    void showEvents(const vigil::ui::EventQuery& query);
    void showIncidents(const vigil::ui::IncidentQuery& query);
    void importLogs();
    void importPaths(const QStringList& paths);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void onStatus(const IngestStatus& status);
    void showBanner(const QString& text);
    void focusSearch();
    void exportCurrent();
    void showLogFormat();
    void showAbout();
    void setTheme(const QString& name);
    void updateTitle();

    struct ViewEntry
    {
        QString id;
        QWidget* widget = nullptr;
        QAction* action = nullptr;
    };

    EngineBridge& m_bridge;
    QListWidget* m_nav;
    QStackedWidget* m_stack;
    QLabel* m_banner = nullptr; ///< storage failures and other conditions that need the user
    QMenu* m_viewMenu = nullptr;
    QMenu* m_viewsMenu = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QUndoGroup* m_undoGroup = nullptr;
    QAction* m_exportAction = nullptr;
    QList<ViewEntry> m_views;
    OverviewView* m_overview = nullptr;
    LiveView* m_live = nullptr;
    IncidentsView* m_incidents = nullptr;
    EventsView* m_events = nullptr;
    Notifier* m_notifier = nullptr;
    QLabel* m_state;
    QLabel* m_sources;
    QLabel* m_rate;
    QLabel* m_queue;
    QLabel* m_size;
    QLabel* m_totals;
};

} // namespace vigil::ui
