/* import_map: from an uploaded file to candidate contacts. */
#include "import_map.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "valid.h"

/* ---- targets ---- */

/* A recognised header (normalised: lowercase, every run of other
 * characters one space; '#' stands for a number) and its target code. */
typedef struct known_header {
    const char *header;
    const char *code;
} known_header;

#define IGNORE_EXPORT_ID "!id"
#define IGNORE_SYSTEM "!system"
#define IGNORE_DELETED "!deleted"
#define IGNORE_SECOND_ADDRESS "!address2"
#define IGNORE_FORMATTED "!formatted"
#define IGNORE_REGION_NAME "!region_name"

static const known_header known[] = {
    {"first name", "first_name"}, {"given name", "first_name"}, {"firstname", "first_name"},
    {"first", "first_name"}, {"forename", "first_name"},
    {"middle name", "middle_name"}, {"additional name", "middle_name"}, {"middle", "middle_name"},
    {"middlename", "middle_name"},
    {"last name", "last_name"}, {"family name", "last_name"}, {"surname", "last_name"},
    {"lastname", "last_name"}, {"last", "last_name"},
    {"suffix", "suffix"}, {"name suffix", "suffix"},
    {"nickname", "nickname"}, {"nick name", "nickname"},
    {"title", "title"}, {"job title", "title"}, {"organization # title", "title"},
    {"organisation # title", "title"}, {"organization title", "title"}, {"position", "title"},
    {"name prefix", "title"}, {"prefix", "title"},
    {"company", "organisation"}, {"organization", "organisation"}, {"organisation", "organisation"},
    {"organization # name", "organisation"}, {"organisation # name", "organisation"},
    {"organization name", "organisation"}, {"company name", "organisation"}, {"employer", "organisation"},
    {"party", "party"}, {"political party", "party"},
    {"email", "email.0"}, {"e mail", "email.0"}, {"email address", "email.0"}, {"e mail address", "email.0"},
    {"mail", "email.0"}, {"email #", "email.#"}, {"e mail #", "email.#"}, {"e mail # address", "email.#"},
    {"email # address", "email.#"}, {"e mail # value", "email.#"}, {"email # value", "email.#"},
    {"primary email", "email.1"}, {"email address #", "email.#"}, {"e mail address #", "email.#"},
    {"email type", "email_type.1"}, {"e mail # type", "email_type.#"}, {"e mail # label", "email_type.#"},
    {"email # type", "email_type.#"}, {"email # label", "email_type.#"},
    {"other emails", "emails"},
    {"phone", "phone.0"}, {"telephone", "phone.0"}, {"phone number", "phone.0"}, {"tel", "phone.0"},
    {"telephone number", "phone.0"}, {"phone #", "phone.#"}, {"phone # value", "phone.#"},
    {"primary phone", "phone.0"},
    {"mobile", "phone.0:cell"}, {"mobile phone", "phone.0:cell"}, {"cell", "phone.0:cell"},
    {"cell phone", "phone.0:cell"}, {"mobile number", "phone.0:cell"},
    {"home phone", "phone.0:home"}, {"home phone #", "phone.0:home"},
    {"business phone", "phone.0:work"}, {"business phone #", "phone.0:work"}, {"work phone", "phone.0:work"},
    {"office phone", "phone.0:work"}, {"company main phone", "phone.0:work,main"},
    {"business fax", "phone.0:work,fax"}, {"work fax", "phone.0:work,fax"}, {"home fax", "phone.0:home,fax"},
    {"fax", "phone.0:fax"}, {"pager", "phone.0:pager"}, {"other phone", "phone.0:other"},
    {"phone type", "phone_type.1"}, {"phone # type", "phone_type.#"}, {"phone # label", "phone_type.#"},
    {"other phones", "phones"},
    {"address", "address"}, {"street", "address"}, {"street address", "address"},
    {"address # street", "address"}, {"business street", "address"}, {"home street", "address"},
    {"other street", "address"}, {"address line 1", "address"}, {"address 1", "address"},
    {"mailing address", "address"}, {"postal address", "address"},
    {"address line 2", "address_line"}, {"address line 3", "address_line"}, {"address 2", "address_line"},
    {"address 3", "address_line"}, {"business street 2", "address_line"}, {"business street 3", "address_line"},
    {"home street 2", "address_line"}, {"home street 3", "address_line"}, {"address # extended address",
                                                                            "address_line"},
    {"address # po box", "address_line"}, {"po box", "address_line"},
    {"address # formatted", IGNORE_FORMATTED},
    {"city", "city"}, {"town", "city"}, {"locality", "city"}, {"address # city", "city"},
    {"business city", "city"}, {"home city", "city"}, {"other city", "city"},
    {"state", "address_region"}, {"province", "address_region"}, {"state province", "address_region"},
    {"address region", "address_region"}, {"address # region", "address_region"},
    {"business state", "address_region"}, {"home state", "address_region"}, {"other state", "address_region"},
    {"postal code", "postal_code"}, {"zip", "postal_code"}, {"zip code", "postal_code"},
    {"zipcode", "postal_code"}, {"postcode", "postal_code"}, {"post code", "postal_code"},
    {"address # postal code", "postal_code"}, {"business postal code", "postal_code"},
    {"home postal code", "postal_code"}, {"other postal code", "postal_code"},
    {"country", "country"}, {"country region", "country"}, {"address # country", "country"},
    {"business country region", "country"}, {"home country region", "country"},
    {"other country region", "country"},
    {"website", "website"}, {"web site", "website"}, {"web page", "website"}, {"url", "website"},
    {"homepage", "website"}, {"home page", "website"}, {"website # value", "website"},
    {"personal web page", "website"}, {"business web page", "website"},
    {"contact form", "contact_form"},
    {"birthday", "birthday"}, {"birth date", "birthday"}, {"date of birth", "birthday"}, {"dob", "birthday"},
    {"birthdate", "birthday"}, {"bday", "birthday"},
    {"region", "region"}, {"region code", "region"}, {"district", "region"},
    {"region name", IGNORE_REGION_NAME},
    {"notes", "notes"}, {"note", "notes"}, {"comments", "notes"}, {"comment", "notes"},
    {"description", "notes"}, {"memo", "notes"},
    {"external id", "external_id"}, {"uid", "external_id"},
    {"tags", "tags"}, {"tag", "tags"}, {"labels", "tags"}, {"categories", "tags"}, {"category", "tags"},
    {"group membership", "tags"}, {"groups", "tags"},
    {"campaign", "campaign"}, {"campaigns", "campaign"},
    {"name", "name"}, {"full name", "name"}, {"display name", "name"}, {"contact name", "name"},
    {"id", IGNORE_EXPORT_ID}, {"updated at", IGNORE_SYSTEM}, {"created at", IGNORE_SYSTEM},
    {"deleted at", IGNORE_DELETED}, {"deleted", IGNORE_DELETED},
};

