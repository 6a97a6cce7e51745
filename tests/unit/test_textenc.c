/* Unit tests for textenc: names, detection, conversion to UTF-8 and NFC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>

#include "textenc.h"

#define S(lit) lit, sizeof lit - 1

/* Detects data[0..len): the encoding, or -1 with the message in err. */
static int detect(const char *data, size_t len, char *err)
{
    enum textenc e = (enum textenc)99;
    err[0] = '\0';
    int rc = textenc_detect(data, len, &e, err, TEXTENC_ERR_MAX);
    if (rc != 0) {
        assert_int_equal(rc, -1);
        assert_true(err[0] != '\0');
        assert_int_equal(e, 99); /* untouched */
        return -1;
    }
    return (int)e;
}

/* Converts data[0..len) from enc; the UTF-8 (malloc'd, length in *n) or NULL
 * with the message in err. */
static char *conv(const char *data, size_t len, enum textenc enc, size_t *n, char *err)
{
    buf out = {0};
    err[0] = '\0';
    if (textenc_to_utf8(data, len, enc, &out, err, TEXTENC_ERR_MAX) != 0) {
        assert_int_equal(out.len, 0);
        assert_true(err[0] != '\0');
        buf_free(&out);
        return NULL;
    }
    char *s = xmalloc(out.len + 1);
    memcpy(s, buf_str(&out), out.len + 1);
    *n = out.len;
    buf_free(&out);
    return s;
}

static void expect_conv(const char *data, size_t len, enum textenc enc, const char *want, size_t wantlen)
{
    char err[TEXTENC_ERR_MAX];
    size_t n = 0;
    char *got = conv(data, len, enc, &n, err);
    if (!got)
        fail_msg("conversion failed: %s", err);
    assert_int_equal(n, wantlen);
    assert_memory_equal(got, want, wantlen);
    free(got);
}

static void expect_conv_error(const char *data, size_t len, enum textenc enc, const char *want)
{
    char err[TEXTENC_ERR_MAX];
    size_t n;
    assert_null(conv(data, len, enc, &n, err));
    assert_string_equal(err, want);
}

static void expect_detect_error(const char *data, size_t len, const char *want)
{
    char err[TEXTENC_ERR_MAX];
    assert_int_equal(detect(data, len, err), -1);
    assert_string_equal(err, want);
}

/* UTF-16 of the UTF-8 text s (a test's own encoder), with a mark when bom. */
static char *utf16(const char *s, bool be, bool bom, size_t *n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    char *out = xmalloc(2 * len + 4);
    size_t o = 0;
    uint32_t units[2];
    if (bom) {
        out[o++] = be ? '\xFE' : '\xFF';
        out[o++] = be ? '\xFF' : '\xFE';
    }
    for (size_t i = 0; i < len;) {
        uint32_t c;
        if (u[i] < 0x80) {
            c = u[i++];
        } else if (u[i] < 0xE0) {
            c = (uint32_t)(u[i] & 0x1F) << 6 | (u[i + 1] & 0x3F);
            i += 2;
        } else if (u[i] < 0xF0) {
            c = (uint32_t)(u[i] & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3F);
            i += 3;
        } else {
            c = (uint32_t)(u[i] & 0x07) << 18 | (uint32_t)(u[i + 1] & 0x3F) << 12 | (uint32_t)(u[i + 2] & 0x3F) << 6 |
                (u[i + 3] & 0x3F);
            i += 4;
        }
        size_t k = 1;
        if (c >= 0x10000) {
            units[0] = 0xD800 + ((c - 0x10000) >> 10);
            units[1] = 0xDC00 + ((c - 0x10000) & 0x3FF);
            k = 2;
        } else {
            units[0] = c;
        }
        for (size_t j = 0; j < k; j++) {
            out[o++] = (char)(be ? units[j] >> 8 : units[j] & 0xFF);
            out[o++] = (char)(be ? units[j] & 0xFF : units[j] >> 8);
        }
    }
    *n = o;
    return out;
}

