// SPDX-License-Identifier: Apache-2.0
#include "ingest/inputformat.h"

#include "base/timeutil.h"
#include "ingest/cloudconvert.h"
#include "ingest/decoder.h"
#include "ingest/gzipstream.h"
#include "ingest/jsonarraystream.h"
#include "ingest/otlpmapper.h"

#include <simdjson.h>

#include <array>
#include <optional>

namespace vigil {
namespace {

struct FormatName
{
    InputFormat format;
    std::string_view name;
};

constexpr std::array kFormats{
    FormatName{InputFormat::Auto, "auto"},
    FormatName{InputFormat::Vigil, "vigil"},
    FormatName{InputFormat::CloudWatch, "cloudwatch"},
    FormatName{InputFormat::CloudTrail, "cloudtrail"},
    FormatName{InputFormat::Otlp, "otlp"},
};

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

std::string_view skipSpaceAndBom(std::string_view s)
{
    if (s.starts_with("\xEF\xBB\xBF"))
        s.remove_prefix(3);
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    return s;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/// `2026-11-21T`: the start of an RFC 3339 timestamp.
bool startsWithDate(std::string_view s)
{
    return s.size() >= 11 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) &&
           s[4] == '-' && isDigit(s[5]) && isDigit(s[6]) && s[7] == '-' && isDigit(s[8]) &&
           isDigit(s[9]) && (s[10] == 'T' || s[10] == 't');
}

/// The first key of the object `s` starts with, or nothing.
std::optional<std::string_view> firstKey(std::string_view s)
{
    if (s.empty() || s.front() != '{')
        return std::nullopt;
    s = skipSpaceAndBom(s.substr(1));
    if (s.empty() || s.front() != '"')
        return std::nullopt;
    const std::size_t end = s.find('"', 1);
    if (end == std::string_view::npos)
        return std::nullopt;
    return s.substr(1, end - 1);
}

/// Decodes standard base64 (padding optional, no line breaks inside); false on any other byte.
bool decodeBase64(std::string_view in, std::string& out)
{
    static const auto kTable = [] {
        std::array<signed char, 256> t{};
        t.fill(-1);
        const std::string_view a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (std::size_t i = 0; i < a.size(); ++i)
            t[static_cast<unsigned char>(a[i])] = static_cast<signed char>(i);
        return t;
    }();
    while (!in.empty() && in.back() == '=')
        in.remove_suffix(1);
    if (in.size() % 4 == 1)
        return false;
    out.clear();
    out.reserve(in.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        const int v = kTable[static_cast<unsigned char>(c)];
        if (v < 0)
            return false;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return true;
}

std::string_view trimLine(std::string_view s)
{
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    return s;
}

/// The rejection of an element the stream could not hand over whole, or nothing.
std::optional<ForeignRecord> elementFault(const JsonArrayStream::Element& e, std::string_view what,
                                          std::size_t cap, std::int64_t recordNo)
{
    if (e.oversized)
        return rejectedRecord("input.too_long",
                              std::string(what) + " is longer than " + std::to_string(cap) +
                                  " bytes (" + std::to_string(e.fullBytes) + ")",
                              e.text, e.fullBytes, recordNo);
    if (e.tooDeep)
        return rejectedRecord("input.too_deep",
                              std::string(what) + " is nested deeper than " +
                                  std::to_string(kMaxDepth) + " levels",
                              e.text, e.fullBytes, recordNo);
    if (e.truncated)
        return rejectedRecord("input.invalid_json",
                              std::string(what) + " is cut off at the end of the input", e.text,
                              e.fullBytes, recordNo);
    return std::nullopt;
}

JsonArrayStream::Options streamOptions(std::vector<std::string> arrays,
                                       std::vector<std::string> captures, std::size_t cap)
{
    JsonArrayStream::Options o;
    o.arrayKeys = std::move(arrays);
    o.captureKeys = std::move(captures);
    o.maxElementBytes = cap;
    o.maxDepth = kMaxDepth;
    return o;
}

class CloudTrailReader final : public RecordReader
{
public:
    explicit CloudTrailReader(ReaderOptions options)
        : m_options(std::move(options)),
          m_stream(streamOptions({"Records"}, {}, m_options.maxRecordBytes))
    {
    }

    void feed(std::string_view bytes, const RecordSink& sink) override
    {
        m_stream.feed(bytes, element(sink), fault(sink));
    }
    void finish(const RecordSink& sink) override { m_stream.finish(element(sink), fault(sink)); }

private:
    JsonArrayStream::ElementSink element(const RecordSink& sink)
    {
        return [this, &sink](const JsonArrayStream::Element& e) {
            const std::int64_t no = ++m_recordNo;
            if (auto bad = elementFault(e, "CloudTrail record", m_options.maxRecordBytes, no))
                return sink(std::move(*bad), e.endOffset);
            sink(convertCloudTrailRecord(e.text, no, m_options), e.endOffset);
        };
    }
    JsonArrayStream::FaultSink fault(const RecordSink& sink)
    {
        return [this, &sink](const JsonArrayStream::Fault& f) {
            sink(rejectedRecord(f.code, "not a CloudTrail log file: " + f.message, f.raw,
                                static_cast<std::int64_t>(f.raw.size()), ++m_recordNo),
                 f.endOffset);
        };
    }

    ReaderOptions m_options;
    JsonArrayStream m_stream;
    std::int64_t m_recordNo = 0;
};

class CloudWatchReader final : public RecordReader
{
public:
    explicit CloudWatchReader(ReaderOptions options)
        : m_options(std::move(options)), m_lines(kMaxPayloadLine)
    {
    }

    void feed(std::string_view bytes, const RecordSink& sink) override
    {
        if (m_mode == Mode::Unknown) {
            m_pending.append(bytes);
            const std::string_view head = skipSpaceAndBom(m_pending);
            if (head.size() < 11 && m_pending.size() < 4096)
                return;
            decide(head);
            const std::string pending = std::move(m_pending);
            m_pending.clear();
            route(pending, sink);
            return;
        }
        route(bytes, sink);
    }

    void finish(const RecordSink& sink) override
    {
        if (m_mode == Mode::Unknown) {
            decide(skipSpaceAndBom(m_pending));
            const std::string pending = std::move(m_pending);
            m_pending.clear();
            route(pending, sink);
        }
        if (m_mode == Mode::Json)
            m_json->finish(element(*m_json, sink, nullptr), fault(sink));
        else
            m_lines.finish([&](const SplitLine& l) { line(l, sink); });
    }

    std::int64_t skipped() const override { return m_skipped; }

private:
    // A subscription payload is at most 1 MiB once decoded (a Kinesis record); its base64
    // line is a third longer. Lines over this are quarantined.
    static constexpr std::size_t kMaxPayloadLine = 4u << 20;

    enum class Mode : std::uint8_t { Unknown, Json, Base64Lines, ExportLines };

    void decide(std::string_view head)
    {
        if (!head.empty() && head.front() == '{') {
            m_mode = Mode::Json;
            m_json.emplace(jsonOptions());
        } else if (head.starts_with("H4sI")) {
            m_mode = Mode::Base64Lines;
        } else {
            m_mode = Mode::ExportLines;
            m_lines = LineSplitter(kMaxLineBytes);
        }
    }

    JsonArrayStream::Options jsonOptions() const
    {
        return streamOptions({"events", "logEvents"}, {"logGroup", "logStream", "messageType"},
                             m_options.maxRecordBytes);
    }

    void route(std::string_view bytes, const RecordSink& sink)
    {
        if (m_mode == Mode::Json)
            m_json->feed(bytes, element(*m_json, sink, nullptr), fault(sink));
        else
            m_lines.feed(bytes, [&](const SplitLine& l) { line(l, sink); });
    }

    /// Elements of `events` / `logEvents`; `lineEnd` replaces their offsets inside a payload line.
    JsonArrayStream::ElementSink element(const JsonArrayStream& js, const RecordSink& sink,
                                         const std::int64_t* lineEnd)
    {
        return [this, &js, &sink, lineEnd](const JsonArrayStream::Element& e) {
            const std::int64_t end = lineEnd ? *lineEnd : e.endOffset;
            const std::string* type = js.captured("messageType");
            if (type && *type == "CONTROL_MESSAGE") {
                ++m_skipped; // CloudWatch's own health check of the destination
                return;
            }
            const std::int64_t no = ++m_recordNo;
            if (auto bad = elementFault(e, "CloudWatch log event", m_options.maxRecordBytes, no))
                return sink(std::move(*bad), end);
            simdjson::dom::element doc;
            simdjson::dom::object ev;
            if (auto err = m_parser.parse(e.text.data(), e.text.size(), true).get(doc);
                err || doc.get_object().get(ev) != simdjson::SUCCESS)
                return sink(rejectedRecord(err == simdjson::UTF8_ERROR ? "input.invalid_utf8"
                                                                       : "input.invalid_json",
                                           "CloudWatch log event is not a JSON object", e.text,
                                           e.fullBytes, no),
                            end);
            std::string_view message, eventId, stream;
            if (ev["message"].get_string().get(message) != simdjson::SUCCESS)
                return sink(rejectedRecord("input.missing_field",
                                           "CloudWatch log event without a message string",
                                           e.text, e.fullBytes, no),
                            end);
            std::int64_t ts = 0;
            if (ev["timestamp"].get_int64().get(ts) != simdjson::SUCCESS) {
                double d = 0;
                if (ev["timestamp"].get_double().get(d) != simdjson::SUCCESS)
                    return sink(rejectedRecord("input.missing_field",
                                               "CloudWatch log event without a numeric timestamp",
                                               e.text, e.fullBytes, no),
                                end);
                // A double outside the int64 range would make the cast undefined (found by
                // fuzz_foreign); the range check below then refuses it.
                ts = d >= 0 && d < 253'402'300'800'000.0 ? static_cast<std::int64_t>(d) : -1;
            }
            if (ts < 0 || ts >= 253'402'300'800'000) // before 1970 or after 9999
                return sink(rejectedRecord("input.invalid_timestamp",
                                           "CloudWatch log event timestamp out of range",
                                           e.text, e.fullBytes, no),
                            end);
            if (ev["eventId"].get_string().get(eventId) != simdjson::SUCCESS &&
                ev["id"].get_string().get(eventId) != simdjson::SUCCESS)
                eventId = {};
            if (ev["logStreamName"].get_string().get(stream) != simdjson::SUCCESS)
                if (const std::string* s = js.captured("logStream"))
                    stream = *s;
            CloudWatchContext ctx;
            if (const std::string* g = js.captured("logGroup"))
                ctx.logGroup = *g;
            ctx.logStream = stream;
            ctx.eventId = eventId;
            sink(convertCloudWatchMessage(message, ts, ctx, no, m_options), end);
        };
    }

    JsonArrayStream::FaultSink fault(const RecordSink& sink, const std::int64_t* lineEnd = nullptr)
    {
        return [this, &sink, lineEnd](const JsonArrayStream::Fault& f) {
            sink(rejectedRecord(f.code, "not CloudWatch Logs output: " + f.message, f.raw,
                                static_cast<std::int64_t>(f.raw.size()), ++m_recordNo),
                 lineEnd ? *lineEnd : f.endOffset);
        };
    }

    void line(const SplitLine& l, const RecordSink& sink)
    {
        if (m_mode == Mode::ExportLines)
            return exportLine(l, sink);
        const std::string_view text = trimLine(l.text);
        if (text.empty())
            return;
        if (l.overlong)
            return sink(rejectedRecord("input.too_long",
                                       "CloudWatch subscription payload line is longer than " +
                                           std::to_string(kMaxPayloadLine) + " bytes",
                                       l.text, l.fullBytes, ++m_recordNo),
                        l.endOffset);
        if (!decodeBase64(text, m_decoded))
            return sink(rejectedRecord("input.invalid_base64",
                                       "CloudWatch subscription payload is not valid base64",
                                       text, l.fullBytes, ++m_recordNo),
                        l.endOffset);
        // One payload: gzip (as CloudWatch sends it) or plain JSON, streamed, never whole.
        const std::int64_t end = l.endOffset;
        JsonArrayStream js(jsonOptions());
        const auto onElement = element(js, sink, &end);
        const auto onFault = fault(sink, &end);
        std::optional<Error> gzipError;
        if (looksGzipped(m_decoded)) {
            GzipStream gz;
            auto r = gz.feed(m_decoded, [&](std::string_view out) { js.feed(out, onElement, onFault); });
            if (!r)
                gzipError = r.error();
            else if (auto f = gz.finish(); !f)
                gzipError = f.error();
        } else {
            js.feed(m_decoded, onElement, onFault);
        }
        if (gzipError)
            return sink(rejectedRecord(gzipError->code,
                                       "CloudWatch subscription payload: " + gzipError->message +
                                           " (the log events before the fault were kept)",
                                       text, l.fullBytes, ++m_recordNo),
                        end);
        js.finish(onElement, onFault);
    }

    void exportLine(const SplitLine& l, const RecordSink& sink)
    {
        const std::int64_t no = ++m_recordNo; // S3 export records are its lines
        if (l.overlong)
            return sink(rejectedRecord("input.too_long",
                                       "line is longer than 1 MiB (" + std::to_string(l.fullBytes) +
                                           " bytes)",
                                       l.text, l.fullBytes, no),
                        l.endOffset);
        if (isBlankLine(l.text))
            return;
        std::string_view text = l.text;
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        const std::size_t space = text.find(' ');
        const auto ts = space == std::string_view::npos ? std::nullopt
                                                        : parseRfc3339Utc(text.substr(0, space));
        if (!ts) {
            // Not `timestamp message`: the decoder explains what it is.
            ForeignRecord r;
            r.line = std::string(text);
            r.rawBytes = l.fullBytes;
            r.recordNo = no;
            return sink(std::move(r), l.endOffset);
        }
        sink(convertCloudWatchMessage(text.substr(space + 1), *ts, {}, no, m_options), l.endOffset);
    }

    ReaderOptions m_options;
    Mode m_mode = Mode::Unknown;
    std::string m_pending;
    std::optional<JsonArrayStream> m_json;
    LineSplitter m_lines;
    simdjson::dom::parser m_parser;
    std::string m_decoded;
    std::int64_t m_recordNo = 0;
    std::int64_t m_skipped = 0;
};

} // namespace

std::string_view toString(InputFormat f)
{
    for (const FormatName& n : kFormats)
        if (n.format == f)
            return n.name;
    return "auto";
}

std::optional<InputFormat> inputFormatFromString(std::string_view name)
{
    for (const FormatName& n : kFormats)
        if (n.name == name)
            return n.format;
    return std::nullopt;
}

std::string inputFormatNames(std::string_view separator)
{
    std::string out;
    for (const FormatName& n : kFormats) {
        if (!out.empty())
            out.append(separator);
        out.append(n.name);
    }
    return out;
}

namespace {

/// OTLP JSON in a file: ExportTraceServiceRequest / ExportLogsServiceRequest bodies one
/// after another, one per line as the OpenTelemetry Collector's file exporter writes them,
/// or pretty-printed: top-level objects are cut by bracket depth, not by newlines. One
/// mapper serves the whole file, so spans find the agent of a parent exported in an
/// earlier body; what still waits for a parent at the end is emitted by finish() with the
/// best agent known. File time does not pass, so nothing expires midway; the mapper's own
/// bounds keep memory finite, and a body is held up to 64 MiB (beyond: input.too_long).
class OtlpFileReader final : public RecordReader
{
public:
    OtlpFileReader() : m_mapper(ToolActionMap::builtin().value_or(ToolActionMap{})) {}

