// SPDX-License-Identifier: Apache-2.0
#include "pipeline/filetailer.h"

#include "ingest/gzipstream.h"
#include "ingest/inputformat.h"
#include "ingest/linesplitter.h"
#include "pipeline/fileidentity.h"
#include "pipeline/ingestpipeline.h"
#include "pipeline/sourcestate.h"
#include "store/storewriter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;

// Upper bound of bytes read from one file per pass, so one busy file cannot starve others
// or delay stop().
constexpr std::int64_t kBytesPerPass = 16 * 1024 * 1024;
constexpr std::size_t kQuarantineKeep = 64 * 1024;

std::int64_t mtimeNs(const struct stat& st)
{
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

/// A rotated sibling of a followed file.
struct Sibling
{
    std::string path;
    std::int64_t device = 0;
    std::int64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime = 0;
    long rank = 0; // -N for NAME.N / NAME.N.gz (a higher N is older), 0 otherwise
    bool gzip = false;
};

/// Compressed with something other than gzip: not read (logged when met).
bool isUnreadableCompressedName(std::string_view name)
{
    for (std::string_view ext : {".bz2", ".xz", ".zst", ".lz4", ".zip", ".Z", ".lzma", ".br"})
        if (name.ends_with(ext))
            return true;
    return false;
}

/// The first `length` bytes of the file's content: decompressed for a gzip file.
std::string contentPrefix(int fd, bool gzip, std::int64_t length)
{
    std::string out;
    if (length <= 0)
        return out;
    if (!gzip) {
        out.resize(static_cast<std::size_t>(length));
        std::int64_t got = 0;
        while (got < length) {
            const ssize_t n = ::pread(fd, out.data() + got, static_cast<std::size_t>(length - got), got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += n;
        }
        out.resize(static_cast<std::size_t>(got));
        return out;
    }
    GzipStream z;
    char buf[16 * 1024];
    std::int64_t pos = 0;
    while (static_cast<std::int64_t>(out.size()) < length) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pos += n;
        auto r = z.feed(std::string_view(buf, static_cast<std::size_t>(n)), [&](std::string_view piece) {
            const auto room = static_cast<std::size_t>(length) - std::min(out.size(), static_cast<std::size_t>(length));
            out.append(piece.substr(0, std::min(room, piece.size())));
        });
        if (!r)
            break;
    }
    return out;
}

/// Files beside `key` named NAME.SUFFIX, NAME-SUFFIX or NAME_SUFFIX (plain or gzip), oldest
/// first. Numbered rotations (NAME.1, NAME.2.gz: logrotate's default) go by their number,
/// since compressing a file later gives it a newer modification time than the plain file
/// rotated after it (compress + delaycompress); the rest by modification time, then name.
std::vector<Sibling> listSiblings(const std::string& key, std::vector<std::string>* unreadable = nullptr)
{
    namespace fs = std::filesystem;
    std::vector<Sibling> out;
    const fs::path p(key);
    const std::string base = p.filename().string();
    std::error_code ec;
    for (fs::directory_iterator it(p.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= base.size() + 1 || !name.starts_with(base))
            continue;
        const char sep = name[base.size()];
        if (sep != '.' && sep != '-' && sep != '_')
            continue;
        if (isUnreadableCompressedName(name)) {
            if (unreadable)
                unreadable->push_back(it->path().string());
            continue;
        }
        struct stat st
        {
        };
        if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        Sibling s;
        s.path = it->path().string();
        s.device = static_cast<std::int64_t>(st.st_dev);
        s.inode = static_cast<std::int64_t>(st.st_ino);
        s.size = static_cast<std::int64_t>(st.st_size);
        s.mtime = mtimeNs(st);
        s.gzip = name.ends_with(".gz");
        std::string suffix = name.substr(base.size() + 1);
        if (s.gzip)
            suffix.resize(suffix.size() - 3);
        // NAME.N with a small N; long digit runs are dates (NAME-20261121), ordered by time.
        if (sep == '.' && !suffix.empty() && suffix.size() <= 4 &&
            std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; }))
            s.rank = -std::stol(suffix);
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const Sibling& a, const Sibling& b) {
        const bool ra = a.rank != 0, rb = b.rank != 0;
        if (ra != rb)
            return ra; // numbered rotations are older than the rest
        if (ra && a.rank != b.rank)
            return a.rank < b.rank;
        if (a.mtime != b.mtime)
            return a.mtime < b.mtime;
        return a.path < b.path;
    });
    return out;
}

/// The file starts with gzip's magic bytes: it is read decompressed, whatever its name.
bool startsGzipped(int fd)
{
    char magic[2];
    return ::pread(fd, magic, 2, 0) == 2 && looksGzipped(std::string_view(magic, 2));
}

