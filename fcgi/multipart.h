/* multipart: a multipart/form-data (RFC 7578) body parser over memory, for
 * file uploads. The Content-Type header and the body in, the parts out; the
 * data of each part points into the body (binary safe, nothing copied), the
 * names and headers are copied into the request arena. No I/O and no
 * globals.
 *
 * Rules (RFC 2046 section 5.1.1, RFC 7578), strict where a sender could
 * only be wrong and lenient where browsers and curl differ:
 *  - the boundary is the Content-Type's boundary parameter, quoted or not:
 *    1 to 70 characters of RFC 2046's bchars, not ending in a space;
 *  - a delimiter is CRLF "--" boundary at the start of a line (the first
 *    one may open the body, else it follows a preamble, which is ignored);
 *    after the boundary, spaces or tabs and then CRLF open a part, and "--"
 *    closes the body (the epilogue after it, a final CRLF or not, is
 *    ignored). "--" boundary followed by anything else is data;
 *  - a part's header lines end with CRLF and the section with an empty line;
 *    a bare CR or LF, a NUL, a folded (indented) line or a line without a
 *    colon is an error, and so is a header section over
 *    MULTIPART_MAX_HEADER_BYTES;
 *  - Content-Disposition is required, of type form-data with a name; the
 *    name and the filename are tokens or quoted strings, in which a
 *    backslash escapes a quote, a backslash or another RFC 2045 tspecial
 *    and is kept before anything else (so C:\Users\x\file.csv sent without
 *    escapes stays whole), and "%22" is a quote (what the HTML standard has
 *    browsers write); other parameters (filename* among them, which RFC 7578
 *    forbids) are ignored, a repeated one is an error;
 *  - the filename keeps only what follows the last '/' or '\' (old browsers
 *    on Windows send the whole path); filename="" (a file field left empty)
 *    gives "", no filename parameter gives NULL; names and filenames must be
 *    UTF-8. A filename is for showing and for the audit trail, never a path
 *    on disk ("..", say, stays as it is);
 *  - Content-Type is kept as sent (spaces around it trimmed);
 *    Content-Transfer-Encoding, deprecated by RFC 7578, is accepted only as
 *    7bit, 8bit or binary; other headers are ignored.
 * Error messages are plain English and name the part (1-based), e.g. "part
 * 2 has no Content-Disposition header".
 */
#ifndef CTRACK_MULTIPART_H
#define CTRACK_MULTIPART_H

#include <stddef.h>

#include "util.h"

#define MULTIPART_MAX_PARTS 100
#define MULTIPART_MAX_HEADER_BYTES 8192
#define MULTIPART_MAX_BOUNDARY 70
/* Room for any message of this module, NUL included. */
#define MULTIPART_ERR_MAX 160

typedef struct multipart_part {
    const char *name;         /* the form field's name, never NULL */
    const char *filename;     /* the file's name (see above), or NULL */
    const char *content_type; /* the part's Content-Type, or NULL */
    const char *data;         /* len bytes inside the body, not NUL-terminated */
    size_t len;
} multipart_part;

typedef struct multipart {
    multipart_part *parts; /* in the order of the body; from the arena */
    size_t n;
} multipart;

/* The boundary parameter of a multipart/form-data Content-Type header ct
 * (type and parameter names in any case), copied into a and unquoted.
 * Returns NULL with the reason in err (MULTIPART_ERR_MAX bytes are enough)
 * when ct is NULL, another media type, malformed, or has no boundary, two,
 * an empty one, one over MULTIPART_MAX_BOUNDARY characters, or one with
 * characters RFC 2046 does not allow. */
const char *multipart_boundary(arena *a, const char *ct, char *err, size_t errlen);

/* Parses body[0..len) sent with the Content-Type header ct into out, every
 * string from a (the data stays in body, which must outlive out). Returns
 * 0; or -1 with the reason in err, e.g. "the upload ended before its
 * closing boundary" or "the upload has more than 100 parts", and out empty. */
int multipart_parse(arena *a, const char *ct, const char *body, size_t len, multipart *out, char *err, size_t errlen);

/* The first part named name, or NULL. */
const multipart_part *multipart_get(const multipart *m, const char *name);

#endif
