/* cli_campaign: `ctrack campaign ...`, campaigns and their members from the
 * command line, through the same operations as the pages (campaigns.h). */
#ifndef CTRACK_CLI_CAMPAIGN_H
#define CTRACK_CLI_CAMPAIGN_H

/* Runs `ctrack campaign <argv...>` (argv holds what follows "campaign";
 * conf_path is the configuration file unless -c names another). Returns the exit status: 0 done, 1 failed (with the reason on
 * stderr; nothing changed), 2 bad usage. */
int cli_campaign(int argc, char **argv, const char *conf_path);

#endif
