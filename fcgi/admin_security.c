/* admin_security: the logon side of a user's administration page
 * (users.manage): whether the username is locked, and unlocking it; the
 * user's API tokens, and revoking one. Each concern's rules live in its own
 * file (lockout.c, session.c, token.c, ...); this file shows them on the
 * page and offers their administrator actions. */
#include "admin.h"
#include "handlers.h"
#include "json.h"
#include "lockout.h"
#include "token.h"

static const char SQL_LOCKED_UNTIL[] =
    "SELECT DATE_FORMAT(locked_until, '%Y-%m-%d %H:%i:%s') FROM login_locks"
    " WHERE username = ? AND locked_until > UTC_TIMESTAMP(6)";

/* The user's API tokens, each with a revoke button (Security.Tokens). */
static int put_tokens(request *r, db *d, const manage_user *u)
{
    token_info *v;
    size_t n;
    int rc = token_list(d, r->mem, r->who.client_id, u->id, &v, &n);
    if (rc != DB_OK)
        return rc;
    if (params_get(&r->qs, "token_revoked"))
        page_set(r->pg, "The token was revoked: it no longer works.", "Page.Flash");
    for (size_t i = 0; i < n; i++) {
        page_set_int(r->pg, v[i].id, "Security.Tokens.%zu.id", i);
        page_set(r->pg, v[i].name, "Security.Tokens.%zu.name", i);
        page_set(r->pg, v[i].created, "Security.Tokens.%zu.created", i);
        page_set(r->pg, v[i].expires, "Security.Tokens.%zu.expires", i);
        page_set(r->pg, v[i].last_used, "Security.Tokens.%zu.last_used", i);
        page_set(r->pg, v[i].last_addr, "Security.Tokens.%zu.last_addr", i);
        page_set(r->pg, v[i].state, "Security.Tokens.%zu.state", i);
    }
    return DB_OK;
}

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
    if ((rc = put_tokens(r, d, u)) != DB_OK)
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

int admin_tokens_revoke(request *r, db *d)
{
    long long owner;
    r->object_type = "api_token";
    r->object_id = r->path_id;
    int rc = token_revoke(d, r->who.client_id, 0, r->path_id, &owner, &r->detail);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?token_revoked=1#tokens", owner));
    return 303;
}
