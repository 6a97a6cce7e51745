/* activities: the activity pages and the one place for their rules.
 *
 * Who sees what (activities_visible_sql): an activity is seen by a user
 * who sees its contact (the row scope) and, for a campaign-limited user,
 * only when it has no campaign or one of theirs. Anything else answers 404,
 * like an activity that does not exist.
 *
 * Who may do what: logging needs activities.create, changing activities.edit,
 * deleting (soft) activities.delete, all on top of seeing the activity and
 * its contact. A task is ticked off (or back) by its assignee, who needs
 * only activities.view, or by anyone allowed activities.edit.
 *
 * Times: occurred_at is stored in UTC and entered and shown in the client's
 * zone (r->who.time_zone, clock.h); a task's due_on is a calendar date, and
 * "today" is the client's calendar day. */
#include "activities.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "campaign_status.h"
#include "campaigns.h"
#include "clock.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

#define TIMELINE_PAGE 20
#define MAX_PAGE 1000000
#define SUBJECT_MAX 200
#define OUTCOME_MAX 200
#define BODY_MAX 10000
/* Users offered as assignees (each is checked against the contact). */
#define ASSIGNEE_CHOICES 100
/* Rows of each group of "my follow-ups". */
#define FOLLOW_UPS_MAX 500
#define DONE_DAYS 14

static const struct {
    const char *code, *label;
} kinds[] = {
    {"call", "Call"}, {"meeting", "Meeting"}, {"letter", "Letter"},
    {"email", "Email"}, {"note", "Note"},     {"task", "Task"},
};

static const char *kind_label(const char *code)
{
    for (size_t i = 0; i < CT_ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].code, code) == 0)
            return kinds[i].label;
    return code;
}

static bool kind_known(const char *s)
{
    for (size_t i = 0; i < CT_ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].code, s) == 0)
            return true;
    return false;
}

/* ---- the visibility rule ---- */

void activities_campaign_limit_sql(buf *sql, const acl_scope *sc)
{
    if (!sc->all_campaigns) {
        /* "NULL OR (1 AND a.campaign_id IN (the user's campaigns))": the
         * campaign list is the one of acl.c. */
        buf_adds(sql, " AND (a.campaign_id IS NULL OR 1");
        acl_campaigns_sql(sql, sc, "a.campaign_id");
        buf_addc(sql, ')');
    }
}

int activities_campaign_limit_bind(db_stmt *s, int p, const acl_scope *sc)
{
    return acl_campaigns_bind(s, p, sc);
}

void activities_visible_sql(buf *sql, const acl_scope *sc)
{
    acl_scope_sql(sql, sc);
    buf_adds(sql, " AND c.live = 1 AND a.live = 1");
    activities_campaign_limit_sql(sql, sc);
}

int activities_visible_bind(db_stmt *s, int p, const acl_scope *sc)
{
    p = acl_scope_bind(s, p, sc);
    return activities_campaign_limit_bind(s, p, sc);
}

static const char SQL_FROM[] =
    " FROM activities a JOIN contacts c ON c.client_id = a.client_id AND c.id = a.contact_id";
#define SQL_CONTACT_NAME                                                                                        \
    "COALESCE(NULLIF(CONCAT_WS(' ', NULLIF(c.first_name, ''), NULLIF(c.last_name, ''), NULLIF(c.suffix, '')),"  \
    " ''), c.organisation)"
#define SQL_USER_NAME(u) "COALESCE(NULLIF(" u ".display_name, ''), " u ".username)"

/* ---- small helpers ---- */

/* The current UTC time as MariaDB writes a DATETIME. */
static void utc_now(char out[20])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* A UTC DATETIME as the client's local "YYYY-MM-DD HH:MM" (into the arena);
 * the UTC text itself if the zone cannot convert it. */
static const char *local_time(request *r, const char *utc)
{
    char out[17];
    if (!utc)
        return "";
    if (clock_utc_to_local(r->who.time_zone, utc, out) != 0)
        return arena_strndup(r->mem, utc, strlen(utc) > 16 ? 16 : strlen(utc));
    return arena_strdup(r->mem, out);
}

/* The same in the form a datetime-local field takes ("YYYY-MM-DDTHH:MM"). */
static const char *local_input(request *r, const char *utc)
{
    char *s = arena_strdup(r->mem, local_time(r, utc));
    if (strlen(s) == 16)
        s[10] = 'T';
    return s;
}

/* The client's calendar day today. */
static void today(request *r, char out[11])
{
    if (clock_day(r->who.time_zone, time(NULL), out) != 0)
        clock_day("UTC", time(NULL), out);
}

/* A positive id from text; 0 when absent, -1 when not a number. */
static long long parse_id(const char *s)
{
    int64_t v;
    if (!s || !*s)
        return 0;
    return parse_i64(s, strlen(s), 1, INT64_C(4294967295), &v) == 0 ? v : -1;
}

/* "name":{"old":..,"new":..} for a text field that differs (NULL is JSON
 * null; numeric writes the values as numbers). Returns 1 when written. */
static int add_change(buf *b, int n, const char *name, const char *old, const char *new, bool numeric)
{
    if ((old == NULL) == (new == NULL) && (!old || strcmp(old, new) == 0))
        return 0;
    if (n)
        buf_addc(b, ',');
    json_add_cstr(b, name);
    for (int k = 0; k < 2; k++) {
        const char *v = k ? new : old;
        buf_adds(b, k ? ",\"new\":" : ":{\"old\":");
        if (!v)
            buf_adds(b, "null");
        else if (numeric)
            buf_adds(b, v);
        else
            json_add_cstr(b, v);
    }
    buf_addc(b, '}');
    return 1;
}

/* ---- the contact ---- */

static const char SQL_CONTACT[] = "SELECT " SQL_CONTACT_NAME " FROM contacts c WHERE ";

/* The display name of a live contact in the user's scope (locked with
 * lock). Returns 1 with *name set (arena), 0 when not visible, or <0. */
