/* audit_chain: the hash that links each audit row to the one before it in
 * its chain. Pure: no I/O, no globals; the writer (audit.c) and the checker
 * (audit_verify.c) both hash through here, so they cannot disagree. */
#ifndef CTRACK_AUDIT_CHAIN_H
#define CTRACK_AUDIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define AUDIT_HASH_LEN 32
/* Largest chain (writer slot) number; see audit.c. */
#define AUDIT_MAX_CHAINS 4096

/* A row's fields exactly as stored. Texts are bytes with a length; NULL
 * means SQL NULL (distinct from empty). Integers that may be NULL say so in
 * their has_ flag. */
typedef struct audit_fields {
    long long chain_client; /* the client, 0 for rows of no client */
    long long chain;
    long long seq;
    const char *at; size_t at_len; /* "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) */
    bool has_client; long long client_id;
    bool has_user; long long user_id;
    const char *remote_addr; size_t remote_addr_len;
    const char *request_id; size_t request_id_len;
    const char *method; size_t method_len;
    const char *path; size_t path_len;
    const char *action; size_t action_len;
    const char *object_type; size_t object_type_len;
    bool has_object; long long object_id;
    long long outcome;
    const char *detail; size_t detail_len;
    bool has_token; long long token_id;
} audit_fields;

/* out = HMAC-SHA-256 under key of a version tag, prev (the previous row's
 * hash, or the chain's anchor, or 32 zero bytes for a chain's first row)
 * and every field, each length-prefixed (NULL tagged apart), so that no two
 * different rows encode alike. Returns 0, or -1 when OpenSSL fails. */
int audit_chain_hash(const unsigned char key[32], const unsigned char prev[AUDIT_HASH_LEN], const audit_fields *f,
                     unsigned char out[AUDIT_HASH_LEN]);

/* Formats a time as stored in audit.at: seconds since the epoch and
 * microseconds, UTC, into out ("YYYY-MM-DD HH:MM:SS.ffffff" + NUL). */
void audit_chain_time(long long sec, long usec, char out[27]);

/* One chain's head, as a checkpoint keeps it. */
typedef struct audit_head {
    long long chain_client, chain, seq, id;
    unsigned char hash[AUDIT_HASH_LEN];
} audit_head;

/* The mac of an anchor (the place a purge left a chain: its last removed
 * row's seq and hash, a->id unused, and that row's time): HMAC-SHA-256
 * under key of "ctrack-audit-anchor-v1" NUL and the fields encoded as a
 * row's are, so that an anchor cannot be made up or moved without the key.
 * 0 or -1. */
int audit_anchor_mac(const unsigned char key[32], const audit_head *a, const char *at, size_t at_len,
                     unsigned char out[AUDIT_HASH_LEN]);

/* Appends a checkpoint of heads to out: a header line, "written" and the
 * time, one "chain CLIENT CHAIN SEQ HASH ID" line per head, and a last line
 * "mac HEX", the HMAC-SHA-256 under key of everything before it, so that a
 * checkpoint cannot be edited (or made up) without the key. 0 or -1. */
int audit_checkpoint_format(const unsigned char key[32], const char *written_at, const audit_head *heads, size_t n,
                            buf *out);
/* Parses a checkpoint and checks its mac. On success returns 0 with
 * *heads (malloc'd, the caller frees) and *n; otherwise -1 with a message in
 * err (the line number included). */
int audit_checkpoint_parse(const char *text, size_t len, const unsigned char key[32], audit_head **heads, size_t *n,
                           char *err, size_t errlen);

#endif
