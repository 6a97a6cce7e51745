/* Unit tests for csv: the reader, the delimiter guess and the writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Reads all of data and renders it as "[f1|f2]@line\n" per record, or ends
 * with "ERR@line: message" on a parse error. */
static char *dump_n(const char *data, size_t len, char delim)
{
    csv_reader *r = csv_reader_new(data, len, delim);
    assert_non_null(r);
    buf out = {0};
    csv_record rec;
    int rc;
    while ((rc = csv_next(r, &rec)) == 1) {
        assert_int_equal(csv_line(r), rec.line);
        buf_addc(&out, '[');
        for (size_t i = 0; i < rec.n; i++) {
            if (i)
                buf_addc(&out, '|');
            buf_add(&out, rec.fields[i].p, rec.fields[i].n);
            assert_int_equal(rec.fields[i].p[rec.fields[i].n], '\0');
        }
        buf_printf(&out, "]@%zu\n", rec.line);
    }
    if (rc < 0) {
        buf_printf(&out, "ERR@%zu: %s", csv_line(r), csv_error(r));
        assert_int_equal(csv_next(r, &rec), -1); /* sticky */
    } else {
        assert_string_equal(csv_error(r), "");
        assert_int_equal(csv_next(r, &rec), 0); /* stays at the end */
    }
    csv_reader_free(r);
    char *s = xstrdup(buf_str(&out));
    buf_free(&out);
    return s;
}

static void expect(const char *data, char delim, const char *want)
{
    char *got = dump_n(data, strlen(data), delim);
    assert_string_equal(got, want);
    free(got);
}

static void test_simple_records(void **state)
{
    (void)state;
    expect("a,b,c\r\n1,2,3\r\n", ',', "[a|b|c]@1\n[1|2|3]@2\n");
    expect("", ',', "");
    expect("x", ',', "[x]@1\n");
    expect("a,,c", ',', "[a||c]@1\n");
    expect(",", ',', "[|]@1\n");
    expect("a,", ',', "[a|]@1\n");
    expect("a,\n", ',', "[a|]@1\n");
    expect(",,\r\n", ',', "[||]@1\n");
}

static void test_line_endings(void **state)
{
    (void)state;
    expect("a\r\nb\rc\nd", ',', "[a]@1\n[b]@2\n[c]@3\n[d]@4\n");
    expect("a\n\rb", ',', "[a]@1\n[b]@3\n"); /* LF then a lone CR: two breaks */
    expect("no final newline,x", ',', "[no final newline|x]@1\n");
    expect("a,b\r", ',', "[a|b]@1\n");
    /* Empty lines are skipped but counted. */
    expect("\n\na\n\n\r\n\rb\n\n", ',', "[a]@3\n[b]@7\n");
    expect("\r\n\n", ',', "");
}

static void test_bom(void **state)
{
    (void)state;
    expect("\xEF\xBB\xBFname,x\r\n1,2\r\n", ',', "[name|x]@1\n[1|2]@2\n");
    expect("\xEF\xBB\xBF", ',', "");
    /* Only at the very start. */
    expect("a\n\xEF\xBB\xBF" "b\n", ',', "[a]@1\n[\xEF\xBB\xBF" "b]@2\n");
    expect("\xEF\xBB", ',', "[\xEF\xBB]@1\n");
}

static void test_quoted_fields(void **state)
{
    (void)state;
    expect("\"a,b\",c", ',', "[a,b|c]@1\n");
    expect("\"say \"\"hi\"\"\",b", ',', "[say \"hi\"|b]@1\n");
    expect("\"\",\"\"\"\"", ',', "[|\"]@1\n");
    expect("\"\"", ',', "[]@1\n");
    expect("x,\"\"\r\n", ',', "[x|]@1\n");
    /* Line breaks inside quotes are data, and still counted. */
    expect("\"line1\nline2\",x\nnext", ',', "[line1\nline2|x]@1\n[next]@3\n");
    expect("\"a\r\nb\rc\",d\r\ne", ',', "[a\r\nb\rc|d]@1\n[e]@4\n");
    expect("k,\"\n\n\"\nz", ',', "[k|\n\n]@1\n[z]@4\n");
    /* A quote that ends the data ends the field. */
    expect("a,\"b\"", ',', "[a|b]@1\n");
}

