#include "alert_sender.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include "fd.h"
#include "log.h"

extern char** environ;

namespace patchbay {

namespace {

using std::chrono::milliseconds;

struct CurlFree {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlFree>;
using Slist = std::unique_ptr<curl_slist, SlistFree>;

void append(Slist& list, const std::string& item) { list.reset(curl_slist_append(list.release(), item.c_str())); }

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// Feeds a string to curl's upload (the SMTP DATA).
struct Upload {
    const std::string& text;
    size_t at = 0;
};
size_t read_upload(char* buf, size_t size, size_t n, void* user) {
    auto* up = static_cast<Upload*>(user);
    size_t len = std::min(size * n, up->text.size() - up->at);
    std::memcpy(buf, up->text.data() + up->at, len);
    up->at += len;
    return len;
}

Result<void> perform(CURL* curl, const char* what, milliseconds timeout) {
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OPERATION_TIMEDOUT) return fail(std::string(what) + " timed out after " + std::to_string(timeout.count()) + " ms");
    if (rc != CURLE_OK) return fail(std::string(what) + ": " + (*error ? error : curl_easy_strerror(rc)));
    return {};
}

std::string rfc5322_date(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    // Fixed English names: strftime's %a/%b follow the locale.
    static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[64];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return text;
}

std::string base64(const std::string& in) {
    static const char* const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += digits[(v >> s) & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += digits[(v >> 18) & 63];
        out += digits[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += digits[(v >> 18) & 63];
        out += digits[(v >> 12) & 63];
        out += digits[(v >> 6) & 63];
        out += "=";
    }
    return out;
}

// A header value on one line: CR and LF would start a header of the sender's choosing.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\r' || c == '\n') c = ' ';
    return text;
}

// RFC 2047 "encoded-word" when the text is not plain ASCII.
std::string header_text(const std::string& text) {
    for (unsigned char c : text)
        if (c >= 0x80) return "=?UTF-8?B?" + base64(text) + "?=";
    return text;
}

// Body lines end in CRLF (RFC 5322 §2.3), whatever the text had.
std::string crlf_lines(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\r') continue;
        if (c == '\n') out += "\r\n";
        else out += c;
    }
    return out;
}

Result<std::string> read_password(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("cannot read " + path + ": " + std::strerror(errno));
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

int64_t now_ms() {
    return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The journal fields of an alert's log lines: its server, account and instance.
LogFields alert_fields(const AlertMessage& message) {
    LogFields fields{{LogKey::host, message.subject.server}};
    if (!message.account.empty()) fields.push_back({LogKey::account, message.account});
    if (const auto& i = message.subject.instance) {
        fields.push_back({LogKey::zone, i->domain});
        fields.push_back({LogKey::service, i->key.service});
        fields.push_back({LogKey::transport, i->key.transport});
        fields.push_back({LogKey::address, i->key.address.str()});
        fields.push_back({LogKey::port, i->key.port});
    }
    return fields;
}

}  // namespace

std::string email_text(const EmailChannel& email, const AlertMessage& message, int64_t now_ms_value,
                       const std::string& message_id) {
    std::string to;
    for (const auto& address : email.to) to += (to.empty() ? "" : ", ") + address;
    auto j = alert_json(message);
    std::ostringstream body;
    body << alert_summary(message) << "\n\n"
         << "policy: " << message.policy << "\n"
         << "since:  " << j["since"].get<std::string>() << "\n"
         << "reason: " << (message.reason.empty() ? "-" : message.reason) << "\n\n"
         << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::string text;
    text += "Date: " + rfc5322_date(now_ms_value) + "\r\n";
    text += "From: " + email.from + "\r\n";
    text += "To: " + to + "\r\n";
    text += "Subject: " + header_text(one_line("[patchbay] " + alert_summary(message))) + "\r\n";
    text += "Message-ID: " + message_id + "\r\n";
    text += "MIME-Version: 1.0\r\n";
    text += "Content-Type: text/plain; charset=utf-8\r\n";
    text += "Content-Transfer-Encoding: 8bit\r\n";
    text += "X-Patchbay-Policy: " + header_text(one_line(message.policy)) + "\r\n";
    text += "\r\n" + crlf_lines(body.str());
    return text;
}

std::string new_message_id(const EmailChannel& email, int64_t now) {
    std::string domain = email.from.substr(email.from.find('@') + 1);
    if (domain.empty()) domain = "patchbay";
    std::random_device random;
    char tail[17];
    std::snprintf(tail, sizeof tail, "%08x%08x", random(), random());
    return "<" + std::to_string(now) + "." + tail + "@" + domain + ">";
}

std::vector<std::string> command_environment(const AlertMessage& message) {
    auto j = alert_json(message);
    std::vector<std::string> env = {
        "PATCHBAY_ALERT_KIND=" + message.kind,
        "PATCHBAY_ALERT_POLICY=" + message.policy,
        "PATCHBAY_ALERT_SERVER=" + message.subject.server,
        "PATCHBAY_ALERT_STATE=" + std::string(health_name(message.state)),
        "PATCHBAY_ALERT_SINCE=" + j["since"].get<std::string>(),
        "PATCHBAY_ALERT_SINCE_MS=" + std::to_string(message.since_ms),
        "PATCHBAY_ALERT_REASON=" + message.reason,
        "PATCHBAY_ALERT_SUMMARY=" + alert_summary(message),
    };
    if (message.subject.instance) {
        const auto& i = *message.subject.instance;
        env.push_back("PATCHBAY_ALERT_DOMAIN=" + i.domain);
        env.push_back("PATCHBAY_ALERT_SERVICE=" + i.key.service);
        env.push_back("PATCHBAY_ALERT_TRANSPORT=" + i.key.transport);
        env.push_back("PATCHBAY_ALERT_ADDRESS=" + i.key.address.str());
        env.push_back("PATCHBAY_ALERT_PORT=" + std::to_string(i.key.port));
    }
    return env;
}

Result<void> post_webhook(const std::string& url, const std::string& body, milliseconds timeout) {
    CurlPtr curl(curl_easy_init());
    if (!curl) return fail("webhook: cannot make a curl handle");
    Slist headers;
    append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "patchbay-controller");
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    if (auto r = perform(curl.get(), "webhook", timeout); !r) return r;
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) return fail("webhook: HTTP " + std::to_string(status));
    return {};
}

