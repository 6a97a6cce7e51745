/* views: saved views, a contact filter kept under a name by its owner and
 * shared, if the owner wishes, with the owner's user type. The filter is
 * stored as its canonical query string (filter_query) and read back by
 * filter_parse (view=ID), so a view drives the list, the exports and the
 * dashboard exactly as the same parameters would; the user's row scope
 * still applies on top of it. */
#ifndef CTRACK_VIEWS_H
#define CTRACK_VIEWS_H

#include <stdbool.h>

#include "db.h"
#include "http.h"

/* The longest name of a view, in characters. */
#define VIEWS_NAME_MAX 100

typedef struct saved_view {
    long long id;
    long long user_id;  /* its owner */
    const char *name;
    const char *query;  /* "q=..&region=.." */
    bool shared;        /* shared with the owner's user type */
} saved_view;

/* Looks up view id among those the requesting user may use: their own and
 * those shared with their user type, in their client. Strings are copied
 * into r->mem. Returns 1 with *out set, 0 when there is no such view, or a
 * negative enum db_rc. */
int views_find(request *r, db *d, long long id, saved_view *out);

/* Puts the views the user may use on the page as Views.N.{id, name, query,
 * mine, shared, owner}, theirs first, then by name. Returns an enum db_rc. */
int views_put_list(request *r, db *d);

#endif
