/* Unit tests for valid: UTF-8 and the field validators. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "valid.h"

#define U(s) utf8_valid((s), sizeof(s) - 1)

static void test_utf8_good(void **state)
{
    (void)state;
    assert_true(U(""));
    assert_true(U("plain ASCII ~"));
    assert_true(U("\xC3\xA9"));                 /* é */
    assert_true(U("\xC2\x80"));                 /* U+0080, the first 2-byte */
    assert_true(U("\xDF\xBF"));                 /* U+07FF */
    assert_true(U("\xE0\xA0\x80"));             /* U+0800, the first 3-byte */
    assert_true(U("\xE2\x82\xAC"));             /* € */
    assert_true(U("\xED\x9F\xBF"));             /* U+D7FF, just below the surrogates */
    assert_true(U("\xEE\x80\x80"));             /* U+E000, just above them */
    assert_true(U("\xEF\xBF\xBF"));             /* U+FFFF */
    assert_true(U("\xF0\x90\x80\x80"));         /* U+10000 */
    assert_true(U("\xF0\x9F\x98\x80"));         /* an emoji */
    assert_true(U("\xF4\x8F\xBF\xBF"));         /* U+10FFFF, the last */
    assert_true(U("Luj\xC3\xA1n"));
    assert_true(utf8_valid("a\0b", 3)); /* NUL is valid UTF-8; valid_text refuses it */
}

static void test_utf8_overlong(void **state)
{
    (void)state;
    assert_false(U("\xC0\x80")); /* overlong NUL */
    assert_false(U("\xC0\xAF")); /* overlong '/' */
    assert_false(U("\xC1\xBF"));
    assert_false(U("\xE0\x80\x80"));
    assert_false(U("\xE0\x9F\xBF")); /* U+07FF in three bytes */
    assert_false(U("\xF0\x80\x80\x80"));
    assert_false(U("\xF0\x8F\xBF\xBF")); /* U+FFFF in four bytes */
}

