/* Unit tests for conf: the HDF-subset parser and the typed loader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "conf.h"
#include "util.h"

/* Collects "key=value\n" lines. */
static void collect(void *ctx, const char *key, const char *value)
{
    buf_printf(ctx, "%s=%s\n", key, value);
}

static int parse(const char *text, buf *out, char *err, size_t errlen)
{
    buf_reset(out);
    err[0] = '\0';
    return conf_parse_text(text, strlen(text), collect, out, err, errlen);
}

static void test_blocks_and_keys(void **state)
{
    (void)state;
    buf out = {0};
    char err[200];
    const char *text = "# a comment\n"
                       "Top = 1\n"
                       "\n"
                       "Server {\n"
                       "  # indented comment\n"
                       "  Socket = /run/x.sock  \n"
                       "  Inner {\n"
                       "    Deep.Key = two words\n"
                       "  }\n"
                       "  After = yes\n"
                       "}\n"
                       "Dotted.Name.Here=v\n"
                       "Empty =\n";
    assert_int_equal(parse(text, &out, err, sizeof err), 0);
    assert_string_equal(buf_str(&out), "Top=1\n"
                                       "Server.Socket=/run/x.sock\n"
                                       "Server.Inner.Deep.Key=two words\n"
                                       "Server.After=yes\n"
                                       "Dotted.Name.Here=v\n"
                                       "Empty=\n");
    buf_free(&out);
}

static void test_crlf_and_no_final_newline(void **state)
{
    (void)state;
    buf out = {0};
    char err[200];
    assert_int_equal(parse("A {\r\n  B = 1\r\n}\r\nC = x = y", &out, err, sizeof err), 0);
    assert_string_equal(buf_str(&out), "A.B=1\nC=x = y\n");
    assert_int_equal(parse("", &out, err, sizeof err), 0);
    assert_string_equal(buf_str(&out), "");
    buf_free(&out);
}

static void expect_error(const char *text, const char *msg)
{
    buf out = {0};
    char err[200];
    assert_int_equal(parse(text, &out, err, sizeof err), -1);
    assert_string_equal(err, msg);
    buf_free(&out);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    expect_error("A = 1\n}\n", "line 2: '}' without a block");
    expect_error("A {\n}\n}\n", "line 3: '}' without a block");
    expect_error("A = 1\nB {\n  C = 2\n", "line 2: block B is not closed");
    expect_error("A {\n  B {\n  }\n", "line 1: block A is not closed");
    expect_error("A = 1\n\nno equals sign here\n", "line 3: expected 'Key = value'");
    expect_error("A = 1\nbad key = 2\n", "line 2: bad key");
    expect_error("A..B = 1\n", "line 1: bad key");
    expect_error(".A = 1\n", "line 1: bad key");
    expect_error("A. = 1\n", "line 1: bad key");
    expect_error(" = 1\n", "line 1: bad key");
    expect_error("A-B {\n}\n", "line 1: bad block name");
    expect_error("A { B = 1 }\n", "line 1: bad key");
    expect_error("A = 1\n# fine\nB {\n  C = 1\n  D\n}\n", "line 5: expected 'Key = value'");

    /* A NUL byte is refused, not taken as the end of the text. */
    buf out = {0};
    char err[200];
    static const char nul[] = "A = 1\nB = x\0y\n";
    assert_int_equal(conf_parse_text(nul, sizeof nul - 1, collect, &out, err, sizeof err), -1);
    assert_string_equal(err, "line 2: NUL byte");
    buf_free(&out);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    buf text = {0}, out = {0};
    char err[200];
    for (int i = 0; i < 8; i++)
        buf_printf(&text, "L%d {\n", i);
    buf_adds(&text, "K = v\n");
    for (int i = 0; i < 8; i++)
        buf_adds(&text, "}\n");
    assert_int_equal(conf_parse_text(text.data, text.len, collect, &out, err, sizeof err), 0);
    assert_string_equal(buf_str(&out), "L0.L1.L2.L3.L4.L5.L6.L7.K=v\n");
    buf_reset(&text);
    for (int i = 0; i < 9; i++)
        buf_printf(&text, "L%d {\n", i);
    assert_int_equal(conf_parse_text(text.data, text.len, collect, &out, err, sizeof err), -1);
    assert_string_equal(err, "line 9: blocks nested too deep");
    buf_free(&text);
    buf_free(&out);
}

