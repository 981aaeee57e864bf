// The agent's pages, live: one WebSocket to Parley (`/agent/socket`) while any page is open, so that chats ring
// here (Accept / Decline), the agent's presence follows what any of their tabs sets, and a chat's ticket page shows
// the visitor's words as they come. Every text is set as text, never as markup.
(() => {
  'use strict';
  const offers = document.createElement('section');
  offers.className = 'offers';
  offers.setAttribute('aria-label', 'Incoming chats');
  offers.setAttribute('aria-live', 'assertive');
  document.body.append(offers);
  const presence = document.querySelector('select[name="status"][data-presence]');
  const convo = document.querySelector('[data-conversation]');
  const shown = new Map(); // conversation id → offer element
  let ws = null, failures = 0;

  const send = (frame) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame)); };
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
  // On a chat's page: who is typing there, shown for a few seconds after the last sign of it.
  const typingLine = convo ? el('p', 'muted typing') : null;
  let typingTimer = null;
  if (convo) { typingLine.setAttribute('aria-live', 'polite'); convo.insertBefore(typingLine, convo.querySelector('form.reply')); }

  function offer(f) {
    if (shown.has(f.conversation_id)) return;
    const box = el('div', 'offer');
    box.append(el('strong', null, `Chat #${f.number}`), el('span', null, ' ' + f.subject + ' '));
    const accept = el('button', null, 'Accept');
    accept.type = 'button';
    accept.addEventListener('click', () => { box.dataset.number = f.number; send({ type: 'accept', conversation_id: f.conversation_id }); });
    const decline = el('button', 'link', 'Decline');
    decline.type = 'button';
    decline.addEventListener('click', () => send({ type: 'decline', conversation_id: f.conversation_id }));
    box.append(accept, decline);
    shown.set(f.conversation_id, box);
    offers.append(box);
  }
  function withdraw(id) { const b = shown.get(id); if (b) { b.remove(); shown.delete(id); } }
  function note(text) { const n = el('p', 'offer error', text); offers.append(n); setTimeout(() => n.remove(), 6000); }

  // A chat's event on its own ticket page: the visitor's messages and who joined or left, unless already shown.
  function chatEvent(id, e) {
    if (!convo || convo.dataset.conversation !== id) return;
    const form = convo.querySelector('form.reply');
    let item;
    if (e.type === 'message') {
      if (document.getElementById('m-' + e.message_id)) return;
      item = el('article', 'message ' + (e.author.type === 'visitor' ? 'customer' : 'agent'));
      item.id = 'm-' + e.message_id;
      const head = el('header');
      head.append(el('strong', null, e.author.type === 'visitor' ? convo.dataset.requester : (e.author.name || 'Parley')));
      item.append(head, el('div', 'body', e.body));
      if (e.files && e.files.length) {
        const list = el('ul', 'files');
        e.files.forEach((f) => {
          const a = el('a', null, f.name);
          a.href = '/attachments/' + encodeURIComponent(f.id);
          a.setAttribute('download', '');
          const li = el('li');
          li.append(a, el('span', 'muted', f.size < 1024 ? ` ${f.size} B` : ` ${Math.round(f.size / 1024)} KB`));
          list.append(li);
        });
        item.append(list);
      }
    } else {
      const what = { agent_joined: `${e.name} joined the chat`, agent_left: `${e.name} left the chat`, chat_ended: 'The chat ended' }[e.type];
      if (!what || document.getElementById('e-' + e.seq)) return;
      item = el('p', 'event', what);
      item.id = 'e-' + e.seq;
    }
    convo.insertBefore(item, form);
  }

  function connect() {
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/agent/socket');
    ws.onopen = () => { failures = 0; };
    ws.onmessage = (m) => {
      const f = JSON.parse(m.data);
      if (f.type === 'offer') offer(f);
      else if (f.type === 'offer_withdrawn') withdraw(f.conversation_id);
      else if ((f.type === 'presence' || f.type === 'ready') && presence) presence.value = (f.presence || f).status;
      else if (f.type === 'chat') { chatEvent(f.conversation_id, f.event); if (typingLine && f.conversation_id === convo.dataset.conversation) typingLine.textContent = ''; }
      else if (f.type === 'typing' && typingLine && f.conversation_id === convo.dataset.conversation) {
        typingLine.textContent = (f.who === 'visitor' ? convo.dataset.requester : f.name) + ' is typing…';
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typingLine.textContent = ''; }, 5000);
      }
      else if (f.type === 'done' && f.action === 'accept') {
        const box = shown.get(f.conversation_id);
        if (box && box.dataset.number) location.href = '/tickets/' + box.dataset.number;
      } else if (f.type === 'done' && convo) location.reload();
      else if (f.type === 'resync' && convo) location.reload();
      else if (f.type === 'error') note(f.detail);
    };
    ws.onclose = () => {
      ws = null;
      failures += 1;
      setTimeout(connect, Math.min(30000, 500 * 2 ** failures));
    };
  }

  // Presence set here is sent on the socket (every tab hears of it); without the socket the form posts.
  if (presence) {
    presence.addEventListener('change', () => send({ type: 'presence', status: presence.value }));
  }
  // A file shared in the chat from its page: sent as the body; the chat's events show it when stored.
  const picker = document.querySelector('input[type="file"][data-chat-file]');
  if (picker) picker.addEventListener('change', async () => {
    const file = picker.files && picker.files[0];
    picker.value = '';
    if (!file) return;
    const csrf = document.querySelector('input[name="_csrf"]').value;
    const number = location.pathname.split('/').pop();
    const id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
    const q = `client_id=${encodeURIComponent(id)}&name=${encodeURIComponent(file.name)}`;
    const res = await fetch(`/tickets/${number}/files?${q}`, { method: 'POST', body: file, credentials: 'same-origin',
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrf } });
    if (!res.ok) note(`${file.name} was not shared (${res.status})`);
  });

  // The agent types a reply to a chat: the visitor sees it (said at most every two seconds).
  const reply = convo && convo.querySelector('form.reply textarea');
  let saidTyping = 0;
  const internal = convo && convo.querySelector('form.reply input[name="internal"]');
  if (reply) reply.addEventListener('input', () => {
    if (internal && internal.checked) return; // a note is not for the visitor's eyes, nor is writing one
    if (Date.now() - saidTyping > 2000) { saidTyping = Date.now(); send({ type: 'typing', conversation_id: convo.dataset.conversation }); }
  });
  document.querySelectorAll('[data-chat-action]').forEach((b) => b.addEventListener('click', () => {
    const id = convo && convo.dataset.conversation;
    if (!id) return;
    if (b.dataset.chatAction === 'transfer') {
      const to = document.querySelector('select[name="transfer_to"]').value;
      if (to) send({ type: 'transfer', conversation_id: id, agent_id: to });
    } else send({ type: b.dataset.chatAction, conversation_id: id });
  }));
  connect();
})();
