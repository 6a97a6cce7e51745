/* auth: sessions and logons. */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "crypto.h"
#include "log.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */

static void token_hash(const char *token, size_t n, unsigned char out[32])
{
    crypto_sha256(token, n, out);
}

static const char SQL_SESSION[] =
    "SELECT s.client_id, s.user_id, s.csrf_token, u.username, u.display_name, u.user_type_id,"
    " u.all_regions, c.name, s.last_seen < UTC_TIMESTAMP(6) - INTERVAL 60 SECOND, u.all_campaigns,"
    /* The matrix row comes with the session: one statement fewer per page. */
    " (SELECT GROUP_CONCAT(f.function_name SEPARATOR ',') FROM user_type_functions f"
    "  WHERE f.client_id = u.client_id AND f.user_type_id = u.user_type_id)"
    " FROM sessions s"
    " JOIN users u ON u.client_id = s.client_id AND u.id = s.user_id"
    " JOIN clients c ON c.id = s.client_id"
    " WHERE s.token_hash = ? AND s.expires_at > UTC_TIMESTAMP(6)"
    " AND s.last_seen > UTC_TIMESTAMP(6) - INTERVAL ? MINUTE AND u.status = 'active'";
static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen = UTC_TIMESTAMP(6) WHERE token_hash = ?";

/* The SHA-256 of the request's session cookie; false when it has none of
 * the right form. */
static bool cookie_hash(request *r, unsigned char h[32])
{
    size_t n;
    const char *token = params_getn(&r->cookies, AUTH_SESSION_COOKIE, &n);
    if (!token || n != TOKEN_CHARS)
        return false;
    token_hash(token, n, h);
    return true;
}

int auth_load(request *r, db *d)
{
    unsigned char h[32];
    if (!cookie_hash(r, h))
        return DB_OK;
    db_stmt *s = db_stmt_get(d, SQL_SESSION);
    if (!s)
        return DB_ERR;
    db_bind_blob(s, 0, h, sizeof h);
    db_bind_int(s, 1, r->cf->session_idle_min);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc <= 0)
        return rc;
    identity *w = &r->who;
    w->client_id = db_int(s, 0);
    w->user_id = db_int(s, 1);
    snprintf(w->csrf, sizeof w->csrf, "%s", db_text(s, 2, NULL));
    w->username = arena_strdup(r->mem, db_text(s, 3, NULL));
    w->display_name = arena_strdup(r->mem, db_text(s, 4, NULL));
    w->user_type_id = db_int(s, 5);
    w->client_name = arena_strdup(r->mem, db_text(s, 7, NULL));
    bool stale = db_int(s, 8) != 0;
    w->scope.client_id = w->client_id;
    w->scope.user_id = w->user_id;
    w->scope.all_regions = db_int(s, 6) != 0;
    w->scope.all_campaigns = db_int(s, 9) != 0;
    /* The matrix is read afresh on every request: a change applies at once. */
    w->functions = acl_parse_list(db_text(s, 10, NULL));
    db_done(s);
    /* last_seen is written at most once a minute: a page view stays a read. */
    if (stale) {
        db_stmt *t = db_stmt_get(d, SQL_TOUCH);
        if (!t)
            return DB_ERR;
        db_bind_blob(t, 0, h, sizeof h);
        if ((rc = db_run(t)) != DB_OK)
            return rc;
    }
    r->logged_in = true;
    return DB_OK;
}

static const char SQL_USER_BY_NAME[] =
    "SELECT u.client_id, u.id, u.password_hash, u.status FROM users u WHERE u.username = ?";
static const char SQL_REHASH[] = "UPDATE users SET password_hash = ? WHERE client_id = ? AND id = ?";
static const char SQL_NEW_SESSION[] =
    "INSERT INTO sessions (token_hash, client_id, user_id, csrf_token, created_at, last_seen, expires_at,"
    " remote_addr) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6) + INTERVAL ? HOUR, ?)";
