/* contacts: the contact pages: list, detail, create, edit, delete.
 *
 * Every query carries the client_id of the session; every change records the
 * old and new value of each changed field in the request's audit row. */
#include <stdio.h>
#include <string.h>

#include "activities.h"
#include "audit_view.h"
#include "campaigns.h"
#include "counts.h"
#include "filter.h"
#include "views.h"
#include "handlers.h"
#include "contact.h"
#include "contact_extras.h"
#include "json.h"
#include "organisations.h"
#include "valid.h"

#define PAGE_SIZE 50
#define MAX_PAGE 1000000

typedef contact_values values;
#define NFIELDS CF_FORM_COUNT
#define fields contact_fields

/* The columns of a contact: the form's fields (contact.h), then the rest. */
enum { COL_UPDATED = CF_FORM_COUNT, COL_CREATED, COL_REGION_NAME, COL_REGION_ID, COL_REGION_CODE };

/* "SELECT <the form's columns>, ... FROM contacts c LEFT JOIN regions r ...
 * WHERE ", made once from the field table. */
static const char *read_cols(void)
{
    static buf b;
    if (!b.len) {
        buf_adds(&b, "SELECT ");
        contact_columns_sql(&b, "c.", CF_FORM_COUNT);
        buf_adds(&b, ", c.updated_at, c.created_at, r.name, c.region_id, r.code"
                     " FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id WHERE ");
    }
    return buf_str(&b);
}

/* Reads a live contact in the user's scope into v (copies in the request
 * arena). Returns 1 when found, 0 when not (or out of scope: the same
 * answer, so a contact's existence is not revealed), or a negative enum
 * db_rc. */
static int read_contact(request *r, db *d, long long id, bool lock, values *v, const char **updated,
                        const char **created, const char **region_name)
{
    buf sql = {0};
    buf_adds(&sql, read_cols());
    acl_scope_sql(&sql, &r->who.scope);
    buf_adds(&sql, lock ? " AND c.id = ? AND c.live = 1 FOR UPDATE" : " AND c.id = ? AND c.live = 1");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, acl_scope_bind(s, 0, &r->who.scope), id);
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
    /* The region by its code, as the form shows and takes it. */
    size_t n;
    const char *code = db_text(s, COL_REGION_CODE, &n);
    v->v[CF_REGION] = code ? arena_strndup(r->mem, code, n) : "";
    v->len[CF_REGION] = code ? n : 0;
    for (size_t i = NFIELDS; i < CF_COUNT; i++) {
        v->v[i] = "";
        v->len[i] = 0;
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


/* Reads and validates the form into v (the rules of contact.h); sets
 * Errors.<field> on the page for each bad field. Returns the number of bad
 * fields, or a negative db rc. */
static int read_form(request *r, db *d, values *v, contact_extras *x)
{
    const char *xerr[CX_COUNT];
    int bad = contact_extras_read(r->mem, &r->form, x, xerr);
    for (int k = 0; k < CX_COUNT; k++)
        if (xerr[k])
            page_set(r->pg, xerr[k], "Errors.%s", contact_extras_names[k]);
    for (size_t i = 0; i < CF_COUNT; i++) {
        v->v[i] = "";
        v->len[i] = 0;
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        size_t n = 0;
        const char *raw = params_getn(&r->form, fields[i].name, &n);
        if (!raw)
            raw = "";
        v->v[i] = contact_clean(r->mem, (enum contact_field)i, raw, &n);
        v->len[i] = n;
        const char *msg = contact_check((enum contact_field)i, v->v[i], n);
        if (msg) {
            page_set(r->pg, msg, "Errors.%s", fields[i].name);
            bad++;
            if (!utf8_valid(v->v[i], n)) {
                v->v[i] = "";
                v->len[i] = 0;
            }
        }
    }
    const char *whole = contact_check_whole(v);
    if (whole) {
        page_set(r->pg, whole, "Errors.last_name");
        bad++;
    }
    v->region_id = 0;
    if (v->len[CF_REGION] > 0 && !page_get(r->pg, "Errors.region")) {
        int rc = filter_region_by_code(d, r->who.client_id, v->v[CF_REGION], v->len[CF_REGION],
                                       &v->region_id);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            page_set(r->pg, "is not a known state or district", "Errors.region");
            bad++;
        }
    }
    /* A geography-limited user keeps every contact they save in view. */
    if (!page_get(r->pg, "Errors.region")) {
        int ok = acl_region_allowed(d, &r->who.scope, v->region_id);
        if (ok < 0)
            return ok;
        if (!ok) {
            page_set(r->pg,
                     v->region_id ? "is outside the regions you work in" : "is needed: choose one of your regions",
                     "Errors.region");
            bad++;
        }
    }
    return bad;
}