static int contact_name(request *r, db *d, long long id, bool lock, const char **name)
{
    buf sql = {0};
    buf_adds(&sql, SQL_CONTACT);
    acl_scope_sql(&sql, &r->who.scope);
    buf_adds(&sql, lock ? " AND c.live = 1 AND c.id = ? FOR UPDATE" : " AND c.live = 1 AND c.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, acl_scope_bind(s, 0, &r->who.scope), id);
    int rc = db_run(s);
    if (rc != DB_OK || (rc = db_next(s)) <= 0)
        return rc;
    *name = db_text_dup(s, 0, r->mem);
    db_done(s);
    return 1;
}

/* ---- one activity ---- */

typedef struct activity {
    long long id, contact_id, user_id, campaign_id, assignee_id, follow_up_of;
    const char *kind, *occurred_at, *subject, *body, *outcome, *due_on, *done_at, *updated_at;
    const char *campaign_name, *contact_name;
} activity;

static const char SQL_ONE[] =
    "SELECT a.id, a.contact_id, a.kind, a.occurred_at, a.user_id, a.subject, a.body, a.outcome, a.campaign_id,"
    " a.due_on, a.assignee_id, a.done_at, a.follow_up_of, a.updated_at, g.name, " SQL_CONTACT_NAME
    " FROM activities a JOIN contacts c ON c.client_id = a.client_id AND c.id = a.contact_id"
    " LEFT JOIN campaigns g ON g.client_id = a.client_id AND g.id = a.campaign_id WHERE ";

/* Reads activity id if the user sees it (locked with lock). Returns 1, 0
 * when not visible (or not there), or a negative enum db_rc. */
static int read_activity(request *r, db *d, long long id, bool lock, activity *a)
{
    memset(a, 0, sizeof *a);
    buf sql = {0};
    buf_adds(&sql, SQL_ONE);
    activities_visible_sql(&sql, &r->who.scope);
    buf_adds(&sql, lock ? " AND a.id = ? FOR UPDATE" : " AND a.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, activities_visible_bind(s, 0, &r->who.scope), id);
    int rc = db_run(s);
    if (rc != DB_OK || (rc = db_next(s)) <= 0)
        return rc;
    a->id = db_int(s, 0);
    a->contact_id = db_int(s, 1);
    a->kind = db_text_dup(s, 2, r->mem);
    a->occurred_at = db_text_dup(s, 3, r->mem);
    a->user_id = db_int(s, 4);
    a->subject = db_text_dup(s, 5, r->mem);
    a->body = db_text_dup(s, 6, r->mem);
    a->outcome = db_text_dup(s, 7, r->mem);
    a->campaign_id = db_int(s, 8);
    a->due_on = db_is_null(s, 9) ? NULL : db_text_dup(s, 9, r->mem);
    a->assignee_id = db_int(s, 10);
    a->done_at = db_is_null(s, 11) ? NULL : db_text_dup(s, 11, r->mem);
    a->follow_up_of = db_int(s, 12);
    a->updated_at = db_text_dup(s, 13, r->mem);
    a->campaign_name = db_is_null(s, 14) ? NULL : db_text_dup(s, 14, r->mem);
    a->contact_name = db_text_dup(s, 15, r->mem);
    db_done(s);
    return 1;
}

/* The audit object of a request about activity id of contact_id: the
 * activity, and the contact in its history. */
static void audit_object(request *r, long long id, long long contact_id)
{
    r->object_type = "activity";
    r->object_id = id;
    if (contact_id)
        request_touch(r, contact_id);
}

/* ---- the form's choices ---- */

/* The campaigns an activity of this contact may name: visible to the
 * user, with the contact (in scope) a member. */
static const char SQL_CAMPAIGNS[] =
    "SELECT g.id, g.name, g.archived_at, m.status, s.stage FROM contact_campaigns m"
    " JOIN campaigns g ON g.client_id = m.client_id AND g.id = m.campaign_id"
    " JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id"
    " LEFT JOIN campaign_statuses s ON s.client_id = m.client_id AND s.code = m.status WHERE ";

/* Puts the active campaigns of the contact as ActivityChoices.Campaigns.N
 * when put; with want, looks for campaign want instead: returns 1 when it
 * is one (2 when archived), 0 when not. *targeted is set when some member
 * is at a status of stage targeted. Otherwise an enum db_rc. */
static int campaign_choices(request *r, db *d, long long contact_id, long long want, bool *targeted)
{
    const acl_scope *sc = &r->who.scope;
    buf sql = {0};
    buf_adds(&sql, SQL_CAMPAIGNS);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, " AND c.live = 1 AND c.id = ?");
    acl_campaigns_sql(&sql, sc, "g.id");
    buf_adds(&sql, " ORDER BY g.name, g.id");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = acl_scope_bind(s, 0, sc);
    db_bind_int(s, p++, contact_id);
    acl_campaigns_bind(s, p, sc);
    int rc = db_run(s), found = 0, i = 0;
    if (targeted)
        *targeted = false;
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        rc = DB_OK;
        long long id = db_int(s, 0);
        bool archived = !db_is_null(s, 2);
        if (want) {
            if (id == want)
                found = archived ? 2 : 1;
            continue;
        }
        if (archived)
            continue;
        page_set(r->pg, db_text(s, 0, NULL), "ActivityChoices.Campaigns.%d.id", i);
        page_set(r->pg, db_text(s, 1, NULL), "ActivityChoices.Campaigns.%d.name", i);
        page_set(r->pg, db_text(s, 3, NULL), "ActivityChoices.Campaigns.%d.status", i);
        const char *stage = db_text(s, 4, NULL);
        if (targeted && stage && strcmp(stage, "targeted") == 0)
            *targeted = true;
        i++;
    }
    if (rc < 0)
        return rc;
    return want ? found : DB_OK;
}

/* ActivityChoices.Statuses.N.{code,label,...}: the client's statuses
 * (campaign_status.h); *contacted gets the code of the first status of
 * stage contacted (arena; NULL when none). With want, only checks that it
 * is one (returns 1 or 0). Otherwise an enum db_rc. */
static int status_choices(request *r, db *d, const char *want, const char **contacted)
{
    campaign_status_list l;
    int rc = campaign_status_load(d, r->mem, r->who.client_id, &l);
    if (rc != DB_OK)
        return rc;
    if (want)
        return campaign_status_find(&l, want, strlen(want)) != NULL;
    campaign_status_put(r, &l, "ActivityChoices.Statuses");
    if (contacted) {
        *contacted = NULL;
        for (size_t i = 0; i < l.n && !*contacted; i++)
            if (strcmp(l.v[i].stage, "contacted") == 0)
                *contacted = l.v[i].code;
    }
    return DB_OK;
}

/* The users who may be given a task: active, of the client, allowed to see
 * activities. Each is then checked against the contact. */
