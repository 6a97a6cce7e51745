/* vcard: the vCard reader, the value helpers and the writer. */
#include "vcard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parameter or property while its card is read: offsets into the store,
 * turned into pointers once the card is whole, because the store may move
 * while it grows. */
typedef struct raw_param {
    size_t name, value;
} raw_param;

typedef struct raw_prop {
    size_t group, name, value, value_n;
    size_t param0, nparams;
    bool binary;
    size_t line;
} raw_prop;

/* How a value is read. */
enum { MODE_PLAIN, MODE_QP, MODE_BINARY };

struct vcard_reader {
    const char *data;
    size_t len, pos;
    size_t line;         /* the physical line pos is on */
    size_t last_line;    /* the last physical line taken */
    size_t card_line;    /* where the last card (or the error) is */
    size_t version_line; /* where the VERSION of the card being read is */
    int version;         /* of the card being read: 21, 30 or 40 */
    bool failed;
    buf lb;    /* the property being read, unfolded */
    buf store; /* every string of the card, each followed by a NUL */
    raw_prop *raw;
    size_t nraw, capraw;
    raw_param *rawp;
    size_t nrawp, caprawp;
    vcard_prop *props;
    size_t capprops;
    vcard_param *params;
    size_t capparams;
    char err[192];
};

/* ---- Small helpers ---------------------------------------------------- */

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Whether s[0..n) starts with w, without regard to ASCII case. */
static bool ci_prefix(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (upper(s[i]) != upper(w[i]))
            return false;
    return true;
}

/* Whether s[0..n) is w, without regard to ASCII case. */
static bool ci_equal(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && ci_prefix(s, n, w);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(s[i]))
            return false;
    return true;
}

/* Trims spaces and TABs from both ends of s[*a..*b). */
static void trim(const char *s, size_t *a, size_t *b)
{
    while (*a < *b && is_ws(s[*a]))
        (*a)++;
    while (*b > *a && is_ws(s[*b - 1]))
        (*b)--;
}

/* Letters, digits, '-' and '_': the names of properties and parameters. */
static bool is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* A group: tokens joined by '.' (2.1 allows several levels). */
static bool is_group(const char *s, size_t n)
{
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!is_token(s + a, i - a))
                return false;
            a = i + 1;
        }
    }
    return true;
}

