// SPDX-License-Identifier: Apache-2.0
// The desktop's own ingest runs the model-extraction session rules (guide 1.1): a user who
// asks the same question again and again gets a finding with its own category, badge and
// filter in the Events view.

#include "uitestsupport.h"

#include "common/eventcolumns.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "theme.h"

#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableView>

#include <bit>

using namespace vigil::ui;
using namespace vigil::test;

namespace {

QByteArray userQuery(qint64 ts, const QString& user, const QString& thread, const QString& text, const QString& id)
{
    const QByteArray details =
        QJsonDocument(QJsonObject{{QStringLiteral("query"), text}, {QStringLiteral("user_id"), user}})
            .toJson(QJsonDocument::Compact);
    QByteArray line = eventLine(ts, QStringLiteral("user_query_received"), QStringLiteral("brain"),
                                QStringLiteral("info"), thread, details, id);
    line.chop(1); // the closing brace: add the top-level user id as producers write it
    return line + ",\"user_id\":\"" + user.toUtf8() + "\"}";
}

} // namespace

class TestModelExtraction : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kBase = 1767225600000;
    Fixture m_fx;

    static int extractionRows(EventsModel* model)
    {
        int n = 0;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->index(r, 0).data(FindingMaskRole).toUInt() & categoryBit(QStringLiteral("model_extraction")))
                ++n;
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fx.open());
        QList<QByteArray> lines;
        // Five times the same question from one user, in separate threads.
        for (int i = 0; i < 5; ++i)
            lines << userQuery(kBase + i * 30'000, QStringLiteral("u-sampler"), QStringLiteral("t-%1").arg(i),
                               QStringLiteral("What is the average watch time of channel 7 in the west?"),
                               QStringLiteral("q-%1").arg(i));
        // Someone rephrasing twice is not an attack.
        lines << userQuery(kBase + 5'000, QStringLiteral("u-normal"), QStringLiteral("t-n"),
                           QStringLiteral("How many viewers watched channel 7 last week?"), QStringLiteral("n-1"))
              << userQuery(kBase + 65'000, QStringLiteral("u-normal"), QStringLiteral("t-n"),
                           QStringLiteral("How many people watched channel 7 during the last week?"), QStringLiteral("n-2"));
        m_fx.ingest(lines);
    }

    void theCompletingQueryCarriesTheFinding()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        EventsModel* model = view.model();
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() == 7, 20000);
        QCOMPARE(extractionRows(model), 1);
        // Its badge names it, not OTHER.
        const int bit = static_cast<int>(std::countr_zero(categoryBit(QStringLiteral("model_extraction"))));
        QCOMPARE(Theme::categoryBadge(bit), QStringLiteral("EXTRACT"));
    }

    void theCategoryFilterFindsIt()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        EventsModel* model = view.model();
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() == 7, 20000);
        QComboBox* category = nullptr;
        for (QComboBox* box : view.findChildren<QComboBox*>())
            if (box->findText(QStringLiteral("model_extraction")) >= 0)
                category = box;
        QVERIFY2(category, "no category picker offers model_extraction");
        // As a user picks it: activated, not just a changed index.
        const int index = category->findText(QStringLiteral("model_extraction"));
        category->setCurrentIndex(index);
        Q_EMIT category->activated(index);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() == 1, 20000);
        QCOMPARE(extractionRows(model), 1);
    }
};

QTEST_MAIN(TestModelExtraction)
#include "tst_modelextraction.moc"
