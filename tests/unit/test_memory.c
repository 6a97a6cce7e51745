/* Unit tests of memory.c: a request's memory is what it holds beyond what
 * was in use when it began, its peak is kept, and the budget compares in
 * MiB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memory.h"

static void test_request_usage(void **state)
{
    (void)state;
    char *volatile before = malloc(1 << 20); /* held before the request: not counted */
    memset(before, 1, 1 << 20); /* volatile: the allocations must happen */
    memory_request_begin();
    assert_true(memory_request_used() < (256 << 10));
    assert_false(memory_request_over(1));
    char *volatile p = malloc(3 << 20);
    memset(p, 2, 3 << 20);
    assert_true(memory_request_used() >= (3 << 20));
    assert_true(memory_request_over(2));
    assert_false(memory_request_over(8));
    assert_false(memory_request_over(0)); /* 0: no budget */
    free(p);
    /* What was freed is no longer held, but the peak is remembered. */
    assert_true(memory_request_used() < (256 << 10));
    assert_true(memory_request_peak() >= (3 << 20));
    memory_request_end();
    /* A new request starts from nothing. */
    memory_request_begin();
    assert_true(memory_request_peak() == 0);
    free(before);
    assert_int_equal(memory_request_used(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
