/* vcard: a vCard codec over memory (vCard 2.1, RFC 2425/2426 vCard 3.0 and
 * RFC 6350 vCard 4.0). Bytes in, cards of properties out, and back. No I/O
 * and no globals, so imports, exports and tests share one implementation.
 *
 * Reading gives the properties of each card in file order, with their
 * parameters and the value bytes, but does not interpret values: text is
 * left escaped because structured values (N, ADR, ORG) must be split at
 * their unescaped ';' before anything is unescaped (vcard_split,
 * vcard_split_list, vcard_unescape), and dates, URIs and the like are the
 * caller's business.
 *
 * Reading rules:
 *  - the input is bytes already decoded to UTF-8 (or whatever the caller
 *    has); bytes are passed through, checking UTF-8 and converting a 2.1
 *    CHARSET is the caller's business (valid.h); a UTF-8 byte order mark at
 *    the very start is skipped;
 *  - lines end at CRLF, LF or a lone CR; empty lines, and lines of only
 *    spaces and TABs that do not continue a property, between and inside
 *    cards are skipped (they still count for line numbers);
 *  - BEGIN:VCARD, END:VCARD and VERSION are matched without regard to case;
 *    the line "VERSION:2.1" (or 3.0, 4.0; no group, no parameters) may be
 *    anywhere in the card and decides how the card is read; it is not
 *    listed among the properties;
 *  - unfolding: a line starting with a space or a TAB continues the line
 *    before it. In 3.0 and 4.0 the line break and that one whitespace
 *    character are removed (a second space is data); in 2.1 (RFC 822
 *    folding) only the line break is removed and the whitespace is kept;
 *  - a value with ENCODING=QUOTED-PRINTABLE (or a bare QUOTED-PRINTABLE
 *    parameter, in any version) is decoded: '=' at the end of a line joins
 *    the next line whatever it starts with (except an END:VCARD line), and
 *    =XX gives the byte 0xXX; an '=' not followed by two hex digits is kept;
 *  - binary values are skipped without being stored: ENCODING=b or BASE64
 *    (bare BASE64 too), and data: URIs in PHOTO, LOGO, SOUND and KEY. Their
 *    property is listed with binary set and an empty value. Besides folded
 *    lines, lines of only base64 characters continue such a value, and an
 *    empty line ends it (vCard 2.1 writes them so);
 *  - a 2.1 AGENT property with an empty value followed by an embedded
 *    BEGIN:VCARD ... END:VCARD has that embedded card skipped;
 *  - parameters: names are uppercased; a parameter without '=' (2.1
 *    TEL;HOME;VOICE, also accepted in 3.0 and 4.0) gets the name ENCODING
 *    for 7BIT, 8BIT, QUOTED-PRINTABLE and BASE64, VALUE for INLINE, URL,
 *    CONTENT-ID and CID, and TYPE otherwise, its value as written. In 3.0
 *    and 4.0 double quotes protect ';' ':' and ',' in parameter values and
 *    are removed, and RFC 6868 escapes (^n ^^ ^') are decoded; in 2.1 quotes
 *    are not special, only a pair around the whole value is removed. A
 *    parameter given twice (TYPE=work;TYPE=voice) is listed twice, and a
 *    value list (TYPE=work,voice) stays one value: vcard_prop_has_type and
 *    vcard_prop_pref read types and preferences uniformly;
 *  - errors: anything but BEGIN:VCARD outside a card, a card without
 *    END:VCARD or without VERSION, an unknown version, a line without a
 *    colon, a property or parameter name that is not letters, digits, '-'
 *    and '_', control characters in the parameters, an unterminated quote
 *    in the parameters, a second VERSION, and the limits below. The message
 *    starts with the line it refers to, e.g. "line 7: END:VCARD missing for
 *    the card that starts at line 1".
 *
 * Writing produces vCard 3.0 or 4.0 with CRLF line ends, folded so that no
 * line is longer than 75 octets (not counting the CRLF): continuation lines
 * start with one space, and a fold never splits a UTF-8 sequence or a
 * backslash escape.
 */
#ifndef CTRACK_VCARD_H
#define CTRACK_VCARD_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Limits that keep a hostile file from costing more than its own size. A
 * property's bytes are counted unfolded, name and parameters included; a
 * skipped binary value does not count. */
#define VCARD_MAX_PROPS 10000
#define VCARD_MAX_PROP_BYTES (1024 * 1024)
#define VCARD_MAX_PARAMS 100
/* The longest line the writer writes, in octets without the CRLF. */
#define VCARD_LINE_OCTETS 75

/* A slice of bytes, not NUL-terminated unless said otherwise. */
typedef struct vcard_str {
    const char *p;
    size_t n;
} vcard_str;

/* One parameter: name uppercased, value with its quotes removed ("" when
 * the parameter has '=' and nothing after it). Both NUL-terminated. */
typedef struct vcard_param {
    const char *name;
    const char *value;
} vcard_param;

/* One property, unfolded. group is the "item1" of "item1.EMAIL" ("" when
 * none), name is uppercased; params[0..nparams) in the order written (NULL
 * when there are none); value[0..value_n) is the value after the first
 * unquoted ':' as written (still escaped), quoted-printable decoded, and
 * NUL-terminated (it may contain NUL bytes, so use value_n). binary is set
 * for a skipped binary value (value is then ""). line is where the property
 * starts. */
