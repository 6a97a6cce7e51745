/* acl: the function catalogue and the matrix lookups. */
#include "acl.h"

#include <string.h>

#include "log.h"

const char *const acl_functions[] = {
    "contacts.view",   "contacts.create",   "contacts.edit",     "contacts.delete",   "contacts.export",
    "contacts.import", "contacts.bulk_edit", "activities.view",  "activities.create", "activities.edit",
    "activities.delete", "campaigns.view",  "campaigns.manage",  "reports.view",      "audit.view",
    "users.manage",    "matrix.manage",     "tokens.manage",
};
const size_t acl_function_count = sizeof acl_functions / sizeof acl_functions[0];

_Static_assert(sizeof acl_functions / sizeof acl_functions[0] <= 64, "acl_set holds 64 functions");

static int index_of(const char *name)
{
    for (size_t i = 0; i < acl_function_count; i++)
        if (strcmp(acl_functions[i], name) == 0)
            return (int)i;
    return -1;
}

bool acl_is_function(const char *name)
{
    return index_of(name) >= 0;
}

bool acl_allows(acl_set set, const char *function)
{
    int i = index_of(function);
    return i >= 0 && (set >> i) & 1ULL;
}

acl_set acl_parse_list(const char *list)
{
    acl_set set = 0;
    for (const char *p = list ? list : ""; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        for (size_t i = 0; i < acl_function_count; i++)
            if (strlen(acl_functions[i]) == n && memcmp(acl_functions[i], p, n) == 0)
                set |= 1ULL << i;
        p += n + (e ? 1 : 0);
    }
    return set;
}

/* The two limits. Each is a semi-join the optimizer can drive from either
 * side: from the user's few regions or campaigns towards the contacts, or
 * from a page of contacts towards the membership keys. */
static const char SQL_SCOPE_CLIENT[] = "c.client_id = ?";
static const char SQL_SCOPE_REGIONS[] =
    " IN (SELECT rc.descendant_id FROM user_regions ur"
    " JOIN region_closure rc ON rc.client_id = ur.client_id AND rc.ancestor_id = ur.region_id"
    " WHERE ur.client_id = ? AND ur.user_id = ?)";
static const char SQL_SCOPE_CAMPAIGNS[] =
    " AND c.id IN (SELECT cc.contact_id FROM user_campaigns uc"
    " JOIN contact_campaigns cc ON cc.client_id = uc.client_id AND cc.campaign_id = uc.campaign_id"
    " WHERE uc.client_id = ? AND uc.user_id = ?";

void acl_regions_sql(buf *sql, const acl_scope *sc, const char *column)
{
    if (sc->all_regions)
        return;
    buf_printf(sql, " AND %s", column);
    buf_adds(sql, SQL_SCOPE_REGIONS);
}

int acl_regions_bind(db_stmt *s, int p, const acl_scope *sc)
{
    if (!sc->all_regions) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_int(s, p++, sc->user_id);
    }
    return p;
}

static const char SQL_CAMPAIGNS_OF_USER[] =
    " IN (SELECT uc.campaign_id FROM user_campaigns uc WHERE uc.client_id = ? AND uc.user_id = ?)";

void acl_campaigns_sql(buf *sql, const acl_scope *sc, const char *column)
{
    if (sc->all_campaigns)
        return;
    buf_printf(sql, " AND %s", column);
    buf_adds(sql, SQL_CAMPAIGNS_OF_USER);
}

int acl_campaigns_bind(db_stmt *s, int p, const acl_scope *sc)
{
    if (!sc->all_campaigns) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_int(s, p++, sc->user_id);
    }
    return p;
}

/* Limited by both, a membership counts only when its copy of the contact's
 * region (contact_campaigns.region_id, kept by the triggers of sql/008)
 * equals the contact's region, which the region limit checks: MariaDB then
 * reads exactly the user's members in the user's regions from
 * contact_campaigns_region (25 regions x 2 campaigns of lookups at
 * 1,000,000 contacts), instead of intersecting every contact of the regions
 * with every member of the campaigns. The condition can only narrow the
 * scope: a wrong copy hides a contact, never shows one. (The same region
 * subquery a second time, on cc.region_id, made MariaDB join the two
 * subqueries' regions with each other: ten times slower.) */
