/* Unit tests for crypto: password hashing, SHA-256, randomness, comparison.
 * A low iteration count keeps them fast; the format is the same. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "crypto.h"
#include "util.h"

#define ITER 1000
#define PW "correct horse battery"

/* Made with an independent PBKDF2-HMAC-SHA256 (salt 00 01 .. 0f). */
static const char KNOWN[] = "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=";

static void test_hash_verify_round_trip(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(crypto_password_hash(PW, strlen(PW), ITER, h), 0);
    assert_memory_equal(h, "pbkdf2-sha256$1000$", 19);
    assert_int_equal(crypto_password_iterations(h), ITER);
    assert_int_equal(crypto_password_verify(PW, strlen(PW), h, ITER), 1);
    assert_int_equal(crypto_password_verify("correct horse batterY", strlen(PW), h, ITER), 0);
    assert_int_equal(crypto_password_verify(PW, strlen(PW) - 1, h, ITER), 0);
    assert_int_equal(crypto_password_verify("", 0, h, ITER), 0);

    /* A fresh salt each time: same password, different strings. */
    char h2[PASSWORD_HASH_MAX];
    assert_int_equal(crypto_password_hash(PW, strlen(PW), ITER, h2), 0);
    assert_string_not_equal(h, h2);
    assert_int_equal(crypto_password_verify(PW, strlen(PW), h2, ITER), 1);

    /* Empty and binary passwords are hashed like any other. */
    assert_int_equal(crypto_password_hash("", 0, ITER, h), 0);
    assert_int_equal(crypto_password_verify("", 0, h, ITER), 1);
    assert_int_equal(crypto_password_hash("a\0b", 3, ITER, h), 0);
    assert_int_equal(crypto_password_verify("a\0b", 3, h, ITER), 1);
    assert_int_equal(crypto_password_verify("a\0c", 3, h, ITER), 0);
}

static void test_known_answer(void **state)
{
    (void)state;
    assert_int_equal(crypto_password_verify(PW, strlen(PW), KNOWN, 1), 1);
    assert_int_equal(crypto_password_verify("wrong", 5, KNOWN, 1), 0);
    assert_int_equal(crypto_password_iterations(KNOWN), 1000);
}

static void test_iterations_read_back(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(crypto_password_hash("x", 1, 1, h), 0);
    assert_int_equal(crypto_password_iterations(h), 1);
    assert_int_equal(crypto_password_hash("x", 1, 4321, h), 0);
    assert_int_equal(crypto_password_iterations(h), 4321);
    assert_int_equal(crypto_password_hash("x", 1, 0, h), -1);
    assert_int_equal(crypto_password_hash("x", 1, -5, h), -1);
}

static void test_malformed_stored(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "pbkdf2-sha256$",
        "pbkdf2-sha256$1000",
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==",
        "pbkdf2-sha1$1000$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",
        "pbkdf2-sha256$abc$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",
        "pbkdf2-sha256$0$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",
        "pbkdf2-sha256$-1000$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",
        "pbkdf2-sha256$999999999999$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",
        "pbkdf2-sha256$1000$AAEC$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",       /* salt too short */
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKv",   /* key too short */
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=x",
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw*=$AhaeZ02AwPxykuhhDI8XvhQN8GKvmqM+qF6qvs/98I0=",
        "$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(crypto_password_verify(PW, strlen(PW), bad[i], ITER), -1);
        assert_int_equal(crypto_password_iterations(bad[i]), -1);
    }
    assert_int_equal(crypto_password_iterations(NULL), -1);
}

static void test_missing_user_costs_the_same(void **state)
{
    (void)state;
    /* No stored hash: the KDF still runs, and the answer is "no". */
    assert_int_equal(crypto_password_verify(PW, strlen(PW), NULL, ITER), 0);
}

static void test_long_password_refused(void **state)
{
    (void)state;
    static char pw[PASSWORD_MAX_BYTES + 1];
    memset(pw, 'p', sizeof pw);
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(crypto_password_hash(pw, PASSWORD_MAX_BYTES + 1, ITER, h), -1);
    assert_int_equal(crypto_password_hash(pw, PASSWORD_MAX_BYTES, ITER, h), 0);
    assert_int_equal(crypto_password_verify(pw, PASSWORD_MAX_BYTES, h, ITER), 1);
    assert_true(strlen(h) < PASSWORD_HASH_MAX);
}

