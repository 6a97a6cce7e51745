/* A stand-in for the db.h functions that migrate.c references, so that the
 * programs testing migrate_split (tests/fuzz/fuzz_migrate_split.c,
 * tests/unit/test_migrate.c) link without MariaDB. Only migrate_run calls
 * them, and those programs never do: each one aborts. */
#include <stdlib.h>

#include "db.h"

db *db_open(const conf *c, bool admin)
{
    (void)c;
    (void)admin;
    abort();
}

void db_close(db *d)
{
    (void)d;
    abort();
}

int db_exec_sql(db *d, const char *sql)
{
    (void)d;
    (void)sql;
    abort();
}

db_stmt *db_stmt_get(db *d, const char *sql)
{
    (void)d;
    (void)sql;
    abort();
}

void db_bind_int(db_stmt *s, int i, long long v)
{
    (void)s;
    (void)i;
    (void)v;
    abort();
}

void db_bind_str(db_stmt *s, int i, const char *v)
{
    (void)s;
    (void)i;
    (void)v;
    abort();
}

int db_run(db_stmt *s)
{
    (void)s;
    abort();
}

int db_next(db_stmt *s)
{
    (void)s;
    abort();
}

const char *db_text(db_stmt *s, int col, size_t *len)
{
    (void)s;
    (void)col;
    (void)len;
    abort();
}

long long db_int(db_stmt *s, int col)
{
    (void)s;
    (void)col;
    abort();
}

void db_done(db_stmt *s)
{
    (void)s;
    abort();
}
