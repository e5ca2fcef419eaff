// geo: the network table (a scan, longest prefix first, that also finds how far the
// answer holds) and the MaxMind DB behind an RAII holder.
#include "geo.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace patchbay {

namespace {

constexpr unsigned mapped_bits = 96;  // ::ffff:0:0/96


// How many leading bits `a` and `b` (one family) share.
unsigned common_bits(const Address& a, const Address& b) {
    for (size_t i = 0; i < a.size(); ++i) {
        auto diff = static_cast<uint8_t>(a.bytes[i] ^ b.bytes[i]);
        if (diff != 0) return static_cast<unsigned>(i * 8 + std::countl_zero(diff));
    }
    return family_bits(a.family);
}


// A MaxMind string at PATH of `entry`, or "".
std::string mmdb_string(MMDB_entry_s entry, const char* first, const char* second) {
    MMDB_entry_data_s data{};
    if (MMDB_get_value(&entry, &data, first, second, nullptr) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return {};
    }
    return std::string(data.utf8_string, data.data_size);
}

}  // namespace

struct RegionLocator::MaxMindAnswer {
    std::string country, continent;
    unsigned netmask = 0;  // in the bits of the address asked about
};

void RegionLocator::CloseMmdb::operator()(MMDB_s* db) const {
    MMDB_close(db);
    delete db;
}

RegionLocator::RegionLocator(RegionLocator&&) noexcept = default;
RegionLocator& RegionLocator::operator=(RegionLocator&&) noexcept = default;
RegionLocator::~RegionLocator() = default;

Result<RegionLocator> RegionLocator::create(const AccountSettings& settings) {
    RegionLocator locator;
    for (const Region& region : settings.regions) {
        size_t index = locator.names_.size();
        locator.names_.push_back(region.name);
        for (const Prefix& network : region.networks) {
            Prefix p = network;
            if (p.address.family == Family::v6 && p.length >= mapped_bits && is_mapped(p.address)) {
                p = Prefix{unmapped(p.address), p.length - mapped_bits};
            }
            (p.address.family == Family::v4 ? locator.v4_ : locator.v6_).push_back({p, index});
        }
        for (const std::string& country : region.countries) locator.by_country_.emplace(country, index);
        for (const std::string& continent : region.continents) locator.by_continent_.emplace(continent, index);
    }
    for (auto* table : {&locator.v4_, &locator.v6_}) {
        std::stable_sort(table->begin(), table->end(),
                         [](const Network& a, const Network& b) { return a.prefix.length > b.prefix.length; });
    }
    if (!settings.geo.default_region.empty()) {
        auto it = std::find(locator.names_.begin(), locator.names_.end(), settings.geo.default_region);
        locator.default_ = static_cast<size_t>(it - locator.names_.begin());
        if (it == locator.names_.end()) locator.names_.push_back(settings.geo.default_region);
    }
    if (settings.geo.maxmind_db) {
        const std::string& path = *settings.geo.maxmind_db;
        auto db = std::make_unique<MMDB_s>();
        int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db.get());
        if (status != MMDB_SUCCESS) {
            int system_error = errno;
            std::string reason = MMDB_strerror(status);
            if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR) {
                reason += std::string(" (") + std::strerror(system_error) + ")";
            }
            return fail(ErrorKind::invalid, "cannot open MaxMind DB " + path + ": " + reason);
        }
        locator.mmdb_.reset(db.release());
    }
    return locator;
}

