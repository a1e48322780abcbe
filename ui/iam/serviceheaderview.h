// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHeaderView>

namespace vigil::ui {

/// The permission map's column header in two bands: the service of each group of columns
/// (PermissionMapModel::ServiceRole, one header cell spanning the group) above the actions.
/// Columns of one service must be adjacent, and sections are not movable.
class ServiceHeaderView : public QHeaderView
{
    Q_OBJECT

public:
    explicit ServiceHeaderView(QWidget* parent = nullptr);

    /// Height of one band.
    int bandHeight() const;
    /// The first and last section of the service group of `logicalIndex`.
    std::pair<int, int> groupOf(int logicalIndex) const;

protected:
    void paintSection(QPainter* painter, const QRect& rect, int logicalIndex) const override;
    QSize sectionSizeFromContents(int logicalIndex) const override;

private:
    QString serviceAt(int logicalIndex) const;
};

} // namespace vigil::ui
