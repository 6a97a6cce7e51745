/* http_parse: pure parsers of request data: query strings and urlencoded
 * bodies, cookies, Content-Length. Bytes in, name/value pairs out. */
#ifndef CTRACK_HTTP_PARSE_H
#define CTRACK_HTTP_PARSE_H

#include <stddef.h>

#include "util.h"

#define HTTP_MAX_PARAMS 256
/* The most pairs of a form body (params.max): the largest forms are the
 * security matrix (a checkbox per user type and function) and a user's
 * regions (one per region chosen, 690 in the demo data). */
#define HTTP_MAX_FORM_PARAMS 2048

typedef struct param {
    const char *name;
    const char *value; /* NUL-terminated, len bytes, no NUL inside */
    size_t len;
} param;

typedef struct params {
    param *v;
    size_t n, cap;
    size_t max; /* the most pairs accepted; 0 for HTTP_MAX_PARAMS */
} params;

enum http_parse_rc {
    HP_OK = 0,
    HP_BAD_ENCODING = -1, /* a broken %-escape */
    HP_BAD_UTF8 = -2,     /* a name or value is not UTF-8 */
    HP_TOO_MANY = -3,     /* more than max (HTTP_MAX_PARAMS) pairs */
    HP_NUL = -4,          /* a name or value holds a NUL byte */
};

enum http_media_rc {
    HP_MEDIA_OK = 0,
    HP_MEDIA_OTHER = -1,   /* another media type, or a malformed header */
    HP_MEDIA_CHARSET = -2, /* the right type in a charset other than UTF-8 */
};

/* Parses application/x-www-form-urlencoded text (also query strings) into
 * out, allocating from a. '+' is a space. Returns an enum http_parse_rc. */
int http_parse_urlencoded(arena *a, const char *s, size_t len, params *out);
/* Parses a Cookie header ("a=b; c=d"). Malformed pairs are skipped. */
int http_parse_cookies(arena *a, const char *s, size_t len, params *out);
/* The first value of name, or NULL. */
const char *params_get(const params *p, const char *name);
/* Like params_get, also giving the length. */
const char *params_getn(const params *p, const char *name, size_t *len);
/* Adds a pair (copies nothing: the strings must outlive p). */
void params_add(arena *a, params *p, const char *name, const char *value, size_t len);

/* Whether the Content-Type header ct names the media type `type` (given in
 * lowercase), ignoring case and surrounding space, with optional parameters;
 * a charset parameter must be UTF-8. Returns an enum http_media_rc. */
int http_media_type_is(const char *ct, const char *type);

/* Parses CONTENT_LENGTH strictly (digits only). 0 on success, -1 when
 * malformed, -2 when above max. NULL or "" means 0. */
int http_parse_content_length(const char *s, size_t max, size_t *out);

#endif
