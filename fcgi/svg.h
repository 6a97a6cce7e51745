/* svg: the dashboard's charts as accessible SVG text. Pure: numbers and
 * names in, a complete SVG document out (no database, no request).
 *
 * Every chart has role="img", a <title> and a <desc> (aria-labelledby
 * names both), every value is also written as text beside its mark, and a
 * mark's meaning never rests on its colour alone (numbers on every tile and
 * bar, a hatch pattern for "outside your scope", a legend that names each
 * colour step's range). Colours are presentation attributes, never a style
 * element, so the document needs no style-src exception. All text goes
 * through svg_escape. */
#ifndef CTRACK_SVG_H
#define CTRACK_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Appends s escaped for XML text and attribute values (& < > " '); bytes
 * XML 1.0 does not allow (C0 controls other than tab, LF, CR; DEL) become
 * U+FFFD. NULL appends nothing. */
void svg_escape(buf *b, const char *s);

/* One state of the tile map. */
typedef struct svg_state {
    const char *code; /* the postal code, e.g. "OH" (from the region code US-OH) */
    long long count;
    bool in_scope;    /* false: outside the user's geography, drawn hatched and without a number */
} svg_state;

/* The number of tiles of the map (50 states and DC). */
#define SVG_MAP_TILES 51

/* True when code (e.g. "OH") has a tile on the map. */
bool svg_map_has(const char *code);

/* The colour steps of the map for values up to max: *n gets the number of
 * steps (1 to 5); lo[i]..hi[i] is step i's range (step 0 is 0..0). */
void svg_map_steps(long long max, int *n, long long lo[5], long long hi[5]);

/* A tile-grid map of the United States: one square per state and DC in the
 * familiar geographic grid, each labelled with its postal code and its
 * count, coloured by step, with a legend. states lists the states known;
 * a tile missing from it is drawn as outside the scope. Appends to out. */
void svg_us_map(buf *out, const char *title, const char *desc, const svg_state *states, size_t n);

/* One bar of a bar chart. */
typedef struct svg_bar {
    const char *label;      /* shown under the bar when tick is set, and in its tooltip */
    const char *long_label; /* the bar's tooltip text before the value, or NULL for label */
    long long value;        /* >= 0 */
    bool tick;              /* write label on the x axis */
} svg_bar;

/* A vertical bar chart: each bar with its value written above it, the x
 * axis labelled with the bars' ticks and x_axis, the y axis from 0 to a
 * round maximum, labelled y_axis. Appends to out. */
void svg_bar_chart(buf *out, const char *title, const char *desc, const svg_bar *bars, size_t n, const char *x_axis,
                   const char *y_axis);

/* A campaign's funnel: targeted, contacted and responded as three bars
 * scaled to targeted, each with its count and its share of targeted.
 * Appends to out. */
void svg_funnel(buf *out, const char *title, const char *desc, long long targeted, long long contacted,
                long long responded);

/* The share part/whole as text with one decimal ("37.5%"), rounded half
 * up; "–" when whole is 0. Into out. */
void svg_percent(long long part, long long whole, char out[32]);

#endif
