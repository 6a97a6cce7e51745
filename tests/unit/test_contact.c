/* Unit tests for contact: the field table, cleaning, the checks and their
 * messages, birthdays, email and phone types, and the SQL column lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "contact.h"

/* contact_clean of the C string s for f, compared with want (want_n bytes:
 * want may hold bytes a C string literal cannot end at). */
static void clean_is_n(enum contact_field f, const char *s, size_t sn, const char *want, size_t want_n)
{
    arena *a = arena_new();
    size_t n = sn;
    const char *got = contact_clean(a, f, s, &n);
    assert_non_null(got);
    if (n != want_n || memcmp(got, want, n) != 0)
        fail_msg("contact_clean(%s, \"%.*s\") gave \"%.*s\" (%zu bytes), want \"%.*s\" (%zu bytes)",
                 contact_fields[f].name, (int)sn, s, (int)n, got, n, (int)want_n, want, want_n);
    assert_int_equal(got[n], '\0');
    arena_free(a);
}

static void clean_is(enum contact_field f, const char *s, const char *want)
{
    clean_is_n(f, s, strlen(s), want, strlen(want));
}

/* contact_check of s for f: NULL when want is NULL, else exactly want. */
static void check_is(enum contact_field f, const char *s, const char *want)
{
    const char *got = contact_check(f, s, strlen(s));
    if (!want && got)
        fail_msg("contact_check(%s, \"%s\") refused it: %s", contact_fields[f].name, s, got);
    if (want && !got)
        fail_msg("contact_check(%s, \"%s\") accepted it, want \"%s\"", contact_fields[f].name, s, want);
    if (want)
        assert_string_equal(got, want);
}

static void test_field_table(void **state)
{
    (void)state;
    for (int f = 0; f < CF_COUNT; f++) {
        assert_non_null(contact_fields[f].name);
        assert_non_null(contact_fields[f].label);
        assert_true(contact_fields[f].max > 0);
        assert_int_equal(contact_field_find(contact_fields[f].name, strlen(contact_fields[f].name)), f);
    }
    assert_int_equal(CF_FORM_COUNT, CF_NOTES + 1);
    assert_string_equal(contact_fields[CF_FIRST_NAME].name, "first_name");
    assert_int_equal(contact_fields[CF_FIRST_NAME].max, 100);
    assert_int_equal(contact_fields[CF_EMAIL].max, 254);
    assert_int_equal(contact_fields[CF_PHONE].max, 50);
    assert_int_equal(contact_fields[CF_ORGANISATION].max, 200);
    assert_int_equal(contact_fields[CF_NOTES].max, 10000);
    assert_int_equal(contact_fields[CF_NOTES].kind, CK_MULTI);
    assert_int_equal(contact_fields[CF_ADDRESS].kind, CK_MULTI);
    assert_int_equal(contact_fields[CF_BIRTHDAY].kind, CK_BIRTHDAY);
    assert_int_equal(contact_fields[CF_PHONE_TYPE].kind, CK_TYPES);

    assert_int_equal(contact_field_find("email", 5), CF_EMAIL);
    assert_int_equal(contact_field_find("email_type", 10), CF_EMAIL_TYPE);
    assert_int_equal(contact_field_find("emailxx", 5), CF_EMAIL); /* only n bytes count */
    assert_int_equal(contact_field_find("emai", 4), -1);
    assert_int_equal(contact_field_find("first", 5), -1);
    assert_int_equal(contact_field_find("region_id", 9), -1);
    assert_int_equal(contact_field_find("Email", 5), -1);
    assert_int_equal(contact_field_find("", 0), -1);
}

static void test_clean_trim(void **state)
{
    (void)state;
    clean_is(CF_FIRST_NAME, "  Ana\t ", "Ana");
    clean_is(CF_FIRST_NAME, "Ana Maria", "Ana Maria");
    clean_is(CF_FIRST_NAME, " \t ", "");
    clean_is(CF_FIRST_NAME, "", "");
    clean_is(CF_EMAIL, " ana@example.org\t", "ana@example.org");
    clean_is(CF_PHONE, "\t+1 555 0100 ", "+1 555 0100");
    clean_is(CF_POSTAL_CODE, " 01234 ", "01234");
    /* Only spaces and TABs: a line break in a one-line field stays, for
     * contact_check to refuse. */
    clean_is(CF_CITY, "Springfield\r\n", "Springfield\r\n");
    /* Case is kept (matching folds it, not cleaning). */
    clean_is(CF_EMAIL, "ANA@Example.ORG", "ANA@Example.ORG");
}

