// The alert channels for real on loopback: a webhook receiver (cpp-httplib), a minimal
// SMTP server written here that records the envelope and the message, and commands run
// with posix_spawn; then the worker's retries and queue, and the Alerts class end to end.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "alerts.h"
#include "temp_dir.h"

using namespace patchbay;
using namespace std::chrono_literals;

namespace {

// Captures every POST body; answers with the statuses in `answers` first, then 200.
struct WebhookReceiver {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    std::mutex mutex;
    std::vector<std::string> bodies;
    std::vector<std::string> content_types;
    std::vector<int> answers;

    WebhookReceiver() {
        server.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex);
            bodies.push_back(req.body);
            content_types.push_back(req.get_header_value("Content-Type"));
            res.status = answers.empty() ? 200 : answers.front();
            if (!answers.empty()) answers.erase(answers.begin());
            res.set_content("{}", "application/json");
        });
        port = server.bind_to_any_port("127.0.0.1");
        REQUIRE(port > 0);
        thread = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(1ms);
    }
    ~WebhookReceiver() {
        server.stop();
        thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/hook"; }
    std::vector<std::string> received() {
        std::lock_guard lock(mutex);
        return bodies;
    }
};

// Just enough SMTP (RFC 5321) for curl: greeting, EHLO, optional AUTH PLAIN, MAIL, RCPT,
// DATA, QUIT. One connection at a time; records what each session delivered.
struct SmtpReceiver {
    struct Mail {
        std::string from;
        std::vector<std::string> to;
        std::string data;
        std::string auth;  // the AUTH PLAIN line, when there was one
    };
    int listener = -1;
    int port = 0;
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    std::vector<Mail> mails;

    SmtpReceiver() {
        listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listener >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        REQUIRE(::listen(listener, 4) == 0);
        thread = std::thread([this] { serve(); });
    }
    ~SmtpReceiver() {
        stopping = true;
        ::shutdown(listener, SHUT_RDWR);
        ::close(listener);
        thread.join();
    }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port); }

    void serve() {
        while (!stopping) {
            int fd = ::accept(listener, nullptr, nullptr);
            if (fd < 0) return;
            session(fd);
            ::close(fd);
        }
    }
    static void say(int fd, const std::string& line) {
        std::string text = line + "\r\n";
        (void)!::write(fd, text.data(), text.size());
    }
    void session(int fd) {
        Mail mail;
        std::string buffer;
        bool in_data = false, in_auth = false;
        say(fd, "220 test.invalid ESMTP");
        char chunk[4096];
        for (;;) {
            ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) return;
            buffer.append(chunk, static_cast<size_t>(n));
            for (;;) {
                if (in_data) {
                    auto end = buffer.find("\r\n.\r\n");
                    if (end == std::string::npos) break;
                    mail.data = buffer.substr(0, end + 2);
                    buffer.erase(0, end + 5);
                    in_data = false;
                    {
                        std::lock_guard lock(mutex);
                        mails.push_back(mail);
                    }
                    say(fd, "250 queued");
                    continue;
                }
                auto eol = buffer.find("\r\n");
                if (eol == std::string::npos) break;
                std::string line = buffer.substr(0, eol);
                buffer.erase(0, eol + 2);
                std::string verb = line.substr(0, 4);
                if (in_auth) {  // the credentials after "334" (curl sends no initial response)
                    mail.auth += " " + line;
                    in_auth = false;
                    say(fd, "235 ok");
                } else if (line == "AUTH PLAIN") mail.auth = line, in_auth = true, say(fd, "334 ");
                else if (verb == "EHLO") say(fd, "250-test.invalid\r\n250 AUTH PLAIN");
                else if (verb == "HELO") say(fd, "250 test.invalid");
                else if (verb == "AUTH") mail.auth = line, say(fd, "235 ok");
                else if (verb == "MAIL") mail.from = line.substr(10), say(fd, "250 ok");
                else if (verb == "RCPT") mail.to.push_back(line.substr(8)), say(fd, "250 ok");
                else if (verb == "DATA") in_data = true, say(fd, "354 go on");
                else if (verb == "QUIT") return say(fd, "221 bye");
                else say(fd, "250 ok");
            }
        }
    }
    std::vector<Mail> received() {
        std::lock_guard lock(mutex);
        return mails;
    }
};

