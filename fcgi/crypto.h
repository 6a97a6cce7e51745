/* crypto: the only file that includes OpenSSL. Password hashing (PBKDF2),
 * random tokens, SHA-256, HMAC, sealing of stored secrets (AES-256-GCM) and
 * constant-time comparison. */
#ifndef CTRACK_CRYPTO_H
#define CTRACK_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* Passwords longer than this many bytes are refused before hashing, so a huge
 * input cannot tie up a worker. */
#define PASSWORD_MAX_BYTES 1024
#define PASSWORD_HASH_MAX 160

/* Hashes pw with PBKDF2-HMAC-SHA256, a fresh 16-byte salt and the given
 * iterations, into out as "pbkdf2-sha256$ITER$SALT$HASH" (base64). Returns 0,
 * or -1 when the password is too long or OpenSSL fails. */
int crypto_password_hash(const char *pw, size_t n, int iterations, char out[PASSWORD_HASH_MAX]);
/* Checks pw against a stored hash in constant time. 1 on match, 0 on
 * mismatch, -1 when the stored string is malformed. With stored == NULL it
 * runs the KDF anyway (same cost as a real check) and returns 0, so a missing
 * user takes as long as a wrong password. */
int crypto_password_verify(const char *pw, size_t n, const char *stored, int dummy_iterations);
/* The iteration count recorded in a stored hash, or -1. */
int crypto_password_iterations(const char *stored);

/* Fills out with n cryptographically random bytes; -1 if OpenSSL cannot. */
int crypto_random(unsigned char *out, size_t n);
/* SHA-256 of n bytes into out[32]. */
void crypto_sha256(const void *in, size_t n, unsigned char out[32]);
/* Wipes n bytes of a secret in a way the compiler keeps. */
void crypto_cleanse(void *p, size_t n);
/* Compares n bytes in time that does not depend on the contents. */
bool crypto_equal(const void *a, const void *b, size_t n);

/* HMAC hash functions (TOTP names them SHA1, SHA256, SHA512). */
enum crypto_hmac_alg { CRYPTO_SHA1, CRYPTO_SHA256, CRYPTO_SHA512 };
#define CRYPTO_HMAC_MAX 64
/* HMAC of msg under key into out (at least CRYPTO_HMAC_MAX bytes). Returns
 * the length of the MAC (20, 32 or 64), or -1 when OpenSSL fails. */
int crypto_hmac(enum crypto_hmac_alg alg, const void *key, size_t klen, const void *msg, size_t mlen,
                unsigned char *out);

/* Sealing: AES-256-GCM under a 32-byte key with a fresh random 12-byte
 * nonce. A sealed value is a version byte, the nonce, the ciphertext and
 * the 16-byte tag, so it is CRYPTO_SEAL_OVERHEAD bytes longer than the
 * plain text. aad (may be empty) is bound to the value without being stored
 * in it: a sealed value opens only with the same aad, so that one copied
 * into another row (another user's) does not open. */
#define CRYPTO_SEAL_KEY 32
#define CRYPTO_SEAL_OVERHEAD (1 + 12 + 16)
/* Seals n bytes into out (cap bytes). Returns the sealed length, or -1 when
 * out is too small or OpenSSL fails. */
int crypto_seal(const unsigned char key[CRYPTO_SEAL_KEY], const void *aad, size_t aadlen, const void *in, size_t n,
                unsigned char *out, size_t cap);
/* Opens a sealed value into out (cap bytes). Returns the plain length, or -1
 * when the value is malformed, of an unknown version, sealed under another
 * key or aad, altered, or does not fit. */
int crypto_open(const unsigned char key[CRYPTO_SEAL_KEY], const void *aad, size_t aadlen, const void *in, size_t n,
                unsigned char *out, size_t cap);

#endif
