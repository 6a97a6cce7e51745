/* filter: the shared contact filter, always inside the user's scope. */
#include "filter.h"

#include <stdio.h>
#include <string.h>

#include "campaign_status.h"
#include "contact.h"
#include "json.h"
#include "valid.h"
#include "views.h"

const char *const filter_params[] = {"q", "region", "party", "campaign", "status", "tag", "updated_since", NULL};

/* A text parameter: NULL when absent or empty; *bad is set (with the
 * message for the error page) when it is present but not acceptable. */
static const char *param_text(request *r, const params *src, const char *name, const char *label, size_t max,
                              bool *bad)
{
    size_t n;
    const char *v = params_getn(src, name, &n);
    if (!v || n == 0)
        return NULL;
    enum valid_rc rc = valid_text(v, n, max, false);
    if (rc != VALID_OK) {
        if (!*bad)
            r->error_message = arena_printf(r->mem, "The %s %s.", label, valid_message(rc, max));
        *bad = true;
        return NULL;
    }
    return v;
}

static const char SQL_REGION_BY_CODE[] = "SELECT id FROM regions WHERE client_id = ? AND code = ?";

int filter_region_by_code(db *d, long long client_id, const char *code, size_t n, long long *id)
{
    *id = 0;
    db_stmt *s = db_stmt_get(d, SQL_REGION_BY_CODE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_text(s, 1, code, n);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) == 1)
        *id = db_int(s, 0);
    db_done(s);
    return rc;
}

/* fixed_campaign: 0 to read the campaign from the query, or the campaign
 * whose page this is (a campaign parameter is then refused). */
/* The view=ID of the query, if any: its stored query parsed into *src
 * (in r->mem), its id and name into f. Returns 0 (no view, or *src set),
 * 400 or 404 with r->error_message, or a negative enum db_rc. */
static int use_view(request *r, db *d, contact_filter *f, params *src)
{
    size_t n;
    const char *v = params_getn(&r->qs, "view", &n);
    if (!v || n == 0)
        return 0;
    int64_t id;
    if (parse_i64(v, n, 1, INT64_MAX, &id) != 0) {
        r->error_message = "The view must be the number of a saved view.";
        return 400;
    }
    for (int i = 0; filter_params[i]; i++) {
        size_t pn;
        if (params_getn(&r->qs, filter_params[i], &pn) && pn) {
            r->error_message = arena_printf(r->mem,
                                            "A saved view brings its own filter: give either view= or %s=, not both.",
                                            filter_params[i]);
            return 400;
        }
    }
    saved_view sv;
    int rc = views_find(r, d, id, &sv);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        r->error_message = "There is no such saved view among yours and those shared with your user type.";
        return 404;
    }
    memset(src, 0, sizeof *src);
    if (http_parse_urlencoded(r->mem, sv.query, strlen(sv.query), src) != HP_OK) {
        r->error_message = "This saved view's filter cannot be read.";
        return 400;
    }
    f->view_id = id;
    f->view_name = sv.name;
    return 0;
}

int filter_like_words(request *r, const char *q, const char **like, int max, int *n)
{
    /* Each word becomes '%word%' with LIKE's own metacharacters escaped;
     * the column's collation ignores case and accents. */
    *n = 0;
    for (const char *p = q ? q : ""; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*n == max) {
            r->error_message = arena_printf(r->mem, "Search with at most %d words.", max);
            return 400;
        }
        buf b = {0};
        buf_addc(&b, '%');
        for (; *p && *p != ' ' && *p != '\t'; p++) {
            if (*p == '%' || *p == '_' || *p == '\\')
                buf_addc(&b, '\\');
            buf_addc(&b, *p);
        }
        buf_addc(&b, '%');
        like[(*n)++] = arena_strdup(r->mem, buf_str(&b));
        buf_free(&b);
    }
    return 0;
}

