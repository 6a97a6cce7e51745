// Tracking the work in a real browser (Debian's headless Chromium): a field
// organiser limited to Ohio logs on, finds an Ohio legislator, logs a meeting
// for the "Clean Water" campaign with a follow-up for next week, sees it in
// "my follow-ups" and on the dashboard (the campaign's funnel and the
// activities of the week move, the map holds Ohio only), then changes the
// status of ticked members in bulk on the campaign's page and sees the funnel
// move again. The database is the source of truth for every number.
//
// Screenshots of every step are written to the run's artifacts folder
// (tests/run-tests.sh names it at the end), whether the test passes or not.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Database, Demo, Shots, artifactsDir, launch, sqlInt, sqlStr, stackFromEnv, unique, watchedContext,
} from './lib.mjs';

const stack = stackFromEnv();
const db = new Database(stack.rootCnf);
const demo = new Demo(db, stack.user);
const ARTIFACTS = artifactsDir();
const PASSWORD = 'clean water for ohio 2026';
const FUNCTIONS = ['contacts.view', 'activities.view', 'activities.create', 'campaigns.view', 'campaigns.manage',
  'reports.view'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const url = (p) => stack.url + p;
const pathOf = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };

async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert.ok(response, `no response for the navigation to ${page.url()}`);
  assert.ok(response.status() < 500, `${page.url()} answered ${response.status()}`);
  return response;
}

async function goto(page, p) {
  const response = await page.goto(url(p), { waitUntil: 'load' });
  assert.ok(response.status() < 400, `${p} answered ${response.status()}`);
  return response;
}

/** The calendar day in a time zone, moved by days: "YYYY-MM-DD". */
function dayIn(zone, days = 0) {
  const d = new Date(Date.now() + days * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(d);
}

// ------------------------------------------------------------------ the data

/** A "Clean Water" campaign with Ohio and Texas members, all targeted, and a
 * field organiser limited to Ohio. */
function setUp() {
  const c = sqlInt(demo.clientId);
  const name = unique('Clean Water ');
  const campaignId = Number(db.value(`INSERT INTO campaigns (client_id, name) VALUES (${c}, ${sqlStr(name)});`
    + ' SELECT LAST_INSERT_ID()'));
  const ohio = demo.liveIds(demo.inRegion('US-OH')).slice(0, 6);
  const texas = demo.liveIds(demo.inRegion('US-TX')).slice(0, 3);
  assert.equal(ohio.length, 6, 'the demo has Ohio legislators');
  db.rows(`INSERT INTO contact_campaigns (client_id, campaign_id, contact_id, status) VALUES ${
    [...ohio, ...texas].map((id) => `(${c}, ${campaignId}, ${sqlInt(id)}, 'targeted')`).join(', ')}`);

  const username = unique('organiser-');
  const salt = crypto.randomBytes(16);
  const hash = `pbkdf2-sha256$1000$${salt.toString('base64')}$`
    + crypto.pbkdf2Sync(PASSWORD, salt, 1000, 32, 'sha256').toString('base64');
  const userId = Number(db.value(
    `INSERT INTO user_types (client_id, name) VALUES (${c}, ${sqlStr(unique('Field organiser '))}); SET @t = LAST_INSERT_ID();`
    + ` INSERT INTO user_type_functions (client_id, user_type_id, function_name) VALUES ${
      FUNCTIONS.map((f) => `(${c}, @t, ${sqlStr(f)})`).join(', ')};`
    + ' INSERT INTO users (client_id, username, display_name, user_type_id, password_hash, status, all_regions,'
    + ` all_campaigns) VALUES (${c}, ${sqlStr(username)}, 'Field Organiser', @t, ${sqlStr(hash)}, 'active', 0, 1);`
    + ' SET @u = LAST_INSERT_ID();'
    + ` INSERT INTO user_regions (client_id, user_id, region_id) SELECT ${c}, @u, id FROM regions`
    + ` WHERE client_id = ${c} AND code = 'US-OH';`
    + ' SELECT @u'));
  const zone = db.value(`SELECT time_zone FROM clients WHERE id = ${c}`);
  return { campaignId, campaignName: name, ohio, texas, username, userId, zone };
}

/** What the database says the funnel of the campaign is, for Ohio members. */
function funnel(s) {
  const rows = db.rows('SELECT st.stage, COUNT(*) FROM contact_campaigns m'
    + ' JOIN campaign_statuses st ON st.client_id = m.client_id AND st.code = m.status'
    + ` JOIN contacts c ON c.client_id = m.client_id AND c.id = m.contact_id AND c.deleted_at IS NULL`
    + ` WHERE m.client_id = ${sqlInt(demo.clientId)} AND m.campaign_id = ${sqlInt(s.campaignId)}`
    + ` AND ${demo.inRegion('US-OH')} GROUP BY st.stage`);
  const n = Object.fromEntries(rows.map(([stage, count]) => [stage, Number(count)]));
  const all = Object.values(n).reduce((a, b) => a + b, 0);
  return {
    targeted: all,
    contacted: (n.contacted || 0) + (n.responded || 0) + (n.declined || 0),
    responded: n.responded || 0,
  };
}

/** The numbers of the campaign's row of the dashboard's funnel table. */
async function shownFunnel(page, campaignId) {
  const cells = await page.locator(`#funnel-row-${campaignId} td`).allTextContents();
  assert.equal(cells.length, 3, `the dashboard has no funnel row for campaign ${campaignId}`);
  const [targeted, contacted, responded] = cells.map((t) => Number.parseInt(t, 10));
  return { targeted, contacted, responded };
}

/** The dashboard's states table as { code: count }. */
async function shownStates(page) {
  const rows = await page.locator('#states-table tbody tr').evaluateAll((trs) => trs.map((tr) => [
    tr.querySelector('td')?.textContent.trim() || '', tr.querySelector('td.num')?.textContent.trim() || '']));
  return Object.fromEntries(rows.filter(([code]) => code).map(([code, n]) => [code.split(' ')[0], Number(n)]));
}

async function logIn(page, watch, username) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.goto(url('/login'), { waitUntil: 'load' });
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    const r = await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
    if (r.status() !== 429) return r;
    watch.forgive(/status of 429/);
    await sleep(8000);
  }
  throw new Error('POST /login stayed rate-limited (429) for 40 seconds');
}

