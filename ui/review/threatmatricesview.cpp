// SPDX-License-Identifier: Apache-2.0
#include "review/threatmatricesview.h"

#include "bridge/enginebridge.h"
#include "common/viewplaceholder.h"
#include "review/reviewicons.h"
#include "review/threatdelegate.h"
#include "review/threatmatrixmodel.h"

#include <QAction>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace vigil::ui {
namespace {

constexpr quint64 kBlockCounts = std::numeric_limits<quint64>::max();

QString suffixOf(ThreatFileFormat f)
{
    switch (f) {
    case ThreatFileFormat::Csv:
        return QStringLiteral("csv");
    case ThreatFileFormat::Markdown:
        return QStringLiteral("md");
    case ThreatFileFormat::Json:
        return QStringLiteral("json");
    }
    return {};
}

std::optional<ThreatFileFormat> formatOf(const QString& path)
{
    const QString s = QFileInfo(path).suffix().toLower();
    if (s == u"csv")
        return ThreatFileFormat::Csv;
    if (s == u"md" || s == u"markdown")
        return ThreatFileFormat::Markdown;
    if (s == u"json")
        return ThreatFileFormat::Json;
    return std::nullopt;
}

QString listText(const ThreatMatrixData& m)
{
    return m.component.isEmpty() ? m.name : QStringLiteral("%1 — %2").arg(m.name, m.component);
}

/// Same content: what a save would store (not the id, template or time).
bool sameContent(const ThreatMatrixData& a, const ThreatMatrixData& b)
{
    return a.name == b.name && a.component == b.component && a.rows == b.rows;
}

QString fileFilter(ThreatFileFormat f)
{
    switch (f) {
    case ThreatFileFormat::Csv:
        return ThreatMatricesView::tr("CSV (*.csv)");
    case ThreatFileFormat::Markdown:
        return ThreatMatricesView::tr("Markdown (*.md)");
    case ThreatFileFormat::Json:
        return ThreatMatricesView::tr("JSON (*.json)");
    }
    return {};
}

} // namespace

