// Shared helpers of the browser tests: the stack the tests run against (from
// the environment tests/run-tests.sh sets), Debian's Chromium driven by
// playwright-core, the database as the source of truth, a watch on every
// page for console errors and CSP violations, and screenshots kept for a
// failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

const REQUIRED_ENV = ['CTRACK_URL', 'CTRACK_ADMIN_USER', 'CTRACK_ADMIN_PASSWORD', 'CTRACK_DB_ROOT_CNF'];

/** The stack under test; throws with the names of what is missing. */
export function stackFromEnv() {
  const missing = REQUIRED_ENV.filter((n) => !process.env[n]);
  if (missing.length) {
    throw new Error(`the browser tests need a running stack; missing environment: ${missing.join(', ')}`
      + ' (tests/run-tests.sh sets them)');
  }
  if (!fs.existsSync(process.env.CTRACK_DB_ROOT_CNF)) {
    throw new Error(`CTRACK_DB_ROOT_CNF=${process.env.CTRACK_DB_ROOT_CNF} is not a file`);
  }
  return {
    url: process.env.CTRACK_URL.replace(/\/+$/, ''),
    user: process.env.CTRACK_ADMIN_USER,
    password: process.env.CTRACK_ADMIN_PASSWORD,
    rootCnf: process.env.CTRACK_DB_ROOT_CNF,
  };
}

export const CHROMIUM = process.env.CTRACK_CHROMIUM || '/usr/bin/chromium';
export const DEMO_CLIENT = 'Example Advocacy';
export const DEMO_CONTACTS = 12767;

// ------------------------------------------------------------------ database

/** A SQL expression for a string that needs no escaping at all. */
export function sqlStr(s) {
  return `_utf8mb4 X'${Buffer.from(String(s), 'utf8').toString('hex')}'`;
}

export function sqlInt(n) {
  assert.ok(Number.isSafeInteger(n), `not an integer: ${n}`);
  return String(n);
}

/** Decodes a HEX() column (NULL stays null). */
export function unhex(v) {
  return v === null ? null : Buffer.from(v, 'hex').toString('utf8');
}

/** The mariadb command-line client as root of the private stack. */
export class Database {
  constructor(cnf) {
    this.cnf = cnf;
  }

  /** The rows of a query as arrays of strings (null for NULL). Text to be
   * compared exactly is best selected with HEX() and read with unhex(). */
  rows(query) {
    let out;
    try {
      out = execFileSync('mariadb', [`--defaults-extra-file=${this.cnf}`, '--batch', '--skip-column-names',
        '--default-character-set=utf8mb4', 'ctrack', '-e', query],
      { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`query failed: ${query}\n${e.stderr || e.message}`);
    }
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((f) => (f === 'NULL' ? null : f)));
  }

  value(query) {
    const rows = this.rows(query);
    assert.ok(rows.length === 1 && rows[0].length === 1, `expected one value from ${query}, got ${JSON.stringify(rows)}`);
    return rows[0][0];
  }

  int(query) {
    const v = this.value(query);
    assert.notEqual(v, null, `NULL from ${query}`);
    return Number.parseInt(v, 10);
  }
}

/** What the database says about the demo client. */
export class Demo {
  constructor(db, adminUser) {
    this.db = db;
    const rows = db.rows('SELECT c.id FROM clients c JOIN users u ON u.client_id = c.id'
      + ` WHERE c.name = ${sqlStr(DEMO_CLIENT)} AND u.username = ${sqlStr(adminUser)}`);
    assert.equal(rows.length, 1, `the demo client ${DEMO_CLIENT} and its admin are not in the database`);
    this.clientId = Number(rows[0][0]);
  }

  /** The live contacts of the client matching a condition on `c`. */
  liveCount(where = '1') {
    return this.db.int(`SELECT COUNT(*) FROM contacts c WHERE c.client_id = ${this.clientId}`
      + ` AND c.deleted_at IS NULL AND (${where})`);
  }

  /** A condition on `c`: the contact lies in the region with this code or below it. */
  inRegion(code) {
    return 'c.region_id IN (SELECT rc.descendant_id FROM region_closure rc JOIN regions a'
      + ' ON a.client_id = rc.client_id AND a.id = rc.ancestor_id'
      + ` WHERE a.client_id = ${this.clientId} AND a.code = ${sqlStr(code)})`;
  }

  /** The names of the region with this code and of every region below it. */
  regionNames(code) {
    return this.db.rows('SELECT HEX(d.name) FROM region_closure rc'
      + ' JOIN regions a ON a.client_id = rc.client_id AND a.id = rc.ancestor_id'
      + ' JOIN regions d ON d.client_id = rc.client_id AND d.id = rc.descendant_id'
      + ` WHERE a.client_id = ${this.clientId} AND a.code = ${sqlStr(code)}`).map((r) => unhex(r[0]));
  }

  liveIds(where = '1') {
    return this.db.rows(`SELECT c.id FROM contacts c WHERE c.client_id = ${this.clientId}`
      + ` AND c.deleted_at IS NULL AND (${where}) ORDER BY c.id`).map((r) => Number(r[0]));
  }

