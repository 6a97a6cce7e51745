/* Fuzzes textenc:
 *  - textenc_detect: what it accepts, textenc_to_utf8 accepts in the
 *    encoding it names (its promise in textenc.h);
 *  - textenc_to_utf8 in every encoding: on success the output is valid
 *    UTF-8 holding only the control characters text may hold, and reads
 *    back to the input: UTF-8 is the input less its mark, Windows-1252 goes
 *    back to the bytes through a reverse table written here, UTF-16 encoded
 *    again (in the order the mark or the choice gives) is the input less its
 *    mark; on failure out is unchanged and the message is whole, valid
 *    UTF-8, and names a line the input has;
 *  - text_nfc and text_is_nfc agree with u8_normalize itself (so the
 *    shortcut below U+0300 is sound), and NFC is idempotent.
 */
#include <string.h>

#include <uninorm.h>

#include "fuzz.h"
#include "textenc.h"
#include "valid.h"

/* Windows-1252 0x80-0x9F as (byte, code point), from the code page chart. */
static const struct {
    unsigned char byte;
    uint32_t cp;
} cp1252_chart[] = {
    {0x80, 0x20AC}, {0x82, 0x201A}, {0x83, 0x0192}, {0x84, 0x201E}, {0x85, 0x2026}, {0x86, 0x2020}, {0x87, 0x2021},
    {0x88, 0x02C6}, {0x89, 0x2030}, {0x8A, 0x0160}, {0x8B, 0x2039}, {0x8C, 0x0152}, {0x8E, 0x017D}, {0x91, 0x2018},
    {0x92, 0x2019}, {0x93, 0x201C}, {0x94, 0x201D}, {0x95, 0x2022}, {0x96, 0x2013}, {0x97, 0x2014}, {0x98, 0x02DC},
    {0x99, 0x2122}, {0x9A, 0x0161}, {0x9B, 0x203A}, {0x9C, 0x0153}, {0x9E, 0x017E}, {0x9F, 0x0178},
};

/* The Windows-1252 byte of code point c, or -1. */
static int cp1252_byte(uint32_t c)
{
    if (c < 0x80 || (c >= 0xA0 && c <= 0xFF))
        return (int)c;
    for (size_t i = 0; i < sizeof cp1252_chart / sizeof cp1252_chart[0]; i++)
        if (cp1252_chart[i].cp == c)
            return cp1252_chart[i].byte;
    return -1;
}

/* Decodes the code point at s[*i] of valid UTF-8 and moves *i past it. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
    unsigned char c = s[*i];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c < 0xE0) {
        uint32_t r = (uint32_t)(c & 0x1F) << 6 | (s[*i + 1] & 0x3F);
        *i += 2;
        return r;
    }
    if (c < 0xF0) {
        uint32_t r = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[*i + 1] & 0x3F) << 6 | (s[*i + 2] & 0x3F);
        *i += 3;
        return r;
    }
    uint32_t r = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[*i + 1] & 0x3F) << 12 | (uint32_t)(s[*i + 2] & 0x3F) << 6 |
                 (s[*i + 3] & 0x3F);
    *i += 4;
    return r;
}

static bool allowed(uint32_t c)
{
    return !(c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r'));
}

/* The line count of d[0..len) by the byte rule (LF, CRLF, lone CR). */
static size_t byte_lines(const uint8_t *d, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= len || d[i + 1] != '\n')))
            n++;
    return n;
}

/* The line a message names ("line N:" or "at line N)"), or 0. */
static size_t named_line(const char *err)
{
    const char *p = strstr(err, "line ");
    if (!p)
        return 0;
    return (size_t)strtoull(p + 5, NULL, 10);
}

/* max_line: the most lines the input can have read as the encoding(s) the
 * message may be about. */
static void check_error(const char *err, size_t max_line)
{
    size_t n = strlen(err);
    FUZZ_CHECK(n > 0 && n < TEXTENC_ERR_MAX - 1);
    FUZZ_CHECK(utf8_valid(err, n));
    FUZZ_CHECK(named_line(err) <= max_line);
}

