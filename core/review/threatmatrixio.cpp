// SPDX-License-Identifier: Apache-2.0
#include "review/threatmatrixio.h"

#include "base/jsonlimits.h"
#include "review/jsonreader.h"
#include "review/strcat.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace vigil {

using reviewdetail::cat;
using reviewdetail::childPath;
using reviewdetail::indexPath;

namespace {

constexpr const char* kImportError = "review.bad_import";
constexpr std::size_t kMaxReported = 5;

/// The size limit every import checks first. The message gives no byte count: a reader may
/// hand over only the first kMaxMatrixImportBytes + 1 bytes of a larger file.
Result<void> checkImportSize(std::string_view text)
{
    if (text.size() > kMaxMatrixImportBytes)
        return fail(kImportError, cat("the file is larger than ",
                                      describeByteLimit(kMaxMatrixImportBytes),
                                      "; import a smaller matrix"));
    return {};
}

bool isFormulaTrigger(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/// True when `value` is `'`* followed by a formula trigger.
bool needsGuard(std::string_view value)
{
    const auto k = value.find_first_not_of('\'');
    return k != std::string_view::npos && isFormulaTrigger(value[k]);
}

bool isAsciiPunct(char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

std::string_view trimSpaces(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

/// A cell of an imported table, already unescaped, with its position.
struct TableCell
{
    std::string value;
    int line = 0;
    int column = 0;
};

struct TableRecord
{
    int line = 0;
    std::vector<TableCell> cells;
};

/// Problems collected while importing, reported together in one line.
class ImportProblems
{
public:
    void add(std::string problem) { m_problems.push_back(std::move(problem)); }
    bool empty() const { return m_problems.empty(); }
    Error error() const
    {
        std::string message;
        for (std::size_t i = 0; i < m_problems.size() && i < kMaxReported; ++i) {
            if (i > 0)
                message += "; ";
            message += m_problems[i];
        }
        if (m_problems.size() > kMaxReported)
            message += cat("; and ", m_problems.size() - kMaxReported, " more");
        return Error{std::string(kImportError), message};
    }

private:
    std::vector<std::string> m_problems;
};

/// Builds a matrix from a header record and data records (CSV or Markdown alike).
Result<ThreatMatrix> rowsFromTable(const TableRecord& header,
                                   const std::vector<TableRecord>& records, std::string name)
{
    std::vector<ThreatField> columns;                    // column index -> field
    std::vector<int> columnOf(threatFields().size(), 0); // field -> 1-based column, 0 absent
    for (const auto& cell : header.cells) {
        const auto field = threatFieldFromString(cell.value);
        if (!field)
            return fail(kImportError, cat("line ", cell.line, ", column ", cell.column,
                                          ": unknown column '", cell.value, "'"));
        auto& at = columnOf[static_cast<std::size_t>(*field)];
        if (at != 0)
            return fail(kImportError, cat("line ", cell.line, ", column ", cell.column,
                                          ": column '", toString(*field), "' appears twice"));
        at = cell.column;
        columns.push_back(*field);
    }
    for (const auto required :
         {ThreatField::Layer, ThreatField::Component, ThreatField::Threat, ThreatField::Severity})
        if (columnOf[static_cast<std::size_t>(required)] == 0)
            return fail(kImportError,
                        cat("line ", header.line, ": missing column '", toString(required), "'"));

    ThreatMatrix matrix;
    matrix.name = std::move(name);
    ImportProblems problems;
    for (const auto& record : records) {
        if (record.cells.size() != columns.size()) {
            problems.add(cat("line ", record.line, ": expected ", columns.size(), " cells, found ",
                             record.cells.size()));
            continue;
        }
        ThreatRow row;
        bool ok = true;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto& cell = record.cells[c];
            if (auto set = setFieldText(row, columns[c], cell.value); !set) {
                problems.add(cat("line ", cell.line, ", column ", cell.column, " (",
                                 toString(columns[c]), "): ", set.error().message));
                ok = false;
            }
        }
        if (!ok)
            continue;
        for (const auto& issue : validateRow(row)) {
            const int column = issue.field ? columnOf[static_cast<std::size_t>(*issue.field)] : 0;
            const std::string_view field = issue.field ? toString(*issue.field) : "row";
            if (column > 0)
                problems.add(cat("line ", record.line, ", column ", column, " (", field,
                                 "): ", issue.message));
            else
                problems.add(cat("line ", record.line, " (", field, "): ", issue.message));
        }
        matrix.rows.push_back(std::move(row));
    }
    if (!problems.empty())
        return std::unexpected(problems.error());
    return matrix;
}

std::vector<std::string> headerNames(bool seedHeadings)
{
    std::vector<std::string> names;
    for (const auto f : threatFields()) {
        if (!seedHeadings) {
            names.emplace_back(toString(f));
            continue;
        }
        if (f == ThreatField::Severity) {
            names.emplace_back("Sev"); // the seed's own heading
            continue;
        }
        std::string name(toString(f));
        name[0] = static_cast<char>(name[0] - 'a' + 'A');
        names.push_back(std::move(name));
    }
    return names;
}

std::vector<std::string> rowCells(const ThreatRow& row)
{
    std::vector<std::string> cells;
    for (const auto f : threatFields())
        cells.push_back(fieldText(row, f));
    return cells;
}

/// Splits a Markdown table line into raw cells at unescaped `|`; the leading pipe is
/// required, the trailing one optional.
std::vector<std::string> splitMarkdownLine(std::string_view line)
{
    line = trimSpaces(line);
    std::vector<std::string> cells;
    std::string current;
    for (std::size_t i = 1; i < line.size(); ++i) { // skip the leading '|'
        const char c = line[i];
        if (c == '\\' && i + 1 < line.size()) {
            current += c;
            current += line[++i];
        } else if (c == '|') {
            cells.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!trimSpaces(current).empty())
        cells.push_back(std::move(current));
    return cells;
}

std::string unescapeMarkdown(std::string_view cell)
{
    cell = trimSpaces(cell);
    std::string out;
    for (std::size_t i = 0; i < cell.size(); ++i) {
        const char c = cell[i];
        if (c == '\\' && i + 1 < cell.size() && isAsciiPunct(cell[i + 1])) {
            out += cell[++i];
            continue;
        }
        if (c == '<') {
            bool matched = false;
            for (const std::string_view br : {"<br>", "<br/>", "<br />"}) {
                if (cell.substr(i).starts_with(br)) {
                    out += '\n';
                    i += br.size() - 1;
                    matched = true;
                    break;
                }
            }
            if (matched)
                continue;
        }
        out += c;
    }
    return out;
}

bool isDelimiterCell(std::string_view cell)
{
    cell = trimSpaces(cell);
    if (cell.starts_with(':'))
        cell.remove_prefix(1);
    if (cell.ends_with(':'))
        cell.remove_suffix(1);
    return !cell.empty() && cell.find_first_not_of('-') == std::string_view::npos;
}

std::vector<std::pair<int, std::string_view>> splitLines(std::string_view text)
{
    std::vector<std::pair<int, std::string_view>> lines;
    int number = 1;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        lines.emplace_back(number++, line);
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

} // namespace

std::string csvCell(std::string_view value)
{
    std::string guarded;
    if (needsGuard(value))
        guarded = "'";
    guarded += value;
    if (guarded.find_first_of(",\"\r\n") == std::string::npos)
        return guarded;
    std::string out = "\"";
    for (const char c : guarded) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csvUnguard(std::string_view cell)
{
    if (cell.starts_with('\'') && needsGuard(cell))
        cell.remove_prefix(1);
    return std::string(cell);
}

std::string csvRow(const std::vector<std::string>& cells)
{
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0)
            out += ',';
        out += csvCell(cells[i]);
    }
    out += "\r\n";
    return out;
}

Result<std::vector<std::vector<CsvCell>>> parseCsv(std::string_view text)
{
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::vector<std::vector<CsvCell>> records;
    std::vector<CsvCell> record;
    int line = 1;
    std::size_t i = 0;
    const auto atLineEnd = [&](std::size_t p) {
        return p < text.size() && (text[p] == '\n' || text[p] == '\r');
    };
    const auto skipLineEnd = [&](std::size_t& p) {
        if (text[p] == '\r' && p + 1 < text.size() && text[p + 1] == '\n')
            ++p;
        ++p;
        ++line;
    };
    while (i < text.size()) {
        // An empty line is not a record.
        if (record.empty() && atLineEnd(i)) {
            skipLineEnd(i);
            continue;
        }
        CsvCell cell{std::string(), line, static_cast<int>(record.size()) + 1};
        if (text[i] == '"') {
            const int startLine = line;
            ++i;
            bool closed = false;
            while (i < text.size()) {
                const char c = text[i];
                if (c == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        cell.value += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                if (c == '\n' || (c == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n')))
                    ++line;
                cell.value += c;
                ++i;
            }
            if (!closed)
                return fail(kImportError, cat("line ", startLine, ", column ", cell.column,
                                              ": unterminated quoted cell"));
            if (i < text.size() && text[i] != ',' && !atLineEnd(i))
                return fail(kImportError, cat("line ", line, ", column ", cell.column,
                                              ": text after the closing quote"));
        } else {
            while (i < text.size() && text[i] != ',' && !atLineEnd(i)) {
                if (text[i] == '"')
                    return fail(kImportError, cat("line ", line, ", column ", cell.column,
                                                  ": quote inside an unquoted cell"));
                cell.value += text[i++];
            }
        }
        record.push_back(std::move(cell));
        if (i < text.size() && text[i] == ',') {
            ++i;
            if (i == text.size() || atLineEnd(i)) // a trailing comma ends with an empty cell
                record.push_back(CsvCell{std::string(), line, static_cast<int>(record.size()) + 1});
            else
                continue;
        }
        if (i < text.size())
            skipLineEnd(i);
        records.push_back(std::move(record));
        record.clear();
    }
    if (!record.empty())
        records.push_back(std::move(record));
    return records;
}

std::string markdownCell(std::string_view value)
{
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\' || c == '|') {
            out += '\\';
            out += c;
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n')
                ++i;
            out += "<br>";
        } else if (c == '<' && value.substr(i).starts_with("<br")) {
            out += "\\<";
        } else {
            out += c;
        }
    }
    return out;
}

std::string markdownRow(const std::vector<std::string>& cells)
{
    std::string out = "|";
    for (const auto& c : cells) {
        out += ' ';
        out += markdownCell(c);
        out += " |";
    }
    out += '\n';
    return out;
}

std::string markdownDelimiterRow(std::size_t columns)
{
    std::string out = "|";
    for (std::size_t i = 0; i < columns; ++i)
        out += "---|";
    out += '\n';
    return out;
}

std::string exportMatrixCsv(const ThreatMatrix& matrix)
{
    std::string out = csvRow(headerNames(false));
    for (const auto& row : matrix.rows)
        out += csvRow(rowCells(row));
    return out;
}

std::string exportMatrixMarkdown(const ThreatMatrix& matrix)
{
    const auto header = headerNames(true);
    std::string out = markdownRow(header);
    out += markdownDelimiterRow(header.size());
    for (const auto& row : matrix.rows)
        out += markdownRow(rowCells(row));
    return out;
}

std::string exportMatrixJson(const ThreatMatrix& matrix)
{
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& r : matrix.rows) {
        nlohmann::ordered_json row;
        row["layer"] = r.layer;
        row["component"] = r.component;
        row["threat"] = r.threat;
        row["severity"] = toString(r.severity);
        row["mitigation"] = r.mitigation;
        row["status"] = toString(r.status);
        row["owner"] = r.owner;
        row["links"] = r.links;
        row["description"] = r.description;
        rows.push_back(std::move(row));
    }
    nlohmann::ordered_json doc;
    doc["name"] = matrix.name;
    doc["component"] = matrix.component;
    doc["template"] = matrix.templateId;
    doc["rows"] = std::move(rows);
    return doc.dump(2) + "\n";
}

Result<ThreatMatrix> importMatrixCsv(std::string_view text, std::string name)
{
    if (auto ok = checkImportSize(text); !ok)
        return std::unexpected(ok.error());
    auto parsed = parseCsv(text);
    if (!parsed)
        return std::unexpected(parsed.error());
    if (parsed->empty())
        return fail(kImportError, "line 1: no header row");
    std::vector<TableRecord> records;
    for (const auto& r : *parsed) {
        TableRecord record{r.front().line, {}};
        for (const auto& c : r)
            record.cells.push_back(TableCell{csvUnguard(c.value), c.line, c.column});
        records.push_back(std::move(record));
    }
    const TableRecord header = std::move(records.front());
    records.erase(records.begin());
    return rowsFromTable(header, records, std::move(name));
}

Result<ThreatMatrix> importMatrixMarkdown(std::string_view text, std::string name)
{
    if (auto ok = checkImportSize(text); !ok)
        return std::unexpected(ok.error());
    const auto lines = splitLines(text);
    auto it = std::find_if(lines.begin(), lines.end(),
                           [](const auto& l) { return trimSpaces(l.second).starts_with('|'); });
    if (it == lines.end())
        return fail(kImportError, "no Markdown table (no line starts with '|')");
    const auto toRecord = [](int lineNo, std::string_view line) {
        TableRecord record{lineNo, {}};
        int column = 1;
        for (const auto& raw : splitMarkdownLine(line))
            record.cells.push_back(TableCell{unescapeMarkdown(raw), lineNo, column++});
        return record;
    };
    const TableRecord header = toRecord(it->first, it->second);
    ++it;
    if (it == lines.end() || !trimSpaces(it->second).starts_with('|'))
        return fail(kImportError,
                    cat("line ", header.line + 1, ": expected the |---| row under the header"));
    const auto delimiter = splitMarkdownLine(it->second);
    if (delimiter.size() != header.cells.size() ||
        !std::all_of(delimiter.begin(), delimiter.end(), isDelimiterCell))
        return fail(kImportError, cat("line ", it->first, ": expected the |---| row with ",
                                      header.cells.size(), " cells under the header"));
    std::vector<TableRecord> records;
    for (++it; it != lines.end() && trimSpaces(it->second).starts_with('|'); ++it)
        records.push_back(toRecord(it->first, it->second));
    return rowsFromTable(header, records, std::move(name));
}

Result<ThreatMatrix> importMatrixJson(std::string_view text)
{
    if (auto ok = checkImportSize(text); !ok)
        return std::unexpected(ok.error());
    const reviewdetail::JsonReader reader("threat matrix", kImportError);
    auto doc = reader.parse(text);
    if (!doc)
        return std::unexpected(doc.error());
    if (auto ok = reader.object(*doc, "", {"name", "component", "template", "rows"}); !ok)
        return std::unexpected(ok.error());
    ThreatMatrix matrix;
    auto name = reader.string(*doc, "", "name", true, true);
    auto component = reader.string(*doc, "", "component", false, false);
    auto templateId = reader.string(*doc, "", "template", false, false);
    for (const auto* r : {&name, &component, &templateId})
        if (!*r)
            return std::unexpected(r->error());
    matrix.name = std::move(*name);
    matrix.component = std::move(*component);
    matrix.templateId = std::move(*templateId);
    const auto rowsIt = doc->find("rows");
    if (rowsIt == doc->end())
        return std::unexpected(reader.error("rows", "missing"));
    if (auto ok = reader.array(*rowsIt, "rows"); !ok)
        return std::unexpected(ok.error());
    for (std::size_t i = 0; i < rowsIt->size(); ++i) {
        const auto path = indexPath("rows", i);
        const auto& obj = (*rowsIt)[i];
        if (auto ok = reader.object(obj, path,
                                    {"layer", "component", "threat", "severity", "mitigation",
                                     "status", "owner", "links", "description"});
            !ok)
            return std::unexpected(ok.error());
        ThreatRow row;
        auto layer = reader.integer(obj, path, "layer", true, 1, 7);
        if (!layer)
            return std::unexpected(layer.error());
        row.layer = static_cast<int>(**layer);
        for (const auto field : {ThreatField::Component, ThreatField::Threat, ThreatField::Severity,
                                 ThreatField::Mitigation, ThreatField::Status, ThreatField::Owner,
                                 ThreatField::Description}) {
            const bool required = field == ThreatField::Component || field == ThreatField::Threat ||
                                  field == ThreatField::Severity;
            auto value = reader.string(obj, path, toString(field), required, false);
            if (!value)
                return std::unexpected(value.error());
            if (!required && value->empty() && field == ThreatField::Status)
                continue; // default: open
            if (auto set = setFieldText(row, field, *value); !set)
                return std::unexpected(
                    reader.error(childPath(path, toString(field)), set.error().message));
        }
        auto links = reader.stringArray(obj, path, "links");
        if (!links)
            return std::unexpected(links.error());
        row.links = std::move(*links);
        if (const auto issues = validateRow(row); !issues.empty()) {
            const auto& first = issues.front();
            return std::unexpected(reader.error(
                first.field ? childPath(path, toString(*first.field)) : path, first.message));
        }
        matrix.rows.push_back(std::move(row));
    }
    return matrix;
}

} // namespace vigil
