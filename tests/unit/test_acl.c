/* Unit tests for acl: the function catalogue, deny by default, the matrix
 * list from the session query, and the row-scope condition (its SQL for each
 * kind of limit, and exactly one bound value per placeholder). Linked with
 * acl.c and tests/fuzz/db_stub.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "acl.h"

extern int db_stub_binds;

static int placeholders(const char *sql)
{
    int n = 0;
    for (; *sql; sql++)
        n += *sql == '?';
    return n;
}

static void test_catalogue(void **state)
{
    (void)state;
    static const char *required[] = {
        "contacts.view",    "contacts.create", "contacts.edit",     "contacts.delete",  "contacts.export",
        "contacts.import",  "contacts.bulk_edit", "activities.view", "activities.create", "activities.edit",
        "activities.delete", "campaigns.view", "campaigns.manage",  "reports.view",     "audit.view",
        "users.manage",     "matrix.manage",   "tokens.manage",
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        assert_true(acl_is_function(required[i]));
    assert_false(acl_is_function("contacts"));
    assert_false(acl_is_function("contacts.view "));
    assert_false(acl_is_function(""));
    assert_true(acl_function_count <= 64);
}

static void test_deny_by_default(void **state)
{
    (void)state;
    for (size_t i = 0; i < acl_function_count; i++)
        assert_false(acl_allows(0, acl_functions[i]));
    acl_set all = acl_parse_list("contacts.view,users.manage");
    assert_false(acl_allows(all, "no.such.function"));
}

static void test_parse_list(void **state)
{
    (void)state;
    assert_int_equal(acl_parse_list(NULL), 0);
    assert_int_equal(acl_parse_list(""), 0);
    acl_set s = acl_parse_list("contacts.view,activities.create");
    assert_true(acl_allows(s, "contacts.view"));
    assert_true(acl_allows(s, "activities.create"));
    assert_false(acl_allows(s, "contacts.export"));
    assert_false(acl_allows(s, "contacts.edit"));
    /* names outside the catalogue and near misses are ignored */
    s = acl_parse_list("contacts.vie,contacts.view.x,,bogus,tokens.manage");
    assert_true(acl_allows(s, "tokens.manage"));
    assert_false(acl_allows(s, "contacts.view"));
    acl_set every = 0;
    buf list = {0};
    for (size_t i = 0; i < acl_function_count; i++) {
        if (i)
            buf_addc(&list, ',');
        buf_adds(&list, acl_functions[i]);
    }
    every = acl_parse_list(buf_str(&list));
    buf_free(&list);
    for (size_t i = 0; i < acl_function_count; i++)
        assert_true(acl_allows(every, acl_functions[i]));
}

/* The scope SQL of sc, with its binds checked against its placeholders. */
static char *scope(bool all_regions, bool all_campaigns)
{
    acl_scope sc = {.client_id = 7, .user_id = 9, .all_regions = all_regions, .all_campaigns = all_campaigns};
    buf sql = {0};
    acl_scope_sql(&sql, &sc);
    db_stub_binds = 0;
    int next = acl_scope_bind(NULL, 3, &sc);
    assert_int_equal(next - 3, db_stub_binds);
    assert_int_equal(db_stub_binds, placeholders(buf_str(&sql)));
    assert_int_equal(acl_scope_limited(&sc), !all_regions || !all_campaigns);
    char *out = xstrdup(buf_str(&sql));
    buf_free(&sql);
    return out;
}

static void test_scope_sql(void **state)
{
    (void)state;
    char *s = scope(true, true);
    assert_string_equal(s, "c.client_id = ?");
    free(s);
    s = scope(false, true);
    assert_true(strncmp(s, "c.client_id = ? AND c.region_id IN (", 36) == 0);
    assert_non_null(strstr(s, "user_regions"));
    assert_non_null(strstr(s, "region_closure"));
    assert_null(strstr(s, "user_campaigns"));
    free(s);
    s = scope(true, false);
    assert_non_null(strstr(s, "user_campaigns"));
    assert_null(strstr(s, "user_regions"));
    assert_null(strstr(s, "cc.region_id"));
    free(s);
    s = scope(false, false);
    assert_non_null(strstr(s, "user_regions"));
    assert_non_null(strstr(s, "user_campaigns"));
    /* the contact's own region, and the memberships' copy of it inside the
     * campaign limit (only ever an extra condition) */
    assert_true(strncmp(s, "c.client_id = ? AND c.region_id IN (", 36) == 0);
    assert_non_null(strstr(strstr(s, "user_campaigns"), " AND cc.region_id = c.region_id)"));
    assert_int_equal(placeholders(s), 5);
    free(s);
}

static void test_region_sql(void **state)
{
    (void)state;
    acl_scope sc = {.client_id = 7, .user_id = 9, .all_regions = true, .all_campaigns = false};
    buf sql = {0};
    acl_regions_sql(&sql, &sc, "g.id");
    assert_int_equal(sql.len, 0);
    db_stub_binds = 0;
    assert_int_equal(acl_regions_bind(NULL, 1, &sc), 1);
    sc.all_regions = false;
    acl_regions_sql(&sql, &sc, "g.id");
    assert_true(strncmp(buf_str(&sql), " AND g.id IN (", 14) == 0);
    assert_int_equal(acl_regions_bind(NULL, 1, &sc) - 1, placeholders(buf_str(&sql)));
    assert_int_equal(db_stub_binds, placeholders(buf_str(&sql)));
    buf_free(&sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue),  cmocka_unit_test(test_deny_by_default), cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_scope_sql),  cmocka_unit_test(test_region_sql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
