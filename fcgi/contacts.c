/* contacts: the contact pages: list, detail, create, edit, delete.
 *
 * Every query carries the client_id of the session; every change records the
 * old and new value of each changed field in the request's audit row. */
#include <stdio.h>
#include <string.h>

#include "counts.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

#define PAGE_SIZE 50
#define MAX_PAGE 1000000
/* Search words: every word must occur somewhere in the name. */
#define MAX_WORDS 6

enum kind { F_TEXT, F_MULTI, F_EMAIL, F_PHONE, F_URL, F_DATE, F_REGION };

typedef struct field {
    const char *name;  /* form field, HDF node and (but region) column */
    const char *label;
    size_t max;        /* characters */
    enum kind kind;
} field;

/* The editable fields, in form order. The SELECT and UPDATE statements below
 * list the columns in this order. */
static const field fields[] = {
    {"first_name", "First name", 100, F_TEXT},
    {"middle_name", "Middle name", 100, F_TEXT},
    {"last_name", "Last name", 100, F_TEXT},
    {"suffix", "Suffix", 20, F_TEXT},
    {"nickname", "Nickname", 100, F_TEXT},
    {"title", "Title", 100, F_TEXT},
    {"organisation", "Organisation", 200, F_TEXT},
    {"party", "Party", 100, F_TEXT},
    {"email", "Email", 254, F_EMAIL},
    {"phone", "Phone", 50, F_PHONE},
    {"address", "Address", 500, F_MULTI},
    {"website", "Web site", 500, F_URL},
    {"contact_form", "Contact form", 500, F_URL},
    {"birthday", "Birthday", 10, F_DATE},
    {"region", "State or district", 40, F_REGION},
    {"notes", "Notes", 10000, F_MULTI},
};
#define NFIELDS (sizeof fields / sizeof fields[0])
enum { F_IDX_FIRST = 0, F_IDX_LAST = 2, F_IDX_SUFFIX = 3, F_IDX_ORG = 6, F_IDX_BIRTHDAY = 13, F_IDX_REGION = 14 };

typedef struct values {
    const char *v[NFIELDS];
    size_t len[NFIELDS];
    long long region_id; /* resolved from the region code; 0 for none */
} values;

static const char SQL_READ[] =
    "SELECT c.first_name, c.middle_name, c.last_name, c.suffix, c.nickname, c.title, c.organisation,"
    " c.party, c.email, c.phone, c.address, c.website, c.contact_form, c.birthday, r.code, c.notes,"
    " c.updated_at, c.created_at, r.name, c.region_id"
    " FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
    " WHERE c.client_id = ? AND c.id = ? AND c.live = 1";
static const char SQL_READ_LOCK[] =
    "SELECT c.first_name, c.middle_name, c.last_name, c.suffix, c.nickname, c.title, c.organisation,"
    " c.party, c.email, c.phone, c.address, c.website, c.contact_form, c.birthday, r.code, c.notes,"
    " c.updated_at, c.created_at, r.name, c.region_id"
    " FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
    " WHERE c.client_id = ? AND c.id = ? AND c.live = 1 FOR UPDATE";
enum { COL_UPDATED = 16, COL_CREATED, COL_REGION_NAME, COL_REGION_ID };

/* Reads a live contact into v (copies in the request arena). Returns 1 when
 * found, 0 when not, or a negative enum db_rc. */
static int read_contact(request *r, db *d, long long id, bool lock, values *v, const char **updated,
                        const char **created, const char **region_name)
{
    db_stmt *s = db_stmt_get(d, lock ? SQL_READ_LOCK : SQL_READ);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc <= 0)
        return rc;
    for (size_t i = 0; i < NFIELDS; i++) {
        size_t n;
        const char *t = db_text(s, (int)i, &n);
        v->v[i] = t ? arena_strndup(r->mem, t, n) : "";
        v->len[i] = t ? n : 0;
    }
    v->region_id = db_int(s, COL_REGION_ID);
    if (updated)
        *updated = arena_strdup(r->mem, db_text(s, COL_UPDATED, NULL));
    if (created)
        *created = arena_strdup(r->mem, db_text(s, COL_CREATED, NULL));
    if (region_name) {
        const char *rn = db_text(s, COL_REGION_NAME, NULL);
        *region_name = rn ? arena_strdup(r->mem, rn) : "";
    }
    db_done(s);
    return 1;
}

