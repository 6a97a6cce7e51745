/* import_map: from an uploaded file to candidate contacts. Pure: no I/O,
 * no database, so the web import, `ctrack import` and the tests share it.
 *
 * import_open decodes the file (textenc.h: UTF-8 with or without BOM,
 * UTF-16 with BOM, Windows-1252), tells CSV from vCard, finds the CSV
 * delimiter and maps each CSV column to a target (a contact field, the
 * Nth email or phone or its type, tags, a campaign, the whole name) from
 * its header, or from the caller's mapping. import_next then gives one
 * candidate per record or card: the values cleaned and checked by the rules
 * of contact.h, with every problem named by row and column. What needs the
 * database (regions, campaigns, matching, writing) is import.c's. */
#ifndef CTRACK_IMPORT_MAP_H
#define CTRACK_IMPORT_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "contact.h"
#include "csv.h"
#include "textenc.h"
#include "util.h"
#include "vcard.h"

enum import_format { IMPORT_CSV, IMPORT_VCARD };

/* How dates like 03/04/1990 are read: one order per import, never a
 * guess per row. ISO dates (1990-04-03) are read in any case. */
enum import_dates { DATES_ISO, DATES_MDY, DATES_DMY };

enum import_target_kind {
    TK_IGNORE,
    TK_FIELD,      /* field */
    TK_EMAIL,      /* the slot-th email (1 is the first) */
    TK_EMAIL_TYPE, /* its types */
    TK_PHONE,      /* the slot-th phone, with implied types (Mobile Phone) */
    TK_PHONE_TYPE,
    TK_EMAIL_LIST, /* several emails, one per line: "value (types)" */
    TK_PHONE_LIST,
    TK_ADDRESS_LINE, /* a further street line, appended to the address */
    TK_TAGS,       /* tags separated by , ; or ::: */
    TK_CAMPAIGN,   /* campaign names separated by ; or line breaks (a name may hold a comma) */
    TK_NAME,       /* the whole name: used when there is no first or last name */
};

/* Slots of emails and phones one contact may have in a file. */
#define IMPORT_MAX_SLOTS 8

typedef struct import_target {
    enum import_target_kind kind;
    int field;              /* TK_FIELD: enum contact_field */
    int slot;               /* TK_EMAIL..TK_PHONE_TYPE: 1.. */
    const char *types;      /* TK_PHONE, TK_EMAIL: implied types ("cell"), or "" */
    const char *why;        /* TK_IGNORE: why, for people, e.g. "not a known column" */
} import_target;

/* What the caller chose; zero is automatic for everything. */
typedef struct import_settings {
    bool encoding_set;
    enum textenc encoding;
    char delimiter;            /* 0: detect */
    enum import_dates dates;
    /* The caller's mapping of CSV columns, or NULL: ncodes codes, one per
     * column, as import_target_code writes them ("" to ignore a column). */
    const char *const *codes;
    size_t ncodes;
} import_settings;

typedef struct import_source {
    enum import_format format;
    enum textenc encoding;
    char delimiter;
    enum import_dates dates;
    buf text;                  /* the file as UTF-8 */
    /* CSV: the header and the target of each column. */
    size_t ncolumns;
    const char **headers;
    import_target *targets;
    csv_reader *csv;
    vcard_reader *vcard;
    arena *a;                  /* the source's own memory */
    size_t records;            /* candidates given so far */
} import_source;

/* A problem with one record, or with the file. */
typedef struct import_problem {
    const char *column; /* the column (CSV header, vCard property) or "" */
    bool error;         /* an error rejects the record; a warning does not */
    const char *reason;
} import_problem;

typedef struct import_channel {
    const char *value;
    size_t len;
    char types[64];
    int pref; /* vCard PREF: 1 most preferred; 0 none */
} import_channel;

/* One candidate contact. The strings live in the arena given to
 * import_next. */
