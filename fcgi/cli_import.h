/* cli_import: `ctrack import` (see cli_import.c). */
#ifndef CTRACK_CLI_IMPORT_H
#define CTRACK_CLI_IMPORT_H

/* Runs `ctrack import ARGS...`; returns the exit status. */
int cli_import(int argc, char **argv, const char *conf_path);

#endif
