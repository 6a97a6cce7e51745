/* manage: user types, the matrix, users and their limits, for the
 * administration pages and the command line alike. */
#include "manage.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "filter.h"
#include "json.h"
#include "lockout.h"
#include "log.h"
#include "password.h"
#include "session.h"
#include "token.h"
#include "valid.h"

static int refuse(manage_err *err, int rc, const char *field, const char *fmt, ...) CT_PRINTF(4, 5);

static int refuse(manage_err *err, int rc, const char *field, const char *fmt, ...)
{
    err->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return rc;
}

int manage_status(int rc)
{
    switch (rc) {
    case MANAGE_OK:
        return 200;
    case MANAGE_NOT_FOUND:
        return 404;
    case MANAGE_IN_USE:
    case MANAGE_CONFLICT:
        return 409;
    case MANAGE_INVALID:
    case MANAGE_DUPLICATE:
    case MANAGE_LOCKOUT:
        return 422;
    default:
        return 500;
    }
}

/* Space and tabs around single-line text do not count. */
static void trim(const char **s, size_t *n)
{
    const char *p = *s ? *s : "";
    size_t e = *s ? strlen(p) : 0, b = 0;
    while (b < e && (p[b] == ' ' || p[b] == '\t'))
        b++;
    while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t'))
        e--;
    *s = p + b;
    *n = e - b;
}

/* Checks trimmed single-line text; 0 or a refusal. */
static int check_text(const char *s, size_t n, size_t max, bool required, const char *field, manage_err *err)
{
    if (required && n == 0)
        return refuse(err, MANAGE_INVALID, field, "is needed");
    enum valid_rc rc = valid_text(s, n, max, false);
    if (rc != VALID_OK)
        return refuse(err, MANAGE_INVALID, field, "%s", valid_message(rc, max));
    return 0;
}

/* Grows an arena array of items of size bytes to hold one more. */
static void json_set(buf *b, acl_set set)
{
    buf_addc(b, '[');
    int k = 0;
    for (size_t i = 0; i < acl_function_count; i++) {
        if (!((set >> i) & 1ULL))
            continue;
        if (k++)
            buf_addc(b, ',');
        json_add_cstr(b, acl_functions[i]);
    }
    buf_addc(b, ']');
}

static void json_bool(buf *b, bool v)
{
    buf_adds(b, v ? "true" : "false");
}

/* ---- clients ---- */

static const char SQL_CLIENTS[] =
    "SELECT c.id, c.name, (SELECT COUNT(*) FROM users u WHERE u.client_id = c.id) FROM clients c ORDER BY c.name";
static const char SQL_CLIENT_FIND[] = "SELECT id FROM clients WHERE name = ?";
static const char SQL_CLIENT_INSERT[] = "INSERT INTO clients (name, created_at) VALUES (?, UTC_TIMESTAMP(6))";

int manage_clients(db *d, arena *a, manage_client **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt *s = db_stmt_get(d, SQL_CLIENTS);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    size_t cap = 0;
    while ((rc = db_next(s)) == 1) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        manage_client *c = &(*out)[(*n)++];
        c->id = db_int(s, 0);
        c->name = db_text_dup(s, 1, a);
        c->users = db_int(s, 2);
    }
    return rc < 0 ? rc : DB_OK;
}

int manage_client_find(db *d, const char *name, long long *id)
{
    db_stmt *s = db_stmt_get(d, SQL_CLIENT_FIND);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, name ? name : "");
    int rc = db_one_int(s, id);
    if (rc != DB_OK)
        return rc;
    return *id ? 1 : 0;
}

int manage_client_create(db *d, const char *name, long long *id, buf *detail, manage_err *err)
{
    size_t n;
    trim(&name, &n);
    int rc = check_text(name, n, MANAGE_CLIENT_NAME_MAX, true, "name", err);
    if (rc)
        return rc;
    db_stmt *s = db_stmt_get(d, SQL_CLIENT_INSERT);
    if (!s)
        return DB_ERR;
    db_bind_text(s, 0, name, n);
    rc = db_run(s);
    if (rc == DB_DUP)
        return refuse(err, MANAGE_DUPLICATE, "name", "is taken: there is a client called \"%.*s\" already",
                      (int)n, name);
    if (rc != DB_OK)
        return rc;
    *id = (long long)db_insert_id(s);
    buf_adds(detail, "{\"changes\":{\"name\":{\"old\":null,\"new\":");
    json_add_string(detail, name, n);
    buf_adds(detail, "}}}");
    return MANAGE_OK;
}

/* ---- the lock-out guard ---- */

/* Changes that can take matrix.manage away queue behind one another per
 * client, so two of them cannot each leave the other's last manager. */
static const char SQL_LOCK_TYPES[] = "SELECT id FROM user_types WHERE client_id = ? FOR UPDATE";
static const char SQL_MANAGERS[] =
    "SELECT COUNT(*) FROM users u JOIN user_type_functions f ON f.client_id = u.client_id"
    " AND f.user_type_id = u.user_type_id WHERE u.client_id = ? AND u.status = 'active' AND f.function_name = ?";

static int lock_types(db *d, long long client_id)
{
    db_stmt *s = db_stmt_get(d, SQL_LOCK_TYPES);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    db_done(s);
    return rc;
}

static int managers(db *d, long long client_id, long long *n)
{
    db_stmt *s = db_stmt_get(d, SQL_MANAGERS);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_str(s, 1, "matrix.manage");
    return db_one_int(s, n);
}

/* After a change: refused when the client had an active user allowed
 * matrix.manage before and has none now. A client that never had one (a
 * new client set up from the command line) is not held to it. */
