/* auth: who is asking, logons and CSRF tokens (auth.h). */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "crypto.h"
#include "lockout.h"
#include "log.h"
#include "password.h"
#include "session.h"
#include "token.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */

void auth_fill_who(request *r, db_stmt *s, int col)
{
    identity *w = &r->who;
    w->client_id = db_int(s, col + 0);
    w->user_id = db_int(s, col + 1);
    w->username = arena_strdup(r->mem, db_text(s, col + 2, NULL));
    w->display_name = arena_strdup(r->mem, db_text(s, col + 3, NULL));
    w->user_type_id = db_int(s, col + 4);
    w->scope.client_id = w->client_id;
    w->scope.user_id = w->user_id;
    w->scope.all_regions = db_int(s, col + 5) != 0;
    w->scope.all_campaigns = db_int(s, col + 6) != 0;
    w->client_name = arena_strdup(r->mem, db_text(s, col + 7, NULL));
    w->must_change_password = db_int(s, col + 8) != 0;
    w->must_enrol = db_int(s, col + 9) != 0;
    /* The matrix is read afresh on every request: a change applies at once. */
    w->functions = acl_parse_list(db_text(s, col + 10, NULL));
    w->time_zone = arena_strdup(r->mem, db_text(s, col + 11, NULL));
}

int auth_load(request *r, db *d)
{
    if (r->authorization && r->authorization[0])
        return token_load(r, d);
    return session_load(r, d);
}

static const char SQL_USER_BY_NAME[] =
    "SELECT u.client_id, u.id, u.password_hash, u.status = 'active', u.totp_secret IS NOT NULL"
    " FROM users u WHERE u.username = ?";
static const char SQL_REHASH[] = "UPDATE users SET password_hash = ? WHERE client_id = ? AND id = ?";

/* auth_login with the password normalised. */
static int login_normalised(request *r, db *d, const char *username, const char *password, size_t pwlen)
{
    int rc = lockout_check(r, d, username);
    if (rc != LOCKOUT_OPEN)
        return rc < 0 ? rc : rc == LOCKOUT_USER ? AUTH_LOCKED : AUTH_BLOCKED;

    db_stmt *s = db_stmt_get(d, SQL_USER_BY_NAME);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, username);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    const char *stored = NULL;
    long long client_id = 0, user_id = 0;
    bool active = false, enrolled = false;
    if (rc == 1) {
        client_id = db_int(s, 0);
        user_id = db_int(s, 1);
        stored = arena_strdup(r->mem, db_text(s, 2, NULL));
        active = db_int(s, 3) != 0;
        enrolled = db_int(s, 4) != 0;
    }
    db_done(s);
    int ok = crypto_password_verify(password, pwlen, stored, r->cf->pbkdf2_iterations);
    if (ok != 1 || !active) {
        if ((rc = lockout_failure(r, d, username)) < 0)
            return rc;
        /* The failure belongs to the client of the user named, so that its
         * administrators see it among their security events; nobody is
         * logged in, and the user is the row's object. */
        if (user_id) {
            r->who.client_id = client_id;
            r->object_type = "user";
            r->object_id = user_id;
        }
        return rc == LOCKOUT_LOCKED_NOW ? AUTH_LOCKED_NOW : rc == LOCKOUT_WAS_LOCKED ? AUTH_LOCKED : AUTH_WRONG;
    }

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
    /* With a second factor to come, the logon has not succeeded yet: the
     * failures stay counted, so that logging on again with the password
     * does not reset the count of wrong codes. */
    if (!enrolled && (rc = lockout_success(r, d, username)) != DB_OK)
        return rc == LOCKOUT_WAS_LOCKED ? AUTH_LOCKED : rc;
    rc = session_start(r, d, client_id, user_id, enrolled ? SESSION_PASSWORD : SESSION_FULL);
    if (rc != DB_OK)
        return rc;
    /* The second-factor form is a logon form still: it keeps the token. */
    if (!enrolled)
        http_set_cookie(r, AUTH_LOGIN_COOKIE, "", 0);
    return enrolled ? AUTH_SECOND : AUTH_OK;
}

int auth_login(request *r, db *d, const char *username, const char *password, size_t pwlen)
{
    /* Checked in the form it was set in. One that cannot be normalised gets
     * the same KDF, count and answer as any wrong password. */
    password_norm typed;
    password_for_check(password, pwlen, &typed);
    int rc = login_normalised(r, d, username, typed.bytes, typed.len);
    password_wipe(&typed);
    return rc;
}

int auth_password_matches(request *r, const char *pw, size_t n, const char *stored)
{
    password_norm typed;
    password_for_check(pw, n, &typed);
    int ok = crypto_password_verify(typed.bytes, typed.len, stored, r->cf->pbkdf2_iterations);
    password_wipe(&typed);
    return ok == 1;
}

int auth_logout(request *r, db *d)
{
    return session_end_current(r, d);
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

const char *auth_safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 500)
        return "/contacts";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '\\')
            return "/contacts";
    return next;
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
