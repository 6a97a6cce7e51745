/* audit_view: the audit trail read back, for the viewer, its exports, the
 * security events and a contact's history.
 *
 * Every query starts with the asking user's client (from the session, never
 * the request) and pages by id (keyset: before=ID for older rows, after=ID
 * for newer ones), never by OFFSET and never with a count, so that a page
 * costs the same on the millionth row as on the first. Each query is driven
 * by one index whose last column is the id (sql/010-audit-chain.sql), read
 * backwards from the cursor:
 *   contact (or object contact N)   audit_contacts (client_id, contact_id, audit_id)
 *   user                            audit (client_id, user_id, id)
 *   action                          audit (client_id, action, id)
 *   outcome                         audit (client_id, outcome, id)
 *   anything else                   audit (client_id, id)
 * An action prefix, an outcome range and the security events are several
 * values: their distinct values are read first (a loose scan of the same
 * index), and the page is a UNION of one branch per value, each cut at the
 * page size before the union. A time range becomes an id range found by
 * bisecting the primary key (ids grow with time), so it narrows whichever
 * index drives the query; the exact time condition still applies.
 *
 * A contact's history is its range of audit_contacts: the rows whose object
 * is the contact are listed there as well as those that touched it among
 * others (bulk actions, exports), see app.c.
 *
 * Details of contact rows may hold the contact's field values (old and new
 * values of an edit), so a user limited to some regions or campaigns sees
 * the row of a contact outside them without its detail: the page asks the
 * scope once for the contacts of all its rows, an export carries the same
 * condition in its streamed statement; both through filter.c, the one
 * contact scope. */
#include "audit_view.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "export.h"
#include "filter.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "valid.h"

#define AUDIT_PAGE 50
#define HISTORY_ROWS 10
/* A detail longer than this is shown cut, the whole in a <details>. */
#define DETAIL_SHORT 160
/* How far the clocks of the rows around a time bound may disagree with
 * their order by id (a row's time is taken just before its insert): the id
 * bound found for a time is moved this far out, the time condition is
 * exact. */
#define ID_TIME_SLACK 300

/* The security events: failed logons first (the "logon" kind). */
static const char *const security_actions[] = {
    "login.fail",  "login.lockout", "login.locked",  "login.blocked", "login.second_factor_fail",
    "access.denied", "csrf.reject", "token.invalid", "token.refused", "user.unlock",
    "token.new_address",
};
#define LOGON_KINDS 5

static const char SQL_COLS[] =
    "SELECT a.id, DATE_FORMAT(a.at, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(a.at, '%Y-%m-%dT%H:%i:%s.%fZ'), u.username,"
    " a.remote_addr, a.token_id, a.method, a.path, a.action, a.object_type, a.object_id, a.outcome, a.detail,"
    " a.request_id";
enum { C_ID, C_AT, C_AT_FULL, C_USER, C_ADDR, C_TOKEN, C_METHOD, C_PATH, C_ACTION, C_OTYPE, C_OID, C_OUTCOME,
       C_DETAIL, C_RID, C_VISIBLE };
static const char SQL_JOIN_USER[] = " LEFT JOIN users u ON u.client_id = a.client_id AND u.id = a.user_id";

/* ---- filters ---- */

static int plan(request *r, db *d, audit_filter *f);

/* The parameter trimmed of spaces, copied into the arena; "" when absent. */
static const char *qs_param(request *r, const char *name)
{
    size_t n = 0;
    const char *v = params_getn(&r->qs, name, &n);
    if (!v)
        return "";
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return arena_strndup(r->mem, v, n);
}

/* Each bad field is named in the error page's message, in order. */
static int field_error(request *r, const char *name, const char *label, const char *msg)
{
    page_set(r->pg, msg, "Errors.%s", name);
    r->error_message = r->error_message ? arena_printf(r->mem, "%s The filter %s %s.", r->error_message, label, msg)
                                        : arena_printf(r->mem, "The filter %s %s.", label, msg);
    return 1;
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (UTC) into a DATETIME literal; *step
 * gets the length of what it names in seconds (a day or a minute). */
static bool parse_when(const char *s, char out[20], long *step)
{
    size_t n = strlen(s);
    if ((n != 10 && n != 16) || valid_date(s, 10) != VALID_OK)
        return false;
    int hh = 0, mm = 0;
    if (n == 16) {
        if ((s[10] != 'T' && s[10] != ' ') || s[13] != ':')
            return false;
        for (int i = 11; i < 16; i++)
            if (i != 13 && (s[i] < '0' || s[i] > '9'))
                return false;
        hh = (s[11] - '0') * 10 + (s[12] - '0');
        mm = (s[14] - '0') * 10 + (s[15] - '0');
        if (hh > 23 || mm > 59)
            return false;
    }
    memcpy(out, s, 10);
    out[10] = ' ';
    memcpy(out + 11, n == 16 ? s + 11 : "00:00", 5);
    memcpy(out + 16, ":00", 4);
    *step = n == 10 ? 86400 : 60;
    return true;
}

/* The DATETIME literal step seconds after at (both UTC). */
static void add_seconds(const char at[20], long step, char out[20])
{
    struct tm tm = {0};
    sscanf(at, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + step;
    struct tm u;
    gmtime_r(&t, &u);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &u);
}

static bool name_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || strchr(extra, *s)))
            return false;
    return true;
}

static bool parse_id(const char *s, long long *out)
{
    int64_t v;
    if (parse_i64(s, strlen(s), 1, INT64_MAX / 2, &v) != 0)
        return false;
    *out = v;
    return true;
}

static const char SQL_USER_ID[] = "SELECT id FROM users WHERE client_id = ? AND username = ?";

static int parse_user(request *r, db *d, audit_filter *f, int *bad)
{
    if (!f->user[0])
        return DB_OK;
    size_t n = strlen(f->user);
    if (valid_text(f->user, n, 100, false) != VALID_OK) {
        *bad += field_error(r, "user", "user", "is not a username");
        return DB_OK;
    }
    db_stmt *s = db_stmt_get(d, SQL_USER_ID);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_text(s, 1, f->user, n);
    int rc = db_one_int(s, &f->user_id);
    if (rc != DB_OK)
        return rc;
    if (!f->user_id)
        *bad += field_error(r, "user", "user", "names no user of your organisation");
    return DB_OK;
}

