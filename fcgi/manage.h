/* manage: the administration of one client's security matrix and users.
 *
 * These are the operations that the administration pages and the command
 * line share, so that each rule (names, passwords, the lock-out guard, what
 * is audited) lives in one place. Each operation works inside the caller's
 * transaction on the client given (which the caller takes from the session,
 * or from --client), checks its input, makes the change and appends the
 * audit detail (a JSON object: old and new values, never a password) to
 * detail. Callers only parse input and show output.
 *
 * Every operation returns MANAGE_OK, one of the refusals below (with err
 * filled), or a negative enum db_rc. On anything but MANAGE_OK the caller
 * rolls the transaction back: an operation may have written before it found
 * the refusal (the lock-out guard looks at the result of the change). */
#ifndef CTRACK_MANAGE_H
#define CTRACK_MANAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "acl.h"
#include "db.h"
#include "util.h"

enum manage_rc {
    MANAGE_OK = 0,
    MANAGE_NOT_FOUND = 1, /* no such user type, user, region or campaign in the client */
    MANAGE_INVALID = 2,   /* the input is not acceptable */
    MANAGE_DUPLICATE = 3, /* the name is taken */
    MANAGE_IN_USE = 4,    /* the user type still has users */
    MANAGE_LOCKOUT = 5,   /* no active user would be left with matrix.manage */
    MANAGE_CONFLICT = 6,  /* the data changed since the form was shown */
};

/* The HTTP status that answers an operation's result (200 for MANAGE_OK,
 * 404, 422 or 409 for a refusal); the command line records it as the
 * outcome of its audit row, as a page would. */
int manage_status(int rc);

/* Why an operation refused: the form field at fault (NULL for the whole
 * form) and a message for people, e.g. "is taken". */
typedef struct manage_err {
    const char *field;
    char message[1024];
} manage_err;

#define MANAGE_TYPE_NAME_MAX 100
#define MANAGE_USERNAME_MAX 100
#define MANAGE_DISPLAY_NAME_MAX 200

/* ---- clients (the command line only: the pages work inside one) ---- */

typedef struct manage_client {
    long long id;
    const char *name;
    long long users;
} manage_client;

#define MANAGE_CLIENT_NAME_MAX 200

/* Every client by name, into an array in a. enum db_rc. */
int manage_clients(db *d, arena *a, manage_client **out, size_t *n);
/* Finds a client by its exact name (as the collation compares). 1 with *id
 * set, 0 when there is none, or a negative enum db_rc. */
int manage_client_find(db *d, const char *name, long long *id);
/* Creates a client: a name and nothing else (no user types, users or
 * regions). Needs an account allowed to insert clients (the schema owner:
 * the application's role may not). */
int manage_client_create(db *d, const char *name, long long *id, buf *detail, manage_err *err);

/* A user type with its row of the matrix. */
typedef struct manage_type {
    long long id;
    const char *name;
    acl_set functions;
    long long users; /* users of this type (any status) */
    bool require_two_factor; /* its users must log on with two-factor */
} manage_type;

/* The client's user types by name, into an array in a (*n of them).
 * enum db_rc. */
int manage_types(db *d, arena *a, long long client_id, manage_type **out, size_t *n);
/* Finds a user type of the client by id (name may be NULL) or by name (id
 * 0). Returns 1 with *out filled (strings in a), 0 when there is none, or a
 * negative enum db_rc. */
int manage_type_get(db *d, arena *a, long long client_id, long long id, const char *name, manage_type *out);

int manage_type_create(db *d, long long client_id, const char *name, long long *id, buf *detail,
                       manage_err *err);
int manage_type_rename(db *d, long long client_id, long long type_id, const char *name, buf *detail,
                       manage_err *err);
/* Deletes a user type and its row of the matrix; refused (MANAGE_IN_USE)
 * while any user has the type. */
int manage_type_delete(db *d, long long client_id, long long type_id, buf *detail, manage_err *err);

/* Requires two-factor logon of the type's users, or stops requiring it.
 * Its users without two-factor are led to enrol at their next request;
 * those who have it keep it either way. The detail is
 * {"changes":{"require_two_factor":{"old":..,"new":..}}} ({"changes":{}}
 * when nothing changed). */
int manage_type_require_two_factor(db *d, long long client_id, long long type_id, bool require, buf *detail,
                                   manage_err *err);

/* Sets the allowed functions of n user types (sets[i] for type_ids[i]; the
 * client's other types are left alone). The detail names, for each type
 * that changed, its functions before and after and those added and removed:
 * {"changes":{"ID":{"name":..,"before":[..],"after":[..],"added":[..],
 * "removed":[..]}}}. Refuses a change that leaves no active user allowed
 * matrix.manage in a client that had one (MANAGE_LOCKOUT). */
int manage_matrix_set(db *d, long long client_id, const long long *type_ids, const acl_set *sets, size_t n,
                      buf *detail, manage_err *err);
/* A fingerprint of the types and their rows (64 hex characters + NUL), for
 * a form to tell that the matrix changed after it was shown. */