/* Whether s[0..n) is word followed by nothing but spaces and TABs. */
static bool is_word_line(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    return ci_prefix(s, n, word) && is_blank(s + k, n - k);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* ---- Lines ------------------------------------------------------------ */

vcard_reader *vcard_reader_new(const char *data, size_t len)
{
    vcard_reader *r = xcalloc(1, sizeof *r);
    r->data = data;
    r->len = data ? len : 0;
    r->line = 1;
    if (r->len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    return r;
}

void vcard_reader_free(vcard_reader *r)
{
    if (!r)
        return;
    buf_free(&r->lb);
    buf_free(&r->store);
    free(r->raw);
    free(r->rawp);
    free(r->props);
    free(r->params);
    free(r);
}

size_t vcard_line(const vcard_reader *r)
{
    return r->card_line;
}

const char *vcard_error(const vcard_reader *r)
{
    return r->failed ? r->err : "";
}

static int fail(vcard_reader *r, size_t line, const char *fmt, ...) CT_PRINTF(3, 4);

static int fail(vcard_reader *r, size_t line, const char *fmt, ...)
{
    r->failed = true;
    r->card_line = line;
    int k = snprintf(r->err, sizeof r->err, "line %zu: ", line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + k, sizeof r->err - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static int fail_no_end(vcard_reader *r, size_t line)
{
    return fail(r, line, "END:VCARD missing for the card that starts at line %zu", r->card_line);
}

/* The end of the physical line that starts at pos: its CR or LF, or the end
 * of the data. */
static size_t line_end(const vcard_reader *r, size_t pos)
{
    while (pos < r->len && r->data[pos] != '\r' && r->data[pos] != '\n')
        pos++;
    return pos;
}

/* The position after the line break at e (CRLF, LF or a lone CR), if any. */
static size_t after_break(const vcard_reader *r, size_t e)
{
    if (e >= r->len)
        return e;
    if (r->data[e] == '\r' && e + 1 < r->len && r->data[e + 1] == '\n')
        return e + 2;
    return e + 1;
}

/* Takes the physical line at pos as data[*s..*e) and moves past it. */
static void take_line(vcard_reader *r, size_t *s, size_t *e)
{
    *s = r->pos;
    *e = line_end(r, r->pos);
    r->last_line = r->line;
    r->pos = after_break(r, *e);
    if (*e < r->len)
        r->line++;
}

/* Whether a line follows at pos that continues the line before (it starts
 * with a space or a TAB). */
static bool folded_next(const vcard_reader *r)
{
    return r->pos < r->len && is_ws(r->data[r->pos]);
}

/* Whether the physical line at pos is word (BEGIN:VCARD, END:VCARD). */
static bool next_is(const vcard_reader *r, const char *word)
{
    return is_word_line(r->data + r->pos, line_end(r, r->pos) - r->pos, word);
}

/* ---- The version ------------------------------------------------------ */

/* Finds the VERSION line of the card that starts before pos, without
 * reading anything: the line decides how the card is unfolded. */
static int find_version(vcard_reader *r)
{
    size_t pos = r->pos, line = r->line, last = r->last_line;
    while (pos < r->len) {
        size_t e = line_end(r, pos);
        const char *s = r->data + pos;
        size_t n = e - pos;
        if (n > 0 && !is_ws(s[0])) {
            if (is_word_line(s, n, "END:VCARD"))
                return fail(r, r->card_line, "VERSION missing in the card that starts here");
            if (is_word_line(s, n, "BEGIN:VCARD"))
                return fail_no_end(r, line);
            if (ci_prefix(s, n, "VERSION:")) {
                size_t a = 8, b = n;
                trim(s, &a, &b);
                static const struct {
                    const char *name;
                    int num;
                } known[] = {{"2.1", 21}, {"3.0", 30}, {"4.0", 40}};
                for (size_t i = 0; i < CT_ARRAY_LEN(known); i++) {
                    if (b - a == 3 && memcmp(s + a, known[i].name, 3) == 0) {
                        r->version = known[i].num;
                        r->version_line = line;
                        return 0;
                    }
                }
                bool printable = b - a > 0 && b - a <= 20;
                for (size_t i = a; i < b && printable; i++)
                    printable = s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"';
                if (printable)
                    return fail(r, line, "unknown vCard version \"%.*s\" (2.1, 3.0 and 4.0 can be read)", (int)(b - a),
                                s + a);
                return fail(r, line, "unknown vCard version (2.1, 3.0 and 4.0 can be read)");
            }
        }
        last = line;
        pos = after_break(r, e);
        if (e < r->len)
            line++;
    }
    return fail_no_end(r, last);
}

/* ---- Properties ------------------------------------------------------- */

static size_t store_str(vcard_reader *r, const char *s, size_t n)
{
    size_t off = r->store.len;
    buf_add(&r->store, s, n);
    buf_addc(&r->store, '\0');
    return off;
}

static size_t store_upper(vcard_reader *r, const char *s, size_t n)
{
    size_t off = r->store.len;
    for (size_t i = 0; i < n; i++)
        buf_addc(&r->store, upper(s[i]));
    buf_addc(&r->store, '\0');
    return off;
}

/* The name a 2.1 parameter without '=' stands for. */
static const char *bare_param_name(const char *v, size_t n)
{
    static const char *const encodings[] = {"7BIT", "8BIT", "QUOTED-PRINTABLE", "BASE64"};
    static const char *const values[] = {"INLINE", "URL", "CONTENT-ID", "CID"};
    for (size_t i = 0; i < CT_ARRAY_LEN(encodings); i++)
        if (ci_equal(v, n, encodings[i]))
            return "ENCODING";
    for (size_t i = 0; i < CT_ARRAY_LEN(values); i++)
        if (ci_equal(v, n, values[i]))
            return "VALUE";
    return "TYPE";
}

/* Stores a 3.0/4.0 parameter value: quotes removed, RFC 6868 ^n ^^ ^'
 * decoded (another ^ is kept). */
static size_t store_quoted_value(vcard_reader *r, const char *v, size_t n)
{
    size_t off = r->store.len;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == '"')
            continue;
        if (c == '^' && i + 1 < n && (v[i + 1] == 'n' || v[i + 1] == '^' || v[i + 1] == '\'')) {
            i++;
            c = v[i] == 'n' ? '\n' : v[i] == '^' ? '^' : '"';
        }
        buf_addc(&r->store, c);
    }
    buf_addc(&r->store, '\0');
    return off;
}

/* Reads one parameter p[0..n) of the property at line into the current
 * property; sets *mode from ENCODING. */
static int read_param(vcard_reader *r, const char *p, size_t n, size_t line, int *mode)
{
    size_t a = 0, b = n;
    trim(p, &a, &b);
    if (a == b)
        return 0; /* ";;": nothing there */
    raw_prop *rp = &r->raw[r->nraw - 1];
    if (rp->nparams == VCARD_MAX_PARAMS)
        return fail(r, line, "more than %d parameters in a property", VCARD_MAX_PARAMS);
    for (size_t i = a; i < b; i++)
        if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7F)
            return fail(r, line, "a control character in the parameters");
    const char *eq = memchr(p + a, '=', b - a);
    raw_param rq;
    bool encoding;
    size_t vs, ve;
    if (!eq) {
        const char *name = bare_param_name(p + a, b - a);
        encoding = strcmp(name, "ENCODING") == 0;
        rq.name = store_str(r, name, strlen(name));
        vs = a;
        ve = b;
        rq.value = store_str(r, p + vs, ve - vs);
    } else {
        size_t ne = (size_t)(eq - p), na = a;
        trim(p, &na, &ne);
        if (na == ne)
            return fail(r, line, "a parameter without a name");
        if (!is_token(p + na, ne - na))
            return fail(r, line, "a parameter name with characters other than letters, digits, '-' and '_'");
        rq.name = store_upper(r, p + na, ne - na);
        encoding = strcmp(r->store.data + rq.name, "ENCODING") == 0;
        vs = (size_t)(eq - p) + 1;
        ve = b;
        if (r->version != 21) {
            rq.value = store_quoted_value(r, p + vs, ve - vs);
        } else {
            if (ve - vs >= 2 && p[vs] == '"' && p[ve - 1] == '"') {
                vs++;
                ve--;
            }
            rq.value = store_str(r, p + vs, ve - vs);
        }
    }
    if (encoding) {
        const char *v = r->store.data + rq.value;
        size_t vn = strlen(v);
        if (ci_equal(v, vn, "B") || ci_equal(v, vn, "BASE64"))
            *mode = MODE_BINARY;
        else if (ci_equal(v, vn, "QUOTED-PRINTABLE"))
            *mode = MODE_QP;
    }
    if (r->nrawp == r->caprawp) {
        r->caprawp = r->caprawp ? r->caprawp * 2 : 64;
        r->rawp = xrealloc(r->rawp, r->caprawp * sizeof *r->rawp);
    }
    r->rawp[r->nrawp++] = rq;
    rp->nparams++;
    return 0;
}

/* Reads the name, group and parameters h[0..n) (everything before the
 * colon) of the property at line, starting a new property unless it is the
 * card's VERSION (*skip is then set). */
static int read_head(vcard_reader *r, const char *h, size_t n, size_t line, int *mode, bool *media, bool *skip)
{
    size_t k = 0;
    while (k < n && h[k] != ';')
        k++;
    size_t dot = k;
    for (size_t i = k; i > 0; i--) {
        if (h[i - 1] == '.') {
            dot = i - 1;
            break;
        }
    }
    const char *nm = dot < k ? h + dot + 1 : h;
    size_t nn = dot < k ? k - dot - 1 : k;
    if (nn == 0)
        return fail(r, line, "a property without a name");
    if (!is_token(nm, nn))
        return fail(r, line, "a property name with characters other than letters, digits, '-' and '_'");
    if (dot < k && !is_group(h, dot))
        return fail(r, line, "a property group with characters other than letters, digits, '-' and '_'");
    if (dot == k && ci_equal(nm, nn, "VERSION")) {
        if (line != r->version_line)
            return fail(r, line, "a second VERSION in the card that starts at line %zu", r->card_line);
        *skip = true;
        return 0;
    }
    if (r->nraw == VCARD_MAX_PROPS)
        return fail(r, line, "more than %d properties in the card that starts at line %zu", VCARD_MAX_PROPS,
                    r->card_line);
    if (r->nraw == r->capraw) {
        r->capraw = r->capraw ? r->capraw * 2 : 32;
        r->raw = xrealloc(r->raw, r->capraw * sizeof *r->raw);
    }
    raw_prop *rp = &r->raw[r->nraw++];
    memset(rp, 0, sizeof *rp);
    rp->line = line;
    rp->group = store_str(r, h, dot < k ? dot : 0);
    rp->name = store_upper(r, nm, nn);
    rp->param0 = r->nrawp;
    *media =
        ci_equal(nm, nn, "PHOTO") || ci_equal(nm, nn, "LOGO") || ci_equal(nm, nn, "SOUND") || ci_equal(nm, nn, "KEY");

    bool quotes = r->version != 21;
    size_t i = k;
    while (i < n) {
        size_t st = ++i;
        bool q = false;
        while (i < n && (q || h[i] != ';')) {
            if (h[i] == '"' && quotes)
                q = !q;
            i++;
        }
        if (read_param(r, h + st, i - st, line, mode) != 0)
            return -1;
    }
    return 0;
}

static void truncate_to(buf *b, size_t n)
{
    b->len = n;
    b->data[n] = '\0';
}

/* Appends p[0..n) to the property being read, within the limit. */
static int append(vcard_reader *r, size_t line, const char *p, size_t n)
{
    if (n > VCARD_MAX_PROP_BYTES - r->lb.len)
        return fail(r, line, "a property longer than %d bytes", VCARD_MAX_PROP_BYTES);
    buf_add(&r->lb, p, n);
    return 0;
}

/* Decodes quoted-printable p[0..n) in place; returns the new length. A
 * soft line break left at the very end is dropped. */
static size_t qp_decode(char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '=') {
            if (i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
                p[o++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
                i += 2;
                continue;
            }
            if (i + 1 == n)
                break;
        }
        p[o++] = p[i];
    }
    return o;
}

