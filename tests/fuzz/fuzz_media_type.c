/* Fuzzes http_media_type_is (the Content-Type of a POST). Whatever it
 * accepts must name the form media type as its first token, and the plain
 * type itself, in any case and with a UTF-8 charset, must be accepted. */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "http_parse.h"

static const char FORM[] = "application/x-www-form-urlencoded";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    int rc = http_media_type_is(s, FORM);
    FUZZ_CHECK(rc == HP_MEDIA_OK || rc == HP_MEDIA_OTHER || rc == HP_MEDIA_CHARSET);
    if (rc != HP_MEDIA_OTHER) {
        const char *p = s + strspn(s, " \t");
        size_t n = strcspn(p, "; \t");
        FUZZ_CHECK(n == sizeof FORM - 1 && strncasecmp(p, FORM, n) == 0);
        FUZZ_CHECK(rc == HP_MEDIA_OK || strcasestr(p + n, "charset"));
    }
    /* The input as a parameter list after the type: never accepted as
     * another type, and a UTF-8 charset first keeps the verdict of the rest. */
    char *t = malloc(size + 64);
    snprintf(t, size + 64, "%s;%s", FORM, s);
    rc = http_media_type_is(t, FORM);
    FUZZ_CHECK(rc == HP_MEDIA_OK || rc == HP_MEDIA_OTHER || rc == HP_MEDIA_CHARSET);
    FUZZ_CHECK(http_media_type_is(FORM, FORM) == HP_MEDIA_OK);
    free(t);
    free(s);
    return 0;
}
