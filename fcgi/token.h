/* token: API tokens for report scripts. A script sends
 * `Authorization: Bearer ctk_...` (bearer.h); the database keeps the
 * token's SHA-256. A token acts as its user, with exactly the user's
 * functions and scope, on routes marked ROUTE_TOKEN only. Creating, listing
 * and revoking tokens live here too, for the user's own page
 * (account_tokens.c) and the administrator's (admin_security.c). */
#ifndef CTRACK_TOKEN_H
#define CTRACK_TOKEN_H

#include <stddef.h>

#include "bearer.h"
#include "db.h"
#include "http.h"
#include "manage.h"

#define TOKEN_NAME_MAX 100
#define TOKEN_DAYS_MIN 1
#define TOKEN_DAYS_MAX 365
#define TOKEN_DAYS_DEFAULT 90
/* Live (neither expired nor revoked) tokens a user may hold at once. */
#define TOKEN_LIVE_MAX 20

/* Looks up the request's Authorization header. A live token (not revoked,
 * not expired) of an active user fills r->who (with who.token_id) and sets
 * r->logged_in, and notes its use (at most once a minute, or when the
 * address changed). Anything else (another scheme, a malformed, unknown,
 * expired or revoked token, a disabled user) sets r->token_refused to the
 * reason, and for a token that exists who.client_id, user_id and token_id
 * for the audit row only: r->logged_in stays false and the gate refuses the
 * request. Returns an enum db_rc. */
int token_load(request *r, db *d);

/* One token of a user, as the pages show it. Strings live in the arena. */
typedef struct token_info {
    long long id;
    long long user_id;
    const char *name;
    const char *created;   /* "YYYY-MM-DD HH:MM" UTC */
    const char *expires;
    const char *last_used; /* "" when never used */
    const char *last_addr;
    const char *state;     /* "active", "expired" or "revoked" */
} token_info;

/* The tokens of a user of client_id, newest first, into an array in a.
 * Returns an enum db_rc. */
int token_list(db *d, arena *a, long long client_id, long long user_id, token_info **out, size_t *n);

/* Creates a token for the user: name (trimmed; 1 to TOKEN_NAME_MAX
 * characters of one-line text) and days_text (TOKEN_DAYS_MIN to
 * TOKEN_DAYS_MAX; NULL or "" for TOKEN_DAYS_DEFAULT). The token itself goes
 * to out (show it once; only its hash is kept); *id gets its id; detail gets
 * the audit JSON ({"token":{id,user_id,name,days,expires_at},"changes":
 * {name, expires_at, revoked: old null, new ...}}, never the token). Returns MANAGE_OK,
 * MANAGE_INVALID with err filled (field "name", "days", or NULL for too many
 * live tokens), or a negative enum db_rc (DB_ERR also when no random bytes). */
int token_create(db *d, long long client_id, long long user_id, const char *name, const char *days_text,
                 char out[BEARER_TOKEN_LEN + 1], long long *id, buf *detail, manage_err *err);

/* Revokes token id of client_id; user_id > 0 limits it to that user's
 * tokens (a user revoking their own), 0 allows any user of the client (an
 * administrator). An already revoked token stays as it was. *owner gets the
 * token's user. detail gets the audit JSON: {"token":{"id","user_id","name"},
 * "was_revoked":..,"changes":{"revoked":{"old":false,"new":true}}} (no
 * changes when it was revoked already). Returns 1 when the token was
 * found, 0 when not (404), or a negative enum db_rc. */
int token_revoke(db *d, long long client_id, long long user_id, long long id, long long *owner, buf *detail);

/* Revokes every live token of a user (their password changed: whoever had
 * the old one may have made tokens). *revoked gets how many. Returns an enum
 * db_rc. */
int token_revoke_user(db *d, long long client_id, long long user_id, long long *revoked);

#endif
