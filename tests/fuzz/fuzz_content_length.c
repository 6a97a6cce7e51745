/* Fuzzes http_parse_content_length (CONTENT_LENGTH, a C string) with several
 * limits, against a reference that counts in 128 bits. */
#include <string.h>

#include "fuzz.h"
#include "http_parse.h"

typedef unsigned __int128 u128;

/* The value of the leading digits of s, saturated just above SIZE_MAX;
 * *all_digits tells whether nothing else follows them. */
static u128 ref_value(const char *s, bool *all_digits)
{
    u128 v = 0, cap = (u128)SIZE_MAX + 1;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (u128)(*p - '0');
        if (v > cap)
            v = cap;
    }
    *all_digits = *p == '\0';
    return v;
}

static void check(const char *s, size_t max)
{
    size_t out = 12345;
    int rc = http_parse_content_length(s, max, &out);
    bool digits;
    u128 v = ref_value(s, &digits);
    if (!*s) {
        FUZZ_CHECK(rc == 0 && out == 0);
    } else if (digits) {
        if (v > max) {
            FUZZ_CHECK(rc == -2);
            FUZZ_CHECK(out == 12345);
        } else {
            FUZZ_CHECK(rc == 0);
            FUZZ_CHECK((u128)out == v);
        }
    } else {
        /* Malformed. The digits are checked as they come, so a value that is
         * already too large before the first non-digit may be reported as
         * too large (-2) instead of malformed (-1): rejected either way. */
        FUZZ_CHECK(rc == -1 || (rc == -2 && v > max));
        FUZZ_CHECK(out == 12345);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    static const size_t maxes[] = {
        0, 1, 9, 10, 1024, 1 << 20, (size_t)1 << 30, SIZE_MAX / 10 - 1, SIZE_MAX / 10,
        SIZE_MAX / 10 + 1, SIZE_MAX - 10, SIZE_MAX - 1, SIZE_MAX,
    };
    for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++)
        check(s, maxes[i]);
    /* A limit right at the value, and one off either side. */
    bool digits;
    u128 v = ref_value(s, &digits);
    if (v <= SIZE_MAX) {
        size_t m = (size_t)v;
        check(s, m);
        if (m > 0)
            check(s, m - 1);
        if (m < SIZE_MAX)
            check(s, m + 1);
    }
    /* NULL means no body. */
    size_t out = 1;
    FUZZ_CHECK(http_parse_content_length(NULL, 0, &out) == 0 && out == 0);
    free(s);
    return 0;
}
