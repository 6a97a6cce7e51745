/* password: the rules for passwords, in one place. A password is any text
 * (no control characters) of PASSWORD_MIN_CHARS to PASSWORD_MAX_CHARS
 * characters once normalised to Unicode NFKC, so that the same password
 * typed on different keyboards or systems (é as one code point or as e and
 * a combining accent, fullwidth digits) gives the same bytes to hash. It may
 * not be one of the most common passwords (conf/common-passwords.txt,
 * compiled in), the username, one character repeated or a straight run such
 * as 123456789012. The only file that includes libunistring. */
#ifndef CTRACK_PASSWORD_H
#define CTRACK_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 256

enum password_rc {
    PASSWORD_OK = 0,
    PASSWORD_BAD_UTF8,  /* not UTF-8 */
    PASSWORD_CONTROL,   /* holds control characters (line breaks, tabs...) */
    PASSWORD_TOO_SHORT, /* under PASSWORD_MIN_CHARS characters */
    PASSWORD_TOO_LONG,  /* over PASSWORD_MAX_CHARS characters or PASSWORD_MAX_BYTES bytes */
    PASSWORD_COMMON,    /* in the list of common passwords, ignoring case */
    PASSWORD_COMMON_PADDED, /* a common password with a few digits or symbols around it */
    PASSWORD_PATTERN,   /* a short or common part repeated */
    PASSWORD_USERNAME,  /* the username, ignoring case */
    PASSWORD_REPEATED,  /* one character repeated */
    PASSWORD_SEQUENCE,  /* a straight run: abcdefghijkl, 123456789012, 987654321098 */
};

/* A normalised password: the bytes to hash (NUL-terminated). Wipe it with
 * password_wipe when done. */
typedef struct password_norm {
    char bytes[PASSWORD_MAX_BYTES + 1];
    size_t len;
} password_norm;

/* Normalises n bytes of pw to NFKC into out. The byte length is capped
 * (PASSWORD_MAX_BYTES) before anything else and again on the result, so no
 * input can make the normaliser or the KDF work long. Returns PASSWORD_OK,
 * PASSWORD_TOO_LONG or PASSWORD_BAD_UTF8 (out is then empty). */
enum password_rc password_normalise(const char *pw, size_t n, password_norm *out);

/* The policy for a new password, already normalised; username (may be NULL)
 * is the account's. Returns PASSWORD_OK or the first rule broken. */
enum password_rc password_policy(const password_norm *p, const char *username);

/* What every place that sets a password calls: normalises and applies the
 * policy. out holds the bytes to hash when PASSWORD_OK is returned. */
enum password_rc password_prepare(const char *pw, size_t n, const char *username, password_norm *out);

/* The bytes to check a submitted password with: its normalised form, or,
 * when it cannot be normalised, a value that no password set through the
 * policy can have, so that the caller still runs the KDF and answers as for
 * any wrong password. Returns true when pw was normalised. */
bool password_for_check(const char *pw, size_t n, password_norm *out);

/* The message for a form field, e.g. "is too short (at least 12
 * characters)"; "" for PASSWORD_OK. Static. */
const char *password_message(enum password_rc rc);

/* Whether s (n bytes, any case) is in the compiled-in common list. */
bool password_is_common(const char *s, size_t n);

/* Wipes a normalised password. */
void password_wipe(password_norm *p);

#endif
