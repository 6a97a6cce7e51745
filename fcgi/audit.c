/* audit: the audit trail. The row is written by the same connection, inside
 * the same transaction as the request's work, so the two commit or roll back
 * together.
 *
 * Chains: one per client and writer slot. A connection claims a slot with a
 * named lock (GET_LOCK, held until the connection ends) the first time it
 * writes, so a chain has one writer at a time and its head can be read
 * without locking anything: requests on other connections never wait for
 * this one. The unique key on (chain_client, chain, seq) turns any mistake
 * here into a failed insert rather than a fork in a chain. */
#include "audit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit_chain.h"
#include "crypto.h"
#include "log.h"
#include "util.h"
#include "valid.h"

/* The lock names are server-wide: the database's name keeps two
 * installations on one server apart (and a name within 64 characters). */
static const char SQL_CLAIM[] = "SELECT GET_LOCK(CONCAT('ctrack.audit.', LEFT(DATABASE(), 40), '.', ?), 0)";
static const char SQL_RELEASE[] = "SELECT RELEASE_LOCK(CONCAT('ctrack.audit.', LEFT(DATABASE(), 40), '.', ?))";
static const char SQL_HEAD[] =
    "SELECT seq, hash FROM audit WHERE chain_client = ? AND chain = ? ORDER BY seq DESC LIMIT 1";
static const char SQL_ANCHOR[] = "SELECT seq, hash FROM audit_anchors WHERE chain_client = ? AND chain = ?";
static const char SQL_APPEND[] =
    "INSERT INTO audit (at, client_id, user_id, remote_addr, request_id, method, path, action,"
    " object_type, object_id, outcome, detail, token_id, chain, seq, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* The slot this process holds, and on which connection: a new connection
 * (after a reconnect) has lost the lock and claims again. */
static struct {
    const db *d;
    unsigned long conn;
    int chain;
} slot;

static int claim(db *d)
{
    unsigned long conn = db_connection_id(d);
    if (slot.d == d && slot.conn == conn && slot.chain)
        return DB_OK;
    slot.chain = 0;
    db_stmt *s = db_stmt_get(d, SQL_CLAIM);
    if (!s)
        return db_alive(d) ? DB_ERR : DB_GONE;
    for (int n = 1; n <= AUDIT_MAX_CHAINS; n++) {
        long long got = 0;
        char name[12];
        snprintf(name, sizeof name, "%d", n);
        db_bind_str(s, 0, name);
        int rc = db_one_int(s, &got);
        if (rc != DB_OK)
            return rc;
        if (got == 1) {
            slot.d = d;
            slot.conn = conn;
            slot.chain = n;
            log_debug("audit: writing chain %d", n);
            return DB_OK;
        }
    }
    log_error("audit: all %d chains are held by other connections", AUDIT_MAX_CHAINS);
    return DB_ERR;
}

/* Gives the slot up after another connection was found writing to it (a
 * lock lost without this process noticing), so the next claim finds a free
 * one. */
static void release(db *d)
{
    db_stmt *s = db_stmt_get(d, SQL_RELEASE);
    if (s) {
        char name[12];
        snprintf(name, sizeof name, "%d", slot.chain);
        db_bind_str(s, 0, name);
        long long ignored;
        db_one_int(s, &ignored);
    }
    slot.chain = 0;
}

/* The chain's last (seq, hash): its newest row, else where a purge left it,
 * else nothing yet (0 and zeros). */
static int head(db *d, long long chain_client, unsigned char prev[AUDIT_HASH_LEN], long long *seq)
{
    static const char *const sql[] = {SQL_HEAD, SQL_ANCHOR};
    *seq = 0;
    memset(prev, 0, AUDIT_HASH_LEN);
    for (size_t i = 0; i < CT_ARRAY_LEN(sql); i++) {
        db_stmt *s = db_stmt_get(d, sql[i]);
        if (!s)
            return DB_ERR;
        db_bind_int(s, 0, chain_client);
        db_bind_int(s, 1, slot.chain);
        int rc = db_run(s);
        if (rc == DB_OK)
            rc = db_next(s);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            size_t n = 0;
            const char *h = db_text(s, 1, &n);
            if (!h || n != AUDIT_HASH_LEN) {
                db_done(s);
                log_error("audit: chain %lld/%d has a head without a proper hash", chain_client, slot.chain);
                return DB_ERR;
            }
            *seq = db_int(s, 0);
            memcpy(prev, h, AUDIT_HASH_LEN);
            db_done(s);
            return DB_OK;
        }
    }
    return DB_OK;
}

