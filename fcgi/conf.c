/* conf: the configuration file reader. It is the one parser of the config
 * file, so it is strict: unknown keys and malformed lines are errors. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util.h"

#define CONF_MAX_DEPTH 8
#define CONF_MAX_FILE (1 << 20)

static void trim(const char **s, const char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static bool valid_key(const char *s, const char *e)
{
    if (s == e)
        return false;
    for (const char *p = s; p < e; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
            return false;
        if (*p == '.' && (p == s || p + 1 == e || p[1] == '.'))
            return false;
    }
    return true;
}

int conf_parse_text(const char *text, size_t len, conf_pair_fn fn, void *ctx, char *err, size_t errlen)
{
    char prefix[CONF_MAX_DEPTH][128];
    int opened_at[CONF_MAX_DEPTH]; /* so an unclosed block can be pointed at */
    int depth = 0;
    int lineno = 0;
    const char *p = text, *end = text + len;
    buf key = {0};
    int rc = -1;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *ls = p, *le = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (memchr(ls, '\0', (size_t)(le - ls))) {
            snprintf(err, errlen, "line %d: NUL byte", lineno);
            goto out;
        }
        trim(&ls, &le);
        if (ls == le || *ls == '#')
            continue;
        if (le - ls == 1 && *ls == '}') {
            if (depth == 0) {
                snprintf(err, errlen, "line %d: '}' without a block", lineno);
                goto out;
            }
            depth--;
            continue;
        }
        if (le[-1] == '{') {
            const char *ke = le - 1;
            const char *ks = ls;
            trim(&ks, &ke);
            if (!valid_key(ks, ke) || ke - ks >= 127) {
                snprintf(err, errlen, "line %d: bad block name", lineno);
                goto out;
            }
            if (depth == CONF_MAX_DEPTH) {
                snprintf(err, errlen, "line %d: blocks nested too deep", lineno);
                goto out;
            }
            snprintf(prefix[depth], sizeof prefix[depth], "%.*s", (int)(ke - ks), ks);
            opened_at[depth] = lineno;
            depth++;
            continue;
        }
        const char *eq = memchr(ls, '=', (size_t)(le - ls));
        if (!eq) {
            snprintf(err, errlen, "line %d: expected 'Key = value'", lineno);
            goto out;
        }
        const char *ks = ls, *ke = eq, *vs = eq + 1, *ve = le;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (!valid_key(ks, ke)) {
            snprintf(err, errlen, "line %d: bad key", lineno);
            goto out;
        }
        buf_reset(&key);
        for (int i = 0; i < depth; i++)
            buf_printf(&key, "%s.", prefix[i]);
        buf_add(&key, ks, (size_t)(ke - ks));
        char *val = xstrndup(vs, (size_t)(ve - vs));
        fn(ctx, buf_str(&key), val);
        free(val);
    }
    if (depth != 0) {
        snprintf(err, errlen, "line %d: block %s is not closed", opened_at[depth - 1], prefix[depth - 1]);
        goto out;
    }
    rc = 0;
out:
    buf_free(&key);
    return rc;
}

struct load_ctx {
    conf *c;
    buf errors;
    const char *pw_file, *admin_pw_file;
    char *pw_path;
    char *workers, *max_body, *max_upload, *mode, *idle, *abs, *iters, *timeout, *deadline;
    char *request_mem, *worker_mem;
    char *fail_export;
    char *lock_failures, *lock_window, *lock_minutes, *lock_addr;
    char *key_path, *audit_key_path, *no_audit;
    char *db_servers, *db_socket;
};

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

