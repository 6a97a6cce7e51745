/* export: streamed downloads, and contacts as CSV, JSON, NDJSON and vCard.
 *
 * The one kind of response that is not rendered whole before its first byte:
 * the request's audit row (who exported which filter) commits first, then the
 * rows go out as the database hands them over, through a small buffer, and a
 * second audit row records how many went out or why the export broke. A
 * broken export is cut off (http_stream_abort), so a client never mistakes
 * part of the data for all of it. export_send is that loop for any format
 * (the audit trail's exports use it too, audit_view.c).
 *
 * The rows are those of the contacts list: the same filter (filter.h) inside
 * the user's row scope, ordered by id, so that scripts can page with
 * after=<last id seen>&limit=N and get every contact exactly once. With
 * updated_since, JSON and NDJSON also carry the contacts deleted since as
 * tombstones (in the same scope), for scripts that keep a copy. */
#include "export.h"

#include <string.h>

#include "csv.h"
#include "filter.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "vcard.h"

#define EXPORT_MAX_LIMIT 100000
/* Bytes gathered before each write to the client: the memory an export
 * needs for its body, whatever its size (plus one row, which may be
 * longer). The ids of the contacts sent are kept too, for audit_contacts
 * (they can only be written once the stream is drained): as differences
 * from the one before (idlist), about a byte each in id order. */
#define EXPORT_CHUNK 16384

enum export_format { EXPORT_CSV, EXPORT_JSON, EXPORT_NDJSON, EXPORT_VCARD };
static const char *const format_names[] = {"csv", "json", "ndjson", "vcard"};

typedef struct export_job {
    enum export_format format;
    contact_filter f;
    long long after; /* only ids above this; 0 for all */
    long long limit; /* at most this many rows; 0 for no limit */
    bool safe;       /* spreadsheet-safe cells (CSV) */
    bool bom;        /* a UTF-8 byte order mark first (CSV) */
    int version;     /* vCard 4 or 3 */
    const char *filter_json; /* the filter, for the closing audit row too */
} export_job;

/* The columns of every format, in CSV order; the SELECT list agrees (and
 * ends with c.live, which tells a tombstone). other_emails, other_phones
 * and tags come from the database as lines ("types TAB value" for the
 * first two), one per entry. */
enum {
    X_ID, X_EXTERNAL_ID, X_FIRST_NAME, X_MIDDLE_NAME, X_LAST_NAME, X_SUFFIX, X_NICKNAME, X_TITLE, X_ORGANISATION,
    X_PARTY, X_EMAIL, X_EMAIL_TYPE, X_PHONE, X_PHONE_TYPE, X_OTHER_EMAILS, X_OTHER_PHONES, X_ADDRESS, X_CITY,
    X_ADDRESS_REGION, X_POSTAL_CODE, X_COUNTRY, X_WEBSITE, X_CONTACT_FORM, X_BIRTHDAY, X_REGION_CODE,
    X_REGION_NAME, X_TAGS, X_NOTES, X_UPDATED_AT, X_COUNT, X_LIVE = X_COUNT
};
static const char *const columns[X_COUNT] = {
    "id", "external_id", "first_name", "middle_name", "last_name", "suffix", "nickname", "title", "organisation",
    "party", "email", "email_type", "phone", "phone_type", "other_emails", "other_phones", "address", "city",
    "address_region", "postal_code", "country", "website", "contact_form", "birthday", "region_code",
    "region_name", "tags", "notes", "updated_at",
};

/* Run by db_run_stream, without the statement time limit of pages: the
 * server keeps sending rows for as long as the client reads them (a client
 * that stops reading is ended by nginx's send_timeout and the server's
 * net_write_timeout). The further emails, phones and tags are subqueries
 * on their primary keys, so one statement streams everything. */
#define CHANNELS(kind)                                                                                         \
    "(SELECT GROUP_CONCAT(CONCAT(x.types, '\t', x.value) ORDER BY x.seq SEPARATOR '\n') FROM contact_channels x" \
    " WHERE x.client_id = c.client_id AND x.contact_id = c.id AND x.kind = '" kind "')"
