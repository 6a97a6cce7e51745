/* svg: accessible charts as SVG text (svg.h). */
#include "svg.h"

#include <stdio.h>
#include <string.h>

void svg_escape(buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': buf_adds(b, "&amp;"); break;
        case '<': buf_adds(b, "&lt;"); break;
        case '>': buf_adds(b, "&gt;"); break;
        case '"': buf_adds(b, "&quot;"); break;
        case '\'': buf_adds(b, "&#39;"); break;
        default:
            if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
                buf_adds(b, "\xEF\xBF\xBD");
            else
                buf_addc(b, (char)*p);
        }
    }
}

void svg_percent(long long part, long long whole, char out[32])
{
    if (whole <= 0 || part < 0) {
        snprintf(out, 32, "\xE2\x80\x93");
        return;
    }
    while (part > 1000000000000LL) {
        part /= 1000;
        whole = whole / 1000 ? whole / 1000 : 1;
    }
    /* Tenths of a percent, rounded half up, in integers (no locale, no
     * binary fractions). */
    long long tenths = (part * 2000 / whole + 1) / 2;
    snprintf(out, 32, "%lld.%lld%%", tenths / 10, tenths % 10);
}

/* The document's opening: role, title and description, and the hatch
 * pattern that marks what is not counted. */