/* The header normalised as in known[], with the first number as '#'. */
static void normalise_header(const char *h, size_t n, buf *out, int *number)
{
    *number = -1;
    bool space = false;
    size_t i = 0;
    if (n >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c >= '0' && c <= '9' && *number < 0) {
            int x = 0;
            for (; i < n && h[i] >= '0' && h[i] <= '9' && x < 1000; i++)
                x = x * 10 + (h[i] - '0');
            i--;
            *number = x;
            if (space && out->len)
                buf_addc(out, ' ');
            space = false;
            buf_addc(out, '#');
            continue;
        }
        bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (!word) {
            space = true;
            continue;
        }
        if (space && out->len)
            buf_addc(out, ' ');
        space = false;
        buf_addc(out, (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
}

static import_target ignored(const char *why)
{
    import_target t = {.kind = TK_IGNORE, .types = "", .why = why};
    return t;
}

static const char *ignore_reason(const char *code)
{
    if (strcmp(code, IGNORE_EXPORT_ID) == 0)
        return "a contact number from an export is not imported: contacts are matched on their email or "
               "external id";
    if (strcmp(code, IGNORE_SYSTEM) == 0)
        return "kept by the system, not imported";
    if (strcmp(code, IGNORE_DELETED) == 0)
        return "not imported: a file cannot delete or hide contacts";
    if (strcmp(code, IGNORE_SECOND_ADDRESS) == 0)
        return "only one postal address is kept";
    if (strcmp(code, IGNORE_FORMATTED) == 0)
        return "the address is read from its parts";
    if (strcmp(code, IGNORE_REGION_NAME) == 0)
        return "the region is read from its code";
    return "not a known column";
}

import_target import_target_for(const char *header, size_t n)
{
    buf norm = {0};
    int number;
    normalise_header(header, n, &norm, &number);
    import_target t = ignored(norm.len ? "not a known column" : "the column has no header");
    /* A number that is part of the header's own words ("address line 2")
     * is matched as written first. */
    buf plain = {0};
    if (number >= 0) {
        const char *s = buf_str(&norm);
        const char *hash = strchr(s, '#');
        buf_add(&plain, s, (size_t)(hash - s));
        buf_printf(&plain, "%d", number);
        buf_adds(&plain, hash + 1);
    }
    for (int pass = 0; pass < 2; pass++) {
        const char *want = pass == 0 ? (number >= 0 ? buf_str(&plain) : NULL) : buf_str(&norm);
        if (!want)
            continue;
        for (size_t k = 0; k < CT_ARRAY_LEN(known); k++) {
            if (strcmp(known[k].header, want) != 0)
                continue;
            const char *code = known[k].code;
            if (code[0] == '!') {
                t = ignored(ignore_reason(code));
            } else {
                char c[64];
                const char *hash = strchr(code, '#');
                if (hash)
                    snprintf(c, sizeof c, "%.*s%d%s", (int)(hash - code), code, number, hash + 1);
                else
                    snprintf(c, sizeof c, "%s", code);
                if (!import_target_parse(c, &t))
                    t = ignored("not a known column");
                /* Address parts numbered above 1 are a second address. */
                if (number > 1 && !hash && strstr(known[k].header, "#") && t.kind != TK_EMAIL &&
                    t.kind != TK_PHONE)
                    t = ignored(ignore_reason(IGNORE_SECOND_ADDRESS));
                if ((t.kind == TK_EMAIL || t.kind == TK_EMAIL_TYPE || t.kind == TK_PHONE ||
                     t.kind == TK_PHONE_TYPE) &&
                    t.slot > IMPORT_MAX_SLOTS)
                    t = ignored("at most 8 emails and 8 phones are kept");
            }
            pass = 2;
            break;
        }
    }
    buf_free(&norm);
    buf_free(&plain);
    return t;
}

static const struct {
    enum import_target_kind kind;
    const char *code;
} kind_codes[] = {
    {TK_EMAIL, "email"}, {TK_EMAIL_TYPE, "email_type"}, {TK_PHONE, "phone"}, {TK_PHONE_TYPE, "phone_type"},
    {TK_EMAIL_LIST, "emails"}, {TK_PHONE_LIST, "phones"}, {TK_ADDRESS_LINE, "address_line"},
    {TK_TAGS, "tags"}, {TK_CAMPAIGN, "campaign"}, {TK_NAME, "name"},
};

void import_target_code(const import_target *t, char out[64])
{
    out[0] = '\0';
    if (t->kind == TK_IGNORE)
        return;
    if (t->kind == TK_FIELD) {
        snprintf(out, 64, "%s", contact_fields[t->field].name);
        return;
    }
    for (size_t k = 0; k < CT_ARRAY_LEN(kind_codes); k++) {
        if (kind_codes[k].kind != t->kind)
            continue;
        if (t->kind <= TK_PHONE_TYPE)
            snprintf(out, 64, "%s.%d%s%s", kind_codes[k].code, t->slot, t->types && t->types[0] ? ":" : "",
                     t->types ? t->types : "");
        else
            snprintf(out, 64, "%s", kind_codes[k].code);
    }
}

bool import_target_parse(const char *code, import_target *t)
{
    *t = ignored("not imported");
    if (!code[0])
        return true;
    size_t n = strcspn(code, ".:");
    for (size_t k = 0; k < CT_ARRAY_LEN(kind_codes); k++) {
        if (strlen(kind_codes[k].code) != n || memcmp(kind_codes[k].code, code, n) != 0)
            continue;
        /* "email" alone is the field (the contact's own email, slot 1) */
        if (kind_codes[k].kind <= TK_PHONE_TYPE && code[n] == '\0')
            break;
        t->kind = kind_codes[k].kind;
        t->why = NULL;
        if (t->kind > TK_PHONE_TYPE)
            return code[n] == '\0';
        /* email.N[:types]: N 0 means "the next free slot". */
        if (code[n] != '.')
            return false;
        int slot = 0;
        const char *p = code + n + 1;
        if (*p < '0' || *p > '9')
            return false;
        for (; *p >= '0' && *p <= '9' && slot < 1000; p++)
            slot = slot * 10 + (*p - '0');
        t->slot = slot;
        if (*p == ':') {
            static const char *const allowed[] = {"cell", "home", "work", "work,main", "work,fax", "home,fax",
                                                  "fax", "pager", "other"};
            for (size_t a = 0; a < CT_ARRAY_LEN(allowed); a++)
                if (strcmp(p + 1, allowed[a]) == 0)
                    t->types = allowed[a];
            return t->types[0] != '\0' && (t->kind == TK_PHONE || t->kind == TK_EMAIL);
        }
        return *p == '\0';
    }
    int f = contact_field_find(code, strlen(code));
    if (f < 0)
        return false;
    t->kind = TK_FIELD;
    t->field = f;
    t->why = NULL;
    /* The contact's own email and phone are slot 1. */
    if (f == CF_EMAIL || f == CF_PHONE) {
        t->kind = f == CF_EMAIL ? TK_EMAIL : TK_PHONE;
        t->slot = 1;
    } else if (f == CF_EMAIL_TYPE || f == CF_PHONE_TYPE) {
        t->kind = f == CF_EMAIL_TYPE ? TK_EMAIL_TYPE : TK_PHONE_TYPE;
        t->slot = 1;
    }
    return true;
}

void import_target_label(const import_target *t, char out[96])
{
    switch (t->kind) {
    case TK_IGNORE:
        snprintf(out, 96, "(not imported)");
        break;
    case TK_FIELD:
        snprintf(out, 96, "%s", contact_fields[t->field].label);
        break;
    case TK_EMAIL:
    case TK_PHONE:
        snprintf(out, 96, "%s %d%s%s%s", t->kind == TK_EMAIL ? "Email" : "Phone", t->slot,
                 t->types[0] ? " (" : "", t->types, t->types[0] ? ")" : "");
        break;
    case TK_EMAIL_TYPE:
    case TK_PHONE_TYPE:
        snprintf(out, 96, "%s %d type", t->kind == TK_EMAIL_TYPE ? "Email" : "Phone", t->slot);
        break;
    case TK_EMAIL_LIST:
        snprintf(out, 96, "Other emails");
        break;
    case TK_PHONE_LIST:
        snprintf(out, 96, "Other phones");
        break;
    case TK_ADDRESS_LINE:
        snprintf(out, 96, "Street address (another line)");
        break;
    case TK_TAGS:
        snprintf(out, 96, "Tags");
        break;
    case TK_CAMPAIGN:
        snprintf(out, 96, "Campaign");
        break;
    case TK_NAME:
        snprintf(out, 96, "Whole name (when there is no first or last name)");
        break;
    }
}

/* The targets of every column: from the caller's codes, or recognised;
 * then each single field and each slot taken by one column only (the
 * first), and slot 0 ("next free") resolved in column order. */
static int resolve_targets(import_source *src, const import_settings *set, char *err, size_t errlen)
{
    src->targets = arena_alloc(src->a, (src->ncolumns ? src->ncolumns : 1) * sizeof *src->targets);
    if (set->codes && set->ncodes != src->ncolumns) {
        snprintf(err, errlen, "The mapping names %zu columns, but the file has %zu.", set->ncodes, src->ncolumns);
        return -1;
    }
    for (size_t i = 0; i < src->ncolumns; i++) {
        if (set->codes) {
            if (!import_target_parse(set->codes[i], &src->targets[i])) {
                snprintf(err, errlen, "Column %zu: \"%.60s\" is not something a column can be imported as.", i + 1,
                         set->codes[i]);
                return -1;
            }
            if (!src->targets[i].why)
                src->targets[i].why = "";
        } else {
            src->targets[i] = import_target_for(src->headers[i], strlen(src->headers[i]));
        }
    }
    int field_col[CF_COUNT];
    int slot_col[4][IMPORT_MAX_SLOTS + 1];
    for (int f = 0; f < CF_COUNT; f++)
        field_col[f] = -1;
    for (int k = 0; k < 4; k++)
        for (int s = 0; s <= IMPORT_MAX_SLOTS; s++)
            slot_col[k][s] = -1;
    bool single_seen[TK_NAME + 1] = {false};
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < src->ncolumns; i++) {
            import_target *t = &src->targets[i];
            bool slotted = t->kind >= TK_EMAIL && t->kind <= TK_PHONE_TYPE;
            /* Numbered slots first, then "next free" ones. */
            if (!slotted || (pass == 0) != (t->slot > 0))
                continue;
            int k = t->kind - TK_EMAIL;
            if (t->slot == 0) {
                int base = t->kind == TK_EMAIL || t->kind == TK_EMAIL_TYPE ? 0 : 2;
                for (int s = 1; s <= IMPORT_MAX_SLOTS && !t->slot; s++)
                    if (slot_col[base][s] < 0)
                        t->slot = s;
                if (!t->slot) {
                    *t = ignored("at most 8 emails and 8 phones are kept");
                    continue;
                }
            }
            if (t->slot > IMPORT_MAX_SLOTS) {
                *t = ignored("at most 8 emails and 8 phones are kept");
                continue;
            }
            if (slot_col[k][t->slot] >= 0) {
                *t = ignored(arena_printf(src->a, "the same as column %d (%s)", slot_col[k][t->slot] + 1,
                                          src->headers[slot_col[k][t->slot]]));
                continue;
            }
            slot_col[k][t->slot] = (int)i;
        }
    }
    bool any = false;
    for (size_t i = 0; i < src->ncolumns; i++) {
        import_target *t = &src->targets[i];
        if (t->kind == TK_FIELD) {
            if (field_col[t->field] >= 0) {
                *t = ignored(arena_printf(src->a, "the same as column %d (%s)", field_col[t->field] + 1,
                                          src->headers[field_col[t->field]]));
                continue;
            }
            field_col[t->field] = (int)i;
        } else if (t->kind == TK_EMAIL_LIST || t->kind == TK_PHONE_LIST || t->kind == TK_TAGS ||
                   t->kind == TK_NAME) {
            if (single_seen[t->kind]) {
                *t = ignored("another column is read for this already");
                continue;
            }
            single_seen[t->kind] = true;
        }
        if (t->kind == TK_IGNORE && !t->why)
            t->why = "not imported";
        any = any || t->kind != TK_IGNORE;
    }
    if (!any && !set->codes) {
        snprintf(err, errlen,
                 "None of the columns is one this import knows (such as first_name, last_name, email, phone): "
                 "is the first row a header? Choose what each column holds.");
        return -1;
    }
    return 0;
}


