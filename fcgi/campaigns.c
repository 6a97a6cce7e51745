/* campaigns: the campaign operations and pages.
 *
 * Who sees what: a user with all campaigns sees every campaign of the
 * client; a campaign-limited user only those of user_campaigns (others
 * answer 404, as if they did not exist). Members are counted, listed and
 * changed only within the user's row scope, so a region-limited user sees
 * (and changes) just the members in their regions.
 *
 * Every change of a campaign or of its members first locks the campaign's
 * row, so changes of one campaign follow one another, and the members a
 * change reads for its audit row are the members it changes. */
#include "campaigns.h"

#include <stdlib.h>
#include <string.h>

#include "campaign_status.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

#define PAGE_SIZE 50
#define MAX_PAGE 1000000
/* Rows a user may tick on one list page (it shows 50). */
#define MAX_CHOSEN 200

int campaign_rc_status(int rc)
{
    switch (rc) {
    case CAMP_OK:
        return 200;
    case CAMP_NOT_FOUND:
        return 404;
    case CAMP_LIMITED:
        return 403;
    default:
        return 422;
    }
}

/* ---- the operations ---- */

static const char SQL_GET[] =
    "SELECT g.id, g.name, g.created_at, g.archived_at FROM campaigns g WHERE g.client_id = ? AND g.id = ?";

int campaign_get(campaign_op *op, long long id, bool lock, campaign_info *out)
{
    memset(out, 0, sizeof *out);
    buf sql = {0};
    buf_adds(&sql, SQL_GET);
    acl_campaigns_sql(&sql, op->sc, "g.id");
    if (lock)
        buf_adds(&sql, " FOR UPDATE");
    db_stmt *s = db_stmt_get(op->d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, op->sc->client_id);
    db_bind_int(s, 1, id);
    acl_campaigns_bind(s, 2, op->sc);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) != 1) {
        if (rc == 0)
            op->message = "There is no such campaign.";
        return rc;
    }
    out->id = db_int(s, 0);
    out->name = arena_strdup(op->mem, db_text(s, 1, NULL));
    out->created_at = arena_strdup(op->mem, db_text(s, 2, NULL));
    const char *a = db_text(s, 3, NULL);
    out->archived_at = a ? arena_strdup(op->mem, a) : NULL;
    db_done(s);
    return 1;
}

/* Trims and checks a campaign name; *out is an arena copy. */
static int clean_name(campaign_op *op, const char *name, size_t n, const char **out, size_t *outn)
{
    size_t b = 0, e = name ? n : 0;
    while (b < e && (name[b] == ' ' || name[b] == '\t'))
        b++;
    while (e > b && (name[e - 1] == ' ' || name[e - 1] == '\t'))
        e--;
    if (e == b) {
        op->message = "is needed";
        return CAMP_INVALID;
    }
    enum valid_rc v = valid_text(name + b, e - b, CAMPAIGN_NAME_MAX, false);
    if (v != VALID_OK) {
        op->message = valid_message(v, CAMPAIGN_NAME_MAX);
        return CAMP_INVALID;
    }
    *out = arena_strndup(op->mem, name + b, e - b);
    *outn = e - b;
    return CAMP_OK;
}

static const char DUP_MESSAGE[] = "is taken: another campaign has this name (names ignore case and accents)";

static const char SQL_INSERT[] = "INSERT INTO campaigns (client_id, name, created_at) VALUES (?, ?, UTC_TIMESTAMP(6))";

int campaign_create(campaign_op *op, const char *name, size_t n, long long *id)
{
    const char *nm;
    size_t nn;
    *id = 0;
    if (!op->sc->all_campaigns) {
        /* A new campaign would be outside their own set, out of their sight
         * the moment it exists; widening a user's set is an administrator's
         * decision. */
        op->message = "You work in a limited set of campaigns; an administrator creates new ones.";
        return CAMP_LIMITED;
    }
    int rc = clean_name(op, name, n, &nm, &nn);
    if (rc != CAMP_OK)
        return rc;
    db_stmt *s = db_stmt_get(op->d, SQL_INSERT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, op->sc->client_id);
    db_bind_text(s, 1, nm, nn);
    if ((rc = db_run(s)) == DB_DUP) {
        op->message = DUP_MESSAGE;
        return CAMP_DUP_NAME;
    }
    if (rc != DB_OK)
        return rc;
    *id = (long long)db_insert_id(s);
    buf_adds(op->detail, "{\"changes\":{\"name\":{\"old\":null,\"new\":");
    json_add_string(op->detail, nm, nn);
    buf_adds(op->detail, "}}}");
    return CAMP_OK;
}

static const char SQL_RENAME[] = "UPDATE campaigns SET name = ? WHERE client_id = ? AND id = ?";

int campaign_rename(campaign_op *op, long long id, const char *name, size_t n)
{
    const char *nm;
    size_t nn;
    campaign_info g;
    int rc = campaign_get(op, id, true, &g);
    if (rc <= 0)
        return rc == 0 ? CAMP_NOT_FOUND : rc;
    if ((rc = clean_name(op, name, n, &nm, &nn)) != CAMP_OK)
        return rc;
    buf_adds(op->detail, "{\"changes\":{");
    if (strcmp(g.name, nm) != 0) {
        db_stmt *s = db_stmt_get(op->d, SQL_RENAME);
        if (!s)
            return DB_ERR;
        db_bind_text(s, 0, nm, nn);
        db_bind_int(s, 1, op->sc->client_id);
        db_bind_int(s, 2, id);
        if ((rc = db_run(s)) == DB_DUP) {
            op->message = DUP_MESSAGE;
            return CAMP_DUP_NAME;
        }
        if (rc != DB_OK)
            return rc;
        buf_adds(op->detail, "\"name\":{\"old\":");
        json_add_cstr(op->detail, g.name);
        buf_adds(op->detail, ",\"new\":");
        json_add_string(op->detail, nm, nn);
        buf_addc(op->detail, '}');
    }
    buf_adds(op->detail, "}}");
    return CAMP_OK;
}

static const char SQL_ARCHIVE[] =
    "UPDATE campaigns SET archived_at = IF(?, UTC_TIMESTAMP(6), NULL) WHERE client_id = ? AND id = ?";

int campaign_set_archived(campaign_op *op, long long id, bool archived)
{
    campaign_info g;
    int rc = campaign_get(op, id, true, &g);
    if (rc <= 0)
        return rc == 0 ? CAMP_NOT_FOUND : rc;
    buf_adds(op->detail, "{\"changes\":{");
    if ((g.archived_at != NULL) != archived) {
        db_stmt *s = db_stmt_get(op->d, SQL_ARCHIVE);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, archived ? 1 : 0);
        db_bind_int(s, 1, op->sc->client_id);
        db_bind_int(s, 2, id);
        if ((rc = db_run(s)) != DB_OK)
            return rc;
        buf_printf(op->detail, "\"archived\":{\"old\":%s,\"new\":%s}", archived ? "false" : "true",
                   archived ? "true" : "false");
    }
    buf_adds(op->detail, "}}");
    return CAMP_OK;
}

/* Locks a campaign for a change of its members: visible and active. */
static int lock_for_members(campaign_op *op, long long id, campaign_info *g)
{
    int rc = campaign_get(op, id, true, g);
    if (rc <= 0)
        return rc == 0 ? CAMP_NOT_FOUND : rc;
    if (g->archived_at) {
        op->message = "The campaign is archived: unarchive it before changing its members.";
        return CAMP_ARCHIVED;
    }
    return CAMP_OK;
}

