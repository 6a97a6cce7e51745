/* import: contacts from a file into the database, and undoing it. */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "counts.h"
#include "crypto.h"
#include "filter.h"
#include "json.h"
#include "log.h"
#include "valid.h"

/* ---- the imports row ---- */

static const char SQL_CREATE[] =
    "INSERT INTO imports (client_id, user_id, file_name, file_sha256, file_size, content, format, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))";

int import_create(db *d, long long client_id, long long user_id, const char *file_name, const char *data, size_t len,
                  bool keep, long long *id)
{
    unsigned char sha[32];
    crypto_sha256(data, len, sha);
    bool vcard = false;
    for (size_t i = 0; i < len && i < 64; i++) {
        if (data[i] == 'B' || data[i] == 'b') {
            vcard = len - i >= 11 && strncasecmp(data + i, "BEGIN:VCARD", 11) == 0;
            break;
        }
        if (data[i] != ' ' && data[i] != '\r' && data[i] != '\n' && data[i] != '\t' && (unsigned char)data[i] < 0x80)
            break;
    }
    db_stmt *s = db_stmt_get(d, SQL_CREATE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    if (user_id)
        db_bind_int(s, 1, user_id);
    else
        db_bind_null(s, 1);
    /* The column holds 255 bytes: a longer name is cut between characters. */
    db_bind_text(s, 2, file_name, utf8_prefix(file_name, strlen(file_name), 255));
    db_bind_blob(s, 3, sha, sizeof sha);
    db_bind_int(s, 4, (long long)len);
    if (keep)
        db_bind_blob(s, 5, data, len);
    else
        db_bind_null(s, 5);
    db_bind_str(s, 6, vcard ? "vcard" : "csv");
    int rc = db_run(s);
    if (rc == DB_OK)
        *id = (long long)db_insert_id(s);
    return rc;
}

int import_set_size(db *d, long long client_id, long long id, size_t bytes)
{
    db_stmt *s = db_stmt_get(d, "UPDATE imports SET file_size = ? WHERE client_id = ? AND id = ?");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, (long long)bytes);
    db_bind_int(s, 1, client_id);
    db_bind_int(s, 2, id);
    return db_run(s);
}

static const char SQL_GET[] =
    "SELECT id, IFNULL(user_id, 0), file_name, LOWER(HEX(file_sha256)), format, status, options,"
    " DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(run_at, '%Y-%m-%d %H:%i:%s'),"
    " DATE_FORMAT(undone_at, '%Y-%m-%d %H:%i:%s'), file_size, dry_run, rows_read, created, updated, restored,"
    " skipped, failed, settings, ";

int import_get(db *d, arena *a, long long client_id, long long id, bool with_content, bool lock, import_record *out)
{
    buf sql = {0};
    buf_adds(&sql, SQL_GET);
    buf_adds(&sql, with_content ? "content" : "NULL");
    buf_adds(&sql, " FROM imports WHERE client_id = ? AND id = ?");
    if (lock)
        buf_adds(&sql, " FOR UPDATE");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) != 1)
        return rc;
    memset(out, 0, sizeof *out);
    out->id = db_int(s, 0);
    out->user_id = db_int(s, 1);
    out->file_name = db_text_dup(s, 2, a);
    out->sha256_hex = db_text_dup(s, 3, a);
    out->format = db_text_dup(s, 4, a);
    out->status = db_text_dup(s, 5, a);
    out->options = db_text_dup(s, 6, a);
    out->created_at = db_text_dup(s, 7, a);
    out->run_at = db_text_dup(s, 8, a);
    out->undone_at = db_text_dup(s, 9, a);
    out->file_size = (size_t)db_int(s, 10);
    out->dry_run = db_int(s, 11) != 0;
    out->n.read = db_int(s, 12);
    out->n.created = db_int(s, 13);
    out->n.updated = db_int(s, 14);
    out->n.restored = db_int(s, 15);
    out->n.skipped = db_int(s, 16);
    out->n.failed = db_int(s, 17);
    size_t n = 0;
    out->settings = db_text_dup(s, 18, a);
    const char *c = db_text(s, 19, &n);
    if (c) {
        char *copy = arena_alloc(a, n + 1);
        memcpy(copy, c, n);
        out->content = copy;
        out->content_len = n;
    }
    db_done(s);
    return 1;
}

void import_options_json(buf *b, const import_options *o)
{
    static const char *const dates[] = {"iso", "mm/dd/yyyy", "dd/mm/yyyy"};
    buf_printf(b,
               "{\"mode\":\"%s\",\"match\":\"%s\",\"rows\":\"%s\",\"dry_run\":%s,\"deleted\":\"%s\","
               "\"dates\":\"%s\"",
               o->update ? "create_update" : "create", o->match_external ? "external_id" : "email",
               o->valid_only ? "valid" : "all_or_nothing", o->dry_run ? "true" : "false",
               o->restore_deleted ? "restore" : "skip", dates[o->read.dates]);
    if (o->read.encoding_set) {
        buf_adds(b, ",\"encoding\":");
        json_add_cstr(b, textenc_name(o->read.encoding));
    }
    if (o->read.delimiter)
        buf_printf(b, ",\"delimiter\":\"%s\"", o->read.delimiter == '\t' ? "\\t" : (char[]){o->read.delimiter, 0});
    if (o->read.codes) {
        buf_adds(b, ",\"mapping\":[");
        for (size_t i = 0; i < o->read.ncodes; i++) {
            if (i)
                buf_addc(b, ',');
            json_add_cstr(b, o->read.codes[i]);
        }
        buf_addc(b, ']');
    }
    buf_addc(b, '}');
}

/* ---- one run ---- */

/* The columns an import writes and keeps for undo: the form's, then
 * external_id, email_type and phone_type. */
#define ALL_FIELDS CF_COUNT

typedef struct run {
    import_job *j;
    char now[32];          /* the run's time: every contact it writes gets it */
    buf problems;          /* INSERT values, written after the savepoint */
    long long nproblems;
    buf created, updated, restored, skipped_ids; /* JSON lists for the detail */
    long long listed;
    /* A few lookups cached for the run. */
    struct cache {
        char key[208];
        long long id;
        int ok;
    } regions[64], campaigns[32];
    size_t nregions, ncampaigns;
    bool refused; /* an error was reported for the row at hand */
} run;

static void add_problem(run *x, const import_row *row, const import_problem *p)
{
    if (p->error)
        x->refused = true;
    else
        x->j->n.warnings++;
    if (x->nproblems >= IMPORT_MAX_PROBLEMS)
        return;
    x->nproblems++;
    buf *b = &x->problems;
    b->len ? buf_addc(b, '\n') : (void)0;
    /* record TAB line TAB severity TAB column TAB reason: tabs and line
     * breaks cannot occur in column names or reasons (made safe here). */
    buf_printf(b, "%zu\t%zu\t%s\t", row ? row->record : 0, row ? row->line : 0, p->error ? "error" : "warning");
    for (int k = 0; k < 2; k++) {
        const char *s = k == 0 ? p->column : p->reason;
        for (; *s; s++)
            buf_addc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
        if (k == 0)
            buf_addc(b, '\t');
    }
}

static void row_problem(run *x, const import_row *row, bool error, const char *column, const char *fmt, ...)
    CT_PRINTF(5, 6);
static void row_problem(run *x, const import_row *row, bool error, const char *column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf b = {0};
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    import_problem p = {.column = column ? column : "", .error = error, .reason = buf_str(&b)};
    add_problem(x, row, &p);
    buf_free(&b);
}

static void list_id(run *x, buf *b, long long id)
{
    if (x->listed >= IMPORT_DETAIL_MAX)
        return;
    x->listed++;
    buf_printf(b, "%s%lld", b->len ? "," : "", id);
}

