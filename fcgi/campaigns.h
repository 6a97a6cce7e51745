/* campaigns: campaigns and their members, always inside the actor's scope.
 *
 * The operations below are the one place for each rule of campaigns (names,
 * archiving, who may join, statuses, what the audit row says); the pages in
 * campaigns.c and the command line in cli_campaign.c both call them. */
#ifndef CTRACK_CAMPAIGNS_H
#define CTRACK_CAMPAIGNS_H

#include <stdbool.h>
#include <stddef.h>

#include "acl.h"
#include "db.h"
#include "filter.h"
#include "http.h"

/* Characters of a campaign name (the column is VARCHAR(200)). */
#define CAMPAIGN_NAME_MAX 200

/* The statuses of a membership are the client's own: see
 * campaign_status.h. */

/* Outcomes of the operations besides CAMP_OK; negative values are enum
 * db_rc. The operation sets op->message to say why, for the user. */
enum campaign_rc {
    CAMP_OK = 0,
    CAMP_NOT_FOUND = 1, /* no such campaign or contact within the scope (404) */
    CAMP_INVALID = 2,   /* a bad name or status (422) */
    CAMP_DUP_NAME = 3,  /* another campaign of the client has the name (422) */
    CAMP_ARCHIVED = 4,  /* the members of an archived campaign do not change (422) */
    CAMP_LIMITED = 5,   /* a campaign-limited actor may not create campaigns (403) */
};

/* What an operation works with. detail receives the audit detail (a JSON
 * object, appended); message is set to a static text on a positive
 * outcome. Strings returned through it live in mem. */
typedef struct campaign_op {
    db *d;
    const acl_scope *sc;
    arena *mem;
    buf *detail;
    const char *message;
    /* Called with each contact a change of members affects, for the
     * audit_contacts rows of the audit row; NULL when nobody keeps them. */
    void (*touch)(void *ctx, long long contact_id);
    void *touch_ctx;
} campaign_op;

/* A campaign the actor can see. Strings in the op's arena. */
typedef struct campaign_info {
    long long id;
    const char *name;
    const char *created_at;
    const char *archived_at; /* NULL while active */
} campaign_info;

/* The HTTP status that answers a positive campaign_rc. */
int campaign_rc_status(int rc);

/* Reads campaign id if the actor can see it (lock: FOR UPDATE, which every
 * change of the campaign or its members takes first, so that changes of
 * one campaign follow one another). Returns 1, 0 when not visible, or a
 * negative enum db_rc. */
int campaign_get(campaign_op *op, long long id, bool lock, campaign_info *out);

/* Called for each campaign of a list, with its members within the scope
 * (g's strings are borrowed for the call). */
typedef void (*campaign_row_fn)(void *ctx, const campaign_info *g, long long members);
/* Lists the visible campaigns, active or archived, by name, calling fn for
 * each; *rows gets their number. Detail: {"show":..,"rows":N}. Returns an
 * enum db_rc. */
int campaign_list(campaign_op *op, bool archived, campaign_row_fn fn, void *ctx, int *rows);

/* Creates a campaign named name[0..n) (trimmed); *id gets its id. Returns an
 * enum campaign_rc or db_rc. Detail: {"changes":{"name":{"old":null,"new":..}}}. */
int campaign_create(campaign_op *op, const char *name, size_t n, long long *id);
/* Renames a visible campaign. Detail: {"changes":{"name":{"old":..,"new":..}}}
 * (empty changes when the name is the same). */
int campaign_rename(campaign_op *op, long long id, const char *name, size_t n);
/* Archives (archived=true) or unarchives a visible campaign. Detail:
 * {"changes":{"archived":{"old":..,"new":..}}} (empty when already so). */
int campaign_set_archived(campaign_op *op, long long id, bool archived);

enum campaign_change { CAMPAIGN_ADD, CAMPAIGN_REMOVE };
/* Contacts one audit detail lists at most: each takes at most 60 bytes, so
 * the detail stays far below its column's 16 MB and the server's packet. */