typedef struct vcard_prop {
    const char *group;
    const char *name;
    const vcard_param *params;
    size_t nparams;
    const char *value;
    size_t value_n;
    bool binary;
    size_t line;
} vcard_prop;

/* One card: version is "2.1", "3.0" or "4.0" and version_num 21, 30 or 40;
 * props[0..nprops) are its properties in file order (without BEGIN, END
 * and VERSION); line is where its BEGIN:VCARD is. Borrowed from the reader
 * until the next vcard_next or vcard_reader_free. */
typedef struct vcard_card {
    const char *version;
    int version_num;
    size_t line;
    const vcard_prop *props;
    size_t nprops;
} vcard_card;

typedef struct vcard_reader vcard_reader;

/* Creates a reader over data[0..len), which must outlive it. Free with
 * vcard_reader_free. Never NULL. */
vcard_reader *vcard_reader_new(const char *data, size_t len);
/* Reads the next card into card: 1 when there is one, 0 at the end of the
 * data, -1 on malformed input (see vcard_error and vcard_line). Errors are
 * sticky: every later call returns -1 too. */
int vcard_next(vcard_reader *r, vcard_card *card);
/* The line where the last card returned started, or after -1 the line the
 * error refers to; 0 before the first call. */
size_t vcard_line(const vcard_reader *r);
/* After -1, what was wrong, starting with the line, e.g. "line 7:
 * END:VCARD missing for the card that starts at line 1"; "" otherwise.
 * Borrowed from the reader. */
const char *vcard_error(const vcard_reader *r);
/* Frees the reader and every card it handed out; NULL is allowed. */
void vcard_reader_free(vcard_reader *r);

/* The value of the first parameter called name (compared without regard to
 * ASCII case), e.g. vcard_param_get(p, "CHARSET"); NULL when there is none. */
const char *vcard_param_get(const vcard_prop *p, const char *name);
/* Whether the property has the type (compared without regard to ASCII
 * case) in any TYPE parameter: TYPE=work,voice, TYPE=work;TYPE=voice,
 * TYPE="voice,cell" and 2.1 bare WORK all count, items trimmed of spaces. */
bool vcard_prop_has_type(const vcard_prop *p, const char *type);
/* How much the property is preferred: the lowest PREF=1..100 (4.0), 1 for a
 * TYPE=PREF or bare PREF (2.1, 3.0), 0 when none. Lower is more preferred;
 * PREF values that are not a number in 1..100 are ignored. */
int vcard_prop_pref(const vcard_prop *p);

/* Splits a structured value (N, ADR, ORG, GENDER ...) at each ';' that is
 * not escaped by a backslash. Stores the first max components in
 * out[0..max) as slices of v (still escaped: unescape each with
 * vcard_unescape) and returns how many components v has, which may be more
 * than max. An empty value is one empty component, ";" two. */
size_t vcard_split(const char *v, size_t n, vcard_str *out, size_t max);
/* The same at unescaped ',': the items of a list value (CATEGORIES,
 * NICKNAME) or of one component (the additional names of N). */
size_t vcard_split_list(const char *v, size_t n, vcard_str *out, size_t max);
/* Appends s[0..n) unescaped to out: \n and \N give LF, \\ \, \; give the
 * character after the backslash; any other backslash is kept as it is.
 * (2.1 values are mostly not escaped at all; \; is their only escape.) */
void vcard_unescape(buf *out, const char *s, size_t n);

/* A telephone number read from a TEL value. */
typedef struct vcard_tel {
    vcard_str number; /* the number, without "tel:" and parameters */
    vcard_str ext;    /* the ;ext= of a tel: URI; n is 0 when none */
} vcard_tel;
/* Splits a TEL value. A tel: URI (RFC 3966, "tel:" in any case), as 4.0
 * writes with VALUE=uri, gives its number and its ext parameter:
 * "tel:+1-555-0105;ext=12" is "+1-555-0105" and "12"; returns true. Any
 * other value is the number as it stands, without ext; returns false. The
 * slices point into v. */
bool vcard_tel_split(const char *v, size_t n, vcard_tel *out);

/* Writes BEGIN:VCARD and VERSION:3.0 when version is 3, VERSION:4.0
 * otherwise. */
void vcard_write_begin(buf *out, int version);
/* Writes END:VCARD. */
void vcard_write_end(buf *out);
/* Writes one property, folded: name (may carry a group, "item1.EMAIL"),
 * then ';' and params when params is neither NULL nor "" (formed by the
 * caller, e.g. "TYPE=work,voice;PREF=1"; line breaks in it are written as
 * spaces), then ':' and comps[0..ncomps) each escaped (\ , ; as \\ \, \;
 * and CRLF, CR and LF as \n) and joined by ';'. One component for a text
 * value, 5 for N, 7 for ADR; none writes an empty value. */
void vcard_write_prop(buf *out, const char *name, const char *params, const vcard_str *comps, size_t ncomps);
/* The same for a one-component text value s[0..n). */
void vcard_write_text(buf *out, const char *name, const char *params, const char *s, size_t n);
/* The same with the value written as it is (URIs, dates, or a list the
 * caller escaped with vcard_escape and joined with ','), except that CRLF,
 * CR and LF, which no value may hold unescaped, are written as \n. */
void vcard_write_raw(buf *out, const char *name, const char *params, const char *value, size_t n);
/* Appends s[0..n) escaped as vcard_write_prop escapes a component, not
 * folded: for building list values for vcard_write_raw. */
void vcard_escape(buf *out, const char *s, size_t n);

#endif