static void test_clean_nfc(void **state)
{
    (void)state;
    /* "Jose" + U+0301 COMBINING ACUTE ACCENT is "José" in NFC. */
    clean_is_n(CF_FIRST_NAME, "Jose\xCC\x81", 6, "\x4A\x6F\x73\xC3\xA9", 5);
    clean_is_n(CF_FIRST_NAME, " Jose\xCC\x81 ", 8, "Jos\xC3\xA9", 5);
    clean_is(CF_FIRST_NAME, "Zoe\xCC\x88", "Zo\xC3\xAB");
    clean_is(CF_NOTES, "Caf\x65\xCC\x81\r\nbar", "Caf\xC3\xA9\nbar");
    /* Already NFC, and other scripts: unchanged. */
    clean_is(CF_FIRST_NAME, "Jos\xC3\xA9", "Jos\xC3\xA9");
    clean_is(CF_LAST_NAME, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80",
             "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80");
    /* Hangul jamo compose into one syllable (U+1112 U+1161 U+11AB is U+D55C). */
    clean_is(CF_FIRST_NAME, "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "\xED\x95\x9C");
    /* Invalid UTF-8 is copied as it is (contact_check refuses it). */
    clean_is_n(CF_FIRST_NAME, "Ana\xC3", 4, "Ana\xC3", 4);
    clean_is_n(CF_FIRST_NAME, "e\xCC\x81\xFF", 4, "e\xCC\x81\xFF", 4);
}

static void test_clean_multiline(void **state)
{
    (void)state;
    clean_is(CF_ADDRESS, "12 Example Street\r\nSuite 5\r\nSpringfield", "12 Example Street\nSuite 5\nSpringfield");
    clean_is(CF_ADDRESS, "PO Box 555\rExample Town", "PO Box 555\nExample Town");
    clean_is(CF_NOTES, "a\r\n\r\nb\n\rc\r", "a\n\nb\n\nc\n");
    clean_is(CF_NOTES, "a\nb", "a\nb");
    /* Multi-line text is not trimmed. */
    clean_is(CF_NOTES, "  indented\n\tcode  ", "  indented\n\tcode  ");
    clean_is(CF_NOTES, "\r\n", "\n");
}

static void test_clean_url_and_types(void **state)
{
    (void)state;
    clean_is(CF_WEBSITE, "HTTPS://Example.org/Path", "https://Example.org/Path");
    clean_is(CF_WEBSITE, " Http://EXAMPLE.org ", "http://EXAMPLE.org");
    clean_is(CF_CONTACT_FORM, "hTtPs://example.org/Contact", "https://example.org/Contact");
    clean_is(CF_WEBSITE, "https://example.org", "https://example.org");
    clean_is(CF_WEBSITE, "FTP://Example.org", "FTP://Example.org"); /* not http(s): left */
    clean_is(CF_WEBSITE, "Example.org/HTTP://x", "Example.org/HTTP://x");
    /* Only URL fields. */
    clean_is(CF_NOTES, "HTTPS://Example.org", "HTTPS://Example.org");
    clean_is(CF_EMAIL_TYPE, " Work,HOME ", "work,home");
    clean_is(CF_PHONE_TYPE, "CELL", "cell");
    clean_is(CF_FIRST_NAME, "ANA", "ANA");
}

static void test_check_text(void **state)
{
    (void)state;
    char s[256];
    check_is(CF_FIRST_NAME, "", NULL);
    check_is(CF_FIRST_NAME, "Ana", NULL);
    memset(s, 'a', 100), s[100] = '\0';
    check_is(CF_FIRST_NAME, s, NULL);
    s[100] = 'a', s[101] = '\0';
    check_is(CF_FIRST_NAME, s, "is too long (at most 100 characters)");
    /* Characters, not bytes: 100 x e-acute (200 bytes) is within 100. */
    for (int i = 0; i < 100; i++)
        s[2 * i] = (char)0xC3, s[2 * i + 1] = (char)0xA9;
    s[200] = '\0';
    check_is(CF_LAST_NAME, s, NULL);
    s[200] = 'x', s[201] = '\0';
    check_is(CF_LAST_NAME, s, "is too long (at most 100 characters)");
    memset(s, '1', 21), s[21] = '\0';
    check_is(CF_SUFFIX, s, "is too long (at most 20 characters)");
    check_is(CF_FIRST_NAME, "Ana\nMaria", "contains control characters");
    check_is(CF_FIRST_NAME, "Ana\tMaria", "contains control characters");
    check_is(CF_CITY, "Springfield\r", "contains control characters");
    check_is(CF_FIRST_NAME, "A\x7F", "contains control characters");
    check_is(CF_FIRST_NAME, "Ana\xC3", "is not valid UTF-8 text");
    check_is(CF_FIRST_NAME, "\xED\xA0\x80", "is not valid UTF-8 text"); /* a surrogate */
    check_is(CF_FIRST_NAME, "\xC0\xAF", "is not valid UTF-8 text");     /* overlong */
    assert_string_equal(contact_check(CF_FIRST_NAME, "A\0B", 3), "contains control characters");
}

static void test_check_multiline(void **state)
{
    (void)state;
    check_is(CF_NOTES, "line one\nline two\r\n\tindented", NULL);
    check_is(CF_ADDRESS, "12 Example Street\nSuite 5", NULL);
    check_is(CF_NOTES, "bell\x07", "contains control characters");
    assert_string_equal(contact_check(CF_NOTES, "a\0b", 3), "contains control characters");
    static char big[10002];
    memset(big, 'n', 10000);
    big[10000] = '\0';
    check_is(CF_NOTES, big, NULL);
    big[10000] = 'n', big[10001] = '\0';
    check_is(CF_NOTES, big, "is too long (at most 10000 characters)");
    char s[502];
    memset(s, 'a', 501), s[501] = '\0';
    check_is(CF_ADDRESS, s, "is too long (at most 500 characters)");
}

static void test_check_email(void **state)
{
    (void)state;
    const char *bad = "is not an email address (like name@example.org)";
    check_is(CF_EMAIL, "ana@example.org", NULL);
    check_is(CF_EMAIL, "ANA@Example.ORG", NULL);
    check_is(CF_EMAIL, "ana.example+tag@sub.example.org", NULL);
    check_is(CF_EMAIL, "", NULL);
    check_is(CF_EMAIL, "ana", bad);
    check_is(CF_EMAIL, "ana@", bad);
    check_is(CF_EMAIL, "@example.org", bad);
    check_is(CF_EMAIL, "ana@example", bad);
    check_is(CF_EMAIL, "ana@@example.org", bad);
    check_is(CF_EMAIL, "ana@b@example.org", bad);
    check_is(CF_EMAIL, "ana @example.org", bad);
    check_is(CF_EMAIL, "ana@example..org", bad);
    check_is(CF_EMAIL, "ana@.example.org", bad);
    check_is(CF_EMAIL, "ana@example.org.", bad);
    check_is(CF_EMAIL, "Ana <ana@example.org>", bad);
    check_is(CF_EMAIL, "ana@example.org, ben@example.org", bad);
    check_is(CF_EMAIL, "\"ana\"@example.org", bad);
    check_is(CF_EMAIL, "ana@example.org\t", "contains control characters");
    char s[300];
    memset(s, 'a', 250);
    memcpy(s + 250, "@x.org", 7); /* 256 characters */
    check_is(CF_EMAIL, s, "is too long (at most 254 characters)");
}

static void test_check_phone(void **state)
{
    (void)state;
    const char *bad = "may contain only digits, spaces and + ( ) - . / and an extension";
    check_is(CF_PHONE, "+1 (555) 010-0100", NULL);
    check_is(CF_PHONE, "0555 010 0199", NULL);
    check_is(CF_PHONE, "00 44 555 0100", NULL);
    check_is(CF_PHONE, "555-0100 ext. 12", NULL);
    check_is(CF_PHONE, "555.0100 x12", NULL);
    check_is(CF_PHONE, "555/0100#12", NULL);
    check_is(CF_PHONE, "+15550100100", NULL);
    check_is(CF_PHONE, "", NULL);
    check_is(CF_PHONE, "call me", bad);
    check_is(CF_PHONE, "+-()", bad); /* no digit */
    check_is(CF_PHONE, "555 0100 :: 555 0101", bad);
    check_is(CF_PHONE, "tel:+1-555-0100", bad);
    char s[60];
    memset(s, '5', 51), s[51] = '\0';
    check_is(CF_PHONE, s, "is too long (at most 50 characters)");
}

static void test_check_url(void **state)
{
    (void)state;
    const char *bad = "must be a web address starting with http:// or https://";
    check_is(CF_WEBSITE, "https://example.org", NULL);
    check_is(CF_WEBSITE, "http://example.org/a?b=c", NULL);
    check_is(CF_CONTACT_FORM, "https://example.org/contact", NULL);
    check_is(CF_WEBSITE, "example.org", bad);
    check_is(CF_WEBSITE, "ftp://example.org", bad);
    check_is(CF_WEBSITE, "https://", bad);
    check_is(CF_WEBSITE, "https:///path", bad);
    check_is(CF_WEBSITE, "https://exa mple.org", bad);
    check_is(CF_WEBSITE, "javascript:alert(1)", bad);
    check_is(CF_WEBSITE, "https://example.org/\"><script>", bad);
}

static void test_check_birthday_region_code_types(void **state)
{
    (void)state;
    const char *bad_day = "must be a real date written YYYY-MM-DD (or --MM-DD without the year)";
    check_is(CF_BIRTHDAY, "1990-04-03", NULL);
    check_is(CF_BIRTHDAY, "--04-03", NULL);
    check_is(CF_BIRTHDAY, "--02-29", NULL);
    check_is(CF_BIRTHDAY, "2024-02-29", NULL);
    check_is(CF_BIRTHDAY, "", NULL);
    check_is(CF_BIRTHDAY, "2023-02-29", bad_day);
    check_is(CF_BIRTHDAY, "1990-13-01", bad_day);
    /* Stored forms only: the other forms are turned into these first. */
    check_is(CF_BIRTHDAY, "19900403", bad_day);
    check_is(CF_BIRTHDAY, "--0403", bad_day);
    check_is(CF_BIRTHDAY, "03/04/1990", bad_day);
    check_is(CF_BIRTHDAY, "1990-04-03x", "is too long (at most 10 characters)");

    check_is(CF_REGION, "IL-13", NULL);
    check_is(CF_REGION, "us.ca_12", NULL);
    check_is(CF_REGION, "IL 13", "is not a known state or district");
    check_is(CF_REGION, "Z\xC3\xBCrich", "is not a known state or district");
    char s[50];
    memset(s, 'A', 41), s[41] = '\0';
    check_is(CF_REGION, s, "is too long (at most 40 characters)");

    check_is(CF_EXTERNAL_ID, "crm-7/abc:1", NULL);
    check_is(CF_EXTERNAL_ID, "urn:uuid:0d3b", NULL);
    check_is(CF_EXTERNAL_ID, "crm 7", "may not contain spaces");
    check_is(CF_EXTERNAL_ID, "crm\t7", "contains control characters");

    const char *bad_types = "must be words like home, work or cell, separated by commas";
    check_is(CF_EMAIL_TYPE, "work", NULL);
    check_is(CF_PHONE_TYPE, "home,voice", NULL);
    check_is(CF_PHONE_TYPE, "Cell", bad_types);
    check_is(CF_PHONE_TYPE, "home, voice", bad_types);
    check_is(CF_PHONE_TYPE, "x-custom", bad_types);
}

static void test_check_whole(void **state)
{
    (void)state;
    contact_values v;
    memset(&v, 0, sizeof v);
    for (int f = 0; f < CF_COUNT; f++)
        v.v[f] = "";
    v.v[CF_EMAIL] = "ana@example.org", v.len[CF_EMAIL] = 15;
    assert_string_equal(contact_check_whole(&v),
                        "is needed: give a first name, a last name or an organisation");
    v.v[CF_FIRST_NAME] = "Ana", v.len[CF_FIRST_NAME] = 3;
    assert_null(contact_check_whole(&v));
    v.len[CF_FIRST_NAME] = 0;
    v.v[CF_LAST_NAME] = "Example", v.len[CF_LAST_NAME] = 7;
    assert_null(contact_check_whole(&v));
    v.len[CF_LAST_NAME] = 0;
    v.v[CF_ORGANISATION] = "Example Ltd", v.len[CF_ORGANISATION] = 11;
    assert_null(contact_check_whole(&v));
    v.len[CF_ORGANISATION] = 0;
    v.v[CF_NICKNAME] = "Annie", v.len[CF_NICKNAME] = 5;
    assert_non_null(contact_check_whole(&v));
}

/* contact_birthday of s: the stored form, or NULL for a refusal. */
static void bday_is(const char *s, const char *want)
{
    char out[11];
    memset(out, 'Z', sizeof out);
    bool ok = contact_birthday(s, strlen(s), out);
    if (!want && ok)
        fail_msg("contact_birthday(\"%s\") accepted it as %s", s, out);
    if (want && !ok)
        fail_msg("contact_birthday(\"%s\") refused it, want %s", s, want);
    if (want)
        assert_string_equal(out, want);
}

static void test_birthday_forms(void **state)
{
    (void)state;
    bday_is("1990-04-03", "1990-04-03");
    bday_is("19900403", "1990-04-03");
    bday_is("--04-03", "--04-03");
    bday_is("--0403", "--04-03");
    bday_is("1000-01-01", "1000-01-01");
    bday_is("9999-12-31", "9999-12-31");
    bday_is("1956-04-12", "1956-04-12");
    bday_is("--12-31", "--12-31");
    bday_is("--1231", "--12-31");
    /* Only n bytes are read. */
    char out[11];
    assert_true(contact_birthday("1990-04-03T00:00:00Z", 10, out));
    assert_string_equal(out, "1990-04-03");
    assert_false(contact_birthday("1990-04-03T00:00:00Z", 20, out));
}

static void test_birthday_29_february(void **state)
{
    (void)state;
    bday_is("2024-02-29", "2024-02-29");
    bday_is("2000-02-29", "2000-02-29"); /* divisible by 400 */
    bday_is("1996-02-29", "1996-02-29");
    bday_is("20240229", "2024-02-29");
    bday_is("2023-02-29", NULL);
    bday_is("1900-02-29", NULL); /* divisible by 100, not by 400 */
    bday_is("2100-02-29", NULL);
    bday_is("20230229", NULL);
    /* Without a year, 29 February may be. */
    bday_is("--02-29", "--02-29");
    bday_is("--0229", "--02-29");
    bday_is("--02-30", NULL);
    bday_is("--0230", NULL);
    bday_is("2024-02-30", NULL);
}

static void test_birthday_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "1990", "1990-04", "1990-4-3", "1990-04-3", "90-04-03", "1990/04/03", "03/04/1990", "1990.04.03",
        "1990-13-01", "1990-00-10", "1990-04-00", "1990-04-31", "1990-01-32", "1990-06-31", "0999-12-31",
        "0000-01-01", "+990-01-01", "-990-01-01", "1990-0a-03", " 1990-04-03", "1990-04-03 ", "1990-04-03T10",
        "199004031", "1990040", "19901301", "09990101", "--4-3", "--13-01", "--00-01", "--01-00", "--04-31",
        "--1301", "---04-03", "-04-03", "--04-3x", "--04-3", "--04:03", "--0a-03", "1990--0403", "--04-03-1990",
        "abcdefgh", "1990-04-03\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bday_is(bad[i], NULL);
}

