/* admin_users: the pages of a client's users (users.manage): the list,
 * creating and editing, password resets, the geography and campaign limits
 * and each user's effective access. The rules live in manage.c. */
#include <string.h>

#include "admin.h"
#include "crypto.h"
#include "handlers.h"
#include "password.h"

static void put_user(request *r, const manage_user *u)
{
    page_set_int(r->pg, u->id, "User.id");
    page_set(r->pg, u->username, "User.username");
    page_set(r->pg, u->display_name, "User.display_name");
    page_set_int(r->pg, u->type_id, "User.type_id");
    page_set(r->pg, u->type_name, "User.type_name");
    page_set(r->pg, u->status, "User.status");
    page_set(r->pg, u->all_regions ? "1" : "0", "User.all_regions");
    page_set(r->pg, u->all_campaigns ? "1" : "0", "User.all_campaigns");
    page_set(r->pg, u->regions, "User.regions");
    page_set(r->pg, u->campaigns, "User.campaigns");
}

int admin_path_user(request *r, db *d, manage_user *u)
{
    r->object_type = "user";
    r->object_id = r->path_id;
    int rc = manage_user_get(d, r->mem, r->who.client_id, r->path_id, NULL, u);
    if (rc == 0)
        return 404;
    return rc < 0 ? rc : 1;
}

static int put_type_choices(request *r, db *d, long long chosen)
{
    manage_type *types;
    size_t n;
    int rc = manage_types(d, r->mem, r->who.client_id, &types, &n);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        page_set_int(r->pg, types[i].id, "Types.%zu.id", i);
        page_set(r->pg, types[i].name, "Types.%zu.name", i);
        if (types[i].id == chosen)
            page_set(r->pg, "1", "Types.%zu.chosen", i);
    }
    return DB_OK;
}

int admin_users_list(request *r, db *d)
{
    manage_user *users;
    size_t n;
    int rc = manage_users(d, r->mem, r->who.client_id, &users, &n);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const manage_user *u = &users[i];
        page_set_int(r->pg, u->id, "Users.%zu.id", i);
        page_set(r->pg, u->username, "Users.%zu.username", i);
        page_set(r->pg, u->display_name, "Users.%zu.display_name", i);
        page_set(r->pg, u->type_name, "Users.%zu.type_name", i);
        page_set(r->pg, u->status, "Users.%zu.status", i);
        page_set(r->pg, u->all_regions ? "All regions" : u->nregions ? u->region_codes : "No regions",
                 "Users.%zu.regions", i);
        page_set(r->pg, u->all_campaigns ? "All campaigns" : u->ncampaigns ? u->campaigns : "No campaigns",
                 "Users.%zu.campaigns", i);
    }
    page_set_int(r->pg, (long long)n, "Users.count");
    admin_page(r, "Users", "users", "admin_users.cs");
    return 200;
}

/* The new-user or edit form; u holds the values to show (NULL: empty). */
static int show_form(request *r, db *d, const manage_user *u, bool edit, int status)
{
    int rc = put_type_choices(r, d, u ? u->type_id : 0);
    if (rc != DB_OK)
        return rc;
    if (u)
        put_user(r, u);
    page_set(r->pg, edit ? "1" : "0", "Form.Edit");
    page_set_int(r->pg, PASSWORD_MIN_CHARS, "Form.PasswordMin");
    if (status == 422 && !page_get(r->pg, "Form.Error"))
        page_set(r->pg, "The user was not saved. Please correct the fields marked below.", "Form.Error");
    admin_page(r, edit ? "Edit user" : "New user", "users", "admin_user_form.cs");
    return status;
}

int admin_users_new(request *r, db *d)
{
    return show_form(r, d, NULL, false, 200);
}

int admin_users_create(request *r, db *d)
{
    size_t plen = 0, p2len = 0;
    const char *pw = params_getn(&r->form, "password", &plen);
    const char *pw2 = params_getn(&r->form, "password2", &p2len);
    manage_new_user nu = {
        .username = params_get(&r->form, "username"),
        .display_name = params_get(&r->form, "display_name"),
        .type_id = admin_param_id(&r->form, "user_type"),
        .password = pw ? pw : "",
        .password_len = pw ? plen : 0,
        /* The administrator knows it: the user replaces it at first logon. */
        .must_change_password = true,
    };
    manage_user shown = {.username = nu.username, .display_name = nu.display_name, .type_id = nu.type_id};
    r->object_type = "user";
    /* A typing slip in a password nobody can see is caught here, before
     * any rule of manage.c runs. */
    if (plen != p2len || !crypto_equal(nu.password, pw2 ? pw2 : "", plen)) {
        page_set(r->pg, "does not match the password", "Errors.password2");
        return show_form(r, d, &shown, false, 422);
    }
    manage_err err;
    long long id = 0;
    int rc = manage_user_create(d, r->who.client_id, &nu, r->cf->pbkdf2_iterations, &id, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 ? status : show_form(r, d, &shown, false, status == 404 ? 422 : status);
    }
    r->object_id = id;
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?created=1", id));
    return 303;
}

