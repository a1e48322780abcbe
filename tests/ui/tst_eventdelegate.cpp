// SPDX-License-Identifier: Apache-2.0
// The event tables' delegate: finding badges replace the category names in the Findings
// column rather than being painted over them.

#include "uitestsupport.h"

#include "bridge/bridgetypes.h"
#include "common/eventcolumns.h"
#include "common/eventdelegate.h"

#include <QImage>
#include <QPainter>
#include <QStandardItemModel>
#include <QTableView>

using namespace vigil::ui;

class TestEventDelegate : public QObject
{
    Q_OBJECT

private:
    /// The Findings cell of a one-row table whose display text is `text` and whose findings
    /// are `mask`, painted by the delegate into an image.
    static QImage cell(const QString& text, quint32 mask, bool selected)
    {
        QStandardItemModel model(1, EventColumnCount);
        auto* item = new QStandardItem(text);
        item->setData(mask, FindingMaskRole);
        item->setData(2, FindingSeverityRole);
        model.setItem(0, ColFindings, item);
        QTableView view;
        view.setModel(&model);
        EventDelegate delegate(&view);
        view.setItemDelegate(&delegate);
        view.resize(900, 100);
        view.setColumnWidth(ColFindings, 160);
        view.show();
        const QModelIndex index = model.index(0, ColFindings);
        QStyleOptionViewItem option;
        option.initFrom(&view);
        option.rect = QRect(0, 0, 160, 26);
        option.widget = &view;
        option.state = QStyle::State_Enabled | (selected ? QStyle::State_Selected : QStyle::State_None);
        QImage image(160, 26, QImage::Format_ARGB32);
        image.fill(Qt::white);
        QPainter painter(&image);
        delegate.paint(&painter, option, index);
        painter.end();
        return image;
    }

private Q_SLOTS:
    void badgesReplaceTheCategoryText()
    {
        const quint32 mask = categoryBit(QStringLiteral("injection")) | categoryBit(QStringLiteral("pii"));
        for (const bool selected : {false, true}) {
            // The same cell with and without its display text: the text must not show.
            const QImage withText = cell(QStringLiteral("injection, pii"), mask, selected);
            const QImage withoutText = cell(QString(), mask, selected);
            QVERIFY2(withText == withoutText, selected ? "selected row" : "plain row");
            // And the badges are drawn: the image differs from an empty cell.
            QVERIFY(withoutText != cell(QString(), 0, selected));
        }
    }
};

QTEST_MAIN(TestEventDelegate)
#include "tst_eventdelegate.moc"
