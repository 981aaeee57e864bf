// The knowledge base portal in Chromium, in English and in Hungarian: the reader's language is chosen, the
// language switcher works, search finds by stem, an article shows sanitized Markdown and counts "was this helpful?",
// and the request form suggests articles while the customer types. Screenshots are kept as artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startParley, launchBrowser, artifacts, hostPage } from './lib/parley.mjs';

async function setUp(parley) {
  const acct = parley.account('acme');
  const api = (method, path, body) => parley.api('acme', acct.api_key, method, path, body);
  const kb = await api('POST', '/knowledge-bases', { slug: 'customers', name: 'Acme Help', visibility: 'public',
    languages: ['en', 'hu'], look: { accent_color: '#0a7d42', header_color: '#eef7f1' } });
  assert.equal(kb.status, 201, JSON.stringify(kb.body));
  const cat = await api('POST', '/knowledge-bases/customers/categories', { name: 'Billing', description: 'Invoices and payments' });
  await api('PATCH', `/knowledge-bases/customers/categories/${cat.body.id}`, { language: 'hu', name: 'Számlázás', description: 'Számlák és fizetés' });
  const art = await api('POST', '/knowledge-bases/customers/articles', { title: 'Paying invoices', status: 'published',
    category: cat.body.id, language: 'en',
    body: '## How to pay\n\nYou can pay every **invoice** by card or bank transfer.\n\n- Open *Billing*\n- Choose **Pay now**\n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[help](javascript:alert(3))' });
  assert.equal(art.status, 201, JSON.stringify(art.body));
  await api('PATCH', `/knowledge-bases/customers/articles/${art.body.id}`, { language: 'hu', title: 'Számlák fizetése',
    status: 'published', body: '## Fizetés\n\nA **számlákat** kártyával vagy átutalással fizetheti.' });
  await api('POST', '/knowledge-bases/customers/articles', { title: 'Resetting your password', status: 'published',
    body: 'Use **Forgot password** on the sign-in page; the link works for an hour.' });
  return { acct, api, articleId: art.body.id };
}

test('the portal reads in English and Hungarian, searches, and takes feedback', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const { api, articleId } = await setUp(parley);
    const dialogs = [];

    const en = await browser.newPage({ locale: 'en-US' });
    en.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await en.goto(parley.url('acme', '/kb/customers/'));
    await en.waitForURL(/\/kb\/customers\/en\/$/);
    await en.getByRole('heading', { name: 'Acme Help', level: 1 }).waitFor();
    await en.getByRole('link', { name: 'Paying invoices' }).waitFor();
    await en.screenshot({ path: join(artifacts, 'portal-home-en.png'), fullPage: true });

    await en.getByLabel('Search').fill('invoice card');
    await en.getByRole('button', { name: 'Search' }).click();
    await en.waitForURL(/\/kb\/customers\/en\/search\?q=/);
    await en.getByRole('link', { name: 'Paying invoices' }).click();
    await en.getByRole('heading', { name: 'Paying invoices', level: 1 }).waitFor();
    assert.equal(await en.locator('.kb-body strong').first().textContent(), 'invoice');
    assert.equal(await en.locator('.kb-body script').count(), 0, 'no script from Markdown');
    assert.equal(await en.locator('.kb-body a[href^="javascript"]').count(), 0);
    await en.getByRole('button', { name: 'Yes' }).click();
    await en.getByText('Thank you for your feedback.').waitFor();
    await en.screenshot({ path: join(artifacts, 'portal-article-en.png'), fullPage: true });

    const hu = await browser.newPage({ locale: 'hu-HU', extraHTTPHeaders: { 'Accept-Language': 'hu-HU,hu;q=0.9' } });
    hu.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await hu.goto(parley.url('acme', '/kb/customers/'));
    await hu.waitForURL(/\/kb\/customers\/hu\/$/);
    assert.equal(await hu.getAttribute('html', 'lang'), 'hu');
    await hu.getByRole('link', { name: 'Számlázás' }).waitFor();
    await hu.getByLabel('Keresés').first().fill('számla');
    await hu.getByRole('button', { name: 'Keresés' }).click();
    await hu.getByRole('link', { name: 'Számlák fizetése' }).waitFor();
    await hu.screenshot({ path: join(artifacts, 'portal-search-hu.png'), fullPage: true });
    await hu.getByRole('link', { name: 'Számlák fizetése' }).click();
    await hu.getByText('Hasznos volt ez a cikk?').waitFor();
    await hu.screenshot({ path: join(artifacts, 'portal-article-hu.png'), fullPage: true });
    await hu.getByRole('navigation', { name: 'Nyelv' }).getByRole('link', { name: 'English' }).click();
    await hu.getByRole('heading', { name: 'Paying invoices', level: 1 }).waitFor();

    // The request form suggests articles while the subject is typed.
    await en.goto(parley.url('acme', '/kb/customers/en/request'));
    await en.getByLabel('Subject').pressSequentially('forgot passw', { delay: 20 });
    await en.locator('#kb-suggestions').getByRole('link', { name: 'Resetting your password' }).waitFor();
    await en.screenshot({ path: join(artifacts, 'portal-request-en.png'), fullPage: true });

    assert.deepEqual(dialogs, [], 'no markup from articles ran');
    const got = await api('GET', `/knowledge-bases/customers/articles/${articleId}`);
    assert.equal(got.body.helpful, 1);
  } finally {
    await browser.close();
    await parley.stop();
  }
});

