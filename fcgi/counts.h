/* counts: the per-client total of live contacts. Every path that creates or
 * soft-deletes contacts calls counts_add in the same transaction. */
#ifndef CTRACK_COUNTS_H
#define CTRACK_COUNTS_H

#include "db.h"

/* Adds delta (may be negative) to the client's live total. enum db_rc. */
int counts_add(db *d, long long client_id, long long delta);
/* Reads the client's live total into *out (0 when none). enum db_rc. */
int counts_get(db *d, long long client_id, long long *out);

#endif
