/* views: saved views (views.h) and their pages: /views lists them, POST
 * /views saves the filter of the query string under a name, POST
 * /views/{id} renames and shares, POST /views/{id}/delete deletes. Only the
 * owner changes a view; a shared view is read-only to the others. */
#include "views.h"

#include <string.h>

#include "filter.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

static const char SQL_FIND[] =
    "SELECT v.id, v.user_id, v.name, v.query, v.user_type_id IS NOT NULL FROM saved_views v"
    " WHERE v.client_id = ? AND v.id = ? AND (v.user_id = ? OR v.user_type_id = ?)";

int views_find(request *r, db *d, long long id, saved_view *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_stmt_get(d, SQL_FIND);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, r->who.user_id);
    db_bind_int(s, 3, r->who.user_type_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) == 1) {
        out->id = db_int(s, 0);
        out->user_id = db_int(s, 1);
        out->name = db_text_dup(s, 2, r->mem);
        out->query = db_text_dup(s, 3, r->mem);
        out->shared = db_int(s, 4) != 0;
    }
    db_done(s);
    return rc;
}

static const char SQL_LIST[] =
    "SELECT v.id, v.name, v.query, v.user_id = ?, v.user_type_id IS NOT NULL, u.display_name, u.username"
    " FROM saved_views v JOIN users u ON u.client_id = v.client_id AND u.id = v.user_id"
    " WHERE v.client_id = ? AND (v.user_id = ? OR v.user_type_id = ?)"
    " ORDER BY v.user_id = ? DESC, v.name, v.id";

int views_put_list(request *r, db *d)
{
    db_stmt *s = db_stmt_get(d, SQL_LIST);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.user_id);
    db_bind_int(s, 1, r->who.client_id);
    db_bind_int(s, 2, r->who.user_id);
    db_bind_int(s, 3, r->who.user_type_id);
    db_bind_int(s, 4, r->who.user_id);
    int rc = db_run(s);
    int i = 0;
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        page_set_int(r->pg, db_int(s, 0), "Views.%d.id", i);
        page_set(r->pg, db_text(s, 1, NULL), "Views.%d.name", i);
        page_set(r->pg, db_text(s, 2, NULL), "Views.%d.query", i);
        page_set(r->pg, db_int(s, 3) ? "1" : "0", "Views.%d.mine", i);
        page_set(r->pg, db_int(s, 4) ? "1" : "0", "Views.%d.shared", i);
        const char *owner = db_text(s, 5, NULL);
        page_set(r->pg, owner && *owner ? owner : db_text(s, 6, NULL), "Views.%d.owner", i);
        i++;
        rc = DB_OK;
    }
    return rc < 0 ? rc : DB_OK;
}

/* ---- the pages ---- */

static const struct {
    const char *code, *text;
} flashes[] = {
    {"renamed", "The view was saved."},
    {"deleted", "The view was deleted."},
};

/* The /views page with status (200, or 422 after a refused form). */
static int show_views(request *r, db *d, int status)
{
    int rc = views_put_list(r, d);
    if (rc != DB_OK)
        return rc;
    const char *done = params_get(&r->qs, "done");
    for (size_t i = 0; done && status == 200 && i < CT_ARRAY_LEN(flashes); i++)
        if (strcmp(done, flashes[i].code) == 0)
            page_set(r->pg, flashes[i].text, "Page.Flash");
    page_set(r->pg, "Saved views", "Page.Title");
    r->template_name = "views.cs";
    r->show_page = status != 200;
    return status;
}

int views_list(request *r, db *d)
{
    return show_views(r, d, 200);
}

/* Checks the name of a view: 1 to VIEWS_NAME_MAX characters of one line,
 * not already the name of another view of the user (names are compared as
 * the column's collation does: ignoring case and accents). Returns 0 when
 * acceptable, 1 with *msg set when not, or a negative enum db_rc. */
static const char SQL_NAME_TAKEN[] =
    "SELECT id FROM saved_views WHERE client_id = ? AND user_id = ? AND name = ? AND id <> ?";

static int check_name(request *r, db *d, const char *name, size_t n, long long self, const char **msg)
{
    if (!name || n == 0) {
        *msg = "Give the view a name.";
        return 1;
    }
    enum valid_rc vrc = valid_text(name, n, VIEWS_NAME_MAX, false);
    if (vrc != VALID_OK) {
        *msg = arena_printf(r->mem, "The name %s.", valid_message(vrc, VIEWS_NAME_MAX));
        return 1;
    }
    db_stmt *s = db_stmt_get(d, SQL_NAME_TAKEN);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->who.user_id);
    db_bind_text(s, 2, name, n);
    db_bind_int(s, 3, self);
    long long other = 0;
    int rc = db_one_int(s, &other);
    if (rc != DB_OK)
        return rc;
    if (other) {
        *msg = "You already have a view of that name: choose another.";
        return 1;
    }
    return 0;
}

/* Whether the form's "shared" checkbox is ticked. */
static bool form_shared(request *r)
{
    const char *v = params_get(&r->form, "shared");
    return v && *v && strcmp(v, "0") != 0;
}