/* contact_types of the words: the stored form and the unknown count. */
static void types_are(const char *const *words, size_t n, const char *want, size_t want_unknown)
{
    char out[64];
    size_t unknown = 99;
    contact_types(words, n, out, &unknown);
    assert_string_equal(out, want);
    assert_int_equal(unknown, want_unknown);
    contact_types(words, n, out, NULL); /* the count is optional */
    assert_string_equal(out, want);
}

static void test_types(void **state)
{
    (void)state;
    types_are(NULL, 0, "", 0);
    types_are((const char *[]){"work"}, 1, "work", 0);
    types_are((const char *[]){"WORK", "Home"}, 2, "home,work", 0);
    /* Google marks the primary one "* Home". */
    types_are((const char *[]){"* Home"}, 1, "home", 0);
    types_are((const char *[]){"*Work"}, 1, "work", 0);
    /* Other systems' words. */
    types_are((const char *[]){"Mobile"}, 1, "cell", 0);
    types_are((const char *[]){"iPhone"}, 1, "cell", 0);
    types_are((const char *[]){"Business", "FAX"}, 2, "work,fax", 0);
    types_are((const char *[]){"msg"}, 1, "text", 0);
    /* Dropped without counting: every email is internet; PREF is a
     * preference, not a type; empty words. */
    types_are((const char *[]){"INTERNET", "pref", "x400", "", "home"}, 5, "home", 0);
    /* Stored in one order whatever the input's, each once. */
    types_are((const char *[]){"voice", "cell", "VOICE", "cell"}, 4, "cell,voice", 0);
    types_are((const char *[]){"video", "text", "pager", "fax", "voice", "cell", "work", "home"}, 8,
              "home,work,cell,voice,fax,pager,text,video", 0);
    /* Unknown words are dropped and counted. */
    types_are((const char *[]){"Assistant", "home", "x-custom", "Car"}, 4, "home", 3);
    types_are((const char *[]){"Custom label"}, 1, "", 1);
}

