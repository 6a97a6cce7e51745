/* csv: an RFC 4180 codec over memory. Bytes in, records out, and back. No
 * I/O and no globals, so imports, exports and tests share one implementation.
 *
 * Reading rules, beyond RFC 4180:
 *  - a UTF-8 byte order mark at the very start is skipped;
 *  - the delimiter is chosen by the caller (',' ';' or TAB are the usual ones;
 *    csv_detect_delimiter guesses);
 *  - a record ends at CRLF, LF or a lone CR; the last record needs no line
 *    break; lines that are completely empty are skipped (they still count for
 *    line numbers), so a record of one empty field cannot be represented;
 *  - a quoted field may hold delimiters, line breaks and doubled quotes;
 *  - strict: anything but a delimiter or a line break right after a closing
 *    quote is an error, and so is a quote left open at the end of the data
 *    (the error names the line where that field started);
 *  - lenient: a quote inside an unquoted field (5'10") is taken literally,
 *    since such data is common and unambiguous;
 *  - bytes are passed through: checking UTF-8 and control characters is the
 *    caller's business (valid.h).
 */
#ifndef CTRACK_CSV_H
#define CTRACK_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Limits that keep a hostile file from costing more than its own size. */
#define CSV_MAX_FIELDS 1000
#define CSV_MAX_FIELD_BYTES (1024 * 1024)

/* One unescaped field. p is NUL-terminated (the field itself may contain NUL
 * bytes, so use n). */
typedef struct csv_field {
    const char *p;
    size_t n;
} csv_field;

/* One record: fields[0..n), borrowed from the reader until the next
 * csv_next or csv_reader_free. line is where the record starts (1-based). */
typedef struct csv_record {
    const csv_field *fields;
    size_t n;
    size_t line;
} csv_record;

typedef struct csv_reader csv_reader;

/* Creates a reader over data[0..len), which must outlive it. Returns NULL
 * when delim is '"', CR, LF or NUL (they cannot separate fields). Free with
 * csv_reader_free. */
csv_reader *csv_reader_new(const char *data, size_t len, char delim);
/* Reads the next record into rec: 1 when there is one, 0 at the end of the
 * data, -1 on malformed input (see csv_error and csv_line). Errors are
 * sticky: every later call returns -1 too. */
int csv_next(csv_reader *r, csv_record *rec);
/* The line where the last record returned started, or after -1 the line the
 * error refers to; 0 before the first call. */
size_t csv_line(const csv_reader *r);
/* After -1, what was wrong, e.g. "unterminated quoted field starting at line
 * 7"; "" otherwise. Borrowed from the reader. */
const char *csv_error(const csv_reader *r);
/* Frees the reader and every record it handed out; NULL is allowed. */
void csv_reader_free(csv_reader *r);

/* Guesses the delimiter of a file: counts ',' ';' and TAB outside quotes in
 * its first record and returns the most frequent, ',' when none occurs (ties
 * prefer ',' then ';'). Never fails. */
char csv_detect_delimiter(const char *data, size_t len);

/* Appends one field to out, quoted when it holds ',' ';' TAB, '"', CR or LF,
 * starts or ends with a space, or starts with a UTF-8 byte order mark (so it
 * reads back the same whichever of the usual delimiters the file uses, and
 * also first in a file); quotes inside are doubled. With
 * spreadsheet_safe, a field starting with '=', '+', '-', '@', TAB or CR is
 * written as '\'' + the field, quoted, so a spreadsheet shows it as text
 * instead of running it as a formula. The caller writes the delimiter between
 * fields (buf_addc) and ends each record with csv_end_record. */
void csv_write_field(buf *out, const char *s, size_t n, bool spreadsheet_safe);
/* Ends a record with CRLF, as RFC 4180 asks. */
void csv_end_record(buf *out);

#endif
