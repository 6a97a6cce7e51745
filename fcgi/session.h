/* session: browser sessions. The token lives only in a __Host- cookie; the
 * database keeps its SHA-256. A session is 'full', or 'password' between a
 * right password and the second factor (it then reaches only the
 * second-factor page, and expires within minutes). */
#ifndef CTRACK_SESSION_H
#define CTRACK_SESSION_H

#include <stdbool.h>

#include "db.h"
#include "http.h"
#include "util.h"

#define SESSION_COOKIE "__Host-ctrack"
/* How long a session may wait for its second factor. */
#define SESSION_SECOND_FACTOR_SECONDS 300

enum session_stage { SESSION_FULL, SESSION_PASSWORD };

/* The SHA-256 of the request's session cookie; false when it has none of the
 * right form. */
bool session_cookie_hash(request *r, unsigned char h[32]);

/* Looks up the session cookie. A live full session fills r->who and sets
 * r->logged_in; a live 'password' session fills r->who and sets
 * r->second_factor. A missing, unknown or expired session is not an error.
 * Returns an enum db_rc. */
int session_load(request *r, db *d);

/* Starts a session of the given stage for the user (ending the request's own
 * session first, and the user's expired ones), and sets its cookie. A full
 * session lasts Session.AbsoluteHours at most. Returns an enum db_rc. */
int session_start(request *r, db *d, long long client_id, long long user_id, enum session_stage stage);

/* Ends the request's session on the server (if it has one) and clears the
 * cookie. Returns an enum db_rc. */
int session_end_current(request *r, db *d);

/* Ends every session of a user but keep_id (0: all of them). *ended gets the
 * number ended, when not NULL. Returns an enum db_rc. */
int session_end_user(db *d, long long client_id, long long user_id, long long keep_id, long long *ended);

/* A live full session as its owner may see it: never its token or hash. */
typedef struct session_info {
    long long id;
    const char *created_at; /* "YYYY-MM-DD HH:MM", UTC */
    const char *last_seen;  /* the same; written at most once a minute */
    const char *remote_addr;
    const char *user_agent; /* as the browser sent it, "" when none */
} session_info;

/* The user's live full sessions (not expired, not idle for idle_min, not
 * waiting for a second factor), most recently active first, at most
 * SESSION_LIST_MAX of them, copied into a. *total gets the number of live
 * sessions even beyond that. Returns an enum db_rc. */
#define SESSION_LIST_MAX 200
int session_list(db *d, arena *a, long long client_id, long long user_id, int idle_min, session_info **out,
                 size_t *n, long long *total);

/* Ends one session of the user by its id; *ended gets 1, or 0 when the user
 * has no session of that id. Returns an enum db_rc. */
int session_end_one(db *d, long long client_id, long long user_id, long long id, long long *ended);

#endif
