/* Unit tests for util: the buffer, the arena, integer parsing, encoders. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void test_buf_grows_byte_by_byte(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(buf_str(&b), "");
    for (int i = 0; i < 10000; i++)
        buf_addc(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(b.data[0], 'a');
    assert_int_equal(b.data[25], 'z');
    assert_int_equal(b.data[9999], 'a' + 9999 % 26);
    assert_int_equal(strlen(buf_str(&b)), 10000);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_buf_add_and_reset(void **state)
{
    (void)state;
    buf b = {0};
    buf_add(&b, "ab\0cd", 5);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "ab\0cd", 6);
    buf_adds(&b, "ef");
    assert_int_equal(b.len, 7);
    buf_add(&b, NULL, 0);
    assert_int_equal(b.len, 7);
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_string_equal(buf_str(&b), "");
    buf_adds(&b, "again");
    assert_string_equal(buf_str(&b), "again");
    buf_free(&b);
    /* A freed buffer is usable again. */
    buf_adds(&b, "x");
    assert_string_equal(buf_str(&b), "x");
    buf_free(&b);
}

static void test_buf_printf(void **state)
{
    (void)state;
    buf b = {0};
    buf_printf(&b, "%d-%s-%zu", -42, "x", (size_t)7);
    assert_string_equal(buf_str(&b), "-42-x-7");
    /* Longer than the first guess, so the second vsnprintf path runs. */
    char big[1001];
    memset(big, 'q', 1000);
    big[1000] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 7 + 1002);
    assert_int_equal(b.data[7], '[');
    assert_int_equal(b.data[8 + 999], 'q');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    buf_printf(&b, "%s", "");
    assert_int_equal(b.len, 7 + 1002);
    buf_free(&b);
}

static void test_arena(void **state)
{
    (void)state;
    arena *a = arena_new();
    unsigned char *p = arena_alloc(a, 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(p[i], 0);
    memset(p, 0xAA, 100);
    void *q = arena_alloc(a, 3);
    assert_int_equal((uintptr_t)q % alignof(max_align_t), 0);
    assert_true((unsigned char *)q >= p + 100 || (unsigned char *)q + 3 <= p);
    /* Bigger than a block: gets its own, zeroed. */
    unsigned char *big = arena_alloc(a, 100000);
    assert_int_equal(big[0], 0);
    assert_int_equal(big[99999], 0);
    /* Many small allocations spill over into new blocks. */
    char *first = NULL;
    for (int i = 0; i < 2000; i++) {
        char want[16];
        snprintf(want, sizeof want, "n=%d", i);
        char *s = arena_printf(a, "n=%d", i);
        assert_string_equal(s, want);
        if (!first)
            first = s;
    }
    assert_string_equal(first, "n=0");
    char *s = arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_string_equal(arena_strdup(a, ""), "");
    assert_string_equal(arena_printf(a, "%s/%d", "x", 3), "x/3");
    assert_int_equal(p[50], 0xAA); /* earlier allocations untouched */
    arena_free(a);
    arena_free(NULL);
}

static int p64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    return parse_i64(s, strlen(s), min, max, out);
}

