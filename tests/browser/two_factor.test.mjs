// Two-factor logon as a user lives it: the QR code on the page is scanned
// (a screenshot of the <img>, decoded by zbarimg as a phone's camera would),
// the authenticator's code is computed here from the otpauth URI it holds,
// enrolment shows the recovery codes, and after logging out the user logs
// on with the password and a code. The user is made in the database.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Database, Demo, Shots, artifactsDir, launch, sqlInt, sqlStr, stackFromEnv, unique, watchedContext,
} from './lib.mjs';

const stack = stackFromEnv();
const db = new Database(stack.rootCnf);
const demo = new Demo(db, stack.user);
const ARTIFACTS = artifactsDir();
const SESSION_COOKIE = '__Host-ctrack';
const PASSWORD = 'correct horse battery staple';
const PERIOD = 30;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const url = (p) => stack.url + p;
const pathOf = (page) => new URL(page.url()).pathname;

/** Runs action and waits for the navigation it starts and for the page's
 * own requests (its icon) to finish, so that the next step's navigation
 * does not abort them; returns the final response. */
async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert.ok(response && response.status() < 500, `${page.url()} answered ${response?.status()}`);
  await page.waitForLoadState('networkidle');
  return response;
}

// ------------------------------------------------------------------ TOTP, here

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let acc = 0; const out = [];
  for (const ch of s.replace(/[\s=-]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `not base32: ${ch}`);
    acc = (acc << 5) | v; bits += 5;
    if (bits >= 8) { out.push((acc >>> (bits - 8)) & 0xff); bits -= 8; }
    acc &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

function hotp(key, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** The code of the current step, or of the next one (the server accepts one
 * step either side) when the current one was used; either stays good past the
 * next step boundary. */
async function codeAfter(key, lastStep) {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / PERIOD);
    for (const step of [now, now + 1]) if (step > lastStep) return { code: hotp(key, step), step };
    await sleep(1000);
  }
}

// ------------------------------------------------------------------ the user

function makeUser() {
  const username = unique('tf-');
  const salt = crypto.randomBytes(16);
  const hash = `pbkdf2-sha256$1000$${salt.toString('base64')}$`
    + crypto.pbkdf2Sync(PASSWORD, salt, 1000, 32, 'sha256').toString('base64');
  const c = sqlInt(demo.clientId);
  const id = Number(db.value(
    `INSERT INTO user_types (client_id, name) VALUES (${c}, ${sqlStr(unique('Type '))}); SET @t = LAST_INSERT_ID();`
    + ` INSERT INTO user_type_functions (client_id, user_type_id, function_name) VALUES (${c}, @t, 'contacts.view');`
    + ' INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, status, all_regions,'
    + ` all_campaigns) VALUES (${c}, ${sqlStr(username)}, 'Two-factor tester', @t, ${sqlStr(hash)}, 'active', 1, 1);`
    + ' SELECT LAST_INSERT_ID()'));
  return { id, username };
}

/** Types the username and password and submits; nginx's rate limit (429) is waited out. */
async function logIn(page, watch, username) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.goto(url('/login'), { waitUntil: 'networkidle' });
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    const r = await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
    if (r.status() !== 429) return r;
    watch.forgive(/status of 429/);
    watch.forgive(/status of 404.*\/favicon\.ico/);
    await sleep(8000);
  }
  throw new Error('POST /login stayed rate-limited (429) for 40 seconds');
}

test('a user enrols by scanning the QR code and logs on with a code', { timeout: 240000 }, async (t) => {
  const watch = await watchedContext(browser);
  const page = await watch.context.newPage();
  const shots = new Shots(ARTIFACTS, 'two-factor');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctrack-qr-'));
  const user = makeUser();
  try {
    let r = await logIn(page, watch, user.username);
    assert.equal(pathOf(page), '/contacts');

    await page.goto(url('/account/two-factor'), { waitUntil: 'networkidle' });
    await shots.keep(page, 'enrol');
    const qr = page.locator('img#qr');
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR image did not load');
    assert.ok((await qr.getAttribute('alt')).length > 0, 'the QR image has no alt text');

    // Scan it: the picture on the screen, decoded like a camera would.
    const png = path.join(tmp, 'qr.png');
    await qr.screenshot({ path: png });
    const uri = execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const u = new URL(uri);
    assert.equal(u.protocol, 'otpauth:');
    assert.equal(u.host, 'totp');
    const label = decodeURIComponent(u.pathname.slice(1));
    assert.equal(label, `${u.searchParams.get('issuer')}:${user.username}`);
    assert.equal(u.searchParams.get('algorithm'), 'SHA1');
    assert.equal(u.searchParams.get('digits'), '6');
    assert.equal(u.searchParams.get('period'), '30');
    const secret = u.searchParams.get('secret');
    // The same secret as the one shown for typing in.
    assert.equal((await page.locator('#secret').textContent()).replace(/\s/g, ''), secret);
    const key = base32Decode(secret);
    assert.equal(key.length, 20);

    const enrolled = await codeAfter(key, -1);
    await page.fill('#code', enrolled.code);
    await page.fill('#enrol-password', PASSWORD);
    r = await navigating(page, () => page.click('form[action="/account/two-factor"] button[type=submit]'));
    assert.equal(r.status(), 200);
    await shots.keep(page, 'recovery-codes');
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    assert.match(await page.locator('#two-factor-status').textContent(), /on since/);

    // Log out, and back on: the password, then a code.
    await navigating(page, () => page.click('form[action="/logout"] button'));
    assert.equal(pathOf(page), '/login');
    r = await logIn(page, watch, user.username);
    assert.equal(pathOf(page), '/login/two-factor');
    const halfWay = (await watch.context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'code', 'the code field has not the focus');
    const lastStep = Number(db.value(`SELECT totp_last_step FROM users WHERE id = ${sqlInt(user.id)}`));
    assert.equal(lastStep, enrolled.step);
    const { code } = await codeAfter(key, lastStep);
    await page.fill('#code', code);
    r = await navigating(page, () => page.click('form[action="/login/two-factor"] button[type=submit]'));
    assert.equal(r.status(), 200);
    assert.equal(pathOf(page), '/contacts');
    const full = (await watch.context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
    assert.ok(full && full !== halfWay, 'the session token did not change at the second step');
    assert.equal(db.value(`SELECT stage FROM sessions WHERE token_hash = UNHEX(SHA2(${sqlStr(full)}, 256))`), 'full');
    watch.assertClean();
  } catch (e) {
    const files = await shots.write(watch.context.pages());
    t.diagnostic(`screenshots of the failure: ${files.join(' ')}`);
    throw e;
  } finally {
    await watch.context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    db.rows(`DELETE FROM sessions WHERE user_id = ${sqlInt(user.id)}`);
  }
});
