// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::scan {

/// The statistical prompt-injection model (rule kind `classifier`): logistic regression over
/// hashed word and character n-grams of the phrase view (TextNormalizer::phrase). Features,
/// hashing (FNV-1a 64 of each n-gram's UTF-8, masked to `bucket_bits`) and windowing are
/// those of tools/injection/features.py, which trained the weights; the two must stay in
/// step (tests/core/scan/tst_injectionclassifier.cpp checks the scores agree).
/// Immutable after parse(); score() and explain() are thread-safe.
class InjectionClassifier
{
public:
    /// Parses the text model format written by tools/injection/train.py
    /// (resources/models/injection.txt). Fails with `model.invalid` naming the line.
    static Result<InjectionClassifier> parse(std::string_view text);

    /// The embedded model `models/injection.txt`.
    static Result<InjectionClassifier> builtin();

    /// Score of one phrase-view text: the highest window's probability, in [0, 1].
    struct Score
    {
        double score = 0;
        std::size_t begin = 0, end = 0; ///< byte range of the best window in the view
    };
    Score score(std::string_view view) const;

    /// An n-gram of a window and how far it pushed the logit up (weight x feature value).
    struct Contribution
    {
        std::string gram; ///< the n-gram as text (word, "word word" or characters)
        double logit = 0;
    };
    /// The `n` n-grams of `window` (a byte range score() returned) that raised its score
    /// most: words and word pairs first, largest first, then character n-grams if fewer
    /// than `n` words contributed; only positive contributions, one per distinct text.
    std::vector<Contribution> explain(std::string_view window, std::size_t n) const;

    std::size_t weightCount() const { return m_count; }

private:
    InjectionClassifier() = default;
    double windowLogit(std::string_view window, std::vector<std::uint32_t>& buckets) const;
    double weight(std::uint32_t bucket) const;

    int m_bucketBits = 20;
    int m_ngramMin = 2, m_ngramMax = 5;
    std::size_t m_window = 1024, m_stride = 512, m_maxWindows = 16;
    double m_bias = 0, m_scale = 1;
    std::size_t m_count = 0;
    /// Open addressing: key bucket + 1 (0 = empty), quantised weight.
    std::vector<std::uint32_t> m_keys;
    std::vector<std::int16_t> m_q;
};

} // namespace vigil::scan