static const char SQL_REGION_BY_CODE[] = "SELECT id FROM regions WHERE client_id = ? AND code = ?";

/* Trims single-line text and turns CRLF into LF in multi-line text, in place
 * in an arena copy. */
static const char *normalise(request *r, const field *f, const char *s, size_t *n)
{
    if (f->kind == F_MULTI) {
        char *out = arena_alloc(r->mem, *n + 1);
        size_t o = 0;
        for (size_t i = 0; i < *n; i++) {
            if (s[i] == '\r' && i + 1 < *n && s[i + 1] == '\n')
                continue;
            out[o++] = s[i] == '\r' ? '\n' : s[i];
        }
        out[o] = '\0';
        *n = o;
        return out;
    }
    size_t b = 0, e = *n;
    while (b < e && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    *n = e - b;
    char *out = arena_strndup(r->mem, s + b, e - b);
    if (f->kind == F_URL)
        url_lower_scheme(out, *n);
    return out;
}

/* Reads and validates the form into v; sets Errors.<field> on the page for
 * each bad field. Returns the number of bad fields, or a negative db rc. */
static int read_form(request *r, db *d, values *v)
{
    int bad = 0;
    for (size_t i = 0; i < NFIELDS; i++) {
        const field *f = &fields[i];
        size_t n = 0;
        const char *raw = params_getn(&r->form, f->name, &n);
        if (!raw)
            raw = "";
        v->v[i] = normalise(r, f, raw, &n);
        v->len[i] = n;
        enum valid_rc rc = valid_text(v->v[i], n, f->max, f->kind == F_MULTI);
        if (rc == VALID_OK && n > 0) {
            switch (f->kind) {
            case F_EMAIL:
                rc = valid_email(v->v[i], n);
                break;
            case F_PHONE:
                rc = valid_phone(v->v[i], n);
                break;
            case F_URL:
                rc = valid_url(v->v[i], n, f->max);
                break;
            case F_DATE:
                rc = valid_date(v->v[i], n);
                break;
            case F_REGION:
                rc = valid_code(v->v[i], n, f->max);
                break;
            default:
                break;
            }
        }
        if (rc != VALID_OK) {
            const char *msg = valid_message(rc, f->max);
            if (rc == VALID_FORMAT) {
                switch (f->kind) {
                case F_EMAIL:
                    msg = "is not an email address (like name@example.org)";
                    break;
                case F_PHONE:
                    msg = "may contain only digits, spaces and + ( ) - . / and an extension";
                    break;
                case F_URL:
                    msg = "must be a web address starting with http:// or https://";
                    break;
                case F_DATE:
                    msg = "must be a real date written YYYY-MM-DD";
                    break;
                case F_REGION:
                    msg = "is not a known state or district";
                    break;
                default:
                    break;
                }
            }
            page_set(r->pg, msg, "Errors.%s", f->name);
            bad++;
            if (rc == VALID_BAD_UTF8) {
                v->v[i] = "";
                v->len[i] = 0;
            }
        }
    }
    if (v->len[F_IDX_FIRST] == 0 && v->len[F_IDX_LAST] == 0 && v->len[F_IDX_ORG] == 0) {
        page_set(r->pg, "is needed: give a first name, a last name or an organisation", "Errors.last_name");
        bad++;
    }
    v->region_id = 0;
    if (v->len[F_IDX_REGION] > 0 && !page_get(r->pg, "Errors.region")) {
        db_stmt *s = db_stmt_get(d, SQL_REGION_BY_CODE);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, r->who.client_id);
        db_bind_text(s, 1, v->v[F_IDX_REGION], v->len[F_IDX_REGION]);
        int rc = db_run(s);
        if (rc != DB_OK)
            return rc;
        rc = db_next(s);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            v->region_id = db_int(s, 0);
        } else {
            page_set(r->pg, "is not a known state or district", "Errors.region");
            bad++;
        }
        db_done(s);
    }
    return bad;
}

