/* cli_audit: the audit trail's operator commands. */
#include "cli_audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_purge.h"
#include "audit_verify.h"
#include "cli.h"
#include "crypto.h"
#include "json.h"
#include "manage.h"
#include "util.h"

/* A checkpoint holds one line per chain: a few MB even for thousands. */
#define CHECKPOINT_MAX (64 * 1024 * 1024)

static const char USAGE[] =
    "usage: ctrack audit COMMAND [-c CONFIG] [options]\n"
    "\n"
    "  verify [--client NAME] [--checkpoint FILE]\n"
    "        check every chain of the audit trail (or one client's) and name each row\n"
    "        that was altered, deleted, inserted or reordered; with a checkpoint,\n"
    "        also rows cut off the end since it was written.\n"
    "        Exit 0: intact; 1: problems found (listed); 3: could not check.\n"
    "  checkpoint [--out FILE]\n"
    "        write the head of every chain (signed with Audit.KeyFile) to FILE or\n"
    "        standard output; keep it with each backup.\n"
    "  retention --client NAME [DAYS | forever]\n"
    "        show, or set, how many days the client's audit trail is kept\n"
    "        (1-" "36500" "; the default is forever).\n"
    "  purge [--client NAME] [--dry-run]\n"
    "        remove audit rows older than their client's retention (every client\n"
    "        with one, or the one named); --dry-run only counts them.\n"
    "\n"
    "All use the maintenance account (DB.MaintenanceUser); each run is audited.\n";

typedef struct args {
    const char *cmd, *conf_path, *client, *checkpoint, *out, *value;
    int days; /* the value of retention DAYS; 0 for forever */
    bool dry_run;
} args;

static int bad_usage(const char *fmt, ...) CT_PRINTF(1, 2);
static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ctrack: audit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n\n", stderr);
    fputs(USAGE, stderr);
    va_end(ap);
    return 2;
}

static int parse_args(int argc, char **argv, args *a)
{
    a->cmd = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(o, "-c") == 0 && has)
            a->conf_path = argv[++i];
        else if (strcmp(o, "--client") == 0 && has)
            a->client = argv[++i];
        else if (strcmp(o, "--checkpoint") == 0 && has && strcmp(a->cmd, "verify") == 0)
            a->checkpoint = argv[++i];
        else if (strcmp(o, "--out") == 0 && has && strcmp(a->cmd, "checkpoint") == 0)
            a->out = argv[++i];
        else if (strcmp(o, "--dry-run") == 0 && strcmp(a->cmd, "purge") == 0)
            a->dry_run = true;
        else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (o[0] != '-' && strcmp(a->cmd, "retention") == 0 && !a->value)
            a->value = o;
        else
            return bad_usage("%s: unknown option or missing value: %s", a->cmd, o);
    }
    if (strcmp(a->cmd, "retention") == 0 && !a->client)
        return bad_usage("retention needs --client NAME");
    if (a->value && strcmp(a->value, "forever") != 0) {
        int64_t v;
        if (parse_i64(a->value, strlen(a->value), 1, AUDIT_RETENTION_MAX, &v) != 0)
            return bad_usage("retention: DAYS must be a whole number from 1 to %d, or forever: %s",
                             AUDIT_RETENTION_MAX, a->value);
        a->days = (int)v;
    }
    return -1;
}

/* The client named by --client, into r->client_id. 0, or the exit status. */
static int find_client(cli_run *r, const char *name)
{
    long long id = 0;
    int rc = manage_client_find(r->d, name, &id);
    if (rc < 0) {
        fprintf(stderr, "ctrack: audit: cannot look the client up: %s\n", cli_db_failure(rc));
        return 3;
    }
    if (rc == 0) {
        fprintf(stderr, "ctrack: audit: there is no client called \"%s\" (see ctrack client list)\n", name);
        return cli_record_failure(r, 404, "no such client") == DB_OK ? 1 : 3;
    }
    r->client_id = id;
    return 0;
}

/* Appends the run's audit row in a transaction of its own. */
static int record(cli_run *r, const char *detail)
{
    int rc = db_begin(r->d);
    if (rc == DB_OK)
        rc = cli_commit(r, detail);
    if (rc != DB_OK) {
        fprintf(stderr, "ctrack: audit: the run could not be recorded in the audit trail: %s\n", cli_db_failure(rc));
        return 3;
    }
    return 0;
}

