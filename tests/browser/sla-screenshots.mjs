// Screenshots of the SLA pages for docs/screenshots/: the SLA policies list, a policy's form (also refused, and at
// 390 px), and a ticket list with the "SLA due" column (running, paused and breached rows). Not part of the test
// suite: it asserts nothing beyond axe-core finding no serious or critical violation on the pages it shows, which
// it reports and then fails on. Run from tests/browser: `node sla-screenshots.mjs` (PARLEY_BIN names the binary).
// A breach needs a real minute to pass: the script takes about two minutes.
import { join } from 'node:path';
import { startParley, launchBrowser } from './lib/parley.mjs';
import { signIn, ok, screenshots, violations } from './lib/pages.mjs';

const parley = await startParley();
const browser = await launchBrowser();
const { check, report } = violations();
try {
  const acct = parley.account('acme');
  const api = (method, path, body) => parley.api('acme', acct.api_key, method, path, body).then(ok);
  const billing = await api('POST', '/departments', { name: 'Billing' });
  const week = ['mon', 'tue', 'wed', 'thu', 'fri'].flatMap((day) => [
    { day, start: '08:00', end: '12:00' }, { day, start: '13:00', end: '17:00' }]);
  const hours = await api('POST', '/business-hours', { name: 'Budapest office', time_zone: 'Europe/Budapest', periods: week });
  // A one-minute promise, so that a ticket breaches while the script takes the other pictures.
  await api('POST', '/sla-policies', {
    name: 'Outage hotline', conditions: { all: [{ field: 'tags', operator: 'includes', value: ['outage'] }] },
    targets: [{ priority: 'urgent', metric: 'first_reply', minutes: 1, business_hours: false }],
  });
  const urgent = await api('POST', '/sla-policies', {
    name: 'Urgent and Billing', business_hours_id: hours.id,
    conditions: { all: [{ field: 'priority', operator: 'is', value: ['urgent', 'high'] }],
      any: [{ field: 'department_id', operator: 'is', value: billing.id }, { field: 'channel', operator: 'is', value: 'phone' }] },
    pause_statuses: ['pending'],
    targets: [
      { priority: 'urgent', metric: 'first_reply', minutes: 60, business_hours: true },
      { priority: 'urgent', metric: 'resolution', minutes: 480, business_hours: true },
      { priority: 'high', metric: 'first_reply', minutes: 240, business_hours: true },
      { priority: 'high', metric: 'periodic_update', minutes: 1440, business_hours: false },
    ],
  });
  await api('POST', '/sla-policies', {
    name: 'Everyone else',
    targets: [{ priority: 'normal', metric: 'first_reply', minutes: 480, business_hours: true },
      { priority: 'low', metric: 'resolution', minutes: 10080, business_hours: false }],
  });
  const ticket = (subject, extra) => api('POST', '/tickets', {
    subject, message: { body: 'Please help.' }, requester: { email: 'jane@example.com', name: 'Jane Doe' }, ...extra });
  await ticket('Site down for every customer', { priority: 'urgent', tags: ['outage'] });
  await ticket('Invoice 42 charged twice', { priority: 'urgent', department_id: billing.id });
  await ticket('Refund for order 1009', { priority: 'high', department_id: billing.id });
  const waiting = await ticket('Waiting for the serial number', { priority: 'urgent', department_id: billing.id });
  await api('PATCH', `/tickets/${waiting.id}`, { status: 'pending' });
  await ticket('How do I export my data?', { priority: 'normal' });
  const view = await api('POST', '/views', {
    name: 'Due soonest', columns: ['number', 'subject', 'priority', 'status', 'sla_due', 'updated_at'], sort: 'sla_due' });

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
  await page.goto(parley.url('acme', '/profile'));
  await page.getByLabel('Time zone').fill('Europe/Budapest');
  await page.getByRole('button', { name: 'Save' }).click();

  await page.goto(parley.url('acme', '/settings/sla-policies'));
  await check(page, 'list');
  await page.screenshot({ path: join(screenshots, 'settings-sla-policies.png'), fullPage: true });
  await page.goto(parley.url('acme', `/settings/sla-policies/${urgent.id}`));
  await check(page, 'form');
  await page.screenshot({ path: join(screenshots, 'settings-sla-policy-edit.png'), fullPage: true });
  // Refused: a value that is no priority and a target of no minutes, each shown beside its field.
  await page.getByLabel('Value 1').fill('urgent, critical');
  await page.getByLabel('Urgent, Next reply: minutes').fill('0');
  await page.evaluate(() => document.querySelectorAll('input[type=number]').forEach((i) => { i.removeAttribute('min'); }));
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.field-error');
  await check(page, 'refused form');
  await page.screenshot({ path: join(screenshots, 'settings-sla-policy-refused.png'), fullPage: true });
  const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(narrow, parley, 'acme', acct.owner.email, acct.owner.password);
  await narrow.goto(parley.url('acme', `/settings/sla-policies/${urgent.id}`));
  await narrow.screenshot({ path: join(screenshots, 'settings-sla-policy-edit-390.png'), fullPage: true });

  // The list once the watch has recorded every ticket's SLA and the one-minute promise is broken.
  const list = parley.url('acme', `/tickets?view=${view.id}`);
  const deadline = Date.now() + 150_000;
  for (;;) {
    await page.goto(list);
    const breached = await page.locator('td.sla-due .sla-breached').count();
    const paused = await page.locator('td.sla-due .sla-paused').count();
    if (breached && paused) break;
    if (Date.now() > deadline) {
      throw new Error(`no breach on the list in time: ${await page.locator('tbody tr').allInnerTexts()}`);
    }
    await page.waitForTimeout(5000);
  }
  await check(page, 'ticket list');
  await page.screenshot({ path: join(screenshots, 'list-sla-due-1400.png'), fullPage: true });
  await narrow.goto(list);
  await narrow.screenshot({ path: join(screenshots, 'list-sla-due-390.png'), fullPage: true });
} finally {
  await browser.close();
  await parley.stop();
}
report();
