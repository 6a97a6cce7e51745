/* cli_campaign: `ctrack campaign ...`.
 *
 * The command acts for a client as a whole (every region and campaign in
 * scope) on the application's database account. Each run is one
 * transaction holding the work and its audit row (method CLI, the command
 * words as path, no user, no address), with the same actions and details as
 * the pages; a run that fails changes nothing and records its failure in a
 * transaction of its own. */
#include "cli_campaign.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "manage.h"
#include "campaigns.h"
#include "db.h"
#include "util.h"

/* Contacts one run may name. */
#define MAX_CONTACTS 10000

typedef struct sub {
    const char *name;
    const char *action; /* the audit action, as the pages record it */
    const char *args;   /* for the usage line */
    const char *help;
} sub;

static const sub subs[] = {
    {"list", "campaign.list", "[--archived]", "the campaigns (active, or archived) with their number of members"},
    {"create", "campaign.create", "--name NAME", "create a campaign (names are unique per client)"},
    {"rename", "campaign.rename", "--campaign ID --name NAME", "rename a campaign"},
    {"archive", "campaign.archive", "--campaign ID", "archive a campaign (its members no longer change)"},
    {"unarchive", "campaign.unarchive", "--campaign ID", "make an archived campaign active again"},
    {"add", "campaign.member_add", "--campaign ID CONTACT...",
     "add contacts to a campaign as \"targeted\" (members already are left as they are)"},
    {"remove", "campaign.member_remove", "--campaign ID CONTACT...", "remove contacts from a campaign"},
};

static void usage_all(FILE *out)
{
    fprintf(out, "usage: ctrack campaign <command> --client NAME [options] [-c CONFIG]\n\ncommands:\n");
    for (size_t i = 0; i < CT_ARRAY_LEN(subs); i++)
        fprintf(out, "  %-10s %s\n", subs[i].name, subs[i].help);
    fprintf(out, "\n  CONTACT is --contact ID or --external-id ID, each as often as needed.\n"
                 "  ctrack campaign <command> --help shows the options of one command.\n"
                 "  Exit status: 0 done, 1 failed (nothing changed), 2 bad usage.\n");
}

static void usage_sub(FILE *out, const sub *sb)
{
    fprintf(out, "usage: ctrack campaign %s --client NAME %s [-c CONFIG]\n\n  %s\n", sb->name, sb->args, sb->help);
    if (strcmp(sb->name, "add") == 0 || strcmp(sb->name, "remove") == 0)
        fprintf(out, "\n  CONTACT is --contact ID (the contact's number) or --external-id ID (its\n"
                     "  external id), each as often as needed. A contact that does not exist fails\n"
                     "  the whole run.\n");
    fprintf(out, "\n  --client NAME  the client organisation, by its exact name\n"
                 "  -c CONFIG      the configuration file (default: $CTRACK_CONF or the built-in path)\n");
}

typedef struct args {
    const sub *sb;
    const char *conf_path;
    const char *client;
    const char *name;
    long long campaign;
    bool archived;
    long long *ids;        /* --contact */
    size_t nids;
    const char **ext;      /* --external-id */
    size_t next;
} args;

static int bad_usage(const sub *sb, const char *fmt, ...) CT_PRINTF(2, 3);
static int bad_usage(const sub *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ctrack: campaign: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n\n");
    va_end(ap);
    if (sb)
        usage_sub(stderr, sb);
    else
        usage_all(stderr);
    return 2;
}

static bool parse_id(const char *s, long long *out)
{
    int64_t v;
    if (parse_i64(s, strlen(s), 1, 4294967295LL, &v) != 0)
        return false;
    *out = v;
    return true;
}

/* Reads the options into a; returns -1 when they are acceptable, else the
 * exit status (0 after --help). */
