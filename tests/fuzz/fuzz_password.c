/* Fuzzes the password normaliser and policy of password.h on any bytes:
 * the byte cap and UTF-8 check come first, a normalised result is UTF-8
 * within the cap and normalises to itself, the policy's verdict holds what
 * password.h promises, and a password equal to its own username is never
 * accepted. */
#include <string.h>

#include "fuzz.h"
#include "password.h"
#include "valid.h"

static bool has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                                      (unsigned char)s[i + 1] <= 0x9f))
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    password_norm p, again, checked;
    enum password_rc rc = password_normalise(s, size, &p);
    if (size > PASSWORD_MAX_BYTES)
        FUZZ_CHECK(rc == PASSWORD_TOO_LONG);
    else if (!utf8_valid(s, size))
        FUZZ_CHECK(rc == PASSWORD_BAD_UTF8);
    else
        FUZZ_CHECK(rc == PASSWORD_OK || rc == PASSWORD_TOO_LONG);
    FUZZ_CHECK(password_for_check(s, size, &checked) == (rc == PASSWORD_OK));
    FUZZ_CHECK(checked.len > 0 || (rc == PASSWORD_OK && p.len == 0));
    if (rc != PASSWORD_OK) {
        FUZZ_CHECK(p.len == 0);
        FUZZ_CHECK(password_policy(&checked, NULL) == PASSWORD_CONTROL);
        return 0;
    }
    FUZZ_CHECK(p.len <= PASSWORD_MAX_BYTES && p.bytes[p.len] == '\0');
    FUZZ_CHECK(utf8_valid(p.bytes, p.len));
    FUZZ_CHECK(checked.len == p.len && memcmp(checked.bytes, p.bytes, p.len) == 0);
    FUZZ_CHECK(password_normalise(p.bytes, p.len, &again) == PASSWORD_OK);
    FUZZ_CHECK(again.len == p.len && memcmp(again.bytes, p.bytes, p.len) == 0);

    enum password_rc pol = password_policy(&p, NULL);
    FUZZ_CHECK(pol != PASSWORD_BAD_UTF8 && pol != PASSWORD_USERNAME);
    FUZZ_CHECK(password_message(pol) != NULL && (pol == PASSWORD_OK) == (password_message(pol)[0] == '\0'));
    size_t chars = utf8_chars(p.bytes, p.len);
    bool control = has_control(p.bytes, p.len);
    FUZZ_CHECK((pol == PASSWORD_CONTROL) == control);
    if (!control) {
        FUZZ_CHECK((pol == PASSWORD_TOO_SHORT) == (chars < PASSWORD_MIN_CHARS));
        FUZZ_CHECK((pol == PASSWORD_TOO_LONG) == (chars > PASSWORD_MAX_CHARS));
    }
    if (pol == PASSWORD_OK)
        FUZZ_CHECK(!password_is_common(p.bytes, p.len));
    /* The password as its own username: refused by that rule unless an
     * earlier one refused it. */
    enum password_rc own = password_policy(&p, p.bytes);
    FUZZ_CHECK(own != PASSWORD_OK);
    if (pol == PASSWORD_OK || pol == PASSWORD_COMMON || pol == PASSWORD_REPEATED || pol == PASSWORD_SEQUENCE ||
        pol == PASSWORD_COMMON_PADDED || pol == PASSWORD_PATTERN)
        FUZZ_CHECK(own == PASSWORD_USERNAME);
    else
        FUZZ_CHECK(own == pol);

    /* password_prepare: the policy's verdict, but too short also when fewer
     * characters were typed than the minimum (NFKC spells some characters as
     * many), unless a control character is the reason. */
    enum password_rc prep = password_prepare(s, size, NULL, &again);
    if (pol != PASSWORD_CONTROL && pol != PASSWORD_TOO_LONG && utf8_chars(s, size) < PASSWORD_MIN_CHARS)
        FUZZ_CHECK(prep == PASSWORD_TOO_SHORT);
    else
        FUZZ_CHECK(prep == pol);
    FUZZ_CHECK(prep == PASSWORD_OK ? again.len == p.len : again.len == 0);
    return 0;
}