ThreatMatricesView::ThreatMatricesView(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    setObjectName(QStringLiteral("threatMatricesView"));
    m_model = new ThreatMatrixModel(this);
    m_undo = new QUndoStack(this);
    m_model->setUndoStack(m_undo);
    m_delegate = new ThreatDelegate(this);
    m_saveTimer = new QTimer(this);
    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(700);
    m_countTimer = new QTimer(this);
    m_countTimer->setSingleShot(true);
    m_countTimer->setInterval(400);

    auto* layout = new QVBoxLayout(this);
    m_split = new QSplitter(Qt::Horizontal, this);

    // ---- the matrix list ----------------------------------------------------------------
    auto* left = new QWidget(m_split);
    auto* ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 6, 0);
    auto* listTitle = new QLabel(tr("&Matrices"), left);
    listTitle->setProperty("role", QStringLiteral("heading"));
    m_list = new QListWidget(left);
    m_list->setObjectName(QStringLiteral("matrixList"));
    listTitle->setBuddy(m_list);
    m_listPlaceholder = new ViewPlaceholder(m_list);
    m_new = new QToolButton(left);
    m_new->setObjectName(QStringLiteral("newMatrixButton"));
    m_new->setText(tr("&New from Template…"));
    m_new->setPopupMode(QToolButton::InstantPopup);
    m_new->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_new->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto* newMenu = new QMenu(m_new);
    for (const ThreatTemplateInfo& t : EngineBridge::threatTemplates()) {
        QAction* a = newMenu->addAction(tr("%1 (%Ln rows)", nullptr, t.rows).arg(t.name));
        a->setToolTip(t.source);
        connect(a, &QAction::triggered, this, [this, t] {
            bool ok = false;
            const QString name = QInputDialog::getText(this, tr("New threat matrix"), tr("Name of the matrix:"),
                                                       QLineEdit::Normal, t.name, &ok);
            if (ok && !name.trimmed().isEmpty())
                createMatrix(t.id, name.trimmed());
        });
    }
    newMenu->addSeparator();
    connect(newMenu->addAction(tr("Blank Matrix")), &QAction::triggered, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("New threat matrix"), tr("Name of the matrix:"),
                                                   QLineEdit::Normal, tr("New threat matrix"), &ok);
        if (ok && !name.trimmed().isEmpty())
            createMatrix(QString(), name.trimmed());
    });
    m_new->setMenu(newMenu);
    m_deleteMatrix = new QPushButton(tr("Delete Matrix…"), left);
    m_deleteMatrix->setObjectName(QStringLiteral("deleteMatrixButton"));
    m_import = new QPushButton(tr("&Import…"), left);
    m_import->setObjectName(QStringLiteral("importMatrixButton"));
    m_export = new QToolButton(left);
    m_export->setObjectName(QStringLiteral("exportMatrixButton"));
    m_export->setText(tr("E&xport"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    m_export->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto* exportMenu = new QMenu(m_export);
    for (const ThreatFileFormat f : {ThreatFileFormat::Csv, ThreatFileFormat::Markdown, ThreatFileFormat::Json})
        connect(exportMenu->addAction(fileFilter(f).section(u' ', 0, 0) + u'…'), &QAction::triggered, this,
                [this, f] { exportWithDialog(f); });
    m_export->setMenu(exportMenu);
    ll->addWidget(listTitle);
    ll->addWidget(m_list, 1);
    ll->addWidget(m_new);
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_import);
    fileRow->addWidget(m_export);
    ll->addLayout(fileRow);
    ll->addWidget(m_deleteMatrix);

    // ---- the selected matrix ----------------------------------------------------------
    auto* right = new QWidget(m_split);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(6, 0, 0, 0);
    auto* form = new QFormLayout;
    m_name = new QLineEdit(right);
    m_name->setObjectName(QStringLiteral("matrixName"));
    m_component = new QLineEdit(right);
    m_component->setObjectName(QStringLiteral("matrixComponent"));
    m_component->setPlaceholderText(tr("whole system (or an agent / plugin name as in agent_name)"));
    m_component->setToolTip(tr("Finding counts are restricted to this component's events"));
    form->addRow(tr("N&ame:"), m_name);
    form->addRow(tr("Com&ponent:"), m_component);
    rl->addLayout(form);

    auto* tools = new QHBoxLayout;
    m_addRow = addShortcutAction(tr("Add Row"), {QKeySequence(Qt::CTRL | Qt::Key_Insert), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N)},
                                 QStringLiteral("addRow"));
    m_deleteRow = addShortcutAction(tr("Delete Row"), {QKeySequence(Qt::CTRL | Qt::Key_Delete)}, QStringLiteral("deleteRow"));
    m_moveUp = addShortcutAction(tr("Move Up"), {QKeySequence(Qt::ALT | Qt::Key_Up)}, QStringLiteral("moveUp"));
    m_moveDown = addShortcutAction(tr("Move Down"), {QKeySequence(Qt::ALT | Qt::Key_Down)}, QStringLiteral("moveDown"));
    m_undoAction = m_undo->createUndoAction(this, tr("Undo"));
    m_undoAction->setObjectName(QStringLiteral("undo"));
    m_undoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Z)});
    m_undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_undoAction);
    m_redoAction = m_undo->createRedoAction(this, tr("Redo"));
    m_redoAction->setObjectName(QStringLiteral("redo"));
    m_redoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    m_redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_redoAction);
    for (QAction* a : {m_addRow, m_deleteRow, m_moveUp, m_moveDown, m_undoAction, m_redoAction}) {
        auto* b = new QToolButton(right);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        b->setAutoRaise(false);
        if (a == m_undoAction)
            tools->addSpacing(12);
        tools->addWidget(b);
    }
    tools->addStretch(1);
    m_state = new QLabel(right);
    m_state->setObjectName(QStringLiteral("matrixState"));
    m_state->setProperty("role", QStringLiteral("muted"));
    tools->addWidget(m_state);
    m_revert = new QPushButton(tr("&Revert"), right);
    m_revert->setObjectName(QStringLiteral("revertMatrixButton"));
    m_revert->setToolTip(tr("Drop the edits that are not stored and show the matrix as stored (Ctrl+Z brings them back)"));
    m_revert->hide();
    tools->addWidget(m_revert);
    rl->addLayout(tools);

    m_table = new QTableView(right);
    m_table->setObjectName(QStringLiteral("threatTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegate(m_delegate);
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->horizontalHeader()->setStretchLastSection(true);
    fitLayerColumn();
    // Narrow enough that the description (the last, stretching column) starts inside a
    // 1560-pixel window instead of behind the horizontal scroll bar.
    m_table->setColumnWidth(ThreatMatrixModel::ColComponent, 110);
    m_table->setColumnWidth(ThreatMatrixModel::ColThreat, 140);
    m_table->setColumnWidth(ThreatMatrixModel::ColSeverity, 75);
    m_table->setColumnWidth(ThreatMatrixModel::ColFindings, 70);
    m_table->setColumnWidth(ThreatMatrixModel::ColMitigation, 200);
    m_table->setColumnWidth(ThreatMatrixModel::ColStatus, 100);
    m_table->setColumnWidth(ThreatMatrixModel::ColOwner, 70);
    m_table->setColumnWidth(ThreatMatrixModel::ColLinks, 130);
    // What is happening next to how bad it is: the live count right after the severity.
    m_table->horizontalHeader()->moveSection(ThreatMatrixModel::ColFindings, ThreatMatrixModel::ColSeverity + 1);
    rl->addWidget(m_table, 1);
    m_issues = new QLabel(right);
    m_issues->setObjectName(QStringLiteral("matrixIssues"));
    m_issues->setWordWrap(true);
    m_issues->setTextFormat(Qt::PlainText);
    m_issues->setProperty("role", QStringLiteral("error"));
    m_issues->hide();
    rl->addWidget(m_issues);
    auto* hint = new QLabel(tr("F2 or typing edits a cell · Ctrl+Insert adds a row · Ctrl+Delete deletes · "
                               "Alt+Up/Down moves · Ctrl+Z / Ctrl+Shift+Z undo and redo · Links name finding "
                               "categories or rules; Findings counts them live."),
                            right);
    hint->setProperty("role", QStringLiteral("muted"));
    hint->setWordWrap(true);
    rl->addWidget(hint);

    m_split->addWidget(left);
    m_split->addWidget(right);
    m_split->setStretchFactor(0, 0);
    m_split->setStretchFactor(1, 1);
    m_split->setSizes({200, 1140});
    layout->addWidget(m_split, 1);
    setTabOrder(m_list, m_new);
    setTabOrder(m_new, m_import);
    setTabOrder(m_import, m_export);
    setTabOrder(m_export, m_deleteMatrix);
    setTabOrder(m_deleteMatrix, m_name);
    setTabOrder(m_name, m_component);
    setTabOrder(m_component, m_table);

    // ---- behaviour --------------------------------------------------------------------
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        saveNow();
        showMatrix(row);
    });
    connect(m_model, &ThreatMatrixModel::matrixEdited, this, &ThreatMatricesView::onEdited);
    connect(m_model, &ThreatMatrixModel::headerEdited, this, [this] {
        const ThreatMatrixData& m = m_model->matrix();
        if (m_name->text() != m.name)
            m_name->setText(m.name);
        if (m_component->text() != m.component)
            m_component->setText(m.component);
        if (QListWidgetItem* it = m_list->currentItem())
            it->setText(listText(m));
    });
    connect(m_name, &QLineEdit::editingFinished, this, [this] {
        if (currentMatrixId() != 0)
            m_model->setMatrixName(m_name->text());
    });
    connect(m_component, &QLineEdit::editingFinished, this, [this] {
        if (currentMatrixId() != 0)
            m_model->setMatrixComponent(m_component->text());
    });
    connect(m_addRow, &QAction::triggered, this, &ThreatMatricesView::addRow);
    connect(m_deleteRow, &QAction::triggered, this, &ThreatMatricesView::deleteRows);
    connect(m_moveUp, &QAction::triggered, this, [this] { moveRow(-1); });
    connect(m_moveDown, &QAction::triggered, this, [this] { moveRow(1); });
    connect(m_deleteMatrix, &QPushButton::clicked, this, &ThreatMatricesView::deleteMatrix);
    connect(m_import, &QPushButton::clicked, this, &ThreatMatricesView::importWithDialog);
    connect(m_revert, &QPushButton::clicked, this, &ThreatMatricesView::revert);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, &ThreatMatricesView::updateActions);
    connect(m_undo, &QUndoStack::indexChanged, this, &ThreatMatricesView::updateActions);
    connect(m_saveTimer, &QTimer::timeout, this, &ThreatMatricesView::saveNow);
    connect(m_countTimer, &QTimer::timeout, this, &ThreatMatricesView::requestCounts);

    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        m_matrices.clear();
        m_stored.clear();
        m_saveErrors.clear();
        m_dirty = false;
        reload();
    });
    connect(&m_bridge, &EngineBridge::threatMatricesLoaded, this, [this](quint64 token, const QVector<ThreatMatrixData>& list) {
        if (token != m_listToken)
            return;
        const qint64 select = m_pendingSelect ? m_pendingSelect : currentMatrixId();
        m_pendingSelect = 0;
        fillList(list, select);
        Q_EMIT matricesLoaded();
    });
    connect(&m_bridge, &EngineBridge::threatMatrixSaved, this, [this](quint64 token, bool ok, qint64 id, const QString& message) {
        if (token == m_createToken) {
            m_createToken = 0;
            if (!ok) {
                QMessageBox::warning(this, tr("Threat matrix"), tr("The matrix was not stored: %1").arg(message));
                return;
            }
            m_pendingSelect = id;
            reload();
            return;
        }
        const auto sending = m_saving.constFind(token);
        if (sending == m_saving.constEnd())
            return;
        const ThreatMatrixData sent = *sending;
        m_saving.erase(sending);
        const qint64 saved = sent.id;
        if (ok) {
            m_stored[saved] = sent;
            m_saveErrors.remove(saved);
            if (saved == currentMatrixId()) {
                m_dirty = isUnsaved(m_model->matrix());
                if (!m_dirty)
                    m_state->setText(tr("Saved %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"))));
            }
        } else {
            // Kept as it is, marked unsaved, whether it is shown or not.
            m_saveErrors[saved] = message;
            if (saved == currentMatrixId()) {
                m_dirty = true;
                m_state->setText(tr("Not saved: fix it or Revert"));
            }
        }
        if (saved != currentMatrixId() && !m_dirty)
            m_state->setText(cleanStateText());
        updateEditState();
        Q_EMIT matrixSaved(ok, id, message);
    });
    connect(&m_bridge, &EngineBridge::threatMatrixDeleted, this, [this](quint64 token, bool ok, qint64, const QString& message) {
        if (token != m_deleteToken)
            return;
        m_deleteToken = 0;
        if (!ok)
            QMessageBox::warning(this, tr("Threat matrix"), tr("The matrix was not deleted: %1").arg(message));
        reload();
    });
    connect(&m_bridge, &EngineBridge::threatCountsReady, this, [this](quint64 token, qint64 matrixId, const QVector<qint64>& counts) {
        // A live recount carries a larger token than the request it repeats.
        if (m_countToken == kBlockCounts || token < m_countToken || matrixId != currentMatrixId())
            return;
        m_countToken = token;
        m_model->setCounts(counts);
        Q_EMIT countsUpdated();
    });

    updateActions();
    if (m_bridge.isOpen())
        reload();
}