/* A region by its code, or else by its name; 1 with *id, 0 unknown. */
static int region_lookup(run *x, const char *v, size_t n, long long *id, int *allowed)
{
    for (size_t i = 0; i < x->nregions; i++)
        if (strlen(x->regions[i].key) == n && memcmp(x->regions[i].key, v, n) == 0) {
            *id = x->regions[i].id;
            *allowed = x->regions[i].ok;
            return *id ? 1 : 0;
        }
    int rc = filter_region_by_code(x->j->d, x->j->sc->client_id, v, n, id);
    if (rc == 0) {
        db_stmt *s = db_stmt_get(x->j->d, "SELECT id FROM regions WHERE client_id = ? AND name = ? ORDER BY sort_key LIMIT 1");
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, x->j->sc->client_id);
        db_bind_text(s, 1, v, n);
        if ((rc = db_run(s)) != DB_OK)
            return rc;
        if ((rc = db_next(s)) == 1)
            *id = db_int(s, 0);
        db_done(s);
    }
    if (rc < 0)
        return rc;
    *allowed = 0;
    if (rc == 1 && (*allowed = acl_region_allowed(x->j->d, x->j->sc, *id)) < 0)
        return *allowed;
    if (x->nregions < CT_ARRAY_LEN(x->regions) && n < sizeof x->regions[0].key) {
        struct cache *c = &x->regions[x->nregions++];
        memcpy(c->key, v, n);
        c->key[n] = '\0';
        c->id = rc == 1 ? *id : 0;
        c->ok = *allowed;
    }
    return rc;
}

static const char SQL_CAMPAIGN[] = "SELECT g.id FROM campaigns g WHERE g.client_id = ? AND g.name = ? AND g.archived_at IS NULL";

/* A campaign by name that the actor can see (created when allowed and the
 * actor sees all campaigns). 1 with *id; 0 when there is none (why set). */
static int campaign_lookup(run *x, const char *name, long long *id, const char **why)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < x->ncampaigns; i++)
        if (strcmp(x->campaigns[i].key, name) == 0) {
            *id = x->campaigns[i].id;
            *why = "is not one of your active campaigns";
            return *id ? 1 : 0;
        }
    const acl_scope *sc = x->j->sc;
    buf sql = {0};
    buf_adds(&sql, SQL_CAMPAIGN);
    acl_campaigns_sql(&sql, sc, "g.id");
    db_stmt *s = db_stmt_get(x->j->d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, sc->client_id);
    db_bind_str(s, 1, name);
    acl_campaigns_bind(s, 2, sc);
    *id = 0;
    int rc = db_one_int(s, id);
    if (rc < 0)
        return rc;
    *why = "is not one of your active campaigns";
    if (!*id && x->j->may_create_campaigns && sc->all_campaigns) {
        db_stmt *e = db_stmt_get(x->j->d, "SELECT COUNT(*) FROM campaigns WHERE client_id = ? AND name = ?");
        long long exists = 0;
        if (!e)
            return DB_ERR;
        db_bind_int(e, 0, sc->client_id);
        db_bind_str(e, 1, name);
        if ((rc = db_one_int(e, &exists)) < 0)
            return rc;
        if (exists) {
            *why = "is archived";
        } else {
            db_stmt *c = db_stmt_get(x->j->d, "INSERT INTO campaigns (client_id, name, created_at) VALUES (?, ?, UTC_TIMESTAMP(6))");
            if (!c)
                return DB_ERR;
            db_bind_int(c, 0, sc->client_id);
            db_bind_str(c, 1, name);
            if ((rc = db_run(c)) != DB_OK)
                return rc;
            *id = (long long)db_insert_id(c);
        }
    }
    if (x->ncampaigns < CT_ARRAY_LEN(x->campaigns) && n < sizeof x->campaigns[0].key) {
        struct cache *c = &x->campaigns[x->ncampaigns++];
        memcpy(c->key, name, n + 1);
        c->id = *id;
    }
    return *id ? 1 : 0;
}

/* ---- matching and writing, a batch at a time ---- */

/* Rows checked and written together: one query finds the matches of all,
 * one statement inserts the new ones. */
#define BATCH 500

/* A contact as it is, for a match: its fields, channels and tags. */
typedef struct existing {
    long long id;
    bool live;
    contact_values v;
    const char *extras; /* JSON array of the further channels */
    const char *tags;   /* JSON array */
    const char *channels; /* the further channels as "kind TAB types TAB value" lines */
} existing;

typedef struct pending {
    import_row row;
    arena *ra;          /* the row's memory */
    long long campaigns[16];
    size_t nc;
    const char *key;    /* the match key as given, or NULL */
    size_t keylen;
    int found;          /* matches in scope: 0, 1, or more */
    existing e;
    long long second;   /* a second live match */
    bool ext_taken;     /* its external id is another contact's */
    long long id;       /* the contact written */
} pending;

static const char *sql_match(const acl_scope *sc, bool external)
{
    static buf cache[2][2][2];
    /* The scope's SQL differs by its two limits (acl_scope_sql; the values
     * are bound), the key by what is matched: eight texts. */
    buf *b = &cache[external][sc->all_regions][sc->all_campaigns];
    if (b->len)
        return buf_str(b);
    buf_adds(b, "SELECT j.k, c.id, c.live, ");
    contact_columns_sql(b, "c.", CF_FORM_COUNT);
    buf_adds(b, ", c.external_id, c.email_type, c.phone_type, r.code,"
                " (SELECT JSON_ARRAYAGG(JSON_OBJECT('kind', x.kind, 'seq', x.seq, 'value', x.value, 'types', x.types))"
                " FROM contact_channels x WHERE x.client_id = c.client_id AND x.contact_id = c.id),"
                " (SELECT JSON_ARRAYAGG(t.tag) FROM contact_tags t WHERE t.client_id = c.client_id AND t.contact_id = c.id),"
                " (SELECT GROUP_CONCAT(CONCAT(x.kind, '\t', x.types, '\t', x.value) ORDER BY x.kind, x.seq SEPARATOR '\n')"
                " FROM contact_channels x WHERE x.client_id = c.client_id AND x.contact_id = c.id)"
                " FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j JOIN contacts c ON ");
    buf_adds(b, external ? "c.client_id = ? AND c.external_id = j.k" : "c.client_id = ? AND c.email_key = LOWER(j.k)");
    buf_adds(b, " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id WHERE ");
    acl_scope_sql(b, sc);
    buf_adds(b, " ORDER BY c.live DESC, c.id FOR UPDATE");
    return buf_str(b);
}

/* Appends the keys of the batch as a JSON array of strings. */
static void keys_json(buf *b, pending *batch, size_t n, bool external_ids)
{
    buf_addc(b, '[');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const char *k = external_ids ? batch[i].row.v.v[CF_EXTERNAL_ID] : batch[i].key;
        size_t kn = external_ids ? batch[i].row.v.len[CF_EXTERNAL_ID] : batch[i].keylen;
        if (!k || !kn)
            continue;
        if (!first)
            buf_addc(b, ',');
        first = false;
        json_add_string(b, k, kn);
    }
    buf_addc(b, ']');
}

static pending *by_key(pending *batch, size_t n, const char *k, size_t kn, bool external_ids)
{
    for (size_t i = 0; i < n; i++) {
        const char *bk = external_ids ? batch[i].row.v.v[CF_EXTERNAL_ID] : batch[i].key;
        size_t bn = external_ids ? batch[i].row.v.len[CF_EXTERNAL_ID] : batch[i].keylen;
        if (bk && bn == kn && memcmp(bk, k, kn) == 0)
            return &batch[i];
    }
    return NULL;
}

