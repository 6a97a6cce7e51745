/* contact_extras: a contact's further emails and phones and its tags, as
 * its page shows them and its form edits them: each as one text, in the
 * form the CSV export writes (one "value (types)" per line for emails and
 * phones; tags "a, b"), read and checked by the import's rules
 * (import_map.h), so that what the form takes, the export gives and an
 * import reads are the same. */
#ifndef CTRACK_CONTACT_EXTRAS_H
#define CTRACK_CONTACT_EXTRAS_H

#include <stdbool.h>

#include "db.h"
#include "http_parse.h"
#include "util.h"

enum { CX_EMAILS, CX_PHONES, CX_TAGS, CX_COUNT };

/* The form fields (and audit names): other_emails, other_phones, tags. */
extern const char *const contact_extras_names[CX_COUNT];

typedef struct contact_extras {
    const char *text[CX_COUNT]; /* as shown: never NULL */
    bool given[CX_COUNT];       /* contact_extras_read: the form had the field */
} contact_extras;

/* The contact's extras from the database (the caller checked the scope).
 * enum db_rc. */
int contact_extras_load(db *d, arena *a, long long client_id, long long id, contact_extras *out);

/* The extras from a form, each checked and put in the shown form (types
 * normalised, duplicates dropped); errors[k] gets why field k is not
 * acceptable (or NULL). A field the form does not have is "" and not
 * given (an edit keeps the contact's). Returns the number of bad fields. */
int contact_extras_read(arena *a, const params *form, contact_extras *out, const char *errors[CX_COUNT]);

/* How many of the lists differ between old (NULL: none) and new. */
int contact_extras_differ(const contact_extras *old, const contact_extras *new);

/* Writes the lists of new that differ from old (NULL: a new contact) and
 * appends their "name":{"old":..,"new":..} to changes (a comma first
 * when *n > 0), counting them in *n. enum db_rc. */
int contact_extras_save(db *d, arena *a, long long client_id, long long id, const contact_extras *old,
                        const contact_extras *new, buf *changes, int *n);

#endif
