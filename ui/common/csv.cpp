// SPDX-License-Identifier: Apache-2.0
#include "common/csv.h"

namespace vigil::ui::csv {

QString cell(const QString& text)
{
    QString v = text;
    if (!v.isEmpty()) {
        const QChar c = v.front();
        if (c == u'=' || c == u'+' || c == u'-' || c == u'@' || c == u'\t' || c == u'\r')
            v.prepend(u'\'');
    }
    if (v.contains(u',') || v.contains(u'"') || v.contains(u'\r') || v.contains(u'\n')) {
        v.replace(u'"', QStringLiteral("\"\""));
        v = u'"' + v + u'"';
    }
    return v;
}

QString number(qint64 value)
{
    return QString::number(value);
}

QString record(const QStringList& cells)
{
    return cells.join(u',') + QStringLiteral("\r\n");
}

} // namespace vigil::ui::csv
