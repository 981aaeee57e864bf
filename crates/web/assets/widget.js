// Parley's chat widget: one script, no framework, drawn in a Shadow DOM so that the host page's styles cannot
// reach it and its own cannot leak out. Messages are always set as text, never as markup. The visitor's token and
// conversation are kept in localStorage, so the conversation survives page loads and is shared by the site's tabs;
// the history itself is read back from Parley (every event has a number; the widget asks for what came after the
// last one it has). WebSocket first; long polling when WebSockets are blocked.
(() => {
  'use strict';
  if (window.Parley && window.Parley.version) return;
  const script = document.currentScript;
  const base = new URL(script.src).origin;
  // The account's look (written in by Parley when it serves this script), then the site's own settings.
  const cfg = Object.assign({}, /*ACCOUNT_LOOK*/{}, window.ParleySettings || {});
  // Texts in every language Parley speaks, from its Fluent files (written in when Parley serves this script).
  const TEXT = /*TEXTS*/{ en: {} };
  const wanted = String(cfg.lang || script.dataset.lang || navigator.language || 'en').toLowerCase();
  const lang = TEXT[wanted] ? wanted : (TEXT[wanted.split('-')[0]] ? wanted.split('-')[0] : (wanted.startsWith('fil') ? 'tl' : 'en'));
  const t = TEXT[lang];
  // A function, not a string: `$&` in a name must stay as written.
  const fill = (s, k, v) => s.replace('{' + k + '}', () => String(v));
  const color = /^#[0-9a-f]{3,8}$/i.test(cfg.color || '') ? cfg.color : '#2f5bd3';
  const side = cfg.position === 'left' ? 'left' : 'right';

  const storeKey = 'parley-chat:' + base;
  const load = () => { try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; } };
  let saved = load();
  const save = () => { try { localStorage.setItem(storeKey, JSON.stringify(saved)); } catch (e) { /* private mode */ } };
  const listeners = { message: [], agent_joined: [], chat_ended: [] };
  const emit = (name, data) => (listeners[name] || []).forEach((fn) => { try { fn(data); } catch (e) { console.error(e); } });
  const uid = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));

  // ---- drawing ----
  const host = document.createElement('div');
  host.setAttribute('data-parley-chat', '');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>
    :host { all: initial; }
    * { box-sizing: border-box; font: 15px/1.4 system-ui, sans-serif; }
    .launcher { position: fixed; bottom: 20px; ${side}: 20px; z-index: 2147483000; border: 0; border-radius: 24px;
      padding: 12px 18px; background: ${color}; color: #fff; cursor: pointer; box-shadow: 0 2px 10px #0004; }
    .panel { position: fixed; bottom: 80px; ${side}: 20px; z-index: 2147483000; width: min(360px, calc(100vw - 40px));
      height: min(520px, calc(100vh - 110px)); display: flex; flex-direction: column; background: #fff; color: #1b1f24;
      border-radius: 12px; box-shadow: 0 4px 24px #0005; overflow: hidden; }
    [hidden] { display: none !important; }
    header { display: flex; justify-content: space-between; align-items: center; padding: 10px 14px; background: ${color}; color: #fff; }
    header h2 { margin: 0; font-weight: 600; }
    header button { background: none; border: 0; color: #fff; font-size: 20px; cursor: pointer; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
    .msg { max-width: 85%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .msg.visitor { align-self: flex-end; background: ${color}; color: #fff; }
    .msg.agent, .msg.system, .msg.note { align-self: flex-start; background: #eef1f5; }
    .msg small { display: block; opacity: .75; font-size: 12px; }
    .status { padding: 6px 14px; background: #fff7d6; font-size: 13px; }
    .typing { padding: 0 14px 6px; font-size: 13px; font-style: italic; opacity: .8; min-height: 1.4em; }
    form { display: flex; flex-direction: column; gap: 6px; padding: 10px; border-top: 1px solid #e3e6ea; }
    input, textarea { width: 100%; padding: 8px; border: 1px solid #c9ced6; border-radius: 6px; resize: none; }
    .row { display: flex; gap: 6px; justify-content: flex-end; }
    .attach { background: none !important; color: ${color} !important; border: 1px solid ${color} !important; }
    .file { display: block; margin-top: 4px; background: none; border: 0; padding: 0; color: inherit; text-decoration: underline; cursor: pointer; }
    form button { align-self: flex-end; padding: 8px 16px; border: 0; border-radius: 6px; background: ${color}; color: #fff; cursor: pointer; }
    .suggest { padding: 6px 14px; border-top: 1px solid #e3e6ea; font-size: 13px; }
    .suggest p { margin: 0 0 4px; opacity: .75; }
    .suggest ul { margin: 0; padding-left: 18px; }
    .suggest a { color: ${color}; }
    :focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
  </style>
  <button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false"></button>
  <section class="panel" role="dialog" aria-modal="false" hidden>
    <header><h2></h2><button type="button" class="close">×</button></header>
    <div class="status" role="status" hidden></div>
    <div class="log" role="log" aria-live="polite"></div>
    <div class="typing" aria-hidden="true"></div>
    <div class="suggest" aria-live="polite" hidden><p></p><ul></ul></div>
    <form><input name="name" autocomplete="name"><input name="email" type="email" autocomplete="email" hidden><textarea name="message" rows="2"></textarea><div class="row"><input type="file" hidden><button type="button" class="attach" hidden></button><button type="submit"></button></div></form>
  </section>`;
  const $ = (s) => root.querySelector(s);
  const launcher = $('.launcher'), panel = $('.panel'), log = $('.log'), form = $('form'), status = $('.status');
  // The visitor's place in the queue while no agent has taken the chat; nothing once one has.
  const typingLine = $('.typing');
  let typingTimer = null;
  // An agent types: shown for a few seconds after the last sign of it.
  const typing = (name) => {
    typingLine.textContent = fill(t.typing, 'name', name || t.agent);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingLine.textContent = ''; }, 5000);
  };
  const queued = (n) => { status.hidden = !n; status.textContent = n ? fill(t.queue, 'n', n) : ''; };
  const nameInput = form.elements.name, emailInput = form.elements.email, textarea = form.elements.message;
  let offline = false; // nobody takes chats: the form leaves a message answered by email
  launcher.textContent = t.open;
  $('header h2').textContent = t.title;
  $('.close').setAttribute('aria-label', t.close);
  panel.setAttribute('aria-label', t.title);
  nameInput.placeholder = t.name; nameInput.setAttribute('aria-label', t.name);
  emailInput.placeholder = t.email; emailInput.setAttribute('aria-label', t.email);
  textarea.placeholder = t.message; textarea.setAttribute('aria-label', t.message);
  form.querySelector('button[type="submit"]').textContent = t.send;
  const attach = form.querySelector('.attach'), picker = form.querySelector('input[type="file"]');
  // A paperclip drawn, not a glyph: fonts without emoji would show a box.
  attach.innerHTML = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 11.5l-8.6 8.6a5.5 5.5 0 01-7.8-7.8l9.2-9.2a3.7 3.7 0 015.2 5.2l-9.2 9.2a1.8 1.8 0 01-2.6-2.6l8.5-8.5"/></svg>';
  attach.setAttribute('aria-label', t.attach); attach.title = t.attach;
  // Files are shared once a conversation is open.
  const canAttach = () => { attach.hidden = !saved.conversation || offline; };

  const shown = new Map(); // seq or client id → element
  // The last event number this page shows: a new page starts from 0 and so shows the whole conversation again.
  let last = 0;
  function bubble(kind, author, body, key) {
    const el = document.createElement('div');
    el.className = 'msg ' + kind;
    const who = document.createElement('small');
    who.textContent = author;
    const text = document.createElement('span');
    text.textContent = body; // text, never markup
    el.append(who, text);
    log.append(el);
    log.scrollTop = log.scrollHeight;
    if (key) shown.set(key, el);
    return el;
  }
  const greet = () => { if (!log.children.length) bubble('note', t.agent, cfg.greeting || t.greeting); };

  function show(e) {
    if (shown.has('seq:' + e.seq)) return;
    if (e.type === 'message') {
      const mine = e.author.type === 'visitor';
      const pending = e.client_id && shown.get('cid:' + e.client_id);
      const author = mine ? t.you : (e.author.name || t.agent);
      if (pending) {
        pending.querySelector('small').textContent = author;
        shown.set('seq:' + e.seq, pending);
      } else {
        const b = bubble(mine ? 'visitor' : 'agent', author, e.files && e.files.length ? '' : e.body, 'seq:' + e.seq);
        (e.files || []).forEach((f) => b.append(fileButton(f)));
      }
      if (!mine) typingLine.textContent = '';
      emit('message', { seq: e.seq, author: e.author, body: e.body });
    } else if (e.type === 'agent_joined') {
      queued(null);
      bubble('system', '', fill(t.joined, 'name', e.name), 'seq:' + e.seq);
      emit('agent_joined', { name: e.name });
    } else if (e.type === 'agent_left') {
      bubble('system', '', fill(t.left, 'name', e.name), 'seq:' + e.seq);
    } else if (e.type === 'chat_ended') {
      queued(null);
      saved.ended = true;
      bubble('system', '', t.ended, 'seq:' + e.seq);
      emit('chat_ended', {});
    }
    last = Math.max(last, e.seq);
  }

  // A shared file: fetched with the visitor's token (a plain link could not carry it) and saved.
  function fileButton(f) {
    const b = document.createElement('button');
    b.type = 'button'; b.className = 'file';
    b.textContent = f.name + ' (' + (f.size < 1024 ? f.size + ' B' : Math.round(f.size / 1024) + ' KB') + ')';
    b.setAttribute('aria-label', fill(t.file, 'name', f.name));
    b.addEventListener('click', async () => {
      const res = await fetch(`${base}/chat/v1/conversations/${saved.conversation}/files/${f.id}`, { headers: { Authorization: 'Bearer ' + saved.token }, mode: 'cors', credentials: 'omit' });
      if (!res.ok) return;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a'); a.href = url; a.download = f.name; root.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    return b;
  }

  // ---- talking to Parley ----
  async function call(method, path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (saved.token) headers.Authorization = 'Bearer ' + saved.token;
    const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined, mode: 'cors', credentials: 'omit' });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { const err = new Error(data.detail || res.statusText); err.status = res.status; throw err; }
    return data;
  }
  async function visitor() {
    if (!saved.token) { saved.token = (await call('POST', '/chat/v1/visitors')).token; save(); }
  }

  const waiting = new Map(); // client id → {resolve, reject, body}
  let socket = null, ready = false, opened = false, failures = 0, polling = false, timer = null;

  function connect() {
    if (!saved.conversation || socket || polling) return;
    const ws = new WebSocket(base.replace(/^http/, 'ws') + '/chat/v1/socket');
    socket = ws;
    ws.onopen = () => { opened = true; ws.send(JSON.stringify({ type: 'hello', token: saved.token, conversation_id: saved.conversation, after: last })); };
    ws.onmessage = (m) => {
      const f = JSON.parse(m.data);
      if (f.type === 'ready') { ready = true; failures = 0; flush(); }
      else if (f.type === 'event') { show(f.event); save(); ws.send(JSON.stringify({ type: 'ack', seq: f.event.seq })); }
      else if (f.type === 'ack') settle(f.client_id, f.seq);
      else if (f.type === 'queue') queued(f.position);
      else if (f.type === 'typing') typing(f.name);
      else if (f.type === 'error') fail(f);
    };
    ws.onclose = (c) => {
      socket = null; ready = false; failures += 1;
      if (c.code === 4401 || c.code === 4404) { saved = {}; save(); return; } // forgotten or erased: start afresh
      if (!opened && failures >= 2) { poll(); return; } // WebSockets blocked: long polling
      clearTimeout(timer);
      timer = setTimeout(connect, Math.min(30000, 500 * 2 ** failures));
    };
  }

  async function poll() {
    polling = true;
    flush();
    while (polling && saved.conversation) {
      try {
        const r = await call('GET', `/chat/v1/conversations/${saved.conversation}/events?after=${last}&wait=25`);
        r.events.forEach(show); save(); queued(r.queue_position);
      } catch (e) { await new Promise((r) => setTimeout(r, 3000)); }
    }
  }

  function settle(clientId, seq) {
    const w = waiting.get(clientId);
    saved.pending = (saved.pending || []).filter((p) => p.client_id !== clientId); save();
    if (w) { waiting.delete(clientId); w.resolve({ seq }); }
  }
  function fail(f) {
    const first = waiting.keys().next();
    if (!first.done) { const w = waiting.get(first.value); waiting.delete(first.value); w.reject(new Error(f.detail)); }
  }

  // Sends what is waiting: over the socket, or by POST when polling. A message sent twice is stored once.
  async function flush() {
    for (const p of saved.pending || []) {
      if (socket && ready) socket.send(JSON.stringify({ type: 'message', client_id: p.client_id, body: p.body }));
      else if (polling) {
        try { const e = await call('POST', `/chat/v1/conversations/${saved.conversation}/messages`, p); settle(p.client_id, e.seq); }
        catch (e) { if (e.status && e.status < 500 && e.status !== 429) { const w = waiting.get(p.client_id); settle(p.client_id); if (w) w.reject(e); } }
      }
    }
  }

  async function send(text) {
    const body = String(text == null ? '' : text).trim();
    if (!body) throw new Error('empty message');
    if (saved.conversation && saved.ended) {
      // The chat has ended: this message starts a new one.
      const old = socket;
      saved.conversation = null; saved.ended = false; saved.pending = []; save();
      log.replaceChildren(); shown.clear(); last = 0; canAttach();
      if (old) { socket = null; ready = false; old.onclose = null; old.close(); }
    }
    const clientId = uid();
    bubble('visitor', t.sending, body, 'cid:' + clientId);
    const done = new Promise((resolve, reject) => waiting.set(clientId, { resolve, reject }));
    await visitor();
    if (!saved.conversation) {
      const started = await call('POST', '/chat/v1/conversations', {
        name: nameInput.value.trim() || saved.name || undefined, message: { client_id: clientId, body } });
      saved.conversation = started.conversation_id;
      nameInput.hidden = true;
      save();
      started.events.forEach(show);
      save();
      queued(started.queue_position);
      canAttach();
      settle(clientId, started.events[0].seq);
      connect();
      return done;
    }
    saved.pending = (saved.pending || []).concat([{ client_id: clientId, body }]);
    save();
    if (ready || polling) flush(); else connect();
    return done;
  }

  // ---- behaviour ----
  async function open() {
    panel.hidden = false; launcher.setAttribute('aria-expanded', 'true');
    if (!saved.conversation && !offline) {
      const dept = cfg.department ? '?department_id=' + encodeURIComponent(cfg.department) : '';
      try { offline = !(await call('GET', '/chat/v1/availability' + dept)).available; } catch (e) { offline = false; }
      if (offline) { bubble('note', t.agent, t.away); emailInput.hidden = false; emailInput.required = true; }
    }
    greet(); connect(); canAttach();
    (saved.conversation ? textarea : nameInput).focus();
  }

  async function leaveMessage(text) {
    await call('POST', '/chat/v1/offline', { name: nameInput.value.trim() || undefined, email: emailInput.value.trim(),
      message: text, department_id: cfg.department || undefined });
    bubble('visitor', t.you, text);
    bubble('note', t.agent, t.thanks);
    form.hidden = true;
  }
  function close() { panel.hidden = true; launcher.setAttribute('aria-expanded', 'false'); launcher.focus(); }
  launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
  $('.close').addEventListener('click', close);
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  attach.addEventListener('click', () => picker.click());
  picker.addEventListener('change', async () => {
    const file = picker.files && picker.files[0];
    picker.value = '';
    if (!file || !saved.conversation) return;
    const clientId = uid();
    const note = bubble('visitor', t.sending, file.name, 'cid:' + clientId);
    try {
      const q = `client_id=${encodeURIComponent(clientId)}&name=${encodeURIComponent(file.name)}`;
      const res = await fetch(`${base}/chat/v1/conversations/${saved.conversation}/files?${q}`, { method: 'POST', body: file, mode: 'cors', credentials: 'omit',
        headers: { Authorization: 'Bearer ' + saved.token, 'Content-Type': file.type || 'application/octet-stream' } });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.errors && data.errors[0] ? data.errors[0].message : (data.detail || res.statusText));
      note.remove(); shown.delete('cid:' + clientId); show(data); save();
    } catch (err) { note.querySelector('small').textContent = t.failed.split(';')[0] + ': ' + err.message; }
  });
  // Articles of the site's knowledge base (`data-knowledge-base` or ParleySettings.knowledgeBase) that may answer
  // what the visitor is writing, offered before a chat starts. Titles are set as text; links lead only to the portal.
  const kb = cfg.knowledgeBase || script.dataset.knowledgeBase;
  const suggest = $('.suggest');
  suggest.querySelector('p').textContent = t.suggestions;
  let suggestTimer = null, suggestAsked = 0;
  async function suggestArticles() {
    const q = textarea.value.trim();
    const mine = ++suggestAsked;
    if (!kb || saved.conversation || q.length < 3) { suggest.hidden = true; return; }
    const url = `${base}/kb/${encodeURIComponent(kb)}/search?as_you_type=true&limit=3&lang=${encodeURIComponent(lang)}&q=${encodeURIComponent(q)}`;
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' }, mode: 'cors', credentials: 'omit' });
      if (!res.ok || mine !== suggestAsked) return;
      const { results } = await res.json();
      const items = results.filter((r) => typeof r.url === 'string' && r.url.startsWith(base + '/kb/')).map((r) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = r.url; a.textContent = r.title; a.target = '_blank'; a.rel = 'noopener';
        li.append(a);
        return li;
      });
      suggest.querySelector('ul').replaceChildren(...items);
      suggest.hidden = items.length === 0;
    } catch (_) { suggest.hidden = true; }
  }
  textarea.addEventListener('input', () => { clearTimeout(suggestTimer); suggestTimer = setTimeout(suggestArticles, 250); });
  // The visitor types: the agent sees it (said at most every two seconds; only over the socket).
  let saidTyping = 0;
  textarea.addEventListener('input', () => {
    if (socket && ready && Date.now() - saidTyping > 2000) { saidTyping = Date.now(); socket.send(JSON.stringify({ type: 'typing' })); }
  });
  textarea.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = textarea.value;
    if (!text.trim()) return;
    textarea.value = '';
    suggest.hidden = true;
    if (offline) { leaveMessage(text).catch((err) => { textarea.value = text; bubble('note', '', err.message); }); return; }
    send(text).catch((err) => bubble('note', '', t.failed + ' ' + err.message));
  });
  // Another tab started a conversation: follow it.
  window.addEventListener('storage', (e) => {
    if (e.key !== storeKey) return;
    const before = saved.conversation; saved = load();
    if (saved.conversation && saved.conversation !== before) { nameInput.hidden = true; connect(); }
  });

  (document.body || document.documentElement).append(host);
  if (saved.conversation) { nameInput.hidden = true; connect(); }

  window.Parley = {
    version: 1,
    open, close, send,
    // Ends the conversation for both sides; the next message starts a new one.
    async end() {
      if (!saved.conversation) return;
      await call('POST', `/chat/v1/conversations/${saved.conversation}/end`);
    },
    // The site's server signs its user's id (hex HMAC-SHA256 with the account's identity secret); without a valid
    // signature Parley keeps the visitor anonymous.
    async identify(who) {
      await visitor();
      await call('POST', '/chat/v1/identify', { id: String(who.id), email: String(who.email), name: who.name, hash: String(who.hash) });
      if (who.name) saved.name = who.name;
      save();
    },
    on(name, fn) { if (listeners[name] && typeof fn === 'function') listeners[name].push(fn); return this; },
  };
})();
