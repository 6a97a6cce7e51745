/* audit_chain: the canonical encoding of an audit row and its HMAC. */
#include "audit_chain.h"

#include <stdio.h>
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
    unsigned char mac[CRYPTO_HMAC_MAX];
    int n = crypto_hmac(CRYPTO_SHA256, key, 32, b.data, b.len, mac);
    buf_free(&b);
    if (n != AUDIT_HASH_LEN)
        return -1;
    memcpy(out, mac, AUDIT_HASH_LEN);
    return 0;
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
