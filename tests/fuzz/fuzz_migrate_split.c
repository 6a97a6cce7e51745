/* Fuzzes migrate_split, which cuts a migration file into SQL statements.
 * Links migrate.c with tests/fuzz/db_stub.c (no database). Checks the
 * statements against the rules in migrate.h and a reference count. */
#include <string.h>

#include "fuzz.h"
#include "migrate.h"
#include "util.h"

struct seen {
    int calls;
};

static void on_stmt(void *ctx, const char *stmt)
{
    struct seen *s = ctx;
    s->calls++;
    FUZZ_CHECK(stmt != NULL);
    /* A statement is never empty (the server refuses an empty query). */
    FUZZ_CHECK(stmt[0] != '\0');
    /* Its lines are the trimmed, non-comment lines of the file; only the last
     * one may end with ';' (kept when doubled). */
    const char *p = stmt;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 0) {
            FUZZ_CHECK(p[0] != ' ' && p[0] != '\t');
            FUZZ_CHECK(!(n >= 2 && p[0] == '-' && p[1] == '-'));
            /* The last line lost its ';', so it may end with a blank. */
            if (nl)
                FUZZ_CHECK(p[n - 1] != ' ' && p[n - 1] != '\t' && p[n - 1] != '\r' && p[n - 1] != ';');
        }
        if (!nl)
            break;
        p = nl + 1;
    }
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Statements reach the callback as C strings, so a NUL byte would cut
     * one short: the text is taken up to the first NUL. */
    size = strnlen((const char *)data, size);
    const char *text = (const char *)data, *end = text + size;
    struct seen s = {0};
    int n = migrate_split(text, size, on_stmt, &s);
    FUZZ_CHECK(n == s.calls);

    /* The reference count: lines ending with ';' that hold more than the
     * ';' or follow a pending statement, plus one for text left at the end. */
    int want = 0;
    bool pending = false;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *ls = p, *le = nl ? nl : end;
        p = nl ? nl + 1 : end;
        while (ls < le && blank(*ls))
            ls++;
        while (le > ls && (blank(le[-1]) || le[-1] == '\r'))
            le--;
        if (ls == le || (le - ls >= 2 && ls[0] == '-' && ls[1] == '-'))
            continue;
        bool last = le[-1] == ';';
        if (last) {
            /* A lone ';' with nothing pending ends no statement. */
            if (pending || le - ls > 1)
                want++;
            pending = false;
        } else {
            pending = true;
        }
    }
    if (pending)
        want++;
    FUZZ_CHECK(n == want);
    return 0;
}
