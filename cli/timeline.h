// `patchbay timeline`: the timelines of GET /v1/timelines (docs/timelines.md) drawn in a
// terminal. Pure: an answer and a style in, text out (golden-tested).
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace patchbay {

struct TimelineStyle {
    bool color = false;  // ANSI colours and block glyphs (a terminal); else letters U W D .
    size_t width = 80;   // columns of the terminal
};

// Colour on a terminal unless NO_COLOR is set and not empty (https://no-color.org); the
// width: the terminal's columns (TIOCGWINSZ, 0 when unknown), else $COLUMNS, else 80.
// `no_color` and `columns` are the variables' values (nullptr: unset). Pure.
TimelineStyle choose_style(bool terminal, const char* no_color, int terminal_columns, const char* columns);

// One line per server: its name, one cell per period (the cells of one period in the
// same column on every line), its state now; then the events under their periods and a
// legend. In colour a cell's height says its state too (▁ up, ▄ warning, █ down, · no
// data), so it reads without colour; in letters U, W, D and '.'. When the periods do not
// fit the width, each cell stands for several periods (the worst of them) and the header
// says how many.
std::string render_timeline(const nlohmann::json& body, const TimelineStyle& style);

}  // namespace patchbay