bool ThreatMatricesView::isUnsaved(const ThreatMatrixData& m) const
{
    const auto it = m_stored.constFind(m.id);
    return m.id != 0 && it != m_stored.constEnd() && !sameContent(m, *it);
}

bool ThreatMatricesView::hasUnsavedEdits(qint64 id) const
{
    if (id != 0 && id == currentMatrixId())
        return isUnsaved(m_model->matrix());
    for (const ThreatMatrixData& m : m_matrices)
        if (m.id == id)
            return isUnsaved(m);
    return false;
}

QString ThreatMatricesView::cleanStateText() const
{
    QStringList others;
    for (const ThreatMatrixData& m : m_matrices)
        if (m.id != currentMatrixId() && isUnsaved(m))
            others << QStringLiteral("“%1”").arg(m.name);
    QString text = tr("%Ln rows", nullptr, m_model->rowCount());
    if (!others.isEmpty())
        text += tr(" · not saved: %1 (marked *)").arg(others.join(QStringLiteral(", ")));
    return text;
}

void ThreatMatricesView::updateListMarks()
{
    for (int i = 0; i < m_matrices.size() && i < m_list->count(); ++i) {
        const ThreatMatrixData& m = i == m_list->currentRow() ? m_model->matrix() : m_matrices[i];
        const bool unsaved = isUnsaved(m);
        QListWidgetItem* it = m_list->item(i);
        const QString text = listText(m) + (unsaved ? QStringLiteral(" *") : QString());
        if (it->text() != text)
            it->setText(text);
        QString tip = tr("%Ln rows", nullptr, static_cast<int>(m.rows.size())) +
                      (m.templateId.isEmpty() ? QString() : tr(" · from template %1").arg(m.templateId));
        const QVector<ThreatIssueInfo> issues = unsaved ? EngineBridge::threatMatrixIssues(m) : QVector<ThreatIssueInfo>();
        if (unsaved) {
            QStringList why;
            for (const ThreatIssueInfo& issue : issues)
                why << issue.described;
            if (why.isEmpty() && m_saveErrors.contains(m.id))
                why << m_saveErrors.value(m.id);
            tip += why.isEmpty() ? tr("\nEdits not stored yet") : tr("\nNot saved until fixed: %1").arg(why.join(QStringLiteral("; ")));
        }
        it->setToolTip(tip);
        it->setIcon(unsaved && (!issues.isEmpty() || m_saveErrors.contains(m.id)) ? review::conflictIcon() : QIcon());
    }
}