static bool is_base64_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '=' || is_ws(c)))
            return false;
    }
    return true;
}

/* After the lines of a binary value: takes the lines of only base64
 * characters that go on with it, and the empty line that ends it. */
static void skip_base64_lines(vcard_reader *r)
{
    while (r->pos < r->len) {
        size_t s = r->pos, e = line_end(r, s);
        if (s == e) {
            take_line(r, &s, &e);
            return;
        }
        if (!is_base64_line(r->data + s, e - s))
            return;
        take_line(r, &s, &e);
    }
}

/* Reads one property: its first line is at pos. */
static int read_prop(vcard_reader *r)
{
    buf *lb = &r->lb;
    size_t line = r->line, s, e;
    buf_reset(lb);
    take_line(r, &s, &e);
    if (append(r, line, r->data + s, e - s) != 0)
        return -1;
    bool quotes = r->version != 21, inq = false, have_colon = false, media = false, skip = false;
    bool data_checked = false, last_nonempty = e > s;
    size_t scan = 0, colon = 0;
    int mode = MODE_PLAIN;
    for (;;) {
        if (!have_colon) {
            for (; scan < lb->len; scan++) {
                char c = lb->data[scan];
                if (c == '"' && quotes) {
                    inq = !inq;
                } else if (c == ':' && !inq) {
                    have_colon = true;
                    colon = scan;
                    break;
                }
            }
            if (have_colon) {
                if (read_head(r, lb->data, colon, line, &mode, &media, &skip) != 0)
                    return -1;
                if (skip)
                    mode = MODE_PLAIN;
                else if (mode == MODE_BINARY)
                    truncate_to(lb, colon + 1);
            }
        }
        if (have_colon && mode == MODE_PLAIN && media && !data_checked && lb->len >= colon + 6) {
            data_checked = true;
            if (ci_prefix(lb->data + colon + 1, lb->len - colon - 1, "data:")) {
                mode = MODE_BINARY;
                truncate_to(lb, colon + 1);
            }
        }
        if (mode == MODE_QP && last_nonempty && lb->len > colon + 1 && lb->data[lb->len - 1] == '=' &&
            r->pos < r->len && !next_is(r, "END:VCARD")) {
            /* A soft line break: the next line goes on as it is, whatever
             * it starts with. */
            truncate_to(lb, lb->len - 1);
            take_line(r, &s, &e);
            if (append(r, line, r->data + s, e - s) != 0)
                return -1;
            last_nonempty = e > s;
            continue;
        }
        if (folded_next(r)) {
            take_line(r, &s, &e);
            if (mode == MODE_BINARY)
                continue;
            size_t from = r->version == 21 ? s : s + 1;
            if (append(r, line, r->data + from, e - from) != 0)
                return -1;
            last_nonempty = e > from;
            continue;
        }
        break;
    }
    if (!have_colon)
        return fail(r, line, inq ? "an unterminated quote in the parameters" : "a property line without a colon");
    if (mode == MODE_BINARY)
        skip_base64_lines(r);
    if (skip)
        return 0;
    char *v = lb->data + colon + 1;
    size_t vn = lb->len - colon - 1;
    if (mode == MODE_QP)
        vn = qp_decode(v, vn);
    raw_prop *rp = &r->raw[r->nraw - 1];
    rp->binary = mode == MODE_BINARY;
    rp->value = store_str(r, v, vn);
    rp->value_n = vn;
    return 0;
}

