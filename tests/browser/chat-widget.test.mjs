// The chat widget on a page of another origin: a visitor opens it and writes, an agent answers through the API,
// the visitor sees the answer; after a reload the conversation is still there; markup in messages stays text on
// both sides; the JavaScript API sends and tells when Parley has stored the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startParley, launchBrowser, artifacts, hostPage } from './lib/parley.mjs';

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a visitor on another site chats with an agent', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  const site = await hostPage(parley.url('acme', '/widget.js'));
  try {
    const acct = parley.account('acme');
    const present = await parley.api('acme', acct.api_key, 'PUT', `/agents/${acct.owner.id}/presence`, { status: 'available' });
    assert.equal(present.status, 200, 'the owner takes chats');
    const page = await browser.newPage();
    const dialogs = [];
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await page.goto(`http://127.0.0.1:${site.address().port}/`);

    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await launcher.click();
    assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
    await page.getByLabel('Your name (optional)').fill('Vera Visitor');
    const hostile = 'Hi <img src=x onerror=alert(1)> there';
    await page.getByLabel('Message').fill(hostile);
    await page.getByRole('button', { name: 'Send' }).click();

    const ticket = await until('the chat ticket', async () => {
      const list = await parley.api('acme', acct.api_key, 'GET', '/tickets?channel=chat');
      return list.body.tickets && list.body.tickets[0];
    });
    assert.equal(ticket.subject, 'Chat with Vera Visitor');
    const msgs = await parley.api('acme', acct.api_key, 'GET', `/tickets/${ticket.id}/messages`);
    assert.equal(msgs.body.messages[0].body, hostile, 'the agent gets the words as written');

    const answer = 'Hello Vera, the <b>order</b> ships today.';
    const sent = await parley.api('acme', acct.api_key, 'POST', `/tickets/${ticket.id}/messages`, { body: answer });
    assert.equal(sent.status, 201);
    await page.getByText(answer).waitFor();

    const inside = await page.evaluate(() => {
      const root = document.querySelector('[data-parley-chat]').shadowRoot;
      const launcher = root.querySelector('.launcher');
      return { imgs: root.querySelectorAll('img').length, bold: root.querySelectorAll('b').length,
        display: getComputedStyle(launcher).display, size: getComputedStyle(launcher).fontSize };
    });
    assert.deepEqual({ imgs: inside.imgs, bold: inside.bold }, { imgs: 0, bold: 0 }, 'markup stays text');
    assert.notEqual(inside.display, 'none', "the host's CSS does not hide the launcher");
    assert.notEqual(inside.size, '40px', "the host's CSS does not restyle the widget");
    await page.screenshot({ path: join(artifacts, 'chat-widget.png') });

    // A reload keeps the conversation: the widget reads it back.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.getByText(answer).waitFor();
    await page.getByText(hostile).waitFor();

    // The site's own code can send; the promise resolves once Parley has stored the message.
    const stored = await page.evaluate(() => window.Parley.send('Sent by the site'));
    assert.ok(stored.seq >= 3, JSON.stringify(stored));
    const after = await parley.api('acme', acct.api_key, 'GET', `/tickets/${ticket.id}/messages`);
    assert.ok(after.body.messages.some((m) => m.body === 'Sent by the site'), 'stored before the promise resolved');
    await page.getByText('Sent by the site').waitFor();
    assert.deepEqual(dialogs, [], 'no markup ran');

    // Nobody takes chats: a new visitor gets the offline form, and their message becomes a ticket from their address.
    await parley.api('acme', acct.api_key, 'PUT', `/agents/${acct.owner.id}/presence`, { status: 'away' });
    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    await other.goto(`http://127.0.0.1:${site.address().port}/`);
    await other.getByRole('button', { name: 'Chat with us' }).click();
    await other.getByText('Nobody is here right now').waitFor();
    await other.getByLabel('Your email').fill('olga@customer.example');
    await other.getByLabel('Message').fill('Please call me back.');
    await other.getByRole('button', { name: 'Send' }).click();
    await other.getByText('Thank you. We will answer by email.').waitFor();
    assert.equal(await other.getByLabel('Message').isVisible(), false, 'the form is done');
    const left = await until('the offline ticket', async () => {
      const list = await parley.api('acme', acct.api_key, 'GET', '/tickets?requester=olga@customer.example');
      return list.body.tickets && list.body.tickets[0];
    });
    assert.equal(left.channel, 'web');
    await other.screenshot({ path: join(artifacts, 'chat-offline.png') });
    await stranger.close();
  } finally {
    site.close();
    await browser.close();
    await parley.stop();
  }
});