RegionLocator::MaxMindAnswer RegionLocator::ask_maxmind(const Address& address, unsigned source_bits) const {
    MaxMindAnswer answer;
    sockaddr_storage storage{};
    if (address.family == Family::v4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, address.bytes.data(), 4);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, address.bytes.data(), 16);
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s result = MMDB_lookup_sockaddr(mmdb_.get(), reinterpret_cast<sockaddr*>(&storage), &error);
    if (error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return answer;  // nothing there for any IPv6 address
    if (error != MMDB_SUCCESS) {
        answer.netmask = source_bits;  // nothing known: hold it as narrowly as we can
        return answer;
    }
    // The netmask is set whether or not an entry was found (the depth where the search
    // tree ended); an IPv6 database counts IPv4 addresses from ::/96.
    unsigned netmask = result.netmask;
    if (address.family == Family::v4 && mmdb_->metadata.ip_version == 6) {
        netmask = netmask >= mapped_bits ? netmask - mapped_bits : 0;
    }
    answer.netmask = std::min(netmask, family_bits(address.family));
    if (result.found_entry) {
        answer.country = mmdb_string(result.entry, "country", "iso_code");
        if (answer.country.empty()) answer.country = mmdb_string(result.entry, "registered_country", "iso_code");
        answer.continent = mmdb_string(result.entry, "continent", "code");
    }
    return answer;
}

Located RegionLocator::locate(const Address& querier, uint8_t source_prefix) const {
    // Work in IPv4 for IPv4-mapped queriers; `offset` turns lengths back.
    Address address = querier;
    unsigned source = std::min<unsigned>(source_prefix, family_bits(querier.family));
    unsigned offset = 0;
    if (is_mapped(querier) && source >= mapped_bits) {
        address = unmapped(querier);
        source -= mapped_bits;
        offset = mapped_bits;
    }
    address = clear_host_bits(address, source);

    Located located;
    // One pass: the longest network holding the address, and how many bits it takes to
    // leave every network that does not hold it.
    const Network* hit = nullptr;
    unsigned scope = 0;
    for (const Network& network : address.family == Family::v4 ? v4_ : v6_) {
        unsigned common = common_bits(address, network.prefix.address);
        if (common >= network.prefix.length) {
            if (hit == nullptr) hit = &network;
        } else {
            scope = std::max(scope, common + 1);
        }
    }
    if (hit != nullptr) {
        scope = std::max(scope, hit->prefix.length);
        located.by = LocatedBy::table;
        located.region = names_[hit->region];
        located.network = hit->prefix;  // as IPv4 for a mapped querier, as written
    } else {
        if (mmdb_) {
            MaxMindAnswer answer = ask_maxmind(address, source);
            scope = std::max(scope, answer.netmask);
            located.country = std::move(answer.country);
            located.continent = std::move(answer.continent);
            if (auto it = by_country_.find(located.country); !located.country.empty() && it != by_country_.end()) {
                located.by = LocatedBy::maxmind_country;
                located.region = names_[it->second];
            } else if (auto jt = by_continent_.find(located.continent);
                       !located.continent.empty() && jt != by_continent_.end()) {
                located.by = LocatedBy::maxmind_continent;
                located.region = names_[jt->second];
            }
        }
        if (!located.region && default_) {
            located.by = LocatedBy::default_region;
            located.region = names_[*default_];
        }
    }
    located.scope = static_cast<uint8_t>(std::min(scope, source) + offset);
    return located;
}

std::string Located::explain() const {
    std::string region_name = region ? std::string(*region) : std::string();
    std::string maxmind;
    if (!country.empty() && !continent.empty()) {
        maxmind = country + " in " + continent;
    } else {
        maxmind = country.empty() ? continent : country;
    }
    switch (by) {
        case LocatedBy::table:
            return network.str() + " → " + region_name + " (table)";
        case LocatedBy::maxmind_country:
            return country + " → " + region_name + " (maxmind)";
        case LocatedBy::maxmind_continent:
            return maxmind + " → " + region_name + " (maxmind)";
        case LocatedBy::default_region:
            return (maxmind.empty() ? "" : maxmind + ": ") + "no region (default " + region_name + ")";
        case LocatedBy::nothing:
            break;
    }
    return (maxmind.empty() ? "" : maxmind + ": ") + "no region";
}

}  // namespace patchbay