/* A path that is not UTF-8 is recorded with its bytes escaped, and long
 * ones are cut at a character boundary to fit the column: the row must be
 * written whatever the request looked like. */
static void stored_path(const char *p, buf *out)
{
    size_t n = strlen(p);
    if (utf8_valid(p, n)) {
        buf_add(out, p, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c >= 0x80 || c < 0x20)
                buf_printf(out, "\\x%02x", c);
            else
                buf_addc(out, (char)c);
        }
    }
    if (out->len > 2000) {
        size_t len = 2000;
        while (len > 0 && ((unsigned char)out->data[len] & 0xC0) == 0x80)
            len--;
        out->len = len;
        out->data[len] = '\0';
    }
}

static size_t len_of(const char *s)
{
    return s ? strlen(s) : 0;
}

/* The row as it will be stored, at the current time (at holds it). */
static audit_fields fields_of(const audit_entry *e, const char *path, size_t plen, char at[27])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    audit_chain_time((long long)ts.tv_sec, ts.tv_nsec / 1000, at);
    const char *addr = e->remote_addr ? e->remote_addr : "";
    return (audit_fields){
        .chain_client = e->client_id,
        .at = at, .at_len = strlen(at),
        .has_client = e->client_id != 0, .client_id = e->client_id,
        .has_user = e->user_id != 0, .user_id = e->user_id,
        .remote_addr = addr, .remote_addr_len = strlen(addr),
        .request_id = e->request_id, .request_id_len = strlen(e->request_id),
        .method = e->method, .method_len = strlen(e->method),
        .path = path, .path_len = plen,
        .action = e->action, .action_len = strlen(e->action),
        .object_type = e->object_type, .object_type_len = len_of(e->object_type),
        .has_object = e->object_id != 0, .object_id = e->object_id,
        .outcome = e->outcome,
        .detail = e->detail, .detail_len = len_of(e->detail),
        .has_token = e->token_id != 0, .token_id = e->token_id,
    };
}

static void bind_opt(db_stmt *s, int i, bool present, long long v)
{
    if (present)
        db_bind_int(s, i, v);
    else
        db_bind_null(s, i);
}

/* Inserts f; hash NULL writes a row outside any chain (Bench.Audit =
 * unchained only). */
static int insert_row(db *d, const audit_fields *f, const unsigned char *hash, unsigned long long *id_out)
{
    db_stmt *s = db_stmt_get(d, SQL_APPEND);
    if (!s)
        return db_alive(d) ? DB_ERR : DB_GONE;
    db_bind_text(s, 0, f->at, f->at_len);
    bind_opt(s, 1, f->has_client, f->client_id);
    bind_opt(s, 2, f->has_user, f->user_id);
    db_bind_text(s, 3, f->remote_addr, f->remote_addr_len);
    db_bind_text(s, 4, f->request_id, f->request_id_len);
    db_bind_text(s, 5, f->method, f->method_len);
    db_bind_text(s, 6, f->path, f->path_len);
    db_bind_text(s, 7, f->action, f->action_len);
    db_bind_str(s, 8, f->object_type);
    bind_opt(s, 9, f->has_object, f->object_id);
    db_bind_int(s, 10, f->outcome);
    db_bind_str(s, 11, f->detail);
    bind_opt(s, 12, f->has_token, f->token_id);
    bind_opt(s, 13, hash != NULL, f->chain);
    bind_opt(s, 14, hash != NULL, f->seq);
    if (hash)
        db_bind_blob(s, 15, hash, AUDIT_HASH_LEN);
    else
        db_bind_null(s, 15);
    int rc = db_run(s);
    if (rc == DB_OK && id_out)
        *id_out = db_insert_id(s);
    return rc;
}