static int do_verify(cli_run *r, const args *a)
{
    audit_head *heads = NULL;
    size_t nheads = 0;
    char sha[65] = "";
    if (a->checkpoint) {
        buf text = {0};
        int frc = read_file(a->checkpoint, CHECKPOINT_MAX, &text);
        if (frc != 0) {
            fprintf(stderr, "ctrack: audit: cannot read the checkpoint %s: %s\n", a->checkpoint,
                    frc == -2 ? "not a regular file, or too large" : strerror(errno));
            buf_free(&text);
            cli_record_failure(r, 400, "the checkpoint file could not be read");
            return 3;
        }
        char err[200];
        if (audit_checkpoint_parse(text.data ? text.data : "", text.len, r->c->audit_key, &heads, &nheads, err,
                                   sizeof err) != 0) {
            fprintf(stderr, "ctrack: audit: checkpoint %s: %s\n", a->checkpoint, err);
            buf_free(&text);
            cli_record_failure(r, 422, err);
            return 3;
        }
        unsigned char h[32];
        crypto_sha256(text.data ? text.data : "", text.len, h);
        hex_encode(h, sizeof h, sha);
        buf_free(&text);
    }
    audit_verify_opts o = {
        .one_client = a->client != NULL,
        .client_id = r->client_id,
        .checkpoint = heads,
        .ncheckpoint = nheads,
        .max_report = 100,
        .out = stdout,
    };
    audit_verify_result res;
    int rc = audit_verify(r->d, r->c, &o, &res);
    free(heads);
    if (rc != DB_OK) {
        fprintf(stderr, "ctrack: audit: the check could not run: %s\n", cli_db_failure(rc));
        cli_record_failure(r, cli_db_outcome(rc), cli_db_failure(rc));
        return 3;
    }
    printf("%lld rows in %lld chains checked%s", res.rows, res.chains, a->checkpoint ? " against the checkpoint" : "");
    if (res.unchained)
        printf("; %lld rows from before the chain began (not verifiable)", res.unchained);
    if (res.problems == 0)
        printf(": intact\n");
    else if (res.first_id)
        printf(": %lld problem%s, the first at row %lld\n", res.problems, res.problems == 1 ? "" : "s", res.first_id);
    else
        printf(": %lld problem%s\n", res.problems, res.problems == 1 ? "" : "s");
    buf detail = {0};
    buf_printf(&detail, "{\"rows\":%lld,\"chains\":%lld,\"unchained\":%lld,\"problems\":%lld", res.rows, res.chains,
               res.unchained, res.problems);
    if (res.first_id)
        buf_printf(&detail, ",\"first_problem_row\":%lld", res.first_id);
    if (a->checkpoint)
        buf_printf(&detail, ",\"checkpoint_sha256\":\"%s\",\"checkpoint_chains\":%zu", sha, nheads);
    buf_addc(&detail, '}');
    int ret = record(r, buf_str(&detail));
    buf_free(&detail);
    if (ret)
        return ret;
    return res.problems ? 1 : 0;
}

