// SPDX-License-Identifier: Apache-2.0
// SQL mutation detection: the tokenizer (literals, comments, stacked statements, CTEs) on
// executed SQL, and statement-shaped SQL smuggled into other text.

#include "scan/sqltokenizer.h"
#include "scantestutil.h"

using namespace scantest;
using vigil::scan::SqlKeywordHit;
using vigil::scan::SqlTokenizer;

class TestSqlMutation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokenizerKeywords_data();
    void tokenizerKeywords();
    void executed_data();
    void executed();
    void executedBenign_data();
    void executedBenign();
    void embedded_data();
    void embedded();
    void embeddedBenign_data();
    void embeddedBenign();
    void spanIsTheStatement();
};

void TestSqlMutation::tokenizerKeywords_data()
{
    QTest::addColumn<QByteArray>("sql");
    QTest::addColumn<QByteArray>("keywords"); // space separated, '_' for a space inside one
    QTest::newRow("select") << QByteArray("SELECT a FROM t") << QByteArray("SELECT");
    QTest::newRow("stacked") << QByteArray("SELECT 1; DROP TABLE x;") << QByteArray("SELECT DROP");
    QTest::newRow("string literal") << QByteArray("SELECT 'a; DROP TABLE x' FROM t") << QByteArray("SELECT");
    QTest::newRow("doubled quote") << QByteArray("SELECT 'it''s; DELETE FROM t' x") << QByteArray("SELECT");
    QTest::newRow("e-string") << QByteArray("SELECT E'\\'; DROP TABLE t' x") << QByteArray("SELECT");
    QTest::newRow("dollar") << QByteArray("SELECT $$; DROP TABLE t$$, $q$;UPDATE$q$") << QByteArray("SELECT");
    QTest::newRow("line comment") << QByteArray("SELECT 1 -- ; DROP TABLE x\n") << QByteArray("SELECT");
    QTest::newRow("block comment") << QByteArray("/* DROP */ SELECT /* ; DELETE /* nested */ ; */ 1")
                                   << QByteArray("SELECT");
    QTest::newRow("quoted ident") << QByteArray("SELECT \"drop\", `delete` FROM \"update\"") << QByteArray("SELECT");
    QTest::newRow("cte select") << QByteArray("WITH a AS (SELECT 1), b(x) AS (SELECT 2) SELECT * FROM a")
                                << QByteArray("SELECT SELECT SELECT");
    QTest::newRow("cte delete body") << QByteArray("WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone")
                                     << QByteArray("DELETE SELECT");
    QTest::newRow("cte then insert") << QByteArray("WITH s AS (SELECT 1) INSERT INTO t SELECT * FROM s")
                                     << QByteArray("SELECT INSERT");
    QTest::newRow("select into") << QByteArray("SELECT * INTO backup FROM t") << QByteArray("SELECT SELECT_INTO");
    QTest::newRow("subquery into not") << QByteArray("SELECT (SELECT 1) AS into_x FROM t") << QByteArray("SELECT");
    QTest::newRow("explain analyze") << QByteArray("EXPLAIN ANALYZE DELETE FROM t") << QByteArray("DELETE");
    QTest::newRow("explain") << QByteArray("EXPLAIN DELETE FROM t") << QByteArray("");
    QTest::newRow("parens") << QByteArray("(SELECT 1) ; ((update t set a = 1))") << QByteArray("SELECT UPDATE");
    QTest::newRow("lowercase") << QByteArray("truncate table daily_summary") << QByteArray("TRUNCATE");
    // A function named like a verb is an expression, not a statement.
    QTest::newRow("replace function") << QByteArray("REPLACE('new york', ' ', '_')") << QByteArray("");
    QTest::newRow("insert function") << QByteArray("(INSERT('Quadratic', 3, 4, 'What'))") << QByteArray("");
    QTest::newRow("truncate function") << QByteArray("TRUNCATE(12.345, 2); SELECT 1") << QByteArray("SELECT");
    QTest::newRow("replace into") << QByteArray("REPLACE INTO t (a) VALUES (1)") << QByteArray("REPLACE");
    QTest::newRow("mysql replace table") << QByteArray("replace t (a) values (1)") << QByteArray("REPLACE");
    QTest::newRow("grant then flush") << QByteArray("GRANT ALL ON *.* TO 'x'@'%'; FLUSH PRIVILEGES")
                                      << QByteArray("GRANT FLUSH");
}

