/* http: the request and the response. The only file that includes libfcgi:
 * it copies the parameters out, caps and reads the body, and writes the
 * response in one place. */
#ifndef CTRACK_HTTP_H
#define CTRACK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "conf.h"
#include "http_parse.h"
#include "render.h"
#include "util.h"

/* Who is making the request, once auth has looked at it. */
typedef struct identity {
    long long client_id;
    long long user_id;
    long long user_type_id;
    const char *username;
    const char *display_name;
    const char *client_name;
    const char *time_zone; /* the client's IANA zone (clock.h), e.g. "UTC" */
    char csrf[64]; /* the session's CSRF token */
    long long session_id;     /* sessions.id of a browser session, else 0 */
    long long token_id;       /* api_tokens.id when an API token is used, else 0 */
    bool must_change_password; /* an administrator set the password */
    bool must_enrol;          /* the user type requires two-factor, not yet set up */
    acl_set functions;
    acl_scope scope; /* the rows this user may reach (acl.h) */
} identity;

typedef struct request {
    arena *mem;          /* everything request-scoped; freed by http_end */
    const conf *cf;
    void *fcgx;          /* the FCGX_Request, owned by serve.c */

    /* Input, copied out of libfcgi at once. Never NULL ("" when absent). */
    const char *method;
    const char *path;    /* the path as sent, without the query */
    const char *query;
    const char *remote_addr;
    const char *content_type;
    const char *cookie;
    const char *origin;
    const char *host;
    const char *authorization;
    const char *user_agent;
    const char *body;
    size_t body_len;
    char request_id[33];
    int64_t started_us;  /* monotonic time when the worker took the request */
    params qs;           /* query string */
    params form;         /* urlencoded POST body (or an upload's text fields) */
    const struct multipart_part *upload; /* the file of a POST HTTP_UPLOAD_PATH, or NULL */
    bool show_page;      /* a refusal (4xx) shows the handler's own page, not the error page */
    params cookies;
    long long path_id;   /* the {id} of the route pattern, 0 if none */

    identity who;
    bool logged_in;
    /* A right password, the second factor still to come: who.client_id,
     * user_id and username are set, logged_in is false (session.h). */
    bool second_factor;
    /* The Authorization header was refused (token.h): why, for the audit
     * row. The gate answers 401 before anything else. */
    const char *token_refused;
    bool token_new_address; /* a token used from another address than last time */

    /* Response. */
    int status;
    buf headers;         /* extra header lines, each ending in \r\n */
    buf body_out;
    const char *content_type_out;
    const char *template_name; /* set by a handler that renders a page */
    page *pg;
    /* A streamed response (exports): set by the handler, called by the
     * pipeline after COMMIT with stream_arg kept for it. It writes the body
     * with http_stream_*, sets r->detail for the closing audit row and
     * returns that row's outcome: 200 when the body is complete, else the
     * failure's status. It must leave no result pending on d. */
    int (*stream)(struct request *r, db *d);
    void *stream_arg;
    bool streaming;      /* the headers of a streamed response have been sent */

    /* Audit. */
    const char *action;
    const char *object_type;
    long long object_id;
    buf detail;          /* a JSON object, or empty */
    /* Contacts the request touched besides its object (each id of a bulk
     * action, an export, an import): written beside its audit row
     * (audit_add_contacts); see request_touch. Compact (an export of a
     * million contacts keeps about a megabyte of them); freed with the
     * request. */
    idlist touched;
    unsigned long long audit_id; /* the id of the request's audit row, once written */
    /* The handler's work stands although the answer is an error: a failed
     * logon is counted (lockout.h) in the transaction of its audit row. */
    bool keep_work;
    const char *error_message; /* shown on the error page */
} request;

/* Reads one accepted FastCGI request into r (allocating r->mem), with the
 * body capped at cf->max_body. Returns 0 when the request is well-formed, or
 * the HTTP status to answer (400, 411, 413) when it is not. */
int http_begin(request *r, void *fcgx, const conf *cf);
/* Sends the response held in r (status, headers, body), then frees
 * everything request-scoped. Returns 0, or -1 when the client went away. */
int http_send_and_end(request *r);

/* A streamed response, for bodies too large to hold (exports; nginx must
 * pass them on as they come: see /export/ in conf/ctrack-site.conf.in).
 * Begin sends the status and headers now, without Content-Length (nginx
 * sends the body chunked). Write sends bytes through libfcgi's fixed buffer;
 * every call can find the client gone. Both return 0, or -1 when the client
 * went away (stop then, and abort). */
int http_stream_begin(request *r);
int http_stream_write(request *r, const char *p, size_t n);
/* Ends a streamed response that is complete (nginx then sends the last
 * chunk) and frees everything request-scoped. */
void http_stream_end(request *r);
/* Ends a streamed response that broke: instead of the end of the FastCGI
 * request nginx gets a record it refuses, then the connection closes, so
 * nginx cuts the response without its terminating chunk (HTTP/1.1) or
 * resets the stream (HTTP/2): the client sees an incomplete transfer, never
 * a short file that looks whole. Frees like http_stream_end. */
void http_stream_abort(request *r);

/* The one path whose POST carries a file (an import's upload): its body
 * may be Server.MaxUpload bytes, every other body Server.MaxBody. */
#define HTTP_UPLOAD_PATH "/imports"

/* Records that the request touched contact id besides its object (an
 * export's rows, a bulk action's set): the ids go into audit_contacts beside
 * the request's (closing) audit row, for each contact's history. The list
 * grows in r->mem; allocation failure aborts. */
void request_touch(request *r, long long id);
/* For the contacts a page only showed (a list page's 50): appends
 * "shown":[ids] to the detail b in the order touched and forgets them, so
 * that they are recorded in the row itself rather than as 50 rows of
 * audit_contacts (which cost a list page a quarter of its throughput). */
void request_shown_json(request *r, buf *b);

/* Adds a response header line; name and value must not contain CR or LF. */
void http_header(request *r, const char *name, const char *value);
/* A 303 redirect to a local path. */
void http_redirect(request *r, const char *location);
/* Sets a cookie with the __Host- rules: Secure, HttpOnly, SameSite=Lax, Path=/.
 * max_age < 0 leaves it a session cookie; 0 deletes it. */
void http_set_cookie(request *r, const char *name, const char *value, long max_age);
/* The reason phrase of a status code. */
const char *http_reason(int status);

#endif
