/* cli_admin: `ctrack client|usertype|user ...`, the administration of
 * clients, user types, the matrix and users from the command line, for
 * operators and provisioning scripts. */
#ifndef CTRACK_CLI_ADMIN_H
#define CTRACK_CLI_ADMIN_H

#include <stdbool.h>

/* True when word is one of the command groups handled here. */
bool cli_admin_is_command(const char *word);
/* Runs `ctrack GROUP COMMAND ...` (argv[1] is the group); conf_path is the
 * configuration to read unless -c names another. Returns the exit status:
 * 0 done, 1 failed or refused (the reason on stderr), 2 bad usage. */
int cli_admin_main(int argc, char **argv, const char *conf_path);

#endif