static void parse_times(request *r, audit_filter *f, int *bad)
{
    long step = 0;
    char to_at[20] = "";
    if (f->from[0] && !parse_when(f->from, f->from_at, &step))
        *bad += field_error(r, "from", "from", "must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM (UTC)");
    if (f->to[0]) {
        if (!parse_when(f->to, to_at, &step))
            *bad += field_error(r, "to", "to", "must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM (UTC)");
        else /* up to and including the day or minute named */
            add_seconds(to_at, step, f->to_before);
    }
    if (f->from_at[0] && f->to_before[0] && strcmp(f->to_before, f->from_at) <= 0)
        *bad += field_error(r, "to", "to", "must not be before from");
}

static void parse_outcome(request *r, audit_filter *f, int *bad)
{
    static const struct {
        const char *name;
        int lo, hi;
    } kinds[] = {{"ok", 100, 399}, {"failed", 400, 599}, {"error", 500, 599}};
    const char *o = f->outcome;
    if (!o[0])
        return;
    if (strcmp(o, "denied") == 0) {
        f->out_denied = true;
        return;
    }
    for (size_t i = 0; i < CT_ARRAY_LEN(kinds); i++) {
        if (strcmp(o, kinds[i].name) == 0) {
            f->out_lo = kinds[i].lo;
            f->out_hi = kinds[i].hi;
            return;
        }
    }
    /* A class of statuses: 2xx, 4xx, ... */
    if (strlen(o) == 3 && o[0] >= '1' && o[0] <= '5' && (o[1] == 'x' || o[1] == 'X') && (o[2] == 'x' || o[2] == 'X')) {
        f->out_lo = (o[0] - '0') * 100;
        f->out_hi = f->out_lo + 99;
        return;
    }
    int64_t v;
    if (parse_i64(o, strlen(o), 100, 599, &v) == 0) {
        f->out_lo = f->out_hi = (int)v;
        return;
    }
    *bad += field_error(r, "outcome", "outcome", "must be ok, denied, failed, error, a status such as 404 or a class such as 4xx");
}

/* The contact must be one the user may see, as on its own page: the
 * contact filter's scope (filter.c) decides, for this one id. DB_OK, 404
 * (with the contact page's message) or a negative enum db_rc. Both filters
 * that name a contact (contact=N, object_type=contact&object_id=N) come
 * here: either would otherwise show the rows of a contact outside the
 * user's scope, and tell that it exists. */
static int contact_visible(request *r, db *d, long long id)
{
    contact_filter cf = {0};
    filter_set_ids(r->mem, &cf, &id, 1);
    buf sql = {0};
    buf_adds(&sql, "SELECT COUNT(*)");
    filter_sql(&sql, &cf, &r->who.scope, false);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    filter_bind(s, 0, &cf, &r->who.scope);
    long long n = 0;
    int rc = db_one_int(s, &n);
    if (rc != DB_OK)
        return rc;
    if (n)
        return DB_OK;
    r->error_message = "There is no such contact, or it is not one you may see.";
    return 404;
}

static int parse_contact(request *r, db *d, audit_filter *f, int *bad)
{
    if (!f->contact[0])
        return DB_OK;
    if (!parse_id(f->contact, &f->contact_id)) {
        *bad += field_error(r, "contact", "contact", "must be a contact number");
        return DB_OK;
    }
    return contact_visible(r, d, f->contact_id);
}

/* After parse_viewer: object_id is set only with a valid object type. */
static int parse_object_contact(request *r, db *d, const audit_filter *f)
{
    if (!f->object_id_v || strcmp(f->object_type, "contact") != 0)
        return DB_OK;
    if (f->contact_id == f->object_id_v) /* asked already */
        return DB_OK;
    return contact_visible(r, d, f->object_id_v);
}

static void parse_viewer(request *r, audit_filter *f, int *bad)
{
    if (f->action[0]) {
        size_t n = strlen(f->action);
        if (n > 64 || !name_chars(f->action, "."))
            *bad += field_error(r, "action", "action",
                                "must be an action such as contact.update, or its start ending in a dot such as "
                                "contact.");
        f->action_prefix = n && f->action[n - 1] == '.';
    }
    if (f->object_type[0] && (strlen(f->object_type) > 32 || !name_chars(f->object_type, "")))
        *bad += field_error(r, "object_type", "object type", "must be a type such as contact or user");
    if (f->object_id[0]) {
        if (!parse_id(f->object_id, &f->object_id_v))
            *bad += field_error(r, "object_id", "object id", "must be a whole number of 1 or more");
        else if (!f->object_type[0])
            *bad += field_error(r, "object_id", "object id", "needs an object type too");
    }
    parse_outcome(r, f, bad);
}

static void parse_kind(request *r, audit_filter *f, int *bad)
{
    f->actions = security_actions;
    f->nactions = CT_ARRAY_LEN(security_actions);
    if (!f->kind[0])
        return;
    if (strcmp(f->kind, "logon") == 0) {
        f->nactions = LOGON_KINDS;
        return;
    }
    for (size_t i = 0; i < CT_ARRAY_LEN(security_actions); i++) {
        if (strcmp(f->kind, security_actions[i]) == 0) {
            f->actions = &security_actions[i];
            f->nactions = 1;
            return;
        }
    }
    *bad += field_error(r, "kind", "kind", "is not one of the kinds listed");
}

static void parse_paging(request *r, audit_filter *f, int *bad)
{
    const char *before = qs_param(r, "before"), *after = qs_param(r, "after");
    if ((before[0] && !parse_id(before, &f->before)) || (after[0] && !parse_id(after, &f->after)) ||
        (f->before && f->after)) {
        *bad += field_error(r, "before", "before/after", "must be one row number, not both");
    }
}

/* Bytes of s that fit in max without cutting a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* The parameters each page takes (enum audit_use), NULL-terminated. */
static const char *const use_params[][11] = {
    [AUDIT_USE_VIEWER] = {"user", "from", "to", "action", "object_type", "object_id", "outcome", "contact",
                          "before", "after", NULL},
    [AUDIT_USE_EXPORT] = {"user", "from", "to", "action", "object_type", "object_id", "outcome", "contact",
                          "safe", "bom", NULL},
    [AUDIT_USE_SECURITY] = {"kind", "from", "to", "before", "after", NULL},
};
static const char *const use_names[] = {
    [AUDIT_USE_VIEWER] = "The audit trail",
    [AUDIT_USE_EXPORT] = "An audit export",
    [AUDIT_USE_SECURITY] = "The security events page",
};

