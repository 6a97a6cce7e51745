/* token: API tokens (token.h). */
#include "token.h"

int token_load(request *r, db *d)
{
    (void)r;
    (void)d;
    return DB_OK;
}
