/* openstates: the person file reader, over libyaml's event API. */
#include "openstates.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

typedef struct reader {
    yaml_parser_t parser;
    const char *data;
    size_t len;
    arena *a;
    char *err;
    size_t errlen;
    int depth; /* of the collections open at the last event */
} reader;

/* A key of a mapping: off is where its text goes in the object, or NOT_TEXT
 * for keys read by the mapping's callback. */
typedef struct key_spec {
    const char *key;
    size_t off;
} key_spec;

#define NOT_TEXT SIZE_MAX

/* Reads the value of a NOT_TEXT key (keys[i]); owns ev. 0 or -1. */
typedef int (*value_fn)(reader *r, size_t i, yaml_event_t *ev, void *ctx);

/* The length of the line break at data[i..n) as YAML 1.1 knows them (CRLF,
 * LF, CR, U+0085, U+2028, U+2029), 0 when there is none. */
static size_t break_at(const char *data, size_t i, size_t n)
{
    const unsigned char *d = (const unsigned char *)data;
    if (d[i] == '\r')
        return i + 1 < n && d[i + 1] == '\n' ? 2 : 1;
    if (d[i] == '\n')
        return 1;
    if (d[i] == 0xC2 && i + 1 < n && d[i + 1] == 0x85)
        return 2;
    if (d[i] == 0xE2 && i + 2 < n && d[i + 1] == 0x80 && (d[i + 2] == 0xA8 || d[i + 2] == 0xA9))
        return 3;
    return 0;
}

/* The line of byte offset off of the input, counting line breaks as
 * libyaml does. */
static size_t line_at_offset(const reader *r, size_t off)
{
    size_t line = 1, i = 0;
    while (i < off && i < r->len) {
        size_t k = break_at(r->data, i, r->len);
        line += k != 0;
        i += k ? k : 1;
    }
    return line;
}

/* The last line that holds anything but line breaks (1 when none does). */
static size_t last_line(const reader *r)
{
    size_t line = 1, last = 1, i = 0;
    while (i < r->len) {
        size_t k = break_at(r->data, i, r->len);
        if (k) {
            line++;
            i += k;
        } else {
            last = line;
            i++;
        }
    }
    return last;
}

/* Writes the message, "line N: " first when line is not 0; returns -1. A line
 * past the end of the input (libyaml puts the end of the input and empty
 * values there on a line of their own) becomes the last line that holds
 * anything. */
CT_PRINTF(3, 4) static int fail(reader *r, size_t line, const char *fmt, ...)
{
    if (!r->err || r->errlen == 0)
        return -1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line && line > last_line(r))
        line = last_line(r);
    if (line)
        snprintf(r->err, r->errlen, "line %zu: %s", line, msg);
    else
        snprintf(r->err, r->errlen, "%s", msg);
    return -1;
}

static size_t line_of(const yaml_event_t *ev)
{
    return ev->start_mark.line + 1;
}

/* Turns libyaml's error into the message. */
static int parser_error(reader *r)
{
    const yaml_parser_t *p = &r->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    size_t line, context_line;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return fail(r, 0, "out of memory while reading the YAML");
    case YAML_READER_ERROR:
        if (p->problem_value >= 0)
            return fail(r, line_at_offset(r, p->problem_offset), "%s (byte 0x%02X)", problem,
                        (unsigned)p->problem_value & 0xFFu);
        return fail(r, line_at_offset(r, p->problem_offset), "%s", problem);
    case YAML_SCANNER_ERROR:
    case YAML_PARSER_ERROR:
        line = p->problem_mark.line + 1;
        context_line = p->context_mark.line + 1;
        /* As fail would, so that the two compare. */
        if (context_line > last_line(r))
            context_line = last_line(r);
        if (line > last_line(r))
            line = last_line(r);
        if (p->context && context_line != line)
            return fail(r, line, "%s (%s at line %zu)", problem, p->context, context_line);
        if (p->context)
            return fail(r, line, "%s (%s)", problem, p->context);
        return fail(r, line, "%s", problem);
    default:
        return fail(r, 0, "%s", problem);
    }
}