static const char SQL_ASSIGNEES[] =
    "SELECT u.id, " SQL_USER_NAME("u") ", u.all_regions, u.all_campaigns FROM users u"
    " WHERE u.client_id = ? AND u.status = 'active' AND EXISTS (SELECT 1 FROM user_type_functions f"
    " WHERE f.client_id = u.client_id AND f.user_type_id = u.user_type_id AND f.function_name = 'activities.view')";

static const char SQL_SEES[] = "SELECT c.id FROM contacts c WHERE ";

/* 1 when the scope sc sees the live contact (and, campaign_id given, may
 * see an activity of that campaign), 0 if not, or <0. */
static int scope_sees(db *d, const acl_scope *sc, long long contact_id, long long campaign_id)
{
    buf sql = {0};
    buf_adds(&sql, SQL_SEES);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, " AND c.live = 1 AND c.id = ?");
    if (campaign_id)
        acl_campaigns_sql(&sql, sc, "?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = acl_scope_bind(s, 0, sc);
    db_bind_int(s, p++, contact_id);
    if (campaign_id && !sc->all_campaigns) {
        db_bind_int(s, p++, campaign_id);
        acl_campaigns_bind(s, p, sc);
    }
    long long found = 0;
    int rc = db_one_int(s, &found);
    return rc < 0 ? rc : found != 0;
}

/* Puts ActivityChoices.Assignees.N.{id,name} (the users who see the
 * contact) with want 0; with want, checks that user instead (also against
 * campaign_id): 1 when they may be given the task, 0 if not. Otherwise an
 * enum db_rc. */
static int assignee_choices(request *r, db *d, long long contact_id, long long want, long long campaign_id)
{
    buf sql = {0};
    buf_adds(&sql, SQL_ASSIGNEES);
    buf_adds(&sql, want ? " AND u.id = ?" : " ORDER BY u.id = ? DESC, 2, u.id LIMIT " );
    if (!want)
        buf_printf(&sql, "%d", ASSIGNEE_CHOICES);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, want ? want : r->who.user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    /* Read them all first: scope_sees runs statements of its own. */
    size_t n = 0, cap = 0;
    struct cand {
        long long id;
        const char *name;
        bool all_regions, all_campaigns;
    } *c = NULL;
    while ((rc = db_next(s)) == 1) {
        c = arena_grow(r->mem, c, &cap, n, sizeof *c);
        c[n].id = db_int(s, 0);
        c[n].name = db_text_dup(s, 1, r->mem);
        c[n].all_regions = db_int(s, 2) != 0;
        c[n].all_campaigns = db_int(s, 3) != 0;
        n++;
    }
    if (rc < 0)
        return rc;
    int shown = 0;
    for (size_t i = 0; i < n; i++) {
        acl_scope sc = {.client_id = r->who.client_id, .user_id = c[i].id, .all_regions = c[i].all_regions,
                        .all_campaigns = c[i].all_campaigns};
        rc = scope_sees(d, &sc, contact_id, campaign_id);
        if (rc < 0)
            return rc;
        if (want)
            return rc;
        if (!rc)
            continue;
        page_set_int(r->pg, c[i].id, "ActivityChoices.Assignees.%d.id", shown);
        page_set(r->pg, c[i].name, "ActivityChoices.Assignees.%d.name", shown);
        shown++;
    }
    return want ? 0 : DB_OK;
}

/* The kinds a form offers: every kind for a new activity; a task stays a
 * task, and another activity stays one of the others. */
enum kinds_offered { KINDS_ALL, KINDS_TASK, KINDS_NOT_TASK };

static void put_kinds(request *r, enum kinds_offered which)
{
    int k = 0;
    for (size_t i = 0; i < CT_ARRAY_LEN(kinds); i++) {
        bool task = strcmp(kinds[i].code, "task") == 0;
        if ((which == KINDS_TASK && !task) || (which == KINDS_NOT_TASK && task))
            continue;
        page_set(r->pg, kinds[i].code, "ActivityChoices.Kinds.%d.code", k);
        page_set(r->pg, kinds[i].label, "ActivityChoices.Kinds.%d.label", k);
        k++;
    }
}

/* Every choice of the form for contact_id; a new activity's form also gets
 * the status choices and the defaults (when defaults). */
static int put_choices(request *r, db *d, long long contact_id, bool is_new, enum kinds_offered which,
                       bool defaults)
{
    bool targeted = false;
    const char *contacted = NULL;
    int rc;
    put_kinds(r, which);
    if ((rc = campaign_choices(r, d, contact_id, 0, &targeted)) != DB_OK)
        return rc;
    if (is_new && (rc = status_choices(r, d, NULL, &contacted)) != DB_OK)
        return rc;
    if ((rc = assignee_choices(r, d, contact_id, 0, 0)) != DB_OK)
        return rc;
    page_set(r->pg, r->who.time_zone, "ActivityForm.zone");
    if (defaults) {
        char now[20];
        utc_now(now);
        page_set(r->pg, local_input(r, now), "ActivityForm.occurred_at");
        page_set(r->pg, "call", "ActivityForm.kind");
        page_set_int(r->pg, r->who.user_id, "ActivityForm.assignee_id");
        if (targeted && contacted)
            page_set(r->pg, contacted, "ActivityForm.campaign_status");
    }
    return DB_OK;
}

/* ---- reading the form ---- */

typedef struct form {
    const char *kind;
    const char *occurred_at; /* as typed */
    char occurred_utc[20];
    const char *subject, *body, *outcome;
    const char *campaign_raw, *status, *follow_up_on, *assignee_raw;
    long long campaign_id, assignee_id;
} form;

/* A form field, or "" (never NULL); text that is not UTF-8 is dropped. */
static const char *field(request *r, const char *name)
{
    size_t n = 0;
    const char *v = params_getn(&r->form, name, &n);
    if (!v || !utf8_valid(v, n) || memchr(v, '\0', n))
        return "";
    return v;
}

static void error(request *r, const char *name, const char *msg)
{
    page_set(r->pg, msg, "ActivityErrors.%s", name);
}

/* Reads and checks the form for an activity of contact_id: a new one
 * (old NULL) or a change of old. Sets ActivityErrors.* and ActivityForm.*
 * (the user's values, to show again). Returns the number of bad fields, or
 * a negative enum db_rc. */
