/* openstates: a reader of one person file of the Open States "people" data
 * set (state legislators, state executives and mayors of the United States;
 * YAML, one person per file, public domain under CC0). Bytes in, one
 * os_person out. No I/O and no globals; the YAML is read with libyaml's event
 * API, so the file is never held as a tree.
 *
 * What is read (every string is UTF-8, copied into the caller's arena, and
 * never NULL: a field that is absent or null is ""):
 *  - the person's fields id, name, given_name, family_name, middle_name,
 *    suffix, gender, email, biography, birth_date, death_date and image, as
 *    given (the dates are "YYYY-MM-DD" or "YYYY" in the data set, and are
 *    not checked);
 *  - ids: the twitter, youtube, instagram and facebook account names;
 *  - party: every entry (name, start_date, end_date) and the current one;
 *  - roles: every entry (type, district, jurisdiction, start_date, end_date,
 *    end_reason, plus the state, place and county parsed out of the
 *    jurisdiction) and the current one;
 *  - offices: classification, address, voice, fax and name of each;
 *  - links: url and note of each, and the url of the homepage.
 * Everything else (sources, other_names, other_identifiers, extras, keys
 * unknown today) is skipped.
 *
 * Reading rules, for files that may come from anywhere:
 *  - at most OS_MAX_BYTES of input, nesting at most OS_MAX_DEPTH deep and at
 *    most OS_MAX_ITEMS entries in any one list or mapping;
 *  - the input must be UTF-8 (a byte order mark at the start is skipped;
 *    libyaml refuses malformed UTF-8 and control characters other than TAB
 *    and line breaks, anywhere in the file); a kept field that holds a NUL
 *    (written "\0" in a quoted string) is refused;
 *  - YAML aliases (*name) are refused, so no file costs more than its size;
 *    anchors and tags are allowed and ignored;
 *  - a scalar where text is expected is taken as its text, as written
 *    (district: 5 gives "5", birth_date: 1960-03-01 gives "1960-03-01"); the
 *    plain scalars ~, null, Null, NULL and an empty value mean absent;
 *  - a null where a list or a mapping is expected is an empty one;
 *  - keys not listed above are skipped, whatever they hold;
 *  - a known key given twice in one mapping, a key that is not text, a list
 *    or mapping where text is expected, text or a mapping where a list is
 *    expected, and so on, are errors naming the line and the key
 *    ("line 14: roles should be a list, not a mapping");
 *  - the file holds exactly one YAML document, a mapping; id and name are
 *    required (the error is "no id" or "no name"), nothing else is;
 *  - the error reported is the first problem met reading the file in order
 *    (libyaml checks the encoding a little ahead of the rest); a line number
 *    past the end (libyaml's, for what the end of the file left unfinished)
 *    is the last line that holds anything.
 */
#ifndef CTRACK_OPENSTATES_H
#define CTRACK_OPENSTATES_H

#include <stddef.h>

#include "util.h"

/* Limits that keep a hostile file from costing more than its own size. The
 * largest real file is about 4 KiB, nests 4 deep and has at most 25 entries
 * in one list or mapping. */
#define OS_MAX_BYTES (1024 * 1024)
#define OS_MAX_DEPTH 16
#define OS_MAX_ITEMS 1000

/* One party membership. */
typedef struct os_party {
    const char *name;
    const char *start_date;
    const char *end_date;
} os_party;

/* One role held, ended or not. */
typedef struct os_role {
    const char *type; /* upper, lower, legislature, governor, mayor, ... */
    const char *district;
    const char *jurisdiction; /* an OCD jurisdiction id */
    const char *start_date;
    const char *end_date;
    const char *end_reason;
    /* From the jurisdiction: the upper-case code of its state:, district: or
     * territory: part ("NH", "DC", "PR"; "" when there is no such part of
     * two ASCII letters); its place: and county: parts as written in the id
     * ("los_angeles"; "" when absent). */
    const char *state;
    const char *place;
    const char *county;
} os_role;

/* One office: a postal address and phones. */
typedef struct os_office {
    const char *classification; /* capitol, district, primary */
    const char *address;
    const char *voice;
    const char *fax;
    const char *name;
} os_office;

/* One link. */
typedef struct os_link {
    const char *url;
    const char *note;
} os_link;

/* One person. The arrays hold the entries in file order; count 0 means the
 * pointer is NULL. */
typedef struct os_person {
    const char *id;   /* ocd-person/UUID (the form is not checked); never "" */
    const char *name; /* never "" */
    const char *given_name;
    const char *family_name;
    const char *middle_name;
    const char *suffix;
    const char *gender;
    const char *email;
    const char *biography;
    const char *birth_date;
    const char *death_date;
    const char *image;
    const char *twitter;
    const char *youtube;
    const char *instagram;
    const char *facebook;

    const os_party *parties;
    size_t nparties;
    /* The first entry without an end_date, else the last entry; NULL when
     * there is none. Points into parties. */
    const os_party *party;

    const os_role *roles;
    size_t nroles;
    /* The current role, pointing into roles, NULL when there is none: among
     * the roles without an end_date the first of type upper, lower or
     * legislature, else the first of them; when every role has an end_date
     * (executives and mayors are given the end of their term), the first with
     * the latest end_date. */
    const os_role *role;

    const os_office *offices;
    size_t noffices;

    const os_link *links;
    size_t nlinks;
    /* The url of the first link whose note is "homepage", else "". */
    const char *homepage;
} os_person;

/* Reads the person file data[0..len) into *out, allocating from a (the
 * strings and arrays live until arena_free). Returns 0; or -1 with *out
 * cleared and a message in err (errlen bytes, NUL-terminated, truncated to
 * fit; err may be NULL when errlen is 0), such as "line 12: did not find
 * expected key", "line 3: YAML aliases are not accepted", "no id". */
int openstates_parse(const char *data, size_t len, arena *a, os_person *out, char *err, size_t errlen);

/* Parses an OCD jurisdiction id as for os_role: *state gets the upper-case
 * code ("NH" from ocd-jurisdiction/country:us/state:nh/government), *place
 * and *county the place: and county: parts, each "" when absent; the strings
 * are allocated from a. openstates_parse does this for every role; it is
 * public for ids that come from elsewhere (municipalities lists). */
void openstates_jurisdiction(const char *jurisdiction, arena *a, const char **state, const char **place,
                             const char **county);

#endif
