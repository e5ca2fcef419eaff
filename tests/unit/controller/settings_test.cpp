// settings: an account's settings file — the complete example of docs/policies.md into
// the model it must give, the sample accounts of examples/policies/, and one row per
// kind of error with its exact message and place.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "settings.h"

using namespace patchbay;

namespace {

std::string read_source(const std::string& path) {
    std::ifstream in(std::string(PATCHBAY_SOURCE_DIR) + "/" + path);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The ```toml block under "## A complete example" of docs/policies.md.
std::string docs_example() {
    std::istringstream in(read_source("docs/policies.md"));
    std::string line, block;
    bool section = false, inside = false;
    while (std::getline(in, line)) {
        if (line == "## A complete example") section = true;
        else if (section && !inside && line == "```toml") inside = true;
        else if (inside && line == "```") break;
        else if (inside) block += line + "\n";
    }
    return block;
}

Prefix prefix(const char* text) { return *Prefix::parse(text); }
Address address(const char* text) { return *Address::parse(text); }
SourcePlace at(uint32_t line, uint32_t column = 1) { return SourcePlace{"policies.toml", line, column}; }

}  // namespace

TEST_CASE("settings: the complete example of docs/policies.md gives the model it describes") {
    auto parsed = parse_settings(docs_example(), "policies.toml", false);
    INFO((parsed ? std::string() : parsed.error()));
    REQUIRE(parsed);
    const AccountSettings& s = *parsed;

    CHECK(s.ttl == 5);
    REQUIRE(s.health);
    CHECK(s.health->down_after == 3);
    CHECK(s.health->latency_warning_ms == 250);
    CHECK_FALSE(s.health->up_after);  // not given: the controller's stays
    CHECK(with_overrides(HealthCriteria{}, *s.health).up_after == HealthCriteria{}.up_after);

    AlertPolicy pager;
    pager.name = "pager";
    pager.states = {Health::down};
    pager.servers = {"web*"};
    pager.for_ms = 30000;
    pager.webhook = "https://hooks.example.com/patchbay";
    AlertPolicy mail;
    mail.name = "ops-mail";
    mail.states = {Health::warning, Health::down};
    mail.recovery = false;
    mail.email = EmailChannel{"smtp://mail.example.com:25", "patchbay@example.com", {"ops@example.com"}, "", ""};
    CHECK(s.alerts == std::vector<AlertPolicy>{pager, mail});

    CHECK(s.geo == GeoSettings{"/var/lib/GeoIP/GeoLite2-Country.mmdb", "eu"});
    CHECK(s.regions ==
          std::vector<Region>{
              {"eu", {prefix("192.0.2.0/24"), prefix("2001:db8:1::/48")}, {"DE", "FR"}, {"EU"}, {"us"}, at(25)},
              {"us", {prefix("198.51.100.0/24")}, {}, {"NA"}, {"eu"}, at(31)},
          });
    CHECK(s.departments == std::vector<Department>{{"sales", {prefix("10.1.0.0/16")}, {"sales-key"}, at(36)}});
    CHECK(s.windows == std::vector<Window>{
                           {"business", "Europe/Berlin", 0x1f, 8 * 60, 18 * 60, at(40)},
                           {"night", "UTC", 0x7f, 22 * 60, 6 * 60, at(46)},
                       });
    CHECK(s.servers == std::vector<ServerFacts>{
                           {prefix("10.10.10.121"), "eu", "web", {"ssd"}, 3, at(50)},
                           {prefix("10.10.10.122"), "eu", "web", {}, std::nullopt, at(56)},
                           {prefix("10.10.20.0/24"), "us", "sip-edge", {}, 1, at(60)},
                       });
    CHECK(s.templates == std::vector<DomainTemplate>{
                             {"web",
                              {{"http", "tcp", address("10.10.10.121"), 80, 1, 100},
                               {"http", "tcp", address("10.10.10.122"), 8080, 2, 100}},
                              at(65)},
                         });

    REQUIRE(s.rules.size() == 4);
    Rule sales;
    sales.name = "sales-in-hours";
    sales.when.domain = "hostdomain.com";
    sales.when.service = "http";
    sales.when.transport = "tcp";
    sales.when.department = "sales";
    sales.when.window = "business";
    sales.strategy = Strategy::weighted;
    sales.weights = {{"10.10.10.121", 3}, {"web", 1}};
    sales.where = at(71);
    CHECK(s.rules[0] == sales);

    Rule eu;
    eu.name = "eu-web";
    eu.when.domain = "hostdomain.com";  // "HostDomain.com." normalized
    eu.when.service = "http";
    eu.when.tag = "ssd";
    eu.strategy = Strategy::geo;
    eu.count = 2;
    eu.where = at(81);
    CHECK(s.rules[1] == eu);

    Rule third;
    third.name = "rule 3";  // no name: its position
    third.when.domain = "hostdomain.com";
    third.when.service = "smtp";
    third.when.server = prefix("10.10.10.0/24");
    third.strategy = Strategy::failover;
    third.where = at(89);
    CHECK(s.rules[2] == third);

    Rule night;
    night.name = "templated-at-night";
    night.when.template_name = "web";
    night.when.server_type = "sip-edge";
    night.when.window = "night";
    night.strategy = Strategy::load;
    night.count = 1;
    night.where = at(95);
    CHECK(s.rules[3] == night);
}

