/* audit: appending audit rows, inside the caller's transaction, each linked
 * into its chain (audit_chain.h). */
#ifndef CTRACK_AUDIT_H
#define CTRACK_AUDIT_H

#include <stddef.h>

#include "conf.h"
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
 * whatever transaction is open there, as the next row of the chain of its
 * client and of this connection's writer slot (claimed on first use and
 * again after a reconnect). The row's hash is keyed by cf's Audit.KeyFile;
 * without that key nothing is written. *id_out (may be NULL) gets the row's
 * id. Returns an enum db_rc. */
int audit_append(db *d, const conf *cf, const audit_entry *e, unsigned long long *id_out);

/* Records that the audit row audit_id touched these contacts of client_id
 * (a bulk action, an export, an import), in the open transaction, so that
 * each contact's history finds the row. Duplicates are fine. Returns an
 * enum db_rc. */
int audit_add_contacts(db *d, long long client_id, unsigned long long audit_id, const long long *ids, size_t n);
/* The same for the ids of a list (a request's touched contacts), read a
 * chunk at a time. */
int audit_add_contact_list(db *d, long long client_id, unsigned long long audit_id, const idlist *l);

/* Makes a fresh request id (32 lowercase hex characters + NUL). 0 or -1. */
int audit_new_request_id(char out[33]);

#endif