/* ---- opening ---- */

static bool starts_with_vcard(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return n - i >= 11 && strncasecmp(s + i, "BEGIN:VCARD", 11) == 0;
}

static const char *delim_name(char d)
{
    return d == ',' ? "comma (,)" : d == ';' ? "semicolon (;)" : d == '\t' ? "tab" : d == '|' ? "bar (|)" : "chosen character";
}

int import_open(import_source *src, const char *data, size_t len, const import_settings *set, char *err,
                size_t errlen)
{
    memset(src, 0, sizeof *src);
    src->a = arena_new();
    src->dates = set->dates;
    if (len == 0) {
        snprintf(err, errlen, "The file is empty.");
        return -1;
    }
    enum textenc enc = set->encoding;
    if (!set->encoding_set && textenc_detect(data, len, &enc, err, errlen) != 0)
        return -1;
    src->encoding = enc;
    if (textenc_to_utf8(data, len, enc, &src->text, err, errlen) != 0)
        return -1;
    const char *text = src->text.data ? src->text.data : "";
    size_t tlen = src->text.len;
    if (starts_with_vcard(text, tlen)) {
        src->format = IMPORT_VCARD;
        src->vcard = vcard_reader_new(text, tlen);
        return 0;
    }
    src->format = IMPORT_CSV;
    char d = set->delimiter ? set->delimiter : csv_detect_delimiter(text, tlen);
    src->delimiter = d;
    src->csv = csv_reader_new(text, tlen, d);
    if (!src->csv) {
        snprintf(err, errlen, "The delimiter cannot be a quote or a line break.");
        return -1;
    }
    csv_record rec;
    int rc = csv_next(src->csv, &rec);
    if (rc < 0) {
        snprintf(err, errlen, "The header row cannot be read: %s.", csv_error(src->csv));
        return -1;
    }
    if (rc == 0) {
        snprintf(err, errlen, "The file has no rows.");
        return -1;
    }
    src->ncolumns = rec.n;
    src->headers = arena_alloc(src->a, rec.n * sizeof *src->headers);
    for (size_t i = 0; i < rec.n; i++) {
        const csv_field *f = &rec.fields[i];
        if (!utf8_valid(f->p, f->n) || memchr(f->p, '\0', f->n)) {
            snprintf(err, errlen, "Line %zu: the header of column %zu is not text.", rec.line, i + 1);
            return -1;
        }
        size_t b = 0, e = f->n;
        while (b < e && (f->p[b] == ' ' || f->p[b] == '\t'))
            b++;
        while (e > b && (f->p[e - 1] == ' ' || f->p[e - 1] == '\t'))
            e--;
        src->headers[i] = arena_strndup(src->a, f->p + b, utf8_prefix(f->p + b, e - b, 200));
    }
    /* One column that holds another delimiter: the file is not separated
     * by the one used, and one merged field per contact would be wrong. */
    if (rec.n == 1) {
        static const char others[] = {',', ';', '\t'};
        for (size_t k = 0; k < sizeof others; k++) {
            if (others[k] != d && memchr(rec.fields[0].p, others[k], rec.fields[0].n)) {
                snprintf(err, errlen,
                         "The header row has a single column when read with the %s as delimiter, and it holds a "
                         "%s: choose the delimiter the file uses.",
                         delim_name(d), delim_name(others[k]));
                return -1;
            }
        }
    }
    return resolve_targets(src, set, err, errlen);
}

