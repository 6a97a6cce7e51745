/* auth: who is asking. A request carries a session cookie (session.h) or an
 * API token (token.h); this file turns either into r->who, checks passwords
 * at logon (with lockout.h counting the failures) and owns the CSRF tokens. */
#ifndef CTRACK_AUTH_H
#define CTRACK_AUTH_H

#include <stdbool.h>

#include "db.h"
#include "http.h"

#define AUTH_LOGIN_COOKIE "__Host-ctrack-login"

/* The columns and joins that load a user for a request, shared by sessions
 * and tokens so that both see a user the same way: the user as u, the
 * client as c, the user type as t. AUTH_WHO_COLUMNS is AUTH_WHO_NCOLS
 * columns read by auth_fill_who. */
#define AUTH_WHO_COLUMNS                                                                        \
    "u.client_id, u.id, u.username, u.display_name, u.user_type_id, u.all_regions,"            \
    " u.all_campaigns, c.name, u.must_change_password,"                                       \
    " t.require_two_factor AND u.totp_secret IS NULL,"                                        \
    /* The matrix row comes with the user: one statement fewer per page. */                  \
    " (SELECT GROUP_CONCAT(f.function_name SEPARATOR ',') FROM user_type_functions f"         \
    "  WHERE f.client_id = u.client_id AND f.user_type_id = u.user_type_id),"                 \
    " c.time_zone"
#define AUTH_WHO_NCOLS 12
#define AUTH_WHO_JOINS                                                                          \
    " JOIN clients c ON c.id = u.client_id"                                                    \
    " JOIN user_types t ON t.client_id = u.client_id AND t.id = u.user_type_id"

/* Fills r->who (all but the session's and token's own fields) from the
 * AUTH_WHO_COLUMNS that start at column col of s. */
void auth_fill_who(request *r, db_stmt *s, int col);

/* Finds who is asking: an Authorization header means an API token (and
 * nothing else is looked at), otherwise the session cookie. Fills r->who and
 * sets r->logged_in (or r->second_factor) when either is good. A missing,
 * unknown or expired one is not an error. Returns an enum db_rc. */
int auth_load(request *r, db *d);

enum auth_result {
    AUTH_WRONG,       /* unknown user, wrong password or disabled: one answer */
    AUTH_OK,          /* logged on: a full session was started */
    AUTH_SECOND,      /* the password was right; the second factor comes next */
    AUTH_LOCKED,      /* refused unchecked: the username is locked (lockout.h) */
    AUTH_BLOCKED,     /* refused unchecked: too many failures from the address */
    AUTH_LOCKED_NOW,  /* wrong, and this failure locked the username */
};

/* Checks a username and the password as typed (normalised here, as when it
 * was set: password.h) unless the username or address is locked. A right
 * password starts a session (ending the request's old one): a full one, or
 * one waiting for the second factor when the user has enrolled (the
 * username's failures are forgotten only when the whole logon succeeded). A failure is counted; the caller must
 * set r->keep_work so that the count commits. The KDF runs for unknown users
 * too, so that every wrong answer takes as long. Returns an auth_result, or
 * a negative enum db_rc. */
int auth_login(request *r, db *d, const char *username, const char *password, size_t pwlen);

/* Checks a typed password against a stored hash as a logon does: NFKC
 * first (password.h), the KDF whatever happens. 1 on a match, else 0. */
int auth_password_matches(request *r, const char *pw, size_t n, const char *stored);

/* Ends the request's session on the server and clears its cookie. */
int auth_logout(request *r, db *d);

/* The token the logon form must send back: the pre-session cookie's value,
 * made (and set) on first use. Borrowed from the request. NULL if random
 * bytes are unavailable. */
const char *auth_login_csrf(request *r);

/* Where to go after logging on: next when it is a local path ("/..." but
 * not "//..." or "/\\...", another host) in printable ASCII only (it goes
 * into a Location header as it is), else "/contacts". */
const char *auth_safe_next(const char *next);

/* True when the POST carries the right CSRF token: the session's for a
 * logged-in user, the pre-session cookie's for the logon form. */
bool auth_csrf_ok(request *r, bool login_form);

#endif