/* Sets Contact.display_name: first, last and suffix, or the organisation of
 * a contact without a name. Returns it. */
static const char *put_display_name(request *r, const values *v)
{
    static const size_t parts[] = {F_IDX_FIRST, F_IDX_LAST, F_IDX_SUFFIX};
    buf name = {0};
    for (size_t i = 0; i < CT_ARRAY_LEN(parts); i++) {
        if (!v->len[parts[i]])
            continue;
        if (name.len)
            buf_addc(&name, ' ');
        buf_add(&name, v->v[parts[i]], v->len[parts[i]]);
    }
    if (!name.len)
        buf_add(&name, v->v[F_IDX_ORG], v->len[F_IDX_ORG]);
    const char *out = arena_strdup(r->mem, buf_str(&name));
    buf_free(&name);
    page_set(r->pg, out, "Contact.display_name");
    return out;
}

static void put_values(request *r, const values *v)
{
    for (size_t i = 0; i < NFIELDS; i++)
        page_setn(r->pg, v->v[i], v->len[i], "Contact.%s", fields[i].name);
}

static const char SQL_REGIONS_ALL[] =
    "SELECT code, name, kind FROM regions WHERE client_id = ? ORDER BY sort_key";

/* The options of the region select: every region, in tree order. */
static int put_region_options(request *r, db *d)
{
    db_stmt *s = db_stmt_get(d, SQL_REGIONS_ALL);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    int i = 0;
    while ((rc = db_next(s)) == 1) {
        page_set(r->pg, db_text(s, 0, NULL), "Regions.%d.code", i);
        page_set(r->pg, db_text(s, 1, NULL), "Regions.%d.name", i);
        page_set(r->pg, db_text(s, 2, NULL), "Regions.%d.kind", i);
        i++;
    }
    return rc < 0 ? rc : DB_OK;
}

static void put_field_labels(request *r)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        page_set(r->pg, fields[i].name, "Fields.%s.name", fields[i].name);
        page_set(r->pg, fields[i].label, "Fields.%s.label", fields[i].name);
        page_set_int(r->pg, (long long)fields[i].max, "Fields.%s.max", fields[i].name);
    }
}

/* Shows the contact form (new or edit) with v and any errors already set. */
static int show_form(request *r, db *d, const values *v, long long id, const char *version, int status)
{
    int rc = put_region_options(r, d);
    if (rc != DB_OK)
        return rc;
    put_field_labels(r);
    if (v)
        put_values(r, v);
    if (id) {
        page_set_int(r->pg, id, "Contact.id");
        page_set(r->pg, version, "Contact.version");
        page_set(r->pg, "Edit contact", "Page.Title");
    } else {
        page_set(r->pg, "New contact", "Page.Title");
    }
    if (status == 422)
        page_set(r->pg, "The contact was not saved. Please correct the fields marked below.", "Form.Error");
    r->template_name = "contact_form.cs";
    return status;
}

/* Appends {"field":{"old":..,"new":..},...} for the fields that differ. */
static int add_changes(buf *out, const values *old, const values *new)
{
    int n = 0;
    buf_adds(out, "{");
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *o = old ? old->v[i] : "";
        size_t ol = old ? old->len[i] : 0;
        if (ol == new->len[i] && memcmp(o, new->v[i], ol) == 0)
            continue;
        if (n++)
            buf_addc(out, ',');
        json_add_cstr(out, fields[i].name);
        buf_adds(out, ":{\"old\":");
        if (old)
            json_add_string(out, o, ol);
        else
            buf_adds(out, "null");
        buf_adds(out, ",\"new\":");
        json_add_string(out, new->v[i], new->len[i]);
        buf_addc(out, '}');
    }
    buf_adds(out, "}");
    return n;
}

