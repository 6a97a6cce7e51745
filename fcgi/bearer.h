/* bearer: the API token's text and the Authorization header that carries
 * it. Pure functions (no database), so that the fuzzer links them. A token
 * is "ctk_" and the base64url (no padding) of 32 random bytes: 47 ASCII
 * characters, one spelling per token. */
#ifndef CTRACK_BEARER_H
#define CTRACK_BEARER_H

#include <stddef.h>

#define BEARER_PREFIX "ctk_"
#define BEARER_PREFIX_LEN 4
#define BEARER_RAW_BYTES 32
#define BEARER_TOKEN_LEN (BEARER_PREFIX_LEN + 43)

enum bearer_rc {
    BEARER_OK = 0,
    BEARER_SCHEME = -1, /* not the Bearer scheme (Basic, anything else) */
    BEARER_FORMAT = -2, /* Bearer, but not exactly one space and one of our tokens */
};

/* Parses an Authorization header value of n bytes: "Bearer" (any case),
 * exactly one space, then a token in our format and nothing else (no other
 * spaces, no padding, the canonical last character). On BEARER_OK the token
 * is copied into out, NUL-terminated. Returns an enum bearer_rc. */
int bearer_parse(const char *header, size_t n, char out[BEARER_TOKEN_LEN + 1]);

/* Writes the token of BEARER_RAW_BYTES random bytes into out,
 * NUL-terminated; bearer_parse accepts exactly what this writes. */
void bearer_format(const unsigned char raw[BEARER_RAW_BYTES], char out[BEARER_TOKEN_LEN + 1]);

#endif