void ThreatMatricesView::updateEditState()
{
    const qint64 id = currentMatrixId();
    const ThreatMatrixData& m = m_model->matrix();
    const QVector<ThreatIssueInfo> issues = id != 0 ? EngineBridge::threatMatrixIssues(m) : QVector<ThreatIssueInfo>();
    m_model->setIssues(issues);
    const bool unsaved = id != 0 && isUnsaved(m);
    m_revert->setVisible(unsaved);
    if (!issues.isEmpty()) {
        QStringList described;
        for (const ThreatIssueInfo& i : issues)
            described << i.described;
        m_issues->setText(tr("Not saved until fixed: %1").arg(described.join(QStringLiteral("; "))));
        m_issues->show();
    } else if (unsaved && m_saveErrors.contains(id)) {
        m_issues->setText(tr("Not saved: %1").arg(m_saveErrors.value(id)));
        m_issues->show();
    } else {
        m_issues->hide();
    }
    updateListMarks();
}

void ThreatMatricesView::revert()
{
    const qint64 id = currentMatrixId();
    const auto it = m_stored.constFind(id);
    if (id == 0 || it == m_stored.constEnd())
        return;
    m_saveErrors.remove(id);
    m_model->replaceMatrix(*it, tr("Revert to the stored matrix"));
}

