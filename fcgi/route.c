/* route: the route table and its lookup. */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "handlers.h"

static const route routes[] = {
    {"GET", "/", home_page, ROUTE_PUBLIC, "home.view", 0},
    {"GET", "/healthz", health_check, ROUTE_PUBLIC, "health.check", 0},
    {"GET", "/login", login_form, ROUTE_PUBLIC, "login.form", 0},
    {"POST", "/login", login_submit, ROUTE_PUBLIC, "login", 0},
    {"POST", "/logout", logout_submit, ROUTE_LOGGED_IN, "logout", ROUTE_SETUP},
    {"GET", "/account/password", account_password_form, ROUTE_LOGGED_IN, "account.password_form", ROUTE_SETUP},
    {"POST", "/account/password", account_password_change, ROUTE_LOGGED_IN, "account.password_change", ROUTE_SETUP},
    /* Two-factor (two_factor.c): the logon's second step is public (the
     * handler needs the half-way session), enrolment is part of setup. */
    {"GET", "/login/two-factor", login_two_factor_form, ROUTE_PUBLIC, "login.second_factor_form", 0},
    {"POST", "/login/two-factor", login_two_factor_submit, ROUTE_PUBLIC, "login", 0},
    {"GET", "/account/two-factor", account_two_factor, ROUTE_LOGGED_IN, "two_factor.view", ROUTE_SETUP},
    {"GET", "/account/two-factor/qr.svg", account_two_factor_qr, ROUTE_LOGGED_IN, "two_factor.qr", ROUTE_SETUP},
    {"POST", "/account/two-factor", account_two_factor_enrol, ROUTE_LOGGED_IN, "two_factor.enrol", ROUTE_SETUP},
    {"POST", "/account/two-factor/recovery-codes", account_two_factor_recovery, ROUTE_LOGGED_IN,
     "two_factor.recovery_codes", 0},
    {"POST", "/account/two-factor/off", account_two_factor_off, ROUTE_LOGGED_IN, "two_factor.disable", 0},
    {"GET", "/contacts", contacts_list, "contacts.view", "contact.list", ROUTE_TOKEN},
    {"GET", "/contacts/new", contacts_new, "contacts.create", "contact.new_form", 0},
    {"POST", "/contacts", contacts_create, "contacts.create", "contact.create", 0},
    {"GET", "/contacts/{id}", contacts_show, "contacts.view", "contact.view", ROUTE_TOKEN},
    {"GET", "/contacts/{id}/edit", contacts_edit, "contacts.edit", "contact.edit_form", 0},
    {"POST", "/contacts/{id}", contacts_update, "contacts.edit", "contact.update", 0},
    {"GET", "/contacts/{id}/delete", contacts_confirm_delete, "contacts.delete", "contact.delete_form", 0},
    {"POST", "/contacts/{id}/delete", contacts_delete, "contacts.delete", "contact.delete", 0},
    /* The dashboard (dashboard.c) and its charts alone; saved views (views.c). */
    {"GET", "/dashboard", dashboard_page, "reports.view", "dashboard.view", ROUTE_TOKEN},
    {"GET", "/dashboard/map.svg", dashboard_map_svg, "reports.view", "dashboard.chart", ROUTE_TOKEN},
    {"GET", "/dashboard/activity.svg", dashboard_activity_svg, "reports.view", "dashboard.chart", ROUTE_TOKEN},
    {"GET", "/dashboard/campaigns/{id}/funnel.svg", dashboard_funnel_svg, "reports.view", "dashboard.chart",
     ROUTE_TOKEN},
    {"GET", "/views", views_list, "contacts.view", "view.list", 0},
    {"POST", "/views", views_create, "contacts.view", "view.create", 0},
    {"POST", "/views/{id}", views_update, "contacts.view", "view.update", 0},
    {"POST", "/views/{id}/delete", views_delete, "contacts.view", "view.delete", 0},
    {"GET", "/campaigns", campaigns_list, "campaigns.view", "campaign.list", ROUTE_TOKEN},
    {"POST", "/campaigns", campaigns_create, "campaigns.manage", "campaign.create", 0},
    {"GET", "/campaigns/{id}", campaigns_show, "campaigns.view", "campaign.view", ROUTE_TOKEN},
    {"POST", "/campaigns/{id}", campaigns_rename, "campaigns.manage", "campaign.rename", 0},
    {"POST", "/campaigns/{id}/archive", campaigns_archive, "campaigns.manage", "campaign.archive", 0},
    {"POST", "/campaigns/{id}/unarchive", campaigns_unarchive, "campaigns.manage", "campaign.unarchive", 0},
    {"POST", "/campaigns/{id}/members/status", campaigns_member_status, "campaigns.manage", "campaign.member_status", 0},
    {"POST", "/campaigns/{id}/members/remove", campaigns_member_remove, "campaigns.manage", "campaign.member_remove", 0},
    {"POST", "/campaigns/{id}/members/bulk-status", campaigns_bulk_status, "campaigns.manage", "campaign.bulk_status", 0},
    {"GET", "/campaigns/statuses", campaign_statuses_page, "campaigns.manage", "campaign_status.list", 0},
    {"POST", "/campaigns/statuses", campaign_statuses_add, "campaigns.manage", "campaign_status.create", 0},
    {"POST", "/campaigns/statuses/edit", campaign_statuses_edit, "campaigns.manage", "campaign_status.update", 0},
    {"POST", "/campaigns/statuses/move", campaign_statuses_move, "campaigns.manage", "campaign_status.move", 0},
    {"POST", "/campaigns/statuses/delete", campaign_statuses_delete, "campaigns.manage", "campaign_status.delete", 0},
    {"POST", "/contacts/{id}/campaigns", campaigns_contact_add, "campaigns.manage", "campaign.member_add", 0},
    {"POST", "/contacts/{id}/campaigns/remove", campaigns_contact_remove, "campaigns.manage", "campaign.member_remove", 0},
    {"POST", "/contacts/campaign-add", campaigns_bulk_add, "contacts.bulk_edit", "campaign.bulk_add", 0},
    {"POST", "/contacts/campaign-remove", campaigns_bulk_remove, "contacts.bulk_edit", "campaign.bulk_remove", 0},
    /* Activities and follow-ups (activities.c); done/undone check the
     * assignee or activities.edit themselves. */
    {"POST", "/contacts/{id}/activities", activities_create, "activities.create", "activity.create", 0},
    {"GET", "/activities/{id}/edit", activities_edit, "activities.edit", "activity.edit_form", 0},
    {"POST", "/activities/{id}", activities_update, "activities.edit", "activity.update", 0},
    {"POST", "/activities/{id}/delete", activities_delete, "activities.delete", "activity.delete", 0},
    {"POST", "/activities/{id}/done", activities_done, "activities.view", "activity.done", 0},
    {"POST", "/activities/{id}/undone", activities_undone, "activities.view", "activity.undone", 0},
    {"GET", "/follow-ups", follow_ups_list, "activities.view", "activity.follow_ups", 0},
    {"GET", "/organisations", organisations_list, "contacts.view", "organisation.list", ROUTE_TOKEN},
    {"GET", "/organisations/{id}", organisations_show, "contacts.view", "organisation.view", ROUTE_TOKEN},
    /* A user's own account (account*.c). */
    {"GET", "/account", account_home, ROUTE_LOGGED_IN, "account.view", 0},
    {"GET", "/account/sessions", account_sessions_list, ROUTE_LOGGED_IN, "session.list", 0},
    {"POST", "/account/sessions/end-others", account_sessions_end_others, ROUTE_LOGGED_IN, "session.end_others", 0},
    {"POST", "/account/sessions/{id}/end", account_sessions_end, ROUTE_LOGGED_IN, "session.end", 0},
    /* Administration (admin*.c); /admin itself checks for either function. */
    {"GET", "/admin", admin_home, ROUTE_LOGGED_IN, "admin.view", 0},
    {"GET", "/admin/explain", admin_explain, "users.manage", "user.explain", 0},
    /* The client's time zone (admin.c): activity times and due days. */
    {"POST", "/admin/time-zone", admin_time_zone, "users.manage", "client.time_zone", 0},
    {"GET", "/admin/types", admin_types_list, "matrix.manage", "usertype.list", 0},
    {"POST", "/admin/types", admin_types_create, "matrix.manage", "usertype.create", 0},
    {"GET", "/admin/types/{id}", admin_types_show, "matrix.manage", "usertype.view", 0},
    {"POST", "/admin/types/{id}", admin_types_rename, "matrix.manage", "usertype.rename", 0},
    {"POST", "/admin/types/{id}/delete", admin_types_delete, "matrix.manage", "usertype.delete", 0},
    {"POST", "/admin/types/{id}/two-factor", admin_types_two_factor, "matrix.manage", "usertype.two_factor", 0},
    {"GET", "/admin/matrix", admin_matrix_show, "matrix.manage", "matrix.view", 0},
    {"POST", "/admin/matrix", admin_matrix_save, "matrix.manage", "matrix.update", 0},
    {"GET", "/admin/users", admin_users_list, "users.manage", "user.list", 0},
    {"GET", "/admin/users/new", admin_users_new, "users.manage", "user.new_form", 0},
    {"POST", "/admin/users", admin_users_create, "users.manage", "user.create", 0},
    {"GET", "/admin/users/{id}", admin_users_show, "users.manage", "user.view", 0},
    {"GET", "/admin/users/{id}/edit", admin_users_edit, "users.manage", "user.edit_form", 0},
    {"POST", "/admin/users/{id}", admin_users_update, "users.manage", "user.update", 0},
    {"GET", "/admin/users/{id}/password", admin_users_password_form, "users.manage", "user.password_form", 0},
    {"POST", "/admin/users/{id}/password", admin_users_password, "users.manage", "user.password_reset", 0},
    {"POST", "/admin/users/{id}/unlock", admin_users_unlock, "users.manage", "user.unlock", 0},
    {"POST", "/admin/users/{id}/sessions/end", admin_users_sessions_end, "users.manage", "user.sessions_end", 0},
    {"POST", "/admin/users/{id}/two-factor/reset", admin_users_two_factor_reset, "users.manage",
     "user.two_factor_reset", 0},
    {"GET", "/admin/users/{id}/access", admin_users_access, "users.manage", "user.access_form", 0},
    {"POST", "/admin/users/{id}/regions", admin_users_regions, "users.manage", "user.regions", 0},
    {"POST", "/admin/users/{id}/campaigns", admin_users_campaigns, "users.manage", "user.campaigns", 0},
    /* API tokens: a user's own (account_tokens.c), an administrator's revoke (admin_security.c). */
    {"GET", "/account/tokens", account_tokens_list, "tokens.manage", "token.list", 0},
    {"POST", "/account/tokens", account_tokens_create, "tokens.manage", "token.create", 0},
    {"POST", "/account/tokens/{id}/revoke", account_tokens_revoke, "tokens.manage", "token.revoke", 0},
    {"POST", "/admin/tokens/{id}/revoke", admin_tokens_revoke, "users.manage", "token.admin_revoke", 0},
    {"GET", "/export/contacts.csv", export_contacts_csv, "contacts.export", "contact.export", ROUTE_TOKEN},
    {"GET", "/export/contacts.json", export_contacts_json, "contacts.export", "contact.export", ROUTE_TOKEN},
    {"GET", "/export/contacts.ndjson", export_contacts_ndjson, "contacts.export", "contact.export", ROUTE_TOKEN},
    {"GET", "/export/contacts.vcf", export_contacts_vcf, "contacts.export", "contact.export", ROUTE_TOKEN},
    {"GET", "/imports", imports_list, "contacts.import", "import.list", 0},
    {"POST", "/imports", imports_upload, "contacts.import", "import.upload", 0},
    {"GET", "/imports/{id}", imports_show, "contacts.import", "import.view", 0},
    {"POST", "/imports/{id}/run", imports_run, "contacts.import", "contact.import", 0},
    {"GET", "/imports/{id}/report.csv", imports_report_csv, "contacts.import", "import.report", 0},
    {"POST", "/imports/{id}/undo", imports_undo, "contacts.import", "contact.import_undo", 0},
    /* The audit trail (audit_view.c, security_events.c). */
    {"GET", "/audit", audit_list, "audit.view", "audit.view", ROUTE_TOKEN},
    {"GET", "/audit/export.csv", audit_export_csv, "audit.view", "audit.export", ROUTE_TOKEN},
    {"GET", "/audit/export.json", audit_export_json, "audit.view", "audit.export", ROUTE_TOKEN},
    {"GET", "/admin/security", admin_security_events, "users.manage", "security.view", 0},
};

