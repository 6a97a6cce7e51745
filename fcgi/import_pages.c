/* import_pages: the web import: upload, mapping and preview, dry run and
 * run, the report (and its CSV), undo. The work is import.c's, which
 * `ctrack import` shares; these pages read forms and show results.
 *
 * A user sees and runs only their own imports (an upload holds contact
 * data of their choosing, which other users' scopes may not cover). */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "csv.h"
#include "handlers.h"
#include "import.h"
#include "json.h"
#include "multipart.h"

/* Rows shown in the preview, rows the page reads at most (a bigger file's
 * count is the dry run's to give), problems on a report page. */
#define PREVIEW_ROWS 10
#define PREVIEW_SCAN 20000
#define REPORT_ROWS 500

static const char SQL_LIST[] =
    "SELECT id, file_name, status, dry_run, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i'), rows_read, created, updated,"
    " restored, skipped, failed FROM imports WHERE client_id = ? AND user_id = ? ORDER BY id DESC LIMIT 50";

static int list_imports(request *r, db *d)
{
    db_stmt *s = db_stmt_get(d, SQL_LIST);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->who.user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    int i = 0;
    static const char *const cols[] = {"id",      "file_name", "status",   "dry_run", "created_at", "rows_read",
                                       "created", "updated",   "restored", "skipped", "failed"};
    while ((rc = db_next(s)) == 1) {
        for (int c = 0; c < (int)CT_ARRAY_LEN(cols); c++)
            page_set(r->pg, db_text(s, c, NULL), "Imports.%d.%s", i, cols[c]);
        i++;
    }
    page_set(r->pg, "Import contacts", "Page.Title");
    page_set_int(r->pg, IMPORT_MAX_BYTES / (1024 * 1024), "Import.MaxMB");
    r->template_name = "imports.cs";
    return rc < 0 ? rc : 200;
}

int imports_list(request *r, db *d)
{
    r->object_type = "import";
    buf_adds(&r->detail, "{}");
    return list_imports(r, d);
}

/* A refused upload: the list page again with the reason; nothing kept. */
static int refuse_upload(request *r, db *d, int status, const char *why)
{
    r->show_page = true;
    page_set(r->pg, why, "Form.Error");
    buf_reset(&r->detail);
    buf_adds(&r->detail, "{\"refused\":");
    json_add_cstr(&r->detail, why);
    buf_addc(&r->detail, '}');
    int rc = list_imports(r, d);
    return rc < 0 ? rc : status;
}

int imports_upload(request *r, db *d)
{
    r->object_type = "import";
    const multipart_part *f = r->upload;
    if (!f || !f->filename || !f->filename[0])
        return refuse_upload(r, d, 422, "Choose a file to import (CSV or vCard).");
    if (f->len > (size_t)IMPORT_MAX_BYTES)
        return refuse_upload(r, d, 413,
                             arena_printf(r->mem, "The file is larger than %ld MB, the most an import takes.",
                                          IMPORT_MAX_BYTES / (1024 * 1024)));
    /* A file that cannot be read at all is refused now, and not kept. */
    import_source src;
    import_settings set;
    memset(&set, 0, sizeof set);
    char err[512];
    int ok = import_open(&src, f->data, f->len, &set, err, sizeof err);
    import_close(&src);
    if (ok != 0) {
        /* A CSV whose columns are all unknown can still be mapped by hand. */
        if (!strstr(err, "None of the columns"))
            return refuse_upload(r, d, 422, arena_printf(r->mem, "%s: %s", f->filename, err));
    }
    long long id;
    int rc = import_create(d, r->who.client_id, r->who.user_id, f->filename, f->data, f->len, true, &id);
    if (rc != DB_OK)
        return rc;
    r->object_id = id;
    unsigned char sha[32];
    char hex[65];
    crypto_sha256(f->data, f->len, sha);
    hex_encode(sha, sizeof sha, hex);
    buf_adds(&r->detail, "{\"file\":{\"name\":");
    json_add_cstr(&r->detail, f->filename);
    buf_printf(&r->detail, ",\"sha256\":\"%s\",\"size\":%zu}}", hex, f->len);
    http_redirect(r, arena_printf(r->mem, "/imports/%lld", id));
    return 303;
}

/* ---- options from a form ---- */

static bool choice(const params *form, const char *name, const char *yes)
{
    const char *v = params_get(form, name);
    return v && strcmp(v, yes) == 0;
}

/* The names of the run form's fields, for reading them and for keeping
 * them (imports.settings). */