/* Finds the contacts the batch's rows match (live ones first). */
static int find_matches(run *x, pending *batch, size_t n)
{
    import_job *j = x->j;
    buf keys = {0};
    keys_json(&keys, batch, n, false);
    if (keys.len <= 2) {
        buf_free(&keys);
        return DB_OK;
    }
    db_stmt *s = db_stmt_get(j->d, sql_match(j->sc, j->opt.match_external));
    if (!s) {
        buf_free(&keys);
        return DB_ERR;
    }
    db_bind_str(s, 0, buf_str(&keys));
    db_bind_int(s, 1, j->sc->client_id);
    acl_scope_bind(s, 2, j->sc);
    int rc = db_run(s);
    buf_free(&keys);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        size_t kn;
        const char *k = db_text(s, 0, &kn);
        pending *p = k ? by_key(batch, n, k, kn, false) : NULL;
        if (!p)
            continue;
        bool live = !db_is_null(s, 2);
        if (p->found == 0) {
            existing *e = &p->e;
            e->id = db_int(s, 1);
            e->live = live;
            for (int f = 0; f < CF_COUNT; f++) {
                int c = f < CF_FORM_COUNT ? 3 + f : 3 + CF_FORM_COUNT + (f - CF_FORM_COUNT);
                if (f == CF_REGION)
                    c = 3 + CF_COUNT; /* the code, not the id */
                size_t len = 0;
                const char *t = db_text(s, c, &len);
                e->v.v[f] = t ? arena_strndup(p->ra, t, len) : "";
                e->v.len[f] = t ? len : 0;
            }
            e->v.region_id = db_int(s, 3 + CF_REGION);
            e->extras = db_text_dup(s, 4 + CF_COUNT, p->ra);
            e->tags = db_text_dup(s, 5 + CF_COUNT, p->ra);
            e->channels = db_text_dup(s, 6 + CF_COUNT, p->ra);
            p->found = 1;
        } else if (live && p->e.live) {
            /* Two live ones are ambiguous; a deleted one after a live one is not. */
            if (p->found == 1)
                p->second = db_int(s, 1);
            p->found++;
        }
    }
    if (rc < 0)
        return rc;
    /* External ids that other contacts have: matching on email, a contact
     * other than the match; matching on the external id, one outside the
     * scope (which the match does not see). Unique in the client, so such
     * a row cannot be written; it is told so without naming the contact. */
    buf_reset(&keys);
    keys_json(&keys, batch, n, true);
    if (keys.len <= 2) {
        buf_free(&keys);
        return DB_OK;
    }
    s = db_stmt_get(j->d, "SELECT j.k, c.id FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(64) PATH '$')) j"
                          " JOIN contacts c ON c.client_id = ? AND c.external_id = j.k");
    if (!s) {
        buf_free(&keys);
        return DB_ERR;
    }
    db_bind_str(s, 0, buf_str(&keys));
    db_bind_int(s, 1, j->sc->client_id);
    rc = db_run(s);
    buf_free(&keys);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        size_t kn;
        const char *k = db_text(s, 0, &kn);
        pending *p = k ? by_key(batch, n, k, kn, true) : NULL;
        if (p && !(p->found && p->e.id == db_int(s, 1)))
            p->ext_taken = true;
    }
    return rc < 0 ? rc : DB_OK;
}

/* The values of a contact as a JSON object (for undo): every field, the
 * region as its id, the further channels and tags. */
static void values_json(buf *b, const existing *e)
{
    buf_addc(b, '{');
    for (int f = 0; f < CF_COUNT; f++) {
        if (f == CF_REGION) {
            if (e->v.region_id)
                buf_printf(b, "\"region_id\":%lld,", e->v.region_id);
            else
                buf_adds(b, "\"region_id\":null,");
            continue;
        }
        json_add_cstr(b, contact_fields[f].name);
        buf_addc(b, ':');
        if ((f == CF_BIRTHDAY || f == CF_EXTERNAL_ID) && !e->v.len[f])
            buf_adds(b, "null");
        else
            json_add_string(b, e->v.v[f], e->v.len[f]);
        buf_addc(b, ',');
    }
    buf_printf(b, "\"live\":%s,\"channels\":%s,\"tags\":%s}", e->live ? "true" : "false",
               e->extras && *e->extras ? e->extras : "[]", e->tags && *e->tags ? e->tags : "[]");
}

/* Binds the CF_COUNT values (region as its id, empty birthday and external
 * id as NULL) from parameter p. */
static int bind_all(db_stmt *s, int p, const contact_values *v)
{
    for (int f = 0; f < CF_COUNT; f++, p++) {
        if (f == CF_REGION) {
            if (v->region_id)
                db_bind_int(s, p, v->region_id);
            else
                db_bind_null(s, p);
        } else if ((f == CF_BIRTHDAY || f == CF_EXTERNAL_ID) && !v->len[f]) {
            db_bind_null(s, p);
        } else {
            db_bind_text(s, p, v->v[f], v->len[f]);
        }
    }
    return p;
}

/* INSERT ... SELECT FROM JSON_TABLE(?) RETURNING id: the new contacts of a
 * batch in one statement, as a JSON array of arrays (one value per field,
 * the region as its id); ids come back in the order of the array. */
static const char *sql_insert_many(void)
{
    static buf b;
    if (b.len)
        return buf_str(&b);
    buf_adds(&b, "INSERT INTO contacts (client_id, ");
    contact_columns_sql(&b, "", CF_COUNT);
    buf_adds(&b, ", created_at, updated_at) SELECT ?");
    for (int f = 0; f < CF_COUNT; f++)
        buf_printf(&b, ", %sj.f%d%s", f == CF_REGION || f == CF_BIRTHDAY || f == CF_EXTERNAL_ID ? "" : "IFNULL(", f,
                   f == CF_REGION || f == CF_BIRTHDAY || f == CF_EXTERNAL_ID ? "" : ", '')");
    buf_adds(&b, ", ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (");
    for (int f = 0; f < CF_COUNT; f++) {
        if (f)
            buf_adds(&b, ", ");
        if (f == CF_REGION)
            buf_printf(&b, "f%d INT UNSIGNED PATH '$[%d]'", f, f);
        else if (contact_fields[f].kind == CK_MULTI && contact_fields[f].max > 1000)
            buf_printf(&b, "f%d MEDIUMTEXT PATH '$[%d]'", f, f);
        else
            buf_printf(&b, "f%d VARCHAR(%zu) PATH '$[%d]'", f, contact_fields[f].max, f);
    }
    buf_adds(&b, ")) j RETURNING id");
    return buf_str(&b);
}

/* By primary key: the scope was checked by the match (FOR UPDATE). */
static const char *sql_update(void)
{
    static buf b;
    if (!b.len) {
        buf_adds(&b, "UPDATE contacts SET ");
        contact_assign_sql(&b, "", CF_COUNT);
        buf_adds(&b, ", deleted_at = NULL, updated_at = ? WHERE client_id = ? AND id = ?");
    }
    return buf_str(&b);
}

/* The further channels, tags and campaigns of rows, as JSON for the bulk
 * statements below: [[id, kind, seq, value, types], ...], [[id, tag], ...],
 * [[id, campaign], ...]. */
