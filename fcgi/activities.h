/* activities: what was done with a contact (a call, a meeting, a letter, an
 * email, a note) and what is to be done (a task: a follow-up with a due
 * date and an assignee). The one place for the rules of activities: who
 * sees one, who may log, change, delete or tick one off, what a form may
 * hold, and what the audit row says. */
#ifndef CTRACK_ACTIVITIES_H
#define CTRACK_ACTIVITIES_H

#include "acl.h"
#include "db.h"
#include "http.h"

/* The visibility rule. For a query "... FROM activities a JOIN contacts c
 * ON c.client_id = a.client_id AND c.id = a.contact_id ... WHERE ", appends
 * the condition under which the user of sc sees the activity a: its contact
 * is live and in the user's row scope (acl_scope_sql), the activity is not
 * deleted, and for a campaign-limited user it has no campaign or one of
 * theirs. Constant SQL; activities_visible_bind binds it from p and returns
 * the next free index. */
void activities_visible_sql(buf *sql, const acl_scope *sc);
int activities_visible_bind(db_stmt *s, int p, const acl_scope *sc);
/* The campaign part of the rule alone, for queries that reach the contacts
 * another way (the dashboard's counts, through a filter's semi-join): for a
 * campaign-limited user " AND (a.campaign_id IS NULL OR a.campaign_id IN
 * (theirs))", nothing otherwise. The bind works like the one above. */
void activities_campaign_limit_sql(buf *sql, const acl_scope *sc);
int activities_campaign_limit_bind(db_stmt *s, int p, const acl_scope *sc);

/* The "Activities" and "Open follow-ups" panels of a contact's page (the
 * caller has checked the contact is in scope): the timeline newest first,
 * 20 a page (?activities_page=N), the form to log one for a user allowed
 * activities.create, and the open tasks. Nothing without activities.view.
 * Returns an enum db_rc. */
int activities_contact_panel(request *r, db *d, long long contact_id);

#endif