static int guard(db *d, long long client_id, long long before, manage_err *err)
{
    if (before == 0)
        return MANAGE_OK;
    long long after;
    int rc = managers(d, client_id, &after);
    if (rc != DB_OK)
        return rc;
    if (after == 0)
        return refuse(err, MANAGE_LOCKOUT, NULL,
                      "This change would leave no active user allowed to manage the matrix (matrix.manage), "
                      "and nobody could change it back. Keep matrix.manage for at least one active user.");
    return MANAGE_OK;
}

/* ---- user types and the matrix ---- */

#define SQL_TYPE_COLS                                                                                       \
    "SELECT t.id, t.name, (SELECT GROUP_CONCAT(f.function_name SEPARATOR ',') FROM user_type_functions f"   \
    " WHERE f.client_id = t.client_id AND f.user_type_id = t.id),"                                          \
    " (SELECT COUNT(*) FROM users u WHERE u.client_id = t.client_id AND u.user_type_id = t.id),"            \
    " t.require_two_factor FROM user_types t WHERE t.client_id = ?"
static const char SQL_TYPES[] = SQL_TYPE_COLS " ORDER BY t.name, t.id";
static const char SQL_TYPE_ID[] = SQL_TYPE_COLS " AND t.id = ?";
static const char SQL_TYPE_NAME[] = SQL_TYPE_COLS " AND t.name = ?";
static const char SQL_TYPE_INSERT[] = "INSERT INTO user_types (client_id, name) VALUES (?, ?)";
static const char SQL_TYPE_RENAME[] = "UPDATE user_types SET name = ? WHERE client_id = ? AND id = ?";
static const char SQL_TYPE_TWO_FACTOR[] =
    "UPDATE user_types SET require_two_factor = ? WHERE client_id = ? AND id = ?";
static const char SQL_TYPE_DELETE_ROW[] = "DELETE FROM user_type_functions WHERE client_id = ? AND user_type_id = ?";
static const char SQL_TYPE_DELETE[] = "DELETE FROM user_types WHERE client_id = ? AND id = ?";
static const char SQL_ALLOW[] =
    "INSERT INTO user_type_functions (client_id, user_type_id, function_name) VALUES (?, ?, ?)";
static const char SQL_PROHIBIT[] =
    "DELETE FROM user_type_functions WHERE client_id = ? AND user_type_id = ? AND function_name = ?";

static void read_type(db_stmt *s, arena *a, manage_type *t)
{
    t->id = db_int(s, 0);
    t->name = db_text_dup(s, 1, a);
    t->functions = acl_parse_list(db_text(s, 2, NULL));
    t->users = db_int(s, 3);
    t->require_two_factor = db_int(s, 4) != 0;
}

int manage_types(db *d, arena *a, long long client_id, manage_type **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt *s = db_stmt_get(d, SQL_TYPES);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    size_t cap = 0;
    while ((rc = db_next(s)) == 1) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_type(s, a, &(*out)[(*n)++]);
    }
    return rc < 0 ? rc : DB_OK;
}

int manage_type_get(db *d, arena *a, long long client_id, long long id, const char *name, manage_type *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_stmt_get(d, id ? SQL_TYPE_ID : SQL_TYPE_NAME);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    if (id)
        db_bind_int(s, 1, id);
    else
        db_bind_str(s, 1, name ? name : "");
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc == 1)
        read_type(s, a, out);
    db_done(s);
    return rc;
}

static int check_type_name(const char **name, size_t *n, manage_err *err)
{
    trim(name, n);
    return check_text(*name, *n, MANAGE_TYPE_NAME_MAX, true, "name", err);
}

static int duplicate_type(manage_err *err, const char *name, size_t n)
{
    return refuse(err, MANAGE_DUPLICATE, "name",
                  "is taken: this client already has a user type called \"%.*s\" (names ignore case and accents)",
                  (int)n, name);
}

int manage_type_create(db *d, long long client_id, const char *name, long long *id, buf *detail,
                       manage_err *err)
{
    size_t n;
    int rc = check_type_name(&name, &n, err);
    if (rc)
        return rc;
    db_stmt *s = db_stmt_get(d, SQL_TYPE_INSERT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_text(s, 1, name, n);
    rc = db_run(s);
    if (rc == DB_DUP)
        return duplicate_type(err, name, n);
    if (rc != DB_OK)
        return rc;
    *id = (long long)db_insert_id(s);
    buf_adds(detail, "{\"changes\":{\"name\":{\"old\":null,\"new\":");
    json_add_string(detail, name, n);
    buf_adds(detail, "}}}");
    return MANAGE_OK;
}

int manage_type_rename(db *d, long long client_id, long long type_id, const char *name, buf *detail,
                       manage_err *err)
{
    size_t n;
    int rc = check_type_name(&name, &n, err);
    if (rc)
        return rc;
    arena *a = arena_new();
    manage_type old;
    rc = manage_type_get(d, a, client_id, type_id, NULL, &old);
    if (rc <= 0) {
        arena_free(a);
        return rc == 0 ? refuse(err, MANAGE_NOT_FOUND, NULL, "There is no such user type.") : rc;
    }
    buf_adds(detail, "{\"changes\":{");
    if (strlen(old.name) != n || memcmp(old.name, name, n) != 0) {
        db_stmt *s = db_stmt_get(d, SQL_TYPE_RENAME);
        if (!s) {
            arena_free(a);
            return DB_ERR;
        }
        db_bind_text(s, 0, name, n);
        db_bind_int(s, 1, client_id);
        db_bind_int(s, 2, type_id);
        rc = db_run(s);
        if (rc != DB_OK) {
            arena_free(a);
            return rc == DB_DUP ? duplicate_type(err, name, n) : rc;
        }
        buf_adds(detail, "\"name\":{\"old\":");
        json_add_cstr(detail, old.name);
        buf_adds(detail, ",\"new\":");
        json_add_string(detail, name, n);
        buf_addc(detail, '}');
    }
    buf_adds(detail, "}}");
    arena_free(a);
    return MANAGE_OK;
}

int manage_type_require_two_factor(db *d, long long client_id, long long type_id, bool require, buf *detail,
                                   manage_err *err)
{
    arena *a = arena_new();
    manage_type t;
    int rc = manage_type_get(d, a, client_id, type_id, NULL, &t);
    arena_free(a);
    if (rc <= 0)
        return rc == 0 ? refuse(err, MANAGE_NOT_FOUND, NULL, "There is no such user type.") : rc;
    buf_adds(detail, "{\"changes\":{");
    if (t.require_two_factor != require) {
        db_stmt *s = db_stmt_get(d, SQL_TYPE_TWO_FACTOR);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, require);
        db_bind_int(s, 1, client_id);
        db_bind_int(s, 2, type_id);
        if ((rc = db_run(s)) != DB_OK)
            return rc;
        buf_adds(detail, "\"require_two_factor\":{\"old\":");
        json_bool(detail, t.require_two_factor);
        buf_adds(detail, ",\"new\":");
        json_bool(detail, require);
        buf_addc(detail, '}');
    }
    buf_adds(detail, "}}");
    return MANAGE_OK;
}

