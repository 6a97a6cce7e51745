/* render: ClearSilver behind a small API.
 *
 * Safety rules (see the library's known traps): Config.VarEscapeMode=html is
 * set by code before cs_init on every page; user values enter the tree only
 * through hdf_set_value (never hdf_read_string); node names are built from
 * constant formats; the string functions are registered so html_escape and
 * url_escape work in templates; include paths resolve only under the
 * templates folder, from a per-worker cache. */
#include "render.h"

#include <ClearSilver.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct page {
    HDF *hdf;
};

static char *templates;

/* Templates are read once per worker and served from memory (a worker
 * restart, as on SIGHUP, reads them again). Only plain names inside the
 * templates folder can be loaded, whatever an include: asks for. */
typedef struct cached_template {
    char *name;
    char *text;
} cached_template;

static cached_template *cache;
static size_t ncache;

static bool plain_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 4 || n > 64 || strcmp(name + n - 3, ".cs") != 0)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
            return false;
    return name[0] != '.';
}

static NEOERR *load_template(void *ctx, HDF *hdf, const char *filename, char **contents)
{
    (void)ctx;
    (void)hdf;
    if (!plain_name(filename))
        return nerr_raise(NERR_NOT_FOUND, "%s", "template name refused");
    for (size_t i = 0; i < ncache; i++) {
        if (strcmp(cache[i].name, filename) == 0) {
            *contents = strdup(cache[i].text);
            return *contents ? STATUS_OK : nerr_raise(NERR_NOMEM, "%s", "out of memory");
        }
    }
    buf path = {0};
    buf_printf(&path, "%s/%s", templates, filename);
    buf text = {0};
    int frc = read_file(buf_str(&path), 1 << 20, &text);
    buf_free(&path);
    if (frc != 0) {
        buf_free(&text);
        return nerr_raise(NERR_NOT_FOUND, "%s", "template not found");
    }
    cache = xrealloc(cache, (ncache + 1) * sizeof *cache);
    cache[ncache].name = xstrdup(filename);
    cache[ncache].text = xstrdup(buf_str(&text));
    ncache++;
    buf_free(&text);
    *contents = strdup(cache[ncache - 1].text);
    return *contents ? STATUS_OK : nerr_raise(NERR_NOMEM, "%s", "out of memory");
}

static void log_nerr(const char *what, NEOERR *err)
{
    STRING s;
    string_init(&s);
    nerr_error_string(err, &s);
    log_error("render: %s: %s", what, s.buf ? s.buf : "?");
    string_clear(&s);
    nerr_ignore(&err);
}

int render_init(const char *templates_dir)
{
    NEOERR *err = nerr_init();
    if (err != STATUS_OK) {
        log_nerr("nerr_init", err);
        return -1;
    }
    free(templates);
    templates = xstrdup(templates_dir);
    return 0;
}

page *page_new(void)
{
    page *p = xcalloc(1, sizeof *p);
    NEOERR *err = hdf_init(&p->hdf);
    if (err != STATUS_OK) {
        log_nerr("hdf_init", err);
        abort();
    }
    return p;
}

void page_free(page *p)
{
    if (!p)
        return;
    hdf_destroy(&p->hdf);
    free(p);
}

static void set_node(page *p, const char *name, const char *value)
{
    NEOERR *err = hdf_set_value(p->hdf, name, value);
    if (err != STATUS_OK)
        log_nerr("hdf_set_value", err);
}

static void set_named(page *p, const char *value, const char *name_fmt, va_list ap) CT_PRINTF(3, 0);

static void set_named(page *p, const char *value, const char *name_fmt, va_list ap)
{
    buf name = {0};
    buf_vprintf(&name, name_fmt, ap);
    set_node(p, buf_str(&name), value);
    buf_free(&name);
}

void page_set(page *p, const char *value, const char *name_fmt, ...)
{
    if (!value)
        return;
    va_list ap;
    va_start(ap, name_fmt);
    set_named(p, value, name_fmt, ap);
    va_end(ap);
}

void page_setn(page *p, const char *value, size_t n, const char *name_fmt, ...)
{
    if (!value)
        return;
    char *v = xstrndup(value, n);
    va_list ap;
    va_start(ap, name_fmt);
    set_named(p, v, name_fmt, ap);
    va_end(ap);
    free(v);
}

void page_set_int(page *p, long long v, const char *name_fmt, ...)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    va_list ap;
    va_start(ap, name_fmt);
    set_named(p, num, name_fmt, ap);
    va_end(ap);
}

const char *page_get(page *p, const char *name)
{
    return hdf_get_value(p->hdf, name, NULL);
}

static NEOERR *to_buf(void *ctx, char *s)
{
    buf_adds(ctx, s);
    return STATUS_OK;
}

int render(page *p, const char *template_name, buf *out)
{
    /* Set by code on every render, after the handlers ran, so no value set
     * through page_set can change them. */
    set_node(p, "Config.VarEscapeMode", "html");
    CSPARSE *cs = NULL;
    NEOERR *err = cs_init(&cs, p->hdf);
    if (err == STATUS_OK) {
        cs_register_fileload(cs, NULL, load_template);
        err = cgi_register_strfuncs(cs);
    }
    if (err == STATUS_OK)
        err = cs_parse_file(cs, template_name);
    if (err == STATUS_OK)
        err = cs_render(cs, out, to_buf);
    cs_destroy(&cs);
    if (err != STATUS_OK) {
        log_nerr(template_name, err);
        return -1;
    }
    return 0;
}