InstanceRef http_instance() {
    return InstanceRef{"hostdomain.com", TupleKey{"http", "tcp", *Address::parse("10.10.10.121"), 80}};
}

AlertMessage down_message() {
    return AlertMessage{"alert", "ops", AlertSubject{"web1", http_instance()}, Health::down, 1'700'000'000'000,
                        "probe http: connection refused", ""};
}

std::string header(const std::string& mail, const std::string& name) {
    auto at = mail.find("\r\n" + name + ": ");
    if (mail.rfind(name + ": ", 0) == 0) at = 0;
    else if (at == std::string::npos) return "";
    else at += 2;
    auto start = at + name.size() + 2;
    return mail.substr(start, mail.find("\r\n", start) - start);
}

}  // namespace

TEST_CASE("alert sender: the RFC 5322 message, exactly") {
    EmailChannel email{"smtp://m:25", "patchbay@example.com", {"noc@example.com", "ops@example.com"}, "", ""};
    std::string text = email_text(email, down_message(), 1'700'000'123'000, "<1.abc@example.com>");
    CHECK(text ==
          "Date: Tue, 14 Nov 2023 22:15:23 +0000\r\n"
          "From: patchbay@example.com\r\n"
          "To: noc@example.com, ops@example.com\r\n"
          "Subject: [patchbay] ALERT down: web1 http/tcp 10.10.10.121:80 (hostdomain.com)\r\n"
          "Message-ID: <1.abc@example.com>\r\n"
          "MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Content-Transfer-Encoding: 8bit\r\n"
          "X-Patchbay-Policy: ops\r\n"
          "\r\n"
          "ALERT down: web1 http/tcp 10.10.10.121:80 (hostdomain.com)\r\n"
          "\r\n"
          "policy: ops\r\n"
          "since:  2023-11-14T22:13:20Z\r\n"
          "reason: probe http: connection refused\r\n"
          "\r\n"
          "{\r\n"
          "  \"instance\": {\r\n"
          "    \"address\": \"10.10.10.121\",\r\n"
          "    \"domain\": \"hostdomain.com\",\r\n"
          "    \"port\": 80,\r\n"
          "    \"service\": \"http\",\r\n"
          "    \"transport\": \"tcp\"\r\n"
          "  },\r\n"
          "  \"kind\": \"alert\",\r\n"
          "  \"policy\": \"ops\",\r\n"
          "  \"reason\": \"probe http: connection refused\",\r\n"
          "  \"server\": \"web1\",\r\n"
          "  \"since\": \"2023-11-14T22:13:20Z\",\r\n"
          "  \"since_ms\": 1700000000000,\r\n"
          "  \"state\": \"down\"\r\n"
          "}\r\n");

    // A subject that is not ASCII is an RFC 2047 encoded-word; CR/LF never reach a header.
    AlertMessage odd = down_message();
    odd.subject.server = "wéb1";
    odd.policy = "ops\r\nBcc: evil@example.com";
    std::string mail = email_text(email, odd, 0, "<x@y>");
    CHECK(header(mail, "Subject") == "=?UTF-8?B?W3BhdGNoYmF5XSBBTEVSVCBkb3duOiB3w6liMSBodHRwL3RjcCAxMC4xMC4xMC4xMjE6ODAgKGhvc3Rkb21haW4uY29tKQ==?=");
    CHECK(header(mail, "X-Patchbay-Policy") == "ops  Bcc: evil@example.com");
    CHECK(mail.substr(0, mail.find("\r\n\r\n")).find("\r\nBcc:") == std::string::npos);
    CHECK(header(mail, "Date") == "Thu, 01 Jan 1970 00:00:00 +0000");

    auto id = new_message_id(email, 42);
    CHECK(id.starts_with("<42."));
    CHECK(id.ends_with("@example.com>"));
    CHECK(id != new_message_id(email, 42));
}

