// Importing contacts as a user lives it in a real browser (Debian's headless
// Chromium): from the contacts list to the upload page, a Google Contacts
// CSV in five scripts uploaded with the progress bar (upload.js), the page
// that shows how the file was read and how each column is taken, the
// preview, a dry run that changes nothing, the import, the search that
// finds an imported name, and the undo; a column's mapping changed by hand;
// the same without JavaScript (a plain multipart form and redirects); and a
// file that is no CSV at all. Every page is watched for console errors and
// Content-Security-Policy violations; the database is the source of truth.
//
// tests/run-tests.sh runs this against its private stack (CTRACK_URL and the
// rest come from there). With CTRACK_BROWSER_KEEP_SHOTS=1 the screenshots of
// the mapping and report pages are written even when every test passes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  Database, Demo, Shots, artifactsDir, launch, sqlInt, sqlStr, stackFromEnv, unhex, unique, watchedContext,
} from './lib.mjs';

const stack = stackFromEnv();
const db = new Database(stack.rootCnf);
const demo = new Demo(db, stack.user);
const ARTIFACTS = artifactsDir();
const KEEP_SHOTS = Boolean(process.env.CTRACK_BROWSER_KEEP_SHOTS);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BR18 = path.join(HERE, '..', 'data', 'cases', 'BR-18.csv');
const NOT_IMPORTED = '(not imported)';
const WHOLE_NAME = 'Whole name (when there is no first or last name)';

// BR-18.csv as the file says it, row by row.
const BR18_ROWS = [
  { first: 'Дарья', last: 'Пример', email: 'darya@example.org', emailType: 'home', phone: '+7 555 010-01-00' },
  { first: 'Ελένη', last: 'Παράδειγμα', email: 'eleni@example.org', emailType: 'home', phone: '' },
  { first: 'ليلى', last: 'مثال', email: 'layla@example.org', emailType: 'work', phone: '+20 555 0102' },
  { first: '例子', last: '山田', email: 'reiko@example.org', emailType: 'home', phone: '' },
  { first: 'अनन्या', last: 'उदाहरण', email: 'ananya@example.org', emailType: 'home', phone: '+91 555 010 0104' },
];

let browser;
let tmp;
before(async () => {
  browser = await launch();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctrack-import-'));
});
after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

const url = (p) => stack.url + p;
const pathOf = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };
const squash = (s) => (s || '').replace(/\s+/g, ' ').trim();

/** Runs action (a click) and waits for the navigation it starts; returns
 * the final response (after redirects). */
async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert.ok(response, `no response for the navigation to ${page.url()}`);
  assert.ok(response.status() < 500, `${page.url()} answered ${response.status()}`);
  return response;
}

async function goto(page, p) {
  const response = await page.goto(url(p), { waitUntil: 'load' });
  assert.ok(response.status() < 500, `${p} answered ${response.status()}`);
  return response;
}

/** Logs in as the admin from the login page; a 429 (nginx allows about 10
 * logins a minute from one address) is waited out and the login done again. */
