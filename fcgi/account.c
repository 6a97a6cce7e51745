/* account: the start page of a user's own account: who they are, and the
 * pages of their password, sessions, two-factor and API tokens. */
#include "handlers.h"
#include "log.h"
#include "manage.h"

int account_home(request *r, db *d)
{
    manage_user u;
    int rc = manage_user_get(d, r->mem, r->who.client_id, r->who.user_id, NULL, &u);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        /* The session was loaded from this very row a moment ago. */
        log_error("account: the logged-in user %lld is not in the database", r->who.user_id);
        return 500;
    }
    page_set(r->pg, u.username, "Account.username");
    page_set(r->pg, u.display_name, "Account.display_name");
    page_set(r->pg, r->who.client_name, "Account.client");
    page_set(r->pg, u.type_name, "Account.type_name");
    page_set(r->pg, "Your account", "Page.Title");
    r->template_name = "account_home.cs";
    return 200;
}