static void test_sha256(void **state)
{
    (void)state;
    unsigned char d[32];
    char hex[65];
    crypto_sha256("abc", 3, d);
    hex_encode(d, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256("", 0, d);
    hex_encode(d, 32, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_random_and_equal(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    assert_int_equal(crypto_random(a, sizeof a), 0);
    assert_int_equal(crypto_random(b, sizeof b), 0);
    assert_false(crypto_equal(a, b, sizeof a));
    memcpy(b, a, sizeof a);
    assert_true(crypto_equal(a, b, sizeof a));
    b[31] ^= 1;
    assert_false(crypto_equal(a, b, sizeof a));
    assert_true(crypto_equal(a, b, 31));
    b[0] ^= 0x80;
    assert_false(crypto_equal(a, b, 31));
    assert_true(crypto_equal("x", "y", 0));
}

/* RFC 4231 test case 2 (HMAC-SHA-256 and -512) and RFC 2202 test case 2
 * (HMAC-SHA-1): key "Jefe". */
static void test_hmac_known_answers(void **state)
{
    (void)state;
    static const char msg[] = "what do ya want for nothing?";
    unsigned char mac[CRYPTO_HMAC_MAX];
    char hex[2 * CRYPTO_HMAC_MAX + 1];
    assert_int_equal(crypto_hmac(CRYPTO_SHA1, "Jefe", 4, msg, strlen(msg), mac), 20);
    hex_encode(mac, 20, hex);
    assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    assert_int_equal(crypto_hmac(CRYPTO_SHA256, "Jefe", 4, msg, strlen(msg), mac), 32);
    hex_encode(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_int_equal(crypto_hmac(CRYPTO_SHA512, "Jefe", 4, msg, strlen(msg), mac), 64);
    hex_encode(mac, 64, hex);
    assert_string_equal(hex, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a"
                             "6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

static void test_seal_open(void **state)
{
    (void)state;
    unsigned char key[CRYPTO_SEAL_KEY], other[CRYPTO_SEAL_KEY];
    memset(key, 7, sizeof key);
    memset(other, 8, sizeof other);
    static const char secret[] = "twenty bytes secret!";
    unsigned char a[64], b[64], out[64];
    int n = crypto_seal(key, "u:1", 3, secret, 20, a, sizeof a);
    assert_int_equal(n, 20 + CRYPTO_SEAL_OVERHEAD);
    assert_int_equal(a[0], 1);
    assert_int_equal(crypto_open(key, "u:1", 3, a, (size_t)n, out, sizeof out), 20);
    assert_memory_equal(out, secret, 20);
    /* A fresh nonce each time: the same secret seals differently. */
    assert_int_equal(crypto_seal(key, "u:1", 3, secret, 20, b, sizeof b), n);
    assert_memory_not_equal(a, b, (size_t)n);
    /* Another key, another aad, any changed byte, a cut value, another version. */
    assert_int_equal(crypto_open(other, "u:1", 3, a, (size_t)n, out, sizeof out), -1);
    assert_int_equal(crypto_open(key, "u:2", 3, a, (size_t)n, out, sizeof out), -1);
    for (int i = 1; i < n; i++) {
        memcpy(b, a, (size_t)n);
        b[i] ^= 1;
        assert_int_equal(crypto_open(key, "u:1", 3, b, (size_t)n, out, sizeof out), -1);
    }
    assert_int_equal(crypto_open(key, "u:1", 3, a, (size_t)n - 1, out, sizeof out), -1);
    assert_int_equal(crypto_open(key, "u:1", 3, a, CRYPTO_SEAL_OVERHEAD - 1, out, sizeof out), -1);
    memcpy(b, a, (size_t)n);
    b[0] = 2;
    assert_int_equal(crypto_open(key, "u:1", 3, b, (size_t)n, out, sizeof out), -1);
    /* Room: the output must fit. */
    assert_int_equal(crypto_seal(key, "", 0, secret, 20, b, 20 + CRYPTO_SEAL_OVERHEAD - 1), -1);
    assert_int_equal(crypto_open(key, "u:1", 3, a, (size_t)n, out, 19), -1);
    /* Empty plain text and empty aad work too. */
    n = crypto_seal(key, "", 0, "", 0, a, sizeof a);
    assert_int_equal(n, CRYPTO_SEAL_OVERHEAD);
    assert_int_equal(crypto_open(key, "", 0, a, (size_t)n, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_verify_round_trip),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_iterations_read_back),
        cmocka_unit_test(test_malformed_stored),
        cmocka_unit_test(test_missing_user_costs_the_same),
        cmocka_unit_test(test_long_password_refused),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_random_and_equal),
        cmocka_unit_test(test_hmac_known_answers),
        cmocka_unit_test(test_seal_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
