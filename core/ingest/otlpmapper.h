// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "ingest/foreignrecord.h"
#include "ingest/toolactionmap.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vigil {

/// Which OTLP/HTTP request a body belongs to.
enum class OtlpSignal : std::uint8_t
{
    Traces, ///< `POST /v1/traces`: an ExportTraceServiceRequest
    Logs,   ///< `POST /v1/logs`: an ExportLogsServiceRequest
};

/// How an OTLP/HTTP body is encoded (its Content-Type).
enum class OtlpEncoding : std::uint8_t
{
    Json,     ///< `application/json`: the OTLP/JSON mapping
    Protobuf, ///< `application/x-protobuf`: protobuf's binary form (ingest/otlpprotobuf.h)
};

/// Bounds of the agent join (see OtlpMapper) and of a request body.
struct OtlpMapperOptions
{
    /// How long a span or log record whose agent depends on a parent not yet seen waits for
    /// it. Parents end, and so are exported, after their children, so this covers the run
    /// time of an agent invocation.
    std::int64_t joinWindowMs = 30'000;
    /// At most this many records wait at once, holding at most `maxPendingBytes`; beyond
    /// either, the oldest is emitted with the fallback agent.
    std::size_t maxPendingRecords = 10'000;
    std::size_t maxPendingBytes = 64 * 1024 * 1024;
    /// Spans remembered (trace, span id, parent, agent) so that later children can find their
    /// agent; beyond it, the traces seen least recently are forgotten.
    std::size_t maxKnownSpans = 200'000;
    /// A larger body is refused as a whole (`input.too_long`); for a protobuf body the limit
    /// holds for the body and for its JSON form.
    std::size_t maxBodyBytes = 64 * 1024 * 1024;
};

/// One OTLP/HTTP request body read into records (OtlpReader::read), each complete but for
/// the agent that OtlpMapper::join gives it. A value: it may be read on one thread and
/// joined on another.
class OtlpReadBody
{
public:
    OtlpReadBody();
    ~OtlpReadBody();
    OtlpReadBody(OtlpReadBody&&) noexcept;
    OtlpReadBody& operator=(OtlpReadBody&&) noexcept;

    /// Spans or log records read and records refused, together.
    std::size_t recordCount() const;
    /// Why the body as a whole was refused, or nullptr.
    const Error* rejection() const;

private:
    friend class OtlpReader;
    friend class OtlpMapper;
    struct Data;
    std::unique_ptr<Data> m_data;
};

/// The stateless half of OtlpMapper: checks and reads a body (JSON, or protobuf through its
/// JSON form) into records without the agent join, so bodies can be read on any number of
/// threads, one reader per thread, and joined on one.
class OtlpReader
{
public:
    explicit OtlpReader(ToolActionMap tools = {}, OtlpMapperOptions options = {});
    ~OtlpReader();
    OtlpReader(const OtlpReader&) = delete;
    OtlpReader& operator=(const OtlpReader&) = delete;
    OtlpReader(OtlpReader&&) noexcept;
    OtlpReader& operator=(OtlpReader&&) noexcept;

    /// Every record of the body carries `tag` (ForeignRecord::tag).
    OtlpReadBody read(OtlpSignal signal, std::string_view body, std::uint64_t tag = 0,
                      OtlpEncoding encoding = OtlpEncoding::Json);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Turns OTLP/HTTP request bodies (JSON, or protobuf read through its JSON form) carrying OpenTelemetry GenAI spans and log records
/// into Vigil events (spec/audit-events.md), one ForeignRecord per span or log record:
/// either a Vigil event line, which the caller decodes and scans like any other line, or a
/// rejection with an `input.*` code and a message. Nothing is dropped silently: a body
/// that is not OTLP JSON at all yields one rejection covering it. The mapping table is in
/// docs/event-format.md ("OpenTelemetry GenAI").
///
/// The agent of a span is `gen_ai.agent.name`, else that of the nearest ancestor span of the
/// same trace that names one (the enclosing `invoke_agent`), else the resource's
/// `service.name`. A log record counts as a child of its span. Children often arrive before
/// their parent, in the same body or a later one: a record whose ancestor chain reaches a
/// span not seen yet is held back until that span arrives, the join window ends
/// (`expire`), a bound is reached or `flush` is called; then it is emitted with the best
/// agent known. Memory is bounded by OtlpMapperOptions.
///
/// `ForeignRecord::recordNo` is the 1-based position of the span or record in the body it
/// arrived in (body-level rejections have 1); `raw`/`rawBytes` hold the record minified.
/// Not thread-safe: one mapper per receiver thread, or a lock around it.
class OtlpMapper
{
public:
    explicit OtlpMapper(ToolActionMap tools = {}, OtlpMapperOptions options = {});
    ~OtlpMapper();
    OtlpMapper(const OtlpMapper&) = delete;
    OtlpMapper& operator=(const OtlpMapper&) = delete;
    OtlpMapper(OtlpMapper&&) noexcept;
    OtlpMapper& operator=(OtlpMapper&&) noexcept;

    /// Maps one request body received at `nowMs` (epoch ms; it drives the join window).
    /// Returns the records ready now: those of this body whose agent is known, records held
    /// from earlier bodies that this body completes, and records whose wait ended. Every
    /// record of this body carries `tag` (ForeignRecord::tag), also when released later.
    /// A protobuf body that cannot be read is one rejection (`input.invalid_protobuf`) whose
    /// raw text is the body in base64.
    std::vector<ForeignRecord> map(OtlpSignal signal, std::string_view body, std::int64_t nowMs,
                                   std::uint64_t tag = 0,
                                   OtlpEncoding encoding = OtlpEncoding::Json);

    /// The second half of map() for a body an OtlpReader read (with the same tool table and
    /// options): the same records map() would return for it.
    std::vector<ForeignRecord> join(OtlpReadBody body, std::int64_t nowMs);

    /// Emits the records that have waited for `joinWindowMs` or longer by `nowMs`, and
    /// forgets traces idle for that long.
    std::vector<ForeignRecord> expire(std::int64_t nowMs);

    /// Emits every held record with the best agent known (for shutdown).
    std::vector<ForeignRecord> flush();

    std::size_t pendingCount() const;
    /// Why the body last given to map() was refused as a whole (not OTLP JSON, too large,
    /// too deep), or nullptr when its records were read one by one.
    const Error* bodyRejection() const;
    /// Records of the body mapped with `tag` still held back, waiting for a parent.
    std::size_t pendingCount(std::uint64_t tag) const;
    std::size_t knownSpanCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// A stateless entry point for fuzzing and one-shot conversion: maps `size` bytes as one
/// body with a fresh mapper and the given tool table, then flushes it, so every record of
/// the body comes back. Never throws; any byte sequence yields records or rejections.
std::vector<ForeignRecord> mapOtlpBody(OtlpSignal signal, const std::uint8_t* data,
                                       std::size_t size, const ToolActionMap& tools = {},
                                       OtlpEncoding encoding = OtlpEncoding::Json);

} // namespace vigil
