/* admin: the administration start page and "can this user see that
 * contact, and why?". */
#include "admin.h"

#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "clock.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "valid.h"

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

/* "5 minutes ago": how long ago, in the largest whole unit. */
static void put_age(request *r, long long seconds, const char *name)
{
    static const struct {
        long long size;
        const char *one, *many;
    } units[] = {{86400, "day", "days"}, {3600, "hour", "hours"}, {60, "minute", "minutes"}};
    if (seconds < 60) {
        page_set(r->pg, "less than a minute ago", "%s", name);
        return;
    }
    for (size_t i = 0; i < CT_ARRAY_LEN(units); i++) {
        if (seconds >= units[i].size) {
            long long n = seconds / units[i].size;
            char text[64];
            snprintf(text, sizeof text, "%lld %s ago", n, n == 1 ? units[i].one : units[i].many);
            page_set(r->pg, text, "%s", name);
            return;
        }
    }
}

/* A daily backup older than this is late. */
#define BACKUP_LATE_SECONDS (26 * 3600)

/* Data protection, for the client's administrators: the last good backup
 * (and a failed run since), whether commits wait for a standby, and each
 * standby's state and delay. The same for every client: they share the
 * servers. */
static int put_data_protection(request *r, db *d)
{
    db_stmt *s = db_stmt_get(d, "SELECT name, DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i UTC'), "
                                "TIMESTAMPDIFF(SECOND, finished_at, UTC_TIMESTAMP(6)), offsite_ok "
                                "FROM backups WHERE ok ORDER BY finished_at DESC LIMIT 1");
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    if (db_next(s) == 1) {
        page_set(r->pg, db_text_dup(s, 0, r->mem), "Protection.Backup.name");
        page_set(r->pg, db_text_dup(s, 1, r->mem), "Protection.Backup.at");
        long long age = db_int(s, 2);
        put_age(r, age < 0 ? 0 : age, "Protection.Backup.age");
        if (age > BACKUP_LATE_SECONDS)
            page_set(r->pg, "1", "Protection.Backup.late");
        if (db_int(s, 3))
            page_set(r->pg, "1", "Protection.Backup.offsite");
    }
    db_done(s);
    s = db_stmt_get(d, "SELECT DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i UTC'), error FROM backups "
                       "WHERE NOT ok AND finished_at > COALESCE((SELECT MAX(finished_at) FROM backups WHERE ok), "
                       "'1000-01-01') ORDER BY finished_at DESC LIMIT 1");
    if (!s)
        return DB_ERR;
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if (db_next(s) == 1) {
        page_set(r->pg, db_text_dup(s, 0, r->mem), "Protection.Failed.at");
        page_set(r->pg, db_text_dup(s, 1, r->mem), "Protection.Failed.error");
    }
    db_done(s);

    /* Semi-synchronous replication, as the primary sees it. */
    /* Protected only while a standby is connected: the status variable
     * stays ON until a commit has waited out the timeout. */
    s = db_stmt_get(d, "SELECT @@global.rpl_semi_sync_master_enabled, "
                       "(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                       "WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_STATUS'), "
                       "(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                       "WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS')");
    if (!s)
        return DB_ERR;
    if ((rc = db_run(s)) != DB_OK)
        return rc;
    if (db_next(s) == 1) {
        const char *status = db_text_dup(s, 1, r->mem);
        if (db_int(s, 0))
            page_set(r->pg, strcmp(status, "ON") == 0 && db_int(s, 2) >= 1 ? "on" : "off", "Protection.SemiSync");
    }
    db_done(s);

    db_standby st[CONF_MAX_DB_SERVERS];
    int n = db_standbys(d, st, CONF_MAX_DB_SERVERS);
    page_set_int(r->pg, n, "Protection.StandbyCount");
    for (int i = 0; i < n; i++) {
        /* Numbered, not named: the servers' addresses are the operator's,
         * not the clients'. */
        page_set_int(r->pg, i + 1, "Protection.Standbys.%d.number", i);
        const char *state = !st[i].reachable ? "away"
                            : !st[i].replicating ? "idle"
                            : st[i].receiving && st[i].applying ? "replicating" : "stopped";
        page_set(r->pg, state, "Protection.Standbys.%d.state", i);
        if (st[i].delay >= 0)
            page_set_int(r->pg, st[i].delay, "Protection.Standbys.%d.delay", i);
        /* The reason is the operator's (it names servers and accounts): it
         * goes to the log, the page says only that there is one. */
        if (st[i].error[0]) {
            log_warn("db: standby %s: %s", st[i].server, st[i].error);
            page_set(r->pg, "1", "Protection.Standbys.%d.error", i);
        }
    }
    return DB_OK;
}

int admin_home(request *r, db *d)
{
    /* The route admits any logged-in user: the page is for either of two
     * functions, which the route table cannot say. */
    if (!acl_allows(r->who.functions, "users.manage") && !acl_allows(r->who.functions, "matrix.manage")) {
        r->action = "access.denied";
        return 403;
    }
    admin_page(r, "Administration", "", "admin_home.cs");
    page_set(r->pg, r->who.time_zone, "Client.time_zone");
    if (params_get(&r->qs, "zone"))
        page_set(r->pg, "The time zone was saved.", "Page.Flash");
    int rc = put_data_protection(r, d);
    return rc == DB_OK ? 200 : rc;
}

static const char SQL_ZONE[] = "UPDATE clients SET time_zone = ? WHERE id = ?";

int admin_time_zone(request *r, db *d)
{
    r->object_type = "client";
    r->object_id = r->who.client_id;
    size_t n = 0;
    const char *zone = params_getn(&r->form, "time_zone", &n);
    if (!zone || !clock_zone_valid(zone) || strlen(zone) != n) {
        admin_page(r, "Administration", "", "admin_home.cs");
        page_set(r->pg, zone && utf8_valid(zone, n) ? zone : "", "Client.time_zone");
        page_set(r->pg, "is not a time zone of the zone database: write it like America/New_York, Europe/Paris or UTC",
                 "Errors.time_zone");
        int rc = put_data_protection(r, d);
        return rc == DB_OK ? 422 : rc;
    }
    buf_adds(&r->detail, "{\"changes\":{");
    if (strcmp(zone, r->who.time_zone) != 0) {
        db_stmt *s = db_stmt_get(d, SQL_ZONE);
        if (!s)
            return DB_ERR;
        db_bind_str(s, 0, zone);
        db_bind_int(s, 1, r->who.client_id);
        int rc = db_run(s);
        if (rc != DB_OK)
            return rc;
        buf_adds(&r->detail, "\"time_zone\":{\"old\":");
        json_add_cstr(&r->detail, r->who.time_zone);
        buf_adds(&r->detail, ",\"new\":");
        json_add_cstr(&r->detail, zone);
        buf_addc(&r->detail, '}');
    }
    buf_adds(&r->detail, "}}");
    http_redirect(r, "/admin?zone=1");
    return 303;
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
