/* migrate: applies the numbered SQL files of Paths.Migrations in order, each
 * exactly once, recording each in schema_migrations. */
#ifndef CTRACK_MIGRATE_H
#define CTRACK_MIGRATE_H

#include <stddef.h>

#include "conf.h"

/* Runs `ctrack migrate` with the admin account. Returns the exit status. */
int migrate_run(const conf *c);

/* Splits SQL text into statements: a statement ends with ';' at the end of a
 * line; lines starting with "--" are comments. Calls fn for each statement
 * (a NUL-terminated copy, without the ';'). Returns the number of statements. */
int migrate_split(const char *text, size_t len, void (*fn)(void *ctx, const char *stmt), void *ctx);

#endif