int manage_type_delete(db *d, long long client_id, long long type_id, buf *detail, manage_err *err)
{
    int rc = lock_types(d, client_id);
    if (rc != DB_OK)
        return rc;
    arena *a = arena_new();
    manage_type t;
    rc = manage_type_get(d, a, client_id, type_id, NULL, &t);
    if (rc <= 0) {
        arena_free(a);
        return rc == 0 ? refuse(err, MANAGE_NOT_FOUND, NULL, "There is no such user type.") : rc;
    }
    if (t.users > 0) {
        rc = refuse(err, MANAGE_IN_USE, NULL,
                    "The user type \"%s\" cannot be deleted: %lld user%s still ha%s it. Give %s another type first.",
                    t.name, t.users, t.users == 1 ? "" : "s", t.users == 1 ? "s" : "ve",
                    t.users == 1 ? "that user" : "those users");
        arena_free(a);
        return rc;
    }
    static const char *const steps[] = {SQL_TYPE_DELETE_ROW, SQL_TYPE_DELETE};
    for (size_t i = 0; i < CT_ARRAY_LEN(steps); i++) {
        db_stmt *s = db_stmt_get(d, steps[i]);
        if (!s) {
            arena_free(a);
            return DB_ERR;
        }
        db_bind_int(s, 0, client_id);
        db_bind_int(s, 1, type_id);
        if ((rc = db_run(s)) != DB_OK) {
            arena_free(a);
            return rc;
        }
    }
    buf_adds(detail, "{\"deleted\":{\"name\":");
    json_add_cstr(detail, t.name);
    buf_adds(detail, ",\"functions\":");
    json_set(detail, t.functions);
    buf_adds(detail, "}}");
    arena_free(a);
    return MANAGE_OK;
}

static int set_function(db *d, const char *sql, long long client_id, long long type_id, const char *fn)
{
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, type_id);
    db_bind_str(s, 2, fn);
    return db_run(s);
}

int manage_matrix_set(db *d, long long client_id, const long long *type_ids, const acl_set *sets, size_t n,
                      buf *detail, manage_err *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (type_ids[i] == type_ids[j])
                return refuse(err, MANAGE_INVALID, NULL, "The user type %lld is given twice.", type_ids[i]);
    int rc = lock_types(d, client_id);
    long long before = 0;
    if (rc == DB_OK)
        rc = managers(d, client_id, &before);
    if (rc != DB_OK)
        return rc;
    acl_set all = acl_function_count == 64 ? ~0ULL : (1ULL << acl_function_count) - 1;
    arena *a = arena_new();
    buf changes = {0};
    int changed = 0;
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        manage_type t;
        rc = manage_type_get(d, a, client_id, type_ids[i], NULL, &t);
        if (rc == 0) {
            rc = refuse(err, MANAGE_CONFLICT, NULL,
                        "The user type %lld does not exist (any more): the list of user types changed.",
                        type_ids[i]);
            break;
        }
        if (rc < 0)
            break;
        rc = DB_OK;
        acl_set want = sets[i] & all, added = want & ~t.functions, removed = t.functions & ~want;
        for (size_t f = 0; f < acl_function_count && rc == DB_OK; f++) {
            if ((added >> f) & 1ULL)
                rc = set_function(d, SQL_ALLOW, client_id, t.id, acl_functions[f]);
            else if ((removed >> f) & 1ULL)
                rc = set_function(d, SQL_PROHIBIT, client_id, t.id, acl_functions[f]);
        }
        if (rc != DB_OK || !(added | removed))
            continue;
        if (changed++)
            buf_addc(&changes, ',');
        buf_printf(&changes, "\"%lld\":{\"name\":", t.id);
        json_add_cstr(&changes, t.name);
        buf_adds(&changes, ",\"before\":");
        json_set(&changes, t.functions);
        buf_adds(&changes, ",\"after\":");
        json_set(&changes, want);
        buf_adds(&changes, ",\"added\":");
        json_set(&changes, added);
        buf_adds(&changes, ",\"removed\":");
        json_set(&changes, removed);
        buf_addc(&changes, '}');
    }
    if (rc == DB_OK)
        rc = guard(d, client_id, before, err);
    if (rc == MANAGE_OK) {
        buf_adds(detail, "{\"changes\":{");
        buf_add(detail, buf_str(&changes), changes.len);
        buf_adds(detail, "}}");
    }
    buf_free(&changes);
    arena_free(a);
    return rc;
}

