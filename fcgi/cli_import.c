/* cli_import: `ctrack import`: the web import's pipeline (import.h) for
 * operators and scripts, with the same options, report and audit row.
 *
 * The command acts for a client as a whole (every region and campaign in
 * scope). A run is one transaction: the file kept as an import, the
 * contacts, the report and the audit row; when nothing is imported (a dry
 * run, or all-or-nothing with errors) the report and the audit row are
 * still committed, as on the web. */
#include "cli_import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "import.h"
#include "manage.h"
#include "util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ctrack import --client NAME [options] FILE [-c CONFIG]\n"
            "       ctrack import undo --client NAME --import ID [-c CONFIG]\n\n"
            "  Imports contacts from a CSV or vCard (2.1, 3.0, 4.0) file, as the web import does.\n\n"
            "  --update            create new contacts and update those that match (default: create only;\n"
            "                      a row that matches an existing contact is skipped)\n"
            "  --match email|external-id   what a row matches on (default email: trimmed, case-folded)\n"
            "  --valid-rows        import the valid rows and report the others (default: all or nothing)\n"
            "  --dry-run           check everything and report, change nothing\n"
            "  --deleted skip|restore      a row matching a deleted contact (default skip)\n"
            "  --dates iso|mdy|dmy how dates like 03/04/1990 are read (default iso: only YYYY-MM-DD)\n"
            "  --encoding NAME     utf-8, utf-16, windows-1252 (default: detected)\n"
            "  --delimiter , | ; | tab     the CSV delimiter (default: detected)\n"
            "  --report FILE       write the problems as CSV (row, line, severity, column, reason)\n"
            "  --client NAME       the client organisation, by its exact name\n\n"
            "  Exit status: 0 imported (rows may have failed with --valid-rows), 1 nothing imported\n"
            "  (dry run included), 2 bad usage.\n");
}

/* Says what is wrong with the command line; returns 2. */
static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "ctrack: import: %s%s\n(ctrack import --help shows the options)\n", what, arg ? arg : "");
    return 2;
}

