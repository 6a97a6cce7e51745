/* valid: validators for everything that comes from outside. Pure functions. */
#ifndef CTRACK_VALID_H
#define CTRACK_VALID_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF). NUL bytes are allowed here; valid_text refuses them. */
bool utf8_valid(const char *s, size_t n);
/* The length of the well-formed UTF-8 sequence at s[i] (i < n), or 0 when
 * there is none there (the rules of utf8_valid). */
size_t utf8_seq(const char *s, size_t n, size_t i);

/* The length of the longest prefix of s[0..n) of at most max bytes that
 * does not end inside a UTF-8 sequence (for cutting text to a size). */
size_t utf8_prefix(const char *s, size_t n, size_t max);

/* Number of code points in valid UTF-8. */
size_t utf8_chars(const char *s, size_t n);

enum valid_rc {
    VALID_OK = 0,
    VALID_TOO_LONG,  /* more characters than allowed */
    VALID_BAD_UTF8,  /* not UTF-8 */
    VALID_CONTROL,   /* a control character (line breaks only where allowed) */
    VALID_FORMAT,    /* not in the expected form */
};

/* Text of at most max_chars characters, without control characters
 * (multiline allows CR, LF and TAB). */
enum valid_rc valid_text(const char *s, size_t n, size_t max_chars, bool multiline);
/* An e-mail address: one @, a non-empty local part, a dotted domain, no
 * spaces; at most 254 characters. The empty string is not an address. */
enum valid_rc valid_email(const char *s, size_t n);
/* A phone number as people write it: digits, spaces and + ( ) - . / and an
 * extension ("ext", "x", "#"); at least one digit; at most 50 characters. */
enum valid_rc valid_phone(const char *s, size_t n);
/* A calendar date YYYY-MM-DD between 1000-01-01 and 9999-12-31 that exists. */
enum valid_rc valid_date(const char *s, size_t n);
/* An absolute http or https URL without spaces or control characters, at
 * most max characters. */
enum valid_rc valid_url(const char *s, size_t n, size_t max);
/* Lowercases the scheme of an http(s) URL in place ("HTTPS://x" becomes
 * "https://x"): browsers and the page templates treat only the lowercase
 * form as a link. Other text is left alone. */
void url_lower_scheme(char *s, size_t n);
/* A code (of a region, say): 1 to max ASCII letters, digits, '-', '_', '.'. */
enum valid_rc valid_code(const char *s, size_t n, size_t max);
/* A username: 1 to max ASCII letters, digits and . _ - @ +, starting with
 * a letter or a digit (no spaces: people type it at every logon). */
enum valid_rc valid_username(const char *s, size_t n, size_t max);
/* A human message for a validation result, e.g. "is too long (at most 100
 * characters)". Returns a static string, or the static buffer for TOO_LONG. */
const char *valid_message(enum valid_rc rc, size_t max_chars);

#endif