static void extras_json(buf *ch, buf *tags, buf *camps, const pending *p, bool emails, bool phones)
{
    const import_row *row = &p->row;
    for (int e = 0; e < 2; e++) {
        if (!(e == 0 ? emails : phones))
            continue;
        const import_channel *list = e == 0 ? row->emails : row->phones;
        size_t count = e == 0 ? row->nemails : row->nphones;
        for (size_t i = 1; i < count; i++) {
            buf_printf(ch, "%s[%lld,\"%s\",%zu,", ch->len > 1 ? "," : "", p->id, e == 0 ? "email" : "phone", i);
            json_add_string(ch, list[i].value, list[i].len);
            buf_addc(ch, ',');
            json_add_cstr(ch, list[i].types);
            buf_addc(ch, ']');
        }
    }
    for (size_t i = 0; i < row->ntags; i++) {
        buf_printf(tags, "%s[%lld,", tags->len > 1 ? "," : "", p->id);
        json_add_cstr(tags, row->tags[i]);
        buf_addc(tags, ']');
    }
    for (size_t i = 0; i < p->nc; i++)
        buf_printf(camps, "%s[%lld,%lld]", camps->len > 1 ? "," : "", p->id, p->campaigns[i]);
}

static const char SQL_CHANNELS_MANY[] =
    "INSERT INTO contact_channels (client_id, contact_id, kind, seq, value, types) SELECT ?, j.id, j.kind, j.seq,"
    " j.value, j.types FROM JSON_TABLE(?, '$[*]' COLUMNS (id INT UNSIGNED PATH '$[0]', kind VARCHAR(5) PATH '$[1]',"
    " seq INT PATH '$[2]', value VARCHAR(254) PATH '$[3]', types VARCHAR(40) PATH '$[4]')) j";
static const char SQL_TAGS_MANY[] =
    "INSERT IGNORE INTO contact_tags (client_id, contact_id, tag) SELECT ?, j.id, j.tag FROM JSON_TABLE(?, '$[*]'"
    " COLUMNS (id INT UNSIGNED PATH '$[0]', tag VARCHAR(100) PATH '$[1]')) j";
static const char SQL_CAMPAIGNS_MANY[] =
    "INSERT IGNORE INTO contact_campaigns (client_id, campaign_id, contact_id, status, added_at, updated_at)"
    " SELECT ?, j.g, j.id, 'targeted', ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (id INT UNSIGNED PATH '$[0]',"
    " g INT UNSIGNED PATH '$[1]')) j";
static const char SQL_RECORD_MANY[] =
    "INSERT INTO import_contacts (client_id, import_id, contact_id, action, before_json, version)"
    " SELECT ?, ?, j.id, ?, NULL, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (id INT UNSIGNED PATH '$')) j";

/* Runs one of the bulk statements over a JSON array (nothing when empty). */
static int bulk(run *x, const char *sql, const buf *json, const char *action)
{
    if (json->len <= 2)
        return DB_OK;
    import_job *j = x->j;
    db_stmt *s = db_stmt_get(j->d, sql);
    if (!s)
        return DB_ERR;
    int p = 0;
    db_bind_int(s, p++, j->sc->client_id);
    if (sql == SQL_RECORD_MANY) {
        db_bind_int(s, p++, j->import_id);
        db_bind_str(s, p++, action);
        db_bind_str(s, p++, x->now);
    } else if (sql == SQL_CAMPAIGNS_MANY) {
        db_bind_str(s, p++, x->now);
        db_bind_str(s, p++, x->now);
    }
    db_bind_str(s, p, buf_str(json));
    return db_run(s);
}

/* Inserts the batch's new contacts (those with what == create) and all
 * that belongs to them. */
static int insert_new(run *x, pending **news, size_t n)
{
    if (n == 0)
        return DB_OK;
    import_job *j = x->j;
    buf rows = {0};
    buf_addc(&rows, '[');
    for (size_t i = 0; i < n; i++) {
        const contact_values *v = &news[i]->row.v;
        buf_adds(&rows, i ? ",[" : "[");
        for (int f = 0; f < CF_COUNT; f++) {
            if (f)
                buf_addc(&rows, ',');
            if (f == CF_REGION)
                v->region_id ? buf_printf(&rows, "%lld", v->region_id) : buf_adds(&rows, "null");
            else if ((f == CF_BIRTHDAY || f == CF_EXTERNAL_ID) && !v->len[f])
                buf_adds(&rows, "null");
            else
                json_add_string(&rows, v->v[f], v->len[f]);
        }
        buf_addc(&rows, ']');
    }
    buf_addc(&rows, ']');
    db_stmt *s = db_stmt_get(j->d, sql_insert_many());
    if (!s) {
        buf_free(&rows);
        return DB_ERR;
    }
    db_bind_int(s, 0, j->sc->client_id);
    db_bind_str(s, 1, x->now);
    db_bind_str(s, 2, x->now);
    db_bind_str(s, 3, buf_str(&rows));
    int rc = db_run(s);
    buf_free(&rows);
    if (rc != DB_OK)
        return rc;
    size_t got = 0;
    while ((rc = db_next(s)) == 1)
        if (got < n)
            news[got++]->id = db_int(s, 0);
    if (rc < 0)
        return rc;
    if (got != n) {
        log_error("import: %zu contacts inserted, %zu ids returned", n, got);
        return DB_ERR;
    }
    buf ch = {0}, tags = {0}, camps = {0}, ids = {0};
    buf_addc(&ch, '['), buf_addc(&tags, '['), buf_addc(&camps, '['), buf_addc(&ids, '[');
    for (size_t i = 0; i < n; i++) {
        extras_json(&ch, &tags, &camps, news[i], true, true);
        buf_printf(&ids, "%s%lld", i ? "," : "", news[i]->id);
        if (j->touch)
            j->touch(j->touch_ctx, news[i]->id);
        j->n.created++;
        list_id(x, &x->created, news[i]->id);
    }
    buf_addc(&ch, ']'), buf_addc(&tags, ']'), buf_addc(&camps, ']'), buf_addc(&ids, ']');
    if ((rc = bulk(x, SQL_CHANNELS_MANY, &ch, NULL)) == DB_OK && (rc = bulk(x, SQL_TAGS_MANY, &tags, NULL)) == DB_OK &&
        (rc = bulk(x, SQL_CAMPAIGNS_MANY, &camps, NULL)) == DB_OK)
        rc = bulk(x, SQL_RECORD_MANY, &ids, "created");
    buf_free(&ch), buf_free(&tags), buf_free(&camps), buf_free(&ids);
    return rc;
}

/* An update of a matched contact: the file's non-empty values replace the
 * contact's; what the file leaves empty stays as it is. */
