# Contact Tracking (ctrack): build, run, test, bench.
#
#   make          build fcgi/ctrack
#   make asan     build fcgi/ctrack-asan (AddressSanitizer + UBSan)
#   make run      install missing Debian packages (as root), build, start the
#                 private stack under var/ and print the URL and login;
#                 OPENSTATES=FOLDER also imports the Open States people data
#   make stop     stop what `make run` started (data stays in var/)
#   make backup   a verified backup of the running `make run` stack into
#                 var/backups, copied to var/offsite (OFFSITE=path or host:path)
#   make restore  restore var/ from the off-site copy, checked, then swapped in
#                 (BACKUP=NAME, UNTIL='YYYY-MM-DD HH:MM:SS' UTC for a point in time)
#   make test     unit tests, fuzz regression inputs, integration tests (normal
#                 and sanitizer build), browser tests (headless Chromium)
#   make test-browser  only the browser tests, against a private stack
#   make fuzz     libFuzzer targets (clang) for the parsers of outside input,
#                 each run for FUZZ_SECONDS (default 20)
#   make fuzz-regress  each fuzz target once over its corpus and regression inputs
#   make chaos    the chaos checks: workers killed, the database restarted, abusive
#                 clients, memory; about 10 minutes, ends with CHAOS: PASS or FAIL
#   make security  the security checks against a private stack: testssl.sh,
#                 sqlmap and wapiti on every route, every fuzz target for
#                 FUZZ_SECONDS (default 60 here), secrets never recorded, the
#                 security matrix; ends with SECURITY: PASS or FAIL (README)
#   make bench    wrk figures for the list page, a static file and a minimal route
#   make install  the program, templates, SQL, configuration, nginx snippets,
#                 systemd units and ctrack-backup (PREFIX, SYSCONFDIR and DESTDIR honoured)

CC      ?= cc
PORT    ?= 8443
WORKERS ?= 4
VAR     ?= $(CURDIR)/var

WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifdef CI
WARN    += -Werror
endif
CS_CFLAGS := -I/usr/include/ClearSilver
CS_LIBS   := -lneo_cgi -lneo_cs -lneo_utl -lz -lpthread
DB_CFLAGS := $(shell mariadb_config --cflags 2>/dev/null)
DB_LIBS   := $(shell mariadb_config --libs 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2
LDFLAGS += -Wl,-z,relro,-z,now
LIBS    := -lfcgi $(DB_LIBS) -lcrypto -lqrencode -lunistring -lyaml $(CS_LIBS)

SRCS := $(sort $(wildcard fcgi/*.c))
HDRS := $(wildcard fcgi/*.h)
OBJS := $(SRCS:fcgi/%.c=build/obj/%.o)
AOBJS := $(SRCS:fcgi/%.c=build/asan/%.o)
# Modules with no outside library beyond OpenSSL, libunistring and libyaml:
# the unit tests and fuzz targets link these.
PURE := util log valid csv vcard conf http_parse crypto json bearer password totp audit_chain textenc multipart \
        contact import_map openstates import_openstates clock svg memory
# The list of common passwords, compiled in (password.c includes it).
GEN := build/gen/common_passwords.h

ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all asan run stop backup restore test test-browser test-ha chaos unit fuzz fuzz-regress bench clean deps install \
        security security-deps

all: fcgi/ctrack

fcgi/ctrack: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

build/obj/%.o: fcgi/%.c $(HDRS) | build/obj
	$(CC) $(CFLAGS) $(CS_CFLAGS) $(DB_CFLAGS) -Ibuild/gen -c -o $@ $<

build/obj/password.o build/asan/password.o: $(GEN)

# One C string per line of the list (its comment lines dropped), in lower
# case, sorted bytewise and without duplicates, for bsearch in password.c.
$(GEN): conf/common-passwords.txt | build/gen
	@{ echo '/* Generated from $< by the Makefile: do not edit. */'; \
	   echo 'static const char *const common_passwords[] = {'; \
	   LC_ALL=C sed -e '/^#!comment/d' -e 's/\r$$//' -e '/^$$/d' $< | LC_ALL=C tr A-Z a-z | LC_ALL=C sort -u | \
	     LC_ALL=C sed -e 's/[\\"?]/\\&/g' -e 's/^/    "/' -e 's/$$/",/'; \
	   echo '};'; } > $@.tmp && mv $@.tmp $@

asan: fcgi/ctrack-asan

fcgi/ctrack-asan: $(AOBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $(AOBJS) $(LIBS)

build/asan/%.o: fcgi/%.c $(HDRS) | build/asan
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(ASAN_FLAGS) $(CS_CFLAGS) $(DB_CFLAGS) -Ibuild/gen -c -o $@ $<

build/obj build/asan build/test build/fuzz build/gen:
	mkdir -p $@

# Unit tests (cmocka): one program per tests/unit/test_*.c, linked with the
# modules it tests and built with the sanitizers.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/test/%)
PURE_SRCS := $(filter $(PURE:%=fcgi/%.c),$(SRCS))

build/test/%: tests/unit/%.c $(PURE_SRCS) $(HDRS) $(GEN) | build/test
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(ASAN_FLAGS) -Ifcgi -Ibuild/gen -o $@ $< $(PURE_SRCS) $(UNIT_EXTRA_$*) -lcmocka -lcrypto -lunistring -lyaml

# test_migrate also needs migrate.c, and a stand-in for the db.h functions
# that migrate_run calls.
UNIT_EXTRA_test_migrate := fcgi/migrate.c tests/fuzz/db_stub.c
build/test/test_migrate: $(UNIT_EXTRA_test_migrate)
# test_acl builds scope SQL (db_stub.c counts the values bound for it);
# test_route checks the route table, which holds the handlers' addresses:
# stand-ins for them are generated from handlers.h.
UNIT_EXTRA_test_acl := fcgi/acl.c tests/fuzz/db_stub.c
build/test/test_acl: $(UNIT_EXTRA_test_acl)
UNIT_EXTRA_test_route := fcgi/route.c fcgi/acl.c tests/fuzz/db_stub.c build/test/handler_stubs.c
build/test/test_route: $(UNIT_EXTRA_test_route)
build/test/handler_stubs.c: fcgi/handlers.h | build/test
	@{ echo '#include "handlers.h"'; \
	   sed -n 's/^int \([a-z_0-9]*\)(request \*r, db \*d);$$/int \1(request *r, db *d) { (void)r; (void)d; return 500; }/p' $<; } > $@

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# Fuzz targets (libFuzzer, so clang): one program per tests/fuzz/fuzz_*.c,
# linked with the pure modules; fuzz_migrate_split also with migrate.c and a
# stub of the db.h functions it references. tests/fuzz/run-fuzz.sh runs them:
# `make fuzz` on a temporary copy of tests/fuzz/corpus/NAME/, `make
# fuzz-regress` once over tests/fuzz/corpus/NAME/ and tests/fuzz/regress/NAME/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS    := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_EXTRA_migrate_split := fcgi/migrate.c tests/fuzz/db_stub.c

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(PURE_SRCS) $(HDRS) $(GEN) | build/fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(WARN) $(FUZZ_FLAGS) -Ifcgi -Ibuild/gen -o $@ $< $(PURE_SRCS) $(FUZZ_EXTRA_$*) -lcrypto -lunistring -lyaml

build/fuzz/fuzz_migrate_split: $(FUZZ_EXTRA_migrate_split)

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run-fuzz.sh fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-regress: $(FUZZ_BINS)
	@tests/fuzz/run-fuzz.sh regress $(FUZZ_NAMES)

deps:
	@conf/stack.sh deps

run: deps
	@$(MAKE) --no-print-directory all
	@CTRACK_OPENSTATES="$(OPENSTATES)" CTRACK_STANDBY="$(STANDBY)" conf/stack.sh start "$(VAR)" $(PORT) $(WORKERS)

stop:
	@conf/stack.sh stop "$(VAR)"

backup:
	@CTRACK_BACKUP_OFFSITE="$(OFFSITE)" conf/stack.sh backup "$(VAR)"

restore:
	@CTRACK_BACKUP_OFFSITE="$(OFFSITE)" conf/stack.sh restore "$(VAR)" $(if $(BACKUP),--backup "$(BACKUP)") \
		$(if $(UNTIL),--until "$(UNTIL)") $(if $(FROM),--from "$(FROM)")

test: deps
	@$(MAKE) --no-print-directory all asan
	@tests/run-tests.sh

test-browser: deps
	@$(MAKE) --no-print-directory all
	@CTRACK_BROWSER=only tests/run-tests.sh

# The high-availability tests alone (make test runs them too, at the end).
test-ha: deps
	@$(MAKE) --no-print-directory all
	@CTRACK_HA=only tests/run-tests.sh

# The chaos checks (README: "Chaos checks"): workers killed, the database
# restarted, abusive clients, memory, on a stack of their own on loopback;
# about 10 minutes, stops by itself, ends with CHAOS: PASS or CHAOS: FAIL.
# Not part of make test (time).
chaos: deps
	@$(MAKE) --no-print-directory all
	@CTRACK_CHAOS=only tests/run-tests.sh
# The security checks (README: "Security checks"); not part of make test.
security-deps: deps
	@conf/stack.sh deps security

security: security-deps
	@$(MAKE) --no-print-directory -j2 all $(FUZZ_BINS)
	@FUZZ_SECONDS=$(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),60) tests/security/run-security.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/run-bench.sh

# Installing on a host (README: "Deploying on an nginx host"): the program,
# templates, static files and SQL under PREFIX; the configuration, nginx's
# snippets and the secrets folder under SYSCONFDIR (an existing ctrack.hdf
# is never overwritten); the systemd unit and the service's user. DESTDIR
# stages it all elsewhere (packaging, tests).
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
BINDIR     := $(PREFIX)/bin
DATADIR    := $(PREFIX)/share/ctrack
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
NGINXCONF  := $(SYSCONFDIR)/ctrack/nginx
APP_SOCKET ?= /run/ctrack/ctrack.sock
LOGIN_RATE ?= 10r/m
# SYSUSERS=no: do not create the service's user even as root (tests).
SYSUSERS   ?= yes
# The reference configuration's paths first (ctrack.hdf names the default
# ones), then the templates' @NAME@ placeholders.
SUBST = sed -e 's|/usr/local/share/ctrack|$(DATADIR)|g' -e 's|/etc/ctrack|$(SYSCONFDIR)/ctrack|g' \
	-e 's|@CONF@|$(NGINXCONF)|g' -e 's|@HTDOCS@|$(DATADIR)/htdocs|g' -e 's|@APP_SOCKET@|$(APP_SOCKET)|g' \
	-e 's|@LOGIN_RATE@|$(LOGIN_RATE)|g' -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@DATADIR@|$(DATADIR)|g'

install: fcgi/ctrack
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/htdocs \
		$(DESTDIR)$(DATADIR)/sql/demo $(DESTDIR)$(NGINXCONF) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(SYSCONFDIR)/ctrack/mariadb $(DESTDIR)$(DATADIR)/ctrack.service.d
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/ctrack
	install -m 0755 fcgi/ctrack $(DESTDIR)$(BINDIR)/ctrack
	install -m 0755 conf/ctrack-backup conf/ctrack-db $(DESTDIR)$(BINDIR)/
	install -m 0644 conf/mariadb-durable.cnf $(DESTDIR)$(SYSCONFDIR)/ctrack/mariadb/60-ctrack.cnf
	install -m 0644 conf/mariadb-replication.cnf $(DESTDIR)$(SYSCONFDIR)/ctrack/mariadb/61-ctrack-replication.cnf
	install -m 0644 templates/*.cs $(DESTDIR)$(DATADIR)/templates/
	install -m 0644 htdocs/* $(DESTDIR)$(DATADIR)/htdocs/
	install -m 0644 sql/*.sql $(DESTDIR)$(DATADIR)/sql/
	install -m 0644 sql/demo/* $(DESTDIR)$(DATADIR)/sql/demo/
	install -m 0644 README.md $(DESTDIR)$(DATADIR)/README.md
	$(SUBST) conf/ctrack-site.conf.in > $(DESTDIR)$(NGINXCONF)/ctrack-site.conf
	$(SUBST) conf/ctrack-http.conf.in > $(DESTDIR)$(NGINXCONF)/ctrack-http.conf
	install -m 0644 conf/security-headers.conf conf/fastcgi-params.conf $(DESTDIR)$(NGINXCONF)/
	$(SUBST) conf/ctrack.service.in > $(DESTDIR)$(UNITDIR)/ctrack.service
	$(SUBST) conf/ctrack-db-tcp.conf > $(DESTDIR)$(DATADIR)/ctrack.service.d/db-over-tcp.conf
	$(SUBST) conf/ctrack-backup.service.in > $(DESTDIR)$(UNITDIR)/ctrack-backup.service
	install -m 0644 conf/ctrack-backup.timer $(DESTDIR)$(UNITDIR)/ctrack-backup.timer
	install -m 0644 conf/ctrack.sysusers $(DESTDIR)$(SYSUSERSDIR)/ctrack.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/ctrack/ctrack.hdf ]; then \
		$(SUBST) conf/ctrack.hdf > $(DESTDIR)$(SYSCONFDIR)/ctrack/ctrack.hdf.new; \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/ctrack/ctrack.hdf; the new reference is ctrack.hdf.new"; \
	else \
		$(SUBST) conf/ctrack.hdf > $(DESTDIR)$(SYSCONFDIR)/ctrack/ctrack.hdf; \
		chmod 0640 $(DESTDIR)$(SYSCONFDIR)/ctrack/ctrack.hdf; \
	fi
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/ctrack/backup.conf ]; then \
		$(SUBST) conf/backup.conf > $(DESTDIR)$(SYSCONFDIR)/ctrack/backup.conf.new; \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/ctrack/backup.conf; the new reference is backup.conf.new"; \
	else \
		$(SUBST) conf/backup.conf > $(DESTDIR)$(SYSCONFDIR)/ctrack/backup.conf; \
		chmod 0640 $(DESTDIR)$(SYSCONFDIR)/ctrack/backup.conf; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ "$(SYSUSERS)" = yes ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/ctrack.conf && chgrp -R ctrack $(SYSCONFDIR)/ctrack; \
	fi

clean:
	rm -rf build fcgi/ctrack fcgi/ctrack-asan
