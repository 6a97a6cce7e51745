/* campaign_status: a client's membership statuses and the page that
 * manages them (/campaigns/statuses).
 *
 * Every change of the list first locks all of the client's statuses (FOR
 * UPDATE, in position order), so changes of the list follow one another;
 * a change of a membership takes a shared lock on the status it writes, so
 * a status is never deleted under a membership that is being given it. */
#include "campaign_status.h"

#include <string.h>
#include <strings.h>

#include "acl.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "render.h"
#include "valid.h"

static const char *const stages[] = {"targeted", "contacted", "responded", "declined"};

static const char SQL_LOAD[] =
    "SELECT code, label, stage, position FROM campaign_statuses WHERE client_id = ? ORDER BY position";

/* Reads the rows of a (code, label, stage, position) statement into out. */
static int read_list(db_stmt *s, arena *mem, campaign_status_list *out)
{
    size_t cap = 0;
    memset(out, 0, sizeof *out);
    int rc;
    while ((rc = db_next(s)) == 1) {
        out->v = arena_grow(mem, out->v, &cap, out->n, sizeof *out->v);
        campaign_status *st = &out->v[out->n++];
        st->code = db_text_dup(s, 0, mem);
        st->label = db_text_dup(s, 1, mem);
        st->stage = db_text_dup(s, 2, mem);
        st->position = (int)db_int(s, 3);
    }
    return rc < 0 ? rc : DB_OK;
}

int campaign_status_load(db *d, arena *mem, long long client_id, campaign_status_list *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_stmt_get(d, SQL_LOAD);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    return rc != DB_OK ? rc : read_list(s, mem, out);
}

const campaign_status *campaign_status_find(const campaign_status_list *l, const char *s, size_t n)
{
    for (size_t i = 0; s && i < l->n; i++)
        if (strlen(l->v[i].code) == n && strncasecmp(l->v[i].code, s, n) == 0)
            return &l->v[i];
    return NULL;
}

static const char SQL_GET[] =
    "SELECT code, label, stage, position FROM campaign_statuses WHERE client_id = ? AND code = ?";
static const char SQL_GET_SHARE[] =
    "SELECT code, label, stage, position FROM campaign_statuses WHERE client_id = ? AND code = ? LOCK IN SHARE MODE";

int campaign_status_get(db *d, arena *mem, long long client_id, const char *s, size_t n, bool share,
                        campaign_status *out)
{
    memset(out, 0, sizeof *out);
    if (!s || n == 0 || n > CAMPAIGN_STATUS_CODE_MAX)
        return 0;
    /* Codes are ASCII (the column too): any other text is no code, and
     * MariaDB would refuse to compare it with the column (a 500). */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
            return 0;
    db_stmt *st = db_stmt_get(d, share ? SQL_GET_SHARE : SQL_GET);
    if (!st)
        return DB_ERR;
    db_bind_int(st, 0, client_id);
    db_bind_text(st, 1, s, n);
    int rc = db_run(st);
    if (rc != DB_OK)
        return rc;
    campaign_status_list l;
    if ((rc = read_list(st, mem, &l)) != DB_OK)
        return rc;
    if (l.n == 0)
        return 0;
    *out = l.v[0];
    return 1;
}

static const char SQL_INITIAL[] = "SELECT code FROM campaign_statuses WHERE client_id = ? AND stage = 'targeted'"
                                  " ORDER BY position LIMIT 1 LOCK IN SHARE MODE";

int campaign_status_initial(db *d, arena *mem, long long client_id, const char **code)
{
    *code = NULL;
    db_stmt *s = db_stmt_get(d, SQL_INITIAL);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) == 1)
        *code = db_text_dup(s, 0, mem);
    db_done(s);
    if (rc < 0)
        return rc;
    if (!*code) {
        log_error("client %lld has no campaign status of stage targeted", client_id);
        return DB_ERR;
    }
    return DB_OK;
}

const char *campaign_status_choices(arena *mem, const campaign_status_list *l)
{
    buf b = {0};
    buf_adds(&b, "one of ");
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%s (%s)", i == 0 ? "" : i + 1 < l->n ? ", " : " or ", l->v[i].label, l->v[i].code);
    const char *out = arena_strdup(mem, buf_str(&b));
    buf_free(&b);
    return out;
}

