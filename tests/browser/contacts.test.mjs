// What a user lives through in a real browser (Debian's headless Chromium):
// the login page, the contacts list and its total, the accent-blind search,
// the state filter, a new contact, editing its phone, a wrong form coming
// back with its message and the input kept, logging out; the same by
// keyboard only; and without JavaScript. Every page is watched for console
// errors and Content-Security-Policy violations.
//
// tests/run-tests.sh runs this against its private stack (CTRACK_URL and the
// rest come from there); the database is the source of truth for counts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  Database, Demo, DEMO_CONTACTS, Shots, artifactsDir, fold, launch, listName, stackFromEnv, unique, watchedContext,
} from './lib.mjs';

const stack = stackFromEnv();
const db = new Database(stack.rootCnf);
const demo = new Demo(db, stack.user);
const ARTIFACTS = artifactsDir();
const PAGE_SIZE = 50;
const SESSION_COOKIE = '__Host-ctrack';
const EMAIL_MESSAGE = 'is not an email address (like name@example.org)';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// ------------------------------------------------------------------ helpers

const url = (p) => stack.url + p;
const pathOf = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };

/** Runs action (a click, a key press) and waits for the navigation it starts;
 * returns the final response (after redirects). */
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

/**
 * Fills and submits the login form by submit() (which types and presses or
 * clicks) and returns the final response. nginx allows about 10 logins a minute from one
 * address and the integration tests have just used some: a 429 is waited
 * out and the login done again, the same way.
 */
async function login(page, watch, submit) {
  const form = pathOf(page);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await goto(page, form);
    const response = await navigating(page, submit);
    if (response.status() !== 429) return response;
    watch.forgive(/status of 429/);
    // nginx's own 429 page names no icon, so the browser asks for /favicon.ico.
    watch.forgive(/status of 404.*\/favicon\.ico/);
    await sleep(8000);
  }
  throw new Error('POST /login stayed rate-limited (429) for 40 seconds');
}

async function assertLoginPage(page) {
  assert.equal(new URL(page.url()).pathname, '/login', `not the login page: ${page.url()}`);
  assert.equal(await page.title(), 'Log in · Contact Tracking');
  assert.equal((await page.locator('h1').textContent()).trim(), 'Log in');
  assert.equal(await page.locator('form[action="/login"] #username').count(), 1, 'no username field');
  assert.equal(await page.locator('form[action="/logout"]').count(), 0, 'a logout form on the login page');
}

/** The contacts list as shown: the total, "Showing a–b of n", the pager, the rows. */
async function readList(page) {
  assert.equal(new URL(page.url()).pathname, '/contacts', `not the list page: ${page.url()}`);
  return page.evaluate(() => {
    const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
    const showing = /Showing (\d+)\s*–\s*(\d+) of (\d+)/.exec(document.body.textContent);
    const pager = /Page (\d+) of (\d+)/.exec(text(document.querySelector('nav.pager')) || '');
    return {
      total: Number(text(document.querySelector('h1 .count'))),
      showing: showing ? showing.slice(1).map(Number) : null,
      page: pager ? Number(pager[1]) : null,
      pages: pager ? Number(pager[2]) : null,
      empty: text(document.querySelector('p.empty')),
      q: document.querySelector('#q').value,
      region: document.querySelector('#region').value,
      rows: [...document.querySelectorAll('table.list tbody tr')].map((tr) => {
        const cells = [...tr.querySelectorAll('td')].map(text);
        const a = tr.querySelector('td a');
        return { name: text(a), id: Number(/^\/contacts\/(\d+)$/.exec(a.getAttribute('href'))?.[1]), cells };
      }),
    };
  });
}

/** The value shown beside a label on a contact's page. */
async function shown(page, label) {
  return page.evaluate((l) => {
    const dt = [...document.querySelectorAll('dl.details dt')].find((d) => d.textContent.trim() === l);
    return dt ? dt.nextElementSibling.textContent.trim() : null;
  }, label);
}

/** The contacts whose name contains the word, ignoring case and accents,
 * as the list shows them, sorted. */
function expectedSearch(word) {
  const w = fold(word);
  return demo.names()
    .filter((c) => [c.first, c.middle, c.last, c.nickname].some((p) => fold(p).includes(w)))
    .map(listName).sort();
}

/**
 * Presses Tab until the focused element matches selector (at most max
 * presses). Every element reached must show that it has the focus (the
 * :focus-visible outline of the stylesheet).
 */