TEST_CASE("settings: the sample accounts in examples/policies/ parse") {
    auto acme = parse_settings(read_source("examples/policies/acme.toml"), "acme.toml");
    INFO((acme ? std::string() : acme.error()));
    REQUIRE(acme);
    CHECK(acme->ttl == 10);
    CHECK(acme->geo.default_region == "eu");
    CHECK(acme->regions.size() == 2);
    REQUIRE(acme->windows.size() == 1);
    CHECK(acme->windows[0].days == 0x1f);
    REQUIRE(acme->rules.size() == 3);
    CHECK(acme->rules[0].strategy == Strategy::geo);
    CHECK(acme->rules[1].strategy == Strategy::failover);
    CHECK(acme->rules[1].when.window == "business");

    auto globex = parse_settings(read_source("examples/policies/globex.toml"), "globex.toml");
    INFO((globex ? std::string() : globex.error()));
    REQUIRE(globex);
    REQUIRE(globex->health);
    CHECK(globex->health->cpu_warning == 0.9);
    CHECK(globex->departments.size() == 1);
    REQUIRE(globex->rules.size() == 3);
    CHECK(globex->rules[0].strategy == Strategy::weighted);
    CHECK(globex->rules[0].when.department == "engineering");
    CHECK(globex->rules[1].strategy == Strategy::load);
    CHECK(globex->rules[2].when.template_name == "api");
    REQUIRE(globex->templates.size() == 1);
    CHECK(globex->templates[0].tuples.size() == 2);
}

TEST_CASE("settings: defaults of an empty file and of a bare window") {
    auto empty = parse_settings("", "a.toml");
    REQUIRE(empty);
    CHECK(empty->ttl == 5);
    CHECK_FALSE(empty->health);
    CHECK(empty->rules.empty());

    auto window = parse_settings("[windows.w]\ndays = [\"sat-sun\", \"wed\"]\nto = \"24:00\"\nfrom = \"23:59\"\n", "a.toml");
    REQUIRE(window);
    CHECK(window->windows[0] == Window{"w", "UTC", 0x64, 23 * 60 + 59, 1440, SourcePlace{"a.toml", 1, 1}});
    auto wrap = parse_settings("[windows.w]\ndays = \"fri-mon\"\n", "a.toml");
    REQUIRE(wrap);
    CHECK(wrap->windows[0].days == 0x71);
    auto all = parse_settings("[windows.w]\ndays = \"all\"\n", "a.toml");
    REQUIRE(all);
    CHECK(all->windows[0].days == 0x7f);
}