static const char SQL_SCOPE_SAME_REGION[] = " AND cc.region_id = c.region_id";

void acl_scope_sql(buf *sql, const acl_scope *sc)
{
    buf_adds(sql, SQL_SCOPE_CLIENT);
    acl_regions_sql(sql, sc, "c.region_id");
    if (!sc->all_campaigns) {
        buf_adds(sql, SQL_SCOPE_CAMPAIGNS);
        if (!sc->all_regions)
            buf_adds(sql, SQL_SCOPE_SAME_REGION);
        buf_addc(sql, ')');
    }
}

int acl_scope_bind(db_stmt *s, int p, const acl_scope *sc)
{
    db_bind_int(s, p++, sc->client_id);
    p = acl_regions_bind(s, p, sc);
    if (!sc->all_campaigns) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_int(s, p++, sc->user_id);
    }
    return p;
}

bool acl_scope_limited(const acl_scope *sc)
{
    return !sc->all_regions || !sc->all_campaigns;
}

static const char SQL_REGION_ALLOWED[] =
    "SELECT 1 FROM user_regions ur JOIN region_closure rc ON rc.client_id = ur.client_id"
    " AND rc.ancestor_id = ur.region_id WHERE ur.client_id = ? AND ur.user_id = ? AND rc.descendant_id = ?"
    " LIMIT 1";

int acl_region_allowed(db *d, const acl_scope *sc, long long region_id)
{
    if (sc->all_regions)
        return 1;
    if (!region_id)
        return 0;
    db_stmt *s = db_stmt_get(d, SQL_REGION_ALLOWED);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, sc->client_id);
    db_bind_int(s, 1, sc->user_id);
    db_bind_int(s, 2, region_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    db_done(s);
    return rc;
}

/* ---- explaining the scope ---- */

/* The contact as its own client sees it. */
static const char SQL_EXPLAIN_CONTACT[] =
    "SELECT c.live, c.region_id, CONCAT(r.name, ' (', r.code, ')')"
    " FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id WHERE ";
/* Only whether the id exists at all, to tell "another client's" from "no
 * such contact"; nothing of the row is read. */
static const char SQL_EXPLAIN_ANY_CLIENT[] = "SELECT 1 FROM contacts c WHERE c.id = ?";
/* The same join as the region limit, naming the nearest of the user's
 * regions above the contact's. */
static const char SQL_EXPLAIN_VIA_REGION[] =
    "SELECT CONCAT(g.name, ' (', g.code, ')') FROM user_regions ur"
    " JOIN region_closure rc ON rc.client_id = ur.client_id AND rc.ancestor_id = ur.region_id"
    " JOIN regions g ON g.client_id = ur.client_id AND g.id = ur.region_id"
    " WHERE ur.client_id = ? AND ur.user_id = ? AND rc.descendant_id = ? ORDER BY rc.depth, g.sort_key LIMIT 1";
static const char SQL_EXPLAIN_USER_REGIONS[] =
    "SELECT GROUP_CONCAT(CONCAT(g.name, ' (', g.code, ')') ORDER BY g.sort_key SEPARATOR ', ')"
    " FROM user_regions ur JOIN regions g ON g.client_id = ur.client_id AND g.id = ur.region_id"
    " WHERE ur.client_id = ? AND ur.user_id = ?";
/* The same join as the campaign limit. */
static const char SQL_EXPLAIN_VIA_CAMPAIGN[] =
    "SELECT k.name FROM user_campaigns uc"
    " JOIN contact_campaigns cc ON cc.client_id = uc.client_id AND cc.campaign_id = uc.campaign_id"
    " JOIN campaigns k ON k.client_id = uc.client_id AND k.id = uc.campaign_id"
    " WHERE uc.client_id = ? AND uc.user_id = ? AND cc.contact_id = ? ORDER BY k.name, k.id LIMIT 1";