/* The affected members of a change, as read inside its transaction. */
typedef struct member_list {
    long long *ids;
    char **old; /* the old status of each, NULL for none */
    size_t n, cap;
} member_list;

static void members_add(member_list *m, long long id, const char *old)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->ids = xrealloc(m->ids, m->cap * sizeof *m->ids);
        m->old = xrealloc(m->old, m->cap * sizeof *m->old);
    }
    m->ids[m->n] = id;
    m->old[m->n] = old ? xstrdup(old) : NULL;
    m->n++;
}

static void members_free(member_list *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->old[i]);
    free(m->ids);
    free(m->old);
    memset(m, 0, sizeof *m);
}

/* Reads the rows of a statement (contact id, old status or NULL). */
static int read_members(db_stmt *s, member_list *m)
{
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1)
        members_add(m, db_int(s, 0), db_text(s, 1, NULL));
    return rc < 0 ? rc : DB_OK;
}

/* {"campaign":{"id":..,"name":..}, then the caller's members fields. */
static void detail_campaign(buf *b, const campaign_info *g)
{
    buf_printf(b, "{\"campaign\":{\"id\":%lld,\"name\":", g->id);
    json_add_cstr(b, g->name);
    buf_addc(b, '}');
}

/* ,"count":N,"contacts":[{"id":..,"old":..,"new":..},..]} with at most
 * CAMPAIGN_DETAIL_MAX contacts listed (then ,"truncated":true); every
 * member goes to op->touch. */
static void detail_members(campaign_op *op, const member_list *m, const char *new_status)
{
    buf *b = op->detail;
    size_t listed = m->n < CAMPAIGN_DETAIL_MAX ? m->n : CAMPAIGN_DETAIL_MAX;
    buf_printf(b, ",\"count\":%zu,\"contacts\":[", m->n);
    for (size_t i = 0; i < listed; i++) {
        buf_printf(b, "%s{\"id\":%lld,\"old\":", i ? "," : "", m->ids[i]);
        json_add_cstr(b, m->old[i]);
        buf_adds(b, ",\"new\":");
        json_add_cstr(b, new_status);
        buf_addc(b, '}');
    }
    buf_adds(b, listed < m->n ? "],\"truncated\":true}" : "]}");
    for (size_t i = 0; op->touch && i < m->n; i++)
        op->touch(op->touch_ctx, m->ids[i]);
}

/* The set's members not yet in the campaign (the contacts an add adds).
 * A shared lock keeps them as they are (an edit waits) while letting a
 * change of another campaign read the same contacts. */
static const char SQL_ADD_READ_END[] =
    " AND c.id NOT IN (SELECT m.contact_id FROM contact_campaigns m WHERE m.client_id = ? AND m.campaign_id = ?)"
    " ORDER BY c.id LOCK IN SHARE MODE";
static const char SQL_ADD_START[] =
    "INSERT INTO contact_campaigns (client_id, campaign_id, contact_id, status, added_at, updated_at)"
    " SELECT c.client_id, ?, c.id, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)";
static const char SQL_ADD_END[] =
    " AND c.id NOT IN (SELECT m.contact_id FROM contact_campaigns m WHERE m.client_id = ? AND m.campaign_id = ?)"
    " ON DUPLICATE KEY UPDATE contact_id = contact_id";
/* The campaign's members in the set (the contacts a remove removes). */
static const char SQL_REMOVE_READ[] =
    "SELECT m.contact_id, m.status FROM contact_campaigns m WHERE m.client_id = ? AND m.campaign_id = ?"
    " AND m.contact_id IN (SELECT c.id";
static const char SQL_REMOVE_READ_END[] = ") ORDER BY m.contact_id FOR UPDATE";
static const char SQL_REMOVE[] =
    "DELETE FROM contact_campaigns WHERE client_id = ? AND campaign_id = ? AND contact_id IN (SELECT c.id";

int campaign_members_change(campaign_op *op, long long id, enum campaign_change how, const contact_filter *f,
                            long long *count)
{
    campaign_info g;
    *count = 0;
    int rc = lock_for_members(op, id, &g);
    if (rc != CAMP_OK)
        return rc;
    const acl_scope *sc = op->sc;
    const char *initial = NULL;
    if (how == CAMPAIGN_ADD && (rc = campaign_status_initial(op->d, op->mem, sc->client_id, &initial)) != DB_OK)
        return rc;
    member_list m = {0};
    buf sql = {0};
    /* First read the contacts the change will touch (locking them), then
     * change exactly that set: the same conditions, in SQL, in the same
     * transaction, behind the campaign's lock. */
    if (how == CAMPAIGN_ADD) {
        buf_adds(&sql, "SELECT c.id, NULL");
        filter_sql(&sql, f, sc, false);
        buf_adds(&sql, SQL_ADD_READ_END);
    } else {
        buf_adds(&sql, SQL_REMOVE_READ);
        filter_sql(&sql, f, sc, false);
        buf_adds(&sql, SQL_REMOVE_READ_END);
    }
    db_stmt *s = db_stmt_get(op->d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    int p = 0;
    if (how == CAMPAIGN_REMOVE) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_int(s, p++, id);
    }
    p = filter_bind(s, p, f, sc);
    if (how == CAMPAIGN_ADD) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_int(s, p++, id);
    }
    if ((rc = read_members(s, &m)) != DB_OK)
        goto out;

    if (m.n > 0) {
        if (how == CAMPAIGN_ADD) {
            buf_adds(&sql, SQL_ADD_START);
            filter_sql(&sql, f, sc, false);
            buf_adds(&sql, SQL_ADD_END);
        } else {
            buf_adds(&sql, SQL_REMOVE);
            filter_sql(&sql, f, sc, false);
            buf_addc(&sql, ')');
        }
        s = db_stmt_get(op->d, buf_str(&sql));
        if (!s) {
            rc = DB_ERR;
            goto out;
        }
        p = 0;
        if (how == CAMPAIGN_ADD) {
            db_bind_int(s, p++, id);
            db_bind_str(s, p++, initial);
        } else {
            db_bind_int(s, p++, sc->client_id);
            db_bind_int(s, p++, id);
        }
        p = filter_bind(s, p, f, sc);
        if (how == CAMPAIGN_ADD) {
            db_bind_int(s, p++, sc->client_id);
            db_bind_int(s, p++, id);
        }
        if ((rc = db_run(s)) != DB_OK)
            goto out;
        if (db_affected(s) != m.n) {
            /* The set moved between the read and the change (a contact
             * edited or created meanwhile): the audit row would not name
             * exactly the contacts changed, so none are. */
            op->message = "Some of these contacts changed meanwhile; nothing was changed. Please try again.";
            rc = DB_RETRY;
            goto out;
        }
    }
    *count = (long long)m.n;
    detail_campaign(op->detail, &g);
    buf_adds(op->detail, ",\"filter\":");
    filter_json(op->detail, f);
    detail_members(op, &m, how == CAMPAIGN_ADD ? initial : NULL);
    rc = CAMP_OK;
out:
    buf_free(&sql);
    members_free(&m);
    return rc;
}

/* Reads the status s[0..n) of the actor's client into *out, with a shared
 * lock (see campaign_status_get); CAMP_INVALID, with the choices in the
 * message, when the client has no such status. */
