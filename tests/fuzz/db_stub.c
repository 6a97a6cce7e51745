/* A stand-in for the db.h functions that migrate.c and acl.c reference, so
 * that the programs testing their pure parts (tests/fuzz/fuzz_migrate_split.c,
 * tests/unit/test_migrate.c, test_acl.c, test_route.c) link without MariaDB.
 * Nothing runs a statement there: those functions abort. Binding records how
 * many parameters were bound, so a test can hold the number of '?' in built
 * SQL against the number of values bound for it. */
#include <stdlib.h>

#include "db.h"

int db_stub_binds;

db *db_open(const conf *c, enum db_account account)
{
    (void)c;
    (void)account;
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
    db_stub_binds++;
}

void db_bind_str(db_stmt *s, int i, const char *v)
{
    (void)s;
    (void)i;
    (void)v;
    db_stub_binds++;
}

void db_bind_text(db_stmt *s, int i, const char *v, size_t n)
{
    (void)s;
    (void)i;
    (void)v;
    (void)n;
    db_stub_binds++;
}

void db_bind_null(db_stmt *s, int i)
{
    (void)s;
    (void)i;
    db_stub_binds++;
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

bool db_is_null(db_stmt *s, int col)
{
    (void)s;
    (void)col;
    abort();
}
