// The agent workspace in Chromium, as a support team uses it: keyboard first, live, in the agent's language,
// and accessible (axe-core reports no serious or critical violation on any agent page).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startParley, launchBrowser, artifacts } from './lib/parley.mjs';
import { signIn, axeViolations, screenshots } from './lib/pages.mjs';

export { signIn, axeViolations };

async function ticket(parley, acct, subject, body, extra = {}) {
  const r = await parley.api('acme', acct.api_key, 'POST', '/tickets', {
    subject, message: { body }, requester: { email: 'jane@example.com', name: 'Jane Doe' }, ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

test('keyboard only: list, ticket, reply, and back', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    await ticket(parley, acct, 'Older question', 'First');
    await ticket(parley, acct, 'Printer on fire', 'It smells of smoke.');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    // j moves to the first row (the newest), with a focus ring that shows.
    await page.keyboard.press('j');
    const focused = page.locator(':focus');
    assert.equal(await focused.textContent(), 'Printer on fire');
    const outline = await focused.evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('j');
    assert.equal(await page.locator(':focus').textContent(), 'Older question');
    await page.keyboard.press('k');
    await page.keyboard.press('o');
    await page.waitForURL(/\/tickets\/2$/);

    // r opens the reply; Ctrl+Enter sends it.
    await page.keyboard.press('r');
    assert.equal(await page.locator(':focus').getAttribute('name'), 'body');
    await page.keyboard.type('Unplug it, please.');
    await page.keyboard.press('Control+Enter');
    await page.locator('.timeline .message .body', { hasText: 'Unplug it, please.' }).waitFor();

    // n writes a note instead: the composer says so.
    await page.keyboard.press('n');
    assert.equal(await page.locator('form[data-composer]').getAttribute('class'), 'stack reply note-mode');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(/\/tickets$/);

    const t = await parley.api('acme', acct.api_key, 'GET', '/tickets?status=new,open,pending');
    const fire = t.body.tickets.find((x) => x.subject === 'Printer on fire');
    assert.ok(fire.first_response_at, 'the reply was sent as the first response');
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('the workspace in Hungarian, with times in the agent’s zone', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    await ticket(parley, acct, 'Nyomtató ég', 'Füstszag van.', { priority: 'urgent' });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.goto(parley.url('acme', '/profile'));
    await page.getByLabel('Language').selectOption('hu');
    await page.getByLabel('Time zone').fill('Europe/Budapest');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('A profilja mentve.').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'hu');

    await page.getByRole('link', { name: 'Jegyek', exact: true }).click();
    await page.getByRole('link', { name: 'Saját nyitott jegyeim' }).waitFor();
    await page.getByRole('columnheader', { name: 'Tárgy' }).waitFor();
    await page.getByRole('table').getByText('sürgős').waitFor();
    await page.getByRole('link', { name: 'Nyomtató ég' }).click();
    await page.getByLabel('Állapot').waitFor();
    await page.getByRole('button', { name: 'Küldés', exact: true }).waitFor();
    await page.screenshot({ path: join(screenshots, 'ticket-hu-1400.png') });
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('axe-core finds no serious or critical violation on the agent pages', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const t = await ticket(parley, acct, 'Invoice is wrong', 'Please check invoice 42.');
    await parley.api('acme', acct.api_key, 'POST', `/tickets/${t.id}/messages`, { body: 'Checking with billing.', internal: true });
    const made = await parley.api('acme', acct.api_key, 'POST', '/macros', {
      title: 'Refund done', actions: [{ action: 'set', field: 'status', value: 'pending' }], reply: { body: 'Refunded.' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const m = made.body;
    const madeCompany = await parley.api('acme', acct.api_key, 'POST', '/companies', { name: 'Globex', domains: ['globex.example'] });
    assert.equal(madeCompany.status, 201, JSON.stringify(madeCompany.body));
    const company = madeCompany.body;
    const joined = await parley.api('acme', acct.api_key, 'PATCH', `/contacts/${t.requester_id}`, { company_id: company.id });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const madeTrigger = await parley.api('acme', acct.api_key, 'POST', '/triggers', {
      name: 'Invoices', events: ['ticket.created'], conditions: { all: [{ field: 'text', operator: 'contains', value: 'invoice' }] },
      actions: [{ action: 'set', field: 'priority', value: 'high' }, { action: 'add_tags', value: ['billing'] }],
    });
    assert.equal(madeTrigger.status, 201, JSON.stringify(madeTrigger.body));
    const trigger = madeTrigger.body;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    const pages = ['/tickets', '/tickets?view=my_open', '/tickets/1', `/contacts`, `/contacts/${t.requester_id}`,
      '/companies', `/companies/${company.id}`, '/profile',
      '/search?q=invoice', '/knowledge', '/canned-responses', '/macros', `/macros/${m.id}`, '/settings/agents',
      '/settings/departments', '/settings/mailboxes', '/settings/mail', '/settings/webhooks', '/settings/fields', '/settings/api-keys',
      '/settings/chat', '/settings/privacy', '/settings/business-hours', '/settings/business-hours/new',
      '/settings/triggers', '/settings/triggers/new', `/settings/triggers/${trigger.id}?ticket=1&event=ticket.created`,
      '/settings/automations', '/settings/automations/new', '/settings/assignment', '/audit', '/views/new?from=all_open', '/tickets?view=all_open&sort=subject'];
    const found = {};
    for (const path of pages) {
      await page.goto(parley.url('acme', path));
      const v = await axeViolations(page);
      if (v.length) found[path] = v;
    }
    assert.deepEqual(found, {}, JSON.stringify(found, null, 2));
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('screenshots of the main pages at 1,400 and 390 pixels wide', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const subjects = ['Printer on fire', 'Invoice 42 is wrong', 'Cannot sign in', 'Refund for order 1009', 'Wifi drops every hour'];
    let first = null;
    for (const [i, s] of subjects.entries()) {
      const t = await ticket(parley, acct, s, `Hello, ${s.toLowerCase()}.`, { priority: ['urgent', 'normal', 'high', 'normal', 'low'][i], tags: i % 2 ? ['billing'] : [] });
      first = first || t;
    }
    await parley.api('acme', acct.api_key, 'POST', `/tickets/${first.id}/messages`, { body: 'Asked facilities to check the printer room.', internal: true });
    await parley.api('acme', acct.api_key, 'POST', `/tickets/${first.id}/messages`, { body: 'Please unplug it and step away; we are on our way.' });
    for (const width of [1400, 390]) {
      const page = await browser.newPage({ viewport: { width, height: width > 500 ? 900 : 844 } });
      await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
      await page.screenshot({ path: join(screenshots, `inbox-${width}.png`), fullPage: width > 500 });
      // Nothing is wider than the screen: a phone scrolls down, never sideways.
      assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `the inbox fits ${width} px`);
      await page.goto(parley.url('acme', '/tickets/1'));
      await page.screenshot({ path: join(screenshots, `ticket-${width}.png`), fullPage: true });
      assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `the ticket fits ${width} px`);
      await page.close();
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.goto(parley.url('acme', `/contacts/${first.requester_id}`));
    await page.screenshot({ path: join(screenshots, 'customer-1400.png') });
    await page.goto(parley.url('acme', '/tickets'));
    await page.locator('input[data-select]').first().check();
    await page.locator('form[data-bulk]').waitFor();
    await page.screenshot({ path: join(screenshots, 'bulk-1400.png') });
    assert.equal(await page.locator('[data-selected-count]').textContent(), '1 ticket selected');
    await page.goto(parley.url('acme', '/views/new?from=all_open'));
    await page.screenshot({ path: join(screenshots, 'view-editor-1400.png'), fullPage: true });
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('a ticket created through the API appears in an open list without a reload', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    await ticket(parley, acct, 'Already here', 'Old news.');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.getByRole('link', { name: 'Already here' }).waitFor();
    await page.evaluate(() => { window.__stillTheSamePage = true; });
    await page.locator('html[data-live="on"]').waitFor({ state: 'attached' });
    await ticket(parley, acct, 'Arrived live', 'New!', { priority: 'high' });
    const row = page.locator('tr[data-ticket]', { hasText: 'Arrived live' });
    await row.waitFor();
    assert.equal(await row.locator('[data-f="priority"]').textContent(), 'high');
    assert.equal(await row.locator('[data-f="requester"]').textContent(), 'Jane Doe');
    assert.equal(await page.locator('tbody tr[data-ticket]').first().textContent().then((t) => t.includes('Arrived live')), true, 'newest first');
    assert.equal(await page.evaluate(() => window.__stillTheSamePage), true, 'no reload');
    // A ticket that leaves the view leaves the list.
    const id = await row.getAttribute('data-ticket');
    await parley.api('acme', acct.api_key, 'PATCH', `/tickets/${id}`, { status: 'pending' });
    await row.waitFor({ state: 'detached' });
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('two agents on one ticket see each other, and the second is warned of a reply meanwhile', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const added = JSON.parse(parley.cli('agent', 'add', '--account', 'acme', '--email', 'bea@acme.example', '--name', 'Bea', '--role', 'agent', '--json'));
    await ticket(parley, acct, 'Two agents, one customer', 'Who answers me?');
    const ann = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const bea = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await signIn(ann, parley, 'acme', acct.owner.email, acct.owner.password);
    await signIn(bea, parley, 'acme', 'bea@acme.example', added.password);
    await ann.goto(parley.url('acme', '/tickets/1'));
    await bea.goto(parley.url('acme', '/tickets/1'));
    await ann.locator('[data-collision]', { hasText: 'Bea also viewing' }).waitFor();
    await bea.locator('[data-collision]', { hasText: 'owner also viewing' }).waitFor();

    await bea.getByLabel('Reply').pressSequentially('I will take th', { delay: 20 });
    await ann.locator('[data-collision]', { hasText: 'Bea is replying…' }).waitFor();
    await ann.screenshot({ path: join(screenshots, 'collision-1400.png') });

    await ann.getByLabel('Reply').fill('Ann here: it is fixed now.');
    await ann.getByRole('button', { name: 'Send', exact: true }).click();
    await ann.locator('.timeline .message .body', { hasText: 'Ann here: it is fixed now.' }).waitFor();

    await bea.getByLabel('Reply').pressSequentially('is one.', { delay: 10 });
    await bea.getByRole('button', { name: 'Send', exact: true }).click();
    const warning = bea.locator('[data-meanwhile]');
    await warning.getByText('owner replied while you were writing.').waitFor();
    await warning.getByText('Ann here: it is fixed now.').waitFor();
    assert.equal(await bea.getByLabel('Reply').inputValue(), 'I will take this one.', 'nothing typed is lost');
    await warning.getByRole('button', { name: 'Send anyway' }).click();
    await bea.locator('.timeline .message .body', { hasText: 'I will take this one.' }).waitFor();
    const t = await parley.api('acme', acct.api_key, 'GET', '/tickets?status=new,open,pending');
    const full = await parley.api('acme', acct.api_key, 'GET', `/tickets/${t.body.tickets[0].id}`);
    const bodies = full.body.timeline.filter((e) => e.kind === 'message').map((m) => m.body);
    assert.deepEqual(bodies, ['Who answers me?', 'Ann here: it is fixed now.', 'I will take this one.']);
    // The list says who has a ticket open, too: Ann still does.
    await bea.goto(parley.url('acme', '/tickets'));
    await bea.locator('tr[data-ticket] [data-viewers]', { hasText: 'owner also viewing' }).waitFor();
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('a saved response with placeholders, inserted by its shortcut and sent', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const c = await parley.api('acme', acct.api_key, 'POST', '/canned-responses', {
      title: 'Thanks', shortcut: 'thanks', shared: true,
      body: 'Hi {{requester.first_name}}, thanks for ticket {{ticket.number}}. {{agent.name}}',
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    await ticket(parley, acct, 'Lost parcel', 'Where is it?');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.goto(parley.url('acme', '/tickets/1'));
    await page.getByLabel('Reply').pressSequentially('#thanks ', { delay: 20 });
    await page.waitForFunction(() => document.querySelector('textarea[data-body]').value.startsWith('Hi Jane'));
    const text = await page.getByLabel('Reply').inputValue();
    assert.match(text, /^Hi Jane, thanks for ticket #?1\. owner/);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.timeline .message .body', { hasText: 'Hi Jane, thanks for ticket' }).waitFor();
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('a macro applied in bulk to a selection of a saved view', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    for (const s of ['Refund one', 'Refund two', 'Refund three']) await ticket(parley, acct, s, 'Money back please', { tags: ['refund'] });
    await ticket(parley, acct, 'Not a refund', 'Hello');
    const view = await parley.api('acme', acct.api_key, 'POST', '/views', { name: 'Refunds', shared: true, filters: { tag: 'refund', status: ['new', 'open'] } });
    assert.equal(view.status, 201, JSON.stringify(view.body));
    const macro = await parley.api('acme', acct.api_key, 'POST', '/macros', {
      title: 'Refund done', actions: [{ action: 'set', field: 'status', value: 'pending' }, { action: 'add_tags', value: ['refunded'] }],
      reply: { body: 'Your refund is on its way, {{requester.first_name}}.', internal: false },
    });
    assert.equal(macro.status, 201, JSON.stringify(macro.body));
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.getByRole('link', { name: /Refunds/ }).click();
    await page.getByRole('heading', { name: /Refunds/ }).waitFor();
    assert.equal(await page.locator('tbody tr[data-ticket]').count(), 3);
    // Pick the first, shift-click the last: the range between is picked too.
    const boxes = page.locator('tbody input[data-select]');
    await boxes.nth(0).click();
    await boxes.nth(1).click({ modifiers: ['Shift'] });
    assert.equal(await page.locator('[data-selected-count]').textContent(), '2 tickets selected');
    await page.getByLabel('Apply macro…').selectOption({ label: 'Refund done' });
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText('2 tickets changed.').waitFor();
    const all = await parley.api('acme', acct.api_key, 'GET', '/tickets?tag=refunded');
    assert.equal(all.body.tickets.length, 2);
    for (const t of all.body.tickets) {
      assert.equal(t.status, 'pending');
      const full = await parley.api('acme', acct.api_key, 'GET', `/tickets/${t.id}`);
      assert.ok(full.body.timeline.some((e) => e.kind === 'message' && e.body === 'Your refund is on its way, Jane.'));
    }
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('a list ordered by its header, and a whole view beyond its first page changed at once', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    for (let i = 0; i < 60; i++) await ticket(parley, acct, `Question ${String(i).padStart(2, '0')}`, 'Hello');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.getByRole('link', { name: 'Subject' }).click();
    await page.waitForURL(/sort=subject/);
    assert.equal(await page.locator('tbody tr[data-ticket] [data-f="subject"]').first().textContent(), 'Question 00');
    assert.equal(await page.locator('th.col-subject').getAttribute('aria-sort'), 'ascending');
    assert.equal(await page.locator('tbody tr[data-ticket]').count(), 50, 'one page of the view');

    await page.getByLabel('Select every ticket on this page').check();
    await page.getByText('All 50 tickets on this page are selected.').waitFor();
    await page.getByRole('button', { name: 'Select all 60 tickets in this view' }).click();
    await page.getByText('60 tickets of this view are selected').waitFor();
    assert.equal(await page.locator('[data-selected-count]').textContent(), '60 tickets selected');
    await page.locator('select[data-bulk-field="status"]').selectOption('pending');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText('60 tickets changed.').waitFor();
    const pending = await parley.api('acme', acct.api_key, 'GET', '/tickets?status=pending&page[size]=100');
    assert.equal(pending.body.tickets.length, 60, 'every ticket of the view, not just the page shown');
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('a reply with a file and a copy to a colleague of the customer, from the composer', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const t = await ticket(parley, acct, 'Send the contract', 'Please send me the contract.', { channel: 'email' });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.goto(parley.url('acme', `/tickets/${t.number}`));
    await page.getByLabel('Copy to (CC)').fill('boss@example.com, not-an-address');
    await page.getByLabel('Attach files').setInputFiles({ name: 'contract.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 contract') });
    await page.getByLabel('Reply', { exact: true }).fill('**Here** is the contract.');
    // The preview is the server's rendering of the Markdown.
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    assert.equal(await page.locator('[data-preview] strong').textContent(), 'Here');
    await page.getByRole('button', { name: 'Hide preview' }).click();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    // A bad address is named, and nothing typed is lost.
    await page.getByText("'not-an-address' is not an email address").waitFor();
    assert.equal(await page.getByLabel('Reply', { exact: true }).inputValue(), '**Here** is the contract.');
    await page.getByLabel('Copy to (CC)').fill('boss@example.com');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('link', { name: 'contract.pdf' }).waitFor();
    const full = await parley.api('acme', acct.api_key, 'GET', `/tickets/${t.id}`);
    const sent = full.body.timeline.filter((e) => e.kind === 'message').pop();
    assert.equal(sent.body, '**Here** is the contract.');
    assert.ok(sent.html.includes('<strong>Here</strong>'), sent.html);
    await page.locator('.timeline .message.reply strong', { hasText: 'Here' }).last().waitFor();
    assert.deepEqual(sent.email.cc, ['boss@example.com']);
    assert.equal(sent.attachments[0].filename, 'contract.pdf');
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('bulk: a department, a tag removed, and a merge into one of the rows', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const dept = await parley.api('acme', acct.api_key, 'POST', '/departments', { name: 'Billing' });
    const a = await ticket(parley, acct, 'Invoice twice', 'Charged twice', { tags: ['urgent-ish'] });
    const b = await ticket(parley, acct, 'Invoice again', 'Still charged twice', { tags: ['urgent-ish'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
    await page.getByLabel('Select every ticket on this page').check();
    await page.locator('select[data-bulk-field="department_id"]').selectOption({ label: 'Billing' });
    await page.locator('input[data-bulk-field="remove_tags"]').fill('urgent-ish');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText('2 tickets changed.').waitFor();
    for (const t of [a, b]) {
      const got = await parley.api('acme', acct.api_key, 'GET', `/tickets/${t.id}`);
      assert.equal(got.body.department_id, dept.body.id);
      assert.deepEqual(got.body.tags, []);
    }
    // Merge: the older into the newer, named by its number among the rows shown.
    await page.reload();
    await page.getByLabel(`Select #${a.number}`).check();
    await page.locator('input[data-bulk-merge]').fill('#99');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText('#99 is not in this list').waitFor();
    await page.locator('input[data-bulk-merge]').fill(`#${b.number}`);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByText('1 ticket changed.').waitFor();
    const merged = await parley.api('acme', acct.api_key, 'GET', `/tickets/${a.id}`);
    assert.equal(merged.body.status, 'closed');
    const into = await parley.api('acme', acct.api_key, 'GET', `/tickets/${b.id}`);
    assert.ok(into.body.timeline.some((e) => e.kind === 'message' && e.body === 'Charged twice'));
  } finally {
    await browser.close();
    await parley.stop();
  }
});