typedef struct import_row {
    size_t record; /* 1-based: the first data row or card is 1 */
    size_t line;   /* where it starts in the file */
    contact_values v; /* cleaned; region as the code (or name) given */
    bool has[CF_COUNT]; /* the file gave the field (even empty) */
    import_channel emails[IMPORT_MAX_SLOTS], phones[IMPORT_MAX_SLOTS];
    size_t nemails, nphones; /* in order: the first is the contact's own */
    const char **tags;
    size_t ntags;
    const char **campaigns;
    size_t ncampaigns;
    import_problem *problems;
    size_t nproblems;
    bool bad; /* at least one error */
} import_row;

/* Opens data[0..len) (which must outlive the source) for reading. Returns
 * 0, or -1 with err set: not a text file, an encoding problem (naming the
 * line), a CSV without a usable header, a header with one column that
 * holds another delimiter, a file that is neither CSV nor vCard. */
int import_open(import_source *src, const char *data, size_t len, const import_settings *set, char *err,
                size_t errlen);
/* The next candidate into row (memory from a). 1, 0 at the end, or -1 when
 * the file itself is broken from here on (err names the line); the rows
 * before stand. */
int import_next(import_source *src, arena *a, import_row *row, char *err, size_t errlen);
/* Frees what import_open made; safe on a zeroed source. */
void import_close(import_source *src);

/* For other sources of candidates (import_openstates.c): a row built
 * field by field with the same cleaning, checks and problems as a file's.
 * import_row_begin clears row; import_row_set sets a field (dates read as
 * ISO); import_row_channel adds an email (email true) or a phone with its
 * types ("work,fax"); import_row_tag adds a tag; import_row_warn adds a
 * warning, import_row_fail an error; import_row_end puts the preferred
 * email and phone first (record is its number). Whether a contact without
 * a name may be made is import.c's to say (an update keeps the name it has). */
void import_row_begin(import_row *row, size_t line);
void import_row_set(import_row *row, arena *a, const char *column, enum contact_field f, const char *s, size_t n);
void import_row_channel(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n,
                        const char *types);
void import_row_tag(import_row *row, arena *a, const char *tag);
void import_row_warn(import_row *row, arena *a, const char *column, const char *reason);
/* Like import_row_set and import_row_channel, but a value that fails the
 * checks is left out with a warning instead of refusing the row (for data
 * sets whose optional fields are known to be untidy). */
void import_row_offer(import_row *row, arena *a, const char *column, enum contact_field f, const char *s, size_t n);
void import_row_offer_channel(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n,
                              const char *types);
/* Further emails or phones as this product's export and the contact form
 * write them (one "value (types)" per line), and tags (separated by
 * commas, semicolons, line breaks or :::), added to the row. */
void import_row_channel_lines(import_row *row, arena *a, bool email, const char *column, const char *s, size_t n);
void import_row_tags(import_row *row, arena *a, const char *column, const char *s, size_t n);
/* An error: the row is refused. */
void import_row_fail(import_row *row, arena *a, const char *column, const char *reason);
void import_row_end(import_row *row, arena *a, size_t record);

/* The target of a CSV header, as recognised (Google and Outlook exports,
 * this product's own export, common names). */
import_target import_target_for(const char *header, size_t n);
/* A target as a short code ("first_name", "email.2", "phone.1:cell",
 * "tags", "" for ignore) into out (64 bytes), and back: false when code is
 * not one. */
void import_target_code(const import_target *t, char out[64]);
bool import_target_parse(const char *code, import_target *t);
/* A description for people ("Email 2", "Phone 1 (cell)", "First name"). */
void import_target_label(const import_target *t, char out[96]);

/* A date as written in a file, in the order given, to the stored form
 * (contact.h): NULL with the date in out, or why not ("13 is not a month";
 * a constant, or the message written into out). */
#define IMPORT_DATE_OUT 80
const char *import_date(const char *s, size_t n, enum import_dates dates, char out[IMPORT_DATE_OUT]);

#endif
