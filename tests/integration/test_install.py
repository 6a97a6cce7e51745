"""`make install` on a host: every file where the configuration says, no
placeholder left, the installed configuration readable by the program, the
nginx snippets accepted by nginx inside a server block beside another site,
and the systemd unit's hardening rated by `systemd-analyze security`."""
import os
import re
import socket
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def installed(tmp_path_factory, cert):
    root = tmp_path_factory.mktemp("install")
    prefix, etc = root / "usr", root / "etc"
    r = subprocess.run(["make", "--no-print-directory", "install", f"PREFIX={prefix}", f"SYSCONFDIR={etc}",
                        "SYSUSERS=no"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return root, prefix, etc


def test_the_files_are_where_the_configuration_says(installed):
    root, prefix, etc = installed
    share = prefix / "share" / "ctrack"
    assert os.access(prefix / "bin" / "ctrack", os.X_OK)
    assert os.access(prefix / "bin" / "ctrack-db", os.X_OK)
    # The database servers' settings, for /etc/mysql/mariadb.conf.d/.
    mdir = etc / "ctrack" / "mariadb"
    assert (mdir / "60-ctrack.cnf").read_text() == open(os.path.join(REPO, "conf", "mariadb-durable.cnf")).read()
    repl = (mdir / "61-ctrack-replication.cnf").read_text()
    for line in ("read_only                = ON", "gtid_strict_mode         = 1",
                 "rpl_semi_sync_master_wait_point = AFTER_SYNC", "init_rpl_role = SLAVE"):
        assert line in repl
    assert (share / "templates" / "layout_top.cs").is_file() and (share / "htdocs" / "upload.js").is_file()
    assert sorted(p.name for p in (share / "sql").glob("*.sql")) == sorted(
        p.name for p in (REPO and __import__("pathlib").Path(REPO) / "sql").glob("*.sql"))
    conf = (etc / "ctrack" / "ctrack.hdf").read_text()
    assert f"Templates = {share}/templates" in conf and f"Migrations = {share}/sql" in conf
    assert f"PasswordFile = {etc}/ctrack/db-app" in conf
    assert oct((etc / "ctrack").stat().st_mode & 0o777) == "0o750"
    assert oct((etc / "ctrack" / "ctrack.hdf").stat().st_mode & 0o777) == "0o640"
    for f in [etc / "ctrack" / "nginx" / n for n in ("ctrack-site.conf", "ctrack-http.conf")] + [
            prefix / "lib" / "systemd" / "system" / "ctrack.service"]:
        text = f.read_text()
        assert not re.search(r"@[A-Z_]+@", text), f"a placeholder is left in {f}"
    site = (etc / "ctrack" / "nginx" / "ctrack-site.conf").read_text()
    assert f"include {etc}/ctrack/nginx/security-headers.conf;" in site
    assert f"alias {share}/htdocs/;" in site and "fastcgi_pass unix:/run/ctrack/ctrack.sock;" in site
    # The program reads the installed configuration (and knows its routes).
    r = subprocess.run([str(prefix / "bin" / "ctrack"), "check-routes", "-c", str(etc / "ctrack" / "ctrack.hdf")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "all valid" in r.stdout, r.stdout + r.stderr


def test_an_existing_configuration_is_kept(installed):
    root, prefix, etc = installed
    conf = etc / "ctrack" / "ctrack.hdf"
    conf.write_text(conf.read_text().replace("Workers = 4", "Workers = 3"))
    r = subprocess.run(["make", "--no-print-directory", "install", f"PREFIX={prefix}", f"SYSCONFDIR={etc}",
                        "SYSUSERS=no"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "kept" in r.stdout, r.stdout + r.stderr
    assert "Workers = 3" in conf.read_text()
    assert "Workers = 4" in (etc / "ctrack" / "ctrack.hdf.new").read_text()


def test_nginx_takes_the_snippets_beside_another_site(installed, cert, tmp_path):
    """The site included in a server block of its own, next to a server that
    was there before; nginx -t accepts the whole."""
    root, prefix, etc = installed
    key = os.path.join(os.path.dirname(cert), "key.pem")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp_path}/body;
    include {etc}/ctrack/nginx/ctrack-http.conf;
    # The other site's own rate limit, under the most likely name: ctrack's
    # zone has a name of its own.
    limit_req_zone $binary_remote_addr zone=login:1m rate=5r/m;
    server {{ listen 127.0.0.1:{port + 1 if port < 65000 else port - 1}; server_name other.example;
             location /login {{ limit_req zone=login; return 200 "another site's login"; }} }}
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name ctrack.example;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        include {etc}/ctrack/nginx/ctrack-site.conf;
    }}
}}
""")
    r = subprocess.run(["/usr/sbin/nginx", "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                        "-c", str(conf)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_unit_is_hardened(installed):
    root, prefix, etc = installed
    unit = prefix / "lib" / "systemd" / "system" / "ctrack.service"
    text = unit.read_text()
    assert f"ExecStart={prefix}/bin/ctrack serve -c {etc}/ctrack/ctrack.hdf" in text
    assert "User=ctrack" in text and "RuntimeDirectory=ctrack" in text
    # nginx (not in the service's group) must get through /run/ctrack to the
    # socket, which is 0660 for nginx's group.
    assert "RuntimeDirectoryMode=0711" in text and "SupplementaryGroups=www-data" in text
    assert rating(unit) <= 2.0


def rating(unit):
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)], capture_output=True,
                       text=True, timeout=120)
    m = re.search(r"Overall exposure level for ctrack\.service: ([0-9.]+)", r.stdout + r.stderr)
    assert m, r.stdout[-500:] + r.stderr[-500:]
    return float(m.group(1))


def test_the_drop_in_for_database_servers_over_tcp(installed, tmp_path):
    """With DB.Servers over TCP the service needs IPv4/IPv6 to the database
    servers only: the installed drop-in, applied to the unit, still rates
    2.0 or better."""
    root, prefix, etc = installed
    drop_in = (prefix / "share" / "ctrack" / "ctrack.service.d" / "db-over-tcp.conf").read_text()
    assert not re.search(r"@[A-Z_]+@", drop_in)
    assert f"{prefix}/share/ctrack/ctrack.service.d/db-over-tcp.conf" in drop_in
    for line in ("PrivateNetwork=no", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "IPAddressAllow="):
        assert line in drop_in
    # A drop-in's lines come after the unit's: the same as appending its section.
    merged = tmp_path / "ctrack.service"
    merged.write_text((prefix / "lib" / "systemd" / "system" / "ctrack.service").read_text() + "\n" + drop_in)
    assert rating(merged) <= 2.0


def test_the_backup_units_and_script_are_installed_and_rated(installed):
    root, prefix, etc = installed
    units = prefix / "lib" / "systemd" / "system"
    service, timer = units / "ctrack-backup.service", units / "ctrack-backup.timer"
    assert os.access(prefix / "bin" / "ctrack-backup", os.X_OK)
    text = service.read_text()
    assert f"ExecStart={prefix}/bin/ctrack-backup take {etc}/ctrack/backup.conf" in text
    assert "Type=oneshot" in text and not re.search(r"@[A-Z_]+@", text)
    assert "Persistent=true" in timer.read_text() and "OnCalendar=" in timer.read_text()
    conf = (etc / "ctrack" / "backup.conf").read_text()
    assert f"DB_DEFAULTS={etc}/ctrack/backup.cnf" in conf and f"CTRACK_CONF={etc}/ctrack/ctrack.hdf" in conf
    assert oct((etc / "ctrack" / "backup.conf").stat().st_mode & 0o777) == "0o640"
    r = subprocess.run(["systemd-analyze", "verify", str(service), str(timer)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", str(service)], capture_output=True,
                       text=True, timeout=120)
    m = re.search(r"Overall exposure level for ctrack-backup\.service: ([0-9.]+)", r.stdout + r.stderr)
    assert m, r.stdout[-500:] + r.stderr[-500:]
    # Root with only CAP_DAC_READ_SEARCH (mariadb-backup reads the data
    # directory) and network for the off-site copy: rated below 3 ("OK").
    assert float(m.group(1)) <= 3.0, f"exposure {m.group(1)}"


def test_an_existing_backup_configuration_is_kept(installed):
    root, prefix, etc = installed
    conf = etc / "ctrack" / "backup.conf"
    conf.write_text(conf.read_text().replace("KEEP_DAYS=30", "KEEP_DAYS=45"))
    r = subprocess.run(["make", "--no-print-directory", "install", f"PREFIX={prefix}", f"SYSCONFDIR={etc}",
                        "SYSUSERS=no"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "kept" in r.stdout, r.stdout + r.stderr
    assert "KEEP_DAYS=45" in conf.read_text()
    assert "KEEP_DAYS=30" in (etc / "ctrack" / "backup.conf.new").read_text()
