#include "dname.h"

namespace patchbay {

std::optional<std::string> wire_name(std::string_view text) {
    std::string absolute(text);
    if (absolute.empty() || absolute.back() != '.') absolute += '.';
    knot_dname_storage_t storage;
    if (knot_dname_from_str(storage, absolute.c_str(), sizeof storage) == nullptr) return std::nullopt;
    knot_dname_to_lower(storage);
    return std::string(wire_view(storage));
}

std::string name_text(const knot_dname_t* name) {
    knot_dname_txt_storage_t text;
    if (knot_dname_to_str(text, name, sizeof text) == nullptr) return "";
    std::string out(text);
    if (out.size() > 1 && out.back() == '.') out.pop_back();
    return out;
}

}  // namespace patchbay
