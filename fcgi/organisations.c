/* organisations: the organisations of the contacts (an office, a
 * committee, a company), as the triggers of migration 015 link them from
 * the contact's organisation field.
 *
 * Who sees what: an organisation exists for a user only through its live
 * contacts in the user's scope. The list shows those with at least one, and
 * counts only those; an organisation with none answers 404, exactly like
 * one that does not exist, so its name never reaches a user who cannot see
 * any of its contacts. */
#include "organisations.h"

#include <string.h>

#include "acl.h"
#include "contact.h"
#include "filter.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

#define PAGE_SIZE 50
#define MAX_PAGE 1000000
#define MAX_WORDS 6

/* The page number of the query (1 when absent); false after setting the
 * error message. */
static bool page_number(request *r, int64_t *pageno)
{
    const char *pg = params_get(&r->qs, "page");
    *pageno = 1;
    if (pg && *pg && parse_i64(pg, strlen(pg), 1, MAX_PAGE, pageno) != 0) {
        r->error_message = "The page must be a whole number from 1 to 1000000.";
        return false;
    }
    return true;
}

/* ---- the list ---- */

/* The search: each word of q becomes '%word%' (LIKE's metacharacters
 * escaped), matched against the name, whose collation ignores case and
 * accents. */
typedef struct org_search {
    const char *q;
    const char *like[MAX_WORDS];
    int n;
} org_search;

static int parse_search(request *r, org_search *os)
{
    memset(os, 0, sizeof *os);
    size_t n;
    const char *q = params_getn(&r->qs, "q", &n);
    if (!q || n == 0)
        return 0;
    enum valid_rc v = valid_text(q, n, 200, false);
    if (v != VALID_OK) {
        r->error_message = arena_printf(r->mem, "The search text %s.", valid_message(v, 200));
        return 400;
    }
    /* Names are stored in NFC (contact.c): so are the words searched for. */
    os->q = contact_clean(r->mem, CF_ORGANISATION, q, &n);
    return filter_like_words(r, os->q, os->like, MAX_WORDS, &os->n);
}

/* " FROM contacts c JOIN organisations o ... WHERE <scope> AND live AND
 * the words": the live contacts in scope that belong to an organisation
 * matching the search. */
static void list_from(buf *sql, const acl_scope *sc, const org_search *os)
{
    buf_adds(sql, " FROM contacts c JOIN organisations o ON o.client_id = c.client_id AND o.id = c.organisation_id"
                  " WHERE ");
    acl_scope_sql(sql, sc);
    buf_adds(sql, " AND c.live = 1 AND c.organisation_id IS NOT NULL");
    for (int i = 0; i < os->n; i++)
        buf_adds(sql, " AND o.name LIKE ?");
}

static int list_bind(db_stmt *s, int p, const acl_scope *sc, const org_search *os)
{
    p = acl_scope_bind(s, p, sc);
    for (int i = 0; i < os->n; i++)
        db_bind_str(s, p++, os->like[i]);
    return p;
}

int organisations_list(request *r, db *d)
{
    org_search os;
    int64_t pageno;
    int rc = parse_search(r, &os);
    if (rc != 0)
        return rc;
    if (!page_number(r, &pageno))
        return 400;
    const acl_scope *sc = &r->who.scope;
    buf sql = {0};
    buf_adds(&sql, "SELECT COUNT(DISTINCT c.organisation_id)");
    list_from(&sql, sc, &os);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    long long total = 0;
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    list_bind(s, 0, sc, &os);
    if ((rc = db_one_int(s, &total)) != DB_OK) {
        buf_free(&sql);
        return rc;
    }
    long long pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    if (pageno > pages)
        pageno = pages;

    buf_adds(&sql, "SELECT o.id, o.name, COUNT(*)");
    list_from(&sql, sc, &os);
    buf_adds(&sql, " GROUP BY o.id, o.name ORDER BY o.name, o.id LIMIT ? OFFSET ?");
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = list_bind(s, 0, sc, &os);
    db_bind_int(s, p++, PAGE_SIZE);
    db_bind_int(s, p, (pageno - 1) * PAGE_SIZE);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    int i = 0;
    for (; (rc = db_next(s)) == 1; i++) {
        page_set(r->pg, db_text(s, 0, NULL), "Organisations.%d.id", i);
        page_set(r->pg, db_text(s, 1, NULL), "Organisations.%d.name", i);
        page_set_int(r->pg, db_int(s, 2), "Organisations.%d.contacts", i);
    }
    if (rc < 0)
        return rc;
    buf fq = {0};
    if (os.q) {
        buf_adds(&fq, "q=");
        buf_add_url(&fq, os.q);
    }
    page_set(r->pg, buf_str(&fq), "List.Filter");
    buf_free(&fq);
    page_set(r->pg, os.q, "List.q");
    page_set_int(r->pg, total, "List.Total");
    page_set_int(r->pg, pageno, "List.Page");
    page_set_int(r->pg, pages, "List.Pages");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + (i ? 1 : 0), "List.From");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + i, "List.To");
    page_set(r->pg, "Organisations", "Page.Title");
    buf_adds(&r->detail, "{\"q\":");
    json_add_cstr(&r->detail, os.q);
    buf_printf(&r->detail, ",\"rows\":%d,\"total\":%lld,\"page\":%lld}", i, total, (long long)pageno);
    r->template_name = "organisations_list.cs";
    return 200;
}