int admin_users_show(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    put_user(r, &u);
    /* Effective access: what the type allows, and how many contacts the
     * user's own scope reaches, counted by the same condition as every
     * contact query. */
    manage_type t;
    if ((rc = manage_type_get(d, r->mem, r->who.client_id, u.type_id, NULL, &t)) < 0)
        return rc;
    for (size_t f = 0, k = 0; f < acl_function_count; f++)
        if (rc == 1 && acl_allows(t.functions, acl_functions[f]))
            page_set(r->pg, acl_functions[f], "User.Functions.%zu", k++);
    acl_scope sc;
    manage_user_scope(r->who.client_id, &u, &sc);
    long long count;
    if ((rc = manage_scope_count(d, &sc, &count)) != DB_OK)
        return rc;
    page_set_int(r->pg, count, "User.contacts");
    if ((rc = admin_security_put(r, d, &u)) != DB_OK)
        return rc;
    static const struct {
        const char *param, *text;
    } flashes[] = {
        {"created", "The user was created. They must change the password at their first logon, and see no "
                    "contacts until you give them regions and campaigns."},
        {"saved", "The user was saved."},
        {"password", "The password was reset and the user's sessions were ended. They must change the password "
                     "at their next logon."},
        {"regions", "The geography limit was saved."},
        {"campaigns", "The campaign limit was saved."},
        {"unlocked", "The username was unlocked: its failed logons are forgotten."},
        {"notlocked", "The username was not locked (any lock had already run out)."},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(flashes); i++)
        if (params_get(&r->qs, flashes[i].param))
            page_set(r->pg, flashes[i].text, "Page.Flash");
    admin_page(r, arena_printf(r->mem, "User %s", u.username), "users", "admin_user.cs");
    return 200;
}

int admin_users_edit(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    return show_form(r, d, &u, true, 200);
}

int admin_users_update(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    manage_user_change c = {
        .display_name = params_get(&r->form, "display_name"),
        .type_id = admin_param_id(&r->form, "user_type"),
        .status = params_get(&r->form, "status"),
    };
    manage_user shown = u;
    if (c.display_name)
        shown.display_name = c.display_name;
    if (c.type_id)
        shown.type_id = c.type_id;
    if (c.status)
        shown.status = c.status;
    if (!c.type_id) {
        page_set(r->pg, "is needed: choose a user type", "Errors.user_type");
        return show_form(r, d, &shown, true, 422);
    }
    /* Locking oneself out by accident is too easy from this form. */
    if (u.id == r->who.user_id && c.status && strcmp(c.status, "disabled") == 0) {
        page_set(r->pg, "cannot be disabled for your own account: ask another administrator", "Errors.status");
        return show_form(r, d, &shown, true, 422);
    }
    manage_err err;
    rc = manage_user_update(d, r->who.client_id, u.id, &c, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_form(r, d, &shown, true, status);
    }
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?saved=1", u.id));
    return 303;
}

static int show_password(request *r, const manage_user *u, int status)
{
    put_user(r, u);
    page_set_int(r->pg, PASSWORD_MIN_CHARS, "Form.PasswordMin");
    if (status == 422 && !page_get(r->pg, "Form.Error"))
        page_set(r->pg, "The password was not changed. Please correct the fields marked below.", "Form.Error");
    admin_page(r, "Reset password", "users", "admin_user_password.cs");
    return status;
}

int admin_users_password_form(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    return rc != 1 ? rc : show_password(r, &u, 200);
}

int admin_users_password(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    size_t plen = 0, p2len = 0;
    const char *pw = params_getn(&r->form, "password", &plen);
    const char *pw2 = params_getn(&r->form, "password2", &p2len);
    if (!pw)
        pw = "";
    if (plen != p2len || !crypto_equal(pw, pw2 ? pw2 : "", plen)) {
        page_set(r->pg, "does not match the password", "Errors.password2");
        return show_password(r, &u, 422);
    }
    manage_err err;
    rc = manage_user_password(d, r->who.client_id, u.id, pw, plen, r->cf->pbkdf2_iterations, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_password(r, &u, status);
    }
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?password=1", u.id));
    return 303;
}

/* ---- the geography and campaign limits ---- */

/* Whether value is among the form's values of name. */
static bool form_has(const params *p, const char *name, const char *value)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].name, name) == 0 && strcmp(p->v[i].value, value) == 0)
            return true;
    return false;
}

/* The regions grouped by state: countries (and anything above the states)
 * first, then each state with what lies under it. from_form marks the
 * regions the refused form chose instead of the stored ones. */
