/* login: the logon form, logging on and off. */
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

static int show_form(request *r, const char *username, const char *error)
{
    if (r->logged_in && !error) {
        http_redirect(r, "/contacts");
        return 303;
    }
    const char *csrf = auth_login_csrf(r);
    if (!csrf)
        return 500;
    page_set(r->pg, "Log in", "Page.Title");
    page_set(r->pg, csrf, "Login.Csrf");
    page_set(r->pg, username, "Login.Username");
    page_set(r->pg, error, "Login.Error");
    const char *next = params_get(r->form.n ? &r->form : &r->qs, "next");
    page_set(r->pg, auth_safe_next(next), "Login.Next");
    r->template_name = "login.cs";
    return 200;
}

int login_form(request *r, db *d)
{
    (void)d;
    return show_form(r, "", NULL);
}

int login_submit(request *r, db *d)
{
    size_t ulen, plen;
    const char *username = params_getn(&r->form, "username", &ulen);
    const char *password = params_getn(&r->form, "password", &plen);
    if (!username)
        username = "";
    if (!password)
        password = "";
    buf_adds(&r->detail, "{\"username\":");
    bool shown = valid_text(username, ulen, 100, false) == VALID_OK;
    json_add_string(&r->detail, shown ? username : "(invalid)", shown ? ulen : 9);
    if (!shown || ulen == 0 || plen == 0 || plen > 1024) {
        buf_adds(&r->detail, ",\"result\":\"incomplete\"}");
        r->action = "login.fail";
        show_form(r, shown ? username : "", "Wrong username or password.");
        return 401;
    }
    int rc = auth_login(r, d, username, password, plen);
    if (rc < 0)
        return rc;
    static const struct {
        const char *action, *result, *message;
    } answers[] = {
        [AUTH_WRONG] = {"login.fail", "wrong", "Wrong username or password."},
        [AUTH_LOCKED_NOW] = {"login.lockout", "locked now",
                             "Wrong username or password. After too many failed logons this username is now "
                             "locked for a while; try again later or ask an administrator to unlock it."},
        [AUTH_LOCKED] = {"login.locked", "locked",
                         "Too many failed logons: this username is locked for a while. Try again later or ask "
                         "an administrator to unlock it."},
        [AUTH_BLOCKED] = {"login.blocked", "address blocked",
                          "Too many failed logons from your network address. Try again later."},
        [AUTH_OK] = {"login", "ok", NULL},
        [AUTH_SECOND] = {"login.password_ok", "second factor next", NULL},
    };
    buf_printf(&r->detail, ",\"result\":\"%s\"}", answers[rc].result);
    r->action = answers[rc].action;
    if (answers[rc].message) {
        /* A failure is counted, and the count must outlive the 401. */
        r->keep_work = true;
        show_form(r, username, answers[rc].message);
        return 401;
    }
    /* The user who logged on is the row's object, as in the second step. */
    r->object_type = "user";
    r->object_id = r->who.user_id;
    const char *next = auth_safe_next(params_get(&r->form, "next"));
    if (rc == AUTH_SECOND) {
        buf target = {0};
        buf_adds(&target, "/login/two-factor?next=");
        buf_add_url(&target, next);
        http_redirect(r, arena_strdup(r->mem, buf_str(&target)));
        buf_free(&target);
        return 303;
    }
    http_redirect(r, next);
    return 303;
}

int logout_submit(request *r, db *d)
{
    int rc = auth_logout(r, d);
    if (rc < 0)
        return rc;
    http_redirect(r, "/login");
    return 303;
}
