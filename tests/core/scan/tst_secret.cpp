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
    void providers_data();
    void providers();
    void connectionStrings_data();
    void connectionStrings();
    void allowlist_data();
    void allowlist();
    void userAllowlist();
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
    QTest::newRow("uuid") << QByteArray("request 3f2b8c4e-9d1a-4e7b-8c2f-5a6d7e8f9a0b done, session=7c9e6679-7425-40de-944b-e07fc1f90ae7");
    QTest::newRow("git sha") << QByteArray("merged 9fceb02d0ae598e95dc970b74767f19372d61af8 into main (commit=1b2e4f6a8c0d2e4f6a8c0d2e4f6a8c0d2e4f6a8c)");
    QTest::newRow("base64 image")
        << QByteArray("chart: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    QTest::newRow("hash fields")
        << QByteArray("{\"output_hash\": \"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\", "
                      "\"password_hash\": \"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW\", \"token_hash\": \"9a0364b9e99bb480dd25e1f0284c8555\"}");
    QTest::newRow("url without password") << QByteArray("fetched https://api.example.com/v1/items?page=2&token_type=bearer from https://user@example.com/x");
    QTest::newRow("postgres without password") << QByteArray("DATABASE_URL=postgres://user@host/db and postgresql://etl@db.internal:5432/ott");
    QTest::newRow("empty password") << QByteArray("password= ; Password=; password: \"\" Server=db;Database=app;User Id=sa;Password=;");
    QTest::newRow("key names") << QByteArray("api_key_name=prod-openai-key-2024 secret_name: db-creds-v2 kms_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab");
    QTest::newRow("public key") << QByteArray("public_key: AAAAC3NzaC1lZDI1NTE5AAAAIGq3vX7k9pQ2mRzT8wYbN4cL6fH1jD5sE0aU3iO7xKlP");
    QTest::newRow("xml closing") << QByteArray("DATABASE_URL=postgres://user:<password>@localhost:5432/app");
    QTest::newRow("file name") << QByteArray("loaded /static/video_box.ico-7a388b69018576d24b59331fd60aab0c.png");
}

void TestSecret::negatives()
{
    QFETCH(QByteArray, text);
    const auto fs = scan(makeField("worker_result", "output", text.toStdString()));
    QVERIFY2(rules(fs, "secret").isEmpty(), describe(fs));
}

