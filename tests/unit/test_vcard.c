/* Unit tests for vcard: the reader, the parameter and value helpers and the
 * writer (folding, escaping, read back). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "vcard.h"

/* ---- Helpers ---------------------------------------------------------- */

/* Appends v[0..n) with CR and LF shown as <CR> and <LF>. */
static void add_shown(buf *out, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\r')
            buf_adds(out, "<CR>");
        else if (v[i] == '\n')
            buf_adds(out, "<LF>");
        else
            buf_addc(out, v[i]);
    }
}

/* Reads all of data[0..len) and renders each card as "vVERSION@line\n"
 * followed by one "GROUP.NAME;P=V;P=V:value@line\n" per property (a binary
 * value shows as <binary>), or ends with "ERR " and the error message. */
static char *dump_n(const char *data, size_t len)
{
    vcard_reader *r = vcard_reader_new(data, len);
    assert_non_null(r);
    assert_int_equal(vcard_line(r), 0);
    buf out = {0};
    vcard_card c;
    int rc;
    while ((rc = vcard_next(r, &c)) == 1) {
        assert_int_equal(vcard_line(r), c.line);
        buf_printf(&out, "v%s@%zu\n", c.version, c.line);
        assert_int_equal(c.version_num, c.version[0] == '2' ? 21 : c.version[0] == '3' ? 30 : 40);
        for (size_t i = 0; i < c.nprops; i++) {
            const vcard_prop *p = &c.props[i];
            if (p->group[0])
                buf_printf(&out, "%s.", p->group);
            buf_adds(&out, p->name);
            for (size_t k = 0; k < p->nparams; k++) {
                buf_printf(&out, ";%s=", p->params[k].name);
                add_shown(&out, p->params[k].value, strlen(p->params[k].value));
            }
            buf_addc(&out, ':');
            assert_int_equal(p->value[p->value_n], '\0');
            if (p->binary) {
                assert_int_equal(p->value_n, 0);
                buf_adds(&out, "<binary>");
            }
            add_shown(&out, p->value, p->value_n);
            buf_printf(&out, "@%zu\n", p->line);
        }
    }
    if (rc < 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %zu: ", vcard_line(r));
        assert_memory_equal(vcard_error(r), prefix, strlen(prefix));
        buf_printf(&out, "ERR %s", vcard_error(r));
        assert_int_equal(vcard_next(r, &c), -1); /* sticky */
    } else {
        assert_string_equal(vcard_error(r), "");
        assert_int_equal(vcard_next(r, &c), 0); /* stays at the end */
    }
    vcard_reader_free(r);
    char *s = xstrdup(buf_str(&out));
    buf_free(&out);
    return s;
}

static void expect(const char *data, const char *want)
{
    char *got = dump_n(data, strlen(data));
    assert_string_equal(got, want);
    free(got);
}

/* The nth (0-based) property called name, or NULL. */
static const vcard_prop *find(const vcard_card *c, const char *name, size_t nth)
{
    for (size_t i = 0; i < c->nprops; i++)
        if (strcmp(c->props[i].name, name) == 0 && nth-- == 0)
            return &c->props[i];
    return NULL;
}

static void assert_value(const vcard_prop *p, const char *want)
{
    assert_non_null(p);
    assert_int_equal(p->value_n, strlen(want));
    assert_string_equal(p->value, want);
}

/* Component i of a structured value, unescaped, in one of a few rotating
 * buffers (so that several can be compared in one statement). */
static const char *component(const char *v, size_t n, size_t i)
{
    static buf ring[8];
    static size_t next;
    buf *b = &ring[next++ % CT_ARRAY_LEN(ring)];
    buf_reset(b);
    vcard_str comps[16];
    size_t k = vcard_split(v, n, comps, CT_ARRAY_LEN(comps));
    assert_true(i < k && i < CT_ARRAY_LEN(comps));
    vcard_unescape(b, comps[i].p, comps[i].n);
    return buf_str(b);
}

/* A one-component text value unescaped. */
static const char *text(const vcard_prop *p)
{
    assert_non_null(p);
    return component(p->value, p->value_n, 0);
}

static size_t ncomponents(const vcard_prop *p)
{
    return vcard_split(p->value, p->value_n, NULL, 0);
}

/* Checks what the writer wrote: CRLF line ends only, every line at most 75
 * octets and valid UTF-8, continuation lines starting with one space.
 * Returns the number of lines. */
static size_t check_lines(const buf *b)
{
    size_t lines = 0, i = 0;
    assert_true(b->len >= 2 && memcmp(b->data + b->len - 2, "\r\n", 2) == 0);
    while (i < b->len) {
        const char *crlf = strstr(b->data + i, "\r\n");
        assert_non_null(crlf);
        size_t n = (size_t)(crlf - (b->data + i));
        assert_true(n <= VCARD_LINE_OCTETS);
        assert_null(memchr(b->data + i, '\r', n));
        assert_null(memchr(b->data + i, '\n', n));
        assert_null(u8_check((const uint8_t *)b->data + i, n));
        lines++;
        i += n + 2;
    }
    return lines;
}

/* ---- The case files --------------------------------------------------- */

static const char br11[] = "BEGIN:VCARD\r\n"
                           "VERSION:3.0\r\n"
                           "FN:Ana Example\r\n"
                           "N:Example;Ana;;;\r\n"
                           "EMAIL;TYPE=INTERNET:ana.example.with.a.rather.long.mailbox.name@subdomain.exa\r\n"
                           " mple.org\r\n"
                           "ADR;TYPE=WORK:;Suite 5;12 Example Street;Springfield;Example Co\r\n"
                           "\tunty;55501;United States\r\n"
                           "NOTE:Met at the caf\xC3\xA9\r\n"
                           "  on Example Street\r\n"
                           "END:VCARD\r\n"
                           "BEGIN:VCARD\r\n"
                           "VERSION:2.1\r\n"
                           "N:Sample;Ben;;;\r\n"
                           "FN:Ben Sample\r\n"
                           "NOTE:Met at\r\n"
                           " the fair\r\n"
                           "END:VCARD\r\n";