void import_close(import_source *src)
{
    csv_reader_free(src->csv);
    vcard_reader_free(src->vcard);
    buf_free(&src->text);
    arena_free(src->a);
    memset(src, 0, sizeof *src);
}

/* ---- one candidate ---- */

static void problem(import_row *row, arena *a, const char *column, bool error, const char *fmt, ...)
    CT_PRINTF(5, 6);
static void problem(import_row *row, arena *a, const char *column, bool error, const char *fmt, ...)
{
    if (row->nproblems % 8 == 0) {
        import_problem *p = arena_alloc(a, (row->nproblems + 8) * sizeof *p);
        if (row->nproblems)
            memcpy(p, row->problems, row->nproblems * sizeof *p);
        row->problems = p;
    }
    va_list ap;
    va_start(ap, fmt);
    buf b = {0};
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    row->problems[row->nproblems].column = column ? column : "";
    row->problems[row->nproblems].error = error;
    row->problems[row->nproblems].reason = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    row->nproblems++;
    if (error)
        row->bad = true;
}

static int number(const char *s, size_t n, int *out)
{
    if (n == 0 || n > 6)
        return -1;
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *out = x;
    return 0;
}

const char *import_date(const char *s, size_t n, enum import_dates dates, char out[IMPORT_DATE_OUT])
{
    /* A date with a time (as some exports write birthdays) is the date as
     * written: never moved by a time zone. */
    if (n > 10 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' '))
        n = 10;
    if (contact_birthday(s, n, out))
        return NULL;
    /* YYYY-MM-DD that is no day of the calendar */
    if (n == 10 && s[4] == '-' && s[7] == '-' && strspn(s, "0123456789") == 4 && strspn(s + 5, "0123456789") == 2 &&
        strspn(s + 8, "0123456789") == 2)
        return "is not a date: there is no such day";
    int part[3], np = 0;
    size_t start = 0;
    char sep = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] >= '0' && s[i] <= '9')
            continue;
        if (i < n && !sep && (s[i] == '/' || s[i] == '.' || s[i] == '-'))
            sep = s[i];
        if (i < n && s[i] != sep)
            return "is not a date";
        if (np == 3 || number(s + start, i - start, &part[np]) != 0)
            return "is not a date";
        if (np == 2 && i - start != 4)
            return "is not a date: write the year with four digits";
        np++;
        start = i + 1;
    }
    if (np < 2)
        return "is not a date";
    if (dates == DATES_ISO)
        return "is not written YYYY-MM-DD: choose the file's date format (MM/DD/YYYY or DD/MM/YYYY)";
    int m = dates == DATES_MDY ? part[0] : part[1], d = dates == DATES_MDY ? part[1] : part[0];
    int y = np == 3 ? part[2] : 0;
    if (m < 1 || m > 12) {
        snprintf(out, IMPORT_DATE_OUT, "is not a date: %d is not a month", m);
        return out;
    }
    if (y && y < 1000)
        return "is not a date: write the year with four digits";
    char iso[16];
    if (y)
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    else
        snprintf(iso, sizeof iso, "--%02d-%02d", m % 100, d % 100);
    if (!contact_birthday(iso, strlen(iso), out)) {
        snprintf(out, IMPORT_DATE_OUT, "is not a date: month %d has no day %d", m, d);
        return out;
    }
    return NULL;
}

/* Sets field f of the row from raw text: cleaned and checked. */
static void set_field(import_row *row, arena *a, const char *column, enum contact_field f, const char *s, size_t n,
                      enum import_dates dates)
{
    row->has[f] = true;
    char day[IMPORT_DATE_OUT];
    if (f == CF_BIRTHDAY && n > 0) {
        size_t b = 0, e = n;
        while (b < e && (s[b] == ' ' || s[b] == '\t'))
            b++;
        while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        /* "No date" as Outlook writes it. */
        static const char *const none[] = {"0/0/00", "0/0/0000", "00/00/0000", "00.00.0000", "0000-00-00"};
        for (size_t k = 0; k < CT_ARRAY_LEN(none); k++)
            if (e - b == strlen(none[k]) && memcmp(s + b, none[k], e - b) == 0)
                b = e;
        if (b == e) {
            n = 0;
            s = "";
        } else {
            const char *why = import_date(s + b, e - b, dates, day);
            if (why) {
                size_t q = utf8_prefix(s + b, e - b, 40);
                problem(row, a, column, true, "\"%s\" %s", arena_strndup(a, s + b, q), why);
                return;
            }
            s = day;
            n = strlen(day);
        }
    }
    const char *v = contact_clean(a, f, s, &n);
    const char *why = contact_check(f, v, n);
    if (why) {
        if (!utf8_valid(v, n))
            problem(row, a, column, true, "%s", why);
        else if (n > 60)
            problem(row, a, column, true, "%s", why);
        else
            problem(row, a, column, true, "\"%s\" %s", v, why);
        return;
    }
    row->v.v[f] = v;
    row->v.len[f] = n;
}