async function tabTo(page, selector, max = 60) {
  const path = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { what: 'body', match: false, visible: true };
      const cs = getComputedStyle(el);
      return {
        what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('href') ? `[href=${el.getAttribute('href')}]` : ''}`
          + ` "${(el.textContent || el.value || '').trim().slice(0, 30)}"`,
        match: el.matches(sel),
        visible: el.matches(':focus-visible') && cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0,
      };
    }, selector);
    path.push(f.what);
    assert.ok(f.visible, `the keyboard focus on ${f.what} is not visible`);
    if (f.match) return;
  }
  assert.fail(`Tab did not reach ${selector} in ${max} presses; it went: ${path.join(' → ')}`);
}

/** Types into the focused field, replacing what it held. */
async function retype(page, text) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

/**
 * A test with its own browser context (own cookies, watched pages) and
 * screenshots: body(env) gets { context, page, watch, shots }. On failure the
 * kept screenshots and the open pages are written to the artifacts folder.
 * At the end no page may have logged an error or a CSP violation.
 */
function browserTest(name, options, body) {
  test(name, { timeout: 240000 }, async (t) => {
    const watch = await watchedContext(browser, options);
    const page = await watch.context.newPage();
    const shots = new Shots(ARTIFACTS, name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40));
    try {
      await body({ t, context: watch.context, page, watch, shots });
      watch.assertClean();
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

browserTest('a user\'s day: log in, find, filter, add, edit, a wrong form, log out', {}, async ({ t, context, page, watch, shots }) => {
  const marker = unique('Buckeye');
  let id = null;
  let sessionToken = null;

  await steps(t, [
    ['opening the site shows the login page', async () => {
      await goto(page, '/');
      await assertLoginPage(page);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'username', 'the username field has not the focus');
    }],

    ['logging in as the admin shows the contacts list with its total', async () => {
      const r = await login(page, watch, async () => {
        await page.fill('#username', stack.user);
        await page.fill('#password', stack.password);
        await page.click('form[action="/login"] button[type=submit]');
      });
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), '/contacts');
      sessionToken = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
      assert.ok(sessionToken, 'no session cookie after login');
      await shots.keep(page, 'list');
      const list = await readList(page);
      const live = demo.liveCount();
      assert.ok(list.total >= DEMO_CONTACTS, `the list shows ${list.total} contacts, the demo has ${DEMO_CONTACTS}`);
      assert.equal(list.total, live, `the list shows ${list.total} contacts, the database has ${live}`);
      assert.deepEqual(list.showing, [1, PAGE_SIZE, live]);
      assert.equal(list.rows.length, PAGE_SIZE);
      assert.deepEqual([list.page, list.pages], [1, Math.ceil(live / PAGE_SIZE)]);
      assert.match(await page.locator('header .who').textContent(), /Example Advocacy/);
    }],

    ['searching "lujan" finds the Luján contacts', async () => {
      await page.fill('#q', 'lujan');
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      await shots.keep(page, 'list');
      const list = await readList(page);
      const names = list.rows.map((r) => r.name);
      const expected = expectedSearch('lujan');
      assert.ok(expected.includes('Luján, Ben') && expected.includes('Luján, Manuel'),
        `the database has no Ben or Manuel Luján: ${expected}`);
      assert.deepEqual([...names].sort(), expected, `q=lujan shows ${names}`);
      assert.ok(names.includes('Luján, Ben') && names.includes('Luján, Manuel'), `q=lujan shows ${names}`);
      assert.equal(list.total, expected.length);
      assert.equal(list.q, 'lujan', 'the search box lost what was typed');
      assert.equal(new URL(page.url()).searchParams.get('q'), 'lujan');
    }],

    ['filtering to Ohio shows only Ohio, every page of it, as many as the database has', async () => {
      await page.fill('#q', '');
      await page.selectOption('#region', { label: 'Ohio' });
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      await shots.keep(page, 'list');
      const inOhio = demo.liveIds(demo.inRegion('US-OH'));
      assert.ok(inOhio.length > 500, `Ohio has only ${inOhio.length} contacts in the database`);
      const ohioNames = new Set(demo.regionNames('US-OH'));
      assert.ok(ohioNames.has('Ohio') && ohioNames.has('Ohio district 5'), `Ohio's regions: ${[...ohioNames]}`);
      let list = await readList(page);
      assert.equal(list.total, inOhio.length, `Ohio shows ${list.total}, the database has ${inOhio.length}`);
      assert.equal(list.pages, Math.ceil(inOhio.length / PAGE_SIZE));
      const seen = [];
      for (;;) {
        assert.equal(list.region, 'US-OH', `the state select lost Ohio on page ${list.page}`);
        const outside = list.rows.filter((r) => !ohioNames.has(r.cells[3]));
        assert.deepEqual(outside, [], `rows outside Ohio on page ${list.page}`);
        seen.push(...list.rows.map((r) => r.id));
        if (list.page === list.pages) break;
        await navigating(page, () => page.click('nav.pager a[rel=next]'));
        list = await readList(page);
      }
      assert.deepEqual([...seen].sort((a, b) => a - b), inOhio, 'the Ohio pages do not show the database\'s Ohio contacts');
    }],

    ['a new contact in Ohio is saved and shown', async () => {
      await navigating(page, () => page.click('a[href="/contacts/new"]'));
      await shots.keep(page, 'form');
      await page.fill('#first_name', 'Ada');
      await page.fill('#last_name', marker);
      await page.selectOption('#region', 'US-OH-05');
      await page.fill('#email', 'ada@example.org');
      await page.fill('#phone', '614-555-0100');
      const r = await navigating(page, () => page.click('form.panel button[type=submit]'));
      assert.equal(r.status(), 200);
      const m = /^\/contacts\/(\d+)$/.exec(pathOf(page));
      assert.ok(m, `saving went to ${pathOf(page)}`);
      id = Number(m[1]);
      assert.equal((await page.locator('h1').textContent()).trim(), `Ada ${marker}`);
      assert.equal(await shown(page, 'Phone'), '614-555-0100');
      assert.deepEqual(demo.contact(id), {
        first_name: 'Ada', last_name: marker, email: 'ada@example.org', phone: '614-555-0100', region: 'US-OH-05', deleted_at: null,
      });
    }],

    ['the contact is found in the Ohio list and opens', async () => {
      await navigating(page, () => page.click('nav[aria-label=Main] a[href="/contacts"]'));
      await page.fill('#q', marker);
      await page.selectOption('#region', { label: 'Ohio' });
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      const list = await readList(page);
      assert.deepEqual(list.rows.map((r) => [r.id, r.name, r.cells[3], r.cells[4]]),
        [[id, `${marker}, Ada`, 'Ohio district 5', '614-555-0100']]);
      await navigating(page, () => page.click(`table.list a[href="/contacts/${id}"]`));
      assert.equal(pathOf(page), `/contacts/${id}`);
      assert.equal(await shown(page, 'State or district'), 'Ohio district 5');
    }],

    ['editing the phone number saves it and shows the new one', async () => {
      await navigating(page, () => page.click(`a[href="/contacts/${id}/edit"]`));
      await shots.keep(page, 'form');
      assert.equal(await page.inputValue('#phone'), '614-555-0100');
      await page.fill('#phone', '614-555-0199');
      const r = await navigating(page, () => page.click('form.panel button[type=submit]'));
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), `/contacts/${id}`);
      assert.equal(await shown(page, 'Phone'), '614-555-0199');
      assert.equal(demo.contact(id).phone, '614-555-0199');
    }],

    ['a bad email comes back with the message beside the field and the input kept', async () => {
      await navigating(page, () => page.click(`a[href="/contacts/${id}/edit"]`));
      await page.fill('#email', 'ada@nowhere');
      await page.fill('#phone', '614-555-0123');
      // The browser lets the form through (novalidate): the server judges it.
      watch.expect(/status of 422/);
      const r = await navigating(page, () => page.click('form.panel button[type=submit]'));
      await shots.keep(page, 'form');
      assert.equal(r.status(), 422);
      const field = page.locator('.field:has(#email)');
      assert.match(await field.getAttribute('class'), /\binvalid\b/);
      assert.equal((await field.locator('#email-error').textContent()).trim(), EMAIL_MESSAGE);
      assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute('#email', 'aria-describedby'), 'email-error');
      assert.equal(await page.inputValue('#email'), 'ada@nowhere', 'the bad email was not kept');
      assert.equal(await page.inputValue('#phone'), '614-555-0123', 'the other input was not kept');
      assert.equal(await page.inputValue('#last_name'), marker);
      assert.match(await page.locator('p.error.banner').textContent(), /not saved/);
      // Only the wrong field is marked.
      assert.deepEqual(await page.$$eval('.field.invalid input, .field.invalid select, .field.invalid textarea',
        (els) => els.map((e) => e.id)), ['email']);
      const box = await page.locator('#email').boundingBox();
      const msg = await page.locator('#email-error').boundingBox();
      assert.ok(msg.y >= box.y + box.height - 1 && msg.y - (box.y + box.height) < 40 && Math.abs(msg.x - box.x) < 40,
        `the message is not beside the field: field ${JSON.stringify(box)}, message ${JSON.stringify(msg)}`);
      const row = demo.contact(id);
      assert.deepEqual([row.email, row.phone], ['ada@example.org', '614-555-0199'], 'the bad form changed the contact');
      // Giving up: Cancel leads back to the contact as it was.
      await navigating(page, () => page.click('form.panel .actions a'));
      assert.equal(pathOf(page), `/contacts/${id}`);
      assert.equal(await shown(page, 'Email'), 'ada@example.org');
      assert.equal(await shown(page, 'Phone'), '614-555-0199');
    }],

    ['logging out ends the session: back, refresh and the old cookie all lead to the login page', async () => {
      assert.equal(demo.sessionsFor(sessionToken), 1, 'the session is not in the database');
      await navigating(page, () => page.click('form[action="/logout"] button'));
      await assertLoginPage(page);
      assert.equal(demo.sessionsFor(sessionToken), 0, 'the session is still in the database after logout');
      // Back to the contact's page: it is not shown again, from any cache.
      await page.goBack({ waitUntil: 'load' });
      await assertLoginPage(page);
      assert.equal(new URL(page.url()).searchParams.get('next'), `/contacts/${id}`);
      assert.equal(await page.getByText('ada@example.org').count(), 0, 'the contact is still on screen');
      await page.reload({ waitUntil: 'load' });
      await assertLoginPage(page);
      await goto(page, `/contacts/${id}`);
      await assertLoginPage(page);
      assert.equal(new URL(page.url()).searchParams.get('next'), `/contacts/${id}`);
      // The cookie from before the logout, replayed by another browser.
      const other = await watchedContext(browser);
      try {
        await other.context.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: stack.url, secure: true, httpOnly: true, sameSite: 'Lax' }]);
        const p = await other.context.newPage();
        await goto(p, '/contacts');
        await assertLoginPage(p);
        other.assertClean();
      } finally {
        await other.context.close();
      }
    }],
  ]);
});

