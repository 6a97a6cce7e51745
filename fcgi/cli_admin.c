/* cli_admin: the administration commands. Each one parses its words, opens
 * one transaction, calls the same manage.c operation as the page that does
 * the same thing, appends the audit row (method CLI, no user, no address) and
 * commits; only then does it print what it found or did. A refused or
 * failed command is rolled back and its failure audited on its own, as a
 * page's would be. */
#include "cli_admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "cli.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "manage.h"
#include "util.h"

#define CLI_MAX_ARGS 1000

enum { NO_CLIENT = 1, ADMIN_DB = 2, PASSWORD = 4 };

typedef struct cli cli;
typedef int (*cli_fn)(cli *x);

typedef struct command {
    const char *group, *name;
    const char *synopsis; /* after "ctrack GROUP NAME" */
    const char *help;
    const char *options;  /* the options it takes besides -c and --client */
    int min, max;         /* positional arguments; max -1 for any number */
    unsigned flags;
    const char *action;   /* the audit action, as the page's */
    cli_fn run;
} command;

struct cli {
    const command *cmd;
    const char *conf_path, *client, *type, *display_name, *password_file;
    bool password_stdin, all, none, must_change;
    const char *args[CLI_MAX_ARGS];
    int nargs;
    buf words;  /* the command for the audit row */
    cli_run r;  /* configuration, connection and the audit row */
    arena *a;
    buf detail;
    buf out;    /* printed after the commit */
    char *password;
    size_t password_len;
    manage_err err;
};

static int refuse(cli *x, int rc, const char *fmt, ...) CT_PRINTF(3, 4);

