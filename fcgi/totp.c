/* totp: HOTP, TOTP, base32 and typed codes (totp.h). */
#include "totp.h"

#include <string.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

long hotp(enum crypto_hmac_alg alg, const unsigned char *key, size_t klen, uint64_t counter, int digits)
{
    unsigned char msg[8], mac[CRYPTO_HMAC_MAX];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    int len = crypto_hmac(alg, key, klen, msg, sizeof msg, mac);
    if (len < 20 || digits < 6 || digits > 8)
        return -1;
    /* RFC 4226 section 5.3: dynamic truncation. */
    int off = mac[len - 1] & 0x0f;
    unsigned long bin = ((unsigned long)(mac[off] & 0x7f) << 24) | ((unsigned long)mac[off + 1] << 16) |
                        ((unsigned long)mac[off + 2] << 8) | mac[off + 3];
    unsigned long mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    crypto_cleanse(mac, sizeof mac);
    return (long)(bin % mod);
}

uint64_t totp_step(int64_t unix_time, int period)
{
    if (unix_time < 0 || period <= 0)
        return 0;
    return (uint64_t)unix_time / (uint64_t)period;
}

void totp_format(long value, int digits, char *out)
{
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
    out[digits] = '\0';
}

int totp_verify(enum crypto_hmac_alg alg, const unsigned char *key, size_t klen, int digits, int period,
                int64_t now, int window, int64_t last_step, const char *code, int64_t *matched)
{
    if (strlen(code) != (size_t)digits)
        return 0;
    int64_t cur = (int64_t)totp_step(now, period);
    int found = 0;
    int64_t at = 0;
    /* The same work for every code: each candidate is computed and compared
     * whole, and the loop does not stop at a match. */
    for (int64_t s = cur - window; s <= cur + window; s++) {
        if (s < 0)
            continue;
        long v = hotp(alg, key, klen, (uint64_t)s, digits);
        if (v < 0)
            return -1;
        char want[9];
        totp_format(v, digits, want);
        bool same = crypto_equal(want, code, (size_t)digits);
        if (same && s > last_step && !found) {
            found = 1;
            at = s;
        }
    }
    if (found)
        *matched = at;
    return found;
}

size_t base32_encoded_len(size_t n, bool pad)
{
    if (pad)
        return (n + 4) / 5 * 8;
    return (n * 8 + 4) / 5;
}

size_t base32_encode(const unsigned char *in, size_t n, bool pad, char *out)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out[o++] = B32[(acc << (5 - bits)) & 31];
    if (pad)
        while (o % 8)
            out[o++] = '=';
    out[o] = '\0';
    return o;
}

static int b32_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int base32_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t o = 0, chars = 0, pads = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == ' ' || c == '-')
            continue;
        if (c == '=') {
            pads++;
            continue;
        }
        int v = b32_value(c);
        if (v < 0 || pads)
            return -1; /* not base32, or data after the padding */
        acc = (acc << 5) | (unsigned)v;
        bits += 5;
        chars++;
        if (bits >= 8) {
            if (o == cap)
                return -1;
            out[o++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
        acc &= (1u << bits) - 1;
    }
    /* The last group of 8 has 2, 4, 5 or 7 characters (1, 2, 3 or 4 bytes);
     * padding, if any, fills exactly that group. */
    size_t rest = chars % 8;
    if (rest == 1 || rest == 3 || rest == 6)
        return -1;
    if (pads && (rest == 0 || rest + pads != 8))
        return -1;
    if (acc != 0)
        return -1;
    return (int)o;
}

int totp_parse_code(const char *in, size_t n, char out[9])
{
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == ' ' || c == '\t')
            continue;
        if (c < '0' || c > '9' || k == 8)
            return -1;
        out[k++] = c;
    }
    out[k] = '\0';
    return k == 6 || k == 8 ? k : -1;
}

void totp_recovery_format(const unsigned char raw[TOTP_RECOVERY_BYTES], char out[TOTP_RECOVERY_SHOWN])
{
    char b[base32_encoded_len(TOTP_RECOVERY_BYTES, false) + 1];
    base32_encode(raw, TOTP_RECOVERY_BYTES, false, b);
    size_t o = 0;
    for (size_t i = 0; i < TOTP_RECOVERY_CHARS; i++) {
        if (i && i % 6 == 0)
            out[o++] = '-';
        out[o++] = b[i];
    }
    out[o] = '\0';
    crypto_cleanse(b, sizeof b);
}

int totp_parse_recovery(const char *in, size_t n, char out[TOTP_RECOVERY_CHARS + 1])
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        int v = b32_value(c);
        if (v < 0 || k == TOTP_RECOVERY_CHARS)
            return -1;
        out[k++] = B32[v];
    }
    out[k] = '\0';
    return k == TOTP_RECOVERY_CHARS ? 0 : -1;
}
