/* demo: `ctrack setup-demo`.
 *
 * Everything that can be checked without the database is checked first (the
 * credentials file, the password, every row of the data files), so a bad file
 * or a typo costs no half-done transaction. Then one transaction on the admin
 * account (the application's role may not insert clients) creates the client,
 * its user type, user, regions and contacts, and the audit row that says so.
 * The credentials file is written only after the commit: a file that exists
 * always belongs to a demo that exists. */
#include "demo.h"
#include "regions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "audit.h"
#include "crypto.h"
#include "counts.h"
#include "csv.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "password.h"
#include "util.h"
#include "valid.h"

#define DEMO_CLIENT "Example Advocacy"
#define DEMO_TYPE "Administrator"
#define DEMO_USER "admin"
#define DEMO_USER_NAME "Administrator"
/* The demo files are a few MB; anything far larger is not what we ship. */
#define DEMO_FILE_MAX (64u << 20)
/* District codes have two digits (US-OH-05). */
#define MAX_DISTRICT 99
#define MAX_STATES 100

enum { F_STATES, F_CURRENT, F_HISTORICAL, F_COUNT };
static const char *const file_names[F_COUNT] = {
    "us-states.csv",
    "legislators-current.csv",
    "legislators-historical.csv",
};

/* The legislators' columns we read, found by name in the header. max is the
 * size of the target column in characters as declared in
 * sql/001-schema.sql; 0 for columns converted rather than copied. */
enum col {
    C_BIOGUIDE,
    C_FIRST,
    C_MIDDLE,
    C_LAST,
    C_SUFFIX,
    C_NICK,
    C_TYPE,
    C_PARTY,
    C_PHONE,
    C_ADDRESS,
    C_URL,
    C_FORM,
    C_BIRTHDAY,
    C_STATE,
    C_DISTRICT,
    C_COUNT
};
static const struct {
    const char *src, *dst;
    size_t max;
} cols[C_COUNT] = {
    [C_BIOGUIDE] = {"bioguide_id", "external_id", 64},
    [C_FIRST] = {"first_name", "first_name", 100},
    [C_MIDDLE] = {"middle_name", "middle_name", 100},
    [C_LAST] = {"last_name", "last_name", 100},
    [C_SUFFIX] = {"suffix", "suffix", 20},
    [C_NICK] = {"nickname", "nickname", 100},
    [C_TYPE] = {"type", "title", 0},
    [C_PARTY] = {"party", "party", 100},
    [C_PHONE] = {"phone", "phone", 50},
    [C_ADDRESS] = {"address", "address", 500},
    [C_URL] = {"url", "website", 500},
    [C_FORM] = {"contact_form", "contact_form", 500},
    [C_BIRTHDAY] = {"birthday", "birthday", 0},
    [C_STATE] = {"state", "region_id", 0},
    [C_DISTRICT] = {"district", "region_id", 0},
};
#define REGION_NAME_MAX 200 /* regions.name */

struct data_file {
    buf text;
    unsigned char sha[32];
    size_t rows;
};

struct state {
    char code[3];
    char *name;
    long long id;
    bool used[MAX_DISTRICT + 1];
    long long district_id[MAX_DISTRICT + 1];
};

/* One legislator row, fields borrowed from the CSV reader. */
struct row {
    const csv_field *f[C_COUNT];
    const char *title;
    const char *organisation; /* the chamber */
    struct state *state;
    int district; /* -1: the contact belongs to the state itself */
};

struct demo {
    const conf *c;
    db *d;
    struct data_file files[F_COUNT];
    struct state states[MAX_STATES];
    size_t nstates;
    long long client_id, type_id, country_id;
    size_t regions, contacts;
    long long *created; /* the contacts' ids, for audit_contacts */
    size_t capcreated;
    char *pw;
    bool pw_from_env;
    char hash[PASSWORD_HASH_MAX];
};

static void say(const char *fmt, ...) CT_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ctrack: setup-demo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static const char *rc_name(int rc)
{
    switch (rc) {
    case DB_GONE:
        return "the database connection is unusable";
    case DB_DUP:
        return "a unique key was violated";
    case DB_RETRY:
        return "deadlock or lock wait timeout";
    case DB_TIMEOUT:
        return "statement timeout";
    default:
        return "database error";
    }
}

