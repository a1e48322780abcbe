// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ingest/foreignrecord.h"
#include "ingest/linesplitter.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil {

/// What an input holds. `Auto` is only ever asked for: detectInputFormat() always decides.
/// A new format is one enumerator, one row of the name table (inputformat.cpp) and one case
/// in makeRecordReader().
enum class InputFormat : std::uint8_t {
    Auto,
    Vigil,      ///< Vigil's own JSON lines (spec/audit-events.md)
    CloudWatch, ///< CloudWatch Logs: filter-log-events / get-log-events JSON, S3 export lines, subscription payloads
    CloudTrail, ///< CloudTrail log files: {"Records":[...]}
    Otlp,       ///< OTLP/HTTP JSON bodies, one per line (the OpenTelemetry Collector's file exporter)
};

std::string_view toString(InputFormat f);
/// The format named `name` (as toString() writes it), or nothing.
std::optional<InputFormat> inputFormatFromString(std::string_view name);
/// "auto, vigil, cloudwatch, cloudtrail, otlp": every accepted name, for help and error texts.
std::string inputFormatNames(std::string_view separator = ", ");

/// How many leading bytes detectInputFormat() wants (fewer at the end of an input).
inline constexpr std::size_t kDetectBytes = 4096;

/// Decides the format from the first bytes of the (decompressed) content, never from a file
/// name: a top-level `Records` key is CloudTrail; `resourceSpans` or `resourceLogs` is OTLP;
/// `events`, `logEvents`, `messageType`,
/// `logGroup`, `nextForwardToken` ... are CloudWatch, and so are lines that start with an
/// RFC 3339 timestamp (S3 export) or with base64 of gzip (`H4sI`: a subscription payload);
/// everything else is Vigil lines, whose decoder explains what is wrong with them.
InputFormat detectInputFormat(std::string_view head);

/// detectInputFormat() for an input that is still arriving (a file being written): nothing
/// while the bytes so far could still turn out to be another format (an object whose first
/// key is cut off, a date cut short), else the format detectInputFormat() gives the same
/// bytes. Decides once kDetectBytes are there.
std::optional<InputFormat> detectInputFormatSoFar(std::string_view head);

/// Role ARN (`arn:aws:iam::123456789012:role/agent-brain-role`) to agent name, from the
/// policy file's `role_arns`.
using RoleAgentMap = std::unordered_map<std::string, std::string>;

struct ReaderOptions
{
    std::size_t maxRecordBytes = 1024 * 1024; ///< a record over this is quarantined as input.too_long
    std::shared_ptr<const RoleAgentMap> roleAgents; ///< CloudTrail: assumed role to agent
};

/// Gets each converted (or rejected) record and the offset of the decompressed input just
/// past it (what a checkpoint stores).
using RecordSink = std::function<void(ForeignRecord&&, std::int64_t endOffset)>;

/// Streaming converter of one input of a format other than Vigil lines: bytes in, in
/// pieces of any size, ForeignRecords out, numbered from 1 in input order. Memory is bounded
/// by the record cap whatever the input. Not thread-safe.
class RecordReader
{
public:
    virtual ~RecordReader() = default;
    virtual void feed(std::string_view bytes, const RecordSink& sink) = 0;
    /// End of input: delivers or rejects what is left (a record cut off).
    virtual void finish(const RecordSink& sink) = 0;
    /// Records passed over by design, not stored and not quarantined (CloudWatch
    /// CONTROL_MESSAGE payloads).
    virtual std::int64_t skipped() const { return 0; }
};

/// The reader of `format`, or nullptr for Vigil lines (they go to the LineSplitter).
std::unique_ptr<RecordReader> makeRecordReader(InputFormat format, const ReaderOptions& options);

/// Converts a whole document held in memory (a request body): the same records a reader
/// yields when fed `bytes` at once. For Vigil lines, each line becomes a record as it is.
std::vector<ForeignRecord> convertDocument(InputFormat format, std::string_view bytes,
                                           const ReaderOptions& options = {});

/// A ForeignRecord rejected with `code`, keeping at most 64 KiB of `raw`.
ForeignRecord rejectedRecord(std::string code, std::string message, std::string_view raw,
                             std::int64_t rawBytes, std::int64_t recordNo);

/// Sends the (decompressed) bytes of one input either to a LineSplitter (Vigil lines) or to
/// the reader of its format, deciding an `Auto` format from the first kDetectBytes. Lines
/// reach `lineSink(const SplitLine&)`, records `recordSink(ForeignRecord&&, endOffset)`.
/// Not thread-safe.
class InputRouter
{
public:
    InputRouter(InputFormat requested, ReaderOptions options, LineSplitter& splitter);

    /// The format in use; Auto until enough bytes were seen.
    InputFormat format() const { return m_format; }
    std::int64_t skipped() const { return m_reader ? m_reader->skipped() : 0; }

    template <typename LineSink>
    void feed(std::string_view bytes, LineSink&& lineSink, const RecordSink& recordSink)
    {
        if (m_format == InputFormat::Auto) {
            m_head.append(bytes);
            if (m_head.size() < kDetectBytes)
                return;
            decide();
            const std::string head = std::move(m_head);
            m_head.clear();
            route(head, lineSink, recordSink);
            return;
        }
        route(bytes, lineSink, recordSink);
    }

    /// Decides an `Auto` format now and routes what was held back, without ending the
    /// input (used where the input ends in an error and its cut-off tail is not a record).
    template <typename LineSink>
    void settle(LineSink&& lineSink, const RecordSink& recordSink)
    {
        if (m_format != InputFormat::Auto)
            return;
        decide();
        const std::string head = std::move(m_head);
        m_head.clear();
        route(head, lineSink, recordSink);
    }

    template <typename LineSink>
    void finish(LineSink&& lineSink, const RecordSink& recordSink)
    {
        if (m_format == InputFormat::Auto) {
            decide();
            const std::string head = std::move(m_head);
            m_head.clear();
            route(head, lineSink, recordSink);
        }
        if (m_reader)
            m_reader->finish(recordSink);
        else
            m_splitter.finish(lineSink);
    }

private:
    void decide();

    template <typename LineSink>
    void route(std::string_view bytes, LineSink& lineSink, const RecordSink& recordSink)
    {
        if (m_reader)
            m_reader->feed(bytes, recordSink);
        else
            m_splitter.feed(bytes, lineSink);
    }

    InputFormat m_format;
    ReaderOptions m_options;
    LineSplitter& m_splitter;
    std::unique_ptr<RecordReader> m_reader;
    std::string m_head;
};

} // namespace vigil
