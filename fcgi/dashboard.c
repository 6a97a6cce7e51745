/* dashboard: the user's own numbers, always within their scope and the
 * contact filter (filter.h, a saved view included): contacts by state,
 * activities per week over the last year, each active campaign's funnel,
 * the follow-ups due to the user.
 *
 * Each chart is made here as SVG (svg.h) and reaches the page as an <img>
 * whose src is a data: URI of the SVG in base64, written with var: like
 * any other value: base64 holds no character that HTML escaping changes,
 * so the page needs no raw-output command, and the SVG cannot become markup
 * of the page (an image document runs no script and reads nothing of the
 * page). One request computes every number once, so the charts and the
 * tables beside them always agree, and one audit row records the view. The
 * same charts are also served alone as image/svg+xml (/dashboard/map.svg,
 * /dashboard/activity.svg, /dashboard/campaigns/{id}/funnel.svg) for
 * reports and printing. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "acl.h"
#include "activities.h"
#include "campaigns.h"
#include "clock.h"
#include "filter.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "svg.h"
#include "views.h"

#define WEEKS 52
/* The most campaigns whose funnel the page draws (by name). */
#define MAX_FUNNELS 100

/* The user's zone, or UTC when the client's is not usable. */
static const char *zone_of(request *r)
{
    const char *z = r->who.time_zone;
    return z && clock_zone_valid(z) ? z : "UTC";
}

/* Appends " AND a.contact_id IN (<the filter's contacts in scope>)" and
 * the campaign limit of activities (activities.h): for a campaign-limited
 * user an activity of another campaign is not theirs, even on a contact
 * they see (one without a campaign is). */
static void activities_scope_sql(buf *sql, const contact_filter *f, const acl_scope *sc)
{
    buf_adds(sql, " AND a.contact_id IN (SELECT c.id");
    filter_sql(sql, f, sc, false);
    buf_addc(sql, ')');
    activities_campaign_limit_sql(sql, sc);
}

static int activities_scope_bind(db_stmt *s, int p, const contact_filter *f, const acl_scope *sc)
{
    p = filter_bind(s, p, f, sc);
    return activities_campaign_limit_bind(s, p, sc);
}

/* ---- contacts by state ---- */

typedef struct state_row {
    const char *code; /* the region code, "US-OH" */
    const char *name;
    long long count;
} state_row;

typedef struct states {
    state_row *v;
    size_t n, cap;
    long long no_state; /* contacts under no state */
    long long total;
} states;

static state_row *state_find(states *st, const char *code)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->v[i].code, code) == 0)
            return &st->v[i];
    return NULL;
}

static const char SQL_BY_STATE[] = "SELECT sg.code, sg.name, SUM(x.n) FROM (SELECT c.region_id, COUNT(*) AS n";
static const char SQL_BY_STATE_END[] =
    " GROUP BY c.region_id) x LEFT JOIN (region_closure sr JOIN regions sg ON sg.client_id = sr.client_id"
    " AND sg.id = sr.ancestor_id AND sg.kind = 'state') ON sr.client_id = ? AND sr.descendant_id = x.region_id"
    " GROUP BY sg.code, sg.name";

/* The states inside the user's geography (each with 0), then the filter's
 * contacts counted by the state they are in (a district counts for its
 * state). */
static int load_states(request *r, db *d, const contact_filter *f, states *st)
{
    memset(st, 0, sizeof *st);
    const acl_scope *sc = &r->who.scope;
    db_stmt *s = filter_states_stmt(d, sc);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        st->v = arena_grow(r->mem, st->v, &st->cap, st->n, sizeof *st->v);
        st->v[st->n].code = db_text_dup(s, 0, r->mem);
        st->v[st->n].name = db_text_dup(s, 1, r->mem);
        st->v[st->n].count = 0;
        st->n++;
        rc = DB_OK;
    }
    if (rc < 0)
        return rc;
    buf sql = {0};
    buf_adds(&sql, SQL_BY_STATE);
    filter_sql(&sql, f, sc, false);
    buf_adds(&sql, SQL_BY_STATE_END);
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = filter_bind(s, 0, f, sc);
    db_bind_int(s, p, sc->client_id);
    rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        long long n = db_int(s, 2);
        st->total += n;
        rc = DB_OK;
        const char *code = db_text(s, 0, NULL);
        if (!code) {
            st->no_state += n;
            continue;
        }
        state_row *row = state_find(st, code);
        if (!row) {
            /* Cannot happen: the scope only reaches contacts in the user's
             * states. Counted all the same, never dropped. */
            st->v = arena_grow(r->mem, st->v, &st->cap, st->n, sizeof *st->v);
            row = &st->v[st->n++];
            row->code = db_text_dup(s, 0, r->mem);
            row->name = db_text_dup(s, 1, r->mem);
            row->count = 0;
        }
        row->count += n;
    }
    return rc < 0 ? rc : DB_OK;
}