/* conf_load reads files: make them in a private temporary folder. */
static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static conf *load(const char *text)
{
    write_file("c.hdf", text);
    char path[128];
    snprintf(path, sizeof path, "%s/c.hdf", dir);
    return conf_load(path);
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ctrack-test-conf-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    write_file("pw", "app-secret\n");
    write_file("admin-pw", "admin-secret\r\n");
    write_file("empty", "");
    return 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    static const char *const names[] = {"c.hdf", "pw", "admin-pw", "empty"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    return rmdir(dir);
}

static void test_load_minimal_uses_defaults(void **state)
{
    (void)state;
    buf t = {0};
    buf_printf(&t,
               "Server {\n Socket = /run/s.sock\n}\n"
               "DB {\n Socket = /run/db.sock\n Name = ctrack\n User = app\n PasswordFile = %s/pw\n}\n"
               "Paths.Templates = /t\n",
               dir);
    conf *c = load(buf_str(&t));
    assert_non_null(c);
    assert_string_equal(c->socket_path, "/run/s.sock");
    assert_string_equal(c->db_name, "ctrack");
    assert_string_equal(c->db_password, "app-secret");
    assert_null(c->db_admin_user);
    assert_null(c->db_admin_password_file);
    assert_null(c->demo_data);
    assert_int_equal(c->workers, 4);
    assert_int_equal(c->max_body, 1 << 20);
    assert_int_equal(c->socket_mode, 0660);
    assert_int_equal(c->pbkdf2_iterations, 600000);
    assert_int_equal(c->session_idle_min, 30);
    assert_int_equal(c->session_abs_hours, 12);
    assert_int_equal(c->db_timeout, 10);
    assert_int_equal(c->request_deadline, 15);
    assert_int_equal(c->request_memory_mb, 256);
    assert_int_equal(c->worker_memory_mb, 1024);
    assert_string_equal(c->log_level, "info");
    conf_free(c);
    buf_free(&t);
}

static void test_load_all_keys(void **state)
{
    (void)state;
    buf t = {0};
    buf_printf(&t,
               "Server {\n Socket = /s\n SocketMode = 0600\n SocketGroup = www-data\n Workers = 8\n"
               " MaxBody = 2048\n RequestDeadlineSeconds = 7\n}\n"
               "DB {\n Socket = /d\n Name = n\n User = u\n PasswordFile = %s/pw\n AdminUser = adm\n"
               " AdminPasswordFile = %s/admin-pw\n TimeoutSeconds = 3\n}\n"
               "Paths {\n Templates = /t\n Migrations = /m\n DemoData = /dd\n}\n"
               "Session {\n IdleMinutes = 5\n AbsoluteHours = 2\n}\n"
               "Password.Iterations = 700000\nLog.Level = debug\n",
               dir, dir);
    conf *c = load(buf_str(&t));
    assert_non_null(c);
    assert_int_equal(c->socket_mode, 0600);
    assert_string_equal(c->socket_group, "www-data");
    assert_int_equal(c->workers, 8);
    assert_int_equal(c->max_body, 2048);
    assert_string_equal(c->db_admin_user, "adm");
    /* An operator's password is read by the command that uses it, not here. */
    char want[300];
    snprintf(want, sizeof want, "%s/admin-pw", dir);
    assert_string_equal(c->db_admin_password_file, want);
    char err[600];
    char *pw = conf_read_secret(c->db_admin_password_file, err, sizeof err);
    assert_non_null(pw);
    assert_string_equal(pw, "admin-secret");
    free(pw);
    assert_int_equal(c->db_timeout, 3);
    assert_int_equal(c->request_deadline, 7);
    assert_string_equal(c->migrations, "/m");
    assert_string_equal(c->demo_data, "/dd");
    assert_int_equal(c->session_idle_min, 5);
    assert_int_equal(c->session_abs_hours, 2);
    assert_int_equal(c->pbkdf2_iterations, 700000);
    assert_string_equal(c->log_level, "debug");
    conf_free(c);
    buf_free(&t);
}

static void test_load_refuses_bad_files(void **state)
{
    (void)state;
    static const char *const extra[] = {
        "Unknown.Key = 1\n",
        "Password.Iterations = 1000\n",   /* below the floor */
        "Server.Workers = 0\n",
        "Server.Workers = 4x\n",
        "Server.SocketMode = 0999\n",
        "Server.SocketMode = 01777\n",
        "Log.Level = loud\n",
        "DB.TimeoutSeconds = 1\n",          /* no room for the limits inside it */
        "Server.RequestDeadlineSeconds = 0\n",
        "Server.RequestMemoryMB = 0\n",
        "Server.WorkerMemoryMB = -1\n",
        /* the ceiling must leave room for the budget */
        "Server.RequestMemoryMB = 100\nServer.WorkerMemoryMB = 200\n",
        "Broken {\n",
    };
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        buf t = {0};
        buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/pw\n"
                   "Paths.Templates = /t\n%s", dir, extra[i]);
        assert_null(load(buf_str(&t)));
        buf_free(&t);
    }
    /* Required keys, and a password file that is empty. */
    buf t = {0};
    buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.User = u\nDB.PasswordFile = %s/pw\nPaths.Templates = /t\n",
               dir);
    assert_null(load(buf_str(&t)));
    buf_reset(&t);
    buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/empty\n"
               "Paths.Templates = /t\n", dir);
    assert_null(load(buf_str(&t)));
    buf_free(&t);
    /* A missing operator's password file is not the service's business: it
     * loads, and the command that needs the password says what is wrong. */
    buf_reset(&t);
    buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/pw\n"
               "Paths.Templates = /t\nDB.AdminPasswordFile = /nonexistent/ctrack-test\n", dir);
    conf *c = load(buf_str(&t));
    assert_non_null(c);
    char err[600];
    assert_null(conf_read_secret(c->db_admin_password_file, err, sizeof err));
    assert_string_equal(err, "cannot read /nonexistent/ctrack-test: No such file or directory");
    char empty[300];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    assert_null(conf_read_secret(empty, err, sizeof err));
    assert_string_equal(err + strlen(err) - 9, " is empty");
    conf_free(c);
    buf_free(&t);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/no-such-file", dir);
    assert_null(conf_load(missing));
}

