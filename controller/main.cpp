// patchbay-controller: parse, build, load, run, stop — in that order (STYLE.md).
#include <curl/curl.h>
#include <signal.h>
#include <sys/stat.h>
#include <libknot/codes.h>
#include <libknot/lookup.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "alerts.h"
#include "backup_command.h"
#include "arrangements.h"
#include "event_hub.h"
#include "log.h"
#include "live_events.h"
#include "api.h"
#include "config.h"
#include "controller.h"
#include "dns_server.h"
#include "metrics.h"
#include "notify.h"
#include "state_lock.h"
#include "ticker.h"
#include "token.h"
#include "systemd_watchdog.h"
#include "update_handler.h"
#include "usage.h"
#include "watchdog.h"

using namespace patchbay;

namespace {


// Bad flags or configuration (code 2) are the command line's answer, plain on stderr;
// a failure to start is logged.
int die(const std::string& message, int code = 1) {
    if (code == 2) std::cerr << "patchbay-controller: " << message << "\n";
    else log_error("patchbay-controller: " + message);
    return code;
}

// Zone glue for ns.<zone>: the DNS listen addresses that name one host.
DnsSettings dns_settings(const ControllerConfig& cfg) {
    DnsSettings s;
    s.ttl = cfg.ttl;
    for (const auto& ep : cfg.dns_listen)
        if (ep.address != Address{} && ep.address != Address{Family::v6, {}}) s.ns_addresses.push_back(ep.address);
    return s;
}

// The first admin token: returned in --dev (to be printed), else written once to
// STATE/admin.token.
Result<std::string> bootstrap_token(Controller& controller, const ControllerConfig& cfg) {
    auto count = controller.token_count();
    if (!count) return count.failure();
    if (!cfg.dev && *count > 0) return std::string();
    std::string token = new_token();
    if (auto r = controller.add_token("admin", token); !r) return r.failure();
    if (cfg.dev) return token;
    auto path = std::filesystem::path(cfg.state_dir) / "admin.token";
    {
        std::ofstream out(path);
        out << token << "\n";
        if (!out) return fail("cannot write " + path.string());
    }
    chmod(path.c_str(), 0600);
    log_notice("patchbay-controller: wrote the first admin token to " + path.string());
    return std::string();
}

// --dev: a fresh TSIG key allowed to update every zone, so nsupdate/knsupdate work out of
// the box; returned in the form their -y option takes.
Result<std::string> add_dev_update_key(ControllerConfig& cfg) {
    constexpr const char* name = "patchbay-dev";
    std::string secret = new_tsig_secret();
    auto key = TsigKey::make(name, "hmac-sha256", secret);
    if (!key) return key.failure();
    cfg.tsig_keys.push_back(*key);
    AclEntry update;
    update.action = AclAction::update;
    update.key = name;
    cfg.acl.push_back(std::move(update));
    return std::string("hmac-sha256:") + name + ":" + secret;
}

// "NOERROR", "NXDOMAIN", … (libknot's names), or the number.
std::string rcode_name(uint16_t rcode) {
    const knot_lookup_t* name = knot_lookup_by_id(knot_rcode_names, rcode);
    return name ? name->name : std::to_string(rcode);
}

// The DNS server's answers by view and rcode, as a metric family.
MetricFamily dns_metrics(const std::vector<DnsCount>& counts) {
    MetricFamily f{"patchbay_dns_responses_total", "DNS responses sent, by view and rcode", "counter", {}};
    for (const auto& c : counts)
        f.samples.push_back({{{"view", dns_view_name(c.view)}, {"rcode", rcode_name(c.rcode)}}, static_cast<double>(c.count)});
    return f;
}

// GET /metrics: every module's families, collected when scraped (docs/metrics.md).
std::string collect_metrics(const Notifier* notifier, const Alerts* alerts, const Watchdog* watchdog,
                            const DnsServer* dns) {
    std::vector<MetricFamily> families;
    auto add = [&families](std::vector<MetricFamily> more) {
        for (auto& f : more) families.push_back(std::move(f));
    };
    if (notifier) add(notify_metrics(notifier->counts()));
    if (alerts) add(alerts->metrics());
    if (watchdog) add(watchdog->metrics());
    if (dns) families.push_back(dns_metrics(dns->counts()));
    return render_metrics(families);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && is_state_command(argv[1])) {
        auto command = parse_state_command(argc, argv);
        if (!command) return die(command.error() + "\n" + kStateCommandUsage, 2);
        return run_state_command(*command);
    }
    auto flags = parse_controller_flags(argc, argv);
    if (!flags) return die(flags.error() + "\n" + kControllerUsage, 2);
    if (flags->help) {
        std::cout << kControllerUsage;
        return 0;
    }
    auto cfg = resolve_controller_config(*flags);
    if (!cfg) return die(cfg.error(), 2);
    start_logging("patchbay-controller", cfg->log_level);
    if (cfg->dev && !flags->state) {
        char tmpl[] = "/tmp/patchbay-dev-XXXXXX";
        if (!mkdtemp(tmpl)) return die("cannot make a temporary state directory");
        cfg->state_dir = tmpl;
    }
    std::error_code ec;
    std::filesystem::create_directories(cfg->state_dir, ec);
    if (ec) return die("cannot create state directory " + cfg->state_dir + ": " + ec.message());
    // One controller per state directory; `restore` takes the same lock (state_lock.h).
    auto state_lock = StateLock::take(cfg->state_dir);
    if (!state_lock) return die(state_lock.error());

