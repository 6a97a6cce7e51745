/* login: the logon form, logging on and off. */
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "json.h"
#include "valid.h"

/* A local path to go to after logon: "/..." but not "//..." (another host),
 * in printable ASCII only (it goes into a Location header as it is). */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 500)
        return "/contacts";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '\\')
            return "/contacts";
    return next;
}

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
    page_set(r->pg, safe_next(next), "Login.Next");
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
    buf_addc(&r->detail, '}');
    if (!shown || ulen == 0 || plen == 0 || plen > 1024) {
        r->action = "login.fail";
        show_form(r, shown ? username : "", "Wrong username or password.");
        return 401;
    }
    int rc = auth_login(r, d, username, password, plen);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        r->action = "login.fail";
        show_form(r, username, "Wrong username or password.");
        return 401;
    }
    http_redirect(r, safe_next(params_get(&r->form, "next")));
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
