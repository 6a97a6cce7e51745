/* acl: the function catalogue and the matrix lookups. */
#include "acl.h"

#include <string.h>

const char *const acl_functions[] = {
    "contacts.view",   "contacts.create",   "contacts.edit",     "contacts.delete",   "contacts.export",
    "contacts.import", "contacts.bulk_edit", "activities.view",  "activities.create", "activities.edit",
    "activities.delete", "campaigns.view",  "campaigns.manage",  "reports.view",      "audit.view",
    "users.manage",    "matrix.manage",     "tokens.manage",
};
const size_t acl_function_count = sizeof acl_functions / sizeof acl_functions[0];

_Static_assert(sizeof acl_functions / sizeof acl_functions[0] <= 64, "acl_set holds 64 functions");

static int index_of(const char *name)
{
    for (size_t i = 0; i < acl_function_count; i++)
        if (strcmp(acl_functions[i], name) == 0)
            return (int)i;
    return -1;
}

bool acl_is_function(const char *name)
{
    return index_of(name) >= 0;
}

bool acl_allows(acl_set set, const char *function)
{
    int i = index_of(function);
    return i >= 0 && (set >> i) & 1ULL;
}

static const char SQL_LOAD[] =
    "SELECT function_name FROM user_type_functions WHERE client_id = ? AND user_type_id = ?";

int acl_load(db *d, long long client_id, long long user_type_id, acl_set *out)
{
    *out = 0;
    db_stmt *s = db_stmt_get(d, SQL_LOAD);
    if (!s)
        return DB_ERR;
    db_bind_int(s, 0, client_id);
    db_bind_int(s, 1, user_type_id);
    int rc = db_run(s);
    if (rc != DB_OK)
        return rc;
    while ((rc = db_next(s)) == 1) {
        int i = index_of(db_text(s, 0, NULL));
        if (i >= 0)
            *out |= 1ULL << i;
    }
    return rc < 0 ? rc : DB_OK;
}