void campaign_status_put(request *r, const campaign_status_list *l, const char *prefix)
{
    for (size_t i = 0; i < l->n; i++) {
        page_set(r->pg, l->v[i].code, "%s.%zu.code", prefix, i);
        page_set(r->pg, l->v[i].label, "%s.%zu.label", prefix, i);
        page_set(r->pg, l->v[i].stage, "%s.%zu.stage", prefix, i);
        page_set_int(r->pg, l->v[i].position, "%s.%zu.position", prefix, i);
    }
}

/* ---- the page ---- */

static const char SQL_LOCK_ALL[] = "SELECT code, label, stage, position FROM campaign_statuses WHERE client_id = ?"
                                   " ORDER BY position FOR UPDATE";

/* Locks and reads every status of the user's client. */
static int lock_all(request *r, db *d, campaign_status_list *l)
{
    db_stmt *s = db_stmt_get(d, SQL_LOCK_ALL);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    int rc = db_run(s);
    return rc != DB_OK ? rc : read_list(s, r->mem, l);
}

/* Members with each status among the contacts (and campaigns) the user
 * can see. */
static const char SQL_USES[] =
    "SELECT m.status, COUNT(*) FROM contact_campaigns m JOIN contacts c ON c.client_id = m.client_id"
    " AND c.id = m.contact_id WHERE m.client_id = ? AND ";
static const char SQL_USES_END[] = " AND c.live = 1";

static int put_uses(request *r, db *d, const campaign_status_list *l)
{
    const acl_scope *sc = &r->who.scope;
    buf sql = {0};
    buf_adds(&sql, SQL_USES);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_USES_END);
    acl_campaigns_sql(&sql, sc, "m.campaign_id");
    buf_adds(&sql, " GROUP BY m.status");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    int p = acl_scope_bind(s, 1, sc);
    acl_campaigns_bind(s, p, sc);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < l->n; i++)
        page_set_int(r->pg, 0, "Statuses.%zu.members", i);
    while ((rc = db_next(s)) == 1) {
        size_t n;
        const char *code = db_text(s, 0, &n);
        const campaign_status *st = campaign_status_find(l, code, n);
        if (st)
            page_set_int(r->pg, db_int(s, 1), "Statuses.%zu.members", (size_t)(st - l->v));
    }
    return rc < 0 ? rc : DB_OK;
}

static const struct {
    const char *code, *text;
} flashes[] = {
    {"added", "The status was added."},
    {"saved", "The status was saved."},
    {"moved", "The status was moved."},
    {"deleted", "The status was deleted."},
};

/* The page; status is 200, or 422 after a refused change (its messages
 * already set, the audit detail left to the failure). */
static int show(request *r, db *d, int status)
{
    page_set(r->pg, r->who.scope.all_campaigns ? "1" : "0", "Can.ChangeStatuses");
    campaign_status_list l;
    int rc = campaign_status_load(d, r->mem, r->who.client_id, &l);
    if (rc == DB_OK)
        rc = put_uses(r, d, &l);
    if (rc != DB_OK)
        return rc;
    campaign_status_put(r, &l, "Statuses");
    for (size_t i = 0; i < CT_ARRAY_LEN(stages); i++)
        page_set(r->pg, stages[i], "Stages.%zu", i);
    page_set_int(r->pg, (long long)l.n, "List.Count");
    page_set_int(r->pg, CAMPAIGN_STATUS_MAX, "List.Max");
    page_set(r->pg, "Campaign statuses", "Page.Title");
    if (status == 200) {
        const char *done = params_get(&r->qs, "done");
        for (size_t i = 0; done && i < CT_ARRAY_LEN(flashes); i++)
            if (strcmp(done, flashes[i].code) == 0)
                page_set(r->pg, flashes[i].text, "Page.Flash");
        buf_printf(&r->detail, "{\"rows\":%zu}", l.n);
    }
    r->template_name = "campaign_statuses.cs";
    return status;
}

int campaign_statuses_page(request *r, db *d)
{
    r->object_type = "campaign_status";
    return show(r, d, 200);
}

/* A refused form: the page again with message under the HDF name error
 * (the caller kept the user's input on the page). */
static int refuse(request *r, db *d, const char *error, const char *message)
{
    buf_reset(&r->detail);
    page_set(r->pg, message, "%s", error);
    page_set(r->pg, "The change was not made. Please correct the form.", "Form.Error");
    return show(r, d, 422);
}

/* A refused change of the row being edited: field is label, stage or
 * delete. */
static int refuse_row(request *r, db *d, const char *field, const char *message)
{
    page_set(r->pg, field, "Edit.field");
    return refuse(r, d, "Edit.error", message);
}

