/* multipart: the multipart/form-data parser. */
#include "multipart.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "valid.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) CT_PRINTF(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 2045's tspecials: what a backslash in a quoted string escapes. */
static bool is_tspecial(char c)
{
    return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 2046's bchars, but for the space, which may not come last. */
static bool is_bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* Whether s[0..n) is the lowercase ASCII word w, ignoring case. */
static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* One parameter of a header value: "; name=value" at *pp, before end. The
 * value (a token, or a quoted string unescaped as multipart.h tells) is
 * copied into a. Returns 1 and moves *pp past it, 0 at the end of the value
 * (a trailing ';' is allowed), -1 when malformed. */
static int next_param(arena *a, const char **pp, const char *end, const char **name, size_t *nlen, const char **value)
{
    const char *p = *pp;
    while (p < end && is_ows(*p))
        p++;
    if (p == end)
        return 0;
    if (*p != ';')
        return -1;
    p++;
    while (p < end && is_ows(*p))
        p++;
    if (p == end) {
        *pp = p;
        return 0;
    }
    const char *nb = p;
    while (p < end && *p != '=' && *p != ';' && *p != '"' && !is_ows(*p))
        p++;
    *name = nb;
    *nlen = (size_t)(p - nb);
    while (p < end && is_ows(*p))
        p++;
    if (*nlen == 0 || p == end || *p != '=')
        return -1;
    p++;
    while (p < end && is_ows(*p))
        p++;
    if (p < end && *p == '"') {
        p++;
        char *v = arena_alloc(a, (size_t)(end - p) + 1);
        size_t o = 0;
        for (;;) {
            if (p == end)
                return -1;
            if (*p == '"') {
                p++;
                break;
            }
            if (*p == '\\' && p + 1 < end && is_tspecial(p[1])) {
                v[o++] = p[1];
                p += 2;
            } else if (*p == '%' && end - p >= 3 && p[1] == '2' && p[2] == '2') {
                v[o++] = '"';
                p += 3;
            } else {
                v[o++] = *p++;
            }
        }
        v[o] = '\0';
        *value = v;
    } else {
        const char *vb = p;
        while (p < end && *p != ';' && !is_ows(*p))
            p++;
        *value = arena_strndup(a, vb, (size_t)(p - vb));
    }
    *pp = p;
    return 1;
}

const char *multipart_boundary(arena *a, const char *ct, char *err, size_t errlen)
{
    if (!ct) {
        fail(err, errlen, "the upload has no Content-Type");
        return NULL;
    }
    const char *p = ct, *end = ct + strlen(ct);
    while (p < end && is_ows(*p))
        p++;
    const char *tb = p;
    while (p < end && *p != ';' && !is_ows(*p))
        p++;
    if (!word_is(tb, (size_t)(p - tb), "multipart/form-data")) {
        fail(err, errlen, "the upload is not multipart/form-data");
        return NULL;
    }
    const char *boundary = NULL, *name, *value;
    size_t nlen;
    int rc;
    while ((rc = next_param(a, &p, end, &name, &nlen, &value)) == 1) {
        if (!word_is(name, nlen, "boundary"))
            continue;
        if (boundary) {
            fail(err, errlen, "the Content-Type of the upload has two boundaries");
            return NULL;
        }
        boundary = value;
    }
    if (rc < 0) {
        fail(err, errlen, "the Content-Type of the upload is malformed");
        return NULL;
    }
    if (!boundary) {
        fail(err, errlen, "the Content-Type of the upload has no boundary");
        return NULL;
    }
    size_t n = strlen(boundary);
    if (n == 0) {
        fail(err, errlen, "the boundary of the upload is empty");
        return NULL;
    }
    if (n > MULTIPART_MAX_BOUNDARY) {
        fail(err, errlen, "the boundary of the upload is longer than %d characters", MULTIPART_MAX_BOUNDARY);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_bchar(boundary[i]) || (i == n - 1 && boundary[i] == ' ')) {
            fail(err, errlen, "the boundary of the upload has characters that RFC 2046 does not allow");
            return NULL;
        }
    }
    return boundary;
}

/* A delimiter found in the body. */
typedef struct delim {
    size_t at;    /* where it starts (its CRLF; 0 for one opening the body) */
    size_t after; /* the first byte of the next part (opening delimiters) */
    bool closing; /* "--" followed the boundary */
} delim;