/* contact.h: "home, work, cell, voice, fax, pager, text, video, other, main
 * ... in that order". */
static void test_types_order_main_other(void **state)
{
    (void)state;
    types_are((const char *[]){"other", "main"}, 2, "main,other", 0);
}

static void test_columns_sql(void **state)
{
    (void)state;
    buf sql = {0};
    contact_columns_sql(&sql, "c.", CF_FORM_COUNT);
    assert_string_equal(buf_str(&sql),
                        "c.first_name, c.middle_name, c.last_name, c.suffix, c.nickname, c.title, c.organisation, "
                        "c.party, c.email, c.phone, c.address, c.city, c.address_region, c.postal_code, c.country, "
                        "c.website, c.contact_form, c.birthday, c.region_id, c.notes");
    buf_reset(&sql);
    contact_columns_sql(&sql, "", CF_COUNT);
    assert_string_equal(buf_str(&sql),
                        "first_name, middle_name, last_name, suffix, nickname, title, organisation, party, email, "
                        "phone, address, city, address_region, postal_code, country, website, contact_form, "
                        "birthday, region_id, notes, external_id, email_type, phone_type");
    buf_reset(&sql);
    contact_columns_sql(&sql, "p.", 3);
    assert_string_equal(buf_str(&sql), "p.first_name, p.middle_name, p.last_name");
    buf_reset(&sql);
    contact_columns_sql(&sql, "p.", 0);
    assert_string_equal(buf_str(&sql), "");
    /* Appends. */
    buf_reset(&sql);
    buf_adds(&sql, "SELECT ");
    contact_columns_sql(&sql, "", 1);
    assert_string_equal(buf_str(&sql), "SELECT first_name");
    buf_free(&sql);
}

