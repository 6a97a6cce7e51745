/* audit: appending audit rows, inside the caller's transaction. */
#ifndef CTRACK_AUDIT_H
#define CTRACK_AUDIT_H

#include "db.h"

typedef struct audit_entry {
    long long client_id;     /* 0 when no client is known */
    long long user_id;       /* 0 when nobody is logged in */
    const char *remote_addr; /* "" for the command line */
    const char *request_id;  /* 32 hex characters */
    const char *method;      /* GET, POST, ... or CLI */
    const char *path;        /* the request path, or the command */
    const char *action;      /* e.g. contact.update, login.fail, http.not_found */
    const char *object_type; /* e.g. contact, or NULL */
    long long object_id;     /* 0 when none */
    int outcome;             /* the HTTP status (CLI: 200 ok, 500 failed) */
    const char *detail;      /* a JSON object, or NULL */
    long long token_id;      /* the API token the request used, or 0 */
} audit_entry;

/* Inserts one audit row with the current UTC time (microseconds) on d, in
 * whatever transaction is open there. Returns an enum db_rc. */
int audit_append(db *d, const audit_entry *e);

/* Makes a fresh request id (32 lowercase hex characters + NUL). 0 or -1. */
int audit_new_request_id(char out[33]);

#endif