/* Every parameter must be one of the page's, once: a misspelt filter, or a
 * second value of one, would otherwise be ignored and the page would show
 * (or export) rows the filter was meant to leave out. */
static int params_check(request *r, enum audit_use use)
{
    const char *const *known = use_params[use];
    for (size_t i = 0; i < r->qs.n; i++) {
        const char *name = r->qs.v[i].name;
        bool ok = false;
        for (size_t k = 0; known[k] && !ok; k++)
            ok = strcmp(name, known[k]) == 0;
        bool twice = false;
        for (size_t j = 0; j < i && !twice; j++)
            twice = strcmp(r->qs.v[j].name, name) == 0;
        if (ok && !twice)
            continue;
        const char *shown = arena_strndup(r->mem, name, utf8_cut(name, 64));
        if (twice) {
            r->error_message = arena_printf(r->mem, "The parameter %s is given more than once.", shown);
            return 400;
        }
        buf list = {0};
        for (size_t k = 0; known[k]; k++)
            buf_printf(&list, "%s%s", k == 0 ? "" : known[k + 1] ? ", " : " and ", known[k]);
        r->error_message =
            arena_printf(r->mem, "Unknown parameter %s: %s takes %s.", shown, use_names[use], buf_str(&list));
        buf_free(&list);
        return 400;
    }
    return 0;
}

/* The label of a field in the error messages. */
static const char *field_label(const char *name)
{
    return strcmp(name, "object_type") == 0 ? "object type" : strcmp(name, "object_id") == 0 ? "object id" : name;
}

int audit_filter_parse(request *r, db *d, audit_filter *f, enum audit_use use)
{
    memset(f, 0, sizeof *f);
    bool security = use == AUDIT_USE_SECURITY, paging = use != AUDIT_USE_EXPORT;
    int bad = 0, rc;
    if ((rc = params_check(r, use)) != 0) {
        buf_reset(&r->detail);
        buf_adds(&r->detail, "{\"invalid\":true}");
        return rc;
    }
    static const char *const names[] = {"user", "from", "to", "action", "object_type", "object_id", "outcome",
                                        "contact", "kind"};
    const char **slots[] = {&f->user,    &f->from,    &f->to,      &f->action, &f->object_type,
                            &f->object_id, &f->outcome, &f->contact, &f->kind};
    for (size_t i = 0; i < CT_ARRAY_LEN(names); i++) {
        bool used = security ? (i == 1 || i == 2 || i == 8) : i != 8;
        *slots[i] = used ? qs_param(r, names[i]) : "";
        if (!used)
            continue;
        /* Too long is an error, not an absent filter: that would show every
         * row the filter was meant to leave out. */
        if (strlen(*slots[i]) > AUDIT_FILTER_MAX) {
            *slots[i] = "";
            bad += field_error(r, names[i], field_label(names[i]),
                               arena_printf(r->mem, "is longer than %d characters", AUDIT_FILTER_MAX));
        }
        page_set(r->pg, *slots[i], "Filter.%s", names[i]);
    }
    parse_times(r, f, &bad);
    if (security) {
        parse_kind(r, f, &bad);
    } else {
        parse_viewer(r, f, &bad);
        if ((rc = parse_user(r, d, f, &bad)) != DB_OK)
            return rc;
        if ((rc = parse_contact(r, d, f, &bad)) != DB_OK)
            return rc;
        if ((rc = parse_object_contact(r, d, f)) != DB_OK)
            return rc;
    }
    if (paging)
        parse_paging(r, f, &bad);
    if (bad) {
        buf_reset(&r->detail);
        buf_adds(&r->detail, "{\"invalid\":true}");
        return 400;
    }
    return plan(r, d, f);
}

void audit_filter_query(buf *b, const audit_filter *f)
{
    const struct {
        const char *name, *value;
    } q[] = {{"user", f->user},       {"from", f->from},       {"to", f->to},
             {"action", f->action},   {"object_type", f->object_type}, {"object_id", f->object_id},
             {"outcome", f->outcome}, {"contact", f->contact}, {"kind", f->kind}};
    bool first = true;
    for (size_t i = 0; i < CT_ARRAY_LEN(q); i++) {
        if (!q[i].value || !q[i].value[0])
            continue;
        if (!first)
            buf_addc(b, '&');
        first = false;
        buf_adds(b, q[i].name);
        buf_addc(b, '=');
        buf_add_url(b, q[i].value);
    }
}

void audit_filter_json(buf *b, const audit_filter *f)
{
    buf_addc(b, '{');
    bool first = true;
#define STR_FIELD(name, value)                                                                                    \
    if ((value)[0]) {                                                                                              \
        buf_adds(b, first ? "\"" name "\":" : ",\"" name "\":");                                                    \
        json_add_cstr(b, value);                                                                                   \
        first = false;                                                                                             \
    }
    STR_FIELD("user", f->user)
    STR_FIELD("from", f->from)
    STR_FIELD("to", f->to)
    STR_FIELD("action", f->action)
    STR_FIELD("object_type", f->object_type)
    STR_FIELD("outcome", f->outcome)
    STR_FIELD("kind", f->kind)
#undef STR_FIELD
    if (f->object_id_v) {
        buf_printf(b, "%s\"object_id\":%lld", first ? "" : ",", f->object_id_v);
        first = false;
    }
    if (f->contact_id) {
        buf_printf(b, "%s\"contact\":%lld", first ? "" : ",", f->contact_id);
        first = false;
    }
    buf_addc(b, '}');
}

/* ---- the plan: which index drives the query ---- */

/* The first row at or after the time at (a DATETIME literal) by id, on the
 * primary key: ids grow with time, so a bisection of point reads finds it.
 * *id is 0 when every row is older. */
static const char SQL_ID_SPAN[] = "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM audit";
static const char SQL_ID_PROBE[] = "SELECT id, at >= ? FROM audit WHERE id >= ? ORDER BY id LIMIT 1";