void manage_matrix_version(const manage_type *types, size_t n, char out[65])
{
    buf b = {0};
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%lld:%llx;", types[i].id, types[i].functions);
    unsigned char h[32];
    crypto_sha256(b.data ? b.data : "", b.len, h);
    hex_encode(h, sizeof h, out);
    buf_free(&b);
}

/* ---- users ---- */

#define SQL_USER_COLS                                                                                        \
    "SELECT u.id, u.username, u.display_name, u.user_type_id, t.name, u.status, u.all_regions,"              \
    " u.all_campaigns,"                                                                                      \
    " (SELECT GROUP_CONCAT(CONCAT(g.name, ' (', g.code, ')') ORDER BY g.sort_key SEPARATOR ', ')"            \
    "  FROM user_regions ur JOIN regions g ON g.client_id = ur.client_id AND g.id = ur.region_id"            \
    "  WHERE ur.client_id = u.client_id AND ur.user_id = u.id),"                                             \
    " (SELECT GROUP_CONCAT(g.code ORDER BY g.sort_key SEPARATOR ', ')"                                       \
    "  FROM user_regions ur JOIN regions g ON g.client_id = ur.client_id AND g.id = ur.region_id"            \
    "  WHERE ur.client_id = u.client_id AND ur.user_id = u.id),"                                             \
    " (SELECT GROUP_CONCAT(k.name ORDER BY k.name SEPARATOR ', ')"                                           \
    "  FROM user_campaigns uc JOIN campaigns k ON k.client_id = uc.client_id AND k.id = uc.campaign_id"      \
    "  WHERE uc.client_id = u.client_id AND uc.user_id = u.id),"                                             \
    " (SELECT COUNT(*) FROM user_regions ur WHERE ur.client_id = u.client_id AND ur.user_id = u.id),"        \
    " (SELECT COUNT(*) FROM user_campaigns uc WHERE uc.client_id = u.client_id AND uc.user_id = u.id)"       \
    " FROM users u JOIN user_types t ON t.client_id = u.client_id AND t.id = u.user_type_id"                 \
    " WHERE u.client_id = ?"
static const char SQL_USERS[] = SQL_USER_COLS " ORDER BY u.username, u.id";
static const char SQL_USER_ID[] = SQL_USER_COLS " AND u.id = ?";
static const char SQL_USER_NAME[] = SQL_USER_COLS " AND u.username = ?";
static const char SQL_USER_LOCK[] =
    "SELECT id, must_change_password FROM users WHERE client_id = ? AND id = ? FOR UPDATE";
static const char SQL_USER_INSERT[] =
    "INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, status, all_regions,"
    " all_campaigns, created_at, must_change_password, password_changed_at)"
    " VALUES (?, ?, ?, ?, ?, 'active', 0, 0, UTC_TIMESTAMP(6), ?, UTC_TIMESTAMP(6))";
static const char SQL_USER_UPDATE[] =
    "UPDATE users SET display_name = ?, user_type_id = ?, status = ? WHERE client_id = ? AND id = ?";
static const char SQL_USER_PASSWORD[] =
    "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ?";
static const char SQL_USER_USERNAME[] = "SELECT username FROM users WHERE client_id = ? AND id = ?";

static void read_user(db_stmt *s, arena *a, manage_user *u)
{
    u->id = db_int(s, 0);
    u->username = db_text_dup(s, 1, a);
    u->display_name = db_text_dup(s, 2, a);
    u->type_id = db_int(s, 3);
    u->type_name = db_text_dup(s, 4, a);
    u->status = db_text_dup(s, 5, a);
    u->all_regions = db_int(s, 6) != 0;
    u->all_campaigns = db_int(s, 7) != 0;
    u->regions = db_text_dup(s, 8, a);
    u->region_codes = db_text_dup(s, 9, a);
    u->campaigns = db_text_dup(s, 10, a);
    u->nregions = db_int(s, 11);
    u->ncampaigns = db_int(s, 12);
}

int manage_users(db *d, arena *a, long long client_id, manage_user **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt *s = db_stmt_get(d, SQL_USERS);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    size_t cap = 0;
    while ((rc = db_next(s)) == 1) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_user(s, a, &(*out)[(*n)++]);
    }
    return rc < 0 ? rc : DB_OK;
}

int manage_user_get(db *d, arena *a, long long client_id, long long id, const char *username, manage_user *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_stmt_get(d, id ? SQL_USER_ID : SQL_USER_NAME);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    if (id)
        db_bind_int(s, 1, id);
    else
        db_bind_str(s, 1, username ? username : "");
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc == 1)
        read_user(s, a, out);
    db_done(s);
    return rc;
}

void manage_user_scope(long long client_id, const manage_user *u, acl_scope *out)
{
    out->client_id = client_id;
    out->user_id = u->id;
    out->all_regions = u->all_regions;
    out->all_campaigns = u->all_campaigns;
}

int manage_scope_count(db *d, const acl_scope *sc, long long *out)
{
    contact_filter f;
    memset(&f, 0, sizeof f);
    buf sql = {0};
    buf_adds(&sql, "SELECT COUNT(*)");
    filter_sql(&sql, &f, sc, false);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    filter_bind(s, 0, &f, sc);
    return db_one_int(s, out);
}

/* Locks the user's row for a change of their limits or password and says
 * whether the user is the client's: 1, 0, or a negative enum db_rc. When
 * must_change is given it gets the user's must_change_password flag. */
static int lock_user(db *d, long long client_id, long long user_id, bool *must_change)
{
    db_stmt *s = db_stmt_get(d, SQL_USER_LOCK);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    rc = db_next(s);
    if (rc == 1 && must_change)
        *must_change = db_int(s, 1) != 0;
    db_done(s);
    return rc;
}

