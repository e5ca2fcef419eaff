// What the CLI tests share: a command line planned into its API request (no
// environment, path segments as they are, files from `read`) and an answer rendered.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "command.h"

namespace patchbay::cli_test {

inline std::optional<std::string> no_env(const char*) { return std::nullopt; }
inline std::string same(const std::string& s) { return s; }
inline Result<std::string> no_files(const std::string& path) {
    return fail(ErrorKind::invalid, "cannot read " + path + ": No such file or directory");
}

inline Result<ApiRequest> plan(std::vector<std::string> argv,
                               const std::function<Result<std::string>(const std::string&)>& read = no_files) {
    auto inv = parse_invocation(argv, no_env);
    if (!inv) return inv.failure();
    return plan_request(*inv, same, read);
}

inline std::string shown(std::vector<std::string> argv, const char* body) {
    auto inv = parse_invocation(argv, no_env);
    REQUIRE(inv);
    return render(*inv, nlohmann::json::parse(body));
}

}  // namespace patchbay::cli_test
