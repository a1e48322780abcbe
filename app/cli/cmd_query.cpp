// SPDX-License-Identifier: Apache-2.0
// `vigil-cli query`: runs a query of the query language (core/query/query.h) or a saved one,
// and lists, saves and deletes saved queries.
#include "cli.h"

#include "base/timeutil.h"
#include "query/query.h"
#include "query/queryrunner.h"
#include "query/savedqueries.h"
#include "review/threatmatrixio.h"
#include "store/receipt.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

namespace vigil::cli {
namespace {

constexpr std::size_t kTableCellChars = 80; // longer cells are cut in the table only

/// Number of characters (code points) in UTF-8 `s`.
std::size_t charCount(std::string_view s)
{
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++n;
    return n;
}

/// `s` on one line and at most `max` characters, for a table cell.
std::string tableCell(std::string s, std::size_t max)
{
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    if (charCount(s) <= max)
        return s;
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++n > max - 3)
            break;
        out += s[i];
    }
    return out + "...";
}

/// Left-aligned columns two spaces apart, a header and a rule of dashes under it.
std::string renderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c)
        width[c] = charCount(header[c]);
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c)
            width[c] = std::max(width[c], charCount(r[c]));
    const auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            out += cells[c];
            if (c + 1 < cells.size())
                out += std::string(width[c] - charCount(cells[c]) + 2, ' ');
        }
        return out + '\n';
    };
    std::string out = line(header);
    std::vector<std::string> rule;
    for (std::size_t w : width)
        rule.emplace_back(w, '-');
    out += line(rule);
    for (const auto& r : rows)
        out += line(r);
    return out;
}

nlohmann::ordered_json jsonCell(query::ValueKind kind, const query::Cell& cell)
{
    using K = query::ValueKind;
    if (std::holds_alternative<std::monostate>(cell))
        return nullptr;
    if (const auto* n = std::get_if<std::int64_t>(&cell);
        n && (kind == K::Integer || kind == K::Count || kind == K::Json))
        return *n;
    if (const auto* d = std::get_if<double>(&cell))
        return *d;
    return query::cellText(kind, cell);
}

/// The one-line error, then the query with a caret under the place it names.
int queryError(const std::string& text, const query::QueryError& e)
{
    std::cerr << "vigil-cli query: " << oneLine(e.message) << '\n';
    std::string shown = text;
    for (char& c : shown)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    const std::size_t offset = std::min(e.offset, text.size());
    const std::size_t caretChars =
        std::max<std::size_t>(1, charCount(std::string_view(text).substr(offset, e.length)));
    std::cerr << "  " << shown << '\n'
              << "  " << std::string(static_cast<std::size_t>(e.column - 1), ' ')
              << std::string(caretChars, '^') << '\n';
    return InputError;
}

int printResult(const query::QueryResult& r, const std::string& format)
{
    if (format == "json") {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const auto& row : r.rows) {
            nlohmann::ordered_json o = nlohmann::ordered_json::object();
            for (std::size_t c = 0; c < r.columns.size(); ++c)
                o[r.columns[c].name] = jsonCell(r.columns[c].kind, row[c]);
            rows.push_back(std::move(o));
        }
        std::cout << rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    } else {
        std::vector<std::string> header;
        for (const auto& c : r.columns)
            header.push_back(c.name);
        std::vector<std::vector<std::string>> cells;
        for (const auto& row : r.rows) {
            std::vector<std::string> line;
            for (std::size_t c = 0; c < r.columns.size(); ++c) {
                std::string v = query::cellText(r.columns[c].kind, row[c]);
                line.push_back(format == "csv" ? std::move(v) : tableCell(std::move(v), kTableCellChars));
            }
            cells.push_back(std::move(line));
        }
        if (format == "csv") {
            std::string out = csvRow(header);
            for (const auto& line : cells)
                out += csvRow(line);
            std::cout << out;
        } else {
            std::cout << renderTable(header, cells);
        }
    }
    // The count goes to stderr, so that stdout holds only the result.
    std::cerr << withThousands(static_cast<std::int64_t>(r.rows.size()))
              << (r.rows.size() == 1 ? " row" : " rows");
    if (r.truncated)
        std::cerr << " (more match: the limit stopped it; raise it with '| limit N', at most "
                  << withThousands(query::kMaxLimit) << ")";
    std::cerr << '\n';
    return Ok;
}

int printList(const std::vector<query::SavedQuery>& list, const std::string& format)
{
    if (format == "json") {
        nlohmann::ordered_json arr = nlohmann::ordered_json::array();
        for (const auto& q : list) {
            nlohmann::ordered_json o;
            o["name"] = q.name;
            o["builtin"] = q.builtin;
            o["query"] = q.text;
            o["description"] = q.description;
            o["author"] = q.builtin ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(q.author);
            o["updated"] = q.builtin ? nlohmann::ordered_json(nullptr)
                                     : nlohmann::ordered_json(formatRfc3339Utc(q.updatedMs));
            arr.push_back(std::move(o));
        }
        std::cout << arr.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
        return Ok;
    }
    const std::vector<std::string> header{"name", "kind", "query", "description"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& q : list) {
        std::string text = format == "csv" ? q.text : tableCell(q.text, 1u << 20);
        rows.push_back({q.name, q.builtin ? "built-in" : "saved", std::move(text),
                        q.builtin ? q.description : "saved by " + q.author});
    }
    if (format == "csv") {
        std::string out = csvRow(header);
        for (const auto& r : rows)
            out += csvRow(r);
        std::cout << out;
    } else {
        std::cout << renderTable(header, rows);
    }
    return Ok;
}

} // namespace

