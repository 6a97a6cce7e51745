/* lockout: failed logons counted per username and per address (lockout.h).
 *
 * Failures of one username count one after the other: each first takes the
 * username's row of login_locks (inserting it if need be), so that two
 * guesses at the same moment cannot both see four earlier failures. The
 * count is a locking read, so it sees failures committed after this
 * transaction began. */
#include "lockout.h"

#include "log.h"

static const char SQL_CHECK[] =
    "SELECT (SELECT COUNT(*) FROM login_locks WHERE username = ? AND locked_until > UTC_TIMESTAMP(6)),"
    " (SELECT COUNT(*) FROM login_failures WHERE remote_addr = ?"
    "  AND at > UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
static const char SQL_TAKE[] =
    "INSERT INTO login_locks (username) VALUES (?) ON DUPLICATE KEY UPDATE locked_until = locked_until";
/* Under the row lock taken by SQL_TAKE: a guess that was checked before a
 * concurrent one locked the username must not count (or lock) again. */
static const char SQL_LOCKED[] =
    "SELECT locked_until > UTC_TIMESTAMP(6) FROM login_locks WHERE username = ? FOR UPDATE";
static const char SQL_RECORD[] =
    "INSERT INTO login_failures (at, username, remote_addr) VALUES (UTC_TIMESTAMP(6), ?, ?)";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > UTC_TIMESTAMP(6) - INTERVAL ? MINUTE"
    " LOCK IN SHARE MODE";
static const char SQL_LOCK[] =
    "UPDATE login_locks SET locked_until = UTC_TIMESTAMP(6) + INTERVAL ? MINUTE WHERE username = ?";
/* A username's failures older than a day count for nothing any more. */
static const char SQL_FORGET_OLD[] =
    "DELETE FROM login_failures WHERE username = ? AND at < UTC_TIMESTAMP(6) - INTERVAL 1 DAY";
static const char SQL_FORGET[] = "DELETE FROM login_failures WHERE username = ?";
static const char SQL_CLEAR[] = "DELETE FROM login_locks WHERE username = ?";
static const char SQL_UNLOCK[] =
    "UPDATE login_locks SET locked_until = NULL WHERE username = ? AND locked_until > UTC_TIMESTAMP(6)";

/* Runs a statement binding the username alone. */
static int by_username(db *d, const char *sql, const char *username, long long *affected)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, username);
    int rc = db_run(s);
    if (rc == DB_OK && affected)
        *affected = (long long)db_affected(s);
    return rc;
}

/* Whether the username is locked, read under its row lock (taken first):
 * the latest word, whatever this transaction read before. 0/1 or db rc. */
static int locked_now(db *d, const char *username, long long *locked)
{
    int rc = by_username(d, SQL_TAKE, username, NULL);
    if (rc != DB_OK)
        return rc;
    db_stmt *s = db_stmt_get(d, SQL_LOCKED);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, username);
    return db_one_int(s, locked);
}

int lockout_check(request *r, db *d, const char *username)
{
    db_stmt *s = db_stmt_get(d, SQL_CHECK);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, username);
    db_bind_str(s, 1, r->remote_addr);
    db_bind_int(s, 2, r->cf->lockout_window_min);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    long long locked = rc == 1 ? db_int(s, 0) : 0, from_addr = rc == 1 ? db_int(s, 1) : 0;
    db_done(s);
    if (locked)
        return LOCKOUT_USER;
    if (r->cf->lockout_addr_failures > 0 && from_addr >= r->cf->lockout_addr_failures)
        return LOCKOUT_ADDRESS;
    return LOCKOUT_OPEN;
}

int lockout_failure(request *r, db *d, const char *username)
{
    long long locked;
    int rc = locked_now(d, username, &locked);
    if (rc != DB_OK)
        return rc;
    if (locked)
        return LOCKOUT_WAS_LOCKED;
    db_stmt *s = db_stmt_get(d, SQL_RECORD);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, username);
    db_bind_str(s, 1, r->remote_addr);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if ((rc = by_username(d, SQL_FORGET_OLD, username, NULL)) != DB_OK)
        return rc;
    if (!(s = db_stmt_get(d, SQL_COUNT)))
        return DB_ERR;
    db_bind_str(s, 0, username);
    db_bind_int(s, 1, r->cf->lockout_window_min);
    long long failures;
    if ((rc = db_one_int(s, &failures)) != DB_OK)
        return rc;
    if (failures < r->cf->lockout_failures)
        return LOCKOUT_COUNTED;
    if (!(s = db_stmt_get(d, SQL_LOCK)))
        return DB_ERR;
    db_bind_int(s, 0, r->cf->lockout_min);
    db_bind_str(s, 1, username);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    log_info("lockout: a username was locked for %d minutes after %lld failures", r->cf->lockout_min, failures);
    return LOCKOUT_LOCKED_NOW;
}

int lockout_success(request *r, db *d, const char *username)
{
    (void)r;
    long long locked;
    int rc = locked_now(d, username, &locked);
    if (rc != DB_OK)
        return rc;
    /* A guess that ran alongside may have locked the username after this
     * request's lockout_check: then this logon fails too. */
    if (locked)
        return LOCKOUT_WAS_LOCKED;
    if ((rc = by_username(d, SQL_FORGET, username, NULL)) != DB_OK)
        return rc;
    return by_username(d, SQL_CLEAR, username, NULL);
}

int lockout_unlock(db *d, const char *username, int *was_locked)
{
    long long n = 0;
    int rc = by_username(d, SQL_UNLOCK, username, &n);
    if (rc == DB_OK)
        rc = by_username(d, SQL_FORGET, username, NULL);
    if (was_locked)
        *was_locked = n > 0;
    return rc;
}
