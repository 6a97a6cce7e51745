/* app: the request pipeline. One transaction per request holds the handler's
 * work and the audit row; the answer is sent only after COMMIT. A request that
 * fails is rolled back and its failure is audited in a fresh transaction. */
#include "app.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "http.h"
#include "multipart.h"
#include "valid.h"
#include "json.h"
#include "log.h"
#include "memory.h"
#include "render.h"
#include "route.h"

/* Values every page's layout uses. */
static void page_common(request *r)
{
    if (r->logged_in) {
        page_set(r->pg, r->who.display_name && r->who.display_name[0] ? r->who.display_name : r->who.username,
                 "Page.User.Name");
        page_set(r->pg, r->who.client_name, "Page.User.Client");
        page_set(r->pg, r->who.csrf, "Page.Csrf");
        /* Allowed.<function> is 1 for each function the matrix allows, so
         * that menus and buttons offer only what the user may do. */
        for (size_t i = 0; i < acl_function_count; i++)
            if (acl_allows(r->who.functions, acl_functions[i]))
                page_set(r->pg, "1", "Allowed.%s", acl_functions[i]);
    }
    page_set(r->pg, r->request_id, "Page.RequestId");
}

/* The error page, or plain text when even that cannot be rendered. */
static void render_error(request *r)
{
    static const struct {
        int status;
        const char *title, *message;
    } texts[] = {
        {400, "Bad request", "The request could not be understood (malformed or not UTF-8)."},
        {401, "Please log in", "You need to log in to do this."},
        {403, "Not allowed", "You are not allowed to do this, or the form expired. Go back, reload and try again."},
        {404, "Not found", "There is nothing at this address."},
        {405, "Method not allowed", "This address does not accept that kind of request."},
        {409, "Changed meanwhile", "Someone else changed this record while you were editing it."},
        {411, "Length required", "The request must say how long its body is."},
        {413, "Too large", "The request is larger than this server accepts."},
        {415, "Unsupported form", "Forms must be sent as application/x-www-form-urlencoded."},
        {500, "Something went wrong", "The request failed and nothing was changed. The error has been logged."},
        {503, "Temporarily unavailable", "The database is not reachable right now. Nothing was changed; please try again shortly."},
    };
    const char *title = http_reason(r->status), *message = "";
    for (size_t i = 0; i < CT_ARRAY_LEN(texts); i++) {
        if (texts[i].status == r->status) {
            title = texts[i].title;
            message = texts[i].message;
        }
    }
    buf_reset(&r->body_out);
    page_common(r);
    page_set_int(r->pg, r->status, "Error.Status");
    page_set(r->pg, title, "Error.Title");
    page_set(r->pg, r->error_message ? r->error_message : message, "Error.Message");
    page_set(r->pg, title, "Page.Title");
    if (render(r->pg, "error.cs", &r->body_out) != 0) {
        buf_reset(&r->body_out);
        buf_printf(&r->body_out, "%d %s\n", r->status, title);
        r->content_type_out = "text/plain; charset=utf-8";
    }
}

/* The body of an upload (multipart/form-data, RFC 7578): its text fields
 * go into r->form like a form's (the CSRF token among them), its one file
 * into r->upload. Returns 0 or 400 with the message. */
static int read_upload(request *r)
{
    multipart m;
    char err[MULTIPART_ERR_MAX];
    if (multipart_parse(r->mem, r->content_type, r->body, r->body_len, &m, err, sizeof err) != 0) {
        r->error_message = arena_printf(r->mem, "The upload could not be read: %s.", err);
        return 400;
    }
    r->form.max = HTTP_MAX_FORM_PARAMS;
    for (size_t i = 0; i < m.n; i++) {
        const multipart_part *p = &m.parts[i];
        if (p->filename) {
            if (r->upload) {
                r->error_message = "Send one file at a time.";
                return 400;
            }
            r->upload = p;
            continue;
        }
        if (!utf8_valid(p->data, p->len) || memchr(p->data, '\0', p->len) || !utf8_valid(p->name, strlen(p->name))) {
            r->error_message = "Forms must be sent in UTF-8.";
            return 400;
        }
        if (r->form.n >= HTTP_MAX_FORM_PARAMS)
            return 400;
        params_add(r->mem, &r->form, p->name, p->data, p->len);
    }
    return 0;
}

static bool same_origin(request *r)
{
    if (!r->origin[0])
        return true;
    size_t hl = strlen(r->host);
    return strncmp(r->origin, "https://", 8) == 0 && strlen(r->origin) == 8 + hl &&
           strcmp(r->origin + 8, r->host) == 0;
}