static void test_br11_folding(void **state)
{
    (void)state;
    vcard_reader *r = vcard_reader_new(br11, sizeof br11 - 1);
    vcard_card c;
    assert_int_equal(vcard_next(r, &c), 1);
    assert_string_equal(c.version, "3.0");
    assert_int_equal(c.version_num, 30);
    assert_int_equal(c.line, 1);
    assert_int_equal(c.nprops, 5);
    assert_value(find(&c, "FN", 0), "Ana Example");
    const vcard_prop *n = find(&c, "N", 0);
    assert_int_equal(ncomponents(n), 5);
    assert_string_equal(component(n->value, n->value_n, 0), "Example");
    assert_string_equal(component(n->value, n->value_n, 1), "Ana");
    const vcard_prop *email = find(&c, "EMAIL", 0);
    assert_value(email, "ana.example.with.a.rather.long.mailbox.name@subdomain.example.org");
    assert_int_equal(email->line, 5);
    assert_true(vcard_prop_has_type(email, "internet"));
    const vcard_prop *adr = find(&c, "ADR", 0);
    assert_int_equal(adr->line, 7);
    assert_true(vcard_prop_has_type(adr, "WORK"));
    assert_int_equal(ncomponents(adr), 7);
    assert_string_equal(component(adr->value, adr->value_n, 0), "");
    assert_string_equal(component(adr->value, adr->value_n, 1), "Suite 5");
    assert_string_equal(component(adr->value, adr->value_n, 2), "12 Example Street");
    assert_string_equal(component(adr->value, adr->value_n, 3), "Springfield");
    assert_string_equal(component(adr->value, adr->value_n, 4), "Example County");
    assert_string_equal(component(adr->value, adr->value_n, 5), "55501");
    assert_string_equal(component(adr->value, adr->value_n, 6), "United States");
    const vcard_prop *note = find(&c, "NOTE", 0);
    assert_value(note, "Met at the caf\xC3\xA9 on Example Street");
    assert_int_equal(note->line, 9);
    assert_string_equal(text(note), "Met at the caf\xC3\xA9 on Example Street");

    assert_int_equal(vcard_next(r, &c), 1);
    assert_string_equal(c.version, "2.1");
    assert_int_equal(c.version_num, 21);
    assert_int_equal(c.line, 12);
    assert_int_equal(c.nprops, 3);
    assert_string_equal(component(find(&c, "N", 0)->value, find(&c, "N", 0)->value_n, 0), "Sample");
    assert_value(find(&c, "FN", 0), "Ben Sample");
    assert_value(find(&c, "NOTE", 0), "Met at the fair");
    assert_string_equal(text(find(&c, "NOTE", 0)), "Met at the fair");
    assert_int_equal(find(&c, "NOTE", 0)->line, 16);
    assert_int_equal(vcard_next(r, &c), 0);
    vcard_reader_free(r);

    expect(br11, "v3.0@1\n"
                 "FN:Ana Example@3\n"
                 "N:Example;Ana;;;@4\n"
                 "EMAIL;TYPE=INTERNET:ana.example.with.a.rather.long.mailbox.name@subdomain.example.org@5\n"
                 "ADR;TYPE=WORK:;Suite 5;12 Example Street;Springfield;Example County;55501;United States@7\n"
                 "NOTE:Met at the caf\xC3\xA9 on Example Street@9\n"
                 "v2.1@12\n"
                 "N:Sample;Ben;;;@14\n"
                 "FN:Ben Sample@15\n"
                 "NOTE:Met at the fair@16\n");
}

static const char br13[] = "BEGIN:VCARD\r\n"
                           "VERSION:2.1\r\n"
                           "N:Example;Ana;;;\r\n"
                           "FN:Ana Example\r\n"
                           "TEL;HOME;VOICE:555-0100\r\n"
                           "TEL;CELL:555-0101\r\n"
                           "EMAIL;INTERNET;WORK:ana@work.example.org\r\n"
                           "EMAIL;INTERNET;HOME;PREF:ana@example.org\r\n"
                           "END:VCARD\r\n"
                           "BEGIN:VCARD\r\n"
                           "VERSION:3.0\r\n"
                           "N:Sample;Ben;;;\r\n"
                           "FN:Ben Sample\r\n"
                           "EMAIL;TYPE=INTERNET;TYPE=HOME:ben@example.org\r\n"
                           "EMAIL;TYPE=INTERNET,WORK,PREF:ben@work.example.org\r\n"
                           "TEL;TYPE=CELL:+1-555-0102\r\n"
                           "TEL;TYPE=WORK,VOICE:+1-555-0103\r\n"
                           "END:VCARD\r\n"
                           "BEGIN:VCARD\r\n"
                           "VERSION:4.0\r\n"
                           "N:Test;Cara;;;\r\n"
                           "FN:Cara Test\r\n"
                           "EMAIL;TYPE=work;PREF=1:cara@work.example.org\r\n"
                           "EMAIL;TYPE=home:cara@example.org\r\n"
                           "TEL;VALUE=uri;TYPE=\"voice,cell\":tel:+1-555-0104\r\n"
                           "TEL;VALUE=uri;TYPE=work:tel:+1-555-0105;ext=12\r\n"
                           "END:VCARD\r\n";

/* The value of the most preferred property called name (the first of the
 * lowest PREF; the first when none has one). */
static const vcard_prop *preferred(const vcard_card *c, const char *name)
{
    const vcard_prop *best = NULL;
    int best_pref = 0;
    for (size_t i = 0; i < c->nprops; i++) {
        const vcard_prop *p = &c->props[i];
        if (strcmp(p->name, name) != 0)
            continue;
        int pref = vcard_prop_pref(p);
        if (!best || (pref && (!best_pref || pref < best_pref))) {
            best = p;
            best_pref = pref;
        }
    }
    return best;
}

/* The number of a TEL property, without tel: and ext, as a C string. */
static const char *tel_number(const vcard_prop *p, const char **ext)
{
    static char num[64], e[16];
    vcard_tel t;
    vcard_tel_split(p->value, p->value_n, &t);
    assert_true(t.number.n < sizeof num && t.ext.n < sizeof e);
    memcpy(num, t.number.p, t.number.n);
    num[t.number.n] = '\0';
    memcpy(e, t.ext.p, t.ext.n);
    e[t.ext.n] = '\0';
    *ext = e;
    return num;
}

static void test_br13_types_and_pref(void **state)
{
    (void)state;
    vcard_reader *r = vcard_reader_new(br13, sizeof br13 - 1);
    vcard_card c;
    const char *ext;

    /* Ana, 2.1: bare parameters. */
    assert_int_equal(vcard_next(r, &c), 1);
    assert_string_equal(c.version, "2.1");
    const vcard_prop *e0 = find(&c, "EMAIL", 0), *e1 = find(&c, "EMAIL", 1);
    assert_value(e0, "ana@work.example.org");
    assert_true(vcard_prop_has_type(e0, "work"));
    assert_true(vcard_prop_has_type(e0, "INTERNET"));
    assert_false(vcard_prop_has_type(e0, "home"));
    assert_int_equal(vcard_prop_pref(e0), 0);
    assert_value(e1, "ana@example.org");
    assert_true(vcard_prop_has_type(e1, "home"));
    assert_int_equal(vcard_prop_pref(e1), 1);
    assert_null(find(&c, "EMAIL", 2));
    assert_ptr_equal(preferred(&c, "EMAIL"), e1);
    const vcard_prop *t0 = find(&c, "TEL", 0), *t1 = find(&c, "TEL", 1);
    assert_string_equal(tel_number(t0, &ext), "555-0100");
    assert_string_equal(ext, "");
    assert_true(vcard_prop_has_type(t0, "home"));
    assert_true(vcard_prop_has_type(t0, "voice"));
    assert_false(vcard_prop_has_type(t0, "cell"));
    assert_string_equal(tel_number(t1, &ext), "555-0101");
    assert_true(vcard_prop_has_type(t1, "cell"));
    assert_false(vcard_prop_has_type(t1, "home"));
    assert_null(find(&c, "TEL", 2));
    assert_int_equal(t0->nparams, 2);
    assert_string_equal(t0->params[0].name, "TYPE");
    assert_string_equal(t0->params[0].value, "HOME");
    assert_string_equal(t0->params[1].name, "TYPE");
    assert_string_equal(t0->params[1].value, "VOICE");

    /* Ben, 3.0: TYPE= repeated and as a list. */
    assert_int_equal(vcard_next(r, &c), 1);
    assert_string_equal(c.version, "3.0");
    e0 = find(&c, "EMAIL", 0);
    e1 = find(&c, "EMAIL", 1);
    assert_value(e0, "ben@example.org");
    assert_true(vcard_prop_has_type(e0, "home"));
    assert_int_equal(vcard_prop_pref(e0), 0);
    assert_value(e1, "ben@work.example.org");
    assert_true(vcard_prop_has_type(e1, "work"));
    assert_int_equal(vcard_prop_pref(e1), 1);
    assert_ptr_equal(preferred(&c, "EMAIL"), e1);
    t0 = find(&c, "TEL", 0);
    t1 = find(&c, "TEL", 1);
    assert_string_equal(tel_number(t0, &ext), "+1-555-0102");
    assert_true(vcard_prop_has_type(t0, "cell"));
    assert_string_equal(tel_number(t1, &ext), "+1-555-0103");
    assert_true(vcard_prop_has_type(t1, "work"));
    assert_true(vcard_prop_has_type(t1, "voice"));
    assert_false(vcard_prop_has_type(t1, "cell"));
    assert_null(find(&c, "TEL", 2));

    /* Cara, 4.0: PREF=1, a quoted list, tel: URIs. */
    assert_int_equal(vcard_next(r, &c), 1);
    assert_string_equal(c.version, "4.0");
    e0 = find(&c, "EMAIL", 0);
    e1 = find(&c, "EMAIL", 1);
    assert_value(e0, "cara@work.example.org");
    assert_int_equal(vcard_prop_pref(e0), 1);
    assert_true(vcard_prop_has_type(e0, "WORK"));
    assert_value(e1, "cara@example.org");
    assert_int_equal(vcard_prop_pref(e1), 0);
    assert_ptr_equal(preferred(&c, "EMAIL"), e0);
    t0 = find(&c, "TEL", 0);
    t1 = find(&c, "TEL", 1);
    assert_value(t0, "tel:+1-555-0104");
    assert_string_equal(vcard_param_get(t0, "value"), "uri");
    assert_string_equal(vcard_param_get(t0, "TYPE"), "voice,cell");
    assert_string_equal(tel_number(t0, &ext), "+1-555-0104");
    assert_string_equal(ext, "");
    assert_true(vcard_prop_has_type(t0, "voice"));
    assert_true(vcard_prop_has_type(t0, "cell"));
    assert_false(vcard_prop_has_type(t0, "work"));
    assert_value(t1, "tel:+1-555-0105;ext=12");
    assert_string_equal(tel_number(t1, &ext), "+1-555-0105");
    assert_string_equal(ext, "12");
    assert_true(vcard_prop_has_type(t1, "work"));
    assert_null(find(&c, "TEL", 2));
    assert_int_equal(vcard_next(r, &c), 0);
    vcard_reader_free(r);
}

