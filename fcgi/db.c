/* db: MariaDB Connector/C behind a small API. Nothing else includes mysql.h.
 *
 * Reconnect is never automatic (MYSQL_OPT_RECONNECT stays off): a lost
 * connection marks the handle dead, the request fails with DB_GONE (503), and
 * the worker reconnects before its next request. */
#include "db.h"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define DB_MAX_COLS 64
/* The first buffer of a column of an unbuffered result; longer values grow it. */
#define DB_STREAM_COL_START 1024

struct db_stmt {
    db *owner;
    char *sql; /* owned copy: the cache key */
    MYSQL_STMT *st;
    unsigned nparams, ncols;
    MYSQL_BIND *params;
    MYSQL_BIND *cols;
    unsigned long *lens;
    my_bool *nulls;
    my_bool *errs;
    char **bufs;
    size_t *caps;
    long long *ints; /* storage for bound integer parameters */
    bool has_result;
    bool streaming; /* an unbuffered result is still being read (db_run_stream) */
};

struct db {
    MYSQL *my;
    const conf *cf;
    enum db_account account;
    bool admin; /* an operator's account (admin or maintenance): no time limits */
    bool alive;
    int server; /* index in cf->db_servers of the connected server */
    bool unlimited; /* the statement time limit is off for a stream (db_run_stream) */
    char *password; /* an operator's account: read from its file by db_open */
    int64_t last_begin_us; /* when the last transaction began (db_begin) */
    db_stmt **stmts;
    size_t nstmts, capstmts;
};

static int fail_n;
static enum db_rc fail_rc = DB_GONE;

void db_fail_next(int n, enum db_rc rc)
{
    fail_n = n;
    fail_rc = rc;
}

static bool injected(int *rc)
{
    if (fail_n > 0) {
        fail_n--;
        *rc = fail_rc;
        return true;
    }
    return false;
}

static int map_errno(db *d, unsigned e, const char *state, const char *what)
{
    switch (e) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case ER_OPTION_PREVENTS_STATEMENT: /* read-only server: fenced or demoted */
    case ER_READ_ONLY_MODE:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
        log_warn("db: %s: connection unusable (errno %u, sqlstate %s)", what, e, state);
        /* A server that turned read-only is left too: the next connection
         * looks for the writable one (a promoted standby). */
        d->alive = false;
        return DB_GONE;
    case ER_DUP_ENTRY:
        return DB_DUP;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
        log_warn("db: %s: transaction lost (errno %u)", what, e);
        return DB_RETRY;
    case ER_STATEMENT_TIMEOUT:
        log_warn("db: %s: statement timed out", what);
        return DB_TIMEOUT;
    default:
        log_error("db: %s: errno %u sqlstate %s", what, e, state);
        return DB_ERR;
    }
}

static int conn_err(db *d, const char *what)
{
    return map_errno(d, mysql_errno(d->my), mysql_sqlstate(d->my), what);
}

static int stmt_err(db_stmt *s, const char *what)
{
    /* A failed read of an unbuffered row leaves its error on the connection. */
    if (mysql_stmt_errno(s->st) == 0 && mysql_errno(s->owner->my) != 0)
        return conn_err(s->owner, what);
    return map_errno(s->owner, mysql_stmt_errno(s->st), mysql_stmt_sqlstate(s->st), what);
}

