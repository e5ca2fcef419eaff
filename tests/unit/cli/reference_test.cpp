// One source, cli/commands.cpp, for the grammar of options, --help, the man page, the bash
// completion and docs/cli.md's table: each is checked against it here.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_run.h"
#include "commands.h"
#include "completion.h"
#include "man_page.h"
#include "temp_dir.h"

using namespace patchbay;
using cli_test::no_env;
using cli_test::plan;

namespace {

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A command line that fits the synopsis: every positional argument a plausible value,
// every option with one.
std::vector<std::string> example_argv(const CommandSpec& c) {
    std::vector<std::string> argv{noun_of(c)};
    if (!verb_of(c).empty()) argv.push_back(verb_of(c));
    for (const auto& p : positionals_of(c)) {
        if (p == "DOMAIN") argv.push_back("x.example");
        else if (p == "SERVICE") argv.push_back("http");
        else if (p == "TRANSPORT") argv.push_back("tcp");
        else if (p == "ADDRESS" || p == "FROM") argv.push_back("10.0.0.1");
        else if (p == "TO") argv.push_back("10.0.0.2");
        else if (p == "PORT" || p == "ID" || p == "VERSION") argv.push_back("1");
        else argv.push_back("a");
    }
    return argv;
}

std::string option_value(const std::string& name) {
    if (name == "timeout" || name == "grace" || name == "range" || name == "period") return "30s";
    if (name == "priority" || name == "weight" || name == "limit") return "5";
    if (name == "role") return "agent";
    if (name == "transport") return "tcp";
    if (name == "from") return "192.0.2.1";
    if (name == "at") return "1700000000";
    if (name == "zone") return "x.example";
    return "a";
}

// Runs `script` in bash and returns what it printed.
std::string bash(const std::string& script) {
    FILE* p = popen(("bash -c '" + script + "' 2>&1").c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
    pclose(p);
    return out;
}

}  // namespace

TEST_CASE("docs/cli.md's command table is the one written from cli/commands.cpp") {
    const std::string doc = file_text(std::string(PATCHBAY_SOURCE_DIR) + "/docs/cli.md");
    INFO("regenerate it: build/cli/patchbay-docgen cli-table 0 0");
    CHECK(doc.find(reference_table()) != std::string::npos);
}

TEST_CASE("every command's synopsis is its grammar: each option it names is taken, by it alone") {
    for (const auto& c : cli_commands()) {
        INFO(c.synopsis);
        auto argv = example_argv(c);
        for (const auto& o : options_of(c)) {
            if (o == "template") argv.insert(argv.end(), {"--account", "a"});  // --template needs --account
            argv.insert(argv.end(), {"--" + o, option_value(o)});
        }
        auto files = [](const std::string&) -> Result<std::string> { return std::string("[mapping]\nttl = 5\n"); };
        auto r = plan(argv, files);
        CHECK((r ? std::string() : r.error()) == "");
        // An option of another command is refused, naming who takes it.
        for (std::string other : {"priority", "grace", "limit", "role"}) {
            auto options = options_of(c);
            if (std::find(options.begin(), options.end(), other) != options.end()) continue;
            auto wrong = example_argv(c);
            wrong.insert(wrong.end(), {"--" + other, option_value(other)});
            auto refused = plan(wrong, files);
            REQUIRE_FALSE(refused);
            CHECK_THAT(refused.error(), Catch::StartsWith("--" + other + " only goes with '"));
        }
    }
}

TEST_CASE("--help on every command, every noun and on its own") {
    for (const auto& c : cli_commands()) {
        for (auto argv : {example_argv(c), std::vector<std::string>{"help", noun_of(c), verb_of(c)}}) {
            if (argv.back().empty()) argv.pop_back();
            if (argv[0] != "help") argv.push_back("--help");
            auto inv = parse_invocation(argv, no_env);
            REQUIRE(inv);
            CHECK(inv->help);
            auto text = help_text(*inv);
            REQUIRE(text);
            CHECK_THAT(*text, Catch::StartsWith("usage: patchbay " + std::string(c.synopsis)));
            CHECK_THAT(*text, Catch::Contains(wrap(plain_text(c.description), 80)));
            CHECK((text->find("--wait [--timeout D]: returns once") != std::string::npos) == c.changes);
        }
        auto noun = parse_invocation({noun_of(c), "--help"}, no_env);
        REQUIRE(noun);
        auto text = help_text(*noun);
        REQUIRE(text);
        CHECK_THAT(*text, Catch::Contains(std::string(c.synopsis)));
    }
    auto all = parse_invocation({"--help"}, no_env);
    REQUIRE(all);
    CHECK(*help_text(*all) == overview_help());
    for (const auto& c : cli_commands()) CHECK_THAT(overview_help(), Catch::Contains("  " + std::string(c.synopsis) + "\n"));
    auto unknown = parse_invocation({"help", "zone", "fly"}, no_env);
    REQUIRE(unknown);
    CHECK_THAT(help_text(*unknown).error(), Catch::StartsWith("unknown command 'zone fly'"));
}

TEST_CASE("markdown as a terminal shows it") {
    CHECK(plain_text("the account's `[templates.T]` (exit 3) ([policies.md](policies.md))") ==
          "the account's [templates.T] (exit 3) (docs/policies.md)");
    CHECK(plain_text("see [cli.md](cli.md#zone-files), [x](https://e.org)") == "see docs/cli.md#zone-files, [x](https://e.org)");
    CHECK(wrap("one two three four", 9, "  ") == "  one two\n  three\n  four");
}

TEST_CASE("the man page: every command, roff-safe") {
    const std::string page = cli_man_page("1.2.3", "2026-12-05");
    CHECK_THAT(page, Catch::StartsWith(".TH PATCHBAY 1 \"2026-12-05\" \"patchbay 1.2.3\""));
    for (const auto& c : cli_commands()) CHECK_THAT(page, Catch::Contains(".B " + roff_escape(c.synopsis) + "\n"));
    CHECK(roff_escape(".start\n'quote a-b \\x") == "\\&.start\n\\&'quote a\\-b \\ex");
    // No line of text a roff request by accident: only the page's own requests start with '.'.
    std::istringstream lines(page);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(".")) continue;
        INFO(line);
        CHECK((line.starts_with(".TH ") || line.starts_with(".SH ") || line.starts_with(".B ") ||
               line.starts_with(".BR ") || line == ".TP" || line == ".br"));
    }
    // man(1) reads it without a warning, where it is installed.
    if (std::system("command -v man >/dev/null 2>&1") == 0) {
        test::TempDir tmp;
        const std::string file = (tmp.dir / "patchbay.1").string();
        std::ofstream(file) << page;
        CHECK(bash("MANWIDTH=80 man --warnings -l " + file + " 2>&1 >/dev/null") == "");
    }
}