/* Whether the property before is a 2.1 AGENT whose value is the embedded
 * card that follows. */
static bool agent_before(const vcard_reader *r)
{
    if (r->version != 21 || r->nraw == 0)
        return false;
    const raw_prop *rp = &r->raw[r->nraw - 1];
    return rp->value_n == 0 && !rp->binary && strcmp(r->store.data + rp->name, "AGENT") == 0;
}

/* Skips the embedded card whose BEGIN:VCARD is at pos, and any card
 * embedded in that one. */
static int skip_embedded(vcard_reader *r)
{
    size_t depth = 0, s, e;
    do {
        if (r->pos >= r->len)
            return fail_no_end(r, r->last_line);
        take_line(r, &s, &e);
        if (is_word_line(r->data + s, e - s, "BEGIN:VCARD"))
            depth++;
        else if (is_word_line(r->data + s, e - s, "END:VCARD"))
            depth--;
    } while (depth > 0);
    return 0;
}

/* Turns the offsets of the card just read into the card handed out. */
static void finish_card(vcard_reader *r, vcard_card *card)
{
    if (r->capprops < r->nraw) {
        r->capprops = r->capraw;
        r->props = xrealloc(r->props, r->capprops * sizeof *r->props);
    }
    if (r->capparams < r->nrawp) {
        r->capparams = r->caprawp;
        r->params = xrealloc(r->params, r->capparams * sizeof *r->params);
    }
    const char *base = r->store.data;
    for (size_t i = 0; i < r->nrawp; i++) {
        r->params[i].name = base + r->rawp[i].name;
        r->params[i].value = base + r->rawp[i].value;
    }
    for (size_t i = 0; i < r->nraw; i++) {
        const raw_prop *rp = &r->raw[i];
        vcard_prop *p = &r->props[i];
        p->group = base + rp->group;
        p->name = base + rp->name;
        p->params = rp->nparams ? r->params + rp->param0 : NULL;
        p->nparams = rp->nparams;
        p->value = base + rp->value;
        p->value_n = rp->value_n;
        p->binary = rp->binary;
        p->line = rp->line;
    }
    card->version = r->version == 21 ? "2.1" : r->version == 30 ? "3.0" : "4.0";
    card->version_num = r->version;
    card->line = r->card_line;
    card->props = r->props;
    card->nprops = r->nraw;
}

