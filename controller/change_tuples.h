// The tuples a change touched, kept with its row of the change log so the controller can
// tell, per host, whether the change has taken effect there (convergence.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tuple.h"

namespace patchbay {

// By key: the tuples a change placed (added, or changed in priority, weight or target:
// their units must run) and those it removed (their units must stop). Each sorted.
struct ChangeTuples {
    std::vector<TupleKey> placed, removed;

    bool operator==(const ChangeTuples&) const = default;
};

// What replacing `before` by `after` (a zone import, a DNS UPDATE) touched. Pure.
ChangeTuples tuples_touched(const std::vector<Tuple>& before, const std::vector<Tuple>& after);

// The stored form: JSON {"placed":[["http","tcp","10.0.0.1",80],…],"removed":[…]}.
std::string change_tuples_text(const ChangeTuples& tuples);
// Back from the stored form; '' (rows older than the column) or anything unreadable is
// none: such a change is judged by its serial alone.
ChangeTuples change_tuples_from(std::string_view text);

}  // namespace patchbay
