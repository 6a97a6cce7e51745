/* http_parse: query string, form and cookie parsing. */
#include "http_parse.h"

#include <string.h>
#include <strings.h>

#include "valid.h"

void params_add(arena *a, params *p, const char *name, const char *value, size_t len)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        param *v = arena_alloc(a, cap * sizeof *v);
        if (p->n)
            memcpy(v, p->v, p->n * sizeof *v);
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (param){name, value, len};
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new arena string; *outlen gets its length. */
static char *decode(arena *a, const char *s, size_t n, size_t *outlen, int *rc)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int h, l;
            if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0) {
                *rc = HP_BAD_ENCODING;
                return NULL;
            }
            if (h == 0 && l == 0) {
                *rc = HP_NUL; /* C strings end there: a name or value would be cut */
                return NULL;
            }
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            if (s[i] == '\0') {
                *rc = HP_NUL;
                return NULL;
            }
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!utf8_valid(out, o)) {
        *rc = HP_BAD_UTF8;
        return NULL;
    }
    *outlen = o;
    return out;
}

int http_parse_urlencoded(arena *a, const char *s, size_t len, params *out)
{
    size_t i = 0, max = out->max ? out->max : HTTP_MAX_PARAMS;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > i) {
            if (out->n >= max)
                return HP_TOO_MANY;
            const char *eq = memchr(s + i, '=', end - i);
            size_t nend = eq ? (size_t)(eq - s) : end;
            int rc = HP_OK;
            size_t nl, vl = 0;
            char *name = decode(a, s + i, nend - i, &nl, &rc);
            if (!name)
                return rc;
            const char *value = "";
            if (eq) {
                value = decode(a, eq + 1, end - nend - 1, &vl, &rc);
                if (!value)
                    return rc;
            }
            params_add(a, out, name, value, vl);
        }
        i = end + 1;
    }
    return HP_OK;
}

int http_parse_cookies(arena *a, const char *s, size_t len, params *out)
{
    size_t i = 0;
    while (i < len) {
        const char *semi = memchr(s + i, ';', len - i);
        size_t end = semi ? (size_t)(semi - s) : len;
        size_t b = i, e = end;
        while (b < e && (s[b] == ' ' || s[b] == '\t'))
            b++;
        while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        const char *eq = memchr(s + b, '=', e - b);
        if (eq && eq > s + b) {
            if (out->n >= HTTP_MAX_PARAMS)
                return HP_TOO_MANY;
            size_t nl = (size_t)(eq - (s + b));
            const char *v = eq + 1;
            size_t vl = (size_t)((s + e) - v);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            params_add(a, out, arena_strndup(a, s + b, nl), arena_strndup(a, v, vl), vl);
        }
        i = end + 1;
    }
    return HP_OK;
}

const char *params_getn(const params *p, const char *name, size_t *len)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->v[i].name, name) == 0) {
            if (len)
                *len = p->v[i].len;
            return p->v[i].value;
        }
    }
    if (len)
        *len = 0;
    return NULL;
}

const char *params_get(const params *p, const char *name)
{
    return params_getn(p, name, NULL);
}

static bool is_token_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Compares s[0..n) with the lowercase ASCII word w, ignoring case. */
static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

int http_media_type_is(const char *ct, const char *type)
{
    if (!ct)
        return HP_MEDIA_OTHER;
    const char *p = ct;
    while (is_token_space(*p))
        p++;
    const char *b = p;
    while (*p && *p != ';' && !is_token_space(*p))
        p++;
    if (!word_is(b, (size_t)(p - b), type))
        return HP_MEDIA_OTHER;
    /* Parameters: only charset matters, and only UTF-8 (or its ASCII subset)
     * is accepted; anything after the type but parameters is malformed. */
    while (*p) {
        while (is_token_space(*p))
            p++;
        if (!*p)
            break;
        if (*p != ';')
            return HP_MEDIA_OTHER;
        p++;
        while (is_token_space(*p))
            p++;
        const char *nb = p;
        while (*p && *p != '=' && *p != ';' && !is_token_space(*p))
            p++;
        size_t nl = (size_t)(p - nb);
        if (*p != '=' || nl == 0)
            return HP_MEDIA_OTHER;
        p++;
        const char *vb = p;
        size_t vl;
        if (*p == '"') {
            vb = ++p;
            while (*p && *p != '"')
                p++;
            if (*p != '"')
                return HP_MEDIA_OTHER;
            vl = (size_t)(p - vb);
            p++;
        } else {
            while (*p && *p != ';' && !is_token_space(*p))
                p++;
            vl = (size_t)(p - vb);
        }
        if (word_is(nb, nl, "charset") && !word_is(vb, vl, "utf-8") && !word_is(vb, vl, "us-ascii"))
            return HP_MEDIA_CHARSET;
    }
    return HP_MEDIA_OK;
}

int http_parse_content_length(const char *s, size_t max, size_t *out)
{
    if (!s || !*s) {
        *out = 0;
        return 0;
    }
    size_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        size_t d = (size_t)(*p - '0');
        /* v > max alone does not stop the wrap when max is near SIZE_MAX. */
        if (v > max || v > (SIZE_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    if (v > max)
        return -2;
    *out = v;
    return 0;
}
