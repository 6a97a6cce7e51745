/* contact: the fields of a contact and the rules for their values. */
#include "contact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "textenc.h"
#include "valid.h"

const contact_field_def contact_fields[CF_COUNT] = {
    [CF_FIRST_NAME] = {"first_name", "First name", 100, CK_TEXT},
    [CF_MIDDLE_NAME] = {"middle_name", "Middle name", 100, CK_TEXT},
    [CF_LAST_NAME] = {"last_name", "Last name", 100, CK_TEXT},
    [CF_SUFFIX] = {"suffix", "Suffix", 20, CK_TEXT},
    [CF_NICKNAME] = {"nickname", "Nickname", 100, CK_TEXT},
    [CF_TITLE] = {"title", "Title", 100, CK_TEXT},
    [CF_ORGANISATION] = {"organisation", "Organisation", 200, CK_TEXT},
    [CF_PARTY] = {"party", "Party", 100, CK_TEXT},
    [CF_EMAIL] = {"email", "Email", 254, CK_EMAIL},
    [CF_PHONE] = {"phone", "Phone", 50, CK_PHONE},
    [CF_ADDRESS] = {"address", "Street address", 500, CK_MULTI},
    [CF_CITY] = {"city", "City", 100, CK_TEXT},
    [CF_ADDRESS_REGION] = {"address_region", "State or province (postal)", 100, CK_TEXT},
    [CF_POSTAL_CODE] = {"postal_code", "Postal code", 20, CK_TEXT},
    [CF_COUNTRY] = {"country", "Country", 100, CK_TEXT},
    [CF_WEBSITE] = {"website", "Web site", 500, CK_URL},
    [CF_CONTACT_FORM] = {"contact_form", "Contact form", 500, CK_URL},
    [CF_BIRTHDAY] = {"birthday", "Birthday", 10, CK_BIRTHDAY},
    [CF_REGION] = {"region", "State or district", 40, CK_REGION},
    [CF_NOTES] = {"notes", "Notes", 10000, CK_MULTI},
    [CF_EXTERNAL_ID] = {"external_id", "External id", 64, CK_CODE},
    [CF_EMAIL_TYPE] = {"email_type", "Email type", 40, CK_TYPES},
    [CF_PHONE_TYPE] = {"phone_type", "Phone type", 40, CK_TYPES},
};

int contact_field_find(const char *name, size_t n)
{
    for (int i = 0; i < CF_COUNT; i++)
        if (strlen(contact_fields[i].name) == n && memcmp(contact_fields[i].name, name, n) == 0)
            return i;
    return -1;
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* NFC of valid UTF-8 into a, or NULL when it cannot be had (left as it is). */
static char *nfc(arena *a, const char *s, size_t *n)
{
    buf b = {0};
    if (text_nfc(s, *n, &b) != 0) {
        buf_free(&b);
        return NULL;
    }
    char *out = arena_strndup(a, b.data ? b.data : "", b.len);
    *n = b.len;
    buf_free(&b);
    return out;
}

const char *contact_clean(arena *a, enum contact_field f, const char *s, size_t *n)
{
    const contact_field_def *d = &contact_fields[f];
    char *out;
    if (d->kind == CK_MULTI) {
        size_t b = 0, e = *n;
        out = arena_alloc(a, e - b + 1);
        size_t o = 0;
        for (size_t i = b; i < e; i++) {
            if (s[i] == '\r' && i + 1 < e && s[i + 1] == '\n')
                continue;
            out[o++] = s[i] == '\r' ? '\n' : s[i];
        }
        out[o] = '\0';
        *n = o;
    } else {
        size_t b = 0, e = *n;
        while (b < e && (s[b] == ' ' || s[b] == '\t'))
            b++;
        while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        *n = e - b;
        out = arena_strndup(a, s + b, e - b);
    }
    if (!is_ascii(out, *n) && utf8_valid(out, *n)) {
        char *norm = nfc(a, out, n);
        if (norm)
            out = norm;
    }
    if (d->kind == CK_URL)
        url_lower_scheme(out, *n);
    if (d->kind == CK_TYPES)
        for (size_t i = 0; i < *n; i++)
            if (out[i] >= 'A' && out[i] <= 'Z')
                out[i] = (char)(out[i] - 'A' + 'a');
    return out;
}

static bool valid_types(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == ','))
            return false;
    return true;
}

