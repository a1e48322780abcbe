// SPDX-License-Identifier: Apache-2.0
#include "common/viewplaceholder.h"

#include <QAbstractItemModel>
#include <QAbstractItemView>
#include <QEvent>

namespace vigil::ui {

ViewPlaceholder::ViewPlaceholder(QAbstractItemView* view) : QLabel(view->viewport()), m_view(view)
{
    setObjectName(QStringLiteral("viewPlaceholder"));
    setProperty("role", QStringLiteral("muted"));
    setAlignment(Qt::AlignCenter);
    setWordWrap(true);
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setTextInteractionFlags(Qt::NoTextInteraction);
    view->viewport()->installEventFilter(this);
    watchModel();
    hide();
}

void ViewPlaceholder::watchModel()
{
    QAbstractItemModel* model = m_view->model();
    if (!model)
        return;
    for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, this, &ViewPlaceholder::refresh);
    connect(model, &QAbstractItemModel::modelReset, this, &ViewPlaceholder::refresh);
    connect(model, &QAbstractItemModel::layoutChanged, this, &ViewPlaceholder::refresh);
}

void ViewPlaceholder::setMessage(const QString& text)
{
    setText(text);
    refresh();
}

void ViewPlaceholder::refresh()
{
    const QAbstractItemModel* model = m_view->model();
    const bool empty = !model || model->rowCount() == 0;
    setVisible(empty && !text().isEmpty());
    if (isVisible())
        setGeometry(m_view->viewport()->rect().adjusted(12, 12, -12, -12));
}

bool ViewPlaceholder::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        setGeometry(m_view->viewport()->rect().adjusted(12, 12, -12, -12));
    return QLabel::eventFilter(watched, event);
}

} // namespace vigil::ui