TEST_CASE("alert sender: webhook POSTs the alert JSON; failures name the reason") {
    WebhookReceiver receiver;
    std::string body = alert_json(down_message()).dump();
    REQUIRE(post_webhook(receiver.url(), body, 2000ms));
    auto got = receiver.received();
    REQUIRE(got.size() == 1);
    CHECK(nlohmann::json::parse(got[0]) == alert_json(down_message()));
    CHECK(receiver.content_types[0] == "application/json");

    receiver.answers = {500};
    auto refused = post_webhook(receiver.url(), body, 2000ms);
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == "webhook: HTTP 500");

    auto nobody = post_webhook("http://127.0.0.1:1/hook", body, 2000ms);
    REQUIRE_FALSE(nobody);
    CHECK_THAT(nobody.error(), Catch::StartsWith("webhook: ") && Catch::Contains("127.0.0.1"));
}

TEST_CASE("alert sender: e-mail over SMTP with the envelope and a proper message") {
    SmtpReceiver smtp;
    test::TempDir dir;
    EmailChannel email{smtp.url(), "patchbay@example.com", {"noc@example.com", "ops@example.com"}, "", ""};
    auto sent = send_email(email, down_message(), 3000ms);
    REQUIRE(sent);
    auto mails = smtp.received();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].from == "<patchbay@example.com>");
    CHECK(mails[0].to == std::vector<std::string>{"<noc@example.com>", "<ops@example.com>"});
    const std::string& data = mails[0].data;
    CHECK(header(data, "From") == "patchbay@example.com");
    CHECK(header(data, "To") == "noc@example.com, ops@example.com");
    CHECK(header(data, "Subject") == "[patchbay] ALERT down: web1 http/tcp 10.10.10.121:80 (hostdomain.com)");
    CHECK_THAT(header(data, "Date"), Catch::Matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000"));
    CHECK_THAT(header(data, "Message-ID"), Catch::Matches("<\\d+\\.[0-9a-f]{16}@example\\.com>"));
    CHECK_THAT(data, Catch::Contains("\r\n\r\nALERT down: web1"));
    CHECK_THAT(data, Catch::Contains("\"reason\": \"probe http: connection refused\""));

    // With a username, the password comes from its file at send time.
    email.username = "pb";
    email.password_file = (dir.dir / "smtp.pass").string();
    auto missing = send_email(email, down_message(), 3000ms);
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error(), Catch::StartsWith("email: cannot read " + email.password_file));
    std::ofstream(email.password_file) << "s3cret\n";
    auto with_auth = send_email(email, down_message(), 3000ms);
    INFO(with_auth.error());
    REQUIRE(with_auth);
    mails = smtp.received();
    REQUIRE(mails.size() == 2);
    // AUTH PLAIN base64("\0pb\0s3cret")
    CHECK(mails[1].auth == "AUTH PLAIN AHBiAHMzY3JldA==");

    email = EmailChannel{"smtp://127.0.0.1:1", "a@b", {"c@d"}, "", ""};
    auto nobody = send_email(email, down_message(), 2000ms);
    REQUIRE_FALSE(nobody);
    CHECK_THAT(nobody.error(), Catch::StartsWith("email: "));
}