/* Sets Contact.display_name: first, last and suffix, or the organisation of
 * a contact without a name. Returns it. */
static const char *put_display_name(request *r, const values *v)
{
    static const size_t parts[] = {CF_FIRST_NAME, CF_LAST_NAME, CF_SUFFIX};
    buf name = {0};
    for (size_t i = 0; i < CT_ARRAY_LEN(parts); i++) {
        if (!v->len[parts[i]])
            continue;
        if (name.len)
            buf_addc(&name, ' ');
        buf_add(&name, v->v[parts[i]], v->len[parts[i]]);
    }
    if (!name.len)
        buf_add(&name, v->v[CF_ORGANISATION], v->len[CF_ORGANISATION]);
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

static const char SQL_REGIONS_ALL[] = "SELECT g.code, g.name, g.kind FROM regions g WHERE g.client_id = ?";

/* The options of the region select: the regions the user may place
 * contacts in, in tree order. */
static int put_region_options(request *r, db *d)
{
    buf sql = {0};
    buf_adds(&sql, SQL_REGIONS_ALL);
    acl_regions_sql(&sql, &r->who.scope, "g.id");
    buf_adds(&sql, " ORDER BY g.sort_key");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    acl_regions_bind(s, 1, &r->who.scope);
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
static int show_form(request *r, db *d, const values *v, const contact_extras *x, long long id, const char *version,
                     int status)
{
    int rc = put_region_options(r, d);
    if (rc != DB_OK)
        return rc;
    put_field_labels(r);
    if (v)
        put_values(r, v);
    for (int k = 0; x && k < CX_COUNT; k++)
        page_set(r->pg, x->text[k], "Contact.%s", contact_extras_names[k]);
    if (id) {
        page_set_int(r->pg, id, "Contact.id");
        page_set(r->pg, version, "Contact.version");
        page_set(r->pg, "Edit contact", "Page.Title");
    } else {
        page_set(r->pg, "New contact", "Page.Title");
        if ((rc = campaigns_new_contact_choices(r, d)) != DB_OK)
            return rc;
    }
    if (status == 422)
        page_set(r->pg, "The contact was not saved. Please correct the fields marked below.", "Form.Error");
    r->template_name = "contact_form.cs";
    return status;
}

/* Appends "field":{"old":..,"new":..},... for the fields that differ;
 * returns how many. */
static int add_changes(buf *out, const values *old, const values *new)
{
    int n = 0;
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
    return n;
}

/* Binds the field values as parameters first..first+NFIELDS-1 (the region
 * as its id, an empty birthday as NULL). */
static void bind_values(db_stmt *s, int first, const values *v)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        int p = first + (int)i;
        if (i == CF_REGION) {
            if (v->region_id)
                db_bind_int(s, p, v->region_id);
            else
                db_bind_null(s, p);
        } else if (i == CF_BIRTHDAY && v->len[i] == 0) {
            db_bind_null(s, p);
        } else {
            db_bind_text(s, p, v->v[i], v->len[i]);
        }
    }
}

