/* Fuzzes json_add_string. For valid UTF-8 (its contract) the output must be
 * one JSON string (RFC 8259 syntax, checked by the small parser here) that
 * decodes back to the input, with no raw U+2028/U+2029 or control
 * characters, appended after what the buffer held. Other bytes must not
 * crash it. */
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "valid.h"

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_addc(b, (char)(0xC0 | cp >> 6));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_addc(b, (char)(0xE0 | cp >> 12));
        buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_addc(b, (char)(0xF0 | cp >> 18));
        buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Reads 4 hex digits at s. */
static long hex4(const char *s, const char *end)
{
    if (end - s < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex(s[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* Parses exactly one JSON string at s[0..n) into out; false when it is not
 * one. Unescaped characters must be at least U+0020 and not '"' or '\'. */
static bool json_string(const char *s, size_t n, buf *out)
{
    const char *p = s, *end = s + n;
    if (p == end || *p++ != '"')
        return false;
    for (;;) {
        if (p == end)
            return false;
        unsigned char c = (unsigned char)*p++;
        if (c == '"')
            return p == end;
        if (c < 0x20)
            return false;
        if (c != '\\') {
            buf_addc(out, (char)c);
            continue;
        }
        if (p == end)
            return false;
        switch (*p++) {
        case '"': buf_addc(out, '"'); break;
        case '\\': buf_addc(out, '\\'); break;
        case '/': buf_addc(out, '/'); break;
        case 'b': buf_addc(out, '\b'); break;
        case 'f': buf_addc(out, '\f'); break;
        case 'n': buf_addc(out, '\n'); break;
        case 'r': buf_addc(out, '\r'); break;
        case 't': buf_addc(out, '\t'); break;
        case 'u': {
            long u = hex4(p, end);
            if (u < 0)
                return false;
            p += 4;
            uint32_t cp = (uint32_t)u;
            if (u >= 0xDC00 && u <= 0xDFFF)
                return false; /* a lone low surrogate */
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                    return false;
                long lo = hex4(p + 2, end);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                p += 6;
                cp = 0x10000 + ((uint32_t)(u - 0xD800) << 10) + (uint32_t)(lo - 0xDC00);
            }
            put_utf8(out, cp);
            break;
        }
        default:
            return false;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    static const char prefix[] = "{\"detail\":";
    buf b = {0};
    buf_adds(&b, prefix);
    json_add_string(&b, s, size);
    FUZZ_CHECK(b.len > sizeof prefix - 1 && memcmp(b.data, prefix, sizeof prefix - 1) == 0);
    FUZZ_CHECK(b.data[b.len] == '\0');

    if (utf8_valid(s, size)) {
        const char *j = b.data + sizeof prefix - 1;
        size_t jn = b.len - (sizeof prefix - 1);
        FUZZ_CHECK(utf8_valid(j, jn));
        FUZZ_CHECK(memchr(j, 0x7F, jn) == NULL);
        FUZZ_CHECK(memmem(j, jn, "\xE2\x80\xA8", 3) == NULL && memmem(j, jn, "\xE2\x80\xA9", 3) == NULL);
        buf back = {0};
        FUZZ_CHECK(json_string(j, jn, &back));
        FUZZ_CHECK(back.len == size && memcmp(buf_str(&back), s, size) == 0);
        buf_free(&back);

        /* json_add_cstr: the same up to the first NUL. */
        char *c = xstrndup(s, size);
        buf cb = {0};
        json_add_cstr(&cb, c);
        FUZZ_CHECK(json_string(cb.data, cb.len, &back));
        FUZZ_CHECK(back.len == strlen(c) && memcmp(buf_str(&back), c, back.len) == 0);
        buf_free(&back);
        buf_free(&cb);
        free(c);
    }
    buf_free(&b);

    json_add_string(&b, NULL, size);
    json_add_cstr(&b, NULL);
    FUZZ_CHECK(strcmp(buf_str(&b), "nullnull") == 0);
    buf_free(&b);
    return 0;
}
