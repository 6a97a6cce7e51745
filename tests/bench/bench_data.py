#!/usr/bin/python3
"""Fills a private stack with the benchmark client: 1,000,000 contacts over
the demo's regions, 100 campaigns with their memberships, and two users,
one who sees everything and one limited to Ohio and two campaigns.

The data goes into a client of its own ("Bench: 1,000,000 contacts"), so the
demo client and everything the tests rely on stay as they are. Everything is
made by INSERT ... SELECT from the Sequence engine's seq_1_to_N tables, in
the server, with values derived from the row number by fixed formulas: the
same data on every run (ids are offset past what exists, the content does
not change). It runs as the private server's root account, with the binary
log off for its own session (throw-away data; it would otherwise write the
million rows a second time and sync it).

The script does nothing when the client is already complete, and refuses a
half-made one (remove the folder and start again). Sessions are not made
here: bench.py writes fresh ones for the two users at each run.

    tests/bench/bench_data.py --var DIR [--contacts N]
"""
import argparse
import math
import subprocess
import sys
import time

CLIENT = "Bench: 1,000,000 contacts"
USER_ALL = "bench-all"
USER_LIMITED = "bench-limited"
LIMITED_STATE = "US-OH"
CAMPAIGNS = 100
# Campaign sizes grow geometrically from SMALLEST to LARGEST members.
SMALLEST, LARGEST = 300, 60000
# The limited user's two campaigns: the largest and a middle-sized one.
LIMITED_CAMPAIGNS = (CAMPAIGNS, 60)
CHUNK = 100000


def mariadb(var, sql, capture=False):
    p = subprocess.run(
        ["mariadb", f"--defaults-extra-file={var}/secrets/root.cnf", "--batch", "--skip-column-names",
         "--default-character-set=utf8mb4", "ctrack"],
        input=sql, capture_output=True, text=True, encoding="utf-8")
    if p.returncode != 0:
        sys.exit(f"bench_data: SQL failed: {p.stderr.strip()}")
    return p.stdout


def value(var, sql):
    out = mariadb(var, sql).strip()
    return None if out in ("", "NULL") else out


def campaign_plan(n_contacts):
    """(number, size, stride, offset) per campaign. Member j (1..size) of a
    campaign is contact ((j * stride + offset) mod N) + 1: a stride prime to
    N gives distinct contacts, spread over the whole table."""
    plan = []
    for k in range(1, CAMPAIGNS + 1):
        size = round(SMALLEST * (LARGEST / SMALLEST) ** ((k - 1) / (CAMPAIGNS - 1)))
        size = min(size, n_contacts)
        stride = int(n_contacts * 0.6180339887) + 7919 * k
        while math.gcd(stride, n_contacts) != 1:
            stride += 1
        plan.append((k, size, stride % n_contacts, (k * 104729) % n_contacts))
    return plan


