/* token: API tokens (token.h). */
#include "token.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "json.h"
#include "valid.h"

/* The width of api_tokens.last_used_addr. */
#define ADDR_MAX 45

/* The live conditions are part of the lookup itself, so that no caller can
 * forget one: an expired or revoked token, or a disabled user, finds no row. */
static const char SQL_TOKEN[] =
    "SELECT k.id, k.last_used_at IS NULL OR k.last_used_at < UTC_TIMESTAMP(6) - INTERVAL 60 SECOND"
    " OR k.last_used_addr <> ?, k.last_used_at IS NULL OR k.last_used_addr <> ?, " AUTH_WHO_COLUMNS
    " FROM api_tokens k JOIN users u ON u.client_id = k.client_id AND u.id = k.user_id" AUTH_WHO_JOINS
    " WHERE k.token_hash = ? AND k.revoked_at IS NULL AND k.expires_at > UTC_TIMESTAMP(6)"
    " AND u.status = 'active'";
/* Only after a miss: why, for the audit row. */
static const char SQL_TOKEN_WHY[] =
    "SELECT k.client_id, k.user_id, k.id, k.revoked_at IS NOT NULL, k.expires_at <= UTC_TIMESTAMP(6)"
    " FROM api_tokens k WHERE k.token_hash = ?";
static const char SQL_TOUCH[] =
    "UPDATE api_tokens SET last_used_at = UTC_TIMESTAMP(6), last_used_addr = ? WHERE client_id = ? AND id = ?";

static size_t addr_len(const char *addr)
{
    size_t n = strlen(addr);
    return n > ADDR_MAX ? ADDR_MAX : n;
}

/* Why a token that the lookup did not find is refused. */
static int refusal(request *r, db *d, const unsigned char h[32])
{
    db_stmt *s = db_stmt_get(d, SQL_TOKEN_WHY);
    if (!s)
        return DB_ERR;
    db_bind_blob(s, 0, h, 32);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    r->token_refused = "unknown";
    if (rc == 1) {
        r->who.client_id = db_int(s, 0);
        r->who.user_id = db_int(s, 1);
        r->who.token_id = db_int(s, 2);
        r->token_refused = db_int(s, 3) ? "revoked" : db_int(s, 4) ? "expired" : "user disabled";
    }
    db_done(s);
    return DB_OK;
}

int token_load(request *r, db *d)
{
    char token[BEARER_TOKEN_LEN + 1];
    int p = bearer_parse(r->authorization, strlen(r->authorization), token);
    if (p != BEARER_OK) {
        r->token_refused = p == BEARER_SCHEME ? "not a bearer token" : "malformed";
        return DB_OK;
    }
    unsigned char h[32];
    crypto_sha256(token, BEARER_TOKEN_LEN, h);
    crypto_cleanse(token, sizeof token);

    const char *addr = r->remote_addr ? r->remote_addr : "";
    db_stmt *s = db_stmt_get(d, SQL_TOKEN);
    if (!s)
        return DB_ERR;
    db_bind_text(s, 0, addr, addr_len(addr));
    db_bind_text(s, 1, addr, addr_len(addr));
    db_bind_blob(s, 2, h, sizeof h);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    if (rc == 0)
        return refusal(r, d, h);
    long long id = db_int(s, 0);
    bool touch = db_int(s, 1) != 0;
    /* The first use, or one from another address: a security event. */
    r->token_new_address = db_int(s, 2) != 0;
    auth_fill_who(r, s, 3);
    db_done(s);
    r->who.token_id = id;
    /* A script's GET stays a read: the last use is written once a minute,
     * or at once from a new address. */
    if (touch) {
        db_stmt *t = db_stmt_get(d, SQL_TOUCH);
        if (!t)
            return DB_ERR;
        db_bind_text(t, 0, addr, addr_len(addr));
        db_bind_int(t, 1, r->who.client_id);
        db_bind_int(t, 2, id);
        if ((rc = db_run(t)) != DB_OK)
            return rc;
    }
    r->logged_in = true;
    return DB_OK;
}

/* ---- the pages' operations ---- */

#define DATE_FMT "'%Y-%m-%d %H:%i'"