static void test_lenient_and_strict_quotes(void **state)
{
    (void)state;
    /* Lenient: a quote inside an unquoted field is literal. */
    expect("5'10\",x", ',', "[5'10\"|x]@1\n");
    expect("a\"b\"c", ',', "[a\"b\"c]@1\n");
    expect(" \"a\" ,b", ',', "[ \"a\" |b]@1\n"); /* leading space: not a quoted field */
    /* Strict: text after a closing quote. */
    expect("\"a\"b,c", ',', "ERR@1: text after the closing quote of a field at line 1");
    expect("ok\n\"a\" ,b", ',', "[ok]@1\nERR@2: text after the closing quote of a field at line 2");
    expect("\"multi\nline\"x", ',', "ERR@2: text after the closing quote of a field at line 2");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    expect("a,b\nc,\"open\nmore\nlines\n", ',',
           "[a|b]@1\nERR@2: unterminated quoted field starting at line 2");
    expect("\"", ',', "ERR@1: unterminated quoted field starting at line 1");
    expect("x\r\n\r\ny,\"\"\"", ',', "[x]@1\nERR@3: unterminated quoted field starting at line 3");
}

static void test_other_delimiters(void **state)
{
    (void)state;
    expect("a;\"b;c\";d,e", ';', "[a|b;c|d,e]@1\n");
    expect("a\t\"b\tc\"\td e", '\t', "[a|b\tc|d e]@1\n");
    expect("a|b", '|', "[a|b]@1\n");
    assert_null(csv_reader_new("a", 1, '"'));
    assert_null(csv_reader_new("a", 1, '\n'));
    assert_null(csv_reader_new("a", 1, '\r'));
    assert_null(csv_reader_new("a", 1, '\0'));
}

static void test_nul_bytes_pass_through(void **state)
{
    (void)state;
    static const char data[] = "a\0b,\"c\0d\"\n";
    csv_reader *r = csv_reader_new(data, sizeof data - 1, ',');
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.fields[0].n, 3);
    assert_memory_equal(rec.fields[0].p, "a\0b", 3);
    assert_int_equal(rec.fields[1].n, 3);
    assert_memory_equal(rec.fields[1].p, "c\0d", 3);
    assert_int_equal(csv_next(r, &rec), 0);
    csv_reader_free(r);
    csv_reader_free(NULL);
}

static void test_field_count_cap(void **state)
{
    (void)state;
    buf b = {0};
    for (int i = 1; i < CSV_MAX_FIELDS; i++)
        buf_addc(&b, ',');
    csv_reader *r = csv_reader_new(b.data, b.len, ',');
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.n, CSV_MAX_FIELDS);
    csv_reader_free(r);

    buf_reset(&b);
    buf_adds(&b, "header\n");
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        buf_addc(&b, ',');
    r = csv_reader_new(b.data, b.len, ',');
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(csv_next(r, &rec), -1);
    assert_int_equal(csv_line(r), 2);
    assert_string_equal(csv_error(r), "more than 1000 fields in the record at line 2");
    csv_reader_free(r);
    buf_free(&b);
}

