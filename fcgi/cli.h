/* cli: what every operator command shares: the configuration, the database
 * connection and the request id of a run, and its audit rows. A command's
 * work and its audit row (method CLI, the command words as path, no user,
 * no address) commit together; a command that fails is rolled back and its
 * failure recorded in a transaction of its own, as a page's would be. */
#ifndef CTRACK_CLI_H
#define CTRACK_CLI_H

#include <stdbool.h>

#include "conf.h"
#include "db.h"

typedef struct cli_run {
    conf *c;
    db *d;
    char request_id[33];
    /* The audit row of the run; the command fills these in as it goes. */
    long long client_id;     /* 0 until the client is known */
    const char *path;        /* the command words, never a secret */
    const char *action;      /* the same action as the page's */
    const char *object_type; /* or NULL */
    long long object_id;
    /* Contacts the run changed besides its object, written beside its audit
     * row (audit_add_contacts); owned by the command. */
    const long long *touched;
    size_t ntouched;
} cli_run;

/* Loads the configuration at conf_path, sets the log level, makes the
 * request id and connects with the given account. Returns 0, or -1 after printing why to stderr
 * (everything opened is closed again). */
int cli_open(cli_run *x, const char *conf_path, enum db_account account);
/* Closes what cli_open opened; safe on a zeroed or failed run. */
void cli_close(cli_run *x);

/* Appends the run's audit row (outcome 200, detail a JSON object or NULL)
 * and its touched contacts to the open transaction and commits; rolls back
 * when any of it fails. Returns an enum db_rc. */
int cli_commit(cli_run *x, const char *detail);
/* Rolls the open transaction back and, when the database is reachable,
 * records the failure ({"error": why}) with outcome in a transaction of its
 * own (with no client when it was not known). Returns 0, or -1 when it could not be recorded
 * (said on stderr). */
int cli_record_failure(cli_run *x, int outcome, const char *why);
/* The same with a detail of the caller's (a JSON object). */
int cli_record_outcome(cli_run *x, int outcome, const char *detail);

/* Why a database call failed, for a message to the operator. */
const char *cli_db_failure(int rc);
/* The HTTP-like outcome of a database failure for the audit row. */
int cli_db_outcome(int rc);

#endif
