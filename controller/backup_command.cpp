#include "backup_command.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <iostream>

#include "backup.h"
#include "config.h"
#include "usage.h"

namespace patchbay {


namespace {

constexpr const char* kInstalledConfig = "/etc/patchbay/controller.toml";

// The state directory the command works on, and where that came from (for the output).
Result<std::string> state_dir_of(const StateCommand& command) {
    if (command.state) return *command.state;
    std::optional<std::string> config = command.config;
    std::error_code ec;
    if (!config && std::filesystem::exists(kInstalledConfig, ec)) config = kInstalledConfig;
    ControllerFlags flags;
    flags.config = config;
    auto cfg = resolve_controller_config(flags);
    if (!cfg) return cfg.failure();
    return cfg->state_dir;
}

}  // namespace

bool is_state_command(std::string_view word) { return word == "backup" || word == "restore"; }

Result<StateCommand> parse_state_command(int argc, const char* const* argv) {
    StateCommand command;
    if (argc < 2 || !is_state_command(argv[1])) return fail("expected backup or restore");
    command.verb = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> Result<std::string> {
            if (i + 1 >= argc) return fail(arg + " needs a value");
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            command.help = true;
        } else if (arg == "--config" || arg == "--state") {
            auto v = value();
            if (!v) return v.failure();
            (arg == "--config" ? command.config : command.state) = *v;
        } else if (arg == "--serial-step" && command.verb == "restore") {
            auto v = value();
            if (!v) return v.failure();
            uint32_t n = 0;
            auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (ec != std::errc() || end != v->data() + v->size() || n < 1 || n > 0x7fffffffu)
                return fail("--serial-step must be 1 to 2147483647 (RFC 1982's largest step), not '" + *v + "'");
            command.serial_step = n;
        } else if (arg.starts_with('-')) {
            return fail("unknown argument '" + arg + "' for " + command.verb);
        } else if (command.file.empty()) {
            command.file = arg;
        } else {
            return fail(command.verb + " takes one FILE, not also '" + arg + "'");
        }
    }
    if (command.help) return command;
    if (command.file.empty()) return fail(command.verb + " needs a FILE");
    if (command.config && command.state) return fail("give --config or --state, not both");
    return command;
}

int run_state_command(const StateCommand& command) {
    if (command.help) {
        std::cout << kStateCommandUsage;
        return 0;
    }
    auto state = state_dir_of(command);
    if (!state) {
        std::cerr << "patchbay-controller " << command.verb << ": " << state.error() << "\n";
        return 2;
    }
    if (command.verb == "backup") {
        auto done = backup_database(*state + "/patchbay.db", command.file);
        if (!done) {
            std::cerr << "patchbay-controller backup: " << done.error() << "\n";
            return 1;
        }
        std::cout << "backup of " << *state << "/patchbay.db in " << done->file << ": " << facts_text(done->facts)
                  << "\n";
        return 0;
    }
    RestoreOptions options;
    if (command.serial_step) options.serial_step = *command.serial_step;
    options.author = "restore (uid " + std::to_string(::getuid()) + ")";
    auto done = restore_database(*state, command.file, options);
    if (!done) {
        std::cerr << "patchbay-controller restore: " << done.error() << "\n";
        return 1;
    }
    std::cout << "restored " << command.file << " into " << *state << "/patchbay.db: " << facts_text(done->facts)
              << "\n";
    for (const auto& z : done->zones)
        std::cout << "  zone " << z.zone << ": serial " << z.backup_serial << " in the backup, " << z.serial
                  << " from now on\n";
    std::cout << "start the controller again (systemctl start patchbay-controller)\n";
    return 0;
}

}  // namespace patchbay