static void test_br15_birthdays(void **state)
{
    (void)state;
    expect("BEGIN:VCARD\r\n"
           "VERSION:3.0\r\n"
           "FN:Ana Example\r\n"
           "N:Example;Ana;;;\r\n"
           "BDAY:1956-04-12\r\n"
           "END:VCARD\r\n"
           "BEGIN:VCARD\r\n"
           "VERSION:3.0\r\n"
           "FN:Ben Sample\r\n"
           "N:Sample;Ben;;;\r\n"
           "BDAY:1985-10-27\r\n"
           "END:VCARD\r\n"
           "BEGIN:VCARD\r\n"
           "VERSION:4.0\r\n"
           "FN:Cara Test\r\n"
           "N:Test;Cara;;;\r\n"
           "BDAY:19900325\r\n"
           "END:VCARD\r\n"
           "BEGIN:VCARD\r\n"
           "VERSION:3.0\r\n"
           "FN:Dan Demo\r\n"
           "N:Demo;Dan;;;\r\n"
           "BDAY;VALUE=date:2000-01-01\r\n"
           "END:VCARD\r\n",
           "v3.0@1\nFN:Ana Example@3\nN:Example;Ana;;;@4\nBDAY:1956-04-12@5\n"
           "v3.0@7\nFN:Ben Sample@9\nN:Sample;Ben;;;@10\nBDAY:1985-10-27@11\n"
           "v4.0@13\nFN:Cara Test@15\nN:Test;Cara;;;@16\nBDAY:19900325@17\n"
           "v3.0@19\nFN:Dan Demo@21\nN:Demo;Dan;;;@22\nBDAY;VALUE=date:2000-01-01@23\n");
}

/* ---- Reading ---------------------------------------------------------- */

static void test_unfolding(void **state)
{
    (void)state;
    /* 3.0 and 4.0: the break and one space or TAB go, further ones stay. */
    expect("BEGIN:VCARD\nVERSION:3.0\nNOTE:a\n b\n  c\n\t d\n \te\nEND:VCARD\n",
           "v3.0@1\nNOTE:ab c d\te@3\n");
    expect("BEGIN:VCARD\nVERSION:4.0\nNOTE:a\n b\n  c\n\t d\nEND:VCARD\n", "v4.0@1\nNOTE:ab c d@3\n");
    /* A line of one space adds nothing; of two, one space. */
    expect("BEGIN:VCARD\nVERSION:4.0\nNOTE:a\n \n  \n b\nEND:VCARD\n", "v4.0@1\nNOTE:a b@3\n");
    /* 2.1: the whitespace stays. */
    expect("BEGIN:VCARD\nVERSION:2.1\nNOTE:a\n b\n  c\n\td\nEND:VCARD\n", "v2.1@1\nNOTE:a b  c\td@3\n");
    /* Folds anywhere: in the name, the parameters, before the colon. */
    expect("BEGIN:VCARD\r\nVERSION:3.0\r\nEMA\r\n IL;TY\r\n PE=WO\r\n RK\r\n :x@example.org\r\nEND:VCARD\r\n",
           "v3.0@1\nEMAIL;TYPE=WORK:x@example.org@3\n");
    /* Folding inside a UTF-8 sequence (which writers should not do) still joins. */
    expect("BEGIN:VCARD\nVERSION:4.0\nFN:Jos\xC3\n \xA9\nEND:VCARD\n", "v4.0@1\nFN:Jos\xC3\xA9@3\n");
    /* VERSION after other properties decides too. */
    expect("BEGIN:VCARD\nNOTE:a\n b\nVERSION:2.1\nEND:VCARD\n", "v2.1@1\nNOTE:a b@2\n");
    expect("begin:vcard\nnote:a\n b\nversion:4.0\nend:vcard\n", "v4.0@1\nNOTE:ab@2\n");
}

static void test_line_endings(void **state)
{
    (void)state;
    const char *want = "v3.0@1\nFN:Ana Example@3\nNOTE:folded text@4\nv2.1@7\nFN:Ben@9\n";
    expect("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Example\r\nNOTE:folded\r\n  text\r\nEND:VCARD\r\n"
           "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ben\r\nEND:VCARD\r\n",
           want);
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:Ana Example\nNOTE:folded\n  text\nEND:VCARD\n"
           "BEGIN:VCARD\nVERSION:2.1\nFN:Ben\nEND:VCARD\n",
           want);
    expect("BEGIN:VCARD\rVERSION:3.0\rFN:Ana Example\rNOTE:folded\r  text\rEND:VCARD\r"
           "BEGIN:VCARD\rVERSION:2.1\rFN:Ben\rEND:VCARD\r",
           want);
    /* Mixed, and no line break at the very end. */
    expect("BEGIN:VCARD\rVERSION:3.0\nFN:Ana Example\r\nNOTE:folded\r  text\nEND:VCARD\r\n"
           "BEGIN:VCARD\nVERSION:2.1\rFN:Ben\r\nEND:VCARD",
           want);
    /* LF then CR: two breaks. */
    expect("BEGIN:VCARD\n\rVERSION:3.0\nFN:x\nEND:VCARD", "v3.0@1\nFN:x@4\n");
    /* Empty lines and lines of blanks anywhere are skipped but counted; a
     * byte order mark at the start is skipped. */
    expect("\xEF\xBB\xBF\n \n\t\r\nBEGIN:VCARD\n\nVERSION:4.0\n\r\n  \nFN:x\n\nEND:VCARD  \n\n",
           "v4.0@4\nFN:x@9\n");
    expect("", "");
    expect("\r\n\r\n  \r\n", "");
    expect("\xEF\xBB\xBF", "");
}

