/* admin: the administration start page and "can this user see that
 * contact, and why?". */
#include "admin.h"

#include <string.h>

#include "acl.h"
#include "handlers.h"
#include "json.h"

void admin_page(request *r, const char *title, const char *section, const char *template_name)
{
    page_set(r->pg, title, "Page.Title");
    page_set(r->pg, section, "Admin.Section");
    r->template_name = template_name;
}

int admin_refusal(request *r, int rc, const manage_err *err)
{
    if (rc < 0)
        return rc;
    /* The audit row of the refusal says why, as the command line's does. */
    buf_reset(&r->detail);
    buf_adds(&r->detail, "{\"error\":");
    json_add_cstr(&r->detail, err->message);
    buf_addc(&r->detail, '}');
    if (err->field)
        page_set(r->pg, err->message, "Errors.%s", err->field);
    else
        page_set(r->pg, err->message, "Form.Error");
    return manage_status(rc);
}

long long admin_param_id(const params *p, const char *name)
{
    size_t n;
    const char *v = params_getn(p, name, &n);
    int64_t id = 0;
    if (!v || parse_i64(v, n, 1, INT64_MAX, &id) != 0)
        return 0;
    return id;
}

int admin_home(request *r, db *d)
{
    (void)d;
    /* The route admits any logged-in user: the page is for either of two
     * functions, which the route table cannot say. */
    if (!acl_allows(r->who.functions, "users.manage") && !acl_allows(r->who.functions, "matrix.manage")) {
        r->action = "access.denied";
        return 403;
    }
    admin_page(r, "Administration", "", "admin_home.cs");
    return 200;
}

/* The users to choose from, with the one chosen marked. */
static int put_user_choices(request *r, db *d, long long chosen)
{
    manage_user *users;
    size_t n;
    int rc = manage_users(d, r->mem, r->who.client_id, &users, &n);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        page_set_int(r->pg, users[i].id, "Users.%zu.id", i);
        page_set(r->pg, users[i].username, "Users.%zu.username", i);
        page_set(r->pg, users[i].display_name, "Users.%zu.display_name", i);
        if (users[i].id == chosen)
            page_set(r->pg, "1", "Users.%zu.chosen", i);
    }
    return DB_OK;
}

int admin_explain(request *r, db *d)
{
    admin_page(r, "Who sees what", "explain", "admin_explain.cs");
    const char *user_s = params_get(&r->qs, "user"), *contact_s = params_get(&r->qs, "contact");
    long long user_id = admin_param_id(&r->qs, "user"), contact_id = admin_param_id(&r->qs, "contact");
    int rc = put_user_choices(r, d, user_id);
    if (rc != DB_OK)
        return rc;
    page_set(r->pg, contact_s, "Explain.contact");
    if ((!user_s || !*user_s) && (!contact_s || !*contact_s))
        return 200;
    int bad = 0;
    manage_user u;
    if (!user_id) {
        page_set(r->pg, "is needed: choose a user", "Errors.user");
        bad++;
    } else if ((rc = manage_user_get(d, r->mem, r->who.client_id, user_id, NULL, &u)) <= 0) {
        if (rc < 0)
            return rc;
        page_set(r->pg, "is not a user of this client", "Errors.user");
        bad++;
    }
    if (!contact_id) {
        page_set(r->pg, "must be a contact number (the number in the contact's address, /contacts/NUMBER)",
                 "Errors.contact");
        bad++;
    }
    if (bad)
        return 422;
    acl_scope sc;
    manage_user_scope(r->who.client_id, &u, &sc);
    acl_explanation e;
    if ((rc = acl_explain(d, r->mem, &sc, contact_id, &e)) != DB_OK)
        return rc;
    /* Whether an id belongs to another client is not this client's
     * business: the same answer as for no contact at all. */
    if (e.why == ACL_WHY_OTHER_CLIENT)
        e.why = ACL_WHY_NOT_FOUND;
    buf text = {0};
    acl_explain_text(&text, &e);
    page_set(r->pg, buf_str(&text), "Explain.Answer");
    buf_free(&text);
    page_set(r->pg, acl_why_name(e.why), "Explain.Rule");
    page_set(r->pg, e.why == ACL_WHY_ALLOWED ? "1" : "0", "Explain.Visible");
    page_set(r->pg, u.username, "Explain.username");
    page_set_int(r->pg, u.id, "Explain.user_id");
    page_set_int(r->pg, contact_id, "Explain.contact_id");
    manage_type t;
    if ((rc = manage_type_get(d, r->mem, r->who.client_id, u.type_id, NULL, &t)) < 0)
        return rc;
    if (strcmp(u.status, "active") != 0)
        page_set(r->pg, "1", "Explain.Disabled");
    if (rc == 1 && !acl_allows(t.functions, "contacts.view"))
        page_set(r->pg, t.name, "Explain.NoView");
    r->object_type = "user";
    r->object_id = u.id;
    buf_printf(&r->detail, "{\"user\":%lld,\"contact\":%lld,\"rule\":\"%s\",\"visible\":%s}", u.id, contact_id,
               acl_why_name(e.why), e.why == ACL_WHY_ALLOWED ? "true" : "false");
    return 200;
}
