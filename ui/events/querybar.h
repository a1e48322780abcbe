// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

#include <QLineEdit>
#include <QWidget>

class QComboBox;
class QCompleter;
class QLabel;
class QStringListModel;
class QToolButton;

namespace vigil::ui {

class EngineBridge;

/// The line of the query bar: completes the word under the cursor (commands, fields,
/// keywords) from its completer's popup, Enter runs, Esc clears.
class QueryLineEdit : public QLineEdit
{
    Q_OBJECT

public:
    explicit QueryLineEdit(QWidget* parent = nullptr);
    QCompleter* completer() const { return m_completer; }
    /// The word the cursor is in or right after (what completion replaces).
    QString wordAtCursor() const;

Q_SIGNALS:
    void runRequested();
    void clearRequested();

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void updateCompletion();
    void insertCompletion(const QString& word);

    QCompleter* m_completer;
};

/// A query of the query language (docs/review.md, "Saved queries") over the events and
/// findings of the open database: a line with completion, a drop-down of the built-in and
/// saved queries, and "Save query…". Runs on the bridge's query worker, never on the UI
/// thread; an error is shown under the line, naming its column, with the cursor moved there.
class QueryBar : public QWidget
{
    Q_OBJECT

public:
    explicit QueryBar(EngineBridge& bridge, QWidget* parent = nullptr);

    QueryLineEdit* lineEdit() const { return m_edit; }
    QComboBox* savedBox() const { return m_saved; }
    QLabel* errorLabel() const { return m_error; }
    QToolButton* saveButton() const { return m_save; }
    QToolButton* runButton() const { return m_run; }
    /// The saved and built-in queries the drop-down lists.
    const QVector<SavedQueryInfo>& savedQueries() const { return m_queries; }

    /// Runs the text of the line (Enter, the Run button). An empty line clears.
    void run();
    /// Empties the line and the error; the events view goes back to its filters (Esc).
    void clear();
    /// Asks the bridge for the saved queries again (after opening a database, saving).
    void reloadSaved();
    /// Asks for a name and saves the line's query under it (the "Save query…" button).
    void saveWithDialog();
    /// Saves the line's query as `name` (what saveWithDialog() does once it has the name).
    void saveAs(const QString& name);
    /// Whether a query is running.
    bool isRunning() const { return m_runToken != 0; }

Q_SIGNALS:
    /// A query ran; its rows are in `result`.
    void resultReady(const vigil::ui::QueryResultData& result);
    /// The line was cleared: nothing of a query is shown any more.
    void cleared();

private:
    void showError(const QueryResultData& result);
    void showMessage(const QString& text, bool error);

    EngineBridge& m_bridge;
    QComboBox* m_saved;
    QueryLineEdit* m_edit;
    QToolButton* m_run;
    QToolButton* m_save;
    QLabel* m_error;
    QVector<SavedQueryInfo> m_queries;
    quint64 m_runToken = 0;
    quint64 m_listToken = 0;
    quint64 m_saveToken = 0;
};

} // namespace vigil::ui
