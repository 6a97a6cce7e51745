/* Unit tests for multipart: the boundary, real bodies from curl and
 * Chromium, the delimiter rules, headers, names and filenames, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define S(lit) lit, sizeof lit - 1

static const char CT[] = "multipart/form-data; boundary=XyZ";

/* Parses body with ct; on success renders the parts as
 * "name|filename|content-type|data\n" (NULL as "-"), else "ERR: message". */
static char *dump(const char *ct, const char *body, size_t len)
{
    arena *a = arena_new();
    multipart m = {(multipart_part *)1, 99};
    char err[MULTIPART_ERR_MAX] = "";
    buf out = {0};
    if (multipart_parse(a, ct, body, len, &m, err, sizeof err) != 0) {
        assert_null(m.parts);
        assert_int_equal(m.n, 0);
        assert_true(err[0] != '\0');
        buf_printf(&out, "ERR: %s", err);
    } else {
        for (size_t i = 0; i < m.n; i++) {
            const multipart_part *p = &m.parts[i];
            assert_non_null(p->name);
            assert_true(p->data >= body && p->data + p->len <= body + len);
            buf_printf(&out, "%s|%s|%s|", p->name, p->filename ? p->filename : "-",
                       p->content_type ? p->content_type : "-");
            buf_add(&out, p->data, p->len);
            buf_addc(&out, '\n');
        }
    }
    arena_free(a);
    char *s = xstrdup(buf_str(&out));
    buf_free(&out);
    return s;
}

static void expect(const char *ct, const char *body, size_t len, const char *want)
{
    char *got = dump(ct, body, len);
    assert_string_equal(got, want);
    free(got);
}

/* ---- The boundary --------------------------------------------------------- */

static void expect_boundary(const char *ct, const char *want)
{
    arena *a = arena_new();
    char err[MULTIPART_ERR_MAX] = "";
    const char *b = multipart_boundary(a, ct, err, sizeof err);
    if (b)
        assert_string_equal(b, want);
    else
        assert_string_equal(err, want);
    arena_free(a);
}

static void test_boundary(void **state)
{
    (void)state;
    expect_boundary("multipart/form-data; boundary=----WebKitFormBoundaryLaZ2SmZJnzaHug6T",
                    "----WebKitFormBoundaryLaZ2SmZJnzaHug6T");
    expect_boundary("multipart/form-data; boundary=------------------------c498de0c09824ea3",
                    "------------------------c498de0c09824ea3");
    expect_boundary("Multipart/Form-Data;BOUNDARY=abc", "abc");
    expect_boundary("  multipart/form-data ; charset=utf-8;  boundary = \"a b:c\"  ;", "a b:c");
    expect_boundary("multipart/form-data; boundary=\"quoted\\=x\"", "quoted=x");
    expect_boundary("multipart/form-data; boundary=\"'()+_,-./:=?\"", "'()+_,-./:=?");
    /* 70 characters is the most. */
    expect_boundary("multipart/form-data; boundary="
                    "0123456789012345678901234567890123456789012345678901234567890123456789",
                    "0123456789012345678901234567890123456789012345678901234567890123456789");
    expect_boundary("multipart/form-data; boundary="
                    "01234567890123456789012345678901234567890123456789012345678901234567890",
                    "the boundary of the upload is longer than 70 characters");

    expect_boundary(NULL, "the upload has no Content-Type");
    expect_boundary("", "the upload is not multipart/form-data");
    expect_boundary("application/x-www-form-urlencoded", "the upload is not multipart/form-data");
    expect_boundary("multipart/mixed; boundary=x", "the upload is not multipart/form-data");
    expect_boundary("multipart/form-data", "the Content-Type of the upload has no boundary");
    expect_boundary("multipart/form-data; charset=utf-8", "the Content-Type of the upload has no boundary");
    expect_boundary("multipart/form-data; boundary=a; boundary=b", "the Content-Type of the upload has two boundaries");
    expect_boundary("multipart/form-data; boundary=", "the boundary of the upload is empty");
    expect_boundary("multipart/form-data; boundary=\"\"", "the boundary of the upload is empty");
    expect_boundary("multipart/form-data; boundary=\"a \"",
                    "the boundary of the upload has characters that RFC 2046 does not allow");
    expect_boundary("multipart/form-data; boundary=a@b",
                    "the boundary of the upload has characters that RFC 2046 does not allow");
    expect_boundary("multipart/form-data; boundary=\"unterminated",
                    "the Content-Type of the upload is malformed");
    expect_boundary("multipart/form-data; boundary", "the Content-Type of the upload is malformed");
    expect_boundary("multipart/form-data boundary=x", "the Content-Type of the upload is malformed");
    expect_boundary("multipart/form-data; =x", "the Content-Type of the upload is malformed");
}

