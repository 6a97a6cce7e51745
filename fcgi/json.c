/* json: string escaping for JSON output. */
#include "json.h"

#include <string.h>

void json_add_string(buf *b, const char *s, size_t n)
{
    if (!s) {
        buf_adds(b, "null");
        return;
    }
    buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            buf_adds(b, "\\\"");
            break;
        case '\\':
            buf_adds(b, "\\\\");
            break;
        case '\n':
            buf_adds(b, "\\n");
            break;
        case '\r':
            buf_adds(b, "\\r");
            break;
        case '\t':
            buf_adds(b, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                buf_printf(b, "\\u%04x", c);
            } else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                       ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
                buf_printf(b, "\\u%04x", (unsigned char)s[i + 2] == 0xA8 ? 0x2028 : 0x2029);
                i += 2;
            } else {
                buf_addc(b, (char)c);
            }
        }
    }
    buf_addc(b, '"');
}

void json_add_cstr(buf *b, const char *s)
{
    json_add_string(b, s, s ? strlen(s) : 0);
}