static const char *const option_fields[] = {"mode", "match", "rows", "deleted", "dates", "encoding", "delimiter"};

/* Reads the options and the mapping from the run form (ncolumns columns);
 * returns 0 or 400 with the message. */
static int read_options(request *r, const params *form, import_options *o, size_t ncolumns)
{
    memset(o, 0, sizeof *o);
    o->update = choice(form, "mode", "create_update");
    o->match_external = choice(form, "match", "external_id");
    o->valid_only = choice(form, "rows", "valid");
    o->restore_deleted = choice(form, "deleted", "restore");
    const char *dates = params_get(form, "dates");
    o->read.dates = dates && strcmp(dates, "mdy") == 0 ? DATES_MDY : dates && strcmp(dates, "dmy") == 0 ? DATES_DMY
                                                                                                      : DATES_ISO;
    const char *enc = params_get(form, "encoding");
    if (enc && *enc && strcmp(enc, "auto") != 0) {
        if (textenc_parse(enc, &o->read.encoding) != 0) {
            r->error_message = "The encoding is not one this import reads.";
            return 400;
        }
        o->read.encoding_set = true;
    }
    const char *delim = params_get(form, "delimiter");
    if (delim && *delim && strcmp(delim, "auto") != 0) {
        if (strcmp(delim, "tab") == 0)
            o->read.delimiter = '\t';
        else if (strlen(delim) == 1 && strchr(",;|", delim[0]))
            o->read.delimiter = delim[0];
        else {
            r->error_message = "The delimiter must be a comma, a semicolon, a bar or a tab.";
            return 400;
        }
    }
    /* The mapping: col.0 .. col.N-1, all or none. */
    if (ncolumns && params_get(form, "col.0")) {
        const char **codes = arena_alloc(r->mem, ncolumns * sizeof *codes);
        for (size_t i = 0; i < ncolumns; i++) {
            char name[32];
            snprintf(name, sizeof name, "col.%zu", i);
            const char *v = params_get(form, name);
            codes[i] = v ? v : "";
        }
        o->read.codes = codes;
        o->read.ncodes = ncolumns;
    }
    return 0;
}

/* The run form's fields (options and mapping) as a query string. */
static void settings_of(request *r, buf *out)
{
    for (size_t i = 0; i < r->form.n; i++) {
        const char *name = r->form.v[i].name;
        bool keep = strncmp(name, "col.", 4) == 0;
        for (size_t k = 0; k < CT_ARRAY_LEN(option_fields) && !keep; k++)
            keep = strcmp(name, option_fields[k]) == 0;
        if (!keep)
            continue;
        if (out->len)
            buf_addc(out, '&');
        buf_add_url(out, name);
        buf_addc(out, '=');
        buf_add_url(out, r->form.v[i].value);
    }
}

/* The number of columns of the file read with the settings' encoding and
 * delimiter (0 for vCard or a file that cannot be read). */
static size_t columns_of(const import_record *rec, const params *form)
{
    import_source src;
    memset(&src, 0, sizeof src);
    import_settings set;
    memset(&set, 0, sizeof set);
    char err[512];
    const char *enc = params_get(form, "encoding");
    if (enc && *enc && strcmp(enc, "auto") != 0 && textenc_parse(enc, &set.encoding) == 0)
        set.encoding_set = true;
    const char *delim = params_get(form, "delimiter");
    if (delim && strcmp(delim, "tab") == 0)
        set.delimiter = '\t';
    else if (delim && strlen(delim) == 1 && strchr(",;|", delim[0]))
        set.delimiter = delim[0];
    size_t n = 0;
    if (rec->content && (import_open(&src, rec->content, rec->content_len, &set, err, sizeof err) == 0 ||
                         strstr(err, "None of the columns")))
        n = src.ncolumns;
    import_close(&src);
    return n;
}

/* ---- the import's page ---- */

static void put_counts(request *r, const char *prefix, const import_counts *n)
{
    page_set_int(r->pg, n->read, "%s.rows_read", prefix);
    page_set_int(r->pg, n->created, "%s.created", prefix);
    page_set_int(r->pg, n->updated, "%s.updated", prefix);
    page_set_int(r->pg, n->restored, "%s.restored", prefix);
    page_set_int(r->pg, n->skipped, "%s.skipped", prefix);
    page_set_int(r->pg, n->failed, "%s.failed", prefix);
}

