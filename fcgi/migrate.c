/* migrate: forward-only schema migrations. */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "log.h"
#include "util.h"

#define MIGRATION_MAX (16 << 20)

int migrate_split(const char *text, size_t len, void (*fn)(void *ctx, const char *stmt), void *ctx)
{
    buf cur = {0};
    int count = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s = p, *e = le;
        p = nl ? nl + 1 : end;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (e - s >= 2 && s[0] == '-' && s[1] == '-')
            continue;
        if (s == e)
            continue;
        bool last = e[-1] == ';';
        if (cur.len)
            buf_addc(&cur, '\n');
        buf_add(&cur, s, (size_t)(e - s) - (last ? 1 : 0));
        /* A ';' with nothing before it is no statement ("Query was empty"). */
        if (last && cur.len) {
            fn(ctx, buf_str(&cur));
            count++;
            buf_reset(&cur);
        }
    }
    if (cur.len) {
        fn(ctx, buf_str(&cur));
        count++;
    }
    buf_free(&cur);
    return count;
}

struct run_ctx {
    db *d;
    int failed;
    int n;
    const char *file;
};

static void run_one(void *vctx, const char *stmt)
{
    struct run_ctx *x = vctx;
    x->n++;
    if (x->failed)
        return;
    if (db_exec_sql(x->d, stmt) != DB_OK) {
        fprintf(stderr, "ctrack: migration %s failed at statement %d:\n%.300s\n", x->file, x->n, stmt);
        x->failed = 1;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Migration files are named NNN-words.sql. */
static bool is_migration(const char *name)
{
    size_t n = strlen(name);
    if (n < 9 || strcmp(name + n - 4, ".sql") != 0 || name[3] != '-')
        return false;
    for (int i = 0; i < 3; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

static const char SQL_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL, sha256 CHAR(64) NOT NULL, applied_at DATETIME(6) NOT NULL)"
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
static const char SQL_APPLIED[] = "SELECT sha256 FROM schema_migrations WHERE version = ?";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))";
static const char SQL_LOCK[] = "SELECT GET_LOCK('ctrack-migrate', 60)";
static const char SQL_UNLOCK[] = "SELECT RELEASE_LOCK('ctrack-migrate')";

int migrate_run(const conf *c)
{
    if (!c->migrations) {
        fprintf(stderr, "ctrack: Paths.Migrations is not set\n");
        return 1;
    }
    db *d = db_open(c, DB_ADMIN);
    if (!d) {
        fprintf(stderr, "ctrack: cannot connect to the database as %s\n",
                c->db_admin_user ? c->db_admin_user : "(no DB.AdminUser)");
        return 1;
    }
    int status = 1;
    char **names = NULL;
    size_t nnames = 0;
    db_stmt *lk = db_stmt_get(d, SQL_LOCK);
    if (!lk || db_run(lk) != DB_OK || db_next(lk) != 1 || db_int(lk, 0) != 1) {
        fprintf(stderr, "ctrack: another migration is running\n");
        goto out;
    }
    db_done(lk);
    if (db_exec_sql(d, SQL_TABLE) != DB_OK)
        goto out;
    DIR *dir = opendir(c->migrations);
    if (!dir) {
        fprintf(stderr, "ctrack: cannot read %s: %s\n", c->migrations, strerror(errno));
        goto out;
    }
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!is_migration(de->d_name))
            continue;
        names = xrealloc(names, (nnames + 1) * sizeof *names);
        names[nnames++] = xstrdup(de->d_name);
    }
    closedir(dir);
    qsort(names, nnames, sizeof *names, by_name);

    int applied = 0;
    for (size_t i = 0; i < nnames; i++) {
        int version = atoi(names[i]);
        char *path = NULL;
        buf pb = {0};
        buf_printf(&pb, "%s/%s", c->migrations, names[i]);
        path = pb.data;
        buf tb = {0};
        int frc = read_file(path, MIGRATION_MAX, &tb);
        buf_free(&pb);
        if (frc != 0) {
            fprintf(stderr, "ctrack: cannot read migration %s\n", names[i]);
            buf_free(&tb);
            goto out;
        }
        size_t len = tb.len;
        char *text = tb.data;
        unsigned char h[32];
        char hex[65];
        crypto_sha256(text, len, h);
        hex_encode(h, sizeof h, hex);

        db_stmt *q = db_stmt_get(d, SQL_APPLIED);
        if (!q) {
            free(text);
            goto out;
        }
        db_bind_int(q, 0, version);
        if (db_run(q) != DB_OK) {
            free(text);
            goto out;
        }
        int have = db_next(q);
        if (have == 1) {
            if (strcmp(db_text(q, 0, NULL), hex) != 0)
                fprintf(stderr, "ctrack: warning: %s changed after it was applied (migrations are forward-only)\n",
                        names[i]);
            db_done(q);
            free(text);
            continue;
        }
        db_done(q);
        struct run_ctx x = {d, 0, 0, names[i]};
        migrate_split(text, len, run_one, &x);
        free(text);
        if (x.failed)
            goto out;
        db_stmt *rec = db_stmt_get(d, SQL_RECORD);
        if (!rec)
            goto out;
        db_bind_int(rec, 0, version);
        db_bind_str(rec, 1, names[i]);
        db_bind_str(rec, 2, hex);
        if (db_run(rec) != DB_OK)
            goto out;
        printf("applied %s (%d statements)\n", names[i], x.n);
        applied++;
    }
    printf("migrations: %d applied, %zu in all\n", applied, nnames);
    status = 0;
out:
    if (status != 0)
        fprintf(stderr, "ctrack: migrate failed\n");
    db_stmt *ul = db_stmt_get(d, SQL_UNLOCK);
    if (ul)
        db_run(ul);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    db_close(d);
    return status;
}