TEST_CASE("bash completion: nouns, verbs, each command's options, option values, files") {
    test::TempDir tmp;
    const std::string script = (tmp.dir / "patchbay.bash").string();
    std::ofstream(script) << bash_completion();
    std::ofstream(tmp.dir / "acme.toml") << "";
    // complete WORD… — the words of the line, the last the one under the cursor.
    auto complete = [&](const std::string& line) {
        return bash("cd " + tmp.dir.string() + " && source " + script + " && COMP_WORDS=(" + line +
                    ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _patchbay && echo \"${COMPREPLY[*]}\"");
    };
    CHECK_THAT(complete("patchbay \"\""), Catch::StartsWith("zone tuple agent status servers server account"));
    CHECK(complete("patchbay tu") == "tuple\n");
    CHECK(complete("patchbay tuple \"\"") == "add rm move ls\n");
    CHECK(complete("patchbay help tuple \"\"") == "add rm move ls\n");
    CHECK(complete("patchbay --controller http://h:8080 zone \"\"") == "add rm ls import export\n");
    CHECK(complete("patchbay tuple add x.example --") ==
          "--controller --token --output --help --priority --weight --target --wait --timeout\n");
    CHECK(complete("patchbay drain 10.0.0.1 --g") == "--grace\n");
    CHECK(complete("patchbay status --") == "--controller --token --output --help\n");
    CHECK(complete("patchbay --output \"\"") == "text json\n");
    CHECK(complete("patchbay token create --role account-") == "account-admin account-viewer\n");
    CHECK(complete("patchbay policy check ac") == "acme.toml\n");
    CHECK(complete("patchbay policy set acme ac") == "acme.toml\n");
    CHECK(complete("patchbay policy set ac") == "\n");  // ACCOUNT, not a file
    CHECK(complete("patchbay tuple add --weight \"\"") == "\n");  // a value the user types
}
