/* clock: a client's local time. Times are stored in UTC; a client's staff
 * enter and read them in the client's IANA time zone (clients.time_zone),
 * and "today" is the client's calendar day. The zone database is the
 * system's (/usr/share/zoneinfo, Debian's tzdata). No outside library. */
#ifndef CTRACK_CLOCK_H
#define CTRACK_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* True when zone names a zone of the system's database ("UTC",
 * "America/New_York"): letters, digits, '_', '-', '+' and '/' between
 * names, no "." or ".." part, and a compiled zone file ("TZif") of that
 * name under /usr/share/zoneinfo. */
bool clock_zone_valid(const char *zone);

/* The calendar day of t (seconds since the epoch) in zone, as
 * "YYYY-MM-DD". Returns 0, or -1 when zone is not valid (out is then
 * empty). */
int clock_day(const char *zone, time_t t, char out[11]);

/* UTC "YYYY-MM-DD HH:MM:SS[.ffffff]" (as MariaDB gives DATETIME) to local
 * "YYYY-MM-DD HH:MM" in zone. Returns 0, or -1 when utc or zone is not
 * acceptable (out is then empty). */
int clock_utc_to_local(const char *zone, const char *utc, char out[17]);

/* Local "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM", as a browser's
 * datetime-local field sends it; ":SS" may follow) in zone to UTC
 * "YYYY-MM-DD HH:MM:SS". A time that does not exist locally (skipped by a
 * change to summer time) is refused; one that happens twice (the change
 * back) takes the first. Returns 0, or -1 when the text is not such a
 * time, zone is not valid, or the UTC time falls after 9999. */
int clock_local_to_utc(const char *zone, const char *local, size_t n, char out[20]);

/* True when s (n bytes) is a calendar date "YYYY-MM-DD" that exists
 * (1900-01-01 .. 9999-12-31). */
bool clock_date_valid(const char *s, size_t n);

/* The day d ("YYYY-MM-DD", valid) moved by days (may be negative), into
 * out. Returns 0, or -1 when the result leaves 1900..9999. */
int clock_add_days(const char *d, int days, char out[11]);

/* The weekday of a valid date: 0 Monday .. 6 Sunday. */
int clock_weekday(const char *d);

#endif