static int hash_password(const char *pw, size_t n, int iterations, char out[PASSWORD_HASH_MAX])
{
    if (crypto_password_hash(pw, n, iterations, out) != 0) {
        log_error("manage: cannot hash a password");
        return DB_ERR;
    }
    return 0;
}

/* Applies the password rules (password.h) to a new password of username
 * and hashes its normalised form into out. */
static int new_password(const char *pw, size_t n, const char *username, int iterations, char out[PASSWORD_HASH_MAX],
                        manage_err *err)
{
    password_norm p;
    enum password_rc pr = password_prepare(pw ? pw : "", pw ? n : 0, username, &p);
    if (pr != PASSWORD_OK)
        return refuse(err, MANAGE_INVALID, "password", "%s", password_message(pr));
    int rc = hash_password(p.bytes, p.len, iterations, out);
    password_wipe(&p);
    return rc;
}

static const char *no_such_user(manage_err *err)
{
    refuse(err, MANAGE_NOT_FOUND, NULL, "There is no such user in this client.");
    return NULL;
}

/* The user type named by id for a user's form; *t filled. */
static int user_type(db *d, arena *a, long long client_id, long long id, manage_type *t, manage_err *err)
{
    if (id <= 0)
        return refuse(err, MANAGE_INVALID, "user_type", "is needed: choose a user type");
    int rc = manage_type_get(d, a, client_id, id, NULL, t);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return refuse(err, MANAGE_INVALID, "user_type", "is not a user type of this client");
    return 0;
}

static void json_type(buf *b, long long id, const char *name)
{
    buf_printf(b, "{\"id\":%lld,\"name\":", id);
    json_add_cstr(b, name);
    buf_addc(b, '}');
}

int manage_user_create(db *d, long long client_id, const manage_new_user *u, int iterations, long long *id,
                       buf *detail, manage_err *err)
{
    const char *username = u->username ? u->username : "", *display = u->display_name;
    size_t ulen = strlen(username), dlen;
    enum valid_rc vr = valid_username(username, ulen, MANAGE_USERNAME_MAX);
    if (vr == VALID_TOO_LONG)
        return refuse(err, MANAGE_INVALID, "username", "%s", valid_message(vr, MANAGE_USERNAME_MAX));
    if (vr != VALID_OK)
        return refuse(err, MANAGE_INVALID, "username",
                      ulen ? "may contain only letters, digits and . _ - @ +, and must start with a letter or digit"
                           : "is needed");
    trim(&display, &dlen);
    int rc = check_text(display, dlen, MANAGE_DISPLAY_NAME_MAX, false, "display_name", err);
    if (rc)
        return rc;
    arena *a = arena_new();
    manage_type t;
    rc = user_type(d, a, client_id, u->type_id, &t, err);
    char hash[PASSWORD_HASH_MAX] = "";
    if (rc == 0)
        rc = new_password(u->password, u->password_len, username, iterations, hash, err);
    db_stmt *s = NULL;
    if (rc == 0 && !(s = db_stmt_get(d, SQL_USER_INSERT)))
        rc = DB_ERR;
    if (rc == 0) {
        db_bind_int(s, 0, client_id);
        db_bind_text(s, 1, username, ulen);
        db_bind_text(s, 2, display, dlen);
        db_bind_int(s, 3, t.id);
        db_bind_str(s, 4, hash);
        db_bind_int(s, 5, u->must_change_password);
        rc = db_run(s);
        if (rc == DB_DUP)
            rc = refuse(err, MANAGE_DUPLICATE, "username",
                        "is taken: usernames are unique across the whole installation, ignoring case");
    }
    if (rc == 0) {
        *id = (long long)db_insert_id(s);
        buf_adds(detail, "{\"changes\":{\"username\":{\"old\":null,\"new\":");
        json_add_string(detail, username, ulen);
        buf_adds(detail, "},\"display_name\":{\"old\":null,\"new\":");
        json_add_string(detail, display, dlen);
        buf_adds(detail, "},\"user_type\":{\"old\":null,\"new\":");
        json_type(detail, t.id, t.name);
        buf_adds(detail, "},\"status\":{\"old\":null,\"new\":\"active\"},"
                         "\"all_regions\":{\"old\":null,\"new\":false},"
                         "\"all_campaigns\":{\"old\":null,\"new\":false}},\"password\":\"set\"");
        buf_printf(detail, ",\"must_change_password\":%s}", u->must_change_password ? "true" : "false");
    }
    explicit_bzero(hash, sizeof hash);
    arena_free(a);
    return rc;
}