static int refuse(cli *x, int rc, const char *fmt, ...)
{
    x->err.field = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err.message, sizeof x->err.message, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- lookups by name ---- */

static int find_type(cli *x, const char *name, manage_type *t)
{
    int rc = manage_type_get(x->r.d, x->a, x->r.client_id, 0, name, t);
    if (rc == 0)
        return refuse(x, MANAGE_NOT_FOUND, "there is no user type \"%s\" in the client \"%s\"", name, x->client);
    return rc < 0 ? rc : MANAGE_OK;
}

static int find_user(cli *x, const char *username, manage_user *u)
{
    int rc = manage_user_get(x->r.d, x->a, x->r.client_id, 0, username, u);
    if (rc == 0)
        return refuse(x, MANAGE_NOT_FOUND, "there is no user \"%s\" in the client \"%s\"", username, x->client);
    if (rc < 0)
        return rc;
    x->r.object_type = "user";
    x->r.object_id = u->id;
    return MANAGE_OK;
}

/* ---- the commands ---- */

static int client_create(cli *x)
{
    long long id = 0;
    x->r.object_type = "client";
    int rc = manage_client_create(x->r.d, x->args[0], &id, &x->detail, &x->err);
    if (rc == MANAGE_OK) {
        x->r.client_id = x->r.object_id = id;
        buf_printf(&x->out, "created client %lld: %s\n", id, x->args[0]);
    }
    return rc;
}

static int client_list(cli *x)
{
    manage_client *c;
    size_t n;
    int rc = manage_clients(x->r.d, x->a, &c, &n);
    if (rc != DB_OK)
        return rc;
    buf_adds(&x->out, "id\tname\tusers\n");
    for (size_t i = 0; i < n; i++)
        buf_printf(&x->out, "%lld\t%s\t%lld\n", c[i].id, c[i].name, c[i].users);
    buf_printf(&x->detail, "{\"rows\":%zu}", n);
    return MANAGE_OK;
}

static void add_set(buf *b, acl_set set)
{
    int k = 0;
    for (size_t f = 0; f < acl_function_count; f++)
        if (acl_allows(set, acl_functions[f]))
            buf_printf(b, "%s%s", k++ ? "," : "", acl_functions[f]);
}

static int usertype_list(cli *x)
{
    manage_type *t;
    size_t n;
    int rc = manage_types(x->r.d, x->a, x->r.client_id, &t, &n);
    if (rc != DB_OK)
        return rc;
    buf_adds(&x->out, "id\tname\tusers\tallowed\n");
    for (size_t i = 0; i < n; i++) {
        buf_printf(&x->out, "%lld\t%s\t%lld\t", t[i].id, t[i].name, t[i].users);
        add_set(&x->out, t[i].functions);
        buf_addc(&x->out, '\n');
    }
    buf_printf(&x->detail, "{\"rows\":%zu}", n);
    return MANAGE_OK;
}

static int usertype_create(cli *x)
{
    long long id = 0;
    x->r.object_type = "user_type";
    int rc = manage_type_create(x->r.d, x->r.client_id, x->args[0], &id, &x->detail, &x->err);
    if (rc == MANAGE_OK) {
        x->r.object_id = id;
        buf_printf(&x->out, "created user type %lld: %s (allowed nothing yet: see ctrack usertype allow)\n", id,
                   x->args[0]);
    }
    return rc;
}

static int usertype_rename(cli *x)
{
    manage_type t;
    x->r.object_type = "user_type";
    int rc = find_type(x, x->args[0], &t);
    if (rc != MANAGE_OK)
        return rc;
    x->r.object_id = t.id;
    rc = manage_type_rename(x->r.d, x->r.client_id, t.id, x->args[1], &x->detail, &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "renamed user type %lld: %s -> %s\n", t.id, t.name, x->args[1]);
    return rc;
}

static int usertype_delete(cli *x)
{
    manage_type t;
    x->r.object_type = "user_type";
    int rc = find_type(x, x->args[0], &t);
    if (rc != MANAGE_OK)
        return rc;
    x->r.object_id = t.id;
    rc = manage_type_delete(x->r.d, x->r.client_id, t.id, &x->detail, &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "deleted user type %lld: %s\n", t.id, t.name);
    return rc;
}

/* allow and deny: one row of the matrix, through the same operation as
 * the matrix page. */
static int usertype_allow_deny(cli *x, bool allow)
{
    manage_type t;
    x->r.object_type = "matrix";
    int rc = find_type(x, x->args[0], &t);
    if (rc != MANAGE_OK)
        return rc;
    x->r.object_id = t.id;
    acl_set set = 0;
    for (int i = 1; i < x->nargs; i++) {
        if (strcmp(x->args[i], "all") == 0) {
            set = acl_function_count == 64 ? ~0ULL : (1ULL << acl_function_count) - 1;
        } else if (acl_is_function(x->args[i])) {
            set |= acl_parse_list(x->args[i]);
        } else {
            buf names = {0};
            add_set(&names, acl_function_count == 64 ? ~0ULL : (1ULL << acl_function_count) - 1);
            rc = refuse(x, MANAGE_INVALID, "\"%s\" is not a function of the catalogue (%s, or all)", x->args[i],
                        buf_str(&names));
            buf_free(&names);
            return rc;
        }
    }
    acl_set want = allow ? t.functions | set : t.functions & ~set;
    rc = manage_matrix_set(x->r.d, x->r.client_id, &t.id, &want, 1, &x->detail, &x->err);
    if (rc == MANAGE_OK) {
        buf_printf(&x->out, "%s now allowed: ", t.name);
        size_t before = x->out.len;
        add_set(&x->out, want);
        if (x->out.len == before)
            buf_adds(&x->out, "nothing");
        buf_addc(&x->out, '\n');
    }
    return rc;
}

/* two-factor: whether the type's users must log on with two-factor, through
 * the same operation as the type's page. */
static int usertype_two_factor(cli *x)
{
    manage_type t;
    x->r.object_type = "user_type";
    bool require = strcmp(x->args[1], "required") == 0;
    if (!require && strcmp(x->args[1], "optional") != 0)
        return refuse(x, MANAGE_INVALID, "\"%s\" is neither required nor optional", x->args[1]);
    int rc = find_type(x, x->args[0], &t);
    if (rc != MANAGE_OK)
        return rc;
    x->r.object_id = t.id;
    rc = manage_type_require_two_factor(x->r.d, x->r.client_id, t.id, require, &x->detail, &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "%s: two-factor logon %s\n", t.name,
                   require ? "required (users without it are led to set it up)" : "optional");
    return rc;
}

static int usertype_allow(cli *x)
{
    return usertype_allow_deny(x, true);
}

static int usertype_deny(cli *x)
{
    return usertype_allow_deny(x, false);
}

static int user_list(cli *x)
{
    manage_user *u;
    size_t n;
    int rc = manage_users(x->r.d, x->a, x->r.client_id, &u, &n);
    if (rc != DB_OK)
        return rc;
    buf_adds(&x->out, "id\tusername\tdisplay_name\tuser_type\tstatus\tregions\tcampaigns\n");
    for (size_t i = 0; i < n; i++)
        buf_printf(&x->out, "%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", u[i].id, u[i].username, u[i].display_name,
                   u[i].type_name, u[i].status, u[i].all_regions ? "all" : u[i].nregions ? u[i].region_codes : "none",
                   u[i].all_campaigns ? "all" : u[i].ncampaigns ? u[i].campaigns : "none");
    buf_printf(&x->detail, "{\"rows\":%zu}", n);
    return MANAGE_OK;
}

static int user_show(cli *x)
{
    manage_user u;
    manage_type t;
    int rc = find_user(x, x->args[0], &u);
    if (rc == MANAGE_OK)
        rc = find_type(x, u.type_name, &t);
    if (rc != MANAGE_OK)
        return rc;
    acl_scope sc;
    manage_user_scope(x->r.client_id, &u, &sc);
    long long count;
    if ((rc = manage_scope_count(x->r.d, &sc, &count)) != DB_OK)
        return rc;
    buf_printf(&x->out, "id: %lld\nusername: %s\ndisplay name: %s\nuser type: %s\nstatus: %s\n", u.id, u.username,
               u.display_name, u.type_name, u.status);
    buf_printf(&x->out, "regions: %s\ncampaigns: %s\nallowed: ",
               u.all_regions ? "all" : u.nregions ? u.regions : "none",
               u.all_campaigns ? "all" : u.ncampaigns ? u.campaigns : "none");
    size_t before = x->out.len;
    add_set(&x->out, t.functions);
    if (x->out.len == before)
        buf_adds(&x->out, "nothing");
    buf_printf(&x->out, "\ncontacts in scope: %lld\n", count);
    return MANAGE_OK;
}

static int user_create(cli *x)
{
    manage_type t;
    x->r.object_type = "user";
    int rc = find_type(x, x->type, &t);
    if (rc != MANAGE_OK)
        return rc;
    manage_new_user nu = {
        .username = x->args[0],
        .display_name = x->display_name ? x->display_name : "",
        .type_id = t.id,
        .password = x->password,
        .password_len = x->password_len,
        .must_change_password = x->must_change,
    };
    long long id = 0;
    rc = manage_user_create(x->r.d, x->r.client_id, &nu, x->r.c->pbkdf2_iterations, &id, &x->detail, &x->err);
    if (rc == MANAGE_OK) {
        x->r.object_id = id;
        buf_printf(&x->out, "created user %lld: %s (%s); no regions and no campaigns yet: sees no contacts%s\n", id,
                   x->args[0], t.name, x->must_change ? "; must change the password at first logon" : "");
    }
    return rc;
}

static int user_update(cli *x, const manage_user_change *c, const char *done)
{
    manage_user u;
    int rc = find_user(x, x->args[0], &u);
    if (rc != MANAGE_OK)
        return rc;
    rc = manage_user_update(x->r.d, x->r.client_id, u.id, c, &x->detail, &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "%s: %s\n", u.username, done);
    return rc;
}

static int user_disable(cli *x)
{
    manage_user_change c = {.status = "disabled"};
    return user_update(x, &c, "disabled (their sessions ended)");
}

static int user_enable(cli *x)
{
    manage_user_change c = {.status = "active"};
    return user_update(x, &c, "active");
}

static int user_unlock(cli *x)
{
    manage_user u;
    int rc = find_user(x, x->args[0], &u);
    if (rc != MANAGE_OK)
        return rc;
    int was_locked = 0;
    if ((rc = manage_user_unlock(x->r.d, u.username, &x->detail, &was_locked)) != DB_OK)
        return rc;
    buf_printf(&x->out, "%s: %s\n", u.username,
               was_locked ? "unlocked (its failed logons are forgotten)" : "was not locked");
    return MANAGE_OK;
}

static int user_set_type(cli *x)
{
    manage_type t;
    int rc = find_type(x, x->args[1], &t);
    if (rc != MANAGE_OK)
        return rc;
    manage_user_change c = {.type_id = t.id};
    return user_update(x, &c, arena_printf(x->a, "user type %s", t.name));
}

static int user_reset_password(cli *x)
{
    manage_user u;
    int rc = find_user(x, x->args[0], &u);
    if (rc != MANAGE_OK)
        return rc;
    rc = manage_user_password(x->r.d, x->r.client_id, u.id, x->password, x->password_len, x->r.c->pbkdf2_iterations,
                              &x->detail, &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "%s: password reset, sessions ended; they must change it at their next logon\n",
                   u.username);
    return rc;
}

static int user_set_regions(cli *x)
{
    manage_user u;
    int rc = find_user(x, x->args[0], &u);
    if (rc != MANAGE_OK)
        return rc;
    rc = manage_user_regions(x->r.d, x->r.client_id, u.id, x->all, x->args + 1, (size_t)(x->nargs - 1), &x->detail,
                             &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "%s: %s\n", u.username,
                   x->all ? "all regions" : x->nargs > 1 ? "regions set" : "no regions (sees no contacts)");
    return rc;
}

static int user_set_campaigns(cli *x)
{
    manage_user u;
    int rc = find_user(x, x->args[0], &u);
    if (rc != MANAGE_OK)
        return rc;
    long long *ids = arena_alloc(x->a, (size_t)x->nargs * sizeof *ids);
    size_t n = 0;
    for (int i = 1; i < x->nargs; i++) {
        rc = manage_campaign_find(x->r.d, x->r.client_id, x->args[i], &ids[n]);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return refuse(x, MANAGE_INVALID, "there is no campaign \"%s\" (a name or a number) in the client \"%s\"",
                          x->args[i], x->client);
        n++;
    }
    rc = manage_user_campaigns(x->r.d, x->r.client_id, u.id, x->all, ids, n, &x->detail, &x->err);
    if (rc == MANAGE_OK)
        buf_printf(&x->out, "%s: %s\n", u.username,
                   x->all ? "all campaigns" : n ? "campaigns set" : "no campaigns (sees no contacts)");
    return rc;
}

static int user_explain(cli *x)
{
    int64_t contact;
    if (parse_i64(x->args[1], strlen(x->args[1]), 1, INT64_MAX, &contact) != 0)
        return refuse(x, MANAGE_INVALID, "\"%s\" is not a contact number", x->args[1]);
    manage_user u;
    int rc = find_user(x, x->args[0], &u);
    if (rc != MANAGE_OK)
        return rc;
    acl_scope sc;
    manage_user_scope(x->r.client_id, &u, &sc);
    acl_explanation e;
    if ((rc = acl_explain(x->r.d, x->a, &sc, contact, &e)) != DB_OK)
        return rc;
    acl_explain_text(&x->out, &e);
    buf_printf(&x->out, "\nrule: %s\n", acl_why_name(e.why));
    if (strcmp(u.status, "active") != 0)
        buf_printf(&x->out, "note: %s is disabled and cannot log in\n", u.username);
    buf_printf(&x->detail, "{\"user\":%lld,\"contact\":%lld,\"rule\":\"%s\",\"visible\":%s}", u.id, (long long)contact,
               acl_why_name(e.why), e.why == ACL_WHY_ALLOWED ? "true" : "false");
    return MANAGE_OK;
}

static const command commands[] = {
    {"client", "create", "NAME", "Creates a client: a name and nothing else. Uses the schema owner's account "
     "(DB.AdminUser), since the application's may not create clients.", "", 1, 1, NO_CLIENT | ADMIN_DB,
     "client.create", client_create},
    {"client", "list", "", "Lists the clients: id, name, number of users.", "", 0, 0, NO_CLIENT, "client.list",
     client_list},
    {"usertype", "list", "--client NAME", "Lists the client's user types and the functions each is allowed.", "",
     0, 0, 0, "usertype.list", usertype_list},
    {"usertype", "create", "--client NAME TYPE", "Creates a user type, allowed nothing.", "", 1, 1, 0,
     "usertype.create", usertype_create},
    {"usertype", "rename", "--client NAME TYPE NEW_NAME", "Renames a user type.", "", 2, 2, 0, "usertype.rename",
     usertype_rename},
    {"usertype", "delete", "--client NAME TYPE", "Deletes a user type that no user has.", "", 1, 1, 0,
     "usertype.delete", usertype_delete},
    {"usertype", "allow", "--client NAME TYPE FUNCTION... | all",
     "Allows functions of the catalogue to a user type (the others stay as they are).", "", 2, -1, 0,
     "matrix.update", usertype_allow},
    {"usertype", "deny", "--client NAME TYPE FUNCTION... | all",
     "Prohibits functions to a user type. Refused when it would leave no active user allowed matrix.manage.", "",
     2, -1, 0, "matrix.update", usertype_deny},
    {"usertype", "two-factor", "--client NAME TYPE required|optional",
     "Requires two-factor logon (TOTP) of the type's users, or makes it optional. Users of the type without it "
     "are led to set it up at their next request.", "", 2, 2, 0, "usertype.two_factor", usertype_two_factor},
    {"user", "list", "--client NAME", "Lists the client's users with their type, status and limits.", "", 0, 0, 0,
     "user.list", user_list},
    {"user", "show", "--client NAME USERNAME",
     "Shows a user, the functions their type allows and how many live contacts their scope reaches.", "", 1, 1, 0,
     "user.view", user_show},
    {"user", "create",
     "--client NAME --type TYPE [--display-name TEXT] [--must-change-password] (--password-stdin | --password-file "
     "FILE) USERNAME",
     "Creates an active user with no regions and no campaigns (they see no contacts until given some). The "
     "password (12 to 256 characters, not a common one, not the username) is the first line of standard input "
     "or of FILE, never an argument. --must-change-password makes the user choose a new one at first logon.",
     "--type --display-name --must-change-password --password-stdin --password-file", 1, 1, PASSWORD, "user.create",
     user_create},
    {"user", "disable", "--client NAME USERNAME", "Disables a user and ends their sessions.", "", 1, 1, 0,
     "user.update", user_disable},
    {"user", "enable", "--client NAME USERNAME", "Enables a disabled user.", "", 1, 1, 0, "user.update",
     user_enable},
    {"user", "unlock", "--client NAME USERNAME",
     "Lifts the lock that too many failed logons put on a username, and forgets its failures.", "", 1, 1, 0,
     "user.unlock", user_unlock},
    {"user", "reset-password", "--client NAME (--password-stdin | --password-file FILE) USERNAME",
     "Sets a new password (the first line of standard input or of FILE) and ends the user's sessions; the user "
     "must change it at their next logon.",
     "--password-stdin --password-file", 1, 1, PASSWORD, "user.password_reset", user_reset_password},
    {"user", "set-type", "--client NAME USERNAME TYPE", "Gives a user another user type.", "", 2, 2, 0,
     "user.update", user_set_type},
    {"user", "set-regions", "--client NAME USERNAME (--all | --none | REGION_CODE...)",
     "Sets the geography limit: all regions, none, or exactly the regions given by code (US-OH, US-OH-05); a "
     "region includes everything under it.", "--all --none", 1, -1, 0, "user.regions", user_set_regions},
    {"user", "set-campaigns", "--client NAME USERNAME (--all | --none | CAMPAIGN...)",
     "Sets the campaign limit: all campaigns, none, or exactly the campaigns given by name or number.",
     "--all --none", 1, -1, 0, "user.campaigns", user_set_campaigns},
    {"user", "explain", "--client NAME USERNAME CONTACT_ID",
     "Says whether the user can see the contact, and which rule decides.", "", 2, 2, 0, "user.explain",
     user_explain},
};

/* ---- usage ---- */

static void print_command(FILE *f, const command *c, bool long_form)
{
    fprintf(f, "  ctrack %s %s%s%s\n", c->group, c->name, c->synopsis[0] ? " " : "", c->synopsis);
    if (long_form)
        fprintf(f, "\n%s\n\nOptions: -c CONFIG reads another configuration file%s.\n", c->help,
                c->flags & NO_CLIENT ? "" : "; --client NAME names the client (required)");
}

static int usage(const char *group, const command *c, bool asked)
{
    FILE *f = asked ? stdout : stderr;
    if (c) {
        fprintf(f, "usage:\n");
        print_command(f, c, true);
    } else {
        fprintf(f, "usage:\n");
        for (size_t i = 0; i < CT_ARRAY_LEN(commands); i++)
            if (!group || strcmp(commands[i].group, group) == 0)
                print_command(f, &commands[i], false);
        fprintf(f, "\n`ctrack %s COMMAND --help` explains a command. Exit status: 0 done, 1 refused or failed, "
                   "2 bad usage.\n", group ? group : "GROUP");
    }
    return asked ? 0 : 2;
}

static bool takes(const command *c, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = strstr(c->options, opt); p; p = strstr(p + 1, opt))
        if ((p == c->options || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

/* Appends a word for the audit row, quoted when it holds a space (or is
 * empty) so that the command reads back unambiguously. */
static void add_word(buf *b, const char *w)
{
    if (!*w || strpbrk(w, " \t'\""))
        buf_printf(b, " '%s'", w);
    else
        buf_printf(b, " %s", w);
}

static bool is_number(const char *s)
{
    int64_t v;
    return parse_i64(s, strlen(s), 1, INT64_MAX, &v) == 0;
}

/* Reads the words after "ctrack GROUP NAME". Returns 0 with *done false,
 * or with *done true the exit status (0 after --help, 2 for bad usage). */
static int parse(cli *x, int argc, char **argv, bool *done)
{
    static const char *const valued[] = {"--client", "--type", "--display-name", "--password-file"};
    const command *c = x->cmd;
    *done = true;
    bool options = true;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (options && a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0) {
                options = false;
                continue;
            }
            if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
                return usage(c->group, c, true);
            if (strcmp(a, "-c") == 0 && i + 1 < argc) {
                x->conf_path = argv[++i];
                continue;
            }
            const char **slot = NULL;
            bool known = false;
            for (size_t k = 0; k < CT_ARRAY_LEN(valued); k++)
                if (strcmp(a, valued[k]) == 0)
                    known = true;
            if (strcmp(a, "--client") == 0 && !(c->flags & NO_CLIENT))
                slot = &x->client;
            else if (strcmp(a, "--type") == 0 && takes(c, a))
                slot = &x->type;
            else if (strcmp(a, "--display-name") == 0 && takes(c, a))
                slot = &x->display_name;
            else if (strcmp(a, "--password-file") == 0 && takes(c, a))
                slot = &x->password_file;
            if (slot && i + 1 < argc) {
                *slot = argv[++i];
                add_word(&x->words, a);
                add_word(&x->words, *slot);
                continue;
            }
            bool *flag = NULL;
            if (strcmp(a, "--password-stdin") == 0 && takes(c, a))
                flag = &x->password_stdin;
            else if (strcmp(a, "--all") == 0 && takes(c, a))
                flag = &x->all;
            else if (strcmp(a, "--none") == 0 && takes(c, a))
                flag = &x->none;
            else if (strcmp(a, "--must-change-password") == 0 && takes(c, a))
                flag = &x->must_change;
            if (flag) {
                *flag = true;
                add_word(&x->words, a);
                continue;
            }
            if (strncmp(a, "--password", 10) == 0 && !takes(c, "--password-stdin"))
                fprintf(stderr, "ctrack: %s %s takes no password\n\n", c->group, c->name);
            else if (strncmp(a, "--password", 10) == 0 && !slot)
                fprintf(stderr, "ctrack: passwords are never taken from the command line (it shows in the process "
                                "list and the shell history): use --password-stdin or --password-file FILE\n\n");
            else if (slot || known)
                fprintf(stderr, "ctrack: %s %s: %s needs a value\n\n", c->group, c->name, a);
            else
                fprintf(stderr, "ctrack: %s %s: unknown option: %s\n\n", c->group, c->name, a);
            return usage(c->group, c, false);
        }
        if (x->nargs == CLI_MAX_ARGS) {
            fprintf(stderr, "ctrack: at most %d arguments\n", CLI_MAX_ARGS);
            return 2;
        }
        x->args[x->nargs++] = a;
        add_word(&x->words, a);
    }
    const char *why = NULL;
    if (!(c->flags & NO_CLIENT) && !x->client)
        why = "--client NAME is required";
    else if (x->nargs < c->min || (c->max >= 0 && x->nargs > c->max))
        why = "wrong number of arguments";
    else if (takes(c, "--type") && !x->type)
        why = "--type TYPE is required";
    else if ((c->flags & PASSWORD) && x->password_stdin == (x->password_file != NULL))
        why = "give the password with exactly one of --password-stdin and --password-file FILE";
    else if (takes(c, "--all") && (x->all + x->none + (x->nargs > 1)) != 1)
        why = "give exactly one of --all, --none or a list";
    else if (c->run == user_explain && !is_number(x->args[1]))
        why = "CONTACT_ID must be a contact number";
    if (why) {
        fprintf(stderr, "ctrack: %s %s: %s\n\n", c->group, c->name, why);
        return usage(c->group, c, false);
    }
    *done = false;
    return 0;
}

/* The first line of the text, without its line end. */
static void first_line(buf *b)
{
    char *nl = b->data ? memchr(b->data, '\n', b->len) : NULL;
    if (nl)
        b->len = (size_t)(nl - b->data);
    if (b->len && b->data[b->len - 1] == '\r')
        b->len--;
    if (b->data)
        b->data[b->len] = '\0';
}

static int read_password(cli *x)
{
    buf b = {0};
    if (x->password_file) {
        int rc = read_file(x->password_file, 64 * 1024, &b);
        if (rc != 0) {
            fprintf(stderr, "ctrack: cannot read the password file %s: %s\n", x->password_file,
                    rc == -2 ? "not a regular file of at most 64 KiB" : strerror(errno));
            buf_free(&b);
            return -1;
        }
    } else {
        char chunk[1024];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0 && b.len < 64 * 1024)
            buf_add(&b, chunk, n);
        explicit_bzero(chunk, sizeof chunk);
        if (ferror(stdin)) {
            fprintf(stderr, "ctrack: cannot read the password from standard input\n");
            buf_free(&b);
            return -1;
        }
    }
    first_line(&b);
    x->password_len = b.len;
    x->password = xstrndup(buf_str(&b), b.len);
    if (b.data)
        explicit_bzero(b.data, b.cap);
    buf_free(&b);
    return 0;
}