/* Reads a whole file of at most IMPORT_MAX_BYTES. */
static int slurp(const char *path, buf *out)
{
    int rc = read_file(path, (size_t)IMPORT_MAX_BYTES, out);
    if (rc == -1)
        fprintf(stderr, "ctrack: import: cannot read %s: %s\n", path, strerror(errno));
    else if (rc == -2)
        fprintf(stderr, "ctrack: import: %s is not a regular file of at most %ld MB\n", path,
                IMPORT_MAX_BYTES / (1024 * 1024));
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void csv_cell(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* Prints the import's problems (from the database) to out, or as CSV. */
static int print_problems(db *d, long long client_id, long long import_id, FILE *out, bool as_csv)
{
    db_stmt *s = db_stmt_get(d, "SELECT record, line, severity, column_name, reason FROM import_problems"
                                " WHERE client_id = ? AND import_id = ? ORDER BY seq");
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, import_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if (as_csv)
        fputs("row,line,severity,column,reason\r\n", out);
    while ((rc = db_next(s)) == 1) {
        long long rec = db_int(s, 0), line = db_int(s, 1);
        size_t cn, rn;
        const char *sev = db_text(s, 2, NULL), *col = db_text(s, 3, &cn), *why = db_text(s, 4, &rn);
        if (as_csv) {
            fprintf(out, "%lld,%lld,%s,", rec, line, sev);
            csv_cell(out, col, cn);
            fputc(',', out);
            csv_cell(out, why, rn);
            fputs("\r\n", out);
        } else if (rec) {
            fprintf(out, "  %s: row %lld (line %lld)%s%s: %s\n", sev, rec, line, cn ? ", " : "", col, why);
        } else {
            fprintf(out, "  %s: %s\n", sev, why);
        }
    }
    return rc < 0 ? rc : DB_OK;
}

typedef struct cli_args {
    const char *conf;
    const char *client, *file, *report;
    long long undo_id;
    bool undo;
    import_options o;
} cli_args;

static int parse(int argc, char **argv, cli_args *a)
{
    int i = 0;
    if (argc > 0 && strcmp(argv[0], "undo") == 0) {
        a->undo = true;
        i = 1;
    }
    for (; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(o, "--update") == 0) {
            a->o.update = true, takes = false;
        } else if (strcmp(o, "--valid-rows") == 0) {
            a->o.valid_only = true, takes = false;
        } else if (strcmp(o, "--dry-run") == 0) {
            a->o.dry_run = true, takes = false;
        } else if (!v && o[0] == '-') {
            return bad_usage("this option needs a value: ", o);
        } else if (strcmp(o, "-c") == 0) {
            a->conf = v;
        } else if (strcmp(o, "--client") == 0) {
            a->client = v;
        } else if (strcmp(o, "--report") == 0) {
            a->report = v;
        } else if (strcmp(o, "--import") == 0) {
            int64_t x;
            if (parse_i64(v, strlen(v), 1, INT64_MAX / 2, &x) != 0)
                return bad_usage("--import needs an import number, not ", v);
            a->undo_id = x;
        } else if (strcmp(o, "--match") == 0) {
            if (strcmp(v, "email") != 0 && strcmp(v, "external-id") != 0)
                return bad_usage("--match is email or external-id, not ", v);
            a->o.match_external = strcmp(v, "external-id") == 0;
        } else if (strcmp(o, "--deleted") == 0) {
            if (strcmp(v, "skip") != 0 && strcmp(v, "restore") != 0)
                return bad_usage("--deleted is skip or restore, not ", v);
            a->o.restore_deleted = strcmp(v, "restore") == 0;
        } else if (strcmp(o, "--dates") == 0) {
            if (strcmp(v, "iso") == 0)
                a->o.read.dates = DATES_ISO;
            else if (strcmp(v, "mdy") == 0)
                a->o.read.dates = DATES_MDY;
            else if (strcmp(v, "dmy") == 0)
                a->o.read.dates = DATES_DMY;
            else
                return bad_usage("--dates is iso, mdy or dmy, not ", v);
        } else if (strcmp(o, "--encoding") == 0) {
            if (textenc_parse(v, &a->o.read.encoding) != 0)
                return bad_usage("unknown encoding (utf-8, utf-16, windows-1252 are known): ", v);
            a->o.read.encoding_set = true;
        } else if (strcmp(o, "--delimiter") == 0) {
            if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
                a->o.read.delimiter = '\t';
            else if (strlen(v) == 1 && (v[0] == ',' || v[0] == ';' || v[0] == '|'))
                a->o.read.delimiter = v[0];
            else
                return bad_usage("--delimiter is , ; | or tab, not ", v);
        } else if (o[0] == '-' && o[1]) {
            return bad_usage("unknown option ", o);
        } else {
            if (a->file)
                return bad_usage("one file at a time; a second one: ", o);
            a->file = o;
            takes = false;
        }
        if (takes)
            i++;
    }
    if (!a->client)
        return bad_usage("--client NAME is needed", NULL);
    if (a->undo && !a->undo_id)
        return bad_usage("undo needs --import ID", NULL);
    if (!a->undo && !a->file)
        return bad_usage("which file? (ctrack import --client NAME FILE)", NULL);
    return -1;
}

typedef struct touched {
    arena *mem;
    long long *ids;
    size_t n, cap;
    cli_run *r;
} touched;

static void touch(void *ctx, long long id)
{
    touched *t = ctx;
    t->ids = arena_grow(t->mem, t->ids, &t->cap, t->n, sizeof *t->ids);
    t->ids[t->n++] = id;
    t->r->touched = t->ids;
    t->r->ntouched = t->n;
}

int cli_import(int argc, char **argv, const char *conf_path)
{
    if (argc > 0 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    cli_args a;
    memset(&a, 0, sizeof a);
    int ret = parse(argc, argv, &a);
    if (ret >= 0)
        return ret;
    buf data = {0};
    if (!a.undo && slurp(a.file, &data) != 0)
        return 1;
    cli_run r;
    memset(&r, 0, sizeof r);
    if (cli_open(&r, a.conf ? a.conf : conf_path, DB_APP) != 0) {
        buf_free(&data);
        return 1;
    }
    arena *mem = arena_new();
    touched t = {.mem = mem, .r = &r};
    acl_scope sc = {.all_regions = true, .all_campaigns = true};
    buf detail = {0};
    import_job j = {.d = r.d, .a = mem, .sc = &sc, .may_create_campaigns = true, .opt = a.o, .detail = &detail,
                    .touch = touch, .touch_ctx = &t};
    r.path = a.undo ? "import undo" : "import";
    r.action = a.undo ? "contact.import_undo" : "contact.import";
    r.object_type = "import";
    ret = 1;
    int rc = db_begin(r.d);
    if (rc == DB_OK && (rc = manage_client_find(r.d, a.client, &sc.client_id)) == 0) {
        db_rollback(r.d);
        fprintf(stderr, "ctrack: import: there is no client named \"%s\"\n", a.client);
        goto out;
    }
    r.client_id = sc.client_id;
    if (rc == 1 && a.undo) {
        j.import_id = r.object_id = a.undo_id;
        rc = import_undo(&j);
    } else if (rc == 1) {
        rc = import_create(r.d, sc.client_id, 0, base_name(a.file), data.data ? data.data : "", data.len,
                           &j.import_id);
        r.object_id = j.import_id;
        if (rc == DB_OK)
            rc = import_run(&j, data.data ? data.data : "", data.len);
    }
    if (rc == IMPORT_OK && cli_commit(&r, buf_str(&detail)) == DB_OK) {
        if (a.undo) {
            printf("import %lld undone: %s\n", j.import_id, buf_str(&detail));
            ret = 0;
            goto out;
        }
        printf("import %lld of %s (%s, %s): %s\n", j.import_id, base_name(a.file), j.format, j.encoding,
               a.o.dry_run ? "dry run, nothing changed"
               : j.rolled_back ? "nothing imported (rows have errors; --valid-rows imports the others)"
                               : "imported");
        printf("  rows read %lld, created %lld, updated %lld, restored %lld, unchanged %lld, skipped %lld, failed "
               "%lld, warnings %lld\n",
               j.n.read, j.n.created, j.n.updated, j.n.restored, j.n.unchanged, j.n.skipped, j.n.failed,
               j.n.warnings);
        FILE *rf = a.report ? fopen(a.report, "w") : NULL;
        if (a.report && !rf)
            fprintf(stderr, "ctrack: import: cannot write %s: %s\n", a.report, strerror(errno));
        print_problems(r.d, sc.client_id, j.import_id, rf ? rf : stdout, rf != NULL);
        if (rf)
            fclose(rf);
        ret = j.rolled_back ? 1 : 0;
        goto out;
    }
    const char *why = rc == IMPORT_BAD_FILE || rc == IMPORT_STATE ? j.error
                      : rc == IMPORT_NOT_FOUND                    ? "there is no such import"
                      : rc > 0                                    ? "refused"
                                                                  : cli_db_failure(rc);
    fprintf(stderr, "ctrack: import: %s; nothing changed\n", why);
    cli_record_failure(&r, rc == IMPORT_BAD_FILE ? 422 : rc == IMPORT_NOT_FOUND ? 404 : rc == IMPORT_STATE ? 409
                                                                                        : cli_db_outcome(rc),
                       why);
out:
    buf_free(&detail);
    arena_free(mem);
    cli_close(&r);
    buf_free(&data);
    return ret;
}
