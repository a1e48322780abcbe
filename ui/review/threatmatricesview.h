// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/reviewtypes.h"
#include "viewpage.h"

#include <QHash>
#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;
class QUndoStack;

namespace vigil::ui {

class EngineBridge;
class ThreatDelegate;
class ViewPlaceholder;
class ThreatMatrixModel;

/// Threat matrices: the stored matrices in a list (the templates are stored the first time a
/// database is opened), "New from Template…" (the skill's MAESTRO template, the guide's
/// attack surface, or blank), and the selected matrix as an editable table with delegates
/// for layer, severity and status, rows added, deleted and moved with buttons and
/// shortcuts, undo and redo (Ctrl+Z, Ctrl+Shift+Z), the live count of observed findings per
/// row, and import/export as CSV, Markdown and JSON. A valid matrix is saved through the
/// writer shortly after each change. A matrix with problems is not saved and stays so until
/// it is fixed or reverted, also while another matrix is shown: its cells with problems carry
/// a warning icon and say why in their tooltip, its name in the list is marked `*`, the
/// status line says it is not saved, and Revert (undoable) brings back the stored matrix.
class ThreatMatricesView : public QWidget, public ViewPage
{
    Q_OBJECT

public:
    explicit ThreatMatricesView(EngineBridge& bridge, QWidget* parent = nullptr);
    ~ThreatMatricesView() override;

    /// Reloads the matrix list from the database.
    void reload();
    /// Creates and stores a matrix from template `templateId` (empty: blank) and selects it.
    void createMatrix(const QString& templateId, const QString& name, const QString& component = {});
    /// Selects the matrix with `id`; false when it is not listed.
    bool selectMatrix(qint64 id);
    qint64 currentMatrixId() const;
    /// Saves the current matrix now if it changed (normally a timer does it).
    void saveNow();
    /// Writes the current matrix to `path`; `error` says why not.
    bool writeExport(const QString& path, ThreatFileFormat format, QString* error = nullptr) const;
    /// Reads a matrix file and stores it as a new matrix; `error` says why not.
    bool importFile(const QString& path, QString* error = nullptr);

    ThreatMatrixModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QListWidget* matrixList() const { return m_list; }
    QUndoStack* undoStack() const override { return m_undo; }
    QLineEdit* nameEdit() const { return m_name; }
    QLineEdit* componentEdit() const { return m_component; }
    QLabel* stateLabel() const { return m_state; }
    QPushButton* revertButton() const { return m_revert; }
    /// Whether the matrix with `id` has edits that are not stored (invalid, refused, or
    /// still on their way to the writer).
    bool hasUnsavedEdits(qint64 id) const;
    const QVector<ThreatMatrixData>& matrices() const { return m_matrices; }

    void focusSearch() override;
    void layerNamesChanged() override;
    bool canExport() const override;
    void exportData(QWidget* dialogParent) override;
    void saveState(QSettings& settings) const override;
    void restoreState(QSettings& settings) override;

Q_SIGNALS:
    /// The list was (re)loaded.
    void matricesLoaded();
    /// The current matrix was stored (`ok`) or refused with `message`.
    void matrixSaved(bool ok, qint64 id, const QString& message);
    /// New finding counts are shown.
    void countsUpdated();

private:
    void fitLayerColumn();
    void fillList(const QVector<ThreatMatrixData>& matrices, qint64 select);
    void showMatrix(int listRow);
    void onEdited();
    void revert();
    void updateEditState();
    void updateListMarks();
    bool isUnsaved(const ThreatMatrixData& m) const;
    QString cleanStateText() const;
    void requestCounts();
    void addRow();
    void deleteRows();
    void moveRow(int delta);
    void deleteMatrix();
    void importWithDialog();
    void exportWithDialog(ThreatFileFormat format);
    void updateActions();
    QAction* addShortcutAction(const QString& text, const QList<QKeySequence>& keys, const QString& name);

    EngineBridge& m_bridge;
    ThreatMatrixModel* m_model;
    ThreatDelegate* m_delegate;
    QUndoStack* m_undo;
    QSplitter* m_split;
    QListWidget* m_list;
    QToolButton* m_new;
    QPushButton* m_deleteMatrix;
    QPushButton* m_import;
    QPushButton* m_revert;
    QToolButton* m_export;
    QLineEdit* m_name;
    QLineEdit* m_component;
    QTableView* m_table;
    QLabel* m_state;
    QLabel* m_issues;
    ViewPlaceholder* m_listPlaceholder;
    QAction* m_addRow;
    QAction* m_deleteRow;
    QAction* m_moveUp;
    QAction* m_moveDown;
    QAction* m_undoAction;
    QAction* m_redoAction;
    QTimer* m_saveTimer;
    QTimer* m_countTimer;

    QVector<ThreatMatrixData> m_matrices; ///< as shown: with the edits not yet stored
    QHash<qint64, ThreatMatrixData> m_stored; ///< as stored, by id
    QHash<qint64, QString> m_saveErrors;      ///< why the writer refused a matrix's last save
    QHash<quint64, ThreatMatrixData> m_saving; ///< saves on their way to the writer, by token
    bool m_listLoaded = false;
    quint64 m_listToken = 0;
    quint64 m_createToken = 0;
    quint64 m_deleteToken = 0;
    quint64 m_countToken = 0;
    bool m_dirty = false;
    bool m_loading = false;
    qint64 m_pendingSelect = 0;
};

} // namespace vigil::ui