/* Runs the command inside one transaction; returns its manage result. */
static int run(cli *x)
{
    x->r.path = buf_str(&x->words);
    x->r.action = x->cmd->action;
    int rc = db_begin(x->r.d);
    if (rc == DB_OK && !(x->cmd->flags & NO_CLIENT)) {
        rc = manage_client_find(x->r.d, x->client, &x->r.client_id);
        if (rc == 0)
            rc = refuse(x, MANAGE_NOT_FOUND, "there is no client called \"%s\" (see ctrack client list)", x->client);
        else if (rc == 1)
            rc = MANAGE_OK;
    }
    if (rc == MANAGE_OK)
        rc = x->cmd->run(x);
    /* Without its audit row the change is not kept either. */
    if (rc == MANAGE_OK)
        return cli_commit(&x->r, x->detail.len ? buf_str(&x->detail) : NULL);
    /* What the command did was rolled back, and so is its detail. */
    cli_record_failure(&x->r, rc > 0 ? manage_status(rc) : cli_db_outcome(rc),
                       rc > 0 ? x->err.message : cli_db_failure(rc));
    return rc;
}

bool cli_admin_is_command(const char *word)
{
    return strcmp(word, "client") == 0 || strcmp(word, "usertype") == 0 || strcmp(word, "user") == 0;
}

