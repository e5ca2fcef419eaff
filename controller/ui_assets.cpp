#include "ui_assets.h"

#include "http_server.h"

namespace patchbay {

std::string_view ui_content_type(std::string_view name) {
    auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    return "application/octet-stream";
}

bool is_ui_path(std::string_view path) { return path == "/ui" || path.starts_with("/ui/"); }

void ui_routes(HttpRouter& router) {
    router.get("/ui", [](const HttpRequest&, HttpResponse& res) {
        res.status = 308;
        res.set_header("Location", "/ui/");
        res.set_content("see /ui/\n", "text/plain; charset=utf-8");
    });
    router.get(R"(/ui/([A-Za-z0-9._-]*))", [](const HttpRequest& req, HttpResponse& res) {
        std::string_view name = req.matches[1].empty() ? std::string_view("index.html") : req.matches[1];
        for (const auto& f : ui_files()) {
            if (f.name != name) continue;
            res.set_content(std::string(f.body), ui_content_type(f.name));
            // The page only runs its own files and talks only to this controller.
            res.set_header("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "frame-ancestors 'none'");
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_header("Cache-Control", "no-cache");
            return;
        }
        http_error(res, 404, "no such file of the page: " + std::string(name));
    });
}

}  // namespace patchbay