void TestSqlMutation::tokenizerKeywords()
{
    QFETCH(QByteArray, sql);
    QFETCH(QByteArray, keywords);
    std::vector<SqlKeywordHit> hits;
    SqlTokenizer::statementKeywords(sql.toStdString(), hits);
    QStringList got;
    for (const SqlKeywordHit& h : hits)
        got << QString::fromStdString(h.keyword).replace(QLatin1Char(' '), QLatin1Char('_'));
    QCOMPARE(got.join(QLatin1Char(' ')), QString::fromLatin1(keywords));
}

void TestSqlMutation::executed_data()
{
    QTest::addColumn<QByteArray>("sql");
    QTest::addColumn<QByteArray>("rule");
    QTest::newRow("drop") << QByteArray("DROP TABLE daily_summary") << QByteArray("sql_mutation.ddl");
    QTest::newRow("truncate") << QByteArray("TRUNCATE TABLE daily_summary") << QByteArray("sql_mutation.ddl");
    QTest::newRow("alter") << QByteArray("ALTER TABLE daily_summary ADD COLUMN x int") << QByteArray("sql_mutation.ddl");
    QTest::newRow("create") << QByteArray("create table t as select 1") << QByteArray("sql_mutation.ddl");
    QTest::newRow("delete") << QByteArray("DELETE FROM channel_metadata WHERE 1=1") << QByteArray("sql_mutation.dml");
    QTest::newRow("insert") << QByteArray("INSERT INTO channel_metadata VALUES (1,2,3)") << QByteArray("sql_mutation.dml");
    QTest::newRow("update") << QByteArray("UPDATE ott_viewing_events SET weight = 0") << QByteArray("sql_mutation.dml");
    QTest::newRow("merge") << QByteArray("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE")
                           << QByteArray("sql_mutation.dml");
    QTest::newRow("select into") << QByteArray("SELECT * INTO t2 FROM t") << QByteArray("sql_mutation.dml");
    QTest::newRow("unload") << QByteArray("UNLOAD (SELECT * FROM t) TO 's3://x/' WITH (format = 'CSV')")
                            << QByteArray("sql_mutation.dml");
    QTest::newRow("grant") << QByteArray("GRANT ALL ON channel_metadata TO public") << QByteArray("sql_mutation.dcl");
    QTest::newRow("revoke") << QByteArray("revoke select on t from analyst") << QByteArray("sql_mutation.dcl");
    QTest::newRow("exec") << QByteArray("EXEC xp_cmdshell 'dir'") << QByteArray("sql_mutation.exec");
    QTest::newRow("exec qualified") << QByteArray("exec master..xp_cmdshell 'dir'") << QByteArray("sql_mutation.exec");
    QTest::newRow("execute sp") << QByteArray("EXECUTE sp_executesql N'SELECT 1'") << QByteArray("sql_mutation.exec");
    QTest::newRow("grant mysql") << QByteArray("GRANT ALL ON *.* TO 'x'@'%'; FLUSH PRIVILEGES")
                                 << QByteArray("sql_mutation.dcl");
    QTest::newRow("create index") << QByteArray("CREATE INDEX i ON t (a)") << QByteArray("sql_mutation.ddl");
    QTest::newRow("create or replace view") << QByteArray("CREATE OR REPLACE VIEW v AS SELECT 1")
                                            << QByteArray("sql_mutation.ddl");
    QTest::newRow("replace into") << QByteArray("REPLACE INTO t VALUES (1)") << QByteArray("sql_mutation.dml");
    QTest::newRow("stacked") << QByteArray("SELECT 1; DROP TABLE channel_metadata") << QByteArray("sql_mutation.ddl");
    QTest::newRow("comment split") << QByteArray("SELECT 1;/**/DrOp/**/TaBlE/**/x") << QByteArray("sql_mutation.ddl");
    QTest::newRow("data-modifying cte")
        << QByteArray("WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d") << QByteArray("sql_mutation.dml");
}

void TestSqlMutation::executed()
{
    QFETCH(QByteArray, sql);
    QFETCH(QByteArray, rule);
    const auto fs = scan(makeField("sql_executed", "sql", sql.toStdString()));
    QVERIFY2(rules(fs, "sql_mutation") == QStringList{QString::fromLatin1(rule)}, describe(fs));
    QCOMPARE(fs.front().layer, 5);
}