/* The postal code of a region code "US-XX", or NULL. */
static const char *postal(const char *code)
{
    return code && strlen(code) == 5 && strncmp(code, "US-", 3) == 0 ? code + 3 : NULL;
}

static void map_svg(request *r, const states *st, buf *out)
{
    svg_state *t = arena_alloc(r->mem, (st->n + 1) * sizeof *t);
    size_t n = 0;
    for (size_t i = 0; i < st->n; i++) {
        const char *pc = postal(st->v[i].code);
        if (pc && svg_map_has(pc))
            t[n++] = (svg_state){pc, st->v[i].count, true};
    }
    const char *desc = arena_printf(r->mem,
                                    "A tile map of the United States: %lld contacts in your scope, each state's "
                                    "count written on its tile; hatched tiles are outside your scope.",
                                    st->total);
    svg_us_map(out, "Contacts by state", desc, t, n);
}

/* ---- activities per week ---- */

typedef struct weeks {
    char start[WEEKS][11]; /* the Monday each week starts, local */
    long long count[WEEKS];
    long long total;
} weeks;

/* The UTC time at which day starts in zone (its midnight, or 01:00 in a
 * zone whose midnight is skipped that day). 0 or -1. */
static int local_midnight(const char *zone, const char *day, char out[20])
{
    char local[17];
    memcpy(local, day, 10);
    memcpy(local + 10, " 00:00", 7);
    if (clock_local_to_utc(zone, local, 16, out) == 0)
        return 0;
    memcpy(local + 10, " 01:00", 7);
    return clock_local_to_utc(zone, local, 16, out);
}

/* A week's activities are counted by INTERVAL(), a binary search of the
 * seconds since 2000 (TIMESTAMPDIFF: exact, whatever the session's zone)
 * among the 53 week boundaries: one pass over the year's rows of
 * activities_time. */
static const char SQL_WEEKS_HEAD[] = "SELECT INTERVAL(TIMESTAMPDIFF(SECOND, '2000-01-01', a.occurred_at)";
static const char SQL_WEEKS_TAIL[] =
    ") AS w, COUNT(*) FROM activities a WHERE a.client_id = ? AND a.live = 1 AND a.occurred_at >= ?"
    " AND a.occurred_at < ? AND a.kind <> 'task'";

/* Seconds from 2000-01-01 00:00:00 UTC to utc ("YYYY-MM-DD HH:MM:SS"). */
static long long since_2000(const char *utc)
{
    struct tm tm = {0};
    if (sscanf(utc, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) - 946684800LL;
}

/* The 52 weeks ending with this one (Monday to Sunday in the client's
 * zone), and the activities of the filter's contacts in each. The week
 * boundaries are local midnights turned into UTC, so a week is right
 * across a change of summer time. */
static int load_weeks(request *r, db *d, const contact_filter *f, weeks *w)
{
    memset(w, 0, sizeof *w);
    const char *zone = zone_of(r);
    char today[11], monday[11];
    if (clock_day(zone, time(NULL), today) != 0 || clock_add_days(today, -clock_weekday(today), monday) != 0)
        return DB_ERR;
    char utc[WEEKS + 1][20];
    for (int i = 0; i < WEEKS; i++) {
        char next[11];
        if (clock_add_days(monday, -7 * (WEEKS - 1 - i), w->start[i]) != 0 ||
            clock_add_days(w->start[i], 7, next) != 0 || (i == 0 && local_midnight(zone, w->start[i], utc[0]) != 0) ||
            local_midnight(zone, next, utc[i + 1]) != 0) {
            log_error("dashboard: cannot place the weeks before %s in zone %s", today, zone);
            return DB_ERR;
        }
    }
    buf sql = {0};
    buf_adds(&sql, SQL_WEEKS_HEAD);
    for (int i = 0; i <= WEEKS; i++)
        buf_adds(&sql, ", ?");
    buf_adds(&sql, SQL_WEEKS_TAIL);
    activities_scope_sql(&sql, f, &r->who.scope);
    buf_adds(&sql, " GROUP BY w");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = 0;
    for (int i = 0; i <= WEEKS; i++)
        db_bind_int(s, p++, since_2000(utc[i]));
    db_bind_int(s, p++, r->who.client_id);
    db_bind_str(s, p++, utc[0]);
    db_bind_str(s, p++, utc[WEEKS]);
    activities_scope_bind(s, p, f, &r->who.scope);
    int rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        long long n = db_int(s, 0);
        if (n >= 1 && n <= WEEKS) {
            w->count[n - 1] = db_int(s, 1);
            w->total += db_int(s, 1);
        }
        rc = DB_OK;
    }
    return rc < 0 ? rc : DB_OK;
}