/* ---- Real bodies ---------------------------------------------------------- */

/* curl 7.88: curl -F file=@contacts.csv -F encoding=utf-8 URL */
static const char CURL_CT[] = "multipart/form-data; boundary=------------------------c498de0c09824ea3";
static const char CURL_BODY[] = "--------------------------c498de0c09824ea3\r\n"
                                "Content-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\n"
                                "Content-Type: application/octet-stream\r\n"
                                "\r\n"
                                "first_name,city\r\n\xC3\x96zlem,Z\xC3\xBCrich\r\n"
                                "\r\n"
                                "--------------------------c498de0c09824ea3\r\n"
                                "Content-Disposition: form-data; name=\"encoding\"\r\n"
                                "\r\n"
                                "utf-8\r\n"
                                "--------------------------c498de0c09824ea3--\r\n";

static void test_curl(void **state)
{
    (void)state;
    expect(CURL_CT, S(CURL_BODY),
           "file|contacts.csv|application/octet-stream|first_name,city\r\n\xC3\x96zlem,Z\xC3\xBCrich\r\n\n"
           "encoding|-|-|utf-8\n");

    arena *a = arena_new();
    multipart m;
    char err[MULTIPART_ERR_MAX];
    assert_int_equal(multipart_parse(a, CURL_CT, S(CURL_BODY), &m, err, sizeof err), 0);
    assert_int_equal(m.n, 2);
    const multipart_part *f = multipart_get(&m, "file");
    assert_non_null(f);
    assert_ptr_equal(f, &m.parts[0]);
    assert_ptr_equal(f->data, strstr(CURL_BODY, "first_name"));
    assert_int_equal(f->len, 33);
    assert_ptr_equal(multipart_get(&m, "encoding"), &m.parts[1]);
    assert_null(multipart_get(&m, "missing"));
    assert_null(multipart_get(&m, "FILE"));
    arena_free(a);

    /* curl 7.88 -F 'file=@qu"ote.csv;type=text/csv': a quote is %22. */
    expect("multipart/form-data; boundary=------------------------3222dec2e8053127",
           S("--------------------------3222dec2e8053127\r\n"
             "Content-Disposition: form-data; name=\"file\"; filename=\"qu%22ote.csv\"\r\n"
             "Content-Type: text/csv\r\n"
             "\r\n"
             "a\"b\r\n"
             "--------------------------3222dec2e8053127\r\n"
             "Content-Disposition: form-data; name=\"note\"\r\n"
             "\r\n"
             "x\r\n"
             "--------------------------3222dec2e8053127--\r\n"),
           "file|qu\"ote.csv|text/csv|a\"b\nnote|-|-|x\n");
}

/* Chromium 156, a FormData sent with fetch: a field, a CSV, a binary file
 * of the bytes 0-255 named a"b\c.bin, a field named na"me whose value has a
 * line break, and a file field left empty. */