static void on_pair(void *vctx, const char *key, const char *value)
{
    struct load_ctx *x = vctx;
    conf *c = x->c;
    struct {
        const char *name;
        char **dst;
    } keys[] = {
        {"Server.Socket", &c->socket_path},
        {"Server.SocketGroup", &c->socket_group},
        {"Server.SocketMode", &x->mode},
        {"Server.Workers", &x->workers},
        {"Server.MaxBody", &x->max_body},
        {"Server.MaxUpload", &x->max_upload},
        {"Server.RequestDeadlineSeconds", &x->deadline},
        {"Server.RequestMemoryMB", &x->request_mem},
        {"Server.WorkerMemoryMB", &x->worker_mem},
        {"DB.Socket", &x->db_socket},
        {"DB.Servers", &x->db_servers},
        {"DB.Name", &c->db_name},
        {"DB.User", &c->db_user},
        {"DB.PasswordFile", &x->pw_path},
        {"DB.AdminUser", &c->db_admin_user},
        {"DB.AdminPasswordFile", &c->db_admin_password_file},
        {"DB.MaintenanceUser", &c->db_maint_user},
        {"DB.MaintenancePasswordFile", &c->db_maint_password_file},
        {"DB.TimeoutSeconds", &x->timeout},
        {"Paths.Templates", &c->templates},
        {"Paths.Migrations", &c->migrations},
        {"Paths.DemoData", &c->demo_data},
        {"Session.IdleMinutes", &x->idle},
        {"Session.AbsoluteHours", &x->abs},
        {"Password.Iterations", &x->iters},
        {"Lockout.Failures", &x->lock_failures},
        {"Lockout.WindowMinutes", &x->lock_window},
        {"Lockout.Minutes", &x->lock_minutes},
        {"Lockout.AddressFailures", &x->lock_addr},
        {"TwoFactor.KeyFile", &x->key_path},
        {"TwoFactor.Issuer", &c->two_factor_issuer},
        {"Audit.KeyFile", &x->audit_key_path},
        {"Log.Level", &c->log_level},
        {"Test.FailExportAfterRows", &x->fail_export},
        {"Bench.Audit", &x->no_audit},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(keys); i++) {
        if (strcmp(key, keys[i].name) == 0) {
            set_str(keys[i].dst, value);
            return;
        }
    }
    buf_printf(&x->errors, "unknown key %s; ", key);
}

char *conf_read_secret(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char line[512];
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) {
        explicit_bzero(line, sizeof line);
        snprintf(err, errlen, "%s is empty", path);
        return NULL;
    }
    char *out = xstrdup(line);
    explicit_bzero(line, sizeof line);
    return out;
}

static char *read_secret(const char *path, buf *errors)
{
    char err[600];
    char *s = conf_read_secret(path, err, sizeof err);
    if (!s)
        buf_printf(errors, "%s; ", err);
    return s;
}

/* A key (name is its config key): exactly 32 bytes in a regular file that no
 * one but the service (and its group, read-only) may read or change. */
static void read_key(const char *name, const char *path, unsigned char key[32], bool *have, buf *errors)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        buf_printf(errors, "%s %s: %s; ", name, path, strerror(errno));
        return;
    }
    if (st.st_mode & 0027) {
        buf_printf(errors, "%s %s is open to others (mode %04o): make it readable by the service only "
                   "(chmod 600); ", name, path, (unsigned)(st.st_mode & 07777));
        return;
    }
    buf k = {0};
    int rc = read_file(path, 64, &k);
    if (rc != 0 || k.len != 32)
        buf_printf(errors, "%s %s must hold exactly 32 random bytes (make one with: openssl rand 32 > FILE)%s; ",
                   name, path, rc == -1 ? ": it cannot be read" : "");
    else {
        memcpy(key, k.data, 32);
        *have = true;
    }
    if (k.data)
        explicit_bzero(k.data, k.cap);
    buf_free(&k);
}

