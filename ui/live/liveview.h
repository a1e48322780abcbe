// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"
#include "viewpage.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;

namespace vigil::ui {

class EngineBridge;
class EventDetailPane;
class EventFilterBar;
class LiveModel;

/// The live event tail: follow mode, pause (Space) with a count of waiting events, live
/// filters, finding badges and the detail pane. Older rows than the ring holds are paged
/// from the database with "Load older".
class LiveView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit LiveView(EngineBridge& bridge, QWidget* parent = nullptr);

    LiveModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    EventFilterBar* filterBar() const { return m_filters; }
    EventDetailPane* detailPane() const { return m_detail; }
    QPushButton* pauseButton() const { return m_pause; }
    QLabel* waitingLabel() const { return m_waiting; }

    void setPaused(bool paused);
    bool isPaused() const;
    void togglePause();
    void setFollow(bool follow);
    bool isFollowing() const;
    void focusTable();

    void focusSearch() override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

Q_SIGNALS:
    /// "Open thread in Events" from the context menu.
    void openEvents(const vigil::ui::EventQuery& query);

public Q_SLOTS:
    void loadOlder();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void applyFilter();
    void scrollToNewest();
    void updateWaiting(qint64 waiting);

    EngineBridge& m_bridge;
    LiveModel* m_model;
    EventFilterBar* m_filters;
    QTableView* m_table;
    EventDetailPane* m_detail;
    QSplitter* m_split;
    QPushButton* m_pause;
    QCheckBox* m_follow;
    QLabel* m_waiting;
    QPushButton* m_older;
    QTimer* m_scrollTimer;
    bool m_scrollPending = false;
    bool m_autoScrolling = false;
    bool m_droppingCurrent = false;
    quint64 m_recentToken = 0;
    quint64 m_olderToken = 0;
    quint64 m_vocabularyToken = 0;
};

} // namespace vigil::ui
