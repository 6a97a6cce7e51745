/* demo: `ctrack setup-demo`, a ready-to-try installation: the client
 * "Example Advocacy", its Administrator user type and admin user, the US
 * regions and the members of Congress past and present as contacts. */
#ifndef CTRACK_DEMO_H
#define CTRACK_DEMO_H

#include "conf.h"

/* Sets up the demo client in one transaction on the admin account, reading
 * us-states.csv, legislators-current.csv and legislators-historical.csv from
 * Paths.DemoData. The admin password is $ADMIN_PASSWORD (at least 12
 * characters) or a random one; after the commit it is written to
 * credentials_path (created with mode 0600, never overwritten) and printed
 * once. An existing credentials_path is a failure found before the database
 * is touched (it is the record of an earlier first run); otherwise, when the
 * client exists already, it imports nothing and returns 0. Returns 0 on
 * success, 1 on failure with the reason on stderr (the database is left as it
 * was, unless only the credentials file could not be written). */
int demo_setup(const conf *c, const char *credentials_path);

#endif