QAction* ThreatMatricesView::addShortcutAction(const QString& text, const QList<QKeySequence>& keys, const QString& name)
{
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    a->setShortcuts(keys);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    a->setToolTip(QStringLiteral("%1 (%2)").arg(text, keys.front().toString(QKeySequence::NativeText)));
    addAction(a);
    return a;
}

ThreatMatricesView::~ThreatMatricesView()
{
    // QObject deletes its children only after this class is gone, and the undo stack's
    // destructor clears the stack, emitting indexChanged into updateActions() of a
    // half-destroyed view. The stack goes first, while everything it touches is whole, and
    // nobody here listens to its last signals.
    m_undo->disconnect(this);
    m_model->setUndoStack(nullptr);
    delete m_undo;
}

void ThreatMatricesView::reload()
{
    saveNow();
    if (const quint64 t = m_bridge.loadThreatMatrices()) {
        m_listToken = t;
        if (!m_listLoaded) {
            // First open: the list is on its way, not empty.
            m_listPlaceholder->setMessage(tr("Loading threat matrices…"));
            m_state->setText(tr("Loading threat matrices…"));
        }
    }
}

qint64 ThreatMatricesView::currentMatrixId() const
{
    const int row = m_list->currentRow();
    return row >= 0 && row < m_matrices.size() ? m_matrices[row].id : 0;
}