    // Signals go to sigwait below, not to whichever thread happens to run.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);
    // Before any thread: the alert sender's threads use libcurl.
    curl_global_init(CURL_GLOBAL_DEFAULT);

    std::string dev_tsig;
    if (cfg->dev) {
        auto key = add_dev_update_key(*cfg);
        if (!key) return die(key.error());
        dev_tsig = *key;
    }

    auto store = Store::open(cfg->state_dir + "/patchbay.db");
    if (!store) return die(store.error());
    Controller controller(std::move(*store), dns_settings(*cfg));
    // The page's live stream (GET /v1/events): state changes, committed changes, applied
    // serials (live_events.h), each to the accounts it concerns. Made before anything that
    // publishes to it, so it outlives them all, on every way out.
    EventHub events;
    controller.configure_transfers(cfg->secondaries);
    controller.configure_client_view(cfg->client_view);
    auto token = bootstrap_token(controller, *cfg);
    if (!token) return die(token.error());

    auto zones = controller.snapshot();
    if (!zones) return die(zones.error());
    DnsServerOptions dns_options;
    dns_options.policy.keys = cfg->tsig_keys;
    dns_options.policy.acl = effective_acl(*cfg);
    dns_options.policy.update =
        make_update_handler(controller, cfg->tsig_keys, dns_options.policy.acl, cfg->tsig_key_accounts);
    dns_options.client_listen = cfg->client_listen;
    dns_options.assignment_networks = cfg->assignment_networks;
    dns_options.client_initial = controller.client_view();
    auto dns = DnsServer::start(cfg->dns_listen, *zones, std::move(dns_options));
    if (!dns) return die(dns.error());
    auto notifier = Notifier::start();
    if (!notifier) return die(notifier.error());
    controller.attach(dns->get(), notifier->get());
    // The alert policies, fed by the watchdog's changes and ticked by its timer.
    auto alerts = std::make_unique<Alerts>(cfg->alerts);
    // The watchdog: its own connection to the same database; ticks once a second.
    auto watchdog = Watchdog::open(cfg->state_dir + "/patchbay.db", cfg->health, unix_ms_now());
    if (!watchdog) return die(watchdog.error());
    // A verdict reaches the client view (and the alerts) as soon as it is made.
    (*watchdog)->on_change([&alerts, &controller, &events](const std::vector<StateChange>& changes,
                                                           const HealthMapPtr& health) {
        controller.set_health(health);
        alerts->on_changes(changes);
        for (const auto& e : state_events(changes)) events.publish(e);
    });
    controller.on_change([&events](const Change& change, const std::string& account) {
        events.publish(change_event(change, account));
    });
    controller.set_health((*watchdog)->health());  // the states known before this restart
    // The load strategy's weights follow the hosts' reported CPU (only moves of a tenth
    // are handed on: load_map.h).
    (*watchdog)->on_load([&controller](LoadMapPtr load) { controller.set_load(std::move(load)); });
    controller.set_load((*watchdog)->load());
    // Each account's [health] and [[alert]] (its settings file) and which zones are its:
    // now, and after every change of them.
    controller.on_accounts([w = watchdog->get(), a = alerts.get()](AccountsSnapshotPtr accounts) {
        w->set_accounts(accounts);
        a->set_accounts(*accounts);
    });
    {
        auto accounts = controller.accounts_snapshot();
        (*watchdog)->set_accounts(accounts);
        alerts->set_accounts(*accounts);
    }
    // The timelines page's layouts, per user: a connection of their own to the same file.
    auto arrangements = Arrangements::open(cfg->state_dir + "/patchbay.db");
    if (!arrangements) return die(arrangements.error());
    ApiServices services{controller};
    services.watchdog = watchdog->get();
    services.arrangements = arrangements->get();
    services.events = &events;
    services.alerts = alerts.get();
    services.metrics = [notifier = notifier->get(), alerts = alerts.get(), watchdog = watchdog->get(),
                        dns = dns->get()] { return collect_metrics(notifier, alerts, watchdog, dns); };
    auto api = Api::start(services, cfg->api_listen);
    if (!api) return die(api.error());
    auto watchdog_timer = std::make_unique<WatchdogTimer>(**watchdog, std::chrono::seconds(1), unix_ms_now,
                                                          [&alerts](int64_t now) { alerts->tick(now); });
    // Drains whose grace has run out lose their tuples (drain.h); also those that ran out
    // while the controller was down, at its first tick.
    auto drain_timer = std::make_unique<Ticker>(std::chrono::milliseconds(250), [&controller] {
        auto done = controller.finish_due_drains(unix_ms_now());
        if (!done) return log_error("patchbay-controller: drains: " + done.error());
        for (const auto& d : *done)
            log_notice("patchbay-controller: drained " + d.address.str() + ": " + std::to_string(d.removed.size()) +
                           " tuple(s) removed",
                       {{LogKey::address, d.address.str()}});
    });

