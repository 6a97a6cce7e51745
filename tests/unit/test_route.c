/* Unit tests for route: the table check that makes the program refuse to
 * start (a route without a handler, an audit action or a known function of
 * the catalogue), and the lookup (404, 405 with Allow, {id} matching).
 * Linked with route.c, acl.c, tests/fuzz/db_stub.c and handler stand-ins
 * generated from handlers.h (the table needs their addresses only). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "route.h"

static int handler(request *r, db *d)
{
    (void)r;
    (void)d;
    return 200;
}

static void test_the_program_table_is_valid(void **state)
{
    (void)state;
    size_t n;
    const route *t = route_table(&n);
    assert_true(n > 0);
    assert_int_equal(route_check_table(t, n), 0);
    /* every route names a function: the public and logged-in markers are
     * explicit choices, never a missing value */
    for (size_t i = 0; i < n; i++)
        assert_non_null(t[i].function);
}

static void test_a_bad_route_is_refused(void **state)
{
    (void)state;
    const route good = {"GET", "/x", handler, "contacts.view", "x.view", 0};
    assert_int_equal(route_check_table(&good, 1), 0);
    const route bad[] = {
        {"GET", "/x", handler, NULL, "x.view", 0},              /* no function */
        {"GET", "/x", handler, "contacts.look", "x.view", 0},   /* not in the catalogue */
        {"GET", "/x", handler, "", "x.view", 0},                /* empty function */
        {"GET", "/x", handler, "contacts.view", NULL, 0},       /* no audit action */
        {"GET", "/x", handler, "contacts.view", "", 0},         /* empty audit action */
        {"GET", "/x", NULL, "contacts.view", "x.view", 0},      /* no handler */
        {"PUT", "/x", handler, "contacts.view", "x.view", 0},   /* method */
        {"GET", "x", handler, "contacts.view", "x.view", 0},    /* pattern */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const route pair[] = {good, bad[i]};
        assert_int_equal(route_check_table(pair, 2), -1);
    }
}

static void test_lookup(void **state)
{
    (void)state;
    const route *rt = NULL;
    long long id = 0;
    char allow[32];
    assert_int_equal(route_find("GET", "/contacts/42", &rt, &id, allow), 0);
    assert_string_equal(rt->pattern, "/contacts/{id}");
    assert_int_equal(id, 42);
    assert_int_equal(route_find("HEAD", "/contacts", &rt, &id, allow), 0);
    assert_string_equal(rt->method, "GET");
    assert_int_equal(route_find("GET", "/contacts/042", &rt, &id, allow), 404);
    assert_int_equal(route_find("GET", "/contacts/0", &rt, &id, allow), 404);
    assert_int_equal(route_find("GET", "/contacts/1234567890123456789", &rt, &id, allow), 404);
    assert_int_equal(route_find("GET", "/contacts/", &rt, &id, allow), 404);
    assert_int_equal(route_find("GET", "/nowhere", &rt, &id, allow), 404);
    assert_int_equal(route_find("PUT", "/contacts", &rt, &id, allow), 405);
    assert_non_null(strstr(allow, "GET"));
    assert_non_null(strstr(allow, "POST"));
    assert_int_equal(route_find("POST", "/logout/", &rt, &id, allow), 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_program_table_is_valid),
        cmocka_unit_test(test_a_bad_route_is_refused),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
