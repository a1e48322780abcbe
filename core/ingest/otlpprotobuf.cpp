// SPDX-License-Identifier: Apache-2.0
#include "ingest/otlpprotobuf.h"

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace vigil::otlppb {
namespace {

namespace pb = google::protobuf;
namespace collector = opentelemetry::proto::collector;

/// JSON output into a string that refuses to grow past a limit: the converter then stops
/// with an error instead of filling memory (a small body can expand: a two-byte field
/// becomes a named JSON member).
class BoundedStringOutput final : public pb::io::ZeroCopyOutputStream
{
public:
    BoundedStringOutput(std::string& out, std::size_t limit) : m_out(out), m_limit(limit) {}

    bool Next(void** data, int* size) override
    {
        const std::size_t used = m_out.size();
        if (used >= m_limit) {
            m_over = true;
            return false;
        }
        const std::size_t grow = std::min<std::size_t>(
            {m_limit - used, std::max<std::size_t>(used, 4096), std::size_t{INT_MAX / 2}});
        m_out.resize(used + grow);
        *data = m_out.data() + used;
        *size = static_cast<int>(grow);
        return true;
    }

    void BackUp(int count) override { m_out.resize(m_out.size() - static_cast<std::size_t>(count)); }

    std::int64_t ByteCount() const override { return static_cast<std::int64_t>(m_out.size()); }

    bool over() const { return m_over; }

private:
    std::string& m_out;
    const std::size_t m_limit;
    bool m_over = false;
};

/// Deeper nesting than this is refused; OTLP itself nests about eight levels, and
/// attribute values (kvlist in kvlist) are the only way deeper.
constexpr int kMaxDepth = 64;

enum class Wire : std::uint32_t { Varint = 0, Fixed64 = 1, Delimited = 2, Fixed32 = 5 };

Wire wireOf(const pb::FieldDescriptor& f)
{
    switch (f.type()) {
    case pb::FieldDescriptor::TYPE_DOUBLE:
    case pb::FieldDescriptor::TYPE_FIXED64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
        return Wire::Fixed64;
    case pb::FieldDescriptor::TYPE_FLOAT:
    case pb::FieldDescriptor::TYPE_FIXED32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
        return Wire::Fixed32;
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES:
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
        return Wire::Delimited;
    default:
        return Wire::Varint;
    }
}

/// Checks that `size` bytes at `data` are a well-formed `type` message in protobuf's wire
/// format: every tag and length is sound, known fields have their declared wire type,
/// strings are UTF-8, nested messages are checked in turn, no deeper than kMaxDepth.
/// Unknown fields are skipped, as protobuf does; groups, which proto3 has not, are refused.
/// Protobuf's JSON converter is lenient about damaged input (it may stop early without an
/// error), so nothing reaches it before this has passed. Reads only; allocates nothing.
/// On failure `why` says what, at which byte offset of the body (`base` is this message's).
bool wellFormed(const pb::Descriptor& type, const std::uint8_t* data, int size, std::size_t base,
                int depth, std::string& why)
{
    if (depth > kMaxDepth) {
        why = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
        return false;
    }
    pb::io::CodedInputStream in(data, size);
    in.SetRecursionLimit(kMaxDepth + 1);
    const auto at = [&] { return std::to_string(base + static_cast<std::size_t>(in.CurrentPosition())); };
    while (true) {
        const std::uint32_t tag = in.ReadTag();
        if (tag == 0) {
            if (in.CurrentPosition() != size) {
                why = "a field number of 0 at byte " + at();
                return false;
            }
            return true;
        }
        const auto wire = static_cast<Wire>(tag & 7);
        const int number = static_cast<int>(tag >> 3);
        const pb::FieldDescriptor* field = type.FindFieldByNumber(number);
        // Spelled out only for a message: this loop runs for every field of every body.
        const auto name = [&] {
            return field ? std::string(type.name()) + "." + field->name()
                         : "field " + std::to_string(number);
        };
        const bool packed = field && field->is_repeated() && wireOf(*field) != Wire::Delimited &&
                            wire == Wire::Delimited;
        if (field && wire != wireOf(*field) && !packed) {
            why = name() + " has wire type " + std::to_string(tag & 7) + " at byte " + at() +
                  ", not its declared one";
            return false;
        }
        switch (wire) {
        case Wire::Varint: {
            std::uint64_t v = 0;
            if (!in.ReadVarint64(&v)) {
                why = name() + ": a varint runs past the end at byte " + at();
                return false;
            }
            break;
        }
        case Wire::Fixed64: {
            std::uint64_t v = 0;
            if (!in.ReadLittleEndian64(&v)) {
                why = name() + ": 8 bytes run past the end at byte " + at();
                return false;
            }
            break;
        }
        case Wire::Fixed32: {
            std::uint32_t v = 0;
            if (!in.ReadLittleEndian32(&v)) {
                why = name() + ": 4 bytes run past the end at byte " + at();
                return false;
            }
            break;
        }
        case Wire::Delimited: {
            std::uint32_t length = 0;
            if (!in.ReadVarint32(&length) ||
                static_cast<std::uint64_t>(length) > static_cast<std::uint64_t>(size - in.CurrentPosition())) {
                why = name() + ": its length runs past the end of its message at byte " + at();
                return false;
            }
            const int offset = in.CurrentPosition();
            const std::uint8_t* inner = data + offset;
            const int n = static_cast<int>(length);
            if (field && field->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
                if (!wellFormed(*field->message_type(), inner, n,
                                base + static_cast<std::size_t>(offset), depth + 1, why))
                    return false;
            } else if (field && field->type() == pb::FieldDescriptor::TYPE_STRING) {
                if (!simdjson::validate_utf8(reinterpret_cast<const char*>(inner), length)) {
                    why = name() + " is not valid UTF-8 (at byte " + at() + ")";
                    return false;
                }
            } else if (packed) {
                pb::io::CodedInputStream values(inner, n);
                while (values.CurrentPosition() < n) {
                    std::uint64_t v64 = 0;
                    std::uint32_t v32 = 0;
                    const Wire w = wireOf(*field);
                    const bool ok = w == Wire::Varint    ? values.ReadVarint64(&v64)
                                    : w == Wire::Fixed64 ? values.ReadLittleEndian64(&v64)
                                                         : values.ReadLittleEndian32(&v32);
                    if (!ok) {
                        why = name() + ": its packed values run past their end at byte " + at();
                        return false;
                    }
                }
            }
            in.Skip(n);
            break;
        }
        default:
            why = name() + " has wire type " + std::to_string(tag & 7) + " at byte " + at() +
                  (wire == Wire{3} || wire == Wire{4} ? " (a group, which proto3 has not)"
                                                      : ", which protobuf does not define");
            return false;
        }
    }
}

/// Resolves the schemas compiled into this library. DescriptorPoolTypeResolver only reads
/// the immutable generated pool, so one instance serves every thread.
pb::util::TypeResolver& resolver()
{
    static const std::unique_ptr<pb::util::TypeResolver> instance = [] {
        // Touching the descriptors links their registration into a static build.
        collector::trace::v1::ExportTraceServiceRequest::descriptor();
        collector::logs::v1::ExportLogsServiceRequest::descriptor();
        return std::unique_ptr<pb::util::TypeResolver>(pb::util::NewTypeResolverForDescriptorPool(
            "type.googleapis.com", pb::DescriptorPool::generated_pool()));
    }();
    return *instance;
}

} // namespace

Result<std::string> toJson(OtlpSignal signal, std::string_view body, std::size_t maxJsonBytes)
{
    if (body.size() > static_cast<std::size_t>(INT_MAX))
        return fail("input.too_long", "the protobuf body is over 2 GiB");
    const pb::Descriptor* type = signal == OtlpSignal::Traces
                                     ? collector::trace::v1::ExportTraceServiceRequest::descriptor()
                                        : collector::logs::v1::ExportLogsServiceRequest::descriptor();
    if (std::string why; !wellFormed(*type, reinterpret_cast<const std::uint8_t*>(body.data()),
                                     static_cast<int>(body.size()), 0, 0, why))
        return fail("input.invalid_protobuf",
                    std::string("the body is not a valid OTLP ") + std::string(type->name()) +
                        " in protobuf form: " + why);
    pb::util::JsonPrintOptions options;
    options.always_print_enums_as_ints = true; // OTLP/JSON writes enums as numbers
    std::string json;
    const std::string typeUrl = "type.googleapis.com/" + type->full_name();
    pb::io::ArrayInputStream in(body.data(), static_cast<int>(body.size()));
    BoundedStringOutput out(json, maxJsonBytes);
    pb::util::Status status;
    try {
        status = pb::util::BinaryToJsonStream(&resolver(), typeUrl, &in, &out, options);
    } catch (const std::bad_alloc&) {
        return fail("input.too_long", "not enough memory to read a protobuf body of " +
                                          std::to_string(body.size()) + " bytes");
    }
    if (out.over())
        return fail("input.too_long",
                    "the protobuf body of " + std::to_string(body.size()) +
                        " bytes expands to more than " + std::to_string(maxJsonBytes) +
                        " bytes of records; send smaller batches");
    if (!status.ok())
        return fail("input.invalid_protobuf",
                    std::string("the body is not a valid OTLP ") + std::string(type->name()) +
                        " in protobuf form (" + std::string(status.message()) + ")");
    return json;
}

std::string quarantineText(std::string_view body, std::size_t maxChars)
{
    std::string out = "protobuf (" + std::to_string(body.size()) + " bytes), base64: ";
    if (out.size() >= maxChars)
        return out;
    // Whole groups of three bytes, as many as fit: four characters each.
    const std::size_t bytes = std::min(body.size(), (maxChars - out.size()) / 4 * 3);
    const std::size_t at = out.size();
    out.resize(at + (bytes + 2) / 3 * 4 + 1); // EVP_EncodeBlock writes a NUL too
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + at),
                                  reinterpret_cast<const unsigned char*>(body.data()),
                                  static_cast<int>(bytes));
    out.resize(at + static_cast<std::size_t>(n));
    return out;
}

std::string exportResponse(OtlpSignal signal, std::int64_t rejected, std::string_view message)
{
    std::string out;
    if (signal == OtlpSignal::Traces) {
        collector::trace::v1::ExportTraceServiceResponse r;
        if (rejected > 0) {
            r.mutable_partial_success()->set_rejected_spans(rejected);
            r.mutable_partial_success()->set_error_message(std::string(message));
        }
        r.SerializeToString(&out);
    } else {
        collector::logs::v1::ExportLogsServiceResponse r;
        if (rejected > 0) {
            r.mutable_partial_success()->set_rejected_log_records(rejected);
            r.mutable_partial_success()->set_error_message(std::string(message));
        }
        r.SerializeToString(&out);
    }
    return out;
}

std::string errorStatus(int grpcCode, std::string_view message)
{
    google::rpc::Status s;
    s.set_code(grpcCode);
    s.set_message(std::string(message));
    std::string out;
    s.SerializeToString(&out);
    return out;
}

} // namespace vigil::otlppb