static int status_wanted(campaign_op *op, const char *s, size_t n, campaign_status *out)
{
    int rc = campaign_status_get(op->d, op->mem, op->sc->client_id, s, n, true, out);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        campaign_status_list l;
        if ((rc = campaign_status_load(op->d, op->mem, op->sc->client_id, &l)) != DB_OK)
            return rc;
        op->message = arena_printf(op->mem, "The status must be %s.", campaign_status_choices(op->mem, &l));
        return CAMP_INVALID;
    }
    return CAMP_OK;
}

/* The member, if the contact is in the scope. */
static const char SQL_STATUS_READ[] =
    "SELECT m.contact_id, m.status FROM contact_campaigns m WHERE m.client_id = ? AND m.campaign_id = ?"
    " AND m.contact_id IN (SELECT c.id FROM contacts c WHERE ";
static const char SQL_STATUS_READ_END[] = " AND c.live = 1 AND c.id = ?) FOR UPDATE";
static const char SQL_STATUS[] =
    "UPDATE contact_campaigns SET status = ?, updated_at = UTC_TIMESTAMP(6) WHERE client_id = ? AND campaign_id = ?"
    " AND contact_id IN (SELECT c.id FROM contacts c WHERE ";
static const char SQL_STATUS_END[] = " AND c.live = 1 AND c.id = ?)";

int campaign_member_status(campaign_op *op, long long id, long long contact_id, const char *status, size_t n)
{
    campaign_info g;
    campaign_status want;
    int rc = status_wanted(op, status, n, &want);
    if (rc != CAMP_OK)
        return rc;
    if ((rc = lock_for_members(op, id, &g)) != CAMP_OK)
        return rc;
    const acl_scope *sc = op->sc;
    member_list m = {0};
    buf sql = {0};
    buf_adds(&sql, SQL_STATUS_READ);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_STATUS_READ_END);
    db_stmt *s = db_stmt_get(op->d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    db_bind_int(s, 0, sc->client_id);
    db_bind_int(s, 1, id);
    db_bind_int(s, acl_scope_bind(s, 2, sc), contact_id);
    if ((rc = read_members(s, &m)) != DB_OK)
        goto out;
    if (m.n == 0) {
        op->message = "The contact is not a member of this campaign.";
        rc = CAMP_NOT_FOUND;
        goto out;
    }
    const char *st = want.code;
    if (strcmp(m.old[0], st) != 0) {
        buf_adds(&sql, SQL_STATUS);
        acl_scope_sql(&sql, sc);
        buf_adds(&sql, SQL_STATUS_END);
        s = db_stmt_get(op->d, buf_str(&sql));
        if (!s) {
            rc = DB_ERR;
            goto out;
        }
        db_bind_str(s, 0, st);
        db_bind_int(s, 1, sc->client_id);
        db_bind_int(s, 2, id);
        db_bind_int(s, acl_scope_bind(s, 3, sc), contact_id);
        if ((rc = db_run(s)) != DB_OK)
            goto out;
    } else {
        members_free(&m); /* nothing changed: no contact to list */
    }
    detail_campaign(op->detail, &g);
    detail_members(op, &m, st);
    rc = CAMP_OK;
out:
    buf_free(&sql);
    members_free(&m);
    return rc;
}

/* The members of the set whose status is not the new one (the members a
 * bulk status change changes). */
static const char SQL_BULK_STATUS_READ_END[] = ") AND m.status <> ? ORDER BY m.contact_id FOR UPDATE";
static const char SQL_BULK_STATUS[] =
    "UPDATE contact_campaigns SET status = ?, updated_at = UTC_TIMESTAMP(6) WHERE client_id = ? AND campaign_id = ?"
    " AND status <> ? AND contact_id IN (SELECT c.id";

int campaign_members_set_status(campaign_op *op, long long id, const contact_filter *f, const char *status,
                                size_t n, long long *count)
{
    campaign_info g;
    campaign_status want;
    *count = 0;
    int rc = lock_for_members(op, id, &g);
    if (rc != CAMP_OK || (rc = status_wanted(op, status, n, &want)) != CAMP_OK)
        return rc;
    const acl_scope *sc = op->sc;
    member_list m = {0};
    buf sql = {0};
    /* As campaign_members_change: read (and lock) the members, then change
     * exactly that set with the same conditions. */
    buf_adds(&sql, SQL_REMOVE_READ);
    filter_sql(&sql, f, sc, false);
    buf_adds(&sql, SQL_BULK_STATUS_READ_END);
    db_stmt *s = db_stmt_get(op->d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    db_bind_int(s, 0, sc->client_id);
    db_bind_int(s, 1, id);
    int p = filter_bind(s, 2, f, sc);
    db_bind_str(s, p, want.code);
    if ((rc = read_members(s, &m)) != DB_OK)
        goto out;
    if (m.n > 0) {
        buf_adds(&sql, SQL_BULK_STATUS);
        filter_sql(&sql, f, sc, false);
        buf_addc(&sql, ')');
        if (!(s = db_stmt_get(op->d, buf_str(&sql)))) {
            rc = DB_ERR;
            goto out;
        }
        db_bind_str(s, 0, want.code);
        db_bind_int(s, 1, sc->client_id);
        db_bind_int(s, 2, id);
        db_bind_str(s, 3, want.code);
        filter_bind(s, 4, f, sc);
        if ((rc = db_run(s)) != DB_OK)
            goto out;
        if (db_affected(s) != m.n) {
            op->message = "Some of these members changed meanwhile; nothing was changed. Please try again.";
            rc = DB_RETRY;
            goto out;
        }
    }
    *count = (long long)m.n;
    detail_campaign(op->detail, &g);
    buf_adds(op->detail, ",\"filter\":");
    filter_json(op->detail, f);
    buf_adds(op->detail, ",\"status\":");
    json_add_cstr(op->detail, want.code);
    detail_members(op, &m, want.code);
    rc = CAMP_OK;
out:
    buf_free(&sql);
    members_free(&m);
    return rc;
}

/* ---- shared by the pages ---- */

static void touch_request(void *ctx, long long contact_id)
{
    request_touch(ctx, contact_id);
}

static campaign_op op_for(request *r, db *d)
{
    campaign_op op = {.d = d, .sc = &r->who.scope, .mem = r->mem, .detail = &r->detail,
                      .touch = touch_request, .touch_ctx = r};
    return op;
}

/* A positive campaign_rc as the answer: the status, with the message on
 * the error page. */
static int op_failed(request *r, const campaign_op *op, int rc)
{
    if (rc < 0)
        return rc;
    r->error_message = op->message;
    return campaign_rc_status(rc);
}

/* A positive integer form field; 0 when absent or not a number. */
static long long form_id(request *r, const char *name)
{
    size_t n;
    const char *v = params_getn(&r->form, name, &n);
    int64_t id = 0;
    if (!v || parse_i64(v, n, 1, INT64_MAX, &id) != 0)
        return 0;
    return id;
}

/* After a change: back to the campaign's page, with its flash. */
static void to_campaign(request *r, long long id, const char *done)
{
    http_redirect(r, arena_printf(r->mem, "/campaigns/%lld?done=%s", id, done));
}

/* Flash messages of the changes, by the code the redirect carries (never
 * text from the request). */
static const struct {
    const char *code, *text;
} flashes[] = {
    {"created", "The campaign was created."},
    {"renamed", "The campaign was renamed."},
    {"archived", "The campaign was archived."},
    {"unarchived", "The campaign is active again."},
    {"status", "The status was changed."},
    {"removed", "The contact was removed from the campaign."},
    {"joined", "The contact was added to the campaign."},
    {"member", "The contact was a member already."},
    {"left", "The contact was removed from the campaign."},
};

static void put_flash(request *r)
{
    const char *done = params_get(&r->qs, "done");
    for (size_t i = 0; done && i < CT_ARRAY_LEN(flashes); i++)
        if (strcmp(done, flashes[i].code) == 0)
            page_set(r->pg, flashes[i].text, "Page.Flash");
    /* A bulk status change: a number from the address, nothing else. */
    const char *n = params_get(&r->qs, "n");
    int64_t count;
    if (done && strcmp(done, "statuses") == 0 && n && parse_i64(n, strlen(n), 0, INT64_MAX, &count) == 0)
        page_set(r->pg,
                 count == 0 ? "No member changed: they had that status already."
                            : arena_printf(r->mem, "The status of %lld member%s was changed.", (long long)count,
                                           count == 1 ? "" : "s"),
                 "Page.Flash");
}

/* The client's statuses as Statuses.N.{code,label,stage,position}. */
static int put_statuses(request *r, db *d)
{
    campaign_status_list l;
    int rc = campaign_status_load(d, r->mem, r->who.client_id, &l);
    if (rc == DB_OK)
        campaign_status_put(r, &l, "Statuses");
    return rc;
}

/* ---- the campaign list ---- */

/* Members are counted within the user's scope (the c.* condition). */
static const char SQL_LIST_START[] =
    "SELECT g.id, g.name, g.archived_at, g.created_at, (SELECT COUNT(*) FROM contact_campaigns m"
    " JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id"
    " WHERE m.client_id = g.client_id AND m.campaign_id = g.id AND ";
static const char SQL_LIST_MID[] = " AND c.live = 1) FROM campaigns g WHERE g.client_id = ?";

int campaign_list(campaign_op *op, bool archived, campaign_row_fn fn, void *ctx, int *rows)
{
    const acl_scope *sc = op->sc;
    *rows = 0;
    buf sql = {0};
    buf_adds(&sql, SQL_LIST_START);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_LIST_MID);
    acl_campaigns_sql(&sql, sc, "g.id");
    buf_adds(&sql, archived ? " AND g.archived_at IS NOT NULL ORDER BY g.name, g.id"
                            : " AND g.archived_at IS NULL ORDER BY g.name, g.id");
    db_stmt *s = db_stmt_get(op->d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = acl_scope_bind(s, 0, sc);
    db_bind_int(s, p++, sc->client_id);
    acl_campaigns_bind(s, p, sc);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        campaign_info g = {
            .id = db_int(s, 0),
            .name = db_text(s, 1, NULL),
            .archived_at = db_text(s, 2, NULL),
            .created_at = db_text(s, 3, NULL),
        };
        fn(ctx, &g, db_int(s, 4));
        (*rows)++;
    }
    buf_printf(op->detail, "{\"show\":\"%s\",\"rows\":%d}", archived ? "archived" : "active", *rows);
    return rc < 0 ? rc : DB_OK;
}

