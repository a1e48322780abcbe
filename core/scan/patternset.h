// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

struct hs_database;
struct hs_scratch;

namespace vigil::scan {

/// One expression for a PatternSet: Hyperscan syntax and flags, reported back as `id`.
struct HsPattern
{
    std::string expression;
    unsigned flags = 0;
    unsigned id = 0;
};

/// A match: pattern id and byte offsets (`from` is 0 unless the pattern asked for SOM).
struct HsMatch
{
    unsigned id = 0;
    std::size_t from = 0;
    std::size_t to = 0;
};

/// A compiled Hyperscan block-mode database. Immutable after compile(); scanning is
/// thread-safe given one scratch per thread. Move-only.
class PatternSet
{
public:
    struct CompileError
    {
        int index = -1; ///< offending expression, -1 when not attributable
        std::string message;
    };

    PatternSet() = default;
    PatternSet(PatternSet&& other) noexcept;
    PatternSet& operator=(PatternSet&& other) noexcept;
    PatternSet(const PatternSet&) = delete;
    PatternSet& operator=(const PatternSet&) = delete;
    ~PatternSet();

    /// Compiles `patterns` (an empty list yields an empty set that never matches). Compiling
    /// the built-in rules takes ~0.3 s of two cores, so the compiled database is kept in
    /// cacheFolder() and reused when every input (expressions, flags, ids, Hyperscan version,
    /// CPU features) is the same; a missing, foreign or damaged file is compiled afresh.
    static std::expected<PatternSet, CompileError> compile(const std::vector<HsPattern>& patterns);

    /// `$XDG_CACHE_HOME/vigil/patterns` (`~/.cache` when unset); empty when neither is set.
    static std::string cacheFolder();

    /// Whether the last compile() on this thread was served from the cache (for tests).
    static bool lastCompileWasCached();

    bool empty() const { return m_db == nullptr; }

    /// Grows `*scratch` (allocating it when null) to serve this database.
    bool allocScratch(hs_scratch** scratch) const;

    /// Appends every match in `data` to `out`.
    void scan(std::string_view data, hs_scratch* scratch, std::vector<HsMatch>& out) const;

private:
    hs_database* m_db = nullptr;
};

} // namespace vigil::scan