/* Reads the next event into *ev: 0, or -1 with nothing left to delete.
 * Refuses aliases and nesting beyond OS_MAX_DEPTH. */
static int next_event(reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev))
        return parser_error(r);
    size_t line = line_of(ev);
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        yaml_event_delete(ev);
        return fail(r, line, "YAML aliases are not accepted");
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (++r->depth > OS_MAX_DEPTH) {
            yaml_event_delete(ev);
            return fail(r, line, "lists and mappings nested more than %d deep", OS_MAX_DEPTH);
        }
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        r->depth--;
        break;
    default:
        break;
    }
    return 0;
}

/* What an event starts, for messages: "text", "a list", "a mapping". */
static const char *kind_of(const yaml_event_t *ev)
{
    if (ev->type == YAML_SEQUENCE_START_EVENT)
        return "a list";
    if (ev->type == YAML_MAPPING_START_EVENT)
        return "a mapping";
    return "text";
}

/* A plain, untagged ~, null, Null, NULL or empty scalar. */
static bool is_null(const yaml_event_t *ev)
{
    if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag)
        return false;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < CT_ARRAY_LEN(nulls); i++)
        if (ev->data.scalar.length == strlen(nulls[i]) &&
            memcmp(ev->data.scalar.value, nulls[i], ev->data.scalar.length) == 0)
            return true;
    return false;
}

/* Skips the node ev starts (owned), nested ones included. */
static int skip_node(reader *r, yaml_event_t *ev)
{
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT) {
        yaml_event_delete(ev);
        return 0;
    }
    size_t max = ev->type == YAML_MAPPING_START_EVENT ? 2 * (size_t)OS_MAX_ITEMS : OS_MAX_ITEMS;
    yaml_event_delete(ev);
    for (size_t n = 0;; n++) {
        yaml_event_t child;
        if (next_event(r, &child) != 0)
            return -1;
        if (child.type == YAML_SEQUENCE_END_EVENT || child.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&child);
            return 0;
        }
        if (n == max) {
            size_t line = line_of(&child);
            yaml_event_delete(&child);
            return fail(r, line, "more than %d entries in one list or mapping", OS_MAX_ITEMS);
        }
        if (skip_node(r, &child) != 0)
            return -1;
    }
}

/* Reads the text value ev (owned) of path into *dst; a null leaves *dst. */
static int read_text(reader *r, yaml_event_t *ev, const char *path, const char **dst)
{
    size_t line = line_of(ev);
    if (ev->type != YAML_SCALAR_EVENT) {
        const char *kind = kind_of(ev);
        yaml_event_delete(ev);
        return fail(r, line, "%s should be text, not %s", path, kind);
    }
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    int rc = 0;
    if (memchr(s, '\0', n))
        rc = fail(r, line, "%s holds a NUL character", path);
    else if (!is_null(ev))
        *dst = arena_strndup(r->a, s, n);
    yaml_event_delete(ev);
    return rc;
}

/* Checks that ev (owned unless 1 is returned) starts a collection of type
 * want for path: 1 when it does, 0 for a null (an empty one; ev deleted),
 * -1 otherwise. */
static int open_collection(reader *r, yaml_event_t *ev, yaml_event_type_t want, const char *path)
{
    if (ev->type == want)
        return 1;
    size_t line = line_of(ev);
    bool null = is_null(ev);
    const char *kind = kind_of(ev);
    yaml_event_delete(ev);
    if (null)
        return 0;
    return fail(r, line, "%s should be %s, not %s", path, want == YAML_SEQUENCE_START_EVENT ? "a list" : "a mapping",
                kind);
}

/* Points every text field of keys in obj at "". */
static void set_empty(void *obj, const key_spec *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++)
        if (keys[i].off != NOT_TEXT)
            *(const char **)((char *)obj + keys[i].off) = "";
}

/* Reads the entries of a mapping whose start event has been read: text keys
 * into obj, NOT_TEXT keys through fn, other keys skipped. where names the
 * mapping in messages (NULL for the file itself). */