/* Whether body[q..) right after a boundary makes it a delimiter. */
static bool delim_end(const char *body, size_t len, size_t q, delim *d)
{
    if (len - q >= 2 && body[q] == '-' && body[q + 1] == '-') {
        d->closing = true;
        d->after = len;
        return true;
    }
    while (q < len && is_ows(body[q]))
        q++;
    if (len - q >= 2 && body[q] == '\r' && body[q + 1] == '\n') {
        d->closing = false;
        d->after = q + 2;
        return true;
    }
    return false;
}

/* Finds the first delimiter ("\r\n--" boundary, dl bytes in dlm) starting
 * at or after from; with from 0 the body may open with one without its
 * CRLF. Returns false when there is none. */
static bool find_delim(const char *body, size_t len, size_t from, const char *dlm, size_t dl, delim *d)
{
    if (from == 0 && len >= dl - 2 && memcmp(body, dlm + 2, dl - 2) == 0 && delim_end(body, len, dl - 2, d)) {
        d->at = 0;
        return true;
    }
    while (from < len) {
        const char *hit = memmem(body + from, len - from, dlm, dl);
        if (!hit)
            return false;
        size_t at = (size_t)(hit - body);
        if (delim_end(body, len, at + dl, d)) {
            d->at = at;
            return true;
        }
        from = at + 1;
    }
    return false;
}

/* The headers that matter of one part. */
typedef struct part_headers {
    const char *disposition, *content_type;
    size_t disposition_len;
} part_headers;

/* Reads the header lines in body[from..to), each ending with CRLF. */
static int read_headers(arena *a, const char *body, size_t from, size_t to, size_t k, part_headers *h, char *err,
                        size_t errlen)
{
    size_t p = from;
    while (p < to) {
        const char *crlf = memmem(body + p, to - p, "\r\n", 2);
        size_t e = crlf ? (size_t)(crlf - body) : to; /* always found: the section ends with CRLF */
        const char *line = body + p;
        size_t n = e - p;
        if (n == 0)
            return fail(err, errlen, "a header line of part %zu has no name and colon", k);
        if (memchr(line, '\r', n) || memchr(line, '\n', n) || memchr(line, '\0', n))
            return fail(err, errlen, "a header line of part %zu has a stray CR, LF or NUL byte", k);
        if (is_ows(line[0]))
            return fail(err, errlen, "part %zu has a folded header line, which is not supported", k);
        const char *colon = memchr(line, ':', n);
        if (!colon || colon == line)
            return fail(err, errlen, "a header line of part %zu has no name and colon", k);
        size_t nl = (size_t)(colon - line);
        const char *v = colon + 1, *ve = line + n;
        while (v < ve && is_ows(*v))
            v++;
        while (ve > v && is_ows(ve[-1]))
            ve--;
        size_t vl = (size_t)(ve - v);
        if (word_is(line, nl, "content-disposition")) {
            if (h->disposition)
                return fail(err, errlen, "part %zu has two Content-Disposition headers", k);
            h->disposition = v;
            h->disposition_len = vl;
        } else if (word_is(line, nl, "content-type")) {
            if (h->content_type)
                return fail(err, errlen, "part %zu has two Content-Type headers", k);
            h->content_type = arena_strndup(a, v, vl);
        } else if (word_is(line, nl, "content-transfer-encoding")) {
            if (!word_is(v, vl, "7bit") && !word_is(v, vl, "8bit") && !word_is(v, vl, "binary"))
                return fail(err, errlen, "part %zu has a Content-Transfer-Encoding other than binary", k);
        }
        p = e + 2;
    }
    return 0;
}

