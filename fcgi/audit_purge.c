/* audit_purge: retention and purge of the audit trail. */
#include "audit_purge.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_chain.h"
#include "log.h"

#define BATCH 1000

static const char SQL_RETENTION_GET[] = "SELECT audit_retention_days FROM clients WHERE id = ?";
static const char SQL_RETENTION_SET[] = "UPDATE clients SET audit_retention_days = ? WHERE id = ?";
static const char SQL_CHAINS[] =
    "SELECT DISTINCT chain FROM audit WHERE chain_client = ? AND chain IS NOT NULL ORDER BY chain";
/* The first row to keep: the oldest (by seq) from the cut-off on. */
static const char SQL_KEEP_FROM[] =
    "SELECT seq FROM audit WHERE chain_client = ? AND chain = ? AND at >= ? ORDER BY seq LIMIT 1";
static const char SQL_LAST[] = "SELECT MAX(seq) FROM audit WHERE chain_client = ? AND chain = ?";
static const char SQL_FIRST[] = "SELECT MIN(seq) FROM audit WHERE chain_client = ? AND chain = ?";
static const char SQL_BATCH[] =
    "SELECT seq, hash, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f') FROM audit"
    " WHERE chain_client = ? AND chain = ? AND seq < ? ORDER BY seq LIMIT 1000";
static const char SQL_DEL_CONTACTS[] =
    "DELETE ac FROM audit_contacts ac JOIN audit a ON a.id = ac.audit_id"
    " WHERE a.chain_client = ? AND a.chain = ? AND a.seq <= ?";
static const char SQL_DEL_ROWS[] = "DELETE FROM audit WHERE chain_client = ? AND chain = ? AND seq <= ?";
static const char SQL_ANCHOR[] =
    "INSERT INTO audit_anchors (chain_client, chain, seq, hash, at, purged_at, mac)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6), ?) ON DUPLICATE KEY UPDATE"
    " seq = VALUES(seq), hash = VALUES(hash), at = VALUES(at), purged_at = VALUES(purged_at), mac = VALUES(mac)";
/* One purge at a time: two would race for the same anchors. */
static const char SQL_LOCK[] = "SELECT GET_LOCK(CONCAT('ctrack.purge.', LEFT(DATABASE(), 40)), 0)";
static const char SQL_UNLOCK[] = "SELECT RELEASE_LOCK(CONCAT('ctrack.purge.', LEFT(DATABASE(), 40)))";

