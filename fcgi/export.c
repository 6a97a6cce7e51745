/* export: streamed downloads, and contacts as CSV.
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
 * after=<last id seen>&limit=N and get every contact exactly once. */
#include "export.h"

#include <string.h>

#include "csv.h"
#include "filter.h"
#include "handlers.h"
#include "json.h"
#include "log.h"

#define EXPORT_MAX_LIMIT 100000
/* Bytes gathered before each write to the client: the memory an export
 * needs for its body, whatever its size (plus one row, which may be
 * longer). The ids of the contacts sent are kept too (8 bytes each, for
 * audit_contacts): they can only be written once the stream is drained. */
#define EXPORT_CHUNK 16384

typedef struct export_job {
    contact_filter f;
    long long after; /* only ids above this; 0 for all */
    long long limit; /* at most this many rows; 0 for no limit */
    bool safe;       /* spreadsheet-safe cells */
    bool bom;        /* a UTF-8 byte order mark first */
    const char *filter_json; /* the filter, for the closing audit row too */
} export_job;

/* The columns, in file order: the header row and the SELECT list agree. */
static const char *const columns[] = {
    "id",      "external_id", "first_name", "middle_name",  "last_name", "suffix",      "nickname",
    "title",   "organisation", "party",     "email",        "phone",     "address",     "website",
    "contact_form", "birthday", "region_code", "region_name", "updated_at",
};

/* Run by db_run_stream, without the statement time limit of pages: the
 * server keeps sending rows for as long as the client reads them (a client
 * that stops reading is ended by nginx's send_timeout and the server's
 * net_write_timeout). */
static const char SQL_SELECT[] =
    "SELECT STRAIGHT_JOIN c.id, c.external_id, c.first_name, c.middle_name, c.last_name, c.suffix, c.nickname, c.title,"
    " c.organisation, c.party, c.email, c.phone, c.address, c.website, c.contact_form, c.birthday, r.code,"
    " r.name, DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%s.%fZ')";

static const char *const known_params[] = {"q", "region", "party", "campaign", "after", "limit", "safe", "bom"};
#define PARAMS_HELP "an export takes q, region, party, campaign, after, limit, safe and bom."

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
    return 0;
}

/* The detail of the first audit row: what is being exported, never data. */
static void start_detail(request *r, const export_job *j, const char *phase)
{
    buf *b = &r->detail;
    buf_adds(b, "{\"format\":\"csv\",\"phase\":");
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
    buf_printf(b, ",\"safe\":%s,\"bom\":%s}", j->safe ? "true" : "false", j->bom ? "true" : "false");
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
    for (size_t i = 0; i < CT_ARRAY_LEN(columns); i++) {
        if (i)
            buf_addc(out, ',');
        buf_adds(out, columns[i]);
    }
    csv_end_record(out);
}

/* Each contact sent is in the closing row's audit_contacts: its history
 * shows the export. */
static void data_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    const export_job *j = arg;
    (void)n;
    request_touch(r, db_int(s, 0));
    for (int i = 0; i < (int)CT_ARRAY_LEN(columns); i++) {
        size_t len = 0;
        const char *v = db_text(s, i, &len);
        if (i)
            buf_addc(out, ',');
        if (v)
            csv_write_field(out, v, len, j->safe);
    }
    csv_end_record(out);
}

/* The stream function (http.h): runs after the first audit row committed. */
static int export_stream(request *r, db *d)
{
    const export_job *j = r->stream_arg;
    const acl_scope *sc = &r->who.scope;
    const export_writer w = {
        .format = "csv", .begin = header_row, .row = data_row, .arg = j, .filter_json = j->filter_json};
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

int export_contacts_csv(request *r, db *d)
{
    export_job *j = arena_alloc(r->mem, sizeof *j);
    int rc = read_params(r, d, j);
    if (rc != 0)
        return rc;
    r->object_type = "contact";
    buf fj = {0};
    filter_json(&fj, &j->f);
    j->filter_json = arena_strdup(r->mem, buf_str(&fj));
    buf_free(&fj);
    start_detail(r, j, export_start(r, "text/csv; charset=utf-8", "contacts.csv", export_stream, j) ? "started"
                                                                                                     : "headers only");
    return 200;
}
