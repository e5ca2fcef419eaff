// event_hub (event_hub.h): SSE framing, who sees what, and the fan-out to subscribers.
#include "event_hub.h"

#include <algorithm>

#include "log.h"

namespace patchbay {

std::string sse_frame(std::string_view name, const nlohmann::json& data) {
    using nlohmann::json;
    std::string out = "event: ";
    out.append(name);
    out += "\ndata: ";
    out += data.dump(-1, ' ', false, json::error_handler_t::replace);
    out += "\n\n";
    return out;
}

std::string sse_comment(std::string_view text) {
    std::string out = ": ";
    out.append(text);
    out += "\n\n";
    return out;
}

bool may_see(const Principal& p, const Event& event) {
    if (event.accounts.empty()) return may_read(p, "");
    return std::any_of(event.accounts.begin(), event.accounts.end(),
                       [&p](const std::string& account) { return may_read(p, account); });
}

EventHub::EventHub(EventHubOptions options) : options_(std::move(options)) {
    timer_ = std::thread([this] { keep_alive_loop(); });
}

EventHub::~EventHub() {
    std::vector<Subscriber> left;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        left.swap(subscribers_);
    }
    wake_.notify_all();
    timer_.join();
    for (const auto& s : left)
        if (auto stream = s.stream.lock()) stream->end();
}

std::shared_ptr<HttpStream> EventHub::subscribe(Principal who) {
    auto stream = std::make_shared<HttpStream>(options_.max_buffered);
    (void)stream->push(sse_comment("connected"));
    std::lock_guard lock(mutex_);
    if (stopping_) {
        stream->end();  // answered with the comment alone
        return stream;
    }
    subscribers_.push_back({std::move(who), stream});
    return stream;
}

void EventHub::publish(const Event& event) {
    std::string frame = sse_frame(event.name, event.data);
    std::lock_guard lock(mutex_);
    send(frame, [&event](const Principal& p) { return may_see(p, event); });
}

size_t EventHub::subscribers() {
    std::lock_guard lock(mutex_);
    std::erase_if(subscribers_, [](const Subscriber& s) {
        auto stream = s.stream.lock();
        return !stream || !stream->open();
    });
    return subscribers_.size();
}

void EventHub::send(const std::string& frame, const std::function<bool(const Principal&)>& wanted) {
    std::erase_if(subscribers_, [&](const Subscriber& s) {
        auto stream = s.stream.lock();
        if (!stream) return true;
        if (!wanted(s.who)) return !stream->open();
        switch (stream->push(frame)) {
            case HttpStream::Push::queued: return false;
            case HttpStream::Push::closed: return true;
            case HttpStream::Push::overflow:
                log("events: dropped a subscriber (token " + s.who.token_name + ", " +
                    std::string(role_name(s.who.role)) + ") more than " + std::to_string(options_.max_buffered) +
                    " bytes behind");
                return true;
        }
        return true;
    });
}

void EventHub::keep_alive_loop() {
    const std::string frame = sse_comment("keep-alive");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        // wait_for, not wait_until a fixed grid: a late tick needs no catching up.
        if (wake_.wait_for(lock, options_.keep_alive, [this] { return stopping_; })) break;
        send(frame, [](const Principal&) { return true; });
    }
}

void EventHub::log(std::string_view line) const {
    if (options_.log) return options_.log(line);
    log_warning(line);
}

}  // namespace patchbay