static int put_problems(request *r, db *d, long long id)
{
    db_stmt *s = db_stmt_get(d, "SELECT record, line, severity, column_name, reason FROM import_problems"
                                " WHERE client_id = ? AND import_id = ? ORDER BY record, seq LIMIT 500");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    int i = 0;
    static const char *const cols[] = {"record", "line", "severity", "column", "reason"};
    while ((rc = db_next(s)) == 1) {
        for (int c = 0; c < 5; c++)
            page_set(r->pg, db_text(s, c, NULL), "Problems.%d.%s", i, cols[c]);
        i++;
    }
    page_set_int(r->pg, i, "Report.shown");
    return rc < 0 ? rc : DB_OK;
}

/* The contacts an undo left as they were (changed since the import, or
 * outside the user's scope then): LeftAlone.N, the first 100. */
static int put_left_alone(request *r, db *d, long long id)
{
    db_stmt *s = db_stmt_get(d, "SELECT i.contact_id FROM import_contacts i JOIN imports m ON m.client_id ="
                                " i.client_id AND m.id = i.import_id JOIN contacts c ON c.client_id = i.client_id"
                                " AND c.id = i.contact_id WHERE i.client_id = ? AND i.import_id = ?"
                                " AND c.updated_at <> m.undone_at ORDER BY i.contact_id LIMIT 100");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, id);
    int rc = db_run(s);
    int i = 0;
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        page_set_int(r->pg, db_int(s, 0), "LeftAlone.%d", i++);
        rc = DB_OK;
    }
    return rc < 0 ? rc : DB_OK;
}

/* Every target a column can be given, for the mapping's selects. */
static void put_targets(request *r, const import_source *src)
{
    int n = 0;
    char code[64], label[96];
    import_target t = {.kind = TK_IGNORE, .types = ""};
    import_target_label(&t, label);
    page_set(r->pg, "", "Targets.%d.code", n);
    page_set(r->pg, label, "Targets.%d.label", n++);
    for (int f = 0; f < CF_COUNT; f++) {
        if (f == CF_EMAIL || f == CF_PHONE || f == CF_EMAIL_TYPE || f == CF_PHONE_TYPE)
            continue;
        t = (import_target){.kind = TK_FIELD, .field = f, .types = ""};
        import_target_code(&t, code);
        import_target_label(&t, label);
        page_set(r->pg, code, "Targets.%d.code", n);
        page_set(r->pg, label, "Targets.%d.label", n++);
    }
    for (int k = TK_EMAIL; k <= TK_NAME; k++) {
        int slots = k <= TK_PHONE_TYPE ? 3 : 1;
        for (int sl = 1; sl <= slots; sl++) {
            t = (import_target){.kind = (enum import_target_kind)k, .slot = sl, .types = ""};
            import_target_code(&t, code);
            import_target_label(&t, label);
            page_set(r->pg, code, "Targets.%d.code", n);
            page_set(r->pg, label, "Targets.%d.label", n++);
        }
    }
    /* A column's own target (Mobile Phone is phone 2, cell) among them. */
    for (size_t i = 0; i < src->ncolumns; i++) {
        import_target_code(&src->targets[i], code);
        bool listed = false;
        for (int k = 0; k < n && !listed; k++)
            listed = strcmp(page_get(r->pg, arena_printf(r->mem, "Targets.%d.code", k)), code) == 0;
        if (!listed) {
            import_target_label(&src->targets[i], label);
            page_set(r->pg, code, "Targets.%d.code", n);
            page_set(r->pg, label, "Targets.%d.label", n++);
        }
    }
}

/* Reads the whole file with the options: the columns with their targets
 * and samples, the first candidates, the number of rows and of those
 * that already fail the file's own checks. */
