#include "completion.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace patchbay {

namespace {

std::string joined(const std::vector<std::string>& words, const std::string& prefix = "") {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + prefix + w;
    return out;
}

// Options every command takes, and those that take a value (whose value is never a noun,
// verb or positional argument).
const std::vector<std::string> kGlobalOptions = {"controller", "token", "output", "help"};

}  // namespace

std::vector<std::string> positionals_of(const CommandSpec& command) {
    std::istringstream in{std::string(command.synopsis)};
    std::vector<std::string> tokens;
    for (std::string t; in >> t;) tokens.push_back(t);
    size_t first = verb_of(command).empty() ? 1 : 2;
    std::vector<std::string> out;
    for (size_t i = first; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        if (t.starts_with("--") || t.starts_with("[--")) {
            // Its value follows unless the option closes here ("[--wait]").
            if (t.back() != ']' && i + 1 < tokens.size() && !tokens[i + 1].starts_with("[") &&
                !tokens[i + 1].starts_with("-"))
                ++i;
            continue;
        }
        std::string word;
        for (char c : t)
            if (c != '[' && c != ']') word += c;
        if (word.ends_with("…")) word.resize(word.size() - std::string_view("…").size());
        out.push_back(word);
    }
    return out;
}

std::string bash_completion() {
    std::set<std::string> value_options = {"controller", "token", "output", "timeout"};
    for (const auto& c : cli_commands())
        for (const auto& o : options_of(c)) value_options.insert(o);
    value_options.erase("wait");

    std::ostringstream s;
    s << "# bash completion for patchbay(1); written by patchbay-docgen from cli/commands.cpp.\n"
         "_patchbay() {\n"
         "    local cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
         "    [ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "    COMPREPLY=()\n"
         "    case $prev in\n"
         "        --output) COMPREPLY=($(compgen -W 'text json' -- \"$cur\")); return ;;\n"
         "        --role) COMPREPLY=($(compgen -W 'admin account-admin account-viewer agent' -- \"$cur\")); return ;;\n"
         "        --transport) COMPREPLY=($(compgen -W 'tcp udp sctp tls dccp' -- \"$cur\")); return ;;\n"
         "    esac\n"
         "    local value_options=' "
      << joined(std::vector<std::string>(value_options.begin(), value_options.end()), "--")
      << " '\n"
         "    [[ $value_options == *\" $prev \"* ]] && return  # a value the user types\n"
         "    # The words before the cursor, options and their values left out; `help` too.\n"
         "    local words=() i w skip=\n"
         "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "        w=${COMP_WORDS[i]}\n"
         "        if [ -n \"$skip\" ]; then skip=; continue; fi\n"
         "        if [[ $w == -* ]]; then\n"
         "            [[ $w != *=* && $value_options == *\" $w \"* ]] && skip=1\n"
         "            continue\n"
         "        fi\n"
         "        [ ${#words[@]} -eq 0 ] && [ \"$w\" = help ] && continue\n"
         "        words+=(\"$w\")\n"
         "    done\n"
         "    local noun=${words[0]-} verb=${words[1]-} command=\n"
         "    case $noun in\n";
    // Nouns of one-word commands take arguments at once; the others a verb first.
    std::string one_word;
    for (const auto& c : cli_commands())
        if (verb_of(c).empty()) one_word += (one_word.empty() ? "" : "|") + noun_of(c);
    s << "        " << one_word << ")\n";
    s << "            command=$noun; local args=(\"${words[@]:1}\") ;;\n"
         "        *)\n"
         "            command=\"$noun $verb\"; local args=(\"${words[@]:2}\") ;;\n"
         "    esac\n"
         "    if [[ $cur == -* ]]; then\n"
         "        local options='"
      << joined(kGlobalOptions, "--")
      << "'\n"
         "        case $command in\n";
    for (const auto& c : cli_commands()) {
        auto options = options_of(c);
        if (c.changes) {
            options.push_back("wait");
            if (std::find(options.begin(), options.end(), "timeout") == options.end()) options.push_back("timeout");
        }
        if (!options.empty()) s << "            '" << name_of(c) << "') options+=' " << joined(options, "--") << "' ;;\n";
    }
    s << "        esac\n"
         "        COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
         "        return\n"
         "    fi\n"
         "    if [ ${#words[@]} -eq 0 ]; then\n"
         "        COMPREPLY=($(compgen -W '"
      << joined(cli_nouns()) << " help"
      << "' -- \"$cur\"))\n"
         "        return\n"
         "    fi\n"
         "    if [ ${#words[@]} -eq 1 ]; then\n"
         "        case $noun in\n";
    for (const auto& noun : cli_nouns()) {
        std::vector<std::string> verbs;
        for (const auto& c : cli_commands())
            if (noun_of(c) == noun && !verb_of(c).empty()) verbs.push_back(verb_of(c));
        if (!verbs.empty()) s << "            " << noun << ") COMPREPLY=($(compgen -W '" << joined(verbs) << "' -- \"$cur\")); return ;;\n";
    }
    s << "        esac\n"
         "    fi\n"
         "    # A FILE argument: file names.\n"
         "    case \"$command:${#args[@]}\" in\n";
    for (const auto& c : cli_commands()) {
        auto positionals = positionals_of(c);
        for (size_t i = 0; i < positionals.size(); ++i)
            if (positionals[i] == "FILE") s << "        '" << name_of(c) << ":" << i << "') COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n";
    }
    s << "    esac\n"
         "}\n"
         "complete -F _patchbay patchbay\n";
    return s.str();
}

}  // namespace patchbay