static void open_svg(buf *out, int w, int h, const char *title, const char *desc)
{
    buf_printf(out,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
               " role=\"img\" aria-labelledby=\"svg-title svg-desc\" font-family=\"sans-serif\">\n<title id=\"svg-title\">",
               w, h, w, h);
    svg_escape(out, title);
    buf_adds(out, "</title>\n<desc id=\"svg-desc\">");
    svg_escape(out, desc);
    buf_adds(out, "</desc>\n<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                  " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>"
                  "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9e9e9e\" stroke-width=\"2\"/></pattern></defs>\n"
                  "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
}

/* ---- the tile map ---- */

/* The grid (column, row) of each tile, in the usual layout of tile maps of
 * the United States. */
static const struct {
    const char code[3];
    unsigned char col, row;
} tiles[SVG_MAP_TILES] = {
    {"AK", 0, 0},  {"ME", 10, 0}, {"WI", 5, 1},  {"VT", 9, 1},  {"NH", 10, 1}, {"WA", 0, 2},  {"ID", 1, 2},
    {"MT", 2, 2},  {"ND", 3, 2},  {"MN", 4, 2},  {"IL", 5, 2},  {"MI", 6, 2},  {"NY", 8, 2},  {"MA", 9, 2},
    {"OR", 0, 3},  {"NV", 1, 3},  {"WY", 2, 3},  {"SD", 3, 3},  {"IA", 4, 3},  {"IN", 5, 3},  {"OH", 6, 3},
    {"PA", 7, 3},  {"NJ", 8, 3},  {"CT", 9, 3},  {"RI", 10, 3}, {"CA", 0, 4},  {"UT", 1, 4},  {"CO", 2, 4},
    {"NE", 3, 4},  {"MO", 4, 4},  {"KY", 5, 4},  {"WV", 6, 4},  {"VA", 7, 4},  {"MD", 8, 4},  {"DE", 9, 4},
    {"AZ", 1, 5},  {"NM", 2, 5},  {"KS", 3, 5},  {"AR", 4, 5},  {"TN", 5, 5},  {"NC", 6, 5},  {"SC", 7, 5},
    {"DC", 8, 5},  {"OK", 3, 6},  {"LA", 4, 6},  {"MS", 5, 6},  {"AL", 6, 6},  {"GA", 7, 6},  {"HI", 0, 7},
    {"TX", 3, 7},  {"FL", 8, 7},
};

/* A sequential blue scale (ColorBrewer "Blues"), light to dark, and the
 * text colour readable on each. */
static const char *const step_fill[5] = {"#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"};
static const char *const step_text[5] = {"#000000", "#000000", "#000000", "#ffffff", "#ffffff"};

bool svg_map_has(const char *code)
{
    for (size_t i = 0; i < SVG_MAP_TILES; i++)
        if (code && strcmp(tiles[i].code, code) == 0)
            return true;
    return false;
}

void svg_map_steps(long long max, int *n, long long lo[5], long long hi[5])
{
    lo[0] = hi[0] = 0;
    *n = 1;
    if (max <= 0)
        return;
    /* Up to four equal ranges over 1..max; fewer when max is small, so
     * that no range is empty. */
    long long ranges = max < 4 ? max : 4;
    long long size = (max + ranges - 1) / ranges;
    long long from = 1;
    while (from <= max && *n < 5) {
        lo[*n] = from;
        hi[*n] = from + size - 1 < max ? from + size - 1 : max;
        from = hi[*n] + 1;
        (*n)++;
    }
}

static int step_of(long long v, int n, const long long lo[5], const long long hi[5])
{
    for (int i = 0; i < n; i++)
        if (v >= lo[i] && v <= hi[i])
            return i;
    return n - 1;
}

#define TILE 46
#define GAP 4
#define MAP_TOP 10
#define MAP_LEFT 10

void svg_us_map(buf *out, const char *title, const char *desc, const svg_state *states, size_t n)
{
    long long max = 0;
    for (size_t i = 0; i < n; i++)
        if (states[i].in_scope && states[i].count > max && svg_map_has(states[i].code))
            max = states[i].count;
    int nsteps;
    long long lo[5], hi[5];
    svg_map_steps(max, &nsteps, lo, hi);
    int grid_w = 11 * (TILE + GAP), grid_h = 8 * (TILE + GAP);
    int legend_top = MAP_TOP + grid_h + 10;
    int w = MAP_LEFT * 2 + grid_w, h = legend_top + 30 + 22 * (nsteps + 1);
    open_svg(out, w, h, title, desc);
    for (size_t t = 0; t < SVG_MAP_TILES; t++) {
        const svg_state *st = NULL;
        for (size_t i = 0; i < n && !st; i++)
            if (states[i].code && strcmp(states[i].code, tiles[t].code) == 0)
                st = &states[i];
        int x = MAP_LEFT + tiles[t].col * (TILE + GAP), y = MAP_TOP + tiles[t].row * (TILE + GAP);
        bool in = st && st->in_scope;
        int s = in ? step_of(st->count, nsteps, lo, hi) : 0;
        buf_printf(out, "<g class=\"tile\" data-state=\"%s\"><title>%s: ", tiles[t].code, tiles[t].code);
        if (in)
            buf_printf(out, "%lld</title>", st->count);
        else
            buf_adds(out, "outside your scope</title>");
        buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"%s\" stroke=\"#616161\"/>",
                   x, y, TILE, TILE, in ? step_fill[s] : "url(#hatch)");
        const char *ink = in ? step_text[s] : "#424242";
        buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"%s\">%s</text>",
                   x + TILE / 2, y + 18, ink, tiles[t].code);
        if (in)
            buf_printf(out, "<text class=\"count\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" fill=\"%s\">%lld</text>",
                       x + TILE / 2, y + 36, ink, st->count);
        buf_adds(out, "</g>\n");
    }
    /* The legend: a swatch and the range of each step, then the hatch. */
    buf_printf(out, "<g class=\"legend\"><text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">Contacts per state</text>\n",
               MAP_LEFT, legend_top + 14);
    for (int i = 0; i <= nsteps; i++) {
        int y = legend_top + 24 + 22 * i;
        if (i < nsteps) {
            buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"16\" fill=\"%s\" stroke=\"#616161\"/>", MAP_LEFT, y,
                       step_fill[i]);
            if (lo[i] == hi[i])
                buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%lld</text>\n", MAP_LEFT + 36, y + 12, lo[i]);
            else
                buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%lld to %lld</text>\n", MAP_LEFT + 36, y + 12,
                           lo[i], hi[i]);
        } else {
            buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"16\" fill=\"url(#hatch)\" stroke=\"#616161\"/>"
                            "<text x=\"%d\" y=\"%d\" font-size=\"12\">outside your scope (not counted)</text>\n",
                       MAP_LEFT, y, MAP_LEFT + 36, y + 12);
        }
    }
    buf_adds(out, "</g>\n</svg>\n");
}

/* ---- the bar chart ---- */

/* The smallest of 1, 2, 5 × 10^k at or above v (at least 1). */
static long long round_up(long long v)
{
    long long m = 1;
    for (;;) {
        if (v <= m)
            return m;
        if (v <= 2 * m)
            return 2 * m;
        if (v <= 5 * m)
            return 5 * m;
        if (m > 1000000000000000LL)
            return v;
        m *= 10;
    }
}

#define BAR_SLOT 17
#define BAR_W 13
#define PLOT_H 160
#define PLOT_TOP 56
#define PLOT_LEFT 64