/* Binds the field values as parameters first..first+NFIELDS-1 (the region
 * as its id, an empty birthday as NULL). */
static void bind_values(db_stmt *s, int first, const values *v)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        int p = first + (int)i;
        if (i == F_IDX_REGION) {
            if (v->region_id)
                db_bind_int(s, p, v->region_id);
            else
                db_bind_null(s, p);
        } else if (i == F_IDX_BIRTHDAY && v->len[i] == 0) {
            db_bind_null(s, p);
        } else {
            db_bind_text(s, p, v->v[i], v->len[i]);
        }
    }
}

static const char SQL_INSERT[] =
    "INSERT INTO contacts (client_id, first_name, middle_name, last_name, suffix, nickname, title,"
    " organisation, party, email, phone, address, website, contact_form, birthday, region_id, notes,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
static const char SQL_UPDATE[] =
    "UPDATE contacts SET first_name = ?, middle_name = ?, last_name = ?, suffix = ?, nickname = ?,"
    " title = ?, organisation = ?, party = ?, email = ?, phone = ?, address = ?, website = ?,"
    " contact_form = ?, birthday = ?, region_id = ?, notes = ?, updated_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND live = 1";
static const char SQL_DELETE[] =
    "UPDATE contacts SET deleted_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND live = 1";

int contacts_new(request *r, db *d)
{
    return show_form(r, d, NULL, 0, NULL, 200);
}

