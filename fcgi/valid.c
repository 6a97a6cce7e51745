/* valid: field validators. */
#include "valid.h"

#include <stdio.h>
#include <string.h>

size_t utf8_seq(const char *str, size_t n, size_t i)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n - i <= need || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k <= need; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    return need + 1;
}

bool utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(s, n, i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

enum valid_rc valid_text(const char *s, size_t n, size_t max_chars, bool multiline)
{
    if (!utf8_valid(s, n))
        return VALID_BAD_UTF8;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            if (multiline && (c == '\n' || c == '\r' || c == '\t'))
                continue;
            return VALID_CONTROL;
        }
    }
    if (utf8_chars(s, n) > max_chars)
        return VALID_TOO_LONG;
    return VALID_OK;
}

enum valid_rc valid_email(const char *s, size_t n)
{
    enum valid_rc rc = valid_text(s, n, 254, false);
    if (rc != VALID_OK)
        return rc;
    const char *at = memchr(s, '@', n);
    if (!at || at == s || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
        return VALID_FORMAT;
    const char *dom = at + 1;
    size_t dlen = n - (size_t)(dom - s);
    if (dlen < 3 || !memchr(dom, '.', dlen) || dom[0] == '.' || dom[dlen - 1] == '.')
        return VALID_FORMAT;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == ',' || s[i] == '<' || s[i] == '>' || s[i] == '"')
            return VALID_FORMAT;
    for (size_t i = 1; i < dlen; i++)
        if (dom[i] == '.' && dom[i - 1] == '.')
            return VALID_FORMAT;
    return VALID_OK;
}

enum valid_rc valid_phone(const char *s, size_t n)
{
    enum valid_rc rc = valid_text(s, n, 50, false);
    if (rc != VALID_OK)
        return rc;
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (!strchr(" +()-./#,;", c) && !strchr("extEXT", c) && c != '\0')
            return VALID_FORMAT;
        else if (c == '\0')
            return VALID_FORMAT;
    }
    return digit ? VALID_OK : VALID_FORMAT;
}

enum valid_rc valid_date(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return VALID_FORMAT;
    int v[3] = {0, 0, 0};
    const int pos[3][2] = {{0, 4}, {5, 2}, {8, 2}};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < pos[k][1]; i++) {
            char c = s[pos[k][0] + i];
            if (c < '0' || c > '9')
                return VALID_FORMAT;
            v[k] = v[k] * 10 + (c - '0');
        }
    }
    int y = v[0], m = v[1], d = v[2];
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || m < 1 || m > 12 || d < 1)
        return VALID_FORMAT;
    int max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max ? VALID_OK : VALID_FORMAT;
}

enum valid_rc valid_url(const char *s, size_t n, size_t max)
{
    enum valid_rc rc = valid_text(s, n, max, false);
    if (rc != VALID_OK)
        return rc;
    size_t skip;
    if (n > 7 && strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else if (n > 8 && strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else
        return VALID_FORMAT;
    if (n == skip || s[skip] == '/' || s[skip] == '.')
        return VALID_FORMAT;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == '"' || s[i] == '<' || s[i] == '>' || s[i] == '\\')
            return VALID_FORMAT;
    return VALID_OK;
}

void url_lower_scheme(char *s, size_t n)
{
    size_t k = n > 8 && strncasecmp(s, "https://", 8) == 0 ? 5 : n > 7 && strncasecmp(s, "http://", 7) == 0 ? 4 : 0;
    for (size_t i = 0; i < k; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

enum valid_rc valid_code(const char *s, size_t n, size_t max)
{
    if (n == 0 || n > max)
        return n ? VALID_TOO_LONG : VALID_FORMAT;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return VALID_FORMAT;
    }
    return VALID_OK;
}

enum valid_rc valid_username(const char *s, size_t n, size_t max)
{
    if (n == 0)
        return VALID_FORMAT;
    if (n > max)
        return VALID_TOO_LONG;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("._-@+", c) || c == '\0'))
            return VALID_FORMAT;
    }
    return VALID_OK;
}

const char *valid_message(enum valid_rc rc, size_t max_chars)
{
    static char msg[80];
    switch (rc) {
    case VALID_OK:
        return "";
    case VALID_TOO_LONG:
        snprintf(msg, sizeof msg, "is too long (at most %zu characters)", max_chars);
        return msg;
    case VALID_BAD_UTF8:
        return "is not valid UTF-8 text";
    case VALID_CONTROL:
        return "contains control characters";
    case VALID_FORMAT:
        break;
    }
    return "is not in the expected form";
}
