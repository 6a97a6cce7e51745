/* admin_security: the logon side of a user's administration page
 * (users.manage): whether the username is locked, and unlocking it; the
 * user's API tokens, and revoking one. Each concern's rules live in its own
 * file (lockout.c, session.c, token.c, ...); this file shows them on the
 * page and offers their administrator actions. */
#include "admin.h"
#include "handlers.h"
#include "json.h"
#include "session.h"
#include "token.h"
#include "two_factor.h"

static const char SQL_LOCKED_UNTIL[] =
    "SELECT DATE_FORMAT(locked_until, '%Y-%m-%d %H:%i:%s') FROM login_locks"
    " WHERE username = ? AND locked_until > UTC_TIMESTAMP(6)";

/* Sessions: how many are live and the latest activity, and the report of
 * ending them (a number from the redirect, never text). */
static int put_sessions(request *r, db *d, const manage_user *u)
{
    session_info *list;
    size_t n;
    long long total;
    int rc = session_list(d, r->mem, r->who.client_id, u->id, r->cf->session_idle_min, &list, &n, &total);
    if (rc != DB_OK)
        return rc;
    page_set_int(r->pg, total, "Security.sessions");
    if (n > 0)
        page_set(r->pg, list[0].last_seen, "Security.last_active");
    size_t len;
    const char *ended = params_getn(&r->qs, "sessions_ended", &len);
    int64_t count;
    if (ended && parse_i64(ended, len, 0, INT64_MAX, &count) == 0)
        page_set(r->pg,
                 count == 1 ? "1 session of the user was ended."
                            : arena_printf(r->mem, "%lld sessions of the user were ended.", (long long)count),
                 "Page.Flash");
    return DB_OK;
}

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
    if ((rc = put_sessions(r, d, u)) != DB_OK)
        return rc;
    if ((rc = put_tokens(r, d, u)) != DB_OK)
        return rc;
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
    if ((rc = manage_user_unlock(d, u.username, &r->detail, &was_locked)) != DB_OK)
        return rc;
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?%s", u.id, was_locked ? "unlocked=1" : "notlocked=1"));
    return 303;
}

int admin_users_sessions_end(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    /* An administrator ending their own sessions keeps the one in use, as
     * "end all others" does; everyone else loses every session. */
    bool self = u.id == r->who.user_id;
    long long ended = 0;
    if ((rc = session_end_user(d, r->who.client_id, u.id, self ? r->who.session_id : 0, &ended)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "{\"username\":");
    json_add_cstr(&r->detail, u.username);
    buf_printf(&r->detail, ",\"ended\":%lld,\"kept_current\":%s}", ended, self ? "true" : "false");
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?sessions_ended=%lld", u.id, ended));
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
    buf_printf(&r->detail, ",\"was_enrolled\":%s,\"recovery_codes_removed\":%lld,\"sessions_ended\":%lld,\"changes\":{%s}}",
               was ? "true" : "false", codes, ended, was ? "\"two_factor\":{\"old\":\"enrolled\",\"new\":\"none\"}" : "");
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?two_factor_reset=1", u.id));
    return 303;
}