static void check_conversion(const uint8_t *data, size_t size, enum textenc enc, bool must_pass)
{
    char err[TEXTENC_ERR_MAX] = "";
    buf out = {0};
    buf_adds(&out, "pre");
    int rc = textenc_to_utf8((const char *)data, size, enc, &out, err, sizeof err);
    if (must_pass && rc != 0)
        fprintf(stderr, "detected as %s but: %s\n", textenc_name(enc), err);
    FUZZ_CHECK(rc == 0 || (rc == -1 && !must_pass));
    if (rc != 0) {
        FUZZ_CHECK(out.len == 3 && strcmp(buf_str(&out), "pre") == 0);
        bool utf16 = enc == TEXTENC_UTF16LE || enc == TEXTENC_UTF16BE;
        check_error(err, utf16 ? 1 + size / 2 : byte_lines(data, size));
        buf_free(&out);
        return;
    }
    const unsigned char *u = (const unsigned char *)out.data + 3;
    size_t n = out.len - 3;
    FUZZ_CHECK(utf8_valid((const char *)u, n));
    buf back = {0};
    for (size_t i = 0; i < n;) {
        uint32_t c = next_cp(u, &i);
        FUZZ_CHECK(allowed(c));
        if (enc == TEXTENC_CP1252) {
            int b = cp1252_byte(c);
            FUZZ_CHECK(b >= 0);
            buf_addc(&back, (char)b);
        }
    }
    const uint8_t *want = data;
    size_t wantlen = size;
    switch (enc) {
    case TEXTENC_UTF8:
    case TEXTENC_UTF8_BOM:
        if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
            want += 3;
            wantlen -= 3;
        }
        FUZZ_CHECK(n == wantlen && memcmp(u, want, n) == 0);
        break;
    case TEXTENC_CP1252:
        FUZZ_CHECK(back.len == size && memcmp(back.data ? back.data : "", data, size) == 0);
        break;
    case TEXTENC_UTF16LE:
    case TEXTENC_UTF16BE: {
        bool be = enc == TEXTENC_UTF16BE;
        if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
            be = false;
            want += 2;
            wantlen -= 2;
        } else if (size >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
            be = true;
            want += 2;
            wantlen -= 2;
        }
        for (size_t i = 0; i < n;) {
            uint32_t c = next_cp(u, &i);
            uint32_t units[2] = {c, 0};
            size_t k = 1;
            if (c >= 0x10000) {
                units[0] = 0xD800 + ((c - 0x10000) >> 10);
                units[1] = 0xDC00 + ((c - 0x10000) & 0x3FF);
                k = 2;
            }
            for (size_t j = 0; j < k; j++) {
                buf_addc(&back, (char)(be ? units[j] >> 8 : units[j] & 0xFF));
                buf_addc(&back, (char)(be ? units[j] & 0xFF : units[j] >> 8));
            }
        }
        FUZZ_CHECK(back.len == wantlen && memcmp(back.data ? back.data : "", want, wantlen) == 0);
        break;
    }
    }
    buf_free(&back);
    buf_free(&out);
}

static void check_nfc(const char *s, size_t n)
{
    buf out = {0};
    buf_adds(&out, "pre");
    int rc = text_nfc(s, n, &out);
    if (!utf8_valid(s, n)) {
        FUZZ_CHECK(rc == -1 && out.len == 3);
        FUZZ_CHECK(!text_is_nfc(s, n));
        buf_free(&out);
        return;
    }
    FUZZ_CHECK(rc == 0);
    size_t len = 0;
    uint8_t *ref = n ? u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL, &len) : NULL;
    FUZZ_CHECK(n == 0 || ref != NULL);
    FUZZ_CHECK(out.len - 3 == len && memcmp(out.data + 3, ref ? (const char *)ref : "", len) == 0);
    FUZZ_CHECK(text_is_nfc(s, n) == (len == n && memcmp(s, ref ? (const char *)ref : "", n) == 0));
    FUZZ_CHECK(text_is_nfc(out.data + 3, out.len - 3));
    free(ref);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[TEXTENC_ERR_MAX] = "";
    enum textenc enc = (enum textenc)99;
    int rc = textenc_detect((const char *)data, size, &enc, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        FUZZ_CHECK(enc >= TEXTENC_UTF8 && enc <= TEXTENC_CP1252);
        check_conversion(data, size, enc, true);
    } else {
        FUZZ_CHECK(enc == (enum textenc)99);
        size_t lines = byte_lines(data, size);
        check_error(err, lines > 1 + size / 2 ? lines : 1 + size / 2);
    }
    for (int e = TEXTENC_UTF8; e <= TEXTENC_CP1252; e++)
        check_conversion(data, size, (enum textenc)e, false);

    check_nfc((const char *)data, size);
    /* Text from Windows-1252 as well, which always decodes to UTF-8. */
    buf out = {0};
    if (textenc_to_utf8((const char *)data, size, TEXTENC_CP1252, &out, NULL, 0) == 0)
        check_nfc(out.data ? out.data : "", out.len);
    buf_free(&out);
    return 0;
}