const route *route_table(size_t *n)
{
    *n = CT_ARRAY_LEN(routes);
    return routes;
}

int route_check_table(const route *table, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const route *rt = &table[i];
        const char *why = NULL;
        if (!rt->method || (strcmp(rt->method, "GET") && strcmp(rt->method, "POST")))
            why = "method must be GET or POST";
        else if (!rt->pattern || rt->pattern[0] != '/')
            why = "pattern must start with /";
        else if (!rt->fn)
            why = "no handler";
        else if (!rt->action || !rt->action[0])
            why = "no audit action";
        else if (!rt->function)
            why = "no required function";
        else if (strcmp(rt->function, ROUTE_PUBLIC) && strcmp(rt->function, ROUTE_LOGGED_IN) &&
                 !acl_is_function(rt->function))
            why = "unknown function";
        if (why) {
            fprintf(stderr, "ctrack: route %s %s: %s\n", rt->method ? rt->method : "?",
                    rt->pattern ? rt->pattern : "?", why);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* Matches path against pattern; "{id}" takes 1 to 18 digits, no leading 0. */
static bool match(const char *pattern, const char *path, long long *id)
{
    const char *p = pattern, *s = path;
    while (*p) {
        if (strncmp(p, "{id}", 4) == 0) {
            const char *st = s;
            long long v = 0;
            while (*s >= '0' && *s <= '9' && s - st < 18)
                v = v * 10 + (*s++ - '0');
            if (s == st || *st == '0' || (*s >= '0' && *s <= '9'))
                return false;
            *id = v;
            p += 4;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

int route_find(const char *method, const char *path, const route **out, long long *id, char allow[32])
{
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    bool path_known = false;
    allow[0] = '\0';
    for (size_t i = 0; i < CT_ARRAY_LEN(routes); i++) {
        long long v = 0;
        if (!match(routes[i].pattern, path, &v))
            continue;
        if (strcmp(routes[i].method, m) == 0) {
            *out = &routes[i];
            *id = v;
            return 0;
        }
        path_known = true;
        if (!strstr(allow, routes[i].method)) {
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, routes[i].method);
            if (strcmp(routes[i].method, "GET") == 0)
                strcat(allow, ", HEAD");
        }
    }
    return path_known ? 405 : 404;
}
