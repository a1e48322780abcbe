// SPDX-License-Identifier: Apache-2.0
#include "scan/patternset.h"

#include <hs/hs.h>

#include <utility>

namespace vigil::scan {
namespace {

int onMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned, void* ctx)
{
    static_cast<std::vector<HsMatch>*>(ctx)->push_back(
        HsMatch{id, static_cast<std::size_t>(from), static_cast<std::size_t>(to)});
    return 0;
}

} // namespace

PatternSet::PatternSet(PatternSet&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}

PatternSet& PatternSet::operator=(PatternSet&& other) noexcept
{
    if (this != &other) {
        hs_free_database(m_db);
        m_db = std::exchange(other.m_db, nullptr);
    }
    return *this;
}

PatternSet::~PatternSet()
{
    hs_free_database(m_db);
}

std::expected<PatternSet, PatternSet::CompileError>
PatternSet::compile(const std::vector<HsPattern>& patterns)
{
    PatternSet set;
    if (patterns.empty())
        return set;
    std::vector<const char*> exprs;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    for (const HsPattern& p : patterns) {
        exprs.push_back(p.expression.c_str());
        flags.push_back(p.flags);
        ids.push_back(p.id);
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), unsigned(exprs.size()), HS_MODE_BLOCK,
                         nullptr, &set.m_db, &err) != HS_SUCCESS) {
        CompileError e{err ? err->expression : -1, err && err->message ? err->message : "unknown error"};
        hs_free_compile_error(err);
        return std::unexpected(std::move(e));
    }
    return set;
}

bool PatternSet::allocScratch(hs_scratch** scratch) const
{
    return !m_db || hs_alloc_scratch(m_db, scratch) == HS_SUCCESS;
}

void PatternSet::scan(std::string_view data, hs_scratch* scratch, std::vector<HsMatch>& out) const
{
    if (!m_db)
        return;
    hs_scan(m_db, data.data(), unsigned(data.size()), 0, scratch, onMatch, &out);
}

} // namespace vigil::scan