static int update_one(run *x, pending *p)
{
    import_job *j = x->j;
    const import_row *row = &p->row;
    const existing *e = &p->e;
    contact_values merged = e->v;
    bool changed = !e->live;
    for (int f = 0; f < CF_COUNT; f++) {
        if (f == CF_REGION) {
            if (row->v.len[f] && row->v.region_id != e->v.region_id)
                merged.region_id = row->v.region_id, changed = true;
            continue;
        }
        if (!row->v.len[f] || (row->v.len[f] == e->v.len[f] && memcmp(row->v.v[f], e->v.v[f], e->v.len[f]) == 0))
            continue;
        merged.v[f] = row->v.v[f];
        merged.len[f] = row->v.len[f];
        changed = true;
    }
    /* The further emails and phones the file gives replace the contact's,
     * when they differ; tags and campaigns are added. */
    bool extra_e = row->nemails > 1, extra_p = row->nphones > 1;
    if (extra_e || extra_p) {
        buf mine = {0};
        for (int c = 0; c < 2; c++) {
            const import_channel *list = c == 0 ? row->emails : row->phones;
            size_t count = c == 0 ? row->nemails : row->nphones;
            bool keep_old = c == 0 ? !extra_e : !extra_p;
            if (keep_old) {
                /* the contact's own lines of this kind stay: compare them as they are */
                const char *kind = c == 0 ? "email\t" : "phone\t";
                for (const char *q = e->channels; q && *q;) {
                    const char *nl = strchr(q, '\n');
                    size_t len = nl ? (size_t)(nl - q) : strlen(q);
                    if (strncmp(q, kind, 6) == 0)
                        buf_printf(&mine, "%s%.*s", mine.len ? "\n" : "", (int)len, q);
                    q = nl ? nl + 1 : q + len;
                }
                continue;
            }
            for (size_t i = 1; i < count; i++)
                buf_printf(&mine, "%s%s\t%s\t%.*s", mine.len ? "\n" : "", c == 0 ? "email" : "phone", list[i].types,
                           (int)list[i].len, list[i].value);
        }
        if (strcmp(buf_str(&mine), e->channels ? e->channels : "") == 0)
            extra_e = extra_p = false;
        buf_free(&mine);
    }
    bool new_tag = false;
    for (size_t i = 0; i < row->ntags && !new_tag; i++) {
        buf q = {0};
        json_add_cstr(&q, row->tags[i]);
        new_tag = !e->tags || !strstr(e->tags, buf_str(&q));
        buf_free(&q);
    }
    changed = changed || extra_e || extra_p || new_tag;
    if (!changed && p->nc) {
        /* Only campaigns: a membership that is new is a change. */
        buf camps = {0}, ch = {0}, tags = {0};
        buf_addc(&camps, '['), buf_addc(&ch, '['), buf_addc(&tags, '[');
        p->id = e->id;
        extras_json(&ch, &tags, &camps, p, false, false);
        buf_addc(&camps, ']');
        db_stmt *cs = db_stmt_get(j->d, SQL_CAMPAIGNS_MANY);
        int crc = DB_ERR;
        if (cs) {
            db_bind_int(cs, 0, j->sc->client_id);
            db_bind_str(cs, 1, x->now);
            db_bind_str(cs, 2, x->now);
            db_bind_str(cs, 3, buf_str(&camps));
            crc = db_run(cs);
        }
        buf_free(&camps), buf_free(&ch), buf_free(&tags);
        if (crc != DB_OK)
            return crc;
        changed = db_affected(cs) > 0;
    }
    if (!changed) {
        j->n.unchanged++;
        return DB_OK;
    }
    buf before = {0};
    values_json(&before, e);
    db_stmt *s = db_stmt_get(j->d, sql_update());
    int rc = DB_ERR;
    if (s) {
        int k = bind_all(s, 0, &merged);
        db_bind_str(s, k++, x->now);
        db_bind_int(s, k++, j->sc->client_id);
        db_bind_int(s, k, e->id);
        rc = db_run(s);
    }
    /* The further emails and phones the file gives replace the contact's. */
    for (int c = 0; c < 2 && rc == DB_OK; c++) {
        if (!(c == 0 ? extra_e : extra_p))
            continue;
        s = db_stmt_get(j->d, "DELETE FROM contact_channels WHERE client_id = ? AND contact_id = ? AND kind = ?");
        if (!s) {
            rc = DB_ERR;
            break;
        }
        db_bind_int(s, 0, j->sc->client_id);
        db_bind_int(s, 1, e->id);
        db_bind_str(s, 2, c == 0 ? "email" : "phone");
        rc = db_run(s);
    }
    p->id = e->id;
    buf ch = {0}, tags = {0}, camps = {0}, one = {0};
    buf_addc(&ch, '['), buf_addc(&tags, '['), buf_addc(&camps, '[');
    extras_json(&ch, &tags, &camps, p, extra_e, extra_p);
    buf_addc(&ch, ']'), buf_addc(&tags, ']'), buf_addc(&camps, ']');
    if (rc == DB_OK && (rc = bulk(x, SQL_CHANNELS_MANY, &ch, NULL)) == DB_OK &&
        (rc = bulk(x, SQL_TAGS_MANY, &tags, NULL)) == DB_OK)
        rc = bulk(x, SQL_CAMPAIGNS_MANY, &camps, NULL);
    buf_free(&ch), buf_free(&tags), buf_free(&camps), buf_free(&one);
    if (rc == DB_OK) {
        /* A contact two rows change keeps the record of the first: its
         * values from before the import (or that the import created it). */
        s = db_stmt_get(j->d, "INSERT IGNORE INTO import_contacts (client_id, import_id, contact_id, action,"
                              " before_json, version) VALUES (?, ?, ?, ?, ?, ?)");
        if (!s)
            rc = DB_ERR;
        else {
            db_bind_int(s, 0, j->sc->client_id);
            db_bind_int(s, 1, j->import_id);
            db_bind_int(s, 2, e->id);
            db_bind_str(s, 3, e->live ? "updated" : "restored");
            db_bind_str(s, 4, buf_str(&before));
            db_bind_str(s, 5, x->now);
            rc = db_run(s);
        }
    }
    buf_free(&before);
    if (rc != DB_OK)
        return rc;
    if (j->touch)
        j->touch(j->touch_ctx, e->id);
    if (e->live) {
        j->n.updated++;
        list_id(x, &x->updated, e->id);
    } else {
        row_problem(x, row, false, "", "matches a deleted contact (%lld): restored", e->id);
        j->n.restored++;
        list_id(x, &x->restored, e->id);
    }
    return DB_OK;
}

/* Checks of one row that need the database but not the match: its region
 * (and the actor's geography), its campaigns. False when refused (the
 * problem is reported). */
static int check_row(run *x, pending *p, bool *ok)
{
    import_row *row = &p->row;
    *ok = false;
    int allowed = 1;
    row->v.region_id = 0;
    /* (No region: a new contact of a geography-limited user is refused
     * when it is known to be new, in flush; an update keeps its region.) */
    if (row->v.len[CF_REGION]) {
        int rc = region_lookup(x, row->v.v[CF_REGION], row->v.len[CF_REGION], &row->v.region_id, &allowed);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            row_problem(x, row, true, "region", "\"%s\" is not a known region (a code such as US-OH-05, or a name)",
                        row->v.v[CF_REGION]);
            return DB_OK;
        }
    }
    if (!allowed) {
        row_problem(x, row, true, "region", "is outside the regions you work in");
        return DB_OK;
    }
    for (size_t i = 0; i < row->ncampaigns; i++) {
        if (p->nc == CT_ARRAY_LEN(p->campaigns)) {
            row_problem(x, row, false, "campaign", "at most %zu campaigns per row are imported",
                        CT_ARRAY_LEN(p->campaigns));
            break;
        }
        const char *why = NULL;
        int rc = campaign_lookup(x, row->campaigns[i], &p->campaigns[p->nc], &why);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            row_problem(x, row, true, "campaign", "\"%s\" %s", row->campaigns[i], why);
            return DB_OK;
        }
        p->nc++;
    }
    *ok = true;
    return DB_OK;
}

/* Decides and writes a batch: matches found together, new contacts
 * inserted together, updates one by one, in the file's order. */
static int flush(run *x, pending *batch, size_t n)
{
    import_job *j = x->j;
    if (n == 0)
        return DB_OK;
    int rc = find_matches(x, batch, n);
    if (rc != DB_OK)
        return rc;
    pending **news = arena_alloc(j->a, n * sizeof *news);
    size_t nnew = 0;
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        pending *p = &batch[i];
        import_row *row = &p->row;
        x->refused = false;
        if (p->found > 1) {
            row_problem(x, row, true, j->opt.match_external ? "external_id" : "email",
                        "matches more than one contact (%lld and %lld): not changed", p->e.id, p->second);
        } else if (p->found == 1 && !p->e.live && !j->opt.restore_deleted) {
            row_problem(x, row, false, "", "matches a deleted contact (%lld): skipped", p->e.id);
            j->n.skipped++;
        } else if (p->found == 1 && p->e.live && !j->opt.update) {
            row_problem(x, row, false, "", "matches contact %lld: skipped (this import only creates contacts)",
                        p->e.id);
            j->n.skipped++;
        } else if (p->ext_taken) {
            row_problem(x, row, true, "external_id", "\"%s\" is already another contact's external id",
                        row->v.v[CF_EXTERNAL_ID]);
        } else if (!p->found && !j->sc->all_regions && !row->v.region_id) {
            row_problem(x, row, true, "region", "is needed: one of your regions");
        } else if (!p->found && !j->sc->all_campaigns && p->nc == 0) {
            row_problem(x, row, true, "campaign", "is needed: one of your campaigns");
        } else if (!p->found && contact_check_whole(&row->v)) {
            /* A new contact needs a name; an update keeps the contact's. */
            row_problem(x, row, true, "", "has no name: give a first name, a last name or an organisation");
        } else if (!p->found) {
            news[nnew++] = p;
        } else {
            rc = update_one(x, p);
        }
        if (x->refused)
            j->n.failed++;
    }
    if (rc == DB_OK)
        rc = insert_new(x, news, nnew);
    for (size_t i = 0; i < n; i++)
        arena_free(batch[i].ra);
    return rc;
}

