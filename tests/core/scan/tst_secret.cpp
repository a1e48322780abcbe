// SPDX-License-Identifier: Apache-2.0
// Secret detection: provider token formats, JWT, PEM, connection strings and generic
// assignments, each gated against placeholders and ordinary words.

#include "scantestutil.h"

using namespace scantest;

class TestSecret : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void positives_data();
    void positives();
    void negatives_data();
    void negatives();
    void genericDefersToProvider();
    void evasions();
    void layerSeverityAndMessage();
};

void TestSecret::positives_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QByteArray>("match");

    QTest::newRow("openai legacy") << QByteArray("failed with key sk-QijLtCW3eiznLOUp4woLtNrL3zkfqvPINCgVzPZdtQ2tLHCF")
                                   << QByteArray("secret.openai_key")
                                   << QByteArray("sk-QijLtCW3eiznLOUp4woLtNrL3zkfqvPINCgVzPZdtQ2tLHCF");
    QTest::newRow("openai project")
        << QByteArray("env: TOKEN=sk-proj-7X47A72HYT9RDq1wgeRDfU1tbvdl4j1gOKgCZQMUMvHnKaakQmuIFQPs REGION=x")
        << QByteArray("secret.openai_key")
        << QByteArray("sk-proj-7X47A72HYT9RDq1wgeRDfU1tbvdl4j1gOKgCZQMUMvHnKaakQmuIFQPs");
    QTest::newRow("anthropic")
        << QByteArray("key sk-ant-api03-Zq8vB2xR7mK1pL9wN4cT6yH3jF5dS0aG-Xe2Qr7Ub9Io1Kp3Lm5Nn7Ww8Yy9Tt0AA")
        << QByteArray("secret.anthropic_key")
        << QByteArray("sk-ant-api03-Zq8vB2xR7mK1pL9wN4cT6yH3jF5dS0aG-Xe2Qr7Ub9Io1Kp3Lm5Nn7Ww8Yy9Tt0AA");
    QTest::newRow("aws akia") << QByteArray("config loaded: AKIA3R645FVGTOCPHNLZ done") << QByteArray("secret.aws_access_key")
                              << QByteArray("AKIA3R645FVGTOCPHNLZ");
    QTest::newRow("aws asia") << QByteArray("ASIAY34FZKBOKMUTVV7A") << QByteArray("secret.aws_access_key")
                              << QByteArray("ASIAY34FZKBOKMUTVV7A");
    QTest::newRow("github classic") << QByteArray("with key ghp_3IU6kFhiQMZAiRWQiY3ZhhidRFLwekZI5nNh")
                                    << QByteArray("secret.github_token")
                                    << QByteArray("ghp_3IU6kFhiQMZAiRWQiY3ZhhidRFLwekZI5nNh");
    QTest::newRow("github server") << QByteArray("ghs_16C7e42F292c6912E7710c838347Ae178B4a x")
                                   << QByteArray("secret.github_token")
                                   << QByteArray("ghs_16C7e42F292c6912E7710c838347Ae178B4a");
    QTest::newRow("github fine-grained")
        << QByteArray("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")
        << QByteArray("secret.github_token")
        << QByteArray("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");
    QTest::newRow("slack bot") << QByteArray("Bearer xoxb-88136243652-342578418437-BSzznlGnXwcQnDD1yUKzI97o")
                               << QByteArray("secret.slack_token")
                               << QByteArray("xoxb-88136243652-342578418437-BSzznlGnXwcQnDD1yUKzI97o");
    QTest::newRow("slack user") << QByteArray("xoxp-2413851230-9173648201-7364819203-4f8a9c2e1b7d6a3f5e0c9b8a7d6e5f4a")
                                << QByteArray("secret.slack_token")
                                << QByteArray("xoxp-2413851230-9173648201-7364819203-4f8a9c2e1b7d6a3f5e0c9b8a7d6e5f4a");
    QTest::newRow("slack webhook")
        << QByteArray("post to https://hooks.slack.com/services/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 ok")
        << QByteArray("secret.slack_webhook")
        << QByteArray("https://hooks.slack.com/services/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");
    QTest::newRow("google") << QByteArray("maps key=AIzaSyD3x9K2mL7pQ4rT8vW1yZ5bC6nF0hJ3kLm")
                            << QByteArray("secret.google_api_key") << QByteArray("AIzaSyD3x9K2mL7pQ4rT8vW1yZ5bC6nF0hJ3kLm");
    QTest::newRow("stripe") << QByteArray("sk_live_51DxtpYlSXpfKtHF4vUCsMehGAkWvj7F")
                            << QByteArray("secret.stripe_key") << QByteArray("sk_live_51DxtpYlSXpfKtHF4vUCsMehGAkWvj7F");
    QTest::newRow("jwt")
        << QByteArray("auth eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
                      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c end")
        << QByteArray("secret.jwt")
        << QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
                      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    QTest::newRow("pem without end")
        << QByteArray("config loaded: api_key=-----BEGIN RSA PRIVATE KEY-----\nMIIEow4NGCqALfzeQrnemTb8smT46t8uBkZXfQOzgxUWLs")
        << QByteArray("secret.private_key")
        << QByteArray("-----BEGIN RSA PRIVATE KEY-----\nMIIEow4NGCqALfzeQrnemTb8smT46t8uBkZXfQOzgxUWLs");
    QTest::newRow("pem with end")
        << QByteArray("k=-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY----- x")
        << QByteArray("secret.private_key")
        << QByteArray("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----");
    QTest::newRow("basic auth") << QByteArray("Authorization: Basic YWRtaW46UzNjcjN0UGFzcyE=")
                                << QByteArray("secret.basic_auth") << QByteArray("YWRtaW46UzNjcjN0UGFzcyE=");
    QTest::newRow("connection string") << QByteArray("dsn postgres://etl:Xq9v!2LmPz@db.internal:5432/ott")
                                       << QByteArray("secret.connection_string") << QByteArray("Xq9v!2LmPz");
    QTest::newRow("password assignment") << QByteArray("password=Tr0ub4dor&3x") << QByteArray("secret.generic_assignment")
                                         << QByteArray("Tr0ub4dor");
    QTest::newRow("api_key json") << QByteArray("{\"api_key\": \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"}")
                                  << QByteArray("secret.generic_assignment")
                                  << QByteArray("9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    QTest::newRow("client_secret yaml") << QByteArray("client_secret: N7dK2pQ9xL4mR8vT1wZ6")
                                        << QByteArray("secret.generic_assignment") << QByteArray("N7dK2pQ9xL4mR8vT1wZ6");
    QTest::newRow("bearer opaque") << QByteArray("Authorization: Bearer 7fK2pQ9xL4mR8vT1wZ6aB3cD5eF")
                                   << QByteArray("secret.bearer_token") << QByteArray("7fK2pQ9xL4mR8vT1wZ6aB3cD5eF");
}

void TestSecret::positives()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, rule);
    QFETCH(QByteArray, match);
    for (const char* key : {"stack_trace", "plan", "output"}) {
        const std::string value = text.toStdString();
        const auto fs = scan(makeField("error_occurred", key, value));
        QVERIFY2(rules(fs, "secret") == QStringList{QString::fromLatin1(rule)}, describe(fs));
        QCOMPARE(slice(value, fs.front().start, fs.front().end), QString::fromUtf8(match));
    }
}