TEST_CASE("alert sender: a command gets the JSON on stdin and PATCHBAY_ALERT_* variables") {
    ::signal(SIGPIPE, SIG_IGN);  // as the controller does
    test::TempDir dir;
    auto out = (dir.dir / "out").string();
    std::vector<std::string> argv = {"/bin/sh", "-c",
                                     "cat > " + out + ".json; env | grep ^PATCHBAY_ALERT_ | sort > " + out + ".env"};
    REQUIRE(run_command(argv, down_message(), 5000ms));
    std::ifstream json_in(out + ".json");
    CHECK(nlohmann::json::parse(json_in) == alert_json(down_message()));
    std::ifstream env_in(out + ".env");
    std::stringstream env;
    env << env_in.rdbuf();
    CHECK(env.str() ==
          "PATCHBAY_ALERT_ADDRESS=10.10.10.121\n"
          "PATCHBAY_ALERT_DOMAIN=hostdomain.com\n"
          "PATCHBAY_ALERT_KIND=alert\n"
          "PATCHBAY_ALERT_POLICY=ops\n"
          "PATCHBAY_ALERT_PORT=80\n"
          "PATCHBAY_ALERT_REASON=probe http: connection refused\n"
          "PATCHBAY_ALERT_SERVER=web1\n"
          "PATCHBAY_ALERT_SERVICE=http\n"
          "PATCHBAY_ALERT_SINCE=2023-11-14T22:13:20Z\n"
          "PATCHBAY_ALERT_SINCE_MS=1700000000000\n"
          "PATCHBAY_ALERT_STATE=down\n"
          "PATCHBAY_ALERT_SUMMARY=ALERT down: web1 http/tcp 10.10.10.121:80 (hostdomain.com)\n"
          "PATCHBAY_ALERT_TRANSPORT=tcp\n");

    // Only stdin, stdout and stderr reach the command, whatever the controller holds open.
    int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec, like httplib's sockets
    REQUIRE(leaked >= 0);
    std::vector<std::string> fds = {"/bin/sh", "-c", "ls /proc/self/fd > " + out + ".fds"};
    REQUIRE(run_command(fds, down_message(), 5000ms));
    ::close(leaked);
    std::ifstream fds_in(out + ".fds");
    std::stringstream fd_list;
    fd_list << fds_in.rdbuf();
    CHECK(fd_list.str() == "0\n1\n2\n3\n");  // 3: the directory ls reads

    struct Row {
        std::vector<std::string> argv;
        const char* error;
    };
    const std::vector<Row> rows = {
        {{"/bin/sh", "-c", "exit 3"}, "command: /bin/sh exit status 3"},
        {{"/bin/sh", "-c", "kill -TERM $$"}, "command: /bin/sh killed by signal 15"},
        {{"/bin/sleep", "5"}, "command: /bin/sleep timed out after 300 ms"},
        {{"/nonexistent/page"}, "command: cannot start /nonexistent/page: No such file or directory"},
        // Not reading stdin is fine; exiting before it is written is too.
        {{"/bin/true"}, nullptr},
    };
    for (const auto& row : rows) {
        INFO(row.argv.back());
        auto started = std::chrono::steady_clock::now();
        auto r = run_command(row.argv, down_message(), 300ms);
        CHECK(std::chrono::steady_clock::now() - started < 2s);
        if (row.error) {
            REQUIRE_FALSE(r);
            CHECK(r.error() == row.error);
        } else {
            CHECK(r);
        }
    }
}

