// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLabel>

class QAbstractItemView;

namespace vigil::ui {

/// A line of muted text centred over an item view's empty viewport: "Loading incidents…"
/// until the first result arrives from the bridge, or "No incidents match the filters."
/// after it. Shown only while the text is set and the view's model has no rows, so a list
/// that fills up hides it by itself.
class ViewPlaceholder : public QLabel
{
    Q_OBJECT

public:
    explicit ViewPlaceholder(QAbstractItemView* view);

    /// Sets the text (empty: never shown) and shows or hides the placeholder.
    void setMessage(const QString& text);
    /// Shows the placeholder if the text is set and the model is empty, else hides it.
    void refresh();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void watchModel();

    QAbstractItemView* m_view;
};

} // namespace vigil::ui
