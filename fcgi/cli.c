/* cli: the shared part of the operator commands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "json.h"
#include "log.h"
#include "util.h"

int cli_open(cli_run *x, const char *conf_path, enum db_account account)
{
    x->c = conf_load(conf_path);
    if (!x->c)
        return -1;
    enum log_level lvl;
    if (log_parse_level(x->c->log_level, &lvl) == 0)
        log_set_level(lvl);
    if (audit_new_request_id(x->request_id) != 0) {
        fprintf(stderr, "ctrack: no random bytes for the request id\n");
        cli_close(x);
        return -1;
    }
    log_set_request(x->request_id);
    if (db_library_init() != 0) {
        fprintf(stderr, "ctrack: cannot initialise the database client library\n");
        cli_close(x);
        return -1;
    }
    x->d = db_open(x->c, account);
    if (!x->d) {
        fprintf(stderr, "ctrack: cannot connect to the database (see the message above)\n");
        cli_close(x);
        return -1;
    }
    return 0;
}

void cli_close(cli_run *x)
{
    if (x->d)
        db_close(x->d);
    if (x->c)
        conf_free(x->c);
    x->d = NULL;
    x->c = NULL;
    log_set_request(NULL);
}

/* The run's audit row; a failure's row names no contacts (its work was
 * rolled back). */
static int append(cli_run *x, int outcome, const char *detail, bool with_contacts)
{
    audit_entry e = {
        .client_id = x->client_id,
        .remote_addr = "",
        .request_id = x->request_id,
        .method = "CLI",
        .path = x->path ? x->path : "",
        .action = x->action ? x->action : "cli",
        .object_type = x->object_type,
        .object_id = x->object_id,
        .outcome = outcome,
        .detail = detail,
    };
    unsigned long long audit_id = 0;
    int rc = audit_append(x->d, x->c, &e, &audit_id);
    if (rc == DB_OK && with_contacts && x->ntouched && audit_id)
        rc = audit_add_contacts(x->d, x->client_id, audit_id, x->touched, x->ntouched);
    if (rc == DB_OK)
        rc = db_commit(x->d);
    if (rc != DB_OK)
        db_rollback(x->d);
    return rc;
}

int cli_commit(cli_run *x, const char *detail)
{
    int rc = append(x, 200, detail, true);
    if (rc != DB_OK)
        log_error("audit: could not record %s", x->path ? x->path : "?");
    return rc;
}

int cli_record_outcome(cli_run *x, int outcome, const char *detail)
{
    db_rollback(x->d);
    if (!db_alive(x->d))
        return 0;
    int rc = db_begin(x->d);
    if (rc == DB_OK)
        rc = append(x, outcome, detail, false);
    if (rc != DB_OK) {
        fprintf(stderr, "ctrack: the failure could not be recorded in the audit trail\n");
        return -1;
    }
    return 0;
}

int cli_record_failure(cli_run *x, int outcome, const char *why)
{
    buf detail = {0};
    buf_adds(&detail, "{\"error\":");
    json_add_cstr(&detail, why);
    buf_addc(&detail, '}');
    int rc = cli_record_outcome(x, outcome, buf_str(&detail));
    buf_free(&detail);
    return rc;
}

const char *cli_db_failure(int rc)
{
    switch (rc) {
    case DB_GONE:
        return "the database is not reachable";
    case DB_RETRY:
        return "a lock wait or deadlock (another change held the same rows); try again";
    case DB_TIMEOUT:
        return "a statement took too long";
    default:
        return "a database error (see the log)";
    }
}

int cli_db_outcome(int rc)
{
    return rc == DB_GONE || rc == DB_RETRY || rc == DB_TIMEOUT ? 503 : 500;
}