/* Writes data to path whole or not at all (a temporary file renamed). */
static int write_whole(const char *path, const buf *data)
{
    buf tmp = {0};
    buf_printf(&tmp, "%s.tmp", path);
    int fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    int ok = fd >= 0;
    size_t off = 0;
    while (ok && off < data->len) {
        ssize_t w = write(fd, data->data + off, data->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    if (ok)
        ok = fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (ok)
        ok = rename(buf_str(&tmp), path) == 0;
    int saved = errno;
    if (!ok)
        unlink(buf_str(&tmp));
    buf_free(&tmp);
    errno = saved;
    return ok ? 0 : -1;
}

static int do_checkpoint(cli_run *r, const args *a)
{
    buf out = {0};
    size_t n = 0;
    int rc = audit_checkpoint(r->d, r->c, &out, &n);
    if (rc != DB_OK) {
        fprintf(stderr, "ctrack: audit: no checkpoint: %s\n", cli_db_failure(rc));
        buf_free(&out);
        cli_record_failure(r, cli_db_outcome(rc), cli_db_failure(rc));
        return 3;
    }
    if (a->out && write_whole(a->out, &out) != 0) {
        fprintf(stderr, "ctrack: audit: cannot write %s: %s\n", a->out, strerror(errno));
        buf_free(&out);
        cli_record_failure(r, 500, "the checkpoint file could not be written");
        return 3;
    }
    if (!a->out)
        fwrite(out.data, 1, out.len, stdout);
    else
        printf("checkpoint of %zu chains written to %s\n", n, a->out);
    unsigned char h[32];
    char sha[65];
    crypto_sha256(out.data, out.len, h);
    hex_encode(h, sizeof h, sha);
    buf detail = {0};
    buf_printf(&detail, "{\"chains\":%zu,\"sha256\":\"%s\"", n, sha);
    if (a->out) {
        buf_adds(&detail, ",\"file\":");
        json_add_cstr(&detail, a->out);
    }
    buf_addc(&detail, '}');
    int ret = record(r, buf_str(&detail));
    buf_free(&detail);
    buf_free(&out);
    return ret;
}

static void days_json(buf *b, int days)
{
    if (days)
        buf_printf(b, "%d", days);
    else
        buf_adds(b, "null");
}

static int do_retention(cli_run *r, const args *a)
{
    bool found;
    int before;
    int rc = db_begin(r->d);
    if (rc == DB_OK)
        rc = audit_retention_get(r->d, r->client_id, &found, &before);
    if (rc != DB_OK) {
        fprintf(stderr, "ctrack: audit: %s\n", cli_db_failure(rc));
        cli_record_failure(r, cli_db_outcome(rc), cli_db_failure(rc));
        return 3;
    }
    if (!a->value) {
        buf shown = {0};
        buf_adds(&shown, "{\"retention_days\":");
        days_json(&shown, before);
        buf_addc(&shown, '}');
        rc = cli_commit(r, buf_str(&shown));
        buf_free(&shown);
        if (rc != DB_OK) {
            fprintf(stderr, "ctrack: audit: the run could not be recorded in the audit trail: %s\n",
                    cli_db_failure(rc));
            return 3;
        }
        if (before)
            printf("%s keeps its audit trail %d days\n", a->client, before);
        else
            printf("%s keeps its audit trail forever\n", a->client);
        return 0;
    }
    int days = a->days;
    rc = audit_retention_set(r->d, r->client_id, days);
    buf detail = {0};
    buf_adds(&detail, "{\"before\":");
    days_json(&detail, before);
    buf_adds(&detail, ",\"after\":");
    days_json(&detail, days);
    buf_addc(&detail, '}');
    if (rc == DB_OK)
        rc = cli_commit(r, buf_str(&detail));
    buf_free(&detail);
    if (rc != DB_OK) {
        fprintf(stderr, "ctrack: audit: retention not changed: %s\n", cli_db_failure(rc));
        cli_record_failure(r, cli_db_outcome(rc), cli_db_failure(rc));
        return 3;
    }
    if (days)
        printf("%s now keeps its audit trail %d days (run `ctrack audit purge` to apply it)\n", a->client, days);
    else
        printf("%s now keeps its audit trail forever\n", a->client);
    return 0;
}

static const char SQL_RETAINED[] =
    "SELECT id, name, audit_retention_days FROM clients WHERE audit_retention_days IS NOT NULL ORDER BY id";

/* Purges one client; its own audit row (in that client's trail) says what
 * went. 0 or the exit status. */
static int purge_one(cli_run *r, const char *name, int days, bool dry_run)
{
    long long removed = 0;
    buf detail = {0};
    buf_printf(&detail, "{\"retention_days\":%d,\"dry_run\":%s,", days, dry_run ? "true" : "false");
    int rc = audit_purge_client(r->d, r->c->audit_key, r->client_id, days, dry_run, &removed, &detail);
    const char *why = rc == AUDIT_PURGE_BUSY ? "another purge is running; try again when it has ended"
                                             : cli_db_failure(rc);
    buf_printf(&detail, ",\"removed\":%lld", removed);
    if (rc != DB_OK) {
        buf_adds(&detail, ",\"error\":");
        json_add_cstr(&detail, why);
    }
    buf_addc(&detail, '}');
    if (rc != DB_OK) {
        if (rc == AUDIT_PURGE_BUSY)
            fprintf(stderr, "ctrack: audit: purge of %s not started: %s\n", name, why);
        else
            fprintf(stderr, "ctrack: audit: purge of %s stopped after %lld rows: %s\n", name, removed, why);
        /* What went before the failure went whole; the row says how much. */
        cli_record_outcome(r, rc == AUDIT_PURGE_BUSY ? 409 : cli_db_outcome(rc), buf_str(&detail));
        buf_free(&detail);
        return 3;
    }
    printf("%s: %lld audit rows older than %d days %s\n", name, removed, days,
           dry_run ? "would be removed" : "removed");
    int ret = record(r, buf_str(&detail));
    buf_free(&detail);
    return ret;
}

static int do_purge(cli_run *r, const args *a)
{
    if (a->client) {
        bool found;
        int days;
        int rc = audit_retention_get(r->d, r->client_id, &found, &days);
        if (rc != DB_OK) {
            fprintf(stderr, "ctrack: audit: %s\n", cli_db_failure(rc));
            cli_record_failure(r, cli_db_outcome(rc), cli_db_failure(rc));
            return 3;
        }
        if (!days) {
            int ret = record(r, "{\"retention_days\":null,\"removed\":0}");
            if (ret == 0)
                printf("%s keeps its audit trail forever: nothing to purge\n", a->client);
            return ret;
        }
        return purge_one(r, a->client, days, a->dry_run);
    }
    db_stmt *s = db_stmt_get(r->d, SQL_RETAINED);
    int rc = s ? db_run(s) : DB_ERR;
    typedef struct { long long id; char *name; int days; } target;
    target *t = NULL;
    size_t n = 0, cap = 0;
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            t = xrealloc(t, cap * sizeof *t);
        }
        t[n].id = db_int(s, 0);
        t[n].name = xstrdup(db_text(s, 1, NULL));
        t[n].days = (int)db_int(s, 2);
        n++;
        rc = DB_OK;
    }
    if (rc < 0) {
        fprintf(stderr, "ctrack: audit: cannot list the clients: %s\n", cli_db_failure(rc));
        cli_record_failure(r, cli_db_outcome(rc), cli_db_failure(rc));
        n = 0;
    }
    int ret = rc < 0 ? 3 : 0;
    if (rc >= 0 && n == 0 && (ret = record(r, "{\"clients\":0,\"removed\":0}")) == 0)
        printf("no client has a retention set: nothing to purge\n");
    for (size_t i = 0; i < n; i++) {
        r->client_id = t[i].id;
        int one = purge_one(r, t[i].name, t[i].days, a->dry_run);
        if (one && !ret)
            ret = one;
    }
    for (size_t i = 0; i < n; i++)
        free(t[i].name);
    free(t);
    return ret;
}