static const char SQL_EXPLAIN_USER_CAMPAIGNS[] =
    "SELECT GROUP_CONCAT(k.name ORDER BY k.name SEPARATOR ', ')"
    " FROM user_campaigns uc JOIN campaigns k ON k.client_id = uc.client_id AND k.id = uc.campaign_id"
    " WHERE uc.client_id = ? AND uc.user_id = ?";

/* Runs s (parameters bound) and copies the first column of its first row
 * into a; *out stays NULL without a row or for SQL NULL. enum db_rc. */
static int first_text(db_stmt *s, arena *a, const char **out)
{
    *out = NULL;
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        size_t n;
        const char *t = db_text(s, 0, &n);
        if (t)
            *out = arena_strndup(a, t, n);
    }
    db_done(s);
    return DB_OK;
}

/* The user's regions or campaigns as one list. */
static int user_list(db *d, arena *a, const acl_scope *sc, const char *sql, const char **out)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, sc->client_id);
    db_bind_int(s, 1, sc->user_id);
    int rc = first_text(s, a, out);
    if (rc == DB_OK && !*out)
        *out = "";
    return rc;
}

static int via(db *d, arena *a, const acl_scope *sc, const char *sql, long long id, const char **out)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, sc->client_id);
    db_bind_int(s, 1, sc->user_id);
    db_bind_int(s, 2, id);
    return first_text(s, a, out);
}

/* 1 when the scope condition itself lets the user see the live contact. */
static int scope_sees(db *d, const acl_scope *sc, long long contact_id)
{
    buf sql = {0};
    buf_adds(&sql, "SELECT COUNT(*) FROM contacts c WHERE ");
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, " AND c.live = 1 AND c.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, acl_scope_bind(s, 0, sc), contact_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc < 0)
        return rc;
    long long n = rc == 1 ? db_int(s, 0) : 0;
    db_done(s);
    return n > 0 ? 1 : 0;
}