static void test_chromium(void **state)
{
    (void)state;
    static const char ct[] = "multipart/form-data; boundary=----WebKitFormBoundaryLaZ2SmZJnzaHug6T";
    buf body = {0};
    buf_adds(&body, "------WebKitFormBoundaryLaZ2SmZJnzaHug6T\r\n"
                    "Content-Disposition: form-data; name=\"csrf\"\r\n"
                    "\r\n"
                    "tok123\r\n"
                    "------WebKitFormBoundaryLaZ2SmZJnzaHug6T\r\n"
                    "Content-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\n"
                    "Content-Type: text/csv\r\n"
                    "\r\n"
                    "first_name,city\r\n\xC3\x96zlem,Z\xC3\xBCrich\r\n"
                    "\r\n"
                    "------WebKitFormBoundaryLaZ2SmZJnzaHug6T\r\n"
                    "Content-Disposition: form-data; name=\"bin\"; filename=\"a%22b\\c.bin\"\r\n"
                    "Content-Type: application/octet-stream\r\n"
                    "\r\n");
    size_t bin_at = body.len;
    for (int i = 0; i < 256; i++)
        buf_addc(&body, (char)i);
    buf_adds(&body, "\r\n"
                    "------WebKitFormBoundaryLaZ2SmZJnzaHug6T\r\n"
                    "Content-Disposition: form-data; name=\"na%22me\"\r\n"
                    "\r\n"
                    "v\r\nw\r\n"
                    "------WebKitFormBoundaryLaZ2SmZJnzaHug6T\r\n"
                    "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
                    "Content-Type: application/octet-stream\r\n"
                    "\r\n"
                    "\r\n"
                    "------WebKitFormBoundaryLaZ2SmZJnzaHug6T--\r\n");

    arena *a = arena_new();
    multipart m;
    char err[MULTIPART_ERR_MAX] = "";
    assert_int_equal(multipart_parse(a, ct, body.data, body.len, &m, err, sizeof err), 0);
    assert_int_equal(m.n, 5);
    assert_string_equal(m.parts[0].name, "csrf");
    assert_null(m.parts[0].filename);
    assert_null(m.parts[0].content_type);
    assert_int_equal(m.parts[0].len, 6);
    assert_memory_equal(m.parts[0].data, "tok123", 6);

    assert_string_equal(m.parts[1].name, "file");
    assert_string_equal(m.parts[1].filename, "contacts.csv");
    assert_string_equal(m.parts[1].content_type, "text/csv");
    assert_int_equal(m.parts[1].len, 33);
    assert_memory_equal(m.parts[1].data, "first_name,city\r\n\xC3\x96zlem,Z\xC3\xBCrich\r\n", 33);

    /* Binary safe, in place; the raw backslash ends a path component. */
    assert_string_equal(m.parts[2].name, "bin");
    assert_string_equal(m.parts[2].filename, "c.bin");
    assert_ptr_equal(m.parts[2].data, body.data + bin_at);
    assert_int_equal(m.parts[2].len, 256);
    for (int i = 0; i < 256; i++)
        assert_int_equal((unsigned char)m.parts[2].data[i], i);

    assert_string_equal(m.parts[3].name, "na\"me");
    assert_int_equal(m.parts[3].len, 4);
    assert_memory_equal(m.parts[3].data, "v\r\nw", 4);
    assert_ptr_equal(multipart_get(&m, "na\"me"), &m.parts[3]);

    /* An empty file field: filename "" (not NULL) and no data. */
    assert_string_equal(m.parts[4].name, "empty");
    assert_non_null(m.parts[4].filename);
    assert_string_equal(m.parts[4].filename, "");
    assert_int_equal(m.parts[4].len, 0);
    arena_free(a);
    buf_free(&body);
}

/* ---- Delimiters ----------------------------------------------------------- */

static void test_preamble_epilogue(void **state)
{
    (void)state;
    /* The body opens with the delimiter, or a preamble comes first. */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"), "a|-|-|1\n");
    expect(CT, S("This is the preamble.\r\nIt is ignored.\r\n--XyZ\r\n"
                 "Content-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\nThe epilogue, also ignored.\r\n"),
           "a|-|-|1\n");
    expect(CT, S("\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\n"), "a|-|-|1\n");
    /* Without the final CRLF, or with spaces after a boundary. */
    expect(CT, S("--XyZ \t\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ  \r\n"
                 "Content-Disposition: form-data; name=b\r\n\r\n2\r\n--XyZ--"),
           "a|-|-|1\nb|-|-|2\n");
    /* The preamble may hold the boundary where it is no delimiter. */
    expect(CT, S("x--XyZ\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"), "a|-|-|1\n");
}