static const char SQL_SELECT[] =
    "SELECT STRAIGHT_JOIN c.id, c.external_id, c.first_name, c.middle_name, c.last_name, c.suffix, c.nickname,"
    " c.title, c.organisation, c.party, c.email, c.email_type, c.phone, c.phone_type, " CHANNELS("email") ", "
    CHANNELS("phone") ", c.address, c.city, c.address_region, c.postal_code, c.country, c.website,"
    " c.contact_form, c.birthday, r.code, r.name,"
    " (SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR '\n') FROM contact_tags t"
    " WHERE t.client_id = c.client_id AND t.contact_id = c.id),"
    " c.notes, DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%s.%fZ'), c.live";

static const char *const known_params[] = {"q",     "region", "party", "campaign", "tag",     "updated_since",
                                           "view",  "after",  "limit", "safe",     "bom",     "version"};
#define PARAMS_HELP                                                                                              \
    "an export takes q, region, party, campaign, tag, updated_since (or view, a saved view), after and limit" \
    " (and safe and bom for CSV, version for vCard)."

/* A 0/1 switch; absent or empty is 0. Returns 0, or 400 with the message. */
static int flag_param(request *r, const char *name, bool *out)
{
    size_t n;
    const char *v = params_getn(&r->qs, name, &n);
    *out = false;
    if (!v || n == 0)
        return 0;
    if (n == 1 && (v[0] == '0' || v[0] == '1')) {
        *out = v[0] == '1';
        return 0;
    }
    r->error_message = arena_printf(r->mem, "The parameter %s must be 0 or 1.", name);
    return 400;
}

/* A whole number in [min, max]; absent or empty leaves *out at 0. */
static int number_param(request *r, const char *name, int64_t min, int64_t max, const char *what, long long *out)
{
    size_t n;
    const char *v = params_getn(&r->qs, name, &n);
    int64_t x = 0;
    *out = 0;
    if (!v || n == 0)
        return 0;
    if (parse_i64(v, n, min, max, &x) != 0) {
        r->error_message = arena_printf(r->mem, "The parameter %s must be %s.", name, what);
        return 400;
    }
    *out = x;
    return 0;
}

static int read_params(request *r, db *d, export_job *j)
{
    /* A misspelt parameter would otherwise export everything without it. */
    for (size_t i = 0; i < r->qs.n; i++) {
        bool known = false;
        for (size_t k = 0; k < CT_ARRAY_LEN(known_params); k++)
            known = known || strcmp(r->qs.v[i].name, known_params[k]) == 0;
        if (!known) {
            const char *name = r->qs.v[i].name;
            /* Named when short (a typo); a long name is not cut inside a character. */
            if (strlen(name) <= 40)
                r->error_message = arena_printf(r->mem, "Unknown parameter \"%s\": %s", name, PARAMS_HELP);
            else
                r->error_message = "Unknown parameter: " PARAMS_HELP;
            return 400;
        }
    }
    int rc = filter_parse(r, d, &j->f);
    if (rc != 0)
        return rc;
    if ((rc = number_param(r, "after", 0, INT64_MAX / 2, "a contact number (0 or more)", &j->after)) != 0 ||
        (rc = number_param(r, "limit", 1, EXPORT_MAX_LIMIT, "a whole number from 1 to 100000", &j->limit)) != 0 ||
        (rc = flag_param(r, "safe", &j->safe)) != 0 || (rc = flag_param(r, "bom", &j->bom)) != 0)
        return rc;
    if (j->format != EXPORT_CSV && (params_get(&r->qs, "safe") || params_get(&r->qs, "bom"))) {
        r->error_message = "safe and bom are for CSV exports only.";
        return 400;
    }
    size_t n;
    const char *v = params_getn(&r->qs, "version", &n);
    j->version = 4;
    if (v && j->format != EXPORT_VCARD) {
        r->error_message = "version is for vCard exports only.";
        return 400;
    }
    if (v && n == 1 && (v[0] == '3' || v[0] == '4'))
        j->version = v[0] - '0';
    else if (v && !(n == 3 && (memcmp(v, "3.0", 3) == 0 || memcmp(v, "4.0", 3) == 0))) {
        r->error_message = "The parameter version must be 3 or 4 (vCard 3.0 or 4.0).";
        return 400;
    } else if (v)
        j->version = v[0] - '0';
    /* Scripts that sync learn of deletions: JSON and NDJSON carry them. */
    j->f.with_deleted = j->format == EXPORT_JSON || j->format == EXPORT_NDJSON;
    return 0;
}

