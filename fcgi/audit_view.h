/* audit_view: reading the audit trail of the user's own client: the
 * filters, the keyset-paged query, the rows as page values, the hiding of
 * details of contacts outside the user's scope, and a contact's history.
 * The viewer (/audit), its exports, the security events page and the
 * History panel of a contact all go through here. */
#ifndef CTRACK_AUDIT_VIEW_H
#define CTRACK_AUDIT_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "http.h"

/* What the reader of a contact's row sees instead of a detail that may hold
 * values of a contact outside their regions or campaigns. */
#define AUDIT_HIDDEN_TEXT "hidden: outside your regions or campaigns"

/* The most values of an action prefix, an outcome range or the security
 * events read as one branch each; with more, one range scan filters them. */
#define AUDIT_BRANCHES 16
enum { AUDIT_BY_ID, AUDIT_BY_USER, AUDIT_BY_ACTION, AUDIT_BY_OUTCOME, AUDIT_BY_CONTACT };

/* One set of filters, as typed (for the form and links) and as parsed. */
typedef struct audit_filter {
    /* As typed, trimmed; "" when absent. */
    const char *user, *from, *to, *action, *object_type, *object_id, *outcome, *contact, *kind;
    long long user_id;           /* the user's id when user is set */
    char from_at[20], to_before[20]; /* "YYYY-MM-DD HH:MM:SS" bounds, "" for none; to is exclusive */
    bool action_prefix;          /* action ends in '.': every action starting with it */
    long long object_id_v;
    int out_lo, out_hi;          /* outcome in [lo, hi]; 0, 0 for any */
    bool out_denied;             /* outcome 401 or 403 */
    long long contact_id;        /* the rows of this contact's history; 0 for none */
    /* Only these actions (the security events); NULL for any. */
    const char *const *actions;
    size_t nactions;
    long long before, after;     /* keyset cursors; 0 for none */

    /* The plan (audit_filter_parse): the index the query is driven by, so
     * that a page reads about one page of index entries per branch. */
    int by;                      /* AUDIT_BY_* */
    long long by_contact;        /* AUDIT_BY_CONTACT: the contact */
    /* AUDIT_BY_ACTION / AUDIT_BY_OUTCOME: one branch of a UNION per value,
     * each on its own index range (padded to a power of two by repeating
     * the last, so that few statement texts exist). */
    const char *by_actions[AUDIT_BRANCHES];
    int by_outcomes[AUDIT_BRANCHES];
    int nby;
    /* The time bounds as id bounds (id >= id_lo, id < id_hi; 0 for none),
     * found on the primary key: ids grow with time. */
    long long id_lo, id_hi;
} audit_filter;

/* Which page reads the filters: each takes its own set of parameters. */
enum audit_use {
    AUDIT_USE_VIEWER,   /* /audit: the filters, before and after */
    AUDIT_USE_EXPORT,   /* the exports: the filters, safe and bom */
    AUDIT_USE_SECURITY, /* /admin/security: kind, from, to, before and after */
};

/* Reads the filters of the page `use` from the query string into f
 * (strings in r->mem) and puts them on the page (Filter.<name>) for the
 * form; for AUDIT_USE_SECURITY, f->actions is limited to the security
 * events. Returns 0; 400 with r->error_message naming the parameter when
 * one is not of that page's, or given more than once; 400 with
 * Errors.<name> set and r->error_message naming each bad field (a value
 * longer than AUDIT_FILTER_MAX is one); 404 when contact, or object_type
 * contact with object_id, names a contact the user may not see (as the
 * contact page answers); or a negative enum db_rc. */
int audit_filter_parse(request *r, db *d, audit_filter *f, enum audit_use use);

/* The longest value of a filter, in bytes. */
#define AUDIT_FILTER_MAX 200

/* Appends the filters as a query string ("name=value&...", URL-encoded,
 * without before/after); nothing when there are none. */
void audit_filter_query(buf *b, const audit_filter *f);

/* Appends the filters as a JSON object, for the audit row of the request
 * that used them. */
void audit_filter_json(buf *b, const audit_filter *f);

/* Loads one page (50 rows, newest first, from f's cursor) into the page
 * values Audit.Rows.N.* with Audit.Older / Audit.Newer (the cursor links)
 * and Audit.Count; rows whose object is a contact outside the user's scope
 * show AUDIT_HIDDEN_TEXT instead of their detail. The request's audit
 * detail records the filter and the cursor. Returns an enum db_rc. */
int audit_view_page(request *r, db *d, const audit_filter *f);

/* The History panel of a contact page: the latest 10 rows of contact_id's
 * history (History.N.*), for a user allowed audit.view; nothing otherwise.
 * The caller has checked that the user may see the contact. Returns an
 * enum db_rc. */
int audit_view_contact_panel(request *r, db *d, long long contact_id);

/* Starts the streamed export of f's rows (no paging, newest first) as
 * "csv" or "json" through export.h: sets the response, the first audit
 * row's detail (format, filter) and r->stream; the closing row gets the
 * format, the filter and the number of rows. Returns the status (200). */
int audit_view_export(request *r, const audit_filter *f, const char *format);

#endif