const char *contact_check(enum contact_field f, const char *s, size_t n)
{
    const contact_field_def *d = &contact_fields[f];
    enum valid_rc rc = valid_text(s, n, d->max, d->kind == CK_MULTI);
    if (rc == VALID_OK && n > 0) {
        char day[11];
        switch (d->kind) {
        case CK_EMAIL:
            rc = valid_email(s, n);
            break;
        case CK_PHONE:
            rc = valid_phone(s, n);
            break;
        case CK_URL:
            rc = valid_url(s, n, d->max);
            break;
        case CK_BIRTHDAY:
            rc = contact_birthday(s, n, day) && n == strlen(day) && memcmp(day, s, n) == 0 ? VALID_OK : VALID_FORMAT;
            break;
        case CK_REGION:
            rc = valid_code(s, n, d->max);
            break;
        case CK_CODE:
            rc = memchr(s, ' ', n) ? VALID_FORMAT : VALID_OK;
            break;
        case CK_TYPES:
            rc = valid_types(s, n) ? VALID_OK : VALID_FORMAT;
            break;
        default:
            break;
        }
    }
    if (rc == VALID_OK)
        return NULL;
    if (rc != VALID_FORMAT)
        return valid_message(rc, d->max);
    switch (d->kind) {
    case CK_EMAIL:
        return "is not an email address (like name@example.org)";
    case CK_PHONE:
        return "may contain only digits, spaces and + ( ) - . / and an extension";
    case CK_URL:
        return "must be a web address starting with http:// or https://";
    case CK_BIRTHDAY:
        return "must be a real date written YYYY-MM-DD (or --MM-DD without the year)";
    case CK_REGION:
        return "is not a known state or district";
    case CK_CODE:
        return "may not contain spaces";
    case CK_TYPES:
        return "must be words like home, work or cell, separated by commas";
    default:
        return valid_message(rc, d->max);
    }
}

const char *contact_check_whole(const contact_values *v)
{
    if (v->len[CF_FIRST_NAME] == 0 && v->len[CF_LAST_NAME] == 0 && v->len[CF_ORGANISATION] == 0)
        return "is needed: give a first name, a last name or an organisation";
    return NULL;
}

void contact_columns_sql(buf *sql, const char *prefix, int count)
{
    for (int i = 0; i < count; i++) {
        if (i)
            buf_adds(sql, ", ");
        buf_adds(sql, prefix);
        buf_adds(sql, i == CF_REGION ? "region_id" : contact_fields[i].name);
    }
}

void contact_assign_sql(buf *sql, const char *prefix, int count)
{
    for (int i = 0; i < count; i++) {
        if (i)
            buf_adds(sql, ", ");
        buf_adds(sql, prefix);
        buf_adds(sql, i == CF_REGION ? "region_id" : contact_fields[i].name);
        buf_adds(sql, " = ?");
    }
}

static int digits(const char *s, size_t n)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    return x;
}

static bool real_day(int y, int m, int d)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    if (m == 2 && d == 29 && y > 0 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

bool contact_birthday(const char *s, size_t n, char out[11])
{
    int y = 0, m, d;
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    } else if (n == 8 && s[0] != '-') {
        y = digits(s, 4), m = digits(s + 4, 2), d = digits(s + 6, 2);
    } else if (n == 7 && s[0] == '-' && s[1] == '-' && s[4] == '-') {
        y = 0, m = digits(s + 2, 2), d = digits(s + 5, 2);
    } else if (n == 6 && s[0] == '-' && s[1] == '-') {
        y = 0, m = digits(s + 2, 2), d = digits(s + 4, 2);
    } else {
        return false;
    }
    if (y < 0 || m < 0 || d < 0 || (n >= 8 && y < 1000) || !real_day(y, m, d))
        return false;
    /* Digit by digit: y < 10000, m <= 12 and d <= 31 here. */
    char *o = out;
    if (y) {
        *o++ = (char)('0' + y / 1000), *o++ = (char)('0' + y / 100 % 10);
        *o++ = (char)('0' + y / 10 % 10), *o++ = (char)('0' + y % 10);
    } else {
        *o++ = '-';
    }
    *o++ = '-', *o++ = (char)('0' + m / 10), *o++ = (char)('0' + m % 10);
    *o++ = '-', *o++ = (char)('0' + d / 10), *o++ = (char)('0' + d % 10);
    *o = '\0';
    return true;
}

void contact_types(const char *const *words, size_t n, char out[64], size_t *unknown)
{
    static const char *const known[] = {"home", "work", "cell", "voice", "fax", "pager", "text", "video", "main",
                                        "other"};
    bool have[CT_ARRAY_LEN(known)] = {false};
    size_t unk = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = words[i];
        while (*w == '*' || *w == ' ')
            w++; /* Google marks the primary one "* Home" */
        if (strcasecmp(w, "internet") == 0 || strcasecmp(w, "pref") == 0 || strcasecmp(w, "x400") == 0 || !*w)
            continue;
        if (strcasecmp(w, "mobile") == 0 || strcasecmp(w, "iphone") == 0)
            w = "cell";
        else if (strcasecmp(w, "business") == 0)
            w = "work";
        else if (strcasecmp(w, "msg") == 0)
            w = "text";
        bool found = false;
        for (size_t k = 0; k < CT_ARRAY_LEN(known); k++)
            if (strcasecmp(w, known[k]) == 0)
                have[k] = found = true;
        if (!found)
            unk++;
    }
    size_t o = 0;
    out[0] = '\0';
    for (size_t k = 0; k < CT_ARRAY_LEN(known); k++) {
        if (!have[k])
            continue;
        o += (size_t)snprintf(out + o, 64 - o, "%s%s", o ? "," : "", known[k]);
    }
    if (unknown)
        *unknown = unk;
}