static int append_chained(db *d, const conf *cf, const audit_entry *e, const char *path, size_t plen,
                          unsigned long long *id_out)
{
    int rc = claim(d);
    if (rc != DB_OK)
        return rc;
    unsigned char prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
    long long seq;
    if ((rc = head(d, e->client_id, prev, &seq)) != DB_OK)
        return rc;
    char at[27];
    audit_fields f = fields_of(e, path, plen, at);
    f.chain = slot.chain;
    f.seq = seq + 1;
    if (audit_chain_hash(cf->audit_key, prev, &f, hash) != 0) {
        log_error("audit: could not compute the row's hash");
        return DB_ERR;
    }
    return insert_row(d, &f, hash, id_out);
}

int audit_append(db *d, const conf *cf, const audit_entry *e, unsigned long long *id_out)
{
    if (!cf->has_audit_key) {
        log_error("audit: Audit.KeyFile is not set: no audit row can be written, so nothing is done");
        return DB_ERR;
    }
    if (id_out)
        *id_out = 0;
    if (cf->bench_audit == BENCH_AUDIT_OFF)
        return DB_OK;
    buf path = {0};
    stored_path(e->path, &path);
    if (cf->bench_audit == BENCH_AUDIT_UNCHAINED) {
        char at[27];
        audit_fields f = fields_of(e, buf_str(&path), path.len, at);
        int rc = insert_row(d, &f, NULL, id_out);
        buf_free(&path);
        return rc;
    }
    int rc = append_chained(d, cf, e, buf_str(&path), path.len, id_out);
    if (rc == DB_DUP) {
        /* Another connection wrote this chain: ours is not the slot's only
         * writer after all. A fresh slot, and the row goes there. */
        log_error("audit: chain %d had another writer; claiming another", slot.chain);
        release(d);
        rc = append_chained(d, cf, e, buf_str(&path), path.len, id_out);
    }
    buf_free(&path);
    return rc;
}

/* A bulk action or an export of many contacts is written in a few
 * statements, not one per contact: chunks of 512, 256, ... 1 rows, each
 * statement's text made once (and prepared once by the statement cache). */
#define CONTACT_CHUNKS 10

static const char *contacts_sql(int chunk)
{
    static char *sql[CONTACT_CHUNKS];
    if (!sql[chunk]) {
        buf b = {0};
        buf_adds(&b, "INSERT IGNORE INTO audit_contacts (client_id, contact_id, audit_id) VALUES ");
        for (int i = 0; i < (512 >> chunk); i++)
            buf_adds(&b, i ? ",(?,?,?)" : "(?,?,?)");
        sql[chunk] = xstrdup(buf_str(&b));
        buf_free(&b);
    }
    return sql[chunk];
}

int audit_add_contacts(db *d, long long client_id, unsigned long long audit_id, const long long *ids, size_t n)
{
    size_t i = 0;
    for (int chunk = 0; chunk < CONTACT_CHUNKS; chunk++) {
        size_t k = (size_t)512 >> chunk;
        while (n - i >= k) {
            db_stmt *s = db_stmt_get(d, contacts_sql(chunk));
            if (!s)
                return db_alive(d) ? DB_ERR : DB_GONE;
            for (size_t j = 0; j < k; j++) {
                db_bind_int(s, (int)(3 * j), client_id);
                db_bind_int(s, (int)(3 * j + 1), ids[i + j]);
                db_bind_int(s, (int)(3 * j + 2), (long long)audit_id);
            }
            int rc = db_run(s);
            if (rc != DB_OK)
                return rc;
            i += k;
        }
    }
    return DB_OK;
}

int audit_add_contact_list(db *d, long long client_id, unsigned long long audit_id, const idlist *l)
{
    long long chunk[512];
    size_t pos = 0, n = 0;
    long long prev = 0;
    int rc = DB_OK;
    while (rc == DB_OK && idlist_next(l, &pos, &prev, &chunk[n])) {
        if (++n == CT_ARRAY_LEN(chunk)) {
            rc = audit_add_contacts(d, client_id, audit_id, chunk, n);
            n = 0;
        }
    }
    if (rc == DB_OK && n)
        rc = audit_add_contacts(d, client_id, audit_id, chunk, n);
    return rc;
}

int audit_new_request_id(char out[33])
{
    unsigned char r[16];
    if (crypto_random(r, sizeof r) != 0)
        return -1;
    hex_encode(r, sizeof r, out);
    return 0;
}