static int read_form(request *r, db *d, long long contact_id, const activity *old, form *f)
{
    memset(f, 0, sizeof *f);
    int bad = 0, rc;
    static const char *names[] = {"kind", "occurred_at", "subject", "body", "outcome", "campaign_id",
                                  "campaign_status", "follow_up_on", "assignee_id"};
    for (size_t i = 0; i < CT_ARRAY_LEN(names); i++)
        page_set(r->pg, field(r, names[i]), "ActivityForm.%s", names[i]);
    page_set(r->pg, "1", "ActivityForm.given");

    f->kind = field(r, "kind");
    bool task = old ? strcmp(old->kind, "task") == 0 : strcmp(f->kind, "task") == 0;
    if (old && task) {
        f->kind = "task"; /* a task stays a task: its date and assignee belong to it */
    } else if (!kind_known(f->kind) || (old && strcmp(f->kind, "task") == 0)) {
        error(r, "kind", old ? "must be a call, meeting, letter, email or note"
                             : "must be a call, meeting, letter, email, note or task");
        bad++;
        f->kind = old ? old->kind : "note";
    }
    page_set(r->pg, f->kind, "ActivityForm.kind");

    f->occurred_at = field(r, "occurred_at");
    size_t n = strlen(f->occurred_at);
    char probe[20];
    if (n == 0 && !old) {
        utc_now(f->occurred_utc);
    } else if (n == 0) {
        error(r, "occurred_at", "is needed: the date and time it happened");
        bad++;
    } else if (clock_local_to_utc(r->who.time_zone, f->occurred_at, n, f->occurred_utc) != 0) {
        /* A wall time that reads in UTC but not in the zone was skipped by
         * the change to summer time, or (on the last day of 9999) is after
         * 9999 in UTC. */
        if (clock_local_to_utc("UTC", f->occurred_at, n, probe) == 0 && strncmp(probe, "9999-12-31", 10) == 0)
            error(r, "occurred_at", "is too late: give a time before 9999-12-31");
        else if (clock_local_to_utc("UTC", f->occurred_at, n, probe) == 0)
            error(r, "occurred_at",
                  arena_printf(r->mem, "does not exist in %s: the clocks skipped that time (summer time)",
                               r->who.time_zone));
        else
            error(r, "occurred_at", "must be a date and time, YYYY-MM-DD HH:MM");
        bad++;
    }

    static const struct {
        const char *name;
        size_t max;
        bool multiline;
    } texts[] = {{"subject", SUBJECT_MAX, false}, {"body", BODY_MAX, true}, {"outcome", OUTCOME_MAX, false}};
    const char **dst[] = {&f->subject, &f->body, &f->outcome};
    for (size_t i = 0; i < CT_ARRAY_LEN(texts); i++) {
        size_t len = 0;
        const char *v = params_getn(&r->form, texts[i].name, &len);
        if (!v)
            v = "";
        enum valid_rc vr = valid_text(v, len, texts[i].max, texts[i].multiline);
        if (vr != VALID_OK) {
            error(r, texts[i].name, valid_message(vr, texts[i].max));
            bad++;
            v = "";
        }
        *dst[i] = v;
    }
    if (!*f->subject && !*f->body && !page_get(r->pg, "ActivityErrors.subject") &&
        !page_get(r->pg, "ActivityErrors.body")) {
        error(r, "subject", "is needed: give a subject or a text");
        bad++;
    }

    f->campaign_raw = field(r, "campaign_id");
    f->campaign_id = parse_id(f->campaign_raw);
    if (f->campaign_id < 0) {
        error(r, "campaign_id", "is not one of the campaigns offered");
        bad++;
        f->campaign_id = 0;
    } else if (f->campaign_id && !(old && old->campaign_id == f->campaign_id)) {
        if ((rc = campaign_choices(r, d, contact_id, f->campaign_id, NULL)) < 0)
            return rc;
        if (rc != 1) {
            error(r, "campaign_id", rc == 2 ? "is archived: choose an active campaign"
                                            : "is not a campaign of yours this contact is in");
            bad++;
            f->campaign_id = 0;
        }
    }

    f->status = field(r, "campaign_status");
    if (old || !f->campaign_id)
        f->status = ""; /* a status moves with a campaign, when logging */
    if (*f->status) {
        if ((rc = status_choices(r, d, f->status, NULL)) < 0)
            return rc;
        if (rc == 0) {
            error(r, "campaign_status", "is not one of the statuses offered");
            bad++;
            f->status = "";
        }
    }

    f->follow_up_on = field(r, "follow_up_on");
    f->assignee_raw = field(r, "assignee_id");
    if (!task && old)
        f->follow_up_on = ""; /* a follow-up is made when logging; it is its own task afterwards */
    if (*f->follow_up_on && !clock_date_valid(f->follow_up_on, strlen(f->follow_up_on))) {
        error(r, "follow_up_on", "must be a date, YYYY-MM-DD");
        bad++;
    } else if (!*f->follow_up_on && task) {
        error(r, "follow_up_on", "is needed: the day the task is due");
        bad++;
    }
    if (*f->follow_up_on || task) {
        f->assignee_id = parse_id(f->assignee_raw);
        if (f->assignee_id == 0)
            f->assignee_id = r->who.user_id;
        if (f->assignee_id < 0) {
            rc = 0;
        } else if ((rc = assignee_choices(r, d, contact_id, f->assignee_id, f->campaign_id)) < 0) {
            return rc;
        }
        if (rc == 0) {
            error(r, "assignee_id",
                  f->campaign_id ? "cannot see this contact and campaign: choose someone who can"
                                 : "cannot see this contact: choose someone who can");
            bad++;
        }
    }
    return bad;
}

/* ---- the form page (a failed log, or a change) ---- */

static int show_form(request *r, db *d, long long contact_id, const char *contact, const activity *a, int status)
{
    bool task = a && strcmp(a->kind, "task") == 0;
    int rc = put_choices(r, d, contact_id, !a, !a ? KINDS_ALL : task ? KINDS_TASK : KINDS_NOT_TASK, false);
    if (rc != DB_OK)
        return rc;
    page_set_int(r->pg, contact_id, "Contact.id");
    page_set(r->pg, contact, "Contact.display_name");
    if (a) {
        page_set_int(r->pg, a->id, "ActivityForm.id");
        page_set(r->pg, task ? "1" : "0", "ActivityForm.task");
        page_set(r->pg, a->updated_at, "ActivityForm.version");
        page_set(r->pg, "Edit activity", "Page.Title");
    } else {
        page_set(r->pg, "Log an activity", "Page.Title");
    }
    if (status == 422)
        page_set(r->pg, "The activity was not saved. Please correct the fields marked below.",
                 "ActivityForm.Error");
    r->template_name = "activity_form.cs";
    return status;
}