static int first_id_at(db *d, const char *at, long long *id)
{
    *id = 0;
    db_stmt *s = db_stmt_get(d, SQL_ID_SPAN);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    if (rc != DB_OK || (rc = db_next(s)) < 0)
        return rc < 0 ? rc : DB_ERR;
    long long lo = db_int(s, 0), hi = db_int(s, 1) + 1;
    db_done(s);
    while (lo < hi) {
        long long mid = lo + (hi - lo) / 2;
        if (!(s = db_stmt_get(d, SQL_ID_PROBE)))
            return DB_ERR;
        db_bind_str(s, 0, at);
        db_bind_int(s, 1, mid);
        if ((rc = db_run(s)) != DB_OK || (rc = db_next(s)) < 0)
            return rc < 0 ? rc : DB_ERR;
        if (rc == 0) { /* nothing from mid on */
            hi = mid;
            continue;
        }
        long long got = db_int(s, 0);
        bool after = db_int(s, 1) != 0;
        db_done(s);
        if (after) {
            *id = got;
            hi = mid;
        } else {
            lo = got + 1;
        }
    }
    return DB_OK;
}

/* The distinct values of a column on one index (a loose scan: one read
 * per value), at most AUDIT_BRANCHES + 1. */
/* GROUP BY the index's columns, not DISTINCT: only that makes MariaDB
 * 10.11 jump from value to value ("Using index for group-by"). */
static const char SQL_ACTIONS_LIKE[] = "SELECT a.action FROM audit a WHERE a.client_id = ? AND a.action LIKE ?"
                                       " GROUP BY a.client_id, a.action LIMIT 17";
static const char SQL_OUTCOMES_IN[] = "SELECT a.outcome FROM audit a WHERE a.client_id = ? AND a.outcome BETWEEN ? AND ?"
                                      " GROUP BY a.client_id, a.outcome LIMIT 17";

static const char *like_prefix(request *r, const char *prefix);

static int distinct_values(request *r, db *d, audit_filter *f, bool actions)
{
    db_stmt *s = db_stmt_get(d, actions ? SQL_ACTIONS_LIKE : SQL_OUTCOMES_IN);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    if (actions) {
        db_bind_str(s, 1, like_prefix(r, f->action));
    } else {
        db_bind_int(s, 1, f->out_lo);
        db_bind_int(s, 2, f->out_hi);
    }
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    int n = 0;
    while ((rc = db_next(s)) == 1) {
        if (n < AUDIT_BRANCHES) {
            if (actions)
                f->by_actions[n] = db_text_dup(s, 0, r->mem);
            else
                f->by_outcomes[n] = (int)db_int(s, 0);
        }
        n++;
    }
    if (rc < 0)
        return rc;
    f->nby = n;
    return DB_OK;
}

/* Pads the branches to a power of two (the last repeated: UNION drops the
 * same rows twice), so that the statement cache holds few texts. An empty
 * list keeps one branch that matches nothing. */
static void pad_branches(audit_filter *f, bool actions)
{
    if (f->nby == 0) {
        f->nby = 1;
        f->by_actions[0] = "";
        f->by_outcomes[0] = 0;
    }
    int want = 1;
    while (want < f->nby)
        want *= 2;
    for (int i = f->nby; i < want; i++) {
        if (actions)
            f->by_actions[i] = f->by_actions[f->nby - 1];
        else
            f->by_outcomes[i] = f->by_outcomes[f->nby - 1];
    }
    f->nby = want;
}

static int plan(request *r, db *d, audit_filter *f)
{
    int rc;
    char at[20];
    if (f->from_at[0]) {
        add_seconds(f->from_at, -ID_TIME_SLACK, at);
        if ((rc = first_id_at(d, at, &f->id_lo)) != DB_OK)
            return rc;
        if (!f->id_lo) /* every row is older: none can match */
            f->id_lo = INT64_MAX / 2;
    }
    if (f->to_before[0]) {
        add_seconds(f->to_before, ID_TIME_SLACK, at);
        if ((rc = first_id_at(d, at, &f->id_hi)) != DB_OK)
            return rc;
    }
    bool object_contact = f->object_id_v && strcmp(f->object_type, "contact") == 0;
    if (f->contact_id || object_contact) {
        f->by = AUDIT_BY_CONTACT;
        f->by_contact = f->contact_id ? f->contact_id : f->object_id_v;
        return 0;
    }
    if (f->user_id) {
        f->by = AUDIT_BY_USER;
        return 0;
    }
    if (f->action[0] && !f->action_prefix) {
        f->by = AUDIT_BY_ACTION;
        f->by_actions[0] = f->action;
        f->nby = 1;
        return 0;
    }
    if (f->out_lo && f->out_lo == f->out_hi) {
        f->by = AUDIT_BY_OUTCOME;
        f->by_outcomes[0] = f->out_lo;
        f->nby = 1;
        return 0;
    }
    if (f->nactions && f->nactions <= AUDIT_BRANCHES) {
        f->by = AUDIT_BY_ACTION;
        for (size_t i = 0; i < f->nactions; i++)
            f->by_actions[i] = f->actions[i];
        f->nby = (int)f->nactions;
        pad_branches(f, true);
        return 0;
    }
    if (f->action_prefix) {
        if ((rc = distinct_values(r, d, f, true)) != DB_OK)
            return rc;
        if (f->nby <= AUDIT_BRANCHES) {
            f->by = AUDIT_BY_ACTION;
            pad_branches(f, true);
            return 0;
        }
        f->nby = 0;
    }
    if (f->out_denied) {
        f->by = AUDIT_BY_OUTCOME;
        f->by_outcomes[0] = 401;
        f->by_outcomes[1] = 403;
        f->nby = 2;
        return 0;
    }
    if (f->out_lo) {
        if ((rc = distinct_values(r, d, f, false)) != DB_OK)
            return rc;
        if (f->nby <= AUDIT_BRANCHES) {
            f->by = AUDIT_BY_OUTCOME;
            pad_branches(f, false);
            return 0;
        }
        f->nby = 0;
    }
    f->by = AUDIT_BY_ID;
    return 0;
}

/* ---- the query ---- */

enum dir { OLDER, NEWER };

typedef struct query {
    const audit_filter *f;
    enum dir dir;
    long long cursor;
    long long limit;  /* 0: every row */
    bool visible_col; /* add the C_VISIBLE column (streams) */
} query;