int vcard_next(vcard_reader *r, vcard_card *card)
{
    if (r->failed)
        return -1;
    size_t s, e;
    for (;;) {
        if (r->pos >= r->len)
            return 0;
        take_line(r, &s, &e);
        if (is_blank(r->data + s, e - s))
            continue;
        if (is_word_line(r->data + s, e - s, "BEGIN:VCARD"))
            break;
        return fail(r, r->last_line, "BEGIN:VCARD expected");
    }
    r->card_line = r->last_line;
    r->nraw = r->nrawp = 0;
    buf_reset(&r->store);
    if (find_version(r) != 0)
        return -1;
    for (;;) {
        if (r->pos >= r->len)
            return fail_no_end(r, r->last_line);
        const char *p = r->data + r->pos;
        size_t n = line_end(r, r->pos) - r->pos;
        if (is_blank(p, n)) {
            take_line(r, &s, &e);
            continue;
        }
        if (is_ws(p[0]))
            return fail(r, r->line, "a folded line with no property before it");
        if (is_word_line(p, n, "END:VCARD")) {
            take_line(r, &s, &e);
            break;
        }
        if (is_word_line(p, n, "BEGIN:VCARD")) {
            if (!agent_before(r))
                return fail_no_end(r, r->line);
            if (skip_embedded(r) != 0)
                return -1;
            continue;
        }
        if (read_prop(r) != 0)
            return -1;
    }
    finish_card(r, card);
    return 1;
}