static void test_params(void **state)
{
    (void)state;
    /* 2.1 bare parameters name their kind. */
    expect("BEGIN:VCARD\nVERSION:2.1\nTEL;WORK;PREF;VOICE:1\nNOTE;QUOTED-PRINTABLE;CHARSET=UTF-8:x\n"
           "PHOTO;URL;GIF:http://example.org/a.gif\nX-A;7bit;8BIT;Cid;content-id;inline:y\nEND:VCARD\n",
           "v2.1@1\nTEL;TYPE=WORK;TYPE=PREF;TYPE=VOICE:1@3\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:x@4\n"
           "PHOTO;VALUE=URL;TYPE=GIF:http://example.org/a.gif@5\n"
           "X-A;ENCODING=7bit;ENCODING=8BIT;VALUE=Cid;VALUE=content-id;VALUE=inline:y@6\n");
    /* Names uppercased, values as given; quotes protect ; : and , in 3.0/4.0. */
    expect("BEGIN:VCARD\nVERSION:4.0\nitem1.email;type=Work;Pref=1:a@b\n"
           "ADR;LABEL=\"12 Main St; Town: Here, There\";TYPE=home:;;12 Main St;Town;;;\n"
           "X-Q;X-P=\"a\",b,\"c\":v:w\nEND:VCARD\n",
           "v4.0@1\nitem1.EMAIL;TYPE=Work;PREF=1:a@b@3\n"
           "ADR;LABEL=12 Main St; Town: Here, There;TYPE=home:;;12 Main St;Town;;;@4\n"
           "X-Q;X-P=a,b,c:v:w@5\n");
    /* RFC 6868 escapes in 3.0/4.0 parameter values; another ^ stays. */
    expect("BEGIN:VCARD\nVERSION:4.0\nADR;LABEL=\"a^nb ^^ ^'q^' ^x\":;;x;;;;\nEND:VCARD\n",
           "v4.0@1\nADR;LABEL=a<LF>b ^ \"q\" ^x:;;x;;;;@3\n");
    /* 2.1: quotes are not special, a pair around the value is removed. */
    expect("BEGIN:VCARD\nVERSION:2.1\nX-A;X-B=\"q\";X-C=5'10\";X-D=^n:v\nEND:VCARD\n",
           "v2.1@1\nX-A;X-B=q;X-C=5'10\";X-D=^n:v@3\n");
    /* Empty parameters are skipped; an empty value is kept; blanks around
     * names are trimmed; groups, also 2.1's several levels. */
    expect("BEGIN:VCARD\nVERSION:2.1\nTEL;;HOME; VOICE ;X-E=:1\na.b-2.TEL;TYPE = CELL:2\nEND:VCARD\n",
           "v2.1@1\nTEL;TYPE=HOME;TYPE=VOICE;X-E=:1@3\na.b-2.TEL;TYPE= CELL:2@4\n");
    /* A value may hold colons and be empty. */
    expect("BEGIN:VCARD\nVERSION:3.0\nURL:http://example.org:8080/x\nNOTE:\nX-EMPTY;TYPE=a:\nEND:VCARD\n",
           "v3.0@1\nURL:http://example.org:8080/x@3\nNOTE:@4\nX-EMPTY;TYPE=a:@5\n");
}

static void test_param_get(void **state)
{
    (void)state;
    const char *d = "BEGIN:VCARD\nVERSION:2.1\nNOTE;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Caf=E9\nEND:VCARD\n";
    vcard_reader *r = vcard_reader_new(d, strlen(d));
    vcard_card c;
    assert_int_equal(vcard_next(r, &c), 1);
    const vcard_prop *p = find(&c, "NOTE", 0);
    assert_string_equal(vcard_param_get(p, "CHARSET"), "ISO-8859-1");
    assert_string_equal(vcard_param_get(p, "charset"), "ISO-8859-1");
    assert_string_equal(vcard_param_get(p, "Encoding"), "QUOTED-PRINTABLE");
    assert_null(vcard_param_get(p, "TYPE"));
    assert_null(vcard_param_get(p, "CHARSE"));
    assert_value(p, "Caf\xE9"); /* the caller converts from ISO-8859-1 */
    vcard_reader_free(r);
}

static void test_quoted_printable(void **state)
{
    (void)state;
    /* Soft line breaks join the next line whatever it starts with. */
    expect("BEGIN:VCARD\r\nVERSION:2.1\r\n"
           "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Met at the caf=C3=A9=0D=0A=\r\n"
           "on Example Street, then=\r\n"
           " at the fair =3D fun=\r\n"
           "\r\n"
           "FN:Ana\r\nEND:VCARD\r\n",
           "v2.1@1\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:"
           "Met at the caf\xC3\xA9<CR><LF>on Example Street, then at the fair = fun@3\nFN:Ana@7\n");
    /* Bare QUOTED-PRINTABLE, lower-case hex, a bad escape kept, N split after. */
    expect("BEGIN:VCARD\nVERSION:2.1\nN;QUOTED-PRINTABLE:M=c3=bcller;Hans;=ZZ;=4;=\nEND:VCARD\n",
           "v2.1@1\nN;ENCODING=QUOTED-PRINTABLE:M\xC3\xBCller;Hans;=ZZ;=4;@3\n");
    /* A dangling soft break before END:VCARD does not swallow it. */
    expect("BEGIN:VCARD\nVERSION:2.1\nNOTE;QUOTED-PRINTABLE:abc=\nEND:VCARD\n",
           "v2.1@1\nNOTE;ENCODING=QUOTED-PRINTABLE:abc@3\n");
    /* Also when the data ends. */
    expect("BEGIN:VCARD\nVERSION:2.1\nNOTE;QUOTED-PRINTABLE:abc=",
           "ERR line 3: END:VCARD missing for the card that starts at line 1");
    /* Outside a QP value, '=' at the end of a line is data. */
    expect("BEGIN:VCARD\nVERSION:2.1\nNOTE:abc=\nFN:x\nEND:VCARD\n", "v2.1@1\nNOTE:abc=@3\nFN:x@4\n");
    /* A 3.0 card with quoted-printable (not allowed there) is read the same. */
    expect("BEGIN:VCARD\nVERSION:3.0\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\n b=\nc\nEND:VCARD\n",
           "v3.0@1\nNOTE;ENCODING=QUOTED-PRINTABLE:a bc@3\n");
    /* The soft break of the first line counts even when the parameters end on a fold. */
    expect("BEGIN:VCARD\nVERSION:2.1\nNOTE;ENCODING=QUOTED-\n PRINTABLE:x=\ny\nEND:VCARD\n",
           "ERR line 5: a property line without a colon"); /* 2.1 keeps the space: not QUOTED-PRINTABLE */
    expect("BEGIN:VCARD\nVERSION:3.0\nNOTE;ENCODING=QUOTED-\n PRINTABLE:x=\ny\nEND:VCARD\n",
           "v3.0@1\nNOTE;ENCODING=QUOTED-PRINTABLE:xy@3\n");
}

