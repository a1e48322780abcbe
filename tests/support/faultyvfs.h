// SPDX-License-Identifier: Apache-2.0
#pragma once

// A fault-injecting SQLite VFS for tests: it wraps the platform's default VFS, becomes the
// default itself, and makes writes fail with SQLITE_FULL ("database or disk is full") while
// `FaultyVfs::setFull(true)`, exactly as a full filesystem does. Everything else goes to the
// real VFS, so the code under test runs unchanged against real files.

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace vigil::test {

class FaultyVfs
{
public:
    /// Installs the VFS as the process's default (once).
    static void install()
    {
        static bool done = [] {
            State& s = state();
            s.real = sqlite3_vfs_find(nullptr);
            s.vfs = *s.real;
            s.vfs.zName = "vigil-faulty";
            s.vfs.szOsFile = static_cast<int>(sizeof(File)) + s.real->szOsFile;
            s.vfs.pAppData = nullptr;
            s.vfs.xOpen = &open;
            sqlite3_vfs_register(&s.vfs, 1);
            return true;
        }();
        (void)done;
    }

    static void setFull(bool full) { state().full = full; }
    /// Writes refused so far.
    static int refusedWrites() { return state().refused; }

private:
    struct State
    {
        sqlite3_vfs* real = nullptr;
        sqlite3_vfs vfs{};
        sqlite3_io_methods methods{};
        std::once_flag methodsOnce;
        std::atomic<bool> full{false};
        std::atomic<int> refused{0};
    };
    struct File
    {
        sqlite3_file base;
        sqlite3_file* real; // follows this struct in the same allocation
    };

    static State& state()
    {
        static State s;
        return s;
    }
    static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

    static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out)
    {
        State& s = state();
        File* file = reinterpret_cast<File*>(f);
        file->real = reinterpret_cast<sqlite3_file*>(file + 1);
        const int rc = s.real->xOpen(s.real, name, file->real, flags, out);
        if (rc != SQLITE_OK) {
            file->base.pMethods = nullptr;
            return rc;
        }
        const sqlite3_io_methods* m = file->real->pMethods;
        std::call_once(s.methodsOnce, [&] { fill(s.methods, m); });
        file->base.pMethods = &s.methods;
        return SQLITE_OK;
    }

    // The unix VFS gives every file the same methods: forward each, failing writes on demand.
    static void fill(sqlite3_io_methods& methods, const sqlite3_io_methods* m)
    {
        auto& s = methods;
        s = *m;
        s.xClose = [](sqlite3_file* f) {
            sqlite3_file* r = real(f);
            return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
        };
        s.xRead = [](sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
            return real(f)->pMethods->xRead(real(f), buf, n, off);
        };
        s.xWrite = [](sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
            if (state().full) {
                ++state().refused;
                return SQLITE_FULL;
            }
            return real(f)->pMethods->xWrite(real(f), buf, n, off);
        };
        s.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
            return real(f)->pMethods->xTruncate(real(f), size);
        };
        s.xSync = [](sqlite3_file* f, int flags) {
            return real(f)->pMethods->xSync(real(f), flags);
        };
        s.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
            return real(f)->pMethods->xFileSize(real(f), size);
        };
        s.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
        s.xUnlock = [](sqlite3_file* f, int l) {
            return real(f)->pMethods->xUnlock(real(f), l);
        };
        s.xCheckReservedLock = [](sqlite3_file* f, int* out) {
            return real(f)->pMethods->xCheckReservedLock(real(f), out);
        };
        s.xFileControl = [](sqlite3_file* f, int op, void* arg) {
            return real(f)->pMethods->xFileControl(real(f), op, arg);
        };
        s.xSectorSize = [](sqlite3_file* f) {
            return real(f)->pMethods->xSectorSize(real(f));
        };
        s.xDeviceCharacteristics = [](sqlite3_file* f) {
            return real(f)->pMethods->xDeviceCharacteristics(real(f));
        };
        if (m->iVersion >= 2) {
            s.xShmMap = [](sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
                return real(f)->pMethods->xShmMap(real(f), pg, sz, extend, p);
            };
            s.xShmLock = [](sqlite3_file* f, int off, int n, int flags) {
                return real(f)->pMethods->xShmLock(real(f), off, n, flags);
            };
            s.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
            s.xShmUnmap = [](sqlite3_file* f, int del) {
                return real(f)->pMethods->xShmUnmap(real(f), del);
            };
        }
        if (m->iVersion >= 3) {
            s.xFetch = [](sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
                return real(f)->pMethods->xFetch(real(f), off, n, p);
            };
            s.xUnfetch = [](sqlite3_file* f, sqlite3_int64 off, void* p) {
                return real(f)->pMethods->xUnfetch(real(f), off, p);
            };
        }
    }
};

} // namespace vigil::test
