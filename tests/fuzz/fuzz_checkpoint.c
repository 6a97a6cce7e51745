/* Fuzzes audit_checkpoint_parse. The first byte chooses: odd, the input is
 * parsed as it is (almost always refused at its mac); even, the rest is
 * wrapped as the body of a checkpoint signed with the key, so that the
 * header and chain lines themselves are exercised. Either way a refusal
 * leaves no heads and a message; an accepted checkpoint, written out again
 * by audit_checkpoint_format, parses to the same heads. */
#include <string.h>

#include "audit_chain.h"
#include "crypto.h"
#include "fuzz.h"
#include "util.h"

static const unsigned char KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void sign(buf *b)
{
    unsigned char mac[CRYPTO_HMAC_MAX];
    FUZZ_CHECK(crypto_hmac(CRYPTO_SHA256, KEY, sizeof KEY, b->data ? b->data : "", b->len, mac) == 32);
    char hex[65];
    hex_encode(mac, 32, hex);
    buf_printf(b, "mac %s\n", hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    buf text = {0};
    if (data[0] & 1) {
        buf_add(&text, (const char *)data + 1, size - 1);
    } else {
        buf_adds(&text, "ctrack-audit-checkpoint 1\nwritten 2026-12-04 00:00:00.000000\n");
        buf_add(&text, (const char *)data + 1, size - 1);
        if (text.len && text.data[text.len - 1] != '\n')
            buf_addc(&text, '\n');
        sign(&text);
    }
    audit_head *heads = (audit_head *)&text;
    size_t n = 12345;
    char err[200];
    err[0] = '\0';
    int rc = audit_checkpoint_parse(text.data ? text.data : "", text.len, KEY, &heads, &n, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        FUZZ_CHECK(heads == NULL && n == 0 && err[0] != '\0' && strlen(err) < sizeof err);
    } else {
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(heads[i].seq >= 1 && heads[i].id >= 1 && heads[i].chain >= 0 &&
                       heads[i].chain <= AUDIT_MAX_CHAINS && heads[i].chain_client >= 0);
        buf again = {0};
        FUZZ_CHECK(audit_checkpoint_format(KEY, "again", heads, n, &again) == 0);
        audit_head *back = NULL;
        size_t m = 0;
        FUZZ_CHECK(audit_checkpoint_parse(again.data, again.len, KEY, &back, &m, err, sizeof err) == 0);
        FUZZ_CHECK(m == n && (n == 0 || memcmp(back, heads, n * sizeof *heads) == 0));
        free(back);
        buf_free(&again);
    }
    free(heads);
    buf_free(&text);
    return 0;
}