static int write_problems(run *x)
{
    import_job *j = x->j;
    db_stmt *s = db_stmt_get(j->d, "DELETE FROM import_problems WHERE client_id = ? AND import_id = ?");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, j->sc->client_id);
    db_bind_int(s, 1, j->import_id);
    int rc = db_run(s);
    if (rc != DB_OK || !x->problems.len)
        return rc;
    /* All at once, through JSON_TABLE would need JSON; the lines are parsed
     * here instead, one INSERT per problem (at most IMPORT_MAX_PROBLEMS). */
    const char *p = buf_str(&x->problems);
    long long seq = 0;
    while (*p) {
        const char *f[5];
        size_t n[5];
        for (int k = 0; k < 5; k++) {
            f[k] = p;
            const char *end = k < 4 ? strchr(p, '\t') : strchr(p, '\n');
            if (!end)
                end = p + strlen(p);
            n[k] = (size_t)(end - p);
            p = *end ? end + 1 : end;
        }
        s = db_stmt_get(j->d, "INSERT INTO import_problems (client_id, import_id, seq, record, line, severity,"
                              " column_name, reason) VALUES (?, ?, ?, ?, ?, ?, LEFT(?, 200), LEFT(?, 1000))");
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, j->sc->client_id);
        db_bind_int(s, 1, j->import_id);
        db_bind_int(s, 2, ++seq);
        db_bind_text(s, 3, f[0], n[0]);
        db_bind_text(s, 4, f[1], n[1]);
        db_bind_text(s, 5, f[2], n[2]);
        db_bind_text(s, 6, f[3], n[3]);
        db_bind_text(s, 7, f[4], n[4]);
        if ((rc = db_run(s)) != DB_OK)
            return rc;
    }
    return DB_OK;
}

static void run_free(run *x)
{
    buf_free(&x->problems);
    buf_free(&x->created);
    buf_free(&x->updated);
    buf_free(&x->restored);
    buf_free(&x->skipped_ids);
}

static void detail(run *x, const import_record *rec)
{
    import_job *j = x->j;
    buf *b = j->detail;
    buf_printf(b, "{\"import\":%lld,\"file\":{\"name\":", j->import_id);
    json_add_cstr(b, rec->file_name);
    buf_printf(b, ",\"sha256\":\"%s\",\"size\":%zu},\"format\":\"%s\",\"encoding\":", rec->sha256_hex,
               rec->file_size, j->format ? j->format : "");
    json_add_cstr(b, j->encoding);
    buf_adds(b, ",\"options\":");
    import_options_json(b, &j->opt);
    buf_printf(b,
               ",\"outcome\":\"%s\",\"rows_read\":%lld,\"created\":%lld,\"updated\":%lld,\"restored\":%lld,"
               "\"unchanged\":%lld,\"skipped\":%lld,\"failed\":%lld,\"warnings\":%lld",
               j->opt.dry_run ? "dry run" : j->rolled_back ? "nothing imported" : "imported", j->n.read,
               j->n.created, j->n.updated, j->n.restored, j->n.unchanged, j->n.skipped, j->n.failed, j->n.warnings);
    if (!j->rolled_back) {
        buf_printf(b, ",\"created_ids\":[%s],\"updated_ids\":[%s],\"restored_ids\":[%s]", buf_str(&x->created),
                   buf_str(&x->updated), buf_str(&x->restored));
        if (x->listed >= IMPORT_DETAIL_MAX)
            buf_adds(b, ",\"truncated\":true");
    }
    buf_addc(b, '}');
}

static int next_from_file(void *ctx, arena *a, import_row *row, char *err, size_t errlen)
{
    return import_next(ctx, a, row, err, errlen);
}

int import_run(import_job *j, const char *data, size_t len)
{
    import_source src;
    if (import_open(&src, data, len, &j->opt.read, j->error, sizeof j->error) != 0) {
        import_close(&src);
        return IMPORT_BAD_FILE;
    }
    import_rows rows = {.next = next_from_file,
                        .ctx = &src,
                        .format = src.format == IMPORT_CSV ? "csv" : "vcard",
                        .encoding = textenc_name(src.encoding),
                        .delimiter = src.delimiter};
    int rc = import_run_rows(j, &rows);
    import_close(&src);
    return rc;
}

