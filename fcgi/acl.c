/* acl: the function catalogue and the matrix lookups. */
#include "acl.h"

#include <string.h>

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

static const char SQL_LOAD[] =
    "SELECT function_name FROM user_type_functions WHERE client_id = ? AND user_type_id = ?";

int acl_load(db *d, long long client_id, long long user_type_id, acl_set *out)
{
    *out = 0;
    db_stmt *s = db_stmt_get(d, SQL_LOAD);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_type_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        int i = index_of(db_text(s, 0, NULL));
        if (i >= 0)
            *out |= 1ULL << i;
    }
    return rc < 0 ? rc : DB_OK;
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
    " WHERE uc.client_id = ? AND uc.user_id = ?)";

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

void acl_scope_sql(buf *sql, const acl_scope *sc)
{
    buf_adds(sql, SQL_SCOPE_CLIENT);
    acl_regions_sql(sql, sc, "c.region_id");
    if (!sc->all_campaigns)
        buf_adds(sql, SQL_SCOPE_CAMPAIGNS);
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
