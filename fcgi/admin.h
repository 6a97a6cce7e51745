/* admin: what the administration pages (admin.c, admin_types.c,
 * admin_users.c) share: the page frame and showing a refusal. */
#ifndef CTRACK_ADMIN_H
#define CTRACK_ADMIN_H

#include "http.h"
#include "manage.h"

/* Sets the page title and the section the admin navigation marks
 * ("users", "types", "matrix", "explain" or ""), and the template. */
void admin_page(request *r, const char *title, const char *section, const char *template_name);
/* Shows a refusal of a manage_* operation on the page: beside its field
 * (Errors.<field>) or above the form (Form.Error). Returns the HTTP status
 * for it (manage_status), or rc itself when it is a negative enum db_rc. */
int admin_refusal(request *r, int rc, const manage_err *err);
/* Reads a positive id from form or query parameter name: the id, or 0 when
 * it is absent or not a number. */
long long admin_param_id(const params *p, const char *name);

/* The user of the path ({id}) in the administrator's client, with the audit
 * object set. Returns 1 when found, 404 when not, or a negative db rc. */
int admin_path_user(request *r, db *d, manage_user *u);
/* Sets the Security.* values of a user's page (admin_user_security.cs):
 * lock, sessions, two-factor, tokens. Returns an enum db_rc. */
int admin_security_put(request *r, db *d, const manage_user *u);

#endif