int import_run_rows(import_job *j, const import_rows *src)
{
    import_record rec;
    int rc = import_get(j->d, j->a, j->sc->client_id, j->import_id, false, true, &rec);
    if (rc <= 0)
        return rc == 0 ? IMPORT_NOT_FOUND : rc;
    if (strcmp(rec.status, "uploaded") != 0) {
        snprintf(j->error, sizeof j->error, "This import has been run already (it is %s).", rec.status);
        return IMPORT_STATE;
    }
    run *x = arena_alloc(j->a, sizeof *x);
    x->j = j;
    memset(&j->n, 0, sizeof j->n);
    j->format = src->format;
    j->encoding = src->encoding;
    j->delimiter = src->delimiter;
    db_stmt *s = db_stmt_get(j->d, "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')");
    if (!s || (rc = db_run(s)) != DB_OK || (rc = db_next(s)) != 1) {
        run_free(x);
        return s ? (rc < 0 ? rc : DB_ERR) : DB_ERR;
    }
    snprintf(x->now, sizeof x->now, "%s", db_text(s, 0, NULL));
    db_done(s);
    if ((rc = db_exec_sql(j->d, "SAVEPOINT import_run")) != DB_OK) {
        run_free(x);
        return rc;
    }
    char err[512];
    pending *batch = arena_alloc(j->a, BATCH * sizeof *batch);
    size_t nb = 0;
    bool external = j->opt.match_external;
    for (;;) {
        pending *p = &batch[nb];
        memset(p, 0, sizeof *p);
        p->ra = arena_new();
        int got = src->next(src->ctx, p->ra, &p->row, err, sizeof err);
        if (got <= 0) {
            arena_free(p->ra);
            if (got < 0) {
                /* The rest of the file cannot be read: an error of its own. */
                import_problem prob = {.column = "", .error = true, .reason = err};
                add_problem(x, NULL, &prob);
                j->n.failed++;
                j->n.read++;
            }
            break;
        }
        import_row *row = &p->row;
        j->n.read++;
        for (size_t i = 0; i < row->nproblems; i++)
            add_problem(x, row, &row->problems[i]);
        bool ok = false;
        if (!row->bad && (rc = check_row(x, p, &ok)) != DB_OK) {
            arena_free(p->ra);
            break;
        }
        if (!ok) {
            j->n.failed++;
            arena_free(p->ra);
            continue;
        }
        enum contact_field kf = external ? CF_EXTERNAL_ID : CF_EMAIL;
        if (row->v.len[kf]) {
            /* Compared as the database folds it (ASCII case here). */
            char *k = arena_strndup(p->ra, row->v.v[kf], row->v.len[kf]);
            if (!external)
                for (char *c = k; *c; c++)
                    if (*c >= 'A' && *c <= 'Z')
                        *c = (char)(*c - 'A' + 'a');
            p->key = k;
            p->keylen = row->v.len[kf];
        }
        /* A key (or external id) seen earlier in the batch: the batch is
         * written first, so this row finds what the earlier one did. */
        bool repeat = false;
        for (size_t i = 0; i < nb && !repeat; i++) {
            const pending *q = &batch[i];
            repeat = (p->key && q->key && q->keylen == p->keylen && memcmp(q->key, p->key, p->keylen) == 0) ||
                     (row->v.len[CF_EXTERNAL_ID] && q->row.v.len[CF_EXTERNAL_ID] == row->v.len[CF_EXTERNAL_ID] &&
                      memcmp(q->row.v.v[CF_EXTERNAL_ID], row->v.v[CF_EXTERNAL_ID], row->v.len[CF_EXTERNAL_ID]) == 0);
        }
        if (repeat) {
            pending keep = *p;
            if ((rc = flush(x, batch, nb)) != DB_OK) {
                arena_free(keep.ra);
                nb = 0;
                break;
            }
            batch[0] = keep;
            nb = 0;
        }
        nb++;
        if (nb == BATCH) {
            rc = flush(x, batch, nb);
            nb = 0;
            if (rc != DB_OK)
                break;
            if (j->deadline_us && now_mono_us() > j->deadline_us) {
                /* Nothing of it stays: the request could not finish it. */
                snprintf(j->error, sizeof j->error,
                         "This file is too large to import in one request: %lld rows were read before the time "
                         "ran out, and nothing was imported. Split it, or an operator can import it with "
                         "ctrack import.",
                         j->n.read);
                rc = db_exec_sql(j->d, "ROLLBACK TO SAVEPOINT import_run");
                run_free(x);
                return rc == DB_OK ? IMPORT_TOO_BIG : rc;
            }
        }
    }
    if (rc == DB_OK)
        rc = flush(x, batch, nb);
    else
        for (size_t i = 0; i < nb; i++)
            arena_free(batch[i].ra);
    if (rc != DB_OK) {
        run_free(x);
        return rc;
    }
    j->rolled_back = j->opt.dry_run || (j->n.failed && !j->opt.valid_only);
    if (j->rolled_back && (rc = db_exec_sql(j->d, "ROLLBACK TO SAVEPOINT import_run")) != DB_OK) {
        run_free(x);
        return rc;
    }
    if (j->rolled_back && !j->opt.dry_run)
        j->n.created = j->n.updated = j->n.restored = j->n.unchanged = 0; /* what stands: nothing */
    long long live_added = j->rolled_back ? 0 : j->n.created + j->n.restored;
    if (live_added && (rc = counts_add(j->d, j->sc->client_id, live_added)) != DB_OK) {
        run_free(x);
        return rc;
    }
    if ((rc = write_problems(x)) != DB_OK) {
        run_free(x);
        return rc;
    }
    buf opts = {0};
    import_options_json(&opts, &j->opt);
    bool done = !j->rolled_back;
    s = db_stmt_get(j->d, "UPDATE imports SET status = ?, dry_run = ?, options = ?, format = ?, rows_read = ?,"
                          " created = ?, updated = ?, restored = ?, skipped = ?, failed = ?, run_at = ?,"
                          " content = IF(?, NULL, content), settings = IFNULL(?, settings)"
                          " WHERE client_id = ? AND id = ?");
    if (!s) {
        buf_free(&opts);
        run_free(x);
        return DB_ERR;
    }
    db_bind_str(s, 0, done ? "imported" : "uploaded");
    db_bind_int(s, 1, j->opt.dry_run);
    db_bind_str(s, 2, buf_str(&opts));
    db_bind_str(s, 3, j->format);
    db_bind_int(s, 4, j->n.read);
    db_bind_int(s, 5, j->n.created);
    db_bind_int(s, 6, j->n.updated);
    db_bind_int(s, 7, j->n.restored);
    db_bind_int(s, 8, j->n.skipped);
    db_bind_int(s, 9, j->n.failed);
    db_bind_str(s, 10, x->now);
    db_bind_int(s, 11, done);
    db_bind_str(s, 12, j->settings);
    db_bind_int(s, 13, j->sc->client_id);
    db_bind_int(s, 14, j->import_id);
    rc = db_run(s);
    buf_free(&opts);
    if (rc == DB_OK)
        detail(x, &rec);
    run_free(x);
    return rc;
}

/* ---- undo ---- */

/* Contacts an undo handles per statement: each statement stays short
 * (under the database's statement time limit) whatever the import's size. */
#define UNDO_CHUNK 1000

/* Each statement works on the import's contacts with ids in [?, ?], in
 * the actor's scope, whose version is still the import's (a contact
 * changed since is left alone). Parameters: now, now, client, import, lo,
 * hi, then the scope's. */
static const char SQL_UNDO_CREATED[] =
    "UPDATE contacts c JOIN import_contacts i ON i.client_id = c.client_id AND i.contact_id = c.id"
    " SET c.deleted_at = ?, c.updated_at = ?"
    " WHERE i.client_id = ? AND i.import_id = ? AND i.contact_id BETWEEN ? AND ? AND i.action = 'created'"
    " AND c.updated_at = i.version AND c.live = 1 AND ";

/* Updated and restored: their values from before, from the JSON kept. */
static const char *sql_undo_values(const acl_scope *sc)
{
    static buf cache[2][2];
    buf *b = &cache[sc->all_regions][sc->all_campaigns];
    if (b->len)
        return buf_str(b);
    buf_adds(b, "UPDATE contacts c JOIN import_contacts i ON i.client_id = c.client_id AND i.contact_id = c.id SET ");
    for (int f = 0; f < CF_COUNT; f++) {
        const char *name = f == CF_REGION ? "region_id" : contact_fields[f].name;
        buf_printf(b, "%sc.%s = ", f ? ", " : "", name);
        if (f == CF_REGION || f == CF_BIRTHDAY || f == CF_EXTERNAL_ID)
            buf_printf(b, "JSON_VALUE(i.before_json, '$.%s')", name);
        else
            buf_printf(b, "IFNULL(JSON_VALUE(i.before_json, '$.%s'), '')", name);
    }
    /* JSON true reads as 1 */
    buf_adds(b, ", c.deleted_at = IF(JSON_VALUE(i.before_json, '$.live') IN ('true', '1'), NULL, ?), c.updated_at = ?"
                " WHERE i.client_id = ? AND i.import_id = ? AND i.contact_id BETWEEN ? AND ?"
                " AND i.action IN ('updated', 'restored') AND c.updated_at = i.version AND ");
    acl_scope_sql(b, sc);
    return buf_str(b);
}

/* After the two above, on the contacts they undid (updated_at = the
 * undo's time): further channels and tags as they were, and no campaign
 * membership the import added (added at the import's time). Parameters:
 * client, import, lo, hi, now. */
