/* Fuzzes the vcard codec:
 *  - the reader over the input: the invariants of vcard.h (limits, names,
 *    values, line numbers, sticky errors naming their line), and the same
 *    cards, values and errors when every line break of the input is
 *    rewritten as LF, as CR or as CRLF;
 *  - the value helpers on every value read and on the input itself, against
 *    references written here from the rules in vcard.h;
 *  - the writer: properties cut out of the input (properties end at 0x1E,
 *    components at 0x1F) written and read back give the same values, in
 *    lines of at most 75 octets that are valid UTF-8 when the values are.
 */
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "vcard.h"

/* ---- References for the helpers ------------------------------------- */

static void ref_unescape(buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[i + 1];
            if (c == 'n' || c == 'N') {
                buf_addc(out, '\n');
                i++;
                continue;
            }
            if (c == '\\' || c == ',' || c == ';') {
                buf_addc(out, c);
                i++;
                continue;
            }
        }
        buf_addc(out, s[i]);
    }
}

/* Checks vcard_split or vcard_split_list (by sep) on v[0..n): the stored
 * components are contiguous slices that rebuild v, split at the separators
 * that an even run of backslashes comes before. */
static void check_split(const char *v, size_t n, char sep)
{
    vcard_str out[8];
    size_t k = sep == ';' ? vcard_split(v, n, out, 8) : vcard_split_list(v, n, out, 8);
    size_t want = 1, stored = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\')
            i++;
        else if (v[i] == sep)
            want++;
    }
    FUZZ_CHECK(k == want);
    stored = k < 8 ? k : 8;
    const char *at = v;
    for (size_t i = 0; i < stored; i++) {
        FUZZ_CHECK(out[i].p == at);
        FUZZ_CHECK(out[i].p + out[i].n <= v + n);
        at = out[i].p + out[i].n;
        if (i + 1 < k) {
            FUZZ_CHECK(at < v + n && *at == sep);
            at++;
        }
    }
    if (k <= 8)
        FUZZ_CHECK(at == v + n);
}