int manage_user_update(db *d, long long client_id, long long user_id, const manage_user_change *c, buf *detail,
                       manage_err *err)
{
    const char *display = c->display_name;
    size_t dlen = 0;
    int rc;
    if (display) {
        trim(&display, &dlen);
        if ((rc = check_text(display, dlen, MANAGE_DISPLAY_NAME_MAX, false, "display_name", err)) != 0)
            return rc;
    }
    if (c->status && strcmp(c->status, "active") && strcmp(c->status, "disabled"))
        return refuse(err, MANAGE_INVALID, "status", "must be active or disabled");
    long long before = 0;
    if ((rc = lock_types(d, client_id)) != DB_OK || (rc = managers(d, client_id, &before)) != DB_OK)
        return rc;
    arena *a = arena_new();
    manage_user old;
    manage_type t = {0};
    rc = manage_user_get(d, a, client_id, user_id, NULL, &old);
    if (rc == 0) {
        no_such_user(err);
        rc = MANAGE_NOT_FOUND;
    } else if (rc == 1) {
        rc = c->type_id ? user_type(d, a, client_id, c->type_id, &t, err) : 0;
    }
    if (rc != 0) {
        arena_free(a);
        return rc;
    }
    if (!display) {
        display = old.display_name;
        dlen = strlen(display);
    }
    if (!c->type_id) {
        t.id = old.type_id;
        t.name = old.type_name;
    }
    const char *status = c->status ? c->status : old.status;
    bool name_changed = dlen != strlen(old.display_name) || memcmp(display, old.display_name, dlen) != 0;
    bool type_changed = t.id != old.type_id, status_changed = strcmp(status, old.status) != 0;
    long long ended = 0;
    if (name_changed || type_changed || status_changed) {
        db_stmt *s = db_stmt_get(d, SQL_USER_UPDATE);
        if (!s) {
            arena_free(a);
            return DB_ERR;
        }
        db_bind_text(s, 0, display, dlen);
        db_bind_int(s, 1, t.id);
        db_bind_str(s, 2, status);
        db_bind_int(s, 3, client_id);
        db_bind_int(s, 4, user_id);
        rc = db_run(s);
        /* A disabled user's sessions end at once, not at their next expiry. */
        if (rc == DB_OK && status_changed && strcmp(status, "disabled") == 0)
            rc = session_end_user(d, client_id, user_id, 0, &ended);
        if (rc == DB_OK)
            rc = guard(d, client_id, before, err);
    }
    if (rc == MANAGE_OK) {
        buf_adds(detail, "{\"changes\":{");
        int k = 0;
        if (name_changed) {
            buf_adds(detail, "\"display_name\":{\"old\":");
            json_add_cstr(detail, old.display_name);
            buf_adds(detail, ",\"new\":");
            json_add_string(detail, display, dlen);
            buf_addc(detail, '}');
            k++;
        }
        if (type_changed) {
            buf_adds(detail, k++ ? ",\"user_type\":{\"old\":" : "\"user_type\":{\"old\":");
            json_type(detail, old.type_id, old.type_name);
            buf_adds(detail, ",\"new\":");
            json_type(detail, t.id, t.name);
            buf_addc(detail, '}');
        }
        if (status_changed) {
            buf_adds(detail, k++ ? ",\"status\":{\"old\":" : "\"status\":{\"old\":");
            json_add_cstr(detail, old.status);
            buf_adds(detail, ",\"new\":");
            json_add_cstr(detail, status);
            buf_addc(detail, '}');
        }
        buf_printf(detail, "},\"sessions_ended\":%lld}", ended);
    }
    arena_free(a);
    return rc;
}

/* Sets a new password (the rules checked against the user's username),
 * whether the user must change it at their next logon (*was_must_change
 * gets what it was before), and ends every session of the user (*ended of
 * them). */
static int set_password(db *d, long long client_id, long long user_id, const char *pw, size_t n, int iterations,
                        bool must_change, bool *was_must_change, long long *ended, long long *revoked,
                        manage_err *err)
{
    *ended = *revoked = 0;
    db_stmt *s = db_stmt_get(d, SQL_USER_USERNAME);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    char username[MANAGE_USERNAME_MAX + 1] = "";
    if ((rc = db_next(s)) == 1)
        snprintf(username, sizeof username, "%s", db_text(s, 0, NULL));
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        no_such_user(err);
        return MANAGE_NOT_FOUND;
    }
    /* The slow hash comes before the row lock, not while holding it. */
    char hash[PASSWORD_HASH_MAX] = "";
    if ((rc = new_password(pw, n, username, iterations, hash, err)) != 0)
        return rc;
    s = NULL;
    int found = lock_user(d, client_id, user_id, was_must_change);
    rc = found < 0 ? found : DB_OK;
    if (found == 1 && !(s = db_stmt_get(d, SQL_USER_PASSWORD)))
        rc = DB_ERR;
    if (found == 1 && s) {
        db_bind_str(s, 0, hash);
        db_bind_int(s, 1, must_change);
        db_bind_int(s, 2, client_id);
        db_bind_int(s, 3, user_id);
        rc = db_run(s);
    }
    explicit_bzero(hash, sizeof hash);
    if (found == 0) {
        no_such_user(err);
        return MANAGE_NOT_FOUND;
    }
    /* A new password shuts out whoever had the old one: their sessions and
     * any API token they made with it. */
    if (rc == DB_OK)
        rc = session_end_user(d, client_id, user_id, 0, ended);
    if (rc == DB_OK)
        rc = token_revoke_user(d, client_id, user_id, revoked);
    return rc;
}

/* The detail of a new password: never the password or its hash, only that
 * it changed, the flag before and after, and what it shut out. */
static void password_detail(buf *detail, const char *how, bool was_must_change, bool must_change, long long ended,
                            long long revoked)
{
    buf_printf(detail, "{\"password\":\"%s\",\"must_change_password\":", how);
    json_bool(detail, must_change);
    buf_printf(detail, ",\"sessions_ended\":%lld,\"tokens_revoked\":%lld,\"changes\":{", ended, revoked);
    if (was_must_change != must_change) {
        buf_adds(detail, "\"must_change_password\":{\"old\":");
        json_bool(detail, was_must_change);
        buf_adds(detail, ",\"new\":");
        json_bool(detail, must_change);
        buf_addc(detail, '}');
    }
    buf_adds(detail, "}}");
}

int manage_user_password(db *d, long long client_id, long long user_id, const char *pw, size_t n, int iterations,
                         buf *detail, manage_err *err)
{
    long long ended = 0, revoked = 0;
    bool was = false;
    int rc = set_password(d, client_id, user_id, pw, n, iterations, true, &was, &ended, &revoked, err);
    if (rc == MANAGE_OK)
        password_detail(detail, "reset", was, true, ended, revoked);
    return rc;
}