void TestSecret::providers_data()
{
    // One random key of each provider family ported from gitleaks' rule set, in the kind of
    // text an agent logs. None of these is a live credential.
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("rule");
    QTest::newRow("huggingface") << QByteArray("login with 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 now")
                          << QByteArray("secret.huggingface_token");
    QTest::newRow("replicate") << QByteArray("REPLICATE_API_TOKEN set: r8_mGVYFDyYBkuH6XPvYd1LNH3UTEMB1ytLlS5Dy")
                          << QByteArray("secret.replicate_token");
    QTest::newRow("perplexity") << QByteArray("using 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")
                          << QByteArray("secret.perplexity_key");
    QTest::newRow("groq") << QByteArray("client = Groq(api=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)")
                          << QByteArray("secret.groq_key");
    QTest::newRow("aws bedrock") << QByteArray("header ABSKi7QGxUYF8HfYuTmnnoKFq0WDZsjZJPBSmUAUqDZ5gea1lvhUAekMsNVNgNKYsPffS/g7P6MPqRFvZpredHWoVDcXojsUPCcpvzySugTiIjF1vCXhdEyoeXYg==")
                          << QByteArray("secret.aws_bedrock_key");
    QTest::newRow("azure ad") << QByteArray("client secret j1T8Q~42T.50y~frSclnR5xbOqQq28_.tz0e.MQx for app")
                          << QByteArray("secret.azure_ad_client_secret");
    QTest::newRow("digitalocean") << QByteArray("token dop_v1_da18b3e70ff46cfa21db7729d673c85b5ae6bf8fc1ca58951d5e35e31822b8c2")
                          << QByteArray("secret.digitalocean_token");
    QTest::newRow("gitlab pat") << QByteArray("git push https://ci@gitlab.com with glpat-EQRVMc1bW3nF5sJMw2l6")
                          << QByteArray("secret.gitlab_token");
    QTest::newRow("gitlab deploy") << QByteArray("deploy token gldt-wz7jLmr9FmD2cXJDtnSH expires")
                          << QByteArray("secret.gitlab_token");
    QTest::newRow("gitlab runner") << QByteArray("runner registered: glrt-NpTUffHc5HpSvwUmj9XP")
                          << QByteArray("secret.gitlab_token");
    QTest::newRow("npm") << QByteArray("//registry.npmjs.org/:_authToken npm_F86bnKmpevuXQ6Yz7dAUapO3mA2BRuHW7Azn")
                          << QByteArray("secret.npm_token");
    QTest::newRow("pypi") << QByteArray("twine upload -p pypi-AgEIcHlwaS5vcmcAoYAMXM97ViHqg1d7RflnxqZHFXl8j9zfopiCleDeo6WuqFz0VhA0VobFbHk")
                          << QByteArray("secret.pypi_token");
    QTest::newRow("vault") << QByteArray("VAULT_TOKEN is hvs.Ogr7Q2FpyWBQaFfuExvFp6J1zDDeeh4i5tavRqGHKnsV1cfg1bmYxinVyhQrxUqmmEasxaBg3G4vMtik7hzDwgWVBVfxy3i")
                          << QByteArray("secret.vault_token");
    QTest::newRow("doppler") << QByteArray("doppler run --token dp.pt.b8kW87huNCNv5C687b87tQzS0dVkLZyYKgA8i3IQxmq")
                          << QByteArray("secret.doppler_token");
    QTest::newRow("1password service") << QByteArray("OP_SERVICE_ACCOUNT_TOKEN is ops_eyJ2DgK9mGMTjPyKogLCnKHKqe+fRAGw52qGgOvqWoMNOoL6d3RHAP/qrrksO8ApHzv6HwxWzRyueVlciV2MNkmQBVW4+EOuJchp2Zi0PaTafOBQZ/CBl0lnlmtP7I5FF6X5/JyGUfvriNTmwvbe6+K9Icy0LqLEaPdpfyAV11HU+A4himbktvASTUvASXq38PHow8J33ENQBRQQXHaAMs7WHU8N9Pzyd2FuB2sZrwXSVXl1I+u3JLbsoLDidpenMLnfsefFXrCcrXlyrWfJQRpw2Wm3c29BbF/9jUew5SOy/4N")
                          << QByteArray("secret.onepassword_service_token");
    QTest::newRow("1password secret key") << QByteArray("emergency kit A3-S4OJTA-Y5NV2FDVTHD-SMB5D-KFJDW-1GWT0")
                          << QByteArray("secret.onepassword_secret_key");
    QTest::newRow("telegram") << QByteArray("https://api.telegram.org/bot9965394470:AAqr5n5vPJsiIGC1MY61EfwdbVgk9VowqXu/sendMessage")
                          << QByteArray("secret.telegram_bot_token");
    QTest::newRow("discord webhook") << QByteArray("notify https://discord.com/api/webhooks/821746693608044745/wgQ3WIRlcMdnh8JZ9t6gBgrUeGS_C0PwcHLit07pVeXHGNKBGT_HH5cv4qKUjRjaJ3AQ")
                          << QByteArray("secret.discord_webhook");
    QTest::newRow("stripe test") << QByteArray("stripe.api_key = sk_test_vUkUY1u3sNz7TpqFhjbOuOOU")
                          << QByteArray("secret.stripe_key");
    QTest::newRow("twilio") << QByteArray("twilio key SK3de3a668f43e2066e8cb55767e91e231")
                          << QByteArray("secret.twilio_key");
    QTest::newRow("sendgrid") << QByteArray("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")
                          << QByteArray("secret.sendgrid_key");
    QTest::newRow("shopify") << QByteArray("X-Shopify-Access-Token: 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")
                          << QByteArray("secret.shopify_token");
    QTest::newRow("mailgun") << QByteArray("api:key-3edfb69ebc7235f3b4be05a5a4909cba")
                          << QByteArray("secret.mailgun_key");
    QTest::newRow("sentry") << QByteArray("auth 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")
                          << QByteArray("secret.sentry_token");
    QTest::newRow("grafana") << QByteArray("GRAFANA glsa_90djf2xM4m0zrJ9oBOzrLRA93lpaXgy0_b70f9791")
                          << QByteArray("secret.grafana_token");
    QTest::newRow("databricks") << QByteArray("host token dapi65ccc52a3038bb80a2877d5abb5b959c")
                          << QByteArray("secret.databricks_token");
    QTest::newRow("age") << QByteArray("AGE-SECRET-KEY-1JAEPFMS57GG2FNAF7XN542L6QNTGZ94RHFQZ7ENNGYE24HGM64LYD8WLTV")
                          << QByteArray("secret.age_key");
    QTest::newRow("linear") << QByteArray("lin_api_oNLAf1T3WoRoJG6JjLMjqjiC13caUqSxl92rq4dw")
                          << QByteArray("secret.linear_key");
    QTest::newRow("heroku") << QByteArray("HEROKU_API_KEY=HRKU-AAz-KGgqAi1tpvZpZHed3QfQPt_xUqmFaNcW8DN9tVfE9ZiTg4zJvwlRZAtQ")
                          << QByteArray("secret.heroku_key");
}