static int read_mapping(reader *r, const char *where, const key_spec *keys, size_t nkeys, void *obj, value_fn fn,
                        void *ctx)
{
    uint32_t seen = 0;
    for (size_t n = 0;; n++) {
        yaml_event_t k;
        if (next_event(r, &k) != 0)
            return -1;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return 0;
        }
        size_t line = line_of(&k);
        if (n == OS_MAX_ITEMS || k.type != YAML_SCALAR_EVENT) {
            bool text = k.type == YAML_SCALAR_EVENT;
            yaml_event_delete(&k);
            if (text)
                return fail(r, line, "more than %d keys in %s", OS_MAX_ITEMS, where ? where : "the file");
            return fail(r, line, "a key%s%s should be text", where ? " in " : "", where ? where : "");
        }
        size_t i = 0;
        while (i < nkeys && !(k.data.scalar.length == strlen(keys[i].key) &&
                              memcmp(k.data.scalar.value, keys[i].key, k.data.scalar.length) == 0))
            i++;
        yaml_event_delete(&k);

        yaml_event_t v;
        if (next_event(r, &v) != 0)
            return -1;
        if (i == nkeys) {
            if (skip_node(r, &v) != 0)
                return -1;
            continue;
        }
        char path[64];
        snprintf(path, sizeof path, "%s%s%s", where ? where : "", where ? "." : "", keys[i].key);
        if (seen & (UINT32_C(1) << i)) {
            yaml_event_delete(&v);
            return fail(r, line, "%s is given twice", path);
        }
        seen |= UINT32_C(1) << i;
        int rc = keys[i].off == NOT_TEXT ? fn(r, i, &v, ctx)
                                         : read_text(r, &v, path, (const char **)((char *)obj + keys[i].off));
        if (rc != 0)
            return -1;
    }
}

/* Reads a list of mappings (ev, owned) named path into a new array of
 * elements of size bytes, each read with keys. */
static int read_list(reader *r, yaml_event_t *ev, const char *path, const key_spec *keys, size_t nkeys, size_t size,
                     void **out, size_t *count)
{
    int rc = open_collection(r, ev, YAML_SEQUENCE_START_EVENT, path);
    if (rc <= 0)
        return rc;
    yaml_event_delete(ev);
    char *v = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        yaml_event_t item;
        if (next_event(r, &item) != 0)
            return -1;
        if (item.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&item);
            break;
        }
        size_t line = line_of(&item);
        if (n == OS_MAX_ITEMS) {
            yaml_event_delete(&item);
            return fail(r, line, "%s has more than %d entries", path, OS_MAX_ITEMS);
        }
        if (item.type != YAML_MAPPING_START_EVENT) {
            const char *kind = kind_of(&item);
            yaml_event_delete(&item);
            return fail(r, line, "an entry of %s should be a mapping, not %s", path, kind);
        }
        yaml_event_delete(&item);
        v = arena_grow(r->a, v, &cap, n, size);
        void *obj = v + n * size;
        set_empty(obj, keys, nkeys);
        if (read_mapping(r, path, keys, nkeys, obj, NULL, NULL) != 0)
            return -1;
        n++;
    }
    *out = v;
    *count = n;
    return 0;
}

/* ---- The shapes of the file ------------------------------------------- */

static const key_spec party_keys[] = {
    {"name", offsetof(os_party, name)},
    {"start_date", offsetof(os_party, start_date)},
    {"end_date", offsetof(os_party, end_date)},
};

static const key_spec role_keys[] = {
    {"type", offsetof(os_role, type)},
    {"district", offsetof(os_role, district)},
    {"jurisdiction", offsetof(os_role, jurisdiction)},
    {"start_date", offsetof(os_role, start_date)},
    {"end_date", offsetof(os_role, end_date)},
    {"end_reason", offsetof(os_role, end_reason)},
    /* state, place and county are set by finish. */
};

static const key_spec office_keys[] = {
    {"classification", offsetof(os_office, classification)},
    {"address", offsetof(os_office, address)},
    {"voice", offsetof(os_office, voice)},
    {"fax", offsetof(os_office, fax)},
    {"name", offsetof(os_office, name)},
};

static const key_spec link_keys[] = {
    {"url", offsetof(os_link, url)},
    {"note", offsetof(os_link, note)},
};