/* The sealing key: 32 bytes in a file no one else may read. */
static void test_two_factor_key(void **state)
{
    (void)state;
    char path[128];
    unsigned char key[33];
    for (int i = 0; i < 33; i++)
        key[i] = (unsigned char)(i * 7);
    static const struct {
        const char *name;
        size_t len;
        unsigned mode;
        bool ok;
    } files[] = {
        {"key-ok", 32, 0600, true}, {"key-group", 32, 0640, true}, {"key-short", 31, 0600, false},
        {"key-long", 33, 0600, false}, {"key-open", 32, 0644, false}, {"key-group-w", 32, 0660, false},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(key, 1, files[i].len, f), files[i].len);
        fclose(f);
        assert_int_equal(chmod(path, files[i].mode), 0);
        buf t = {0};
        buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/pw\n"
                   "Paths.Templates = /t\nTwoFactor {\n KeyFile = %s\n Issuer = Example Org\n}\n", dir, path);
        conf *c = load(buf_str(&t));
        if (files[i].ok) {
            assert_non_null(c);
            assert_true(c->has_two_factor_key);
            assert_memory_equal(c->two_factor_key, key, 32);
            assert_string_equal(c->two_factor_issuer, "Example Org");
        } else {
            assert_null(c);
        }
        conf_free(c);
        buf_free(&t);
        unlink(path);
    }
    /* Without the key: no key, and the default issuer. */
    buf t = {0};
    buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/pw\n"
               "Paths.Templates = /t\n", dir);
    conf *c = load(buf_str(&t));
    assert_non_null(c);
    assert_false(c->has_two_factor_key);
    assert_string_equal(c->two_factor_issuer, "Contact Tracking");
    conf_free(c);
    /* A missing key file, and an issuer with the label's separator. */
    buf_printf(&t, "TwoFactor.KeyFile = %s/no-such-key\n", dir);
    assert_null(load(buf_str(&t)));
    buf_reset(&t);
    buf_printf(&t, "Server.Socket = /s\nDB.Socket = /d\nDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/pw\n"
               "Paths.Templates = /t\nTwoFactor.Issuer = a:b\n", dir);
    assert_null(load(buf_str(&t)));
    buf_free(&t);
}

/* DB.Servers: the ordered list of database servers, and DB.Socket as a list
 * of one. */
