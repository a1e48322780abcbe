// SPDX-License-Identifier: Apache-2.0
#include "report/reportfile.h"

#include "base/timeutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vigil {
namespace {

std::string errnoText()
{
    return std::strerror(errno);
}

void syncFolder(const std::filesystem::path& folder)
{
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

// The process umask without changing it (umask() would, for a moment, for every thread):
// Linux reports it in /proc/self/status. 022 when unknown.
mode_t currentUmask()
{
    std::FILE* f = std::fopen("/proc/self/status", "re");
    mode_t m = 022;
    if (!f)
        return m;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        unsigned value = 0;
        if (std::sscanf(line, "Umask: %o", &value) == 1) {
            m = static_cast<mode_t>(value & 0777);
            break;
        }
    }
    std::fclose(f);
    return m;
}

} // namespace

Result<void> writeReportFile(const std::filesystem::path& path, std::string_view bytes,
                             Overwrite overwrite, bool privateFile)
{
    if (path.empty() || !path.has_filename())
        return fail("report.bad_path", "no output file given");
    const std::string name = path.filename().string();
    if (name == "." || name == "..")
        return fail("report.bad_path", "the output " + path.string() + " is not a file name");
    const std::filesystem::path folder =
        path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    struct stat st
    {
    };
    if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail("report.no_folder", "the folder of " + path.string() + " does not exist");
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return fail("report.bad_path", path.string() + " is a folder");
        if (overwrite == Overwrite::Refuse)
            return fail("report.exists", path.string() + " exists");
    }

    std::string tmpl = (folder / ("." + name + ".XXXXXX")).string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        return fail("report.write",
                    "cannot write in the folder of " + path.string() + ": " + errnoText());
    const std::filesystem::path tmp = tmpl;
    auto abandon = [&](const std::string& why) -> Result<void> {
        ::unlink(tmp.c_str());
        return fail("report.write", "cannot write " + path.string() + ": " + why);
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string why = errnoText();
            ::close(fd);
            return abandon(why);
        }
        done += static_cast<std::size_t>(n);
    }
    const mode_t mode = privateFile ? 0600 : (0666 & ~currentUmask());
    if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
        const std::string why = errnoText();
        ::close(fd);
        return abandon(why);
    }
    if (::close(fd) != 0)
        return abandon(errnoText());

    if (overwrite == Overwrite::Replace) {
        if (::rename(tmp.c_str(), path.c_str()) != 0)
            return abandon(errnoText());
    } else {
        // link() fails with EEXIST instead of replacing: no window for a race.
        if (::link(tmp.c_str(), path.c_str()) != 0) {
            const bool exists = errno == EEXIST;
            const std::string why = errnoText();
            ::unlink(tmp.c_str());
            if (exists)
                return fail("report.exists", path.string() + " exists");
            return fail("report.write", "cannot write " + path.string() + ": " + why);
        }
        ::unlink(tmp.c_str());
    }
    syncFolder(folder);
    return {};
}

Result<std::filesystem::path> reportPathIn(const std::filesystem::path& folder,
                                           std::string_view fileName)
{
    const auto bad = [&](const std::string& why) -> Result<std::filesystem::path> {
        return fail("report.bad_name",
                    "refusing the file name '" + std::string(fileName) + "': " + why);
    };
    if (fileName.empty())
        return bad("it is empty");
    if (fileName.size() > 255)
        return bad("it is too long");
    if (fileName == "." || fileName == "..")
        return bad("it names a folder");
    if (fileName.front() == '.')
        return bad("it starts with a dot");
    for (const char c : fileName) {
        if (c == '/' || c == '\\')
            return bad("it would leave the chosen folder");
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return bad("it holds a control character");
    }
    return folder / std::filesystem::path(std::string(fileName));
}

std::string suggestedReportName(ReportKind kind, ReportFormat format, std::string_view databaseName,
                                std::int64_t nowMs)
{
    std::string stem(std::filesystem::path(std::string(databaseName)).stem().string());
    for (char& c : stem)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            c = '-';
    if (stem.size() > 40)
        stem.resize(40);
    if (stem.empty())
        stem = "database";
    const std::string date = formatRfc3339Utc(nowMs).substr(0, 10); // YYYY-MM-DD
    std::string ymd;
    for (const char c : date)
        if (c != '-')
            ymd.push_back(c);
    return "vigil-" + std::string(toString(kind)) + "-" + stem + "-" + ymd + "." +
           std::string(fileExtension(format));
}

} // namespace vigil