    for (const auto& ep : (*dns)->bound()) log_info("patchbay-controller: DNS on " + ep.str() + " (UDP, TCP)");
    for (const auto& ep : (*dns)->client_bound())
        log_info("patchbay-controller: DNS for clients (client view) on " + ep.str() + " (UDP, TCP)");
    log_info("patchbay-controller: API on http://" + (*api)->bound().str() + "/v1, state in " + cfg->state_dir);
    if (cfg->dev)  // like `vault server -dev`: eval-able lines for an admin shell
        std::cout << "export PATCHBAY_CONTROLLER=http://" << (*api)->bound().str() << "\n"
                  << "export PATCHBAY_TOKEN=" << *token << "\n"
                  << "export PATCHBAY_TSIG=" << dev_tsig << "\n"
                  << std::flush;
    // systemd's watchdog (WatchdogSec= in the unit): pinged only while the health ticks
    // (one a second) go on and the store answers, so a hung controller gets restarted.
    auto systemd_watchdog = SystemdWatchdog::start_if_enabled(
        [&controller, timer = watchdog_timer.get(), seen = uint64_t{0},
         moved = std::chrono::steady_clock::now()]() mutable {
            auto now = std::chrono::steady_clock::now();
            if (uint64_t ticks = timer->ticks(); ticks != seen) seen = ticks, moved = now;
            return now - moved < std::chrono::seconds(10) && controller.token_count().ok();
        });
    sd_notify(0, "READY=1");

    int sig = 0;
    sigwait(&stop_signals, &sig);
    sd_notify(0, "STOPPING=1");
    log_info("patchbay-controller: stopping (signal " + std::to_string(sig) + ")");
    controller.attach(nullptr, nullptr);
    api->reset();
    systemd_watchdog.reset();
    drain_timer.reset();
    watchdog_timer.reset();
    controller.on_accounts(nullptr);
    if (auto flushed = (*watchdog)->tick(unix_ms_now()); !flushed) log_error("patchbay-controller: " + flushed.error());
    watchdog->reset();
    alerts.reset();
    curl_global_cleanup();
    notifier->reset();
    dns->reset();
    if (cfg->dev && !flags->state) std::filesystem::remove_all(cfg->state_dir, ec);
    return 0;
}