static int parse_args(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage_sub(stdout, a->sb);
            return 0;
        } else if (strcmp(o, "-c") == 0 && has) {
            a->conf_path = argv[++i];
        } else if (strcmp(o, "--client") == 0 && has) {
            a->client = argv[++i];
        } else if (strcmp(o, "--name") == 0 && has) {
            a->name = argv[++i];
        } else if (strcmp(o, "--campaign") == 0 && has) {
            if (!parse_id(argv[++i], &a->campaign))
                return bad_usage(a->sb, "--campaign takes a campaign number, not %s", argv[i]);
        } else if (strcmp(o, "--archived") == 0) {
            a->archived = true;
        } else if ((strcmp(o, "--contact") == 0 || strcmp(o, "--external-id") == 0) && has) {
            if (a->nids + a->next >= MAX_CONTACTS)
                return bad_usage(a->sb, "%d contacts at most in one run", MAX_CONTACTS);
            if (strcmp(o, "--contact") == 0) {
                long long id;
                if (!parse_id(argv[++i], &id))
                    return bad_usage(a->sb, "--contact takes a contact number, not %s", argv[i]);
                a->ids[a->nids++] = id;
            } else {
                a->ext[a->next++] = argv[++i];
            }
        } else {
            return bad_usage(a->sb, "unknown or incomplete argument: %s", o);
        }
    }
    const char *n = a->sb->name;
    bool needs_campaign = strcmp(n, "list") != 0 && strcmp(n, "create") != 0;
    bool needs_name = strcmp(n, "create") == 0 || strcmp(n, "rename") == 0;
    bool takes_contacts = strcmp(n, "add") == 0 || strcmp(n, "remove") == 0;
    if (!a->client)
        return bad_usage(a->sb, "%s needs --client NAME", n);
    if (needs_campaign && !a->campaign)
        return bad_usage(a->sb, "%s needs --campaign ID", n);
    if (!needs_campaign && a->campaign)
        return bad_usage(a->sb, "%s takes no --campaign", n);
    if (needs_name != (a->name != NULL))
        return bad_usage(a->sb, needs_name ? "%s needs --name NAME" : "%s takes no --name", n);
    if (takes_contacts != (a->nids + a->next > 0))
        return bad_usage(a->sb, takes_contacts ? "%s needs at least one --contact or --external-id"
                                               : "%s takes no contacts", n);
    if (a->archived && strcmp(n, "list") != 0)
        return bad_usage(a->sb, "%s takes no --archived", n);
    return -1;
}

/* One run against the database. */
typedef struct run {
    const args *a;
    cli_run r;  /* configuration, connection and the audit row */
    db *d;      /* r.d */
    arena *mem;
    acl_scope sc;
    buf path;   /* the command words, for the audit row */
    buf detail;
    buf out;    /* what is printed after the commit */
    long long *touched; /* the contacts changed, for r.touched */
    size_t ntouched, captouched;
} run;

static void touch_run(void *ctx, long long contact_id)
{
    run *rn = ctx;
    rn->touched = arena_grow(rn->mem, rn->touched, &rn->captouched, rn->ntouched, sizeof *rn->touched);
    rn->touched[rn->ntouched++] = contact_id;
    rn->r.touched = rn->touched;
    rn->r.ntouched = rn->ntouched;
}

static const char SQL_CONTACT_BY_ID_END[] = " AND c.live = 1 AND c.id = ?";
static const char SQL_CONTACT_BY_EXT_END[] = " AND c.live = 1 AND c.external_id = ?";

/* The contacts named on the command line, as ids (each must exist). */
static int resolve_contacts(run *rn, long long *ids, size_t *n, const char **missing)
{
    const args *a = rn->a;
    *n = 0;
    for (size_t k = 0; k < a->nids + a->next; k++) {
        bool by_id = k < a->nids;
        buf sql = {0};
        buf_adds(&sql, "SELECT c.id FROM contacts c WHERE ");
        acl_scope_sql(&sql, &rn->sc);
        buf_adds(&sql, by_id ? SQL_CONTACT_BY_ID_END : SQL_CONTACT_BY_EXT_END);
        db_stmt *s = db_stmt_get(rn->d, buf_str(&sql));
        buf_free(&sql);
        if (!s)
            return DB_ERR;
        int p = acl_scope_bind(s, 0, &rn->sc);
        if (by_id)
            db_bind_int(s, p, a->ids[k]);
        else
            db_bind_str(s, p, a->ext[k - a->nids]);
        int rc = db_run(s);
        if (rc != DB_OK)
            return rc;
        if ((rc = db_next(s)) < 0)
            return rc;
        if (rc == 0) {
            *missing = by_id ? arena_printf(rn->mem, "no contact %lld", a->ids[k])
                             : arena_printf(rn->mem, "no contact with external id %s", a->ext[k - a->nids]);
            return CAMP_NOT_FOUND;
        }
        long long id = db_int(s, 0);
        db_done(s);
        bool seen = false;
        for (size_t j = 0; j < *n && !seen; j++)
            seen = ids[j] == id;
        if (!seen)
            ids[(*n)++] = id;
    }
    return CAMP_OK;
}

static void print_row(void *ctx, const campaign_info *g, long long members)
{
    run *rn = ctx;
    buf_printf(&rn->out, "%lld\t%s\t%lld\t%s\n", g->id, g->archived_at ? "archived" : "active", members, g->name);
}

/* The work; returns an enum campaign_rc or db_rc, with *message set on a
 * positive outcome. */
