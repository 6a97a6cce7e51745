/* import: contacts from a file into the database, and undoing it. The web
 * import (import_pages.c) and `ctrack import` (cli_import.c) share every
 * rule here: the candidates of import_map.h are checked against the
 * client's regions and campaigns and the actor's scope, matched, and
 * written in the caller's transaction, with what was done to each contact
 * kept in import_contacts (for undo) and every problem in import_problems.
 *
 * A run works inside a savepoint: a dry run, or an all-or-nothing run that
 * met an error, rolls its contacts back and keeps only its report, so the
 * counts of a dry run are exactly those the real run would have. */
#ifndef CTRACK_IMPORT_H
#define CTRACK_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "db.h"
#include "import_map.h"
#include "util.h"

/* The largest file an import takes (the web upload and the command line). */
#define IMPORT_MAX_BYTES (32L * 1024 * 1024)
/* Problems kept per run (the counts stay exact beyond it). */
#define IMPORT_MAX_PROBLEMS 10000
/* Contact ids an audit detail lists at most (then "truncated":true). */
#define IMPORT_DETAIL_MAX 100000

enum import_rc {
    IMPORT_OK = 0,
    IMPORT_BAD_FILE = 1,  /* the file cannot be read at all (job error) */
    IMPORT_NOT_FOUND = 2, /* no such import of the client */
    IMPORT_STATE = 3,     /* not possible in the import's state (job error) */
    IMPORT_TOO_BIG = 4,   /* more work than the request may take (job error); nothing done */
};

typedef struct import_options {
    bool update;          /* create and update (else create only) */
    bool match_external;  /* match on external_id (else on email) */
    bool valid_only;      /* import the valid rows (else all or nothing) */
    bool dry_run;
    bool restore_deleted; /* a match with a deleted contact restores it (else skips) */
    import_settings read;
} import_options;

typedef struct import_counts {
    long long read, created, updated, restored, unchanged, skipped, failed, warnings;
} import_counts;

typedef struct import_job {
    db *d;
    arena *a;
    const acl_scope *sc;
    bool may_create_campaigns;
    long long import_id; /* the imports row (import_create) */
    import_options opt;
    import_counts n;
    bool rolled_back; /* contacts written were rolled back (dry run, or errors) */
    const char *format, *encoding;
    char delimiter;
    const char *settings; /* the options as the web form sent them, kept to
                           * show them again; NULL leaves them as they were */
    buf *detail; /* the audit detail is appended here (a JSON object) */
    void (*touch)(void *ctx, long long contact_id);
    void *touch_ctx;
    /* A monotonic time (now_mono_us) past which a run or an undo stops and
     * changes nothing (IMPORT_TOO_BIG): a web request's deadline; 0 for
     * none (the command line). */
    int64_t deadline_us;
    long long left_alone; /* undo: contacts left as they were */
    char error[512];
} import_job;

/* Records a file as a new import of the client (user_id 0 for the command
 * line): its name, size and SHA-256, and the file itself when keep (an
 * upload, run by a later request); *id gets its number. enum db_rc. */
int import_create(db *d, long long client_id, long long user_id, const char *file_name, const char *data, size_t len,
                  bool keep, long long *id);

typedef struct import_record {
    long long id, user_id;
    const char *file_name, *sha256_hex, *format, *status, *options, *settings, *created_at, *run_at, *undone_at;
    const char *content; /* NULL once imported */
    size_t content_len, file_size;
    bool dry_run;
    import_counts n;
} import_record;

/* Reads import id of the client (its content too when with_content).
 * 1 found, 0 not, or a negative enum db_rc. */
int import_get(db *d, arena *a, long long client_id, long long id, bool with_content, bool lock, import_record *out);

/* Runs the import j->import_id over data[0..len) with j->opt. Returns
 * IMPORT_OK (rows may still have failed: see j->n), IMPORT_BAD_FILE or
 * IMPORT_STATE with j->error, or a negative enum db_rc. */
int import_run(import_job *j, const char *data, size_t len);

/* Where a run's candidates come from: next as import_next (1 a row, 0 the
 * end, -1 the rest cannot be read), and what to call the source. */
typedef struct import_rows {
    int (*next)(void *ctx, arena *a, import_row *row, char *err, size_t errlen);
    void *ctx;
    const char *format, *encoding;
    char delimiter;
} import_rows;

/* import_run over rows from elsewhere (the Open States folder). */
int import_run_rows(import_job *j, const import_rows *src);

/* Sets the size of an import that is not one file (its SHA-256 is that of
 * a manifest of its files). enum db_rc. */
int import_set_size(db *d, long long client_id, long long id, size_t bytes);

/* Undoes import j->import_id: its created contacts are deleted, the
 * updated and restored ones get their values from before the import back;
 * a contact changed since the import is left as it is and named in the
 * detail. Returns IMPORT_OK, IMPORT_NOT_FOUND, IMPORT_STATE or a db rc. */
int import_undo(import_job *j);

/* The options as JSON (for the imports row and the audit detail). */
void import_options_json(buf *b, const import_options *o);

#endif