/* The conditions of one branch on the row a, besides its driving index;
 * idcol is the driving index's id column. */
static void where_sql(buf *sql, const audit_filter *f, const query *q, const char *idcol)
{
    if (f->user_id && f->by != AUDIT_BY_USER)
        buf_adds(sql, " AND a.user_id = ?");
    if (f->id_lo)
        buf_printf(sql, " AND %s >= ?", idcol);
    if (f->id_hi)
        buf_printf(sql, " AND %s < ?", idcol);
    if (f->from_at[0])
        buf_adds(sql, " AND a.at >= ?");
    if (f->to_before[0])
        buf_adds(sql, " AND a.at < ?");
    if (f->by != AUDIT_BY_ACTION) {
        if (f->action[0])
            buf_adds(sql, f->action_prefix ? " AND a.action LIKE ?" : " AND a.action = ?");
        if (f->nactions) {
            buf_adds(sql, " AND a.action IN (?");
            for (size_t i = 1; i < f->nactions; i++)
                buf_adds(sql, ",?");
            buf_addc(sql, ')');
        }
    }
    if (f->object_type[0])
        buf_adds(sql, " AND a.object_type = ?");
    if (f->object_id_v)
        buf_adds(sql, " AND a.object_id = ?");
    if (f->by != AUDIT_BY_OUTCOME) {
        if (f->out_denied)
            buf_adds(sql, " AND a.outcome IN (401, 403)");
        else if (f->out_lo == f->out_hi && f->out_lo)
            buf_adds(sql, " AND a.outcome = ?");
        else if (f->out_lo)
            buf_adds(sql, " AND a.outcome BETWEEN ? AND ?");
    }
    if (q->cursor)
        buf_printf(sql, " AND %s %c ?", idcol, q->dir == OLDER ? '<' : '>');
}

/* The LIKE pattern of an action prefix: '_' is LIKE's any-character, so it
 * is escaped (the only one an action may hold). */
static const char *like_prefix(request *r, const char *prefix)
{
    buf like = {0};
    for (const char *c = prefix; *c; c++) {
        if (*c == '_')
            buf_addc(&like, '\\');
        buf_addc(&like, *c);
    }
    buf_addc(&like, '%');
    const char *out = arena_strdup(r->mem, buf_str(&like));
    buf_free(&like);
    return out;
}

static int where_bind(request *r, db_stmt *s, int p, const audit_filter *f, const query *q)
{
    if (f->user_id && f->by != AUDIT_BY_USER)
        db_bind_int(s, p++, f->user_id);
    if (f->id_lo)
        db_bind_int(s, p++, f->id_lo);
    if (f->id_hi)
        db_bind_int(s, p++, f->id_hi);
    if (f->from_at[0])
        db_bind_str(s, p++, f->from_at);
    if (f->to_before[0])
        db_bind_str(s, p++, f->to_before);
    if (f->by != AUDIT_BY_ACTION) {
        if (f->action[0])
            db_bind_str(s, p++, f->action_prefix ? like_prefix(r, f->action) : f->action);
        for (size_t i = 0; i < f->nactions; i++)
            db_bind_str(s, p++, f->actions[i]);
    }
    if (f->object_type[0])
        db_bind_str(s, p++, f->object_type);
    if (f->object_id_v)
        db_bind_int(s, p++, f->object_id_v);
    if (f->by != AUDIT_BY_OUTCOME && !f->out_denied && f->out_lo) {
        db_bind_int(s, p++, f->out_lo);
        if (f->out_lo != f->out_hi)
            db_bind_int(s, p++, f->out_hi);
    }
    if (q->cursor)
        db_bind_int(s, p++, q->cursor);
    return p;
}

/* The condition "the detail may be shown" as a column: contact rows only
 * when the contact is inside the user's scope (filter.c's, with no other
 * condition). */
static const contact_filter no_filter;

static void visible_sql(buf *sql, const acl_scope *sc)
{
    if (!acl_scope_limited(sc)) {
        buf_adds(sql, ", 1");
        return;
    }
    buf_adds(sql, ", (a.object_type IS NULL OR a.object_type <> 'contact' OR a.object_id IN (SELECT c.id");
    filter_sql(sql, &no_filter, sc, false);
    buf_adds(sql, "))");
}

/* The FROM and WHERE of one branch. */
static void branch_sql(buf *sql, const audit_filter *f, const query *q, bool ids_only)
{
    const char *idcol = "a.id";
    if (f->by == AUDIT_BY_CONTACT) {
        idcol = "ac.audit_id";
        buf_adds(sql, ids_only ? "SELECT ac.audit_id AS id" : "");
        buf_adds(sql, " FROM audit_contacts ac JOIN audit a ON a.id = ac.audit_id");
        if (!ids_only)
            buf_adds(sql, SQL_JOIN_USER);
        buf_adds(sql, " WHERE ac.client_id = ? AND ac.contact_id = ? AND a.client_id = ac.client_id");
    } else {
        buf_adds(sql, ids_only ? "SELECT a.id AS id FROM audit a" : " FROM audit a");
        if (!ids_only)
            buf_adds(sql, SQL_JOIN_USER);
        buf_adds(sql, " WHERE a.client_id = ?");
        if (f->by == AUDIT_BY_USER)
            buf_adds(sql, " AND a.user_id = ?");
        else if (f->by == AUDIT_BY_ACTION)
            buf_adds(sql, " AND a.action = ?");
        else if (f->by == AUDIT_BY_OUTCOME)
            buf_adds(sql, " AND a.outcome = ?");
    }
    where_sql(sql, f, q, idcol);
}

static int branch_bind(request *r, db_stmt *s, int p, const audit_filter *f, const query *q, int i)
{
    db_bind_int(s, p++, r->who.client_id);
    if (f->by == AUDIT_BY_CONTACT)
        db_bind_int(s, p++, f->by_contact);
    else if (f->by == AUDIT_BY_USER)
        db_bind_int(s, p++, f->user_id);
    else if (f->by == AUDIT_BY_ACTION)
        db_bind_str(s, p++, f->by_actions[i]);
    else if (f->by == AUDIT_BY_OUTCOME)
        db_bind_int(s, p++, f->by_outcomes[i]);
    return where_bind(r, s, p, f, q);
}