/* ---- Parameters and values -------------------------------------------- */

const char *vcard_param_get(const vcard_prop *p, const char *name)
{
    for (size_t i = 0; i < p->nparams; i++)
        if (ci_equal(p->params[i].name, strlen(p->params[i].name), name))
            return p->params[i].value;
    return NULL;
}

/* Calls back for each item of the TYPE parameters of p, trimmed; stops
 * when fn returns true and returns true then. */
static bool each_type(const vcard_prop *p, bool (*fn)(const char *s, size_t n, const void *arg), const void *arg)
{
    for (size_t i = 0; i < p->nparams; i++) {
        if (strcmp(p->params[i].name, "TYPE") != 0)
            continue;
        const char *v = p->params[i].value;
        size_t n = strlen(v), a = 0;
        while (a <= n) {
            const char *c = memchr(v + a, ',', n - a);
            size_t b = c ? (size_t)(c - v) : n, ia = a, ib = b;
            trim(v, &ia, &ib);
            if (fn(v + ia, ib - ia, arg))
                return true;
            a = b + 1;
        }
    }
    return false;
}

static bool type_is(const char *s, size_t n, const void *arg)
{
    return ci_equal(s, n, arg);
}

bool vcard_prop_has_type(const vcard_prop *p, const char *type)
{
    return each_type(p, type_is, type);
}

int vcard_prop_pref(const vcard_prop *p)
{
    int best = each_type(p, type_is, "PREF") ? 1 : 0;
    for (size_t i = 0; i < p->nparams; i++) {
        if (strcmp(p->params[i].name, "PREF") != 0)
            continue;
        const char *v = p->params[i].value;
        size_t a = 0, b = strlen(v);
        trim(v, &a, &b);
        int64_t k;
        if (parse_i64(v + a, b - a, 1, 100, &k) == 0 && (best == 0 || k < best))
            best = (int)k;
    }
    return best;
}

static size_t split_at(const char *v, size_t n, char sep, vcard_str *out, size_t max)
{
    size_t count = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\') {
            i++;
        } else if (v[i] == sep) {
            if (count < max)
                out[count] = (vcard_str){v + start, i - start};
            count++;
            start = i + 1;
        }
    }
    if (count < max)
        out[count] = (vcard_str){v + start, n - start};
    return count + 1;
}

size_t vcard_split(const char *v, size_t n, vcard_str *out, size_t max)
{
    return split_at(v, n, ';', out, max);
}

size_t vcard_split_list(const char *v, size_t n, vcard_str *out, size_t max)
{
    return split_at(v, n, ',', out, max);
}

void vcard_unescape(buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        if (!bs) {
            buf_add(out, s + i, n - i);
            return;
        }
        size_t k = (size_t)(bs - s);
        buf_add(out, s + i, k - i);
        char c = k + 1 < n ? s[k + 1] : '\0';
        if (c == 'n' || c == 'N') {
            buf_addc(out, '\n');
            i = k + 2;
        } else if (k + 1 < n && (c == '\\' || c == ',' || c == ';')) {
            buf_addc(out, c);
            i = k + 2;
        } else {
            buf_addc(out, '\\');
            i = k + 1;
        }
    }
}