/* ---- one organisation ---- */

/* The organisation, only when one of its live contacts is in the scope. */
static const char SQL_ORG[] = "SELECT o.name FROM organisations o WHERE o.client_id = ? AND o.id = ?"
                              " AND EXISTS (SELECT 1 FROM contacts c WHERE ";
static const char SQL_ORG_END[] = " AND c.live = 1 AND c.organisation_id = o.id)";
static const char SQL_CONTACTS_FROM[] = " FROM contacts c WHERE ";
static const char SQL_CONTACTS_WHERE[] = " AND c.live = 1 AND c.organisation_id = ?";

int organisations_show(request *r, db *d)
{
    const acl_scope *sc = &r->who.scope;
    int64_t pageno;
    r->object_type = "organisation";
    r->object_id = r->path_id;
    if (!page_number(r, &pageno))
        return 400;
    buf sql = {0};
    buf_adds(&sql, SQL_ORG);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_ORG_END);
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->path_id);
    acl_scope_bind(s, 2, sc);
    int rc = db_run(s);
    if (rc == DB_OK && (rc = db_next(s)) == 1) {
        page_set(r->pg, db_text(s, 0, NULL), "Organisation.name");
        page_set(r->pg, db_text(s, 0, NULL), "Page.Title");
        db_done(s);
    }
    if (rc <= 0) {
        buf_free(&sql);
        if (rc == 0)
            r->error_message = "There is no such organisation among the contacts you can see.";
        return rc == 0 ? 404 : rc;
    }

    buf_adds(&sql, "SELECT COUNT(*)");
    buf_adds(&sql, SQL_CONTACTS_FROM);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_CONTACTS_WHERE);
    s = db_stmt_get(d, buf_str(&sql));
    buf_reset(&sql);
    long long total = 0;
    if (!s) {
        buf_free(&sql);
        return DB_ERR;
    }
    db_bind_int(s, acl_scope_bind(s, 0, sc), r->path_id);
    if ((rc = db_one_int(s, &total)) != DB_OK) {
        buf_free(&sql);
        return rc;
    }
    long long pages = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
    if (pageno > pages)
        pageno = pages;

    /* The 50 ids on the contacts_organisation index first, then their rows. */
    buf_adds(&sql, "SELECT c.id, c.first_name, c.last_name, c.title, r.name FROM (SELECT c.id");
    buf_adds(&sql, SQL_CONTACTS_FROM);
    acl_scope_sql(&sql, sc);
    buf_adds(&sql, SQL_CONTACTS_WHERE);
    buf_adds(&sql, " ORDER BY c.last_name, c.first_name, c.id LIMIT ? OFFSET ?) p"
                   " JOIN contacts c ON c.client_id = ? AND c.id = p.id"
                   " LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id"
                   " ORDER BY c.last_name, c.first_name, c.id");
    s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    int p = acl_scope_bind(s, 0, sc);
    db_bind_int(s, p++, r->path_id);
    db_bind_int(s, p++, PAGE_SIZE);
    db_bind_int(s, p++, (pageno - 1) * PAGE_SIZE);
    db_bind_int(s, p, r->who.client_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    int i = 0;
    for (; (rc = db_next(s)) == 1; i++) {
        static const char *cols[] = {"id", "first_name", "last_name", "title", "region"};
        for (int c = 0; c < (int)CT_ARRAY_LEN(cols); c++)
            page_set(r->pg, db_text(s, c, NULL), "Contacts.%d.%s", i, cols[c]);
        request_touch(r, db_int(s, 0));
    }
    if (rc < 0)
        return rc;
    page_set_int(r->pg, r->path_id, "Organisation.id");
    page_set_int(r->pg, total, "List.Total");
    page_set_int(r->pg, pageno, "List.Page");
    page_set_int(r->pg, pages, "List.Pages");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + (i ? 1 : 0), "List.From");
    page_set_int(r->pg, (pageno - 1) * PAGE_SIZE + i, "List.To");
    buf_printf(&r->detail, "{\"rows\":%d,\"total\":%lld,\"page\":%lld,", i, total, (long long)pageno);
    request_shown_json(r, &r->detail);
    buf_addc(&r->detail, '}');
    r->template_name = "organisation_view.cs";
    return 200;
}

/* ---- for the contact's page ---- */

static const char SQL_OF_CONTACT[] = "SELECT c.organisation_id FROM contacts c WHERE ";

int organisations_contact_link(request *r, db *d, long long contact_id)
{
    buf sql = {0};
    buf_adds(&sql, SQL_OF_CONTACT);
    acl_scope_sql(&sql, &r->who.scope);
    buf_adds(&sql, " AND c.live = 1 AND c.id = ?");
    db_stmt *s = db_stmt_get(d, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return DB_ERR;
    db_bind_int(s, acl_scope_bind(s, 0, &r->who.scope), contact_id);
    long long id = 0;
    int rc = db_one_int(s, &id);
    if (rc == DB_OK && id > 0)
        page_set_int(r->pg, id, "Contact.organisation_id");
    return rc;
}
