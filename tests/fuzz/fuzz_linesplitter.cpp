// SPDX-License-Identifier: Apache-2.0
// The line splitter (core/ingest/linesplitter): however a stream is cut into reads, the same
// lines come out; no line is buffered beyond its limit; every byte is accounted for (the
// lines' lengths plus their newlines add up to the stream, offsets run without gaps), and an
// overlong line keeps exactly its first `keepBytes`.
//
// Input: two bytes for the line limit (1..512), two for the kept prefix (0..limit), one seed
// for the read sizes; the rest is the stream.

// Links: vigil_ingest

#include "fuzzsupport.h"

#include "ingest/linesplitter.h"

namespace {

using vigil::fuzz::check;

struct Line
{
    std::string text;
    bool overlong = false;
    std::int64_t fullBytes = 0;
    std::int64_t endOffset = 0;

    bool operator==(const Line&) const = default;
};

struct Result
{
    std::vector<Line> lines;
    bool finished = false;
    std::int64_t committed = 0;
};

Result split(std::string_view stream, std::size_t maxLine, std::size_t keep, std::uint8_t seed)
{
    vigil::LineSplitter splitter(maxLine, keep);
    Result r;
    const auto sink = [&](const vigil::SplitLine& l) {
        r.lines.push_back(Line{std::string(l.text), l.overlong, l.fullBytes, l.endOffset});
    };
    // Reads of 1..(2 * maxLine) bytes in a pattern set by `seed`; 0 means one single read.
    std::size_t step = seed;
    while (!stream.empty()) {
        std::size_t n = stream.size();
        if (seed != 0) {
            step = step * 33 + 7;
            n = std::min(n, 1 + step % (2 * maxLine));
        }
        splitter.feed(stream.substr(0, n), sink);
        check(splitter.pendingBytes() <= std::max(maxLine, keep),
              "a partial line is held only up to the limit",
              std::to_string(splitter.pendingBytes()) + " bytes held, limit " +
                  std::to_string(maxLine));
        stream.remove_prefix(n);
    }
    const std::int64_t beforeFinish = splitter.committedOffset();
    check(r.lines.empty() || r.lines.back().endOffset == beforeFinish,
          "the committed offset is the end of the last complete line");
    r.finished = splitter.finish(sink);
    r.committed = splitter.committedOffset();
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    vigil::fuzz::Input in(data, size);
    const std::size_t maxLine = in.range(1, 512);
    const std::size_t keep = in.range(0, maxLine);
    const std::uint8_t seed = in.byte();
    const std::string_view stream = in.rest();

    const Result whole = split(stream, maxLine, keep, 0);
    const Result pieces = split(stream, maxLine, keep, seed == 0 ? 1 : seed);
    check(whole.lines == pieces.lines && whole.finished == pieces.finished,
          "how the stream is cut into reads changes nothing",
          std::to_string(whole.lines.size()) + " lines vs " + std::to_string(pieces.lines.size()));

    std::int64_t offset = 0;
    for (std::size_t i = 0; i < whole.lines.size(); ++i) {
        const Line& l = whole.lines[i];
        const bool last = i + 1 == whole.lines.size();
        const bool hasNewline = !(last && whole.finished);
        const std::string_view original =
            stream.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(l.fullBytes));
        check(original.size() == static_cast<std::size_t>(l.fullBytes),
              "a line lies inside the stream");
        check(original.find('\n') == std::string_view::npos, "a line holds no newline");
        check(!hasNewline || stream[static_cast<std::size_t>(offset + l.fullBytes)] == '\n',
              "a complete line ends at a newline");
        check(l.overlong == (static_cast<std::size_t>(l.fullBytes) > maxLine),
              "a line is overlong exactly when it is longer than the limit",
              std::to_string(l.fullBytes) + " bytes, limit " + std::to_string(maxLine));
        if (l.overlong)
            check(l.text == original.substr(0, keep), "an overlong line keeps its first bytes",
                  std::to_string(l.text.size()) + " kept of " + std::to_string(l.fullBytes) +
                      ", keep " + std::to_string(keep));
        else
            check(l.text == original, "a line is passed on as it was");
        offset += l.fullBytes + (hasNewline ? 1 : 0);
        check(l.endOffset == offset, "offsets run without gaps",
              std::to_string(l.endOffset) + " vs " + std::to_string(offset));
    }
    check(offset == static_cast<std::int64_t>(stream.size()), "every byte is accounted for",
          std::to_string(offset) + " of " + std::to_string(stream.size()));
    check(whole.committed == offset, "after finish() the offset is the end of the stream");
    return 0;
}
