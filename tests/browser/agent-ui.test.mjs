// The agent pages in Chromium: sign in, see the inbox, open a ticket, reply, and never run a customer's markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startParley, launchBrowser, artifacts } from './lib/parley.mjs';

test('an agent signs in, opens a ticket and replies', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const hostile = '<img src=x onerror=alert(1)> Printer on fire';
    const created = await parley.api('acme', acct.api_key, 'POST', '/tickets', {
      subject: hostile, message: { body: 'It smells of smoke.\n<script>alert(2)</script>' },
      requester: { email: 'jane@example.com', name: 'Jane Doe' }, priority: 'high', tags: ['hardware'],
    });
    assert.equal(created.status, 201);

    const page = await browser.newPage();
    const dialogs = [];
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await page.goto(parley.url('acme', '/tickets'));
    assert.match(page.url(), /\/login$/, 'signed-out agents are sent to sign in');
    await page.getByLabel('Email').fill(acct.owner.email);
    await page.getByLabel('Password').fill(acct.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/tickets$/);
    await page.getByRole('link', { name: hostile }).waitFor();
    await page.screenshot({ path: join(artifacts, 'agent-inbox.png'), fullPage: true });

    await page.getByRole('link', { name: hostile }).click();
    await page.waitForURL(/\/tickets\/1$/);
    assert.ok(await page.getByText('<script>alert(2)</script>').isVisible(), 'the body shows as text');
    await page.getByLabel('Reply').fill('Please unplug it and step away.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/tickets\/1$/);
    await page.getByText('Please unplug it and step away.').waitFor();
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByText('changed status from open to pending').waitFor();
    await page.screenshot({ path: join(artifacts, 'agent-ticket.png'), fullPage: true });
    assert.deepEqual(dialogs, [], 'no customer markup ran');

    const t = await parley.api('acme', acct.api_key, 'GET', `/tickets/${created.body.id}`);
    assert.equal(t.body.status, 'pending');
    assert.ok(t.body.first_response_at, 'the reply is the first response');
  } finally {
    await browser.close();
    await parley.stop();
  }
});