  /** Every live contact's id and name parts, exactly as stored. */
  names() {
    return this.db.rows('SELECT c.id, HEX(c.first_name), HEX(c.middle_name), HEX(c.last_name), HEX(c.nickname),'
      + ` HEX(c.organisation) FROM contacts c WHERE c.client_id = ${this.clientId} AND c.deleted_at IS NULL`)
      .map(([id, ...parts]) => {
        const [first, middle, last, nickname, organisation] = parts.map(unhex);
        return { id: Number(id), first, middle, last, nickname, organisation };
      });
  }

  /** The stored text columns of one contact, or null. */
  contact(id) {
    const cols = ['first_name', 'last_name', 'email', 'phone'];
    const rows = this.db.rows(`SELECT ${cols.map((c) => `HEX(c.${c})`).join(', ')}, r.code, c.deleted_at`
      + ' FROM contacts c LEFT JOIN regions r ON r.client_id = c.client_id AND r.id = c.region_id'
      + ` WHERE c.client_id = ${this.clientId} AND c.id = ${sqlInt(id)}`);
    if (!rows.length) return null;
    const out = Object.fromEntries(cols.map((c, i) => [c, unhex(rows[0][i])]));
    out.region = rows[0][cols.length];
    out.deleted_at = rows[0][cols.length + 1];
    return out;
  }

  /** Live sessions in the database whose token hashes to this cookie value. */
  sessionsFor(token) {
    return this.db.int(`SELECT COUNT(*) FROM sessions WHERE token_hash = UNHEX(SHA2(${sqlStr(token)}, 256))`);
  }
}

/** Lower case without accents: what "ignoring case and accents" means. */
export function fold(s) {
  return (s || '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A value no other test or run uses. */
export function unique(prefix) {
  return prefix + Math.random().toString(16).slice(2, 10) + Date.now().toString(16).slice(-4);
}

/** The name of a contact as the list shows it. */
export function listName(c) {
  if (c.last || c.first) return [c.last, c.first].filter(Boolean).join(', ');
  return c.organisation;
}

// ------------------------------------------------------------------ browser

/** Debian's Chromium, headless, with nothing of its own reaching out. */
export async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (make deps)`);
  }
  // playwright-core starts it with a fresh temporary profile (its own
  // --user-data-dir) and removes that at close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-proxy-server'],
    timeout: 60000,
  });
}

/**
 * A fresh browser context (its own cookies) whose pages are all watched:
 * every console error, uncaught page error and CSP violation is collected in
 * `problems`, except messages a test said it expects (`expect(regex)`, used
 * once each). `javaScriptEnabled: false` makes a context without scripts.
 */
export async function watchedContext(browser, options = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US', ...options });
  context.setDefaultTimeout(15000);
  context.setDefaultNavigationTimeout(30000);
  const problems = [];
  const expected = [];
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error' && !/Content[- ]Security[- ]Policy/i.test(msg.text())) return;
      // The failing resource of a "Failed to load resource" is in its location.
      const where = msg.location()?.url;
      const text = where && where !== page.url() ? `${msg.text()} (${where})` : msg.text();
      const i = expected.findIndex((re) => re.test(text));
      if (i >= 0) { expected.splice(i, 1); return; }
      problems.push(`console ${msg.type()} on ${page.url()}: ${text}`);
    });
    page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
    // A failed subresource (stylesheet, icon) is a broken page too.
    page.on('requestfailed', (req) => {
      problems.push(`request failed on ${page.url()}: ${req.url()} ${req.failure()?.errorText}`);
    });
  };
  context.on('page', watch);
  return {
    context,
    problems,
    /** The next console error matching re is expected (a 4xx page, say). */
    expect(re) { expected.push(re); },
    /** One console error matching re, logged already or still to come, is no problem. */
    forgive(re) {
      const i = problems.findIndex((p) => re.test(p));
      if (i >= 0) problems.splice(i, 1); else expected.push(re);
    },
    assertClean() {
      assert.deepEqual(problems, [], `pages logged errors or CSP violations:\n${problems.join('\n')}`);
    },
  };
}

/**
 * Screenshots kept in memory at the moments worth seeing (the list page, the
 * contact form) and written, with one of every open page, only when the test
 * fails, into the run's temporary folder.
 */
export class Shots {
  constructor(dir, prefix) {
    this.dir = dir;
    this.prefix = prefix;
    this.kept = new Map();
  }

  async keep(page, name) {
    this.kept.set(name, await page.screenshot({ fullPage: true }));
  }

  /** Writes what was kept and the pages' present state; returns the files. */
  async write(pages) {
    fs.mkdirSync(this.dir, { recursive: true });
    const files = [];
    for (const [name, png] of this.kept) {
      const f = path.join(this.dir, `${this.prefix}-${name}.png`);
      fs.writeFileSync(f, png);
      files.push(f);
    }
    let n = 0;
    for (const page of pages) {
      n += 1;
      const base = path.join(this.dir, `${this.prefix}-at-failure-${n}`);
      try {
        await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5000 });
        fs.writeFileSync(`${base}.html`, await page.content());
        files.push(`${base}.png`, `${base}.html`);
      } catch (e) {
        files.push(`${base}: no screenshot (${e.message.split('\n')[0]})`);
      }
    }
    return files;
  }
}

/** The folder for this run's failure screenshots (made when first used). */
export function artifactsDir() {
  return process.env.CTRACK_BROWSER_ARTIFACTS
    || path.join(os.tmpdir(), `ctrack-browser-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}
