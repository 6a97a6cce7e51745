/* account_password: a user changes their own password (GET and POST
 * /account/password). The current password is checked like a logon (the
 * KDF, the lockout counting a wrong one); the new one follows the rules of
 * password.h through manage_own_password. A change ends every session of
 * the user and starts a fresh one for this browser. It is reachable while
 * the user must change the password (ROUTE_SETUP): the gate leads them
 * here. */
#include <string.h>

#include "admin.h"
#include "auth.h"
#include "crypto.h"
#include "handlers.h"
#include "lockout.h"
#include "password.h"
#include "session.h"

static int show(request *r, int status)
{
    page_set(r->pg, "Change your password", "Page.Title");
    page_set_int(r->pg, PASSWORD_MIN_CHARS, "Form.PasswordMin");
    page_set_int(r->pg, PASSWORD_MAX_CHARS, "Form.PasswordMax");
    if (r->who.must_change_password)
        page_set(r->pg, "1", "Account.MustChange");
    if (status == 422 && !page_get(r->pg, "Form.Error"))
        page_set(r->pg, "Your password was not changed. Please correct the fields marked below.", "Form.Error");
    r->template_name = "account_password.cs";
    return status;
}

int account_password_form(request *r, db *d)
{
    (void)d;
    if (params_get(&r->qs, "changed"))
        page_set(r->pg, "1", "Account.Changed");
    return show(r, 200);
}

static const char SQL_STORED[] = "SELECT password_hash FROM users WHERE client_id = ? AND id = ?";

/* The user's stored hash into r->mem (NULL when none). enum db_rc. */
static int stored_hash(request *r, db *d, const char **out)
{
    *out = NULL;
    db_stmt *s = db_stmt_get(d, SQL_STORED);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, r->who.client_id);
    db_bind_int(s, 1, r->who.user_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if ((rc = db_next(s)) == 1)
        *out = arena_strdup(r->mem, db_text(s, 0, NULL));
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* The answer to a change the lockout forbids (state: LOCKOUT_USER or
 * LOCKOUT_ADDRESS): 422 with the reason. */
static int refuse_locked(request *r, int state)
{
    buf_adds(&r->detail, state == LOCKOUT_USER ? "{\"result\":\"locked\"}" : "{\"result\":\"address blocked\"}");
    page_set(r->pg,
             state == LOCKOUT_USER
                 ? "Too many failed logons: your username is locked for a while, so your current password cannot "
                   "be checked now. Try again later or ask an administrator to unlock it."
                 : "Too many failed logons from your network address: your current password cannot be checked "
                   "now. Try again later.",
             "Form.Error");
    return show(r, 422);
}

int account_password_change(request *r, db *d)
{
    r->object_type = "user";
    r->object_id = r->who.user_id;
    int rc = lockout_check(r, d, r->who.username);
    if (rc != LOCKOUT_OPEN)
        return rc < 0 ? rc : refuse_locked(r, rc);
    size_t clen = 0, plen = 0, p2len = 0;
    const char *cur = params_getn(&r->form, "current_password", &clen);
    const char *pw = params_getn(&r->form, "password", &plen);
    const char *pw2 = params_getn(&r->form, "password2", &p2len);
    if (!cur)
        cur = "", clen = 0;
    if (!pw)
        pw = "", plen = 0;
    if (plen != p2len || !crypto_equal(pw, pw2 ? pw2 : "", plen)) {
        page_set(r->pg, "does not match the new password", "Errors.password2");
        buf_adds(&r->detail, "{\"result\":\"repeat does not match\"}");
        return show(r, 422);
    }

    /* The current password, exactly as at logon: normalised, the KDF run
     * whatever it is, a wrong one counted. */
    const char *stored;
    if ((rc = stored_hash(r, d, &stored)) != DB_OK)
        return rc;
    if (!auth_password_matches(r, cur, clen, stored)) {
        if ((rc = lockout_failure(r, d, r->who.username)) < 0)
            return rc;
        /* The count must outlive the 422. */
        r->keep_work = true;
        bool locked_now = rc == LOCKOUT_LOCKED_NOW;
        buf_printf(&r->detail, "{\"result\":\"%s\"}", locked_now ? "locked now" : "wrong current password");
        page_set(r->pg,
                 locked_now ? "is not your current password. After too many failed attempts your username is now "
                              "locked for a while."
                            : "is not your current password",
                 "Errors.current_password");
        return show(r, 422);
    }
    password_norm now, next;
    password_for_check(cur, clen, &now);
    bool same = password_normalise(pw, plen, &next) == PASSWORD_OK && next.len == now.len &&
                crypto_equal(next.bytes, now.bytes, now.len);
    password_wipe(&now);
    password_wipe(&next);
    if (same) {
        page_set(r->pg, "must differ from your current password", "Errors.password");
        buf_adds(&r->detail, "{\"result\":\"same as the current password\"}");
        return show(r, 422);
    }
    if ((rc = lockout_success(r, d, r->who.username)) == LOCKOUT_WAS_LOCKED)
        return refuse_locked(r, LOCKOUT_USER);
    if (rc != DB_OK)
        return rc;

    manage_err err;
    rc = manage_own_password(d, r->who.client_id, r->who.user_id, pw, plen, r->cf->pbkdf2_iterations, &r->detail,
                             &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 ? status : show(r, status == 404 ? 422 : status);
    }
    /* Every session ended with the change, this browser's too: it goes on
     * with a fresh one. */
    if ((rc = session_start(r, d, r->who.client_id, r->who.user_id, SESSION_FULL)) != DB_OK)
        return rc;
    http_redirect(r, "/account/password?changed=1");
    return 303;
}