static const char *const undo_steps[] = {
    "DELETE x FROM contact_channels x JOIN import_contacts i ON i.client_id = x.client_id AND i.contact_id ="
    " x.contact_id JOIN contacts c ON c.client_id = i.client_id AND c.id = i.contact_id WHERE i.client_id = ?"
    " AND i.import_id = ? AND i.contact_id BETWEEN ? AND ? AND i.action IN ('updated', 'restored')"
    " AND c.updated_at = ?",
    "INSERT INTO contact_channels (client_id, contact_id, kind, seq, value, types) SELECT i.client_id,"
    " i.contact_id, j.kind, j.seq, j.value, j.types FROM import_contacts i JOIN contacts c ON c.client_id ="
    " i.client_id AND c.id = i.contact_id, JSON_TABLE(i.before_json, '$.channels[*]' COLUMNS (kind VARCHAR(5)"
    " PATH '$.kind', seq INT PATH '$.seq', value VARCHAR(254) PATH '$.value', types VARCHAR(40) PATH"
    " '$.types')) j WHERE i.client_id = ? AND i.import_id = ? AND i.contact_id BETWEEN ? AND ?"
    " AND i.action IN ('updated', 'restored') AND c.updated_at = ?",
    "DELETE t FROM contact_tags t JOIN import_contacts i ON i.client_id = t.client_id AND i.contact_id ="
    " t.contact_id JOIN contacts c ON c.client_id = i.client_id AND c.id = i.contact_id WHERE i.client_id = ?"
    " AND i.import_id = ? AND i.contact_id BETWEEN ? AND ? AND i.action IN ('updated', 'restored')"
    " AND c.updated_at = ?",
    "INSERT INTO contact_tags (client_id, contact_id, tag) SELECT i.client_id, i.contact_id, j.tag FROM"
    " import_contacts i JOIN contacts c ON c.client_id = i.client_id AND c.id = i.contact_id,"
    " JSON_TABLE(i.before_json, '$.tags[*]' COLUMNS (tag VARCHAR(100) PATH '$')) j WHERE i.client_id = ?"
    " AND i.import_id = ? AND i.contact_id BETWEEN ? AND ? AND i.action IN ('updated', 'restored')"
    " AND c.updated_at = ?",
    "DELETE m FROM contact_campaigns m JOIN import_contacts i ON i.client_id = m.client_id AND i.contact_id ="
    " m.contact_id JOIN contacts c ON c.client_id = i.client_id AND c.id = i.contact_id WHERE i.client_id = ?"
    " AND i.import_id = ? AND i.contact_id BETWEEN ? AND ? AND m.added_at = i.version AND c.updated_at = ?",
};

static int undo_chunk(import_job *j, const char *now, long long lo, long long hi, long long *removed,
                      long long *restored)
{
    db *d = j->d;
    const acl_scope *sc = j->sc;
    buf sql = {0};
    buf_adds(&sql, SQL_UNDO_CREATED);
    acl_scope_sql(&sql, sc);
    const char *texts[2] = {buf_str(&sql), sql_undo_values(sc)};
    long long *counts[2] = {removed, restored};
    int rc = DB_OK;
    for (int k = 0; k < 2 && rc == DB_OK; k++) {
        db_stmt *s = db_stmt_get(d, texts[k]);
        if (!s) {
            rc = DB_ERR;
            break;
        }
        db_bind_str(s, 0, now);
        db_bind_str(s, 1, now);
        db_bind_int(s, 2, sc->client_id);
        db_bind_int(s, 3, j->import_id);
        db_bind_int(s, 4, lo);
        db_bind_int(s, 5, hi);
        acl_scope_bind(s, 6, sc);
        if ((rc = db_run(s)) == DB_OK)
            *counts[k] += (long long)db_affected(s);
    }
    buf_free(&sql);
    for (size_t k = 0; k < CT_ARRAY_LEN(undo_steps) && rc == DB_OK; k++) {
        db_stmt *s = db_stmt_get(d, undo_steps[k]);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, sc->client_id);
        db_bind_int(s, 1, j->import_id);
        db_bind_int(s, 2, lo);
        db_bind_int(s, 3, hi);
        db_bind_str(s, 4, now);
        rc = db_run(s);
    }
    return rc;
}

int import_undo(import_job *j)
{
    import_record rec;
    int rc = import_get(j->d, j->a, j->sc->client_id, j->import_id, false, true, &rec);
    if (rc <= 0)
        return rc == 0 ? IMPORT_NOT_FOUND : rc;
    if (strcmp(rec.status, "imported") != 0) {
        snprintf(j->error, sizeof j->error, "Only an import that was run can be undone (this one is %s).",
                 strcmp(rec.status, "undone") == 0 ? "undone already" : "not run yet");
        return IMPORT_STATE;
    }
    db *d = j->d;
    const acl_scope *sc = j->sc;
    char now[32];
    db_stmt *s = db_stmt_get(d, "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')");
    if (!s || (rc = db_run(s)) != DB_OK || (rc = db_next(s)) != 1)
        return s ? (rc < 0 ? rc : DB_ERR) : DB_ERR;
    snprintf(now, sizeof now, "%s", db_text(s, 0, NULL));
    db_done(s);
    /* The import's contacts, in id order: the chunks' bounds. */
    s = db_stmt_get(d, "SELECT contact_id FROM import_contacts WHERE client_id = ? AND import_id = ? ORDER BY contact_id");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, sc->client_id);
    db_bind_int(s, 1, j->import_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    long long *ids = NULL;
    size_t nids = 0, cap = 0;
    while ((rc = db_next(s)) == 1) {
        ids = arena_grow(j->a, ids, &cap, nids, sizeof *ids);
        ids[nids++] = db_int(s, 0);
    }
    if (rc < 0)
        return rc;
    long long removed = 0, restored = 0;
    for (size_t k = 0; k < nids && rc == DB_OK; k += UNDO_CHUNK) {
        size_t last = k + UNDO_CHUNK < nids ? k + UNDO_CHUNK - 1 : nids - 1;
        rc = undo_chunk(j, now, ids[k], ids[last], &removed, &restored);
        if (rc == DB_OK && j->deadline_us && now_mono_us() > j->deadline_us) {
            snprintf(j->error, sizeof j->error,
                     "This import is too large to undo in one request (%zu contacts): nothing was undone. "
                     "An operator can undo it with ctrack import undo --import %lld.",
                     nids, j->import_id);
            return IMPORT_TOO_BIG;
        }
    }
    if (rc != DB_OK)
        return rc;
    /* What is undone, and what was left alone (changed since, or outside
     * the scope), for the detail and each contact's history. */
    buf left = {0};
    long long nleft = 0, redeleted = 0;
    s = db_stmt_get(d, "SELECT i.contact_id, c.updated_at = ?, i.action = 'restored' AND c.live IS NULL"
                       " FROM import_contacts i JOIN contacts c ON c.client_id = i.client_id AND c.id = i.contact_id"
                       " WHERE i.client_id = ? AND i.import_id = ? ORDER BY i.contact_id");
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, now);
    db_bind_int(s, 1, sc->client_id);
    db_bind_int(s, 2, j->import_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        long long id = db_int(s, 0);
        if (db_int(s, 1)) {
            redeleted += db_int(s, 2) != 0;
            if (j->touch)
                j->touch(j->touch_ctx, id);
        } else if (nleft++ < IMPORT_DETAIL_MAX) {
            buf_printf(&left, "%s%lld", left.len ? "," : "", id);
        }
    }
    if (rc < 0 || (rc = counts_add(d, sc->client_id, -(removed + redeleted))) != DB_OK) {
        buf_free(&left);
        return rc < 0 ? rc : DB_ERR;
    }
    s = db_stmt_get(d, "UPDATE imports SET status = 'undone', undone_at = ? WHERE client_id = ? AND id = ?");
    if (!s) {
        buf_free(&left);
        return DB_ERR;
    }
    db_bind_str(s, 0, now);
    db_bind_int(s, 1, sc->client_id);
    db_bind_int(s, 2, j->import_id);
    if ((rc = db_run(s)) != DB_OK) {
        buf_free(&left);
        return rc;
    }
    j->left_alone = nleft;
    buf_printf(j->detail, "{\"import\":%lld,\"undo\":true,\"removed\":%lld,\"restored\":%lld,\"left_alone\":[%s]}",
               j->import_id, removed, restored, buf_str(&left));
    buf_free(&left);
    return IMPORT_OK;
}