/* The detail of the first audit row: what is being exported, never data. */
static void start_detail(request *r, const export_job *j, const char *phase)
{
    buf *b = &r->detail;
    buf_printf(b, "{\"format\":\"%s\",\"phase\":", format_names[j->format]);
    json_add_cstr(b, phase);
    buf_adds(b, ",\"filter\":");
    filter_json(b, &j->f);
    if (j->after)
        buf_printf(b, ",\"after\":%lld", j->after);
    else
        buf_adds(b, ",\"after\":null");
    if (j->limit)
        buf_printf(b, ",\"limit\":%lld", j->limit);
    else
        buf_adds(b, ",\"limit\":null");
    if (j->format == EXPORT_CSV)
        buf_printf(b, ",\"safe\":%s,\"bom\":%s", j->safe ? "true" : "false", j->bom ? "true" : "false");
    if (j->format == EXPORT_VCARD)
        buf_printf(b, ",\"version\":%d", j->version);
    buf_addc(b, '}');
}

/* The detail of the closing audit row; returns status. */
static int closing(request *r, const export_writer *w, long long rows, int status, const char *why)
{
    buf_reset(&r->detail);
    buf_adds(&r->detail, "{\"format\":");
    json_add_cstr(&r->detail, w->format);
    buf_printf(&r->detail, ",\"phase\":\"%s\",\"rows\":%lld", status == 200 ? "completed" : "failed", rows);
    if (w->filter_json) {
        buf_adds(&r->detail, ",\"filter\":");
        buf_adds(&r->detail, w->filter_json);
    }
    if (why) {
        buf_adds(&r->detail, ",\"error\":");
        json_add_cstr(&r->detail, why);
    }
    buf_addc(&r->detail, '}');
    return status;
}

bool export_start(request *r, const char *content_type, const char *filename, int (*stream)(request *r, db *d),
                  void *arg)
{
    r->content_type_out = content_type;
    char *disp = arena_printf(r->mem, "attachment; filename=\"%s\"", filename);
    http_header(r, "Content-Disposition", disp);
    if (strcmp(r->method, "HEAD") == 0)
        return false;
    r->stream = stream;
    r->stream_arg = arg;
    return true;
}

int export_send(request *r, db_stmt *s, const export_writer *w)
{
    if (!s)
        return closing(r, w, 0, 500, "database error");
    int rc = db_run_stream(s);
    if (rc != DB_OK) /* nothing sent yet: the client gets an error page */
        return closing(r, w, 0, rc == DB_GONE || rc == DB_RETRY || rc == DB_TIMEOUT ? 503 : 500, "database error");
    if (http_stream_begin(r) != 0) {
        db_stream_cancel(s);
        log_info("export: the client went away before the first byte");
        return closing(r, w, 0, 499, "client gone");
    }

    buf out = {0};
    if (w->begin)
        w->begin(&out, w->arg);
    long long rows = 0;
    int status = 200;
    const char *why = NULL;
    const long long fail_after = r->cf->test_fail_export_after;
    while ((rc = db_next(s)) == 1) {
        w->row(r, &out, s, rows, w->arg);
        rows++;
        if (out.len >= EXPORT_CHUNK) {
            if (http_stream_write(r, out.data, out.len) != 0) {
                status = 499;
                why = "client gone";
                break;
            }
            buf_reset(&out);
        }
        if (fail_after && rows == fail_after)
            db_fail_next(1, DB_ERR);
    }
    if (rc < 0) {
        status = rc == DB_GONE ? 503 : 500;
        why = "database error";
    }
    if (status == 200 && w->end)
        w->end(&out, rows, w->arg);
    if (status == 200 && out.len && http_stream_write(r, out.data, out.len) != 0) {
        status = 499;
        why = "client gone";
    }
    buf_free(&out);
    if (status != 200) {
        db_stream_cancel(s);
        log_warn("export: stopped after %lld rows: %s", rows, why);
    }
    return closing(r, w, rows, status, why);
}

