// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Cuts the elements of chosen top-level arrays (`Records` of a CloudTrail file, `events` of
/// `aws logs filter-log-events` output) out of a stream of JSON objects, without ever holding
/// the document: bytes go in piece by piece, each element comes out on its own.
///
/// It only follows strings and brackets, so it never builds anything and never recurses:
/// nesting of any depth costs one counter. Each element is still parsed by its converter,
/// which rejects what is not valid JSON. An element longer than `maxElementBytes` is not
/// buffered: its first `keepBytes` are kept for quarantine and the rest skipped. Top-level
/// string values of `captureKeys` (the `logGroup` of a subscription payload) are kept, at
/// most 1 KiB each, for the elements that follow them. Objects may follow one another
/// (`{...}{...}`, what concatenating deliveries produces). Not thread-safe.
class JsonArrayStream
{
public:
    struct Options
    {
        std::vector<std::string> arrayKeys;   ///< top-level keys whose array elements are cut
        std::vector<std::string> captureKeys; ///< top-level string values kept for context
        std::size_t maxElementBytes = 1024 * 1024;
        std::size_t keepBytes = 64 * 1024;
        std::size_t maxDepth = 64; ///< deeper elements are flagged `tooDeep`
    };

    /// One element, valid only during the callback.
    struct Element
    {
        std::string_view text;     ///< the element, or its first keepBytes when oversized
        std::int64_t fullBytes = 0;
        bool oversized = false;
        bool tooDeep = false;
        bool truncated = false;    ///< the input ended inside it
        std::size_t arrayKey = 0;  ///< index into Options::arrayKeys
        std::int64_t endOffset = 0;///< stream offset just past the element
    };

    /// A fault of the document itself (not of one element): `code` is input.*.
    struct Fault
    {
        std::string code;
        std::string message;
        std::string raw; ///< a few bytes around the fault, for quarantine
        std::int64_t endOffset = 0;
    };

    using ElementSink = std::function<void(const Element&)>;
    using FaultSink = std::function<void(const Fault&)>;

    explicit JsonArrayStream(Options options);

    /// Feeds bytes; calls `onElement` for each complete element and `onFault` when the
    /// document is not an object (reading then stops: the rest is not JSON of this shape).
    void feed(std::string_view data, const ElementSink& onElement, const FaultSink& onFault);
    /// End of input: an element cut off is delivered with `truncated`; an unfinished
    /// document outside an element is a fault.
    void finish(const ElementSink& onElement, const FaultSink& onFault);

    /// The captured value of a top-level key of the current document, or nullptr.
    const std::string* captured(std::string_view key) const;
    /// Documents (top-level objects) completed so far.
    std::int64_t documents() const { return m_documents; }
    /// Whether a fault stopped reading.
    bool failed() const { return m_failed; }

private:
    enum class State : std::uint8_t {
        Between,      // outside any document
        ExpectKey,    // in the top-level object, before a key (or `}`)
        Key,          // inside a top-level key string
        ExpectColon,
        ExpectValue,
        SkipValue,    // a top-level value not of interest
        Capture,      // a top-level string value of a capture key
        ArrayItems,   // inside a chosen array, between elements
        InElement,
        AfterValue,   // after a top-level value, before `,` or `}`
    };

    void beginElement(std::string_view piece, std::size_t at);
    void appendElement(std::string_view bytes);
    void endElement(std::string_view piece, std::size_t end, const ElementSink& onElement,
                    bool truncated);
    void fault(std::string code, std::string message, std::string_view near,
               const FaultSink& onFault);

    Options m_options;
    State m_state = State::Between;
    std::int64_t m_offset = 0; // stream offset of the start of the current piece
    std::int64_t m_documents = 0;
    bool m_failed = false;

    std::string m_key;
    bool m_keyEscape = false;
    int m_arrayKey = -1;  // index of the chosen array being read
    int m_captureKey = -1;

    // A value being skipped or an element being read: bracket depth and string state.
    std::int64_t m_depth = 0;
    std::int64_t m_maxDepth = 0;
    bool m_inString = false;
    bool m_escape = false;
    bool m_scalar = false; // the element is a bare scalar (number, string, literal)

    // The element being read across pieces.
    std::string m_element;
    std::int64_t m_elementBytes = 0;
    bool m_elementSpans = false; // started in an earlier piece: m_element holds its head
    std::size_t m_elementStart = 0;

    std::vector<std::pair<std::string, std::string>> m_captured;
    std::string m_captureValue;
};

} // namespace vigil