static int num(const char *name, const char *s, long long min, long long max, long long dflt, buf *errors,
               long long *out)
{
    if (!s) {
        *out = dflt;
        return 0;
    }
    int64_t v;
    if (parse_i64(s, strlen(s), min, max, &v) != 0) {
        buf_printf(errors, "%s must be a whole number from %lld to %lld; ", name, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

void conf_free_servers(conf_db_server *s, int n)
{
    for (int i = 0; i < n; i++) {
        free(s[i].socket);
        free(s[i].host);
        s[i] = (conf_db_server){0};
    }
}

void conf_server_name(const conf_db_server *s, char *out, size_t n)
{
    if (s->socket)
        snprintf(out, n, "%s", s->socket);
    else if (strchr(s->host, ':'))
        snprintf(out, n, "[%s]:%u", s->host, s->port);
    else
        snprintf(out, n, "%s:%u", s->host, s->port);
}

/* A host name or IPv4 address (letters, digits, '.', '-'), or inside
 * brackets an IPv6 address (hex digits, ':', and '.' for an IPv4 tail). */
static bool host_ok(const char *s, size_t n, bool v6)
{
    if (n == 0 || n > 253 || (v6 && !memchr(s, ':', n)))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (v6 ? !isxdigit(ch) && ch != ':' && ch != '.' : !isalnum(ch) && ch != '.' && ch != '-')
            return false;
    }
    return true;
}

static bool same_server(const conf_db_server *a, const conf_db_server *b)
{
    if (a->socket || b->socket)
        return a->socket && b->socket && strcmp(a->socket, b->socket) == 0;
    return a->port == b->port && strcasecmp(a->host, b->host) == 0;
}

static int one_server(const char *s, size_t n, conf_db_server *out, char *err, size_t errlen)
{
    *out = (conf_db_server){0};
    if (s[0] == '/') {
        if (n > 107) {
            snprintf(err, errlen, "the socket path %.40s... is longer than a unix socket path may be", s);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f) {
                snprintf(err, errlen, "the socket path %.*s has a control character", (int)(n < 60 ? n : 60), s);
                return -1;
            }
        out->socket = xstrndup(s, n);
        return 0;
    }
    const char *hs = s, *he, *port = NULL;
    bool v6 = false;
    if (s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        if (!rb) {
            snprintf(err, errlen, "%.*s: an IPv6 address needs its closing ']'", (int)(n < 60 ? n : 60), s);
            return -1;
        }
        hs = s + 1;
        he = rb;
        v6 = true;
        if (rb + 1 < s + n) {
            if (rb[1] != ':') {
                snprintf(err, errlen, "%.*s: expected ':port' after ']'", (int)(n < 60 ? n : 60), s);
                return -1;
            }
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        he = colon ? colon : s + n;
        if (colon)
            port = colon + 1;
    }
    if (!host_ok(hs, (size_t)(he - hs), v6)) {
        snprintf(err, errlen, "%.*s is not a socket path (starting with /), host, host:port or [address]:port",
                 (int)(n < 60 ? n : 60), s);
        return -1;
    }
    int64_t p = 3306;
    if (port && parse_i64(port, (size_t)(s + n - port), 1, 65535, &p) != 0) {
        snprintf(err, errlen, "%.*s: the port must be a number from 1 to 65535", (int)(n < 60 ? n : 60), s);
        return -1;
    }
    out->host = xstrndup(hs, (size_t)(he - hs));
    out->port = (unsigned)p;
    return 0;
}

int conf_parse_servers(const char *text, conf_db_server *out, int max, char *err, size_t errlen)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ',' && !isspace((unsigned char)*e))
            e++;
        if (n == max) {
            snprintf(err, errlen, "at most %d servers", max);
            conf_free_servers(out, n);
            return -1;
        }
        if (one_server(p, (size_t)(e - p), &out[n], err, errlen) != 0) {
            conf_free_servers(out, n);
            return -1;
        }
        n++;
        for (int k = 0; k < n - 1; k++) {
            if (same_server(&out[k], &out[n - 1])) {
                snprintf(err, errlen, "%.*s is listed twice", (int)(e - p < 60 ? e - p : 60), p);
                conf_free_servers(out, n);
                return -1;
            }
        }
        p = e;
    }
    if (n == 0) {
        snprintf(err, errlen, "no server given");
        return -1;
    }
    return n;
}

