/* audit_verify: `ctrack audit verify` and `ctrack audit checkpoint`: checks
 * every chain of the audit trail row by row, and writes or checks the chain
 * heads that a backup keeps. */
#ifndef CTRACK_AUDIT_VERIFY_H
#define CTRACK_AUDIT_VERIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "audit_chain.h"
#include "conf.h"
#include "db.h"

typedef struct audit_verify_opts {
    bool one_client;         /* only this client's rows (client_id 0: the rows of no client) */
    long long client_id;
    const audit_head *checkpoint; /* heads to hold the chains against, or NULL */
    size_t ncheckpoint;
    int max_report;          /* problems printed in full (the rest are counted) */
    FILE *out;
} audit_verify_opts;

typedef struct audit_verify_result {
    long long rows;          /* chained rows checked */
    long long chains;
    long long unchained;     /* rows from before the chain began */
    long long problems;
    long long first_id;      /* the first problem's row (0: none, or a chain cut short) */
} audit_verify_result;

/* Reads the whole trail (or one client's) in one consistent snapshot, in id
 * order, and checks each chain: seq follows on without gaps from its anchor
 * (or 1), ids grow with seq, and each hash is the HMAC of the previous hash
 * and the row as stored. Each problem is printed to o->out naming the row;
 * with a checkpoint, a chain that ends before the checkpoint's head, or
 * whose row there differs, is a problem too. Returns 0 when the check ran
 * (problems or not), or an enum db_rc when it could not. */
int audit_verify(db *d, const conf *cf, const audit_verify_opts *o, audit_verify_result *res);

/* The head of every chain (newest row: client, chain, seq, hash, id) in one
 * snapshot, formatted as a checkpoint (audit_checkpoint_format) into out.
 * *nheads gets the number of chains. Returns an enum db_rc. */
int audit_checkpoint(db *d, const conf *cf, buf *out, size_t *nheads);

#endif
