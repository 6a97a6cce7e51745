/* Unit tests for clock: a client's local time against the system's zone
 * database, and calendar arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clock.h"

static void test_zone_names(void **state)
{
    (void)state;
    assert_true(clock_zone_valid("UTC"));
    assert_true(clock_zone_valid("America/New_York"));
    assert_true(clock_zone_valid("America/Argentina/Buenos_Aires"));
    assert_true(clock_zone_valid("Etc/GMT+5"));
    assert_false(clock_zone_valid(""));
    assert_false(clock_zone_valid(NULL));
    assert_false(clock_zone_valid("/etc/passwd"));
    assert_false(clock_zone_valid("../../etc/passwd"));
    assert_false(clock_zone_valid("America/../UTC"));
    assert_false(clock_zone_valid("America//New_York"));
    assert_false(clock_zone_valid("America/New_York/"));
    assert_false(clock_zone_valid("Mars/Olympus_Mons"));
    assert_false(clock_zone_valid("EST5EDT,M3.2.0,M11.1.0")); /* a POSIX rule, not a name */
    assert_false(clock_zone_valid("America/New York"));
    /* A folder of the database, or one of its text files, is no zone: the C
     * library would quietly read it as UTC. */
    assert_false(clock_zone_valid("America"));
    assert_false(clock_zone_valid("leapseconds"));
}

static void test_utc_to_local(void **state)
{
    (void)state;
    char out[17];
    assert_int_equal(clock_utc_to_local("America/New_York", "2026-07-01 16:30:00", out), 0);
    assert_string_equal(out, "2026-07-01 12:30"); /* EDT, UTC-4 */
    assert_int_equal(clock_utc_to_local("America/New_York", "2026-01-15 03:05:59.123456", out), 0);
    assert_string_equal(out, "2026-01-14 22:05"); /* EST, UTC-5, the day before */
    assert_int_equal(clock_utc_to_local("UTC", "2026-12-31 23:59:59", out), 0);
    assert_string_equal(out, "2026-12-31 23:59");
    assert_int_equal(clock_utc_to_local("Asia/Kolkata", "2026-03-01 20:00:00", out), 0);
    assert_string_equal(out, "2026-03-02 01:30");
    assert_int_equal(clock_utc_to_local("Nowhere/City", "2026-03-01 20:00:00", out), -1);
    assert_string_equal(out, "");
    assert_int_equal(clock_utc_to_local("UTC", "2026-02-30 20:00:00", out), -1);
    assert_int_equal(clock_utc_to_local("UTC", "2026-03-01", out), -1);
    assert_int_equal(clock_utc_to_local("UTC", "2026-03-01 24:00:00", out), -1);
}

#define L2U(zone, s, out) clock_local_to_utc((zone), (s), strlen(s), (out))

static void test_local_to_utc(void **state)
{
    (void)state;
    char out[20];
    assert_int_equal(L2U("America/New_York", "2026-07-01 12:30", out), 0);
    assert_string_equal(out, "2026-07-01 16:30:00");
    assert_int_equal(L2U("America/New_York", "2026-01-14T22:05", out), 0); /* datetime-local */
    assert_string_equal(out, "2026-01-15 03:05:00");
    assert_int_equal(L2U("America/New_York", "2026-01-14T22:05:07", out), 0);
    assert_string_equal(out, "2026-01-15 03:05:07");
    /* 2026-03-08 02:30 does not happen in New York (clocks go 02:00 -> 03:00). */
    assert_int_equal(L2U("America/New_York", "2026-03-08 02:30", out), -1);
    assert_int_equal(L2U("America/New_York", "2026-03-08 03:30", out), 0);
    assert_string_equal(out, "2026-03-08 07:30:00");
    /* 2026-11-01 01:30 happens twice; the first is still summer time (UTC-4). */
    assert_int_equal(L2U("America/New_York", "2026-11-01 01:30", out), 0);
    assert_string_equal(out, "2026-11-01 05:30:00");
    assert_int_equal(L2U("UTC", "2026-02-29 10:00", out), -1); /* not a leap year */
    assert_int_equal(L2U("UTC", "2028-02-29 10:00", out), 0);
    assert_string_equal(out, "2028-02-29 10:00:00");
    assert_int_equal(L2U("UTC", "2026-01-01 10:60", out), -1);
    assert_int_equal(L2U("UTC", "2026-01-01 1:00", out), -1);
    assert_int_equal(L2U("UTC", "2026-01-01 10:00 ", out), -1);
    assert_int_equal(L2U("UTC", "yesterday", out), -1);
    assert_int_equal(L2U("Bad/Zone", "2026-01-01 10:00", out), -1);
    /* Late on the last day of 9999 west of Greenwich is already the year
     * 10000 in UTC, which neither the result nor a DATETIME can hold. */
    assert_int_equal(L2U("America/New_York", "9999-12-31 23:59", out), -1);
    assert_int_equal(L2U("Asia/Tokyo", "9999-12-31 23:59", out), 0);
    assert_string_equal(out, "9999-12-31 14:59:00");
    /* Zones switch back and forth within one process. */
    assert_int_equal(L2U("Asia/Tokyo", "2026-01-01 09:00", out), 0);
    assert_string_equal(out, "2026-01-01 00:00:00");
    assert_int_equal(L2U("UTC", "2026-01-01 09:00", out), 0);
    assert_string_equal(out, "2026-01-01 09:00:00");
}

static void test_days(void **state)
{
    (void)state;
    char out[11];
    /* 2026-12-04 23:30 UTC is still the 4th in Chicago, the 5th in Tokyo. */
    time_t t = 1796427000;
    assert_int_equal(clock_day("UTC", t, out), 0);
    assert_string_equal(out, "2026-12-04");
    assert_int_equal(clock_day("America/Chicago", t, out), 0);
    assert_string_equal(out, "2026-12-04");
    assert_int_equal(clock_day("Asia/Tokyo", t, out), 0);
    assert_string_equal(out, "2026-12-05");
    assert_int_equal(clock_day("No/Zone", t, out), -1);

    assert_true(clock_date_valid("2024-02-29", 10));
    assert_false(clock_date_valid("2023-02-29", 10));
    assert_false(clock_date_valid("2023-13-01", 10));
    assert_false(clock_date_valid("2023-1-01", 9));
    assert_false(clock_date_valid("1899-12-31", 10));
    assert_false(clock_date_valid("2023-04-31", 10));

    assert_int_equal(clock_add_days("2026-12-28", 7, out), 0);
    assert_string_equal(out, "2027-01-04");
    assert_int_equal(clock_add_days("2024-03-01", -1, out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(clock_add_days("2026-12-04", -364, out), 0);
    assert_string_equal(out, "2025-12-05");
    assert_int_equal(clock_add_days("9999-12-31", 1, out), -1);
    assert_int_equal(clock_add_days("nonsense!!", 1, out), -1);

    assert_int_equal(clock_weekday("2026-12-04"), 4); /* a Friday */
    assert_int_equal(clock_weekday("2026-11-30"), 0); /* a Monday */
    assert_int_equal(clock_weekday("1970-01-01"), 3); /* a Thursday */
    assert_int_equal(clock_weekday("2000-02-29"), 1); /* a Tuesday */
    assert_int_equal(clock_weekday("bad"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_names),
        cmocka_unit_test(test_utc_to_local),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
