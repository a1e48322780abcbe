// SPDX-License-Identifier: Apache-2.0
// Runs the built `vigil-cli serve` for end-to-end tests: starts it, waits for its start line,
// and knows the port it listens on (tests ask for port 0, so parallel runs never clash).
#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <signal.h>

#include <fstream>
#include <string>

namespace vigil::test {

class ServeProcess
{
public:
    ServeProcess()
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.setReadChannel(QProcess::StandardError);
    }
    ~ServeProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    /// Starts `vigil-cli serve ARGS`; true once it printed its start line (then port() is
    /// known when it listens). False when it exited or timed out first.
    bool start(const QStringList& args,
               const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
               int timeoutMs = 60000)
    {
        return startWrapped({}, {}, args, env, timeoutMs);
    }
    /// The same, run by `wrapper PREFIX... vigil-cli serve ARGS` (`unshare`, `sh -c`); the
    /// wrapper must exec serve in the end, so that signals reach it.
    bool startWrapped(const QString& wrapper, const QStringList& prefix, const QStringList& args,
                      const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                      int timeoutMs = 60000)
    {
        m_err.clear();
        m_port = 0;
        m_httpPort = 0;
        m_process.setProcessEnvironment(env);
        const QStringList serve = QStringList{QStringLiteral("serve")} + args;
        if (wrapper.isEmpty())
            m_process.start(QStringLiteral(VIGIL_CLI_PATH), serve);
        else
            m_process.start(wrapper, prefix + QStringList{QStringLiteral(VIGIL_CLI_PATH)} + serve);
        if (!m_process.waitForStarted(10000))
            return false;
        QElapsedTimer t;
        t.start();
        static const QRegularExpression re(QStringLiteral("listening on [0-9.]+:([0-9]+)"));
        static const QRegularExpression http(QStringLiteral("HTTP on [0-9.]+:([0-9]+)"));
        while (t.elapsed() < timeoutMs) {
            readErr();
            if (m_err.contains("storing into")) {
                const auto m = re.match(QString::fromUtf8(m_err));
                if (m.hasMatch())
                    m_port = m.captured(1).toInt();
                const auto h = http.match(QString::fromUtf8(m_err));
                if (h.hasMatch())
                    m_httpPort = h.captured(1).toInt();
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(50);
        }
        return false;
    }

    /// Runs `vigil-cli serve ARGS` to its end (for refusals); returns the exit code.
    int runToEnd(const QStringList& args,
                 const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        m_process.setProcessEnvironment(env);
        m_process.start(QStringLiteral(VIGIL_CLI_PATH),
                        QStringList{QStringLiteral("serve")} + args);
        if (!m_process.waitForFinished(60000))
            return -1;
        readErr();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    /// Sends `signal` and waits for the end; returns the exit code (-1 when it crashed).
    int stop(int signal = SIGTERM, int timeoutMs = 30000)
    {
        ::kill(static_cast<pid_t>(m_process.processId()), signal);
        if (!m_process.waitForFinished(timeoutMs))
            return -2;
        readErr();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    /// kill -9.
    void crash()
    {
        m_process.kill();
        m_process.waitForFinished(10000);
        readErr();
    }

    /// Resident memory of the process in KiB (VmRSS), -1 when unknown.
    long rssKiB() const
    {
        std::ifstream in("/proc/" + std::to_string(m_process.processId()) + "/status");
        for (std::string line; std::getline(in, line);)
            if (line.starts_with("VmRSS:"))
                return std::stol(line.substr(6));
        return -1;
    }

    int port() const { return m_port; }
    int httpPort() const { return m_httpPort; } ///< of --http, 0 without it
    qint64 pid() const { return m_process.processId(); }
    QByteArray err()
    {
        readErr();
        return m_err;
    }

private:
    void readErr() { m_err += m_process.readAllStandardError(); }

    QProcess m_process;
    QByteArray m_err;
    int m_port = 0;
    int m_httpPort = 0;
};

} // namespace vigil::test
