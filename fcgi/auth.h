/* auth: who is asking. Sessions (token in a __Host- cookie, only its SHA-256
 * in the database), logging on and off, CSRF tokens. */
#ifndef CTRACK_AUTH_H
#define CTRACK_AUTH_H

#include <stdbool.h>

#include "db.h"
#include "http.h"

#define AUTH_SESSION_COOKIE "__Host-ctrack"
#define AUTH_LOGIN_COOKIE "__Host-ctrack-login"

/* Looks up the session cookie; on a live session fills r->who and sets
 * r->logged_in. A missing, unknown or expired session is not an error.
 * Returns an enum db_rc. */
int auth_load(request *r, db *d);

/* Checks a username and password. On success makes a new session (ending the
 * request's old one), sets its cookie, fills r->who and returns 1. Returns 0
 * for a wrong username or password (the KDF runs either way, so both take
 * as long), or a negative enum db_rc. */
int auth_login(request *r, db *d, const char *username, const char *password, size_t pwlen);

/* Ends the request's session on the server and clears its cookie. */
int auth_logout(request *r, db *d);

/* The token the logon form must send back: the pre-session cookie's value,
 * made (and set) on first use. Borrowed from the request. NULL if random
 * bytes are unavailable. */
const char *auth_login_csrf(request *r);

/* True when the POST carries the right CSRF token: the session's for a
 * logged-in user, the pre-session cookie's for the logon form. */
bool auth_csrf_ok(request *r, bool login_form);

#endif
