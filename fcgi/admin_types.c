/* admin_types: the pages of the user types and of the security matrix
 * (matrix.manage). The rules live in manage.c; here are only the forms. */
#include <string.h>

#include "admin.h"
#include "handlers.h"

static int put_types(request *r, db *d, manage_type **types, size_t *n)
{
    int rc = manage_types(d, r->mem, r->who.client_id, types, n);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < *n; i++) {
        page_set_int(r->pg, (*types)[i].id, "Types.%zu.id", i);
        page_set(r->pg, (*types)[i].name, "Types.%zu.name", i);
        page_set_int(r->pg, (*types)[i].users, "Types.%zu.users", i);
        int k = 0;
        for (size_t f = 0; f < acl_function_count; f++)
            if (acl_allows((*types)[i].functions, acl_functions[f]))
                k++;
        page_set_int(r->pg, k, "Types.%zu.functions", i);
    }
    return DB_OK;
}

static int show_list(request *r, db *d, int status)
{
    manage_type *types;
    size_t n;
    int rc = put_types(r, d, &types, &n);
    if (rc != DB_OK)
        return rc;
    page_set_int(r->pg, (long long)acl_function_count, "Catalogue.count");
    admin_page(r, "User types", "types", "admin_types.cs");
    return status;
}

int admin_types_list(request *r, db *d)
{
    if (params_get(&r->qs, "deleted"))
        page_set(r->pg, "The user type was deleted.", "Page.Flash");
    return show_list(r, d, 200);
}

int admin_types_create(request *r, db *d)
{
    const char *name = params_get(&r->form, "name");
    manage_err err;
    long long id = 0;
    r->object_type = "user_type";
    int rc = manage_type_create(d, r->who.client_id, name, &id, &r->detail, &err);
    if (rc != MANAGE_OK) {
        page_set(r->pg, name, "New.name");
        int status = admin_refusal(r, rc, &err);
        return status < 0 ? status : show_list(r, d, status);
    }
    r->object_id = id;
    http_redirect(r, arena_printf(r->mem, "/admin/types/%lld?created=1", id));
    return 303;
}

/* The page of one user type; name is the text to show in the rename form
 * (NULL: its stored name). */
static int show_type(request *r, db *d, const char *name, int status)
{
    manage_type t;
    int rc = manage_type_get(d, r->mem, r->who.client_id, r->path_id, NULL, &t);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    page_set_int(r->pg, t.id, "Type.id");
    page_set(r->pg, t.name, "Type.stored_name");
    page_set(r->pg, name ? name : t.name, "Type.name");
    page_set_int(r->pg, t.users, "Type.users");
    if (t.require_two_factor)
        page_set(r->pg, "1", "Type.require_two_factor");
    for (size_t f = 0, k = 0; f < acl_function_count; f++)
        if (acl_allows(t.functions, acl_functions[f]))
            page_set(r->pg, acl_functions[f], "Type.Functions.%zu", k++);
    admin_page(r, arena_printf(r->mem, "User type %s", t.name), "types", "admin_type.cs");
    return status;
}

int admin_types_show(request *r, db *d)
{
    r->object_type = "user_type";
    r->object_id = r->path_id;
    if (params_get(&r->qs, "created"))
        page_set(r->pg, "The user type was created. Allow it functions in the matrix.", "Page.Flash");
    else if (params_get(&r->qs, "saved"))
        page_set(r->pg, "The user type was renamed.", "Page.Flash");
    else if (params_get(&r->qs, "two_factor"))
        page_set(r->pg, "The two-factor rule was saved.", "Page.Flash");
    return show_type(r, d, NULL, 200);
}

int admin_types_rename(request *r, db *d)
{
    const char *name = params_get(&r->form, "name");
    manage_err err;
    r->object_type = "user_type";
    r->object_id = r->path_id;
    int rc = manage_type_rename(d, r->who.client_id, r->path_id, name, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_type(r, d, name, status);
    }
    http_redirect(r, arena_printf(r->mem, "/admin/types/%lld?saved=1", r->path_id));
    return 303;
}

/* The checkbox "require two-factor": absent means not required. */
int admin_types_two_factor(request *r, db *d)
{
    const char *v = params_get(&r->form, "require_two_factor");
    manage_err err;
    r->object_type = "user_type";
    r->object_id = r->path_id;
    int rc = manage_type_require_two_factor(d, r->who.client_id, r->path_id, v && strcmp(v, "1") == 0, &r->detail,
                                            &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_type(r, d, NULL, status);
    }
    http_redirect(r, arena_printf(r->mem, "/admin/types/%lld?two_factor=1", r->path_id));
    return 303;
}

int admin_types_delete(request *r, db *d)
{
    manage_err err;
    r->object_type = "user_type";
    r->object_id = r->path_id;
    int rc = manage_type_delete(d, r->who.client_id, r->path_id, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 || status == 404 ? status : show_type(r, d, NULL, status);
    }
    http_redirect(r, "/admin/types?deleted=1");
    return 303;
}

/* ---- the matrix ---- */

/* The grid: a row per function of the catalogue, a cell per user type,
 * checked as sets[] says (the stored matrix, or the form sent back). */
