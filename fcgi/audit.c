/* audit: the audit trail. The row is written by the same connection, inside
 * the same transaction as the request's work, so the two commit or roll back
 * together. */
#include "audit.h"

#include <string.h>

#include "crypto.h"
#include "util.h"
#include "valid.h"

static const char SQL_APPEND[] =
    "INSERT INTO audit (at, client_id, user_id, remote_addr, request_id, method, path, action,"
    " object_type, object_id, outcome, detail, token_id)"
    " VALUES (UTC_TIMESTAMP(6), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

int audit_append(db *d, const audit_entry *e)
{
    db_stmt *s = db_stmt_get(d, SQL_APPEND);
    if (!s)
        return db_alive(d) ? DB_ERR : DB_GONE;
    if (e->client_id)
        db_bind_int(s, 0, e->client_id);
    else
        db_bind_null(s, 0);
    if (e->user_id)
        db_bind_int(s, 1, e->user_id);
    else
        db_bind_null(s, 1);
    db_bind_str(s, 2, e->remote_addr ? e->remote_addr : "");
    db_bind_str(s, 3, e->request_id);
    db_bind_str(s, 4, e->method);
    /* A path that is not UTF-8 is recorded with its bytes escaped, and long
     * ones are cut at a character boundary to fit the column: the row must
     * be written whatever the request looked like. */
    buf path = {0};
    size_t plen = strlen(e->path);
    if (utf8_valid(e->path, plen)) {
        buf_add(&path, e->path, plen);
    } else {
        for (size_t i = 0; i < plen; i++) {
            unsigned char c = (unsigned char)e->path[i];
            if (c >= 0x80 || c < 0x20)
                buf_printf(&path, "\\x%02x", c);
            else
                buf_addc(&path, (char)c);
        }
    }
    plen = path.len;
    if (plen > 2000) {
        plen = 2000;
        while (plen > 0 && ((unsigned char)path.data[plen] & 0xC0) == 0x80)
            plen--;
    }
    db_bind_text(s, 5, buf_str(&path), plen);
    db_bind_str(s, 6, e->action);
    db_bind_str(s, 7, e->object_type);
    if (e->object_id)
        db_bind_int(s, 8, e->object_id);
    else
        db_bind_null(s, 8);
    db_bind_int(s, 9, e->outcome);
    db_bind_str(s, 10, e->detail);
    if (e->token_id)
        db_bind_int(s, 11, e->token_id);
    else
        db_bind_null(s, 11);
    int rc = db_run(s);
    buf_free(&path);
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
