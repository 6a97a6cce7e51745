/* Fuzzes conf_parse_text, the reader of the configuration file. Every pair it
 * reports must have a well-formed dotted key and a trimmed value taken from
 * the text; a failure must come with a "line N: ..." message that fits err. */
#include <ctype.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "util.h"

struct seen {
    const char *text;
    size_t len;
    size_t pairs;
    buf keys; /* every key and value, to compare two runs */
};

static bool key_ok(const char *k)
{
    /* Non-empty dot-separated parts of letters, digits and '_'. */
    size_t part = 0;
    for (const char *p = k;; p++) {
        if (*p == '.' || *p == '\0') {
            if (part == 0)
                return false;
            if (*p == '\0')
                return true;
            part = 0;
        } else if (isalnum((unsigned char)*p) || *p == '_') {
            part++;
        } else {
            return false;
        }
    }
}

static void on_pair(void *ctx, const char *key, const char *value)
{
    struct seen *s = ctx;
    FUZZ_CHECK(key != NULL && value != NULL);
    FUZZ_CHECK(key[0] != '\0');
    FUZZ_CHECK(key_ok(key));
    size_t vl = strlen(value);
    FUZZ_CHECK(strchr(value, '\n') == NULL);
    FUZZ_CHECK(vl == 0 || (!isspace((unsigned char)value[0]) && !isspace((unsigned char)value[vl - 1])));
    /* The value is a piece of the text, and so is the key's last part. */
    FUZZ_CHECK(vl == 0 || memmem(s->text, s->len, value, vl) != NULL);
    const char *last = strrchr(key, '.');
    last = last ? last + 1 : key;
    FUZZ_CHECK(memmem(s->text, s->len, last, strlen(last)) != NULL);
    s->pairs++;
    buf_adds(&s->keys, key);
    buf_addc(&s->keys, '=');
    buf_adds(&s->keys, value);
    buf_addc(&s->keys, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';

    struct seen a = {text, size, 0, {0}};
    char err[200];
    memset(err, 'x', sizeof err);
    int rc = conf_parse_text(text, size, on_pair, &a, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(a.pairs <= lines);
    if (rc != 0) {
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        FUZZ_CHECK(strncmp(err, "line ", 5) == 0);
    }

    /* A short err buffer: the same outcome, the message cut to fit. */
    struct seen b = {text, size, 0, {0}};
    char small[12];
    memset(small, 'x', sizeof small);
    int rc2 = conf_parse_text(text, size, on_pair, &b, small, sizeof small);
    FUZZ_CHECK(rc2 == rc && b.pairs == a.pairs);
    FUZZ_CHECK(b.keys.len == a.keys.len && memcmp(buf_str(&b.keys), buf_str(&a.keys), a.keys.len) == 0);
    if (rc != 0) {
        FUZZ_CHECK(memchr(small, '\0', sizeof small) != NULL);
        FUZZ_CHECK(strncmp(small, err, sizeof small - 1) == 0);
    }
    buf_free(&a.keys);
    buf_free(&b.keys);
    return 0;
}