static int read_whole(const char *path, buf *out)
{
    int rc = read_file(path, DEMO_FILE_MAX, out);
    if (rc == -1)
        say("cannot read %s: %s", path, strerror(errno));
    else if (rc == -2)
        say("%s is not a regular file of at most %u bytes", path, DEMO_FILE_MAX);
    return rc == 0 ? 0 : -1;
}

static int read_files(struct demo *dm)
{
    for (int f = 0; f < F_COUNT; f++) {
        buf path = {0};
        buf_printf(&path, "%s/%s", dm->c->demo_data, file_names[f]);
        int rc = read_whole(buf_str(&path), &dm->files[f].text);
        buf_free(&path);
        if (rc != 0)
            return -1;
        crypto_sha256(dm->files[f].text.data ? dm->files[f].text.data : "", dm->files[f].text.len,
                      dm->files[f].sha);
    }
    return 0;
}

/* Finds the header columns named in want[0..n) and stores their positions. */
static int map_header(const csv_record *h, const char *file, const char *const *want, size_t n, size_t *pos)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < h->n && strcmp(h->fields[i].p, want[k]) != 0)
            i++;
        if (i == h->n) {
            say("%s: the header has no column \"%s\"", file, want[k]);
            return -1;
        }
        pos[k] = i;
    }
    return 0;
}

static struct state *find_state(struct demo *dm, const char *code, size_t n)
{
    for (size_t i = 0; i < dm->nstates; i++)
        if (n == 2 && memcmp(dm->states[i].code, code, 2) == 0)
            return &dm->states[i];
    return NULL;
}

/* Reads us-states.csv (code,name) into dm->states. */
static int load_states(struct demo *dm)
{
    const char *file = file_names[F_STATES];
    struct data_file *df = &dm->files[F_STATES];
    csv_reader *r = csv_reader_new(df->text.data, df->text.len, ',');
    csv_record rec;
    static const char *const want[] = {"code", "name"};
    size_t pos[2];
    int rc = csv_next(r, &rec);
    if (rc != 1 || map_header(&rec, file, want, 2, pos) != 0) {
        if (rc != 1)
            say("%s: no header: %s", file, rc < 0 ? csv_error(r) : "the file is empty");
        csv_reader_free(r);
        return -1;
    }
    while ((rc = csv_next(r, &rec)) == 1) {
        if (rec.n != 2) {
            say("%s line %zu: %zu fields; expected code,name", file, rec.line, rec.n);
            goto fail;
        }
        const csv_field *code = &rec.fields[pos[0]], *name = &rec.fields[pos[1]];
        if (code->n != 2 || code->p[0] < 'A' || code->p[0] > 'Z' || code->p[1] < 'A' || code->p[1] > 'Z') {
            say("%s line %zu: a code is two capital letters", file, rec.line);
            goto fail;
        }
        /* The longest name we derive is "<name> district NN". */
        if (name->n == 0 || valid_text(name->p, name->n, REGION_NAME_MAX - 12, false) != VALID_OK) {
            say("%s line %zu: the name must be text of 1 to %d characters", file, rec.line, REGION_NAME_MAX - 12);
            goto fail;
        }
        if (find_state(dm, code->p, code->n)) {
            say("%s line %zu: %s is listed twice", file, rec.line, code->p);
            goto fail;
        }
        if (dm->nstates == MAX_STATES) {
            say("%s: more than %d states", file, MAX_STATES);
            goto fail;
        }
        struct state *s = &dm->states[dm->nstates++];
        memcpy(s->code, code->p, 2);
        s->name = xstrndup(name->p, name->n);
        df->rows++;
    }
    if (rc < 0) {
        say("%s: %s", file, csv_error(r));
        goto fail;
    }
    csv_reader_free(r);
    return 0;
fail:
    csv_reader_free(r);
    return -1;
}

