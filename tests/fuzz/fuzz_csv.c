/* Fuzzes the csv codec:
 *  - the reader, with the usual delimiters and one taken from the input,
 *    against a reference reader written here from the rules in csv.h
 *    (records, fields, line numbers, errors and their lines);
 *  - csv_detect_delimiter against a reference count;
 *  - the writer: records cut out of the input (fields end at 0x1F, records
 *    at 0x1E) written with csv_write_field and read back give the same bytes.
 */
#include <string.h>

#include "csv.h"
#include "fuzz.h"

/* ---- The reference reader --------------------------------------------- */

typedef struct ref_reader {
    const uint8_t *d;
    size_t len, pos, line;
    char delim;
    buf field;
} ref_reader;

/* One line break at pos (CRLF, LF or a lone CR): skips it and counts it. */
static bool ref_break(ref_reader *r)
{
    if (r->pos >= r->len || (r->d[r->pos] != '\r' && r->d[r->pos] != '\n'))
        return false;
    if (r->d[r->pos] == '\r' && r->pos + 1 < r->len && r->d[r->pos + 1] == '\n')
        r->pos++;
    r->pos++;
    r->line++;
    return true;
}

/* Reads one field into r->field; 0, or -1 with *err_line set. */
static int ref_field(ref_reader *r, size_t *err_line)
{
    buf_reset(&r->field);
    if (r->pos < r->len && r->d[r->pos] == '"') {
        size_t start_line = r->line;
        r->pos++;
        for (;;) {
            if (r->pos >= r->len) {
                *err_line = start_line;
                return -1;
            }
            uint8_t c = r->d[r->pos];
            if (c == '"') {
                if (r->pos + 1 < r->len && r->d[r->pos + 1] == '"') {
                    buf_addc(&r->field, '"');
                    r->pos += 2;
                    continue;
                }
                r->pos++;
                break;
            }
            if (c == '\r' || c == '\n') {
                /* Keep the bytes; count the break once. */
                size_t from = r->pos;
                ref_break(r);
                buf_add(&r->field, r->d + from, r->pos - from);
                continue;
            }
            buf_addc(&r->field, (char)c);
            r->pos++;
        }
        if (r->pos < r->len) {
            uint8_t c = r->d[r->pos];
            if (c != (uint8_t)r->delim && c != '\r' && c != '\n') {
                *err_line = r->line;
                return -1;
            }
        }
    } else {
        while (r->pos < r->len && r->d[r->pos] != (uint8_t)r->delim && r->d[r->pos] != '\r' &&
               r->d[r->pos] != '\n')
            buf_addc(&r->field, (char)r->d[r->pos++]);
    }
    if (r->field.len > CSV_MAX_FIELD_BYTES) {
        *err_line = r->line;
        return -1;
    }
    return 0;
}

/* Reads the whole input with both readers and compares them. */
static void compare_reader(const uint8_t *data, size_t size, char delim)
{
    csv_reader *rd = csv_reader_new((const char *)data, size, delim);
    if (delim == '"' || delim == '\r' || delim == '\n' || delim == '\0') {
        FUZZ_CHECK(rd == NULL);
        return;
    }
    FUZZ_CHECK(rd != NULL);
    FUZZ_CHECK(csv_line(rd) == 0);
    ref_reader r = {.d = data, .len = size, .line = 1, .delim = delim};
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r.pos = 3;

    size_t prev_line = 0, total = 0;
    for (;;) {
        csv_record rec;
        int rc = csv_next(rd, &rec);
        while (ref_break(&r))
            ;
        if (r.pos >= r.len) {
            FUZZ_CHECK(rc == 0);
            FUZZ_CHECK(csv_error(rd)[0] == '\0');
            FUZZ_CHECK(csv_next(rd, &rec) == 0); /* stays at the end */
            break;
        }
        size_t rec_line = r.line, nf = 0, err_line = 0;
        int want = 1;
        for (;;) {
            if (ref_field(&r, &err_line) != 0) {
                want = -1;
                break;
            }
            if (nf == CSV_MAX_FIELDS) {
                want = -1;
                err_line = rec_line;
                break;
            }
            if (rc == 1) {
                FUZZ_CHECK(nf < rec.n);
                FUZZ_CHECK(rec.fields[nf].n == r.field.len);
                FUZZ_CHECK(memcmp(rec.fields[nf].p, buf_str(&r.field), r.field.len + 1) == 0);
            }
            nf++;
            if (r.pos >= r.len)
                break;
            if (r.d[r.pos] == (uint8_t)delim) {
                r.pos++;
                if (r.pos >= r.len) {
                    /* "a," at the end: an empty last field. */
                    buf_reset(&r.field);
                    if (nf == CSV_MAX_FIELDS) {
                        want = -1;
                        err_line = rec_line;
                        break;
                    }
                    if (rc == 1) {
                        FUZZ_CHECK(nf < rec.n);
                        FUZZ_CHECK(rec.fields[nf].n == 0 && rec.fields[nf].p[0] == '\0');
                    }
                    nf++;
                    break;
                }
                continue;
            }
            ref_break(&r);
            break;
        }
        FUZZ_CHECK(rc == want);
        if (rc < 0) {
            FUZZ_CHECK(csv_line(rd) == err_line);
            FUZZ_CHECK(csv_error(rd)[0] != '\0');
            FUZZ_CHECK(csv_next(rd, &rec) == -1); /* sticky */
            FUZZ_CHECK(csv_line(rd) == err_line);
            break;
        }
        FUZZ_CHECK(rec.n == nf && nf >= 1 && nf <= CSV_MAX_FIELDS);
        FUZZ_CHECK(rec.line == rec_line && csv_line(rd) == rec_line && rec.line > prev_line);
        FUZZ_CHECK(csv_error(rd)[0] == '\0');
        for (size_t i = 0; i < rec.n; i++) {
            FUZZ_CHECK(rec.fields[i].n <= CSV_MAX_FIELD_BYTES);
            total += rec.fields[i].n;
        }
        FUZZ_CHECK(total <= size); /* unescaping never adds bytes */
        prev_line = rec.line;
    }
    buf_free(&r.field);
    csv_reader_free(rd);
}

