/* Unit tests for http_parse: urlencoded text, cookies, Content-Length. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http_parse.h"

static int parse(arena *a, const char *s, params *p)
{
    memset(p, 0, sizeof *p);
    return http_parse_urlencoded(a, s, strlen(s), p);
}

static void test_urlencoded_basic(void **state)
{
    (void)state;
    arena *a = arena_new();
    params p;
    assert_int_equal(parse(a, "a=1&b=x+y&c=%41%42&d=%c3%a9&a%20b=%2B", &p), HP_OK);
    assert_int_equal(p.n, 5);
    assert_string_equal(params_get(&p, "a"), "1");
    assert_string_equal(params_get(&p, "b"), "x y");
    assert_string_equal(params_get(&p, "c"), "AB");
    size_t n;
    assert_string_equal(params_getn(&p, "d", &n), "\xC3\xA9");
    assert_int_equal(n, 2);
    assert_string_equal(params_get(&p, "a b"), "+");
    assert_null(params_get(&p, "missing"));
    assert_null(params_getn(&p, "missing", &n));
    assert_int_equal(n, 0);
    arena_free(a);
}

static void test_urlencoded_empty_and_odd_pairs(void **state)
{
    (void)state;
    arena *a = arena_new();
    params p;
    assert_int_equal(parse(a, "", &p), HP_OK);
    assert_int_equal(p.n, 0);
    assert_int_equal(parse(a, "&&a=1&&", &p), HP_OK);
    assert_int_equal(p.n, 1);
    assert_string_equal(params_get(&p, "a"), "1");
    /* A name without '=' has the empty value. */
    assert_int_equal(parse(a, "flag&b=2&c=", &p), HP_OK);
    assert_int_equal(p.n, 3);
    size_t n = 99;
    assert_string_equal(params_getn(&p, "flag", &n), "");
    assert_int_equal(n, 0);
    assert_string_equal(params_get(&p, "c"), "");
    /* Only the first '=' splits. */
    assert_int_equal(parse(a, "k=a=b", &p), HP_OK);
    assert_string_equal(params_get(&p, "k"), "a=b");
    /* The first of repeated names wins. */
    assert_int_equal(parse(a, "x=1&x=2", &p), HP_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(params_get(&p, "x"), "1");
    arena_free(a);
}

static void test_urlencoded_nul_byte(void **state)
{
    (void)state;
    arena *a = arena_new();
    params p;
    /* A NUL would cut the C string short: refused in values and in names,
     * escaped or raw. */
    assert_int_equal(parse(a, "v=x%00y", &p), HP_NUL);
    assert_int_equal(parse(a, "page%00x=2", &p), HP_NUL);
    assert_int_equal(http_parse_urlencoded(a, "a=1&v=x\0y", 10, &(params){0}), HP_NUL);
    assert_int_equal(parse(a, "v=x%01y", &p), HP_OK);
    assert_string_equal(params_get(&p, "v"), "x\001y");
    arena_free(a);
}