static void check_helpers_on(const char *v, size_t n)
{
    check_split(v, n, ';');
    check_split(v, n, ',');
    buf a = {0}, b = {0};
    vcard_unescape(&a, v, n);
    ref_unescape(&b, v, n);
    FUZZ_CHECK(a.len == b.len && a.len <= n);
    FUZZ_CHECK(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    buf_free(&a);
    buf_free(&b);

    vcard_tel t;
    bool uri = vcard_tel_split(v, n, &t);
    FUZZ_CHECK(t.number.p >= v && t.number.p + t.number.n <= v + n);
    FUZZ_CHECK(t.ext.n == 0 || (t.ext.p >= v && t.ext.p + t.ext.n <= v + n));
    if (uri) {
        FUZZ_CHECK(n >= 4 && t.number.p == v + 4 && memchr(t.number.p, ';', t.number.n) == NULL);
        FUZZ_CHECK(t.ext.n == 0 || memchr(t.ext.p, ';', t.ext.n) == NULL);
    } else {
        FUZZ_CHECK(t.number.p == v && t.number.n == n && t.ext.n == 0);
    }
}

/* ---- The reader -------------------------------------------------------- */

static bool upper_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

/* A TYPE item as vcard_prop_has_type sees them. */
static bool ref_has_type(const vcard_prop *p, const char *type)
{
    size_t tn = strlen(type);
    for (size_t i = 0; i < p->nparams; i++) {
        if (strcmp(p->params[i].name, "TYPE") != 0)
            continue;
        const char *v = p->params[i].value;
        for (;;) {
            const char *c = strchr(v, ',');
            size_t a = 0, b = c ? (size_t)(c - v) : strlen(v);
            while (a < b && (v[a] == ' ' || v[a] == '\t'))
                a++;
            while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
                b--;
            if (b - a == tn) {
                size_t k = 0;
                while (k < tn && (v[a + k] | 0x20) == (type[k] | 0x20))
                    k++;
                if (k == tn)
                    return true;
            }
            if (!c)
                break;
            v = c + 1;
        }
    }
    return false;
}

/* Reads the whole input, checks every card and renders what was read into
 * dump (cards, properties, parameters, values, lines, the error). */
static void read_all(const char *data, size_t size, buf *dump)
{
    vcard_reader *r = vcard_reader_new(data, size);
    FUZZ_CHECK(r != NULL && vcard_line(r) == 0 && vcard_error(r)[0] == '\0');
    vcard_card c;
    int rc;
    size_t prev_card = 0, total = 0;
    while ((rc = vcard_next(r, &c)) == 1) {
        FUZZ_CHECK(c.line > prev_card && vcard_line(r) == c.line);
        FUZZ_CHECK((strcmp(c.version, "2.1") == 0 && c.version_num == 21) ||
                   (strcmp(c.version, "3.0") == 0 && c.version_num == 30) ||
                   (strcmp(c.version, "4.0") == 0 && c.version_num == 40));
        FUZZ_CHECK(c.nprops <= VCARD_MAX_PROPS);
        buf_printf(dump, "card %s %zu\n", c.version, c.line);
        size_t prev_line = c.line;
        for (size_t i = 0; i < c.nprops; i++) {
            const vcard_prop *p = &c.props[i];
            /* Each property starts on a line of its own, after the card's BEGIN. */
            FUZZ_CHECK(p->line > prev_line);
            prev_line = p->line;
            FUZZ_CHECK(upper_token(p->name));
            FUZZ_CHECK(strcmp(p->name, "VERSION") != 0 || p->group[0]);
            FUZZ_CHECK(p->nparams <= VCARD_MAX_PARAMS);
            FUZZ_CHECK(p->value_n <= VCARD_MAX_PROP_BYTES && p->value[p->value_n] == '\0');
            FUZZ_CHECK(!p->binary || p->value_n == 0);
            total += p->value_n;
            buf_printf(dump, "%s.%s@%zu", p->group, p->name, p->line);
            for (size_t k = 0; k < p->nparams; k++) {
                FUZZ_CHECK(upper_token(p->params[k].name));
                for (const char *q = p->params[k].value; *q; q++)
                    FUZZ_CHECK((unsigned char)*q >= 0x20 || *q == '\t' || *q == '\n');
                buf_printf(dump, ";%s=%s", p->params[k].name, p->params[k].value);
            }
            buf_printf(dump, ":%d:", p->binary);
            buf_add(dump, p->value, p->value_n);
            buf_addc(dump, '\n');

            int pref = vcard_prop_pref(p);
            FUZZ_CHECK(pref >= 0 && pref <= 100);
            FUZZ_CHECK(vcard_prop_has_type(p, "pref") == ref_has_type(p, "pref"));
            if (ref_has_type(p, "pref"))
                FUZZ_CHECK(pref == 1);
            FUZZ_CHECK(vcard_prop_has_type(p, "work") == ref_has_type(p, "work"));
            FUZZ_CHECK(vcard_prop_has_type(p, "") == ref_has_type(p, ""));
            const char *first_type = NULL;
            for (size_t k = 0; k < p->nparams && !first_type; k++)
                if (strcmp(p->params[k].name, "TYPE") == 0)
                    first_type = p->params[k].value;
            FUZZ_CHECK(vcard_param_get(p, "type") == first_type);
            check_helpers_on(p->value, p->value_n);
        }
        /* Unfolding and decoding never add bytes. */
        FUZZ_CHECK(total <= size);
        prev_card = c.line;
    }
    if (rc < 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %zu: ", vcard_line(r));
        FUZZ_CHECK(vcard_line(r) >= 1);
        FUZZ_CHECK(strncmp(vcard_error(r), prefix, strlen(prefix)) == 0);
        FUZZ_CHECK(strlen(vcard_error(r)) > strlen(prefix));
        buf_printf(dump, "error %s\n", vcard_error(r));
        FUZZ_CHECK(vcard_next(r, &c) == -1); /* sticky */
    } else {
        FUZZ_CHECK(rc == 0 && vcard_error(r)[0] == '\0');
        FUZZ_CHECK(vcard_next(r, &c) == 0);
        buf_adds(dump, "end\n");
    }
    vcard_reader_free(r);
}

/* The input with every line break (CRLF, LF or a lone CR) written as brk. */
static void rebreak(const uint8_t *d, size_t n, const char *brk, buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '\r' || d[i] == '\n') {
            if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
                i++;
            buf_adds(out, brk);
        } else {
            buf_addc(out, (char)d[i]);
        }
    }
}

