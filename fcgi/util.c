/* util: allocation, the growable buffer, the request arena, parsing helpers. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die_oom(void)
{
    static const char msg[] = "ctrack: out of memory\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die_oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom();
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void buf_grow(buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < b->len)
        die_oom();
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            die_oom();
        cap *= 2;
    }
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_add(buf *b, const void *p, size_t n)
{
    buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_adds(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    buf_grow(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    }
    b->len += (size_t)n;
    va_end(ap2);
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

const char *buf_str(const buf *b)
{
    return b->data ? b->data : "";
}

/* Blocks of at least 8 KiB, chained; big allocations get their own block. */
struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct arena_block *head;
};

arena *arena_new(void)
{
    return xcalloc(1, sizeof(arena));
}

void *arena_alloc(arena *a, size_t n)
{
    size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        b = xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

void *arena_grow(arena *a, void *v, size_t *cap, size_t used, size_t size)
{
    if (used < *cap)
        return v;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *nv = arena_alloc(a, ncap * size);
    if (used)
        memcpy(nv, v, used * size);
    *cap = ncap;
    return nv;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *p = arena_strndup(a, buf_str(&b), b.len);
    buf_free(&b);
    return p;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

int parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    if (!s || len == 0 || len > 20)
        return -1;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
        if (len == 1)
            return -1;
    }
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    int64_t r;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return -1;
        r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return -1;
        r = (int64_t)v;
    }
    if (r < min || r > max)
        return -1;
    *out = r;
    return 0;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void b64_any(const unsigned char *in, size_t n, char *out, const char *alpha, bool pad)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alpha[(v >> 18) & 63];
        out[o++] = alpha[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = alpha[(v >> 6) & 63];
        else if (pad)
            out[o++] = '=';
        if (i + 2 < n)
            out[o++] = alpha[v & 63];
        else if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void b64url_encode(const unsigned char *in, size_t n, char *out)
{
    b64_any(in, n, out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

void b64_encode(const unsigned char *in, size_t n, char *out)
{
    b64_any(in, n, out, B64, true);
}

int b64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
    if (len % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        int pads = 0;
        for (int k = 0; k < 4; k++) {
            char c = in[i + k];
            const char *p = c ? strchr(B64, c) : NULL;
            int d;
            if (c == '=' && i + 4 == len && k >= 2) {
                pads++;
                d = 0;
            } else if (p && !pads) {
                d = (int)(p - B64);
            } else {
                return -1;
            }
            v = (v << 6) | (uint32_t)d;
        }
        int nb = 3 - pads;
        if (o + (size_t)nb > cap)
            return -1;
        out[o++] = (unsigned char)(v >> 16);
        if (nb > 1)
            out[o++] = (unsigned char)(v >> 8);
        if (nb > 2)
            out[o++] = (unsigned char)v;
    }
    return (int)o;
}

int read_file(const char *path, size_t max, buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > (uintmax_t)max) {
        close(fd);
        return -2;
    }
    size_t start = out->len;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        if (out->len - start + (size_t)n > max) {
            close(fd);
            return -2;
        }
        buf_add(out, chunk, (size_t)n);
    }
    close(fd);
    if (!out->data)
        buf_add(out, "", 0);
    return 0;
}

int64_t now_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void buf_add_url(buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p))
            buf_addc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

void idlist_add(idlist *l, long long id)
{
    unsigned long long d = (unsigned long long)id - (unsigned long long)l->last;
    /* zigzag: small differences of either sign are small numbers */
    unsigned long long z = (d << 1) ^ (unsigned long long)((long long)d >> 63);
    unsigned char tmp[10];
    size_t k = 0;
    do {
        tmp[k] = (unsigned char)(z & 0x7F);
        z >>= 7;
        if (z)
            tmp[k] |= 0x80;
        k++;
    } while (z);
    buf_add(&l->b, tmp, k);
    l->last = id;
    l->n++;
}

bool idlist_next(const idlist *l, size_t *pos, long long *prev, long long *out)
{
    if (*pos >= l->b.len)
        return false;
    unsigned long long z = 0;
    int shift = 0;
    while (*pos < l->b.len && shift < 64) {
        unsigned char c = (unsigned char)l->b.data[(*pos)++];
        z |= (unsigned long long)(c & 0x7F) << shift;
        shift += 7;
        if (!(c & 0x80))
            break;
    }
    unsigned long long d = (z >> 1) ^ (0ULL - (z & 1));
    *out = (long long)((unsigned long long)*prev + d);
    *prev = *out;
    return true;
}

void idlist_clear(idlist *l)
{
    buf_reset(&l->b);
    l->n = 0;
    l->last = 0;
}

void idlist_free(idlist *l)
{
    buf_free(&l->b);
    l->n = 0;
    l->last = 0;
}