#define CAMPAIGN_DETAIL_MAX 100000
/* Adds to (with the client's first status of stage targeted) or removes from a visible, active campaign every
 * contact of the set f (the actor's scope, the filter, and f->ids when set;
 * all in SQL). Contacts already members are not added again; *count gets
 * the number added or removed. Detail: {"campaign":{"id":..,"name":..},
 * "filter":{..},"count":N,"contacts":[{"id":..,"old":..,"new":..},..]},
 * every affected contact listed up to CAMPAIGN_DETAIL_MAX (beyond that the
 * list stops there and "truncated":true follows it); op->touch gets every
 * affected contact however many. */
int campaign_members_change(campaign_op *op, long long id, enum campaign_change how, const contact_filter *f,
                            long long *count);
/* Sets the status of every member of a visible, active campaign in the set
 * f (f->campaign is id: the scope, the filter and f->ids, in SQL) whose
 * status is not that already; status is a code of the client's
 * (CAMP_INVALID otherwise). *count gets the number changed. Detail: as for
 * campaign_members_change, with each contact's old and new status. */
int campaign_members_set_status(campaign_op *op, long long id, const contact_filter *f, const char *status,
                                size_t n, long long *count);
/* Sets the status of one member (a contact in the scope) of a visible,
 * active campaign. Detail and op->touch as for campaign_members_change
 * (no contact when the status was already so). */
int campaign_member_status(campaign_op *op, long long id, long long contact_id, const char *status, size_t n);

/* ---- for the contact pages (contacts.c) ---- */

/* The "Campaigns" panel of a contact's page: Memberships.N.* (the visible
 * campaigns the contact is in, with status) and JoinChoices.N.* (visible
 * active campaigns it could join), and a flash for a membership change
 * just made. Nothing without campaigns.view. Returns an enum db_rc. */
int campaigns_contact_panel(request *r, db *d, long long contact_id);
/* The campaigns the user can see, as Campaigns.N.{id,name,archived}, for
 * the list's campaign filter and bulk form; also the flash of a bulk change
 * just made. Returns an enum db_rc. */
int campaigns_list_choices(request *r, db *d);
/* For the new-contact form of a campaign-limited user: sets
 * Form.NeedCampaign and NewCampaigns.N.{id,name} (their active campaigns).
 * Nothing for a user with all campaigns. Returns an enum db_rc. */
int campaigns_new_contact_choices(request *r, db *d);
/* Reads the form's campaign for a new contact of a campaign-limited user
 * into *campaign_id (0 for a user with all campaigns). Returns 0 when
 * acceptable, 1 after setting Errors.campaign, or a negative enum db_rc. */
int campaigns_new_contact_read(request *r, db *d, long long *campaign_id);
/* Makes the just created contact a member (the client's first status of
 * stage targeted) of campaign_id (0:
 * nothing), in the request's transaction, and appends
 * ,"campaign":{"id":..,"name":..,"status":{"old":null,"new":"targeted"}} to
 * the open audit detail. Returns an enum db_rc (DB_ERR when the campaign
 * went away meanwhile). */
int campaigns_new_contact_join(request *r, db *d, long long contact_id, long long campaign_id);

/* ---- for activities (activities.c) ---- */

/* Outcomes of campaigns_advance besides a negative enum db_rc. */
enum campaign_advance_rc {
    CAMPAIGN_ADVANCE_SAME = 0,     /* the member is already at that status: nothing changed */
    CAMPAIGN_ADVANCE_MOVED = 1,    /* moved forward */
    CAMPAIGN_ADVANCE_BACKWARD = 2, /* the status asked for comes before the member's: not applied */
    CAMPAIGN_ADVANCE_INVALID = 3,  /* not a visible, active campaign the contact (in scope) is a
                                    * member of, or not one of the client's statuses */
};
/* Moves the contact's membership of campaign_id forward to the status
 * to_code (a code of the client's campaign_statuses): only to a status of a
 * greater position than the member's current one, never back. The campaign
 * must be visible to the user and active, the contact in the user's scope.
 * *old_code gets the member's status before (in r->mem; NULL when not a
 * member). On a move, appends ,"status":{"campaign":{"id":..,"name":..},
 * "old":..,"new":..} to the open audit detail; on a backward choice,
 * ,"status_ignored":{"campaign":{..},"current":..,"asked":..}. Returns an
 * enum campaign_advance_rc or a negative enum db_rc. */
int campaigns_advance(request *r, db *d, long long contact_id, long long campaign_id, const char *to_code,
                      const char **old_code);

#endif