// ------------------------------------------------------------------ the test

test('an Ohio organiser logs a meeting with a follow-up, and the dashboard and campaign follow',
  { timeout: 240000 }, async () => {
    const s = setUp();
    const watch = await watchedContext(browser);
    const page = await watch.context.newPage();
    const shots = new Shots(ARTIFACTS, 'work');
    try {
      await logIn(page, watch, s.username);
      await shots.keep(page, '1-logged-on');

      // The dashboard before: Ohio only, the campaign's funnel as the database has it.
      await goto(page, '/dashboard');
      const states = await shownStates(page);
      assert.deepEqual(Object.keys(states).filter((k) => k.startsWith('US-') && k !== 'US-OH'), [],
        `an Ohio organiser sees other states: ${JSON.stringify(states)}`);
      assert.equal(states['US-OH'], demo.liveCount(demo.inRegion('US-OH')));
      const before = await shownFunnel(page, s.campaignId);
      assert.deepEqual(before, funnel(s));
      assert.deepEqual(before, { targeted: 6, contacted: 0, responded: 0 });
      const weekBefore = Number.parseInt(await page.locator('#weeks-table tbody tr:first-child td').textContent(), 10);
      const dueWeekBefore = Number.parseInt(await page.locator('#due-week strong').textContent(), 10);
      await shots.keep(page, '2-dashboard-before');

      // Find the legislator by name and open their page.
      const target = s.ohio[0];
      const [last] = db.rows(`SELECT last_name FROM contacts WHERE id = ${sqlInt(target)}`)[0];
      await navigating(page, () => page.click('nav[aria-label=Main] a[href="/contacts"]'));
      await page.fill('#q', last);
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      await shots.keep(page, '3-search');
      await navigating(page, () => page.click(`a[href="/contacts/${target}"]`));
      assert.equal(pathOf(page), `/contacts/${target}`);

      // Log the meeting for the campaign, with a follow-up a week on.
      const followUpOn = dayIn(s.zone, 7);
      const subject = unique('Meeting about the river ');
      await page.click('details.log-activity > summary');
      await page.selectOption('#activity-kind', 'meeting');
      await page.fill('#activity-subject', subject);
      await page.fill('#activity-body', 'Agreed to look at the bill before the session.');
      await page.fill('#activity-outcome', 'Interested');
      await page.selectOption('#activity-campaign', String(s.campaignId));
      await page.selectOption('#activity-status', 'contacted');
      await page.fill('#activity-follow_up_on', followUpOn);
      await page.selectOption('#activity-assignee', String(s.userId));
      await shots.keep(page, '4-activity-form');
      await navigating(page, () => page.click('#log-activity button[type=submit]'));
      assert.equal(new URL(page.url()).pathname, `/contacts/${target}`);

      const [meeting] = db.rows('SELECT id, kind, campaign_id, user_id FROM activities'
        + ` WHERE client_id = ${sqlInt(demo.clientId)} AND contact_id = ${sqlInt(target)} AND subject = ${sqlStr(subject)}`);
      assert.ok(meeting, 'the meeting is not in the database');
      assert.deepEqual(meeting.slice(1), ['meeting', String(s.campaignId), String(s.userId)]);
      const [task] = db.rows('SELECT id, due_on, assignee_id, kind FROM activities'
        + ` WHERE client_id = ${sqlInt(demo.clientId)} AND follow_up_of = ${sqlInt(Number(meeting[0]))}`);
      assert.deepEqual(task.slice(1), [followUpOn, String(s.userId), 'task']);
      assert.equal(db.value(`SELECT status FROM contact_campaigns WHERE campaign_id = ${sqlInt(s.campaignId)}`
        + ` AND contact_id = ${sqlInt(target)}`), 'contacted');
      // On the contact's page: the timeline and the open follow-up.
      await page.locator(`#activity-${meeting[0]}`).waitFor();
      assert.match(await page.locator(`#activity-${meeting[0]}`).textContent(), new RegExp(subject));
      await page.locator(`#open-follow-up-${task[0]}`).waitFor();
      await shots.keep(page, '5-contact-with-activity');

      // My follow-ups: upcoming, on its day.
      await navigating(page, () => page.click('nav[aria-label=Main] a[href="/follow-ups"]'));
      const row = page.locator(`#upcoming #follow-up-${task[0]}`);
      await row.waitFor();
      assert.match(await row.textContent(), new RegExp(followUpOn));
      await shots.keep(page, '6-my-follow-ups');

      // The dashboard after: one contacted more, one activity more this week,
      // one follow-up more in the next 7 days; Ohio's count unchanged.
      await goto(page, '/dashboard');
      const afterMeeting = await shownFunnel(page, s.campaignId);
      assert.deepEqual(afterMeeting, funnel(s));
      assert.deepEqual(afterMeeting, { targeted: 6, contacted: 1, responded: 0 });
      assert.equal(Number.parseInt(await page.locator('#weeks-table tbody tr:first-child td').textContent(), 10),
        weekBefore + 1);
      assert.equal(Number.parseInt(await page.locator('#due-week strong').textContent(), 10), dueWeekBefore + 1);
      assert.equal((await shownStates(page))['US-OH'], states['US-OH']);
      await shots.keep(page, '7-dashboard-after-meeting');

      // The campaign's page: tick two other Ohio members and mark them responded.
      await navigating(page, () => page.click(`#funnel-row-${s.campaignId} a`));
      assert.equal(new URL(page.url()).pathname, `/campaigns/${s.campaignId}`);
      assert.equal(await page.locator('#members-total').textContent().then((t) => Number.parseInt(t, 10)), 6,
        'the Ohio organiser sees the 6 Ohio members, not the Texas ones');
      for (const id of s.texas) assert.equal(await page.locator(`#tick-${id}`).count(), 0);
      await page.check(`#tick-${s.ohio[1]}`);
      await page.check(`#tick-${s.ohio[2]}`);
      await page.selectOption('#bulk-to', 'responded');
      await shots.keep(page, '8-bulk-ticked');
      await navigating(page, () => page.click('#bulk-selected'));
      assert.equal(Number.parseInt(await page.locator('#count-responded').textContent(), 10), 2);
      assert.deepEqual(db.rows(`SELECT contact_id, status FROM contact_campaigns WHERE campaign_id = ${sqlInt(s.campaignId)}`
        + ` AND status <> 'targeted' ORDER BY contact_id`),
      [[target, 'contacted'], [s.ohio[1], 'responded'], [s.ohio[2], 'responded']]
        .sort((a, b) => a[0] - b[0]).map(([id, st]) => [String(id), st]));
      await shots.keep(page, '9-bulk-done');

      await goto(page, '/dashboard');
      assert.deepEqual(await shownFunnel(page, s.campaignId), { targeted: 6, contacted: 3, responded: 2 });
      await shots.keep(page, '10-dashboard-after-bulk');

      // Every step was audited under the organiser.
      const actions = db.rows(`SELECT action FROM audit WHERE client_id = ${sqlInt(demo.clientId)}`
        + ` AND user_id = ${sqlInt(s.userId)} ORDER BY id`).map((r) => r[0]);
      for (const a of ['activity.create', 'activity.follow_ups', 'dashboard.view', 'campaign.bulk_status']) {
        assert.ok(actions.includes(a), `no ${a} audit row for the organiser: ${actions.join(', ')}`);
      }
      watch.assertClean();
    } finally {
      // Kept as artifacts whether the test passed or not.
      const files = await shots.write(watch.problems.length ? [page] : []);
      console.log(`screenshots: ${files.length} in ${ARTIFACTS}`);
      await watch.context.close();
    }
  });