/* The ORDER BY of a branch: the driving index's columns in full (the
 * leading ones are constants), so that the optimizer reads that index in
 * order instead of sorting the rows of another one. */
static void order_sql(buf *sql, const audit_filter *f, const char *dir)
{
    static const char *const cols[][3] = {
        [AUDIT_BY_ID] = {"a.client_id", "a.id", NULL},
        [AUDIT_BY_USER] = {"a.client_id", "a.user_id", "a.id"},
        [AUDIT_BY_ACTION] = {"a.client_id", "a.action", "a.id"},
        [AUDIT_BY_OUTCOME] = {"a.client_id", "a.outcome", "a.id"},
        [AUDIT_BY_CONTACT] = {"ac.client_id", "ac.contact_id", "ac.audit_id"},
    };
    buf_adds(sql, " ORDER BY ");
    for (int i = 0; i < 3 && cols[f->by][i]; i++)
        buf_printf(sql, "%s%s%s", i ? ", " : "", cols[f->by][i], dir);
}

/* Builds and binds the statement of q. NULL on failure (logged). One
 * branch reads its index in order, joined to the user; several are each
 * cut at the limit in a UNION of ids, then joined back. */
static db_stmt *prepare(request *r, db *d, const query *q)
{
    const audit_filter *f = q->f;
    const acl_scope *sc = &r->who.scope;
    const char *order = q->dir == OLDER ? " DESC" : " ASC";
    int branches = (f->by == AUDIT_BY_ACTION || f->by == AUDIT_BY_OUTCOME) ? f->nby : 1;
    buf sql = {0};
    buf_adds(&sql, SQL_COLS);
    if (q->visible_col)
        visible_sql(&sql, sc);
    if (branches == 1) {
        branch_sql(&sql, f, q, false);
        order_sql(&sql, f, order);
    } else {
        buf_adds(&sql, " FROM (");
        for (int i = 0; i < branches; i++) {
            buf_adds(&sql, i ? " UNION (" : "(");
            branch_sql(&sql, f, q, true);
            if (q->limit) {
                order_sql(&sql, f, order);
                buf_adds(&sql, " LIMIT ?");
            }
            buf_addc(&sql, ')');
        }
        buf_adds(&sql, ") h JOIN audit a ON a.id = h.id");
        buf_adds(&sql, SQL_JOIN_USER);
        buf_printf(&sql, " ORDER BY a.id%s", order);
    }
    if (q->limit)
        buf_adds(&sql, " LIMIT ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return NULL;
    int p = 0;
    if (q->visible_col && acl_scope_limited(sc))
        p = filter_bind(s, p, &no_filter, sc);
    for (int i = 0; i < branches; i++) {
        p = branch_bind(r, s, p, f, q, i);
        if (branches > 1 && q->limit)
            db_bind_int(s, p++, q->limit);
    }
    if (q->limit)
        db_bind_int(s, p++, q->limit);
    return s;
}

/* One row, copied out of the result. */
typedef struct row {
    long long id, token_id, object_id;
    int outcome;
    const char *at, *at_full, *user, *addr, *method, *path, *action, *object_type, *detail, *request_id;
    bool hidden;
} row;

static int fetch(request *r, db *d, const query *q, row *rows, int max, int *n)
{
    *n = 0;
    db_stmt *s = prepare(r, d, q);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        if (*n >= max)
            continue; /* read to the end, keep max */
        row *w = &rows[(*n)++];
        *w = (row){0};
        w->id = db_int(s, C_ID);
        w->at = db_text_dup(s, C_AT, r->mem);
        w->at_full = db_text_dup(s, C_AT_FULL, r->mem);
        w->user = db_is_null(s, C_USER) ? NULL : db_text_dup(s, C_USER, r->mem);
        w->addr = db_text_dup(s, C_ADDR, r->mem);
        w->token_id = db_int(s, C_TOKEN);
        w->method = db_text_dup(s, C_METHOD, r->mem);
        w->path = db_text_dup(s, C_PATH, r->mem);
        w->action = db_text_dup(s, C_ACTION, r->mem);
        w->object_type = db_is_null(s, C_OTYPE) ? NULL : db_text_dup(s, C_OTYPE, r->mem);
        w->object_id = db_int(s, C_OID);
        w->outcome = (int)db_int(s, C_OUTCOME);
        w->detail = db_is_null(s, C_DETAIL) ? NULL : db_text_dup(s, C_DETAIL, r->mem);
        w->request_id = db_text_dup(s, C_RID, r->mem);
    }
    return rc < 0 ? rc : DB_OK;
}

/* Marks the rows whose object is a contact outside the user's scope: one
 * query for the whole page, the contact filter (filter.c) limited to the
 * page's contacts. */
static int hide_out_of_scope(request *r, db *d, row *rows, int n)
{
    const acl_scope *sc = &r->who.scope;
    if (!acl_scope_limited(sc))
        return DB_OK;
    long long ids[AUDIT_PAGE + 1];
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (!rows[i].object_type || strcmp(rows[i].object_type, "contact") != 0 || !rows[i].object_id)
            continue;
        rows[i].hidden = true;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = ids[j] == rows[i].object_id;
        if (!seen && k < CT_ARRAY_LEN(ids))
            ids[k++] = rows[i].object_id;
    }
    if (!k)
        return DB_OK;
    contact_filter cf = {0};
    filter_set_ids(r->mem, &cf, ids, k);
    buf sql = {0};
    buf_adds(&sql, "SELECT c.id");
    filter_sql(&sql, &cf, sc, false);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    filter_bind(s, 0, &cf, sc);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        long long id = db_int(s, 0);
        for (int i = 0; i < n; i++)
            if (rows[i].hidden && rows[i].object_id == id)
                rows[i].hidden = false;
    }
    return rc < 0 ? rc : DB_OK;
}