/* API tokens, login, CSRF and the security matrix, before any handler runs. */
static int gate(request *r, const route *rt, bool is_post)
{
    bool public = strcmp(rt->function, ROUTE_PUBLIC) == 0;
    /* A script's credential that does not work is its own answer (RFC 6750),
     * never the logon page; the reason goes to the audit row only. */
    if (r->token_refused) {
        r->action = "token.invalid";
        buf_reset(&r->detail);
        buf_adds(&r->detail, "{\"reason\":");
        json_add_cstr(&r->detail, r->token_refused);
        buf_adds(&r->detail, "}");
        http_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        r->error_message = "The API token is not valid: it is unknown, expired or revoked, or its user is disabled.";
        return 401;
    }
    /* A token carries no CSRF token and needs none; it is refused for what
     * it is, on every route but the read and export ones. */
    if (r->who.token_id && !(rt->flags & ROUTE_TOKEN)) {
        r->action = "token.refused";
        r->error_message = "API tokens may only read and export; log in with a browser to do this.";
        return 403;
    }
    if (is_post && (!same_origin(r) || !auth_csrf_ok(r, public))) {
        r->action = "csrf.reject";
        return 403;
    }
    if (public)
        return 0;
    if (!r->logged_in) {
        if (is_post)
            return 401;
        buf next = {0};
        buf_adds(&next, "/login?next=");
        buf_add_url(&next, r->path);
        http_redirect(r, buf_str(&next));
        buf_free(&next);
        return 303;
    }
    if ((r->who.must_change_password || r->who.must_enrol) && !(rt->flags & ROUTE_SETUP)) {
        if (is_post)
            return 403;
        /* A script cannot change a password or enrol: its user must first. */
        if (r->who.token_id) {
            r->error_message = "The token's user must first log in with a browser to finish setting up their account.";
            return 403;
        }
        http_redirect(r, r->who.must_change_password ? "/account/password" : "/account/two-factor");
        return 303;
    }
    if (strcmp(rt->function, ROUTE_LOGGED_IN) != 0 && !acl_allows(r->who.functions, rt->function)) {
        r->action = "access.denied";
        return 403;
    }
    return 0;
}

/* Security events also go to the log, one line each, for operators (the
 * audit row holds the same and more; the logger escapes what the user
 * typed). */
static void log_security(request *r)
{
    static const char *const events[] = {
        "login.fail", "login.lockout", "login.locked", "login.blocked", "login.second_factor_fail",
        "access.denied", "csrf.reject", "token.invalid", "token.refused", "user.unlock",
    };
    const char *event = NULL;
    for (size_t i = 0; i < CT_ARRAY_LEN(events) && !event; i++)
        if (r->action && strcmp(r->action, events[i]) == 0)
            event = events[i];
    if (!event && r->token_new_address && r->who.token_id && r->status < 400)
        event = "token.new_address";
    if (!event)
        return;
    log_warn("security: %s status=%d client=%lld user=%lld token=%lld addr=%s %s %s detail=%s", event, r->status,
             r->who.client_id, r->who.user_id, r->who.token_id, r->remote_addr, r->method, r->path,
             r->detail.len ? buf_str(&r->detail) : "{}");
}

/* The answer to a failed database call, with the reason for the audit row
 * (the handler's detail and the contacts it touched describe work that was
 * rolled back, so they go). */
static int fail_db(request *r, int rc)
{
    idlist_clear(&r->touched);
    const char *why = rc == DB_GONE ? "database unavailable"
                      : rc == DB_RETRY ? "lock wait or deadlock"
                      : rc == DB_TIMEOUT ? "statement timeout" : "database error";
    buf_reset(&r->detail);
    buf_adds(&r->detail, "{\"error\":");
    json_add_cstr(&r->detail, why);
    buf_adds(&r->detail, "}");
    switch (rc) {
    case DB_RETRY:
    case DB_TIMEOUT:
        r->error_message = "The database took too long (another change may hold the same record). "
                           "Nothing was changed; please try again.";
        return 503;
    case DB_GONE:
        return 503;
    default:
        return 500;
    }
}

