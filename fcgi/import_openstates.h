/* import_openstates: one person of the Open States data set (openstates.h)
 * as a candidate contact of an import (import_map.h), and the regions it
 * belongs in. Pure: the folder is walked and the regions are made by the
 * caller (cli_import.c).
 *
 * The person's current role gives the geography: the state (a region
 * "US-NH" of kind state under the country "US"), and under it the
 * district of a legislator ("US-NH-SD-21" for the upper chamber's district
 * 21, "US-NH-HD-HILLSBOROUGH-12" for the lower one's, "US-NE-LD-5" for a
 * one-chamber legislature) or the place of a mayor ("US-CA-PL-LOS-ANGELES").
 * The first office with an address is the postal address (street, city,
 * state and ZIP read from its last parts when they are there); every
 * office's phone and fax are phones; the other offices' addresses go into
 * the notes. The Open States id is the external id, so a later import of a
 * newer copy of the data set (--update --match external-id) updates the
 * same contacts. */
#ifndef CTRACK_IMPORT_OPENSTATES_H
#define CTRACK_IMPORT_OPENSTATES_H

#include "import_map.h"
#include "openstates.h"

/* A region the candidate needs: code, name, kind and sort key; code[0] is
 * 0 when there is none. */
typedef struct import_region {
    char code[64];
    char name[200];
    char kind[20];
    char sort[96];
} import_region;

/* The candidate for person p (strings in a), with the regions it needs:
 * the state, and the district or place below it (may be empty). The
 * row's region is the lowest of them. */
void import_openstates_row(const os_person *p, arena *a, import_row *row, import_region *state,
                           import_region *below);

/* The name of a state, district or territory by its two-letter code
 * ("NH" gives "New Hampshire"), or NULL. */
const char *import_state_name(const char *code);

#endif