struct list_ctx {
    request *r;
    int i;
};

static void list_row(void *ctx, const campaign_info *g, long long members)
{
    struct list_ctx *lc = ctx;
    page *pg = lc->r->pg;
    page_set_int(pg, g->id, "Campaigns.%d.id", lc->i);
    page_set(pg, g->name, "Campaigns.%d.name", lc->i);
    page_set(pg, g->archived_at, "Campaigns.%d.archived_at", lc->i);
    page_set(pg, g->created_at, "Campaigns.%d.created_at", lc->i);
    page_set_int(pg, members, "Campaigns.%d.members", lc->i);
    lc->i++;
}

/* The list page; status is 200, or 422 for a create that failed (its
 * errors already set, and the audit detail left to the failure). */
static int show_list(request *r, db *d, int status)
{
    size_t n;
    const char *show = params_getn(&r->qs, "show", &n);
    if (!show || !n)
        show = "active";
    bool archived = strcmp(show, "archived") == 0;
    if (!archived && strcmp(show, "active") != 0) {
        r->error_message = "Show must be active or archived.";
        return 400;
    }
    buf detail = {0};
    campaign_op op = op_for(r, d);
    op.detail = &detail;
    struct list_ctx lc = {.r = r};
    int rows;
    int rc = campaign_list(&op, archived, list_row, &lc, &rows);
    if (rc == DB_OK && status == 200)
        buf_add(&r->detail, detail.data, detail.len);
    buf_free(&detail);
    if (rc != DB_OK)
        return rc;
    page_set(r->pg, show, "List.show");
    page_set_int(r->pg, rows, "List.Count");
    page_set(r->pg, r->who.scope.all_campaigns ? "1" : "0", "Can.CreateCampaign");
    page_set(r->pg, archived ? "Archived campaigns" : "Campaigns", "Page.Title");
    if (status == 200)
        put_flash(r);
    r->template_name = "campaigns_list.cs";
    return status;
}

int campaigns_list(request *r, db *d)
{
    return show_list(r, d, 200);
}

int campaigns_create(request *r, db *d)
{
    campaign_op op = op_for(r, d);
    size_t n;
    const char *name = params_getn(&r->form, "name", &n);
    long long id;
    r->object_type = "campaign";
    int rc = campaign_create(&op, name, n, &id);
    if (rc == CAMP_INVALID || rc == CAMP_DUP_NAME) {
        page_set(r->pg, op.message, "Errors.name");
        page_setn(r->pg, name ? name : "", name ? n : 0, "New.name");
        page_set(r->pg, "The campaign was not created. Please correct the name.", "Form.Error");
        buf_reset(&r->detail);
        return show_list(r, d, 422);
    }
    if (rc != CAMP_OK)
        return op_failed(r, &op, rc);
    r->object_id = id;
    to_campaign(r, id, "created");
    return 303;
}

/* ---- one campaign's page ---- */

static const char SQL_STATUS_COUNTS[] =
    "SELECT m.status, COUNT(*) FROM contact_campaigns m JOIN contacts c ON c.client_id = m.client_id"
    " AND c.id = m.contact_id WHERE m.client_id = ? AND m.campaign_id = ? AND ";
static const char SQL_STATUS_COUNTS_END[] = " AND c.live = 1 GROUP BY m.status";
static const char SQL_MEMBERS_END[] =
    " ORDER BY c.last_name, c.first_name, c.id LIMIT ? OFFSET ?) p JOIN contacts c ON c.client_id = ? AND c.id = p.id"
    " JOIN contact_campaigns m ON m.client_id = c.client_id AND m.campaign_id = ? AND m.contact_id = c.id"
    " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
    " ORDER BY c.last_name, c.first_name, c.id";

/* The counts per status of the members within the scope, as
 * Counts.N.{code,label,stage,count} in the order of the client's statuses
 * (then any code a membership holds that is no longer a status); *lp gets
 * the statuses. */