static void test_binary_skipped(void **state)
{
    (void)state;
    /* 2.1: indented lines, then an empty line. */
    expect("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Sample;Ben\r\n"
           "PHOTO;ENCODING=BASE64;TYPE=GIF:\r\n"
           "    R0lGODdhfgA4AOYAAAAAAK+vr62trVIxa6WlpZ+fnzEpCEpzlAha/0Kc74+PjyGM\r\n"
           "    SuecKRhrtX9/fzExORBSjCEYCGtra2NjYyF7nDGE50JrhAg51qWtOTl7vee1MWu1\r\n"
           "    ZOb2u+ZsQxw6Fm8nL6EZ+hwQ5wM9r1iH==\r\n"
           "\r\n"
           "TEL;WORK:555-0100\r\nEND:VCARD\r\n",
           "v2.1@1\nN:Sample;Ben@3\nPHOTO;ENCODING=BASE64;TYPE=GIF:<binary>@4\nTEL;TYPE=WORK:555-0100@9\n");
    /* 2.1: lines not indented (some writers), bare BASE64, no empty line
     * before the next property. */
    expect("BEGIN:VCARD\nVERSION:2.1\nPHOTO;JPEG;BASE64:/9j/4AAQSkZJRgABAQ\nSkZJRgABAQEASABIAAD\n"
           "ZOb2u+ZsQxw6Fm8nL6EZ+hwQ5wM9r1iH==\nEMAIL:a@b\nEND:VCARD\n",
           "v2.1@1\nPHOTO;TYPE=JPEG;ENCODING=BASE64:<binary>@3\nEMAIL:a@b@6\n");
    /* 3.0 ENCODING=b, folded, lower case; 4.0 data: URIs. */
    expect("BEGIN:VCARD\nVERSION:3.0\nPHOTO;encoding=b;TYPE=JPEG:/9j/4AAQ:;\n SkZJRgABAQ\n SkZJ\nFN:x\nEND:VCARD\n",
           "v3.0@1\nPHOTO;ENCODING=b;TYPE=JPEG:<binary>@3\nFN:x@6\n");
    expect("BEGIN:VCARD\nVERSION:4.0\nPHOTO:data:image/jpeg;base64,/9j/4AAQ\n SkZJRgABAQ\nLOGO:DA\n TA:x\n"
           "NOTE:data:text/plain,hello\nKEY:data\nEND:VCARD\n",
           "v4.0@1\nPHOTO:<binary>@3\nLOGO:<binary>@5\nNOTE:data:text/plain,hello@7\nKEY:data@8\n");
    /* A binary value bigger than the property limit costs nothing. */
    buf b = {0};
    buf_adds(&b, "BEGIN:VCARD\r\nVERSION:2.1\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n");
    for (int i = 0; i < 40000; i++)
        buf_adds(&b, "  R0lGODdhfgA4AOYAAAAAAK+vr62trVIxa6WlpZ+fnzEpCEpzlAha/0Kc74+PjyGM\r\n");
    buf_adds(&b, "\r\nFN:Big Photo\r\nEND:VCARD\r\n");
    assert_true(b.len > 2 * VCARD_MAX_PROP_BYTES);
    char *got = dump_n(b.data, b.len);
    assert_string_equal(got, "v2.1@1\nPHOTO;ENCODING=BASE64;TYPE=JPEG:<binary>@3\nFN:Big Photo@40005\n");
    free(got);
    buf_free(&b);
}

static void test_agent_embedded(void **state)
{
    (void)state;
    expect("BEGIN:VCARD\nVERSION:2.1\nN:Boss;Big\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nN:Friday;Girl\n"
           "AGENT:\nBEGIN:VCARD\nVERSION:2.1\nEND:VCARD\nEND:VCARD\nTEL:555-0100\nEND:VCARD\n"
           "BEGIN:VCARD\nVERSION:3.0\nFN:Next\nEND:VCARD\n",
           "v2.1@1\nN:Boss;Big@3\nAGENT:@4\nTEL:555-0100@13\nv3.0@15\nFN:Next@17\n");
    /* Only after an empty 2.1 AGENT. */
    expect("BEGIN:VCARD\nVERSION:2.1\nAGENT:x\nBEGIN:VCARD\nVERSION:2.1\nEND:VCARD\n",
           "ERR line 4: END:VCARD missing for the card that starts at line 1");
    expect("BEGIN:VCARD\nVERSION:2.1\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nEND:VCARD\n",
           "ERR line 6: END:VCARD missing for the card that starts at line 1");
}

static void test_errors(void **state)
{
    (void)state;
    /* END:VCARD missing: at the end of the data, or at the next card. */
    expect("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nN:A;B\r\nNOTE:x\r\nEMAIL:a@b\r\nTEL:1\r\n",
           "ERR line 7: END:VCARD missing for the card that starts at line 1");
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\n", "ERR line 3: END:VCARD missing for the card that starts at line 1");
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\n\n\n",
           "ERR line 5: END:VCARD missing for the card that starts at line 1");
    expect("BEGIN:VCARD", "ERR line 1: END:VCARD missing for the card that starts at line 1");
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Ben\n"
           "BEGIN:VCARD\nVERSION:3.0\nFN:Cara\nEND:VCARD\n",
           "v3.0@1\nFN:Ana@3\nERR line 8: END:VCARD missing for the card that starts at line 5");
    expect("BEGIN:VCARD\nFN:Ben\nBEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n",
           "ERR line 3: END:VCARD missing for the card that starts at line 1");
    /* VERSION missing or unknown. */
    expect("BEGIN:VCARD\nFN:Ana\nEND:VCARD\n", "ERR line 1: VERSION missing in the card that starts here");
    expect("\n\nBEGIN:VCARD\r\nFN:Ana\r\nVERSION;X=1:3.0\r\nEND:VCARD\r\n",
           "ERR line 3: VERSION missing in the card that starts here");
    expect("BEGIN:VCARD\nVERSION:5.0\nEND:VCARD\n",
           "ERR line 2: unknown vCard version \"5.0\" (2.1, 3.0 and 4.0 can be read)");
    expect("BEGIN:VCARD\nVERSION:\nEND:VCARD\n", "ERR line 2: unknown vCard version (2.1, 3.0 and 4.0 can be read)");
    expect("BEGIN:VCARD\nVERSION:3.0 \"x\"\nEND:VCARD\n",
           "ERR line 2: unknown vCard version (2.1, 3.0 and 4.0 can be read)");
    expect("BEGIN:VCARD\nVERSION:\x01\xFF\nEND:VCARD\n",
           "ERR line 2: unknown vCard version (2.1, 3.0 and 4.0 can be read)");
    expect("BEGIN:VCARD\nVERSION: 4.0 \nFN:x\nEND:VCARD\n", "v4.0@1\nFN:x@3\n");
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:x\nVERSION:3.0\nEND:VCARD\n",
           "ERR line 4: a second VERSION in the card that starts at line 1");
    /* Garbage and binary. */
    expect("Name,Email\nAna,ana@example.org\n", "ERR line 1: BEGIN:VCARD expected");
    expect("\n\nhello\n", "ERR line 3: BEGIN:VCARD expected");
    expect(" BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n", "ERR line 1: BEGIN:VCARD expected");
    expect("BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nEND:VCARD\n", "v3.0@1\nERR line 4: BEGIN:VCARD expected");
    expect("BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nFN:x\n", "v3.0@1\nERR line 4: BEGIN:VCARD expected");
    static const char png[] = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10";
    char *got = dump_n(png, sizeof png - 1);
    assert_string_equal(got, "ERR line 1: BEGIN:VCARD expected");
    free(got);
    static const char bin[] = "BEGIN:VCARD\nVERSION:3.0\n\x01\x02\0\x03\nEND:VCARD\n";
    got = dump_n(bin, sizeof bin - 1);
    assert_string_equal(got, "ERR line 3: a property line without a colon");
    free(got);
    static const char bin2[] = "BEGIN:VCARD\nVERSION:3.0\n\x01\x02\0:\x03\nEND:VCARD\n";
    got = dump_n(bin2, sizeof bin2 - 1);
    assert_string_equal(got, "ERR line 3: a property name with characters other than letters, digits, '-' and '_'");
    free(got);
    /* Bytes in a value, NUL among them, pass through. */
    static const char nul[] = "BEGIN:VCARD\nVERSION:3.0\nNOTE:a\0b\xFF\nEND:VCARD\n";
    vcard_reader *r = vcard_reader_new(nul, sizeof nul - 1);
    vcard_card c;
    assert_int_equal(vcard_next(r, &c), 1);
    assert_int_equal(c.props[0].value_n, 4);
    assert_memory_equal(c.props[0].value, "a\0b\xFF", 5);
    vcard_reader_free(r);

    /* Lines that are not properties. */
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nthis is not a property\nEND:VCARD\n",
           "ERR line 4: a property line without a colon");
    expect("BEGIN:VCARD\nVERSION:3.0\nFN\n :Ana\nTEL;TYPE=a\nEND:VCARD\n",
           "ERR line 5: a property line without a colon");
    expect("BEGIN:VCARD\nVERSION:3.0\n:Ana\nEND:VCARD\n", "ERR line 3: a property without a name");
    expect("BEGIN:VCARD\nVERSION:3.0\nitem1.:Ana\nEND:VCARD\n", "ERR line 3: a property without a name");
    expect("BEGIN:VCARD\nVERSION:3.0\nFULL NAME:Ana\nEND:VCARD\n",
           "ERR line 3: a property name with characters other than letters, digits, '-' and '_'");
    expect("BEGIN:VCARD\nVERSION:3.0\n.FN:Ana\nEND:VCARD\n",
           "ERR line 3: a property group with characters other than letters, digits, '-' and '_'");
    expect("BEGIN:VCARD\nVERSION:3.0\na..FN:Ana\nEND:VCARD\n",
           "ERR line 3: a property group with characters other than letters, digits, '-' and '_'");
    expect("BEGIN:VCARD\nVERSION:3.0\nTEL;=x:1\nEND:VCARD\n", "ERR line 3: a parameter without a name");
    expect("BEGIN:VCARD\nVERSION:3.0\nTEL;TY*PE=x:1\nEND:VCARD\n",
           "ERR line 3: a parameter name with characters other than letters, digits, '-' and '_'");
    expect("BEGIN:VCARD\nVERSION:3.0\nTEL;TYPE=a\x01" "b:1\nEND:VCARD\n",
           "ERR line 3: a control character in the parameters");
    expect("BEGIN:VCARD\nVERSION:3.0\nADR;LABEL=\"open:;;x;;;;\nEND:VCARD\n",
           "ERR line 3: an unterminated quote in the parameters");
    expect("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\n\n continued\nEND:VCARD\n",
           "ERR line 5: a folded line with no property before it");
    expect("BEGIN:VCARD\n x\nVERSION:3.0\nEND:VCARD\n", "ERR line 2: a folded line with no property before it");
}

