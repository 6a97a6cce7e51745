/* Fuzzes import_map: the whole input is an uploaded file, opened and read
 * to the end three times: with automatic settings; with settings taken from
 * its first byte (delimiter, declared encoding, date order); and, for a CSV
 * file, with a mapping of the columns taken from the input too. Checks:
 *  - import_open and import_next fail only with a message, in UTF-8;
 *  - the headers and targets are sane, and every target's code reads back;
 *  - every value of every candidate is a C string of its length (no NUL),
 *    valid UTF-8, within contact_fields[f].max characters, accepted by
 *    contact_check and already clean (contact_clean leaves it as it is);
 *  - emails, phones, tags and campaigns likewise, at most IMPORT_MAX_SLOTS
 *    of each channel, the contact's own email and phone the first ones;
 *  - a row is bad exactly when one of its problems is an error, and every
 *    problem names its column and reason in UTF-8;
 *  - record numbers count 1, 2, 3...; lines increase.
 */
#include <string.h>

#include "fuzz.h"
#include "import_map.h"
#include "valid.h"

static void check_text(const char *s, size_t n)
{
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(strlen(s) == n);
    FUZZ_CHECK(utf8_valid(s, n));
}

/* The stored value v[0..n) of field f is acceptable and clean. */
static void check_value(arena *a, enum contact_field f, const char *v, size_t n)
{
    check_text(v, n);
    FUZZ_CHECK(utf8_chars(v, n) <= contact_fields[f].max);
    const char *why = contact_check(f, v, n);
    if (why)
        fprintf(stderr, "%s = \"%.*s\": %s\n", contact_fields[f].name, (int)(n > 80 ? 80 : n), v, why);
    FUZZ_CHECK(why == NULL);
    size_t m = n;
    const char *again = contact_clean(a, f, v, &m);
    FUZZ_CHECK(m == n && memcmp(again, v, n) == 0);
}

static void check_channels(arena *a, const import_row *r, bool email)
{
    const import_channel *list = email ? r->emails : r->phones;
    size_t count = email ? r->nemails : r->nphones;
    enum contact_field f = email ? CF_EMAIL : CF_PHONE, ft = email ? CF_EMAIL_TYPE : CF_PHONE_TYPE;
    FUZZ_CHECK(count <= IMPORT_MAX_SLOTS);
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(list[i].len > 0);
        check_value(a, f, list[i].value, list[i].len);
        FUZZ_CHECK(memchr(list[i].types, '\0', sizeof list[i].types) != NULL);
        check_value(a, ft, list[i].types, strlen(list[i].types));
        FUZZ_CHECK(list[i].pref >= 0);
    }
    if (count) {
        FUZZ_CHECK(r->v.len[f] == list[0].len && memcmp(r->v.v[f], list[0].value, list[0].len) == 0);
        FUZZ_CHECK(strcmp(r->v.v[ft], list[0].types) == 0);
    }
}

static void check_list(const char *const *items, size_t n, size_t max)
{
    FUZZ_CHECK(n == 0 || items != NULL);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(items[i]);
        FUZZ_CHECK(len > 0);
        FUZZ_CHECK(valid_text(items[i], len, max, false) == VALID_OK);
    }
}

static void check_row(arena *a, const import_row *r)
{
    for (int f = 0; f < CF_COUNT; f++)
        check_value(a, (enum contact_field)f, r->v.v[f], r->v.len[f]);
    check_channels(a, r, true);
    check_channels(a, r, false);
    check_list(r->tags, r->ntags, 100);
    check_list(r->campaigns, r->ncampaigns, 200);
    bool error = false;
    FUZZ_CHECK(r->nproblems == 0 || r->problems != NULL);
    for (size_t i = 0; i < r->nproblems; i++) {
        const import_problem *p = &r->problems[i];
        check_text(p->column, strlen(p->column));
        check_text(p->reason, strlen(p->reason));
        FUZZ_CHECK(p->reason[0] != '\0');
        error = error || p->error;
    }
    FUZZ_CHECK(r->bad == error);
}