/* "INSERT INTO contacts (client_id, <the form's columns>, created_at,
 * updated_at) VALUES (?, ...)" and "UPDATE contacts c SET <each> = ?, ...
 * WHERE c.live = 1 AND ", which ends with the row scope (acl_scope_sql),
 * then "AND c.id = ?"; made once from the field table. */
static const char *sql_insert(void)
{
    static buf b;
    if (!b.len) {
        buf_adds(&b, "INSERT INTO contacts (client_id, ");
        contact_columns_sql(&b, "", CF_FORM_COUNT);
        buf_adds(&b, ", created_at, updated_at) VALUES (?");
        for (int i = 0; i < CF_FORM_COUNT; i++)
            buf_adds(&b, ", ?");
        buf_adds(&b, ", UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
    }
    return buf_str(&b);
}

static const char *sql_update(void)
{
    static buf b;
    if (!b.len) {
        buf_adds(&b, "UPDATE contacts c SET ");
        contact_assign_sql(&b, "c.", CF_FORM_COUNT);
        buf_adds(&b, ", c.updated_at = UTC_TIMESTAMP(6) WHERE c.live = 1 AND ");
    }
    return buf_str(&b);
}
/* A new region, apart (see contacts_update). */
static const char SQL_MOVE[] = "UPDATE contacts c SET c.region_id = ? WHERE c.live = 1 AND ";
static const char SQL_DELETE[] =
    "UPDATE contacts c SET c.deleted_at = UTC_TIMESTAMP(6), c.updated_at = UTC_TIMESTAMP(6)"
    " WHERE c.live = 1 AND ";

/* The statement sql + scope + " AND c.id = ?", bound from parameter p on:
 * every change of contacts goes through the user's scope. The caller binds
 * parameters 0..p-1. */
static db_stmt *scoped_stmt(request *r, db *d, const char *sql, int p, long long id)
{
    buf b = {0};
    buf_adds(&b, sql);
    acl_scope_sql(&b, &r->who.scope);
    buf_adds(&b, " AND c.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&b));
    buf_free(&b);
    if (s)
        db_bind_int(s, acl_scope_bind(s, p, &r->who.scope), id);
    return s;
}

int contacts_new(request *r, db *d)
{
    return show_form(r, d, NULL, NULL, 0, NULL, 200);
}

int contacts_create(request *r, db *d)
{
    values v;
    contact_extras x;
    memset(&v, 0, sizeof v);
    int bad = read_form(r, d, &v, &x);
    if (bad < 0)
        return bad;
    /* A campaign-limited user's contact joins one of their campaigns. */
    long long campaign_id;
    int cbad = campaigns_new_contact_read(r, d, &campaign_id);
    if (cbad < 0)
        return cbad;
    bad += cbad;
    r->object_type = "contact";
    if (bad > 0)
        return show_form(r, d, &v, &x, 0, NULL, 422);
    db_stmt *s = db_stmt_get(d, sql_insert());
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
    buf_adds(&r->detail, "{\"changes\":{");
    int n = add_changes(&r->detail, NULL, &v);
    if ((rc = contact_extras_save(d, r->mem, r->who.client_id, r->object_id, NULL, &x, &r->detail, &n)) != DB_OK)
        return rc;
    buf_addc(&r->detail, '}');
    if ((rc = campaigns_new_contact_join(r, d, r->object_id, campaign_id)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "}");
    char *loc = arena_printf(r->mem, "/contacts/%lld", r->object_id);
    http_redirect(r, loc);
    return 303;
}

static const char SQL_CHANNELS[] =
    "SELECT kind, value, types FROM contact_channels WHERE client_id = ? AND contact_id = ? ORDER BY kind, seq";
static const char SQL_TAGS[] = "SELECT tag FROM contact_tags WHERE client_id = ? AND contact_id = ? ORDER BY tag";

/* The contact's further emails and phones (Channels.N.kind, .value, .types)
 * and tags (Tags.N); the caller has checked the contact is in scope. */
static int put_channels_tags(request *r, db *d, long long id)
{
    const char *sql[] = {SQL_CHANNELS, SQL_TAGS};
    for (int q = 0; q < 2; q++) {
        db_stmt *s = db_stmt_get(d, sql[q]);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, r->who.client_id);
        db_bind_int(s, 1, id);
        int rc = db_run(s);
        if (rc != DB_OK)
            return rc;
        int i = 0;
        while ((rc = db_next(s)) == 1) {
            if (q == 0) {
                page_set(r->pg, db_text(s, 0, NULL), "Channels.%d.kind", i);
                page_set(r->pg, db_text(s, 1, NULL), "Channels.%d.value", i);
                page_set(r->pg, db_text(s, 2, NULL), "Channels.%d.types", i);
            } else {
                page_set(r->pg, db_text(s, 0, NULL), "Tags.%d", i);
            }
            i++;
        }
        if (rc < 0)
            return rc;
    }
    return DB_OK;
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
    if ((rc = organisations_contact_link(r, d, r->path_id)) != DB_OK)
        return rc;
    page_set(r->pg, put_display_name(r, &v), "Page.Title");
    page_set(r->pg, acl_allows(r->who.functions, "contacts.edit") ? "1" : "0", "Can.Edit");
    page_set(r->pg, acl_allows(r->who.functions, "contacts.delete") ? "1" : "0", "Can.Delete");
    if ((rc = put_channels_tags(r, d, r->path_id)) != DB_OK || (rc = campaigns_contact_panel(r, d, r->path_id)) != DB_OK ||
        (rc = activities_contact_panel(r, d, r->path_id)) != DB_OK || (rc = audit_view_contact_panel(r, d, r->path_id)) != DB_OK)
        return rc;
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
    contact_extras x;
    if ((rc = contact_extras_load(d, r->mem, r->who.client_id, r->path_id, &x)) != DB_OK)
        return rc;
    return show_form(r, d, &v, &x, r->path_id, updated, 200);
}

int contacts_update(request *r, db *d)
{
    values old, v;
    contact_extras old_x, x;
    const char *updated;
    memset(&v, 0, sizeof v);
    r->object_type = "contact";
    r->object_id = r->path_id;
    int rc = read_contact(r, d, r->path_id, true, &old, &updated, NULL, NULL);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    if ((rc = contact_extras_load(d, r->mem, r->who.client_id, r->path_id, &old_x)) != DB_OK)
        return rc;
    int bad = read_form(r, d, &v, &x);
    if (bad < 0)
        return bad;
    for (int k = 0; k < CX_COUNT; k++)
        if (!x.given[k])
            x.text[k] = old_x.text[k];
    const char *version = params_get(&r->form, "version");
    if (bad > 0)
        return show_form(r, d, &v, &x, r->path_id, version ? version : updated, 422);
    if (!version || strcmp(version, updated) != 0) {
        page_set(r->pg,
                 "Someone else changed this contact after you opened it. Your changes are below and were not "
                 "saved; saving again will overwrite the other change.",
                 "Form.Error");
        return show_form(r, d, &v, &x, r->path_id, updated, 409);
    }
    buf changes = {0};
    int n = add_changes(&changes, &old, &v);
    /* Further emails, phones or tags changed: the contact changed too (its
     * updated_at, which syncing scripts ask for). */
    int nx = contact_extras_differ(&old_x, &x);
    /* A change of region is copied to the contact's memberships by a
     * trigger (sql/008), and MariaDB refuses a trigger that writes a table
     * its statement reads (error 1442): the campaign limit reads
     * contact_campaigns. For a campaign-limited user the fields are saved
     * under the whole scope with the old region, which checks and locks
     * the row, and the new region is set by a second statement under the
     * region part of the scope only, in the same transaction. */
    const acl_scope *sc = &r->who.scope;
    long long new_region = v.region_id;
    bool move_apart = n > 0 && !sc->all_campaigns && new_region != old.region_id;
    if (move_apart)
        v.region_id = old.region_id;
    if (n + nx > 0) {
        db_stmt *s = scoped_stmt(r, d, sql_update(), (int)NFIELDS, r->path_id);
        if (!s) {
            buf_free(&changes);
            return DB_ERR;
        }
        bind_values(s, 0, &v);
        rc = db_run(s);
        if (rc == DB_OK && move_apart) {
            acl_scope regions_only = *sc;
            regions_only.all_campaigns = true;
            buf b = {0};
            buf_adds(&b, SQL_MOVE);
            acl_scope_sql(&b, &regions_only);
            buf_adds(&b, " AND c.id = ?");
            s = db_stmt_get(d, buf_str(&b));
            buf_free(&b);
            if (!s) {
                buf_free(&changes);
                return DB_ERR;
            }
            if (new_region)
                db_bind_int(s, 0, new_region);
            else
                db_bind_null(s, 0);
            db_bind_int(s, acl_scope_bind(s, 1, &regions_only), r->path_id);
            rc = db_run(s);
        }
        if (rc == DB_OK)
            rc = contact_extras_save(d, r->mem, r->who.client_id, r->path_id, &old_x, &x, &changes, &n);
        if (rc != DB_OK) {
            buf_free(&changes);
            return rc;
        }
    }
    buf_adds(&r->detail, "{\"changes\":{");
    buf_add(&r->detail, buf_str(&changes), changes.len);
    buf_adds(&r->detail, "}}");
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
    db_stmt *s = scoped_stmt(r, d, SQL_DELETE, 0, r->path_id);
    if (!s)
        return DB_ERR;
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

/* The parties offered are those of the contacts the user may see. */
static const char SQL_PARTIES[] = "SELECT DISTINCT c.party FROM contacts c WHERE ";
static const char SQL_PARTIES_END[] = " AND c.live = 1 AND c.party <> '' ORDER BY c.party";

/* The choices of the filter form change rarely and cost a scan each, so each
 * worker keeps them for a minute per client (and per user for a user whose
 * scope is limited): a new party shows up in the filter within a minute;
 * the list itself is always exact. */
#define CHOICE_TTL_US 60000000LL
#define CHOICE_SLOTS 16

typedef struct choices {
    long long client_id;
    long long user_id;   /* 0 for the whole client's choices */
    int64_t expires_us;
    buf states;  /* code NUL name NUL ... */
    buf parties; /* name NUL ... */
} choices;

static choices choice_cache[CHOICE_SLOTS];

static int load_choices(db *d, const acl_scope *sc, choices *c)
{
    buf_reset(&c->states);
    buf_reset(&c->parties);
    db_stmt *s = filter_states_stmt(d, sc);
    if (!s)
        return DB_ERR;
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
    buf sql = {0};
    buf_adds(&sql, SQL_PARTIES);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_PARTIES_END);
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    acl_scope_bind(s, 0, sc);
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
    c->client_id = sc->client_id;
    c->user_id = acl_scope_limited(sc) ? sc->user_id : 0;
    c->expires_us = now_mono_us() + CHOICE_TTL_US;
    return DB_OK;
}

static int put_filter_choices(request *r, db *d)
{
    int64_t now = now_mono_us();
    const acl_scope *sc = &r->who.scope;
    long long user_id = acl_scope_limited(sc) ? sc->user_id : 0;
    choices *c = NULL, *oldest = &choice_cache[0];
    for (int i = 0; i < CHOICE_SLOTS; i++) {
        if (choice_cache[i].client_id == sc->client_id && choice_cache[i].user_id == user_id &&
            choice_cache[i].expires_us > now)
            c = &choice_cache[i];
        if (choice_cache[i].expires_us < oldest->expires_us)
            oldest = &choice_cache[i];
    }
    if (!c) {
        c = oldest;
        c->client_id = 0;
        int rc = load_choices(d, sc, c);
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

/* The number of contacts the filter finds in the user's scope. */
static int list_count(request *r, db *d, const contact_filter *f, long long *total)
{
    const acl_scope *sc = &r->who.scope;
    buf sql = {0};
    buf_adds(&sql, "SELECT COUNT(*)");
    filter_sql(&sql, f, sc, false);
    db_stmt *cs = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!cs)
        return DB_ERR;
    filter_bind(cs, 0, f, sc);
    int rc;
    if ((rc = db_run(cs)) != DB_OK || (rc = db_next(cs)) < 0)
        return rc < 0 ? rc : DB_ERR;
    *total = rc == 1 ? db_int(cs, 0) : 0;
    db_done(cs);
    return DB_OK;
}

/* Puts page pageno of the list on the page and sets *rows. With counted,
 * the same statement also counts every match (COUNT(*) OVER ()) into
 * *total: when it finds no row, *total is 0 and the caller counts apart. */
static int list_page(request *r, db *d, const contact_filter *f, const char *sort, long long pageno,
                     bool counted, int *rows, long long *total)
{
    const acl_scope *sc = &r->who.scope;
    /* The page: the 50 ids first, from the covering index, then the rows. */
    const char *order = strcmp(sort, "state") == 0     ? " ORDER BY r.sort_key, c.last_name, c.first_name, c.id"
                        : strcmp(sort, "updated") == 0 ? " ORDER BY c.updated_at DESC, c.id DESC"
                                                       : " ORDER BY c.last_name, c.first_name, c.id";
    bool by_state = strcmp(sort, "state") == 0;
    buf sql = {0};
    buf_adds(&sql, "SELECT c.id, c.first_name, c.last_name, c.nickname, c.title, c.party, c.phone, r.name,"
                   " c.updated_at, c.organisation");
    buf_adds(&sql, counted ? ", p.total FROM (SELECT c.id, COUNT(*) OVER () AS total" : " FROM (SELECT c.id");
    /* No index hint: MariaDB 10.11 finds the sort index by itself, and a
     * prepared statement with FORCE INDEX leaves the connection's copy of
     * the table able to read only that index without the rows: every later
     * statement of the connection that should read another index alone (a
     * count over contacts_region) reads the rows too, ten times slower. */
    filter_sql(&sql, f, sc, by_state);
    buf_adds(&sql, order);
    buf_adds(&sql, " LIMIT ? OFFSET ?) p JOIN contacts c ON c.client_id = ? AND c.id = p.id"
                   " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id");
    buf_adds(&sql, order);
    db_stmt *ps = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!ps)
        return DB_ERR;
    int p = filter_bind(ps, 0, f, sc);
    db_bind_int(ps, p++, PAGE_SIZE);
    db_bind_int(ps, p++, (pageno - 1) * PAGE_SIZE);
    db_bind_int(ps, p++, r->who.client_id);
    int rc = db_run(ps);
    if (rc != DB_OK)
        return rc;
    int i = 0;
    if (counted)
        *total = 0;
    while ((rc = db_next(ps)) == 1) {
        static const char *cols[] = {"id", "first_name", "last_name", "nickname", "title", "party", "phone",
                                     "region", "updated_at", "organisation"};
        for (int c = 0; c < (int)CT_ARRAY_LEN(cols); c++)
            page_set(r->pg, db_text(ps, c, NULL), "List.Rows.%d.%s", i, cols[c]);
        request_touch(r, db_int(ps, 0));
        if (counted)
            *total = db_int(ps, (int)CT_ARRAY_LEN(cols));
        i++;
    }
    *rows = i;
    return rc < 0 ? rc : DB_OK;
}

int contacts_list(request *r, db *d)
{
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    const acl_scope *sc = &r->who.scope;
    size_t n;
    const char *sort = params_getn(&r->qs, "sort", &n);
    if (!sort || !n)
        sort = "name";
    if (strcmp(sort, "name") && strcmp(sort, "state") && strcmp(sort, "updated")) {
        r->error_message = "The sort order must be name, state or updated.";
        return 400;
    }
    const char *pg = params_get(&r->qs, "page");
    int64_t pg_parsed = 1;
    if (pg && *pg && parse_i64(pg, strlen(pg), 1, MAX_PAGE, &pg_parsed) != 0) {
        r->error_message = "The page must be a whole number from 1 to 1000000.";
        return 400;
    }
    long long pageno = pg_parsed;
    /* The total: kept per client for the unfiltered list; for a limited
     * scope, counted by the page's own statement (the scope's semi-joins
     * are its cost, and the page needs every match to sort them anyway);
     * otherwise counted apart, so that the page can stop at 50 rows. */
    long long total = 0;
    bool counted = acl_scope_limited(sc);
    int rows = 0;
    if (filter_empty(&f) && !counted)
        rc = counts_get(d, r->who.client_id, &total);
    else if (!counted)
        rc = list_count(r, d, &f, &total);
    if (rc != DB_OK)
        return rc;
    long long pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    if (!counted && pageno > pages)
        pageno = pages;
    if ((rc = list_page(r, d, &f, sort, pageno, counted, &rows, &total)) != DB_OK)
        return rc;
    if (counted && rows == 0 && pageno > 1) {
        /* Past the end: count, then show the last page. */
        if ((rc = list_count(r, d, &f, &total)) != DB_OK)
            return rc;
        pageno = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
        if (total && (rc = list_page(r, d, &f, sort, pageno, true, &rows, &total)) != DB_OK)
            return rc;
    }
    pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    int i = rows;
    if ((rc = put_filter_choices(r, d)) != DB_OK || (rc = campaigns_list_choices(r, d)) != DB_OK ||
        (rc = views_put_list(r, d)) != DB_OK)
        return rc;
    if (f.view_id) {
        page_set_int(r->pg, f.view_id, "List.view_id");
        page_set(r->pg, f.view_name, "List.view_name");
        if (params_get(&r->qs, "saved"))
            page_set(r->pg, arena_printf(r->mem, "The view “%s” was saved.", f.view_name), "Page.Flash");
    }
    page_set(r->pg, f.tag, "List.tag");

    buf fq = {0};
    filter_query(&fq, &f);
    page_set(r->pg, buf_str(&fq), "List.Filter");
    if (fq.len)
        buf_addc(&fq, '&');
    buf_printf(&fq, "sort=%s", sort);
    page_set(r->pg, buf_str(&fq), "List.FilterSort");
    buf_free(&fq);
    page_set(r->pg, f.q, "List.q");
    page_set(r->pg, f.region, "List.region");
    page_set(r->pg, f.party, "List.party");
    page_set(r->pg, f.status, "List.status");
    if (f.campaign)
        page_set_int(r->pg, f.campaign, "List.campaign");
    page_set(r->pg, sort, "List.sort");
    page_set_int(r->pg, total, "List.Total");
    page_set_int(r->pg, pageno, "List.Page");
    page_set_int(r->pg, pages, "List.Pages");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + (i ? 1 : 0), "List.From");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + i, "List.To");
    if (params_get(&r->qs, "deleted"))
        page_set(r->pg, "The contact was deleted.", "Page.Flash");
    page_set(r->pg, acl_allows(r->who.functions, "contacts.create") ? "1" : "0", "Can.Create");
    page_set(r->pg, "Contacts", "Page.Title");
    buf_adds(&r->detail, "{\"filter\":");
    filter_json(&r->detail, &f);
    buf_printf(&r->detail, ",\"sort\":\"%s\",\"rows\":%d,\"total\":%lld,\"page\":%lld,", sort, i, total,
               pageno);
    request_shown_json(r, &r->detail);
    buf_addc(&r->detail, '}');
    r->template_name = "contacts_list.cs";
    return 200;
}
