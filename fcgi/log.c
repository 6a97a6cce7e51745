/* log: the logger. One write(2) per line so lines from several workers do not
 * interleave. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_LVL_INFO;
static char request_id[40];

void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

int log_parse_level(const char *s, enum log_level *out)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < CT_ARRAY_LEN(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_request(const char *rid)
{
    snprintf(request_id, sizeof request_id, "%s", rid ? rid : "");
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *tags[] = {"debug", "info", "warn", "error"};
    if (lvl < min_level)
        return;
    buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);

    buf line = {0};
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    buf_printf(&line, "%s ctrack[%d] %s", ts, (int)getpid(), tags[lvl]);
    if (request_id[0])
        buf_printf(&line, " req=%s", request_id);
    buf_addc(&line, ' ');
    for (size_t i = 0; i < msg.len; i++) {
        unsigned char c = (unsigned char)msg.data[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            buf_printf(&line, "\\x%02x", c);
        else
            buf_addc(&line, (char)c);
    }
    buf_addc(&line, '\n');
    ssize_t r = write(2, line.data, line.len);
    (void)r;
    buf_free(&msg);
    buf_free(&line);
}
