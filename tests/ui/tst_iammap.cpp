// SPDX-License-Identifier: Apache-2.0
// The IAM permission map view, offscreen: the grid's cell states for a small fixture, the
// detail of a clicked cell (deciding statements, events), keyboard navigation, the agent
// and service filters, the review panel, CSV/PNG export, and replacing the policy file
// through its diff (file, drag and drop, a malformed file refused with its JSON path).

#include "uitestsupport.h"

#include "common/eventlistmodel.h"
#include "iam/iammapview.h"
#include "iam/iamviews.h"
#include "iam/permissionmapmodel.h"
#include "iam/policydiffdialog.h"
#include "mainwindow.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTreeWidget>
#include <QUrl>

using namespace vigil::ui;
using namespace vigil::test;

namespace {

QByteArray readData(const char* name)
{
    QFile f(dataPath(QStringLiteral("iam/") + QLatin1String(name)));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The fixture: a planner and a reader with a boundary that denies compute.
const QByteArray kPolicies = readData("map-policies.json");
// The replacement: reader may now write the state table, loses Launch; a new auditor.
const QByteArray kNewPolicies = readData("map-policies-new.json");

QByteArray toolCall(const char* action, const char* resource, const char* outcome)
{
    return QByteArray("{\"action\":\"") + action + "\",\"resource\":\"" + resource + "\",\"outcome\":\"" + outcome + "\"}";
}

QList<QByteArray> fixtureEvents()
{
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 60000;
    const QByteArray plan =
        R"({"plan":"1. reader fetches","model":"anthropic.claude-sonnet-4","tokens":900,"cost":0.01})";
    const QByteArray worker =
        R"({"worker_name":"reader","input_hash":"0123456789abcdef","model":"anthropic.claude-3-5-haiku"})";
    const QString info = QStringLiteral("info");
    return {
        eventLine(t0 + 1000, QStringLiteral("brain_plan_created"), QStringLiteral("planner"), info, QStringLiteral("t-1"), plan),
        eventLine(t0 + 2000, QStringLiteral("brain_plan_created"), QStringLiteral("planner"), info, QStringLiteral("t-2"), plan),
        eventLine(t0 + 3000, QStringLiteral("tool_call"), QStringLiteral("planner"), info, QStringLiteral("t-1"),
                  toolCall("dynamodb:GetItem", "table/state", "allowed")),
        eventLine(t0 + 4000, QStringLiteral("tool_call"), QStringLiteral("planner"), QStringLiteral("warning"),
                  QStringLiteral("t-1"), toolCall("s3:DeleteObject", "data/x.csv", "denied")),
        eventLine(t0 + 5000, QStringLiteral("worker_invoked"), QStringLiteral("reader"), info, QStringLiteral("t-1"), worker),
        eventLine(t0 + 6000, QStringLiteral("tool_call"), QStringLiteral("reader"), info, QStringLiteral("t-1"),
                  toolCall("s3:GetObject", "data/a.csv", "allowed")),
        eventLine(t0 + 7000, QStringLiteral("tool_call"), QStringLiteral("reader"), QStringLiteral("warning"),
                  QStringLiteral("t-1"), toolCall("dynamodb:PutItem", "table/state", "denied")),
        eventLine(t0 + 8000, QStringLiteral("tool_call"), QStringLiteral("stranger"), info, QStringLiteral("t-3"),
                  toolCall("s3:GetObject", "data/b.csv", "allowed")),
    };
}

int stateOf(PermissionMapModel* m, const char* agent, const char* action)
{
    const QModelIndex idx = m->indexOf(QLatin1String(agent), QLatin1String(action));
    return idx.isValid() ? idx.data(PermissionMapModel::StateRole).toInt() : -2;
}

} // namespace

class TestIamMap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void gridShowsCellStates();
    void servicesGroupTheColumns();
    void clickingACellShowsStatementsAndEvents();
    void boundaryCellNamesBothStatements();
    void keyboardMovesTheDetail();
    void eventOpensInEventsView();
    void filtersChangeRowsAndColumns();
    void reviewPanelListsItems();
    void exportsCsvAndPng();
    void malformedPolicyIsRefusedWithItsPath();
    void replacingPoliciesShowsDiffFirst();
    void droppingAJsonFileChecksIt();
    void registeredInMainWindow();
    void cellShowsAllowedAndDeniedCounts();
    void opensAtTheFirstColumn();

private:
    bool waitForMap();
    QString writeFile(const QString& name, const QByteArray& content);