static int audit_row(request *r, db *d)
{
    audit_entry e = {
        .client_id = r->who.client_id,
        .user_id = r->who.user_id,
        .remote_addr = r->remote_addr,
        .request_id = r->request_id,
        .method = r->method[0] ? r->method : "?",
        .path = r->path,
        .action = r->action ? r->action : "unknown",
        .object_type = r->object_type,
        .object_id = r->object_id,
        .outcome = r->status,
        .detail = r->detail.len ? buf_str(&r->detail) : NULL,
        .token_id = r->who.token_id,
    };
    if (strlen(e.method) > 10)
        e.method = "?";
    int rc = audit_append(d, r->cf, &e, &r->audit_id);
    /* A contact's history is read from audit_contacts alone (one index,
     * audit_view.c): the row's own contact goes there too. */
    if (rc == DB_OK && r->audit_id && r->who.client_id && r->object_id && r->object_type &&
        strcmp(r->object_type, "contact") == 0)
        rc = audit_add_contacts(d, r->who.client_id, r->audit_id, &r->object_id, 1);
    if (rc == DB_OK && r->touched.n && r->audit_id)
        rc = audit_add_contact_list(d, r->who.client_id, r->audit_id, &r->touched);
    /* A token used from a new address is a security event of its own, in
     * the same transaction; once per request (not again on the closing row
     * of a stream). */
    if (rc == DB_OK && r->token_new_address && r->who.token_id && r->status < 400 && !r->streaming) {
        buf addr = {0};
        buf_adds(&addr, "{\"address\":");
        json_add_cstr(&addr, r->remote_addr);
        buf_addc(&addr, '}');
        e.action = "token.new_address";
        e.object_type = "api_token"; /* as the token's own rows: one history */
        e.object_id = r->who.token_id;
        e.detail = buf_str(&addr);
        rc = audit_append(d, r->cf, &e, NULL);
        buf_free(&addr);
    }
    return rc;
}

/* Records a failed request on its own after the work was rolled back (and
 * the closing row of a streamed response, after its body). */
static void audit_failure(request *r, db *d)
{
    if (!db_alive(d)) {
        log_warn("audit: database unavailable; not recorded: %s %s -> %d", r->method, r->path, r->status);
        return;
    }
    int rc = db_begin(d);
    if (rc == DB_OK)
        rc = audit_row(r, d);
    if (rc == DB_OK)
        rc = db_commit(d);
    if (rc != DB_OK) {
        db_rollback(d);
        log_error("audit: could not record %s %s -> %d", r->method, r->path, r->status);
        if (r->status < 500)
            r->status = fail_db(r, rc);
    }
}

/* The body of a streamed response, after the request's own audit row (the
 * start) committed: the handler's stream function writes it, a second audit
 * row in its own transaction records how it ended, and a body that broke is
 * cut off so that the client cannot take it for a whole one. A body whose
 * closing row cannot be committed is cut off too: no export is delivered
 * whole without both rows. A stream that fails before its headers went out
 * still gets a proper error page. */
static void send_stream(request *r, db *d)
{
    buf_reset(&r->detail);
    r->status = r->stream(r, d);
    if (r->status < 300 && !r->streaming) {
        log_error("bug: a stream function returned %d without sending anything", r->status);
        r->status = 500;
    }
    audit_failure(r, d);
    if (!r->streaming) {
        render_error(r);
        if (r->status == 503)
            http_header(r, "Retry-After", "5");
        http_send_and_end(r);
    } else if (r->status == 200) {
        http_stream_end(r);
    } else {
        http_stream_abort(r);
    }
}

