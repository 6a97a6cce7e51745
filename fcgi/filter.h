/* filter: the contact filter that the list, the exports and every bulk
 * action share: reading it from the query string, and turning it into the
 * FROM and WHERE of a query that always starts with the user's row scope. */
#ifndef CTRACK_FILTER_H
#define CTRACK_FILTER_H

#include "acl.h"
#include "db.h"
#include "http.h"

/* Search words: every word must occur somewhere in the name. */
#define FILTER_MAX_WORDS 6

typedef struct contact_filter {
    const char *q;        /* search text, or NULL */
    const char *region;   /* region code, or NULL */
    const char *party;    /* or NULL */
    long long campaign;   /* campaign id, 0 for none; only campaigns the user
                           * can see match anything */
    const char *status;   /* membership status in campaign, or NULL (needs
                           * campaign) */
    const char *ids;      /* a JSON array of contact ids the set is limited
                           * to (rows chosen on a page), or NULL; see
                           * filter_set_ids */
    const char *tag;      /* contacts with this tag, or NULL */
    const char *updated_since; /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC: contacts
                                * changed at or after it, or NULL */
    const char *updated_since_text; /* as the query gave it */
    bool with_deleted;    /* with updated_since: also the contacts deleted
                           * since (set by the caller, never by a parameter) */
    long long region_id;  /* the resolved region; -1 when unknown (matches nothing) */
    long long view_id;    /* the saved view the filter came from (view=ID), or 0 */
    const char *view_name; /* its name, or NULL */
    const char *like[FILTER_MAX_WORDS]; /* a LIKE pattern for each word of q */
    int nlike;
} contact_filter;

/* Reads q, region, party, campaign, status, tag and updated_since from r->qs into f (strings
 * borrowed from the request) and resolves the region code. With view=ID
 * they come from that saved view instead (views.h: the user's own or one
 * shared with their user type), read by this same parser; a filter
 * parameter with a value beside view= is refused (400), so that what a
 * view shows never depends on which of two parameters wins. Returns 0, 400
 * with r->error_message set when a parameter is not acceptable, 404 when
 * the view is not one the user may use, or a negative enum db_rc. */
int filter_parse(request *r, db *d, contact_filter *f);
/* The same for the members of one campaign (its page): f->campaign is
 * campaign_id, and a campaign parameter in the query is refused (400). */
int filter_parse_campaign(request *r, db *d, contact_filter *f, long long campaign_id);
/* Looks a region of the client up by its code. Returns 1 with *id set, 0
 * when there is none, or a negative enum db_rc. */
int filter_region_by_code(db *d, long long client_id, const char *code, size_t n, long long *id);
/* The states (regions of kind 'state') a filter form offers: those inside
 * the user's geography, by name. Returns the prepared statement with its
 * parameters bound, to run for (code, name) rows; NULL on failure (logged). */
db_stmt *filter_states_stmt(db *d, const acl_scope *sc);
/* Reads a UTC time as scripts write it: 2024-05-01, 2024-05-01T12:00:00Z,
 * with a space for the T, with up to 6 digits of fractions, with Z, +00:00
 * or nothing after it. out gets "YYYY-MM-DD HH:MM:SS.ffffff". False when s
 * is not such a time. */
bool filter_parse_time(const char *s, size_t n, char out[27]);

/* Splits search text q (NULL for none) into words at spaces and tabs and
 * makes each a LIKE pattern '%word%', LIKE's metacharacters escaped, in
 * like[0..*n) (strings in r->mem). Returns 0, or 400 with r->error_message
 * set when there are more than max words. */
int filter_like_words(request *r, const char *q, const char **like, int max, int *n);
/* True when no filter is set. */
bool filter_empty(const contact_filter *f);
/* Limits the set to the given contact ids (at least one; the caller
 * parsed them as integers), kept as a JSON array in the arena. The ids are
 * only a further condition: the scope and the rest of the filter still
 * decide, in SQL, which of them count. */
void filter_set_ids(arena *a, contact_filter *f, const long long *ids, size_t n);

/* Appends " FROM contacts c ... WHERE <scope> AND c.live = 1 AND ..." for
 * the filter. join_region adds "LEFT JOIN regions r" (for sorting by
 * region). No index hint: MariaDB 10.11 finds the sort index by itself, and
 * a prepared statement's hint limits the index-only reads of the
 * connection's later statements to that index. Fragments are constants;
 * every value is a parameter bound by filter_bind. */
void filter_sql(buf *sql, const contact_filter *f, const acl_scope *sc, bool join_region);
/* Binds the parameters of filter_sql from index p; returns the next one. */
int filter_bind(db_stmt *s, int p, const contact_filter *f, const acl_scope *sc);

/* The filter parameters (NULL-terminated): those refused beside view=. */
extern const char *const filter_params[];

/* Appends the filter as URL query parameters ("q=..&region=.."), without
 * a leading '&'; nothing when the filter is empty. Chosen ids are not part
 * of it. */
void filter_query(buf *b, const contact_filter *f);
/* Appends the filter as a JSON object, for audit rows ("status", "ids"
 * and "view", the saved view's id, only when set). */
void filter_json(buf *b, const contact_filter *f);

#endif
