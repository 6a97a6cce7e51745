/* Fuzzes the validators of valid.h. utf8_valid must agree with a reference
 * decoder written here (one code point at a time, by value), utf8_chars must
 * count its code points, and each validator's verdict must hold what its
 * comment in valid.h promises. */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "valid.h"

/* Decodes one code point at s[0..n): its length, or 0 when the bytes there
 * are not well-formed UTF-8 (overlong, surrogate, above U+10FFFF, cut). */
static size_t ref_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v, min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        len = 2, v = s[0] & 0x1F, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, v = s[0] & 0x0F, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, v = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* The number of code points, or SIZE_MAX when s is not UTF-8. */
static size_t ref_chars(const uint8_t *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; count++) {
        uint32_t cp;
        size_t l = ref_decode(s + i, n - i, &cp);
        if (l == 0)
            return SIZE_MAX;
        i += l;
    }
    return count;
}

static bool has_control(const uint8_t *s, size_t n, bool multiline)
{
    for (size_t i = 0; i < n; i++)
        if ((s[i] < 0x20 || s[i] == 0x7F) && !(multiline && (s[i] == '\n' || s[i] == '\r' || s[i] == '\t')))
            return true;
    return false;
}

/* Days in a month of the proleptic Gregorian calendar, computed from day
 * numbers rather than from a table. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = y / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe;
}

static bool ref_date(const uint8_t *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    long v[3] = {0, 0, 0};
    const size_t from[3] = {0, 5, 8}, to[3] = {4, 7, 10};
    for (int k = 0; k < 3; k++)
        for (size_t i = from[k]; i < to[k]; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v[k] = v[k] * 10 + (s[i] - '0');
        }
    if (v[0] < 1000 || v[1] < 1 || v[1] > 12 || v[2] < 1)
        return false;
    long first = days_from_civil(v[0], v[1], 1);
    long next = v[1] == 12 ? days_from_civil(v[0] + 1, 1, 1) : days_from_civil(v[0], v[1] + 1, 1);
    return v[2] <= next - first;
}

static void check_text(const uint8_t *s, size_t n)
{
    size_t chars = ref_chars(s, n);
    bool ok = utf8_valid((const char *)s, n);
    FUZZ_CHECK(ok == (chars != SIZE_MAX));
    if (ok)
        FUZZ_CHECK(utf8_chars((const char *)s, n) == chars);
    else
        (void)utf8_chars((const char *)s, n); /* defined for any bytes */

    static const size_t maxes[] = {0, 1, 5, 50, 254, SIZE_MAX};
    for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
        for (int ml = 0; ml < 2; ml++) {
            enum valid_rc want = !ok                     ? VALID_BAD_UTF8
                                 : has_control(s, n, ml) ? VALID_CONTROL
                                 : chars > maxes[i]      ? VALID_TOO_LONG
                                                         : VALID_OK;
            FUZZ_CHECK(valid_text((const char *)s, n, maxes[i], ml) == want);
            FUZZ_CHECK(valid_message(want, maxes[i]) != NULL);
        }
    }
    bool text_ok = ok && !has_control(s, n, false);

    enum valid_rc rc = valid_email((const char *)s, n);
    if (rc == VALID_OK) {
        FUZZ_CHECK(text_ok && chars <= 254);
        const uint8_t *at = memchr(s, '@', n);
        FUZZ_CHECK(at && at > s && !memchr(at + 1, '@', n - (size_t)(at - s) - 1));
        const uint8_t *dom = at + 1;
        size_t dl = n - (size_t)(dom - s);
        FUZZ_CHECK(dl >= 3 && memchr(dom, '.', dl) && dom[0] != '.' && dom[dl - 1] != '.');
        FUZZ_CHECK(!memchr(s, ' ', n) && !memchr(s, '<', n) && !memchr(s, '>', n) && !memchr(s, '"', n));
    }

    rc = valid_phone((const char *)s, n);
    if (rc == VALID_OK) {
        FUZZ_CHECK(text_ok && chars <= 50);
        bool digit = false;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(s[i] != '\0' && strchr("0123456789 +()-./#,;extEXT", s[i]));
            digit |= s[i] >= '0' && s[i] <= '9';
        }
        FUZZ_CHECK(digit);
    }

    FUZZ_CHECK((valid_date((const char *)s, n) == VALID_OK) == ref_date(s, n));

    static const size_t url_max[] = {0, 10, 2048};
    for (size_t i = 0; i < sizeof url_max / sizeof url_max[0]; i++) {
        rc = valid_url((const char *)s, n, url_max[i]);
        if (rc == VALID_OK) {
            FUZZ_CHECK(text_ok && chars <= url_max[i]);
            size_t skip = n > 7 && strncasecmp((const char *)s, "http://", 7) == 0    ? 7
                          : n > 8 && strncasecmp((const char *)s, "https://", 8) == 0 ? 8
                                                                                      : 0;
            FUZZ_CHECK(skip > 0 && n > skip && s[skip] != '/');
            FUZZ_CHECK(!memchr(s, ' ', n) && !memchr(s, '"', n) && !memchr(s, '<', n) && !memchr(s, '>', n));
        }
    }

    /* A code is 1..max of [A-Za-z0-9._-], nothing else. */
    rc = valid_code((const char *)s, n, 40);
    bool code_chars = n > 0;
    for (size_t i = 0; i < n; i++)
        code_chars &= (s[i] < 0x80 && (isalnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'));
    FUZZ_CHECK((rc == VALID_OK) == (code_chars && n <= 40));

    /* Lowering the scheme changes at most the first five bytes, only from
     * upper to lower case, and never what valid_url thinks of the text. */
    uint8_t *low = malloc(n ? n : 1);
    memcpy(low, s, n);
    url_lower_scheme((char *)low, n);
    for (size_t i = 0; i < n; i++) {
        if (low[i] != s[i])
            FUZZ_CHECK(i < 5 && s[i] >= 'A' && s[i] <= 'Z' && low[i] == s[i] - 'A' + 'a');
    }
    FUZZ_CHECK(valid_url((const char *)low, n, 2048) == valid_url((const char *)s, n, 2048));
    if (valid_url((const char *)low, n, 2048) == VALID_OK)
        FUZZ_CHECK(memcmp(low, "http", 4) == 0);
    free(low);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_text(data, size);
    /* Cut points inside a sequence are where decoders go wrong. */
    for (size_t cut = 1; cut <= 4 && cut < size; cut++) {
        check_text(data, size - cut);
        check_text(data + cut, size - cut);
    }
    return 0;
}
