/* admin_security: the logon side of a user's administration page
 * (users.manage): whether the username is locked, and unlocking it. Each
 * concern's rules live in its own file (lockout.c, session.c, ...); this file
 * shows them on the page and offers their administrator actions. */
#include "admin.h"
#include "handlers.h"
#include "json.h"
#include "lockout.h"
#include "session.h"
#include "two_factor.h"

static const char SQL_LOCKED_UNTIL[] =
    "SELECT DATE_FORMAT(locked_until, '%Y-%m-%d %H:%i:%s') FROM login_locks"
    " WHERE username = ? AND locked_until > UTC_TIMESTAMP(6)";

int admin_security_put(request *r, db *d, const manage_user *u)
{
    db_stmt *s = db_stmt_get(d, SQL_LOCKED_UNTIL);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, u->username);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    if (rc == 1)
        page_set(r->pg, db_text(s, 0, NULL), "Security.locked_until");
    db_done(s);
    /* Two-factor (two_factor.c). */
    if ((rc = two_factor_admin_put(r, d, u->id)) != DB_OK)
        return rc;
    return DB_OK;
}

int admin_users_unlock(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    int was_locked = 0;
    if ((rc = lockout_unlock(d, u.username, &was_locked)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "{\"username\":");
    json_add_cstr(&r->detail, u.username);
    buf_printf(&r->detail, ",\"was_locked\":%s}", was_locked ? "true" : "false");
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?%s", u.id, was_locked ? "unlocked=1" : "notlocked=1"));
    return 303;
}

/* ---- two-factor: an administrator's reset, for a user who lost their phone
 * and recovery codes. ---- */
int admin_users_two_factor_reset(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    bool was = false;
    long long codes = 0, ended = 0;
    /* Their sessions end (the administrator's own current one stays). */
    long long keep = u.id == r->who.user_id ? r->who.session_id : 0;
    if ((rc = two_factor_clear(d, r->who.client_id, u.id, &was, &codes)) != DB_OK ||
        (rc = session_end_user(d, r->who.client_id, u.id, keep, &ended)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "{\"username\":");
    json_add_cstr(&r->detail, u.username);
    buf_printf(&r->detail, ",\"was_enrolled\":%s,\"recovery_codes_removed\":%lld,\"sessions_ended\":%lld}",
               was ? "true" : "false", codes, ended);
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?two_factor_reset=1", u.id));
    return 303;
}
