// docs/configuration.md as the config reference tests read it: per file section ("##
// agent.toml"), the keys its tables document and the example that uses every key.
#pragma once

#include <fstream>
#include <iterator>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace patchbay::test {

// The lines of "## TITLE" up to the next "## " heading; "" when there is no such section.
inline std::string reference_section(const std::string& title) {
    std::ifstream in(std::string(PATCHBAY_SOURCE_DIR) + "/docs/configuration.md");
    std::string line, out;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line.starts_with("## ")) inside = line == "## " + title;
        else if (inside) out += line + "\n";
    }
    return out;
}

// The first cell of every table row that starts with a `key`.
inline std::set<std::string> documented_keys(const std::string& section) {
    std::set<std::string> keys;
    std::istringstream in(section);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("| `")) continue;
        size_t end = line.find('`', 3);
        if (end != std::string::npos) keys.insert(line.substr(3, end - 3));
    }
    return keys;
}

// The first ```toml block.
inline std::string example_toml(const std::string& section) {
    size_t start = section.find("```toml\n");
    if (start == std::string::npos) return "";
    start += 8;
    return section.substr(start, section.find("```", start) - start);
}

// Every leaf key of `table` as a dotted path; a key directly under one of `named`
// ("services") is a name the user chooses and reads "NAME". Arrays of tables and inline
// tables are walked like tables.
inline void leaf_keys(const toml::table& table, const std::string& prefix, const std::set<std::string>& named,
                      std::set<std::string>& out) {
    for (auto&& [k, node] : table) {
        std::string part = named.count(prefix) ? "NAME" : std::string(k.str());
        std::string path = prefix.empty() ? part : prefix + "." + part;
        if (const toml::table* sub = node.as_table()) {
            leaf_keys(*sub, path, named, out);
        } else if (const toml::array* list = node.as_array(); list && !list->empty() && list->is_array_of_tables()) {
            for (auto&& item : *list) leaf_keys(*item.as_table(), path, named, out);
        } else {
            out.insert(path);
        }
    }
}

// `prefix.key` for every key of a config_keys.h list, but those in `tables` (keys that
// hold a table of their own, listed separately).
inline void add_keys(std::set<std::string>& out, const std::string& prefix, std::span<const std::string_view> keys,
                     const std::set<std::string_view>& tables = {}) {
    for (auto k : keys)
        if (!tables.count(k)) out.insert(prefix + "." + std::string(k));
}

// What differs between the keys the reference documents and those of the code, one line
// each ("not documented: agent.x", "documented, not a key of CODE_FILE: agent.y").
inline std::vector<std::string> key_differences(const std::set<std::string>& documented,
                                                const std::set<std::string>& code, const std::string& code_file) {
    std::vector<std::string> out;
    for (const auto& k : code)
        if (!documented.count(k)) out.push_back("in " + code_file + ", not documented: " + k);
    for (const auto& k : documented)
        if (!code.count(k)) out.push_back("documented, not a key of " + code_file + ": " + k);
    return out;
}

}  // namespace patchbay::test
