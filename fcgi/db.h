/* db: the only door to MariaDB. Prepared statements only, bound parameters,
 * a statement cache, transactions, error mapping and reconnecting. */
#ifndef CTRACK_DB_H
#define CTRACK_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "util.h"

typedef struct db db;
typedef struct db_stmt db_stmt;

/* Outcomes of database calls. Every failure is logged once, in db.c. */
enum db_rc {
    DB_OK = 0,
    DB_ERR = -1,     /* a bug or an unexpected server error */
    DB_GONE = -2,    /* the connection is lost or the server is read-only/away */
    DB_DUP = -3,     /* a unique key was violated */
    DB_RETRY = -4,   /* deadlock or lock wait timeout: the transaction was lost */
    DB_TIMEOUT = -5, /* the statement ran past its time limit */
};

/* Initialises the client library; call once in the parent before fork. */
int db_library_init(void);
/* The database accounts the program uses. */
enum db_account {
    DB_APP,   /* DB.User: the web workers' least privilege */
    DB_ADMIN, /* DB.AdminUser: owns the schema (migrate, setup-demo, user admin) */
    DB_MAINT, /* DB.MaintenanceUser: audit purge, retention, verify */
};

/* Connects with the given account. Operators' accounts (admin, maintenance)
 * have no statement time limits. Returns NULL on failure (logged). The
 * caller owns the handle; close it with db_close. */
db *db_open(const conf *c, enum db_account account);
void db_close(db *d);
/* Like db_open, but returns a handle even when the first connection fails
 * (it is then not alive, and db_reconnect tries again): a worker starts and
 * answers 503 while the database is away. */
db *db_open_lazy(const conf *c);
/* True while the connection is usable; false after a lost connection. */
bool db_alive(const db *d);
/* Reconnects a handle whose connection was lost: all statements are
 * re-prepared on next use. 0 or -1. */
int db_reconnect(db *d);

/* The server's id of the current connection (a new one after a reconnect),
 * 0 when not connected. */
unsigned long db_connection_id(db *d);

/* The state of a standby: one of the other servers of DB.Servers, asked
 * with short timeouts as the application's account (which needs the SLAVE
 * MONITOR privilege for it). */
typedef struct db_standby {
    char server[128];    /* as DB.Servers names it */
    bool reachable;      /* it answered */
    bool replicating;    /* it has a primary to follow (SHOW SLAVE STATUS has a row) */
    bool receiving;      /* Slave_IO_Running = Yes */
    bool applying;       /* Slave_SQL_Running = Yes */
    long long delay;     /* Seconds_Behind_Master, -1 when unknown */
    char error[200];     /* Last_IO_Error or Last_SQL_Error, or why it could not be asked */
} db_standby;

/* Fills out[] with the servers of DB.Servers other than the one d writes
 * to, at most max; returns how many. */
int db_standbys(db *d, db_standby *out, int max);

/* Transactions. Each returns an enum db_rc. */
int db_begin(db *d);
int db_commit(db *d);
int db_rollback(db *d);
/* True when the server says a transaction is open on this connection. */
bool db_in_transaction(db *d);

/* Runs one statement without parameters (migrations, session settings). */
int db_exec_sql(db *d, const char *sql);

/* Returns the prepared statement for sql, preparing it on first use and
 * keeping it for the life of the connection (keyed by the text, so SQL
 * assembled from constant fragments is cached too; data never goes into the
 * text, only into bound parameters). NULL on failure (logged). */
db_stmt *db_stmt_get(db *d, const char *sql);
/* Binds parameter i (0-based). The bytes must stay valid until db_run. */
void db_bind_int(db_stmt *s, int i, long long v);
void db_bind_text(db_stmt *s, int i, const char *v, size_t n);
void db_bind_str(db_stmt *s, int i, const char *v); /* NULL binds SQL NULL */
void db_bind_blob(db_stmt *s, int i, const void *v, size_t n);
void db_bind_null(db_stmt *s, int i);
/* Executes with the bound parameters and buffers any result rows. */
int db_run(db_stmt *s);
/* Executes like db_run but leaves the rows on the server, to be read one at
 * a time by db_next (an unbuffered result), so memory stays flat however
 * many rows there are. Until db_next has returned 0 or an error, or
 * db_stream_cancel was called, no other statement may run on this
 * connection: only streaming exports use it, after their work committed.
 * The statement has no time limit (it lasts as long as its client reads);
 * the limit is back for the next statement. */
int db_run_stream(db_stmt *s);
/* Abandons an unbuffered result that was not read to its end (a client that
 * went away, a failed row): the connection is closed and opened again
 * rather than reading the rest, which also frees every statement, s
 * included. Nothing to do after db_next returned 0. Failures are logged;
 * the handle is then not alive and the worker reconnects later. */
void db_stream_cancel(db_stmt *s);
/* Moves to the next row: 1 when there is one, 0 at the end, <0 on error. */
int db_next(db_stmt *s);
/* Column values of the current row, borrowed until the next db_next/db_run. */
const char *db_text(db_stmt *s, int col, size_t *len); /* NULL for SQL NULL */
long long db_int(db_stmt *s, int col);                  /* 0 for NULL */
bool db_is_null(db_stmt *s, int col);
/* A column's text copied into the arena ("" for SQL NULL). */
const char *db_text_dup(db_stmt *s, int col, arena *a);
/* Runs s and reads the first column of its first row into *out (0 when it
 * gives no row), leaving nothing pending. Returns an enum db_rc. */
int db_one_int(db_stmt *s, long long *out);
/* After an INSERT or UPDATE: the new AUTO_INCREMENT id / rows changed. */
unsigned long long db_insert_id(db_stmt *s);
unsigned long long db_affected(db_stmt *s);
/* Frees the buffered result early (also done by the next db_run). */
void db_done(db_stmt *s);

/* Test seam: when set, the next n database calls fail with rc (statements,
 * transactions, and fetches of an unbuffered result). */
void db_fail_next(int n, enum db_rc rc);

#endif