static void test_assign_sql(void **state)
{
    (void)state;
    buf sql = {0};
    contact_assign_sql(&sql, "", CF_FORM_COUNT);
    assert_string_equal(buf_str(&sql),
                        "first_name = ?, middle_name = ?, last_name = ?, suffix = ?, nickname = ?, title = ?, "
                        "organisation = ?, party = ?, email = ?, phone = ?, address = ?, city = ?, "
                        "address_region = ?, postal_code = ?, country = ?, website = ?, contact_form = ?, "
                        "birthday = ?, region_id = ?, notes = ?");
    buf_reset(&sql);
    contact_assign_sql(&sql, "c.", CF_COUNT);
    const char *s = buf_str(&sql);
    assert_non_null(strstr(s, "c.region_id = ?, c.notes = ?, c.external_id = ?, c.email_type = ?, c.phone_type = ?"));
    assert_int_equal(strncmp(s, "c.first_name = ?, c.middle_name = ?", 35), 0);
    /* One placeholder per field. */
    size_t marks = 0;
    for (const char *p = s; *p; p++)
        marks += *p == '?';
    assert_int_equal(marks, CF_COUNT);
    buf_reset(&sql);
    contact_assign_sql(&sql, "c.", 0);
    assert_string_equal(buf_str(&sql), "");
    buf_free(&sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_table),
        cmocka_unit_test(test_clean_trim),
        cmocka_unit_test(test_clean_nfc),
        cmocka_unit_test(test_clean_multiline),
        cmocka_unit_test(test_clean_url_and_types),
        cmocka_unit_test(test_check_text),
        cmocka_unit_test(test_check_multiline),
        cmocka_unit_test(test_check_email),
        cmocka_unit_test(test_check_phone),
        cmocka_unit_test(test_check_url),
        cmocka_unit_test(test_check_birthday_region_code_types),
        cmocka_unit_test(test_check_whole),
        cmocka_unit_test(test_birthday_forms),
        cmocka_unit_test(test_birthday_29_february),
        cmocka_unit_test(test_birthday_invalid),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_types_order_main_other),
        cmocka_unit_test(test_columns_sql),
        cmocka_unit_test(test_assign_sql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
