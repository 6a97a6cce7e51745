/* regions: adding to a client's tree of regions and its closure. */
#include "regions.h"

#include <string.h>

#include "filter.h"

static const char SQL_ADD[] =
    "INSERT INTO regions (client_id, parent_id, kind, code, name, sort_key) VALUES (?, ?, ?, ?, ?, ?)";
/* The new region is a descendant of each ancestor of its parent (the parent
 * itself at depth 0 there), one level further down, and of itself. */
static const char SQL_CLOSURE[] =
    "INSERT INTO region_closure (client_id, ancestor_id, descendant_id, depth)"
    " SELECT client_id, ancestor_id, ?, depth + 1 FROM region_closure WHERE client_id = ? AND descendant_id = ?"
    " UNION ALL SELECT ?, ?, ?, 0";

int region_add(db *d, long long client_id, long long parent_id, const char *kind, const char *code,
               const char *name, const char *sort_key, long long *id)
{
    db_stmt *s = db_stmt_get(d, SQL_ADD);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    if (parent_id)
        db_bind_int(s, 1, parent_id);
    else
        db_bind_null(s, 1);
    db_bind_str(s, 2, kind);
    db_bind_str(s, 3, code);
    db_bind_str(s, 4, name);
    db_bind_str(s, 5, sort_key);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    *id = (long long)db_insert_id(s);
    if (!(s = db_stmt_get(d, SQL_CLOSURE)))
        return DB_ERR;
    db_bind_int(s, 0, *id);
    db_bind_int(s, 1, client_id);
    db_bind_int(s, 2, parent_id);
    db_bind_int(s, 3, client_id);
    db_bind_int(s, 4, *id);
    db_bind_int(s, 5, *id);
    return db_run(s);
}

int region_ensure(db *d, long long client_id, long long parent_id, const char *kind, const char *code,
                  const char *name, const char *sort_key, long long *id, bool *added)
{
    *added = false;
    int rc = filter_region_by_code(d, client_id, code, strlen(code), id);
    if (rc != 0)
        return rc < 0 ? rc : DB_OK;
    *added = true;
    return region_add(d, client_id, parent_id, kind, code, name, sort_key, id);
}
