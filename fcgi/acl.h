/* acl: the security matrix. The function catalogue is fixed here; a user
 * type is allowed a function only when the matrix says so (deny by default). */
#ifndef CTRACK_ACL_H
#define CTRACK_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/* The function catalogue, in display order. */
extern const char *const acl_functions[];
extern const size_t acl_function_count;

/* True when name is in the catalogue. */
bool acl_is_function(const char *name);

/* The functions a user type is allowed, as a bit set over acl_functions. */
typedef unsigned long long acl_set;

/* Reads the allowed set of a user type. Returns an enum db_rc. */
int acl_load(db *d, long long client_id, long long user_type_id, acl_set *out);
/* True when the set allows the named function (false for unknown names). */
bool acl_allows(acl_set set, const char *function);

#endif
