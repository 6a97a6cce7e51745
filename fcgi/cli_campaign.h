/* cli_campaign: `ctrack campaign ...`, campaigns and their members from the
 * command line, through the same operations as the pages (campaigns.h). */
#ifndef CTRACK_CLI_CAMPAIGN_H
#define CTRACK_CLI_CAMPAIGN_H

/* Runs `ctrack campaign <argv...>` (argv holds what follows "campaign";
 * default_conf is the configuration file when neither -c nor $CTRACK_CONF
 * names one). Returns the exit status: 0 done, 1 failed (with the reason on
 * stderr; nothing changed), 2 bad usage. */
int cli_campaign(int argc, char **argv, const char *default_conf);

#endif
