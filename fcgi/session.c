/* session: browser sessions (session.h). */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "valid.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */

static const char SQL_SESSION[] =
    "SELECT s.csrf_token, s.id, s.stage = 'password', s.last_seen < UTC_TIMESTAMP(6) - INTERVAL 60 SECOND, "
    AUTH_WHO_COLUMNS
    " FROM sessions s JOIN users u ON u.client_id = s.client_id AND u.id = s.user_id" AUTH_WHO_JOINS
    " WHERE s.token_hash = ? AND s.expires_at > UTC_TIMESTAMP(6)"
    " AND s.last_seen > UTC_TIMESTAMP(6) - INTERVAL ? MINUTE AND u.status = 'active'";
static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen = UTC_TIMESTAMP(6) WHERE token_hash = ?";
static const char SQL_NEW[] =
    "INSERT INTO sessions (token_hash, client_id, user_id, csrf_token, created_at, last_seen, expires_at,"
    " remote_addr, stage, user_agent) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),"
    " UTC_TIMESTAMP(6) + INTERVAL ? SECOND, ?, ?, ?)";
static const char SQL_END[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char SQL_PURGE[] =
    "DELETE FROM sessions WHERE client_id = ? AND user_id = ?"
    " AND (expires_at <= UTC_TIMESTAMP(6) OR last_seen <= UTC_TIMESTAMP(6) - INTERVAL ? MINUTE)";
static const char SQL_END_USER[] = "DELETE FROM sessions WHERE client_id = ? AND user_id = ? AND id <> ?";
static const char SQL_END_ONE[] = "DELETE FROM sessions WHERE client_id = ? AND user_id = ? AND id = ?";
/* The same liveness as SQL_SESSION, for the owner's list. */
static const char SQL_LIST[] =
    "SELECT id, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i'), DATE_FORMAT(last_seen, '%Y-%m-%d %H:%i'),"
    " remote_addr, user_agent, COUNT(*) OVER () FROM sessions"
    " WHERE client_id = ? AND user_id = ? AND stage = 'full' AND expires_at > UTC_TIMESTAMP(6)"
    " AND last_seen > UTC_TIMESTAMP(6) - INTERVAL ? MINUTE ORDER BY last_seen DESC, id DESC LIMIT ?";

bool session_cookie_hash(request *r, unsigned char h[32])
{
    size_t n;
    const char *token = params_getn(&r->cookies, SESSION_COOKIE, &n);
    if (!token || n != TOKEN_CHARS)
        return false;
    crypto_sha256(token, n, h);
    return true;
}

int session_load(request *r, db *d)
{
    unsigned char h[32];
    if (!session_cookie_hash(r, h))
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
    snprintf(r->who.csrf, sizeof r->who.csrf, "%s", db_text(s, 0, NULL));
    r->who.session_id = db_int(s, 1);
    bool second = db_int(s, 2) != 0;
    bool stale = db_int(s, 3) != 0;
    auth_fill_who(r, s, 4);
    db_done(s);
    if (second) {
        r->second_factor = true;
        return DB_OK;
    }
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

int session_end_current(request *r, db *d)
{
    unsigned char h[32];
    if (!session_cookie_hash(r, h))
        return DB_OK;
    http_set_cookie(r, SESSION_COOKIE, "", 0);
    db_stmt *s = db_stmt_get(d, SQL_END);
    if (!s)
        return DB_ERR;
    db_bind_blob(s, 0, h, sizeof h);
    return db_run(s);
}

int session_start(request *r, db *d, long long client_id, long long user_id, enum session_stage stage)
{
    int rc = session_end_current(r, d);
    if (rc != DB_OK)
        return rc;
    unsigned char raw[TOKEN_BYTES], craw[TOKEN_BYTES], h[32];
    char token[TOKEN_CHARS + 1], csrf[TOKEN_CHARS + 1];
    if (crypto_random(raw, sizeof raw) != 0 || crypto_random(craw, sizeof craw) != 0)
        return DB_ERR;
    b64url_encode(raw, sizeof raw, token);
    b64url_encode(craw, sizeof craw, csrf);
    crypto_sha256(token, TOKEN_CHARS, h);
    crypto_cleanse(raw, sizeof raw);

    db_stmt *p = db_stmt_get(d, SQL_PURGE);
    if (!p)
        return DB_ERR;
    db_bind_int(p, 0, client_id);
    db_bind_int(p, 1, user_id);
    db_bind_int(p, 2, r->cf->session_idle_min);
    if ((rc = db_run(p)) != DB_OK)
        return rc;

    /* The browser's own description, cut to the column at a character
     * boundary; it only helps a user tell their sessions apart. */
    const char *ua = r->user_agent ? r->user_agent : "";
    size_t ualen = strlen(ua);
    if (!utf8_valid(ua, ualen))
        ua = "", ualen = 0;
    if (ualen > 255) {
        ualen = 255;
        while (ualen > 0 && ((unsigned char)ua[ualen] & 0xC0) == 0x80)
            ualen--;
    }
    db_stmt *ins = db_stmt_get(d, SQL_NEW);
    if (!ins)
        return DB_ERR;
    db_bind_blob(ins, 0, h, sizeof h);
    db_bind_int(ins, 1, client_id);
    db_bind_int(ins, 2, user_id);
    db_bind_str(ins, 3, csrf);
    db_bind_int(ins, 4, stage == SESSION_FULL ? (long long)r->cf->session_abs_hours * 3600 : SESSION_SECOND_FACTOR_SECONDS);
    db_bind_str(ins, 5, r->remote_addr);
    db_bind_str(ins, 6, stage == SESSION_FULL ? "full" : "password");
    db_bind_text(ins, 7, ua, ualen);
    if ((rc = db_run(ins)) != DB_OK)
        return rc;
    r->who.session_id = (long long)db_insert_id(ins);

    http_set_cookie(r, SESSION_COOKIE, token, -1);
    snprintf(r->who.csrf, sizeof r->who.csrf, "%s", csrf);
    r->who.client_id = client_id;
    r->who.user_id = user_id;
    r->logged_in = stage == SESSION_FULL;
    r->second_factor = stage == SESSION_PASSWORD;
    return DB_OK;
}

int session_end_user(db *d, long long client_id, long long user_id, long long keep_id, long long *ended)
{
    db_stmt *s = db_stmt_get(d, SQL_END_USER);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    db_bind_int(s, 2, keep_id);
    int rc = db_run(s);
    if (rc == DB_OK && ended)
        *ended = (long long)db_affected(s);
    return rc;
}

int session_list(db *d, arena *a, long long client_id, long long user_id, int idle_min, session_info **out,
                 size_t *n, long long *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    db_stmt *s = db_stmt_get(d, SQL_LIST);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    db_bind_int(s, 2, idle_min);
    db_bind_int(s, 3, SESSION_LIST_MAX);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    session_info *list = arena_alloc(a, SESSION_LIST_MAX * sizeof *list);
    while ((rc = db_next(s)) == 1 && *n < SESSION_LIST_MAX) {
        session_info *e = &list[(*n)++];
        e->id = db_int(s, 0);
        e->created_at = arena_strdup(a, db_text(s, 1, NULL));
        e->last_seen = arena_strdup(a, db_text(s, 2, NULL));
        e->remote_addr = arena_strdup(a, db_text(s, 3, NULL));
        e->user_agent = arena_strdup(a, db_text(s, 4, NULL));
        *total = db_int(s, 5);
    }
    if (rc < 0)
        return rc;
    db_done(s);
    *out = list;
    return DB_OK;
}

int session_end_one(db *d, long long client_id, long long user_id, long long id, long long *ended)
{
    db_stmt *s = db_stmt_get(d, SQL_END_ONE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    db_bind_int(s, 2, id);
    int rc = db_run(s);
    if (rc == DB_OK)
        *ended = (long long)db_affected(s);
    return rc;
}
