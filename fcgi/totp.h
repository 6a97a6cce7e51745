/* totp: one-time passwords (HOTP, RFC 4226; TOTP, RFC 6238) and the text
 * forms around them: base32 (RFC 4648) for secrets, the codes people type,
 * and recovery codes. Pure: no database, no clock (the caller passes the
 * time); HMAC comes from crypto.c. */
#ifndef CTRACK_TOTP_H
#define CTRACK_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

/* The parameters an authenticator app is given (and the only ones used for
 * enrolment: SHA1, 6 digits, 30 seconds, as every app supports). */
#define TOTP_PERIOD 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_BYTES 20

/* The HOTP value of counter: digits (6 to 8) decimal digits of the
 * dynamically truncated HMAC, as a number. -1 when HMAC fails. */
long hotp(enum crypto_hmac_alg alg, const unsigned char *key, size_t klen, uint64_t counter, int digits);
/* The time step of a Unix time: floor(t / period) (T0 = 0). */
uint64_t totp_step(int64_t unix_time, int period);
/* Writes value with leading zeros as digits characters and a NUL. */
void totp_format(long value, int digits, char *out);

/* Checks a code (digits characters, as totp_parse_code leaves it) against
 * the steps from step(now) - window to step(now) + window that are later
 * than last_step (a code already used, or older than one used, never
 * works again; pass -1 when none was used). Every candidate is computed and
 * compared in constant time. Returns 1 with *matched set to the step that
 * matched, 0 when none did, -1 when HMAC fails. */
int totp_verify(enum crypto_hmac_alg alg, const unsigned char *key, size_t klen, int digits, int period,
                int64_t now, int window, int64_t last_step, const char *code, int64_t *matched);

/* base32 (RFC 4648, upper case). Encode writes ceil(n/5)*8 characters with
 * padding (pad true) or without, and a NUL; out needs
 * base32_encoded_len(n, pad) + 1 bytes. Returns the characters written. */
size_t base32_encoded_len(size_t n, bool pad);
size_t base32_encode(const unsigned char *in, size_t n, bool pad, char *out);
/* Decodes base32 ignoring case, spaces and hyphens (as people type a secret
 * in groups), with or without the trailing '=' padding. Strict otherwise:
 * a length no encoding produces, padding in the middle, or bits left over
 * that are not zero are refused. Returns the bytes written, or -1 (also
 * when they would not fit in cap). */
int base32_decode(const char *in, size_t n, unsigned char *out, size_t cap);

/* Reads a typed one-time code: 6 or 8 digits, with any spaces around or
 * between them. Writes the digits and a NUL into out. Returns the number
 * of digits, or -1. */
int totp_parse_code(const char *in, size_t n, char out[9]);

/* Recovery codes are TOTP_RECOVERY_CHARS base32 characters: 120 random
 * bits, enough for a plain SHA-256 to be the stored form (ASVS 5.0 6.5.2
 * asks a slow salted hash of lookup secrets under 112 bits). They are shown
 * as four groups of six: "ABCDEF-GHIJKL-MNOPQR-STUVWX". */
#define TOTP_RECOVERY_CHARS 24
#define TOTP_RECOVERY_BYTES 15 /* random bytes of one code */
#define TOTP_RECOVERY_SHOWN 28 /* its shown form with the NUL */
/* Formats a code from TOTP_RECOVERY_BYTES random bytes into out. */
void totp_recovery_format(const unsigned char raw[TOTP_RECOVERY_BYTES], char out[TOTP_RECOVERY_SHOWN]);
/* Reads a typed recovery code: its base32 characters in any case, with
 * spaces and hyphens anywhere. Writes the canonical form (the 10 upper-case
 * characters, the text that is hashed) and a NUL into out. 0, or -1. */
int totp_parse_recovery(const char *in, size_t n, char out[TOTP_RECOVERY_CHARS + 1]);

#endif