/* ---- log ---- */

static const char SQL_INSERT[] =
    "INSERT INTO activities (client_id, contact_id, kind, occurred_at, user_id, subject, body, outcome,"
    " campaign_id, due_on, assignee_id, follow_up_of, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";

static int insert(request *r, db *d, long long contact_id, const char *kind, const char *when, const form *f,
                  const char *subject, const char *due_on, long long follow_up_of, long long *id)
{
    db_stmt *s = db_stmt_get(d, SQL_INSERT);
    if (!s)
        return DB_ERR;
    bool task = strcmp(kind, "task") == 0;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, contact_id);
    db_bind_str(s, 2, kind);
    db_bind_str(s, 3, when);
    db_bind_int(s, 4, r->who.user_id);
    db_bind_str(s, 5, subject);
    db_bind_str(s, 6, follow_up_of ? "" : f->body);
    db_bind_str(s, 7, follow_up_of ? "" : f->outcome);
    if (f->campaign_id)
        db_bind_int(s, 8, f->campaign_id);
    else
        db_bind_null(s, 8);
    db_bind_str(s, 9, task ? due_on : NULL);
    if (task)
        db_bind_int(s, 10, f->assignee_id);
    else
        db_bind_null(s, 10);
    if (follow_up_of)
        db_bind_int(s, 11, follow_up_of);
    else
        db_bind_null(s, 11);
    int rc = db_run(s);
    if (rc == DB_OK)
        *id = (long long)db_insert_id(s);
    return rc;
}

int activities_create(request *r, db *d)
{
    long long contact_id = r->path_id;
    const char *contact = NULL;
    int rc = contact_name(r, d, contact_id, true, &contact);
    audit_object(r, 0, rc == 1 ? contact_id : 0);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    form f;
    int bad = read_form(r, d, contact_id, NULL, &f);
    if (bad < 0)
        return bad;
    if (bad)
        return show_form(r, d, contact_id, contact, NULL, 422);
    bool task = strcmp(f.kind, "task") == 0;
    long long id, follow_id = 0;
    if ((rc = insert(r, d, contact_id, f.kind, f.occurred_utc, &f, f.subject, f.follow_up_on, 0, &id)) != DB_OK)
        return rc;
    r->object_id = id;
    buf_printf(&r->detail, "{\"contact\":%lld,\"changes\":{", contact_id);
    int n = 0;
    char num[24];
    n += add_change(&r->detail, n, "kind", NULL, f.kind, false);
    n += add_change(&r->detail, n, "occurred_at", NULL, f.occurred_utc, false);
    if (*f.subject)
        n += add_change(&r->detail, n, "subject", NULL, f.subject, false);
    if (*f.body)
        n += add_change(&r->detail, n, "body", NULL, f.body, false);
    if (*f.outcome)
        n += add_change(&r->detail, n, "outcome", NULL, f.outcome, false);
    if (f.campaign_id) {
        snprintf(num, sizeof num, "%lld", f.campaign_id);
        n += add_change(&r->detail, n, "campaign_id", NULL, num, true);
    }
    if (task) {
        n += add_change(&r->detail, n, "due_on", NULL, f.follow_up_on, false);
        snprintf(num, sizeof num, "%lld", f.assignee_id);
        n += add_change(&r->detail, n, "assignee_id", NULL, num, true);
    }
    buf_addc(&r->detail, '}');
    if (!task && *f.follow_up_on) {
        /* The follow-up: a task of its own, logged now, pointing back. */
        char now[20];
        utc_now(now);
        const char *subject =
            arena_printf(r->mem, "Follow up: %s", *f.subject ? f.subject : kind_label(f.kind));
        size_t sl = strlen(subject);
        if (utf8_chars(subject, sl) > SUBJECT_MAX)
            subject = arena_strndup(r->mem, subject, utf8_prefix(subject, sl, SUBJECT_MAX));
        if ((rc = insert(r, d, contact_id, "task", now, &f, subject, f.follow_up_on, id, &follow_id)) != DB_OK)
            return rc;
        buf_printf(&r->detail, ",\"follow_up\":{\"id\":%lld,\"due_on\":\"%s\",\"assignee_id\":%lld}", follow_id,
                   f.follow_up_on, f.assignee_id);
    }
    const char *done = "logged";
    if (f.campaign_id && *f.status) {
        const char *old;
        rc = campaigns_advance(r, d, contact_id, f.campaign_id, f.status, &old);
        if (rc < 0)
            return rc;
        if (rc == CAMPAIGN_ADVANCE_MOVED)
            done = "moved";
        else if (rc == CAMPAIGN_ADVANCE_BACKWARD)
            done = "kept";
        /* INVALID: the campaign was archived or left since the check,
         * inside this transaction impossible but harmless: no move. */
    }
    buf_addc(&r->detail, '}');
    http_redirect(r, arena_printf(r->mem, "/contacts/%lld?activity=%s#activities", contact_id, done));
    return 303;
}

/* ---- change ---- */

/* The path's activity, for a change: visible, its audit object set.
 * Returns 1, 404, or a negative enum db_rc. */
static int path_activity(request *r, db *d, bool lock, activity *a)
{
    int rc = read_activity(r, d, r->path_id, lock, a);
    audit_object(r, r->path_id, rc == 1 ? a->contact_id : 0);
    if (rc < 0)
        return rc;
    return rc == 1 ? 1 : 404;
}

/* Fills ActivityForm.* from a stored activity. */
static void put_activity_form(request *r, const activity *a)
{
    page_set(r->pg, a->kind, "ActivityForm.kind");
    page_set(r->pg, local_input(r, a->occurred_at), "ActivityForm.occurred_at");
    page_set(r->pg, a->subject, "ActivityForm.subject");
    page_set(r->pg, a->body, "ActivityForm.body");
    page_set(r->pg, a->outcome, "ActivityForm.outcome");
    if (a->campaign_id)
        page_set_int(r->pg, a->campaign_id, "ActivityForm.campaign_id");
    page_set(r->pg, a->due_on, "ActivityForm.follow_up_on");
    if (a->assignee_id)
        page_set_int(r->pg, a->assignee_id, "ActivityForm.assignee_id");
}

/* The campaign of a stored activity stays offered while editing it even
 * when archived since (it cannot be chosen anew). */