conf *conf_load(const char *path)
{
    buf text = {0};
    int frc = read_file(path, CONF_MAX_FILE, &text);
    if (frc != 0) {
        if (frc == -1)
            fprintf(stderr, "ctrack: cannot read config %s: %s\n", path, strerror(errno));
        else
            fprintf(stderr, "ctrack: config %s is not a regular file of at most %d bytes\n", path, CONF_MAX_FILE);
        buf_free(&text);
        return NULL;
    }

    conf *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(path);
    struct load_ctx x = {.c = c};
    char err[200];
    if (conf_parse_text(buf_str(&text), text.len, on_pair, &x, err, sizeof err) != 0)
        buf_printf(&x.errors, "%s; ", err);
    buf_free(&text);

    long long v;
    if (num("Server.Workers", x.workers, 1, 256, 4, &x.errors, &v) == 0)
        c->workers = (int)v;
    if (num("Server.MaxBody", x.max_body, 1024, 1LL << 30, 1 << 20, &x.errors, &v) == 0)
        c->max_body = (size_t)v;
    /* An import's upload: the file (at most 32 MB) and the form around it. */
    if (num("Server.MaxUpload", x.max_upload, 1024, 1LL << 30, 34 << 20, &x.errors, &v) == 0)
        c->max_upload = (size_t)v;
    if (num("Session.IdleMinutes", x.idle, 1, 24 * 60, 30, &x.errors, &v) == 0)
        c->session_idle_min = (int)v;
    if (num("Session.AbsoluteHours", x.abs, 1, 24 * 30, 12, &x.errors, &v) == 0)
        c->session_abs_hours = (int)v;
    if (num("Password.Iterations", x.iters, 600000, 100000000, 600000, &x.errors, &v) == 0)
        c->pbkdf2_iterations = (int)v;
    if (num("Lockout.Failures", x.lock_failures, 1, 1000, 5, &x.errors, &v) == 0)
        c->lockout_failures = (int)v;
    if (num("Lockout.WindowMinutes", x.lock_window, 1, 24 * 60, 15, &x.errors, &v) == 0)
        c->lockout_window_min = (int)v;
    if (num("Lockout.Minutes", x.lock_minutes, 1, 24 * 60, 15, &x.errors, &v) == 0)
        c->lockout_min = (int)v;
    if (num("Lockout.AddressFailures", x.lock_addr, 0, 100000, 100, &x.errors, &v) == 0)
        c->lockout_addr_failures = (int)v;
    if (num("DB.TimeoutSeconds", x.timeout, 2, 600, 10, &x.errors, &v) == 0)
        c->db_timeout = (int)v;
    if (num("Server.RequestDeadlineSeconds", x.deadline, 1, 3600, 15, &x.errors, &v) == 0)
        c->request_deadline = (int)v;
    /* A request's budget, checked by the pipeline (503 and the worker goes
     * on), under the worker's hard ceiling (0: none), beyond which an
     * allocation fails and the worker is replaced. */
    if (num("Server.RequestMemoryMB", x.request_mem, 1, 1 << 20, 256, &x.errors, &v) == 0)
        c->request_memory_mb = (size_t)v;
    if (num("Server.WorkerMemoryMB", x.worker_mem, 0, 1 << 20, 1024, &x.errors, &v) == 0)
        c->worker_memory_mb = (size_t)v;
    if (c->worker_memory_mb && c->request_memory_mb && c->worker_memory_mb < 2 * c->request_memory_mb + 32)
        buf_printf(&x.errors, "Server.WorkerMemoryMB must be 0 (no ceiling) or at least twice "
                              "Server.RequestMemoryMB plus 32, so that a request reaches its budget "
                              "before the worker's ceiling; ");
    if (num("Test.FailExportAfterRows", x.fail_export, 0, 1000000000, 0, &x.errors, &v) == 0)
        c->test_fail_export_after = v;
    c->socket_mode = 0660;
    if (x.mode) {
        char *endp;
        errno = 0;
        unsigned long m = strtoul(x.mode, &endp, 8);
        if (errno || *endp || m > 0777 || !x.mode[0])
            buf_printf(&x.errors, "Server.SocketMode must be an octal mode like 0660; ");
        else
            c->socket_mode = (unsigned)m;
    }
    const char *required[][2] = {
        {"Server.Socket", c->socket_path}, {"DB.Name", c->db_name}, {"DB.User", c->db_user},
        {"Paths.Templates", c->templates},
    };
    for (size_t i = 0; i < CT_ARRAY_LEN(required); i++)
        if (!required[i][1] || !required[i][1][0])
            buf_printf(&x.errors, "%s is required; ", required[i][0]);
    if (x.db_socket && x.db_servers) {
        /* Never one silently ignored: an older file's DB.Socket beside a
         * DB.Servers added later would otherwise decide by their order. */
        buf_printf(&x.errors, "DB.Socket and DB.Servers are both given: keep DB.Servers only (DB.Socket is its older "
                   "name for one socket); ");
    } else if (!x.db_socket && !x.db_servers) {
        buf_printf(&x.errors, "DB.Servers (or DB.Socket) is required; ");
    } else {
        const char *key = x.db_socket ? "DB.Socket" : "DB.Servers";
        char serr[200];
        int n = conf_parse_servers(x.db_socket ? x.db_socket : x.db_servers, c->db_servers, CONF_MAX_DB_SERVERS,
                                   serr, sizeof serr);
        if (n < 0) {
            buf_printf(&x.errors, "%s: %s; ", key, serr);
        } else {
            c->n_db_servers = n;
            if (x.db_socket && (n != 1 || !c->db_servers[0].socket))
                buf_printf(&x.errors, "DB.Socket takes the absolute path of one unix socket (DB.Servers takes a "
                           "list, and host:port); ");
        }
    }
    if (!x.pw_path)
        buf_printf(&x.errors, "DB.PasswordFile is required; ");
    else
        c->db_password = read_secret(x.pw_path, &x.errors);
    if (x.key_path)
        read_key("TwoFactor.KeyFile", x.key_path, c->two_factor_key, &c->has_two_factor_key, &x.errors);
    if (x.audit_key_path)
        read_key("Audit.KeyFile", x.audit_key_path, c->audit_key, &c->has_audit_key, &x.errors);
    if (x.no_audit) {
        if (strcmp(x.no_audit, "full") == 0)
            c->bench_audit = BENCH_AUDIT_FULL;
        else if (strcmp(x.no_audit, "unchained") == 0)
            c->bench_audit = BENCH_AUDIT_UNCHAINED;
        else if (strcmp(x.no_audit, "off") == 0)
            c->bench_audit = BENCH_AUDIT_OFF;
        else
            buf_printf(&x.errors, "Bench.Audit must be full, unchained or off; ");
    }
    if (!c->two_factor_issuer)
        c->two_factor_issuer = xstrdup("Contact Tracking");
    else if (!c->two_factor_issuer[0] || strlen(c->two_factor_issuer) > 60 || strchr(c->two_factor_issuer, ':'))
        buf_printf(&x.errors, "TwoFactor.Issuer must be 1 to 60 characters without ':'; ");
    if (!c->log_level)
        c->log_level = xstrdup("info");
    if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") && strcmp(c->log_level, "warn") &&
        strcmp(c->log_level, "error"))
        buf_printf(&x.errors, "Log.Level must be debug, info, warn or error; ");

    free(x.workers);
    free(x.max_body);
    free(x.max_upload);
    free(x.mode);
    free(x.idle);
    free(x.abs);
    free(x.iters);
    free(x.timeout);
    free(x.deadline);
    free(x.request_mem);
    free(x.worker_mem);
    free(x.fail_export);
    free(x.lock_failures);
    free(x.lock_window);
    free(x.lock_minutes);
    free(x.lock_addr);
    free(x.pw_path);
    free(x.key_path);
    free(x.audit_key_path);
    free(x.no_audit);
    free(x.db_servers);
    free(x.db_socket);
    if (x.errors.len) {
        fprintf(stderr, "ctrack: config %s: %s\n", path, buf_str(&x.errors));
        buf_free(&x.errors);
        conf_free(c);
        return NULL;
    }
    return c;
}

void conf_free(conf *c)
{
    if (!c)
        return;
    conf_free_servers(c->db_servers, c->n_db_servers);
    char *strs[] = {c->path,          c->socket_path,   c->socket_group,
                    c->db_name,       c->db_user,       c->db_password,       c->db_admin_user,
                    c->db_admin_password_file, c->templates, c->migrations,        c->demo_data,
                    c->log_level,     c->two_factor_issuer, c->db_maint_user, c->db_maint_password_file};
    for (size_t i = 0; i < CT_ARRAY_LEN(strs); i++) {
        if (strs[i] && strs[i] == c->db_password)
            memset(strs[i], 0, strlen(strs[i]));
        free(strs[i]);
    }
    explicit_bzero(c->two_factor_key, sizeof c->two_factor_key);
    explicit_bzero(c->audit_key, sizeof c->audit_key);
    free(c);
}
