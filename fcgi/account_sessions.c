/* account_sessions: a user's own live sessions, and ending them. The rules
 * of what is live live in session.c. */
#include "handlers.h"
#include "session.h"

int account_sessions_list(request *r, db *d)
{
    session_info *list;
    size_t n;
    long long total;
    int rc = session_list(d, r->mem, r->who.client_id, r->who.user_id, r->cf->session_idle_min, &list, &n, &total);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        page_set_int(r->pg, list[i].id, "Sessions.%zu.id", i);
        page_set(r->pg, list[i].created_at, "Sessions.%zu.created_at", i);
        page_set(r->pg, list[i].last_seen, "Sessions.%zu.last_seen", i);
        page_set(r->pg, list[i].remote_addr, "Sessions.%zu.remote_addr", i);
        page_set(r->pg, list[i].user_agent, "Sessions.%zu.user_agent", i);
        if (list[i].id == r->who.session_id)
            page_set(r->pg, "1", "Sessions.%zu.current", i);
    }
    page_set_int(r->pg, total, "Sessions.count");
    page_set_int(r->pg, (long long)n, "Sessions.shown");
    page_set_int(r->pg, r->cf->session_idle_min, "Sessions.idle_minutes");
    page_set_int(r->pg, r->cf->session_abs_hours, "Sessions.absolute_hours");

    /* The report of what was just ended: a number, never text from the
     * address. */
    size_t len;
    const char *ended = params_getn(&r->qs, "ended", &len);
    int64_t count;
    if (ended && parse_i64(ended, len, 0, INT64_MAX, &count) == 0)
        page_set(r->pg,
                 count == 0   ? "There were no other sessions to end."
                 : count == 1 ? "1 other session was ended."
                              : arena_printf(r->mem, "%lld other sessions were ended.", (long long)count),
                 "Page.Flash");
    else if (params_get(&r->qs, "one"))
        page_set(r->pg, "The session was ended.", "Page.Flash");
    page_set(r->pg, "Your sessions", "Page.Title");
    r->template_name = "account_sessions.cs";
    return 200;
}

int account_sessions_end_others(request *r, db *d)
{
    long long ended = 0;
    int rc = session_end_user(d, r->who.client_id, r->who.user_id, r->who.session_id, &ended);
    if (rc != DB_OK)
        return rc;
    r->object_type = "user";
    r->object_id = r->who.user_id;
    buf_printf(&r->detail, "{\"ended\":%lld}", ended);
    http_redirect(r, arena_printf(r->mem, "/account/sessions?ended=%lld", ended));
    return 303;
}

int account_sessions_end(request *r, db *d)
{
    r->object_type = "session";
    r->object_id = r->path_id;
    bool current = r->path_id == r->who.session_id;
    long long ended = 0;
    /* Ending the session in use is logging out: the cookie goes too. */
    int rc = current ? session_end_current(r, d) : session_end_one(d, r->who.client_id, r->who.user_id, r->path_id, &ended);
    if (rc != DB_OK)
        return rc;
    if (!current && ended == 0)
        return 404;
    buf_printf(&r->detail, "{\"ended\":1,\"current\":%s}", current ? "true" : "false");
    http_redirect(r, current ? "/login" : "/account/sessions?one=1");
    return 303;
}
