/* Fuzzes multipart. The input's first line (up to LF) is the Content-Type,
 * the rest the body.
 *  - on failure: a whole message and no parts;
 *  - on success: 1 to MULTIPART_MAX_PARTS parts, their data inside the
 *    body, in order, apart, each followed by CRLF "--" boundary; names and
 *    filenames are UTF-8, filenames without '/' or '\', content types
 *    trimmed and free of CR, LF and NUL;
 *  - the parts written out again (as a writer written here would send
 *    them) parse back to the same parts.
 */
#include <string.h>

#include "fuzz.h"
#include "multipart.h"
#include "valid.h"

/* Appends s as a quoted string that multipart reads back as s. */
static void add_quoted(buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_addc(b, '\\');
        buf_addc(b, *s);
    }
    buf_addc(b, '"');
}

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void round_trip(const char *boundary, const multipart *m)
{
    buf body = {0};
    for (size_t i = 0; i < m->n; i++) {
        const multipart_part *p = &m->parts[i];
        /* "%22" in a decoded name stands for itself, which the format
         * cannot say: browsers have the same problem. */
        if (strstr(p->name, "%22") || (p->filename && strstr(p->filename, "%22")))
            goto out;
        buf_printf(&body, "--%s\r\n", boundary);
        size_t start = body.len;
        buf_adds(&body, "Content-Disposition: form-data; name=");
        add_quoted(&body, p->name);
        if (p->filename) {
            buf_adds(&body, "; filename=");
            add_quoted(&body, p->filename);
        }
        buf_adds(&body, "\r\n");
        if (p->content_type)
            buf_printf(&body, "Content-Type: %s\r\n", p->content_type);
        if (body.len - start > MULTIPART_MAX_HEADER_BYTES)
            goto out; /* escaping made it longer than the limit */
        buf_adds(&body, "\r\n");
        buf_add(&body, p->data, p->len);
        buf_adds(&body, "\r\n");
    }
    buf_printf(&body, "--%s--\r\n", boundary);

    arena *a = arena_new();
    char *ct = arena_printf(a, "multipart/form-data; boundary=\"%s\"", boundary);
    multipart m2;
    char err[MULTIPART_ERR_MAX] = "";
    int rc = multipart_parse(a, ct, body.data, body.len, &m2, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "written again: %s\n", err);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(m2.n == m->n);
    for (size_t i = 0; i < m->n; i++) {
        const multipart_part *p = &m->parts[i], *q = &m2.parts[i];
        FUZZ_CHECK(strcmp(p->name, q->name) == 0);
        FUZZ_CHECK(same(p->filename, q->filename));
        FUZZ_CHECK(same(p->content_type, q->content_type));
        FUZZ_CHECK(p->len == q->len && memcmp(p->data, q->data, p->len) == 0);
    }
    arena_free(a);
out:
    buf_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t ctlen = nl ? (size_t)(nl - (const char *)data) : size;
    char *ct = xstrndup((const char *)data, ctlen); /* cut at a NUL, if any */
    const char *body = nl ? nl + 1 : (const char *)data + size;
    size_t len = nl ? size - ctlen - 1 : 0;

    arena *a = arena_new();
    multipart m = {(multipart_part *)1, 12345};
    char err[MULTIPART_ERR_MAX] = "";
    int rc = multipart_parse(a, ct, body, len, &m, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        size_t n = strlen(err);
        FUZZ_CHECK(n > 0 && n < MULTIPART_ERR_MAX - 1);
        FUZZ_CHECK(m.parts == NULL && m.n == 0);
        goto out;
    }
    char berr[MULTIPART_ERR_MAX];
    const char *boundary = multipart_boundary(a, ct, berr, sizeof berr);
    FUZZ_CHECK(boundary != NULL);
    size_t bl = strlen(boundary);
    FUZZ_CHECK(bl >= 1 && bl <= MULTIPART_MAX_BOUNDARY);
    FUZZ_CHECK(m.n >= 1 && m.n <= MULTIPART_MAX_PARTS);
    const char *prev_end = body;
    for (size_t i = 0; i < m.n; i++) {
        const multipart_part *p = &m.parts[i];
        FUZZ_CHECK(p->data >= prev_end && p->len <= len && p->data + p->len <= body + len);
        const char *after = p->data + p->len;
        FUZZ_CHECK((size_t)(body + len - after) >= bl + 4);
        FUZZ_CHECK(memcmp(after, "\r\n--", 4) == 0 && memcmp(after + 4, boundary, bl) == 0);
        prev_end = after;
        FUZZ_CHECK(p->name != NULL && utf8_valid(p->name, strlen(p->name)));
        FUZZ_CHECK(multipart_get(&m, p->name) != NULL);
        if (p->filename) {
            FUZZ_CHECK(utf8_valid(p->filename, strlen(p->filename)));
            FUZZ_CHECK(!strchr(p->filename, '/') && !strchr(p->filename, '\\'));
        }
        if (p->content_type) {
            const char *c = p->content_type;
            size_t n = strlen(c);
            FUZZ_CHECK(!strchr(c, '\r') && !strchr(c, '\n'));
            FUZZ_CHECK(n == 0 || (c[0] != ' ' && c[0] != '\t' && c[n - 1] != ' ' && c[n - 1] != '\t'));
        }
    }
    round_trip(boundary, &m);
out:
    arena_free(a);
    free(ct);
    return 0;
}
