/* contact_extras: a contact's further emails and phones and its tags. */
#include "contact_extras.h"

#include <string.h>

#include "import_map.h"
#include "json.h"

const char *const contact_extras_names[CX_COUNT] = {"other_emails", "other_phones", "tags"};

static const char SQL_CHANNELS[] = "SELECT kind, value, types FROM contact_channels WHERE client_id = ?"
                                   " AND contact_id = ? ORDER BY kind, seq";
static const char SQL_TAGS[] = "SELECT tag FROM contact_tags WHERE client_id = ? AND contact_id = ? ORDER BY tag";

/* "value (types)" */
static void channel_text(buf *b, const char *value, size_t n, const char *types)
{
    if (b->len)
        buf_addc(b, '\n');
    buf_add(b, value, n);
    if (types && *types)
        buf_printf(b, " (%s)", types);
}

/* Runs s bound to (client_id, id); rows then come from db_next. */
static int run_for(db_stmt *s, long long client_id, long long id)
{
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, id);
    return db_run(s);
}

int contact_extras_load(db *d, arena *a, long long client_id, long long id, contact_extras *out)
{
    buf t[CX_COUNT] = {{0}};
    db_stmt *s = db_stmt_get(d, SQL_CHANNELS);
    int rc = run_for(s, client_id, id);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        size_t n;
        const char *kind = db_text(s, 0, NULL), *value = db_text(s, 1, &n);
        channel_text(&t[strcmp(kind, "email") == 0 ? CX_EMAILS : CX_PHONES], value, n, db_text(s, 2, NULL));
        rc = DB_OK;
    }
    if (rc == DB_OK) {
        s = db_stmt_get(d, SQL_TAGS);
        rc = run_for(s, client_id, id);
    }
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        if (t[CX_TAGS].len)
            buf_adds(&t[CX_TAGS], ", ");
        buf_adds(&t[CX_TAGS], db_text(s, 0, NULL));
        rc = DB_OK;
    }
    for (int k = 0; k < CX_COUNT; k++) {
        out->text[k] = arena_strdup(a, buf_str(&t[k]));
        out->given[k] = true;
        buf_free(&t[k]);
    }
    return rc < 0 ? rc : DB_OK;
}

/* One list of the form into a row: the import's reading and checks. */
static void parse(arena *a, int k, const char *s, size_t n, import_row *row)
{
    import_row_begin(row, 1);
    if (k == CX_TAGS)
        import_row_tags(row, a, contact_extras_names[k], s, n);
    else
        import_row_channel_lines(row, a, k == CX_EMAILS, contact_extras_names[k], s, n);
}

int contact_extras_read(arena *a, const params *form, contact_extras *out, const char *errors[CX_COUNT])
{
    int bad = 0;
    for (int k = 0; k < CX_COUNT; k++) {
        size_t n = 0;
        const char *raw = params_getn(form, contact_extras_names[k], &n);
        out->given[k] = raw != NULL;
        import_row row;
        parse(a, k, raw ? raw : "", raw ? n : 0, &row);
        errors[k] = NULL;
        for (size_t i = 0; i < row.nproblems && !errors[k]; i++)
            errors[k] = row.problems[i].reason;
        /* Kept as typed when it is wrong, to be corrected. */
        if (errors[k] || row.nproblems) {
            errors[k] = errors[k] ? errors[k] : row.problems[0].reason;
            out->text[k] = raw ? arena_strndup(a, raw, n) : "";
            bad++;
            continue;
        }
        buf t = {0};
        if (k == CX_TAGS) {
            for (size_t i = 0; i < row.ntags; i++)
                buf_printf(&t, "%s%s", i ? ", " : "", row.tags[i]);
        } else {
            const import_channel *list = k == CX_EMAILS ? row.emails : row.phones;
            size_t count = k == CX_EMAILS ? row.nemails : row.nphones;
            for (size_t i = 0; i < count; i++)
                channel_text(&t, list[i].value, list[i].len, list[i].types);
        }
        out->text[k] = arena_strdup(a, buf_str(&t));
        buf_free(&t);
    }
    return bad;
}

static const char SQL_DELETE_CHANNELS[] =
    "DELETE FROM contact_channels WHERE client_id = ? AND contact_id = ? AND kind = ?";
static const char SQL_ADD_CHANNEL[] =
    "INSERT INTO contact_channels (client_id, contact_id, kind, seq, value, types) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_DELETE_TAGS[] = "DELETE FROM contact_tags WHERE client_id = ? AND contact_id = ?";
static const char SQL_ADD_TAG[] = "INSERT IGNORE INTO contact_tags (client_id, contact_id, tag) VALUES (?, ?, ?)";

static int run2(db *d, const char *sql, long long client_id, long long id, const char *third)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, id);
    if (third)
        db_bind_str(s, 2, third);
    return db_run(s);
}

/* Replaces list k of the contact by the one text gives. */
static int replace(db *d, arena *a, long long client_id, long long id, int k, const char *text)
{
    import_row row;
    parse(a, k, text, strlen(text), &row);
    int rc = k == CX_TAGS ? run2(d, SQL_DELETE_TAGS, client_id, id, NULL)
                          : run2(d, SQL_DELETE_CHANNELS, client_id, id, k == CX_EMAILS ? "email" : "phone");
    size_t count = k == CX_TAGS ? row.ntags : k == CX_EMAILS ? row.nemails : row.nphones;
    for (size_t i = 0; i < count && rc == DB_OK; i++) {
        db_stmt *s = db_stmt_get(d, k == CX_TAGS ? SQL_ADD_TAG : SQL_ADD_CHANNEL);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, client_id);
        db_bind_int(s, 1, id);
        if (k == CX_TAGS) {
            db_bind_str(s, 2, row.tags[i]);
        } else {
            const import_channel *c = &(k == CX_EMAILS ? row.emails : row.phones)[i];
            db_bind_str(s, 2, k == CX_EMAILS ? "email" : "phone");
            db_bind_int(s, 3, (long long)i + 1);
            db_bind_text(s, 4, c->value, c->len);
            db_bind_str(s, 5, c->types);
        }
        rc = db_run(s);
    }
    return rc;
}

int contact_extras_differ(const contact_extras *old, const contact_extras *new)
{
    int n = 0;
    for (int k = 0; k < CX_COUNT; k++)
        n += strcmp(old ? old->text[k] : "", new->text[k]) != 0;
    return n;
}

int contact_extras_save(db *d, arena *a, long long client_id, long long id, const contact_extras *old,
                        const contact_extras *new, buf *changes, int *n)
{
    for (int k = 0; k < CX_COUNT; k++) {
        const char *was = old ? old->text[k] : "";
        if (strcmp(was, new->text[k]) == 0)
            continue;
        int rc = replace(d, a, client_id, id, k, new->text[k]);
        if (rc != DB_OK)
            return rc;
        if ((*n)++)
            buf_addc(changes, ',');
        json_add_cstr(changes, contact_extras_names[k]);
        buf_adds(changes, ":{\"old\":");
        if (old)
            json_add_cstr(changes, was);
        else
            buf_adds(changes, "null");
        buf_adds(changes, ",\"new\":");
        json_add_cstr(changes, new->text[k]);
        buf_addc(changes, '}');
    }
    return DB_OK;
}