static void header_row(buf *out, const void *arg)
{
    const export_job *j = arg;
    if (j->bom)
        buf_add(out, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < X_COUNT; i++) {
        if (i)
            buf_addc(out, ',');
        buf_adds(out, columns[i]);
    }
    csv_end_record(out);
}

/* A list column (lines) as CSV text: "value (types)" per line for
 * emails and phones, "a, b" for tags. */
static void csv_list(buf *tmp, const char *v, size_t len, bool tags)
{
    buf_reset(tmp);
    const char *end = v + len;
    for (const char *p = v; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (tmp->len)
            buf_adds(tmp, tags ? ", " : "\n");
        const char *tab = tags ? NULL : memchr(p, '\t', (size_t)(e - p));
        if (tab) {
            buf_add(tmp, tab + 1, (size_t)(e - tab - 1));
            if (tab > p) {
                buf_adds(tmp, " (");
                buf_add(tmp, p, (size_t)(tab - p));
                buf_addc(tmp, ')');
            }
        } else {
            buf_add(tmp, p, (size_t)(e - p));
        }
        p = nl ? nl + 1 : end;
    }
}

/* Each contact sent is in the closing row's audit_contacts: its history
 * shows the export. */
static void csv_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    const export_job *j = arg;
    (void)n;
    request_touch(r, db_int(s, X_ID));
    buf tmp = {0};
    for (int i = 0; i < X_COUNT; i++) {
        size_t len = 0;
        const char *v = db_text(s, i, &len);
        if (i)
            buf_addc(out, ',');
        if (v && (i == X_OTHER_EMAILS || i == X_OTHER_PHONES || i == X_TAGS)) {
            csv_list(&tmp, v, len, i == X_TAGS);
            csv_write_field(out, tmp.data, tmp.len, j->safe);
        } else if (v) {
            csv_write_field(out, v, len, j->safe);
        }
    }
    buf_free(&tmp);
    csv_end_record(out);
}

static void json_text_or_null(buf *out, db_stmt *s, int col)
{
    size_t len;
    const char *v = db_text(s, col, &len);
    if (v && len)
        json_add_string(out, v, len);
    else
        buf_adds(out, "null");
}

/* A list column as a JSON array: [{"value":..,"type":..}] or ["tag"]. */
static void json_list(buf *out, db_stmt *s, int col, bool tags)
{
    size_t len;
    const char *v = db_text(s, col, &len);
    buf_addc(out, '[');
    const char *end = v ? v + len : NULL;
    for (const char *p = v; p && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (p != v)
            buf_addc(out, ',');
        const char *tab = tags ? NULL : memchr(p, '\t', (size_t)(e - p));
        if (tab) {
            buf_adds(out, "{\"value\":");
            json_add_string(out, tab + 1, (size_t)(e - tab - 1));
            buf_adds(out, ",\"type\":");
            json_add_string(out, p, (size_t)(tab - p));
            buf_addc(out, '}');
        } else {
            json_add_string(out, p, (size_t)(e - p));
        }
        p = nl ? nl + 1 : end;
    }
    buf_addc(out, ']');
}

/* One contact as a JSON object: every column by its CSV name, ids as
 * numbers, unset external_id, birthday and region as null, the lists as
 * arrays. A contact deleted since updated_since is a tombstone:
 * {"id":N,"deleted":true,"deleted_at":".."}. */
