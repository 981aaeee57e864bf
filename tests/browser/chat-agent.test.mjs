// An agent in the agent pages and a visitor on another site, both in Chromium: the agent says they take chats, the
// visitor writes, the chat rings on the agent's page, the agent accepts it and lands on its ticket; each sees the
// other type; the agent answers; the visitor shares a file that shows on the agent's page as it comes; markup stays
// text on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startParley, launchBrowser, artifacts, hostPage } from './lib/parley.mjs';

test('an agent is rung for a chat, takes it and talks with the visitor', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  const site = await hostPage(parley.url('acme', '/widget.js'));
  try {
    const acct = parley.account('acme');
    const dialogs = [];
    const agentCtx = await browser.newContext();
    const agent = await agentCtx.newPage();
    agent.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await agent.goto(parley.url('acme', '/login'));
    await agent.getByLabel('Email').fill(acct.owner.email);
    await agent.getByLabel('Password').fill(acct.owner.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.waitForURL(/\/tickets$/);
    // Choosing "available" is sent over the page's socket at once.
    await agent.locator('select[data-presence]').selectOption('available');
    for (let i = 0; ; i++) {
      const p = await parley.api('acme', acct.api_key, 'GET', `/agents/${acct.owner.id}/presence`);
      if (p.body.status === 'available' && p.body.online) break;
      assert.ok(i < 50, JSON.stringify(p.body));
      await new Promise((r) => setTimeout(r, 100));
    }

    const visitorCtx = await browser.newContext();
    const visitor = await visitorCtx.newPage();
    visitor.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await visitor.goto(`http://127.0.0.1:${site.address().port}/`);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await visitor.getByLabel('Your name (optional)').fill('Vera');
    await visitor.getByLabel('Message').fill('Where is my order?');
    await visitor.getByRole('button', { name: 'Send' }).click();

    // It rings on the agent's page; they take it and land on the chat's ticket.
    const offer = agent.getByRole('region', { name: 'Incoming chats' });
    await offer.getByText('Chat #1').waitFor();
    await agent.screenshot({ path: join(artifacts, 'chat-agent-rung.png') });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await agent.waitForURL(/\/tickets\/1$/);
    await agent.getByText('Where is my order?').waitFor();
    await visitor.getByText('owner joined the chat.').waitFor();

    // Each sees the other type.
    await visitor.getByLabel('Message').pressSequentially('It was', { delay: 30 });
    await agent.getByText('Vera is typing…').waitFor();
    await agent.getByLabel('Reply').pressSequentially('Let me', { delay: 30 });
    await visitor.getByText('owner is typing…').waitFor();

    // The visitor's words arrive on the agent's page as they are sent, markup as text.
    const hostile = 'It was <img src=x onerror=alert(1)> due Monday';
    await visitor.getByLabel('Message').fill(hostile);
    await visitor.getByRole('button', { name: 'Send' }).click();
    await agent.getByText(hostile).waitFor();
    assert.equal(await agent.locator('.timeline img').count(), 0, 'markup stays text on the agent page');

    // A file from the visitor shows on the agent's page as a download, and its bytes are the visitor's.
    await visitor.locator('[data-parley-chat] input[type="file"]').setInputFiles({
      name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('Paid 12 EUR on 3 March'),
    });
    const link = agent.getByRole('link', { name: 'receipt.txt' });
    await link.waitFor();
    const [download] = await Promise.all([agent.waitForEvent('download'), link.click()]);
    const chunks = [];
    for await (const c of await download.createReadStream()) chunks.push(c);
    assert.equal(Buffer.concat(chunks).toString(), 'Paid 12 EUR on 3 March');

    // The agent answers from the ticket page; the visitor sees it.
    await agent.getByLabel('Reply').fill('It ships today, Vera.');
    await agent.getByRole('button', { name: 'Send' }).click();
    await visitor.getByText('It ships today, Vera.').waitFor();
    await agent.screenshot({ path: join(artifacts, 'chat-agent-ticket.png'), fullPage: true });
    await visitor.screenshot({ path: join(artifacts, 'chat-visitor-talking.png') });
    assert.deepEqual(dialogs, [], 'no markup ran on either side');
  } finally {
    site.close();
    await browser.close();
    await parley.stop();
  }
});