void TestSecret::providers()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, rule);
    const std::string value = text.toStdString();
    const auto fs = scan(makeField("worker_result", "output", value));
    QVERIFY2(rules(fs, "secret") == QStringList{QString::fromLatin1(rule)}, describe(fs));
    // The span is the key alone, not the words around it.
    const Finding* f = first(fs, "secret");
    const QString key = slice(value, f->start, f->end);
    QVERIFY2(key.size() >= 16 && !key.contains(QLatin1Char(' ')), key.toUtf8());
}

void TestSecret::connectionStrings_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("password");
    QTest::newRow("postgres") << QByteArray("dsn postgres://etl:Xq9v!2LmPz@db.internal:5432/ott") << QByteArray("Xq9v!2LmPz");
    QTest::newRow("mongodb+srv") << QByteArray("MONGO_URI=mongodb+srv://app:h7Ks92Lqp0Zx@cluster0.x7k2p.mongodb.net/prod?retryWrites=true")
                                 << QByteArray("h7Ks92Lqp0Zx");
    QTest::newRow("mysql") << QByteArray("connect mysql://root:Summer2024!@10.0.3.17:3306/analytics failed") << QByteArray("Summer2024!");
    QTest::newRow("redis no user") << QByteArray("cache at redis://:r3dis-Pa55w0rd@cache:6379/0") << QByteArray("r3dis-Pa55w0rd");
    QTest::newRow("amqp") << QByteArray("broker amqp://svc:Mq8sLx2pQ@mq.local:5672/vhost") << QByteArray("Mq8sLx2pQ");
    QTest::newRow("jdbc") << QByteArray("jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=Jd8cK2mQz1;encrypt=true")
                          << QByteArray("Jd8cK2mQz1");
    QTest::newRow("ado.net") << QByteArray("Server=tcp:db.example.net;Database=app;User Id=svc;Password=AdoN3tPa55!;Encrypt=True")
                             << QByteArray("AdoN3tPa55!");
    QTest::newRow("libpq") << QByteArray("host=db port=5432 dbname=app user=etl password=Lp9qZx2Kv sslmode=require")
                           << QByteArray("Lp9qZx2Kv");
    QTest::newRow("curl -u") << QByteArray("curl -u admin:Cu7lPa55wd https://api.local/v1") << QByteArray("Cu7lPa55wd");
}

void TestSecret::connectionStrings()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, password);
    const std::string value = text.toStdString();
    const auto fs = scan(makeField("error_occurred", "stack_trace", value));
    QVERIFY2(rules(fs, "secret") == QStringList{QStringLiteral("secret.connection_string")}, describe(fs));
    const Finding* f = first(fs, "secret");
    // The password alone: the user, host and database stay readable.
    QCOMPARE(slice(value, f->start, f->end), QString::fromUtf8(password));
}

