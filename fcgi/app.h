/* app: the path of one request through a worker: route, BEGIN, auth, access
 * check, handler, render, audit, COMMIT, send. */
#ifndef CTRACK_APP_H
#define CTRACK_APP_H

#include "conf.h"
#include "db.h"

/* Handles one accepted FastCGI request (fcgx is the FCGX_Request) on the
 * worker's database handle. Always answers; never fails. */
void app_handle(void *fcgx, const conf *cf, db *d);

#endif