static void detail_view(buf *b, const char *name, size_t n, const char *query, bool shared)
{
    buf_adds(b, "{\"name\":");
    json_add_string(b, name, n);
    buf_adds(b, ",\"query\":");
    json_add_cstr(b, query);
    buf_printf(b, ",\"shared\":%s}", shared ? "true" : "false");
}

static const char SQL_INSERT[] =
    "INSERT INTO saved_views (client_id, user_id, name, query, user_type_id) VALUES (?, ?, ?, ?, ?)";

int views_create(request *r, db *d)
{
    r->object_type = "saved_view";
    contact_filter f;
    int rc = filter_parse(r, d, &f);
    if (rc != 0)
        return rc;
    size_t n;
    const char *name = params_getn(&r->form, "name", &n);
    bool shared = form_shared(r);
    buf q = {0};
    filter_query(&q, &f);
    const char *query = arena_strdup(r->mem, buf_str(&q));
    buf_free(&q);
    const char *msg = NULL;
    if (!*query)
        msg = "There is no filter to save: filter the list first, then save it as a view.";
    else if (strlen(query) > 2000)
        msg = "This filter is too long to save as a view.";
    else if ((rc = check_name(r, d, name, name ? n : 0, 0, &msg)) < 0)
        return rc;
    if (msg) {
        page_set(r->pg, msg, "Errors.name");
        page_set(r->pg, "The view was not saved.", "Form.Error");
        page_setn(r->pg, name ? name : "", name ? n : 0, "New.name");
        page_set(r->pg, shared ? "1" : "0", "New.shared");
        page_set(r->pg, query, "New.query");
        return show_views(r, d, 422);
    }
    db_stmt *s = db_stmt_get(d, SQL_INSERT);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->who.user_id);
    db_bind_text(s, 2, name, n);
    db_bind_str(s, 3, query);
    if (shared)
        db_bind_int(s, 4, r->who.user_type_id);
    else
        db_bind_null(s, 4);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    r->object_id = (long long)db_insert_id(s);
    detail_view(&r->detail, name, n, query, shared);
    http_redirect(r, arena_printf(r->mem, "/contacts?view=%lld&saved=1", r->object_id));
    return 303;
}

/* The view of the path, for a change: 404 when the user cannot use it, 403
 * when it is someone else's (shared with them, read-only). Returns 0 with
 * *v set, or that status, or a negative enum db_rc. */
static int own_view(request *r, db *d, saved_view *v)
{
    r->object_type = "saved_view";
    r->object_id = r->path_id;
    int rc = views_find(r, d, r->path_id, v);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        r->error_message = "There is no such saved view among yours and those shared with your user type.";
        return 404;
    }
    if (v->user_id != r->who.user_id) {
        r->error_message = "This view was shared with you: only its owner can change or delete it.";
        return 403;
    }
    return 0;
}

static const char SQL_UPDATE[] =
    "UPDATE saved_views SET name = ?, user_type_id = ?, updated_at = UTC_TIMESTAMP(6)"
    " WHERE client_id = ? AND id = ? AND user_id = ?";

int views_update(request *r, db *d)
{
    saved_view v;
    int rc = own_view(r, d, &v);
    if (rc != 0)
        return rc;
    size_t n;
    const char *name = params_getn(&r->form, "name", &n);
    bool shared = form_shared(r);
    const char *msg = NULL;
    if ((rc = check_name(r, d, name, name ? n : 0, v.id, &msg)) < 0)
        return rc;
    if (msg) {
        page_set_int(r->pg, v.id, "Edit.id");
        page_set(r->pg, msg, "Edit.error");
        page_set(r->pg, "The view was not saved.", "Form.Error");
        page_setn(r->pg, name ? name : "", name ? n : 0, "Edit.name");
        page_set(r->pg, shared ? "1" : "0", "Edit.shared");
        return show_views(r, d, 422);
    }
    db_stmt *s = db_stmt_get(d, SQL_UPDATE);
    if (!s)
        return DB_ERR;
    db_bind_text(s, 0, name, n);
    if (shared)
        db_bind_int(s, 1, r->who.user_type_id);
    else
        db_bind_null(s, 1);
    db_bind_int(s, 2, r->who.client_id);
    db_bind_int(s, 3, v.id);
    db_bind_int(s, 4, r->who.user_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    buf_adds(&r->detail, "{\"old\":");
    detail_view(&r->detail, v.name, strlen(v.name), v.query, v.shared);
    buf_adds(&r->detail, ",\"new\":");
    detail_view(&r->detail, name, n, v.query, shared);
    buf_addc(&r->detail, '}');
    http_redirect(r, "/views?done=renamed");
    return 303;
}

static const char SQL_DELETE[] = "DELETE FROM saved_views WHERE client_id = ? AND id = ? AND user_id = ?";

int views_delete(request *r, db *d)
{
    saved_view v;
    int rc = own_view(r, d, &v);
    if (rc != 0)
        return rc;
    db_stmt *s = db_stmt_get(d, SQL_DELETE);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, v.id);
    db_bind_int(s, 2, r->who.user_id);
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    detail_view(&r->detail, v.name, strlen(v.name), v.query, v.shared);
    http_redirect(r, "/views?done=deleted");
    return 303;
}