TEST_CASE("alert sender: the worker retries with backoff, counts, and never blocks") {
    WebhookReceiver receiver;
    receiver.answers = {500, 503};
    AlertPolicy policy;
    policy.name = "ops";
    policy.webhook = receiver.url();
    SenderOptions options;
    options.timeout = 2000ms;
    options.first_backoff = 20ms;
    options.attempts = 3;
    {
        AlertSender sender(options);
        REQUIRE(sender.enqueue(policy, down_message()));
        REQUIRE(sender.wait_idle(5s));
        CHECK(receiver.received().size() == 3);  // two failures, then delivered
        CHECK(sender.counts()["webhook"].sent == 1);
        CHECK(sender.counts()["webhook"].failed == 0);

        receiver.answers = {500, 500, 500};
        REQUIRE(sender.enqueue(policy, down_message()));
        REQUIRE(sender.wait_idle(5s));
        CHECK(receiver.received().size() == 6);
        CHECK(sender.counts()["webhook"].failed == 1);
    }

    // A full queue drops (and counts) instead of waiting.
    AlertPolicy slow = policy;
    slow.webhook.reset();
    slow.command = {"/bin/sleep", "0.3"};
    options.queue_limit = 2;
    AlertSender sender(options);
    auto started = std::chrono::steady_clock::now();
    int accepted = 0;
    for (int i = 0; i < 6; ++i) accepted += sender.enqueue(slow, down_message()) ? 1 : 0;
    CHECK(std::chrono::steady_clock::now() - started < 200ms);
    CHECK(accepted >= 2);
    CHECK(accepted <= 3);  // the worker may have taken the first already
    CHECK(sender.dropped() == static_cast<uint64_t>(6 - accepted));
}

TEST_CASE("Alerts: changes reach the webhook once per episode; test reports every channel") {
    WebhookReceiver receiver;
    AlertPolicy ops;
    ops.name = "ops";
    ops.webhook = receiver.url();
    AlertPolicy broken;
    broken.name = "broken";
    broken.webhook = "http://127.0.0.1:1/nobody";
    broken.command = {"/bin/true"};
    SenderOptions options;
    options.timeout = 2000ms;
    options.attempts = 1;
    int64_t now = 1'700'000'000'000;
    Alerts alerts({ops, broken}, options, [&now] { return now; });

    StateChange down{now, "web1", http_instance(), Health::up, Health::down, "refused", {}};
    alerts.on_changes({down});
    alerts.on_changes({down});  // a repeat: the same episode
    REQUIRE(alerts.wait_idle(5s));
    auto got = receiver.received();
    REQUIRE(got.size() == 1);
    CHECK(nlohmann::json::parse(got[0])["kind"] == "alert");
    CHECK(nlohmann::json::parse(got[0])["reason"] == "refused");

    now += 5000;
    alerts.on_changes({StateChange{now, "web1", http_instance(), Health::down, Health::up, "probe ok", {}}});
    REQUIRE(alerts.wait_idle(5s));
    got = receiver.received();
    REQUIRE(got.size() == 2);
    CHECK(nlohmann::json::parse(got[1])["kind"] == "recovery");

    auto one = alerts.test("ops");
    REQUIRE(one);
    REQUIRE(one->size() == 1);
    CHECK((*one)[0].ok);
    CHECK(nlohmann::json::parse(receiver.received().back())["kind"] == "test");

    auto all = alerts.test(std::nullopt);
    REQUIRE(all);
    REQUIRE(all->size() == 3);
    CHECK((*all)[1].policy == "broken");
    CHECK((*all)[1].channel == "webhook");
    CHECK_FALSE((*all)[1].ok);
    CHECK_THAT((*all)[1].error, Catch::StartsWith("webhook: "));
    CHECK((*all)[2].channel == "command");
    CHECK((*all)[2].ok);

    auto unknown = alerts.test("nope");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.kind() == ErrorKind::not_found);
    CHECK(unknown.error() == "no alert policy named 'nope'");

    Alerts none({}, options);
    auto empty = none.test(std::nullopt);
    REQUIRE_FALSE(empty);
    CHECK(empty.kind() == ErrorKind::not_found);
    CHECK_THAT(empty.error(), Catch::Contains("no alert policy is configured"));

    // webhook: ops sent its alert, recovery and 2 tests; broken failed its alert, recovery
    // and 1 test. command (broken's): alert, recovery, 1 test.
    auto text = render_metrics(alerts.metrics());
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_sent_total{channel=\"webhook\"} 4\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_failed_total{channel=\"webhook\"} 3\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_sent_total{channel=\"command\"} 3\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_dropped_total 0\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_active 0\n"));
}
