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

#include <dirent.h>
#include <sys/stat.h>

#include "cli.h"
#include "crypto.h"
#include "import.h"
#include "import_openstates.h"
#include "manage.h"
#include "openstates.h"
#include "regions.h"
#include "util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ctrack import --client NAME [options] FILE [-c CONFIG]\n"
            "       ctrack import --client NAME [options] --openstates FOLDER [-c CONFIG]\n"
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
            "  --client NAME       the client organisation, by its exact name\n"
            "  --openstates FOLDER the Open States people data set (one YAML file per person, e.g.\n"
            "                      openstates-people/data): legislators, executives and mayors, with\n"
            "                      their state and district as regions (made when missing); match on\n"
            "                      external-id with --update to refresh an earlier import\n\n"
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
                                " WHERE client_id = ? AND import_id = ? ORDER BY record, seq");
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
    const char *client, *file, *report, *openstates;
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
        } else if (strcmp(o, "--openstates") == 0) {
            a->openstates = v;
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
    if (!a->undo && !a->file && !a->openstates)
        return bad_usage("which file? (ctrack import --client NAME FILE)", NULL);
    if (a->file && a->openstates)
        return bad_usage("a file or --openstates FOLDER, not both", NULL);
    return -1;
}

/* ---- the Open States folder ---- */

typedef struct people {
    char **paths; /* the person files, sorted */
    size_t n, next;
    const char *root;
    db *d;
    long long client_id;
    long long country_id;
    /* Regions made or found so far (code -> id). */
    char (*codes)[64];
    long long *ids;
    size_t nregions, capregions;
    buf manifest; /* "sha256  path" per file: what the import's SHA-256 covers */
    size_t bytes;
    int db_rc;    /* a database failure inside next(), for the caller */
} people;

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Every *.yml below dir (but the municipalities.yml lists, which are no
 * person files), into p->paths. */
static int walk(people *p, const char *dir, int depth)
{
    if (depth > 8)
        return 0;
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "ctrack: import: cannot read the folder %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
            abort();
        struct stat st;
        size_t len = strlen(e->d_name);
        if (stat(path, &st) != 0) {
            free(path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk(p, path, depth + 1);
            free(path);
        } else if (S_ISREG(st.st_mode) && len > 4 && strcmp(e->d_name + len - 4, ".yml") == 0 &&
                   strcmp(e->d_name, "municipalities.yml") != 0) {
            if (p->n % 256 == 0)
                p->paths = xrealloc(p->paths, (p->n + 256) * sizeof *p->paths);
            p->paths[p->n++] = path;
        } else {
            free(path);
        }
    }
    closedir(dp);
    return rc;
}

/* The manifest of the folder: "sha256  path" per file, sorted by path, and
 * the bytes in all; what the import's SHA-256 covers. */
static void manifest(people *p)
{
    for (size_t k = 0; k < p->n; k++) {
        buf data = {0};
        unsigned char sha[32];
        char hex[65];
        read_file(p->paths[k], OS_MAX_BYTES, &data);
        crypto_sha256(data.data ? data.data : "", data.len, sha);
        hex_encode(sha, sizeof sha, hex);
        buf_printf(&p->manifest, "%s  %s\n", hex, p->paths[k] + strlen(p->root) + 1);
        p->bytes += data.len;
        buf_free(&data);
    }
}

/* The region with the code, made under parent when missing. */
static int region(people *p, const import_region *g, long long parent, long long *id)
{
    for (size_t i = 0; i < p->nregions; i++)
        if (strcmp(p->codes[i], g->code) == 0) {
            *id = p->ids[i];
            return DB_OK;
        }
    bool added;
    int rc = region_ensure(p->d, p->client_id, parent, g->kind, g->code, g->name, g->sort, id, &added);
    if (rc != DB_OK)
        return rc;
    if (p->nregions == p->capregions) {
        p->capregions = p->capregions ? 2 * p->capregions : 256;
        p->codes = xrealloc(p->codes, p->capregions * sizeof *p->codes);
        p->ids = xrealloc(p->ids, p->capregions * sizeof *p->ids);
    }
    snprintf(p->codes[p->nregions], sizeof p->codes[0], "%s", g->code);
    p->ids[p->nregions++] = *id;
    return DB_OK;
}