void app_handle(void *fcgx, const conf *cf, db *d)
{
    request req, *r = &req;
    memory_request_begin();
    int status = http_begin(r, fcgx, cf);
    const route *rt = NULL;
    char allow[32] = "";

    if (!db_alive(d) && db_reconnect(d) != 0) {
        r->status = 503;
        r->action = "db.unavailable";
        http_header(r, "Retry-After", "5");
        render_error(r);
        log_warn("request %s %s answered 503: database unavailable", r->method, r->path);
        http_send_and_end(r);
        return;
    }

    if (status == 0) {
        status = route_find(r->method, r->path, &rt, &r->path_id, allow);
        if (status == 405)
            http_header(r, "Allow", allow);
    }
    r->action = rt ? rt->action : status == 404 ? "http.not_found" : status == 405 ? "http.bad_method" : "http.bad_request";
    bool is_post = strcmp(r->method, "POST") == 0;
    if (status == 0 && http_parse_urlencoded(r->mem, r->query, strlen(r->query), &r->qs) != HP_OK)
        status = 400;
    bool upload = is_post && strcmp(r->path, HTTP_UPLOAD_PATH) == 0 &&
                  http_media_type_is(r->content_type, "multipart/form-data") == HP_MEDIA_OK;
    if (status == 0 && upload) {
        status = read_upload(r);
    } else if (status == 0 && is_post) {
        int media = http_media_type_is(r->content_type, "application/x-www-form-urlencoded");
        if (media == HP_MEDIA_CHARSET)
            r->error_message = "Forms must be sent in UTF-8.";
        /* Forms may carry more pairs than a query string (http_parse.h). */
        r->form.max = HTTP_MAX_FORM_PARAMS;
        if (media != HP_MEDIA_OK)
            status = 415;
        else if (http_parse_urlencoded(r->mem, r->body, r->body_len, &r->form) != HP_OK)
            status = 400;
    }

    int rc = db_begin(d);
    if (rc == DB_GONE && db_reconnect(d) == 0) {
        /* The server dropped an idle connection (a restart, wait_timeout):
         * nothing was done yet, so one fresh connection may start over. */
        log_info("db: reconnected after a lost connection");
        rc = db_begin(d);
    }
    if (rc == DB_OK)
        rc = auth_load(r, d);
    if (rc == DB_OK && status == 0)
        status = gate(r, rt, is_post);
    if (rc == DB_OK && status == 0) {
        status = rt->fn(r, d);
        if (status < 0) {
            rc = status;
            status = 0;
        }
    }
    if (rc != DB_OK)
        status = fail_db(r, rc);
    r->status = status;

    if (status < 400 && r->template_name) {
        page_common(r);
        if (render(r->pg, r->template_name, &r->body_out) != 0)
            r->status = 500;
    }
    if (r->status < 400 && now_mono_us() - r->started_us > (int64_t)cf->request_deadline * 1000000) {
        /* nginx may have given up on this request already: committing now
         * could change data behind an error the user was shown. */
        log_warn("request %s %s ran past its %d s deadline: rolled back", r->method, r->path, cf->request_deadline);
        buf_reset(&r->detail);
        idlist_clear(&r->touched);
        buf_adds(&r->detail, "{\"error\":\"deadline\"}");
        r->error_message = "The request took too long. Nothing was changed; please try again.";
        r->status = 503;
        buf_reset(&r->headers);
    }
    if (r->status < 400 && memory_request_over(cf->request_memory_mb)) {
        /* Measured once the page is rendered, before anything is committed:
         * the request is refused whole, and the worker frees what it took. */
        log_warn("request %s %s held %zu MiB, over its %zu MiB budget (Server.RequestMemoryMB): rolled back",
                 r->method, r->path, memory_request_peak() >> 20, cf->request_memory_mb);
        buf_reset(&r->detail);
        idlist_clear(&r->touched);
        buf_printf(&r->detail, "{\"error\":\"memory\",\"mib\":%zu}", memory_request_peak() >> 20);
        r->error_message = "This request needs more memory than one request may use. Nothing was changed; "
                           "try a smaller file or a narrower selection.";
        r->status = 503;
        r->template_name = NULL;
        buf_reset(&r->headers);
    }
    if (r->status < 400 || (r->keep_work && r->status < 500)) {
        rc = audit_row(r, d);
        if (rc == DB_OK)
            rc = db_commit(d);
        if (rc != DB_OK) {
            db_rollback(d);
            r->status = fail_db(r, rc);
            buf_reset(&r->headers);
            audit_failure(r, d);
        }
    } else {
        db_rollback(d);
        /* The contacts it touched were not changed or shown after all. */
        idlist_clear(&r->touched);
        audit_failure(r, d);
    }
    if (r->status >= 400) {
        /* A form that failed validation (422), a wrong password (401) or an
         * edit conflict (409) comes back as its own page with the input
         * kept; so does any refusal whose handler asked for it (show_page:
         * an import's file too large, an import the user may not run). */
        if (r->template_name && (r->status == 422 || r->status == 401 || r->status == 409 || r->show_page)) {
            page_common(r);
            buf_reset(&r->body_out);
            if (render(r->pg, r->template_name, &r->body_out) != 0)
                render_error(r);
        } else {
            render_error(r);
        }
        if (r->status == 503)
            http_header(r, "Retry-After", "5");
    }
    log_security(r);
    if (db_in_transaction(d)) {
        log_error("bug: a transaction was left open after %s %s; rolled back", r->method, r->path);
        db_rollback(d);
    }
    if (r->stream && r->status == 200) {
        send_stream(r, d);
        return;
    }
    http_send_and_end(r);
}
