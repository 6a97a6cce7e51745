/* json: string escaping for JSON output. */
#include "json.h"

#include <stdio.h>
#include <string.h>

void json_add_string(buf *b, const char *s, size_t n)
{
    if (!s) {
        buf_adds(b, "null");
        return;
    }
    buf_addc(b, '"');
    /* Runs of bytes that need no escape go in at once (exports write
     * millions of strings). */
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            } else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                       ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
                esc = (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            }
        }
        if (!esc)
            continue;
        buf_add(b, s + run, i - run);
        buf_adds(b, esc);
        if (c == 0xE2)
            i += 2;
        run = i + 1;
    }
    buf_add(b, s + run, n - run);
    buf_addc(b, '"');
}

void json_add_cstr(buf *b, const char *s)
{
    json_add_string(b, s, s ? strlen(s) : 0);
}