int audit_retention_get(db *d, long long client_id, bool *found, int *days)
{
    *found = false;
    *days = 0;
    db_stmt *s = db_stmt_get(d, SQL_RETENTION_GET);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    if (rc == DB_OK && (rc = db_next(s)) == 1) {
        *found = true;
        *days = (int)db_int(s, 0);
        rc = DB_OK;
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

int audit_retention_set(db *d, long long client_id, int days)
{
    db_stmt *s = db_stmt_get(d, SQL_RETENTION_SET);
    if (!s)
        return DB_ERR;
    if (days > 0)
        db_bind_int(s, 0, days);
    else
        db_bind_null(s, 0);
    db_bind_int(s, 1, client_id);
    return db_run(s);
}

static int chain_int(db *d, const char *sql, long long client, long long chain, const char *at, long long *out)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client);
    db_bind_int(s, 1, chain);
    if (at)
        db_bind_str(s, 2, at);
    *out = -1;
    int rc = db_run(s);
    if (rc == DB_OK && (rc = db_next(s)) == 1) {
        if (!db_is_null(s, 0))
            *out = db_int(s, 0);
        rc = DB_OK;
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* Removes rows seq < keep_from of one chain, a batch per transaction. */
static int purge_chain(db *d, const unsigned char key[32], long long client, long long chain, long long keep_from,
                       long long *removed)
{
    for (;;) {
        int rc = db_begin(d);
        db_stmt *s = rc == DB_OK ? db_stmt_get(d, SQL_BATCH) : NULL;
        if (rc == DB_OK && !s)
            rc = DB_ERR;
        long long last = -1, n = 0;
        unsigned char hash[AUDIT_HASH_LEN];
        char at[32] = "";
        if (rc == DB_OK) {
            db_bind_int(s, 0, client);
            db_bind_int(s, 1, chain);
            db_bind_int(s, 2, keep_from);
            rc = db_run(s);
        }
        while (rc == DB_OK && (rc = db_next(s)) == 1) {
            size_t hl = 0, al = 0;
            const char *h = db_text(s, 1, &hl);
            const char *a = db_text(s, 2, &al);
            last = db_int(s, 0);
            n++;
            if (!h || hl != AUDIT_HASH_LEN || !a || al >= sizeof at) {
                log_error("audit purge: chain %lld/%lld seq %lld has no proper hash; run `ctrack audit verify`",
                          client, chain, last);
                rc = DB_ERR;
                break;
            }
            memcpy(hash, h, AUDIT_HASH_LEN);
            memcpy(at, a, al);
            at[al] = '\0';
            rc = DB_OK;
        }
        if (s)
            db_done(s);
        if (rc != DB_OK || n == 0) {
            db_rollback(d);
            return rc < 0 ? rc : DB_OK;
        }
        static const char *const dels[] = {SQL_DEL_CONTACTS, SQL_DEL_ROWS};
        for (size_t i = 0; i < CT_ARRAY_LEN(dels) && rc == DB_OK; i++) {
            db_stmt *del = db_stmt_get(d, dels[i]);
            if (!del) {
                rc = DB_ERR;
                break;
            }
            db_bind_int(del, 0, client);
            db_bind_int(del, 1, chain);
            db_bind_int(del, 2, last);
            rc = db_run(del);
        }
        if (rc == DB_OK) {
            db_stmt *an = db_stmt_get(d, SQL_ANCHOR);
            if (!an) {
                rc = DB_ERR;
            } else {
                db_bind_int(an, 0, client);
                db_bind_int(an, 1, chain);
                db_bind_int(an, 2, last);
                audit_head h = {.chain_client = client, .chain = chain, .seq = last};
                memcpy(h.hash, hash, sizeof hash);
                unsigned char mac[AUDIT_HASH_LEN];
                if (audit_anchor_mac(key, &h, at, strlen(at), mac) != 0) {
                    rc = DB_ERR;
                } else {
                    db_bind_blob(an, 3, hash, sizeof hash);
                    db_bind_str(an, 4, at);
                    db_bind_blob(an, 5, mac, sizeof mac);
                    rc = db_run(an);
                }
            }
        }
        if (rc == DB_OK)
            rc = db_commit(d);
        if (rc != DB_OK) {
            db_rollback(d);
            return rc;
        }
        *removed += n;
        if (n < BATCH)
            return DB_OK;
    }
}

int audit_purge_client(db *d, const unsigned char key[32], long long client_id, int days, bool dry_run,
                       long long *removed, buf *detail)
{
    *removed = 0;
    long long got = 0;
    db_stmt *lock = db_stmt_get(d, SQL_LOCK);
    if (!lock)
        return DB_ERR;
    int rc = db_one_int(lock, &got);
    if (rc != DB_OK)
        return rc;
    if (got != 1) {
        buf_adds(detail, "\"busy\":true");
        return AUDIT_PURGE_BUSY;
    }
    char cutoff[27];
    audit_chain_time((long long)time(NULL) - (long long)days * 86400, 0, cutoff);
    db_stmt *s = db_stmt_get(d, SQL_CHAINS);
    long long *chains = NULL;
    size_t n = 0, cap = 0;
    if (!s)
        rc = DB_ERR;
    if (rc == DB_OK) {
        db_bind_int(s, 0, client_id);
        rc = db_run(s);
    }
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            chains = xrealloc(chains, cap * sizeof *chains);
        }
        chains[n++] = db_int(s, 0);
        rc = DB_OK;
    }
    if (s)
        db_done(s);
    rc = rc < 0 ? rc : DB_OK;
    buf_printf(detail, "\"cutoff\":\"%s\",\"chains\":[", cutoff);
    size_t listed = 0;
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        long long keep_from, first, before = *removed;
        rc = chain_int(d, SQL_KEEP_FROM, client_id, chains[i], cutoff, &keep_from);
        if (rc == DB_OK && keep_from < 0) {
            /* Everything is older than the cut-off: the whole chain goes,
             * and its anchor keeps the place of its last row. */
            rc = chain_int(d, SQL_LAST, client_id, chains[i], NULL, &keep_from);
            keep_from++;
        }
        if (rc == DB_OK)
            rc = chain_int(d, SQL_FIRST, client_id, chains[i], NULL, &first);
        if (rc != DB_OK || first < 0 || keep_from <= first)
            continue;
        if (dry_run)
            *removed += keep_from - first;
        else
            rc = purge_chain(d, key, client_id, chains[i], keep_from, removed);
        if (*removed > before) {
            buf_printf(detail, "%s{\"chain\":%lld,\"from\":%lld,\"to\":%lld}", listed++ ? "," : "", chains[i], first,
                       first + (*removed - before) - 1);
        }
    }
    buf_adds(detail, "]");
    free(chains);
    db_stmt *un = db_stmt_get(d, SQL_UNLOCK);
    if (un) {
        long long ignored;
        db_one_int(un, &ignored);
    }
    return rc;
}