static void put_grid(request *r, const manage_type *types, const acl_set *sets, size_t n, const char *version)
{
    buf ids = {0};
    for (size_t i = 0; i < n; i++) {
        page_set_int(r->pg, types[i].id, "Matrix.Types.%zu.id", i);
        page_set(r->pg, types[i].name, "Matrix.Types.%zu.name", i);
        page_set_int(r->pg, types[i].users, "Matrix.Types.%zu.users", i);
        if (types[i].require_two_factor)
            page_set(r->pg, "1", "Matrix.Types.%zu.two_factor", i);
        buf_printf(&ids, "%s%lld", i ? "," : "", types[i].id);
    }
    for (size_t f = 0; f < acl_function_count; f++) {
        page_set(r->pg, acl_functions[f], "Matrix.Rows.%zu.function", f);
        for (size_t i = 0; i < n; i++) {
            page_set_int(r->pg, types[i].id, "Matrix.Rows.%zu.Cells.%zu.type", f, i);
            page_set(r->pg, types[i].name, "Matrix.Rows.%zu.Cells.%zu.type_name", f, i);
            if (acl_allows(sets[i], acl_functions[f]))
                page_set(r->pg, "1", "Matrix.Rows.%zu.Cells.%zu.allowed", f, i);
        }
    }
    page_set(r->pg, buf_str(&ids), "Matrix.types");
    page_set(r->pg, version, "Matrix.version");
    buf_free(&ids);
    admin_page(r, "Security matrix", "matrix", "admin_matrix.cs");
}

int admin_matrix_show(request *r, db *d)
{
    manage_type *types;
    size_t n;
    int rc = manage_types(d, r->mem, r->who.client_id, &types, &n);
    if (rc != DB_OK)
        return rc;
    acl_set *sets = arena_alloc(r->mem, (n + 1) * sizeof *sets);
    for (size_t i = 0; i < n; i++)
        sets[i] = types[i].functions;
    char version[65];
    manage_matrix_version(types, n, version);
    if (params_get(&r->qs, "saved"))
        page_set(r->pg, "The matrix was saved.", "Page.Flash");
    put_grid(r, types, sets, n, version);
    return 200;
}

/* Reads the form: "types" lists the ids the grid showed; each checked cell
 * sends t<ID>=<function>. Fills ids[]/sets[] (arena) in the order of
 * "types". Returns 0, or 400 with r->error_message set. */
static int read_grid(request *r, long long **ids_out, acl_set **sets_out, size_t *n_out)
{
    const char *list = params_get(&r->form, "types");
    if (!list)
        list = "";
    size_t cap = strlen(list) / 2 + 1, n = 0;
    long long *ids = arena_alloc(r->mem, cap * sizeof *ids);
    acl_set *sets = arena_alloc(r->mem, cap * sizeof *sets);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int64_t v;
        if (parse_i64(p, len, 1, INT64_MAX, &v) != 0 || n == cap) {
            r->error_message = "The form is damaged (its list of user types). Reload the matrix and try again.";
            return 400;
        }
        ids[n++] = v;
        p += len + (e ? 1 : 0);
    }
    for (size_t i = 0; i < r->form.n; i++) {
        const param *pm = &r->form.v[i];
        if (pm->name[0] != 't' || strcmp(pm->name, "types") == 0)
            continue;
        int64_t v;
        size_t k = n;
        if (parse_i64(pm->name + 1, strlen(pm->name + 1), 1, INT64_MAX, &v) == 0)
            for (k = 0; k < n && ids[k] != v; k++)
                ;
        if (k == n || !acl_is_function(pm->value)) {
            r->error_message = "The form is damaged (a cell names an unknown user type or function). "
                               "Reload the matrix and try again.";
            return 400;
        }
        sets[k] |= acl_parse_list(pm->value);
    }
    *ids_out = ids;
    *sets_out = sets;
    *n_out = n;
    return 0;
}

int admin_matrix_save(request *r, db *d)
{
    long long *ids;
    acl_set *sets;
    size_t n;
    r->object_type = "matrix";
    int status = read_grid(r, &ids, &sets, &n);
    if (status)
        return status;
    manage_type *types;
    size_t nt;
    int rc = manage_types(d, r->mem, r->who.client_id, &types, &nt);
    if (rc != DB_OK)
        return rc;
    char version[65];
    manage_matrix_version(types, nt, version);
    const char *sent = params_get(&r->form, "version");
    /* The grid sent back, over the types as they are now: a type the form
     * did not show keeps its row. */
    acl_set *shown = arena_alloc(r->mem, (nt + 1) * sizeof *shown);
    for (size_t i = 0; i < nt; i++) {
        shown[i] = types[i].functions;
        for (size_t k = 0; k < n; k++)
            if (ids[k] == types[i].id)
                shown[i] = sets[k];
    }
    if (!sent || strcmp(sent, version) != 0) {
        page_set(r->pg,
                 "Someone else changed the user types or the matrix after you opened this page. Your choices are "
                 "below and were not saved; saving again replaces the other change.",
                 "Form.Error");
        put_grid(r, types, shown, nt, version);
        return 409;
    }
    manage_err err;
    rc = manage_matrix_set(d, r->who.client_id, ids, sets, n, &r->detail, &err);
    if (rc != MANAGE_OK) {
        status = admin_refusal(r, rc, &err);
        if (status > 0)
            put_grid(r, types, shown, nt, sent);
        return status;
    }
    http_redirect(r, "/admin/matrix?saved=1");
    return 303;
}
