/* cli_audit: `ctrack audit verify | checkpoint | retention | purge`, the
 * operators' commands on the audit trail. They use the maintenance account
 * (DB.MaintenanceUser) and each run is itself audited. */
#ifndef CTRACK_CLI_AUDIT_H
#define CTRACK_CLI_AUDIT_H

/* Runs `ctrack audit COMMAND ...` (argv[0] is COMMAND); conf_path is the
 * configuration unless -c names another. Returns the exit status: 0 done
 * (verify: every chain intact), 1 verify found problems or a command was
 * refused, 2 bad usage, 3 the command could not run (database, files). */
int cli_audit(int argc, char **argv, const char *conf_path);

#endif