static void test_limits(void **state)
{
    (void)state;
    buf b = {0};
    vcard_card c;
    /* Properties per card. */
    buf_adds(&b, "BEGIN:VCARD\nVERSION:4.0\n");
    for (int i = 0; i < VCARD_MAX_PROPS; i++)
        buf_adds(&b, "X-A:1\n");
    size_t mark = b.len;
    buf_adds(&b, "END:VCARD\n");
    vcard_reader *r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), 1);
    assert_int_equal(c.nprops, VCARD_MAX_PROPS);
    assert_int_equal(c.props[VCARD_MAX_PROPS - 1].line, VCARD_MAX_PROPS + 2);
    vcard_reader_free(r);
    b.len = mark;
    buf_adds(&b, "X-A:1\nEND:VCARD\n");
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), -1);
    assert_int_equal(vcard_line(r), VCARD_MAX_PROPS + 3);
    assert_string_equal(vcard_error(r), "line 10003: more than 10000 properties in the card that starts at line 1");
    vcard_reader_free(r);

    /* Parameters per property. */
    buf_reset(&b);
    buf_adds(&b, "BEGIN:VCARD\nVERSION:2.1\nTEL");
    for (int i = 0; i < VCARD_MAX_PARAMS; i++)
        buf_adds(&b, ";HOME");
    mark = b.len;
    buf_adds(&b, ":1\nEND:VCARD\n");
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), 1);
    assert_int_equal(c.props[0].nparams, VCARD_MAX_PARAMS);
    vcard_reader_free(r);
    b.len = mark;
    buf_adds(&b, ";HOME:1\nEND:VCARD\n");
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), -1);
    assert_string_equal(vcard_error(r), "line 3: more than 100 parameters in a property");
    vcard_reader_free(r);

    /* Bytes per property, counted unfolded: "NOTE:" and the value. */
    size_t max = VCARD_MAX_PROP_BYTES;
    buf_reset(&b);
    buf_adds(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:");
    size_t room = max - 5;
    while (room > 0) {
        size_t k = room < 74 ? room : 74;
        for (size_t i = 0; i < k; i++)
            buf_addc(&b, 'x');
        room -= k;
        buf_adds(&b, "\r\n ");
    }
    b.len -= 1; /* no space after the last break */
    mark = b.len;
    buf_adds(&b, "END:VCARD\r\n");
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), 1);
    assert_int_equal(c.props[0].value_n, max - 5);
    vcard_reader_free(r);
    b.len = mark;
    buf_adds(&b, " x\r\nEND:VCARD\r\n");
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), -1);
    assert_string_equal(vcard_error(r), "line 3: a property longer than 1048576 bytes");
    vcard_reader_free(r);
    /* One long line. */
    buf_reset(&b);
    buf_adds(&b, "BEGIN:VCARD\nVERSION:3.0\nFN:a\nNOTE:");
    for (size_t i = 0; i < max; i++)
        buf_addc(&b, 'y');
    buf_adds(&b, "\nEND:VCARD\n");
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), -1);
    assert_string_equal(vcard_error(r), "line 4: a property longer than 1048576 bytes");
    assert_int_equal(vcard_line(r), 4);
    vcard_reader_free(r);
    buf_free(&b);
}

static void test_cards_valid_until_next(void **state)
{
    (void)state;
    const char *d = "BEGIN:VCARD\nVERSION:3.0\nFN:First\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:4.0\nFN:Second\nTEL;TYPE=cell:1\nEND:VCARD\n";
    vcard_reader *r = vcard_reader_new(d, strlen(d));
    vcard_card a, b;
    assert_int_equal(vcard_next(r, &a), 1);
    assert_value(&a.props[0], "First");
    assert_int_equal(vcard_next(r, &b), 1);
    assert_int_equal(b.nprops, 2);
    assert_value(&b.props[0], "Second");
    assert_string_equal(b.props[1].params[0].value, "cell");
    assert_int_equal(vcard_next(r, &b), 0);
    assert_int_equal(vcard_line(r), 5);
    vcard_reader_free(r);
    vcard_reader_free(NULL);
    /* A card without properties. */
    expect("BEGIN:VCARD\nVERSION:4.0\nEND:VCARD\n", "v4.0@1\n");
}

/* ---- Helpers for values ----------------------------------------------- */

