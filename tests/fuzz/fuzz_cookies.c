/* Fuzzes http_parse_cookies on a Cookie header (a C string, as the
 * application gets it) against a reference splitter written here. */
#include <string.h>

#include "fuzz.h"
#include "http_parse.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    size_t len = strlen(s);
    arena *a = arena_new();
    params p = {0};
    int rc = http_parse_cookies(a, s, len, &p);
    FUZZ_CHECK(rc == HP_OK || rc == HP_TOO_MANY);
    FUZZ_CHECK(p.n <= HTTP_MAX_PARAMS);

    size_t k = 0;
    int want = HP_OK;
    const char *seg = s, *end = s + len;
    while (seg < end) {
        const char *semi = memchr(seg, ';', (size_t)(end - seg));
        const char *b = seg, *e = semi ? semi : end;
        seg = semi ? semi + 1 : end;
        while (b < e && blank(*b))
            b++;
        while (e > b && blank(e[-1]))
            e--;
        const char *eq = memchr(b, '=', (size_t)(e - b));
        if (!eq || eq == b)
            continue; /* malformed pairs are skipped */
        if (k == HTTP_MAX_PARAMS) {
            want = HP_TOO_MANY;
            break;
        }
        const char *v = eq + 1;
        size_t vl = (size_t)(e - v);
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
            v++;
            vl -= 2;
        }
        FUZZ_CHECK(k < p.n);
        const param *q = &p.v[k];
        size_t nl = (size_t)(eq - b);
        FUZZ_CHECK(strlen(q->name) == nl && memcmp(q->name, b, nl) == 0);
        FUZZ_CHECK(!blank(q->name[0]) && strchr(q->name, ';') == NULL && strchr(q->name, '=') == NULL);
        FUZZ_CHECK(q->len == vl && memcmp(q->value, v, vl) == 0 && q->value[vl] == '\0');
        FUZZ_CHECK(memchr(q->value, ';', q->len) == NULL);
        k++;
    }
    FUZZ_CHECK(rc == want);
    FUZZ_CHECK(p.n == k);
    arena_free(a);
    free(s);
    return 0;
}
