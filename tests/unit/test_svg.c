/* Unit tests for svg: escaping, the tile map and its legend, bar charts
 * with zero and large values, the funnel, the numbers written as text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "svg.h"

/* How many times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_escape(void **state)
{
    (void)state;
    buf b = {0};
    svg_escape(&b, "<script>alert(\"x\")</script> & 'q'");
    assert_string_equal(buf_str(&b), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    buf_reset(&b);
    svg_escape(&b, "a\x01" "b\x7f" "c\td\xC3\xA9");
    assert_string_equal(buf_str(&b), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\td\xC3\xA9");
    buf_reset(&b);
    svg_escape(&b, NULL);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

/* A hostile title and axis labels never reach the document unescaped. */
static void test_hostile_names(void **state)
{
    (void)state;
    const char *evil = "</title><script>x()</script><![CDATA[";
    buf b = {0};
    svg_funnel(&b, evil, evil, 3, 2, 1);
    assert_null(strstr(buf_str(&b), "<script"));
    assert_null(strstr(buf_str(&b), "<![CDATA["));
    assert_int_equal(count(buf_str(&b), "</title>"), 1 + 3);
    buf_reset(&b);
    svg_bar bars[2] = {{evil, evil, 1, true}, {"b", NULL, 0, false}};
    svg_bar_chart(&b, evil, evil, bars, 2, evil, evil);
    assert_null(strstr(buf_str(&b), "<script"));
    buf_reset(&b);
    svg_state st[1] = {{"OH", 5, true}};
    svg_us_map(&b, evil, evil, st, 1);
    assert_null(strstr(buf_str(&b), "<script"));
    assert_non_null(strstr(buf_str(&b), "role=\"img\""));
    buf_free(&b);
}

static void test_steps(void **state)
{
    (void)state;
    int n;
    long long lo[5], hi[5];
    svg_map_steps(0, &n, lo, hi);
    assert_int_equal(n, 1);
    svg_map_steps(2, &n, lo, hi);
    assert_int_equal(n, 3);
    assert_int_equal(lo[1], 1);
    assert_int_equal(hi[1], 1);
    assert_int_equal(lo[2], 2);
    assert_int_equal(hi[2], 2);
    svg_map_steps(100, &n, lo, hi);
    assert_int_equal(n, 5);
    assert_int_equal(hi[1], 25);
    assert_int_equal(lo[4], 76);
    assert_int_equal(hi[4], 100);
    /* Ranges cover 1..max without holes or overlaps. */
    svg_map_steps(53, &n, lo, hi);
    assert_int_equal(lo[1], 1);
    for (int i = 2; i < n; i++)
        assert_int_equal(lo[i], hi[i - 1] + 1);
    assert_int_equal(hi[n - 1], 53);
}

static void test_map(void **state)
{
    (void)state;
    buf b = {0};
    svg_state st[] = {{"OH", 123456, true}, {"CA", 0, true}, {"PR", 9, true}, {"TX", 7, false}};
    svg_us_map(&b, "Contacts by state", "d", st, 4);
    const char *s = buf_str(&b);
    /* A tile per state and DC, each with its code. */
    assert_int_equal(count(s, "<g class=\"tile\""), SVG_MAP_TILES);
    assert_non_null(strstr(s, "data-state=\"DC\""));
    assert_non_null(strstr(s, ">AK</text>"));
    /* Counts as text, only on tiles in scope. */
    assert_non_null(strstr(s, ">123456</text>"));
    assert_non_null(strstr(s, "<title>OH: 123456</title>"));
    assert_non_null(strstr(s, "<title>CA: 0</title>"));
    assert_non_null(strstr(s, "<title>TX: outside your scope</title>"));
    assert_null(strstr(s, ">7</text>"));
    assert_null(strstr(s, "data-state=\"PR\""));
    assert_int_equal(count(s, "class=\"count\""), 2);
    assert_int_equal(count(s, "url(#hatch)"), SVG_MAP_TILES - 2 + 1);
    /* The legend names each step's range. */
    assert_non_null(strstr(s, ">0</text>"));
    assert_non_null(strstr(s, ">1 to 30864</text>"));
    assert_non_null(strstr(s, ">92593 to 123456</text>"));
    assert_non_null(strstr(s, "outside your scope (not counted)"));
    assert_true(svg_map_has("DC"));
    assert_false(svg_map_has("PR"));
    assert_false(svg_map_has(NULL));
    buf_free(&b);
}

static void test_bars(void **state)
{
    (void)state;
    buf b = {0};
    svg_bar zero[3] = {{"w1", NULL, 0, true}, {"w2", NULL, 0, false}, {"w3", "Week of w3", 0, false}};
    svg_bar_chart(&b, "t", "d", zero, 3, "Week", "Activities");
    const char *s = buf_str(&b);
    assert_int_equal(count(s, "<g class=\"bar\""), 3);
    assert_int_equal(count(s, "class=\"value\""), 3);
    assert_non_null(strstr(s, "<title>Week of w3: 0</title>"));
    assert_non_null(strstr(s, "height=\"0\""));
    assert_non_null(strstr(s, ">w1</text>"));
    assert_null(strstr(s, ">w2</text>"));
    buf_reset(&b);
    svg_bar big[2] = {{"a", NULL, 9000000000LL, true}, {"b", NULL, 1, true}};
    svg_bar_chart(&b, "t", "d", big, 2, "x", "y");
    s = buf_str(&b);
    assert_non_null(strstr(s, ">9000000000</text>"));
    assert_non_null(strstr(s, ">10000000000</text>")); /* the axis top */
    /* The small bar is still visible. */
    assert_non_null(strstr(s, "height=\"1\""));
    assert_non_null(strstr(s, ">1</text>"));
    buf_free(&b);
}

static void test_funnel(void **state)
{
    (void)state;
    char p[32];
    svg_percent(1, 3, p);
    assert_string_equal(p, "33.3%");
    svg_percent(2, 3, p);
    assert_string_equal(p, "66.7%");
    svg_percent(5, 5, p);
    assert_string_equal(p, "100.0%");
    svg_percent(0, 0, p);
    assert_string_equal(p, "\xE2\x80\x93");
    buf b = {0};
    svg_funnel(&b, "Clean Water", "d", 8, 3, 1);
    const char *s = buf_str(&b);
    assert_non_null(strstr(s, ">8 (100.0%)</text>"));
    assert_non_null(strstr(s, ">3 (37.5%)</text>"));
    assert_non_null(strstr(s, ">1 (12.5%)</text>"));
    assert_non_null(strstr(s, ">Contacted</text>"));
    buf_reset(&b);
    svg_funnel(&b, "Empty", "d", 0, 0, 0);
    s = buf_str(&b);
    assert_int_equal(count(s, ">0 (\xE2\x80\x93)</text>"), 3);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape), cmocka_unit_test(test_hostile_names), cmocka_unit_test(test_steps),
        cmocka_unit_test(test_map),    cmocka_unit_test(test_bars),          cmocka_unit_test(test_funnel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