static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "Jan 6" for "2025-01-06". */
static const char *short_date(arena *a, const char *day)
{
    int m = (day[5] - '0') * 10 + (day[6] - '0');
    int dd = (day[8] - '0') * 10 + (day[9] - '0');
    return arena_printf(a, "%s %d", m >= 1 && m <= 12 ? months[m - 1] : "?", dd);
}

static void weeks_svg(request *r, const weeks *w, buf *out)
{
    svg_bar bars[WEEKS];
    for (int i = 0; i < WEEKS; i++) {
        bars[i].label = short_date(r->mem, w->start[i]);
        bars[i].long_label = arena_printf(r->mem, "Week of %s", w->start[i]);
        bars[i].value = w->count[i];
        bars[i].tick = (WEEKS - 1 - i) % 4 == 0;
    }
    const char *desc = arena_printf(r->mem,
                                    "A bar chart of the activities logged each week, from the week of %s to the "
                                    "week of %s: %lld in all; each bar's number is written above it.",
                                    w->start[0], w->start[WEEKS - 1], w->total);
    svg_bar_chart(out, "Activities per week", desc, bars, WEEKS, "Week starting (Monday)", "Activities");
}

/* ---- campaign funnels ---- */

typedef struct funnel {
    long long id;
    const char *name;
    long long targeted, contacted, responded;
} funnel;

static const char SQL_CAMPAIGNS[] = "SELECT k.id, k.name FROM campaigns k WHERE k.client_id = ? AND k.archived_at IS NULL";
static const char SQL_FUNNEL[] =
    "SELECT cc.campaign_id, COUNT(*), SUM(s.stage IN ('contacted','responded','declined')), SUM(s.stage = 'responded')"
    " FROM contact_campaigns cc LEFT JOIN campaign_statuses s ON s.client_id = cc.client_id AND s.code = cc.status"
    " WHERE cc.client_id = ?";

/* The active campaigns the user can see (only the filter's campaign when it
 * has one, or only one when only is set), and the funnel of each over the
 * filter's contacts in scope. */
static int load_funnels(request *r, db *d, const contact_filter *f, long long only, funnel **out, size_t *nout)
{
    const acl_scope *sc = &r->who.scope;
    *out = NULL;
    *nout = 0;
    size_t cap = 0;
    long long one = only ? only : f->campaign;
    buf sql = {0};
    buf_adds(&sql, SQL_CAMPAIGNS);
    acl_campaigns_sql(&sql, sc, "k.id");
    if (one)
        buf_adds(&sql, " AND k.id = ?");
    /* The newest first: with more than MAX_FUNNELS, the campaigns of the
     * moment are shown (the filter's campaign= shows any one). */
    buf_printf(&sql, " ORDER BY k.created_at DESC, k.id DESC LIMIT %d", MAX_FUNNELS);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = 0;
    db_bind_int(s, p++, sc->client_id);
    p = acl_campaigns_bind(s, p, sc);
    if (one)
        db_bind_int(s, p++, one);
    int rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        *out = arena_grow(r->mem, *out, &cap, *nout, sizeof **out);
        (*out)[*nout] = (funnel){db_int(s, 0), db_text_dup(s, 1, r->mem), 0, 0, 0};
        (*nout)++;
        rc = DB_OK;
    }
    if (rc < 0 || *nout == 0)
        return rc < 0 ? rc : DB_OK;
    buf_adds(&sql, SQL_FUNNEL);
    acl_campaigns_sql(&sql, sc, "cc.campaign_id");
    if (one)
        buf_adds(&sql, " AND cc.campaign_id = ?");
    buf_adds(&sql, " AND cc.contact_id IN (SELECT c.id");
    filter_sql(&sql, f, sc, false);
    buf_adds(&sql, ") GROUP BY cc.campaign_id");
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    p = 0;
    db_bind_int(s, p++, sc->client_id);
    p = acl_campaigns_bind(s, p, sc);
    if (one)
        db_bind_int(s, p++, one);
    filter_bind(s, p, f, sc);
    rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        rc = DB_OK;
        for (size_t i = 0; i < *nout; i++)
            if ((*out)[i].id == db_int(s, 0)) {
                (*out)[i].targeted = db_int(s, 1);
                (*out)[i].contacted = db_int(s, 2);
                (*out)[i].responded = db_int(s, 3);
            }
    }
    return rc < 0 ? rc : DB_OK;
}