    void feed(std::string_view bytes, const RecordSink& sink) override
    {
        for (char c : bytes) {
            ++m_offset;
            if (m_depth == 0 && !m_inString) {
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
                    continue;
                if (c != '{') {
                    // Not an object where a body should start: keep the run for quarantine.
                    if (m_garbage.size() < kQuarantineBytes)
                        m_garbage += c;
                    ++m_garbageBytes;
                    continue;
                }
                flushGarbage(sink);
            }
            take(c);
            if (m_inString) {
                if (m_escape)
                    m_escape = false;
                else if (c == '\\')
                    m_escape = true;
                else if (c == '"')
                    m_inString = false;
                continue;
            }
            if (c == '"')
                m_inString = true;
            else if (c == '{' || c == '[')
                ++m_depth;
            else if ((c == '}' || c == ']') && --m_depth == 0)
                body(sink);
        }
    }
    void finish(const RecordSink& sink) override
    {
        flushGarbage(sink);
        if (m_bytes > 0)
            sink(rejectedRecord("input.truncated", "the OTLP body is cut off at the end of the input",
                                m_body, m_bytes, ++m_recordNo),
                 m_offset);
        m_body.clear();
        m_bytes = 0;
        emit(m_mapper.flush(), sink);
    }

private:
    static constexpr std::size_t kMaxBody = 64 * 1024 * 1024;
    static constexpr std::size_t kQuarantineBytes = 64 * 1024;

