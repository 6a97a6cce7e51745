/* audit_verify: checking the audit trail's chains. One pass over the rows in
 * id order (the primary key: a sequential read however large the table),
 * with the state of every chain in a table keyed by (client, chain). */
#include "audit_verify.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

static const char SQL_ANCHORS[] =
    "SELECT chain_client, chain, seq, hash, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), mac FROM audit_anchors";
static const char SQL_GENESIS[] = "SELECT last_unchained_id, unchained_rows FROM audit_genesis WHERE id = 1";
#define ROW_COLUMNS                                                                                          \
    "SELECT id, chain_client, chain, seq, hash, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), client_id, user_id," \
    " remote_addr, request_id, method, path, action, object_type, object_id, outcome, detail, token_id FROM audit"
static const char SQL_ROWS[] = ROW_COLUMNS " ORDER BY id";
static const char SQL_ROWS_CLIENT[] = ROW_COLUMNS " WHERE client_id = ? ORDER BY id";
static const char SQL_ROWS_NO_CLIENT[] = ROW_COLUMNS " WHERE client_id IS NULL ORDER BY id";
static const char SQL_HEADS[] =
    "SELECT a.chain_client, a.chain, a.seq, a.hash, a.id FROM audit a"
    " JOIN (SELECT chain_client, chain, MAX(seq) AS seq FROM audit WHERE chain IS NOT NULL"
    " GROUP BY chain_client, chain) h ON h.chain_client = a.chain_client AND h.chain = a.chain AND h.seq = a.seq"
    " ORDER BY a.chain_client, a.chain";

typedef struct chain_state {
    long long client, chain; /* chain 0: the slot is empty */
    long long next_seq;      /* the seq the next row must have */
    long long last_id;
    long long rows;
    unsigned char prev[AUDIT_HASH_LEN];
    /* After a row that does not match its hash: the hash it should have had,
     * for the next row may link to that (the stored hash was the one
     * changed) rather than to the stored one (the row's fields were). */
    unsigned char alt_prev[AUDIT_HASH_LEN];
    bool has_alt;
    bool anchored;
    long long anchor_seq; /* the last seq a purge removed */
} chain_state;

typedef struct chain_map {
    chain_state *slots;
    size_t cap, n;
} chain_map;

static size_t slot_of(const chain_map *m, long long client, long long chain)
{
    unsigned long long h = (unsigned long long)client * 0x9E3779B97F4A7C15ULL ^ (unsigned long long)chain;
    h ^= h >> 29;
    size_t i = (size_t)(h & (m->cap - 1));
    while (m->slots[i].chain && (m->slots[i].client != client || m->slots[i].chain != chain))
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* The chain's state, made (empty: from seq 1 and a zero hash) on first use. */
static chain_state *chain_get(chain_map *m, long long client, long long chain)
{
    if (2 * (m->n + 1) > m->cap) {
        chain_map g = {.cap = m->cap ? 2 * m->cap : 64};
        g.slots = xcalloc(g.cap, sizeof *g.slots);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].chain)
                g.slots[slot_of(&g, m->slots[i].client, m->slots[i].chain)] = m->slots[i];
        g.n = m->n;
        free(m->slots);
        *m = g;
    }
    chain_state *c = &m->slots[slot_of(m, client, chain)];
    if (!c->chain) {
        c->client = client;
        c->chain = chain;
        c->next_seq = 1;
        m->n++;
    }
    return c;
}

static chain_state *chain_find(chain_map *m, long long client, long long chain)
{
    if (!m->cap)
        return NULL;
    chain_state *c = &m->slots[slot_of(m, client, chain)];
    return c->chain ? c : NULL;
}

