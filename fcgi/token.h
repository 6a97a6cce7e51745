/* token: API tokens for report scripts. A script sends
 * `Authorization: Bearer ctk_...`; the database keeps the token's SHA-256.
 * A token acts as its user, with exactly the user's functions and scope, on
 * routes marked ROUTE_TOKEN only. */
#ifndef CTRACK_TOKEN_H
#define CTRACK_TOKEN_H

#include "db.h"
#include "http.h"

/* Looks up the request's Authorization header. A live token of an active
 * user fills r->who (with who.token_id) and sets r->logged_in; anything else
 * leaves the request anonymous. Returns an enum db_rc. */
int token_load(request *r, db *d);

#endif