static int put_preview(request *r, const import_record *rec, const import_options *o)
{
    import_source src;
    char err[512];
    if (import_open(&src, rec->content, rec->content_len, &o->read, err, sizeof err) != 0) {
        page_set(r->pg, err, "Preview.Error");
        import_close(&src);
        return 0;
    }
    page_set(r->pg, src.format == IMPORT_CSV ? "CSV" : "vCard", "Preview.format");
    page_set(r->pg, textenc_name(src.encoding), "Preview.encoding");
    page_set(r->pg,
             src.format != IMPORT_CSV ? ""
             : src.delimiter == ','   ? "comma"
             : src.delimiter == ';'   ? "semicolon"
             : src.delimiter == '\t'  ? "tab"
                                      : "bar",
             "Preview.delimiter");
    for (size_t i = 0; i < src.ncolumns; i++) {
        char code[64];
        import_target_code(&src.targets[i], code);
        page_set_int(r->pg, (long long)i, "Columns.%zu.index", i);
        page_set(r->pg, src.headers[i], "Columns.%zu.header", i);
        page_set(r->pg, code, "Columns.%zu.code", i);
        if (src.targets[i].kind == TK_IGNORE && src.targets[i].why)
            page_set(r->pg, src.targets[i].why, "Columns.%zu.why", i);
    }
    page_set_int(r->pg, (long long)src.ncolumns, "Preview.ncolumns");
    put_targets(r, &src);
    long long rows = 0, bad = 0;
    arena *ra = arena_new();
    for (;;) {
        import_row row;
        int got = import_next(&src, ra, &row, err, sizeof err);
        if (got < 0) {
            page_set(r->pg, err, "Preview.BrokenAt");
            bad++;
            break;
        }
        if (got == 0)
            break;
        if (rows == PREVIEW_SCAN) {
            page_set(r->pg, "1", "Preview.more");
            break;
        }
        rows++;
        bad += row.bad;
        if (rows <= PREVIEW_ROWS) {
            int i = (int)rows - 1;
            page_set_int(r->pg, (long long)row.record, "Rows.%d.record", i);
            static const int shown[] = {CF_FIRST_NAME, CF_LAST_NAME, CF_ORGANISATION, CF_EMAIL,
                                        CF_PHONE,      CF_CITY,      CF_REGION,       CF_BIRTHDAY};
            for (size_t k = 0; k < CT_ARRAY_LEN(shown); k++)
                page_setn(r->pg, row.v.v[shown[k]], row.v.len[shown[k]], "Rows.%d.%s", i,
                          contact_fields[shown[k]].name);
            buf more = {0};
            for (size_t k = 1; k < row.nemails; k++)
                buf_printf(&more, "%s%s", more.len ? ", " : "", row.emails[k].value);
            for (size_t k = 1; k < row.nphones; k++)
                buf_printf(&more, "%s%s", more.len ? ", " : "", row.phones[k].value);
            page_set(r->pg, buf_str(&more), "Rows.%d.more", i);
            buf_reset(&more);
            for (size_t k = 0; k < row.ntags; k++)
                buf_printf(&more, "%s%s", more.len ? ", " : "", row.tags[k]);
            page_set(r->pg, buf_str(&more), "Rows.%d.tags", i);
            buf_free(&more);
            for (size_t k = 0; k < row.nproblems; k++) {
                page_set(r->pg, row.problems[k].error ? "error" : "warning", "Rows.%d.problems.%zu.severity", i, k);
                page_set(r->pg, row.problems[k].column, "Rows.%d.problems.%zu.column", i, k);
                page_set(r->pg, row.problems[k].reason, "Rows.%d.problems.%zu.reason", i, k);
            }
        }
        /* Only the rows on show keep their memory. */
        if (rows >= PREVIEW_ROWS) {
            arena_free(ra);
            ra = arena_new();
        }
    }
    arena_free(ra);
    page_set_int(r->pg, rows, "Preview.rows");
    page_set_int(r->pg, bad, "Preview.bad");
    import_close(&src);
    return 0;
}

static void put_options(request *r, const import_options *o)
{
    page_set(r->pg, o->update ? "create_update" : "create", "Options.mode");
    page_set(r->pg, o->match_external ? "external_id" : "email", "Options.match");
    page_set(r->pg, o->valid_only ? "valid" : "all", "Options.rows");
    page_set(r->pg, o->restore_deleted ? "restore" : "skip", "Options.deleted");
    page_set(r->pg, o->read.dates == DATES_MDY ? "mdy" : o->read.dates == DATES_DMY ? "dmy" : "iso", "Options.dates");
    page_set(r->pg, o->read.encoding_set ? textenc_name(o->read.encoding) : "auto", "Options.encoding");
    page_set(r->pg,
             !o->read.delimiter          ? "auto"
             : o->read.delimiter == '\t' ? "tab"
                                         : (char[]){o->read.delimiter, 0},
             "Options.delimiter");
}

/* The import of this user, or 404. */
static int own_import(request *r, db *d, bool content, bool lock, import_record *rec)
{
    int rc = import_get(d, r->mem, r->who.client_id, r->path_id, content, lock, rec);
    if (rc < 0)
        return rc;
    if (rc == 0 || rec->user_id != r->who.user_id)
        return 404;
    return 0;
}

