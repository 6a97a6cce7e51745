/* audit_chain: the canonical encoding of an audit row and its HMAC. */
#include "audit_chain.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "util.h"

/* Changing the encoding needs a new tag, and verify must then know both. */
static const char TAG[] = "ctrack-audit-v1";

static void put_bytes(buf *b, const char *p, size_t n)
{
    if (!p) {
        buf_addc(b, 0);
        return;
    }
    unsigned char len[5] = {1, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                            (unsigned char)n};
    buf_add(b, len, sizeof len);
    buf_add(b, p, n);
}

static void put_int(buf *b, bool present, long long v)
{
    char s[24];
    int n = snprintf(s, sizeof s, "%lld", v);
    put_bytes(b, present ? s : NULL, (size_t)n);
}

/* HMAC-SHA-256 of p under key, into out. 0, or -1 when OpenSSL fails. */
static int mac_of(const unsigned char key[32], const char *p, size_t n, unsigned char out[AUDIT_HASH_LEN])
{
    unsigned char mac[CRYPTO_HMAC_MAX];
    if (crypto_hmac(CRYPTO_SHA256, key, 32, p, n, mac) != AUDIT_HASH_LEN)
        return -1;
    memcpy(out, mac, AUDIT_HASH_LEN);
    return 0;
}

int audit_chain_hash(const unsigned char key[32], const unsigned char prev[AUDIT_HASH_LEN], const audit_fields *f,
                     unsigned char out[AUDIT_HASH_LEN])
{
    buf b = {0};
    buf_add(&b, TAG, sizeof TAG); /* with its NUL */
    buf_add(&b, prev, AUDIT_HASH_LEN);
    put_int(&b, true, f->chain_client);
    put_int(&b, true, f->chain);
    put_int(&b, true, f->seq);
    put_bytes(&b, f->at, f->at_len);
    put_int(&b, f->has_client, f->client_id);
    put_int(&b, f->has_user, f->user_id);
    put_bytes(&b, f->remote_addr, f->remote_addr_len);
    put_bytes(&b, f->request_id, f->request_id_len);
    put_bytes(&b, f->method, f->method_len);
    put_bytes(&b, f->path, f->path_len);
    put_bytes(&b, f->action, f->action_len);
    put_bytes(&b, f->object_type, f->object_type_len);
    put_int(&b, f->has_object, f->object_id);
    put_int(&b, true, f->outcome);
    put_bytes(&b, f->detail, f->detail_len);
    put_int(&b, f->has_token, f->token_id);
    int rc = mac_of(key, b.data, b.len, out);
    buf_free(&b);
    return rc;
}

int audit_anchor_mac(const unsigned char key[32], const audit_head *a, const char *at, size_t at_len,
                     unsigned char out[AUDIT_HASH_LEN])
{
    static const char ANCHOR_TAG[] = "ctrack-audit-anchor-v1";
    buf b = {0};
    buf_add(&b, ANCHOR_TAG, sizeof ANCHOR_TAG); /* with its NUL */
    put_int(&b, true, a->chain_client);
    put_int(&b, true, a->chain);
    put_int(&b, true, a->seq);
    put_bytes(&b, (const char *)a->hash, AUDIT_HASH_LEN);
    put_bytes(&b, at, at_len);
    int rc = mac_of(key, b.data, b.len, out);
    buf_free(&b);
    return rc;
}

