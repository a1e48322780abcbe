// SPDX-License-Identifier: Apache-2.0
#include "events/querybar.h"

#include "bridge/enginebridge.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QScrollBar>
#include <QStringListModel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace vigil::ui {

namespace {

bool wordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'.' || c == u'@';
}

void repolish(QWidget* w)
{
    w->style()->unpolish(w);
    w->style()->polish(w);
}

} // namespace

QueryLineEdit::QueryLineEdit(QWidget* parent) : QLineEdit(parent)
{
    QStringList words = EngineBridge::queryVocabulary();
    words.removeDuplicates();
    words.sort(Qt::CaseInsensitive);
    m_completer = new QCompleter(new QStringListModel(words, this), this);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setModelSorting(QCompleter::CaseInsensitivelySortedModel);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &QueryLineEdit::insertCompletion);
    connect(this, &QLineEdit::textEdited, this, &QueryLineEdit::updateCompletion);
}

QString QueryLineEdit::wordAtCursor() const
{
    const QString t = text();
    int start = cursorPosition();
    while (start > 0 && wordChar(t.at(start - 1)))
        --start;
    return t.mid(start, cursorPosition() - start);
}

void QueryLineEdit::updateCompletion()
{
    const QString word = wordAtCursor();
    QAbstractItemView* popup = m_completer->popup();
    if (word.isEmpty()) {
        popup->hide();
        return;
    }
    m_completer->setCompletionPrefix(word);
    const int n = m_completer->completionCount();
    if (n == 0 || (n == 1 && m_completer->currentCompletion().compare(word, Qt::CaseInsensitive) == 0)) {
        popup->hide();
        return;
    }
    popup->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect r = cursorRect();
    r.setWidth(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(r);
}

void QueryLineEdit::insertCompletion(const QString& word)
{
    const int pos = cursorPosition();
    const int start = pos - static_cast<int>(wordAtCursor().size());
    setText(text().left(start) + word + text().mid(pos));
    setCursorPosition(start + static_cast<int>(word.size()));
}

void QueryLineEdit::keyPressEvent(QKeyEvent* event)
{
    const int key = event->key();
    if (m_completer->popup()->isVisible() &&
        (key == Qt::Key_Enter || key == Qt::Key_Return || key == Qt::Key_Escape || key == Qt::Key_Tab ||
         key == Qt::Key_Backtab)) {
        event->ignore(); // the completer's popup takes them
        return;
    }
    if (key == Qt::Key_Enter || key == Qt::Key_Return) {
        Q_EMIT runRequested();
        return;
    }
    if (key == Qt::Key_Escape) {
        Q_EMIT clearRequested();
        return;
    }
    QLineEdit::keyPressEvent(event);
}

QueryBar::QueryBar(EngineBridge& bridge, QWidget* parent) : QWidget(parent), m_bridge(bridge)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(2);
    auto* row = new QHBoxLayout;
    m_saved = new QComboBox(this);
    m_saved->setObjectName(QStringLiteral("savedQueries"));
    m_saved->setToolTip(tr("Built-in and saved queries: pick one to run it"));
    m_saved->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_saved->addItem(tr("Saved queries"));
    m_edit = new QueryLineEdit(this);
    m_edit->setObjectName(QStringLiteral("queryLine"));
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_edit->setPlaceholderText(
        tr("Query (Ctrl+L or /): filter event_type = \"security_event\" | sort @timestamp desc | limit 100"));
    m_edit->setClearButtonEnabled(true);
    m_edit->setMaxLength(4096);
    m_run = new QToolButton(this);
    m_run->setText(tr("Run"));
    m_run->setToolTip(tr("Run the query (Enter); Esc clears it"));
    m_save = new QToolButton(this);
    m_save->setText(tr("Save query…"));
    m_save->setToolTip(tr("Save the query in this database under a name"));
    row->addWidget(m_saved);
    row->addWidget(m_edit, 1);
    row->addWidget(m_run);
    row->addWidget(m_save);
    outer->addLayout(row);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("queryError"));
    m_error->setProperty("role", QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();
    outer->addWidget(m_error);

    connect(m_edit, &QueryLineEdit::runRequested, this, &QueryBar::run);
    connect(m_edit, &QueryLineEdit::clearRequested, this, &QueryBar::clear);
    connect(m_edit, &QLineEdit::textEdited, this, [this] {
        if (m_edit->property("invalid").toBool()) {
            m_edit->setProperty("invalid", false);
            repolish(m_edit);
        }
        m_saved->setCurrentIndex(0);
    });
    connect(m_run, &QToolButton::clicked, this, &QueryBar::run);
    connect(m_save, &QToolButton::clicked, this, &QueryBar::saveWithDialog);
    connect(m_saved, &QComboBox::activated, this, [this](int index) {
        const QString text = m_saved->itemData(index).toString();
        if (text.isEmpty())
            return;
        m_edit->setText(text);
        m_edit->setCursorPosition(0); // a long query shows from its start
        run();
    });
    connect(&m_bridge, &EngineBridge::queryFinished, this,
            [this](quint64 token, const QueryResultData& result) {
                if (token != m_runToken)
                    return; // an earlier query, superseded
                m_runToken = 0;
                if (!result.ok) {
                    showError(result);
                    return;
                }
                m_error->hide();
                Q_EMIT resultReady(result);
            });
    connect(&m_bridge, &EngineBridge::savedQueriesLoaded, this,
            [this](quint64 token, const QVector<SavedQueryInfo>& queries) {
                if (token != m_listToken)
                    return;
                m_listToken = 0;
                m_queries = queries;
                const QString current = m_saved->currentIndex() > 0 ? m_saved->currentText() : QString();
                m_saved->clear();
                m_saved->addItem(tr("Saved queries"));
                bool separated = false;
                for (const SavedQueryInfo& q : queries) {
                    if (!q.builtin && !separated) {
                        m_saved->insertSeparator(m_saved->count());
                        separated = true;
                    }
                    m_saved->addItem(q.name, q.text);
                    const QString about = q.builtin ? q.description : tr("Saved by %1").arg(q.author);
                    m_saved->setItemData(m_saved->count() - 1, about + u'\n' + q.text, Qt::ToolTipRole);
                }
                if (!current.isEmpty())
                    m_saved->setCurrentIndex(std::max(0, m_saved->findText(current)));
            });
    connect(&m_bridge, &EngineBridge::querySaved, this, [this](quint64 token, bool ok, const QString& message) {
        if (token != m_saveToken)
            return;
        m_saveToken = 0;
        showMessage(message, !ok);
        if (ok)
            reloadSaved();
    });
    connect(&m_bridge, &EngineBridge::databaseOpened, this, [this] {
        clear();
        reloadSaved();
    });
    if (m_bridge.isOpen())
        reloadSaved();
}

