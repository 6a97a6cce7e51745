/* util: allocation that aborts on exhaustion, the growable buffer, the
 * request arena, integer parsing and small encoders. No outside library. */
#ifndef CTRACK_UTIL_H
#define CTRACK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* malloc/calloc/realloc/strdup that abort the process on exhaustion: the
 * supervisor replaces a worker that dies. Never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A length-carrying growable byte buffer, always NUL-terminated. */
typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf;

/* Appends bytes, a C string, one byte, or printf-formatted text. */
void buf_add(buf *b, const void *p, size_t n);
void buf_adds(buf *b, const char *s);
void buf_addc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) CT_PRINTF(2, 3);
void buf_vprintf(buf *b, const char *fmt, va_list ap) CT_PRINTF(2, 0);
/* Empties the buffer, keeping its storage. */
void buf_reset(buf *b);
/* Frees the storage; the buffer may be reused afterwards. */
void buf_free(buf *b);
/* Returns the contents as a C string ("" when empty); borrowed from b. */
const char *buf_str(const buf *b);

/* A list of ids kept small: each as the zigzag varint of its difference
 * from the one before, so that the ascending ids of an export cost about
 * a byte each. Zero-initialised is empty; free with idlist_free. */
typedef struct idlist {
    buf b;
    size_t n;
    long long last;
} idlist;
void idlist_add(idlist *l, long long id);
/* Reads the ids in order: *pos and *prev start at 0; returns false at the
 * end. */
bool idlist_next(const idlist *l, size_t *pos, long long *prev, long long *out);
void idlist_clear(idlist *l);
void idlist_free(idlist *l);

/* A request arena: every allocation is freed at once by arena_free. */
typedef struct arena arena;
/* Creates an arena; free it with arena_free. */
arena *arena_new(void);
/* Allocates n zeroed bytes owned by the arena. */
void *arena_alloc(arena *a, size_t n);
/* Copies n bytes (plus a NUL) into the arena. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* An array of used elements of size bytes with room for one more: v itself
 * while *cap allows, else a copy twice as large (*cap updated). */
void *arena_grow(arena *a, void *v, size_t *cap, size_t used, size_t size);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) CT_PRINTF(2, 3);
/* Frees every allocation and the arena itself; NULL is allowed. */
void arena_free(arena *a);

/* Parses a whole decimal string into [min, max]; 0 on success, -1 when the
 * text is empty, has other characters, or is out of range. */
int parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

/* Writes the lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* Appends s percent-encoded for a URL's query (unreserved characters kept). */
void buf_add_url(buf *b, const char *s);
/* base64url without padding of n bytes into out (4*ceil(n/3)+1 bytes). */
void b64url_encode(const unsigned char *in, size_t n, char *out);
/* Standard base64 with padding; decode returns bytes written or -1. */
void b64_encode(const unsigned char *in, size_t n, char *out);
int b64_decode(const char *in, size_t len, unsigned char *out, size_t cap);

/* Appends the whole regular file at path to out, refusing files larger than
 * max bytes. Returns 0; -1 when it cannot be opened or read (errno says
 * why); -2 when it is not a regular file or is larger than max. */
int read_file(const char *path, size_t max, buf *out);

/* Monotonic and wall-clock time in microseconds. */
int64_t now_mono_us(void);
int64_t now_wall_us(void);

#endif