static void json_object(request *r, buf *out, db_stmt *s)
{
    long long id = db_int(s, X_ID);
    if (db_is_null(s, X_LIVE)) {
        buf_printf(out, "{\"id\":%lld,\"deleted\":true,\"deleted_at\":", id);
        json_text_or_null(out, s, X_UPDATED_AT);
        buf_addc(out, '}');
        return;
    }
    request_touch(r, id);
    buf_printf(out, "{\"id\":%lld", id);
    for (int i = 1; i < X_COUNT; i++) {
        /* The names need no escaping: ,"name": as it stands. */
        buf_adds(out, ",\"");
        buf_adds(out, columns[i]);
        buf_adds(out, "\":");
        if (i == X_OTHER_EMAILS || i == X_OTHER_PHONES || i == X_TAGS) {
            json_list(out, s, i, i == X_TAGS);
        } else if (i == X_EXTERNAL_ID || i == X_BIRTHDAY || i == X_REGION_CODE || i == X_REGION_NAME) {
            json_text_or_null(out, s, i);
        } else {
            size_t len;
            const char *v = db_text(s, i, &len);
            json_add_string(out, v ? v : "", v ? len : 0);
        }
    }
    buf_addc(out, '}');
}

static void json_begin(buf *out, const void *arg)
{
    (void)arg;
    buf_addc(out, '[');
}

static void json_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    (void)arg;
    buf_adds(out, n ? ",\n" : "\n");
    json_object(r, out, s);
}

static void json_end(buf *out, long long rows, const void *arg)
{
    (void)arg;
    buf_adds(out, rows ? "\n]\n" : "]\n");
}

static void ndjson_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    (void)n;
    (void)arg;
    json_object(r, out, s);
    buf_addc(out, '\n');
}

/* A column of the row. */
static vcard_str col(db_stmt *s, int i)
{
    vcard_str v = {"", 0};
    const char *t = db_text(s, i, &v.n);
    if (t)
        v.p = t;
    else
        v.n = 0;
    return v;
}

/* "TYPE=work,voice" and the preference, as each version writes them. */
static void type_params(buf *p, const char *types, size_t n, bool pref, int version)
{
    buf_reset(p);
    if (n || (pref && version == 3)) {
        buf_adds(p, "TYPE=");
        buf_add(p, types, n);
        if (pref && version == 3)
            buf_adds(p, n ? ",pref" : "pref");
    }
    if (pref && version == 4)
        buf_adds(p, p->len ? ";PREF=1" : "PREF=1");
}

/* One channel property (EMAIL or TEL). A phone is free text (as people
 * wrote it, not always a valid tel: URI), which 4.0 says with VALUE=text. */
static void channel(buf *out, buf *p, const char *name, vcard_str value, const char *types, size_t tn, bool pref,
                    int version)
{
    type_params(p, types, tn, pref, version);
    if (version == 4 && name[0] == 'T')
        buf_adds(p, p->len ? ";VALUE=text" : "VALUE=text");
    vcard_write_text(out, name, p->len ? buf_str(p) : NULL, value.p, value.n);
}

/* A contact as one vCard (4.0, or 3.0): names, organisation, every email
 * and phone with its types (the contact's own ones preferred), the postal
 * address, web site, birthday (a day without a year as --MMDD), tags as
 * CATEGORIES, notes, and what only this product has as X-CTRACK-*; its
 * external id is the UID. */