static void test_delimiter_rules(void **state)
{
    (void)state;
    /* "--XyZ" not at the start of a line, or followed by other text, is data. */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
                 "x--XyZ\r\n\r\n--XyZX\r\n\r\n--XyZ-\r\n--XyZ x\r\n--XyZ--"),
           "a|-|-|x--XyZ\r\n\r\n--XyZX\r\n\r\n--XyZ-\r\n--XyZ x\n");
    /* Data may end with CR LF and dashes: only the last CRLF is the
     * delimiter's. */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n\r\n--\r\n--XyZ--"),
           "a|-|-|\r\n\r\n--\n");
    /* Strict CRLF: a bare LF before the boundary does not delimit. */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\n--XyZ--\r\n"),
           "ERR: the upload ended before its closing boundary");
    expect(CT, S("--XyZ\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--"),
           "ERR: the upload has no parts");
    /* Cut off: in the data, in the headers, or right after a boundary. */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1234"),
           "ERR: the upload ended before its closing boundary");
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ"),
           "ERR: the upload ended before its closing boundary");
    expect(CT, S("--XyZ\r\nContent-Disp"), "ERR: the upload ended before its closing boundary");
    expect(CT, S("--XyZ\r\n"), "ERR: the upload ended before its closing boundary");
    expect(CT, "", 0, "ERR: the upload has no boundary line: it is empty or cut off");
    expect(CT, NULL, 0, "ERR: the upload has no boundary line: it is empty or cut off");
    expect(CT, S("--Xy"), "ERR: the upload has no boundary line: it is empty or cut off");
    expect(CT, S("--OTHER\r\n\r\n--OTHER--"), "ERR: the upload has no boundary line: it is empty or cut off");
    /* A body that closes at once has no parts, which RFC 2046 forbids. */
    expect(CT, S("--XyZ--\r\n"), "ERR: the upload has no parts");
    expect(CT, S("preamble\r\n--XyZ--"), "ERR: the upload has no parts");
    /* The boundary is compared exactly (case matters). */
    expect(CT, S("--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--xyz--"),
           "ERR: the upload has no boundary line: it is empty or cut off");
    /* Errors in the Content-Type come first. */
    expect("text/plain", S(CURL_BODY), "ERR: the upload is not multipart/form-data");
}

/* ---- Headers -------------------------------------------------------------- */