static const key_spec ids_keys[] = {
    {"twitter", offsetof(os_person, twitter)},
    {"youtube", offsetof(os_person, youtube)},
    {"instagram", offsetof(os_person, instagram)},
    {"facebook", offsetof(os_person, facebook)},
};

enum { K_PARTY, K_ROLES, K_OFFICES, K_LINKS, K_IDS };

static const key_spec person_keys[] = {
    [K_PARTY] = {"party", NOT_TEXT},
    [K_ROLES] = {"roles", NOT_TEXT},
    [K_OFFICES] = {"offices", NOT_TEXT},
    [K_LINKS] = {"links", NOT_TEXT},
    [K_IDS] = {"ids", NOT_TEXT},
    {"id", offsetof(os_person, id)},
    {"name", offsetof(os_person, name)},
    {"given_name", offsetof(os_person, given_name)},
    {"family_name", offsetof(os_person, family_name)},
    {"middle_name", offsetof(os_person, middle_name)},
    {"suffix", offsetof(os_person, suffix)},
    {"gender", offsetof(os_person, gender)},
    {"email", offsetof(os_person, email)},
    {"biography", offsetof(os_person, biography)},
    {"birth_date", offsetof(os_person, birth_date)},
    {"death_date", offsetof(os_person, death_date)},
    {"image", offsetof(os_person, image)},
};

_Static_assert(CT_ARRAY_LEN(person_keys) <= 32 && CT_ARRAY_LEN(role_keys) <= 32, "read_mapping's seen mask");

static int person_value(reader *r, size_t i, yaml_event_t *ev, void *ctx)
{
    os_person *p = ctx;
    void *v = NULL;
    size_t n = 0;
    int rc;
    switch (i) {
    case K_PARTY:
        rc = read_list(r, ev, "party", party_keys, CT_ARRAY_LEN(party_keys), sizeof(os_party), &v, &n);
        p->parties = v;
        p->nparties = n;
        return rc;
    case K_ROLES:
        rc = read_list(r, ev, "roles", role_keys, CT_ARRAY_LEN(role_keys), sizeof(os_role), &v, &n);
        p->roles = v;
        p->nroles = n;
        return rc;
    case K_OFFICES:
        rc = read_list(r, ev, "offices", office_keys, CT_ARRAY_LEN(office_keys), sizeof(os_office), &v, &n);
        p->offices = v;
        p->noffices = n;
        return rc;
    case K_LINKS:
        rc = read_list(r, ev, "links", link_keys, CT_ARRAY_LEN(link_keys), sizeof(os_link), &v, &n);
        p->links = v;
        p->nlinks = n;
        return rc;
    default:
        rc = open_collection(r, ev, YAML_MAPPING_START_EVENT, "ids");
        if (rc <= 0)
            return rc;
        yaml_event_delete(ev);
        return read_mapping(r, "ids", ids_keys, CT_ARRAY_LEN(ids_keys), p, NULL, NULL);
    }
}

/* ---- After the reading ------------------------------------------------ */

void openstates_jurisdiction(const char *jurisdiction, arena *a, const char **state, const char **place,
                             const char **county)
{
    *state = *place = *county = "";
    const char *s = jurisdiction;
    while (*s) {
        const char *end = strchr(s, '/');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *colon = memchr(s, ':', n);
        if (colon) {
            size_t tn = (size_t)(colon - s), vn = n - tn - 1;
            const char *val = colon + 1;
            bool region = (tn == 5 && memcmp(s, "state", 5) == 0) || (tn == 8 && memcmp(s, "district", 8) == 0) ||
                          (tn == 9 && memcmp(s, "territory", 9) == 0);
            if (region && !**state && vn == 2 && ((val[0] | 0x20) >= 'a' && (val[0] | 0x20) <= 'z') &&
                ((val[1] | 0x20) >= 'a' && (val[1] | 0x20) <= 'z')) {
                char code[3] = {(char)(val[0] & ~0x20), (char)(val[1] & ~0x20), '\0'};
                *state = arena_strndup(a, code, 2);
            } else if (tn == 5 && memcmp(s, "place", 5) == 0 && !**place) {
                *place = arena_strndup(a, val, vn);
            } else if (tn == 6 && memcmp(s, "county", 6) == 0 && !**county) {
                *county = arena_strndup(a, val, vn);
            }
        }
        s += n;
        if (*s == '/')
            s++;
    }
}