/* Adds a channel (email or phone) with its types to the row's list. */
static void add_channel(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n,
                        const char *types, int pref)
{
    enum contact_field f = email ? CF_EMAIL : CF_PHONE;
    const char *v = contact_clean(a, f, s, &n);
    if (n == 0)
        return;
    const char *why = contact_check(f, v, n);
    if (why) {
        problem(row, a, column, true, n > 60 ? "%s" : "\"%s\" %s", n > 60 ? why : v, why);
        return;
    }
    import_channel *list = email ? row->emails : row->phones;
    size_t *count = email ? &row->nemails : &row->nphones;
    for (size_t i = 0; i < *count; i++)
        if (list[i].len == n && (email ? strncasecmp(list[i].value, v, n) : memcmp(list[i].value, v, n)) == 0)
            return; /* the same address twice */
    if (*count == IMPORT_MAX_SLOTS) {
        problem(row, a, column, false, "\"%s\" is not imported: at most %d %s are kept", v, IMPORT_MAX_SLOTS,
                email ? "emails" : "phones");
        return;
    }
    import_channel *c = &list[(*count)++];
    c->value = v;
    c->len = n;
    c->pref = pref;
    snprintf(c->types, sizeof c->types, "%s", types ? types : "");
}

/* Types from words separated by , ; spaces or ::: (Google), with a leading
 * '*' (Google's mark of the preferred one) reported in *star. */
static void parse_types(const char *s, size_t n, const char *implied, char out[64], bool *star, size_t *unknown)
{
    const char *words[24];
    char copy[256];
    size_t nw = 0;
    if (n >= sizeof copy)
        n = sizeof copy - 1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    *star = memchr(copy, '*', n) != NULL;
    char *save = NULL;
    for (char *w = strtok_r(copy, ",; :*\t", &save); w && nw < 22; w = strtok_r(NULL, ",; :*\t", &save))
        words[nw++] = w;
    char imp[64];
    snprintf(imp, sizeof imp, "%s", implied ? implied : "");
    for (char *w = strtok_r(imp, ",", &save); w && nw < 24; w = strtok_r(NULL, ",", &save))
        words[nw++] = w;
    contact_types(words, nw, out, unknown);
}

/* One tag or campaign name, checked, into the row (once). */
static void add_item(import_row *row, arena *a, const char *column, bool tags, const char *s, size_t n)
{
    const char ***list = tags ? &row->tags : &row->campaigns;
    size_t *count = tags ? &row->ntags : &row->ncampaigns;
    size_t len = n;
    const char *item = contact_clean(a, CF_FIRST_NAME, s, &len);
    if (len == 0)
        return;
    size_t max = tags ? 100 : 200;
    enum valid_rc rc = valid_text(item, len, max, false);
    if (rc != VALID_OK) {
        problem(row, a, column, true, "%s %s", tags ? "A tag" : "A campaign name", valid_message(rc, max));
        return;
    }
    for (size_t k = 0; k < *count; k++)
        if (strcasecmp((*list)[k], item) == 0)
            return;
    if (*count % 8 == 0) {
        const char **grown = arena_alloc(a, (*count + 8) * sizeof *grown);
        if (*count)
            memcpy(grown, *list, *count * sizeof *grown);
        *list = grown;
    }
    (*list)[(*count)++] = item;
}

/* Splits s at any of the separators (and ":::"), trimmed, into the row's
 * tags or campaigns; skips Google's system groups ("* myContacts"). */
static void add_list(import_row *row, arena *a, const char *column, bool tags, const char *s, size_t n)
{
    const char *seps = tags ? ",;\n" : ";\n";
    size_t i = 0;
    while (i < n) {
        size_t b = i;
        while (i < n && !strchr(seps, s[i]) && !(i + 2 < n && memcmp(s + i, ":::", 3) == 0))
            i++;
        size_t e = i;
        i += i + 2 < n && memcmp(s + i, ":::", 3) == 0 ? 3 : 1;
        while (b < e && (s[b] == ' ' || s[b] == '\t'))
            b++;
        if (tags && b < e && s[b] == '*')
            continue;
        add_item(row, a, column, tags, s + b, e - b);
    }
}

/* "value (types)" lines of this product's own export. */
static void add_channel_lines(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t b = i;
        while (i < n && s[i] != '\n' && s[i] != '\r')
            i++;
        size_t e = i++;
        const char *types = "";
        if (e > b + 3 && s[e - 1] == ')') {
            size_t open = e - 1;
            while (open > b && s[open] != '(')
                open--;
            if (s[open] == '(' && open > b && s[open - 1] == ' ') {
                types = arena_strndup(a, s + open + 1, e - open - 2);
                e = open - 1;
            }
        }
        char t[64];
        bool star;
        parse_types(types, strlen(types), NULL, t, &star, NULL);
        add_channel(row, a, email, column, s + b, e - b, t, 0);
    }
}

/* The whole name, when the file gives no parts: the last word is the
 * last name. */
static void split_name(import_row *row, arena *a, const char *s, size_t n)
{
    const char *v = contact_clean(a, CF_FIRST_NAME, s, &n);
    if (n == 0)
        return;
    const char *sp = NULL;
    for (size_t i = 0; i < n; i++)
        if (v[i] == ' ')
            sp = v + i;
    if (sp) {
        set_field(row, a, "name", CF_FIRST_NAME, v, (size_t)(sp - v), DATES_ISO);
        set_field(row, a, "name", CF_LAST_NAME, sp + 1, n - (size_t)(sp - v) - 1, DATES_ISO);
    } else {
        set_field(row, a, "name", CF_LAST_NAME, v, n, DATES_ISO);
    }
}

/* The preferred channel first (stable otherwise), then the contact's own
 * fields from it. */
static void finish_channels(import_row *row, arena *a)
{
    for (int e = 0; e < 2; e++) {
        import_channel *list = e == 0 ? row->emails : row->phones;
        size_t count = e == 0 ? row->nemails : row->nphones;
        size_t best = 0;
        for (size_t i = 1; i < count; i++)
            if (list[i].pref && (!list[best].pref || list[i].pref < list[best].pref))
                best = i;
        if (count && best) {
            import_channel c = list[best];
            memmove(list + 1, list, best * sizeof *list);
            list[0] = c;
        }
        enum contact_field f = e == 0 ? CF_EMAIL : CF_PHONE, ft = e == 0 ? CF_EMAIL_TYPE : CF_PHONE_TYPE;
        if (count) {
            row->v.v[f] = list[0].value, row->v.len[f] = list[0].len;
            /* A copy: the row may be copied, its channels with it. */
            row->v.v[ft] = arena_strdup(a, list[0].types), row->v.len[ft] = strlen(list[0].types);
            row->has[f] = row->has[ft] = true;
        }
    }
}

static void start_row(import_row *row)
{
    memset(row, 0, sizeof *row);
    for (int f = 0; f < CF_COUNT; f++)
        row->v.v[f] = "";
}