static void funnel_svg(request *r, const funnel *g, buf *out)
{
    char pc[32], pr[32];
    svg_percent(g->contacted, g->targeted, pc);
    svg_percent(g->responded, g->targeted, pr);
    const char *desc = arena_printf(r->mem,
                                    "The funnel of the campaign: %lld targeted, %lld contacted (%s), %lld "
                                    "responded (%s).",
                                    g->targeted, g->contacted, pc, g->responded, pr);
    svg_funnel(out, g->name, desc, g->targeted, g->contacted, g->responded);
}

/* ---- follow-ups due ---- */

static const char SQL_DUE[] =
    "SELECT COUNT(a.due_on < ? OR NULL), COUNT(a.due_on = ? OR NULL), COUNT(a.due_on > ? AND a.due_on <= ? OR NULL),"
    " COUNT(a.due_on IS NULL OR NULL) FROM activities a WHERE a.client_id = ? AND a.assignee_id = ? AND a.open_task = 1";

static int put_follow_ups(request *r, db *d, const contact_filter *f)
{
    char today[11], week[11];
    if (clock_day(zone_of(r), time(NULL), today) != 0 || clock_add_days(today, 7, week) != 0)
        return DB_ERR;
    buf sql = {0};
    buf_adds(&sql, SQL_DUE);
    activities_scope_sql(&sql, f, &r->who.scope);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_str(s, 0, today);
    db_bind_str(s, 1, today);
    db_bind_str(s, 2, today);
    db_bind_str(s, 3, week);
    db_bind_int(s, 4, r->who.client_id);
    db_bind_int(s, 5, r->who.user_id);
    activities_scope_bind(s, 6, f, &r->who.scope);
    int rc = db_run(s);
    if (rc == DB_OK && (rc = db_next(s)) == 1) {
        page_set_int(r->pg, db_int(s, 0), "Due.overdue");
        page_set_int(r->pg, db_int(s, 1), "Due.today");
        page_set_int(r->pg, db_int(s, 2), "Due.week");
        page_set_int(r->pg, db_int(s, 3), "Due.undated");
        rc = DB_OK;
    }
    db_done(s);
    page_set(r->pg, today, "Due.date");
    return rc < 0 ? rc : DB_OK;
}

/* ---- the page ---- */

/* The SVG in out as a data: URI's base64, set at name. */
static void put_chart(request *r, buf *out, const char *name)
{
    size_t n = (out->len + 2) / 3 * 4 + 1;
    char *b64 = arena_alloc(r->mem, n);
    b64_encode((const unsigned char *)out->data, out->len, b64);
    page_set(r->pg, b64, "%s", name);
    buf_reset(out);
}

/* The filter on the page (what is applied, for people) and in the detail
 * of the audit row. */
static void put_filter(request *r, const contact_filter *f, const char *detail_extra)
{
    buf q = {0};
    filter_query(&q, f);
    page_set(r->pg, buf_str(&q), "Dash.Filter");
    buf_free(&q);
    page_set(r->pg, f->q, "Filter.q");
    page_set(r->pg, f->region, "Filter.region");
    page_set(r->pg, f->party, "Filter.party");
    if (f->campaign)
        page_set_int(r->pg, f->campaign, "Filter.campaign");
    page_set(r->pg, f->status, "Filter.status");
    page_set(r->pg, f->tag, "Filter.tag");
    page_set(r->pg, f->updated_since_text, "Filter.updated_since");
    if (f->view_id) {
        page_set_int(r->pg, f->view_id, "Filter.view_id");
        page_set(r->pg, f->view_name, "Filter.view_name");
    }
    buf_adds(&r->detail, "{\"filter\":");
    filter_json(&r->detail, f);
    buf_adds(&r->detail, detail_extra);
    buf_addc(&r->detail, '}');
}