/* Fills in the name and filename of part from its Content-Disposition. */
static int read_disposition(arena *a, const part_headers *h, size_t k, multipart_part *part, char *err, size_t errlen)
{
    if (!h->disposition)
        return fail(err, errlen, "part %zu has no Content-Disposition header", k);
    const char *p = h->disposition, *end = p + h->disposition_len;
    const char *tb = p;
    while (p < end && *p != ';' && !is_ows(*p))
        p++;
    if (!word_is(tb, (size_t)(p - tb), "form-data"))
        return fail(err, errlen, "the Content-Disposition of part %zu is not form-data", k);
    const char *pname, *value, *name = NULL, *filename = NULL;
    size_t nlen;
    int rc;
    while ((rc = next_param(a, &p, end, &pname, &nlen, &value)) == 1) {
        const char **slot = word_is(pname, nlen, "name") ? &name : word_is(pname, nlen, "filename") ? &filename : NULL;
        if (!slot)
            continue;
        if (*slot)
            return fail(err, errlen, "the Content-Disposition of part %zu has two %s parameters", k,
                        slot == &name ? "name" : "filename");
        *slot = value;
    }
    if (rc < 0)
        return fail(err, errlen, "the Content-Disposition of part %zu is malformed", k);
    if (!name)
        return fail(err, errlen, "part %zu has no name in its Content-Disposition", k);
    if (!utf8_valid(name, strlen(name)))
        return fail(err, errlen, "the name of part %zu is not UTF-8", k);
    if (filename) {
        const char *slash = strrchr(filename, '/'), *bslash = strrchr(filename, '\\');
        if (bslash && (!slash || bslash > slash))
            slash = bslash;
        if (slash)
            filename = slash + 1;
        if (!utf8_valid(filename, strlen(filename)))
            return fail(err, errlen, "the file name of part %zu is not UTF-8", k);
    }
    part->name = name;
    part->filename = filename;
    part->content_type = h->content_type;
    return 0;
}

static int parse(arena *a, const char *ct, const char *body, size_t len, multipart *out, char *err, size_t errlen)
{
    const char *boundary = multipart_boundary(a, ct, err, errlen);
    if (!boundary)
        return -1;
    if (!body)
        len = 0;
    char *dlm = arena_printf(a, "\r\n--%s", boundary);
    size_t dl = strlen(dlm), cap = 0;
    delim d;
    if (!find_delim(body, len, 0, dlm, dl, &d))
        return fail(err, errlen, "the upload has no boundary line: it is empty or cut off");
    if (d.closing)
        return fail(err, errlen, "the upload has no parts");
    while (!d.closing) {
        size_t k = out->n + 1;
        if (out->n == MULTIPART_MAX_PARTS)
            return fail(err, errlen, "the upload has more than %d parts", MULTIPART_MAX_PARTS);
        size_t start = d.after;
        if (!find_delim(body, len, start, dlm, dl, &d))
            return fail(err, errlen, "the upload ended before its closing boundary");
        /* The header lines end with an empty line, whose second CRLF may be
         * the delimiter's own (a part of headers and no data). */
        size_t hend, data;
        if (d.at == start || (body[start] == '\r' && body[start + 1] == '\n')) {
            hend = start; /* no headers at all */
            data = d.at == start ? start : start + 2;
        } else {
            size_t room = d.at + 2 - start;
            if (room > MULTIPART_MAX_HEADER_BYTES + 4)
                room = MULTIPART_MAX_HEADER_BYTES + 4;
            const char *e = memmem(body + start, room, "\r\n\r\n", 4);
            if (!e) {
                if (room == MULTIPART_MAX_HEADER_BYTES + 4)
                    return fail(err, errlen, "the headers of part %zu are longer than %d bytes", k,
                                MULTIPART_MAX_HEADER_BYTES);
                return fail(err, errlen, "the headers of part %zu do not end with an empty line", k);
            }
            hend = (size_t)(e - body) + 2;
            data = hend + 2 > d.at ? d.at : hend + 2;
        }
        if (hend - start > MULTIPART_MAX_HEADER_BYTES)
            return fail(err, errlen, "the headers of part %zu are longer than %d bytes", k, MULTIPART_MAX_HEADER_BYTES);
        part_headers h = {0};
        if (read_headers(a, body, start, hend, k, &h, err, errlen) != 0)
            return -1;
        out->parts = arena_grow(a, out->parts, &cap, out->n, sizeof *out->parts);
        multipart_part *part = &out->parts[out->n];
        if (read_disposition(a, &h, k, part, err, errlen) != 0)
            return -1;
        part->data = body + data;
        part->len = d.at - data;
        out->n++;
    }
    return 0;
}

int multipart_parse(arena *a, const char *ct, const char *body, size_t len, multipart *out, char *err, size_t errlen)
{
    out->parts = NULL;
    out->n = 0;
    if (parse(a, ct, body, len, out, err, errlen) != 0) {
        out->parts = NULL;
        out->n = 0;
        return -1;
    }
    return 0;
}

const multipart_part *multipart_get(const multipart *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->parts[i].name, name) == 0)
            return &m->parts[i];
    return NULL;
}
