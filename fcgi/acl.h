/* acl: the security matrix. The function catalogue is fixed here; a user
 * type is allowed a function only when the matrix says so (deny by default). */
#ifndef CTRACK_ACL_H
#define CTRACK_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "util.h"

/* The function catalogue, in display order. */
extern const char *const acl_functions[];
extern const size_t acl_function_count;

/* True when name is in the catalogue. */
bool acl_is_function(const char *name);

/* The functions a user type is allowed, as a bit set over acl_functions. */
typedef unsigned long long acl_set;

/* The set named by a comma-separated list of function names (NULL or ""
 * for none); names not in the catalogue are ignored. */
acl_set acl_parse_list(const char *list);
/* True when the set allows the named function (false for unknown names). */
bool acl_allows(acl_set set, const char *function);

/* Whose rows a user may reach: the row scope. Filled from the session (or,
 * for the command line, from the user acted for); client_id is never taken
 * from the request. */
typedef struct acl_scope {
    long long client_id;
    long long user_id;
    bool all_regions;   /* false: only contacts under one of user_regions */
    bool all_campaigns; /* false: only members of one of user_campaigns */
} acl_scope;

/* The row-scope condition on contacts aliased "c": appends
 * "c.client_id = ?" and, for a limited user, the region and campaign
 * conditions (constant SQL; the values are bound by acl_scope_bind). Every
 * query that reads, counts or changes contacts starts its WHERE with it. */
void acl_scope_sql(buf *sql, const acl_scope *sc);
/* Binds the parameters of acl_scope_sql from index p; returns the next
 * free index. */
int acl_scope_bind(db_stmt *s, int p, const acl_scope *sc);
/* For a geography-limited user, appends " AND <column> IN (the regions
 * under the user's regions)"; nothing for a user with all regions. column
 * is a constant of the caller, e.g. "g.id". */
void acl_regions_sql(buf *sql, const acl_scope *sc, const char *column);
/* Binds the parameters of acl_regions_sql from p; returns the next index. */
int acl_regions_bind(db_stmt *s, int p, const acl_scope *sc);
/* For a campaign-limited user, appends " AND <column> IN (the user's
 * campaigns)"; nothing for a user with all campaigns. column is a constant
 * of the caller, e.g. "g.id". Campaign pickers and pages use it, so a user
 * sees exactly the campaigns that make up their scope. */
void acl_campaigns_sql(buf *sql, const acl_scope *sc, const char *column);
/* Binds the parameters of acl_campaigns_sql from p; returns the next index. */
int acl_campaigns_bind(db_stmt *s, int p, const acl_scope *sc);
/* True when the scope limits anything beyond the client. */
bool acl_scope_limited(const acl_scope *sc);

/* Whether a contact may be given region_id (0 for none) by this user: a
 * geography-limited user may only place contacts inside their regions.
 * Returns 1 allowed, 0 not, or a negative enum db_rc. */
int acl_region_allowed(db *d, const acl_scope *sc, long long region_id);

/* Why a user can or cannot see a contact: the rule that decided, checked in
 * the order below. */
enum acl_why {
    ACL_WHY_ALLOWED = 0,
    ACL_WHY_OTHER_CLIENT, /* the contact belongs to another client */
    ACL_WHY_NOT_FOUND,    /* there is no contact with that id */
    ACL_WHY_DELETED,      /* soft-deleted: visible to nobody */
    ACL_WHY_NO_REGION,    /* a geography-limited user; the contact has no region */
    ACL_WHY_REGION,       /* its region is under none of the user's regions */
    ACL_WHY_CAMPAIGN,     /* it is a member of none of the user's campaigns */
};

/* The answer of acl_explain. Strings live in the arena given to it; a
 * region or campaign is written "Name (CODE)" / "Name". */
typedef struct acl_explanation {
    enum acl_why why;
    long long contact_id;
    bool all_regions, all_campaigns; /* the user's flags */
    const char *region;         /* the contact's region, or NULL (none, or not known) */
    const char *via_region;     /* the user's region that holds it, or NULL */
    const char *via_campaign;   /* the user's campaign that holds it, or NULL */
    const char *user_regions;   /* the user's regions, ", "-separated ("" for none) */
    const char *user_campaigns; /* the user's campaigns, likewise */
} acl_explanation;

/* Explains whether the user of scope sc (client, user and flags as the
 * session would load them) can see contact_id, and why, from the same
 * tables as acl_scope_sql; the verdict is checked against acl_scope_sql
 * itself, so the two cannot disagree unnoticed. Strings are allocated in a.
 * Returns DB_OK, or a negative enum db_rc (DB_ERR, logged as a bug, if the
 * explanation and the scope condition disagree). */
int acl_explain(db *d, arena *a, const acl_scope *sc, long long contact_id, acl_explanation *out);
/* A stable name of the rule ("allowed", "other_client", "not_found",
 * "deleted", "no_region", "region", "campaign"), for audit details. */
const char *acl_why_name(enum acl_why why);
/* Appends the explanation as one or two plain sentences for people. */
void acl_explain_text(buf *out, const acl_explanation *e);

#endif