test('the chat widget on another site suggests articles as the visitor types', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  const site = await hostPage(parley.url('acme', '/widget.js'), 'data-knowledge-base="customers"');
  try {
    await setUp(parley);
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.getByLabel('Message').pressSequentially('how do I pay an invo', { delay: 20 });
    const link = page.getByRole('link', { name: 'Paying invoices' });
    await link.waitFor();
    assert.match(await link.getAttribute('href'), /\/kb\/customers\/en\/articles\//);
    assert.equal(await page.locator('.suggest li').count(), 1, 'short words alone bring up nothing');
    await page.screenshot({ path: join(artifacts, 'widget-suggestions.png') });
    await page.getByLabel('Message').fill('zzzz qqqq');
    await page.getByLabel('Message').press('Space');
    await page.locator('.suggest').waitFor({ state: 'hidden' });
  } finally {
    site.close();
    await browser.close();
    await parley.stop();
  }
});

test('an admin writes a knowledge base from the agent pages and readers see it', async () => {
  const parley = await startParley();
  const browser = await launchBrowser();
  try {
    const acct = parley.account('acme');
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(parley.url('acme', '/login'));
    await page.getByLabel('Email').fill(acct.owner.email);
    await page.getByLabel('Password').fill(acct.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/tickets$/);
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByLabel('Name').fill('Help');
    await page.getByLabel(/^Address/).fill('help');
    await page.getByLabel(/^Languages/).fill('en, hu');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/knowledge\/help$/);
    await page.getByLabel('New category').fill('Shipping');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('listitem').filter({ hasText: 'Shipping' }).waitFor();
    await page.getByRole('link', { name: 'New article' }).click();
    await page.getByLabel(/^Title/).fill('Where is my parcel?');
    await page.getByLabel(/^Text/).fill('Track it with the **tracking number** from your order mail.\n\n<script>alert(1)</script>');
    await page.getByLabel('Category').selectOption({ label: 'Shipping' });
    await page.getByRole('checkbox', { name: /Published/ }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/knowledge\/help\/articles\/[0-9a-f-]{36}\?lang=en$/);
    assert.equal(await page.locator('.preview strong').textContent(), 'tracking number');
    assert.equal(await page.locator('.preview script').count(), 0);
    await page.screenshot({ path: join(artifacts, 'knowledge-editor.png'), fullPage: true });
    await page.getByRole('navigation', { name: 'Languages' }).getByRole('link', { name: /^hu/ }).click();
    await page.getByLabel(/^Title/).fill('Hol a csomagom?');
    await page.getByLabel(/^Text/).fill('Kövesse a **követési számmal**.');
    await page.getByRole('checkbox', { name: /Published/ }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/lang=hu$/);

    const reader = await browser.newPage({ locale: 'hu-HU', extraHTTPHeaders: { 'Accept-Language': 'hu' } });
    await reader.goto(parley.url('acme', '/kb/help/'));
    await reader.getByRole('link', { name: 'Hol a csomagom?' }).click();
    await reader.getByRole('heading', { name: 'Hol a csomagom?', level: 1 }).waitFor();
  } finally {
    await browser.close();
    await parley.stop();
  }
});