static void test_utf8_surrogates_and_range(void **state)
{
    (void)state;
    assert_false(U("\xED\xA0\x80")); /* U+D800 */
    assert_false(U("\xED\xAD\xBF"));
    assert_false(U("\xED\xBF\xBF")); /* U+DFFF */
    assert_false(U("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair */
    assert_false(U("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(U("\xF5\x80\x80\x80"));
    assert_false(U("\xF7\xBF\xBF\xBF"));
    assert_false(U("\xF8\x88\x80\x80\x80")); /* old 5-byte form */
    assert_false(U("\xFE"));
    assert_false(U("\xFF"));
}

static void test_utf8_truncated_and_broken(void **state)
{
    (void)state;
    assert_false(U("\xC3"));
    assert_false(U("a\xC3"));
    assert_false(U("\xE2\x82"));
    assert_false(U("\xF0\x9F\x98"));
    assert_false(U("\x80"));         /* a lone continuation byte */
    assert_false(U("a\xBF" "b"));
    assert_false(U("\xC3\x28"));     /* second byte not a continuation */
    assert_false(U("\xE2\x28\xA1"));
    assert_false(U("\xE2\x82\x28"));
    assert_false(U("\xF0\x9F\x28\x80"));
    /* The length given is what counts, not a NUL. */
    assert_false(utf8_valid("\xC3\xA9", 1));
    assert_true(utf8_valid("\xC3\xA9xyz", 2));
}

static void test_utf8_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars("", 0), 0);
    assert_int_equal(utf8_chars("abc", 3), 3);
    assert_int_equal(utf8_chars("Luj\xC3\xA1n", 6), 5);
    assert_int_equal(utf8_chars("\xE2\x82\xAC\xF0\x9F\x98\x80", 7), 2);
}

static void test_valid_text(void **state)
{
    (void)state;
    const char *e5 = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"; /* five é, ten bytes */
    assert_int_equal(valid_text(e5, 10, 5, false), VALID_OK);
    assert_int_equal(valid_text(e5, 10, 4, false), VALID_TOO_LONG);
    assert_int_equal(valid_text("abcde", 5, 5, false), VALID_OK);
    assert_int_equal(valid_text("abcdef", 6, 5, false), VALID_TOO_LONG);
    assert_int_equal(valid_text("", 0, 0, false), VALID_OK);
    assert_int_equal(valid_text("a\tb", 3, 10, false), VALID_CONTROL);
    assert_int_equal(valid_text("a\tb", 3, 10, true), VALID_OK);
    assert_int_equal(valid_text("a\r\nb", 4, 10, false), VALID_CONTROL);
    assert_int_equal(valid_text("a\r\nb", 4, 10, true), VALID_OK);
    assert_int_equal(valid_text("a\0b", 3, 10, true), VALID_CONTROL);
    assert_int_equal(valid_text("a\x1b[0m", 6, 10, true), VALID_CONTROL);
    assert_int_equal(valid_text("del\x7f", 4, 10, true), VALID_CONTROL);
    assert_int_equal(valid_text("\xC3\x28", 2, 10, true), VALID_BAD_UTF8);
    /* Bad UTF-8 is reported before length. */
    assert_int_equal(valid_text("\xFFxxxxxx", 7, 2, false), VALID_BAD_UTF8);
}

#define S(s) (s), strlen(s)

static void test_valid_email(void **state)
{
    (void)state;
    assert_int_equal(valid_email(S("a@b.co")), VALID_OK);
    assert_int_equal(valid_email(S("first.last+tag@example.org")), VALID_OK);
    assert_int_equal(valid_email(S("\xC3\xBC@ex\xC3\xA4mple.de")), VALID_OK);
    static const char *const bad[] = {
        "",          "plain",        "@b.co",     "a@",       "a@b",     "a@@b.co", "a@b@c.co",
        "a b@c.co",  "a@b .co",      "a@.b.co",   "a@b.co.",  "a@b..co", "a,b@c.co", "<a@b.co>",
        "\"a\"@b.co",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(valid_email(S(bad[i])), VALID_FORMAT);
    assert_int_equal(valid_email(S("a@b.co\n")), VALID_CONTROL);
    char longer[300];
    memset(longer, 'a', sizeof longer);
    memcpy(longer + 240, "@example.org", 12); /* 252 characters: fits */
    assert_int_equal(valid_email(longer, 252), VALID_OK);
    memset(longer, 'a', sizeof longer);
    memcpy(longer + 243, "@example.org", 12); /* 255: one too many */
    assert_int_equal(valid_email(longer, 255), VALID_TOO_LONG);
}

static void test_valid_phone(void **state)
{
    (void)state;
    assert_int_equal(valid_phone(S("202-224-3441")), VALID_OK);
    assert_int_equal(valid_phone(S("+1 (202) 224-3441 ext. 5")), VALID_OK);
    assert_int_equal(valid_phone(S("0049 30/1234.56 x12")), VALID_OK);
    assert_int_equal(valid_phone(S("555 0100 #3")), VALID_OK);
    assert_int_equal(valid_phone(S("")), VALID_FORMAT);
    assert_int_equal(valid_phone(S("---")), VALID_FORMAT);
    assert_int_equal(valid_phone(S("call me")), VALID_FORMAT);
    assert_int_equal(valid_phone(S("555-CALL")), VALID_FORMAT);
    assert_int_equal(valid_phone(S("202\n224")), VALID_CONTROL);
    char digits[51];
    memset(digits, '5', sizeof digits);
    assert_int_equal(valid_phone(digits, 50), VALID_OK);
    assert_int_equal(valid_phone(digits, 51), VALID_TOO_LONG);
}

static void test_valid_date(void **state)
{
    (void)state;
    static const char *const good[] = {
        "2024-02-29", /* divisible by 4 */
        "2000-02-29", /* divisible by 400 */
        "1000-01-01", "9999-12-31", "2023-02-28", "2023-04-30", "1745-04-02",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(valid_date(S(good[i])), VALID_OK);
    static const char *const bad[] = {
        "2023-02-29", /* not a leap year */
        "1900-02-29", /* divisible by 100, not by 400 */
        "2100-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-01-32", "0999-12-31", "2024-1-01",  "2024/01/01", "2024-01-01T", "abcd-01-01",
        "2024-0a-01", "",           "-024-01-01", "20240101",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(valid_date(S(bad[i])), VALID_FORMAT);
}

static void test_valid_code(void **state)
{
    (void)state;
    assert_int_equal(valid_code(S("US-OH-05"), 40), VALID_OK);
    assert_int_equal(valid_code(S("a_b.c"), 40), VALID_OK);
    assert_int_equal(valid_code(S(""), 40), VALID_FORMAT);
    assert_int_equal(valid_code(S("US OH"), 40), VALID_FORMAT);
    assert_int_equal(valid_code(S("US-\xc3\x96H"), 40), VALID_FORMAT); /* Ö */
    assert_int_equal(valid_code(S("OH;--"), 40), VALID_FORMAT);
    assert_int_equal(valid_code(S("abcde"), 4), VALID_TOO_LONG);
    assert_int_equal(valid_code(S("abcd"), 4), VALID_OK);
}

static void test_url_lower_scheme(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"HTTPS://Example.ORG/Path", "https://Example.ORG/Path"},
        {"Http://x.org", "http://x.org"},
        {"https://x.org/HTTP://", "https://x.org/HTTP://"},
        {"FTP://x.org", "FTP://x.org"},
        {"HTTPS://", "HTTPS://"}, /* nothing after the scheme: not a URL, left alone */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char b[64];
        snprintf(b, sizeof b, "%s", cases[i][0]);
        url_lower_scheme(b, strlen(b));
        assert_string_equal(b, cases[i][1]);
    }
}

static void test_valid_url(void **state)
{
    (void)state;
    assert_int_equal(valid_url(S("https://example.org"), 500), VALID_OK);
    assert_int_equal(valid_url(S("http://a.b/c?d=e&f=%20#x"), 500), VALID_OK);
    assert_int_equal(valid_url(S("HTTPS://EXAMPLE.ORG/"), 500), VALID_OK);
    static const char *const bad[] = {
        "javascript:alert(1)", "ftp://example.org", "https://", "http://", "https:///etc/passwd",
        "https://.example.org", "https://exa mple.org", "https://a.org/<script>", "//example.org",
        "example.org", "https://a.org/\"x", "https://a.org\\x", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(valid_url(S(bad[i]), 500), VALID_FORMAT);
    assert_int_equal(valid_url(S("https://a.org/\x01"), 500), VALID_CONTROL);
    assert_int_equal(valid_url(S("https://example.org/long"), 20), VALID_TOO_LONG);
    assert_int_equal(valid_url(S("https://example.org"), 19), VALID_OK);
}

static void test_valid_username(void **state)
{
    (void)state;
#define UN(s) valid_username((s), sizeof(s) - 1, 100)
    assert_int_equal(UN("admin"), VALID_OK);
    assert_int_equal(UN("A"), VALID_OK);
    assert_int_equal(UN("9lives"), VALID_OK);
    assert_int_equal(UN("jane.doe-2_x+tag@example.org"), VALID_OK);
    assert_int_equal(UN(""), VALID_FORMAT);
    assert_int_equal(UN(".admin"), VALID_FORMAT);
    assert_int_equal(UN("-admin"), VALID_FORMAT);
    assert_int_equal(UN("@admin"), VALID_FORMAT);
    assert_int_equal(UN("jane doe"), VALID_FORMAT);
    assert_int_equal(UN("jane\tdoe"), VALID_FORMAT);
    assert_int_equal(UN("jane<b>"), VALID_FORMAT);
    assert_int_equal(UN("jan\xC3\xA9"), VALID_FORMAT); /* only ASCII */
    assert_int_equal(valid_username("ab\0c", 4, 100), VALID_FORMAT);
    assert_int_equal(valid_username("abcd", 4, 4), VALID_OK);
    assert_int_equal(valid_username("abcde", 5, 4), VALID_TOO_LONG);
#undef UN
}

static void test_valid_message(void **state)
{
    (void)state;
    assert_string_equal(valid_message(VALID_OK, 0), "");
    assert_string_equal(valid_message(VALID_TOO_LONG, 100), "is too long (at most 100 characters)");
    assert_string_equal(valid_message(VALID_BAD_UTF8, 0), "is not valid UTF-8 text");
    assert_string_equal(valid_message(VALID_CONTROL, 0), "contains control characters");
    assert_string_equal(valid_message(VALID_FORMAT, 0), "is not in the expected form");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_good),
        cmocka_unit_test(test_utf8_overlong),
        cmocka_unit_test(test_utf8_surrogates_and_range),
        cmocka_unit_test(test_utf8_truncated_and_broken),
        cmocka_unit_test(test_utf8_chars),
        cmocka_unit_test(test_valid_text),
        cmocka_unit_test(test_valid_email),
        cmocka_unit_test(test_valid_phone),
        cmocka_unit_test(test_valid_date),
        cmocka_unit_test(test_valid_url),
        cmocka_unit_test(test_valid_code),
        cmocka_unit_test(test_url_lower_scheme),
        cmocka_unit_test(test_valid_username),
        cmocka_unit_test(test_valid_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
