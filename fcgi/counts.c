/* counts: the contact totals table. */
#include "counts.h"

static const char SQL_ADD[] =
    "INSERT INTO contact_totals (client_id, live) VALUES (?, ?) ON DUPLICATE KEY UPDATE live = live + VALUES(live)";
static const char SQL_GET[] = "SELECT live FROM contact_totals WHERE client_id = ?";

int counts_add(db *d, long long client_id, long long delta)
{
    db_stmt *s = db_stmt_get(d, SQL_ADD);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, delta);
    return db_run(s);
}

int counts_get(db *d, long long client_id, long long *out)
{
    *out = 0;
    db_stmt *s = db_stmt_get(d, SQL_GET);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc < 0)
        return rc;
    if (rc == 1)
        *out = db_int(s, 0);
    db_done(s);
    return DB_OK;
}