TEST_CASE("settings: every error names FILE:LINE:COLUMN and the rule broken") {
    struct Row {
        const char* text;
        const char* says;
    };
    const char* servers = "[servers.\"10.0.0.1\"]\ntype = \"web\"\ntags = [\"ssd\"]\n";
    const std::vector<Row> rows = {
        // TOML itself
        {"[mapping\n", "a.toml:1:9: Error while parsing table header: expected ']', saw '\\n'"},
        // unknown sections and keys, with a suggestion when it is a near miss
        {"[rules]\n", "a.toml:1:1: unknown section 'rules' (did you mean 'rule'?)"},
        {"[zones]\n", "a.toml:1:1: unknown section 'zones'"},
        {"[mapping]\ntll = 5\n", "a.toml:2:7: unknown key 'mapping.tll' (did you mean 'ttl'?)"},
        {"[health]\ndown_afer = 2\n", "a.toml:2:13: unknown key 'health.down_afer' (did you mean 'down_after'?)"},
        {"[regions.eu]\ncontries = [\"DE\"]\n", "a.toml:2:12: unknown key 'regions.eu.contries' (did you mean 'countries'?)"},
        {"[[rule]]\nstrategy = \"load\"\ncounts = 2\n", "a.toml:3:10: unknown key 'rule.counts' (did you mean 'count'?)"},
        // section shapes
        {"mapping = 5\n", "a.toml:1:11: mapping must be a table [mapping]"},
        {"regions = [1]\n", "a.toml:1:11: regions must be a table [regions]"},
        {"[regions]\neu = 1\n", "a.toml:2:6: regions.eu must be a table [regions.eu]"},
        {"[regions.\"e u\"]\n", "a.toml:1:1: regions: 'e u' is not a name (1 to 63 letters, digits, '-' or '_', starting with a letter)"},
        {"rule = 1\n", "a.toml:1:8: rule must be an array of tables [[rule]]"},
        // [mapping]
        {"[mapping]\nttl = 0\n", "a.toml:2:7: mapping.ttl must be 1 to 86400 seconds"},
        {"[mapping]\nttl = 5.5\n", "a.toml:2:7: mapping.ttl must be 1 to 86400 seconds"},
        // [health], [[alert]]
        {"[health]\ncpu_warning = 2\n", "a.toml:2:15: health.cpu_warning must be a fraction 0 (off) to 1"},
        // the watchdog's own timing is the controller's alone
        {"[health]\nperiod_seconds = 10\n",
         "a.toml:2:18: health.period_seconds is the controller's alone (the watchdog's own timing, the same for every "
         "account); set it in the controller's config"},
        {"[health]\ndown_after = 3\nretention_days = 7\n",
         "a.toml:3:18: health.retention_days is the controller's alone (the watchdog's own timing, the same for every "
         "account); set it in the controller's config"},
        {"[health]\nheartbeat_timeout_seconds = 30\n",
         "a.toml:2:29: health.heartbeat_timeout_seconds is the controller's alone (the watchdog's own timing, the same "
         "for every account); set it in the controller's config"},
        {"[[alert]]\nname = \"x\"\ncommand = [\"/bin/page\"]\n",
         "a.toml:3:11: alert.command is only allowed in the controller's config"},
        {"[[alert]]\nname = \"x\"\n", "a.toml:1:1: alert 'x' needs a channel: webhook or email"},
        {"[[alert]]\nname = \"x\"\nwebhook = \"ftp://h\"\n", "a.toml:3:11: alert.webhook must be an http:// or https:// URL"},
        // [geo]
        {"[geo]\ndefault_region = \"eu\"\n", "a.toml:2:18: geo.default_region: no [regions.eu] is defined"},
        {"[geo]\nmaxmind_db = \"\"\n", "a.toml:2:14: geo.maxmind_db must be a file path"},
        {"[geo]\nregion = \"eu\"\n", "a.toml:2:10: unknown key 'geo.region'"},
        // [regions]
        {"[regions.eu]\nnetworks = [\"10.0.0.0/33\"]\n", "a.toml:2:13: regions.eu.networks: prefix length 33 is over 32 in '10.0.0.0/33'"},
        {"[regions.eu]\nnetworks = [\"10.0.0.0/8\", \"10.1.2.3/8\"]\n", "a.toml:2:27: regions.eu.networks: 10.0.0.0/8 is listed twice"},
        {"[regions.eu]\nnetworks = \"10.0.0.0/8\"\n[regions.us]\nnetworks = \"10.0.0.0/8\"\n",
         "a.toml:4:12: regions.us.networks: 10.0.0.0/8 is also in region 'eu' at a.toml:1:1"},
        {"[regions.eu]\ncountries = [\"de\"]\n",
         "a.toml:2:14: regions.eu.countries: 'de' is not a country code (two upper-case letters, ISO 3166-1: \"DE\")"},
        {"[regions.eu]\ncountries = [\"DE\", \"DE\"]\n", "a.toml:2:20: regions.eu.countries: 'DE' is listed twice"},
        {"[regions.eu]\ncountries = \"DE\"\n[regions.x]\ncountries = \"DE\"\n",
         "a.toml:4:13: regions.x.countries: 'DE' is also in region 'eu' at a.toml:1:1"},
        {"[regions.eu]\ncontinents = [\"EUR\"]\n",
         "a.toml:2:15: regions.eu.continents: 'EUR' is not a continent code (AF, AN, AS, EU, NA, OC or SA)"},
        {"[regions.eu]\nnear = [\"asia\"]\n", "a.toml:2:9: regions.eu.near: no [regions.asia] is defined"},
        {"[regions.eu]\nnear = [\"eu\"]\n", "a.toml:2:9: regions.eu.near: a region cannot be near itself"},
        {"[regions.eu]\nnear = [\"us\", \"us\"]\n[regions.us]\n", "a.toml:2:15: regions.eu.near: 'us' is listed twice"},
        // [departments]
        {"[departments.d]\n", "a.toml:1:1: department 'd' needs networks or keys (else no querier is in it)"},
        {"[departments.d]\nkeys = [\"a..b\"]\n", "a.toml:2:9: departments.d.keys: 'a..b' is not a TSIG key name (a DNS name)"},
        {"[departments.d]\nkeys = [\"K\", \"k.\"]\n", "a.toml:2:14: departments.d.keys: 'k' is listed twice"},
        {"[departments.d]\nkeys = \"k\"\n[departments.e]\nkeys = \"K\"\n",
         "a.toml:4:8: departments.e.keys: 'k' is also a key of department 'd' at a.toml:1:1"},
        {"[departments.d]\nnetworks = \"10.0.0.0/8\"\n[departments.e]\nnetworks = \"10.0.0.0/8\"\n",
         "a.toml:4:12: departments.e.networks: 10.0.0.0/8 is also in department 'd' at a.toml:1:1"},
        // [windows]
        {"[windows.w]\ntime_zone = \"Mars/Olympus\"\n",
         "a.toml:2:13: windows.w.time_zone: 'Mars/Olympus' is not an IANA time zone (\"Europe/Berlin\")"},
        {"[windows.w]\ndays = [\"monday\"]\n",
         "a.toml:2:9: windows.w.days: 'monday' is not a day (mon … sun), a range (\"mon-fri\") or \"all\""},
        {"[windows.w]\ndays = [\"mon-mon\"]\n",
         "a.toml:2:9: windows.w.days: 'mon-mon' is not a day (mon … sun), a range (\"mon-fri\") or \"all\""},
        {"[windows.w]\ndays = [\"mon-fri\", \"wed\"]\n", "a.toml:2:20: windows.w.days: 'wed' repeats a day given before"},
        {"[windows.w]\ndays = []\n", "a.toml:2:8: windows.w.days must name at least one day"},
        {"[windows.w]\nfrom = \"8:00\"\n", "a.toml:2:8: windows.w.from must be a time \"HH:MM\" from 00:00 to 23:59, got '8:00'"},
        {"[windows.w]\nfrom = \"24:00\"\n", "a.toml:2:8: windows.w.from must be a time \"HH:MM\" from 00:00 to 23:59, got '24:00'"},
        {"[windows.w]\nto = \"24:01\"\n", "a.toml:2:6: windows.w.to must be a time \"HH:MM\" from 00:00 to 24:00, got '24:01'"},
        {"[windows.w]\nfrom = \"08:00\"\nto = \"08:00\"\n", "a.toml:1:1: window 'w': from and to are the same time (an empty window)"},
        // [servers]
        {"[servers.web1]\n", "a.toml:1:1: servers.\"web1\": not an address or prefix: 'web1'"},
        {"[servers.\"10.0.0.1\"]\n[servers.\"10.0.0.1/32\"]\n",
         "a.toml:2:1: servers.\"10.0.0.1/32\": 10.0.0.1/32 is already described at a.toml:1:1"},
        {"[servers.\"10.0.0.1\"]\nregion = \"eu\"\n", "a.toml:2:10: servers.\"10.0.0.1\".region: no [regions.eu] is defined"},
        {"[servers.\"10.0.0.1\"]\ntype = \"a b\"\n",
         "a.toml:2:8: servers.\"10.0.0.1\".type: 'a b' is not a name (1 to 63 letters, digits, '-' or '_', starting with a letter)"},
        {"[servers.\"10.0.0.1\"]\ntags = [\"x\", \"x\"]\n", "a.toml:2:14: servers.\"10.0.0.1\".tags: 'x' is listed twice"},
        {"[servers.\"10.0.0.1\"]\nweight = 70000\n", "a.toml:2:10: servers.\"10.0.0.1\".weight must be 0 to 65535"},
        // [templates]
        {"[templates.t]\n", "a.toml:1:1: template 't' needs tuples"},
        {"[templates.t]\ntuples = [{ service = \"http\", transport = \"tcp\", address = \"10.0.0.1\" }]\n",
         "a.toml:2:11: templates.t.tuples needs port"},
        {"[templates.t]\ntuples = [{ service = \"http\", transport = \"quic\", address = \"10.0.0.1\", port = 1 }]\n",
         "a.toml:2:43: templates.t.tuples.transport: transport 'quic' is not one of tcp, udp, sctp, tls, dccp"},
        {"[templates.t]\ntuples = [{ service = \"http\", transport = \"tcp\", address = \"10.0.0.1\", port = 0 }]\n",
         "a.toml:2:79: templates.t.tuples.port must be 1 to 65535"},
        {"[templates.t]\ntuples = [{ service = \"http\", transport = \"tcp\", address = \"10.0.0.1\", port = 1, prio = 1 }]\n",
         "a.toml:2:89: unknown key 'templates.t.tuples.prio'"},
        {"[templates.t]\ntuples = [{ service = \"http\", transport = \"tcp\", address = \"10.0.0.1\", port = 1 },"
         " { service = \"HTTP\", transport = \"tcp\", address = \"10.0.0.1\", port = 1, weight = 5 }]\n",
         "a.toml:2:84: templates.t.tuples: http/tcp 10.0.0.1:1 is listed twice"},
        // [[rule]]
        {"[[rule]]\ndomain = \"a.example\"\n", "a.toml:1:1: rule 'rule 1' needs a strategy (all-healthy, failover, weighted, load or geo)"},
        {"[[rule]]\nstrategy = \"random\"\n",
         "a.toml:2:12: rule.strategy: 'random' is not a strategy (all-healthy, failover, weighted, load or geo)"},
        {"[[rule]]\nstrategy = \"geo\"\n", "a.toml:1:1: rule 'rule 1': strategy geo needs at least one [regions] entry"},
        {"[[rule]]\nstrategy = \"load\"\ndomain = \"a..example\"\n", "a.toml:3:10: rule.domain: "},
        {"[[rule]]\nstrategy = \"load\"\nservice = \"_http_\"\n", "a.toml:3:11: rule.service: "},
        {"[[rule]]\nstrategy = \"load\"\ntransport = \"tcp\"\n",
         "a.toml:3:13: rule.transport is only allowed together with rule.service"},
        {"[[rule]]\nstrategy = \"load\"\ntemplate = \"web\"\n", "a.toml:3:12: rule.template: no [templates.web] is defined"},
        {"[[rule]]\nstrategy = \"load\"\ndepartment = \"sales\"\n",
         "a.toml:3:14: rule.department: no [departments.sales] is defined"},
        {"[[rule]]\nstrategy = \"load\"\nwindow = \"night\"\n", "a.toml:3:10: rule.window: no [windows.night] is defined"},
        {"[[rule]]\nstrategy = \"load\"\nserver_type = \"db\"\n", "a.toml:3:15: rule.server_type: no [servers] entry has type 'db'"},
        {"[[rule]]\nstrategy = \"load\"\ntag = \"hdd\"\n", "a.toml:3:7: rule.tag: no [servers] entry has tag 'hdd'"},
        {"[[rule]]\nstrategy = \"load\"\nserver = \"10.0.0.0/40\"\n", "a.toml:3:10: rule.server: prefix length 40 is over 32 in '10.0.0.0/40'"},
        {"[[rule]]\nstrategy = \"load\"\ncount = 65\n", "a.toml:3:9: rule.count must be 1 to 64 records"},
        {"[[rule]]\nstrategy = \"load\"\nname = \"default\"\n",
         "a.toml:3:8: rule.name: 'default' is the name of the implicit last rule"},
        {"[[rule]]\nstrategy = \"load\"\nname = \"\"\n", "a.toml:3:8: rule.name must be 1 to 100 printable characters"},
        {"[[rule]]\nstrategy = \"load\"\nweights = { \"10.0.0.1\" = 1 }\n",
         "a.toml:3:11: rule.weights is only for strategy \"weighted\", not \"load\""},
        {"[[rule]]\nstrategy = \"weighted\"\nweights = { \"db\" = 1 }\n",
         "a.toml:3:20: rule.weights: 'db' is neither an address nor the type of a [servers] entry"},
        {"[[rule]]\nstrategy = \"weighted\"\nweights = { \"2001:DB8::1\" = 1, \"2001:db8::1\" = 2 }\n",
         "a.toml:3:48: rule.weights: 2001:db8::1 is given twice"},
        {"[[rule]]\nstrategy = \"weighted\"\nweights = { \"10.0.0.1\" = -1 }\n",
         "a.toml:3:26: rule.weights.\"10.0.0.1\" must be 0 to 65535"},
        {"[[rule]]\nstrategy = \"weighted\"\nweights = 3\n",
         "a.toml:3:11: rule.weights must be a table { \"ADDRESS\" = WEIGHT, \"TYPE\" = WEIGHT }"},
        {"[[rule]]\nname = \"a\"\nstrategy = \"load\"\n[[rule]]\nname = \"a\"\nstrategy = \"failover\"\n",
         "a.toml:4:1: rule name 'a' is also the name of the rule at a.toml:1:1"},
        {"[[rule]]\nname = \"rule 2\"\nstrategy = \"load\"\nservice = \"http\"\n[[rule]]\nstrategy = \"load\"\n",
         "a.toml:5:1: rule name 'rule 2' is also the name of the rule at a.toml:1:1"},
        {"[[rule]]\nname = \"a\"\ndomain = \"x.example\"\nstrategy = \"load\"\n"
         "[[rule]]\nname = \"b\"\ndomain = \"X.example.\"\nstrategy = \"failover\"\n",
         "a.toml:5:1: rule 'b' has the same conditions as rule 'a' at a.toml:1:1; it could never answer"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto r = parse_settings(row.text, "a.toml", false);
        REQUIRE_FALSE(r);
        if (std::string(row.says).back() == ' ')
            CHECK_THAT(r.error(), Catch::StartsWith(row.says));  // the rest is normalize_*'s own words
        else
            CHECK(r.error() == row.says);
    }
    // References that work once defined: a server's type, tag and a weight by type.
    std::string ok = std::string(servers) +
                     "[[rule]]\nstrategy = \"weighted\"\nserver_type = \"web\"\ntag = \"ssd\"\nweights = { \"web\" = 2 }\n";
    auto r = parse_settings(ok, "a.toml", false);
    INFO((r ? std::string() : r.error()));
    CHECK(r);
}

TEST_CASE("settings: geo.maxmind_db must open as a MaxMind database when files are checked") {
    std::string text = "[geo]\nmaxmind_db = \"/nonexistent/GeoLite2-Country.mmdb\"\n";
    CHECK(parse_settings(text, "a.toml", false));
    auto missing = parse_settings(text, "a.toml", true);
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error(),
               Catch::StartsWith("a.toml:2:14: geo.maxmind_db: cannot open '/nonexistent/GeoLite2-Country.mmdb': "));
    std::string not_mmdb = std::string(PATCHBAY_SOURCE_DIR) + "/examples/policies/acme.toml";
    auto wrong = parse_settings("[geo]\nmaxmind_db = \"" + not_mmdb + "\"\n", "a.toml", true);
    REQUIRE_FALSE(wrong);
    CHECK_THAT(wrong.error(), Catch::StartsWith("a.toml:2:14: geo.maxmind_db: cannot open '" + not_mmdb + "': "));
}
