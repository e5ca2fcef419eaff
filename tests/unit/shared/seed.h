// The seed's example (DESIGN.md §1) as a fixture: hostdomain.com on 10.10.10.121–125.
#pragma once

#include <vector>

#include "tuple.h"

namespace patchbay::test {

inline Tuple tuple_of(const char* service, const char* address, const char* port,
                      const char* priority, const char* weight = "100") {
    auto t = parse_tuple("hostdomain.com", service, "tcp", address, port, priority, weight);
    if (!t) throw std::runtime_error(t.error());
    return *t;
}

inline std::vector<Tuple> seed_tuples() {
    return {
        tuple_of("http", "10.10.10.121", "80", "1"),
        tuple_of("http", "10.10.10.122", "80", "1"),
        tuple_of("http", "10.10.10.123", "8080", "2"),
        tuple_of("smtp", "10.10.10.123", "23", "1"),
        tuple_of("smtp", "10.10.10.124", "23", "2"),
    };
}

}  // namespace patchbay::test