void manage_matrix_version(const manage_type *types, size_t n, char out[65]);

/* A user of the client, with the summary of their scope. */
typedef struct manage_user {
    long long id;
    const char *username;
    const char *display_name;
    long long type_id;
    const char *type_name;
    const char *status; /* "active" or "disabled" */
    bool all_regions, all_campaigns;
    const char *regions;   /* their regions "Name (CODE)", ", "-separated; "" for none */
    const char *region_codes; /* the same as codes, ", "-separated */
    const char *campaigns; /* their campaigns' names, ", "-separated; "" for none */
    long long nregions, ncampaigns;
} manage_user;

/* The client's users by username, into an array in a. enum db_rc. */
int manage_users(db *d, arena *a, long long client_id, manage_user **out, size_t *n);
/* One user of the client by id (username NULL) or by username (id 0).
 * 1 with *out filled, 0 when not the client's, or a negative enum db_rc. */
int manage_user_get(db *d, arena *a, long long client_id, long long id, const char *username, manage_user *out);
/* The scope of a user as their session would load it. */
void manage_user_scope(long long client_id, const manage_user *u, acl_scope *out);
/* The number of live contacts in a scope (acl_scope_sql through the shared
 * contact filter). enum db_rc. */
int manage_scope_count(db *d, const acl_scope *sc, long long *out);

typedef struct manage_new_user {
    const char *username;
    const char *display_name; /* may be "" */
    long long type_id;
    const char *password;
    size_t password_len;
    bool must_change_password; /* at their first logon (someone else chose it) */
} manage_new_user;

/* Creates a user (active, with no regions and no campaigns: they see no
 * contact until given some). The password must follow the rules of
 * password.h; its normalised form is stored hashed with the given PBKDF2
 * iterations. */
int manage_user_create(db *d, long long client_id, const manage_new_user *u, int iterations, long long *id,
                       buf *detail, manage_err *err);

/* What to change of a user; NULL / 0 leaves a field as it is. */
typedef struct manage_user_change {
    const char *display_name;
    long long type_id;
    const char *status; /* "active" or "disabled" */
} manage_user_change;

/* Changes a user's display name, type or status. Disabling ends the user's
 * sessions. Guarded against locking the client out. */
int manage_user_update(db *d, long long client_id, long long user_id, const manage_user_change *c, buf *detail,
                       manage_err *err);
/* An administrator's reset: sets a new password (the rules of password.h),
 * which the user must change at their next logon, and ends the user's
 * sessions and revokes their API tokens. Detail {"password":"reset",
 * "must_change_password":true,"sessions_ended":N,"tokens_revoked":N,
 * "changes":{"must_change_password":{"old":false,"new":true}}} (no change
 * when it was set already): never the password or its hash. */
int manage_user_password(db *d, long long client_id, long long user_id, const char *pw, size_t n, int iterations,
                         buf *detail, manage_err *err);
/* An administrator's unlock of a username (lockout.h); *was_locked (may be
 * NULL) gets whether it was locked. Detail {"username":..,"was_locked":..,
 * "changes":{"locked":{"old":true,"new":false}}} (no changes when it was
 * not locked). Returns an enum db_rc. */
int manage_user_unlock(db *d, const char *username, buf *detail, int *was_locked);
/* The user's own change (the caller has checked the current password):
 * sets the new one (the rules of password.h), clears the need to change it
 * and ends every session of the user, the caller's too, and their API
 * tokens; detail as manage_user_password's with "changed" and the flag
 * going from true to false on a first logon. */
int manage_own_password(db *d, long long client_id, long long user_id, const char *pw, size_t n, int iterations,
                        buf *detail, manage_err *err);
/* The geography limit: all regions (all true, codes ignored), or exactly
 * the regions with the n codes given (none is allowed: sees nothing). */
int manage_user_regions(db *d, long long client_id, long long user_id, bool all, const char *const *codes,
                        size_t n, buf *detail, manage_err *err);
/* The campaign limit: all campaigns, or exactly the n campaigns given. */
int manage_user_campaigns(db *d, long long client_id, long long user_id, bool all, const long long *ids,
                          size_t n, buf *detail, manage_err *err);

/* A region or a campaign to choose from, and whether the user has it. */
typedef struct manage_choice {
    long long id;
    const char *code; /* regions only */
    const char *name;
    const char *kind; /* regions: country, state, district; campaigns: "archived" or "" */
    bool chosen;
} manage_choice;

/* Every region of the client in tree order, chosen = the user has it. */
int manage_region_choices(db *d, arena *a, long long client_id, long long user_id, manage_choice **out,
                          size_t *n);
/* Every campaign of the client by name, likewise. */
int manage_campaign_choices(db *d, arena *a, long long client_id, long long user_id, manage_choice **out,
                            size_t *n);
/* Finds a campaign of the client by its id (digits) or its name. 1 with
 * *id set, 0 when there is none, or a negative enum db_rc. */
int manage_campaign_find(db *d, long long client_id, const char *text, long long *id);

#endif
