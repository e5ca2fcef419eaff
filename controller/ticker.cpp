#include "ticker.h"

namespace patchbay {

Ticker::Ticker(std::chrono::milliseconds every, std::function<void()> tick) {
    thread_ = std::thread([this, every, tick = std::move(tick)] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, every, [this] { return stop_; })) {
            lock.unlock();
            tick();
            lock.lock();
            ++ticks_;
        }
    });
}

Ticker::~Ticker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

uint64_t Ticker::ticks() const {
    std::lock_guard lock(mutex_);
    return ticks_;
}

}  // namespace patchbay