static void test_parse_i64(void **state)
{
    (void)state;
    int64_t v = 99;
    assert_int_equal(p64("0", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == 0);
    assert_int_equal(p64("-0", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == 0);
    assert_int_equal(p64("00012", 0, 100, &v), 0);
    assert_true(v == 12);
    assert_int_equal(p64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(p64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(parse_i64("123", 2, 0, 100, &v), 0);
    assert_true(v == 12);

    v = 77;
    static const char *const bad[] = {
        "", "-", "+1", " 1", "1 ", "12a", "0x10", "1.5", "--1", "1-",
        "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "99999999999999999999", "123456789012345678901234",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(p64(bad[i], INT64_MIN, INT64_MAX, &v), -1);
        assert_true(v == 77); /* untouched on failure */
    }
    assert_int_equal(parse_i64(NULL, 0, 0, 1, &v), -1);
    assert_int_equal(parse_i64("1\0", 2, 0, 10, &v), -1);
    /* Range checks. */
    assert_int_equal(p64("10", 0, 9, &v), -1);
    assert_int_equal(p64("9", 0, 9, &v), 0);
    assert_int_equal(p64("-1", 0, 9, &v), -1);
    assert_int_equal(p64("-1", -1, 99, &v), 0);
    assert_true(v == -1);
    assert_int_equal(p64("-2", -1, 99, &v), -1);
}

static void test_hex(void **state)
{
    (void)state;
    const unsigned char in[] = {0x00, 0xff, 0x10, 0xab, 0x7e};
    char out[11];
    hex_encode(in, sizeof in, out);
    assert_string_equal(out, "00ff10ab7e");
    hex_encode(in, 0, out);
    assert_string_equal(out, "");
}

static void test_base64_vectors(void **state)
{
    (void)state;
    /* RFC 4648 section 10. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        unsigned char back[16];
        size_t n = strlen(plain[i]);
        b64_encode((const unsigned char *)plain[i], n, out);
        assert_string_equal(out, std[i]);
        b64url_encode((const unsigned char *)plain[i], n, out);
        assert_string_equal(out, url[i]);
        assert_int_equal(b64_decode(std[i], strlen(std[i]), back, sizeof back), (int)n);
        assert_memory_equal(back, plain[i], n);
    }
    /* The two alphabets differ in exactly the last two digits. */
    const unsigned char hi[] = {0xfb, 0xff, 0xbf};
    char out[8];
    b64_encode(hi, 3, out);
    assert_string_equal(out, "+/+/");
    b64url_encode(hi, 3, out);
    assert_string_equal(out, "-_-_");
}

static void test_base64_round_trip(void **state)
{
    (void)state;
    unsigned char in[300], back[300];
    char enc[401];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 7 + 3);
    for (size_t n = 0; n <= sizeof in; n++) {
        b64_encode(in, n, enc);
        assert_int_equal(strlen(enc), 4 * ((n + 2) / 3));
        assert_int_equal(b64_decode(enc, strlen(enc), back, sizeof back), (int)n);
        assert_memory_equal(back, in, n);
        b64url_encode(in, n, enc);
        assert_int_equal(strlen(enc), (4 * n + 2) / 3);
        assert_null(strchr(enc, '='));
        assert_null(strchr(enc, '+'));
        assert_null(strchr(enc, '/'));
    }
}

static void test_base64_decode_errors(void **state)
{
    (void)state;
    unsigned char out[16];
    static const char *const bad[] = {
        "Zg=",      /* not a multiple of 4 */
        "Z",        /* likewise */
        "Zg=a",     /* data after padding */
        "Z===",     /* too much padding */
        "====",     /* only padding */
        "Zg==Zm9v", /* padding in the middle */
        "Zm9*",     /* not in the alphabet */
        "-_8=",     /* the url alphabet is not accepted here */
        "Zm 9",     /* no spaces */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(b64_decode(bad[i], strlen(bad[i]), out, sizeof out), -1);
    assert_int_equal(b64_decode("Zm\0v", 4, out, sizeof out), -1);
    /* The output capacity is respected. */
    assert_int_equal(b64_decode("Zm9v", 4, out, 2), -1);
    assert_int_equal(b64_decode("Zm9v", 4, out, 3), 3);
    assert_int_equal(b64_decode("", 0, out, 0), 0);
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t a = now_mono_us(), b = now_mono_us();
    assert_true(b >= a);
    assert_true(now_wall_us() > INT64_C(1600000000) * 1000000); /* after 2020 */
}

/* The ids read back are those added, in order, whatever their sizes and
 * signs of difference; ascending ids cost a byte each. */
static void test_idlist(void **state)
{
    (void)state;
    idlist l = {0};
    static const long long ids[] = {1, 2, 3, 1000000, 999999, 0, 9223372036854775807LL, 5, -3, 42};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        idlist_add(&l, ids[i]);
    assert_int_equal(l.n, sizeof ids / sizeof *ids);
    size_t pos = 0, k = 0;
    long long prev = 0, id;
    while (idlist_next(&l, &pos, &prev, &id))
        assert_true(k < sizeof ids / sizeof *ids && id == ids[k++]);
    assert_int_equal(k, sizeof ids / sizeof *ids);
    idlist_clear(&l);
    assert_int_equal(l.n, 0);
    for (long long i = 100; i < 100100; i++)
        idlist_add(&l, i);
    assert_true(l.b.len <= 100000 + 2);
    pos = 0, prev = 0, k = 0;
    while (idlist_next(&l, &pos, &prev, &id))
        assert_int_equal(id, 100 + (long long)k++);
    assert_int_equal(k, 100000);
    idlist_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows_byte_by_byte),
        cmocka_unit_test(test_buf_add_and_reset),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_base64_round_trip),
        cmocka_unit_test(test_base64_decode_errors),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_idlist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
