#!/bin/bash
# Start and stop a private ctrack stack (MariaDB, `ctrack serve`, nginx) that
# lives entirely under one folder, for `make run` and `make test`. It has its
# own sockets, port and data, so it never depends on or disturbs the system's
# mariadb or nginx services.
#
#   conf/stack.sh deps [security]
#                             install the Debian packages the stack needs, or
#                             with "security" the scanners of make security
#   conf/stack.sh start DIR PORT WORKERS [CTRACK_BINARY]
#   conf/stack.sh stop DIR
#   conf/stack.sh restart-app DIR [CTRACK_BINARY]
#   conf/stack.sh db DIR status|promote N|rejoin N|rebuild N|start N|stop N
#   conf/stack.sh backup DIR
#   conf/stack.sh restore DIR [--backup NAME] [--until 'YYYY-MM-DD HH:MM:SS'] [--from offsite|local]
#
# `start` is idempotent: it keeps all data, does first-run steps once and
# starts only what is not running. `start` passes its environment to
# `ctrack setup-demo` (which reads ADMIN_PASSWORD). CTRACK_DB_BUFFER_POOL
# sets MariaDB's innodb_buffer_pool_size (default 256M); it applies when
# MariaDB (re)starts. CTRACK_LOGIN_RATE sets nginx's rate limit of logon
# POSTs per address (default 10r/m; the tests use a faster one so that they
# can log on often, and measure the limit against it).
#
# CTRACK_STANDBY=1 at the first start of a folder makes its database a
# replicated pair instead of one server: server 1 (the primary) and server 2
# (a semi-synchronous standby), replicating over TCP on 127.0.0.1, with
# ctrack given both (DB.Servers). The folder remembers it (DIR/ha). `db`
# works on such a pair: status of both servers, promote server N (fencing the
# other), rejoin server N as the standby of the other, rebuild server N as a
# standby from a fresh backup of the primary (when it has transactions the
# primary lacks and cannot rejoin), start or stop server N (conf/ctrack-db
# does the promotion and rejoin).
#
# `backup` takes a backup of the running stack with conf/ctrack-backup into
# DIR/backups, copied to DIR/offsite or to CTRACK_BACKUP_OFFSITE (a path or
# [user@]host:path); CTRACK_BACKUP_KEEP_DAYS (default 30) is the retention.
# `restore` stops the app, restores from the off-site copy (or --from local)
# into a new data directory with ctrack-backup's checks and, only if every
# check passed, swaps it in for DIR/db (the old one kept as
# DIR/db.before-restore-TIME) and starts everything again.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
CONF=$REPO/conf
# shellcheck disable=SC2034 # used by render()
HTDOCS=$REPO/htdocs
PY=/usr/bin/python3
# nginx and mariadbd live in /usr/sbin, which is not on a normal user's PATH.
PATH=$PATH:/usr/sbin:/sbin

DEPS="nginx mariadb-server mariadb-client mariadb-backup rsync libfcgi-dev libfcgi-bin libmariadb-dev
libssl-dev clearsilver-dev zlib1g-dev libcmocka-dev clang libclang-rt-14-dev python3-pytest
python3-requests wrk openssl curl pkg-config gcc make chromium libqrencode-dev libunistring-dev libyaml-dev
zbar-tools systemd tzdata"
# Only for `make security` (conf/stack.sh deps security): the scanners.
SECURITY_DEPS="testssl.sh sqlmap wapiti"

die() { echo "stack.sh: $*" >&2; exit 1; }
usage() { echo usage: >&2; sed -n 's/^#   conf/  conf/p' "$0" >&2; exit 2; }

# As root the daemons must be told to stay root: mariadbd and nginx would
# otherwise switch to users that cannot read a private folder.
if [ "$(id -u)" = 0 ]; then AS_ROOT=1; else AS_ROOT=; fi

deps() {
    local p missing= list=$DEPS
    if [ "${1:-}" = security ]; then list=$SECURITY_DEPS; fi
    for p in $list; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
            missing="$missing $p"
        fi
    done
    # The browser tests run under Node.js with npm. Any install of them will
    # do (another repository's nodejs package carries npm and conflicts with
    # Debian's), so look for the commands rather than the packages.
    if [ "$list" = "$DEPS" ]; then
        command -v node >/dev/null || missing="$missing nodejs"
        command -v npm >/dev/null || missing="$missing npm"
    fi
    [ -n "$missing" ] || return 0
    if [ -z "$AS_ROOT" ]; then
        echo "Missing Debian packages. Install them with:" >&2
        echo "sudo apt-get install -y --no-install-recommends$missing"
        exit 1
    fi
    echo "Installing:$missing"
    # A stale package index is the usual reason an install fails; refresh it
    # only then, so the common case stays fast and offline-friendly.
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing ||
        { apt-get update &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }
}