    std::unique_ptr<Fixture> m_fx;
    std::unique_ptr<IamMapView> m_view;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestIamMap::initTestCase()
{
    m_fx = std::make_unique<Fixture>();
    EngineBridge::EngineOptions options;
    options.policiesJson = kPolicies;
    QString error;
    QVERIFY2(m_fx->bridge->loadEngine(options, &error), qPrintable(error));
    QVERIFY(m_fx->open());
    m_fx->ingest(fixtureEvents());
    QVERIFY(m_fx->bridge->hasIamPolicies());

    m_view = std::make_unique<IamMapView>(*m_fx->bridge);
    m_tester = std::make_unique<QAbstractItemModelTester>(m_view->model(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_view->resize(1400, 800);
    QVERIFY(waitForMap());
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestIamMap::cleanupTestCase()
{
    m_tester.reset();
    m_view.reset();
    m_fx.reset();
}

bool TestIamMap::waitForMap()
{
    QSignalSpy shown(m_view.get(), &IamMapView::mapShown);
    return shown.wait(20000);
}

QString TestIamMap::writeFile(const QString& name, const QByteArray& content)
{
    const QString path = m_fx->dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(content);
    return path;
}

void TestIamMap::gridShowsCellStates()
{
    PermissionMapModel* m = m_view->model();
    QCOMPARE(m->allAgents(), (QStringList{QStringLiteral("planner"), QStringLiteral("reader"), QStringLiteral("stranger")}));
    QCOMPARE(m->rowCount(), 3);
    QCOMPARE(stateOf(m, "planner", "bedrock:InvokeModel"), int(IamCellState::AllowedUsed));
    QCOMPARE(stateOf(m, "planner", "dynamodb:GetItem"), int(IamCellState::AllowedUsed));
    QCOMPARE(stateOf(m, "planner", "dynamodb:PutItem"), int(IamCellState::AllowedUnused));
    QCOMPARE(stateOf(m, "planner", "s3:DeleteObject"), int(IamCellState::ExplicitDeny));
    QCOMPARE(stateOf(m, "reader", "s3:GetObject"), int(IamCellState::AllowedUsed));
    QCOMPARE(stateOf(m, "reader", "s3:PutObject"), int(IamCellState::Conditional));
    QCOMPARE(stateOf(m, "reader", "ec2:RunInstances"), int(IamCellState::BoundaryBlocked));
    QCOMPARE(stateOf(m, "reader", "dynamodb:PutItem"), int(IamCellState::DeniedAttempted));
    QCOMPARE(stateOf(m, "reader", "bedrock:InvokeModel"), int(IamCellState::DeniedAttempted));
    QCOMPARE(stateOf(m, "stranger", "s3:GetObject"), int(IamCellState::DeniedAttempted));
    // No entry at all: an empty cell.
    QCOMPARE(stateOf(m, "stranger", "ec2:RunInstances"), -1);

    // The glyph and the number of events, readable without color.
    const QModelIndex plan = m->indexOf(QStringLiteral("planner"), QStringLiteral("bedrock:InvokeModel"));
    QCOMPARE(plan.data().toString(), QStringLiteral("✓ 2"));
    QCOMPARE(m->indexOf(QStringLiteral("planner"), QStringLiteral("dynamodb:PutItem")).data().toString(), QStringLiteral("○"));
    QCOMPARE(m->indexOf(QStringLiteral("reader"), QStringLiteral("ec2:RunInstances")).data().toString(), QStringLiteral("B"));
    QCOMPARE(m->indexOf(QStringLiteral("planner"), QStringLiteral("s3:DeleteObject")).data().toString(), QStringLiteral("D 1"));
    QVERIFY(plan.data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("allowed, used")));
    // The agent without a role says so in its row header.
    QCOMPARE(m->headerData(2, Qt::Vertical).toString(), QStringLiteral("stranger (no role)"));
    QVERIFY2(m_view->policyLabel()->text().contains(QStringLiteral("embedded policies")),
             qPrintable(m_view->policyLabel()->text()));
}

void TestIamMap::servicesGroupTheColumns()
{
    PermissionMapModel* m = m_view->model();
    QStringList services;
    for (int c = 0; c < m->columnCount(); ++c) {
        const QString s = m->headerData(c, Qt::Horizontal, PermissionMapModel::ServiceRole).toString();
        if (services.isEmpty() || services.back() != s) {
            QVERIFY2(!services.contains(s), qPrintable(s)); // each service's columns are adjacent
            services << s;
        }
    }
    QCOMPARE(services, (QStringList{QStringLiteral("bedrock"), QStringLiteral("dynamodb"), QStringLiteral("ec2"),
                                    QStringLiteral("s3")}));
    QCOMPARE(m->allServices(), services);
    // Headers show the action without its service, which the band above names.
    const QModelIndex get = m->indexOf(QStringLiteral("reader"), QStringLiteral("s3:GetObject"));
    QCOMPARE(m->headerData(get.column(), Qt::Horizontal).toString(), QStringLiteral("GetObject"));
    QCOMPARE(m->headerData(get.column(), Qt::Horizontal, Qt::ToolTipRole).toString(), QStringLiteral("s3:GetObject"));
    QVERIFY(m_view->grid()->horizontalHeader()->height() >= 2 * m_view->fontMetrics().height());
}

void TestIamMap::clickingACellShowsStatementsAndEvents()
{
    PermissionMapModel* m = m_view->model();
    const QModelIndex idx = m->indexOf(QStringLiteral("planner"), QStringLiteral("s3:DeleteObject"));
    QVERIFY(idx.isValid());
    QTableView* grid = m_view->grid();
    grid->scrollTo(idx);
    QSignalSpy cell(m_view.get(), &IamMapView::cellShown);
    QSignalSpy events(m_view.get(), &IamMapView::cellEventsShown);
    QTest::mouseClick(grid->viewport(), Qt::LeftButton, {}, grid->visualRect(idx).center());
    QCOMPARE(grid->currentIndex(), idx);
    QVERIFY(cell.count() >= 1);
    QCOMPARE(cell.last().at(0).toString(), QStringLiteral("planner"));
    QCOMPARE(cell.last().at(1).toString(), QStringLiteral("s3:DeleteObject"));
    QCOMPARE(m_view->cellTitle()->text(), QStringLiteral("planner · s3:DeleteObject"));

    // Two entries: the role's Deny, and the attempt it stopped.
    QTreeWidget* entries = m_view->cellEntries();
    QCOMPARE(entries->topLevelItemCount(), 2);
    QVERIFY(entries->topLevelItem(0)->text(3).contains(QStringLiteral("planner-role.Statement[2]")));
    QCOMPARE(entries->topLevelItem(1)->text(1), QStringLiteral("data/x.csv"));
    const QString why = m_view->statementText()->toPlainText();
    QVERIFY2(why.contains(QStringLiteral("role planner-role, Statement[2], Sid NoDelete")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("\"Effect\": \"Deny\"")), qPrintable(why));
    QVERIFY(why.contains(QStringLiteral("stopped by a Deny of the role")));

    // The one event behind both entries.
    if (events.isEmpty())
        QVERIFY(events.wait(10000));
    QCOMPARE(events.last().at(0).toInt(), 1);
    QCOMPARE(m_view->eventsModel()->rowCount(), 1);
    const EventSummary* e = m_view->eventsModel()->summaryAt(0);
    QVERIFY(e);
    QCOMPARE(e->agent, QStringLiteral("planner"));
    QCOMPARE(e->eventType, QStringLiteral("tool_call"));
    QVERIFY(e->preview.contains(QStringLiteral("s3:DeleteObject")) || !e->preview.isEmpty());

    // Selecting one entry narrows the detail to it.
    QSignalSpy narrowed(m_view.get(), &IamMapView::cellEventsShown);
    entries->setCurrentItem(entries->topLevelItem(0));
    QVERIFY(narrowed.count() > 0 || narrowed.wait(10000));
    QVERIFY(!m_view->statementText()->toPlainText().contains(QStringLiteral("data/x.csv")));
}

void TestIamMap::boundaryCellNamesBothStatements()
{
    QVERIFY(m_view->selectCell(QStringLiteral("reader"), QStringLiteral("ec2:RunInstances")));
    const QString why = m_view->statementText()->toPlainText();
    QVERIFY2(why.contains(QStringLiteral("role reader-role, Statement[2], Sid Launch")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("permission boundary, Statement[1], Sid NoCompute")), qPrintable(why));
    QVERIFY(why.contains(QStringLiteral("voids the grant")));
    QCOMPARE(m_view->eventsModel()->rowCount(), 0);

    QVERIFY(m_view->selectCell(QStringLiteral("stranger"), QStringLiteral("s3:GetObject")));
    QVERIFY(m_view->statementText()->toPlainText().contains(QStringLiteral("without a role")));
}

void TestIamMap::keyboardMovesTheDetail()
{
    QVERIFY(m_view->selectCell(QStringLiteral("planner"), QStringLiteral("dynamodb:GetItem")));
    QTableView* grid = m_view->grid();
    grid->setFocus();
    QSignalSpy cell(m_view.get(), &IamMapView::cellShown);
    QTest::keyClick(grid, Qt::Key_Right);
    QCOMPARE(cell.count(), 1);
    QCOMPARE(cell.last().at(1).toString(), QStringLiteral("dynamodb:PutItem"));
    QTest::keyClick(grid, Qt::Key_Down);
    QCOMPARE(cell.last().at(0).toString(), QStringLiteral("reader"));
    QCOMPARE(m_view->model()->data(grid->currentIndex(), PermissionMapModel::StateRole).toInt(),
             int(IamCellState::DeniedAttempted));
    // Enter moves into the cell's entries.
    QTest::keyClick(grid, Qt::Key_Return);
    QCOMPARE(m_view->window()->focusWidget(), static_cast<QWidget*>(m_view->cellEntries()));
}

void TestIamMap::eventOpensInEventsView()
{
    QVERIFY(m_view->selectCell(QStringLiteral("reader"), QStringLiteral("s3:GetObject")));
    if (m_view->eventsModel()->rowCount() == 0) {
        QSignalSpy events(m_view.get(), &IamMapView::cellEventsShown);
        QVERIFY(events.wait(10000));
    }
    QCOMPARE(m_view->eventsModel()->rowCount(), 1);
    QSignalSpy open(m_view.get(), &IamMapView::openEvents);
    QTableView* table = m_view->eventsTable();
    const QModelIndex first = m_view->eventsModel()->index(0, 1);
    // QTest's double click has no press of its own: click first, as a user does.
    const QPoint at = table->visualRect(first).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(open.count(), 1);
    // Enter does the same from the keyboard.
    QTest::keyClick(table, Qt::Key_Return);
    QCOMPARE(open.count(), 2);
    const auto q = open.first().first().value<EventQuery>();
    QCOMPARE(q.agent, QStringLiteral("reader"));
    QCOMPARE(q.eventType, QStringLiteral("tool_call"));
    QVERIFY(q.fromMs > 0 && q.fromMs == q.toMs);
}

void TestIamMap::filtersChangeRowsAndColumns()
{
    PermissionMapModel* m = m_view->model();
    const int allColumns = m->columnCount();
    QComboBox* agents = m_view->agentFilter();
    QComboBox* services = m_view->serviceFilter();

    const int reader = agents->findData(QStringLiteral("reader"));
    QVERIFY(reader > 0);
    agents->setCurrentIndex(reader);
    Q_EMIT agents->activated(reader);
    QCOMPARE(m->rowCount(), 1);
    QCOMPARE(m->agentAt(0), QStringLiteral("reader"));
    // Only the reader's actions: model use, PutItem, RunInstances, GetObject, PutObject.
    QCOMPARE(m->columnCount(), 5);
    QVERIFY(!m->indexOf(QStringLiteral("reader"), QStringLiteral("dynamodb:GetItem")).isValid());

    agents->setCurrentIndex(0);
    Q_EMIT agents->activated(0);
    const int s3 = services->findData(QStringLiteral("s3"));
    QVERIFY(s3 > 0);
    services->setCurrentIndex(s3);
    Q_EMIT services->activated(s3);
    QCOMPARE(m->columnCount(), 3); // DeleteObject, GetObject, PutObject
    for (int c = 0; c < m->columnCount(); ++c)
        QCOMPARE(m->headerData(c, Qt::Horizontal, PermissionMapModel::ServiceRole).toString(), QStringLiteral("s3"));
    QCOMPARE(m->rowCount(), 3);

    const int ec2 = services->findData(QStringLiteral("ec2"));
    services->setCurrentIndex(ec2);
    Q_EMIT services->activated(ec2);
    QCOMPARE(m->rowCount(), 1); // only the reader's role mentions ec2
    QCOMPARE(m->columnCount(), 1);

    services->setCurrentIndex(0);
    Q_EMIT services->activated(0);
    QCOMPARE(m->columnCount(), allColumns);
    QCOMPARE(m->rowCount(), 3);
}

void TestIamMap::reviewPanelListsItems()
{
    QTreeWidget* review = m_view->reviewList();
    QVERIFY(review->topLevelItemCount() > 0);
    QStringList kinds;
    for (int i = 0; i < review->topLevelItemCount(); ++i)
        kinds << review->topLevelItem(i)->text(1);
    for (const char* k : {"conditional_grant", "dead_grant", "unused_grant", "unknown_agent"})
        QVERIFY2(kinds.contains(QLatin1String(k)), k);
    const int dead = int(kinds.indexOf(QStringLiteral("dead_grant")));
    review->setCurrentItem(review->topLevelItem(dead));
    QVERIFY(m_view->findChild<QPlainTextEdit*>(QStringLiteral("iamReviewDetail"))->toPlainText().contains(QStringLiteral("Launch")));
}

void TestIamMap::exportsCsvAndPng()
{
    const QString csvPath = m_fx->dir.filePath(QStringLiteral("map.csv"));
    QString error;
    QVERIFY2(m_view->writeCsv(csvPath, &error), qPrintable(error));
    QFile f(csvPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.front().trimmed(), QByteArray("agent,action,resource,decision,statement,observed"));
    const QByteArray all = lines.join('\n');
    QVERIFY(all.contains("reader,ec2:RunInstances,*,boundary_blocked,reader-role.Statement[2] (Sid Launch),0"));
    QVERIFY(all.contains("stranger,s3:GetObject,data/b.csv,denied_attempted,,1"));
    QVERIFY(all.contains("planner,bedrock:InvokeModel,foundation-model/anthropic.claude-sonnet*,allowed_used,"));

    const QImage img = m_view->renderImage();
    QVERIFY(!img.isNull());
    QVERIFY(img.width() > 400 && img.height() > 150);
    const QString pngPath = m_fx->dir.filePath(QStringLiteral("map.png"));
    QVERIFY2(m_view->writePng(pngPath, &error), qPrintable(error));
    QImage back;
    QVERIFY(back.load(pngPath));
    QCOMPARE(back.size(), img.size());
    // The chips are there: some pixel of the explicit-deny color.
    const QColor deny = PermissionMapModel::fillColor(IamCellState::ExplicitDeny, Theme::instance().isDark());
    bool found = false;
    for (int y = 0; y < back.height() && !found; y += 2)
        for (int x = 0; x < back.width() && !found; x += 2)
            found = back.pixelColor(x, y) == deny;
    QVERIFY(found);
}

void TestIamMap::malformedPolicyIsRefusedWithItsPath()
{
    const QByteArray bad = R"({"agents": {"a": "r"}, "roles": {"r": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}}})";
    const QString path = writeFile(QStringLiteral("bad.json"), bad);
    QSignalSpy checked(m_view.get(), &IamMapView::policyCheckShown);
    m_view->loadPolicyFile(path);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.first().first().toBool(), false);
    QMessageBox* box = m_view->policyError();
    QVERIFY(box);
    QVERIFY2(box->informativeText().contains(QStringLiteral("$.roles.r.Statement[0].Effect")),
             qPrintable(box->informativeText()));
    box->close();
    // Nothing changed.
    QCOMPARE(stateOf(m_view->model(), "reader", "ec2:RunInstances"), int(IamCellState::BoundaryBlocked));
}

void TestIamMap::replacingPoliciesShowsDiffFirst()
{
    const QString path = writeFile(QStringLiteral("new-policies.json"), kNewPolicies);
    QSignalSpy checked(m_view.get(), &IamMapView::policyCheckShown);
    m_view->loadPolicyFile(path);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.first().first().toBool(), true);
    PolicyDiffDialog* dialog = m_view->diffDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    const IamPolicyDiff& d = dialog->diff();
    QCOMPARE(d.addedAgents, QStringList{QStringLiteral("auditor: auditor-role (worker)")});
    QVERIFY(d.removedAgents.isEmpty());
    QCOMPARE(d.addedRoles, QStringList{QStringLiteral("auditor-role")});
    QVERIFY(d.addedStatements.contains(QStringLiteral("reader-role.Statement[2] (Sid WriteState)")));
    QCOMPARE(d.removedStatements, QStringList{QStringLiteral("reader-role.Statement[2] (Sid Launch)")});
    // The reader's observed PutItem is now granted: its attempt entry goes, a used grant comes.
    bool attemptGone = false, grantUsed = false, launchGone = false;
    for (const IamCellChange& c : d.cells) {
        if (c.agent == u"reader" && c.action == u"dynamodb:PutItem" && !c.fromPolicy)
            attemptGone = c.oldState == int(IamCellState::DeniedAttempted) && c.newState == -1;
        if (c.agent == u"reader" && c.action == u"dynamodb:PutItem" && c.fromPolicy)
            grantUsed = c.oldState == -1 && c.newState == int(IamCellState::AllowedUsed);
        if (c.agent == u"reader" && c.action == u"ec2:RunInstances")
            launchGone = c.oldState == int(IamCellState::BoundaryBlocked) && c.newState == -1;
    }
    QVERIFY(attemptGone);
    QVERIFY(grantUsed);
    QVERIFY(launchGone);
    const QStringList lines = dialog->lines();
    QVERIFY2(lines.contains(QStringLiteral("Agents added (1)")), qPrintable(lines.join(u'\n')));
    QVERIFY(lines.contains(QStringLiteral("  reader · dynamodb:PutItem · table/state (observed): ✗ attempted, denied → (none)")));
    // Nothing applies before the user says so.
    QCOMPARE(stateOf(m_view->model(), "reader", "dynamodb:PutItem"), int(IamCellState::DeniedAttempted));

    QSignalSpy shown(m_view.get(), &IamMapView::mapShown);
    QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
    QVERIFY(shown.wait(20000));
    QCOMPARE(stateOf(m_view->model(), "reader", "dynamodb:PutItem"), int(IamCellState::AllowedUsed));
    QCOMPARE(stateOf(m_view->model(), "reader", "ec2:RunInstances"), -2); // the column is gone
    QVERIFY(m_view->model()->allAgents().contains(QStringLiteral("auditor")));
    QVERIFY(m_view->policyLabel()->text().contains(QStringLiteral("new-policies.json")));
    QCOMPARE(m_fx->bridge->iamPolicySource(), path);
}

void TestIamMap::droppingAJsonFileChecksIt()
{
    const QString path = writeFile(QStringLiteral("dropped.json"), kPolicies);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPointF pos(m_view->width() / 2.0, m_view->height() / 2.0);
    QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QCoreApplication::sendEvent(m_view.get(), &enter);
    QVERIFY(enter.isAccepted());

    QSignalSpy checked(m_view.get(), &IamMapView::policyCheckShown);
    QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_view.get(), &drop);
    QVERIFY(checked.wait(10000));
    PolicyDiffDialog* dialog = m_view->diffDialog();
    QVERIFY(dialog);
    // Back to the first file: the auditor goes, Launch returns.
    QCOMPARE(dialog->diff().removedAgents, QStringList{QStringLiteral("auditor: auditor-role (worker)")});
    QCOMPARE(dialog->diff().addedStatements, QStringList{QStringLiteral("reader-role.Statement[2] (Sid Launch)")});
    dialog->reject();
    QCOMPARE(m_fx->bridge->iamPolicySource(), m_fx->dir.filePath(QStringLiteral("new-policies.json")));

