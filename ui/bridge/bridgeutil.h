// SPDX-License-Identifier: Apache-2.0
// Pieces the parts of EngineBridge (events, IAM, review, reports) share: string conversion
// between core's std types and Qt's, and the worker thread each part reads the database on.
#pragma once

#include "store/storereader.h"

#include <QMetaObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>

#include <optional>
#include <string>
#include <vector>

namespace vigil::ui {

inline std::string str(const QString& s)
{
    return s.toStdString();
}

inline QString qstr(const std::string& s)
{
    return QString::fromStdString(s);
}

inline QStringList qlist(const std::vector<std::string>& v)
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(v.size()));
    for (const auto& s : v)
        out.push_back(qstr(s));
    return out;
}

inline std::vector<std::string> slist(const QStringList& v)
{
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(v.size()));
    for (const auto& s : v)
        out.push_back(str(s));
    return out;
}

/// A thread with an event loop and, on it, at most one read connection to the database.
class BridgeWorker
{
public:
    explicit BridgeWorker(const QString& name)
    {
        m_thread.setObjectName(name);
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        m_thread.start();
    }
    ~BridgeWorker()
    {
        // Deleted on its own thread as the thread finishes (with the timers it owns);
        // calls still pending are discarded with it.
        m_context->deleteLater();
        m_thread.quit();
        m_thread.wait();
        m_reader.reset();
    }
    BridgeWorker(const BridgeWorker&) = delete;
    BridgeWorker& operator=(const BridgeWorker&) = delete;

    /// Runs `f` on the worker thread, after what was posted before.
    template <typename F>
    void post(F f)
    {
        QMetaObject::invokeMethod(m_context, std::move(f), Qt::QueuedConnection);
    }
    QObject* context() const { return m_context; }

    /// The reader of `path`, opened on first use. Worker thread only.
    StoreReader* reader(const std::string& path, std::string* error)
    {
        if (m_reader && m_path == path)
            return &*m_reader;
        m_reader.reset();
        auto r = StoreReader::open(path);
        if (!r) {
            if (error)
                *error = r.error().message;
            return nullptr;
        }
        m_reader.emplace(std::move(*r));
        m_path = path;
        return &*m_reader;
    }

private:
    QThread m_thread;
    QObject* m_context = nullptr;
    std::optional<StoreReader> m_reader;
    std::string m_path;
};

} // namespace vigil::ui
