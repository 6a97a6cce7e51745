/* http: libfcgi behind the request struct. */
#include "http.h"

#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"

static const char *fcgi_param(request *r, FCGX_Request *fr, const char *name)
{
    const char *v = FCGX_GetParam(name, fr->envp);
    return arena_strdup(r->mem, v ? v : "");
}

int http_begin(request *r, void *fcgx, const conf *cf)
{
    FCGX_Request *fr = fcgx;
    memset(r, 0, sizeof *r);
    r->started_us = now_mono_us();
    r->mem = arena_new();
    r->cf = cf;
    r->fcgx = fcgx;
    r->status = 200;
    r->content_type_out = "text/html; charset=utf-8";
    r->method = fcgi_param(r, fr, "REQUEST_METHOD");
    r->query = fcgi_param(r, fr, "QUERY_STRING");
    r->remote_addr = fcgi_param(r, fr, "REMOTE_ADDR");
    r->content_type = fcgi_param(r, fr, "CONTENT_TYPE");
    r->cookie = fcgi_param(r, fr, "HTTP_COOKIE");
    r->origin = fcgi_param(r, fr, "HTTP_ORIGIN");
    r->host = fcgi_param(r, fr, "HTTP_HOST");
    r->authorization = fcgi_param(r, fr, "HTTP_AUTHORIZATION");
    r->user_agent = fcgi_param(r, fr, "HTTP_USER_AGENT");
    /* Routing uses the path exactly as sent (REQUEST_URI without the query),
     * so nothing is decoded twice; a path that needs decoding matches no
     * route. */
    const char *uri = fcgi_param(r, fr, "REQUEST_URI");
    const char *q = strchr(uri, '?');
    if (q)
        uri = arena_strndup(r->mem, uri, (size_t)(q - uri));
    r->path = *uri ? uri : "/";
    r->pg = page_new();
    if (audit_new_request_id(r->request_id) != 0)
        return 500;
    log_set_request(r->request_id);

    if (http_parse_cookies(r->mem, r->cookie, strlen(r->cookie), &r->cookies) != HP_OK)
        return 400;
    size_t len = 0;
    /* One route takes files: its body may be as big as an import allows. */
    size_t max = strcmp(r->path, HTTP_UPLOAD_PATH) == 0 && strcmp(r->method, "POST") == 0 ? cf->max_upload
                                                                                          : cf->max_body;
    int rc = http_parse_content_length(FCGX_GetParam("CONTENT_LENGTH", fr->envp), max, &len);
    if (rc == -2)
        return 413;
    if (rc != 0)
        return 400;
    if (len) {
        char *body = arena_alloc(r->mem, len + 1);
        int got = FCGX_GetStr(body, (int)len, fr->in);
        if (got < 0 || (size_t)got != len)
            return 400;
        body[len] = '\0';
        r->body = body;
        r->body_len = len;
    } else {
        r->body = "";
    }
    return 0;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

static bool header_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n' || (unsigned char)*s < 0x20)
            return false;
    return true;
}

void request_touch(request *r, long long id)
{
    idlist_add(&r->touched, id);
}

void request_shown_json(request *r, buf *b)
{
    buf_adds(b, "\"shown\":[");
    size_t pos = 0;
    long long prev = 0, id;
    for (bool first = true; idlist_next(&r->touched, &pos, &prev, &id); first = false)
        buf_printf(b, "%s%lld", first ? "" : ",", id);
    buf_addc(b, ']');
    idlist_clear(&r->touched);
}

void http_header(request *r, const char *name, const char *value)
{
    if (!header_safe(name) || !header_safe(value)) {
        log_error("http: refused a header with control characters");
        return;
    }
    buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

void http_redirect(request *r, const char *location)
{
    r->status = 303;
    http_header(r, "Location", location);
}

void http_set_cookie(request *r, const char *name, const char *value, long max_age)
{
    buf c = {0};
    buf_printf(&c, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Lax", name, value);
    if (max_age >= 0)
        buf_printf(&c, "; Max-Age=%ld", max_age);
    http_header(r, "Set-Cookie", buf_str(&c));
    buf_free(&c);
}

/* The status line and headers; with_length adds the Content-Length of
 * body_out (a streamed body has none). */
static void head_lines(request *r, buf *head, bool with_length)
{
    buf_printf(head, "Status: %d %s\r\n", r->status, http_reason(r->status));
    buf_printf(head, "Content-Type: %s\r\n", r->content_type_out);
    if (with_length)
        buf_printf(head, "Content-Length: %zu\r\n", r->body_out.len);
    buf_adds(head, "Cache-Control: no-store\r\n");
    buf_add(head, buf_str(&r->headers), r->headers.len);
    buf_adds(head, "\r\n");
}

static void request_free(request *r)
{
    buf_free(&r->headers);
    buf_free(&r->body_out);
    buf_free(&r->detail);
    idlist_free(&r->touched);
    page_free(r->pg);
    arena_free(r->mem);
    r->pg = NULL;
    r->mem = NULL;
    log_set_request(NULL);
}

int http_send_and_end(request *r)
{
    FCGX_Request *fr = r->fcgx;
    buf head = {0};
    head_lines(r, &head, true);
    int rc = 0;
    if (FCGX_PutStr(head.data, (int)head.len, fr->out) < 0)
        rc = -1;
    if (rc == 0 && r->body_out.len && strcmp(r->method, "HEAD") != 0 &&
        FCGX_PutStr(buf_str(&r->body_out), (int)r->body_out.len, fr->out) < 0)
        rc = -1;
    buf_free(&head);
    request_free(r);
    return rc;
}

int http_stream_begin(request *r)
{
    FCGX_Request *fr = r->fcgx;
    buf head = {0};
    head_lines(r, &head, false);
    r->streaming = true;
    int rc = FCGX_PutStr(head.data, (int)head.len, fr->out) < 0 ? -1 : 0;
    buf_free(&head);
    return rc;
}

int http_stream_write(request *r, const char *p, size_t n)
{
    FCGX_Request *fr = r->fcgx;
    while (n > 0) {
        int part = n > (1u << 20) ? 1 << 20 : (int)n;
        if (FCGX_PutStr(p, part, fr->out) != part)
            return -1;
        p += part;
        n -= (size_t)part;
    }
    return 0;
}

void http_stream_end(request *r)
{
    request_free(r);
}

void http_stream_abort(request *r)
{
    FCGX_Request *fr = r->fcgx;
    /* Closing alone is not enough: with fastcgi_keep_conn off nginx reads
     * a response until the connection closes and takes the close for its
     * end. A record header it cannot parse (protocol version 0) makes it
     * end the response in error instead: no last chunk over HTTP/1.1, a
     * reset stream over HTTP/2. What libfcgi wrote before were whole
     * records, so the header lands where nginx expects the next one. */
    static const char bad_record[8] = {0};
    if (fr->ipcFd >= 0 && write(fr->ipcFd, bad_record, sizeof bad_record) != (ssize_t)sizeof bad_record)
        log_info("http: the connection to the web server was already gone");
    /* Frees the streams without flushing them or sending END_REQUEST, and
     * closes the connection; FCGX_Finish_r then finds nothing left to do. */
    FCGX_Free(fr, 1);
    request_free(r);
}