# Paths go unquoted into nginx.conf, my.cnf and the HDF file, and into sed
# replacements: allow only characters that are plain in all of them.
check_path() {
    case $2 in
        /*) ;;
        *) die "$1 must be an absolute path: $2" ;;
    esac
    printf '%s' "$2" | grep -Eq '^[A-Za-z0-9._/+-]+$' ||
        die "$1 may contain only letters, digits and . _ / + -: $2"
}

set_dir() {
    DIR=${1%/}
    check_path DIR "$DIR"
    check_path "repository path" "$REPO"
    # A unix socket path is at most 107 bytes (run/mysqld.sock is the longest).
    [ $(( ${#DIR} + 16 )) -le 107 ] || die "DIR is too long for a unix socket path: $DIR"
    RUN=$DIR/run LOG=$DIR/log SECRETS=$DIR/secrets
    APP_SOCKET=$RUN/ctrack.sock
    HA='' HA_PORT1='' HA_PORT2=''
    if [ -s "$DIR/ha" ]; then
        read -r HA_PORT1 HA_PORT2 <"$DIR/ha" || die "unreadable $DIR/ha"
        HA=1
    fi
    node_vars ""
}

# node_vars N: the files of database server N of a replicated pair, or of the
# one server (N empty or 0).
node_vars() {
    NODE=${1#0}
    DB_DATA=$DIR/db$NODE
    DB_SOCKET=$RUN/mysqld$NODE.sock
    DB_PID=$RUN/mysqld$NODE.pid
    DB_CNF=$DIR/my$NODE.cnf
    DB_LOG=$LOG/mariadb$NODE.log
    ROOT_CNF=$SECRETS/root$NODE.cnf
    # shellcheck disable=SC2034 # used by render()
    case $NODE in
        1) NODE_PORT=$HA_PORT1 ;;
        2) NODE_PORT=$HA_PORT2 ;;
        *) NODE_PORT='' ;;
    esac
}

# primary_vars: node_vars of the server that takes the writes (a pair's
# primary of record, or the one server).
primary_vars() {
    if [ -n "$HA" ] && [ -s "$DIR/ha-primary" ]; then node_vars "$(cat "$DIR/ha-primary")"; else node_vars ""; fi
}

# The servers of the folder: 0 (the one server) or 1 2 (a replicated pair).
nodes() { if [ -n "$HA" ]; then echo "1 2"; else echo 0; fi; }
set_buffer_pool() {
    # shellcheck disable=SC2034 # used by render()
    DB_BUFFER_POOL=${CTRACK_DB_BUFFER_POOL:-256M}
    printf '%s' "$DB_BUFFER_POOL" | grep -Eq '^[1-9][0-9]*[KMG]?$' ||
        die "CTRACK_DB_BUFFER_POOL must be a size such as 256M or 1G: $DB_BUFFER_POOL"
}

set_ctrack() {
    CTRACK=${1:-$REPO/fcgi/ctrack}
    [ -x "$CTRACK" ] || die "no ctrack program at $CTRACK (build it with make)"
}

# render TEMPLATE OUTPUT: copy TEMPLATE with every @NAME@ replaced by $NAME.
render() {
    local v args=()
    for v in DIR PORT WORKERS REPO CONF HTDOCS APP_SOCKET NGINX_USER DB_BUFFER_POOL LOGIN_RATE NODE NODE_PORT \
        DB_SERVERS; do
        args+=(-e "s|@$v@|${!v-}|g")
    done
    sed "${args[@]}" "$1" >"$2.new"
    ! grep -q '@[A-Z_]*@' "$2.new" || die "unreplaced @VAR@ in $2.new"
    mv "$2.new" "$2"
}

# pid_of PIDFILE NAME: print the pid if that process still runs and is ours.
# Zombies count as gone (this machine's init may be slow to reap orphans), and
# a reused pid is rejected unless the command names DIR or NAME.
pid_of() {
    local pid state
    [ -s "$1" ] || return 1
    read -r pid <"$1" || true
    case $pid in '' | *[!0-9]*) return 1 ;; esac
    state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    case $state in '' | Z | X) return 1 ;; esac
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR/" ||
        case $(cat "/proc/$pid/comm" 2>/dev/null) in $2*) ;; *) return 1 ;; esac
    echo "$pid"
}

# wait_gone PID SECONDS: true once PID has exited (or is a zombie).
wait_gone() {
    local i=0 state
    while [ $i -lt $(( $2 * 5 )) ]; do
        state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
        case $state in '' | Z | X) return 0 ;; esac
        sleep 0.2; i=$((i + 1))
    done
    return 1
}

# group_gone PGID SECONDS: true once no live process is left in that group
# (the app's and nginx's workers share their master's process group).
group_gone() {
    local i=0
    while [ $i -lt $(( $2 * 5 )) ]; do
        ps -e -o pgid= -o stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }' ||
            return 0
        sleep 0.2; i=$((i + 1))
    done
    return 1
}

port_free() {
    # SO_REUSEADDR: like nginx, ignore connections in TIME_WAIT; a listener
    # on the port (127.0.0.1 or any address) still makes the bind fail.
    "$PY" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

layout() {
    mkdir -p "$RUN" "$LOG" "$DIR/tls" "$SECRETS" \
        "$DIR/nginx/conf" "$DIR/nginx/logs" "$DIR/nginx/temp"
    for t in client_body fastcgi proxy uwsgi scgi; do mkdir -p "$DIR/nginx/temp/$t"; done
    # run/ holds the sockets and log/ may hold personal data: owner and group only.
    chmod 0750 "$RUN" "$LOG"
    chmod 0700 "$SECRETS"
}

# new_secret FILE: a random password, made once and kept.
new_secret() {
    [ -s "$1" ] || (umask 077; openssl rand -hex 24 >"$1.new" && mv "$1.new" "$1")
    chmod 0600 "$1"
}

# new_key FILE: 32 random bytes, made once per stack and kept: a new
# two-factor key would make every enrolment unreadable, a new audit key would
# make every chained audit row fail `ctrack audit verify`.
new_key() {
    [ -s "$1" ] || (umask 077; openssl rand 32 >"$1.new" && mv "$1.new" "$1")
    chmod 0600 "$1"
}

# client_cnf FILE USER PASSWORD_FILE [DATABASE]: a client option file, so
# passwords never appear on a command line. Usable with --defaults-file or
# --defaults-extra-file.
client_cnf() {
    (umask 077
     { echo "[client]"
       echo "user=$2"
       echo "password=$(cat "$3")"
       echo "socket=$DB_SOCKET"
       [ -z "${4:-}" ] || echo "database=$4"
     } >"$1.new" && mv "$1.new" "$1")
}

db_ping() { mariadb-admin --no-defaults --socket="$DB_SOCKET" --connect-timeout=2 ping >/dev/null 2>&1; }

# start_server: starts the database server of node_vars (if it is not
# running) and waits until it answers.
start_server() {
    local pid deadline
    mkdir -p "$DB_DATA"
    chmod 0700 "$DB_DATA"
    if [ ! -d "$DB_DATA/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$DB_DATA" \
            --auth-root-authentication-method=normal ${AS_ROOT:+--user=root} \
            >"$LOG/mariadb-install$NODE.log" 2>&1 ||
            { tail -n 20 "$LOG/mariadb-install$NODE.log" >&2; die "mariadb-install-db failed"; }
    fi
    if [ -n "$NODE" ]; then
        render "$CONF/mariadb-node.cnf.in" "$DB_CNF"
    else
        render "$CONF/mariadb-private.cnf.in" "$DB_CNF"
    fi
    if ! pid_of "$DB_PID" mariadbd >/dev/null; then
        # --defaults-file must come first.
        setsid nohup mariadbd --defaults-file="$DB_CNF" ${AS_ROOT:+--user=root} \
            </dev/null >>"$DB_LOG" 2>&1 &
        pid=$!
        deadline=$((SECONDS + 30))
        until db_ping || [ $SECONDS -ge $deadline ]; do
            kill -0 "$pid" 2>/dev/null ||
                { tail -n 20 "$DB_LOG" >&2; die "mariadbd exited"; }
            sleep 0.2
        done
    fi
    db_ping || { tail -n 20 "$DB_LOG" >&2; die "MariaDB did not answer within 30 s"; }
}

# stop_server: stops the database server of node_vars.
stop_server() {
    local pid
    if pid=$(pid_of "$DB_PID" mariadbd); then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 60; then
            # With the durable settings of my.cnf, InnoDB recovers every
            # committed transaction at the next start.
            echo "stack.sh: mariadbd did not stop within 60 s: killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || die "mariadbd ($pid) is still running"
        fi
    fi
    rm -f "$DB_PID"
}

start_db() {
    local n
    for n in $(nodes); do
        node_vars "$n"
        start_server
        init_db
        client_cnf "$ROOT_CNF" root "$SECRETS/db-root"
        maint_account
        backup_account
        monitor_grant
        [ "$n" = 0 ] || repl_account
    done
    [ -z "$HA" ] || ha_roles
    primary_cnfs
}

# The accounts' option files (root.cnf, backup.cnf, ...) name the primary's
# socket: written at every start and after every promotion.
primary_cnfs() {
    primary_vars
    client_cnf "$SECRETS/root.cnf" root "$SECRETS/db-root"
    client_cnf "$SECRETS/backup.cnf" ctrack_backup "$SECRETS/db-backup"
    client_cnf "$SECRETS/admin.cnf" ctrack_admin "$SECRETS/db-admin" ctrack
    client_cnf "$SECRETS/app.cnf" ctrack_app "$SECRETS/db-app" ctrack
    client_cnf "$SECRETS/maint.cnf" ctrack_maint "$SECRETS/db-maint" ctrack
}

# The administration page shows each standby's delay: the application may
# read the replication state (SHOW SLAVE STATUS), nothing more.
monitor_grant() {
    mariadb --defaults-file="$ROOT_CNF" <<EOF
SET SESSION sql_log_bin = 0;
CREATE ROLE IF NOT EXISTS ctrack_app_role;
GRANT SLAVE MONITOR ON *.* TO ctrack_app_role;
EOF
}

# The standby's account on both servers of a pair (either may be the
# primary), over TCP from 127.0.0.1 only.
repl_account() {
    new_secret "$SECRETS/db-repl"
    mariadb --defaults-file="$ROOT_CNF" <<EOF
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS ctrack_repl@'127.0.0.1';
ALTER USER ctrack_repl@'127.0.0.1' IDENTIFIED BY '$(cat "$SECRETS/db-repl")';
GRANT REPLICATION SLAVE ON *.* TO ctrack_repl@'127.0.0.1';
EOF
}

# A pair's first start makes server 1 the primary and server 2 its standby;
# later starts (every server starts read-only) promote the primary of record
# again, unless one is writable already.
ha_roles() {
    local w n
    if [ ! -s "$DIR/ha-primary" ]; then
        ha_ctl promote 1
        ha_ctl rejoin 2
        return 0
    fi
    for n in 1 2; do
        node_vars "$n"
        w=$(mariadb --defaults-file="$ROOT_CNF" -N -B -e 'SELECT @@global.read_only' 2>/dev/null) || w=
        [ "$w" != 0 ] || return 0
    done
    ha_ctl promote "$(cat "$DIR/ha-primary")"
}

# rebuild N: server N of the pair becomes a standby again from a consistent
# backup of the primary (mariadb-backup), its own data set aside as
# DIR/dbN.before-rebuild-TIME: what an operator does with a server that
# diverged (README: "Replication: a primary and a standby").
rebuild() {
    local n=$1 p stamp target gtid
    p=$(cat "$DIR/ha-primary")
    [ "$n" != "$p" ] || die "server $n is the primary: promote the other one first"
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    target=$DIR/rebuild-$n-$stamp
    node_vars "$p"
    db_ping || die "the primary (server $p) does not answer"
    echo "stack.sh: a backup of the primary (server $p) for server $n"
    mariadb-backup --defaults-file="$ROOT_CNF" --backup --datadir="$DB_DATA" --target-dir="$target" \
        >"$LOG/rebuild-$n.log" 2>&1 || { tail -n 15 "$LOG/rebuild-$n.log" >&2; die "mariadb-backup --backup failed"; }
    mariadb-backup --no-defaults --prepare --target-dir="$target" >>"$LOG/rebuild-$n.log" 2>&1 ||
        { tail -n 15 "$LOG/rebuild-$n.log" >&2; die "mariadb-backup --prepare failed"; }
    read -r _ _ gtid <"$target/xtrabackup_binlog_info" || true
    printf '%s' "${gtid:-}" | grep -Eq '^[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*$' ||
        die "no GTID position in $target/xtrabackup_binlog_info"
    node_vars "$n"
    stop_server
    [ ! -d "$DB_DATA" ] || mv "$DB_DATA" "$DB_DATA.before-rebuild-$stamp"
    mv "$target" "$DB_DATA"
    : >"$DB_DATA/.ctrack-initialised"
    set_buffer_pool
    start_server
    # The copy ends at the backup's GTID: the standby follows from there.
    mariadb --defaults-file="$ROOT_CNF" -e "SET GLOBAL gtid_slave_pos = '$gtid'" ||
        die "could not set gtid_slave_pos on server $n"
    ha_ctl rejoin "$n"
    echo "stack.sh: server $n rebuilt from the primary at GTID $gtid; its old data is in $DB_DATA.before-rebuild-$stamp"
}

# ha_ctl promote|rejoin N: conf/ctrack-db on server N of the pair (the other
# one being the old primary, or the primary to follow).
ha_ctl() {
    local other=$(( 3 - $2 )) port down=()
    case $1 in
        promote)
            # Down means its process is gone; a server that runs but does
            # not answer (paused, overloaded) is not down, and promote
            # refuses to go on without fencing it.
            node_vars "$other"
            pid_of "$DB_PID" mariadbd >/dev/null || down=(--old-is-down)
            "$CONF/ctrack-db" promote "${down[@]}" "$SECRETS/root$2.cnf" "$SECRETS/root$other.cnf"
            echo "$2" >"$DIR/ha-primary"
            primary_cnfs
            ;;
        rejoin)
            if [ "$other" = 1 ]; then port=$HA_PORT1; else port=$HA_PORT2; fi
            "$CONF/ctrack-db" rejoin "$SECRETS/root$2.cnf" "127.0.0.1:$port" ctrack_repl "$SECRETS/db-repl"
            ;;
    esac
}

# The maintenance account of `ctrack audit purge` and `ctrack audit
# retention`, on every start so that a stack made before it existed gets it
# too. Migration 010 grants its role the audit table's DELETE.
maint_account() {
    new_secret "$SECRETS/db-maint"
    mariadb --defaults-file="$ROOT_CNF" <<EOF
SET SESSION sql_log_bin = 0;
CREATE ROLE IF NOT EXISTS ctrack_maint_role;
CREATE USER IF NOT EXISTS ctrack_maint@localhost;
ALTER USER ctrack_maint@localhost IDENTIFIED BY '$(cat "$SECRETS/db-maint")';
GRANT ctrack_maint_role TO ctrack_maint@localhost;
SET DEFAULT ROLE ctrack_maint_role FOR ctrack_maint@localhost;
EOF
}

# The backup account of conf/ctrack-backup, on every start like the
# maintenance account. Migration 014 grants its role INSERT on
# ctrack.backups; these are the global privileges mariadb-backup needs on
# 10.11 (RELOAD for BACKUP STAGE and FLUSH BINARY LOGS, PROCESS, LOCK TABLES,
# BINLOG MONITOR for the binary log position and SHOW BINARY LOGS).
backup_account() {
    new_secret "$SECRETS/db-backup"
    mariadb --defaults-file="$ROOT_CNF" <<EOF
SET SESSION sql_log_bin = 0;
CREATE ROLE IF NOT EXISTS ctrack_backup_role;
GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO ctrack_backup_role;
CREATE USER IF NOT EXISTS ctrack_backup@localhost;
ALTER USER ctrack_backup@localhost IDENTIFIED BY '$(cat "$SECRETS/db-backup")';
GRANT ctrack_backup_role TO ctrack_backup@localhost;
SET DEFAULT ROLE ctrack_backup_role FOR ctrack_backup@localhost;
EOF
}

# First run only: lock the fresh server down and create the accounts. The
# statements are idempotent and root's password is set last, so a run that
# stopped half-way can simply be repeated.
init_db() {
    local marker=$DB_DATA/.ctrack-initialised login
    [ ! -e "$marker" ] || return 0
    new_secret "$SECRETS/db-root"
    new_secret "$SECRETS/db-app"
    new_secret "$SECRETS/db-admin"
    client_cnf "$ROOT_CNF" root "$SECRETS/db-root"
    # Root has no password until the end of this step.
    login=(--defaults-file="$ROOT_CNF")
    mariadb "${login[@]}" -e 'SELECT 1' >/dev/null 2>&1 ||
        login=(--no-defaults --socket="$DB_SOCKET" --user=root)
    mariadb "${login[@]}" <<EOF
-- Accounts and passwords are per instance: keep them out of the binary log.
SET SESSION sql_log_bin = 0;
-- mariadb-install-db leaves anonymous accounts, password-less root accounts
-- for TCP hosts, and a test database open to everyone (PUBLIC): remove them.
DELETE FROM mysql.global_priv WHERE User = '';
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';
DELETE FROM mysql.db WHERE Db LIKE 'test%';
FLUSH PRIVILEGES;
DROP DATABASE IF EXISTS test;
CREATE DATABASE IF NOT EXISTS ctrack CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci;
-- The schema's migrations grant table privileges to this role.
CREATE ROLE IF NOT EXISTS ctrack_app_role;
CREATE USER IF NOT EXISTS ctrack_app@localhost;
ALTER USER ctrack_app@localhost IDENTIFIED BY '$(cat "$SECRETS/db-app")';
GRANT ctrack_app_role TO ctrack_app@localhost;
SET DEFAULT ROLE ctrack_app_role FOR ctrack_app@localhost;
CREATE USER IF NOT EXISTS ctrack_admin@localhost;
ALTER USER ctrack_admin@localhost IDENTIFIED BY '$(cat "$SECRETS/db-admin")';
GRANT ALL PRIVILEGES ON ctrack.* TO ctrack_admin@localhost WITH GRANT OPTION;
ALTER USER root@localhost IDENTIFIED BY '$(cat "$SECRETS/db-root")';
EOF
    : >"$marker"
}

make_cert() {
    [ -s "$DIR/tls/cert.pem" ] && [ -s "$DIR/tls/key.pem" ] && return 0
    (umask 077
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" -days 825 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -addext extendedKeyUsage=serverAuth 2>"$LOG/openssl.log") ||
        { cat "$LOG/openssl.log" >&2; die "could not make the TLS certificate"; }
    chmod 0600 "$DIR/tls/key.pem"
    chmod 0644 "$DIR/tls/cert.pem"
}

# The port the generated nginx.conf listens on (empty if none yet).
conf_port() { sed -n 's/^ *listen 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/nginx/nginx.conf" 2>/dev/null | head -n1; }

nginx_cmd() { nginx -e "$LOG/nginx-error.log" -p "$DIR/nginx/" -c "$DIR/nginx/nginx.conf" "$@"; }

# Checked before anything starts: our own running nginx may hold the port,
# anything else may not.
check_port() {
    if ! pid_of "$RUN/nginx.pid" nginx >/dev/null || [ "$(conf_port)" != "$PORT" ]; then
        port_free "$PORT" || die "port $PORT on 127.0.0.1 is already in use by another program"
    fi
}

start_nginx() {
    local pid
    # shellcheck disable=SC2034 # used by render()
    if [ -n "$AS_ROOT" ]; then
        NGINX_USER="user $(id -un) $(id -gn);"
    else
        NGINX_USER="# not root: the workers keep the invoking user"
    fi
    # shellcheck disable=SC2034 # used by render()
    LOGIN_RATE=${CTRACK_LOGIN_RATE:-10r/m}
    case $LOGIN_RATE in
        [1-9]*r/[ms]) ;;
        *) die "CTRACK_LOGIN_RATE must look like 10r/m or 2r/s: $LOGIN_RATE" ;;
    esac
    pid=$(pid_of "$RUN/nginx.pid" nginx) || pid=
    render "$CONF/ctrack-site.conf.in" "$DIR/nginx/conf/ctrack-site.conf"
    render "$CONF/ctrack-http.conf.in" "$DIR/nginx/conf/ctrack-http.conf"
    render "$CONF/nginx-private.conf.in" "$DIR/nginx/nginx.conf"
    nginx_cmd -t -q || die "nginx configuration test failed"
    if [ -n "$pid" ]; then
        kill -HUP "$pid"   # reload, in case the configuration changed
    else
        nginx_cmd </dev/null >>"$LOG/nginx-error.log" 2>&1 || die "nginx did not start (see $LOG/nginx-error.log)"
    fi
}

start_app() {
    local pid
    pid_of "$RUN/ctrack.pid" ctrack >/dev/null && return 0
    # Only setup-demo needs ADMIN_PASSWORD: the long-running server does not
    # keep it in its environment.
    env -u ADMIN_PASSWORD setsid nohup "$CTRACK" serve -c "$DIR/ctrack.hdf" \
        </dev/null >>"$LOG/ctrack.log" 2>&1 &
    echo $! >"$RUN/ctrack.pid"
}

wait_healthy() {
    local code deadline=$((SECONDS + 20))
    while [ $SECONDS -lt $deadline ]; do
        code=$(curl -sk --noproxy '*' --max-time 2 -o /dev/null -w '%{http_code}' \
            "https://127.0.0.1:$PORT/healthz" 2>/dev/null) || true
        [ "$code" = 200 ] && return 0
        pid_of "$RUN/ctrack.pid" ctrack >/dev/null || break
        sleep 0.2
    done
    echo "== last lines of $LOG/ctrack.log" >&2; tail -n 20 "$LOG/ctrack.log" >&2 || true
    echo "== last lines of $LOG/nginx-error.log" >&2; tail -n 10 "$LOG/nginx-error.log" >&2 || true
    die "https://127.0.0.1:$PORT/healthz did not answer 200 (last: ${code:-none})"
}

start() {
    case $# in 3 | 4) ;; *) usage ;; esac
    set_dir "$1"
    PORT=$2 WORKERS=$3
    case $PORT in '' | *[!0-9]*) die "PORT must be a number: $PORT" ;; esac
    if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then die "PORT out of range: $PORT"; fi
    case $WORKERS in '' | 0 | *[!0-9]*) die "WORKERS must be a positive number: $WORKERS" ;; esac
    set_buffer_pool
    set_ctrack "${4:-}"
    check_port

    layout
    ha_setup
    start_db
    # shellcheck disable=SC2034 # used by render()
    if [ -n "$HA" ]; then
        DB_SERVERS="$RUN/mysqld1.sock $RUN/mysqld2.sock"
    else
        DB_SERVERS=$RUN/mysqld.sock
    fi
    new_key "$SECRETS/two-factor.key"
    new_key "$SECRETS/audit.key"
    render "$CONF/ctrack.hdf.in" "$DIR/ctrack.hdf"
    "$CTRACK" migrate -c "$DIR/ctrack.hdf" || die "ctrack migrate failed"
    # The credentials file is setup-demo's own record of a finished first run.
    if [ ! -e "$DIR/initial-credentials" ]; then
        "$CTRACK" setup-demo -c "$DIR/ctrack.hdf" --credentials "$DIR/initial-credentials" ||
            die "ctrack setup-demo failed"
    fi
    # make run OPENSTATES=FOLDER: the Open States people (state legislators,
    # executives, mayors) into the demo client; again on every start, which
    # changes only what changed in the folder (matched on their id).
    if [ -n "${CTRACK_OPENSTATES:-}" ]; then
        [ -d "$CTRACK_OPENSTATES" ] || die "OPENSTATES is not a folder: $CTRACK_OPENSTATES"
        if ! "$CTRACK" import -c "$DIR/ctrack.hdf" --client "Example Advocacy" --update --match external-id \
            --valid-rows --openstates "$CTRACK_OPENSTATES" > "$LOG/openstates-import.log"; then
            tail -n 5 "$LOG/openstates-import.log" >&2
            die "ctrack import --openstates failed (report: $LOG/openstates-import.log)"
        fi
        head -n 2 "$LOG/openstates-import.log"
    fi
    make_cert
    start_nginx
    start_app
    wait_healthy

    echo
    echo "ctrack is running: https://localhost:$PORT/"
    if [ -s "$DIR/initial-credentials" ]; then
        grep -iE '^[[:space:]]*(user(name)?|login|password)[[:space:]]*[:=]' \
            "$DIR/initial-credentials" | sed 's/^/  /' || true
    fi
    echo "Logs: $LOG/ (ctrack.log, mariadb.log, nginx-error.log, nginx-access.log)"
    if [ "$DIR" = "$REPO/var" ]; then
        echo "Stop it with: make stop"
    else
        echo "Stop it with: conf/stack.sh stop $DIR"
    fi
}

# CTRACK_STANDBY=1 at a folder's first start: two free TCP ports on
# 127.0.0.1 for the pair's replication, kept in DIR/ha.
ha_setup() {
    [ -z "$HA" ] || return 0
    [ "${CTRACK_STANDBY:-}" = 1 ] || return 0
    [ ! -d "$DIR/db/mysql" ] ||
        die "$DIR holds a single database server already: give CTRACK_STANDBY=1 a new folder"
    "$PY" -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])' >"$DIR/ha"
    read -r HA_PORT1 HA_PORT2 <"$DIR/ha"
    HA=1
}

stop_app() {
    local pid
    if pid=$(pid_of "$RUN/ctrack.pid" ctrack); then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 15 || ! group_gone "$pid" 5; then
            echo "stack.sh: ctrack or its workers did not stop in time: killing them" >&2
            # setsid made it a group leader: this takes its workers too.
            kill -KILL -- "-$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || die "ctrack ($pid) is still running"
        fi
    fi
    # A killed server cannot remove its socket; a stale one would look busy.
    rm -f "$RUN/ctrack.pid" "$APP_SOCKET"
}

stop() {
    local pid n
    [ $# -eq 1 ] || usage
    set_dir "$1"
    [ -d "$DIR" ] || return 0
    stop_app
    if pid=$(pid_of "$RUN/nginx.pid" nginx); then
        kill -QUIT "$pid" 2>/dev/null || true   # graceful: finish open requests
        if ! wait_gone "$pid" 10 || ! group_gone "$pid" 5; then
            kill -TERM "$pid" 2>/dev/null || true
            if ! wait_gone "$pid" 5 || ! group_gone "$pid" 2; then
                echo "stack.sh: nginx did not stop: killing it" >&2
                kill -KILL -- "-$pid" 2>/dev/null || true
                wait_gone "$pid" 5 || die "nginx ($pid) is still running"
            fi
        fi
    fi
    rm -f "$RUN/nginx.pid"
    for n in $(nodes); do
        node_vars "$n"
        stop_server
    done
}

restart_app() {
    case $# in 1 | 2) ;; *) usage ;; esac
    set_dir "$1"
    set_ctrack "${2:-}"
    PORT=$(conf_port)
    [ -n "$PORT" ] || die "no stack under $DIR (run start first)"
    stop_app
    start_app
    wait_healthy
    echo "ctrack restarted ($CTRACK): https://localhost:$PORT/"
}

# db DIR status | promote N | rejoin N | start N | stop N: the servers of a
# replicated pair.
db_cmd() {
    [ $# -ge 2 ] || usage
    set_dir "$1"
    [ -n "$HA" ] || die "$DIR has no replicated pair (start it with CTRACK_STANDBY=1)"
    case $2 in
        status) [ $# -eq 2 ] || usage
            "$CONF/ctrack-db" status "$SECRETS/root1.cnf" "$SECRETS/root2.cnf" ;;
        promote | rejoin | rebuild | start | stop)
            [ $# -eq 3 ] || usage
            case $3 in 1 | 2) ;; *) die "the server is 1 or 2: $3" ;; esac
            case $2 in
                promote | rejoin) ha_ctl "$2" "$3" ;;
                rebuild) rebuild "$3" ;;
                start) node_vars "$3"; set_buffer_pool; start_server ;;
                stop) node_vars "$3"; stop_server ;;
            esac ;;
        *) usage ;;
    esac
}

# write_backup_conf: DIR/backup.conf for conf/ctrack-backup.
write_backup_conf() {
    local offsite=${CTRACK_BACKUP_OFFSITE:-$DIR/offsite}
    (umask 077
     { echo "# Generated by conf/stack.sh for the private stack under $DIR (see conf/backup.conf)."
       echo "BACKUP_DIR=$DIR/backups"
       echo "OFFSITE=$offsite"
       echo "KEEP_DAYS=${CTRACK_BACKUP_KEEP_DAYS:-30}"
       echo "DB_DEFAULTS=$SECRETS/backup.cnf"
       echo "CTRACK_CONF=$DIR/ctrack.hdf"
       echo "CTRACK=$CTRACK"
     } >"$DIR/backup.conf.new" && mv "$DIR/backup.conf.new" "$DIR/backup.conf")
}

backup() {
    [ $# -eq 1 ] || usage
    set_dir "$1"
    set_ctrack ""
    [ -n "$(conf_port)" ] || die "no stack under $DIR (run start first)"
    primary_vars
    db_ping || die "the stack's MariaDB under $DIR is not running (run start first)"
    [ -s "$SECRETS/backup.cnf" ] || die "no backup account yet: restart the stack (conf/stack.sh start) to create it"
    write_backup_conf
    "$CONF/ctrack-backup" take "$DIR/backup.conf"
}

restore() {
    local stamp new workers rc=0 next old_next gtid f i
    [ $# -ge 1 ] || usage
    set_dir "$1"; shift
    set_ctrack ""
    set_buffer_pool
    PORT=$(conf_port)
    [ -n "$PORT" ] || die "no stack under $DIR (run start first)"
    [ -z "$HA" ] || die "$DIR holds a replicated pair: restore into a single-server stack, then build a new standby from a backup of it (README: Backups and restores)"
    workers=$(sed -n 's/^ *Workers *= *\([0-9]*\).*/\1/p' "$DIR/ctrack.hdf" | head -n 1)
    [ -n "$workers" ] || die "cannot read Workers from $DIR/ctrack.hdf"
    write_backup_conf
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    new=$DIR/db.restore-$stamp
    echo "stack.sh: stopping the app for the restore"
    stop_app
    "$CONF/ctrack-backup" restore "$DIR/backup.conf" --datadir "$new" "$@" || rc=$?
    if [ $rc -ne 0 ]; then
        rm -rf -- "$new" "$new.restore-info" "$new.manifest" "$new.restore.log"
        echo "stack.sh: the restore did not pass (exit $rc): $DIR/db is unchanged; starting the app again" >&2
        start "$DIR" "$PORT" "$workers" >/dev/null
        exit "$rc"
    fi
    # The restore's record (result, manifest, copy-back log) goes to log/.
    for f in restore-info manifest restore.log; do
        [ ! -e "$new.$f" ] || mv "$new.$f" "$LOG/restore-$stamp.$f"
    done
    next=$(sed -n 's/^binlog_next=//p' "$LOG/restore-$stamp.restore-info")
    gtid=$(sed -n 's/^gtid=//p' "$LOG/restore-$stamp.restore-info")
    # The old server's binary logs may go further than the copies: the new
    # numbering starts after both, so that no two files share a name.
    old_next=$(sed -n 's/.*\.0*\([0-9][0-9]*\)$/\1/p' "$DIR/db/binlog.index" 2>/dev/null | sort -n | tail -n 1)
    old_next=$(( ${old_next:-0} + 1 ))
    [ "$old_next" -le "${next:-1}" ] || next=$old_next
    stop_server
    mv "$DIR/db" "$DIR/db.before-restore-$stamp"
    mv "$new" "$DIR/db"
    : >"$DIR/db/.ctrack-initialised"
    chmod 0700 "$DIR/db"
    start_db
    # The restored data continues the GTID sequence where it ends, and its
    # binary log numbering after every file named before (the off-site copies
    # are kept by name). SET GLOBAL gtid_binlog_state starts again at file 1,
    # so the numbering is advanced by flushing, and the empty files purged.
    next=${next:-1}
    { echo "RESET MASTER;"
      [ -z "$gtid" ] || echo "SET GLOBAL gtid_binlog_state = '$gtid';"
      i=1
      while [ "$i" -lt "$next" ]; do echo "FLUSH BINARY LOGS;"; i=$((i + 1)); done
      printf "PURGE BINARY LOGS TO 'binlog.%06d';\n" "$next"
    } | mariadb --defaults-file="$SECRETS/root.cnf" || die "could not set the binary log's numbering and GTID state"
    start "$DIR" "$PORT" "$workers"
    echo "stack.sh: restored; the data before the restore is in $DIR/db.before-restore-$stamp"
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case $cmd in
    deps) [ $# -eq 0 ] || [ "$*" = security ] || usage; deps "$@" ;;
    start) start "$@" ;;
    stop) stop "$@" ;;
    restart-app) restart_app "$@" ;;
    db) db_cmd "$@" ;;
    backup) backup "$@" ;;
    restore) restore "$@" ;;
    *) usage ;;
esac