static void test_field_size_cap(void **state)
{
    (void)state;
    size_t max = CSV_MAX_FIELD_BYTES;
    char *data = xmalloc(max + 8);
    csv_record rec;

    /* Exactly the cap: fine, quoted or not. */
    memset(data, 'x', max);
    csv_reader *r = csv_reader_new(data, max, ',');
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.fields[0].n, max);
    csv_reader_free(r);
    data[0] = '"';
    memset(data + 1, 'x', max);
    data[max + 1] = '"';
    r = csv_reader_new(data, max + 2, ',');
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.fields[0].n, max);
    csv_reader_free(r);

    /* One byte more: refused. */
    memset(data, 'x', max + 1);
    r = csv_reader_new(data, max + 1, ',');
    assert_int_equal(csv_next(r, &rec), -1);
    assert_string_equal(csv_error(r), "a field longer than 1048576 bytes at line 1");
    csv_reader_free(r);
    data[0] = '"';
    memset(data + 1, 'x', max + 1);
    data[max + 2] = '"';
    r = csv_reader_new(data, max + 3, ',');
    assert_int_equal(csv_next(r, &rec), -1);
    assert_string_equal(csv_error(r), "a field longer than 1048576 bytes at line 1");
    csv_reader_free(r);
    /* Doubled quotes count once: 2*(max/2) quote pairs unescape to max bytes. */
    data[0] = '"';
    memset(data + 1, '"', max);
    data[max + 1] = '"';
    r = csv_reader_new(data, max + 2, ',');
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.fields[0].n, max / 2);
    csv_reader_free(r);
    free(data);
}

static void test_records_stay_valid_until_next(void **state)
{
    (void)state;
    const char *data = "first,row\nsecond,row,longer\n";
    csv_reader *r = csv_reader_new(data, strlen(data), ',');
    csv_record a, b;
    assert_int_equal(csv_next(r, &a), 1);
    assert_string_equal(a.fields[1].p, "row");
    assert_int_equal(csv_next(r, &b), 1);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.fields[0].p, "second");
    assert_string_equal(b.fields[2].p, "longer");
    csv_reader_free(r);
}

static void test_detect_delimiter(void **state)
{
    (void)state;
#define D(s) csv_detect_delimiter((s), strlen(s))
    assert_int_equal(D("a,b,c\n1,2,3"), ',');
    assert_int_equal(D("a;b;c\n1;2;3"), ';');
    assert_int_equal(D("a\tb\tc\n1\t2\t3"), '\t');
    assert_int_equal(D("a,b;c;d"), ';');
    assert_int_equal(D("\"x;y;z\",a,b"), ',');         /* inside quotes: ignored */
    assert_int_equal(D("\"x,\"\"y\"\",z\";a"), ';');   /* doubled quotes stay inside */
    assert_int_equal(D("name\n1;2;3;4"), ',');         /* only the first record counts */
    assert_int_equal(D("\"a\nb;c;d\",e\nf;g;h;i"), ','); /* which may span lines */
    assert_int_equal(D("\n\r\na;b"), ';');             /* after leading empty lines */
    assert_int_equal(D("\xEF\xBB\xBF" "a;b"), ';');
    assert_int_equal(D(""), ',');
    assert_int_equal(D("single"), ',');
    assert_int_equal(D("a,b;c"), ',');                 /* ties prefer ',' */
    assert_int_equal(D("a;b\tc"), ';');                /* then ';' */
    assert_int_equal(D("a\tb\tc;d,e"), '\t');
#undef D
}

static const char *w(buf *b, const char *s, bool safe)
{
    buf_reset(b);
    csv_write_field(b, s, strlen(s), safe);
    return buf_str(b);
}

static void test_writer_quoting(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(w(&b, "abc", false), "abc");
    assert_string_equal(w(&b, "", false), "");
    assert_string_equal(w(&b, "inner space", false), "inner space");
    assert_string_equal(w(&b, "a,b", false), "\"a,b\"");
    assert_string_equal(w(&b, "a;b", false), "\"a;b\"");
    assert_string_equal(w(&b, "a\tb", false), "\"a\tb\"");
    assert_string_equal(w(&b, "say \"hi\"", false), "\"say \"\"hi\"\"\"");
    assert_string_equal(w(&b, "\"", false), "\"\"\"\"");
    assert_string_equal(w(&b, "two\nlines", false), "\"two\nlines\"");
    assert_string_equal(w(&b, "cr\r", false), "\"cr\r\"");
    assert_string_equal(w(&b, " lead", false), "\" lead\"");
    assert_string_equal(w(&b, "trail ", false), "\"trail \"");
    assert_string_equal(w(&b, "Luj\xC3\xA1n", false), "Luj\xC3\xA1n");
    /* Without the safe flag a formula is written as it is. */
    assert_string_equal(w(&b, "=SUM(A1)", false), "=SUM(A1)");
    assert_string_equal(w(&b, "-5", false), "-5");
    buf_reset(&b);
    csv_write_field(&b, NULL, 0, true);
    assert_string_equal(buf_str(&b), "");
    buf_reset(&b);
    csv_end_record(&b);
    assert_string_equal(buf_str(&b), "\r\n");
    buf_free(&b);
}