static void keep_old_campaign(request *r, const activity *a)
{
    if (a->campaign_id && a->campaign_name) {
        page_set_int(r->pg, a->campaign_id, "ActivityChoices.Current.id");
        page_set(r->pg, a->campaign_name, "ActivityChoices.Current.name");
    }
}

int activities_edit(request *r, db *d)
{
    activity a;
    int rc = path_activity(r, d, false, &a);
    if (rc != 1)
        return rc;
    put_activity_form(r, &a);
    keep_old_campaign(r, &a);
    return show_form(r, d, a.contact_id, a.contact_name, &a, 200);
}

static const char SQL_UPDATE[] =
    "UPDATE activities SET kind = ?, occurred_at = ?, subject = ?, body = ?, outcome = ?, campaign_id = ?,"
    " due_on = ?, assignee_id = ?, updated_at = UTC_TIMESTAMP(6) WHERE client_id = ? AND id = ?";

int activities_update(request *r, db *d)
{
    activity a;
    int rc = path_activity(r, d, true, &a);
    if (rc != 1)
        return rc;
    form f;
    int bad = read_form(r, d, a.contact_id, &a, &f);
    if (bad < 0)
        return bad;
    keep_old_campaign(r, &a);
    const char *version = params_get(&r->form, "version");
    if (bad)
        return show_form(r, d, a.contact_id, a.contact_name, &a, 422);
    if (!version || strcmp(version, a.updated_at) != 0) {
        page_set(r->pg,
                 "Someone else changed this activity after you opened it. Your changes are below and were not "
                 "saved; saving again will overwrite the other change.",
                 "ActivityForm.Error");
        return show_form(r, d, a.contact_id, a.contact_name, &a, 409);
    }
    bool task = strcmp(a.kind, "task") == 0;
    char oc[24] = "", nc[24] = "", oa[24] = "", na[24] = "";
    if (a.campaign_id)
        snprintf(oc, sizeof oc, "%lld", a.campaign_id);
    if (f.campaign_id)
        snprintf(nc, sizeof nc, "%lld", f.campaign_id);
    if (a.assignee_id)
        snprintf(oa, sizeof oa, "%lld", a.assignee_id);
    if (task)
        snprintf(na, sizeof na, "%lld", f.assignee_id);
    /* Compared as stored: seconds of the old time are kept when the
     * minute shown was not changed. */
    const char *when = f.occurred_utc;
    if (strncmp(a.occurred_at, f.occurred_utc, 16) == 0 && strcmp(local_input(r, a.occurred_at), f.occurred_at) == 0)
        when = arena_strndup(r->mem, a.occurred_at, 19);
    else if (strncmp(a.occurred_at, f.occurred_utc, 19) == 0)
        when = arena_strndup(r->mem, a.occurred_at, 19);
    buf changes = {0};
    int n = 0;
    n += add_change(&changes, n, "kind", a.kind, f.kind, false);
    n += add_change(&changes, n, "occurred_at", arena_strndup(r->mem, a.occurred_at, 19), when, false);
    n += add_change(&changes, n, "subject", a.subject, f.subject, false);
    n += add_change(&changes, n, "body", a.body, f.body, false);
    n += add_change(&changes, n, "outcome", a.outcome, f.outcome, false);
    n += add_change(&changes, n, "campaign_id", *oc ? oc : NULL, *nc ? nc : NULL, true);
    if (task) {
        n += add_change(&changes, n, "due_on", a.due_on, f.follow_up_on, false);
        n += add_change(&changes, n, "assignee_id", *oa ? oa : NULL, na, true);
    }
    if (n) {
        db_stmt *s = db_stmt_get(d, SQL_UPDATE);
        if (!s) {
            buf_free(&changes);
            return DB_ERR;
        }
        db_bind_str(s, 0, f.kind);
        db_bind_str(s, 1, when);
        db_bind_str(s, 2, f.subject);
        db_bind_str(s, 3, f.body);
        db_bind_str(s, 4, f.outcome);
        if (f.campaign_id)
            db_bind_int(s, 5, f.campaign_id);
        else
            db_bind_null(s, 5);
        db_bind_str(s, 6, task ? f.follow_up_on : NULL);
        if (task)
            db_bind_int(s, 7, f.assignee_id);
        else
            db_bind_null(s, 7);
        db_bind_int(s, 8, r->who.client_id);
        db_bind_int(s, 9, a.id);
        if ((rc = db_run(s)) != DB_OK) {
            buf_free(&changes);
            return rc;
        }
    }
    buf_printf(&r->detail, "{\"contact\":%lld,\"changes\":{", a.contact_id);
    buf_add(&r->detail, buf_str(&changes), changes.len);
    buf_adds(&r->detail, "}}");
    buf_free(&changes);
    http_redirect(r, arena_printf(r->mem, "/contacts/%lld?activity=updated#activity-%lld", a.contact_id, a.id));
    return 303;
}

static const char SQL_DELETE[] =
    "UPDATE activities SET deleted_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND deleted_at IS NULL";

