// ui_assets: the web page at /ui (issue 6, docs/timelines.md) — its files (controller/ui/)
// compiled into the controller (embed_ui.cmake), served as they are: nothing on disk,
// no build step at run time. The page itself needs no token; everything it shows comes
// from the API with the token the user signs in with.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace patchbay {

class HttpRouter;

struct UiFile {
    std::string_view name;  // "index.html", "app.js", …
    std::string_view body;
};

// Every file of the page (generated).
const std::vector<UiFile>& ui_files();

// The Content-Type of a file by its extension (text types in UTF-8).
std::string_view ui_content_type(std::string_view name);

// GET /ui (redirects to /ui/), /ui/ (index.html) and /ui/NAME.
void ui_routes(HttpRouter& router);

// Whether `path` is the page's (served without a token).
bool is_ui_path(std::string_view path);

}  // namespace patchbay
