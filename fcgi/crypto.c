/* crypto: OpenSSL behind a small API. */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define SALT_LEN 16
#define KEY_LEN 32

static int derive(const char *pw, size_t n, const unsigned char *salt, size_t saltlen, int iter,
                  unsigned char key[KEY_LEN])
{
    if (PKCS5_PBKDF2_HMAC(pw, (int)n, salt, (int)saltlen, iter, EVP_sha256(), KEY_LEN, key) != 1) {
        log_error("crypto: PBKDF2 failed");
        return -1;
    }
    return 0;
}

int crypto_password_hash(const char *pw, size_t n, int iterations, char out[PASSWORD_HASH_MAX])
{
    if (n > PASSWORD_MAX_BYTES || iterations < 1)
        return -1;
    unsigned char salt[SALT_LEN], key[KEY_LEN];
    if (crypto_random(salt, sizeof salt) != 0 || derive(pw, n, salt, sizeof salt, iterations, key) != 0)
        return -1;
    char s64[32], k64[48];
    b64_encode(salt, sizeof salt, s64);
    b64_encode(key, sizeof key, k64);
    OPENSSL_cleanse(key, sizeof key);
    int w = snprintf(out, PASSWORD_HASH_MAX, "pbkdf2-sha256$%d$%s$%s", iterations, s64, k64);
    return w > 0 && w < PASSWORD_HASH_MAX ? 0 : -1;
}

/* Splits "pbkdf2-sha256$ITER$SALT$HASH"; 0 or -1. */
static int parse_stored(const char *stored, int *iter, unsigned char *salt, int *saltlen,
                        unsigned char key[KEY_LEN])
{
    static const char prefix[] = "pbkdf2-sha256$";
    if (!stored || strncmp(stored, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *p = stored + sizeof prefix - 1;
    const char *d1 = strchr(p, '$');
    if (!d1)
        return -1;
    const char *d2 = strchr(d1 + 1, '$');
    if (!d2)
        return -1;
    int64_t it;
    if (parse_i64(p, (size_t)(d1 - p), 1, 100000000, &it) != 0)
        return -1;
    *iter = (int)it;
    int sl = b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), salt, 64);
    if (sl < 8)
        return -1;
    *saltlen = sl;
    unsigned char k[48];
    int kl = b64_decode(d2 + 1, strlen(d2 + 1), k, sizeof k);
    if (kl != KEY_LEN)
        return -1;
    memcpy(key, k, KEY_LEN);
    return 0;
}

int crypto_password_iterations(const char *stored)
{
    int iter, sl;
    unsigned char salt[64], key[KEY_LEN];
    return parse_stored(stored, &iter, salt, &sl, key) == 0 ? iter : -1;
}

int crypto_password_verify(const char *pw, size_t n, const char *stored, int dummy_iterations)
{
    int iter = dummy_iterations, sl = SALT_LEN;
    unsigned char salt[64] = {0}, want[KEY_LEN] = {0}, got[KEY_LEN];
    int bad = 0;
    if (stored && parse_stored(stored, &iter, salt, &sl, want) != 0) {
        bad = -1;
        iter = dummy_iterations;
    }
    if (n > PASSWORD_MAX_BYTES)
        n = PASSWORD_MAX_BYTES; /* still do the work; the length check belongs to the caller */
    if (derive(pw, n, salt, (size_t)sl, iter, got) != 0)
        return -1;
    if (!stored)
        return 0;
    if (bad)
        return -1;
    int ok = CRYPTO_memcmp(got, want, KEY_LEN) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok ? 1 : 0;
}

int crypto_random(unsigned char *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1) {
        log_error("crypto: RAND_bytes failed");
        return -1;
    }
    return 0;
}

void crypto_sha256(const void *in, size_t n, unsigned char out[32])
{
    SHA256(in, n, out);
}

void crypto_cleanse(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

int crypto_hmac(enum crypto_hmac_alg alg, const void *key, size_t klen, const void *msg, size_t mlen,
                unsigned char *out)
{
    const EVP_MD *md = alg == CRYPTO_SHA512 ? EVP_sha512() : alg == CRYPTO_SHA256 ? EVP_sha256() : EVP_sha1();
    unsigned int len = 0;
    /* HMAC() takes a NULL key as "reuse the last one": never pass one. */
    static const unsigned char empty[1];
    if (!HMAC(md, klen ? key : empty, (int)klen, msg, mlen, out, &len)) {
        log_error("crypto: HMAC failed");
        return -1;
    }
    return (int)len;
}

#define SEAL_VERSION 1
#define SEAL_NONCE 12
#define SEAL_TAG 16

/* One AES-256-GCM pass: encrypt (enc 1) or decrypt and check the tag. */
static int gcm(int enc, const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aadlen,
               const unsigned char *in, size_t n, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE, NULL) == 1 &&
             EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1;
    int len = 0;
    if (ok && aadlen)
        ok = EVP_CipherUpdate(c, NULL, &len, aad, (int)aadlen) == 1;
    if (ok && n)
        ok = EVP_CipherUpdate(c, out, &len, in, (int)n) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, tag) == 1;
    if (ok)
        ok = EVP_CipherFinal_ex(c, out + (n ? len : 0), &len) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

int crypto_seal(const unsigned char key[CRYPTO_SEAL_KEY], const void *aad, size_t aadlen, const void *in, size_t n,
                unsigned char *out, size_t cap)
{
    if (n > INT32_MAX || aadlen > INT32_MAX || cap < n + CRYPTO_SEAL_OVERHEAD)
        return -1;
    out[0] = SEAL_VERSION;
    if (crypto_random(out + 1, SEAL_NONCE) != 0)
        return -1;
    if (gcm(1, key, out + 1, aad, aadlen, in, n, out + 1 + SEAL_NONCE, out + 1 + SEAL_NONCE + n) != 0) {
        log_error("crypto: sealing failed");
        OPENSSL_cleanse(out, cap);
        return -1;
    }
    return (int)(n + CRYPTO_SEAL_OVERHEAD);
}

int crypto_open(const unsigned char key[CRYPTO_SEAL_KEY], const void *aad, size_t aadlen, const void *in, size_t n,
                unsigned char *out, size_t cap)
{
    const unsigned char *p = in;
    if (n < CRYPTO_SEAL_OVERHEAD || n > INT32_MAX || aadlen > INT32_MAX || p[0] != SEAL_VERSION)
        return -1;
    size_t len = n - CRYPTO_SEAL_OVERHEAD;
    if (cap < len)
        return -1;
    unsigned char tag[SEAL_TAG];
    memcpy(tag, p + n - SEAL_TAG, SEAL_TAG);
    /* A wrong tag is what an altered or foreign value looks like: no log. */
    if (gcm(0, key, p + 1, aad, aadlen, p + 1 + SEAL_NONCE, len, out, tag) != 0) {
        OPENSSL_cleanse(out, cap);
        return -1;
    }
    return (int)len;
}