void ThreatMatricesView::fillList(const QVector<ThreatMatrixData>& matrices, qint64 select)
{
    const qint64 current = currentMatrixId();
    // Edits that are not stored (invalid, refused, or on their way to the writer) survive a
    // reload, the shown matrix's with its undo history, the others' as they were left.
    QHash<qint64, ThreatMatrixData> pending;
    for (const ThreatMatrixData& m : std::as_const(m_matrices))
        if (isUnsaved(m))
            pending.insert(m.id, m);
    bool sending = false;
    for (const ThreatMatrixData& m : std::as_const(m_saving))
        sending = sending || m.id == current;
    const bool keepModel = current != 0 && (m_dirty || sending);
    if (keepModel)
        pending.insert(current, m_model->matrix());
    m_listLoaded = true;
    m_listPlaceholder->setMessage(tr("No threat matrices. Create one with New from Template…"));
    m_stored.clear();
    for (const ThreatMatrixData& m : matrices)
        m_stored.insert(m.id, m);
    m_matrices = matrices;
    for (ThreatMatrixData& m : m_matrices)
        if (const auto it = pending.constFind(m.id); it != pending.constEnd()) {
            const qint64 updated = m.updatedMs;
            m = *it;
            m.updatedMs = updated;
        }
    int row = m_matrices.isEmpty() ? -1 : 0;
    {
        const QSignalBlocker block(m_list);
        m_list->clear();
        for (int i = 0; i < m_matrices.size(); ++i) {
            new QListWidgetItem(listText(m_matrices[i]), m_list);
            if (m_matrices[i].id == select)
                row = i;
        }
        m_list->setCurrentRow(row);
    }
    if (row < 0 || m_matrices[row].id != current || !keepModel) {
        showMatrix(row);
    } else {
        updateEditState();
        updateActions();
    }
}

void ThreatMatricesView::showMatrix(int row)
{
    m_loading = true;
    if (row >= 0 && row < m_matrices.size()) {
        m_model->setMatrix(m_matrices[row]);
        m_name->setText(m_matrices[row].name);
        m_component->setText(m_matrices[row].component);
    } else {
        m_model->setMatrix({});
        m_name->clear();
        m_component->clear();
    }
    m_loading = false;
    const bool has = row >= 0 && row < m_matrices.size();
    m_dirty = has && isUnsaved(m_matrices[row]);
    updateEditState();
    if (!has)
        m_state->setText(tr("No matrix: create one from a template."));
    else if (!m_dirty)
        m_state->setText(cleanStateText());
    else if (!m_model->issues().isEmpty() || m_saveErrors.contains(m_matrices[row].id))
        m_state->setText(tr("Not saved: fix the marked cells or Revert"));
    else
        m_saveTimer->start(); // valid edits left on their way: store them now
    updateActions();
    requestCounts();
}

void ThreatMatricesView::onEdited()
{
    if (m_loading)
        return;
    m_countToken = kBlockCounts; // rows changed: earlier counts may not line up
    // Keep the list's copy current, so that switching back shows the edits.
    const int row = m_list->currentRow();
    if (row >= 0 && row < m_matrices.size())
        m_matrices[row] = m_model->matrix();
    m_dirty = isUnsaved(m_model->matrix());
    updateEditState();
    if (!m_dirty) {
        // Undone or reverted to what is stored: nothing to save.
        m_saveTimer->stop();
        m_saveErrors.remove(currentMatrixId());
        m_state->setText(cleanStateText());
    } else if (!m_model->issues().isEmpty()) {
        m_saveTimer->stop();
        m_state->setText(tr("Not saved: fix the marked cells or Revert"));
    } else {
        m_state->setText(tr("Unsaved changes"));
        m_saveTimer->start();
    }
    m_countTimer->start();
    updateActions();
}

void ThreatMatricesView::saveNow()
{
    m_saveTimer->stop();
    if (!m_dirty || currentMatrixId() == 0)
        return;
    // An invalid matrix stays as it is, marked unsaved (updateEditState), until it is fixed
    // or reverted; switching away keeps it so.
    if (!EngineBridge::validateThreatMatrix(m_model->matrix()).isEmpty())
        return;
    if (const quint64 t = m_bridge.saveThreatMatrix(m_model->matrix())) {
        m_saving.insert(t, m_model->matrix());
        m_dirty = false;
        m_state->setText(tr("Saving…"));
    }
}