/* Checks one legislator row and works out its title and region. */
static int parse_row(struct demo *dm, const char *file, const csv_record *rec, size_t nheader, const size_t *pos,
                     struct row *out)
{
    if (rec->n != nheader) {
        say("%s line %zu: %zu fields, but the header has %zu", file, rec->line, rec->n, nheader);
        return -1;
    }
    for (int k = 0; k < C_COUNT; k++) {
        out->f[k] = &rec->fields[pos[k]];
        if (!cols[k].max)
            continue;
        enum valid_rc vr = valid_text(out->f[k]->p, out->f[k]->n, cols[k].max, false);
        if (vr == VALID_TOO_LONG) {
            say("%s line %zu: %s does not fit contacts.%s (at most %zu characters)", file, rec->line, cols[k].src,
                cols[k].dst, cols[k].max);
            return -1;
        }
        if (vr != VALID_OK) {
            say("%s line %zu: %s %s", file, rec->line, cols[k].src, valid_message(vr, cols[k].max));
            return -1;
        }
    }
    const csv_field *t = out->f[C_TYPE];
    if (strcmp(t->p, "sen") == 0) {
        out->title = "Senator";
        out->organisation = "U.S. Senate";
    } else if (strcmp(t->p, "rep") == 0) {
        out->title = "Representative";
        out->organisation = "U.S. House of Representatives";
    } else {
        say("%s line %zu: type must be sen or rep", file, rec->line);
        return -1;
    }
    const csv_field *st = out->f[C_STATE];
    out->state = find_state(dm, st->p, st->n);
    if (!out->state) {
        say("%s line %zu: state \"%.8s\" is not in %s", file, rec->line, st->p, file_names[F_STATES]);
        return -1;
    }
    const csv_field *di = out->f[C_DISTRICT];
    int64_t d = -1;
    if (di->n && parse_i64(di->p, di->n, -1, MAX_DISTRICT, &d) != 0) {
        say("%s line %zu: district must be empty or a number from -1 to %d", file, rec->line, MAX_DISTRICT);
        return -1;
    }
    out->district = (int)d;
    const csv_field *b = out->f[C_BIRTHDAY];
    if (b->n && valid_date(b->p, b->n) != VALID_OK) {
        say("%s line %zu: birthday must be empty or a date YYYY-MM-DD", file, rec->line);
        return -1;
    }
    return 0;
}

static const char SQL_ADD_CONTACT[] =
    "INSERT INTO contacts (client_id, external_id, first_name, middle_name, last_name, suffix, nickname, title,"
    " organisation, party, phone, address, website, contact_form, birthday, region_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static int insert_contact(struct demo *dm, const char *file, size_t line, const struct row *w)
{
    db_stmt *s = db_stmt_get(dm->d, SQL_ADD_CONTACT);
    if (!s) {
        say("cannot prepare the contact insert");
        return -1;
    }
    static const int text_cols[] = {C_FIRST, C_MIDDLE, C_LAST, C_SUFFIX, C_NICK};
    int i = 0;
    db_bind_int(s, i++, dm->client_id);
    if (w->f[C_BIOGUIDE]->n)
        db_bind_text(s, i++, w->f[C_BIOGUIDE]->p, w->f[C_BIOGUIDE]->n);
    else
        db_bind_null(s, i++);
    for (size_t k = 0; k < CT_ARRAY_LEN(text_cols); k++)
        db_bind_text(s, i++, w->f[text_cols[k]]->p, w->f[text_cols[k]]->n);
    db_bind_str(s, i++, w->title);
    db_bind_str(s, i++, w->organisation);
    static const int more_cols[] = {C_PARTY, C_PHONE, C_ADDRESS, C_URL, C_FORM};
    for (size_t k = 0; k < CT_ARRAY_LEN(more_cols); k++)
        db_bind_text(s, i++, w->f[more_cols[k]]->p, w->f[more_cols[k]]->n);
    if (w->f[C_BIRTHDAY]->n)
        db_bind_text(s, i++, w->f[C_BIRTHDAY]->p, w->f[C_BIRTHDAY]->n);
    else
        db_bind_null(s, i++);
    db_bind_int(s, i++, w->district < 0 ? w->state->id : w->state->district_id[w->district]);
    int rc = db_run(s);
    if (rc == DB_DUP) {
        say("%s line %zu: bioguide_id %s is imported twice", file, line, w->f[C_BIOGUIDE]->p);
        return -1;
    }
    if (rc != DB_OK) {
        say("%s line %zu: cannot insert the contact: %s", file, line, rc_name(rc));
        return -1;
    }
    if (dm->contacts == dm->capcreated) {
        dm->capcreated = dm->capcreated ? dm->capcreated * 2 : 1024;
        dm->created = xrealloc(dm->created, dm->capcreated * sizeof *dm->created);
    }
    dm->created[dm->contacts++] = (long long)db_insert_id(s);
    return 0;
}