int runQuery(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> spec{
        {"db", true, false, "SQLite database to read"},
        {"format", true, false, "table (default), json or csv"},
        {"saved", true, false, "run the saved or built-in query NAME"},
        {"list", false, false, "list the built-in and saved queries"},
        {"save", true, false, "save QUERY as NAME in the database (replaces NAME)"},
        {"delete", true, false, "delete the saved query NAME"},
        {"author", true, false, "who saves, with --save (default: the OS user)"},
        {"unredacted", false, false, "show PII and secrets found in details as stored"},
    };
    auto parsed = parseArgs(args, spec);
    if (!parsed)
        return error("query", parsed.error().message);
    if (parsed->help) {
        printHelp("vigil-cli query --db DB [--format table|json|csv] [--unredacted] 'QUERY'\n"
                  "       vigil-cli query --db DB [--format table|json|csv] [--unredacted] --saved NAME\n"
                  "       vigil-cli query --db DB [--format table|json|csv] --list\n"
                  "       vigil-cli query --db DB --save NAME [--author NAME] 'QUERY'\n"
                  "       vigil-cli query --db DB --delete NAME",
                  "Runs a query over the stored events and findings, in the style of CloudWatch\n"
                  "Logs Insights (docs/review.md, \"Saved queries\"):\n"
                  "  fields @timestamp, agent, details | filter event_type = \"security_event\"\n"
                  "  | sort @timestamp desc | limit 100\n"
                  "Commands: fields, filter, sort, limit, stats count() [by ...], source.\n"
                  "At most 100,000 rows (1,000 without a limit). The row count goes to stderr.\n"
                  "PII and secrets the scanners found in details are redacted unless --unredacted.",
                  spec);
        return Ok;
    }
    const auto db = parsed->get("db");
    if (!db)
        return error("query", "missing --db DB");
    const std::string format = parsed->get("format").value_or("table");
    if (format != "table" && format != "json" && format != "csv")
        return error("query", "--format must be table, json or csv");
    const auto saved = parsed->get("saved");
    const auto save = parsed->get("save");
    const auto del = parsed->get("delete");
    const bool list = parsed->flag("list");
    if ((saved ? 1 : 0) + (save ? 1 : 0) + (del ? 1 : 0) + (list ? 1 : 0) > 1)
        return error("query", "use one of --saved, --save, --delete and --list");
    if (parsed->get("author") && !save)
        return error("query", "--author goes with --save");
    if (parsed->flag("unredacted") && (save || del || list))
        return error("query", "--unredacted goes with a query or --saved");
    const bool needsText = !saved && !list && !del;
    if (needsText && parsed->positional.empty())
        return error("query", save ? "missing the QUERY to save" : "missing QUERY (or --saved NAME, --list)");
    if (parsed->positional.size() > (needsText ? 1u : 0u))
        return error("query", "unexpected argument " + parsed->positional.back() +
                                  (needsText ? " (quote the whole query as one argument)" : ""));

    if (save || del) {
        if (save) {
            // Checked here first so that a syntax error shows its caret.
            const std::string& text = parsed->positional.front();
            if (auto q = query::compileQuery(text); !q)
                return queryError(text, q.error());
            if (auto ok = query::checkQueryName(*save); !ok)
                return error("query", ok.error().message);
        }
        // Saving never creates a database: a mistyped path is an error, not a new file.
        if (!std::filesystem::exists(*db))
            return error("query", "database " + *db + " does not exist");
        auto writer = StoreWriter::open(*db);
        if (!writer)
            return error("query", writer.error().message);
        const std::string author = parsed->get("author").value_or(osUserName());
        const std::string name = save ? *save : *del;
        auto done = (*writer)->run([&](Database& d) -> Result<void> {
            if (save)
                return query::saveQuery(d, name, parsed->positional.front(), author, nowEpochMs());
            return query::deleteSavedQuery(d, name);
        });
        (*writer)->close();
        if (!done)
            return error("query", oneLine(done.error().message));
        std::cout << (save ? "saved query " : "deleted query ") << name << '\n';
        return Ok;
    }

    auto reader = StoreReader::open(*db);
    if (!reader)
        return error("query", reader.error().message);
    if (list) {
        auto all = query::listSavedQueries(reader->database());
        if (!all)
            return error("query", all.error().message);
        return printList(*all, format);
    }
    std::string text;
    if (saved) {
        auto found = query::findSavedQuery(reader->database(), *saved);
        if (!found)
            return error("query", found.error().message);
        if (!*found)
            return error("query", "no saved query is called '" + *saved + "' (see --list)");
        text = (*found)->text;
    } else {
        text = parsed->positional.front();
    }
    auto compiled = query::compileQuery(text);
    if (!compiled)
        return queryError(text, compiled.error());
    query::RunOptions options;
    options.redact = !parsed->flag("unredacted");
    auto result = query::runQuery(reader->database(), *compiled, options);
    if (!result)
        return error("query", oneLine(result.error().message));
    return printResult(*result, format);
}

} // namespace vigil::cli
