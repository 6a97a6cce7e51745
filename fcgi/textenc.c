/* textenc: encoding detection, conversion to UTF-8, and NFC. */
#include "textenc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uninorm.h>

#include "valid.h"

/* Windows-1252 bytes 0x80-0x9F; 0 where the code page defines nothing. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 0x80 */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,      /* 0x88 */
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 0x90 */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178, /* 0x98 */
};

static const struct {
    const char *name;
    enum textenc enc;
} enc_names[] = {
    {"utf-8", TEXTENC_UTF8},
    {"utf8", TEXTENC_UTF8},
    {"us-ascii", TEXTENC_UTF8},
    {"ascii", TEXTENC_UTF8},
    {"utf-8 with bom", TEXTENC_UTF8_BOM},
    {"utf-8-bom", TEXTENC_UTF8_BOM},
    {"utf-8-sig", TEXTENC_UTF8_BOM},
    {"utf-16le", TEXTENC_UTF16LE},
    {"utf16le", TEXTENC_UTF16LE},
    {"utf-16", TEXTENC_UTF16LE},
    {"utf16", TEXTENC_UTF16LE},
    {"utf-16be", TEXTENC_UTF16BE},
    {"utf16be", TEXTENC_UTF16BE},
    {"windows-1252", TEXTENC_CP1252},
    {"windows1252", TEXTENC_CP1252},
    {"cp1252", TEXTENC_CP1252},
    {"latin1", TEXTENC_CP1252},
    {"latin-1", TEXTENC_CP1252},
    {"iso-8859-1", TEXTENC_CP1252},
    {"iso8859-1", TEXTENC_CP1252},
};

const char *textenc_name(enum textenc enc)
{
    switch (enc) {
    case TEXTENC_UTF8:
        return "UTF-8";
    case TEXTENC_UTF8_BOM:
        return "UTF-8 with BOM";
    case TEXTENC_UTF16LE:
        return "UTF-16LE";
    case TEXTENC_UTF16BE:
        return "UTF-16BE";
    case TEXTENC_CP1252:
        return "Windows-1252";
    }
    return "?";
}

int textenc_parse(const char *name, enum textenc *out)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < CT_ARRAY_LEN(enc_names); i++) {
        if (strcasecmp(name, enc_names[i].name) == 0) {
            *out = enc_names[i].enc;
            return 0;
        }
    }
    return -1; /* the display names are all in the table, in some case */
}