int manage_user_unlock(db *d, const char *username, buf *detail, int *was_locked)
{
    int was = 0;
    int rc = lockout_unlock(d, username, &was);
    if (was_locked)
        *was_locked = was;
    if (rc != DB_OK)
        return rc;
    buf_adds(detail, "{\"username\":");
    json_add_cstr(detail, username);
    buf_printf(detail, ",\"was_locked\":%s,\"changes\":{%s}}", was ? "true" : "false",
               was ? "\"locked\":{\"old\":true,\"new\":false}" : "");
    return DB_OK;
}

int manage_own_password(db *d, long long client_id, long long user_id, const char *pw, size_t n, int iterations,
                        buf *detail, manage_err *err)
{
    long long ended = 0, revoked = 0;
    bool was = false;
    int rc = set_password(d, client_id, user_id, pw, n, iterations, false, &was, &ended, &revoked, err);
    if (rc == MANAGE_OK)
        password_detail(detail, "changed", was, false, ended, revoked);
    return rc;
}

/* ---- the two limits ---- */

static const char SQL_USER_FLAGS[] = "SELECT all_regions, all_campaigns FROM users WHERE client_id = ? AND id = ?";
static const char SQL_USER_REGION_CODES[] =
    "SELECT g.code FROM user_regions ur JOIN regions g ON g.client_id = ur.client_id AND g.id = ur.region_id"
    " WHERE ur.client_id = ? AND ur.user_id = ? ORDER BY g.sort_key";
static const char SQL_USER_CAMPAIGN_LIST[] =
    "SELECT k.id, k.name FROM user_campaigns uc JOIN campaigns k ON k.client_id = uc.client_id"
    " AND k.id = uc.campaign_id WHERE uc.client_id = ? AND uc.user_id = ? ORDER BY k.name, k.id";
static const char SQL_CLEAR_REGIONS[] = "DELETE FROM user_regions WHERE client_id = ? AND user_id = ?";
static const char SQL_ADD_REGION[] =
    "INSERT INTO user_regions (client_id, user_id, region_id) VALUES (?, ?, ?)";
static const char SQL_SET_ALL_REGIONS[] = "UPDATE users SET all_regions = ? WHERE client_id = ? AND id = ?";
static const char SQL_CLEAR_CAMPAIGNS[] = "DELETE FROM user_campaigns WHERE client_id = ? AND user_id = ?";
static const char SQL_ADD_CAMPAIGN[] =
    "INSERT INTO user_campaigns (client_id, user_id, campaign_id) VALUES (?, ?, ?)";
static const char SQL_SET_ALL_CAMPAIGNS[] = "UPDATE users SET all_campaigns = ? WHERE client_id = ? AND id = ?";
static const char SQL_CAMPAIGN_ID[] = "SELECT id FROM campaigns WHERE client_id = ? AND id = ?";
static const char SQL_CAMPAIGN_NAME[] = "SELECT id FROM campaigns WHERE client_id = ? AND name = ?";

/* The user's flag (col 0 regions, 1 campaigns) and list as JSON. */
static int limit_state(db *d, long long client_id, long long user_id, int col, bool *all, buf *list)
{
    db_stmt *s = db_stmt_get(d, SQL_USER_FLAGS);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    long long v = 0;
    int rc = db_run(s);
    if (rc == DB_OK && (rc = db_next(s)) == 1) {
        v = db_int(s, col);
        rc = DB_OK;
    }
    db_done(s);
    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    *all = v != 0;
    s = db_stmt_get(d, col == 0 ? SQL_USER_REGION_CODES : SQL_USER_CAMPAIGN_LIST);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    buf_addc(list, '[');
    for (int k = 0; (rc = db_next(s)) == 1; k++) {
        if (k)
            buf_addc(list, ',');
        if (col == 0) {
            json_add_cstr(list, db_text(s, 0, NULL));
        } else {
            buf_printf(list, "{\"id\":%lld,\"name\":", db_int(s, 0));
            json_add_cstr(list, db_text(s, 1, NULL));
            buf_addc(list, '}');
        }
    }
    buf_addc(list, ']');
    return rc < 0 ? rc : DB_OK;
}

/* {"changes":{"all_X":{"old","new"},"X":{"old","new"}}}, the parts that
 * changed. */
static void limit_detail(buf *detail, const char *what, bool old_all, bool new_all, const buf *old_list,
                         const buf *new_list)
{
    buf_adds(detail, "{\"changes\":{");
    int k = 0;
    if (old_all != new_all) {
        buf_printf(detail, "\"all_%s\":{\"old\":", what);
        json_bool(detail, old_all);
        buf_adds(detail, ",\"new\":");
        json_bool(detail, new_all);
        buf_addc(detail, '}');
        k++;
    }
    if (strcmp(buf_str(old_list), buf_str(new_list)) != 0) {
        buf_printf(detail, "%s\"%s\":{\"old\":%s,\"new\":%s}", k ? "," : "", what, buf_str(old_list),
                   buf_str(new_list));
    }
    buf_adds(detail, "}}");
}

/* Replaces the user's set: clear, add each id (once), set the flag. */
static int replace_limit(db *d, long long client_id, long long user_id, bool all, const long long *ids, size_t n,
                         const char *clear, const char *add, const char *flag)
{
    db_stmt *s = db_stmt_get(d, clear);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_id);
    int rc = db_run(s);
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = ids[j] == ids[i];
        if (seen)
            continue;
        if (!(s = db_stmt_get(d, add)))
            return DB_ERR;
        db_bind_int(s, 0, client_id);
        db_bind_int(s, 1, user_id);
        db_bind_int(s, 2, ids[i]);
        rc = db_run(s);
    }
    if (rc != DB_OK)
        return rc;
    if (!(s = db_stmt_get(d, flag)))
        return DB_ERR;
    db_bind_int(s, 0, all ? 1 : 0);
    db_bind_int(s, 1, client_id);
    db_bind_int(s, 2, user_id);
    return db_run(s);
}