static int put_status_counts(request *r, db *d, long long id, long long *total, campaign_status_list *lp)
{
    campaign_status_list l;
    int rc = campaign_status_load(d, r->mem, r->who.client_id, &l);
    if (rc != DB_OK)
        return rc;
    *lp = l;
    buf sql = {0};
    buf_adds(&sql, SQL_STATUS_COUNTS);
    acl_scope_sql(&sql, &r->who.scope);
    buf_adds(&sql, SQL_STATUS_COUNTS_END);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, id);
    acl_scope_bind(s, 2, &r->who.scope);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    long long *counts = arena_alloc(r->mem, (l.n + 1) * sizeof *counts);
    memset(counts, 0, (l.n + 1) * sizeof *counts);
    size_t extra = l.n;
    *total = 0;
    while ((rc = db_next(s)) == 1) {
        size_t n;
        const char *st = db_text(s, 0, &n);
        const campaign_status *k = campaign_status_find(&l, st, n);
        if (k) {
            counts[k - l.v] = db_int(s, 1);
        } else {
            page_set(r->pg, st, "Counts.%zu.code", extra);
            page_set(r->pg, st, "Counts.%zu.label", extra);
            page_set_int(r->pg, db_int(s, 1), "Counts.%zu.count", extra);
            extra++;
        }
        *total += db_int(s, 1);
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < l.n; i++) {
        page_set(r->pg, l.v[i].code, "Counts.%zu.code", i);
        page_set(r->pg, l.v[i].label, "Counts.%zu.label", i);
        page_set(r->pg, l.v[i].stage, "Counts.%zu.stage", i);
        page_set_int(r->pg, counts[i], "Counts.%zu.count", i);
    }
    campaign_status_put(r, &l, "Statuses");
    page_set_int(r->pg, *total, "Campaign.members");
    return DB_OK;
}

/* The districts the region filter offers: those in the user's geography
 * whose state is the chosen region's (the chosen state, or the state of the
 * chosen district), and those granted to the user without their state. */
static const char SQL_DISTRICTS[] =
    "SELECT g.code, g.name FROM regions g JOIN regions s ON s.client_id = g.client_id AND s.id = g.parent_id"
    " WHERE g.client_id = ? AND g.kind = 'district' AND (s.id = (SELECT IF(x.kind = 'state', x.id, x.parent_id)"
    " FROM regions x WHERE x.client_id = ? AND x.code = ?) OR NOT EXISTS (SELECT 1 FROM regions s2"
    " WHERE s2.client_id = s.client_id AND s2.id = s.id";

/* The states and districts the user works in, for the region filter:
 * States.N.{code,name} and Districts.N.{code,name}. */
static int put_regions(request *r, db *d, const char *chosen)
{
    db_stmt *s = filter_states_stmt(d, &r->who.scope);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    for (int i = 0; (rc = db_next(s)) == 1; i++) {
        page_set(r->pg, db_text(s, 0, NULL), "States.%d.code", i);
        page_set(r->pg, db_text(s, 1, NULL), "States.%d.name", i);
    }
    if (rc < 0)
        return rc;
    buf sql = {0};
    buf_adds(&sql, SQL_DISTRICTS);
    acl_regions_sql(&sql, &r->who.scope, "s2.id");
    buf_adds(&sql, "))");
    acl_regions_sql(&sql, &r->who.scope, "g.id");
    buf_adds(&sql, " ORDER BY g.sort_key, g.code");
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->who.client_id);
    db_bind_str(s, 2, chosen);
    int p = acl_regions_bind(s, 3, &r->who.scope);
    acl_regions_bind(s, p, &r->who.scope);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    for (int i = 0; (rc = db_next(s)) == 1; i++) {
        page_set(r->pg, db_text(s, 0, NULL), "Districts.%d.code", i);
        page_set(r->pg, db_text(s, 1, NULL), "Districts.%d.name", i);
    }
    return rc < 0 ? rc : DB_OK;
}

/* The campaign's page; status is 200, or 422 for a rename that failed
 * (its errors already set). */
static int show_campaign(request *r, db *d, long long id, int status)
{
    campaign_op op = op_for(r, d);
    campaign_info g;
    r->object_type = "campaign";
    r->object_id = id;
    int rc = campaign_get(&op, id, false, &g);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    contact_filter f;
    if ((rc = filter_parse_campaign(r, d, &f, id)) != 0)
        return rc;
    const char *pg = params_get(&r->qs, "page");
    int64_t pageno = 1;
    if (pg && *pg && parse_i64(pg, strlen(pg), 1, MAX_PAGE, &pageno) != 0) {
        r->error_message = "The page must be a whole number from 1 to 1000000.";
        return 400;
    }
    long long members;
    campaign_status_list statuses;
    if ((rc = put_status_counts(r, d, id, &members, &statuses)) != DB_OK)
        return rc;

    const acl_scope *sc = &r->who.scope;
    buf sql = {0};
    buf_adds(&sql, "SELECT COUNT(*)");
    filter_sql(&sql, &f, sc, false);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    filter_bind(s, 0, &f, sc);
    if ((rc = db_run(s)) != DB_OK || (rc = db_next(s)) < 0) {
        buf_free(&sql);
        return rc < 0 ? rc : DB_ERR;
    }
    long long total = db_int(s, 0);
    db_done(s);
    long long pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    if (pageno > pages)
        pageno = pages;

    buf_adds(&sql, "SELECT c.id, c.first_name, c.last_name, c.organisation, r.name, m.status, m.updated_at"
                   " FROM (SELECT c.id");
    filter_sql(&sql, &f, sc, false);
    buf_adds(&sql, SQL_MEMBERS_END);
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = filter_bind(s, 0, &f, sc);
    db_bind_int(s, p++, PAGE_SIZE);
    db_bind_int(s, p++, (pageno - 1) * PAGE_SIZE);
    db_bind_int(s, p++, r->who.client_id);
    db_bind_int(s, p++, id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    int i = 0;
    while ((rc = db_next(s)) == 1) {
        static const char *cols[] = {"id", "first_name", "last_name", "organisation", "region", "status",
                                     "updated_at"};
        for (int c = 0; c < (int)CT_ARRAY_LEN(cols); c++)
            page_set(r->pg, db_text(s, c, NULL), "Members.%d.%s", i, cols[c]);
        size_t sn;
        const char *code = db_text(s, 5, &sn);
        const campaign_status *st = campaign_status_find(&statuses, code, sn);
        page_set(r->pg, st ? st->label : code, "Members.%d.status_label", i);
        /* Shown, recorded in the page's row (below); a form shown again
         * after a refused change records the change, not the members. */
        if (status == 200)
            request_touch(r, db_int(s, 0));
        i++;
    }
    if (rc < 0)
        return rc;
    if ((rc = put_regions(r, d, f.region)) != DB_OK)
        return rc;

    page_set_int(r->pg, g.id, "Campaign.id");
    page_set(r->pg, g.name, "Campaign.name");
    page_set(r->pg, g.created_at, "Campaign.created_at");
    page_set(r->pg, g.archived_at, "Campaign.archived_at");
    if (!page_get(r->pg, "Edit.name"))
        page_set(r->pg, g.name, "Edit.name");
    /* The pager keeps the filter but not the campaign, which is the page. */
    contact_filter pf = f;
    pf.campaign = 0;
    buf fq = {0};
    filter_query(&fq, &pf);
    page_set(r->pg, buf_str(&fq), "List.Filter");
    buf_free(&fq);
    page_set(r->pg, f.q, "List.q");
    page_set(r->pg, f.region, "List.region");
    page_set(r->pg, f.status, "List.status");
    page_set_int(r->pg, total, "List.Total");
    page_set_int(r->pg, pageno, "List.Page");
    page_set_int(r->pg, pages, "List.Pages");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + (i ? 1 : 0), "List.From");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + i, "List.To");
    page_set(r->pg, g.name, "Page.Title");
    if (status == 200) {
        put_flash(r);
        buf_adds(&r->detail, "{\"filter\":");
        filter_json(&r->detail, &f);
        buf_printf(&r->detail, ",\"rows\":%d,\"total\":%lld,\"page\":%lld,", i, total, (long long)pageno);
        request_shown_json(r, &r->detail);
        buf_addc(&r->detail, '}');
    }
    r->template_name = "campaign_view.cs";
    return status;
}

