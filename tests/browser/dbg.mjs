import { startParley } from '/work/main/tests/browser/lib/parley.mjs';
const parley = await startParley();
const acct = parley.account('acme');
const api = (m, p, b) => parley.api('acme', acct.api_key, m, p, b);
await api('POST', '/knowledge-bases', { slug: 'customers', name: 'Acme Help', languages: ['en', 'hu'] });
await api('POST', '/knowledge-bases/customers/articles', { title: 'Paying invoices', status: 'published', body: 'You can pay every **invoice** by card or bank transfer.' });
for (const q of ['zzzz nothing like this ', 'zzzz nothing like this', 'how do I pay an invo']) {
  const r = await fetch(parley.url('acme', `/kb/customers/search?as_you_type=true&limit=3&lang=en&q=${encodeURIComponent(q)}`), { headers: { Accept: 'application/json' } });
  console.log(q, r.status, await r.text());
}
await parley.stop();