static int parse(request *r, db *d, contact_filter *f, long long fixed_campaign)
{
    memset(f, 0, sizeof *f);
    params from_view;
    const params *src = &r->qs;
    int vrc = use_view(r, d, f, &from_view);
    if (vrc != 0)
        return vrc;
    if (f->view_id)
        src = &from_view;
    bool bad = false;
    f->q = param_text(r, src, "q", "search text", 100, &bad);
    f->region = param_text(r, src, "region", "state", 40, &bad);
    if (f->region && valid_code(f->region, strlen(f->region), 40) != VALID_OK && !bad) {
        r->error_message = "The state must be a region code such as US-CA or US-OH-05.";
        bad = true;
    }
    f->party = param_text(r, src, "party", "party", 100, &bad);
    const char *camp = param_text(r, src, "campaign", "campaign", 18, &bad);
    int64_t cid = fixed_campaign;
    if (camp && fixed_campaign && !bad) {
        r->error_message = "This page shows one campaign: it takes no campaign parameter.";
        bad = true;
    }
    if (camp && !fixed_campaign && parse_i64(camp, strlen(camp), 1, INT64_MAX, &cid) != 0 && !bad) {
        r->error_message = "The campaign must be a campaign number.";
        bad = true;
    }
    f->status = param_text(r, src, "status", "status", 40, &bad);
    if (f->status && !bad) {
        campaign_status st;
        int rc = campaign_status_get(d, r->mem, r->who.client_id, f->status, strlen(f->status), false, &st);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            r->error_message = "The status is not one of the campaign statuses.";
            bad = true;
        } else {
            f->status = st.code; /* as stored, whatever the case asked */
        }
    }
    if (f->status && !cid && !bad) {
        r->error_message = "A status filter needs a campaign.";
        bad = true;
    }
    f->tag = param_text(r, src, "tag", "tag", 100, &bad);
    const char *since = param_text(r, src, "updated_since", "updated_since", 40, &bad);
    if (since && !bad) {
        char when[27];
        if (!filter_parse_time(since, strlen(since), when)) {
            r->error_message = "updated_since must be a UTC time such as 2024-05-01T12:00:00Z "
                               "(or 2024-05-01, or with fractions of a second).";
            bad = true;
        } else {
            f->updated_since = arena_strdup(r->mem, when);
            f->updated_since_text = since;
        }
    }
    if (bad) {
        /* A saved view's filter can stop applying (a status deleted
         * since): say which view, and what to do about it. */
        if (f->view_id)
            r->error_message = arena_printf(r->mem,
                                            "The saved view “%s” no longer applies: %s Delete it on the "
                                            "Saved views page, or save the filter again.",
                                            f->view_name, r->error_message);
        return 400;
    }
    f->campaign = cid;
    /* Names are stored in NFC: so are the words searched for, or an NFD
     * "José" (as some keyboards and files give it) would find nothing. */
    if (f->q) {
        size_t qn = strlen(f->q);
        f->q = contact_clean(r->mem, CF_FIRST_NAME, f->q, &qn);
    }
    int words = filter_like_words(r, f->q, f->like, FILTER_MAX_WORDS, &f->nlike);
    if (words != 0)
        return words;
    if (f->region) {
        int rc = filter_region_by_code(d, r->who.client_id, f->region, strlen(f->region), &f->region_id);
        if (rc < 0)
            return rc;
        /* An unknown region matches nothing rather than everything. */
        if (rc == 0)
            f->region_id = -1;
    }
    return 0;
}

int filter_parse(request *r, db *d, contact_filter *f)
{
    return parse(r, d, f, 0);
}

int filter_parse_campaign(request *r, db *d, contact_filter *f, long long campaign_id)
{
    return parse(r, d, f, campaign_id);
}

static const char SQL_STATES[] = "SELECT g.code, g.name FROM regions g WHERE g.client_id = ? AND g.kind = 'state'";

db_stmt *filter_states_stmt(db *d, const acl_scope *sc)
{
    buf sql = {0};
    buf_adds(&sql, SQL_STATES);
    acl_regions_sql(&sql, sc, "g.id");
    buf_adds(&sql, " ORDER BY g.name");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (s) {
        db_bind_int(s, 0, sc->client_id);
        acl_regions_bind(s, 1, sc);
    }
    return s;
}

bool filter_empty(const contact_filter *f)
{
    return !f->region_id && !f->party && !f->nlike && !f->campaign && !f->status && !f->ids && !f->tag &&
           !f->updated_since;
}

static int two(const char *s)
{
    return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
}

bool filter_parse_time(const char *s, size_t n, char out[27])
{
    char day[11];
    if (n < 10 || !contact_birthday(s, 10, day) || day[0] == '-' || memcmp(day, s, 10) != 0)
        return false;
    int hh = 0, mm = 0, ss = 0;
    char frac[7] = "000000";
    size_t i = 10;
    if (i < n) {
        if ((s[i] != 'T' && s[i] != ' ') || n < i + 9 || s[i + 3] != ':' || s[i + 6] != ':')
            return false;
        hh = two(s + i + 1), mm = two(s + i + 4), ss = two(s + i + 7);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
            return false;
        i += 9;
        if (i < n && s[i] == '.') {
            size_t k = 0;
            for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
                if (k < 6)
                    frac[k++] = s[i];
            if (k == 0)
                return false;
        }
        /* Only UTC: a time of some other zone would silently be off. */
        if (i < n && s[i] == 'Z')
            i++;
        else if (i + 6 == n && (memcmp(s + i, "+00:00", 6) == 0 || memcmp(s + i, "-00:00", 6) == 0))
            i += 6;
        if (i != n)
            return false;
    }
    snprintf(out, 27, "%.10s %02d:%02d:%02d.%s", day, hh, mm, ss, frac);
    return true;
}

void filter_set_ids(arena *a, contact_filter *f, const long long *ids, size_t n)
{
    buf b = {0};
    buf_addc(&b, '[');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
    buf_addc(&b, ']');
    f->ids = arena_strdup(a, buf_str(&b));
    buf_free(&b);
}