static int fail(char *err, size_t errlen, const char *fmt, ...) CT_PRINTF(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- Binary formats ----------------------------------------------------- */

static bool starts(const unsigned char *d, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(d, magic, n) == 0;
}

static bool holds(const unsigned char *d, size_t len, const char *s)
{
    return memmem(d, len, s, strlen(s)) != NULL;
}

/* What a known binary format looks like to a person, with the way out; NULL
 * when the data starts like none. A ZIP file is told apart by the names of
 * its members, which ZIP stores uncompressed. */
static const char *binary_kind(const unsigned char *d, size_t len)
{
    if (starts(d, len, "PK\x03\x04", 4)) {
        if (holds(d, len, "mimetypeapplication/vnd.oasis.opendocument.spreadsheet"))
            return "an OpenDocument spreadsheet (.ods); save it as CSV UTF-8 first";
        if (holds(d, len, "xl/"))
            return "an Excel workbook (.xlsx); save it as CSV UTF-8 first";
        if (holds(d, len, "word/"))
            return "a Word document (.docx)";
        return "a ZIP archive; unpack it first";
    }
    if (starts(d, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return "an Excel 97-2003 workbook (.xls) or another old Office file; save it as CSV UTF-8 first";
    if (starts(d, len, "%PDF-", 5))
        return "a PDF document";
    if (starts(d, len, "\x89PNG\r\n\x1A\n", 8))
        return "a PNG image";
    if (starts(d, len, "\xFF\xD8\xFF", 3))
        return "a JPEG image";
    if (starts(d, len, "GIF87a", 6) || starts(d, len, "GIF89a", 6))
        return "a GIF image";
    if (starts(d, len, "\x1F\x8B", 2))
        return "a gzip-compressed file; unpack it first";
    return NULL;
}

static int check_binary(const unsigned char *d, size_t len, char *err, size_t errlen)
{
    const char *kind = binary_kind(d, len);
    if (kind)
        return fail(err, errlen, "This is not a text file: it looks like %s.", kind);
    if (starts(d, len, "\xFF\xFE\0\0", 4) || starts(d, len, "\0\0\xFE\xFF", 4))
        return fail(err, errlen, "This file is in UTF-32, which is not supported; save it as UTF-8.");
    return 0;
}

/* ---- Characters --------------------------------------------------------- */

/* Whether c is a control character that text does not hold (textenc.h). */
static bool bad_control(uint32_t c)
{
    if (c == 0x7F)
        return true;
    return c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r';
}

static int control_error(uint32_t c, size_t line, bool bytes, char *err, size_t errlen)
{
    if (c == 0)
        return fail(err, errlen, "This is not a text file (a NUL %s at line %zu).", bytes ? "byte" : "character", line);
    return fail(err, errlen, "This is not a text file (control character 0x%02X at line %zu).", (unsigned)c, line);
}

/* The line (1-based) of offset pos in data: one more than the line ends
 * (LF, CRLF, a lone CR) before it. */
static size_t line_at(const unsigned char *d, size_t len, size_t pos)
{
    size_t line = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (d[i] == '\n')
            line++;
        else if (d[i] == '\r' && (i + 1 >= len || d[i + 1] != '\n'))
            line++;
    }
    return line;
}

/* The offset of the first control character that text does not hold; len
 * when there is none. Byte by byte: right for UTF-8 and Windows-1252, where
 * bytes below 0x80 are ASCII and never part of a longer sequence. */
static size_t first_control(const unsigned char *d, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (bad_control(d[i]))
            return i;
    return len;
}

/* Scans d[0..len) as UTF-8: the offset of the first byte that starts no
 * valid sequence (len when all are valid); *multi tells whether a valid
 * sequence of two bytes or more is there too, before or after it. */
static size_t first_bad_utf8(const unsigned char *d, size_t len, bool *multi)
{
    size_t bad = len;
    *multi = false;
    size_t i = 0;
    while (i < len) {
        if (d[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq((const char *)d, len, i);
        if (n == 0) {
            if (bad == len)
                bad = i;
            if (*multi)
                break;
            i++;
            continue;
        }
        *multi = true;
        if (bad != len)
            break;
        i += n;
    }
    return bad;
}

/* "line 2: the text after "Ex" is not valid UTF-8 (byte 0xE4)", with up to
 * 16 characters of the line before the bad byte (all valid UTF-8). */
static int utf8_error(const unsigned char *d, size_t len, size_t bad, const char *tail, char *err, size_t errlen)
{
    size_t start = bad;
    size_t chars = 0;
    while (start > 0 && d[start - 1] != '\n' && d[start - 1] != '\r' && chars < 16) {
        start--;
        while (start > 0 && (d[start] & 0xC0) == 0x80)
            start--;
        chars++;
    }
    size_t line = line_at(d, len, bad);
    if (start == bad)
        return fail(err, errlen, "line %zu: the start of the line is not valid UTF-8 (byte 0x%02X)%s", line, d[bad],
                    tail);
    return fail(err, errlen, "line %zu: the text after \"%.*s\" is not valid UTF-8 (byte 0x%02X)%s", line,
                (int)(bad - start), (const char *)d + start, d[bad], tail);
}

static const char UTF8_HINT[] = "; choose the file's encoding (e.g. Windows-1252)";

/* ---- Output ------------------------------------------------------------- */

/* Collects UTF-8 in a small array and appends it to out in pieces; with out
 * NULL it only checks. */
typedef struct sink {
    buf *out;
    size_t n;
    char chunk[4096];
} sink;

static void sink_flush(sink *s)
{
    if (s->out && s->n)
        buf_add(s->out, s->chunk, s->n);
    s->n = 0;
}

static void sink_put(sink *s, uint32_t c)
{
    if (!s->out)
        return;
    if (s->n > sizeof s->chunk - 4)
        sink_flush(s);
    char *p = s->chunk + s->n;
    if (c < 0x80) {
        p[0] = (char)c;
        s->n += 1;
    } else if (c < 0x800) {
        p[0] = (char)(0xC0 | (c >> 6));
        p[1] = (char)(0x80 | (c & 0x3F));
        s->n += 2;
    } else if (c < 0x10000) {
        p[0] = (char)(0xE0 | (c >> 12));
        p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        p[2] = (char)(0x80 | (c & 0x3F));
        s->n += 3;
    } else {
        p[0] = (char)(0xF0 | (c >> 18));
        p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        p[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        p[3] = (char)(0x80 | (c & 0x3F));
        s->n += 4;
    }
}

/* ---- The encodings ------------------------------------------------------ */

static int from_utf8(const unsigned char *d, size_t len, buf *out, char *err, size_t errlen)
{
    size_t from = starts(d, len, "\xEF\xBB\xBF", 3) ? 3 : 0;
    size_t i = from;
    while (i < len) {
        if (d[i] < 0x80) {
            if (bad_control(d[i]))
                return control_error(d[i], line_at(d, len, i), true, err, errlen);
            i++;
            continue;
        }
        size_t n = utf8_seq((const char *)d, len, i);
        if (n == 0)
            return utf8_error(d, len, i, UTF8_HINT, err, errlen);
        i += n;
    }
    if (out)
        buf_add(out, d + from, len - from);
    return 0;
}

/* undefined_msg words the error about a byte Windows-1252 leaves undefined. */
static int from_cp1252(const unsigned char *d, size_t len, buf *out, const char *undefined_msg, char *err,
                       size_t errlen)
{
    sink sk = {.out = out}, *s = &sk;
    int rc = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = d[i];
        uint32_t u = c;
        if (c < 0x80) {
            if (bad_control(c)) {
                rc = control_error(c, line_at(d, len, i), true, err, errlen);
                break;
            }
        } else if (c < 0xA0) {
            u = cp1252_high[c - 0x80];
            if (u == 0) {
                rc = fail(err, errlen, "line %zu: byte 0x%02X %s", line_at(d, len, i), c, undefined_msg);
                break;
            }
        }
        sink_put(s, u);
    }
    if (rc == 0)
        sink_flush(s);
    return rc;
}

static int from_utf16(const unsigned char *d, size_t len, bool be, buf *out, char *err, size_t errlen)
{
    size_t i = 0;
    if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE) {
        be = false;
        i = 2;
    } else if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF) {
        be = true;
        i = 2;
    }
    const char *name = be ? "UTF-16BE" : "UTF-16LE";
    sink sk = {.out = out}, *s = &sk;
    size_t line = 1;
    bool cr = false;
    int rc = 0;
    for (; i + 1 < len; i += 2) {
        uint32_t u = be ? (uint32_t)d[i] << 8 | d[i + 1] : (uint32_t)d[i + 1] << 8 | d[i];
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = 0;
            if (i + 3 < len)
                lo = be ? (uint32_t)d[i + 2] << 8 | d[i + 3] : (uint32_t)d[i + 3] << 8 | d[i + 2];
            if (lo < 0xDC00 || lo > 0xDFFF) {
                rc = fail(err, errlen, "line %zu: a lone surrogate 0x%04X is not valid %s", line, (unsigned)u, name);
                break;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            rc = fail(err, errlen, "line %zu: a lone surrogate 0x%04X is not valid %s", line, (unsigned)u, name);
            break;
        } else if (bad_control(u)) {
            rc = control_error(u, line, false, err, errlen);
            break;
        }
        if (u == '\r' || (u == '\n' && !cr))
            line++;
        cr = u == '\r';
        sink_put(s, u);
    }
    if (rc == 0 && i < len)
        rc = fail(err, errlen, "line %zu: the file ends in the middle of a %s character (its length is odd)", line,
                  name);
    if (rc == 0)
        sink_flush(s);
    return rc;
}

static const char CP1252_EXPLICIT[] = "is not a Windows-1252 character";
static const char CP1252_DETECT[] = "is neither UTF-8 nor Windows-1252";

static int convert(const unsigned char *d, size_t len, enum textenc enc, buf *out, char *err, size_t errlen)
{
    switch (enc) {
    case TEXTENC_UTF8:
    case TEXTENC_UTF8_BOM:
        return from_utf8(d, len, out, err, errlen);
    case TEXTENC_UTF16LE:
        return from_utf16(d, len, false, out, err, errlen);
    case TEXTENC_UTF16BE:
        return from_utf16(d, len, true, out, err, errlen);
    case TEXTENC_CP1252:
        return from_cp1252(d, len, out, CP1252_EXPLICIT, err, errlen);
    }
    return fail(err, errlen, "unknown encoding");
}

int textenc_to_utf8(const char *data, size_t len, enum textenc enc, buf *out, char *err, size_t errlen)
{
    const unsigned char *d = (const unsigned char *)data;
    if (!d)
        len = 0;
    if (check_binary(d, len, err, errlen) != 0)
        return -1;
    size_t mark = out->len;
    if (convert(d, len, enc, out, err, errlen) != 0) {
        if (out->data) {
            out->len = mark;
            out->data[mark] = '\0';
        }
        return -1;
    }
    return 0;
}

/* BOM-less UTF-16 (textenc_detect, step 3): the byte order its NUL bytes
 * suggest, or -1 when they suggest none. */
static int utf16_guess(const unsigned char *d, size_t len)
{
    if (len < 2 || len % 2 != 0)
        return -1;
    size_t even = 0, odd = 0;
    for (size_t i = 0; i < len; i++) {
        if (d[i] == 0 && i % 2)
            odd++;
        else if (d[i] == 0)
            even++;
    }
    if (even == 0 && odd > 0 && odd >= len / 4)
        return TEXTENC_UTF16LE;
    if (odd == 0 && even > 0 && even >= len / 4)
        return TEXTENC_UTF16BE;
    return -1;
}

int textenc_detect(const char *data, size_t len, enum textenc *enc, char *err, size_t errlen)
{
    const unsigned char *d = (const unsigned char *)data;
    if (!d)
        len = 0;
    if (check_binary(d, len, err, errlen) != 0)
        return -1;

    enum textenc e;
    if (starts(d, len, "\xEF\xBB\xBF", 3))
        e = TEXTENC_UTF8_BOM;
    else if (starts(d, len, "\xFF\xFE", 2))
        e = TEXTENC_UTF16LE;
    else if (starts(d, len, "\xFE\xFF", 2))
        e = TEXTENC_UTF16BE;
    else
        goto no_mark;
    if (convert(d, len, e, NULL, err, errlen) != 0)
        return -1;
    *enc = e;
    return 0;

no_mark:;
    int g = utf16_guess(d, len);
    if (g >= 0 && convert(d, len, (enum textenc)g, NULL, NULL, 0) == 0) {
        *enc = (enum textenc)g;
        return 0;
    }
    size_t c = first_control(d, len);
    if (c < len)
        return control_error(d[c], line_at(d, len, c), true, err, errlen);
    bool multi;
    size_t bad = first_bad_utf8(d, len, &multi);
    if (bad == len) {
        *enc = TEXTENC_UTF8;
        return 0;
    }
    if (multi)
        return utf8_error(d, len, bad,
                          ", while other characters of the file are UTF-8: correct that line, or choose the file's "
                          "encoding (e.g. Windows-1252)",
                          err, errlen);
    if (from_cp1252(d, len, NULL, CP1252_DETECT, err, errlen) != 0)
        return -1;
    *enc = TEXTENC_CP1252;
    return 0;
}

/* ---- NFC ---------------------------------------------------------------- */

/* Valid UTF-8 whose bytes are all below 0xCC holds only characters below
 * U+0300. None of them has a canonical decomposition that NFC would not
 * compose back, none combines with a preceding character, and all have
 * combining class 0: such text is NFC as it stands. */
static bool below_u0300(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0xCC)
            return false;
    return true;
}

/* NFC of valid UTF-8 with characters from U+0300 on: a malloc'd array. */
static uint8_t *nfc_copy(const char *s, size_t n, size_t *len)
{
    *len = 0;
    uint8_t *r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL, len);
    if (!r)
        abort(); /* the input is valid, so only memory can be short: as xmalloc */
    return r;
}

int text_nfc(const char *s, size_t n, buf *out)
{
    if (!utf8_valid(s, n))
        return -1;
    if (below_u0300(s, n)) {
        buf_add(out, s, n);
        return 0;
    }
    size_t len;
    uint8_t *r = nfc_copy(s, n, &len);
    buf_add(out, r, len);
    free(r);
    return 0;
}

bool text_is_nfc(const char *s, size_t n)
{
    if (!utf8_valid(s, n))
        return false;
    if (below_u0300(s, n))
        return true;
    size_t len;
    uint8_t *r = nfc_copy(s, n, &len);
    bool same = len == n && memcmp(r, s, n) == 0;
    free(r);
    return same;
}