int db_library_init(void)
{
    return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

/* Opens d->my on one server and sets the session up; 0, or -1 (logged).
 * probe_timeout: 0, or the one timeout of a short look at a server. */
static int connect_server(db *d, const conf_db_server *srv, unsigned connect_timeout, unsigned probe_timeout)
{
    d->my = mysql_init(NULL);
    if (!d->my)
        abort();
    unsigned timeout = (unsigned)d->cf->db_timeout;
    /* The schema owner's statements (a migration's ALTER or backfill of a
     * large table) take as long as they take: a read timeout would only drop
     * the connection while the server goes on, leaving a migration half
     * applied and unrecorded. */
    unsigned read_timeout = d->admin ? 0 : timeout;
    if (probe_timeout)
        read_timeout = timeout = connect_timeout = probe_timeout;
    my_bool off = 0;
    mysql_optionsv(d->my, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_optionsv(d->my, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_optionsv(d->my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    mysql_optionsv(d->my, MYSQL_OPT_RECONNECT, &off);
    mysql_optionsv(d->my, MYSQL_OPT_LOCAL_INFILE, &off);
    /* An import's upload goes into one row (import.h: at most 32 MB). */
    unsigned long packet = 64UL << 20;
    mysql_optionsv(d->my, MYSQL_OPT_MAX_ALLOWED_PACKET, &packet);
    mysql_optionsv(d->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (srv->host) {
        unsigned tcp = MYSQL_PROTOCOL_TCP;
        mysql_optionsv(d->my, MYSQL_OPT_PROTOCOL, &tcp);
    }
    const char *user = d->account == DB_ADMIN ? d->cf->db_admin_user
                       : d->account == DB_MAINT ? d->cf->db_maint_user : d->cf->db_user;
    const char *pw = d->password ? d->password : d->cf->db_password;
    char name[300];
    conf_server_name(srv, name, sizeof name);
    if (!mysql_real_connect(d->my, srv->host, user, pw, d->cf->db_name, srv->port, srv->socket, 0)) {
        log_error("db: cannot connect as %s to %s: errno %u", user, name, mysql_errno(d->my));
        mysql_close(d->my);
        d->my = NULL;
        return -1;
    }
    /* UTC everywhere; strict modes so bad data is an error, never a silent
     * truncation. */
    static const char *setup[] = {
        "SET SESSION time_zone = '+00:00'",
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
        "NO_ENGINE_SUBSTITUTION'",
        "SET NAMES utf8mb4 COLLATE utf8mb4_uca1400_ai_ci",
        /* Not `transaction_isolation = ...`: that variable is unknown before
         * MariaDB 11.1 (10.11 calls it tx_isolation); this form works on both. */
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    };
    char limits[128];
    /* The web workers' limits nest inside the client's read timeout, so a
     * lock wait or a slow statement ends as a MariaDB error the request can
     * report and audit, never as a dropped connection. */
    snprintf(limits, sizeof limits, "SET SESSION innodb_lock_wait_timeout = %u, max_statement_time = %.1f",
             timeout / 2, timeout * 0.8);
    for (size_t i = 0; i <= CT_ARRAY_LEN(setup); i++) {
        const char *sql = i < CT_ARRAY_LEN(setup) ? setup[i] : d->admin ? NULL : limits;
        if (sql && mysql_query(d->my, sql) != 0) {
            conn_err(d, "session setup");
            mysql_close(d->my);
            d->my = NULL;
            return -1;
        }
    }
    return 0;
}

/* 1 when the server takes writes from this account, 0 when it is
 * read-only (a standby, or a primary fenced or restarted read-only), -1 when
 * it cannot say. */
static int server_writable(db *d)
{
    if (mysql_query(d->my, "SELECT @@global.read_only") != 0)
        return -1;
    MYSQL_RES *res = mysql_store_result(d->my);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    int rc = row && row[0] ? strcmp(row[0], "0") == 0 : -1;
    if (res)
        mysql_free_result(res);
    return rc;
}

/* The server this process last wrote to is tried first, so a worker does not
 * knock on a dead primary before every request once a standby has taken
 * over; the others follow in the configured order. */
static int preferred_server;
/* While no server is writable, requests are refused at once for a short
 * while instead of each trying every server again. */
#define DB_NONE_BACKOFF_US 250000
static int64_t none_writable_until;
/* A server that could not be reached within half a second (a host that is
 * gone, or silent) is skipped for a while, so that it does not cost every
 * request its connect timeout. One that refuses at once (a stopped server)
 * costs nothing and is tried every time: it may be back, and promoted. */
#define DB_SERVER_DOWN_US 5000000
#define DB_SERVER_SLOW_US 500000
static int64_t server_down_until[CONF_MAX_DB_SERVERS];

static int connect_handle(db *d)
{
    const conf *cf = d->cf;
    int64_t now = now_mono_us();
    if (!d->admin && cf->n_db_servers > 1 && now < none_writable_until)
        return -1;
    /* With a list, one dead host must not use up a request's time. */
    unsigned timeout = (unsigned)cf->db_timeout;
    unsigned connect_timeout = cf->n_db_servers > 1 ? 2 : timeout < 5 ? timeout : 5;
    int first = preferred_server < cf->n_db_servers ? preferred_server : 0;
    for (int k = 0; k < cf->n_db_servers; k++) {
        int i = k == 0 ? first : k <= first ? k - 1 : k;
        bool list = cf->n_db_servers > 1 && !d->admin;
        if (list && now < server_down_until[i])
            continue;
        int64_t t0 = now_mono_us();
        if (connect_server(d, &cf->db_servers[i], connect_timeout, 0) != 0) {
            int64_t t1 = now_mono_us();
            if (list && t1 - t0 > DB_SERVER_SLOW_US)
                server_down_until[i] = t1 + DB_SERVER_DOWN_US;
            continue;
        }
        server_down_until[i] = 0;
        int w = server_writable(d);
        if (w == 1) {
            if (i != preferred_server || d->server != i) {
                char name[300];
                conf_server_name(&cf->db_servers[i], name, sizeof name);
                if (cf->n_db_servers > 1)
                    log_info("db: writing to %s", name);
            }
            preferred_server = i;
            d->server = i;
            d->alive = true;
            d->unlimited = false;
            d->last_begin_us = now_mono_us(); /* it was just looked at */
            none_writable_until = 0;
            return 0;
        }
        char name[300];
        conf_server_name(&cf->db_servers[i], name, sizeof name);
        if (w == 0)
            log_warn("db: %s is read-only (a standby, or fenced): not writing to it", name);
        else
            conn_err(d, "read_only check");
        mysql_close(d->my);
        d->my = NULL;
    }
    if (cf->n_db_servers > 1) {
        log_error("db: no writable database server among the %d configured", cf->n_db_servers);
        none_writable_until = now_mono_us() + DB_NONE_BACKOFF_US;
    }
    return -1;
}

/* One field of the first row of a result, by column name; NULL when absent
 * or SQL NULL. */
static const char *field(MYSQL_RES *res, MYSQL_ROW row, const char *name)
{
    unsigned n = mysql_num_fields(res);
    MYSQL_FIELD *f = mysql_fetch_fields(res);
    for (unsigned i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return row[i];
    return NULL;
}

int db_standbys(db *d, db_standby *out, int max)
{
    const conf *cf = d->cf;
    int n = 0;
    for (int i = 0; i < cf->n_db_servers && n < max; i++) {
        if (i == d->server)
            continue;
        db_standby *st = &out[n++];
        *st = (db_standby){.delay = -1};
        conf_server_name(&cf->db_servers[i], st->server, sizeof st->server);
        /* A short-lived handle of its own, with short timeouts: a page must
         * not wait long for a server that is away. */
        db probe = {.cf = cf, .account = DB_APP};
        if (connect_server(&probe, &cf->db_servers[i], 1, 1) != 0)
            continue;
        st->reachable = true;
        MYSQL_RES *res = NULL;
        if (mysql_query(probe.my, "SHOW SLAVE STATUS") != 0 || !(res = mysql_store_result(probe.my))) {
            snprintf(st->error, sizeof st->error, "its replication state cannot be read (errno %u)",
                     mysql_errno(probe.my));
            log_warn("db: SHOW SLAVE STATUS on %s: errno %u", st->server, mysql_errno(probe.my));
        } else {
            MYSQL_ROW row = mysql_fetch_row(res);
            if (row) {
                const char *io = field(res, row, "Slave_IO_Running"), *sq = field(res, row, "Slave_SQL_Running");
                const char *lag = field(res, row, "Seconds_Behind_Master");
                const char *e1 = field(res, row, "Last_IO_Error"), *e2 = field(res, row, "Last_SQL_Error");
                st->replicating = true;
                st->receiving = io && strcmp(io, "Yes") == 0;
                st->applying = sq && strcmp(sq, "Yes") == 0;
                int64_t v;
                if (lag && parse_i64(lag, strlen(lag), 0, INT64_MAX, &v) == 0)
                    st->delay = v;
                const char *e = e1 && *e1 ? e1 : e2 && *e2 ? e2 : "";
                snprintf(st->error, sizeof st->error, "%s", e);
            }
            mysql_free_result(res);
        }
        mysql_close(probe.my);
    }
    return n;
}

/* The statement time limit of a web worker's session: off while a stream is
 * read (its statement runs as long as its client reads, far longer than any
 * page may take), back on before the next statement. */
static int statement_limit(db *d, bool on)
{
    if (d->admin || d->unlimited == !on)
        return DB_OK;
    char sql[64];
    snprintf(sql, sizeof sql, "SET SESSION max_statement_time = %.1f", on ? d->cf->db_timeout * 0.8 : 0.0);
    if (mysql_query(d->my, sql) != 0)
        return conn_err(d, "statement time limit");
    d->unlimited = !on;
    return DB_OK;
}

db *db_open(const conf *c, enum db_account account)
{
    if (account == DB_ADMIN && (!c->db_admin_user || !c->db_admin_password_file)) {
        log_error("db: DB.AdminUser and DB.AdminPasswordFile are needed for this command");
        return NULL;
    }
    if (account == DB_MAINT && (!c->db_maint_user || !c->db_maint_password_file)) {
        log_error("db: DB.MaintenanceUser and DB.MaintenancePasswordFile are needed for this command");
        return NULL;
    }
    db *d = xcalloc(1, sizeof *d);
    d->cf = c;
    d->account = account;
    d->admin = account != DB_APP;
    if (d->admin) {
        /* Read here, by the command that needs it (an operator's), not when
         * the configuration is loaded: the service cannot read these. */
        char err[600];
        d->password = conf_read_secret(account == DB_ADMIN ? c->db_admin_password_file : c->db_maint_password_file,
                                       err, sizeof err);
        if (!d->password) {
            log_error("db: %s (the %s account's password)", err, account == DB_ADMIN ? "schema owner" : "maintenance");
            free(d);
            return NULL;
        }
    }
    if (connect_handle(d) != 0) {
        db_close(d);
        return NULL;
    }
    return d;
}

db *db_open_lazy(const conf *c)
{
    db *d = xcalloc(1, sizeof *d);
    d->cf = c;
    d->account = DB_APP;
    d->admin = false;
    connect_handle(d);
    return d;
}

static void stmt_free(db_stmt *s)
{
    if (s->st)
        mysql_stmt_close(s->st);
    for (unsigned i = 0; i < s->ncols; i++)
        free(s->bufs[i]);
    free(s->params);
    free(s->cols);
    free(s->lens);
    free(s->nulls);
    free(s->errs);
    free(s->bufs);
    free(s->caps);
    free(s->ints);
    free(s->sql);
    free(s);
}

static void drop_statements(db *d)
{
    for (size_t i = 0; i < d->nstmts; i++)
        stmt_free(d->stmts[i]);
    d->nstmts = 0;
}

void db_close(db *d)
{
    if (!d)
        return;
    drop_statements(d);
    free(d->stmts);
    if (d->my)
        mysql_close(d->my);
    if (d->password) {
        explicit_bzero(d->password, strlen(d->password));
        free(d->password);
    }
    free(d);
}

unsigned long db_connection_id(db *d)
{
    return d->alive && d->my ? mysql_thread_id(d->my) : 0;
}

bool db_alive(const db *d)
{
    return d && d->alive && d->my;
}

int db_reconnect(db *d)
{
    drop_statements(d);
    if (d->my)
        mysql_close(d->my);
    d->my = NULL;
    d->alive = false;
    return connect_handle(d);
}

static int simple(db *d, const char *sql)
{
    int rc;
    if (injected(&rc)) {
        if (rc == DB_GONE)
            d->alive = false;
        return rc;
    }
    if (!db_alive(d))
        return DB_GONE;
    if ((rc = statement_limit(d, true)) != DB_OK)
        return rc;
    if (mysql_real_query(d->my, sql, strlen(sql)) != 0)
        return conn_err(d, sql);
    MYSQL_RES *res = mysql_store_result(d->my);
    if (res)
        mysql_free_result(res);
    return DB_OK;
}

/* A connection idle for longer than this looks again whether its server
 * is still the writable one before a transaction (with more than one server):
 * after a planned switchover the old primary accepts START TRANSACTION and
 * refuses only the first write, which would cost the request. */
#define DB_IDLE_RECHECK_US 1000000

int db_begin(db *d)
{
    int64_t now = now_mono_us();
    if (d->cf->n_db_servers > 1 && db_alive(d) && now - d->last_begin_us > DB_IDLE_RECHECK_US && fail_n == 0) {
        int w = server_writable(d);
        if (w != 1) {
            log_warn("db: the server turned %s while the connection was idle: looking for the writable one",
                     w == 0 ? "read-only" : "unreachable");
            d->alive = false;
            return DB_GONE; /* the caller reconnects and begins again */
        }
    }
    d->last_begin_us = now;
    return simple(d, "START TRANSACTION");
}

int db_commit(db *d)
{
    int rc;
    if (injected(&rc)) {
        if (rc == DB_GONE)
            d->alive = false;
        return rc;
    }
    if (!db_alive(d))
        return DB_GONE;
    if (mysql_commit(d->my) != 0)
        return conn_err(d, "COMMIT");
    return DB_OK;
}

int db_rollback(db *d)
{
    if (!db_alive(d))
        return DB_GONE;
    if (mysql_rollback(d->my) != 0)
        return conn_err(d, "ROLLBACK");
    return DB_OK;
}

bool db_in_transaction(db *d)
{
    if (!db_alive(d))
        return false;
    unsigned int status = 0;
    if (mariadb_get_infov(d->my, MARIADB_CONNECTION_SERVER_STATUS, &status) != 0)
        return false;
    return (status & SERVER_STATUS_IN_TRANS) != 0;
}

int db_exec_sql(db *d, const char *sql)
{
    return simple(d, sql);
}

/* Makes room for ncols result columns (once per statement). -1 when there
 * are more than DB_MAX_COLS. */
static int set_columns(db_stmt *s, unsigned ncols)
{
    if (ncols > DB_MAX_COLS) {
        log_error("db: too many result columns");
        return -1;
    }
    s->ncols = ncols;
    s->cols = xcalloc(s->ncols + 1, sizeof(MYSQL_BIND));
    s->lens = xcalloc(s->ncols + 1, sizeof(unsigned long));
    s->nulls = xcalloc(s->ncols + 1, sizeof(my_bool));
    s->errs = xcalloc(s->ncols + 1, sizeof(my_bool));
    s->bufs = xcalloc(s->ncols + 1, sizeof(char *));
    s->caps = xcalloc(s->ncols + 1, sizeof(size_t));
    return 0;
}

/* A statement whose result is known only once it ran (INSERT ... RETURNING
 * has no result metadata at prepare): its columns, from the execution. */
static int late_columns(db_stmt *s)
{
    if (s->ncols || mysql_stmt_field_count(s->st) == 0)
        return DB_OK;
    MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
    unsigned ncols = meta ? mysql_num_fields(meta) : 0;
    if (meta)
        mysql_free_result(meta);
    free(s->cols), free(s->lens), free(s->nulls), free(s->errs), free(s->bufs), free(s->caps);
    return set_columns(s, ncols) == 0 ? DB_OK : DB_ERR;
}

db_stmt *db_stmt_get(db *d, const char *sql)
{
    for (size_t i = 0; i < d->nstmts; i++)
        if (d->stmts[i]->sql == sql || strcmp(d->stmts[i]->sql, sql) == 0)
            return d->stmts[i];
    if (!db_alive(d))
        return NULL;
    db_stmt *s = xcalloc(1, sizeof *s);
    s->owner = d;
    s->sql = xstrdup(sql);
    s->st = mysql_stmt_init(d->my);
    if (!s->st)
        abort();
    my_bool on = 1;
    mysql_stmt_attr_set(s->st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    if (mysql_stmt_prepare(s->st, sql, strlen(sql)) != 0) {
        stmt_err(s, "prepare");
        log_error("db: the statement that failed to prepare: %.200s", sql);
        stmt_free(s);
        return NULL;
    }
    s->nparams = mysql_stmt_param_count(s->st);
    s->params = xcalloc(s->nparams + 1, sizeof(MYSQL_BIND));
    s->ints = xcalloc(s->nparams + 1, sizeof(long long));
    MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
    unsigned ncols = 0;
    if (meta) {
        ncols = mysql_num_fields(meta);
        mysql_free_result(meta);
    }
    if (set_columns(s, ncols) != 0) {
        stmt_free(s);
        return NULL;
    }
    if (d->nstmts == d->capstmts) {
        d->capstmts = d->capstmts ? d->capstmts * 2 : 32;
        d->stmts = xrealloc(d->stmts, d->capstmts * sizeof *d->stmts);
    }
    d->stmts[d->nstmts++] = s;
    return s;
}

static MYSQL_BIND *param(db_stmt *s, int i)
{
    if (i < 0 || (unsigned)i >= s->nparams) {
        log_error("db: parameter %d out of range for: %.120s", i, s->sql);
        abort();
    }
    MYSQL_BIND *b = &s->params[i];
    memset(b, 0, sizeof *b);
    return b;
}

void db_bind_int(db_stmt *s, int i, long long v)
{
    MYSQL_BIND *b = param(s, i);
    s->ints[i] = v;
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = &s->ints[i];
}

void db_bind_text(db_stmt *s, int i, const char *v, size_t n)
{
    MYSQL_BIND *b = param(s, i);
    if (!v) {
        b->buffer_type = MYSQL_TYPE_NULL;
        return;
    }
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)v;
    b->buffer_length = (unsigned long)n;
}

void db_bind_str(db_stmt *s, int i, const char *v)
{
    db_bind_text(s, i, v, v ? strlen(v) : 0);
}

void db_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    MYSQL_BIND *b = param(s, i);
    b->buffer_type = MYSQL_TYPE_BLOB;
    b->buffer = (void *)v;
    b->buffer_length = (unsigned long)n;
}

void db_bind_null(db_stmt *s, int i)
{
    MYSQL_BIND *b = param(s, i);
    b->buffer_type = MYSQL_TYPE_NULL;
}

void db_done(db_stmt *s)
{
    /* Freeing an unbuffered result reads what is left of it from the server
     * (correct, but slow for a big one: db_stream_cancel is the quick way
     * out of a stream that is abandoned). */
    s->streaming = false;
    if (s->has_result) {
        mysql_stmt_free_result(s->st);
        s->has_result = false;
    }
}

/* Binds a string buffer to every result column. sized_by_result: from the
 * longest value of a stored result (max_length); otherwise from the declared
 * size, capped, for an unbuffered result (db_next grows them on demand). */
static int bind_columns(db_stmt *s, bool sized_by_result)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
    if (!meta)
        return stmt_err(s, "metadata");
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    for (unsigned c = 0; c < s->ncols; c++) {
        size_t need = sized_by_result ? (size_t)f[c].max_length + 1 : (size_t)f[c].length + 1;
        if (!sized_by_result && need > DB_STREAM_COL_START)
            need = DB_STREAM_COL_START;
        if (need < 64)
            need = 64;
        if (s->caps[c] < need) {
            s->bufs[c] = xrealloc(s->bufs[c], need);
            s->caps[c] = need;
        }
        MYSQL_BIND *b = &s->cols[c];
        memset(b, 0, sizeof *b);
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = s->bufs[c];
        b->buffer_length = (unsigned long)s->caps[c];
        b->length = &s->lens[c];
        b->is_null = &s->nulls[c];
        b->error = &s->errs[c];
    }
    mysql_free_result(meta);
    if (mysql_stmt_bind_result(s->st, s->cols) != 0)
        return stmt_err(s, "bind result");
    return DB_OK;
}

/* After MYSQL_DATA_TRUNCATED on an unbuffered row: grows each truncated
 * column's buffer to the value's real length and fetches it again. */
static int refetch_truncated(db_stmt *s)
{
    bool rebind = false;
    for (unsigned c = 0; c < s->ncols; c++) {
        if (!s->errs[c] || s->nulls[c])
            continue;
        size_t need = (size_t)s->lens[c] + 1;
        s->bufs[c] = xrealloc(s->bufs[c], need);
        s->caps[c] = need;
        s->cols[c].buffer = s->bufs[c];
        s->cols[c].buffer_length = (unsigned long)need;
        if (mysql_stmt_fetch_column(s->st, &s->cols[c], c, 0) != 0)
            return stmt_err(s, "fetch column");
        s->errs[c] = 0;
        rebind = true;
    }
    if (rebind && mysql_stmt_bind_result(s->st, s->cols) != 0)
        return stmt_err(s, "bind result");
    return DB_OK;
}

/* Executes s with its bound parameters, under the pages' statement time
 * limit or (for a stream) without it. */
static int execute(db_stmt *s, bool time_limit)
{
    int rc;
    db_done(s);
    if (injected(&rc)) {
        if (rc == DB_GONE)
            s->owner->alive = false;
        return rc;
    }
    if (!db_alive(s->owner))
        return DB_GONE;
    if ((rc = statement_limit(s->owner, time_limit)) != DB_OK)
        return rc;
    if (s->nparams && mysql_stmt_bind_param(s->st, s->params) != 0)
        return stmt_err(s, "bind");
    if (mysql_stmt_execute(s->st) != 0)
        return stmt_err(s, "execute");
    return DB_OK;
}

int db_run(db_stmt *s)
{
    int rc = execute(s, true);
    if (rc == DB_OK)
        rc = late_columns(s);
    if (rc != DB_OK || s->ncols == 0)
        return rc;
    if (mysql_stmt_store_result(s->st) != 0)
        return stmt_err(s, "store");
    s->has_result = true;
    /* Size every column buffer from the longest value in this result. */
    return bind_columns(s, true);
}

int db_run_stream(db_stmt *s)
{
    int rc = execute(s, false);
    if (rc != DB_OK || s->ncols == 0)
        return rc;
    s->has_result = true;
    s->streaming = true;
    /* No max_length without the whole result: the buffers start from the
     * declared column size (capped) and grow when a value does not fit. */
    return bind_columns(s, false);
}

void db_stream_cancel(db_stmt *s)
{
    if (!s->streaming)
        return;
    db *d = s->owner;
    log_info("db: an unbuffered result was left unread; reconnecting instead of draining it");
    /* s is freed here with every other statement of the connection. */
    if (db_reconnect(d) != 0)
        log_warn("db: could not reconnect after cancelling a stream");
}

int db_next(db_stmt *s)
{
    if (!s->has_result)
        return 0;
    int rc;
    if (s->streaming && injected(&rc)) {
        if (rc == DB_GONE)
            s->owner->alive = false;
        return rc;
    }
    int r = mysql_stmt_fetch(s->st);
    if (r == MYSQL_NO_DATA) {
        s->streaming = false;
        return 0;
    }
    if (r == MYSQL_DATA_TRUNCATED && s->streaming) {
        if ((rc = refetch_truncated(s)) != DB_OK)
            return rc;
    } else if (r == MYSQL_DATA_TRUNCATED) {
        /* max_length sized the buffers, so this is a bug; say so, don't hide it. */
        log_error("db: truncated column in: %.120s", s->sql);
        return DB_ERR;
    } else if (r != 0) {
        return stmt_err(s, "fetch");
    }
    for (unsigned c = 0; c < s->ncols; c++)
        if (!s->nulls[c])
            s->bufs[c][s->lens[c]] = '\0';
    return 1;
}

const char *db_text(db_stmt *s, int col, size_t *len)
{
    if (col < 0 || (unsigned)col >= s->ncols || s->nulls[col]) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = s->lens[col];
    return s->bufs[col];
}

long long db_int(db_stmt *s, int col)
{
    const char *t = db_text(s, col, NULL);
    return t ? strtoll(t, NULL, 10) : 0;
}

bool db_is_null(db_stmt *s, int col)
{
    return col < 0 || (unsigned)col >= s->ncols || s->nulls[col];
}

unsigned long long db_insert_id(db_stmt *s)
{
    return (unsigned long long)mysql_stmt_insert_id(s->st);
}

const char *db_text_dup(db_stmt *s, int col, arena *a)
{
    size_t n;
    const char *t = db_text(s, col, &n);
    return t ? arena_strndup(a, t, n) : "";
}

int db_one_int(db_stmt *s, long long *out)
{
    *out = 0;
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) < 0)
        return rc;
    if (rc == 1)
        *out = db_int(s, 0);
    db_done(s);
    return DB_OK;
}

unsigned long long db_affected(db_stmt *s)
{
    return (unsigned long long)mysql_stmt_affected_rows(s->st);
}