/* Walks a legislators file: without the database it checks every row and
 * notes the districts in use; with insert it adds the contacts. */
static int walk_legislators(struct demo *dm, int f, bool insert)
{
    const char *file = file_names[f];
    struct data_file *df = &dm->files[f];
    csv_reader *r = csv_reader_new(df->text.data, df->text.len,
                                   csv_detect_delimiter(df->text.data, df->text.len));
    csv_record rec;
    const char *want[C_COUNT];
    size_t pos[C_COUNT];
    for (int k = 0; k < C_COUNT; k++)
        want[k] = cols[k].src;
    int rc = csv_next(r, &rec);
    if (rc != 1) {
        say("%s: no header: %s", file, rc < 0 ? csv_error(r) : "the file is empty");
        goto fail;
    }
    if (map_header(&rec, file, want, C_COUNT, pos) != 0)
        goto fail;
    size_t nheader = rec.n, rows = 0;
    while ((rc = csv_next(r, &rec)) == 1) {
        struct row w;
        if (parse_row(dm, file, &rec, nheader, pos, &w) != 0)
            goto fail;
        if (insert) {
            if (insert_contact(dm, file, rec.line, &w) != 0)
                goto fail;
        } else if (w.district >= 0) {
            w.state->used[w.district] = true;
        }
        rows++;
    }
    if (rc < 0) {
        say("%s: %s", file, csv_error(r));
        goto fail;
    }
    df->rows = rows;
    csv_reader_free(r);
    return 0;
fail:
    csv_reader_free(r);
    return -1;
}

/* The admin password: $ADMIN_PASSWORD when set, else 16 random bytes. */
static int choose_password(struct demo *dm)
{
    const char *env = getenv("ADMIN_PASSWORD");
    if (env) {
        /* The same rules as every other password; no control characters
         * also keeps the line-based credentials file sound. */
        password_norm p;
        enum password_rc rc = password_prepare(env, strlen(env), DEMO_USER, &p);
        password_wipe(&p);
        if (rc != PASSWORD_OK) {
            say("ADMIN_PASSWORD %s", password_message(rc));
            return -1;
        }
        dm->pw = xstrdup(env);
        dm->pw_from_env = true;
        return 0;
    }
    unsigned char raw[16];
    if (crypto_random(raw, sizeof raw) != 0) {
        say("no random bytes for the password");
        return -1;
    }
    dm->pw = xmalloc(4 * ((sizeof raw + 2) / 3) + 1);
    b64url_encode(raw, sizeof raw, dm->pw);
    explicit_bzero(raw, sizeof raw);
    return 0;
}

static int check_run(int rc, const char *what)
{
    if (rc != DB_OK)
        say("cannot %s: %s", what, rc_name(rc));
    return rc == DB_OK ? 0 : -1;
}

static const char SQL_FIND_CLIENT[] = "SELECT id FROM clients WHERE name = ?";
/* The demo's staff work in Washington's time: activity times and due days
 * are shown in it. */
static const char SQL_ADD_CLIENT[] = "INSERT INTO clients (name, time_zone) VALUES (?, 'America/New_York')";
static const char SQL_ADD_TYPE[] = "INSERT INTO user_types (client_id, name) VALUES (?, ?)";
static const char SQL_ADD_FUNCTION[] =
    "INSERT INTO user_type_functions (client_id, user_type_id, function_name) VALUES (?, ?, ?)";
