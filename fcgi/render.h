/* render: the only file that includes ClearSilver. A page is an HDF data set
 * filled by handlers and rendered through a template into a buffer, with
 * HTML escaping on for every var:. */
#ifndef CTRACK_RENDER_H
#define CTRACK_RENDER_H

#include <stddef.h>

#include "util.h"

typedef struct page page;

/* Once per process: initialises ClearSilver's error system and remembers the
 * absolute templates folder. 0 or -1. */
int render_init(const char *templates_dir);

/* A new, empty page. Free with page_free. */
page *page_new(void);
void page_free(page *p);

/* Sets the node named by the printf-style name_fmt to a copy of value (NULL
 * is ignored). Names come from code; values may be anything. */
void page_set(page *p, const char *value, const char *name_fmt, ...) CT_PRINTF(3, 4);
/* Same with an explicit length (the value may not be NUL-terminated). */
void page_setn(page *p, const char *value, size_t n, const char *name_fmt, ...) CT_PRINTF(4, 5);
/* Sets a number. */
void page_set_int(page *p, long long v, const char *name_fmt, ...) CT_PRINTF(3, 4);
/* Reads a value back (borrowed; NULL when unset). */
const char *page_get(page *p, const char *name);

/* Renders the named template (a file name from code, relative to the
 * templates folder) into out. 0, or -1 with the reason logged. */
int render(page *p, const char *template_name, buf *out);

#endif
