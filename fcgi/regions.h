/* regions: adding to a client's tree of regions (country, state, district,
 * ...) and its closure (region_closure: every ancestor of every region, the
 * region itself at depth 0), which the row scope reads. The demo loader and
 * imports add regions through here. */
#ifndef CTRACK_REGIONS_H
#define CTRACK_REGIONS_H

#include <stdbool.h>

#include "db.h"

/* Adds a region under parent_id (0 for a root) with its closure rows; *id
 * gets the new id. Returns an enum db_rc (DB_DUP when the code is taken). */
int region_add(db *d, long long client_id, long long parent_id, const char *kind, const char *code,
               const char *name, const char *sort_key, long long *id);

/* The region with the code, added as region_add would when there is none
 * (*added says which). Returns an enum db_rc. */
int region_ensure(db *d, long long client_id, long long parent_id, const char *kind, const char *code,
                  const char *name, const char *sort_key, long long *id, bool *added);

#endif