static void test_media_type(void **state)
{
    (void)state;
    const char *form = "application/x-www-form-urlencoded";
    static const char *const ok[] = {
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-URLencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "application/x-www-form-urlencoded;charset=utf-8",
        "application/x-www-form-urlencoded ; charset=\"utf-8\"",
        "  application/x-www-form-urlencoded  ",
        "application/x-www-form-urlencoded; charset=us-ascii; foo=bar",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(http_media_type_is(ok[i], form), HP_MEDIA_OK);
    static const char *const other[] = {
        "", "application/x-www-form-urlencodedx", "application/x-www-form-urlencoded-evil",
        "multipart/form-data; boundary=x", "text/plain", "application/x-www-form-urlencoded junk",
        "application/x-www-form-urlencoded; =x", "application/x-www-form-urlencoded; charset",
        "application/x-www-form-urlencoded; charset=\"utf-8",
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        assert_int_equal(http_media_type_is(other[i], form), HP_MEDIA_OTHER);
    assert_int_equal(http_media_type_is(NULL, form), HP_MEDIA_OTHER);
    assert_int_equal(http_media_type_is("application/x-www-form-urlencoded; charset=iso-8859-1", form),
                     HP_MEDIA_CHARSET);
    assert_int_equal(http_media_type_is("application/x-www-form-urlencoded; charset=utf-16", form),
                     HP_MEDIA_CHARSET);
}

static void test_urlencoded_bad_escapes(void **state)
{
    (void)state;
    arena *a = arena_new();
    params p;
    assert_int_equal(parse(a, "a=%4", &p), HP_BAD_ENCODING);
    assert_int_equal(parse(a, "a=%", &p), HP_BAD_ENCODING);
    assert_int_equal(parse(a, "a=%zz", &p), HP_BAD_ENCODING);
    assert_int_equal(parse(a, "a=%4g", &p), HP_BAD_ENCODING);
    assert_int_equal(parse(a, "%4=1", &p), HP_BAD_ENCODING);
    assert_int_equal(parse(a, "a=%4&b=1", &p), HP_BAD_ENCODING); /* no borrowing from the next pair */
    assert_int_equal(parse(a, "a=%C3%28", &p), HP_BAD_UTF8);
    assert_int_equal(parse(a, "a=%C3", &p), HP_BAD_UTF8);
    assert_int_equal(parse(a, "a=%ED%A0%80", &p), HP_BAD_UTF8); /* a surrogate */
    assert_int_equal(parse(a, "%FF=1", &p), HP_BAD_UTF8);
    assert_int_equal(parse(a, "a=\xC3\x28", &p), HP_BAD_UTF8); /* raw bytes too */
    arena_free(a);
}

static void test_urlencoded_too_many(void **state)
{
    (void)state;
    arena *a = arena_new();
    buf b = {0};
    for (int i = 0; i < HTTP_MAX_PARAMS; i++)
        buf_printf(&b, "%sp%d=%d", i ? "&" : "", i, i);
    params p;
    assert_int_equal(parse(a, buf_str(&b), &p), HP_OK);
    assert_int_equal(p.n, HTTP_MAX_PARAMS);
    assert_string_equal(params_get(&p, "p255"), "255");
    buf_adds(&b, "&one=more");
    assert_int_equal(parse(a, buf_str(&b), &p), HP_TOO_MANY);
    /* Empty pairs do not count. */
    buf_reset(&b);
    for (int i = 0; i < 1000; i++)
        buf_addc(&b, '&');
    buf_adds(&b, "x=1");
    assert_int_equal(parse(a, buf_str(&b), &p), HP_OK);
    assert_int_equal(p.n, 1);
    buf_free(&b);
    arena_free(a);
}

/* A form body may hold more pairs than a query string (params.max). */
static void test_urlencoded_form_limit(void **state)
{
    (void)state;
    arena *a = arena_new();
    buf b = {0};
    for (int i = 0; i < HTTP_MAX_FORM_PARAMS; i++)
        buf_printf(&b, "%sregion=R%d", i ? "&" : "", i);
    params p;
    assert_int_equal(parse(a, buf_str(&b), &p), HP_TOO_MANY);
    memset(&p, 0, sizeof p);
    p.max = HTTP_MAX_FORM_PARAMS;
    assert_int_equal(http_parse_urlencoded(a, buf_str(&b), b.len, &p), HP_OK);
    assert_int_equal(p.n, HTTP_MAX_FORM_PARAMS);
    assert_string_equal(p.v[HTTP_MAX_FORM_PARAMS - 1].value, "R2047");
    buf_adds(&b, "&one=more");
    memset(&p, 0, sizeof p);
    p.max = HTTP_MAX_FORM_PARAMS;
    assert_int_equal(http_parse_urlencoded(a, buf_str(&b), b.len, &p), HP_TOO_MANY);
    buf_free(&b);
    arena_free(a);
}

static void test_cookies(void **state)
{
    (void)state;
    arena *a = arena_new();
    params p = {0};
    const char *h = "  sid=abc ;\tt=\"q v\"  ; bad; =x; e=;last=1";
    assert_int_equal(http_parse_cookies(a, h, strlen(h), &p), HP_OK);
    assert_int_equal(p.n, 4);
    assert_string_equal(params_get(&p, "sid"), "abc");
    assert_string_equal(params_get(&p, "t"), "q v");
    assert_string_equal(params_get(&p, "e"), "");
    assert_string_equal(params_get(&p, "last"), "1");
    assert_null(params_get(&p, "bad"));
    assert_null(params_get(&p, ""));

    /* Quotes are removed only when they enclose the value. */
    memset(&p, 0, sizeof p);
    h = "a=\"; b=\"x; c=x\"; d=\"\"";
    assert_int_equal(http_parse_cookies(a, h, strlen(h), &p), HP_OK);
    assert_string_equal(params_get(&p, "a"), "\"");
    assert_string_equal(params_get(&p, "b"), "\"x");
    assert_string_equal(params_get(&p, "c"), "x\"");
    assert_string_equal(params_get(&p, "d"), "");
    /* Cookie values are not %-decoded. */
    memset(&p, 0, sizeof p);
    h = "k=%41+b";
    assert_int_equal(http_parse_cookies(a, h, strlen(h), &p), HP_OK);
    assert_string_equal(params_get(&p, "k"), "%41+b");
    memset(&p, 0, sizeof p);
    assert_int_equal(http_parse_cookies(a, "", 0, &p), HP_OK);
    assert_int_equal(p.n, 0);
    arena_free(a);
}

static void test_content_length(void **state)
{
    (void)state;
    size_t v = 77;
    assert_int_equal(http_parse_content_length(NULL, 100, &v), 0);
    assert_int_equal(v, 0);
    v = 77;
    assert_int_equal(http_parse_content_length("", 100, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(http_parse_content_length("12", 100, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(http_parse_content_length("0", 100, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(http_parse_content_length("0012", 100, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(http_parse_content_length("100", 100, &v), 0);
    assert_int_equal(v, 100);

    v = 77;
    static const char *const bad[] = {"12a", "-1", "+1", " 12", "12 ", "1e3", "0x10", "1.0", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(http_parse_content_length(bad[i], 100, &v), -1);
    assert_int_equal(v, 77);

    assert_int_equal(http_parse_content_length("101", 100, &v), -2);
    assert_int_equal(http_parse_content_length("1048577", 1048576, &v), -2);
    assert_int_equal(http_parse_content_length("1048576", 1048576, &v), 0);
    assert_int_equal(v, 1048576);
    /* Far beyond any size_t: over the cap, never a wrapped small number. */
    assert_int_equal(http_parse_content_length("99999999999999999999999999999", 1 << 20, &v), -2);
    assert_int_equal(http_parse_content_length("18446744073709551616", SIZE_MAX, &v), -2);
    assert_int_equal(http_parse_content_length("184467440737095516150", SIZE_MAX, &v), -2);
    assert_int_equal(http_parse_content_length("18446744073709551615", SIZE_MAX, &v), 0);
    assert_true(v == SIZE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urlencoded_basic),
        cmocka_unit_test(test_urlencoded_empty_and_odd_pairs),
        cmocka_unit_test(test_urlencoded_nul_byte),
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_urlencoded_bad_escapes),
        cmocka_unit_test(test_urlencoded_too_many),
        cmocka_unit_test(test_urlencoded_form_limit),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_content_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