static int show(request *r, db *d, const import_record *rec, const import_options *o)
{
    page_set_int(r->pg, rec->id, "Import.id");
    page_set(r->pg, rec->file_name, "Import.file_name");
    page_set_int(r->pg, (long long)rec->file_size, "Import.file_size");
    page_set(r->pg, rec->sha256_hex, "Import.sha256");
    page_set(r->pg, rec->status, "Import.status");
    page_set(r->pg, rec->created_at, "Import.created_at");
    page_set(r->pg, rec->run_at, "Import.run_at");
    page_set(r->pg, rec->undone_at, "Import.undone_at");
    page_set(r->pg, rec->dry_run ? "1" : "0", "Import.dry_run");
    put_counts(r, "Import", &rec->n);
    page_set(r->pg, arena_printf(r->mem, "Import %lld: %s", rec->id, rec->file_name), "Page.Title");
    int rc = DB_OK;
    if (rec->run_at[0])
        rc = put_problems(r, d, rec->id);
    if (rc == DB_OK && strcmp(rec->status, "undone") == 0)
        rc = put_left_alone(r, d, rec->id);
    if (rc != DB_OK)
        return rc;
    if (strcmp(rec->status, "uploaded") == 0 && rec->content) {
        put_options(r, o);
        put_preview(r, rec, o);
    }
    r->template_name = "import.cs";
    return 200;
}

int imports_show(request *r, db *d)
{
    r->object_type = "import";
    r->object_id = r->path_id;
    import_record rec;
    int rc = own_import(r, d, true, false, &rec);
    if (rc != 0)
        return rc;
    /* The options of the last run (a dry run) are shown again. */
    params form = {0};
    import_options o;
    memset(&o, 0, sizeof o);
    if (rec.settings[0] && http_parse_urlencoded(r->mem, rec.settings, strlen(rec.settings), &form) == HP_OK &&
        read_options(r, &form, &o, columns_of(&rec, &form)) != 0)
        memset(&o, 0, sizeof o);
    buf_adds(&r->detail, "{}");
    return show(r, d, &rec, &o);
}

static void touch(void *ctx, long long id)
{
    request_touch(ctx, id);
}

int imports_run(request *r, db *d)
{
    r->object_type = "import";
    r->object_id = r->path_id;
    import_record rec;
    int rc = own_import(r, d, true, true, &rec);
    if (rc != 0)
        return rc;
    import_options o;
    if ((rc = read_options(r, &r->form, &o, columns_of(&rec, &r->form))) != 0)
        return rc;
    const char *action = params_get(&r->form, "action");
    if (!action || strcmp(action, "preview") == 0) {
        buf_adds(&r->detail, "{\"preview\":true}");
        return show(r, d, &rec, &o);
    }
    if (strcmp(action, "dry_run") != 0 && strcmp(action, "import") != 0) {
        r->error_message = "The action must be preview, dry_run or import.";
        return 400;
    }
    if (strcmp(rec.status, "uploaded") != 0 || !rec.content) {
        page_set(r->pg, "This import has been run already.", "Form.Error");
        buf_adds(&r->detail, "{\"refused\":\"run already\"}");
        rc = show(r, d, &rec, &o);
        return rc < 0 ? rc : 409;
    }
    o.dry_run = strcmp(action, "dry_run") == 0;
    /* An import creates, updates and restores contacts: it takes the
     * functions those need besides contacts.import. */
    const char *needs = !acl_allows(r->who.functions, "contacts.create") ? "contacts.create"
                        : (o.update || o.restore_deleted) && !acl_allows(r->who.functions, "contacts.edit")
                            ? "contacts.edit"
                            : NULL;
    if (needs) {
        page_set(r->pg,
                 arena_printf(r->mem,
                              "Your user type may not do this: it needs %s as well%s.", needs,
                              strcmp(needs, "contacts.edit") == 0
                                  ? " (to update or restore contacts; create new ones only and skip deleted ones)"
                                  : ""),
                 "Form.Error");
        buf_reset(&r->detail);
        buf_printf(&r->detail, "{\"refused\":\"needs %s\"}", needs);
        int st = show(r, d, &rec, &o);
        r->show_page = true;
        return st < 0 ? st : 403;
    }
    import_job j = {.d = d,
                    .a = r->mem,
                    .sc = &r->who.scope,
                    .may_create_campaigns = acl_allows(r->who.functions, "campaigns.manage"),
                    .import_id = rec.id,
                    .opt = o,
                    .detail = &r->detail,
                    .touch = touch,
                    .touch_ctx = r};
    buf settings = {0};
    settings_of(r, &settings);
    j.settings = arena_strdup(r->mem, buf_str(&settings));
    buf_free(&settings);
    /* A large file must not outlast the request: the run stops in time
     * (40% of the deadline is left for rolling back what it did, or for
     * the report and the commit). */
    j.deadline_us = r->started_us + (int64_t)r->cf->request_deadline * 600000;
    rc = import_run(&j, rec.content, rec.content_len);
    if (rc == IMPORT_BAD_FILE || rc == IMPORT_STATE || rc == IMPORT_TOO_BIG) {
        buf_reset(&r->detail);
        buf_adds(&r->detail, "{\"refused\":");
        json_add_cstr(&r->detail, j.error);
        buf_addc(&r->detail, '}');
        page_set(r->pg, j.error, "Form.Error");
        int s = show(r, d, &rec, &o);
        return s < 0 ? s : 422;
    }
    if (rc != IMPORT_OK)
        return rc < 0 ? rc : 404;
    http_redirect(r, arena_printf(r->mem, "/imports/%lld", rec.id));
    return 303;
}

