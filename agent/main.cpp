// patchbay-agent: makes systemd run what the zone places on this host (DESIGN.md §3).
//   patchbay-agent --config FILE [--once] [--dry-run] [--output json] [--log-level LEVEL]
// Exit: 0 fine; 1 runtime failure; 2 bad flags or configuration; 3 (--once) a domain
// could not be fetched completely, so nothing was stopped.
#include <curl/curl.h>

#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "config.h"
#include "log.h"
#include "manager.h"
#include "plan_json.h"
#include "usage.h"

namespace {

constexpr int kExitUsage = 2;


int usage(const std::string& problem) {
    std::cerr << "patchbay-agent: " << problem << "\n" << patchbay::kAgentUsage;
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path;
    patchbay::ManagerOptions options;
    std::optional<patchbay::LogLevel> log_level;  // --log-level, over the file's
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const std::string& flag) -> const char* {
            if (i + 1 >= argc) return nullptr;
            (void)flag;
            return argv[++i];
        };
        if (arg == "--config") {
            const char* v = value(arg);
            if (!v) return usage("--config needs a FILE");
            config_path = v;
        } else if (arg.starts_with("--config=")) {
            config_path = arg.substr(9);
        } else if (arg == "--once") {
            options.once = true;
        } else if (arg == "--dry-run") {
            options.dry_run = true;
        } else if (arg == "--output" || arg.starts_with("--output=")) {
            std::string format;
            if (arg == "--output") {
                const char* v = value(arg);
                if (!v) return usage("--output needs a format (json)");
                format = v;
            } else {
                format = arg.substr(9);
            }
            if (format != "json") return usage("unknown output format '" + format + "' (only json)");
            options.json = true;
        } else if (arg == "--log-level" || arg.starts_with("--log-level=")) {
            const char* v = arg == "--log-level" ? value(arg) : argv[i] + 12;
            if (!v) return usage("--log-level needs a LEVEL (error, warning, notice, info or debug)");
            auto level = patchbay::parse_log_level(v);
            if (!level) return usage("--log-level: " + level.error());
            log_level = *level;
        } else if (arg == "--help" || arg == "-h") {
            std::cout << patchbay::kAgentUsage;
            return 0;
        } else {
            return usage("unknown argument '" + arg + "'");
        }
    }
    if (config_path.empty()) return usage("--config FILE is required");

    auto config = patchbay::load_config(config_path);
    if (!config) {
        std::cerr << "patchbay-agent: " << config.error() << "\n";
        return kExitUsage;
    }
    if (log_level) config->log_level = *log_level;
    patchbay::start_logging("patchbay-agent", config->log_level);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int code = patchbay::kExitFailure;
    {
        auto manager = patchbay::Manager::create(std::move(*config), options);
        if (!manager) {
            patchbay::log_error(manager.error());
        } else {
            code = (*manager)->run();
            if (options.once && options.json)
                std::cout << patchbay::plan_json((*manager)->last_plan()).dump(2) << std::endl;
        }
    }
    curl_global_cleanup();
    return code;
}
