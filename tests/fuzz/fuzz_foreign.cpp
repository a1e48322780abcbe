// SPDX-License-Identifier: Apache-2.0
// The CloudWatch Logs and CloudTrail readers and format detection (core/ingest/inputformat):
// any bytes give records, never a crash; records are numbered in increasing input order;
// a rejection has an input.* code; and feeding the input in two pieces at any cut gives the
// same records as feeding it whole (the readers stream, they must not depend on buffering).
//
// Input: one byte choosing the format (auto, cloudwatch, cloudtrail), two bytes choosing the
// cut, then the document.

// Links: vigil_ingest

#include "fuzzsupport.h"

#include "ingest/inputformat.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace vigil;
    fuzz::Input in(data, size);
    static constexpr InputFormat kFormats[] = {InputFormat::Auto, InputFormat::CloudWatch,
                                               InputFormat::CloudTrail};
    InputFormat format = kFormats[in.byte() % 3];
    const std::size_t cut = in.range(0, 65535);
    const std::string_view doc = in.rest();
    if (format == InputFormat::Auto)
        format = detectInputFormat(doc.substr(0, kDetectBytes));
    if (format != InputFormat::CloudWatch && format != InputFormat::CloudTrail)
        return 0; // Vigil lines and OTLP have targets of their own

    const auto whole = convertDocument(format, doc);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        // Numbers follow the input (an S3 export's line numbers, gaps where lines are blank).
        fuzz::check(whole[i].recordNo > (i ? whole[i - 1].recordNo : 0),
                    "records are numbered in input order");
        if (whole[i].rejected())
            fuzz::check(whole[i].rejectCode.starts_with("input."), "a rejection has an input.* code",
                        whole[i].rejectCode);
        else
            fuzz::check(!whole[i].line.empty(), "a record is a line or a rejection");
    }

    auto reader = makeRecordReader(format, ReaderOptions{});
    fuzz::check(reader != nullptr, "CloudWatch and CloudTrail have a reader");
    std::vector<ForeignRecord> pieces;
    const RecordSink sink = [&](ForeignRecord&& r, std::int64_t) { pieces.push_back(std::move(r)); };
    const std::size_t at = std::min(cut, doc.size());
    reader->feed(doc.substr(0, at), sink);
    reader->feed(doc.substr(at), sink);
    reader->finish(sink);
    fuzz::check(pieces.size() == whole.size(), "two pieces give as many records as the whole",
                std::to_string(pieces.size()) + " vs " + std::to_string(whole.size()));
    for (std::size_t i = 0; i < whole.size() && i < pieces.size(); ++i)
        fuzz::check(pieces[i].line == whole[i].line && pieces[i].rejectCode == whole[i].rejectCode,
                    "two pieces give the same records as the whole", std::to_string(i + 1));
    return 0;
}
