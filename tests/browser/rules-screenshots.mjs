// Screenshots of the trigger and automation pages for docs/screenshots/: the triggers list, a trigger's form with
// the result of "Test on a ticket", the automations list (with the rule every account starts with) and the
// assignment settings. Not part of
// the test suite: it asserts nothing beyond axe-core finding no serious or critical violation on the pages it shows,
// which it reports and then fails on. Run from tests/browser: `node rules-screenshots.mjs` (PARLEY_BIN names the
// binary).
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
  const ticket = await api('POST', '/tickets', {
    subject: 'Refund for order 1009', message: { body: 'I was charged twice. Please refund the second payment.' },
    requester: { email: 'jane@example.com', name: 'Jane Doe' } });
  const refunds = await api('POST', '/triggers', {
    name: 'Refunds to Billing', events: ['ticket.created', 'customer.replied'],
    conditions: { all: [{ field: 'text', operator: 'contains', value: ['refund', 'charged twice'] }],
      any: [{ field: 'channel', operator: 'is', value: ['email', 'web', 'api'] }] },
    actions: [{ action: 'set', field: 'priority', value: 'high' }, { action: 'add_tags', value: ['refund'] },
      { action: 'assign', department_id: billing.id, strategy: 'round_robin' }],
  });
  await api('POST', '/triggers', {
    name: 'Tell the customer we have it', events: ['ticket.created'],
    conditions: { all: [{ field: 'business_hours', operator: 'is', value: 'outside' }] },
    actions: [{ action: 'send_mail', to: 'requester', subject: 'We have your request', value: 'We answer from 8:00 on the next working day.' }],
  });
  await api('POST', '/triggers', {
    name: 'Escalate breaches', active: false, events: ['sla.breached'],
    actions: [{ action: 'set', field: 'priority', value: 'urgent' }, { action: 'add_note', value: 'SLA breached: team lead informed.' },
      { action: 'send_mail', to: 'lead@acme.example', subject: 'An SLA was breached', value: 'Please look.' }],
  });
  await api('POST', '/automations', {
    name: 'Nudge pending tickets', after: { hours: 48, since: 'status_changed', business_hours: true },
    conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }] },
    actions: [{ action: 'send_mail', to: 'requester', subject: 'Do you still need help?', value: 'Reply and we carry on.' },
      { action: 'add_tags', value: ['nudged'] }],
  });

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(page, parley, 'acme', acct.owner.email, acct.owner.password);
  await page.goto(parley.url('acme', '/settings/triggers'));
  await check(page, 'triggers');
  await page.screenshot({ path: join(screenshots, 'settings-triggers.png'), fullPage: true });
  await page.goto(parley.url('acme', `/settings/triggers/${refunds.id}?ticket=${ticket.display_number.replace('#', '')}&event=ticket.created#test`));
  await check(page, 'trigger form with a test');
  await page.screenshot({ path: join(screenshots, 'settings-trigger-edit.png'), fullPage: true });
  await page.goto(parley.url('acme', '/settings/automations'));
  await check(page, 'automations');
  await page.screenshot({ path: join(screenshots, 'settings-automations.png'), fullPage: true });
  await api('PUT', '/settings/assignment', { enabled: true, strategy: 'round_robin', max_open: 8 });
  await page.goto(parley.url('acme', '/settings/assignment'));
  await check(page, 'assignment');
  await page.screenshot({ path: join(screenshots, 'settings-assignment.png'), fullPage: true });
  const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(narrow, parley, 'acme', acct.owner.email, acct.owner.password);
  await narrow.goto(parley.url('acme', `/settings/triggers/${refunds.id}`));
  await narrow.screenshot({ path: join(screenshots, 'settings-trigger-edit-390.png'), fullPage: true });
} finally {
  await browser.close();
  await parley.stop();
}
report();