int contacts_create(request *r, db *d)
{
    values v;
    memset(&v, 0, sizeof v);
    int bad = read_form(r, d, &v);
    if (bad < 0)
        return bad;
    r->object_type = "contact";
    if (bad > 0)
        return show_form(r, d, &v, 0, NULL, 422);
    db_stmt *s = db_stmt_get(d, SQL_INSERT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    bind_values(s, 1, &v);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    r->object_id = (long long)db_insert_id(s);
    if ((rc = counts_add(d, r->who.client_id, 1)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "{\"changes\":");
    add_changes(&r->detail, NULL, &v);
    buf_adds(&r->detail, "}");
    char *loc = arena_printf(r->mem, "/contacts/%lld", r->object_id);
    http_redirect(r, loc);
    return 303;
}

int contacts_show(request *r, db *d)
{
    values v;
    const char *updated, *created, *region_name;
    r->object_type = "contact";
    r->object_id = r->path_id;
    int rc = read_contact(r, d, r->path_id, false, &v, &updated, &created, &region_name);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    put_values(r, &v);
    put_field_labels(r);
    page_set_int(r->pg, r->path_id, "Contact.id");
    page_set(r->pg, updated, "Contact.updated_at");
    page_set(r->pg, created, "Contact.created_at");
    page_set(r->pg, region_name, "Contact.region_name");
    page_set(r->pg, put_display_name(r, &v), "Page.Title");
    page_set(r->pg, acl_allows(r->who.functions, "contacts.edit") ? "1" : "0", "Can.Edit");
    page_set(r->pg, acl_allows(r->who.functions, "contacts.delete") ? "1" : "0", "Can.Delete");
    r->template_name = "contact_view.cs";
    return 200;
}

int contacts_edit(request *r, db *d)
{
    values v;
    const char *updated;
    r->object_type = "contact";
    r->object_id = r->path_id;
    int rc = read_contact(r, d, r->path_id, false, &v, &updated, NULL, NULL);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    return show_form(r, d, &v, r->path_id, updated, 200);
}

int contacts_update(request *r, db *d)
{
    values old, v;
    const char *updated;
    memset(&v, 0, sizeof v);
    r->object_type = "contact";
    r->object_id = r->path_id;
    int rc = read_contact(r, d, r->path_id, true, &old, &updated, NULL, NULL);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    int bad = read_form(r, d, &v);
    if (bad < 0)
        return bad;
    const char *version = params_get(&r->form, "version");
    if (bad > 0)
        return show_form(r, d, &v, r->path_id, version ? version : updated, 422);
    if (!version || strcmp(version, updated) != 0) {
        page_set(r->pg,
                 "Someone else changed this contact after you opened it. Your changes are below and were not "
                 "saved; saving again will overwrite the other change.",
                 "Form.Error");
        return show_form(r, d, &v, r->path_id, updated, 409);
    }
    buf changes = {0};
    int n = add_changes(&changes, &old, &v);
    if (n > 0) {
        db_stmt *s = db_stmt_get(d, SQL_UPDATE);
        if (!s) {
            buf_free(&changes);
            return DB_ERR;
        }
        bind_values(s, 0, &v);
        db_bind_int(s, (int)NFIELDS, r->who.client_id);
        db_bind_int(s, (int)NFIELDS + 1, r->path_id);
        rc = db_run(s);
        if (rc != DB_OK) {
            buf_free(&changes);
            return rc;
        }
    }
    buf_adds(&r->detail, "{\"changes\":");
    buf_add(&r->detail, buf_str(&changes), changes.len);
    buf_adds(&r->detail, "}");
    buf_free(&changes);
    char *loc = arena_printf(r->mem, "/contacts/%lld", r->path_id);
    http_redirect(r, loc);
    return 303;
}

int contacts_confirm_delete(request *r, db *d)
{
    values v;
    r->object_type = "contact";
    r->object_id = r->path_id;
    int rc = read_contact(r, d, r->path_id, false, &v, NULL, NULL, NULL);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    put_values(r, &v);
    put_display_name(r, &v);
    page_set_int(r->pg, r->path_id, "Contact.id");
    page_set(r->pg, "Delete contact", "Page.Title");
    r->template_name = "contact_delete.cs";
    return 200;
}

int contacts_delete(request *r, db *d)
{
    r->object_type = "contact";
    r->object_id = r->path_id;
    db_stmt *s = db_stmt_get(d, SQL_DELETE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->path_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if (db_affected(s) == 0)
        return 404;
    if ((rc = counts_add(d, r->who.client_id, -1)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "{\"deleted\":true}");
    http_redirect(r, "/contacts?deleted=1");
    return 303;
}

/* ---- the list ---- */

typedef struct list_query {
    const char *q;       /* search text, or NULL */
    const char *region;  /* region code, or NULL */
    const char *party;   /* or NULL */
    const char *sort;    /* name, state or updated */
    long long page;      /* 1-based */
    long long region_id; /* resolved region, 0 if none */
    const char *like[MAX_WORDS]; /* a LIKE pattern for each word of q */
    int nlike;
} list_query;

/* Appends a URL-encoded copy of s to b. */
static void url_encode(buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p))
            buf_addc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

/* The filter part of list URLs (without sort and page). */
static void filter_query(buf *b, const list_query *lq)
{
    const char *names[] = {"q", "region", "party"};
    const char *vals[] = {lq->q, lq->region, lq->party};
    for (size_t i = 0; i < 3; i++) {
        if (!vals[i] || !vals[i][0])
            continue;
        if (b->len)
            buf_addc(b, '&');
        buf_printf(b, "%s=", names[i]);
        url_encode(b, vals[i]);
    }
}

/* A list parameter: NULL when absent or empty; *bad is set (with the message
 * for the error page) when it is present but not acceptable. */
static const char *param_text(request *r, const char *name, const char *label, size_t max, bool *bad)
{
    size_t n;
    const char *v = params_getn(&r->qs, name, &n);
    if (!v || n == 0)
        return NULL;
    enum valid_rc rc = valid_text(v, n, max, false);
    if (rc != VALID_OK) {
        if (!*bad)
            r->error_message = arena_printf(r->mem, "The %s %s.", label, valid_message(rc, max));
        *bad = true;
        return NULL;
    }
    return v;
}

/* Builds "FROM ... WHERE ..." for the filters, with the parameters bound in
 * order by bind_filters. Fragments are constants; values are parameters. */
static void filter_sql(buf *sql, const list_query *lq, bool join_region, const char *index)
{
    buf_adds(sql, " FROM contacts c");
    if (index)
        buf_printf(sql, " FORCE INDEX (%s)", index);
    if (lq->region_id)
        buf_adds(sql, " JOIN region_closure rc ON rc.client_id = c.client_id AND rc.descendant_id = c.region_id"
                      " AND rc.ancestor_id = ?");
    if (join_region)
        buf_adds(sql, " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id");
    buf_adds(sql, " WHERE c.client_id = ? AND c.live = 1");
    if (lq->party)
        buf_adds(sql, " AND c.party = ?");
    for (int i = 0; i < lq->nlike; i++)
        buf_adds(sql, " AND c.search_name LIKE ?");
}

static int bind_filters(db_stmt *s, int p, const list_query *lq, long long client_id)
{
    if (lq->region_id)
        db_bind_int(s, p++, lq->region_id);
    db_bind_int(s, p++, client_id);
    if (lq->party)
        db_bind_str(s, p++, lq->party);
    for (int i = 0; i < lq->nlike; i++)
        db_bind_str(s, p++, lq->like[i]);
    return p;
}

static const char SQL_STATES[] =
    "SELECT code, name FROM regions WHERE client_id = ? AND kind = 'state' ORDER BY name";
static const char SQL_PARTIES[] =
    "SELECT DISTINCT party FROM contacts WHERE client_id = ? AND live = 1 AND party <> '' ORDER BY party";

/* The choices of the filter form change rarely and cost a scan each, so each
 * worker keeps them for a minute per client: a new party shows up in the
 * filter within a minute; the list itself is always exact. */
#define CHOICE_TTL_US 60000000LL
#define CHOICE_SLOTS 16

typedef struct choices {
    long long client_id;
    int64_t expires_us;
    buf states;  /* code NUL name NUL ... */
    buf parties; /* name NUL ... */
} choices;

static choices choice_cache[CHOICE_SLOTS];

static int load_choices(db *d, long long client_id, choices *c)
{
    buf_reset(&c->states);
    buf_reset(&c->parties);
    db_stmt *s = db_stmt_get(d, SQL_STATES);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        for (int col = 0; col < 2; col++) {
            size_t n;
            const char *t = db_text(s, col, &n);
            buf_add(&c->states, t ? t : "", n);
            buf_addc(&c->states, '\0');
        }
        rc = DB_OK;
    }
    if (rc < 0)
        return rc;
    s = db_stmt_get(d, SQL_PARTIES);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        size_t n;
        const char *t = db_text(s, 0, &n);
        buf_add(&c->parties, t ? t : "", n);
        buf_addc(&c->parties, '\0');
        rc = DB_OK;
    }
    if (rc < 0)
        return rc;
    c->client_id = client_id;
    c->expires_us = now_mono_us() + CHOICE_TTL_US;
    return DB_OK;
}

static int put_filter_choices(request *r, db *d)
{
    int64_t now = now_mono_us();
    choices *c = NULL, *oldest = &choice_cache[0];
    for (int i = 0; i < CHOICE_SLOTS; i++) {
        if (choice_cache[i].client_id == r->who.client_id && choice_cache[i].expires_us > now)
            c = &choice_cache[i];
        if (choice_cache[i].expires_us < oldest->expires_us)
            oldest = &choice_cache[i];
    }
    if (!c) {
        c = oldest;
        c->client_id = 0;
        int rc = load_choices(d, r->who.client_id, c);
        if (rc != DB_OK) {
            c->expires_us = 0;
            return rc;
        }
    }
    const char *p = buf_str(&c->states), *end = p + c->states.len;
    for (int i = 0; p < end; i++) {
        const char *name = p + strlen(p) + 1;
        page_set(r->pg, p, "States.%d.code", i);
        page_set(r->pg, name, "States.%d.name", i);
        p = name + strlen(name) + 1;
    }
    p = buf_str(&c->parties);
    end = p + c->parties.len;
    for (int i = 0; p < end; i++) {
        page_set(r->pg, p, "Parties.%d", i);
        p += strlen(p) + 1;
    }
    return DB_OK;
}

int contacts_list(request *r, db *d)
{
    list_query lq = {0};
    bool bad = false;
    lq.q = param_text(r, "q", "search text", 100, &bad);
    lq.region = param_text(r, "region", "state", 40, &bad);
    if (lq.region && valid_code(lq.region, strlen(lq.region), 40) != VALID_OK && !bad) {
        r->error_message = "The state must be a region code such as US-CA or US-OH-05.";
        bad = true;
    }
    lq.party = param_text(r, "party", "party", 100, &bad);
    lq.sort = param_text(r, "sort", "sort order", 10, &bad);
    if (bad)
        return 400;
    if (!lq.sort)
        lq.sort = "name";
    if (strcmp(lq.sort, "name") && strcmp(lq.sort, "state") && strcmp(lq.sort, "updated")) {
        r->error_message = "The sort order must be name, state or updated.";
        return 400;
    }
    const char *pg = params_get(&r->qs, "page");
    int64_t pageno = 1;
    if (pg && *pg && parse_i64(pg, strlen(pg), 1, MAX_PAGE, &pageno) != 0) {
        r->error_message = "The page must be a whole number from 1 to 1000000.";
        return 400;
    }
    lq.page = pageno;
    /* Each word becomes '%word%' with LIKE's own metacharacters escaped;
     * the column's collation ignores case and accents. */
    for (const char *p = lq.q ? lq.q : ""; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (lq.nlike == MAX_WORDS) {
            r->error_message = arena_printf(r->mem, "Search with at most %d words.", MAX_WORDS);
            return 400;
        }
        buf like = {0};
        buf_addc(&like, '%');
        for (; *p && *p != ' ' && *p != '\t'; p++) {
            if (*p == '%' || *p == '_' || *p == '\\')
                buf_addc(&like, '\\');
            buf_addc(&like, *p);
        }
        buf_addc(&like, '%');
        lq.like[lq.nlike++] = arena_strdup(r->mem, buf_str(&like));
        buf_free(&like);
    }
    int rc;
    if (lq.region) {
        db_stmt *s = db_stmt_get(d, SQL_REGION_BY_CODE);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, r->who.client_id);
        db_bind_str(s, 1, lq.region);
        if ((rc = db_run(s)) != DB_OK)
            return rc;
        if ((rc = db_next(s)) < 0)
            return rc;
        /* An unknown region matches nothing rather than everything. */
        lq.region_id = rc == 1 ? db_int(s, 0) : -1;
        db_done(s);
    }

    /* The total: kept per client for the unfiltered list, counted otherwise. */
    buf sql = {0};
    long long total = 0;
    if (!lq.region_id && !lq.party && !lq.nlike) {
        if ((rc = counts_get(d, r->who.client_id, &total)) != DB_OK)
            return rc;
    } else {
        buf_adds(&sql, "SELECT COUNT(*)");
        filter_sql(&sql, &lq, false, NULL);
        db_stmt *cs = db_stmt_get(d, buf_str(&sql));
        buf_reset(&sql);
        if (!cs) {
            buf_free(&sql);
            return DB_ERR;
        }
        bind_filters(cs, 0, &lq, r->who.client_id);
        if ((rc = db_run(cs)) != DB_OK || (rc = db_next(cs)) < 0) {
            buf_free(&sql);
            return rc < 0 ? rc : DB_ERR;
        }
        total = db_int(cs, 0);
        db_done(cs);
    }
    long long pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    if (lq.page > pages)
        lq.page = pages;

    /* The page: the 50 ids first, from the covering index, then the rows. */
    const char *order = strcmp(lq.sort, "state") == 0     ? " ORDER BY r.sort_key, c.last_name, c.first_name, c.id"
                        : strcmp(lq.sort, "updated") == 0 ? " ORDER BY c.updated_at DESC, c.id DESC"
                                                          : " ORDER BY c.last_name, c.first_name, c.id";
    bool by_state = strcmp(lq.sort, "state") == 0;
    buf_adds(&sql, "SELECT c.id, c.first_name, c.last_name, c.nickname, c.title, c.party, c.phone, r.name,"
                   " c.updated_at, c.organisation FROM (SELECT c.id");
    /* Without a region filter the sort index is always the best plan; naming
     * it spares the optimizer weighing every index of the table on each call
     * (prepared statements are re-optimised at every execution). */
    const char *index = lq.region_id || by_state ? NULL
                        : strcmp(lq.sort, "updated") == 0 ? "contacts_updated" : "contacts_name";
    filter_sql(&sql, &lq, by_state, index);
    buf_adds(&sql, order);
    buf_adds(&sql, " LIMIT ? OFFSET ?) p JOIN contacts c ON c.client_id = ? AND c.id = p.id"
                   " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id");
    buf_adds(&sql, order);
    db_stmt *ps = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!ps)
        return DB_ERR;
    int p = bind_filters(ps, 0, &lq, r->who.client_id);
    db_bind_int(ps, p++, PAGE_SIZE);
    db_bind_int(ps, p++, (lq.page - 1) * PAGE_SIZE);
    db_bind_int(ps, p++, r->who.client_id);
    if ((rc = db_run(ps)) != DB_OK)
        return rc;
    int i = 0;
    while ((rc = db_next(ps)) == 1) {
        static const char *cols[] = {"id", "first_name", "last_name", "nickname", "title", "party", "phone",
                                     "region", "updated_at", "organisation"};
        for (int c = 0; c < (int)CT_ARRAY_LEN(cols); c++)
            page_set(r->pg, db_text(ps, c, NULL), "List.Rows.%d.%s", i, cols[c]);
        i++;
    }
    if (rc < 0)
        return rc;
    if ((rc = put_filter_choices(r, d)) != DB_OK)
        return rc;

    buf fq = {0};
    filter_query(&fq, &lq);
    page_set(r->pg, buf_str(&fq), "List.Filter");
    buf_reset(&fq);
    filter_query(&fq, &lq);
    if (fq.len)
        buf_addc(&fq, '&');
    buf_printf(&fq, "sort=%s", lq.sort);
    page_set(r->pg, buf_str(&fq), "List.FilterSort");
    buf_free(&fq);
    page_set(r->pg, lq.q, "List.q");
    page_set(r->pg, lq.region, "List.region");
    page_set(r->pg, lq.party, "List.party");
    page_set(r->pg, lq.sort, "List.sort");
    page_set_int(r->pg, total, "List.Total");
    page_set_int(r->pg, lq.page, "List.Page");
    page_set_int(r->pg, pages, "List.Pages");
    page_set_int(r->pg, (lq.page - 1) * PAGE_SIZE + (i ? 1 : 0), "List.From");
    page_set_int(r->pg, (lq.page - 1) * PAGE_SIZE + i, "List.To");
    if (params_get(&r->qs, "deleted"))
        page_set(r->pg, "The contact was deleted.", "Page.Flash");
    page_set(r->pg, acl_allows(r->who.functions, "contacts.create") ? "1" : "0", "Can.Create");
    page_set(r->pg, "Contacts", "Page.Title");
    buf_adds(&r->detail, "{\"filter\":{\"q\":");
    json_add_cstr(&r->detail, lq.q);
    buf_adds(&r->detail, ",\"region\":");
    json_add_cstr(&r->detail, lq.region);
    buf_adds(&r->detail, ",\"party\":");
    json_add_cstr(&r->detail, lq.party);
    buf_printf(&r->detail, ",\"sort\":\"%s\"},\"rows\":%d,\"total\":%lld,\"page\":%lld}", lq.sort, i, total,
               lq.page);
    r->template_name = "contacts_list.cs";
    return 200;
}