static const char SQL_ADD_USER[] =
    "INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, status, all_regions,"
    " all_campaigns) VALUES (?, ?, ?, ?, ?, 'active', 1, 1)";

static db_stmt *stmt(struct demo *dm, const char *sql)
{
    db_stmt *s = db_stmt_get(dm->d, sql);
    if (!s)
        say("cannot prepare: %.60s...", sql);
    return s;
}

/* 1 when the demo client exists, 0 when not, -1 on error. */
static int client_exists(struct demo *dm)
{
    db_stmt *s = stmt(dm, SQL_FIND_CLIENT);
    if (!s)
        return -1;
    db_bind_str(s, 0, DEMO_CLIENT);
    if (check_run(db_run(s), "look for the demo client") != 0)
        return -1;
    int rc = db_next(s);
    db_done(s);
    if (rc < 0) {
        say("cannot look for the demo client: %s", rc_name(rc));
        return -1;
    }
    return rc;
}

/* Adds a region under the given ancestors (nearest first) with its closure
 * rows (regions.h); *id gets the new id. */
static int add_region(struct demo *dm, const long long *ancestors, int nanc, const char *kind, const char *code,
                      const char *name, const char *sort_key, long long *id)
{
    int rc = region_add(dm->d, dm->client_id, nanc ? ancestors[0] : 0, kind, code, name, sort_key, id);
    if (rc != DB_OK) {
        say("cannot add region %s: %s", code, rc_name(rc));
        return -1;
    }
    dm->regions++;
    return 0;
}

static int add_regions(struct demo *dm)
{
    if (add_region(dm, NULL, 0, "country", "US", "United States", "US", &dm->country_id) != 0)
        return -1;
    buf code = {0}, name = {0}, sort = {0};
    int rc = -1;
    for (size_t i = 0; i < dm->nstates; i++) {
        struct state *st = &dm->states[i];
        buf_reset(&code);
        buf_reset(&sort);
        buf_printf(&code, "US-%s", st->code);
        buf_printf(&sort, "US/%s", st->code);
        long long anc[2] = {0, dm->country_id};
        if (add_region(dm, &anc[1], 1, "state", buf_str(&code), st->name, buf_str(&sort), &st->id) != 0)
            goto out;
        anc[0] = st->id;
        for (int d = 0; d <= MAX_DISTRICT; d++) {
            if (!st->used[d])
                continue;
            buf_reset(&code);
            buf_reset(&name);
            buf_reset(&sort);
            /* District 0 is the at-large seat of a state with one member. */
            if (d == 0) {
                buf_printf(&code, "US-%s-AL", st->code);
                buf_printf(&name, "%s at-large", st->name);
            } else {
                buf_printf(&code, "US-%s-%02d", st->code, d);
                buf_printf(&name, "%s district %d", st->name, d);
            }
            buf_printf(&sort, "US/%s/%02d", st->code, d);
            if (add_region(dm, anc, 2, "district", buf_str(&code), buf_str(&name), buf_str(&sort),
                           &st->district_id[d]) != 0)
                goto out;
        }
    }
    rc = 0;
out:
    buf_free(&code);
    buf_free(&name);
    buf_free(&sort);
    return rc;
}

