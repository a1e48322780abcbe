// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QAbstractTableModel>

#include <deque>

class QTimer;

namespace vigil::ui {

/// The live tail: newly committed events that pass the live filter, oldest first. Arriving
/// rows are queued and flushed every 100 ms with one beginInsertRows per flush; the ring
/// keeps the newest kCapacity rows (older ones are paged from the database on request).
/// While paused, arrivals wait in a buffer (also capped: the rows that would fall out of
/// the ring anyway are only counted) and waitingCount() says how many there are.
class LiveModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr int kCapacity = 10000;
    static constexpr int kFlushMs = 100;

    explicit LiveModel(QObject* parent = nullptr);

    /// Filters arrivals from now on and clears the rows (the view reloads recent ones).
    void setFilter(const EventQuery& filter);
    const EventQuery& filter() const { return m_filter; }
    bool matches(const EventSummary& e) const;

    /// Queues committed events (ascending row ids); non-matching ones are skipped.
    void append(const QVector<EventSummary>& rows);
    /// Replaces the rows with `rows` (ascending), keeping queued arrivals that are newer.
    void setRecent(const QVector<EventSummary>& rows);
    /// Inserts older rows (ascending) above the first row.
    void prependOlder(const QVector<EventSummary>& rows);
    /// Inserts what is queued now, in one batch, and trims the ring.
    void flush();

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    qint64 waitingCount() const { return m_waitingCount; }
    qint64 pendingCount() const { return static_cast<qint64>(m_pending.size()); }

    const EventSummary* summaryAt(int row) const;
    qint64 newestRowId() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// Rows were inserted at the end by a flush.
    void flushed(int inserted);
    void waitingChanged(qint64 waiting);

private:
    void trim(int capacity);

    EventQuery m_filter;
    std::deque<EventSummary> m_rows;
    std::deque<EventSummary> m_pending; ///< matching arrivals not inserted yet
    bool m_paused = false;
    qint64 m_waitingCount = 0;
    QTimer* m_flushTimer;
};

} // namespace vigil::ui