static const char SQL_LIST[] =
    "SELECT id, user_id, name, DATE_FORMAT(created_at, " DATE_FMT "), DATE_FORMAT(expires_at, " DATE_FMT "),"
    " COALESCE(DATE_FORMAT(last_used_at, " DATE_FMT "), ''), last_used_addr,"
    " CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= UTC_TIMESTAMP(6) THEN 'expired'"
    " ELSE 'active' END"
    " FROM api_tokens WHERE client_id = ? AND user_id = ? ORDER BY created_at DESC, id DESC";
/* Creates for one user take turns on the user's row, so that two at once
 * cannot both see room for one more (and the count is a locking read: it
 * sees what the one before committed). */
static const char SQL_LOCK_USER[] = "SELECT id FROM users WHERE client_id = ? AND id = ? FOR UPDATE";
static const char SQL_LIVE_COUNT[] =
    "SELECT COUNT(*) FROM api_tokens WHERE client_id = ? AND user_id = ? AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP(6) LOCK IN SHARE MODE";
static const char SQL_INSERT[] =
    "INSERT INTO api_tokens (client_id, user_id, name, token_hash, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? DAY)";
static const char SQL_EXPIRES[] =
    "SELECT DATE_FORMAT(expires_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM api_tokens WHERE client_id = ? AND id = ?";
/* user_id = 0 stands for any user of the client (an administrator). */
static const char SQL_FIND[] =
    "SELECT user_id, name, revoked_at IS NOT NULL FROM api_tokens"
    " WHERE client_id = ? AND id = ? AND (? = 0 OR user_id = ?) FOR UPDATE";
static const char SQL_REVOKE_USER[] =
    "UPDATE api_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE client_id = ? AND user_id = ? AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP(6)";
static const char SQL_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = UTC_TIMESTAMP(6) WHERE client_id = ? AND id = ? AND revoked_at IS NULL";

int token_list(db *d, arena *a, long long client_id, long long user_id, token_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt *s = db_stmt_get(d, SQL_LIST);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    size_t cap = 0;
    token_info *v = NULL;
    while ((rc = db_next(s)) == 1) {
        v = arena_grow(a, v, &cap, *n, sizeof *v);
        token_info *t = &v[(*n)++];
        t->id = db_int(s, 0);
        t->user_id = db_int(s, 1);
        t->name = db_text_dup(s, 2, a);
        t->created = db_text_dup(s, 3, a);
        t->expires = db_text_dup(s, 4, a);
        t->last_used = db_text_dup(s, 5, a);
        t->last_addr = db_text_dup(s, 6, a);
        t->state = db_text_dup(s, 7, a);
    }
    *out = v;
    return rc < 0 ? rc : DB_OK;
}

static int invalid(manage_err *err, const char *field, const char *message)
{
    err->field = field;
    snprintf(err->message, sizeof err->message, "%s", message);
    return MANAGE_INVALID;
}