/* A cell a spreadsheet export made safe ("'=1+1"): the added quote goes. */
static void unsafe_cell(const char **s, size_t *n)
{
    if (*n >= 2 && (*s)[0] == '\'' && strchr("=+-@\t\r", (*s)[1]))
        (*s)++, (*n)--;
}

static int next_csv(import_source *src, arena *a, import_row *row, char *err, size_t errlen)
{
    csv_record rec;
    for (;;) {
        int rc = csv_next(src->csv, &rec);
        if (rc < 0) {
            snprintf(err, errlen, "%s", csv_error(src->csv));
            return -1;
        }
        if (rc == 0)
            return 0;
        bool blank = true;
        for (size_t i = 0; i < rec.n && blank; i++)
            for (size_t k = 0; k < rec.fields[i].n && blank; k++)
                blank = rec.fields[i].p[k] == ' ' || rec.fields[i].p[k] == '\t';
        if (!blank)
            break; /* rows of empty cells (",,,") are no contacts */
    }
    start_row(row);
    row->line = rec.line;
    if (rec.n > src->ncolumns) {
        problem(row, a, "", true,
                "has %zu fields but the header has %zu (a %s inside a value that is not quoted?)", rec.n,
                src->ncolumns, delim_name(src->delimiter));
        return 1;
    }
    const char *etypes[IMPORT_MAX_SLOTS + 1] = {0}, *ptypes[IMPORT_MAX_SLOTS + 1] = {0};
    size_t etn[IMPORT_MAX_SLOTS + 1] = {0}, ptn[IMPORT_MAX_SLOTS + 1] = {0};
    const char *evals[IMPORT_MAX_SLOTS + 1] = {0}, *pvals[IMPORT_MAX_SLOTS + 1] = {0};
    size_t evn[IMPORT_MAX_SLOTS + 1] = {0}, pvn[IMPORT_MAX_SLOTS + 1] = {0};
    int ecol[IMPORT_MAX_SLOTS + 1] = {0}, pcol[IMPORT_MAX_SLOTS + 1] = {0};
    buf address = {0};
    const char *name = NULL;
    size_t name_n = 0;
    for (size_t i = 0; i < rec.n; i++) {
        const import_target *t = &src->targets[i];
        const char *s = rec.fields[i].p;
        size_t n = rec.fields[i].n;
        const char *col = src->headers[i][0] ? src->headers[i] : arena_printf(a, "column %zu", i + 1);
        if (t->kind == TK_IGNORE)
            continue;
        unsafe_cell(&s, &n);
        if (!utf8_valid(s, n)) {
            problem(row, a, col, true, "is not valid text");
            continue;
        }
        switch (t->kind) {
        case TK_FIELD:
            if (t->field == CF_ADDRESS) {
                if (n)
                    buf_add(&address, s, n);
                row->has[CF_ADDRESS] = true;
            } else {
                set_field(row, a, col, (enum contact_field)t->field, s, n, src->dates);
            }
            break;
        case TK_ADDRESS_LINE:
            if (n) {
                if (address.len)
                    buf_addc(&address, '\n');
                buf_add(&address, s, n);
            }
            row->has[CF_ADDRESS] = true;
            break;
        case TK_EMAIL:
            evals[t->slot] = s, evn[t->slot] = n, ecol[t->slot] = (int)i;
            if (!etypes[t->slot] && t->types[0])
                etypes[t->slot] = t->types, etn[t->slot] = strlen(t->types);
            break;
        case TK_PHONE:
            pvals[t->slot] = s, pvn[t->slot] = n, pcol[t->slot] = (int)i;
            if (!ptypes[t->slot] && t->types[0])
                ptypes[t->slot] = t->types, ptn[t->slot] = strlen(t->types);
            break;
        case TK_EMAIL_TYPE:
            etypes[t->slot] = s, etn[t->slot] = n;
            break;
        case TK_PHONE_TYPE:
            ptypes[t->slot] = s, ptn[t->slot] = n;
            break;
        case TK_EMAIL_LIST:
        case TK_PHONE_LIST:
            add_channel_lines(row, a, t->kind == TK_EMAIL_LIST, col, s, n);
            break;
        case TK_TAGS:
        case TK_CAMPAIGN:
            add_list(row, a, col, t->kind == TK_TAGS, s, n);
            break;
        case TK_NAME:
            name = s, name_n = n;
            break;
        case TK_IGNORE:
            break;
        }
    }
    if (row->has[CF_ADDRESS])
        set_field(row, a, "address", CF_ADDRESS, address.data ? address.data : "", address.len, src->dates);
    buf_free(&address);
    /* The numbered ones first, in their order, before the other lists. */
    size_t listed_e = row->nemails, listed_p = row->nphones;
    import_channel keep_e[IMPORT_MAX_SLOTS], keep_p[IMPORT_MAX_SLOTS];
    memcpy(keep_e, row->emails, listed_e * sizeof *keep_e);
    memcpy(keep_p, row->phones, listed_p * sizeof *keep_p);
    row->nemails = row->nphones = 0;
    for (int e = 0; e < 2; e++) {
        const char **vals = e == 0 ? evals : pvals, **types = e == 0 ? etypes : ptypes;
        size_t *vn = e == 0 ? evn : pvn, *tn = e == 0 ? etn : ptn;
        int *cols = e == 0 ? ecol : pcol;
        for (int s = 1; s <= IMPORT_MAX_SLOTS; s++) {
            if (!vals[s])
                continue;
            /* Google puts several values in one cell ("a@x ::: b@x"), and
             * their types likewise ("* Home ::: Work"). */
            const char *v = vals[s], *vend = vals[s] + vn[s];
            const char *ty = types[s] ? types[s] : "", *tend = ty + (types[s] ? tn[s] : 0);
            while (v <= vend) {
                const char *vs = memmem(v, (size_t)(vend - v), ":::", 3);
                const char *ve = vs ? vs : vend;
                const char *ts = ty < tend ? memmem(ty, (size_t)(tend - ty), ":::", 3) : NULL;
                const char *te = ts ? ts : tend;
                char t[64];
                bool star = false;
                size_t unknown = 0;
                parse_types(ty, (size_t)(te - ty), NULL, t, &star, &unknown);
                add_channel(row, a, e == 0, src->headers[cols[s]], v, (size_t)(ve - v), t, star ? 1 : 0);
                if (!vs)
                    break;
                v = vs + 3;
                if (ts)
                    ty = ts + 3;
            }
        }
        import_channel *keep = e == 0 ? keep_e : keep_p;
        for (size_t k = 0; k < (e == 0 ? listed_e : listed_p); k++)
            add_channel(row, a, e == 0, e == 0 ? "other_emails" : "other_phones", keep[k].value, keep[k].len,
                        keep[k].types, 0);
    }
    finish_channels(row, a);
    if (name && !row->v.len[CF_FIRST_NAME] && !row->v.len[CF_LAST_NAME])
        split_name(row, a, name, name_n);
    return 1;
}