static void test_db_servers(void **state)
{
    (void)state;
    conf_db_server sv[CONF_MAX_DB_SERVERS];
    char err[200], name[300];
    int n = conf_parse_servers(" 127.0.0.1:3307, db2.example.org  /run/mysqld/mysqld.sock,[::1]:3308 ", sv,
                               CONF_MAX_DB_SERVERS, err, sizeof err);
    assert_int_equal(n, 4);
    assert_null(sv[0].socket);
    assert_string_equal(sv[0].host, "127.0.0.1");
    assert_int_equal(sv[0].port, 3307);
    assert_string_equal(sv[1].host, "db2.example.org");
    assert_int_equal(sv[1].port, 3306);
    assert_null(sv[2].host);
    assert_string_equal(sv[2].socket, "/run/mysqld/mysqld.sock");
    assert_string_equal(sv[3].host, "::1");
    assert_int_equal(sv[3].port, 3308);
    conf_server_name(&sv[3], name, sizeof name);
    assert_string_equal(name, "[::1]:3308");
    conf_server_name(&sv[0], name, sizeof name);
    assert_string_equal(name, "127.0.0.1:3307");
    conf_free_servers(sv, n);

    static const struct {
        const char *text, *message;
    } bad[] = {
        {"", "no server given"},
        {" , ,", "no server given"},
        {"db:0", "db:0: the port must be a number from 1 to 65535"},
        {"db:65536", "db:65536: the port must be a number from 1 to 65535"},
        {"db:33x", "db:33x: the port must be a number from 1 to 65535"},
        {"db:", "db:: the port must be a number from 1 to 65535"},
        {"[::1", "[::1: an IPv6 address needs its closing ']'"},
        {"[::1]3306", "[::1]3306: expected ':port' after ']'"},
        {"db_1:3306", "db_1:3306 is not a socket path (starting with /), host, host:port or [address]:port"},
        {"relative.sock/x", "relative.sock/x is not a socket path (starting with /), host, host:port or "
                            "[address]:port"},
        {"a,b,c,d,e,f,g,h,i", "at most 8 servers"},
        {"db1:3306 DB1:3306", "DB1:3306 is listed twice"},
        {"db1 db1:3306", "db1:3306 is listed twice"},
        {"/run/a.sock,/run/a.sock", "/run/a.sock is listed twice"},
        {"[example.com]:3306", "[example.com]:3306 is not a socket path (starting with /), host, host:port or "
                               "[address]:port"},
        {"[fe80::1%eth0]:3306", "[fe80::1%eth0]:3306 is not a socket path (starting with /), host, host:port or "
                                "[address]:port"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(conf_parse_servers(bad[i].text, sv, CONF_MAX_DB_SERVERS, err, sizeof err), -1);
        assert_string_equal(err, bad[i].message);
    }

    /* In a file: DB.Servers, or DB.Socket (one path), never both. */
    buf t = {0};
    buf_printf(&t, "Server.Socket = /s\nDB.Servers = 127.0.0.1:3307 127.0.0.1:3308\nDB.Name = n\nDB.User = u\n"
               "DB.PasswordFile = %s/pw\nPaths.Templates = /t\n", dir);
    conf *c = load(buf_str(&t));
    assert_non_null(c);
    assert_int_equal(c->n_db_servers, 2);
    assert_int_equal(c->db_servers[1].port, 3308);
    conf_free(c);
    static const char *wrong[] = {
        "DB.Socket = /d\nDB.Servers = h:1\n", /* both */
        "",                                  /* neither */
        "DB.Socket = h:3306\n",              /* DB.Socket is a path */
        "DB.Socket = /a /b\n",               /* of one server */
        "DB.Servers = h:99999\n",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        buf_reset(&t);
        buf_printf(&t, "Server.Socket = /s\n%sDB.Name = n\nDB.User = u\nDB.PasswordFile = %s/pw\n"
                   "Paths.Templates = /t\n", wrong[i], dir);
        assert_null(load(buf_str(&t)));
    }
    buf_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_and_keys),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_load_minimal_uses_defaults),
        cmocka_unit_test(test_load_all_keys),
        cmocka_unit_test(test_db_servers),
        cmocka_unit_test(test_load_refuses_bad_files),
        cmocka_unit_test(test_two_factor_key),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
