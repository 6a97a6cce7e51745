/* log: one line per event on stderr, with the request id; user-supplied text
 * is escaped so it cannot forge lines. */
#ifndef CTRACK_LOG_H
#define CTRACK_LOG_H

#include "util.h"

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERROR };

/* Sets the minimum level written; the default is info. */
void log_set_level(enum log_level lvl);
/* Parses "debug", "info", "warn" or "error"; -1 when unknown. */
int log_parse_level(const char *s, enum log_level *out);
/* Sets the request id printed on each line (NULL for none). */
void log_set_request(const char *request_id);
/* Writes one line; control characters in the formatted text are escaped. */
void log_msg(enum log_level lvl, const char *fmt, ...) CT_PRINTF(2, 3);

#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)

#endif
