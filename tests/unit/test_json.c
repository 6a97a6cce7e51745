/* Unit tests for json: string escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "json.h"

static const char *enc(buf *b, const char *s, size_t n)
{
    buf_reset(b);
    json_add_string(b, s, n);
    return buf_str(b);
}

#define ENC(b, lit) enc((b), (lit), sizeof(lit) - 1)

static void test_plain_and_null(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(ENC(&b, ""), "\"\"");
    assert_string_equal(ENC(&b, "plain text"), "\"plain text\"");
    buf_reset(&b);
    json_add_cstr(&b, NULL);
    assert_string_equal(buf_str(&b), "null");
    buf_reset(&b);
    json_add_string(&b, NULL, 5);
    assert_string_equal(buf_str(&b), "null");
    buf_reset(&b);
    json_add_cstr(&b, "a");
    json_add_cstr(&b, "b");
    assert_string_equal(buf_str(&b), "\"a\"\"b\"");
    buf_free(&b);
}

static void test_escapes(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(ENC(&b, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_string_equal(ENC(&b, "\n\r\t"), "\"\\n\\r\\t\"");
    assert_string_equal(ENC(&b, "\x01\x08\x0c\x1f"), "\"\\u0001\\u0008\\u000c\\u001f\"");
    assert_string_equal(ENC(&b, "del\x7f"), "\"del\\u007f\"");
    assert_string_equal(ENC(&b, "a\0b"), "\"a\\u0000b\"");
    /* '/' needs no escape; "</script>" safety is the template's business. */
    assert_string_equal(ENC(&b, "</x>"), "\"</x>\"");
    buf_free(&b);
}

static void test_unicode(void **state)
{
    (void)state;
    buf b = {0};
    /* Non-ASCII passes through as UTF-8. */
    assert_string_equal(ENC(&b, "Luj\xC3\xA1n \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"Luj\xC3\xA1n \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    /* U+2028 and U+2029 end a line in JavaScript: always escaped. */
    assert_string_equal(ENC(&b, "a\xE2\x80\xA8" "b"), "\"a\\u2028b\"");
    assert_string_equal(ENC(&b, "\xE2\x80\xA9"), "\"\\u2029\"");
    assert_string_equal(ENC(&b, "\xE2\x80\xA8\xE2\x80\xA9"), "\"\\u2028\\u2029\"");
    /* Neighbours of those two are left alone. */
    assert_string_equal(ENC(&b, "\xE2\x80\xA7\xE2\x80\xAA"), "\"\xE2\x80\xA7\xE2\x80\xAA\"");
    /* A cut-off sequence at the end is copied, not read past. */
    assert_string_equal(enc(&b, "x\xE2\x80\xA8", 3), "\"x\xE2\x80\"");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_null),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_unicode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