int dashboard_page(request *r, db *d)
{
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    states st;
    weeks w;
    funnel *g;
    size_t ng;
    if ((rc = load_states(r, d, &f, &st)) != DB_OK || (rc = load_weeks(r, d, &f, &w)) != DB_OK ||
        (rc = load_funnels(r, d, &f, 0, &g, &ng)) != DB_OK || (rc = put_follow_ups(r, d, &f)) != DB_OK ||
        (rc = views_put_list(r, d)) != DB_OK || (rc = campaigns_list_choices(r, d)) != DB_OK)
        return rc;
    buf out = {0};
    map_svg(r, &st, &out);
    put_chart(r, &out, "Dash.MapSvg");
    int k = 0;
    for (size_t i = 0; i < st.n; i++, k++) {
        page_set(r->pg, st.v[i].code, "Dash.States.%d.code", k);
        page_set(r->pg, st.v[i].name, "Dash.States.%d.name", k);
        page_set_int(r->pg, st.v[i].count, "Dash.States.%d.count", k);
        page_set(r->pg, svg_map_has(postal(st.v[i].code)) ? "1" : "0", "Dash.States.%d.mapped", k);
    }
    page_set_int(r->pg, st.no_state, "Dash.NoState");
    page_set_int(r->pg, st.total, "Dash.Total");
    weeks_svg(r, &w, &out);
    put_chart(r, &out, "Dash.WeeksSvg");
    for (int i = WEEKS - 1, j = 0; i >= 0; i--, j++) {
        page_set(r->pg, w.start[i], "Dash.Weeks.%d.start", j);
        page_set_int(r->pg, w.count[i], "Dash.Weeks.%d.count", j);
    }
    page_set_int(r->pg, w.total, "Dash.WeeksTotal");
    for (size_t i = 0; i < ng; i++) {
        funnel_svg(r, &g[i], &out);
        put_chart(r, &out, arena_printf(r->mem, "Dash.Funnels.%zu.svg", i));
        char pc[32], pr[32];
        svg_percent(g[i].contacted, g[i].targeted, pc);
        svg_percent(g[i].responded, g[i].targeted, pr);
        page_set_int(r->pg, g[i].id, "Dash.Funnels.%zu.id", i);
        page_set(r->pg, g[i].name, "Dash.Funnels.%zu.name", i);
        page_set_int(r->pg, g[i].targeted, "Dash.Funnels.%zu.targeted", i);
        page_set_int(r->pg, g[i].contacted, "Dash.Funnels.%zu.contacted", i);
        page_set_int(r->pg, g[i].responded, "Dash.Funnels.%zu.responded", i);
        page_set(r->pg, pc, "Dash.Funnels.%zu.contacted_pct", i);
        page_set(r->pg, pr, "Dash.Funnels.%zu.responded_pct", i);
        if (f.campaign == g[i].id)
            page_set(r->pg, g[i].name, "Filter.campaign_name");
    }
    buf_free(&out);
    page_set_int(r->pg, (long long)ng, "Dash.FunnelCount");
    put_filter(r, &f, arena_printf(r->mem, ",\"contacts\":%lld,\"activities\":%lld,\"campaigns\":%zu", st.total,
                                   w.total, ng));
    page_set(r->pg, "Dashboard", "Page.Title");
    r->template_name = "dashboard.cs";
    return 200;
}

/* ---- the charts alone ---- */

/* Sends out as the response's SVG document. */
static int send_svg(request *r, buf *out)
{
    buf_add(&r->body_out, out->data, out->len);
    buf_free(out);
    r->content_type_out = "image/svg+xml; charset=utf-8";
    return 200;
}

int dashboard_map_svg(request *r, db *d)
{
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    states st;
    if ((rc = load_states(r, d, &f, &st)) != DB_OK)
        return rc;
    buf out = {0};
    map_svg(r, &st, &out);
    put_filter(r, &f, arena_printf(r->mem, ",\"chart\":\"map\",\"contacts\":%lld", st.total));
    return send_svg(r, &out);
}

int dashboard_activity_svg(request *r, db *d)
{
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    weeks w;
    if ((rc = load_weeks(r, d, &f, &w)) != DB_OK)
        return rc;
    buf out = {0};
    weeks_svg(r, &w, &out);
    put_filter(r, &f, arena_printf(r->mem, ",\"chart\":\"activity\",\"activities\":%lld", w.total));
    return send_svg(r, &out);
}

int dashboard_funnel_svg(request *r, db *d)
{
    r->object_type = "campaign";
    r->object_id = r->path_id;
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    funnel *g;
    size_t ng;
    if (f.campaign && f.campaign != r->path_id)
        ng = 0;
    else if ((rc = load_funnels(r, d, &f, r->path_id, &g, &ng)) != DB_OK)
        return rc;
    if (ng == 0) {
        r->error_message = "There is no such active campaign among yours.";
        return 404;
    }
    buf out = {0};
    funnel_svg(r, &g[0], &out);
    put_filter(r, &f, ",\"chart\":\"funnel\"");
    return send_svg(r, &out);
}