static void check_reader(const uint8_t *data, size_t size)
{
    buf want = {0};
    read_all((const char *)data, size, &want);
    static const char *const breaks[] = {"\n", "\r", "\r\n"};
    for (size_t i = 0; i < CT_ARRAY_LEN(breaks); i++) {
        buf in = {0}, got = {0};
        rebreak(data, size, breaks[i], &in);
        read_all(in.data ? in.data : "", in.len, &got);
        if (got.len != want.len || memcmp(got.data, want.data, want.len) != 0)
            fprintf(stderr, "with %zu-byte breaks:\n%s\nwithout:\n%s\n", strlen(breaks[i]), buf_str(&got),
                    buf_str(&want));
        FUZZ_CHECK(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
        buf_free(&in);
        buf_free(&got);
    }
    buf_free(&want);
}

/* ---- The writer, read back ------------------------------------------- */

static const char *const names[] = {"NOTE", "N", "ADR", "item1.X-CUSTOM", "FN", "ORG", "EMAIL", "TEL"};
static const char *const param_sets[] = {
    NULL,
    "TYPE=work,voice;PREF=1",
    "TYPE=\"voice,cell\"",
    "LANGUAGE=de",
    "X-LONG=\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
    "\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xF0\x9F\x98\x80\xF0\x9F\x98"
    "\x80"
    "\xF0\x9F\x98\x80 long enough to be folded somewhere in the middle\"",
};

/* s[0..n) with CRLF and CR made LF (text) or with each line break made
 * the two characters \n (raw). */
static void expected_value(buf *out, const char *s, size_t n, bool raw)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            buf_adds(out, raw ? "\\n" : "\n");
        } else {
            buf_addc(out, s[i]);
        }
    }
}

typedef struct wprop {
    size_t name, params;
    bool raw;
    size_t first, ncomps; /* into the component table */
} wprop;

