/* campaign_status: each client's own membership statuses (the table
 * campaign_statuses): reading them for the campaign pages and filters, the
 * status a new member gets, and the page that manages them.
 *
 * A status has a code (what contact_campaigns.status holds), a label (what
 * users read), a stage (what it counts as in the funnel: targeted,
 * contacted, responded or declined) and a position (the order of the
 * lists; further down is further on). A new member gets the first status,
 * by position, whose stage is targeted, so at least one such status always
 * remains; a status is deleted only when no membership uses it. */
#ifndef CTRACK_CAMPAIGN_STATUS_H
#define CTRACK_CAMPAIGN_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "http.h"

#define CAMPAIGN_STATUS_CODE_MAX 40
#define CAMPAIGN_STATUS_LABEL_MAX 100
/* Statuses a client may have (lists and selects stay short). */
#define CAMPAIGN_STATUS_MAX 40

typedef struct campaign_status {
    const char *code;  /* as stored: lowercase ascii */
    const char *label;
    const char *stage; /* targeted, contacted, responded or declined */
    int position;
} campaign_status;

typedef struct campaign_status_list {
    campaign_status *v;
    size_t n;
} campaign_status_list;

/* The client's statuses in position order, strings in mem. Returns an enum
 * db_rc. */
int campaign_status_load(db *d, arena *mem, long long client_id, campaign_status_list *out);
/* The status whose code is s[0..n) (ignoring case, as the column does) in
 * l, or NULL. */
const campaign_status *campaign_status_find(const campaign_status_list *l, const char *s, size_t n);
/* Reads one status of the client by its code into *out (strings in mem).
 * share: LOCK IN SHARE MODE, taken by every change that writes the code
 * into a membership, so a delete (which locks it for update) cannot slip
 * between the check and the write. Returns 1, 0 when the client has no
 * such status, or a negative enum db_rc. */
int campaign_status_get(db *d, arena *mem, long long client_id, const char *s, size_t n, bool share,
                        campaign_status *out);
/* The code a new member gets: the first status by position whose stage is
 * targeted (in share mode, as above); *code in mem. Returns DB_OK, or a
 * negative enum db_rc (DB_ERR, logged, when the client has none). */
int campaign_status_initial(db *d, arena *mem, long long client_id, const char **code);
/* "one of A, B or C" (the labels with their codes) for an error message, in
 * mem. */
const char *campaign_status_choices(arena *mem, const campaign_status_list *l);
/* Sets prefix.N.{code,label,stage,position} on the page. */
void campaign_status_put(request *r, const campaign_status_list *l, const char *prefix);

#endif