int cli_audit(int argc, char **argv, const char *conf_path)
{
    static const struct {
        const char *name, *action;
        int (*fn)(cli_run *, const args *);
    } cmds[] = {
        {"verify", "audit.verify", do_verify},
        {"checkpoint", "audit.checkpoint", do_checkpoint},
        {"retention", "audit.retention", do_retention},
        {"purge", "audit.purge", do_purge},
    };
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "help") == 0) {
        fputs(USAGE, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    size_t k = CT_ARRAY_LEN(cmds);
    for (size_t i = 0; i < CT_ARRAY_LEN(cmds); i++)
        if (strcmp(argv[0], cmds[i].name) == 0)
            k = i;
    if (k == CT_ARRAY_LEN(cmds))
        return bad_usage("unknown command: %s", argv[0]);
    args a = {.conf_path = conf_path};
    int ret = parse_args(argc, argv, &a);
    if (ret >= 0)
        return ret;
    cli_run r = {0};
    if (cli_open(&r, a.conf_path, DB_MAINT) != 0)
        return 3;
    buf path = {0};
    buf_printf(&path, "audit %s", a.cmd);
    if (a.client) {
        buf_adds(&path, " --client ");
        buf_adds(&path, a.client);
    }
    if (a.value)
        buf_printf(&path, " %s", a.value);
    if (a.dry_run)
        buf_adds(&path, " --dry-run");
    if (a.checkpoint)
        buf_printf(&path, " --checkpoint %s", a.checkpoint);
    r.path = buf_str(&path);
    r.action = cmds[k].action;
    if (a.client) {
        r.object_type = "client";
        ret = find_client(&r, a.client);
        r.object_id = r.client_id;
    } else {
        ret = 0;
    }
    if (ret == 0)
        ret = cmds[k].fn(&r, &a);
    cli_close(&r);
    buf_free(&path);
    return ret;
}
