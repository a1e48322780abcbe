// SPDX-License-Identifier: Apache-2.0
#include "scan/injectionclassifier.h"

#include "base/embedded.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace vigil::scan {
namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;

std::uint64_t fnv(std::uint64_t h, std::string_view bytes)
{
    for (char c : bytes)
        h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
    return h;
}

double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}

/// Byte offset of every code point start of `s`, plus s.size() at the end.
void codePointStarts(std::string_view s, std::vector<std::size_t>& out)
{
    out.clear();
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
            out.push_back(i);
    out.push_back(s.size());
}

/// Calls f(prefix, gram) for every feature of one window, in features.py's order.
template <class F>
void forEachGram(std::string_view window, int nMin, int nMax, F&& f)
{
    std::vector<std::string_view> toks;
    std::size_t b = 0;
    for (std::size_t i = 0; i <= window.size(); ++i) {
        if (i == window.size() || window[i] == ' ' || window[i] == ':') {
            if (i > b)
                toks.push_back(window.substr(b, i - b));
            b = i + 1;
        }
    }
    std::string pair;
    for (std::string_view t : toks)
        f("w:", t);
    for (std::size_t i = 0; i + 1 < toks.size(); ++i) {
        pair.assign(toks[i]);
        pair += ' ';
        pair += toks[i + 1];
        f("b:", std::string_view(pair));
    }
    std::string padded;
    padded.reserve(window.size() + 2);
    padded += ' ';
    padded += window;
    padded += ' ';
    std::vector<std::size_t> cp;
    codePointStarts(padded, cp);
    const std::size_t count = cp.size() - 1;
    for (int n = nMin; n <= nMax; ++n)
        for (std::size_t i = 0; i + std::size_t(n) <= count; ++i)
            f("c:", std::string_view(padded).substr(cp[i], cp[i + std::size_t(n)] - cp[i]));
}

bool parseNumber(std::string_view s, double& out)
{
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

template <class T>
bool parseInt(std::string_view s, T& out)
{
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

} // namespace

Result<InjectionClassifier> InjectionClassifier::parse(std::string_view text)
{
    InjectionClassifier m;
    std::vector<std::pair<std::uint32_t, std::int16_t>> weights;
    std::size_t declared = 0;
    bool sawFormat = false;
    std::size_t lineNo = 0;
    auto bad = [&](const std::string& what) {
        return fail("model.invalid", "models/injection.txt: line " + std::to_string(lineNo) +
                                         ": " + what);
    };
    while (!text.empty()) {
        ++lineNo;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || line[0] == '#')
            continue;
        std::vector<std::string_view> f;
        for (std::size_t b = 0; b < line.size();) {
            const std::size_t e = std::min(line.find(' ', b), line.size());
            if (e > b)
                f.push_back(line.substr(b, e - b));
            b = e + 1;
        }
        const std::string_view key = f[0];
        if (key[0] >= '0' && key[0] <= '9') {
            std::uint32_t bucket = 0;
            int q = 0;
            if (f.size() != 2 || !parseInt(f[0], bucket) || !parseInt(f[1], q) || q < -32768 ||
                q > 32767)
                return bad("expected \"bucket weight\"");
            weights.emplace_back(bucket, std::int16_t(q));
            continue;
        }
        if (key == "format") {
            if (f.size() != 2 || f[1] != "1")
                return bad("unsupported format (expected 1)");
            sawFormat = true;
        } else if (key == "bucket_bits") {
            if (f.size() != 2 || !parseInt(f[1], m.m_bucketBits) || m.m_bucketBits < 8 ||
                m.m_bucketBits > 31)
                return bad("bucket_bits must be 8..31");
        } else if (key == "ngrams") {
            if (f.size() != 3 || !parseInt(f[1], m.m_ngramMin) || !parseInt(f[2], m.m_ngramMax) ||
                m.m_ngramMin < 1 || m.m_ngramMax < m.m_ngramMin || m.m_ngramMax > 8)
                return bad("ngrams: expected min max, 1 <= min <= max <= 8");
        } else if (key == "window") {
            if (f.size() != 4 || !parseInt(f[1], m.m_window) || !parseInt(f[2], m.m_stride) ||
                !parseInt(f[3], m.m_maxWindows) || m.m_window == 0 || m.m_stride == 0 ||
                m.m_maxWindows == 0)
                return bad("window: expected size stride count, all positive");
        } else if (key == "bias") {
            if (f.size() != 2 || !parseNumber(f[1], m.m_bias))
                return bad("bias: expected a number");
        } else if (key == "scale") {
            if (f.size() != 2 || !parseNumber(f[1], m.m_scale) || !(m.m_scale > 0))
                return bad("scale: expected a positive number");
        } else if (key == "weights") {
            if (f.size() != 2 || !parseInt(f[1], declared))
                return bad("weights: expected a count");
        } else {
            return bad("unknown key " + std::string(key));
        }
    }
    if (!sawFormat)
        return fail("model.invalid", "models/injection.txt: no format line");
    if (weights.size() != declared)
        return fail("model.invalid", "models/injection.txt: " + std::to_string(weights.size()) +
                                         " weights, header says " + std::to_string(declared));
    std::size_t cap = 16;
    while (cap < weights.size() * 2)
        cap *= 2;
    m.m_keys.assign(cap, 0);
    m.m_q.assign(cap, 0);
    const std::uint32_t mask = (std::uint32_t(1) << m.m_bucketBits) - 1;
    for (const auto& [bucket, q] : weights) {
        if (bucket > mask)
            return fail("model.invalid", "models/injection.txt: bucket " +
                                             std::to_string(bucket) + " out of range");
        std::size_t at = (bucket * 2654435761u) & (cap - 1);
        while (m.m_keys[at] != 0 && m.m_keys[at] != bucket + 1)
            at = (at + 1) & (cap - 1);
        m.m_keys[at] = bucket + 1;
        m.m_q[at] = q;
    }
    m.m_count = weights.size();
    return m;
}