/* ---- vCard ---- */

/* The value of a text property, unescaped (and converted from a 2.1
 * CHARSET), into a. NULL with a problem when it cannot be read. */
static const char *prop_text(import_row *row, arena *a, const vcard_prop *p, const char *s, size_t n, size_t *out_n)
{
    buf raw = {0};
    const char *cs = vcard_param_get(p, "CHARSET");
    if (cs && strcasecmp(cs, "utf-8") != 0 && strcasecmp(cs, "us-ascii") != 0) {
        enum textenc enc;
        char why[TEXTENC_ERR_MAX];
        if (textenc_parse(cs, &enc) != 0) {
            problem(row, a, p->name, true, "is in the character set %.40s, which this import cannot read", cs);
            return NULL;
        }
        if (textenc_to_utf8(s, n, enc, &raw, why, sizeof why) != 0) {
            problem(row, a, p->name, true, "cannot be read: %s", why);
            buf_free(&raw);
            return NULL;
        }
        s = raw.data ? raw.data : "";
        n = raw.len;
    }
    if (!utf8_valid(s, n)) {
        problem(row, a, p->name, true, "is not valid text");
        buf_free(&raw);
        return NULL;
    }
    buf out = {0};
    vcard_unescape(&out, s, n);
    *out_n = out.len;
    const char *v = arena_strndup(a, out.data ? out.data : "", out.len);
    buf_free(&out);
    buf_free(&raw);
    return v;
}

static void set_prop_field(import_row *row, arena *a, const vcard_prop *p, enum contact_field f, const char *s,
                           size_t n, enum import_dates dates)
{
    size_t len;
    const char *v = prop_text(row, a, p, s, n, &len);
    if (v)
        set_field(row, a, p->name, f, v, len, dates);
}

static void types_of(const vcard_prop *p, char out[64])
{
    static const char *const all[] = {"home", "work", "cell", "voice", "fax", "pager", "text", "video", "main",
                                      "other", "mobile", "msg", "iphone"};
    const char *words[CT_ARRAY_LEN(all)];
    size_t n = 0;
    for (size_t k = 0; k < CT_ARRAY_LEN(all); k++)
        if (vcard_prop_has_type(p, all[k]))
            words[n++] = all[k];
    contact_types(words, n, out, NULL);
}

static int next_vcard(import_source *src, arena *a, import_row *row, char *err, size_t errlen)
{
    vcard_card card;
    int rc = vcard_next(src->vcard, &card);
    if (rc < 0) {
        snprintf(err, errlen, "%s", vcard_error(src->vcard));
        return -1;
    }
    if (rc == 0)
        return 0;
    start_row(row);
    row->line = card.line;
    buf skipped = {0}, notes = {0};
    const char *fn = NULL;
    size_t fn_n = 0;
    bool have_adr = false, have_url = false;
    for (size_t i = 0; i < card.nprops; i++) {
        const vcard_prop *p = &card.props[i];
        const char *name = p->name;
        vcard_str c[8];
        size_t len;
        if (strcmp(name, "VERSION") == 0 || strcmp(name, "PRODID") == 0 || strcmp(name, "REV") == 0 ||
            strcmp(name, "KIND") == 0 || strcmp(name, "SORT-STRING") == 0 || strcmp(name, "X-CTRACK-ID") == 0) {
            continue;
        } else if (strcmp(name, "N") == 0) {
            size_t k = vcard_split(p->value, p->value_n, c, 5);
            static const int map[5] = {CF_LAST_NAME, CF_FIRST_NAME, CF_MIDDLE_NAME, -1, CF_SUFFIX};
            for (size_t j = 0; j < k && j < 5; j++) {
                if (map[j] < 0) {
                    if (c[j].n && !row->has[CF_TITLE])
                        set_prop_field(row, a, p, CF_TITLE, c[j].p, c[j].n, DATES_ISO);
                    continue;
                }
                /* Several additional names are one middle name. */
                vcard_str items[8];
                size_t ni = vcard_split_list(c[j].p, c[j].n, items, 8);
                buf joined = {0};
                for (size_t m = 0; m < ni && m < 8; m++) {
                    size_t tl;
                    const char *tv = prop_text(row, a, p, items[m].p, items[m].n, &tl);
                    if (tv && tl) {
                        if (joined.len)
                            buf_addc(&joined, ' ');
                        buf_add(&joined, tv, tl);
                    }
                }
                set_field(row, a, "N", (enum contact_field)map[j], joined.data ? joined.data : "", joined.len,
                          DATES_ISO);
                buf_free(&joined);
            }
        } else if (strcmp(name, "FN") == 0) {
            fn = prop_text(row, a, p, p->value, p->value_n, &fn_n);
        } else if (strcmp(name, "NICKNAME") == 0) {
            size_t k = vcard_split_list(p->value, p->value_n, c, 1);
            if (k)
                set_prop_field(row, a, p, CF_NICKNAME, c[0].p, c[0].n, DATES_ISO);
        } else if (strcmp(name, "ORG") == 0) {
            size_t k = vcard_split(p->value, p->value_n, c, 4);
            buf joined = {0};
            for (size_t j = 0; j < k && j < 4; j++) {
                size_t tl;
                const char *tv = prop_text(row, a, p, c[j].p, c[j].n, &tl);
                if (tv && tl) {
                    if (joined.len)
                        buf_adds(&joined, ", ");
                    buf_add(&joined, tv, tl);
                }
            }
            set_field(row, a, "ORG", CF_ORGANISATION, joined.data ? joined.data : "", joined.len, DATES_ISO);
            buf_free(&joined);
        } else if (strcmp(name, "TITLE") == 0) {
            set_prop_field(row, a, p, CF_TITLE, p->value, p->value_n, DATES_ISO);
        } else if (strcmp(name, "EMAIL") == 0 || strcmp(name, "TEL") == 0) {
            bool email = name[0] == 'E';
            const char *v = prop_text(row, a, p, p->value, p->value_n, &len);
            if (!v)
                continue;
            char t[64];
            types_of(p, t);
            if (!email) {
                vcard_tel tel;
                vcard_tel_split(v, len, &tel);
                if (tel.ext.n)
                    v = arena_printf(a, "%.*s ext. %.*s", (int)tel.number.n, tel.number.p, (int)tel.ext.n,
                                     tel.ext.p);
                else
                    v = arena_strndup(a, tel.number.p, tel.number.n);
                len = strlen(v);
            }
            add_channel(row, a, email, name, v, len, t, vcard_prop_pref(p));
        } else if (strcmp(name, "ADR") == 0) {
            if (have_adr) {
                problem(row, a, "ADR", false, "a further postal address is not imported (one is kept)");
                continue;
            }
            have_adr = true;
            vcard_str parts[7] = {{0}};
            size_t k = vcard_split(p->value, p->value_n, parts, 7);
            const char *text[7];
            size_t tl[7] = {0};
            for (size_t j = 0; j < 7; j++) {
                text[j] = "";
                if (j < k) {
                    const char *tv = prop_text(row, a, p, parts[j].p, parts[j].n, &tl[j]);
                    text[j] = tv ? tv : "";
                    if (!tv)
                        tl[j] = 0;
                }
            }
            /* street, then the extended address, then the PO box: one line each */
            buf street = {0};
            static const int order[3] = {2, 1, 0};
            for (size_t j = 0; j < 3; j++) {
                if (!tl[order[j]])
                    continue;
                if (street.len)
                    buf_addc(&street, '\n');
                buf_add(&street, text[order[j]], tl[order[j]]);
            }
            set_field(row, a, "ADR", CF_ADDRESS, street.data ? street.data : "", street.len, DATES_ISO);
            buf_free(&street);
            set_field(row, a, "ADR", CF_CITY, text[3], tl[3], DATES_ISO);
            set_field(row, a, "ADR", CF_ADDRESS_REGION, text[4], tl[4], DATES_ISO);
            set_field(row, a, "ADR", CF_POSTAL_CODE, text[5], tl[5], DATES_ISO);
            set_field(row, a, "ADR", CF_COUNTRY, text[6], tl[6], DATES_ISO);
        } else if (strcmp(name, "URL") == 0) {
            if (have_url) {
                problem(row, a, "URL", false, "a further web address is not imported (one is kept)");
                continue;
            }
            have_url = true;
            set_prop_field(row, a, p, CF_WEBSITE, p->value, p->value_n, DATES_ISO);
        } else if (strcmp(name, "X-CTRACK-CONTACT-FORM") == 0) {
            set_prop_field(row, a, p, CF_CONTACT_FORM, p->value, p->value_n, DATES_ISO);
        } else if (strcmp(name, "X-CTRACK-PARTY") == 0) {
            set_prop_field(row, a, p, CF_PARTY, p->value, p->value_n, DATES_ISO);
        } else if (strcmp(name, "X-CTRACK-REGION") == 0) {
            set_prop_field(row, a, p, CF_REGION, p->value, p->value_n, DATES_ISO);
        } else if (strcmp(name, "BDAY") == 0) {
            set_prop_field(row, a, p, CF_BIRTHDAY, p->value, p->value_n, DATES_ISO);
        } else if (strcmp(name, "NOTE") == 0) {
            const char *v = prop_text(row, a, p, p->value, p->value_n, &len);
            if (v && len) {
                if (notes.len)
                    buf_adds(&notes, "\n\n");
                buf_add(&notes, v, len);
            }
        } else if (strcmp(name, "CATEGORIES") == 0) {
            /* A list: its items are split before they are unescaped. */
            vcard_str items[64];
            size_t k = vcard_split_list(p->value, p->value_n, items, 64);
            if (k > 64)
                problem(row, a, "CATEGORIES", false, "only the first 64 categories are imported");
            for (size_t m = 0; m < k && m < 64; m++) {
                size_t tl;
                const char *tv = prop_text(row, a, p, items[m].p, items[m].n, &tl);
                if (!tv)
                    continue;
                if (memchr(tv, ',', tl) || memchr(tv, ';', tl))
                    problem(row, a, "CATEGORIES", false,
                            "the category \"%s\" is not imported: a tag may not hold a comma or a semicolon",
                            arena_strndup(a, tv, utf8_prefix(tv, tl, 60)));
                else
                    add_item(row, a, "CATEGORIES", true, tv, tl);
            }
        } else if (strcmp(name, "UID") == 0) {
            set_prop_field(row, a, p, CF_EXTERNAL_ID, p->value, p->value_n, DATES_ISO);
        } else {
            /* Named once each in the report: what the model does not hold. */
            char key[80];
            snprintf(key, sizeof key, "%s, ", name);
            if (!strstr(buf_str(&skipped), key))
                buf_adds(&skipped, key);
        }
    }
    if (notes.len)
        set_field(row, a, "NOTE", CF_NOTES, notes.data, notes.len, DATES_ISO);
    buf_free(&notes);
    if (skipped.len > 2)
        problem(row, a, "", false, "not imported (no place for them): %.*s", (int)(skipped.len - 2), skipped.data);
    buf_free(&skipped);
    finish_channels(row, a);
    if (fn && !row->v.len[CF_FIRST_NAME] && !row->v.len[CF_LAST_NAME] && !row->v.len[CF_ORGANISATION])
        split_name(row, a, fn, fn_n);
    return 1;
}

