/* two_factor: TOTP two-factor for users: enrolment (a pending secret shown
 * as a QR code, confirmed by its first code), one-time recovery codes,
 * turning it off, the second step of logging on, and what administrators
 * see and reset. Secrets are kept sealed (crypto_seal) under the key of
 * TwoFactor.KeyFile, bound to their user; recovery codes only as SHA-256.
 * The handlers are in handlers.h. */
#ifndef CTRACK_TWO_FACTOR_H
#define CTRACK_TWO_FACTOR_H

#include <stdbool.h>

#include "db.h"
#include "http.h"

/* Removes a user's two-factor: the secret (enrolled or pending), the
 * replay mark and every recovery code. *was_enrolled and *codes (either
 * may be NULL) get whether a secret was enrolled and how many codes went.
 * The caller decides about sessions. Returns an enum db_rc. */
int two_factor_clear(db *d, long long client_id, long long user_id, bool *was_enrolled, long long *codes);

/* Sets the Security.TwoFactor.* values of a user's administration page
 * (enrolled since when, recovery codes left, required by the type).
 * Returns an enum db_rc. */
int two_factor_admin_put(request *r, db *d, long long user_id);

#endif