/* ---- Names ---------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(textenc_name(TEXTENC_UTF8), "UTF-8");
    assert_string_equal(textenc_name(TEXTENC_UTF8_BOM), "UTF-8 with BOM");
    assert_string_equal(textenc_name(TEXTENC_UTF16LE), "UTF-16LE");
    assert_string_equal(textenc_name(TEXTENC_UTF16BE), "UTF-16BE");
    assert_string_equal(textenc_name(TEXTENC_CP1252), "Windows-1252");
    assert_string_equal(textenc_name((enum textenc)42), "?");

    static const struct {
        const char *name;
        enum textenc want;
    } ok[] = {
        {"utf-8", TEXTENC_UTF8},           {"UTF8", TEXTENC_UTF8},
        {"US-ASCII", TEXTENC_UTF8},        {"utf-8-sig", TEXTENC_UTF8_BOM},
        {"UTF-8 with BOM", TEXTENC_UTF8_BOM}, {"utf-16", TEXTENC_UTF16LE},
        {"UTF-16LE", TEXTENC_UTF16LE},     {"utf16le", TEXTENC_UTF16LE},
        {"UTF-16BE", TEXTENC_UTF16BE},     {"Windows-1252", TEXTENC_CP1252},
        {"CP1252", TEXTENC_CP1252},        {"latin1", TEXTENC_CP1252},
        {"Latin-1", TEXTENC_CP1252},       {"ISO-8859-1", TEXTENC_CP1252},
        {"iso8859-1", TEXTENC_CP1252},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(ok); i++) {
        enum textenc e = (enum textenc)99;
        assert_int_equal(textenc_parse(ok[i].name, &e), 0);
        assert_int_equal(e, ok[i].want);
    }
    /* Every display name reads back as itself. */
    for (int k = TEXTENC_UTF8; k <= TEXTENC_CP1252; k++) {
        enum textenc e = (enum textenc)99;
        assert_int_equal(textenc_parse(textenc_name((enum textenc)k), &e), 0);
        assert_int_equal(e, k);
    }
    static const char *const bad[] = {"", "utf", "utf-32", "iso-8859-15", "latin9", " utf-8", "utf-8 ", "ebcdic"};
    for (size_t i = 0; i < CT_ARRAY_LEN(bad); i++) {
        enum textenc e = TEXTENC_UTF16BE;
        assert_int_equal(textenc_parse(bad[i], &e), -1);
        assert_int_equal(e, TEXTENC_UTF16BE);
    }
    enum textenc e;
    assert_int_equal(textenc_parse(NULL, &e), -1);
}

/* ---- Windows-1252 --------------------------------------------------------- */

static const char CP1252_CSV[] = "first_name,last_name,email,city\r\n"
                                 "\xD6zlem,Ex\xE4mple,ozlem@example.org,Z\xFCrich\r\n"
                                 "\xC5sa,S\xE4mple,asa@example.org,Malm\xF6 \x96 S\xFC" "d\r\n";

static void test_cp1252_csv(void **state)
{
    (void)state;
    char err[TEXTENC_ERR_MAX];
    assert_int_equal(detect(S(CP1252_CSV), err), TEXTENC_CP1252);
    static const char want[] = "first_name,last_name,email,city\r\n"
                               "\xC3\x96zlem,Ex\xC3\xA4mple,ozlem@example.org,Z\xC3\xBCrich\r\n"
                               "\xC3\x85sa,S\xC3\xA4mple,asa@example.org,Malm\xC3\xB6 \xE2\x80\x93 S\xC3\xBC"
                               "d\r\n";
    expect_conv(S(CP1252_CSV), TEXTENC_CP1252, S(want));
    /* The same, spelled as text: Özlem, Åsa, Malmö – Süd (U+2013). */
    size_t n;
    char *got = conv(S(CP1252_CSV), TEXTENC_CP1252, &n, err);
    assert_non_null(got);
    assert_non_null(strstr(got, u8"\r\nÖzlem,Exämple,"));
    assert_non_null(strstr(got, u8"\r\nÅsa,Sämple,asa@example.org,Malmö – Süd\r\n"));
    free(got);

    /* Read as UTF-8 it fails at the first bad byte, with the way out. */
    expect_conv_error(S(CP1252_CSV), TEXTENC_UTF8,
                      "line 2: the start of the line is not valid UTF-8 (byte 0xD6); choose the file's encoding "
                      "(e.g. Windows-1252)");
    expect_conv_error(S(CP1252_CSV), TEXTENC_UTF8_BOM,
                      "line 2: the start of the line is not valid UTF-8 (byte 0xD6); choose the file's encoding "
                      "(e.g. Windows-1252)");
    expect_conv_error(S("name\r\nEx\xE4mple\r\n"), TEXTENC_UTF8,
                      "line 2: the text after \"Ex\" is not valid UTF-8 (byte 0xE4); choose the file's encoding "
                      "(e.g. Windows-1252)");
}