async function login(page, watch) {
  await goto(page, '/contacts');
  assert.equal(new URL(page.url()).pathname, '/login', `not the login page: ${page.url()}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await goto(page, '/contacts');
    await page.fill('#username', stack.user);
    await page.fill('#password', stack.password);
    const response = await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
    if (response.status() !== 429) {
      assert.equal(response.status(), 200);
      assert.equal(pathOf(page), '/contacts');
      return;
    }
    watch.forgive(/status of 429/);
    watch.forgive(/status of 404.*\/favicon\.ico/);
    await sleep(8000);
  }
  throw new Error('POST /login stayed rate-limited (429) for 40 seconds');
}

/** From the contacts list, the "Import" button to the upload page. */
async function openUploadPage(page) {
  await navigating(page, () => page.click('nav[aria-label=Main] a[href="/contacts"]'));
  await navigating(page, () => page.click('.titlebar a.button[href="/imports"]'));
  assert.equal(pathOf(page), '/imports');
  assert.equal(squash(await page.locator('h1').textContent()), 'Import contacts');
  assert.equal(await page.locator('form#upload-form input[type=file]#file').count(), 1, 'no file input');
}

/**
 * Chooses the file (a path, or { name, mimeType, buffer }) and presses
 * Upload (js: whether the page runs scripts). Returns what the page and the network showed: the POST /imports
 * request (its resource type: "xhr" through upload.js, "document" for the
 * plain form), its status, and the progress bar and status line as they were
 * when the page was left (kept in sessionStorage over the navigation).
 */
async function upload(page, file, { refused = false, js = true } = {}) {
  await page.setInputFiles('#file', file);
  const posts = [];
  const onRequest = (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/imports') posts.push(req);
  };
  page.on('request', onRequest);
  try {
    if (refused) {
      if (js) {
        // upload.js shows the refusal in place: no navigation.
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/imports'),
          page.click('#upload-form button[type=submit]'),
        ]);
        await page.waitForFunction(() => document.querySelector('#main p.error.banner'));
        return { type: resp.request().resourceType(), status: resp.status(), posts };
      }
      const r = await navigating(page, () => page.click('#upload-form button[type=submit]'));
      return { type: r.request().resourceType(), status: r.status(), posts };
    }
    // The state of the progress bar is read just before the page goes.
    if (js) {
      await page.evaluate(() => {
        window.addEventListener('beforeunload', () => {
          const bar = document.getElementById('upload-progress');
          sessionStorage.setItem('ctrack-test-upload', JSON.stringify({
            barHidden: bar.hidden, barValue: bar.value,
            status: document.getElementById('upload-status').textContent,
            buttonDisabled: document.querySelector('#upload-form button[type=submit]').disabled,
          }));
        });
      });
    }
    const r = await navigating(page, () => page.click('#upload-form button[type=submit]'));
    const m = /^\/imports\/(\d+)$/.exec(pathOf(page));
    assert.ok(m, `the upload went to ${pathOf(page)} (status ${r.status()})`);
    const seen = js ? JSON.parse(await page.evaluate(() => sessionStorage.getItem('ctrack-test-upload')) || 'null') : null;
    return { id: Number(m[1]), response: r, posts, seen };
  } finally {
    page.off('request', onRequest);
  }
}

/** The imports row as stored. */
function importRow(id) {
  const rows = db.rows('SELECT HEX(file_name), HEX(file_sha256), file_size, status, dry_run, rows_read, created, updated,'
    + ' restored, skipped, failed, content IS NOT NULL, user_id'
    + ` FROM imports WHERE client_id = ${demo.clientId} AND id = ${sqlInt(id)}`);
  if (!rows.length) return null;
  const [name, sha, size, status, dryRun, read, created, updated, restored, skipped, failed, content, userId] = rows[0];
  return {
    file_name: unhex(name), sha256: sha.toLowerCase(), file_size: Number(size), status, dry_run: Number(dryRun),
    counts: [read, created, updated, restored, skipped, failed].map(Number), content: content === '1', user_id: Number(userId),
  };
}

/** The contacts an import wrote down as its own, with what they hold now. */
function importedContacts(importId) {
  return db.rows('SELECT c.id, ic.action, HEX(c.first_name), HEX(c.last_name), HEX(c.organisation), HEX(c.email),'
    + ' c.email_type, HEX(c.phone), c.phone_type, HEX(c.city), c.deleted_at FROM import_contacts ic'
    + ' JOIN contacts c ON c.client_id = ic.client_id AND c.id = ic.contact_id'
    + ` WHERE ic.client_id = ${demo.clientId} AND ic.import_id = ${sqlInt(importId)} ORDER BY c.id`)
    .map(([id, action, first, last, org, email, emailType, phone, phoneType, city, deletedAt]) => ({
      id: Number(id), action, first: unhex(first), last: unhex(last), organisation: unhex(org), email: unhex(email),
      emailType, phone: unhex(phone), phoneType, city: unhex(city), deletedAt,
    }));
}

/** Contacts of the demo client with one of these emails, live or deleted. */
function contactsWithEmails(emails) {
  return db.int(`SELECT COUNT(*) FROM contacts WHERE client_id = ${demo.clientId}`
    + ` AND email_key IN (${emails.map((e) => sqlStr(e.toLowerCase())).join(', ')})`);
}

const importCount = () => db.int(`SELECT COUNT(*) FROM imports WHERE client_id = ${demo.clientId}`);

/** The import's page as shown: title, the "Read as" line, the columns with
 * the target each select shows, the preview rows, the report. */
async function readImportPage(page) {
  // After "Update the preview" the page is the answer to POST /imports/N/run.
  assert.match(new URL(page.url()).pathname, /^\/imports\/\d+(\/run)?$/, `not an import's page: ${page.url()}`);
  return page.evaluate(() => {
    const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
    const form = document.querySelector('form.import-run');
    const report = document.getElementById('report');
    const counts = {};
    if (report) {
      for (const dt of report.querySelectorAll('dl.counts dt')) counts[text(dt)] = Number(text(dt.nextElementSibling));
    }
    const headings = [...document.querySelectorAll('table.preview thead th')].map(text);
    return {
      title: text(document.querySelector('h1')),
      error: text(document.querySelector('p.error.banner')),
      readAs: form ? text([...form.querySelectorAll(':scope > p')].find((p) => /^Read as/.test(text(p)))) : null,
      columns: [...document.querySelectorAll('table.mapping tbody tr')].map((tr) => {
        const sel = tr.querySelector('select');
        return {
          header: text(tr.querySelector('label')),
          name: sel.name,
          labelledBy: tr.querySelector('label').htmlFor === sel.id,
          shown: text(sel.selectedOptions[0]),
          value: sel.value,
          why: text(tr.querySelector('td:last-child .muted')),
        };
      }),
      preview: [...document.querySelectorAll('table.preview tbody tr')].map((tr) => Object.fromEntries(
        [...tr.querySelectorAll('td')].map((td, i) => [headings[i], td.textContent.trim()]))),
      reportTitle: report ? text(report.querySelector('h2')) : null,
      counts,
      problems: report ? text(report.querySelector('table.problems tbody')) : null,
      noProblems: report ? Boolean(report.querySelector('p.muted')) && /No problems/.test(text(report)) : null,
      undo: Boolean(document.querySelector(`form[action$="/undo"] button`)),
      runButtons: form ? [...form.querySelectorAll('button[type=submit]')].map((b) => `${b.value}:${text(b)}`) : [],
    };
  });
}

/** The contacts list's rows after a search by name. */
async function searchContacts(page, q) {
  await navigating(page, () => page.click('nav[aria-label=Main] a[href="/contacts"]'));
  await page.fill('#q', q);
  await navigating(page, () => page.click('form.filters button[type=submit]'));
  assert.equal(new URL(page.url()).searchParams.get('q'), q);
  return page.evaluate(() => ({
    empty: document.querySelector('p.empty')?.textContent.trim() ?? null,
    rows: [...document.querySelectorAll('table.list tbody tr')].map((tr) => {
      const a = tr.querySelector('td a');
      return { id: Number(/^\/contacts\/(\d+)$/.exec(a.getAttribute('href'))?.[1]), name: a.textContent.trim() };
    }),
  }));
}

/** Presses one of the run form's buttons (preview, dry_run, import). */
async function runAction(page, action) {
  return navigating(page, () => page.click(`form.import-run button[type=submit][value=${action}]`));
}

/** A CSV of n people with unique names and emails, in the layout Outlook
 * writes; returns the file for setInputFiles and the people. */
function peopleCsv(tag, n) {
  const marker = unique(tag);
  const people = [];
  const lines = ['First Name,Last Name,Company Name,Email,Mobile Phone,City'];
  for (let i = 1; i <= n; i++) {
    const p = {
      first: ['Åsa', 'Zoë', 'Mário', 'Chloé', 'Jürgen'][(i - 1) % 5], last: `${marker}-${i}`,
      organisation: `Acme ${i}`, email: `${marker}-${i}@example.org`, phone: `555-01${String(i).padStart(2, '0')}`,
      city: ['Columbus', 'Dayton', 'Akron'][(i - 1) % 3],
    };
    people.push(p);
    lines.push([p.first, p.last, p.organisation, p.email, p.phone, p.city].join(','));
  }
  const name = `${marker}.csv`;
  const buffer = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
  fs.writeFileSync(path.join(tmp, name), buffer);
  return { marker, people, name, path: path.join(tmp, name), buffer };
}

const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/**
 * A test with its own browser context (own cookies, watched pages) and
 * screenshots: body(env) gets { t, context, page, watch, shots }. On failure
 * the kept screenshots and the open pages are written to the artifacts
 * folder (and with CTRACK_BROWSER_KEEP_SHOTS the kept ones always). At the
 * end no page may have logged an error or a CSP violation.
 */
function browserTest(name, options, body) {
  test(name, { timeout: 300000 }, async (t) => {
    const watch = await watchedContext(browser, options);
    const page = await watch.context.newPage();
    const shots = new Shots(ARTIFACTS, `import-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)}`);
    try {
      await body({ t, context: watch.context, page, watch, shots });
      watch.assertClean();
      if (KEEP_SHOTS) t.diagnostic(`screenshots: ${(await shots.write([])).join(' ')}`);
    } catch (e) {
      const files = await shots.write(watch.context.pages());
      t.diagnostic(`screenshots of the failure: ${files.join(' ')}`);
      if (watch.problems.length) t.diagnostic(`console problems: ${watch.problems.join(' | ')}`);
      throw e;
    } finally {
      await watch.context.close();
    }
  });
}

/** Runs named steps as subtests; after a failed step the rest are skipped. */
async function steps(t, list) {
  let failed = null;
  for (const [name, fn] of list) {
    await t.test(name, async (st) => {
      if (failed) { st.skip(`after the failed step "${failed}"`); return; }
      try { await fn(); } catch (e) { failed = name; throw e; }
    });
  }
  if (failed) throw new Error(`step "${failed}" failed`);
}

// ------------------------------------------------------------------ tests

browserTest('a Google CSV in five scripts: upload, mapping, dry run, import, search, undo', {}, async ({ t, page, watch, shots }) => {
  const file = fs.readFileSync(BR18);
  const emails = BR18_ROWS.map((r) => r.email);
  let id = null;
  let ids = [];

  await steps(t, [
    ['the demo client has none of the file\'s people yet', async () => {
      assert.equal(contactsWithEmails(emails), 0,
        'BR-18.csv\'s emails are in the demo client already (live or deleted): was this stack used for an earlier run?');
    }],

    ['log in, and the contacts list\'s Import button leads to the upload page', async () => {
      await login(page, watch);
      await openUploadPage(page);
      assert.match(squash(await page.locator('#upload-form .hint').textContent()), /at most \d+ MB/);
      assert.equal(await page.locator('#upload-progress').isHidden(), true, 'the progress bar shows before an upload');
    }],

    ['uploading BR-18.csv goes by XMLHttpRequest with the progress bar, then to the import\'s page', async () => {
      const before = importCount();
      const u = await upload(page, BR18);
      id = u.id;
      assert.deepEqual(u.posts.map((r) => r.resourceType()), ['xhr'], 'the upload did not go through upload.js');
      assert.deepEqual(u.seen, { barHidden: false, barValue: 100, status: 'Uploading… 100 %', buttonDisabled: true },
        'the progress bar and status as the upload page was left');
      assert.equal(importCount(), before + 1);
      const row = importRow(id);
      assert.deepEqual(row, {
        file_name: 'BR-18.csv', sha256: crypto.createHash('sha256').update(file).digest('hex'), file_size: file.length,
        status: 'uploaded', dry_run: 0, counts: [0, 0, 0, 0, 0, 0], content: true, user_id: row.user_id,
      });
      assert.equal(row.user_id, db.int(`SELECT id FROM users WHERE username = ${sqlStr(stack.user)}`));
    }],

    ['the import\'s page says how the file was read and how each column is taken', async () => {
      await page.waitForLoadState('networkidle');
      await shots.keep(page, 'mapping');
      const p = await readImportPage(page);
      assert.equal(p.title, `Import ${id}: BR-18.csv`);
      assert.equal(p.error, null);
      assert.equal(p.readAs, 'Read as CSV, UTF-8, separated by comma: 5 rows.');
      assert.match(squash(await page.locator('p.muted', { hasText: 'SHA-256' }).textContent()),
        new RegExp(`${file.length} bytes · SHA-256 ${importRow(id).sha256}$`));
      assert.deepEqual(p.columns.map((c) => [c.header, c.shown]), [
        ['Name', WHOLE_NAME],
        ['Given Name', 'First name'],
        ['Family Name', 'Last name'],
        ['E-mail 1 - Type', 'Email 1 type'],
        ['E-mail 1 - Value', 'Email 1'],
        ['Phone 1 - Type', 'Phone 1 type'],
        ['Phone 1 - Value', 'Phone 1'],
      ]);
      assert.deepEqual(p.columns.map((c) => c.name), p.columns.map((_, i) => `col.${i}`));
      assert.ok(p.columns.every((c) => c.labelledBy), 'a column\'s select is not labelled by its header');
      assert.deepEqual(p.runButtons, ['preview:Update the preview', 'dry_run:Dry run', 'import:Import']);
      assert.equal(p.reportTitle, null, 'a report before any run');
    }],

    ['the preview shows the rows as they would be imported, every script exactly', async () => {
      const p = await readImportPage(page);
      assert.equal(p.preview.length, 5);
      assert.deepEqual(p.preview[0], {
        Row: '1', 'First name': 'Дарья', 'Last name': 'Пример', Organisation: '', Email: 'darya@example.org',
        Phone: '+7 555 010-01-00', City: '', Region: '', Birthday: '', More: '', Problems: '',
      });
      assert.equal(Buffer.from(p.preview[0]['First name']).toString('hex'), Buffer.from('Дарья').toString('hex'));
      assert.deepEqual(p.preview.map((r) => [r['First name'], r['Last name'], r.Email, r.Phone]),
        BR18_ROWS.map((r) => [r.first, r.last, r.email, r.phone]));
    }],

    ['a dry run changes nothing and says what would be done', async () => {
      const live = demo.liveCount();
      const r = await runAction(page, 'dry_run');
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), `/imports/${id}`);
      await shots.keep(page, 'dry-run');
      const p = await readImportPage(page);
      assert.match(p.reportTitle, /^Dry run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC: nothing was changed$/);
      assert.deepEqual(p.counts, {
        'Rows read': 5, 'Would be created': 5, 'Would be updated': 0, Restored: 0, Skipped: 0, Failed: 0,
      });
      assert.equal(p.noProblems, true, `problems after the dry run: ${p.problems}`);
      assert.equal(p.undo, false, 'an Undo button after a dry run');
      // The form is still there to run it for real, the preview too.
      assert.equal(p.readAs, 'Read as CSV, UTF-8, separated by comma: 5 rows.');
      assert.equal(p.preview.length, 5);
      assert.equal(contactsWithEmails(emails), 0, 'the dry run created contacts');
      assert.equal(demo.liveCount(), live, 'the dry run changed the number of contacts');
      assert.equal(importedContacts(id).length, 0);
      const row = importRow(id);
      assert.deepEqual([row.status, row.dry_run, row.counts, row.content], ['uploaded', 1, [5, 5, 0, 0, 0, 0], true]);
    }],

    ['Import creates the five contacts, every name byte for byte as in the file', async () => {
      const live = demo.liveCount();
      const r = await runAction(page, 'import');
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), `/imports/${id}`);
      await page.waitForLoadState('networkidle');
      await shots.keep(page, 'report');
      const p = await readImportPage(page);
      assert.match(p.reportTitle, /^Imported \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC$/);
      assert.deepEqual(p.counts, { 'Rows read': 5, Created: 5, Updated: 0, Restored: 0, Skipped: 0, Failed: 0 });
      assert.equal(p.noProblems, true, `problems after the import: ${p.problems}`);
      assert.equal(p.undo, true, 'no Undo button after the import');
      assert.deepEqual(p.runButtons, [], 'the run form is still offered after the import');
      const row = importRow(id);
      assert.deepEqual([row.status, row.dry_run, row.counts, row.content], ['imported', 0, [5, 5, 0, 0, 0, 0], false]);
      assert.equal(demo.liveCount(), live + 5);
      const got = importedContacts(id);
      ids = got.map((c) => c.id);
      assert.deepEqual(got.map((c) => ({
        action: c.action, first: c.first, last: c.last, email: c.email, emailType: c.emailType, phone: c.phone,
        cell: c.phone ? c.phoneType.split(',').includes('cell') : c.phoneType === '', deleted: c.deletedAt,
      })), BR18_ROWS.map((b) => ({
        action: 'created', first: b.first, last: b.last, email: b.email, emailType: b.emailType, phone: b.phone,
        cell: true, deleted: null,
      })));
      const hex = db.rows(`SELECT HEX(first_name), HEX(last_name) FROM contacts WHERE client_id = ${demo.clientId}`
        + ` AND id IN (${ids.map(sqlInt).join(', ')}) ORDER BY id`);
      assert.deepEqual(hex, BR18_ROWS.map((b) => [b.first, b.last].map((s) => Buffer.from(s).toString('hex').toUpperCase())));
    }],

    ['the contacts list search for "Пример" finds Дарья', async () => {
      const found = await searchContacts(page, 'Пример');
      assert.deepEqual(found.rows, [{ id: ids[0], name: 'Пример, Дарья' }]);
      await navigating(page, () => page.click(`table.list a[href="/contacts/${ids[0]}"]`));
      assert.equal(squash(await page.locator('h1').textContent()), 'Дарья Пример');
    }],

    ['"Undo this import" removes the five from the list; they stay, soft-deleted, in the database', async () => {
      await goto(page, '/imports');
      const state = await page.locator(`table.imports tbody tr:has(a[href="/imports/${id}"]) td:nth-child(4)`).textContent();
      assert.equal(state.trim(), 'imported');
      await navigating(page, () => page.click(`table.imports a[href="/imports/${id}"]`));
      const live = demo.liveCount();
      // With JavaScript the undo asks first; the question names what it does.
      let asked = '';
      page.once('dialog', (d) => { asked = d.message(); d.accept(); });
      const r = await navigating(page, () => page.click('form[action$="/undo"] button[type=submit]'));
      assert.match(asked, /^Undo this import\? The contacts it created are removed/);
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), `/imports/${id}?undone=1`);
      const p = await readImportPage(page);
      assert.match(p.reportTitle, /^Undone \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC$/);
      assert.equal(p.undo, false, 'the Undo button is still there after the undo');
      assert.equal(importRow(id).status, 'undone');
      const got = importedContacts(id);
      assert.deepEqual(got.map((c) => c.id), ids, 'the undo lost the import\'s contacts (hard delete?)');
      assert.ok(got.every((c) => c.deletedAt !== null), `not all deleted: ${JSON.stringify(got.map((c) => c.deletedAt))}`);
      assert.equal(demo.liveCount(), live - 5);
      const found = await searchContacts(page, 'Пример');
      assert.deepEqual(found.rows, []);
      assert.equal(found.empty, 'No contacts match.');
      // The contact's own page is gone too.
      watch.expect(/status of 404/);
      const resp = await goto(page, `/contacts/${ids[0]}`);
      assert.equal(resp.status(), 404);
    }],
  ]);
});