int campaigns_show(request *r, db *d)
{
    return show_campaign(r, d, r->path_id, 200);
}

int campaigns_rename(request *r, db *d)
{
    campaign_op op = op_for(r, d);
    size_t n;
    const char *name = params_getn(&r->form, "name", &n);
    r->object_type = "campaign";
    r->object_id = r->path_id;
    int rc = campaign_rename(&op, r->path_id, name, n);
    if (rc == CAMP_INVALID || rc == CAMP_DUP_NAME) {
        buf_reset(&r->detail);
        page_set(r->pg, op.message, "Errors.name");
        page_setn(r->pg, name ? name : "", name ? n : 0, "Edit.name");
        page_set(r->pg, "The campaign was not renamed. Please correct the name.", "Form.Error");
        return show_campaign(r, d, r->path_id, 422);
    }
    if (rc != CAMP_OK)
        return op_failed(r, &op, rc);
    to_campaign(r, r->path_id, "renamed");
    return 303;
}

static int set_archived(request *r, db *d, bool archived)
{
    campaign_op op = op_for(r, d);
    r->object_type = "campaign";
    r->object_id = r->path_id;
    int rc = campaign_set_archived(&op, r->path_id, archived);
    if (rc != CAMP_OK)
        return op_failed(r, &op, rc);
    to_campaign(r, r->path_id, archived ? "archived" : "unarchived");
    return 303;
}

int campaigns_archive(request *r, db *d)
{
    return set_archived(r, d, true);
}

int campaigns_unarchive(request *r, db *d)
{
    return set_archived(r, d, false);
}

int campaigns_member_status(request *r, db *d)
{
    campaign_op op = op_for(r, d);
    size_t n;
    const char *status = params_getn(&r->form, "status", &n);
    long long contact_id = form_id(r, "contact_id");
    r->object_type = "campaign";
    r->object_id = r->path_id;
    if (!contact_id) {
        r->error_message = "The form did not say which contact.";
        return 422;
    }
    int rc = campaign_member_status(&op, r->path_id, contact_id, status, n);
    if (rc != CAMP_OK)
        return op_failed(r, &op, rc);
    to_campaign(r, r->path_id, "status");
    return 303;
}

/* One contact's membership added or removed, from either page. */
static int change_one(request *r, db *d, long long campaign_id, long long contact_id, enum campaign_change how,
                      long long *count)
{
    campaign_op op = op_for(r, d);
    contact_filter f;
    memset(&f, 0, sizeof f);
    filter_set_ids(r->mem, &f, &contact_id, 1);
    int rc = campaign_members_change(&op, campaign_id, how, &f, count);
    return rc == CAMP_OK ? CAMP_OK : op_failed(r, &op, rc);
}

int campaigns_member_remove(request *r, db *d)
{
    long long contact_id = form_id(r, "contact_id"), count;
    r->object_type = "campaign";
    r->object_id = r->path_id;
    if (!contact_id) {
        r->error_message = "The form did not say which contact.";
        return 422;
    }
    int rc = change_one(r, d, r->path_id, contact_id, CAMPAIGN_REMOVE, &count);
    if (rc != CAMP_OK)
        return rc;
    if (count == 0) {
        buf_reset(&r->detail);
        r->error_message = "The contact is not a member of this campaign.";
        return 404;
    }
    to_campaign(r, r->path_id, "removed");
    return 303;
}

/* ---- from the contact's side ---- */

static const char SQL_CONTACT_IN_SCOPE[] = "SELECT c.id FROM contacts c WHERE ";

/* 1 when the contact is live and in the user's scope, 0 if not, or <0. */
static int contact_visible(request *r, db *d, long long id)
{
    buf sql = {0};
    buf_adds(&sql, SQL_CONTACT_IN_SCOPE);
    acl_scope_sql(&sql, &r->who.scope);
    buf_adds(&sql, " AND c.live = 1 AND c.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, acl_scope_bind(s, 0, &r->who.scope), id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    db_done(s);
    return rc;
}

static int contact_change(request *r, db *d, enum campaign_change how)
{
    long long campaign_id = form_id(r, "campaign_id"), count;
    r->object_type = "campaign";
    r->object_id = campaign_id;
    int rc = contact_visible(r, d, r->path_id);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    if (!campaign_id) {
        r->error_message = "Choose a campaign.";
        return 422;
    }
    rc = change_one(r, d, campaign_id, r->path_id, how, &count);
    if (rc != CAMP_OK)
        return rc;
    if (how == CAMPAIGN_REMOVE && count == 0) {
        buf_reset(&r->detail);
        r->error_message = "The contact is not a member of this campaign.";
        return 404;
    }
    http_redirect(r, arena_printf(r->mem, "/contacts/%lld?done=%s#campaigns", r->path_id,
                                  how == CAMPAIGN_REMOVE ? "left" : count ? "joined" : "member"));
    return 303;
}

int campaigns_contact_add(request *r, db *d)
{
    return contact_change(r, d, CAMPAIGN_ADD);
}

int campaigns_contact_remove(request *r, db *d)
{
    return contact_change(r, d, CAMPAIGN_REMOVE);
}

static const char SQL_MEMBERSHIPS[] =
    "SELECT g.id, g.name, g.archived_at, m.status, COALESCE(st.label, m.status) FROM contact_campaigns m"
    " JOIN campaigns g ON g.client_id = m.client_id AND g.id = m.campaign_id"
    " LEFT JOIN campaign_statuses st ON st.client_id = m.client_id AND st.code = m.status"
    " JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id WHERE ";
static const char SQL_JOINABLE[] =
    "SELECT g.id, g.name FROM campaigns g WHERE g.client_id = ? AND g.archived_at IS NULL"
    " AND g.id NOT IN (SELECT m.campaign_id FROM contact_campaigns m"
    " JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id WHERE ";

int campaigns_contact_panel(request *r, db *d, long long contact_id)
{
    if (!acl_allows(r->who.functions, "campaigns.view"))
        return DB_OK;
    const acl_scope *sc = &r->who.scope;
    buf sql = {0};
    buf_adds(&sql, SQL_MEMBERSHIPS);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, " AND c.live = 1 AND c.id = ?");
    acl_campaigns_sql(&sql, sc, "g.id");
    buf_adds(&sql, " ORDER BY g.archived_at IS NOT NULL, g.name, g.id");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    int p = acl_scope_bind(s, 0, sc);
    db_bind_int(s, p++, contact_id);
    acl_campaigns_bind(s, p, sc);
    int rc = db_run(s);
    for (int i = 0; rc == DB_OK && (rc = db_next(s)) == 1; i++, rc = DB_OK) {
        page_set(r->pg, db_text(s, 0, NULL), "Memberships.%d.id", i);
        page_set(r->pg, db_text(s, 1, NULL), "Memberships.%d.name", i);
        page_set(r->pg, db_text(s, 2, NULL), "Memberships.%d.archived_at", i);
        page_set(r->pg, db_text(s, 3, NULL), "Memberships.%d.status", i);
        page_set(r->pg, db_text(s, 4, NULL), "Memberships.%d.status_label", i);
    }
    if (rc < 0) {
        buf_free(&sql);
        return rc;
    }
    if (acl_allows(r->who.functions, "campaigns.manage")) {
        buf_adds(&sql, SQL_JOINABLE);
        acl_scope_sql(&sql, sc);
        buf_adds(&sql, " AND c.live = 1 AND c.id = ?)");
        acl_campaigns_sql(&sql, sc, "g.id");
        buf_adds(&sql, " ORDER BY g.name, g.id");
        s = db_stmt_get(d, buf_str(&sql));
        if (!s) {
            buf_free(&sql);
            return DB_ERR;
        }
        db_bind_int(s, 0, sc->client_id);
        p = acl_scope_bind(s, 1, sc);
        db_bind_int(s, p++, contact_id);
        acl_campaigns_bind(s, p, sc);
        rc = db_run(s);
        for (int i = 0; rc == DB_OK && (rc = db_next(s)) == 1; i++, rc = DB_OK) {
            page_set(r->pg, db_text(s, 0, NULL), "JoinChoices.%d.id", i);
            page_set(r->pg, db_text(s, 1, NULL), "JoinChoices.%d.name", i);
        }
        if (rc < 0) {
            buf_free(&sql);
            return rc;
        }
    }
    buf_free(&sql);
    page_set(r->pg, "1", "CampaignPanel");
    put_flash(r);
    return DB_OK;
}

