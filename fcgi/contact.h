/* contact: the fields of a contact and the rules for their values, in one
 * place for every way in: the contact form, imports (CSV, vCard, Open
 * States) and the command line. Pure: no I/O, no database.
 *
 * A value goes through contact_clean (trimmed, line breaks made LF,
 * Unicode NFC, URL schemes lowercased) and then contact_check (length in
 * characters, control characters, and the form of emails, phones, web
 * addresses, birthdays and region codes). */
#ifndef CTRACK_CONTACT_H
#define CTRACK_CONTACT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum contact_kind {
    CK_TEXT,     /* one line */
    CK_MULTI,    /* line breaks allowed */
    CK_EMAIL,
    CK_PHONE,
    CK_URL,
    CK_BIRTHDAY, /* YYYY-MM-DD or --MM-DD */
    CK_REGION,   /* a region code, stored as the region's id */
    CK_CODE,     /* an identifier: no spaces inside */
    CK_TYPES,    /* email or phone types: "work,voice" */
};

/* The fields, in the order of the form and of every column list built
 * from contact_fields. */
enum contact_field {
    CF_FIRST_NAME,
    CF_MIDDLE_NAME,
    CF_LAST_NAME,
    CF_SUFFIX,
    CF_NICKNAME,
    CF_TITLE,
    CF_ORGANISATION,
    CF_PARTY,
    CF_EMAIL,
    CF_PHONE,
    CF_ADDRESS,
    CF_CITY,
    CF_ADDRESS_REGION,
    CF_POSTAL_CODE,
    CF_COUNTRY,
    CF_WEBSITE,
    CF_CONTACT_FORM,
    CF_BIRTHDAY,
    CF_REGION,
    CF_NOTES,
    /* Not on the form: kept by imports and shown. */
    CF_EXTERNAL_ID,
    CF_EMAIL_TYPE,
    CF_PHONE_TYPE,
    CF_COUNT
};
/* The fields the contact form edits: CF_FIRST_NAME .. CF_NOTES. */
#define CF_FORM_COUNT (CF_NOTES + 1)

typedef struct contact_field_def {
    const char *name;  /* form field, HDF node, file column; the column too
                        * (but region, whose column is region_id) */
    const char *label; /* for people */
    size_t max;        /* characters */
    enum contact_kind kind;
} contact_field_def;

extern const contact_field_def contact_fields[CF_COUNT];

/* A contact's values: v[f] is NUL-terminated, len[f] its length. */
typedef struct contact_values {
    const char *v[CF_COUNT];
    size_t len[CF_COUNT];
    long long region_id; /* resolved from v[CF_REGION]; 0 for none */
} contact_values;

/* Looks a field up by its name; -1 when there is none. */
int contact_field_find(const char *name, size_t n);

/* The cleaned form of s[0..n) for field f, in a: surrounding spaces and
 * TABs trimmed (multi-line text is not trimmed: its CRLF and CR become LF),
 * NFC when s is valid UTF-8 (invalid UTF-8 is copied as it is, for
 * contact_check to refuse), an URL's scheme lowercased, types lowercased.
 * Sets *n to the new length. */
const char *contact_clean(arena *a, enum contact_field f, const char *s, size_t *n);

/* NULL when s[0..n) (cleaned) is acceptable for f; otherwise why not, for
 * people, e.g. "is too long (at most 100 characters)". Empty is always
 * acceptable here (whether a contact needs a name is contact_check_whole). */
const char *contact_check(enum contact_field f, const char *s, size_t n);

/* NULL when the contact as a whole is acceptable (it has a first name, a
 * last name or an organisation); otherwise the message. */
const char *contact_check_whole(const contact_values *v);

/* Appends "p.first_name, p.middle_name, ..." for fields [0, count), with
 * region as region_id; prefix is the table alias with its dot ("c.") or "". */
void contact_columns_sql(buf *sql, const char *prefix, int count);
/* The same as "p.first_name = ?, p.middle_name = ?, ...". */
void contact_assign_sql(buf *sql, const char *prefix, int count);

/* A birthday as stored (YYYY-MM-DD or --MM-DD) from the forms people and
 * files write: those two, YYYYMMDD and --MMDD (vCard). Returns false when
 * s is none of them or not a real date (29 February needs a leap year; a
 * day without a year may be 29 February). out gets 11 bytes. */
bool contact_birthday(const char *s, size_t n, char out[11]);

/* Normalises email or phone types to the stored form: lowercase words
 * from the list home, work, cell, voice, fax, pager, text, video, main,
 * other, in that order, joined by ','; "mobile" and "iphone" are cell,
 * "business" work, "msg" text; "internet" (every email is one), "pref"
 * (said apart) and "x400" are dropped; a leading '*' (Google's mark of the
 * preferred one) is ignored; other words are dropped and counted in
 * *unknown (may be NULL). out needs 64 bytes. */
void contact_types(const char *const *words, size_t n, char out[64], size_t *unknown);

#endif
