// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace vigil::ui {

class EngineBridge;

/// The history of events as a table paged from SQLite by keyset (timestamp, row id), never
/// loading the whole table. Rows appear a page at a time as the view scrolls (fetchMore);
/// each page is filled by an asynchronous request with its own token, so a page of a
/// previous filter or order that arrives late is dropped. Until a page arrives its rows
/// show a placeholder. Only the most recently used pages stay in memory; an evicted page
/// keeps its start key and is loaded again when it is shown.
class EventsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr int kPageSize = 200;
    static constexpr int kMaxLoadedPages = 16;

    explicit EventsModel(EngineBridge& bridge, QObject* parent = nullptr);

    void setQuery(const EventQuery& query);
    const EventQuery& query() const { return m_query; }
    /// Reloads from the first page with the current query (leaving a shown query result).
    void reload();
    /// Shows exactly `rows`, in their order (the result of a query of the query bar),
    /// instead of pages of the filters, until reload() or setQuery().
    void showRows(const QVector<EventSummary>& rows);
    /// Whether the rows are a query's result rather than pages of the filters.
    bool showsQueryRows() const { return m_fixed; }

    /// The loaded row, or nullptr while its page is not in memory.
    const EventSummary* summaryAt(int row) const;
    qint64 totalCount() const { return m_total; }
    bool isLoading() const;
    int loadedPageCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    void sort(int column, Qt::SortOrder order) override;

Q_SIGNALS:
    void totalCountChanged(qint64 total);
    /// A page arrived (after the model updated its rows).
    void pageLoaded();

private:
    enum class PageState { Empty, Loading, Loaded };
    struct Page
    {
        std::optional<PageKey> after; ///< key of the previous page's last row
        std::optional<PageKey> last;  ///< key of this page's last row, once known
        QVector<EventSummary> rows;
        int count = 0;                ///< rows this page stands for in the model
        PageState state = PageState::Empty;
        quint64 token = 0;
        quint64 lastUse = 0;
    };

    void appendPage();
    void request(std::size_t page) const;
    void onLoaded(quint64 token, const QVector<EventSummary>& rows);
    void evict(std::size_t keep);
    void cancelAll();

    EngineBridge& m_bridge;
    EventQuery m_query;
    mutable std::vector<Page> m_pages;
    int m_rows = 0;
    bool m_exhausted = false;
    bool m_fixed = false; ///< rows of showRows(): nothing to page, evict or reload
    qint64 m_total = -1;
    quint64 m_countToken = 0;
    mutable quint64 m_clock = 0;
};

} // namespace vigil::ui