/* ---- the contacts list: campaign filter and bulk changes ---- */

static const char SQL_VISIBLE[] = "SELECT g.id, g.name, g.archived_at FROM campaigns g WHERE g.client_id = ?";

/* Campaigns.N.{id,name,archived} (prefix "Campaigns"), optionally only the
 * active ones. */
static int put_visible(request *r, db *d, const char *prefix, bool active_only)
{
    buf sql = {0};
    buf_adds(&sql, SQL_VISIBLE);
    acl_campaigns_sql(&sql, &r->who.scope, "g.id");
    buf_adds(&sql, active_only ? " AND g.archived_at IS NULL ORDER BY g.name, g.id"
                               : " ORDER BY g.archived_at IS NOT NULL, g.name, g.id");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    acl_campaigns_bind(s, 1, &r->who.scope);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    int active = 0;
    for (int i = 0; (rc = db_next(s)) == 1; i++) {
        page_set(r->pg, db_text(s, 0, NULL), "%s.%d.id", prefix, i);
        page_set(r->pg, db_text(s, 1, NULL), "%s.%d.name", prefix, i);
        page_set(r->pg, db_is_null(s, 2) ? "0" : "1", "%s.%d.archived", prefix, i);
        active += db_is_null(s, 2);
    }
    page_set_int(r->pg, active, "%sActive", prefix);
    return rc < 0 ? rc : DB_OK;
}

int campaigns_list_choices(request *r, db *d)
{
    if (!acl_allows(r->who.functions, "campaigns.view") && !acl_allows(r->who.functions, "contacts.bulk_edit"))
        return DB_OK;
    int rc = put_visible(r, d, "Campaigns", false);
    if (rc != DB_OK || (rc = put_statuses(r, d)) != DB_OK)
        return rc;
    /* The report of a bulk change just made: a number and a campaign the
     * user can see, never text from the address. */
    const char *done = params_get(&r->qs, "bulk");
    const char *n = params_get(&r->qs, "n");
    const char *in = params_get(&r->qs, "in");
    int64_t count, cid;
    if (done && n && in && (strcmp(done, "added") == 0 || strcmp(done, "removed") == 0) &&
        parse_i64(n, strlen(n), 0, INT64_MAX, &count) == 0 && parse_i64(in, strlen(in), 1, INT64_MAX, &cid) == 0) {
        campaign_op op = op_for(r, d);
        campaign_info g;
        if ((rc = campaign_get(&op, cid, false, &g)) < 0)
            return rc;
        if (rc == 1) {
            page_set(r->pg,
                     arena_printf(r->mem, "%lld contact%s %s the campaign “%s”.", (long long)count,
                                  count == 1 ? " was" : "s were",
                                  strcmp(done, "added") == 0 ? "added to" : "removed from", g.name),
                     "Page.Flash");
        }
    }
    return DB_OK;
}

/* Reads the form's "which": all the matching rows (f as it is), or only
 * the ticked ones (f limited to the form's ids). Returns 0, or 422 with the
 * message (what: "contacts" or "members"). */
static int read_which(request *r, contact_filter *f, const char *what)
{
    const char *which = params_get(&r->form, "which");
    if (!which || (strcmp(which, "all") && strcmp(which, "selected"))) {
        r->error_message = arena_printf(r->mem, "Say whether all the matching %s or only the ticked ones are meant.", what);
        return 422;
    }
    if (strcmp(which, "selected") == 0) {
        long long ids[MAX_CHOSEN];
        size_t n = 0;
        for (size_t i = 0; i < r->form.n; i++) {
            const param *pa = &r->form.v[i];
            if (strcmp(pa->name, "id") != 0)
                continue;
            int64_t v;
            if (parse_i64(pa->value, pa->len, 1, INT64_MAX, &v) != 0) {
                r->error_message = "The ticked rows are not contact numbers.";
                return 422;
            }
            if (n == MAX_CHOSEN) {
                r->error_message = arena_printf(r->mem, "Tick at most %d %s at a time.", MAX_CHOSEN, what);
                return 422;
            }
            ids[n++] = v;
        }
        if (n == 0) {
            r->error_message = arena_printf(r->mem, "Tick the %s first, or choose all the matching %s.", what, what);
            return 422;
        }
        filter_set_ids(r->mem, f, ids, n);
    }
    return 0;
}

static int bulk(request *r, db *d, enum campaign_change how)
{
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    long long campaign_id = form_id(r, "campaign_id");
    r->object_type = "campaign";
    r->object_id = campaign_id;
    if (!campaign_id) {
        r->error_message = "Choose a campaign.";
        return 422;
    }
    if ((rc = read_which(r, &f, "contacts")) != 0)
        return rc;
    campaign_op op = op_for(r, d);
    long long count;
    rc = campaign_members_change(&op, campaign_id, how, &f, &count);
    if (rc != CAMP_OK)
        return op_failed(r, &op, rc);
    /* Back to the same list, with the report. */
    contact_filter shown = f;
    shown.ids = NULL;
    buf loc = {0};
    buf_adds(&loc, "/contacts?");
    filter_query(&loc, &shown);
    if (loc.len > strlen("/contacts?"))
        buf_addc(&loc, '&');
    buf_printf(&loc, "bulk=%s&n=%lld&in=%lld", how == CAMPAIGN_ADD ? "added" : "removed", count, campaign_id);
    http_redirect(r, arena_strdup(r->mem, buf_str(&loc)));
    buf_free(&loc);
    return 303;
}

int campaigns_bulk_add(request *r, db *d)
{
    return bulk(r, d, CAMPAIGN_ADD);
}

int campaigns_bulk_remove(request *r, db *d)
{
    return bulk(r, d, CAMPAIGN_REMOVE);
}

int campaigns_bulk_status(request *r, db *d)
{
    contact_filter f;
    r->object_type = "campaign";
    r->object_id = r->path_id;
    int rc = filter_parse_campaign(r, d, &f, r->path_id);
    if (rc != 0 || (rc = read_which(r, &f, "members")) != 0)
        return rc;
    size_t n;
    const char *to = params_getn(&r->form, "to", &n);
    campaign_op op = op_for(r, d);
    long long count;
    if ((rc = campaign_members_set_status(&op, r->path_id, &f, to, n, &count)) != CAMP_OK)
        return op_failed(r, &op, rc);
    /* Back to the same page of the campaign, filter kept, with the number. */
    contact_filter shown = f;
    shown.ids = NULL;
    shown.campaign = 0;
    buf loc = {0};
    buf_printf(&loc, "/campaigns/%lld?", r->path_id);
    filter_query(&loc, &shown);
    buf_printf(&loc, "%sdone=statuses&n=%lld", loc.data[loc.len - 1] == '?' ? "" : "&", count);
    http_redirect(r, arena_strdup(r->mem, buf_str(&loc)));
    buf_free(&loc);
    return 303;
}

