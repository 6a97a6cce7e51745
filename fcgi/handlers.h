/* handlers: every page handler, one line each, for the route table. */
#ifndef CTRACK_HANDLERS_H
#define CTRACK_HANDLERS_H

#include "db.h"
#include "http.h"

/* system.c */
int home_page(request *r, db *d);
int health_check(request *r, db *d);
/* login.c */
int login_form(request *r, db *d);
int login_submit(request *r, db *d);
int logout_submit(request *r, db *d);
/* contacts.c */
int contacts_list(request *r, db *d);
int contacts_new(request *r, db *d);
int contacts_create(request *r, db *d);
int contacts_show(request *r, db *d);
int contacts_edit(request *r, db *d);
int contacts_update(request *r, db *d);
int contacts_confirm_delete(request *r, db *d);
int contacts_delete(request *r, db *d);
/* export.c */
int export_contacts_csv(request *r, db *d);

#endif
