/* clock: a client's local time (see clock.h). */
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ZONEINFO "/usr/share/zoneinfo/"

/* snprintf for the fixed-width results: every value is in range where
 * it is called, which the compiler cannot see. */
static void put(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

bool clock_zone_valid(const char *zone)
{
    size_t n = zone ? strlen(zone) : 0;
    if (n == 0 || n > 64 || zone[0] == '/')
        return false;
    const char *part = zone;
    for (size_t i = 0; i <= n; i++) {
        char c = zone[i];
        if (c == '/' || c == '\0') {
            size_t len = (size_t)(zone + i - part);
            if (len == 0 || part[0] == '.')
                return false;
            part = zone + i + 1;
            continue;
        }
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '+'))
            return false;
    }
    /* A regular file in the compiled form ("TZif"): a folder (America)
     * or one of the database's text files (leapseconds) would be read by
     * the C library as UTC, without a word. */
    char path[sizeof ZONEINFO + 64], magic[4];
    snprintf(path, sizeof path, "%s%s", ZONEINFO, zone);
    struct stat st;
    FILE *f = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? fopen(path, "rb") : NULL;
    if (!f)
        return false;
    bool tzif = fread(magic, 1, sizeof magic, f) == sizeof magic && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return tzif;
}

/* Makes zone the process's zone for the C library's local time (the worker
 * is single-threaded, and nothing else of ours uses local time). */
static int use_zone(const char *zone)
{
    static char current[65];
    if (!clock_zone_valid(zone))
        return -1;
    if (strcmp(current, zone) != 0) {
        if (setenv("TZ", zone, 1) != 0)
            return -1;
        tzset();
        snprintf(current, sizeof current, "%s", zone);
    }
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static unsigned month_days(int y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at s: the date's parts, or false. */
static bool parse_date(const char *s, size_t n, int *y, unsigned *m, unsigned *d)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int yy = digits(s, 4), mm = digits(s + 5, 2), dd = digits(s + 8, 2);
    if (yy < 1900 || mm < 1 || mm > 12 || dd < 1)
        return false;
    if ((unsigned)dd > month_days(yy, (unsigned)mm))
        return false;
    *y = yy;
    *m = (unsigned)mm;
    *d = (unsigned)dd;
    return true;
}

bool clock_date_valid(const char *s, size_t n)
{
    int y;
    unsigned m, d;
    return s && parse_date(s, n, &y, &m, &d);
}

int clock_add_days(const char *day, int days, char out[11])
{
    int y;
    unsigned m, d;
    out[0] = '\0';
    if (!parse_date(day, strlen(day), &y, &m, &d))
        return -1;
    civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    if (y < 1900 || y > 9999)
        return -1;
    put(out, 11, "%04d-%02u-%02u", y, m, d);
    return 0;
}

int clock_weekday(const char *day)
{
    int y;
    unsigned m, d;
    if (!parse_date(day, strlen(day), &y, &m, &d))
        return -1;
    long long z = days_from_civil(y, m, d); /* 1970-01-01 was a Thursday (3) */
    return (int)(((z % 7) + 7 + 3) % 7);
}

int clock_day(const char *zone, time_t t, char out[11])
{
    struct tm tm;
    out[0] = '\0';
    if (use_zone(zone) != 0 || !localtime_r(&t, &tm))
        return -1;
    put(out, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return 0;
}

int clock_utc_to_local(const char *zone, const char *utc, char out[17])
{
    int y;
    unsigned m, d;
    out[0] = '\0';
    size_t n = utc ? strlen(utc) : 0;
    if (n < 19 || utc[10] != ' ' || utc[13] != ':' || utc[16] != ':' || !parse_date(utc, 10, &y, &m, &d))
        return -1;
    int hh = digits(utc + 11, 2), mi = digits(utc + 14, 2), ss = digits(utc + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
        return -1;
    time_t t = (time_t)(days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss);
    struct tm tm;
    if (use_zone(zone) != 0 || !localtime_r(&t, &tm))
        return -1;
    put(out, 17, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min);
    return 0;
}

int clock_local_to_utc(const char *zone, const char *local, size_t n, char out[20])
{
    int y;
    unsigned m, d;
    out[0] = '\0';
    if (!local || (n != 16 && n != 19) || (local[10] != ' ' && local[10] != 'T') || local[13] != ':' ||
        !parse_date(local, 10, &y, &m, &d))
        return -1;
    int hh = digits(local + 11, 2), mi = digits(local + 14, 2), ss = 0;
    if (n == 19 && (local[16] != ':' || (ss = digits(local + 17, 2)) < 0 || ss > 59))
        return -1;
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || use_zone(zone) != 0)
        return -1;
    /* Each reading of the wall time (summer time or not) that gives it back
     * exists; of two, the earlier instant is the first. */
    bool found = false;
    time_t best = 0;
    for (int dst = 0; dst <= 1; dst++) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = (int)m - 1, .tm_mday = (int)d, .tm_hour = hh,
                        .tm_min = mi, .tm_sec = ss, .tm_isdst = dst};
        time_t t = mktime(&tm);
        struct tm back;
        if (t == (time_t)-1 || !localtime_r(&t, &back))
            continue;
        if (back.tm_year != y - 1900 || back.tm_mon != (int)m - 1 || back.tm_mday != (int)d || back.tm_hour != hh ||
            back.tm_min != mi)
            continue;
        if (!found || t < best)
            best = t;
        found = true;
    }
    if (!found)
        return -1;
    struct tm u;
    if (!gmtime_r(&best, &u) || u.tm_year + 1900 > 9999)
        return -1; /* the year 10000 in UTC: no DATETIME holds it */
    put(out, 20, "%04d-%02d-%02d %02d:%02d:%02d", u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour,
             u.tm_min, u.tm_sec);
    return 0;
}
