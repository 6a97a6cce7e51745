/* Unit tests for bearer: the token's text and the Authorization header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bearer.h"

/* The token of 32 bytes 0x00..0x1f, as bearer_format writes it. */
static void known_token(char out[BEARER_TOKEN_LEN + 1])
{
    unsigned char raw[BEARER_RAW_BYTES];
    for (int i = 0; i < BEARER_RAW_BYTES; i++)
        raw[i] = (unsigned char)i;
    bearer_format(raw, out);
}

static int parse(const char *header, char out[BEARER_TOKEN_LEN + 1])
{
    return bearer_parse(header, strlen(header), out);
}

static void test_format(void **state)
{
    (void)state;
    char t[BEARER_TOKEN_LEN + 1];
    known_token(t);
    assert_int_equal(strlen(t), 47);
    assert_string_equal(t, "ctk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    unsigned char ones[BEARER_RAW_BYTES];
    memset(ones, 0xff, sizeof ones);
    bearer_format(ones, t);
    assert_string_equal(t, "ctk___________________________________________8");
}

static void test_accepts_exactly_bearer_and_one_token(void **state)
{
    (void)state;
    char t[BEARER_TOKEN_LEN + 1], out[BEARER_TOKEN_LEN + 1], h[128];
    known_token(t);
    const char *schemes[] = {"Bearer", "bearer", "BEARER", "bEaReR"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        snprintf(h, sizeof h, "%s %s", schemes[i], t);
        assert_int_equal(parse(h, out), BEARER_OK);
        assert_string_equal(out, t);
    }
    unsigned char raw[BEARER_RAW_BYTES];
    for (int v = 0; v < 256; v++) {
        memset(raw, v, sizeof raw);
        bearer_format(raw, t);
        snprintf(h, sizeof h, "Bearer %s", t);
        assert_int_equal(parse(h, out), BEARER_OK);
        assert_string_equal(out, t);
    }
}

static void test_other_schemes(void **state)
{
    (void)state;
    char out[BEARER_TOKEN_LEN + 1];
    const char *other[] = {"Basic YWRtaW46c2VjcmV0", "Token ctk_x", "Bearerx ctk_", "Beare ctk_", "", "Bearer",
                           " Bearer ctk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "Bearer\tctk_x",
                           "Digest username=\"a\""};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        out[0] = 'x';
        int rc = parse(other[i], out);
        /* "Bearer" alone names the scheme but carries no token. */
        assert_int_equal(rc, strcmp(other[i], "Bearer") == 0 ? BEARER_FORMAT : BEARER_SCHEME);
        assert_string_equal(out, "");
    }
}

static void test_malformed_tokens(void **state)
{
    (void)state;
    char t[BEARER_TOKEN_LEN + 1], out[BEARER_TOKEN_LEN + 1], h[160];
    known_token(t);
    /* The token between a prefix and a suffix, cut to keep characters. */
    static const struct {
        const char *pre, *post;
        int keep;
    } cases[] = {
        {"Bearer  ", "", BEARER_TOKEN_LEN},      /* two spaces */
        {"Bearer ", " ", BEARER_TOKEN_LEN},      /* trailing space */
        {"Bearer ", "=", BEARER_TOKEN_LEN},      /* padding */
        {"Bearer ", "A", BEARER_TOKEN_LEN},      /* one character too many */
        {"Bearer ", "", BEARER_TOKEN_LEN - 1},   /* one too few */
        {"Bearer x", "", BEARER_TOKEN_LEN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(h, sizeof h, "%s%.*s%s", cases[i].pre, cases[i].keep, t, cases[i].post);
        assert_int_equal(parse(h, out), BEARER_FORMAT);
    }
    /* Not our prefix, or a character outside base64url anywhere. */
    char bad[BEARER_TOKEN_LEN + 1];
    memcpy(bad, t, sizeof bad);
    bad[0] = 'C';
    snprintf(h, sizeof h, "Bearer %s", bad);
    assert_int_equal(parse(h, out), BEARER_FORMAT);
    const char nots[] = "+/=.~ %\"\\\x7f\x80";
    for (size_t k = 4; k < BEARER_TOKEN_LEN; k++) {
        for (size_t j = 0; j < sizeof nots - 1; j++) {
            memcpy(bad, t, sizeof bad);
            bad[k] = nots[j];
            snprintf(h, sizeof h, "Bearer %s", bad);
            assert_int_equal(parse(h, out), BEARER_FORMAT);
        }
    }
    /* The last character carries two spare bits: only 0 is the spelling. */
    memcpy(bad, t, sizeof bad);
    bad[BEARER_TOKEN_LEN - 1] = 'g'; /* 32: spare bits 0 (another token) */
    snprintf(h, sizeof h, "Bearer %s", bad);
    assert_int_equal(parse(h, out), BEARER_OK);
    bad[BEARER_TOKEN_LEN - 1] = 'h'; /* 33: a spare bit set */
    snprintf(h, sizeof h, "Bearer %s", bad);
    assert_int_equal(parse(h, out), BEARER_FORMAT);
    /* A NUL inside the stated length is not a token either. */
    snprintf(h, sizeof h, "Bearer %s", t);
    h[20] = '\0';
    assert_int_equal(bearer_parse(h, strlen("Bearer ") + BEARER_TOKEN_LEN, out), BEARER_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_accepts_exactly_bearer_and_one_token),
        cmocka_unit_test(test_other_schemes),
        cmocka_unit_test(test_malformed_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