/* ---- a campaign-limited user's new contact ---- */

int campaigns_new_contact_choices(request *r, db *d)
{
    if (r->who.scope.all_campaigns)
        return DB_OK;
    page_set(r->pg, "1", "Form.NeedCampaign");
    return put_visible(r, d, "NewCampaigns", true);
}

int campaigns_new_contact_read(request *r, db *d, long long *campaign_id)
{
    *campaign_id = 0;
    if (r->who.scope.all_campaigns)
        return 0;
    size_t n;
    const char *v = params_getn(&r->form, "campaign", &n);
    int64_t id = 0;
    if (!v || n == 0) {
        page_set(r->pg, "is needed: choose one of your campaigns", "Errors.campaign");
        return 1;
    }
    page_setn(r->pg, v, n, "Contact.campaign");
    campaign_op op = op_for(r, d);
    campaign_info g;
    int rc = 0;
    /* Locked until the contact joins it, later in this transaction. */
    if (parse_i64(v, n, 1, INT64_MAX, &id) == 0 && (rc = campaign_get(&op, id, true, &g)) < 0)
        return rc;
    if (rc != 1 || g.archived_at) {
        page_set(r->pg, rc == 1 ? "is archived: choose an active campaign" : "is not one of your campaigns",
                 "Errors.campaign");
        return 1;
    }
    *campaign_id = id;
    return 0;
}

/* The new contact is not in a campaign-limited user's scope until it joins,
 * so this statement checks the rest of the scope itself: the client, the
 * user's regions, and a campaign of theirs. */
static const char SQL_JOIN_NEW[] =
    "INSERT INTO contact_campaigns (client_id, campaign_id, contact_id, status, added_at, updated_at)"
    " SELECT c.client_id, g.id, c.id, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM contacts c"
    " JOIN campaigns g ON g.client_id = c.client_id AND g.id = ? AND g.archived_at IS NULL"
    " WHERE c.client_id = ? AND c.id = ? AND c.live = 1";

int campaigns_new_contact_join(request *r, db *d, long long contact_id, long long campaign_id)
{
    if (!campaign_id)
        return DB_OK;
    campaign_op op = op_for(r, d);
    campaign_info g;
    int rc = campaign_get(&op, campaign_id, true, &g);
    if (rc <= 0)
        return rc == 0 ? DB_ERR : rc;
    const char *initial;
    if ((rc = campaign_status_initial(d, r->mem, r->who.client_id, &initial)) != DB_OK)
        return rc;
    buf sql = {0};
    buf_adds(&sql, SQL_JOIN_NEW);
    acl_regions_sql(&sql, &r->who.scope, "c.region_id");
    acl_campaigns_sql(&sql, &r->who.scope, "g.id");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, initial);
    db_bind_int(s, 1, campaign_id);
    db_bind_int(s, 2, r->who.client_id);
    db_bind_int(s, 3, contact_id);
    int p = acl_regions_bind(s, 4, &r->who.scope);
    acl_campaigns_bind(s, p, &r->who.scope);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if (db_affected(s) != 1)
        return DB_ERR;
    buf_printf(&r->detail, ",\"campaign\":{\"id\":%lld,\"name\":", g.id);
    json_add_cstr(&r->detail, g.name);
    buf_adds(&r->detail, ",\"status\":{\"old\":null,\"new\":");
    json_add_cstr(&r->detail, initial);
    buf_adds(&r->detail, "}}");
    return DB_OK;
}

/* ---- the forward move of an activity (activities.c) ---- */

/* The member (in the scope) and the position of its status (NULL when its
 * status is not one of the client's). */
static const char SQL_ADVANCE_READ[] =
    "SELECT m.status, s.position FROM contact_campaigns m"
    " JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id"
    " LEFT JOIN campaign_statuses s ON s.client_id = m.client_id AND s.code = m.status WHERE ";
static const char SQL_ADVANCE_READ_END[] = " AND c.live = 1 AND c.id = ? AND m.campaign_id = ? FOR UPDATE";

int campaigns_advance(request *r, db *d, long long contact_id, long long campaign_id, const char *to_code,
                      const char **old_code)
{
    *old_code = NULL;
    campaign_op op = op_for(r, d);
    campaign_info g;
    int rc = campaign_get(&op, campaign_id, true, &g);
    if (rc <= 0)
        return rc == 0 ? CAMPAIGN_ADVANCE_INVALID : rc;
    if (g.archived_at)
        return CAMPAIGN_ADVANCE_INVALID;
    const acl_scope *sc = &r->who.scope;
    /* In share mode, like every write of a code into a membership. */
    campaign_status target;
    if ((rc = campaign_status_get(d, r->mem, sc->client_id, to_code, strlen(to_code), true, &target)) <= 0)
        return rc == 0 ? CAMPAIGN_ADVANCE_INVALID : rc;
    const char *to = target.code;
    long long to_pos = target.position;

    buf sql = {0};
    buf_adds(&sql, SQL_ADVANCE_READ);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_ADVANCE_READ_END);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    int p = acl_scope_bind(s, 0, sc);
    db_bind_int(s, p++, contact_id);
    db_bind_int(s, p, campaign_id);
    if ((rc = db_run(s)) != DB_OK || (rc = db_next(s)) < 0) {
        buf_free(&sql);
        return rc < 0 ? rc : DB_ERR;
    }
    if (rc == 0) {
        buf_free(&sql);
        return CAMPAIGN_ADVANCE_INVALID;
    }
    const char *old = arena_strdup(r->mem, db_text(s, 0, NULL));
    /* A status the client no longer lists has no place in the order: it is
     * never moved from, so nothing is lost by guessing. */
    bool known = !db_is_null(s, 1);
    long long old_pos = db_int(s, 1);
    db_done(s);
    *old_code = old;
    if (known && old_pos == to_pos) {
        buf_free(&sql);
        return CAMPAIGN_ADVANCE_SAME;
    }
    if (!known || to_pos < old_pos) {
        buf_free(&sql);
        buf_printf(&r->detail, ",\"status_ignored\":{\"campaign\":{\"id\":%lld,\"name\":", g.id);
        json_add_cstr(&r->detail, g.name);
        buf_adds(&r->detail, "},\"current\":");
        json_add_cstr(&r->detail, old);
        buf_adds(&r->detail, ",\"asked\":");
        json_add_cstr(&r->detail, to);
        buf_addc(&r->detail, '}');
        return CAMPAIGN_ADVANCE_BACKWARD;
    }
    buf_adds(&sql, SQL_STATUS);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_STATUS_END);
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, to);
    db_bind_int(s, 1, sc->client_id);
    db_bind_int(s, 2, campaign_id);
    db_bind_int(s, acl_scope_bind(s, 3, sc), contact_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    buf_printf(&r->detail, ",\"status\":{\"campaign\":{\"id\":%lld,\"name\":", g.id);
    json_add_cstr(&r->detail, g.name);
    buf_adds(&r->detail, "},\"old\":");
    json_add_cstr(&r->detail, old);
    buf_adds(&r->detail, ",\"new\":");
    json_add_cstr(&r->detail, to);
    buf_addc(&r->detail, '}');
    return CAMPAIGN_ADVANCE_MOVED;
}