browserTest('the mapping changed by hand, and a file that is no CSV', {}, async ({ t, page, watch, shots }) => {
  const csv = peopleCsv('Map', 3);
  let id = null;

  await steps(t, [
    ['log in and upload a CSV in Outlook\'s layout', async () => {
      await login(page, watch);
      await openUploadPage(page);
      id = (await upload(page, { name: csv.name, mimeType: 'text/csv', buffer: csv.buffer })).id;
      const p = await readImportPage(page);
      assert.equal(p.readAs, 'Read as CSV, UTF-8, separated by comma: 3 rows.');
      assert.deepEqual(p.columns.map((c) => [c.header, c.shown]), [
        ['First Name', 'First name'], ['Last Name', 'Last name'], ['Company Name', 'Organisation'],
        ['Email', 'Email 1'], ['Mobile Phone', 'Phone 1 (cell)'], ['City', 'City'],
      ]);
      assert.deepEqual(p.preview.map((r) => [r['First name'], r['Last name'], r.Organisation, r.Email, r.Phone, r.City]),
        csv.people.map((q) => [q.first, q.last, q.organisation, q.email, q.phone, q.city]));
    }],

    ['"(not imported)" for two columns and City as the organisation: the preview follows', async () => {
      await page.selectOption('#col-2', { label: NOT_IMPORTED });
      await page.selectOption('#col-4', { label: NOT_IMPORTED });
      await page.selectOption('#col-5', { label: 'Organisation' });
      const r = await runAction(page, 'preview');
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), `/imports/${id}/run`);
      await shots.keep(page, 'mapping-by-hand');
      const p = await readImportPage(page);
      assert.equal(p.error, null);
      assert.deepEqual(p.columns.map((c) => [c.header, c.shown]), [
        ['First Name', 'First name'], ['Last Name', 'Last name'], ['Company Name', NOT_IMPORTED],
        ['Email', 'Email 1'], ['Mobile Phone', NOT_IMPORTED], ['City', 'Organisation'],
      ]);
      assert.deepEqual(p.preview.map((q) => [q['First name'], q['Last name'], q.Organisation, q.Email, q.Phone, q.City]),
        csv.people.map((q) => [q.first, q.last, q.city, q.email, '', '']));
      assert.equal(importRow(id).status, 'uploaded');
      assert.equal(contactsWithEmails(csv.people.map((q) => q.email)), 0, 'the preview created contacts');
    }],

    ['the dry run keeps the hand-made mapping, and the page shows it again later', async () => {
      const r = await runAction(page, 'dry_run');
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), `/imports/${id}`);
      let p = await readImportPage(page);
      assert.equal(p.counts['Would be created'], 3);
      await goto(page, `/imports/${id}`);
      p = await readImportPage(page);
      assert.deepEqual(p.columns.map((c) => c.shown),
        ['First name', 'Last name', NOT_IMPORTED, 'Email 1', NOT_IMPORTED, 'Organisation']);
      assert.deepEqual(p.preview.map((q) => q.Organisation), csv.people.map((q) => q.city));
    }],

    ['Import stores what the mapping says, and Undo takes it back', async () => {
      await runAction(page, 'import');
      const p = await readImportPage(page);
      assert.equal(p.counts.Created, 3);
      const got = importedContacts(id);
      assert.deepEqual(got.map((c) => [c.first, c.last, c.organisation, c.email, c.phone, c.city]),
        csv.people.map((q) => [q.first, q.last, q.city, q.email, '', '']));
      page.once('dialog', (d) => d.accept());
      await navigating(page, () => page.click('form[action$="/undo"] button[type=submit]'));
      assert.ok(importedContacts(id).every((c) => c.deletedAt !== null), 'the undo left contacts live');
    }],

    ['a PNG named x.csv gives the upload page back with the reason, and nothing is stored', async () => {
      await openUploadPage(page);
      const before = importCount();
      watch.expect(/status of 422/);
      const u = await upload(page, { name: 'x.csv', mimeType: 'text/csv', buffer: PNG_BYTES }, { refused: true });
      assert.deepEqual([u.type, u.status], ['xhr', 422]);
      assert.equal(pathOf(page), '/imports');
      await shots.keep(page, 'refused');
      assert.equal(squash(await page.locator('p.error.banner').textContent()),
        'x.csv: This is not a text file: it looks like a PNG image.');
      assert.equal(await page.getAttribute('p.error.banner', 'role'), 'alert');
      assert.equal(importCount(), before, 'the refused file was stored');
      assert.equal(db.int(`SELECT COUNT(*) FROM imports WHERE client_id = ${demo.clientId} AND file_name = 'x.csv'`), 0);
      assert.equal(await page.locator('#upload-form input[type=file]').count(), 1, 'no file input to try again');
    }],

    ['after the refusal the right file is uploaded from the same page, with the progress bar again', async () => {
      const again = peopleCsv('Again', 1);
      const u = await upload(page, { name: again.name, mimeType: 'text/csv', buffer: again.buffer });
      const p = await readImportPage(page);
      assert.equal(p.readAs, 'Read as CSV, UTF-8, separated by comma: 1 rows.');
      assert.equal(importRow(u.id).file_name, again.name);
      // The refusal's page took the place of the form upload.js watched.
      assert.deepEqual(u.posts.map((r) => r.resourceType()), ['xhr'],
        'after a refused upload the next one is a plain form post: upload.js no longer handles the form');
      assert.deepEqual(u.seen, { barHidden: false, barValue: 100, status: 'Uploading… 100 %', buttonDisabled: true });
    }],
  ]);
});