static void test_headers(void **state)
{
    (void)state;
    /* Any case, spaces around the value; other headers ignored. */
    expect(CT, S("--XyZ\r\ncontent-disposition:form-data;name=\"a\"\r\nCONTENT-TYPE:   text/plain; charset=utf-8  \r\n"
                 "X-Other: whatever\r\nContent-Transfer-Encoding: 8bit\r\n\r\n1\r\n--XyZ--"),
           "a|-|text/plain; charset=utf-8|1\n");
    /* Only headers: the empty line's CRLF is the delimiter's own. */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n--XyZ--"), "a|-|-|\n");
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--"), "a|-|-|\n");

    static const struct {
        const char *part;
        const char *err;
    } bad[] = {
        {"\r\n1", "part 1 has no Content-Disposition header"},
        {"", "part 1 has no Content-Disposition header"},
        {"Content-Type: text/plain\r\n\r\n1", "part 1 has no Content-Disposition header"},
        {"Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\n",
         "part 1 has two Content-Disposition headers"},
        {"Content-Disposition: form-data; name=a\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n",
         "part 1 has two Content-Type headers"},
        {"Content-Disposition: form-data; name=a\r\nContent-Transfer-Encoding: base64\r\n\r\nMQ==",
         "part 1 has a Content-Transfer-Encoding other than binary"},
        {"Content-Disposition: form-data;\r\n name=a\r\n\r\n1",
         "part 1 has a folded header line, which is not supported"},
        {"Content-Disposition: form-data; name=a\r\nno colon\r\n\r\n1",
         "a header line of part 1 has no name and colon"},
        {"Content-Disposition: form-data; name=a\r\n: x\r\n\r\n1", "a header line of part 1 has no name and colon"},
        {"Content-Disposition: form-data; name=a\nX: y\r\n\r\n1",
         "a header line of part 1 has a stray CR, LF or NUL byte"},
        {"Content-Disposition: form-data; name=a\rX: y\r\n\r\n1",
         "a header line of part 1 has a stray CR, LF or NUL byte"},
        {"Content-Disposition: form-data; name=a\r\n1", "the headers of part 1 do not end with an empty line"},
        {"Content-Disposition: attachment; name=a\r\n\r\n1", "the Content-Disposition of part 1 is not form-data"},
        {"Content-Disposition: form-data\r\n\r\n1", "part 1 has no name in its Content-Disposition"},
        {"Content-Disposition: form-data; filename=x.csv\r\n\r\n1", "part 1 has no name in its Content-Disposition"},
        {"Content-Disposition: form-data; name=a; name=b\r\n\r\n1",
         "the Content-Disposition of part 1 has two name parameters"},
        {"Content-Disposition: form-data; name=a; filename=x; FILENAME=y\r\n\r\n1",
         "the Content-Disposition of part 1 has two filename parameters"},
        {"Content-Disposition: form-data; name=\"a\r\n\r\n1", "the Content-Disposition of part 1 is malformed"},
        {"Content-Disposition: form-data; name=\"a\" x\r\n\r\n1", "the Content-Disposition of part 1 is malformed"},
        {"Content-Disposition: form-data; name=\"\xC3\"\r\n\r\n1", "the name of part 1 is not UTF-8"},
        {"Content-Disposition: form-data; name=f; filename=\"\xD6zlem.csv\"\r\n\r\n1",
         "the file name of part 1 is not UTF-8"},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(bad); i++) {
        buf body = {0};
        /* A good part first, so the bad one is part 2. */
        buf_adds(&body, "--XyZ\r\nContent-Disposition: form-data; name=ok\r\n\r\nfine\r\n--XyZ\r\n");
        buf_adds(&body, bad[i].part);
        buf_adds(&body, "\r\n--XyZ--\r\n");
        char want[MULTIPART_ERR_MAX + 8];
        snprintf(want, sizeof want, "ERR: %s", bad[i].err);
        char *p = strstr(want, "part 1");
        assert_non_null(p);
        p[5] = '2';
        expect(CT, body.data, body.len, want);
        buf_free(&body);
    }
    /* The NUL case spelled with its length (strlen stops at the NUL). */
    expect(CT, S("--XyZ\r\nContent-Disposition: form-data; name=a\r\nX: \0y\r\n\r\n1\r\n--XyZ--"),
           "ERR: a header line of part 1 has a stray CR, LF or NUL byte");
}

static void test_names_and_filenames(void **state)
{
    (void)state;
    static const struct {
        const char *disposition;
        const char *want; /* name|filename */
    } cases[] = {
        {"form-data; name=\"file\"; filename=\"contacts.csv\"", "file|contacts.csv"},
        {"form-data; name=file; filename=contacts.csv", "file|contacts.csv"},
        {"FORM-DATA; NAME=\"file\"; FileName=\"x.vcf\"", "file|x.vcf"},
        /* Paths: only the last component stays, either separator. */
        {"form-data; name=\"f\"; filename=\"C:\\Users\\x\\file.csv\"", "f|file.csv"},
        {"form-data; name=\"f\"; filename=\"C:\\\\Users\\\\x\\\\file.csv\"", "f|file.csv"},
        {"form-data; name=\"f\"; filename=\"/home/x/file.csv\"", "f|file.csv"},
        {"form-data; name=\"f\"; filename=\"dir/sub\\file.csv\"", "f|file.csv"},
        {"form-data; name=\"f\"; filename=\"C:\\dir\\\\\"", "f|"},
        {"form-data; name=\"f\"; filename=\"\"", "f|"},
        /* Quotes: %22 as browsers and curl write them, or \" escapes. */
        {"form-data; name=\"na%22me\"; filename=\"a%22b.csv\"", "na\"me|a\"b.csv"},
        {"form-data; name=\"na\\\"me\"; filename=\"a\\\"b.csv\"", "na\"me|a\"b.csv"},
        {"form-data; name=\"semi;colon\"; filename=\"a;b = c.csv\"", "semi;colon|a;b = c.csv"},
        {"form-data; name=\"\"; filename=\"x\"", "|x"},
        /* UTF-8 as browsers send it; filename* and unknown parameters are ignored. */
        {"form-data; name=\"f\"; filename=\"\xC3\x96zlem \xE2\x80\x93 Kontakte.csv\"",
         "f|\xC3\x96zlem \xE2\x80\x93 Kontakte.csv"},
        {"form-data; name=\"f\"; filename*=UTF-8''%C3%96.csv", "f|-"},
        {"form-data; name=\"f\"; filename*=UTF-8''x.csv; filename=\"y.csv\"; size=12", "f|y.csv"},
        {"form-data ; name = \"f\" ;", "f|-"},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(cases); i++) {
        buf body = {0};
        buf_printf(&body, "--XyZ\r\nContent-Disposition: %s\r\n\r\nD\r\n--XyZ--", cases[i].disposition);
        char want[256];
        snprintf(want, sizeof want, "%s|-|D\n", cases[i].want);
        expect(CT, body.data, body.len, want);
        buf_free(&body);
    }
}