Result<void> send_email(const EmailChannel& email, const AlertMessage& message, milliseconds timeout) {
    std::string password;
    if (!email.password_file.empty()) {
        auto read = read_password(email.password_file);
        if (!read) return fail("email: " + read.error());
        password = *read;
    }
    auto now = now_ms();
    std::string text = email_text(email, message, now, new_message_id(email, now));
    CurlPtr curl(curl_easy_init());
    if (!curl) return fail("email: cannot make a curl handle");
    Slist rcpt;
    for (const auto& to : email.to) append(rcpt, "<" + to + ">");
    std::string from = "<" + email.from + ">";
    Upload upload{text};
    curl_easy_setopt(curl.get(), CURLOPT_URL, email.smtp.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE, static_cast<long>(text.size()));
    // STARTTLS when the server offers it, so a password is not sent in the clear by choice.
    curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    if (!email.username.empty()) {
        curl_easy_setopt(curl.get(), CURLOPT_USERNAME, email.username.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password.c_str());
    }
    return perform(curl.get(), "email", timeout);
}

Result<void> run_command(const std::vector<std::string>& argv, const AlertMessage& message, milliseconds timeout) {
    if (argv.empty()) return fail("command: nothing to run");
    const std::string& program = argv.front();
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail("command: cannot make a pipe: " + std::string(std::strerror(errno)));
    UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

    std::vector<std::string> env_text;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "PATCHBAY_ALERT_", 15) != 0) env_text.emplace_back(*e);
    for (auto& e : command_environment(message)) env_text.push_back(std::move(e));
    std::vector<char*> envp, args;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& a : argv_copy) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, read_end.get(), 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    // Nothing else of ours: not every library's sockets are close-on-exec, and a command
    // holding the API's listening socket would keep its port after the controller stops.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    // A controller that ignores SIGPIPE would pass that on; the command gets the defaults.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return fail("command: cannot start " + program + ": " + std::strerror(rc));
    read_end = UniqueFd();

    // The JSON fits the pipe's buffer; a command that does not read it is not waited for.
    std::string json = alert_json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    ::fcntl(write_end.get(), F_SETFL, O_NONBLOCK);
    size_t at = 0;
    while (at < json.size()) {
        ssize_t n = ::write(write_end.get(), json.data() + at, json.size() - at);
        if (n <= 0) break;  // EAGAIN, EPIPE (the controller ignores SIGPIPE): the command's business
        at += static_cast<size_t>(n);
    }
    write_end = UniqueFd();

    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) return fail("command: " + program + ": waitpid: " + std::strerror(errno));
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            return fail("command: " + program + " timed out after " + std::to_string(timeout.count()) + " ms");
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    if (WIFEXITED(status)) return fail("command: " + program + " exit status " + std::to_string(WEXITSTATUS(status)));
    return fail("command: " + program + " killed by signal " + std::to_string(WTERMSIG(status)));
}

