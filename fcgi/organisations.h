/* organisations: the organisations of the contacts, seen through the
 * contacts in the user's scope (the pages are in handlers.h). */
#ifndef CTRACK_ORGANISATIONS_H
#define CTRACK_ORGANISATIONS_H

#include "db.h"
#include "http.h"

/* For the contact's page: sets Contact.organisation_id when the contact
 * (live, in the user's scope) belongs to an organisation, whose page the
 * user can then see. Returns an enum db_rc. */
int organisations_contact_link(request *r, db *d, long long contact_id);

#endif
