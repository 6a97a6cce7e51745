/* route: the route table. Each route names its handler, the function of the
 * security matrix it needs, and the audit action it records. */
#ifndef CTRACK_ROUTE_H
#define CTRACK_ROUTE_H

#include "db.h"
#include "http.h"

/* A handler returns the HTTP status of its answer, or a negative enum db_rc
 * when the database failed (the pipeline turns that into 503 or 500). */
typedef int (*route_handler)(request *r, db *d);

/* Who may call a route: anyone, any logged-in user, or a user whose type is
 * allowed the named function of the catalogue. */
#define ROUTE_PUBLIC "public"
#define ROUTE_LOGGED_IN "logged-in"

typedef struct route {
    const char *method;   /* GET or POST (GET also answers HEAD) */
    const char *pattern;  /* path; "{id}" matches a positive integer */
    route_handler fn;
    const char *function; /* ROUTE_PUBLIC, ROUTE_LOGGED_IN or a catalogue name */
    const char *action;   /* the audit action */
    unsigned flags;       /* ROUTE_TOKEN, ROUTE_SETUP */
} route;

/* An API token may call the route (read and export routes only). */
#define ROUTE_TOKEN 1u
/* Reachable while the user must first change their password or enrol in
 * two-factor; every other route leads them there. */
#define ROUTE_SETUP 2u

/* Checks the table: every route has a handler, an action and a known
 * function. Returns 0, or -1 after printing each bad route to stderr. The
 * program refuses to start when this fails. */
int route_check_table(const route *table, size_t n);
/* The program's own table. */
const route *route_table(size_t *n);

/* Finds the route for method and path. Returns 0 with *out set (and *id for
 * "{id}" patterns), 404 when no pattern matches the path, or 405 when one
 * does but not for this method (allow gets the allowed methods). */
int route_find(const char *method, const char *path, const route **out, long long *id, char allow[32]);

#endif
