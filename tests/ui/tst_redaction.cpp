// SPDX-License-Identifier: Apache-2.0
// PII and secrets are redacted by default in the detail pane and in the table previews;
// Reveal shows them only after recording who revealed which event in the audit trail.

#include "uitestsupport.h"

#include "bridge/eventjson.h"
#include "deepjson.h"

#include "common/eventcolumns.h"
#include "common/eventdetailpane.h"
#include "events/eventsmodel.h"
#include "events/eventsview.h"
#include "store/storereader.h"

#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>

using namespace vigil::ui;
using namespace vigil::test;

class TestRedaction : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kBase = 1767225600000;
    Fixture m_fx;

    int rowOf(EventsModel* model, const QString& eventPreviewPart)
    {
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->index(r, ColSummary).data().toString().contains(eventPreviewPart))
                return r;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fx.open());
        m_fx.ingest({
            eventLine(kBase, QStringLiteral("worker_result"), QStringLiteral("formatter"), QStringLiteral("info"),
                      QStringLiteral("t-1"),
                      outputDetails(QStringLiteral("Reach 4,210 viewers. Contact maria.keller@example.org for the export")),
                      QStringLiteral("ev-pii")),
            eventLine(kBase + 1000, QStringLiteral("user_query_received"), QStringLiteral("brain"), QStringLiteral("info"),
                      QStringLiteral("t-2"), queryDetails(QStringLiteral("Viewers of News24 by region")),
                      QStringLiteral("ev-plain")),
        });
    }

    void redactedByDefaultAndRevealIsAudited()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        EventsModel* model = view.model();
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() == 2, 20000);
        const int row = rowOf(model, QStringLiteral("Reach 4,210"));
        QVERIFY(row >= 0);
        // The table's preview is redacted as well.
        const QString preview = model->index(row, ColSummary).data().toString();
        QVERIFY2(!preview.contains(QStringLiteral("maria.keller")), qPrintable(preview));
        QVERIFY2(preview.contains(QStringLiteral("[REDACTED:")), qPrintable(preview));
        QVERIFY(model->index(row, 0).data(FindingMaskRole).toUInt() & categoryBit(QStringLiteral("pii")));

        EventDetailPane* pane = view.detailPane();
        QSignalSpy shown(pane, &EventDetailPane::detailShown);
        view.table()->selectRow(row);
        QVERIFY(shown.wait(10000));
        QVERIFY(!pane->isRevealed());
        QVERIFY2(!pane->jsonText().contains(QStringLiteral("maria.keller")), qPrintable(pane->jsonText()));
        QVERIFY(pane->jsonText().contains(QStringLiteral("[REDACTED:")));
        QVERIFY(pane->detail().redactions >= 1);
        // The redaction marker is highlighted.
        QVERIFY(std::any_of(pane->detail().highlights.begin(), pane->detail().highlights.end(),
                            [](const Highlight& h) { return h.redacted && h.category == u"pii"; }));
        const qint64 rowId = pane->rowId();

        // Nothing was recorded by merely looking.
        {
            auto reader = vigil::StoreReader::open(m_fx.dbPath().toStdString());
            QVERIFY(reader);
            auto st = vigil::SqlStatement::prepare(reader->database(), "SELECT count(*) FROM audit_trail");
            QVERIFY(st && *st->step());
            QCOMPARE(st->columnInt(0), 0);
        }

        QSignalSpy recorded(m_fx.bridge.get(), &EngineBridge::revealRecorded);
        auto* reveal = pane->findChild<QPushButton*>(QStringLiteral("revealButton"));
        QVERIFY(reveal && reveal->isVisible());
        QTest::mouseClick(reveal, Qt::LeftButton);
        QVERIFY(shown.wait(10000));
        QCOMPARE(recorded.count(), 1);
        QVERIFY(pane->isRevealed());
        QVERIFY(pane->jsonText().contains(QStringLiteral("maria.keller@example.org")));
        QVERIFY(std::any_of(pane->detail().highlights.begin(), pane->detail().highlights.end(), [&](const Highlight& h) {
            return !h.redacted && pane->jsonText().mid(h.start, h.length) == u"maria.keller@example.org";
        }));

        // The audit trail says who revealed which event, and when.
        auto reader = vigil::StoreReader::open(m_fx.dbPath().toStdString());
        QVERIFY(reader);
        auto st = vigil::SqlStatement::prepare(reader->database(),
                                               "SELECT actor, action, target, detail, ts_ms FROM audit_trail");
        QVERIFY(st);
        auto has = st->step();
        QVERIFY(has && *has);
        QCOMPARE(QString::fromStdString(st->columnText(0)), EngineBridge::actorName());
        QCOMPARE(st->columnText(1), std::string("reveal_event"));
        QCOMPARE(QString::fromStdString(st->columnText(2)), QStringLiteral("event:%1").arg(rowId));
        QCOMPARE(st->columnText(3), std::string("ev-pii"));
        QVERIFY(st->columnInt(4) > kBase);
        QVERIFY(!*st->step()); // exactly one entry

        // Another event, then back: redacted again.
        view.table()->selectRow(row == 0 ? 1 : 0);
        QVERIFY(shown.wait(10000));
        view.table()->selectRow(row);
        QVERIFY(shown.wait(10000));
        QVERIFY(!pane->isRevealed());
        QVERIFY(!pane->jsonText().contains(QStringLiteral("maria.keller")));
    }

    void exportsAreRedacted()
    {
        for (const auto format : {EngineBridge::ExportFormat::JsonLines, EngineBridge::ExportFormat::Csv}) {
            const QString path = m_fx.dir.path() +
                                 (format == EngineBridge::ExportFormat::Csv ? QStringLiteral("/events.csv")
                                                                           : QStringLiteral("/events.jsonl"));
            QSignalSpy done(m_fx.bridge.get(), &EngineBridge::exportFinished);
            const quint64 token = m_fx.bridge->exportEvents(EventQuery{}, path, format);
            QVERIFY(done.wait(10000));
            QCOMPARE(done.first().at(0).toULongLong(), token);
            QVERIFY2(done.first().at(1).toBool(), qPrintable(done.first().at(2).toString()));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray all = f.readAll();
            QVERIFY(!all.contains("maria.keller"));
            QVERIFY(all.contains("[REDACTED:"));
            QVERIFY(all.contains("Viewers of News24 by region"));
            QCOMPARE(all.count('\n'), format == EngineBridge::ExportFormat::Csv ? 3 : 2);
        }
    }

    void detailsBeyondTheJsonLimitsShownAsText_data()
    {
        // The decoder keeps such details out of a database; one edited by hand may hold them,
        // and the renderers walk a parsed tree recursively (50,000 levels overflowed the stack).
        QTest::addColumn<std::string>("details");
        QTest::newRow("50,000 arrays") << vigil::test::nestedArrays(50'000);
        QTest::newRow("50,000 objects") << vigil::test::nestedObjects(50'000);
        QTest::newRow("65 levels") << vigil::test::nestedArrays(65);
    }

    void detailsBeyondTheJsonLimitsShownAsText()
    {
        QFETCH(std::string, details);
        const QVector<FindingInfo> findings;
        EventDetail out;
        eventjson::render({kBase, "custom", "agent", "t-1", "info", "", ""}, details, findings, false, out);
        // Shown as the text it is: one string value, nothing of it lost.
        const QString head = QString::fromStdString(details.substr(0, 200));
        QVERIFY(out.json.contains(QString(head).replace(u'"', QStringLiteral("\\\""))));
        QVERIFY(out.json.contains(QStringLiteral("\"details\": \"")));
        const QString line = eventjson::preview("custom", details, findings, 80);
        QVERIFY(line.startsWith(QString::fromStdString(details.substr(0, 40))));
        QCOMPARE(eventjson::redactedDetails(details, findings), details);
    }

    void eventsWithoutSecretsHaveNothingToReveal()
    {
        EventsView view(*m_fx.bridge);
        view.show();
        EventsModel* model = view.model();
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading() && model->rowCount() == 2, 20000);
        QSignalSpy shown(view.detailPane(), &EventDetailPane::detailShown);
        view.table()->selectRow(rowOf(model, QStringLiteral("News24")));
        QVERIFY(shown.wait(10000));
        QCOMPARE(view.detailPane()->detail().redactions, 0);
        QVERIFY(!view.detailPane()->findChild<QPushButton*>(QStringLiteral("revealButton"))->isVisible());
    }
};

QTEST_MAIN(TestRedaction)
#include "tst_redaction.moc"