static void test_cp1252_table(void **state)
{
    (void)state;
    char in[128];
    size_t n = 0;
    for (int c = 0x80; c <= 0x9F; c++)
        if (c != 0x81 && c != 0x8D && c != 0x8F && c != 0x90 && c != 0x9D)
            in[n++] = (char)c;
    const char *want = u8"€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    expect_conv(in, n, TEXTENC_CP1252, want, strlen(want));
    /* The code points, spelled out. */
    static const char hex[] = "\xE2\x82\xAC\xE2\x80\x9A\xC6\x92\xE2\x80\x9E\xE2\x80\xA6\xE2\x80\xA0\xE2\x80\xA1"
                              "\xCB\x86\xE2\x80\xB0\xC5\xA0\xE2\x80\xB9\xC5\x92\xC5\xBD\xE2\x80\x98\xE2\x80\x99"
                              "\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\xA2\xE2\x80\x93\xE2\x80\x94\xCB\x9C\xE2\x84\xA2"
                              "\xC5\xA1\xE2\x80\xBA\xC5\x93\xC5\xBE\xC5\xB8";
    expect_conv(in, n, TEXTENC_CP1252, S(hex));

    /* 0xA0-0xFF are U+00A0-U+00FF; ASCII stays. */
    char hi[96], wanthi[192];
    for (int c = 0xA0; c <= 0xFF; c++) {
        hi[c - 0xA0] = (char)c;
        wanthi[2 * (c - 0xA0)] = (char)(0xC0 | (c >> 6));
        wanthi[2 * (c - 0xA0) + 1] = (char)(0x80 | (c & 0x3F));
    }
    expect_conv(hi, 96, TEXTENC_CP1252, wanthi, 192);
    expect_conv(S("plain, ASCII\ttext\r\n"), TEXTENC_CP1252, S("plain, ASCII\ttext\r\n"));

    /* A UTF-8 mark read as Windows-1252 is three characters: the choice of
     * the person stands. */
    expect_conv(S("\xEF\xBB\xBF" "a"), TEXTENC_CP1252, S("\xC3\xAF\xC2\xBB\xC2\xBF" "a"));
}