void TestSecret::negatives_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("sk-learn") << QByteArray("we use sk-learn and scikit-learn-contrib-extensions for models");
    QTest::newRow("sk slug") << QByteArray("see sk-2024-annual-report-final-v2 and sk-ops_team_q3_budget_2025");
    QTest::newRow("task-force") << QByteArray("task-force sync at 10:00; risk-averse plan; desk-booking-system-v2");
    QTest::newRow("seed placeholder") << QByteArray("api_key = \"sk-1234...\"  # Hardcoded");
    QTest::newRow("sk sequential") << QByteArray("sk-1234567890abcdef1234567890abcdef");
    QTest::newRow("sk x") << QByteArray("sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    QTest::newRow("sk your key") << QByteArray("OPENAI_API_KEY=sk-your-key-goes-here-please-replace");
    QTest::newRow("redacted") << QByteArray("token=REDACTED and password: [REDACTED] key=***redacted***");
    QTest::newRow("env reference") << QByteArray("api_key = os.environ[\"API_KEY\"]; secret=get_secret(\"x\")");
    QTest::newRow("template") << QByteArray("API_KEY=${API_KEY} token=<your-token> secret={{ vault.secret }}");
    QTest::newRow("changeme") << QByteArray("password=changeme123 password: hunter2");
    QTest::newRow("prefix talk") << QByteArray("ghp_ tokens are rotated every 90 days; AKIA prefix means long-term");
    QTest::newRow("aws example") << QByteArray("AKIAIOSFODNN7EXAMPLE is the documented sample");
    QTest::newRow("aws repeated") << QByteArray("AKIAAAAAAAAAAAAAAAAA");
    QTest::newRow("slack placeholder") << QByteArray("xoxb-your-bot-token-here and xoxb-00000000000-000000000000-xxxx");
    QTest::newRow("pem header only") << QByteArray("the file must start with -----BEGIN PRIVATE KEY----- ...");
    QTest::newRow("jwt header not json") << QByteArray("eyJub3RqdXN0.eyJzdWIiOiIxIn0.c2lnbmF0dXJl");
    // A header nested 65 deep is past the JSON limits: not parsed, so not a JWT.
    QTest::newRow("jwt header too deep")
        << QByteArray("eyJhbGciOiJIUzI1NiIsIngiOltbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tb"
                      "W1tbW1tbW1tbXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV19"
                      ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    QTest::newRow("url dummy password") << QByteArray("postgres://user:password@localhost/db and mysql://u:${DB_PASS}@h/x");
    QTest::newRow("tokens count") << QByteArray("tokens: 1059, cost 0.0094, token budget=20000");
    QTest::newRow("plain words") << QByteArray("password reset requested; secret: none; token: refreshing");
    QTest::newRow("basic english") << QByteArray("basic understanding of the viewers");
    QTest::newRow("hash") << QByteArray("input_hash 008a05a6c4647159 output 38c0c8fd8712b8bc");
}

void TestSecret::negatives()
{
    QFETCH(QByteArray, text);
    const auto fs = scan(makeField("worker_result", "output", text.toStdString()));
    QVERIFY2(rules(fs, "secret").isEmpty(), describe(fs));
}

void TestSecret::genericDefersToProvider()
{
    // `api_key=` and `Bearer` generic rules step back when a provider rule names the token.
    auto fs = scan(makeField("error_occurred", "stack_trace", "config loaded: api_key=AKIA3R645FVGTOCPHNLZ"));
    QCOMPARE(rules(fs, "secret"), QStringList{QStringLiteral("secret.aws_access_key")});
    fs = scan(makeField("error_occurred", "stack_trace",
                        "Authorization: Bearer xoxb-64100582052-000430479759-FMLWtvFyXJXM6dYcWnl3FPOG"));
    QCOMPARE(rules(fs, "secret"), QStringList{QStringLiteral("secret.slack_token")});
}

void TestSecret::evasions()
{
    // Zero-width characters inside a token do not hide it; the span covers the original.
    const std::string v = "key ghp_3IU6kFhiQMZAi\xE2\x80\x8BRWQiY3ZhhidRFLwekZI5nNh end";
    const auto fs = scan(makeField("worker_result", "output", v));
    QCOMPARE(rules(fs, "secret"), QStringList{QStringLiteral("secret.github_token")});
    QCOMPARE(slice(v, fs[0].start, fs[0].end),
             QString::fromUtf8("ghp_3IU6kFhiQMZAi\xE2\x80\x8BRWQiY3ZhhidRFLwekZI5nNh"));
    // Fullwidth letters fold to ASCII (NFKC).
    const std::string w = "key \xEF\xBC\xA1KIA3R645FVGTOCPHNLZ";
    QCOMPARE(rules(scan(makeField("worker_result", "output", w)), "secret"),
             QStringList{QStringLiteral("secret.aws_access_key")});
}

void TestSecret::layerSeverityAndMessage()
{
    const auto fs = scan(makeField("brain_plan_created", "plan", "key sk-QijLtCW3eiznLOUp4woLtNrL3zkfqvPINCgVzPZdtQ2tLHCF"));
    QCOMPARE(fs.size(), std::size_t(1));
    QCOMPARE(fs[0].layer, 6);
    QCOMPARE(int(fs[0].severity), int(vigil::FindingSeverity::Critical));
    QCOMPARE(fs[0].message, std::string("OpenAI API key in agent plan"));
    QVERIFY(fs[0].message.find("sk-") == std::string::npos);
}

QTEST_GUILESS_MAIN(TestSecret)
#include "tst_secret.moc"
