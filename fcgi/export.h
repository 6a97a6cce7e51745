/* export: streamed downloads (the contacts CSV, the audit trail's CSV and
 * JSON). The request's own audit row (the start) commits first; then the
 * rows of one unbuffered statement go out through a small buffer, and a
 * closing audit row records how many went out or why the export broke. */
#ifndef CTRACK_EXPORT_H
#define CTRACK_EXPORT_H

#include "db.h"
#include "http.h"

/* How one format writes its rows into the outgoing buffer. */
typedef struct export_writer {
    const char *format; /* "csv", "json", "ndjson", "vcard": named in the closing audit row */
    /* Before the first row (a header line, '['); may be NULL. */
    void (*begin)(buf *out, const void *arg);
    /* One row of s; n rows went before it. May call request_touch. */
    void (*row)(request *r, buf *out, db_stmt *s, long long n, const void *arg);
    /* After the last row of a complete export; may be NULL. */
    void (*end)(buf *out, long long rows, const void *arg);
    const void *arg;
    /* A JSON object repeated as "filter" in the closing row, or NULL. */
    const char *filter_json;
} export_writer;

/* Sets the response up as a download of content_type named filename. For
 * HEAD nothing more happens (nothing is read, so nothing is exported) and
 * false is returned; otherwise stream (with arg) is set to run after the
 * start row committed, and true is returned. */
bool export_start(request *r, const char *content_type, const char *filename, int (*stream)(request *r, db *d),
                  void *arg);

/* Runs s (prepared and bound by the caller) unbuffered and sends its rows
 * through w, checking every write. Sets r->detail to the closing audit
 * row's detail (format, phase, rows, error) and returns its status: 200
 * when the body is complete, 499 when the client went away, 500 or 503 for
 * the database; s is left with no result pending. A NULL s is a failed
 * prepare (500). */
int export_send(request *r, db_stmt *s, const export_writer *w);

#endif