/* The client, its all-powerful user type and the admin user. */
static int add_client(struct demo *dm)
{
    db_stmt *s = stmt(dm, SQL_ADD_CLIENT);
    if (!s)
        return -1;
    db_bind_str(s, 0, DEMO_CLIENT);
    int rc = db_run(s);
    if (rc == DB_DUP)
        return 1; /* a concurrent run got there first */
    if (check_run(rc, "add the client") != 0)
        return -1;
    dm->client_id = (long long)db_insert_id(s);

    if (!(s = stmt(dm, SQL_ADD_TYPE)))
        return -1;
    db_bind_int(s, 0, dm->client_id);
    db_bind_str(s, 1, DEMO_TYPE);
    if (check_run(db_run(s), "add the user type") != 0)
        return -1;
    dm->type_id = (long long)db_insert_id(s);

    if (!(s = stmt(dm, SQL_ADD_FUNCTION)))
        return -1;
    for (size_t i = 0; i < acl_function_count; i++) {
        db_bind_int(s, 0, dm->client_id);
        db_bind_int(s, 1, dm->type_id);
        db_bind_str(s, 2, acl_functions[i]);
        if (check_run(db_run(s), "allow a function") != 0)
            return -1;
    }

    if (!(s = stmt(dm, SQL_ADD_USER)))
        return -1;
    db_bind_int(s, 0, dm->client_id);
    db_bind_str(s, 1, DEMO_USER);
    db_bind_str(s, 2, DEMO_USER_NAME);
    db_bind_int(s, 3, dm->type_id);
    db_bind_str(s, 4, dm->hash);
    rc = db_run(s);
    if (rc == DB_DUP) {
        say("a user named %s exists already (user names are unique across clients)", DEMO_USER);
        return -1;
    }
    return check_run(rc, "add the admin user");
}

static int add_audit(struct demo *dm, const char *request_id)
{
    if (check_run(counts_add(dm->d, dm->client_id, (long long)dm->contacts), "count the contacts") != 0)
        return -1;
    buf j = {0};
    buf_adds(&j, "{\"files\":[");
    for (int f = 0; f < F_COUNT; f++) {
        char hex[65];
        hex_encode(dm->files[f].sha, sizeof dm->files[f].sha, hex);
        buf_adds(&j, f ? ",{\"name\":" : "{\"name\":");
        json_add_cstr(&j, file_names[f]);
        buf_printf(&j, ",\"bytes\":%zu,\"sha256\":\"%s\",\"rows\":%zu}", dm->files[f].text.len, hex,
                   dm->files[f].rows);
    }
    buf_printf(&j, "],\"contacts_created\":%zu,\"regions_created\":%zu,\"admin_user\":", dm->contacts, dm->regions);
    json_add_cstr(&j, DEMO_USER);
    buf_printf(&j, ",\"admin_password\":\"%s\"}", dm->pw_from_env ? "ADMIN_PASSWORD" : "random");
    audit_entry e = {
        .client_id = dm->client_id,
        .remote_addr = "",
        .request_id = request_id,
        .method = "CLI",
        .path = "setup-demo",
        .action = "demo.setup",
        .object_type = "client",
        .object_id = dm->client_id,
        .outcome = 200,
        .detail = buf_str(&j),
    };
    /* Like an import: every contact created is named beside the row, so
     * that each contact's history starts with its creation. */
    unsigned long long audit_id = 0;
    int rc = check_run(audit_append(dm->d, dm->c, &e, &audit_id), "append the audit row");
    if (rc == 0 && audit_id)
        rc = check_run(audit_add_contacts(dm->d, dm->client_id, audit_id, dm->created, dm->contacts),
                       "record the contacts of the audit row");
    buf_free(&j);
    return rc;
}

/* The work inside the transaction: 0 done, 1 the client exists, -1 failed. */
static int populate(struct demo *dm, const char *request_id)
{
    int rc = client_exists(dm);
    if (rc != 0)
        return rc;
    /* Only now, so a repeated run skips the KDF; the SELECT above took no
     * locks (READ COMMITTED), so nothing waits on the hash. */
    password_norm p;
    bool hashed = password_normalise(dm->pw, strlen(dm->pw), &p) == PASSWORD_OK &&
                  crypto_password_hash(p.bytes, p.len, dm->c->pbkdf2_iterations, dm->hash) == 0;
    password_wipe(&p);
    if (!hashed) {
        say("cannot hash the password");
        return -1;
    }
    if ((rc = add_client(dm)) != 0)
        return rc;
    if (add_regions(dm) != 0)
        return -1;
    if (walk_legislators(dm, F_CURRENT, true) != 0 || walk_legislators(dm, F_HISTORICAL, true) != 0)
        return -1;
    return add_audit(dm, request_id);
}