static void put_row(request *r, const char *base, int i, const row *w)
{
    page *pg = r->pg;
    page_set_int(pg, w->id, "%s.%d.id", base, i);
    page_set(pg, w->at, "%s.%d.time", base, i);
    page_set(pg, w->at_full, "%s.%d.time_full", base, i);
    page_set(pg, w->user, "%s.%d.user", base, i);
    page_set(pg, w->addr, "%s.%d.addr", base, i);
    if (w->token_id)
        page_set_int(pg, w->token_id, "%s.%d.token", base, i);
    page_set(pg, w->method, "%s.%d.method", base, i);
    page_set(pg, w->path, "%s.%d.path", base, i);
    page_set(pg, w->action, "%s.%d.action", base, i);
    if (w->object_type) {
        page_set(pg, w->object_type, "%s.%d.object_type", base, i);
        if (w->object_id)
            page_set_int(pg, w->object_id, "%s.%d.object_id", base, i);
        if (strcmp(w->object_type, "contact") == 0 && w->object_id)
            page_set(pg, "1", "%s.%d.object_link", base, i);
    }
    page_set_int(pg, w->outcome, "%s.%d.outcome", base, i);
    if (w->hidden) {
        page_set(pg, "1", "%s.%d.hidden", base, i);
    } else if (w->detail) {
        page_set(pg, w->detail, "%s.%d.detail", base, i);
        size_t cut = utf8_cut(w->detail, DETAIL_SHORT);
        if (cut < strlen(w->detail))
            page_setn(pg, w->detail, cut, "%s.%d.detail_short", base, i);
    }
    page_set(pg, w->request_id, "%s.%d.request_id", base, i);
}

/* True when a row of f lies beyond id in direction dir. */
static int exists(request *r, db *d, const audit_filter *f, enum dir dir, long long id, bool *out)
{
    row one;
    int n = 0;
    query q = {.f = f, .dir = dir, .cursor = id, .limit = 1};
    int rc = fetch(r, d, &q, &one, 1, &n);
    *out = n > 0;
    return rc;
}

int audit_view_page(request *r, db *d, const audit_filter *f)
{
    buf_adds(&r->detail, "{\"filter\":");
    audit_filter_json(&r->detail, f);
    if (f->before)
        buf_printf(&r->detail, ",\"before\":%lld", f->before);
    if (f->after)
        buf_printf(&r->detail, ",\"after\":%lld", f->after);
    buf_addc(&r->detail, '}');
    row *rows = arena_alloc(r->mem, sizeof(row) * (AUDIT_PAGE + 1));
    int n = 0;
    query q = {.f = f, .dir = f->after ? NEWER : OLDER, .cursor = f->after ? f->after : f->before,
               .limit = AUDIT_PAGE + 1};
    int rc = fetch(r, d, &q, rows, AUDIT_PAGE + 1, &n);
    if (rc != DB_OK)
        return rc;
    bool more = n > AUDIT_PAGE;
    if (more)
        n = AUDIT_PAGE;
    if (q.dir == NEWER) /* read oldest first: shown newest first */
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            row t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
        }
    bool older = q.dir == OLDER ? more : false, newer = q.dir == NEWER ? more : false;
    if (n && q.dir == OLDER && f->before && (rc = exists(r, d, f, NEWER, rows[0].id, &newer)) != DB_OK)
        return rc;
    if (n && q.dir == NEWER && (rc = exists(r, d, f, OLDER, rows[n - 1].id, &older)) != DB_OK)
        return rc;
    if ((rc = hide_out_of_scope(r, d, rows, n)) != DB_OK)
        return rc;
    for (int i = 0; i < n; i++)
        put_row(r, "Audit.Rows", i, &rows[i]);
    page_set_int(r->pg, n, "Audit.Count");
    if (n && older)
        page_set_int(r->pg, rows[n - 1].id, "Audit.Older");
    if (n && newer)
        page_set_int(r->pg, rows[0].id, "Audit.Newer");
    if (f->before || f->after)
        page_set(r->pg, "1", "Audit.Paged");
    buf fq = {0};
    audit_filter_query(&fq, f);
    page_set(r->pg, buf_str(&fq), "Audit.Filter");
    buf_free(&fq);
    return DB_OK;
}

int audit_view_contact_panel(request *r, db *d, long long contact_id)
{
    if (!acl_allows(r->who.functions, "audit.view"))
        return DB_OK;
    audit_filter f = {.user = "", .from = "", .to = "", .action = "", .object_type = "", .object_id = "",
                      .outcome = "", .contact = "", .kind = "", .contact_id = contact_id,
                      .by = AUDIT_BY_CONTACT, .by_contact = contact_id};
    row rows[HISTORY_ROWS];
    int n = 0;
    query q = {.f = &f, .dir = OLDER, .limit = HISTORY_ROWS};
    int rc = fetch(r, d, &q, rows, HISTORY_ROWS, &n);
    if (rc != DB_OK)
        return rc;
    page_set(r->pg, "1", "History.Shown");
    for (int i = 0; i < n; i++) {
        rows[i].detail = NULL; /* the panel shows no details */
        put_row(r, "History.Rows", i, &rows[i]);
    }
    page_set_int(r->pg, n, "History.Count");
    return DB_OK;
}

/* ---- the viewer ---- */

int audit_list(request *r, db *d)
{
    audit_filter *f = arena_alloc(r->mem, sizeof *f);
    page_set(r->pg, "Audit trail", "Page.Title");
    r->template_name = "audit.cs";
    int rc = audit_filter_parse(r, d, f, AUDIT_USE_VIEWER);
    if (rc != 0)
        return rc;
    if (f->contact_id) {
        r->object_type = "contact";
        r->object_id = f->contact_id;
        page_set(r->pg, arena_printf(r->mem, "History of contact %lld", f->contact_id), "Page.Title");
        page_set_int(r->pg, f->contact_id, "Audit.Contact");
    }
    return (rc = audit_view_page(r, d, f)) != DB_OK ? rc : 200;
}

/* ---- exports ---- */

typedef struct export_job {
    const audit_filter *f;
    const char *format; /* "csv" or "json" */
    const char *filter_json;
    bool safe, bom;
} export_job;

static const char *const export_columns[] = {
    "id",     "at",     "user",        "address",   "token_id", "method",  "path",
    "action", "object_type", "object_id", "outcome", "detail",   "request_id",
};

static void csv_head(buf *out, const void *arg)
{
    const export_job *j = arg;
    if (j->bom)
        buf_add(out, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < CT_ARRAY_LEN(export_columns); i++) {
        if (i)
            buf_addc(out, ',');
        buf_adds(out, export_columns[i]);
    }
    csv_end_record(out);
}