static void test_cp1252_undefined(void **state)
{
    (void)state;
    static const unsigned char undefined[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
    for (size_t i = 0; i < sizeof undefined; i++) {
        char data[32], want[128];
        int n = snprintf(data, sizeof data, "name\r\nG%cnter\r\n", undefined[i]);
        snprintf(want, sizeof want, "line 2: byte 0x%02X is neither UTF-8 nor Windows-1252", undefined[i]);
        expect_detect_error(data, (size_t)n, want);
        snprintf(want, sizeof want, "line 2: byte 0x%02X is not a Windows-1252 character", undefined[i]);
        expect_conv_error(data, (size_t)n, TEXTENC_CP1252, want);
    }
    /* The first one counts, after defined high bytes. */
    expect_detect_error(S("\xE4\n\n\xFC\x9D\x81"), "line 3: byte 0x9D is neither UTF-8 nor Windows-1252");
}

/* ---- UTF-8 ---------------------------------------------------------------- */

static void test_utf8(void **state)
{
    (void)state;
    char err[TEXTENC_ERR_MAX];
    const char *text = u8"name,city\r\nÖzlem,Zürich\r\nAsa,東京\r\nEmoji,😀\r\n";
    assert_int_equal(detect(text, strlen(text), err), TEXTENC_UTF8);
    expect_conv(text, strlen(text), TEXTENC_UTF8, text, strlen(text));
    assert_int_equal(detect("", 0, err), TEXTENC_UTF8);
    assert_int_equal(detect(NULL, 0, err), TEXTENC_UTF8);
    expect_conv("", 0, TEXTENC_UTF8, "", 0);
    assert_int_equal(detect(S("plain ASCII\n"), err), TEXTENC_UTF8);

    /* The mark is stripped, whichever UTF-8 was chosen. */
    assert_int_equal(detect(S("\xEF\xBB\xBF" "a,b\r\n"), err), TEXTENC_UTF8_BOM);
    expect_conv(S("\xEF\xBB\xBF" "a,b\r\n"), TEXTENC_UTF8_BOM, S("a,b\r\n"));
    expect_conv(S("\xEF\xBB\xBF" "a,b\r\n"), TEXTENC_UTF8, S("a,b\r\n"));
    expect_conv(S("a,b\r\n"), TEXTENC_UTF8_BOM, S("a,b\r\n"));
    assert_int_equal(detect(S("\xEF\xBB\xBF"), err), TEXTENC_UTF8_BOM);
    expect_conv(S("\xEF\xBB\xBF"), TEXTENC_UTF8_BOM, "", 0);
    /* Only one mark, only at the start. */
    expect_conv(S("\xEF\xBB\xBF\xEF\xBB\xBF" "a"), TEXTENC_UTF8, S("\xEF\xBB\xBF" "a"));
    /* A mark followed by invalid UTF-8: the mark decides, the rest fails. */
    expect_detect_error(S("\xEF\xBB\xBF" "a\n\xD6zlem"),
                        "line 2: the start of the line is not valid UTF-8 (byte 0xD6); choose the file's encoding "
                        "(e.g. Windows-1252)");

    /* What is not UTF-8: overlongs, surrogates, beyond U+10FFFF, cut
     * sequences, stray continuation bytes. */
    static const struct {
        const char *data;
        const char *msg;
    } bad[] = {
        {"ab\xC0\x80", "line 1: the text after \"ab\" is not valid UTF-8 (byte 0xC0)"},
        {"\xE0\x80\x80", "line 1: the start of the line is not valid UTF-8 (byte 0xE0)"},
        {"x\n\xED\xA0\x80", "line 2: the start of the line is not valid UTF-8 (byte 0xED)"},
        {"\xF4\x90\x80\x80", "line 1: the start of the line is not valid UTF-8 (byte 0xF4)"},
        {"ok \xE2\x82", "line 1: the text after \"ok \" is not valid UTF-8 (byte 0xE2)"},
        {"\x80", "line 1: the start of the line is not valid UTF-8 (byte 0x80)"},
        {"\xFF", "line 1: the start of the line is not valid UTF-8 (byte 0xFF)"},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(bad); i++) {
        char want[TEXTENC_ERR_MAX];
        snprintf(want, sizeof want, "%s; choose the file's encoding (e.g. Windows-1252)", bad[i].msg);
        expect_conv_error(bad[i].data, strlen(bad[i].data), TEXTENC_UTF8, want);
    }
}

static void test_line_numbers(void **state)
{
    (void)state;
    /* LF, CRLF and a lone CR are one line end each. */
    expect_conv_error(S("a\rb\r\nc\nd\n\r\xFF"), TEXTENC_UTF8,
                      "line 6: the start of the line is not valid UTF-8 (byte 0xFF); choose the file's encoding "
                      "(e.g. Windows-1252)");
    expect_conv_error(S("a\r\n\r\nb\x01"), TEXTENC_UTF8, "This is not a text file (control character 0x01 at line 3).");
    expect_conv_error(S("a\r\r\nb\x01"), TEXTENC_CP1252, "This is not a text file (control character 0x01 at line 3).");
    expect_detect_error(S("\n\n\n\n\x90"), "line 5: byte 0x90 is neither UTF-8 nor Windows-1252");

    /* The quoted context is at most 16 characters, whole ones, of the line. */
    expect_conv_error(S("x\n0123456789abcdefghij\xC3"), TEXTENC_UTF8,
                      "line 2: the text after \"456789abcdefghij\" is not valid UTF-8 (byte 0xC3); choose the "
                      "file's encoding (e.g. Windows-1252)");
    expect_conv_error(S(u8"ÄÖÜäöüßéèêëÀÁÂÃÅÆÇ" "\xC3"), TEXTENC_UTF8,
                      u8"line 1: the text after \"ÜäöüßéèêëÀÁÂÃÅÆÇ\" is not valid UTF-8 (byte 0xC3); choose the "
                      "file's encoding (e.g. Windows-1252)");
}

static void test_mixed(void **state)
{
    (void)state;
    expect_detect_error(S("city\nZ\xC3\xBCrich\n\xD6zlem\n"),
                        "line 3: the start of the line is not valid UTF-8 (byte 0xD6), while other characters of "
                        "the file are UTF-8: correct that line, or choose the file's encoding (e.g. Windows-1252)");
    /* The UTF-8 may come after the bad byte too. */
    expect_detect_error(S("Ex\xE4mple;Z\xC3\xBCrich"),
                        "line 1: the text after \"Ex\" is not valid UTF-8 (byte 0xE4), while other characters of "
                        "the file are UTF-8: correct that line, or choose the file's encoding (e.g. Windows-1252)");
    /* Chosen explicitly, Windows-1252 reads it all (as mojibake for the
     * UTF-8 part: the choice of the person stands). */
    expect_conv(S("\xE4;\xC3\xBC"), TEXTENC_CP1252, S("\xC3\xA4;\xC3\x83\xC2\xBC"));
}

/* ---- UTF-16 --------------------------------------------------------------- */

static void test_utf16_round_trip(void **state)
{
    (void)state;
    char err[TEXTENC_ERR_MAX];
    const char *text = u8"first_name,last_name,city\r\nÖzlem,Exämple,Malmö – Süd\r\nMei,李,東京 😀\r\n";
    for (int be = 0; be <= 1; be++) {
        size_t n;
        char *data = utf16(text, be, true, &n);
        assert_int_equal(detect(data, n, err), be ? TEXTENC_UTF16BE : TEXTENC_UTF16LE);
        expect_conv(data, n, be ? TEXTENC_UTF16BE : TEXTENC_UTF16LE, text, strlen(text));
        /* The mark decides the order, whichever was chosen. */
        expect_conv(data, n, be ? TEXTENC_UTF16LE : TEXTENC_UTF16BE, text, strlen(text));
        free(data);
        /* Without a mark: the order chosen. */
        data = utf16(text, be, false, &n);
        expect_conv(data, n, be ? TEXTENC_UTF16BE : TEXTENC_UTF16LE, text, strlen(text));
        free(data);
    }
    /* Bytes spelled out: BOM, "a", "é", U+1F600 as D83D DE00, CRLF. */
    expect_conv(S("\xFF\xFE" "a\0\xE9\0\x3D\xD8\x00\xDE\r\0\n\0"), TEXTENC_UTF16LE,
                S("a\xC3\xA9\xF0\x9F\x98\x80\r\n"));
    expect_conv(S("\xFE\xFF\0a\0\xE9\xD8\x3D\xDE\x00"), TEXTENC_UTF16BE, S("a\xC3\xA9\xF0\x9F\x98\x80"));
    assert_int_equal(detect(S("\xFF\xFE"), err), TEXTENC_UTF16LE);
    expect_conv(S("\xFF\xFE"), TEXTENC_UTF16LE, "", 0);
    assert_int_equal(detect(S("\xFE\xFF"), err), TEXTENC_UTF16BE);
}

static void test_utf16_without_mark(void **state)
{
    (void)state;
    char err[TEXTENC_ERR_MAX];
    size_t n;
    char *data = utf16(u8"name,city\r\nZoë,Zürich\r\n", false, false, &n);
    assert_int_equal(detect(data, n, err), TEXTENC_UTF16LE);
    free(data);
    data = utf16(u8"name,city\r\nZoë,Zürich\r\n", true, false, &n);
    assert_int_equal(detect(data, n, err), TEXTENC_UTF16BE);
    free(data);
    /* Too few NUL bytes, or at both parities, or an odd length: binary. */
    expect_detect_error(S("abcdef\0h"), "This is not a text file (a NUL byte at line 1).");
    expect_detect_error(S("a\0\0b"), "This is not a text file (a NUL byte at line 1).");
    expect_detect_error(S("a\0b\0c"), "This is not a text file (a NUL byte at line 1).");
    /* Looks like UTF-16 but decodes to a control character: binary. */
    expect_detect_error(S("a\0\x01\0"), "This is not a text file (a NUL byte at line 1).");
}

static void test_utf16_errors(void **state)
{
    (void)state;
    /* A lone high surrogate (before "a"), a lone low one, a high one at
     * the very end, an odd length; each names its line. */
    expect_conv_error(S("\xFF\xFE" "a\0\n\0\x3D\xD8" "a\0"), TEXTENC_UTF16LE,
                      "line 2: a lone surrogate 0xD83D is not valid UTF-16LE");
    expect_conv_error(S("\xFE\xFF\0a\0\r\0\r\0\n\xDE\0"), TEXTENC_UTF16BE,
                      "line 3: a lone surrogate 0xDE00 is not valid UTF-16BE");
    expect_conv_error(S("a\0\x3D\xD8"), TEXTENC_UTF16LE, "line 1: a lone surrogate 0xD83D is not valid UTF-16LE");
    expect_conv_error(S("\xFF\xFE" "a\0\n\0b"), TEXTENC_UTF16LE,
                      "line 2: the file ends in the middle of a UTF-16LE character (its length is odd)");
    expect_detect_error(S("\xFF\xFE" "a\0\n\0\n\0\x3D\xD8"), "line 3: a lone surrogate 0xD83D is not valid UTF-16LE");
    expect_detect_error(S("\xFE\xFF\0a\0"), "line 1: the file ends in the middle of a UTF-16BE character (its "
                                            "length is odd)");
    /* Control characters, after decoding. */
    expect_conv_error(S("\xFF\xFE" "a\0\r\0\n\0\0\0"), TEXTENC_UTF16LE,
                      "This is not a text file (a NUL character at line 2).");
    expect_conv_error(S("\xFF\xFE\x1B\0"), TEXTENC_UTF16LE, "This is not a text file (control character 0x1B at "
                                                            "line 1).");
    /* The same as UTF-8 and Windows-1252 are allowed: TAB VT FF. */
    expect_conv(S("\xFF\xFE\t\0\v\0\f\0"), TEXTENC_UTF16LE, S("\t\v\f"));
}

/* ---- Binary files --------------------------------------------------------- */

static void test_binary_formats(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        size_t len;
        const char *msg;
    } cases[] = {
        {S("PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml...PK\x03\x04xl/workbook.xml"),
         "This is not a text file: it looks like an Excel workbook (.xlsx); save it as CSV UTF-8 first."},
        {S("PK\x03\x04\x14\0\0\0\0\0mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK"),
         "This is not a text file: it looks like an OpenDocument spreadsheet (.ods); save it as CSV UTF-8 first."},
        {S("PK\x03\x04\x14\0\x06\0word/document.xml"),
         "This is not a text file: it looks like a Word document (.docx)."},
        {S("PK\x03\x04\x0A\0\0\0contacts.csv"),
         "This is not a text file: it looks like a ZIP archive; unpack it first."},
        {S("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0"),
         "This is not a text file: it looks like an Excel 97-2003 workbook (.xls) or another old Office file; save "
         "it as CSV UTF-8 first."},
        {S("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), "This is not a text file: it looks like a PDF document."},
        {S("\x89PNG\r\n\x1A\n\0\0\0\rIHDR"), "This is not a text file: it looks like a PNG image."},
        {S("\xFF\xD8\xFF\xE0\0\x10JFIF"), "This is not a text file: it looks like a JPEG image."},
        {S("GIF89a\x01\0\x01\0"), "This is not a text file: it looks like a GIF image."},
        {S("\x1F\x8B\x08\0\0\0\0\0"),
         "This is not a text file: it looks like a gzip-compressed file; unpack it first."},
        {S("\xFF\xFE\0\0a\0\0\0"), "This file is in UTF-32, which is not supported; save it as UTF-8."},
        {S("\0\0\xFE\xFF\0\0\0a"), "This file is in UTF-32, which is not supported; save it as UTF-8."},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(cases); i++) {
        expect_detect_error(cases[i].data, cases[i].len, cases[i].msg);
        /* Refused by name whatever encoding was chosen. */
        for (int e = TEXTENC_UTF8; e <= TEXTENC_CP1252; e++)
            expect_conv_error(cases[i].data, cases[i].len, (enum textenc)e, cases[i].msg);
    }
    /* A text that merely mentions them is text. */
    char err[TEXTENC_ERR_MAX];
    assert_int_equal(detect(S("name,file\nA,%PDF-1.7\n"), err), TEXTENC_UTF8);
}

static void test_control_characters(void **state)
{
    (void)state;
    expect_detect_error(S("a,b\r\nc\nd\0"), "This is not a text file (a NUL byte at line 3).");
    expect_conv_error(S("a,b\r\nc\nd\0"), TEXTENC_UTF8, "This is not a text file (a NUL byte at line 3).");
    expect_conv_error(S("a,b\r\nc\nd\0"), TEXTENC_CP1252, "This is not a text file (a NUL byte at line 3).");
    expect_detect_error(S("BEGIN:VCARD\r\nFN:A\x07\r\n"),
                        "This is not a text file (control character 0x07 at line 2).");
    expect_detect_error(S("a\x7F"), "This is not a text file (control character 0x7F at line 1).");
    expect_detect_error(S("\xE4\x1A"), "This is not a text file (control character 0x1A at line 1).");
    /* The first problem in the file is named: a control character before
     * invalid UTF-8 when detecting, as found when converting. */
    expect_detect_error(S("\xFF\n\x02"), "This is not a text file (control character 0x02 at line 2).");
    expect_conv_error(S("\xFF\n\x02"), TEXTENC_UTF8,
                      "line 1: the start of the line is not valid UTF-8 (byte 0xFF); choose the file's encoding "
                      "(e.g. Windows-1252)");

    /* TAB, LF, VT, FF, CR are text; so are C1 controls written in UTF-8. */
    char err[TEXTENC_ERR_MAX];
    assert_int_equal(detect(S("a\tb\v\fc\r\n\r"), err), TEXTENC_UTF8);
    expect_conv(S("a\tb\v\fc\r\n\r"), TEXTENC_UTF8, S("a\tb\v\fc\r\n\r"));
    assert_int_equal(detect(S("x\xC2\x96y"), err), TEXTENC_UTF8);
    expect_conv(S("\xE4\t\v\f\r\n"), TEXTENC_CP1252, S("\xC3\xA4\t\v\f\r\n"));
}

static void test_output_appends_or_stays(void **state)
{
    (void)state;
    char err[TEXTENC_ERR_MAX];
    buf out = {0};
    buf_adds(&out, "kept:");
    assert_int_equal(textenc_to_utf8(S("\xE4"), TEXTENC_CP1252, &out, err, sizeof err), 0);
    assert_string_equal(buf_str(&out), "kept:\xC3\xA4");
    /* A failure halfway through leaves what was there. */
    assert_int_equal(textenc_to_utf8(S("\xE4\xE4\xE4\x81"), TEXTENC_CP1252, &out, err, sizeof err), -1);
    assert_int_equal(out.len, 7);
    assert_string_equal(buf_str(&out), "kept:\xC3\xA4");
    assert_int_equal(textenc_to_utf8(S("\xFF\xFE" "a\0\0\xD8"), TEXTENC_UTF16LE, &out, err, sizeof err), -1);
    assert_string_equal(buf_str(&out), "kept:\xC3\xA4");
    /* A long conversion goes through the chunks whole. */
    buf big = {0};
    for (int i = 0; i < 5000; i++)
        buf_add(&big, "\xE4\x80x", 3);
    buf_reset(&out);
    assert_int_equal(textenc_to_utf8(big.data, big.len, TEXTENC_CP1252, &out, err, sizeof err), 0);
    assert_int_equal(out.len, 5000 * 6);
    for (int i = 0; i < 5000; i++)
        assert_memory_equal(out.data + 6 * i, "\xC3\xA4\xE2\x82\xAC" "x", 6);
    buf_free(&big);
    /* A small message buffer is cut, NUL-terminated; none at all is fine. */
    char small[12];
    assert_int_equal(textenc_to_utf8(S("\x81"), TEXTENC_CP1252, &out, small, sizeof small), -1);
    assert_string_equal(small, "line 1: byt");
    assert_int_equal(textenc_to_utf8(S("\x81"), TEXTENC_CP1252, &out, NULL, 0), -1);
    enum textenc e;
    assert_int_equal(textenc_detect(S("\0"), &e, NULL, 0), -1);
    buf_free(&out);
}

/* ---- NFC ------------------------------------------------------------------ */

static void expect_nfc(const char *in, size_t n, const char *want, size_t wantlen)
{
    buf out = {0};
    assert_int_equal(text_nfc(in, n, &out), 0);
    assert_int_equal(out.len, wantlen);
    assert_memory_equal(out.data ? out.data : "", want, wantlen);
    assert_int_equal(text_is_nfc(in, n), n == wantlen && memcmp(in, want, n) == 0);
    assert_true(text_is_nfc(want, wantlen));
    buf_free(&out);
}

static void test_nfc(void **state)
{
    (void)state;
    /* NFD José (e + U+0301) composes to é. */
    expect_nfc(S("Jose\xCC\x81"), S("\x4A\x6F\x73\xC3\xA9"));
    /* Zoe + U+0308: Zoë. */
    expect_nfc(S("Zoe\xCC\x88"), S(u8"Zoë"));
    /* Hangul jamo: U+1100 U+1161 U+11A8 is the syllable U+AC01. */
    expect_nfc(S("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), S("\xEA\xB0\x81"));
    /* A singleton: OHM SIGN U+2126 is GREEK CAPITAL OMEGA U+03A9 in NFC. */
    expect_nfc(S("\xE2\x84\xA6"), S("\xCE\xA9"));
    /* Combining marks are put in canonical order: dot below (220) before
     * dot above (230); q has no precomposed form. */
    expect_nfc(S("q\xCC\x87\xCC\xA3"), S("q\xCC\xA3\xCC\x87"));
    /* Text already in NFC is unchanged. */
    expect_nfc(S(u8"Zürich, Åsa, Malmö – Süd"), S(u8"Zürich, Åsa, Malmö – Süd"));
    expect_nfc(S(u8"각 東京 😀 Ελλάδα"), S(u8"각 東京 😀 Ελλάδα"));
    expect_nfc(S("plain ASCII"), S("plain ASCII"));
    expect_nfc("", 0, "", 0);
    expect_nfc(S("a\0b"), S("a\0b"));

    /* Not UTF-8: refused, out unchanged. */
    buf out = {0};
    buf_adds(&out, "x");
    assert_int_equal(text_nfc(S("\xD6zlem"), &out), -1);
    assert_int_equal(text_nfc(S("e\xCC"), &out), -1);
    assert_string_equal(buf_str(&out), "x");
    assert_false(text_is_nfc(S("\xD6zlem")));
    buf_free(&out);
}

/* The shortcut of text_nfc: text of characters below U+0300 is NFC. Every
 * such character, and every pair of them (each character next to every
 * other on either side), checked against libunistring itself. */
static void test_nfc_shortcut_is_sound(void **state)
{
    (void)state;
    buf all = {0};
    for (uint32_t a = 0x20; a < 0x300; a++) {
        if (a >= 0x7F && a < 0xA0)
            continue;
        for (uint32_t b = 0x20; b < 0x300; b += 1) {
            if (b >= 0x7F && b < 0xA0)
                continue;
            uint32_t pair[2] = {a, b};
            for (int k = 0; k < 2; k++) {
                uint32_t c = pair[k];
                if (c < 0x80) {
                    buf_addc(&all, (char)c);
                } else {
                    buf_addc(&all, (char)(0xC0 | (c >> 6)));
                    buf_addc(&all, (char)(0x80 | (c & 0x3F)));
                }
            }
        }
    }
    size_t len = 0;
    uint8_t *nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)all.data, all.len, NULL, &len);
    assert_non_null(nfc);
    assert_int_equal(len, all.len);
    assert_memory_equal(nfc, all.data, len);
    free(nfc);
    assert_true(text_is_nfc(all.data, all.len));
    buf_free(&all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cp1252_csv),
        cmocka_unit_test(test_cp1252_table),
        cmocka_unit_test(test_cp1252_undefined),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_line_numbers),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_utf16_round_trip),
        cmocka_unit_test(test_utf16_without_mark),
        cmocka_unit_test(test_utf16_errors),
        cmocka_unit_test(test_binary_formats),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_output_appends_or_stays),
        cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_nfc_shortcut_is_sound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
