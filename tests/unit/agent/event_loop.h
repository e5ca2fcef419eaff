// Test helpers: an sd-event loop run until a condition holds (or a deadline passes), and
// a temporary directory.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "handles.h"

namespace patchbay::test {

struct Loop {
    EventPtr event;
    Loop() {
        sd_event* e = nullptr;
        sd_event_new(&e);
        event.reset(e);
    }
    sd_event* get() const { return event.get(); }
    // Runs the loop until `done()` or `ms` passed; returns done().
    bool run_until(const std::function<bool()>& done, int ms = 5000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            sd_event_run(event.get(), 10'000);
        }
        return true;
    }
    // Runs the loop for `ms`.
    void run_for(int ms) {
        run_until([] { return false; }, ms);
    }
};

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string templ = (std::filesystem::temp_directory_path() / "pb-test-XXXXXX").string();
        path = ::mkdtemp(templ.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace patchbay::test