void ThreatMatricesView::requestCounts()
{
    m_countTimer->stop();
    if (currentMatrixId() == 0)
        return;
    if (const quint64 t = m_bridge.countThreatFindings(m_model->matrix()))
        m_countToken = t;
}

void ThreatMatricesView::createMatrix(const QString& templateId, const QString& name, const QString& component)
{
    saveNow();
    const ThreatMatrixData m = EngineBridge::newThreatMatrix(templateId, name, component);
    if (const quint64 t = m_bridge.saveThreatMatrix(m))
        m_createToken = t;
}

bool ThreatMatricesView::selectMatrix(qint64 id)
{
    for (int i = 0; i < m_matrices.size(); ++i)
        if (m_matrices[i].id == id) {
            m_list->setCurrentRow(i);
            return true;
        }
    return false;
}

void ThreatMatricesView::addRow()
{
    if (currentMatrixId() == 0)
        return;
    const QModelIndex current = m_table->currentIndex();
    const int at = current.isValid() ? current.row() + 1 : m_model->rowCount();
    m_model->insertThreatRow(at, m_model->newRow());
    const QModelIndex threat = m_model->index(at, ThreatMatrixModel::ColThreat);
    m_table->setCurrentIndex(threat);
    m_table->scrollTo(threat);
}

void ThreatMatricesView::deleteRows()
{
    QList<int> rows;
    for (const QModelIndex& i : m_table->selectionModel()->selectedIndexes())
        if (!rows.contains(i.row()))
            rows.push_back(i.row());
    if (rows.isEmpty() && m_table->currentIndex().isValid())
        rows.push_back(m_table->currentIndex().row());
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), std::greater<>());
    const int column = std::max(0, m_table->currentIndex().column());
    m_undo->beginMacro(rows.size() == 1 ? tr("Delete row %1").arg(rows.front() + 1) : tr("Delete %1 rows").arg(rows.size()));
    for (const int r : rows)
        m_model->removeThreatRow(r);
    m_undo->endMacro();
    if (m_model->rowCount() > 0)
        m_table->setCurrentIndex(m_model->index(std::min(rows.back(), m_model->rowCount() - 1), column));
}

void ThreatMatricesView::moveRow(int delta)
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const int to = current.row() + delta;
    if (to < 0 || to >= m_model->rowCount())
        return;
    m_model->moveThreatRow(current.row(), to);
    m_table->setCurrentIndex(m_model->index(to, current.column()));
}

void ThreatMatricesView::deleteMatrix()
{
    const qint64 id = currentMatrixId();
    if (id == 0)
        return;
    const QString name = m_model->matrix().name;
    if (QMessageBox::question(this, tr("Delete threat matrix"),
                              tr("Delete the threat matrix \"%1\"? This cannot be undone.").arg(name)) != QMessageBox::Yes)
        return;
    m_dirty = false; // its edits go with it
    if (const quint64 t = m_bridge.deleteThreatMatrix(id))
        m_deleteToken = t;
}

void ThreatMatricesView::importWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Import a threat matrix"), QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation),
        tr("Threat matrices (*.csv *.md *.markdown *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!importFile(path, &error))
        QMessageBox::warning(this, tr("Import a threat matrix"), error);
}

bool ThreatMatricesView::importFile(const QString& path, QString* error)
{
    const auto format = formatOf(path);
    if (!format) {
        if (error)
            *error = tr("%1: not a .csv, .md or .json file").arg(QFileInfo(path).fileName());
        return false;
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    QString why;
    // One byte over the limit is enough for the import to say the file is too large.
    const QByteArray data = f.read(EngineBridge::maxThreatImportBytes() + 1);
    auto m = EngineBridge::importThreatMatrix(data, *format, QFileInfo(path).completeBaseName(), &why);
    if (!m) {
        if (error)
            *error = tr("%1: %2").arg(QFileInfo(path).fileName(), why);
        return false;
    }
    m->id = 0;
    saveNow();
    const quint64 t = m_bridge.saveThreatMatrix(*m);
    if (t == 0) {
        if (error)
            *error = tr("No database is open.");
        return false;
    }
    m_createToken = t;
    return true;
}

bool ThreatMatricesView::writeExport(const QString& path, ThreatFileFormat format, QString* error) const
{
    if (currentMatrixId() == 0) {
        if (error)
            *error = tr("No matrix is selected.");
        return false;
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, out.errorString());
        return false;
    }
    const QByteArray bytes = EngineBridge::exportThreatMatrix(m_model->matrix(), format);
    if (out.write(bytes) != bytes.size() || !out.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, out.errorString());
        return false;
    }
    return true;
}