void filter_sql(buf *sql, const contact_filter *f, const acl_scope *sc, bool join_region)
{
    buf_adds(sql, " FROM contacts c");
    if (f->region_id)
        buf_adds(sql, " JOIN region_closure rc ON rc.client_id = c.client_id AND rc.descendant_id = c.region_id"
                      " AND rc.ancestor_id = ?");
    if (join_region)
        buf_adds(sql, " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id");
    buf_adds(sql, " WHERE ");
    acl_scope_sql(sql, sc);
    /* Deleted contacts (tombstones) only when asked for, and only those
     * deleted since the time given. */
    if (f->with_deleted && f->updated_since)
        buf_adds(sql, " AND (c.live = 1 OR c.live IS NULL)");
    else
        buf_adds(sql, " AND c.live = 1");
    if (f->updated_since)
        buf_adds(sql, " AND c.updated_at >= ?");
    if (f->tag)
        buf_adds(sql, " AND c.id IN (SELECT ft.contact_id FROM contact_tags ft WHERE ft.client_id = ? AND ft.tag = ?)");
    if (f->party)
        buf_adds(sql, " AND c.party = ?");
    for (int i = 0; i < f->nlike; i++)
        buf_adds(sql, " AND c.search_name LIKE ?");
    if (f->campaign) {
        /* A campaign the user cannot see matches nothing: its members are
         * not theirs to list, even those inside their scope. */
        buf_adds(sql, " AND c.id IN (SELECT fc.contact_id FROM contact_campaigns fc"
                      " WHERE fc.client_id = ? AND fc.campaign_id = ?");
        acl_campaigns_sql(sql, sc, "fc.campaign_id");
        if (f->status)
            buf_adds(sql, " AND fc.status = ?");
        buf_addc(sql, ')');
    }
    /* The ids go in as one JSON parameter, so the statement text (and the
     * cached statement) is the same for any number of them. */
    if (f->ids)
        buf_adds(sql, " AND c.id IN (SELECT fj.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT UNSIGNED PATH '$')) fj)");
}

int filter_bind(db_stmt *s, int p, const contact_filter *f, const acl_scope *sc)
{
    if (f->region_id)
        db_bind_int(s, p++, f->region_id);
    p = acl_scope_bind(s, p, sc);
    if (f->updated_since)
        db_bind_str(s, p++, f->updated_since);
    if (f->tag) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_str(s, p++, f->tag);
    }
    if (f->party)
        db_bind_str(s, p++, f->party);
    for (int i = 0; i < f->nlike; i++)
        db_bind_str(s, p++, f->like[i]);
    if (f->campaign) {
        db_bind_int(s, p++, sc->client_id);
        db_bind_int(s, p++, f->campaign);
        p = acl_campaigns_bind(s, p, sc);
        if (f->status)
            db_bind_str(s, p++, f->status);
    }
    if (f->ids)
        db_bind_str(s, p++, f->ids);
    return p;
}

void filter_query(buf *b, const contact_filter *f)
{
    const char *names[] = {"q", "region", "party", "tag", "updated_since"};
    const char *vals[] = {f->q, f->region, f->party, f->tag, f->updated_since_text};
    size_t start = b->len;
    for (size_t i = 0; i < CT_ARRAY_LEN(names); i++) {
        if (!vals[i] || !vals[i][0])
            continue;
        if (b->len > start)
            buf_addc(b, '&');
        buf_printf(b, "%s=", names[i]);
        buf_add_url(b, vals[i]);
    }
    if (f->campaign)
        buf_printf(b, "%scampaign=%lld", b->len > start ? "&" : "", f->campaign);
    if (f->status) {
        buf_adds(b, b->len > start ? "&status=" : "status=");
        buf_add_url(b, f->status);
    }
}

void filter_json(buf *b, const contact_filter *f)
{
    buf_adds(b, "{\"q\":");
    json_add_cstr(b, f->q);
    buf_adds(b, ",\"region\":");
    json_add_cstr(b, f->region);
    buf_adds(b, ",\"party\":");
    json_add_cstr(b, f->party);
    if (f->campaign)
        buf_printf(b, ",\"campaign\":%lld", f->campaign);
    else
        buf_adds(b, ",\"campaign\":null");
    if (f->status) {
        buf_adds(b, ",\"status\":");
        json_add_cstr(b, f->status);
    }
    if (f->tag) {
        buf_adds(b, ",\"tag\":");
        json_add_cstr(b, f->tag);
    }
    if (f->updated_since) {
        buf_adds(b, ",\"updated_since\":");
        json_add_cstr(b, f->updated_since_text);
    }
    if (f->ids) {
        buf_adds(b, ",\"ids\":");
        buf_adds(b, f->ids);
    }
    if (f->view_id)
        buf_printf(b, ",\"view\":%lld", f->view_id);
    buf_addc(b, '}');
}