static void round_trip(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    int version = data[0] & 1 ? 4 : 3;
    const char *in = (const char *)data + 1, *end = (const char *)data + size;
    vcard_str *comps = NULL;
    size_t ncomps = 0;
    wprop *props = NULL;
    size_t nprops = 0;
    bool utf8 = true;
    buf out = {0};
    vcard_write_begin(&out, version);
    while (in < end) {
        const char *pe = memchr(in, 0x1E, (size_t)(end - in));
        if (!pe)
            pe = end;
        wprop w = {0};
        if (pe > in) {
            unsigned char sel = (unsigned char)*in++;
            w.name = sel % CT_ARRAY_LEN(names);
            w.params = (sel >> 3) % CT_ARRAY_LEN(param_sets);
            w.raw = (sel & 0x80) != 0;
        }
        w.first = ncomps;
        const char *f = in;
        for (;;) {
            const char *fe = memchr(f, 0x1F, (size_t)(pe - f));
            if (!fe)
                fe = pe;
            comps = xrealloc(comps, (ncomps + 1) * sizeof *comps);
            comps[ncomps++] = (vcard_str){f, (size_t)(fe - f)};
            if (u8_check((const uint8_t *)f, (size_t)(fe - f)) != NULL)
                utf8 = false;
            if (fe == pe)
                break;
            f = fe + 1;
        }
        w.ncomps = ncomps - w.first;
        if (w.raw) {
            /* A raw value is one string: the components and their 0x1F. */
            size_t n = (size_t)(pe - in);
            vcard_write_raw(&out, names[w.name], param_sets[w.params], in, n);
        } else {
            vcard_write_prop(&out, names[w.name], param_sets[w.params], comps + w.first, w.ncomps);
        }
        props = xrealloc(props, (nprops + 1) * sizeof *props);
        props[nprops++] = w;
        in = pe == end ? end : pe + 1;
    }
    vcard_write_end(&out);

    /* The lines. */
    size_t i = 0;
    while (i < out.len) {
        const char *crlf = memmem(out.data + i, out.len - i, "\r\n", 2);
        FUZZ_CHECK(crlf != NULL);
        size_t n = (size_t)(crlf - (out.data + i));
        FUZZ_CHECK(n <= VCARD_LINE_OCTETS);
        FUZZ_CHECK(memchr(out.data + i, '\r', n) == NULL && memchr(out.data + i, '\n', n) == NULL);
        if (utf8)
            FUZZ_CHECK(u8_check((const uint8_t *)out.data + i, n) == NULL);
        i += n + 2;
    }

    /* Read back. */
    vcard_reader *r = vcard_reader_new(out.data, out.len);
    vcard_card c;
    int rc = vcard_next(r, &c);
    if (rc != 1)
        fprintf(stderr, "%s\n", vcard_error(r));
    FUZZ_CHECK(rc == 1);
    FUZZ_CHECK(c.version_num == version * 10 && c.nprops == nprops);
    buf want = {0}, got = {0};
    for (size_t k = 0; k < nprops; k++) {
        const wprop *w = &props[k];
        const vcard_prop *p = &c.props[k];
        const char *dot = strchr(names[w->name], '.');
        FUZZ_CHECK(strcmp(p->name, dot ? dot + 1 : names[w->name]) == 0);
        size_t glen = dot ? (size_t)(dot - names[w->name]) : 0;
        FUZZ_CHECK(strlen(p->group) == glen && strncmp(p->group, names[w->name], glen) == 0);
        FUZZ_CHECK(!p->binary);
        if (w->params == 1)
            FUZZ_CHECK(vcard_prop_has_type(p, "voice") && vcard_prop_pref(p) == 1);
        if (w->params == 2)
            FUZZ_CHECK(vcard_prop_has_type(p, "cell") && !vcard_prop_has_type(p, "work"));
        if (w->params == 4)
            FUZZ_CHECK(strncmp(vcard_param_get(p, "X-LONG"), "\xC3\xA9\xC3\xA9", 4) == 0);
        if (w->raw) {
            buf_reset(&want);
            const vcard_str *first = &comps[w->first], *last = &comps[w->first + w->ncomps - 1];
            expected_value(&want, first->p, (size_t)(last->p + last->n - first->p), true);
            FUZZ_CHECK(p->value_n == want.len && (want.len == 0 || memcmp(p->value, want.data, want.len) == 0));
            continue;
        }
        vcard_str parts[64];
        size_t np = vcard_split(p->value, p->value_n, parts, CT_ARRAY_LEN(parts));
        FUZZ_CHECK(np == (w->ncomps ? w->ncomps : 1));
        for (size_t j = 0; j < np && j < CT_ARRAY_LEN(parts); j++) {
            buf_reset(&want);
            buf_reset(&got);
            if (w->ncomps)
                expected_value(&want, comps[w->first + j].p, comps[w->first + j].n, false);
            vcard_unescape(&got, parts[j].p, parts[j].n);
            FUZZ_CHECK(got.len == want.len && (want.len == 0 || memcmp(got.data, want.data, want.len) == 0));
        }
    }
    FUZZ_CHECK(vcard_next(r, &c) == 0);
    vcard_reader_free(r);
    buf_free(&want);
    buf_free(&got);
    buf_free(&out);
    free(comps);
    free(props);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_reader(data, size);
    check_helpers_on((const char *)data, size);
    /* Larger inputs could pass the reader's limits on purpose. */
    if (size <= 10000)
        round_trip(data, size);
    return 0;
}
