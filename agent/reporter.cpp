#include "reporter.h"

#include <chrono>
#include <cstring>
#include <random>

#include "log.h"
#include "registration.h"

namespace patchbay {

namespace {

constexpr uint64_t kMsec = 1000;

std::string random_boot_id() {
    std::random_device random;
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 16; ++i) id += hex[random() % 16];
    return id;
}

int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Delivery delivery_of(bool transport_ok, long status) {
    if (!transport_ok) return Delivery::retry;
    if (status >= 200 && status <= 299) return Delivery::delivered;
    if (status == 400) return Delivery::refused;
    // 401/403 (token being rotated), 404 (an older controller), 413, 429, 5xx: the
    // reports are fine, the controller is not ready for them yet.
    return Delivery::retry;
}

std::optional<size_t> refused_index(const std::string& error) {
    size_t at = error.find("reports[");
    if (at == std::string::npos) return std::nullopt;
    size_t n = 0, i = at + 8, digits = 0;
    for (; i < error.size() && error[i] >= '0' && error[i] <= '9' && digits < 9; ++i, ++digits)
        n = n * 10 + static_cast<size_t>(error[i] - '0');
    if (digits == 0 || i >= error.size() || error[i] != ']') return std::nullopt;
    return n;
}

uint64_t next_backoff_ms(uint64_t previous_ms, uint64_t first_ms, uint64_t cap_ms) {
    if (previous_ms == 0) return std::min(first_ms, cap_ms);
    return std::min(previous_ms * 2, cap_ms);
}

Reporter::Reporter(CurlLoop& curl, Spool spool, ReporterOptions options, Gather gather)
    : curl_(curl),
      spool_(std::move(spool)),
      options_(std::move(options)),
      gather_(std::move(gather)),
      boot_(random_boot_id()),
      limit_(options_.batch) {}

Reporter::~Reporter() {
    if (easy_) curl_.cancel(easy_.get());
}

Result<std::unique_ptr<Reporter>> Reporter::create(sd_event* event, CurlLoop& curl, Spool spool,
                                                   ReporterOptions options, Gather gather) {
    std::unique_ptr<Reporter> r(new Reporter(curl, std::move(spool), std::move(options), std::move(gather)));
    r->easy_.reset(curl_easy_init());
    if (!r->easy_) return fail("curl_easy_init failed");
    sd_event_source* s = nullptr;
    if (int e = sd_event_add_time_relative(event, &s, CLOCK_MONOTONIC, 0, 0, &Reporter::on_heartbeat, r.get()); e < 0)
        return fail(std::string("sd-event timer for reports: ") + std::strerror(-e));
    r->heartbeat_.reset(s);
    if (int e = sd_event_add_time_relative(event, &s, CLOCK_MONOTONIC, 0, 0, &Reporter::on_retry, r.get()); e < 0)
        return fail(std::string("sd-event timer for report retries: ") + std::strerror(-e));
    r->retry_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    if (int e = sd_event_add_defer(event, &s, &Reporter::on_changed, r.get()); e < 0)
        return fail(std::string("sd-event source for reports: ") + std::strerror(-e));
    r->changed_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    if (r->spool_.size() > 0)
        log_info(std::to_string(r->spool_.size()) + " undelivered report(s) in " + r->spool_.dir() +
                 " from an earlier run");
    return r;
}

void Reporter::changed() { sd_event_source_set_enabled(changed_.get(), SD_EVENT_ONESHOT); }

void Reporter::make_report() {
    sd_event_source_set_enabled(changed_.get(), SD_EVENT_OFF);
    ReportContent content = gather_();
    Report report;
    report.agent = options_.agent;
    report.boot = boot_;
    report.seq = ++seq_;
    report.at_ms = unix_ms();
    report.serials = std::move(content.serials);
    report.host = content.host;
    report.instances = std::move(content.instances);
    report.addresses = std::move(content.addresses);
    report.catalog = std::move(content.catalog);
    if (auto ok = spool_.push(report); !ok) log_error("report " + std::to_string(report.seq) + " lost: " + ok.error());
    // The heartbeat counts from the last report, whatever made it.
    sd_event_source_set_time_relative(heartbeat_.get(), static_cast<uint64_t>(options_.report_seconds) * 1'000'000);
    sd_event_source_set_enabled(heartbeat_.get(), SD_EVENT_ONESHOT);
    deliver();
}

void Reporter::deliver() {
    if (in_flight_ || backoff_ms_ > 0 || spool_.size() == 0) return;
    std::vector<Spooled> batch = spool_.oldest(isolating_ ? 1 : limit_);
    if (batch.empty()) return;
    std::vector<Report> reports;
    for (auto& b : batch) reports.push_back(std::move(b.report));
    request_ = reports_body(reports).dump();
    sending_ = {batch.front().number, batch.back().number, reports.front().seq};
    answer_.clear();
    std::string token;
    if (!options_.token_file.empty()) {
        if (auto t = read_token(options_.token_file)) token = std::move(*t);
        else log_warning(t.error() + "; reporting without a token");
    }
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!token.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + token).c_str());
    headers_.reset(h);
    CURL* c = easy_.get();
    curl_easy_setopt(c, CURLOPT_URL, (options_.controller + "/v1/reports").c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request_.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request_.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Reporter::on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    size_t sent = batch.size();
    in_flight_ = true;
    auto ok = curl_.start(c, [this, sent](CURLcode code) { on_answer(code, sent); });
    if (!ok) {
        in_flight_ = false;
        log_error("report delivery: " + ok.error());
        on_answer(CURLE_FAILED_INIT, sent);
    }
}