static void test_writer_spreadsheet_safe(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(w(&b, "=SUM(A1)", true), "\"'=SUM(A1)\"");
    assert_string_equal(w(&b, "+1 202", true), "\"'+1 202\"");
    assert_string_equal(w(&b, "-5", true), "\"'-5\"");
    assert_string_equal(w(&b, "@cmd", true), "\"'@cmd\"");
    assert_string_equal(w(&b, "\tx", true), "\"'\tx\"");
    assert_string_equal(w(&b, "\rx", true), "\"'\rx\"");
    assert_string_equal(w(&b, "=a\"b", true), "\"'=a\"\"b\"");
    /* Only the first character matters. */
    assert_string_equal(w(&b, "a=b", true), "a=b");
    assert_string_equal(w(&b, "abc", true), "abc");
    assert_string_equal(w(&b, " =x", true), "\" =x\"");
    buf_free(&b);
}

static void write_record(buf *out, const char *const *f, size_t n, char delim, bool safe)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_addc(out, delim);
        csv_write_field(out, f[i], strlen(f[i]), safe);
    }
    csv_end_record(out);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const rec1[] = {
        "plain", "", "with,comma", "with \"quote\"", "multi\r\nline", "lone\rcr", "lf\nonly", " spaced ",
        "semi;colon", "tab\there", "Luj\xC3\xA1n", "\"", "\"\"", ",", "=1+2",
    };
    static const char *const rec2[] = {"", ""};
    static const char *const rec3[] = {"last", "-7"};
    const char delims[] = {',', ';', '\t'};
    for (size_t d = 0; d < sizeof delims; d++) {
        for (int safe = 0; safe <= 1; safe++) {
            buf out = {0};
            write_record(&out, rec1, 15, delims[d], safe);
            write_record(&out, rec2, 2, delims[d], safe);
            write_record(&out, rec3, 2, delims[d], safe);
            assert_int_equal(csv_detect_delimiter(out.data, out.len), delims[d]);
            csv_reader *r = csv_reader_new(out.data, out.len, delims[d]);
            csv_record rec;
            assert_int_equal(csv_next(r, &rec), 1);
            assert_int_equal(rec.n, 15);
            for (size_t i = 0; i < 15; i++) {
                if (safe && i == 14)
                    assert_string_equal(rec.fields[i].p, "'=1+2");
                else
                    assert_string_equal(rec.fields[i].p, rec1[i]);
            }
            assert_int_equal(csv_next(r, &rec), 1);
            assert_int_equal(rec.n, 2);
            assert_int_equal(rec.fields[0].n + rec.fields[1].n, 0);
            assert_int_equal(rec.line, 5); /* rec1 spans lines 1 to 4 */
            assert_int_equal(csv_next(r, &rec), 1);
            assert_string_equal(rec.fields[1].p, safe ? "'-7" : "-7");
            assert_int_equal(csv_next(r, &rec), 0);
            csv_reader_free(r);
            buf_free(&out);
        }
    }
}

/* A field that starts with a UTF-8 byte order mark, written first in a file,
 * must not lose it: the reader skips a BOM at the very start of the data, so
 * the writer quotes such a field. Found by tests/fuzz/fuzz_csv.c. */