void ThreatMatricesView::exportWithDialog(ThreatFileFormat format)
{
    if (currentMatrixId() == 0)
        return;
    QString base = m_model->matrix().name;
    base.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    const QString suggested = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + u'/' + base + u'.' +
                              suffixOf(format);
    // QFileDialog asks before replacing an existing file.
    QString path = QFileDialog::getSaveFileName(this, tr("Export threat matrix"), suggested, fileFilter(format));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += u'.' + suffixOf(format);
    QString error;
    if (!writeExport(path, format, &error))
        QMessageBox::warning(this, tr("Export threat matrix"), error);
    else
        m_state->setText(tr("Exported to %1").arg(QFileInfo(path).fileName()));
}

void ThreatMatricesView::updateActions()
{
    const bool has = currentMatrixId() != 0;
    const QModelIndex current = m_table->currentIndex();
    m_addRow->setEnabled(has);
    m_deleteRow->setEnabled(has && current.isValid());
    m_moveUp->setEnabled(has && current.isValid() && current.row() > 0);
    m_moveDown->setEnabled(has && current.isValid() && current.row() + 1 < m_model->rowCount());
    m_deleteMatrix->setEnabled(has);
    m_export->setEnabled(has);
    m_name->setEnabled(has);
    m_component->setEnabled(has);
}

void ThreatMatricesView::layerNamesChanged()
{
    m_model->relabelLayers();
    fitLayerColumn();
}

void ThreatMatricesView::fitLayerColumn()
{
    // Wide enough for the longest label of the naming shown ("L4 Deployment and
    // Infrastructure"), not for whatever rows happen to be loaded.
    int widest = 0;
    for (const QString& name : maestroLayerNames())
        widest = std::max(widest, m_table->fontMetrics().horizontalAdvance(name));
    m_table->setColumnWidth(ThreatMatrixModel::ColLayer, widest + 24);
}

void ThreatMatricesView::focusSearch()
{
    m_list->setFocus(Qt::ShortcutFocusReason);
}

bool ThreatMatricesView::canExport() const
{
    return currentMatrixId() != 0;
}

void ThreatMatricesView::exportData(QWidget* dialogParent)
{
    if (currentMatrixId() == 0)
        return;
    QString filter = fileFilter(ThreatFileFormat::Csv);
    const QString all = QStringList{fileFilter(ThreatFileFormat::Csv), fileFilter(ThreatFileFormat::Markdown),
                                    fileFilter(ThreatFileFormat::Json)}
                            .join(QStringLiteral(";;"));
    const QString path = QFileDialog::getSaveFileName(dialogParent, tr("Export threat matrix"),
                                                      QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation),
                                                      all, &filter);
    if (path.isEmpty())
        return;
    ThreatFileFormat format = filter == fileFilter(ThreatFileFormat::Markdown) ? ThreatFileFormat::Markdown
                              : filter == fileFilter(ThreatFileFormat::Json)   ? ThreatFileFormat::Json
                                                                               : ThreatFileFormat::Csv;
    if (const auto bySuffix = formatOf(path))
        format = *bySuffix;
    QString error;
    if (!writeExport(path, format, &error))
        QMessageBox::warning(dialogParent, tr("Export threat matrix"), error);
}

void ThreatMatricesView::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("split"), m_split->saveState());
    settings.setValue(QStringLiteral("table"), m_table->horizontalHeader()->saveState());
}

void ThreatMatricesView::restoreState(QSettings& settings)
{
    m_split->restoreState(settings.value(QStringLiteral("split")).toByteArray());
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("table")).toByteArray());
}

} // namespace vigil::ui