static const char SQL_END_SESSION[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char SQL_PURGE_SESSIONS[] =
    "DELETE FROM sessions WHERE client_id = ? AND user_id = ?"
    " AND (expires_at <= UTC_TIMESTAMP(6) OR last_seen <= UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";

static int end_current_session(request *r, db *d)
{
    unsigned char h[32];
    if (!cookie_hash(r, h))
        return DB_OK;
    db_stmt *s = db_stmt_get(d, SQL_END_SESSION);
    if (!s)
        return DB_ERR;
    db_bind_blob(s, 0, h, sizeof h);
    return db_run(s);
}

int auth_login(request *r, db *d, const char *username, const char *password, size_t pwlen)
{
    db_stmt *s = db_stmt_get(d, SQL_USER_BY_NAME);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, username);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc < 0)
        return rc;
    const char *stored = NULL;
    long long client_id = 0, user_id = 0;
    bool active = false;
    if (rc == 1) {
        client_id = db_int(s, 0);
        user_id = db_int(s, 1);
        stored = arena_strdup(r->mem, db_text(s, 2, NULL));
        active = strcmp(db_text(s, 3, NULL), "active") == 0;
    }
    db_done(s);
    int ok = crypto_password_verify(password, pwlen, stored, r->cf->pbkdf2_iterations);
    if (ok != 1 || !active)
        return 0;

    /* Stored hashes follow the configured cost upwards at logon. */
    if (crypto_password_iterations(stored) < r->cf->pbkdf2_iterations) {
        char fresh[PASSWORD_HASH_MAX];
        if (crypto_password_hash(password, pwlen, r->cf->pbkdf2_iterations, fresh) == 0) {
            db_stmt *u = db_stmt_get(d, SQL_REHASH);
            if (!u)
                return DB_ERR;
            db_bind_str(u, 0, fresh);
            db_bind_int(u, 1, client_id);
            db_bind_int(u, 2, user_id);
            if ((rc = db_run(u)) != DB_OK)
                return rc;
        }
    }

    if ((rc = end_current_session(r, d)) != DB_OK)
        return rc;
    unsigned char raw[TOKEN_BYTES], craw[TOKEN_BYTES], h[32];
    char token[TOKEN_CHARS + 1], csrf[TOKEN_CHARS + 1];
    if (crypto_random(raw, sizeof raw) != 0 || crypto_random(craw, sizeof craw) != 0)
        return DB_ERR;
    b64url_encode(raw, sizeof raw, token);
    b64url_encode(craw, sizeof craw, csrf);
    token_hash(token, TOKEN_CHARS, h);

    db_stmt *p = db_stmt_get(d, SQL_PURGE_SESSIONS);
    if (!p)
        return DB_ERR;
    db_bind_int(p, 0, client_id);
    db_bind_int(p, 1, user_id);
    db_bind_int(p, 2, r->cf->session_idle_min);
    if ((rc = db_run(p)) != DB_OK)
        return rc;

    db_stmt *ins = db_stmt_get(d, SQL_NEW_SESSION);
    if (!ins)
        return DB_ERR;
    db_bind_blob(ins, 0, h, sizeof h);
    db_bind_int(ins, 1, client_id);
    db_bind_int(ins, 2, user_id);
    db_bind_str(ins, 3, csrf);
    db_bind_int(ins, 4, r->cf->session_abs_hours);
    db_bind_str(ins, 5, r->remote_addr);
    if ((rc = db_run(ins)) != DB_OK)
        return rc;

    http_set_cookie(r, AUTH_SESSION_COOKIE, token, -1);
    http_set_cookie(r, AUTH_LOGIN_COOKIE, "", 0);
    memset(raw, 0, sizeof raw);
    r->who.client_id = client_id;
    r->who.user_id = user_id;
    r->logged_in = true;
    return 1;
}

int auth_logout(request *r, db *d)
{
    int rc = end_current_session(r, d);
    http_set_cookie(r, AUTH_SESSION_COOKIE, "", 0);
    return rc;
}

const char *auth_login_csrf(request *r)
{
    size_t n;
    const char *have = params_getn(&r->cookies, AUTH_LOGIN_COOKIE, &n);
    if (have && n == TOKEN_CHARS)
        return have;
    unsigned char raw[TOKEN_BYTES];
    if (crypto_random(raw, sizeof raw) != 0)
        return NULL;
    char *tok = arena_alloc(r->mem, TOKEN_CHARS + 1);
    b64url_encode(raw, sizeof raw, tok);
    http_set_cookie(r, AUTH_LOGIN_COOKIE, tok, -1);
    return tok;
}

bool auth_csrf_ok(request *r, bool login_form)
{
    size_t sent_len;
    const char *sent = params_getn(&r->form, "csrf", &sent_len);
    if (!sent || sent_len != TOKEN_CHARS)
        return false;
    const char *want;
    size_t want_len;
    if (login_form) {
        want = params_getn(&r->cookies, AUTH_LOGIN_COOKIE, &want_len);
    } else {
        want = r->logged_in ? r->who.csrf : NULL;
        want_len = want ? strlen(want) : 0;
    }
    return want && want_len == TOKEN_CHARS && crypto_equal(sent, want, TOKEN_CHARS);
}
