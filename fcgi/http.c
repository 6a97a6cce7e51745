/* http: libfcgi behind the request struct. */
#include "http.h"

#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int rc = http_parse_content_length(FCGX_GetParam("CONTENT_LENGTH", fr->envp), cf->max_body, &len);
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

int http_send_and_end(request *r)
{
    FCGX_Request *fr = r->fcgx;
    buf head = {0};
    buf_printf(&head, "Status: %d %s\r\n", r->status, http_reason(r->status));
    buf_printf(&head, "Content-Type: %s\r\n", r->content_type_out);
    buf_printf(&head, "Content-Length: %zu\r\n", r->body_out.len);
    buf_adds(&head, "Cache-Control: no-store\r\n");
    buf_add(&head, buf_str(&r->headers), r->headers.len);
    buf_adds(&head, "\r\n");
    int rc = 0;
    if (FCGX_PutStr(head.data, (int)head.len, fr->out) < 0)
        rc = -1;
    if (rc == 0 && r->body_out.len && strcmp(r->method, "HEAD") != 0 &&
        FCGX_PutStr(buf_str(&r->body_out), (int)r->body_out.len, fr->out) < 0)
        rc = -1;
    buf_free(&head);
    buf_free(&r->headers);
    buf_free(&r->body_out);
    buf_free(&r->detail);
    page_free(r->pg);
    arena_free(r->mem);
    r->pg = NULL;
    r->mem = NULL;
    log_set_request(NULL);
    return rc;
}