    // Anything but one local .json file is not taken.
    QMimeData text;
    text.setText(QStringLiteral("not a file"));
    QDragEnterEvent refused(pos.toPoint(), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    refused.setAccepted(false);
    QCoreApplication::sendEvent(m_view.get(), &refused);
    QVERIFY(!refused.isAccepted());
}

void TestIamMap::registeredInMainWindow()
{
    MainWindow window(*m_fx->bridge);
    QVERIFY(window.viewIds().contains(QStringLiteral("iam")));
    auto* view = qobject_cast<IamMapView*>(window.view(QStringLiteral("iam")));
    QVERIFY(view);
    QAction* load = window.menuBar()->findChild<QAction*>(QStringLiteral("loadIamPolicies"));
    QVERIFY(load);
    QVERIFY(window.menuBar()->actions().front()->menu()->actions().contains(load));
}

void TestIamMap::cellShowsAllowedAndDeniedCounts()
{
    // 326 allowed uses and 2 attempts a Deny stopped, in one cell: both numbers show, and
    // the tooltip names the statement that decided each.
    IamMapData map;
    map.hasPolicies = true;
    map.agents = {IamAgentInfo{QStringLiteral("brain"), QStringLiteral("brain-role"), QStringLiteral("orchestrator"), 400}};
    IamMapRow used;
    used.agent = QStringLiteral("brain");
    used.action = QStringLiteral("bedrock:InvokeModel");
    used.resource = QStringLiteral("foundation-model/anthropic.claude-sonnet*");
    used.state = IamCellState::AllowedUsed;
    used.statementLabel = QStringLiteral("brain-role Statement[0]");
    used.observed = 326;
    IamMapRow deny = used;
    deny.resource = QStringLiteral("foundation-model/anthropic.claude-3-5-haiku*");
    deny.state = IamCellState::ExplicitDeny;
    deny.statementLabel = QStringLiteral("brain-role Statement[3], Sid NoCheapModels");
    deny.observed = 2;
    IamMapRow attempt = deny;
    attempt.fromPolicy = false;
    map.rows = {used, deny, attempt};
    PermissionMapModel model;
    model.setMap(map);
    const QModelIndex cell = model.indexOf(QStringLiteral("brain"), QStringLiteral("bedrock:InvokeModel"));
    QVERIFY(cell.isValid());
    QCOMPARE(cell.data(PermissionMapModel::StateRole).toInt(), int(IamCellState::ExplicitDeny));
    QCOMPARE(cell.data(Qt::DisplayRole).toString(), QStringLiteral("D 2 · ✓ 326"));
    const QString tip = cell.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("326 allowed, decided by brain-role Statement[0]")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("denied, decided by brain-role Statement[3], Sid NoCheapModels")), qPrintable(tip));
    // A cell of one state keeps its single number.
    map.rows = {used};
    model.setMap(map);
    QCOMPARE(model.indexOf(QStringLiteral("brain"), QStringLiteral("bedrock:InvokeModel")).data().toString(),
             QStringLiteral("✓ 326"));
}

