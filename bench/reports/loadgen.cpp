// bench/reports load generator: N simulated agents, each on its own kept-alive libcurl
// connection (one multi handle, one thread), POSTing one health report per request to
// /v1/reports as fast as the controller answers. Prints reports/s, ingest latency
// percentiles (request sent ⇒ answer read) and the ratio to the 20,000/s target.
//
//   loadgen --url http://127.0.0.1:8080 --token T [--agents 8] [--seconds 10]
//           [--instances 2] [--warmup 1] [--controller-pid PID] [--batch 1]
// --batch K sends K reports per request (as a spool delivers after an outage); the
// default, 1, is the agents' normal case.
// With --controller-pid it also reads the controller's CPU time over the measured
// window (/proc/PID/stat): CPU µs per report, and the rate one whole core would give —
// the fair number on a machine where other work shares the controller's core.
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string g_boot;  // fresh per run, so a second run's seq 1 is no duplicate

struct Agent {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::string name;
    uint64_t seq = 0;
    std::string body;
    std::string answer;
    Clock::time_point sent;
};

size_t keep(char* data, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

// One report of `instances` instances, all up: the common case the controller must make cheap.
std::string one_report(const Agent& a, int instances, int index) {
    std::string out = "{\"agent\":\"" + a.name + "\",\"boot\":\"" + g_boot + "\",\"seq\":" + std::to_string(a.seq) +
                      ",\"at_ms\":1795000000000,\"serials\":{\"hostdomain.com\":3},"
                      "\"host\":{\"load1\":0.4,\"cpu\":0.2,\"memory\":0.5},\"instances\":[";
    for (int i = 0; i < instances; ++i) {
        char inst[512];
        std::snprintf(inst, sizeof inst,
                      "%s{\"domain\":\"hostdomain.com\",\"service\":\"http\",\"transport\":\"tcp\","
                      "\"address\":\"10.%d.%d.%d\",\"port\":%d,\"unit\":\"patchbay-http@10.%d.%d.%d:%d.service\","
                      "\"active_state\":\"active\",\"probe\":{\"kind\":\"http\",\"ok\":true,\"latency_ms\":1.5,"
                      "\"streak\":%llu},\"memory_bytes\":10485760}",
                      i ? "," : "", 20 + index / 65536, index / 256 % 256, index % 256, 8000 + i, 20 + index / 65536,
                      index / 256 % 256, index % 256, 8000 + i, static_cast<unsigned long long>(a.seq));
        out += inst;
    }
    return out + "]}";
}

// K reports of one agent, seq after seq.
std::string report_body(Agent& a, int instances, int index, int batch) {
    std::string out = "{\"reports\":[";
    for (int k = 0; k < batch; ++k) {
        if (k) {
            out += ",";
            ++a.seq;
        }
        out += one_report(a, instances, index);
    }
    return out + "]}";
}

// utime + stime of a process, in seconds; -1 when unreadable.
double cpu_seconds(long pid) {
    if (pid <= 0) return -1;
    std::string path = "/proc/" + std::to_string(pid) + "/stat";
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return -1;
    char buf[4096];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    const char* p = std::strrchr(buf, ')');  // the name may hold spaces
    if (!p) return -1;
    unsigned long long utime = 0, stime = 0;
    // Fields after the name: state(3) … utime(14) stime(15).
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    std::string url = std::string(arg(argc, argv, "--url", "http://127.0.0.1:8080")) + "/v1/reports";
    std::string token = arg(argc, argv, "--token", "");
    int agents = std::atoi(arg(argc, argv, "--agents", "8"));
    double seconds = std::atof(arg(argc, argv, "--seconds", "10"));
    double warmup = std::atof(arg(argc, argv, "--warmup", "1"));
    int instances = std::atoi(arg(argc, argv, "--instances", "2"));
    int batch = std::max(1, std::atoi(arg(argc, argv, "--batch", "1")));
    g_boot = "bench-" + std::to_string(getpid()) + "-" +
             std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    long controller_pid = std::atol(arg(argc, argv, "--controller-pid", "0"));
    if (agents < 1 || seconds <= 0 || instances < 0) {
        std::fprintf(stderr, "loadgen: --agents ≥ 1, --seconds > 0, --instances ≥ 0\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM* multi = curl_multi_init();
    std::vector<Agent> pool(static_cast<size_t>(agents));
    std::string auth = "Authorization: Bearer " + token;
    for (int n = 0; n < agents; ++n) {
        Agent& a = pool[static_cast<size_t>(n)];
        a.name = "bench-" + std::to_string(n);
        a.easy = curl_easy_init();
        a.headers = curl_slist_append(a.headers, auth.c_str());
        a.headers = curl_slist_append(a.headers, "Content-Type: application/json");
        a.headers = curl_slist_append(a.headers, "Expect:");
        curl_easy_setopt(a.easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(a.easy, CURLOPT_HTTPHEADER, a.headers);
        curl_easy_setopt(a.easy, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(a.easy, CURLOPT_WRITEDATA, &a.answer);
        curl_easy_setopt(a.easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(a.easy, CURLOPT_PRIVATE, &a);
    }
    auto send = [&](Agent& a, int index) {
        ++a.seq;
        a.body = report_body(a, instances, index, batch);
        a.answer.clear();
        curl_easy_setopt(a.easy, CURLOPT_POSTFIELDS, a.body.c_str());
        curl_easy_setopt(a.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(a.body.size()));
        a.sent = Clock::now();
        curl_multi_add_handle(multi, a.easy);
    };
    for (int n = 0; n < agents; ++n) send(pool[static_cast<size_t>(n)], n);

    const auto start = Clock::now();
    const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
    const auto stop = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<double> latency_us;
    latency_us.reserve(1 << 20);
    uint64_t ok = 0, failed = 0, duplicates = 0, reconnects = 0;
    int running = 0;
    int in_flight = agents;  // `running` is counted before re-adds: not a loop condition
    std::string first_error;
    double cpu_from = -1, cpu_to = -1;
    while (in_flight > 0) {
        curl_multi_perform(multi, &running);
        if (cpu_from < 0 && Clock::now() >= measure_from) cpu_from = cpu_seconds(controller_pid);
        if (cpu_to < 0 && Clock::now() >= stop) cpu_to = cpu_seconds(controller_pid);
        bool resent = false;
        int left = 0;
        while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
            if (m->msg != CURLMSG_DONE) continue;
            Agent* a = nullptr;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&a));
            auto now = Clock::now();
            long status = 0, connects = 0;
            curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(a->easy, CURLINFO_NUM_CONNECTS, &connects);
            bool good = m->data.result == CURLE_OK && status == 200 &&
                        a->answer.find("\"accepted\":" + std::to_string(batch) + ",") != std::string::npos;
            curl_multi_remove_handle(multi, a->easy);
            --in_flight;
            if (a->sent >= measure_from && now < stop) {
                if (good) {
                    ok += static_cast<uint64_t>(batch);
                    latency_us.push_back(std::chrono::duration<double, std::micro>(now - a->sent).count());
                } else {
                    ++failed;
                    if (a->answer.find("\"duplicates\":0") == std::string::npos) ++duplicates;
                    if (first_error.empty())
                        first_error = std::string(curl_easy_strerror(m->data.result)) + ", HTTP " +
                                      std::to_string(status) + ": " + a->answer;
                }
                reconnects += static_cast<uint64_t>(connects);
            }
            if (now < stop) {
                send(*a, static_cast<int>(a - pool.data()));
                ++in_flight;
                resent = true;
            }
        }
        // A handle just added has no socket to wait on yet: perform again at once.
        if (!resent) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    double measured = seconds;
    std::sort(latency_us.begin(), latency_us.end());
    auto pct = [&](double p) {
        if (latency_us.empty()) return 0.0;
        return latency_us[std::min(latency_us.size() - 1, static_cast<size_t>(p * static_cast<double>(latency_us.size())))] /
               1000.0;
    };
    double rate = static_cast<double>(ok) / measured;
    std::printf("agents %d, instances per report %d, reports per request %d, %.0f s measured\n", agents, instances,
                batch, measured);
    std::printf("reports/s %.0f  (ok %llu, failed %llu, new connections %llu)\n", rate,
                static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed),
                static_cast<unsigned long long>(reconnects));
    std::printf("ingest latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", pct(0.50), pct(0.90), pct(0.99),
                latency_us.empty() ? 0.0 : latency_us.back() / 1000.0);
    std::printf("ratio to the 20,000/s target: %.2f\n", rate / 20000.0);
    if (cpu_from >= 0 && cpu_to >= cpu_from && ok > 0) {
        double cores = (cpu_to - cpu_from) / measured;
        double us = (cpu_to - cpu_from) * 1e6 / static_cast<double>(ok);
        std::printf("controller CPU %.2f cores, %.1f us per report => %.0f reports/s on one whole core (%.2f of target)\n",
                    cores, us, 1e6 / us, 1e6 / us / 20000.0);
    }
    if (!first_error.empty()) std::printf("first failure: %s\n", first_error.c_str());
    for (auto& a : pool) {
        curl_easy_cleanup(a.easy);
        curl_slist_free_all(a.headers);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return failed > duplicates ? 1 : 0;
}