static int write_credentials(const char *path, const char *pw)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        say("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    buf b = {0};
    buf_printf(&b, "username: %s\npassword: %s\n", DEMO_USER, pw);
    size_t off = 0;
    int rc = 0;
    while (off < b.len) {
        ssize_t n = write(fd, b.data + off, b.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    if (rc != 0) {
        say("cannot write %s: %s", path, strerror(errno));
        unlink(path); /* half a file would pass for a good one */
    }
    explicit_bzero(b.data, b.len);
    buf_free(&b);
    return rc;
}

/* The file is written after the commit; its folder is checked before, so a
 * typo in the path cannot leave a demo whose password only went to stdout. */
static int check_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int rc = access(dir, W_OK | X_OK);
    if (rc != 0)
        say("cannot create files in %s: %s", dir, strerror(errno));
    free(dir);
    return rc == 0 ? 0 : -1;
}

static void demo_free(struct demo *dm)
{
    for (int f = 0; f < F_COUNT; f++)
        buf_free(&dm->files[f].text);
    for (size_t i = 0; i < dm->nstates; i++)
        free(dm->states[i].name);
    if (dm->pw) {
        explicit_bzero(dm->pw, strlen(dm->pw));
        free(dm->pw);
    }
    explicit_bzero(dm->hash, sizeof dm->hash);
    free(dm->created);
    db_close(dm->d);
}

int demo_setup(const conf *c, const char *credentials_path)
{
    int64_t t0 = now_mono_us();
    struct demo *dm = xcalloc(1, sizeof *dm);
    dm->c = c;
    int ret = 1;
    struct stat st;

    if (!credentials_path || !credentials_path[0]) {
        say("--credentials FILE is required");
        goto out;
    }
    if (lstat(credentials_path, &st) == 0) {
        say("%s exists already (an earlier setup-demo wrote it); nothing done", credentials_path);
        goto out;
    }
    if (errno != ENOENT) {
        say("cannot check %s: %s", credentials_path, strerror(errno));
        goto out;
    }
    if (check_folder(credentials_path) != 0)
        goto out;
    if (!c->demo_data || !c->demo_data[0]) {
        say("Paths.DemoData is not set in %s", c->path ? c->path : "the config");
        goto out;
    }
    if (choose_password(dm) != 0 || read_files(dm) != 0 || load_states(dm) != 0 ||
        walk_legislators(dm, F_CURRENT, false) != 0 || walk_legislators(dm, F_HISTORICAL, false) != 0)
        goto out;
    char request_id[33];
    if (audit_new_request_id(request_id) != 0) {
        say("no random bytes for the request id");
        goto out;
    }
    log_set_request(request_id);
    dm->d = db_open(c, DB_ADMIN);
    if (!dm->d) {
        say("cannot connect to the database as %s", c->db_admin_user ? c->db_admin_user : "(DB.AdminUser unset)");
        goto out;
    }
    if (check_run(db_begin(dm->d), "start the transaction") != 0)
        goto out;
    int rc = populate(dm, request_id);
    if (rc != 0) {
        db_rollback(dm->d);
        if (rc == 1) {
            printf("demo client already set up; nothing imported\n");
            ret = 0;
        } else {
            say("failed; nothing was changed");
        }
        goto out;
    }
    if (check_run(db_commit(dm->d), "commit") != 0) {
        db_rollback(dm->d);
        say("failed; nothing was changed");
        goto out;
    }

    double secs = (double)(now_mono_us() - t0) / 1e6;
    printf("Demo client \"%s\" set up: %zu contacts, %zu regions, in %.1f s.\n", DEMO_CLIENT, dm->contacts,
           dm->regions, secs);
    ret = write_credentials(credentials_path, dm->pw) == 0 ? 0 : 1;
    /* The login is shown even when the file failed: it is the only copy. */
    if (dm->pw_from_env)
        printf("Log in as %s with the password from ADMIN_PASSWORD.\n", DEMO_USER);
    else
        printf("Log in as %s with password %s\n", DEMO_USER, dm->pw);
    if (ret == 0)
        printf("(username and password are in %s)\n", credentials_path);
    fflush(stdout);
out:
    log_set_request(NULL);
    demo_free(dm);
    free(dm);
    return ret;
}
