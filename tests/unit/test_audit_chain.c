/* Unit tests for audit_chain: the row hash (against vectors computed apart
 * from this code, by the Python encoder of the integration tests), that no
 * two different rows encode alike, the stored time format, and checkpoints:
 * round trip and each way a checkpoint file is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"
#include "util.h"

static unsigned char KEY[32];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++)
        KEY[i] = (unsigned char)i;
    return 0;
}

#define TEXT(field, s) .field = (s), .field##_len = sizeof(s) - 1

static audit_fields sample(void)
{
    audit_fields f = {
        .chain_client = 7, .chain = 2, .seq = 41,
        TEXT(at, "2026-12-04 06:57:01.866641"),
        .has_client = true, .client_id = 7,
        TEXT(remote_addr, "127.0.0.1"),
        TEXT(request_id, "0123456789abcdef0123456789abcdef"),
        TEXT(method, "GET"),
        TEXT(path, "/contacts/5"),
        TEXT(action, "contact.view"),
        TEXT(object_type, "contact"),
        .has_object = true, .object_id = 5,
        .outcome = 200,
    };
    return f;
}

static void hash_hex(const unsigned char prev[32], const audit_fields *f, char hex[65])
{
    unsigned char h[32];
    assert_int_equal(audit_chain_hash(KEY, prev, f, h), 0);
    hex_encode(h, 32, hex);
}

static void test_hash_matches_the_documented_encoding(void **state)
{
    (void)state;
    unsigned char zero[32] = {0};
    audit_fields f = sample();
    char hex[65];
    hash_hex(zero, &f, hex);
    assert_string_equal(hex, "07d0f5b74a683299323eacddf2f74a0aacf8ea51483eea81da327cd085d31159");

    /* The next row links to that hash; NULLs, a user, a token, UTF-8. */
    unsigned char prev[32];
    assert_int_equal(audit_chain_hash(KEY, zero, &f, prev), 0);
    audit_fields g = f;
    g.has_user = true;
    g.user_id = 3;
    g.has_token = true;
    g.token_id = 9;
    g.object_type = NULL;
    g.object_type_len = 0;
    g.has_object = false;
    g.detail = "{\"a\":\"\xc3\xa9\"}";
    g.detail_len = strlen(g.detail);
    hash_hex(prev, &g, hex);
    assert_string_equal(hex, "63b8d1d3b14f9dd4ddf78ad2a724c4e6cb091f9a70622e01c4c95f51493d509e");
}

static void test_different_rows_never_hash_alike(void **state)
{
    (void)state;
    unsigned char zero[32] = {0}, other[32] = {1};
    audit_fields f = sample();
    char base[65], hex[65];
    hash_hex(zero, &f, base);

    /* Another previous hash, or another key. */
    hash_hex(other, &f, hex);
    assert_string_not_equal(base, hex);
    unsigned char key2[32], h[32];
    memcpy(key2, KEY, 32);
    key2[31] ^= 1;
    assert_int_equal(audit_chain_hash(key2, zero, &f, h), 0);
    hex_encode(h, 32, hex);
    assert_string_not_equal(base, hex);

    /* Moving a byte from one field to the next. */
    audit_fields g = f;
    g.path = "/contacts/5c";
    g.path_len = 12;
    g.action = "ontact.view";
    g.action_len = 11;
    hash_hex(zero, &g, hex);
    assert_string_not_equal(base, hex);

    /* NULL apart from empty, for texts and for numbers. */
    audit_fields n1 = f, n2 = f;
    n1.detail = NULL;
    n2.detail = "";
    n2.detail_len = 0;
    char a[65], b[65];
    hash_hex(zero, &n1, a);
    hash_hex(zero, &n2, b);
    assert_string_not_equal(a, b);
    n1 = f;
    n2 = f;
    n1.has_user = false;
    n2.has_user = true;
    n2.user_id = 0;
    hash_hex(zero, &n1, a);
    hash_hex(zero, &n2, b);
    assert_string_not_equal(a, b);

    /* Every number and the chain position. */
    for (int i = 0; i < 6; i++) {
        g = f;
        switch (i) {
        case 0: g.chain_client++; break;
        case 1: g.chain++; break;
        case 2: g.seq++; break;
        case 3: g.client_id++; break;
        case 4: g.object_id++; break;
        default: g.outcome = 403; break;
        }
        hash_hex(zero, &g, hex);
        assert_string_not_equal(base, hex);
    }
}