static int explain_contact(db *d, arena *a, const acl_scope *sc, long long contact_id, acl_explanation *e,
                           long long *region_id)
{
    acl_scope whole = {.client_id = sc->client_id, .user_id = sc->user_id, .all_regions = true,
                       .all_campaigns = true};
    buf sql = {0};
    buf_adds(&sql, SQL_EXPLAIN_CONTACT);
    acl_scope_sql(&sql, &whole);
    buf_adds(&sql, " AND c.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, acl_scope_bind(s, 0, &whole), contact_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    if (rc == 1) {
        bool live = !db_is_null(s, 0);
        *region_id = db_int(s, 1);
        const char *rn = db_text(s, 2, NULL);
        e->region = rn ? arena_strdup(a, rn) : NULL;
        db_done(s);
        e->why = live ? ACL_WHY_ALLOWED : ACL_WHY_DELETED;
        return DB_OK;
    }
    s = db_stmt_get(d, SQL_EXPLAIN_ANY_CLIENT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, contact_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    db_done(s);
    e->why = rc == 1 ? ACL_WHY_OTHER_CLIENT : ACL_WHY_NOT_FOUND;
    return DB_OK;
}

int acl_explain(db *d, arena *a, const acl_scope *sc, long long contact_id, acl_explanation *out)
{
    acl_explanation *e = out;
    memset(e, 0, sizeof *e);
    e->contact_id = contact_id;
    e->all_regions = sc->all_regions;
    e->all_campaigns = sc->all_campaigns;
    e->user_regions = e->user_campaigns = "";
    int rc;
    if (!sc->all_regions && (rc = user_list(d, a, sc, SQL_EXPLAIN_USER_REGIONS, &e->user_regions)) != DB_OK)
        return rc;
    if (!sc->all_campaigns &&
        (rc = user_list(d, a, sc, SQL_EXPLAIN_USER_CAMPAIGNS, &e->user_campaigns)) != DB_OK)
        return rc;
    long long region_id = 0;
    if ((rc = explain_contact(d, a, sc, contact_id, e, &region_id)) != DB_OK)
        return rc;
    if (e->why != ACL_WHY_ALLOWED)
        return DB_OK;
    if (!sc->all_regions) {
        if (!region_id) {
            e->why = ACL_WHY_NO_REGION;
        } else {
            if ((rc = via(d, a, sc, SQL_EXPLAIN_VIA_REGION, region_id, &e->via_region)) != DB_OK)
                return rc;
            if (!e->via_region)
                e->why = ACL_WHY_REGION;
        }
    }
    if (e->why == ACL_WHY_ALLOWED && !sc->all_campaigns) {
        if ((rc = via(d, a, sc, SQL_EXPLAIN_VIA_CAMPAIGN, contact_id, &e->via_campaign)) != DB_OK)
            return rc;
        if (!e->via_campaign)
            e->why = ACL_WHY_CAMPAIGN;
    }
    int sees = scope_sees(d, sc, contact_id);
    if (sees < 0)
        return sees;
    if ((sees == 1) != (e->why == ACL_WHY_ALLOWED)) {
        log_error("bug: acl_explain says %s for contact %lld and user %lld, the scope condition says %s",
                  acl_why_name(e->why), contact_id, sc->user_id, sees ? "visible" : "invisible");
        return DB_ERR;
    }
    return DB_OK;
}

const char *acl_why_name(enum acl_why why)
{
    switch (why) {
    case ACL_WHY_ALLOWED:
        return "allowed";
    case ACL_WHY_OTHER_CLIENT:
        return "other_client";
    case ACL_WHY_NOT_FOUND:
        return "not_found";
    case ACL_WHY_DELETED:
        return "deleted";
    case ACL_WHY_NO_REGION:
        return "no_region";
    case ACL_WHY_REGION:
        return "region";
    case ACL_WHY_CAMPAIGN:
        return "campaign";
    }
    return "unknown";
}

static void list_or_none(buf *out, const char *list, const char *none)
{
    buf_adds(out, list && list[0] ? list : none);
}

void acl_explain_text(buf *out, const acl_explanation *e)
{
    long long id = e->contact_id;
    switch (e->why) {
    case ACL_WHY_ALLOWED:
        buf_printf(out, "Yes: contact %lld is visible. ", id);
        if (e->all_regions)
            buf_adds(out, "Geography: the user has all regions. ");
        else
            buf_printf(out, "Geography: its region %s is under the user's region %s. ",
                       e->region ? e->region : "?", e->via_region ? e->via_region : "?");
        if (e->all_campaigns)
            buf_adds(out, "Campaigns: the user has all campaigns.");
        else
            buf_printf(out, "Campaigns: it is in the user's campaign %s.", e->via_campaign ? e->via_campaign : "?");
        return;
    case ACL_WHY_OTHER_CLIENT:
        buf_printf(out, "No: contact %lld belongs to another client.", id);
        return;
    case ACL_WHY_NOT_FOUND:
        buf_printf(out, "No: there is no contact %lld in this client.", id);
        return;
    case ACL_WHY_DELETED:
        buf_printf(out, "No: contact %lld was deleted; deleted contacts are visible to nobody.", id);
        return;
    case ACL_WHY_NO_REGION:
        buf_printf(out, "No: contact %lld has no region, and the user sees only contacts in their regions: ", id);
        list_or_none(out, e->user_regions, "none (the user has no regions)");
        buf_addc(out, '.');
        return;
    case ACL_WHY_REGION:
        buf_printf(out, "No: contact %lld is in %s, which is not under any of the user's regions: ", id,
                   e->region ? e->region : "?");
        list_or_none(out, e->user_regions, "none (the user has no regions)");
        buf_addc(out, '.');
        return;
    case ACL_WHY_CAMPAIGN:
        buf_printf(out, "No: contact %lld is not in any of the user's campaigns: ", id);
        list_or_none(out, e->user_campaigns, "none (the user has no campaigns)");
        buf_addc(out, '.');
        return;
    }
}