static int put_regions(request *r, db *d, long long user_id, bool from_form)
{
    manage_choice *c;
    size_t n;
    int rc = manage_region_choices(d, r->mem, r->who.client_id, user_id, &c, &n);
    if (rc != DB_OK)
        return rc;
    long long top = 0, state = -1, sub = 0;
    for (size_t i = 0; i < n; i++) {
        bool chosen = from_form ? form_has(&r->form, "region", c[i].code) : c[i].chosen;
        const char *node;
        if (strcmp(c[i].kind, "state") == 0) {
            state++;
            sub = 0;
            node = arena_printf(r->mem, "Access.States.%lld", state);
        } else if (state < 0) {
            node = arena_printf(r->mem, "Access.Top.%lld", top++);
        } else {
            node = arena_printf(r->mem, "Access.States.%lld.Under.%lld", state, sub++);
        }
        page_set(r->pg, c[i].code, "%s.code", node);
        page_set(r->pg, c[i].name, "%s.name", node);
        page_set(r->pg, c[i].kind, "%s.kind", node);
        if (chosen) {
            page_set(r->pg, "1", "%s.chosen", node);
            if (state >= 0)
                page_set(r->pg, "1", "Access.States.%lld.open", state);
        }
    }
    return DB_OK;
}

static int put_campaigns(request *r, db *d, long long user_id, bool from_form)
{
    manage_choice *c;
    size_t n;
    int rc = manage_campaign_choices(d, r->mem, r->who.client_id, user_id, &c, &n);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *id = arena_printf(r->mem, "%lld", c[i].id);
        page_set(r->pg, id, "Access.Campaigns.%zu.id", i);
        page_set(r->pg, c[i].name, "Access.Campaigns.%zu.name", i);
        page_set(r->pg, c[i].kind, "Access.Campaigns.%zu.kind", i);
        if (from_form ? form_has(&r->form, "campaign", id) : c[i].chosen)
            page_set(r->pg, "1", "Access.Campaigns.%zu.chosen", i);
    }
    return DB_OK;
}

/* The limits page. which names the form sent back ("regions" or
 * "campaigns"), whose choices are shown as sent; NULL for neither. */
static int show_access(request *r, db *d, const manage_user *u, const char *which, int status)
{
    put_user(r, u);
    bool regions_sent = which && strcmp(which, "regions") == 0;
    bool campaigns_sent = which && strcmp(which, "campaigns") == 0;
    int rc = put_regions(r, d, u->id, regions_sent);
    if (rc == DB_OK)
        rc = put_campaigns(r, d, u->id, campaigns_sent);
    if (rc != DB_OK)
        return rc;
    const char *rm = regions_sent ? params_get(&r->form, "regions_mode") : u->all_regions ? "all" : "some";
    const char *cm = campaigns_sent ? params_get(&r->form, "campaigns_mode") : u->all_campaigns ? "all" : "some";
    page_set(r->pg, rm, "Access.regions_mode");
    page_set(r->pg, cm, "Access.campaigns_mode");
    admin_page(r, arena_printf(r->mem, "Access of %s", u->username), "users", "admin_user_access.cs");
    return status;
}

int admin_users_access(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    return rc != 1 ? rc : show_access(r, d, &u, NULL, 200);
}

/* "all" or "some" from the radio buttons: never assumed. */
static int read_mode(request *r, const char *name, bool *all)
{
    const char *mode = params_get(&r->form, name);
    if (mode && strcmp(mode, "all") == 0)
        *all = true;
    else if (mode && strcmp(mode, "some") == 0)
        *all = false;
    else
        return -1;
    return 0;
}

int admin_users_regions(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    bool all;
    if (read_mode(r, "regions_mode", &all) != 0) {
        page_set(r->pg, "Choose either all regions or the regions below.", "Errors.regions");
        return show_access(r, d, &u, "regions", 422);
    }
    const char **codes = arena_alloc(r->mem, (r->form.n + 1) * sizeof *codes);
    size_t n = 0;
    for (size_t i = 0; i < r->form.n; i++)
        if (strcmp(r->form.v[i].name, "region") == 0)
            codes[n++] = r->form.v[i].value;
    manage_err err;
    rc = manage_user_regions(d, r->who.client_id, u.id, all, codes, n, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_access(r, d, &u, "regions", status);
    }
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?regions=1", u.id));
    return 303;
}

int admin_users_campaigns(request *r, db *d)
{
    manage_user u;
    int rc = admin_path_user(r, d, &u);
    if (rc != 1)
        return rc;
    bool all;
    if (read_mode(r, "campaigns_mode", &all) != 0) {
        page_set(r->pg, "Choose either all campaigns or the campaigns below.", "Errors.campaigns");
        return show_access(r, d, &u, "campaigns", 422);
    }
    long long *ids = arena_alloc(r->mem, (r->form.n + 1) * sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < r->form.n; i++) {
        if (strcmp(r->form.v[i].name, "campaign") != 0)
            continue;
        int64_t v;
        if (parse_i64(r->form.v[i].value, r->form.v[i].len, 1, INT64_MAX, &v) != 0) {
            page_set(r->pg, "The form named a campaign that is not a campaign number.", "Errors.campaigns");
            return show_access(r, d, &u, "campaigns", 422);
        }
        ids[n++] = v;
    }
    manage_err err;
    rc = manage_user_campaigns(d, r->who.client_id, u.id, all, ids, n, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_access(r, d, &u, "campaigns", status);
    }
    http_redirect(r, arena_printf(r->mem, "/admin/users/%lld?campaigns=1", u.id));
    return 303;
}
