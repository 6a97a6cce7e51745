/* audit_purge: each client's retention of its audit trail, and `ctrack
 * audit purge`, which removes what is older. Run with the maintenance
 * account (the application's account can neither delete audit rows nor
 * change a retention). */
#ifndef CTRACK_AUDIT_PURGE_H
#define CTRACK_AUDIT_PURGE_H

#include <stdbool.h>

#include "db.h"
#include "util.h"

/* Longest retention that can be set, in days (100 years). */
#define AUDIT_RETENTION_MAX 36500

/* The client's retention: *days is the number of days, or 0 for "keep
 * forever" (the default). Returns an enum db_rc; DB_OK with *found false
 * when there is no such client. */
int audit_retention_get(db *d, long long client_id, bool *found, int *days);
/* Sets it (days 1..AUDIT_RETENTION_MAX, or 0 for forever) in the open
 * transaction. Returns an enum db_rc. */
int audit_retention_set(db *d, long long client_id, int days);

/* Removes the client's audit rows older than `days` days (and their
 * audit_contacts rows), oldest first, chain by chain, in transactions of a
 * thousand rows each. Each transaction also records in audit_anchors where
 * the chain now begins, so the rest still verifies. Only a prefix of each
 * chain goes: the first row newer than the cut-off and all after it stay.
 * With dry_run nothing is removed and *removed counts what would be.
 * Appends to detail the JSON members "cutoff" and "chains" (an array of
 * {"chain","from","to"}, the seqs removed per chain), without braces.
 * Each anchor carries its mac under key (audit_anchor_mac). Returns an
 * enum db_rc, or AUDIT_PURGE_BUSY (nothing done; detail gets "busy":true)
 * while another purge runs; rows already removed stay removed on failure
 * (each batch is whole). */
#define AUDIT_PURGE_BUSY 1
int audit_purge_client(db *d, const unsigned char key[32], long long client_id, int days, bool dry_run,
                       long long *removed, buf *detail);

#endif