/* ---- Limits --------------------------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    /* 100 parts are fine, 101 are not. */
    for (int n = 100; n <= 101; n++) {
        buf body = {0};
        for (int i = 0; i < n; i++)
            buf_printf(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i, i);
        buf_adds(&body, "--XyZ--\r\n");
        arena *a = arena_new();
        multipart m;
        char err[MULTIPART_ERR_MAX] = "";
        int rc = multipart_parse(a, CT, body.data, body.len, &m, err, sizeof err);
        if (n == 100) {
            assert_int_equal(rc, 0);
            assert_int_equal(m.n, 100);
            assert_string_equal(m.parts[99].name, "f99");
            assert_int_equal(m.parts[99].len, 2);
            assert_memory_equal(m.parts[99].data, "99", 2);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(err, "the upload has more than 100 parts");
        }
        arena_free(a);
        buf_free(&body);
    }

    /* A header section of 8192 bytes (CRLFs included) is fine, one more is
     * not; long headers without an empty line are named as long. */
    for (int extra = 0; extra <= 1; extra++) {
        buf body = {0};
        buf_adds(&body, "--XyZ\r\n");
        size_t start = body.len;
        buf_adds(&body, "Content-Disposition: form-data; name=a\r\nX-Pad: ");
        size_t pad = 8192 - (body.len - start) - 2 + (size_t)extra;
        for (size_t i = 0; i < pad; i++)
            buf_addc(&body, 'p');
        buf_adds(&body, "\r\n");
        assert_int_equal(body.len - start, 8192 + extra);
        buf_adds(&body, "\r\ndata\r\n--XyZ--");
        expect(CT, body.data, body.len,
               extra ? "ERR: the headers of part 1 are longer than 8192 bytes" : "a|-|-|data\n");
        buf_free(&body);
    }
    buf body = {0};
    buf_adds(&body, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n");
    for (int i = 0; i < 20000; i++)
        buf_addc(&body, 'x');
    buf_adds(&body, "\r\n--XyZ--");
    expect(CT, body.data, body.len, "ERR: the headers of part 1 are longer than 8192 bytes");
    buf_free(&body);

    /* A large part, with the boundary's beginning all over it. */
    buf_adds(&body, "--XyZ\r\nContent-Disposition: form-data; name=big; filename=big.csv\r\n\r\n");
    size_t at = body.len;
    for (int i = 0; i < 100000; i++)
        buf_add(&body, "\r\n--Xy", 6);
    size_t n = body.len - at;
    buf_adds(&body, "\r\n--XyZ--\r\n");
    arena *a = arena_new();
    multipart m;
    char err[MULTIPART_ERR_MAX];
    assert_int_equal(multipart_parse(a, CT, body.data, body.len, &m, err, sizeof err), 0);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.parts[0].len, n);
    assert_ptr_equal(m.parts[0].data, body.data + at);
    arena_free(a);
    buf_free(&body);

    /* A small message buffer is cut, NUL-terminated; none at all is fine. */
    a = arena_new();
    char small[8];
    assert_int_equal(multipart_parse(a, CT, S("--XyZ\r\n"), &m, small, sizeof small), -1);
    assert_string_equal(small, "the upl");
    assert_int_equal(multipart_parse(a, CT, S("--XyZ\r\n"), &m, NULL, 0), -1);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_curl),
        cmocka_unit_test(test_chromium),
        cmocka_unit_test(test_preamble_epilogue),
        cmocka_unit_test(test_delimiter_rules),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_names_and_filenames),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