browserTest('the whole flow by keyboard only', {}, async ({ t, page, watch, shots }) => {
  const marker = unique('Keys');
  let id = null;
  await steps(t, [
    ['log in: type, Tab, type, Enter', async () => {
      await goto(page, '/contacts');
      await assertLoginPage(page);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
      const r = await login(page, watch, async () => {
        await page.keyboard.type(stack.user);
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
        await page.keyboard.type(stack.password);
        await page.keyboard.press('Enter');
      });
      assert.equal(r.status(), 200);
      // Back where the visitor was going.
      assert.equal(pathOf(page), '/contacts');
      await shots.keep(page, 'list');
    }],

    ['the skip link comes first and is seen', async () => {
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return { text: el.textContent.trim(), href: el.getAttribute('href'), onScreen: r.left >= 0 && r.top >= 0 && r.width > 0 };
      });
      assert.deepEqual(skip, { text: 'Skip to content', href: '#main', onScreen: true });
    }],

    ['search: Tab to the search box, type, Enter', async () => {
      await tabTo(page, '#q');
      await page.keyboard.type('lujan');
      await navigating(page, () => page.keyboard.press('Enter'));
      await shots.keep(page, 'list');
      const list = await readList(page);
      assert.deepEqual(list.rows.map((r) => r.name).sort(), expectedSearch('lujan'));
    }],

    ['open a result with Tab and Enter', async () => {
      const list = await readList(page);
      const first = list.rows[0];
      await tabTo(page, `table.list a[href="/contacts/${first.id}"]`);
      await navigating(page, () => page.keyboard.press('Enter'));
      assert.equal(pathOf(page), `/contacts/${first.id}`);
      assert.match(await page.locator('h1').textContent(), /Luj[aá]n/);
    }],

    ['filter to Ohio with the state select', async () => {
      await tabTo(page, 'nav[aria-label=Main] a[href="/contacts"]');
      await navigating(page, () => page.keyboard.press('Enter'));
      await tabTo(page, '#region');
      // A closed select picks the option whose name is typed.
      await page.keyboard.type('Ohio');
      assert.equal(await page.inputValue('#region'), 'US-OH');
      await tabTo(page, 'form.filters button[type=submit]');
      await navigating(page, () => page.keyboard.press('Enter'));
      const list = await readList(page);
      assert.equal(list.total, demo.liveCount(demo.inRegion('US-OH')));
      assert.equal(list.region, 'US-OH');
    }],

    ['add a contact: New contact, fields by Tab, Enter saves', async () => {
      await tabTo(page, 'a[href="/contacts/new"]');
      await navigating(page, () => page.keyboard.press('Enter'));
      await shots.keep(page, 'form');
      await tabTo(page, '#first_name');
      await page.keyboard.type('Kay');
      await tabTo(page, '#last_name');
      await page.keyboard.type(marker);
      await tabTo(page, '#phone');
      await page.keyboard.type('216-555-0100');
      const r = await navigating(page, () => page.keyboard.press('Enter'));
      assert.equal(r.status(), 200);
      const m = /^\/contacts\/(\d+)$/.exec(pathOf(page));
      assert.ok(m, `saving went to ${pathOf(page)}`);
      id = Number(m[1]);
      assert.equal(await shown(page, 'Phone'), '216-555-0100');
      assert.equal(demo.contact(id).last_name, marker);
    }],

    ['edit its phone: Edit, Tab to the phone, retype, Enter', async () => {
      await tabTo(page, `a[href="/contacts/${id}/edit"]`);
      await navigating(page, () => page.keyboard.press('Enter'));
      await shots.keep(page, 'form');
      await tabTo(page, '#phone');
      await retype(page, '216-555-0199');
      await navigating(page, () => page.keyboard.press('Enter'));
      assert.equal(pathOf(page), `/contacts/${id}`);
      assert.equal(await shown(page, 'Phone'), '216-555-0199');
      assert.equal(demo.contact(id).phone, '216-555-0199');
    }],

    ['log out with Tab and Enter', async () => {
      await tabTo(page, 'form[action="/logout"] button');
      await navigating(page, () => page.keyboard.press('Enter'));
      await assertLoginPage(page);
      await goto(page, '/contacts');
      await assertLoginPage(page);
    }],
  ]);
});

