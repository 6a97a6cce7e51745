/* account_tokens: a user's own API tokens (tokens.manage): the list with
 * each token's last use, creating one (shown once, on the answer to the
 * form) and revoking one. The rules live in token.c. */
#include <string.h>

#include "admin.h"
#include "handlers.h"
#include "token.h"

/* The list of the user's tokens and the create form (name and days as
 * typed, or the defaults), with the template. */
static int show(request *r, db *d, const char *name, const char *days, int status)
{
    token_info *v;
    size_t n;
    int rc = token_list(d, r->mem, r->who.client_id, r->who.user_id, &v, &n);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        page_set_int(r->pg, v[i].id, "Tokens.%zu.id", i);
        page_set(r->pg, v[i].name, "Tokens.%zu.name", i);
        page_set(r->pg, v[i].created, "Tokens.%zu.created", i);
        page_set(r->pg, v[i].expires, "Tokens.%zu.expires", i);
        page_set(r->pg, v[i].last_used, "Tokens.%zu.last_used", i);
        page_set(r->pg, v[i].last_addr, "Tokens.%zu.last_addr", i);
        page_set(r->pg, v[i].state, "Tokens.%zu.state", i);
    }
    page_set(r->pg, name ? name : "", "New.name");
    if (days)
        page_set(r->pg, days, "New.days");
    else
        page_set_int(r->pg, TOKEN_DAYS_DEFAULT, "New.days");
    page_set_int(r->pg, TOKEN_NAME_MAX, "Limits.name");
    page_set_int(r->pg, TOKEN_DAYS_MIN, "Limits.days_min");
    page_set_int(r->pg, TOKEN_DAYS_MAX, "Limits.days_max");
    page_set(r->pg, "API tokens", "Page.Title");
    r->template_name = "account_tokens.cs";
    return status;
}

int account_tokens_list(request *r, db *d)
{
    if (params_get(&r->qs, "revoked"))
        page_set(r->pg, "The token was revoked: it no longer works.", "Page.Flash");
    return show(r, d, NULL, NULL, 200);
}

int account_tokens_create(request *r, db *d)
{
    const char *name = params_get(&r->form, "name");
    const char *days = params_get(&r->form, "days");
    char token[BEARER_TOKEN_LEN + 1];
    long long id = 0;
    manage_err err;
    r->object_type = "api_token";
    int rc = token_create(d, r->who.client_id, r->who.user_id, name, days, token, &id, &r->detail, &err);
    if (rc != MANAGE_OK) {
        int status = admin_refusal(r, rc, &err);
        return status < 0 ? status : show(r, d, name, days, status);
    }
    r->object_id = id;
    /* The one time the token is shown: the answer to the form itself, not a
     * page one could reload or find in the history (no-store). */
    page_set(r->pg, token, "Created.token");
    page_set_int(r->pg, id, "Created.id");
    page_set(r->pg, arena_printf(r->mem, "https://%s", r->host), "Created.base");
    return show(r, d, NULL, NULL, 200);
}

int account_tokens_revoke(request *r, db *d)
{
    long long owner;
    r->object_type = "api_token";
    r->object_id = r->path_id;
    int rc = token_revoke(d, r->who.client_id, r->who.user_id, r->path_id, &owner, &r->detail);
    if (rc <= 0)
        return rc == 0 ? 404 : rc;
    http_redirect(r, "/account/tokens?revoked=1");
    return 303;
}