static void vcard_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    const export_job *j = arg;
    int v = j->version;
    (void)n;
    request_touch(r, db_int(s, X_ID));
    buf p = {0}, tmp = {0};
    vcard_write_begin(out, v);
    vcard_str ext = col(s, X_EXTERNAL_ID);
    if (ext.n)
        vcard_write_text(out, "UID", NULL, ext.p, ext.n);
    buf_printf(&tmp, "%lld", db_int(s, X_ID));
    vcard_write_raw(out, "X-CTRACK-ID", NULL, tmp.data, tmp.len);
    /* FN, which 4.0 requires: the name, else the organisation, else the email. */
    buf_reset(&tmp);
    static const int name_parts[] = {X_FIRST_NAME, X_MIDDLE_NAME, X_LAST_NAME, X_SUFFIX};
    for (size_t k = 0; k < CT_ARRAY_LEN(name_parts); k++) {
        vcard_str part = col(s, name_parts[k]);
        if (part.n) {
            if (tmp.len)
                buf_addc(&tmp, ' ');
            buf_add(&tmp, part.p, part.n);
        }
    }
    if (!tmp.len) {
        vcard_str org = col(s, X_ORGANISATION), email = col(s, X_EMAIL);
        buf_add(&tmp, org.n ? org.p : email.p, org.n ? org.n : email.n);
    }
    vcard_write_text(out, "FN", NULL, tmp.data ? tmp.data : "", tmp.len);
    vcard_str nparts[5] = {col(s, X_LAST_NAME), col(s, X_FIRST_NAME), col(s, X_MIDDLE_NAME), {"", 0},
                           col(s, X_SUFFIX)};
    vcard_write_prop(out, "N", NULL, nparts, 5);
    static const struct {
        int col;
        const char *name;
    } texts[] = {{X_NICKNAME, "NICKNAME"}, {X_ORGANISATION, "ORG"}, {X_TITLE, "TITLE"}};
    for (size_t k = 0; k < CT_ARRAY_LEN(texts); k++) {
        vcard_str t = col(s, texts[k].col);
        if (t.n)
            vcard_write_text(out, texts[k].name, NULL, t.p, t.n);
    }
    for (int e = 0; e < 2; e++) {
        const char *name = e == 0 ? "EMAIL" : "TEL";
        vcard_str own = col(s, e == 0 ? X_EMAIL : X_PHONE), own_t = col(s, e == 0 ? X_EMAIL_TYPE : X_PHONE_TYPE);
        vcard_str more = col(s, e == 0 ? X_OTHER_EMAILS : X_OTHER_PHONES);
        if (own.n)
            channel(out, &p, name, own, own_t.p, own_t.n, more.n > 0, v);
        const char *end = more.p + more.n;
        for (const char *q = more.p; q < end;) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            const char *qe = nl ? nl : end;
            const char *tab = memchr(q, '\t', (size_t)(qe - q));
            if (tab) {
                vcard_str value = {tab + 1, (size_t)(qe - tab - 1)};
                channel(out, &p, name, value, q, (size_t)(tab - q), false, v);
            }
            q = nl ? nl + 1 : end;
        }
    }
    vcard_str adr[7] = {{"", 0}, {"", 0}, col(s, X_ADDRESS), col(s, X_CITY), col(s, X_ADDRESS_REGION),
                        col(s, X_POSTAL_CODE), col(s, X_COUNTRY)};
    if (adr[2].n || adr[3].n || adr[4].n || adr[5].n || adr[6].n)
        vcard_write_prop(out, "ADR", NULL, adr, 7);
    vcard_str web = col(s, X_WEBSITE), form = col(s, X_CONTACT_FORM);
    if (web.n)
        vcard_write_raw(out, "URL", NULL, web.p, web.n);
    if (form.n)
        vcard_write_raw(out, "X-CTRACK-CONTACT-FORM", NULL, form.p, form.n);
    /* A calendar date as stored: 4.0 writes 19900304 and --0304, 3.0
     * 1990-03-04 and --03-04. Never a time, so no time zone can move it. */
    vcard_str bday = col(s, X_BIRTHDAY);
    if (bday.n == 10 || bday.n == 7) {
        buf_reset(&tmp);
        for (size_t k = 0; k < bday.n; k++)
            if (v == 3 || bday.p[k] != '-' || (bday.n == 7 && k < 2))
                buf_addc(&tmp, bday.p[k]);
        vcard_write_raw(out, "BDAY", NULL, tmp.data, tmp.len);
    }
    vcard_str party = col(s, X_PARTY), region = col(s, X_REGION_CODE), tags = col(s, X_TAGS),
              notes = col(s, X_NOTES);
    if (party.n)
        vcard_write_text(out, "X-CTRACK-PARTY", NULL, party.p, party.n);
    if (region.n)
        vcard_write_text(out, "X-CTRACK-REGION", NULL, region.p, region.n);
    if (tags.n) {
        buf_reset(&tmp);
        const char *end = tags.p + tags.n;
        for (const char *q = tags.p; q < end;) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            if (tmp.len)
                buf_addc(&tmp, ',');
            vcard_escape(&tmp, q, (size_t)((nl ? nl : end) - q));
            q = nl ? nl + 1 : end;
        }
        vcard_write_raw(out, "CATEGORIES", NULL, tmp.data, tmp.len);
    }
    if (notes.n)
        vcard_write_text(out, "NOTE", NULL, notes.p, notes.n);
    /* REV: 2024-05-01T12:00:00.123456Z as 20240501T120000Z */
    vcard_str rev = col(s, X_UPDATED_AT);
    if (rev.n >= 19) {
        buf_reset(&tmp);
        for (size_t k = 0; k < 19; k++)
            if (rev.p[k] != '-' && rev.p[k] != ':')
                buf_addc(&tmp, rev.p[k]);
        buf_addc(&tmp, 'Z');
        vcard_write_raw(out, "REV", NULL, tmp.data, tmp.len);
    }
    vcard_write_end(out);
    buf_free(&p);
    buf_free(&tmp);
}