def generate(var, n):
    plan = campaign_plan(n)
    largest = max(p[1] for p in plan)
    if n > 10**7 or largest > 10**7:
        sys.exit("bench_data: at most 10,000,000 contacts")
    demo = value(var, "SELECT id FROM clients WHERE name = 'Example Advocacy'")
    if not demo:
        sys.exit("bench_data: no demo client to take the regions and names from")
    values = ",".join(f"({k},{size},{stride},{off})" for k, size, stride, off in plan)
    # Setup: the client, its regions (a copy of the demo's tree, ids shifted
    # past every existing one), the user type and users, the campaigns, and
    # the lookup tables the contact rows draw from.
    head = f"""
SET SESSION sql_log_bin = 0;
SET @demo = {int(demo)};
INSERT INTO clients (name) VALUES ('{CLIENT}');
SET @cl = LAST_INSERT_ID();
SET @roff = (SELECT CEIL((MAX(id) + 1) / 1000) * 1000 FROM regions);
INSERT INTO regions (client_id, id, parent_id, kind, code, name, sort_key)
  SELECT @cl, id + @roff, parent_id + @roff, kind, code, name, sort_key FROM regions WHERE client_id = @demo
  ORDER BY id;
INSERT INTO region_closure (client_id, ancestor_id, descendant_id, depth)
  SELECT @cl, ancestor_id + @roff, descendant_id + @roff, depth FROM region_closure WHERE client_id = @demo;
INSERT INTO user_types (client_id, name) VALUES (@cl, 'Bench staff');
SET @ut = LAST_INSERT_ID();
INSERT INTO user_type_functions (client_id, user_type_id, function_name)
  SELECT DISTINCT @cl, @ut, function_name FROM user_type_functions WHERE client_id = @demo;
INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, all_regions, all_campaigns)
  VALUES (@cl, '{USER_ALL}', 'Bench, every contact', @ut, '!', 1, 1);
INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, all_regions, all_campaigns)
  VALUES (@cl, '{USER_LIMITED}', 'Bench, Ohio and two campaigns', @ut, '!', 0, 0);
SET @ul = LAST_INSERT_ID();
INSERT INTO user_regions (client_id, user_id, region_id)
  SELECT @cl, @ul, id FROM regions WHERE client_id = @cl AND code = '{LIMITED_STATE}';
SET @coff = (SELECT COALESCE(MAX(id), 0) FROM campaigns);
CREATE TEMPORARY TABLE bench_plan (k INT PRIMARY KEY, size INT NOT NULL, stride BIGINT NOT NULL, off BIGINT NOT NULL);
INSERT INTO bench_plan VALUES {values};
INSERT INTO campaigns (client_id, id, name, archived_at, created_at)
  SELECT @cl, @coff + k, CONCAT('Campaign ', LPAD(k, 3, '0'), ' (', size, ' members)'),
         IF(k MOD 10 = 3, '2025-12-31 00:00:00', NULL), '2025-01-01' + INTERVAL k DAY
  FROM bench_plan ORDER BY k;
INSERT INTO user_campaigns (client_id, user_id, campaign_id)
  VALUES (@cl, @ul, @coff + {LIMITED_CAMPAIGNS[0]}), (@cl, @ul, @coff + {LIMITED_CAMPAIGNS[1]});
-- Names of the demo's people, numbered in a fixed order.
CREATE TEMPORARY TABLE bench_first (n INT PRIMARY KEY, name VARCHAR(100) NOT NULL)
  SELECT ROW_NUMBER() OVER (ORDER BY f COLLATE utf8mb4_bin) - 1 AS n, f AS name
  FROM (SELECT DISTINCT first_name COLLATE utf8mb4_bin AS f FROM contacts WHERE client_id = @demo AND first_name <> '') t;
CREATE TEMPORARY TABLE bench_last (n INT PRIMARY KEY, name VARCHAR(100) NOT NULL)
  SELECT ROW_NUMBER() OVER (ORDER BY l COLLATE utf8mb4_bin) - 1 AS n, l AS name
  FROM (SELECT DISTINCT last_name COLLATE utf8mb4_bin AS l FROM contacts WHERE client_id = @demo AND last_name <> '') t;
SET @nfirst = (SELECT COUNT(*) FROM bench_first), @nlast = (SELECT COUNT(*) FROM bench_last);
-- Districts, numbered: contacts are spread evenly over them (districts are
-- drawn to hold about the same population).
CREATE TEMPORARY TABLE bench_district (n INT PRIMARY KEY, id INT UNSIGNED NOT NULL, state_id INT UNSIGNED NOT NULL)
  SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS n, id, parent_id AS state_id
  FROM regions WHERE client_id = @cl AND kind = 'district';
SET @ndist = (SELECT COUNT(*) FROM bench_district);
SET @base = (SELECT CEIL((COALESCE(MAX(id), 0) + 1) / 1000000) * 1000000 FROM contacts);
SELECT @cl, @base, @coff;
"""
    # One session for everything: the temporary tables and variables live
    # in it. Contacts in chunks, to keep each transaction's undo small.
    body = [head]
    for lo in range(1, n + 1, CHUNK):
        hi = min(lo + CHUNK - 1, n)
        # h1..h4: independent pseudo-random streams from the row number.
        body.append(f"""
INSERT INTO contacts (client_id, id, first_name, middle_name, last_name, title, organisation, party, email,
                      phone, address, region_id, created_at, updated_at)
  SELECT @cl, @base + h.seq, f.name,
         IF(h.h3 MOD 5 = 0, CHAR(65 + h.h3 MOD 26 USING utf8mb4), ''), l.name,
         ELT(1 + h.h4 MOD 8, '', '', '', 'Director', 'Councillor', 'Volunteer', 'Teacher', 'Organiser'),
         IF(h.h4 MOD 7 = 0, CONCAT('Organisation ', h.h2 MOD 5000), ''),
         ELT(1 + h.h3 MOD 25, 'Democrat', 'Democrat', 'Democrat', 'Democrat', 'Democrat', 'Democrat', 'Democrat',
             'Democrat', 'Democrat', 'Democrat', 'Republican', 'Republican', 'Republican', 'Republican',
             'Republican', 'Republican', 'Republican', 'Republican', 'Republican', 'Republican',
             'Independent', 'Independent', 'Green', 'Libertarian', ''),
         CONCAT('contact', h.seq, '@example.org'),
         CONCAT('555-', LPAD(h.h1 MOD 1000, 3, '0'), '-', LPAD(h.h2 MOD 10000, 4, '0')),
         CONCAT(1 + h.h4 MOD 9999, ' ', ELT(1 + h.h1 MOD 5, 'Main', 'Oak', 'Elm', 'High', 'Church'), ' Street'),
         -- 1 in 100 has no region, 1 in 25 only a state, the rest a district.
         CASE WHEN h.h1 MOD 100 = 0 THEN NULL WHEN h.h1 MOD 25 = 1 THEN d.state_id ELSE d.id END,
         '2024-01-01' + INTERVAL (h.h2 MOD 31536000) SECOND,
         '2025-01-01' + INTERVAL (h.h3 MOD 31536000) SECOND
  FROM (SELECT seq, CRC32(CONCAT('a', seq)) AS h1, CRC32(CONCAT('b', seq)) AS h2,
               CRC32(CONCAT('c', seq)) AS h3, CRC32(CONCAT('d', seq)) AS h4
        FROM seq_{lo}_to_{hi}) h
  JOIN bench_first f ON f.n = h.h2 MOD @nfirst
  JOIN bench_last l ON l.n = h.h3 MOD @nlast
  JOIN bench_district d ON d.n = h.h4 MOD @ndist;
""")
    body.append(f"""
INSERT INTO contact_campaigns (client_id, campaign_id, contact_id, status, added_at, updated_at)
  SELECT @cl, @coff + p.k, @base + 1 + (s.seq * p.stride + p.off) MOD {n},
         ELT(1 + (s.seq + p.k) MOD 4, 'targeted', 'contacted', 'responded', 'declined'),
         '2025-01-01' + INTERVAL p.k DAY, '2025-01-01' + INTERVAL p.k DAY + INTERVAL s.seq MOD 86400 SECOND
  FROM bench_plan p JOIN seq_1_to_{largest} s ON s.seq <= p.size;
-- Last: the kept total, which also marks the client as complete.
INSERT INTO contact_totals (client_id, live)
  SELECT @cl, COUNT(*) FROM contacts WHERE client_id = @cl AND live = 1;
ANALYZE TABLE contacts, contact_campaigns, regions, region_closure, user_regions, user_campaigns;
""")
    return mariadb(var, "".join(body))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--var", required=True, help="the private stack's folder")
    ap.add_argument("--contacts", type=int, default=1000000)
    a = ap.parse_args()
    name = CLIENT.replace("'", "''")
    cl = value(a.var, f"SELECT id FROM clients WHERE name = '{name}'")
    if cl:
        total = value(a.var, f"SELECT live FROM contact_totals WHERE client_id = {int(cl)}")
        if total is None:
            sys.exit(f"bench_data: the client {CLIENT!r} in {a.var} is incomplete (an interrupted run?);"
                     " remove the folder and start again")
        print(f"bench data: {CLIENT!r} already there ({int(total):,} live contacts)")
        return
    t0 = time.monotonic()
    generate(a.var, a.contacts)
    cl = int(value(a.var, f"SELECT id FROM clients WHERE name = '{name}'"))
    counts = mariadb(a.var, f"""
SELECT (SELECT live FROM contact_totals WHERE client_id = {cl}),
       (SELECT COUNT(*) FROM campaigns WHERE client_id = {cl}),
       (SELECT COUNT(*) FROM contact_campaigns WHERE client_id = {cl});""").split()
    print(f"bench data: {int(counts[0]):,} contacts, {counts[1]} campaigns, {int(counts[2]):,} memberships"
          f" made in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    main()