static void test_round_trip_leading_bom(void **state)
{
    (void)state;
    buf b = {0};
    assert_string_equal(w(&b, "\xEF\xBB\xBFs{", false), "\"\xEF\xBB\xBFs{\"");
    assert_string_equal(w(&b, "x\xEF\xBB\xBF", false), "x\xEF\xBB\xBF"); /* only at the start */
    static const char *const rec[] = {"\xEF\xBB\xBFname", "b"};
    const char delims[] = {',', ';', '\t'};
    for (size_t d = 0; d < sizeof delims; d++) {
        buf_reset(&b);
        write_record(&b, rec, 2, delims[d], false);
        csv_reader *r = csv_reader_new(b.data, b.len, delims[d]);
        csv_record got;
        assert_int_equal(csv_next(r, &got), 1);
        assert_int_equal(got.n, 2);
        assert_string_equal(got.fields[0].p, rec[0]);
        assert_string_equal(got.fields[1].p, rec[1]);
        assert_int_equal(csv_next(r, &got), 0);
        csv_reader_free(r);
    }
    buf_free(&b);
}

/* Random records over an alphabet of the awkward characters, written and read
 * back: whatever the writer produces, the reader must undo exactly. */
static void test_round_trip_random(void **state)
{
    (void)state;
    static const char alphabet[] = "ab ,;\t\"\r\n'=";
    unsigned seed = 12345;
    buf out = {0};
    enum { RECS = 400, MAXF = 6, MAXLEN = 12 };
    char fields[RECS][MAXF][MAXLEN + 1];
    size_t nf[RECS];
    for (int r = 0; r < RECS; r++) {
        nf[r] = 2 + (size_t)(rand_r(&seed) % (MAXF - 1)); /* two or more: a record is never an empty line */
        for (size_t f = 0; f < nf[r]; f++) {
            size_t len = (size_t)rand_r(&seed) % (MAXLEN + 1);
            for (size_t i = 0; i < len; i++)
                fields[r][f][i] = alphabet[(size_t)rand_r(&seed) % (sizeof alphabet - 1)];
            fields[r][f][len] = '\0';
            if (f)
                buf_addc(&out, ',');
            csv_write_field(&out, fields[r][f], len, false);
        }
        csv_end_record(&out);
    }
    csv_reader *rd = csv_reader_new(out.data, out.len, ',');
    csv_record rec;
    for (int r = 0; r < RECS; r++) {
        assert_int_equal(csv_next(rd, &rec), 1);
        assert_int_equal(rec.n, nf[r]);
        for (size_t f = 0; f < nf[r]; f++)
            assert_string_equal(rec.fields[f].p, fields[r][f]);
    }
    assert_int_equal(csv_next(rd, &rec), 0);
    csv_reader_free(rd);
    buf_free(&out);
}

/* The shipped demo data parses: every record has the header's width. */
static void test_demo_file(void **state)
{
    (void)state;
    FILE *f = fopen("sql/demo/legislators-current.csv", "rb");
    if (!f)
        f = fopen("../../sql/demo/legislators-current.csv", "rb");
    assert_non_null(f);
    buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    assert_int_equal(csv_detect_delimiter(b.data, b.len), ',');
    csv_reader *r = csv_reader_new(b.data, b.len, ',');
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    size_t width = rec.n;
    assert_string_equal(rec.fields[0].p, "last_name");
    size_t rows = 0;
    while (csv_next(r, &rec) == 1) {
        assert_int_equal(rec.n, width);
        rows++;
    }
    assert_string_equal(csv_error(r), "");
    assert_int_equal(rows, 537);
    csv_reader_free(r);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_records),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_lenient_and_strict_quotes),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_other_delimiters),
        cmocka_unit_test(test_nul_bytes_pass_through),
        cmocka_unit_test(test_field_count_cap),
        cmocka_unit_test(test_field_size_cap),
        cmocka_unit_test(test_records_stay_valid_until_next),
        cmocka_unit_test(test_detect_delimiter),
        cmocka_unit_test(test_writer_quoting),
        cmocka_unit_test(test_writer_spreadsheet_safe),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_leading_bom),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_demo_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
