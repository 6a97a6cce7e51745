/* security_events: the client's security events for its administrators
 * (GET /admin/security): failed logons, refusals, unlocks and tokens used
 * from a new address, read through the audit viewer's query (audit_view.h)
 * limited to those actions. */
#include "audit_view.h"
#include "handlers.h"

/* The kinds offered, as (value, label); the values are the filter's. */
static const char *const kinds[][2] = {
    {"", "All security events"},
    {"logon", "Failed logons (all kinds)"},
    {"login.fail", "Wrong username or password"},
    {"login.lockout", "Username locked by this failure"},
    {"login.locked", "Logon while locked"},
    {"login.blocked", "Logon from a blocked address"},
    {"login.second_factor_fail", "Wrong second factor"},
    {"access.denied", "Access denied"},
    {"csrf.reject", "Form refused (CSRF)"},
    {"token.invalid", "Invalid API token"},
    {"token.refused", "API token used for a change"},
    {"user.unlock", "User unlocked"},
    {"token.new_address", "API token used from a new address"},
};

int admin_security_events(request *r, db *d)
{
    page_set(r->pg, "Security events", "Page.Title");
    page_set(r->pg, "security", "Admin.Section");
    for (size_t i = 0; i < CT_ARRAY_LEN(kinds); i++) {
        page_set(r->pg, kinds[i][0], "Kinds.%zu.value", i);
        page_set(r->pg, kinds[i][1], "Kinds.%zu.label", i);
    }
    r->template_name = "security_events.cs";
    audit_filter *f = arena_alloc(r->mem, sizeof *f);
    int rc = audit_filter_parse(r, d, f, AUDIT_USE_SECURITY);
    if (rc != 0)
        return rc;
    return (rc = audit_view_page(r, d, f)) != DB_OK ? rc : 200;
}