static bool legislative(const os_role *role)
{
    return strcmp(role->type, "upper") == 0 || strcmp(role->type, "lower") == 0 ||
           strcmp(role->type, "legislature") == 0;
}

static const os_role *current_role(const os_person *p)
{
    const os_role *open = NULL, *latest = NULL;
    for (size_t i = 0; i < p->nroles; i++) {
        const os_role *role = &p->roles[i];
        if (!*role->end_date) {
            if (legislative(role))
                return role;
            if (!open)
                open = role;
        } else if (!latest || strcmp(role->end_date, latest->end_date) > 0) {
            latest = role;
        }
    }
    return open ? open : latest;
}

static void finish(reader *r, os_person *p)
{
    os_role *roles = (os_role *)p->roles;
    for (size_t i = 0; i < p->nroles; i++)
        openstates_jurisdiction(roles[i].jurisdiction, r->a, &roles[i].state, &roles[i].place, &roles[i].county);
    p->role = current_role(p);

    p->party = p->nparties ? &p->parties[p->nparties - 1] : NULL;
    for (size_t i = 0; i < p->nparties; i++) {
        if (!*p->parties[i].end_date) {
            p->party = &p->parties[i];
            break;
        }
    }

    p->homepage = "";
    for (size_t i = 0; i < p->nlinks; i++) {
        if (strcmp(p->links[i].note, "homepage") == 0) {
            p->homepage = p->links[i].url;
            break;
        }
    }
}

/* ---- The file --------------------------------------------------------- */

static int read_file_events(reader *r, os_person *p)
{
    yaml_event_t ev;
    if (next_event(r, &ev) != 0)
        return -1;
    yaml_event_delete(&ev); /* the stream start */
    if (next_event(r, &ev) != 0)
        return -1;
    if (ev.type == YAML_DOCUMENT_START_EVENT) {
        yaml_event_delete(&ev);
        if (next_event(r, &ev) != 0)
            return -1;
        size_t line = line_of(&ev);
        if (ev.type == YAML_MAPPING_START_EVENT) {
            yaml_event_delete(&ev);
            if (read_mapping(r, NULL, person_keys, CT_ARRAY_LEN(person_keys), p, person_value, p) != 0)
                return -1;
        } else if (is_null(&ev)) {
            yaml_event_delete(&ev);
        } else {
            const char *kind = kind_of(&ev);
            yaml_event_delete(&ev);
            return fail(r, line, "the file should be a mapping of fields, not %s", kind);
        }
        if (next_event(r, &ev) != 0)
            return -1;
        yaml_event_delete(&ev); /* the document end: nothing else can follow a node */
        if (next_event(r, &ev) != 0)
            return -1;
    }
    size_t line = line_of(&ev);
    bool end = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (!end)
        return fail(r, line, "a second YAML document (one person per file)");
    if (!*p->id)
        return fail(r, 0, "no id");
    if (!*p->name)
        return fail(r, 0, "no name");
    finish(r, p);
    return 0;
}

int openstates_parse(const char *data, size_t len, arena *a, os_person *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    reader r = {.data = data ? data : "", .len = data ? len : 0, .a = a, .err = err, .errlen = errlen};
    if (r.len > OS_MAX_BYTES)
        return fail(&r, 0, "the file is larger than %d bytes", OS_MAX_BYTES);
    /* libyaml only skips a byte order mark when it guesses the encoding,
     * and it is told UTF-8 so that UTF-16 files are refused. */
    if (r.len >= 3 && memcmp(r.data, "\xEF\xBB\xBF", 3) == 0) {
        r.data += 3;
        r.len -= 3;
    }
    if (!yaml_parser_initialize(&r.parser))
        return fail(&r, 0, "out of memory while reading the YAML");
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)r.data, r.len);
    yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);

    set_empty(out, person_keys, CT_ARRAY_LEN(person_keys));
    set_empty(out, ids_keys, CT_ARRAY_LEN(ids_keys));
    int rc = read_file_events(&r, out);
    yaml_parser_delete(&r.parser);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}
