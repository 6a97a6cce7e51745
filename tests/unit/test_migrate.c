/* Unit tests for migrate_split: migration files cut into SQL statements.
 * Linked with migrate.c and tests/fuzz/db_stub.c (migrate_run is not run). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "util.h"

static void collect(void *ctx, const char *stmt)
{
    buf *b = ctx;
    buf_printf(b, "[%s]", stmt);
}

/* The statements of text as "[s1][s2]...", checking the count returned. */
static char *split(const char *text)
{
    buf b = {0};
    int n = migrate_split(text, strlen(text), collect, &b);
    int brackets = 0;
    for (size_t i = 0; i < b.len; i++)
        brackets += b.data[i] == '[';
    assert_int_equal(n, brackets);
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

static void expect(const char *text, const char *want)
{
    char *got = split(text);
    assert_string_equal(got, want);
    free(got);
}

static void test_split_statements(void **state)
{
    (void)state;
    expect("", "");
    expect("SELECT 1;", "[SELECT 1]");
    expect("SELECT 1;\nSELECT 2;\n", "[SELECT 1][SELECT 2]");
    expect("CREATE TABLE t (\n  a INT\n);\n", "[CREATE TABLE t (\na INT\n)]");
    expect("SELECT 1;\nSELECT 2", "[SELECT 1][SELECT 2]"); /* the last needs no ';' */
    expect("  SELECT 1 ;  \r\n", "[SELECT 1 ]");
    expect("SELECT 1;;\n", "[SELECT 1;]");
    expect("INSERT INTO t VALUES ('a;b');\n", "[INSERT INTO t VALUES ('a;b')]");
}

static void test_split_comments_and_blank_lines(void **state)
{
    (void)state;
    expect("-- header\n\n   \nSELECT 1\n-- inside\n  FROM t;\n--\n", "[SELECT 1\nFROM t]");
    expect("SELECT 1\n- 1;\n", "[SELECT 1\n- 1]");
}

/* A ';' line with no statement before it is not an empty statement: the
 * server refuses an empty query ("Query was empty"), which would fail the
 * migration. Found by tests/fuzz/fuzz_migrate_split.c. */
static void test_split_lone_semicolon(void **state)
{
    (void)state;
    expect(";\n", "");
    expect(" ;  \r\n", "");
    expect("SELECT 1;\n;\nSELECT 2;\n", "[SELECT 1][SELECT 2]");
    expect("SELECT 1\n;\n", "[SELECT 1\n]"); /* a ';' alone still ends a statement */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_statements),
        cmocka_unit_test(test_split_comments_and_blank_lines),
        cmocka_unit_test(test_split_lone_semicolon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