void audit_chain_time(long long sec, long usec, char out[27])
{
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    char s[96];
    snprintf(s, sizeof s, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
    memcpy(out, s, 26);
    out[26] = '\0';
}

static const char CHECKPOINT_TAG[] = "ctrack-audit-checkpoint 1";

static void add_hex(buf *b, const unsigned char *p, size_t n)
{
    char hex[2 * AUDIT_HASH_LEN + 1];
    hex_encode(p, n, hex);
    buf_add(b, hex, 2 * n);
}

int audit_checkpoint_format(const unsigned char key[32], const char *written_at, const audit_head *heads, size_t n,
                            buf *out)
{
    size_t start = out->len;
    buf_printf(out, "%s\nwritten %s\n", CHECKPOINT_TAG, written_at);
    for (size_t i = 0; i < n; i++) {
        buf_printf(out, "chain %lld %lld %lld ", heads[i].chain_client, heads[i].chain, heads[i].seq);
        add_hex(out, heads[i].hash, AUDIT_HASH_LEN);
        buf_printf(out, " %lld\n", heads[i].id);
    }
    unsigned char mac[AUDIT_HASH_LEN];
    if (mac_of(key, out->data + start, out->len - start, mac) != 0)
        return -1;
    buf_adds(out, "mac ");
    add_hex(out, mac, sizeof mac);
    buf_addc(out, '\n');
    return 0;
}

static int unhex(const char *p, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = p[2 * i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* "chain CLIENT CHAIN SEQ HASH ID" into h. */
static int parse_chain_line(const char *p, size_t n, audit_head *h)
{
    static const int64_t max[] = {4294967295LL, AUDIT_MAX_CHAINS, INT64_MAX, INT64_MAX};
    long long *num[] = {&h->chain_client, &h->chain, &h->seq, &h->id};
    if (n < 6 || memcmp(p, "chain ", 6) != 0)
        return -1;
    size_t i = 6;
    for (int f = 0; f < 5; f++) {
        size_t j = i;
        while (j < n && p[j] != ' ')
            j++;
        if (j == i || (f < 4 && j == n) || (f == 4 && j != n))
            return -1;
        if (f == 3) {
            if (j - i != 2 * AUDIT_HASH_LEN || unhex(p + i, AUDIT_HASH_LEN, h->hash) != 0)
                return -1;
        } else {
            int64_t v;
            int k = f < 3 ? f : 3;
            if (parse_i64(p + i, j - i, f == 2 || f == 4 ? 1 : 0, max[k], &v) != 0)
                return -1;
            *num[k] = v;
        }
        i = j + 1;
    }
    return 0;
}

int audit_checkpoint_parse(const char *text, size_t len, const unsigned char key[32], audit_head **heads, size_t *n,
                           char *err, size_t errlen)
{
    *heads = NULL;
    *n = 0;
    size_t cap = 0, pos = 0;
    int line = 0;
    bool have_mac = false;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl) {
            snprintf(err, errlen, "line %d: the file does not end with a newline (cut short?)", line + 1);
            goto fail;
        }
        const char *p = text + pos;
        size_t ln = (size_t)(nl - p);
        line++;
        if (have_mac) {
            snprintf(err, errlen, "line %d: text after the mac line", line);
            goto fail;
        }
        if (line == 1) {
            if (ln != sizeof CHECKPOINT_TAG - 1 || memcmp(p, CHECKPOINT_TAG, ln) != 0) {
                snprintf(err, errlen, "line 1: not a ctrack audit checkpoint (expected \"%s\")", CHECKPOINT_TAG);
                goto fail;
            }
        } else if (line == 2) {
            if (ln < 8 || memcmp(p, "written ", 8) != 0) {
                snprintf(err, errlen, "line 2: expected \"written TIME\"");
                goto fail;
            }
        } else if (ln >= 4 && memcmp(p, "mac ", 4) == 0) {
            unsigned char want[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN];
            if (ln != 4 + 2 * AUDIT_HASH_LEN || unhex(p + 4, AUDIT_HASH_LEN, got) != 0) {
                snprintf(err, errlen, "line %d: the mac is not 64 lowercase hex digits", line);
                goto fail;
            }
            if (mac_of(key, text, pos, want) != 0 || !crypto_equal(want, got, sizeof want)) {
                snprintf(err, errlen, "the checkpoint's mac does not match: it was changed, or made with another "
                                      "Audit.KeyFile");
                goto fail;
            }
            have_mac = true;
        } else {
            audit_head h;
            if (parse_chain_line(p, ln, &h) != 0) {
                snprintf(err, errlen, "line %d: expected \"chain CLIENT CHAIN SEQ HASH ID\"", line);
                goto fail;
            }
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                *heads = xrealloc(*heads, cap * sizeof **heads);
            }
            (*heads)[(*n)++] = h;
        }
        pos += ln + 1;
    }
    if (!have_mac) {
        snprintf(err, errlen, "the checkpoint has no mac line (cut short?)");
        goto fail;
    }
    return 0;
fail:
    free(*heads);
    *heads = NULL;
    *n = 0;
    return -1;
}
