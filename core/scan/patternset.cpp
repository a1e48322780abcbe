// SPDX-License-Identifier: Apache-2.0
#include "scan/patternset.h"

#include <hs/hs.h>

#include <fcntl.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

namespace vigil::scan {
namespace {

int onMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned, void* ctx)
{
    static_cast<std::vector<HsMatch>*>(ctx)->push_back(
        HsMatch{id, static_cast<std::size_t>(from), static_cast<std::size_t>(to)});
    return 0;
}

thread_local bool t_lastCached = false;

constexpr std::string_view kCacheMagic = "vigil.hs.1\n";
constexpr std::size_t kMaxCacheFiles = 8;

// Everything that decides the compiled database, spelled out: the file holds it and is used
// only when it matches byte for byte (a hash would only name the file).
std::string keyMaterial(const std::vector<HsPattern>& patterns)
{
    std::string k = hs_version();
    hs_platform_info_t platform{};
    if (hs_populate_platform(&platform) == HS_SUCCESS)
        k += "|tune=" + std::to_string(platform.tune) +
             "|cpu=" + std::to_string(platform.cpu_features);
    for (const HsPattern& p : patterns) {
        k += '\n' + std::to_string(p.id) + ':' + std::to_string(p.flags) + ':' +
             std::to_string(p.expression.size()) + ':';
        k += p.expression;
    }
    return k;
}

std::string fileNameFor(const std::string& key)
{
    std::uint64_t h = 1469598103934665603ull; // FNV-1a
    for (unsigned char c : key)
        h = (h ^ c) * 1099511628211ull;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string name;
    for (int shift = 60; shift >= 0; shift -= 4)
        name += kHex[(h >> shift) & 0xF];
    return name + ".hsdb";
}

// A folder of our own: created 0700, and used only when it is a real folder owned by us
// and closed to others (a database planted by another user must not decide detection).
bool privateFolder(const std::filesystem::path& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())
        return false;
    if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
        return false;
    return true;
}

std::optional<hs_database_t*> loadCached(const std::filesystem::path& file, const std::string& key)
{
    struct stat st{};
    if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 077) != 0)
        return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t head = kCacheMagic.size() + key.size();
    if (data.size() <= head || data.compare(0, kCacheMagic.size(), kCacheMagic) != 0 ||
        data.compare(kCacheMagic.size(), key.size(), key) != 0)
        return std::nullopt;
    hs_database_t* db = nullptr;
    if (hs_deserialize_database(data.data() + head, data.size() - head, &db) != HS_SUCCESS)
        return std::nullopt;
    return db;
}

void storeCached(const std::filesystem::path& dir, const std::filesystem::path& file,
                 const std::string& key, const hs_database_t* db)
{
    char* bytes = nullptr;
    std::size_t length = 0;
    if (hs_serialize_database(db, &bytes, &length) != HS_SUCCESS)
        return;
    const std::string tmp = file.string() + ".tmp" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    auto put = [&](const void* p, std::size_t n) {
        const char* c = static_cast<const char*>(p);
        while (ok && n > 0) {
            const ssize_t w = ::write(fd, c, n);
            ok = w > 0;
            if (ok) {
                c += w;
                n -= static_cast<std::size_t>(w);
            }
        }
    };
    put(kCacheMagic.data(), kCacheMagic.size());
    put(key.data(), key.size());
    put(bytes, length);
    std::free(bytes);
    if (fd >= 0)
        ok = ::close(fd) == 0 && ok;
    std::error_code ec;
    if (ok)
        std::filesystem::rename(tmp, file, ec);
    if (!ok || ec) {
        std::filesystem::remove(tmp, ec);
        return;
    }
    // Keep the newest few: rule packs change rarely, and each file is a few MB at most.
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".hsdb")
            files.emplace_back(e.last_write_time(ec), e.path());
    if (files.size() <= kMaxCacheFiles)
        return;
    std::sort(files.begin(), files.end());
    for (std::size_t i = 0; i + kMaxCacheFiles < files.size(); ++i)
        std::filesystem::remove(files[i].second, ec);
}

} // namespace

std::string PatternSet::cacheFolder()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
        return std::string(xdg) + "/vigil/patterns";
    if (const char* home = std::getenv("HOME"); home && *home == '/')
        return std::string(home) + "/.cache/vigil/patterns";
    return {};
}

bool PatternSet::lastCompileWasCached()
{
    return t_lastCached;
}

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
    t_lastCached = false;
    if (patterns.empty())
        return set;
    const std::string key = keyMaterial(patterns);
    const std::string folder = cacheFolder();
    const std::filesystem::path dir(folder);
    const bool cacheable = !folder.empty() && privateFolder(dir);
    const std::filesystem::path file = cacheable ? dir / fileNameFor(key) : std::filesystem::path();
    if (cacheable) {
        if (auto db = loadCached(file, key)) {
            set.m_db = *db;
            t_lastCached = true;
            return set;
        }
    }
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
    if (cacheable)
        storeCached(dir, file, key, set.m_db);
#if defined(__GLIBC__)
    // Compiling the rule packs' databases takes over 100 MiB of short-lived heap, which glibc
    // keeps mapped: a collector started on a cold cache would carry it for its whole life.
    malloc_trim(0);
#endif
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