static bool stage_known(const char *s)
{
    for (size_t i = 0; s && i < CT_ARRAY_LEN(stages); i++)
        if (strcmp(s, stages[i]) == 0)
            return true;
    return false;
}

/* Trims a label and checks it; NULL after setting *why. */
static const char *clean_label(request *r, const char *v, size_t n, const char **why)
{
    size_t b = 0, e = v ? n : 0;
    while (b < e && (v[b] == ' ' || v[b] == '\t'))
        b++;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
        e--;
    if (e == b) {
        *why = "is needed";
        return NULL;
    }
    enum valid_rc rc = valid_text(v + b, e - b, CAMPAIGN_STATUS_LABEL_MAX, false);
    if (rc != VALID_OK) {
        *why = valid_message(rc, CAMPAIGN_STATUS_LABEL_MAX);
        return NULL;
    }
    return arena_strndup(r->mem, v + b, e - b);
}

/* Checks a new code: lowercase ascii letters, digits, '_' and '-'. */
static const char *code_problem(const char *v, size_t n)
{
    if (!v || n == 0)
        return "is needed";
    if (n > CAMPAIGN_STATUS_CODE_MAX)
        return "is too long: at most 40 characters";
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return "may hold only lowercase letters a-z, digits, '_' and '-'";
    }
    return NULL;
}

/* The label's and stage's JSON old/new pairs of a status (old or new may be
 * NULL). */
static void detail_status(buf *b, const char *code, const campaign_status *old, const campaign_status *now)
{
    buf_adds(b, "{\"status\":{\"code\":");
    json_add_cstr(b, code);
    buf_adds(b, "},\"changes\":{");
    bool first = true;
    const char *names[] = {"label", "stage"};
    for (int k = 0; k < 2; k++) {
        const char *o = old ? (k ? old->stage : old->label) : NULL;
        const char *n = now ? (k ? now->stage : now->label) : NULL;
        if ((o && n && strcmp(o, n) == 0) || (!o && !n))
            continue;
        buf_printf(b, "%s\"%s\":{\"old\":", first ? "" : ",", names[k]);
        json_add_cstr(b, o);
        buf_adds(b, ",\"new\":");
        json_add_cstr(b, n);
        buf_addc(b, '}');
        first = false;
    }
    if (!old || !now || old->position != now->position) {
        buf_printf(b, "%s\"position\":{\"old\":", first ? "" : ",");
        if (old)
            buf_printf(b, "%d", old->position);
        else
            buf_adds(b, "null");
        buf_adds(b, ",\"new\":");
        if (now)
            buf_printf(b, "%d", now->position);
        else
            buf_adds(b, "null");
        buf_addc(b, '}');
    }
    buf_adds(b, "}}");
}

static void back(request *r, const char *done)
{
    http_redirect(r, arena_printf(r->mem, "/campaigns/statuses?done=%s", done));
}

/* The number of the status's stage targeted among l, besides skip. */
static size_t targeted_besides(const campaign_status_list *l, const campaign_status *skip)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += &l->v[i] != skip && strcmp(l->v[i].stage, "targeted") == 0;
    return n;
}

static const char SQL_ADD[] =
    "INSERT INTO campaign_statuses (client_id, code, label, stage, position) VALUES (?, ?, ?, ?, ?)";

/* The statuses are the whole client's, used by campaigns a campaign-limited
 * user cannot see: such a user reads them but does not change them (like
 * creating a campaign, it is an administrator's decision). Returns 0 when
 * the user may change them, else 403 with the reason. */
static int may_change(request *r)
{
    if (r->who.scope.all_campaigns)
        return 0;
    r->error_message = "You work in a limited set of campaigns; the statuses are the whole client's, and an "
                       "administrator changes them.";
    return 403;
}