bool vcard_tel_split(const char *v, size_t n, vcard_tel *out)
{
    out->number = (vcard_str){v, n};
    out->ext = (vcard_str){v, 0};
    if (!ci_prefix(v, n, "tel:"))
        return false;
    const char *p = v + 4, *end = v + n;
    const char *semi = memchr(p, ';', (size_t)(end - p));
    out->number = (vcard_str){p, semi ? (size_t)(semi - p) : (size_t)(end - p)};
    while (semi) {
        const char *ps = semi + 1;
        semi = memchr(ps, ';', (size_t)(end - ps));
        const char *pe = semi ? semi : end;
        if (ci_prefix(ps, (size_t)(pe - ps), "ext=")) {
            out->ext = (vcard_str){ps + 4, (size_t)(pe - ps) - 4};
            break;
        }
    }
    return true;
}

/* ---- The writer ------------------------------------------------------- */

/* Writes one folded line: col is the length of the physical line so far. */
typedef struct folder {
    buf *out;
    size_t col;
} folder;

/* Writes p[0..n), which must stay on one line (a UTF-8 sequence or an
 * escape), folding first if it does not fit. */
static void put(folder *f, const char *p, size_t n)
{
    if (f->col + n > VCARD_LINE_OCTETS) {
        buf_add(f->out, "\r\n ", 3);
        f->col = 1;
    }
    buf_add(f->out, p, n);
    f->col += n;
}

/* The length of the UTF-8 sequence at s[0..n): its lead byte and as many
 * continuation bytes as it asks for and has; 1 for any other byte. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    size_t want = 1;
    if (s[0] >= 0xC0 && s[0] <= 0xDF)
        want = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        want = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF7)
        want = 4;
    size_t k = 1;
    while (k < want && k < n && (s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* How put_bytes writes: a name or parameters (line breaks as spaces), a
 * raw value (line breaks as \n), escaped text. */
enum { PUT_HEAD, PUT_RAW, PUT_TEXT };

static void put_bytes(folder *f, const char *s, size_t n, int how)
{
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\r' || c == '\n') {
            i += c == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
            if (how == PUT_HEAD)
                put(f, " ", 1);
            else
                put(f, "\\n", 2);
            continue;
        }
        if (how == PUT_TEXT && (c == '\\' || c == ',' || c == ';')) {
            char esc[2] = {'\\', c};
            put(f, esc, 2);
            i++;
            continue;
        }
        size_t k = seq_len((const unsigned char *)s + i, n - i);
        put(f, s + i, k);
        i += k;
    }
}

void vcard_escape(buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            buf_add(out, "\\n", 2);
        } else if (c == '\\' || c == ',' || c == ';') {
            buf_addc(out, '\\');
            buf_addc(out, c);
        } else {
            buf_addc(out, c);
        }
    }
}

void vcard_write_begin(buf *out, int version)
{
    buf_adds(out, version == 3 ? "BEGIN:VCARD\r\nVERSION:3.0\r\n" : "BEGIN:VCARD\r\nVERSION:4.0\r\n");
}

void vcard_write_end(buf *out)
{
    buf_adds(out, "END:VCARD\r\n");
}

/* Writes name, the parameters and the colon of a property line. */
static void put_head(folder *f, const char *name, const char *params)
{
    put_bytes(f, name, strlen(name), PUT_HEAD);
    if (params && params[0]) {
        put(f, ";", 1);
        put_bytes(f, params, strlen(params), PUT_HEAD);
    }
    put(f, ":", 1);
}

void vcard_write_prop(buf *out, const char *name, const char *params, const vcard_str *comps, size_t ncomps)
{
    folder f = {out, 0};
    put_head(&f, name, params);
    for (size_t i = 0; i < ncomps; i++) {
        if (i)
            put(&f, ";", 1);
        put_bytes(&f, comps[i].p, comps[i].n, PUT_TEXT);
    }
    buf_add(out, "\r\n", 2);
}

void vcard_write_text(buf *out, const char *name, const char *params, const char *s, size_t n)
{
    vcard_str one = {s, n};
    vcard_write_prop(out, name, params, &one, 1);
}

void vcard_write_raw(buf *out, const char *name, const char *params, const char *value, size_t n)
{
    folder f = {out, 0};
    put_head(&f, name, params);
    put_bytes(&f, value, n, PUT_RAW);
    buf_add(out, "\r\n", 2);
}