int imports_report_csv(request *r, db *d)
{
    r->object_type = "import";
    r->object_id = r->path_id;
    import_record rec;
    int rc = own_import(r, d, false, false, &rec);
    if (rc != 0)
        return rc;
    db_stmt *s = db_stmt_get(d, "SELECT record, line, severity, column_name, reason FROM import_problems"
                                " WHERE client_id = ? AND import_id = ? ORDER BY record, seq");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, rec.id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    buf *out = &r->body_out;
    buf_adds(out, "row,line,severity,column,reason\r\n");
    long long n = 0;
    while ((rc = db_next(s)) == 1) {
        for (int c = 0; c < 5; c++) {
            size_t len;
            const char *v = db_text(s, c, &len);
            if (c)
                buf_addc(out, ',');
            /* People open this in a spreadsheet: cells are made safe. */
            csv_write_field(out, v ? v : "", v ? len : 0, true);
        }
        csv_end_record(out);
        n++;
    }
    if (rc < 0)
        return rc;
    r->content_type_out = "text/csv; charset=utf-8";
    http_header(r, "Content-Disposition", arena_printf(r->mem, "attachment; filename=\"import-%lld-report.csv\"", rec.id));
    buf_printf(&r->detail, "{\"problems\":%lld}", n);
    return 200;
}

int imports_undo(request *r, db *d)
{
    r->object_type = "import";
    r->object_id = r->path_id;
    import_record rec;
    int rc = own_import(r, d, false, true, &rec);
    if (rc != 0)
        return rc;
    /* An undo deletes the contacts the import made and gives back the
     * values of those it changed. */
    const char *needs = !acl_allows(r->who.functions, "contacts.delete") ? "contacts.delete"
                        : (rec.n.updated || rec.n.restored) && !acl_allows(r->who.functions, "contacts.edit")
                            ? "contacts.edit"
                            : NULL;
    if (needs) {
        page_set(r->pg, arena_printf(r->mem, "Your user type may not undo this import: it needs %s as well.", needs),
                 "Form.Error");
        buf_printf(&r->detail, "{\"refused\":\"needs %s\"}", needs);
        import_options o;
        memset(&o, 0, sizeof o);
        int st = show(r, d, &rec, &o);
        r->show_page = true;
        return st < 0 ? st : 403;
    }
    import_job j = {.d = d, .a = r->mem, .sc = &r->who.scope, .import_id = rec.id, .detail = &r->detail,
                    .touch = touch, .touch_ctx = r,
                    .deadline_us = r->started_us + (int64_t)r->cf->request_deadline * 600000};
    rc = import_undo(&j);
    if (rc == IMPORT_STATE || rc == IMPORT_TOO_BIG) {
        page_set(r->pg, j.error, "Form.Error");
        buf_reset(&r->detail);
        buf_adds(&r->detail, "{\"refused\":");
        json_add_cstr(&r->detail, j.error);
        buf_addc(&r->detail, '}');
        import_options o;
        memset(&o, 0, sizeof o);
        int s = show(r, d, &rec, &o);
        return s < 0 ? s : 409;
    }
    if (rc != IMPORT_OK)
        return rc < 0 ? rc : 404;
    http_redirect(r, arena_printf(r->mem, "/imports/%lld?undone=1", rec.id));
    return 303;
}