void QueryBar::run()
{
    if (m_edit->text().trimmed().isEmpty()) {
        clear();
        return;
    }
    if (m_runToken)
        m_bridge.cancel(m_runToken);
    m_runToken = m_bridge.runQuery(m_edit->text());
    if (!m_runToken)
        showMessage(tr("Open a database to run a query"), true);
}

void QueryBar::clear()
{
    if (m_runToken)
        m_bridge.cancel(m_runToken);
    m_runToken = 0;
    m_edit->clear();
    m_error->hide();
    m_error->clear();
    m_edit->setProperty("invalid", false);
    repolish(m_edit);
    m_saved->setCurrentIndex(0);
    Q_EMIT cleared();
}

void QueryBar::reloadSaved()
{
    if (m_listToken)
        m_bridge.cancel(m_listToken);
    m_listToken = m_bridge.loadSavedQueries();
}

void QueryBar::saveWithDialog()
{
    if (m_edit->text().trimmed().isEmpty()) {
        showMessage(tr("Write a query first, then save it"), true);
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Save query"), tr("Name (a-z, 0-9, '.', '_' and '-'; saved in this database):"),
        QLineEdit::Normal, m_saved->currentIndex() > 0 ? m_saved->currentText() : QString(), &ok);
    if (ok && !name.trimmed().isEmpty())
        saveAs(name.trimmed());
}

void QueryBar::saveAs(const QString& name)
{
    if (m_saveToken)
        m_bridge.cancel(m_saveToken);
    m_saveToken = m_bridge.saveQuery(name, m_edit->text());
    if (!m_saveToken)
        showMessage(tr("Open a database to save a query"), true);
}

void QueryBar::showError(const QueryResultData& result)
{
    showMessage(result.error, true);
    m_edit->setProperty("invalid", true);
    repolish(m_edit);
    // Point at the fault: the cursor at its start, the faulty word selected after it.
    if (result.errorPosition >= 0 && result.text == m_edit->text()) {
        m_edit->setFocus(Qt::OtherFocusReason);
        const int pos = std::min(result.errorPosition, static_cast<int>(m_edit->text().size()));
        const int len = std::min(result.errorLength, static_cast<int>(m_edit->text().size()) - pos);
        if (len > 0)
            m_edit->setSelection(pos + len, -len);
        else
            m_edit->setCursorPosition(pos);
    }
}

void QueryBar::showMessage(const QString& text, bool error)
{
    m_error->setProperty("role", error ? QStringLiteral("error") : QStringLiteral("muted"));
    repolish(m_error);
    m_error->setText(text);
    m_error->show();
}

} // namespace vigil::ui
