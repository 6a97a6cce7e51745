/* Fuzzes http_parse_urlencoded as the application uses it: on the query
 * string (a C string, so up to the first NUL) and on a form body (every byte),
 * and compares the pairs with a plain reference decoder written here. */
#include <string.h>

#include "fuzz.h"
#include "http_parse.h"
#include "valid.h"

static int hex(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The reference: decodes s[0..n) into out; an enum http_parse_rc. */
static int ref_decode(const uint8_t *s, size_t n, buf *out)
{
    buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (n - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
                return HP_BAD_ENCODING;
            char c = (char)(hex(s[i + 1]) << 4 | hex(s[i + 2]));
            if (c == '\0')
                return HP_NUL;
            buf_addc(out, c);
            i += 2;
        } else if (s[i] == '\0') {
            return HP_NUL;
        } else {
            buf_addc(out, s[i] == '+' ? ' ' : (char)s[i]);
        }
    }
    return utf8_valid(buf_str(out), out->len) ? HP_OK : HP_BAD_UTF8;
}

static void check(arena *a, const uint8_t *s, size_t len)
{
    params p = {0};
    int rc = http_parse_urlencoded(a, (const char *)s, len, &p);
    FUZZ_CHECK(rc == HP_OK || rc == HP_BAD_ENCODING || rc == HP_BAD_UTF8 || rc == HP_TOO_MANY || rc == HP_NUL);
    FUZZ_CHECK(p.n <= HTTP_MAX_PARAMS && p.n <= p.cap);

    /* Walk the pairs again with the reference; stop where it stops. */
    buf name = {0}, value = {0};
    size_t k = 0, i = 0;
    int want = HP_OK;
    while (i < len && want == HP_OK) {
        const uint8_t *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > i) {
            if (k == HTTP_MAX_PARAMS) {
                want = HP_TOO_MANY;
                break;
            }
            const uint8_t *eq = memchr(s + i, '=', end - i);
            size_t nend = eq ? (size_t)(eq - s) : end;
            want = ref_decode(s + i, nend - i, &name);
            if (want == HP_OK) {
                if (eq)
                    want = ref_decode(eq + 1, end - nend - 1, &value);
                else
                    buf_reset(&value);
            }
            if (want == HP_OK) {
                FUZZ_CHECK(k < p.n);
                const param *q = &p.v[k];
                /* No NUL inside: names and values are whole C strings. */
                FUZZ_CHECK(strlen(q->name) == name.len && strlen(q->value) == q->len);
                FUZZ_CHECK(memcmp(q->name, buf_str(&name), name.len + 1) == 0);
                FUZZ_CHECK(utf8_valid(q->name, strlen(q->name)));
                FUZZ_CHECK(q->len == value.len);
                FUZZ_CHECK(memcmp(q->value, buf_str(&value), value.len + 1) == 0);
                FUZZ_CHECK(utf8_valid(q->value, q->len));
                k++;
            }
        }
        i = end + 1;
    }
    FUZZ_CHECK(rc == want);
    FUZZ_CHECK(p.n == k);
    buf_free(&name);
    buf_free(&value);

    /* The lookups return the first pair of a name. */
    if (p.n > 0) {
        const param *last = &p.v[p.n - 1];
        size_t first = 0;
        while (strcmp(p.v[first].name, last->name) != 0)
            first++;
        size_t n = SIZE_MAX;
        FUZZ_CHECK(params_getn(&p, last->name, &n) == p.v[first].value);
        FUZZ_CHECK(n == p.v[first].len);
        FUZZ_CHECK(params_get(&p, last->name) == p.v[first].value);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    /* The query string: QUERY_STRING is a C string. */
    char *qs = xstrndup((const char *)data, size);
    check(a, (const uint8_t *)qs, strlen(qs));
    free(qs);
    /* The form body: every byte, NUL bytes included. */
    check(a, data, size);
    arena_free(a);
    return 0;
}