int token_create(db *d, long long client_id, long long user_id, const char *name, const char *days_text,
                 char out[BEARER_TOKEN_LEN + 1], long long *id, buf *detail, manage_err *err)
{
    out[0] = '\0';
    *id = 0;
    const char *nm = name ? name : "";
    size_t b = 0, e = strlen(nm);
    while (b < e && (nm[b] == ' ' || nm[b] == '\t'))
        b++;
    while (e > b && (nm[e - 1] == ' ' || nm[e - 1] == '\t'))
        e--;
    nm += b;
    size_t n = e - b;
    if (n == 0)
        return invalid(err, "name", "is needed: a name that tells you which script uses the token");
    enum valid_rc v = valid_text(nm, n, TOKEN_NAME_MAX, false);
    if (v != VALID_OK)
        return invalid(err, "name", valid_message(v, TOKEN_NAME_MAX));
    int64_t days = TOKEN_DAYS_DEFAULT;
    if (days_text && days_text[0] &&
        parse_i64(days_text, strlen(days_text), TOKEN_DAYS_MIN, TOKEN_DAYS_MAX, &days) != 0)
        return invalid(err, "days", "must be a whole number of days from 1 to 365");

    db_stmt *u = db_stmt_get(d, SQL_LOCK_USER);
    if (!u)
        return DB_ERR;
    db_bind_int(u, 0, client_id);
    db_bind_int(u, 1, user_id);
    int lrc = db_run(u);
    if (lrc != DB_OK)
        return lrc;
    if ((lrc = db_next(u)) < 0)
        return lrc;
    db_done(u);
    long long live = 0;
    db_stmt *c = db_stmt_get(d, SQL_LIVE_COUNT);
    if (!c)
        return DB_ERR;
    db_bind_int(c, 0, client_id);
    db_bind_int(c, 1, user_id);
    int rc = db_run(c);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(c)) < 0)
        return rc;
    live = db_int(c, 0);
    db_done(c);
    if (live >= TOKEN_LIVE_MAX) {
        err->field = NULL;
        snprintf(err->message, sizeof err->message,
                 "You already have %d active tokens, the most allowed: revoke one you no longer use first.",
                 TOKEN_LIVE_MAX);
        return MANAGE_INVALID;
    }

    unsigned char raw[BEARER_RAW_BYTES], h[32];
    if (crypto_random(raw, sizeof raw) != 0)
        return DB_ERR;
    bearer_format(raw, out);
    crypto_cleanse(raw, sizeof raw);
    crypto_sha256(out, BEARER_TOKEN_LEN, h);
    db_stmt *s = db_stmt_get(d, SQL_INSERT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    db_bind_text(s, 2, nm, n);
    db_bind_blob(s, 3, h, sizeof h);
    db_bind_int(s, 4, days);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    *id = (long long)db_insert_id(s);

    db_stmt *x = db_stmt_get(d, SQL_EXPIRES);
    if (!x)
        return DB_ERR;
    db_bind_int(x, 0, client_id);
    db_bind_int(x, 1, *id);
    if ((rc = db_run(x)) != DB_OK)
        return rc;
    if ((rc = db_next(x)) < 0)
        return rc;
    const char *expires = rc == 1 ? db_text(x, 0, NULL) : NULL;
    buf_printf(detail, "{\"token\":{\"id\":%lld,\"user_id\":%lld,\"name\":", *id, user_id);
    json_add_string(detail, nm, n);
    buf_printf(detail, ",\"days\":%lld,\"expires_at\":", (long long)days);
    json_add_cstr(detail, expires);
    /* As every change records it: the new token had no values before. */
    buf_adds(detail, "},\"changes\":{\"name\":{\"old\":null,\"new\":");
    json_add_string(detail, nm, n);
    buf_adds(detail, "},\"expires_at\":{\"old\":null,\"new\":");
    json_add_cstr(detail, expires);
    buf_adds(detail, "},\"revoked\":{\"old\":null,\"new\":false}}}");
    db_done(x);
    return MANAGE_OK;
}

int token_revoke(db *d, long long client_id, long long user_id, long long id, long long *owner, buf *detail)
{
    *owner = 0;
    db_stmt *s = db_stmt_get(d, SQL_FIND);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, user_id);
    db_bind_int(s, 3, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) <= 0)
        return rc;
    *owner = db_int(s, 0);
    bool was_revoked = db_int(s, 2) != 0;
    buf_printf(detail, "{\"token\":{\"id\":%lld,\"user_id\":%lld,\"name\":", id, *owner);
    json_add_cstr(detail, db_text(s, 1, NULL));
    buf_printf(detail, "},\"was_revoked\":%s,\"changes\":{%s}}", was_revoked ? "true" : "false",
               was_revoked ? "" : "\"revoked\":{\"old\":false,\"new\":true}");
    db_done(s);
    if (was_revoked)
        return 1;
    db_stmt *u = db_stmt_get(d, SQL_REVOKE);
    if (!u)
        return DB_ERR;
    db_bind_int(u, 0, client_id);
    db_bind_int(u, 1, id);
    if ((rc = db_run(u)) != DB_OK)
        return rc;
    return 1;
}

int token_revoke_user(db *d, long long client_id, long long user_id, long long *revoked)
{
    db_stmt *s = db_stmt_get(d, SQL_REVOKE_USER);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    *revoked = rc == DB_OK ? (long long)db_affected(s) : 0;
    return rc;
}