int campaign_statuses_add(request *r, db *d)
{
    int refused = may_change(r);
    if (refused)
        return refused;
    size_t cn, ln, sn;
    const char *code = params_getn(&r->form, "code", &cn);
    const char *label = params_getn(&r->form, "label", &ln);
    const char *stage = params_getn(&r->form, "stage", &sn);
    r->object_type = "campaign_status";
    page_setn(r->pg, code ? code : "", code ? cn : 0, "Add.code");
    page_setn(r->pg, label ? label : "", label ? ln : 0, "Add.label");
    page_setn(r->pg, stage ? stage : "", stage ? sn : 0, "Add.stage");
    campaign_status_list l;
    int rc = lock_all(r, d, &l);
    if (rc != DB_OK)
        return rc;
    const char *why = code_problem(code, cn);
    if (why)
        return refuse(r, d, "Errors.add_code", why);
    if (campaign_status_find(&l, code, cn))
        return refuse(r, d, "Errors.add_code", "is taken: another status has this code");
    const char *lb = clean_label(r, label, ln, &why);
    if (!lb)
        return refuse(r, d, "Errors.add_label", why);
    if (!stage_known(stage))
        return refuse(r, d, "Errors.add_stage", "must be targeted, contacted, responded or declined");
    if (l.n >= CAMPAIGN_STATUS_MAX)
        return refuse(r, d, "Errors.add_code",
                      arena_printf(r->mem, "cannot be added: a client has at most %d statuses", CAMPAIGN_STATUS_MAX));
    campaign_status now = {.code = arena_strndup(r->mem, code, cn), .label = lb, .stage = stage,
                           .position = l.n ? l.v[l.n - 1].position + 1 : 1};
    db_stmt *s = db_stmt_get(d, SQL_ADD);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_str(s, 1, now.code);
    db_bind_str(s, 2, now.label);
    db_bind_str(s, 3, now.stage);
    db_bind_int(s, 4, now.position);
    if ((rc = db_run(s)) == DB_DUP)
        return refuse(r, d, "Errors.add_code", "is taken: another status has this code");
    if (rc != DB_OK)
        return rc;
    detail_status(&r->detail, now.code, NULL, &now);
    back(r, "added");
    return 303;
}

/* The status the form's code names among l, or NULL after answering 404
 * (*status set). */
static campaign_status *named(request *r, campaign_status_list *l, int *status)
{
    size_t n;
    const char *code = params_getn(&r->form, "code", &n);
    const campaign_status *st = campaign_status_find(l, code, n);
    if (!st) {
        r->error_message = "There is no such status.";
        *status = 404;
        return NULL;
    }
    return &l->v[st - l->v];
}

static const char SQL_EDIT[] = "UPDATE campaign_statuses SET label = ?, stage = ? WHERE client_id = ? AND code = ?";

int campaign_statuses_edit(request *r, db *d)
{
    int refused = may_change(r);
    if (refused)
        return refused;
    campaign_status_list l;
    r->object_type = "campaign_status";
    int rc = lock_all(r, d, &l), status;
    if (rc != DB_OK)
        return rc;
    campaign_status *st = named(r, &l, &status);
    if (!st)
        return status;
    size_t ln, sn;
    const char *label = params_getn(&r->form, "label", &ln);
    const char *stage = params_getn(&r->form, "stage", &sn);
    page_set(r->pg, st->code, "Edit.code");
    page_setn(r->pg, label ? label : "", label ? ln : 0, "Edit.label");
    page_setn(r->pg, stage ? stage : "", stage ? sn : 0, "Edit.stage");
    const char *why;
    const char *lb = clean_label(r, label, ln, &why);
    if (!lb)
        return refuse_row(r, d, "label", why);
    if (!stage_known(stage))
        return refuse_row(r, d, "stage", "must be targeted, contacted, responded or declined");
    if (strcmp(stage, "targeted") != 0 && strcmp(st->stage, "targeted") == 0 && targeted_besides(&l, st) == 0)
        return refuse_row(r, d, "stage",
                          "must stay targeted: new members get the first status of stage targeted, and this is the only one");
    campaign_status now = *st;
    now.label = lb;
    now.stage = stage;
    if (strcmp(now.label, st->label) != 0 || strcmp(now.stage, st->stage) != 0) {
        db_stmt *s = db_stmt_get(d, SQL_EDIT);
        if (!s)
            return DB_ERR;
        db_bind_str(s, 0, now.label);
        db_bind_str(s, 1, now.stage);
        db_bind_int(s, 2, r->who.client_id);
        db_bind_str(s, 3, st->code);
        if ((rc = db_run(s)) != DB_OK)
            return rc;
    }
    detail_status(&r->detail, st->code, st, &now);
    back(r, "saved");
    return 303;
}

static const char SQL_POSITION[] = "UPDATE campaign_statuses SET position = ? WHERE client_id = ? AND code = ?";

static int set_position(request *r, db *d, const char *code, int position)
{
    db_stmt *s = db_stmt_get(d, SQL_POSITION);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, position);
    db_bind_int(s, 1, r->who.client_id);
    db_bind_str(s, 2, code);
    return db_run(s);
}

