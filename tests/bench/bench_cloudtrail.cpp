// SPDX-License-Identifier: Apache-2.0
// The CloudTrail import's stages, one thread, files held in memory (no I/O, no store), so
// each stage's cost per record can be told apart from the end-to-end figure of
// tests/bench/cloudtrail.sh:
//
//   cut      JsonArrayStream cutting the elements of Records[] (the reading thread's part)
//   convert  + convertCloudTrailRecord (a worker's part since conversion left the reader)
//   decode   + the Decoder on the converted line
//   scan     + the built-in rules' scan function, 16 events at a time as the workers do
//
//   bench_cloudtrail FILE.json...     (bench_gencloudtrail output)
#include "ingest/cloudconvert.h"
#include "ingest/decoder.h"
#include "ingest/jsonarraystream.h"
#include "pipeline/engine.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace vigil;

namespace {

enum class Stage { Cut, Convert, Decode, Scan };

std::int64_t run(const std::vector<std::string>& files, Stage stage, const ScanFunction& scan,
                 std::int64_t& checksum)
{
    Decoder decoder;
    std::vector<IngestedEvent> group(16);
    std::size_t used = 0;
    std::int64_t records = 0;
    ReaderOptions options;
    const JsonArrayStream::ElementSink onElement = [&](const JsonArrayStream::Element& e) {
        ++records;
        if (stage == Stage::Cut) {
            checksum += static_cast<std::int64_t>(e.text.size());
            return;
        }
        const ForeignRecord r = convertCloudTrailRecord(e.text, records, options);
        checksum += static_cast<std::int64_t>(r.line.size());
        if (stage == Stage::Convert || r.rejected())
            return;
        if (!decoder.decode(r.line, group[used].event))
            return;
        if (stage == Stage::Decode)
            return;
        if (++used == group.size()) {
            scan(group);
            for (IngestedEvent& ie : group) {
                checksum += static_cast<std::int64_t>(ie.findings.size());
                ie.findings.clear();
            }
            used = 0;
        }
    };
    const JsonArrayStream::FaultSink onFault = [](const JsonArrayStream::Fault& f) {
        std::fprintf(stderr, "bench_cloudtrail: %s\n", f.message.c_str());
    };
    for (const std::string& bytes : files) {
        JsonArrayStream::Options o;
        o.arrayKeys = {"Records"};
        JsonArrayStream stream(o);
        for (std::size_t at = 0; at < bytes.size(); at += 1 << 20)
            stream.feed(std::string_view(bytes).substr(at, 1 << 20), onElement, onFault);
        stream.finish(onElement, onFault);
    }
    return records;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_cloudtrail FILE.json...\n");
        return 1;
    }
    std::vector<std::string> files;
    std::size_t bytes = 0;
    for (int i = 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "bench_cloudtrail: cannot read %s\n", argv[i]);
            return 1;
        }
        files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        bytes += files.back().size();
    }
    auto engine = Engine::load(std::nullopt, std::nullopt);
    if (!engine) {
        std::fprintf(stderr, "bench_cloudtrail: %s\n", engine.error().message.c_str());
        return 1;
    }
    const ScanFunction scan = engine->scanFactory()();
    const std::pair<const char*, Stage> stages[] = {
        {"cut", Stage::Cut}, {"+ convert", Stage::Convert}, {"+ decode", Stage::Decode}, {"+ scan", Stage::Scan}};
    double previous = 0;
    for (const auto& [name, stage] : stages) {
        std::int64_t checksum = 0;
        const auto t0 = std::chrono::steady_clock::now();
        const std::int64_t n = run(files, stage, scan, checksum);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-10s %9lld records %7.3f s %10.0f records/s %7.1f MB/s %6.2f us/record "
                    "(stage %5.2f us)  [%lld]\n",
                    name, static_cast<long long>(n), s, double(n) / s, double(bytes) / 1e6 / s,
                    s * 1e6 / double(n), (s - previous) * 1e6 / double(n),
                    static_cast<long long>(checksum));
        previous = s;
    }
    return 0;
}