static void test_split_and_unescape(void **state)
{
    (void)state;
    vcard_str out[4];
    assert_int_equal(vcard_split("", 0, out, 4), 1);
    assert_int_equal(out[0].n, 0);
    assert_int_equal(vcard_split(";", 1, out, 4), 2);
    const char *v = "a\\;b;c\\\\;d\\,e;;f";
    assert_int_equal(vcard_split(v, strlen(v), out, 4), 5);
    assert_int_equal(out[0].n, 4);
    assert_memory_equal(out[0].p, "a\\;b", 4);
    assert_int_equal(out[1].n, 3);
    assert_memory_equal(out[1].p, "c\\\\", 3);
    assert_int_equal(out[2].n, 4);
    assert_memory_equal(out[2].p, "d\\,e", 4);
    assert_int_equal(out[3].n, 0);
    /* Only max are stored. */
    out[1].n = 99;
    assert_int_equal(vcard_split(v, strlen(v), out, 1), 5);
    assert_int_equal(out[1].n, 99);
    assert_int_equal(vcard_split("x\\", 2, out, 4), 1); /* a trailing backslash */
    assert_int_equal(out[0].n, 2);

    v = "Jane,Mary\\,Ann,,x\\;y";
    assert_int_equal(vcard_split_list(v, strlen(v), out, 4), 4);
    assert_memory_equal(out[0].p, "Jane", out[0].n);
    assert_int_equal(out[1].n, 9);
    assert_memory_equal(out[1].p, "Mary\\,Ann", 9);
    assert_int_equal(out[2].n, 0);
    assert_int_equal(out[3].n, 4);
    assert_memory_equal(out[3].p, "x\\;y", 4);

    buf b = {0};
    const char *e = "a\\nb\\Nc\\\\d\\,e\\;f\\:g\\xh\\";
    vcard_unescape(&b, e, strlen(e));
    assert_string_equal(buf_str(&b), "a\nb\nc\\d,e;f\\:g\\xh\\");
    buf_reset(&b);
    vcard_unescape(&b, "\\\\n", 3); /* an escaped backslash, then n */
    assert_string_equal(buf_str(&b), "\\n");
    buf_reset(&b);
    vcard_unescape(&b, "", 0);
    assert_int_equal(b.len, 0);
    vcard_unescape(&b, "plain", 5);
    assert_string_equal(buf_str(&b), "plain");
    buf_free(&b);
}

static void test_types_and_pref(void **state)
{
    (void)state;
    const char *d = "BEGIN:VCARD\nVERSION:4.0\n"
                    "TEL;TYPE=\" work , voice \":1\n"
                    "TEL;PREF=50;PREF=7;TYPE=home:2\n"
                    "TEL;PREF=0;PREF=101;PREF=x;PREF=:3\n"
                    "TEL;TYPE=pref;PREF=3:4\n"
                    "TEL;TYPE=workvoice;X-TYPE=cell:5\n"
                    "TEL;PREF= 2 :6\n"
                    "END:VCARD\n";
    vcard_reader *r = vcard_reader_new(d, strlen(d));
    vcard_card c;
    assert_int_equal(vcard_next(r, &c), 1);
    assert_int_equal(c.nprops, 6);
    assert_true(vcard_prop_has_type(&c.props[0], "work"));
    assert_true(vcard_prop_has_type(&c.props[0], "VOICE"));
    assert_false(vcard_prop_has_type(&c.props[0], "wor"));
    assert_false(vcard_prop_has_type(&c.props[0], ""));
    assert_int_equal(vcard_prop_pref(&c.props[0]), 0);
    assert_int_equal(vcard_prop_pref(&c.props[1]), 7);
    assert_true(vcard_prop_has_type(&c.props[1], "home"));
    assert_int_equal(vcard_prop_pref(&c.props[2]), 0);
    assert_int_equal(vcard_prop_pref(&c.props[3]), 1);
    assert_false(vcard_prop_has_type(&c.props[4], "work"));
    assert_false(vcard_prop_has_type(&c.props[4], "cell"));
    assert_int_equal(vcard_prop_pref(&c.props[5]), 2);
    vcard_reader_free(r);
}

static void test_tel_split(void **state)
{
    (void)state;
    vcard_tel t;
    const char *v = "tel:+1-555-0105;ext=12";
    assert_true(vcard_tel_split(v, strlen(v), &t));
    assert_int_equal(t.number.n, 11);
    assert_memory_equal(t.number.p, "+1-555-0105", 11);
    assert_int_equal(t.ext.n, 2);
    assert_memory_equal(t.ext.p, "12", 2);
    v = "TEL:555-0100;phone-context=example.org;EXT=7;ext=8";
    assert_true(vcard_tel_split(v, strlen(v), &t));
    assert_int_equal(t.number.n, 8);
    assert_memory_equal(t.number.p, "555-0100", 8);
    assert_int_equal(t.ext.n, 1);
    assert_memory_equal(t.ext.p, "7", 1);
    v = "tel:+1-555-0104";
    assert_true(vcard_tel_split(v, strlen(v), &t));
    assert_int_equal(t.number.n, 11);
    assert_int_equal(t.ext.n, 0);
    v = "tel:";
    assert_true(vcard_tel_split(v, strlen(v), &t));
    assert_int_equal(t.number.n, 0);
    v = "+1 (555) 010-0100";
    assert_false(vcard_tel_split(v, strlen(v), &t));
    assert_ptr_equal(t.number.p, v);
    assert_int_equal(t.number.n, strlen(v));
    assert_int_equal(t.ext.n, 0);
    v = "te";
    assert_false(vcard_tel_split(v, 2, &t));
    assert_int_equal(t.number.n, 2);
}

/* ---- Writing ---------------------------------------------------------- */

static void test_writer_exact(void **state)
{
    (void)state;
    buf b = {0};
    vcard_write_begin(&b, 3);
    vcard_str n[] = {{"Example", 7}, {"Ana", 3}, {"", 0}, {"Dr.", 3}, {"", 0}};
    vcard_write_prop(&b, "N", NULL, n, 5);
    vcard_write_text(&b, "FN", "", "Ana Example", 11);
    vcard_write_text(&b, "NOTE", NULL, "a;b,c\\d\r\ne\rf\ng", 14);
    vcard_write_raw(&b, "TEL", "TYPE=work,voice;PREF=1", "tel:+1-555-0105;ext=12", 22);
    vcard_write_raw(&b, "URL", "X-A=a\r\nb", "http://x/\r\nEND:VCARD", 20);
    vcard_write_prop(&b, "X-EMPTY", NULL, NULL, 0);
    vcard_write_end(&b);
    assert_string_equal(buf_str(&b), "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                                     "N:Example;Ana;;Dr.;\r\n"
                                     "FN:Ana Example\r\n"
                                     "NOTE:a\\;b\\,c\\\\d\\ne\\nf\\ng\r\n"
                                     "TEL;TYPE=work,voice;PREF=1:tel:+1-555-0105;ext=12\r\n"
                                     "URL;X-A=a b:http://x/\\nEND:VCARD\r\n"
                                     "X-EMPTY:\r\n"
                                     "END:VCARD\r\n");
    buf_reset(&b);
    vcard_write_begin(&b, 4);
    vcard_write_end(&b);
    assert_string_equal(buf_str(&b), "BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n");
    buf_reset(&b);
    vcard_escape(&b, "a,b;c\\d\r\ne\r", 11);
    assert_string_equal(buf_str(&b), "a\\,b\\;c\\\\d\\ne\\n");
    buf_free(&b);
}

