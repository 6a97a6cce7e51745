/* csv: the RFC 4180 reader and writer. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
    const char *data;
    size_t len, pos;
    char delim;
    size_t line;     /* the physical line pos is on */
    size_t rec_line; /* where the last record (or the error) is */
    bool failed;
    /* Every field of the current record, each followed by a NUL, in one
     * buffer; the offsets are turned into pointers once the record is whole,
     * because the buffer may move while it grows. */
    buf store;
    size_t *offs;
    csv_field *fields;
    size_t nfields, capfields;
    char err[128];
};

csv_reader *csv_reader_new(const char *data, size_t len, char delim)
{
    if (delim == '"' || delim == '\r' || delim == '\n' || delim == '\0')
        return NULL;
    csv_reader *r = xcalloc(1, sizeof *r);
    r->data = data;
    r->len = data ? len : 0;
    r->delim = delim;
    r->line = 1;
    if (r->len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    return r;
}

void csv_reader_free(csv_reader *r)
{
    if (!r)
        return;
    buf_free(&r->store);
    free(r->offs);
    free(r->fields);
    free(r);
}

size_t csv_line(const csv_reader *r)
{
    return r->rec_line;
}

const char *csv_error(const csv_reader *r)
{
    return r->failed ? r->err : "";
}

static int fail(csv_reader *r, size_t line, const char *what)
{
    r->failed = true;
    r->rec_line = line;
    snprintf(r->err, sizeof r->err, "%s", what);
    return -1;
}

/* Counts the line breaks in data[from..to): CRLF, LF and a lone CR are one
 * each. A CR whose LF lies beyond `to` is still a single break. */
static size_t count_breaks(const csv_reader *r, size_t from, size_t to)
{
    size_t k = 0;
    for (size_t i = from; i < to; i++) {
        if (r->data[i] == '\n')
            k++;
        else if (r->data[i] == '\r' && (i + 1 >= r->len || r->data[i + 1] != '\n'))
            k++;
    }
    return k;
}

/* Closes the field that began at offset start in the store. */
static int end_field(csv_reader *r, size_t start)
{
    size_t n = r->store.len - start;
    if (n > CSV_MAX_FIELD_BYTES) {
        char msg[96];
        snprintf(msg, sizeof msg, "a field longer than %d bytes at line %zu", CSV_MAX_FIELD_BYTES, r->line);
        return fail(r, r->line, msg);
    }
    if (r->nfields == CSV_MAX_FIELDS) {
        char msg[96];
        snprintf(msg, sizeof msg, "more than %d fields in the record at line %zu", CSV_MAX_FIELDS, r->rec_line);
        return fail(r, r->rec_line, msg);
    }
    if (r->nfields == r->capfields) {
        r->capfields = r->capfields ? r->capfields * 2 : 32;
        r->offs = xrealloc(r->offs, r->capfields * sizeof *r->offs);
        r->fields = xrealloc(r->fields, r->capfields * sizeof *r->fields);
    }
    r->offs[r->nfields] = start;
    r->fields[r->nfields].n = n;
    r->nfields++;
    buf_addc(&r->store, '\0');
    return 0;
}

/* Reads a quoted field; pos is on the opening quote. */
static int quoted_field(csv_reader *r)
{
    size_t start_line = r->line;
    size_t start = r->store.len;
    r->pos++;
    for (;;) {
        const char *q = memchr(r->data + r->pos, '"', r->len - r->pos);
        if (!q) {
            char msg[96];
            snprintf(msg, sizeof msg, "unterminated quoted field starting at line %zu", start_line);
            return fail(r, start_line, msg);
        }
        size_t qi = (size_t)(q - r->data);
        buf_add(&r->store, r->data + r->pos, qi - r->pos);
        r->line += count_breaks(r, r->pos, qi);
        /* Checked as it grows: one quote-heavy field must not pile up far
         * beyond the cap before anyone looks. */
        if (r->store.len - start > CSV_MAX_FIELD_BYTES)
            return end_field(r, start);
        if (qi + 1 < r->len && r->data[qi + 1] == '"') {
            buf_addc(&r->store, '"');
            r->pos = qi + 2;
            continue;
        }
        r->pos = qi + 1;
        break;
    }
    if (r->pos < r->len) {
        char c = r->data[r->pos];
        if (c != r->delim && c != '\r' && c != '\n') {
            char msg[96];
            snprintf(msg, sizeof msg, "text after the closing quote of a field at line %zu", r->line);
            return fail(r, r->line, msg);
        }
    }
    return end_field(r, start);
}

static void plain_field(csv_reader *r)
{
    size_t i = r->pos;
    while (i < r->len && r->data[i] != r->delim && r->data[i] != '\r' && r->data[i] != '\n')
        i++;
    buf_add(&r->store, r->data + r->pos, i - r->pos);
    r->pos = i;
}

int csv_next(csv_reader *r, csv_record *rec)
{
    if (r->failed)
        return -1;
    while (r->pos < r->len && (r->data[r->pos] == '\r' || r->data[r->pos] == '\n')) {
        if (r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n')
            r->pos++;
        r->pos++;
        r->line++;
    }
    if (r->pos >= r->len)
        return 0;

    r->rec_line = r->line;
    r->nfields = 0;
    buf_reset(&r->store);
    for (;;) {
        if (r->data[r->pos] == '"') {
            if (quoted_field(r) != 0)
                return -1;
        } else {
            size_t start = r->store.len;
            plain_field(r);
            if (end_field(r, start) != 0)
                return -1;
        }
        if (r->pos >= r->len)
            break;
        char c = r->data[r->pos++];
        if (c == r->delim) {
            if (r->pos >= r->len) {
                /* "a," at the very end: the record has an empty last field. */
                if (end_field(r, r->store.len) != 0)
                    return -1;
                break;
            }
            continue;
        }
        if (c == '\r' && r->pos < r->len && r->data[r->pos] == '\n')
            r->pos++;
        r->line++;
        break;
    }
    for (size_t i = 0; i < r->nfields; i++)
        r->fields[i].p = r->store.data + r->offs[i];
    rec->fields = r->fields;
    rec->n = r->nfields;
    rec->line = r->rec_line;
    return 1;
}

char csv_detect_delimiter(const char *data, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    size_t i = 0;
    bool quoted = false, seen = false;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < len; i++) {
        char c = data[i];
        if (c == '"') {
            quoted = !quoted; /* a doubled quote toggles twice: no change */
        } else if (quoted) {
            continue;
        } else if (c == '\r' || c == '\n') {
            /* Leading empty lines belong to no record; the reader skips them too. */
            if (seen)
                break;
            continue;
        }
        seen = true;
        if (c == ',') {
            comma++;
        } else if (c == ';') {
            semi++;
        } else if (c == '\t') {
            tab++;
        }
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

static bool needs_quotes(const char *s, size_t n)
{
    if (n == 0)
        return false;
    if (s[0] == ' ' || s[n - 1] == ' ')
        return true;
    /* The reader skips a byte order mark at the start of the data. */
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        return true;
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case ',':
        case ';':
        case '\t':
        case '"':
        case '\r':
        case '\n':
            return true;
        default:
            break;
        }
    }
    return false;
}

void csv_write_field(buf *out, const char *s, size_t n, bool spreadsheet_safe)
{
    bool prefix = spreadsheet_safe && n > 0 &&
                  (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    if (!prefix && !needs_quotes(s, n)) {
        buf_add(out, s, n);
        return;
    }
    buf_addc(out, '"');
    if (prefix)
        buf_addc(out, '\'');
    size_t i = 0;
    while (i < n) {
        const char *q = memchr(s + i, '"', n - i);
        size_t end = q ? (size_t)(q - s) + 1 : n;
        buf_add(out, s + i, end - i);
        if (q)
            buf_addc(out, '"');
        i = end;
    }
    buf_addc(out, '"');
}

void csv_end_record(buf *out)
{
    buf_add(out, "\r\n", 2);
}