browserTest('without JavaScript: upload by plain form, dry run, import, undo, a bad file', { javaScriptEnabled: false },
  async ({ t, context, page, watch, shots }) => {
  const csv = peopleCsv('NoJs', 4);
  let id = null;

  await steps(t, [
    ['the context really runs no script', async () => {
      const probe = await context.newPage();
      await probe.setContent('<title>none</title><script>document.title = "ran"</script>');
      assert.equal(await probe.title(), 'none', 'a script ran in the context without JavaScript');
      await probe.close();
    }],

    ['log in and open the upload page from the contacts list', async () => {
      await login(page, watch);
      await openUploadPage(page);
    }],

    ['the form posts multipart, the server answers 303 to the import\'s page', async () => {
      const before = importCount();
      const u = await upload(page, csv.path, { js: false });
      id = u.id;
      assert.deepEqual(u.posts.map((r) => r.resourceType()), ['document']);
      const post = u.response.request().redirectedFrom();
      assert.ok(post, 'the upload was not redirected');
      assert.equal(post.method(), 'POST');
      assert.match(post.headers()['content-type'], /^multipart\/form-data; boundary=/);
      const first = await post.response();
      assert.equal(first.status(), 303);
      assert.equal(new URL(first.headers().location, stack.url).pathname, `/imports/${id}`);
      assert.equal(u.response.status(), 200);
      assert.equal(importCount(), before + 1);
      assert.equal(importRow(id).file_name, csv.name);
      const p = await readImportPage(page);
      assert.equal(p.readAs, 'Read as CSV, UTF-8, separated by comma: 4 rows.');
      assert.deepEqual(p.preview.map((r) => [r['First name'], r['Last name'], r.Email]),
        csv.people.map((q) => [q.first, q.last, q.email]));
    }],

    ['dry run and import by plain form posts', async () => {
      let r = await runAction(page, 'dry_run');
      assert.equal((await r.request().redirectedFrom()?.response())?.status(), 303);
      let p = await readImportPage(page);
      assert.equal(p.counts['Would be created'], 4);
      assert.equal(contactsWithEmails(csv.people.map((q) => q.email)), 0);
      r = await runAction(page, 'import');
      assert.equal((await r.request().redirectedFrom()?.response())?.status(), 303);
      await shots.keep(page, 'report');
      p = await readImportPage(page);
      assert.equal(p.counts.Created, 4);
      const got = importedContacts(id);
      assert.deepEqual(got.map((c) => [c.first, c.last, c.organisation, c.email, c.phone, c.city, c.deletedAt]),
        csv.people.map((q) => [q.first, q.last, q.organisation, q.email, q.phone, q.city, null]));
      const found = await searchContacts(page, csv.marker);
      assert.deepEqual(found.rows.map((x) => x.id).sort((a, b) => a - b), got.map((c) => c.id));
    }],

    ['undo by plain form post', async () => {
      await goto(page, `/imports/${id}`);
      await navigating(page, () => page.click('form[action$="/undo"] button[type=submit]'));
      assert.equal(pathOf(page), `/imports/${id}?undone=1`);
      assert.ok(importedContacts(id).every((c) => c.deletedAt !== null), 'the undo left contacts live');
      const found = await searchContacts(page, csv.marker);
      assert.deepEqual(found.rows, []);
    }],

    ['a PNG named x.csv comes back as the upload page with the reason (422), nothing stored', async () => {
      await openUploadPage(page);
      const before = importCount();
      watch.expect(/status of 422/);
      const u = await upload(page, { name: 'x.csv', mimeType: 'text/csv', buffer: PNG_BYTES }, { refused: true, js: false });
      assert.deepEqual([u.type, u.status], ['document', 422]);
      assert.equal(pathOf(page), '/imports');
      await shots.keep(page, 'refused');
      assert.equal(squash(await page.locator('p.error.banner').textContent()),
        'x.csv: This is not a text file: it looks like a PNG image.');
      assert.equal(importCount(), before, 'the refused file was stored');
    }],
  ]);
});