static void test_time_is_stored_with_microseconds_in_utc(void **state)
{
    (void)state;
    char out[27];
    audit_chain_time(0, 0, out);
    assert_string_equal(out, "1970-01-01 00:00:00.000000");
    audit_chain_time(1796367421LL, 866641, out);
    assert_string_equal(out, "2026-12-04 06:57:01.866641");
    audit_chain_time(951782400LL, 999999, out); /* a leap day */
    assert_string_equal(out, "2000-02-29 00:00:00.999999");
}

static const audit_head HEADS[] = {
    {.chain_client = 0, .chain = 1, .seq = 12, .id = 40, .hash = {0xab, 0xcd}},
    {.chain_client = 4294967295LL, .chain = AUDIT_MAX_CHAINS, .seq = 1, .id = 9223372036854775807LL, .hash = {0xff}},
};

static char *checkpoint(size_t *len)
{
    buf b = {0};
    assert_int_equal(audit_checkpoint_format(KEY, "2026-12-04 06:57:01.866641", HEADS, 2, &b), 0);
    *len = b.len;
    return b.data;
}

static void test_checkpoint_round_trip(void **state)
{
    (void)state;
    size_t len;
    char *text = checkpoint(&len);
    assert_memory_equal(text, "ctrack-audit-checkpoint 1\nwritten 2026-12-04 06:57:01.866641\nchain 0 1 12 abcd", 77);
    audit_head *h;
    size_t n;
    char err[200] = "";
    assert_int_equal(audit_checkpoint_parse(text, len, KEY, &h, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(h, HEADS, sizeof HEADS);
    free(h);

    /* No heads at all is a valid checkpoint (an empty trail). */
    buf b = {0};
    assert_int_equal(audit_checkpoint_format(KEY, "x", NULL, 0, &b), 0);
    assert_int_equal(audit_checkpoint_parse(b.data, b.len, KEY, &h, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(h);
    buf_free(&b);
    free(text);
}

/* Parses text and expects a refusal whose message contains want. */
static void refused(const char *text, const char *want)
{
    buf b = {0};
    buf_adds(&b, text);
    audit_head *h = (audit_head *)1;
    size_t n = 99;
    char err[200] = "";
    assert_int_equal(audit_checkpoint_parse(b.data ? b.data : "", b.len, KEY, &h, &n, err, sizeof err), -1);
    assert_null(h);
    assert_int_equal(n, 0);
    if (!strstr(err, want))
        fail_msg("expected \"%s\" in \"%s\"", want, err);
    buf_free(&b);
}

static void test_anchor_mac(void **state)
{
    (void)state;
    static const char AT[] = "2026-12-04 06:57:01.866641";
    unsigned char mac[32], other[32];
    char hex[65];
    /* The vector was made apart from this code (Python's hmac). */
    assert_int_equal(audit_anchor_mac(KEY, &HEADS[0], AT, strlen(AT), mac), 0);
    hex_encode(mac, 32, hex);
    assert_string_equal(hex, "ed00096a8dcfb0c0196f46614091bceba54238d4a7555309b8a9f280881a4549");
    /* Any field moves it: seq, hash, time. */
    audit_head a = HEADS[0];
    a.seq++;
    assert_int_equal(audit_anchor_mac(KEY, &a, AT, strlen(AT), other), 0);
    assert_memory_not_equal(mac, other, 32);
    a = HEADS[0];
    a.hash[31] ^= 1;
    assert_int_equal(audit_anchor_mac(KEY, &a, AT, strlen(AT), other), 0);
    assert_memory_not_equal(mac, other, 32);
    assert_int_equal(audit_anchor_mac(KEY, &HEADS[0], AT, strlen(AT) - 1, other), 0);
    assert_memory_not_equal(mac, other, 32);
}

static void test_checkpoint_refusals(void **state)
{
    (void)state;
    size_t len;
    char *good = checkpoint(&len);

    refused("", "no mac line");
    refused("id,name\n1,x\n", "line 1: not a ctrack audit checkpoint");
    refused("ctrack-audit-checkpoint 1\nwhen\n", "line 2: expected \"written TIME\"");

    /* Cut short: without its last newline, or without the mac line. */
    good[len - 1] = '\0';
    refused(good, "does not end with a newline");
    good[len - 1] = '\n';
    char *mac = strstr(good, "mac ");
    *mac = '\0';
    refused(good, "no mac line");
    *mac = 'm';

    /* Any byte changed: the mac does not match. */
    char *copy = xstrdup(good);
    copy[strlen("ctrack-audit-checkpoint 1\nwritten 2026-12-04 06:57:01.866641\nchain 0 1 1")] = '1';
    refused(copy, "mac does not match");
    free(copy);

    /* Another key. */
    audit_head *h;
    size_t n;
    char err[200];
    unsigned char key2[32];
    memcpy(key2, KEY, 32);
    key2[0] ^= 0x80;
    assert_int_equal(audit_checkpoint_parse(good, len, key2, &h, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "another Audit.KeyFile"));

    /* Text after the mac line; a mac that is not hex. */
    buf b = {0};
    buf_add(&b, good, len);
    buf_adds(&b, "chain 0 1 13 00 41\n");
    refused(buf_str(&b), "text after the mac line");
    buf_free(&b);
    copy = xstrdup(good);
    mac = strstr(copy, "mac ");
    mac[4] = 'G';
    refused(copy, "not 64 lowercase hex digits");
    free(copy);
    free(good);
}

/* A chain line the parser must refuse. */
static void bad_chain_line(const char *line)
{
    buf b = {0};
    buf_printf(&b, "ctrack-audit-checkpoint 1\nwritten now\n%s\n", line);
    /* Lines are checked as they come, before the mac at the end. */
    audit_head *h;
    size_t n;
    char err[200] = "";
    assert_int_equal(audit_checkpoint_parse(b.data, b.len, KEY, &h, &n, err, sizeof err), -1);
    if (!strstr(err, "line 3: expected \"chain CLIENT CHAIN SEQ HASH ID\""))
        fail_msg("line \"%s\": %s", line, err);
    buf_free(&b);
}

static void test_checkpoint_chain_lines(void **state)
{
    (void)state;
    static const char H[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char line[256];
    /* Each line: the text before the hash, how much of the hash, after. */
    static const struct {
        const char *pre;
        int hash_len;
        const char *post;
    } bad[] = {
        {"chain 0 1 1 ", 64, ""},                       /* no id */
        {"chain 0 1 1 ", 64, " 5 6"},                   /* one field too many */
        {"chain 0 4097 1 ", 64, " 5"},                  /* chain beyond AUDIT_MAX_CHAINS */
        {"chain 0 1 0 ", 64, " 5"},                     /* seq 0 */
        {"chain 0 1 1 ", 64, " 0"},                     /* id 0 */
        {"chain -1 1 1 ", 64, " 5"},                    /* negative client */
        {"chain 4294967296 1 1 ", 64, " 5"},            /* client beyond 32 bits */
        {"chain 0 1  1 ", 64, " 5"},                    /* double space */
        {"chain 0 1 1 ", 64, " 5 "},                    /* trailing space */
        {"chain 0 1 1 ", 62, " 5"},                     /* short hash */
        {"chain 0 1 1 ", 64, "ff 5"},                   /* long hash */
        {"Chain 0 1 1 ", 64, " 5"},                     /* case */
        {"chain 0 1 1 ", 64, " 99999999999999999999"},  /* id overflow */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(line, sizeof line, "%s%.*s%s", bad[i].pre, bad[i].hash_len, H, bad[i].post);
        bad_chain_line(line);
    }
    /* Upper-case hex is refused too: one spelling per checkpoint. */
    snprintf(line, sizeof line, "chain 0 1 1 %s 5", "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff");
    bad_chain_line(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_matches_the_documented_encoding),
        cmocka_unit_test(test_different_rows_never_hash_alike),
        cmocka_unit_test(test_time_is_stored_with_microseconds_in_utc),
        cmocka_unit_test(test_checkpoint_round_trip),
        cmocka_unit_test(test_anchor_mac),
        cmocka_unit_test(test_checkpoint_refusals),
        cmocka_unit_test(test_checkpoint_chain_lines),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