size_t Reporter::on_body(char* data, size_t size, size_t count, void* self) {
    auto* r = static_cast<Reporter*>(self);
    if (r->answer_.size() < 4096) r->answer_.append(data, size * count);
    return size * count;
}

void Reporter::on_answer(CURLcode code, size_t sent) {
    in_flight_ = false;
    long status = 0;
    if (code == CURLE_OK) curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    std::string error;
    if (auto j = nlohmann::json::parse(answer_, nullptr, false); j.is_object() && j.contains("error"))
        error = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
    else
        error = answer_.substr(0, 200);
    switch (delivery_of(code == CURLE_OK, status)) {
        case Delivery::delivered:
            spool_.remove(sending_.first, sending_.last);
            delivered_ += sent;
            if (backoff_ms_ > 0 || isolating_) log_info("reports delivered again to " + options_.controller);
            limit_ = options_.batch;
            break;
        case Delivery::refused: {
            // Only the report the controller names is bad: the ones before it go next,
            // alone; when it names none, send one at a time until the bad one is alone.
            auto bad = refused_index(error);
            if (sent == 1 || (bad && *bad == 0)) {
                log_error("controller refused report " + std::to_string(sending_.first_seq) + ": " + error +
                          "; dropped");
                spool_.remove(sending_.first, sending_.first);
                refused_++;
                isolating_ = false;
                limit_ = options_.batch;
            } else if (bad && *bad < sent) {
                limit_ = *bad;
            } else {
                isolating_ = true;
            }
            break;
        }
        case Delivery::retry: {
            backoff_ms_ = next_backoff_ms(backoff_ms_, options_.backoff_first_ms, options_.backoff_cap_ms);
            std::string why = code != CURLE_OK ? curl_easy_strerror(code)
                                               : "HTTP " + std::to_string(status) + (error.empty() ? "" : " " + error);
            log_warning("report delivery to " + options_.controller + " failed (" + why + "); " +
                        std::to_string(spool_.size()) + " report(s) kept, retry in " + std::to_string(backoff_ms_) +
                        " ms");
            sd_event_source_set_time_relative(retry_.get(), backoff_ms_ * kMsec);
            sd_event_source_set_enabled(retry_.get(), SD_EVENT_ONESHOT);
            return;
        }
    }
    backoff_ms_ = 0;
    deliver();
}

int Reporter::on_heartbeat(sd_event_source*, uint64_t, void* self) {
    try {
        static_cast<Reporter*>(self)->make_report();
    } catch (const std::exception& e) {
        log_error(std::string("internal error making a report: ") + e.what());
    }
    return 0;
}

int Reporter::on_changed(sd_event_source*, void* self) { return on_heartbeat(nullptr, 0, self); }

int Reporter::on_retry(sd_event_source*, uint64_t, void* self) {
    auto* r = static_cast<Reporter*>(self);
    // The backoff stays as it is until an answer says otherwise: the next failure doubles it.
    uint64_t kept = r->backoff_ms_;
    r->backoff_ms_ = 0;
    r->deliver();
    if (r->in_flight_) r->backoff_ms_ = kept;
    return 0;
}

}  // namespace patchbay