browserTest('without JavaScript: log in, search, filter, open', { javaScriptEnabled: false }, async ({ t, context, page, watch, shots }) => {
  await steps(t, [
    ['the context really runs no script', async () => {
      const probe = await context.newPage();
      await probe.setContent('<title>none</title><script>document.title = "ran"</script>');
      assert.equal(await probe.title(), 'none', 'a script ran in the context without JavaScript');
      await probe.close();
    }],

    ['the login page works', async () => {
      await goto(page, '/');
      await assertLoginPage(page);
      const r = await login(page, watch, async () => {
        await page.fill('#username', stack.user);
        await page.fill('#password', stack.password);
        await page.click('form[action="/login"] button[type=submit]');
      });
      assert.equal(r.status(), 200);
      assert.equal(pathOf(page), '/contacts');
    }],

    ['searching "lujan" finds the Luján contacts', async () => {
      await page.fill('#q', 'lujan');
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      await shots.keep(page, 'list');
      const names = await page.locator('table.list tbody td:first-child a').allTextContents();
      assert.deepEqual(names.map((n) => n.trim()).sort(), expectedSearch('lujan'));
    }],

    ['filtering to Ohio counts what the database counts', async () => {
      await page.fill('#q', '');
      await page.selectOption('#region', { label: 'Ohio' });
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      await shots.keep(page, 'list');
      const total = Number((await page.locator('h1 .count').textContent()).trim());
      assert.equal(total, demo.liveCount(demo.inRegion('US-OH')));
      const regions = await page.locator('table.list tbody td:nth-child(4)').allTextContents();
      assert.equal(regions.length, PAGE_SIZE);
      const ohioNames = new Set(demo.regionNames('US-OH'));
      assert.deepEqual(regions.filter((r) => !ohioNames.has(r.trim())), []);
      await navigating(page, () => page.click('nav.pager a[rel=next]'));
      assert.equal(new URL(page.url()).searchParams.get('page'), '2');
      assert.equal(new URL(page.url()).searchParams.get('region'), 'US-OH');
    }],

    ['a contact opens and its form shows', async () => {
      const href = await page.locator('table.list tbody td:first-child a').first().getAttribute('href');
      await navigating(page, () => page.click(`table.list a[href="${href}"]`));
      assert.equal(pathOf(page), href);
      await navigating(page, () => page.click(`a[href="${href}/edit"]`));
      await shots.keep(page, 'form');
      assert.equal(await page.locator('form.panel #last_name').count(), 1);
      assert.equal(await page.locator('form.panel button[type=submit]').count(), 1);
    }],

    ['logging out works', async () => {
      await navigating(page, () => page.click('form[action="/logout"] button'));
      await assertLoginPage(page);
    }],
  ]);
});