Result<void> deliver(const AlertPolicy& policy, const std::string& channel, const AlertMessage& message,
                     milliseconds timeout) {
    if (channel == "webhook" && policy.webhook)
        return post_webhook(*policy.webhook,
                            alert_json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), timeout);
    if (channel == "email" && policy.email) return send_email(*policy.email, message, timeout);
    if (channel == "command" && !policy.command.empty()) return run_command(policy.command, message, timeout);
    return fail("no channel '" + channel + "' in policy '" + policy.name + "'");
}

AlertSender::AlertSender(SenderOptions options) : options_(options), worker_([this] { run(); }) {}

AlertSender::~AlertSender() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
}

bool AlertSender::enqueue(const AlertPolicy& policy, const AlertMessage& message) {
    auto channels = channel_names(policy);
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() + channels.size() > options_.queue_limit) {
            dropped_ += channels.size();
            log_error("alert: queue full (" + std::to_string(queue_.size()) + " waiting): dropped " +
                          alert_summary(message) + " of policy '" + policy.name + "'",
                      alert_fields(message));
            return false;
        }
        for (const auto& channel : channels) queue_.push_back(Job{policy, channel, message});
    }
    changed_.notify_all();
    return true;
}

void AlertSender::count(const std::string& channel, bool ok) {
    std::lock_guard lock(mutex_);
    auto& c = counts_[channel];
    (ok ? c.sent : c.failed) += 1;
}

std::map<std::string, ChannelCounts> AlertSender::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

uint64_t AlertSender::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

bool AlertSender::wait_idle(milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [this] { return queue_.empty() && !busy_; });
}

void AlertSender::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        Job job = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        try {
            send_with_retries(job);
        } catch (const std::exception& e) {
            log_error("alert: policy '" + job.policy.name + "' " + job.channel + ": " + e.what(),
                      alert_fields(job.message));
        }
        lock.lock();
        busy_ = false;
        changed_.notify_all();
    }
}

void AlertSender::send_with_retries(const Job& job) {
    milliseconds backoff = options_.first_backoff;
    for (int attempt = 1;; ++attempt) {
        auto sent = deliver(job.policy, job.channel, job.message, options_.timeout);
        if (sent) {
            count(job.channel, true);
            return;
        }
        // A command is not repeated: it may have done half its work before failing.
        bool last = attempt >= options_.attempts || job.channel == "command";
        log_entry(last ? LogLevel::error : LogLevel::warning,
                  "alert: policy '" + job.policy.name + "' " + job.channel + " failed (attempt " +
                      std::to_string(attempt) + " of " +
                      std::to_string(job.channel == "command" ? 1 : options_.attempts) + ") for " +
                      alert_summary(job.message) + ": " + sent.error() + (last ? "; giving up" : ""),
                  alert_fields(job.message));
        if (last) {
            count(job.channel, false);
            return;
        }
        std::unique_lock lock(mutex_);
        if (changed_.wait_for(lock, backoff, [this] { return stopping_; })) return;
        backoff *= 2;
    }
}

}  // namespace patchbay
