/* Fuzzes what people type for two-factor: base32 secrets (base32_decode),
 * one-time codes (totp_parse_code) and recovery codes (totp_parse_recovery).
 * A decoded secret must encode back to the input's characters (so the
 * decoder accepts only canonical text); a parsed code must be 6 or 8 of the
 * input's digits; a parsed recovery code must be canonical and read back to
 * itself. */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "totp.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    unsigned char dec[256];
    int n = base32_decode(in, size, dec, sizeof dec);
    FUZZ_CHECK(n >= -1 && n <= (int)sizeof dec);
    if (n >= 0) {
        buf want = {0};
        for (size_t i = 0; i < size; i++)
            if (in[i] != ' ' && in[i] != '-' && in[i] != '=')
                buf_addc(&want, (char)toupper((unsigned char)in[i]));
        char *enc = xmalloc(base32_encoded_len((size_t)n, false) + 1);
        size_t len = base32_encode(dec, (size_t)n, false, enc);
        FUZZ_CHECK(len == want.len && memcmp(enc, buf_str(&want), len) == 0);
        free(enc);
        buf_free(&want);
    }

    char code[9];
    int k = totp_parse_code(in, size, code);
    FUZZ_CHECK(k == -1 || k == 6 || k == 8);
    if (k > 0) {
        FUZZ_CHECK(strlen(code) == (size_t)k);
        for (int i = 0; i < k; i++)
            FUZZ_CHECK(code[i] >= '0' && code[i] <= '9' && memchr(in, code[i], size));
    }

    char rc[TOTP_RECOVERY_CHARS + 1], again[TOTP_RECOVERY_CHARS + 1];
    if (totp_parse_recovery(in, size, rc) == 0) {
        FUZZ_CHECK(strlen(rc) == TOTP_RECOVERY_CHARS);
        FUZZ_CHECK(totp_parse_recovery(rc, TOTP_RECOVERY_CHARS, again) == 0 && strcmp(rc, again) == 0);
        unsigned char raw[8];
        FUZZ_CHECK(base32_decode(rc, 8, raw, sizeof raw) == 5);
    }
    return 0;
}
