#include "curl_loop.h"

#include <sys/epoll.h>

#include <cstring>

#include "log.h"

namespace patchbay {

Result<std::unique_ptr<CurlLoop>> CurlLoop::create(sd_event* event) {
    std::unique_ptr<CurlLoop> loop(new CurlLoop(event));
    loop->multi_.reset(curl_multi_init());
    if (!loop->multi_) return fail("curl_multi_init failed");
    sd_event_source* s = nullptr;
    if (int r = sd_event_add_time_relative(event, &s, CLOCK_MONOTONIC, 0, 0, &CurlLoop::on_timer, loop.get()); r < 0)
        return fail(std::string("sd-event timer for curl: ") + std::strerror(-r));
    loop->timer_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    // Transfers before other work: a probe's latency must not include the loop's backlog,
    // and a burst of other events must not starve curl's timer.
    sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IMPORTANT);
    CURLM* m = loop->multi_.get();
    curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &CurlLoop::on_socket);
    curl_multi_setopt(m, CURLMOPT_SOCKETDATA, loop.get());
    curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &CurlLoop::on_timer_request);
    curl_multi_setopt(m, CURLMOPT_TIMERDATA, loop.get());
    return loop;
}

CurlLoop::~CurlLoop() {
    for (auto& [easy, done] : done_) curl_multi_remove_handle(multi_.get(), easy);
    done_.clear();
    multi_.reset();  // may still call on_socket to drop its pooled connections
    sockets_.clear();
}

Result<void> CurlLoop::start(CURL* easy, Done done) {
    cancel(easy);
    if (CURLMcode c = curl_multi_add_handle(multi_.get(), easy); c != CURLM_OK)
        return fail(std::string("curl: ") + curl_multi_strerror(c));
    done_[easy] = std::move(done);
    return {};
}

void CurlLoop::cancel(CURL* easy) {
    if (done_.erase(easy)) curl_multi_remove_handle(multi_.get(), easy);
}

int CurlLoop::on_socket(CURL*, curl_socket_t s, int what, void* data, void*) {
    auto* self = static_cast<CurlLoop*>(data);
    if (what == CURL_POLL_REMOVE) {
        self->sockets_.erase(s);
        return 0;
    }
    uint32_t events = (what & CURL_POLL_IN ? uint32_t{EPOLLIN} : 0u) | (what & CURL_POLL_OUT ? uint32_t{EPOLLOUT} : 0u);
    auto it = self->sockets_.find(s);
    if (it != self->sockets_.end()) {
        sd_event_source_set_io_events(it->second.get(), events);
        return 0;
    }
    sd_event_source* source = nullptr;
    if (int r = sd_event_add_io(self->event_, &source, s, events, &CurlLoop::on_io, self); r < 0) {
        log_error(std::string("curl socket on the loop: ") + std::strerror(-r));
        return -1;
    }
    sd_event_source_set_priority(source, SD_EVENT_PRIORITY_IMPORTANT);
    self->sockets_[s].reset(source);
    return 0;
}

int CurlLoop::on_timer_request(CURLM*, long timeout_ms, void* data) {
    auto* self = static_cast<CurlLoop*>(data);
    if (timeout_ms < 0) {
        sd_event_source_set_enabled(self->timer_.get(), SD_EVENT_OFF);
        return 0;
    }
    // Never act from inside curl's own callback: the loop calls back at once for 0.
    sd_event_source_set_time_relative(self->timer_.get(), static_cast<uint64_t>(timeout_ms) * 1000);
    sd_event_source_set_enabled(self->timer_.get(), SD_EVENT_ONESHOT);
    return 0;
}

int CurlLoop::on_io(sd_event_source*, int fd, uint32_t revents, void* data) {
    int flags = (revents & EPOLLIN ? CURL_CSELECT_IN : 0) | (revents & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                (revents & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
    static_cast<CurlLoop*>(data)->act(fd, flags);
    return 0;
}

int CurlLoop::on_timer(sd_event_source*, uint64_t, void* data) {
    static_cast<CurlLoop*>(data)->act(CURL_SOCKET_TIMEOUT, 0);
    return 0;
}

void CurlLoop::act(curl_socket_t s, int flags) {
    int still = 0;
    curl_multi_socket_action(multi_.get(), s, flags, &still);
    finish_done();
}

void CurlLoop::finish_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        curl_multi_remove_handle(multi_.get(), easy);
        auto it = done_.find(easy);
        if (it == done_.end()) continue;
        Done done = std::move(it->second);
        done_.erase(it);
        try {
            done(result);
        } catch (const std::exception& e) {
            log_error(std::string("internal error after an HTTP transfer: ") + e.what());
        }
    }
}

}  // namespace patchbay