/* The stream function (http.h): runs after the first audit row committed. */
static int export_stream(request *r, db *d)
{
    const export_job *j = r->stream_arg;
    const acl_scope *sc = &r->who.scope;
    export_writer w = {.format = format_names[j->format], .arg = j, .filter_json = j->filter_json};
    switch (j->format) {
    case EXPORT_CSV:
        w.begin = header_row, w.row = csv_row;
        break;
    case EXPORT_JSON:
        w.begin = json_begin, w.row = json_row, w.end = json_end;
        break;
    case EXPORT_NDJSON:
        w.row = ndjson_row;
        break;
    case EXPORT_VCARD:
        w.row = vcard_row;
        break;
    }
    buf sql = {0};
    buf_adds(&sql, SQL_SELECT);
    /* STRAIGHT_JOIN: contacts first, read in primary key (id) order, the
     * scope's and the filter's subqueries materialised once and probed per
     * row. Rows then leave as they are read. Left to itself the optimizer
     * drives a limited user's export from the scope's regions instead, and
     * collects every wide row in a temporary table on disk to sort it by id
     * before sending the first: seconds of silence on a busy disk, and the
     * whole result held on the server. */
    filter_sql(&sql, &j->f, sc, true);
    if (j->after)
        buf_adds(&sql, " AND c.id > ?");
    buf_adds(&sql, " ORDER BY c.id");
    if (j->limit)
        buf_adds(&sql, " LIMIT ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (s) {
        int p = filter_bind(s, 0, &j->f, sc);
        if (j->after)
            db_bind_int(s, p++, j->after);
        if (j->limit)
            db_bind_int(s, p++, j->limit);
    }
    return export_send(r, s, &w);
}

static int export_contacts(request *r, db *d, enum export_format format)
{
    static const char *const types[] = {"text/csv; charset=utf-8", "application/json; charset=utf-8",
                                        "application/x-ndjson; charset=utf-8", "text/vcard; charset=utf-8"};
    static const char *const files[] = {"contacts.csv", "contacts.json", "contacts.ndjson", "contacts.vcf"};
    export_job *j = arena_alloc(r->mem, sizeof *j);
    j->format = format;
    int rc = read_params(r, d, j);
    if (rc != 0)
        return rc;
    r->object_type = "contact";
    buf fj = {0};
    filter_json(&fj, &j->f);
    j->filter_json = arena_strdup(r->mem, buf_str(&fj));
    buf_free(&fj);
    start_detail(r, j, export_start(r, types[format], files[format], export_stream, j) ? "started" : "headers only");
    return 200;
}

int export_contacts_csv(request *r, db *d)
{
    return export_contacts(r, d, EXPORT_CSV);
}

int export_contacts_json(request *r, db *d)
{
    return export_contacts(r, d, EXPORT_JSON);
}

int export_contacts_ndjson(request *r, db *d)
{
    return export_contacts(r, d, EXPORT_NDJSON);
}

int export_contacts_vcf(request *r, db *d)
{
    return export_contacts(r, d, EXPORT_VCARD);
}