Result<InjectionClassifier> InjectionClassifier::builtin()
{
    const auto text = embeddedResource("models/injection.txt");
    if (!text)
        return fail("model.missing", "the embedded resources hold no models/injection.txt");
    return parse(*text);
}

double InjectionClassifier::weight(std::uint32_t bucket) const
{
    const std::size_t cap = m_keys.size();
    std::size_t at = (bucket * 2654435761u) & (cap - 1);
    while (m_keys[at] != 0) {
        if (m_keys[at] == bucket + 1)
            return double(m_q[at]) * m_scale;
        at = (at + 1) & (cap - 1);
    }
    return 0.0;
}

double InjectionClassifier::windowLogit(std::string_view window,
                                        std::vector<std::uint32_t>& buckets) const
{
    const std::uint64_t mask = (std::uint64_t(1) << m_bucketBits) - 1;
    buckets.clear();
    forEachGram(window, m_ngramMin, m_ngramMax, [&](std::string_view prefix, std::string_view g) {
        buckets.push_back(std::uint32_t(fnv(fnv(kFnvOffset, prefix), g) & mask));
    });
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    if (buckets.empty())
        return m_bias;
    const double value = 1.0 / std::sqrt(double(buckets.size()));
    double sum = 0;
    for (std::uint32_t b : buckets)
        sum += weight(b);
    return m_bias + value * sum;
}

InjectionClassifier::Score InjectionClassifier::score(std::string_view view) const
{
    std::vector<std::size_t> cp;
    codePointStarts(view, cp);
    const std::size_t n = cp.size() - 1;
    std::vector<std::uint32_t> buckets;
    Score best;
    best.score = -1;
    std::size_t windows = 0;
    for (std::size_t start = 0;; start += m_stride) {
        const std::size_t end = std::min(n, start + m_window);
        const double s = sigmoid(windowLogit(view.substr(cp[start], cp[end] - cp[start]), buckets));
        if (s > best.score)
            best = Score{s, cp[start], cp[end]};
        if (end >= n || ++windows == m_maxWindows)
            break;
    }
    return best;
}

std::vector<InjectionClassifier::Contribution>
InjectionClassifier::explain(std::string_view window, std::size_t n) const
{
    const std::uint64_t mask = (std::uint64_t(1) << m_bucketBits) - 1;
    std::vector<std::uint32_t> buckets;
    windowLogit(window, buckets);
    const double value = buckets.empty() ? 0.0 : 1.0 / std::sqrt(double(buckets.size()));
    // bucket -> first gram that produced it, and whether that was a word or word pair
    std::map<std::uint32_t, std::pair<std::string, bool>> first;
    forEachGram(window, m_ngramMin, m_ngramMax, [&](std::string_view prefix, std::string_view g) {
        const auto b = std::uint32_t(fnv(fnv(kFnvOffset, prefix), g) & mask);
        first.try_emplace(b, std::string(g), prefix != "c:");
    });
    struct Ranked
    {
        Contribution c;
        bool word;
    };
    std::vector<Ranked> ranked;
    for (const auto& [b, gram] : first) {
        const double c = weight(b) * value;
        if (c > 0)
            ranked.push_back(Ranked{Contribution{gram.first, c}, gram.second});
    }
    // Words and word pairs read better than character fragments: they come first.
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        if (a.word != b.word)
            return a.word;
        return a.c.logit != b.c.logit ? a.c.logit > b.c.logit : a.c.gram < b.c.gram;
    });
    std::vector<Contribution> all;
    for (Ranked& r : ranked)
        all.push_back(std::move(r.c));
    std::vector<Contribution> out;
    for (Contribution& c : all) {
        if (out.size() == n)
            break;
        std::string t = c.gram;
        while (!t.empty() && t.front() == ' ')
            t.erase(t.begin());
        while (!t.empty() && t.back() == ' ')
            t.pop_back();
        if (t.empty() || std::any_of(out.begin(), out.end(),
                                     [&](const Contribution& o) { return o.gram == t; }))
            continue;
        out.push_back(Contribution{std::move(t), c.logit});
    }
    return out;
}

} // namespace vigil::scan
