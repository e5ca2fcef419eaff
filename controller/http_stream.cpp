// http_stream (http_stream.h): a bounded byte queue between a producer and the server's
// reader, and the park/unpark handshake that keeps an idle reader suspended.
#include "http_stream.h"

#include <algorithm>
#include <cstring>

namespace patchbay {

HttpStream::Push HttpStream::push(std::string_view data) {
    std::lock_guard lock(mutex_);
    if (ended_ || overflowed_ || detached_) return Push::closed;
    if (queued_.size() - sent_ + data.size() > max_buffered_) {
        overflowed_ = true;
        std::string().swap(queued_);  // the memory goes now, not when the client does
        sent_ = 0;
        wake();  // a parked reader must see it to close the connection
        return Push::overflow;
    }
    queued_.append(data);
    wake();
    return Push::queued;
}

void HttpStream::end() {
    std::lock_guard lock(mutex_);
    ended_ = true;
    wake();
}

bool HttpStream::open() const {
    std::lock_guard lock(mutex_);
    return !ended_ && !overflowed_ && !detached_;
}

size_t HttpStream::buffered() const {
    std::lock_guard lock(mutex_);
    return queued_.size() - sent_;
}

void HttpStream::attach(std::function<void()> park, std::function<void()> unpark) {
    std::lock_guard lock(mutex_);
    park_ = std::move(park);
    unpark_ = std::move(unpark);
}

HttpStream::ReadResult HttpStream::read(char* out, size_t max) {
    std::lock_guard lock(mutex_);
    if (overflowed_ || detached_) return {Read::error};
    size_t waiting = queued_.size() - sent_;
    if (waiting > 0) {
        size_t n = std::min(waiting, max);
        std::memcpy(out, queued_.data() + sent_, n);
        sent_ += n;
        if (sent_ == queued_.size()) {
            queued_.clear();
            sent_ = 0;
        } else if (sent_ > queued_.size() / 2) {  // amortized: each byte moves at most once more
            queued_.erase(0, sent_);
            sent_ = 0;
        }
        return {Read::data, n};
    }
    if (ended_) return {Read::end};
    // Not attached: parking would leave no one to wake the reader, which would then poll.
    if (!park_ || !unpark_) return {Read::error};
    parked_ = true;
    park_();
    return {Read::parked};
}

void HttpStream::detach() {
    std::lock_guard lock(mutex_);
    detached_ = true;
    parked_ = false;
    park_ = nullptr;
    unpark_ = nullptr;
    std::string().swap(queued_);
    sent_ = 0;
}

void HttpStream::wake() {
    if (!parked_) return;
    parked_ = false;
    unpark_();
}

}  // namespace patchbay
