/* Unit tests for totp: the test vectors of RFC 6238 (Appendix B: TOTP with
 * SHA1, SHA256 and SHA512, 8 digits), RFC 4226 (Appendix D: HOTP) and
 * RFC 4648 (section 10: base32), the replay rule and the window, and the
 * typed forms of codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "totp.h"

/* RFC 6238 Appendix B: the seed of each hash is "1234567890" repeated to
 * the hash's length (20, 32 and 64 bytes). */
static const char SEED[] = "1234567890123456789012345678901234567890123456789012345678901234";

static const struct {
    int64_t t;
    const char *sha1, *sha256, *sha512;
} B[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

static void totp_code(enum crypto_hmac_alg alg, size_t klen, int64_t t, char out[9])
{
    long v = hotp(alg, (const unsigned char *)SEED, klen, totp_step(t, 30), 8);
    assert_true(v >= 0);
    totp_format(v, 8, out);
}

static void test_rfc6238_vectors(void **state)
{
    (void)state;
    char got[9];
    for (size_t i = 0; i < sizeof B / sizeof B[0]; i++) {
        totp_code(CRYPTO_SHA1, 20, B[i].t, got);
        assert_string_equal(got, B[i].sha1);
        totp_code(CRYPTO_SHA256, 32, B[i].t, got);
        assert_string_equal(got, B[i].sha256);
        totp_code(CRYPTO_SHA512, 64, B[i].t, got);
        assert_string_equal(got, B[i].sha512);
    }
    /* The steps of the appendix's table (T as 16 hex digits). */
    assert_int_equal(totp_step(59, 30), 1);
    assert_int_equal(totp_step(1111111109, 30), 0x23523EC);
    assert_int_equal(totp_step(20000000000, 30), 0x27BC86AA);
}

static void test_rfc4226_vectors(void **state)
{
    (void)state;
    static const char *const want[] = {"755224", "287082", "359152", "969429", "338314",
                                       "254676", "287922", "162583", "399871", "520489"};
    for (uint64_t c = 0; c < 10; c++) {
        char got[9];
        long v = hotp(CRYPTO_SHA1, (const unsigned char *)SEED, 20, c, 6);
        totp_format(v, 6, got);
        assert_string_equal(got, want[c]);
    }
    /* Appendix D's truncated values, before the modulus, end the same way. */
    assert_int_equal(hotp(CRYPTO_SHA1, (const unsigned char *)SEED, 20, 0, 8), 84755224);
    assert_int_equal(hotp(CRYPTO_SHA1, (const unsigned char *)SEED, 20, 9, 8), 45520489);
    /* Out-of-range digit counts are refused. */
    assert_int_equal(hotp(CRYPTO_SHA1, (const unsigned char *)SEED, 20, 0, 5), -1);
    assert_int_equal(hotp(CRYPTO_SHA1, (const unsigned char *)SEED, 20, 0, 9), -1);
}

static void test_verify_window_and_replay(void **state)
{
    (void)state;
    const unsigned char *k = (const unsigned char *)SEED;
    int64_t now = 1111111111; /* step 37037037 */
    int64_t step = (int64_t)totp_step(now, 30), m = 0;
    char code[9];
    for (int d = -2; d <= 2; d++) {
        totp_format(hotp(CRYPTO_SHA1, k, 20, (uint64_t)(step + d), 6), 6, code);
        int ok = totp_verify(CRYPTO_SHA1, k, 20, 6, 30, now, 1, -1, code, &m);
        assert_int_equal(ok, d >= -1 && d <= 1);
        if (ok)
            assert_int_equal(m, step + d);
    }
    /* The code of the current step, once it (or a later one) was used. */
    totp_format(hotp(CRYPTO_SHA1, k, 20, (uint64_t)step, 6), 6, code);
    assert_int_equal(totp_verify(CRYPTO_SHA1, k, 20, 6, 30, now, 1, step - 1, code, &m), 1);
    assert_int_equal(totp_verify(CRYPTO_SHA1, k, 20, 6, 30, now, 1, step, code, &m), 0);
    assert_int_equal(totp_verify(CRYPTO_SHA1, k, 20, 6, 30, now, 1, step + 1, code, &m), 0);
    /* A code of the wrong length, and a wrong code. */
    assert_int_equal(totp_verify(CRYPTO_SHA1, k, 20, 6, 30, now, 1, -1, "12345", &m), 0);
    code[0] = code[0] == '0' ? '1' : '0';
    assert_int_equal(totp_verify(CRYPTO_SHA1, k, 20, 6, 30, now, 1, -1, code, &m), 0);
    /* 8 digits and SHA-512, as in the appendix. */
    assert_int_equal(totp_verify(CRYPTO_SHA512, k, 64, 8, 30, 1234567890, 1, -1, "93441116", &m), 1);
    assert_int_equal(m, 41152263);
}

static void test_base32_rfc4648(void **state)
{
    (void)state;
    static const struct {
        const char *plain, *padded;
    } V[] = {
        {"", ""},           {"f", "MY======"},         {"fo", "MZXQ===="},          {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI======"},
    };
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        size_t n = strlen(V[i].plain);
        char enc[32];
        assert_int_equal(base32_encode((const unsigned char *)V[i].plain, n, true, enc), strlen(V[i].padded));
        assert_string_equal(enc, V[i].padded);
        assert_int_equal(base32_encoded_len(n, true), strlen(V[i].padded));
        /* Without padding: the same characters up to the first '='. */
        size_t bare = strcspn(V[i].padded, "=");
        assert_int_equal(base32_encode((const unsigned char *)V[i].plain, n, false, enc), bare);
        assert_int_equal(base32_encoded_len(n, false), bare);
        assert_memory_equal(enc, V[i].padded, bare);
        unsigned char dec[16];
        assert_int_equal(base32_decode(V[i].padded, strlen(V[i].padded), dec, sizeof dec), (int)n);
        assert_memory_equal(dec, V[i].plain, n);
        assert_int_equal(base32_decode(enc, bare, dec, sizeof dec), (int)n);
        assert_memory_equal(dec, V[i].plain, n);
    }
}

static void test_base32_typed_and_refused(void **state)
{
    (void)state;
    unsigned char d[32];
    /* Lower case, groups of four with spaces or hyphens. */
    assert_int_equal(base32_decode("mzxw 6ytb-oi", 12, d, sizeof d), 6);
    assert_memory_equal(d, "foobar", 6);
    /* The RFC 6238 SHA1 seed as apps show it. */
    assert_int_equal(base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 32, d, sizeof d), 20);
    assert_memory_equal(d, SEED, 20);
    static const char *const bad[] = {
        "M",          /* one character: no byte */
        "MZX",        /* three: no encoding ends so */
        "MZXW6Y",     /* six */
        "MZ=XW6===",  /* padding in the middle */
        "MY=====",    /* too little padding */
        "MZXW6YTB=",  /* padding after a full group */
        "MZ",         /* leftover bits not zero (MY is "f") */
        "MY0=====",   /* 0 is not base32 */
        "MY1",        /* nor 1 */
        "M\xc3\xa9",  /* nor UTF-8 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(base32_decode(bad[i], strlen(bad[i]), d, sizeof d), -1);
    /* Output that does not fit. */
    assert_int_equal(base32_decode("MZXW6YTB", 8, d, 4), -1);
}

static void test_parse_code(void **state)
{
    (void)state;
    char c[9];
    assert_int_equal(totp_parse_code("123456", 6, c), 6);
    assert_string_equal(c, "123456");
    assert_int_equal(totp_parse_code(" 123 456 ", 9, c), 6);
    assert_string_equal(c, "123456");
    assert_int_equal(totp_parse_code("1234 5678", 9, c), 8);
    assert_string_equal(c, "12345678");
    static const char *const bad[] = {"", "12345", "1234567", "123456789", "12345a", "123-456", "１２３４５６"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(totp_parse_code(bad[i], strlen(bad[i]), c), -1);
}

static void test_recovery_codes(void **state)
{
    (void)state;
    /* "foobar" and the rest of RFC 4648's alphabet test, 15 bytes. */
    const unsigned char raw[TOTP_RECOVERY_BYTES] = {'f', 'o', 'o', 'b', 'a', 'r', 'f', 'o', 'o', 'b', 'a', 'r',
                                                    'f', 'o', 'o'};
    char shown[TOTP_RECOVERY_SHOWN], canon[TOTP_RECOVERY_CHARS + 1];
    totp_recovery_format(raw, shown);
    assert_string_equal(shown, "MZXW6Y-TBOJTG-633CMF-ZGM33P");
    assert_int_equal(totp_parse_recovery(shown, strlen(shown), canon), 0);
    assert_string_equal(canon, "MZXW6YTBOJTG633CMFZGM33P");
    static const char typed[] = " mzxw 6ytb ojtg-633c mfzg m33p ";
    assert_int_equal(totp_parse_recovery(typed, strlen(typed), canon), 0);
    assert_string_equal(canon, "MZXW6YTBOJTG633CMFZGM33P");
    /* Its characters are the base32 of the bytes. */
    unsigned char back[TOTP_RECOVERY_BYTES];
    assert_int_equal(base32_decode(canon, TOTP_RECOVERY_CHARS, back, sizeof back), TOTP_RECOVERY_BYTES);
    assert_memory_equal(back, raw, sizeof raw);
    static const char *const bad[] = {"", "MZXW6Y-TBOJTG-6323MF-ZGM33", "MZXW6Y-TBOJTG-633CMF-ZGM33PA",
                                      "MZXW6Y-TBOJTG-633CMF-ZGM330", "123456"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(totp_parse_recovery(bad[i], strlen(bad[i]), canon), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),        cmocka_unit_test(test_rfc4226_vectors),
        cmocka_unit_test(test_verify_window_and_replay), cmocka_unit_test(test_base32_rfc4648),
        cmocka_unit_test(test_base32_typed_and_refused), cmocka_unit_test(test_parse_code),
        cmocka_unit_test(test_recovery_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
