/* serve: the supervisor and the worker loop. */
#ifndef CTRACK_SERVE_H
#define CTRACK_SERVE_H

/* Runs `ctrack serve`: binds the FastCGI unix socket, forks the workers,
 * restarts any that die, reloads on SIGHUP and drains on SIGTERM/SIGINT.
 * Returns the process exit status. */
int serve_run(const char *conf_path);

#endif
