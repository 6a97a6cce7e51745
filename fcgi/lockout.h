/* lockout: failed logons counted per username and per address. After
 * Lockout.Failures failures of one username within Lockout.WindowMinutes the
 * username is locked for Lockout.Minutes; after Lockout.AddressFailures from
 * one address within the window, that address may not log on until the
 * window has passed. Unknown usernames are counted and locked like real
 * ones, so a lockout says nothing about whether an account exists. Every
 * function works inside the request's transaction: the caller sets
 * r->keep_work so that a failure is committed with its audit row. */
#ifndef CTRACK_LOCKOUT_H
#define CTRACK_LOCKOUT_H

#include "db.h"
#include "http.h"

enum lockout_state { LOCKOUT_OPEN, LOCKOUT_USER, LOCKOUT_ADDRESS };

/* Whether logons for username from the request's address are refused now.
 * Returns an enum lockout_state, or a negative enum db_rc. */
int lockout_check(request *r, db *d, const char *username);

enum lockout_result { LOCKOUT_COUNTED, LOCKOUT_LOCKED_NOW, LOCKOUT_WAS_LOCKED };

/* Counts a failed logon (a wrong password or second factor). Returns
 * LOCKOUT_LOCKED_NOW when this failure locked the username,
 * LOCKOUT_WAS_LOCKED (and counts nothing) when a concurrent guess locked it
 * after lockout_check, else LOCKOUT_COUNTED; or a negative enum db_rc. */
int lockout_failure(request *r, db *d, const char *username);

/* Forgets the username's failures after a successful logon, unless a
 * concurrent guess locked the username after lockout_check: then it returns
 * LOCKOUT_WAS_LOCKED and the logon must fail. Otherwise DB_OK, or a negative
 * enum db_rc. */
int lockout_success(request *r, db *d, const char *username);

/* Lifts a username's lock (an administrator's unlock). *was_locked gets 1
 * when it was locked. Returns an enum db_rc. */
int lockout_unlock(db *d, const char *username, int *was_locked);

#endif