std::string preadString(int fd, std::int64_t offset, std::int64_t length)
{
    std::string s(static_cast<std::size_t>(length), '\0');
    std::int64_t got = 0;
    while (got < length) {
        const ssize_t n =
            ::pread(fd, s.data() + got, static_cast<std::size_t>(length - got), offset + got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    s.resize(static_cast<std::size_t>(got));
    return s;
}

/// One open file being read: the file at the path, or a rotated one being finished.
struct Reader
{
    int fd = -1;
    std::string path; // where it was found, for messages
    std::int64_t device = 0;
    std::int64_t inode = 0;
    std::int64_t readPos = 0;    // next byte to read
    std::string head;            // the file's first bytes, up to kFingerprintBytes
    std::string headFingerprint; // fingerprintOf(head), refreshed when head grows
    std::unique_ptr<LineSplitter> splitter;
    // A gzip file (a compressed rotation): read front to back through `gzip`; `readPos` is
    // then the position in the compressed file, the splitter's offsets count decompressed
    // bytes, and `skip` decompressed bytes that were stored before are passed over.
    std::unique_ptr<GzipStream> gzip;
    std::int64_t skip = 0;
    std::int64_t inflated = 0; // decompressed bytes seen, skipped ones included
    std::int64_t lineNo = 0; // lines handed on (for a record format: the last record's number)
    // What the file holds, decided from its first bytes unless the options name it. Until
    // then (Auto) the bytes read wait in `pending`. A format other than Vigil lines goes
    // through `records`, is always read from its start (its records are not lines at byte
    // offsets), and passes over the `skipRecords` records an earlier run stored.
    InputFormat format = InputFormat::Auto;
    std::string pending;
    std::unique_ptr<RecordReader> records;
    std::int64_t skipRecords = 0;
    std::int64_t recordsEnd = 0; // decompressed offset past the last record handed on
    Clock::time_point lastGrowth = Clock::now();
    bool dead = false; // truncated while being finished: drop it

    Reader() = default;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    ~Reader()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

/// Extends `r.head` (the first kFingerprintBytes of the content) with `data`, which starts at
/// content offset `at`.
void noteHead(Reader& r, std::int64_t at, std::string_view data)
{
    const auto headLen = static_cast<std::int64_t>(r.head.size());
    if (headLen >= kFingerprintBytes || at > headLen)
        return;
    const auto skip = static_cast<std::size_t>(headLen - at);
    if (skip >= data.size())
        return;
    r.head.append(data.substr(skip, static_cast<std::size_t>(kFingerprintBytes - headLen)));
    r.headFingerprint = fingerprintOf(r.head);
}

} // namespace

struct FileTailer::Impl
{
    struct Tracked
    {
        std::string key;
        bool initialized = false;
        std::unique_ptr<Reader> live;
        std::deque<std::unique_ptr<Reader>> backlog; // rotated files, finished before live
        RawChunk chunk;
        Reader* chunkOwner = nullptr;
        std::int64_t chunkEnd = 0;
        std::int64_t chunkLineNo = 0;
        TailFileStatus status;
        std::string loggedError;

        // A batch of this file that the writer could not store stops the file: the readers
        // are dropped and, once every batch in flight has come back, it is read again from
        // the stored position (StoreWriter::resumeSource).
        struct Delivery
        {
            std::atomic<int> inFlight{0};
            std::atomic<bool> failed{false};
            std::mutex mutex;
            std::string error;
        };
        std::shared_ptr<Delivery> delivery = std::make_shared<Delivery>();
        bool recovering = false;
        Clock::time_point retryAt{};
        std::chrono::milliseconds retryDelay{500};
    };

    Impl(StoreWriter& w, IngestPipeline& p, TailOptions o, std::shared_ptr<LiveCounters> c,
         LiveLogSink l)
        : writer(w), pipeline(p), options(o), counters(std::move(c)), log(std::move(l))
    {
        if (!counters)
            counters = std::make_shared<LiveCounters>();
    }

    StoreWriter& writer;
    IngestPipeline& pipeline;
    TailOptions options;
    std::shared_ptr<LiveCounters> counters;
    LiveLogSink log;

    mutable std::mutex mutex;
    std::condition_variable wake;
    bool started = false;
    std::atomic<bool> stopping{false};
    std::set<std::string> followed; // keys, for duplicate checks
    std::vector<std::string> toAdd, toRemove;
    std::vector<TailFileStatus> snapshot;
    std::thread thread;

    // Owned by the tailing thread.
    std::vector<std::unique_ptr<Tracked>> files;
    std::vector<char> buffer;

    void say(const std::string& message) const
    {
        if (log)
            log(message);
    }

    void loop();
    bool service(Tracked& f);
    void initialize(Tracked& f);
    std::unique_ptr<Reader> openReader(const std::string& path, int fd, std::int64_t start,
                                       std::int64_t lineNo, Tracked& f, bool gzip = false);
    bool recover(Tracked& f);
    void openLive(Tracked& f);
    bool readAvailable(Tracked& f, Reader& r, bool& busy);
    void truncated(Tracked& f, Reader& r);
    bool checkRotation(Tracked& f);
    bool quiet(Reader& r, bool grew) const;
    void finishReader(Tracked& f, Reader& r);
    void addLine(Tracked& f, Reader& r, const SplitLine& l);
    void addRecord(Tracked& f, Reader& r, ForeignRecord&& rec, std::int64_t endOffset);
    void consume(Tracked& f, Reader& r, std::string_view data);
    void route(Tracked& f, Reader& r, std::string_view data);
    void setFormat(Reader& r, InputFormat format);
    void settleFormat(Tracked& f, Reader& r);
    std::int64_t committedOffset(const Reader& r) const
    {
        return r.records ? r.recordsEnd : r.splitter->committedOffset();
    }
    void flushChunk(Tracked& f);
    void setError(Tracked& f, const std::string& error);
    void publish();
    std::vector<std::unique_ptr<Reader>> rotatedAfter(Tracked& f, std::int64_t device,
                                                      std::int64_t inode, std::int64_t mtime);
    std::vector<std::unique_ptr<Reader>> rotatedAfterUpdate(Tracked& f,
                                                            const std::vector<Sibling>& sibs,
                                                            std::int64_t updatedMs);
};

FileTailer::FileTailer(StoreWriter& writer, IngestPipeline& pipeline, TailOptions options,
                       std::shared_ptr<LiveCounters> counters, LiveLogSink log)
    : m_impl(std::make_unique<Impl>(writer, pipeline, options, std::move(counters), std::move(log)))
{
}

FileTailer::~FileTailer()
{
    stop();
}

void FileTailer::start()
{
    std::lock_guard l(m_impl->mutex);
    if (m_impl->started)
        return;
    m_impl->started = true;
    m_impl->stopping = false;
    m_impl->thread = std::thread([p = m_impl.get()] { p->loop(); });
}

void FileTailer::stop()
{
    {
        std::lock_guard l(m_impl->mutex);
        if (!m_impl->started)
            return;
        m_impl->started = false;
        m_impl->stopping = true;
    }
    m_impl->wake.notify_all();
    if (m_impl->thread.joinable())
        m_impl->thread.join();
}

Result<void> FileTailer::addFile(const std::string& path)
{
    if (path.empty())
        return fail("tail.empty_path", "no file name given to follow");
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return fail("tail.is_directory", "cannot follow " + path + ": is a directory");
    const std::string key = fileSourceKey(path);
    std::lock_guard l(m_impl->mutex);
    if (!m_impl->followed.insert(key).second)
        return fail("tail.duplicate", "already following " + key);
    m_impl->toAdd.push_back(key);
    TailFileStatus s;
    s.path = key;
    m_impl->snapshot.push_back(s);
    m_impl->wake.notify_all();
    return {};
}

bool FileTailer::removeFile(const std::string& path)
{
    const std::string key = fileSourceKey(path);
    std::lock_guard l(m_impl->mutex);
    if (m_impl->followed.erase(key) == 0)
        return false;
    m_impl->toRemove.push_back(key);
    std::erase_if(m_impl->snapshot, [&](const TailFileStatus& s) { return s.path == key; });
    m_impl->wake.notify_all();
    return true;
}

std::vector<TailFileStatus> FileTailer::files() const
{
    std::lock_guard l(m_impl->mutex);
    return m_impl->snapshot;
}

void FileTailer::Impl::loop()
{
    buffer.resize(1 << 20);
    for (;;) {
        std::vector<std::string> adds, removes;
        {
            std::lock_guard l(mutex);
            adds.swap(toAdd);
            removes.swap(toRemove);
        }
        for (const std::string& key : removes) {
            for (auto it = files.begin(); it != files.end(); ++it) {
                if ((*it)->key == key) {
                    flushChunk(**it);
                    files.erase(it);
                    break;
                }
            }
        }
        for (std::string& key : adds) {
            auto t = std::make_unique<Tracked>();
            t->status.path = key;
            t->key = std::move(key);
            files.push_back(std::move(t));
        }
        bool busy = false;
        for (auto& f : files) {
            if (stopping)
                break;
            busy |= service(*f);
        }
        publish();
        std::unique_lock l(mutex);
        if (stopping)
            break;
        if (!busy)
            wake.wait_for(l, options.pollInterval,
                          [&] { return stopping.load() || !toAdd.empty() || !toRemove.empty(); });
        if (stopping)
            break;
    }
    // Hand on every complete line read; held partial lines are read again next time.
    for (auto& f : files)
        flushChunk(*f);
    files.clear();
    publish();
}

void FileTailer::Impl::publish()
{
    std::lock_guard l(mutex);
    for (auto& f : files) {
        Tracked& t = *f;
        t.status.exists = t.live != nullptr || !t.backlog.empty();
        const Reader* cur = t.backlog.empty() ? t.live.get() : t.backlog.front().get();
        t.status.offset = cur ? committedOffset(*cur) : 0;
        t.status.lineNo = cur ? cur->lineNo : 0;
        t.status.format = cur ? std::string(toString(cur->format)) : std::string();
        for (TailFileStatus& s : snapshot)
            if (s.path == t.key)
                s = t.status;
    }
}

void FileTailer::Impl::setError(Tracked& f, const std::string& error)
{
    f.status.error = error;
    if (!error.empty() && error != f.loggedError)
        say("tail " + f.key + ": " + error);
    f.loggedError = error;
}

std::unique_ptr<Reader> FileTailer::Impl::openReader(const std::string& path, int fd,
                                                     std::int64_t start, std::int64_t lineNo,
                                                     Tracked& f, bool gzip)
{
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        setError(f, std::string("cannot stat: ") + std::strerror(errno));
        ::close(fd);
        return nullptr;
    }
    if (!S_ISREG(st.st_mode)) {
        setError(f, "not a regular file");
        ::close(fd);
        return nullptr;
    }
    auto r = std::make_unique<Reader>();
    r->fd = fd;
    r->path = path;
    r->device = static_cast<std::int64_t>(st.st_dev);
    r->inode = static_cast<std::int64_t>(st.st_ino);
    r->readPos = gzip ? 0 : start;
    r->lineNo = lineNo;
    InputFormat format = options.format;
    if (format == InputFormat::Auto) {
        const std::string first = contentPrefix(fd, gzip, static_cast<std::int64_t>(kDetectBytes));
        if (auto known = detectInputFormatSoFar(first))
            format = *known;
        else if (start > 0)
            format = detectInputFormat(first); // read before: what is there is all it has
    }
    setFormat(*r, format);
    if (r->records) {
        r->skipRecords = lineNo;
        start = 0;
        r->readPos = 0;
    }
    if (gzip) {
        r->gzip = std::make_unique<GzipStream>();
        r->skip = start;
    }
    r->head = contentPrefix(fd, gzip, std::min<std::int64_t>(start, kFingerprintBytes));
    r->headFingerprint = fingerprintOf(r->head);
    r->splitter = std::make_unique<LineSplitter>(options.maxLineBytes, kQuarantineKeep, start);
    return r;
}

void FileTailer::Impl::initialize(Tracked& f)
{
    auto stored = lookupSource(writer, "file", f.key);
    if (!stored) {
        setError(f, "cannot read the stored position: " + stored.error().message);
        return;
    }
    f.initialized = true;
    const int fd = ::open(f.key.c_str(), O_RDONLY | O_CLOEXEC);
    std::optional<FileIdentity> liveId;
    if (fd >= 0) {
        auto id = identifyFile(fd);
        const bool gzip = startsGzipped(fd);
        // A compressed file's stored offset and first bytes are of its decompressed content.
        const bool resume =
            id && (gzip ? stored->found && stored->device == id->device &&
                              stored->inode == id->inode &&
                              fingerprintOf(contentPrefix(fd, true, stored->fingerprintLength)) ==
                                  stored->fingerprint
                        : canResume(*stored, fd, *id));
        if (resume) {
            f.live = openReader(f.key, fd, stored->offset, stored->lineNo, f, gzip);
            if (f.live && stored->offset > 0)
                say("tail " + f.key + ": resuming at byte " + std::to_string(stored->offset));
            return;
        }
        if (id)
            liveId = *id;
    } else if (errno != ENOENT) {
        setError(f, std::string("cannot open: ") + std::strerror(errno));
    }

    if (stored->found && stored->offset > 0) {
        // The stored file is no longer at the path: it was rotated (or truncated after a
        // copy, or compressed) while we were stopped. Finish it, then whatever was rotated
        // after it.
        std::vector<std::string> unreadable;
        const auto sibs = listSiblings(f.key, &unreadable);
        const Sibling* found = nullptr;
        auto matches = [&](const Sibling& s) {
            if (!s.gzip && (s.size < stored->offset || s.size < stored->fingerprintLength))
                return false;
            const int sfd = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
            if (sfd < 0)
                return false;
            const std::string head = contentPrefix(sfd, s.gzip, stored->fingerprintLength);
            const bool same = static_cast<std::int64_t>(head.size()) == stored->fingerprintLength &&
                              fingerprintOf(head) == stored->fingerprint;
            ::close(sfd);
            return same;
        };
        for (const Sibling& s : sibs)
            if (s.device == stored->device && s.inode == stored->inode && matches(s))
                found = &s;
        if (!found && stored->fingerprintLength > 0) {
            // A copy (copytruncate): the same first bytes under another inode.
            for (const Sibling& s : sibs)
                if (!(liveId && s.device == liveId->device && s.inode == liveId->inode) &&
                    matches(s))
                    found = &s; // the newest one wins
        }
        if (found) {
            const int sfd = ::open(found->path.c_str(), O_RDONLY | O_CLOEXEC);
            if (sfd >= 0) {
                if (auto r = openReader(found->path, sfd, stored->offset, stored->lineNo, f,
                                        found->gzip))
                    f.backlog.push_back(std::move(r));
                auto rest = rotatedAfter(f, found->device, found->inode, found->mtime);
                for (auto& r : rest)
                    f.backlog.push_back(std::move(r));
                say("tail " + f.key + ": finishing " + std::to_string(f.backlog.size()) +
                    " file(s) rotated while stopped, from " + found->path);
            }
        } else {
            // The stored file is gone (deleted, or compressed in a format not read here):
            // what was rotated after it is still read, never skipped with it.
            for (const std::string& u : unreadable)
                say("tail " + f.key + ": not reading " + u +
                    ": only plain and gzip-compressed rotations are read");
            auto rest = rotatedAfterUpdate(f, sibs, stored->updatedMs);
            for (auto& r : rest)
                f.backlog.push_back(std::move(r));
            if (!f.backlog.empty())
                say("tail " + f.key + ": the file last read (up to byte " +
                    std::to_string(stored->offset) + ") is no longer found; reading " +
                    std::to_string(f.backlog.size()) + " file(s) rotated after it");
            else
                say("tail " + f.key + ": the file last read (up to byte " +
                    std::to_string(stored->offset) + ") is no longer found; its unread rest, "
                    "if any, is lost");
        }
    }
    if (fd >= 0) {
        if (liveId && !f.backlog.empty())
            std::erase_if(f.backlog, [&](const std::unique_ptr<Reader>& r) {
                return r->device == liveId->device && r->inode == liveId->inode;
            });
        f.live = openReader(f.key, fd, 0, 0, f, startsGzipped(fd));
    }
}

std::vector<std::unique_ptr<Reader>> FileTailer::Impl::rotatedAfter(Tracked& f, std::int64_t device,
                                                                    std::int64_t inode,
                                                                    std::int64_t mtime)
{
    std::vector<std::unique_ptr<Reader>> out;
    const auto sibs = listSiblings(f.key);
    std::size_t from = 0;
    bool named = false;
    for (std::size_t i = 0; i < sibs.size(); ++i) {
        if (sibs[i].device == device && sibs[i].inode == inode) {
            from = i + 1;
            named = true;
        }
    }
    if (!named) {
        // The file itself has no name any more (deleted): take what was written after it.
        while (from < sibs.size() && sibs[from].mtime <= mtime)
            ++from;
    }
    struct stat cur
    {
    };
    const bool haveCur = ::stat(f.key.c_str(), &cur) == 0;
    // The live file's first bytes: a sibling starting with them is a copy of what will be
    // read from the live file itself (a copytruncate between its copy and its truncation).
    std::string liveHead;
    if (f.live)
        liveHead = contentPrefix(f.live->fd, false, kFingerprintBytes);
    auto known = [&](const Sibling& s) {
        if (haveCur && s.device == static_cast<std::int64_t>(cur.st_dev) &&
            s.inode == static_cast<std::int64_t>(cur.st_ino))
            return true;
        if (f.live && f.live->device == s.device && f.live->inode == s.inode)
            return true;
        for (const auto& b : f.backlog)
            if (b->device == s.device && b->inode == s.inode)
                return true;
        return false;
    };
    for (std::size_t i = from; i < sibs.size(); ++i) {
        if (known(sibs[i]))
            continue;
        const int fd = ::open(sibs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (!liveHead.empty()) {
            const std::string head =
                contentPrefix(fd, sibs[i].gzip, static_cast<std::int64_t>(liveHead.size()));
            if (!head.empty() && liveHead.starts_with(head)) {
                ::close(fd);
                continue;
            }
        }
        if (auto r = openReader(sibs[i].path, fd, 0, 0, f, sibs[i].gzip))
            out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::unique_ptr<Reader>>
FileTailer::Impl::rotatedAfterUpdate(Tracked& f, const std::vector<Sibling>& sibs,
                                     std::int64_t updatedMs)
{
    // Plain files written after the position was last stored hold lines written after it.
    // A gzip file's time is when it was compressed, which says nothing of its lines: one
    // newer than the stored file would have been found by its first bytes.
    std::vector<std::unique_ptr<Reader>> out;
    struct stat cur
    {
    };
    const bool haveCur = ::stat(f.key.c_str(), &cur) == 0;
    for (const Sibling& s : sibs) {
        if (s.gzip || s.mtime / 1'000'000 <= updatedMs)
            continue;
        if (haveCur && s.device == static_cast<std::int64_t>(cur.st_dev) &&
            s.inode == static_cast<std::int64_t>(cur.st_ino))
            continue;
        const int fd = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (auto r = openReader(s.path, fd, 0, 0, f))
            out.push_back(std::move(r));
    }
    return out;
}

void FileTailer::Impl::openLive(Tracked& f)
{
    const int fd = ::open(f.key.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            setError(f, {});
        else
            setError(f, std::string("cannot open: ") + std::strerror(errno));
        return;
    }
    f.live = openReader(f.key, fd, 0, 0, f, startsGzipped(fd));
    if (f.live)
        setError(f, {});
}

bool FileTailer::Impl::recover(Tracked& f)
{
    if (!f.recovering) {
        // Stop reading: whatever is read now would be refused behind the failed batch.
        std::string why;
        {
            std::lock_guard l(f.delivery->mutex);
            why = f.delivery->error;
        }
        setError(f, "storing failed: " + why + "; reading again from the last stored line in " +
                        std::to_string(f.retryDelay.count()) + " ms");
        f.chunk = RawChunk{};
        f.chunkOwner = nullptr;
        f.live.reset();
        f.backlog.clear();
        f.recovering = true;
        f.retryAt = Clock::now() + f.retryDelay;
        f.retryDelay = std::min(f.retryDelay * 2, std::chrono::milliseconds(30'000));
    }
    if (f.delivery->inFlight.load() > 0 || Clock::now() < f.retryAt)
        return false;
    // Every batch of the failed run has come back: none can commit behind the new reader.
    writer.resumeSource(f.key);
    f.delivery = std::make_shared<Tracked::Delivery>();
    f.recovering = false;
    f.initialized = false;
    return true;
}

bool FileTailer::Impl::service(Tracked& f)
{
    bool busy = false;
    if (f.delivery->failed.load() && !recover(f))
        return false;
    if (!f.initialized) {
        initialize(f);
        if (!f.initialized)
            return false;
    }
    for (int guard = 0; guard < 64 && !stopping; ++guard) {
        if (!f.backlog.empty()) {
            Reader& r = *f.backlog.front();
            const bool grew = readAvailable(f, r, busy);
            if (stopping || busy)
                break;
            if (r.dead || quiet(r, grew)) {
                finishReader(f, r);
                struct stat st
                {
                };
                const std::int64_t mtime = ::fstat(r.fd, &st) == 0 ? mtimeNs(st) : 0;
                const std::int64_t dev = r.device, ino = r.inode;
                f.backlog.pop_front();
                if (f.backlog.empty()) {
                    // Rotated again while this one was being finished: those files first.
                    for (auto& next : rotatedAfter(f, dev, ino, mtime))
                        f.backlog.push_back(std::move(next));
                }
                continue;
            }
            break; // wait until it has gone quiet
        }
        if (!f.live) {
            openLive(f);
            if (!f.live)
                break;
        }
        readAvailable(f, *f.live, busy);
        if (busy || stopping)
            break;
        if (!f.backlog.empty()) // truncated: its copy goes first
            continue;
        if (checkRotation(f))
            continue;
        break;
    }
    flushChunk(f);
    return busy;
}

bool FileTailer::Impl::readAvailable(Tracked& f, Reader& r, bool& busy)
{
    struct stat st
    {
    };
    if (::fstat(r.fd, &st) != 0)
        return false;
    if (static_cast<std::int64_t>(st.st_size) < r.readPos) {
        truncated(f, r);
        return true;
    }
    bool grew = false;
    std::int64_t total = 0;
    if (!r.gzip && r.readPos == 0 && startsGzipped(r.fd)) {
        // Opened while still empty; what arrived since is gzip.
        r.gzip = std::make_unique<GzipStream>();
        r.skip = 0;
    }
    if (r.gzip) {
        // A compressed rotation: small reads, since each may inflate a thousandfold, and the
        // decompressed bytes count against the pass so a "gzip bomb" cannot hold the thread.
        while (!stopping) {
            const ssize_t n = ::pread(r.fd, buffer.data(), 64 * 1024, r.readPos);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                setError(f, std::string("cannot read ") + r.path + ": " + std::strerror(errno));
                return grew;
            }
            if (n == 0)
                break;
            r.readPos += n;
            counters->bytesIn += n;
            grew = true;
            const std::int64_t before = r.gzip->outputBytes();
            auto fed = r.gzip->feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)),
                                    [&](std::string_view piece) {
                                        noteHead(r, r.inflated, piece);
                                        r.inflated += static_cast<std::int64_t>(piece.size());
                                        if (r.skip > 0) {
                                            const auto k = std::min<std::int64_t>(
                                                r.skip, static_cast<std::int64_t>(piece.size()));
                                            piece.remove_prefix(static_cast<std::size_t>(k));
                                            r.skip -= k;
                                        }
                                        consume(f, r, piece);
                                    });
            if (!fed) {
                // Its complete lines are handed on; the rest of a corrupt file cannot be read.
                setError(f, r.path + ": " + fed.error().message);
                r.dead = true;
                return grew;
            }
            total += r.gzip->outputBytes() - before;
            if (total >= kBytesPerPass) {
                busy = true;
                break;
            }
        }
        return grew;
    }
    while (!stopping) {
        const ssize_t n = ::pread(r.fd, buffer.data(), buffer.size(), r.readPos);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            setError(f, std::string("cannot read: ") + std::strerror(errno));
            return grew;
        }
        if (n == 0)
            break;
        // The file must still begin as it did; copytruncate may have rewritten it between two
        // reads. Checked after the read, so the data read belongs to the file we know.
        if (r.readPos > 0 && !r.head.empty() &&
            preadString(r.fd, 0, static_cast<std::int64_t>(r.head.size())) != r.head) {
            truncated(f, r);
            return true;
        }
        const std::string_view data(buffer.data(), static_cast<std::size_t>(n));
        noteHead(r, r.readPos, data);
        r.readPos += n;
        counters->bytesIn += n;
        grew = true;
        consume(f, r, data);
        total += n;
        if (total >= kBytesPerPass) {
            busy = true;
            break;
        }
    }
    if (grew) {
        setError(f, {});
        r.lastGrowth = Clock::now();
    } else if (r.format == InputFormat::Auto && !r.pending.empty() &&
               Clock::now() - r.lastGrowth >= options.rotationQuiet) {
        settleFormat(f, r); // what has come is all there is for now
    }
    return grew;
}

void FileTailer::Impl::truncated(Tracked& f, Reader& r)
{
    ++counters->truncations;
    ++f.status.truncations;
    flushChunk(f);
    if (&r != f.live.get()) {
        r.dead = true;
        return;
    }
    // What was not read yet may survive in a copy beside the file (logrotate copytruncate).
    const std::int64_t committed = committedOffset(r);
    std::unique_ptr<Reader> copy;
    if (!r.head.empty()) {
        std::int64_t newest = -1;
        for (const Sibling& s : listSiblings(f.key)) {
            if ((s.device == r.device && s.inode == r.inode) || s.size < committed ||
                s.size < static_cast<std::int64_t>(r.head.size()) || s.mtime < newest)
                continue;
            const int fd = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            if (preadString(fd, 0, static_cast<std::int64_t>(r.head.size())) != r.head) {
                ::close(fd);
                continue;
            }
            if (auto c = openReader(s.path, fd, committed, r.lineNo, f)) {
                copy = std::move(c);
                newest = s.mtime;
            }
        }
    }
    say("tail " + f.key + ": truncated; reading it from the start" +
        (copy ? " after the rest of its copy " + copy->path : std::string()));
    r.readPos = 0;
    r.head.clear();
    r.headFingerprint = fingerprintOf({});
    r.lineNo = 0;
    r.splitter = std::make_unique<LineSplitter>(options.maxLineBytes, kQuarantineKeep, 0);
    r.pending.clear();
    r.skipRecords = 0;
    r.recordsEnd = 0;
    setFormat(r, options.format); // the new content may hold another format
    if (copy)
        f.backlog.push_back(std::move(copy));
}

bool FileTailer::Impl::checkRotation(Tracked& f)
{
    struct stat st
    {
    };
    if (::stat(f.key.c_str(), &st) != 0)
        return false; // deleted and not recreated yet: keep reading the open file
    if (static_cast<std::int64_t>(st.st_dev) == f.live->device &&
        static_cast<std::int64_t>(st.st_ino) == f.live->inode)
        return false;
    ++counters->rotations;
    ++f.status.rotations;
    struct stat old
    {
    };
    const std::int64_t oldMtime = ::fstat(f.live->fd, &old) == 0 ? mtimeNs(old) : 0;
    std::unique_ptr<Reader> previous = std::move(f.live);
    const std::int64_t dev = previous->device, ino = previous->inode;
    f.backlog.push_back(std::move(previous));
    openLive(f);
    for (auto& r : rotatedAfter(f, dev, ino, oldMtime))
        f.backlog.push_back(std::move(r));
    say("tail " + f.key + ": rotated; finishing the old file before the new one");
    return true;
}

bool FileTailer::Impl::quiet(Reader& r, bool grew) const
{
    const auto now = Clock::now();
    if (grew) {
        r.lastGrowth = now;
        return false;
    }
    if (now - r.lastGrowth >= options.rotationQuiet)
        return true;
    struct stat st
    {
    };
    if (::fstat(r.fd, &st) != 0)
        return true;
    const auto age =
        std::chrono::system_clock::now().time_since_epoch() - std::chrono::nanoseconds(mtimeNs(st));
    return age >= options.rotationQuiet;
}

void FileTailer::Impl::finishReader(Tracked& f, Reader& r)
{
    if (r.gzip && !r.dead) {
        if (auto done = r.gzip->finish(); !done) {
            // Cut short: the partial last line is not a line of the log.
            setError(f, r.path + ": " + done.error().message);
            r.dead = true;
        }
    }
    // A rotated file gets no more lines: its last line counts even without a newline.
    if (!r.dead) {
        settleFormat(f, r);
        if (r.records)
            r.records->finish([&](ForeignRecord&& rec, std::int64_t end) {
                addRecord(f, r, std::move(rec), end);
            });
        else
            r.splitter->finish([&](const SplitLine& l) { addLine(f, r, l); });
    }
    flushChunk(f);
}

void FileTailer::Impl::setFormat(Reader& r, InputFormat format)
{
    r.format = format;
    r.records = makeRecordReader(format, options.reader);
}

void FileTailer::Impl::settleFormat(Tracked& f, Reader& r)
{
    if (r.format != InputFormat::Auto)
        return;
    setFormat(r, detectInputFormat(r.pending));
    const std::string held = std::move(r.pending);
    r.pending.clear();
    route(f, r, held);
}

void FileTailer::Impl::consume(Tracked& f, Reader& r, std::string_view data)
{
    if (r.format != InputFormat::Auto) {
        route(f, r, data);
        return;
    }
    r.pending.append(data);
    const auto known = detectInputFormatSoFar(r.pending);
    if (!known)
        return;
    setFormat(r, *known);
    const std::string held = std::move(r.pending);
    r.pending.clear();
    route(f, r, held);
}

void FileTailer::Impl::route(Tracked& f, Reader& r, std::string_view data)
{
    if (r.records)
        r.records->feed(data, [&](ForeignRecord&& rec, std::int64_t end) {
            addRecord(f, r, std::move(rec), end);
        });
    else
        r.splitter->feed(data, [&](const SplitLine& l) { addLine(f, r, l); });
}

void FileTailer::Impl::addRecord(Tracked& f, Reader& r, ForeignRecord&& rec, std::int64_t endOffset)
{
    r.recordsEnd = endOffset;
    if (rec.recordNo <= r.skipRecords)
        return; // stored by an earlier run
    if (f.chunkOwner != &r)
        flushChunk(f);
    f.chunkOwner = &r;
    r.lineNo = rec.recordNo;
    f.chunk.addRecord(rec);
    f.chunkEnd = endOffset;
    f.chunkLineNo = r.lineNo;
    if (f.chunk.lines.size() >= options.chunkLines || f.chunk.data.size() >= options.chunkBytes)
        flushChunk(f);
}

void FileTailer::Impl::addLine(Tracked& f, Reader& r, const SplitLine& l)
{
    if (f.chunkOwner != &r)
        flushChunk(f);
    f.chunkOwner = &r;
    ++r.lineNo;
    f.chunk.addLine(l.text, l.overlong, l.fullBytes, r.lineNo);
    f.chunkEnd = l.endOffset;
    f.chunkLineNo = r.lineNo;
    if (f.chunk.lines.size() >= options.chunkLines || f.chunk.data.size() >= options.chunkBytes)
        flushChunk(f);
}

void FileTailer::Impl::flushChunk(Tracked& f)
{
    if (f.chunk.lines.empty() || !f.chunkOwner) {
        f.chunkOwner = nullptr;
        return;
    }
    const Reader& r = *f.chunkOwner;
    f.chunk.sourceName = f.key;
    f.chunk.checkpoint = SourceCheckpoint{"file",
                                          f.key,
                                          r.device,
                                          r.inode,
                                          static_cast<std::int64_t>(r.head.size()),
                                          r.headFingerprint,
                                          f.chunkEnd,
                                          f.chunkLineNo};
    ++f.delivery->inFlight;
    f.chunk.onCommitted = [c = counters, d = f.delivery](const Result<CommitResult>& res) {
        c->recordCommit(res);
        if (!res && !d->failed.exchange(true)) {
            std::lock_guard l(d->mutex);
            d->error = res.error().message;
        }
        --d->inFlight;
    };
    counters->linesIn += static_cast<std::int64_t>(f.chunk.lines.size());
    pipeline.submit(std::move(f.chunk));
    f.chunk = RawChunk{};
    f.chunkOwner = nullptr;
}

} // namespace vigil
