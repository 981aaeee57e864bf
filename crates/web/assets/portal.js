// The request form's suggestions: while the customer writes the subject, articles that match it are offered, so a
// question the knowledge base answers need not become a ticket. Results are set as text and links only.
(() => {
  'use strict';
  const form = document.querySelector('form.kb-request');
  if (!form) return;
  const subject = form.querySelector('#kb-subject');
  const box = form.querySelector('#kb-suggestions');
  const list = box.querySelector('ul');
  let timer = null;
  let asked = 0;
  async function suggest() {
    const q = subject.value.trim();
    const mine = ++asked;
    if (q.length < 3) { box.hidden = true; return; }
    const url = form.dataset.search + '?as_you_type=true&limit=5&lang=' + encodeURIComponent(form.dataset.lang) +
      '&q=' + encodeURIComponent(q);
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok || mine !== asked) return;
      const { results } = await res.json();
      list.replaceChildren(...results.map((r) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = r.url; a.textContent = r.title; a.target = '_blank'; a.rel = 'noopener';
        li.append(a);
        return li;
      }));
      box.hidden = results.length === 0;
    } catch (_) { /* suggestions are a help, not a need */ }
  }
  subject.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(suggest, 200); });
})();