static void test_writer_folds_at_75(void **state)
{
    (void)state;
    buf b = {0};
    char v[200];
    memset(v, 'a', sizeof v);
    /* "NOTE:" + 70 = 75: no fold; one more folds. */
    vcard_write_text(&b, "NOTE", NULL, v, 70);
    assert_int_equal(b.len, 77);
    buf_reset(&b);
    vcard_write_text(&b, "NOTE", NULL, v, 71);
    assert_int_equal(b.len, 75 + 6);
    assert_memory_equal(b.data, "NOTE:aaaa", 9);
    assert_memory_equal(b.data + 75, "\r\n a\r\n", 6);
    buf_reset(&b);
    /* Continuation lines hold 74 octets after their space. */
    vcard_write_text(&b, "NOTE", NULL, v, 70 + 74 + 1);
    assert_int_equal(check_lines(&b), 3);
    assert_int_equal(b.len, 77 + 77 + 4);
    buf_reset(&b);
    /* An escape is not split: "NOTE:" + 69 + "\," would end at 76. */
    v[69] = ',';
    vcard_write_text(&b, "NOTE", NULL, v, 71);
    assert_int_equal(check_lines(&b), 2);
    assert_memory_equal(b.data + 74, "\r\n \\,a\r\n", 8);
    buf_reset(&b);
    /* Nor a UTF-8 sequence: "NOTE:" + 69 + "é" would end at 76. */
    memcpy(v + 69, "\xC3\xA9", 2);
    vcard_write_text(&b, "NOTE", NULL, v, 71);
    assert_int_equal(check_lines(&b), 2);
    assert_memory_equal(b.data + 74, "\r\n \xC3\xA9\r\n", 7);
    buf_free(&b);
}

/* Writes one property of value s with the writer, reads it back and checks
 * that the lines are right and that the value reads back as want. */
static void round_trip_text(int version, const char *s, size_t n, const char *want, size_t min_lines)
{
    buf b = {0};
    vcard_write_begin(&b, version);
    vcard_write_text(&b, "NOTE", "LANGUAGE=fr", s, n);
    vcard_write_end(&b);
    assert_true(check_lines(&b) >= min_lines + 3);
    vcard_reader *r = vcard_reader_new(b.data, b.len);
    vcard_card c;
    assert_int_equal(vcard_next(r, &c), 1);
    assert_int_equal(c.version_num, version * 10);
    assert_int_equal(c.nprops, 1);
    assert_int_equal(ncomponents(&c.props[0]), 1);
    buf u = {0};
    vcard_unescape(&u, c.props[0].value, c.props[0].value_n);
    assert_int_equal(u.len, strlen(want));
    assert_memory_equal(u.data, want, u.len);
    buf_free(&u);
    assert_string_equal(vcard_param_get(&c.props[0], "LANGUAGE"), "fr");
    assert_int_equal(vcard_next(r, &c), 0);
    vcard_reader_free(r);
    buf_free(&b);
}

static void round_trip_same(int version, const char *s, size_t min_lines)
{
    round_trip_text(version, s, strlen(s), s, min_lines);
}

static void test_fold_round_trips(void **state)
{
    (void)state;
    buf v = {0};
    for (int i = 0; i < 300; i++)
        buf_addc(&v, (char)('a' + i % 26));
    round_trip_same(3, buf_str(&v), 5);
    round_trip_same(4, buf_str(&v), 5);
    /* 200 x é (2 octets), CJK (3 octets), emoji (4 octets), mixed. */
    for (int shift = 0; shift < 4; shift++) {
        buf_reset(&v);
        for (int i = 0; i < shift; i++)
            buf_addc(&v, 'x');
        for (int i = 0; i < 200; i++)
            buf_adds(&v, "\xC3\xA9");
        round_trip_same(3, buf_str(&v), 6);
        buf_reset(&v);
        for (int i = 0; i < shift; i++)
            buf_addc(&v, 'x');
        for (int i = 0; i < 120; i++)
            buf_adds(&v, "\xE4\xB8\xAD\xE6\x96\x87"); /* 中文 */
        round_trip_same(4, buf_str(&v), 10);
        buf_reset(&v);
        for (int i = 0; i < shift; i++)
            buf_addc(&v, 'x');
        for (int i = 0; i < 100; i++)
            buf_adds(&v, "\xF0\x9F\x98\x80"); /* U+1F600 */
        round_trip_same(3, buf_str(&v), 6);
        buf_reset(&v);
        for (int i = 0; i < shift; i++)
            buf_addc(&v, 'x');
        for (int i = 0; i < 60; i++)
            buf_adds(&v, "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80;,\\\n");
        round_trip_same(4, buf_str(&v), 10);
    }
    /* Leading and doubled spaces survive folding. */
    buf_reset(&v);
    for (int i = 0; i < 100; i++)
        buf_adds(&v, "  ");
    round_trip_same(3, buf_str(&v), 3);
    buf_free(&v);
}

static void test_escape_round_trips(void **state)
{
    (void)state;
    round_trip_same(3, "a;b,c\\d", 1);
    round_trip_same(4, "\\n is not a line break; \\\\ two", 1);
    round_trip_same(4, "line 1\nline 2\n\nline 4\n", 1);
    round_trip_same(3, ";;;,,,\\\\\\", 1);
    round_trip_same(3, "", 1);
    /* CRLF and CR read back as LF. */
    round_trip_text(4, "a\r\nb\rc\n", 7, "a\nb\nc\n", 1);

    /* Structured: components keep their ; , \ and line breaks. */
    static const char *const adr[] = {"", "Suite 5; 2nd floor", "12 Example Street\nBack door", "Spring,field",
                                      "C:\\Region", "55501", "United States"};
    vcard_str comps[7];
    for (size_t i = 0; i < 7; i++)
        comps[i] = (vcard_str){adr[i], strlen(adr[i])};
    buf b = {0};
    vcard_write_begin(&b, 3);
    vcard_write_prop(&b, "item1.ADR", "TYPE=work", comps, 7);
    vcard_write_raw(&b, "BDAY", "VALUE=date", "1956-04-12", 10);
    vcard_write_end(&b);
    check_lines(&b);
    vcard_reader *r = vcard_reader_new(b.data, b.len);
    vcard_card c;
    assert_int_equal(vcard_next(r, &c), 1);
    const vcard_prop *p = find(&c, "ADR", 0);
    assert_string_equal(p->group, "item1");
    assert_true(vcard_prop_has_type(p, "work"));
    assert_int_equal(ncomponents(p), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(component(p->value, p->value_n, i), adr[i]);
    assert_value(find(&c, "BDAY", 0), "1956-04-12");
    vcard_reader_free(r);

    /* A list built with vcard_escape. */
    buf_reset(&b);
    buf list = {0};
    vcard_escape(&list, "friends, old", 12);
    buf_addc(&list, ',');
    vcard_escape(&list, "work;2", 6);
    vcard_write_begin(&b, 4);
    vcard_write_raw(&b, "CATEGORIES", NULL, list.data, list.len);
    vcard_write_end(&b);
    r = vcard_reader_new(b.data, b.len);
    assert_int_equal(vcard_next(r, &c), 1);
    vcard_str items[4];
    assert_int_equal(vcard_split_list(c.props[0].value, c.props[0].value_n, items, 4), 2);
    buf u = {0};
    vcard_unescape(&u, items[0].p, items[0].n);
    assert_string_equal(buf_str(&u), "friends, old");
    buf_reset(&u);
    vcard_unescape(&u, items[1].p, items[1].n);
    assert_string_equal(buf_str(&u), "work;2");
    vcard_reader_free(r);
    buf_free(&u);
    buf_free(&list);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_br11_folding),
        cmocka_unit_test(test_br13_types_and_pref),
        cmocka_unit_test(test_br15_birthdays),
        cmocka_unit_test(test_unfolding),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_param_get),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_binary_skipped),
        cmocka_unit_test(test_agent_embedded),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_cards_valid_until_next),
        cmocka_unit_test(test_split_and_unescape),
        cmocka_unit_test(test_types_and_pref),
        cmocka_unit_test(test_tel_split),
        cmocka_unit_test(test_writer_exact),
        cmocka_unit_test(test_writer_folds_at_75),
        cmocka_unit_test(test_fold_round_trips),
        cmocka_unit_test(test_escape_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