void import_row_begin(import_row *row, size_t line)
{
    start_row(row);
    row->line = line;
}

void import_row_set(import_row *row, arena *a, const char *column, enum contact_field f, const char *s, size_t n)
{
    set_field(row, a, column, f, s, n, DATES_ISO);
}

void import_row_channel(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n,
                        const char *types)
{
    add_channel(row, a, email, column, s, n, types, 0);
}

void import_row_tag(import_row *row, arena *a, const char *tag)
{
    add_list(row, a, "tags", true, tag, strlen(tag));
}

void import_row_warn(import_row *row, arena *a, const char *column, const char *reason)
{
    problem(row, a, column, false, "%s", reason);
}

/* The problems from index from on become warnings that say the value was
 * left out; whether the row is bad is worked out again. */
static void demote(import_row *row, arena *a, size_t from)
{
    for (size_t i = from; i < row->nproblems; i++)
        if (row->problems[i].error) {
            row->problems[i].error = false;
            row->problems[i].reason = arena_printf(a, "%s: left out", row->problems[i].reason);
        }
    row->bad = false;
    for (size_t i = 0; i < row->nproblems; i++)
        row->bad = row->bad || row->problems[i].error;
}

void import_row_offer(import_row *row, arena *a, const char *column, enum contact_field f, const char *s, size_t n)
{
    size_t from = row->nproblems;
    set_field(row, a, column, f, s, n, DATES_ISO);
    demote(row, a, from);
}

void import_row_offer_channel(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n,
                              const char *types)
{
    size_t from = row->nproblems;
    add_channel(row, a, email, column, s, n, types, 0);
    demote(row, a, from);
}

void import_row_channel_lines(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n)
{
    add_channel_lines(row, a, email, column, s, n);
}

void import_row_tags(import_row *row, arena *a, const char *column, const char *s, size_t n)
{
    add_list(row, a, column, true, s, n);
}

void import_row_fail(import_row *row, arena *a, const char *column, const char *reason)
{
    problem(row, a, column, true, "%s", reason);
}

void import_row_end(import_row *row, arena *a, size_t record)
{
    (void)a;
    finish_channels(row, a);
    row->record = record;
}

int import_next(import_source *src, arena *a, import_row *row, char *err, size_t errlen)
{
    int rc = src->format == IMPORT_CSV ? next_csv(src, a, row, err, errlen) : next_vcard(src, a, row, err, errlen);
    if (rc != 1)
        return rc;
    row->record = ++src->records;
    return 1;
}