/* ---- The delimiter guess ---------------------------------------------- */

static char ref_detect(const uint8_t *d, size_t len)
{
    size_t i = len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (d[i] == '\r' || d[i] == '\n'))
        i++;
    size_t count[3] = {0, 0, 0}; /* ',' ';' TAB */
    bool quoted = false;
    for (; i < len; i++) {
        if (d[i] == '"')
            quoted = !quoted;
        else if (!quoted && (d[i] == '\r' || d[i] == '\n'))
            break;
        else if (!quoted && d[i] == ',')
            count[0]++;
        else if (!quoted && d[i] == ';')
            count[1]++;
        else if (!quoted && d[i] == '\t')
            count[2]++;
    }
    /* The most frequent; ties prefer ',' then ';'. */
    size_t best = 0;
    for (size_t k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    return ",;\t"[best];
}

/* ---- The writer, read back -------------------------------------------- */

static bool formula_start(const char *s, size_t n)
{
    return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

static void round_trip(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    static const char delims[] = {',', ';', '\t', ','};
    char delim = delims[data[0] & 3];
    bool safe = data[0] & 4;
    const char *in = (const char *)data + 1, *end = (const char *)data + size;

    buf out = {0};
    /* The fields as they should read back, one after the other in want,
     * their lengths in lens, and the number of fields of each record. */
    buf want = {0};
    size_t *lens = NULL, nlens = 0, nrec = 0, *recs = NULL;
    while (in < end) {
        const char *re = memchr(in, 0x1E, (size_t)(end - in));
        if (!re)
            re = end;
        size_t nf = 0, want_mark = want.len;
        const char *f = in;
        for (;;) {
            const char *fe = memchr(f, 0x1F, (size_t)(re - f));
            if (!fe)
                fe = re;
            size_t n = (size_t)(fe - f);
            if (nf)
                buf_addc(&out, delim);
            csv_write_field(&out, f, n, safe);
            size_t start = want.len;
            if (safe && formula_start(f, n))
                buf_addc(&want, '\'');
            buf_add(&want, f, n);
            lens = xrealloc(lens, (nlens + 1) * sizeof *lens);
            lens[nlens++] = want.len - start;
            nf++;
            if (fe == re)
                break;
            f = fe + 1;
        }
        csv_end_record(&out);
        if (nf == 1 && want.len == want_mark) {
            /* One empty field makes an empty line, which the reader skips
             * (csv.h: such a record cannot be represented). */
            nlens--;
        } else {
            recs = xrealloc(recs, (nrec + 1) * sizeof *recs);
            recs[nrec++] = nf;
        }
        if (nf > CSV_MAX_FIELDS)
            goto out; /* the reader refuses such records, as it should */
        in = re == end ? end : re + 1;
    }

    csv_reader *rd = csv_reader_new(buf_str(&out), out.len, delim);
    FUZZ_CHECK(rd != NULL);
    csv_record rec;
    size_t off = 0, fi = 0;
    for (size_t i = 0; i < nrec; i++) {
        int rc = csv_next(rd, &rec);
        if (rc != 1)
            fprintf(stderr, "record %zu of %zu: %s\n", i + 1, nrec, csv_error(rd));
        FUZZ_CHECK(rc == 1);
        FUZZ_CHECK(rec.n == recs[i]);
        for (size_t k = 0; k < rec.n; k++, fi++) {
            FUZZ_CHECK(rec.fields[k].n == lens[fi]);
            FUZZ_CHECK(memcmp(rec.fields[k].p, buf_str(&want) + off, lens[fi]) == 0);
            off += lens[fi];
        }
    }
    FUZZ_CHECK(fi == nlens && off == want.len);
    FUZZ_CHECK(csv_next(rd, &rec) == 0);
    csv_reader_free(rd);
out:
    free(lens);
    free(recs);
    buf_free(&out);
    buf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char usual[] = {',', ';', '\t', '|'};
    for (size_t i = 0; i < sizeof usual; i++)
        compare_reader(data, size, usual[i]);
    /* Any byte as the delimiter: the last one of the input. */
    if (size > 0)
        compare_reader(data, size, (char)data[size - 1]);

    char d = csv_detect_delimiter((const char *)data, size);
    FUZZ_CHECK(d == ref_detect(data, size));

    round_trip(data, size);
    return 0;
}
