/* Fuzzes bearer_parse on an Authorization header (a C string, as the
 * application gets it): an accepted token is exactly the header's tail, and
 * is the one spelling of its 32 bytes (decoding and formatting it again
 * gives the same text); anything not starting with the Bearer scheme is
 * refused as another scheme. And every token bearer_format writes from the
 * input's bytes is accepted. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "bearer.h"
#include "fuzz.h"
#include "util.h"

static int value(char c)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *p = c ? strchr(alpha, c) : NULL;
    return p ? (int)(p - alpha) : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    size_t len = strlen(s);
    char out[BEARER_TOKEN_LEN + 1];
    int rc = bearer_parse(s, len, out);
    FUZZ_CHECK(rc == BEARER_OK || rc == BEARER_SCHEME || rc == BEARER_FORMAT);
    bool bearer = (len == 6 || (len > 6 && s[6] == ' ')) && strncasecmp(s, "bearer", 6) == 0;
    FUZZ_CHECK((rc == BEARER_SCHEME) == !bearer);
    if (rc == BEARER_OK) {
        FUZZ_CHECK(len == 7 + BEARER_TOKEN_LEN && strcmp(out, s + 7) == 0);
        FUZZ_CHECK(memcmp(out, BEARER_PREFIX, BEARER_PREFIX_LEN) == 0);
        /* Decode the 43 characters: 256 bits and two spare ones. */
        unsigned char raw[BEARER_RAW_BYTES + 1] = {0};
        unsigned acc = 0, bits = 0, k = 0;
        for (size_t i = BEARER_PREFIX_LEN; i < BEARER_TOKEN_LEN; i++) {
            int v = value(out[i]);
            FUZZ_CHECK(v >= 0);
            acc = (acc << 6) | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                raw[k++] = (unsigned char)(acc >> bits);
                acc &= (1u << bits) - 1;
            }
        }
        FUZZ_CHECK(k == BEARER_RAW_BYTES && bits == 2 && acc == 0);
        char again[BEARER_TOKEN_LEN + 1];
        bearer_format(raw, again);
        FUZZ_CHECK(strcmp(again, out) == 0);
    } else {
        FUZZ_CHECK(out[0] == '\0');
    }
    if (size >= BEARER_RAW_BYTES) {
        char t[BEARER_TOKEN_LEN + 1], h[7 + BEARER_TOKEN_LEN + 1], back[BEARER_TOKEN_LEN + 1];
        bearer_format(data, t);
        memcpy(h, "bEaReR ", 7);
        memcpy(h + 7, t, BEARER_TOKEN_LEN + 1);
        FUZZ_CHECK(bearer_parse(h, strlen(h), back) == BEARER_OK && strcmp(back, t) == 0);
    }
    free(s);
    return 0;
}