    void take(char c)
    {
        ++m_bytes;
        if (m_body.size() < kMaxBody)
            m_body += c;
    }
    void body(const RecordSink& sink)
    {
        if (m_bytes > static_cast<std::int64_t>(kMaxBody)) {
            sink(rejectedRecord("input.too_long", "OTLP body longer than 64 MiB", m_body, m_bytes,
                                ++m_recordNo),
                 m_offset);
        } else {
            const auto key = firstKey(m_body);
            const OtlpSignal signal =
                key && *key == "resourceLogs" ? OtlpSignal::Logs : OtlpSignal::Traces;
            emit(m_mapper.map(signal, m_body, 0), sink);
        }
        m_body.clear();
        m_bytes = 0;
    }
    void flushGarbage(const RecordSink& sink)
    {
        if (m_garbageBytes == 0)
            return;
        sink(rejectedRecord("input.invalid_json", "text between OTLP bodies is not a JSON object",
                            m_garbage, m_garbageBytes, ++m_recordNo),
             m_offset);
        m_garbage.clear();
        m_garbageBytes = 0;
    }
    void emit(std::vector<ForeignRecord> records, const RecordSink& sink)
    {
        for (ForeignRecord& r : records) {
            r.recordNo = ++m_recordNo; // numbered in the file, not in its body
            sink(std::move(r), m_offset);
        }
    }