static void csv_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    static const int cols[] = {C_ID, C_AT_FULL, C_USER, C_ADDR, C_TOKEN, C_METHOD, C_PATH,
                               C_ACTION, C_OTYPE, C_OID, C_OUTCOME, C_DETAIL, C_RID};
    const export_job *j = arg;
    (void)r, (void)n;
    bool visible = db_int(s, C_VISIBLE) != 0;
    for (size_t i = 0; i < CT_ARRAY_LEN(cols); i++) {
        if (i)
            buf_addc(out, ',');
        if (cols[i] == C_DETAIL && !visible) {
            csv_write_field(out, AUDIT_HIDDEN_TEXT, strlen(AUDIT_HIDDEN_TEXT), j->safe);
            continue;
        }
        size_t len = 0;
        const char *v = db_text(s, cols[i], &len);
        if (v)
            csv_write_field(out, v, len, j->safe);
    }
    csv_end_record(out);
}

static void json_text(buf *out, const char *name, db_stmt *s, int col)
{
    size_t n = 0;
    const char *v = db_text(s, col, &n);
    buf_printf(out, ",\"%s\":", name);
    if (v)
        json_add_string(out, v, n);
    else
        buf_adds(out, "null");
}

static void json_number(buf *out, const char *name, db_stmt *s, int col)
{
    if (db_is_null(s, col))
        buf_printf(out, ",\"%s\":null", name);
    else
        buf_printf(out, ",\"%s\":%lld", name, db_int(s, col));
}

static void json_head(buf *out, const void *arg)
{
    (void)arg;
    buf_addc(out, '[');
}

static void json_row(request *r, buf *out, db_stmt *s, long long n, const void *arg)
{
    (void)r, (void)arg;
    buf_printf(out, "%s{\"id\":%lld", n == 0 ? "\n" : ",\n", db_int(s, C_ID));
    json_text(out, "at", s, C_AT_FULL);
    json_text(out, "user", s, C_USER);
    json_text(out, "address", s, C_ADDR);
    json_number(out, "token_id", s, C_TOKEN);
    json_text(out, "method", s, C_METHOD);
    json_text(out, "path", s, C_PATH);
    json_text(out, "action", s, C_ACTION);
    json_text(out, "object_type", s, C_OTYPE);
    json_number(out, "object_id", s, C_OID);
    json_number(out, "outcome", s, C_OUTCOME);
    size_t len = 0;
    const char *detail = db_text(s, C_DETAIL, &len);
    if (db_int(s, C_VISIBLE) == 0) {
        buf_adds(out, ",\"detail\":null,\"detail_hidden\":");
        json_add_cstr(out, AUDIT_HIDDEN_TEXT);
    } else if (detail) {
        /* Stored as JSON (the table's CHECK): passed on as it is. */
        buf_adds(out, ",\"detail\":");
        buf_add(out, detail, len);
    } else {
        buf_adds(out, ",\"detail\":null");
    }
    json_text(out, "request_id", s, C_RID);
    buf_addc(out, '}');
}

static void json_end(buf *out, long long rows, const void *arg)
{
    (void)arg;
    buf_adds(out, rows ? "\n]\n" : "]\n");
}

/* The stream function (http.h): after the first audit row committed. */
static int export_stream(request *r, db *d)
{
    const export_job *j = r->stream_arg;
    bool json = strcmp(j->format, "json") == 0;
    export_writer w = {.format = j->format, .arg = j, .filter_json = j->filter_json};
    if (json) {
        w.begin = json_head;
        w.row = json_row;
        w.end = json_end;
    } else {
        w.begin = csv_head;
        w.row = csv_row;
    }
    query q = {.f = j->f, .dir = OLDER, .visible_col = true};
    return export_send(r, prepare(r, d, &q), &w);
}

int audit_view_export(request *r, const audit_filter *f, const char *format)
{
    export_job *j = arena_alloc(r->mem, sizeof *j);
    j->f = f;
    j->format = format;
    const char *safe = params_get(&r->qs, "safe"), *bom = params_get(&r->qs, "bom");
    j->safe = safe && strcmp(safe, "1") == 0;
    j->bom = bom && strcmp(bom, "1") == 0;
    buf fj = {0};
    audit_filter_json(&fj, f);
    j->filter_json = arena_strdup(r->mem, buf_str(&fj));
    buf_free(&fj);
    bool json = strcmp(format, "json") == 0;
    if (f->contact_id) {
        r->object_type = "contact";
        r->object_id = f->contact_id;
    }
    bool streams = export_start(r, json ? "application/json" : "text/csv; charset=utf-8",
                                json ? "audit.json" : "audit.csv", export_stream, j);
    buf_adds(&r->detail, "{\"format\":");
    json_add_cstr(&r->detail, format);
    buf_adds(&r->detail, streams ? ",\"phase\":\"started\",\"filter\":" : ",\"phase\":\"headers only\",\"filter\":");
    buf_adds(&r->detail, j->filter_json);
    if (!json)
        buf_printf(&r->detail, ",\"safe\":%s,\"bom\":%s", j->safe ? "true" : "false", j->bom ? "true" : "false");
    buf_addc(&r->detail, '}');
    return 200;
}

/* safe and bom are flags: anything but 0 or 1 (or empty) is refused. */
static int export_flags_valid(request *r)
{
    static const char *const flags[] = {"safe", "bom"};
    for (size_t k = 0; k < CT_ARRAY_LEN(flags); k++) {
        const char *v = params_get(&r->qs, flags[k]);
        if (v && *v && strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
            r->error_message = arena_printf(r->mem, "The parameter %s must be 0 or 1.", flags[k]);
            return 400;
        }
    }
    return 0;
}

static int export_handler(request *r, db *d, const char *format)
{
    audit_filter *f = arena_alloc(r->mem, sizeof *f);
    int rc = audit_filter_parse(r, d, f, AUDIT_USE_EXPORT);
    if (rc != 0)
        return rc;
    if ((rc = export_flags_valid(r)) != 0)
        return rc;
    return audit_view_export(r, f, format);
}

int audit_export_csv(request *r, db *d)
{
    return export_handler(r, d, "csv");
}

int audit_export_json(request *r, db *d)
{
    return export_handler(r, d, "json");
}