static void check_targets(const import_source *src)
{
    if (src->format != IMPORT_CSV)
        return;
    FUZZ_CHECK(src->ncolumns >= 1 && src->ncolumns <= CSV_MAX_FIELDS);
    for (size_t i = 0; i < src->ncolumns; i++) {
        size_t n = strlen(src->headers[i]);
        FUZZ_CHECK(n <= 200);
        check_text(src->headers[i], n);
        const import_target *t = &src->targets[i];
        FUZZ_CHECK(t->kind >= TK_IGNORE && t->kind <= TK_NAME);
        if (t->kind == TK_IGNORE) {
            FUZZ_CHECK(t->why != NULL);
            check_text(t->why, strlen(t->why));
            continue;
        }
        if (t->kind == TK_FIELD)
            FUZZ_CHECK(t->field >= 0 && t->field < CF_COUNT);
        if (t->kind >= TK_EMAIL && t->kind <= TK_PHONE_TYPE)
            FUZZ_CHECK(t->slot >= 1 && t->slot <= IMPORT_MAX_SLOTS);
        char code[64];
        import_target_code(t, code);
        import_target back;
        FUZZ_CHECK(import_target_parse(code, &back));
        FUZZ_CHECK(back.kind == t->kind);
        FUZZ_CHECK(t->kind != TK_FIELD || back.field == t->field);
        FUZZ_CHECK(t->kind < TK_EMAIL || t->kind > TK_PHONE_TYPE || back.slot == t->slot);
        char label[96];
        import_target_label(t, label);
        FUZZ_CHECK(label[0] != '\0');
    }
}

/* Opens and reads the whole input; the number of columns of a CSV file
 * (0 when it does not open or is a vCard file). */
static size_t run(const uint8_t *data, size_t size, const import_settings *set)
{
    import_source src;
    char err[512];
    err[0] = '\0';
    if (import_open(&src, (const char *)data, size, set, err, sizeof err) != 0) {
        FUZZ_CHECK(err[0] != '\0');
        check_text(err, strlen(err));
        import_close(&src);
        return 0;
    }
    check_targets(&src);
    arena *a = arena_new();
    size_t records = 0, line = 0;
    for (;;) {
        import_row row;
        err[0] = '\0';
        int rc = import_next(&src, a, &row, err, sizeof err);
        FUZZ_CHECK(rc >= -1 && rc <= 1);
        if (rc < 0) {
            FUZZ_CHECK(err[0] != '\0');
            check_text(err, strlen(err));
        }
        if (rc != 1)
            break;
        FUZZ_CHECK(row.record == ++records);
        FUZZ_CHECK(row.line > line);
        line = row.line;
        check_row(a, &row);
    }
    FUZZ_CHECK(src.records == records);
    size_t ncolumns = src.format == IMPORT_CSV ? src.ncolumns : 0;
    arena_free(a);
    import_close(&src);
    return ncolumns;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const import_settings automatic;
    size_t ncolumns = run(data, size, &automatic);
    if (size == 0)
        return 0;

    /* The first byte: bits 0-1 the delimiter (0 detects), bit 2 whether
     * the encoding is declared, bits 3-5 which, bits 6-7 the date order. */
    uint8_t b = data[0];
    static const char delims[] = {0, ',', ';', '\t'};
    static const enum import_dates dates[] = {DATES_ISO, DATES_MDY, DATES_DMY, DATES_MDY};
    import_settings set = {
        .delimiter = delims[b & 3],
        .encoding_set = (b & 4) != 0,
        .encoding = (enum textenc)((b >> 3 & 7) % 5),
        .dates = dates[b >> 6],
    };
    run(data, size, &set);

    /* The caller's mapping: a code for each column, picked by the input. */
    if (ncolumns == 0 || ncolumns > 64)
        return 0;
    static const char *const codes[] = {
        "",          "first_name", "last_name", "organisation", "email.1",      "email.2",  "email.0",
        "phone.1",   "phone.0:cell", "phone.2:work,fax", "email_type.1", "phone_type.2", "emails",  "phones",
        "address",   "address_line", "city",     "postal_code",   "birthday",     "website",  "region",
        "notes",     "tags",       "campaign",  "name",          "external_id",  "email.9",  "nickname",
    };
    const char *mapping[64];
    for (size_t i = 0; i < ncolumns; i++)
        mapping[i] = codes[(data[(i + 1) % size] + i) % CT_ARRAY_LEN(codes)];
    import_settings mapped = {.codes = mapping, .ncodes = ncolumns, .dates = set.dates};
    run(data, size, &mapped);
    return 0;
}