void svg_bar_chart(buf *out, const char *title, const char *desc, const svg_bar *bars, size_t n, const char *x_axis,
                   const char *y_axis)
{
    long long max = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    long long top = round_up(max);
    int plot_w = (int)n * BAR_SLOT;
    int w = PLOT_LEFT + plot_w + 20, h = PLOT_TOP + PLOT_H + 70;
    int base = PLOT_TOP + PLOT_H;
    open_svg(out, w, h, title, desc);
    /* The y axis: gridlines and labels at 0, half and the top. */
    buf_adds(out, "<g class=\"axis y\">");
    for (int k = 0; k <= 2; k++) {
        long long v = top * k / 2;
        int y = base - (int)(PLOT_H * k / 2);
        if (k == 1 && top % 2)
            continue;
        buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>", PLOT_LEFT, y, PLOT_LEFT + plot_w,
                   y, k ? "#e0e0e0" : "#424242");
        buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%lld</text>", PLOT_LEFT - 6, y + 4, v);
    }
    buf_printf(out, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">",
               PLOT_TOP + PLOT_H / 2, PLOT_TOP + PLOT_H / 2);
    svg_escape(out, y_axis);
    buf_adds(out, "</text></g>\n");
    for (size_t i = 0; i < n; i++) {
        int x = PLOT_LEFT + (int)i * BAR_SLOT + (BAR_SLOT - BAR_W) / 2;
        int bh = (int)(bars[i].value * PLOT_H / top);
        if (bars[i].value > 0 && bh < 1)
            bh = 1;
        buf_adds(out, "<g class=\"bar\"><title>");
        svg_escape(out, bars[i].long_label ? bars[i].long_label : bars[i].label);
        buf_printf(out, ": %lld</title>", bars[i].value);
        buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#2171b5\"/>", x, base - bh, BAR_W, bh);
        /* The value, written upwards above the bar so that 52 of them fit. */
        int tx = x + BAR_W / 2 + 4, ty = base - bh - 4;
        buf_printf(out, "<text class=\"value\" x=\"%d\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 %d %d)\">%lld</text>",
                   tx, ty, tx, ty, bars[i].value);
        if (bars[i].tick) {
            int lx = x + BAR_W / 2, ly = base + 14;
            buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#424242\"/>", lx, base, lx, base + 4);
            buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" transform=\"rotate(-45 %d %d)\">",
                       lx, ly, lx, ly);
            svg_escape(out, bars[i].label);
            buf_adds(out, "</text>");
        }
        buf_adds(out, "</g>\n");
    }
    buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">", PLOT_LEFT + plot_w / 2, h - 6);
    svg_escape(out, x_axis);
    buf_adds(out, "</text>\n</svg>\n");
}

/* ---- the funnel ---- */

void svg_funnel(buf *out, const char *title, const char *desc, long long targeted, long long contacted,
                long long responded)
{
    static const char *const names[3] = {"Targeted", "Contacted", "Responded"};
    static const char *const fills[3] = {"#c6dbef", "#6baed6", "#2171b5"};
    static const char *const inks[3] = {"#000000", "#000000", "#ffffff"};
    long long v[3] = {targeted, contacted, responded};
    const int left = 90, width = 240, bar_h = 30, gap = 10, top = 10;
    int w = left + width + 110, h = top + 3 * (bar_h + gap) + 4;
    open_svg(out, w, h, title, desc);
    for (int i = 0; i < 3; i++) {
        char pct[32];
        svg_percent(v[i], targeted, pct);
        int bw = targeted > 0 ? (int)(v[i] * width / targeted) : 0;
        if (v[i] > 0 && bw < 1)
            bw = 1;
        /* Centred, narrowing downwards: the shape of a funnel. */
        int x = left + (width - bw) / 2, y = top + i * (bar_h + gap);
        buf_printf(out, "<g class=\"stage\" data-stage=\"%s\"><title>%s: %lld (%s of targeted)</title>", names[i], names[i],
                   v[i], pct);
        buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">%s</text>", left - 8,
                   y + bar_h / 2 + 5, names[i]);
        buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#424242\"/>", x, y, bw,
                   bar_h, fills[i]);
        /* The numbers: inside a wide bar, else to its right. */
        bool inside = bw >= 100;
        buf_printf(out, "<text class=\"value\" x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"%s\" fill=\"%s\">%lld (%s)</text>",
                   inside ? left + width / 2 : left + width + 8, y + bar_h / 2 + 5, inside ? "middle" : "start",
                   inside ? inks[i] : "#000000", v[i], pct);
        buf_adds(out, "</g>\n");
    }
    buf_adds(out, "</svg>\n");
}