int campaign_statuses_move(request *r, db *d)
{
    int refused = may_change(r);
    if (refused)
        return refused;
    campaign_status_list l;
    r->object_type = "campaign_status";
    int rc = lock_all(r, d, &l), status;
    if (rc != DB_OK)
        return rc;
    campaign_status *st = named(r, &l, &status);
    if (!st)
        return status;
    const char *dir = params_get(&r->form, "direction");
    if (!dir || (strcmp(dir, "up") != 0 && strcmp(dir, "down") != 0)) {
        r->error_message = "The direction must be up or down.";
        return 422;
    }
    size_t i = (size_t)(st - l.v);
    bool up = strcmp(dir, "up") == 0;
    if ((up && i == 0) || (!up && i + 1 == l.n)) {
        r->error_message = up ? "The status is first already." : "The status is last already.";
        return 422;
    }
    campaign_status *other = &l.v[up ? i - 1 : i + 1];
    /* Positions are unique: one of the two goes to 0 (never used) first. */
    int a = st->position, b = other->position;
    if ((rc = set_position(r, d, st->code, 0)) != DB_OK || (rc = set_position(r, d, other->code, a)) != DB_OK ||
        (rc = set_position(r, d, st->code, b)) != DB_OK)
        return rc;
    campaign_status now = *st;
    now.position = b;
    detail_status(&r->detail, st->code, st, &now);
    /* The other status moved too: its position in the same detail. */
    r->detail.len--; /* the closing brace */
    buf_adds(&r->detail, ",\"swapped_with\":{\"code\":");
    json_add_cstr(&r->detail, other->code);
    buf_printf(&r->detail, ",\"position\":{\"old\":%d,\"new\":%d}}}", b, a);
    back(r, "moved");
    return 303;
}

/* Memberships with the status: all of the client's (what decides), and
 * those the user can see (what the message may number). */
static const char SQL_USED_ALL[] = "SELECT COUNT(*) FROM contact_campaigns WHERE client_id = ? AND status = ?";
static const char SQL_USED_SEEN[] =
    "SELECT COUNT(*) FROM contact_campaigns m JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id"
    " WHERE m.client_id = ? AND m.status = ? AND ";
static const char SQL_DELETE[] = "DELETE FROM campaign_statuses WHERE client_id = ? AND code = ?";

int campaign_statuses_delete(request *r, db *d)
{
    int refused = may_change(r);
    if (refused)
        return refused;
    campaign_status_list l;
    r->object_type = "campaign_status";
    int rc = lock_all(r, d, &l), status;
    if (rc != DB_OK)
        return rc;
    campaign_status *st = named(r, &l, &status);
    if (!st)
        return status;
    page_set(r->pg, st->code, "Edit.code");
    page_set(r->pg, st->label, "Edit.label");
    page_set(r->pg, st->stage, "Edit.stage");
    if (strcmp(st->stage, "targeted") == 0 && targeted_besides(&l, st) == 0)
        return refuse_row(r, d, "delete",
                      "This is the only status of stage targeted, which new members get: it cannot be deleted.");
    db_stmt *s = db_stmt_get(d, SQL_USED_ALL);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_str(s, 1, st->code);
    long long all, seen = 0;
    if ((rc = db_one_int(s, &all)) < 0)
        return rc;
    if (all > 0) {
        const acl_scope *sc = &r->who.scope;
        buf sql = {0};
        buf_adds(&sql, SQL_USED_SEEN);
        acl_scope_sql(&sql, sc);
        buf_adds(&sql, " AND c.live = 1");
        acl_campaigns_sql(&sql, sc, "m.campaign_id");
        s = db_stmt_get(d, buf_str(&sql));
        buf_free(&sql);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, r->who.client_id);
        db_bind_str(s, 1, st->code);
        acl_campaigns_bind(s, acl_scope_bind(s, 2, sc), sc);
        if ((rc = db_one_int(s, &seen)) < 0)
            return rc;
        const char *why =
            seen == all
                ? arena_printf(r->mem, "%lld membership%s this status: give %s another status first.", seen,
                               seen == 1 ? " has" : "s have", seen == 1 ? "it" : "them")
            : seen > 0
                ? arena_printf(r->mem,
                               "%lld membership%s you can see, and others you cannot see, %s this status: they "
                               "need another status first.",
                               seen, seen == 1 ? "" : "s", "have")
                : "Memberships you cannot see have this status: they need another status first.";
        return refuse_row(r, d, "delete", why);
    }
    if (!(s = db_stmt_get(d, SQL_DELETE)))
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_str(s, 1, st->code);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    detail_status(&r->detail, st->code, st, NULL);
    back(r, "deleted");
    return 303;
}