static int set_limit(db *d, long long client_id, long long user_id, int col, bool all, const long long *ids,
                     size_t n, buf *detail)
{
    const char *what = col == 0 ? "regions" : "campaigns";
    buf old_list = {0}, new_list = {0};
    bool old_all = false, new_all = false;
    int rc = limit_state(d, client_id, user_id, col, &old_all, &old_list);
    if (rc == DB_OK)
        rc = col == 0 ? replace_limit(d, client_id, user_id, all, ids, n, SQL_CLEAR_REGIONS, SQL_ADD_REGION,
                                      SQL_SET_ALL_REGIONS)
                      : replace_limit(d, client_id, user_id, all, ids, n, SQL_CLEAR_CAMPAIGNS, SQL_ADD_CAMPAIGN,
                                      SQL_SET_ALL_CAMPAIGNS);
    /* The new state is read back, so the detail shows what is stored. */
    if (rc == DB_OK)
        rc = limit_state(d, client_id, user_id, col, &new_all, &new_list);
    if (rc == DB_OK)
        limit_detail(detail, what, old_all, new_all, &old_list, &new_list);
    buf_free(&old_list);
    buf_free(&new_list);
    return rc;
}

int manage_user_regions(db *d, long long client_id, long long user_id, bool all, const char *const *codes,
                        size_t n, buf *detail, manage_err *err)
{
    int rc = lock_user(d, client_id, user_id, NULL);
    if (rc <= 0) {
        if (rc == 0)
            no_such_user(err);
        return rc == 0 ? MANAGE_NOT_FOUND : rc;
    }
    if (all)
        n = 0;
    long long *ids = n ? xcalloc(n, sizeof *ids) : NULL;
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(codes[i]);
        if (valid_code(codes[i], len, 40) != VALID_OK) {
            rc = refuse(err, MANAGE_INVALID, "regions", "\"%.60s\" is not a region code such as US-OH or US-OH-05",
                        codes[i]);
            break;
        }
        rc = filter_region_by_code(d, client_id, codes[i], len, &ids[i]);
        if (rc == 0)
            rc = refuse(err, MANAGE_INVALID, "regions", "%s is not a region of this client", codes[i]);
        else if (rc == 1)
            rc = 0;
    }
    if (rc == 0)
        rc = set_limit(d, client_id, user_id, 0, all, ids, n, detail);
    free(ids);
    return rc;
}

int manage_user_campaigns(db *d, long long client_id, long long user_id, bool all, const long long *ids,
                          size_t n, buf *detail, manage_err *err)
{
    int rc = lock_user(d, client_id, user_id, NULL);
    if (rc <= 0) {
        if (rc == 0)
            no_such_user(err);
        return rc == 0 ? MANAGE_NOT_FOUND : rc;
    }
    if (all)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        db_stmt *s = db_stmt_get(d, SQL_CAMPAIGN_ID);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, client_id);
        db_bind_int(s, 1, ids[i]);
        long long found;
        if ((rc = db_one_int(s, &found)) != DB_OK)
            return rc;
        if (!found)
            return refuse(err, MANAGE_INVALID, "campaigns", "campaign %lld is not a campaign of this client", ids[i]);
    }
    return set_limit(d, client_id, user_id, 1, all, ids, n, detail);
}

int manage_campaign_find(db *d, long long client_id, const char *text, long long *id)
{
    int64_t v = 0;
    bool number = text && parse_i64(text, strlen(text), 1, INT64_MAX, &v) == 0;
    db_stmt *s = db_stmt_get(d, number ? SQL_CAMPAIGN_ID : SQL_CAMPAIGN_NAME);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    if (number)
        db_bind_int(s, 1, v);
    else
        db_bind_str(s, 1, text ? text : "");
    int rc = db_one_int(s, id);
    if (rc != DB_OK)
        return rc;
    return *id ? 1 : 0;
}

/* ---- choices for the forms ---- */

static const char SQL_REGION_CHOICES[] =
    "SELECT g.id, g.code, g.name, g.kind, ur.region_id IS NOT NULL FROM regions g"
    " LEFT JOIN user_regions ur ON ur.client_id = g.client_id AND ur.region_id = g.id AND ur.user_id = ?"
    " WHERE g.client_id = ? ORDER BY g.sort_key";
static const char SQL_CAMPAIGN_CHOICES[] =
    "SELECT k.id, '', k.name, IF(k.archived_at IS NULL, '', 'archived'), uc.campaign_id IS NOT NULL"
    " FROM campaigns k LEFT JOIN user_campaigns uc ON uc.client_id = k.client_id AND uc.campaign_id = k.id"
    " AND uc.user_id = ? WHERE k.client_id = ? ORDER BY k.name, k.id";

static int choices(db *d, arena *a, const char *sql, long long client_id, long long user_id, manage_choice **out,
                   size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt *s = db_stmt_get(d, sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, user_id);
    db_bind_int(s, 1, client_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    size_t cap = 0;
    while ((rc = db_next(s)) == 1) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        manage_choice *c = &(*out)[(*n)++];
        c->id = db_int(s, 0);
        c->code = db_text_dup(s, 1, a);
        c->name = db_text_dup(s, 2, a);
        c->kind = db_text_dup(s, 3, a);
        c->chosen = db_int(s, 4) != 0;
    }
    return rc < 0 ? rc : DB_OK;
}

int manage_region_choices(db *d, arena *a, long long client_id, long long user_id, manage_choice **out,
                          size_t *n)
{
    return choices(d, a, SQL_REGION_CHOICES, client_id, user_id, out, n);
}

int manage_campaign_choices(db *d, arena *a, long long client_id, long long user_id, manage_choice **out,
                            size_t *n)
{
    return choices(d, a, SQL_CAMPAIGN_CHOICES, client_id, user_id, out, n);
}