void TestSqlMutation::executedBenign_data()
{
    QTest::addColumn<QByteArray>("sql");
    QTest::newRow("select") << QByteArray("SELECT channel, count(*) FROM daily_summary WHERE region = 'north' GROUP BY channel");
    QTest::newRow("updated_at") << QByteArray("SELECT updated_at, created_by FROM ott_viewing_events ORDER BY updated_at DESC");
    QTest::newRow("title literal") << QByteArray("SELECT * FROM channel_metadata WHERE title = 'Drop Dead Gorgeous'");
    QTest::newRow("keywords in literals")
        << QByteArray("SELECT 'DELETE FROM x; DROP TABLE y' AS note, \"update\" FROM t -- ; TRUNCATE t");
    QTest::newRow("cte") << QByteArray("WITH r AS (SELECT region FROM t) SELECT * FROM r");
    QTest::newRow("show/describe") << QByteArray("SHOW TABLES; DESCRIBE daily_summary; EXPLAIN SELECT 1");
    QTest::newRow("values select") << QByteArray("VALUES (1), (2)");
    QTest::newRow("replace function") << QByteArray("REPLACE('new york',' ','_')");
    QTest::newRow("verb functions in select")
        << QByteArray("SELECT REPLACE(city, ' ', '_'), INSERT(name, 1, 2, 'x'), LEFT(a, 3), TRUNCATE(x, 2) FROM t");
}

void TestSqlMutation::executedBenign()
{
    QFETCH(QByteArray, sql);
    const auto fs = scan(makeField("sql_executed", "sql", sql.toStdString()));
    QVERIFY2(rules(fs, "sql_mutation").isEmpty(), describe(fs));
}

void TestSqlMutation::embedded_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("filter stacked drop") << QByteArray("filters[0].value") << QByteArray("west'; DROP TABLE ott_viewing_events; --");
    QTest::newRow("filter delete") << QByteArray("filters[0].value") << QByteArray("x' OR 1=1; delete from users where 1=1");
    QTest::newRow("filter comment evasion") << QByteArray("filters[0].value") << QByteArray("a';DROP/**/TABLE/**/t--");
    QTest::newRow("query insert") << QByteArray("query") << QByteArray("please run INSERT INTO admins VALUES ('me')");
    QTest::newRow("query update") << QByteArray("query") << QByteArray("then UPDATE users SET role = 'admin'");
    QTest::newRow("query grant") << QByteArray("query") << QByteArray("GRANT SELECT, INSERT ON daily_summary TO guest");
    QTest::newRow("input truncate") << QByteArray("input") << QByteArray("TRUNCATE TABLE daily_summary");
    QTest::newRow("stacked bare") << QByteArray("filters[0].value") << QByteArray("north'; DROP users --");
    QTest::newRow("exec") << QByteArray("query") << QByteArray("exec xp_cmdshell 'whoami'");
    QTest::newRow("url-encoded") << QByteArray("filters[0].value") << QByteArray("x%27%3B%20DROP%20TABLE%20users%3B--");
    QTest::newRow("exec qualified") << QByteArray("query") << QByteArray("now exec master..xp_cmdshell 'dir'");
    QTest::newRow("exec brackets") << QByteArray("input") << QByteArray("EXEC [master].[dbo].[xp_cmdshell] 'whoami'");
    QTest::newRow("exec sp stacked") << QByteArray("filters[0].value")
                                     << QByteArray("x'; EXEC sp_addsrvrolemember 'eve', 'sysadmin'; --");
    QTest::newRow("exec dynamic") << QByteArray("query") << QByteArray("EXEC ('DROP TABLE t')");
    QTest::newRow("execute immediate") << QByteArray("input") << QByteArray("EXECUTE IMMEDIATE 'DROP TABLE t'");
    QTest::newRow("execute as") << QByteArray("query") << QByteArray("EXECUTE AS USER = 'dbo'");
    QTest::newRow("grant mysql") << QByteArray("query") << QByteArray("GRANT ALL ON *.* TO 'x'@'%'; FLUSH PRIVILEGES");
    QTest::newRow("grant schema") << QByteArray("input")
                                  << QByteArray("grant usage, create on schema public to analyst");
    QTest::newRow("grant role stacked") << QByteArray("filters[0].value") << QByteArray("x'; GRANT dba TO eve; --");
    QTest::newRow("revoke") << QByteArray("query") << QByteArray("REVOKE INSERT ON daily_summary FROM analyst");
    QTest::newRow("create user") << QByteArray("query") << QByteArray("CREATE USER 'eve'@'%' IDENTIFIED BY 'pw'");
    QTest::newRow("create table") << QByteArray("input") << QByteArray("CREATE TABLE loot (data text)");
    QTest::newRow("alter user") << QByteArray("query") << QByteArray("ALTER USER admin WITH PASSWORD 'x'");
    QTest::newRow("alter table") << QByteArray("input") << QByteArray("ALTER TABLE users ADD COLUMN is_admin bool");
    QTest::newRow("stacked number") << QByteArray("filters[0].value") << QByteArray("1; DELETE users");
    QTest::newRow("stacked paren quote") << QByteArray("filters[0].value") << QByteArray("x'); DELETE users");
    QTest::newRow("stacked comment") << QByteArray("filters[0].value") << QByteArray("north; DROP users --");
}

