/* main: the command line. One program, several subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_audit.h"
#include "cli_campaign.h"
#include "cli_import.h"
#include "cli_admin.h"
#include "conf.h"
#include "db.h"
#include "demo.h"
#include "log.h"
#include "migrate.h"
#include "route.h"
#include "serve.h"

#define CTRACK_VERSION "0.1.0"
#define DEFAULT_CONF "/etc/ctrack/ctrack.hdf"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ctrack <command> [-c CONFIG] [options]\n"
            "\n"
            "commands:\n"
            "  serve        run the FastCGI supervisor and its workers (foreground)\n"
            "  migrate      apply the SQL migrations not yet applied (admin account)\n"
            "  setup-demo   first run only: create the demo client, its administrator\n"
            "               and import the demo data; --credentials FILE (required)\n"
            "  check-routes verify the route table and exit; --list prints it instead,\n"
            "               one route a line: method, pattern, function, audit action,\n"
            "               flags (token: API tokens may call it; setup: reachable before\n"
            "               a forced password change or two-factor enrolment; - for none)\n"
            "  audit        verify | checkpoint | retention | purge: the audit trail\n"
            "               (ctrack audit --help)\n"
            "  campaign     campaigns and their members (ctrack campaign --help)\n"
            "  import       contacts from a CSV or vCard file, or undo an import (ctrack import --help)\n"
            "  client       create | list: the clients of the installation\n"
            "  usertype     list | create | rename | delete | allow | deny: user types and the matrix\n"
            "  user         list | show | create | disable | enable | reset-password | set-type |\n"
            "               set-regions | set-campaigns | explain: a client's users\n"
            "               (`ctrack GROUP --help`, `ctrack GROUP COMMAND --help` for more)\n"
            "  version      print the version\n"
            "\n"
            "  -c CONFIG    the configuration file (default: $CTRACK_CONF or " DEFAULT_CONF ")\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    const char *conf_path = getenv("CTRACK_CONF");
    const char *credentials = NULL;
    bool list = false;
    if (!conf_path || !*conf_path)
        conf_path = DEFAULT_CONF;
    /* The operator commands read their own options (-c among them). */
    if (strcmp(cmd, "import") == 0)
        return cli_import(argc - 2, argv + 2, conf_path);
    if (strcmp(cmd, "campaign") == 0)
        return cli_campaign(argc - 2, argv + 2, conf_path);
    if (strcmp(cmd, "audit") == 0)
        return cli_audit(argc - 2, argv + 2, conf_path);
    if (cli_admin_is_command(cmd))
        return cli_admin_main(argc, argv, conf_path);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf_path = argv[++i];
        } else if (strcmp(argv[i], "--credentials") == 0 && i + 1 < argc) {
            credentials = argv[++i];
        } else if (strcmp(argv[i], "--list") == 0 && strcmp(cmd, "check-routes") == 0) {
            list = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "ctrack: unknown argument: %s\n\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    if (strcmp(cmd, "version") == 0) {
        printf("ctrack %s\n", CTRACK_VERSION);
        return 0;
    }
    if (strcmp(cmd, "check-routes") == 0) {
        size_t n;
        const route *rt = route_table(&n);
        if (route_check_table(rt, n) != 0)
            return 1;
        /* Tab-separated, for tests that walk every route (the security matrix). */
        for (size_t i = 0; list && i < n; i++) {
            unsigned f = rt[i].flags;
            const char *flags = (f & ROUTE_TOKEN) && (f & ROUTE_SETUP) ? "token,setup"
                                : f & ROUTE_TOKEN ? "token" : f & ROUTE_SETUP ? "setup" : "-";
            printf("%s\t%s\t%s\t%s\t%s\n", rt[i].method, rt[i].pattern, rt[i].function, rt[i].action, flags);
        }
        if (!list)
            printf("%zu routes, all valid\n", n);
        return 0;
    }
    if (strcmp(cmd, "serve") == 0)
        return serve_run(conf_path);
    if (strcmp(cmd, "migrate") != 0 && strcmp(cmd, "setup-demo") != 0) {
        fprintf(stderr, "ctrack: unknown command: %s\n\n", cmd);
        usage(stderr);
        return 2;
    }

    conf *c = conf_load(conf_path);
    if (!c)
        return 1;
    enum log_level lvl;
    if (log_parse_level(c->log_level, &lvl) == 0)
        log_set_level(lvl);
    if (db_library_init() != 0) {
        fprintf(stderr, "ctrack: cannot initialise the database client library\n");
        conf_free(c);
        return 1;
    }
    int rc;
    if (strcmp(cmd, "migrate") == 0) {
        rc = migrate_run(c);
    } else {
        if (!credentials) {
            fprintf(stderr, "ctrack: setup-demo needs --credentials FILE\n");
            conf_free(c);
            return 2;
        }
        rc = demo_setup(c, credentials);
    }
    conf_free(c);
    return rc;
}
