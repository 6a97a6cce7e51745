/* json: writing JSON text into a buffer (the audit detail, later exports). */
#ifndef CTRACK_JSON_H
#define CTRACK_JSON_H

#include <stddef.h>

#include "util.h"

/* Appends s[0..n) as a quoted JSON string; s must be valid UTF-8. Control
 * characters, quotes, backslashes and U+2028/2029 are escaped. NULL writes null. */
void json_add_string(buf *b, const char *s, size_t n);
/* Same for a C string. */
void json_add_cstr(buf *b, const char *s);

#endif