void TestSecret::allowlist_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("aws access key example") << QByteArray("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE");
    QTest::newRow("aws secret example") << QByteArray("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    QTest::newRow("EXAMPLE suffix") << QByteArray("ASIAY34FZKBOEXAMPLE1 and AKIAI44QH8DHBEXAMPLE");
    QTest::newRow("sk x run") << QByteArray("OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    QTest::newRow("X run") << QByteArray("secret_key = XXXXXXXXXXXXXXXXXXXXXXXX");
    QTest::newRow("star run") << QByteArray("password=**** and password=******** and api_key=***REDACTED***");
    QTest::newRow("zero run") << QByteArray("token=00000000-0000-0000-0000-000000000000");
    QTest::newRow("all same") << QByteArray("api_key=aaaaaaaaaaaaaaaaaaaaaaaa GITHUB_TOKEN=ghp_000000000000000000000000000000000000");
    QTest::newRow("your key here") << QByteArray("api_key: your-api-key-here; OPENAI_API_KEY=your_openai_api_key_here");
    QTest::newRow("angle") << QByteArray("token = \"<API_KEY>\" secret: <your-client-secret>");
    QTest::newRow("dollar brace") << QByteArray("secret=${SECRET} api_key=${{ secrets.OPENAI_API_KEY }}");
    QTest::newRow("double brace") << QByteArray("password: {{ .Values.dbPassword }}");
    QTest::newRow("changeme") << QByteArray("password=changeme admin_password: change-me-now");
    QTest::newRow("password") << QByteArray("client_secret: \"password\" db_password=Password123");
    QTest::newRow("dummy") << QByteArray("api_key=dummy-key-9f8e7d6c");
    QTest::newRow("test") << QByteArray("auth_token=testtoken123 secret: test-secret");
    QTest::newRow("redacted") << QByteArray("token=REDACTED7f3a9c and secret=[REDACTED]");
    QTest::newRow("placeholder provider") << QByteArray("HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx stripe sk_live_xxxxxxxxxxxxxxxxxxxxxxxx");
    QTest::newRow("url password") << QByteArray("DATABASE_URL=postgres://app:password@db:5432/app redis://:changeme@cache:6379");
    QTest::newRow("ado placeholder") << QByteArray("Server=db;Database=app;User Id=sa;Password=<password>;");
    QTest::newRow("jdbc template") << QByteArray("jdbc:mysql://db:3306/app?user=app&password=${DB_PASSWORD}");
    QTest::newRow("ellipsis") << QByteArray("OPENAI_API_KEY=sk-abc123\xE2\x80\xA6 and token=sk-proj-abc123...");
    QTest::newRow("published google key") << QByteArray("maps AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs");
}

void TestSecret::allowlist()
{
    QFETCH(QByteArray, text);
    const std::string value = text.toStdString();
    auto fs = scan(makeField("worker_result", "output", value));
    QVERIFY2(rules(fs, "secret").isEmpty(), describe(fs));
    // A real-looking key beside the placeholder is still found, and only it.
    const std::string real = "ghp_3IU6kFhiQMZAiRWQiY3ZhhidRFLwekZI5nNh";
    const std::string both = value + " ; real: " + real;
    fs = scan(makeField("worker_result", "output", both));
    QVERIFY2(rules(fs, "secret") == QStringList{QStringLiteral("secret.github_token")}, describe(fs));
    QCOMPARE(slice(both, first(fs, "secret")->start, first(fs, "secret")->end), QString::fromStdString(real));
}

void TestSecret::userAllowlist()
{
    // A user pack adds to the allowlist; its errors name the JSON path.
    auto pack = vigil::RulePack::builtin();
    QVERIFY(pack);
    const std::string key = "sk-proj-7X47A72HYT9RDq1wgeRDfU1tbvdl4j1gOKgCZQMUMvHnKaakQmuIFQPs";
    QVERIFY(pack->merge(R"({"allowlist": {"values": ["7X47A72HYT9RDq1wgeRDfU1tbvdl4j1gOKgCZQMUMvHnKaakQmuIFQPs"]}})",
                        "user.json"));
    auto scanner = vigil::Scanner::create(*pack);
    QVERIFY(scanner);
    QVERIFY(rules(scanAsIs(makeField("worker_result", "output", "key " + key), **scanner), "secret").isEmpty());
    QCOMPARE(rules(scan(makeField("worker_result", "output", "key " + key)), "secret"),
             QStringList{QStringLiteral("secret.openai_key")});

    auto bad = vigil::RulePack::builtin();
    auto r = bad->merge(R"({"allowlist": {"stopword": ["x"]}})", "user.json");
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().message), QStringLiteral("user.json: $.allowlist.stopword: unknown key"));
    r = bad->merge(R"({"allowlist": {"repeat_run": 100}})", "user.json");
    QVERIFY(!r);
    QVERIFY(r.error().message.find("$.allowlist.repeat_run") != std::string::npos);
    const std::string badPattern = "{\"allowlist\": {\"patterns\": [\"a(b\"]}}";
    const auto merged = bad->merge(badPattern, "user.json");
    QVERIFY(merged);
    auto s = vigil::Scanner::create(*bad);
    QVERIFY(!s);
    QVERIFY2(s.error().message.find("allowlist.patterns[") != std::string::npos, s.error().message.c_str());
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