/* import_rows.next over the folder: one person per file; a file that
 * cannot be read is a row with that error. */
static int next_person(void *ctx, arena *a, import_row *row, char *err, size_t errlen)
{
    people *p = ctx;
    (void)err, (void)errlen;
    if (p->next == p->n)
        return 0;
    size_t k = p->next++;
    const char *path = p->paths[k];
    const char *rel = path + strlen(p->root) + 1;
    buf data = {0};
    import_row_begin(row, 1);
    int rc = read_file(path, OS_MAX_BYTES, &data);
    os_person person;
    char why[300];
    if (rc != 0) {
        import_row_fail(row, a, "file", arena_printf(a, "%s: %s", rel, rc == -2 ? "larger than 1 MB" : strerror(errno)));
    } else if (openstates_parse(data.data ? data.data : "", data.len, a, &person, why, sizeof why) != 0) {
        import_row_fail(row, a, "file", arena_printf(a, "%s: %s", rel, why));
    }
    buf_free(&data);
    if (row->bad) {
        import_row_end(row, a, k + 1);
        return 1;
    }
    import_region state, below;
    import_openstates_row(&person, a, row, &state, &below);
    import_row_end(row, a, k + 1);
    /* The report names the file of each problem. */
    for (size_t i = 0; i < row->nproblems; i++)
        row->problems[i].column = arena_printf(a, "%s: %s", rel, row->problems[i].column);
    if (state.code[0] && !row->bad) {
        long long sid, bid;
        import_region country = {.code = "US", .name = "United States", .kind = "country", .sort = "US"};
        if (!p->country_id && (rc = region(p, &country, 0, &p->country_id)) != DB_OK) {
            p->db_rc = rc;
            return -1;
        }
        if ((rc = region(p, &state, p->country_id, &sid)) != DB_OK ||
            (below.code[0] && (rc = region(p, &below, sid, &bid)) != DB_OK)) {
            p->db_rc = rc;
            snprintf(err, errlen, "the regions could not be made");
            return -1;
        }
    }
    return 1;
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
    people ppl = {0};
    if (!a.undo && a.file && slurp(a.file, &data) != 0)
        return 1;
    if (a.openstates) {
        size_t rl = strlen(a.openstates);
        while (rl > 1 && a.openstates[rl - 1] == '/')
            rl--;
        char *root = strndup(a.openstates, rl);
        ppl.root = root;
        if (walk(&ppl, root, 0) != 0)
            return 1;
        if (ppl.n == 0) {
            fprintf(stderr, "ctrack: import: no person files (*.yml) under %s\n", root);
            return 1;
        }
        qsort(ppl.paths, ppl.n, sizeof *ppl.paths, by_name);
        manifest(&ppl);
    }
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
    } else if (rc == 1 && a.openstates) {
        ppl.d = r.d;
        ppl.client_id = sc.client_id;
        /* The import's SHA-256 covers every file (sha256 and path per line). */
        rc = import_create(r.d, sc.client_id, 0, base_name(ppl.root), ppl.manifest.data ? ppl.manifest.data : "",
                           ppl.manifest.len, false, &j.import_id);
        if (rc == DB_OK)
            rc = import_set_size(r.d, sc.client_id, j.import_id, ppl.bytes);
        r.object_id = j.import_id;
        import_rows rows = {.next = next_person, .ctx = &ppl, .format = "openstates", .encoding = "UTF-8"};
        if (rc == DB_OK)
            rc = import_run_rows(&j, &rows);
        if (rc == DB_OK && ppl.db_rc)
            rc = ppl.db_rc;
    } else if (rc == 1) {
        rc = import_create(r.d, sc.client_id, 0, base_name(a.file), data.data ? data.data : "", data.len, false,
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
        printf("import %lld of %s (%s, %s): %s\n", j.import_id, base_name(a.file ? a.file : a.openstates), j.format,
               j.encoding,
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
    for (size_t i = 0; i < ppl.n; i++)
        free(ppl.paths[i]);
    free(ppl.paths);
    free(ppl.codes);
    free(ppl.ids);
    free((char *)ppl.root);
    buf_free(&ppl.manifest);
    buf_free(&detail);
    arena_free(mem);
    cli_close(&r);
    buf_free(&data);
    return ret;
}