void TestIamMap::opensAtTheFirstColumn()
{
    // The view is laid out before its first map arrives, narrow enough that the most telling
    // cell lies beyond the grid's right edge: the detail pane shows that cell, and the grid
    // stays at its first column.
    Fixture fx;
    EngineBridge::EngineOptions options;
    options.policiesJson = kPolicies;
    QString error;
    QVERIFY2(fx.bridge->loadEngine(options, &error), qPrintable(error));
    IamMapView view(*fx.bridge);
    view.resize(560, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto* grid = view.findChild<QTableView*>(QStringLiteral("iamGrid"));
    QVERIFY(grid);
    QSignalSpy shown(&view, &IamMapView::mapShown);
    QVERIFY(fx.open());
    QVERIFY(shown.wait(20000));
    QTRY_VERIFY_WITH_TIMEOUT(grid->currentIndex().isValid(), 5000);
    // On the empty store the most telling cell is planner's unused Deny of s3:DeleteObject,
    // in the last service's columns.
    QCOMPARE(view.model()->columnAt(grid->currentIndex().column())->action, QStringLiteral("s3:DeleteObject"));
    QTRY_VERIFY_WITH_TIMEOUT(grid->horizontalScrollBar()->maximum() > 0, 5000);
    QCOMPARE(grid->horizontalScrollBar()->value(), 0);
}

QTEST_MAIN(TestIamMap)
#include "tst_iammap.moc"