/* A message for a refusal: the field it concerns, then why. */
static void print_refusal(const cli *x)
{
    static const struct {
        const char *field, *label;
    } labels[] = {
        {"name", "the name"},          {"username", "the username"}, {"display_name", "the display name"},
        {"user_type", "the user type"}, {"password", "the password"}, {"status", "the status"},
    };
    const char *label = NULL;
    for (size_t i = 0; x->err.field && i < CT_ARRAY_LEN(labels); i++)
        if (strcmp(labels[i].field, x->err.field) == 0)
            label = labels[i].label;
    fprintf(stderr, "ctrack: %s %s: %s%s%s\n", x->cmd->group, x->cmd->name, label ? label : "", label ? " " : "",
            x->err.message);
}

int cli_admin_main(int argc, char **argv, const char *conf_path)
{
    const char *group = argv[1];
    if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)
        return usage(group, NULL, argc >= 3);
    cli x;
    memset(&x, 0, sizeof x);
    for (size_t i = 0; i < CT_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].group, group) == 0 && strcmp(commands[i].name, argv[2]) == 0)
            x.cmd = &commands[i];
    if (!x.cmd) {
        fprintf(stderr, "ctrack: %s: unknown command: %s\n\n", group, argv[2]);
        return usage(group, NULL, false);
    }
    x.conf_path = conf_path;
    buf_printf(&x.words, "%s %s", group, argv[2]);
    bool done;
    int status = parse(&x, argc, argv, &done);
    if (done) {
        buf_free(&x.words);
        return status;
    }
    status = 1;
    if ((x.cmd->flags & PASSWORD) && read_password(&x) != 0)
        goto out;
    if (cli_open(&x.r, x.conf_path, (x.cmd->flags & ADMIN_DB) ? DB_ADMIN : DB_APP) != 0)
        goto out;
    x.a = arena_new();
    int rc = run(&x);
    if (rc == MANAGE_OK) {
        fwrite(buf_str(&x.out), 1, x.out.len, stdout);
        status = fflush(stdout) == 0 ? 0 : 1;
    } else if (rc > 0) {
        print_refusal(&x);
    } else {
        fprintf(stderr, "ctrack: %s %s: the database failed; nothing was changed (see the message above)\n",
                x.cmd->group, x.cmd->name);
    }
out:
    if (x.password) {
        explicit_bzero(x.password, x.password_len);
        free(x.password);
    }
    arena_free(x.a);
    cli_close(&x.r);
    buf_free(&x.words);
    buf_free(&x.detail);
    buf_free(&x.out);
    return status;
}
