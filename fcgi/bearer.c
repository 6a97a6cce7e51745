/* bearer: the token format and the Authorization header (bearer.h). */
#include "bearer.h"

#include <stdbool.h>
#include <string.h>

#include "util.h"

/* The value of a base64url character, or -1. */
static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

static bool scheme_is_bearer(const char *s, size_t n)
{
    static const char want[] = "bearer";
    if (n != sizeof want - 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)want[i])
            return false;
    }
    return true;
}

int bearer_parse(const char *header, size_t n, char out[BEARER_TOKEN_LEN + 1])
{
    out[0] = '\0';
    /* The scheme is everything up to the first space (or the whole value). */
    const char *sp = memchr(header, ' ', n);
    size_t slen = sp ? (size_t)(sp - header) : n;
    if (!scheme_is_bearer(header, slen))
        return BEARER_SCHEME;
    if (!sp || n - slen - 1 != BEARER_TOKEN_LEN)
        return BEARER_FORMAT;
    const char *t = sp + 1;
    if (memcmp(t, BEARER_PREFIX, BEARER_PREFIX_LEN) != 0)
        return BEARER_FORMAT;
    for (size_t i = BEARER_PREFIX_LEN; i < BEARER_TOKEN_LEN; i++)
        if (b64url_value((unsigned char)t[i]) < 0)
            return BEARER_FORMAT;
    /* 43 characters carry 258 bits for 256: the last one's two low bits are
     * zero in the only spelling bearer_format writes. */
    if (b64url_value((unsigned char)t[BEARER_TOKEN_LEN - 1]) & 3)
        return BEARER_FORMAT;
    memcpy(out, t, BEARER_TOKEN_LEN);
    out[BEARER_TOKEN_LEN] = '\0';
    return BEARER_OK;
}

void bearer_format(const unsigned char raw[BEARER_RAW_BYTES], char out[BEARER_TOKEN_LEN + 1])
{
    char text[4 * ((BEARER_RAW_BYTES + 2) / 3) + 1];
    b64url_encode(raw, BEARER_RAW_BYTES, text);
    memcpy(out, BEARER_PREFIX, BEARER_PREFIX_LEN);
    memcpy(out + BEARER_PREFIX_LEN, text, BEARER_TOKEN_LEN - BEARER_PREFIX_LEN);
    out[BEARER_TOKEN_LEN] = '\0';
}
