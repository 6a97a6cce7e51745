/* conf: reads the configuration file (an HDF subset: `Name { ... }` blocks,
 * `Dotted.Key = value` lines, `#` comments) into a typed, validated struct. */
#ifndef CTRACK_CONF_H
#define CTRACK_CONF_H

#include <stdbool.h>
#include <stddef.h>

/* One database server of DB.Servers (or DB.Socket): a unix socket, or a
 * host and TCP port. */
typedef struct conf_db_server {
    char *socket; /* absolute path, or NULL */
    char *host;   /* name or address (IPv6 without brackets), or NULL */
    unsigned port;
} conf_db_server;

#define CONF_MAX_DB_SERVERS 8

typedef struct conf {
    char *path;               /* the file it was read from */
    char *socket_path;        /* Server.Socket */
    unsigned socket_mode;     /* Server.SocketMode (octal) */
    char *socket_group;       /* Server.SocketGroup, or NULL */
    int workers;              /* Server.Workers */
    size_t max_body;          /* Server.MaxBody, bytes */
    size_t max_upload;        /* Server.MaxUpload, bytes: the body of POST HTTP_UPLOAD_PATH */
    int request_deadline;     /* Server.RequestDeadlineSeconds */
    size_t request_memory_mb; /* Server.RequestMemoryMB: one request's budget (memory.h) */
    size_t worker_memory_mb;  /* Server.WorkerMemoryMB: a worker's hard ceiling, 0 for none */
    /* DB.Servers (or the one DB.Socket), in order of preference: the
     * program writes only to the one that is writable (db.c). */
    conf_db_server db_servers[CONF_MAX_DB_SERVERS];
    int n_db_servers;
    char *db_name;            /* DB.Name */
    char *db_user;            /* DB.User */
    char *db_password;        /* read from DB.PasswordFile */
    char *db_admin_user;      /* DB.AdminUser, or NULL */
    /* DB.AdminPasswordFile and DB.MaintenancePasswordFile are read only by
     * the commands that use those accounts (db_open), never by `ctrack
     * serve`: the service's user need not be able to read them. */
    char *db_admin_password_file;
    char *db_maint_user;      /* DB.MaintenanceUser, or NULL */
    char *db_maint_password_file;
    int db_timeout;           /* DB.TimeoutSeconds: read/write; limits derive */
    char *templates;          /* Paths.Templates */
    char *migrations;         /* Paths.Migrations */
    char *demo_data;          /* Paths.DemoData */
    int session_idle_min;     /* Session.IdleMinutes */
    int session_abs_hours;    /* Session.AbsoluteHours */
    int pbkdf2_iterations;    /* Password.Iterations (>= 600000) */
    int lockout_failures;     /* Lockout.Failures: a username locks after this many */
    int lockout_window_min;   /* Lockout.WindowMinutes: ... within this window */
    int lockout_min;          /* Lockout.Minutes: for this long */
    int lockout_addr_failures; /* Lockout.AddressFailures: an address stops after this many; 0 never */
    /* TwoFactor.KeyFile: the 32-byte key that seals two-factor secrets in
     * the database (crypto_seal); has_two_factor_key false without one. */
    unsigned char two_factor_key[32];
    bool has_two_factor_key;
    char *two_factor_issuer;  /* TwoFactor.Issuer: the name authenticator apps show */
    /* Audit.KeyFile: the 32-byte key of the audit chain's HMAC; without it
     * no audit row can be written (so nothing is done). */
    unsigned char audit_key[32];
    bool has_audit_key;
    /* Bench.Audit: benchmark-only, to measure what the audit trail costs:
     * full (the default), unchained (rows without their chain hash) or off
     * (no rows at all). `ctrack serve` refuses anything but full unless
     * CTRACK_BENCH=1 is in its environment. */
    enum { BENCH_AUDIT_FULL, BENCH_AUDIT_UNCHAINED, BENCH_AUDIT_OFF } bench_audit;
    char *log_level;          /* Log.Level */
    long long test_fail_export_after; /* Test.FailExportAfterRows: 0, or break exports after N rows */
} conf;

/* One key = value pair found in a file, for conf_parse_text callers. */
typedef void (*conf_pair_fn)(void *ctx, const char *key, const char *value);

/* Parses HDF-subset text, calling fn for every assignment with the full dotted
 * key. Returns 0, or -1 with a message (line number included) in err. */
int conf_parse_text(const char *text, size_t len, conf_pair_fn fn, void *ctx, char *err, size_t errlen);

/* The first line of a password file, or NULL with the reason in err. */
char *conf_read_secret(const char *path, char *err, size_t errlen);

/* Parses the value of DB.Servers: entries separated by commas or spaces,
 * each an absolute socket path, `host`, `host:port` or `[v6-address]:port`
 * (port 3306 when none). Fills out[] (strings owned by the caller, freed
 * with conf_free_servers); returns the count, or -1 with a message. */
int conf_parse_servers(const char *text, conf_db_server *out, int max, char *err, size_t errlen);
void conf_free_servers(conf_db_server *s, int n);
/* "host:port", "[v6]:port" or the socket path, for messages. */
void conf_server_name(const conf_db_server *s, char *out, size_t n);

/* Reads and validates the file; on failure returns NULL and prints why to
 * stderr. Free with conf_free. */
conf *conf_load(const char *path);
void conf_free(conf *c);

#endif
