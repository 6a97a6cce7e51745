/* serve: a pre-fork supervisor over a unix socket.
 *
 * The supervisor owns the socket and the workers; it never touches the
 * database or a request. Each worker is single-threaded, opens its own
 * database connection after the fork and handles one request at a time. */
#include "serve.h"

#include <errno.h>
#include <fcgiapp.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "memory.h"
#include "render.h"
#include "route.h"

#define MAX_WORKERS 256
#define DRAIN_SECONDS 15

static volatile sig_atomic_t got_stop, got_reload, worker_stop;

static void on_stop(int sig)
{
    (void)sig;
    got_stop = 1;
}

static void on_reload(int sig)
{
    (void)sig;
    got_reload = 1;
}

static void on_worker_stop(int sig)
{
    (void)sig;
    worker_stop = 1;
}

static void set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: accept() must return on a signal */
    sigaction(sig, &sa, NULL);
}

/* Binds the socket, refusing when a live instance already holds it. */
static int bind_socket(const conf *c)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(c->socket_path) >= sizeof sa.sun_path) {
        log_error("serve: socket path too long: %s", c->socket_path);
        return -1;
    }
    strcpy(sa.sun_path, c->socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        log_error("serve: socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        log_error("serve: another instance is serving %s; not starting", c->socket_path);
        close(fd);
        return -1;
    }
    close(fd);
    unlink(c->socket_path); /* a stale socket of a dead instance */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    mode_t old = umask(0777 & ~c->socket_mode);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc != 0) {
        log_error("serve: bind %s: %s", c->socket_path, strerror(errno));
        close(fd);
        return -1;
    }
    if (chmod(c->socket_path, c->socket_mode) != 0)
        log_warn("serve: chmod %s: %s", c->socket_path, strerror(errno));
    if (c->socket_group) {
        struct group *g = getgrnam(c->socket_group);
        if (!g || chown(c->socket_path, (uid_t)-1, g->gr_gid) != 0) {
            log_error("serve: cannot give %s to group %s", c->socket_path, c->socket_group);
            close(fd);
            return -1;
        }
    }
    if (listen(fd, 256) != 0) {
        log_error("serve: listen: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void worker_main(int listen_fd, const conf *c)
{
    set_handler(SIGTERM, on_worker_stop);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN); /* the supervisor decides; it sends SIGTERM */
    signal(SIGPIPE, SIG_IGN);
    if (memory_set_worker_limit(c->worker_memory_mb) != 0)
        log_warn("serve: cannot limit the worker's memory to %zu MiB (Server.WorkerMemoryMB): %s",
                 c->worker_memory_mb, strerror(errno));
    if (render_init(c->templates) != 0)
        _exit(1);
    db *d = db_open_lazy(c);
    FCGX_Request req;
    if (FCGX_InitRequest(&req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
        _exit(1);
    /* SIGTERM is held while a request runs, so no database read is cut by
     * EINTR; it is delivered (and seen) between requests. */
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    while (!worker_stop) {
        int rc = FCGX_Accept_r(&req);
        if (rc < 0) {
            if (worker_stop)
                break;
            if (rc == -EINTR || errno == EINTR)
                continue;
            log_error("serve: accept failed (%d); worker exits", rc);
            break;
        }
        sigprocmask(SIG_BLOCK, &term, NULL);
        app_handle(&req, c, d);
        FCGX_Finish_r(&req);
        memory_request_end();
        sigprocmask(SIG_UNBLOCK, &term, NULL);
    }
    FCGX_Finish_r(&req);
    db_close(d);
    _exit(0);
}

typedef struct worker {
    pid_t pid;
    int64_t started_us;
    int generation;
} worker;

static worker workers[MAX_WORKERS];

static pid_t spawn(int listen_fd, const conf *c, int slot, int generation)
{
    pid_t pid = fork();
    if (pid < 0) {
        log_error("serve: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0)
        worker_main(listen_fd, c);
    workers[slot] = (worker){pid, now_mono_us(), generation};
    return pid;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int live_workers(void)
{
    int n = 0;
    for (int i = 0; i < MAX_WORKERS; i++)
        if (workers[i].pid > 0)
            n++;
    return n;
}

static int reap(void)
{
    int status, n = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_WORKERS; i++) {
            if (workers[i].pid != pid)
                continue;
            workers[i].pid = 0;
            if (WIFSIGNALED(status))
                log_warn("serve: worker %d died of signal %d", (int)pid, WTERMSIG(status));
            else if (WEXITSTATUS(status) != 0)
                log_warn("serve: worker %d exited with status %d", (int)pid, WEXITSTATUS(status));
            if (now_mono_us() - workers[i].started_us < 1000000)
                n++;
        }
    }
    return n;
}

int serve_run(const char *conf_path)
{
    conf *c = conf_load(conf_path);
    if (!c)
        return 1;
    enum log_level lvl;
    if (log_parse_level(c->log_level, &lvl) == 0)
        log_set_level(lvl);
    /* Every request writes its audit row or does nothing: without the key
     * every request would fail, so the service does not start. */
    if (!c->has_audit_key) {
        fprintf(stderr, "ctrack: Audit.KeyFile is required to serve (make one with: openssl rand 32 > FILE)\n");
        conf_free(c);
        return 1;
    }
    if (c->bench_audit != BENCH_AUDIT_FULL) {
        const char *b = getenv("CTRACK_BENCH");
        if (!b || strcmp(b, "1") != 0) {
            fprintf(stderr, "ctrack: Bench.Audit is for benchmarks only (it needs CTRACK_BENCH=1); not starting\n");
            conf_free(c);
            return 1;
        }
        log_warn("serve: BENCHMARK SETTING: the audit trail is %s",
                 c->bench_audit == BENCH_AUDIT_OFF ? "OFF: no request is recorded" : "written without its chain");
    }
    size_t nroutes;
    const route *rt = route_table(&nroutes);
    if (route_check_table(rt, nroutes) != 0) {
        fprintf(stderr, "ctrack: the route table is invalid; not starting\n");
        return 1;
    }
    if (db_library_init() != 0) {
        log_error("serve: cannot initialise the database client library");
        return 1;
    }
    if (FCGX_Init() != 0) {
        log_error("serve: FCGX_Init failed");
        return 1;
    }
    int fd = bind_socket(c);
    if (fd < 0)
        return 1;
    set_handler(SIGTERM, on_stop);
    set_handler(SIGINT, on_stop);
    set_handler(SIGHUP, on_reload);
    signal(SIGPIPE, SIG_IGN);
    log_info("serve: listening on %s with %d workers", c->socket_path, c->workers);

    int generation = 0;
    long backoff_ms = 0;
    int64_t next_spawn_us = 0;
    while (!got_stop) {
        int quick_deaths = reap();
        if (quick_deaths) {
            /* Workers that die at once (bad config, no memory) are restarted
             * ever more slowly instead of in a tight loop. */
            backoff_ms = backoff_ms ? backoff_ms * 2 : 100;
            if (backoff_ms > 5000)
                backoff_ms = 5000;
            next_spawn_us = now_mono_us() + backoff_ms * 1000;
        }
        if (got_reload) {
            got_reload = 0;
            conf *fresh = conf_load(conf_path);
            if (!fresh) {
                log_error("serve: reload refused: the config has errors; keeping the running one");
            } else {
                if (strcmp(fresh->socket_path, c->socket_path) != 0)
                    log_warn("serve: Server.Socket changed; it takes effect at the next restart");
                conf_free(c);
                c = fresh;
                if (log_parse_level(c->log_level, &lvl) == 0)
                    log_set_level(lvl);
                generation++;
                log_info("serve: reloaded config and templates; replacing workers");
                for (int i = 0; i < MAX_WORKERS; i++)
                    if (workers[i].pid > 0 && workers[i].generation != generation)
                        kill(workers[i].pid, SIGTERM);
            }
        }
        /* Old-generation workers finish their request and exit; new ones
         * fill their slots as they go. */
        int current = 0;
        for (int i = 0; i < MAX_WORKERS; i++)
            if (workers[i].pid > 0 && workers[i].generation == generation)
                current++;
        if (now_mono_us() >= next_spawn_us) {
            for (int i = 0; i < MAX_WORKERS && current < c->workers; i++) {
                if (workers[i].pid == 0 && spawn(fd, c, i, generation) > 0)
                    current++;
            }
            if (!quick_deaths && backoff_ms && now_mono_us() - next_spawn_us > 10000000)
                backoff_ms = 0;
        }
        /* Fewer workers wanted after a reload: stop the extra ones. */
        for (int i = MAX_WORKERS - 1; i >= 0 && current > c->workers; i--) {
            if (workers[i].pid > 0 && workers[i].generation == generation) {
                kill(workers[i].pid, SIGTERM);
                workers[i].generation = -1;
                current--;
            }
        }
        sleep_ms(50);
    }

    log_info("serve: stopping; draining %d workers", live_workers());
    close(fd);
    unlink(c->socket_path);
    for (int i = 0; i < MAX_WORKERS; i++)
        if (workers[i].pid > 0)
            kill(workers[i].pid, SIGTERM);
    int64_t deadline = now_mono_us() + DRAIN_SECONDS * 1000000LL;
    int64_t next_nudge = now_mono_us() + 1000000;
    while (live_workers() > 0 && now_mono_us() < deadline) {
        reap();
        sleep_ms(20);
        /* A SIGTERM that landed just before a worker blocked in accept() is
         * not seen there: say it again. */
        if (now_mono_us() >= next_nudge) {
            for (int i = 0; i < MAX_WORKERS; i++)
                if (workers[i].pid > 0)
                    kill(workers[i].pid, SIGTERM);
            next_nudge += 1000000;
        }
    }
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (workers[i].pid > 0) {
            log_warn("serve: worker %d did not stop in time; killing it", (int)workers[i].pid);
            kill(workers[i].pid, SIGKILL);
        }
    }
    while (waitpid(-1, NULL, 0) > 0)
        ;
    log_info("serve: stopped");
    conf_free(c);
    return 0;
}