int activities_delete(request *r, db *d)
{
    activity a;
    int rc = path_activity(r, d, true, &a);
    if (rc != 1)
        return rc;
    db_stmt *s = db_stmt_get(d, SQL_DELETE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, a.id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    buf_printf(&r->detail, "{\"contact\":%lld,\"kind\":\"%s\",\"deleted\":true}", a.contact_id, a.kind);
    http_redirect(r, arena_printf(r->mem, "/contacts/%lld?activity=deleted#activities", a.contact_id));
    return 303;
}

/* ---- done and undone ---- */

static const char SQL_DONE[] =
    "UPDATE activities SET done_at = UTC_TIMESTAMP(6), done_by = ?, updated_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND done_at IS NULL";
static const char SQL_UNDONE[] =
    "UPDATE activities SET done_at = NULL, done_by = NULL, updated_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND done_at IS NOT NULL";

static int set_done(request *r, db *d, bool done)
{
    activity a;
    int rc = path_activity(r, d, true, &a);
    if (rc != 1)
        return rc;
    if (strcmp(a.kind, "task") != 0) {
        r->error_message = "Only a task is done or not done.";
        return 422;
    }
    if (a.assignee_id != r->who.user_id && !acl_allows(r->who.functions, "activities.edit")) {
        r->error_message = "Only the task's assignee, or someone allowed to change activities, ticks it off.";
        return 403;
    }
    db_stmt *s = db_stmt_get(d, done ? SQL_DONE : SQL_UNDONE);
    if (!s)
        return DB_ERR;
    int p = 0;
    if (done)
        db_bind_int(s, p++, r->who.user_id);
    db_bind_int(s, p++, r->who.client_id);
    db_bind_int(s, p, a.id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    bool changed = db_affected(s) == 1;
    buf_printf(&r->detail, "{\"contact\":%lld,\"changes\":{", a.contact_id);
    if (changed)
        buf_printf(&r->detail, "\"done\":{\"old\":%s,\"new\":%s}", done ? "false" : "true", done ? "true" : "false");
    buf_adds(&r->detail, "}}");
    const char *back = params_get(&r->form, "back");
    if (back && strcmp(back, "follow-ups") == 0)
        http_redirect(r, done ? "/follow-ups?done=1" : "/follow-ups?undone=1");
    else
        http_redirect(r, arena_printf(r->mem, "/contacts/%lld?activity=%s#follow-ups", a.contact_id,
                                      done ? "done" : "undone"));
    return 303;
}

int activities_done(request *r, db *d)
{
    return set_done(r, d, true);
}

int activities_undone(request *r, db *d)
{
    return set_done(r, d, false);
}

/* ---- the contact's panels ---- */

static const char SQL_COUNT[] = "SELECT COUNT(*)";
static const char SQL_TIMELINE[] =
    "SELECT a.id, a.kind, a.occurred_at, " SQL_USER_NAME("u") ", a.subject, a.body, a.outcome, g.name,"
    " a.due_on, " SQL_USER_NAME("v") ", a.done_at, a.follow_up_of, a.assignee_id, a.user_id"
    " FROM activities a JOIN contacts c ON c.client_id = a.client_id AND c.id = a.contact_id"
    " JOIN users u ON u.client_id = a.client_id AND u.id = a.user_id"
    " LEFT JOIN users v ON v.client_id = a.client_id AND v.id = a.assignee_id"
    " LEFT JOIN campaigns g ON g.client_id = a.client_id AND g.id = a.campaign_id WHERE ";

/* Whether the user may tick task a off: its assignee, or activities.edit. */
static bool may_tick(request *r, long long assignee_id)
{
    return assignee_id == r->who.user_id || acl_allows(r->who.functions, "activities.edit");
}

/* Puts the rows of s (SQL_TIMELINE's columns) under prefix.N. */
static int put_rows(request *r, db_stmt *s, const char *prefix, const char *day, int *count)
{
    int rc, i = 0;
    while ((rc = db_next(s)) == 1) {
        page_set(r->pg, db_text(s, 0, NULL), "%s.%d.id", prefix, i);
        const char *kind = db_text(s, 1, NULL);
        page_set(r->pg, kind, "%s.%d.kind", prefix, i);
        page_set(r->pg, kind_label(kind), "%s.%d.kind_label", prefix, i);
        page_set(r->pg, local_time(r, db_text(s, 2, NULL)), "%s.%d.when", prefix, i);
        page_set(r->pg, db_text(s, 3, NULL), "%s.%d.user", prefix, i);
        page_set(r->pg, db_text(s, 4, NULL), "%s.%d.subject", prefix, i);
        page_set(r->pg, db_text(s, 5, NULL), "%s.%d.body", prefix, i);
        page_set(r->pg, db_text(s, 6, NULL), "%s.%d.outcome", prefix, i);
        page_set(r->pg, db_text(s, 7, NULL), "%s.%d.campaign", prefix, i);
        const char *due = db_text(s, 8, NULL);
        page_set(r->pg, due, "%s.%d.due_on", prefix, i);
        if (due && db_is_null(s, 10) && strcmp(due, day) < 0)
            page_set(r->pg, "1", "%s.%d.overdue", prefix, i);
        page_set(r->pg, db_text(s, 9, NULL), "%s.%d.assignee", prefix, i);
        if (!db_is_null(s, 10))
            page_set(r->pg, local_time(r, db_text(s, 10, NULL)), "%s.%d.done_at", prefix, i);
        page_set(r->pg, db_text(s, 11, NULL), "%s.%d.follow_up_of", prefix, i);
        if (strcmp(kind, "task") == 0 && may_tick(r, db_int(s, 12)))
            page_set(r->pg, "1", "%s.%d.can_tick", prefix, i);
        i++;
    }
    *count = i;
    return rc < 0 ? rc : DB_OK;
}

static const struct {
    const char *code, *text;
} flashes[] = {
    {"logged", "The activity was logged."},
    {"moved", "The activity was logged and the campaign status moved forward."},
    {"kept", "The activity was logged. The campaign status was not changed: the status chosen comes before the "
             "member's current one, and a status only moves forward."},
    {"updated", "The activity was saved."},
    {"deleted", "The activity was deleted."},
    {"done", "The task is done."},
    {"undone", "The task is open again."},
};

int activities_contact_panel(request *r, db *d, long long contact_id)
{
    if (!acl_allows(r->who.functions, "activities.view"))
        return DB_OK;
    const acl_scope *sc = &r->who.scope;
    const char *pg = params_get(&r->qs, "activities_page");
    int64_t pageno = 1;
    if (pg && *pg && parse_i64(pg, strlen(pg), 1, MAX_PAGE, &pageno) != 0)
        pageno = 1;
    buf sql = {0};
    buf_adds(&sql, SQL_COUNT);
    buf_adds(&sql, SQL_FROM);
    buf_adds(&sql, " WHERE ");
    activities_visible_sql(&sql, sc);
    buf_adds(&sql, " AND a.contact_id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    db_bind_int(s, activities_visible_bind(s, 0, sc), contact_id);
    long long total = 0;
    int rc = db_one_int(s, &total);
    if (rc != DB_OK) {
        buf_free(&sql);
        return rc;
    }
    long long pages = total ? (total + TIMELINE_PAGE - 1) / TIMELINE_PAGE : 1;
    if (pageno > pages)
        pageno = pages;
    int rows = 0;
    char day[11];
    today(r, day);
    for (int q = 0; q < 2; q++) {
        buf_reset(&sql);
        buf_adds(&sql, SQL_TIMELINE);
        activities_visible_sql(&sql, sc);
        buf_adds(&sql, q == 0 ? " AND a.contact_id = ? ORDER BY a.occurred_at DESC, a.id DESC LIMIT ? OFFSET ?"
                              : " AND a.contact_id = ? AND a.open_task = 1 ORDER BY a.due_on, a.id LIMIT 200");
        s = db_stmt_get(d, buf_str(&sql));
        if (!s) {
            buf_free(&sql);
            return DB_ERR;
        }
        int p = activities_visible_bind(s, 0, sc);
        db_bind_int(s, p++, contact_id);
        if (q == 0) {
            db_bind_int(s, p++, TIMELINE_PAGE);
            db_bind_int(s, p, (pageno - 1) * TIMELINE_PAGE);
        }
        int n = 0;
        if ((rc = db_run(s)) != DB_OK || (rc = put_rows(r, s, q == 0 ? "Activities" : "OpenFollowUps", day, &n)) != DB_OK) {
            buf_free(&sql);
            return rc;
        }
        if (q == 0)
            rows = n;
    }
    buf_free(&sql);
    page_set(r->pg, day, "ActivityList.Today");
    page_set_int(r->pg, total, "ActivityList.Total");
    page_set_int(r->pg, pageno, "ActivityList.Page");
    page_set_int(r->pg, pages, "ActivityList.Pages");
    page_set_int(r->pg, (pageno - 1) * TIMELINE_PAGE + (rows ? 1 : 0), "ActivityList.From");
    page_set_int(r->pg, (pageno - 1) * TIMELINE_PAGE + rows, "ActivityList.To");
    page_set(r->pg, r->who.time_zone, "ActivityList.Zone");
    page_set(r->pg, "1", "ActivityPanel");
    const char *done = params_get(&r->qs, "activity");
    for (size_t i = 0; done && i < CT_ARRAY_LEN(flashes); i++)
        if (strcmp(done, flashes[i].code) == 0)
            page_set(r->pg, flashes[i].text, "Page.Flash");
    if (acl_allows(r->who.functions, "activities.create"))
        return put_choices(r, d, contact_id, true, KINDS_ALL, true);
    return DB_OK;
}

/* ---- my follow-ups ---- */

static const char SQL_MINE[] =
    "SELECT a.id, a.kind, a.occurred_at, " SQL_USER_NAME("u") ", a.subject, a.body, a.outcome, g.name,"
    " a.due_on, " SQL_USER_NAME("v") ", a.done_at, a.follow_up_of, a.assignee_id, a.contact_id, " SQL_CONTACT_NAME
    " FROM activities a JOIN contacts c ON c.client_id = a.client_id AND c.id = a.contact_id"
    " JOIN users u ON u.client_id = a.client_id AND u.id = a.user_id"
    " LEFT JOIN users v ON v.client_id = a.client_id AND v.id = a.assignee_id"
    " LEFT JOIN campaigns g ON g.client_id = a.client_id AND g.id = a.campaign_id WHERE ";

int follow_ups_list(request *r, db *d)
{
    const acl_scope *sc = &r->who.scope;
    char day[11];
    today(r, day);
    int counts[4] = {0};
    static const char *groups[] = {"Overdue", "DueToday", "Upcoming", "Done"};
    buf sql = {0};
    for (int q = 0; q < 2; q++) {
        buf_reset(&sql);
        buf_adds(&sql, SQL_MINE);
        activities_visible_sql(&sql, sc);
        if (q == 0)
            buf_printf(&sql, " AND a.assignee_id = ? AND a.open_task = 1 ORDER BY a.due_on, a.id LIMIT %d",
                       FOLLOW_UPS_MAX * 3);
        else
            buf_printf(&sql,
                       " AND a.assignee_id = ? AND a.kind = 'task' AND a.done_at >= UTC_TIMESTAMP(6) - INTERVAL %d DAY"
                       " ORDER BY a.done_at DESC, a.id DESC LIMIT %d",
                       DONE_DAYS, FOLLOW_UPS_MAX);
        db_stmt *s = db_stmt_get(d, buf_str(&sql));
        if (!s) {
            buf_free(&sql);
            return DB_ERR;
        }
        db_bind_int(s, activities_visible_bind(s, 0, sc), r->who.user_id);
        int rc = db_run(s);
        if (rc != DB_OK) {
            buf_free(&sql);
            return rc;
        }
        while ((rc = db_next(s)) == 1) {
            const char *due = db_text(s, 8, NULL);
            int g = q == 1 ? 3 : !due ? 2 : strcmp(due, day) < 0 ? 0 : strcmp(due, day) == 0 ? 1 : 2;
            int i = counts[g];
            if (i >= FOLLOW_UPS_MAX)
                continue;
            const char *pre = groups[g];
            page_set(r->pg, db_text(s, 0, NULL), "FollowUps.%s.%d.id", pre, i);
            page_set(r->pg, db_text(s, 4, NULL), "FollowUps.%s.%d.subject", pre, i);
            page_set(r->pg, db_text(s, 5, NULL), "FollowUps.%s.%d.body", pre, i);
            page_set(r->pg, db_text(s, 7, NULL), "FollowUps.%s.%d.campaign", pre, i);
            page_set(r->pg, due, "FollowUps.%s.%d.due_on", pre, i);
            page_set(r->pg, db_text(s, 3, NULL), "FollowUps.%s.%d.user", pre, i);
            if (!db_is_null(s, 10))
                page_set(r->pg, local_time(r, db_text(s, 10, NULL)), "FollowUps.%s.%d.done_at", pre, i);
            page_set(r->pg, db_text(s, 13, NULL), "FollowUps.%s.%d.contact_id", pre, i);
            page_set(r->pg, db_text(s, 14, NULL), "FollowUps.%s.%d.contact", pre, i);
            request_touch(r, db_int(s, 13));
            counts[g]++;
        }
        if (rc < 0) {
            buf_free(&sql);
            return rc;
        }
    }
    buf_free(&sql);
    for (int g = 0; g < 4; g++)
        page_set_int(r->pg, counts[g], "FollowUps.Counts.%s", groups[g]);
    page_set(r->pg, day, "FollowUps.Today");
    page_set(r->pg, r->who.time_zone, "FollowUps.Zone");
    if (params_get(&r->qs, "done"))
        page_set(r->pg, "The task is done.", "Page.Flash");
    else if (params_get(&r->qs, "undone"))
        page_set(r->pg, "The task is open again.", "Page.Flash");
    buf_printf(&r->detail, "{\"today\":\"%s\",\"overdue\":%d,\"due_today\":%d,\"upcoming\":%d,\"done\":%d,", day,
               counts[0], counts[1], counts[2], counts[3]);
    request_shown_json(r, &r->detail);
    buf_addc(&r->detail, '}');
    page_set(r->pg, "My follow-ups", "Page.Title");
    r->template_name = "follow_ups.cs";
    return 200;
}