static void problem(const audit_verify_opts *o, audit_verify_result *res, long long id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(const audit_verify_opts *o, audit_verify_result *res, long long id, const char *fmt, ...)
{
    if (res->problems == 0)
        res->first_id = id;
    res->problems++;
    if (res->problems > o->max_report)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs(res->problems == 1 ? "FIRST PROBLEM: " : "problem: ", o->out);
    vfprintf(o->out, fmt, ap);
    fputc('\n', o->out);
    va_end(ap);
}

/* Where chaining began (audit_genesis): rows without a chain are expected
 * only up to last_id, and exactly rows of them. */
typedef struct genesis {
    long long last_id, rows;
} genesis;

static int load_genesis(db *d, genesis *g)
{
    db_stmt *s = db_stmt_get(d, SQL_GENESIS);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    if (rc == DB_OK && (rc = db_next(s)) == 1) {
        g->last_id = db_int(s, 0);
        g->rows = db_int(s, 1);
        rc = DB_OK;
    } else if (rc == 0) {
        log_error("audit: audit_genesis has no row (was migration 010 applied?)");
        rc = DB_ERR;
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

static int load_anchors(db *d, const conf *cf, chain_map *m, const audit_verify_opts *o, audit_verify_result *res)
{
    db_stmt *s = db_stmt_get(d, SQL_ANCHORS);
    if (!s)
        return DB_ERR;
    int rc = db_run(s);
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        long long client = db_int(s, 0);
        if (o->one_client && client != o->client_id) {
            rc = DB_OK;
            continue;
        }
        audit_head a = {.chain_client = client, .chain = db_int(s, 1), .seq = db_int(s, 2)};
        chain_state *c = chain_get(m, client, a.chain);
        size_t n = 0, an = 0, mn = 0;
        const char *h = db_text(s, 3, &n);
        const char *at = db_text(s, 4, &an);
        const char *mac = db_text(s, 5, &mn);
        c->next_seq = a.seq + 1;
        c->anchored = true;
        c->anchor_seq = a.seq;
        unsigned char want[AUDIT_HASH_LEN];
        bool ok = h && n == AUDIT_HASH_LEN && at && mac && mn == AUDIT_HASH_LEN;
        if (ok) {
            memcpy(c->prev, h, AUDIT_HASH_LEN);
            memcpy(a.hash, h, AUDIT_HASH_LEN);
            ok = audit_anchor_mac(cf->audit_key, &a, at, an, want) == 0 && memcmp(want, mac, AUDIT_HASH_LEN) == 0;
        }
        if (!ok)
            problem(o, res, 0, "the anchor of chain %lld/%lld (seq %lld) does not match its mac: made up or changed, "
                    "not left by a purge", a.chain_client, a.chain, a.seq);
        rc = DB_OK;
    }
    return rc < 0 ? rc : DB_OK;
}

static const char *text_of(db_stmt *s, int col, size_t *n)
{
    *n = 0;
    return db_text(s, col, n);
}

/* One row against its chain. */
static void check_row(db_stmt *s, const conf *cf, chain_map *m, const audit_verify_opts *o, audit_verify_result *res,
                      const genesis *g)
{
    long long id = db_int(s, 0);
    if (db_is_null(s, 2)) {
        /* Only the rows from before chaining began may have no chain. */
        if (id > g->last_id)
            problem(o, res, id, "row %lld has no chain but is newer than the last row from before chaining began "
                    "(row %lld): inserted", id, g->last_id);
        else
            res->unchained++;
        return;
    }
    long long client = db_int(s, 1), chain = db_int(s, 2), seq = db_int(s, 3);
    chain_state *c = chain_get(m, client, chain);
    res->rows++;
    c->rows++;
    size_t hn;
    const char *stored = text_of(s, 4, &hn);
    bool no_hash = !stored || hn != AUDIT_HASH_LEN;
    bool reported = no_hash;
    if (no_hash) {
        problem(o, res, id, "row %lld (chain %lld/%lld seq %lld) has no proper hash: altered", id, client, chain, seq);
    } else if (seq < c->next_seq) {
        problem(o, res, id, "row %lld (chain %lld/%lld seq %lld) comes after seq %lld (row %lld): rows reordered, "
                "or this one inserted", id, client, chain, seq, c->next_seq - 1, c->last_id);
        reported = true;
    } else if (seq > c->next_seq) {
        problem(o, res, id, "row %lld (chain %lld/%lld seq %lld): %lld row(s) before it are missing (seq %lld to "
                "%lld): deleted, or rows reordered", id, client, chain, seq, seq - c->next_seq, c->next_seq, seq - 1);
        reported = true;
    }
    audit_fields f = {.chain_client = client, .chain = chain, .seq = seq};
    f.at = text_of(s, 5, &f.at_len);
    f.has_client = !db_is_null(s, 6);
    f.client_id = db_int(s, 6);
    f.has_user = !db_is_null(s, 7);
    f.user_id = db_int(s, 7);
    f.remote_addr = text_of(s, 8, &f.remote_addr_len);
    f.request_id = text_of(s, 9, &f.request_id_len);
    f.method = text_of(s, 10, &f.method_len);
    f.path = text_of(s, 11, &f.path_len);
    f.action = text_of(s, 12, &f.action_len);
    f.object_type = text_of(s, 13, &f.object_type_len);
    f.has_object = !db_is_null(s, 14);
    f.object_id = db_int(s, 14);
    f.outcome = db_int(s, 15);
    f.detail = text_of(s, 16, &f.detail_len);
    f.has_token = !db_is_null(s, 17);
    f.token_id = db_int(s, 17);
    unsigned char want[AUDIT_HASH_LEN], alt[AUDIT_HASH_LEN];
    bool had_alt = c->has_alt;
    c->has_alt = false;
    if (audit_chain_hash(cf->audit_key, c->prev, &f, want) != 0) {
        problem(o, res, id, "row %lld: the hash could not be computed", id);
    } else if (no_hash) {
        /* The next row links to the hash this one should have. */
        stored = (const char *)want;
    } else if (memcmp(want, stored, AUDIT_HASH_LEN) != 0 &&
               !(had_alt && audit_chain_hash(cf->audit_key, c->alt_prev, &f, alt) == 0 &&
                 memcmp(alt, stored, AUDIT_HASH_LEN) == 0)) {
        if (!reported)
            problem(o, res, id, "row %lld (chain %lld/%lld seq %lld) does not match its hash: altered, or inserted",
                    id, client, chain, seq);
        memcpy(c->alt_prev, want, AUDIT_HASH_LEN);
        c->has_alt = true;
    }
    /* The stored hash carries on (and the one the row should have had, see
     * alt_prev), so that one altered row is named alone, and a row moved
     * back does not make the rows after it look missing. */
    if (no_hash && stored != (const char *)want)
        memset(c->prev, 0, AUDIT_HASH_LEN); /* no hash at all, none computed */
    else
        memcpy(c->prev, stored, AUDIT_HASH_LEN);
    if (seq + 1 > c->next_seq)
        c->next_seq = seq + 1;
    c->last_id = id;
}

/* Each checkpointed head must still be there, unchanged, or have been
 * purged; a chain that now ends earlier was cut short. */
static void check_checkpoint(chain_map *m, const audit_verify_opts *o, audit_verify_result *res, db *d)
{
    static const char sql[] = "SELECT id, hash FROM audit WHERE chain_client = ? AND chain = ? AND seq = ?";
    for (size_t i = 0; i < o->ncheckpoint; i++) {
        const audit_head *h = &o->checkpoint[i];
        if (o->one_client && h->chain_client != o->client_id)
            continue;
        chain_state *c = chain_find(m, h->chain_client, h->chain);
        long long last = c ? c->next_seq - 1 : 0;
        if (!c || last < h->seq) {
            problem(o, res, 0, "chain %lld/%lld ends at seq %lld but the checkpoint has seq %lld (row %lld): rows "
                    "cut off its end", h->chain_client, h->chain, last, h->seq, h->id);
            continue;
        }
        db_stmt *s = db_stmt_get(d, sql);
        if (!s)
            continue;
        db_bind_int(s, 0, h->chain_client);
        db_bind_int(s, 1, h->chain);
        db_bind_int(s, 2, h->seq);
        if (db_run(s) != DB_OK)
            continue;
        if (db_next(s) == 1) {
            size_t n = 0;
            const char *hash = db_text(s, 1, &n);
            long long id = db_int(s, 0);
            if (!hash || n != AUDIT_HASH_LEN || memcmp(hash, h->hash, AUDIT_HASH_LEN) != 0)
                problem(o, res, id, "row %lld (chain %lld/%lld seq %lld) differs from the checkpoint: the chain was "
                        "rewritten from there", id, h->chain_client, h->chain, h->seq);
        } else if (!c->anchored || c->anchor_seq < h->seq) {
            problem(o, res, 0, "chain %lld/%lld: the checkpoint's row seq %lld (row %lld) is gone and no purge "
                    "removed it", h->chain_client, h->chain, h->seq, h->id);
        }
        db_done(s);
    }
}

/* One consistent snapshot for everything verify or checkpoint reads, so
 * that a purge or appends meanwhile do not look like tampering. */
static int snapshot(db *d)
{
    int rc = db_exec_sql(d, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (rc == DB_OK)
        rc = db_exec_sql(d, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    return rc;
}

int audit_verify(db *d, const conf *cf, const audit_verify_opts *o, audit_verify_result *res)
{
    memset(res, 0, sizeof *res);
    if (!cf->has_audit_key) {
        log_error("audit: Audit.KeyFile is needed to verify the audit trail");
        return DB_ERR;
    }
    chain_map m = {0};
    int rc = snapshot(d);
    genesis g = {0};
    if (rc == DB_OK)
        rc = load_genesis(d, &g);
    if (rc == DB_OK)
        rc = load_anchors(d, cf, &m, o, res);
    db_stmt *s = NULL;
    if (rc == DB_OK) {
        s = db_stmt_get(d, !o->one_client ? SQL_ROWS : o->client_id ? SQL_ROWS_CLIENT : SQL_ROWS_NO_CLIENT);
        if (!s)
            rc = DB_ERR;
    }
    if (rc == DB_OK) {
        if (o->one_client && o->client_id)
            db_bind_int(s, 0, o->client_id);
        rc = db_run_stream(s);
    }
    while (rc == DB_OK) {
        int n = db_next(s);
        if (n <= 0) {
            rc = n < 0 ? n : DB_OK;
            break;
        }
        check_row(s, cf, &m, o, res, &g);
    }
    if (rc != DB_OK && s)
        db_stream_cancel(s);
    if (rc == DB_OK && o->checkpoint)
        check_checkpoint(&m, o, res, d);
    /* Of the whole trail only: a client's share of those rows is unknown. */
    if (rc == DB_OK && !o->one_client && res->unchained != g.rows)
        problem(o, res, 0, "%lld rows have no chain and are from before chaining began, but %lld were there when "
                "it began: rows inserted among them, or removed", res->unchained, g.rows);
    res->chains = (long long)m.n;
    if (res->problems > o->max_report)
        fprintf(o->out, "... and %lld more problems\n", res->problems - o->max_report);
    free(m.slots);
    if (db_alive(d))
        db_rollback(d);
    return rc;
}

int audit_checkpoint(db *d, const conf *cf, buf *out, size_t *nheads)
{
    *nheads = 0;
    if (!cf->has_audit_key) {
        log_error("audit: Audit.KeyFile is needed to write a checkpoint");
        return DB_ERR;
    }
    int rc = snapshot(d);
    db_stmt *s = rc == DB_OK ? db_stmt_get(d, SQL_HEADS) : NULL;
    if (rc == DB_OK && !s)
        rc = DB_ERR;
    if (rc == DB_OK)
        rc = db_run(s);
    audit_head *heads = NULL;
    size_t n = 0, cap = 0;
    while (rc == DB_OK && (rc = db_next(s)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            heads = xrealloc(heads, cap * sizeof *heads);
        }
        audit_head *h = &heads[n++];
        h->chain_client = db_int(s, 0);
        h->chain = db_int(s, 1);
        h->seq = db_int(s, 2);
        h->id = db_int(s, 4);
        size_t hl = 0;
        const char *hash = db_text(s, 3, &hl);
        memset(h->hash, 0, sizeof h->hash);
        if (hash && hl == AUDIT_HASH_LEN)
            memcpy(h->hash, hash, AUDIT_HASH_LEN);
        rc = DB_OK;
    }
    if (rc == DB_OK) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char at[27];
        audit_chain_time((long long)ts.tv_sec, ts.tv_nsec / 1000, at);
        if (audit_checkpoint_format(cf->audit_key, at, heads, n, out) != 0)
            rc = DB_ERR;
        *nheads = n;
    }
    free(heads);
    if (db_alive(d))
        db_rollback(d);
    return rc;
}
