// A thread that calls `tick` every `every` until it is destroyed (the watchdog's states
// and alerts, the drains' grace periods). The destructor wakes it and joins: a tick in
// progress finishes first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace patchbay {

class Ticker {
public:
    Ticker(std::chrono::milliseconds every, std::function<void()> tick);
    ~Ticker();
    Ticker(const Ticker&) = delete;
    Ticker& operator=(const Ticker&) = delete;
    uint64_t ticks() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    uint64_t ticks_ = 0;
    std::thread thread_;
};

}  // namespace patchbay