static int work(run *rn, const char **message)
{
    const args *a = rn->a;
    const char *n = a->sb->name;
    campaign_op op = {.d = rn->d, .sc = &rn->sc, .mem = rn->mem, .detail = &rn->detail,
                      .touch = touch_run, .touch_ctx = rn};
    int rc;
    rn->r.object_id = a->campaign;
    if (strcmp(n, "list") == 0) {
        int rows;
        rc = campaign_list(&op, a->archived, print_row, rn, &rows);
    } else if (strcmp(n, "create") == 0) {
        rc = campaign_create(&op, a->name, strlen(a->name), &rn->r.object_id);
        if (rc == CAMP_OK)
            buf_printf(&rn->out, "created campaign %lld\n", rn->r.object_id);
    } else if (strcmp(n, "rename") == 0) {
        rc = campaign_rename(&op, a->campaign, a->name, strlen(a->name));
        if (rc == CAMP_OK)
            buf_printf(&rn->out, "renamed campaign %lld\n", a->campaign);
    } else if (strcmp(n, "archive") == 0 || strcmp(n, "unarchive") == 0) {
        bool archive = strcmp(n, "archive") == 0;
        rc = campaign_set_archived(&op, a->campaign, archive);
        if (rc == CAMP_OK)
            buf_printf(&rn->out, "%s campaign %lld\n", archive ? "archived" : "unarchived", a->campaign);
    } else {
        bool add = strcmp(n, "add") == 0;
        long long *ids = xcalloc(a->nids + a->next, sizeof *ids);
        size_t nids;
        const char *missing = NULL;
        rc = resolve_contacts(rn, ids, &nids, &missing);
        if (rc == CAMP_OK) {
            contact_filter f;
            memset(&f, 0, sizeof f);
            filter_set_ids(rn->mem, &f, ids, nids);
            long long count;
            rc = campaign_members_change(&op, a->campaign, add ? CAMPAIGN_ADD : CAMPAIGN_REMOVE, &f, &count);
            if (rc == CAMP_OK)
                buf_printf(&rn->out, "%s %lld contact%s %s campaign %lld (%s: %lld)\n", add ? "added" : "removed",
                           count, count == 1 ? "" : "s", add ? "to" : "from", a->campaign,
                           add ? "members already" : "not members", (long long)nids - count);
        } else if (rc == CAMP_NOT_FOUND) {
            op.message = missing;
        }
        free(ids);
    }
    *message = op.message;
    return rc;
}

static int execute(run *rn)
{
    const char *message = NULL;
    rn->r.path = buf_str(&rn->path);
    rn->r.action = rn->a->sb->action;
    rn->r.object_type = strcmp(rn->a->sb->name, "list") == 0 ? NULL : "campaign";
    int rc = db_begin(rn->d);
    if (rc == DB_OK && (rc = manage_client_find(rn->d, rn->a->client, &rn->sc.client_id)) == 0) {
        db_rollback(rn->d);
        fprintf(stderr, "ctrack: campaign: there is no client named \"%s\"\n", rn->a->client);
        return 1;
    }
    rn->r.client_id = rn->sc.client_id;
    if (rc == 1)
        rc = work(rn, &message);
    if (rc == CAMP_OK && cli_commit(&rn->r, rn->detail.len ? buf_str(&rn->detail) : NULL) == DB_OK) {
        fputs(buf_str(&rn->out), stdout);
        return 0;
    }
    int outcome = rc > 0 ? campaign_rc_status(rc) : cli_db_outcome(rc);
    const char *why = rc > 0 ? (message ? message : "refused") : cli_db_failure(rc);
    int wl = (int)strlen(why);
    if (wl > 0 && why[wl - 1] == '.')
        wl--; /* the pages' sentences, inside a line of ours */
    fprintf(stderr, "ctrack: campaign: %s%.*s; nothing changed\n",
            rc == CAMP_INVALID || rc == CAMP_DUP_NAME ? "the name " : "", wl, why);
    /* The failure is recorded on its own, as the pages do. */
    cli_record_failure(&rn->r, outcome, why);
    return 1;
}

int cli_campaign(int argc, char **argv, const char *conf_path)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "help") == 0) {
        usage_all(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    args a = {0};
    for (size_t i = 0; i < CT_ARRAY_LEN(subs); i++)
        if (strcmp(argv[0], subs[i].name) == 0)
            a.sb = &subs[i];
    if (!a.sb)
        return bad_usage(NULL, "unknown command: %s", argv[0]);
    a.conf_path = conf_path;
    a.ids = xcalloc(MAX_CONTACTS, sizeof *a.ids);
    a.ext = xcalloc(MAX_CONTACTS, sizeof *a.ext);
    int ret = parse_args(argc, argv, &a);
    if (ret >= 0)
        goto out;
    ret = 1;
    run rn = {.a = &a, .sc = {.all_regions = true, .all_campaigns = true}};
    if (cli_open(&rn.r, a.conf_path, DB_APP) == 0) {
        rn.d = rn.r.d;
        buf_printf(&rn.path, "campaign %s", a.sb->name);
        rn.mem = arena_new();
        ret = execute(&rn);
        arena_free(rn.mem);
        cli_close(&rn.r);
    }
    buf_free(&rn.path);
    buf_free(&rn.detail);
    buf_free(&rn.out);
out:
    free(a.ids);
    free(a.ext);
    return ret;
}