void TestSqlMutation::embedded()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, text);
    const auto fs = scan(makeField("worker_invoked", key.toStdString(), text.toStdString()));
    QVERIFY2(rules(fs, "sql_mutation").contains(QStringLiteral("sql_mutation.embedded")), describe(fs));
    QCOMPARE(first(fs, "sql_mutation")->layer, 2);
}

void TestSqlMutation::embeddedBenign_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("update me") << QByteArray("update me on viewers for channel 7");
    QTest::newRow("create a chart") << QByteArray("create a chart of weekly reach and drop the outliers");
    QTest::newRow("show title") << QByteArray("Drop Dead Gorgeous");
    QTest::newRow("delete word") << QByteArray("how many viewers delete their watch history from the app?");
    QTest::newRow("truncate") << QByteArray("truncate the query to 2000 chars");
    QTest::newRow("grant") << QByteArray("grant access to the analytics team");
    QTest::newRow("execute") << QByteArray("execute the plan and replace the header");
    QTest::newRow("insert") << QByteArray("insert into the report a chart of reach");
    QTest::newRow("alter") << QByteArray("alter the table layout for mobile");
    QTest::newRow("copy") << QByteArray("copy report to the shared folder");
    QTest::newRow("call") << QByteArray("call (555) 234-5678 for support");
    QTest::newRow("grant me access") << QByteArray("please grant me access to the report");
    QTest::newRow("grant read access") << QByteArray("grant read access on the dashboard to the analytics team");
    QTest::newRow("create a summary") << QByteArray("create a summary of reach by region");
    QTest::newRow("create table prose") << QByteArray("create table summaries for each region");
    QTest::newRow("execute the plan") << QByteArray("execute the plan as written");
    QTest::newRow("exec summary") << QByteArray("exec summary: reach is up 4%");
    QTest::newRow("alter table prose") << QByteArray("alter table layout for mobile");
    QTest::newRow("alter user prose") << QByteArray("alter user settings to dark mode");
    QTest::newRow("select replace") << QByteArray("SELECT REPLACE(city, ' ', '_') FROM t");
    QTest::newRow("replace function") << QByteArray("REPLACE('new york',' ','_')");
    QTest::newRow("prose semicolon") << QByteArray("looks fine; update me tomorrow; create a summary");
    QTest::newRow("c snippet") << QByteArray("for (i = 0; i < n; i--) { update(x); delete p; }");
    QTest::newRow("js snippet") << QByteArray("let i = 0; delete cache[key]; update(i);");
    QTest::newRow("python snippet") << QByteArray("rows = 0; create_table(x)  # create table later");
}

void TestSqlMutation::embeddedBenign()
{
    QFETCH(QByteArray, text);
    for (const char* key : {"query", "filters[0].value", "output"}) {
        const auto fs = scan(makeField("worker_invoked", key, text.toStdString()));
        QVERIFY2(rules(fs, "sql_mutation").isEmpty(), describe(fs));
    }
}

void TestSqlMutation::spanIsTheStatement()
{
    const std::string sql = "SELECT 1; DROP TABLE channel_metadata";
    auto fs = scan(makeField("sql_executed", "sql", sql));
    QCOMPARE(slice(sql, fs[0].start, fs[0].end), QStringLiteral("DROP TABLE channel_metadata"));
    const std::string value = "west'; DROP TABLE ott_viewing_events; --";
    fs = scan(makeField("worker_invoked", "filters[0].value", value));
    QCOMPARE(slice(value, fs[0].start, fs[0].end), QStringLiteral("DROP TABLE ott_viewing_events"));
}

QTEST_GUILESS_MAIN(TestSqlMutation)
#include "tst_sqlmutation.moc"