    OtlpMapper m_mapper;
    std::string m_body;
    std::int64_t m_bytes = 0; // of the current body, also beyond what is kept
    std::string m_garbage;
    std::int64_t m_garbageBytes = 0;
    int m_depth = 0;
    bool m_inString = false;
    bool m_escape = false;
    std::int64_t m_offset = 0;
    std::int64_t m_recordNo = 0;
};

} // namespace

InputFormat detectInputFormat(std::string_view head)
{
    head = skipSpaceAndBom(head);
    if (head.starts_with("H4sI") || startsWithDate(head))
        return InputFormat::CloudWatch;
    const auto key = firstKey(head);
    if (!key)
        return InputFormat::Vigil;
    if (*key == "Records")
        return InputFormat::CloudTrail;
    if (*key == "resourceSpans" || *key == "resourceLogs")
        return InputFormat::Otlp;
    static constexpr std::array<std::string_view, 11> kCloudWatchKeys{
        "events",      "logEvents",          "messageType",      "owner",
        "logGroup",    "logStream",          "subscriptionFilters", "nextForwardToken",
        "nextBackwardToken", "searchedLogStreams", "nextToken"};
    for (std::string_view k : kCloudWatchKeys)
        if (*key == k)
            return InputFormat::CloudWatch;
    return InputFormat::Vigil;
}

std::optional<InputFormat> detectInputFormatSoFar(std::string_view head)
{
    if (head.size() >= kDetectBytes)
        return detectInputFormat(head);
    const std::string_view s = skipSpaceAndBom(head);
    if (s.empty())
        return std::nullopt;
    constexpr std::string_view kGzipBase64 = "H4sI";
    if (s.size() < kGzipBase64.size() && kGzipBase64.starts_with(s))
        return std::nullopt;
    // An S3 export line's date, or a number cut short.
    if (isDigit(s.front()) && s.size() < 11 && s.find('\n') == std::string_view::npos)
        return std::nullopt;
    // An object whose first key has not arrived whole yet.
    if (s.front() == '{' && !firstKey(s))
        return std::nullopt;
    return detectInputFormat(head);
}

std::unique_ptr<RecordReader> makeRecordReader(InputFormat format, const ReaderOptions& options)
{
    switch (format) {
    case InputFormat::CloudWatch:
        return std::make_unique<CloudWatchReader>(options);
    case InputFormat::CloudTrail:
        return std::make_unique<CloudTrailReader>(options);
    case InputFormat::Otlp:
        return std::make_unique<OtlpFileReader>();
    case InputFormat::Auto:
    case InputFormat::Vigil:
        break;
    }
    return nullptr;
}

std::vector<ForeignRecord> convertDocument(InputFormat format, std::string_view bytes,
                                           const ReaderOptions& options)
{
    std::vector<ForeignRecord> out;
    LineSplitter splitter(kMaxLineBytes);
    InputRouter router(format, options, splitter);
    std::int64_t lineNo = 0;
    auto onLine = [&](const SplitLine& l) {
        ++lineNo;
        if (l.overlong) {
            out.push_back(rejectedRecord("input.too_long", "line is longer than 1 MiB", l.text,
                                         l.fullBytes, lineNo));
            return;
        }
        if (isBlankLine(l.text))
            return;
        ForeignRecord r;
        r.line = std::string(l.text);
        r.rawBytes = l.fullBytes;
        r.recordNo = lineNo;
        out.push_back(std::move(r));
    };
    const RecordSink onRecord = [&](ForeignRecord&& r, std::int64_t) { out.push_back(std::move(r)); };
    router.feed(bytes, onLine, onRecord);
    router.finish(onLine, onRecord);
    return out;
}

InputRouter::InputRouter(InputFormat requested, ReaderOptions options, LineSplitter& splitter)
    : m_format(requested), m_options(std::move(options)), m_splitter(splitter)
{
    if (m_format != InputFormat::Auto)
        m_reader = makeRecordReader(m_format, m_options);
}

void InputRouter::decide()
{
    m_format = detectInputFormat(m_head);
    m_reader = makeRecordReader(m_format, m_options);
}

} // namespace vigil
