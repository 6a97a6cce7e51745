/* crypto: the only file that includes OpenSSL. Password hashing (PBKDF2),
 * random tokens, SHA-256 and constant-time comparison. */
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

#endif
